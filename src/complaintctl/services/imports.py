"""Importing complaints in batches: every row checked, nothing kept unless all are, nothing doubled.

A batch is read once, a chunk of rows at a time, so 100,000 rows never sit in memory at once:
each good row is logged through the same checks as `log` and written as `log` writes it, in
one transaction that commits only at the end. Rows already in the store (the same `source_id`,
or the same consumer email, receipt time and summary) are counted as duplicates and skipped,
so a re-run or an overlapping export changes nothing. By default a batch with any bad row is
refused whole (the transaction is rolled back, listing every bad row); with `skip_invalid`
the good rows are kept and the bad ones returned.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import (
    InstantError,
    check_date_format,
    parse_date,
    parse_instant,
)
from complaintctl.domain.intake import (
    NewComplaint,
    normalise_dispute,
    normalise_email,
)
from complaintctl.domain.procedure import Action, Category, Channel, ContactMethod
from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.services.common import acting_staff, authorise, collecting_only_the_batch
from complaintctl.services.intake import EarlierRows, Taken, log_chunk
from complaintctl.text import (
    ADDRESS,
    EMAIL,
    LABEL,
    NAME,
    SUMMARY,
    from_csv_cell,
    json_text,
    normalise_lines,
    refused_anywhere,
    text_problem,
    write_csv,
)

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork

# The columns (CSV) or fields (JSON Lines) import reads; `log`'s options, plus source_id.
FIELDS = (
    "consumer",
    "email",
    "address",
    "channel",
    "category",
    "summary",
    "dispute",
    "received_at",
    "board",
    "about",
    "preferred_contact",
    "adjustments",
    "source_id",
)
REQUIRED = ("consumer", "channel", "category", "summary", "received_at")
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}
# Looked up for every row: built once.
_TEXT_FIELDS = tuple(name for name in FIELDS if name != "adjustments")
_CHANNELS = {member.value: member for member in Channel}
_CATEGORIES = {member.value: member for member in Category}
_CONTACT_METHODS = frozenset(member.value for member in ContactMethod)
# Rows checked and written together.
_CHUNK = 1000
# A CSV field may be long (a summary), but not without limit.
_FIELD_LIMIT = 1_000_000
csv.field_size_limit(_FIELD_LIMIT)
# Nor a line: one that never ends (a device such as /dev/zero, a file that is not text, one
# JSON document on one line) would be read whole into memory before any row could be refused.
LINE_LIMIT = 16 * _FIELD_LIMIT


class BatchRefused(ComplaintError):
    """Some rows are bad, so nothing was imported (exit 2, like any invalid input)."""

    exit_code = InvalidInput.exit_code

    def __init__(self, message: str, rejects: list[Reject]) -> None:
        super().__init__(message)
        self.rejects = rejects


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


@dataclass(frozen=True)
class Reject:
    """A row that cannot be imported, with every problem it has, and the row as read."""

    line: int
    problems: tuple[Problem, ...]
    row: Row

    def describe(self) -> list[str]:
        """One line a problem: `line N: column: why`, or `line N: why` for the line as a
        whole (not JSON, too many values)."""
        return [
            f"line {self.line}: {p.reason}" if p.field == "line"
            else f"line {self.line}: {p.field}: {p.reason}"
            for p in self.problems
        ]  # fmt: skip


@dataclass
class ImportReport:
    rows: int = 0
    new: list[str] = field(default_factory=list)  # references made
    duplicates: int = 0  # rows skipped: already in the store, or repeating an earlier row
    repeated: int = 0  # of those, the rows repeating an earlier row of the batch
    rejects: list[Reject] = field(default_factory=list)
    dry_run: bool = False
    # Each warning (a deadline past the known bank holidays) and the references it is about.
    warnings: dict[str, list[str]] = field(default_factory=dict)


class Row(NamedTuple):
    """A row of a batch, as read, and the line it starts on: `raw` by the field each column
    is read as; a CSV row's `cells` too, as the file has them, for the rejects file."""

    line: int
    raw: dict[str, Any]
    cells: list[str] | None = None


DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}


@dataclass
class CsvLayout:
    """How a CSV file is read: its delimiter (None: told from the header line) and the
    columns read as other fields (`--map`); its header, as written, and the delimiter it was
    split by (given or told), once read."""

    delimiter: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # a header name (lower case) -> field
    header: list[str] = field(default_factory=list)
    split_by: str = ","


