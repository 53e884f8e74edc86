"""The figures counted in SQL over the kept facts (store/facts.py; ARCHITECTURE.md, "Kept
facts"): each count's test written once, here, as an expression over the facts' columns, from
which both how many it counted and which cases are made.

In progress: the Received section is counted here; the others are still counted by
domain/figures._count, which tests hold this equal to (tests/service/test_kept_facts.py).

A count is of the facts as recorded by the cutoff: the kept row of each case whose history
was all recorded by then, and, for each case with an entry recorded after it, its history
replayed to the cutoff into a temporary table of the same columns (few cases for a period
past; none for one counted to now).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    Table,
    and_,
    case,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection

from complaintctl.domain import figures
from complaintctl.domain.procedure import CloseReason, Stage
from complaintctl.errors import StoreUnavailable
from complaintctl.store import facts
from complaintctl.store.models import Case, case_fact

_CASE = Case.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Count:
    """A figure counted in SQL: which cases' facts it counts (`where`, over a facts selectable
    and the window), and for one counted by parts, each case's part. `anchor`: the instant
    column every fact it counts has in the window (the one an index serves), so that counts
    sharing it are made in one statement that reads only the window's rows."""

    figure: str
    where: Callable[[Any, figures.Window], ColumnElement[bool]]
    part: Callable[[Any], ColumnElement[Any]] | None = None
    anchor: str | None = None


def _received_in(f: Any, w: figures.Window) -> ColumnElement[bool]:
    return and_(f.c.received_at >= w.start, f.c.received_at < w.end)


def _received_and(
    test: Callable[[Any], ColumnElement[bool]],
) -> Callable[[Any, figures.Window], ColumnElement[bool]]:
    def where(f: Any, w: figures.Window) -> ColumnElement[bool]:
        return and_(_received_in(f, w), test(f))

    return where


def _closed(reason: CloseReason) -> Callable[[Any], ColumnElement[bool]]:
    return lambda f: and_(f.c.stage == Stage.CLOSED.value, f.c.close_reason == reason.value)


_RECEIVED = "received_at"
COUNTS: tuple[Count, ...] = (
    Count("received", _received_in, anchor=_RECEIVED),
    Count("received_by_channel", _received_in, lambda f: f.c.channel, _RECEIVED),
    Count("received_by_category", _received_in, lambda f: f.c.category, _RECEIVED),
    Count("received_board", _received_and(lambda f: f.c.board == true()), anchor=_RECEIVED),
    Count(
        "out_of_scope",
        _received_and(_closed(CloseReason.OUT_OF_SCOPE)),
        lambda f: func.coalesce(f.c.close_because, literal("")),
        _RECEIVED,
    ),
    Count(
        "resolved_informally",
        _received_and(_closed(CloseReason.RESOLVED_INFORMALLY)),
        anchor=_RECEIVED,
    ),
    Count("out_of_time", _received_and(lambda f: f.c.out_of_time == true()), anchor=_RECEIVED),
)
COUNTED = frozenset(count.figure for count in COUNTS)

Values = dict[str, int | dict[str, int]]
Members = dict[str, list[str] | dict[str, list[str]]]


