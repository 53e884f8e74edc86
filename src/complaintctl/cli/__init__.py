"""The command line: the only package that imports typer (and, in render.py, rich).

The modules that define commands do not use `from __future__ import annotations`: Typer reads
every parameter's annotation on every run, and a string annotation costs it an eval (about
20 ms over the commands' 70 parameters, on each --help and each command).
"""

from complaintctl.cli import (  # noqa: F401 - registers the commands
    actions,
    calendar,
    db,
    explain,
    people,
    queries,
    transfer,
)
from complaintctl.cli.app import app, main

__all__ = ["app", "main"]
