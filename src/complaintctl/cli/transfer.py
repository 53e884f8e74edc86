"""Batches in and out: import complaints from CSV or JSON Lines, export cases for other tools."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import (
    Area,
    Board,
    CategoryFilter,
    Json,
    Mine,
    Owner,
    Stages,
    Unassigned,
    owner_filter,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from complaintctl.services.imports import Row


class Format(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


_SUFFIXES = {".csv": Format.CSV, ".jsonl": Format.JSONL, ".ndjson": Format.JSONL}


def _format_of(path: Path, given: Format | None) -> Format:
    from complaintctl.errors import InvalidInput

    if given is not None:
        return given
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InvalidInput(
            f"cannot tell the format of {path.name} from its name; give --format csv or jsonl"
        ) from None


def _spool_stdin() -> Path:
    """Standard input kept in a temporary file, so its format can be told from its start."""
    import shutil
    import sys
    import tempfile

    spool = tempfile.NamedTemporaryFile(prefix="complaintctl-import-", delete=False)
    with spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
    return Path(spool.name)


def _sniff(path: Path) -> Format:
    from complaintctl.errors import InvalidInput

    with path.open("rb") as data:
        start = data.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"["):
        raise InvalidInput("stdin holds a JSON array; import reads JSON Lines, one object a line")
    return Format.JSONL if start.startswith(b"{") else Format.CSV


def _reader(path: Path, fmt: Format) -> "Iterator[Row]":
    """The rows of `path`; text that is not UTF-8 stops the batch with the line it is on."""
    import csv

    from complaintctl.errors import InvalidInput
    from complaintctl.services.imports import read_rows

    # utf-8-sig: a byte-order mark, as spreadsheet programs write, is not part of the header.
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InvalidInput(f"cannot read {path}: {err.strerror}") from None
    with stream:
        rows = read_rows(stream, fmt.value, check_header=True)
        line = 0
        try:
            for row in rows:
                line = row.line
                yield row
        except UnicodeDecodeError:
            where = f"after line {line}" if line else "in its first lines"
            raise InvalidInput(f"the file is not UTF-8 text ({where})") from None
        except csv.Error as err:
            where = f"after line {line}" if line else "in its first lines"
            raise InvalidInput(f"the file is not valid CSV ({where}): {err}") from None


@commands.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A CSV or JSON Lines file, or - for stdin.")
    ],
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="csv or jsonl [default: from the file's name]."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the good rows and write the bad ones, with why, to a rejects file.",
        ),
    ] = False,
    rejects: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Where --skip-invalid writes bad rows [default: FILE.rejects.csv/jsonl].",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would happen; write nothing.")
    ] = False,
    json_output: Json = False,
) -> None:
    """Import complaints from a CSV (with a header row) or JSON Lines file, in one transaction.

    Columns: consumer, email, address, channel, category, summary, dispute, received_at,
    board, about, preferred_contact, adjustments (separated by ';'), source_id. Every row is
    checked and nothing is kept unless all are good: a batch with a bad row is refused whole,
    listing every bad row. Rows already in the store (same source_id, or same email,
    received_at and summary) are skipped, so importing a file twice changes nothing.
    """
    from complaintctl.cli import render
    from complaintctl.errors import InvalidInput
    from complaintctl.services.imports import BatchRefused, import_batch, write_rejects

    state = current_state(ctx)
    from_stdin = file == "-"
    if from_stdin and skip_invalid and rejects is None:
        raise InvalidInput("reading stdin, --skip-invalid needs --rejects PATH for the bad rows")
    path = _spool_stdin() if from_stdin else Path(file)
    try:
        if not from_stdin and not path.is_file():
            raise InvalidInput(f"{file} is a folder" if path.is_dir() else f"no file {file}")
        fmt_used = _format_of(path, fmt) if not from_stdin else (fmt or _sniff(path))
        rejects_path = (
            Path(rejects) if rejects else path.with_name(f"{path.stem}.rejects.{fmt_used.value}")
        )
        if skip_invalid and not dry_run and not rejects_path.parent.is_dir():
            # Checked before importing: the good rows must not be kept with the bad ones lost.
            raise InvalidInput(f"cannot write the rejects to {rejects_path}: no such folder")
        with render.progress(state.output, "Importing") as advance:
            try:
                report = state.change(
                    lambda uow, _: import_batch(
                        uow,
                        rows=_reader(path, fmt_used),
                        source_name="stdin" if from_stdin else path.name,
                        skip_invalid=skip_invalid,
                        dry_run=dry_run,
                        by=state.actor,
                        now=state.now,
                        on_row=advance,
                    ),
                    None,
                )
            except BatchRefused as refused:
                for reject in refused.rejects:
                    render.note(reject.describe())
                raise
        if report.rejects and not dry_run:
            write_rejects(rejects_path, report.rejects, fmt_used.value)
        written = rejects_path if report.rejects and not dry_run else None
        render.imported(report, written, json_output)
    finally:
        if from_stdin:
            path.unlink(missing_ok=True)


@commands.command("export")
def export_command(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help="csv or jsonl.")] = Format.CSV,
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="[default: stdout]")
    ] = None,
    stage: Stages = None,
    area: Area = None,
    owner: Owner = None,
    mine: Mine = False,
    unassigned: Unassigned = False,
    category: CategoryFilter = None,
    board: Board = None,
    received_from: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Received on or after this date.")
    ] = None,
    received_to: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Received on or before this date.")
    ] = None,
) -> None:
    """Export cases with their deadlines and outcomes as CSV or JSON Lines, oldest first.

    The first columns are those import reads, so an export imports into another store.
    """
    import csv
    import json
    import sys

    from complaintctl.cli.app import parse_day
    from complaintctl.errors import InvalidInput
    from complaintctl.services.export import COLUMNS, export_cases

    state = current_state(ctx)
    owner = owner_filter(state.actor, owner, mine)
    first, last = (parse_day(d) if d else None for d in (received_from, received_to))
    # An export to a file is written beside it and moved into place once whole: a refusal or
    # a failure half-way leaves the old file as it was.
    target = Path(output) if output else None
    if target is not None and target.is_dir():
        raise InvalidInput(f"{output} is a folder; name a file")
    # Only a regular file (or a new one) is replaced when whole; a device, pipe or link is
    # written through as it is.
    replace = (
        target is not None
        and (not target.exists() or target.is_file())
        and (not target.is_symlink())
    )
    partial = Path(f"{output}.partial") if replace else target
    try:
        out = partial.open("w", encoding="utf-8", newline="") if partial else sys.stdout
    except OSError as err:
        raise InvalidInput(f"cannot write {output}: {err.strerror}") from None
    try:
        with state.unit_of_work(write=False) as uow:
            records = export_cases(
                uow,
                stages=[s.value for s in stage or ()],
                area=area,
                owner=owner,
                unassigned=unassigned,
                category=category.value if category else None,
                board=board,
                received_from=first,
                received_to=last,
            )
            if fmt == Format.CSV:
                writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
                writer.writeheader()
                for record in records:
                    # A JSON list keeps an adjustment that has a ";" in it whole.
                    record["adjustments"] = (
                        json.dumps(record["adjustments"]) if record["adjustments"] else ""
                    )
                    record["board"] = "true" if record["board"] else "false"
                    record["out_of_time"] = "true" if record["out_of_time"] else "false"
                    writer.writerow(record)
            else:
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if partial is not None:
            out.close()
            if replace:
                partial.replace(str(output))
    finally:
        if partial is not None:
            out.close()
            if replace:
                partial.unlink(missing_ok=True)
