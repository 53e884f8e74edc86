"""The help as a person reads it: commands in groups with whole summaries, placeholders in
words, an example for every command, as wide as the terminal."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from complaintctl.cli import app
from complaintctl.cli.helptext import EXAMPLES, GROUPS

runner = CliRunner()


def help_of(*path: str, columns: int = 100) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(columns)})
    assert 0 == result.exit_code, result.output
    return result.stdout


def every_command() -> list[tuple[str, ...]]:
    """Each command's path below the program, groups' own commands included."""
    import typer

    root = typer.main.get_command(app)
    ctx = root.make_context("complaintctl", ["--as", "x"])
    paths: list[tuple[str, ...]] = []
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        if subs:
            paths += [(name, sub) for sub in subs]
        if not subs or name == "calendar":  # the calendar group shows it when run bare
            paths.append((name,))
    return paths


def test_the_root_lists_every_command_under_a_group_with_its_summary_whole() -> None:
    text = help_of()
    grouped = {name for _, names in GROUPS for name in names}
    listed = {path[0] for path in every_command()}
    assert set() == listed - grouped, "every command belongs to a group of the help"
    for heading, _ in GROUPS:
        assert f"\n{heading}:\n" in text
    assert "..." not in text.split("Options:")[1]
    db_summary = "The store itself: its schema revision, upgrades, backups, checks"
    assert re.search(rf"\n  db +{db_summary}\n", text)


def test_a_listing_never_cuts_a_summary_inside_its_brackets() -> None:
    # "(senior roles; recorded)": the ';' in brackets ends no sentence.
    import typer

    from complaintctl.cli.helptext import summary

    root = typer.main.get_command(app)
    for path in every_command():
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        listed = summary(command)
        assert listed.count("(") == listed.count(")"), (path, listed)
    bind_logins = root.commands["db"].commands["bind-logins"]  # type: ignore[attr-defined]
    assert summary(bind_logins).startswith(
        "SQLite: map operating-system logins to staff (senior roles; recorded): "
    )


def test_no_help_writes_a_placeholder_as_a_type_or_in_braces() -> None:
    for path in every_command():
        text = help_of(*path)
        assert not any(mark in text for mark in ("<str>", "<int", "{", "9223372036854775807")), (
            path,
            text,
        )


@pytest.mark.parametrize("path", every_command(), ids=" ".join)
def test_every_command_ends_its_help_with_an_example_it_would_accept(
    path: tuple[str, ...],
) -> None:
    key = " ".join(path)
    assert key in EXAMPLES, f"no example for {key}"
    text = help_of(*path, columns=200)
    assert f"Example:\n    {EXAMPLES[key]}" in text
    assert 1 == text.count("Example:"), "an example of its own in the docstring too"
    # The example's options are the command's own: parsing it finds no unknown option. What
    # follows it is a shell comment, so the whole line can be pasted as it is.
    words = shlex.split(EXAMPLES[key], comments=True)[1:]
    result = runner.invoke(app, [*words, "--help"])
    assert 0 == result.exit_code, result.output


def test_help_is_as_wide_as_the_terminal() -> None:
    # A real process: the test runner pins help to 80 columns.
    def widest(columns: int) -> int:
        text = subprocess.run(
            [sys.executable, "-m", "complaintctl", "queue", "--help"],
            env={**os.environ, "COLUMNS": str(columns)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return max(len(line) for line in text.splitlines())

    assert (True, True) == (widest(160) > 100, widest(70) <= 70)


def test_queue_offers_only_the_stages_it_can_list() -> None:
    text = " ".join(help_of("queue").split()).replace("- ", "-")  # rejoin words wrapped at "-"
    assert "received, first-stage, responded, second-stage, final-response, referred." in text
    assert "closed" not in text.split("--stage")[1].split("--area")[0]


def test_consumer_erase_help_names_everything_that_refuses_it() -> None:
    """The help named open cases, holds and restrictions; an action not done, a
    subject-access request not answered and an open referral window refuse it too."""
    text = " ".join(help_of("consumer", "erase").split())
    for refusing in ("open", "legal hold", "restriction", "action not done",
                     "subject-access request not answered", "referral window"):  # fmt: skip
        assert refusing in text, refusing


@pytest.mark.parametrize("path", every_command(), ids=" ".join)
def test_a_command_s_help_names_dry_run_only_where_it_takes_it(path: tuple[str, ...]) -> None:
    """`edit --if-version`'s help said what happens 'with --dry-run', which edit has not."""
    import typer

    command = typer.main.get_command(app)
    ctx = command.make_context("complaintctl", ["--as", "x"])
    for name in path:
        command = command.get_command(ctx, name)  # type: ignore[attr-defined]
    takes = any("--dry-run" in getattr(param, "opts", ()) for param in command.params)
    assert takes or "--dry-run" not in help_of(*path)


@pytest.mark.parametrize(("command", "checks"), [("note", False), ("incident", False),
                                                 ("ack", True), ("assign", True)])  # fmt: skip
def test_ref_help_says_a_moved_on_version_is_refused_only_where_the_step_checks_it(
    command: str, checks: bool
) -> None:
    # A note or an incident takes no --if-version: stdin's versions are not checked there.
    shown = " ".join(help_of(command, columns=200).split())
    assert (checks, checks) == ("version moved on" in shown, "--if-version" in shown)
