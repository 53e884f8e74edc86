"""The committed completion scripts match what the program generates now."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_committed_completion_script_matches_the_program(shell: str) -> None:
    generated = subprocess.run(
        [sys.executable, "-c", "from complaintctl.cli import main; main()"],
        capture_output=True,
        text=True,
        env={**os.environ, "_COMPLAINTCTL_COMPLETE": f"source_{shell}"},
        check=True,
    ).stdout
    assert generated == (COMPLETIONS / f"complaintctl.{shell}").read_text()
