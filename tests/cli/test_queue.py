"""`queue` end to end, `overdue --due-within`, `--plain`, and the queue's rich table.

Now is pinned with freezegun. The week of Mon 30 Nov 2026 is in winter (London wall time is UTC);
working time is Monday to Friday 09:00-17:00, and 24 working hours are three working days.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner, Result

from complaintctl.cli import app, render
from complaintctl.domain.instants import format_local
from complaintctl.store.db import open_engine, resolve_url
from complaintctl.store.schema import ensure_schema
from complaintctl.store.uow import UnitOfWork
from complaintctl.text import from_csv_cell
from complaintctl.views import OverdueItem, OverdueReport, QueueItem, QueueReport, RestrictionView
from tests.cli.conftest import Run
from tests.conftest import POSTGRES, STORE_CREATED, seed_team

# Friday 4 December 2026, 16:00: an hour before the weekend.
FRIDAY_4PM = "2026-12-04 16:00:00"


def ok(run: Run, *args: str) -> str:
    result = run(*args)
    assert 0 == result.exit_code, result.stderr
    return result.stdout


def log(run: Run, consumer: str, at: str, *extra: str) -> str:
    email = consumer.split()[0].lower() + "@example.com"
    return ok(
        run,
        "log",
        "--consumer",
        consumer,
        "--email",
        email,
        "--channel",
        "email",
        "--category",
        "delay",
        "--summary",
        f"{consumer.split()[0]}'s complaint",
        "--at",
        at,
        *extra,
    ).strip()


@pytest.fixture
def friday_4pm() -> Iterator[None]:
    with freeze_time(FRIDAY_4PM):
        yield


def build_five_cases(run: Run) -> None:
    """As of Fri 4 Dec 16:00:

    - 000001 Ann, received Mon 10:00: acknowledgement due Thu 10:00, breached by 14h working.
    - 000002 Bob, received Wed 10:00, large print: due Mon 7 Dec 10:00, 2h left (due soon).
    - 000003 Cara, received Wed 14:00, to the Board: due Mon 7 Dec 14:00, 6h left (on track).
    - 000004 Dev, acknowledged Tue 09:30 to Casework, rita responding, restricted: response
      due Fri 09:30, breached by 6h 30m.
    - 000005 Finn, responded to by ruth on Tue: waiting on the consumer.
    """
    log(run, "Ann Smith", "2026-11-30T10:00")
    log(run, "Bob Jones", "2026-12-02T10:00", "--adjustment", "large-print")
    log(run, "Cara Patel", "2026-12-02T14:00", "--board")
    dev = log(run, "Dev Shah", "2026-11-30T11:00")
    ok(run, "ack", dev, "--area", "Casework", "--at", "2026-12-01T09:30")
    ok(
        run,
        "--as",
        "lee.leader",
        "assign",
        dev,
        "--to",
        "rita.responder",
        "--at",
        "2026-12-01T10:00",
    )
    ok(
        run,
        "--as",
        "sam.senior",
        "restrict",
        "add",
        "--email",
        "dev@example.com",
        "--scope",
        "contact",
        "--via",
        "officer.two",
        "--reason",
        "Abusive calls",
        "--at",
        "2026-12-01T12:00",
    )
    finn = log(run, "Finn Gray", "2026-11-30T09:00")
    ok(run, "ack", finn, "--area", "Casework", "--at", "2026-11-30T12:00")
    ok(
        run,
        "--as",
        "lee.leader",
        "assign",
        finn,
        "--to",
        "ruth.responder",
        "--at",
        "2026-11-30T13:00",
    )
    ok(
        run,
        "--as",
        "ruth.responder",
        "respond",
        finn,
        "--decision",
        "not-upheld",
        "--summary",
        "We did reply",
        "--at",
        "2026-12-01T10:00",
    )


@pytest.fixture(scope="module")
def five_cases_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five cases, made once through the command line: each test gets a copy."""
    path = tmp_path_factory.mktemp("queue") / "five-cases.sqlite3"
    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)
    seed_team(lambda *, write=True: UnitOfWork(engine, url, write=write))
    engine.dispose()
    runner = CliRunner()
    env = {"COMPLAINTCTL_DB": str(path), "COMPLAINTCTL_USER": "officer.one", "NO_COLOR": None}

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, env=env)

    with freeze_time(FRIDAY_4PM):
        build_five_cases(run)
    return path


