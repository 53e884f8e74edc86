"""The shared working calendar: what it is, and changing its closure days and bank holidays.

A change recomputes the open deadlines not yet breached, and records on each case that it did
(on the store's history, for a subject-access request); deadlines met or already breached keep
their values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from complaintctl import text
from complaintctl.domain import policy
from complaintctl.domain.calendar import (
    WEEKDAY_FULL_NAMES,
    WEEKDAY_NAMES,
    CalendarChoice,
    CalendarError,
    WorkingCalendar,
    describe_hours,
    format_week,
    parse_hours,
    parse_week,
    working_days_from,
    zone_problem,
)
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.instants import LAST_YEAR
from complaintctl.domain.policy import within_on
from complaintctl.domain.procedure import Action, StoreAction
from complaintctl.errors import InvalidInput, NotFound
from complaintctl.services.common import (
    acting_staff,
    authorise_store,
    coverage_warnings,
    not_in_future,
    required,
)
from complaintctl.views import CalendarChange, CalendarView, ClosedDayView, Recomputed

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Deadline
    from complaintctl.store.uow import UnitOfWork

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
        warnings=coverage_warnings(calendar, as_of + timedelta(days=365)),
    )


@dataclass(frozen=True)
class Retroactive:
    """How a calendar change may touch what is past: a change that moves a deadline because of
    a day already past (or today) needs a reason (--retroactive); a dry run writes nothing."""

    reason: str | None = None
    dry_run: bool = False

    def checked(self) -> Retroactive:
        """The reason held to the input rule for a reason: one given must say something (an
        empty `--retroactive "$WHY"` would pass for one and record none) and carry no control
        characters."""
        if self.reason is None:
            return self
        return Retroactive(required(self.reason, "--retroactive", text.NOTE), self.dry_run)


def add_closure(
    uow: UnitOfWork,
    *,
    day: date,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
    retroactive: Retroactive = Retroactive(),
) -> CalendarChange:
    """Close the office on `day`; open deadlines not yet breached are recomputed."""
    from complaintctl.store.models import ClosedDay

    not_in_future(at, now, uow)
    reason = required(reason, "--reason", text.LABEL)
    retroactive = retroactive.checked()
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_CALENDAR)
    if uow.closure(day) is not None:
        raise InvalidInput(f"{day} is already a closure day")
    calendar = uow.calendar()
    holiday = calendar.closed_days.get(day)
    if holiday is not None:  # a bank holiday: closing it too would change nothing
        raise InvalidInput(f"{day} is already closed: {holiday}; the closure would change nothing")
    if not calendar.week[day.weekday()]:  # a weekend, as the opening hours have it
        raise InvalidInput(
            f"{day} is already closed: no opening hours on "
            f"{WEEKDAY_FULL_NAMES[day.weekday()]}s; the closure would "
            "change nothing"
        )
    uow.add_closure(ClosedDay(day=day, kind="closure", name=reason, added_by=by, added_at=at))
    entry = _entry(retroactive, day=day, reason=reason)
    uow.record(None, Action.CLOSURE_ADDED, by=by, at=at, now=now, **entry)
    return _recompute(uow, f"closure on {day} added", {day}, retroactive, by=by, now=now)


def remove_closure(
    uow: UnitOfWork,
    *,
    day: date,
    by: str,
    at: datetime,
    now: datetime,
    retroactive: Retroactive = Retroactive(),
) -> CalendarChange:
    """Reopen a closure day; open deadlines not yet breached are recomputed."""
    not_in_future(at, now, uow)
    retroactive = retroactive.checked()
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_CALENDAR)
    closure = uow.closure(day)
    if closure is None:
        holiday = uow.calendar().closed_days.get(day)
        raise NotFound(
            f"{day} is {holiday}: bank holidays cannot be removed"
            if holiday is not None
            else f"{day} is not a closure day: `complaintctl calendar` lists the next ones"
        )
    uow.delete_closure(closure)
    entry = _entry(retroactive, day=day, reason=closure.name)
    uow.record(None, Action.CLOSURE_REMOVED, by=by, at=at, now=now, **entry)
    return _recompute(uow, f"closure on {day} removed", {day}, retroactive, by=by, now=now)


def refresh_holidays(
    uow: UnitOfWork,
    *,
    through: int,
    by: str,
    at: datetime,
    now: datetime,
    retroactive: Retroactive = Retroactive(),
) -> CalendarChange:
    """Write bank holidays up to the end of year `through` from the holidays package."""
    not_in_future(at, now, uow)
    retroactive = retroactive.checked()
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_CALENDAR)
    setting = uow.calendar_setting()
    first_year = setting.holidays_from.year
    if through < first_year:
        raise InvalidInput(
            f"--through must be a year from {first_year}, not {through}: it adds later years "
            f"only, and the bank holidays before {first_year} cannot be added"
        )
    last_year = min(first_year + 200, LAST_YEAR)  # no date is held past LAST_YEAR
    if through > last_year:
        held = f": dates run to {LAST_YEAR} only" if last_year == LAST_YEAR else ""
        raise InvalidInput(
            f"--through must be a year from {first_year} to {last_year}, not {through}{held}"
        )
    before = set(uow.calendar().closed_days)
    first, last, source = uow.replace_bank_holidays(range(first_year, through + 1), at)
    changed = before ^ set(uow.calendar().closed_days)
    entry = _entry(retroactive, known_from=first, known_through=last, source=source)
    uow.record(None, Action.HOLIDAYS_REFRESHED, by=by, at=at, now=now, **entry)
    why = f"bank holidays known from {first} to {last} ({source})"
    return _recompute(uow, why, changed, retroactive, by=by, now=now)


@cache
def known_zones() -> dict[str, str]:
    """Every IANA zone name of the tz database, by its name in lower case (never changed by
    its callers). Read once a process: zoneinfo lists them by opening each of its files."""
    from zoneinfo import available_timezones

    return {name.lower(): name for name in available_timezones()}


@dataclass(frozen=True)
class CalendarWanted:
    """What `calendar set` (or `db init`) was asked for: a zone, opening hours as an officer
    types them (domain.calendar.parse_hours), a bank-holiday region; None keeps the store's."""

    zone: str | None = None
    hours: str | None = None
    region: str | None = None

    def given(self) -> bool:
        return not (self.zone is None and self.hours is None and self.region is None)

    def choice(self, current: CalendarChoice) -> CalendarChoice:
        """The calendar asked for, each part checked (InvalidInput naming its option), the
        parts not given as `current` has them."""
        from complaintctl.store.calendar import holiday_region

        week = current.week
        if self.hours is not None:
            try:
                week = format_week(parse_hours(self.hours))
            except CalendarError as err:
                raise InvalidInput(f"--hours {err}") from None
        zone = current.zone
        if self.zone is not None:
            known = known_zones()
            zone = known.get(self.zone.strip().lower(), self.zone.strip())
            problem = zone_problem(zone, known.values())
            if problem:
                raise InvalidInput(f"--zone {problem}")
        region = current.region
        if self.region is not None:
            try:
                region = holiday_region(self.region)
            except ValueError as err:
                raise InvalidInput(f"--region {err}") from None
        return CalendarChoice(zone, week, region)


