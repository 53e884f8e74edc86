"""`calendar` end to end: showing the working calendar, and closures moving open deadlines.

The store is created at the frozen "now", with England and Wales bank holidays from five years
before to five years after (README, "How deadlines are counted"). Expected deadlines are worked
out by hand from MODEL.md ("Working time").
"""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.conftest import dump_store

HOLIDAYS_SOURCE = f"holidays {version('holidays')}"

WEEK = {
    "Mon": "09:00-17:00",
    "Tue": "09:00-17:00",
    "Wed": "09:00-17:00",
    "Thu": "09:00-17:00",
    "Fri": "09:00-17:00",
    "Sat": "closed",
    "Sun": "closed",
}


@pytest.fixture
def monday_noon() -> Iterator[None]:
    """Now is Mon 2026-11-30 12:00 (GMT: London wall time is UTC)."""
    with freeze_time("2026-11-30 12:00:00"):
        yield


def log(run: Run, consumer: str, at: str) -> str:
    email = consumer.lower().replace(" ", ".") + "@example.com"
    result = run(
        "log",
        "--consumer",
        consumer,
        "--channel",
        "email",
        "--category",
        "process",
        "--summary",
        "My evidence was not considered",
        "--email",
        email,
        "--at",
        at,
    )
    assert 0 == result.exit_code, result.stderr
    return result.stdout.strip()


def ack(run: Run, ref: str, at: str) -> None:
    result = run("ack", ref, "--area", "Casework", "--at", at)
    assert 0 == result.exit_code, result.stderr


# What a deadline records; its working time late or left is worked out on the current calendar.
DEADLINE_FIELDS = ("kind", "start", "due", "rule", "met_at", "ended_at", "outcome", "breached")


def recorded(deadlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: deadline[name] for name in DEADLINE_FIELDS} for deadline in deadlines]


def show(run: Run, ref: str) -> dict[str, Any]:
    result = run("show", ref, "--json")
    assert 0 == result.exit_code, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def calendar_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("calendar", "--json", *args)
    assert 0 == result.exit_code, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def close_office_move(run: Run) -> str:
    result = run("--as", "sam.senior", "calendar", "close", "2026-12-01", "--reason", "Office move")
    assert 0 == result.exit_code, result.stderr
    return result.stdout


# -- showing the calendar ------------------------------------------------------------------


def test_calendar_shows_the_zone_opening_hours_and_next_bank_holidays_as_plain_lines(
    run: Run, monday_noon: None
) -> None:
    result = run("calendar")

    assert 0 == result.exit_code, result.stderr
    lines = result.stdout.splitlines()
    assert [
        "Zone\tEurope/London",
        "Mon\t09:00-17:00",
        "Tue\t09:00-17:00",
        "Wed\t09:00-17:00",
        "Thu\t09:00-17:00",
        "Fri\t09:00-17:00",
        "Sat\tclosed",
        "Sun\tclosed",
        f"Bank holidays\tGB-ENG, known 2021-01-01 to 2031-12-31 ({HOLIDAYS_SOURCE})",
        "Closed\t2026-12-25\tChristmas Day\tbank-holiday",
        "Closed\t2026-12-26\tBoxing Day\tbank-holiday",
        "Closed\t2026-12-28\tBoxing Day (observed)\tbank-holiday",
        "Closed\t2027-01-01\tNew Year's Day\tbank-holiday",
    ] == lines[:13]
    assert 10 == sum(1 for line in lines if line.endswith("\tbank-holiday"))
    assert "\x1b" not in result.stdout
    assert "" == result.stderr


def test_calendar_json_shows_the_zone_opening_hours_and_next_bank_holidays(
    run: Run, monday_noon: None
) -> None:
    calendar = calendar_json(run)

    assert {
        "schema_version": 2,
        "zone": "Europe/London",
        "opening_hours": WEEK,
        "bank_holidays": {
            "region": "GB-ENG",
            "source": HOLIDAYS_SOURCE,
            "known_from": "2021-01-01",
            "known_through": "2031-12-31",
        },
        "warnings": [],
    } == {name: value for name, value in calendar.items() if name != "upcoming_closed_days"}
    assert [
        {"date": "2026-12-25", "kind": "bank-holiday", "name": "Christmas Day"},
        {"date": "2026-12-26", "kind": "bank-holiday", "name": "Boxing Day"},
        {"date": "2026-12-28", "kind": "bank-holiday", "name": "Boxing Day (observed)"},
        {"date": "2027-01-01", "kind": "bank-holiday", "name": "New Year's Day"},
    ] == calendar["upcoming_closed_days"][:4]
    assert 10 == len(calendar["upcoming_closed_days"])


