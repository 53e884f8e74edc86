"""Staff and consumers at the service layer: reactivating staff and changing their roles, and
reading a consumer's whole record."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlmodel import col, select

from complaintctl import services
from complaintctl.domain.procedure import ActionKind, Channel, RestrictionScope, Role
from complaintctl.errors import InvalidInput, NotFound, NotPermitted
from complaintctl.store.models import Event
from tests.conftest import UnitFactory, dump_store
from tests.service import journey
from tests.service.journey import NOW, act, log, show, t, to_responded


def store_entries(unit: UnitFactory, action: str) -> list[tuple[str, dict[str, Any]]]:
    """(by, details) of the store's own history entries of `action`, oldest first."""
    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Event.actor, Event.details)  # type: ignore[call-overload]
            .where(col(Event.action) == action, col(Event.case_id).is_(None))
            .order_by(col(Event.id))
        ).all()
    return [(by, json.loads(details)) for by, details in rows]


def staff_states(unit: UnitFactory) -> dict[str, tuple[str, str | None, bool]]:
    with unit(write=False) as uow:
        return {
            s.username: (s.role, s.area, s.active)
            for s in services.list_staff(uow, include_removed=True)
        }


def remove(unit: UnitFactory, username: str, by: str = "sam.senior") -> Any:
    return act(unit, services.remove_staff, username=username, by=by, at=t("2026-12-01T10:00"))


def reactivate(unit: UnitFactory, username: str, by: str = "sam.senior") -> Any:
    return act(unit, services.reactivate_staff, username=username, by=by, at=t("2026-12-02T10:00"))


# -- staff reactivate ----------------------------------------------------------------------


def test_reactivating_a_removed_member_makes_them_active_in_the_role_and_area_they_had(
    unit: UnitFactory,
) -> None:
    remove(unit, "rita.responder")

    view = reactivate(unit, "rita.responder", by="hana.handler")

    assert ("rita.responder", "officer", "Casework", True) == (
        view.username,
        view.role,
        view.area,
        view.active,
    )
    assert ("officer", "Casework", True) == staff_states(unit)["rita.responder"]
    assert [("hana.handler", {"username": "rita.responder"})] == store_entries(
        unit, "staff-reactivated"
    )


def test_a_removed_member_who_tries_to_act_is_told_to_be_reactivated_not_added(
    unit: UnitFactory,
) -> None:
    remove(unit, "officer.two")

    with pytest.raises(NotPermitted) as refused:
        log(unit, t("2026-12-01T11:00"), by="officer.two")

    assert (
        "officer.two is no longer active staff; act as a member of staff with --as (or "
        "COMPLAINTCTL_USER), or ask a senior role to make them active again with "
        "`complaintctl staff reactivate officer.two`"
    ) == str(refused.value)


def test_a_reactivated_member_may_act_again(unit: UnitFactory) -> None:
    remove(unit, "officer.two")
    with pytest.raises(NotPermitted, match="no longer active"):
        log(unit, t("2026-12-01T11:00"), by="officer.two")

    reactivate(unit, "officer.two")

    assert "officer.two" == show(unit, log(unit, t("2026-12-02T11:00"), by="officer.two")).logged_by


def test_reactivating_someone_already_active_is_refused_and_writes_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="^officer.two is already active staff$"):
        reactivate(unit, "officer.two")
    assert before == dump_store(store_url)


def test_reactivating_an_unknown_username_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound, match="^no staff member nobody$"):
        reactivate(unit, "nobody")


def test_removing_a_look_alike_of_a_member_is_not_found_naming_the_letter_no_username_holds(
    unit: UnitFactory, store_url: str
) -> None:
    # officer.two with a Cyrillic o: "no staff member officer.two" alone reads as if the
    # real member were not staff.
    before = dump_store(store_url)
    with pytest.raises(NotFound, match=r"\(it holds U\+043E CYRILLIC SMALL LETTER O,"):
        remove(unit, "\u043efficer.two")
    assert before == dump_store(store_url)


