"""The global options (--db, --as, --plain) after the command as well as before it.

README, "Commands": they mean the same in either place, for a command or a group's command;
given in both, the later one counts. A value that looks like one of them stays a value, and
`--` ends them as it ends every option.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from freezegun import freeze_time

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import history, ok, show

NOW = "2026-12-15 12:00:00"
LOGGED = "2026-12-01T10:00"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def ref(run: Run) -> str:
    return journey.log_case(run, at=LOGGED)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout is a terminal: tables unless --plain says otherwise."""
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")


@pytest.mark.usefixtures("terminal")
def test_plain_after_the_command_is_plain_before_it(run: Run, ref: str) -> None:
    before = ok(run, "--plain", "show", ref).stdout
    after = ok(run, "show", ref, "--plain")

    assert before == after.stdout
    assert before != ok(run, "show", ref).stdout  # a terminal's tables otherwise


@pytest.mark.usefixtures("terminal")
def test_plain_after_a_group_s_command(run: Run) -> None:
    assert ok(run, "--plain", "staff", "list").stdout == ok(run, "staff", "list", "--plain").stdout
    assert "\t" in ok(run, "staff", "list", "--plain").stdout


def test_as_after_the_command_is_who_acts_over_the_environment(run: Run) -> None:
    ref = ok(run, *journey.log_args(LOGGED), "--as", "officer.two").stdout.strip()

    assert ["officer.two"] == [entry["by"] for entry in history(run, ref)]