@pytest.fixture
def five_cases(
    request: pytest.FixtureRequest,
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    friday_4pm: None,
) -> None:
    """COMPLAINTCTL_DB is a fresh copy of the five cases' store; now is Fri 4 Dec 16:00.

    On PostgreSQL, which has no quick copy of a schema, the five cases are made afresh in the
    test's own store."""
    if POSTGRES:
        build_five_cases(run)
        return
    five_cases_store: Path = request.getfixturevalue("five_cases_store")
    copy = tmp_path / "five-cases.sqlite3"
    with (
        closing(sqlite3.connect(five_cases_store)) as source,
        closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
    monkeypatch.setenv("COMPLAINTCTL_DB", str(copy))


def lines(output: str) -> list[str]:
    return output.splitlines()


def refs_listed(run: Run, *args: str) -> list[str]:
    return [line.split("\t")[0] for line in lines(ok(run, "queue", *args))]


ANN = "SC-2026-000001"
BOB = "SC-2026-000002"
CARA = "SC-2026-000003"
DEV = "SC-2026-000004"
FINN = "SC-2026-000005"

PLAIN_QUEUE = [
    f"{ANN}\tAnn Smith\t-\treceived\t\t\tacknowledge\t2026-12-03T10:00:00+00:00\tbreached\t-14h",
    f"{DEV}\tDev Shah\tR\tfirst-stage\tCasework\trita.responder\trespond\t"
    "2026-12-04T09:30:00+00:00\tbreached\t-6h 30m",
    f"{BOB}\tBob Jones\tA\treceived\t\t\tacknowledge\t2026-12-07T10:00:00+00:00\tdue-soon\t2h",
    f"{CARA}\tCara Patel\tB\treceived\t\t\tacknowledge\t2026-12-07T14:00:00+00:00\ton-track\t6h",
    f"{FINN}\tFinn Gray\t-\tresponded\tCasework\truth.responder\t\t\twaiting\t",
]


# -- queue: plain, JSON, CSV ---------------------------------------------------------------


def test_queue_prints_one_tab_separated_line_per_case_most_urgent_first(
    run: Run, five_cases: None
) -> None:
    result = run("queue")
    assert (0, PLAIN_QUEUE, "") == (result.exit_code, lines(result.stdout), result.stderr)


def test_queue_plain_lines_have_exactly_the_ten_documented_columns(
    run: Run, five_cases: None
) -> None:
    assert [10] * 5 == [len(line.split("\t")) for line in lines(ok(run, "queue"))]


QUEUE_FIELDS = {
    "schema_version",
    "ref",
    "version",
    "consumer",
    "adjustments",
    "restricted",
    "stage",
    "area",
    "owner",
    "category",
    "board",
    "received_at",
    "summary",
    "kind",
    "due",
    "state",
    "left_working_minutes",
    "as_of",
}


def queue_json(run: Run, *args: str) -> list[dict[str, Any]]:
    data = json.loads(ok(run, "queue", "--json", *args))
    assert isinstance(data, list)
    return data


def test_queue_json_is_a_list_of_objects_each_with_schema_version_2_and_every_field(
    run: Run, five_cases: None
) -> None:
    data = queue_json(run)
    assert [(2, QUEUE_FIELDS)] * 5 == [(item["schema_version"], set(item)) for item in data]


def test_queue_json_gives_each_case_its_next_deadline_with_iso_times_and_minutes_left(
    run: Run, five_cases: None
) -> None:
    data = queue_json(run)
    assert {
        "schema_version": 2,
        "ref": BOB,
        "version": 0,
        "consumer": {"id": 2, "name": "Bob Jones", "email": "bob@example.com"},
        "adjustments": ["large-print"],
        "restricted": False,
        "stage": "received",
        "area": None,
        "owner": None,
        "category": "delay",
        "board": False,
        "received_at": "2026-12-02T10:00:00+00:00",
        "summary": "Bob's complaint",
        "kind": "acknowledge",
        "due": "2026-12-07T10:00:00+00:00",
        "state": "due-soon",
        "left_working_minutes": 120,
        "as_of": "2026-12-04T16:00:00+00:00",
    } == data[2]
    assert [
        (ANN, "breached", -840, False),
        (DEV, "breached", -390, True),
        (BOB, "due-soon", 120, False),
        (CARA, "on-track", 360, False),
        (FINN, "waiting", None, False),
    ] == [(i["ref"], i["state"], i["left_working_minutes"], i["restricted"]) for i in data]


def test_queue_json_for_a_case_waiting_on_the_consumer_has_no_deadline(
    run: Run, five_cases: None
) -> None:
    finn = queue_json(run)[-1]
    assert (FINN, None, None, None, "ruth.responder") == (
        finn["ref"],
        finn["kind"],
        finn["due"],
        finn["left_working_minutes"],
        finn["owner"],
    )


def test_queue_json_of_an_empty_queue_is_an_empty_list(run: Run, friday_4pm: None) -> None:
    assert [] == queue_json(run)


def test_queue_csv_has_a_header_row_then_the_plain_columns(run: Run, five_cases: None) -> None:
    rows = list(csv.reader(io.StringIO(ok(run, "queue", "--csv"))))
    assert (
        [
            "ref",
            "consumer",
            "flags",
            "stage",
            "area",
            "owner",
            "kind",
            "due",
            "state",
            "left_working",
        ],
        [line.split("\t") for line in PLAIN_QUEUE],
    ) == (rows[0], [[from_csv_cell(cell) for cell in row] for row in rows[1:]])
    # A negative time left would start a spreadsheet formula: it is written after an apostrophe.
    assert ["'-14h", "'-6h 30m"] == [row[-1] for row in rows[1:3]]


# -- queue: filters and options ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--stage", "received"), [ANN, BOB, CARA]),
        (("--stage", "first-stage", "--stage", "responded"), [DEV, FINN]),
        (("--area", "Casework"), [DEV, FINN]),
        (("--owner", "ruth.responder"), [FINN]),
        (("--unassigned",), [ANN, BOB, CARA]),
        (("--breached",), [ANN, DEV]),
        # Fri 16:00 + 2h of working time is Mon 10:00, when Bob is due.
        (("--due-within", "2h"), [ANN, DEV, BOB]),
        (("--due-within", "1d"), [ANN, DEV, BOB, CARA]),
        (("--category", "delay"), [ANN, DEV, BOB, CARA, FINN]),
        (("--category", "updates"), []),
        (("--board",), [CARA]),
        (("--not-board",), [ANN, DEV, BOB, FINN]),
    ],
)
def test_queue_filters_keep_only_the_cases_they_name(
    run: Run, five_cases: None, args: tuple[str, ...], expected: list[str]
) -> None:
    assert expected == refs_listed(run, *args)


