"""A folder this user may not read, as the system refuses it (the tests may run as root, whom
permissions do not stop): listing it, or looking up anything in it, raises PermissionError."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def unreadable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """`folder` as one with mode 000 is to its owner: there, but neither listed nor searched."""
    inside = os.fspath(folder.resolve())

    def guarded(real: Callable[..., Any], refused: Callable[[str], bool]) -> Callable[..., Any]:
        def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and refused(os.path.abspath(os.fsdecode(path))):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real(path, *args, **kwargs)

        return call

    def within(path: str) -> bool:
        return path.startswith(inside + os.sep)

    def itself(path: str) -> bool:
        return path == inside

    monkeypatch.setattr(os, "stat", guarded(os.stat, within))
    monkeypatch.setattr(os, "lstat", guarded(os.lstat, within))
    monkeypatch.setattr(os, "scandir", guarded(os.scandir, itself))
    monkeypatch.setattr(os, "listdir", guarded(os.listdir, itself))