def test_as_after_the_command_is_checked_as_before_it(run: Run, ref: str) -> None:
    """Not staff: refused (6) in either place, with the same words."""
    before = run("--as", "nobody", "ack", ref, "--area", "Casework")
    after = run("ack", ref, "--area", "Casework", "--as", "nobody")

    assert (6, before.stderr) == (after.exit_code, after.stderr)
    assert 1 == len(after.stderr.splitlines())


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_as_is_refused_not_taken_for_the_login_name(
    run: Run, ref: str, where: str
) -> None:
    # `--as "$OFFICER"` with the variable unset must not act as whoever is logged in.
    args = ["ack", ref, "--area", "Casework"]
    result = run(*(["--as", " ", *args] if where == "before" else [*args, "--as", " "]))

    assert (2, "Error: --as must name a member of staff (' ' names no one)\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert "received" == show(run, ref)["stage"]


def test_spaces_alone_in_complaintctl_user_are_refused_naming_the_variable(
    run: Run, ref: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Empty, the variable is unset; spaces alone are a slip, said to be the variable's.
    monkeypatch.setenv("COMPLAINTCTL_USER", "\t")
    result = run("ack", ref, "--area", "Casework")
    monkeypatch.setenv("COMPLAINTCTL_USER", "officer.one")

    assert (2, "Error: COMPLAINTCTL_USER must name a member of staff ('\\t' names no one)\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert "received" == show(run, ref)["stage"]


def test_as_after_the_command_counts_over_spaces_alone_in_complaintctl_user(
    run: Run, ref: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The later one counts, as README says: the variable was refused before --as was read.
    monkeypatch.setenv("COMPLAINTCTL_USER", "  ")
    result = run("ack", ref, "--area", "Casework", "--as", "officer.one", "--json")
    monkeypatch.setenv("COMPLAINTCTL_USER", "officer.one")

    assert (0, "") == (result.exit_code, result.stderr)
    assert ("first-stage", "officer.one") == (show(run, ref)["stage"], history(run, ref)[-1]["by"])


def test_db_after_a_group_s_command_names_the_store(
    run: Run, new_store: Callable[[str], str]
) -> None:
    other = new_store("other")
    ok(run, "db", "init", "--db", other)
    ok(run, "staff", "add", "new.person", "--name", "N", "--role", "senior-complaint-executive",
       "--db", other)  # fmt: skip

    listed = json.loads(ok(run, "staff", "list", "--json", "--db", other).stdout)
    assert ["new.person"] == [row["username"] for row in listed]
    assert "new.person" not in ok(run, "staff", "list", "--json").stdout


def test_db_after_a_group_itself_names_the_store(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "store.sqlite3"
    result = run("calendar", "--db", str(missing))

    assert 8 == result.exit_code
    assert [f"Error: there is no store at {missing}"] == [
        line[: len(f"Error: there is no store at {missing}")] for line in result.stderr.splitlines()
    ]
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("before", "after", "exit_code"),
    [
        (("--db", "", "staff", "list"), ("staff", "list", "--db", ""), 2),
        (("--as",), ("staff", "list", "--as"), 2),
        (("--db",), ("calendar", "--db"), 2),
    ],
    ids=["empty --db", "--as without a value", "--db without a value"],
)
def test_a_bad_global_option_is_the_same_error_after_the_command(
    run: Run, before: tuple[str, ...], after: tuple[str, ...], exit_code: int
) -> None:
    said = run(*before)
    result = run(*after)

    assert (exit_code, 1) == (said.exit_code, len(said.stderr.splitlines()))
    assert (said.exit_code, said.stderr) == (result.exit_code, result.stderr)


@pytest.mark.parametrize(
    ("before", "after", "exit_code"),
    [("missing", "store", 0), ("store", "missing", 8)],
    ids=["the store after", "the missing one after"],
)
def test_given_before_and_after_the_later_counts(
    run: Run, store_url: str, tmp_path: Path, before: str, after: str, exit_code: int
) -> None:
    stores = {"store": store_url, "missing": str(tmp_path / "missing.sqlite3")}
    result = run("--db", stores[before], "staff", "list", "--db", stores[after])

    assert exit_code == result.exit_code, result.stderr


def test_as_before_and_after_the_later_acts(run: Run) -> None:
    ref = ok(run, "--as", "nobody", *journey.log_args(LOGGED), "--as", "officer.two").stdout.strip()

    assert ["officer.two"] == [entry["by"] for entry in history(run, ref)]


def test_an_option_s_value_that_looks_like_a_global_option_stays_its_value(run: Run) -> None:
    ref = ok(
        run, *journey.log_args(LOGGED, summary="--plain", consumer="--db"), "--as", "officer.two"
    ).stdout.strip()

    case = show(run, ref)
    assert ("--plain", "--db") == (case["summary"], case["consumer"]["name"])
    assert ["officer.two"] == [entry["by"] for entry in history(run, ref)]


def test_double_dash_ends_the_global_options_as_every_option(run: Run) -> None:
    """After `--`, `--db` is a reference like any other word: there is no such case."""
    result = run("show", "--plain", "--", "--db")

    assert 4 == result.exit_code
    assert "--db" in result.stderr


def test_each_command_s_help_lists_them_and_the_root_s_says_where_they_go(run: Run) -> None:
    for command in (("show",), ("staff", "list"), ("calendar",), ("calendar", "close")):
        listed = ok(run, *command, "--help").stdout
        assert {"--db PATH_OR_URL", "--as USERNAME", "--plain"} <= {
            line.strip().split("  ")[0] for line in listed.splitlines()
        }, command
    assert "may come before the command or after it" in " ".join(ok(run, "--help").stdout.split())


def test_a_command_with_an_option_named_as_a_global_one_is_refused() -> None:
    from complaintctl.cli import app

    @app.command("clash-test")
    def clash(db: str = typer.Option("", "--db")) -> None:
        """A command that took --db for itself."""

    try:
        with pytest.raises(TypeError, match="--db is a global option"):
            typer.main.get_command(app)
    finally:
        app.registered_commands.pop()


def test_the_installed_command_takes_them_after_the_command(store_url: str, tmp_path: Path) -> None:
    """The console script itself, in its own process, the store named only after the command
    (COMPLAINTCTL_DB names one that is not there)."""
    script = Path(sys.executable).with_name("complaintctl")
    if not script.exists():
        pytest.skip(f"no installed console script beside {sys.executable}")
    env = {**os.environ, "COMPLAINTCTL_DB": str(tmp_path / "missing.sqlite3")}
    result = subprocess.run(
        [str(script), "staff", "list", "--plain", "--db", store_url, "--as", "sam.senior"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert (0, "") == (result.returncode, result.stderr)
    assert "officer.one\tOlu One\tofficer" in result.stdout


def test_every_choice_is_read_in_any_case(run: Run) -> None:
    """`--role Officer`, `--format PDF`: a word from a list is the word, whatever its case, as
    channel and category always were."""
    from typer.core import TyperGroup

    from complaintctl.cli import app

    def choices(command: object, path: str) -> Iterator[tuple[str, bool]]:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from choices(sub, f"{path} {name}")
            return
        for param in getattr(command, "params", ()):
            if getattr(param.type, "name", "") == "choice":
                yield f"{path} {param.name}", param.type.case_sensitive

    assert [] == [name for name, sensitive in choices(typer.main.get_command(app), "") if sensitive]
    result = run(
        "--as", "sam.senior", "staff", "add", "new.one", "--name", "N", "--role", "Officer"
    )
    assert 0 == result.exit_code, result.stderr
