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
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import InstantError, parse_date, parse_instant
from complaintctl.domain.intake import (
    NewComplaint,
    normalise_dispute,
    normalise_email,
)
from complaintctl.domain.procedure import Action, Category, Channel, ContactMethod
from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.services.common import acting_staff, authorise, collecting_only_the_batch
from complaintctl.services.intake import Taken, log_chunk
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
csv.field_size_limit(1_000_000)


class BatchRefused(ComplaintError):
    """Some rows are bad, so nothing was imported (exit 2, like any invalid input)."""

    exit_code = InvalidInput.exit_code

    def __init__(self, message: str, rejects: list[Reject]) -> None:
        super().__init__(message)
        self.rejects = rejects


@dataclass(frozen=True)
class Reject:
    line: int
    field: str
    reason: str
    row: dict[str, Any]

    def describe(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    rows: int = 0
    new: list[str] = field(default_factory=list)  # references made
    duplicates: int = 0
    rejects: list[Reject] = field(default_factory=list)
    dry_run: bool = False


class Row(NamedTuple):
    """A row of a batch, as read, and the line it starts on."""

    line: int
    raw: dict[str, Any]


def read_rows(stream: IO[str], fmt: str, *, check_header: bool = False) -> Iterator[Row]:
    """The batch's rows with the line each starts on; blank lines are skipped. With
    `check_header`, a CSV header that cannot describe a complaint is refused at once."""
    if fmt == "csv":
        # strict: a stray quote is an error, not a field that swallows the rows after it.
        reader = csv.reader(stream, strict=True)
        header: list[str] | None = None
        ended = 0  # the line the previous record ended on
        for record in reader:
            start, ended = ended + 1, reader.line_num
            joined = "".join(record)
            if not joined.strip():
                continue  # a blank line
            if header is None:
                header = [name.strip().lower() for name in record]
                if check_header:
                    _check_header(header)
                continue
            # A cell the tool wrote as it was given (only a cell that starts with ' changes).
            values = map(from_csv_cell, record) if "'" in joined else iter(record)
            if len(record) > len(header):
                # Keep what the row has, so it can be fixed in the rejects file.
                problem = f"has {len(record)} values for {len(header)} columns"
                fields = dict(zip(header, values, strict=False))
                yield Row(start, {**fields, "raw": ",".join(record), "__error__": problem})
                continue
            yield Row(start, dict(zip(header, values, strict=False)))
        return
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            yield Row(number, {"__error__": f"not JSON: {err.msg}", "raw": text.rstrip("\n")})
            continue
        except (ValueError, RecursionError):  # a number or a nesting past what is read
            problem = "not JSON complaintctl can read (a number or nesting too large)"
            yield Row(number, {"__error__": problem, "raw": text.rstrip("\n")})
            continue
        if not isinstance(value, dict):
            yield Row(number, {"__error__": "each line must be a JSON object", "raw": value})
            continue
        yield Row(number, value)


def _check_header(header: list[str]) -> None:
    """Refuse a header that cannot describe a complaint, once, rather than every row."""
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise InvalidInput(f"the header names {', '.join(repeated)} more than once")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInput(f"the header lacks the required column(s) {', '.join(missing)}")
    if "email" not in header and "address" not in header:
        raise InvalidInput("the header needs an email or an address column (or both)")


def _text(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip() or None


def parse_row(row: Row, tz: ZoneInfo, now: datetime) -> tuple[NewComplaint, datetime] | Reject:
    """A row as the complaint it describes and when it was received, or why it cannot be."""

    def reject(name: str, reason: str) -> Reject:
        return Reject(row.line, name, reason, row.raw)

    raw = row.raw
    if "__error__" in raw:
        return reject("line", str(raw["__error__"]))
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
                return reject(name, "must be text")
    for name in REQUIRED:
        if not values[name]:
            return reject(name, "is required")
    refusal = _field_refused(values)
    if refusal is not None:
        return reject(*refusal)
    # Values are read in any case, as a form writes them ("Email", "Delay").
    channel = _CHANNELS.get((values["channel"] or "").lower())
    if channel is None:
        return reject("channel", f"{values['channel']!r} is not one of {_choices(Channel)}")
    category = _CATEGORIES.get((values["category"] or "").lower())
    if category is None:
        return reject("category", f"{values['category']!r} is not one of {_choices(Category)}")
    try:
        email = normalise_email(values["email"])
    except InvalidInput as err:
        return reject("email", err.message)
    if not values["email"] and not values["address"]:
        return reject("email", "give an email or an address (or both)")
    try:
        received = parse_instant(values["received_at"] or "", tz)
    except InstantError as err:
        return reject("received_at", str(err))
    if received > now:
        return reject("received_at", "is in the future")
    about: date | None = None
    if values["about"]:
        try:
            about = parse_date(values["about"])
        except InstantError as err:
            return reject("about", str(err))
        if about > received.astimezone(tz).date():
            return reject("about", "is after the complaint was received")
    board_text = (values["board"] or "").lower()
    if board_text not in _TRUE and board_text not in _FALSE:
        return reject("board", f"{values['board']!r} is not true or false")
    prefers = values["preferred_contact"] and values["preferred_contact"].lower()
    if prefers is not None and prefers not in _CONTACT_METHODS:
        return reject("preferred_contact", f"{prefers!r} is not one of {_choices(ContactMethod)}")
    adjustments = raw.get("adjustments") or ()
    if isinstance(adjustments, str):
        text = adjustments.strip()
        try:
            adjustments = json.loads(text) if text.startswith("[") else text.split(";")
        except json.JSONDecodeError:
            return reject("adjustments", "starts like a JSON list but is not one")
    if adjustments and (  # none is the usual case
        not isinstance(adjustments, list | tuple)
        or not all(isinstance(a, str) for a in adjustments)
    ):
        return reject("adjustments", "must be text, several separated by ';'")
    for adjustment in adjustments:
        problem = text_problem(adjustment.strip(), LABEL)
        if problem:
            return reject("adjustments", problem)
    complaint = NewComplaint(
        consumer=values["consumer"] or "",
        channel=channel,
        category=category,
        summary=values["summary"] or "",
        email=email,
        address=values["address"],
        dispute=normalise_dispute(values["dispute"]),
        board=board_text in _TRUE,
        about=about,
        preferred_contact=prefers,
        adjustments=tuple(a.strip() for a in adjustments if a.strip()) if adjustments else (),
        source_id=values["source_id"],
    )
    return complaint, received


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


def _field_refused(values: dict[str, str | None]) -> tuple[str, str] | None:
    """The first field the text rule refuses, and why; line ends made one newline each.

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
        return None
    for name, kind in _KINDS.items():
        problem = text_problem(values[name] or "", kind)
        if problem:
            return name, problem
    return None


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
    on_row: Callable[[int], None] = lambda _: None,
    keep_rejects: Callable[[list[Reject]], None] = lambda _: None,
) -> ImportReport:
    """Import `rows` in one transaction, committed only if every row is good (or skipped).
    With `skip_invalid`, the bad rows go to `keep_rejects` before the commit: if they cannot be
    kept, nothing is."""
    report = ImportReport(dry_run=dry_run)
    actor = acting_staff(uow, by)
    authorise(actor, Action.LOG)
    by = actor.username
    tz = uow.calendar().tz

    def log(chunk: list[Taken]) -> None:
        result = log_chunk(uow, chunk, by=by, now=now, source_name=source_name)
        report.new.extend(result.refs)
        report.duplicates += result.duplicates
        report.rejects.extend(
            Reject(taken.line, "consumer", why, taken.raw) for taken, why in result.refused
        )
        on_row(len(report.new))

    with uow.holding_commits(), collecting_only_the_batch():
        chunk: list[Taken] = []
        for row in rows:
            report.rows += 1
            parsed = parse_row(row, tz, now)
            if isinstance(parsed, Reject):
                report.rejects.append(parsed)
                continue
            chunk.append(Taken(row.line, row.raw, *parsed))
            if len(chunk) == _CHUNK:
                log(chunk)
                chunk = []
        log(chunk)
        report.rejects.sort(key=lambda r: r.line)
        if report.rejects and not skip_invalid:
            # Raising rolls back what the good rows wrote.
            raise BatchRefused(
                f"{len(report.rejects)} of {report.rows} rows cannot be imported, so none was; "
                "fix them, or use --skip-invalid to import the rest",
                report.rejects,
            )
        if not dry_run:
            if report.rejects:
                keep_rejects(report.rejects)
            uow.commit_held()
    return report


def write_rejects(out: IO[str], rejects: list[Reject], fmt: str) -> None:
    """The bad rows, each with why, in the format they came in: fix them and import again.
    In CSV, `raw` holds a row that could not be split into its columns, as it was."""
    fields = [*FIELDS, "error", "raw"]
    if fmt == "csv":
        rows = ({**_as_text(reject.row), "error": reject.describe()} for reject in rejects)
        write_csv(out, fields, ([row.get(name, "") for name in fields] for row in rows))
        return
    for reject in rejects:
        row = {k: v for k, v in reject.row.items() if k != "__error__"}
        out.write(json_text({**row, "error": reject.describe()}, indent=None) + "\n")


def _as_text(row: dict[str, Any]) -> dict[str, str]:
    return {
        k: "" if v is None else v if isinstance(v, str) else json.dumps(v) for k, v in row.items()
    }
