"""Staff and their roles: who may act in this store."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from complaintctl import text
from complaintctl.domain.procedure import (
    NOT_ROUTED,
    SECOND_STAGE_ROLES,
    SENIOR_ROLES,
    Action,
    Role,
    Stage,
    StoreAction,
    area_key,
)
from complaintctl.errors import InvalidInput, NotFound
from complaintctl.services.common import (
    acting_staff,
    area_spellings,
    authorise_store,
    not_in_future,
    optional,
    required,
    unlike_a_username,
)
from complaintctl.services.identity import (
    LOGIN,
    REQUIRE_BOUND_ROLES,
    ROLE,
    connecting,
    describe_binding,
    is_on,
)
from complaintctl.views import StaffView

if TYPE_CHECKING:
    from complaintctl.store.models import Staff
    from complaintctl.store.uow import UnitOfWork


def _view(staff: Staff) -> StaffView:
    return StaffView(
        staff.username,
        staff.name,
        staff.role,
        staff.area,
        staff.active,
        staff.db_role,
        staff.os_login,
    )


# What an operating-system login may be named here: letters, digits and a few marks (a Windows
# login's domain and backslash too), at most 63.
_BOUND_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@$\\-]{0,62}")


# PostgreSQL folds an unquoted name's ASCII letters, and no others, to lower case.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _db_role(uow: UnitOfWork, value: str | None) -> str | None:
    """A database role to bind, as PostgreSQL spells it (`current_user` gives it so): as typed
    where a role has that name (one made with a quoted name keeps its capitals, spaces or
    quotes), else with its ASCII letters in lower case, as PostgreSQL folds an unquoted name."""
    if value is None:
        return None
    name = value.strip()
    # Printable first: half a character (a byte that is not UTF-8) has no bytes to count.
    if not name or not name.isprintable() or len(name.encode()) > 63:
        raise InvalidInput(
            f"--db-role {value!r} is not a role name: at most 63 bytes of printable "
            "characters, as the database spells it (SELECT current_user)"
        )
    folded = name.translate(_ASCII_LOWER)
    found = uow.database_roles_among([name, folded])
    return name if name in found else folded


def _area(uow: UnitOfWork, value: str | None) -> str | None:
    """An --area, checked (no character that does not show), spelt as staff who work in it
    already spell it (`casework` where others work in `Casework`), so one area is never listed
    as two. One given empty is a slip (`--area "$AREA"` with the variable not set), refused
    as any option given empty is, never taken for no area: that is --area left out."""
    if value is not None and not value.strip():
        raise InvalidInput("--area must not be empty: name an area, or leave --area out for none")
    area = optional(value, "--area", text.LABEL)
    if area is None:
        return None
    if hidden := text.unseen(area):
        raise InvalidInput(
            f"--area holds {hidden}, a control, bidirectional or invisible character: an area "
            "is a name everyone must read the same, so type it without one"
        )
    if area_key(area) == area_key(NOT_ROUTED):
        raise InvalidInput(
            f"--area {NOT_ROUTED!r} is what the report calls cases routed nowhere yet: an "
            "area of that name would be counted with them; name the area otherwise"
        )
    return area_spellings(uow.staff_areas()).get(area_key(area), area)


def _bound_name(value: str | None, option: str) -> str | None:
    """An --os-login as typed (the system spells it so), checked."""
    if value is None:
        return None
    name = value.strip()
    if not _BOUND_NAME.fullmatch(name):
        raise InvalidInput(
            f"{option} {value!r} is not a role or login name: letters, digits, '_', '.', '@', "
            "'$', '-' and '\\', at most 63, as the database or the system spells it"
        )
    return name


def _not_where_you_connect(
    uow: UnitOfWork, username: str, db_role: str | None, os_login: str | None, by: str
) -> None:
    """Refuse binding someone else to the role or login `by` connects as: it would act as
    them only after, and `by` could not act as themselves."""
    who = connecting(uow)
    if who is not None and username != by and (who.kind, who.name) in (
        (ROLE, db_role), (LOGIN, os_login)
    ):  # fmt: skip
        raise InvalidInput(
            f"you connect as {who.kind} {who.name}: binding it to {username} would leave "
            f"you unable to act as {by}; bind {username} to a role or login of their own"
        )


def _free(uow: UnitOfWork, db_role: str | None, os_login: str | None, username: str) -> None:
    """Refuse a role or login bound to someone else already: each acts as one member."""
    for option, kind, bound in (
        ("--db-role", db_role, db_role and uow.staff_bound(db_role=db_role)),
        ("--os-login", os_login, os_login and uow.staff_bound(os_login=os_login)),
    ):
        if bound and bound.username != username:
            raise InvalidInput(f"{option} {kind} is bound to {bound.username} already")


def add_staff(
    uow: UnitOfWork,
    *,
    username: str,
    name: str,
    role: Role,
    area: str | None,
    by: str,
    at: datetime,
    now: datetime,
    db_role: str | None = None,
    os_login: str | None = None,
) -> StaffView:
    """Add a member of staff, bound to a database role or a login if given
    (services/identity.py). A store with no staff takes its first from anyone, so a team can
    start; after that only senior roles add staff."""
    from complaintctl.store.models import Staff

    not_in_future(at, now, uow)
    username = text.normalise_username(required(username, "USERNAME", text.LABEL))
    name = required(name, "--name", text.NAME)
    area = _area(uow, area)
    db_role = _db_role(uow, db_role)
    os_login = _bound_name(os_login, "--os-login")
    if role == Role.LEADER and area is None:
        raise InvalidInput("a leader leads an area: give --area")
    if uow.staff_count() > 0:
        by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_STAFF)
        _not_where_you_connect(uow, username, db_role, os_login, by)
    else:
        if role not in SENIOR_ROLES:
            # Only senior roles add staff: a first member who is not one would lock the team
            # out.
            raise InvalidInput(
                "the first member of staff must be a senior-leader or "
                "senior-complaint-executive, who can then add everyone else"
            )
        # No member checks who adds the first, so the name is kept as given: held to the rule
        # for text coming in, as every other field the history keeps is.
        by = required(by, "--as", text.LABEL)
    existing = uow.staff(username)
    if existing is not None:
        state = "active" if existing.active else "removed"
        raise InvalidInput(f"{username} is already staff ({existing.role}, {state})")
    looks = text.username_looks(username)
    similar = sorted(u for u in uow.usernames() if text.username_looks(u.lower()) == looks)
    if similar:
        raise InvalidInput(
            f"{username} looks too like {', '.join(similar)}, already staff: choose a "
            "username no one could take for another"
        )
    _free(uow, db_role, os_login, username)
    staff = Staff(
        username=username,
        name=name,
        role=role.value,
        area=area,
        added_by=by,
        added_at=at,
        db_role=db_role,
        os_login=os_login,
    )
    uow.add(staff)
    bindings = {"db_role": db_role} if db_role else {}
    bindings |= {"os_login": os_login} if os_login else {}
    uow.record(
        None,
        Action.STAFF_ADDED,
        by=by,
        at=at,
        now=now,
        username=username,
        name=name,
        role=role.value,
        area=area,
        **bindings,
    )
    uow.commit()
    return _view(staff)


def _member_to_change(
    uow: UnitOfWork, username: str, by: str, at: datetime, now: datetime
) -> tuple[str, Staff]:
    """Who is changing staff (a senior role), and the member they name, or why not."""
    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_STAFF)
    username = required(username, "USERNAME", text.LABEL)
    staff = uow.staff(username)
    if staff is None:
        raise NotFound(f"no staff member {username}{unlike_a_username(username)}")
    return by, staff


def remove_staff(
    uow: UnitOfWork, *, username: str, by: str, at: datetime, now: datetime
) -> StaffView:
    """Deactivate a member of staff; their name stays in every history they appear in."""
    by, staff = _member_to_change(uow, username, by, at, now)
    if not staff.active:
        raise InvalidInput(f"{staff.username} was already removed")
    if staff.username == by:
        raise InvalidInput("you cannot remove yourself; ask another senior role")
    staff.active, staff.removed_at = False, at
    uow.add(staff)
    uow.record(None, Action.STAFF_REMOVED, by=by, at=at, now=now, username=staff.username)
    left = _left_holding(uow, staff.username)
    uow.commit()
    return replace(_view(staff), warnings=left)


# How many of what a removed member still holds are named in a warning, the rest counted.
_NAMED = 10


def _named(items: list[str]) -> str:
    more = len(items) - _NAMED
    return ", ".join(items[:_NAMED]) + (f" and {more} more" if more > 0 else "")


def _left_holding(uow: UnitOfWork, username: str) -> tuple[str, ...]:
    """What a member being removed still holds, one warning a kind, each naming the command
    that hands it on: the first-stage cases they are the responder of, the second-stage cases
    they handle, the open actions they own, and the restrictions in force that route a
    consumer's contact through them (`--via`). Their work is never left where no one sees it."""
    from complaintctl.store import listings

    held = listings.cases_held(uow, username, (Stage.FIRST_STAGE, Stage.SECOND_STAGE))
    first = [ref for ref, stage in held if stage == Stage.FIRST_STAGE]
    second = [ref for ref, stage in held if stage == Stage.SECOND_STAGE]
    owned = [
        f"{row[0]} on {row[1]}"
        for row in listings.actions(uow, open_only=True, due_before=None, owner=username, kind=None)
    ]
    via = [f"restriction {number}" for number in uow.restrictions_via(username)]
    warnings = []
    if first:
        warnings.append(
            f"{username} is the responder of {_count(len(first), 'open case')} at the first "
            f"stage ({_named(first)}): hand each on with "
            "`complaintctl assign REF --to USERNAME`"
        )
    if second:
        warnings.append(_second_stage_held(username, second, who="a senior role"))
    if owned:
        warnings.append(
            f"{username} owns {_count(len(owned), 'open action')} ({_named(owned)}): hand "
            "each on with `complaintctl action reassign ID --to USERNAME --reason TEXT`"
        )
    if via:
        warnings.append(
            f"{username} is the officer a consumer must contact through under "
            f"{_count(len(via), 'restriction')} in force ({_named(via)}): lift each with "
            "`complaintctl restrict lift ID --reason TEXT` and name someone else with "
            "`complaintctl restrict add … --scope contact --via USERNAME`"
        )
    return tuple(warnings)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def reactivate_staff(
    uow: UnitOfWork, *, username: str, by: str, at: datetime, now: datetime
) -> StaffView:
    """Make a removed member of staff active again, with the role and area they had."""
    by, staff = _member_to_change(uow, username, by, at, now)
    if staff.active:
        raise InvalidInput(f"{staff.username} is already active staff")
    staff.active, staff.removed_at = True, None
    uow.add(staff)
    uow.record(None, Action.STAFF_REACTIVATED, by=by, at=at, now=now, username=staff.username)
    uow.commit()
    return _view(staff)


