"""Why a deadline falls where it does: the working calendar walked day by day.

Pure: stdlib and zoneinfo only, no clock reads. The walk counts exactly what
`WorkingCalendar.add_working_hours` and `add_working_days` count (a unit test holds the two
together), so the explained total reaches the target at the due instant, to the minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from complaintctl.domain.calendar import WEEKDAY_FULL_NAMES, CalendarError, WorkingCalendar
from complaintctl.domain.instants import close_clock, whole_minutes
from complaintctl.domain.policy import Target

# The kinds of day entry.
COUNTED = "counted"  # working time counted towards the target (or working day N)
SKIPPED = "skipped"  # nothing counted: closed, or the working time lay before the start
# An action's `--within` of less than a working day that is not whole hours (`90m`), counted as
# working hours are: the period as it was given, never "0 working days" and a note.
WORKING_MINUTES = "working-minutes"
RECEIVED_DAY = "received-day"  # working-days rules: day 0, the (deemed) day of the event

# As WorkingCalendar's own search: a calendar with no working time must not loop for ever.
SEARCH_LIMIT_DAYS = 3660

Stretch = tuple[datetime, datetime]


@dataclass(frozen=True)
class DayEntry:
    """One local date's contribution to a deadline.

    `stretches` are the working time counted that day as UTC instants (for a working-days rule,
    the whole of working day N). `total` is the running total of working time (working-hours
    rules); `day_number` is the UK statutory day count (working-days rules: 0 for the day of
    the event). `reason` says, in words, why the day counted what it did or nothing at all.
    """

    day: date
    kind: str
    stretches: tuple[Stretch, ...] = ()
    counted: timedelta = timedelta(0)
    total: timedelta | None = None
    day_number: int | None = None
    reason: str = ""


def explain_days(
    calendar: WorkingCalendar, start: datetime, target: Target
) -> tuple[DayEntry, ...]:
    """Each local date from the start's to the due's, with what it contributed to `target`.

    A span of calendar months has no days to explain: it is empty then.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise CalendarError(f"a naive datetime has no place on the clock: {start}")
    start = start.astimezone(UTC)
    if target.unit == "working-hours":
        return _working_hours(calendar, start, timedelta(hours=target.amount))
    if target.unit == WORKING_MINUTES:
        return _working_hours(calendar, start, timedelta(minutes=target.amount))
    if target.unit == "working-days":
        return _working_days(calendar, start, target.amount)
    if target.unit == "months":
        return ()
    raise ValueError(f"unknown deadline unit {target.unit!r}")


def reached_at(entries: tuple[DayEntry, ...]) -> datetime | None:
    """Where the explanation ends: the close of the last stretch counted."""
    stretches = [stretch for entry in entries for stretch in entry.stretches]
    return stretches[-1][1] if stretches else None


def shown_minutes(entries: tuple[DayEntry, ...]) -> tuple[int, ...]:
    """Each day's counted time in whole minutes, as the rounded running total moves.

    Each day rounded on its own (a start with seconds) could add up to a minute more than the
    total shown; taken as the difference of the rounded running totals, the days add up to it,
    in text and JSON alike."""
    shown, so_far = [], timedelta(0)
    for entry in entries:
        shown.append(whole_minutes(so_far + entry.counted) - whole_minutes(so_far))
        so_far += entry.counted
    return tuple(shown)


def outside_hours(calendar: WorkingCalendar, instant: datetime) -> str | None:
    """Why `instant` lies outside working time, in words (a close is inside: a deadline there is
    that close); None when it is within the day's opening hours."""
    if calendar.closes_at_midnight(instant):  # the day before's 24:00, not the next day's
        return None
    day = calendar.local_date(instant)
    intervals = calendar.intervals(day)
    if any(opens <= instant <= closes for opens, closes in intervals):
        return None
    reasons = _closed_reasons(calendar, day)
    if reasons or not intervals:
        return "; ".join(reasons) or "a closed day"
    if instant < intervals[0][0]:
        return f"before the opening ({_clock(calendar, intervals[0][0])})"
    if instant > intervals[-1][1]:
        return f"after the close ({close_clock(intervals[-1][1], calendar.tz)})"
    return "between the day's opening hours"


