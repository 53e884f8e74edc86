"""Batches in and out: import complaints from CSV or JSON Lines, export cases for other tools."""

import io
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

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
    date_given,
    owner_filter,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from complaintctl.services.export import CasesExport
    from complaintctl.services.imports import CsvLayout, Row
    from complaintctl.store.uow import UnitOfWork


class Format(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


_SUFFIXES = {".csv": Format.CSV, ".jsonl": Format.JSONL, ".ndjson": Format.JSONL}
# How much of an export to stdout is held in memory until it is recorded; beyond it, in an
# unnamed temporary file (removed as it is closed, or as the process ends however it ends).
_HELD_IN_MEMORY = 64 * 1024 * 1024


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


# How much of stdin is read to tell its format: it is then read on from there, never kept.
_SNIFFED = 4096


def _stdin_stream(given: Format | None) -> tuple[IO[bytes], Format]:
    """Standard input as a stream, and its format: `given`, else told from its first bytes,
    which are read and then handed back first. Nothing of it is written anywhere."""
    import sys

    from complaintctl.errors import InvalidInput

    stdin = cast(io.BufferedReader, sys.stdin.buffer)
    head = b""
    while len(head) < _SNIFFED:
        more = stdin.read1(_SNIFFED - len(head))
        if not more:
            break
        head += more
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if given is None and start.startswith(b"["):
        raise InvalidInput("stdin holds a JSON array; import reads JSON Lines, one object a line")
    fmt = given or (Format.JSONL if start.startswith(b"{") else Format.CSV)
    return io.BufferedReader(_HandedBack(head, stdin)), fmt


class _HandedBack(io.RawIOBase):
    """A stream that gives `head` first, then the rest of `rest`."""

    def __init__(self, head: bytes, rest: io.BufferedReader) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._rest.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Counted(io.BufferedIOBase):
    """`data` as it is read, counting the lines before its latest chunk: where a byte that is
    not UTF-8 is, when decoding that chunk fails."""

    def __init__(self, data: IO[bytes]) -> None:
        self._data, self._latest, self.lines_before = data, b"", 0
        self.first = b""  # the first bytes read: a UTF-16 or UTF-32 byte-order mark says what it is

    def _read(self, data: bytes) -> bytes:
        if not self.first:
            self.first = data[:4]
            if (order := _utf16_without_mark(data)) is not None:
                raise Utf16WithoutMark(order)
            if _binary_start(data):
                raise NotText(0)
        self.lines_before += self._latest.count(b"\n")
        self._latest = data
        return data

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._read(self._data.read(-1 if size is None else size))

    def read1(self, size: int = -1) -> bytes:
        return self._read(self._data.read1(size))  # type: ignore[attr-defined]


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class Utf16WithoutMark(Exception):
    """Text in UTF-16 with no byte-order mark: valid UTF-8 byte by byte (a NUL beside each
    ASCII letter), so nothing fails to decode, yet nothing reads as what was written."""

    def __init__(self, order: str) -> None:
        super().__init__(order)
        self.order = order  # utf-16le or utf-16be


class NotText(Exception):
    """A file that is no text in any encoding (an image, a workbook, a program), by the first
    byte that says so."""

    def __init__(self, byte: int) -> None:
        super().__init__(byte)
        self.byte = byte


# Control bytes no text holds, in UTF-8 or Windows-1252: all but tab, line feed, vertical tab,
# form feed, carriage return, Ctrl-Z (which old DOS files end with) and escape.
_BINARY = frozenset({*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)})
# Where a binary format's header has a NUL (a PNG, a ZIP or workbook, a program, a JPEG, a
# gzip file all do within their first 16 bytes); a CSV header or a JSON object never does.
_HEADER = 16


def _binary_start(first: bytes) -> bool:
    """Whether the first bytes read hold a NUL where they are not Unicode in UTF-16 or UTF-32
    (with a byte-order mark, or ASCII with NULs beside each byte, as _utf16_without_mark and
    _not_utf8 tell)."""
    head = first[:_HEADER]
    if 0 not in head or head[:2] in _UTF16_MARKS or head[:4] == b"\x00\x00\xfe\xff":
        return False
    return len(head) < 4 or any(head[1::4]) or any(head[2::4])  # not UTF-32 without a mark


def _binary_byte(data: bytes) -> int | None:
    """The first control byte in `data` that no text holds, or None."""
    return next((byte for byte in data if byte in _BINARY), None)


