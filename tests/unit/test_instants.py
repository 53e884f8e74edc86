from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintctl.domain.instants import (
    InstantError,
    format_duration,
    format_instant,
    parse_date,
    parse_due,
    parse_instant,
    whole_minutes,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24T16:00", datetime(2026, 12, 24, 16, 0, tzinfo=UTC)),
        ("2026-07-01T09:30", datetime(2026, 7, 1, 8, 30, tzinfo=UTC)),  # BST
        ("2026-07-01T09:30+00:00", datetime(2026, 7, 1, 9, 30, tzinfo=UTC)),
        ("2026-07-01T09:30Z", datetime(2026, 7, 1, 9, 30, tzinfo=UTC)),
        ("2026-07-01 09:30:15", datetime(2026, 7, 1, 8, 30, 15, tzinfo=UTC)),
        ("2026-07-01", datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),  # local midnight
        ("2026-10-25T01:30+01:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T01:30+00:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ],
)
def test_iso_8601_is_read_as_local_time_unless_it_has_an_offset(
    text: str, expected: datetime
) -> None:
    assert expected == parse_instant(text, LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A deadline typed as a date is kept all that day: "by 10 June" is not 9 June's end.
        ("2026-06-10", datetime(2026, 6, 10, 22, 59, 59, tzinfo=UTC)),  # 23:59:59 BST
        (" 2026-12-10 ", datetime(2026, 12, 10, 23, 59, 59, tzinfo=UTC)),  # GMT
        ("2026-06-10T17:00", datetime(2026, 6, 10, 16, 0, tzinfo=UTC)),  # a time: as written
        ("2026-06-10T00:00", datetime(2026, 6, 9, 23, 0, tzinfo=UTC)),  # midnight, if written
    ],
)
def test_a_deadline_typed_as_a_bare_date_is_the_end_of_that_day(
    text: str, expected: datetime
) -> None:
    assert expected == parse_due(text, LONDON)


@pytest.mark.parametrize("text", ["20261210", "2026-W50-4", " 2026W504 "])
def test_a_deadline_typed_as_a_date_in_another_iso_form_is_the_end_of_that_day_too(
    text: str,
) -> None:
    # ISO 8601's basic and week forms of Thursday 10 December 2026 are a date alone as well:
    # read as its midnight, the deadline would fall a day short of the one agreed.
    assert datetime(2026, 12, 10, 23, 59, 59, tzinfo=UTC) == parse_due(text, LONDON)


SANTIAGO, HAVANA, CAIRO = (
    ZoneInfo("America/Santiago"),
    ZoneInfo("America/Havana"),
    ZoneInfo("Africa/Cairo"),
)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # Santiago's clocks go forward at midnight (Sun 5 September 2027): the day begins at
        # 01:00 -03, the instant after the gap.
        ("2027-09-05", SANTIAGO, datetime(2027, 9, 5, 4, 0, tzinfo=UTC)),
        # Havana's go back from 01:00 to midnight (Sun 7 November 2027): the day begins at the
        # first midnight, -04.
        ("2027-11-07", HAVANA, datetime(2027, 11, 7, 4, 0, tzinfo=UTC)),
        ("20270905", SANTIAGO, datetime(2027, 9, 5, 4, 0, tzinfo=UTC)),
    ],
)
def test_a_bare_date_whose_midnight_the_clocks_skip_or_repeat_is_the_first_instant_of_that_day(
    text: str, tz: ZoneInfo, expected: datetime
) -> None:
    # The date was typed, not a time: there is no wall time to write with an offset.
    assert expected == parse_instant(text, tz)


def test_a_date_read_by_a_format_with_no_time_is_the_first_instant_of_that_day_too() -> None:
    # As `import --date-format %d/%m/%Y` reads a received_at: 6 September 2026 in Santiago
    # begins at 01:00 -03, not at a midnight to be written with an offset (00:00 -03:00 is
    # still 5 September there).
    assert datetime(2026, 9, 6, 4, 0, tzinfo=UTC) == parse_instant(
        "06/09/2026", SANTIAGO, "%d/%m/%Y"
    )
    with pytest.raises(InstantError, match="does not exist"):
        parse_instant("06/09/2026 00:30", SANTIAGO, "%d/%m/%Y %H:%M")


