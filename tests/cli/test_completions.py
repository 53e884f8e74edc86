"""Shell completion: the scripts each shell sources, and the values completed from the store."""

from __future__ import annotations

import os
import select
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from complaintctl.cli import app
from complaintctl.config import config_path
from tests.cli.conftest import Run
from tests.cli.journey import log_case, ok
from tests.conftest import POSTGRES, sqlite_only, write_lock_held

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"
NOW = "2026-12-04T12:00"


def _program(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        [sys.executable, "-c", "from complaintctl.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_committed_script_is_the_one_the_completion_command_prints(shell: str) -> None:
    printed = _program("completion", shell)
    sourced = _program(env={"_COMPLAINTCTL_COMPLETE": f"source_{shell}"})
    # The script the shell's own protocol gives, without the blank line Typer puts first
    # (zsh reads #compdef on the first line only).
    committed = (COMPLETIONS / f"complaintctl.{shell}").read_text()
    assert (printed, printed) == (committed, sourced.strip() + "\n")


def test_show_completion_prints_the_script_of_the_shell_named_after_it(run: Run) -> None:
    result = run("--show-completion", "zsh")
    assert (0, (COMPLETIONS / "complaintctl.zsh").read_text()) == (result.exit_code, result.stdout)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_needs_no_config_file_it_could_read(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    broken = tmp_path / "config.toml"
    broken.write_text("bogus = 1\n", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(broken))

    result = run("completion", shell)

    assert (0, (COMPLETIONS / f"complaintctl.{shell}").read_text()) == (
        result.exit_code,
        result.stdout,
    )
    assert (run("--show-completion", shell).stdout, 2) == (result.stdout, run("queue").exit_code)


def test_a_shell_without_a_script_is_a_usage_error(run: Run) -> None:
    result = run("--show-completion", "tcsh")
    assert (2, "Error: no completion script for 'tcsh': the shells are bash, zsh, fish\n") == (
        result.exit_code,
        result.stderr,
    )
    assert 2 == run("completion", "tcsh").exit_code


def complete(line: str, env: dict[str, str | None] | None = None) -> list[str]:
    """What bash is offered for the last word of `line` (a trailing space: a new word)."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        [],
        prog_name="complaintctl",
        env={
            "_COMPLAINTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
    )
    assert (0, "") == (result.exit_code, result.stderr)
    assert time.monotonic() - started < 5  # never waits long on a store
    return result.stdout.split()


@pytest.fixture
def cases(run: Run) -> list[str]:
    """Three cases received a day apart, the middle one closed; their references."""
    refs = [log_case(run, at=f"2026-12-0{day}T10:00") for day in (1, 2, 3)]
    with freeze_time("2026-12-03T12:00:00Z"):
        ok(run, "close", refs[1], "--reason", "withdrawn")
    return refs


def test_a_case_reference_completes_from_the_open_cases_most_recent_first(
    cases: list[str],
) -> None:
    assert [cases[2], cases[0]] == complete("complaintctl show SC-2026-00000")
    assert [cases[2], cases[0]] == complete("complaintctl ack SC-2026-000001 ")
    assert [] == complete("complaintctl explain SC-2027-")


def test_reopen_completes_from_the_closed_cases_only(cases: list[str]) -> None:
    # reopen undoes a close: an open case is never offered, a closed one is.
    assert [cases[1]] == complete("complaintctl reopen SC-2026-00000")
    assert [cases[1]] == complete("complaintctl reopen --reason Mistake ")
    assert [] == complete("complaintctl reopen SC-2026-000003")


def test_usernames_complete_from_active_staff_and_areas_from_theirs(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "remove", "ruth.responder")
    assert ["rita.responder"] == complete("complaintctl assign SC-2026-000001 --to ri")
    assert ["rita.responder"] == complete("complaintctl escalate --to r")
    assert ["officer.one", "officer.three", "officer.two"] == complete("complaintctl --as off")
    assert ["lee.leader", "lena.leader"] == complete("complaintctl queue --plain --as le")
    assert ["hana.handler"] == complete("complaintctl queue --owner h")
    assert ["eve.energy"] == complete("complaintctl staff role e")
    assert ["ruth.responder"] == complete("complaintctl staff reactivate ")
    assert ["Casework", "Energy"] == complete("complaintctl ack SC-2026-000001 --area ")
    assert ["Energy"] == complete("complaintctl staff add x --area E")


@sqlite_only
def test_a_value_is_completed_from_the_store_the_command_line_names(
    run: Run, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "complaints.sqlite3"
    ok(run, "--db", str(other), "--as", "ada", "staff", "add", "ada", "--name", "Ada", "--role",
       "senior-leader", "--area", "Billing")  # fmt: skip
    assert ["ada"] == complete(f"complaintctl --db {other} assign X --to a")
    assert ["ada"] == complete(f"complaintctl staff remove --db {other} a")
    assert ["Billing"] == complete("complaintctl queue --area ", {"COMPLAINTCTL_DB": str(other)})
    config = config_path()  # the test's own (tests/conftest.py)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'db = "{other}"\n')
    assert ["ada"] == complete("complaintctl --as a", {"COMPLAINTCTL_DB": None})
    # An empty COMPLAINTCTL_DB is a mistake (commands say so), not the config file's store.
    assert [] == complete("complaintctl --as a", {"COMPLAINTCTL_DB": ""})


def test_a_letter_kind_completes_from_the_built_in_kinds_then_the_organisation_s(
    tmp_path: Path,
) -> None:
    config = config_path()  # the test's own (tests/conftest.py)
    templates = config.parent / "templates"
    templates.mkdir(parents=True)
    for name in ("apology-call.html", "letter.html", "_remedies.html", "acknowledgement.html"):
        (templates / name).write_text('{% extends "letter.html" %}')
    (templates / "Needs quoting.html").write_text('{% extends "letter.html" %}')
    built_in = ["acknowledgement", "extension", "first-response", "final-response"]

    assert [*built_in, "out-of-scope", "restriction", "apology-call"] == complete(
        "complaintctl letter SC-2026-000001 "
    )
    assert ["first-response", "final-response"] == complete("complaintctl letter - f")
    # After `check` the word is a templates folder: the shell offers file names.
    assert [] == complete("complaintctl letter check ")
    # A templates folder that cannot be used still offers the kinds every store has.
    other = tmp_path / "not-a-folder"
    other.write_text("")
    assert ["restriction"] == complete(f"complaintctl letter SC-2026-000001 --templates {other} r")


def test_a_value_that_would_need_quoting_is_not_offered(run: Run) -> None:
    for area in ("Billing $(touch pwned)", "Customer Service", "Care"):
        ok(run, "--as", "sam.senior", "staff", "role", "officer.two", "--role", "officer",
           "--area", area)  # fmt: skip
    assert ["Care", "Casework"] == complete("complaintctl queue --area C")
    assert [] == complete("complaintctl queue --area B")


@sqlite_only
@pytest.mark.parametrize("store", ["missing", "empty file", "not a database", "a folder"])
def test_no_store_completes_nothing_and_makes_none(store: str, tmp_path: Path) -> None:
    path = tmp_path / "there" / "complaints.sqlite3"
    if store != "missing":
        path.parent.mkdir()
    if store == "empty file":
        path.touch()
    elif store == "not a database":
        path.write_text("hello\n" * 100)
    elif store == "a folder":
        path.mkdir()
    before = sorted(tmp_path.rglob("*"))
    assert [] == complete(f"complaintctl --db {path} show SC-")
    assert [] == complete(f"complaintctl --db {path} assign X --to ")
    assert before == sorted(tmp_path.rglob("*"))


def test_a_store_at_another_schema_revision_completes_nothing(
    cases: list[str], store_url: str
) -> None:
    from complaintctl.store.db import open_engine, resolve_url

    engine = open_engine(resolve_url(store_url))
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE complaintctl_schema SET version_num = '0002'")
    engine.dispose()
    assert [] == complete("complaintctl show SC-")


def test_an_unreadable_config_file_or_store_url_completes_nothing(cases: list[str]) -> None:
    config = config_path()  # the test's own (tests/conftest.py)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("db = [\n")
    assert [] == complete("complaintctl show SC-")
    assert [] == complete("complaintctl show SC-", {"COMPLAINTCTL_DB": "nosuch://x"})


def test_a_locked_store_still_completes_or_completes_nothing_quickly(
    cases: list[str], store_url: str
) -> None:
    with write_lock_held(store_url):
        offered = complete("complaintctl show SC-")
    # SQLite's readers never wait for a writer; PostgreSQL's snapshots neither.
    assert [cases[2], cases[0]] == offered or (POSTGRES and offered == [])


@sqlite_only
def test_no_more_than_fifty_references_are_offered(store_url: str) -> None:
    # Fifty-five cases written straight into the store: completion reads only references.
    db = sqlite3.connect(store_url)
    db.execute(
        "INSERT INTO consumer (id, name, created_at, adjustments) "
        "VALUES (1, 'Ann', '2026-12-01T10:00:00Z', '[]')"
    )
    db.executemany(
        "INSERT INTO complaint (ref, consumer_id, channel, category, summary, board, "
        "received_at, stage, out_of_time, logged_by, logged_at, version) VALUES "
        "(?, 1, 'email', 'delay', 's', 0, ?, 'received', 0, 'officer.one', ?, 0)",
        [
            (f"SC-2026-{n:06d}", f"2026-12-01T10:{n:02d}:00Z", "2026-12-01T10:00:00Z")
            for n in range(1, 56)
        ],
    )
    db.commit()
    db.close()
    offered = complete("complaintctl show SC")
    assert (50, "SC-2026-000055", "SC-2026-000006") == (len(offered), offered[0], offered[-1])


class InteractiveBash:
    """A real `bash -i` on a terminal of its own, typed into as a person would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.fd, terminal = os.openpty()
        self.process = subprocess.Popen(
            ["bash", "--norc", "--noprofile", "-i"],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            env=env,
            start_new_session=True,
        )
        os.close(terminal)
        self.seen = ""

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_for(self, *texts: str, timeout: float = 30) -> str:
        """The screen so far, once every one of `texts` is on it."""
        deadline = time.monotonic() + timeout
        while not all(text in self.seen for text in texts):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"waited for {texts!r}; the terminal shows:\n{self.seen}")
            self.seen += os.read(self.fd, 4096).decode(errors="replace")
        return self.seen

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        os.close(self.fd)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed here")
def test_bash_completes_references_and_usernames_at_a_real_prompt(run: Run, tmp_path: Path) -> None:
    refs = [log_case(run, at=f"2026-12-0{day}T10:00") for day in (1, 2)]
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    program = bin_folder / "complaintctl"
    program.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c "from complaintctl.cli import main; main()" "$@"\n'
    )
    program.chmod(0o755)
    source = os.pathsep.join(sys.path)
    bash = InteractiveBash(
        {
            **os.environ,
            "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": source,
            "PS1": "ready$ ",
            "TERM": "dumb",
            "INPUTRC": "/dev/null",
        }
    )
    try:
        bash.type(f"source {COMPLETIONS / 'complaintctl.bash'}; echo sourced\n")
        bash.wait_for("sourced")
        # Two open cases share the prefix: the first Tab rings, the second lists them.
        bash.type("complaintctl show SC-2026-00000\t\t")
        bash.wait_for(*refs)
        bash.type("\x15")  # ^U: the line cleared
        bash.type(f"complaintctl assign {refs[0]} --to ri\t")
        bash.wait_for("--to rita.responder ")
    finally:
        bash.close()
