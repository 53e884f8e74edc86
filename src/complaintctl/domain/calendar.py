"""Working time: when the organisation is open, and deadlines counted in working hours or days.

Pure: stdlib and zoneinfo only. Instants are timezone-aware datetimes; opening hours are wall-clock
times in the calendar's zone, so a working day is 8 hours whether the clocks changed that weekend
or not (MODEL.md, "Working time").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import day_ended_at, end_of_day, format_local
from complaintctl.text import quoted

MINUTES_PER_DAY = 24 * 60
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_FULL_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# A calendar with no working time at all would make every deadline search endless.
SEARCH_LIMIT_DAYS = 3660


class CalendarError(ValueError):
    """The calendar cannot answer: no working time at all, or a naive datetime."""


@dataclass(frozen=True)
class Opening:
    """One stretch of opening hours on a weekday, in minutes from local midnight.

    `end` may be 1440: open until midnight.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise CalendarError(f"opening hours must run forwards within a day: {self}")

    @classmethod
    def parse(cls, text: str) -> Opening:
        """Read `09:00-17:00` (24:00 is allowed as an end)."""
        try:
            first, last = text.strip().split("-")
            return cls(_parse_minutes(first), _parse_minutes(last))
        except ValueError as err:
            raise CalendarError(f"opening hours must look like 09:00-17:00, not {text!r}") from err

    def __str__(self) -> str:
        return f"{_format_minutes(self.start)}-{_format_minutes(self.end)}"


def _parse_minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= MINUTES_PER_DAY):
        raise ValueError(text)
    return value


def _format_minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


Week = tuple[tuple[Opening, ...], ...]
"""Opening hours for Monday (index 0) to Sunday (6), each a sorted tuple of stretches."""


def office_week(opens: str = "09:00-17:00", weekdays: int = 5) -> Week:
    """The usual week: the same hours Monday to Friday, closed at weekends."""
    hours = (Opening.parse(opens),)
    return tuple(hours if day < weekdays else () for day in range(7))


def format_week(week: Week) -> str:
    """`Mon 09:00-17:00; Tue …; Sat closed; …` — also the text the store keeps."""
    return "; ".join(
        f"{name} {', '.join(map(str, hours)) if hours else 'closed'}"
        for name, hours in zip(WEEKDAY_NAMES, week, strict=True)
    )


def parse_week(text: str) -> Week:
    """Read what format_week wrote."""
    days: dict[str, tuple[Opening, ...]] = {}
    for part in text.split(";"):
        name, _, hours = part.strip().partition(" ")
        if name not in WEEKDAY_NAMES:
            raise CalendarError(f"unknown weekday {name!r} in opening hours {text!r}")
        hours = hours.strip()
        days[name] = () if hours == "closed" else tuple(Opening.parse(h) for h in hours.split(","))
    week = tuple(tuple(sorted(days.get(name, ()), key=lambda o: o.start)) for name in WEEKDAY_NAMES)
    for openings in week:
        for earlier, later in zip(openings, openings[1:], strict=False):
            if later.start < earlier.end:
                raise CalendarError(f"opening hours overlap in {text!r}")
    return week


