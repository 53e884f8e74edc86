"""`explain_deadline` on a real store: the rule, the start, the calendar, each day, each change
(an extension, a recompute) and the clock's state as of an instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from complaintctl import services
from complaintctl.domain.explain import COUNTED, RECEIVED_DAY, SKIPPED
from complaintctl.domain.procedure import CloseReason, Decision
from complaintctl.errors import NotFound
from complaintctl.services.explain import (
    BREACHED,
    MET,
    NOT_STARTED,
    RUNNING,
    STOPPED,
    ExplainView,
    explain_deadline,
)
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, log, t, to_second_stage


def acknowledge(unit: UnitFactory, ref: str, at: datetime) -> None:
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one", at=at)


def explain(
    unit: UnitFactory, ref: str, kind: str | None = None, as_of: datetime = NOW
) -> ExplainView:
    with unit(write=False) as uow:
        return explain_deadline(uow, ref=ref, kind=kind, as_of=as_of)


def days(view: ExplainView) -> list[tuple[str, str, str]]:
    return [(e.day.isoformat(), e.kind, e.reason) for e in view.days]


# -- the rule, the start and the calendar ------------------------------------------------------


def test_christmas_explains_each_day_skipped_and_reaches_24_hours_at_the_due(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-24T16:00"))

    view = explain(unit, ref, as_of=t("2026-12-30T12:00"))

    assert ("acknowledge", "24 working hours after receipt") == (view.kind, view.rule)
    assert (t("2026-12-24T16:00"), "log", "officer.one") == (
        view.start,
        view.started_by,
        view.started_by_actor,
    )
    assert t("2026-12-31T16:00") == view.due == view.rule_due
    assert [
        ("2026-12-24", COUNTED, "started 16:00: the 7h of opening hours before it not counted"),
        ("2026-12-25", SKIPPED, "bank holiday: Christmas Day"),
        (
            "2026-12-26",
            SKIPPED,
            "weekend (no opening hours on Saturdays); bank holiday: Boxing Day",
        ),
        ("2026-12-27", SKIPPED, "weekend (no opening hours on Sundays)"),
        ("2026-12-28", SKIPPED, "bank holiday: Boxing Day (observed)"),
        ("2026-12-29", COUNTED, ""),
        ("2026-12-30", COUNTED, ""),
        ("2026-12-31", COUNTED, "due 16:00: 24h reached"),
    ] == days(view)
    assert timedelta(hours=24) == view.days[-1].total
    assert (RUNNING, timedelta(hours=12), timedelta(hours=12)) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )
    assert () == view.changes
    assert () == view.notes


def test_the_calendar_used_is_the_stores(unit: UnitFactory) -> None:
    view = explain(unit, log(unit, t("2026-12-01T10:00")))

    calendar = view.calendar
    assert ("Europe/London", "GB-ENG") == (calendar.zone, calendar.holiday_region)
    assert (("Mon", "09:00-17:00"), ("Sat", "closed")) == (calendar.week[0], calendar.week[5])
    assert (date(2021, 1, 1), date(2031, 12, 31)) == (calendar.known_from, calendar.known_through)
    assert calendar.holidays_source.startswith("holidays ")


def test_the_final_response_counts_20_working_days_from_day_0(unit: UnitFactory) -> None:
    # Escalated Mon 7 Dec 2026 10:00 to hana.handler (journey.to_second_stage).
    ref = to_second_stage(unit)

    view = explain(unit, ref, as_of=t("2026-12-08T12:00"))

    assert ("final", "20 working days after escalation", "escalate") == (
        view.kind,
        view.rule,
        view.started_by,
    )
    numbered = [(e.day.isoformat(), e.day_number) for e in view.days if e.day_number is not None]
    assert [("2026-12-07", 0), ("2026-12-08", 1)] == numbered[:2]
    assert ("2027-01-07", 20) == numbered[-1]
    assert RECEIVED_DAY == view.days[0].kind
    skipped = {e.day.isoformat(): e.reason for e in view.days if e.kind == SKIPPED}
    assert "bank holiday: New Year's Day" == skipped["2027-01-01"]
    assert t("2027-01-07T17:00") == view.due == view.rule_due


# -- which deadline ------------------------------------------------------------------------------


def test_by_default_the_running_clock_is_explained(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    assert (("acknowledge", "respond"), "respond") == (
        explain(unit, ref).kinds,
        explain(unit, ref).kind,
    )
    # A replay before the acknowledgement: the acknowledgement clock was running then.
    assert "acknowledge" == explain(unit, ref, as_of=t("2026-12-01T12:00")).kind


def test_without_a_running_clock_the_latest_is_explained(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=None,
        by="officer.one",
        at=t("2026-12-01T11:00"),
    )

    view = explain(unit, ref)

    assert ("acknowledge", STOPPED, t("2026-12-01T11:00"), True) == (
        view.kind,
        view.status.state,
        view.status.ended_at,
        view.status.on_time,
    )


def test_an_unknown_case_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound, match="no case SC-2026-000099"):
        explain(unit, "SC-2026-000099")


def test_a_kind_the_case_does_not_have_is_not_found_naming_those_it_has(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))

    with pytest.raises(NotFound) as refused:
        explain(unit, ref, "final")

    assert f"{ref} has no final deadline; the deadlines it has: acknowledge" == (
        refused.value.message
    )


# -- the state as of an instant ---------------------------------------------------------------


def test_met_on_time_shows_the_working_time_to_spare(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    status = explain(unit, ref, "acknowledge").status

    assert (MET, True, t("2026-12-02T10:00")) == (status.state, status.on_time, status.ended_at)
    assert (timedelta(hours=8), timedelta(hours=16)) == (
        status.working_used,
        status.working_left,
    )


def test_a_breached_clock_shows_how_late_in_working_and_calendar_time(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))  # due Fri 4 Dec 10:00

    status = explain(unit, ref, as_of=t("2026-12-07T11:00")).status

    assert (BREACHED, timedelta(hours=9), timedelta(days=3, hours=1)) == (
        status.state,
        status.working_late,
        status.calendar_late,
    )
    assert timedelta(hours=33) == status.working_used


def test_as_of_before_the_start_the_clock_had_not_started(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    status = explain(unit, ref, "respond", as_of=t("2026-12-01T12:00")).status

    assert (NOT_STARTED, timedelta(0)) == (status.state, status.working_used)


# -- extensions and recomputes ------------------------------------------------------------------


def test_an_extension_keeps_the_rule_and_shows_the_agreed_date(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T10:00"))
    act(
        unit,
        services.assign,
        ref=ref,
        to="rita.responder",
        by="lee.leader",
        at=t("2026-12-01T11:00"),
    )
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2026-12-18T17:00"),
        reason="Waiting for the call recordings",
        by="rita.responder",
        at=t("2026-12-02T15:00"),
    )

    view = explain(unit, ref, as_of=t("2026-12-10T12:00"))

    assert ("respond", "24 working hours after acknowledgement", 24, "working-hours") == (
        view.kind,
        view.rule,
        view.amount,
        view.unit,
    )
    assert (t("2026-12-04T10:00"), t("2026-12-18T17:00"), True) == (
        view.rule_due,
        view.due,
        view.extended,
    )
    assert [
        (
            "extend",
            "rita.responder",
            t("2026-12-02T15:00"),
            t("2026-12-04T10:00"),
            t("2026-12-18T17:00"),
            "Waiting for the call recordings",
        )
    ] == [(c.action, c.by, c.at, c.old_due, c.new_due, c.reason) for c in view.changes]
    assert () == view.notes
    # As of Thu 10 Dec noon: 7h on Tue 1 Dec, six full days, 3h on Thu 10th used; 5h that
    # day and six full days to Fri 18th 17:00 left.
    assert (RUNNING, timedelta(hours=58), timedelta(hours=53)) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )


def test_a_closure_added_while_the_clock_runs_is_skipped_and_the_recompute_shown(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    act(
        unit,
        services.add_closure,
        day=date(2026, 12, 3),
        reason="Office move",
        by="sam.senior",
        at=t("2026-12-01T12:00"),
        # Made while the clock runs: a deadline is judged breached or not when the calendar
        # changes, whatever --at says.
        now=t("2026-12-01T12:00"),
    )

    view = explain(unit, ref, as_of=t("2026-12-01T12:00"))

    assert ("2026-12-03", SKIPPED, "office closure: Office move") == days(view)[2]
    assert t("2026-12-07T10:00") == view.due == view.rule_due
    assert [
        (
            "deadline-recomputed",
            "sam.senior",
            t("2026-12-04T10:00"),
            t("2026-12-07T10:00"),
            "closure on 2026-12-03 added",
        )
    ] == [(c.action, c.by, c.old_due, c.new_due, c.reason) for c in view.changes]


def test_a_calendar_change_after_the_clock_stopped_is_noted_not_applied(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))
    act(
        unit,
        services.add_closure,
        day=date(2026, 12, 3),
        reason="Office move",
        by="sam.senior",
        at=t("2026-12-02T12:00"),
    )

    view = explain(unit, ref, "acknowledge")

    assert (t("2026-12-04T10:00"), t("2026-12-07T10:00")) == (view.due, view.rule_due)
    assert (
        "the calendar has changed since: on today's calendar the rule gives "
        "Mon 2026-12-07 10:00 GMT, but Fri 2026-12-04 10:00 GMT applied (a deadline already "
        "met or breached keeps its value)",
    ) == view.notes
    assert () == view.changes


# -- the referral window ------------------------------------------------------------------------


def test_the_referral_window_is_three_calendar_months_at_the_same_wall_clock_time(
    unit: UnitFactory,
) -> None:
    # Escalated Mon 7 Dec 2026 10:00 to hana.handler (journey.to_second_stage).
    ref = to_second_stage(unit)
    act(
        unit,
        services.final_response,
        ref=ref,
        decision=Decision.NOT_UPHELD,
        summary="No",
        remedies=services.Remedies(),
        by="hana.handler",
        at=t("2027-01-04T10:00"),
    )

    view = explain(unit, ref, as_of=t("2027-02-04T10:00"))

    assert ("referral-window", "3 months after the final response", ()) == (
        view.kind,
        view.rule,
        view.days,
    )
    # 10:00 GMT in January is 10:00 BST in April: 09:00 UTC.
    assert t("2027-04-04T09:00") == view.due
    assert (
        "Mon 2027-01-04 10:00 GMT + 3 calendar months, same wall-clock time: "
        "Sun 2027-04-04 10:00 BST",
    ) == view.notes
    assert (RUNNING, None, None) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )
    # 28 days of February and 31 of March, less the hour the clocks skip.
    assert timedelta(days=58, hours=23) == view.status.calendar_left
