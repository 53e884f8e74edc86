"""Safe at the boundary: stored text reaches a person inert, a spreadsheet never runs a cell,
and files are written whole, for their owner, never over the store or through a link.

Hostile text is put straight into the store here, as another program (or an older complaintctl)
might have written it: every way in refuses control characters now (test_input.py), so only
the display rule stands between such text and a terminal.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, text
from typer.testing import Result

from complaintctl.store.db import describe, resolve_url
from complaintctl.text import ACTING, shell_word
from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok
from tests.conftest import dump_store, sqlite_only

NOW = "2026-12-04 12:00:00"
HOSTILE_NAME = "Ann \x1b]0;owned\x07\x1b[2J\x1b[31mSmith\rEve \u202eevil\u200b\x9b"
HOSTILE_SUMMARY = "Click \x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\ =HYPERLINK(1)"


@pytest.fixture
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def rewrite(store_url: str, sql: str, **values: str) -> None:
    """Change the store behind complaintctl's back."""
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), values)
    finally:
        engine.dispose()


@pytest.fixture
def hostile_case(run: Run, store_url: str, frozen: None) -> str:
    """A case at the first stage, past its response deadline, whose consumer's name, summary,
    restriction reason, area, responder's name and extension reason hold escape sequences."""
    ref = journey.log_case(run, at="2026-11-30T10:00")
    journey.ack(run, ref, at="2026-11-30T11:00")
    journey.assign(run, ref, at="2026-11-30T12:00")
    journey.step(run, "2026-12-01T10:00", "--as", "rita.responder", "extend", ref,
                 "--until", "2026-12-03T17:00", "--reason", "agreed")  # fmt: skip
    ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com", "--scope",
       "contact", "--channel", "post", "--reason", "calm", "--at", "2026-12-01T11:00")  # fmt: skip
    rewrite(store_url, "UPDATE consumer SET name = :name", name=HOSTILE_NAME)
    rewrite(store_url, "UPDATE event SET details = :details WHERE action = 'extend'",
            details=json.dumps({"kind": "respond", "old_due": "2026-12-01T12:00:00+00:00",
                                "new_due": "2026-12-03T17:00:00+00:00",
                                "reason": HOSTILE_SUMMARY}))  # fmt: skip
    rewrite(store_url, "UPDATE complaint SET summary = :summary", summary=HOSTILE_SUMMARY)
    rewrite(store_url, "UPDATE staff SET name = :name WHERE username = 'rita.responder'",
            name=HOSTILE_NAME)  # fmt: skip
    rewrite(store_url, "UPDATE deadline SET rule = :rule WHERE unit = 'agreed'",
            rule="agreed \x1b[2J\u202e")  # fmt: skip
    return ref


def acting(result: Result) -> list[str]:
    """The characters of the command's output that a terminal would obey."""
    return sorted({c for c in result.stdout + result.stderr if ord(c) in ACTING - {9, 10}})


COMMANDS = [
    ("queue",),
    ("show", "SC-2026-000001"),
    ("history", "SC-2026-000001"),
    ("overdue",),
    ("overdue", "--due-within", "5d"),
    ("staff", "list"),
    ("restrict", "list"),
    ("consumer", "show", "--consumer-id", "1"),
    ("explain", "SC-2026-000001", "respond"),
    (
        "--as",
        "rita.responder",
        "respond",
        "SC-2026-000001",
        "--decision",
        "upheld",
        "--summary",
        "Sorry",
        "--at",
        "2026-12-04T10:00",
    ),  # fmt: skip
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("plain", [True, False], ids=["plain", "terminal"])
def test_stored_escape_sequences_reach_the_terminal_written_out_never_obeyed(
    run: Run,
    hostile_case: str,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
    plain: bool,
) -> None:
    if not plain:
        import typer.testing

        monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
        monkeypatch.setenv("COLUMNS", "200")
        # A terminal without colours: every escape sequence left would be the stored text's.
        monkeypatch.setenv("TERM", "dumb")
    result = run(*(("--plain",) if plain else ()), *command)

    assert 0 == result.exit_code, result.stderr
    assert [] == acting(result)
    if plain or command[0] != "history":  # (history's table hides its details when narrow)
        assert "\\x1b" in result.stdout + result.stderr


def test_json_keeps_stored_text_exact_but_escaped(run: Run, hostile_case: str) -> None:
    result = ok(run, "show", hostile_case, "--json")

    case = json.loads(result.stdout)
    assert (HOSTILE_NAME, HOSTILE_SUMMARY, []) == (
        case["consumer"]["name"],
        case["summary"],
        acting(result),
    )


def test_an_error_naming_stored_text_is_one_inert_line(run: Run, store_url: str) -> None:
    with freeze_time(NOW):
        ref = journey.log_case(run, at="2026-11-30T10:00")
        ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
           "--scope", "procedure", "--reason", "calm", "--at", "2026-12-01T11:00")  # fmt: skip
        rewrite(store_url, "UPDATE consumer SET name = :name", name=HOSTILE_NAME)
        result = run(*journey.log_args("2026-12-02T10:00", consumer="Ann Smith"))

    assert (7, 1, []) == (result.exit_code, len(result.stderr.splitlines()), acting(result))
    assert ref not in result.stdout


