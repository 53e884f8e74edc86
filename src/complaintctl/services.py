"""One function per verb: fetch, check, call the domain, commit once, return a frozen view.

`at` is when the action happened (the command's --at, else now); `now` is the clock reading the
command took once, kept as the moment the record was written. Neither is ever read here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from complaintctl.domain import policy
from complaintctl.domain.calendar import WEEKDAY_NAMES, WorkingCalendar
from complaintctl.domain.instants import format_instant
from complaintctl.domain.procedure import (
    Action,
    Category,
    Channel,
    DeadlineKind,
    Stage,
    next_stage,
    what_can_happen,
)
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from complaintctl.views import (
    CalendarChange,
    CalendarView,
    CaseView,
    ClosedDayView,
    DeadlineView,
    EarlierCase,
    EventView,
    OverdueItem,
    OverdueReport,
)

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Deadline
    from complaintctl.store.uow import UnitOfWork

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
REF_PATTERN = re.compile(r"^SC-\d{4}-\d{6}$")


@dataclass(frozen=True)
class NewComplaint:
    consumer: str
    channel: Channel
    category: Category
    summary: str
    email: str | None = None
    address: str | None = None
    dispute: str | None = None
    board: bool = False


# -- checks shared by every verb -----------------------------------------------------------


def _not_in_future(at: datetime, now: datetime) -> None:
    if at > now:
        raise InvalidInput(
            f"--at {at.isoformat(timespec='minutes')} is in the future; "
            "record what has happened, when it happened"
        )


def _required(value: str | None, option: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{option} must not be empty")
    return cleaned


def normalise_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned):
        raise InvalidInput(f"{email!r} is not an email address")
    return cleaned


def _case(uow: UnitOfWork, ref: str) -> Case:
    cleaned = ref.strip().upper()
    case = uow.case_by_ref(cleaned)
    if case is None:
        if not REF_PATTERN.match(cleaned):
            raise NotFound(f"{ref!r} is not a case reference (they look like SC-2026-000001)")
        raise NotFound(f"no case {cleaned}")
    return case


def _coverage_warnings(calendar: WorkingCalendar, *instants: datetime) -> tuple[str, ...]:
    """Deadlines past the known bank holidays may be early by a holiday: say so, once."""
    unknown = [i for i in instants if not calendar.knows(calendar.local_date(i))]
    if not unknown:
        return ()
    return (
        f"bank holidays are known only from {calendar.known_from} to {calendar.known_through}; "
        "a deadline outside them assumes there are none — run "
        "`complaintctl calendar holidays --through YEAR` to add them",
    )


# -- logging and acknowledging -------------------------------------------------------------


def log_complaint(
    uow: UnitOfWork, *, complaint: NewComplaint, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record a complaint received at `at` and start its acknowledgement clock."""
    from complaintctl.store.models import Case, Consumer

    _not_in_future(at, now)
    name = _required(complaint.consumer, "--consumer")
    summary = _required(complaint.summary, "--summary")
    email = normalise_email(complaint.email)
    address = (complaint.address or "").strip() or None
    if email is None and address is None:
        raise InvalidInput("give the consumer's --email or --address (or both)")

    consumer = (
        uow.consumer_by_email(email)
        if email
        else uow.consumer_by_name_and_address(name, address or "")
    )
    earlier: list[tuple[str, str, datetime]] = []
    if consumer is None:
        consumer = Consumer(name=name, email=email, address=address, created_at=at)
        uow.add(consumer)
        uow.flush()
    else:
        earlier = uow.cases_of(consumer)
    assert consumer.id is not None

    calendar = uow.calendar()
    year = calendar.local_date(at).year
    ref = f"SC-{year}-{uow.next_ref_number(year):06d}"
    case = Case(
        ref=ref,
        consumer_id=consumer.id,
        channel=complaint.channel.value,
        category=complaint.category.value,
        summary=summary,
        dispute_ref=(complaint.dispute or "").strip() or None,
        board=complaint.board,
        received_at=at,
        stage=Stage.RECEIVED.value,
        logged_by=by,
        logged_at=now,
    )
    uow.add(case)
    uow.flush()
    due = _start_clock(uow, case, DeadlineKind.ACKNOWLEDGE, policy.ACKNOWLEDGE, at)
    uow.record(
        case,
        Action.LOG,
        by=by,
        at=at,
        now=now,
        consumer=name,
        email=email,
        address=address,
        channel=case.channel,
        category=case.category,
        summary=summary,
        dispute=case.dispute_ref,
        board=case.board,
        acknowledge_due=due,
    )
    uow.commit()
    return _case_view(
        uow,
        case,
        as_of=at,
        earlier=tuple(EarlierCase(*row) for row in earlier),
        warnings=_coverage_warnings(calendar, due),
    )


