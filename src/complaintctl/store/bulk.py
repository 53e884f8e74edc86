"""Plain inserts, updates and lookups for batches (import, a step on many cases), in the unit
of work's transaction.

The same rows `log` writes through the ORM, without building an object for each (STYLE.md: bulk
writes): statements are compiled by SQLAlchemy once per backend and kept, and rows go to the
driver as tuples, each value through its column type's own conversion.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Connection, Table, bindparam, func, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine
from sqlmodel import col, select

from complaintctl.domain.clocks import Running
from complaintctl.domain.intake import matching_form
from complaintctl.store import search
from complaintctl.store.models import (
    Case,
    CaseAction,
    Consumer,
    Deadline,
    Event,
    Incident,
    RefCounter,
    Response,
    Restriction,
)
from complaintctl.store.sql import AnySelect, list_parameter
from complaintctl.store.uow import UnitOfWork


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
        self._begin(uow.session.connection())

    @classmethod
    def on(cls, connection: Connection) -> BulkWriter:
        """A writer of plain inserts alone, on a connection with no unit of work around it (a
        migration's too: store/facts.py)."""
        writer = cls.__new__(cls)
        writer._begin(connection)
        return writer

    def _begin(self, connection: Connection) -> None:
        self.connection = connection
        # Each value as the driver takes it, by conversion: a batch's rows share many of their
        # instants (a case's receipt starts its clock and dates its history entry), so each is
        # converted once.
        self._converted: dict[Callable[[Any], Any], dict[Any, Any]] = {}
        self._parameter_limit: int | None = None  # of one statement, once asked
        self._by_name_and_address: dict[tuple[str, str], list[ConsumerRow]] | None = None

    def consumers_by_email(self, emails: Sequence[str]) -> dict[str, ConsumerRow]:
        # By descending id, so the first consumer with an email is the one kept.
        rows = self._matching(_consumers_with_emails, set(emails))
        found = map(ConsumerRow._make, rows)
        return {consumer.email: consumer for consumer in found if consumer.email is not None}

    def consumer_ids_by_email(self, emails: Sequence[str]) -> dict[str, int]:
        rows = self._matching(_consumer_ids_with_emails, set(emails))
        return {str(email): consumer_id for email, consumer_id in rows if consumer_id is not None}

    def consumers_by_name_and_address(self) -> dict[tuple[str, str], list[ConsumerRow]]:
        """Every consumer with an address, by the matching forms of their name and address
        (domain.intake.consumer_key), oldest first, as UnitOfWork.consumers_by_name_and_address
        matches them: read once for the writer (a chunk of an import), never one removed."""
        if self._by_name_and_address is None:
            rows = self.connection.execute(
                sa_select(*_consumer_row_columns())
                .where(
                    col(Consumer.address).is_not(None),
                    col(Consumer.anonymised_at).is_(None),
                )
                .order_by(col(Consumer.id))
            )
            found: dict[tuple[str, str], list[ConsumerRow]] = {}
            for row in rows:
                consumer = ConsumerRow._make(row)
                key = (matching_form(consumer.name), matching_form(consumer.address))
                found.setdefault(key, []).append(consumer)
            self._by_name_and_address = found
        return self._by_name_and_address

    def cases_received(self, consumer_ids: Sequence[int]) -> set[tuple[int, datetime, str]]:
        """(consumer id, received_at, summary) of these consumers' cases."""
        rows = self._matching(_cases_of_consumers, set(consumer_ids))
        return {(consumer_id, received, summary) for consumer_id, received, summary in rows}

    def existing_source_ids(self, source_ids: Sequence[str]) -> set[str]:
        rows = self._matching(_cases_with_source_ids, set(source_ids))
        return {source_id for (source_id,) in rows if source_id is not None}

    def existing_keys(self, emails: Sequence[str]) -> set[tuple[str, datetime, str]]:
        """(email, received_at, summary) of the cases of consumers with these emails."""
        rows = self.connection.execute(
            sa_select(col(Consumer.email), col(Case.received_at), col(Case.summary))
            .join(Case, col(Case.consumer_id) == col(Consumer.id))
            .where(col(Consumer.email).in_(list_parameter("emails"))),
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
        """Insert cases (as insert_values does); their ids by reference. Their rows of the
        search index are written after them, together, in the index's order (search.held_back):
        one by one in the order of an import's file they would cost more than the insert."""
        with search.held_back(self.connection):
            self.insert_values(Case, columns, rows, same)
        refs = {row[columns.index("ref")] for row in rows}
        return {
            str(ref): int(case_id) for ref, case_id in self._matching(_case_ids_with_refs, refs)
        }

    def _matching(
        self, statement: Callable[[int], AnySelect], keys: Iterable[Any]
    ) -> list[tuple[Any, ...]]:
        return lookup(self.connection, statement, keys)

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
        handling of each row costs more than the database's insert of it (benchmarks/).
        """
        if not rows:
            return
        same = same or {}
        names = (*columns, *same)
        if len(set(names)) != len(names):
            raise ValueError(f"each column is given once, by `columns` or by `same`: {names}")
        # A model, or a table made without one (store/models.case_fact).
        table = model if isinstance(model, Table) else model.__table__
        given = frozenset(names)
        sql, order, conversions = _compiled_insert(table, given, self.connection.dialect)
        values = self._driver_rows(
            order,
            conversions,
            dict(zip(columns, zip(*rows, strict=True), strict=True)),
            same,
            len(rows),
        )
        most = self._rows_a_statement(table, given, len(order))
        if most == 1:
            self._send_each(sql, order, values)
            return
        for first in range(0, len(values), most):
            piece = values[first : first + most]
            self.connection.exec_driver_sql(
                _many_rows(sql, len(piece)), tuple(itertools.chain.from_iterable(piece))
            )

    def _rows_a_statement(self, table: Table, given: frozenset[str], columns: int) -> int:
        """How many rows one insert takes on this backend: as many as its parameters allow,
        up to _MOST_ROWS, where its insert of many rows is its insert of one with the VALUES
        repeated (SQLite); else one, each row sent on its own (the driver's executemany)."""
        if not _values_repeat(table, given, self.connection.dialect):
            return 1
        if self._parameter_limit is None:
            driver = self.connection.connection.dbapi_connection
            limit = getattr(driver, "getlimit", None)
            self._parameter_limit = (
                limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limit is not None else 999
            )
        return max(1, min(_MOST_ROWS, self._parameter_limit // columns))

    def update_by_id(
        self, model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Set `columns` on each row of `model` whose id is the first value of a row of
        `rows`, the rest its new values: compiled and sent to the driver as inserts are."""
        if not rows:
            return
        sql, order, conversions = _compiled_update(
            model.__table__, tuple(columns), self.connection.dialect
        )
        names = (_ROW_ID, *(_NEW + name for name in columns))
        given = dict(zip(names, zip(*rows, strict=True), strict=True))
        self._send_each(sql, order, self._driver_rows(order, conversions, given, {}, len(rows)))

    def _driver_rows(
        self,
        order: tuple[str, ...],
        conversions: tuple[tuple[int, Callable[[Any], Any]], ...],
        given: Mapping[str, tuple[Any, ...]],
        same: Mapping[str, Any],
        count: int,
    ) -> list[tuple[Any, ...]]:
        """`count` rows of parameters, each (in the driver's `order`) from `given`'s values,
        one per row, or `same`'s one value, through its conversion."""
        convert_at = dict(conversions)
        by_parameter: list[Iterable[Any]] = []
        for position, name in enumerate(order):
            convert = convert_at.get(position)
            if name in same:
                value = same[name]
                by_parameter.append(itertools.repeat(convert(value) if convert else value, count))
            else:
                by_parameter.append(self._convert(convert, given[name]) if convert else given[name])
        return list(zip(*by_parameter, strict=True))

    def _send_each(self, sql: str, order: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """`sql` once for each row, as the driver's executemany."""
        self.connection.exec_driver_sql(
            sql,
            rows
            if self.connection.dialect.positional
            else [dict(zip(order, row, strict=True)) for row in rows],
        )

    def _convert(self, convert: Callable[[Any], Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A column's values as the driver takes them: each value the batch repeats (a case's
        receipt also starts its clock and dates its history entry) is converted once."""
        if any(map(getattr, values, _FOLD_NAME, _NO_FOLD)):
            # The second of a repeated local hour equals the first, yet is an hour later.
            return tuple(map(convert, values))
        converted_once = self._converted.setdefault(convert, {})
        new = set(values).difference(converted_once)  # instants, dates, booleans
        converted_once.update({value: convert(value) for value in new})
        return tuple(map(converted_once.__getitem__, values))


# Each value's `fold`, 0 for a value without one, looked up for a whole column at C speed:
# map(getattr, values, _FOLD_NAME, _NO_FOLD).
_FOLD_NAME, _NO_FOLD = itertools.repeat("fold"), itertools.repeat(0)

# The sizes of IN list a lookup is compiled for: a chunk's keys fill the smallest that holds
# them, so a handful of statements serve every chunk. At most 999 parameters: the limit of
# SQLite builds before 3.32.
_LOOKUP_SIZES = (16, 128, 500)
_LOOKUP_NAMES = tuple(f"key_{n}" for n in range(_LOOKUP_SIZES[-1]))


def lookup(
    connection: Connection, statement: Callable[[int], AnySelect], keys: Iterable[Any]
) -> list[tuple[Any, ...]]:
    """The rows of `statement` for these keys (its IN list), a piece of at most
    _LOOKUP_SIZES[-1] keys at a time. SQLAlchemy would render an expanding list's parameters
    on every execution, at more cost than the lookup itself: each statement is compiled once
    per size and dialect instead, the keys go to the driver as they are, and each column
    read comes back through its type's own conversion (an instant from SQLite's text)."""
    dialect = connection.dialect
    ordered = sorted({key for key in keys if key is not None})  # NULL matches nothing
    rows: list[tuple[Any, ...]] = []
    largest = _LOOKUP_SIZES[-1]
    for first in range(0, len(ordered), largest):
        piece = ordered[first : first + largest]
        size = next(size for size in _LOOKUP_SIZES if size >= len(piece))
        # Filled up with a key already asked for: IN matches it once all the same.
        piece += [piece[0]] * (size - len(piece))
        sql, names, conversions = _compiled_lookup(statement, size, dialect)
        by_name = dict(zip(_LOOKUP_NAMES, piece, strict=False))
        parameters: Any = tuple(by_name[name] for name in names) if dialect.positional else by_name
        fetched = connection.exec_driver_sql(sql, parameters).fetchall()
        if not conversions:
            rows += fetched
            continue
        for row in fetched:
            values = list(row)
            for position, convert in conversions:
                values[position] = convert(values[position])
            rows.append(tuple(values))
    return rows


@functools.cache
def _compiled_lookup(
    statement: Callable[[int], AnySelect], size: int, dialect: Dialect
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """`statement` for `size` keys in the backend's SQL, its parameters' names in the order a
    positional driver takes them, and the conversion of each column read that needs one."""
    select = statement(size)
    compiled = select.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    conversions = (
        (position, column.type.dialect_impl(dialect).result_processor(dialect, None))
        for position, column in enumerate(select.selected_columns)
    )
    return str(compiled), names, tuple((p, c) for p, c in conversions if c is not None)


def lookup_keys(column: Any, size: int) -> list[BindParameter[Any]]:
    """`size` parameters of the column's type: PostgreSQL compares typed values."""
    return [bindparam(name, type_=column.type) for name in _LOOKUP_NAMES[:size]]


def _consumer_row_columns() -> tuple[Any, ...]:
    """The columns a ConsumerRow holds, in its order."""
    return tuple(col(getattr(Consumer, name)) for name in ConsumerRow._fields)


def _consumers_with_emails(size: int) -> AnySelect:
    return (
        sa_select(*_consumer_row_columns())
        .where(col(Consumer.email).in_(lookup_keys(col(Consumer.email), size)))
        .order_by(col(Consumer.id).desc())
    )


def _consumer_ids_with_emails(size: int) -> AnySelect:
    return (
        sa_select(col(Consumer.email), col(Consumer.id))
        .where(col(Consumer.email).in_(lookup_keys(col(Consumer.email), size)))
        .order_by(col(Consumer.id).desc())
    )


def _cases_of_consumers(size: int) -> AnySelect:
    consumer_id = col(Case.consumer_id)
    return sa_select(consumer_id, col(Case.received_at), col(Case.summary)).where(
        consumer_id.in_(lookup_keys(consumer_id, size))
    )


def _cases_with_source_ids(size: int) -> AnySelect:
    source_id = col(Case.source_id)
    return sa_select(source_id).where(source_id.in_(lookup_keys(source_id, size)))


def _case_ids_with_refs(size: int) -> AnySelect:
    return sa_select(col(Case.ref), col(Case.id)).where(
        col(Case.ref).in_(lookup_keys(col(Case.ref), size))
    )


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


# Rows an insert takes at most, where the backend takes many (_values_repeat). On SQLite
# every insert into `complaint` may need undoing on its own (a savepoint: its trigger writes
# `find`'s index, store/search.py), and at each savepoint FTS5 writes the index rows it holds
# as a new segment of the index: a case a statement made a segment a case, and merging them
# took minutes for 100,000 cases where a statement of many cases takes seconds.
_MOST_ROWS = 1000


@functools.cache
def _values_repeat(table: Table, given: frozenset[str], dialect: Dialect) -> bool:
    """Whether the backend's insert of many rows is its insert of one (_compiled_insert) with
    the VALUES repeated, one set of parameters after another: checked against SQLAlchemy's own
    insert of two rows. So on SQLite (positional `?`); not where parameters are named."""
    sql, order, _ = _compiled_insert(table, given, dialect)
    if not dialect.positional:
        return False
    two_rows = [
        {name: bindparam(f"{name}_{row}", type_=table.c[name].type) for name in order}
        for row in range(2)
    ]
    compiled = table.insert().values(two_rows).compile(dialect=dialect)
    expected = tuple(f"{name}_{row}" for row in range(2) for name in order)
    return str(compiled) == _many_rows(sql, 2) and tuple(compiled.positiontup or ()) == expected


@functools.lru_cache(maxsize=32)
def _many_rows(sql: str, rows: int) -> str:
    """The insert of one row `sql` as an insert of `rows` rows: its VALUES repeated."""
    head, values, one_row = sql.partition(" VALUES ")
    if not values:
        raise ValueError(f"not an insert of one row: {sql}")
    return head + values + ", ".join(itertools.repeat(one_row, rows))


_ROW_ID, _NEW = "row_id", "new_"


@functools.cache
def _compiled_update(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """An UPDATE of `columns` of the row with a given id, as _compiled_insert gives an insert:
    its parameters are the id (`row_id`) and each column's new value (`new_<column>`)."""
    statement = (
        table.update()
        .where(table.c.id == bindparam(_ROW_ID, type_=table.c.id.type))
        .values({name: bindparam(_NEW + name, type_=table.c[name].type) for name in columns})
    )
    compiled = statement.compile(dialect=dialect)
    order = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    if set(order) != {_ROW_ID, *(_NEW + name for name in columns)}:
        raise ValueError(f"an update of {table.name} sets only what it is given: {order}")
    types = {_ROW_ID: table.c.id.type, **{_NEW + name: table.c[name].type for name in columns}}
    conversions = ((p, _conversion(types[name], dialect)) for p, name in enumerate(order))
    return str(compiled), order, tuple((p, c) for p, c in conversions if c is not None)


# One conversion per column type and its settings (its repr: "UTCDateTime()"), so every instant
# column shares one function and a BulkWriter converts an instant once, whatever its column.
_conversions: dict[tuple[str, str, str], Callable[[Any], Any] | None] = {}


def _conversion(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    key = (repr(column_type), dialect.name, dialect.driver)
    if key not in _conversions:
        _conversions[key] = column_type.dialect_impl(dialect).bind_processor(dialect)
    return _conversions[key]


# -- steps on many cases ----------------------------------------------------------------------


class CaseRow(NamedTuple):
    """A case as a step reads it: its row, its running clocks, and when its last step of the
    procedure happened."""

    id: int
    ref: str
    stage: str
    area: str | None
    responder: str | None
    first_responder: str | None
    handler: str | None
    version: int
    received_at: datetime
    out_of_time: bool
    consumer_id: int
    close_reason: str | None
    anonymised_at: datetime | None  # its personal data removed (retention or erasure)
    last_step_at: datetime | None
    clocks: tuple[Running, ...]


_CASE_ROW_COLUMNS = (
    "id", "ref", "stage", "area", "responder", "first_responder", "handler", "version",
    "received_at", "out_of_time", "consumer_id", "close_reason", "anonymised_at",
)  # fmt: skip


def case_rows(uow: UnitOfWork, refs: Sequence[str]) -> dict[str, CaseRow]:
    """The cases with these references (as typed: matched upper-cased and stripped), by
    reference, each with its running clocks and when its last step happened."""
    connection = uow.session.connection()
    rows = lookup(connection, _cases_with_refs, (ref.strip().upper() for ref in refs))
    ids = [row[0] for row in rows]
    clocks: dict[int, list[Running]] = {}
    for case_id, clock_id, kind, start_at, due_at, ended_at in lookup(connection, _clocks, ids):
        if ended_at is None:  # running
            clocks.setdefault(case_id, []).append(Running(clock_id, kind, start_at, due_at))
    last = dict(lookup(connection, _last_steps, ids))
    return {
        row[1]: CaseRow(*row, last.get(row[0]), tuple(clocks.get(row[0], ())))  # type: ignore[call-arg]
        for row in rows
    }


def _cases_with_refs(size: int) -> AnySelect:
    ref = col(Case.ref)
    return sa_select(*(col(getattr(Case, name)) for name in _CASE_ROW_COLUMNS)).where(
        ref.in_(lookup_keys(ref, size))
    )


def _clocks(size: int) -> AnySelect:
    """Each case's clocks, in the order they were started, with when each ended (None while it
    runs). Found by case alone: asked for the running ones only (`ended_at IS NULL`), SQLite
    searched every running clock in the store by that index instead, a step costing more as
    open cases mount up (a millisecond a step with a few thousand). A case has a few clocks."""
    case_id = col(Deadline.case_id)
    return (
        sa_select(
            case_id,
            col(Deadline.id),
            col(Deadline.kind),
            col(Deadline.start_at),
            col(Deadline.due_at),
            col(Deadline.ended_at),
        )  # fmt: skip
        .where(case_id.in_(lookup_keys(case_id, size)))
        .order_by(col(Deadline.id))
    )


def _last_steps(size: int) -> AnySelect:
    """When each case's last step of the procedure happened (max() keeps the column's type)."""
    from complaintctl.domain.procedure import STEP_ACTIONS

    case_id = col(Event.case_id)
    # The actions are the program's own constants, written into the statement as literals:
    # a compiled lookup takes no parameters but its keys.
    steps: list[Any] = [literal_column(f"'{action.value}'") for action in sorted(STEP_ACTIONS)]
    return (
        sa_select(case_id, func.max(col(Event.at)))
        .where(case_id.in_(lookup_keys(case_id, size)), col(Event.action).in_(steps))
        .group_by(case_id)
    )


# -- many cases read back whole ---------------------------------------------------------------


class WholeCase(NamedTuple):
    """What a case view reads of a case's own row."""

    id: int
    ref: str
    version: int
    stage: str
    consumer_id: int
    channel: str
    category: str
    summary: str
    dispute_ref: str | None
    board: bool
    received_at: datetime
    area: str | None
    logged_by: str
    about: date | None
    out_of_time: bool
    responder: str | None
    handler: str | None
    close_reason: str | None


class WholeRestriction(NamedTuple):
    id: int
    consumer_id: int
    scope: str
    dispute_ref: str | None
    contact_channel: str | None
    contact_via: str | None
    reason: str
    decided_by: str
    decided_at: datetime
    review_due: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None


class WholeClock(NamedTuple):
    """A case's clock, as a case view reads it."""

    id: int
    case_id: int
    kind: str
    start_at: datetime
    due_at: datetime
    unit: str
    rule: str
    ended_at: datetime | None
    outcome: str | None


class WholeEntry(NamedTuple):
    """A history entry, its details as stored (JSON)."""

    case_id: int
    action: str
    actor: str
    at: datetime
    recorded_at: datetime
    details: str
    login: str | None
    host: str | None


class WholeResponse(NamedTuple):
    case_id: int
    stage: str
    decision: str
    summary: str
    remedies: str
    goodwill_pence: int | None
    given_by: str
    given_at: datetime
    causes: str


class WholeAction(NamedTuple):
    id: int
    case_id: int
    kind: str
    what: str
    owner: str
    due_at: datetime
    opened_by: str
    opened_at: datetime


@dataclass(frozen=True)
class WholeCases:
    """Everything a view of each of some cases reads, a few statements for them all (each a
    lookup of a few hundred keys at a time): each table's rows by case, or by consumer, in id
    order."""

    cases: dict[int, WholeCase]
    consumers: dict[int, ConsumerRow]
    restrictions: dict[int, list[WholeRestriction]]  # in force, by consumer
    first_reviews: dict[int, datetime]  # each restriction's first review clock's due
    clocks: dict[int, list[WholeClock]]
    history: dict[int, list[WholeEntry]]
    responses: dict[int, list[WholeResponse]]
    actions: dict[int, list[WholeAction]]
    incidents: dict[int, list[tuple[str | None, str, str, datetime]]]  # by consumer


def whole_cases(uow: UnitOfWork, case_ids: Sequence[int]) -> WholeCases:
    """The rows a view of each case reads (services/common.case_views), for all of them."""
    connection = uow.session.connection()
    cases = {row[0]: WholeCase._make(row) for row in lookup(connection, _whole_cases, case_ids)}
    consumer_ids = {case.consumer_id for case in cases.values()}
    consumers = {
        row[0]: ConsumerRow._make(row) for row in lookup(connection, _consumers, consumer_ids)
    }
    restrictions = _grouped(
        map(WholeRestriction._make, lookup(connection, _restrictions_in_force, consumer_ids)),
        "consumer_id",
    )
    first_reviews: dict[int, datetime] = {}
    in_force = [r.id for rows in restrictions.values() for r in rows]
    for restriction_id, due_at in lookup(connection, _review_clocks, in_force):
        first_reviews.setdefault(restriction_id, due_at)  # the oldest: in id order
    incidents: dict[int, list[tuple[str | None, str, str, datetime]]] = {}
    for consumer_id, *incident in lookup(connection, _incidents_of_consumers, consumer_ids):
        incidents.setdefault(consumer_id, []).append(tuple(incident))
    return WholeCases(
        cases=cases,
        consumers=consumers,
        restrictions=restrictions,
        first_reviews=first_reviews,
        clocks=_grouped(map(WholeClock._make, lookup(connection, _case_clocks, cases)), "case_id"),
        history=_grouped(
            map(WholeEntry._make, lookup(connection, _case_entries, cases)), "case_id"
        ),
        responses=_grouped(
            map(WholeResponse._make, lookup(connection, _case_responses, cases)), "case_id"
        ),
        actions=_grouped(
            map(WholeAction._make, lookup(connection, _case_actions, cases)), "case_id"
        ),
        incidents=incidents,
    )


def _grouped(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    """Rows by one of their fields, each group in the order read. A lookup reads all of a
    key's rows in one piece, in the statement's order (by id)."""
    groups: dict[int, list[Any]] = {}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return groups


def _columns(table: Any, names: Sequence[str]) -> list[Any]:
    return [col(getattr(table, name)) for name in names]


def _whole_cases(size: int) -> AnySelect:
    case_id = col(Case.id)
    return sa_select(*_columns(Case, WholeCase._fields)).where(
        case_id.in_(lookup_keys(case_id, size))
    )


def _consumers(size: int) -> AnySelect:
    consumer_id = col(Consumer.id)
    return sa_select(*_consumer_row_columns()).where(
        consumer_id.in_(lookup_keys(consumer_id, size))
    )


def _restrictions_in_force(size: int) -> AnySelect:
    consumer_id = col(Restriction.consumer_id)
    return (
        sa_select(*_columns(Restriction, WholeRestriction._fields))
        .where(
            consumer_id.in_(lookup_keys(consumer_id, size)), col(Restriction.lifted_at).is_(None)
        )
        .order_by(col(Restriction.id))
    )


def _review_clocks(size: int) -> AnySelect:
    restriction_id = col(Deadline.restriction_id)
    return (
        sa_select(restriction_id, col(Deadline.due_at))
        .where(restriction_id.in_(lookup_keys(restriction_id, size)))
        .order_by(col(Deadline.id))
    )


_INCIDENT = ("note", "recorded_by", "at")


def _incidents_of_consumers(size: int) -> AnySelect:
    consumer_id = col(Incident.consumer_id)
    return (
        sa_select(consumer_id, *_columns(Case, ["ref"]), *_columns(Incident, _INCIDENT))
        .select_from(Incident)
        .join(Case, col(Case.id) == col(Incident.case_id), isouter=True)
        .where(consumer_id.in_(lookup_keys(consumer_id, size)))
        .order_by(col(Incident.id))
    )


def _of_cases(table: Any, names: Sequence[str]) -> Callable[[int], AnySelect]:
    """A lookup of `table`'s rows by their case, in id order."""

    def statement(size: int) -> AnySelect:
        case_id = col(table.case_id)
        return (
            sa_select(*_columns(table, names))
            .where(case_id.in_(lookup_keys(case_id, size)))
            .order_by(col(table.id))
        )

    statement.__qualname__ = f"_of_cases({table.__name__})"
    return statement


_case_clocks = _of_cases(Deadline, WholeClock._fields)
_case_entries = _of_cases(Event, WholeEntry._fields)
_case_responses = _of_cases(Response, WholeResponse._fields)
_case_actions = _of_cases(CaseAction, WholeAction._fields)
