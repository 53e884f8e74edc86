"""The command line: the only package that imports typer (and, in render.py, rich)."""

from complaintctl.cli import actions, calendar, explain, people, queries  # noqa: F401 - registers commands
from complaintctl.cli.app import app, main

__all__ = ["app", "main"]
