"""Who is acting, at the service layer: binding staff to database roles and logins, the store's
settings, and the rule `acting_staff` applies (services/identity.py)."""

from __future__ import annotations

from typing import Any

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Role
from complaintctl.errors import InvalidInput, NotPermitted
from complaintctl.services.common import acting_staff
from complaintctl.services.identity import BIND_LOGINS, REQUIRE_BOUND_ROLES, switch
from tests.conftest import UnitFactory, dump_store, postgres_only, sqlite_only
from tests.service.journey import act, t
from tests.service.test_people import store_entries

AT = t("2026-12-01T10:00")


def bind(unit: UnitFactory, username: str, by: str = "sam.senior", **binding: str) -> Any:
    options: dict[str, str | None] = {"db_role": None, "os_login": None, **binding}
    return act(unit, services.bind_staff, username=username, by=by, at=AT, **options)


def turn(unit: UnitFactory, key: str, on: bool = True, by: str = "sam.senior") -> bool:
    changed: bool = act(unit, switch, key=key, on=on, by=by, at=AT)
    return changed


def acting_as(unit: UnitFactory, by: str, login: str | None = None) -> str:
    """Who acts as `by`, from the login `login` (as the command line notes it)."""
    with unit(write=False) as uow:
        uow.origin = (login, "host") if login else None
        return acting_staff(uow, by).username


# -- binding -------------------------------------------------------------------------------


def test_binding_a_member_shows_in_the_list_and_is_recorded_with_what_it_replaced(
    unit: UnitFactory,
) -> None:
    bind(unit, "officer.one", os_login="olu")
    view = bind(unit, "officer.one", os_login="olu1", by="hana.handler")
    bind(unit, "officer.one", db_role="olu_one")

    assert ("olu1", None) == (view.os_login, view.db_role)
    with unit(write=False) as uow:
        listed = {v.username: (v.db_role, v.os_login) for v in services.list_staff(uow)}
    assert ("olu_one", "olu1") == listed["officer.one"]
    assert [
        ("sam.senior", {"username": "officer.one", "os_login": "olu", "old_os_login": None}),
        ("hana.handler", {"username": "officer.one", "os_login": "olu1", "old_os_login": "olu"}),
        ("sam.senior", {"username": "officer.one", "db_role": "olu_one", "old_db_role": None}),
    ] == store_entries(unit, "staff-bound")


def test_a_role_name_holding_a_byte_that_is_not_utf8_is_refused_as_no_role_name(
    unit: UnitFactory,
) -> None:
    with pytest.raises(InvalidInput, match="is not a role name"):
        bind(unit, "officer.one", db_role="olu\udce9")


def test_unbinding_takes_both_away_and_records_them(unit: UnitFactory) -> None:
    bind(unit, "officer.one", os_login="olu")
    bind(unit, "officer.one", db_role="olu_one")

    view = act(unit, services.unbind_staff, username="officer.one", by="sam.senior", at=AT)

    assert (None, None) == (view.db_role, view.os_login)
    assert [
        ("sam.senior", {"username": "officer.one", "db_role": "olu_one", "os_login": "olu"})
    ] == store_entries(unit, "staff-unbound")


def test_adding_a_member_may_bind_them_and_the_entry_says_so(unit: UnitFactory) -> None:
    view = act(
        unit, services.add_staff, username="nia.new", name="Nia New", role=Role.OFFICER,
        area=None, by="sam.senior", at=AT, db_role="nia_new", os_login="nia",
    )  # fmt: skip

    assert ("nia_new", "nia") == (view.db_role, view.os_login)
    assert {"db_role": "nia_new", "os_login": "nia"}.items() <= dict(
        store_entries(unit, "staff-added")[-1][1]
    ).items()


@pytest.mark.parametrize(
    ("username", "by", "binding", "error", "words"),
    [
        ("officer.two", "sam.senior", {"os_login": "olu"}, InvalidInput, "bound to officer.one"),
        ("officer.one", "sam.senior", {"os_login": "olu"}, InvalidInput, "nothing to change"),
        ("officer.two", "sam.senior", {}, InvalidInput, "give one of"),
        ("officer.two", "sam.senior", {"os_login": "a", "db_role": "b"}, InvalidInput, "one of"),
        ("officer.two", "sam.senior", {"db_role": "bad\x1brole"}, InvalidInput, "not a role"),
        ("officer.two", "officer.one", {"os_login": "otto"}, NotPermitted, "may not add, change"),
    ],
)
def test_a_binding_is_refused_and_nothing_written(
    unit: UnitFactory,
    store_url: str,
    username: str,
    by: str,
    binding: dict[str, str],
    error: type[Exception],
    words: str,
) -> None:
    bind(unit, "officer.one", os_login="olu")
    before = dump_store(store_url)

    with pytest.raises(error, match=words):
        bind(unit, username, by=by, **binding)

    assert before == dump_store(store_url)


def test_unbinding_a_member_bound_to_nothing_is_refused(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="bound to no database role or login"):
        act(unit, services.unbind_staff, username="officer.one", by="sam.senior", at=AT)


# -- the store's settings ------------------------------------------------------------------


@sqlite_only
def test_mapping_logins_is_recorded_once_and_turned_off_again(unit: UnitFactory) -> None:
    changed = [turn(unit, BIND_LOGINS), turn(unit, BIND_LOGINS), turn(unit, BIND_LOGINS, False)]

    assert [True, False, True] == changed
    assert [
        ("sam.senior", {"setting": "bind-logins", "value": "on"}),
        ("sam.senior", {"setting": "bind-logins", "value": "off"}),
    ] == store_entries(unit, "store-setting-changed")


