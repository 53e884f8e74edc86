"""Taking complaints in: `log`, one at a time through the ORM, and `import`, a chunk at a time
with plain inserts. Both apply the same rules (domain/intake.py) and write the same rows: the
case and its reference, its consumer matched and updated, its acknowledgement clock and its
`log` history entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from complaintctl import text
from complaintctl.domain.clocks import CLOCKS, STEP_CLOCKS, DeadlineKind
from complaintctl.domain.intake import (
    ConsumerDetails,
    NewComplaint,
    adjustments_json,
    blocking,
    case_reference,
    consumer_key,
    details_after,
    is_out_of_time,
    matching_form,
    normalise_dispute,
    normalise_email,
    restricted,
)
from complaintctl.domain.policy import due_after
from complaintctl.domain.procedure import Action, Actor, CloseReason, Stage, StoreAction
from complaintctl.errors import ConsumerRestricted, InvalidInput
from complaintctl.services.clocks import step_clocks
from complaintctl.services.common import (
    acting_staff,
    authorise,
    authorise_store,
    coverage_warnings,
    not_in_future,
    optional,
    record_and_view,
    required,
    restriction_view,
)
from complaintctl.services.steps import close_reason, closing
from complaintctl.views import CaseView, EarlierCase

if TYPE_CHECKING:
    from complaintctl.store.bulk import BulkWriter, ConsumerRow
    from complaintctl.store.models import Consumer, Restriction
    from complaintctl.store.uow import UnitOfWork


# -- log: one complaint --------------------------------------------------------------------


def log_complaint(
    uow: UnitOfWork,
    *,
    complaint: NewComplaint,
    by: str,
    at: datetime,
    now: datetime,
    override_restriction: str | None = None,
    resolved_informally: str | None = None,
) -> CaseView:
    """Record a complaint received at `at` and start its acknowledgement clock; or, with
    `resolved_informally` (a note), log it already resolved at the informal stage [page]."""
    from complaintctl.store.models import Case

    not_in_future(at, now, uow)
    actor = acting_staff(uow, by)
    authorise(actor, Action.LOG)
    by = actor.username
    complaint = _checked(uow, complaint, at)
    consumer, same, earlier = _consumer_for(uow, complaint, at)
    notes = (
        (
            f"the consumer is on record as {consumer.name!r}, not {complaint.consumer!r} as "
            f"given: their record keeps {consumer.name!r} (`complaintctl edit REF --name` "
            "corrects it)",
        )
        if consumer.name != complaint.consumer
        else ()
    )
    override = _check_restrictions(
        uow, consumer, same, complaint.dispute, at, actor, override_restriction
    )
    assert consumer.id is not None

    calendar = uow.calendar()
    year = calendar.local_date(at).year
    out_of_time = is_out_of_time(calendar, complaint.about, at)
    case = Case(
        ref=case_reference(year, uow.next_ref_number(year)),
        consumer_id=consumer.id,
        channel=complaint.channel.value,
        category=complaint.category.value,
        summary=complaint.summary,
        dispute_ref=complaint.dispute,
        board=complaint.board,
        received_at=at,
        stage=Stage.RECEIVED.value,
        about=complaint.about,
        out_of_time=out_of_time,
        source_id=complaint.source_id,
        logged_by=by,
        logged_at=now,
    )
    uow.add(case)
    uow.flush()
    due = step_clocks(uow, Action.LOG, at, now=now, case=case).due(DeadlineKind.ACKNOWLEDGE)
    entry = log_details(
        complaint,
        out_of_time=out_of_time,
        acknowledge_due=due,
        **({"restriction_overridden": override} if override else {}),
    )
    action = Action.LOG
    if resolved_informally is not None:
        note = required(resolved_informally, "--resolved-informally")
        uow.record(case, Action.LOG, by=by, at=at, now=now, **entry)
        step_clocks(uow, Action.CLOSE, at, now=now, case=case)
        case.stage = Stage.CLOSED.value
        case.close_reason = close_reason(CloseReason.RESOLVED_INFORMALLY, None)
        action, entry = Action.CLOSE, closing(CloseReason.RESOLVED_INFORMALLY, None, note)
    return record_and_view(
        uow,
        case,
        action,
        by=by,
        at=at,
        now=now,
        details=entry,
        counted_between=[at, due],
        earlier=tuple(EarlierCase(*row) for row in earlier),
        notes=notes,
    )


def _checked(uow: UnitOfWork, complaint: NewComplaint, at: datetime) -> NewComplaint:
    """The complaint as `log` keeps it: text stripped, email lower-cased, dispute normalised;
    or why it cannot be taken, naming the option."""
    name = required(complaint.consumer, "--consumer", text.NAME)
    summary = required(complaint.summary, "--summary", text.SUMMARY)
    email = normalise_email(complaint.email)
    address = optional(complaint.address, "--address", text.ADDRESS)
    if email is None and address is None:
        raise InvalidInput("give the consumer's --email or --address (or both)")
    if complaint.about is not None and complaint.about > uow.calendar().local_date(at):
        raise InvalidInput("--about is after the complaint was received")
    return replace(
        complaint,
        consumer=name,
        summary=summary,
        email=email,
        address=address,
        dispute=optional(normalise_dispute(complaint.dispute), "--dispute", text.LABEL),
        adjustments=tuple(
            required(adjustment, "--adjustment", text.LABEL) for adjustment in complaint.adjustments
        ),
    )


def log_details(
    complaint: NewComplaint, *, out_of_time: bool, acknowledge_due: datetime, **extra: object
) -> dict[str, object]:
    """What a `log` history entry records: the complaint as received (log and import alike)."""
    return {
        "consumer": complaint.consumer,
        "email": complaint.email,
        "address": complaint.address,
        "channel": complaint.channel.value,
        "category": complaint.category.value,
        "summary": complaint.summary,
        "dispute": complaint.dispute,
        "board": complaint.board,
        "about": complaint.about,
        "out_of_time": out_of_time,
        "acknowledge_due": acknowledge_due,
        **extra,
    }


def _consumer_for(
    uow: UnitOfWork, complaint: NewComplaint, at: datetime
) -> tuple[Consumer, list[Consumer], list[tuple[str, str, datetime]]]:
    """The complaint's consumer (domain.intake.consumer_key), as the complaint leaves them;
    every consumer record that is the same person (a store may hold one twice from before
    names and addresses were matched in their matching form); and the earlier cases of all
    of them, oldest first."""
    from complaintctl.store.models import Consumer

    key = consumer_key(complaint.email, complaint.consumer, complaint.address)
    same = uow.consumers_matching(key)
    consumer = same[0] if same else None
    if consumer is None:
        details = details_after(None, complaint)
        consumer = Consumer(
            name=details.name,
            email=complaint.email,
            address=details.address,
            preferred_contact=details.preferred_contact,
            adjustments=adjustments_json(details.adjustments),
            created_at=at,
        )
        earlier = []
    else:
        earlier = sorted(
            (case for each in same for case in uow.cases_of(each)), key=lambda case: case[2]
        )
        known = _details_of(consumer)
        details = details_after(known, complaint)
        consumer.name, consumer.address = details.name, details.address
        consumer.preferred_contact = details.preferred_contact
        if complaint.adjustments:
            consumer.adjustments = adjustments_json(details.adjustments)
    uow.add(consumer)
    uow.flush()
    return consumer, same or [consumer], earlier


def _details_of(consumer: Consumer | ConsumerRow) -> ConsumerDetails:
    return ConsumerDetails(
        consumer.name,
        consumer.address,
        consumer.preferred_contact,
        frozenset(json.loads(consumer.adjustments)),
    )


def _check_restrictions(
    uow: UnitOfWork,
    consumer: Consumer,
    same: list[Consumer],
    dispute: str | None,
    received: datetime,
    actor: Actor,
    override: str | None,
) -> str | None:
    """Refuse a consumer restricted from the procedure or from this matter (on any record of
    theirs, `same`), unless a senior role overrides it with a reason: what the history records
    of the override, if any."""
    restrictions = [r for each in same for r in uow.restrictions_of(each)]
    refusing = blocking(restrictions, dispute, received)
    if not refusing:
        if override is not None:
            raise InvalidInput(
                f"--override-restriction is for a restricted consumer: no restriction of "
                f"{consumer.name}'s refuses this complaint, so there is nothing to override"
            )
        return None
    described = "; ".join(restriction_view(uow, r).describe() for r in refusing)
    if override is None:
        raise ConsumerRestricted(
            f"{restricted(consumer.name, described)}; a senior-leader or "
            "senior-complaint-executive may log it with --override-restriction REASON"
        )
    authorise_store(actor, StoreAction.OVERRIDE_RESTRICTION)
    return f"{required(override, '--override-restriction')} ({described})"


# -- import: a chunk of complaints at once -------------------------------------------------

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


@dataclass(frozen=True)
class Taken:
    """A row of a batch, checked (services/imports.parse_row): where it came from, and the
    complaint it describes with the text normalised as `log` keeps it."""

    line: int
    source: Any  # the row as read (services/imports.Row), for the rejects
    complaint: NewComplaint
    received: datetime


@dataclass
class EarlierRows:
    """The rows of a batch logged so far, over its chunks: a row the same as one of them
    repeats it, where one the same as a case from before the batch is already in the store.
    Each is kept as a short digest of what makes it the same (a summary may be long), so a
    long batch holds a few bytes a row."""

    seen: set[bytes] = field(default_factory=set)

    @staticmethod
    def digest(*what: object) -> bytes:
        # An instant as one text whatever its offset: 10:00+01:00 is 09:00Z.
        same = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in what]
        return hashlib.blake2b(repr(same).encode(), digest_size=16).digest()

    def has(self, *what: object) -> bool:
        return self.digest(*what) in self.seen

    def add(self, *what: object) -> None:
        self.seen.add(self.digest(*what))


@dataclass
class ChunkResult:
    refs: list[str] = field(default_factory=list)  # references made, in the rows' order
    duplicates: int = 0  # the same as a case already in the store
    repeated: int = 0  # the same as an earlier row of the batch
    # Rows a restriction refuses: (the row, why), for the batch's list of rejects.
    refused: list[tuple[Taken, str]] = field(default_factory=list)
    # Each warning (a deadline past the known bank holidays) and the references it is about.
    warnings: dict[str, list[str]] = field(default_factory=dict)


def log_chunk(
    uow: UnitOfWork,
    chunk: list[Taken],
    *,
    by: str,
    now: datetime,
    source_name: str,
    earlier: EarlierRows | None = None,
) -> ChunkResult:
    """Log a chunk of checked rows as `log` would, without committing: skip those already in
    the store or repeating an earlier row of the batch (`earlier`, kept up to date over its
    chunks), refuse restricted consumers (import has no override), then insert the consumers,
    cases, acknowledgement clocks and history entries with plain inserts."""
    from complaintctl.store.bulk import BulkWriter
    from complaintctl.store.models import Deadline, Event
    from complaintctl.store.uow import details_json

    result = ChunkResult()
    if not chunk:
        return result
    calendar = uow.calendar()
    writer = BulkWriter(uow)
    emails = sorted({t.complaint.email for t in chunk if t.complaint.email})
    known_ids = writer.existing_source_ids(
        [t.complaint.source_id for t in chunk if t.complaint.source_id]
    )
    consumers = writer.consumers_by_email(emails)
    # Cases of the consumers found: an email no consumer has has no case to repeat.
    known_keys = writer.existing_keys(list(consumers)) if consumers else set()
    # The consumers of the rows without an email, by name and address: every record of the
    # person (domain.intake.consumer_key), and the cases they have.
    people: dict[tuple[str, str], list[ConsumerRow]] = {}
    for taken in chunk:
        complaint = taken.complaint
        if not complaint.email:
            person = (matching_form(complaint.consumer), matching_form(complaint.address))
            people[person] = writer.consumers_by_name_and_address().get(person, [])
    ids_by_address = sorted({c.id for same in people.values() for c in same})
    their_cases = writer.cases_received(ids_by_address) if ids_by_address else set()
    restrictions: dict[int, list[Restriction]] = {}
    found_ids = [c.id for c in consumers.values()] + ids_by_address
    for restriction in writer.restrictions(found_ids) if found_ids else ():
        restrictions.setdefault(restriction.consumer_id, []).append(restriction)

    accepted: list[Taken] = []
    if earlier is None:
        earlier = EarlierRows()
    for taken in chunk:
        complaint, received = taken.complaint, taken.received
        email, summary = complaint.email, complaint.summary
        key = (email, received, summary) if email else None
        # Before the store is asked: the rows of earlier chunks are in it too, uncommitted.
        if (complaint.source_id and earlier.has("source_id", complaint.source_id)) or (
            key is not None and earlier.has("key", *key)
        ):
            result.repeated += 1
            continue
        if (complaint.source_id and complaint.source_id in known_ids) or key in known_keys:
            result.duplicates += 1
            continue
        by_address = None
        if email:
            same = [consumers[email]] if email in consumers else []
        else:
            person = (matching_form(complaint.consumer), matching_form(complaint.address))
            same = people[person]
            by_address = (person, received, summary)
            if earlier.has("by_address", *by_address):
                result.repeated += 1
                continue
            if any((c.id, received, summary) in their_cases for c in same):
                result.duplicates += 1
                continue
        if same:
            in_force = [r for c in same for r in restrictions.get(c.id, ())]
            refusing = blocking(in_force, complaint.dispute, received)
            if refusing:
                described = "; ".join(restriction_view(uow, r).describe() for r in refusing)
                result.refused.append((taken, restricted(same[0].name, described)))
                continue
        if complaint.source_id:
            earlier.add("source_id", complaint.source_id)
        if key:
            earlier.add("key", *key)
        if by_address:
            earlier.add("by_address", *by_address)
        accepted.append(taken)
    if not accepted:
        return result

    consumer_ids = _save_consumers(writer, accepted, consumers)
    years = [calendar.local_date(t.received).year for t in accepted]
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
        "logged_by": by,
        "logged_at": now,
        "version": 0,
    }
    (started,) = STEP_CLOCKS[Action.LOG].starts  # the acknowledgement
    rule = CLOCKS[started].rule
    clock_fields = {
        "restriction_id": None,
        "kind": started.value,
        "amount": rule.amount,
        "unit": rule.unit,
        "rule": rule.describe(),
        "ended_at": None,
        "outcome": None,
    }
    login, host = uow.origin or (None, None)
    event_fields = {
        "action": Action.LOG.value,
        "actor": by,
        "recorded_at": now,
        "login": login,
        "host": host,
    }

    cases: list[tuple[Any, ...]] = []  # each with a value for each of _CASE_COLUMNS
    clocks: list[tuple[str, datetime, datetime]] = []  # case, start, due
    events: list[tuple[str, datetime, str]] = []  # case, when, details
    for taken, consumer_id, year in zip(accepted, consumer_ids, years, strict=True):
        complaint, received = taken.complaint, taken.received
        ref = case_reference(year, next_number[year])
        next_number[year] += 1
        out_of_time = is_out_of_time(calendar, complaint.about, received)
        cases.append(
            (
                ref,
                consumer_id,
                complaint.channel.value,
                complaint.category.value,
                complaint.summary,
                complaint.dispute,
                complaint.board,
                received,
                complaint.about,
                out_of_time,
                complaint.source_id,
            )
        )
        due = due_after(rule, calendar, received)
        clocks.append((ref, received, due))
        for warning in coverage_warnings(calendar, received, due):
            result.warnings.setdefault(warning, []).append(ref)
        details = log_details(
            complaint,
            out_of_time=out_of_time,
            acknowledge_due=due,
            imported_from=source_name,
            line=taken.line,
        )
        events.append((ref, received, details_json(details)))
    ids = writer.insert_cases(_CASE_COLUMNS, cases, case_fields)
    writer.insert_values(
        Deadline,
        ("case_id", "start_at", "due_at"),
        [(ids[ref], start, due) for ref, start, due in clocks],
        clock_fields,
    )
    columns, sealed = uow.sealer().seal_rows(
        ("case_id", "at", "details"),
        [(ids[ref], at, details) for ref, at, details in events],
        event_fields,
    )
    writer.insert_values(Event, columns, sealed, event_fields)
    result.refs.extend(ref for ref, _, _ in clocks)
    return result


@dataclass
class _ChunkConsumer:
    """A consumer as the chunk's rows leave them, in turn."""

    id: int | None
    email: str | None
    details: ConsumerDetails | None
    created_at: datetime | None  # when new: the receipt of their first complaint

    def stored(self) -> tuple[Any, ...]:
        """A new consumer's row: a value for each of _CONSUMER_COLUMNS."""
        assert self.details is not None
        details = self.details
        return (
            details.name,
            self.email,
            details.address,
            details.preferred_contact,
            adjustments_json(details.adjustments),
            self.created_at,
        )


