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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, select
from sqlalchemy.engine import Connection, Engine

from complaintctl.errors import InvalidInput, StoreUnavailable
from complaintctl.store.db import describe

# Every revision this program knows, oldest first; the last is the one it runs on.
REVISIONS = ("0001", "0002")
SCHEMA_REVISION = REVISIONS[-1]
# complaintctl 0.1.0 made its tables without Alembic: such a store is at the first revision.
FIRST_RELEASE = REVISIONS[0]

# Alembic's own bookkeeping table, as Alembic makes it, so a new store needs no Alembic import.
_versions = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


@dataclass(frozen=True)
class SchemaStatus:
    store: str  # the store as shown to a person
    backend: str  # sqlite or postgresql
    revision: str | None  # None: nothing there yet
    program_revision: str = SCHEMA_REVISION

    @property
    def state(self) -> str:
        if self.revision is None:
            return "empty"
        if self.revision == self.program_revision:
            return "current"
        if self.revision in REVISIONS:
            return "needs-upgrade"
        return "newer-than-program"


def stored_revision(connection: Connection) -> str | None:
    """The store's revision: None for an empty store, FIRST_RELEASE for a 0.1.0 store."""
    found = inspect(connection)
    if found.has_table("alembic_version"):
        return connection.execute(select(_versions.c.version_num)).scalar_one_or_none()
    if found.has_table("calendar_setting"):
        return FIRST_RELEASE
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


def create_schema(connection: Connection, at: datetime) -> None:
    """Make every table at the newest revision, with the working calendar."""
    from sqlmodel import SQLModel

    from complaintctl.store import models  # noqa: F401 - registers the tables
    from complaintctl.store.calendar import seed_calendar

    SQLModel.metadata.create_all(connection)
    _versions.create(connection)
    connection.execute(_versions.insert().values(version_num=SCHEMA_REVISION))
    seed_calendar(connection, at)


def upgrade(engine: Engine, at: datetime, *, by: str) -> tuple[str | None, str]:
    """Bring the store to SCHEMA_REVISION in one transaction: (revision before, after).

    Holds the write lock throughout, so no command writes while the schema changes, and a
    failed step leaves the store as it was (SQLite and PostgreSQL both roll back DDL). The
    upgrade is recorded in the history, by whom and when.
    """
    with engine.execution_options(complaintctl_write=True).begin() as connection:
        before = stored_revision(connection)
        if before is None:
            create_schema(connection, at)
            return None, SCHEMA_REVISION
        if before not in REVISIONS:
            require_current(before, describe_connection(connection))
        if before == SCHEMA_REVISION:
            return before, before
        _run_migrations(connection, before)
        after = stored_revision(connection)
        assert after == SCHEMA_REVISION, f"the migrations stopped at {after}"
        _record_upgrade(connection, before, after, by=by, at=at)
        return before, after


def _record_upgrade(
    connection: Connection, before: str, after: str, *, by: str, at: datetime
) -> None:
    from complaintctl.store.models import Event

    details = json.dumps({"from": before, "to": after}, sort_keys=True)
    connection.execute(
        Event.__table__.insert().values(  # type: ignore[attr-defined]
            case_id=None, action="upgrade-schema", actor=by, at=at, recorded_at=at, details=details
        )
    )


def _run_migrations(connection: Connection, before: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    if not inspect(connection).has_table("alembic_version"):
        command.stamp(config, before)  # a 0.1.0 store: mark where it stands first
    command.upgrade(config, SCHEMA_REVISION)


def describe_connection(connection: Connection) -> str:
    return describe(connection.engine.url.render_as_string(hide_password=False))


def status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        revision = stored_revision(connection)
        return SchemaStatus(
            store=describe_connection(connection),
            backend=engine.url.get_backend_name(),
            revision=revision,
        )


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of an SQLite store at `target`, taken while others keep working.

    SQLite's online backup copies a snapshot page by page; it is written to a temporary file
    beside the target and renamed into place, so `target` is never half-written.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise InvalidInput(
            "db backup copies SQLite stores; back up a PostgreSQL store with pg_dump "
            "(README: Backups)"
        )
    source_path = Path(url.database or "")
    target = target.expanduser().absolute()
    if target.exists():
        raise InvalidInput(f"{target} exists already: name a new file")
    if target == source_path:
        raise InvalidInput("the backup must be a different file from the store")
    if not target.parent.is_dir():
        raise InvalidInput(f"no folder {target.parent} to write the backup in")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        with engine.connect() as connection:
            source = connection.connection.dbapi_connection
            assert isinstance(source, sqlite3.Connection)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        os.replace(partial, target)
    except OSError as err:
        raise StoreUnavailable(f"cannot write the backup {target}: {err.strerror}") from None
    finally:
        if partial.exists():
            partial.unlink()
