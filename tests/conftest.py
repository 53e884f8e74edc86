"""Fixtures shared by every layer: a real SQLite store in tmp_path, never a mock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from complaintctl.store.db import ensure_schema, open_engine, resolve_url
from complaintctl.store.uow import UnitOfWork

# The store is created "today" so its bank holidays cover the years the tests use.
STORE_CREATED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

UnitFactory = Callable[..., UnitOfWork]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "complaints.sqlite3"


@pytest.fixture
def unit(db_path: Path) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store file."""
    url = resolve_url(str(db_path))
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write)

    yield factory
    engine.dispose()
