"""`overdue` end to end: what is listed, in which formats, as of when, and with which exit status.

Expected deadlines and lateness are worked out by hand from MODEL.md ("Working time"): Monday to
Friday 09:00-17:00 Europe/London, 24 working hours = 3 working days; lateness in working time
counts only opening hours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.journey import recorded_at
from tests.conftest import write_lock_held

# Friday 4 December 2026, noon (GMT: London wall time is UTC).
FRIDAY_NOON = "2026-12-04 12:00:00"


def log(run: Run, consumer: str, at: str) -> str:
    email = consumer.lower().replace(",", "").replace(" ", ".") + "@example.com"
    result = run(
        "log",
        "--consumer",
        consumer,
        "--channel",
        "online",
        "--category",
        "updates",
        "--summary",
        "Nobody kept me updated",
        "--email",
        email,
        "--at",
        at,
    )
    assert 0 == result.exit_code, result.stderr
    return result.stdout.strip()


def ack(run: Run, ref: str, at: str) -> None:
    """Acknowledge as it happens (typed at `at`)."""
    with recorded_at(at):
        result = run("ack", ref, "--area", "Casework", "--at", at)
    assert 0 == result.exit_code, result.stderr


@pytest.fixture
def friday_noon() -> Iterator[None]:
    """Now is Fri 2026-12-04 12:00, for the fixture's commands as well as the test's."""
    with freeze_time(FRIDAY_NOON):
        yield


@pytest.fixture
def monday_after() -> Iterator[None]:
    """Now is Mon 2026-12-07 12:00."""
    with freeze_time("2026-12-07 12:00:00"):
        yield


@pytest.fixture
def four_cases(run: Run, friday_noon: None) -> None:
    """As of Fri 2026-12-04 12:00, three are overdue: two acknowledgements, 000004 (the most)
    then 000001, and 000003's response."""
    # Mon 10:00 -> due Thu 2026-12-03 10:00; never acknowledged.
    log(run, "Ann Smith", "2026-11-30T10:00")
    # Wed 10:00 -> Wed 7h, Thu 15h, Fri 23h, due Mon 2026-12-07 10:00: not due yet.
    log(run, "Bob Jones", "2026-12-02T10:00")
    # Mon 11:00 -> due Thu 2026-12-03 11:00, acknowledged on Tuesday: not overdue. Its response
    # is due 24 working hours after that: Tue 09:30-17:00 (7h 30m), Wed (15h 30m), Thu (23h 30m),
    # Fri 09:00-09:30 (24h), so Fri 2026-12-04 09:30: overdue by 2h 30m.
    ack(run, log(run, "Cara Patel", "2026-11-30T11:00"), "2026-12-01T09:30")
    # Fri 17:00 -> due Wed 2026-12-02 17:00 (MODEL.md's example); logged last, received first.
    log(run, "Dev Shah", "2026-11-27T17:00")