_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _dates(first: date, last: date) -> Iterator[date]:
    """Every date from `first` to `last`, both included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(f"a naive datetime has no place on the clock: {instant}")
    return instant.astimezone(UTC)


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Opening hours in a zone, less the days the organisation is closed.

    `closed_days` maps each closed date (bank holiday or office closure) to why it is closed.
    `known_from`/`known_through` bound the dates whose bank holidays are known: outside them a
    date with no entry may still be a holiday (`knows`).
    """

    zone: str = "Europe/London"
    week: Week = field(default_factory=office_week)
    closed_days: Mapping[date, str] = field(default_factory=dict)
    known_from: date = date.min
    known_through: date = date.max
    _intervals: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise CalendarError("opening hours need one entry per weekday")
        object.__setattr__(self, "_tz", ZoneInfo(self.zone))

    @property
    def tz(self) -> ZoneInfo:
        tz: ZoneInfo = self.__dict__["_tz"]
        return tz

    # -- days ------------------------------------------------------------------------------

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None:
            raise CalendarError(f"a naive datetime has no place on the clock: {instant}")
        return instant.astimezone(self.tz).date()

    def has_opening_hours(self, day: date) -> bool:
        """Whether `day` has opening hours in the week and is not closed (its hours may still
        fall where the clocks skip: `is_working_day`)."""
        return bool(self.week[day.weekday()]) and day not in self.closed_days

    def is_working_day(self, day: date) -> bool:
        """Whether `day` has any working time: opening hours, not closed, and not wholly in
        time the clocks skip (a stretch inside the skipped hour, or a date a zone skips)."""
        return bool(self.intervals(day))

    def knows(self, day: date) -> bool:
        """Whether the bank holidays of `day` are known (else it is assumed to have none)."""
        return self.known_from <= day <= self.known_through

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's working stretches as UTC instants (empty on a closed day)."""
        cached = self._intervals.get(day)
        if cached is None:
            hours = self.week[day.weekday()] if self.has_opening_hours(day) else ()
            stretches = [(self._instant(day, o.start), self._instant(day, o.end)) for o in hours]
            if stretches:
                # Only the day's own instants: a date a zone skips (Samoa's 30 December 2011)
                # would otherwise put its hours on the next day's clock.
                first, last = self._instant(day, 0), self._instant(day, MINUTES_PER_DAY)
                stretches = [(max(first, opens), min(last, closes)) for opens, closes in stretches]
            # A stretch wholly inside the hour the clocks skip has no time in it at all.
            cached = tuple((opens, closes) for opens, closes in stretches if opens < closes)
            self._intervals[day] = cached
        return cached

    def closes_at_midnight(self, instant: datetime) -> bool:
        """Whether `instant` is midnight closing a working day open until then (`24:00`, the end
        of that day's last stretch): a deadline there is that close [MODEL: a deadline that
        lands at a close is that close]. Any other midnight (after a closed day, or a day that
        closes earlier) is the start of the day it begins. Where the clocks skip that midnight
        (Cairo's spring forward), the day still closes at its end, which reads as 01:00."""
        day = day_ended_at(_aware(instant), self.tz)
        if day is None:
            return False
        stretches = self.intervals(day)
        return bool(stretches) and stretches[-1][1] == instant

    def _instant(self, day: date, minutes: int) -> datetime:
        if minutes == MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), 0
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return wall.astimezone(UTC)

    def working_day(self) -> timedelta:
        """The length of the longest working day in the week: what "1d" of working time means."""
        longest = max(sum(o.end - o.start for o in hours) for hours in self.week)
        return timedelta(minutes=longest)

    # -- instants --------------------------------------------------------------------------

    def is_open(self, instant: datetime) -> bool:
        """Inside working time: from an opening up to, not including, its close."""
        instant = _aware(instant)
        return any(
            opens <= instant < closes for opens, closes in self.intervals(self.local_date(instant))
        )

    def next_opening(self, instant: datetime) -> datetime:
        """`instant` itself when open, else the next moment working time starts."""
        return self.add_working_time(instant, timedelta(0), allow_close=False)

    def add_working_time(
        self, start: datetime, amount: timedelta, *, allow_close: bool = True
    ) -> datetime:
        """The instant `amount` of working time after `start`.

        Time outside opening hours starts counting at the next opening; a result that lands on a
        close is that close, not the next opening (MODEL.md). With a zero amount, `start` is kept
        when it is inside working time or (with `allow_close`) exactly at a close.
        """
        # A step on many cases asks the same question of each (24 working hours from the same
        # instant): the last answer is kept. Asked by the instant in UTC: two datetimes in the
        # same zone compare by their wall time, so 01:30 BST and 01:30 GMT on the night the
        # clocks go back would be the same question.
        utc = _aware(start)
        question = (utc, amount, allow_close)
        last = self.__dict__.get("_last_added")
        if last is not None and last[0] == question:
            answer: datetime = last[1]
            return answer
        if amount < timedelta(0):
            raise CalendarError("working time to add must not be negative")
        found = self._add_by_totals(utc, amount) if amount else None
        answer = found if found is not None else self._walk(utc, amount, allow_close=allow_close)
        self.__dict__["_last_added"] = (question, answer)
        return answer

    def _walk(self, start: datetime, amount: timedelta, *, allow_close: bool) -> datetime:
        """add_working_time day by day: where the running totals cannot answer."""
        remaining = amount
        # From the day before: a stretch open until midnight closes on the day of `start`.
        day = self.local_date(start) - _ONE_DAY
        for _ in range(SEARCH_LIMIT_DAYS):
            for opens, closes in self.intervals(day):
                if start > closes or (start == closes and not (allow_close and not remaining)):
                    continue
                begin = max(start, opens)
                available = closes - begin
                if remaining <= available and (remaining or begin < closes or allow_close):
                    return begin + remaining
                remaining -= available
            day += _ONE_DAY
        raise CalendarError(f"no working time within {SEARCH_LIMIT_DAYS} days of {start}")

    def _add_by_totals(self, start: datetime, amount: timedelta) -> datetime | None:
        """add_working_time for a positive amount, by the running totals: the first instant
        with `amount` more working time behind it than `start` has, found by bisecting the
        totals at each day's end rather than walking the days. That instant is where a stretch
        supplies the last of the amount, a close when the amount ends there (MODEL.md). None
        when it lies beyond the days covered (or the stretches are out of order): the walk
        then finds it."""
        day = start.astimezone(self.tz).date()
        cache = self.__dict__
        totals: dict[date, timedelta] | None = cache.get("_totals")
        if totals is None or day not in totals:
            self._cover(day)
            totals = cache["_totals"]
        target = totals[day] + self._partial(day, start) + amount
        ends: list[timedelta] = cache["_ends"]
        index = bisect_left(ends, target)
        if index == len(ends):
            return None
        found_day = cache["_days"][index]
        # More than nothing is left for that day: the total at its start is short of the target.
        remaining = target - totals[found_day]
        for opens, closes in self.intervals(found_day):
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("the running totals disagree with the day's stretches")

    def subtract_working_time(self, end: datetime, amount: timedelta) -> datetime:
        """An instant `amount` of working time before `end` (the latest one, inside working
        time or at an opening): the way back that add_working_time goes forward. A zero
        amount is `end` itself."""
        if amount < timedelta(0):
            raise CalendarError("working time to subtract must not be negative")
        end = _aware(end)
        if not amount:
            return end
        remaining = amount
        last = self.local_date(end) + timedelta(days=1)
        for offset in range(SEARCH_LIMIT_DAYS):
            for opens, closes in reversed(self.intervals(last - timedelta(days=offset))):
                if opens >= end:
                    continue
                finish = min(end, closes)
                if remaining <= finish - opens:
                    return finish - remaining
                remaining -= finish - opens
        raise CalendarError(f"no working time within {SEARCH_LIMIT_DAYS} days before {end}")

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The close of the `days`-th working day after the day of `start`.

        The UK statutory convention (MODEL.md): day 1 is the first working day after the day of
        the event; an event on a non-working day counts as received on the next working day.
        """
        if days < 0:
            raise CalendarError("working days to add must not be negative")
        received = self._working_index(self.local_date(start), days)
        last = self.__dict__["_working_days"][received + days]
        return self.intervals(last)[-1][1]

    def _working_index(self, day: date, ahead: int) -> int:
        """The index, in the sorted list of working days, of the first one on or after `day`,
        with at least `ahead` more listed after it.

        Built once per span of dates and extended when asked beyond it, so a deadline in
        working days is two look-ups rather than a walk through the calendar.
        """
        cache = self.__dict__
        first: dict[date, int] = cache.get("_first_working", {})
        index = first.get(day)
        if index is not None and index + ahead < len(cache["_working_days"]):
            return index
        span = cache.get("_working_span", (day, day))
        start, end = min(span[0], day), max(span[1], day)
        while True:
            end += timedelta(days=2 * ahead + 400)
            working = [d for d in _dates(start, end) if self.is_working_day(d)]
            first = {}
            position = len(working)
            for d in reversed(list(_dates(start, end))):
                if position and working[position - 1] == d:
                    position -= 1
                first[d] = position
            if first[day] + ahead < len(working):
                break
            if (end - day).days > 2 * SEARCH_LIMIT_DAYS + 2 * ahead:
                raise CalendarError(f"no working day within {SEARCH_LIMIT_DAYS} days of {day}")
        cache.update(_working_days=working, _first_working=first, _working_span=(start, end))
        return first[day]

    def add_months(self, start: datetime, months: int) -> datetime:
        """The same wall-clock time `months` calendar months on (the last day of a shorter
        month when the day does not exist there), as an instant. A wall time the clocks go back
        through is its later occurrence (it has not passed for good until then: a consumer's
        window is not cut an hour short); one they skip is the instant after the gap."""
        local = _aware(start).astimezone(self.tz)
        month_index = local.month - 1 + months
        year, month = local.year + month_index // 12, month_index % 12 + 1
        day = min(local.day, _days_in_month(year, month))
        wall = local.replace(tzinfo=None, year=year, month=month, day=day)
        # Read with either offset: twice over, the later; in a gap, the earlier offset's
        # reading is the one past the gap. Elsewhere both readings are the same instant.
        return max(wall.replace(tzinfo=self.tz, fold=fold).astimezone(UTC) for fold in (0, 1))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end`; negative when `end` comes first."""
        # Called once per listed row by `overdue` and `queue`: each instant's working time
        # since the covered span began (a running total by date, plus that day's part), so the
        # time between two instants is a subtraction, however far apart.
        if start.tzinfo is None or end.tzinfo is None:
            naive = start if start.tzinfo is None else end
            raise CalendarError(f"a naive datetime has no place on the clock: {naive}")
        tz = self.tz
        start_day, end_day = start.astimezone(tz).date(), end.astimezone(tz).date()
        cache = self.__dict__
        totals: dict[date, timedelta] | None = cache.get("_totals")
        if totals is None or start_day not in totals or end_day not in totals:
            # Both days in one span: the running totals count from the span's first day.
            self._cover(start_day, end_day)
            totals = cache["_totals"]
        return (totals[end_day] + self._partial(end_day, end)) - (
            totals[start_day] + self._partial(start_day, start)
        )

    def working_times_to(self, starts: Sequence[datetime], end: datetime) -> list[timedelta]:
        """The working time from each of `starts` to `end` (negative for one after `end`):
        working_time_between for every row of a listing measured against one instant, with
        that instant's part worked out once."""
        if end.tzinfo is None or any(start.tzinfo is None for start in starts):
            raise CalendarError("a naive datetime has no place on the clock")
        tz = self.tz
        days = [start.astimezone(tz).date() for start in starts]
        end_day = end.astimezone(tz).date()
        self._cover(end_day, *days)
        totals: dict[date, timedelta] = self.__dict__["_totals"]
        partial = self._partial
        up_to_end = totals[end_day] + partial(end_day, end)
        return [
            up_to_end - (totals[day] + partial(day, start))
            for start, day in zip(starts, days, strict=True)
        ]

    def working_clock(self, instants: Sequence[datetime]) -> list[int]:
        """Where each of `instants` stands on a running count of working time, in whole
        microseconds: the working time from one to another (working_time_between) is the
        difference of the two. The count starts somewhere before them all, and where depends
        on what was asked before, so only readings of one call are subtracted. For the report,
        which measures a working time for every case it counts: each instant is found among
        the covered days' stretches by bisection, not by its local date."""
        if None in {instant.tzinfo for instant in instants}:
            naive = next(instant for instant in instants if instant.tzinfo is None)
            raise CalendarError(f"a naive datetime has no place on the clock: {naive}")
        if not instants:
            return []
        tz = self.tz
        self._cover(min(instants).astimezone(tz).date(), max(instants).astimezone(tz).date())
        cache = self.__dict__
        if not cache["_ends"]:
            # The stretches out of order (a date a zone skips): by each instant's local date.
            totals: dict[date, timedelta] = cache["_totals"]
            partial = self._partial
            return [
                (totals[day] + partial(day, instant)) // _MICROSECOND
                for instant, day in (
                    (instant, instant.astimezone(tz).date()) for instant in instants
                )
            ]
        opens, closes, before, after = self._stretches()
        placed: list[int] = []
        for instant in instants:
            # The stretch last opened before it: the working time up to its opening, and then
            # up to the instant, or to its close if it closed by then.
            index = bisect_left(opens, instant) - 1
            if index < 0:
                placed.append(0)
            elif instant < closes[index]:
                placed.append(before[index] + (instant - opens[index]) // _MICROSECOND)
            else:
                placed.append(after[index])
        return placed

    def _stretches(self) -> tuple[list[datetime], list[datetime], list[int], list[int]]:
        """The covered days' stretches in order (_cover found them so): when each opens and
        closes, and the running total of working time (microseconds) at each opening and
        close, from the covered span's first day as the running totals count."""
        cache = self.__dict__
        span = cache["_totals_span"]
        kept = cache.get("_in_order")
        if kept is not None and kept[0] == span:
            found: tuple[list[datetime], list[datetime], list[int], list[int]] = kept[1]
            return found
        opens: list[datetime] = []
        closes: list[datetime] = []
        before: list[int] = []
        after: list[int] = []
        running = 0
        for day in cache["_days"]:
            for opened, closed in self.intervals(day):
                opens.append(opened)
                closes.append(closed)
                before.append(running)
                running += (closed - opened) // _MICROSECOND
                after.append(running)
        found = (opens, closes, before, after)
        cache["_in_order"] = (span, found)
        return found

    def _partial(self, day: date, instant: datetime) -> timedelta:
        """Working time on `day` (the local date of `instant`) up to `instant`."""
        stretches = self._intervals.get(day)
        if stretches is None:
            stretches = self.intervals(day)
        partial = _ZERO
        for opens, closes in stretches:
            if instant > opens:
                partial += (closes if closes < instant else instant) - opens
        return partial

    def _cover(self, *days: date) -> None:
        """Make sure the running totals span `days` (widened by a month either side)."""
        cache = self.__dict__
        totals: dict[date, timedelta] = cache.get("_totals", {})
        if all(day in totals for day in days):
            return
        span = cache.get("_totals_span", (min(days), max(days)))
        first = min(span[0], *days) - timedelta(days=31)
        last = max(span[1], *days) + timedelta(days=31)
        totals, running = {}, timedelta(0)
        covered: list[date] = []
        ends: list[timedelta] = []  # the running total at the end of each covered day
        in_order, last_close = True, datetime.min.replace(tzinfo=UTC)
        for each in _dates(first, last):
            totals[each] = running
            for opens, closes in self.intervals(each):
                running += closes - opens
                in_order, last_close = in_order and last_close <= opens, closes
            covered.append(each)
            ends.append(running)
        # A local date a zone skips (Samoa's 30 December 2011) can put a day's stretches
        # before the last day's in time: no order to bisect, so add_working_time walks.
        cache.update(
            _totals=totals,
            _totals_span=(first, last),
            _days=covered,
            _ends=ends if in_order else [],
        )


# -- subject access: one calendar month, the ICO's way ---------------------------------------

# The ICO counts a subject-access request's month in days, not working time: the answer is due
# on a date, so any moment of that date is in time (MODEL.md, "Personal data"): it falls due
# at the date's end (instants.end_of_day).


def corresponding_date(received: date, months: int) -> date:
    """The date `months` calendar months after `received`: the same day of the month, or the
    last day of a month that has no such day (31 January + 1 → 28 or 29 February)."""
    month_index = received.month - 1 + months
    year, month = received.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(received.day, _days_in_month(year, month)))