def test_calendar_as_of_shows_the_closed_days_after_that_date(run: Run, monday_noon: None) -> None:
    upcoming = calendar_json(run, "--as-of", "2026-12-26T10:00")["upcoming_closed_days"]

    assert ["2026-12-26", "2026-12-28", "2027-01-01"] == [day["date"] for day in upcoming[:3]]


def test_calendar_help_says_as_of_lists_the_closed_days_from_that_date(run: Run) -> None:
    """The calendar has no deadlines to judge: its --as-of is where the closed days start."""
    result = run("calendar", "--help")

    assert 0 == result.exit_code, result.stderr
    said = " ".join(result.stdout.split())
    assert "--as-of DATETIME List the closed days from this instant's date on" in said
    assert "Judge deadlines" not in said


def test_a_closure_is_listed_among_the_closed_days(run: Run, monday_noon: None) -> None:
    close_office_move(run)

    result = run("calendar")

    assert "Closed\t2026-12-01\tOffice move\tclosure" in result.stdout.splitlines()
    assert {"date": "2026-12-01", "kind": "closure", "name": "Office move"} == (
        calendar_json(run)["upcoming_closed_days"][0]
    )


# -- closing a day -------------------------------------------------------------------------


def test_closing_a_day_pushes_an_open_acknowledgement_deadline_by_a_day(
    run: Run, monday_noon: None
) -> None:
    # Mon 10:00 -> Mon 7h, Tue 15h, Wed 23h, due Thu 2026-12-03 10:00.
    ref = log(run, "Ann Smith", "2026-11-30T10:00")

    output = close_office_move(run)

    # Tuesday closed: Mon 7h, Wed 15h, Thu 23h, due Fri 2026-12-04 10:00.
    assert (
        "SC-2026-000001\tacknowledge\t2026-12-03T10:00:00+00:00\t2026-12-04T10:00:00+00:00\n"
    ) == output
    deadline = show(run, ref)["deadlines"][0]
    assert ("2026-12-04T10:00:00+00:00", None, False) == (
        deadline["due"],
        deadline["met_at"],
        deadline["breached"],
    )


def test_closing_a_day_records_deadline_recomputed_in_the_case_history(
    run: Run, monday_noon: None
) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")

    close_office_move(run)

    history = show(run, ref)["history"]
    assert ["log", "deadline-recomputed"] == [event["action"] for event in history]
    assert {
        "action": "deadline-recomputed",
        "by": "sam.senior",
        "at": "2026-11-30T12:00:00+00:00",
        "recorded_at": "2026-11-30T12:00:00+00:00",
        "details": {
            "kind": "acknowledge",
            "old_due": "2026-12-03T10:00:00+00:00",
            "new_due": "2026-12-04T10:00:00+00:00",
            "reason": "closure on 2026-12-01 added",
        },
        # Who ran the command, as the operating system says.
        "login": getpass.getuser(),
        "host": socket.gethostname(),
    } == history[1]


def test_closing_a_day_records_who_closed_it(run: Run, monday_noon: None) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")

    run("--as", "hana.handler", "calendar", "close", "2026-12-01", "--reason", "Office move")

    assert "hana.handler" == show(run, ref)["history"][-1]["by"]


