"""`demo`: a sandbox store for trying the tool, filled with a realistic mix of cases, that never
touches the user's own store (the one COMPLAINTCTL_DB names, set up by tests/cli/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.conftest import POSTGRES, dump_store

# A weekday at noon, a Sunday in the small hours, and the first working day of a new year.
MOMENTS = ["2026-12-02 12:00:00", "2026-12-06 03:00:00", "2027-01-04 12:00:00"]


def snapshot(store: str) -> object:
    """An SQLite store's folder, every file byte for byte (the store, and its WAL while open);
    a PostgreSQL store's every row."""
    if POSTGRES:
        return dump_store(store)
    return {p.name: p.read_bytes() for p in sorted(Path(store).parent.iterdir())}


def states(stdout: str) -> list[str]:
    return [line.split("\t")[8] for line in stdout.splitlines()]


@pytest.mark.parametrize("now", MOMENTS)
def test_demo_makes_a_store_and_prints_its_queue_as_plain_lines(
    run: Run, tmp_path: Path, now: str
) -> None:
    path = tmp_path / "demo.sqlite3"
    with freeze_time(now):
        result = run("demo", "--into", str(path))
    found = states(result.stdout)
    assert (0, True, True, True, [10] * len(found)) == (
        result.exit_code,
        path.is_file(),
        "breached" in found,
        "waiting" in found,
        [len(line.split("\t")) for line in result.stdout.splitlines()],
    )


@pytest.mark.parametrize("now", MOMENTS)
def test_demo_queue_has_cases_in_every_state(run: Run, tmp_path: Path, now: str) -> None:
    with freeze_time(now):
        result = run("demo", "--into", str(tmp_path / "demo.sqlite3"))
    assert {"breached", "due-soon", "on-track", "waiting"} == set(states(result.stdout))


@pytest.mark.parametrize("now", MOMENTS)
def test_demo_queue_flags_adjustments_a_restriction_and_the_board(
    run: Run, tmp_path: Path, now: str
) -> None:
    with freeze_time(now):
        result = run("demo", "--into", str(tmp_path / "demo.sqlite3"))
    flags = {line.split("\t")[2] for line in result.stdout.splitlines()}
    assert {"A", "R", "B"} <= flags


def test_demo_says_on_stderr_where_its_store_is_and_how_to_use_it(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(path))
    assert (True, True) == (
        f"Demo store with 10 cases: {path}\n" in result.stderr,
        f"export COMPLAINTCTL_DB={path} " in result.stderr,
    )


