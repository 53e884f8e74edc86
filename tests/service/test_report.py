"""The report's figures on a store built by hand, each worked out here from the procedure.

March 2027 holds a bank holiday weekend and a clock change: Good Friday is Fri 26 March and
Easter Monday Mon 29 March (both closed), and the clocks go forward at 01:00 UTC on Sun 28
March. Before that London wall time is UTC; after it, UTC+1. Working time is Monday to
Friday 09:00-17:00 London time; 24 working hours are three working days, 20 working days
are four weeks. March 2027 has 21 working days (23 weekdays less the two holidays). The
period's end, 00:00 on 1 April London time, is 23:00 UTC on 31 March.

The cases (each step recorded when it happened unless it says otherwise):

- A: received Mon 1 Mar 10:00; acknowledged Tue 2 Mar 10:00 (8 working hours); responded to
  Wed 3 Mar 10:00, upheld, apology and £50 goodwill (due Fri 5 Mar 10:00: on time; 1 working
  day after the acknowledgement); escalated Thu 4 Mar 10:00; final response Fri 19 Mar 10:00,
  partly upheld, apology (due Mon 5 Apr: on time; 11 working days after the escalation);
  referred Mon 22 Mar (within the window); the Assessor's outcome Tue 23 Mar, not upheld.
- B: received Mon 1 Mar 11:00; acknowledged Wed 3 Mar 11:00 but recorded Fri 5 Mar 12:00,
  after its due (Thu 4 Mar 11:00): late, 16 working hours. Its response, due Mon 8 Mar 11:00,
  never comes: open past due, and B is breached in the backlog (20 working days old).
- C: received Tue 2 Mar 09:00; acknowledged 12:00 (3 working hours); response due Fri 5 Mar
  12:00, extended on Thu 4 Mar to Thu 11 Mar 17:00; responded to Wed 10 Mar 10:00, not upheld:
  on time only because of the extension, 46 working hours (5.75 days) after the
  acknowledgement; closed (accepted) Mon 15 Mar.
- D: received Wed 3 Mar 10:00; acknowledged 14:00 (4 working hours); response due Mon 8 Mar
  14:00, given Tue 9 Mar 10:00, not upheld: late, 28 working hours (3.5 days) after the
  acknowledgement; escalated Wed 10 Mar 10:00 (final due Fri 9 Apr: open, not breached).
- E: by post, about something else; received Thu 4 Mar 10:00; closed out of scope (the
  decision) at 12:00, before its acknowledgement was due: not counted in acknowledgements.
- F: received Mon 1 Feb 10:00, acknowledged 12:00, responded to Tue 2 Feb 10:00 (upheld),
  escalated Wed 3 Feb 10:00: the final response was due Wed 3 Mar 17:00 and came Thu 4 Mar
  10:00, upheld, a service improvement: late, 21 working days after the escalation.
- H: by phone, received and resolved informally Fri 5 Mar 10:00.
- I: online, about mistreatment, to the Board, about an issue in August 2026 (out of time);
  received Mon 8 Mar 10:00; an incident Mon 8 Mar 11:00; never acknowledged; withdrawn Fri 12
  Mar 10:00, after its acknowledgement was due (Thu 11 Mar 10:00): closed past due.
- J: received Thu 25 Mar 15:00 (GMT); acknowledged Wed 31 Mar 10:00 (BST): 2 hours on
  Thursday, nothing on Good Friday, the weekend or Easter Monday, 8 on Tuesday, 1 on Wednesday:
  11 working hours, on time (due Thu 1 Apr 15:00 BST).
- A restriction on B's consumer, decided Mon 15 Mar (review in six months).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintctl import services
from complaintctl.domain.figures import FIGURE
from complaintctl.domain.periods import between, parse_period
from complaintctl.domain.procedure import (
    ActionKind,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
    RestrictionScope,
    Role,
)
from complaintctl.errors import InvalidInput
from complaintctl.services.steps import Spec
from complaintctl.views import ReportView, report_json
from tests.conftest import UnitFactory, examples
from tests.service.journey import act, log, t

LATER = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
MARCH = parse_period("2027-03")
LONDON = ZoneInfo("Europe/London")


def bst(text: str) -> datetime:
    """A London wall time in summer (after 28 March 2027): UTC+1."""
    return datetime.fromisoformat(text + "+01:00")


def case(unit: UnitFactory, name: str, at: datetime, **changes: Any) -> str:
    first = name.split()[0].lower()
    return log(unit, at, consumer=name, email=f"{first}@example.com", **changes)


def ack(unit: UnitFactory, ref: str, at: datetime, now: datetime | None = None) -> None:
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one", at=at,
        now=now or at)  # fmt: skip


def respond(
    unit: UnitFactory,
    ref: str,
    at: datetime,
    decision: Decision,
    remedies: Any = None,
    causes: tuple[str, ...] = (),
) -> None:
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader", at=at)
    act(unit, services.respond, ref=ref, decision=decision, summary="Answered",
        remedies=remedies or services.Remedies(), by="rita.responder", at=at,
        causes=causes)  # fmt: skip


def escalate(unit: UnitFactory, ref: str, at: datetime) -> None:
    act(unit, services.escalate, ref=ref, to="hana.handler", reason=None, by="officer.one", at=at)


def final(
    unit: UnitFactory,
    ref: str,
    at: datetime,
    decision: Decision,
    remedies: Any,
    causes: tuple[str, ...] = (),
) -> None:
    act(unit, services.final_response, ref=ref, decision=decision, summary="Final",
        remedies=remedies, by="hana.handler", at=at, causes=causes)  # fmt: skip


def close(unit: UnitFactory, ref: str, at: datetime, reason: CloseReason, **more: Any) -> None:
    more.setdefault("because", None)
    act(unit, services.close, ref=ref, reason=reason, note=None, by="officer.one", at=at, **more)


@pytest.fixture
def store(unit: UnitFactory) -> dict[str, str]:
    refs: dict[str, str] = {}
    refs["F"] = f = case(unit, "Fay Feb", t("2027-02-01T10:00"))
    ack(unit, f, t("2027-02-01T12:00"))
    respond(unit, f, t("2027-02-02T10:00"), Decision.UPHELD)
    escalate(unit, f, t("2027-02-03T10:00"))

    refs["A"] = a = case(unit, "Ann Able", t("2027-03-01T10:00"))
    refs["B"] = b = case(unit, "Bob Breach", t("2027-03-01T11:00"))
    ack(unit, a, t("2027-03-02T10:00"))
    refs["C"] = c = case(unit, "Cat Extend", t("2027-03-02T09:00"))
    ack(unit, c, t("2027-03-02T12:00"))
    refs["D"] = d = case(unit, "Dan Late", t("2027-03-03T10:00"))
    respond(unit, a, t("2027-03-03T10:00"), Decision.UPHELD,
            services.Remedies((Remedy.APOLOGY, Remedy.GOODWILL_PAYMENT), "50"),
            ("delay", "poor-communication"))  # fmt: skip
    ack(unit, d, t("2027-03-03T14:00"))
    escalate(unit, a, t("2027-03-04T10:00"))
    final(unit, f, t("2027-03-04T10:00"), Decision.UPHELD,
          services.Remedies((Remedy.SERVICE_IMPROVEMENT,)), ("process-not-followed",))  # fmt: skip
    act(unit, services.extend, ref=c, until=t("2027-03-11T17:00"), reason="Records needed",
        by="lee.leader", at=t("2027-03-04T10:00"))  # fmt: skip
    refs["E"] = e = case(unit, "Eve Scope", t("2027-03-04T10:00"), channel=Channel.POST,
                         category=Category.OTHER)  # fmt: skip
    close(unit, e, t("2027-03-04T12:00"), CloseReason.OUT_OF_SCOPE, because=OutOfScope.DECISION)
    # B's acknowledgement, dated Wednesday, recorded on Friday after its deadline.
    ack(unit, b, t("2027-03-03T11:00"), now=t("2027-03-05T12:00"))
    refs["H"] = log(unit, t("2027-03-05T10:00"), consumer="Hal Phone", email="hal@example.com",
                    channel=Channel.PHONE, resolved_informally="Sorted on the call")  # fmt: skip
    refs["I"] = i = case(unit, "Ivy Board", t("2027-03-08T10:00"), channel=Channel.ONLINE,
                         category=Category.MISTREATED, board=True,
                         about=date(2026, 8, 1))  # fmt: skip
    act(unit, services.record_incident, ref=i, note="Shouted", by="officer.one",
        at=t("2027-03-08T11:00"))  # fmt: skip
    respond(unit, d, t("2027-03-09T10:00"), Decision.NOT_UPHELD, causes=("delay",))
    respond(unit, c, t("2027-03-10T10:00"), Decision.NOT_UPHELD)
    escalate(unit, d, t("2027-03-10T10:00"))
    close(unit, i, t("2027-03-12T10:00"), CloseReason.WITHDRAWN)
    act(unit, services.restrict, email="bob@example.com", consumer_id=None,
        scope=RestrictionScope.CONTACT, reason="Abusive calls", review=None, dispute=None,
        channel=None, via="officer.two", by="sam.senior", at=t("2027-03-15T10:00"))  # fmt: skip
    close(unit, c, t("2027-03-15T10:00"), CloseReason.ACCEPTED)
    final(unit, a, t("2027-03-19T10:00"), Decision.PARTLY_UPHELD,
          services.Remedies((Remedy.APOLOGY,)))  # fmt: skip
    act(unit, services.refer, ref=a, late_reason=None, by="officer.one", at=t("2027-03-22T10:00"))
    act(unit, services.record_outcome, ref=a, outcome=AssessorOutcome.NOT_UPHELD,
        recommendation=None, by="officer.one", at=t("2027-03-23T10:00"))  # fmt: skip
    refs["J"] = j = case(unit, "Jo Easter", t("2027-03-25T15:00"))
    ack(unit, j, bst("2027-03-31T10:00"))
    # The actions: A's goodwill opened its "pay" (due Wed 17 Mar 17:00), done on time Tue 16
    # Mar; F's improvement, due Fri 12 Mar, done late Mon 15 Mar; D's, opened Mon 22 Mar
    # within 2 working days (due Wed 24 Mar 17:00), open and overdue at the cutoff.
    improvement = act(unit, services.add_action, ref=f, kind=ActionKind.IMPROVEMENT,
                      what="Check escalations weekly", owner="hana.handler",
                      due=t("2027-03-12T17:00"), within=None, by="hana.handler",
                      at=t("2027-03-04T11:00"))  # fmt: skip
    act(unit, services.action_done, action_id=1, note="Paid", by="rita.responder",
        at=t("2027-03-16T10:00"))  # fmt: skip
    act(unit, services.action_done, action_id=improvement.id, note=None, by="hana.handler",
        at=t("2027-03-15T10:00"))  # fmt: skip
    act(unit, services.add_action, ref=d, kind=ActionKind.IMPROVEMENT, what="Train on timescales",
        owner="lee.leader", due=None, within="2d", by="officer.one",
        at=t("2027-03-22T10:00"))  # fmt: skip
    return refs


def figures_of(unit: UnitFactory, period: str = "2027-03", as_of: datetime = LATER,
               **options: Any) -> ReportView:  # fmt: skip
    with unit(write=False) as uow:
        return services.report(uow, period=parse_period(period), as_of=as_of, **options)


def values(rows: Any) -> dict[str, Any]:
    """Figure (or figure.part) to value."""
    return {r.figure + (f".{r.part}" if r.part else ""): r.value for r in rows}


MARCH_FIGURES = {
    "received": 8,  # A B C D E H I J
    "received_by_channel.online": 1,  # I
    "received_by_channel.email": 5,  # A B C D J
    "received_by_channel.post": 1,  # E
    "received_by_channel.phone": 1,  # H
    "received_by_channel.in-person": 0,
    "received_by_category.mistreated": 1,  # I
    "received_by_category.process": 0,
    "received_by_category.updates": 0,
    "received_by_category.delay": 6,
    "received_by_category.explanation": 0,
    "received_by_category.other": 1,  # E
    "received_board": 1,  # I
    "out_of_scope.decision": 1,  # E
    "out_of_scope.provider-remedy": 0,
    "out_of_scope.out-of-time": 0,
    "resolved_informally": 1,  # H
    "out_of_time": 1,  # I
    "acknowledged_on_time": 4,  # A C D J
    "acknowledged_late": 1,  # B
    "acknowledgement_open_past_due": 0,
    "acknowledgement_closed_past_due": 1,  # I
    "acknowledged_on_time_share": 0.6667,  # 4 of 6 (E and H were never owed one)
    "acknowledge_working_hours_median": 8.0,  # 3 4 8 11 16
    "acknowledge_working_hours_p90": 16.0,  # the 5th of 5
    "responses_due": 4,  # A B C D (F's fell due in February)
    "responded_on_time": 1,  # A
    "responded_on_time_extended": 1,  # C
    "responded_late": 1,  # D
    "response_open_past_due": 1,  # B
    "response_closed_past_due": 0,
    "response_not_yet_due": 0,
    "responded_on_time_share": 0.5,
    "response_working_days_median": 3.5,  # 1, 3.5, 5.75
    "escalated": 2,  # A D
    "first_responses_escalated_share": 0.6667,  # A and D of A C D
    "finals_due": 1,  # F
    "final_on_time": 0,
    "final_on_time_extended": 0,
    "final_late": 1,  # F
    "final_open_past_due": 0,
    "final_not_yet_due": 0,
    "final_on_time_share": 0.0,
    "final_working_days_median": 16.0,  # A 11, F 21
    "first_stage_outcomes.upheld": 1,  # A
    "first_stage_outcomes.partly-upheld": 0,
    "first_stage_outcomes.not-upheld": 2,  # C D
    "final_outcomes.upheld": 1,  # F
    "final_outcomes.partly-upheld": 1,  # A
    "final_outcomes.not-upheld": 0,
    "assessor_outcomes.upheld": 0,
    "assessor_outcomes.partly-upheld": 0,
    "assessor_outcomes.not-upheld": 1,  # A
    "assessor_outcomes.outside-remit": 0,
    "assessor_outcomes.premature": 0,
    "assessor_outcomes.out-of-time": 0,
    "remedies.apology": 2,  # A's two responses
    "remedies.explanation": 0,
    "remedies.goodwill-payment": 1,  # A
    "remedies.service-improvement": 1,  # F
    "goodwill_pence": 5000,
    "referrals_within_window": 1,  # A
    "referrals_late": 0,
    "restrictions_decided": 1,
    "restrictions_in_force": 1,
    "restriction_reviews_overdue": 0,
    "incidents": 1,  # I
    "causes.delay": 2,  # A D
    "causes.poor-communication": 1,  # A
    "causes.process-not-followed": 1,  # F
    "actions_opened": 3,  # A's pay, F's and D's improvements
    "actions_done_on_time": 1,  # A's pay
    "actions_done_late": 1,  # F's
    "actions_open": 1,  # D's
    "actions_overdue": 1,  # D's, due Wed 24 Mar
    "open_cases.received": 0,
    "open_cases.first-stage": 2,  # B J
    "open_cases.responded": 0,
    "open_cases.second-stage": 1,  # D
    "open_cases.final-response": 1,  # F
    "open_cases.referred": 0,
    "open_cases_by_age.0-5": 1,  # J: 18 working hours
    "open_cases_by_age.6-10": 0,
    "open_cases_by_age.11-20": 2,  # B 20 days 6 hours, D 18 days 7 hours
    "open_cases_by_age.21-40": 1,  # F 40 days 7 hours
    "open_cases_by_age.over-40": 0,
    "open_cases_breached": 1,  # B's response
}


def test_every_figure_of_march_is_the_one_worked_out_by_hand(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    report = figures_of(unit)

    assert MARCH_FIGURES == values(report.current.figures)
    assert bst("2027-04-01T00:00") == report.current.cutoff
    assert (date(2027, 3, 1), date(2027, 3, 31)) == (report.current.first, report.current.last)


@pytest.mark.parametrize("by", [None, "area", "month"])
def test_each_on_time_share_is_its_on_time_counts_over_those_and_the_missed(
    unit: UnitFactory, store: dict[str, str], by: str | None
) -> None:
    """`SHARE_COUNTS` names the counts each on-time share is made of (the table and the page
    read whether every one was on time from them): on a counted store, in every column of
    the report, the share is the first over the first and the second, so the two cannot
    drift apart."""
    from fractions import Fraction

    from complaintctl.domain.figures import SHARE_COUNTS, round_half_up

    report = figures_of(unit, period="2027-Q1", compare=True, by=by)
    assert report.previous is not None
    columns = [report.current.figures, report.previous.figures]
    columns += [rows for _, rows in report.current.groups]
    judged = 0
    for rows in columns:
        counted = values(rows)
        for share, (on_time, missed) in SHARE_COUNTS.items():
            met = sum(counted[name] for name in on_time)
            whole = met + sum(counted[name] for name in missed)
            expected = round_half_up(Fraction(met, whole), 4) if whole else None
            assert expected == counted[share], share
            judged += whole
    assert judged  # the store judged deadlines: the shares were worked out, not all null


def test_february_beside_march_counts_f_alone(unit: UnitFactory, store: dict[str, str]) -> None:
    report = figures_of(unit, compare=True)

    assert report.previous is not None
    february = values(report.previous.figures)
    assert "2027-02" == report.previous.label
    assert {
        "received": 1,
        "acknowledged_on_time": 1,
        "acknowledge_working_hours_median": 2.0,
        "responses_due": 1,
        "responded_on_time": 1,
        "response_working_days_median": 0.75,  # Mon 12:00 to Tue 10:00: 6 working hours
        "escalated": 1,
        "first_responses_escalated_share": 1.0,
        "finals_due": 0,
        "final_on_time_share": None,
        "open_cases.second-stage": 1,
        "open_cases_breached": 0,
        "restrictions_decided": 0,
    } == {name: february[name] for name in (
        "received", "acknowledged_on_time", "acknowledge_working_hours_median", "responses_due",
        "responded_on_time", "response_working_days_median", "escalated",
        "first_responses_escalated_share", "finals_due", "final_on_time_share",
        "open_cases.second-stage", "open_cases_breached", "restrictions_decided",
    )}  # fmt: skip
    assert MARCH_FIGURES == values(report.current.figures)


def test_beside_the_period_before_each_channel_of_either_is_in_both_at_0_if_none(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    # February's only case, F, is by email: March's post, phone and online have none then,
    # counted 0 (medians and shares none), not left out as if there were no figure.
    report = figures_of(unit, compare=True, by="channel")

    assert report.previous is not None
    now = {key: values(rows) for key, rows in report.current.groups}
    before = {key: values(rows) for key, rows in report.previous.groups}
    assert ["email", "online", "phone", "post"] == list(now) == list(before)
    assert {"email": 1, "online": 0, "phone": 0, "post": 0} == {
        key: figures["received"] for key, figures in before.items()
    }
    assert (0, None) == (before["post"]["responses_due"], before["post"]["responded_on_time_share"])


def test_a_median_of_an_exact_half_rounds_up_as_a_board_member_would(unit: UnitFactory) -> None:
    """Working time is counted exactly and rounded a half away from zero: 15 and 15.25 working
    hours have a median of 15.125, shown 15.13; 21 working hours is 2.625 days, shown 2.63."""
    x = case(unit, "Xena Exact", bst("2027-04-05T09:00"))
    y = case(unit, "Yann Exact", bst("2027-04-05T09:00"))
    ack(unit, x, bst("2027-04-06T16:00"))  # 8 + 7 working hours
    ack(unit, y, bst("2027-04-06T16:15"))  # 8 + 7.25
    respond(unit, x, bst("2027-04-09T13:00"), Decision.UPHELD)  # 1 + 8 + 8 + 4

    april = values(figures_of(unit, "2027-04").current.figures)

    assert {
        "acknowledge_working_hours_median": 15.13,
        "acknowledge_working_hours_p90": 15.25,
        "response_working_days_median": 2.63,
    } == {name: april[name] for name in (
        "acknowledge_working_hours_median", "acknowledge_working_hours_p90",
        "response_working_days_median",
    )}  # fmt: skip


def test_a_response_dated_back_into_the_period_but_recorded_after_it_does_not_count(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    before = report_json(figures_of(unit))

    act(unit, services.assign, ref=store["B"], to="rita.responder", by="lee.leader",
        at=bst("2027-03-30T10:00"), now=bst("2027-04-06T10:00"))  # fmt: skip
    act(unit, services.respond, ref=store["B"], decision=Decision.UPHELD, summary="Sorry",
        remedies=services.Remedies(), by="rita.responder", at=bst("2027-03-30T11:00"),
        now=bst("2027-04-06T10:00"))  # fmt: skip
    close(unit, store["J"], bst("2027-04-07T10:00"), CloseReason.WITHDRAWN)
    act(unit, services.refer, ref=store["F"], late_reason=None, by="officer.one",
        at=bst("2027-04-08T10:00"))  # fmt: skip

    assert before == report_json(figures_of(unit))
    # April counts what April recorded: F's referral; J's response, due Mon 5 Apr, never came
    # before J was withdrawn; B's response met a clock due in March, and Bob may now escalate.
    april = values(figures_of(unit, "2027-04").current.figures)
    assert {
        "referrals_within_window": 1,
        "responses_due": 1,
        "response_closed_past_due": 1,
        "open_cases.responded": 1,
    } == {name: april[name] for name in (
        "referrals_within_window", "responses_due", "response_closed_past_due",
        "open_cases.responded",
    )}  # fmt: skip


def test_as_of_counts_only_what_had_been_recorded_by_then(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    # Thu 4 Mar 12:00: B's acknowledgement (recorded Friday) is not known, and was due at 11:00.
    early = values(figures_of(unit, as_of=t("2027-03-04T12:00")).current.figures)
    assert (1, 0) == (early["acknowledgement_open_past_due"], early["acknowledged_late"])
    # Tue 9 Mar 09:00: D's response (recorded at 10:00) is not known, due Mon 14:00; C's,
    # extended to Thursday 11th, is not yet due; B's is open past due.
    ninth = values(figures_of(unit, as_of=t("2027-03-09T09:00")).current.figures)
    assert {
        "responses_due": 4,
        "responded_on_time": 1,
        "response_open_past_due": 2,
        "response_not_yet_due": 1,
        "responded_on_time_share": 1 / 3,
    } == {name: pytest.approx(ninth[name], abs=1e-4) for name in (
        "responses_due", "responded_on_time", "response_open_past_due", "response_not_yet_due",
        "responded_on_time_share",
    )}  # fmt: skip
    assert t("2027-03-09T09:00") == figures_of(unit, as_of=t("2027-03-09T09:00")).current.cutoff


def test_each_area_category_and_channel_adds_up_to_the_whole(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    for by in ("area", "category", "channel"):
        report = figures_of(unit, by=by)
        whole = values(report.current.figures)
        for name in ("received", "responded_late", "open_cases.first-stage", "goodwill_pence"):
            assert whole[name] == sum(values(rows)[name] for _, rows in report.current.groups)
    by_area = dict(figures_of(unit, by="area").current.groups)
    # E, H and I were never routed to an area.
    assert 3 == values(by_area["(not yet routed)"])["received"]
    assert "restrictions_decided" not in values(by_area["Casework"])


def test_each_month_is_counted_as_its_own_report(unit: UnitFactory, store: dict[str, str]) -> None:
    report = figures_of(unit, "2027-Q1", by="month")

    months = dict(report.current.groups)
    assert ["2027-01", "2027-02", "2027-03"] == list(months)
    assert values(months["2027-03"]) == MARCH_FIGURES
    assert 1 == values(months["2027-02"])["received"]
    assert 9 == values(report.current.figures)["received"]


def test_an_as_of_before_the_period_is_refused(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="the period 2027-03 begins after"):
        figures_of(unit, as_of=t("2027-02-27T12:00"))


def test_a_time_to_count_to_after_now_is_refused_for_the_figures_and_their_cases(
    unit: UnitFactory,
) -> None:
    now = t("2027-03-10T12:00")
    with unit() as uow:
        with pytest.raises(InvalidInput, match="is after now"):
            services.report(uow, period=MARCH, as_of=t("2027-03-11T12:00"), now=now)
        with pytest.raises(InvalidInput, match="is after now"):
            services.figure_cases(
                uow, period=MARCH, as_of=t("2027-03-11T12:00"), now=now, figure="received"
            )
        # A past period's end is before now: an --as-of after it counts to its end.
        before = parse_period("2027-02")
        counted = services.report(uow, period=before, as_of=t("2027-03-11T12:00"), now=now)
        assert counted.current.cutoff == before.ends(LONDON)


def test_a_period_is_given_one_way(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="not both"):
        services.report_period("2027-03", date(2027, 3, 1), None)
    with pytest.raises(InvalidInput, match="^--from needs --to DATE too"):
        services.report_period(None, date(2027, 3, 1), None)
    with pytest.raises(InvalidInput, match="say which period"):
        services.report_period(None, None, None)
    with pytest.raises(InvalidInput, match="ends .* before it begins"):
        services.report_period(None, date(2027, 3, 2), date(2027, 3, 1))
    chosen = services.report_period(None, date(2027, 3, 1), date(2027, 3, 31))
    assert (MARCH.first, MARCH.last) == (chosen.first, chosen.last)


def test_a_case_settled_before_the_period_is_not_read_but_one_due_in_it_is(
    unit: UnitFactory,
) -> None:
    from complaintctl.domain.figures import OPEN_STAGES
    from complaintctl.services.figures import REPLAYED
    from complaintctl.store import listings

    # Settled in January: every step dated and recorded then, every clock due then.
    old = case(unit, "Old Settled", t("2027-01-04T10:00"))
    ack(unit, old, t("2027-01-04T11:00"))
    respond(unit, old, t("2027-01-05T10:00"), Decision.UPHELD)
    close(unit, old, t("2027-01-05T11:00"), CloseReason.ACCEPTED)
    # Settled in February too, but its response was due on Wed 3 March (24 working hours
    # after Fri 26 Feb 11:00): answered early, it counts among March's responses due.
    early = case(unit, "Gil Early", t("2027-02-26T10:00"))
    ack(unit, early, t("2027-02-26T11:00"))
    respond(unit, early, t("2027-02-26T15:00"), Decision.UPHELD)
    close(unit, early, t("2027-02-26T16:00"), CloseReason.ACCEPTED)

    with unit(write=False) as uow:
        chunks = listings.history_for_figures(
            uow, MARCH.starts(LONDON), MARCH.ends(LONDON), REPLAYED, OPEN_STAGES
        )
        rows = [row for chunk in chunks for row in chunk]
    march = values(figures_of(unit).current.figures)
    assert {early} == {ref for _, ref, *_ in rows}
    assert (1, 1, 0) == (march["responses_due"], march["responded_on_time"], march["received"])


def test_the_history_is_streamed_by_its_own_statement_alone(unit: UnitFactory) -> None:
    case(unit, "Ann Smith", t("2027-03-01T10:00"))

    with unit(write=False) as uow:
        services.report(uow, period=MARCH, as_of=LATER)
        # Later reads of the same unit of work fetch as usual (no server-side cursor each).
        assert "stream_results" not in uow.session.connection().get_execution_options()


def test_the_history_read_through_the_drivers_cursor_is_as_sqlalchemy_reads_it(
    unit: UnitFactory,
) -> None:
    from sqlalchemy import select

    from complaintctl.domain import figures
    from complaintctl.services.figures import REPLAYED
    from complaintctl.store import listings
    from complaintctl.store.models import Case, Event

    # One step recorded as it happened, one typed in a day after its date.
    ref = case(unit, "Ann Smith", t("2027-03-01T10:00"))
    ack(unit, ref, t("2027-03-02T10:00"), now=t("2027-03-03T10:00"))
    respond(unit, ref, t("2027-03-03T11:00"), Decision.UPHELD)

    with unit(write=False) as uow:
        chunks = listings.history_for_figures(
            uow, MARCH.starts(LONDON), LATER, REPLAYED, figures.OPEN_STAGES, chunk=2
        )
        read = [row for chunk in chunks for row in chunk]
        columns = (Event.case_id, Case.ref, Event.action, Event.at, Event.recorded_at)
        statement = (
            select(*columns, Event.details)
            .join(Case, Case.id == Event.case_id)  # type: ignore[arg-type]
            .where(Event.action.in_(REPLAYED))  # type: ignore[attr-defined]
            .order_by(Event.case_id, Event.id)  # type: ignore[arg-type]
        )
        expected = uow.session.connection().execute(statement).all()
    assert [tuple(row) for row in expected] == read
    assert [(ref, "log"), (ref, "acknowledge"), (ref, "respond")] == [r[1:3] for r in read]
    assert all(row[3].tzinfo is UTC and row[4].tzinfo is UTC for row in read)


def test_reading_in_chunks_gives_each_cutoff_the_facts_a_replay_of_the_whole_history_does(
    unit: UnitFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from complaintctl.domain import figures
    from complaintctl.services import figures as report_service
    from complaintctl.store import listings

    # Steps recorded late as well as on time, so that cutoffs between them see less.
    for n in range(4):
        ref = case(unit, f"Con Sumer{n}", t("2027-03-01T10:00"))
        ack(unit, ref, t("2027-03-02T10:00"), now=t(f"2027-03-0{2 + n}T10:00"))
        if n % 2:
            respond(unit, ref, t("2027-03-03T10:00"), Decision.UPHELD)
    cutoffs = {t("2027-03-01T12:00"), t("2027-03-03T12:00"), t("2027-03-04T12:00"), LATER}
    monkeypatch.setattr(report_service, "_DECODED_AT_ONCE", 3)  # cases cut across chunks

    with unit(write=False) as uow:
        found = report_service._facts(uow, [MARCH], cutoffs)
        chunks = listings.history_for_figures(
            uow, MARCH.starts(LONDON), LATER, report_service.REPLAYED, figures.OPEN_STAGES
        )
        rows = [row for chunk in chunks for row in chunk]
    histories: dict[str, list[figures.Entry]] = {}
    for _, ref, action, at, recorded_at, details in rows:
        histories.setdefault(ref, []).append(
            figures.Entry(action, at, recorded_at, json.loads(details))
        )
    for cutoff in sorted(cutoffs):
        replayed = [figures.replay(ref, entries, cutoff) for ref, entries in histories.items()]
        assert [facts for facts in replayed if facts is not None] == found[cutoff], cutoff
    assert [4, 4, 4, 4] == [len(found[cutoff]) for cutoff in sorted(cutoffs)]


def _generated_store(unit: UnitFactory, cases: int) -> None:
    """`cases` cases taken at random along the procedure from December 2026, each step
    recorded as it happened; a few hundred cases to a unit of work, its commits held to its
    end (10,000 cases take minutes, not most of an hour)."""
    import random

    rng = random.Random(17)
    for first in range(0, cases, _CASES_AT_ONCE):
        with unit() as held, held.holding_commits():
            for n in range(first, min(first + _CASES_AT_ONCE, cases)):
                _generated_case(held, n, rng)
            held.commit_held()


# How many generated cases one unit of work takes: its session grows with each.
_CASES_AT_ONCE = 200


def _step(held: Any, ref: str, spec: Spec, *, by: str, at: datetime) -> None:
    """Take a step as a step command does (cli/bulk.py): the services' own `take_steps`,
    recorded when it happened, the case not read back whole (nothing here reads the view)."""
    result = services.take_steps(
        held, [ref], spec, by=by, at=at, now=at,
        continue_on_error=False, dry_run=False, full_views=False,
    )  # fmt: skip
    if result.refused:
        raise result.refused[0][1]


def _generated_case(held: Any, n: int, rng: Any) -> None:
    from contextlib import nullcontext
    from datetime import timedelta

    def one(**_: Any) -> Any:
        return nullcontext(held)

    at = t("2026-12-01T09:00") + timedelta(hours=rng.randrange(0, 24 * 55))
    # Each case a person of its own (one person renamed 10,000 times is no store at all).
    ref = log(one, at, consumer=f"Con Sumer{n}", email=f"con{n}@example.com",
              channel=rng.choice(list(Channel)), category=rng.choice(list(Category)),
              board=rng.random() < 0.2)  # fmt: skip
    at += timedelta(hours=rng.randrange(1, 120))
    if rng.random() < 0.15:
        _step(held, ref, services.Close(CloseReason.OUT_OF_SCOPE, rng.choice(list(OutOfScope)),
                                        None), by="officer.one", at=at)  # fmt: skip
        return
    if rng.random() < 0.1:
        return  # never acknowledged
    _step(held, ref, services.Acknowledge("Casework", None), by="officer.one", at=at)
    if rng.random() < 0.2:
        respond_due = services.show_case(held, ref=ref, as_of=at).deadlines[-1].due
        _step(held, ref, services.Extend(respond_due + timedelta(days=4), "Agreed"),
              by="lee.leader", at=at + timedelta(minutes=30))  # fmt: skip
    at += timedelta(hours=rng.randrange(2, 80))
    if rng.random() < 0.15:
        return  # no response yet
    _step(held, ref, services.Assign("rita.responder", None), by="lee.leader", at=at)
    _step(held, ref, services.Respond(rng.choice(list(Decision)), "Answered", services.Remedies(),
                                      ()), by="rita.responder", at=at)  # fmt: skip
    at += timedelta(hours=rng.randrange(1, 100))
    if rng.random() < 0.4:
        _step(held, ref, services.Close(CloseReason.ACCEPTED, None, None), by="officer.one",
              at=at)  # fmt: skip
        return
    if rng.random() < 0.3:
        return  # the consumer has not said
    _step(held, ref, services.Escalate("hana.handler", None), by="officer.one", at=at)
    at += timedelta(days=rng.randrange(5, 35))
    if rng.random() < 0.3:
        return  # no final response yet
    _step(held, ref, services.Final(rng.choice(list(Decision)), "Final", services.Remedies(), ()),
          by="hana.handler", at=at)  # fmt: skip
    if rng.random() < 0.5:
        _step(held, ref, services.Refer(None), by="officer.one", at=at + timedelta(days=3))
        _step(held, ref, services.Outcome(rng.choice(list(AssessorOutcome)), None),
              by="officer.one", at=at + timedelta(days=9))  # fmt: skip


@pytest.mark.properties
def test_the_figures_agree_with_a_recount_of_the_export_of_a_generated_store(
    unit: UnitFactory,
) -> None:
    """A generated store (60 cases in the quick run, 10,000 in .ci/run's long one): the
    figures of December to May equal what a count of `export`'s records gives."""
    from collections import Counter

    from complaintctl.services.export import export_cases

    generated = examples(60, 10_000)
    _generated_store(unit, generated)

    with unit(write=False) as uow:
        records = list(export_cases(uow))
    # December to May as one period: every case received in it, every step recorded by its end.
    with unit(write=False) as uow:
        period = between(date(2026, 12, 1), date(2027, 5, 31))
        whole = values(services.report(uow, period=period, as_of=LATER).current.figures)

    def counted(key: str) -> Counter[Any]:
        return Counter(r[key] for r in records)

    def parts(name: str, figures: dict[str, Any]) -> Counter[Any]:
        return Counter({k.split(".", 1)[1]: v for k, v in figures.items()
                        if k.startswith(name + ".") and v})  # fmt: skip

    assert generated == whole["received"]
    # Each way along the procedure was taken (the seed is fixed).
    taken = ("out_of_scope.provider-remedy", "escalated", "responded_on_time_extended",
             "referrals_within_window", "open_cases.second-stage", "acknowledged_late")  # fmt: skip
    assert [] == [name for name in taken if not whole[name]]
    assert +counted("channel") == parts("received_by_channel", whole)
    assert +counted("category") == parts("received_by_category", whole)
    assert sum(r["board"] for r in records) == whole["received_board"]
    assert +Counter(r["close_because"] for r in records if r["close_reason"] == "out-of-scope") == (
        parts("out_of_scope", whole)
    )
    assert +Counter(r["first_decision"] for r in records if r["first_decision"]) == parts(
        "first_stage_outcomes", whole
    )
    assert +Counter(r["final_decision"] for r in records if r["final_decision"]) == parts(
        "final_outcomes", whole
    )
    assert +Counter(r["assessor_outcome"] for r in records if r["assessor_outcome"]) == parts(
        "assessor_outcomes", whole
    )
    # The backlog at the end of May, long after the last step: the cases as they stand.
    open_now = Counter(r["stage"] for r in records if r["stage"] not in ("closed", "assessed"))
    assert +open_now == parts("open_cases", whole)
    # Acknowledged on time: by the due `export` gives, every step recorded when it happened.
    acked = [r for r in records if r["acknowledged_at"]]
    on_time = sum(r["acknowledged_at"] <= r["acknowledge_due"] for r in acked)
    assert (on_time, len(acked) - on_time) == (
        whole["acknowledged_on_time"],
        whole["acknowledged_late"],
    )


def test_causes_come_most_frequent_first(unit: UnitFactory, store: dict[str, str]) -> None:
    rows = [row for row in figures_of(unit).current.figures if row.figure == "causes"]

    assert [("delay", 2), ("poor-communication", 1), ("process-not-followed", 1)] == [
        (row.part, row.value) for row in rows
    ]


def test_a_cause_of_either_period_or_any_group_is_a_row_in_each_at_0_if_none(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    # April records no cause, March three: beside March, April lists each of them at 0, not
    # leaving March's causes out of the report; a group whose responses recorded none of a
    # cause (the cases not yet routed) has it at 0 too, as every other figure's parts are.
    report = figures_of(unit, "2027-04", compare=True, by="area")

    def causes(rows: Any) -> list[tuple[str | None, Any]]:
        return [(row.part, row.value) for row in rows if row.figure == "causes"]

    assert report.previous is not None
    names = ["delay", "poor-communication", "process-not-followed"]
    assert [("delay", 2), ("poor-communication", 1), ("process-not-followed", 1)] == causes(
        report.previous.figures
    )
    assert [(name, 0) for name in names] == causes(report.current.figures)
    assert {
        "(not yet routed)": [(name, 0) for name in names],
        "Casework": [(name, 0) for name in names],
    } == {group: causes(rows) for group, rows in report.current.groups}
    assert {
        "(not yet routed)": [(name, 0) for name in names],
        "Casework": [("delay", 2), ("poor-communication", 1), ("process-not-followed", 1)],
    } == {group: causes(rows) for group, rows in report.previous.groups}
    # And month by month: a month that recorded none of March's causes has each at 0.
    months = figures_of(unit, "2027-Q1", by="month").current.groups
    assert {
        "2027-01": [(name, 0) for name in names],
        "2027-02": [(name, 0) for name in names],
        "2027-03": [("delay", 2), ("poor-communication", 1), ("process-not-followed", 1)],
    } == {month: causes(rows) for month, rows in months}


def test_each_count_lists_as_many_cases_as_it_counts(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    ref = {v: k for k, v in store.items()}
    with unit(write=False) as uow:

        def listed(figure: str) -> list[str]:
            view = services.figure_cases(uow, period=MARCH, as_of=LATER, figure=figure)
            return [ref[r] for r in view.refs]

        assert ["B"] == listed("response_open_past_due")
        assert ["C"] == listed("responded_on_time_extended")
        assert ["F"] == listed("final_late")
        assert ["A", "D"] == listed("escalated")
        assert ["I"] == listed("acknowledgement_closed_past_due")
        assert ["B", "J"] == listed("open_cases.first-stage")
        assert ["A", "D"] == sorted(listed("causes.delay"))
        # A part is read in any case, as --cause reads a cause: causes.DELAY was not on the list.
        assert ["A", "D"] == sorted(listed("causes.DELAY"))
        assert ["B", "J"] == listed("open_cases.First-Stage")
        assert ["D"] == listed("actions_overdue")
        assert [] == listed("causes.wrong-information")  # on the list, recorded by none
        for name, value in MARCH_FIGURES.items():
            figure = FIGURE[name.split(".")[0]]
            if figure.unit == "count" and figure.by_case:
                assert value == len(listed(name)), name


@pytest.mark.parametrize(
    ("period", "by"),
    [("2027-03", "area"), ("2027-03", "category"), ("2027-Q1", "channel"), ("2027-Q1", "month")],
)
def test_each_group_lists_as_many_cases_as_its_count_in_the_report(
    unit: UnitFactory, store: dict[str, str], period: str, by: str
) -> None:
    # Every number of a breakdown traced to its cases: as many as the group's count, for every
    # count of cases and each of its parts.
    groups = figures_of(unit, period, by=by).current.groups
    assert len(groups) > 1
    with unit(write=False) as uow:
        for name, figure in FIGURE.items():
            if figure.unit != "count" or not figure.by_case:
                continue
            parts = sorted({r.part or "" for _, rows in groups for r in rows if r.figure == name})
            for part in parts:
                traced = services.figure_cases(
                    uow, period=parse_period(period), as_of=LATER,
                    figure=f"{name}.{part}" if part else name, by=by,
                )  # fmt: skip
                counted = [
                    (group, value)
                    for group, rows in groups
                    for r in rows
                    if r.figure == name and (r.part or "") == part
                    and (value := r.value)
                ]  # fmt: skip
                listed = [(group, len(refs)) for group, refs in traced.groups if refs]
                assert counted == listed, (name, part)
                assert sum(n for _, n in listed) == len(traced.refs)


def test_an_area_spelt_two_ways_is_one_group_named_as_its_latest_case_spells_it(
    unit: UnitFactory,
) -> None:
    # Casework's staff all move to Energy; a leader added later spells it CASEWORK (there is
    # no one left to join), and a case routed then is in that spelling. `queue --area` and
    # `export --area` take the two as one area; so does the report, in one group.
    first = case(unit, "Ann Able", t("2027-03-01T10:00"))
    ack(unit, first, t("2027-03-01T11:00"))
    for username, role in (
        ("lee.leader", Role.LEADER),
        ("rita.responder", Role.OFFICER),
        ("ruth.responder", Role.OFFICER),
    ):
        act(unit, services.change_role, username=username, role=role, area="Energy",
            by="sam.senior", at=t("2027-03-02T10:00"))  # fmt: skip
    act(unit, services.add_staff, username="cy.leader", name="Cy Leader", role=Role.LEADER,
        area="CASEWORK", by="sam.senior", at=t("2027-03-02T11:00"))  # fmt: skip
    second = case(unit, "Bob Able", t("2027-03-03T10:00"))
    act(unit, services.acknowledge, ref=second, area="casework", by="officer.one",
        at=t("2027-03-03T11:00"))  # fmt: skip

    def received(report: ReportView) -> dict[str, Any]:
        return {group: values(rows)["received"] for group, rows in report.current.groups}

    assert {"CASEWORK": 2} == received(figures_of(unit, by="area"))
    assert {"CASEWORK": 2} == received(figures_of(unit, by="area", compare=True))
    with unit(write=False) as uow:
        traced = services.figure_cases(uow, period=MARCH, as_of=LATER, figure="received",
                                       by="area")  # fmt: skip
    assert (("CASEWORK", (first, second)),) == traced.groups


def test_a_period_before_the_known_bank_holidays_warns_only_when_it_counts_a_case(
    unit: UnitFactory,
) -> None:
    """A period with nothing in it counted no working time: no deadline can be early by a
    holiday, so nothing is to be checked. One with a case received then may be."""
    quiet = figures_of(unit, "2011-12")
    assert (0, ()) == (values(quiet.current.figures)["received"], quiet.warnings)

    log(unit, t("2011-12-05T10:00"))  # recorded then, as a store kept since then has it
    counted = figures_of(unit, "2011-12")

    assert 1 == values(counted.current.figures)["received"]
    assert [True] == ["bank holidays are known only from" in w for w in counted.warnings]
