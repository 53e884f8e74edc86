"""The procedure end to end: a case from log to the Assessor's outcome, its refusals and its roles.

Every command runs through the real command line (CliRunner) on a seeded store; "now" is frozen
and every step is recorded with an explicit --at in the past, in London wall-clock time.

Expected deadlines are worked out by hand from MODEL.md ("Working time"): Monday to Friday
09:00-17:00 Europe/London, England and Wales bank holidays closed; 24 working hours = 3 working
days; "20 working days" is the UK statutory convention (day 1 is the first working day after the
event, due at the close of day 20); the referral window is 3 calendar months, same wall-clock time.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import Result

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens as ok
from tests.cli.journey import history, recorded_at, show, when_typed

NOW = "2026-12-15 12:00:00"

# The journey's steps, London wall-clock time (BST, +01:00, until 25 October 2026).
LOGGED = "2026-07-30T10:00"  # Thu
ACKED = "2026-07-31T11:00"  # Fri
ASSIGNED = "2026-08-03T09:30"  # Mon (Scotland's bank holiday, not England's)
RESPONDED = "2026-08-05T10:00"  # Wed
ESCALATED = "2026-08-14T14:00"  # Fri
FINAL = "2026-09-10T15:00"  # Thu
REFERRED = "2026-10-05T10:00"  # Mon
ASSESSED = "2026-12-01T10:00"  # Tue

# Thu 10-17 (7h), Fri (15h), Mon 3 Aug (23h: not a bank holiday in England), Tue 09-10 (24h).
ACK_DUE = "2026-08-04T10:00:00+01:00"
# Fri 11-17 (6h), Mon (14h), Tue (22h), Wed 5 Aug 09-11 (24h).
RESPOND_DUE = "2026-08-05T11:00:00+01:00"
# Day 1 is Mon 17 Aug: 17-21 Aug (5), 24-28 Aug (10), Mon 31 Aug is the Late Summer bank
# holiday, 1-4 Sep (14), 7-11 Sep (19), Mon 14 Sep (20), at its close.
FINAL_DUE = "2026-09-14T17:00:00+01:00"
# 3 calendar months after Thu 10 Sep 15:00 BST: Thu 10 Dec 15:00, by then GMT.
REFER_BY = "2026-12-10T15:00:00+00:00"

HOW_TO_REFER = (
    "If you are not satisfied with this final response you can ask the Independent Assessor "
    "to review how your complaint was handled (not the decision on your dispute). Ask us to "
    "refer it within 3 months of this response."
)

DEADLINE_FIELDS = ("kind", "start", "due", "met_at", "ended_at", "outcome", "breached")


# -- helpers -------------------------------------------------------------------------------


def log_case(run: Run, *extra: str, at: str = LOGGED, **options: str) -> str:
    """`complaintctl log` with sensible defaults; returns the new reference."""
    return journey.log_case(run, *extra, at=at, **options)


def deadline(case: dict[str, Any], kind: str) -> dict[str, Any]:
    """The case's latest deadline of `kind`, only the fields these tests pin."""
    found = [d for d in case["deadlines"] if d["kind"] == kind]
    assert found, f"no {kind} deadline in {case['deadlines']}"
    return {name: found[-1][name] for name in DEADLINE_FIELDS}


def steps(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["action"], e["by"], e["at"]) for e in entries]


def ack(run: Run, ref: str, at: str = ACKED) -> None:
    journey.ack(run, ref, at=at)


def assign(run: Run, ref: str, to: str = "rita.responder", at: str = ASSIGNED) -> None:
    journey.assign(run, ref, at=at, to=to)


def respond(run: Run, ref: str, by: str = "rita.responder", at: str = RESPONDED) -> None:
    journey.respond(
        run, ref, at=at, by=by, decision="partly-upheld", summary="We should have told you sooner"
    )


def escalate(run: Run, ref: str, to: str = "hana.handler", at: str = ESCALATED) -> None:
    journey.escalate(run, ref, at=at, to=to)


def final(run: Run, ref: str, by: str = "hana.handler", at: str = FINAL) -> None:
    journey.final(run, ref, at=at, by=by)


def case_at_first_stage(run: Run) -> str:
    """Logged, acknowledged to Casework and assigned to rita.responder."""
    ref = log_case(run)
    ack(run, ref)
    assign(run, ref)
    return ref


def case_responded(run: Run) -> str:
    ref = case_at_first_stage(run)
    respond(run, ref)
    return ref


def case_at_second_stage(run: Run) -> str:
    ref = case_responded(run)
    escalate(run, ref)
    return ref


def case_with_final_response(run: Run) -> str:
    ref = case_at_second_stage(run)
    final(run, ref)
    return ref


def refused(run: Run, ref: str, *args: str) -> Result:
    """Run a command that must be refused: one `Error: ` line on stderr, nothing on stdout,
    and the case exactly as it was (stage, deadlines, responses, history). Typed at its own
    --at, if it has one."""
    before = show(run, ref)
    with when_typed(args):
        result = run(*args)
    after = show(run, ref)
    assert 1 == len(result.stderr.splitlines()), result.stderr
    assert result.stderr.startswith("Error: ")
    assert "" == result.stdout
    assert before == after
    return result


# -- the whole journey ---------------------------------------------------------------------