def test_a_time_written_at_a_midnight_the_clocks_skip_is_still_refused() -> None:
    with pytest.raises(InstantError, match="does not exist"):
        parse_instant("2027-09-05T00:00", SANTIAGO)


def test_a_deadline_typed_as_a_date_whose_last_hour_comes_twice_ends_at_the_later_23_59_59() -> (
    None
):
    # Cairo's clocks go back at midnight on Thu 28 October 2027: 23:00-24:00 comes twice, and
    # the day ends at 23:59:59 +02:00, as a subject-access request's due date does.
    assert datetime(2027, 10, 28, 21, 59, 59, tzinfo=UTC) == parse_due("2027-10-28", CAIRO)
    # A time written there still needs its offset.
    with pytest.raises(InstantError, match="happens twice"):
        parse_due("2027-10-28T23:59:59", CAIRO)


def test_a_deadline_typed_as_a_date_whose_midnight_the_clocks_skip_is_the_end_of_that_day() -> None:
    assert datetime(2027, 9, 6, 2, 59, 59, tzinfo=UTC) == parse_due("2027-09-05", SANTIAGO)


def test_a_deadline_on_no_such_day_is_refused_as_an_instant_is() -> None:
    with pytest.raises(InstantError, match="2026-02-30"):
        parse_due("2026-02-30", LONDON)


def test_a_local_time_skipped_by_the_clocks_going_forward_is_refused_with_a_way_to_write_it() -> (
    None
):
    with pytest.raises(InstantError, match=r"does not exist.*2026-03-29T02:30:00\+01:00"):
        parse_instant("2026-03-29T01:30", LONDON)


def test_a_local_time_repeated_when_the_clocks_go_back_is_refused_with_both_offsets() -> None:
    with pytest.raises(InstantError, match=r"happens twice.*\+01:00.*\+00:00"):
        parse_instant("2026-10-25T01:30", LONDON)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-28x", "2026-02-28T25:00", "10:00"])
def test_text_that_is_not_an_iso_date_and_time_is_refused(text: str) -> None:
    with pytest.raises(InstantError, match="ISO 8601"):
        parse_instant(text, LONDON)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30T10:00", "2027-02-29", "2026-04-31"])
def test_a_date_written_as_iso_but_naming_no_day_is_refused_as_such(text: str) -> None:
    with pytest.raises(InstantError, match="names no day of the calendar"):
        parse_instant(text, LONDON)
    with pytest.raises(InstantError, match="names no day of the calendar"):
        parse_date(text[:10])


@pytest.mark.parametrize(
    ("text", "weeks"),
    [("2027-W53-1", 52), ("2027W531T10:00", 52), ("2026-W54-1", 53), ("2026-W10-8", 53)],
)
def test_a_week_date_naming_no_day_is_refused_naming_the_weeks_of_its_year(
    text: str, weeks: int
) -> None:
    # 2027 has 52 ISO weeks and 2026 has 53: told to write ISO 8601, a user who had would
    # not see what is wrong.
    message = rf"names no day of the calendar: check the week \({text[:4]} has {weeks}\)"
    with pytest.raises(InstantError, match=message):
        parse_instant(text, LONDON)
    if "T" not in text:
        with pytest.raises(InstantError, match=message):
            parse_date(text)


def test_dates_must_be_iso_dates() -> None:
    with pytest.raises(InstantError, match="YYYY-MM-DD"):
        parse_date("01/12/2026")


def test_instants_are_written_in_the_zone_with_their_offset() -> None:
    assert "2026-07-01T10:00:00+01:00" == format_instant(
        datetime(2026, 7, 1, 9, 0, tzinfo=UTC), LONDON
    )


