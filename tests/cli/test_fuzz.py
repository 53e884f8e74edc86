"""No traceback, ever, from input or environment: commands with arguments and import rows made up
at random, hostile where they can be, each end with a known exit status (never 1) and no
traceback.

A few examples in the quick run; .ci/run runs many more (COMPLAINTCTL_LONG_PROPERTIES=1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from tests.cli import journey
from tests.cli.conftest import Run
from tests.conftest import examples

pytestmark = pytest.mark.properties

NASTY = [
    "",
    " ",
    "-",
    "--",
    "\x00",
    "\x1b[2J",
    "\udcff",  # a byte that is not UTF-8, as Python reads it from the command line
    "\u202e",
    "٣",
    "٤h",
    "9" * 5000,
    "-1",
    "0",
    "a" * 300,
    "[" * 1000,
    "2000-01-01T00:00+14:00",
    "1999-12-31T23:59",
    "2026-03-29T01:30",
    "2026-10-25T01:30",
    "2026-12-01",
    "2026-12-01T10:00",
    "nan",
    "SC-2026-000001",
    "SC-٢٠٢٦-٠٠٠٠٠١",
    "sam.senior",
    "officer.one",
    "Casework",
    "upheld",
    "email",
    "delay",
    "procedure",
    "/dev/full",
    "/",
]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))

# Each command, and the options it takes (the flags among them take no value).
COMMANDS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("log",): ("--consumer", "--email", "--address", "--channel", "--category", "--summary",
               "--dispute", "--board", "--about", "--prefers", "--adjustment", "--at", "--json",
               "--override-restriction", "--resolved-informally"),
    ("ack",): ("--area", "--out-of-time-reason", "--at", "--dry-run", "--json", "--if-version",
               "--continue-on-error"),
    ("assign",): ("--to", "--at", "--dry-run", "--json"),
    ("respond",): ("--decision", "--summary", "--remedy", "--goodwill", "--at", "--json"),
    ("extend",): ("--until", "--reason", "--at", "--json"),
    ("escalate",): ("--to", "--reason", "--at"),
    ("final",): ("--decision", "--summary", "--goodwill", "--at"),
    ("refer",): ("--outcome", "--recommendation", "--late-reason", "--at"),
    ("close",): ("--reason", "--because", "--note", "--at"),
    ("incident",): ("--note", "--at"),
    ("queue",): ("--stage", "--area", "--owner", "--mine", "--unassigned", "--breached",
                 "--due-within", "--category", "--board", "--warn-within", "--as-of", "--json",
                 "--csv"),
    ("overdue",): ("--kind", "--due-within", "--as-of", "--json", "--csv", "--exit-code"),
    ("show",): ("--as-of", "--json"),
    ("history",): ("--json",),
    ("explain",): ("--as-of", "--json"),
    ("export",): ("--format", "--stage", "--from", "--to", "--owner"),
    ("staff", "add"): ("--name", "--role", "--area", "--at"),
    ("staff", "list"): ("--all", "--json"),
    ("restrict", "add"): ("--scope", "--reason", "--email", "--consumer-id", "--dispute",
                          "--channel", "--via", "--review", "--at"),
    ("restrict", "lift"): ("--reason", "--at"),
    ("consumer", "update"): ("--email", "--consumer-id", "--prefers", "--adjustment",
                             "--drop-adjustment"),
    ("calendar",): ("--as-of", "--json"),
    ("calendar", "close"): ("--reason", "--retroactive", "--dry-run", "--at"),
    ("calendar", "reopen"): ("--retroactive", "--dry-run"),
    ("calendar", "holidays"): ("--through",),
    ("db", "status"): ("--json",),
}  # fmt: skip
FLAGS = {"--board", "--json", "--dry-run", "--continue-on-error", "--mine", "--unassigned",
         "--breached", "--csv", "--exit-code", "--all"}  # fmt: skip
# Commands that take a positional argument first (a reference, a username, a date, an id).
POSITIONAL = {("ack",), ("assign",), ("respond",), ("extend",), ("escalate",), ("final",),
              ("refer",), ("close",), ("incident",), ("show",), ("history",), ("explain",),
              ("staff", "add"), ("restrict", "lift"), ("calendar", "close"),
              ("calendar", "reopen")}  # fmt: skip


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    args: list[str] = []
    if draw(st.booleans()):
        args += ["--as", draw(st.sampled_from(["sam.senior", "officer.one", "nobody", "\x1b"]))]
    if draw(st.integers(0, 5)) == 0:
        args.append("--plain")
    args += list(command)
    if command in POSITIONAL:
        args.append(draw(VALUES))
    for option in draw(st.lists(st.sampled_from(COMMANDS[command]), max_size=6, unique=True)):
        args += [option] if option in FLAGS else [option, draw(VALUES)]
    return args


def no_traceback(result: Result) -> None:
    shown = (result.stdout or "") + (result.stderr or "")
    assert "Traceback" not in shown
    assert result.exit_code != 1, (result.exit_code, shown, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@settings(
    max_examples=examples(60, 1500),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=command_lines())
def test_any_command_line_ends_in_a_known_exit_status_without_a_traceback(
    run: Run, args: list[str]
) -> None:
    with freeze_time("2026-12-04 12:00:00"):
        no_traceback(run(*args))


# -- import rows -----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        VALUES,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
FIELDS = ["consumer", "email", "address", "channel", "category", "summary", "dispute",
          "received_at", "board", "about", "preferred_contact", "adjustments",
          "source_id"]  # fmt: skip
GOOD = {"consumer": "Ann", "email": "ann@example.com", "channel": "email",
        "category": "delay", "summary": "No reply", "received_at": "2026-11-30T10:00"}  # fmt: skip


@st.composite
def json_lines(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 3))
        if kind == 0:  # a good row with hostile values in some fields
            row: dict[str, Any] = dict(GOOD)
            for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
                row[name] = draw(JSON_VALUES)
            lines.append(json.dumps(row))
        elif kind == 1:
            lines.append(json.dumps(draw(JSON_VALUES)))
        elif kind == 2:
            lines.append("[" * draw(st.integers(1, 100_000)))
        else:
            lines.append(draw(VALUES))
    return "\n".join(lines) + "\n"


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from([*FIELDS, "extra", ""]), min_size=1, max_size=14))
    rows = [
        ",".join(json.dumps(draw(VALUES)) for _ in range(draw(st.integers(0, len(header) + 2))))
        for _ in range(draw(st.integers(0, 3)))
    ]
    return "\n".join([",".join(header), *rows]) + "\n"


@settings(
    max_examples=examples(40, 800),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.one_of(json_lines(), csv_texts()),
    how=st.sampled_from(["file", "stdin", "skip"]),
)
def test_any_import_batch_ends_in_a_known_exit_status_without_a_traceback(
    run: Run, tmp_path: Path, text: str, how: str
) -> None:
    fmt = "jsonl" if text.lstrip().startswith(("{", "[")) or '"' not in text else "csv"
    # As bytes: half a character (a lone surrogate) arrives as the bytes that would carry it.
    data = text.encode("utf-8", errors="surrogatepass")
    with freeze_time("2026-12-04 12:00:00"):
        if how == "stdin":
            result = run("import", "-", "--format", fmt, input=data)
        else:
            batch = tmp_path / f"batch.{fmt}"
            batch.write_bytes(data)
            extra = ["--skip-invalid", "--force"] if how == "skip" else []
            result = run("import", str(batch), *extra)
    no_traceback(result)


def test_stdin_refs_nested_too_deep_or_too_large_are_one_error_line(run: Run) -> None:
    journey.log_case(run, at="2026-11-30T10:00")
    for text in ("[" * 100_000, "[" + "9" * 5000 + "]"):
        result = run("ack", "-", "--area", "Casework", input=text)
        no_traceback(result)
        assert (2, ["Error: stdin is not JSON complaintctl can read"]) == (
            result.exit_code,
            result.stderr.splitlines(),
        )
    # Half a character: no case could have that reference.
    result = run("ack", "-", "--area", "Casework", input='["\\ud800"]')
    assert (
        2,
        [
            "Error: item 1 of stdin JSON: '\\ud800' is not a case reference (they look like"
            " SC-2026-000001)"
        ],
    ) == (
        result.exit_code,
        result.stderr.splitlines(),
    )