@freeze_time(NOW)
def test_a_case_goes_from_log_to_the_assessors_outcome_with_each_deadline_and_step_recorded(
    run: Run,
) -> None:
    ref = log_case(run)
    case = show(run, ref)
    assert "received" == case["stage"]
    assert {
        "kind": "acknowledge",
        "start": "2026-07-30T10:00:00+01:00",
        "due": ACK_DUE,
        "met_at": None,
        "ended_at": None,
        "outcome": None,
        "breached": True,  # as of now, long after
    } == deadline(case, "acknowledge")

    ok(run, "ack", ref, "--area", "Casework", "--at", ACKED)
    case = show(run, ref)
    assert ("first-stage", "Casework") == (case["stage"], case["area"])
    assert {
        "kind": "acknowledge",
        "start": "2026-07-30T10:00:00+01:00",
        "due": ACK_DUE,
        "met_at": "2026-07-31T11:00:00+01:00",
        "ended_at": "2026-07-31T11:00:00+01:00",
        "outcome": "met",
        "breached": False,
    } == deadline(case, "acknowledge")
    assert {
        "kind": "respond",
        "start": "2026-07-31T11:00:00+01:00",
        "due": RESPOND_DUE,
        "met_at": None,
        "ended_at": None,
        "outcome": None,
        "breached": True,
    } == deadline(case, "respond")

    ok(run, "--as", "lee.leader", "assign", ref, "--to", "rita.responder", "--at", ASSIGNED)
    case = show(run, ref)
    assert ("first-stage", "rita.responder") == (case["stage"], case["responder"])
    assert RESPOND_DUE == deadline(case, "respond")["due"]
    assert None is deadline(case, "respond")["outcome"]

    ok(
        run, "--as", "rita.responder", "respond", ref, "--decision", "partly-upheld",
        "--summary", "We should have told you sooner", "--remedy", "apology",
        "--goodwill", "50", "--at", RESPONDED,
    )  # fmt: skip
    case = show(run, ref)
    assert "responded" == case["stage"]
    assert {
        "kind": "respond",
        "start": "2026-07-31T11:00:00+01:00",
        "due": RESPOND_DUE,
        "met_at": "2026-08-05T10:00:00+01:00",
        "ended_at": "2026-08-05T10:00:00+01:00",
        "outcome": "met",
        "breached": False,
    } == deadline(case, "respond")

    ok(run, "escalate", ref, "--to", "hana.handler", "--reason", "Not enough", "--at", ESCALATED)
    case = show(run, ref)
    assert ("second-stage", "hana.handler") == (case["stage"], case["handler"])
    assert {
        "kind": "final",
        "start": "2026-08-14T14:00:00+01:00",
        "due": FINAL_DUE,
        "met_at": None,
        "ended_at": None,
        "outcome": None,
        "breached": True,
    } == deadline(case, "final")

    ok(
        run, "--as", "hana.handler", "final", ref, "--decision", "upheld",
        "--summary", "We failed to update you", "--remedy", "service-improvement",
        "--at", FINAL,
    )  # fmt: skip
    case = show(run, ref)
    assert "final-response" == case["stage"]
    assert {
        "kind": "final",
        "start": "2026-08-14T14:00:00+01:00",
        "due": FINAL_DUE,
        "met_at": "2026-09-10T15:00:00+01:00",
        "ended_at": "2026-09-10T15:00:00+01:00",
        "outcome": "met",
        "breached": False,
    } == deadline(case, "final")
    assert {
        "kind": "referral-window",
        "start": "2026-09-10T15:00:00+01:00",
        "due": REFER_BY,
        "met_at": None,
        "ended_at": None,
        "outcome": None,
        "breached": True,
    } == deadline(case, "referral-window")

    ok(run, "refer", ref, "--at", REFERRED)
    case = show(run, ref)
    assert "referred" == case["stage"]
    assert {
        "kind": "referral-window",
        "start": "2026-09-10T15:00:00+01:00",
        "due": REFER_BY,
        "met_at": "2026-10-05T10:00:00+01:00",
        "ended_at": "2026-10-05T10:00:00+01:00",
        "outcome": "met",
        "breached": False,
    } == deadline(case, "referral-window")

    ok(
        run, "refer", ref, "--outcome", "not-upheld",
        "--recommendation", "Send updates monthly", "--at", ASSESSED,
    )  # fmt: skip
    case = show(run, ref)
    assert "assessed" == case["stage"]
    assert [] == [d["kind"] for d in case["deadlines"] if d["outcome"] is None]

    assert [
        {
            "stage": "first",
            "decision": "partly-upheld",
            "summary": "We should have told you sooner",
            "remedies": ["apology", "goodwill-payment"],
            "goodwill_pence": 5000,
            "causes": [],
            "by": "rita.responder",
            "at": "2026-08-05T10:00:00+01:00",
        },
        {
            "stage": "final",
            "decision": "upheld",
            "summary": "We failed to update you",
            "remedies": ["service-improvement"],
            "goodwill_pence": None,
            "causes": [],
            "by": "hana.handler",
            "at": "2026-09-10T15:00:00+01:00",
        },
    ] == case["responses"]

    entries = history(run, ref)
    assert [
        ("log", "officer.one", "2026-07-30T10:00:00+01:00"),
        ("acknowledge", "officer.one", "2026-07-31T11:00:00+01:00"),
        ("assign", "lee.leader", "2026-08-03T09:30:00+01:00"),
        ("respond", "rita.responder", "2026-08-05T10:00:00+01:00"),
        ("action-opened", "rita.responder", "2026-08-05T10:00:00+01:00"),  # pay the goodwill
        ("escalate", "officer.one", "2026-08-14T14:00:00+01:00"),
        ("final", "hana.handler", "2026-09-10T15:00:00+01:00"),
        ("refer", "officer.one", "2026-10-05T10:00:00+01:00"),
        ("outcome", "officer.one", "2026-12-01T10:00:00+00:00"),
    ] == steps(entries)
    # Every step was recorded as it happened.
    assert [e["at"] for e in entries] == [e["recorded_at"] for e in entries]
    details = {e["action"]: e["details"] for e in entries}
    assert "Casework" == details["acknowledge"]["area"]
    assert "rita.responder" == details["assign"]["to"]
    assert ["apology", "goodwill-payment"] == details["respond"]["remedies"]
    assert 5000 == details["respond"]["goodwill_pence"]
    assert ("hana.handler", "Not enough") == (
        details["escalate"]["to"],
        details["escalate"]["reason"],
    )
    assert HOW_TO_REFER == details["final"]["how_to_refer"]
    assert REFER_BY == details["final"]["refer_by"]
    assert False is details["refer"]["late"]
    assert ("not-upheld", "Send updates monthly") == (
        details["outcome"]["outcome"],
        details["outcome"]["recommendation"],
    )


@freeze_time(NOW)
def test_the_response_deadline_in_history_is_24_working_hours_after_the_acknowledgement(
    run: Run,
) -> None:
    ref = log_case(run)
    ack(run, ref)

    entry = history(run, ref)[-1]

    assert "acknowledge" == entry["action"]
    # In the calendar's zone, to the second, as every instant in JSON (stored in UTC).
    assert "2026-08-05T11:00:00+01:00" == entry["details"]["respond_due"]
    assert True is entry["details"]["on_time"]


@freeze_time(NOW)
def test_the_final_response_deadline_in_history_is_the_close_of_the_20th_working_day(
    run: Run,
) -> None:
    ref = case_at_second_stage(run)

    entry = history(run, ref)[-1]

    assert "escalate" == entry["action"]
    assert "2026-09-14T17:00:00+01:00" == entry["details"]["final_due"]


@freeze_time(NOW)
def test_escalating_before_the_known_bank_holidays_warns_though_the_deadline_falls_inside_them(
    run: Run,
) -> None:
    # The store, created now, knows the bank holidays of 2021 to 2031. Counted from Thu 10
    # December 2020, the 20 working days run through Christmas 2020 (not known, so counted as
    # working days) to a close in January 2021: the deadline is early and must be warned of.
    ref = log_case(run, at="2020-12-01T10:00", email="zed@example.com")
    ack(run, ref, at="2020-12-01T11:00")
    assign(run, ref, at="2020-12-01T11:30")
    respond(run, ref, at="2020-12-02T10:00")

    result = journey.step(
        run, "2020-12-10T12:00", "--as", "officer.one", "escalate", ref, "--to", "hana.handler"
    )

    warning = (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline counted "
        "from before them assumes there were none and may be early by a holiday; earlier years "
        "cannot be added, so check the days it counted (`complaintctl explain REF`) against that "
        "year's bank holidays"
    )
    assert "2021-01-08T17:00:00+00:00" == history(run, ref)[-1]["details"]["final_due"]
    assert warning in result.stderr.splitlines()
    assert warning in ok(run, "show", ref).stderr.splitlines()