def test_demo_into_one_file_gives_the_queue_then_the_note_as_readme_says(tmp_path: Path) -> None:
    # stdout and stderr to one file (`> demo.txt 2>&1`): stdout is block-buffered there, and
    # the note on stderr came first. A process of its own: that is where the buffering is.
    import sys

    with (tmp_path / "both.txt").open("w") as both:
        subprocess.run(
            [sys.executable, "-m", "complaintctl", "demo", "--into", str(tmp_path / "d.sqlite3")],
            stdout=both, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    lines = (tmp_path / "both.txt").read_text(encoding="utf-8").splitlines()
    note = next(i for i, line in enumerate(lines) if line.startswith("Demo store with"))
    queue = [i for i, line in enumerate(lines) if line.startswith("SC-")]
    assert (True, True) == (len(queue) > 5, max(queue) < note)


def test_demo_says_how_to_use_a_store_whose_path_the_shell_would_split_as_one_line_to_paste(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "my demos" / "it's $HOME.sqlite3"
    path.parent.mkdir()
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(path))
    (line,) = [line for line in result.stderr.splitlines() if "export" in line]
    pasted = subprocess.run(
        ["sh", "-c", line.removeprefix("Try: ") + ' && printf %s "$COMPLAINTCTL_DB"'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (0, str(path)) == (pasted.returncode, pasted.stdout), pasted.stderr


def test_demo_shows_a_path_holding_controls_as_one_inert_word_the_shell_reads_back(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "a\x1b[31mred\tit's\nnew \u202eevil\u200b.sqlite3"
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(path))
    (said,) = [line for line in result.stderr.splitlines() if line.startswith("Demo store")]
    (line,) = [line for line in result.stderr.splitlines() if "export" in line]
    pasted = subprocess.run(
        ["bash", "-c", line.removeprefix("Try: ") + ' && printf %s "$COMPLAINTCTL_DB"'],
        capture_output=True,
        text=True,
        check=False,
    )
    shown = said.removeprefix("Demo store with 10 cases: ")
    assert (0, str(path), True) == (pasted.returncode, pasted.stdout, shown in line)
    assert not any(c in result.stderr for c in "\x1b\t\u202e\u200b"), result.stderr


def test_demo_into_a_name_that_is_not_utf8_is_refused_naming_into_and_makes_nothing(
    run: Run, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    into = os.fsdecode(bytes(here / "caf") + b"\xe9.sqlite3")
    result = run("demo", "--into", into)
    assert (2, []) == (result.exit_code, list(here.iterdir()))
    assert result.stderr == (
        "Error: demo --into holds <U+DCE9>, half of a character (a byte that is not UTF-8): "
        "name the file in UTF-8\n"
    )


@pytest.mark.parametrize("into", ["-", ""])
def test_demo_into_a_dash_or_nothing_is_refused_and_makes_no_file(
    run: Run, tmp_path: Path, into: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", into)
    assert (2, [], "") == (result.exit_code, list(here.iterdir()), result.stdout)
    assert result.stderr.startswith("Error: demo --into ")


@pytest.mark.parametrize("now", MOMENTS)
def test_the_demo_store_answers_show_json_for_every_case_in_its_queue(
    run: Run, tmp_path: Path, now: str
) -> None:
    path = tmp_path / "demo.sqlite3"
    with freeze_time(now):
        refs = [
            line.split("\t")[0] for line in run("demo", "--into", str(path)).stdout.splitlines()
        ]
        shown = [run("--db", str(path), "show", ref, "--json") for ref in refs]
    assert [(0, ref, 2) for ref in refs] == [
        (
            result.exit_code,
            json.loads(result.stdout)["ref"],
            json.loads(result.stdout)["schema_version"],
        )
        for ref, result in zip(refs, shown, strict=True)
    ]


def test_the_demo_store_gives_the_same_queue_to_a_later_queue_command(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "demo.sqlite3"
    with freeze_time(MOMENTS[0]):
        made = run("demo", "--into", str(path))
        later = run("--db", str(path), "queue")
    assert (0, made.stdout) == (later.exit_code, later.stdout)


def test_the_demo_store_lists_its_breached_cases_in_overdue(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    with freeze_time(MOMENTS[0]):
        made = run("demo", "--into", str(path))
        overdue = run("--db", str(path), "overdue", "--exit-code")
    breached = {
        line.split("\t")[0]
        for line in made.stdout.splitlines()
        if line.split("\t")[8] == "breached"
    }
    assert (3, breached) == (
        overdue.exit_code,
        {line.split("\t")[0] for line in overdue.stdout.splitlines()},
    )


def test_demo_into_an_existing_file_is_refused_and_leaves_it_alone(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "demo.sqlite3"
    path.write_bytes(b"not a store")
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(path))
    assert (
        2,
        "",
        f"Error: {path} exists already: name a new file\n",
        b"not a store",
    ) == (
        result.exit_code,
        result.stdout,
        result.stderr,
        path.read_bytes(),
    )


def test_demo_never_touches_the_store_named_by_complaintctl_db(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    before = snapshot(store_url)
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(tmp_path / "demo.sqlite3"))
    assert (0, before) == (result.exit_code, snapshot(store_url))


def test_demo_never_touches_the_store_named_by_db_either(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    before = snapshot(store_url)
    with freeze_time(MOMENTS[0]):
        result = run("--db", store_url, "demo", "--into", str(tmp_path / "demo.sqlite3"))
    assert (0, before) == (result.exit_code, snapshot(store_url))


@pytest.mark.skipif(POSTGRES, reason="an SQLite store's journal files")
@pytest.mark.parametrize("end", ["-wal", "-shm", "-journal"])
def test_demo_into_the_journal_of_the_store_named_is_refused_and_makes_nothing(
    run: Run, tmp_path: Path, end: str
) -> None:
    # SQLite reads the store's -wal with it (and throws away one that is not a journal): a
    # sandbox there would be lost, read as part of the store meanwhile.
    store = tmp_path / "own" / "store.sqlite3"
    store.parent.mkdir()
    assert 0 == run("--db", str(store), "db", "init").exit_code
    journal = Path(f"{store}{end}")
    assert not journal.exists()  # no one has the store open
    before = snapshot(str(store))
    with freeze_time(MOMENTS[0]):
        result = run("--db", str(store), "demo", "--into", str(journal))
    assert (2, "", before) == (result.exit_code, result.stdout, snapshot(str(store)))
    assert result.stderr == f"Error: {journal} is the store ({journal}); name another file\n"


@pytest.mark.skipif(POSTGRES, reason="an SQLite store's journal files")
def test_demo_into_the_journal_of_the_store_a_link_leads_to_is_refused(
    run: Run, tmp_path: Path
) -> None:
    # SQLite keeps the journals beside the file the link leads to.
    store = tmp_path / "own" / "store.sqlite3"
    store.parent.mkdir()
    assert 0 == run("--db", str(store), "db", "init").exit_code
    link = tmp_path / "link.sqlite3"
    link.symlink_to(store)
    journal = Path(f"{store}-wal")
    with freeze_time(MOMENTS[0]):
        result = run("--db", str(link), "demo", "--into", str(journal))
    assert (2, False) == (result.exit_code, journal.exists())
    assert result.stderr == f"Error: {journal} is the store ({journal}); name another file\n"


def test_demo_into_the_path_the_store_named_would_have_makes_it_there(
    run: Run, tmp_path: Path
) -> None:
    store = tmp_path / "demo.sqlite3"
    with freeze_time(MOMENTS[0]):
        result = run("--db", str(store), "demo", "--into", str(store))
    assert (0, True) == (result.exit_code, store.is_file())


def test_demo_with_a_store_url_that_cannot_be_read_still_makes_its_sandbox(
    run: Run, tmp_path: Path
) -> None:
    with freeze_time(MOMENTS[0]):
        result = run("--db", "postgresql+psycopg://u:p@h:port/x", "demo", "--into",
                     str(tmp_path / "demo.sqlite3"))  # fmt: skip
    assert (0, True) == (result.exit_code, (tmp_path / "demo.sqlite3").is_file())


def test_demo_without_into_makes_its_store_in_a_new_temporary_folder(
    run: Run, tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = snapshot(store_url)
    with freeze_time(MOMENTS[0]):
        result = run("demo")
    (made,) = tmp_path.glob("complaintctl-demo-*/demo.sqlite3")
    assert (0, True, before) == (
        result.exit_code,
        f"Demo store with 10 cases: {made}\n" in result.stderr,
        snapshot(store_url),
    )


@pytest.mark.parametrize("where", ["missing/folder/demo.sqlite3", "link.sqlite3"])
def test_demo_into_a_missing_folder_or_a_link_makes_nothing(
    run: Run, tmp_path: Path, where: str
) -> None:
    (tmp_path / "link.sqlite3").symlink_to(tmp_path / "nowhere.sqlite3")  # dangling
    with freeze_time(MOMENTS[0]):
        result = run("demo", "--into", str(tmp_path / where))
    assert (2, False, False) == (
        result.exit_code,
        (tmp_path / "missing").exists(),
        (tmp_path / "nowhere.sqlite3").exists(),
    )
