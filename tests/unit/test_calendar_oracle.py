"""The working-hours clock against a brute-force oracle that walks the clock minute by minute.

The oracle knows nothing of the calendar's intervals: it steps through UTC minutes, turns each into
London wall-clock time with zoneinfo, and calls the minute working when its wall time falls in a
stretch for that local date's weekday and the date is not closed. Properties run on the default
office week (with England and Wales bank holidays) and on generated weeks and closures. Stretch
boundaries never fall between 01:00 and 02:59, where the clocks change: a boundary that does not
exist, or exists twice, is out of scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from complaintctl.domain import figures
from complaintctl.domain.calendar import (
    Opening,
    WorkingCalendar,
    format_week,
    parse_week,
)

ZONE = "Europe/London"
LONDON = ZoneInfo(ZONE)
ONE_MINUTE = timedelta(minutes=1)
DAY_MINUTES = 24 * 60

BANK_HOLIDAYS = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2029)).keys()
)

Stretches = tuple[tuple[int, int], ...]
PlainWeek = tuple[Stretches, ...]

OFFICE_WEEK: PlainWeek = (((540, 1020),),) * 5 + ((),) * 2


# -- the oracle -----------------------------------------------------------------------------


class TooFar(Exception):
    """The oracle gave up stepping: the example asked for more than it is willing to walk."""


ORACLE_STEPS = 6 * 7 * DAY_MINUTES


@dataclass
class Oracle:
    week: PlainWeek
    closed: frozenset[date]
    _open: dict[datetime, bool] = field(default_factory=dict, repr=False)

    def is_working_day(self, day: date) -> bool:
        return bool(self.week[day.weekday()]) and day not in self.closed

    def is_open(self, minute: datetime) -> bool:
        """Whether the minute starting at `minute` (UTC, minute-aligned) is working time."""
        known = self._open.get(minute)
        if known is None:
            local = minute.astimezone(LONDON)
            wall = local.hour * 60 + local.minute
            known = local.date() not in self.closed and any(
                start <= wall < end for start, end in self.week[local.weekday()]
            )
            self._open[minute] = known
        return known

    def minutes_from(self, start: datetime) -> Iterator[datetime]:
        minute = start
        for _ in range(ORACLE_STEPS):
            yield minute
            minute += ONE_MINUTE
        raise TooFar(start)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The end of the `minutes`-th working minute from `start`.

        Adding nothing keeps `start` inside working time or exactly at a close (the minute before
        it is working), else moves to the next opening.
        """
        if minutes == 0:
            if self.is_open(start) or self.is_open(start - ONE_MINUTE):
                return start
            return self.next_opening(start)
        counted = 0
        for minute in self.minutes_from(start):
            if self.is_open(minute):
                counted += 1
                if counted == minutes:
                    return minute + ONE_MINUTE
        raise AssertionError("unreachable")  # pragma: no cover

    def next_opening(self, start: datetime) -> datetime:
        return next(minute for minute in self.minutes_from(start) if self.is_open(minute))

    def between(self, start: datetime, end: datetime) -> int:
        """Working minutes in [start, end), negative when `end` comes first."""
        if end < start:
            return -self.between(end, start)
        count, minute = 0, start
        while minute < end:
            count += self.is_open(minute)
            minute += ONE_MINUTE
        return count

    def add_days(self, event: datetime, days: int) -> datetime:
        day = event.astimezone(LONDON).date()
        while not self.is_working_day(day):
            day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return self.close_of(day)

    def close_of(self, day: date) -> datetime:
        """The end of the last working minute whose London date is `day`."""
        minute = datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)
        last = None
        while minute.astimezone(LONDON).date() == day:
            if self.is_open(minute):
                last = minute
            minute += ONE_MINUTE
        assert last is not None
        return last + ONE_MINUTE


@dataclass
class Setup:
    """One schedule, seen both by the calendar under test and by the oracle."""

    week: PlainWeek
    closed: frozenset[date]
    calendar: WorkingCalendar = field(init=False, repr=False)
    oracle: Oracle = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.calendar = WorkingCalendar(
            zone=ZONE,
            week=tuple(tuple(Opening(start, end) for start, end in day) for day in self.week),
            closed_days=dict.fromkeys(sorted(self.closed), "closed"),
        )
        self.oracle = Oracle(self.week, self.closed)

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for day in self.week for start, end in day)