def csv_layout(delimiter: str | None, maps: Iterable[str], date_format: str | None) -> CsvLayout:
    """The options that say how a file is read, checked before it is opened."""
    if delimiter is not None and delimiter.lower() not in DELIMITERS:
        raise InvalidInput(f"--delimiter takes ',', ';' or tab, not {delimiter!r}")
    if date_format is not None:
        try:
            check_date_format(date_format)
        except InstantError as err:
            raise InvalidInput(f"--date-format: {err}") from None
    return CsvLayout(
        delimiter=DELIMITERS[delimiter.lower()] if delimiter is not None else None,
        mapping=parse_mapping(maps),
    )


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`--map FORMCOLUMN=FIELD` options as {form column, as the header is matched: field}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        # Split at the last `=`: no field has one in its name, where a form's column may
        # (`Submitted (UTC=0)`).
        column, equals, name = pair.rpartition("=")
        column, name = _header_name(column), name.strip().lower()
        if not equals or not column or not name:
            raise InvalidInput(
                f"--map takes FORMCOLUMN=FIELD, e.g. submission_id=source_id, not {pair!r}"
            )
        if name not in FIELDS:
            raise InvalidInput(
                f"--map {pair!r}: {name!r} is not a field; the fields are {', '.join(FIELDS)}"
            )
        if column in mapping:
            raise InvalidInput(f"--map names the column {column!r} more than once")
        taken = [c for c, f in mapping.items() if f == name]
        if taken:
            raise InvalidInput(f"--map reads both {taken[0]!r} and {column!r} as {name}")
        mapping[column] = name
    return mapping


def _header_name(name: str) -> str:
    """A header's column as it is matched: in any case, without spaces around it."""
    return name.strip().lower()


def sniff_delimiter(line: str) -> str:
    """The delimiter a header line uses: the most frequent of comma, semicolon and tab outside
    quotes (a comma when none is there, or on a tie)."""
    outside = re.sub(r'"[^"]*"', "", line)
    return max((",", ";", "\t"), key=outside.count)


def _spelt_otherwise(raw: Mapping[str, Any], name: str) -> str:
    """Where a JSON Lines object has the field under another spelling (`Consumer`,
    ` email `): JSON's names are read as written, where a CSV header's are read in any case."""
    others = [key for key in raw if key != name and _header_name(str(key)) == name]
    return f" (the row has {others[0]!r}: JSON Lines field names are lower case)" if others else ""


class _NotJson(ValueError):
    """NaN, Infinity or -Infinity: Python's json module reads them, JSON has none of them."""


