"""The unit of work: one transaction per command, and the queries services need.

Services get rows and plain tuples from here and never build SQL themselves. Nothing here
commits except `commit()`, called once by the service when everything it checked holds.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, NamedTuple, Self, cast

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    Table,
    bindparam,
    func,
    literal,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, col, select

from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.store import calendar as stored_calendar
from complaintctl.store.db import translated_errors
from complaintctl.store.models import (
    CalendarSetting,
    Case,
    ClosedDay,
    Consumer,
    Deadline,
    Event,
    Incident,
    RefCounter,
    Response,
    Restriction,
    Staff,
)
from complaintctl.store.types import UTCDateTime


def details_json(details: dict[str, Any]) -> str:
    """A history entry's details as stored: JSON, keys sorted, instants in ISO 8601."""
    return _DETAILS_ENCODER.encode(details)


def _json_value(value: Any) -> str:
    """Instants and dates in history details as ISO 8601 (instants in UTC)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


# json.dumps with options builds an encoder on every call: an import makes one per row.
_DETAILS_ENCODER = json.JSONEncoder(sort_keys=True, default=_json_value)


# The rows `overdue` and `queue` list are SQLAlchemy's own, unpacked by position: copying
# each into a named tuple cost ~0.3 ms a thousand rows, against a target of a few ms in all.

# ref (None for a restriction's review), kind, consumer, received_at (the case's receipt, or
# when the restriction was decided), due, restriction_id, version (None for a restriction).
OverdueRow = tuple[str | None, str, str, datetime, datetime, int | None, int | None]

# ref, consumer, adjustments (a JSON list), restricted, stage, area, responder, handler,
# category, board, received_at, summary, kind and due (the running staff clock, if any),
# version.
QueueRow = tuple[
    str, str, str, bool, str, str | None, str | None, str | None, str, bool, datetime, str,
    str | None, datetime | None, int,
]  # fmt: skip


@dataclass(frozen=True)
class QueueQuery:
    """What `queue` filters on in SQL (the time-based filters need the calendar: services)."""

    stages: tuple[str, ...]
    area: str | None = None
    owner: str | None = None
    unassigned: bool = False
    category: str | None = None
    board: bool | None = None
    due_by: datetime | None = None  # the next deadline falls at or before this
    clock_kinds: tuple[str, ...] = ("acknowledge", "respond", "final")


class UnitOfWork:
    def __init__(self, engine: Engine, url: str, *, write: bool) -> None:
        self._engine = engine.execution_options(complaintctl_write=True) if write else engine
        self._read_engine = engine
        self._url = url
        self._calendar: WorkingCalendar | None = None
        self._held = False
        # The version of each case the caller read before acting (bulk JSON input): a step
        # on a case that has moved on since is refused (services.cases.begin_step).
        self.seen_versions: dict[str, int] = {}

    def __enter__(self) -> Self:
        self._errors = translated_errors(self._url)
        self._errors.__enter__()
        self.session = Session(self._engine, expire_on_commit=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            suppressed = self._errors.__exit__(exc_type, exc, traceback)
        return suppressed

    def commit(self) -> None:
        """End the transaction, keeping what it wrote, unless a batch holds commits.

        What the command reads afterwards (the view it prints) is read without the write
        lock: once the change is saved, another writer holding the lock must not turn it into
        a reported failure.
        """
        if self._held:
            self.session.flush()
        else:
            self._commit_and_read_on()

    def _commit_and_read_on(self) -> None:
        # A unit of work writes once: a second commit would write without the write lock.
        if self.session.bind is not self._engine:
            raise RuntimeError("this unit of work has committed already")
        self.session.commit()
        self.session.bind = self._read_engine

    @contextmanager
    def holding_commits(self) -> Iterator[None]:
        """For a batch: the verbs' commits only flush, so the batch commits (or not) once."""
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def commit_held(self) -> None:
        self._commit_and_read_on()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo just this part of the transaction if it raises."""
        with self.session.begin_nested():
            yield

    def already_logged(
        self,
        source_id: str | None,
        email: str | None,
        received_at: datetime,
        summary: str,
        name: str = "",
        address: str | None = None,
    ) -> bool:
        """Whether a complaint is in the store already: the same source id, or the same
        consumer (by email, else name and address), receipt instant and summary."""
        if source_id is not None:
            found = self.session.exec(
                select(Case.id).where(Case.source_id == source_id).limit(1)
            ).first()
            if found is not None:
                return True
        same = select(Case.id).join(Consumer, col(Consumer.id) == col(Case.consumer_id))
        if email is not None:
            same = same.where(Consumer.email == email.strip().lower())
        elif address is not None:
            same = same.where(Consumer.name == name, Consumer.address == address)
        else:
            return False
        same = same.where(Case.received_at == received_at, Case.summary == summary).limit(1)
        return self.session.exec(same).first() is not None

    def add(self, row: Any) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    # -- history -----------------------------------------------------------------------------

    def record(
        self,
        case: Case | None,
        action: str,
        *,
        by: str,
        at: datetime,
        now: datetime,
        **details: Any,
    ) -> Event:
        event = Event(
            case_id=case.id if case else None,
            action=action,
            actor=by,
            at=at,
            recorded_at=now,
            details=details_json(details),
        )
        self.session.add(event)
        return event

    def last_step_at(self, case: Case, actions: Sequence[str]) -> datetime | None:
        """When the latest of `actions` happened on the case."""
        latest: datetime | None = self.session.exec(
            select(func.max(Event.at)).where(
                Event.case_id == case.id, col(Event.action).in_(actions)
            )
        ).one()
        return latest

    def history(self, case: Case) -> Sequence[Event]:
        return self.session.exec(
            select(Event).where(Event.case_id == case.id).order_by(col(Event.id))
        ).all()

    # -- cases -------------------------------------------------------------------------------

    def case_by_ref(self, ref: str) -> Case | None:
        return self.session.exec(select(Case).where(Case.ref == ref)).first()

    def consumer(self, consumer_id: int) -> Consumer:
        return self.session.get_one(Consumer, consumer_id)

    def consumer_by_email(self, email: str) -> Consumer | None:
        return self.session.exec(
            select(Consumer).where(Consumer.email == email).order_by(col(Consumer.id))
        ).first()

    def consumer_by_name_and_address(self, name: str, address: str) -> Consumer | None:
        return self.session.exec(
            select(Consumer)
            .where(Consumer.name == name, Consumer.address == address)
            .order_by(col(Consumer.id))
        ).first()

    def cases_of(self, consumer: Consumer) -> list[tuple[str, str, datetime]]:
        """(ref, stage, received_at) of each of the consumer's cases, oldest first."""
        rows = self.session.exec(
            select(col(Case.ref), col(Case.stage), col(Case.received_at))
            .where(Case.consumer_id == consumer.id)
            .order_by(col(Case.received_at), col(Case.id))
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]

    def next_ref_number(self, year: int) -> int:
        """Take the next number of `year`'s sequence (inside this transaction)."""
        counter = self.session.get(RefCounter, year)
        if counter is None:
            counter = RefCounter(year=year, last=0)
        counter.last += 1
        self.session.add(counter)
        return counter.last

    # -- deadlines ---------------------------------------------------------------------------

    def deadlines(self, case: Case) -> Sequence[Deadline]:
        return self.session.exec(
            select(Deadline).where(Deadline.case_id == case.id).order_by(col(Deadline.id))
        ).all()

    def overdue(
        self, as_of: datetime, kinds: Sequence[str], due_before: datetime | None = None
    ) -> list[OverdueRow]:
        """Clocks of `kinds` running at `as_of` and due before `due_before` (default: past due
        at `as_of`), most overdue first.

        One statement, two indexed halves rather than one OR: clocks still open (the usual,
        `now` case), and clocks that ended after `as_of` (a replay with --as-of). Each half
        reads the deadlines once, for cases' clocks and restrictions' reviews alike (a clock
        belongs to one or the other), and the whole is one round trip to the store.
        """
        statement = _overdue_statement(windowed=due_before is not None)
        parameters = {"as_of": as_of, "due_before": due_before, "kinds": list(kinds)}
        # all(): one fetch of every row, not one call into the driver per row.
        rows = cast(
            "list[OverdueRow]", self.session.connection().execute(statement, parameters).all()
        )
        # By due, then ref, with a restriction's review (no ref) first among clocks due at once.
        rows.sort(key=lambda row: (row[4], row[0] or "", row[5] or 0))
        return rows

    def queue(self, query: QueueQuery) -> list[QueueRow]:
        """Cases in `query.stages` with their running staff clock, soonest due first.

        Selected columns, not ORM objects: the queue lists many rows (STYLE.md).
        """
        clock = (
            (col(Deadline.case_id) == col(Case.id))
            & col(Deadline.ended_at).is_(None)
            & col(Deadline.kind).in_(query.clock_kinds)
        )
        restricted = (
            sa_select(literal(1))
            .where(
                col(Restriction.consumer_id) == col(Consumer.id),
                col(Restriction.lifted_at).is_(None),
            )
            .exists()
        )
        owner = func.coalesce(col(Case.handler), col(Case.responder))
        statement: _AnySelect = (
            sa_select(
                col(Case.ref),
                col(Consumer.name),
                col(Consumer.adjustments),
                restricted,
                col(Case.stage),
                col(Case.area),
                col(Case.responder),
                col(Case.handler),
                col(Case.category),
                col(Case.board),
                col(Case.received_at),
                col(Case.summary),
                col(Deadline.kind),
                col(Deadline.due_at),
                col(Case.version),
            )
            .join(Consumer, col(Consumer.id) == col(Case.consumer_id))
            .join(Deadline, clock, isouter=True)
            .where(col(Case.stage).in_(query.stages))
        )
        if query.area is not None:
            statement = statement.where(func.lower(col(Case.area)) == query.area.lower())
        if query.owner is not None:
            statement = statement.where(owner == query.owner)
        if query.unassigned:
            statement = statement.where(owner.is_(None))
        if query.category is not None:
            statement = statement.where(col(Case.category) == query.category)
        if query.board is not None:
            statement = statement.where(col(Case.board) == query.board)
        if query.due_by is not None:
            statement = statement.where(col(Deadline.due_at) <= query.due_by)
        statement = statement.order_by(
            col(Deadline.due_at).is_(None), col(Deadline.due_at), col(Case.ref)
        )
        return cast("list[QueueRow]", self.session.connection().execute(statement).all())

    def export_page(
        self, query: QueueQuery, after_id: int, limit: int, received: tuple[datetime, datetime]
    ) -> list[ExportRow]:
        """The next `limit` cases after `after_id` (keyset paging keeps memory flat)."""
        statement = (
            sa_select(
                col(Case.id),
                col(Case.ref),
                col(Case.stage),
                col(Case.area),
                col(Case.responder),
                col(Case.handler),
                col(Case.close_reason),
                col(Case.out_of_time),
                col(Consumer.name),
                col(Consumer.email),
                col(Consumer.address),
                col(Case.channel),
                col(Case.category),
                col(Case.summary),
                col(Case.dispute_ref),
                col(Case.received_at),
                col(Case.board),
                col(Case.about),
                col(Consumer.preferred_contact),
                col(Consumer.adjustments),
                col(Case.source_id),
            )
            .join(Consumer, col(Consumer.id) == col(Case.consumer_id))
            .where(
                col(Case.id) > after_id,
                col(Case.stage).in_(query.stages),
                col(Case.received_at) >= received[0],
                col(Case.received_at) < received[1],
            )
        )
        owner = func.coalesce(col(Case.handler), col(Case.responder))
        if query.area is not None:
            statement = statement.where(func.lower(col(Case.area)) == query.area.lower())
        if query.owner is not None:
            statement = statement.where(owner == query.owner)
        if query.unassigned:
            statement = statement.where(owner.is_(None))
        if query.category is not None:
            statement = statement.where(col(Case.category) == query.category)
        if query.board is not None:
            statement = statement.where(col(Case.board) == query.board)
        statement = statement.order_by(col(Case.id)).limit(limit)
        connection = self.session.connection()
        return [ExportRow._make(row) for row in connection.execute(statement)]

    def deadlines_of_cases(
        self, case_ids: Sequence[int]
    ) -> list[tuple[int, str, datetime, datetime | None, str | None]]:
        """(case id, kind, due, ended at, outcome) of the cases' clocks, oldest first."""
        statement = (
            sa_select(
                col(Deadline.case_id),
                col(Deadline.kind),
                col(Deadline.due_at),
                col(Deadline.ended_at),
                col(Deadline.outcome),
            )
            .where(col(Deadline.case_id).in_(case_ids))
            .order_by(col(Deadline.id))
        )
        return [tuple(row) for row in self.session.connection().execute(statement)]  # type: ignore[misc]

    def outcomes_of_cases(self, case_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        """(case id, response stage or "assessor", decision) for the cases."""
        responses = sa_select(
            col(Response.case_id), col(Response.stage), col(Response.decision)
        ).where(col(Response.case_id).in_(case_ids))
        rows: list[tuple[int, str, str]] = [
            (case_id, stage, decision)
            for case_id, stage, decision in self.session.connection().execute(responses)
        ]
        outcomes = sa_select(col(Event.case_id), col(Event.details)).where(
            col(Event.case_id).in_(case_ids), col(Event.action) == "outcome"
        )
        for case_id, details in self.session.connection().execute(outcomes):
            if case_id is not None:
                rows.append((case_id, "assessor", str(json.loads(details).get("outcome", ""))))
        return rows

    def open_deadlines_due_after(self, at: datetime) -> Sequence[Deadline]:
        """Clocks still running and not yet breached at `at`: those a calendar change may move."""
        return self.session.exec(
            select(Deadline)
            .where(col(Deadline.ended_at).is_(None), col(Deadline.due_at) > at)
            .order_by(col(Deadline.id))
        ).all()

    def case_by_id(self, case_id: int) -> Case:
        return self.session.get_one(Case, case_id)

    def responses(self, case: Case) -> Sequence[Response]:
        return self.session.exec(
            select(Response).where(Response.case_id == case.id).order_by(col(Response.id))
        ).all()

    def open_cases_of(self, consumer: Consumer) -> Sequence[Case]:
        from complaintctl.domain.procedure import Stage

        ended = (Stage.CLOSED.value, Stage.ASSESSED.value)
        return self.session.exec(
            select(Case)
            .where(Case.consumer_id == consumer.id, col(Case.stage).not_in(ended))
            .order_by(col(Case.id))
        ).all()

    def consumer_or_none(self, consumer_id: int) -> Consumer | None:
        return self.session.get(Consumer, consumer_id)

    def incidents_of(self, consumer: Consumer) -> list[tuple[str | None, str, str, datetime]]:
        """(case ref, note, recorded by, at) of each incident recorded against the consumer."""
        rows = self.session.exec(
            select(Incident, Case.ref)
            .join(Case, col(Case.id) == col(Incident.case_id), isouter=True)
            .where(Incident.consumer_id == consumer.id)
            .order_by(col(Incident.id))
        ).all()
        return [(ref, i.note, i.recorded_by, i.at) for i, ref in rows]

    # -- staff and restrictions --------------------------------------------------------------

    def staff(self, username: str) -> Staff | None:
        return self.session.get(Staff, username)

    def staff_count(self) -> int:
        return len(self.session.exec(select(Staff.username).limit(1)).all())

    def staff_areas(self) -> list[str]:
        """The areas active staff work in."""
        rows = self.session.exec(
            select(Staff.area).where(col(Staff.active), col(Staff.area).is_not(None)).distinct()
        ).all()
        return [area for area in rows if area]

    def all_staff(self) -> Sequence[Staff]:
        return self.session.exec(select(Staff).order_by(col(Staff.username))).all()

    def restrictions_of(self, consumer: Consumer) -> Sequence[Restriction]:
        """The consumer's restrictions in force (not lifted)."""
        return self.session.exec(
            select(Restriction)
            .where(Restriction.consumer_id == consumer.id, col(Restriction.lifted_at).is_(None))
            .order_by(col(Restriction.id))
        ).all()

    def restriction(self, restriction_id: int) -> Restriction | None:
        return self.session.get(Restriction, restriction_id)

    def all_restrictions(self) -> Sequence[Restriction]:
        return self.session.exec(select(Restriction).order_by(col(Restriction.id))).all()

    def restriction_clock(self, restriction: Restriction) -> Deadline:
        """The restriction's current review clock (earlier ones ended at each review)."""
        return self.session.exec(
            select(Deadline)
            .where(Deadline.restriction_id == restriction.id)
            .order_by(col(Deadline.id).desc())
        ).first() or self._missing(restriction)

    @staticmethod
    def _missing(restriction: Restriction) -> Deadline:
        raise LookupError(f"restriction {restriction.id} has no review clock")

    # -- calendar ----------------------------------------------------------------------------

    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = stored_calendar.load_calendar(self.session)
        return self._calendar

    def calendar_setting(self) -> CalendarSetting:
        return self.session.get_one(CalendarSetting, 1)

    def closed_days(self, since: date) -> Sequence[ClosedDay]:
        return self.session.exec(
            select(ClosedDay).where(col(ClosedDay.day) >= since).order_by(col(ClosedDay.day))
        ).all()

    def closure(self, day: date) -> ClosedDay | None:
        return self.session.get(ClosedDay, (day, stored_calendar.CLOSURE))

    def delete_closure(self, closure: ClosedDay) -> None:
        self.session.delete(closure)
        self._calendar = None

    def add_closure(self, closure: ClosedDay) -> None:
        self.session.add(closure)
        self._calendar = None

    def replace_bank_holidays(self, years: range, at: datetime) -> tuple[date, date, str]:
        self._calendar = None
        return stored_calendar.replace_bank_holidays(self.session, years, at)

    def end_deadline(self, deadline: Deadline, *, at: datetime, outcome: str) -> None:
        deadline.ended_at, deadline.outcome = at, outcome
        self.session.add(deadline)


class ExportRow(NamedTuple):
    id: int
    ref: str
    stage: str
    area: str | None
    responder: str | None
    handler: str | None
    close_reason: str | None
    out_of_time: bool
    consumer: str
    email: str | None
    address: str | None
    channel: str
    category: str
    summary: str
    dispute: str | None
    received_at: datetime
    board: bool
    about: date | None
    preferred_contact: str | None
    adjustments: str
    source_id: str | None


class ConsumerRow(NamedTuple):
    id: int
    name: str
    email: str | None
    address: str | None
    preferred_contact: str | None
    adjustments: str


class BulkWriter:
    """Plain inserts for batches, in the unit of work's transaction: the same rows `log` would
    write through the ORM, without building an object for each (STYLE.md: bulk writes)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session
        self.connection = uow.session.connection()
        # Each value as the driver takes it, by conversion: a batch's rows share many of their
        # instants (a case's receipt starts its clock and dates its history entry), so each is
        # converted once.
        self._converted: dict[Callable[[Any], Any], dict[Any, Any]] = {}

    def consumers_by_email(self, emails: Sequence[str]) -> dict[str, ConsumerRow]:
        # By descending id, so the first consumer with an email is the one kept.
        rows = self._matching(_consumers_with_emails, set(emails))
        return {row[2]: ConsumerRow._make(row) for row in rows}

    def consumer_ids_by_email(self, emails: Sequence[str]) -> dict[str, int]:
        rows = self._matching(_consumer_ids_with_emails, set(emails))
        return {str(email): consumer_id for email, consumer_id in rows if consumer_id is not None}

    def consumer_by_name_and_address(self, name: str, address: str) -> ConsumerRow | None:
        row = self.connection.execute(
            sa_select(*_consumer_row_columns())
            .where(col(Consumer.name) == name, col(Consumer.address) == address)
            .order_by(col(Consumer.id))
            .limit(1)
        ).first()
        return ConsumerRow._make(row) if row else None

    def existing_source_ids(self, source_ids: Sequence[str]) -> set[str]:
        rows = self._matching(_cases_with_source_ids, set(source_ids))
        return {row[0] for row in rows if row[0] is not None}

    def existing_keys(self, emails: Sequence[str]) -> set[tuple[str, datetime, str]]:
        """(email, received_at, summary) of the cases of consumers with these emails."""
        rows = self.connection.execute(
            sa_select(col(Consumer.email), col(Case.received_at), col(Case.summary))
            .join(Case, col(Case.consumer_id) == col(Consumer.id))
            .where(col(Consumer.email).in_(_many("emails"))),
            {"emails": emails},
        )
        return {(email, received, summary) for email, received, summary in rows if email}

    def restrictions(self, consumer_ids: Sequence[int]) -> Sequence[Restriction]:
        """The restrictions in force on these consumers (few: ORM rows are fine here)."""
        return self.session.exec(
            select(Restriction).where(
                col(Restriction.consumer_id).in_(consumer_ids),
                col(Restriction.lifted_at).is_(None),
            )
        ).all()

    def insert_consumers(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert consumers; their ids, in the order of `rows`."""
        if not rows:
            return []
        table = Consumer.__table__  # type: ignore[attr-defined]
        # SQLAlchemy matches each id to its row: batched where the backend allows it
        # (PostgreSQL), one row at a time where it cannot tell the rows apart (SQLite).
        result = self.connection.execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [int(consumer_id) for consumer_id in result.scalars()]

    def update_consumers(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            table = Consumer.__table__  # type: ignore[attr-defined]
            self.connection.execute(
                table.update()
                .where(table.c.id == bindparam("consumer_id"))
                .values(
                    name=bindparam("new_name"),
                    address=bindparam("new_address"),
                    preferred_contact=bindparam("new_preferred"),
                    adjustments=bindparam("new_adjustments"),
                ),
                rows,
            )

    def take_ref_numbers(self, year: int, count: int) -> int:
        """Reserve `count` numbers of `year`'s sequence; the first one."""
        table = RefCounter.__table__  # type: ignore[attr-defined]
        last = self.connection.execute(
            sa_select(table.c.last).where(table.c.year == year)
        ).scalar_one_or_none()
        if last is None:
            self.connection.execute(table.insert().values(year=year, last=count))
            return 1
        self.connection.execute(
            table.update().where(table.c.year == year).values(last=last + count)
        )
        return int(last) + 1

    def insert_cases(
        self, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], same: Mapping[str, Any]
    ) -> dict[str, int]:
        """Insert cases (as insert_values does); their ids by reference."""
        self.insert_values(Case, columns, rows, same)
        refs = {row[columns.index("ref")] for row in rows}
        return {
            str(ref): int(case_id) for ref, case_id in self._matching(_case_ids_with_refs, refs)
        }

    def _matching(
        self, statement: Callable[[int], _AnySelect], keys: set[Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of `statement` for these keys (its IN list), a piece of at most
        _LOOKUP_SIZES[-1] keys at a time. SQLAlchemy would render an expanding list's
        parameters on every execution, at more cost than the lookup itself: each statement is
        compiled once per size and dialect instead, and the keys go to the driver as they are
        (the columns read need no conversion from what the driver gives)."""
        dialect = self.connection.dialect
        ordered = sorted(key for key in keys if key is not None)  # NULL matches nothing
        rows: list[tuple[Any, ...]] = []
        largest = _LOOKUP_SIZES[-1]
        for first in range(0, len(ordered), largest):
            piece = ordered[first : first + largest]
            size = next(size for size in _LOOKUP_SIZES if size >= len(piece))
            # Filled up with a key already asked for: IN matches it once all the same.
            piece += [piece[0]] * (size - len(piece))
            sql, names = _compiled_lookup(statement, size, dialect)
            by_name = dict(zip(_LOOKUP_NAMES, piece, strict=False))
            parameters: Any = (
                tuple(by_name[name] for name in names) if dialect.positional else by_name
            )
            rows.extend(self.connection.exec_driver_sql(sql, parameters).fetchall())
        return rows

    def insert_values(
        self,
        model: Any,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        same: Mapping[str, Any] | None = None,
    ) -> None:
        """Insert `rows`, each a value for each of `columns`, with `same`'s value for each of
        its columns in every row: together, every column but the generated id.

        The statement is SQLAlchemy's, compiled once for the backend, but the rows go to the
        driver as they are, each value through its column's conversion: SQLAlchemy's own
        handling of each row costs more than the database's insert of it (issue 6).
        """
        if not rows:
            return
        same = same or {}
        names = (*columns, *same)
        if len(set(names)) != len(names):
            raise ValueError(f"each column is given once, by `columns` or by `same`: {names}")
        sql, order, conversions = _compiled_insert(
            model.__table__, frozenset(names), self.connection.dialect
        )
        given = dict(zip(columns, zip(*rows, strict=True), strict=True))
        convert_at = dict(conversions)
        by_column: list[Iterable[Any]] = []
        for position, name in enumerate(order):
            convert = convert_at.get(position)
            if name in same:
                value = same[name]
                by_column.append(itertools.repeat(convert(value) if convert else value, len(rows)))
            else:
                by_column.append(self._convert(convert, given[name]) if convert else given[name])
        converted = list(zip(*by_column, strict=True))
        self.connection.exec_driver_sql(
            sql,
            converted
            if self.connection.dialect.positional
            else [dict(zip(order, row, strict=True)) for row in converted],
        )

    def _convert(self, convert: Callable[[Any], Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A column's values as the driver takes them: each value the batch repeats (a case's
        receipt also starts its clock and dates its history entry) is converted once."""
        if any(map(getattr, values, _FOLD, _NOT_FOLDED)):
            # The second of a repeated local hour equals the first, yet is an hour later.
            return tuple(map(convert, values))
        converted_once = self._converted.setdefault(convert, {})
        new = set(values).difference(converted_once)  # instants, dates, booleans
        converted_once.update({value: convert(value) for value in new})
        return tuple(map(converted_once.__getitem__, values))


# Each value's `fold`, 0 for a value without one, looked up without a Python-level loop.
_FOLD, _NOT_FOLDED = itertools.repeat("fold"), itertools.repeat(0)


@functools.cache
def _overdue_statement(*, windowed: bool) -> CompoundSelect[Any]:
    """`overdue`'s statement, built once (building it each time cost a quarter as much as
    running it), with the parameters as_of, kinds and, when `windowed`, due_before."""
    as_of = bindparam("as_of", type_=UTCDateTime())
    # Past due is strictly before `as_of`; a window (`due_before`) includes its last moment,
    # as the queue's --due-within does.
    due = (
        col(Deadline.due_at) <= bindparam("due_before", type_=UTCDateTime())
        if windowed
        else col(Deadline.due_at) < as_of
    )
    # A case's clock: the case's receipt; a restriction's review: when it was decided.
    clocks: Select[Any, Any, Any, Any, Any, Any, Any] = (
        sa_select(
            col(Case.ref).label("ref"),
            col(Deadline.kind).label("kind"),
            col(Consumer.name).label("consumer"),
            func.coalesce(col(Case.received_at), col(Restriction.decided_at)).label("received_at"),
            col(Deadline.due_at).label("due"),
            col(Restriction.id).label("restriction_id"),
            col(Case.version).label("version"),
        )
        .select_from(Deadline)
        .join(Case, col(Case.id) == col(Deadline.case_id), isouter=True)
        .join(Restriction, col(Restriction.id) == col(Deadline.restriction_id), isouter=True)
        .join(
            Consumer,
            col(Consumer.id) == func.coalesce(col(Case.consumer_id), col(Restriction.consumer_id)),
        )
        .where(due, col(Deadline.start_at) <= as_of, col(Deadline.kind).in_(_many("kinds")))
    )
    return union_all(
        clocks.where(col(Deadline.ended_at).is_(None)),
        clocks.where(col(Deadline.ended_at) > as_of),
    )


_AnySelect = Select[*tuple[Any, ...]]

# The sizes of IN list a lookup is compiled for: a chunk's keys fill the smallest that holds
# them, so a handful of statements serve every chunk. At most 999 parameters: the limit of
# SQLite builds before 3.32.
_LOOKUP_SIZES = (16, 128, 500)
_LOOKUP_NAMES = tuple(f"key_{n}" for n in range(_LOOKUP_SIZES[-1]))


@functools.cache
def _compiled_lookup(
    statement: Callable[[int], _AnySelect], size: int, dialect: Dialect
) -> tuple[str, tuple[str, ...]]:
    """`statement` for `size` keys in the backend's SQL, and its parameters' names in the
    order a positional driver takes them."""
    compiled = statement(size).compile(dialect=dialect)
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    return str(compiled), names


def _keys(column: Any, size: int) -> list[BindParameter[Any]]:
    """`size` parameters of the column's type: PostgreSQL compares typed values."""
    return [bindparam(name, type_=column.type) for name in _LOOKUP_NAMES[:size]]


def _consumer_row_columns() -> tuple[Any, ...]:
    """The columns a ConsumerRow holds, in its order."""
    return tuple(col(getattr(Consumer, name)) for name in ConsumerRow._fields)


def _consumers_with_emails(size: int) -> _AnySelect:
    return (
        sa_select(*_consumer_row_columns())
        .where(col(Consumer.email).in_(_keys(col(Consumer.email), size)))
        .order_by(col(Consumer.id).desc())
    )


def _consumer_ids_with_emails(size: int) -> _AnySelect:
    return (
        sa_select(col(Consumer.email), col(Consumer.id))
        .where(col(Consumer.email).in_(_keys(col(Consumer.email), size)))
        .order_by(col(Consumer.id).desc())
    )


def _cases_with_source_ids(size: int) -> _AnySelect:
    source_id = col(Case.source_id)
    return sa_select(source_id).where(source_id.in_(_keys(source_id, size)))


def _case_ids_with_refs(size: int) -> _AnySelect:
    return sa_select(col(Case.ref), col(Case.id)).where(
        col(Case.ref).in_(_keys(col(Case.ref), size))
    )


def _many(name: str) -> BindParameter[Any]:
    """A parameter standing for a list (`IN`), given at execution: SQLAlchemy then need not
    make a parameter of each value as it builds the statement."""
    return bindparam(name, expanding=True)


@functools.cache
def _compiled_insert(
    table: Table, given: frozenset[str], dialect: Dialect
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """An INSERT of the `given` columns in the backend's SQL: its text, the columns in the
    order its parameters take them, and the conversions the driver needs (position, function)."""
    # inline(): no RETURNING of the new ids (PostgreSQL's default), which nothing reads.
    compiled = table.insert().inline().compile(dialect=dialect, column_keys=sorted(given))
    columns = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    if set(columns) != given:
        # A column left out would need SQLAlchemy's defaults, which the driver does not apply.
        raise ValueError(f"an insert into {table.name} must give {sorted(columns)}")
    conversions = ((p, _conversion(table.c[name].type, dialect)) for p, name in enumerate(columns))
    return str(compiled), columns, tuple((p, c) for p, c in conversions if c is not None)


# One conversion per column type and its settings (its repr: "UTCDateTime()"), so every instant
# column shares one function and a BulkWriter converts an instant once, whatever its column.
_conversions: dict[tuple[str, str, str], Callable[[Any], Any] | None] = {}


def _conversion(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    key = (repr(column_type), dialect.name, dialect.driver)
    if key not in _conversions:
        _conversions[key] = column_type.dialect_impl(dialect).bind_processor(dialect)
    return _conversions[key]
