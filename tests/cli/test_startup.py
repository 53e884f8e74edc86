"""Start-up is felt on every command: --help and completion must not load the store stack.

Real subprocesses, and no timings: the test asserts which modules were imported.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

HEAVY = {"sqlalchemy", "sqlmodel", "pydantic", "holidays", "rich"}

# Runs the console script's main() and reports, at exit, the top-level modules loaded.
PROBE = """
import atexit, sys
def report():
    print("MODULES", *sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)
atexit.register(report)
from complaintctl import main
sys.argv = ["complaintctl", *sys.argv[1:]]
main()
"""


def _loaded(args: list[str], env: dict[str, str] | None = None) -> tuple[set[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:]), result.stdout


@pytest.mark.parametrize(
    "args",
    [["--help"], ["log", "--help"], ["calendar", "--help"], ["show", "--help", "--plain"]],
)
def test_help_loads_neither_the_store_stack_nor_rich(args: list[str]) -> None:
    loaded, out = _loaded(args)
    assert "Usage: complaintctl" in out
    assert set() == loaded & HEAVY


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_is_shown_without_the_store_stack(flag: str) -> None:
    loaded, out = _loaded([flag])
    assert (out.startswith("complaintctl "), set()) == (True, loaded & HEAVY)


def test_completing_a_subcommand_name_loads_neither_the_store_stack_nor_rich() -> None:
    loaded, out = _loaded(
        [],
        {
            "_COMPLAINTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": "complaintctl ov",
            "COMP_CWORD": "1",
        },
    )
    assert "overdue" == out.strip()
    assert set() == loaded & HEAVY


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("complaintctl show SC-2026-000001 --pl", "--plain"),
        ("complaintctl staff list --d", "--db"),
        ("complaintctl log --summary --as --a", "--as"),
    ],
)
def test_completing_a_global_option_after_the_command_loads_neither_the_store_stack_nor_rich(
    words: str, offered: str
) -> None:
    loaded, out = _loaded(
        [],
        {
            "_COMPLAINTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
    )
    assert offered in out.split()
    assert set() == loaded & HEAVY


@pytest.mark.parametrize(
    "words", ["complaintctl assign SC-2026-000001 --t", "complaintctl completion z"]
)
def test_completing_an_option_name_or_a_choice_loads_no_store_stack(words: str) -> None:
    loaded, out = _loaded(
        [],
        {
            "_COMPLAINTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
    )
    assert out.split() in (["--to"], ["zsh"])
    assert set() == loaded & HEAVY


@pytest.mark.parametrize("args", [["completion", "bash"], ["--show-completion", "zsh"]])
def test_printing_a_completion_script_loads_no_store_stack(args: list[str]) -> None:
    loaded, out = _loaded(args)
    assert "_complaintctl_completion" in out
    assert set() == loaded & HEAVY


def test_completing_a_username_from_the_store_loads_sqlalchemy_alone(
    new_store: Callable[[str], str],
) -> None:
    env = {"COMPLAINTCTL_DB": new_store("s")}
    _loaded(["--as", "ada", "staff", "add", "ada", "--name", "Ada", "--role", "senior-leader"], env)
    words = "complaintctl assign SC-2026-000001 --to a"
    loaded, out = _loaded(
        [],
        {**env, "_COMPLAINTCTL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"},
    )
    assert "ada" == out.strip()
    # SQLAlchemy Core for the one query; not SQLModel, its models, or the calendar.
    assert {"sqlalchemy"} == loaded & HEAVY


def test_a_read_command_on_an_existing_store_does_not_import_holidays(
    new_store: Callable[[str], str],
) -> None:
    env = {"COMPLAINTCTL_DB": new_store("s")}
    _loaded(["overdue"], env)  # creates the store, writing its bank holidays
    loaded, _ = _loaded(["overdue"], env)
    assert "holidays" not in loaded
    assert "sqlalchemy" in loaded


def _listing(format_commands: Callable[..., None], ctx: object) -> str:
    from typer._click import HelpFormatter

    formatter = HelpFormatter(width=100)
    format_commands(ctx, formatter)
    return formatter.getvalue()


def test_the_help_lists_each_command_as_building_it_would_without_building_any() -> None:
    import typer
    from typer.core import TyperGroup

    from complaintctl.cli import app, helptext
    from complaintctl.cli.app import LazyCommands

    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    assert isinstance(root.commands, LazyCommands)
    ctx = root.make_context("complaintctl", ["--as", "x"])
    listed = _listing(root.format_commands, ctx)
    assert [] == root.commands.built
    every = root.list_commands(ctx)
    assert {"log", "queue", "overdue", "import", "calendar", "db", "staff"} <= set(every)
    for name in every:
        root.get_command(ctx, name)
    assert every == root.commands.built
    # The same listing from the commands as built.
    built = [(name, root.get_command(ctx, name)) for name in every]
    assert listed == _listing(lambda c, f: helptext.write_groups(f, built, root=True), ctx)
    assert re.search(r"\n  overdue +List deadlines past due", listed)


def test_a_command_builds_only_itself() -> None:
    import typer

    from complaintctl.cli import app

    root = typer.main.get_command(app)
    with pytest.raises(SystemExit):
        root.main(["overdue", "--help"], prog_name="complaintctl")
    assert ["overdue"] == root.commands.built  # type: ignore[attr-defined]


def test_a_command_registered_on_the_root_itself_still_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import typer

    from complaintctl.cli import app

    @app.command("hello-test")
    def hello() -> None:
        typer.echo("hello")

    try:
        root = typer.main.get_command(app)
        with pytest.raises(SystemExit) as ended:
            root.main(["hello-test"], prog_name="complaintctl")
        assert (0, "hello\n") == (ended.value.code, capsys.readouterr().out)
    finally:
        app.registered_commands.pop()


def test_typer_is_the_release_the_lazy_commands_were_written_against() -> None:
    """cli/app.LazyCommands builds commands with typer.main's builders and lists them with the
    click Typer vendors (typer._click): neither is documented, so a new Typer may change them
    without notice. On an upgrade, check LazyCommands against the new release (the listing and
    build-once tests here exercise it), then move the pin in pyproject.toml and this test."""
    import typer
    from typer import _click, _completion_shared, core, main

    assert typer.__version__.startswith("0.28."), (
        f"Typer {typer.__version__} is not 0.28: check cli/app.LazyCommands against it first"
    )
    used = {
        "typer._click": ("Command", "Context", "HelpFormatter"),
        "typer._click.exceptions": ("ClickException",),
        "typer.core": ("TyperCommand", "TyperGroup", "TyperOption"),
        "typer._completion_shared": ("get_completion_script", "_get_shell_name"),
        "typer.main": (
            "get_command_from_info",
            "get_command_name",
            "get_group_from_info",
            "solve_typer_info_defaults",
        ),
    }
    modules = {
        "typer._click": _click,
        "typer._click.exceptions": _click.exceptions,
        "typer.core": core,
        "typer.main": main,
        "typer._completion_shared": _completion_shared,
    }
    assert {} == {
        module: missing
        for module, names in used.items()
        if (missing := [name for name in names if not hasattr(modules[module], name)])
    }


def test_an_interrupt_while_the_command_line_loads_is_an_abort_not_a_traceback() -> None:
    # Ctrl-C in the moment typer and rich load, before any command runs: made certain here by
    # an import that is interrupted.
    probe = """
