"""Hand-checked examples for the working-hours clock (MODEL.md, "Working time")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from complaintctl.domain.calendar import (
    CalendarError,
    Opening,
    WorkingCalendar,
    format_week,
    office_week,
    parse_week,
)

LONDON = ZoneInfo("Europe/London")

BANK_HOLIDAYS: dict[date, str] = dict(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029)).items()
)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in London (the earlier one when the clocks go back)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def wall(instant: datetime) -> str:
    return instant.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M")


def office(**extra_closed: str) -> WorkingCalendar:
    """The default schedule, England and Wales bank holidays closed, plus `extra_closed` days."""
    closed = dict(BANK_HOLIDAYS)
    closed.update({date.fromisoformat(day): why for day, why in extra_closed.items()})
    return WorkingCalendar(closed_days=closed)


OFFICE = office()


def test_the_england_and_wales_bank_holidays_include_christmas_2026_and_the_observed_boxing_day():
    assert "Christmas Day" == BANK_HOLIDAYS[date(2026, 12, 25)]
    assert "Boxing Day (observed)" == BANK_HOLIDAYS[date(2026, 12, 28)]


# -- MODEL.md's worked examples -------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "due"),
    [
        pytest.param(london(2026, 12, 24, 16), london(2026, 12, 31, 16), id="christmas"),
        pytest.param(london(2026, 3, 28, 10), london(2026, 4, 1, 17), id="clocks-forward"),
        pytest.param(london(2026, 11, 27, 17), london(2026, 12, 2, 17), id="friday-close"),
    ],
)
def test_24_working_hours_fall_due_as_in_the_worked_examples(event, due):
    actual = OFFICE.add_working_hours(event, 24)

    assert due == actual
    assert wall(due) == wall(actual)


@pytest.mark.parametrize(
    ("event", "due"),
    [
        pytest.param(london(2026, 12, 24, 16), london(2026, 12, 31, 16), id="christmas"),
        pytest.param(london(2026, 3, 28, 10), london(2026, 4, 1, 17), id="clocks-forward"),
        pytest.param(london(2026, 11, 27, 17), london(2026, 12, 2, 17), id="friday-close"),
    ],
)
def test_the_worked_examples_contain_exactly_24_working_hours(event, due):
    assert timedelta(hours=24) == OFFICE.working_time_between(event, due)


def test_the_worked_examples_give_the_same_answer_for_a_utc_start():
    event = london(2026, 3, 28, 10).astimezone(UTC)

    assert london(2026, 4, 1, 17) == OFFICE.add_working_hours(event, 24)


def test_results_are_utc_instants():
    assert UTC == OFFICE.add_working_hours(london(2026, 6, 1, 9), 1).tzinfo


# -- closes, openings and closures ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        pytest.param(london(2026, 6, 1, 9), 8, london(2026, 6, 1, 17), id="a-full-day"),
        pytest.param(london(2026, 6, 1, 13), 4, london(2026, 6, 1, 17), id="an-afternoon"),
        pytest.param(london(2026, 6, 5, 9), 8, london(2026, 6, 5, 17), id="a-friday"),
        pytest.param(london(2026, 6, 1, 9), 16, london(2026, 6, 2, 17), id="two-days"),
    ],
)
def test_a_deadline_landing_exactly_on_the_close_is_the_close_not_the_next_opening(
    start, hours, due
):
    assert due == OFFICE.add_working_hours(start, hours)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(london(2026, 6, 2, 8), london(2026, 6, 2, 10), id="before-opening"),
        pytest.param(london(2026, 6, 2, 0), london(2026, 6, 2, 10), id="at-midnight"),
        pytest.param(london(2026, 6, 1, 17), london(2026, 6, 2, 10), id="at-the-close"),
        pytest.param(london(2026, 6, 1, 22, 30), london(2026, 6, 2, 10), id="in-the-evening"),
        pytest.param(london(2026, 6, 6, 12), london(2026, 6, 8, 10), id="on-a-saturday"),
        pytest.param(london(2026, 5, 25, 12), london(2026, 5, 26, 10), id="on-a-bank-holiday"),
    ],
)
def test_time_received_outside_opening_hours_starts_counting_at_the_next_opening(received, due):
    assert due == OFFICE.add_working_hours(received, 1)


def test_receipt_at_0800_starts_counting_at_0900():
    assert london(2026, 6, 2, 9, 30) == OFFICE.add_working_time(
        london(2026, 6, 2, 8), timedelta(minutes=30)
    )


def test_adding_nothing_inside_opening_hours_keeps_the_start():
    assert london(2026, 6, 2, 11, 7) == OFFICE.add_working_time(
        london(2026, 6, 2, 11, 7), timedelta(0)
    )


def test_adding_nothing_at_the_close_keeps_the_close():
    assert london(2026, 6, 2, 17) == OFFICE.add_working_time(london(2026, 6, 2, 17), timedelta(0))


def test_adding_nothing_outside_opening_hours_moves_to_the_next_opening():
    assert london(2026, 6, 3, 9) == OFFICE.add_working_time(london(2026, 6, 2, 18), timedelta(0))


@pytest.mark.parametrize(
    ("instant", "opening"),
    [
        pytest.param(london(2026, 6, 2, 11), london(2026, 6, 2, 11), id="when-open"),
        pytest.param(london(2026, 6, 2, 9), london(2026, 6, 2, 9), id="at-the-opening"),
        pytest.param(london(2026, 6, 2, 17), london(2026, 6, 3, 9), id="at-the-close"),
        pytest.param(london(2026, 6, 5, 17), london(2026, 6, 8, 9), id="at-the-friday-close"),
        pytest.param(london(2026, 12, 24, 17), london(2026, 12, 29, 9), id="before-christmas"),
    ],
)
def test_the_next_opening_is_the_instant_itself_when_open_and_never_a_close(instant, opening):
    assert opening == OFFICE.next_opening(instant)


def test_a_subminute_amount_is_counted_exactly():
    assert london(2026, 6, 2, 9, 0) + timedelta(seconds=1) == OFFICE.add_working_time(
        london(2026, 6, 2, 7), timedelta(seconds=1)
    )


def test_a_deadline_far_beyond_the_days_already_counted_is_found_all_the_same():
    """Deadlines are found from running totals kept for the weeks around the starts asked
    about, and by walking on from there: 400 working hours is 50 working days, to the close of
    Friday 13 March (a fresh calendar each time, so each way is taken)."""
    start, due = london(2026, 1, 5, 9), london(2026, 3, 13, 17)
    nearby = WorkingCalendar()
    nearby.add_working_time(london(2026, 3, 1), timedelta(hours=1))  # counts Jan to April

    assert due == WorkingCalendar().add_working_time(start, timedelta(hours=400))
    assert due == nearby.add_working_time(start, timedelta(hours=400))


def test_a_closure_day_pushes_a_deadline_past_it():
    closed = office(**{"2026-06-03": "office move"})

    assert london(2026, 6, 4, 17) == closed.add_working_hours(london(2026, 6, 2, 9), 16)
    assert london(2026, 6, 3, 17) == OFFICE.add_working_hours(london(2026, 6, 2, 9), 16)


def test_a_closure_day_is_not_a_working_day():
    closed = office(**{"2026-06-03": "office move"})

    assert (False, True) == (
        closed.is_working_day(date(2026, 6, 3)),
        OFFICE.is_working_day(date(2026, 6, 3)),
    )
    assert () == closed.intervals(date(2026, 6, 3))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 6, 1), True, id="a-monday"),
        pytest.param(date(2026, 6, 5), True, id="a-friday"),
        pytest.param(date(2026, 6, 6), False, id="a-saturday"),
        pytest.param(date(2026, 6, 7), False, id="a-sunday"),
        pytest.param(date(2026, 12, 25), False, id="christmas-day"),
        pytest.param(date(2026, 12, 28), False, id="boxing-day-observed"),
        pytest.param(date(2026, 4, 3), False, id="good-friday"),
        pytest.param(date(2026, 4, 6), False, id="easter-monday"),
    ],
)
def test_working_days_are_weekdays_that_are_not_bank_holidays(day, working):
    assert working == OFFICE.is_working_day(day)


def test_a_working_day_has_one_stretch_from_0900_to_1700_london_time():
    assert ((london(2026, 6, 1, 9), london(2026, 6, 1, 17)),) == OFFICE.intervals(date(2026, 6, 1))


def test_the_local_date_is_the_date_in_london_not_in_utc():
    assert date(2026, 6, 2) == OFFICE.local_date(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))


def test_a_calendar_knows_the_bank_holidays_only_within_its_known_range():
    calendar = WorkingCalendar(known_from=date(2025, 1, 1), known_through=date(2028, 12, 31))

    assert (False, True, True, False) == tuple(
        calendar.knows(day)
        for day in (date(2024, 12, 31), date(2025, 1, 1), date(2028, 12, 31), date(2029, 1, 1))
    )


# -- working days (the UK FOI convention) ---------------------------------------------------


@pytest.mark.parametrize(
    ("event", "days", "due"),
    [
        pytest.param(london(2026, 11, 27, 17), 20, london(2026, 12, 29, 17), id="foi-20-days"),
        pytest.param(london(2026, 6, 6, 10), 1, london(2026, 6, 9, 17), id="saturday-event"),
        pytest.param(london(2026, 6, 7, 10), 1, london(2026, 6, 9, 17), id="sunday-event"),
        pytest.param(london(2026, 6, 6, 10), 0, london(2026, 6, 8, 17), id="saturday-day-0"),
        pytest.param(london(2026, 6, 1, 8), 1, london(2026, 6, 2, 17), id="before-opening"),
        pytest.param(london(2026, 6, 1, 23), 1, london(2026, 6, 2, 17), id="late-evening"),
        pytest.param(london(2026, 6, 1, 12), 0, london(2026, 6, 1, 17), id="same-day"),
        pytest.param(london(2026, 6, 5, 12), 1, london(2026, 6, 8, 17), id="over-a-weekend"),
        pytest.param(london(2026, 12, 24, 12), 1, london(2026, 12, 29, 17), id="over-christmas"),
        pytest.param(london(2026, 12, 25, 12), 1, london(2026, 12, 30, 17), id="on-christmas"),
        pytest.param(london(2026, 3, 27, 12), 1, london(2026, 3, 30, 17), id="clocks-forward"),
        pytest.param(london(2026, 10, 23, 12), 1, london(2026, 10, 26, 17), id="clocks-back"),
    ],
)
def test_working_days_count_from_the_first_working_day_after_the_event(event, days, due):
    assert due == OFFICE.add_working_days(event, days)


def test_an_event_just_after_midnight_utc_in_summer_counts_on_its_london_date():
    # 23:30 UTC on Friday 5 June is 00:30 on Saturday 6 June in London.
    assert london(2026, 6, 9, 17) == OFFICE.add_working_days(
        datetime(2026, 6, 5, 23, 30, tzinfo=UTC), 1
    )


def test_working_days_skip_a_closure_day():
    closed = office(**{"2026-06-02": "training"})

    assert london(2026, 6, 3, 17) == closed.add_working_days(london(2026, 6, 1, 12), 1)


def test_working_days_end_at_the_close_of_the_last_stretch_of_the_day():
    split = WorkingCalendar(week=parse_week("Mon 09:00-12:00, 13:00-16:30; Tue 08:00-10:00"))

    assert london(2026, 6, 8, 16, 30) == split.add_working_days(london(2026, 6, 2, 12), 1)


# -- working time between two instants -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "between"),
    [
        pytest.param(london(2026, 6, 1, 9), london(2026, 6, 1, 17), timedelta(hours=8), id="day"),
        pytest.param(london(2026, 6, 1, 0), london(2026, 6, 2, 0), timedelta(hours=8), id="24h"),
        pytest.param(london(2026, 6, 1, 10), london(2026, 6, 1, 10), timedelta(0), id="empty"),
        pytest.param(london(2026, 6, 5, 17), london(2026, 6, 8, 9), timedelta(0), id="weekend"),
        pytest.param(london(2026, 6, 6, 0), london(2026, 6, 8, 0), timedelta(0), id="sat-sun"),
        pytest.param(
            london(2026, 6, 5, 16, 30),
            london(2026, 6, 8, 9, 45),
            timedelta(minutes=75),
            id="fri-mon",
        ),
        pytest.param(london(2026, 6, 1, 9), london(2026, 6, 8, 9), timedelta(hours=40), id="week"),
        pytest.param(
            london(2026, 12, 24, 9), london(2026, 12, 29, 17), timedelta(hours=16), id="christmas"
        ),
        pytest.param(
            london(2026, 3, 27, 9), london(2026, 3, 30, 17), timedelta(hours=16), id="clocks-fwd"
        ),
        pytest.param(
            london(2026, 10, 23, 9), london(2026, 10, 26, 17), timedelta(hours=16), id="clocks-back"
        ),
    ],
)
def test_working_time_between_counts_only_opening_hours(start, end, between):
    assert between == OFFICE.working_time_between(start, end)


def test_working_time_between_is_negative_when_the_end_comes_first():
    assert -timedelta(hours=3) == OFFICE.working_time_between(
        london(2026, 6, 1, 14), london(2026, 6, 1, 11)
    )


# -- open or not ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        pytest.param(london(2026, 6, 1, 9), True, id="at-0900"),
        pytest.param(london(2026, 6, 1, 16, 59), True, id="at-1659"),
        pytest.param(london(2026, 6, 1, 17), False, id="at-1700"),
        pytest.param(london(2026, 6, 1, 8, 59), False, id="at-0859"),
        pytest.param(london(2026, 6, 6, 12), False, id="on-a-saturday"),
        pytest.param(london(2026, 12, 25, 12), False, id="on-christmas-day"),
        pytest.param(datetime(2026, 6, 1, 8, tzinfo=UTC), True, id="0800-utc-in-summer"),
        pytest.param(datetime(2026, 1, 5, 8, tzinfo=UTC), False, id="0800-utc-in-winter"),
    ],
)
def test_the_office_is_open_from_the_opening_up_to_but_not_at_the_close(instant, is_open):
    assert is_open == OFFICE.is_open(instant)


# -- opening hours as text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        pytest.param("09:00-17:00", Opening(540, 1020), id="office-hours"),
        pytest.param("00:00-24:00", Opening(0, 1440), id="all-day"),
        pytest.param(" 9:30 - 12:15 ", Opening(570, 735), id="spaces-and-one-digit"),
        pytest.param("22:00-24:00", Opening(1320, 1440), id="until-midnight"),
    ],
)
def test_opening_hours_are_read_from_text(text, opening):
    assert opening == Opening.parse(text)


@pytest.mark.parametrize(
    ("opening", "text"),
    [
        pytest.param(Opening(540, 1020), "09:00-17:00", id="office-hours"),
        pytest.param(Opening(0, 1440), "00:00-24:00", id="all-day"),
        pytest.param(Opening(5, 65), "00:05-01:05", id="padded"),
    ],
)
def test_opening_hours_are_written_as_text(opening, text):
    assert text == str(opening)


@pytest.mark.parametrize(
    "text",
    [
        "17:00-09:00",
        "09:00-09:00",
        "09:00",
        "09:00-17:00-18:00",
        "9-17",
        "09:60-10:00",
        "09:00-24:01",
        "09:00-25:00",
        "-01:00-09:00",
        "nine-five",
        "",
    ],
)
def test_opening_hours_that_cannot_be_read_raise_a_calendar_error(text):
    with pytest.raises(CalendarError):
        Opening.parse(text)


@pytest.mark.parametrize(
    ("start", "end"), [(600, 600), (600, 540), (-1, 60), (0, 1441), (1440, 1440)]
)
def test_opening_hours_must_run_forwards_within_a_day(start, end):
    with pytest.raises(CalendarError):
        Opening(start, end)


def test_the_office_week_is_written_one_weekday_at_a_time():
    assert (
        "Mon 09:00-17:00; Tue 09:00-17:00; Wed 09:00-17:00; Thu 09:00-17:00; Fri 09:00-17:00; "
        "Sat closed; Sun closed"
    ) == format_week(office_week())


@pytest.mark.parametrize(
    "week",
    [
        pytest.param(office_week(), id="office"),
        pytest.param(office_week("08:30-18:00", 6), id="six-days"),
        pytest.param(((),) * 7, id="never-open"),
        pytest.param(((Opening(0, 1440),),) * 7, id="always-open"),
        pytest.param(
            ((Opening(540, 720), Opening(720, 780), Opening(840, 1020)),) + ((),) * 6,
            id="split-monday",
        ),
    ],
)
def test_a_week_written_as_text_reads_back_the_same(week):
    assert week == parse_week(format_week(week))


def test_a_week_read_from_text_sorts_each_days_stretches():
    week = parse_week("Mon 13:00-17:00, 09:00-12:00")

    assert (Opening(540, 720), Opening(780, 1020)) == week[0]


def test_weekdays_missing_from_the_text_are_closed():
    assert ((Opening(540, 1020),), (), (), (), (), (), ()) == parse_week("Mon 09:00-17:00")


def test_adjacent_stretches_are_not_an_overlap():
    assert (Opening(540, 720), Opening(720, 1020)) == parse_week("Tue 12:00-17:00, 09:00-12:00")[1]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Funday 09:00-17:00", id="unknown-weekday"),
        pytest.param("monday 09:00-17:00", id="long-lowercase-name"),
        pytest.param("Mon 09:00-12:00, 11:00-13:00", id="overlap"),
        pytest.param("Mon 09:00-17:00, 09:00-17:00", id="repeated-stretch"),
        pytest.param("Mon 9-5", id="bad-hours"),
        pytest.param("Mon", id="no-hours"),
        pytest.param("", id="empty"),
    ],
)
def test_a_week_that_cannot_be_read_raises_a_calendar_error(text):
    with pytest.raises(CalendarError):
        parse_week(text)


def test_a_calendar_needs_opening_hours_for_all_seven_weekdays():
    with pytest.raises(CalendarError):
        WorkingCalendar(week=office_week()[:5])


# -- errors ---------------------------------------------------------------------------------

NAIVE = datetime(2026, 6, 1, 12)


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(lambda c: c.is_open(NAIVE), id="is_open"),
        pytest.param(lambda c: c.local_date(NAIVE), id="local_date"),
        pytest.param(lambda c: c.next_opening(NAIVE), id="next_opening"),
        pytest.param(lambda c: c.add_working_time(NAIVE, timedelta(hours=1)), id="add_time"),
        pytest.param(lambda c: c.add_working_hours(NAIVE, 0), id="add_hours"),
        pytest.param(lambda c: c.add_working_days(NAIVE, 1), id="add_days"),
        pytest.param(
            lambda c: c.working_time_between(NAIVE, london(2026, 6, 2)), id="between-start"
        ),
        pytest.param(lambda c: c.working_time_between(london(2026, 6, 2), NAIVE), id="between-end"),
    ],
)
def test_a_naive_datetime_is_rejected_with_a_calendar_error(ask):
    with pytest.raises(CalendarError):
        ask(OFFICE)


def test_negative_working_time_is_rejected():
    with pytest.raises(CalendarError):
        OFFICE.add_working_time(london(2026, 6, 1, 12), -timedelta(minutes=1))


def test_negative_working_days_are_rejected():
    with pytest.raises(CalendarError):
        OFFICE.add_working_days(london(2026, 6, 1, 12), -1)


NEVER_OPEN = WorkingCalendar(week=((),) * 7)


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(lambda c: c.add_working_hours(london(2026, 6, 1), 1), id="add_hours"),
        pytest.param(lambda c: c.add_working_time(london(2026, 6, 1), timedelta(0)), id="add_0"),
        pytest.param(lambda c: c.next_opening(london(2026, 6, 1)), id="next_opening"),
        pytest.param(lambda c: c.add_working_days(london(2026, 6, 1), 0), id="add_days"),
    ],
)
def test_a_calendar_with_no_opening_hours_raises_a_calendar_error_instead_of_looping(ask):
    with pytest.raises(CalendarError):
        ask(NEVER_OPEN)


def test_a_calendar_with_no_opening_hours_has_no_working_time_and_is_never_open():
    assert (timedelta(0), False) == (
        NEVER_OPEN.working_time_between(london(2026, 1, 1), london(2027, 1, 1)),
        NEVER_OPEN.is_open(london(2026, 6, 1, 12)),
    )


def test_a_calendar_whose_only_working_days_are_all_closed_raises_a_calendar_error():
    mondays_only = WorkingCalendar(
        week=office_week(weekdays=1),
        closed_days={date(2026, 6, 1) + timedelta(weeks=n): "closed" for n in range(600)},
    )

    with pytest.raises(CalendarError):
        mondays_only.add_working_hours(london(2026, 5, 30), 1)


# -- clock changes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "due"),
    [
        # Clocks go forward at 01:00 on Sunday 29 March 2026.
        pytest.param(london(2026, 3, 26, 17), london(2026, 3, 31, 17), id="march-thu-close"),
        pytest.param(london(2026, 3, 27, 16), london(2026, 4, 1, 16), id="march-fri-1600"),
        pytest.param(london(2026, 3, 27, 9), london(2026, 3, 31, 17), id="march-fri-opening"),
        pytest.param(london(2026, 3, 29, 1, 30), london(2026, 4, 1, 17), id="march-in-the-gap"),
        # Clocks go back at 02:00 on Sunday 25 October 2026.
        pytest.param(london(2026, 10, 22, 17), london(2026, 10, 27, 17), id="october-thu-close"),
        pytest.param(london(2026, 10, 23, 16), london(2026, 10, 28, 16), id="october-fri-1600"),
        pytest.param(london(2026, 10, 23, 9), london(2026, 10, 27, 17), id="october-fri-opening"),
        pytest.param(london(2026, 10, 25, 1, 30), london(2026, 10, 28, 17), id="october-repeat"),
        # Clocks go forward on Sunday 28 March 2027, the weekend of Easter.
        pytest.param(london(2027, 3, 25, 16), london(2027, 4, 1, 16), id="easter-2027"),
    ],
)
def test_24_working_hours_across_a_clock_change_keep_the_wall_clock_time(event, due):
    actual = OFFICE.add_working_hours(event, 24)

    assert due == actual
    assert wall(due) == wall(actual)


def test_a_working_day_after_the_clocks_go_forward_is_still_eight_hours():
    assert timedelta(hours=8) == OFFICE.working_time_between(
        london(2026, 3, 30, 0), london(2026, 3, 31, 0)
    )


def test_opening_hours_follow_the_wall_clock_so_utc_opening_moves_with_the_clocks():
    assert (
        datetime(2026, 3, 27, 9, tzinfo=UTC),
        datetime(2026, 3, 30, 8, tzinfo=UTC),
        datetime(2026, 10, 23, 8, tzinfo=UTC),
        datetime(2026, 10, 26, 9, tzinfo=UTC),
    ) == tuple(
        OFFICE.intervals(day)[0][0]
        for day in (date(2026, 3, 27), date(2026, 3, 30), date(2026, 10, 23), date(2026, 10, 26))
    )


ALWAYS_OPEN = WorkingCalendar(week=((Opening(0, 1440),),) * 7)


def test_a_day_open_around_the_clock_is_23_hours_when_the_clocks_go_forward():
    assert timedelta(hours=23) == ALWAYS_OPEN.working_time_between(
        london(2026, 3, 29), london(2026, 3, 30)
    )


def test_a_day_open_around_the_clock_is_25_hours_when_the_clocks_go_back():
    assert timedelta(hours=25) == ALWAYS_OPEN.working_time_between(
        london(2026, 10, 25), london(2026, 10, 26)
    )


def test_working_time_is_elapsed_time_so_a_24_hour_calendar_gains_an_hour_in_spring():
    assert london(2026, 3, 29, 13) == ALWAYS_OPEN.add_working_hours(london(2026, 3, 28, 12), 24)


def test_a_stretch_open_until_midnight_closes_at_the_next_days_midnight():
    late = WorkingCalendar(week=((Opening(1320, 1440),),) * 7)

    assert ((london(2026, 6, 1, 22), london(2026, 6, 2, 0)),) == late.intervals(date(2026, 6, 1))
    assert london(2026, 6, 2, 0) == late.add_working_hours(london(2026, 6, 1, 22), 2)
    assert london(2026, 6, 2, 0) == late.add_working_time(london(2026, 6, 2, 0), timedelta(0))
    assert london(2026, 6, 3, 23) == late.add_working_hours(london(2026, 6, 2, 0), 3)


def test_the_two_half_past_ones_of_the_night_the_clocks_go_back_are_different_questions():
    """01:30 BST and 01:30 GMT on 25 October 2026 are an hour apart, but as London datetimes
    they compare equal: the second must not be given the first one's answer."""
    always = tuple((Opening(0, 24 * 60),) for _ in range(7))
    calendar = WorkingCalendar(week=always)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(LONDON)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(LONDON)

    assert calendar.add_working_time(first, timedelta(hours=1)) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )
    assert calendar.add_working_time(second, timedelta(hours=1)) == datetime(
        2026, 10, 25, 2, 30, tzinfo=UTC
    )


