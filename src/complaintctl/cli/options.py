"""Options several commands share, written once."""

from __future__ import annotations

from typing import Annotated

import typer

At = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="DATETIME",
        help="When it happened (ISO 8601; local time unless an offset is given) [default: now].",
        show_default=False,
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATETIME",
        help="Judge deadlines as of this instant (ISO 8601) [default: now].",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (README: JSON).")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]
Ref = Annotated[str, typer.Argument(metavar="REF", help="The case reference, e.g. SC-2026-000001.")]
Refs = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Case references, or - to read them from stdin (one per line, or the JSON of "
        "show, queue or overdue --json; a case whose version moved on since is refused).",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Say what would happen to each case; write nothing.")
]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        metavar="N",
        min=0,
        help="With one case: act only if it is still at version N (as show or queue --json "
        "gave it); if someone else has stepped in since, nothing is written (exit 11; with "
        "--dry-run it is listed as refused, exit 9).",
        show_default=False,
    ),
]
ContinueOnError = Annotated[
    bool,
    typer.Option(
        "--continue-on-error",
        help="With several cases: apply the action to those that can take it, list the rest "
        "(by default one refusal means no case is changed).",
    ),
]
