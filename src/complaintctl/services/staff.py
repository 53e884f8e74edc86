"""Staff and their roles: who may act in this store."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from complaintctl import text
from complaintctl.domain.procedure import SENIOR_ROLES, Action, Role, StoreAction
from complaintctl.errors import InvalidInput, NotFound
from complaintctl.services.common import (
    acting_staff,
    authorise_store,
    not_in_future,
    optional,
    required,
)
from complaintctl.views import StaffView

if TYPE_CHECKING:
    from complaintctl.store.models import Staff
    from complaintctl.store.uow import UnitOfWork


def _view(staff: Staff) -> StaffView:
    return StaffView(staff.username, staff.name, staff.role, staff.area, staff.active)


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
) -> StaffView:
    """Add a member of staff. A store with no staff takes its first from anyone, so a team can
    start; after that only senior roles add staff."""
    from complaintctl.store.models import Staff

    not_in_future(at, now)
    username = text.normalise_username(required(username, "USERNAME", text.LABEL))
    name = required(name, "--name", text.NAME)
    area = optional(area, "--area", text.LABEL)
    if role == Role.LEADER and area is None:
        raise InvalidInput("a leader leads an area: give --area")
    if uow.staff_count() > 0:
        by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_STAFF)
    elif role not in SENIOR_ROLES:
        # Only senior roles add staff: a first member who is not one would lock the team out.
        raise InvalidInput(
            "the first member of staff must be a senior-leader or senior-complaint-executive, "
            "who can then add everyone else"
        )
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
    staff = Staff(
        username=username, name=name, role=role.value, area=area, added_by=by, added_at=at
    )
    uow.add(staff)
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
    )
    uow.commit()
    return _view(staff)


def _member_to_change(
    uow: UnitOfWork, username: str, by: str, at: datetime, now: datetime
) -> tuple[str, Staff]:
    """Who is changing staff (a senior role), and the member they name, or why not."""
    not_in_future(at, now)
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_STAFF)
    staff = uow.staff(username.strip())
    if staff is None:
        raise NotFound(f"no staff member {username}")
    return by, staff


def remove_staff(
    uow: UnitOfWork, *, username: str, by: str, at: datetime, now: datetime
) -> StaffView:
    """Deactivate a member of staff; their name stays in every history they appear in."""
    by, staff = _member_to_change(uow, username, by, at, now)
    if not staff.active:
        raise InvalidInput(f"{username} was already removed")
    if staff.username == by:
        raise InvalidInput("you cannot remove yourself; ask another senior role")
    staff.active, staff.removed_at = False, at
    uow.add(staff)
    uow.record(None, Action.STAFF_REMOVED, by=by, at=at, now=now, username=staff.username)
    uow.commit()
    return _view(staff)


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
    area = optional(area, "--area", text.LABEL)
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
    uow.commit()
    return _view(staff)


def list_staff(uow: UnitOfWork, *, include_removed: bool = False) -> tuple[StaffView, ...]:
    return tuple(_view(s) for s in uow.all_staff() if s.active or include_removed)