@pytest.mark.parametrize(
    ("amount", "days", "expected"),
    [
        (timedelta(0), True, "0m"),
        (timedelta(minutes=5), True, "5m"),
        (timedelta(hours=3, minutes=20), True, "3h 20m"),
        (timedelta(days=1, hours=2), True, "1d 2h"),
        (timedelta(days=1, hours=2), False, "26h"),
        (-timedelta(hours=1), True, "-1h"),
        # Part of a minute counts as a whole one, either way: a breach is never late by 0m.
        (timedelta(seconds=20), True, "1m"),
        (-timedelta(seconds=20), True, "-1m"),
        (timedelta(minutes=5, seconds=30), True, "6m"),
        (timedelta(hours=1, microseconds=1), False, "1h 1m"),
    ],
)
def test_durations_read_as_days_hours_and_minutes(
    amount: timedelta, days: bool, expected: str
) -> None:
    assert expected == format_duration(amount, days=days)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (timedelta(0), 0),
        (timedelta(minutes=5), 5),
        (-timedelta(minutes=5), -5),
        (timedelta(minutes=5, seconds=30), 6),
        # Negative amounts round the same way as positive ones, not down: -5m 30s is -6 in
        # JSON where the text says 6m.
        (-timedelta(minutes=5, seconds=30), -6),
        (-timedelta(minutes=2, seconds=10), -3),
        (timedelta(microseconds=1), 1),
    ],
)
def test_whole_minutes_round_away_from_zero_the_same_for_either_sign(
    amount: timedelta, expected: int
) -> None:
    assert expected == whole_minutes(amount)


@given(st.timedeltas(min_value=-timedelta(days=400), max_value=timedelta(days=400)))
def test_the_text_and_the_json_of_a_duration_name_the_same_minutes(amount: timedelta) -> None:
    text = format_duration(amount, days=False)
    hours = int(text.lstrip("-").split("h")[0]) if "h" in text else 0
    minutes = int(text.rstrip("m").split()[-1]) if text.endswith("m") else 0
    sign = -1 if text.startswith("-") else 1
    assert whole_minutes(amount) == sign * (hours * 60 + minutes)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-27T10.5",
        "2026-11-27T10,5",
        "2026-11-27 10.5",
        "20261127T10.5",
        "2026-11-27T10:30.5",
        "2026-11-27T1030,5",
        "2026-11-27T10.5+00:00",
        "2026-11-27T10:30.25Z",
        # Python takes any one character between the date and the time.
        "2026-11-27t10.5",
        "2026-11-27x10:30.5",
        "2026-11-27\u00a010.5",
        "20261127t10.5",
        "2026-W10-3t10.5",
    ],
)
def test_a_fraction_of_an_hour_or_a_minute_is_refused_rather_than_read_as_of_a_second(
    text: str,
) -> None:
    # ISO 8601 reads 10.5 as half past ten and 10:30.5 as 10:30:30; Python reads both as a
    # fraction of a second (10:00:00.5, 10:30:00.5): a step would be recorded half an hour
    # (or half a minute) before the time typed, and judged on time against its deadline.
    for parse in (parse_due, parse_instant):
        with pytest.raises(InstantError, match=r"a fraction of the (hour|minute).*write"):
            parse(text, LONDON)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2026-11-27T10.5", "reads it as 2026-11-27T10:30, so write that"),
        ("2026-11-27T10.565", "reads it as 2026-11-27T10:33:54, so write that"),
        ("2026-11-27T10.333", "reads it as 2026-11-27T10:19:58.8, so write that"),
        ("2026-11-27T10:30.001", "reads it as 2026-11-27T10:30:00.06, so write that"),
        ("2026-11-27T23.99999999999999999999", "2026-11-27T23:59:59.999999, so write that"),
        ("2026-11-27T10.5-01:00", "reads it as 2026-11-27T10:30-01:00, so write that"),
        # Two digits could be minutes written the British way, or seconds.
        ("2026-11-27T10.30", "reads it as 2026-11-27T10:18, so write that; for 10:30, write "
                             "2026-11-27T10:30"),
        ("2026-11-27T10:30.15Z", "10:30:09+00:00, so write that; for 10:30:15, write "
                                 "2026-11-27T10:30:15+00:00"),
        ("2026-11-27T10.00", "reads it as 2026-11-27T10:00, so write that"),  # said once
        # Longer than Python turns into a number (4,300 digits): it crashed.
        ("2026-11-27T10." + "5" * 5000, "reads it as 2026-11-27T10:33:19.999999, so write that"),
    ],
)  # fmt: skip
def test_a_fraction_refused_says_exactly_the_time_iso_8601_reads(text: str, said: str) -> None:
    # Worked out exactly, cut to the microsecond: never a second early (10.565 is 10:33:54,
    # which float arithmetic gave as 10:33:53), never 24:00.
    with pytest.raises(InstantError) as refused:
        parse_instant(text, LONDON)
    assert str(refused.value).endswith(said)


