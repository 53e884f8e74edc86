"""The working-hours clock in other zones and years, with instants to the microsecond, against a
second brute-force oracle.

The oracle cuts time into UTC minutes. A minute is working when its wall-clock time in the zone
falls in a stretch of that local date's weekday and the date is not closed; opening hours and UTC
offsets are whole minutes, so each minute is wholly working or not, and an instant with seconds
and microseconds is counted by how much of its minute lies on each side. It knows nothing of the
calendar's intervals or running totals.

The zones change their clocks at different wall times: at 01:00 (London, Dublin, whose summer
time is its standard time), 02:00 (New York, Sydney), by half an hour (Lord Howe), at midnight
(Santiago, Beirut), not at all (Kathmandu, +05:45), or by a whole day (Apia, which skipped
30 December 2011). A stretch boundary strictly inside a wall time the clocks skip or repeat has
no single meaning and is out of scope; a boundary at the edge of one (00:00 where the clocks go
forward at midnight) is in scope. Instants run from 2000 to 2099, the years dates run to.

A subject-access request's month is checked against a day-by-day walk through the months.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from complaintctl.domain.calendar import (
    Opening,
    WorkingCalendar,
    subject_access_due,
)
from tests.conftest import examples

pytestmark = pytest.mark.properties

ONE_MINUTE = timedelta(minutes=1)
DAY = 24 * 60
ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Beirut",
    "Asia/Kathmandu",
    "Pacific/Apia",
)
FIRST_YEAR, LAST_YEAR = 2000, 2099
BANK_HOLIDAYS = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR - 1, LAST_YEAR + 2))
)

Stretches = tuple[tuple[int, int], ...]
PlainWeek = tuple[Stretches, ...]


# -- the zones' clock changes ---------------------------------------------------------------


@cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """Every instant (UTC) the zone's offset changes, 2000-2099."""
    tz = ZoneInfo(zone)
    found = []
    day = datetime(FIRST_YEAR - 1, 12, 31, tzinfo=UTC)
    end = datetime(LAST_YEAR + 1, 1, 2, tzinfo=UTC)
    step = timedelta(days=3)
    while day < end:
        after = day + step
        if day.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            low, high = day, after  # offset at low differs from high: find the first minute
            while high - low > ONE_MINUTE:
                middle = low + (high - low) / 2
                middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = after
    return tuple(found)


@cache
def ambiguous_walls(zone: str) -> tuple[tuple[int, int], ...]:
    """The wall-time windows (minutes from midnight) the zone's clocks skip or repeat."""
    tz = ZoneInfo(zone)
    windows = set()
    for moment in transitions(zone):
        before = (moment - ONE_MINUTE).astimezone(tz) + ONE_MINUTE
        after = moment.astimezone(tz)
        walls = sorted((before.hour * 60 + before.minute, after.hour * 60 + after.minute))
        low, high = walls
        if high - low > DAY // 2:  # across midnight: 23:00 to 24:00
            low, high = high, low + DAY
        windows.add((low, high))
    return tuple(sorted(windows))


def boundaries(zone: str) -> tuple[int, ...]:
    """Wall minutes a stretch may open or close on in `zone`."""
    return tuple(
        b
        for b in range(DAY + 1)
        if not any(low < b < high or low < b + DAY < high for low, high in ambiguous_walls(zone))
    )


# -- the oracle -----------------------------------------------------------------------------


class TooFar(Exception):
    """The oracle gave up: the example asks it to walk further than it will."""


ORACLE_MINUTES = 8 * 7 * DAY