def test_a_member_is_named_in_any_case_of_letters_and_a_blank_name_is_refused(
    unit: UnitFactory, store_url: str
) -> None:
    remove(unit, "OFFICER.TWO")
    with pytest.raises(InvalidInput, match="^officer.two was already removed$"):
        remove(unit, "Officer.Two")
    before = dump_store(store_url)
    for verb in (remove, reactivate):
        with pytest.raises(InvalidInput, match="^USERNAME must not be empty$"):
            verb(unit, "  ")
    assert before == dump_store(store_url)


def test_only_senior_roles_reactivate_staff(unit: UnitFactory, store_url: str) -> None:
    remove(unit, "officer.two")
    before = dump_store(store_url)
    with pytest.raises(NotPermitted, match="may not add, change or remove staff"):
        reactivate(unit, "officer.two", by="lee.leader")
    assert before == dump_store(store_url)


# -- staff role ----------------------------------------------------------------------------


def change_role(
    unit: UnitFactory, username: str, role: Role, area: str | None, by: str = "sam.senior"
) -> Any:
    return act(
        unit,
        services.change_role,
        username=username,
        role=role,
        area=area,
        by=by,
        at=t("2026-12-02T10:00"),
    )


def refused_in_role_and_new(unit: UnitFactory, member: str, area: str, why: str) -> None:
    """`area` refused (InvalidInput matching `why`) both to `member`'s role change and to a
    new officer."""
    with pytest.raises(InvalidInput, match=why):
        change_role(unit, member, Role.OFFICER, area)
    with pytest.raises(InvalidInput, match=why):
        act(
            unit,
            services.add_staff,
            username="new.officer",
            name="New Officer",
            role=Role.OFFICER,
            area=area,
            by="sam.senior",
            at=t("2026-12-02T10:00"),
        )


@pytest.mark.parametrize("area", ["", "   "])
def test_an_area_given_empty_is_refused_never_taken_for_no_area(
    unit: UnitFactory, store_url: str, area: str
) -> None:
    # `--area "$AREA"` with the variable not set: rita.responder would leave Casework, and
    # an officer added would work in none, without a word.
    before = dump_store(store_url)
    refused_in_role_and_new(unit, "rita.responder", area, "^--area must not be empty")
    assert before == dump_store(store_url)


def test_a_role_change_is_made_and_recorded_with_the_old_and_new_values(
    unit: UnitFactory,
) -> None:
    view = change_role(unit, "rita.responder", Role.LEADER, " Energy ")

    assert ("leader", "Energy", True) == (view.role, view.area, view.active)
    assert ("leader", "Energy", True) == staff_states(unit)["rita.responder"]
    assert [
        (
            "sam.senior",
            {
                "username": "rita.responder",
                "old_role": "officer",
                "new_role": "leader",
                "old_area": "Casework",
                "new_area": "Energy",
            },
        )
    ] == store_entries(unit, "staff-role-changed")


def test_a_role_without_an_area_leaves_the_member_in_no_area(unit: UnitFactory) -> None:
    change_role(unit, "lee.leader", Role.SENIOR_LEADER, None)
    assert ("senior-leader", None, True) == staff_states(unit)["lee.leader"]


def test_a_new_leader_without_an_area_is_refused_and_writes_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="^a leader leads an area: give --area$"):
        change_role(unit, "officer.one", Role.LEADER, None)
    assert before == dump_store(store_url)


def test_an_area_breaking_the_input_rule_is_refused_as_staff_add_refuses_it(
    unit: UnitFactory,
) -> None:
    with pytest.raises(InvalidInput, match="^--area "):
        change_role(unit, "officer.one", Role.OFFICER, "Case\x1bwork")