def test_closing_a_day_leaves_an_acknowledged_deadline_as_it_was(
    run: Run, monday_noon: None
) -> None:
    # Fri 10:00 -> Fri 7h, Mon 15h, Tue 23h, due Wed 2026-12-02 10:00; acknowledged Monday.
    # Its response clock then runs: Mon 11-17 (6h), Tue (14h), Wed (22h), Thu 09-11 (24h).
    met = log(run, "Bob Jones", "2026-11-27T10:00")
    ack(run, met, "2026-11-30T11:00")
    before = show(run, met)
    # Still open: it moves, so the closure did reach the deadlines.
    log(run, "Ann Smith", "2026-11-30T10:00")

    output = close_office_move(run)

    # The acknowledged case's running response clock moves; its met acknowledgement does not.
    assert (
        "SC-2026-000001\trespond\t2026-12-03T11:00:00+00:00\t2026-12-04T11:00:00+00:00\n"
        "SC-2026-000002\tacknowledge\t2026-12-03T10:00:00+00:00\t2026-12-04T10:00:00+00:00\n"
    ) == output
    after = show(run, met)
    assert ["acknowledge", "respond"] == [d["kind"] for d in after["deadlines"]]
    assert recorded(before["deadlines"])[0] == recorded(after["deadlines"])[0]
    assert before["history"] == after["history"][:-1]
    assert ("deadline-recomputed", "respond") == (
        after["history"][-1]["action"],
        after["history"][-1]["details"]["kind"],
    )
    assert ("2026-12-02T10:00:00+00:00", "2026-11-30T11:00:00+00:00", False) == (
        after["deadlines"][0]["due"],
        after["deadlines"][0]["met_at"],
        after["deadlines"][0]["breached"],
    )


@freeze_time("2026-12-01 12:00:00")
def test_closing_a_day_leaves_an_already_breached_deadline_as_it_was(run: Run) -> None:
    # Thu 11:00 -> Thu 6h, Fri 14h, Mon 22h, due Tue 2026-12-01 11:00: breached by noon.
    # Closing that Tuesday would put it at Wed 11:00 if it were recomputed.
    breached = log(run, "Cara Patel", "2026-11-26T11:00")
    before = show(run, breached)
    log(run, "Ann Smith", "2026-11-30T10:00")

    result = run(
        "--as", "sam.senior", "calendar", "close", "2026-12-01", "--reason", "Office move",
        "--retroactive", "the move happened today, unannounced",
    )  # fmt: skip

    assert (
        "SC-2026-000002\tacknowledge\t2026-12-03T10:00:00+00:00\t2026-12-04T10:00:00+00:00\n"
    ) == result.stdout
    after = show(run, breached)
    assert recorded(before["deadlines"]) == recorded(after["deadlines"])
    assert ["log"] == [event["action"] for event in after["history"]]
    assert ("2026-12-01T11:00:00+00:00", True) == (
        after["deadlines"][0]["due"],
        after["deadlines"][0]["breached"],
    )
    assert ["SC-2026-000001"] == [
        item["ref"] for item in json.loads(run("overdue", "--json").stdout)
    ]


def test_holidays_through_a_year_past_the_last_date_exits_2_and_writes_nothing(
    run: Run, store_url: str, monday_noon: None
) -> None:
    before = dump_store(store_url)

    result = run("--as", "sam.senior", "calendar", "holidays", "--through", "2100")

    assert (2, ["Error: --through must be a year from 2021 to 2099, not 2100: dates run to "
                "2099 only"]) == (result.exit_code, result.stderr.splitlines())  # fmt: skip
    assert before == dump_store(store_url)


def test_closing_a_bank_holiday_exits_2_and_writes_nothing(
    run: Run, store_url: str, monday_noon: None
) -> None:
    before = dump_store(store_url)

    result = run("--as", "sam.senior", "calendar", "close", "2026-12-25", "--reason", "Xmas")

    assert (2, ["Error: 2026-12-25 is already closed: Christmas Day (bank holiday); the "
                "closure would change nothing"]) == (
        result.exit_code, result.stderr.splitlines()
    )  # fmt: skip
    assert before == dump_store(store_url)


def test_closing_a_saturday_exits_2_and_writes_nothing(
    run: Run, store_url: str, monday_noon: None
) -> None:
    before = dump_store(store_url)

    result = run("--as", "sam.senior", "calendar", "close", "2026-12-05", "--reason", "Move")

    assert (2, ["Error: 2026-12-05 is already closed: no opening hours on Saturdays; the "
                "closure would change nothing"]) == (
        result.exit_code, result.stderr.splitlines()
    )  # fmt: skip
    assert before == dump_store(store_url)