def describe_calendar(choice: CalendarChoice) -> str:
    """`Europe/London; Mon-Fri 09:00-17:00; GB-ENG bank holidays`: the words `--hours` reads."""
    return (
        f"{choice.zone}; {describe_hours(parse_week(choice.week))}; {choice.region} bank holidays"
    )


def stored_choice(uow: UnitOfWork) -> CalendarChoice:
    setting = uow.calendar_setting()
    return CalendarChoice(setting.zone, setting.week, setting.holiday_region)


def new_store_calendar(wanted: CalendarWanted) -> CalendarChoice:
    """The calendar a new store is to be made with: the defaults, less what `wanted` says
    (checked, InvalidInput naming its option)."""
    from complaintctl.store.calendar import default_choice

    return wanted.choice(default_choice())


def make_calendar(uow: UnitOfWork, choice: CalendarChoice, *, at: datetime) -> None:
    """Give the store this unit of work has just made `choice` for its calendar, before any
    deadline is counted on it: nothing to recompute, and nothing recorded (as the default
    calendar a store is seeded with is not)."""
    if not uow.created:
        raise AssertionError("a calendar is made only with the store")
    if choice != stored_choice(uow):
        uow.change_calendar(choice, at)


def check_calendar_there(uow: UnitOfWork, wanted: CalendarWanted, where: str) -> None:
    """`db init` with a calendar on a store there already: nothing to do where the store's
    calendar is what `wanted` asks, else refused (InvalidInput), pointing to `calendar set`."""
    current = stored_choice(uow)
    asked = wanted.choice(current)
    if (asked.zone, parse_week(asked.week), asked.region) != (
        current.zone,
        parse_week(current.week),
        current.region,
    ):
        raise InvalidInput(
            f"there is a store at {where} already, its calendar {describe_calendar(current)}: "
            "`complaintctl calendar set` changes it"
        )


