"""The command line: the only package that imports typer (and, in render.py, rich).

The modules that define commands register them on `commands` (cli/app.py); the root builds
each one when it is first asked for (app.LazyCommands), so a run builds only the command it
runs. They do not use `from __future__ import annotations`: Typer reads the annotations of
each command it builds, and a string annotation costs it an eval.
"""

from complaintctl.cli import (  # noqa: F401 - registers the commands
    actions,
    calendar,
    configuration,
    db,
    explain,
    lessons,
    letters,
    live,
    people,
    queries,
    retention,
    transfer,
)
from complaintctl.cli.app import app, main

__all__ = ["app", "main"]