def floor_minute(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass
class Oracle:
    zone: str
    week: PlainWeek
    closed: frozenset[date]
    _open: dict[datetime, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.zone)

    def working(self, minute: datetime) -> bool:
        """Whether the UTC minute starting at `minute` is working time."""
        known = self._open.get(minute)
        if known is None:
            local = minute.astimezone(self.tz)
            wall = local.hour * 60 + local.minute
            known = local.date() not in self.closed and any(
                start <= wall < end for start, end in self.week[local.weekday()]
            )
            self._open[minute] = known
        return known

    def cells(self, start: datetime) -> Iterator[datetime]:
        minute = floor_minute(start)
        for _ in range(ORACLE_MINUTES):
            yield minute
            minute += ONE_MINUTE
        raise TooFar(start)

    def is_open(self, instant: datetime) -> bool:
        return self.working(floor_minute(instant))

    def next_opening(self, start: datetime) -> datetime:
        if self.is_open(start):
            return start.astimezone(UTC)
        return next(m for m in self.cells(start) if m > start and self.working(m))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        start = start.astimezone(UTC)
        if not amount:
            at_close = start == floor_minute(start) and self.working(start - ONE_MINUTE)
            return start if self.is_open(start) or at_close else self.next_opening(start)
        remaining, position = amount, start
        for minute in self.cells(start):
            end = minute + ONE_MINUTE
            if self.working(minute):
                available = end - position
                if remaining <= available:
                    return position + remaining
                remaining -= available
            position = end
        raise AssertionError("unreachable")  # pragma: no cover

    def between(self, start: datetime, end: datetime) -> timedelta:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end < start:
            return -self.between(end, start)
        total = timedelta(0)
        minute = floor_minute(start)
        while minute < end:
            if self.working(minute):
                total += min(minute + ONE_MINUTE, end) - max(minute, start)
            minute += ONE_MINUTE
        return total

    def working_minutes_of(self, day: date) -> list[datetime]:
        """The working minutes whose local date is `day`."""
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        minute = midnight - timedelta(hours=16)
        found = []
        while minute < midnight + timedelta(hours=40):
            if minute.astimezone(self.tz).date() == day and self.working(minute):
                found.append(minute)
            minute += ONE_MINUTE
        return found

    def add_days(self, event: datetime, days: int) -> datetime:
        """The close of the `days`-th working day after the event's (a day with working time
        is a working day; an event on another counts from the next that is)."""
        day = event.astimezone(self.tz).date()
        for _ in range(days + 1):
            for _ in range(60):
                if self.working_minutes_of(day):
                    break
                day += timedelta(days=1)
            else:
                raise TooFar(event)
            last = day
            day += timedelta(days=1)
        return self.working_minutes_of(last)[-1] + ONE_MINUTE


@dataclass
class Setup:
    zone: str
    week: PlainWeek
    closed: frozenset[date]
    calendar: WorkingCalendar = field(init=False, repr=False)
    oracle: Oracle = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.calendar = WorkingCalendar(
            zone=self.zone,
            week=tuple(tuple(Opening(start, end) for start, end in day) for day in self.week),
            closed_days=dict.fromkeys(sorted(self.closed), "closed"),
        )
        self.oracle = Oracle(self.zone, self.week, self.closed)

    @property
    def weekly(self) -> timedelta:
        return ONE_MINUTE * sum(end - start for day in self.week for start, end in day)


# -- strategies -----------------------------------------------------------------------------


@st.composite
def day_hours(draw: st.DrawFn, zone: str) -> Stretches:
    allowed = boundaries(zone)
    kind = draw(st.sampled_from(["closed", "office", "all-day", "midnight", "short", "any"]))
    if kind == "closed":
        return ()
    if kind == "office":
        return ((540, 1020),)
    if kind == "all-day":
        return ((0, DAY),)
    if kind == "midnight":  # from 00:00, or until 24:00
        if draw(st.booleans()):
            return ((0, draw(st.sampled_from([b for b in allowed if b > 0]))),)
        return ((draw(st.sampled_from([b for b in allowed if b < DAY])), DAY),)
    if kind == "short":  # a minute or a quarter of an hour
        start = draw(st.sampled_from(allowed))
        length = draw(st.sampled_from([1, 15]))
        assume(start + length <= DAY and start + length in allowed)
        return ((start, start + length),)
    points = sorted(draw(st.sets(st.sampled_from(allowed), min_size=2, max_size=6)))
    return tuple(zip(points[0::2], points[1::2], strict=False))


@st.composite
def weeks(draw: st.DrawFn, zone: str) -> PlainWeek:
    if draw(st.integers(0, 3)) == 0:
        # The office week with a Saturday morning.
        saturday = draw(st.sampled_from([((540, 780),), ((600, 660),), ()]))
        return ((((540, 1020),),) * 5) + (saturday, ())
    week = tuple(draw(day_hours(zone)) for _ in range(7))
    assume(any(week))
    return week


def _wall(tz: ZoneInfo, day: date, minutes: int) -> datetime:
    day += timedelta(days=minutes // DAY)
    hours, minutes = divmod(minutes % DAY, 60)
    return datetime.combine(day, time(hours, minutes), tzinfo=tz).astimezone(UTC)


FIRST = datetime(FIRST_YEAR, 1, 3, tzinfo=UTC)
LAST = datetime(LAST_YEAR, 12, 1, tzinfo=UTC)
FRACTION = st.one_of(
    st.just(timedelta(0)),
    st.integers(0, 59).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 60_000_000 - 1).map(lambda us: timedelta(microseconds=us)),
    st.sampled_from([timedelta(microseconds=1), timedelta(microseconds=-1), -ONE_MINUTE]),
)


@st.composite
def instants(draw: st.DrawFn, zone: str, week: PlainWeek) -> datetime:
    tz = ZoneInfo(zone)
    kind = draw(st.sampled_from(["any", "clock-change", "boundary", "boundary-near-change"]))
    if kind == "any":
        seconds = int((LAST - FIRST).total_seconds())
        base = FIRST + timedelta(seconds=draw(st.integers(0, seconds)))
    else:
        changes = [t for t in transitions(zone) if FIRST < t < LAST]
        if kind == "boundary" or not changes:
            day = draw(st.dates(FIRST.date(), LAST.date()))
        else:
            day = draw(st.sampled_from(changes)).date() + timedelta(draw(st.integers(-3, 3)))
        if kind == "clock-change" and changes:
            base = draw(st.sampled_from(changes))
            base += ONE_MINUTE * draw(st.integers(-3 * DAY, 3 * DAY))
        else:
            walls = sorted({b for hours in week for stretch in hours for b in stretch} | {0})
            base = _wall(tz, day, draw(st.sampled_from(walls)))
    return base + draw(FRACTION)


CLOSURE_OFFSETS = st.frozensets(st.integers(-3, 21), max_size=5)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Setup, datetime]:
    zone = draw(st.sampled_from(ZONES))
    week = draw(weeks(zone))
    start = draw(instants(zone, week))
    around = start.astimezone(ZoneInfo(zone)).date()
    closed = frozenset(around + timedelta(days=d) for d in draw(CLOSURE_OFFSETS))
    if draw(st.booleans()):
        closed |= BANK_HOLIDAYS
    return Setup(zone, week, closed), start


