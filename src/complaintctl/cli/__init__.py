"""The command line: the only package that imports typer (and, in render.py, rich)."""

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