# -- strategies -----------------------------------------------------------------------------


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


YEARS = (2025, 2026, 2027)
CLOCK_CHANGES = tuple(_last_sunday(year, month) for year in YEARS for month in (3, 10))
HOLIDAY_SEASONS = tuple(
    day
    for day, name in sorted(holidays.country_holidays("GB", subdiv="ENG", years=YEARS).items())
    if any(word in name for word in ("Christmas", "Boxing", "Good Friday", "Easter"))
)
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2027, 12, 31, tzinfo=UTC)


def _near(day: date, offset: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + offset * ONE_MINUTE


def offsets(span: int) -> st.SearchStrategy[int]:
    """Minutes within `span` either side, often on a quarter hour, where boundaries lie."""
    return st.one_of(
        st.integers(-span, span),
        st.integers(-span // 15, span // 15).map(lambda quarters: quarters * 15),
    )


# Quarter hours a stretch may start or end on: not where the clocks change.
BOUNDARIES = tuple(b for b in range(0, DAY_MINUTES + 1, 15) if not 60 <= b < 180)


def _on_the_wall(day: date, days: int, minutes: int) -> datetime:
    """The UTC instant of London wall time `minutes` past midnight, `days` after `day`."""
    day += timedelta(days=days + minutes // DAY_MINUTES)
    hours, minutes = divmod(minutes % DAY_MINUTES, 60)
    return datetime.combine(day, time(hours, minutes), tzinfo=LONDON).astimezone(UTC)


_ANY_MINUTE = int((LAST - FIRST) / ONE_MINUTE)
_NEAR = offsets(4 * DAY_MINUTES)
_SPECIAL_DAYS = st.sampled_from(CLOCK_CHANGES) | st.sampled_from(HOLIDAY_SEASONS)
_ANY_DAY = st.dates(FIRST.date(), LAST.date())
# Wall times where stretches open and close: most often midnight, 09:00 and 17:00.
_BOUNDARY = st.sampled_from((0, 540, 1020, DAY_MINUTES)) | st.sampled_from(BOUNDARIES)

# Minute-aligned UTC instants in 2025–2027, weighted to clock changes and holidays, and often
# on a quarter hour of London wall time where a stretch may open or close.
INSTANTS = st.one_of(
    st.integers(0, _ANY_MINUTE).map(lambda minutes: FIRST + minutes * ONE_MINUTE),
    st.integers(0, _ANY_MINUTE // 15).map(lambda quarters: FIRST + quarters * 15 * ONE_MINUTE),
    st.builds(_near, st.sampled_from(CLOCK_CHANGES), _NEAR),
    st.builds(_near, st.sampled_from(CLOCK_CHANGES), _NEAR),
    st.builds(_near, st.sampled_from(HOLIDAY_SEASONS), _NEAR),
    st.builds(_on_the_wall, _ANY_DAY, st.just(0), _BOUNDARY),
    st.builds(_on_the_wall, _SPECIAL_DAYS, st.integers(-4, 4), _BOUNDARY),
    st.builds(_on_the_wall, _SPECIAL_DAYS, st.integers(-4, 4), _BOUNDARY),
)


@st.composite
def stretches(draw: st.DrawFn) -> Stretches:
    points = sorted(draw(st.sets(st.sampled_from(BOUNDARIES), min_size=2, max_size=6)))
    pairs = list(zip(points[0::2], points[1::2], strict=False))
    if draw(st.booleans()):
        # Split a stretch in two that touch: 09:00-12:00, 12:00-17:00.
        index = draw(st.integers(0, len(pairs) - 1))
        start, end = pairs[index]
        inside = [b for b in BOUNDARIES if start < b < end]
        if inside:
            middle = draw(st.sampled_from(inside))
            pairs[index : index + 1] = [(start, middle), (middle, end)]
    return tuple(pairs)


DAYS_HOURS = st.one_of(
    st.just(()),
    st.just(((0, DAY_MINUTES),)),
    st.just(((540, 1020),)),
    stretches(),
    stretches(),
)
GENERATED_WEEKS = st.tuples(*[DAYS_HOURS] * 7).filter(any)
# Extra closures: days from the start's London date.
CLOSURES = st.frozensets(st.integers(-3, 24), max_size=4)


@st.composite
def _scenarios(draw: st.DrawFn, kind: str) -> tuple[Setup, datetime]:
    """A start instant, and the office week with bank holidays or a generated week, both with
    extra closures near the start."""
    start = draw(INSTANTS)
    around = start.astimezone(LONDON).date()
    extra = frozenset(around + timedelta(days=offset) for offset in draw(CLOSURES))
    if kind == "office":
        return Setup(OFFICE_WEEK, BANK_HOLIDAYS | extra), start
    week = draw(GENERATED_WEEKS)
    bank = BANK_HOLIDAYS if draw(st.booleans()) else frozenset()
    return Setup(week, bank | extra), start


SCENARIOS = {kind: _scenarios(kind) for kind in ("office", "generated")}


def scenarios(kind: str) -> st.SearchStrategy[tuple[Setup, datetime]]:
    return SCENARIOS[kind]


def amounts(setup: Setup, most: int = 4 * 8 * 60) -> st.SearchStrategy[int]:
    """Minutes of working time to add: up to about four working days, fewer on a sparse week."""
    top = min(most, setup.weekly_minutes)
    return st.one_of(
        st.just(0),
        st.integers(1, top),
        st.integers(0, top // 15).map(lambda quarters: quarters * 15),
    )


KINDS = pytest.mark.parametrize("kind", ["office", "generated"])


def at(minutes: int) -> timedelta:
    return minutes * ONE_MINUTE


# -- against the oracle ---------------------------------------------------------------------


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_adding_working_time_ends_at_the_end_of_the_nth_working_minute(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    minutes = data.draw(amounts(setup), label="minutes")
    try:
        expected = setup.oracle.add(start, minutes)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.add_working_time(start, at(minutes))


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_adding_nothing_keeps_a_start_that_is_open_or_at_a_close_else_moves_to_the_opening(
    kind, data
):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    try:
        expected = setup.oracle.add(start, 0)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.add_working_time(start, timedelta(0))


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_next_opening_is_the_first_working_minute_from_the_start(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    try:
        expected = setup.oracle.next_opening(start)
    except TooFar:
        assume(False)

    assert expected == setup.calendar.next_opening(start)


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_working_time_between_counts_the_working_minutes_from_start_up_to_end(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    end = start + at(data.draw(offsets(6 * DAY_MINUTES), label="end - start"))

    assert at(setup.oracle.between(start, end)) == setup.calendar.working_time_between(start, end)


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_working_times_to_one_instant_count_the_working_minutes_from_each_start(kind, data):
    setup, end = data.draw(scenarios(kind), label="setup, end")
    starts = [
        end + at(offset)
        for offset in data.draw(st.lists(offsets(6 * DAY_MINUTES), max_size=6), label="starts")
    ]

    assert [at(setup.oracle.between(start, end)) for start in starts] == (
        setup.calendar.working_times_to(starts, end)
    )


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_working_clock_places_instants_so_that_differences_are_the_working_minutes(kind, data):
    setup, first = data.draw(scenarios(kind), label="setup, first")
    instants = [
        first + at(offset)
        for offset in data.draw(st.lists(offsets(6 * DAY_MINUTES), max_size=8), label="instants")
    ]

    placed = setup.calendar.working_clock([first, *instants])
    assert [at(setup.oracle.between(first, instant)) for instant in instants] == [
        timedelta(microseconds=there - placed[0]) for there in placed[1:]
    ]


@KINDS
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_is_open_agrees_with_the_wall_clock_schedule(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    seconds = data.draw(st.integers(0, 59), label="seconds")
    shown_in = data.draw(st.sampled_from([UTC, LONDON]), label="zone")
    instant = (start + timedelta(seconds=seconds)).astimezone(shown_in)

    assert setup.oracle.is_open(start) == setup.calendar.is_open(instant)


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_working_days_fall_due_at_the_close_of_the_nth_working_day_after_the_event(kind, data):
    setup, event = data.draw(scenarios(kind), label="setup, event")
    days = data.draw(st.integers(0, 25), label="days")

    assert setup.oracle.add_days(event, days) == setup.calendar.add_working_days(event, days)


# -- laws -----------------------------------------------------------------------------------


def law_amounts(setup: Setup) -> st.SearchStrategy[timedelta]:
    """Working time in seconds, up to about a week of office hours."""
    top = min(5 * 8 * 3600, 2 * setup.weekly_minutes * 60)
    return st.one_of(
        st.just(timedelta(0)),
        st.integers(0, top // 900).map(lambda quarters: timedelta(minutes=15 * quarters)),
        st.integers(0, top).map(lambda seconds: timedelta(seconds=seconds)),
    )


@KINDS
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_adding_in_two_steps_is_adding_the_sum(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    first = data.draw(law_amounts(setup), label="first")
    second = data.draw(law_amounts(setup), label="second")
    calendar = setup.calendar

    assert calendar.add_working_time(start, first + second) == calendar.add_working_time(
        calendar.add_working_time(start, first), second
    )


@KINDS
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_positive_amount_ends_inside_opening_hours_or_exactly_at_a_close(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    minutes = data.draw(st.integers(1, min(5 * 8 * 60, 2 * setup.weekly_minutes)), label="minutes")
    due = setup.calendar.add_working_time(start, at(minutes))

    assert (True, True) == (setup.calendar.is_open(due - ONE_MINUTE), due > start)


@KINDS
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_later_start_never_gives_an_earlier_result(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    later = start + at(data.draw(offsets(3 * DAY_MINUTES).map(abs), label="later - start"))
    amount = data.draw(law_amounts(setup), label="amount")
    calendar = setup.calendar

    assert calendar.add_working_time(start, amount) <= calendar.add_working_time(later, amount)


@KINDS
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_larger_amount_never_gives_an_earlier_result(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    smaller = data.draw(law_amounts(setup), label="smaller")
    larger = smaller + data.draw(law_amounts(setup), label="larger - smaller")
    calendar = setup.calendar

    assert calendar.add_working_time(start, smaller) <= calendar.add_working_time(start, larger)


@KINDS
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_working_time_between_a_start_and_its_deadline_is_the_amount_added(kind, data):
    setup, start = data.draw(scenarios(kind), label="setup, start")
    amount = data.draw(law_amounts(setup), label="amount")
    calendar = setup.calendar

    assert amount == calendar.working_time_between(start, calendar.add_working_time(start, amount))


@settings(max_examples=100, deadline=None)
@given(week=GENERATED_WEEKS)
def test_a_generated_week_written_as_text_reads_back_the_same(week):
    calendar_week = tuple(tuple(Opening(start, end) for start, end in day) for day in week)

    assert calendar_week == parse_week(format_week(calendar_week))


# -- the backlog's age bands ----------------------------------------------------------------


@KINDS
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_an_open_cases_age_band_by_the_limits_is_its_band_on_the_working_clock(kind, data):
    """figures.age_limits: received after a band's limit is at most that band's whole working
    days old at the cutoff, as the working clock counts its age (figures.values_of), up to the
    microsecond either side of each limit."""
    setup, cutoff = data.draw(scenarios(kind), label="setup, cutoff")
    calendar = setup.calendar
    limits = figures.age_limits(calendar, cutoff)
    receipts = [
        cutoff - timedelta(minutes=minutes)
        for minutes in data.draw(st.lists(st.integers(-1, 120 * DAY_MINUTES), max_size=6))
    ] + [limit + timedelta(microseconds=nudge) for limit in limits for nudge in (-1, 0, 1)]

    now, *placed = calendar.working_clock([cutoff, *receipts])
    working_day = calendar.working_day()
    for received, there in zip(receipts, placed, strict=True):
        on_the_clock = figures.age_band(timedelta(microseconds=now - there), working_day)
        by_limits = next(
            (
                name
                for (name, _), limit in zip(figures.AGE_BANDS[:-1], limits, strict=True)
                if received > limit
            ),
            figures.AGE_BANDS[-1][0],
        )
        assert on_the_clock == by_limits, received
