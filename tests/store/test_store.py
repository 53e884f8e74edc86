"""The store on a real database (an SQLite file, or PostgreSQL): where it lives, how it keeps
instants, what indexes serve."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select

from complaintctl.errors import InvalidInput, StoreUnavailable
from complaintctl.store import listings
from complaintctl.store.db import (
    lock_timeout,
    open_engine,
    prepare_sqlite_file,
    resolve_url,
    store_error,
)
from complaintctl.store.models import Case, Event
from complaintctl.store.schema import ensure_schema
from complaintctl.store.uow import UnitOfWork
from tests.conftest import POSTGRES, STORE_CREATED, UnitFactory, postgres_only, sqlite_only


@sqlite_only
def test_a_new_store_file_and_its_folders_are_created_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.sqlite3"
    made = prepare_sqlite_file(path)
    url = resolve_url(str(path))
    ensure_schema(open_engine(url), url, STORE_CREATED)
    assert [tmp_path / "a", tmp_path / "a" / "b"] == made
    modes = [stat.S_IMODE(p.stat().st_mode) for p in (path, *made)]
    assert [0o600, 0o700, 0o700] == modes


@sqlite_only
def test_an_empty_file_made_by_hand_is_made_its_owners_only_as_the_store_is_made_in_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)  # whatever the umask
    tmp_path.chmod(0o751)  # a folder of the user's own, left as it is

    made = prepare_sqlite_file(path)
    read_only = tmp_path / "read-only.sqlite3"
    read_only.touch()
    os.chmod(read_only, 0o444)  # the owner's own choice is kept: only others lose access
    prepare_sqlite_file(read_only)

    assert 0o400 == stat.S_IMODE(read_only.stat().st_mode)
    assert ([], 0o600, 0o751) == (
        made,
        stat.S_IMODE(path.stat().st_mode),
        stat.S_IMODE(tmp_path.stat().st_mode),
    )


@sqlite_only
def test_what_is_deleted_from_a_sqlite_store_is_overwritten_on_disk(tmp_path: Path) -> None:
    # Erasure and retention must not leave personal data in free pages, whatever the build's
    # default (this one's may already be on).
    url = resolve_url(str(tmp_path / "store.sqlite3"))
    engine = open_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_a_path_and_a_url_name_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    assert f"sqlite:///{path}" == resolve_url(str(path))
    assert "postgresql+psycopg://u@h/db" == resolve_url("postgresql+psycopg://u@h/db")


@pytest.mark.parametrize(
    ("raw", "seconds"), [("0", 0.0), ("0.2", 0.2), (" 30 ", 30.0), ("3600", 3600.0)]
)
def test_a_lock_timeout_is_ascii_seconds_from_0_to_3600(
    monkeypatch: pytest.MonkeyPatch, raw: str, seconds: float
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", raw)
    assert seconds == lock_timeout()


@pytest.mark.parametrize("raw", ["\u0665", "\uff15", "1_0", "1e3", "nan", "-1", "3601", "soon"])
def test_a_lock_timeout_in_other_digits_or_forms_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    """Numbers take ASCII digits only (README): Python's float() would read an Arabic-Indic
    or full-width 5, or 1_0, as a number."""
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", raw)
    with pytest.raises(InvalidInput, match="COMPLAINTCTL_LOCK_TIMEOUT must be a number"):
        lock_timeout()


def test_an_unknown_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreUnavailable):
        open_engine("nosuchdb://x/y")


def test_a_store_path_holding_a_byte_that_is_not_utf8_is_a_store_error_naming_it() -> None:
    """`--db $'caf\\xe9.sqlite3'` from a Latin-1 terminal: a path no URL can carry."""
    from complaintctl.store.db import resolve_url

    with pytest.raises(StoreUnavailable, match=r"holds <U\+DCE9>, half of a character"):
        resolve_url("/tmp/caf\udce9.sqlite3")


@pytest.mark.parametrize(
    "db",
    [
        "/tmp/store\x00.sqlite3",
        "postgresql+psycopg://clerk@/complaints\x00?host=/run/team",
        # Decoded, the NUL ends the database's name where libpq reads it: the host after it
        # was lost, and the server on the default socket reached instead.
        "postgresql+psycopg://clerk@/complaints%00?host=/run/team",
        "postgresql+psycopg://clerk:s3%00cret@db.example.org/complaints",
        "postgresql+psycopg://clerk@db.example.org/complaints?application_name=a%00b",
    ],
)
def test_a_store_path_or_url_holding_a_nul_is_a_store_error_never_a_traceback(db: str) -> None:
    from complaintctl.store.db import resolve_url

    with pytest.raises(StoreUnavailable, match=r"holds a NUL character") as refused:
        resolve_url(db)
    assert "s3" not in str(refused.value)


# Rows of the event table used to test instants, not history: left unsealed (test_chain.py).
UNSEALED = {"digest": "", "chain": ""}


def _event(at: datetime) -> Event:
    return Event(action="test", actor="t", at=at, recorded_at=at, details="{}", **UNSEALED)


def test_instants_come_back_in_utc_whatever_zone_they_were_written_in(unit: UnitFactory) -> None:
    written = datetime(2026, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    with unit() as uow:
        uow.add(_event(written))
        uow.commit()
    with unit(write=False) as uow:
        read = uow.session.exec(select(Event.at).where(Event.action == "test")).one()  # type: ignore[call-overload]
    assert written == read[0]
    assert UTC == read[0].tzinfo


def test_naive_datetimes_are_refused_rather_than_guessed(unit: UnitFactory) -> None:
    def write_naive() -> None:
        with unit() as uow:
            uow.add(_event(datetime(2026, 7, 1, 10, 0)))
            uow.commit()

    with pytest.raises(StoreUnavailable, match="timezone-aware"):
        write_naive()


@sqlite_only
def test_instants_are_stored_in_one_text_format_so_they_sort_as_text(
    unit: UnitFactory, store_url: str
) -> None:
    with unit() as uow:
        uow.add(_event(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)))
        uow.add(_event(datetime(2026, 7, 1, 10, 0, 0, 5, tzinfo=UTC)))
        uow.commit()
    with sqlite3.connect(store_url) as raw:
        stored = [
            row[0] for row in raw.execute("SELECT at FROM event WHERE action = 'test' ORDER BY id")
        ]
    assert ["2026-07-01 09:00:00.000000", "2026-07-01 10:00:00.000005"] == stored


@postgres_only
def test_instants_are_stored_as_timestamptz_at_their_instant_in_utc(
    unit: UnitFactory, store_url: str
) -> None:
    with unit() as uow:
        uow.add(_event(datetime(2026, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))))
        uow.add(_event(datetime(2026, 7, 1, 10, 0, 0, 5, tzinfo=UTC)))
        uow.commit()
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.connect() as raw:
            # Whatever zone the reading session is in, the instant is the same.
            raw.exec_driver_sql("SET TIME ZONE 'America/New_York'")
            types = raw.exec_driver_sql(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'event' "
                "AND column_name IN ('at', 'recorded_at') ORDER BY column_name"
            ).all()
            stored = raw.exec_driver_sql(
                "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                "FROM event WHERE action = 'test' ORDER BY at"
            ).all()
    finally:
        engine.dispose()
    assert [("at", "timestamp with time zone"), ("recorded_at", "timestamp with time zone")] == [
        tuple(row) for row in types
    ]
    assert [("2026-07-01 09:00:00.000000",), ("2026-07-01 10:00:00.000005",)] == [
        tuple(row) for row in stored
    ]


@contextmanager
def _statements_run(uow: UnitOfWork, *markers: str) -> Iterator[list[tuple[str, Any]]]:
    """The statements run within, as the database receives them: those holding every marker."""
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if all(marker in sql for marker in markers):
            statements.append((sql, params))

    engine = uow.session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _sqlite_plans(store_url: str, statements: list[tuple[str, Any]]) -> list[list[str]]:
    """Each statement's plan as SQLite explains it, a line a step."""
    with sqlite3.connect(store_url) as raw:
        return [
            [row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for sql, params in statements
        ]


def _every_plan_uses(index: str, plans: list[list[str]]) -> None:
    assert plans
    assert [True] * len(plans) == [any(index in line for line in plan) for plan in plans], plans


def test_the_overdue_query_uses_the_open_deadline_index(unit: UnitFactory, store_url: str) -> None:
    """The statements `overdue` really runs, captured as the database receives them, then
    explained (PostgreSQL is told to avoid scanning a whole table where it can: the test store
    is too small for an index to look worth using)."""
    with (
        unit(write=False) as uow,
        _statements_run(uow, "FROM deadline", "ended_at IS NULL") as statements,
    ):
        engine = uow.session.get_bind()
        listings.overdue(uow, STORE_CREATED, ["acknowledge"])
    assert statements
    if POSTGRES:
        with engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plans = [
                [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params)]
                for sql, params in statements
            ]
    else:
        plans = _sqlite_plans(store_url, statements)
    _every_plan_uses("ix_deadline_open_due", plans)