def subject_access_due_date(received: date, months: int, bank_holidays: Container[date]) -> date:
    """When a subject-access request received on `received` (the day of receipt, whatever the
    hour or whether the organisation was open) must be answered, `months` calendar months on:
    the corresponding date (`corresponding_date`), moved to the next day that is neither a
    Saturday, a Sunday nor one of `bank_holidays` (the ICO's guidance; MODEL.md). The weekend
    is the ICO's, not the organisation's opening week, and an office closure does not move it:
    the law's month does not stretch for the organisation's own arrangements."""
    due = corresponding_date(received, months)
    for _ in range(SEARCH_LIMIT_DAYS):
        if due.weekday() < 5 and due not in bank_holidays:
            return due
        due += _ONE_DAY
    raise CalendarError(f"no working day within {SEARCH_LIMIT_DAYS} days of {due}")


def subject_access_due(
    received_at: datetime, months: int, zone: str, bank_holidays: Container[date]
) -> datetime:
    """The instant a subject-access request received at `received_at` is due: the end of its
    due date (23:59:59 in `zone`), as UTC. The day of receipt is the local date of
    `received_at` in `zone`."""
    tz = ZoneInfo(zone)
    received = _aware(received_at).astimezone(tz).date()
    # Where the clocks go back at midnight (Africa/Cairo, on a Thursday), the day's last
    # hour comes twice, and the day ends at the later 23:59:59.
    return end_of_day(subject_access_due_date(received, months, bank_holidays), tz)


