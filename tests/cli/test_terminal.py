"""What happens only at a terminal: `close` asks first. Run in a real pseudo-terminal, as a
person would meet it; in a pipe it never asks."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens as ok
from tests.cli.journey import log_case, show

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def at_a_terminal(*args: str, answer: str) -> tuple[int, str]:
    """Run complaintctl with stdin, stdout and stderr on a pseudo-terminal; answer its
    question with `answer`; its exit status and all it wrote."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "complaintctl", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    status = process.wait(timeout=60)
    os.close(leader)
    return status, seen.decode(errors="replace").replace("\r\n", "\n")


def test_close_at_a_terminal_asks_first_and_no_writes_nothing_and_fails(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")

    def recorded() -> dict[str, Any]:
        # As of one fixed instant: the working minutes left would change as the clock passes
        # a minute between the two reads, and the program here runs on the real clock.
        shown = ok(run, "show", ref, "--json", "--as-of", "2026-12-01T12:00:00+00:00").stdout
        return {k: v for k, v in json.loads(shown).items() if k != "as_of"}

    before = recorded()

    status, seen = at_a_terminal("close", ref, "--reason", "withdrawn", answer="n")

    # Not 0: `close … && next-step` at a terminal must not go on as if it had closed.
    assert 13 == status, seen  # README, "Exit status"
    assert f"Close {ref} as withdrawn? Only a senior can reopen it [y/N]" in seen
    assert seen.rstrip().endswith("Not closed."), seen
    assert before == recorded()


def test_close_at_a_terminal_closes_once_confirmed(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")

    status, seen = at_a_terminal("close", ref, "--reason", "withdrawn", answer="y")

    assert (0, "closed") == (status, show(run, ref)["stage"]), seen
    assert f"Closed {ref}: withdrawn" in seen


def test_close_at_a_terminal_asks_only_when_the_case_can_be_closed(run: Run) -> None:
    closed = log_case(run, at="2026-11-30T10:00")
    ok(run, "close", closed, "--reason", "withdrawn")

    # Each refused as it is without the question: its own error and exit status, unasked.
    for args, status, error in [
        ((closed, "--reason", "withdrawn"), 5, f"cannot close {closed}: it is at stage closed"),
        (("SC-2026-999999", "--reason", "withdrawn"), 4, "no case SC-2026-999999"),
        ((closed, "--reason", "out-of-scope"), 2, "say why it is out of scope"),
    ]:
        seen_status, seen = at_a_terminal("close", *args, answer="n")
        assert (status, False) == (seen_status, "[y/N]" in seen), seen
        assert f"Error: {error}" in seen, seen


def test_close_at_a_terminal_asks_of_the_cases_that_can_be_closed(run: Run) -> None:
    closed = log_case(run, at="2026-11-30T10:00")
    ok(run, "close", closed, "--reason", "withdrawn")
    first = log_case(run, at="2026-11-30T11:00")
    second = log_case(run, at="2026-11-30T12:00")

    # All or nothing: one refusal refuses them all (exit 9), so there is nothing to ask.
    status, seen = at_a_terminal("close", closed, first, "--reason", "withdrawn", answer="y")
    assert (9, False, "received") == (status, "[y/N]" in seen, show(run, first)["stage"]), seen

    status, seen = at_a_terminal(
        "close", closed, first, second, "--reason", "withdrawn", "--continue-on-error",
        answer="y",
    )  # fmt: skip
    assert "Close 2 cases as withdrawn? Only a senior can reopen it [y/N]" in seen, seen
    assert (10, "closed") == (status, show(run, second)["stage"]), seen


def test_close_yes_and_close_in_a_pipe_never_ask(run: Run) -> None:
    first = log_case(run, at="2026-11-30T10:00")
    second = log_case(run, at="2026-11-30T11:00")

    status, seen = at_a_terminal("close", first, "--reason", "withdrawn", "--yes", answer="n")
    assert (0, "closed") == (status, show(run, first)["stage"]), seen
    assert "[y/N]" not in seen
    # CliRunner's stdin is not a terminal: nothing to ask.
    ok(run, "close", second, "--reason", "withdrawn")
    assert "closed" == show(run, second)["stage"]


def test_a_long_listing_at_a_terminal_goes_through_the_pager_and_never_in_a_pipe(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for hour in range(10, 16):
        log_case(run, at=f"2026-11-30T{hour}:00")
    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.stdin.read())\""
    monkeypatch.setenv("PAGER", f"{pager} {paged}")
    monkeypatch.setenv("LINES", "8")  # six cases and the title, header and counts: too long

    piped = subprocess.run(
        [sys.executable, "-m", "complaintctl", "queue", "--limit", "0"],
        capture_output=True, text=True, check=True, env=os.environ,
    )  # fmt: skip
    assert (False, 6) == (paged.exists(), len(piped.stdout.splitlines()))

    status, _ = at_a_terminal("queue", "--limit", "0", answer="")
    assert (0, 6) == (status, paged.read_text().count("SC-2026-"))
