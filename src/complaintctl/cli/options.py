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