def _start_clock(
    uow: UnitOfWork, case: Case, kind: DeadlineKind, target: policy.Target, start: datetime
) -> datetime:
    from complaintctl.store.models import Deadline

    assert case.id is not None
    due = policy.due_after(target, uow.calendar(), start)
    uow.add(
        Deadline(
            case_id=case.id,
            kind=kind.value,
            start_at=start,
            due_at=due,
            amount=target.amount,
            unit=target.unit,
            rule=target.describe(),
        )
    )
    return due


def _check_order(uow: UnitOfWork, case: Case, action: Action, at: datetime) -> Stage:
    """The stage `action` leads to, or a refusal saying where the case stands."""
    stage = Stage(case.stage)
    target = next_stage(stage, action)
    if target is None:
        raise ActionNotAllowed(
            f"cannot {action.value} {case.ref}: it is at stage {stage.value}; "
            f"what can happen next: {what_can_happen(stage)}"
        )
    history = uow.history(case)
    last = max((event.at for event in history), default=case.received_at)
    if at < last:
        tz = uow.calendar().tz
        raise ActionNotAllowed(
            f"--at {format_instant(at, tz)} is before {case.ref}'s last recorded step "
            f"({format_instant(last, tz)}); steps are recorded in the order they happened"
        )
    return target