def change_role(
    uow: UnitOfWork,
    *,
    username: str,
    role: Role,
    area: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> StaffView:
    """Give a member of staff a new role or area, both as `add_staff` takes them (a leader
    leads an area; no area given is none)."""
    area = _area(uow, area)
    if role == Role.LEADER and area is None:
        raise InvalidInput("a leader leads an area: give --area")
    by, staff = _member_to_change(uow, username, by, at, now)
    if not staff.active:
        raise InvalidInput(
            f"{staff.username} was removed: reactivate them first "
            f"(`complaintctl staff reactivate {staff.username}`)"
        )
    if (staff.role, staff.area) == (role.value, area):
        where = f" in {area}" if area else ""
        raise InvalidInput(f"{staff.username} is already {role.value}{where}: nothing to change")
    if Role(staff.role) in SENIOR_ROLES and role not in SENIOR_ROLES:
        # Only senior roles change staff: a store without one could never be put right.
        others = [
            s
            for s in uow.all_staff()
            if s.active and s.username != staff.username and Role(s.role) in SENIOR_ROLES
        ]
        if not others:
            raise InvalidInput(
                f"{staff.username} is the last active senior role, and only senior roles "
                "change staff: make someone else senior first"
            )
    old_role, old_area = staff.role, staff.area
    staff.role, staff.area = role.value, area
    uow.add(staff)
    uow.record(
        None,
        Action.STAFF_ROLE_CHANGED,
        by=by,
        at=at,
        now=now,
        username=staff.username,
        old_role=old_role,
        new_role=role.value,
        old_area=old_area,
        new_area=area,
    )
    left = _second_stage_left(uow, staff.username) if role not in SECOND_STAGE_ROLES else ()
    uow.commit()
    return replace(_view(staff), warnings=left)


def _second_stage_left(uow: UnitOfWork, username: str) -> tuple[str, ...]:
    """A member whose new role takes no second stage [page]: the open second-stage cases they
    still handle, which they may now only hand on, named with the command that does."""
    from complaintctl.store import listings

    second = [ref for ref, _ in listings.cases_held(uow, username, (Stage.SECOND_STAGE,))]
    if not second:
        return ()
    return (
        _second_stage_held(
            username,
            second,
            who="they or a senior role",
            aside=", which an officer may not decide or extend",
        ),
    )


def _second_stage_held(username: str, refs: list[str], *, who: str, aside: str = "") -> str:
    """The warning that `username` still handles the second stage of `refs`, and `who` may
    hand each on, with the command that does."""
    return (
        f"{username} is the second-stage handler of {_count(len(refs), 'open case')} "
        f"({_named(refs)}){aside}: {who} may hand each on with "
        "`complaintctl assign REF --to USERNAME --reason TEXT`"
    )


def bind_staff(
    uow: UnitOfWork,
    *,
    username: str,
    db_role: str | None,
    os_login: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> StaffView:
    """Bind a member of staff to a database role or an operating-system login (senior roles):
    it acts as them and no one else (services/identity.py). A member has at most one of each;
    binding again replaces it."""
    db_role = _db_role(uow, db_role)
    os_login = _bound_name(os_login, "--os-login")
    if (db_role is None) == (os_login is None):
        raise InvalidInput("give one of --db-role and --os-login")
    by, staff = _member_to_change(uow, username, by, at, now)
    _not_where_you_connect(uow, staff.username, db_role, os_login, by)
    if (db_role or staff.db_role, os_login or staff.os_login) == (staff.db_role, staff.os_login):
        raise InvalidInput(
            f"{staff.username} is bound to {describe_binding(staff)} already: nothing to change"
        )
    _free(uow, db_role, os_login, staff.username)
    old = {"old_db_role": staff.db_role} if db_role else {"old_os_login": staff.os_login}
    if db_role:
        staff.db_role = db_role
    else:
        staff.os_login = os_login
    uow.add(staff)
    new = {"db_role": db_role} if db_role else {"os_login": os_login}
    uow.record(
        None, Action.STAFF_BOUND, by=by, at=at, now=now, username=staff.username, **new, **old
    )
    uow.commit()
    return _view(staff)


def unbind_staff(
    uow: UnitOfWork, *, username: str, by: str, at: datetime, now: datetime
) -> StaffView:
    """Take away a member's bindings, to a database role and to a login (senior roles)."""
    by, staff = _member_to_change(uow, username, by, at, now)
    if staff.db_role is None and staff.os_login is None:
        raise InvalidInput(f"{staff.username} is bound to no database role or login")
    if staff.username == by and is_on(uow, REQUIRE_BOUND_ROLES) and staff.db_role:
        raise InvalidInput(
            "this store requires bound roles: unbinding yourself would leave you unable to "
            "act; ask another senior role"
        )
    old = {"db_role": staff.db_role, "os_login": staff.os_login}
    staff.db_role = staff.os_login = None
    uow.add(staff)
    uow.record(None, Action.STAFF_UNBOUND, by=by, at=at, now=now, username=staff.username, **old)
    uow.commit()
    return _view(staff)


def active_member(uow: UnitOfWork, username: str) -> StaffView | None:
    """The active member of staff `username` names, found as every step finds who acts
    (any case, compatibility forms folded); None if there is none."""
    member = uow.staff(username)
    return _view(member) if member is not None and member.active else None


def list_staff(uow: UnitOfWork, *, include_removed: bool = False) -> tuple[StaffView, ...]:
    return tuple(_view(s) for s in uow.all_staff() if s.active or include_removed)
