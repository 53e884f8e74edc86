"""The figures counted in SQL over the kept facts (store/facts.py; ARCHITECTURE.md, "Kept
facts"): each count's test written once, here, as an expression over the facts' columns, from
which both how many it counted and which cases are made.

In progress: the Received section is counted here; the others are still counted by
domain/figures._count, which tests hold this equal to (tests/service/test_kept_facts.py).

A count is of the facts as recorded by the cutoff (facts_at): the kept rows of the cases whose
history was all recorded by then, counted in SQL, plus the cases with an entry recorded after
it, their histories replayed to the cutoff and counted in Python (few cases for a period past;
none for one counted to now). Nothing is written, so a reader in a read-only transaction
counts (no temporary table), and each count's statement is over case_fact itself, so its
indexes serve it for a period past too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true
from sqlalchemy.engine import Connection

from complaintctl.domain import figures
from complaintctl.domain.procedure import CloseReason, Stage
from complaintctl.errors import StoreUnavailable
from complaintctl.store import facts
from complaintctl.store.models import Case, case_fact

if TYPE_CHECKING:
    from complaintctl.domain.calendar import WorkingCalendar

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


@dataclass(frozen=True)
class FactsAt:
    """Every case's facts as recorded by `cutoff`: the kept rows of the cases whose history
    was all recorded by then (`settled`, the test on case_fact that picks them: None where
    every kept row is) and the others' histories replayed to it (`replayed`, each with its
    case's id, in id order: few for a period past, none for one counted to now). The kept
    rows are counted in SQL, the replayed cases in Python, and the two added: a case is in
    one or the other."""

    cutoff: datetime
    settled: ColumnElement[bool] | None
    replayed: tuple[tuple[int, figures.CaseFacts], ...]


def facts_at(connection: Connection, cutoff: datetime) -> FactsAt:
    """The facts as recorded by `cutoff` (FactsAt). Refused (exit 8) where the kept facts
    were made by another version of complaintctl's: `db upgrade` makes them again.

    On PostgreSQL, count in the unit of work's snapshot (REPEATABLE READ): a write committed
    between this and the counts would otherwise be read by one and not the other."""
    if facts.stored_version(connection) != facts.VERSION:
        raise StoreUnavailable(
            "the facts kept for the report's figures were made by another version of "
            "complaintctl than this one counts by: back the store up, then run "
            "`complaintctl db upgrade` to make them again"
        )
    # A case received after the cutoff was not logged by then (a step's date is never after
    # its recording): it has no facts at the cutoff and needs no replaying.
    later = (
        connection.execute(
            select(case_fact.c.case_id).where(
                case_fact.c.recorded_to > cutoff, case_fact.c.received_at <= cutoff
            )
        )
        .scalars()
        .all()
    )
    replayed = tuple(
        (one.case_id, one.facts)
        for one in facts.replayed(connection, later, cutoff)
        if one.facts is not None
    )
    # Where any case has an entry recorded after the cutoff (received after it too, so not
    # replayed), only the kept rows recorded by then are the facts at it.
    recorded_after = (
        later
        or connection.execute(
            select(case_fact.c.case_id).where(case_fact.c.recorded_to > cutoff).limit(1)
        ).first()
    )
    settled = case_fact.c.recorded_to <= cutoff if recorded_after else None
    return FactsAt(cutoff, settled, replayed)


def count(
    connection: Connection,
    f: FactsAt,
    window: figures.Window,
    calendar: WorkingCalendar,
    counts: Sequence[Count] = COUNTS,
) -> Values:
    """Each of `counts` over the facts `f` (facts_at) in `window`: over the kept rows, those
    without parts that share an anchor in one statement, each by parts in one of its own; the
    replayed cases' counted by domain/figures._count and added. A count by parts has every
    part PARTS lists (at 0 where it counted none) first, then any other in the order of the
    first case counted in it, as domain/figures._count has them."""
    values: Values = {}
    plain: dict[str | None, list[Count]] = {}
    replayed = _replayed_members(f, window, calendar)
    for one in counts:
        if one.part is None:
            plain.setdefault(one.anchor, []).append(one)
            continue
        part = one.part(case_fact)
        rows = connection.execute(
            select(part, func.count(), func.min(case_fact.c.case_id))
            .where(_kept(one, f, window))
            .group_by(part)
        ).all()
        found = {name: (int(n), first) for name, n, first in rows}
        listed = replayed.get(one.figure, {})
        assert isinstance(listed, dict)
        for name, ids in listed.items():
            if ids:
                n, first = found.get(name, (0, ids[0]))
                found[name] = (n + len(ids), min(first, ids[0]))
        in_order = sorted(found.items(), key=lambda item: item[1][1])
        values[one.figure] = _every_part(one.figure, {name: n for name, (n, _) in in_order})
    for anchor, together in plain.items():
        statement = select(
            *(
                func.coalesce(func.sum(case((_kept(one, f, window), 1), else_=0)), 0)
                for one in together
            )  # fmt: skip
        )
        if anchor is not None:
            column = case_fact.c[anchor]
            statement = statement.where(column >= window.start, column < window.end)
        found_plain = connection.execute(statement.select_from(case_fact)).one()
        for one, n in zip(together, found_plain, strict=True):
            values[one.figure] = int(n) + len(replayed.get(one.figure, []))
    return {one.figure: values[one.figure] for one in counts}


def cases(
    connection: Connection,
    f: FactsAt,
    window: figures.Window,
    calendar: WorkingCalendar,
    counts: Sequence[Count] = COUNTS,
) -> Members:
    """The references of the cases each of `counts` counted over the facts `f`, in the order
    they were logged (by part, for a count by parts, its parts as `count` orders them)."""
    refs = {case_id: kept.ref for case_id, kept in f.replayed}
    replayed = _replayed_members(f, window, calendar)
    members: Members = {}
    for one in counts:
        part = one.part(case_fact) if one.part is not None else literal(None)
        rows = connection.execute(
            select(case_fact.c.case_id, _CASE.c.ref, part)
            .select_from(case_fact.join(_CASE, _CASE.c.id == case_fact.c.case_id))
            .where(_kept(one, f, window))
        ).all()
        listed = replayed.get(one.figure, {} if one.part is not None else [])
        extra = (
            [(case_id, refs[case_id], name) for name, ids in listed.items() for case_id in ids]
            if isinstance(listed, dict)
            else [(case_id, refs[case_id], None) for case_id in listed]
        )
        # In the order logged; a case counted more than once keeps its places.
        ordered = sorted([*rows, *extra], key=lambda row: row[0])
        if one.part is None:
            members[one.figure] = [ref for _, ref, _ in ordered]
            continue
        by_part: dict[str, list[str]] = {name: [] for name in _listed_parts(one.figure)}
        for _, ref, name in ordered:
            by_part.setdefault(name, []).append(ref)
        members[one.figure] = by_part
    return members


def _kept(one: Count, f: FactsAt, window: figures.Window) -> ColumnElement[bool]:
    """`one`'s test over the kept rows that are the facts at the cutoff."""
    test = one.where(case_fact, window)
    return test if f.settled is None else and_(test, f.settled)


CaseIds = list[int] | dict[str, list[int]]


def _replayed_members(
    f: FactsAt, window: figures.Window, calendar: WorkingCalendar
) -> dict[str, CaseIds]:
    """Of the replayed cases, the ids of those each figure counted (by part, for a count by
    parts), as domain/figures._count counts them, in the order logged."""
    if not f.replayed:
        return {}
    ids = {kept.ref: case_id for case_id, kept in f.replayed}
    members = figures.members([kept for _, kept in f.replayed], window, calendar)
    found: dict[str, CaseIds] = {}
    for name, listed in members.items():
        if isinstance(listed, dict):
            found[name] = {part: [ids[ref] for ref in refs] for part, refs in listed.items()}
        else:
            found[name] = [ids[ref] for ref in listed]
    return found


def _listed_parts(figure: str) -> tuple[str, ...]:
    parts = figures.FIGURE[figure].parts
    return figures.PARTS[parts] if parts is not None else ()


def _every_part(figure: str, counted: Mapping[str, int]) -> dict[str, int]:
    every = dict.fromkeys(_listed_parts(figure), 0)
    every.update(counted)
    return every
