"""Every command's --json holds to complaintctl.schema, and the README's examples do too."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl.schema import SHAPES, STEP_COMMANDS, problems, version_problems
from tests.cli.conftest import Run

README = Path(__file__).parents[2] / "README.md"
NOW = "2026-12-02 12:00:00"


def valid(name: str, text: str) -> list[str]:
    """What is wrong with `text` as the JSON shape `name` prints (nothing: all is well)."""
    shape = SHAPES[name][0]
    if name == "export":
        records = [json.loads(line) for line in text.splitlines()]
        return [p for r in records for p in problems(r, shape) + version_problems(r)]
    data = json.loads(text)
    return problems(data, shape) + version_problems(data)


@pytest.fixture
def demo(run: Run, tmp_path: Path) -> Any:
    """A demo store, and a way to run a command on it as sam (a senior role)."""
    path = tmp_path / "demo.sqlite3"
    with freeze_time(NOW):
        assert 0 == run("demo", "--into", str(path)).exit_code

    def on_demo(*args: str, input: str | None = None, code: int = 0) -> str:
        with freeze_time(NOW):
            result = run("--db", str(path), "--as", "sam", *args, input=input)
        assert result.exit_code == code, (args, result.stderr)
        return result.stdout

    return on_demo


def test_every_command_prints_json_of_the_shape_the_schema_names(demo: Any, tmp_path: Path) -> None:
    refs = [f"SC-2026-{n:06}" for n in range(1, 11)]
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "consumer,email,channel,category,summary,received_at\n"
        "Ann Smith,ann@example.com,email,delay,Slow,2026-12-01T10:00\n"
        "Bad Row,bad,email,delay,Slow,2026-12-01T10:00\n"
    )
    printed: list[tuple[str, str, str]] = [
        ("case", "log", demo(
            "log", "--consumer", "Ann Smith", "--email", "ann@example.com", "--channel", "email",
            "--category", "delay", "--summary", "Slow", "--json",
        )),
        *[("case", "show", demo("show", ref, "--json")) for ref in refs],
        *[("history", "history", demo("history", ref, "--json")) for ref in refs],
        ("explain", "explain", demo("explain", "SC-2026-000001", "--json")),
        ("explain", "explain", demo("explain", "SC-2026-000008", "referral-window", "--json")),
        ("explain", "explain", demo("explain", "SC-2026-000008", "action", "--json")),
        ("queue", "queue", demo("queue", "--json")),
        ("overdue", "overdue", demo("overdue", "--due-within", "1d", "--json")),
        ("calendar", "calendar", demo("calendar", "--json")),
        ("calendar change", "calendar close", demo(
            "calendar", "close", "2026-12-18", "--reason", "Office move", "--dry-run", "--json"
        )),
        ("calendar change", "calendar set", demo(
            "calendar", "set", "--zone", "Europe/Dublin", "--dry-run", "--json"
        )),
        ("step", "ack", demo("ack", "SC-2026-000001", "--area", "Casework", "--json")),
        ("step", "ack", demo(  # one can take it, one cannot (acknowledged above): exit 9
            "ack", "SC-2026-000002", "SC-2026-000001", "--area", "Casework", "--dry-run", "--json",
            code=9,
        )),
        ("step", "note", demo("note", "SC-2026-000001", "--text", "Called", "--json")),
        ("step", "edit", demo(
            "edit", "SC-2026-000001", "--category", "other", "--reason", "Misfiled", "--json"
        )),
        ("import", "import", demo("import", str(batch), "--dry-run", "--skip-invalid", "--json",
                                   code=9)),  # one row of two rejected, on a dry run
        ("export", "export --format jsonl", demo("export", "--format", "jsonl")),
        ("staff", "staff add", demo(
            "staff", "add", "nia", "--name", "Nia New", "--role", "officer", "--json"
        )),
        ("staff", "staff bind", demo("staff", "bind", "rita", "--os-login", "rita", "--json")),
        ("staff", "staff unbind", demo("staff", "unbind", "rita", "--json")),
        ("staff list", "staff list", demo("staff", "list", "--json")),
        ("restrict list", "restrict list", demo("restrict", "list", "--all", "--json")),
        ("restriction", "restrict add", demo(
            "restrict", "add", "--email", "ann@example.com", "--scope", "procedure",
            "--reason", "Abusive calls", "--json",
        )),
        ("consumer update", "consumer update", demo(
            "consumer", "update", "--email", "ann@example.com", "--prefers", "post", "--json"
        )),
        ("consumer show", "consumer show", demo(
            "consumer", "show", "--email", "ann@example.com", "--json"
        )),
        ("retention policy", "retention policy", demo(
            "retention", "policy", "--years", "7", "--reason", "Board decision", "--json"
        )),
        ("hold", "hold add", demo("hold", "add", "SC-2026-000009", "--reason", "Claim", "--json")),
        ("hold list", "hold list", demo("hold", "list", "--all", "--json")),
        ("retention list", "retention list", demo(
            "retention", "list", "--as-of", "2034-01-01", "--json"
        )),
        ("anonymised", "retention apply", demo("retention", "apply", "--dry-run", "--json")),
        ("hold", "hold lift", demo("hold", "lift", "1", "--reason", "Settled", "--json")),
        ("sar", "sar open", demo(
            "sar", "open", "--email", "ann@example.com", "--received", "2026-11-30T10:00",
            "--json",
        )),
        ("sar", "sar extend", demo(
            "sar", "extend", "1", "--months", "1", "--reason", "Numerous records", "--json"
        )),
        ("sar", "sar done", demo(
            "sar", "done", "1", "-o", str(tmp_path / "sar.json"), "--json"
        )),
        ("sar", "sar show", demo("sar", "show", "1", "--json")),
        ("sar list", "sar list", demo("sar", "list", "--json")),
        ("db status", "db status", demo("db", "status", "--json")),
        ("db verify", "db verify", demo("db", "verify", "--json")),
        ("find", "find", demo("find", "ann", "--json")),
        ("letter", "letter", demo(
            "letter", "SC-2026-000008", "final-response", "--format", "html", "--issue",
            "-o", str(tmp_path / "final.html"), "--json",
        )),
        ("letter --list", "letter --list", demo("letter", "SC-2026-000008", "--list", "--json")),
        ("letter check", "letter check", demo("letter", "check", "--json")),
        ("report", "report", demo(
            "report", "--period", "2026-Q4", "--by", "area", "--compare", "previous", "--json"
        )),
        ("cause", "cause add", demo("cause", "add", "lost-post", "--words", "Post lost",
                                    "--json")),
        ("cause list", "cause list", demo("cause", "list", "--json")),
        ("action", "action add", demo(
            "action", "add", "SC-2026-000001", "--what", "Call back", "--owner", "sam",
            "--within", "2d", "--kind", "remedy", "--json",
        )),
        ("action", "action reassign", demo(
            "action", "reassign", "2", "--to", "olu", "--reason", "Sam is away", "--json"
        )),
        ("action", "action done", demo("action", "done", "2", "--note", "Called", "--json")),
        ("action list", "action list", demo("action", "list", "--json")),
        ("config", "config", demo("config", "--json")),
    ]  # fmt: skip

    assert [] == [(name, p) for name, _, text in printed for p in valid(name, text)]
    assert {name for name, _, _ in printed} == set(SHAPES)


def test_every_step_command_is_named_in_the_schema(run: Run) -> None:
    from complaintctl.cli.app import commands

    steps = {
        command.name
        for command in commands.registered_commands
        if command.callback is not None and "refs" in command.callback.__annotations__
    }
    assert set(STEP_COMMANDS) == steps


def test_every_command_with_json_prints_a_shape_of_the_schema() -> None:
    """A command taking --json is named by a shape (so the test above holds it to one)."""
    import typer.main

    from complaintctl.cli.app import app

    def with_json(command: Any, path: str) -> list[str]:
        if hasattr(command, "commands"):
            return [
                name
                for word, sub in command.commands.items()
                for name in with_json(sub, f"{path} {word}".strip())
            ]
        return [path] if any("--json" in getattr(p, "opts", ()) for p in command.params) else []

    named = {name.split(" --")[0] for _, names in SHAPES.values() for name in names}
    assert [] == [name for name in with_json(typer.main.get_command(app), "") if name not in named]


def test_the_show_and_explain_of_a_clock_give_the_same_minutes(demo: Any) -> None:
    names = ("left_working_minutes", "late_working_minutes", "left_calendar_minutes",
             "late_calendar_minutes")  # fmt: skip
    shown = {
        (ref, d["kind"]): [d[name] for name in names]
        for ref in ("SC-2026-000004", "SC-2026-000007", "SC-2026-000008")
        for d in json.loads(demo("show", ref, "--json"))["deadlines"]
        if d["outcome"] != "cancelled"
    }
    explained = {
        (ref, kind): [json.loads(demo("explain", ref, kind, "--json"))["status"][n] for n in names]
        for ref, kind in shown
    }
    assert explained == shown
    assert [None, None] == shown[("SC-2026-000008", "referral-window")][:2]


# -- the README ------------------------------------------------------------------------------


def readme_examples() -> list[tuple[str, Any]]:
    """The README's JSON examples (under "JSON output"), each with the shape it is marked as
    showing (`<!-- schema: NAME -->` before its block)."""
    section = README.read_text(encoding="utf-8").split("\n## JSON output\n")[1].split("\n## ")[0]
    return [
        (name, json.loads(block))
        for name, block in re.findall(r"<!-- schema: (.+?) -->\n```json\n(.*?)\n```", section,
                                      re.DOTALL)
    ]  # fmt: skip


def test_the_readme_shows_every_json_shape_once() -> None:
    assert sorted(SHAPES) == sorted(name for name, _ in readme_examples())


@pytest.mark.parametrize(("name", "example"), readme_examples(), ids=lambda v: str(v)[:20])
def test_each_readme_example_has_the_fields_and_types_of_its_schema(
    name: str, example: Any
) -> None:
    # "…" in an example stands for any value, and for fields left out of an object.
    assert [] == problems(example, SHAPES[name][0], elided="…") + version_problems(example)


def test_the_readme_s_schema_history_ends_at_this_schema_in_a_version_released_by_now() -> None:
    # It said schema 2 came with complaintctl 0.3, while 0.2.0 (this package) prints it.
    from complaintctl import __version__
    from complaintctl.views import JSON_SCHEMA_VERSION

    changes = re.findall(
        r"\*\*From schema (\d+) to (\d+)\*\* \(complaintctl ([\d.]+)[;)]", README.read_text("utf-8")
    )
    *_, (_, last, version) = changes

    def release(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    assert int(last) == JSON_SCHEMA_VERSION
    assert release(version) <= release(__version__)
