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
import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from complaintctl.domain import policy
from complaintctl.domain.instants import InstantError, parse_date, parse_instant
from complaintctl.domain.procedure import (
    Action,
    Category,
    Channel,
    ContactMethod,
    DeadlineKind,
    RestrictionScope,
    Stage,
)
from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.services.cases import (
    MAX_SUMMARY,
    NewComplaint,
    log_details,
    normalise_dispute,
)
from complaintctl.services.common import (
    acting_staff,
    authorise,
    normalise_email,
    restriction_view,
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
# The columns of a new consumer, in the order they are given.
_CONSUMER_COLUMNS = ("name", "email", "address", "preferred_contact", "adjustments", "created_at")
# The columns of an imported case that differ from row to row, in the order they are given.
_CASE_COLUMNS = (
    "ref",
    "consumer_id",
    "channel",
    "category",
    "summary",
    "dispute_ref",
    "board",
    "received_at",
    "about",
    "out_of_time",
    "source_id",
)
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
            if not "".join(record).strip():
                continue  # a blank line
            if header is None:
                header = [name.strip().lower() for name in record]
                if check_header:
                    _check_header(header)
                continue
            if len(record) > len(header):
                # Keep what the row has, so it can be fixed in the rejects file.
                values = dict(zip(header, record, strict=False))
                problem = f"has {len(record)} values for {len(header)} columns"
                yield Row(start, {**values, "raw": ",".join(record), "__error__": problem})
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
    channel = _CHANNELS.get(values["channel"] or "")
    if channel is None:
        return reject("channel", f"{values['channel']!r} is not one of {_choices(Channel)}")
    category = _CATEGORIES.get(values["category"] or "")
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
    if len(values["summary"] or "") > MAX_SUMMARY:
        return reject(
            "summary", f"is {len(values['summary'] or ''):,} characters; at most {MAX_SUMMARY:,}"
        )
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
    prefers = values["preferred_contact"]
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
    complaint = NewComplaint(
        consumer=values["consumer"] or "",
        channel=channel,
        category=category,
        summary=values["summary"] or "",
        email=email,
        address=values["address"],
        dispute=values["dispute"],
        board=board_text in _TRUE,
        about=about,
        preferred_contact=prefers,
        adjustments=tuple(a.strip() for a in adjustments if a.strip()) if adjustments else (),
        source_id=values["source_id"],
    )
    return complaint, received


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
) -> ImportReport:
    """Import `rows` in one transaction, committed only if every row is good (or skipped)."""
    report = ImportReport(dry_run=dry_run)
    authorise(acting_staff(uow, by), Action.LOG)
    tz = uow.calendar().tz
    context = _Context(uow, by, now, source_name)
    with uow.holding_commits(), _collecting_only_the_batch():
        chunk: list[tuple[Row, NewComplaint, datetime]] = []
        for row in rows:
            report.rows += 1
            parsed = parse_row(row, tz, now)
            if isinstance(parsed, Reject):
                report.rejects.append(parsed)
                continue
            chunk.append((row, *parsed))
            if len(chunk) == _CHUNK:
                _write_chunk(context, chunk, report)
                on_row(len(report.new))
                chunk = []
        _write_chunk(context, chunk, report)
        on_row(len(report.new))
        report.rejects.sort(key=lambda r: r.line)
        if report.rejects and not skip_invalid:
            # Raising rolls back what the good rows wrote.
            raise BatchRefused(
                f"{len(report.rejects)} of {report.rows} rows cannot be imported, so none was; "
                "fix them, or use --skip-invalid to import the rest",
                report.rejects,
            )
        if not dry_run:
            uow.commit_held()
    return report