# -- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("queue", "--csv"), ("overdue", "--csv"), ("export",)])
def test_every_csv_written_runs_nothing_in_a_spreadsheet(
    run: Run, store_url: str, frozen: None, command: tuple[str, ...]
) -> None:
    journey.log_case(run, at="2026-11-30T10:00", summary='=HYPERLINK("https://evil")')
    rewrite(store_url, "UPDATE consumer SET name = :name", name="=cmd|' /C calc'!A0")

    rows = list(csv.reader(io.StringIO(ok(run, *command).stdout)))

    cells = [cell for row in rows[1:] for cell in row]
    assert [] == [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0" in cells


ROUND_TRIP = ["=1+1", "+44 20", "-5", "@A1", "'quoted", "'=x", "\ttab", 'say "hi"', "two\nlines"]


def test_an_export_re_imports_byte_identical_whatever_its_cells_begin_with(
    run: Run, frozen: None, tmp_path: Path, new_store: object
) -> None:
    for n, value in enumerate(ROUND_TRIP):
        journey.log_case(run, at=f"2026-11-30T1{n % 8}:0{n % 10}", summary=value,
                         email=f"p{n}@example.com", address=value)  # fmt: skip
    exported = tmp_path / "cases.csv"
    ok(run, "export", "-o", str(exported))
    other = tmp_path / "other.sqlite3"
    ok(run, "--db", str(other), "staff", "add", "officer.one", "--name", "O",
       "--role", "senior-complaint-executive")  # fmt: skip
    ok(run, "--db", str(other), "import", str(exported))
    again = tmp_path / "again.csv"
    ok(run, "--db", str(other), "export", "-o", str(again))

    def importable(path: Path) -> list[list[str]]:
        rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
        return [row[:13] for row in rows]  # the columns import reads

    assert importable(exported) == importable(again)
    summaries = {row[5] for row in csv.reader(exported.open(newline="", encoding="utf-8"))}
    assert "''=x" in summaries


# -- files -----------------------------------------------------------------------------------


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_an_export_is_readable_by_its_owner_only(run: Run, frozen: None, tmp_path: Path) -> None:
    journey.log_case(run, at="2026-11-30T10:00")
    out = tmp_path / "out.csv"
    ok(run, "export", "-o", str(out))

    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("out", ".out")))
    assert (True, ["out.csv"]) == (owner_only(out), left)


