"""The live view as a person meets it: the real program in a terminal (tmux), NO_COLOR, what
it says when it cannot start, and a --help that loads neither Textual nor the store stack."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from complaintctl.errors import EXIT_STORE
from tests.cli.test_startup import HEAVY, _loaded
from tests.live.conftest import Apps

# The colours of the window Textual draws around a screenshot (its title bar's buttons): not
# the application's.
WINDOW = {"28c840", "febc2e", "ff5f57", "c5c8c6"}


def _grey(colour: str) -> bool:
    return colour[0:2] == colour[2:4] == colour[4:6]


async def test_no_color_draws_the_queue_in_greys_alone(
    live: Apps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screenshot = app.export_screenshot()
    colours = set(re.findall(r"#([0-9a-f]{6})", screenshot)) - WINDOW
    assert [] == sorted(c for c in colours if not _grey(c))
    assert "late&#160;by&#160;76h" in screenshot  # a breach still says so, in words


def test_live_help_loads_neither_textual_nor_the_store_stack() -> None:
    loaded, out = _loaded(["live", "--help"])
    assert "Usage: complaintctl live" in out
    assert set() == loaded & (HEAVY | {"textual"})
    # Every key README names for the view, `a` (the actions) and `q` among them.
    words = " ".join(out.split())
    assert "`action add` or `action done` (a)" in words
    assert "q quits" in words


def test_live_without_a_store_says_so_before_taking_over_the_terminal(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", str(tmp_path / "none.sqlite3"), "live"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COMPLAINTCTL_USER": "olu"},
    )
    assert (EXIT_STORE, "") == (result.returncode, result.stdout)
    assert result.stderr.startswith("Error: there is no store at ")


# -- the real program in a terminal -------------------------------------------------------

TMUX = shutil.which("tmux")


@pytest.fixture(params=["xterm-256color"])
def terminal(demo_store: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:
    """`terminal(*keys)`: send keys to `complaintctl live` running as olu on the demo store in
    an 80×24 tmux pane of its own server (its TERM the parameter); the pane's text afterwards
    (`escapes=True`: with its colours, as escape sequences)."""
    if TMUX is None:
        pytest.skip("needs tmux")
    socket = f"complaintctl-live-{uuid.uuid4().hex[:8]}"
    tmux = [TMUX, "-L", socket, "-f", os.devnull]
    env = {
        "COMPLAINTCTL_DB": demo_store,
        "COMPLAINTCTL_USER": "olu",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "TERM": request.param,
        "COLORTERM": "",
    }
    command = " ".join(
        [
            "env",
            *(f"{name}={value}" for name, value in env.items()),
            sys.executable,
            "-m",
            "complaintctl",
            "live",
        ]
    )
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "live", "-x", "80", "-y", "24", command], check=True
    )

    def pane(escapes: bool = False) -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", *(["-e"] if escapes else []), "-t", "live"],
            capture_output=True,
            text=True,
        ).stdout

    def send(*keys: str, until: str = "", within: float = 30.0, escapes: bool = False) -> str:
        if keys:
            subprocess.run([*tmux, "send-keys", "-t", "live", *keys], check=True)
        # What the pane shows once `until` is there and the drawing has settled (the same
        # twice running): a person reads a screen, not a frame half drawn.
        deadline = time.monotonic() + within
        last = None
        while True:
            shown = pane(escapes)
            if (until in shown and shown == last) or time.monotonic() > deadline:
                return shown
            last = shown
            time.sleep(0.3)

    try:
        yield send
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, check=False)


def test_an_officer_opens_a_case_and_notes_a_call_in_a_real_terminal(
    terminal: Callable[..., str],
) -> None:
    queue = terminal(until="SC-2026-000010")
    assert "complaintctl live · acting as olu (officer)" in queue
    assert "SC-2026-000010  R  Nikola" in queue  # the most overdue, whatever the day (how late
    # it is, which widens with the real clock, may narrow the name)
    assert "9 open · " in queue
    case = terminal("Enter", until="Reference")
    assert "Reference       SC-2026-000010 (version 1)" in case
    picker = terminal("t", until="Take a step (Esc: cancel)")
    assert "close: Close the case" in picker
    terminal("Down", "Enter", until="--text")  # close, then note
    terminal("Called to say the response is on its way", until="on its way")
    done = terminal("Enter", until="Noted on")
    assert "Noted on SC-2026-000010" in done
    back = terminal("Escape", until="Ref ")
    assert "SC-2026-000010  R  Nikola" in back
    terminal("q")


def test_the_slash_key_searches_in_a_real_terminal(terminal: Callable[..., str]) -> None:
    terminal(until="SC-2026-000010")
    terminal("/", until="Search as find does")
    found = terminal("Lovelace", "Enter", until="found for")
    assert "1 found for 'Lovelace'" in found
    assert "SC-2026-000003" in found


@pytest.mark.parametrize("terminal", ["xterm"], indirect=True)
def test_a_terminal_of_16_colours_shows_a_breach_in_its_red(terminal: Callable[..., str]) -> None:
    shown = terminal(until="SC-2026-000003", escapes=True)
    ada = next(line for line in shown.splitlines() if "SC-2026-000003" in line)
    assert "\x1b[1m\x1b[31mlate by " in ada  # bold, the terminal's own red


def test_an_acknowledgement_a_search_and_q_to_quit_in_a_real_terminal(
    terminal: Callable[..., str],
) -> None:
    terminal(until="SC-2026-000003")
    # Ada Lovelace's is the third most urgent: acknowledged to Casework.
    terminal("Down", "Down", "Enter", until="Reference       SC-2026-000003")
    terminal("t", until="Take a step (Esc: cancel)")
    terminal("Enter", until="--area")
    terminal("Casework", "Enter", until="Casework")
    acked = terminal("Enter", until="Acknowledged")
    terminal("Escape", until="9 open")  # alone: Escape and a key at once read as Alt+key
    terminal("/", until="Search as find does")
    searched = terminal("Lovelace", "Enter", until="found for")
    terminal("Escape", until="9 open")
    terminal("q")
    deadline = time.monotonic() + 30
    while terminal(within=1) and time.monotonic() < deadline:  # until the program has gone
        time.sleep(0.3)
    assert "Acknowledged SC-2026-000003, routed to Casework" in acked
    assert "1 found for 'Lovelace'" in searched
    assert "" == terminal(within=1)
