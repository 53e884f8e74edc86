"""`log` and `ack` end to end: what they print, what they store, and the clock they start and stop.

Expected deadlines are worked out by hand from MODEL.md ("Working time"): Monday to Friday
09:00-17:00 Europe/London, England and Wales bank holidays closed, 24 working hours = 3 days.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, tzinfo
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import Result

from tests.cli.conftest import Run
from tests.cli.journey import recorded_at, show


def log(run: Run, *extra: str, at: str = "2026-11-30T10:00", **options: str) -> Result:
    """`complaintctl log` with sensible defaults; `options` override them."""
    values = {
        "consumer": "Ann Smith",
        "channel": "email",
        "category": "delay",
        "summary": "Nobody told me my dispute had been closed",
        "email": "ann@example.com",
        **options,
    }
    args = [part for name, value in values.items() for part in (f"--{name}", value)]
    result = run("log", *args, "--at", at, *extra)
    assert 0 == result.exit_code, result.stderr
    return result


POST_ONLY = (
    "log",
    "--consumer",
    "Ann Smith",
    "--channel",
    "post",
    "--category",
    "updates",
    "--summary",
    "No updates for two months",
)

DEADLINE_FIELDS = ("kind", "start", "due", "rule", "met_at", "ended_at", "outcome", "breached")
# The consumer's fields README ("JSON output") documents; it also has their needs and restrictions.
CONSUMER_FIELDS = ("name", "email", "address")


def fields(mapping: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields only: JSON output may gain fields (README, "JSON output")."""
    return {name: mapping[name] for name in names}


# -- log -----------------------------------------------------------------------------------


@freeze_time("2026-11-30 12:00:00")
def test_log_prints_only_the_new_reference_on_stdout(run: Run) -> None:
    result = log(run)

    assert "SC-2026-000001\n" == result.stdout


@freeze_time("2026-11-30 12:00:00")
def test_log_with_an_empty_adjustment_exits_2_and_writes_nothing(run: Run) -> None:
    """`--adjustment "$NEED"` with NEED not set: refused, as `consumer update` refuses it,
    never a complaint logged without the need the officer meant to record."""
    result = run(*POST_ONLY, "--address", "1 High St", "--adjustment", "")

    assert (2, "", "Error: --adjustment must not be empty\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    assert "" == run("queue", "--plain").stdout


@freeze_time("2026-11-30 12:00:00")
def test_log_says_on_stderr_when_the_acknowledgement_is_due(run: Run) -> None:
    result = log(run, at="2026-11-30T10:00")

    assert ["Logged SC-2026-000001; acknowledgement due Thu 2026-12-03 10:00 GMT"] == (
        result.stderr.splitlines()
    )


@freeze_time("2026-12-07 12:00:00")
def test_log_dated_back_past_the_acknowledgement_due_says_it_is_breached_as_show_does(
    run: Run,
) -> None:
    # Received Mon 30 Nov 10:00, acknowledgement due Thu 3 Dec 10:00, typed in on Mon 7 Dec.
    said = log(run, at="2026-11-30T10:00").stderr.splitlines()
    logged = json.loads(log(run, "--json", at="2026-11-30T10:00").stdout)
    (deadline,) = logged["deadlines"]

    assert [
        "Logged SC-2026-000001; acknowledgement breached by 18h working, 4d 2h calendar "
        "(due Thu 2026-12-03 10:00 GMT)"
    ] == said
    assert ("2026-12-07T12:00:00+00:00", True, 1080, 0) == (
        logged["as_of"],
        deadline["breached"],
        deadline["late_working_minutes"],
        deadline["left_working_minutes"],
    )
    shown = show(run, logged["ref"])["deadlines"][0]
    assert shown == {**deadline, "start": shown["start"]}


@freeze_time("2026-11-30 12:00:00")
def test_log_json_prints_the_case_at_stage_received_with_an_open_acknowledgement_deadline(
    run: Run,
) -> None:
    result = log(run, "--json", at="2026-11-30T10:00")

    case = json.loads(result.stdout)
    assert "SC-2026-000001" == case["ref"]
    assert "received" == case["stage"]
    assert "2026-11-30T10:00:00+00:00" == case["received_at"]
    assert [
        {
            "kind": "acknowledge",
            "start": "2026-11-30T10:00:00+00:00",
            # Mon 10-17 (7h), Tue (15h), Wed (23h), Thu 09-10 (24h).
            "due": "2026-12-03T10:00:00+00:00",
            "rule": "24 working hours after receipt",
            "met_at": None,
            "ended_at": None,
            "outcome": None,
            "breached": False,
        }
    ] == [fields(d, DEADLINE_FIELDS) for d in case["deadlines"]]
    assert [] == case["earlier_cases"]


@freeze_time("2027-01-05 12:00:00")
@pytest.mark.parametrize(
    ("received", "due"),
    [
        # MODEL.md's worked examples.
        pytest.param("2026-12-24T16:00", "2026-12-31T16:00:00+00:00", id="christmas"),
        pytest.param("2026-03-28T10:00", "2026-04-01T17:00:00+01:00", id="clocks-forward"),
        pytest.param("2026-11-27T17:00", "2026-12-02T17:00:00+00:00", id="friday-close"),
        # Received on a Sunday evening: the clock starts at Monday's opening.
        pytest.param("2026-11-29T20:15", "2026-12-02T17:00:00+00:00", id="weekend"),
        # Received before opening on a Monday: the same as received at 09:00.
        pytest.param("2026-11-30T07:00", "2026-12-02T17:00:00+00:00", id="before-opening"),
    ],
)
def test_log_json_gives_the_acknowledgement_due_24_working_hours_after_receipt(
    run: Run, received: str, due: str
) -> None:
    result = log(run, "--json", at=received)

    assert due == json.loads(result.stdout)["deadlines"][0]["due"]


class PinnedClock(datetime):
    """A real datetime class whose now() is Mon 2026-11-30 12:00 UTC.

    Round the clocks going back, freezegun cannot be used: its FakeDatetime drops `fold` in
    astimezone(), so 01:30 GMT on 25 October would be shown as 01:30 BST.
    """

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 30, 12, 0, tzinfo=UTC).astimezone(tz)


