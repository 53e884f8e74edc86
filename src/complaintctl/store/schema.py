"""The store's schema revision: made at the newest, checked by every command, upgraded by Alembic.

The migrations live in store/migrations (shipped in the package). A new store is made straight
from the models at the newest revision: a test holds that to be the schema the migrations give.
Ordinary commands only read the revision (one small query); Alembic is imported by `db upgrade`
alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from complaintctl.domain.procedure import Action
from complaintctl.errors import InvalidInput, OutputFailed, StoreUnavailable
from complaintctl.store.db import (
    ForeignTables,
    UnreadableRevision,
    damaged,
    describe,
    no_store,
    translated_errors,
)

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork

# Every revision this program knows, oldest first; the last is the one it runs on.
REVISIONS = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
    "0012", "0013",
)  # fmt: skip
SCHEMA_REVISION = REVISIONS[-1]
# complaintctl 0.1.0 made its tables without Alembic: such a store is at the first revision.
FIRST_RELEASE = REVISIONS[0]

# Alembic's bookkeeping table, under a name of our own (a PostgreSQL schema may hold another
# application's alembic_version), made as Alembic makes it so a new store needs no Alembic.
VERSION_TABLE = "complaintctl_schema"
_versions = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)


@dataclass(frozen=True)
class SchemaStatus:
    store: str  # the store as shown to a person
    backend: str  # sqlite or postgresql
    revision: str | None  # None: nothing there yet
    program_revision: str = SCHEMA_REVISION
    damage: str | None = None  # what is wrong with a damaged store
    # Whether its kept facts were made by this program's version of them (store/facts.py):
    # where not, `db upgrade` makes them again, at the same revision; unless a newer
    # complaintctl made them (`facts_newer`), which this one refuses to use.
    facts_current: bool = True
    facts_newer: bool = False

    @property
    def state(self) -> str:
        if self.damage is not None:
            return "damaged"
        if self.revision is None:
            return "empty"
        if self.revision == self.program_revision:
            if self.facts_newer:
                return "newer-than-program"
            return "current" if self.facts_current else "needs-upgrade"
        if self.revision in REVISIONS:
            return "needs-upgrade"
        return "newer-than-program"


def stored_revision(connection: Connection) -> str | None:
    """The store's revision: None for an empty store, FIRST_RELEASE for a 0.1.0 store."""
    found = inspect(connection)
    if found.has_table(VERSION_TABLE):
        revisions = connection.execute(select(_versions.c.version_num)).scalars().all()
        if len(revisions) == 1 and isinstance(revisions[0], str):
            return revisions[0]
        # Complaintctl writes one revision with the tables, in one transaction: anything else
        # was changed behind its back, and the tables cannot be trusted to be that revision's.
        if not revisions:
            raise UnreadableRevision("it records no schema revision")
        if len(revisions) > 1:
            raise UnreadableRevision(f"it records {len(revisions)} schema revisions, not one")
        raise UnreadableRevision(f"its schema revision is not one ({revisions[0]!r:.40})")
    if found.has_table("calendar_setting"):
        return FIRST_RELEASE
    others = sorted(found.get_table_names())
    if {"complaint", "consumer", "event"} <= set(others):
        # complaintctl's own tables, their record of the revision gone: a damaged store.
        raise UnreadableRevision("its tables are there, but not its record of their revision")
    if others:
        # Not a store to make complaintctl's tables beside (one of theirs may share a name).
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise ForeignTables(shown)
    return None


def require_current(revision: str, where: str) -> None:
    """Refuse a store this program cannot safely read or write."""
    if revision == SCHEMA_REVISION:
        return
    if revision in REVISIONS:
        raise StoreUnavailable(
            f"the store {where} has schema revision {revision}, older than this complaintctl's "
            f"{SCHEMA_REVISION}: back it up, then run `complaintctl db upgrade`"
        )
    raise StoreUnavailable(
        f"the store {where} has schema revision {revision}, newer than this complaintctl knows "
        f"(it knows up to {SCHEMA_REVISION}): upgrade complaintctl to use it"
    )