def test_closing_a_day_that_is_already_closed_exits_2_and_writes_nothing(
    run: Run, monday_noon: None
) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    close_office_move(run)
    before = show(run, ref)

    result = run(
        "--as", "sam.senior", "calendar", "close", "2026-12-01", "--reason", "Still moving"
    )

    assert (2, ["Error: 2026-12-01 is already a closure day"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )
    assert before == show(run, ref)


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("01/12/2026", "is not a date; write it as YYYY-MM-DD"),
        ("tomorrow", "is not a date; write it as YYYY-MM-DD"),
        ("2026-13-01", "names no day of the calendar: check the month and the day"),
    ],
)
def test_closing_a_malformed_date_exits_2(run: Run, monday_noon: None, day: str, said: str) -> None:
    result = run("--as", "sam.senior", "calendar", "close", day, "--reason", "Office move")

    assert (2, [f"Error: '{day}' {said}"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )


def test_closing_a_day_more_than_10_years_ahead_exits_2_as_any_date_typed_so_far_ahead(
    run: Run, monday_noon: None
) -> None:
    # 2063 for 2036, say: a typing mistake, refused as every date typed that far ahead is.
    result = run("--as", "sam.senior", "calendar", "close", "2036-12-01", "--reason", "Move")

    assert (2, ["Error: '2036-12-01' is more than 10 years ahead"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )
    assert "2036-12-01" not in json.dumps(calendar_json(run, "--as-of", "2036-11-30T12:00"))


def test_closing_a_day_10_years_ahead_is_taken(run: Run, monday_noon: None) -> None:
    result = run("--as", "sam.senior", "calendar", "close", "2036-11-28", "--reason", "Move")

    assert 0 == result.exit_code, result.stderr


# -- reopening a day -----------------------------------------------------------------------


def test_reopening_a_closed_day_restores_the_open_deadline(run: Run, monday_noon: None) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    close_office_move(run)

    result = run("--as", "sam.senior", "calendar", "reopen", "2026-12-01")

    assert 0 == result.exit_code, result.stderr
    assert (
        "SC-2026-000001\tacknowledge\t2026-12-04T10:00:00+00:00\t2026-12-03T10:00:00+00:00\n"
    ) == result.stdout
    case = show(run, ref)
    assert "2026-12-03T10:00:00+00:00" == case["deadlines"][0]["due"]
    assert [
        ("log", None),
        ("deadline-recomputed", "closure on 2026-12-01 added"),
        ("deadline-recomputed", "closure on 2026-12-01 removed"),
    ] == [(event["action"], event["details"].get("reason")) for event in case["history"]]
    assert {
        "kind": "acknowledge",
        "old_due": "2026-12-04T10:00:00+00:00",
        "new_due": "2026-12-03T10:00:00+00:00",
        "reason": "closure on 2026-12-01 removed",
    } == case["history"][-1]["details"]


def test_reopening_a_closed_day_removes_it_from_the_calendar(run: Run, monday_noon: None) -> None:
    close_office_move(run)

    run("--as", "sam.senior", "calendar", "reopen", "2026-12-01")

    assert "2026-12-25" == calendar_json(run)["upcoming_closed_days"][0]["date"]


@pytest.mark.parametrize(
    ("day", "said"),
    [
        # An ordinary working day, and a Saturday: neither is closed by the calendar.
        ("2026-12-01", "is not a closure day: `complaintctl calendar` lists the next ones"),
        ("2026-12-05", "is not a closure day: `complaintctl calendar` lists the next ones"),
        # A bank holiday: not a closure, cannot be reopened.
        ("2026-12-25", "is Christmas Day (bank holiday): bank holidays cannot be removed"),
    ],
)
def test_reopening_a_day_that_is_not_a_closure_exits_4_and_writes_nothing(
    run: Run, monday_noon: None, day: str, said: str
) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    before = show(run, ref)

    result = run("--as", "sam.senior", "calendar", "reopen", day)

    assert (4, [f"Error: {day} {said}"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )
    assert "" == result.stdout
    assert before == show(run, ref)


# -- bank holidays -------------------------------------------------------------------------


def test_holidays_through_a_later_year_extends_known_through_to_its_last_day(
    run: Run, monday_noon: None
) -> None:
    result = run("--as", "sam.senior", "calendar", "holidays", "--through", "2040")

    assert 0 == result.exit_code, result.stderr
    assert "" == result.stdout
    assert (
        f"bank holidays known from 2021-01-01 to 2040-12-31 ({HOLIDAYS_SOURCE}); "
        "0 open deadlines recomputed\n"
    ) == result.stderr
    assert {
        "region": "GB-ENG",
        "source": HOLIDAYS_SOURCE,
        "known_from": "2021-01-01",
        "known_through": "2040-12-31",
    } == calendar_json(run)["bank_holidays"]


def test_holidays_through_a_later_year_adds_that_years_bank_holidays(
    run: Run, monday_noon: None
) -> None:
    before = calendar_json(run, "--as-of", "2035-12-20")
    run("--as", "sam.senior", "calendar", "holidays", "--through", "2040")

    after = calendar_json(run, "--as-of", "2035-12-20")

    assert ([], 1) == (before["upcoming_closed_days"], len(before["warnings"]))
    assert (
        [
            {"date": "2035-12-25", "kind": "bank-holiday", "name": "Christmas Day"},
            {"date": "2035-12-26", "kind": "bank-holiday", "name": "Boxing Day"},
            {"date": "2036-01-01", "kind": "bank-holiday", "name": "New Year's Day"},
        ],
        [],
    ) == (after["upcoming_closed_days"][:3], after["warnings"])


def test_holidays_through_a_year_before_the_known_ones_exits_2(run: Run, monday_noon: None) -> None:
    result = run("--as", "sam.senior", "calendar", "holidays", "--through", "2019")

    assert (
        2,
        [
            "Error: --through must be a year from 2021, not 2019: it adds later years only, and "
            "the bank holidays before 2021 cannot be added"
        ],
    ) == (result.exit_code, result.stderr.splitlines())
    assert "2031-12-31" == calendar_json(run)["bank_holidays"]["known_through"]


def test_holidays_through_a_year_too_far_ahead_says_the_years_it_takes(
    run: Run, monday_noon: None
) -> None:
    result = run("--as", "sam.senior", "calendar", "holidays", "--through", "2500")

    assert (
        2,
        ["Error: --through must be a year from 2021 to 2099, not 2500: dates run to 2099 only"],
    ) == (
        result.exit_code,
        result.stderr.splitlines(),
    )


def test_a_calendar_change_does_not_stop_an_earlier_acknowledgement_being_recorded(
    run: Run, monday_noon: None
) -> None:
    # Acknowledged at 11:00 and typed in after the noon closure was added: the recomputed
    # deadline is the calendar's doing, not a step taken on the case that the ack came before.
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    close_office_move(run)

    result = run("ack", ref, "--area", "Casework", "--at", "2026-11-30T11:00")

    assert 0 == result.exit_code, result.stderr
    deadline = show(run, ref)["deadlines"][0]
    assert ("2026-11-30T11:00:00+00:00", False) == (deadline["met_at"], deadline["breached"])


# -- who changes the calendar, and reaching back into the past -----------------------------


def test_an_officer_may_not_change_the_calendar(run: Run, monday_noon: None) -> None:
    result = run("calendar", "close", "2026-12-10", "--reason", "Office move")
    assert (6, True) == (result.exit_code, "may not change the calendar" in result.stderr)


def test_closing_today_needs_a_reason_once_it_would_move_a_deadline(
    run: Run, store_url: str, monday_noon: None
) -> None:
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    before = dump_store(store_url)

    refused = run("--as", "sam.senior", "calendar", "close", "2026-11-30", "--reason", "Flood")
    assert (2, True) == (refused.exit_code, "--retroactive REASON" in refused.stderr)
    assert before == dump_store(store_url)

    dry = run("--as", "sam.senior", "calendar", "close", "2026-11-30", "--reason", "Flood",
              "--dry-run")  # fmt: skip
    assert (0, True) == (dry.exit_code, dry.stderr.startswith("Dry run: "))
    # What it would do, never said as done.
    assert (
        "Dry run: 1 open deadline would be recomputed (closure on 2026-11-30 added); "
        "nothing was written"
    ) in " ".join(dry.stderr.split())
    # A script reading the dry run is told the change as it stands would be refused.
    assert dry.stderr.rstrip().endswith(
        "(it touches 2026-11-30, a day already past: the change needs --retroactive REASON)"
    )
    # Monday itself closed: its 7 hours after receipt no longer count.
    assert f"{ref}\tacknowledge\t2026-12-03T10:00:00+00:00\t2026-12-03T17:00:00+00:00\n" == (
        dry.stdout
    )
    assert before == dump_store(store_url)

    done = run("--as", "sam.senior", "calendar", "close", "2026-11-30", "--reason", "Flood",
               "--retroactive", "flooded since this morning")  # fmt: skip
    assert 0 == done.exit_code, done.stderr
    entry = show(run, ref)["history"][-1]
    assert ("deadline-recomputed", "flooded since this morning") == (
        entry["action"],
        entry["details"]["retroactive"],
    )
    # explain gives the reason as history does, in its lines and its JSON.
    explained = run("explain", ref, "acknowledge")
    (change,) = json.loads(run("explain", ref, "acknowledge", "--json").stdout)["changes"]
    assert (
        "by sam.senior: closure on 2026-11-30 added (retroactive: flooded since this morning); "
        "due moved from Thu 2026-12-03 10:00 GMT to Thu 2026-12-03 17:00 GMT\n"
    ) in explained.stdout
    assert ("deadline-recomputed", "flooded since this morning") == (
        change["action"],
        change["retroactive"],
    )


@pytest.mark.parametrize(
    ("why", "said"),
    [
        ("", "--retroactive must not be empty"),  # `--retroactive "$WHY"`, WHY not set
        ("   ", "--retroactive must not be empty"),
        ("flooded\x1b[2J", "--retroactive "),
    ],
)
def test_a_retroactive_reason_is_held_to_the_input_rule(
    run: Run, store_url: str, monday_noon: None, why: str, said: str
) -> None:
    log(run, "Ann Smith", "2026-11-30T10:00")
    before = dump_store(store_url)

    for change in (["close", "2026-11-30", "--reason", "Flood"], ["holidays", "--through", "2032"]):
        result = run("--as", "sam.senior", "calendar", *change, "--retroactive", why)
        assert (2, 1, True) == (
            result.exit_code,
            len(result.stderr.splitlines()),
            result.stderr.startswith(f"Error: {said}"),
        ), result.stderr
        assert before == dump_store(store_url)


@freeze_time("2031-12-30 12:00:00")
def test_a_change_moving_a_deadline_after_the_known_bank_holidays_warns_of_it(run: Run) -> None:
    # The store knows the bank holidays of 2021 to 2031: received Tue 30 December 2031 at noon,
    # closing Wednesday moves the acknowledgement over New Year's Day 2032 (not known), as
    # every command meeting such a deadline warns (README, "How deadlines are counted").
    ref = log(run, "Ann Smith", "2031-12-30T12:00")
    warning = (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline after "
        "them assumes there are none — run `complaintctl calendar holidays --through 2032` to "
        "add them"
    )
    for json_output in ((), ("--json",)):
        result = run("--as", "sam.senior", "calendar", "close", "2031-12-31", "--reason", "Move",
                     "--dry-run", *json_output)  # fmt: skip
        assert (0, True) == (result.exit_code, warning in result.stderr.splitlines())

    # Once 2032's are known, the move is counted on them: nothing to warn of.
    assert 0 == run("--as", "sam.senior", "calendar", "holidays", "--through", "2032").exit_code
    closed = run("--as", "sam.senior", "calendar", "close", "2031-12-31", "--reason", "Move")
    assert (f"{ref}\tacknowledge\t2032-01-05T12:00:00+00:00\t2032-01-06T12:00:00+00:00\n", 1) == (
        closed.stdout,
        len(closed.stderr.splitlines()),
    )
