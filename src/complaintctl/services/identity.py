"""Who is acting: the member of staff the connection is bound to, and whom it may act as.

On PostgreSQL the connection's login role (`current_user`) may be bound to one member of staff
(`staff bind --db-role`): a bound role acts as that member and as no one else, whatever --as
says; a role bound to no one acts only as members bound to no role, and not at all once the
store requires bound roles (`db require-bound-roles`). On SQLite, once the store maps
operating-system logins to staff (`db bind-logins`), the login running the command decides in
the same way. This is the one place the rule lives: `services.common.acting_staff` applies it
to every command that acts, and the root (`cli/app.State`) asks `bound_member` who acts when
--as names no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from complaintctl.errors import InvalidInput, NotPermitted, NotStaff
from complaintctl.text import normalise_username, shell_word

if TYPE_CHECKING:
    from complaintctl.store.models import Staff
    from complaintctl.store.uow import UnitOfWork

# The store's settings (store_setting.key), each "on" or "off".
REQUIRE_BOUND_ROLES = "require-bound-roles"
BIND_LOGINS = "bind-logins"

ROLE, LOGIN = "database role", "login"
# What the login is when the operating system does not say (cli/app._login_name).
UNKNOWN_LOGIN = "unknown"


@dataclass(frozen=True)
class Connecting:
    """Who is connecting, as far as the store can tell: a database role, or a login."""

    kind: str  # ROLE or LOGIN
    name: str
    member: str | None  # the username it is bound to
    required: bool  # one bound to no one may not act at all


def is_on(uow: UnitOfWork, key: str) -> bool:
    setting = uow.setting(key)
    return setting is not None and setting.value == "on"


def connecting(uow: UnitOfWork) -> Connecting | None:
    """The database role (PostgreSQL) or the login (SQLite, mapping logins on) connecting,
    and the member it is bound to; None where the store cannot tell who connects."""
    role = uow.database_role()
    if role is not None:
        bound = uow.staff_bound(db_role=role)
        return Connecting(
            ROLE, role, bound.username if bound else None, is_on(uow, REQUIRE_BOUND_ROLES)
        )
    if not is_on(uow, BIND_LOGINS):
        return None
    login = uow.origin[0] if uow.origin else UNKNOWN_LOGIN
    bound = uow.staff_bound(os_login=login)
    return Connecting(LOGIN, login, bound.username if bound else None, False)


def bound_member(uow: UnitOfWork) -> str | None:
    """The member of staff the connecting role or login is bound to: who acts when --as (or
    its defaults) names no one."""
    who = connecting(uow)
    return who.member if who is not None else None


def check_acting(uow: UnitOfWork, staff: Staff) -> None:
    """Refuse acting as `staff` unless the connecting role or login may act as them."""
    who = connecting(uow)
    if who is None:
        return
    if who.member is not None:
        if who.member != staff.username:
            raise NotPermitted(
                f"{who.kind} {who.name} is bound to {who.member}: it acts as {who.member} "
                f"only, never as {staff.username}"
            )
        return
    if who.required:
        raise NotPermitted(
            f"{who.kind} {who.name} is bound to no member of staff, and this store requires "
            f"every role that acts to be bound: ask a senior role to run "
            f"`complaintctl staff bind USERNAME --db-role {shell_word(who.name)}`"
        )
    bound, kind = (staff.db_role, ROLE) if who.kind == ROLE else (staff.os_login, LOGIN)
    if bound is not None:
        raise NotPermitted(
            f"{staff.username} is bound to {kind} {bound}: only it acts as them, "
            f"not {who.kind} {who.name}"
        )


def upgrading_as(uow: UnitOfWork, by: str, *, named: bool) -> str:
    """Who `db upgrade` records as acting, checked as every command that records checks them
    (`services.common.acting_staff`), in the upgrade's transaction once the store is at this
    revision: a member named (--as, COMPLAINTCTL_USER, the config's `as`) must be active staff
    the connecting role or login may act as, recorded as the store keeps their username. The
    upgrade needs no member of staff (the owner role, bound to no one, runs it): named by no
    one, it is recorded as the member the role or login is bound to, else as the login; on a
    store with no staff yet, as the username named, there being no one to check them against
    (a name no username could be is refused, as `staff add` would refuse it)."""
    if not named:
        return bound_member(uow) or by
    if not uow.staff_count():
        try:
            return normalise_username(by)
        except InvalidInput as err:
            raise InvalidInput(f"{err.message}; or {_NAMING_NO_ONE}") from None
    from complaintctl.services.common import acting_staff

    # Refused, the way out is the upgrade's own (the owner role is bound to no one, and
    # COMPLAINTCTL_USER is commonly set for the day's work), not acting as someone else.
    try:
        return acting_staff(uow, by).username
    except NotStaff as err:
        raise NotStaff(
            f"{by} is not active staff in this store, so the upgrade cannot be recorded as "
            f"theirs; {_NAMING_NO_ONE}",
            err.name,
        ) from None
    except NotPermitted as err:
        raise NotPermitted(f"{err.message}; or {_NAMING_NO_ONE}") from None


_NAMING_NO_ONE = (
    "db upgrade needs no member of staff: run it naming no one (no --as, no COMPLAINTCTL_USER, "
    "no `as` in the config file) and it is recorded as the connecting role or login"
)


def check_reading_as(uow: UnitOfWork, username: str) -> bool:
    """Refuse a reading command that reads as `username` (--mine) unless the connecting role
    or login may act as them; whether they are staff (one who is not is left to the caller,
    as the listing's own check of an --owner refuses them)."""
    staff = uow.staff(username)
    if staff is not None:
        check_acting(uow, staff)
    return staff is not None


def _refuse_mapping_that_locks_out(uow: UnitOfWork, by: str) -> None:
    """Refuse mapping logins to staff where the login running it could not then act as `by`:
    it is bound to someone else, or `by` is bound to another login (as requiring bound roles
    is refused while your own role is bound to no one)."""
    login = uow.origin[0] if uow.origin else UNKNOWN_LOGIN
    bound = uow.staff_bound(os_login=login)
    if bound is not None and bound.username != by:
        raise InvalidInput(
            f"{LOGIN} {login} is bound to {bound.username}: with logins mapped it would act as "
            f"them only, and you could not act as {by} after; bind {bound.username} to a login "
            "of their own first"
        )
    me = uow.staff(by)
    if bound is None and me is not None and me.os_login is not None:
        raise InvalidInput(
            f"{by} is bound to {LOGIN} {me.os_login}, not {LOGIN} {login}, which runs this: "
            f"with logins mapped you could not act as {by} after; map them from "
            f"{LOGIN} {me.os_login}"
        )


def describe_binding(staff: Staff) -> str | None:
    """A member's binding in words, or None."""
    bound = [f"{ROLE} {staff.db_role}"] if staff.db_role else []
    bound += [f"{LOGIN} {staff.os_login}"] if staff.os_login else []
    return " and ".join(bound) or None


def switch(uow: UnitOfWork, *, key: str, on: bool, by: str, at: datetime, now: datetime) -> bool:
    """Turn a store setting on or off (senior roles), recorded; whether it changed. Refused
    where it does not apply to this store's database, or where turning it on would leave the
    senior turning it on unable to act (a role bound to no one, a login bound to someone else
    or not the one they are bound to)."""
    from complaintctl.domain.procedure import Action, StoreAction
    from complaintctl.services.common import acting_staff, authorise_store, not_in_future
    from complaintctl.store.models import StoreSetting

    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_SETTINGS)
    role = uow.database_role()
    if key == REQUIRE_BOUND_ROLES and role is None:
        raise InvalidInput(
            "require-bound-roles is for PostgreSQL stores, where each officer connects as a "
            "role of their own; on SQLite the file's permissions are the boundary, and "
            "`complaintctl db bind-logins` maps operating-system logins to staff"
        )
    if key == BIND_LOGINS and role is not None:
        raise InvalidInput(
            "bind-logins is for SQLite stores; on PostgreSQL bind each officer's database "
            "role (`complaintctl staff bind USERNAME --db-role NAME`)"
        )
    if key == REQUIRE_BOUND_ROLES and on and role and uow.staff_bound(db_role=role) is None:
        raise InvalidInput(
            f"{ROLE} {role} is bound to no member of staff: bind it first "
            f"(`complaintctl staff bind {by} --db-role {shell_word(role)}`), or this store "
            "would refuse you too"
        )
    if key == BIND_LOGINS and on:
        _refuse_mapping_that_locks_out(uow, by)
    if is_on(uow, key) == on:
        return False
    value = "on" if on else "off"
    setting = uow.setting(key) or StoreSetting(key=key, value=value, set_by=by, set_at=at)
    setting.value, setting.set_by, setting.set_at = value, by, at
    uow.add(setting)
    uow.record(None, Action.STORE_SETTING_CHANGED, by=by, at=at, now=now, setting=key, value=value)
    uow.commit()
    return True
