"""Carrying a case through the procedure on the command line, for the CLI tests.

As tests/service/journey.py does at the service layer: each helper runs the real command
(CliRunner) as the person who would take the step, with an explicit --at, and asserts it
succeeded. The team is tests.conftest.TEAM: officer.one logs and acknowledges, lee.leader
assigns, rita.responder responds, hana.handler takes the second stage.
"""

from __future__ import annotations

import json
from typing import Any

from typer.testing import Result

from tests.cli.conftest import Run


def ok(run: Run, *args: str) -> Result:
    """Run a command that must succeed."""
    result = run(*args)
    assert 0 == result.exit_code, result.stderr
    return result


def log_args(at: str, **options: str) -> list[str]:
    """`complaintctl log` of Ann Smith's complaint (or one with `options`), at `at`."""
    values = {
        "consumer": "Ann Smith",
        "channel": "email",
        "category": "delay",
        "summary": "Nobody told me my dispute had been closed",
        "email": "ann@example.com",
        **options,
    }
    args = [part for name, value in values.items() for part in (f"--{name}", value)]
    return ["log", *args, "--at", at]


def log_case(run: Run, *extra: str, at: str, by: str = "officer.one", **options: str) -> str:
    """Log a complaint by `by`; its new reference."""
    return ok(run, "--as", by, *log_args(at, **options), *extra).stdout.strip()


def ack(run: Run, ref: str, *, at: str, area: str = "Casework") -> None:
    ok(run, "--as", "officer.one", "ack", ref, "--area", area, "--at", at)


def assign(run: Run, ref: str, *, at: str, to: str = "rita.responder") -> None:
    ok(run, "--as", "lee.leader", "assign", ref, "--to", to, "--at", at)


def respond(
    run: Run,
    ref: str,
    *,
    at: str,
    by: str = "rita.responder",
    decision: str = "not-upheld",
    summary: str = "We did reply",
) -> None:
    ok(run, "--as", by, "respond", ref, "--decision", decision, "--summary", summary, "--at", at)


def escalate(run: Run, ref: str, *, at: str, to: str = "hana.handler") -> None:
    ok(run, "--as", "officer.one", "escalate", ref, "--to", to, "--at", at)


def final(
    run: Run,
    ref: str,
    *,
    at: str,
    by: str = "hana.handler",
    decision: str = "not-upheld",
    summary: str = "The first response was fair",
) -> None:
    ok(run, "--as", by, "final", ref, "--decision", decision, "--summary", summary, "--at", at)


def show(run: Run, ref: str) -> dict[str, Any]:
    """`show --json` of the case."""
    case: dict[str, Any] = json.loads(ok(run, "show", ref, "--json").stdout)
    return case


def history(run: Run, ref: str) -> list[dict[str, Any]]:
    """The case's history entries, as `history --json` gives them."""
    entries: list[dict[str, Any]] = json.loads(ok(run, "history", ref, "--json").stdout)["history"]
    return entries
