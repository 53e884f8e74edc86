"""Sealing history entries as they are written, and reading the chain back to check it.

Every path that writes a history entry (UnitOfWork.record, the bulk writes of a step and of an
import, the schema upgrade's own entry) takes its ids and seals from one `Sealer` per
transaction: it reads the chain's head once, locking its row (PostgreSQL: FOR UPDATE; SQLite
has one writer at a time anyway, and every writer holds the store's write lock), gives each
new entry the next id and its seal in turn, and writes the head back before the transaction
commits. So the chain runs in id order whichever writers come and go.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, type_coerce, update
from sqlalchemy.engine import Connection

from complaintctl.domain.chain import GENESIS, Entry, Seal, seal
from complaintctl.domain.figures import REPLAYED
from complaintctl.domain.retention import salted_keys
from complaintctl.errors import StoreUnavailable
from complaintctl.store.models import Case, CaseAction, ChainHead, Deadline, Event
from complaintctl.store.types import StoredInstant

_HEAD = ChainHead.__table__  # type: ignore[attr-defined]
_EVENT = Event.__table__  # type: ignore[attr-defined]
_ENTRY_FIELDS = ("case_id", "action", "actor", "at", "recorded_at", "login", "host", "details")
_TIMES = ("at", "recorded_at")


def new_salts(action: str) -> str | None:
    """Salts for an entry of `action`: a random one for each key that may hold a personal
    value (domain/retention.salted_keys), whether or not the entry has it; None for an action
    with none."""
    keys = _salted(action)
    if not keys:
        return None
    # One read of the system's randomness for all of them, written out as salts_json would:
    # an import seals an entry a row.
    drawn = secrets.token_hex(16 * len(keys))
    return "{" + ",".join(f'"{key}":"{drawn[32 * n : 32 * n + 32]}"' for n, key in keys) + "}"


@functools.cache
def _salted(action: str) -> tuple[tuple[int, str], ...]:
    """The keys of `action` sealed salted, sorted and numbered (plain names: no escaping)."""
    keys = sorted(salted_keys(action))
    assert all(key.isidentifier() for key in keys)
    return tuple(enumerate(keys))


def salts_json(salts: Mapping[str, str]) -> str:
    """An entry's salts as stored: JSON, keys sorted."""
    return json.dumps(dict(salts), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Head:
    last_id: int
    entries: int
    chain: str

    @property
    def well_formed(self) -> bool:
        """Whether it is what complaintctl writes (SQLite keeps text in an integer column)."""
        counts = (self.last_id, self.entries)
        return all(type(n) is int for n in counts) and isinstance(self.chain, str)


def create_head(connection: Connection, head: Head | None = None) -> None:
    """The head of a new chain (or of one sealed by an upgrade)."""
    head = head or Head(0, 0, GENESIS)
    connection.execute(
        _HEAD.insert().values(id=1, last_id=head.last_id, entries=head.entries, chain=head.chain)
    )


def read_head(connection: Connection, *, lock: bool = False) -> Head | None:
    statement = select(_HEAD.c.last_id, _HEAD.c.entries, _HEAD.c.chain).where(_HEAD.c.id == 1)
    if lock:
        statement = statement.with_for_update()
    row = connection.execute(statement).first()
    return Head(*row) if row else None


_REPLAYED = frozenset(REPLAYED)


class Sealer:
    """The ids and seals of the entries one transaction appends, in the order it writes them."""

    def __init__(self, connection: Connection, touched: set[int] | None = None) -> None:
        self.connection = connection
        # The case of each entry sealed that replay reads (figures.REPLAYED, the entries a
        # case's recorded_to counts): its kept facts are replayed before the transaction
        # commits (store/facts.py, UnitOfWork._save_chain). An assignment, a note, a letter or
        # a restriction's entry changes no kept fact, so its case is not replayed.
        self.touched: set[int] = touched if touched is not None else set()
        head = read_head(connection, lock=True)
        if head is None or not head.well_formed:
            what = (
                "lost the head of its chain (its chain_head row)"
                if head is None
                else "a head of its chain (its chain_head row) that complaintctl did not write"
            )
            raise StoreUnavailable(
                f"the store's history has {what}: it "
                "was changed behind complaintctl's back; `complaintctl db verify` says what else "
                "was, and nothing more can be recorded"
            )
        # An entry written behind the tool's back past the head keeps its id; the chain goes on
        # after it (and `db verify` reports it).
        last = connection.execute(select(func.max(_EVENT.c.id))).scalar_one_or_none() or 0
        self._saved = head
        self.next_id = max(head.last_id, int(last)) + 1
        self.last_id, self.entries, self.chain = head.last_id, head.entries, head.chain

    def seal(self, entry: Mapping[str, Any]) -> tuple[int, Seal, str | None]:
        """The next id, the seal of an entry with these fields (`_ENTRY_FIELDS`), and the
        salts it was sealed with (the entry's `salts`: new ones, for the keys of its action
        that may hold personal values)."""
        entry_id = self.next_id
        if (case_id := entry["case_id"]) is not None and entry["action"] in _REPLAYED:
            self.touched.add(case_id)
        salts = new_salts(entry["action"])
        fields = {name: entry[name] for name in _ENTRY_FIELDS}
        sealed = seal(self.chain, Entry(id=entry_id, **fields, salts=salts))
        self.next_id += 1
        self.last_id, self.entries, self.chain = entry_id, self.entries + 1, sealed.chain
        return entry_id, sealed, salts

    def seal_rows(
        self, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], same: Mapping[str, Any]
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Rows for BulkWriter.insert_values(Event, …): each given its id, digest, chain and
        salts."""
        sealed = []
        for row in rows:
            entry_id, seal_, salts = self.seal({**same, **dict(zip(columns, row, strict=True))})
            sealed.append((*row, entry_id, seal_.digest, seal_.chain, salts))
        return (*columns, "id", "digest", "chain", "salts"), sealed

    def state(self) -> tuple[int, int, int, str]:
        return self.next_id, self.last_id, self.entries, self.chain

    def restore(self, state: tuple[int, int, int, str]) -> None:
        """Back to `state` (a savepoint rolled back the entries sealed since)."""
        self.next_id, self.last_id, self.entries, self.chain = state

    def save(self) -> None:
        """Write the head, where entries were sealed since it was read (or last saved)."""
        head = Head(self.last_id, self.entries, self.chain)
        if head == self._saved:
            return
        self.connection.execute(
            update(_HEAD)
            .where(_HEAD.c.id == 1)
            .values(last_id=head.last_id, entries=head.entries, chain=head.chain)
        )
        if self.connection.dialect.name == "postgresql":
            # Ids are given here, not by the column's sequence: keep it past them, so that an
            # insert taking the sequence's next id never meets one of these.
            self.connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('event', 'id'), %(last)s)",
                {"last": head.last_id},
            )
        self._saved = head


# -- reading the chain back ------------------------------------------------------------------


@dataclass(frozen=True)
class StoredEntry:
    """An entry as `db verify` reads it: its fields, its stored seal and its case's reference."""

    entry: Entry
    seal: Seal
    ref: str | None


def stored_entries(
    connection: Connection, up_to: int, *, page: int = 5000
) -> Iterator[StoredEntry]:
    """Every entry up to id `up_to`, in id order, a page at a time (memory stays flat).

    From the lowest id there is, not from 1: an entry added by hand at id 0 or below is one
    complaintctl did not write, and is named, never passed over."""
    after: int | None = None
    while True:
        above = () if after is None else (_EVENT.c.id > after,)
        rows = connection.execute(
            select(
                _EVENT.c.id,
                # A time changed to text that is not one is read as it is, for its entry to
                # be named, not refused with the rest of the history.
                *(
                    type_coerce(_EVENT.c[name], StoredInstant) if name in _TIMES else _EVENT.c[name]
                    for name in _ENTRY_FIELDS
                ),
                _EVENT.c.salts,
                _EVENT.c.digest,
                _EVENT.c.chain,
                Case.__table__.c.ref,  # type: ignore[attr-defined]
            )
            .select_from(_EVENT.outerjoin(Case.__table__, Case.__table__.c.id == _EVENT.c.case_id))  # type: ignore[attr-defined]
            .where(*above, _EVENT.c.id <= up_to)
            .order_by(_EVENT.c.id)
            .limit(page)
        ).all()
        if not rows:
            return
        for row in rows:
            yield StoredEntry(Entry(*row[:10]), Seal(row[10], row[11]), row[12])
        after = rows[-1][0]


def entries_of_cases(
    connection: Connection, case_ids: Sequence[int], up_to: int, *, cases_a_read: int = 500
) -> Iterator[tuple[int, list[tuple[str, Any, Any, str]]]]:
    """Each of these cases' entries up to id `up_to` (action, at, recorded_at, details as
    stored: a time that is not one read as it is), case by case in id order, a few hundred
    cases a read: memory holds those cases' entries, never the whole history."""
    ids = sorted(case_ids)
    for start in range(0, len(ids), cases_a_read):
        chunk = ids[start : start + cases_a_read]
        rows = connection.execute(
            select(
                _EVENT.c.case_id,
                _EVENT.c.action,
                type_coerce(_EVENT.c.at, StoredInstant),
                type_coerce(_EVENT.c.recorded_at, StoredInstant),
                _EVENT.c.details,
            )
            .where(_EVENT.c.case_id.in_(chunk), _EVENT.c.id <= up_to)
            .order_by(_EVENT.c.case_id, _EVENT.c.id)
        ).all()
        by_case: dict[int, list[tuple[str, Any, Any, str]]] = {}
        for case_id, action, at, recorded_at, details in rows:
            by_case.setdefault(int(case_id), []).append((action, at, recorded_at, details))
        yield from by_case.items()


def last_entry_and_head(connection: Connection) -> tuple[int, Head | None]:
    """The store's last entry id (0 for none) and the chain's head, read by one statement
    so they are read at one moment."""
    last = select(func.coalesce(func.max(_EVENT.c.id), 0)).scalar_subquery()
    row = connection.execute(
        select(last, _HEAD.c.last_id, _HEAD.c.entries, _HEAD.c.chain)
        .select_from(_HEAD)
        .where(_HEAD.c.id == 1)
    ).first()
    if row is None:
        found = connection.execute(select(func.coalesce(func.max(_EVENT.c.id), 0))).scalar_one()
        return int(found), None
    return int(row[0]), Head(row[1], row[2], row[3])


def case_stages(connection: Connection) -> Iterator[tuple[int, str, str]]:
    """(id, reference, stage) of every case, in id order."""
    table = Case.__table__  # type: ignore[attr-defined]
    for row in connection.execute(
        select(table.c.id, table.c.ref, table.c.stage).order_by(table.c.id)
    ):
        yield int(row[0]), str(row[1]), str(row[2])


def cases_with_clocks_to_check(connection: Connection, open_stages: Sequence[str]) -> set[int]:
    """The ids of the cases whose running clocks `db verify` checks against their history:
    those in an open stage, and those with an action not done. Every other case's clocks
    are ended by its history; a running one the store has is read by running_case_clocks."""
    case = Case.__table__  # type: ignore[attr-defined]
    action = CaseAction.__table__  # type: ignore[attr-defined]
    in_stage = select(case.c.id).where(case.c.stage.in_(list(open_stages)))
    owing = select(action.c.case_id).where(action.c.done_at.is_(None))
    return {int(row[0]) for row in connection.execute(in_stage.union(owing))}


@dataclass(frozen=True)
class RunningClock:
    """A running clock of a case, or of one of its actions, as `db verify` reads it: its due
    as stored (text that is not an instant comes back as it is), and an action's own due."""

    id: int
    case_id: int
    kind: str
    due_at: Any
    action_id: int | None = None
    action_due_at: Any = None


def running_case_clocks(connection: Connection) -> list[RunningClock]:
    """Every running clock of a case or of an action on one (not a restriction's review nor a
    subject-access request's month, which have no case), in id order."""
    deadline = Deadline.__table__  # type: ignore[attr-defined]
    action = CaseAction.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        select(
            deadline.c.id,
            func.coalesce(deadline.c.case_id, action.c.case_id),
            deadline.c.kind,
            type_coerce(deadline.c.due_at, StoredInstant),
            deadline.c.action_id,
            type_coerce(action.c.due_at, StoredInstant),
        )
        .select_from(deadline.outerjoin(action, action.c.id == deadline.c.action_id))
        .where(
            deadline.c.ended_at.is_(None),
            (deadline.c.case_id.is_not(None)) | (deadline.c.action_id.is_not(None)),
        )
        .order_by(deadline.c.id)
    ).all()
    return [
        RunningClock(int(row[0]), int(row[1]), str(row[2]), row[3], row[4], row[5])
        for row in rows
        if row[1] is not None
    ]
