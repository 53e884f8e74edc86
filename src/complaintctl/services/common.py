"""What every verb shares: checking inputs, who is acting and the order of steps; recording a
change on a case and reading it back as a view."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from complaintctl import text
from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.domain.clocks import AGREED
from complaintctl.domain.instants import format_apart, format_local, start_of_day
from complaintctl.domain.intake import REF_PATTERN
from complaintctl.domain.policy import WORKING_UNITS
from complaintctl.domain.procedure import (
    STORE_PERMISSIONS,
    Action,
    Actor,
    CaseRoles,
    Role,
    Stage,
    StoreAction,
    area_key,
    barred_first_responder,
    close_reason_kept,
    handler_not_eligible,
    may,
    next_stage,
    stage_from_history,
    step_words,
    what_can_happen,
    who_may,
)
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted, NotStaff
from complaintctl.services.clocks import (
    ViewedClock,
    action_due_as_recorded,
    clocks_on_record,
    deadline_view,
)
from complaintctl.services.identity import check_acting
from complaintctl.views import (
    ActionView,
    CaseView,
    DeadlineView,
    EarlierCase,
    EventView,
    IncidentView,
    ResponseView,
    RestrictionView,
)

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Restriction, Staff
    from complaintctl.store.uow import UnitOfWork

# -- inputs --------------------------------------------------------------------------------


def not_in_future(at: datetime, now: datetime, uow: UnitOfWork) -> None:
    """Refuse an --at after now, said on the calendar's clock as it was typed. Now is read to
    the second (what a step without --at records), so an --at anywhere in that second has
    happened already (`12:00:00.3` at `12:00:00.7`, now `12:00:00`)."""
    if at >= now.replace(microsecond=0) + timedelta(seconds=1):
        raise InvalidInput(
            f"--at {format_local(at, ZoneInfo(uow.zone()))} is in the future; "
            "record what has happened, when it happened"
        )


class _Received(Protocol):
    @property
    def ref(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...


def not_before_receipt(case: _Received, at: datetime, tz: ZoneInfo) -> None:
    """Refuse an --at before the case was received, saying when it was (as a subject-access
    request's, an action's last handing on, a step before the last step say theirs)."""
    if at < case.received_at:
        raise InvalidInput(
            f"--at is before {case.ref} was received ({format_apart(at, case.received_at, tz)[1]})"
        )


def judged_at(at: datetime, now: datetime) -> datetime:
    """When what a change leaves is judged: as the command runs, as `show` and `overdue` judge
    it then, never as of its `--at` alone. A step dated back past a deadline finds it breached
    already, and says so; time left counts from now."""
    return max(at, now)


def required(value: str | None, option: str, kind: text.Kind = text.NOTE) -> str:
    """Text someone typed for `option`, stripped, held to the rule for its `kind` of field
    (complaintctl.text): not empty, no control characters, not too long."""
    cleaned = optional(value, option, kind)
    if cleaned is None:
        raise InvalidInput(f"{option} must not be empty")
    return cleaned


def optional(value: str | None, option: str, kind: text.Kind = text.NOTE) -> str | None:
    """As `required`, but none given (or only spaces) is None."""
    cleaned = (value or "").strip()
    if kind.lines:
        cleaned = text.normalise_lines(cleaned)
    problem = text.text_problem(cleaned, kind)
    if problem:
        raise InvalidInput(f"{option} {problem}")
    return cleaned or None


def find_case(uow: UnitOfWork, ref: str) -> Case:
    case = uow.case_by_ref(ref.strip().upper()) if looks_like_ref(ref) else None
    if case is None:
        raise missing_case(ref)
    return case


def looks_like_ref(ref: str) -> bool:
    """Whether `ref` could be a case's: no case has any other, so nothing else is looked up
    (nor sent to the store)."""
    return REF_PATTERN.match(ref.strip().upper()) is not None


def missing_case(ref: str) -> NotFound:
    """Why there is no case `ref`: not a reference at all, or none such."""
    if not looks_like_ref(ref):
        return NotFound(f"{ref!r} is not a case reference (they look like SC-2026-000001)")
    return NotFound(f"no case {ref.strip().upper()}")


class CaseFacts(Protocol):
    """What the rules read of a case: its reference, stage, area and who holds it."""

    @property
    def ref(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def area(self) -> str | None: ...
    @property
    def responder(self) -> str | None: ...
    @property
    def first_responder(self) -> str | None: ...
    @property
    def handler(self) -> str | None: ...


def describe_state(case: CaseFacts) -> str:
    """Where a case stands, in a few words: its stage, area and who has it."""
    parts = [f"at stage {case.stage}"]
    if case.area:
        parts.append(f"in {case.area}")
    owner = case.handler or case.responder
    if owner:
        parts.append(f"with {owner}")
    return ", ".join(parts)


_CHECK_COUNTED = "the days it counted (`complaintctl explain REF`)"


def coverage_warnings(
    calendar: WorkingCalendar,
    *instants: datetime,
    check: str = _CHECK_COUNTED,
    agreed: Sequence[datetime] = (),
    as_of: datetime | None = None,
) -> tuple[str, ...]:
    """Deadlines past the known bank holidays may be early by a holiday: say so, once, with
    what can be done. Later years can be added (`calendar holidays --through`); earlier ones
    cannot, and a deadline counted from then is long past, so the advice is to `check` it
    (a subject-access request has no case for `explain`: its due date itself). A date
    `agreed` (an extension's `--until`) is not counted on the calendar and stands: after the
    known years, only the working time shown left before it counts no bank holidays there;
    before them, only the working time shown since it. `as_of`, the instant a listing counts
    the working time it shows to (`overdue --as-of`), is no deadline: outside the known
    years, only that working time counts none there."""
    days = [calendar.local_date(i) for i in instants]
    fixed = [calendar.local_date(i) for i in agreed]
    then = calendar.local_date(as_of) if as_of is not None else None
    before = any(day < calendar.known_from for day in days)
    after = any(day > calendar.known_through for day in days)
    agreed_after = any(day > calendar.known_through for day in fixed)
    agreed_before = any(day < calendar.known_from for day in fixed)
    then_after = then is not None and then > calendar.known_through
    then_before = then is not None and then < calendar.known_from
    if not (before or after or agreed_after or agreed_before or then_after or then_before):
        return ()
    advice = []
    if after or agreed_after or then_after:
        latest = max(days + fixed + ([then] if then and then_after else [])).year
        if after:
            said = "a deadline after them assumes there are none"
        elif then_after:
            said = f"the working time shown as of {then}, after them, counts none there" + (
                ", though a date agreed after them stands" if agreed_after else ""
            )
        else:
            said = (
                "the working time shown left before a date agreed after them counts none "
                "there, though the date itself stands"
            )
        advice.append(
            f"{said} — run `complaintctl calendar holidays --through {latest}` to add them"
        )
    if agreed_before or (then_before and not before):
        if then_before:
            said = f"the working time shown as of {then}, before them, counts none there" + (
                ", though a date agreed before them stands" if agreed_before else ""
            )
        else:
            said = (
                "the working time shown since a date agreed before them counts none there, "
                "though the date itself stands"
            )
        # Said once: a deadline counted from before them says it too, below.
        advice.append(said if before else f"{said}, and earlier years cannot be added")
    if before:
        advice.append(
            "a deadline counted from before them assumes there were none and may be early by a "
            f"holiday; earlier years cannot be added, so check {check} against that year's "
            "bank holidays"
        )
    known = f"bank holidays are known only from {calendar.known_from} to {calendar.known_through}"
    return ("; ".join((known, *advice)),)


class SetClock(Protocol):
    """A clock as it was set: from when, to when, and in what unit (`clocks.AGREED`: a date
    agreed with the consumer or set by hand)."""

    @property
    def start_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def unit(self) -> str: ...


def clocks_coverage(
    calendar: WorkingCalendar, clocks: Iterable[SetClock], *counted: datetime
) -> tuple[str, ...]:
    """`coverage_warnings` of clocks as each was set, beside instants `counted` on the
    calendar: one counted in working time, from its start to its due; a date agreed or set by
    hand (`extend --until`, `action add --due`) not counted, its date standing; any other
    (months, a date) by its due."""
    instants, agreed = list(counted), []
    for clock in clocks:
        if clock.unit == AGREED:
            agreed.append(clock.due_at)
        elif clock.unit in WORKING_UNITS:
            instants += (clock.start_at, clock.due_at)
        else:
            instants.append(clock.due_at)
    return coverage_warnings(calendar, *instants, agreed=agreed)


def agreed_among(
    uow: UnitOfWork, as_of: datetime, listed: Sequence[tuple[str, str, datetime]]
) -> set[tuple[str, str, datetime]]:
    """Which of a listing's dues (each its clock's kind, what it is on, as
    `listings.agreed_clocks` names it, and its due) outside the known bank holidays, before
    or after them, are dates agreed or set by hand, running at `as_of`: not counted on the
    calendar, they stand (`coverage_warnings`' `agreed`). The store is asked only where a due
    lies outside them."""
    from complaintctl.store import listings

    calendar = uow.calendar()
    before = start_of_day(calendar.known_from, calendar.tz)
    after = start_of_day(calendar.known_through + timedelta(days=1), calendar.tz)
    if not any(due < before or due >= after for *_, due in listed):
        return set()
    return listings.agreed_clocks(uow, before, after, as_of) & set(listed)


# -- listings' filters ----------------------------------------------------------------------


def listing_filters(
    uow: UnitOfWork,
    area: str | None,
    owner: str | None,
    *,
    unassigned: bool = False,
    stages: Sequence[str] | None = None,
    area_named: str | None = None,
    owner_named: str | None = None,
) -> tuple[tuple[str, ...] | None, str | None]:
    """A listing's --area and --owner, checked: a misspelt one would match nothing and look
    like an empty queue. The area must be one staff work in or a case is routed to, and is
    given as every spelling of it the cases at `stages` hold (`area_key`: in any case of
    letters, accents however typed), for the listing to match exactly; the owner
    a member of staff, named as the store keeps them, and not asked for beside `unassigned`
    (no case has both). One refused is refused naming where it was given (`*_named`: a saved
    view's key in the config file), if not as an option."""
    in_area = f"{area_named}: " if area_named else ""
    in_owner = f"{owner_named}: " if owner_named else ""
    if unassigned and owner is not None:
        raise InvalidInput(
            f"{in_owner}--unassigned lists the cases nobody owns, so none is also owned by "
            f"{owner} (--owner or --mine): give one of them"
        )
    spellings: tuple[str, ...] | None = None
    if area is not None:
        if not area.strip():
            raise InvalidInput(f"{in_area}--area must not be empty: name an area")
        # As `ack --area` takes it: spaces around it (a script's "$AREA ") are not the area's.
        area = area.strip()
        areas = sorted(uow.staff_areas())
        key = area_key(area)
        spellings = tuple(sorted(a for a in uow.case_areas(stages) if area_key(a) == key))
        if (
            key not in area_spellings(areas)
            and not spellings
            and (stages is None or all(area_key(a) != key for a in uow.case_areas()))
        ):
            known = (
                f"the areas are {', '.join(areas)}"
                if areas
                else "no member of staff has an area yet"
            )
            raise InvalidInput(
                f"{in_area}no staff work in {area!r} and no case is routed there; {known}"
            )
    if owner is not None:
        staff = uow.staff(named_staff(owner, f"{in_owner}--owner"))
        if staff is None:
            raise no_member(owner, in_owner)
        owner = staff.username
    return spellings, owner


# -- who is acting -------------------------------------------------------------------------


def area_spellings(areas: Iterable[str]) -> dict[str, str]:
    """Each area (`area_key`) as staff spell it: the first spelling in sorted order, so that
    where a store holds an area in two spellings from before they were one, every command
    that takes an --area picks the same."""
    spelt: dict[str, str] = {}
    for area in sorted(areas):
        spelt.setdefault(area_key(area), area)
    return spelt


def acting_staff(uow: UnitOfWork, by: str) -> Actor:
    """The acting person, who must be active staff to change anything, and one the connecting
    database role or login may act as: their username as the store keeps it, which is what
    every record names (not --as as typed)."""
    staff = uow.staff(by)
    if staff is None and not uow.staff_count():
        # A store with no staff is a new one: most likely --db (or COMPLAINTCTL_DB, or the
        # config file's db) names another store than the one meant, e.g. a path mistyped.
        raise NotStaff(
            f"{by} is not staff in this store, which has no staff at all: check that --db "
            "(or COMPLAINTCTL_DB, or the config file's db) names your store, or add its first "
            "member of staff with `complaintctl staff add`",
            by,
        )
    if staff is None:
        raise NotStaff(
            f"{by} is not staff in this store{unlike_a_username(by)}; act as a member of "
            "staff with --as (or COMPLAINTCTL_USER), or ask a senior role to add you with "
            "`complaintctl staff add`",
            by,
        )
    if not staff.active:
        # `staff add` refuses a removed member (they are staff still, removed): they come back
        # by `staff reactivate`, in the role and area they had.
        raise NotStaff(
            f"{staff.username} is no longer active staff; act as a member of staff with --as "
            "(or COMPLAINTCTL_USER), or ask a senior role to make them active again with "
            f"`complaintctl staff reactivate {staff.username}`",
            by,
        )
    # Whom the connecting database role (or login) may act as: services/identity.py.
    check_acting(uow, staff)
    return Actor(staff.username, Role(staff.role), staff.area)


def no_member(name: str, where: str = "") -> NotFound:
    """The refusal of `name`, given in an option (`where`: a saved view's key, if there), as no
    member of staff."""
    return NotFound(
        f"{where}no staff member {name.strip()!r}{unlike_a_username(name)} "
        "(see `complaintctl staff list`)"
    )


def unlike_a_username(name: str) -> str:
    """For a refusal naming `name` as no member of staff: the characters in it that no
    username holds, by name, so that `оlu` typed with a Cyrillic `о` is not read as `olu`."""
    strangers = text.not_in_usernames(name)
    return (
        f" (it holds {strangers}, which no username does: a-z, digits, '.', '_' and '-')"
        if strangers
        else ""
    )


def named_staff(username: str, option: str) -> str:
    """A username given to `option`, stripped: an empty one is a slip (a variable not set),
    refused as an empty value of any option is (exit 2), never looked up as no one."""
    if not username.strip():
        raise InvalidInput(f"{option} must not be empty: name a member of staff")
    return username.strip()


def active_staff(uow: UnitOfWork, username: str, option: str = "--to") -> Staff:
    """A member of staff named in an option (--to, --via): they must exist and be active."""
    staff = uow.staff(named_staff(username, option))
    if staff is None:
        raise no_member(username)
    if not staff.active:
        raise InvalidInput(f"{staff.username} is no longer active staff")
    return staff


def case_roles(case: CaseFacts) -> CaseRoles:
    return CaseRoles(
        area=case.area,
        responder=case.responder,
        first_responder=case.first_responder,
        handler=case.handler,
        stage=Stage(case.stage),
    )


def authorise(actor: Actor, action: Action, case: CaseFacts | None = None) -> None:
    roles = case_roles(case) if case is not None else CaseRoles()
    if (
        case is not None
        and barred_first_responder(action, Stage(case.stage))
        and (actor.username == case.first_responder)
    ):
        what = "give the final one" if action == Action.FINAL else "extend the second stage"
        raise NotPermitted(
            f"{actor.username} gave the first-stage response on {case.ref}, so may not {what}"
        )
    if case is not None and handler_not_eligible(actor, roles) and not may(actor, action, roles):
        raise NotPermitted(
            f"{actor.username} handles the second stage of {case.ref} but is now "
            f"{actor.role.value}, and the second stage is a leader's, senior-leader's or "
            f"senior-complaint-executive's, so may not {step_words(action)}: hand it on "
            f"(`complaintctl assign {case.ref} --to USERNAME --reason TEXT`)"
        )
    if not may(actor, action, roles):
        raise NotPermitted(
            f"{actor.username} ({actor.role.value}) may not "
            f"{step_words(action, case.ref if case is not None else None)}: "
            f"only {who_may(action, roles.stage if case is not None else None)} may"
        )


def authorise_store(actor: Actor, action: StoreAction) -> str:
    """Refuse `action` unless the actor's role may take it; the actor's username."""
    allowed = STORE_PERMISSIONS[action]
    if actor.role not in allowed:
        roles = ", ".join(sorted(role.value for role in allowed))
        raise NotPermitted(
            f"{actor.username} ({actor.role.value}) may not {action.value}: only {roles} may"
        )
    return actor.username


# -- the order of steps --------------------------------------------------------------------


def stage_after(case: CaseFacts, action: Action) -> Stage:
    """The stage `action` leads to, or a refusal saying where the case stands."""
    stage = Stage(case.stage)
    target = next_stage(stage, action)
    if target is None:
        raise ActionNotAllowed(
            f"cannot {step_words(action, case.ref, on=False)}: it is at stage {stage.value}; "
            f"what can happen next: {what_can_happen(stage)}"
        )
    return target


# -- the end of every change on a case -----------------------------------------------------


def record_and_view(
    uow: UnitOfWork,
    case: Case,
    action: Action,
    *,
    by: str,
    at: datetime,
    now: datetime,
    details: dict[str, Any],
    counted_between: Iterable[datetime] = (),
    earlier: tuple[EarlierCase, ...] = (),
    notes: tuple[str, ...] = (),
) -> CaseView:
    """Record `action` in the case's history, commit the change, and read the case back as the
    command runs (`judged_at`), warning where a deadline set, or the instant it is counted from
    (`counted_between`), lies outside the known bank holidays, and with `notes`."""
    uow.record(case, action, by=by, at=at, now=now, **details)
    uow.commit()
    warnings = (*notes, *coverage_warnings(uow.calendar(), *counted_between))
    return case_view(
        uow,
        case,
        as_of=judged_at(at, now),
        recorded_by=EVERY_ENTRY,
        earlier=earlier,
        warnings=warnings,
    )


# -- views ---------------------------------------------------------------------------------


def restriction_view(uow: UnitOfWork, restriction: Restriction) -> RestrictionView:
    consumer = uow.consumer(restriction.consumer_id)
    via = uow.staff(restriction.contact_via) if restriction.contact_via else None
    return _restriction_view(
        uow.calendar().zone,
        restriction,
        consumer,
        via.name if via is not None else None,
        next((clock.due_at for clock in uow.restriction_clocks(restriction)), None),
    )


class _RestrictionRow(Protocol):
    """What a restriction's view reads of its row: a Restriction, or a bulk read's row."""

    @property
    def id(self) -> int | None: ...
    @property
    def consumer_id(self) -> int: ...
    @property
    def scope(self) -> str: ...
    @property
    def dispute_ref(self) -> str | None: ...
    @property
    def contact_channel(self) -> str | None: ...
    @property
    def contact_via(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def decided_by(self) -> str: ...
    @property
    def decided_at(self) -> datetime: ...
    @property
    def review_due(self) -> datetime: ...
    @property
    def lifted_at(self) -> datetime | None: ...
    @property
    def lifted_by(self) -> str | None: ...
    @property
    def lift_reason(self) -> str | None: ...


class _ConsumerRow(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def preferred_contact(self) -> str | None: ...
    @property
    def adjustments(self) -> str: ...


def _restriction_view(
    zone: str,
    restriction: _RestrictionRow,
    consumer: _ConsumerRow,
    via_name: str | None,
    review_due_as_decided: datetime | None,
) -> RestrictionView:
    assert restriction.id is not None
    return RestrictionView(
        zone=zone,
        id=restriction.id,
        consumer_id=restriction.consumer_id,
        consumer=consumer.name,
        email=consumer.email,
        scope=restriction.scope,
        dispute=restriction.dispute_ref,
        contact_channel=restriction.contact_channel,
        contact_via=restriction.contact_via,
        reason=restriction.reason,
        decided_by=restriction.decided_by,
        decided_at=restriction.decided_at,
        review_due=restriction.review_due,
        lifted_at=restriction.lifted_at,
        lifted_by=restriction.lifted_by,
        lift_reason=restriction.lift_reason,
        contact_via_name=via_name,
        review_due_as_decided=review_due_as_decided,
    )


class _EntryRow(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def details(self) -> str: ...
    @property
    def login(self) -> str | None: ...
    @property
    def host(self) -> str | None: ...


def event_views(history: Iterable[_EntryRow]) -> tuple[EventView, ...]:
    """A case's history entries as views read them, their details decoded."""
    from complaintctl.store.types import details_of

    return tuple(
        EventView(e.action, e.actor, e.at, e.recorded_at, details_of(e.details), e.login, e.host)
        for e in history
    )


# Later than any entry's recording: a case view's `recorded_by` for the case as the store
# holds it, every entry counted whatever the clock of the machine that recorded it said.
EVERY_ENTRY: Final = datetime.max.replace(tzinfo=UTC)


def case_view(
    uow: UnitOfWork,
    case: Case,
    *,
    as_of: datetime,
    recorded_by: datetime | None = None,
    earlier: tuple[EarlierCase, ...] = (),
    warnings: tuple[str, ...] = (),
) -> CaseView:
    """The case as of `as_of`; its open actions as the history recorded by `recorded_by` (by
    default `as_of`: a replay) has them (`open_actions`)."""
    consumer = uow.consumer(case.consumer_id)
    restrictions = tuple(restriction_view(uow, r) for r in uow.restrictions_of(consumer))
    history = event_views(uow.history(case))
    # A clock a reopen ran again runs from the reopen, never beside the one the close
    # cancelled, as `overdue --as-of` replays it (store/listings.py, `_restarted_later`).
    # Asked only of a case ever reopened: no other has such clocks.
    restarted = _clocks_restarted_later(uow, case, as_of) if _reopened(history) else set()
    return _case_view(
        uow.calendar(),
        case,
        consumer,
        as_of=as_of,
        recorded_by=recorded_by or as_of,
        restrictions=restrictions,
        history=history,
        clocks=uow.deadlines(case),
        restarted=restarted,
        responses=uow.responses(case),
        actions=uow.actions_of(case, open_only=False),
        incidents=uow.incidents_of(consumer),
        earlier=earlier,
        warnings=warnings,
    )


def _reopened(history: Iterable[EventView]) -> bool:
    return any(e.action == Action.REOPEN.value for e in history)


class _CaseRow(Protocol):
    """What a case view reads of the case's row: a Case, or a bulk read's row."""

    @property
    def ref(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def stage(self) -> str: ...
    @property
    def consumer_id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def dispute_ref(self) -> str | None: ...
    @property
    def board(self) -> bool: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def area(self) -> str | None: ...
    @property
    def logged_by(self) -> str: ...
    @property
    def about(self) -> date | None: ...
    @property
    def out_of_time(self) -> bool: ...
    @property
    def responder(self) -> str | None: ...
    @property
    def handler(self) -> str | None: ...
    @property
    def close_reason(self) -> str | None: ...


class _ResponseRow(Protocol):
    @property
    def stage(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def remedies(self) -> str: ...
    @property
    def goodwill_pence(self) -> int | None: ...
    @property
    def given_by(self) -> str: ...
    @property
    def given_at(self) -> datetime: ...
    @property
    def causes(self) -> str: ...


class _ActionRow(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def what(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def opened_by(self) -> str: ...
    @property
    def opened_at(self) -> datetime: ...


def _case_view(
    calendar: WorkingCalendar,
    case: _CaseRow,
    consumer: _ConsumerRow,
    *,
    as_of: datetime,
    recorded_by: datetime,
    restrictions: tuple[RestrictionView, ...],
    history: tuple[EventView, ...],
    clocks: Iterable[ViewedClock],
    restarted: set[int],
    responses: Iterable[_ResponseRow],
    actions: Iterable[_ActionRow],
    incidents: Iterable[tuple[str | None, str, str, datetime]],
    earlier: tuple[EarlierCase, ...],
    warnings: tuple[str, ...],
) -> CaseView:
    """A case view from what was read of the case: one case (`case_view`) or many together
    (`case_views`) read it the same."""
    still_open = open_actions(history, as_of=as_of, recorded_by=recorded_by)
    # Who held the case and its actions as recorded by then: none handed on since, commonly.
    since = tuple(e for e in history if e.recorded_at > recorded_by)
    # The case as recorded by then: as the store holds it, unless a step was recorded since.
    then = _as_recorded(case, history, recorded_by) if since else None
    return CaseView(
        zone=calendar.zone,
        working_day=calendar.working_day(),
        calendar=calendar,
        as_of=as_of,
        ref=case.ref,
        version=case.version,
        stage=then.stage if then else case.stage,
        consumer_id=case.consumer_id,
        consumer=consumer.name,
        email=consumer.email,
        address=consumer.address,
        channel=case.channel,
        category=case.category,
        summary=case.summary,
        dispute=case.dispute_ref,
        board=case.board,
        received_at=case.received_at,
        area=then.area if then else case.area,
        logged_by=case.logged_by,
        deadlines=_deadlines(calendar, clocks, as_of, recorded_by, history, restarted),
        history=then.history if then else history,
        earlier_cases=earlier,
        warnings=warnings,
        about=case.about,
        out_of_time=case.out_of_time,
        responder=owner_as_recorded(case.responder, RESPONDER, since, recorded_by),
        handler=owner_as_recorded(case.handler, HANDLER, since, recorded_by),
        close_reason=then.close_reason if then else case.close_reason,
        preferred_contact=consumer.preferred_contact,
        adjustments=tuple(json.loads(consumer.adjustments)),
        responses=tuple(
            ResponseView(
                stage=r.stage,
                decision=r.decision,
                summary=r.summary,
                remedies=tuple(json.loads(r.remedies)),
                goodwill_pence=r.goodwill_pence,
                given_by=r.given_by,
                given_at=r.given_at,
                causes=tuple(json.loads(r.causes)),
            )
            for r in responses
            if then is None or r.stage in then.answered
        ),
        actions=tuple(
            ActionView(
                calendar.zone,
                a.id,
                case.ref,
                a.kind,
                a.what,
                owner_as_recorded(a.owner, a.id, since, recorded_by) or a.owner,
                # As the history recorded by then had it (a calendar change since undone).
                action_due_as_recorded(a.id, a.due_at, history, recorded_by),
                a.opened_by,
                a.opened_at,
                as_of=as_of,
                calendar=calendar,
            )
            for a in actions
            if a.id is not None and a.id in still_open
        ),  # fmt: skip
        restrictions=restrictions,
        incidents=tuple(IncidentView(ref, note, by, at) for ref, note, by, at in incidents),
    )


def _deadlines(
    calendar: WorkingCalendar,
    clocks: Iterable[ViewedClock],
    as_of: datetime,
    recorded_by: datetime,
    history: Sequence[EventView],
    restarted: set[int],
) -> tuple[DeadlineView, ...]:
    """A case view's clocks. A replay with --as-of shows them as the history recorded by then
    had them, as it shows the stage (`clocks_on_record`): those a step recorded by then had
    started, each ended only where the step that ended it was recorded by then, with its due
    as recorded then (an extension agreed since is not yet there). The case as the store
    holds it (`recorded_by` EVERY_ENTRY): every clock started by `as_of`, but one a reopen ran
    again, before it did so."""
    if recorded_by == EVERY_ENTRY:
        return tuple(
            deadline_view(d, as_of, calendar, history=history, recorded_by=recorded_by)
            for d in clocks
            if d.start_at <= as_of and d.id not in restarted
        )
    return tuple(
        deadline_view(
            d, as_of, calendar, history=history, recorded_by=recorded_by, ended_on_record=ended
        )
        for d, ended in clocks_on_record(clocks, history, recorded_by)
    )


class _Recorded(NamedTuple):
    """What a case view tells of a case that its history recorded by a moment can tell apart
    from the store's columns now: the entries recorded by then, the stage they lead to, the
    area its acknowledgement set, the reason of a close standing then, and the responses
    given by then (their stages: "first", "final")."""

    history: tuple[EventView, ...]
    stage: str
    area: str | None
    close_reason: str | None
    answered: frozenset[str]


def _as_recorded(case: _CaseRow, history: Sequence[EventView], recorded_by: datetime) -> _Recorded:
    """The case as the entries recorded by `recorded_by` leave it (a replay with --as-of, where
    a step was recorded since): its stage replayed as `db verify` replays it
    (`stage_from_history`), and the close it stands on, if closed then. An entry counts once
    it is recorded, whatever its date, as a due and an owner do."""
    kept = tuple(e for e in history if e.recorded_at <= recorded_by)
    actions = [e.action for e in kept]
    stage = stage_from_history(actions)
    close = next((e for e in reversed(kept) if e.action == Action.CLOSE), None)
    close_reason = None
    if stage == Stage.CLOSED and close is not None:
        because = close.details.get("because")
        close_reason = close_reason_kept(
            str(close.details.get("reason")), because if isinstance(because, str) else None
        )
    answered = {"first" for a in actions if a == Action.RESPOND}
    answered |= {"final" for a in actions if a == Action.FINAL}
    return _Recorded(
        history=kept,
        stage=stage.value,
        area=case.area if Action.ACKNOWLEDGE in actions else None,
        close_reason=close_reason,
        answered=frozenset(answered),
    )


def _clocks_restarted_later(uow: UnitOfWork, case: Case, as_of: datetime) -> set[int]:
    from complaintctl.store import listings

    assert case.id is not None
    return listings.clocks_restarted_later(uow, [case.id], as_of)


def case_views(
    uow: UnitOfWork,
    case_ids: list[int],
    *,
    as_of: dict[int, datetime],
    recorded_by: datetime,
    notes: dict[int, tuple[str, ...]],
) -> list[CaseView]:
    """The cases, in order, each as of its own instant and with its notes: each read as
    `case_view` reads one, every table in a few statements for them all (a step's --json on
    thousands of cases)."""
    from complaintctl.store import listings
    from complaintctl.store.bulk import whole_cases

    whole = whole_cases(uow, case_ids)
    calendar = uow.calendar()
    history = {case_id: event_views(whole.history.get(case_id, ())) for case_id in case_ids}
    # Each consumer's restrictions, viewed once however many of their cases there are.
    vias: dict[str, str | None] = {}
    restrictions: dict[int, tuple[RestrictionView, ...]] = {}
    for consumer_id, consumer in whole.consumers.items():
        viewed = []
        for r in whole.restrictions.get(consumer_id, ()):
            if r.contact_via and r.contact_via not in vias:
                via = uow.staff(r.contact_via)
                vias[r.contact_via] = via.name if via is not None else None
            via_name = vias[r.contact_via] if r.contact_via else None
            viewed.append(
                _restriction_view(
                    calendar.zone, r, consumer, via_name, whole.first_reviews.get(r.id)
                )
            )
        restrictions[consumer_id] = tuple(viewed)
    # The clocks a reopen ran again, asked only of the cases ever reopened, by instant.
    restarted: set[int] = set()
    reopened: dict[datetime, list[int]] = {}
    for case_id in case_ids:
        if _reopened(history[case_id]):
            reopened.setdefault(as_of[case_id], []).append(case_id)
    for instant, ids in reopened.items():
        restarted |= listings.clocks_restarted_later(uow, ids, instant)
    views = []
    for case_id in case_ids:
        case = whole.cases[case_id]
        views.append(
            _case_view(
                calendar,
                case,
                whole.consumers[case.consumer_id],
                as_of=as_of[case_id],
                recorded_by=recorded_by,
                restrictions=restrictions[case.consumer_id],
                history=history[case_id],
                clocks=whole.clocks.get(case_id, ()),
                restarted=restarted,
                responses=whole.responses.get(case_id, ()),
                actions=whole.actions.get(case_id, ()),
                incidents=whole.incidents.get(case.consumer_id, ()),
                earlier=(),
                warnings=notes[case_id],
            )
        )
    return views


def open_actions(
    history: Iterable[EventView], *, as_of: datetime, recorded_by: datetime
) -> frozenset[int]:
    """The ids of the case's actions open at `as_of` as its history recorded by `recorded_by`
    has them: opened at or before `as_of`, and not done. An entry counts once it is recorded,
    as domain/figures.replay counts it: a replay (`show --as-of`, `recorded_by` = `as_of`)
    lists an action done since as still open, and leaves out one opened since, even where
    either was back-dated. A step's view of a case (`recorded_by` EVERY_ENTRY) lists what the
    store holds open now."""
    opened: set[int] = set()
    done: set[int] = set()
    for entry in history:
        if entry.recorded_at > recorded_by:
            continue
        if entry.action == Action.ACTION_OPENED and entry.at <= as_of:
            opened.add(int(entry.details["id"]))
        elif entry.action == Action.ACTION_DONE:
            done.add(int(entry.details["id"]))
    return frozenset(opened - done)


# The steps that change who holds a case or one of its actions: `assign` (the first-stage
# responder, or the second-stage handler it is handed on to), `escalate` (the handler) and
# `action reassign` (an action's owner). Each records who held it before.
OWNER_CHANGES: Final = (
    Action.ASSIGN.value, Action.ESCALATE.value, Action.ACTION_REASSIGNED.value,
)  # fmt: skip
RESPONDER: Final = "responder"
HANDLER: Final = "handler"


def owner_as_recorded(
    owner: str | None, whose: str | int, history: Iterable[EventView], recorded_by: datetime
) -> str | None:
    """Who held `whose` (RESPONDER, HANDLER, or an action's id) as the history recorded by
    `recorded_by` had it, given who holds it now (`owner`): each change of it recorded since
    undone, latest first, as `due_as_recorded` undoes a due (a replay with --as-of names who
    held the case then; a step's view, `recorded_by` EVERY_ENTRY, who holds it now). An
    entry counts once it is recorded, whatever its `at`."""
    for entry in reversed(list(history)):
        if entry.recorded_at > recorded_by and (change := _owner_change(entry)) is not None:
            changed, before = change
            if changed == whose:
                owner = before
    return owner


def _owner_change(entry: EventView) -> tuple[str | int, str | None] | None:
    """What an entry handed on (RESPONDER, HANDLER or an action's id) and who held it before,
    or None for an entry that hands nothing on."""
    details = entry.details

    def username(key: str) -> str | None:
        value = details.get(key)
        return value if isinstance(value, str) else None

    if entry.action == Action.ASSIGN:
        second = details.get("stage") == Stage.SECOND_STAGE.value
        return (HANDLER if second else RESPONDER), username("was")
    if entry.action == Action.ESCALATE:
        # Escalated from `responded`, which no step leaves for another stage with a handler.
        return HANDLER, None
    if entry.action == Action.ACTION_REASSIGNED and isinstance(details.get("id"), int):
        return int(details["id"]), username("previous_owner")
    return None


@contextmanager
def collecting_only_the_batch() -> Iterator[None]:
    """Keep Python's cycle collector to what a batch makes. It would otherwise walk every
    object loaded before the batch (the store stack's modules and tables: some 75,000) again
    and again as rows come and go, a twentieth of an import's time; they are set aside until
    the batch is done. Where a caller has frozen objects of its own, they are left as they are."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