@pytest.mark.parametrize(
    ("area", "hidden"),
    [("Case\u200bwork", "<U+200B>"), ("\u202eEnergy", "<U+202E>"), ("Casework\u2066", "<U+2066>")],
)
def test_an_area_holding_a_character_that_does_not_show_is_refused_writing_nothing(
    unit: UnitFactory, store_url: str, area: str, hidden: str
) -> None:
    # It would look like Casework (or Energy) and be another area: its staff could act on
    # none of Casework's cases, and a report would count it apart.
    before = dump_store(store_url)
    why = "^" + re.escape(
        f"--area holds {hidden}, a control, bidirectional or invisible character: "
    )
    refused_in_role_and_new(unit, "officer.one", area, why)
    assert before == dump_store(store_url)


def test_a_role_change_that_changes_nothing_is_refused(unit: UnitFactory, store_url: str) -> None:
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="lee.leader is already leader in Casework: nothing"):
        change_role(unit, "lee.leader", Role.LEADER, "Casework")
    assert before == dump_store(store_url)


def test_a_removed_member_must_be_reactivated_before_their_role_changes(
    unit: UnitFactory, store_url: str
) -> None:
    remove(unit, "officer.two")
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="officer.two was removed: reactivate them first"):
        change_role(unit, "officer.two", Role.SENIOR_LEADER, None)
    assert before == dump_store(store_url)


def test_changing_the_role_of_an_unknown_username_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound, match="^no staff member nobody$"):
        change_role(unit, "nobody", Role.OFFICER, None)


def test_only_senior_roles_change_roles(unit: UnitFactory, store_url: str) -> None:
    before = dump_store(store_url)
    with pytest.raises(NotPermitted, match="may not add, change or remove staff"):
        change_role(unit, "lee.leader", Role.SENIOR_LEADER, None, by="lee.leader")
    assert before == dump_store(store_url)


def test_a_senior_may_step_down_while_another_senior_remains(unit: UnitFactory) -> None:
    change_role(unit, "hana.handler", Role.OFFICER, None, by="hana.handler")
    assert ("officer", None, True) == staff_states(unit)["hana.handler"]


def test_the_last_active_senior_may_not_step_down_and_writes_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    remove(unit, "hana.handler")
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="sam.senior is the last active senior role"):
        change_role(unit, "sam.senior", Role.OFFICER, None, by="sam.senior")
    assert before == dump_store(store_url)


# -- consumer show -------------------------------------------------------------------------


def restrict(unit: UnitFactory, scope: RestrictionScope, at: str, **kwargs: Any) -> Any:
    return journey.restrict(unit, t(at), scope=scope, **kwargs)


def consumer(unit: UnitFactory, **which: Any) -> Any:
    which.setdefault("email", None)
    which.setdefault("consumer_id", None)
    which.setdefault("as_of", NOW)
    with unit(write=False) as uow:
        return services.show_consumer(uow, **which)


def test_a_consumers_record_has_their_needs_restrictions_incidents_and_cases_newest_first(
    unit: UnitFactory,
) -> None:
    responded = to_responded(unit)  # received 30 Nov, first-stage response not upheld
    informal = log(unit, t("2026-12-02T10:00"), resolved_informally="Sorted by phone")
    latest = log(unit, t("2026-12-04T10:00"), adjustments=("large-print",))
    log(unit, t("2026-12-04T11:00"), consumer="Bob Jones", email="bob@example.com")
    act(
        unit,
        services.record_incident,
        ref=responded,
        note="Shouted at officer",
        by="officer.one",
        at=t("2026-12-04T12:00"),
    )
    lifted = restrict(unit, RestrictionScope.PROCEDURE, "2026-12-07T10:00")
    act(unit, services.lift, restriction_id=lifted.id, reason="Calmer", by="sam.senior",
        at=t("2026-12-08T10:00"))  # fmt: skip
    in_force = restrict(unit, RestrictionScope.CONTACT, "2026-12-09T10:00", channel=Channel.POST)

    view = consumer(unit, email="ANN@example.com")

    assert ("Ann Smith", "ann@example.com", ("large-print",)) == (
        view.name,
        view.email,
        view.adjustments,
    )
    assert [(lifted.id, "Calmer"), (in_force.id, None)] == [
        (r.id, r.lift_reason) for r in view.restrictions
    ]
    assert [(responded, "Shouted at officer", "officer.one")] == [
        (i.ref, i.note, i.recorded_by) for i in view.incidents
    ]
    assert [
        (latest, "received", t("2026-12-04T10:00"), None, None),
        (informal, "closed", t("2026-12-02T10:00"), "resolved-informally", None),
        (responded, "responded", t("2026-11-30T10:00"), None, "not-upheld"),
    ] == [(c.ref, c.stage, c.received_at, c.close_reason, c.first_decision) for c in view.cases]
    assert view == consumer(unit, consumer_id=view.id)