@pytest.mark.parametrize(
    ("at", "due"),
    [
        # Either 01:30 of Sunday 25 October (clocks go back at 02:00 BST): due Wed at close.
        pytest.param("2026-10-25T01:30:00+01:00", "2026-10-28T17:00:00+00:00", id="first-0130"),
        pytest.param("2026-10-25T01:30:00+00:00", "2026-10-28T17:00:00+00:00", id="second-0130"),
        # Sunday 29 March, just after the clocks went forward.
        pytest.param("2026-03-29T02:30:00+01:00", "2026-04-01T17:00:00+01:00", id="after-gap"),
    ],
)
def test_log_accepts_a_time_round_a_clock_change_written_with_its_offset_and_keeps_it(
    run: Run, monkeypatch: pytest.MonkeyPatch, at: str, due: str
) -> None:
    # The module, not the `app` object the package re-exports under the same name.
    monkeypatch.setattr(importlib.import_module("complaintctl.cli.app"), "datetime", PinnedClock)

    case = json.loads(log(run, "--json", at=at).stdout)

    assert (at, due) == (case["received_at"], case["deadlines"][0]["due"])


@freeze_time("2026-11-30 12:00:00")
def test_log_takes_its_choices_in_any_case(run: Run) -> None:
    ref = log(run, "--prefers", "Post", channel="Email", category="Delay").stdout.strip()

    case = show(run, ref)
    assert ("email", "delay", "post") == (
        case["channel"],
        case["category"],
        case["consumer"]["preferred_contact"],
    )


@freeze_time("2026-11-30 12:00:00")
def test_log_records_the_email_in_lower_case(run: Run) -> None:
    ref = log(run, email="  Ann.Smith@Example.COM ").stdout.strip()

    assert "ann.smith@example.com" == show(run, ref)["consumer"]["email"]


@freeze_time("2026-11-30 12:00:00")
def test_a_second_complaint_from_the_same_email_in_another_case_lists_the_earlier_one_on_stderr(
    run: Run,
) -> None:
    log(run, at="2026-11-27T16:00", email="ann@example.com")

    result = log(run, at="2026-11-30T10:00", email="ANN@Example.com")

    assert "SC-2026-000002\n" == result.stdout
    assert (
        "Note: Ann Smith has complained before: "
        "SC-2026-000001 (received Fri 2026-11-27 16:00 GMT, received)"
    ) in result.stderr.splitlines()