def past_due_date(due_at: datetime, at: datetime) -> bool:
    """Whether `at` is past a subject-access request's due date, whose due instant is that
    date's last second (`subject_access_due`): any moment of that second (23:59:59.5) is the
    date still, so a request answered then is in time, and it is overdue from the next day."""
    return at >= due_at + _ONE_SECOND


# -- an organisation's calendar, as an officer types it -------------------------------------

_DAY_NAMES = {
    **{name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)},
    **{name.lower(): index for index, name in enumerate(WEEKDAY_FULL_NAMES)},
}
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)", re.ASCII)
_DASHES = "-\u2013"  # a hyphen, or the en dash a word processor puts for one
_SEPARATES_HOURS = re.compile(rf"\s*[{_DASHES}]\s*")
# Where the days end and the hours begin: the first digit (of any script, so that hours typed
# in other digits are refused as hours, quoted whole), or the word "closed".
_HOURS_BEGIN = re.compile(r"\d|\bclosed\b", re.IGNORECASE)
# Less than this a week is a typing mistake (`Mon 09:00-09:05`), and would put deadlines years
# ahead, past what the calendar searches.
_LEAST_OPEN_MINUTES = 60
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def parse_hours(text: str) -> Week:
    """Opening hours as an officer types them: groups parted by `;`, each days then hours,
    e.g. `Mon-Fri 09:00-12:30, 13:30-17:00; Sat 10:00-13:00`. Days are a weekday (`Mon` or
    `Monday`, any case), a range of them in week order (`Mon-Thu`), or several parted by
    commas (`Mon, Wed`); hours are stretches `HH:MM-HH:MM` parted by commas, or `closed`.
    Spaces around the marks are free. A day not named is closed. An end of 24:00 is midnight.

    Refused (CalendarError, saying why): a day named twice, stretches that overlap or end
    before they start, an unknown weekday, a week with no opening hours at all (no deadline
    would ever fall) or less than an hour of them, control or direction characters."""
    if _CONTROL.search(text):
        raise CalendarError("must not contain control characters")
    days: dict[int, tuple[Opening, ...]] = {}
    groups = [group.strip() for group in text.split(";")]
    if not any(groups):
        raise CalendarError("must not be empty; write e.g. 'Mon-Fri 09:00-17:00'")
    for group in groups:
        if not group:
            continue  # a trailing `;`
        begins = _HOURS_BEGIN.search(group)
        if begins is None or not group[: begins.start()].strip():
            raise CalendarError(
                f"{quoted(group)} must name its days, then their hours, e.g. 'Mon-Fri 09:00-17:00'"
            )
        named, hours = group[: begins.start()], group[begins.start() :].strip()
        stretches = () if hours.lower() == "closed" else _stretches(hours)
        for day in _days(named):
            if day in days:
                raise CalendarError(f"names {WEEKDAY_FULL_NAMES[day]} twice")
            days[day] = stretches
    week = tuple(days.get(day, ()) for day in range(7))
    if not any(week):
        raise CalendarError("has no opening hours at all: no deadline would ever fall due")
    open_minutes = sum(o.end - o.start for hours in week for o in hours)
    if open_minutes < _LEAST_OPEN_MINUTES:
        raise CalendarError(
            f"opens for {open_minutes} minutes a week, less than an hour: a deadline of 24 "
            "working hours would fall months ahead"
        )
    return week