def test_logging_a_complaint_received_before_the_known_bank_holidays_warns(run: Run) -> None:
    # Received Thu 31 December 2020, its acknowledgement falls due in January 2021, inside
    # the known years; the day it is counted from is not, so a holiday there would be missed.
    with journey.recorded_at("2020-12-31T16:00"):
        result = ok(run, "--as", "officer.one", *journey.log_args("2020-12-31T16:00"))

    assert (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline counted "
        "from before them assumes there were none and may be early by a holiday; earlier years "
        "cannot be added, so check the days it counted (`complaintctl explain REF`) against that "
        "year's bank holidays"
    ) in result.stderr.splitlines()


# -- extend --------------------------------------------------------------------------------


def extend(run: Run, ref: str, until: str, reason: str = "Agreed by phone") -> Result:
    """rita.responder agrees `until` with the consumer, on Tue 4 Aug 2026 at 16:00."""
    return ok(
        run, "--as", "rita.responder", "extend", ref, "--until", until,
        "--reason", reason, "--at", "2026-08-04T16:00",
    )  # fmt: skip


@freeze_time(NOW)
def test_extend_replaces_the_response_deadline_and_history_keeps_the_old_one(run: Run) -> None:
    ref = case_at_first_stage(run)

    result = extend(run, ref, "2026-08-12T17:00", "Agreed by phone: records to retrieve")

    # The clock it moved, on the message's line: Tue 16-17, then six working days of 8h.
    assert f"Extended {ref}: open, due Wed 2026-08-12 17:00 BST (in 49h working)\n" == result.stdout
    case = show(run, ref)
    responds = [d for d in case["deadlines"] if d["kind"] == "respond"]
    assert 1 == len(responds)
    assert "2026-08-12T17:00:00+01:00" == responds[0]["due"]
    assert (
        "agreed with the consumer by rita.responder: Agreed by phone: records to retrieve"
        == responds[0]["rule"]
    )
    entry = history(run, ref)[-1]
    assert ("extend", "rita.responder", "2026-08-04T16:00:00+01:00") == (
        entry["action"],
        entry["by"],
        entry["at"],
    )
    assert {
        "kind": "respond",
        "old_due": "2026-08-05T11:00:00+01:00",
        "new_due": "2026-08-12T17:00:00+01:00",
        "reason": "Agreed by phone: records to retrieve",
    } == entry["details"]


@freeze_time(NOW)
def test_extend_until_a_date_alone_agrees_the_whole_of_that_day(run: Run) -> None:
    # "By 12 August": its midnight would be due as 11 August ends, a day short of the promise.
    ref = case_at_first_stage(run)

    result = extend(run, ref, "2026-08-12")

    assert f"Extended {ref}: open, due Wed 2026-08-12 23:59 BST" in result.stdout
    (respond,) = [d for d in show(run, ref)["deadlines"] if d["kind"] == "respond"]
    assert "2026-08-12T23:59:59+01:00" == respond["due"]


@freeze_time(NOW)
def test_extend_until_a_date_in_iso_basic_form_agrees_the_whole_of_that_day(run: Run) -> None:
    # 20260812 is 2026-08-12 written without its hyphens: the same promise, not its midnight.
    ref = case_at_first_stage(run)

    result = extend(run, ref, "20260812")

    assert f"Extended {ref}: open, due Wed 2026-08-12 23:59 BST" in result.stdout
    (respond,) = [d for d in show(run, ref)["deadlines"] if d["kind"] == "respond"]
    assert "2026-08-12T23:59:59+01:00" == respond["due"]


