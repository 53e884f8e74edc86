"""Working durations as typed (`4h`, `2d`, `1d4h`), the length of a working day, and counting
working time backwards (`subtract_working_time`), checked against the calendar's own forward
arithmetic (MODEL.md, "Working time")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from complaintctl.domain.calendar import (
    CalendarError,
    WorkingCalendar,
    office_week,
    parse_week,
)
from complaintctl.domain.instants import InstantError, parse_working_duration
from complaintctl.domain.policy import due_within, within_capped, within_on, within_rule

LONDON = ZoneInfo("Europe/London")
EIGHT_HOURS = timedelta(hours=8)

# England and Wales bank holidays, a year either side of the years the properties range over so
# that walking back from early 2025 (or forward from late 2027) still meets real holidays.
BANK_HOLIDAYS: dict[date, str] = dict(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2029)).items()
)
OFFICE = WorkingCalendar(closed_days=BANK_HOLIDAYS)
# Two stretches a day with a lunch break, and a half day on Saturday.
SPLIT_WEEK = parse_week(
    "Mon 08:30-12:30, 13:30-17:30; Tue 08:30-12:30, 13:30-17:30; "
    "Wed 08:30-12:30, 13:30-17:30; Thu 08:30-12:30, 13:30-17:30; "
    "Fri 08:30-12:30, 13:30-16:00; Sat 10:00-13:00; Sun closed"
)
SPLIT = WorkingCalendar(week=SPLIT_WEEK, closed_days=BANK_HOLIDAYS)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# -- parse_working_duration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("30m", timedelta(minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(hours=16)),
        ("1d4h", timedelta(hours=12)),
        ("1d 4h", timedelta(hours=12)),
        (" 1d 4h 30m ", timedelta(hours=12, minutes=30)),
        ("4 h", timedelta(hours=4)),
        ("2D", timedelta(hours=16)),
        ("0h", timedelta(0)),
    ],
)
def test_a_working_duration_reads_days_as_working_days_of_eight_hours(
    text: str, expected: timedelta
) -> None:
    assert expected == parse_working_duration(text, EIGHT_HOURS)


def test_a_day_in_a_working_duration_is_the_calendars_working_day() -> None:
    assert timedelta(hours=2 * 7 + 1) == parse_working_duration("2d1h", timedelta(hours=7))


@pytest.mark.parametrize("text", ["", "   ", "4", "h", "-4h", "4x", "4h-", "h4", "4.5h", "soon"])
def test_a_working_duration_without_a_number_and_a_unit_is_refused(text: str) -> None:
    with pytest.raises(InstantError, match="is not a duration; write it like 4h"):
        parse_working_duration(text, EIGHT_HOURS)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("3h3h", "h"), ("1d1d", "d"), ("2h3h", "h"), ("1d 4h 1d", "d"), ("30m1h30m", "m")],
)
def test_a_working_duration_giving_a_unit_twice_is_refused_not_summed(text: str, unit: str) -> None:
    # `3h3h` is a slip (a value pasted twice), not 6h: read as a sum it would set a due far
    # from the one meant without a word.
    with pytest.raises(InstantError) as refused:
        parse_working_duration(text, EIGHT_HOURS)
    assert (
        f"{text!r} gives {unit} more than once; give each of d, h and m at most once, like 1d4h"
        == str(refused.value)
    )


def test_an_actions_rule_stored_with_a_unit_twice_is_read_again_as_it_was_counted() -> None:
    # An action opened `--within 1d1d` before such a duration was refused: a calendar change
    # recounts its two days as two working days of the new hours, never keeps the old minutes
    # (nor refuses to explain it).
    rule = within_rule("1d1d", "olu")
    longer_days = WorkingCalendar(week=office_week("09:00-17:00"))

    assert (timedelta(days=2), 2 * 8 * 60) == (
        parse_working_duration("1d1d", timedelta(days=1), typed=False),
        within_on(longer_days, rule, 2 * 4 * 60),
    )


@pytest.mark.parametrize(
    ("text", "day"), [("263d", EIGHT_HOURS), ("90d", timedelta(hours=24)), ("2101h", EIGHT_HOURS)]
)
def test_a_working_duration_over_the_limit_is_refused_naming_the_limit(
    text: str, day: timedelta
) -> None:
    # 90 days of a calendar open round the clock are not "more than a year": the refusal names
    # the limit itself, whatever the calendar's working day.
    with pytest.raises(InstantError) as refused:
        parse_working_duration(text, day)
    assert f"{text!r} is more working time than complaintctl counts (at most 2100h)" == str(
        refused.value
    )


# -- working_day ----------------------------------------------------------------------------


def test_the_default_weeks_working_day_is_eight_hours() -> None:
    assert EIGHT_HOURS == WorkingCalendar().working_day()


def test_a_custom_weeks_working_day_is_its_longest_day() -> None:
    # Monday to Thursday 4h + 4h; Friday 4h + 2h 30m; Saturday 3h.
    assert timedelta(hours=8) == SPLIT.working_day()


def test_a_shorter_office_day_makes_a_shorter_working_day() -> None:
    calendar = WorkingCalendar(week=office_week("09:30-16:00"))
    assert timedelta(hours=6, minutes=30) == calendar.working_day()


def test_the_longest_day_counts_even_when_it_is_only_one_day_of_the_week() -> None:
    week = parse_week("Mon 09:00-17:00; Tue 08:00-20:00; Wed closed; Thu closed; Fri closed")
    assert timedelta(hours=12) == WorkingCalendar(week=week).working_day()


# -- subtract_working_time: properties against the calendar itself -----------------------

# Minutes over 2025-2027 in UTC; the zone's clock changes fall in the range.
INSTANTS = st.integers(
    min_value=0,
    max_value=int(
        (datetime(2028, 1, 1, tzinfo=UTC) - datetime(2025, 1, 1, tzinfo=UTC)).total_seconds()
    )
    // 60,
).map(lambda minutes: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes))
# Up to ten working days, to the minute, never nothing.
AMOUNTS = st.integers(min_value=1, max_value=10 * 8 * 60).map(lambda m: timedelta(minutes=m))
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
CALENDARS = st.sampled_from([OFFICE, SPLIT])


def at_an_opening(calendar: WorkingCalendar, instant: datetime) -> bool:
    return any(opens == instant for opens, _ in calendar.intervals(calendar.local_date(instant)))


@settings(max_examples=400, deadline=None)
@given(calendar=CALENDARS, end=INSTANTS, amount=AMOUNTS)
def test_subtracting_working_time_leaves_exactly_that_much_before_the_end(
    calendar: WorkingCalendar, end: datetime, amount: timedelta
) -> None:
    start = calendar.subtract_working_time(end, amount)
    assert amount == calendar.working_time_between(start, end)


@settings(max_examples=400, deadline=None)
@given(calendar=CALENDARS, end=INSTANTS, amount=AMOUNTS)
def test_subtracting_working_time_lands_inside_working_time_or_at_an_opening(
    calendar: WorkingCalendar, end: datetime, amount: timedelta
) -> None:
    start = calendar.subtract_working_time(end, amount)
    assert True is (calendar.is_open(start) or at_an_opening(calendar, start))


@settings(max_examples=400, deadline=None)
@given(calendar=CALENDARS, end=INSTANTS, amount=AMOUNTS)
def test_subtracting_working_time_gives_the_latest_such_instant(
    calendar: WorkingCalendar, end: datetime, amount: timedelta
) -> None:
    # A minute later, less working time is left before the end.
    start = calendar.subtract_working_time(end, amount)
    one_minute = timedelta(minutes=1)
    assert amount - one_minute == calendar.working_time_between(start + one_minute, end)


@settings(max_examples=400, deadline=None)
@given(calendar=CALENDARS, day=DAYS, data=st.data(), amount=AMOUNTS)
def test_adding_back_what_was_subtracted_returns_to_an_instant_inside_working_time(
    calendar: WorkingCalendar, day: date, data: st.DataObject, amount: timedelta
) -> None:
    stretches = calendar.intervals(day)
    assume(stretches)
    opens, closes = data.draw(st.sampled_from(stretches))
    minutes = int((closes - opens).total_seconds() // 60)
    assume(minutes > 1)
    # Strictly inside working time, and not at an opening.
    end = opens + timedelta(minutes=data.draw(st.integers(1, minutes - 1)))
    assert end == calendar.add_working_time(calendar.subtract_working_time(end, amount), amount)


# -- subtract_working_time: worked examples --------------------------------------------------


@pytest.mark.parametrize(
    ("end", "amount", "expected"),
    [
        # Mon 4 Jan 2027 09:00-12:00 (3h); New Year's Day closed; Thu 31 Dec (11h),
        # Wed 30 Dec (19h); 5h more from Tue 29 Dec's close: 12:00.
        (london(2027, 1, 4, 12), timedelta(hours=24), london(2026, 12, 29, 12)),
        # Tue 29 Dec 2026 09:00-10:00 (1h); Boxing Day (observed, Mon 28th), the weekend and
        # Christmas Day closed; Thu 24 Dec (9h); 7h more from Wed 23 Dec's close: 10:00.
        (london(2026, 12, 29, 10), timedelta(hours=16), london(2026, 12, 23, 10)),
        # A whole working day back from Tue 29 Dec's opening is Thu 24 Dec's opening.
        (london(2026, 12, 29, 9), timedelta(hours=8), london(2026, 12, 24, 9)),
        # From the evening of New Year's Day: the last working time was Thu 31 Dec.
        (london(2027, 1, 1, 20), timedelta(hours=1), london(2026, 12, 31, 16)),
    ],
)
def test_subtracting_working_time_skips_christmas_and_new_year_2026(
    end: datetime, amount: timedelta, expected: datetime
) -> None:
    assert expected == OFFICE.subtract_working_time(end, amount)


def test_subtracting_24_working_hours_across_christmas_undoes_adding_them() -> None:
    # Received Tue 29 Dec 2026 12:00: acknowledgement due Mon 4 Jan 2027 12:00.
    received = london(2026, 12, 29, 12)
    due = OFFICE.add_working_hours(received, 24)
    assert (london(2027, 1, 4, 12), received) == (
        due,
        OFFICE.subtract_working_time(due, timedelta(hours=24)),
    )


def test_subtracting_working_time_across_the_clocks_going_back_keeps_wall_clock_hours() -> None:
    # Mon 26 Oct 2026 10:00 GMT; 9h back: Mon 1h, then Fri 23 Oct 17:00 BST - 8h = 09:00 BST.
    assert london(2026, 10, 23, 9) == OFFICE.subtract_working_time(
        london(2026, 10, 26, 10), timedelta(hours=9)
    )


def test_subtracting_no_working_time_from_an_opening_is_that_opening() -> None:
    # The docstring: "the latest one, inside working time or at an opening". Tue 1 Dec 2026
    # 09:00 has no working time before it on that day, and is itself an opening.
    assert london(2026, 12, 1, 9) == OFFICE.subtract_working_time(
        london(2026, 12, 1, 9), timedelta(0)
    )


def test_subtracting_negative_working_time_is_refused() -> None:
    with pytest.raises(CalendarError, match="must not be negative"):
        OFFICE.subtract_working_time(london(2026, 12, 1, 12), timedelta(minutes=-1))


# -- due_within: an action's --within ----------------------------------------------------------

# Mon-Thu eight hours, Friday four: a `d` is eight hours, the longest day.
SHORT_FRIDAY = WorkingCalendar(
    week=parse_week(
        "Mon 09:00-17:00; Tue 09:00-17:00; Wed 09:00-17:00; Thu 09:00-17:00; Fri 09:00-13:00; "
        "Sat closed; Sun closed"
    ),
    closed_days=BANK_HOLIDAYS,
)


def test_what_is_left_after_whole_days_never_runs_past_the_next_shorter_days_close() -> None:
    # Thu 3 Dec 2026 16:00: 8h is 1d, the close of Friday (13:00); 7h of working time would be
    # Mon 11:00, after it, so it is due at Friday's close too.
    start = london(2026, 12, 3, 16)
    dues = {
        typed: due_within(SHORT_FRIDAY, start, parse_working_duration(typed, EIGHT_HOURS))
        for typed in ("4h", "5h", "7h", "7h59m", "8h", "1d1m")
    }

    assert {
        "4h": london(2026, 12, 4, 12),
        "5h": london(2026, 12, 4, 13),
        "7h": london(2026, 12, 4, 13),
        "7h59m": london(2026, 12, 4, 13),
        "8h": london(2026, 12, 4, 13),
        "1d1m": london(2026, 12, 7, 9, 1),
    } == dues
    assert within_capped(SHORT_FRIDAY, start, timedelta(hours=7))
    assert not within_capped(SHORT_FRIDAY, start, timedelta(hours=4))


@settings(max_examples=400, deadline=None)
@given(
    calendar=st.sampled_from([OFFICE, SPLIT, SHORT_FRIDAY]),
    start=INSTANTS,
    amount=AMOUNTS,
    more=st.integers(min_value=1, max_value=8 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_a_longer_within_is_never_due_sooner(
    calendar: WorkingCalendar, start: datetime, amount: timedelta, more: timedelta
) -> None:
    assert due_within(calendar, start, amount) <= due_within(calendar, start, amount + more)


@settings(max_examples=200, deadline=None)
@given(start=INSTANTS, amount=AMOUNTS)
def test_a_week_of_equal_days_counts_what_is_left_as_working_time_from_the_close(
    start: datetime, amount: timedelta
) -> None:
    days, rest = divmod(amount, EIGHT_HOURS)
    due = OFFICE.add_working_days(start, days) if days else start
    expected = OFFICE.add_working_time(due, rest) if rest else due
    assert expected == due_within(OFFICE, start, amount)