def ensure_schema(engine: Engine, url: str, at: datetime) -> bool:
    """Make the store on first use, or check it is at this program's schema revision.

    True when the store is new. A store at an older or newer revision is refused with what to
    do (`complaintctl db upgrade`, or a newer complaintctl).
    """
    with translated_errors(url):
        with engine.connect() as connection:
            revision = stored_revision(connection)
        if revision is None:
            with engine.execution_options(complaintctl_write=True).begin() as connection:
                # Another process may have made it while this one waited for the lock.
                revision = stored_revision(connection)
                if revision is None:
                    create_schema(connection, at)
                    return True
        require_current(revision, describe(url))
    return False


def check_schema(engine: Engine, url: str, *, may_create: bool) -> bool:
    """Check the store before a command uses it: True when it is at this program's revision,
    False when it has no tables yet, which only a writing command may create (it makes them in
    its own transaction, UnitOfWork's `create_at`). A reader is refused where there is no store,
    and every command where the revision is another."""
    with translated_errors(url):
        with engine.connect() as connection:
            revision = stored_revision(connection)
    if revision is None:
        if not may_create:
            raise no_store(describe(url))
        return False
    require_current(revision, describe(url))
    return True


def create_schema(connection: Connection, at: datetime) -> None:
    """Make every table at the newest revision, with the working calendar."""
    from sqlmodel import SQLModel

    from complaintctl.store import models  # noqa: F401 - registers the tables
    from complaintctl.store.calendar import seed_calendar
    from complaintctl.store.chain import create_head
    from complaintctl.store.search import create_search_index

    with _made_by_an_owner(connection):
        SQLModel.metadata.create_all(connection)
    create_search_index(connection)
    create_head(connection)
    _versions.create(connection)
    connection.execute(_versions.insert().values(version_num=SCHEMA_REVISION))
    seed_calendar(connection, at)
    seed_causes(connection, at)
    facts_made(connection, at)


@contextmanager
def _made_by_an_owner(connection: Connection) -> Iterator[None]:
    """A PostgreSQL role that may not create tables in the schema (an officer's role, on a
    PostgreSQL 15+ database whose public schema no longer grants CREATE) is told who makes the
    store, not that it lacks a grant the least-privilege grants never give it."""
    if connection.dialect.name != "postgresql":
        yield
        return
    role, schema = connection.exec_driver_sql("SELECT current_user, current_schema()").one()
    try:
        yield
    except DBAPIError as err:
        if "permission denied for schema" not in str(err.orig):
            raise
        raise StoreUnavailable(
            f"database role {role} may not make the store's tables in "
            f"{describe_connection(connection)} (no CREATE on schema {schema}): the store is "
            "made by the role that owns the database, or one granted CREATE on its schema "
            '(README: "Team use"); run `complaintctl db init` as that role'
        ) from err


def seed_causes(connection: Connection, at: datetime) -> None:
    """The list of causes a new store starts with (revision 0007 writes the same)."""
    from complaintctl.domain.policy import DEFAULT_CAUSES
    from complaintctl.store.models import Cause

    connection.execute(
        Cause.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"name": name, "words": words, "added_by": "complaintctl", "added_at": at}
            for name, words in DEFAULT_CAUSES
        ],
    )


@dataclass(frozen=True)
class Upgraded:
    """What `upgrade` did: the revision before (None: it made the store) and after, and how
    many cases' kept facts it made again (None: they were this program's already)."""

    before: str | None
    after: str
    facts_made: int | None = None


