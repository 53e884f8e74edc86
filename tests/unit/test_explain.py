"""The day-by-day explanation of a deadline agrees with the clock that set it, to the minute.

MODEL.md's worked examples are spelled out day by day; hypothesis checks, over random starts in
2025-2027 with England and Wales bank holidays, that the explained total reaches the target
exactly at the instant WorkingCalendar.add_working_hours / add_working_days gives.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintctl.domain import policy
from complaintctl.domain.calendar import CalendarError, WorkingCalendar, parse_week
from complaintctl.domain.explain import (
    COUNTED,
    RECEIVED_DAY,
    SKIPPED,
    DayEntry,
    explain_days,
    outside_hours,
    reached_at,
)

LONDON = ZoneInfo("Europe/London")
# Labelled as the store labels them (store.calendar.load_calendar).
BANK_HOLIDAYS = {
    day: f"{name} (bank holiday)"
    for day, name in holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2030)).items()
}
OFFICE = WorkingCalendar(closed_days=BANK_HOLIDAYS)
# Split hours, a Saturday morning and a closed Wednesday: several stretches a day.
SPLIT = WorkingCalendar(
    week=parse_week(
        "Mon 08:00-12:00, 13:00-18:00; Tue 08:00-12:00, 13:00-18:00; Wed closed; "
        "Thu 09:30-17:15; Fri 07:00-11:00, 12:00-15:30; Sat 10:00-14:00; Sun closed"
    ),
    closed_days={**BANK_HOLIDAYS, date(2026, 6, 12): "Office move (closure)"},
)

HOURS_24 = policy.Target(24, "working-hours", "receipt")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def wall(instant: datetime) -> str:
    return instant.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M")


def summary(entries: tuple[DayEntry, ...]) -> list[tuple[str, str, list[str], str]]:
    """(day, kind, counted stretches in London wall time, running total) of each entry."""
    return [
        (
            e.day.strftime("%a %d"),
            e.kind,
            [
                f"{since.astimezone(LONDON):%H:%M}-{to.astimezone(LONDON):%H:%M}"
                for since, to in e.stretches
            ],
            str(e.total),
        )
        for e in entries
    ]


# -- MODEL.md's worked examples --------------------------------------------------------------


def test_christmas_skips_christmas_day_the_weekend_and_the_observed_boxing_day():
    entries = explain_days(OFFICE, london(2026, 12, 24, 16), HOURS_24)

    assert [
        ("Thu 24", COUNTED, ["16:00-17:00"], "1:00:00"),
        ("Fri 25", SKIPPED, [], "1:00:00"),
        ("Sat 26", SKIPPED, [], "1:00:00"),
        ("Sun 27", SKIPPED, [], "1:00:00"),
        ("Mon 28", SKIPPED, [], "1:00:00"),
        ("Tue 29", COUNTED, ["09:00-17:00"], "9:00:00"),
        ("Wed 30", COUNTED, ["09:00-17:00"], "17:00:00"),
        ("Thu 31", COUNTED, ["09:00-16:00"], "1 day, 0:00:00"),
    ] == summary(entries)
    reasons = [e.reason for e in entries]
    assert "started 16:00: the 7h of opening hours before it not counted" == reasons[0]
    assert "bank holiday: Christmas Day" == reasons[1]
    assert "weekend (no opening hours on Saturdays); bank holiday: Boxing Day" == reasons[2]
    assert "weekend (no opening hours on Sundays)" == reasons[3]
    assert "bank holiday: Boxing Day (observed)" == reasons[4]
    assert "due 16:00: 24h reached" == reasons[7]
    assert "Thu 2026-12-31 16:00" == wall(reached_at(entries) or london(1, 1, 1))


def test_a_weekday_whose_bank_holidays_are_not_known_says_none_was_assumed():
    # Known from 2027 only: Christmas 2026 counts as working days, and each says why.
    known = {day: name for day, name in BANK_HOLIDAYS.items() if day.year >= 2027}
    calendar = WorkingCalendar(closed_days=known, known_from=date(2027, 1, 1))
    unknown = "the bank holidays of 2026 are not known: none assumed"

    hours = explain_days(calendar, london(2026, 12, 24, 16), HOURS_24)
    days = explain_days(calendar, london(2026, 12, 23, 10), policy.Target(3, "working-days", "x"))

    assert [
        ("Thu 24", "started 16:00: the 7h of opening hours before it not counted; " + unknown),
        ("Fri 25", unknown),
        ("Sat 26", "weekend (no opening hours on Saturdays)"),
        ("Sun 27", "weekend (no opening hours on Sundays)"),
        ("Mon 28", unknown),
        ("Tue 29", unknown + "; due 16:00: 24h reached"),
    ] == [(e.day.strftime("%a %d"), e.reason) for e in hours]
    assert [
        ("Wed 23", 0, "started 10:00: the day of the event is day 0, not counted; " + unknown),
        ("Thu 24", 1, unknown),
        ("Fri 25", 2, unknown),
        ("Mon 28", 3, unknown + "; day 3 of 3: due at its close, 17:00"),
    ] == [
        (e.day.strftime("%a %d"), e.day_number, e.reason) for e in days if e.day_number is not None
    ]


def test_the_clocks_going_forward_do_not_move_the_1700_close():
    entries = explain_days(OFFICE, london(2026, 3, 28, 10), HOURS_24)

    assert [
        ("Sat 28", SKIPPED, [], "0:00:00"),
        ("Sun 29", SKIPPED, [], "0:00:00"),
        ("Mon 30", COUNTED, ["09:00-17:00"], "8:00:00"),
        ("Tue 31", COUNTED, ["09:00-17:00"], "16:00:00"),
        ("Wed 01", COUNTED, ["09:00-17:00"], "1 day, 0:00:00"),
    ] == summary(entries)
    assert (
        "weekend (no opening hours on Saturdays); started 10:00 on a closed day: counting "
        "starts at the next opening"
    ) == entries[0].reason
    assert "the clocks go forward (GMT to BST)" in entries[1].reason
    # 17:00 BST is 16:00 UTC: the close kept its wall-clock time.
    assert datetime(2026, 4, 1, 16, 0, tzinfo=UTC) == reached_at(entries)
    assert all(timedelta(hours=8) == e.counted for e in entries[2:])


def test_a_complaint_received_at_the_friday_close_counts_nothing_that_day():
    entries = explain_days(OFFICE, london(2026, 11, 27, 17), HOURS_24)

    assert ("Fri 27", SKIPPED, [], "0:00:00") == summary(entries)[0]
    assert "started 17:00, at or after the close (17:00): nothing counted that day" == (
        entries[0].reason
    )
    assert "Wed 2026-12-02 17:00" == wall(reached_at(entries) or london(1, 1, 1))


def test_a_start_before_opening_says_counting_starts_at_the_opening():
    entries = explain_days(OFFICE, london(2026, 11, 30, 7, 30), HOURS_24)

    assert "started 07:30, before opening: the time before 09:00 not counted" == (entries[0].reason)
    assert ["09:00-17:00"] == summary(entries)[0][2]


def test_a_closure_is_skipped_with_its_reason():
    calendar = WorkingCalendar(
        closed_days={**BANK_HOLIDAYS, date(2026, 12, 1): "Office move (closure)"}
    )

    entries = explain_days(calendar, london(2026, 11, 30, 9), HOURS_24)

    assert (SKIPPED, "office closure: Office move") == (entries[1].kind, entries[1].reason)
    assert "Thu 2026-12-03 17:00" == wall(reached_at(entries) or london(1, 1, 1))


@pytest.mark.parametrize(
    ("instant", "why"),
    [
        (london(2026, 12, 1, 12), None),
        (london(2026, 12, 1, 17), None),  # a close is that close: within
        (london(2026, 12, 1, 8, 30), "before the opening (09:00)"),
        (london(2026, 12, 1, 17, 1), "after the close (17:00)"),
        (london(2026, 12, 25, 12), "bank holiday: Christmas Day"),
        (london(2026, 12, 12, 12), "weekend (no opening hours on Saturdays)"),
    ],
)
def test_an_instant_outside_working_hours_says_why(instant: datetime, why: str | None):
    assert why == outside_hours(OFFICE, instant)


def test_an_instant_between_split_hours_is_outside_them():
    assert "between the day's opening hours" == outside_hours(SPLIT, london(2026, 6, 8, 12, 30))


def test_20_working_days_number_the_day_of_the_event_0_and_skip_the_bank_holiday():
    # Escalated Fri 14 Aug 2026; Mon 31 Aug is the Late Summer bank holiday.
    entries = explain_days(OFFICE, london(2026, 8, 14, 14), policy.FINAL)

    numbered = [(e.day.isoformat(), e.day_number) for e in entries if e.day_number is not None]
    assert ("2026-08-14", 0) == numbered[0]
    assert RECEIVED_DAY == entries[0].kind
    assert "started 14:00: the day of the event is day 0, not counted" == entries[0].reason
    assert ("2026-08-17", 1) == numbered[1]
    assert ("2026-09-14", 20) == numbered[-1]
    holiday = next(e for e in entries if e.day == date(2026, 8, 31))
    assert (SKIPPED, "bank holiday: Late Summer Bank Holiday") == (holiday.kind, holiday.reason)
    assert "day 20 of 20: due at its close, 17:00" == entries[-1].reason
    assert "Mon 2026-09-14 17:00" == wall(reached_at(entries) or london(1, 1, 1))


def test_an_event_on_a_non_working_day_counts_as_received_on_the_next_working_day():
    entries = explain_days(OFFICE, london(2026, 8, 29, 11), policy.Target(2, "working-days", "x"))

    assert [
        ("2026-08-29", SKIPPED, None),
        ("2026-08-30", SKIPPED, None),
        ("2026-08-31", SKIPPED, None),  # the Late Summer bank holiday
        ("2026-09-01", RECEIVED_DAY, 0),
        ("2026-09-02", COUNTED, 1),
        ("2026-09-03", COUNTED, 2),
    ] == [(e.day.isoformat(), e.kind, e.day_number) for e in entries]
    assert "it counts as received on the next working day" in entries[0].reason
    assert "the event counts as received today: day 0, not counted" == entries[3].reason


def test_a_span_of_calendar_months_has_no_days_to_explain():
    assert () == explain_days(OFFICE, london(2026, 9, 10, 15), policy.REFERRAL_WINDOW)


def test_a_naive_start_is_refused():
    with pytest.raises(CalendarError):
        explain_days(OFFICE, datetime(2026, 9, 10, 15), HOURS_24)


def test_a_zero_target_is_due_at_the_next_opening():
    entries = explain_days(OFFICE, london(2026, 8, 15, 14), policy.Target(0, "working-hours", "x"))

    assert ["2026-08-15", "2026-08-16", "2026-08-17"] == [e.day.isoformat() for e in entries]
    assert "due 09:00: 0h reached" == entries[-1].reason


# -- the explanation agrees with the clock ---------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59), timezones=st.just(UTC)
).map(lambda instant: instant.replace(second=0, microsecond=0))


def check_hours(calendar: WorkingCalendar, start: datetime, hours: int) -> None:
    due = calendar.add_working_hours(start, hours)
    entries = explain_days(calendar, start, policy.Target(hours, "working-hours", "x"))

    assert due == reached_at(entries)
    assert timedelta(hours=hours) == sum((e.counted for e in entries), timedelta(0))
    assert timedelta(hours=hours) == entries[-1].total
    # Each day once, from the start's local date to the due's, none left out.
    first = calendar.local_date(start)
    assert [first + timedelta(days=n) for n in range(len(entries))] == [e.day for e in entries]
    assert calendar.local_date(due - timedelta(minutes=1)) == entries[-1].day
    for entry in entries:
        assert (COUNTED if entry.stretches else SKIPPED) == entry.kind
        assert entry.reason or entry.kind == COUNTED
        for since, to in entry.stretches:
            assert start <= since < to <= due
            assert calendar.is_open(since)
            assert calendar.working_time_between(since, to) == to - since


def check_days(calendar: WorkingCalendar, start: datetime, days: int) -> None:
    due = calendar.add_working_days(start, days)
    entries = explain_days(calendar, start, policy.Target(days, "working-days", "x"))

    assert due == calendar.intervals(entries[-1].day)[-1][1]
    assert days == entries[-1].day_number
    numbered = [e.day_number for e in entries if e.day_number is not None]
    assert list(range(days + 1)) == numbered
    assert all(calendar.is_working_day(e.day) == (e.kind != SKIPPED) for e in entries)
    if days:
        assert due == reached_at(entries)


@settings(max_examples=300, deadline=None)
@given(start=starts, hours=st.sampled_from([1, 8, 24, 40]) | st.integers(1, 120))
def test_explained_working_hours_reach_the_target_exactly_at_the_due_instant(start, hours):
    check_hours(OFFICE, start, hours)


@settings(max_examples=200, deadline=None)
@given(start=starts, hours=st.integers(1, 80))
def test_explained_working_hours_agree_on_a_week_of_split_hours(start, hours):
    check_hours(SPLIT, start, hours)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=st.sampled_from([0, 1, 20]) | st.integers(0, 40))
def test_explained_working_days_end_at_the_close_of_day_n(start, days):
    check_days(OFFICE, start, days)
    check_days(SPLIT, start, days)


@pytest.mark.parametrize(
    ("event", "due"),
    [
        pytest.param(london(2026, 12, 24, 16), london(2026, 12, 31, 16), id="christmas"),
        pytest.param(london(2026, 3, 28, 10), london(2026, 4, 1, 17), id="clocks-forward"),
        pytest.param(london(2026, 11, 27, 17), london(2026, 12, 2, 17), id="friday-close"),
    ],
)
def test_the_worked_examples_explain_exactly_24_working_hours_to_the_due(event, due):
    check_hours(OFFICE, event, 24)
    assert due == reached_at(explain_days(OFFICE, event, HOURS_24))
