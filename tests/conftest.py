"""Fixtures shared by every layer: a real SQLite store in tmp_path, never a mock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from complaintctl.domain.procedure import Role
from complaintctl.store.db import ensure_schema, open_engine, resolve_url
from complaintctl.store.uow import UnitOfWork

# The store is created "today" so its bank holidays cover the years the tests use.
STORE_CREATED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

UnitFactory = Callable[..., UnitOfWork]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "complaints.sqlite3"


# The team every test store starts with: (username, name, role, area).
TEAM = [
    ("sam.senior", "Sam Senior", Role.SENIOR_COMPLAINT_EXECUTIVE, None),
    ("officer.one", "Olu One", Role.OFFICER, None),
    ("officer.two", "Oona Two", Role.OFFICER, None),
    ("officer.three", "Otto Three", Role.OFFICER, None),
    ("lee.leader", "Lee Leader", Role.LEADER, "Casework"),
    ("rita.responder", "Rita Responder", Role.OFFICER, "Casework"),
    ("ruth.responder", "Ruth Responder", Role.OFFICER, "Casework"),
    ("eve.energy", "Eve Energy", Role.OFFICER, "Energy"),
    ("lena.leader", "Lena Leader", Role.LEADER, "Energy"),
    ("hana.handler", "Hana Handler", Role.SENIOR_LEADER, None),
]


def seed_team(unit: UnitFactory) -> None:
    from complaintctl.services import add_staff

    for username, name, role, area in TEAM:
        with unit() as uow:
            add_staff(
                uow,
                username=username,
                name=name,
                role=role,
                area=area,
                by="sam.senior",
                at=STORE_CREATED,
                now=STORE_CREATED,
            )


@pytest.fixture
def empty_unit(db_path: Path) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store file with no staff yet."""
    url = resolve_url(str(db_path))
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write)

    yield factory
    engine.dispose()


@pytest.fixture
def unit(empty_unit: UnitFactory) -> UnitFactory:
    """`unit(write=True)`: a unit of work on a fresh store file, with TEAM as its staff."""
    seed_team(empty_unit)
    return empty_unit