def _not_json(name: str) -> Any:
    # A summary of NaN would be kept as "nan", and written back to a rejects file as NaN,
    # which no other JSON reader takes.
    raise _NotJson(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    # 1e999 is read as infinity, which JSON cannot write back: a number too large to read.
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


class LineTooLong(ValueError):
    """A line of the batch runs past LINE_LIMIT characters: the file is refused, not read on."""

    def __init__(self, line: int) -> None:
        super().__init__(
            f"line {line} is longer than {LINE_LIMIT:,} characters (a line that does not end: "
            "is it a CSV or JSON Lines file?)"
        )
        self.line = line


def _lines(stream: IO[str]) -> Iterator[str]:
    """The lines of `stream`, each read up to LINE_LIMIT characters: a longer one is refused
    (LineTooLong) once that much of it is read, so memory stays bounded whatever the input."""
    number = 0
    # Two more than the limit: room for the line's own break (\r\n), which is not counted.
    while text := stream.readline(LINE_LIMIT + 2):
        number += 1
        if len(text.rstrip("\r\n")) > LINE_LIMIT:
            raise LineTooLong(number)
        yield text


def read_rows(
    stream: IO[str], fmt: str, *, check_header: bool = False, layout: CsvLayout | None = None
) -> Iterator[Row]:
    """The batch's rows with the line each starts on; blank lines are skipped. With
    `check_header`, a CSV header that cannot describe a complaint is refused at once."""
    if fmt == "csv":
        yield from _csv_rows(_lines(stream), layout or CsvLayout(), check_header=check_header)
        return
    for number, text in enumerate(_lines(stream), start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_constant=_not_json, parse_float=_finite)
        except json.JSONDecodeError as err:
            yield Row(number, {"__error__": f"not JSON: {err.msg}", "raw": text.rstrip("\r\n")})
            continue
        except _NotJson as err:
            yield Row(number, {"__error__": f"not JSON: {err}", "raw": text.rstrip("\r\n")})
            continue
        except (ValueError, RecursionError):  # a number or a nesting past what is read
            problem = "not JSON complaintctl can read (a number or nesting too large)"
            yield Row(number, {"__error__": problem, "raw": text.rstrip("\r\n")})
            continue
        if not isinstance(value, dict):
            yield Row(number, {"__error__": "each line must be a JSON object", "raw": value})
            continue
        yield Row(number, value)


def _csv_rows(stream: Iterator[str], layout: CsvLayout, *, check_header: bool) -> Iterator[Row]:
    # The lines up to the header are read first, to tell the delimiter from the header's.
    lines: list[str] = []
    for text in stream:
        lines.append(text)
        if text.strip():
            break
    delimiter = layout.delimiter or (sniff_delimiter(lines[-1]) if lines else ",")
    layout.split_by = delimiter  # a rejects file is written as the file was
    # strict: a stray quote is an error, not a field that swallows the rows after it.
    reader = csv.reader(itertools.chain(lines, stream), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    ended = 0  # the line the previous record ended on
    try:
        for record in reader:
            start, ended = ended + 1, reader.line_num
            joined = "".join(record)
            if not joined.strip():
                continue  # a blank line
            if header is None:
                # As the cells are: a header written safe (a rejects file's) reads as it was.
                layout.header = [from_csv_cell(name.strip()) for name in record]
                names = [_header_name(name) for name in layout.header]
                if check_header:
                    _check_header(layout.header, names, layout.mapping)
                header = [layout.mapping.get(name, name) for name in names]
                continue
            # A cell the tool wrote as it was given (only a cell that starts with ' changes).
            cells = [from_csv_cell(cell) for cell in record] if "'" in joined else record
            if len(cells) > len(header):
                # Keep what the row has, so it can be fixed in the rejects file.
                problem = f"has {len(cells)} values for {len(header)} columns"
                fields = dict(zip(header, cells, strict=False))
                raw = {**fields, "raw": delimiter.join(record), "__error__": problem}
                yield Row(start, raw, cells)
                continue
            yield Row(start, dict(zip(header, cells, strict=False)), cells)
    except csv.Error as err:
        raise csv_broken(err, ended + 1, reader.line_num) from None


class CsvBroken(ValueError):
    """The file cannot be read as CSV from `line` on, and why, with how to mend it."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(f"line {line}: {why}")
        self.line, self.why = line, why


def csv_broken(err: csv.Error, start: int, at: int) -> CsvBroken:
    """Why a record cannot be read, on its line, rather than the csv module's words alone. A
    quoted field never closed runs to the end of the file: it is named by the line it starts
    on (`start`), not the file's last (`at`)."""
    if "unexpected end of data" in str(err):
        return CsvBroken(
            start,
            "a field opened with a quote is never closed (the file ends inside it): "
            'close it with a quote, and write a quote inside a field twice ("")',
        )
    if "expected after" in str(err):
        return CsvBroken(
            at,
            f"{err}: a field with a quote in it must be wholly in quotes, the quote "
            'written twice, e.g. "5"" screen"',
        )
    if "field larger than field limit" in str(err):
        if at > start:  # a quoted field run on over the rows after it
            return CsvBroken(
                start,
                f"a field opened with a quote on this line runs on past {_FIELD_LIMIT:,}"
                " characters, over the lines after it (a quote never closed?): close it with"
                ' a quote, and write a quote inside a field twice ("")',
            )
        return CsvBroken(at, f"a field is longer than {_FIELD_LIMIT:,} characters")
    return CsvBroken(at, str(err))


def _check_header(written: list[str], names: list[str], mapping: dict[str, str]) -> None:
    """Refuse a header that cannot describe a complaint, once, rather than every row."""
    columns = _listed(written)
    unknown = [column for column in mapping if column not in names]
    if unknown:
        raise InvalidInput(
            f"--map names {', '.join(unknown)}, which the header lacks; it has {columns}"
        )
    read_as = [mapping.get(name, name) for name in names]
    # A field read from two columns is ambiguous; two columns the import ignores are not.
    for name in sorted({name for name in read_as if name in FIELDS and read_as.count(name) > 1}):
        given = [written[i] for i, read in enumerate(read_as) if read == name]
        if all(_header_name(column) == name for column in given):
            raise InvalidInput(f"the header names {name} more than once")
        raise InvalidInput(f"the columns {', '.join(given)} would all be read as {name}")
    missing = [name for name in REQUIRED if name not in read_as]
    if missing:
        lacked = "column" if len(missing) == 1 else "columns"
        named = ", ".join(missing)
        # Every column it lacks, at once: not the email or address only once these are there.
        if "email" not in read_as and "address" not in read_as:
            lacked, named = "columns", f"{named} and an email or an address column"
        raise InvalidInput(
            f"the header lacks the required {lacked} {named}; it has {columns} "
            "(--delimiter to choose how it is split, --map FORMCOLUMN=FIELD to read a column "
            "as a field)"
        )
    if "email" not in read_as and "address" not in read_as:
        raise InvalidInput(
            f"the header needs an email or an address column (or both); it has {columns}"
        )


def _listed(columns: list[str], most: int = 30) -> str:
    """A header's columns for a message: each as written, the first `most` of them."""
    shown = ", ".join(repr(column) for column in columns[:most])
    more = len(columns) - most
    count = "1 column" if len(columns) == 1 else f"{len(columns)} columns"
    return f"{count}: {shown}" + (f" and {more} more" if more > 0 else "")


def _text(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip() or None


def parse_row(
    row: Row, tz: ZoneInfo, now: datetime, date_format: str | None = None
) -> tuple[NewComplaint, datetime] | Reject:
    """A row as the complaint it describes and when it was received, or every problem it has
    (the first of each field: a field refused is not checked further)."""
    raw = row.raw
    if "__error__" in raw:
        return Reject(row.line, (Problem("line", str(raw["__error__"])),), row)
    problems: dict[str, str] = {}
    values: dict[str, str | None] = {}
    get = raw.get
    for name in _TEXT_FIELDS:
        value = get(name)
        if value.__class__ is str:  # CSV's values: the usual case, without a call
            values[name] = value.strip() or None
        elif value is None:
            values[name] = None
        else:
            try:
                values[name] = _text(raw, name)
            except ValueError:
                values[name] = None
                problems[name] = "must be text"
    for name in REQUIRED:
        if not values[name] and name not in problems:
            problems[name] = "is required" + _spelt_otherwise(raw, name)
    for name, problem in _fields_refused(values):
        problems.setdefault(name, problem)
    # Values are read in any case, as a form writes them ("Email", "Delay").
    channel = _CHANNELS.get((values["channel"] or "").lower())
    if channel is None and "channel" not in problems:
        problems["channel"] = f"{values['channel']!r} is not one of {_choices(Channel)}"
    category = _CATEGORIES.get((values["category"] or "").lower())
    if category is None and "category" not in problems:
        problems["category"] = f"{values['category']!r} is not one of {_choices(Category)}"
    email = None
    if "email" not in problems:
        try:
            email = normalise_email(values["email"])
        except InvalidInput as err:
            problems["email"] = err.message
    if not (values["email"] or values["address"] or "email" in problems or "address" in problems):
        problems["email"] = "give an email or an address (or both)"
    received: datetime | None = None
    if "received_at" not in problems:
        try:
            received = parse_instant(values["received_at"] or "", tz, date_format)
        except InstantError as err:
            problems["received_at"] = _unread(err, date_format)
        else:
            if received > now:
                problems["received_at"] = "is in the future"
                received = None
    about: date | None = None
    if values["about"] and "about" not in problems:
        try:
            about = parse_date(values["about"], date_format)
        except InstantError as err:
            problems["about"] = _unread(err, date_format)
        else:
            if received is not None and about > received.astimezone(tz).date():
                problems["about"] = "is after the complaint was received"
    board_text = (values["board"] or "").lower()
    if board_text not in _TRUE and board_text not in _FALSE and "board" not in problems:
        problems["board"] = f"{values['board']!r} is not true or false"
    prefers = values["preferred_contact"] and values["preferred_contact"].lower()
    if prefers and prefers not in _CONTACT_METHODS and "preferred_contact" not in problems:
        problems["preferred_contact"] = (
            f"{values['preferred_contact']!r} is not one of {_choices(ContactMethod)}"
        )
    adjustments, refused = _adjustments(raw.get("adjustments"))
    if refused:
        problems["adjustments"] = refused
    if problems:
        return Reject(row.line, tuple(Problem(*item) for item in problems.items()), row)
    complaint = NewComplaint(
        consumer=values["consumer"] or "",
        channel=cast(Channel, channel),
        category=cast(Category, category),
        summary=values["summary"] or "",
        email=email,
        address=values["address"],
        dispute=normalise_dispute(values["dispute"]),
        board=board_text in _TRUE,
        about=about,
        preferred_contact=prefers,
        adjustments=adjustments,
        source_id=values["source_id"],
    )
    return complaint, cast(datetime, received)


def _unread(err: InstantError, date_format: str | None) -> str:
    """Why a date cannot be read; one not in ISO 8601, with no --date-format given, says the
    file's own way of writing dates can be named, as a form's export (30/11/2026 14:00) needs."""
    if date_format is None and "is not a date" in str(err):
        return f"{err}, or say how the file writes dates with --date-format, e.g. '%d/%m/%Y %H:%M'"
    return str(err)


def _adjustments(value: Any) -> tuple[tuple[str, ...], str | None]:
    """A row's adjustments (text separated by ';', or a JSON list), or why they cannot be."""
    if not value:  # none is the usual case
        return (), None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else text.split(";")
        except json.JSONDecodeError:
            return (), "starts like a JSON list but is not one"
        except (ValueError, RecursionError):
            return (), "starts like a JSON list but is not one complaintctl can read"
    if not isinstance(value, list | tuple) or not all(isinstance(a, str) for a in value):
        return (), "must be text, several separated by ';', or a list of texts"
    for adjustment in value:
        problem = text_problem(adjustment.strip(), LABEL)
        if problem:
            return (), problem
    return tuple(a.strip() for a in value if a.strip()), None


# The rule each text field is held to (complaintctl.text), as `log` holds its options.
_KINDS = {
    "consumer": NAME,
    "email": EMAIL,
    "address": ADDRESS,
    "summary": SUMMARY,
    **{
        name: LABEL
        for name in _TEXT_FIELDS
        if name not in ("consumer", "email", "address", "summary")
    },
}
_ONE_LINE = tuple(name for name in _TEXT_FIELDS if not _KINDS[name].lines)
_LINES = tuple(name for name in _TEXT_FIELDS if _KINDS[name].lines)
_ONE_LINE_LIMIT = min(_KINDS[name].limit for name in _ONE_LINE)
_LINES_LIMIT = min(_KINDS[name].limit for name in _LINES)


def _fields_refused(values: dict[str, str | None]) -> list[tuple[str, str]]:
    """The fields the text rule refuses, and why; line ends made one newline each.

    One look over the row's one-line fields and one over the others: a refusal is rare, and
    only then is each field looked at."""
    for name in _LINES:
        value = values[name]
        if value and "\r" in value:
            values[name] = normalise_lines(value)
    one_line = "\t".join(filter(None, map(values.__getitem__, _ONE_LINE)))
    lines = "\t".join(filter(None, map(values.__getitem__, _LINES)))
    # No field is longer than its fields joined: only a long row is looked at field by field.
    too_long = (len(one_line) > _ONE_LINE_LIMIT or len(lines) > _LINES_LIMIT) and any(
        len(values[name] or "") > kind.limit for name, kind in _KINDS.items()
    )
    if not (
        too_long or refused_anywhere(one_line, lines=False) or refused_anywhere(lines, lines=True)
    ):
        return []
    found = ((name, text_problem(values[name] or "", kind)) for name, kind in _KINDS.items())
    return [(name, problem) for name, problem in found if problem]


def _choices(kind: Any) -> str:
    return ", ".join(m.value for m in kind)


def import_batch(
    uow: UnitOfWork,
    *,
    rows: Iterable[Row],
    source_name: str,
    skip_invalid: bool,
    dry_run: bool,
    by: str,
    now: datetime,
    date_format: str | None = None,
    on_row: Callable[[int], None] = lambda _: None,
    keep_rejects: Callable[[list[Reject]], None] = lambda _: None,
) -> ImportReport:
    """Import `rows` in one transaction, committed only if every row is good (or skipped).
    With `skip_invalid`, the bad rows go to `keep_rejects` before the commit: if they cannot be
    kept, nothing is. `date_format` (strftime codes) reads every date and time in the batch."""
    report = ImportReport(dry_run=dry_run)
    actor = acting_staff(uow, by)
    authorise(actor, Action.LOG)
    by = actor.username
    tz = uow.calendar().tz

    earlier = EarlierRows()

    def log(chunk: list[Taken]) -> None:
        result = log_chunk(uow, chunk, by=by, now=now, source_name=source_name, earlier=earlier)
        report.new.extend(result.refs)
        report.duplicates += result.duplicates + result.repeated
        report.repeated += result.repeated
        for warning, refs in result.warnings.items():
            report.warnings.setdefault(warning, []).extend(refs)
        report.rejects.extend(
            Reject(taken.line, (Problem("consumer", why),), taken.source)
            for taken, why in result.refused
        )
        on_row(len(report.new))

    with uow.holding_commits(), collecting_only_the_batch():
        chunk: list[Taken] = []
        for row in rows:
            report.rows += 1
            parsed = parse_row(row, tz, now, date_format)
            if isinstance(parsed, Reject):
                report.rejects.append(parsed)
                continue
            chunk.append(Taken(row.line, row, *parsed))
            if len(chunk) == _CHUNK:
                log(chunk)
                chunk = []
        log(chunk)
        report.rejects.sort(key=lambda r: r.line)
        if report.rejects and not skip_invalid:
            # Raising rolls back what the good rows wrote.
            raise BatchRefused(
                f"{len(report.rejects)} of {report.rows} "
                f"{'row' if report.rows == 1 else 'rows'} cannot be imported, so none was; "
                "fix them, or use --skip-invalid to import the rest",
                report.rejects,
            )
        if not dry_run:
            if report.rejects:
                keep_rejects(report.rejects)
            uow.commit_held()
    return report


def write_rejects(
    out: IO[str],
    rejects: list[Reject],
    fmt: str,
    header: list[str] | None = None,
    delimiter: str = ",",
) -> None:
    """The bad rows as they came in, each with its problems in `error` (one a line), in their
    format: fix them and import again (with the same options). A CSV file's rows keep the
    file's `header` and its `delimiter` (so a `--delimiter` given reads them again); `raw`
    holds a row that could not be split into its columns, as it was.
    Where the file has an `error` or `raw` of its own, these are `error_2`, `raw_2` (or the
    next number free), so no column of the file is lost."""
    if fmt != "csv":
        rows = [{k: v for k, v in r.row.raw.items() if k != "__error__"} for r in rejects]
        error = _free_name("error", {key for row in rows for key in row})
        for reject, row in zip(rejects, rows, strict=True):
            out.write(json_text({**row, error: "\n".join(reject.describe())}, indent=None) + "\n")
        return
    columns = list(header or FIELDS)
    matched = {_header_name(column) for column in columns}
    error = _free_name("error", matched)
    raw = _free_name("raw", matched | {error})
    at_error, at_raw = len(columns), len(columns) + 1
    columns += [error, raw]

    def cells(reject: Reject) -> list[str]:
        row = reject.row
        if header and row.cells is not None:
            kept = row.cells[: len(header)]  # a row with too many cells has them all in `raw`
            values = [*kept, *[""] * (len(columns) - len(kept))]
        else:
            text = _as_text(row.raw)
            values = [text.get(_header_name(name), "") for name in columns[:at_error]] + ["", ""]
        values[at_error] = "\n".join(reject.describe())
        values[at_raw] = str(row.raw.get("raw", "")) if "__error__" in row.raw else ""
        return values

    write_csv(out, columns, map(cells, rejects), delimiter=delimiter)


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`, … : the first that is not `taken`."""
    number = 1
    while (chosen := name if number == 1 else f"{name}_{number}") in taken:
        number += 1
    return chosen


def _as_text(row: dict[str, Any]) -> dict[str, str]:
    return {
        k: "" if v is None else v if isinstance(v, str) else json.dumps(v) for k, v in row.items()
    }