@sqlite_only
def test_a_step_reads_its_cases_clocks_by_case_never_every_running_clock(
    unit: UnitFactory, store_url: str
) -> None:
    """The statements a step reads its cases' clocks with, captured and explained: each
    searches the clocks by case. SQLite, knowing nothing of how many clocks run, would search
    every running clock in the store by `ended_at IS NULL` instead (a step taking longer as
    the store grows: about 1 ms a step with a few thousand open cases)."""
    from complaintctl.store.bulk import case_rows

    for n in range(3):
        _log(unit, f"Ann Smith{n}", "Boiler broke", STORE_CREATED - timedelta(days=n))
    with unit(write=False) as uow:
        refs = list(uow.session.execute(select(Case.ref)).scalars())
        with _statements_run(uow, "FROM deadline") as statements:
            rows = case_rows(uow, refs)
    plans = _sqlite_plans(store_url, statements)
    assert [1, 1, 1] == [len(row.clocks) for row in rows.values()]
    _every_plan_uses("ix_deadline_case_id", plans)


@sqlite_only
def test_the_cases_reopened_since_are_found_through_the_cases_never_the_whole_history(
    unit: UnitFactory, store_url: str
) -> None:
    """`queue --as-of` asks which of the queue's cases were reopened since: the statement it
    runs, captured and explained, reads the history by its case index from the cases at
    those stages (as `moves_since` does), never every entry of the history in turn."""
    with unit(write=False) as uow, _statements_run(uow, "FROM event") as statements:
        listings.reopened_since(uow, STORE_CREATED, ["first-stage", "second-stage"])
    assert 1 == len(statements)
    (plan,) = _sqlite_plans(store_url, statements)
    assert [] == [line for line in plan if line.startswith("SCAN event")], plan


