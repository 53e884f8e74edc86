"""Opening hours as an officer types them (`calendar set --hours`, `db init --hours`)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from complaintctl.domain.calendar import (
    CalendarError,
    Opening,
    WorkingCalendar,
    describe_hours,
    format_due,
    format_week,
    parse_hours,
    working_days_from,
    zone_problem,
)
from complaintctl.domain.letters import time_words

NINE_TO_FIVE = (Opening(540, 1020),)


@pytest.mark.parametrize(
    ("typed", "described"),
    [
        ("Mon-Fri 09:00-17:00", "Mon-Fri 09:00-17:00"),
        ("  mon - fri   9:00 – 17:00 ; ", "Mon-Fri 09:00-17:00"),
        ("Monday-Friday 09:00-17:00", "Mon-Fri 09:00-17:00"),
        (
            "Mon-Thu 09:00-17:00; Fri 09:00-16:30; Sat 10:00-13:00",
            "Mon-Thu 09:00-17:00; Fri 09:00-16:30; Sat 10:00-13:00",
        ),
        ("Mon-Fri 13:30-17:00,09:00-12:30", "Mon-Fri 09:00-12:30, 13:30-17:00"),
        ("Mon, Wed 00:00-24:00; Sun closed", "Mon 00:00-24:00; Wed 00:00-24:00"),
        # Stretches that touch are one: the same hours, not a change to record.
        ("Mon-Fri 09:00-12:00, 12:00-17:00", "Mon-Fri 09:00-17:00"),
        ("Mon 13:00-17:00, 09:00-11:00, 11:00-13:00", "Mon 09:00-17:00"),
    ],
)
def test_hours_are_read_forgivingly_and_described_in_the_words_they_are_read_in(
    typed: str, described: str
) -> None:
    week = parse_hours(typed)
    assert (described, week) == (describe_hours(week), parse_hours(described))


def test_days_not_named_are_closed() -> None:
    week = parse_hours("Tue 09:00-17:00")
    assert ((), NINE_TO_FIVE, (), (), (), (), ()) == week
    assert format_week(week).startswith("Mon closed; Tue 09:00-17:00; Wed closed")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "must not be empty"),
        (" ; ", "must not be empty"),
        ("09:00-17:00", "must name its days"),
        ("Mon-Fri", "must name its days"),
        ("Fri-Mon 09:00-17:00", "'Fri-Mon' runs backwards"),
        ("Mon 17:00-09:00", "'17:00-09:00' does not end after it starts"),
        ("Mon 09:00-09:00", "does not end after it starts"),
        ("Mon 09:00-12:00, 11:00-13:00", "09:00-12:00 and 11:00-13:00 overlap"),
        ("Mon 09:00-17:00; Monday 10:00-11:00", "names Monday twice"),
        ("Mon-Fri 09:00-17:00; Wed 10:00-11:00", "names Wednesday twice"),
        ("Mnd 09:00-17:00", "'Mnd' is not a weekday"),
        ("Mon-Fri closed", "has no opening hours at all"),
        ("Sat closed; Sun closed", "has no opening hours at all"),
        ("Mon 09:00-09:59", "opens for 59 minutes a week, less than an hour"),
        ("Mon 09:00-09:30; Sun 00:00-00:01", "opens for 31 minutes a week"),
        ("Mon 09:00-24:30", "'24:30' is not a time of day"),
        ("Mon 09:60-17:00", "'09:60' is not a time of day"),
        ("Mon 9-17", "hours must look like 09:00-17:00, not '9-17'"),
        ("Mon 09:00-17:00,", "hours must look like 09:00-17:00, not ''"),
        # Digits of other scripts are refused, quoted whole as typed.
        ("Mon \u0660\u0669:00-17:00", "not '\u0660\u0669:00-17:00'"),
        ("Mon-Fri \uff19:00-17:00", "hours must look like 09:00-17:00, not '\uff19:00-17:00'"),
        ("Mon \u0660\u0669:\u0660\u0660-\u0661\u0667:\u0660\u0660", "hours must look like"),
        ("Mon 09:00-17:00\x1b[2J", "control characters"),
        ("Mon 09:00-17:00\u202e", "control characters"),
        ("Mon 09:00-17:00\nTue 09:00-17:00", "control characters"),
    ],
)
def test_hours_that_cannot_be_a_week_are_refused_saying_why(typed: str, said: str) -> None:
    with pytest.raises(CalendarError, match=None) as refused:
        parse_hours(typed)
    assert said in str(refused.value)


def test_a_zone_is_an_iana_name_and_not_a_path_or_a_rule() -> None:
    known = {"Europe/London", "America/New_York", "localtime", "posixrules"}
    assert zone_problem("Europe/London", known) is None
    for name in ("../etc/passwd", "UTC+5", "EST5EDT,M3.2.0,M11.1.0", "localtime", "posixrules"):
        assert "is not a time zone name" in str(zone_problem(name, known))
    assert "control characters" in str(zone_problem("Europe/London\x1b", known))


def test_working_days_are_counted_with_both_ends_included() -> None:
    calendar = WorkingCalendar(closed_days={date(2026, 12, 25): "Christmas Day"})
    # Thu 24 Dec to Tue 29 Dec: Thu, (Fri closed), Mon, Tue.
    assert 3 == working_days_from(calendar, date(2026, 12, 24), date(2026, 12, 29))
    assert 0 == working_days_from(calendar, date(2026, 12, 26), date(2026, 12, 27))


# A week open until midnight, with Christmas Day 2026 (a Friday) closed.
UNTIL_MIDNIGHT = WorkingCalendar(
    week=parse_hours("Mon-Fri 09:00-24:00"), closed_days={date(2026, 12, 25): "Christmas Day"}
)


@pytest.mark.parametrize(
    ("calendar", "due", "shown", "words"),
    [
        # The close of Wednesday, open until midnight, is Wednesday's 24:00, in every view
        # and in a letter, never "midnight at the start of Thursday".
        (
            UNTIL_MIDNIGHT,
            "2026-12-03T00:00:00+00:00",
            "Wed 2026-12-02 24:00 GMT",
            "midnight at the end of Wednesday 2 December 2026",
        ),
        # Midnight in London in summer is 23:00 UTC the day before.
        (
            UNTIL_MIDNIGHT,
            "2027-06-01T23:00:00+00:00",
            "Tue 2027-06-01 24:00 BST",
            "midnight at the end of Tuesday 1 June 2027",
        ),
        # After a day closed (a Sunday; Christmas Day), midnight is the day it begins.
        (
            UNTIL_MIDNIGHT,
            "2026-12-07T00:00:00+00:00",
            "Mon 2026-12-07 00:00 GMT",
            "midnight at the start of Monday 7 December 2026",
        ),
        (
            UNTIL_MIDNIGHT,
            "2026-12-26T00:00:00+00:00",
            "Sat 2026-12-26 00:00 GMT",
            "midnight at the start of Saturday 26 December 2026",
        ),
        # Cairo's clocks skip Friday 24 April 2026's midnight (00:00 EET is 01:00 EEST):
        # Thursday's close is still the end of Thursday, not Friday's 01:00.
        (
            WorkingCalendar(zone="Africa/Cairo", week=parse_hours("Mon-Fri 09:00-24:00")),
            "2026-04-23T22:00:00+00:00",
            "Thu 2026-04-23 24:00 EET",
            "midnight at the end of Thursday 23 April 2026",
        ),
        # A week that closes at 17:00: a Saturday's 00:00 (an action's date) is Saturday's.
        (
            WorkingCalendar(),
            "2026-12-05T00:00:00+00:00",
            "Sat 2026-12-05 00:00 GMT",
            "midnight at the start of Saturday 5 December 2026",
        ),
        (
            WorkingCalendar(),
            "2026-12-02T17:00:00+00:00",
            "Wed 2026-12-02 17:00 GMT",
            "5pm on Wednesday 2 December 2026",
        ),
    ],
)
def test_a_due_at_midnight_is_the_day_befores_24_00_only_where_that_day_closes_then(
    calendar: WorkingCalendar, due: str, shown: str, words: str
) -> None:
    instant = datetime.fromisoformat(due)
    assert (shown, words) == (
        format_due(instant, calendar.tz, calendar),
        time_words(instant, calendar.tz, calendar),
    )


def test_a_due_at_a_midnight_close_is_within_working_hours_as_that_close() -> None:
    """explain's note on a due outside working hours: Wednesday's 24:00 is Wednesday's close,
    not Thursday's 00:00 before its opening; Saturday's 00:00 after a Friday open until
    midnight is Friday's close, not a weekend (a midnight after a closed day is still out)."""
    from complaintctl.domain.explain import outside_hours

    assert (None, None, "weekend (no opening hours on Sundays)") == tuple(
        outside_hours(UNTIL_MIDNIGHT, datetime.fromisoformat(due))
        for due in (
            "2026-12-03T00:00:00+00:00",
            "2026-12-05T00:00:00+00:00",
            "2026-12-06T00:00:00+00:00",
        )
    )


def test_a_close_at_a_midnight_the_clocks_skip_is_the_day_s_24_00() -> None:
    """Where the clocks skip midnight (Cairo, Friday 24 April 2026), Thursday's stretch open
    until midnight ends at its 24:00, as its hours are written, not at Friday's 01:00."""
    from complaintctl.domain.explain import outside_hours
    from complaintctl.domain.instants import close_clock

    cairo = WorkingCalendar(zone="Africa/Cairo", week=parse_hours("Mon-Fri 09:00-24:00"))
    (stretch,) = cairo.intervals(date(2026, 4, 23))

    assert datetime.fromisoformat("2026-04-23T22:00:00+00:00") == stretch[1]
    assert ("24:00", None) == (close_clock(stretch[1], cairo.tz), outside_hours(cairo, stretch[1]))