def _binary(data: bytes) -> int | None:
    """The first control byte no text holds, where `data` has them as a binary file does (more
    than one, and one byte in a hundred or more; one in a text file, however short, is a
    field's, for its row to refuse)."""
    found = sum(1 for byte in data if byte in _BINARY)
    return _binary_byte(data) if found > 1 and found >= len(data) // 100 else None


def _not_text(named: str | None, byte: int) -> str:
    return (
        f"{named or 'stdin'} is not a text file (it holds byte 0x{byte:02x}, as an image, a "
        "workbook or a program does): import reads CSV or JSON Lines, text in UTF-8; from a "
        "spreadsheet, save it as CSV UTF-8 (in Excel: Save As, CSV UTF-8 (Comma delimited))"
    )


def _utf16_without_mark(first: bytes) -> str | None:
    """utf-16le or utf-16be when the first bytes read are ASCII text in UTF-16 with no
    byte-order mark (a NUL in every other byte), else None. A NUL is never in a CSV or JSON
    a person or a program means as text."""
    sample = first[: len(first[:1024]) // 2 * 2]
    if sample[:2] in _UTF16_MARKS or sample.count(0) < max(len(sample) // 4, 1):
        return None
    # Beside the NULs, text: no control character (a binary file of 16-bit numbers has NULs so
    # too). A character is one only where its other byte is a NUL: `ą` (U+0105) is not.
    low, high = sample[0::2], sample[1::2]
    if high.count(0) > len(sample) // 4 and 0 not in low and not _controls(low, high):
        return "utf-16le"
    if low.count(0) > len(sample) // 4 and 0 not in high and not _controls(high, low):
        return "utf-16be"
    return None


def _controls(lower: bytes, upper: bytes) -> bool:
    """Whether 16-bit characters, their lower and upper bytes apart, hold a control one that
    no text holds."""
    return any(byte in _BINARY and not beside for byte, beside in zip(lower, upper, strict=True))


# What a spreadsheet's "CSV UTF-8" is called where it is saved: the way out of other encodings.
_RESAVE = "save it again as UTF-8 (in Excel: Save As, CSV UTF-8 (Comma delimited))"


def _not_utf8(named: str | None, csv: bool, counted: _Counted, err: UnicodeDecodeError) -> str:
    """Why the file cannot be read, where, and how to make it readable: a spreadsheet's
    "Unicode text" is UTF-16; other bytes are most often Windows-1252 (Latin-1), as Excel
    saves a plain CSV (a £, an accent or a curly quote)."""

    # UTF-32's little-endian mark begins as UTF-16's does: told apart first.
    utf32 = counted.first in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
    if utf32 or counted.first[:2] in _UTF16_MARKS:
        return _wide(named, csv, "utf-32" if utf32 else "utf-16", "")
    if (binary := _binary(err.object)) is not None:
        # No Windows-1252 text holds a control byte such as these: bytes of another kind.
        return _not_text(named, binary)
    convert = _convert(named, "windows-1252")
    resave = f"{_RESAVE}, or " if csv else ""
    at = counted.lines_before + err.object[: err.start].count(b"\n") + 1
    byte = err.object[err.start]
    return (
        f"{named or 'stdin'} is not UTF-8 text (line {at}, byte 0x{byte:02x}): {resave}if it "
        f"is Windows-1252 (Latin-1), convert it: {convert}"
    )


def _convert(named: str | None, encoding: str) -> str:
    """The iconv command that makes the file (or stdin) UTF-8."""
    import shlex

    if named is None:
        return f"pipe it through iconv -f {encoding} -t utf-8 first"
    path = Path(named)
    utf8 = path.with_name(f"{path.stem}-utf8{path.suffix}")
    return f"iconv -f {encoding} -t utf-8 {shlex.quote(named)} > {shlex.quote(str(utf8))}"


def _wide(named: str | None, csv: bool, encoding: str, how: str) -> str:
    """UTF-16 or UTF-32 (`encoding`, as iconv names it), `how` it was told."""
    resave = f"{_RESAVE}, or " if csv else ""
    convert = _convert(named, encoding)
    named_as = encoding.upper()[:6]  # UTF-16 or UTF-32, whichever byte order
    return f"{named or 'stdin'} is {named_as} text{how}, not UTF-8: {resave}convert it: {convert}"


def _rows(
    data: IO[bytes], fmt: Format, layout: "CsvLayout", *, named: str | None
) -> "Iterator[Row]":
    """The batch's rows; text that is not UTF-8, or not CSV, stops the batch naming the file
    (or stdin) and the line the first such byte or broken record is on. A named CSV file
    without even a header (an export cut off before its first line) is refused; nothing on
    stdin is a batch of nothing."""
    from complaintctl.errors import InvalidInput
    from complaintctl.services.imports import CsvBroken, LineTooLong, read_rows

    counted = _Counted(data)
    # utf-8-sig: a byte-order mark, as spreadsheet programs write, is not part of the header.
    with io.TextIOWrapper(cast(IO[bytes], counted), encoding="utf-8-sig", newline="") as stream:
        rows = read_rows(stream, fmt.value, check_header=True, layout=layout)
        try:
            yield from rows
        except UnicodeDecodeError as err:
            raise InvalidInput(_not_utf8(named, fmt is Format.CSV, counted, err)) from None
        except NotText as err:
            raise InvalidInput(_not_text(named, err.byte)) from None
        except Utf16WithoutMark as err:
            csv = fmt is Format.CSV
            how = " with no byte-order mark"
            raise InvalidInput(_wide(named, csv, err.order, how)) from None
        except CsvBroken as err:
            raise InvalidInput(f"{named or 'stdin'} is not valid CSV: {err}") from None
        except LineTooLong as err:
            raise InvalidInput(f"{named or 'stdin'} cannot be imported: {err}") from None
    if named is not None and fmt is Format.CSV and not layout.header:
        raise InvalidInput(f"{named} is empty: a CSV import needs its header row")


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
            help="Import the good rows and write the bad ones, with why, to a rejects file; "
            "exit 10 if any row was rejected (9 if every row was).",
        ),
    ] = False,
    rejects: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Where --skip-invalid writes bad rows [default: NAME.rejects.csv or "
            ".jsonl beside NAME.csv or .jsonl].",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a rejects file that exists already.")
    ] = False,
    delimiter: Annotated[
        str | None,
        typer.Option(
            metavar="CHAR",
            help="A CSV file's delimiter: ',', ';' or tab [default: told from the header line].",
        ),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="FORMCOLUMN=FIELD",
            help="Read the CSV column FORMCOLUMN as FIELD (repeatable), e.g. "
            "--map submission_id=source_id.",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            metavar="FORMAT",
            help="Read every date and time with these strftime codes, e.g. '%d/%m/%Y %H:%M', "
            "as local time [default: ISO 8601].",
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
    from complaintctl.errors import (
        EXIT_BULK_PARTIAL,
        EXIT_BULK_REFUSED,
        InvalidInput,
        OutputFailed,
    )
    from complaintctl.files import (
        check_writable,
        file_named,
        is_stdin,
        new_text_file,
        recorded_name,
        resolved,
        same_file,
    )
    from complaintctl.services.imports import (
        BatchRefused,
        Reject,
        csv_layout,
        import_batch,
        write_rejects,
    )

    if not file.strip():  # `import "$FILE"` with FILE unset: not the folder it runs in
        raise InvalidInput(
            f"import needs a FILE to read: name it, or - for stdin ({file!r} is not one)"
        )
    if not skip_invalid and (rejects is not None or force):
        # Without it a bad row refuses the batch and no rejects file is written: the option
        # would be silently ignored, and a script would look for a file that never comes.
        given = "--rejects" if rejects is not None else "--force"
        raise InvalidInput(
            f"{given} is for the rejects file --skip-invalid writes; without --skip-invalid a "
            "bad row refuses the whole batch and no rejects file is written"
        )
    if rejects is not None:  # '-' or nothing is no file: never one made so named
        file_named(rejects, "--rejects")
    state = current_state(ctx)
    layout = csv_layout(delimiter, maps or (), date_format)
    from_stdin = file == "-"
    if from_stdin and skip_invalid and rejects is None:
        raise InvalidInput("reading stdin, --skip-invalid needs --rejects PATH for the bad rows")
    if from_stdin:
        data, fmt_used = _stdin_stream(fmt)
        path = Path("stdin")
    else:
        # Read and named as every file a command names (files.resolved): `import '~/x.csv'`,
        # the `~` quoted so the shell left it, reads the file `export -o '~/x.csv'` wrote.
        path = resolved(file)
        try:
            data = path.open("rb")
        except IsADirectoryError:
            raise InvalidInput(f"{path} is a folder") from None
        except FileNotFoundError:
            raise InvalidInput(f"no file {path}") from None
        except OSError as err:
            raise InvalidInput(f"cannot read {path}: {err.strerror}") from None
        # Asked for once the path is a file: `import ~/exports` is told it is a folder.
        try:
            fmt_used = _format_of(path, fmt)
        except InvalidInput:
            data.close()
            raise
    if fmt_used is not Format.CSV and (delimiter is not None or maps):
        raise InvalidInput("--delimiter and --map are for CSV files; JSON Lines names its fields")
    typed = path if from_stdin else Path(file)
    rejects_path = (  # as given, as --json says it; written, checked and named resolved
        Path(rejects) if rejects else typed.with_name(f"{typed.stem}.rejects.{fmt_used.value}")
    )
    rejects_target = resolved(rejects_path)
    if skip_invalid and not from_stdin and same_file(rejects_target, path):
        # --force would replace what is being imported with its own bad rows.
        raise InvalidInput(f"--rejects {rejects_target} is the file being imported; name another")
    if skip_invalid and from_stdin and is_stdin(rejects_target):  # `import - < FILE`, the same
        raise InvalidInput(f"--rejects {rejects_target} is the file stdin reads; name another")
    if skip_invalid:
        # Checked before importing, by the real run's first step taken and undone (files.
        # check_writable): the good rows must not be kept with the bad ones lost, nor a long
        # batch read only to be refused its rejects file. A dry run, which writes no rejects
        # file, so refuses what the real run would, with the same error. Bad rows never go to
        # stdout: a device named is refused as a file to name, not a stream to redirect.
        try:
            check_writable(
                rejects_target, force=force, protected=state.store_files(), streams=False
            )
        except OutputFailed as err:
            if rejects:
                raise
            # Beside the batch by default, bad rows or not: say where else they may go.
            raise OutputFailed(
                f"{err.message}: the rejects file goes beside the batch unless --rejects PATH "
                "names another place"
            ) from None
    written: list[Path] = []

    def keep(bad: list[Reject]) -> None:
        """The rejects, written whole before the batch commits."""
        with new_text_file(
            rejects_target, force=force, protected=state.store_files(), streams=False
        ) as out:
            write_rejects(out, bad, fmt_used.value, layout.header, layout.split_by)
        written.append(rejects_target)

    with data, render.progress(state.output, "Importing") as advance:
        try:
            report = state.change(
                lambda uow, _: import_batch(
                    uow,
                    rows=_rows(data, fmt_used, layout, named=None if from_stdin else str(path)),
                    source_name="stdin" if from_stdin else recorded_name(path),
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    by=state.actor,
                    now=state.now,
                    date_format=date_format,
                    on_row=advance,
                    keep_rejects=keep,
                ),
                None,
            )
        except BatchRefused as refused:
            for reject in refused.rejects:
                for line in reject.describe():
                    render.note(line)
            raise
        except BaseException:
            for rejects_file in written:  # the batch did not commit: neither do its rejects
                rejects_file.unlink(missing_ok=True)
            raise
    render.imported(report, rejects_path if written else None, json_output)
    if report.rejects:  # with --skip-invalid: as a bulk step with --continue-on-error
        # A dry run imported nothing: 9, as a dry run's refusals are, never "imported the rest".
        imported = report.rows > len(report.rejects) and not report.dry_run
        raise typer.Exit(EXIT_BULK_PARTIAL if imported else EXIT_BULK_REFUSED)


@commands.command("export")
def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="The rows' format [default: by -o's extension, .jsonl or .ndjson for jsonl, "
            "else csv].",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="A new file, written whole or not at all, readable by you only [default: stdout].",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the file at --output if there is one (with a file only)."
        ),
    ] = False,
    for_whom: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="TEXT",
            help="Who the export is for (a team, an organisation, a purpose), recorded with "
            "it; name no consumer in it.",
        ),
    ] = None,
    stage: Stages = None,
    area: Area = None,
    owner: Owner = None,
    mine: Mine = False,
    unassigned: Unassigned = False,
    category: CategoryFilter = None,
    board: Board = None,
    received_from: Annotated[
        str | None,
        typer.Option(
            "--from", callback=date_given, metavar="DATE", help="Received on or after this date."
        ),
    ] = None,
    received_to: Annotated[
        str | None,
        typer.Option(
            "--to", callback=date_given, metavar="DATE", help="Received on or before this date."
        ),
    ] = None,
) -> None:
    """Export cases with their deadlines and outcomes as CSV or JSON Lines, oldest first.

    The first columns are those import reads, so an export imports into another store. Any
    active member of staff may export; the export (who, when, where to, how many cases, the
    filters, who it is for and the SHA-256 of what was written, never the content) is recorded
    in the store's history before any of it reaches the file or stdout.
    """
    import shutil
    import sys
    import tempfile

    from complaintctl.cli import render
    from complaintctl.cli.app import parse_day
    from complaintctl.errors import ComplaintError, ExportParted, RecordedThenFailed
    from complaintctl.files import (
        Digesting,
        NewFile,
        check_destination,
        file_named,
        forced_with,
        recorded_name,
    )
    from complaintctl.services.export import COLUMNS, begin_export, record_export

    if output is not None and output.strip() == "-":
        output = None  # stdout, as with no -o, not a file named '-'
    forced_with(force, output, "-o")
    if output is not None:
        file_named(output, "export -o")  # a name ending in / is a folder, not a file so named
    if fmt is None:  # as import reads it: a .jsonl file is JSON Lines
        fmt = _SUFFIXES.get(Path(output).suffix.lower(), Format.CSV) if output else Format.CSV
    state = current_state(ctx)
    owner = owner_filter(state.acting() if mine else state.actor, owner, mine)
    first, last = (parse_day(d) if d else None for d in (received_from, received_to))
    path = Path(output) if output is not None else None
    # Written beside the destination, and moved into place once whole and recorded: a refusal
    # or a failure half-way leaves whatever was there as it was, and records nothing.
    made: list[NewFile] = []
    held: list[IO[str]] = []  # stdout's rows, until the export is recorded

    def write(uow: "UnitOfWork", _now: "datetime") -> tuple["CasesExport", str]:
        # Who is exporting and the filters are checked here, before anything is written.
        export = begin_export(
            uow,
            by=state.actor,
            for_whom=for_whom,
            stages=[s.value for s in stage or ()],
            area=area,
            owner=owner,
            unassigned=unassigned,
            category=category.value if category else None,
            board=board,
            received_from=first,
            received_to=last,
        )
        if path is not None:
            made.append(
                NewFile(check_destination(path, force=force, protected=state.store_files()))
            )
            return export, made[0].write_text(
                lambda out: render.exported(out, export, COLUMNS, fmt.value)
            )
        # Held back (in memory, or an unnamed temporary file once large) until the export is
        # recorded: no row of anyone's data goes out unrecorded, whatever stops it after.
        held.append(
            cast(
                "IO[str]",
                tempfile.SpooledTemporaryFile(
                    max_size=_HELD_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
                ),
            )
        )
        out = Digesting(held[0])
        # Bound for stdout: read by a person there when it is a terminal.
        render.exported(out.stream(), export, COLUMNS, fmt.value, shown=sys.stdout.isatty())
        return export, out.hexdigest()

    try:
        # Read without the store's write lock, which a long export would hold for its
        # length; the entry is recorded after, in a transaction of its own.
        export, digest = state.read(write, None)

        def record(uow: "UnitOfWork", _when: "datetime") -> int:
            to = recorded_name(path) if path is not None else None
            return record_export(uow, export, format=fmt.value, to=to, sha256=digest, now=state.now)

        # What goes wrong after the record below (an error, an interrupt) leaves the export
        # to be run again: its rows not all out, or its file not in place.
        if held:
            state.kept = ExportParted.OUTPUT
        elif made:
            state.kept = ExportParted.FILE
        state.change(record, None)
        if made:
            try:
                made[0].place()  # a rename, as before: a hard link is not on every disk
            except ComplaintError as err:  # the folder removed meanwhile, say
                raise ExportParted(err, ExportParted.FILE) from err
            finally:
                if made[0].placed:  # in place, even if interrupted after: recorded and written
                    state.kept = RecordedThenFailed.KEPT
        if held:
            held[0].seek(0)
            stdout = render.machine_stdout()
            shutil.copyfileobj(held[0], stdout)
            stdout.flush()
    finally:
        for file in made:
            file.discard()
        for spool in held:
            spool.close()