def change_calendar(
    uow: UnitOfWork,
    *,
    wanted: CalendarWanted,
    by: str,
    at: datetime,
    now: datetime,
    retroactive: Retroactive = Retroactive(),
) -> CalendarChange:
    """Set the calendar's zone, opening hours and bank-holiday region, as if they had always
    been so (the store keeps one calendar for all time); open deadlines not yet breached are
    recomputed. A region's bank holidays replace the old region's for every year known;
    closure days stay.

    Reaching back needs --retroactive REASON: a zone, opening hours or bank holidays that
    would count the working time (or, for a deadline in working days, the working days)
    between a moved deadline's start and now differently from the calendar as it was."""
    not_in_future(at, now, uow)
    if not wanted.given():
        raise InvalidInput("give --zone, --hours or --region: the calendar is left as it is")
    retroactive = retroactive.checked()
    current = stored_choice(uow)
    choice = wanted.choice(current)
    by = authorise_store(acting_staff(uow, by), StoreAction.CHANGE_CALENDAR)
    old_week, new_week = parse_week(current.week), parse_week(choice.week)
    changes = {
        part: (old, new)
        for part, old, new in (
            ("zone", current.zone, choice.zone),
            ("hours", describe_hours(old_week), describe_hours(new_week)),
            ("region", current.region, choice.region),
        )
        if old != new
    }
    if not changes:
        raise InvalidInput(
            f"the calendar already is that ({describe_calendar(current)}); nothing to change"
        )
    choice = CalendarChoice(choice.zone, format_week(new_week), choice.region)
    before = uow.calendar()
    first, last, source = uow.change_calendar(choice, at)
    details: dict[str, object] = {}
    for part, (old, new) in changes.items():
        details[f"old_{part}"], details[f"new_{part}"] = old, new
    if "region" in changes:
        details.update(known_from=first, known_through=last, source=source)
    uow.record(
        None, Action.CALENDAR_CHANGED, by=by, at=at, now=now, **_entry(retroactive, **details)
    )
    why = "calendar changed: " + "; ".join(
        f"{'bank holidays' if part == 'region' else part} {new}"
        for part, (_, new) in changes.items()
    )
    # Judged deadline by deadline, not by the days changed: a region's bank holidays differ
    # in the years known back, which would make every change that moves anything reach back.
    return _recompute(uow, why, set(), retroactive, by=by, now=now, before=before)


def _entry(retroactive: Retroactive, **details: object) -> dict[str, object]:
    """What a calendar change's history entry records, with why it reaches into the past."""
    return {**details, **({"retroactive": retroactive.reason} if retroactive.reason else {})}