def test_showing_a_consumer_writes_nothing(unit: UnitFactory, store_url: str) -> None:
    to_responded(unit)
    before = dump_store(store_url)
    consumer(unit, email="ann@example.com")
    assert before == dump_store(store_url)


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ({"email": "nobody@example.com"}, "^no consumer with email nobody@example.com$"),
        ({"consumer_id": 99}, "^no consumer 99$"),
    ],
)
def test_an_unknown_consumer_is_not_found(
    unit: UnitFactory, which: dict[str, Any], message: str
) -> None:
    log(unit, t("2026-11-30T10:00"))
    with pytest.raises(NotFound, match=message):
        consumer(unit, **which)


def test_a_consumer_is_named_by_email_or_by_id_not_both(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    with pytest.raises(InvalidInput, match="by --email or by --consumer-id"):
        consumer(unit, email="ann@example.com", consumer_id=1)


# -- staff remove: what they leave ----------------------------------------------------------


def test_removing_a_member_warns_of_the_cases_and_actions_they_still_hold(
    unit: UnitFactory,
) -> None:
    first = to_responded(unit)  # responded: waiting on the consumer, nothing owed by rita
    held = log(unit, t("2026-11-30T11:00"))
    act(unit, services.acknowledge, ref=held, area="Casework", by="officer.one",
        at=t("2026-12-01T09:00"))  # fmt: skip
    act(unit, services.assign, ref=held, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T09:30"))  # fmt: skip
    opened = act(unit, services.add_action, ref=first, kind=ActionKind.REMEDY, what="Call back",
                 owner="rita.responder", due=None, within="10d", by="officer.one",
                 at=t("2026-12-01T09:45"))  # fmt: skip

    view = remove(unit, "rita.responder")

    assert (
        f"rita.responder is the responder of 1 open case at the first stage ({held}): hand "
        "each on with `complaintctl assign REF --to USERNAME`",
        f"rita.responder owns 1 open action ({opened.id} on {first}): hand each on with "
        "`complaintctl action reassign ID --to USERNAME --reason TEXT`",
    ) == view.warnings
    assert False is view.active


def test_removing_the_officer_a_contact_restriction_routes_through_warns_of_it(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"))
    routed = restrict(unit, RestrictionScope.CONTACT, "2026-12-01T10:00", via="rita.responder")
    lifted = restrict(unit, RestrictionScope.CONTACT, "2026-12-01T11:00", via="rita.responder")
    act(unit, services.lift, restriction_id=lifted.id, reason="Calmer", by="sam.senior",
        at=t("2026-12-02T10:00"))  # fmt: skip
    restrict(unit, RestrictionScope.CONTACT, "2026-12-01T12:00", via="ruth.responder")

    view = remove(unit, "rita.responder")

    assert (
        "rita.responder is the officer a consumer must contact through under 1 restriction in "
        f"force (restriction {routed.id}): lift each with `complaintctl restrict lift ID "
        "--reason TEXT` and name someone else with `complaintctl restrict add … --scope "
        "contact --via USERNAME`",
    ) == view.warnings


def handled_by_hana(unit: UnitFactory) -> str:
    """A case escalated to hana.handler, made a leader of Casework for it; its reference."""
    act(unit, services.change_role, username="hana.handler", role=Role.LEADER, area="Casework",
        by="sam.senior", at=t("2026-11-30T09:00"))  # fmt: skip
    ref = to_responded(unit)
    act(unit, services.escalate, ref=ref, to="hana.handler", reason="Unhappy", by="officer.one",
        at=t("2026-12-07T10:00"))  # fmt: skip
    return ref


def test_removing_a_second_stage_handler_warns_how_to_hand_the_case_on(
    unit: UnitFactory,
) -> None:
    ref = handled_by_hana(unit)

    view = act(unit, services.remove_staff, username="hana.handler", by="sam.senior",
               at=t("2026-12-08T10:00"))  # fmt: skip

    assert (
        f"hana.handler is the second-stage handler of 1 open case ({ref}): a senior role may "
        "hand each on with `complaintctl assign REF --to USERNAME --reason TEXT`",
    ) == view.warnings
    # The command it names does it.
    handed = act(unit, services.assign, ref=ref, to="sam.senior", reason="Hana has left",
                 by="sam.senior", at=t("2026-12-08T10:05"))  # fmt: skip
    assert "sam.senior" == handed.handler


def test_making_a_second_stage_handler_an_officer_warns_how_to_hand_the_case_on(
    unit: UnitFactory,
) -> None:
    ref = handled_by_hana(unit)

    view = act(unit, services.change_role, username="hana.handler", role=Role.OFFICER,
               area=None, by="sam.senior", at=t("2026-12-08T10:00"))  # fmt: skip

    assert (
        f"hana.handler is the second-stage handler of 1 open case ({ref}), which an officer "
        "may not decide or extend: they or a senior role may hand each on with "
        "`complaintctl assign REF --to USERNAME --reason TEXT`",
    ) == view.warnings
    # Made a senior instead, they keep it without a word.
    view = act(unit, services.change_role, username="hana.handler", role=Role.SENIOR_LEADER,
               area=None, by="sam.senior", at=t("2026-12-08T10:05"))  # fmt: skip
    assert () == view.warnings


def test_removing_a_member_who_holds_nothing_warns_of_nothing(unit: UnitFactory) -> None:
    ref = to_responded(unit)
    opened = act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Call back",
                 owner="rita.responder", due=None, within="10d", by="officer.one",
                 at=t("2026-12-03T11:00"))  # fmt: skip
    act(unit, services.reassign_action, action_id=opened.id, to="ruth.responder",
        reason="Leaving", by="rita.responder", at=t("2026-12-03T12:00"))  # fmt: skip

    view = act(unit, services.remove_staff, username="rita.responder", by="sam.senior",
               at=t("2026-12-04T10:00"))  # fmt: skip

    assert () == view.warnings


def test_an_area_held_in_two_spellings_is_spelt_the_same_by_every_command() -> None:
    # From before spellings were one area: ack, staff add and the listings took the last
    # spelling or the first, so a case went one way and a listing looked the other.
    from complaintctl.services.common import area_spellings

    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    for held in ([composed, decomposed], [decomposed, composed]):
        assert {"café": min(composed, decomposed)} == area_spellings(held)


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_email_is_refused_as_empty_not_looked_up(unit: UnitFactory, empty: str) -> None:
    with pytest.raises(InvalidInput, match="^--email must not be empty"):
        consumer(unit, email=empty)


@pytest.mark.parametrize("area", ["(not yet routed)", "(Not Yet Routed)"])
def test_an_area_named_as_the_report_names_cases_not_routed_is_refused(
    unit: UnitFactory, store_url: str, area: str
) -> None:
    # Its cases would be counted with the unrouted ones in `report --by area`.
    before = dump_store(store_url)
    why = r"^--area '\(not yet routed\)' is what the report"
    refused_in_role_and_new(unit, "officer.one", area, why)
    assert before == dump_store(store_url)
