"""The report's periods and the pure parts of its figures: how a period is written, which
instants it covers, the one before it, and how a clock is judged at a cutoff."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from complaintctl.domain import figures
from complaintctl.domain.calendar import SEARCH_LIMIT_DAYS, WorkingCalendar, office_week
from complaintctl.domain.periods import (
    PeriodError,
    between,
    calendar_year,
    financial_year,
    month,
    parse_period,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "month"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "month"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
        ("2027-q1", date(2027, 1, 1), date(2027, 3, 31), "quarter"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
        ("2026-27", date(2026, 4, 1), date(2027, 3, 31), "financial-year"),
        ("FY2011-12", date(2011, 4, 1), date(2012, 3, 31), "financial-year"),
        ("2011-12", date(2011, 12, 1), date(2011, 12, 31), "month"),  # ISO 8601's reading
        (" 2099-12 ", date(2099, 12, 1), date(2099, 12, 31), "month"),
    ],
)
def test_a_period_is_read_as_written(text: str, first: date, last: date, kind: str) -> None:
    period = parse_period(text)
    assert (first, last, kind) == (period.first, period.last, period.kind)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "neither a month (01 to 12) nor a financial year (2026-27"),
        ("2026-Q5", "quarters Q1 to Q4"),
        ("2026-28", "neither a month"),
        ("2026/28", "written 2026-27"),
        ("Q4 2026", "is not a period: write 2026-11"),
        ("", "is not a period"),
        ("２０２６", "is not a period"),  # full-width digits
        ("1999", "outside the years"),
        ("2026-00", "neither a month"),
        ("2099-00", "outside the years"),  # the financial year 2099-2100
        # years the calendar cannot hold, or whose period runs past its end
        ("0000", "outside the years"),
        ("0000-01", "outside the years"),
        ("FY0000-01", "outside the years"),
        ("9999-12", "outside the years"),
        ("9999-Q4", "outside the years"),
        ("9999-00", "outside the years"),
    ],
)
def test_a_period_written_wrong_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(message)):
        parse_period(text)


@pytest.mark.parametrize(
    "text",
    ["x" * 3000, "2026-" + "x" * 3000, "2026-Q" + "9" * 3000, "2026-" + "1" * 3000],
    ids=["text", "after-a-year", "quarter", "month"],
)
def test_a_period_pasted_long_is_cut_in_its_refusal(text: str) -> None:
    # It was said back whole: one line of thousands of characters.
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value).startswith(f"{text[:40]!r}… ")


def test_a_period_runs_from_local_midnight_to_local_midnight_whatever_the_clocks_do() -> None:
    # March 2027: the clocks go forward on the 28th, so it ends at 23:00 UTC.
    march = parse_period("2027-03")
    assert datetime(2027, 3, 1, 0, 0, tzinfo=UTC) == march.starts(LONDON)
    assert datetime(2027, 3, 31, 23, 0, tzinfo=UTC) == march.ends(LONDON)


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2027-01", "2026-12"),
        ("2027-Q1", "2026-Q4"),
        ("2026-Q3", "2026-Q2"),
        ("2027", "2026"),
        ("2026-27", "2025-26"),
        ("2000-01", "1999-12"),
        ("2012-13", "FY2011-12"),  # not December 2011
        ("FY2001-02", "FY2000-01"),
    ],
)
def test_the_period_before_is_of_the_same_kind(text: str, previous: str) -> None:
    assert previous == parse_period(text).previous().label


def test_every_period_is_labelled_as_it_reads_back() -> None:
    # A financial year whose short form is a month (2011-12 is December 2011) is labelled
    # FY2011-12: the report's heading and its JSON's "period" never name another period.
    for year in range(2000, 2099):
        for period in (financial_year(year), calendar_year(year), month(date(year, 12, 1))):
            again = parse_period(period.label)
            assert (period.first, period.last, period.kind) == (again.first, again.last, again.kind)
    assert "FY2011-12" == parse_period("FY2011-12").label
    assert "2026-27" == parse_period("FY2026-27").label


def test_the_dates_before_are_as_many_days_just_before() -> None:
    before = between(date(2026, 11, 10), date(2026, 11, 19)).previous()
    assert (date(2026, 10, 31), date(2026, 11, 9)) == (before.first, before.last)


def test_the_months_of_a_period_are_cut_to_its_dates() -> None:
    assert ["2026-10", "2026-11", "2026-12"] == [m.label for m in parse_period("2026-Q4").months()]
    assert ["2026-11-20 to 2026-11-30", "2026-12-01 to 2026-12-03"] == [
        m.label for m in between(date(2026, 11, 20), date(2026, 12, 3)).months()
    ]


def test_dates_that_run_backwards_are_refused() -> None:
    with pytest.raises(PeriodError, match="ends"):
        between(date(2026, 12, 2), date(2026, 12, 1))


# -- figures ----------------------------------------------------------------------------------

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=3)


def clock(**fields: object) -> figures.Clock:
    given: dict[str, object] = {"start": T0, "due": DUE, "rule_due": DUE, "recorded_at": T0}
    return figures.Clock(**(given | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "cutoff", "state"),
    [
        ({"met_at": DUE, "on_time": True}, DUE, figures.ON_TIME),
        ({"met_at": DUE, "on_time": False}, DUE, figures.LATE),
        (
            {"met_at": DUE + timedelta(days=1), "on_time": True, "extended": True,
             "due": DUE + timedelta(days=2)},
            DUE, figures.ON_TIME_EXTENDED,
        ),
        ({"met_at": DUE, "on_time": True, "extended": True}, DUE, figures.ON_TIME),
        ({}, DUE, figures.NOT_YET_DUE),  # due at the very cutoff: not past due yet
        ({}, DUE + timedelta(seconds=1), figures.OPEN_PAST_DUE),
        ({"cancelled_at": DUE}, DUE + timedelta(days=9), figures.CANCELLED),
        ({"cancelled_at": DUE + timedelta(minutes=1)}, DUE, figures.CLOSED_PAST_DUE),
    ],
)  # fmt: skip
def test_a_clock_is_judged_at_the_cutoff(
    fields: dict[str, object], cutoff: datetime, state: str
) -> None:
    assert state == clock(**fields).state(cutoff)


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    second = timedelta(seconds=1)
    assert 9.0 == figures.percentile([n * 10**6 for n in range(1, 11)], 90, second)
    assert 10.0 == figures.percentile([n * 10**6 for n in range(1, 12)], 90, second)
    assert 4.0 == figures.percentile([4 * 10**6], 90, second)
    assert figures.percentile([], 90, second) is None


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        (Fraction(21, 8), 2, 2.63),  # 21 working hours in working days: 2.625
        (Fraction(121, 8), 2, 15.13),  # 15.125
        (Fraction(2675, 1000), 2, 2.68),  # not exactly 2.675 as a float
        (Fraction(1, 8), 2, 0.13),
        (Fraction(1, 16), 4, 0.0625),
        (Fraction(1, 32), 4, 0.0313),  # 0.03125
        (Fraction(2, 3), 4, 0.6667),
        (Fraction(-21, 8), 2, -2.63),
        (3, 2, 3.0),
    ],
)  # fmt: skip
def test_a_figure_rounds_a_half_away_from_zero_on_its_exact_value(
    value: Fraction | int, places: int, rounded: float
) -> None:
    assert rounded == figures.round_half_up(value, places)


def test_medians_percentiles_and_shares_round_as_a_person_does() -> None:
    hour, day = timedelta(hours=1), timedelta(hours=8)
    assert 2.63 == figures._median(figures.microseconds([hour * 21]), day)
    # 15.125 days, halfway between 15 and 15.25
    assert 15.13 == figures._median(figures.microseconds([day * 15, day * 61 / 4]), day)
    assert 2.63 == figures.percentile(figures.microseconds([hour * 21]), 90, day)
    assert 0.0313 == figures._share(1, 32)
    assert 0.33 == figures._median(figures.microseconds([timedelta(minutes=20)]), hour)


@pytest.mark.parametrize(
    ("share", "places", "shown"),
    [
        (0.0625, 1, "6.3"),
        (0.125, 0, "13"),
        (0.875, 0, "88"),
        (0.1235, 1, "12.4"),
        (1.0, 1, "100.0"),
    ],
)
def test_a_share_shown_as_a_percentage_rounds_a_half_up(
    share: float, places: int, shown: str
) -> None:
    assert shown == str(figures.as_percent(share, places))


def test_the_age_bands_cover_every_whole_working_day() -> None:
    day = timedelta(hours=8)
    assert ["0-5", "0-5", "6-10", "11-20", "21-40", "21-40", "over-40"] == [
        figures.age_band(day * n, day) for n in (0, 5.9, 6, 20, 21, 40, 41)
    ]


def test_every_figure_is_defined_once_with_words_and_a_unit() -> None:
    names = [figure.name for figure in figures.FIGURES]
    assert len(names) == len(set(names))
    units = {figures.COUNT, figures.SHARE, figures.WORKING_HOURS, figures.WORKING_DAYS,
             figures.PENCE}  # fmt: skip
    assert all(f.words and f.unit in units for f in figures.FIGURES)
    assert all(f.parts is None or f.parts in figures.PARTS for f in figures.FIGURES)


def test_a_case_logged_after_the_cutoff_is_not_there_yet() -> None:
    log = figures.Entry(
        "log", T0, T0 + timedelta(hours=1), {"channel": "email", "category": "delay",
                                             "acknowledge_due": DUE.isoformat()}
    )  # fmt: skip
    assert figures.replay("SC-2026-000001", [log], T0) is None
    found = figures.replay("SC-2026-000001", [log], T0 + timedelta(hours=1))
    assert found is not None
    assert DUE == found.clocks["acknowledge"].due


def test_an_actions_due_moved_by_a_calendar_change_counts_from_when_it_was_recorded() -> None:
    hour = timedelta(hours=1)
    log = figures.Entry("log", T0, T0, {"channel": "email", "category": "delay",
                                        "acknowledge_due": DUE.isoformat()})  # fmt: skip
    opened = figures.Entry("action-opened", T0 + hour, T0 + hour,
                           {"id": 7, "due": (T0 + 48 * hour).isoformat()})  # fmt: skip
    moved = figures.Entry("deadline-recomputed", T0 + 2 * hour, T0 + 2 * hour,
                          {"kind": "action", "action_id": 7,
                           "old_due": (T0 + 48 * hour).isoformat(),
                           "new_due": (T0 + 72 * hour).isoformat()})  # fmt: skip
    entries = [log, opened, moved]

    before = figures.replay("SC-2026-000001", entries, T0 + hour)
    after = figures.replay("SC-2026-000001", entries, T0 + 2 * hour)

    assert before is not None
    assert after is not None
    assert [T0 + 48 * hour] == [action.due for action in before.actions]
    assert [T0 + 72 * hour] == [action.due for action in after.actions]
    assert DUE == after.clocks["acknowledge"].due  # the case's own clocks are not touched


def test_a_restriction_is_known_from_when_its_entries_were_recorded() -> None:
    at = datetime(2027, 3, 10, 10, tzinfo=UTC)
    later = datetime(2027, 4, 6, 10, tzinfo=UTC)
    marker = {"removed": "[erased 2027-06-01 on request]", "sha256": "0" * 64}
    entries = [
        # Written before the decision named its restriction, and its words since removed.
        figures.Entry("restriction-decided", at, later, {"consumer_id": 7, "reason": marker,
                                                         "restriction": marker}),
        figures.Entry("restriction-decided", at, at, {"consumer_id": 8, "restriction_id": 2}),
        figures.Entry("restriction-lifted", later, later, {"restriction": 2, "reason": marker}),
    ]  # fmt: skip
    facts = figures.restriction_facts(
        [(1, 7, at, None, at + timedelta(days=180)), (2, 8, at, later, None)], entries
    ).facts
    assert [(later, None), (at, later)] == [(f.decided_recorded, f.lifted_recorded) for f in facts]
    cutoff = datetime(2027, 4, 1, tzinfo=UTC)
    assert [False, True] == [f.known(cutoff) for f in facts]
    assert [True, True] == [f.in_force(later) for f in facts[:1]] + [facts[1].in_force(cutoff)]


def test_a_replay_keeps_each_change_the_history_recorded_by_its_cutoff() -> None:
    """An edit's category, channel and Board, a close's reason and a reopen's undoing of it,
    each as recorded by the cutoff; the same from plain tuples as from entries."""
    hour = timedelta(hours=1)

    def at(n: int) -> datetime:
        return T0 + n * hour

    entries = [
        figures.Entry("log", at(0), at(0), {"channel": "email", "category": "delay",
                      "board": False, "acknowledge_due": DUE.isoformat()}),
        figures.Entry("acknowledge", at(1), at(1), {"area": "Energy", "on_time": True,
                      "respond_due": (T0 + 48 * hour).isoformat()}),
        figures.Entry("edit", at(2), at(2), {"changes": [
            {"field": "category", "old": "delay", "new": "process"},
            {"field": "board", "old": False, "new": True},
            {"field": "summary", "old": "a", "new": "b"}]}),
        figures.Entry("close", at(3), at(3), {"reason": "out-of-scope", "because": "decision"}),
        figures.Entry("reopen", at(4), at(4), {}),
        figures.Entry("edit", at(5), at(5), {"changes": [
            {"field": "channel", "old": "email", "new": "post"}]}),
    ]  # fmt: skip

    closed = figures.replay("SC-2026-000001", entries, at(3))
    reopened = figures.replay("SC-2026-000001", entries, at(5))

    assert closed is not None
    assert reopened is not None
    assert ("email", "process", True, "Energy", at(1)) == (
        closed.channel,
        closed.category,
        closed.board,
        closed.area,
        closed.acknowledged_at,
    )
    assert ("closed", "out-of-scope", "decision") == (
        closed.stage,
        closed.close_reason,
        closed.close_because,
    )
    assert closed.clocks["respond"].cancelled_at is not None
    assert ("post", "process", True, "first-stage", None, None) == (
        reopened.channel, reopened.category, reopened.board, reopened.stage,
        reopened.close_reason, reopened.close_because,
    )  # fmt: skip
    assert reopened.clocks["respond"].running
    plain = [tuple(entry) for entry in entries]
    assert reopened == figures.replay("SC-2026-000001", plain, at(5))  # type: ignore[arg-type]


def test_replay_builds_facts_and_clocks_by_position_in_this_order() -> None:
    # replay makes CaseFacts and Clock through tuple.__new__, its values listed by position:
    # a field added or moved must be added or moved there too, or a value reads as another.
    assert (
        "ref", "received_at", "channel", "category", "board", "out_of_time", "area", "stage",
        "close_reason", "close_because", "clocks", "acknowledged_at", "responses",
        "escalated_at", "referrals", "assessed", "incidents", "actions",
    ) == figures.CaseFacts._fields  # fmt: skip
    assert (
        "start", "due", "rule_due", "recorded_at", "extended", "met_at", "on_time",
        "cancelled_at",
    ) == figures.Clock._fields  # fmt: skip


def test_each_on_time_share_names_the_counts_it_is_made_of() -> None:
    from complaintctl.domain.figures import COUNT, FIGURE, SHARE, SHARE_COUNTS

    on_time_shares = {name for name in FIGURE if name.endswith("on_time_share")}
    assert on_time_shares == set(SHARE_COUNTS)
    for share, (met, missed) in SHARE_COUNTS.items():
        assert SHARE == FIGURE[share].unit
        assert all(COUNT == FIGURE[name].unit for name in (*met, *missed))
        assert FIGURE[share].section == {FIGURE[name].section for name in (*met, *missed)}.pop()


def test_the_age_limits_of_a_calendar_closed_for_years_are_where_its_search_ends() -> None:
    """A calendar closed for longer than it searches back holds less than a band's working
    time there: every case received in those years is in the youngest band, and the report is
    made rather than refused."""
    cutoff = datetime(2026, 12, 1, 12, tzinfo=UTC)
    closed = [cutoff.date() - timedelta(days=n) for n in range(SEARCH_LIMIT_DAYS + 10)]
    calendar = WorkingCalendar(zone="Europe/London", week=office_week(),
                               closed_days=dict.fromkeys(closed, "closed"))  # fmt: skip

    limits = figures.age_limits(calendar, cutoff)

    assert (cutoff - timedelta(days=SEARCH_LIMIT_DAYS),) * 4 == limits