def test_queue_mine_lists_the_cases_of_whoever_is_acting(run: Run, five_cases: None) -> None:
    assert ([DEV], [FINN], []) == (
        [
            line.split("\t")[0]
            for line in lines(ok(run, "--as", "rita.responder", "queue", "--mine"))
        ],
        [
            line.split("\t")[0]
            for line in lines(ok(run, "--as", "ruth.responder", "queue", "--mine"))
        ],
        refs_listed(run, "--mine"),
    )


def test_queue_warn_within_widens_the_amber_window(run: Run, five_cases: None) -> None:
    data = queue_json(run, "--warn-within", "1d")
    assert ["breached", "breached", "due-soon", "due-soon", "waiting"] == [
        item["state"] for item in data
    ]


def test_queue_as_of_judges_the_deadlines_at_another_instant(run: Run, five_cases: None) -> None:
    # Mon 7 Dec 10:01: Bob's acknowledgement, due at 10:00, has just breached.
    data = queue_json(run, "--as-of", "2026-12-07T10:01")
    assert [(ANN, "breached"), (DEV, "breached"), (BOB, "breached"), (CARA, "due-soon")] == [
        (item["ref"], item["state"]) for item in data[:4]
    ]


def one_line_error(run: Run, *args: str) -> tuple[int, str, str]:
    result = run(*args)
    return result.exit_code, result.stdout, result.stderr


def test_queue_mine_with_owner_is_a_one_line_usage_error(run: Run, five_cases: None) -> None:
    assert (2, "", "Error: --mine and --owner are the same filter: give one\n") == one_line_error(
        run, "queue", "--mine", "--owner", "rita.responder"
    )


def test_queue_due_within_nonsense_is_a_one_line_usage_error(run: Run, five_cases: None) -> None:
    code, stdout, stderr = one_line_error(run, "queue", "--due-within", "nonsense")
    assert (2, "", 1, True) == (
        code,
        stdout,
        stderr.count("\n"),
        stderr.startswith("Error: --due-within: 'nonsense' is not a duration"),
    )


def test_queue_warn_within_nonsense_is_a_one_line_usage_error(run: Run, five_cases: None) -> None:
    code, _, stderr = one_line_error(run, "queue", "--warn-within", "4x")
    assert (2, True) == (code, stderr.startswith("Error: --warn-within: '4x' is not a duration"))


@pytest.mark.parametrize("option", ["--warn-within", "--due-within"])
def test_queue_an_empty_duration_is_refused_not_taken_for_the_default(
    run: Run, five_cases: None, option: str
) -> None:
    # `--warn-within "$WARN"` with WARN unset listed the queue with the default window.
    code, _, stderr = one_line_error(run, "queue", option, "")
    assert (2, f"Error: {option}: '' is not a duration; write it like 4h, 30m, 2d or 1d4h "
            "(d: a working day)") == (code, stderr.rstrip("\n"))  # fmt: skip


@pytest.mark.parametrize("owner", [("--mine",), ("--owner", "rita.responder")])
def test_queue_unassigned_with_an_owner_is_refused_not_an_empty_queue(
    run: Run, five_cases: None, owner: tuple[str, ...]
) -> None:
    code, stdout, stderr = one_line_error(run, "--as", "rita.responder", "queue", "--unassigned",
                                          *owner)  # fmt: skip
    assert (2, "", True) == (
        code,
        stdout,
        stderr.startswith("Error: --unassigned lists the cases nobody owns"),
    )