def _days(named: str) -> list[int]:
    found: list[int] = []
    for part in named.split(","):
        first, dash, last = (re.split(f"([{_DASHES}])", part, maxsplit=1) + ["", ""])[:3]
        first, last = first.strip(), last.strip()
        if not first:
            raise CalendarError(f"{quoted(named.strip())} is not a list of weekdays")
        start = _day(first)
        if not dash:
            found.append(start)
            continue
        end = _day(last)
        if end < start:
            raise CalendarError(
                f"{quoted(part.strip())} runs backwards: a range of days runs Monday to Sunday"
            )
        found.extend(range(start, end + 1))
    return found


def _day(name: str) -> int:
    index = _DAY_NAMES.get(name.lower())
    if index is None:
        raise CalendarError(
            f"{quoted(name)} is not a weekday: write Mon, Tue, Wed, Thu, Fri, Sat or Sun"
        )
    return index


def _stretches(hours: str) -> tuple[Opening, ...]:
    stretches: list[Opening] = []
    for part in hours.split(","):
        sides = _SEPARATES_HOURS.split(part.strip())
        if len(sides) != 2 or not all(_CLOCK.fullmatch(side) for side in sides):
            raise CalendarError(f"hours must look like 09:00-17:00, not {quoted(part.strip())}")
        start, end = (_clock_minutes(side) for side in sides)
        if end <= start:
            raise CalendarError(f"{quoted(part.strip())} does not end after it starts")
        stretches.append(Opening(start, end))
    stretches.sort(key=lambda opening: opening.start)
    for earlier, later in zip(stretches, stretches[1:], strict=False):
        if later.start < earlier.end:
            raise CalendarError(f"{earlier} and {later} overlap")
    joined = stretches[:1]
    for later in stretches[1:]:
        if later.start == joined[-1].end:  # touching: one stretch, the same hours
            joined[-1] = Opening(joined[-1].start, later.end)
        else:
            joined.append(later)
    return tuple(joined)