def overdue_json(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("overdue", "--json", *args)
    assert 0 == result.exit_code, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


# -- what is listed, and how ---------------------------------------------------------------


def test_overdue_lists_only_the_unacknowledged_cases_past_due_most_overdue_first(
    run: Run, four_cases: None
) -> None:
    assert ["SC-2026-000004", "SC-2026-000001"] == [
        item["ref"] for item in overdue_json(run, "--kind", "acknowledge")
    ]


def test_overdue_lists_every_kind_of_clock_past_due_most_overdue_first(
    run: Run, four_cases: None
) -> None:
    assert [
        ("SC-2026-000004", "acknowledge"),
        ("SC-2026-000001", "acknowledge"),
        ("SC-2026-000003", "respond"),
    ] == [(item["ref"], item["kind"]) for item in overdue_json(run)]


def test_overdue_plain_output_is_tab_separated_lines_without_colour(
    run: Run, four_cases: None
) -> None:
    result = run("overdue")

    assert 0 == result.exit_code, result.stderr
    # Dev: due Wed 17:00; Thu (8h) + Fri 09-12 (3h) = 11h working. Ann: due Thu 10:00; Thu
    # 10-17 (7h) + Fri 09-12 (3h) = 10h working. Cara's response: due Fri 09:30; 2h 30m.
    assert (
        "SC-2026-000004\tacknowledge\tDev Shah\t2026-11-27T17:00:00+00:00\t"
        "2026-12-02T17:00:00+00:00\t11h\t1d 19h\n"
        "SC-2026-000001\tacknowledge\tAnn Smith\t2026-11-30T10:00:00+00:00\t"
        "2026-12-03T10:00:00+00:00\t10h\t1d 2h\n"
        "SC-2026-000003\trespond\tCara Patel\t2026-11-30T11:00:00+00:00\t"
        "2026-12-04T09:30:00+00:00\t2h 30m\t2h 30m\n"
    ) == result.stdout
    assert "\x1b" not in result.stdout + result.stderr


def test_overdue_json_is_a_list_of_objects_with_due_and_lateness(
    run: Run, four_cases: None
) -> None:
    fields = (
        *("ref", "restriction_id", "kind", "consumer", "received_at", "due", "as_of"),
        *("late_working_minutes", "late_calendar_minutes", "late_working", "late_calendar"),
    )

    items = overdue_json(run)

    assert [
        {
            "ref": "SC-2026-000004",
            "restriction_id": None,
            "kind": "acknowledge",
            "consumer": {"id": 4, "name": "Dev Shah", "email": "dev.shah@example.com"},
            "received_at": "2026-11-27T17:00:00+00:00",
            "due": "2026-12-02T17:00:00+00:00",
            "as_of": "2026-12-04T12:00:00+00:00",
            "late_working_minutes": 11 * 60,
            "late_calendar_minutes": (24 + 19) * 60,
            "late_working": "11h",
            "late_calendar": "1d 19h",
        },
        {
            "ref": "SC-2026-000001",
            "restriction_id": None,
            "kind": "acknowledge",
            "consumer": {"id": 1, "name": "Ann Smith", "email": "ann.smith@example.com"},
            "received_at": "2026-11-30T10:00:00+00:00",
            "due": "2026-12-03T10:00:00+00:00",
            "as_of": "2026-12-04T12:00:00+00:00",
            "late_working_minutes": 10 * 60,
            "late_calendar_minutes": (24 + 2) * 60,
            "late_working": "10h",
            "late_calendar": "1d 2h",
        },
        {
            "ref": "SC-2026-000003",
            "restriction_id": None,
            "kind": "respond",
            "consumer": {"id": 3, "name": "Cara Patel", "email": "cara.patel@example.com"},
            "received_at": "2026-11-30T11:00:00+00:00",
            "due": "2026-12-04T09:30:00+00:00",
            "as_of": "2026-12-04T12:00:00+00:00",
            "late_working_minutes": 2 * 60 + 30,
            "late_calendar_minutes": 2 * 60 + 30,
            "late_working": "2h 30m",
            "late_calendar": "2h 30m",
        },
    ] == [{name: item[name] for name in fields} for item in items]


def test_overdue_csv_has_a_header_and_one_row_per_item(run: Run, four_cases: None) -> None:
    result = run("overdue", "--csv")

    assert 0 == result.exit_code, result.stderr
    assert [
        "ref,kind,consumer,received_at,due,late_working,late_calendar",
        "SC-2026-000004,acknowledge,Dev Shah,2026-11-27T17:00:00+00:00,"
        "2026-12-02T17:00:00+00:00,11h,1d 19h",
        "SC-2026-000001,acknowledge,Ann Smith,2026-11-30T10:00:00+00:00,"
        "2026-12-03T10:00:00+00:00,10h,1d 2h",
        "SC-2026-000003,respond,Cara Patel,2026-11-30T11:00:00+00:00,"
        "2026-12-04T09:30:00+00:00,2h 30m,2h 30m",
    ] == result.stdout.splitlines()


def test_overdue_names_whose_each_item_is_in_json_and_the_summary(
    run: Run, four_cases: None
) -> None:
    # Cara's response is rita.responder's once assigned; an acknowledgement is nobody's by name.
    assigned = run("--as", "lee.leader", "assign", "SC-2026-000003", "--to", "rita.responder")
    assert 0 == assigned.exit_code, assigned.stderr

    assert [
        ("SC-2026-000004", "acknowledge", None),
        ("SC-2026-000001", "acknowledge", None),
        ("SC-2026-000003", "respond", "rita.responder"),
    ] == [(item["ref"], item["kind"], item["owner"]) for item in overdue_json(run)]
    # Plain lines and CSV keep their columns: a script reading them reads the same fields.
    csv = run("overdue", "--csv", "--kind", "respond")
    assert 0 == csv.exit_code, csv.stderr
    assert csv.stdout.splitlines()[1].endswith(",2h 30m,2h 30m")
    summary = run("overdue", "--summary")
    assert 0 == summary.exit_code, summary.stderr
    assert [
        "  SC-2026-000004  acknowledge  Dev Shah  late by 11h of working time (1d 19h)",
        "  SC-2026-000001  acknowledge  Ann Smith  late by 10h of working time (1d 2h)",
        "  SC-2026-000003  respond  Cara Patel  late by 2h 30m of working time (2h 30m)"
        "  owner rita.responder",
    ] == summary.stdout.splitlines()[2:]


@freeze_time(FRIDAY_NOON)
def test_overdue_csv_quotes_a_consumer_name_with_a_comma(run: Run) -> None:
    log(run, "Smith, Ann", "2026-11-30T10:00")

    result = run("overdue", "--csv")

    assert (
        'SC-2026-000001,acknowledge,"Smith, Ann",2026-11-30T10:00:00+00:00,'
        "2026-12-03T10:00:00+00:00,10h,1d 2h"
    ) == result.stdout.splitlines()[1]


@freeze_time(FRIDAY_NOON)
@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("", ""),
        ("--json", "[]\n"),
        ("--csv", "ref,kind,consumer,received_at,due,late_working,late_calendar\n"),
    ],
    ids=["plain", "json", "csv"],
)
def test_overdue_with_nothing_overdue_prints_an_empty_list(
    run: Run, flag: str, expected: str
) -> None:
    log(run, "Bob Jones", "2026-12-02T10:00")

    result = run("overdue", *([flag] if flag else []))

    assert (0, expected) == (result.exit_code, result.stdout)