# -- working hours -------------------------------------------------------------------------


def _working_hours(
    calendar: WorkingCalendar, start: datetime, amount: timedelta
) -> tuple[DayEntry, ...]:
    entries: list[DayEntry] = []
    remaining, total = amount, timedelta(0)
    for day in _days_from(calendar.local_date(start)):
        intervals = calendar.intervals(day)
        counted: list[Stretch] = []
        for opens, closes in intervals:
            if not remaining:
                break
            # At or after a close nothing is left of the stretch (MODEL.md: a deadline landing
            # on a close is that close, so counting never restarts there).
            if start >= closes:
                continue
            begin = max(start, opens)
            take = min(closes - begin, remaining)
            counted.append((begin, begin + take))
            remaining -= take
        amount_counted = sum((to - since for since, to in counted), timedelta(0))
        total += amount_counted
        notes = (
            _start_notes(calendar, day, start, intervals)
            + _clock_change(calendar, day)
            + _unknown_holidays(calendar, day)
        )
        due = counted[-1][1] if counted and not remaining else None
        if not amount:
            due = _zero_due(calendar, start, day, intervals)
        if due is not None:
            notes.append(f"due {close_clock(due, calendar.tz)}: {_hours(amount)} reached")
        if not counted:
            notes = _closed_reasons(calendar, day) + notes
        entries.append(
            DayEntry(
                day=day,
                kind=COUNTED if counted else SKIPPED,
                stretches=tuple(counted),
                counted=amount_counted,
                total=total,
                reason="; ".join(notes),
            )
        )
        if due is not None:
            return tuple(entries)
    raise AssertionError("unreachable")  # pragma: no cover - _days_from raises first


def _zero_due(
    calendar: WorkingCalendar, start: datetime, day: date, intervals: tuple[Stretch, ...]
) -> datetime | None:
    """Where a zero target falls on `day`, as add_working_time puts it: the start itself when
    inside working time or exactly at a close, else the next opening."""
    if day == calendar.local_date(start):
        earlier = calendar.intervals(day - timedelta(days=1))
        if any(closes == start for _, closes in earlier):
            return start
    for opens, closes in intervals:
        if start <= closes:
            return max(start, opens)
    return None


def _start_notes(
    calendar: WorkingCalendar, day: date, start: datetime, intervals: tuple[Stretch, ...]
) -> list[str]:
    """On the start's own date: what of the day's opening hours was not counted, and why."""
    if day != calendar.local_date(start):
        return []
    received = f"started {_clock(calendar, start)}"
    if not intervals:
        return [f"{received} on a closed day: counting starts at the next opening"]
    if start <= intervals[0][0]:
        if start == intervals[0][0]:
            return [f"{received}, at the opening"]
        opening = _clock(calendar, intervals[0][0])
        return [f"{received}, before opening: the time before {opening} not counted"]
    if start >= intervals[-1][1]:
        return [
            f"{received}, at or after the close ({close_clock(intervals[-1][1], calendar.tz)}): "
            "nothing counted that day"
        ]
    before = sum(
        (min(closes, start) - opens for opens, closes in intervals if opens < start),
        timedelta(0),
    )
    return [f"{received}: the {_hours(before)} of opening hours before it not counted"]


# -- working days --------------------------------------------------------------------------


