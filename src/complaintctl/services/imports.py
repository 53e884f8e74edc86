"""Importing complaints in batches: every row checked before any is kept, nothing doubled.

A batch is read twice from a file (stdin is spooled to one first), so 100,000 rows never sit in
memory at once: the first pass reads every row's fields; the second logs each good row through
the same checks and writes as `log`, in one transaction. Rows already in the store (the same
`source_id`, or the same consumer email, receipt time and summary) are counted as duplicates and
skipped, so a re-run or an overlapping export changes nothing. By default a batch with any bad
row is refused whole; with `skip_invalid` the good rows are kept and the bad ones returned.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import InstantError, parse_date, parse_instant
from complaintctl.domain.procedure import Action, Category, Channel, ContactMethod
from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.services.cases import NewComplaint, record_complaint
from complaintctl.services.common import acting_staff, authorise, normalise_email

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
# Rows written between releases of the session's memory.
_CHUNK = 500
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


@dataclass(frozen=True)
class Row:
    line: int
    raw: dict[str, Any]


def read_rows(stream: IO[str], fmt: str) -> Iterator[Row]:
    """The batch's rows with the line each starts on; blank lines are skipped."""
    if fmt == "csv":
        reader = csv.reader(stream)
        header: list[str] | None = None
        ended = 0  # the line the previous record ended on
        for record in reader:
            start, ended = ended + 1, reader.line_num
            if not record or not any(value.strip() for value in record):
                continue  # a blank line
            if header is None:
                header = [name.strip().lower() for name in record]
                continue
            if len(record) > len(header):
                yield Row(
                    start, {"__error__": f"has {len(record)} values for {len(header)} columns"}
                )
                continue
            yield Row(start, dict(zip(header, record, strict=False)))
        return
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            yield Row(number, {"__error__": f"not JSON: {err.msg}", "raw": text.rstrip("\n")})
            continue
        if not isinstance(value, dict):
            yield Row(number, {"__error__": "each line must be a JSON object", "raw": value})
            continue
        yield Row(number, value)


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
    try:
        values = {name: _text(raw, name) for name in FIELDS if name != "adjustments"}
    except ValueError:
        bad = next(n for n in FIELDS if n != "adjustments" and not _is_text(raw.get(n)))
        return reject(bad, "must be text")
    for name in REQUIRED:
        if not values[name]:
            return reject(name, "is required")
    try:
        channel = Channel(values["channel"] or "")
    except ValueError:
        return reject("channel", f"{values['channel']!r} is not one of {_choices(Channel)}")
    try:
        category = Category(values["category"] or "")
    except ValueError:
        return reject("category", f"{values['category']!r} is not one of {_choices(Category)}")
    try:
        normalise_email(values["email"])
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
    board_text = (values["board"] or "").lower()
    if board_text not in _TRUE | _FALSE:
        return reject("board", f"{values['board']!r} is not true or false")
    prefers = values["preferred_contact"]
    if prefers is not None and prefers not in {m.value for m in ContactMethod}:
        return reject("preferred_contact", f"{prefers!r} is not one of {_choices(ContactMethod)}")
    adjustments = raw.get("adjustments") or ()
    if isinstance(adjustments, str):
        adjustments = adjustments.split(";")
    if not isinstance(adjustments, list | tuple) or not all(
        isinstance(a, str) for a in adjustments
    ):
        return reject("adjustments", "must be text, several separated by ';'")
    complaint = NewComplaint(
        consumer=values["consumer"] or "",
        channel=channel,
        category=category,
        summary=values["summary"] or "",
        email=values["email"],
        address=values["address"],
        dispute=values["dispute"],
        board=board_text in _TRUE,
        about=about,
        preferred_contact=prefers,
        adjustments=tuple(a.strip() for a in adjustments if a.strip()),
        source_id=values["source_id"],
    )
    return complaint, received


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _choices(kind: Any) -> str:
    return ", ".join(m.value for m in kind)


def import_batch(
    uow: UnitOfWork,
    *,
    open_rows: Callable[[], Iterator[Row]],
    source_name: str,
    skip_invalid: bool,
    dry_run: bool,
    by: str,
    now: datetime,
    on_row: Callable[[int], None] = lambda _: None,
) -> ImportReport:
    """Import the rows `open_rows` yields (called twice: check, then write) in one transaction."""
    report = ImportReport(dry_run=dry_run)
    authorise(acting_staff(uow, by), Action.LOG)
    tz = uow.calendar().tz

    # First pass: every row's fields, before anything is written.
    for row in open_rows():
        report.rows += 1
        parsed = parse_row(row, tz, now)
        if isinstance(parsed, Reject):
            report.rejects.append(parsed)

    # Second pass: log each good row, each in a savepoint so a refused one leaves no trace.
    bad_lines = {r.line for r in report.rejects}
    written = 0
    with uow.holding_commits():
        for row in open_rows():
            if row.line in bad_lines:
                continue
            parsed = parse_row(row, tz, now)
            assert not isinstance(parsed, Reject)
            complaint, received = parsed
            if uow.already_logged(
                complaint.source_id,
                complaint.email,
                received,
                complaint.summary,
                complaint.consumer,
                complaint.address,
            ):
                report.duplicates += 1
                continue
            try:
                with uow.savepoint():
                    case, _, _ = record_complaint(
                        uow,
                        complaint=complaint,
                        by=by,
                        at=received,
                        now=now,
                        source={"imported_from": source_name, "line": str(row.line)},
                    )
            except ComplaintError as err:
                report.rejects.append(Reject(row.line, _field_of(err), err.message, row.raw))
                continue
            report.new.append(case.ref)
            written += 1
            on_row(written)
            if written % _CHUNK == 0:
                uow.release_memory()
        report.rejects.sort(key=lambda r: r.line)
        if report.rejects and not skip_invalid:
            raise BatchRefused(
                f"{len(report.rejects)} of {report.rows} rows cannot be imported, so none was; "
                "fix them, or use --skip-invalid to import the rest",
                report.rejects,
            )
        if not dry_run:
            uow.commit_held()
    return report


def _field_of(err: ComplaintError) -> str:
    """The column a refusal from `log` is about, from its message's option name."""
    for name in ("email", "address", "summary", "consumer", "about", "dispute"):
        if f"--{name}" in err.message:
            return name
    return "consumer" if "restricted" in err.message else "row"


def write_rejects(path: Path, rejects: list[Reject], fmt: str) -> None:
    """The bad rows, each with why, in the format they came in: fix them and import again."""
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=[*FIELDS, "error"], extrasaction="ignore")
            writer.writeheader()
            for reject in rejects:
                writer.writerow({**_as_text(reject.row), "error": reject.describe()})
        else:
            for reject in rejects:
                row = {k: v for k, v in reject.row.items() if k != "__error__"}
                out.write(json.dumps({**row, "error": reject.describe()}) + "\n")


def _as_text(row: dict[str, Any]) -> dict[str, str]:
    return {
        k: "" if v is None else v if isinstance(v, str) else json.dumps(v) for k, v in row.items()
    }