def upgrade(
    engine: Engine,
    at: datetime,
    *,
    by: str,
    origin: tuple[str, str] | None = None,
    acting: Callable[[UnitOfWork], str] | None = None,
    remake_facts: bool = False,
) -> Upgraded:
    """Bring the store to SCHEMA_REVISION, and its kept facts to this program's, in one
    transaction (`remake_facts`: every case's made again, even where this program made them:
    after `db verify` names a case whose kept facts were changed by hand).

    Holds the write lock throughout, so no command writes while the schema changes, and a
    failed step leaves the store as it was (SQLite and PostgreSQL both roll back DDL). Once
    the migrations are done, every case's kept facts are made again where the store's were
    made by another version of them (`facts_current`), a store already at this revision too:
    a new complaintctl whose replay counts otherwise is installed, then `db upgrade` run. The
    upgrade is recorded in the history, by whom and when: `by`, or whom `acting` says acts
    (asked in the upgrade's transaction once the store is at this revision: it may refuse
    them, and then nothing is changed). A store at this revision already, its facts this
    program's, is left without waiting for the lock (a script's `db upgrade` while someone
    writes).
    """
    with engine.connect() as connection:
        found = stored_revision(connection)
        if found == SCHEMA_REVISION and facts_current(connection) and not remake_facts:
            return Upgraded(found, found)
    with engine.execution_options(complaintctl_write=True).connect() as connection:
        with _foreign_keys_checked_at_the_end(connection), connection.begin():
            before = stored_revision(connection)
            if before is None:
                create_schema(connection, at)
                return Upgraded(None, SCHEMA_REVISION)
            if before not in REVISIONS:
                require_current(before, describe_connection(connection))
            if before == SCHEMA_REVISION and facts_current(connection) and not remake_facts:
                return Upgraded(before, before)
            broken_before = _broken_references(connection)
            if before != SCHEMA_REVISION:
                _run_migrations(connection, before, at)
            after = stored_revision(connection)
            assert after == SCHEMA_REVISION, f"the migrations stopped at {after}"
            _check_references(connection, broken_before)
            if acting is not None:
                from complaintctl.store.uow import UnitOfWork

                with UnitOfWork.reading_within(connection, origin) as uow:
                    by = acting(uow)
            from complaintctl.store import facts

            if facts.made_by_newer(facts.stored_version(connection)):
                raise StoreUnavailable(facts.NEWER)
            remade = remake_facts or not facts_current(connection)
            made = facts_made(connection, at, by=by) if remade else None
            _record_upgrade(
                connection, before, after, by=by, at=at, origin=origin, facts=made is not None
            )
            return Upgraded(before, after, made)


def facts_current(connection: Connection) -> bool:
    """Whether the store's kept facts were made by this program's version of them
    (store/facts.py, VERSION)."""
    from complaintctl.store import facts

    return facts.stored_version(connection) == facts.VERSION


def facts_made(connection: Connection, at: datetime, *, by: str = "complaintctl") -> int:
    """Every case's kept facts made again by this program, and noted as its version's; how
    many cases."""
    from complaintctl.store import facts

    return facts.refill(connection, by=by, at=at)


