"""Opening hours as an officer types them (`calendar set --hours`, `db init --hours`)."""

from __future__ import annotations

from datetime import date

import pytest

from complaintctl.domain.calendar import (
    CalendarError,
    Opening,
    WorkingCalendar,
    describe_hours,
    format_week,
    parse_hours,
    working_days_from,
    zone_problem,
)

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
