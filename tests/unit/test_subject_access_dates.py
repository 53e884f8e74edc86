"""A subject-access request's month by the ICO's rule: the corresponding date of the next
month, the last day of a month without one, then the next day that is not a weekend or bank
holiday; due at the end of that day in the organisation's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintctl.domain.calendar import (
    corresponding_date,
    past_due_date,
    subject_access_due,
    subject_access_due_date,
)
from tests.conftest import examples

LONDON = ZoneInfo("Europe/London")
BANK_HOLIDAYS = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2033)).keys()
)


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2026, 9, 3), 1, date(2026, 10, 3)),  # the ICO's example
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 8, 29), 1, date(2026, 9, 29)),
    ],
)
def test_the_corresponding_date_or_the_last_day_of_a_shorter_month(
    received: date, months: int, due: date
) -> None:
    assert due == corresponding_date(received, months)


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (date(2026, 9, 3), date(2026, 10, 5), "3 October 2026 is a Saturday: Monday"),
        (date(2026, 10, 4), date(2026, 11, 4), "a Wednesday: as it is"),
        (date(2026, 4, 4), date(2026, 5, 5), "4 May 2026 is the early May bank holiday"),
        (date(2026, 11, 25), date(2026, 12, 29), "25 Dec to 28 Dec: Friday, weekend, substitute"),
        (date(2026, 11, 28), date(2026, 12, 29), "28 Dec 2026 is Boxing Day's substitute"),
        (date(2026, 12, 1), date(2027, 1, 4), "1 January 2027 a Friday, then the weekend"),
        (date(2027, 11, 25), date(2027, 12, 29), "Christmas 2027 on a Saturday: 27 and 28 off"),
        (date(2027, 3, 31), date(2027, 4, 30), "30 April 2027 a Friday"),
        (date(2027, 1, 31), date(2027, 3, 1), "28 Feb 2027 is a Sunday: Monday 1 March"),
        (date(2026, 2, 28), date(2026, 3, 30), "received on a Saturday: counts from that day"),
    ],
)
def test_a_due_date_on_a_weekend_or_bank_holiday_moves_to_the_next_working_day(
    received: date, due: date, why: str
) -> None:
    assert due == subject_access_due_date(received, 1, BANK_HOLIDAYS), why


def test_the_due_instant_is_the_end_of_the_due_date_in_the_zone_from_the_day_of_receipt() -> None:
    # Received late in the evening, after the close, on Thursday 3 September 2026: that day
    # counts (the ICO counts from the day of receipt, open or not).
    late = datetime(2026, 9, 3, 22, 30, tzinfo=LONDON)
    due = subject_access_due(late, 1, "Europe/London", BANK_HOLIDAYS)
    assert datetime(2026, 10, 5, 23, 59, 59, tzinfo=LONDON) == due
    assert UTC == due.tzinfo
    # 23:30 UTC on 3 September is already 4 September in London.
    utc = datetime(2026, 9, 3, 23, 30, tzinfo=UTC)
    due = subject_access_due(utc, 1, "Europe/London", BANK_HOLIDAYS)
    assert datetime(2026, 10, 5, 23, 59, 59, tzinfo=LONDON) == due  # 4 Oct is a Sunday
    # Across the October clock change the end of the day is still 23:59:59 local.
    due = subject_access_due(datetime(2026, 9, 28, 12, tzinfo=LONDON), 1, "Europe/London", ())
    assert (date(2026, 10, 28), "23:59:59", timedelta(0)) == (
        due.astimezone(LONDON).date(),
        due.astimezone(LONDON).strftime("%H:%M:%S"),
        due.astimezone(LONDON).utcoffset(),
    )


def test_a_request_is_past_due_from_the_first_moment_of_the_next_day_in_summer_too() -> None:
    # Due Friday 10 April 2026, in British Summer Time: its last second, 23:59:59.5, is the due
    # date still; midnight in London (23:00 UTC) is the next day.
    due = subject_access_due(datetime(2026, 3, 10, 9, tzinfo=LONDON), 1, "Europe/London", ())
    assert datetime(2026, 4, 10, 22, 59, 59, tzinfo=UTC) == due
    assert [False, False, True] == [
        past_due_date(due, datetime(2026, 4, 10, 22, 59, 59, 999_999, tzinfo=UTC)),
        past_due_date(due, due),
        past_due_date(due, datetime(2026, 4, 11, 0, 0, tzinfo=LONDON)),
    ]


def test_where_the_clocks_go_back_at_midnight_the_due_date_ends_after_its_second_last_hour() -> (
    None
):
    # Egypt's summer time ends at midnight after the last Thursday of October: on Thursday 29
    # October 2026 the hour from 23:00 comes twice, and the day ends at the later 23:59:59.
    cairo = ZoneInfo("Africa/Cairo")
    due = subject_access_due(datetime(2026, 9, 29, 10, tzinfo=cairo), 1, "Africa/Cairo", ())
    second_23_30 = datetime(2026, 10, 29, 21, 30, tzinfo=UTC)
    assert (date(2026, 10, 29), "23:30") == (
        second_23_30.astimezone(cairo).date(),
        second_23_30.astimezone(cairo).strftime("%H:%M"),
    )
    assert (datetime(2026, 10, 29, 21, 59, 59, tzinfo=UTC), False, True) == (
        due,
        past_due_date(due, second_23_30),
        past_due_date(due, datetime(2026, 10, 30, 0, 0, tzinfo=cairo)),
    )


def test_an_extension_counts_from_the_day_of_receipt_not_from_the_first_due() -> None:
    # Received 30 November 2026: due 30 December; extended by two months, 28 February 2027
    # (a Sunday) moves to 1 March, not 30 December + 2 months.
    assert date(2026, 12, 30) == subject_access_due_date(date(2026, 11, 30), 1, BANK_HOLIDAYS)
    assert date(2027, 3, 1) == subject_access_due_date(date(2026, 11, 30), 3, BANK_HOLIDAYS)


def _oracle(received: date, months: int, closed: frozenset[date]) -> date:
    """Straightforward: step day by day to the date `months` months on (clamped), then on."""
    year, month = received.year, received.month
    for _ in range(months):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = received.day
    while True:
        try:
            due = date(year, month, day)
            break
        except ValueError:
            day -= 1
    while due.isoweekday() in (6, 7) or due in closed:
        due = date.fromordinal(due.toordinal() + 1)
    return due


@pytest.mark.properties
@settings(max_examples=examples(300, 5000), deadline=None)
@given(
    received=st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 12, 31)),
    months=st.integers(min_value=1, max_value=3),
    extra_closed=st.frozensets(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 6, 30)), max_size=30
    ),
)
def test_the_due_date_matches_a_straightforward_oracle(
    received: date, months: int, extra_closed: frozenset[date]
) -> None:
    closed = BANK_HOLIDAYS | extra_closed
    due = subject_access_due_date(received, months, closed)

    assert _oracle(received, months, closed) == due
    assert due >= corresponding_date(received, months) > received
    assert due.weekday() < 5
    assert due not in closed