def _save_consumers(
    writer: BulkWriter, accepted: list[Taken], known: dict[str, ConsumerRow]
) -> list[int]:
    """Each accepted row's consumer id, matched as `log` matches them and left as `log` would
    leave them after these rows in turn. New consumers are inserted together, the others
    updated together."""
    from complaintctl.store.models import Consumer

    consumers: dict[str | tuple[str, str], _ChunkConsumer] = {}
    keys: list[str | tuple[str, str]] = []
    for taken in accepted:
        complaint = taken.complaint
        key = consumer_key(complaint.email, complaint.consumer, complaint.address)
        consumer = consumers.get(key)
        if consumer is None:
            found = (
                known.get(key)
                if isinstance(key, str)
                else next(iter(writer.consumers_by_name_and_address().get(key, ())), None)
            )
            consumer = consumers[key] = (
                _ChunkConsumer(found.id, found.email, _details_of(found), None)
                if found
                else _ChunkConsumer(None, complaint.email, None, taken.received)
            )
        consumer.details = details_after(consumer.details, complaint)
        keys.append(key)

    new_with_email = [c for c in consumers.values() if c.id is None and c.email]
    if new_with_email:
        writer.insert_values(Consumer, _CONSUMER_COLUMNS, [c.stored() for c in new_with_email])
        ids = writer.consumer_ids_by_email([c.email for c in new_with_email if c.email])
        for consumer in new_with_email:
            assert consumer.email is not None
            consumer.id = ids[consumer.email]
    # By name and address only: no key to look them up by afterwards, so RETURNING their ids.
    by_address = [c for c in consumers.values() if c.id is None]
    ids_by_address = writer.insert_consumers(
        [dict(zip(_CONSUMER_COLUMNS, c.stored(), strict=True)) for c in by_address]
    )
    for consumer, consumer_id in zip(by_address, ids_by_address, strict=True):
        consumer.id = consumer_id
    writer.update_consumers(
        [
            {
                "consumer_id": c.id,
                "new_name": c.details.name,
                "new_address": c.details.address,
                "new_preferred": c.details.preferred_contact,
                "new_adjustments": adjustments_json(c.details.adjustments),
            }
            for c in consumers.values()
            if c.created_at is None and c.details is not None
        ]
    )
    return [_id(consumers[key]) for key in keys]


def _id(consumer: _ChunkConsumer) -> int:
    assert consumer.id is not None
    return consumer.id