# -- days with opening hours but no working time --------------------------------------------


def test_a_day_whose_hours_the_clocks_skip_is_not_a_working_day():
    """Santiago's clocks go from 00:00 to 01:00 on Sunday 6 September 2026: a Sunday opening of
    00:00-01:00 has no time in it that day, so the day is no working day (it has no close to be
    due at) and the count goes on to the next Sunday."""
    sundays = tuple(((Opening(0, 60),) if day == 6 else ()) for day in range(7))
    calendar = WorkingCalendar(zone="America/Santiago", week=sundays)
    event = datetime(2026, 8, 31, 12, tzinfo=UTC)

    assert not calendar.is_working_day(date(2026, 9, 6))
    assert calendar.is_working_day(date(2026, 9, 13))
    assert [
        calendar.add_working_days(event, days).astimezone(ZoneInfo("America/Santiago")).isoformat()
        for days in range(3)
    ] == [
        "2026-09-13T01:00:00-03:00",
        "2026-09-20T01:00:00-03:00",
        "2026-09-27T01:00:00-03:00",
    ]


def test_a_date_the_zone_skips_has_no_working_time():
    """Samoa went from Thursday 29 December 2011 straight to Saturday 31: Friday 30's opening
    hours never came, and are not counted on the Saturday's clock instead."""
    calendar = WorkingCalendar(zone="Pacific/Apia")
    apia = ZoneInfo("Pacific/Apia")
    wednesday = datetime(2011, 12, 28, 12, tzinfo=apia)
    tuesday = datetime(2012, 1, 3, 12, tzinfo=apia)

    assert not calendar.is_working_day(date(2011, 12, 30))
    assert not calendar.is_open(datetime(2011, 12, 31, 12, tzinfo=apia))
    assert calendar.add_working_hours(wednesday, 24) == tuesday
    assert calendar.working_time_between(wednesday, tuesday) == timedelta(hours=24)
    assert calendar.add_working_days(wednesday, 2) == datetime(2012, 1, 2, 17, tzinfo=apia)


def test_months_on_to_a_wall_time_the_clocks_go_back_through_is_its_later_occurrence() -> None:
    # A final response at 01:30 BST on Sat 31 Jul 2027: three months on is 01:30 on Sun 31 Oct,
    # which London sees twice. The window runs to the second: until then it is not yet 01:30
    # that day for good, and the consumer's three months are not up.
    start = datetime(2027, 7, 31, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert datetime(2027, 10, 31, 1, 30, tzinfo=UTC) == OFFICE.add_months(start, 3)  # 01:30 GMT


def test_months_on_to_a_wall_time_the_clocks_skip_is_the_time_after_the_gap() -> None:
    # 01:30 GMT on Thu 28 Dec 2026, three months on: 01:30 on Sun 28 Mar 2027 does not exist
    # in London; the window ends as the clocks have gone forward, 02:30 BST.
    start = datetime(2026, 12, 28, 1, 30, tzinfo=UTC)
    assert datetime(2027, 3, 28, 1, 30, tzinfo=UTC) == OFFICE.add_months(start, 3)
