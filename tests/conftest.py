"""Fixtures shared by every layer: a real store, never a mock.

The store is an SQLite file in tmp_path, or, when COMPLAINTCTL_TEST_DB names a PostgreSQL URL,
a fresh schema of its own on that server (dropped afterwards). `.ci/run` runs the suite both ways;
on PostgreSQL it leaves out the tests that never reach the server (see
pytest_collection_modifyitems).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

import freezegun
import pytest
from sqlalchemy import create_engine, text

from complaintctl.domain.procedure import Role
from complaintctl.store.db import WRITE_LOCK_CLASS, open_engine, resolve_url
from complaintctl.store.schema import ensure_schema
from complaintctl.store.uow import UnitOfWork

# A frozen clock is for the code under test: pytest's own timer keeps real time, so
# `--durations` reports seconds, not the years between the frozen date and now.
freezegun.configure(extend_ignore_list=["_pytest"])

# The store is created "today" so its bank holidays cover the years the tests use.
STORE_CREATED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

UnitFactory = Callable[..., UnitOfWork]


# The PostgreSQL server the suite runs against, if any (a SQLAlchemy URL, postgresql+psycopg://…).
TEST_DB = os.environ.get("COMPLAINTCTL_TEST_DB", "").strip()
POSTGRES = TEST_DB.startswith("postgresql")
if TEST_DB and not POSTGRES:
    raise pytest.UsageError(
        f"COMPLAINTCTL_TEST_DB must be a postgresql+psycopg:// URL, not {TEST_DB!r}"
    )

# The fuzz and property tests run a few examples in the quick run and many in .ci/run, which
# sets COMPLAINTCTL_LONG_PROPERTIES=1 and runs them (marked `properties`) again.
LONG_PROPERTIES = os.environ.get("COMPLAINTCTL_LONG_PROPERTIES", "") == "1"


def examples(quick: int, long: int) -> int:
    """How many examples a fuzz or property test tries in this run."""
    return long if LONG_PROPERTIES else quick


# What reaches the server: a test using one of these fixtures, or any test of a module naming
# one of these (it branches on the backend, or makes its own store on the server).
STORE_FIXTURES = frozenset({"store_url", "new_store", "unit", "empty_unit"})
SERVER_NAMES = ("TEST_DB", "POSTGRES", "schema_url", "postgres_only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out the tests that never reach the server (the pure core, the
    live view on its SQLite demo store, stores made by hand in tmp_path): they would run
    exactly as the SQLite run ran them. Reported as deselected."""
    if not POSTGRES:
        return
    kept, left = [], []
    for item in items:
        module = getattr(getattr(item, "module", None), "__dict__", {})
        uses_store = STORE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses_store or any(name in module for name in SERVER_NAMES):
            kept.append(item)
        else:
            left.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


sqlite_only = pytest.mark.skipif(
    POSTGRES, reason="about the SQLite store file itself; the suite is running on PostgreSQL"
)
postgres_only = pytest.mark.skipif(
    not POSTGRES,
    reason="needs a PostgreSQL server: set COMPLAINTCTL_TEST_DB=postgresql+psycopg://… "
    "(.ci/run starts one)",
)

# The PostgreSQL driver comes with the `postgres` extra, which the README's test command does
# not install (.ci/run does).
needs_postgres_driver = pytest.mark.skipif(
    importlib.util.find_spec("psycopg") is None,
    reason="needs the PostgreSQL driver: pip install -e '.[test,postgres]'",
)


def schema_url(schema: str) -> str:
    """The test server's URL with `schema` as the only schema its connections see."""
    separator = "&" if "?" in TEST_DB else "?"
    return f"{TEST_DB}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notes of files being written (complaintctl.files) go to the test's own folder, and
    the config file read is the test's own, in the default place under the test's own user
    config folder (tmp_path/config/complaintctl/config.toml: none, unless a test writes one):
    never the config of whoever runs the tests, nor one COMPLAINTCTL_CONFIG names."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("COMPLAINTCTL_CONFIG", raising=False)


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """`new_store("name")`: where a new, empty store can be made (a file, or a fresh schema)."""
    if not POSTGRES:

        def in_folder(name: str) -> str:
            (tmp_path / name).mkdir(exist_ok=True)
            return str(tmp_path / name / "complaints.sqlite3")

        yield in_folder
        return
    admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make(name: str) -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        made.append(schema)
        return schema_url(schema)

    yield make
    with admin.connect() as connection:
        for schema in made:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def store_url(new_store: Callable[[str], str]) -> str:
    """The test's store: an SQLite file path, or a PostgreSQL URL."""
    return new_store("store")


def dump_store(url: str) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table, in a stable order: to show that nothing was written.

    Rows as the driver gives them, table by table: comparing two dumps needs no more, and
    reflecting each table's columns would cost more than the test itself."""
    from sqlalchemy import inspect

    from complaintctl.store.db import resolve_url

    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return [
                (name, tuple(row))
                for name in sorted(inspect(connection).get_table_names())
                for row in sorted(
                    connection.exec_driver_sql(f'SELECT * FROM "{name}"').all(),
                    key=lambda row: repr(tuple(row)),
                )
            ]
    finally:
        engine.dispose()


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
    """Add TEAM in one transaction, as ten `staff add` commands would."""
    from complaintctl.services import add_staff

    with unit() as uow, uow.holding_commits():
        for username, name, role, area in TEAM:
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
        uow.commit_held()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """SQLite stores made once per run, each test starting from a copy: "empty" (the schema and
    its calendar) and "team" (with TEAM as staff). Making them costs more than most tests."""
    folder = tmp_path_factory.mktemp("templates")
    templates = {"empty": folder / "empty.sqlite3", "team": folder / "team.sqlite3"}
    if POSTGRES:
        return templates  # each test makes its own schema
    for name, path in templates.items():
        url = resolve_url(str(path))
        engine = open_engine(url)
        ensure_schema(engine, url, STORE_CREATED)
        if name == "team":
            seed_team(partial(UnitOfWork, engine, url, write=True))
        engine.dispose()  # the last connection closing folds the WAL into the file
    return templates


def _units(store_url: str, template: Path, *, team: bool) -> Iterator[UnitFactory]:
    """Units of work on the test's own store: a copy of `template` on SQLite, a schema made
    afresh (with the team when `team`) on PostgreSQL."""
    url = resolve_url(store_url)
    if not POSTGRES:
        Path(store_url).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, store_url)
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write)

    if POSTGRES and team:
        seed_team(factory)
    yield factory
    engine.dispose()


@pytest.fixture
def empty_unit(store_url: str, store_templates: dict[str, Path]) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store with no staff yet."""
    yield from _units(store_url, store_templates["empty"], team=False)


@pytest.fixture
def unit(store_url: str, store_templates: dict[str, Path]) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store, with TEAM as its staff."""
    yield from _units(store_url, store_templates["team"], team=True)


@contextmanager
def write_lock_held(store_url: str) -> Iterator[None]:
    """Another program holds the store's write lock: on SQLite an EXCLUSIVE transaction, on
    PostgreSQL an open transaction holding the advisory lock complaintctl's writers take."""
    if not POSTGRES:
        Path(store_url).parent.mkdir(parents=True, exist_ok=True)
        other = sqlite3.connect(store_url, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            yield
        finally:
            other.rollback()
            other.close()
        return
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:kind, hashtext(current_schema()))"),
                {"kind": WRITE_LOCK_CLASS},
            )
            yield
    finally:
        engine.dispose()
