"""Fixtures shared by every layer: a real store, never a mock.

The store is an SQLite file in tmp_path, or, when COMPLAINTCTL_TEST_DB names a PostgreSQL URL,
a schema of its own on that server (dropped afterwards, or emptied and refilled as new for
the next test: PostgresStores). `.ci/run` runs the suite both ways;
on PostgreSQL it leaves out the tests that never reach the server (see
pytest_collection_modifyitems).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

import freezegun
import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import DBAPIError

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
def store_url(request: pytest.FixtureRequest, new_store: Callable[[str], str]) -> Iterator[str]:
    """The test's store: an SQLite file path, or a PostgreSQL URL (a schema of this worker's
    reused, for a test using `unit` or `empty_unit`: PostgresStores)."""
    kind = _store_kind(request) if POSTGRES else None
    if kind is None:
        yield new_store("store")
        return
    stores: PostgresStores = request.getfixturevalue("postgres_stores")
    schema = stores.take(kind)
    yield schema_url(schema)
    stores.give_back(kind, schema)


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


def _units(store_url: str, template: Path) -> Iterator[UnitFactory]:
    """Units of work on the test's own store: a copy of `template` on SQLite; on PostgreSQL
    the schema `store_url` took, holding the team already when `team`."""
    url = resolve_url(store_url)
    if not POSTGRES:
        Path(store_url).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, store_url)
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True, snapshot: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write, snapshot=snapshot)

    yield factory
    engine.dispose()


@pytest.fixture
def empty_unit(store_url: str, store_templates: dict[str, Path]) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store with no staff yet."""
    yield from _units(store_url, store_templates["empty"])


@pytest.fixture
def unit(store_url: str, store_templates: dict[str, Path]) -> Iterator[UnitFactory]:
    """`unit(write=True)`: a unit of work on a fresh store, with TEAM as its staff."""
    yield from _units(store_url, store_templates["team"])


# -- PostgreSQL: test stores made once per worker and reset between tests ----------------------
#
# A store's tables, indexes and triggers cost about 0.2 s of DDL to make on the server (and the
# team as much again), against a few milliseconds to copy the SQLite template. So on PostgreSQL
# a test using `unit` or `empty_unit` takes a schema a test before it used, put back as it was
# made: every table emptied and refilled from a pristine copy made once, every sequence set as
# there. A schema a test changed in shape (a migration, a grant, a trigger, a dropped index, a
# column moved) is dropped, never reused: only its rows and sequences are reset.

# The shape of a schema: its tables, columns, types, constraints, indexes, triggers, rules,
# functions and sequences, their owners and grants. Two schemas of one shape give the same
# text, once each one's own name is taken out.
_SHAPE_SQL = """
SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
  SELECT concat_ws(' ', 'schema', nspowner::regrole, nspacl) AS line
    FROM pg_namespace WHERE oid = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'relation', relname, relkind, relpersistence, relowner::regrole, relacl,
                   relrowsecurity, reloptions)
    FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'type', t.typname, t.typtype, t.typowner::regrole, t.typacl,
                   (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                      FROM pg_enum WHERE enumtypid = t.oid))
    FROM pg_type t WHERE t.typnamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'rule', r.rulename, pg_get_ruledef(r.oid))
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'column', c.relname, a.attnum, a.attname,
                   format_type(a.atttypid, a.atttypmod),
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attacl)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = CAST(:schema AS regnamespace) AND a.attnum > 0
      AND NOT a.attisdropped
  UNION ALL
  SELECT concat_ws(' ', 'constraint', conname, pg_get_constraintdef(oid), condeferrable)
    FROM pg_constraint WHERE connamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'trigger', t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = CAST(:schema AS regnamespace) AND NOT t.tgisinternal
  UNION ALL
  SELECT concat_ws(' ', 'function', p.proowner::regrole, p.proacl, pg_get_functiondef(p.oid))
    FROM pg_proc p WHERE p.pronamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'sequence', sequencename, data_type, start_value, increment_by, cycle)
    FROM pg_sequences WHERE schemaname = CAST(:schema AS name)
  UNION ALL
  SELECT concat_ws(' ', 'default privileges', defaclacl)
    FROM pg_default_acl WHERE defaclnamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT concat_ws(' ', 'policy', polname) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = CAST(:schema AS regnamespace)
) AS lines
"""


