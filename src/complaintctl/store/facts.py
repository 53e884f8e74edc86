"""Each case's facts as the figures count them, kept as its history is written (revision 0012;
ARCHITECTURE.md, "Kept facts").

A case's kept facts are what `domain/figures.replay` gives of its whole history (a cutoff in
the far future), with `recorded_to`, the latest `recorded_at` of the entries it read: they
are the case's facts at any cutoff from then on. They are kept at one place, the unit of work's
commit (`UnitOfWork._save_chain`): every case whose history the transaction added to (the
`Sealer` notes each entry's case) or rewrote (`store/retention._rewrite`, through `touch`) is
replayed from the history as it then stands and its rows written again (`refresh`).

`kept_rows` and `from_rows` turn a CaseFacts into rows and back, exactly: the rows read back
equal the replay (tests/service/test_kept_facts.py).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import delete, select, type_coerce
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import NullType
from sqlmodel import Session

from complaintctl.domain import figures
from complaintctl.errors import StoreUnavailable
from complaintctl.store.models import (
    CLOCK_COLUMNS,
    FACT_CLOCKS,
    Case,
    Event,
    StoreSetting,
    case_fact,
    case_fact_item,
)
from complaintctl.store.types import UnreadableDetails

# What this program's kept facts are: bumped with any change to what `figures.replay` gives of
# a history or to the rows `kept_rows` makes of it, for facts kept by an older one are not
# what this one would keep (tests/store/test_facts_version.py pins a digest of both over fixed
# histories to it). The version a store's facts were made by is kept in the store
# (store_setting VERSION_KEY); where it is not this one, `db upgrade` makes every case's facts
# again (store/schema.upgrade), a report refuses to count from them and `db verify` leaves them
# unchecked; where a newer one made them, a step is refused before its facts are written
# (refresh), its rows not being this program's to add to.
VERSION = 2
VERSION_KEY = "facts-version"
# Why a store whose facts a newer complaintctl made is refused: not this program's to count
# from, add to or make again.
NEWER = (
    "the facts kept for the report's figures were made by a newer version of complaintctl "
    "than this one: upgrade complaintctl to use this store"
)
# Later than any entry is recorded: a replay to it reads the whole history.
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
# The session.info key of the cases a transaction's history was written or rewritten for.
TOUCHED = "complaintctl_facts_touched"
# How many cases are replayed and written in one go.
CASES_AT_ONCE = 500

_EVENT = Event.__table__  # type: ignore[attr-defined]
_CASE = Case.__table__  # type: ignore[attr-defined]
_SETTING = StoreSetting.__table__  # type: ignore[attr-defined]
_CLOCK_NAMES = tuple(name for name, _ in CLOCK_COLUMNS)
_SCALARS = (
    "received_at", "channel", "category", "board", "out_of_time", "area", "stage",
    "close_reason", "close_because", "acknowledged_at",
)  # fmt: skip
# The columns of each table, in the order kept_rows gives their values.
FACT_COLUMNS = (
    "case_id", "recorded_to", *_SCALARS,
    *(f"{prefix}_{name}" for prefix, _ in FACT_CLOCKS for name in _CLOCK_NAMES),
)  # fmt: skip
ITEM_COLUMNS = (
    "case_id", "seq", "kind", "at", "word", "flag", "pence", "number", "due", "done_at",
    "since",
)  # fmt: skip
# kept_rows takes a clock's values, and the case's, in the order their fields are declared.
assert figures.Clock._fields == _CLOCK_NAMES
assert (*figures.CaseFacts._fields[1:10], "acknowledged_at") == _SCALARS
# The kinds of a case_fact_item row.
FIRST, FINAL, REMEDY, CAUSE = "first", "final", "remedy", "cause"
ESCALATED, INCIDENT, REFERRAL, ASSESSED, ACTION = (
    "escalated", "incident", "referral", "assessed", "action",
)  # fmt: skip


def touched(session: Session) -> set[int]:
    """The cases whose kept facts this session's transaction must replay before it commits."""
    found: set[int] = session.info.setdefault(TOUCHED, set())
    return found


def touch(session: Session, case_ids: Iterable[int | None]) -> None:
    """Note cases whose history was rewritten (retention, erasure): replayed at the commit."""
    touched(session).update(case_id for case_id in case_ids if case_id is not None)


# -- rows and back ----------------------------------------------------------------------------