def amounts(setup: Setup) -> st.SearchStrategy[timedelta]:
    """Working time to add: up to about four office days, less on a sparse week."""
    top = min(timedelta(hours=32), 2 * setup.weekly)
    seconds = int(top.total_seconds())
    return st.one_of(
        st.just(timedelta(0)),
        st.integers(1, seconds // 3600 or 1).map(lambda h: timedelta(hours=h)),
        st.integers(1, seconds // 60).map(lambda m: m * ONE_MINUTE),
        st.integers(1, seconds * 1_000_000).map(lambda us: timedelta(microseconds=us)),
    ).filter(lambda amount: amount <= top)


@st.composite
def to_a_boundary(draw: st.DrawFn, setup: Setup, start: datetime) -> timedelta:
    """The working time from `start` to where a stretch opens or closes a few days on: a
    deadline that lands exactly on a close is that close, not the next opening."""
    walls = sorted({b for hours in setup.week for stretch in hours for b in stretch})
    day = start.astimezone(ZoneInfo(setup.zone)).date() + timedelta(draw(st.integers(0, 6)))
    amount = setup.oracle.between(
        start, _wall(ZoneInfo(setup.zone), day, draw(st.sampled_from(walls)))
    )
    return amount if amount > timedelta(0) else timedelta(0)


def shown_in(setup: Setup, instant: datetime, draw: st.DrawFn) -> datetime:
    """The same instant as UTC or in the calendar's zone: the answer must not depend on it."""
    return instant.astimezone(draw(st.sampled_from([UTC, ZoneInfo(setup.zone)])))


# -- against the oracle ---------------------------------------------------------------------

EXAMPLES = settings(max_examples=examples(60, 200), deadline=None)
# Each example covers up to a century of running totals: fewer of them.
FAR_EXAMPLES = settings(max_examples=examples(15, 40), deadline=None)


@EXAMPLES
@given(data=st.data())
def test_adding_working_time_in_any_zone_and_year_agrees_with_the_minute_oracle(data):
    setup, start = data.draw(scenarios(), label="setup, start")
    amount = data.draw(amounts(setup) | to_a_boundary(setup, start), label="amount")
    try:
        expected = setup.oracle.add(start, amount)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.add_working_time(shown_in(setup, start, data.draw), amount)


@EXAMPLES
@given(data=st.data())
def test_the_next_working_moment_in_any_zone_and_year_agrees_with_the_minute_oracle(data):
    setup, start = data.draw(scenarios(), label="setup, start")
    try:
        expected = setup.oracle.next_opening(start)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.next_opening(shown_in(setup, start, data.draw))
    assert setup.oracle.is_open(start) == setup.calendar.is_open(start)


@EXAMPLES
@given(data=st.data())
def test_working_time_between_in_any_zone_and_year_agrees_with_the_minute_oracle(data):
    setup, start = data.draw(scenarios(), label="setup, start")
    span = data.draw(st.integers(-6 * DAY * 60_000_000, 6 * DAY * 60_000_000), label="us")
    end = start + timedelta(microseconds=span)
    expected = setup.oracle.between(start, end)

    assert expected == setup.calendar.working_time_between(start, end)
    assert [expected] == setup.calendar.working_times_to([start], end)
    placed = setup.calendar.working_clock([start, end])
    assert expected == timedelta(microseconds=placed[1] - placed[0])


@EXAMPLES
@given(data=st.data())
def test_subtracting_working_time_in_any_zone_and_year_agrees_with_the_minute_oracle(data):
    """The latest instant with `amount` of working time between it and `end`."""
    setup, end = data.draw(scenarios(), label="setup, end")
    amount = data.draw(amounts(setup), label="amount")
    earlier = setup.calendar.subtract_working_time(shown_in(setup, end, data.draw), amount)

    assert setup.oracle.between(earlier, end) == amount
    if amount:
        assert setup.oracle.between(earlier + timedelta(microseconds=1), end) < amount


@EXAMPLES
@given(data=st.data())
def test_working_days_in_any_zone_and_year_agree_with_the_day_oracle(data):
    setup, event = data.draw(scenarios(), label="setup, event")
    days = data.draw(st.integers(0, 12), label="days")
    try:
        expected = setup.oracle.add_days(event, days)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.add_working_days(shown_in(setup, event, data.draw), days)


@FAR_EXAMPLES
@given(data=st.data())
def test_a_calendar_that_answered_far_away_answers_as_a_fresh_one(data):
    """The calendar keeps running totals and lists of working days between questions: one
    asked about 2001 and then about 2098 (or the other way) answers as a fresh one."""
    setup, start = data.draw(scenarios(), label="setup, start")
    amount = data.draw(amounts(setup), label="amount")
    days = data.draw(st.integers(0, 12), label="days")
    far = start + timedelta(days=data.draw(st.sampled_from([-36000, -400, 400, 36000])))
    assume(FIRST <= far <= LAST)
    fresh = Setup(setup.zone, setup.week, setup.closed).calendar
    used = setup.calendar
    used.add_working_time(far, amount)
    used.add_working_days(far, days)
    used.working_time_between(far, far + timedelta(days=3))

    assert fresh.add_working_time(start, amount) == used.add_working_time(start, amount)
    assert fresh.add_working_days(start, days) == used.add_working_days(start, days)
    assert fresh.working_time_between(start, far) == used.working_time_between(start, far)


# -- subject access: one calendar month, in any zone and year ---------------------------------


def month_oracle(received: date, months: int, bank: frozenset[date]) -> date:
    """Step a day at a time through `months` month changes, stop on the same day of the month
    or the month's last day, then on past weekends and bank holidays."""
    day, changes = received, 0
    while True:
        following = day + timedelta(days=1)
        if following.month != day.month:
            changes += 1
        day = following
        if changes == months:
            last_of_month = (day + timedelta(days=1)).month != day.month
            if day.day == received.day or last_of_month:
                break
    while day.weekday() >= 5 or day in bank:
        day += timedelta(days=1)
    return day


@settings(max_examples=examples(150, 400), deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    received=st.datetimes(
        datetime(FIRST_YEAR, 1, 2), datetime(LAST_YEAR, 9, 1), timezones=st.just(UTC)
    ),
    months=st.integers(1, 3),
)
def test_a_subject_access_month_in_any_zone_and_year_agrees_with_the_day_oracle(
    zone, received, months
):
    tz = ZoneInfo(zone)
    due = month_oracle(received.astimezone(tz).date(), months, BANK_HOLIDAYS)
    expected = datetime.combine(due, time(23, 59, 59), tzinfo=tz).astimezone(UTC)

    assert expected == subject_access_due(received, months, zone, BANK_HOLIDAYS)


# -- the calendar's memory of its last answer ---------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_a_calendar_asked_in_turn_answers_each_as_a_fresh_one(data):
    """Questions in the calendar's zone around its clock changes, one after another on one
    calendar, each answered as a calendar that was asked nothing else."""
    setup, _ = data.draw(scenarios(), label="setup")
    tz = ZoneInfo(setup.zone)
    changes = [t for t in transitions(setup.zone) if FIRST < t < LAST] or [FIRST]
    change = data.draw(st.sampled_from(changes), label="clock change")
    start = change + data.draw(FRACTION)
    amount = data.draw(amounts(setup), label="amount")
    # Either side of the change, each with the instant a change later: the same wall time
    # twice when the clocks go back.
    moved = abs(
        change.astimezone(tz).utcoffset() - (change - ONE_MINUTE).astimezone(tz).utcoffset()
    )
    shifts = st.integers(-8, 8).map(lambda quarters: quarters * timedelta(minutes=15))
    starts = [
        (start + shift + later).astimezone(tz)
        for shift in data.draw(st.lists(shifts, min_size=1, max_size=3), "shifts")
        for later in (-moved, timedelta(0))
    ]
    used = setup.calendar
    answers = [used.add_working_time(each, amount) for each in starts]

    assert answers == [
        Setup(setup.zone, setup.week, setup.closed).calendar.add_working_time(each, amount)
        for each in starts
    ]