@freeze_time("2026-11-30 12:00:00")
def test_a_second_complaint_from_the_same_email_lists_the_earlier_one_in_json(run: Run) -> None:
    log(run, at="2026-11-27T16:00", email="ann@example.com")
    run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-11-30T09:30")

    result = log(run, "--json", at="2026-11-30T10:00", email="Ann@EXAMPLE.com")

    assert [
        {
            "ref": "SC-2026-000001",
            "stage": "first-stage",
            "received_at": "2026-11-27T16:00:00+00:00",
        }
    ] == json.loads(result.stdout)["earlier_cases"]


@freeze_time("2026-11-30 12:00:00")
def test_a_complaint_from_another_email_lists_no_earlier_cases(run: Run) -> None:
    log(run, at="2026-11-27T16:00", email="ann@example.com")

    result = log(run, "--json", at="2026-11-30T10:00", email="bob@example.com", consumer="Bob")

    assert [] == json.loads(result.stdout)["earlier_cases"]
    assert not any(line.startswith("Note:") for line in result.stderr.splitlines())


@freeze_time("2026-11-30 12:00:00")
def test_board_dispute_and_address_round_trip_through_show_json(run: Run) -> None:
    ref = log(
        run,
        "--board",
        "--address",
        "1 High Street, Leeds LS1 1AA",
        "--dispute",
        "D-2026-004217",
        channel="post",
        category="mistreated",
        summary="The case handler was rude on the phone",
    ).stdout.strip()

    case = show(run, ref)

    assert {
        "name": "Ann Smith",
        "email": "ann@example.com",
        "address": "1 High Street, Leeds LS1 1AA",
    } == fields(case["consumer"], CONSUMER_FIELDS)
    assert "D-2026-004217" == case["dispute"]
    assert True is case["board"]
    assert "post" == case["channel"]
    assert "mistreated" == case["category"]
    assert "The case handler was rude on the phone" == case["summary"]


@freeze_time("2026-11-30 12:00:00")
def test_a_complaint_by_post_needs_only_an_address(run: Run) -> None:
    result = run(
        *POST_ONLY, "--address", "1 High Street, Leeds LS1 1AA", "--at", "2026-11-30T10:00"
    )

    assert 0 == result.exit_code, result.stderr
    case = show(run, "SC-2026-000001")
    assert {"name": "Ann Smith", "email": None, "address": "1 High Street, Leeds LS1 1AA"} == (
        fields(case["consumer"], CONSUMER_FIELDS)
    )
    assert False is case["board"]
    assert None is case["dispute"]


# -- ack -----------------------------------------------------------------------------------