def kept_rows(
    case_id: int, facts: figures.CaseFacts, recorded_to: datetime
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The case_fact row and the case_fact_item rows of a case's facts: a value for each of
    FACT_COLUMNS and of ITEM_COLUMNS, in order (tuples: the upkeep makes one for every case a
    transaction wrote history for, an import's hundred thousand)."""
    clocks = facts.clocks
    row = (
        case_id, recorded_to, *facts[1:10], facts.acknowledged_at,
        *(value for _, kind in FACT_CLOCKS for value in clocks.get(kind, _NO_CLOCK)),
    )  # fmt: skip
    items: list[tuple[Any, ...]] = []
    if not (facts.responses or facts.escalated_at or facts.referrals or facts.assessed
            or facts.incidents or facts.actions):  # fmt: skip
        return row, items
    add = items.append
    escalations = sorted(facts.escalated_at)
    # case_id, seq, kind, at, word, flag, pence, number, due, done_at, since
    for given in facts.responses:
        response = len(items)
        if given.stage == "first":
            # Its working time runs from the acknowledgement; `flag`: escalated since (an
            # escalation at or after it), both as the figures count them (figures.gather).
            kind, since = FIRST, facts.acknowledged_at
            escalated_since = bool(escalations) and escalations[-1] >= given.at
        else:
            # Its working time runs from the latest escalation by then (none: not counted).
            kind, escalated_since = FINAL, None
            by_then = bisect_right(escalations, given.at)
            since = escalations[by_then - 1] if by_then else None
        add((case_id, response, kind, given.at, given.decision, escalated_since,
             given.goodwill_pence, None, None, None, since))  # fmt: skip
        for remedy in given.remedies:
            add((case_id, len(items), REMEDY, given.at, remedy, None, None, response, None, None,
                 None))  # fmt: skip
        for cause in given.causes:
            add((case_id, len(items), CAUSE, given.at, cause, None, None, response, None, None,
                 None))  # fmt: skip
    for at in facts.escalated_at:
        add((case_id, len(items), ESCALATED, at, None, None, None, None, None, None, None))
    for at, late in facts.referrals:
        add((case_id, len(items), REFERRAL, at, None, late, None, None, None, None, None))
    for at, outcome in facts.assessed:
        add((case_id, len(items), ASSESSED, at, outcome, None, None, None, None, None, None))
    for at in facts.incidents:
        add((case_id, len(items), INCIDENT, at, None, None, None, None, None, None, None))
    for action in facts.actions:
        add((case_id, len(items), ACTION, action.opened_at, None, action.on_time, None,
             action.id, action.due, action.done_at, None))  # fmt: skip
    return row, items


# A clock the case never had: its eight columns empty.
_NO_CLOCK = (None,) * len(CLOCK_COLUMNS)


def from_rows(
    ref: str, row: Mapping[str, Any], items: Sequence[Mapping[str, Any]]
) -> figures.CaseFacts:
    """The CaseFacts a case's kept rows hold (its items in `seq` order)."""
    clocks = {}
    for prefix, kind in FACT_CLOCKS:
        if row[f"{prefix}_start"] is not None:
            values = [row[f"{prefix}_{name}"] for name in _CLOCK_NAMES]
            clocks[kind] = figures.Clock(*values)
    responses: list[figures.Given] = []
    given_at: dict[int, int] = {}  # a response's seq: its place in `responses`
    remedies: dict[int, list[str]] = {}
    causes: dict[int, list[str]] = {}
    escalated: list[datetime] = []
    referrals: list[tuple[datetime, bool]] = []
    assessed: list[tuple[datetime, str]] = []
    incidents: list[datetime] = []
    actions: list[figures.ActionFact] = []
    for one in items:
        kind, at = one["kind"], one["at"]
        if kind in (FIRST, FINAL):
            given_at[one["seq"]] = len(responses)
            responses.append(figures.Given(kind, at, one["word"], (), one["pence"]))
        elif kind == REMEDY:
            remedies.setdefault(one["number"], []).append(one["word"])
        elif kind == CAUSE:
            causes.setdefault(one["number"], []).append(one["word"])
        elif kind == ESCALATED:
            escalated.append(at)
        elif kind == REFERRAL:
            referrals.append((at, bool(one["flag"])))
        elif kind == ASSESSED:
            assessed.append((at, one["word"]))
        elif kind == INCIDENT:
            incidents.append(at)
        elif kind == ACTION:
            actions.append(figures.ActionFact(
                one["number"], at, one["due"], one["done_at"], one["flag"]))  # fmt: skip
    for seq, place in given_at.items():
        responses[place] = responses[place]._replace(
            remedies=tuple(remedies.get(seq, ())), causes=tuple(causes.get(seq, ()))
        )
    return figures.CaseFacts(
        ref,
        row["received_at"],
        row["channel"],
        row["category"],
        row["board"],
        row["out_of_time"],
        row["area"],
        row["stage"],
        row["close_reason"],
        row["close_because"],
        clocks=clocks,
        acknowledged_at=row["acknowledged_at"],
        responses=tuple(responses),
        escalated_at=tuple(escalated),
        referrals=tuple(referrals),
        assessed=tuple(assessed),
        incidents=tuple(incidents),
        actions=tuple(actions),
    )


# -- replaying and writing --------------------------------------------------------------------


@dataclass(frozen=True)
class Replayed:
    """A case's facts as its whole history gives them (None: its log is not there), and the
    latest recorded_at of the entries they were replayed from."""

    case_id: int
    ref: str
    facts: figures.CaseFacts | None
    recorded_to: datetime | None


def replayed(
    connection: Connection, case_ids: Iterable[int], cutoff: datetime = FAR_FUTURE
) -> Iterator[Replayed]:
    """Each of these cases replayed from its whole history (the entries replay reads, in the
    order recorded), or from what was recorded by `cutoff`, in id order, a few hundred cases
    a read. A case not there is left out."""
    for case_id, ref, found in histories(connection, case_ids):
        facts = figures.replay(ref, found, cutoff)
        recorded_to = max((entry[2] for entry in found if entry[2] <= cutoff), default=None)
        yield Replayed(case_id, ref, facts, recorded_to)


def histories(
    connection: Connection, case_ids: Iterable[int]
) -> Iterator[tuple[int, str, list[figures.EntryRow]]]:
    """Each of these cases' reference and the entries of its history replay reads, in the
    order recorded, in id order, a few hundred cases a read. A case not there is left out."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CASES_AT_ONCE):
        chunk = ids[start : start + CASES_AT_ONCE]
        refs: dict[int, str] = dict(
            connection.execute(select(_CASE.c.id, _CASE.c.ref).where(_CASE.c.id.in_(chunk))).all()
        )
        rows = connection.execute(
            select(
                _EVENT.c.case_id,
                _EVENT.c.action,
                _EVENT.c.at,
                _EVENT.c.recorded_at,
                _EVENT.c.details,
            )
            .where(_EVENT.c.case_id.in_(chunk), _EVENT.c.action.in_(figures.REPLAYED))
            .order_by(_EVENT.c.case_id, _EVENT.c.id)
        ).all()
        entries: dict[int, list[figures.EntryRow]] = {}
        for (case_id, action, at, recorded_at, _), details in zip(
            rows, decoded([row[4] for row in rows]), strict=True
        ):
            entries.setdefault(case_id, []).append((action, at, recorded_at, details))
        for case_id in chunk:
            if case_id in refs:
                yield case_id, refs[case_id], entries.get(case_id, [])


def decoded(texts: Sequence[str]) -> list[dict[str, Any]]:
    """Each of `texts` (an entry's details, a JSON object) decoded: as one JSON array, in one
    call to the parser rather than one for each entry (several times quicker)."""
    found = json.loads("[" + ",".join(texts) + "]") if texts else []
    if len(found) != len(texts) or not all(isinstance(one, dict) for one in found):
        raise UnreadableDetails  # one of them is not a JSON object: changed by hand
    return cast("list[dict[str, Any]]", found)


def refresh(connection: Connection, case_ids: Iterable[int]) -> int:
    """Replay these cases from their history as it stands and write their kept facts again
    (a case without its log has none); how many cases were replayed."""
    from complaintctl.store.bulk import BulkWriter  # it imports the unit of work, as uow this

    if made_by_newer(stored_version(connection)):
        # A newer complaintctl's kind of rows: this one's written beside them would be counted
        # by it as its own (the schema revision alone is checked on the way in).
        raise StoreUnavailable(NEWER)
    writer = BulkWriter.on(connection)
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CASES_AT_ONCE):
        chunk = ids[start : start + CASES_AT_ONCE]
        connection.execute(delete(case_fact_item).where(case_fact_item.c.case_id.in_(chunk)))
        connection.execute(delete(case_fact).where(case_fact.c.case_id.in_(chunk)))
        rows: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        for one in replayed(connection, chunk):
            if one.facts is None or one.recorded_to is None:
                continue
            row, its = kept_rows(one.case_id, one.facts, one.recorded_to)
            rows.append(row)
            items += its
        writer.insert_values(case_fact, FACT_COLUMNS, rows)
        writer.insert_values(case_fact_item, ITEM_COLUMNS, items)
    return len(ids)


def fill(connection: Connection) -> int:
    """Replay every case and write its kept facts, those kept before deleted; how many cases
    there are. The tables' indexes are dropped first and made again after, as the models
    have them: refilling 100,000 cases took 18 s so against 25 s with them in place."""
    indexes = sorted((*case_fact.indexes, *case_fact_item.indexes), key=lambda i: str(i.name))
    for index in indexes:
        index.drop(connection)
    connection.execute(delete(case_fact_item))
    connection.execute(delete(case_fact))
    ids = connection.execute(select(_CASE.c.id).order_by(_CASE.c.id)).scalars().all()
    cases = refresh(connection, ids)
    for index in indexes:
        index.create(connection)
    return cases


def stored_version(connection: Connection) -> int | None:
    """The version of complaintctl's facts a store's kept facts were made by (None: not
    known, as in a store whose facts revision 0012 has yet to fill)."""
    value = connection.execute(
        select(_SETTING.c.value).where(_SETTING.c.key == VERSION_KEY)
    ).scalar_one_or_none()
    return int(value) if isinstance(value, str) and value.isdigit() else None


def made_by_newer(version: int | None) -> bool:
    """Whether facts noted as made by `version` (stored_version) are a newer program's."""
    return version is not None and version > VERSION


def refill(connection: Connection, *, by: str, at: datetime) -> int:
    """Make every case's kept facts again, by this program's replay, and note its VERSION as
    theirs; how many cases there are."""
    cases = fill(connection)
    connection.execute(delete(_SETTING).where(_SETTING.c.key == VERSION_KEY))
    connection.execute(
        _SETTING.insert().values(key=VERSION_KEY, value=str(VERSION), set_by=by, set_at=at)
    )
    return cases


def kept(connection: Connection, case_ids: Iterable[int]) -> Iterator[tuple[int, Any, Any]]:
    """(case id, its case_fact row or None, its items) for each of these cases, in id order."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CASES_AT_ONCE):
        chunk = ids[start : start + CASES_AT_ONCE]
        rows = {
            row.case_id: row._mapping
            for row in connection.execute(select(case_fact).where(case_fact.c.case_id.in_(chunk)))
        }
        items: dict[int, list[Any]] = {}
        for item in connection.execute(
            select(case_fact_item)
            .where(case_fact_item.c.case_id.in_(chunk))
            .order_by(case_fact_item.c.case_id, case_fact_item.c.seq)
        ):
            items.setdefault(item.case_id, []).append(item._mapping)
        for case_id in chunk:
            yield case_id, rows.get(case_id), items.get(case_id, [])


def differing(connection: Connection, case_ids: Iterable[int]) -> Iterator[str]:
    """The reference of each of these cases whose kept rows are not, value for value as
    stored, the rows `kept_rows` makes of a replay of its history (none kept where there
    should be, kept where there should be none, or other), in id order.

    The rows are compared as the database holds them, not the facts `from_rows` decodes:
    a value it ignores or converts (a `board` of 2, read as true but missed by SQL's
    `board = 1`; a due on a clock the case never had; `pence` on a remedy's row) is counted by
    the SQL figures all the same."""
    dialect = connection.dialect
    as_fact = _as_stored(case_fact, FACT_COLUMNS, dialect)
    as_item = _as_stored(case_fact_item, ITEM_COLUMNS, dialect)
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CASES_AT_ONCE):
        chunk = ids[start : start + CASES_AT_ONCE]
        rows = {
            row[0]: tuple(row)
            for row in connection.execute(
                select(*_raw(case_fact, FACT_COLUMNS)).where(case_fact.c.case_id.in_(chunk))
            )
        }
        items: dict[int, list[tuple[Any, ...]]] = {}
        for item in connection.execute(
            select(*_raw(case_fact_item, ITEM_COLUMNS))
            .where(case_fact_item.c.case_id.in_(chunk))
            .order_by(case_fact_item.c.case_id, case_fact_item.c.seq)
        ):
            items.setdefault(item[0], []).append(tuple(item))
        for one in replayed(connection, chunk):
            row, its = rows.get(one.case_id), items.get(one.case_id, [])
            if one.facts is None or one.recorded_to is None:
                if row is not None or its:
                    yield one.ref
                continue
            want, want_items = kept_rows(one.case_id, one.facts, one.recorded_to)
            if row != as_fact(want) or its != [as_item(item) for item in want_items]:
                yield one.ref


def _raw(table: Any, columns: Sequence[str]) -> list[Any]:
    """The columns read as the database gives them (no type's conversion on the way out)."""
    return [type_coerce(table.c[name], NullType()) for name in columns]


def _as_stored(
    table: Any, columns: Sequence[str], dialect: Dialect
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A row of values for `columns` as the database stores them (each column type's
    conversion on the way in: an instant as SQLite's text, a boolean as SQLite's 0 or 1)."""
    binds = [table.c[name].type.bind_processor(dialect) for name in columns]

    def stored(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            value if bind is None or value is None else bind(value)
            for bind, value in zip(binds, values, strict=True)
        )

    return stored