@contextmanager
def _collecting_only_the_batch() -> Iterator[None]:
    """Keep Python's cycle collector to what the batch makes. It would otherwise walk every
    object loaded before the batch (the store stack's modules and tables: some 75,000) again
    and again as rows come and go, a twentieth of an import's time; they are set aside until
    the batch is done. Where a caller has frozen objects of its own, they are left as they are."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass
class _Context:
    uow: UnitOfWork
    by: str
    now: datetime
    source_name: str


def _write_chunk(
    context: _Context, chunk: list[tuple[Row, NewComplaint, datetime]], report: ImportReport
) -> None:
    """Log a chunk of good rows: skip duplicates, refuse restricted consumers, then insert the
    consumers, cases, acknowledgement clocks and history entries with plain inserts."""
    from complaintctl.store.models import Deadline, Event
    from complaintctl.store.uow import BulkWriter, details_json

    if not chunk:
        return
    uow, calendar = context.uow, context.uow.calendar()
    writer = BulkWriter(uow)
    # parse_row gives every value stripped and the email lower-cased, as `log` keeps them.
    emails = sorted({c.email for _, c, _ in chunk if c.email})
    known_ids = writer.existing_source_ids([c.source_id for _, c, _ in chunk if c.source_id])
    consumers = writer.consumers_by_email(emails)
    # Cases of the consumers found: an email no consumer has has no case to repeat.
    known_keys = writer.existing_keys(list(consumers)) if consumers else set()
    restrictions: dict[int, list[Any]] = {}
    for restriction in writer.restrictions([c.id for c in consumers.values()]) if consumers else ():
        restrictions.setdefault(restriction.consumer_id, []).append(restriction)

    accepted: list[tuple[Row, NewComplaint, datetime, str | None]] = []
    seen_by_address: set[tuple[str, str, datetime, str] | None] = set()
    for row, complaint, received in chunk:
        email, summary = complaint.email, complaint.summary
        key = (email, received, summary) if email else None
        if (complaint.source_id and complaint.source_id in known_ids) or key in known_keys:
            report.duplicates += 1
            continue
        by_address = (
            None if email else (complaint.consumer, complaint.address or "", received, summary)
        )
        if by_address in seen_by_address or (
            by_address is not None
            and uow.already_logged(
                complaint.source_id, None, received, summary, by_address[0], by_address[1] or None
            )
        ):
            report.duplicates += 1
            continue
        if email:
            consumer = consumers.get(email)
        else:
            consumer = writer.consumer_by_name_and_address(
                complaint.consumer, complaint.address or ""
            )
            if consumer is not None and consumer.id not in restrictions:
                restrictions[consumer.id] = list(writer.restrictions([consumer.id]))
        refusal = _restricted(consumer, restrictions, complaint, uow)
        if refusal:
            report.rejects.append(Reject(row.line, "consumer", refusal, row.raw))
            continue
        if complaint.source_id:
            known_ids.add(complaint.source_id)
        if key:
            known_keys.add(key)
        if by_address:
            seen_by_address.add(by_address)
        accepted.append((row, complaint, received, email))

    consumer_ids = _save_consumers(writer, accepted, consumers, context.now)
    years = [calendar.local_date(received).year for _, _, received, _ in accepted]
    numbers: dict[int, int] = {}
    for year in years:
        numbers[year] = numbers.get(year, 0) + 1
    next_number = {year: writer.take_ref_numbers(year, n) for year, n in sorted(numbers.items())}

    # What every imported case, clock and history entry has in common, worked out once.
    case_fields = {
        "stage": Stage.RECEIVED.value,
        "area": None,
        "responder": None,
        "first_responder": None,
        "handler": None,
        "close_reason": None,
        "logged_by": context.by,
        "logged_at": context.now,
        "version": 0,
    }
    acknowledge = policy.ACKNOWLEDGE
    clock_fields = {
        "restriction_id": None,
        "kind": DeadlineKind.ACKNOWLEDGE.value,
        "amount": acknowledge.amount,
        "unit": acknowledge.unit,
        "rule": acknowledge.describe(),
        "ended_at": None,
        "outcome": None,
    }
    event_fields = {"action": Action.LOG.value, "actor": context.by, "recorded_at": context.now}

    cases: list[tuple[Any, ...]] = []  # each with a value for each of _CASE_COLUMNS
    clocks: list[tuple[str, datetime, datetime]] = []  # case, start, due
    events: list[tuple[str, datetime, str]] = []  # case, when, details
    for (row, complaint, received, email), consumer_id, year in zip(
        accepted, consumer_ids, years, strict=True
    ):
        ref = f"SC-{year:04d}-{next_number[year]:06d}"
        next_number[year] += 1
        out_of_time = complaint.about is not None and complaint.about < calendar.local_date(
            calendar.add_months(received, -policy.OUT_OF_TIME_MONTHS)
        )
        dispute = normalise_dispute(complaint.dispute) if complaint.dispute else None
        summary = complaint.summary
        channel, category = complaint.channel.value, complaint.category.value
        cases.append(
            (
                ref,
                consumer_id,
                channel,
                category,
                summary,
                dispute,
                complaint.board,
                received,
                complaint.about,
                out_of_time,
                complaint.source_id,
            )
        )
        due = policy.due_after(acknowledge, calendar, received)
        clocks.append((ref, received, due))
        details = log_details(
            consumer=complaint.consumer,
            email=email,
            address=complaint.address,
            channel=channel,
            category=category,
            summary=summary,
            dispute=dispute,
            board=complaint.board,
            about=complaint.about,
            out_of_time=out_of_time,
            acknowledge_due=due,
            imported_from=context.source_name,
            line=str(row.line),
        )
        events.append((ref, received, details_json(details)))
    if not cases:
        return
    ids = writer.insert_cases(_CASE_COLUMNS, cases, case_fields)
    writer.insert_values(
        Deadline,
        ("case_id", "start_at", "due_at"),
        [(ids[ref], start, due) for ref, start, due in clocks],
        clock_fields,
    )
    writer.insert_values(
        Event,
        ("case_id", "at", "details"),
        [(ids[ref], at, details) for ref, at, details in events],
        event_fields,
    )
    report.new.extend(ref for ref, _, _ in clocks)


def _restricted(
    consumer: Any, restrictions: dict[int, list[Any]], complaint: NewComplaint, uow: UnitOfWork
) -> str | None:
    """Why `log` would refuse this row for a restriction, or None (import has no override)."""
    if consumer is None:
        return None
    dispute = normalise_dispute(complaint.dispute)
    blocking = [
        r
        for r in restrictions.get(consumer.id, ())
        if r.scope == RestrictionScope.PROCEDURE
        or (r.scope == RestrictionScope.SAME_MATTER and dispute and r.dispute_ref == dispute)
    ]
    if not blocking:
        return None
    described = "; ".join(restriction_view(uow, r).describe() for r in blocking)
    return f"{consumer.name} is restricted: {described}"


def _save_consumers(
    writer: Any,
    accepted: list[tuple[Row, NewComplaint, datetime, str | None]],
    known: dict[str, Any],
    now: datetime,
) -> list[int]:
    """Each accepted row's consumer id, matched as `log` matches them (email, else name and
    address) and left as `log` would leave them after these rows in turn: the latest name and
    address, every adjustment, the latest preferred contact. New consumers are inserted
    together, the others updated together."""
    from complaintctl.store.models import Consumer

    # By email, else by name and address.
    consumers: dict[str | tuple[str, str, str], dict[str, Any]] = {}
    keys: list[str | tuple[str, str, str]] = []
    for _, complaint, received, email in accepted:
        name, address = complaint.consumer, complaint.address  # stripped, as parse_row gives
        key = email or ("place", name, address or "")
        consumer = consumers.get(key)
        if consumer is None:
            found = (
                known.get(email)
                if email
                else writer.consumer_by_name_and_address(name, address or "")
            )
            consumer = consumers[key] = (
                {
                    "id": found.id,
                    "name": found.name,
                    "email": found.email,
                    "address": found.address,
                    "preferred_contact": found.preferred_contact,
                    "adjustments": set(json.loads(found.adjustments)),
                }
                if found
                else {
                    "id": None,
                    "email": email,
                    "address": None,
                    "preferred_contact": None,
                    "adjustments": set(),
                    "created_at": received,
                }
            )
        consumer["name"] = name
        consumer["address"] = address or consumer["address"]
        consumer["preferred_contact"] = complaint.preferred_contact or consumer["preferred_contact"]
        if complaint.adjustments:
            consumer["adjustments"].update(complaint.adjustments)
        keys.append(key)

    def stored(consumer: dict[str, Any]) -> tuple[Any, ...]:
        """A new consumer's row: a value for each of _CONSUMER_COLUMNS."""
        adjustments = consumer["adjustments"]
        return (
            consumer["name"],
            consumer["email"],
            consumer["address"],
            consumer["preferred_contact"],
            json.dumps(sorted(adjustments)) if adjustments else "[]",
            consumer["created_at"],
        )

    new_with_email = [c for c in consumers.values() if c["id"] is None and c["email"]]
    if new_with_email:
        writer.insert_values(Consumer, _CONSUMER_COLUMNS, [stored(c) for c in new_with_email])
        ids = writer.consumer_ids_by_email([c["email"] for c in new_with_email])
        for consumer in new_with_email:
            consumer["id"] = ids[consumer["email"]]
    # By name and address only: no key to look them up by afterwards, so RETURNING their ids.
    by_address = [c for c in consumers.values() if c["id"] is None]
    ids_by_address = writer.insert_consumers(
        [dict(zip(_CONSUMER_COLUMNS, stored(c), strict=True)) for c in by_address]
    )
    for consumer, consumer_id in zip(by_address, ids_by_address, strict=True):
        consumer["id"] = consumer_id
    writer.update_consumers(
        [
            {
                "consumer_id": c["id"],
                "new_name": c["name"],
                "new_address": c["address"],
                "new_preferred": c["preferred_contact"],
                "new_adjustments": json.dumps(sorted(c["adjustments"])),
            }
            for c in consumers.values()
            if "created_at" not in c
        ]
    )
    return [consumers[key]["id"] for key in keys]


def write_rejects(path: Path, rejects: list[Reject], fmt: str) -> None:
    """The bad rows, each with why, in the format they came in: fix them and import again."""
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            # `raw`: a row that could not be split into its columns, as it was.
            writer = csv.DictWriter(
                out, fieldnames=[*FIELDS, "error", "raw"], extrasaction="ignore"
            )
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