class PostgresStores:
    """This worker's test stores on the server: schemas made with the store's tables (and the
    team, for "team"), handed to a test each and reset for the next."""

    def __init__(self) -> None:
        self.admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
        self.resetter = create_engine(TEST_DB)  # one transaction for each reset
        self.pristine: dict[str, str] = {}  # kind -> a schema made afresh, never handed out
        self.shapes: dict[str, str] = {}  # kind -> the pristine schema's shape
        self.free: dict[str, list[str]] = {"empty": [], "team": []}
        self.made: list[str] = []
        self.dropped: dict[str, str] = {}  # schema -> why it was dropped, not reset

    def take(self, kind: str) -> str:
        """A schema holding a store as a fresh one of `kind` ("empty" or "team") is."""
        if kind not in self.pristine:
            self.pristine[kind] = self._made(kind)
        if self.free[kind]:
            return self.free[kind].pop()
        return self._made(kind)

    def give_back(self, kind: str, schema: str) -> None:
        """Reset `schema` for the next test, or drop it if the test changed its shape or it
        cannot be reset (why is kept in `dropped`)."""
        pristine = self.pristine[kind]
        for attempt in range(3):
            try:
                with self.admin.connect() as connection:
                    if kind not in self.shapes:
                        self.shapes[kind] = self._shape(connection, pristine)
                    if self._shape(connection, schema) != self.shapes[kind]:
                        self.dropped[schema] = "a test changed its shape"
                        break
                with self.resetter.begin() as connection:
                    self._reset(connection, schema, pristine)
                self.free[kind].append(schema)
                self.dropped.pop(schema, None)
                return
            except DBAPIError as error:
                # A lock another test left, or autovacuum's on a table the test changed (it
                # yields only after a wait): tried again, then made afresh next time.
                self.dropped[schema] = str(error.orig).splitlines()[0]
                time.sleep(0.5 * (attempt + 1))
        self._drop(schema)

    def close(self) -> None:
        for schema in list(self.made):
            self._drop(schema)
        self.admin.dispose()
        self.resetter.dispose()

    def _made(self, kind: str) -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        self.made.append(schema)
        url = resolve_url(schema_url(schema))
        engine = open_engine(url)
        ensure_schema(engine, url, STORE_CREATED)
        if kind == "team":
            seed_team(partial(UnitOfWork, engine, url, write=True))
        engine.dispose()
        return schema

    @staticmethod
    def _shape(connection: Connection, schema: str) -> str:
        shape = connection.execute(text(_SHAPE_SQL), {"schema": schema}).scalar_one()
        return (shape or "").replace(schema, "<schema>")

    @staticmethod
    def _reset(connection: Connection, schema: str, pristine: str) -> None:
        """Every table of `schema` as `pristine` holds it, every sequence where it stands."""
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"), {"schema": schema}
        ).scalars().all()  # fmt: skip
        connection.execute(text("SET LOCAL lock_timeout = '5s'"))
        # The rows are put back as they were, search index and all: no trigger runs meanwhile,
        # and no foreign key is checked (the rows were consistent when copied).
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        listed = ", ".join(f'{schema}."{table}"' for table in tables)
        connection.execute(text(f"TRUNCATE {listed}"))
        for table in tables:
            connection.execute(
                text(f'INSERT INTO {schema}."{table}" SELECT * FROM {pristine}."{table}"')
            )
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', CAST(:schema AS text), sequencename), "
                "coalesce(last_value, start_value), last_value IS NOT NULL) "
                "FROM pg_sequences WHERE schemaname = CAST(:pristine AS name)"
            ),
            {"schema": schema, "pristine": pristine},
        )
        # Nor does autovacuum count the earlier tests' changes against its tables, as it
        # would not in a schema made afresh: counting on, it analyzed a table in the middle of
        # a later test (a large import not yet committed, so no rows seen), and the planner
        # took the 20,000 rows then committed for none (`queue` ran for minutes).
        connection.execute(
            text(
                "SELECT pg_stat_reset_single_table_counters(oid) FROM pg_class "
                "WHERE relnamespace = CAST(:schema AS regnamespace)"
            ),
            {"schema": schema},
        )

    def _drop(self, schema: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if schema in self.made:
            self.made.remove(schema)
        for free in self.free.values():
            if schema in free:
                free.remove(schema)


@pytest.fixture(scope="session")
def postgres_stores() -> Iterator[PostgresStores]:
    stores = PostgresStores()
    yield stores
    stores.close()


def _store_kind(request: pytest.FixtureRequest) -> str | None:
    """The store a test's `unit` (with the team) or `empty_unit` (without) starts from."""
    if "unit" in request.fixturenames:
        return "team"
    if "empty_unit" in request.fixturenames:
        return "empty"
    return None


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
