"""`sar`: subject-access requests end to end, one test per command and per error class."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import col, select

from complaintctl.store.models import Event
from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok
from tests.conftest import UnitFactory, dump_store

NOW = "2026-12-15 12:00:00"


@pytest.fixture
def ann(run: Run) -> str:
    """Ann Smith's case; a subject-access request from her received after hours on 25
    November 2026 (due Tuesday 29 December: Christmas, a weekend and Boxing Day's substitute
    in between)."""
    ref = journey.log_case(run, at="2026-11-20T10:00")
    with freeze_time("2026-11-26 09:00:00"):
        ok(run, "sar", "open", "--email", "ann@example.com", "--received", "2026-11-25T18:30")
    return ref


def actions(unit: UnitFactory) -> list[str]:
    with unit(write=False) as uow:
        return list(
            uow.session.exec(
                select(Event.action).where(col(Event.action).like("sar-%")).order_by(col(Event.id))
            ).all()
        )


@freeze_time("2026-11-26 09:00:00")
def test_sar_open_prints_the_due_date_by_the_icos_rule(run: Run) -> None:
    journey.log_case(run, at="2026-11-20T10:00")

    result = ok(run, "sar", "open", "--consumer-id", "1", "--received", "2026-11-25T18:30",
                "--json")  # fmt: skip

    data = json.loads(result.stdout)
    assert ("2026-12-29T23:59:59+00:00", "open", "officer.one") == (
        data["due"],
        data["state"],
        data["opened_by"],
    )


@freeze_time("2026-12-15 12:00:00")
def test_sar_open_typed_in_after_its_due_says_it_is_overdue(run: Run) -> None:
    journey.log_case(run, at="2026-11-02T10:00")
    opening = ("sar", "open", "--consumer-id", "1", "--received", "2026-11-02T10:00",
               "--at", "2026-11-02T10:00")  # fmt: skip

    said = ok(run, *opening).stdout
    state = json.loads(ok(run, "sar", "show", "1", "--json").stdout)["state"]

    # Due Wed 2 Dec, typed in on 15 Dec: overdue, as `sar show` and `overdue` have it.
    assert said.endswith("due Wed 2026-12-02 23:59 GMT (overdue)\n")
    assert "overdue" == state


@freeze_time(NOW)
def test_sar_extend_moves_the_due_by_months_from_receipt(run: Run, ann: str) -> None:
    result = ok(run, "--as", "lee.leader", "sar", "extend", "1", "--months", "2",
                "--reason", "Records across three cases")  # fmt: skip

    assert "due Thu 2027-02-25 23:59 GMT" in result.stdout


@freeze_time(NOW)
def test_sar_done_with_o_exports_and_answers_in_one_command(
    run: Run, ann: str, tmp_path: Path, unit: UnitFactory
) -> None:
    out = tmp_path / "ann.json"

    result = ok(run, "sar", "done", "1", "-o", str(out), "--json")

    data = json.loads(result.stdout)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert ("Ann Smith", "done", True) == (
        exported["consumer"]["name"],
        data["state"],
        data["on_time"],
    )
    assert len(data["export_sha256"]) == 64
    assert ["sar-opened", "sar-done"] == actions(unit)


@freeze_time(NOW)
def test_sar_done_writes_the_answer_to_a_file_whose_name_is_not_utf8(
    run: Run, ann: str, tmp_path: Path
) -> None:
    """A file name is bytes on Linux: one in Latin-1 (`ann\xe9.json`) is a file like any
    other, never refused as unreadable input."""
    out = tmp_path / os.fsdecode(b"ann\xe9.json")

    result = ok(run, "sar", "done", "1", "-o", str(out))

    # Named as the shell reads it back: the byte itself, inert.
    assert "/ann\\xe9.json' (sha256 " in result.stderr
    assert "Ann Smith" == json.loads(out.read_bytes())["consumer"]["name"]
    assert [b"ann\xe9.json"] == [
        os.fsencode(p.name) for p in tmp_path.iterdir() if p.name.startswith("ann")
    ]


@freeze_time(NOW)
def test_sar_done_links_the_export_made_before(run: Run, ann: str, tmp_path: Path) -> None:
    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(tmp_path / "ann.html"))

    result = ok(run, "sar", "done", "1")

    assert "answered Tue 2026-12-15 12:00 GMT, in time" in result.stdout


@freeze_time(NOW)
def test_sar_list_and_show(run: Run, ann: str) -> None:
    listed = ok(run, "sar", "list", "--open")
    shown = ok(run, "sar", "show", "1")

    assert [
        [
            "1",
            "Ann Smith",
            "ann@example.com",
            "2026-11-25T18:30:00+00:00",
            "2026-12-29T23:59:59+00:00",
            "open",
        ]
    ] == [  # fmt: skip
        line.split("\t") for line in listed.stdout.splitlines()
    ]
    assert "Due:       Tue 2026-12-29 23:59 GMT" in shown.stdout


@freeze_time("2031-12-30 12:00:00")
def test_a_request_due_after_the_known_bank_holidays_is_warned_of(run: Run) -> None:
    # The store knows the bank holidays of 2021 to 2031. Received 1 December 2031, a request
    # is due on Thursday 1 January 2032, New Year's Day, not known: a day early. As a case's
    # deadline there is, it is warned of by each command that shows it (README, "How
    # deadlines are counted"); `calendar holidays --through 2032` moves it to the Friday.
    journey.log_case(run, at="2031-12-01T10:00")
    warning = (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline after "
        "them assumes there are none — run `complaintctl calendar holidays --through 2032` to "
        "add them"
    )
    opened = ok(run, "sar", "open", "--email", "ann@example.com", "--received", "2031-12-01T10:00")
    assert "due Thu 2032-01-01 23:59 GMT" in opened.stdout
    for result in (
        opened,
        ok(run, "sar", "show", "1"),
        ok(run, "sar", "show", "1", "--json"),
        ok(run, "sar", "list"),
    ):
        assert [warning] == result.stderr.splitlines()

    ok(run, "--as", "sam.senior", "calendar", "holidays", "--through", "2032")
    shown = ok(run, "sar", "show", "1")
    assert ("Due:       Fri 2032-01-02 23:59 GMT", "") == (
        shown.stdout.splitlines()[3],
        shown.stderr,
    )


def test_overdue_lists_a_breached_request_and_exits_3(run: Run, ann: str) -> None:
    with freeze_time("2026-12-29 23:00:00"):
        before = run("overdue", "--kind", "subject-access", "--exit-code")
    with freeze_time("2026-12-30 09:00:00"):
        after = run("overdue", "--kind", "subject-access", "--exit-code")
        summary = run("overdue", "--summary")

    assert (0, "") == (before.exit_code, before.stdout)
    assert 3 == after.exit_code
    assert ["subject access 1", "subject-access", "Ann Smith"] == after.stdout.split("\t")[:3]
    assert "subject access 1  subject-access  Ann Smith" in summary.stdout


def test_overdue_summary_says_how_late_a_request_is_as_the_table_does(
    run: Run, ann: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Due Tue 29 December at the day's end: a request's due is a day (the ICO's month), so
    # its lateness reads in working days in the table and in the mail's digest alike.
    with freeze_time("2026-12-30 08:00:00"):
        early = ok(run, "overdue", "--summary", "--kind", "subject-access")
    with freeze_time("2026-12-31 12:00:00"):
        summary = ok(run, "overdue", "--summary", "--kind", "subject-access")
        monkeypatch.setattr("complaintctl.cli.render.Output.for_people", lambda self: True)
        table = ok(run, "overdue", "--kind", "subject-access")

    assert [True, True, True] == [
        "subject access 1  subject-access  Ann Smith  late out of hours (8h 1m)" in early.stdout,
        "late by 1d 3h of working time (1d 12h 1m)" in summary.stdout,
        "late by 1d 3h " in table.stdout,
    ]


@freeze_time(NOW)
def test_the_queue_footer_counts_open_requests_and_plain_lines_stay_cases(
    run: Run, ann: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = ok(run, "queue")
    monkeypatch.setattr("complaintctl.cli.render.Output.for_people", lambda self: True)
    people = ok(run, "queue")

    assert [ann] == [line.split("\t")[0] for line in plain.stdout.splitlines()]
    assert "1 subject-access request open, next due Tue 2026-12-29 23:59 GMT" in people.stdout


@freeze_time(NOW)
def test_the_queue_footer_as_of_before_an_extension_gives_the_due_then(
    run: Run, ann: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Extended now: on 10 December the history had the first month's due, as `show --as-of`
    # gives a case's due before an extension recorded since.
    ok(run, "--as", "lee.leader", "sar", "extend", "1", "--months", "2", "--reason", "Many")
    monkeypatch.setattr("complaintctl.cli.render.Output.for_people", lambda self: True)
    then = ok(run, "queue", "--as-of", "2026-12-10T12:00")
    now = ok(run, "queue")

    assert [True, True] == [
        "1 subject-access request open, next due Tue 2026-12-29 23:59 GMT" in then.stdout,
        "1 subject-access request open, next due Thu 2027-02-25 23:59 GMT" in now.stdout,
    ]


# -- errors, each class once ---------------------------------------------------------------


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("sar", "open", "--consumer-id", "9", "--received", "2026-12-01T10:00"), 4,
         "no consumer 9"),
        (("sar", "show", "7"), 4, "no subject-access request 7"),
        (("sar", "open", "--consumer-id", "1", "--received", "2026-12-16T10:00"), 2,
         "--received is in the future"),
        (("sar", "open", "--consumer-id", "1", "--received", "2026-11-25T09:00"), 5,
         "Ann Smith's subject-access request 1, received Wed 2026-11-25, is open already"),
        (("--as", "lee.leader", "sar", "extend", "1", "--months", "3", "--reason", "x"), 2,
         "--months must be 1 or 2"),
        # A word, or another script's digit, as every whole-number option reads it.
        (("--as", "lee.leader", "sar", "extend", "1", "--months", "two", "--reason", "x"), 2,
         "Invalid value for '--months': 'two' is not a whole number written in 0-9"),
        (("--as", "lee.leader", "sar", "extend", "1", "--months", "\u0662", "--reason", "x"), 2,
         "Invalid value for '--months': '\u0662' is not a whole number written in 0-9"),
        (("sar", "extend", "1", "--months", "1", "--reason", "x"), 6,
         "officer.one (officer) may not extend a subject-access request"),
        (("sar", "done", "1"), 5, "no export of consumer 1's data since the request"),
        (("sar", "done", "1", "--at", "2026-11-25T09:00"), 2,
         "--at is before subject-access request 1 was received (Wed 2026-11-25 18:30 GMT)"),
        (("sar", "done", "1", "--at", "2026-11-25T20:00"), 2,
         "--at is before subject-access request 1 was recorded (Thu 2026-11-26 09:00 GMT)"),
        (("sar", "done", "1", "--export-entry", "999"), 4, "no history entry 999"),
        (("sar", "done", "1", "--export-entry", "2", "-o", "x.json"), 2,
         "-o makes the export the answer"),
    ],
)  # fmt: skip
def test_refusals_exit_with_their_code_and_write_nothing(
    run: Run, ann: str, store_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    before = dump_store(store_url)

    result = run(*args)

    assert (code, f"Error: {message}") == (result.exit_code, result.stderr[: 7 + len(message)])
    assert before == dump_store(store_url)


@freeze_time(NOW)
def test_a_request_from_someone_erased_warns_and_its_extension_exits_5(
    run: Run, store_url: str
) -> None:
    journey.log_case(run, "--resolved-informally", "Explained on the phone",
                     at="2026-11-20T10:00")  # fmt: skip
    ok(run, "--as", "sam.senior", "consumer", "erase", "--consumer-id", "1", "--reason",
       "Asked in writing")  # fmt: skip

    opened = ok(run, "sar", "open", "--consumer-id", "1", "--received", "2026-12-14T10:00")
    before = dump_store(store_url)
    extended = run("--as", "lee.leader", "sar", "extend", "1", "--months", "1", "--reason",
                   "Ann's records are archived")  # fmt: skip

    assert "consumer 1's personal data was removed (Tue 2026-12-15 12:00 GMT)" in opened.stderr
    assert (5, "Error: consumer 1's personal data was removed") == (
        extended.exit_code, extended.stderr[:45],
    )  # fmt: skip
    assert before == dump_store(store_url)


@freeze_time(NOW)
def test_a_second_extension_and_a_second_answer_exit_5(
    run: Run, ann: str, tmp_path: Path, store_url: str
) -> None:
    ok(run, "--as", "lee.leader", "sar", "extend", "1", "--months", "1", "--reason", "Complex")
    ok(run, "sar", "done", "1", "-o", str(tmp_path / "first.json"))
    before = dump_store(store_url)

    again = run("--as", "lee.leader", "sar", "extend", "1", "--months", "1", "--reason", "More")
    twice = run("sar", "done", "1", "-o", str(tmp_path / "second.json"))

    assert (5, 5) == (again.exit_code, twice.exit_code)
    assert "was answered" in twice.stderr
    assert not (tmp_path / "second.json").exists()  # refused: no file, no export recorded
    assert before == dump_store(store_url)


@freeze_time("2026-12-01 09:00:00")
def test_calendar_changes_move_an_open_request_and_list_it(
    run: Run, ann: str, unit: UnitFactory
) -> None:
    from datetime import date

    from sqlalchemy import delete

    from complaintctl.store.models import ClosedDay

    # As a holidays package that did not know Boxing Day's substitute would have left it:
    # the next calendar change puts the request's due on Monday 28 December.
    with unit() as uow:
        uow.session.exec(delete(ClosedDay).where(col(ClosedDay.day) == date(2026, 12, 28)))  # type: ignore[call-overload]
        uow.commit()
    closed = ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-10",
                "--reason", "Office move")  # fmt: skip
    assert "SAR 1" in closed.stdout
    assert "subject-access" in closed.stdout
    assert "1 open deadline recomputed" in closed.stderr

    dry = ok(run, "--as", "sam.senior", "calendar", "holidays", "--through", "2027", "--dry-run")
    assert "SAR 1" in dry.stdout
    assert "Dry run" in dry.stderr
    # For a script: the request by its id, with no case reference.
    dry_json = ok(run, "--as", "sam.senior", "calendar", "holidays", "--through", "2027",
                  "--dry-run", "--json")  # fmt: skip
    assert [
        {
            "ref": None,
            "kind": "subject-access",
            "action": None,
            "subject_access": 1,
            "old_due": "2026-12-28T23:59:59+00:00",
            "new_due": "2026-12-29T23:59:59+00:00",
        }
    ] == json.loads(dry_json.stdout)["recomputed"]
    assert (
        "2026-12-28T23:59:59+00:00"
        == json.loads(ok(run, "sar", "show", "1", "--json").stdout)["due"]
    )

    ok(run, "--as", "sam.senior", "calendar", "holidays", "--through", "2027")
    assert (
        "2026-12-29T23:59:59+00:00"
        == json.loads(ok(run, "sar", "show", "1", "--json").stdout)["due"]
    )
    with unit(write=False) as uow:
        entries = uow.session.exec(
            select(Event.case_id, Event.details).where(col(Event.action) == "deadline-recomputed")  # type: ignore[call-overload]
        ).all()
    # In the store's history, as the request's other entries are: none on Ann's case.
    assert [(None, 1), (None, 1)] == [(case, json.loads(d)["sar"]) for case, d in entries]


@freeze_time(NOW)
def test_consumer_show_lists_the_persons_requests(run: Run, ann: str) -> None:
    data = json.loads(ok(run, "consumer", "show", "--consumer-id", "1", "--json").stdout)
    assert [
        {
            "id": 1,
            "received_at": "2026-11-25T18:30:00+00:00",
            "due": "2026-12-29T23:59:59+00:00",
            "state": "open",
        }
    ] == data["subject_access"]
    plain = ok(run, "consumer", "show", "--consumer-id", "1").stdout
    assert "SAR\t1\t2026-11-25T18:30:00+00:00\t2026-12-29T23:59:59+00:00\topen" in plain


# The commands that write a person's data to a file, and only to a file (-o FILE).
PERSONAL_EXPORTS = [("consumer", "export", "--consumer-id", "1"), ("sar", "done", "1")]


@freeze_time(NOW)
@pytest.mark.parametrize("args", PERSONAL_EXPORTS)
@pytest.mark.parametrize("name", ["", "-"])
def test_an_export_to_an_empty_name_or_dash_is_refused_and_records_nothing(
    run: Run,
    ann: str,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    name: str,
) -> None:
    """`-o "$OUT"` with OUT unset is no file: not the folder it runs in (exit 12), and `-o -`
    is not a file named "-" holding the person's data."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before = dump_store(store_url)

    result = run(*args, "-o", name)

    command = " ".join(args[:2])
    assert (2, f"Error: {command} -o writes a file: name it ({name!r} is not one)\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [] == list(here.iterdir())
    assert before == dump_store(store_url)


@freeze_time(NOW)
@pytest.mark.parametrize("args", PERSONAL_EXPORTS)
def test_an_export_to_a_device_is_refused_without_pointing_at_stdout(
    run: Run, ann: str, store_url: str, args: tuple[str, ...]
) -> None:
    """A person's data never goes to stdout: refusing /dev/null by telling them to write to
    stdout and redirect it sent them to something the command cannot do."""
    before = dump_store(store_url)

    result = run(*args, "-o", os.devnull)

    assert (2, f"Error: {os.devnull} is not a regular file; name a new file\n") == (
        result.exit_code,
        result.stderr,
    )
    assert before == dump_store(store_url)


@freeze_time(NOW)
@pytest.mark.parametrize("args", PERSONAL_EXPORTS)
def test_an_export_that_cannot_be_put_in_place_records_nothing(
    run: Run,
    ann: str,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    """A disk with no hard links (a FAT memory stick) takes the export's file but not its
    link into place: it was recorded first, then refused, so the history held an export
    (and `sar done` an answered request, refused again) with no file, and the error said
    not to run it again."""
    import errno

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "ann.json"
    before = dump_store(store_url)

    result = run(*args, "-o", str(path))

    assert (12, f"Error: cannot write {path}: Operation not permitted\n") == (
        result.exit_code,
        result.stderr,
    )
    assert before == dump_store(store_url)
    assert [] == list(out.iterdir())


@freeze_time(NOW)
@pytest.mark.parametrize("args", PERSONAL_EXPORTS)
def test_an_export_whose_record_cannot_be_saved_leaves_no_file(
    run: Run,
    ann: str,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    """Put in place before the commit, as a letter is: a commit that fails takes it away."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from complaintctl.store.uow import UnitOfWork

    def failing(self: UnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    out = tmp_path / "out"
    out.mkdir()
    before = dump_store(store_url)
    saving = UnitOfWork._commit_and_read_on
    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", failing)

    result = run(*args, "-o", str(out / "ann.json"))
    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", saving)

    assert 8 == result.exit_code, result.stderr
    assert "disk I/O error" in result.stderr
    assert before == dump_store(store_url)
    assert [] == list(out.iterdir())


@freeze_time(NOW)
@pytest.mark.parametrize("args", PERSONAL_EXPORTS)
def test_an_export_interrupted_once_in_place_is_taken_away_and_not_recorded(
    run: Run,
    ann: str,
    store_url: str,
    tmp_path: Path,
    interrupted_syncing_a_folder: None,
    args: tuple[str, ...],
) -> None:
    """Ctrl-C while the folder was synced, the file already linked into place: it was left
    there with nothing recorded (`sar done` again refused, its file there), and the error
    said it was written and kept."""
    out = tmp_path / "out"
    out.mkdir()
    before = dump_store(store_url)

    result = run(*args, "-o", str(out / "ann.json"))

    assert (130, "Error: aborted\n") == (result.exit_code, result.stderr)
    assert before == dump_store(store_url)
    assert [] == list(out.iterdir())