def test_an_overdue_case_drops_off_the_list_once_acknowledged(run: Run, four_cases: None) -> None:
    # Its response clock starts then, due Wed 2026-12-09 11:00: not overdue either.
    ack(run, "SC-2026-000004", "2026-12-04T11:00")

    assert [("SC-2026-000001", "acknowledge"), ("SC-2026-000003", "respond")] == [
        (item["ref"], item["kind"]) for item in overdue_json(run)
    ]


def test_overdue_still_answers_while_another_program_holds_the_write_lock(
    run: Run, four_cases: None, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")
    with write_lock_held(store_url):
        result = run("overdue", "--json")

    assert (0, ["SC-2026-000004", "SC-2026-000001", "SC-2026-000003"]) == (
        result.exit_code,
        [item["ref"] for item in json.loads(result.stdout or "[]")],
    )


# -- --as-of: replaying the past ------------------------------------------------------------


@pytest.fixture
def acknowledged_late(run: Run, monday_after: None) -> str:
    """Received Mon 2026-11-30 10:00, due Thu 2026-12-03 10:00, acknowledged Fri 11:00."""
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    ack(run, ref, "2026-12-04T11:00")
    return ref


def test_a_case_acknowledged_late_is_not_overdue_now(run: Run, acknowledged_late: str) -> None:
    assert [] == overdue_json(run)


def test_as_of_between_due_and_acknowledgement_shows_the_late_case_as_overdue_then(
    run: Run, acknowledged_late: str
) -> None:
    items = overdue_json(run, "--as-of", "2026-12-03T15:00")

    assert [
        ("SC-2026-000001", "2026-12-03T10:00:00+00:00", 5 * 60, "2026-12-03T15:00:00+00:00")
    ] == [(item["ref"], item["due"], item["late_working_minutes"], item["as_of"]) for item in items]


@pytest.mark.parametrize(
    "as_of",
    [
        "2026-11-30T09:00",  # before it was received
        "2026-12-03T09:59",  # before it was due
        "2026-12-03T10:00",  # at the very minute it is due: not yet late
        "2026-12-04T11:00",  # the minute it was acknowledged
        "2026-12-04T11:30",  # after it was acknowledged
    ],
)
def test_as_of_outside_the_overdue_stretch_does_not_list_the_case(
    run: Run, acknowledged_late: str, as_of: str
) -> None:
    assert [] == overdue_json(run, "--as-of", as_of)


def reopened(run: Run, close_at: str, closed_when: str) -> str:
    """Received Mon 2026-11-30 10:00, due Thu 2026-12-03 10:00; closed as withdrawn with
    `--at close_at`, typed at `closed_when`; reopened by a senior Mon 2026-12-07 12:00."""
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    with recorded_at(closed_when):
        closed = run("close", ref, "--reason", "withdrawn", "--yes", "--at", close_at)
    assert 0 == closed.exit_code, closed.stderr
    with recorded_at("2026-12-07T12:00"):
        reopen = run("--as", "sam.senior", "reopen", ref, "--reason", "Closed by mistake")
    assert 0 == reopen.exit_code, reopen.stderr
    return ref


@freeze_time("2026-12-08 12:00:00")
def test_as_of_while_a_case_was_closed_does_not_list_the_clock_its_reopen_restarted(
    run: Run,
) -> None:
    """Closed Tue, before the due; reopened Monday after it: breached only from the reopen."""
    ref = reopened(run, "2026-12-01T10:00", "2026-12-01T10:00")

    assert ([], [ref]) == (
        overdue_json(run, "--as-of", "2026-12-04T12:00"),
        [item["ref"] for item in overdue_json(run, "--as-of", "2026-12-07T12:30")],
    )


@freeze_time("2026-12-08 12:00:00")
def test_as_of_lists_a_clock_cancelled_late_and_restarted_once(run: Run) -> None:
    """Closed with an --at before the due but typed after it: the clock ran until the close
    was recorded (Fri 12:00), then again from the reopen; never twice at once."""
    ref = reopened(run, "2026-12-01T10:00", "2026-12-04T12:00")

    assert ([(ref, 5 * 60)], [], [ref]) == (
        [
            (item["ref"], item["late_working_minutes"])
            for item in overdue_json(run, "--as-of", "2026-12-03T15:00")
        ],
        overdue_json(run, "--as-of", "2026-12-05T12:00"),
        [item["ref"] for item in overdue_json(run, "--as-of", "2026-12-07T12:30")],
    )


@freeze_time("2026-12-08 12:00:00")
def test_as_of_lists_once_a_clock_cancelled_late_and_restarted_by_a_reopen_dated_back(
    run: Run,
) -> None:
    """Closed Tue (typed Fri 12:00, after the Thu 10:00 due) and reopened with an --at of Wed
    (typed Mon): the clock ran until the close was recorded, then again; never twice at once."""
    with recorded_at("2026-11-30T10:00"):
        ref = log(run, "Ann Smith", "2026-11-30T10:00")
    with recorded_at("2026-12-04T12:00"):
        closed = run("close", ref, "--reason", "withdrawn", "--yes", "--at", "2026-12-01T10:00")
    assert 0 == closed.exit_code, closed.stderr
    with recorded_at("2026-12-07T12:00"):
        reopen = run(
            "--as", "sam.senior", "reopen", ref, "--reason", "Mistake", "--at", "2026-12-02T10:00"
        )
    assert 0 == reopen.exit_code, reopen.stderr

    assert ([ref], [ref]) == (
        [item["ref"] for item in overdue_json(run, "--as-of", "2026-12-03T15:00")],
        [item["ref"] for item in overdue_json(run, "--as-of", "2026-12-07T12:30")],
    )
    shown = json.loads(run("show", ref, "--as-of", "2026-12-03T15:00", "--json").stdout)
    assert ["acknowledge"] == [d["kind"] for d in shown["deadlines"]]


@freeze_time("2026-12-08 12:00:00")
def test_as_of_does_not_list_a_clock_restarted_by_a_reopen_not_yet_made(run: Run) -> None:
    """Closed Tue 10:00 and reopened at 15:00; closed again, typed Thu 09:00 with an --at of
    Tue 15:00 (the reopen's instant), and reopened Mon: on Fri the case was closed, its clock
    stopped, never overdue, though the reopen on Monday left it breached."""
    ref = log(run, "Ann Smith", "2026-11-30T10:00")
    for when, args in (
        ("2026-12-01T10:00", ("close", ref, "--reason", "withdrawn", "--yes")),
        ("2026-12-01T15:00", ("--as", "sam.senior", "reopen", ref, "--reason", "Mistake")),
        ("2026-12-03T09:00", ("close", ref, "--reason", "withdrawn", "--yes",
                              "--at", "2026-12-01T15:00")),
        ("2026-12-07T12:00", ("--as", "sam.senior", "reopen", ref, "--reason", "Mistake")),
    ):  # fmt: skip
        with recorded_at(when):
            result = run(*args)
        assert 0 == result.exit_code, result.stderr

    assert ([], [ref]) == (
        overdue_json(run, "--as-of", "2026-12-04T12:00"),
        [item["ref"] for item in overdue_json(run, "--as-of", "2026-12-07T12:30")],
    )


# -- exit status ---------------------------------------------------------------------------


def test_exit_code_exits_3_when_something_is_overdue_and_still_prints_it(
    run: Run, four_cases: None
) -> None:
    result = run("overdue", "--exit-code")

    assert (3, ["SC-2026-000004", "SC-2026-000001", "SC-2026-000003"]) == (
        result.exit_code,
        [line.split("\t")[0] for line in result.stdout.splitlines()],
    )


@freeze_time(FRIDAY_NOON)
def test_exit_code_exits_0_when_nothing_is_overdue(run: Run) -> None:
    log(run, "Bob Jones", "2026-12-02T10:00")

    result = run("overdue", "--exit-code")

    assert (0, "") == (result.exit_code, result.stdout)


def test_exit_code_follows_as_of(run: Run, acknowledged_late: str) -> None:
    assert [3, 0] == [
        run("overdue", "--exit-code", "--as-of", as_of).exit_code
        for as_of in ("2026-12-03T15:00", "2026-12-04T11:30")
    ]


@pytest.mark.parametrize("flag", ["--json", "--csv"])
def test_exit_code_exits_3_with_json_and_csv_too(run: Run, four_cases: None, flag: str) -> None:
    assert 3 == run("overdue", flag, "--exit-code").exit_code


def test_without_exit_code_overdue_exits_0_when_something_is_overdue(
    run: Run, four_cases: None
) -> None:
    assert 0 == run("overdue").exit_code


@freeze_time(FRIDAY_NOON)
def test_without_exit_code_overdue_exits_0_when_nothing_is_overdue(run: Run) -> None:
    log(run, "Bob Jones", "2026-12-02T10:00")

    assert 0 == run("overdue").exit_code


# -- lateness in working time --------------------------------------------------------------


@freeze_time("2026-12-07 12:00:00")
@pytest.mark.parametrize(
    ("as_of", "late_working_minutes", "late_working", "late_calendar"),
    [
        # Due Wed 10:00: Wed 10-17 (7h) + Thu (8h) + Fri (8h); the weekend does not count.
        ("2026-12-05T13:00", 23 * 60, "23h", "3d 3h"),
        ("2026-12-06T23:59", 23 * 60, "23h", "4d 13h 59m"),
        ("2026-12-07T09:30", 23 * 60 + 30, "23h 30m", "4d 23h 30m"),
        # Evenings do not count either.
        ("2026-12-02T20:00", 7 * 60, "7h", "10h"),
        ("2026-12-03T08:59", 7 * 60, "7h", "22h 59m"),
    ],
)
def test_lateness_in_working_hours_skips_nights_and_weekends(
    run: Run, as_of: str, late_working_minutes: int, late_working: str, late_calendar: str
) -> None:
    # Fri 10:00 -> Fri 7h, Mon 15h, Tue 23h, due Wed 2026-12-02 10:00.
    log(run, "Ann Smith", "2026-11-27T10:00")

    [item] = overdue_json(run, "--as-of", as_of)

    assert (
        "2026-12-02T10:00:00+00:00",
        late_working_minutes,
        late_working,
        late_calendar,
    ) == (item["due"], item["late_working_minutes"], item["late_working"], item["late_calendar"])


@freeze_time("2027-01-05 12:00:00")
def test_lateness_in_working_hours_skips_bank_holidays(run: Run) -> None:
    # Thu 16:00 -> Thu 1h, Fri 9h, Mon 17h, Tue 09-16 (24h): due Tue 2026-12-08 16:00.
    log(run, "Ann Smith", "2026-12-03T16:00")

    [item] = overdue_json(run, "--as-of", "2026-12-29T10:00")

    # Tue 8th 16-17 (1h); Wed 9th to Thu 24th, 12 working days (96h); Christmas Day and
    # Boxing Day (observed, Mon 28th) closed; Tue 29th 09-10 (1h).
    assert ("2026-12-08T16:00:00+00:00", 98 * 60, (20 * 24 + 18) * 60) == (
        item["due"],
        item["late_working_minutes"],
        item["late_calendar_minutes"],
    )


@freeze_time("2026-11-30 12:00:00")
def test_lateness_across_the_autumn_clock_change_counts_eight_hours_a_day(run: Run) -> None:
    # Tue 2026-10-20 15:00 BST -> Tue 2h, Wed 10h, Thu 18h, Fri 09-15 (24h): due Fri 15:00 BST.
    log(run, "Ann Smith", "2026-10-20T15:00")

    [item] = overdue_json(run, "--as-of", "2026-10-26T10:00")

    # Fri 15-17 BST (2h) + Mon 09-10 GMT (1h): 3h working; 2d 20h on the clock (a 25-hour Sunday).
    assert ("2026-10-23T15:00:00+01:00", 3 * 60, (2 * 24 + 20) * 60) == (
        item["due"],
        item["late_working_minutes"],
        item["late_calendar_minutes"],
    )


def test_summary_is_a_digest_for_a_mail(run: Run, four_cases: None) -> None:
    result = run("overdue", "--summary", "--due-within", "1d", "--exit-code")

    assert (
        3,
        [
            "3 overdue as of Fri 2026-12-04 12:00 GMT: acknowledge 2, respond 1.",
            "Most overdue:",
            "  SC-2026-000004  acknowledge  Dev Shah  late by 11h of working time (1d 19h)",
            "  SC-2026-000001  acknowledge  Ann Smith  late by 10h of working time (1d 2h)",
            "  SC-2026-000003  respond  Cara Patel  late by 2h 30m of working time (2h 30m)",
            "Falling due soon (within --due-within): 1.",
        ],
    ) == (result.exit_code, result.stdout.splitlines())


def test_summary_names_the_rest_with_its_kinds_and_instant(run: Run) -> None:
    # Seven unacknowledged, each due 24 working hours after it came in (Monday 7 December):
    # all are late by Tuesday 10:00. The rest are listed by the same kinds as of the same
    # instant, not by a bare `overdue`, which lists every kind as of now.
    with freeze_time("2026-12-03 09:00:00"):
        for n in range(7):
            log(run, f"Consumer {chr(ord('A') + n)}", f"2026-12-02T{10 + n}:00")
        result = run("overdue", "--summary", "--kind", "acknowledge", "--as-of", "2026-12-08 10:00")

    assert (
        "  and 2 more: complaintctl overdue --kind acknowledge --as-of '2026-12-08 10:00'"
        == (result.stdout.splitlines()[-1])
    )


def test_summary_with_nothing_overdue_says_so(run: Run) -> None:
    with freeze_time(FRIDAY_NOON):
        result = run("overdue", "--summary")

    assert (0, ["Nothing overdue as of Fri 2026-12-04 12:00 GMT."]) == (
        result.exit_code,
        result.stdout.splitlines(),
    )


@pytest.mark.parametrize("command", ["queue", "overdue"])
def test_json_and_csv_at_once_are_refused_not_one_chosen_silently(run: Run, command: str) -> None:
    # A script asking for both would read JSON where it parses CSV (or the other way).
    result = run(command, "--json", "--csv")
    assert (2, "", "Error: one of --json or --csv at a time\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )


def test_summary_with_json_or_csv_is_refused(run: Run) -> None:
    for machine in ("--json", "--csv"):
        result = run("overdue", "--summary", machine)
        assert (2, "") == (result.exit_code, result.stdout)


def test_overdue_kind_referral_window_is_refused_saying_why(run: Run) -> None:
    # As README gives it: the consumer's window, never a deadline staff breach; not click's
    # list of the kinds it could have been.
    result = run("overdue", "--kind", "referral-window")

    assert (
        2,
        "",
        "Error: --kind referral-window: the referral window is the consumer's, not a deadline "
        "staff can breach, so overdue never lists it; `explain REF referral-window` gives one\n",
    ) == (result.exit_code, result.stdout, result.stderr)