def test_the_folders_made_to_note_a_file_being_written_are_their_owners_only(
    run: Run, frozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "home" / "state"  # neither there yet
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    journey.log_case(run, at="2026-11-30T10:00")

    ok(run, "export", "-o", str(tmp_path / "out.csv"))

    made = [tmp_path / "home", state, state / "complaintctl", state / "complaintctl" / "pending"]
    assert [True] * 4 == [owner_only(folder) for folder in made]


def test_an_export_onto_the_store_itself_is_refused_and_the_store_kept(
    run: Run, store_url: str, frozen: None
) -> None:
    if store_url.startswith("postgresql"):
        pytest.skip("about the SQLite store file itself")
    before = dump_store(store_url)
    for target in (store_url, store_url + "-wal", store_url + "-shm"):
        result = run("export", "-o", target, "--force")
        assert (2, True) == (result.exit_code, "is the store" in result.stderr), result.stderr
    assert before == dump_store(store_url)


def test_a_symlink_at_the_destination_is_refused_and_its_target_untouched(
    run: Run, tmp_path: Path, frozen: None
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)

    for force in ((), ("--force",)):
        result = run("export", "-o", str(link), *force)
        assert (2, "precious") == (result.exit_code, victim.read_text()), result.stderr


def test_a_folder_as_the_destination_is_exit_12_as_documented(run: Run, tmp_path: Path) -> None:
    """The exit-status table: 12, "a folder where a file should be"."""
    folder = tmp_path / "out.csv"
    folder.mkdir()

    for force in ((), ("--force",)):
        result = run("export", "-o", str(folder), *force)
        assert (12, f"Error: {folder} is a folder; name a file\n", []) == (
            result.exit_code,
            result.stderr,
            list(folder.iterdir()),
        )


def test_an_existing_file_is_replaced_only_with_force(
    run: Run, tmp_path: Path, frozen: None
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old")

    refused = run("export", "-o", str(out))
    assert (2, "old") == (refused.exit_code, out.read_text())
    ok(run, "export", "-o", str(out), "--force")
    assert out.read_text().startswith("consumer,")


def test_a_refused_export_makes_no_file(run: Run, tmp_path: Path, frozen: None) -> None:
    out = tmp_path / "out.csv"
    result = run("export", "-o", str(out), "--from", "2026-12-01", "--to", "2026-11-01")

    assert (2, []) == (result.exit_code, list(tmp_path.glob("*out.csv*")))


def test_rejects_never_replace_a_file_without_force(run: Run, tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text("consumer,email,channel,category,summary,received_at\n"
                     "Ann,ann@example.com,email,delay,x,2026-11-30T10:00\n"
                     "Bob,bob@example.com,email,nonsense,x,2026-11-30T10:00\n")  # fmt: skip
    rejects = tmp_path / "batch.rejects.csv"
    rejects.write_text("keep me")

    refused = run("import", str(batch), "--skip-invalid")
    assert (2, "keep me") == (refused.exit_code, rejects.read_text())
    assert 10 == run("import", str(batch), "--skip-invalid", "--force").exit_code
    assert (True, True) == ("nonsense" in rejects.read_text(), owner_only(rejects))


def test_rejects_that_cannot_be_written_commit_nothing(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text("consumer,email,channel,category,summary,received_at\n"
                     "Ann,ann@example.com,email,delay,x,2026-11-30T10:00\n"
                     "Bob,bob@example.com,email,nonsense,x,2026-11-30T10:00\n")  # fmt: skip
    before = dump_store(store_url)

    # No folder to write in is a usage error (2); a folder at the name, exit 12 ("a folder
    # where a file should be").
    for target, code in ((tmp_path / "no" / "such" / "folder.csv", 2), (tmp_path, 12)):
        result = run("import", str(batch), "--skip-invalid", "--rejects", str(target))
        assert (code, before) == (result.exit_code, dump_store(store_url)), result.stderr


def test_a_read_on_a_store_that_is_not_there_makes_nothing_and_exits_8(
    run: Run, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong" / "path" / "store.sqlite3"
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    for store in (wrong, empty):
        for command in (("overdue", "--exit-code"), ("queue",), ("show", "SC-2026-000001"),
                        ("history", "SC-2026-000001"), ("explain", "SC-2026-000001"),
                        ("export",), ("calendar",), ("staff", "list"), ("restrict", "list"),
                        ("consumer", "show", "--consumer-id", "1"), ("db", "status"),
                        ("letter", "SC-2026-000001", "acknowledgement"),
                        ("letter", "SC-2026-000001", "--list")):  # fmt: skip
            result = run("--db", str(store), *command)
            assert (8, True) == (result.exit_code, "there is no store at" in result.stderr), (
                command,
                result.stderr,
            )
    assert (False, 0) == (wrong.parent.parent.exists(), empty.stat().st_size)


def test_a_refused_write_on_a_store_that_is_not_there_makes_nothing(
    run: Run, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong" / "store.sqlite3"
    refusals = [
        ("--as", "nobody", *journey.log_args("2026-11-30T10:00")),  # not staff
        ("ack", "SC-2026-000001", "--area", "Casework"),  # no such case
        ("ack", "SC-2026-000001", "--area", "Casework", "--dry-run"),
    ]
    for command in refusals:
        assert 0 != run("--db", str(wrong), *command).exit_code
        assert not wrong.parent.exists(), command


def test_db_init_makes_a_store_and_only_once(run: Run, tmp_path: Path) -> None:
    store = tmp_path / "new.sqlite3"
    first = ok(run, "--db", str(store), "db", "init")
    second = ok(run, "--db", str(store), "db", "init")

    assert (True, True, True) == (
        first.stdout.startswith(f"Made a new store at {store}"),
        second.stdout.startswith(f"There is a store at {store} already"),
        owner_only(store),
    )
    assert [] == json.loads(ok(run, "--db", str(store), "queue", "--json").stdout)


def test_db_init_into_an_empty_file_or_new_folders_makes_each_its_owners_only(
    run: Run, tmp_path: Path
) -> None:
    touched = tmp_path / "touched.sqlite3"
    touched.touch()
    touched.chmod(0o644)  # as `touch` under the usual umask leaves it
    nested = tmp_path / "a" / "b" / "store.sqlite3"

    ok(run, "--db", str(touched), "db", "init")
    ok(run, "--db", str(nested), "db", "init")

    assert [True] * 4 == [owner_only(p) for p in (touched, nested, nested.parent, tmp_path / "a")]


def test_a_store_with_damaged_text_says_so_everywhere_without_a_traceback(
    run: Run, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    ok(run, "--db", str(store), "db", "init")
    with sqlite3.connect(store) as connection:  # everything into the file itself
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.read_bytes())
    at = data.find(b"CREATE TABLE")
    data[at : at + 6] = b"\xff\xfe\xff\xfe\xff\xfe"
    store.write_bytes(bytes(data))

    for command in (("queue",), ("db", "status"), *[("db", "status", "--json")]):
        result = run("--db", str(store), *command)
        assert (8, "Traceback") != (result.exit_code, result.stderr[:9])
        assert 8 == result.exit_code
        assert "damaged" in result.stderr + result.stdout, (command, result.stderr)


@sqlite_only
def test_a_store_missing_a_table_says_it_is_damaged_and_to_restore_it(
    run: Run, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    ok(run, "--db", str(store), "db", "init")
    with sqlite3.connect(store) as connection:
        connection.execute("DROP TABLE staff")

    result = run("--db", str(store), "staff", "list")

    assert (8, "") == (result.exit_code, result.stdout)
    assert result.stderr == (
        f"Error: the store at {store} is damaged: no such table: staff; restore it from a backup\n"
    )


@sqlite_only  # PostgreSQL keeps a timestamp, never text that is not one
def test_a_store_with_a_time_changed_to_text_says_it_is_damaged_without_a_traceback(
    run: Run, store_url: str, frozen: None
) -> None:
    ref = journey.log_case(run, at="2026-11-30T10:00")
    rewrite(store_url, "UPDATE event SET at = 'garbage\x1b[31m' WHERE action = 'log'")
    store = resolve_url(store_url).removeprefix("sqlite:///")

    for command in (("history", ref), ("show", ref)):
        result = run(*command)
        assert (8, "") == (result.exit_code, result.stdout), (command, result.output)
        assert result.stderr.startswith(f"Error: the store at {store} is damaged: a time "), command
        assert "\x1b" not in result.stderr


def test_a_store_with_history_details_changed_to_text_not_json_says_it_is_damaged(
    run: Run, store_url: str, frozen: None
) -> None:
    """Details edited by hand into text that is no JSON: every command that reads them says
    the store is damaged (exit 8), never a traceback. A report by area replays each case's
    history (a report otherwise counts the facts kept as the history was written, which
    `db verify` checks against it)."""
    ref = journey.log_case(run, at="2026-11-30T10:00")
    rewrite(store_url, "UPDATE event SET details = 'not json' WHERE action = 'log'")
    store = describe(resolve_url(store_url))  # as the message names it, a file or a server

    for command in (
        ("history", ref),
        ("show", ref),
        ("report", "--period", "2026-11", "--by", "area"),
    ):
        result = run(*command)
        assert (8, "") == (result.exit_code, result.stdout), (command, result.output)
        assert result.stderr.startswith(f"Error: the store at {store} is damaged: "), command


@pytest.mark.parametrize("details", ["[1]", '"text"', "{}, {}"])
def test_a_store_with_history_details_changed_to_json_not_an_object_says_it_is_damaged(
    run: Run, store_url: str, frozen: None, details: str
) -> None:
    """Details edited by hand into JSON that is not one object (a list, a string, two
    objects): damaged (exit 8), never a traceback."""
    ref = journey.log_case(run, at="2026-11-30T10:00")
    rewrite(store_url, f"UPDATE event SET details = '{details}' WHERE action = 'log'")

    for command in (
        ("history", ref),
        ("show", ref),
        ("report", "--period", "2026-11", "--by", "area"),
    ):
        result = run(*command)
        assert (8, "") == (result.exit_code, result.stdout), (command, result.output)
        assert "is damaged: " in result.stderr, command


def test_a_report_refused_for_a_damaged_entry_is_one_error_line_in_a_real_process(
    run: Run, store_url: str, frozen: None
) -> None:
    """The report (by area: it replays each case's history) stops reading the history at the
    damaged entry: the reader left open is closed quietly, after the connection. It printed an
    "Exception ignored" traceback after the error line."""
    journey.log_case(run, at="2026-11-30T10:00")
    rewrite(store_url, "UPDATE event SET details = '[1]' WHERE action = 'log'")
    env = {**os.environ, "COMPLAINTCTL_DB": store_url, "COMPLAINTCTL_USER": "officer.one"}

    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "report", "--period", "2026-11", "--by", "area"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert 8 == result.returncode
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: the store at ")
    assert "is damaged: " in line


def test_the_work_files_of_a_killed_command_are_gone_after_the_next_one(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frozen: None
) -> None:
    """A note left by a process that no longer runs names its temporary file: the next command
    that opens a store removes both."""
    from complaintctl import files

    partial = tmp_path / ".out.csv.0123456789abcdef.partial"
    partial.write_text("half an export")
    pending = files._pending_folder()
    pending.mkdir(parents=True, exist_ok=True)
    dead = 2**22 + 12345  # above the kernel's largest pid: no such process
    (pending / f"{dead}-feed").write_text(str(partial))

    ok(run, "queue")

    assert (False, False) == (partial.exists(), (pending / f"{dead}-feed").exists())


def test_a_killed_commands_work_file_named_in_bytes_not_utf8_is_gone_after_the_next_one(
    run: Run, tmp_path: Path, frozen: None
) -> None:
    """The note of a work file beside a destination whose name is not UTF-8 keeps the name as
    the file system has it, so the clean-up after a kill finds the file."""
    from complaintctl import files

    made = files.NewFile(tmp_path / os.fsdecode(b"\xe9t\xe9.csv")).write(b"half an export")
    assert made._note is not None
    assert os.fsencode(made.partial) == made._note.read_bytes()
    dead = 2**22 + 12346  # above the kernel's largest pid: no such process
    left = made._note.rename(made._note.with_name(f"{dead}-feed"))

    ok(run, "queue")

    assert (False, False) == (made.partial.exists(), left.exists())


def test_stdin_is_never_written_to_a_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    text_in = (
        "consumer,email,channel,category,summary,received_at\n"
        "Ann,a@example.com,email,delay,x,2026-11-30T10:00\n"
    )
    with freeze_time(NOW):
        result = run("import", "-", input=text_in)
    assert 0 == result.exit_code, result.stderr
    assert [] == list(spool.iterdir())


# -- killed part-way -------------------------------------------------------------------------

BIG = 20_000


def complaintctl_process(db: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMPLAINTCTL_DB": db, "COMPLAINTCTL_USER": "officer.one"}
    return subprocess.Popen(
        [sys.executable, "-m", "complaintctl", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def big_batch(n: int) -> str:
    lines = ["consumer,email,channel,category,summary,received_at"]
    lines += [
        f"Person {k},p{k}@example.com,email,delay,Complaint {k} about delay,"
        f"2026-02-{1 + k % 28:02d}T{9 + k % 8:02d}:{k % 60:02d}Z"
        for k in range(n)
    ]
    return "\n".join(lines) + "\n"


def test_an_export_killed_part_way_leaves_nothing_once_the_next_command_runs(
    run: Run, store_url: str, tmp_path: Path
) -> None:
    batch = tmp_path / "big.csv"
    batch.write_text(big_batch(BIG))
    ok(run, "import", str(batch))
    out = tmp_path / "out" / "cases.csv"
    out.parent.mkdir()

    process = complaintctl_process(store_url, "export", "-o", str(out))
    started = time.monotonic()
    while not list(out.parent.iterdir()) and process.poll() is None:
        assert time.monotonic() - started < 60, "the export never started writing"
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate()
    left = sorted(p.name for p in out.parent.iterdir())

    ok(run, "queue", "--json")

    assert (True, False, []) == (still_running, "cases.csv" in left, list(out.parent.iterdir()))


def test_an_import_from_stdin_killed_part_way_leaves_no_copy_of_it(
    store_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**os.environ, "COMPLAINTCTL_DB": store_url, "COMPLAINTCTL_USER": "officer.one",
           "TMPDIR": str(spool)}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "complaintctl", "import", "-"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(big_batch(2_000).encode())
    process.stdin.flush()
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.communicate()

    assert [] == list(spool.rglob("*"))


# -- the environment: a full disk, a size limit, a name too long ---------------------------


def demo_store(tmp_path: Path) -> Path:
    store = tmp_path / "demo.sqlite3"
    made = subprocess.run(
        [sys.executable, "-m", "complaintctl", "demo", "--into", str(store)],
        capture_output=True,
        check=False,
    )
    assert 0 == made.returncode, made.stderr
    return store


def demo_ref(store: Path, nth: int) -> str:
    """The reference of the demo's `nth` case: the demo is made on the real clock, so its
    references carry the year it is made in (and around New Year, two years)."""
    db = sqlite3.connect(store)
    try:
        (ref,) = db.execute(
            "SELECT ref FROM complaint ORDER BY id LIMIT 1 OFFSET ?", (nth - 1,)
        ).fetchone()
    finally:
        db.close()
    return str(ref)


@pytest.mark.parametrize(
    "command",
    [
        ("queue",),
        ("queue", "--json"),
        ("overdue", "--json"),
        ("show", "DEMO-4"),
        ("history", "DEMO-4"),
        ("explain", "DEMO-4"),
        ("staff", "list"),
        ("--as", "sam", "export"),  # an export needs a member of staff: it records itself first
        ("db", "status"),
        ("--help",),
        ("--version",),
    ],
    ids=lambda c: " ".join(c),
)
def test_output_onto_a_full_disk_is_one_error_line_and_exit_12(
    tmp_path_factory: pytest.TempPathFactory, command: tuple[str, ...]
) -> None:
    store = demo_store(tmp_path_factory.mktemp("full"))
    command = tuple(demo_ref(store, 4) if part == "DEMO-4" else part for part in command)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "complaintctl", "--db", str(store), *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    # An export is recorded before its rows go out, so the error says so, and to run it again.
    kept = (
        "; the export is recorded in the history, but its rows did not all go out: run it "
        "again for them"
        if "export" in command
        else ""
    )
    assert (12, [f"Error: cannot write the output: No space left on device{kept}"]) == (
        result.returncode,
        result.stderr.splitlines(),
    )


def test_a_step_whose_output_meets_a_full_disk_says_what_it_recorded_is_kept(
    tmp_path: Path,
) -> None:
    """`log > /dev/full` in a script: the complaint is logged before its reference is printed;
    exit 12 saying only that the output failed invited a second run, and a second case."""
    store = demo_store(tmp_path)
    base = [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam"]
    args = [
        "log",
        "--consumer",
        "Quin Full",
        "--email",
        "quin@example.com",
        "--channel",
        "email",
        "--category",
        "delay",
        "--summary",
        "Logged onto a full disk",
    ]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*base, *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    found = subprocess.run(
        [*base, "find", "Quin Full"], capture_output=True, text=True, check=False
    )

    assert (
        12,
        "Error: cannot write the output: No space left on device; what the command recorded"
        " is kept (history shows it): do not run it again",
    ) == (result.returncode, result.stderr.splitlines()[-1])
    assert 1 == len(found.stdout.splitlines()), found.stderr


@pytest.mark.parametrize("format", ["text", "eml"])
def test_a_letter_issued_onto_a_full_disk_is_not_recorded_as_issued(
    tmp_path: Path, format: str
) -> None:
    """`letter REF KIND --issue > /dev/full`: the letter never went out, so the case must not
    say it was issued (it was recorded first, then its bytes failed)."""
    store = demo_store(tmp_path)
    ref = demo_ref(store, 4)
    base = [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "olu"]
    args = ["letter", ref, "acknowledgement", "--issue", "--format", format]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*base, *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    listed = subprocess.run(
        [*base, "letter", ref, "--list", "--json"], capture_output=True, text=True, check=False
    )

    assert (12, "Error: cannot write the output: No space left on device") == (
        result.returncode,
        result.stderr.splitlines()[-1],
    )
    assert [] == json.loads(listed.stdout)["letters"], listed.stderr


def test_ctrl_c_after_a_step_was_recorded_says_what_it_recorded_is_kept(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while `log` prints the reference (blocked on a slow pipe): the complaint is
    logged; 'aborted' alone invited logging it a second time."""
    from complaintctl.cli import render

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "logged", interrupted)
    args = ["--consumer", "Quin Stopped", "--email", "quin@example.com", "--channel", "email"]
    result = run("log", *args, "--category", "delay", "--summary", "Interrupted as printed")
    found = run("find", "Quin Stopped")

    assert (
        130,
        "Error: aborted; what the command recorded is kept (history shows it): do not run it"
        " again\n",
    ) == (result.exit_code, result.stderr)
    assert 1 == len(found.stdout.splitlines()), found.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_after_a_step_was_recorded_says_what_it_recorded_is_kept(
    run: Run, monkeypatch: pytest.MonkeyPatch, signum: signal.Signals
) -> None:
    """`kill` (SIGTERM) or a closed terminal (SIGHUP) while `log` prints the reference: the
    complaint is logged; ending silently with 143 invited logging it a second time."""
    from complaintctl.cli import render
    from complaintctl.cli.app import _stop

    def stopped(*args: object, **kwargs: object) -> None:
        _stop(signum, None)

    monkeypatch.setattr(render, "logged", stopped)
    args = ["--consumer", "Quin Stopped", "--email", "quin@example.com", "--channel", "email"]
    result = run("log", *args, "--category", "delay", "--summary", "Stopped as printed")
    found = run("find", "Quin Stopped")

    assert (
        128 + signum,
        f"Error: stopped by {signum.name}; what the command recorded is kept (history shows"
        " it): do not run it again\n",
    ) == (result.exit_code, result.stderr)
    assert 1 == len(found.stdout.splitlines()), found.stderr


def test_a_stop_signal_before_anything_was_recorded_is_one_error_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaintctl.cli import render
    from complaintctl.cli.app import _stop

    journey.log_case(run, at="2026-12-04T10:00")

    def stopped(*args: object, **kwargs: object) -> None:
        _stop(signal.SIGTERM, None)

    monkeypatch.setattr(render, "queue", stopped)
    result = run("queue")

    assert (143, "Error: stopped by SIGTERM\n") == (result.exit_code, result.stderr)


@pytest.mark.parametrize("command", [("queue",), ("overdue", "--json"), ("--version",)])
def test_output_to_a_closed_stdout_is_one_error_line_and_exit_12(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`complaintctl queue >&-`: Python has no stdout at all, which was a traceback."""
    store = demo_store(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert (12, ["Error: cannot write the output: stdout is closed"]) == (
        result.returncode,
        result.stderr.splitlines(),
    )


@pytest.mark.parametrize("format", ["text", "eml"])
def test_a_letter_issued_to_a_closed_stdout_is_one_error_line_and_not_recorded(
    tmp_path: Path, format: str
) -> None:
    """`letter REF KIND --issue >&-`: a letter goes out as bytes, which the stand-in for a
    closed stdout had no way to take: a traceback (exit 1)."""
    store = demo_store(tmp_path)
    ref = demo_ref(store, 4)
    base = [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "olu"]
    result = subprocess.run(
        [*base, "letter", ref, "acknowledgement", "--issue", "--format", format],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    listed = subprocess.run(
        [*base, "letter", ref, "--list", "--json"], capture_output=True, text=True, check=False
    )
    assert (12, ["Error: cannot write the output: stdout is closed"]) == (
        result.returncode,
        result.stderr.splitlines(),
    )
    assert [] == json.loads(listed.stdout)["letters"], listed.stderr


@pytest.mark.parametrize(
    "command",
    [("db", "backup", "{out}"), ("letter", "SC-2026-000004", "acknowledgement", "-o", "{out}")],
)
def test_a_file_written_before_stdout_fails_is_said_to_be_kept(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`complaintctl db backup FILE >&-`: the file is there, which the error said nothing of,
    so it passed for not written (and writing it again is refused: it exists already)."""
    store = demo_store(tmp_path)
    out = tmp_path / "written\nfile"  # named as one word the shell reads back, on one line
    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam",
         *(word.format(out=out) for word in command)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert out.is_file()
    kept = f"{shell_word(str(out))} is written and kept"
    assert (12, f"Error: cannot write the output: stdout is closed; {kept}") == (
        result.returncode,
        result.stderr.splitlines()[-1],
    )


def test_a_closed_stderr_keeps_messages_out_of_the_data_on_stdout(tmp_path: Path) -> None:
    """`ref=$(complaintctl log … 2>&-)`: the note and the summary line are dropped, as with
    2>/dev/null, not printed among the reference on stdout."""
    store = demo_store(tmp_path)
    args = [
        "log",
        "--consumer",
        "Quin Closed",
        "--email",
        "quin@example.com",
        "--channel",
        "email",
        "--category",
        "delay",
        "--summary",
        "Logged with stderr closed",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(2),
    )

    assert (0, 1) == (result.returncode, len(result.stdout.splitlines())), result.stdout
    assert result.stdout.startswith("SC-")


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("queue", "--limit", "1"), "8 more: --limit 0 for all\n"),
        (("ack", "-", "--area", "Casework"), "No case references on stdin: nothing to do\n"),
        (
            ("import", "-"),
            "Imported 0 new of 0 rows; 0 already in the store; 0 rejected\n",
        ),
    ],
    ids=lambda c: " ".join(c) if isinstance(c, tuple) else "",
)
def test_a_closed_stdin_reads_as_empty_not_a_traceback(
    tmp_path: Path, command: tuple[str, ...], said: str
) -> None:
    """`complaintctl ack - <&-` in a script: nothing to read, as from /dev/null."""
    store = demo_store(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam", *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(0),
    )
    assert (0, said) == (result.returncode, result.stderr or result.stdout)


def test_an_export_past_the_file_size_limit_is_one_error_line_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    import resource

    store = demo_store(tmp_path)
    batch = tmp_path / "big.csv"
    batch.write_text(big_batch(1_000))
    imported = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam", "import",
         str(batch)],
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert 0 == imported.returncode, imported.stderr
    out = tmp_path / "out" / "cases.csv"
    out.parent.mkdir()

    def limited() -> None:
        # Room for the store's shared-memory index (32 KiB), not for the export.
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(store), "--as", "sam", "export",
         "-o", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        check=False,
    )  # fmt: skip
    assert (12, True, []) == (
        result.returncode,
        result.stderr.startswith(f"Error: cannot write {out}: File too large"),
        list(out.parent.iterdir()),
    ), result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--db", "x" * 300 + ".sqlite3", "queue"),
        ("--db", "x" * 300 + ".sqlite3", *journey.log_args("2026-11-30T10:00")),
        ("export", "-o", "x" * 300 + ".csv"),
        pytest.param(("db", "backup", "x" * 300 + ".sqlite3"), marks=sqlite_only),
    ],
    ids=["read", "write", "export", "backup"],
)
def test_a_name_too_long_is_one_error_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)

    assert result.exit_code in (8, 12), result.stderr
    assert [True] == ["File name too long" in line for line in result.stderr.splitlines()]


def _open_sqlite_connections() -> int:
    """The sqlite3 connections this process still holds open, collected or not."""
    count = 0
    for thing in gc.get_objects():
        if isinstance(thing, sqlite3.Connection):
            try:
                thing.execute("SELECT 1")
            except sqlite3.ProgrammingError:  # closed
                continue
            count += 1
    return count


@sqlite_only
def test_each_command_closes_the_connections_it_opened(run: Run, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    commands = [("queue",), ("show", "SC-2026-000001"), ("db", "status"), ("db", "verify"),
                ("db", "upgrade"), ("db", "backup", str(backup)), ("calendar",),
                ("letter", "SC-2026-000001", "acknowledgement")]  # fmt: skip
    gc.collect()
    gc.disable()  # what a command leaves to be collected stays to be counted
    try:
        before = _open_sqlite_connections()
        left = {}
        for words in commands:
            run(*words)
            left[words] = _open_sqlite_connections() - before
    finally:
        gc.enable()

    assert dict.fromkeys(commands, 0) == left