@pytest.mark.parametrize(
    "text", ["2026-11-27T24.5", "2026-11-27T10:60.5", "30/11/2026 14.00", "2026-11-27 10.30.15"]
)
def test_text_python_cannot_read_is_not_said_to_give_a_fraction(text: str) -> None:
    # Only a time Python reads can be misread: anything else is not a date and time, as
    # before (import's hint to name the file's --date-format hangs on those words).
    with pytest.raises(InstantError, match="is not a date and time"):
        parse_instant(text, LONDON)


@pytest.mark.parametrize(
    "text", ["0000-W01-1", "0000-W01-1T10:00", "9999-W52-7", "0000-01-01", "9999-12-31T10.5"]
)
def test_a_day_that_cannot_be_in_a_year_far_outside_ours_is_said_to_be_outside(text: str) -> None:
    # It crashed: the weeks of year 0 cannot be counted. (And a fraction in such a year is not
    # told to write a time that is then refused as outside.)
    with pytest.raises(InstantError, match="outside the years complaintctl works with"):
        parse_instant(text, LONDON)
    if "T" not in text:
        with pytest.raises(InstantError, match="outside the years complaintctl works with"):
            parse_date(text)


@pytest.mark.parametrize(
    ("text", "fmt"), [("31022026 10:00", "%d%m%Y %H:%M"), ("02302026", "%m%d%Y")]
)
def test_a_day_a_date_format_reads_as_none_is_said_to_name_none(text: str, fmt: str) -> None:
    # Its first four digits are no year: it was said to be outside the years.
    with pytest.raises(InstantError, match="names no day of the calendar"):
        parse_instant(text, LONDON, fmt)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T10:30:15.5", datetime(2026, 11, 27, 10, 30, 15, 500000, tzinfo=UTC)),
        ("2026-11-27T103015,5", datetime(2026, 11, 27, 10, 30, 15, 500000, tzinfo=UTC)),
        ("2026-11-27T10:30:15.5Z", datetime(2026, 11, 27, 10, 30, 15, 500000, tzinfo=UTC)),
    ],
)
def test_a_fraction_of_a_second_is_still_read(text: str, expected: datetime) -> None:
    assert expected == parse_instant(text, LONDON)


@pytest.mark.parametrize(
    "text",
    [
        "2026-W52", " 2026W52 ", "2026-w52", "2026-W52T10:00", "2026W52T1000",
        # Any one character may follow the date Python takes, and it takes 2026-W52 here.
        "2026-W52 10:00", "2026W52 10:00", "2026-W52-10:00", "2026-W52-1010", "2026-W52 10.5",
    ],
)  # fmt: skip
def test_a_week_without_its_day_is_refused_rather_than_read_as_its_monday(text: str) -> None:
    # Python reads a week alone as its Monday: a deadline "by week 52" would fall on the
    # Monday, and a period to that week would end there. Which day is meant is the user's.
    for parse in (parse_due, parse_instant):
        with pytest.raises(InstantError, match=r"names a week, not a day.*2026-W52-1"):
            parse(text, LONDON)
    if "T" not in text:
        with pytest.raises(InstantError, match=r"names a week, not a day"):
            parse_date(text)


@pytest.mark.parametrize(
    ("text", "fmt", "written"),
    [
        ("Tue 30/11/2026", "%a %d/%m/%Y", "Tuesday"),
        ("Tue 30/11/2026 10:00", "%a %d/%m/%Y %H:%M", "Tuesday"),
        ("Sunday 30/11/2026", "%A %d/%m/%Y", "Sunday"),
        ("2 30/11/2026", "%u %d/%m/%Y", "Tuesday"),  # %u: 1 for Monday
        ("0 30/11/2026", "%w %d/%m/%Y", "Sunday"),  # %w: 0 for Sunday
        ("Fri Nov 30 10:00:00 2026", "%c", "Friday"),
    ],
)
def test_a_weekday_that_disagrees_with_the_date_by_a_format_is_refused_naming_both(
    text: str, fmt: str, written: str
) -> None:
    # strptime reads the weekday and drops it: Tue 30/11/2026 was taken as Monday 30 November
    # without a word, though one of the two is a slip and the file does not say which.
    message = (
        f"{text!r} gives the weekday {written}, but 2026-11-30 is a Monday: check the day "
        "and the date"
    )
    with pytest.raises(InstantError) as caught:
        parse_instant(text, LONDON, fmt)
    assert message == str(caught.value)
    with pytest.raises(InstantError) as caught:
        parse_date(text, fmt)
    assert message == str(caught.value)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("Mon 30/11/2026", "%a %d/%m/%Y"),
        ("Monday 30/11/2026 10:00", "%A %d/%m/%Y %H:%M"),
        ("MON 30/11/2026", "%a %d/%m/%Y"),  # in any case, as strptime reads it
        ("1 30/11/2026", "%u %d/%m/%Y"),
        ("Mon Nov 30 10:00:00 2026", "%c"),
    ],
)
def test_a_weekday_that_agrees_with_the_date_is_read(text: str, fmt: str) -> None:
    assert datetime(2026, 11, 30).date() == parse_instant(text, LONDON, fmt).date()
    assert datetime(2026, 11, 30).date() == parse_date(text, fmt)


