"""What shell completion offers from the store: one small query for each word completed.

Completion runs on every Tab, so it reads the fewest columns with SQLAlchemy Core alone (the
models would import SQLModel, twice the start-up), never makes a store (an SQLite file is
opened read-only), waits a moment at most for a lock or a server, and offers nothing from a
store at another schema revision: that check is part of the one query (a store without the
revision table fails it, and the caller offers nothing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, exists, select, table

from complaintctl.domain.procedure import Stage
from complaintctl.store.db import missing_sqlite_file, open_read_only
from complaintctl.store.schema import SCHEMA_REVISION, VERSION_TABLE

# How long completion waits for a locked store or a server before offering nothing (seconds).
WAIT = 0.5

# The columns completion reads, by name (store/models.py; a store test holds them equal).
_case = table("complaint", column("id"), column("ref"), column("stage"), column("received_at"))
_staff = table("staff", column("username"), column("area"), column("active"))
_version = table(VERSION_TABLE, column("version_num"))

# A case still in the procedure (services/reads.OPEN_STAGES: what the queue lists).
_ENDED = (Stage.CLOSED.value, Stage.ASSESSED.value)


def open_case_refs(url: str, prefix: str, limit: int) -> list[str]:
    """References of open cases starting with `prefix`, the most recently received first."""
    return _case_refs(url, prefix, limit, _case.c.stage.not_in(_ENDED))


def closed_case_refs(url: str, prefix: str, limit: int) -> list[str]:
    """References of closed cases (what reopen takes) starting with `prefix`, the most
    recently received first."""
    return _case_refs(url, prefix, limit, _case.c.stage == Stage.CLOSED.value)


def _case_refs(url: str, prefix: str, limit: int, stage: ColumnElement[bool]) -> list[str]:
    return _read(
        url,
        select(_case.c.ref)
        .where(stage, _case.c.ref.startswith(prefix, autoescape=True))
        .order_by(_case.c.received_at.desc(), _case.c.id.desc()),
        limit,
    )


def usernames(url: str, prefix: str, limit: int, *, active: bool = True) -> list[str]:
    """Usernames of active (or, with `active=False`, removed) staff starting with `prefix`."""
    return _read(
        url,
        select(_staff.c.username)
        .where(
            _staff.c.active.is_(True) if active else _staff.c.active.is_(False),
            _staff.c.username.startswith(prefix, autoescape=True),
        )
        .order_by(_staff.c.username),
        limit,
    )


def staff_areas(url: str, prefix: str, limit: int) -> list[str]:
    """The areas active staff work in, starting with `prefix`."""
    return _read(
        url,
        select(_staff.c.area)
        .distinct()
        .where(_staff.c.active.is_(True), _staff.c.area.startswith(prefix, autoescape=True))
        .order_by(_staff.c.area),
        limit,
    )


def _read(url: str, query: Select[Any], limit: int) -> list[str]:
    """The query's first `limit` values on a store at this program's revision; nothing where
    there is no store. Any failure of the store is the caller's to swallow."""
    if missing_sqlite_file(url) is not None:
        return []
    engine = open_read_only(url, wait=WAIT)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query.where(_current()).limit(limit)).scalars()
            return [value for value in rows if isinstance(value, str) and value]
    finally:
        engine.dispose()


def _current() -> ColumnElement[bool]:
    return exists().where(_version.c.version_num == SCHEMA_REVISION)