def test_queue_with_an_unknown_stage_is_a_one_line_usage_error(run: Run, five_cases: None) -> None:
    code, stdout, stderr = one_line_error(run, "queue", "--stage", "pending")
    assert (2, "", 1, True, True) == (
        code,
        stdout,
        stderr.count("\n"),
        stderr.startswith("Error: "),
        "pending" in stderr,
    )


AFTER_KNOWN = (
    "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline after "
    "them assumes there are none — run `complaintctl calendar holidays --through 2032` to add "
    "them"
)


def test_queue_and_overdue_warn_of_a_deadline_they_list_after_the_known_bank_holidays(
    run: Run,
) -> None:
    # The store knows the bank holidays of 2021 to 2031. Received Tue 30 December 2031 at
    # noon, the acknowledgement counts Thu 1 January 2032 (New Year's Day, not known) as a
    # working day: due Fri 2 January 12:00, a day early. `show` warns; so must the listings
    # that show that due, though their own date is inside the known years.
    with freeze_time("2031-12-30 12:00:00"):
        ref = log(run, "Ann Smith", "2031-12-30T12:00")
        listings = [
            ("show", ref),
            ("queue",),
            ("queue", "--json"),
            ("overdue", "--due-within", "24h"),
        ]
        for args in listings:
            result = run(*args)
            assert (0, True) == (
                result.exit_code,
                AFTER_KNOWN in result.stderr.splitlines(),
            ), (args, result.stderr)
        assert "2032-01-02T12:00:00+00:00" in run("queue").stdout
        # Nothing listed, nothing to warn of.
        assert "" == run("overdue").stderr


# -- overdue --due-within ------------------------------------------------------------------


def test_overdue_due_within_lists_what_falls_due_soon_with_negative_lateness(
    run: Run, five_cases: None
) -> None:
    assert [
        f"{ANN}\tacknowledge\tAnn Smith\t2026-11-30T10:00:00+00:00\t2026-12-03T10:00:00+00:00\t"
        "14h\t1d 6h",
        f"{DEV}\trespond\tDev Shah\t2026-11-30T11:00:00+00:00\t2026-12-04T09:30:00+00:00\t"
        "6h 30m\t6h 30m",
        f"{BOB}\tacknowledge\tBob Jones\t2026-12-02T10:00:00+00:00\t2026-12-07T10:00:00+00:00\t"
        "-2h\t-2d 18h",
    ] == lines(ok(run, "overdue", "--due-within", "4h"))


def test_overdue_due_within_json_marks_what_is_not_yet_due_as_due_soon(
    run: Run, five_cases: None
) -> None:
    data = json.loads(ok(run, "overdue", "--due-within", "4h", "--json"))
    assert [
        (ANN, "breached", "14h", 840),
        (DEV, "breached", "6h 30m", 390),
        (BOB, "due-soon", "-2h", -120),
    ] == [(i["ref"], i["state"], i["late_working"], i["late_working_minutes"]) for i in data]


def test_overdue_exit_code_is_3_when_something_is_overdue_among_the_due_soon(
    run: Run, five_cases: None
) -> None:
    assert 3 == run("overdue", "--due-within", "4h", "--exit-code").exit_code


def test_overdue_exit_code_stays_0_when_only_due_soon_items_are_listed(
    run: Run, friday_4pm: None
) -> None:
    # Bob's is the only case in this store: received Wed 10:00, due Mon 10:00, 2h away.
    only = log(run, "Bob Jones", "2026-12-02T10:00")
    result = run("overdue", "--due-within", "4h", "--exit-code")
    assert (0, [f"{only}\tacknowledge\tBob Jones"]) == (
        result.exit_code,
        ["\t".join(line.split("\t")[:3]) for line in lines(result.stdout)],
    )


def test_overdue_due_within_nonsense_is_a_usage_error(run: Run, five_cases: None) -> None:
    code, _, stderr = one_line_error(run, "overdue", "--due-within", "nonsense")
    assert (2, True) == (code, stderr.startswith("Error: --due-within: 'nonsense'"))


# -- plain output at a terminal ------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout looks like a terminal to the command."""
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)


def test_queue_at_a_terminal_is_a_table(run: Run, five_cases: None, terminal: None) -> None:
    output = ok(run, "queue")
    assert (True, False) == ("Queue as of Fri 2026-12-04 16:00 GMT" in output, "\t" in output)


def test_the_global_plain_flag_gives_plain_lines_even_at_a_terminal(
    run: Run, five_cases: None, terminal: None
) -> None:
    assert PLAIN_QUEUE == lines(ok(run, "--plain", "queue"))


