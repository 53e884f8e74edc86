"""End-to-end through the real command line (CliRunner), with the store in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from complaintctl.cli import app
from tests.conftest import UnitFactory


def proc_as_root(name: str) -> object:
    """A file `name` under /proc, as a test parameter: root, whom access() lets write
    anywhere, may make no new file there."""
    return pytest.param(
        f"/proc/{name}",
        id="proc-as-root",
        marks=pytest.mark.skipif(
            not hasattr(os, "geteuid") or os.geteuid() != 0 or not os.path.isdir("/proc/self"),
            reason="root, whom access() lets write anywhere, on Linux",
        ),
    )


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def cli_environment(monkeypatch: pytest.MonkeyPatch, store_url: str, unit: UnitFactory) -> None:
    """The store at COMPLAINTCTL_DB has the TEAM as staff; officer.one is acting."""
    monkeypatch.setenv("COMPLAINTCTL_DB", store_url)
    monkeypatch.setenv("COMPLAINTCTL_USER", "officer.one")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def run() -> Run:
    """`run("log", "--consumer", …)`: the command's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def interrupted_syncing_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while a file's folder is synced: the file's last step once it is in place (on
    a slow disk, a real wait)."""
    from complaintctl import files

    real_sync = files._sync

    def interrupted(path: Path) -> None:
        if path.is_dir():
            raise KeyboardInterrupt
        real_sync(path)

    monkeypatch.setattr(files, "_sync", interrupted)
