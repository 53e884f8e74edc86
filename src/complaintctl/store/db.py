"""Where the store is, how to open it, and turning database failures into StoreUnavailable."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import SQLModel, create_engine

from complaintctl.errors import StoreUnavailable

# How long a command waits for another writer before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 5.0
MAX_LOCK_TIMEOUT = 3600.0


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("complaintctl", appauthor=False) / "complaintctl.sqlite3"


def resolve_url(db: str | None) -> str:
    """A store given as a file path or an SQLAlchemy URL; none means the default file."""
    if db is None:
        return f"sqlite:///{default_store_path()}"
    db = db.strip()
    if not db:
        raise StoreUnavailable("--db (or COMPLAINTCTL_DB) is empty: name a file or a URL")
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().absolute()}"


def describe(url: str) -> str:
    """The store as it can be shown to a person: a path, or a URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the store's folders and an empty file readable by its owner only."""
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as err:
        raise StoreUnavailable(f"cannot create the store at {path}: {err.strerror}") from err


def lock_timeout() -> float:
    raw = os.environ.get("COMPLAINTCTL_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_LOCK_TIMEOUT:  # also refuses nan
        raise StoreUnavailable(
            f"COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to "
            f"{MAX_LOCK_TIMEOUT:.0f}, not {raw!r}"
        )
    return seconds


def open_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"{url!r} is neither a file path nor a database URL") from None
    kwargs: dict[str, Any] = {}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        if parsed.database and parsed.database != ":memory:":
            _prepare_sqlite_file(Path(parsed.database))
        kwargs["connect_args"] = {"timeout": lock_timeout()}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as err:
        raise StoreUnavailable(f"cannot open the store {describe(url)}: {err}") from None
    if sqlite:
        _use_sqlite_transactions(engine)
    return engine


def _use_sqlite_transactions(engine: Engine) -> None:
    """WAL so readers never wait for a writer; writers take the lock when they begin.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    that runs (the SQLAlchemy docs' recipe); a write unit of work begins IMMEDIATE, so two
    writers queue on the busy timeout instead of failing half-way through.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("complaintctl_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def store_error(err: SQLAlchemyError, url: str) -> StoreUnavailable:
    """Say what went wrong with the store in one line a person can act on."""
    where = describe(url)
    text = str(getattr(err, "orig", err)).strip().splitlines()[0] if str(err) else repr(err)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return StoreUnavailable(
            f"the store {where} is locked by another complaintctl or program; try again"
        )
    if "not a database" in lowered or "malformed" in lowered:
        return StoreUnavailable(f"{where} is not a complaintctl store (not an SQLite database)")
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        return StoreUnavailable(f"cannot read and write the store {where}: {text}")
    return StoreUnavailable(f"the store {where} failed: {text}")


@contextmanager
def translated_errors(url: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as err:
        raise store_error(err, url) from err
    except SQLAlchemyError as err:
        raise store_error(err, url) from err


def ensure_schema(engine: Engine, url: str, at: datetime) -> bool:
    """Create the tables and the calendar on first use; True when the store is new."""
    from complaintctl.store import models  # noqa: F401 - registers the tables

    with translated_errors(url):
        if inspect(engine).has_table("calendar_setting"):
            return False
        with engine.execution_options(complaintctl_write=True).begin() as connection:
            # Another process may have created it while this one waited for the lock.
            if inspect(connection).has_table("calendar_setting"):
                return False
            SQLModel.metadata.create_all(connection)
            from complaintctl.store.calendar import seed_calendar

            seed_calendar(connection, at)
    return True