def _recompute(
    uow: UnitOfWork,
    why: str,
    changed: set[date],
    retroactive: Retroactive,
    *,
    by: str,
    now: datetime,
    before: WorkingCalendar | None = None,
) -> CalendarChange:
    """Move the open deadlines not yet breached now to where the new calendar puts them, never
    to before the change itself; commit, unless a dry run. A subject-access request's month
    follows the bank holidays by the ICO's rule (`_recompute_subject_access`).

    Deadlines met or already breached keep their values: the record shows what applied then.
    "Already breached" is judged now, whatever --at says, as `overdue` judges it (a deadline
    due at this very instant is not breached yet): a change dated in the past must not lift a
    breach that has happened, nor start one in the past. The recompute is recorded as happening
    now. A change that moves a deadline because of a day already past (or today) is refused
    without a reason for reaching back (`retroactive`), as is one (a zone or opening hours;
    `before` is the calendar as it was) that moves a deadline whose time already past it
    counts differently (`_counted_differently`), or any change that would put a deadline's
    due behind now (it is moved to now, and breached at once).
    """
    calendar = uow.calendar()
    moved: list[Recomputed] = []
    reaching: list[Recomputed] = []  # moved, and counted differently up to now
    due_by_now: list[Recomputed] = []  # moved to now: the new calendar puts them behind it
    for deadline in uow.open_deadlines_due_from(now):
        if deadline.sar_id is not None:
            sar = _recompute_subject_access(uow, deadline, why, retroactive, by=by, now=now)
            if sar is not None:
                moved.append(sar)
                if sar.new_due <= now:
                    due_by_now.append(sar)
                # The ICO's month runs from the day of receipt: in another zone, another day.
                if before is not None and before.local_date(
                    deadline.start_at
                ) != calendar.local_date(deadline.start_at):
                    reaching.append(sar)
            continue
        # Only working time, and the referral window's months (the same wall-clock time in
        # the calendar's zone), depend on the calendar: a date agreed with the consumer (or an
        # action's date given with --due) stays where it is, as does a restriction's review.
        window = deadline.kind == DeadlineKind.REFERRAL_WINDOW and deadline.unit == "months"
        if deadline.unit not in policy.WORKING_UNITS and not window:
            continue
        # An action's clock is the action's, on its case (an action's --within is counted
        # again as it was first: policy.due_after, its unit policy.WITHIN).
        action = uow.action(deadline.action_id) if deadline.action_id is not None else None
        case_id = action.case_id if action is not None else deadline.case_id
        if case_id is None:
            continue
        if deadline.unit == policy.WITHIN:
            # Its `--within` as typed: a `d` is the working day of the hours as they are now
            # (their longest day), as a store made with them counts it; `1d` stays one.
            deadline.amount = within_on(calendar, deadline.rule, deadline.amount)
        target = policy.Target(deadline.amount, deadline.unit, "")
        try:
            new_due = max(policy.due_after(target, calendar, deadline.start_at), now)
        except CalendarError as err:  # a calendar with too little working time to hold it
            raise InvalidInput(
                f"the calendar would leave an open {deadline.kind} deadline with no due date "
                f"({err}); give it more opening hours"
            ) from None
        if new_due == deadline.due_at:
            continue
        case = uow.case_by_id(case_id)
        if window:
            # [ours] The final response told the consumer the date; a zone change never ends
            # their window before it (MODEL.md "What the consumer is told in writing").
            told = _referral_told(uow, case, deadline)
            new_due = max(new_due, told) if told is not None else new_due
            if new_due == deadline.due_at:
                continue
        uow.record(
            case,
            Action.RECOMPUTE,
            by=by,
            at=now,
            now=now,
            **_entry(
                retroactive,
                kind=deadline.kind,
                **({"action_id": action.id} if action is not None else {}),
                old_due=deadline.due_at,
                new_due=new_due,
                reason=why,
            ),
        )
        action_id = action.id if action is not None else None
        moved.append(Recomputed(case.ref, deadline.kind, deadline.due_at, new_due, action_id))
        if new_due <= now:
            due_by_now.append(moved[-1])
        # A window's months are counted from the final response whatever came since: moved
        # later than the consumer was told, or back to it, nothing already past counts anew.
        if (
            before is not None
            and not window
            and _counted_differently(deadline.unit, before, calendar, deadline.start_at, now)
        ):
            reaching.append(moved[-1])
        deadline.due_at = new_due
        uow.add(deadline)
        if action is not None:
            action.due_at = new_due
            uow.add(action)
    today = calendar.local_date(now)
    past = sorted(day for day in changed if day <= today)
    reach = _reaches_back(moved, past, reaching, due_by_now)
    if reach and retroactive.reason is None and not retroactive.dry_run:
        raise InvalidInput(
            f"{reach}; give --retroactive REASON to make it all the same, or --dry-run to see "
            "each one"
        )
    if not retroactive.dry_run:
        uow.commit()
    count = f"{len(moved)} open deadline{'s' if len(moved) != 1 else ''}"
    message = (
        # `why` says what a change did: of a dry run, what it would be made with.
        f"Dry run: {count} would be recomputed ({why}); nothing was written"
        if retroactive.dry_run
        else f"{why}; {count} recomputed"
    )
    if reach and retroactive.reason is None:
        # The dry run shows the moves the refusal points to; it must not pass for a change
        # that would be made as it stands.
        note = (
            f"it touches {past[-1]}, a day already past"
            if moved and past
            else f"it counts the time already past differently for {len(reaching)} of them"
            if reaching
            else f"it makes {len(due_by_now)} of them due by now"
        )
        message += f" ({note}: the change needs --retroactive REASON)"
    return CalendarChange(
        message,
        tuple(moved),
        calendar.zone,
        retroactive.dry_run,
        coverage_warnings(calendar, *(one.new_due for one in moved)),
    )