@contextmanager
def _foreign_keys_checked_at_the_end(connection: Connection) -> Iterator[None]:
    """On SQLite, let a migration rebuild a table that others refer to.

    SQLite alters most of a table by copying it (Alembic's batch mode); with foreign keys
    enforced, dropping the old copy fails once rows refer to it. Enforcement can only be
    switched outside a transaction, so it is off for the upgrade, and every reference is
    checked before the upgrade commits.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _broken_references(connection: Connection) -> set[tuple[Any, ...]]:
    """Rows referring to one that is not there (SQLite only: PostgreSQL enforces them)."""
    if connection.dialect.name != "sqlite":
        return set()
    return {tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")}


def _check_references(connection: Connection, broken_before: set[tuple[Any, ...]]) -> None:
    """Refuse an upgrade that would leave a row referring to one that is not there (a store
    that had such rows already keeps them: the upgrade is not the place to mend them)."""
    broken = sorted(_broken_references(connection) - broken_before, key=repr)
    if broken:
        table, rowid, parent, _ = broken[0]
        raise StoreUnavailable(
            f"the upgrade would leave {len(broken)} rows referring to missing ones (the first: "
            f"{table} row {rowid}, to {parent}); nothing was changed"
        )


def _record_upgrade(
    connection: Connection,
    before: str,
    after: str,
    *,
    by: str,
    at: datetime,
    origin: tuple[str, str] | None,
    facts: bool = False,
) -> None:
    from complaintctl.store import facts as kept
    from complaintctl.store.chain import Sealer
    from complaintctl.store.models import Event

    # `facts`: the version of the kept facts the upgrade made every case's again by.
    upgraded: dict[str, Any] = {"from": before, "to": after}
    if facts:
        upgraded["facts"] = kept.VERSION
    details = json.dumps(upgraded, sort_keys=True)
    login, host = origin or (None, None)
    entry = {
        "case_id": None,
        "action": Action.SCHEMA_UPGRADED.value,
        "actor": by,
        "at": at,
        "recorded_at": at,
        "details": details,
        "login": login,
        "host": host,
    }
    sealer = Sealer(connection)
    entry_id, sealed, salts = sealer.seal(entry)
    connection.execute(
        Event.__table__.insert().values(  # type: ignore[attr-defined]
            id=entry_id, digest=sealed.digest, chain=sealed.chain, salts=salts, **entry
        )
    )
    sealer.save()


def _run_migrations(connection: Connection, before: str, at: datetime) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    config.attributes["at"] = at  # the upgrade's moment, for the rows a revision writes
    if not inspect(connection).has_table(VERSION_TABLE):
        command.stamp(config, before)  # a 0.1.0 store: mark where it stands first
    command.upgrade(config, SCHEMA_REVISION)


def describe_connection(connection: Connection) -> str:
    return describe(connection.engine.url.render_as_string(hide_password=False))


def status(engine: Engine, store: str) -> SchemaStatus:
    """Where `store` (as shown to a person) stands; `engine` may be a read-only one."""
    from complaintctl.store import facts

    backend = engine.url.get_backend_name()
    with engine.connect() as connection:
        revision = stored_revision(connection)
        if backend == "sqlite" and revision == SCHEMA_REVISION:
            _require_every_table(connection, store)
        made_by = facts.stored_version(connection) if revision == SCHEMA_REVISION else None
    return SchemaStatus(
        store=store,
        backend=backend,
        revision=revision,
        facts_current=revision != SCHEMA_REVISION or made_by == facts.VERSION,
        facts_newer=facts.made_by_newer(made_by),
    )


def _require_every_table(connection: Connection, store: str) -> None:
    """Refuse as damaged an SQLite store lacking a table or column of its revision (changed by
    hand), as every other command does when it reaches what is missing."""
    from sqlmodel import SQLModel

    from complaintctl.store import models  # noqa: F401 - registers the tables

    found = inspect(connection)
    tables = set(found.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in tables:
            raise damaged(store, f"no such table: {table.name}")
        columns = {column["name"] for column in found.get_columns(table.name)}
        for column in table.columns:
            if column.name not in columns:
                raise damaged(store, f"no such column: {table.name}.{column.name}")


def backup(engine: Engine, target: Path, *, protected: list[Path]) -> Path:
    """A consistent copy of an SQLite store at `target` (which must be new), taken while others
    keep working; where it was written.

    SQLite's online backup copies a snapshot (a writer part-way through is not in it) into a
    new file beside the target (files.NewFile: 0600, a name no one can guess), synced, then
    linked into place: `target` is never half-written, and a file that appears there meanwhile
    is never overwritten.
    """
    from complaintctl.files import NewFile, check_destination

    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise InvalidInput(
            "db backup copies SQLite stores; back up a PostgreSQL store with "
            "pg_dump --format=custom --file=FILE and the store's URL without +psycopg"
        )
    with engine.connect() as connection:
        # A database with none of complaintctl's tables (another program's, or none at all) is
        # no store, here as for every command; one at another revision is copied as it is
        # (back it up, then upgrade it), and so is one whose record of it cannot be read.
        try:
            revision: str | None = stored_revision(connection)
        except UnreadableRevision:
            revision = "unreadable"
    if revision is None:
        raise no_store(str(url.database))
    target = check_destination(target, force=None, protected=protected, streams=False)
    new = NewFile(target)
    try:
        with engine.connect() as connection:
            source = connection.connection.dbapi_connection
            assert isinstance(source, sqlite3.Connection)
            copy = sqlite3.connect(new.hand_over())
            try:
                source.backup(copy)
            finally:
                copy.close()
        new.place(replace=False)
    except sqlite3.Error as err:
        if _writing_failed(err):  # the copy's disk or file, not the store (exit 12)
            raise OutputFailed(f"cannot write the backup {target}: {err}") from None
        raise StoreUnavailable(f"cannot back up the store {url.database}: {err}") from None
    except OSError as err:
        raise OutputFailed(f"cannot write the backup {target}: {err.strerror}") from None
    finally:
        new.discard()
    return target


def _writing_failed(err: sqlite3.Error) -> bool:
    """Whether SQLite's online backup failed writing the copy (a full disk, a file grown past
    its limit, one it could not open or may not write), which it only reads the store for."""
    name = getattr(err, "sqlite_errorname", "")
    return name in ("SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PERM") or name.startswith(
        ("SQLITE_READONLY", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE")
    )


def _sync(path: Path) -> None:
    """Make sure a file (or a folder's entries) is on disk, not just in the page cache."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