@contextmanager
def facts_at(connection: Connection, cutoff: datetime) -> Iterator[Any]:
    """Every case's facts as recorded by `cutoff`, as one selectable of case_fact's columns:
    the kept rows of the cases whose history was all recorded by then and, where there are
    others, their histories replayed to it into a temporary table (dropped afterwards)
    beside them. With none (a report counted to now), the kept rows alone: the table itself,
    its indexes serving every count. Refused (exit 8) where the kept facts were made by
    another version of complaintctl's: `db upgrade` makes them again."""
    if facts.stored_version(connection) != facts.VERSION:
        raise StoreUnavailable(
            "the facts kept for the report's figures were made by another version of "
            "complaintctl than this one counts by: back the store up, then run "
            "`complaintctl db upgrade` to make them again"
        )
    later = (
        connection.execute(select(case_fact.c.case_id).where(case_fact.c.recorded_to > cutoff))
        .scalars()
        .all()
    )
    if not later:
        yield case_fact
        return
    replayed = Table(
        "temp_case_fact",
        MetaData(),
        *(Column(column.name, column.type) for column in case_fact.columns),
        prefixes=["TEMPORARY"],
    )
    replayed.create(connection)
    try:
        rows = []
        for one in facts.replayed(connection, later, cutoff):
            if one.facts is not None and one.recorded_to is not None:
                row = facts.kept_rows(one.case_id, one.facts, one.recorded_to)[0]
                rows.append(dict(zip(facts.FACT_COLUMNS, row, strict=True)))
        if rows:
            connection.execute(replayed.insert(), rows)
        columns = [column.name for column in case_fact.columns]
        kept = select(*(case_fact.c[name] for name in columns)).where(
            case_fact.c.recorded_to <= cutoff
        )
        yield union_all(kept, select(*(replayed.c[name] for name in columns))).subquery("facts")
    finally:
        replayed.drop(connection)


def count(
    connection: Connection,
    f: Any,
    window: figures.Window,
    counts: Sequence[Count] = COUNTS,
) -> Values:
    """Each of `counts` over the facts `f` (facts_at): those without parts that share an
    anchor in one statement, each by parts in one of its own. A count by parts has every part
    PARTS lists (at 0 where it counted none) first, then any other in the order of the first
    case counted in it, as domain/figures._count has them."""
    values: Values = {}
    plain: dict[str | None, list[Count]] = {}
    for one in counts:
        if one.part is None:
            plain.setdefault(one.anchor, []).append(one)
            continue
        part = one.part(f)
        rows = connection.execute(
            select(part, func.count(), func.min(f.c.case_id))
            .where(one.where(f, window))
            .group_by(part)
        ).all()
        counted = {name: int(n) for name, n, _ in sorted(rows, key=lambda row: row[2])}
        values[one.figure] = _every_part(one.figure, counted)
    for anchor, together in plain.items():
        statement = select(
            *(
                func.coalesce(func.sum(case((one.where(f, window), 1), else_=0)), 0)
                for one in together
            )  # fmt: skip
        )
        if anchor is not None:
            statement = statement.where(f.c[anchor] >= window.start, f.c[anchor] < window.end)
        found = connection.execute(statement.select_from(f)).one()
        values.update((one.figure, int(n)) for one, n in zip(together, found, strict=True))
    return {one.figure: values[one.figure] for one in counts}


def cases(
    connection: Connection,
    f: Any,
    window: figures.Window,
    counts: Sequence[Count] = COUNTS,
) -> Members:
    """The references of the cases each of `counts` counted over the facts `f`, in the order
    they were logged (by part, for a count by parts, its parts as `count` orders them)."""
    members: Members = {}
    for one in counts:
        part = one.part(f) if one.part is not None else literal(None)
        rows = connection.execute(
            select(_CASE.c.ref, part)
            .select_from(f.join(_CASE, _CASE.c.id == f.c.case_id))
            .where(one.where(f, window))
            .order_by(f.c.case_id)
        ).all()
        if one.part is None:
            members[one.figure] = [ref for ref, _ in rows]
            continue
        listed: dict[str, list[str]] = {name: [] for name in _listed_parts(one.figure)}
        for ref, name in rows:
            listed.setdefault(name, []).append(ref)
        members[one.figure] = listed
    return members


def _listed_parts(figure: str) -> tuple[str, ...]:
    parts = figures.FIGURE[figure].parts
    return figures.PARTS[parts] if parts is not None else ()


def _every_part(figure: str, counted: Mapping[str, int]) -> dict[str, int]:
    every = dict.fromkeys(_listed_parts(figure), 0)
    every.update(counted)
    return every