@sqlite_only
def test_requiring_bound_roles_does_not_apply_to_sqlite(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="for PostgreSQL stores"):
        turn(unit, REQUIRE_BOUND_ROLES)


@postgres_only
def test_mapping_logins_does_not_apply_to_postgresql(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="for SQLite stores"):
        turn(unit, BIND_LOGINS)


def test_only_senior_roles_change_the_settings(unit: UnitFactory) -> None:
    with pytest.raises(NotPermitted, match="may not change who may act in this store"):
        turn(unit, BIND_LOGINS, by="officer.one")


@postgres_only
def test_requiring_bound_roles_is_refused_while_your_own_role_is_unbound(
    unit: UnitFactory,
) -> None:
    with unit(write=False) as uow:
        role = uow.database_role()
    assert role is not None
    with pytest.raises(InvalidInput, match=f"database role {role} is bound to no member"):
        turn(unit, REQUIRE_BOUND_ROLES)

    bind(unit, "sam.senior", db_role=role)
    assert turn(unit, REQUIRE_BOUND_ROLES)
    with pytest.raises(InvalidInput, match="unbinding yourself would leave you unable"):
        act(unit, services.unbind_staff, username="sam.senior", by="sam.senior", at=AT)
    with pytest.raises(NotPermitted, match=f"{role} is bound to sam.senior"):
        acting_as(unit, "hana.handler")


# -- the rule ------------------------------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize(
    ("bound", "said"),
    [
        # The login running it bound to someone else: it would act as them only.
        ({"username": "officer.one", "os_login": "sam"}, "login sam is bound to officer.one"),
        # The senior bound to another login: this one could not act as them.
        ({"username": "sam.senior", "os_login": "elsewhere"}, "not login sam, which runs this"),
    ],
)
def test_mapping_logins_is_refused_where_the_senior_mapping_them_could_not_act_after(
    unit: UnitFactory, store_url: str, bound: dict[str, str], said: str
) -> None:
    bind(unit, bound["username"], os_login=bound["os_login"])
    before = dump_store(store_url)

    with unit() as uow:
        uow.origin = ("sam", "host")
        with pytest.raises(InvalidInput, match=said):
            switch(uow, key=BIND_LOGINS, on=True, by="sam.senior", at=AT, now=AT)

    assert before == dump_store(store_url)
    assert "sam.senior" == acting_as(unit, "sam.senior", login="sam")


@sqlite_only
def test_with_logins_mapped_a_bound_login_acts_only_as_its_member(unit: UnitFactory) -> None:
    bind(unit, "officer.one", os_login="olu")
    turn(unit, BIND_LOGINS)

    assert "officer.one" == acting_as(unit, "Officer.One", login="olu")
    with pytest.raises(NotPermitted, match="login olu is bound to officer.one"):
        acting_as(unit, "sam.senior", login="olu")


@sqlite_only
def test_with_logins_mapped_an_unbound_login_acts_only_as_unbound_members(
    unit: UnitFactory,
) -> None:
    bind(unit, "officer.one", os_login="olu")
    turn(unit, BIND_LOGINS)

    assert "officer.two" == acting_as(unit, "officer.two", login="mallory")
    with pytest.raises(NotPermitted, match="officer.one is bound to login olu"):
        acting_as(unit, "officer.one", login="mallory")
    with pytest.raises(NotPermitted, match="officer.one is bound to login olu"):
        acting_as(unit, "officer.one", login=None)  # the login unknown


@sqlite_only
def test_logins_bound_but_not_mapped_change_nothing(unit: UnitFactory) -> None:
    bind(unit, "officer.one", os_login="olu")
    turn(unit, BIND_LOGINS)
    turn(unit, BIND_LOGINS, False)

    assert "sam.senior" == acting_as(unit, "sam.senior", login="olu")
    assert "officer.one" == acting_as(unit, "officer.one", login="mallory")


@sqlite_only
def test_a_senior_may_not_bind_someone_else_to_the_login_they_connect_as(
    unit: UnitFactory, store_url: str
) -> None:
    turn(unit, BIND_LOGINS)
    bind(unit, "sam.senior", os_login="sam")
    before = dump_store(store_url)

    with unit() as uow:
        uow.origin = ("sam", "host")
        with pytest.raises(InvalidInput) as refused:
            services.bind_staff(uow, username="officer.one", db_role=None, os_login="sam",
                                by="sam.senior", at=AT, now=AT)  # fmt: skip

    assert "you connect as login sam: binding it to officer.one would leave you" in str(
        refused.value
    )
    assert before == dump_store(store_url)


@sqlite_only
def test_a_senior_may_not_add_someone_bound_to_the_login_they_connect_as(
    unit: UnitFactory, store_url: str
) -> None:
    # `staff add … --os-login` binds as `staff bind` does, and is refused as it is: the login
    # would act as the new member only, and the senior could not act after.
    turn(unit, BIND_LOGINS)
    bind(unit, "sam.senior", os_login="sam")
    before = dump_store(store_url)

    with unit() as uow:
        uow.origin = ("sam", "host")
        with pytest.raises(InvalidInput, match="you connect as login sam: binding it to new.one"):
            services.add_staff(
                uow,
                username="new.one",
                name="New One",
                role=Role.OFFICER,
                area=None,
                by="sam.senior",
                at=AT,
                now=AT,
                os_login="sam",
            )

    assert before == dump_store(store_url)
    assert "sam.senior" == acting_as(unit, "sam.senior", login="sam")


def test_a_database_role_is_bound_in_lower_case_as_postgresql_folds_it(unit: UnitFactory) -> None:
    assert "rita_responder" == bind(unit, "officer.one", db_role="Rita_Responder").db_role