def acknowledge(
    uow: UnitOfWork, *, ref: str, area: str, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record the acknowledgement, naming the area that will deal with the complaint."""
    _not_in_future(at, now)
    area = _required(area, "--area")
    case = _case(uow, ref)
    target = _check_order(uow, case, Action.ACKNOWLEDGE, at)
    clock = _running(uow, case, DeadlineKind.ACKNOWLEDGE)
    uow.end_deadline(clock, at=at, outcome="met")
    case.stage, case.area = target.value, area
    uow.add(case)
    uow.record(
        case,
        Action.ACKNOWLEDGE,
        by=by,
        at=at,
        now=now,
        area=area,
        due=clock.due_at,
        on_time=at <= clock.due_at,
    )
    uow.commit()
    return _case_view(uow, case, as_of=at)


def _running(uow: UnitOfWork, case: Case, kind: DeadlineKind) -> Deadline:
    for deadline in uow.deadlines(case):
        if deadline.kind == kind.value and deadline.ended_at is None:
            return deadline
    raise ActionNotAllowed(f"{case.ref} has no running {kind.value} clock")  # pragma: no cover


# -- reading -------------------------------------------------------------------------------


def show_case(uow: UnitOfWork, *, ref: str, as_of: datetime) -> CaseView:
    return _case_view(uow, _case(uow, ref), as_of=as_of)


def _case_view(
    uow: UnitOfWork,
    case: Case,
    *,
    as_of: datetime,
    earlier: tuple[EarlierCase, ...] = (),
    warnings: tuple[str, ...] = (),
) -> CaseView:
    consumer = uow.consumer(case.consumer_id)
    return CaseView(
        zone=uow.calendar().zone,
        as_of=as_of,
        ref=case.ref,
        stage=case.stage,
        consumer=consumer.name,
        email=consumer.email,
        address=consumer.address,
        channel=case.channel,
        category=case.category,
        summary=case.summary,
        dispute=case.dispute_ref,
        board=case.board,
        received_at=case.received_at,
        area=case.area,
        logged_by=case.logged_by,
        deadlines=tuple(_deadline_view(d, as_of, uow.calendar()) for d in uow.deadlines(case)),
        history=tuple(
            EventView(e.action, e.actor, e.at, e.recorded_at, json.loads(e.details))
            for e in uow.history(case)
        ),
        earlier_cases=earlier,
        warnings=warnings,
    )


def _deadline_view(deadline: Deadline, as_of: datetime, calendar: WorkingCalendar) -> DeadlineView:
    # A clock that ended after `as_of` was still running then (a replay with --as-of).
    ended = deadline.ended_at if deadline.ended_at and deadline.ended_at <= as_of else None
    stopped_at = ended or as_of
    breached = stopped_at > deadline.due_at
    zero = timedelta(0)
    return DeadlineView(
        kind=deadline.kind,
        start=deadline.start_at,
        due=deadline.due_at,
        rule=deadline.rule,
        ended_at=ended,
        outcome=deadline.outcome if ended else None,
        breached=breached,
        working_late=(
            calendar.working_time_between(deadline.due_at, stopped_at) if breached else zero
        ),
        working_left=(
            zero if ended or breached else calendar.working_time_between(as_of, deadline.due_at)
        ),
    )


def overdue(uow: UnitOfWork, *, as_of: datetime, kinds: Sequence[str] = ()) -> OverdueReport:
    """Clocks past due at `as_of`, with how late each is in working and calendar time."""
    calendar = uow.calendar()
    items = tuple(
        OverdueItem(
            ref=ref,
            kind=kind,
            consumer=consumer,
            received_at=received,
            due=due,
            late_working=calendar.working_time_between(due, as_of),
            late_calendar=as_of - due,
        )
        for ref, kind, consumer, received, _start, due in uow.overdue(as_of, kinds)
    )
    return OverdueReport(
        zone=calendar.zone,
        as_of=as_of,
        items=items,
        warnings=_coverage_warnings(calendar, as_of),
    )


# -- the calendar --------------------------------------------------------------------------

UPCOMING_DAYS = 10


def calendar_view(uow: UnitOfWork, *, as_of: datetime) -> CalendarView:
    calendar = uow.calendar()
    setting = uow.calendar_setting()
    today = calendar.local_date(as_of)
    upcoming = tuple(ClosedDayView(day.day, day.kind, day.name) for day in uow.closed_days(today))
    # Every closure ahead, but only the next few bank holidays.
    shown_holidays = [d for d in upcoming if d.kind == "bank-holiday"][:UPCOMING_DAYS]
    shown = tuple(d for d in upcoming if d.kind != "bank-holiday" or d in shown_holidays)
    return CalendarView(
        zone=calendar.zone,
        as_of=as_of,
        week=tuple(
            (name, ", ".join(map(str, hours)) if hours else "closed")
            for name, hours in zip(WEEKDAY_NAMES, calendar.week, strict=True)
        ),
        holiday_region=setting.holiday_region,
        holidays_source=setting.holidays_source,
        known_from=setting.holidays_from,
        known_through=setting.holidays_through,
        upcoming=shown,
        warnings=_coverage_warnings(calendar, as_of + timedelta(days=365)),
    )


def add_closure(
    uow: UnitOfWork, *, day: date, reason: str, by: str, at: datetime, now: datetime
) -> CalendarChange:
    """Close the office on `day`; open deadlines not yet breached are recomputed."""
    from complaintctl.store.models import ClosedDay

    _not_in_future(at, now)
    reason = _required(reason, "--reason")
    if uow.closure(day) is not None:
        raise InvalidInput(f"{day} is already a closure day")
    uow.add_closure(ClosedDay(day=day, kind="closure", name=reason, added_by=by, added_at=at))
    uow.record(None, "calendar-closure-added", by=by, at=at, now=now, day=day, reason=reason)
    return _recompute(uow, f"closure on {day} added", by=by, at=at, now=now)


def remove_closure(
    uow: UnitOfWork, *, day: date, by: str, at: datetime, now: datetime
) -> CalendarChange:
    """Reopen a closure day; open deadlines not yet breached are recomputed."""
    _not_in_future(at, now)
    closure = uow.closure(day)
    if closure is None:
        raise NotFound(f"{day} is not a closure day (bank holidays cannot be removed)")
    uow.delete_closure(closure)
    uow.record(
        None, "calendar-closure-removed", by=by, at=at, now=now, day=day, reason=closure.name
    )
    return _recompute(uow, f"closure on {day} removed", by=by, at=at, now=now)


def refresh_holidays(
    uow: UnitOfWork, *, through: int, by: str, at: datetime, now: datetime
) -> CalendarChange:
    """Write bank holidays up to the end of year `through` from the holidays package."""
    _not_in_future(at, now)
    setting = uow.calendar_setting()
    first_year = setting.holidays_from.year
    if not first_year <= through <= first_year + 200:
        raise InvalidInput(f"--through must be a year from {first_year}, not {through}")
    first, last, source = uow.replace_bank_holidays(range(first_year, through + 1), at)
    uow.record(
        None,
        "calendar-holidays-refreshed",
        by=by,
        at=at,
        now=now,
        known_from=first,
        known_through=last,
        source=source,
    )
    return _recompute(
        uow, f"bank holidays known from {first} to {last} ({source})", by=by, at=at, now=now
    )


def _recompute(
    uow: UnitOfWork, why: str, *, by: str, at: datetime, now: datetime
) -> CalendarChange:
    """Move the open deadlines that are not yet breached to where the new calendar puts them.

    Deadlines met or already breached keep their values: the record shows what applied then.
    """
    calendar = uow.calendar()
    moved: list[tuple[str, str, datetime, datetime]] = []
    for deadline in uow.open_deadlines_due_after(at):
        target = policy.Target(deadline.amount, deadline.unit, "")
        new_due = policy.due_after(target, calendar, deadline.start_at)
        if new_due == deadline.due_at:
            continue
        case = uow.case_by_id(deadline.case_id)
        uow.record(
            case,
            Action.RECOMPUTE,
            by=by,
            at=at,
            now=now,
            kind=deadline.kind,
            old_due=deadline.due_at,
            new_due=new_due,
            reason=why,
        )
        moved.append((case.ref, deadline.kind, deadline.due_at, new_due))
        deadline.due_at = new_due
        uow.add(deadline)
    uow.commit()
    message = f"{why}; {len(moved)} open deadline{'s' if len(moved) != 1 else ''} recomputed"
    return CalendarChange(message=message, recomputed=tuple(moved), zone=calendar.zone)
