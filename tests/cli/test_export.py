"""`export`: the columns README documents, its filters, and a round trip through `import`.

Five cases, set up through the services (the steps have their own tests):

- A: received Wed 2026-07-01 23:30 BST, routed to Casework and assigned to rita.responder;
  the consumer prefers post and has adjustments; a dispute and an about date;
- B: received Thu 2026-07-02 00:30 BST (still 1 July in UTC), routed to Energy, to the Board;
- C: received 2026-11-02, by post with no email, a summary of two lines; withdrawn (closed);
- D: received 2026-12-01, not yet acknowledged; a consumer's name with accents;
- E: received Mon 2026-11-30 10:00, carried through the first-stage response and the final
  response (Casework, rita.responder, then hana.handler).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel, CloseReason, Decision, Remedy
from tests.cli.conftest import Run
from tests.cli.test_errors import assert_one_line_error
from tests.conftest import UnitFactory, dump_store

A, B, C, D, E = (f"SC-2026-00000{n}" for n in range(1, 6))
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)

# README, "complaintctl export": the import columns, then where the case stands.
IMPORT_COLUMNS = [
    "consumer",
    "email",
    "address",
    "channel",
    "category",
    "summary",
    "dispute",
    "received_at",
    "board",
    "about",
    "preferred_contact",
    "adjustments",
    "source_id",
]
COLUMNS = [
    *IMPORT_COLUMNS,
    "ref",
    "stage",
    "area",
    "owner",
    "handler",
    "close_reason",
    "close_because",
    "out_of_time",
    "acknowledge_due",
    "acknowledged_at",
    "respond_due",
    "responded_at",
    "final_due",
    "final_at",
    "first_decision",
    "final_decision",
    "assessor_outcome",
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time("2026-12-15 12:00:00"):
        yield


@pytest.fixture(autouse=True)
def cases(unit: UnitFactory, frozen: None) -> None:
    def log(at: str, **fields: Any) -> None:
        complaint = services.NewComplaint(
            **{"channel": Channel.EMAIL, "category": Category.DELAY, **fields}
        )
        with unit() as uow:  # recorded as it happens
            services.log_complaint(
                uow, complaint=complaint, by="officer.one", at=utc(at), now=utc(at)
            )

    def step(verb: Any, **options: Any) -> None:
        options["at"] = utc(options["at"])
        with unit() as uow:  # recorded as it happens
            verb(uow, now=options["at"], **options)

    log(
        "2026-07-01T23:30+01:00",
        consumer="Ann Smith",
        email="ann@example.com",
        address="1 High St, Leeds",
        summary='Nobody replied, and "nobody" cared',
        dispute="D-123456",
        about=date(2026, 6, 20),
        preferred_contact="post",
        adjustments=("large-print", "bsl"),
    )
    log(
        "2026-07-02T00:30+01:00",
        consumer="Bob Brown",
        email="bob@example.com",
        address="2 Low St",
        summary="Addressed to the Board",
        category=Category.UPDATES,
        board=True,
    )
    log(
        "2026-11-02T10:00+00:00",
        consumer="Cat Cole",
        address="3 Mill Lane, York",
        summary="First line,\nsecond line",
        channel=Channel.POST,
    )
    log(
        "2026-12-01T10:00+00:00",
        consumer="Zo\u00eb \u00d8rsted",
        email="zoe@example.com",
        summary="Slow",
    )
    log("2026-11-30T10:00+00:00", consumer="Eve Evans", email="eve@example.com", summary="Rude")

    step(services.acknowledge, ref=A, area="Casework", by="officer.one", at="2026-11-02T10:00Z")
    step(services.assign, ref=A, to="rita.responder", by="lee.leader", at="2026-11-02T11:00Z")
    step(services.acknowledge, ref=B, area="Energy", by="officer.one", at="2026-11-02T10:00Z")
    step(
        services.close,
        ref=C,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=None,
        by="officer.one",
        at="2026-11-03T10:00Z",
    )
    step(services.acknowledge, ref=E, area="Casework", by="officer.one", at="2026-12-01T10:00Z")
    step(services.assign, ref=E, to="rita.responder", by="lee.leader", at="2026-12-01T11:00Z")
    step(
        services.respond,
        ref=E,
        decision=Decision.PARTLY_UPHELD,
        summary="We were slow",
        remedies=services.Remedies((Remedy.APOLOGY,)),
        by="rita.responder",
        at="2026-12-02T15:00Z",
    )
    step(
        services.escalate,
        ref=E,
        to="hana.handler",
        reason=None,
        by="officer.one",
        at="2026-12-03T10:00Z",
    )
    step(
        services.final_response,
        ref=E,
        decision=Decision.UPHELD,
        summary="We were wrong",
        remedies=services.Remedies((Remedy.APOLOGY,)),
        by="hana.handler",
        at="2026-12-10T10:00Z",
    )


def export(run: Run, *args: str) -> list[dict[str, str]]:
    result = run("export", *args)
    assert 0 == result.exit_code, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def refs(run: Run, *args: str) -> list[str]:
    return [record["ref"] for record in export(run, *args)]


def by_ref(run: Run, *args: str) -> dict[str, dict[str, str]]:
    return {record["ref"]: record for record in export(run, *args)}


# -- the columns -------------------------------------------------------------------------------


def test_the_csv_header_is_exactly_the_documented_columns(run: Run) -> None:
    result = run("export")

    assert COLUMNS == next(csv.reader(io.StringIO(result.stdout)))


def test_every_case_is_exported_oldest_first_closed_ones_included(run: Run) -> None:
    assert [A, B, C, D, E] == refs(run)


def test_a_case_carried_through_both_responses_has_its_deadlines_and_decisions(
    run: Run,
) -> None:
    record = by_ref(run)[E]

    assert {
        "stage": "final-response",
        "area": "Casework",
        "handler": "hana.handler",
        "close_reason": "",
        "close_because": "",
        "out_of_time": "false",
        "acknowledge_due": "2026-12-03T10:00:00+00:00",
        "acknowledged_at": "2026-12-01T10:00:00+00:00",
        "respond_due": "2026-12-04T10:00:00+00:00",
        "responded_at": "2026-12-02T15:00:00+00:00",
        # 20 working days after Thu 3 December: Christmas, Boxing Day (observed on Monday 28)
        # and New Year's Day are skipped.
        "final_due": "2027-01-05T17:00:00+00:00",
        "final_at": "2026-12-10T10:00:00+00:00",
        "first_decision": "partly-upheld",
        "final_decision": "upheld",
        "assessor_outcome": "",
    } == {name: record[name] for name in COLUMNS[COLUMNS.index("stage") :] if name != "owner"}


def test_a_step_recorded_after_its_deadline_is_exported_at_when_it_happened(run: Run) -> None:
    # D's acknowledgement was due Thu 3 December; typed in on the 15th, dated the 2nd. Its clock
    # ends when it was recorded (a breach on record), but the column says when it was taken,
    # as `history` does.
    step = ["--as", "officer.one", "ack", D, "--area", "Casework", "--at", "2026-12-02T10:00"]
    assert 0 == run(*step).exit_code
    step = ["--as", "lee.leader", "assign", D, "--to", "rita.responder"]
    assert 0 == run(*step, "--at", "2026-12-02T11:00").exit_code
    step = ["--as", "rita.responder", "respond", D, "--decision", "upheld", "--summary", "Sorry"]
    assert 0 == run(*step, "--at", "2026-12-04T10:00").exit_code
    history = json.loads(run("history", D, "--json").stdout)

    record = by_ref(run)[D]

    assert "2026-12-02T10:00:00+00:00" == record["acknowledged_at"]
    assert "2026-12-04T10:00:00+00:00" == record["responded_at"]
    taken = {entry["action"]: entry["at"] for entry in history["history"]}
    assert (taken["acknowledge"], taken["respond"]) == (
        record["acknowledged_at"],
        record["responded_at"],
    )


def test_the_assessors_outcome_is_exported_once_recorded(run: Run) -> None:
    assert 0 == run("refer", E, "--at", "2026-12-11T10:00").exit_code
    assert 0 == run("refer", E, "--outcome", "not-upheld", "--at", "2026-12-14T10:00").exit_code

    record = by_ref(run)[E]

    assert ("assessed", "upheld", "not-upheld") == (
        record["stage"],
        record["final_decision"],
        record["assessor_outcome"],
    )


def test_a_case_not_yet_acknowledged_has_only_its_acknowledgement_due(run: Run) -> None:
    record = by_ref(run)[D]

    assert {
        "stage": "received",
        "area": "",
        "owner": "",
        "acknowledge_due": "2026-12-04T10:00:00+00:00",
        "acknowledged_at": "",
        "respond_due": "",
        "responded_at": "",
        "final_due": "",
        "first_decision": "",
    } == {
        name: record[name]
        for name in (
            "stage",
            "area",
            "owner",
            "acknowledge_due",
            "acknowledged_at",
            "respond_due",
            "responded_at",
            "final_due",
            "first_decision",
        )
    }


def test_a_closed_case_has_its_reason_and_no_acknowledgement(run: Run) -> None:
    record = by_ref(run)[C]

    assert ("closed", "withdrawn", "2026-11-05T10:00:00+00:00", "") == (
        record["stage"],
        record["close_reason"],
        record["acknowledge_due"],
        record["acknowledged_at"],
    )


def test_the_import_columns_are_written_as_import_reads_them(run: Run) -> None:
    record = by_ref(run)[A]

    assert {
        "consumer": "Ann Smith",
        "email": "ann@example.com",
        "address": "1 High St, Leeds",
        "channel": "email",
        "category": "delay",
        "summary": 'Nobody replied, and "nobody" cared',
        "dispute": "D-123456",
        "received_at": "2026-07-01T23:30:00+01:00",
        "board": "false",
        "about": "2026-06-20",
        "preferred_contact": "post",
        "adjustments": '["bsl", "large-print"]',  # a JSON list: an adjustment may hold a ";"
        "source_id": "",  # logged by hand: found again by consumer, receipt and summary
    } == {name: record[name] for name in IMPORT_COLUMNS}


def test_json_lines_have_one_record_per_case_with_typed_values(run: Run) -> None:
    result = run("export", "--format", "jsonl")

    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [["schema_version", *COLUMNS]] * 5 == [list(record) for record in records]
    assert {2} == {record["schema_version"] for record in records}
    first, second, third = records[:3]
    assert (
        ["bsl", "large-print"],
        False,
        True,
        None,
        "First line,\nsecond line",
        "Zo\u00eb \u00d8rsted",
    ) == (
        first["adjustments"],
        first["board"],
        second["board"],
        third["email"],
        third["summary"],
        records[3]["consumer"],
    )


def test_output_to_a_file_leaves_stdout_empty(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"

    result = run("export", "-o", str(out))

    assert (0, "") == (result.exit_code, result.stdout)
    with out.open(encoding="utf-8", newline="") as data:
        assert [A, B, C, D, E] == [r["ref"] for r in csv.DictReader(data)]


def test_json_lines_to_a_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"

    assert 0 == run("export", "--format", "jsonl", "--output", str(out)).exit_code
    assert [A, B, C, D, E] == [json.loads(line)["ref"] for line in out.read_text().splitlines()]


@pytest.mark.parametrize("name", ["cases.jsonl", "CASES.NDJSON"])
def test_a_file_named_as_json_lines_is_written_as_json_lines_as_import_reads_it(
    run: Run, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name

    assert 0 == run("export", "-o", str(out)).exit_code
    assert [A, B, C, D, E] == [json.loads(line)["ref"] for line in out.read_text().splitlines()]
    # A format given is the format written, whatever the name.
    assert 0 == run("export", "--format", "csv", "-o", str(out), "--force").exit_code
    assert out.read_text().startswith("consumer,")


def test_output_dash_is_stdout_not_a_file_named_dash(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("export", "-o", "-")

    assert (0, [A, B, C, D, E], False) == (
        result.exit_code,
        [r["ref"] for r in csv.DictReader(io.StringIO(result.stdout))],
        (tmp_path / "-").exists(),
    )


@pytest.mark.parametrize("to", [(), ("-o", "-")])
def test_force_with_no_file_to_replace_exits_2_and_records_nothing(
    run: Run, store_url: str, to: tuple[str, ...]
) -> None:
    before = dump_store(store_url)

    result = run("export", *to, "--force")

    assert_one_line_error(
        result, 2, "--force replaces the file -o names, and none is named: give -o FILE, or "
        "leave --force out",
    )  # fmt: skip
    assert "" == result.stdout
    assert before == dump_store(store_url)


def test_output_naming_a_folder_with_a_slash_is_refused_not_written_as_a_file(
    run: Run, tmp_path: Path
) -> None:
    result = run("export", "-o", f"{tmp_path}/exports/")

    assert (12, f"Error: {tmp_path}/exports/ is a folder; name a file in it\n", False) == (
        result.exit_code,
        result.stderr,
        (tmp_path / "exports").exists(),
    )


def test_output_in_a_folder_that_is_a_file_says_it_is_a_file(run: Run, tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("yesterday's export\n")

    result = run("export", "-o", f"{tmp_path}/cases.csv/today.csv")

    assert (2, f"Error: {tmp_path}/cases.csv is a file, not a folder to write today.csv in\n") == (
        result.exit_code,
        result.stderr,
    )


def test_an_empty_export_is_just_the_header(run: Run) -> None:
    result = run("export", "--stage", "referred")

    assert ",".join(COLUMNS) + "\n" == result.stdout


# -- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--stage", "closed"], [C]),
        (["--stage", "received", "--stage", "closed"], [C, D]),
        (["--stage", "first-stage"], [A, B]),
        (["--area", "Casework"], [A, E]),
        (["--area", "Energy"], [B]),
        (["--owner", "rita.responder"], [A]),
        (["--owner", "hana.handler"], [E]),
        (["--category", "updates"], [B]),
        (["--board"], [B]),
        (["--not-board"], [A, C, D, E]),
        (["--area", "Casework", "--stage", "final-response"], [E]),
    ],
)
def test_the_filters_pick_the_cases(run: Run, args: list[str], expected: list[str]) -> None:
    assert expected == refs(run, *args)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2026-07-01", "--to", "2026-07-01"], [A]),
        (["--from", "2026-07-02", "--to", "2026-07-02"], [B]),
        (["--to", "2026-07-01"], [A]),
        (["--from", "2026-11-30"], [D, E]),
        (["--from", "2026-11-02", "--to", "2026-11-30"], [C, E]),
        (["--from", "2026-12-02"], []),
    ],
)
def test_from_and_to_are_inclusive_days_of_receipt_in_london(
    run: Run, args: list[str], expected: list[str]
) -> None:
    assert expected == refs(run, *args)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2026-09-06"], [C, D, E]),
        (["--to", "2026-09-05"], [A, B]),
    ],
)
def test_a_day_whose_midnight_the_clocks_skip_begins_after_the_gap(
    run: Run, unit: UnitFactory, args: list[str], expected: list[str]
) -> None:
    # Santiago's clocks go forward at midnight on Sun 6 September 2026: that day begins at
    # 01:00 -03, and a period starting (or the day after one ending) there is no error.
    with unit() as uow:
        uow.calendar_setting().zone = "America/Santiago"
        uow.commit()

    assert expected == refs(run, *args)


def test_unassigned_keeps_the_cases_nobody_owns_yet(run: Run) -> None:
    assert [""] * len(refs(run, "--unassigned")) == [
        record["owner"] for record in export(run, "--unassigned")
    ]
    assert sorted(refs(run, "--unassigned") + refs(run, "--owner", "rita.responder")
                  + refs(run, "--owner", "hana.handler")) == sorted(refs(run))  # fmt: skip


def test_mine_is_the_owner_filter_for_whoever_is_acting(run: Run) -> None:
    result = run("--as", "rita.responder", "export", "--mine")

    assert [A] == [row["ref"] for row in csv.DictReader(io.StringIO(result.stdout))]


def test_mine_with_owner_is_refused(run: Run) -> None:
    result = run("export", "--mine", "--owner", "rita.responder")

    assert (2, ["Error: --mine and --owner are the same filter: give one"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )


def test_the_owner_filter_agrees_with_the_owner_column(run: Run) -> None:
    # README (queue): the owner is the responder, or the second-stage handler once escalated.
    assert [("hana.handler", E)] == [
        (record["owner"], record["ref"]) for record in export(run, "--owner", "hana.handler")
    ]


def test_to_before_from_is_refused(run: Run) -> None:
    result = run("export", "--from", "2026-12-01", "--to", "2026-11-30")

    assert (2, "", "Error: --to is before --from\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )


@pytest.mark.parametrize(
    "args", [["--from", "July"], ["--to", "2026-02-30"], ["--stage", "lost"], ["--format", "xml"]]
)
def test_bad_filters_are_usage_errors(run: Run, args: list[str]) -> None:
    result = run("export", *args)

    assert (2, "") == (result.exit_code, result.stdout)


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_an_empty_date_is_refused_not_taken_for_no_filter(run: Run, option: str) -> None:
    # `--from "$FROM"` with FROM unset: every case exported as if no period had been given.
    result = run("export", option, "")

    assert (2, "", f"Error: {option} needs a date, as YYYY-MM-DD: it was given empty\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )


def test_a_refused_export_leaves_the_output_file_as_it_was(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    out.write_text("yesterday's export\n")

    result = run("export", "--from", "2026-12-01", "--to", "2026-11-30", "-o", str(out))

    assert (2, "Error: --to is before --from\n", "yesterday's export\n") == (
        result.exit_code,
        result.stderr,
        out.read_text(),
    )


# -- each export recorded ------------------------------------------------------------------------


def recorded(unit: UnitFactory) -> list[tuple[str, dict[str, Any]]]:
    """Who made each `cases-exported` entry, and its details, oldest first."""
    from sqlmodel import col, select

    from complaintctl.store.models import Event

    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Event).where(col(Event.action) == "cases-exported").order_by(col(Event.id))
        ).all()
        return [(e.actor, json.loads(e.details)) for e in rows]


def test_an_export_to_stdout_is_recorded_with_the_digest_of_the_bytes_written(
    run: Run, unit: UnitFactory
) -> None:
    result = run("export", "--stage", "received", "--for", "Audit team")

    assert 0 == result.exit_code, result.stderr
    assert [
        (
            "officer.one",
            {
                "format": "csv",
                "to": "stdout",
                "cases": 1,  # D
                "filters": {"stage": ["received"]},
                "for": "Audit team",
                "sha256": hashlib.sha256(result.stdout_bytes).hexdigest(),
            },
        )
    ] == recorded(unit)


def test_an_export_to_a_file_is_recorded_by_the_files_name_and_the_digest_of_its_bytes(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    out = tmp_path / "cases.jsonl"

    result = run("export", "-o", str(out))

    assert (0, "") == (result.exit_code, result.stdout), result.stderr
    assert [
        (
            "officer.one",
            {
                "format": "jsonl",
                "to": "cases.jsonl",
                "cases": 5,
                "filters": {},
                "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            },
        )
    ] == recorded(unit)


def test_an_export_to_a_file_whose_name_is_not_utf8_is_written_and_recorded_by_its_bytes(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """A file name is bytes on Linux: one in Latin-1 (`caf\xe9.csv`) is written like any
    other, and the history names it with the byte that is not UTF-8 written out."""
    out = tmp_path / os.fsdecode(b"caf\xe9.csv")

    result = run("export", "-o", str(out))

    assert (0, "") == (result.exit_code, result.stderr)
    assert b"caf\xe9.csv" in [os.fsencode(p.name) for p in tmp_path.iterdir()]
    assert "caf\\xe9.csv" == recorded(unit)[0][1]["to"]


def test_an_export_without_a_member_of_staff_acting_is_refused_writing_nothing(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    out = tmp_path / "cases.csv"
    before = dump_store(store_url)

    to_stdout = run("--as", "nobody", "export")
    to_file = run("--as", "nobody", "export", "-o", str(out))

    refusal = (
        "Error: nobody is not staff in this store; act as a member of staff with --as (or "
        "COMPLAINTCTL_USER), or ask a senior role to add you with `complaintctl staff add`\n"
    )
    assert [(6, "", refusal), (6, "", refusal)] == [
        (r.exit_code, r.stdout, r.stderr) for r in (to_stdout, to_file)
    ]
    assert [] == list(tmp_path.glob("*.csv"))
    assert before == dump_store(store_url)


def test_an_export_that_cannot_be_recorded_leaves_no_file(
    run: Run, tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import write_lock_held

    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")
    out = tmp_path / "cases.csv"

    with write_lock_held(store_url):
        result = run("export", "-o", str(out))

    assert 8 == result.exit_code, result.stderr
    assert "locked" in result.stderr
    assert [] == list(tmp_path.glob("*cases.csv*"))


def test_an_export_recorded_whose_file_cannot_then_be_put_in_place_says_so(
    run: Run, unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaintctl.errors import OutputFailed
    from complaintctl.files import NewFile

    def fails(self: NewFile, *, replace: bool = True) -> None:
        raise OutputFailed(f"cannot write {self.target}: No such file or directory")

    monkeypatch.setattr(NewFile, "place", fails)
    out = tmp_path / "cases.csv"

    result = run("export", "-o", str(out))

    assert (12, True, [], 1) == (
        result.exit_code,
        result.stderr.endswith(
            "; the export is recorded in the history, but its file was not written\n"
        ),
        list(tmp_path.glob("*cases.csv*")),
        len(recorded(unit)),
    ), result.stderr


@pytest.mark.parametrize(
    ("signum", "code", "said"), [(None, 130, "aborted"), (15, 143, "stopped by SIGTERM")]
)
def test_an_export_recorded_and_interrupted_before_its_file_is_put_in_place_says_so(
    run: Run,
    unit: UnitFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: int | None,
    code: int,
    said: str,
) -> None:
    # Ctrl-C between the record and the file's rename said "what the command recorded is
    # kept (history shows it): do not run it again", of an export whose file is not there.
    from complaintctl.cli.app import _stop
    from complaintctl.files import NewFile

    def interrupted(self: NewFile, *, replace: bool = True) -> None:
        if signum is None:
            raise KeyboardInterrupt
        _stop(signum, None)

    monkeypatch.setattr(NewFile, "place", interrupted)
    out = tmp_path / "cases.csv"

    result = run("export", "-o", str(out))

    assert (
        code,
        f"Error: {said}; the export is recorded in the history, but its file was not written\n",
        [],
        1,
    ) == (result.exit_code, result.stderr, list(tmp_path.glob("*cases.csv*")), len(recorded(unit)))


def test_an_export_interrupted_once_its_file_is_in_place_says_it_is_written_and_kept(
    run: Run, unit: UnitFactory, tmp_path: Path, interrupted_syncing_a_folder: None
) -> None:
    # Ctrl-C while the folder was synced, the file already renamed into place: it said the
    # file was not written, and then that it was written and kept.
    out = tmp_path / "cases.csv"

    result = run("export", "-o", str(out))

    assert (130, 1, True) == (result.exit_code, len(recorded(unit)), out.exists())
    assert "not written" not in result.stderr
    assert result.stderr.endswith(f"; {out} is written and kept\n")


def test_an_export_to_stdout_that_cannot_be_recorded_gives_out_no_row(
    run: Run, store_url: str, unit: UnitFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import write_lock_held

    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")

    with write_lock_held(store_url):
        result = run("export")

    assert (8, "", []) == (result.exit_code, result.stdout, recorded(unit)), result.stderr


def test_an_export_to_stdout_is_recorded_before_its_first_row_goes_out(
    run: Run, unit: UnitFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reader that stops at once (`export | head -1`): the rows it took are on record.
    from complaintctl.cli import render

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(render, "machine_stdout", lambda: Closed())

    result = run("export")

    assert (False, ["stdout"]) == (
        "Traceback" in result.stderr,
        [entry["to"] for _, entry in recorded(unit)],
    ), result.stderr


# -- a round trip through import ---------------------------------------------------------------


def test_an_export_imports_into_a_fresh_store_without_losing_any_import_column(
    run: Run, tmp_path: Path, new_store: Callable[[str], str]
) -> None:
    exported = tmp_path / "cases.csv"
    assert 0 == run("export", "-o", str(exported)).exit_code
    fresh = new_store("fresh")
    added = run(
        "--db", fresh, "staff", "add", "boss", "--name", "B", "--role", "senior-complaint-executive"
    )
    assert 0 == added.exit_code, added.stderr

    result = run("--db", fresh, "--as", "boss", "import", str(exported))

    assert (0, "Imported 5 new of 5 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    ), result.stderr
    again = tmp_path / "again.csv"
    assert 0 == run("--db", fresh, "--as", "boss", "export", "-o", str(again)).exit_code
    with (
        exported.open(encoding="utf-8", newline="") as one,
        again.open(encoding="utf-8", newline="") as other,
    ):
        assert [{k: r[k] for k in IMPORT_COLUMNS} for r in csv.DictReader(one)] == [
            {k: r[k] for k in IMPORT_COLUMNS} for r in csv.DictReader(other)
        ]


def test_a_json_lines_export_round_trips_too(
    run: Run, tmp_path: Path, new_store: Callable[[str], str]
) -> None:
    exported = tmp_path / "cases.jsonl"
    assert 0 == run("export", "--format", "jsonl", "-o", str(exported)).exit_code
    fresh = new_store("fresh")
    run("--db", fresh, "staff", "add", "boss", "--name", "B", "--role", "senior-leader")

    result = run("--db", fresh, "--as", "boss", "import", str(exported))
    again = run("--db", fresh, "--as", "boss", "export", "--format", "jsonl")

    assert 0 == result.exit_code, result.stderr
    assert [
        {k: json.loads(line)[k] for k in IMPORT_COLUMNS}
        for line in exported.read_text(encoding="utf-8").splitlines()
    ] == [{k: json.loads(line)[k] for k in IMPORT_COLUMNS} for line in again.stdout.splitlines()]


def test_an_export_imported_back_into_its_own_store_is_all_duplicates(
    run: Run, tmp_path: Path
) -> None:
    exported = tmp_path / "cases.csv"
    assert 0 == run("export", "-o", str(exported)).exit_code

    result = run("import", str(exported))

    assert "Imported 0 new of 5 rows; 5 already in the store; 0 rejected\n" == result.stdout


def test_csv_at_a_terminal_writes_out_controls_a_store_from_before_the_input_rule_holds(
    run: Run, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # complaintctl 0.1.0 took a name with controls in it: an upgraded store still holds it.
    import typer.testing
    from sqlalchemy import create_engine, text

    from complaintctl.store.db import resolve_url

    engine = create_engine(resolve_url(store_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE consumer SET name = :name"), {"name": "Ann\x1b]0;x\x07"})
    engine.dispose()

    piped = run("export")
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    shown = run("export")

    assert (0, 0) == (piped.exit_code, shown.exit_code)
    assert "Ann\x1b]0;x\x07," in piped.stdout  # a file or a pipe: the value exact
    assert "Ann\\x1b]0;x\\x07," in shown.stdout
    assert not {"\x1b", "\x07"} & set(shown.stdout)