@freeze_time("2026-12-07 12:00:00")
def test_ack_on_time_stops_the_clock_with_met_at_set_and_not_breached(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    with recorded_at("2026-12-02T15:00"):  # as it happens
        result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-02T15:00")

    assert 0 == result.exit_code, result.stderr
    # The response is due 24 working hours after the acknowledgement: Wed 15-17 (2h), Thu
    # (10h), Fri (18h), Mon 09-15 (24h).
    assert (
        "Acknowledged SC-2026-000001, routed to Casework: "
        "met on time (due Thu 2026-12-03 10:00 GMT)\n"
        "  respond: open, due Mon 2026-12-07 15:00 GMT (in 24h working)\n"
    ) == result.stdout
    case = show(run, "SC-2026-000001")
    assert "first-stage" == case["stage"]
    assert "Casework" == case["area"]
    assert [
        {
            "kind": "acknowledge",
            "start": "2026-11-30T10:00:00+00:00",
            "due": "2026-12-03T10:00:00+00:00",
            "rule": "24 working hours after receipt",
            "met_at": "2026-12-02T15:00:00+00:00",
            "ended_at": "2026-12-02T15:00:00+00:00",
            "outcome": "met",
            "breached": False,
        },
        {
            "kind": "respond",
            "start": "2026-12-02T15:00:00+00:00",
            "due": "2026-12-07T15:00:00+00:00",
            "rule": "24 working hours after acknowledgement",
            "met_at": None,
            "ended_at": None,
            "outcome": None,
            "breached": False,
        },
    ] == [fields(d, DEADLINE_FIELDS) for d in case["deadlines"]]


@freeze_time("2026-12-07 12:00:00")
def test_ack_at_the_very_minute_it_is_due_is_on_time(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    with recorded_at("2026-12-03T10:00"):  # as it happens
        result = run(
            "ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-03T10:00", "--json"
        )

    deadline = json.loads(result.stdout)["done"][0]["deadlines"][0]
    assert ("2026-12-03T10:00:00+00:00", False) == (deadline["met_at"], deadline["breached"])


@freeze_time("2026-12-07 12:00:00")
def test_ack_late_stops_the_clock_and_is_marked_breached(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    with recorded_at("2026-12-03T10:01"):  # as it happens
        result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-03T10:01")

    assert 0 == result.exit_code, result.stderr
    # Thu 10:01-17:00 (6h 59m), Fri (14h 59m), Mon (22h 59m), Tue 09:00-10:01 (24h).
    assert (
        "Acknowledged SC-2026-000001, routed to Casework: "
        "met late by 1m working, 1m calendar (due Thu 2026-12-03 10:00 GMT)\n"
        "  respond: open, due Tue 2026-12-08 10:01 GMT (in 24h working)\n"
    ) == result.stdout
    deadline = show(run, "SC-2026-000001")["deadlines"][0]
    assert {
        "met_at": "2026-12-03T10:01:00+00:00",
        "outcome": "met",
        "breached": True,
        "late_working_minutes": 1,
    } == fields(deadline, ("met_at", "outcome", "breached", "late_working_minutes"))


@freeze_time("2026-12-07 12:00:00")
def test_an_acknowledged_case_stays_met_however_late_it_is_viewed(run: Run) -> None:
    log(run, at="2026-11-30T10:00")
    with recorded_at("2026-12-01T10:00"):  # as it happens
        run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-01T10:00")

    deadline = show(run, "SC-2026-000001")["deadlines"][0]

    assert ("2026-12-01T10:00:00+00:00", False) == (deadline["met_at"], deadline["breached"])


@freeze_time("2026-12-07 12:00:00")
def test_ack_without_at_is_recorded_at_now(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    result = run("ack", "SC-2026-000001", "--area", "Casework", "--json")

    deadline = json.loads(result.stdout)["done"][0]["deadlines"][0]
    assert ("2026-12-07T12:00:00+00:00", True) == (deadline["met_at"], deadline["breached"])


@freeze_time("2026-12-07 12:00:00")
def test_ack_accepts_a_reference_typed_in_lower_case(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    result = run("ack", " sc-2026-000001 ", "--area", "Casework", "--at", "2026-12-01T10:00")

    assert 0 == result.exit_code, result.stderr
    assert "first-stage" == show(run, "SC-2026-000001")["stage"]


@freeze_time("2026-12-07 12:00:00")
def test_ack_records_who_acknowledged_from_the_global_as_option(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    result = run(
        "--as",
        "officer.two",
        "ack",
        "SC-2026-000001",
        "--area",
        "Casework",
        "--at",
        "2026-12-01T10:00",
    )

    assert 0 == result.exit_code, result.stderr
    case = show(run, "SC-2026-000001")
    assert "officer.one" == case["logged_by"]
    assert [
        {
            "action": "log",
            "by": "officer.one",
            "at": "2026-11-30T10:00:00+00:00",
            "recorded_at": "2026-12-07T12:00:00+00:00",
        },
        {
            "action": "acknowledge",
            "by": "officer.two",
            "at": "2026-12-01T10:00:00+00:00",
            "recorded_at": "2026-12-07T12:00:00+00:00",
        },
    ] == [
        {key: event[key] for key in ("action", "by", "at", "recorded_at")}
        for event in case["history"]
    ]
    # The response: Tue 10-17 (7h), Wed (15h), Thu (23h), Fri 09-10 (24h). Recorded on Mon 7
    # Dec, after the acknowledgement's deadline (Thu 3 Dec) had passed: the breach was on
    # record, so the clock is met late, when recorded; the history keeps Tue 1 Dec.
    assert {
        "area": "Casework",
        "due": "2026-12-03T10:00:00+00:00",
        "on_time": False,
        "respond_due": "2026-12-04T10:00:00+00:00",
        "recorded_after_deadline": ["acknowledge"],
    } == case["history"][1]["details"]
    assert "2026-12-07T12:00:00+00:00" == case["deadlines"][0]["met_at"]
    assert result.stderr.startswith("Warning: the acknowledge deadline had passed before this")


@freeze_time("2026-06-15 12:00:00")
def test_a_late_recording_warning_gives_when_it_happened_in_the_calendars_zone(run: Run) -> None:
    # Acknowledged at 10:00 BST on Tue 2 June, the time typed; recorded after the deadline.
    log(run, at="2026-06-01T10:00")

    result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-06-02T10:00")

    assert 0 == result.exit_code, result.stderr
    assert result.stderr.endswith(
        "the history keeps Tue 2026-06-02 10:00 BST as when it happened\n"
    ), result.stderr


@freeze_time("2026-12-07 12:00:00")
def test_ack_records_who_acknowledged_from_complaintctl_user(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(run, at="2026-11-30T10:00")
    monkeypatch.setenv("COMPLAINTCTL_USER", "officer.three")

    with recorded_at("2026-12-04T10:00"):  # as it happens
        run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-04T10:00")

    history = show(run, "SC-2026-000001")["history"]
    assert [("log", "officer.one"), ("acknowledge", "officer.three")] == [
        (event["action"], event["by"]) for event in history
    ]
    # The response: Fri 10-17 (7h), Mon (15h), Tue (23h), Wed 09-10 (24h).
    assert {
        "area": "Casework",
        "due": "2026-12-03T10:00:00+00:00",
        "on_time": False,
        "respond_due": "2026-12-09T10:00:00+00:00",
    } == history[1]["details"]


@freeze_time("2026-12-07 12:00:00")
def test_the_as_option_wins_over_complaintctl_user(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    run("--as", "officer.two", "ack", "SC-2026-000001", "--area", "Casework")

    assert "officer.two" == show(run, "SC-2026-000001")["history"][-1]["by"]


# -- references ----------------------------------------------------------------------------


@freeze_time("2027-01-05 12:00:00")
def test_references_count_up_within_each_year_of_receipt(run: Run) -> None:
    refs = [
        log(run, at=received, email=f"consumer{n}@example.com").stdout.strip()
        for n, received in enumerate(
            [
                "2025-12-31T16:00",
                "2026-01-02T10:00",
                "2026-06-01T10:00",
                "2025-12-30T10:00",  # logged late, received in the earlier year
                "2027-01-04T10:00",
                "2026-12-31T16:59",
            ]
        )
    ]

    assert [
        "SC-2025-000001",
        "SC-2026-000001",
        "SC-2026-000002",
        "SC-2025-000002",
        "SC-2027-000001",
        "SC-2026-000003",
    ] == refs


@freeze_time("2027-01-05 12:00:00")
def test_the_year_of_receipt_is_the_london_date_whatever_offset_the_time_is_written_with(
    run: Run,
) -> None:
    # 2027-01-01T00:30+01:00 is 23:30 on 31 December in London (GMT in winter).
    result = log(run, at="2027-01-01T00:30+01:00")

    assert "SC-2026-000001\n" == result.stdout
    assert "2026-12-31T23:30:00+00:00" == show(run, "SC-2026-000001")["received_at"]


@freeze_time("2026-12-07 12:00:00")
def test_ack_late_over_a_weekend_counts_the_lateness_in_working_hours(run: Run) -> None:
    log(run, at="2026-11-30T10:00")

    # Due Thu 10:00; Thu 10-17 (7h), Fri (15h), Mon 09-10 (16h); four calendar days.
    with recorded_at("2026-12-07T10:00"):  # as it happens
        result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-07T10:00")

    # The response: Mon 10-17 (7h), Tue (15h), Wed (23h), Thu 09-10 (24h).
    assert (
        "Acknowledged SC-2026-000001, routed to Casework: "
        "met late by 16h working, 4d calendar (due Thu 2026-12-03 10:00 GMT)\n"
        "  respond: open, due Thu 2026-12-10 10:00 GMT (in 24h working)\n"
    ) == result.stdout


@freeze_time("2026-11-30 12:00:00")
def test_a_second_complaint_by_post_from_the_same_name_and_address_lists_the_earlier_one(
    run: Run,
) -> None:
    address = ("--address", "1 High Street, Leeds LS1 1AA")
    first = run(*POST_ONLY, *address, "--at", "2026-11-27T16:00")
    assert 0 == first.exit_code, first.stderr

    result = run(*POST_ONLY, *address, "--at", "2026-11-30T10:00", "--json")

    assert ["SC-2026-000001"] == [c["ref"] for c in json.loads(result.stdout)["earlier_cases"]]


@freeze_time("2026-11-30 12:00:00")
def test_a_repeat_complainants_new_address_round_trips_through_show_json(run: Run) -> None:
    # The first complaint came by email; the second by post, now with a postal address to reply
    # to. The address typed in must not be lost because the email matched an earlier consumer.
    log(run, at="2026-11-27T16:00", email="ann@example.com")
    ref = log(
        run, "--address", "1 High Street, Leeds LS1 1AA", at="2026-11-30T10:00", channel="post"
    ).stdout.strip()

    assert {
        "name": "Ann Smith",
        "email": "ann@example.com",
        "address": "1 High Street, Leeds LS1 1AA",
    } == fields(show(run, ref)["consumer"], CONSUMER_FIELDS)


@freeze_time("2026-11-30 12:00:00")
def test_log_warns_when_the_deadline_falls_outside_the_known_bank_holidays(run: Run) -> None:
    # The store, created now, knows the bank holidays of 2021 to 2031.
    result = log(run, "--json", at="2020-12-18T10:00", email="zed@example.com")

    warning = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline counted from "
        "before them assumes there were none and may be early by a holiday; earlier years cannot "
        "be added, so check the days it counted (`complaintctl explain REF`) against that year's "
        "bank holidays"
    )
    case = json.loads(result.stdout)
    assert ("SC-2020-000001", "2020-12-23T10:00:00+00:00", [warning]) == (
        case["ref"],
        case["deadlines"][0]["due"],
        case["warnings"],
    )
    assert f"Warning: {warning}" in result.stderr.splitlines()


@freeze_time("2026-12-07 12:00:00")
def test_show_and_explain_as_of_between_an_acknowledgements_date_and_its_recording_agree(
    run: Run,
) -> None:
    """Acknowledged on Tuesday, typed in on Monday: on Wednesday the store had the case as
    received, its acknowledgement still owed, in every part of `show` and in `explain`."""
    with recorded_at("2026-11-30T10:00"):
        log(run, at="2026-11-30T10:00")
    run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-01T10:00")

    shown = run("--plain", "show", "SC-2026-000001", "--as-of", "2026-12-02T12:00")
    explained = run("explain", "SC-2026-000001", "--as-of", "2026-12-02T12:00", "--json")

    assert (0, 0) == (shown.exit_code, explained.exit_code), shown.stderr + explained.stderr
    lines = shown.stdout.splitlines()
    assert "Stage\treceived" in lines
    assert ["Deadline\tacknowledge\topen, due Thu 2026-12-03 10:00 GMT (in 6h working)"] == [
        line for line in lines if line.startswith("Deadline")
    ]
    status = json.loads(explained.stdout)
    assert ("acknowledge", "running") == (status["kind"], status["status"]["state"])
    # The response's clock, which the acknowledgement typed in since starts, had not started.
    respond = run("explain", "SC-2026-000001", "respond", "--as-of", "2026-12-02T12:00")
    assert (
        "As of Wed 2026-12-02 12:00 GMT: not started on record (the step that starts it, dated "
        "Tue 2026-12-01 10:00 GMT, was recorded after then)"
    ) in respond.stdout.splitlines()


@freeze_time("2026-12-07 12:00:00")
def test_show_as_of_before_the_acknowledgement_shows_the_clock_still_running_then(
    run: Run,
) -> None:
    with freeze_time("2026-11-30 10:00:00"):  # logged as it came in; the ack typed in late
        log(run, at="2026-11-30T10:00")
    run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-04T11:00")

    result = run("show", "SC-2026-000001", "--as-of", "2026-12-03T15:00", "--json")

    deadline = json.loads(result.stdout)["deadlines"][0]
    assert {"met_at": None, "outcome": None, "breached": True} == fields(
        deadline, ("met_at", "outcome", "breached")
    )
