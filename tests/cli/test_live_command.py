"""`live` where Textual is not installed: one error line naming the extra, before anything."""

from __future__ import annotations

import importlib.util

import pytest

from tests.cli.conftest import Run


def test_live_without_textual_names_the_extra_to_install(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "textual" else find_spec(name, *args),
    )
    result = run("live")
    assert (2, "Error: live needs Textual: pip install 'complaintctl[live]'\n") == (
        result.exit_code,
        result.stderr,
    )


def test_live_in_a_pipe_says_it_needs_a_terminal(run: Run) -> None:
    pytest.importorskip("textual")
    result = run("live")
    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: live needs a terminal to draw on and read keys")


@pytest.mark.parametrize("args", [("--plain", "live"), ("live", "--plain")])
def test_live_asked_for_plain_lines_says_queue_gives_them(run: Run, args: tuple[str, ...]) -> None:
    # Ignored, it would take over the terminal the script or officer asked lines of.
    result = run(*args)
    assert (2, "", True) == (
        result.exit_code,
        result.stdout,
        result.stderr.startswith(
            "Error: live is a full screen, never plain lines; `queue --plain`"
        ),
    )