@freeze_time(NOW)
def test_extend_until_a_week_without_its_day_is_refused_and_changes_nothing(run: Run) -> None:
    # Python reads 2026-W33 as its Monday: "by week 33" would be due days before it ends.
    ref = case_at_first_stage(run)

    result = refused(
        run, ref, "--as", "rita.responder", "extend", ref, "--until", "2026-W33",
        "--reason", "Agreed by phone", "--at", "2026-08-04T16:00",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert "names a week, not a day" in result.stderr


@freeze_time(NOW)
def test_a_step_at_a_fraction_of_an_hour_is_refused_and_changes_nothing(run: Run) -> None:
    # ISO 8601's 10.5 is half past ten, which Python reads as 10:00:00.5: the response would
    # be recorded half an hour before the time typed.
    ref = case_at_first_stage(run)
    before = show(run, ref)

    result = run(
        "--as", "rita.responder", "respond", ref, "--decision", "upheld",
        "--summary", "Sorry", "--at", "2026-08-05T10.5",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert [result.stderr.splitlines()[0]] == result.stderr.splitlines()
    assert result.stderr.startswith("Error: '2026-08-05T10.5' gives a fraction of the hour")
    assert result.stderr.rstrip().endswith("reads it as 2026-08-05T10:30, so write that")
    assert before == show(run, ref)


@freeze_time(NOW)
def test_show_as_of_before_an_extension_shows_the_due_as_it_stood_then(run: Run) -> None:
    ref = case_at_first_stage(run)
    extend(run, ref, "2026-08-12T17:00")

    before = json.loads(ok(run, "show", ref, "--as-of", "2026-08-04T12:00", "--json").stdout)
    text = ok(run, "show", ref, "--as-of", "2026-08-04T12:00").stdout
    after = json.loads(ok(run, "show", ref, "--as-of", "2026-08-04T16:30", "--json").stdout)

    # No timescale had been agreed at noon: the rule's due, Wed 11:00, in working time
    # (Tue 12-17, Wed 09-11): seven working hours left, as the report's replay has it then.
    then = [d for d in before["deadlines"] if d["kind"] == "respond"]
    assert [("2026-08-05T11:00:00+01:00", "24 working hours after acknowledgement", 420)] == [
        (d["due"], d["rule"], d["left_working_minutes"]) for d in then
    ]
    assert "Deadline\trespond\topen, due Wed 2026-08-05 11:00 BST (in 7h working)" in text
    # Once it was agreed, the agreed date.
    assert "2026-08-12T17:00:00+01:00" == deadline(after, "respond")["due"]


@freeze_time(NOW)
def test_extend_to_the_current_deadline_or_earlier_is_refused_as_invalid_input(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)

    for until in ("2026-08-05T11:00", "2026-08-05T10:59"):
        result = refused(
            run, ref, "--as", "rita.responder", "extend", ref, "--until", until,
            "--reason", "More time", "--at", "2026-08-04T16:00",
        )  # fmt: skip

        assert 2 == result.exit_code
        assert (
            "Error: --until must be later than the current respond deadline "
            "(Wed 2026-08-05 11:00 BST)\n" == result.stderr
        )


@freeze_time(NOW)
def test_extend_at_the_second_stage_replaces_the_final_response_deadline(run: Run) -> None:
    ref = case_at_second_stage(run)

    result = ok(
        run, "--as", "hana.handler", "extend", ref, "--until", "2026-09-30T17:00",
        "--reason", "Agreed in writing", "--at", "2026-09-01T10:00",
    )  # fmt: skip

    # The final response's clock only: the first-stage response was met before the step.
    # Tue 1 Sep 10-17 (7h), then 21 working days of 8h to Wed 30 Sep's close: a final response
    # counts working days, and says so.
    assert (
        f"Extended {ref}: open, due Wed 2026-09-30 17:00 BST (in 21d 7h working)\n" == result.stdout
    )
    assert "2026-09-30T17:00:00+01:00" == deadline(show(run, ref), "final")["due"]
    details = history(run, ref)[-1]["details"]
    assert ("final", "2026-09-14T17:00:00+01:00", "2026-09-30T17:00:00+01:00") == (
        details["kind"],
        details["old_due"],
        details["new_due"],
    )


@freeze_time(NOW)
def test_a_second_stage_step_typed_in_with_a_late_response_reports_the_final_deadline(
    run: Run,
) -> None:
    # A backlog typed in on Thu 20 Aug: the response of Wed 5 Aug (due 11:00 that day) is met
    # late, when recorded, after the escalation, extension and hand-on are dated. Those steps
    # act on the final response's deadline: the first-stage response ended before them, and
    # is not theirs to report as "met late".
    ref = case_at_first_stage(run)
    commands = [
        ("--as", "rita.responder", "respond", ref, "--decision", "not-upheld",
         "--summary", "We did reply", "--at", RESPONDED),
        ("escalate", ref, "--to", "hana.handler", "--at", ESCALATED),
        ("--as", "hana.handler", "extend", ref, "--until", "2026-09-30T17:00",
         "--reason", "Agreed in writing", "--at", "2026-08-17T10:00"),
        ("--as", "hana.handler", "assign", ref, "--to", "sam.senior",
         "--reason", "On leave", "--at", "2026-08-18T10:00"),
    ]  # fmt: skip
    results = []
    for minute, command in enumerate(commands):
        with recorded_at(f"2026-08-20T12:0{minute}"):
            results.append(run(*command))
    assert [0, 0, 0, 0] == [r.exit_code for r in results], [r.stderr for r in results]
    extended, handed = results[2], results[3]

    open_final = "open, due Wed 2026-09-30 17:00 BST (in "
    assert extended.stdout.startswith(f"Extended {ref}: {open_final}"), extended.stdout
    assert handed.stdout.startswith(
        f"Handed the second stage of {ref} on to sam.senior: {open_final}"
    ), handed.stdout
    assert "respond" not in extended.stdout + handed.stdout
    assert "met late" not in extended.stdout + handed.stdout


@freeze_time(NOW)
def test_second_stage_steps_dated_as_the_response_report_the_final_deadline(run: Run) -> None:
    # A backlog typed in by dates alone: the response, escalation, hand-on and extension all
    # dated Fri 14 Aug. The hand-on and the extension act on the final response's deadline,
    # never on the first-stage response met at the same instant.
    ref = case_at_first_stage(run)
    day = "2026-08-14"
    for command in (
        ("--as", "rita.responder", "respond", ref, "--decision", "not-upheld",
         "--summary", "We did reply", "--at", day),
        ("escalate", ref, "--to", "hana.handler", "--at", day),
    ):  # fmt: skip
        ok(run, *command)

    handed = ok(run, "--as", "hana.handler", "assign", ref, "--to", "sam.senior",
                "--reason", "On leave", "--at", day)  # fmt: skip
    extended = ok(run, "--as", "sam.senior", "extend", ref, "--until", "2026-09-30T17:00",
                  "--reason", "Agreed in writing", "--at", day)  # fmt: skip

    assert (True, True) == (
        handed.stdout.startswith(f"Handed the second stage of {ref} on to sam.senior: open, due"),
        extended.stdout.startswith(f"Extended {ref}: open, due Wed 2026-09-30 17:00 BST"),
    ), handed.stdout + extended.stdout


# -- close ---------------------------------------------------------------------------------


@freeze_time(NOW)
def test_close_as_accepted_is_refused_before_a_response_and_accepted_after_one(run: Run) -> None:
    ref = case_at_first_stage(run)

    result = refused(run, ref, "close", ref, "--reason", "accepted", "--at", "2026-08-04T10:00")
    assert 5 == result.exit_code
    assert "stage first-stage" in result.stderr

    respond(run, ref)
    ok(run, "close", ref, "--reason", "accepted", "--at", "2026-08-06T10:00")

    case = show(run, ref)
    assert ("closed", "accepted") == (case["stage"], case["close_reason"])
    assert ("close", "officer.one", "2026-08-06T10:00:00+01:00") == steps(history(run, ref))[-1]


@freeze_time(NOW)
def test_closing_out_of_scope_needs_a_because_and_records_where_to_go_instead(run: Run) -> None:
    ref = log_case(run)

    result = refused(run, ref, "close", ref, "--reason", "out-of-scope", "--at", "2026-07-31T10:00")
    assert 2 == result.exit_code

    ok(
        run, "close", ref, "--reason", "out-of-scope", "--because", "decision",
        "--at", "2026-07-31T10:00",
    )  # fmt: skip

    case = show(run, ref)
    assert ("closed", "out-of-scope", "decision") == (
        case["stage"],
        case["close_reason"],
        case["close_because"],
    )
    entry = history(run, ref)[-1]
    assert "close" == entry["action"]
    assert "out-of-scope" == entry["details"]["reason"]
    assert "decision" == entry["details"]["because"]
    assert (
        "a disagreement with the outcome or the case handler's decision goes to the "
        "decision-review route, not this procedure" == entry["details"]["where_instead"]
    )


@freeze_time(NOW)
def test_closing_stops_the_running_clocks_as_cancelled(run: Run) -> None:
    ref = case_at_first_stage(run)

    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-08-04T12:00")

    case = show(run, ref)
    assert {
        "kind": "respond",
        "start": "2026-07-31T11:00:00+01:00",
        "due": RESPOND_DUE,
        "met_at": None,
        "ended_at": "2026-08-04T12:00:00+01:00",
        "outcome": "cancelled",
        "breached": False,
    } == deadline(case, "respond")
    assert [] == [d["kind"] for d in case["deadlines"] if d["ended_at"] is None]


@freeze_time(NOW)
def test_acting_on_a_closed_case_is_refused_naming_its_stage(run: Run) -> None:
    ref = log_case(run)
    ok(run, "close", ref, "--reason", "resolved-informally", "--at", "2026-07-30T11:00")

    result = refused(run, ref, "ack", ref, "--area", "Casework", "--at", "2026-07-30T12:00")

    assert 5 == result.exit_code
    assert "it is at stage closed" in result.stderr


# -- log --about ---------------------------------------------------------------------------


@freeze_time(NOW)
def test_log_about_more_than_6_months_before_receipt_is_marked_out_of_time_and_accepted(
    run: Run,
) -> None:
    # Received Mon 30 Nov 2026: 6 months earlier is 30 May 2026.
    late = log_case(run, "--about", "2026-05-29", at="2026-11-30T10:00")
    in_time = log_case(run, "--about", "2026-05-30", at="2026-11-30T10:00")

    assert (True, "2026-05-29") == (show(run, late)["out_of_time"], show(run, late)["about"])
    assert (False, "2026-05-30") == (
        show(run, in_time)["out_of_time"],
        show(run, in_time)["about"],
    )
    assert True is history(run, late)[0]["details"]["out_of_time"]


@freeze_time(NOW)
def test_log_about_a_day_after_receipt_is_refused_as_invalid_input(run: Run) -> None:
    result = run(
        "log", "--consumer", "Ann Smith", "--channel", "email", "--category", "delay",
        "--summary", "Late", "--email", "ann@example.com", "--about", "2026-12-01",
        "--at", "2026-11-30T10:00",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert ["Error: --about is after the complaint was received"] == result.stderr.splitlines()
    assert "" == result.stdout
    assert 4 == run("show", "SC-2026-000001").exit_code


# -- refusals of order ---------------------------------------------------------------------


@freeze_time(NOW)
def test_escalating_before_a_first_stage_response_is_refused(run: Run) -> None:
    ref = case_at_first_stage(run)

    result = refused(run, ref, "escalate", ref, "--to", "hana.handler", "--at", "2026-08-04T10:00")

    assert 5 == result.exit_code
    assert "cannot escalate" in result.stderr
    assert "stage first-stage" in result.stderr


@freeze_time(NOW)
def test_a_final_response_before_escalation_is_refused(run: Run) -> None:
    ref = case_responded(run)

    result = refused(
        run, ref, "--as", "hana.handler", "final", ref, "--decision", "upheld",
        "--summary", "Sorry", "--at", "2026-08-10T10:00",
    )  # fmt: skip

    assert 5 == result.exit_code
    assert "stage responded" in result.stderr


@freeze_time(NOW)
def test_a_referral_before_the_final_response_is_refused(run: Run) -> None:
    ref = case_at_second_stage(run)

    result = refused(run, ref, "refer", ref, "--at", "2026-08-20T10:00")

    assert 5 == result.exit_code
    assert "stage second-stage" in result.stderr


@freeze_time(NOW)
def test_a_response_before_a_responder_is_assigned_is_refused(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)

    result = refused(
        run, ref, "--as", "sam.senior", "respond", ref, "--decision", "upheld",
        "--summary", "Sorry", "--at", "2026-08-03T10:00",
    )  # fmt: skip

    assert 5 == result.exit_code
    assert f"Error: {ref} has no responder yet: assign one first (assign)\n" == result.stderr


@freeze_time(NOW)
def test_a_step_dated_before_the_cases_last_step_is_refused(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)  # Fri 31 Jul 11:00

    result = refused(
        run, ref, "--as", "lee.leader", "assign", ref, "--to", "rita.responder",
        "--at", "2026-07-31T10:59",
    )  # fmt: skip

    assert 5 == result.exit_code
    assert (
        f"Error: --at Fri 2026-07-31 10:59 BST is before {ref}'s last recorded step "
        "(Fri 2026-07-31 11:00 BST); steps are recorded in the order they happened\n"
    ) == result.stderr


@freeze_time(NOW)
def test_a_step_seconds_before_the_last_one_in_the_same_minute_says_both_to_the_second(
    run: Run,
) -> None:
    ref = log_case(run)
    ack(run, ref, at="2026-07-31T11:00:45")

    result = refused(
        run, ref, "--as", "lee.leader", "assign", ref, "--to", "rita.responder",
        "--at", "2026-07-31T11:00:05",
    )  # fmt: skip

    assert 5 == result.exit_code
    assert (
        f"Error: --at Fri 2026-07-31 11:00:05 BST is before {ref}'s last recorded step "
        "(Fri 2026-07-31 11:00:45 BST); steps are recorded in the order they happened\n"
    ) == result.stderr


@freeze_time(NOW)
def test_a_referral_more_than_3_months_after_the_final_response_needs_a_late_reason(
    run: Run,
) -> None:
    ref = case_with_final_response(run)  # referral window closes Thu 10 Dec 15:00 GMT

    result = refused(run, ref, "refer", ref, "--at", "2026-12-10T15:01")
    assert 2 == result.exit_code
    assert (
        "Error: the referral window closed Thu 2026-12-10 15:00 GMT; "
        "record why it is accepted late with --late-reason\n"
    ) == result.stderr
    empty = refused(run, ref, "refer", ref, "--late-reason", " ", "--at", "2026-12-10T15:01")
    assert (2, True) == (empty.exit_code, empty.stderr.endswith("--late-reason (given empty)\n"))

    ok(
        run, "refer", ref, "--late-reason", "The consumer was in hospital",
        "--at", "2026-12-10T15:01",
    )  # fmt: skip

    assert "referred" == show(run, ref)["stage"]
    entry = history(run, ref)[-1]
    assert ("refer", "2026-12-10T15:01:00+00:00") == (entry["action"], entry["at"])
    assert {"late": True, "late_reason": "The consumer was in hospital"} == entry["details"]


@freeze_time(NOW)
def test_a_referral_at_the_close_of_the_window_is_on_time(run: Run) -> None:
    ref = case_with_final_response(run)

    ok(run, "refer", ref, "--at", "2026-12-10T15:00")

    assert {"late": False, "late_reason": None} == history(run, ref)[-1]["details"]


@freeze_time(NOW)
def test_a_late_reason_for_a_referral_in_time_is_refused_writing_nothing(run: Run) -> None:
    """A late reason is for a referral after the window closes (as --because is for an
    out-of-scope close): given for one in time, it would record the referral as accepted late
    when it was not, so it is refused (exit 2) rather than kept."""
    ref = case_with_final_response(run)

    result = refused(
        run, ref, "refer", ref, "--late-reason", "The consumer was in hospital",
        "--at", "2026-12-10T15:00",
    )  # fmt: skip
    assert 2 == result.exit_code
    assert (
        f"Error: {ref} is referred in time (the referral window closes Thu 2026-12-10 15:00 "
        "GMT): --late-reason is for a referral after it closes; leave it out\n"
    ) == result.stderr


def referral_window_line(run: Run, ref: str) -> str:
    result = run("show", ref)
    assert 0 == result.exit_code, result.stderr
    return next(
        line for line in result.stdout.splitlines() if line.startswith("Deadline\treferral-window")
    )


@freeze_time(NOW)
def test_show_says_a_referral_window_past_closed_in_calendar_time_not_breached_in_working_time(
    run: Run,
) -> None:
    """The window is the consumer's 3 calendar months (README, `overdue`): closed Thu 10 Dec
    15:00, 4 days 21 hours before Tue 15 Dec 12:00; no working time, as explain says."""
    ref = case_with_final_response(run)

    assert (
        "Deadline\treferral-window\tclosed 4d 21h ago (due Thu 2026-12-10 15:00 GMT)"
    ) == referral_window_line(run, ref)


@freeze_time(NOW)
def test_show_says_a_late_referral_met_the_window_late_by_calendar_time(run: Run) -> None:
    ref = case_with_final_response(run)
    ok(
        run, "refer", ref, "--late-reason", "The consumer was in hospital",
        "--at", "2026-12-10T15:01",
    )  # fmt: skip

    assert (
        "Deadline\treferral-window\tmet late by 1m (due Thu 2026-12-10 15:00 GMT)"
    ) == referral_window_line(run, ref)


# -- role rules ----------------------------------------------------------------------------


@freeze_time(NOW)
def test_an_officer_may_not_assign_a_responder(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)

    result = refused(run, ref, "assign", ref, "--to", "rita.responder", "--at", ASSIGNED)

    assert 6 == result.exit_code
    assert (
        f"Error: officer.one (officer) may not assign on {ref}: only senior-complaint-executive, "
        "senior-leader or the leader of the case's area may\n"
    ) == result.stderr


@freeze_time(NOW)
def test_the_leader_of_another_area_may_not_assign_a_casework_case(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)

    result = refused(
        run, ref, "--as", "lena.leader", "assign", ref, "--to", "rita.responder", "--at", ASSIGNED
    )

    assert 6 == result.exit_code
    assert "lena.leader (leader) may not assign" in result.stderr


@freeze_time(NOW)
def test_only_the_assigned_responder_may_respond(run: Run) -> None:
    ref = case_at_first_stage(run)

    result = refused(
        run, ref, "--as", "officer.two", "respond", ref, "--decision", "upheld",
        "--summary", "Sorry", "--at", RESPONDED,
    )  # fmt: skip

    assert 6 == result.exit_code
    assert "officer.two (officer) may not respond" in result.stderr


@freeze_time(NOW)
def test_escalating_to_an_officer_is_refused_because_the_handler_needs_a_second_stage_role(
    run: Run,
) -> None:
    ref = case_responded(run)

    result = refused(run, ref, "escalate", ref, "--to", "officer.two", "--at", ESCALATED)

    assert 2 == result.exit_code
    assert (
        "Error: officer.two is officer: the second stage goes to a leader, senior-leader or "
        "senior-complaint-executive\n"
    ) == result.stderr


@freeze_time(NOW)
def test_escalating_to_the_first_stage_responder_is_refused(run: Run) -> None:
    ref = case_at_first_stage(run)
    respond(run, ref, by="sam.senior")  # a senior role may respond in the responder's place

    result = refused(run, ref, "escalate", ref, "--to", "sam.senior", "--at", ESCALATED)

    assert 2 == result.exit_code
    assert (
        "Error: sam.senior gave the first-stage response; the second stage needs someone else "
        "[std: Housing Ombudsman code]\n"
    ) == result.stderr


@freeze_time(NOW)
def test_the_first_stage_responder_may_not_give_the_final_response(run: Run) -> None:
    ref = case_at_first_stage(run)
    respond(run, ref, by="sam.senior")
    escalate(run, ref, to="hana.handler")

    result = refused(
        run, ref, "--as", "sam.senior", "final", ref, "--decision", "upheld",
        "--summary", "Sorry", "--at", FINAL,
    )  # fmt: skip

    assert 6 == result.exit_code
    assert (
        f"Error: sam.senior gave the first-stage response on {ref}, so may not give the final one\n"
    ) == result.stderr


@freeze_time(NOW)
def test_the_first_stage_responder_may_not_extend_the_second_stage_in_a_senior_role(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)
    respond(run, ref, by="sam.senior")
    escalate(run, ref, to="hana.handler")

    result = refused(
        run, ref, "--as", "sam.senior", "extend", ref, "--until", "2026-09-30T17:00",
        "--reason", "Agreed in writing", "--at", "2026-09-01T10:00",
    )  # fmt: skip

    assert 6 == result.exit_code
    assert (
        f"Error: sam.senior gave the first-stage response on {ref}, "
        "so may not extend the second stage\n"
    ) == result.stderr


@freeze_time(NOW)
def test_assigning_someone_outside_the_cases_area_is_refused(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)

    result = refused(
        run, ref, "--as", "lee.leader", "assign", ref, "--to", "eve.energy", "--at", ASSIGNED
    )

    assert 2 == result.exit_code
    assert (
        f"Error: eve.energy works in Energy, not Casework, the area {ref} was routed to\n"
        == result.stderr
    )


@freeze_time(NOW)
def test_assigning_a_first_stage_case_to_its_responder_again_is_refused(run: Run) -> None:
    ref = log_case(run)
    ack(run, ref)
    assign(run, ref)

    result = refused(
        run, ref, "--as", "lee.leader", "assign", ref, "--to", "rita.responder", "--at", ASSIGNED
    )

    assert 2 == result.exit_code
    assert f"Error: rita.responder is the responder of {ref} already: nothing to change\n" == (
        result.stderr
    )


@freeze_time(NOW)
def test_someone_who_is_not_staff_may_not_act_on_a_case(run: Run) -> None:
    ref = log_case(run)

    result = refused(run, ref, "--as", "mallory", "ack", ref, "--area", "Casework", "--at", ACKED)

    assert 6 == result.exit_code
    assert result.stderr.startswith("Error: mallory is not staff in this store")


# -- incidents -----------------------------------------------------------------------------


@freeze_time(NOW)
def test_an_incident_is_recorded_in_history_and_shown_on_every_case_of_the_consumer(
    run: Run,
) -> None:
    first = log_case(run)
    second = log_case(run, at="2026-09-01T10:00", summary="Still no update")
    other = log_case(run, consumer="Bob Jones", email="bob@example.com")

    ok(
        run, "--as", "officer.two", "incident", first, "--note", "Shouted at the officer",
        "--at", "2026-09-02T14:00",
    )  # fmt: skip

    entry = history(run, first)[-1]
    assert ("incident", "officer.two", "2026-09-02T14:00:00+01:00") == (
        entry["action"],
        entry["by"],
        entry["at"],
    )
    assert {"note": "Shouted at the officer"} == entry["details"]
    expected = [
        {
            "ref": first,
            "note": "Shouted at the officer",
            "by": "officer.two",
            "at": "2026-09-02T14:00:00+01:00",
        }
    ]
    assert expected == show(run, first)["consumer"]["incidents"]
    assert expected == show(run, second)["consumer"]["incidents"]
    assert [] == show(run, other)["consumer"]["incidents"]
    assert ["log"] == [e["action"] for e in history(run, second)]


@freeze_time(NOW)
def test_show_names_the_case_of_an_incident_recorded_on_another_case(run: Run) -> None:
    first = log_case(run)
    second = log_case(run, at="2026-09-01T10:00", summary="Still no update")
    ok(
        run, "--as", "officer.two", "incident", first, "--note", "Shouted at the officer",
        "--at", "2026-09-02T14:00",
    )  # fmt: skip
    shown = "Incident\tWed 2026-09-02 14:00 BST Shouted at the officer (officer.two"

    assert f"{shown})" in ok(run, "show", first).stdout.splitlines()
    assert f"{shown}, {first})" in ok(run, "show", second).stdout.splitlines()


def test_show_tells_the_escalation_the_referral_and_the_assessors_outcome(run: Run) -> None:
    ref = journey.log_case(run, at="2026-11-02T10:00")
    journey.ack(run, ref, at="2026-11-02T11:00")
    journey.assign(run, ref, at="2026-11-02T12:00")
    journey.respond(run, ref, at="2026-11-03T10:00")
    journey.step(
        run, "2026-11-04T10:00", "--as", "officer.one", "escalate", ref, "--to", "hana.handler",
        "--reason", "The consumer says the response missed the point",
    )  # fmt: skip
    journey.final(run, ref, at="2026-11-10T10:00")
    journey.step(run, "2026-11-12T10:00", "--as", "officer.one", "refer", ref)
    journey.step(
        run, "2026-11-20T10:00", "--as", "officer.one", "refer", ref, "--outcome", "upheld",
        "--recommendation", "Reply to every letter within 10 days",
    )  # fmt: skip

    case = journey.show(run, ref)
    assert (
        {
            "by": "officer.one",
            "at": "2026-11-04T10:00:00+00:00",
            "to": "hana.handler",
            "reason": "The consumer says the response missed the point",
        },
        {
            "by": "officer.one",
            "at": "2026-11-12T10:00:00+00:00",
            "late": False,
            "late_reason": None,
        },
        {
            "by": "officer.one",
            "at": "2026-11-20T10:00:00+00:00",
            "outcome": "upheld",
            "recommendation": "Reply to every letter within 10 days",
        },
    ) == (case["escalation"], case["referral"], case["assessor"])
    shown = {
        line.split("\t")[0]: line.split("\t")[1]
        for line in journey.ok(run, "show", ref).stdout.splitlines()
    }
    assert (
        "to hana.handler by officer.one, Wed 2026-11-04 10:00 GMT: The consumer says the "
        "response missed the point",
        "to the Independent Assessor by officer.one, Thu 2026-11-12 10:00 GMT",
        "upheld, Fri 2026-11-20 10:00 GMT: Reply to every letter within 10 days",
    ) == (shown["Escalated"], shown["Referred"], shown["Assessor"])


def test_show_json_has_no_escalation_referral_or_outcome_before_they_happen(run: Run) -> None:
    ref = journey.log_case(run, at="2026-11-02T10:00")

    case = journey.show(run, ref)

    assert (None, None, None) == (case["escalation"], case["referral"], case["assessor"])


def responded_case(
    run: Run,
    *response: str,
) -> str:
    """A case responded to on Fri 20 Nov: partly upheld with an apology and £25, unless
    `response` gives the response's options."""
    ref = journey.log_case(run, at="2026-11-16T16:30")
    journey.ack(run, ref, at="2026-11-17T10:00")
    journey.assign(run, ref, at="2026-11-17T11:00")
    journey.step(
        run, "2026-11-20T15:00", "--as", "rita.responder", "respond", ref,
        *(response or ("--decision", "partly-upheld", "--summary", "We were slow to reply",
                       "--remedy", "apology", "--remedy", "goodwill-payment", "--goodwill", "25")),
    )  # fmt: skip
    return ref


def test_history_details_read_as_words_not_as_python(run: Run) -> None:
    ref = responded_case(run)

    # The last entry is the "pay" action the goodwill opened; the response is before it.
    *_, responded_line, opened_line = ok(run, "history", ref).stdout.splitlines()
    responded, opened = responded_line.split("\t"), opened_line.split("\t")

    assert (
        "decision: partly-upheld; goodwill: £25.00; on time: no; remedies: apology, "
        "goodwill-payment; summary: We were slow to reply"
    ) == responded[3]
    assert (
        "due: Fri 2026-12-04 17:00 GMT; id: 1; kind: remedy; owner: rita.responder; what: pay "
        "the goodwill of £25.00"
    ) == opened[3]


@pytest.mark.parametrize("width", [80, 120])
def test_history_at_a_terminal_keeps_the_details_readable(
    run: Run, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    ref = responded_case(run)
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("COLUMNS", str(width))

    lines = [
        re.sub(r"\x1b\[[0-9;]*m", "", line) for line in ok(run, "history", ref).stdout.splitlines()
    ]

    assert [] == [line for line in lines if len(line) > width]
    shown = "\n".join(lines)
    for words in ("Fri 2026-11-20 15:00 GMT", "rita.responder", "decision: partly-upheld",
                  "goodwill: £25.00", "on time: no"):  # fmt: skip
        assert words in shown


def test_history_at_a_terminal_keeps_a_detail_of_several_lines_on_its_own_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A detail is a line of its own: a summary's second line read as a detail, and could
    be made to read as one the tool wrote (`on time: yes`)."""
    import typer.testing

    with freeze_time(NOW):
        ref = log_case(run, summary="No reply\non time: yes")
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")

    with freeze_time(NOW):
        lines = ok(run, "history", ref).stdout.splitlines()

    assert [] == [line for line in lines if line.strip() == "on time: yes"]
    assert any("summary: No reply on time: yes" in line for line in lines)


# -- the contact log -----------------------------------------------------------------------


@freeze_time(NOW)
def test_a_contact_is_logged_and_shown_in_show_and_history(run: Run) -> None:
    ref = log_case(run)
    result = ok(
        run, "note", ref, "--direction", "OUT", "--channel", "phone",
        "--text", "Called to say the response is on its way", "--at", "2026-07-30T15:00",
    )  # fmt: skip

    assert (f"Noted on {ref}\n", "") == (result.stdout, result.stderr)
    assert [
        {
            "by": "officer.one",
            "at": "2026-07-30T15:00:00+01:00",
            "direction": "out",
            "channel": "phone",
            "text": "Called to say the response is on its way",
        }
    ] == show(run, ref)["contacts"]
    assert "note" == history(run, ref)[-1]["action"]
    assert (
        "Contact\tThu 2026-07-30 15:00 BST, to the consumer by phone (officer.one): Called to say "
        "the response is on its way"
    ) in ok(run, "--plain", "show", ref).stdout.splitlines()


@freeze_time(NOW)
def test_a_contact_with_a_direction_and_no_channel_exits_2_and_writes_nothing(run: Run) -> None:
    ref = log_case(run)
    result = run("note", ref, "--direction", "in", "--text", "Rang in")

    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: --direction and --channel go together")
    assert [] == show(run, ref)["contacts"]


# -- reopening a mistaken close --------------------------------------------------------------


@freeze_time(NOW)
def test_a_senior_reopens_a_mistaken_close_and_hears_it_is_breached_at_once(run: Run) -> None:
    ref = log_case(run)  # acknowledgement due Tue 4 Aug 10:00
    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-07-30T11:00")

    result = ok(run, "--as", "sam.senior", "reopen", ref, "--reason", "Closed by mistake")

    assert f"Reopened {ref}: received\n" == result.stdout
    assert [
        f"Warning: {ref} is breached at once: its acknowledge deadline passed at "
        "Tue 2026-08-04 10:00 BST"
    ] == result.stderr.splitlines()
    case = show(run, ref)
    assert ("received", None) == (case["stage"], case["close_reason"])
    assert [("acknowledge", "cancelled"), ("acknowledge", None)] == [
        (d["kind"], d["outcome"]) for d in case["deadlines"]
    ]


@freeze_time(NOW)
def test_reopen_by_an_officer_exits_6_and_writes_nothing(run: Run) -> None:
    ref = log_case(run)
    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-07-30T11:00")

    result = run("reopen", ref, "--reason", "Closed by mistake")

    assert (6, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: officer.one (officer) may not reopen")
    assert "closed" == show(run, ref)["stage"]


@freeze_time(NOW)
def test_a_step_recorded_after_a_deadline_passed_shows_it_breached_not_time_left(
    run: Run,
) -> None:
    # Acknowledged and assigned in July, both recorded only in December: the response was due
    # on 5 August, so the assignment must not say it is open with almost 24h left.
    ref = log_case(run, at=LOGGED)
    run("ack", ref, "--area", "Casework", "--at", ACKED)

    result = run("--as", "lee.leader", "assign", ref, "--to", "rita.responder", "--at", ASSIGNED)

    assert 0 == result.exit_code, result.stderr
    assert result.stdout.startswith(f"Assigned {ref} to rita.responder: breached by "), (
        result.stdout
    )
    stepped = run("--as", "lee.leader", "assign", ref, "--to", "ruth.responder", "--json",
                  "--at", ASSIGNED)  # fmt: skip
    case = json.loads(stepped.stdout)["done"][0]
    assert [("acknowledge", "met", True), ("respond", None, True)] == [
        (d["kind"], d["outcome"], d["breached"]) for d in case["deadlines"]
    ]


# -- the second stage handed on --------------------------------------------------------------

HANDED = "2026-08-18T10:00"  # Tue, after the escalation to hana.handler


@freeze_time(NOW)
def test_assign_hands_a_second_stage_case_on_with_the_reason(run: Run) -> None:
    ref = case_at_second_stage(run)
    due_before = deadline(show(run, ref), "final")

    result = ok(run, "--as", "sam.senior", "assign", ref, "--to", "lena.leader", "--reason",
                "Hana is on leave", "--at", HANDED)  # fmt: skip

    assert result.stdout.startswith(f"Handed the second stage of {ref} on to lena.leader: ")
    case = show(run, ref)
    assert ("lena.leader", due_before) == (case["handler"], deadline(case, "final"))
    entry = history(run, ref)[-1]
    assert ("assign", "sam.senior", "2026-08-18T10:00:00+01:00") == (
        entry["action"], entry["by"], entry["at"]
    )  # fmt: skip
    assert {"to": "lena.leader", "was": "hana.handler", "stage": "second-stage",
            "reason": "Hana is on leave"} == entry["details"]  # fmt: skip
    queued = json.loads(ok(run, "queue", "--owner", "lena.leader", "--json").stdout)
    assert [ref] == [item["ref"] for item in queued]
    shown = ok(run, "show", ref, "--plain").stdout.splitlines()
    assert (
        "Handed on\tto lena.leader from hana.handler by sam.senior, Tue 2026-08-18 10:00 BST: "
        "Hana is on leave"
    ) in shown


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (("--to", "lena.leader"), 2, "Error: {ref} is at the second stage: say why it is "
         "handed on (--reason TEXT)\n"),
        (("--to", "officer.two", "--reason", "Leave"), 2, "Error: officer.two is officer: the "
         "second stage goes to a leader, senior-leader or senior-complaint-executive\n"),
        (("--to", "hana.handler", "--reason", "Leave"), 2, "Error: hana.handler handles the "
         "second stage of {ref} already: nothing to change\n"),
        (("--to", "nobody", "--reason", "Leave"), 4, "Error: no staff member 'nobody' (see "
         "`complaintctl staff list`)\n"),
        (("--to", "lena.leader", "--reason", "Leave", "--as", "lee.leader"), 6, "Error: "
         "lee.leader (leader) may not assign on {ref}: only senior-complaint-executive, "
         "senior-leader or the second-stage handler may\n"),
    ],
)  # fmt: skip
def test_handing_the_second_stage_on_is_refused_saying_why(
    run: Run, args: tuple[str, ...], code: int, stderr: str
) -> None:
    ref = case_at_second_stage(run)
    acting = () if "--as" in args else ("--as", "sam.senior")

    result = refused(run, ref, *acting, "assign", ref, *args, "--at", HANDED)

    assert (code, stderr.format(ref=ref)) == (result.exit_code, result.stderr)


@freeze_time(NOW)
def test_a_handler_made_an_officer_is_told_to_hand_the_case_on(run: Run) -> None:
    ref = case_at_second_stage(run)
    with journey.recorded_at(HANDED):
        changed = ok(run, "--as", "sam.senior", "staff", "role", "hana.handler", "--role",
                     "officer")  # fmt: skip
    assert (
        f"Warning: hana.handler is the second-stage handler of 1 open case ({ref}), which an "
        "officer may not decide or extend: they or a senior role may hand each on with "
        "`complaintctl assign REF --to USERNAME --reason TEXT`\n"
    ) == changed.stderr

    result = refused(run, ref, "--as", "hana.handler", "final", ref, "--decision", "upheld",
                     "--summary", "Sorry", "--at", "2026-08-19T10:00")  # fmt: skip

    assert 6 == result.exit_code
    assert result.stderr.endswith(
        f"so may not give the final response: hand it on (`complaintctl assign {ref} --to "
        "USERNAME --reason TEXT`)\n"
    )
    ok(run, "--as", "hana.handler", "assign", ref, "--to", "lena.leader", "--reason",
       "No longer a senior leader", "--at", "2026-08-19T10:00")  # fmt: skip


def test_show_writes_a_response_s_goodwill_in_pounds_as_its_pay_action_does(run: Run) -> None:
    ref = responded_case(
        run, "--decision", "upheld", "--summary", "We lost the file",
        "--remedy", "goodwill-payment", "--goodwill", "1250",
    )  # fmt: skip

    shown = ok(run, "show", ref).stdout

    assert "[goodwill-payment] £1,250.00" in shown
    assert "pay the goodwill of £1,250.00" in shown