def _reaches_back(
    moved: list[Recomputed],
    past: list[date],
    reaching: list[Recomputed],
    due_by_now: list[Recomputed],
) -> str:
    """Why the change reaches back, or "" when it does not: a changed day already past (or
    today) while it moves deadlines, deadlines whose time already past it counts anew, or
    deadlines it would put behind now (moved to now instead, and breached at once)."""
    if moved and past:
        return (
            f"the change touches {past[-1]}, a day already past (or today), and would move "
            f"{len(moved)} open deadline{'s' if len(moved) != 1 else ''} ({_listed(moved)})"
        )
    if reaching:
        return (
            f"the change counts the time already past differently for {len(reaching)} open "
            f"deadline{'s' if len(reaching) != 1 else ''} ({_listed(reaching)}), and would move "
            f"{'them' if len(reaching) != 1 else 'it'}"
        )
    if due_by_now:
        return (
            f"the change would make {len(due_by_now)} open deadline"
            f"{'s' if len(due_by_now) != 1 else ''} ({_listed(due_by_now)}) due by now, "
            "breached at once"
        )
    return ""


def _listed(moved: list[Recomputed]) -> str:
    return ", ".join(sorted({one.listed[0] for one in moved})[:5])


def _counted_differently(
    unit: str, before: WorkingCalendar, after: WorkingCalendar, start: datetime, now: datetime
) -> bool:
    """Whether the two calendars count the deadline's time from `start` to `now` differently:
    working time for one in working hours, working days (its day of receipt's included,
    today's too) for one in working days, both for an action's --within. Where they agree,
    what is left of it is counted from now on, and the change moves it only by what is ahead."""
    if start >= now:
        return False
    if unit != "working-days" and before.working_time_between(
        start, now
    ) != after.working_time_between(start, now):
        return True
    if unit == "working-hours":
        return False
    return working_days_from(
        before, before.local_date(start), before.local_date(now)
    ) != working_days_from(after, after.local_date(start), after.local_date(now))


def _referral_told(uow: UnitOfWork, case: Case, deadline: Deadline) -> datetime | None:
    """Until when the final response that started the referral window told the consumer they
    could refer (its entry's `refer_by`); None where it recorded none."""
    told = next(
        (
            json.loads(entry.details).get("refer_by")
            for entry in reversed(uow.history(case))
            if entry.action == Action.FINAL.value and entry.at == deadline.start_at
        ),
        None,
    )
    return datetime.fromisoformat(told) if isinstance(told, str) and told else None


def _recompute_subject_access(
    uow: UnitOfWork,
    deadline: Deadline,
    why: str,
    retroactive: Retroactive,
    *,
    by: str,
    now: datetime,
) -> Recomputed | None:
    """Move an open subject-access request's due to where the ICO's rule now puts it, counted
    from its receipt (with its extension, if extended), never to before now; recorded in the
    store's history as its other entries are. None when it stays where it is."""
    from complaintctl.services.sar import request_due

    request = uow.subject_access_request(deadline.sar_id) if deadline.sar_id else None
    if request is None or request.done_at is not None:
        return None
    new_due = max(request_due(uow, request), now)
    if new_due == deadline.due_at:
        return None
    uow.record(
        None,
        Action.RECOMPUTE,
        by=by,
        at=now,
        now=now,
        **_entry(
            retroactive,
            sar=request.id,
            consumer_id=request.consumer_id,
            kind=deadline.kind,
            old_due=deadline.due_at,
            new_due=new_due,
            reason=why,
        ),
    )
    old_due = deadline.due_at
    deadline.due_at = request.due_at = new_due
    uow.add(deadline)
    uow.add(request)
    return Recomputed(None, deadline.kind, old_due, new_due, subject_access=request.id)
