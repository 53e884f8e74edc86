"""Carrying a case through the procedure on the command line, for the CLI tests.

As tests/service/journey.py does at the service layer: each helper runs the real command
(CliRunner) as the person who would take the step, with an explicit --at, as though it were
typed then (a step recorded after a deadline it is dated before is met late), and asserts it
succeeded. The team is tests.conftest.TEAM: officer.one logs and acknowledges, lee.leader
assigns, rita.responder responds, hana.handler takes the second stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from typer.testing import Result

from complaintctl.domain.instants import parse_instant
from tests.cli.conftest import Run

LONDON = ZoneInfo("Europe/London")


def ok(run: Run, *args: str) -> Result:
    """Run a command that must succeed."""
    result = run(*args)
    assert 0 == result.exit_code, result.stderr
    return result


@contextmanager
def recorded_at(at: str) -> Iterator[None]:
    """Now is `at` (ISO 8601, London time unless it has an offset): a command typed then."""
    with freeze_time(parse_instant(at, LONDON)):
        yield


def when_typed(args: tuple[str, ...] | list[str]) -> AbstractContextManager[None]:
    """Now as the command's own --at says, if it has one: a step recorded as it happens."""
    args = list(args)
    return recorded_at(args[args.index("--at") + 1]) if "--at" in args else nullcontext()


def as_it_happens(run: Run, *args: str) -> Result:
    """Run a command that must succeed, typed at its own --at (else now)."""
    with when_typed(args):
        return ok(run, *args)


def step(run: Run, at: str, *args: str) -> Result:
    """Run a command that must succeed, typed at `at`, with --at `at`."""
    with recorded_at(at):
        return ok(run, *args, "--at", at)


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
    """Log a complaint by `by`, as it is received; its new reference."""
    with recorded_at(at):
        return ok(run, "--as", by, *log_args(at, **options), *extra).stdout.strip()


def ack(run: Run, ref: str, *, at: str, area: str = "Casework") -> None:
    step(run, at, "--as", "officer.one", "ack", ref, "--area", area)


def assign(run: Run, ref: str, *, at: str, to: str = "rita.responder") -> None:
    step(run, at, "--as", "lee.leader", "assign", ref, "--to", to)


def respond(
    run: Run,
    ref: str,
    *,
    at: str,
    by: str = "rita.responder",
    decision: str = "not-upheld",
    summary: str = "We did reply",
) -> None:
    step(run, at, "--as", by, "respond", ref, "--decision", decision, "--summary", summary)


def escalate(run: Run, ref: str, *, at: str, to: str = "hana.handler") -> None:
    step(run, at, "--as", "officer.one", "escalate", ref, "--to", to)


def final(
    run: Run,
    ref: str,
    *,
    at: str,
    by: str = "hana.handler",
    decision: str = "not-upheld",
    summary: str = "The first response was fair",
) -> None:
    step(run, at, "--as", by, "final", ref, "--decision", decision, "--summary", summary)


def show(run: Run, ref: str) -> dict[str, Any]:
    """`show --json` of the case."""
    case: dict[str, Any] = json.loads(ok(run, "show", ref, "--json").stdout)
    return case


def history(run: Run, ref: str) -> list[dict[str, Any]]:
    """The case's history entries, as `history --json` gives them."""
    entries: list[dict[str, Any]] = json.loads(ok(run, "history", ref, "--json").stdout)["history"]
    return entries