def _working_days(calendar: WorkingCalendar, start: datetime, days: int) -> tuple[DayEntry, ...]:
    """The UK statutory count (MODEL.md): the day of the event is day 0; an event on a
    non-working day counts as received on the next working day; due at the close of day N."""
    if days < 0:
        raise CalendarError("working days to add must not be negative")
    entries: list[DayEntry] = []
    first = calendar.local_date(start)
    number: int | None = None
    for day in _days_from(first):
        notes = _clock_change(calendar, day) + _unknown_holidays(calendar, day)
        if not calendar.is_working_day(day):
            if day == first:
                notes = [
                    f"started {_clock(calendar, start)} on a non-working day: it counts as "
                    "received on the next working day",
                    *notes,
                ]
            entries.append(
                DayEntry(day, SKIPPED, reason="; ".join(_closed_reasons(calendar, day) + notes))
            )
            continue
        intervals = calendar.intervals(day)
        if number is None:
            number = 0
            why = (
                f"started {_clock(calendar, start)}: the day of the event is day 0, not counted"
                if day == first
                else "the event counts as received today: day 0, not counted"
            )
            entry = DayEntry(day, RECEIVED_DAY, day_number=0, reason=why)
        else:
            number += 1
            worked = sum((to - since for since, to in intervals), timedelta(0))
            entry = DayEntry(day, COUNTED, intervals, worked, day_number=number)
        if number == days:
            close = close_clock(intervals[-1][1], calendar.tz) if intervals else "its close"
            notes.append(f"day {days} of {days}: due at its close, {close}")
        if notes:
            joined = "; ".join(filter(None, [entry.reason, *notes]))
            entry = DayEntry(
                entry.day,
                entry.kind,
                entry.stretches,
                entry.counted,
                entry.total,
                entry.day_number,
                joined,
            )
        entries.append(entry)
        if number == days:
            return tuple(entries)
    raise AssertionError("unreachable")  # pragma: no cover - _days_from raises first


# -- words ---------------------------------------------------------------------------------


def _days_from(day: date) -> Iterator[date]:
    for offset in range(SEARCH_LIMIT_DAYS):
        yield day + timedelta(days=offset)
    raise CalendarError(f"no working time within {SEARCH_LIMIT_DAYS} days of {day}")


def _closed_reasons(calendar: WorkingCalendar, day: date) -> list[str]:
    """Why a day counts nothing: no opening hours that weekday, a closed day, or both."""
    reasons = []
    weekday = day.weekday()
    if not calendar.week[weekday]:
        name = WEEKDAY_FULL_NAMES[weekday]
        reasons.append(
            f"weekend (no opening hours on {name}s)"
            if weekday >= 5
            else f"no opening hours on {name}s"
        )
    why = calendar.closed_days.get(day)
    if why:
        reasons.extend(_closed_day(part.strip()) for part in why.split(";"))
    if not reasons and calendar.has_opening_hours(day) and not calendar.intervals(day):
        reasons.append("its opening hours fall in the hour the clocks skip")
    return reasons


def _closed_day(label: str) -> str:
    """`Christmas Day (bank holiday)` -> `bank holiday: Christmas Day`, as the store labels it."""
    for suffix, kind in ((" (bank holiday)", "bank holiday"), (" (closure)", "office closure")):
        if label.endswith(suffix):
            return f"{kind}: {label.removesuffix(suffix)}"
    return f"closed: {label}"


def _clock_change(calendar: WorkingCalendar, day: date) -> list[str]:
    """A day the clocks change on: opening hours are wall-clock times, so none move (MODEL.md)."""
    before = datetime.combine(day, time(0), tzinfo=calendar.tz)
    after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.tz)
    old, new = before.utcoffset(), after.utcoffset()
    if old is None or new is None or old == new:
        return []
    way = "forward" if new > old else "back"
    return [
        f"the clocks go {way} ({before.tzname()} to {after.tzname()}): opening hours keep "
        "their wall-clock times, so no deadline moves by an hour"
    ]


def _unknown_holidays(calendar: WorkingCalendar, day: date) -> list[str]:
    """A weekday of a year whose bank holidays the store does not know: none is assumed, so a
    reader checking the deadline knows which days to look up."""
    if calendar.knows(day) or not calendar.is_working_day(day):
        return []
    return [f"the bank holidays of {day.year} are not known: none assumed"]


def _clock(calendar: WorkingCalendar, instant: datetime) -> str:
    return instant.astimezone(calendar.tz).strftime("%H:%M")


def _hours(amount: timedelta) -> str:
    minutes = int(amount.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if minutes and hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{hours}h"
