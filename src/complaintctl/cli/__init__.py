"""The command line: the only package that imports typer (and, in render.py, rich)."""

from complaintctl.cli import actions, calendar, queries  # noqa: F401 - registers the commands
from complaintctl.cli.app import app, main

__all__ = ["app", "main"]