import sys
class Interrupted:
    def find_spec(self, name, path=None, target=None):
        if name == "complaintctl.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupted())
from complaintctl import main
main()
"""
    result = subprocess.run(
        [sys.executable, "-c", probe, "queue"], capture_output=True, text=True, check=False
    )
    assert (130, "", "Error: aborted\n") == (result.returncode, result.stdout, result.stderr)
    # With stderr closed (2>&-) the message has nowhere to go: the status is still 130.
    closed = subprocess.run(
        [sys.executable, "-c", probe, "queue"],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(2),
    )
    assert (130, "") == (closed.returncode, closed.stdout)


@pytest.mark.parametrize(
    "interrupt",
    [
        # As the root's options are read (the command line parsed): Typer ended silently, 130.
        "import typer.core\n"
        "def read(self, ctx, args):\n    raise KeyboardInterrupt\n"
        "typer.core.TyperGroup.parse_args = read",
        # As Typer builds the command line from the app, before any of it is read: a traceback.
        "import typer.main\n"
        "def build(*args, **kwargs):\n    raise KeyboardInterrupt\n"
        "typer.main.get_command = build",
        # As the command ends and lets the store go, after it ran: Typer ended silently, 130.
        "import complaintctl.cli\n"
        "def close(self):\n    raise KeyboardInterrupt\n"
        "sys.modules['complaintctl.cli.app'].State.close = close",
    ],
    ids=["parsing", "building", "closing"],
)
def test_an_interrupt_at_any_moment_of_the_command_line_is_said_as_an_abort(
    interrupt: str,
) -> None:
    probe = f"import sys\n{interrupt}\nfrom complaintctl import main\nmain()\n"
    result = subprocess.run(
        [sys.executable, "-c", probe, "completion", "bash"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (130, "Error: aborted\n") == (result.returncode, result.stderr)