def test_a_date_a_format_with_a_time_reads_as_no_day_is_said_to_name_none_by_parse_date() -> None:
    # It was said not to match the format, as only its date part was tried then; written
    # without its time it said so already.
    for text in ("29/02/2026 10:00", "29/02/2026"):
        with pytest.raises(InstantError) as caught:
            parse_date(text, "%d/%m/%Y %H:%M")
        assert f"{text!r} names no day of the calendar: check the month and the day" == str(
            caught.value
        )


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("01/01/0000", "%d/%m/%Y"),
        ("01/01/0000 10:00", "%d/%m/%Y %H:%M"),
        ("01/01/0000", "%d/%m/%Y %H:%M"),
    ],
)
def test_year_0_by_a_format_is_said_to_be_outside_our_years_not_to_check_the_month(
    text: str, fmt: str
) -> None:
    # strptime says "year 0 is out of range", which was taken for a day the month lacks.
    message = f"{text!r} is outside the years complaintctl works with (2000–2099)"
    with pytest.raises(InstantError) as caught:
        parse_date(text, fmt)
    assert message == str(caught.value)
    if len(text) > 10 or "%H" not in fmt:  # an instant is read by the whole format alone
        with pytest.raises(InstantError) as caught:
            parse_instant(text, LONDON, fmt)
        assert message == str(caught.value)


@pytest.mark.parametrize(
    ("text", "fmt", "offset"),
    [
        ("2026-12-01T10:00+23:59", None, "+23:59"),
        ("2026-12-01T10:00-23:00", None, "-23:00"),
        ("2026-12-01T10:00+14:01", None, "+14:01"),
        ("2026-12-01T10:00-12:01", None, "-12:01"),
        ("2026-12-01T10:00+05:30:15", None, "+05:30:15"),
        ("01/12/2026 10:00 +2359", "%d/%m/%Y %H:%M %z", "+23:59"),
        ("01/12/2026 10:00 -1300", "%d/%m/%Y %H:%M %z", "-13:00"),
    ],
)
def test_an_offset_no_place_keeps_is_refused_naming_it_and_the_range(
    text: str, fmt: str | None, offset: str
) -> None:
    # Python reads any offset under a day: +23:59 was taken, a receipt nearly a day out.
    with pytest.raises(InstantError) as caught:
        parse_instant(text, LONDON, fmt)
    assert (
        f"{text!r} gives the offset {offset}, which no place keeps: an offset is whole minutes "
        "from -12:00 to +14:00"
    ) == str(caught.value)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2026-12-01T10:00+14:00", None, datetime(2026, 11, 30, 20, 0, tzinfo=UTC)),
        ("2026-12-01T10:00-12:00", None, datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),
        ("2026-12-01T10:00+05:45", None, datetime(2026, 12, 1, 4, 15, tzinfo=UTC)),
        ("01/12/2026 10:00 -1200", "%d/%m/%Y %H:%M %z", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),
    ],
)
def test_an_offset_a_place_keeps_is_read(text: str, fmt: str | None, expected: datetime) -> None:
    assert expected == parse_instant(text, LONDON, fmt)


TWELVE_HOUR = "%d/%m/%Y %I:%M %p"