def test_the_calendar_is_written_with_england_and_wales_bank_holidays(unit: UnitFactory) -> None:
    with unit(write=False) as uow:
        calendar = uow.calendar()
        region = uow.calendar_setting().holiday_region
    assert "GB-ENG" == region
    assert "Christmas Day (bank holiday)" == calendar.closed_days[datetime(2026, 12, 25).date()]
    # St Andrew's Day is Scotland's, not ours.
    assert datetime(2026, 11, 30).date() not in calendar.closed_days
    assert (datetime(2021, 1, 1).date(), datetime(2031, 12, 31).date()) == (
        calendar.known_from,
        calendar.known_through,
    )


def test_bulk_inserts_store_each_row_as_the_orm_would(unit: UnitFactory) -> None:
    """BulkWriter.insert_values hands rows to the driver itself: each value still goes through
    its column's conversion, whether given once for every row, the same in each row, or not."""
    from complaintctl.store.bulk import BulkWriter

    first = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    decided = datetime(2026, 7, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    rows = [(first + timedelta(minutes=n), decided, f'{{"n": {n}}}') for n in range(3)]
    once = {"case_id": None, "action": "test", "actor": "t", "recorded_at": decided, **UNSEALED}
    with unit() as uow:
        writer = BulkWriter(uow)
        writer.insert_values(
            Event,
            ("at", "recorded_at", "details"),
            rows[:2],
            {"case_id": None, "action": "test", "actor": "t", **UNSEALED},
        )
        writer.insert_values(
            Event, ("at", "details"), [(at, details) for at, _, details in rows[2:]], once
        )
        uow.commit()
    with unit(write=False) as uow:
        stored = uow.session.exec(
            select(Event.at, Event.recorded_at, Event.details)  # type: ignore[call-overload]
            .where(Event.action == "test")
            .order_by(Event.id)
        ).all()
    assert rows == [tuple(s) for s in stored]
    assert {UTC} == {s[0].tzinfo for s in stored} | {s[1].tzinfo for s in stored}


def _test_events(count: int) -> list[tuple[datetime, str]]:
    first = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    return [(first + timedelta(seconds=n), f'{{"n": {n}}}') for n in range(count)]


_ONCE = {
    "case_id": None,
    "action": "test",
    "actor": "t",
    "recorded_at": STORE_CREATED,
    "digest": "",  # not sealed: these rows test the writer, not the chain
    "chain": "",
}


@pytest.mark.parametrize("count", [1, 2, 999, 1000, 1001, 2345])
def test_a_bulk_insert_stores_every_row_in_order_however_many(
    unit: UnitFactory, count: int
) -> None:
    """On SQLite many rows go in one statement (up to a thousand, or what the parameters allow):
    every row is stored, in the order given, whether they fill a statement or not."""
    from complaintctl.store.bulk import BulkWriter

    rows = _test_events(count)
    with unit() as uow:
        BulkWriter(uow).insert_values(Event, ("at", "details"), rows, _ONCE)
        uow.commit()
    with unit(write=False) as uow:
        stored = uow.session.exec(
            select(Event.at, Event.details)  # type: ignore[call-overload]
            .where(Event.action == "test")
            .order_by(Event.id)
        ).all()
    assert rows == [tuple(s) for s in stored]


@sqlite_only
@pytest.mark.parametrize(("limit", "statements"), [(None, 3), (45, 469)])
def test_a_bulk_insert_into_sqlite_takes_many_rows_a_statement(
    unit: UnitFactory, limit: int | None, statements: int
) -> None:
    """A statement of one row into `complaint` made FTS5 write the search index a case at a
    time (store/bulk.py, _MOST_ROWS): rows go a thousand a statement, or as many as SQLite's
    limit on a statement's parameters allows (45 here: five rows of eight columns)."""
    from complaintctl.store.bulk import BulkWriter

    sent: list[tuple[str, bool, int]] = []

    def count(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        if sql.startswith("INSERT INTO event"):
            sent.append((sql.count("), ("), many, len(params)))

    with unit() as uow:
        writer = BulkWriter(uow)
        writer._parameter_limit = limit
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            writer.insert_values(Event, ("at", "details"), _test_events(2345), _ONCE)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        uow.commit()
    assert statements == len(sent)
    assert not any(many for _, many, _ in sent)
    assert 2345 * 8 == sum(values for _, _, values in sent)


def test_a_bulk_insert_keeps_apart_the_two_instants_of_a_repeated_local_hour(
    unit: UnitFactory,
) -> None:
    """01:30 on 25 October 2026 happens twice in London; Python calls the two equal."""
    from zoneinfo import ZoneInfo

    from complaintctl.store.bulk import BulkWriter

    first = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London"))
    second = first.replace(fold=1)
    assert first == second
    with unit() as uow:
        BulkWriter(uow).insert_values(
            Event,
            ("at", "recorded_at"),
            [(first, first), (second, second)],
            {"case_id": None, "action": "test", "actor": "t", "details": "{}", **UNSEALED},
        )
        uow.commit()
    with unit(write=False) as uow:
        stored = uow.session.exec(
            select(Event.at).where(Event.action == "test").order_by(Event.id)  # type: ignore[call-overload]
        ).all()
    assert [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ] == [s[0] for s in stored]


def test_a_bulk_insert_must_give_each_column_that_has_a_default(unit: UnitFactory) -> None:
    """The driver applies no SQLAlchemy default: a row leaving out `version` is refused."""
    from complaintctl.store.bulk import BulkWriter
    from complaintctl.store.models import Case

    at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    row = {
        "ref": "SC-2026-000001", "consumer_id": 1, "channel": "email", "category": "delay",
        "summary": "s", "board": False, "received_at": at, "stage": "received",
        "out_of_time": False, "logged_by": "t", "logged_at": at,
    }  # fmt: skip
    with unit() as uow, pytest.raises(ValueError, match="must give .*version"):
        BulkWriter(uow).insert_values(Case, tuple(row), [tuple(row.values())])


@pytest.mark.parametrize("count", [1, 16, 17, 1024, 2500])
def test_a_lookup_finds_every_key_however_many_it_is_given(unit: UnitFactory, count: int) -> None:
    """Lookups send their keys in pieces of a few fixed sizes, filled up with a repeated key:
    every key is found once, whether it fills a piece exactly, just overflows one, or needs
    several, and keys that match nothing find nothing."""
    from complaintctl.store.bulk import BulkWriter
    from complaintctl.store.models import Consumer

    at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    emails = [f"p{n}@example.com" for n in range(count)]
    with unit() as uow:
        writer = BulkWriter(uow)
        writer.insert_values(
            Consumer,
            ("name", "email"),
            [(f"P {n}", email) for n, email in enumerate(emails)],
            {"address": None, "preferred_contact": None, "adjustments": "[]", "created_at": at},
        )
        ids = writer.consumer_ids_by_email([*emails, "nobody@example.com"])
        found = writer.consumers_by_email(emails[::-1])
        uow.commit()
    assert set(emails) == set(ids) == set(found)
    assert count == len(set(ids.values()))
    assert all(found[email].id == ids[email] for email in emails)


def test_a_bulk_insert_refuses_a_column_given_twice(unit: UnitFactory) -> None:
    """Given both per row and once for all, one of the two would be dropped without a word."""
    from complaintctl.store.bulk import BulkWriter

    at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    once = {"case_id": None, "action": "test", "actor": "t", "recorded_at": at, "details": "{}"}
    with unit() as uow, pytest.raises(ValueError, match="each column is given once"):
        BulkWriter(uow).insert_values(Event, ("at", "actor"), [(at, "someone")], once)


def _log(unit: UnitFactory, name: str, summary: str, at: datetime) -> None:
    from complaintctl import services
    from complaintctl.domain.procedure import Category, Channel

    with unit() as uow:
        services.log_complaint(
            uow,
            complaint=services.NewComplaint(consumer=name, email="a@example.com",
                                            channel=Channel.EMAIL, category=Category.DELAY,
                                            summary=summary),
            by="officer.one",
            at=at,
            now=STORE_CREATED,
        )  # fmt: skip


@sqlite_only
def test_find_reads_the_sqlite_index_in_its_own_order_never_sorting_every_match(
    unit: UnitFactory, store_url: str
) -> None:
    """The statements `find` runs, captured and explained: the first reads the index's keys in
    the index's own order, up to a limit, with no sort of its own (that would read every
    match); the second reads the cases it lists by their ids."""
    from complaintctl.domain.search import SearchText

    for n in range(3):
        _log(unit, f"Ann Smith{n}", "Boiler broke", STORE_CREATED - timedelta(days=n))
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if "case_search" in sql or "complaint.id IN" in sql:
            statements.append((sql, params))

    with unit(write=False) as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            found = listings.find(uow, SearchText.parse("boiler"), 2)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    statements = [(sql, params) for sql, params in statements if "sqlite_master" not in sql]
    with sqlite3.connect(store_url) as raw:
        plans = [
            [
                " ".join(row[-1].split()[:3])
                for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            ]
            for sql, params in statements
        ]
    assert (2, 3) == (len(found.rows), found.counted)
    assert [
        ["SCAN case_search VIRTUAL"],
        ["SEARCH complaint USING", "SEARCH consumer USING"],
    ] == plans, plans
    assert "LIMIT" in statements[0][0]


@sqlite_only
def test_a_case_id_too_large_for_the_search_index_is_refused(
    unit: UnitFactory, store_url: str
) -> None:
    _log(unit, "Ann Smith", "Boiler broke", STORE_CREATED)
    with sqlite3.connect(store_url) as raw:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(complaint)")]
        copied = ", ".join(
            {"id": str(2**36), "ref": "ref || '-copy'"}.get(name, name) for name in columns
        )
        with pytest.raises(sqlite3.IntegrityError, match="too large for the search index"):
            raw.execute(
                f"INSERT INTO complaint ({', '.join(columns)}) SELECT {copied} FROM complaint"
            )


def _recorded_then_undone(uow: UnitOfWork, at: datetime) -> None:
    with uow.savepoint():
        uow.record(None, "test", by="t", at=at, now=at, n=1)
        uow.flush()
        raise RuntimeError("undone")


@pytest.mark.parametrize("sealed_before", [False, True], ids=["first", "after-another"])
def test_entries_undone_by_a_savepoint_leave_the_chain_as_it_was(
    unit: UnitFactory, sealed_before: bool
) -> None:
    from complaintctl.services.verify import verify_history

    at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    with unit() as uow:
        if sealed_before:
            uow.record(None, "test", by="t", at=at, now=at, n=0)
        with pytest.raises(RuntimeError, match="undone"):
            _recorded_then_undone(uow, at)
        uow.record(None, "test", by="t", at=at, now=at, n=2)
        uow.commit()
    with unit(write=False) as uow:
        view = verify_history(uow)
        stored = uow.session.exec(
            select(Event.details).where(Event.action == "test").order_by(Event.id)  # type: ignore[call-overload]
        ).all()
    assert (True, [*(['{"n": 0}'] if sealed_before else []), '{"n": 2}']) == (
        view.intact,
        [row[0] for row in stored],
    )


def test_a_store_in_a_folder_that_cannot_be_written_says_sqlite_writes_its_journal_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading a store in WAL mode still writes its -wal and -shm files beside it: a folder
    # its user may not write leaves SQLite "unable to open database file", even to read.
    store = tmp_path / "store.sqlite3"
    store.write_bytes(b"x")
    real_access = os.access
    monkeypatch.setattr(
        "complaintctl.store.db.os.access",
        lambda path, mode: False if Path(path) == tmp_path else real_access(path, mode),
    )

    err = store_error(
        sqlite3.OperationalError("unable to open database file"), resolve_url(str(store))
    )

    assert (
        f"cannot open the store {store}: SQLite writes its journal files (store.sqlite3-wal "
        f"and store.sqlite3-shm) beside the store, even to read it, and the folder {tmp_path} "
        "may not be written to: let its user write that folder, or copy the store to one "
        "they may (unable to open database file)"
    ) == err.message


def test_a_store_that_cannot_be_opened_in_a_folder_that_can_be_written_says_so(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store.sqlite3"
    store.write_bytes(b"x")

    err = store_error(
        sqlite3.OperationalError("unable to open database file"), resolve_url(str(store))
    )

    assert f"cannot read and write the store {store}: unable to open database file" == err.message


@pytest.mark.parametrize("stored", ["not json", "[1]", '"text"', "null"])
def test_history_details_that_are_not_one_json_object_are_a_damaged_store(
    tmp_path: Path, stored: str
) -> None:
    """Read inside a unit of work, details changed by hand (not JSON, or JSON that is not an
    object) are said as a damaged store (exit 8), not a decoding error."""
    from complaintctl.errors import StoreDamaged
    from complaintctl.store.db import translated_errors
    from complaintctl.store.types import details_of

    url = resolve_url(str(tmp_path / "store.sqlite3"))
    with pytest.raises(StoreDamaged) as caught, translated_errors(url):
        details_of(stored)

    assert (8, True) == (caught.value.exit_code, "is damaged: " in caught.value.message)
    assert {"a": 1} == details_of('{"a": 1}')