def test_no_color_takes_the_colour_away_and_leaves_the_table(
    run: Run, five_cases: None, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A foreground colour in an SGR sequence: 30-37, or 38 (256 colours and true colour).
    colour = re.compile(r"\x1b\[(?:[0-9]+;)*3[0-8][;m]")
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = ok(run, "queue")
    monkeypatch.setenv("NO_COLOR", "1")
    output = ok(run, "queue")

    assert (True, False) == (bool(colour.search(coloured)), bool(colour.search(output)))
    assert (True, False) == ("Queue as of Fri 2026-12-04 16:00 GMT" in output, "\t" in output)


# -- the rich table, at a pinned width -----------------------------------------------------


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def item(
    ref: str,
    consumer: str,
    stage: str,
    kind: str | None,
    due: str | None,
    state: str,
    left: timedelta,
    **extra: Any,
) -> QueueItem:
    fields: dict[str, Any] = {
        "adjustments": (),
        "restricted": False,
        "area": None,
        "owner": None,
        "board": False,
    }
    fields.update(extra)
    return QueueItem(
        ref=ref,
        consumer=consumer,
        stage=stage,
        category="delay",
        received_at=t("2026-11-30T10:00"),
        summary="A summary long enough to need cutting if it were ever shown in the table",
        kind=kind,
        due=t(due) if due else None,
        state=state,
        working_left=left,
        **fields,
    )


def report(*items: QueueItem) -> QueueReport:
    return QueueReport(
        zone="Europe/London",
        as_of=t("2026-12-04T16:00"),
        warn_within=timedelta(hours=4),
        items=items,
    )


def hours(h: int, m: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m)


TEAM_QUEUE = report(
    item(ANN, "Ann Smith", "received", "acknowledge", "2026-12-03T10:00", "breached", -hours(14)),
    item(
        DEV,
        "Dev Shah",
        "first-stage",
        "respond",
        "2026-12-04T09:30",
        "breached",
        -hours(6, 30),
        restricted=True,
        area="Casework",
        owner="rita.responder",
    ),
    item(
        BOB,
        "Bob Jones",
        "received",
        "acknowledge",
        "2026-12-07T10:00",
        "due-soon",
        hours(2),
        adjustments=("large-print",),
    ),
    item(
        CARA,
        "Cara Patel",
        "second-stage",
        "final",
        "2026-12-31T17:00",
        "on-track",
        hours(137),
        adjustments=("bsl",),
        restricted=True,
        board=True,
        area="Casework",
        owner="hana.handler",
    ),
    item(
        FINN,
        "Finn Gray",
        "responded",
        None,
        None,
        "waiting",
        timedelta(0),
        area="Casework",
        owner="ruth.responder",
    ),
)
DUE_DATES = [
    "Thu 2026-12-03 10:00 GMT",
    "Fri 2026-12-04 09:30 GMT",
    "Mon 2026-12-07 10:00 GMT",
    "Thu 2026-12-31 17:00 GMT",
]
FOOTER = "5 open · 2 breached · 1 due within 4h of working time"


def table(
    queue_report: QueueReport,
    width: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> list[str]:
    """The rows of the rich table as a person sees them `width` columns wide."""
    monkeypatch.setattr(render.Output, "for_people", lambda self: True)
    monkeypatch.setenv("COLUMNS", str(width))
    render.queue(render.Output(), queue_report, json_output=False, csv_output=False)
    return [line.rstrip() for line in capsys.readouterr().out.splitlines()]


def test_the_queue_table_at_120_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [
        "Queue as of Fri 2026-12-04 16:00 GMT",
        "Ref            !     Consumer   Stage        Area     Owner          Next        Due"
        "                      Working time",
        "─" * 120,
        "SC-2026-000001       Ann Smith  received                             acknowledge "
        "Thu 2026-12-03 10:00 GMT late by 14h",
        "SC-2026-000004 R     Dev Shah   first-stage  Casework rita.responder respond     "
        "Fri 2026-12-04 09:30 GMT late by 6h 30m",
        "SC-2026-000002 A     Bob Jones  received                             acknowledge "
        "Mon 2026-12-07 10:00 GMT in 2h",
        "SC-2026-000003 A,R,B Cara Patel second-stage Casework hana.handler   final       "
        "Thu 2026-12-31 17:00 GMT in 17d 1h",
        "SC-2026-000005       Finn Gray  responded    Casework ruth.responder waiting",
        FOOTER,
    ] == table(TEAM_QUEUE, 120, monkeypatch, capsys)


@pytest.mark.parametrize("width", [120, 80])
def test_the_queue_table_never_cuts_references_or_due_dates_and_ends_with_its_counts(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = table(TEAM_QUEUE, width, monkeypatch, capsys)
    body = "\n".join(rows)
    assert (
        [True] * 5,
        [True] * 4,
        FOOTER,
        True,
    ) == (
        [f"{ref} " in body for ref in (ANN, DEV, BOB, CARA, FINN)],
        [date in body for date in DUE_DATES],
        rows[-1],
        all(len(row) <= width for row in rows),
    )


def test_the_queue_footer_at_40_columns_folds_at_spaces_never_mid_word(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Printed as one line, the terminal broke it where the width ran out ("work" / "ing").
    from dataclasses import replace

    with_requests = replace(TEAM_QUEUE, subject_access_dues=(t("2026-12-29T23:59"),))
    rows = table(with_requests, 40, monkeypatch, capsys)
    footer = rows[rows.index("5 open · 2 breached · 1 due within 4h of") :]
    assert [
        "5 open · 2 breached · 1 due within 4h of",
        "working time",
        "1 subject-access request open, next due",
        "Tue 2026-12-29 23:59 GMT (complaintctl",
        "sar list --open)",
    ] == footer


def test_the_queue_footer_counts_a_request_in_its_due_dates_last_second_as_not_overdue() -> None:
    # Due at the end of 29 December: at 23:59:59.5 that day it is in time still; at midnight,
    # overdue.
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from complaintctl.cli.render import subject_access_line

    due = t("2026-12-29T23:59:59")
    last_second = replace(TEAM_QUEUE, subject_access_dues=(due,), as_of=due.replace(microsecond=1))
    next_day = replace(last_second, as_of=t("2026-12-30T00:00"))
    london = ZoneInfo("Europe/London")
    assert [
        "1 subject-access request open, next due Tue 2026-12-29 23:59 GMT (complaintctl sar list "
        "--open)",
        "1 subject-access request open, 1 overdue (complaintctl sar list --open)",
    ] == [subject_access_line(last_second, london), subject_access_line(next_day, london)]


def test_a_name_folded_onto_more_lines_leaves_no_blank_line_inside_its_case(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two lines a case at 80 columns: the name folds, and a case with no area or owner had a
    # blank line under it, which reads as a break between cases.
    name = "Bartholomew Fitzwilliam Montgomery Carrington Smythe Worthington"
    folded = report(
        item(ANN, name, "received", "acknowledge", "2026-12-03T10:00", "breached", -hours(14)),
        item(BOB, "Bob Jones", "received", "acknowledge", "2026-12-07T10:00", "due-soon", hours(2)),
    )
    rows = table(folded, 80, monkeypatch, capsys)
    cases = rows[rows.index("─" * 80) + 1 : -1]
    assert "" not in cases
    assert [True, True] == [any(line.startswith(ref) for line in cases) for ref in (ANN, BOB)]


@pytest.mark.parametrize("width", [120, 100, 80])
def test_the_queue_table_never_cuts_the_working_time_left(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # render.queue: "References, dates and the time left are never cut".
    body = "\n".join(table(TEAM_QUEUE, width, monkeypatch, capsys))
    assert [True] * 4 == [
        left in body for left in ("late by 14h", "late by 6h 30m", "in 2h", "in 17d 1h")
    ]


def test_the_queue_table_cuts_a_long_consumer_name_but_not_the_time_left(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = report(
        item(
            ANN,
            "Bartholomew Fitzwilliam-Montgomery",
            "received",
            "acknowledge",
            "2026-12-03T10:00",
            "breached",
            -hours(14),
        ),
        *TEAM_QUEUE.items[1:],
    )
    body = "\n".join(table(long_name, 120, monkeypatch, capsys))
    assert (False, True, True) == (
        "Bartholomew Fitzwilliam-Montgomery" in body,
        "Bartholomew" in body and "…" in body,
        "late by 14h" in body,
    )


@pytest.mark.parametrize("width", [120, 100, 80])
def test_the_queue_table_never_cuts_the_restriction_flag(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # R: the consumer is under a restriction; look before contacting them.
    rows = table(TEAM_QUEUE, width, monkeypatch, capsys)
    at = next(n for n, row in enumerate(rows) if row.startswith(CARA))
    # Beside the reference in a wide table; under it, with the stage, in a narrower one.
    assert "A,R,B" in (rows[at].split()[1], rows[at + 1].split()[1])


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("queue", "--area", "Nowhere"), 2, "Error: no staff work in 'Nowhere'"),
        (("export", "--owner", "nobody"), 4, "Error: no staff member 'nobody'"),
        # Why, as README gives it: never click's list of the stages it could have been.
        (
            ("queue", "--stage", "closed"),
            2,
            "Error: --stage closed: a closed case is never in "
            "the queue (it lists open cases); `export --stage closed` lists them",
        ),
        (
            ("queue", "--stage", "assessed"),
            2,
            "Error: --stage assessed: an assessed case is "
            "never in the queue (it lists open cases); `export --stage assessed` lists them",
        ),
        (("queue", "--stage", "bogus"), 2, "Error: Invalid value for '--stage': 'bogus'"),
    ],
)
def test_a_listing_filter_that_can_match_nothing_is_one_error_line(
    run: Run, args: tuple[str, ...], code: int, says: str
) -> None:
    result = run(*args)

    assert (code, "", True, 1) == (
        result.exit_code,
        result.stdout,
        result.stderr.startswith(says),
        len(result.stderr.splitlines()),
    )


def test_an_area_with_spaces_around_it_lists_that_area(run: Run, friday_4pm: None) -> None:
    # A script's --area "$AREA " names the area `ack --area` would route to, not a refusal.
    build_five_cases(run)
    typed = run("queue", "--area", "Casework ")

    assert (0, "", run("queue", "--area", "Casework").stdout) == (
        typed.exit_code,
        typed.stderr,
        typed.stdout,
    )
    assert typed.stdout


# -- fitting every table, paging and --limit -----------------------------------------------


def test_the_queue_at_60_columns_is_one_block_per_case_and_cuts_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINES", "100")  # a screen tall enough for them all
    rows = table(TEAM_QUEUE, 60, monkeypatch, capsys)

    assert [f"Ref:          {ref}" for ref in (ANN, DEV, BOB, CARA, FINN)] == [
        row for row in rows if row.startswith("Ref:")
    ]
    assert [True] * 4 == [f"Due:          {date}" in rows for date in DUE_DATES]
    assert "Owner:        rita.responder" in rows
    assert [] == [row for row in rows if len(row) > 60]


def overdue_table(
    report: OverdueReport,
    width: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    monkeypatch.setattr(render.Output, "for_people", lambda self: True)
    monkeypatch.setenv("COLUMNS", str(width))
    render.overdue(render.Output(), report, json_output=False, csv_output=False)
    return capsys.readouterr().out


LATE = OverdueReport(
    zone="Europe/London",
    as_of=t("2026-12-04T16:00"),
    items=(
        OverdueItem(
            ANN, "acknowledge", "Bartholomew Fitzwilliam-Montgomery", t("2026-11-20T10:00"),
            t("2026-11-25T10:00"), hours(60, 18), timedelta(days=9, hours=6),
        ),
        OverdueItem(
            DEV, "final", "Dev Shah", t("2026-10-01T10:00"), t("2026-12-02T17:00"),
            hours(23), timedelta(days=1, hours=23),
        ),
        # Due at Friday's close, judged on Saturday: late, with no working time gone by yet.
        OverdueItem(
            BOB, "respond", "Bob Jones", t("2026-11-30T10:00"), t("2026-12-04T15:59:40"),
            timedelta(0), timedelta(seconds=20),
        ),
    ),
)  # fmt: skip


@pytest.mark.parametrize("width", [160, 100, 80])
def test_the_overdue_table_never_cuts_a_kind_a_date_or_a_duration(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = overdue_table(LATE, width, monkeypatch, capsys)

    for whole in (ANN, "acknowledge", "Wed 2026-11-25 10:00 GMT", "late by 60h 18m", "9d 6h",
                  "late by 2d 7h", "1d 23h", "late out of hours"):  # fmt: skip
        assert whole in shown
    assert "late by 0m" not in shown
    assert [] == [line for line in shown.splitlines() if len(line) > width]


@pytest.mark.parametrize("width", [160, 100, 80])
def test_the_overdue_table_names_each_items_owner_as_the_queue_does(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ann, dev, bob = LATE.items
    owned = dataclasses.replace(LATE, items=(ann, dev._replace(owner="hana.handler"),
                                 bob._replace(owner="rita.responder")))  # fmt: skip

    shown = overdue_table(owned, width, monkeypatch, capsys)

    assert "Owner" in shown
    # On the line of its item (clipped, as the queue's, where the table is tight), or
    # (narrower) under its consumer's name.
    lines = shown.splitlines()
    for consumer, owner in (("Dev Shah", "hana.handler"), ("Bob Jones", "rita.responder")):
        (at,) = [n for n, line in enumerate(lines) if consumer in line]
        whole = owner if width != 100 else owner[:8]
        assert whole in lines[at] or whole in lines[at + 1]
    assert [] == [line for line in lines if len(line) > width]


def test_a_final_response_counts_working_days_and_an_acknowledgement_hours() -> None:
    day = timedelta(hours=8)
    assert ("7d 3h", "171h", "2d") == (
        render.working_time(hours(59), "final", day),
        render.working_time(hours(171), "acknowledge", day),
        render.working_time(hours(16), "final", day),
    )


def test_queue_limit_cuts_the_list_and_says_how_many_more_on_stderr(
    run: Run, five_cases: None
) -> None:
    result = run("queue", "--limit", "2")
    everything = run("queue", "--limit", "0")

    assert (2, "3 more: --limit 0 for all\n") == (len(lines(result.stdout)), result.stderr)
    assert (5, "") == (len(lines(everything.stdout)), everything.stderr)


def test_a_screenful_at_a_terminal_by_default(
    run: Run, five_cases: None, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINES", "9")  # a screenful: 3 cases, one line each at 120 columns
    result = run("queue")

    assert "2 more: --limit 0 for all\n" == result.stderr
    assert [True, True, True, False] == [ref in result.stdout for ref in (ANN, DEV, BOB, FINN)]


def restriction(n: int, email: str) -> RestrictionView:
    return RestrictionView(
        zone="Europe/London", id=n, consumer_id=n, consumer="Dev Shah", email=email,
        scope="contact", dispute=None, contact_channel="post", contact_via=None,
        reason="Abusive calls to the helpline, repeatedly, over several weeks",
        decided_by="sam.senior", decided_at=t("2026-12-01T12:00"),
        review_due=t("2027-06-01T12:00"), lifted_at=None, lifted_by=None, lift_reason=None,
    )  # fmt: skip


@pytest.mark.parametrize("width", [60, 80, 120])
def test_restrict_list_never_cuts_an_email_or_a_date_at_any_width(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    email = "dev.shah.longer.address@example-consumer-mail.co.uk"
    monkeypatch.setattr(render.Output, "for_people", lambda self: True)
    monkeypatch.setenv("COLUMNS", str(width))
    render.restriction_list(
        render.Output(), (restriction(1, email),), json_output=False, lifted=False
    )
    out = capsys.readouterr().out

    review = format_local(t("2027-06-01T12:00"), ZoneInfo("Europe/London"))
    assert (True, True) == (email in out, review in out)
    # Only a word longer than the line may run past it (for the terminal to fold): never cut.
    assert [] == [
        line for line in out.splitlines() if len(line.rstrip()) > width and email not in line
    ]


def test_a_pager_that_cannot_be_read_as_a_command_means_no_pager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render.os, "isatty", lambda fd: True)
    monkeypatch.setenv("PAGER", 'less "')
    assert render._pager() is None
    monkeypatch.setenv("PAGER", "less -R")
    assert ["less", "-R"] == render._pager()


def test_queue_as_of_lists_each_due_as_recorded_then_as_show_as_of_does(run: Run) -> None:
    # Received Tue 10:00: acknowledgement due Fri 4 Dec 10:00, until Thursday is closed on Wed
    # at noon (Mon 7 Dec 10:00).
    with freeze_time("2026-12-01 10:00:00"):
        ref = log(run, "Ann Example", "2026-12-01T10:00").strip()
    with freeze_time("2026-12-02 12:00:00"):
        ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-03", "--reason", "Move")
    then = ("--as-of", "2026-12-02T11:00")
    with freeze_time(FRIDAY_4PM):
        rows = json.loads(ok(run, "queue", *then, "--json"))
        lines = ok(run, "queue", *then, "--plain").splitlines()
        table = list(csv.DictReader(io.StringIO(ok(run, "queue", *then, "--csv"))))
        shown = json.loads(ok(run, "show", ref, *then, "--json"))

    due = "2026-12-04T10:00:00+00:00"
    assert [due] == [d["due"] for d in shown["deadlines"]]
    assert [(ref, due)] == [(row["ref"], row["due"]) for row in rows]
    assert [due, due] == [lines[0].split("\t")[7], table[0]["due"]]


def test_overdue_as_of_due_within_lists_each_due_as_recorded_then_as_queue_does(
    run: Run,
) -> None:
    # Received Tue 10:00: acknowledgement due Fri 4 Dec 10:00, until Thursday is closed on Wed
    # at noon (Mon 7 Dec 10:00). 12 working hours from Wed 11:00 reach Fri 15:00 either way.
    with freeze_time("2026-12-01 10:00:00"):
        ref = log(run, "Ann Example", "2026-12-01T10:00").strip()
    with freeze_time("2026-12-02 12:00:00"):
        ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-03", "--reason", "Move")
    then = ("--as-of", "2026-12-02T11:00", "--due-within", "12h")
    with freeze_time(FRIDAY_4PM):
        queued = json.loads(ok(run, "queue", *then, "--json"))
        listed = json.loads(ok(run, "overdue", *then, "--json"))
        plain = lines(ok(run, "overdue", *then))

    due = "2026-12-04T10:00:00+00:00"
    assert [(ref, due)] == [(row["ref"], row["due"]) for row in queued]
    assert [(ref, "acknowledge", due, "due-soon")] == [
        (item["ref"], item["kind"], item["due"], item["state"]) for item in listed
    ]
    # Wed 11:00 to Fri 10:00, Thursday closed: 7 working hours, 1 day 23 hours.
    assert [f"{ref}\tacknowledge\tAnn Example\t2026-12-01T10:00:00+00:00\t{due}\t-7h\t-1d 23h"] == (
        plain
    )