@pytest.mark.parametrize(
    ("text", "hour", "written"),
    [
        ("01/12/2026 00:30 AM", "00", "00:30 is 12:30 AM"),
        ("01/12/2026 0:30 AM", "00", "00:30 is 12:30 AM"),
        ("01/12/2026 13:30 PM", "13", "13:30 is 01:30 PM"),
    ],
)
def test_an_hour_the_12_hour_clock_lacks_is_refused_saying_it_takes_01_to_12(
    text: str, hour: str, written: str
) -> None:
    # It was said only not to match the format, which did not say the hour was the slip.
    message = (
        f"{text!r} gives the hour {hour}, but the date format {TWELVE_HOUR} reads the hour on "
        f"the 12-hour clock (%I), which takes 01 to 12 ({written}): check the time, or use %H "
        "for the 24-hour clock"
    )
    with pytest.raises(InstantError) as caught:
        parse_instant(text, LONDON, TWELVE_HOUR)
    assert message == str(caught.value)
    with pytest.raises(InstantError) as caught:
        parse_date(text, TWELVE_HOUR)
    assert message == str(caught.value)


def test_an_hour_off_the_12_hour_clock_in_other_digits_is_said_not_to_match() -> None:
    # complaintctl reads 0-9 alone: the digits are the slip to name, not the hour.
    with pytest.raises(InstantError, match="does not match the date format"):
        parse_instant("01/12/2026 ٠٠:30 AM", LONDON, TWELVE_HOUR)


@pytest.mark.parametrize(
    ("text", "codes", "said"),
    [
        ("30-11-2026 14:00", "%d/%m/%Y %H:%M ", "does not match the date format"),
        ("30/11/2026 00:30 AM", "%d/%m/%Y %I:%M %p ", "gives the hour 00, but the date format"),
        ("30/11/2026 02:05 PM", "%d/%m/%Y %H:%M %p ", "with PM, but the date format"),
    ],
)
def test_a_date_format_pasted_long_is_cut_where_a_bad_row_names_it(
    text: str, codes: str, said: str
) -> None:
    # Said whole on every bad row, a long format buried what was wrong with each.
    fmt = codes + "x" * 5000
    with pytest.raises(InstantError) as caught:
        parse_instant(text + " " + "x" * 5000, LONDON, fmt)
    assert f"{said} {fmt[:40]}…" in str(caught.value)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # A date with its offset, as XML Schema writes one: Python read the offset as a time.
        ("2026-12-01-05:00", "gives an offset after the date but no time (Python would read "
                             "-05:00 as the time 05:00): write the time before the offset, e.g. "
                             "2026-12-01T00:00-05:00, or the date alone"),
        ("2026-12-01+01:00", "gives an offset after the date but no time (Python would read "
                             "+01:00 as the time 01:00): write the time before the offset, e.g. "
                             "2026-12-01T00:00+01:00, or the date alone"),
        ("20261201-0500", "(Python would read -0500 as the time 05:00): write the time before "
                          "the offset, e.g. 20261201T00:00-0500, or the date alone"),
        ("2026-W48-1+01", "e.g. 2026-W48-1T00:00+01, or the date alone"),
        ("2026-12-01-05:00:30", "(Python would read it as the time 05:00:30): write the time "
                                "before the offset, or the date alone"),
        # Any other character between the date and the time: an interval's slash, a slip.
        ("2026-12-01/10", "separates the date from the time by '/': write T or a space, "
                          "e.g. 2026-12-01T10"),
        ("2026-12-01x10:00", "by 'x': write T or a space, e.g. 2026-12-01T10:00"),
        ("2026-12-01_10:00", "by '_': write T or a space, e.g. 2026-12-01T10:00"),
        ("2026-12-01.10:00+01:00", "by '.': write T or a space, e.g. 2026-12-01T10:00+01:00"),
    ],
)  # fmt: skip
def test_a_date_and_time_joined_by_anything_but_t_or_a_space_is_refused_saying_how_to_write_it(
    text: str, said: str
) -> None:
    for parse in (parse_due, parse_instant):
        with pytest.raises(InstantError) as refused:
            parse(text, LONDON)
        message = str(refused.value)
        assert (True, True) == (message.startswith(f"{text!r} "), message.endswith(said)), message


@pytest.mark.parametrize(
    "text", ["2026-12-01T10:00", "2026-12-01t10:00", "2026-12-01 10:00", "2026-12-01\u00a010:00"]
)
def test_a_date_and_time_joined_by_t_or_a_space_is_read(text: str) -> None:
    assert datetime(2026, 12, 1, 10, 0, tzinfo=UTC) == parse_instant(text, LONDON)