def _clock_minutes(text: str) -> int:
    clock = _CLOCK.fullmatch(text)
    assert clock is not None
    hours, minutes = int(clock[1]), int(clock[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise CalendarError(f"{quoted(text)} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def describe_hours(week: Week) -> str:
    """The week in the words parse_hours reads, consecutive days with the same hours as one
    range: `Mon-Fri 09:00-17:00` (days not named are closed)."""
    groups: list[tuple[int, int, tuple[Opening, ...]]] = []
    for day, hours in enumerate(week):
        if groups and groups[-1][2] == hours and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, hours)
        else:
            groups.append((day, day, hours))
    return "; ".join(
        f"{WEEKDAY_NAMES[first]}{'' if first == last else '-' + WEEKDAY_NAMES[last]} "
        f"{', '.join(map(str, hours))}"
        for first, last, hours in groups
        if hours
    )


@dataclass(frozen=True)
class CalendarChoice:
    """An organisation's calendar as the store keeps it: its zone (an IANA name), its week
    (format_week's text) and the region of its bank holidays (`GB-ENG`)."""

    zone: str
    week: str
    region: str


def zone_problem(name: str, known: Container[str]) -> str | None:
    """Why `name` cannot be the calendar's zone, or None: it must be one of the IANA names
    in `known` (zoneinfo.available_timezones()), not a path or a POSIX rule."""
    if _CONTROL.search(name):
        return "must not contain control characters"
    if name in {"localtime", "posixrules", "Factory"} or name not in known:
        return f"{quoted(name)} is not a time zone name: write an IANA name, e.g. Europe/London"
    return None


def working_days_from(calendar: WorkingCalendar, first: date, last: date) -> int:
    """How many working days there are from `first` to `last`, both included."""
    return sum(1 for day in _dates(first, last) if calendar.is_working_day(day))


def format_due(instant: datetime, tz: ZoneInfo, calendar: WorkingCalendar | None) -> str:
    """A deadline as a person reads it (`format_local`), but one at the close of a working day
    open until midnight as that day's `24:00` (`Wed 2026-12-02 24:00 GMT`), as its hours are
    written (`09:00-24:00`), never as the next day's 00:00: only where `calendar` says the day
    closes then (`closes_at_midnight`); any other midnight is the day it begins."""
    if calendar is None or not calendar.closes_at_midnight(instant):
        return format_local(instant, tz)
    # The day's end in its own offset: where the clocks skip midnight, not the next day's.
    before = (instant - _MICROSECOND).astimezone(tz)
    return f"{before:%a %Y-%m-%d} 24:00 {before:%Z}"
