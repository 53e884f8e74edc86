"""Schema revisions: new stores, the migrations, upgrading a 0.1.0 store intact, and `db`.

The first released schema is complaintctl 0.1.0's. tests/store/data holds a store that 0.1.0
itself made (`complaintctl demo`, commit 81dc2e4): the SQLite file as it wrote it, and every
row of it as JSON, to fill a store at revision 0001 on any backend.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

from complaintctl.cli import app
from complaintctl.errors import StoreUnavailable
from complaintctl.store import (
    facts,
    models,  # noqa: F401 - registers the tables
    schema,
    search,
)
from complaintctl.store.db import describe, open_engine, resolve_url
from tests.conftest import POSTGRES, dump_store, postgres_only, sqlite_only

DATA = Path(__file__).parent / "data"
FIRST_RELEASE_FILE = DATA / "v0.1.0-demo.sqlite3"
FIRST_RELEASE_ROWS: dict[str, Any] = json.loads((DATA / "v0.1.0-demo.json").read_text())["tables"]


def complaintctl(store: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", store, "--as", "sam.senior", *args])


@pytest.fixture
def engine_of() -> Iterator[Callable[[str], Engine]]:
    engines: list[Engine] = []

    def make(store: str) -> Engine:
        engines.append(open_engine(resolve_url(store)))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def migrate(engine: Engine, to: str, *, down: bool = False) -> None:
    """Run the shipped migrations up to revision `to`, as `db upgrade` does (or down to it)."""
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, to)


def _typed(value: Any, python_type: type) -> Any:
    """A value as 0.1.0 stored it in SQLite, as the Python value any backend takes."""
    if value is None:
        return None
    if python_type is datetime:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is bool:
        return bool(value)
    return value


def _comparable(value: Any) -> Any:
    """Instants as UTC text whichever backend read them (SQLite hands them back naive)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def first_release_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows as the store holds them now, in 0.1.0's columns, by rowid order."""
    metadata = MetaData()
    metadata.reflect(engine)
    found = {}
    with engine.connect() as connection:
        for name, stored in FIRST_RELEASE_ROWS.items():
            table = metadata.tables[name]
            columns = [table.c[column] for column in stored["columns"]]
            keys = list(table.primary_key.columns)
            rows = connection.execute(select(*columns).order_by(*keys)).all()
            found[name] = [tuple(_comparable(value) for value in row) for row in rows]
    return found


def expected_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The 0.1.0 rows, in the same comparable form, in primary key order."""
    expected = {}
    for name, stored in FIRST_RELEASE_ROWS.items():
        table = SQLModel.metadata.tables[name]
        keys = [stored["columns"].index(column.name) for column in table.primary_key.columns]
        rows = []
        for row in stored["rows"]:
            rows.append(
                tuple(
                    _comparable(_typed(value, table.c[column].type.python_type))
                    for column, value in zip(stored["columns"], row, strict=True)
                )
            )
        expected[name] = sorted(rows, key=lambda row: tuple(row[k] for k in keys))
    return expected


def fill_with_first_release(engine: Engine, at: str = schema.FIRST_RELEASE) -> None:
    """A store at revision `at` (0.1.0's, 0001, unless told) holding every row 0.1.0's demo
    store held."""
    migrate(engine, at)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            stored = FIRST_RELEASE_ROWS.get(table.name)
            if not stored:
                continue
            columns = stored["columns"]
            connection.execute(
                table.insert(),
                [
                    {
                        column: _typed(value, table.c[column].type.python_type)
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in stored["rows"]
                ],
            )
        if engine.dialect.name == "postgresql":
            # Rows copied in with their ids: move each id sequence past them, as a restore does.
            for table in metadata.sorted_tables:
                if (
                    "id" in table.c
                    and table.c.id.autoincrement
                    and FIRST_RELEASE_ROWS.get(table.name)
                ):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )


@pytest.fixture
def first_release_store(new_store: Callable[[str], str], engine_of: Callable[[str], Engine]) -> str:
    """A store made by complaintctl 0.1.0: its own file on SQLite, its rows on PostgreSQL."""
    store = new_store("first-release")
    if POSTGRES:
        fill_with_first_release(engine_of(store))
    else:
        shutil.copy(FIRST_RELEASE_FILE, store)
    return store


# -- the revisions themselves ----------------------------------------------------------------


def test_the_program_runs_on_the_newest_migration_and_knows_every_one_in_order() -> None:
    scripts = ScriptDirectory(str(Path(schema.__file__).parent / "migrations"))
    in_order = [revision.revision for revision in reversed(list(scripts.walk_revisions()))]
    assert (list(schema.REVISIONS), schema.SCHEMA_REVISION) == (
        in_order,
        scripts.get_current_head(),
    )


def test_the_migrations_give_exactly_the_schema_a_new_store_is_made_with(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    engine = engine_of(new_store("migrated"))
    migrate(engine, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "version_table": schema.VERSION_TABLE,
                # The search index is made by hand, not from the models: compared below.
                "include_name": lambda name, kind, _: not (name or "").startswith(search.TABLE),
            },
        )
        assert [] == compare_metadata(context, SQLModel.metadata)


def search_objects(engine: Engine) -> list[tuple[str, ...]]:
    """The search index's tables, triggers, functions and indexes, as the store defines them."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'case_search%' "
                "OR type = 'trigger' ORDER BY name"
            )
        else:
            rows = connection.exec_driver_sql(
                "SELECT 'trigger', trigger_name, event_manipulation, action_statement "
                "FROM information_schema.triggers WHERE trigger_schema = current_schema() "
                "UNION ALL SELECT 'function', proname, prosrc, '' FROM pg_proc p "
                "WHERE pronamespace = current_schema()::regnamespace AND NOT EXISTS "
                "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') "
                "UNION ALL SELECT 'index', indexname, "
                # The extension's schema is named or not as the search path has it.
                "regexp_replace(replace(indexdef, current_schema() || '.', ''), "
                "'\\S+\\.gin_trgm_ops', 'gin_trgm_ops'), '' FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = 'case_search' "
                "ORDER BY 1, 2, 3"
            )
        return [tuple(str(value) for value in row) for row in rows]


def test_the_migrations_give_exactly_the_search_index_a_new_store_is_made_with(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    migrated = engine_of(new_store("migrated"))
    migrate(migrated, "head")
    made = engine_of(new_store("made"))
    schema.ensure_schema(made, str(made.url), datetime(2026, 12, 4, tzinfo=UTC))
    assert search_objects(made) == search_objects(migrated)
    assert [] != search_objects(made)


def indexed(engine: Engine) -> dict[int, str]:
    """Each case's row in the search index: its document, by the case's id (from the key on
    SQLite at revision 0005, where the key also holds the day it was received)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return dict(
                connection.exec_driver_sql("SELECT case_id, document FROM case_search").all()
            )
        revision = schema.stored_revision(connection)
        rows = connection.exec_driver_sql("SELECT rowid, document FROM case_search").all()
        if revision == "0004":
            return dict(rows)
        received = dict(connection.exec_driver_sql("SELECT id, received_at FROM complaint").all())
    by_case = {search.case_id(key): document for key, document in rows}
    assert [int(received[search.case_id(key)][:10].replace("-", "")) for key, _ in rows] == [
        search.day(key) for key, _ in rows
    ]
    return by_case


def test_a_0004_store_upgrades_to_an_index_that_finds_the_same_cases_newest_first(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    store = new_store("at-0004")
    engine = engine_of(store)
    fill_with_first_release(engine, at="0004")
    before = indexed(engine)

    result = complaintctl(store, "db", "upgrade", "--as", "sam")

    where = describe(resolve_url(store))
    assert (0, f"Upgraded the store {where} from schema revision 0004 to "
               f"{schema.SCHEMA_REVISION}; made the facts kept for the report's figures again "
               "for 10 cases, as this complaintctl counts them\n") == (
        result.exit_code, result.stdout)  # fmt: skip
    assert (10, before) == (len(before), indexed(engine))
    with engine.connect() as connection:
        newest_first = list(
            connection.exec_driver_sql(
                "SELECT ref FROM complaint ORDER BY received_at DESC, id DESC"
            ).scalars()
        )

    def found(*args: str) -> list[str]:
        result = complaintctl(store, "find", *args, "--json")
        assert 0 == result.exit_code, result.output
        return [case["ref"] for case in json.loads(result.stdout)]

    # Every reference holds "SC-20".
    assert (newest_first, newest_first[:3], ["SC-2026-000003"]) == (
        found("SC-20"), found("SC-20", "--limit", "3"), found("lovelace"),
    )  # fmt: skip


def test_revision_0005_downgrades_to_exactly_the_index_0004_made(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    made_at_0004 = engine_of(new_store("made"))
    migrate(made_at_0004, "0004")
    engine = engine_of(new_store("round-trip"))
    fill_with_first_release(engine, at="0004")
    before = indexed(engine)

    migrate(engine, "head")
    migrate(engine, "0004", down=True)

    assert (search_objects(made_at_0004), before) == (search_objects(engine), indexed(engine))


def test_a_0005_store_upgrades_with_every_entry_sealed_in_id_order_and_verifies_intact(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    store = new_store("at-0005")
    engine = engine_of(store)
    fill_with_first_release(engine, at="0005")
    before = first_release_rows(engine)

    assert 0 == complaintctl(store, "db", "upgrade", "--as", "sam").exit_code
    verified = complaintctl(store, "db", "verify", "--json")

    with engine.connect() as connection:
        sealed = connection.execute(text("SELECT id, digest, chain FROM event ORDER BY id")).all()
        head = connection.execute(text("SELECT last_id, entries, chain FROM chain_head")).one()
    report = json.loads(verified.stdout)
    # The 0.1.0 entries, sealed by the upgrade, then the upgrade's own entry.
    assert (0, True, len(FIRST_RELEASE_ROWS["event"]["rows"]) + 1) == (
        verified.exit_code, report["intact"], report["entries"]
    )  # fmt: skip
    assert (sealed[-1][0], len(sealed), sealed[-1][2]) == tuple(head)
    assert all(len(digest) == len(chain) == 64 for _, digest, chain in sealed)
    # Nothing else changed.
    after = first_release_rows(engine)
    after["event"] = after["event"][: len(FIRST_RELEASE_ROWS["event"]["rows"])]
    assert before == after


def test_a_0005_store_with_details_changed_by_hand_to_json_not_an_object_is_refused_as_damaged(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    # JSON, but not the object complaintctl wrote: sealing it would fail half-way.
    store = new_store("at-0005-changed")
    engine = engine_of(store)
    fill_with_first_release(engine, at="0005")
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET details = '[1, 2]' WHERE id = 2"))
    before = dump_store(store)

    result = complaintctl(store, "db", "upgrade", "--as", "sam")

    assert (8, "") == (result.exit_code, result.stdout)
    assert result.stderr == (
        f"Error: the store at {describe(resolve_url(store))} is damaged: a history entry's "
        "details are not a JSON object; restore it from a backup\n"
    )
    assert before == dump_store(store)
    with engine.connect() as connection:
        assert "0005" == schema.stored_revision(connection)


def test_revision_0006_downgrades_to_the_history_0005_had(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    made_at_0005 = engine_of(new_store("made"))
    migrate(made_at_0005, "0005")
    engine = engine_of(new_store("round-trip"))
    fill_with_first_release(engine, at="0005")
    before = first_release_rows(engine)

    migrate(engine, "head")
    migrate(engine, "0005", down=True)

    def columns(engine: Engine) -> dict[str, list[str]]:
        found = inspect(engine)
        return {name: [c["name"] for c in found.get_columns(name)]
                for name in found.get_table_names()}  # fmt: skip

    assert (columns(made_at_0005), before) == (columns(engine), first_release_rows(engine))


def test_a_0006_store_upgrades_with_the_default_causes_and_0007_downgrades_to_its_tables(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    from complaintctl.domain.policy import DEFAULT_CAUSES

    made_at_0006 = engine_of(new_store("made"))
    migrate(made_at_0006, "0006")
    store = new_store("round-trip")
    engine = engine_of(store)
    fill_with_first_release(engine, at="0005")
    migrate(engine, "0006")
    before = first_release_rows(engine)

    assert 0 == complaintctl(store, "db", "upgrade", "--as", "sam").exit_code
    with engine.connect() as connection:
        causes = connection.execute(text("SELECT name, words FROM cause ORDER BY name")).all()
    migrate(engine, "0006", down=True)

    def columns(engine: Engine) -> dict[str, list[str]]:
        found = inspect(engine)
        return {name: [c["name"] for c in found.get_columns(name)]
                for name in found.get_table_names()}  # fmt: skip

    assert sorted(DEFAULT_CAUSES) == [tuple(row) for row in causes]
    after = first_release_rows(engine)
    after["event"] = after["event"][: len(FIRST_RELEASE_ROWS["event"]["rows"])]
    assert (columns(made_at_0006), before) == (columns(engine), after)


def test_revision_0009_downgrades_to_the_tables_and_rows_0006_had(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    made_at_0006 = engine_of(new_store("made"))
    migrate(made_at_0006, "0006")
    engine = engine_of(new_store("round-trip"))
    fill_with_first_release(engine, at="0005")  # 0006 seals the entries it finds
    migrate(engine, "0006")
    before = first_release_rows(engine)

    migrate(engine, "0009")
    migrate(engine, "0006", down=True)

    def shape(engine: Engine) -> dict[str, Any]:
        found = inspect(engine)
        return {
            name: (
                [c["name"] for c in found.get_columns(name)],
                sorted(str(index["name"]) for index in found.get_indexes(name)),
                sorted(str(fk["referred_table"]) for fk in found.get_foreign_keys(name)),
            )
            for name in found.get_table_names()
        }

    assert (shape(made_at_0006), before) == (shape(engine), first_release_rows(engine))


def test_revision_0010_binds_no_one_already_there_and_downgrades_to_the_staff_0006_had(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    made_at_0006 = engine_of(new_store("made"))
    migrate(made_at_0006, "0006")
    engine = engine_of(new_store("round-trip"))
    fill_with_first_release(engine, at="0005")
    migrate(engine, "0006")
    before = first_release_rows(engine)

    migrate(engine, "0010")
    with engine.connect() as connection:
        bound = connection.exec_driver_sql(
            "SELECT count(*) FROM staff WHERE db_role IS NOT NULL OR os_login IS NOT NULL"
        ).scalar()
        settings = connection.exec_driver_sql("SELECT count(*) FROM store_setting").scalar()
    migrate(engine, "0006", down=True)

    def columns(engine: Engine) -> dict[str, list[str]]:
        found = inspect(engine)
        return {name: [c["name"] for c in found.get_columns(name)]
                for name in found.get_table_names()}  # fmt: skip

    assert (0, 0) == (bound, settings)
    assert (columns(made_at_0006), before) == (columns(engine), first_release_rows(engine))


@sqlite_only
def test_revision_0001_is_the_schema_complaintctl_0_1_0_made(
    new_store: Callable[[str], str], engine_of: Callable[[str], Engine]
) -> None:
    def shape(engine: Engine) -> dict[str, Any]:
        found = inspect(engine)
        return {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
                sorted(
                    (i["name"], tuple(i["column_names"]), i["unique"])
                    for i in found.get_indexes(name)
                ),
                found.get_pk_constraint(name)["constrained_columns"],
                sorted(str(fk["referred_table"]) for fk in found.get_foreign_keys(name)),
            )
            for name in found.get_table_names()
            if name != schema.VERSION_TABLE
        }

    migrated = engine_of(new_store("migrated"))
    migrate(migrated, schema.FIRST_RELEASE)
    first_release = Path(new_store("first-release"))  # a copy: the file kept in git is never opened
    shutil.copy(FIRST_RELEASE_FILE, first_release)
    assert shape(engine_of(str(first_release))) == shape(migrated)


# -- checking the revision on every command ------------------------------------------------


def test_a_new_store_is_made_at_the_newest_revision(store_url: str) -> None:
    result = complaintctl(store_url, "staff", "add", "sam.senior", "--name", "Sam",
                          "--role", "senior-complaint-executive")  # fmt: skip
    status = complaintctl(store_url, "db", "status", "--json")
    assert (0, 0) == (result.exit_code, status.exit_code), result.output
    assert {"revision": schema.SCHEMA_REVISION, "state": "current"} == {
        key: json.loads(status.stdout)[key] for key in ("revision", "state")
    }


def test_a_store_at_an_older_revision_is_refused_with_how_to_upgrade_and_left_untouched(
    first_release_store: str,
) -> None:
    before = dump_store(first_release_store)
    result = complaintctl(first_release_store, "queue")
    assert (8, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: the store {describe(resolve_url(first_release_store))} has schema revision "
        f"0001, older than this complaintctl's {schema.SCHEMA_REVISION}: back it up, then run "
        "`complaintctl db upgrade`\n"
    ) == result.stderr
    assert before == dump_store(first_release_store)


def test_a_store_at_a_newer_revision_is_refused_and_left_untouched(
    store_url: str, engine_of: Callable[[str], Engine]
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    with engine_of(store_url).begin() as connection:
        connection.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'"))
    before = dump_store(store_url)
    for args in (["queue"], ["db", "upgrade"]):
        result = complaintctl(store_url, *args)
        assert 8 == result.exit_code
        assert (
            f"Error: the store {describe(resolve_url(store_url))} has schema revision 0099, newer "
            f"than this complaintctl knows (it knows up to {schema.SCHEMA_REVISION}): upgrade "
            "complaintctl to use it\n"
        ) == result.stderr
    assert before == dump_store(store_url)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (f"DELETE FROM {schema.VERSION_TABLE}", "it records no schema revision"),
        (
            f"INSERT INTO {schema.VERSION_TABLE} VALUES ('0010')",
            "it records 2 schema revisions, not one",
        ),
    ],
)
def test_a_store_whose_revision_was_changed_to_none_or_two_is_damaged_and_left_untouched(
    store_url: str, engine_of: Callable[[str], Engine], change: str, what: str
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    with engine_of(store_url).begin() as connection:
        connection.execute(text(change))
    before = dump_store(store_url)
    for args in (
        ["queue"],
        ["db", "init"],
        ["db", "upgrade"],
        ["note", "SC-2026-000001", "--text", "x"],
    ):
        result = complaintctl(store_url, *args)
        assert (8, "") == (result.exit_code, result.stdout), args
        assert (
            f"Error: the store at {describe(resolve_url(store_url))} is damaged: {what}; "
            "restore it from a backup\n"
        ) == result.stderr, args
    status = complaintctl(store_url, "db", "status", "--json")
    assert (8, "damaged", what) == (
        status.exit_code,
        json.loads(status.stdout)["state"],
        json.loads(status.stdout)["damage"],
    )
    assert before == dump_store(store_url)


def test_a_database_of_another_program_is_no_store_and_no_command_makes_tables_in_it(
    store_url: str, engine_of: Callable[[str], Engine]
) -> None:
    with engine_of(store_url).begin() as connection:
        connection.execute(text("CREATE TABLE staff (id INTEGER, name TEXT)"))
        connection.execute(text("CREATE TABLE invoice (id INTEGER)"))
    before = dump_store(store_url)
    for args in (
        ["db", "status"],
        ["db", "status", "--json"],
        ["db", "init"],
        ["db", "upgrade"],
        ["queue"],
        ["staff", "add", "sam", "--name", "Sam", "--role", "senior-complaint-executive"],
    ):
        result = complaintctl(store_url, *args)
        assert (8, "") == (result.exit_code, result.stdout), args
        assert (
            f"Error: {describe(resolve_url(store_url))} is not a complaintctl store: it holds "
            "another program's tables (invoice, staff); give complaintctl "
        ) in result.stderr, args
    assert before == dump_store(store_url)


def test_a_store_whose_record_of_its_revision_is_gone_is_damaged_not_another_programs(
    store_url: str, engine_of: Callable[[str], Engine]
) -> None:
    # Its own tables are complaintctl's: "another program's tables" sent the reader looking
    # for a program that never was.
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    with engine_of(store_url).begin() as connection:
        connection.execute(text(f"DROP TABLE {schema.VERSION_TABLE}"))
        connection.execute(text("DROP TABLE calendar_setting"))
    result = complaintctl(store_url, "queue")
    assert 8 == result.exit_code
    assert "another program" not in result.stderr
    assert "not its record of their revision" in result.stderr


@sqlite_only  # a SQLite store changed by hand; every command refuses it as damaged
@pytest.mark.parametrize(
    ("change", "what"),
    [
        ("DROP TABLE staff", "no such table: staff"),
        ("ALTER TABLE staff DROP COLUMN area", "no such column: staff.area"),
    ],
)
def test_db_status_says_a_store_missing_a_table_or_column_of_its_revision_is_damaged(
    store_url: str, engine_of: Callable[[str], Engine], change: str, what: str
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    with engine_of(store_url).begin() as connection:
        connection.execute(text(change))
    before = dump_store(store_url)

    status = complaintctl(store_url, "db", "status", "--json")
    plain = complaintctl(store_url, "db", "status")

    assert (8, "damaged", what) == (
        status.exit_code,
        json.loads(status.stdout)["state"],
        json.loads(status.stdout)["damage"],
    )
    assert 8 == plain.exit_code
    assert "damaged" in plain.stdout
    assert what in plain.stdout
    assert "up to date" not in plain.stdout
    assert before == dump_store(store_url)


# -- db upgrade ----------------------------------------------------------------------------


def test_a_0_1_0_store_upgrades_with_every_record_intact_and_works(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    engine = engine_of(first_release_store)
    assert expected_rows() == first_release_rows(engine)

    result = complaintctl(first_release_store, "db", "upgrade", "--as", "sam")

    where = describe(resolve_url(first_release_store))
    assert (0, f"Upgraded the store {where} from schema revision 0001 to "
               f"{schema.SCHEMA_REVISION}; made the facts kept for the report's figures again "
               f"for {len(FIRST_RELEASE_ROWS['complaint']['rows'])} cases, as this complaintctl "
               "counts them\n") == (result.exit_code, result.stdout)  # fmt: skip
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT DISTINCT version FROM complaint")).scalars()
        upgrades = connection.execute(
            text("SELECT actor, details FROM event WHERE action = 'upgrade-schema'")
        ).all()
    assert [0] == list(versions)
    # The kept facts made by this complaintctl's version of them (store/facts.py).
    upgraded = {"facts": facts.VERSION, "from": "0001", "to": schema.SCHEMA_REVISION}
    assert [("sam", json.dumps(upgraded))] == [tuple(row) for row in upgrades]
    # Every record 0.1.0 wrote is there, unchanged; the upgrade added only its own entry.
    after = first_release_rows(engine)
    after["event"] = after["event"][: len(FIRST_RELEASE_ROWS["event"]["rows"])]
    assert expected_rows() == after
    # And the store works: read a case, take a step on one, log a new one.
    shown = complaintctl(first_release_store, "show", "SC-2026-000004", "--json")
    assert (0, "SC-2026-000004", 0) == (
        shown.exit_code, json.loads(shown.stdout)["ref"], json.loads(shown.stdout)["version"]
    )  # fmt: skip
    logged = complaintctl(
        first_release_store, "--as", "olu", "log", "--consumer", "New Person", "--email",
        "new@example.com", "--channel", "email", "--category", "delay", "--summary", "After",
        "--at", "2026-12-04T10:00",  # numbered in 2026 whatever year the test runs in
    )  # fmt: skip
    assert (0, "SC-2026-000011\n") == (logged.exit_code, logged.stdout), logged.output


def test_an_upgrade_is_recorded_as_a_member_of_staff_checked_as_every_command_checks_one(
    first_release_store: str,
) -> None:
    # README, "Who is acting": the acting member is checked wherever one is recorded. The
    # upgrade recorded `--as` as typed: a name that is no one's, or a member in another case.
    before = dump_store(first_release_store)

    nobody = CliRunner().invoke(
        app, ["--db", first_release_store, "--as", "no.one", "db", "upgrade"]
    )

    assert (6, "Error: no.one is not active staff in this store") == (
        nobody.exit_code, nobody.stderr.split(",")[0]
    ), nobody.output  # fmt: skip
    assert 1 == len(nobody.stderr.splitlines())
    # The way out is the upgrade's own: it needs no member of staff.
    assert "db upgrade needs no member of staff: run it naming no one" in nobody.stderr
    assert before == dump_store(first_release_store)  # still at 0001, nothing recorded

    cased = CliRunner().invoke(app, ["--db", first_release_store, "--as", "SAM", "db", "upgrade"])

    assert 0 == cased.exit_code, cased.output
    with closing_engine(first_release_store) as engine, engine.connect() as connection:
        actors = connection.execute(
            text("SELECT actor FROM event WHERE action = 'upgrade-schema'")
        ).scalars()
        assert ["sam"] == list(actors)  # as the store keeps the username


def test_an_upgrade_of_a_store_with_no_staff_records_the_username_named_as_staff_add_would(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    # No one to check the member named against: the name is still a username, kept as the
    # store keeps one (`ＳＡＭ` is `sam`); a name no username could be is refused, not recorded.
    with engine_of(first_release_store).begin() as connection:
        connection.execute(text("DELETE FROM staff"))
    before = dump_store(first_release_store)

    escaped = CliRunner().invoke(
        app, ["--db", first_release_store, "--as", "sam\x1b[2J", "db", "upgrade"]
    )

    assert (2, 1) == (escaped.exit_code, len(escaped.stderr.splitlines())), escaped.output
    assert escaped.stderr.startswith("Error: 'sam\\x1b[2J' cannot be a username")
    assert "run it naming no one" in escaped.stderr
    assert before == dump_store(first_release_store)  # still at 0001, nothing recorded

    folded = CliRunner().invoke(
        app, ["--db", first_release_store, "--as", "\uff33\uff21\uff2d", "db", "upgrade"]
    )

    assert 0 == folded.exit_code, folded.output
    with engine_of(first_release_store).connect() as connection:
        actors = connection.execute(
            text("SELECT actor FROM event WHERE action = 'upgrade-schema'")
        ).scalars()
        assert ["sam"] == list(actors)


@contextmanager
def closing_engine(store: str) -> Iterator[Engine]:
    engine = open_engine(resolve_url(store))
    try:
        yield engine
    finally:
        engine.dispose()


def test_an_upgrade_indexes_the_cases_already_there_for_find(first_release_store: str) -> None:
    assert 0 == complaintctl(first_release_store, "db", "upgrade", "--as", "sam").exit_code

    def found(text: str) -> list[str]:
        result = complaintctl(first_release_store, "find", text, "--json")
        assert 0 == result.exit_code, result.output
        return [case["ref"] for case in json.loads(result.stdout)]

    assert (["SC-2026-000003"], ["SC-2026-000001", "SC-2026-000004"], ["SC-2026-000010"]) == (
        found("lovelace"), found("case handler"), found("10"),
    )  # fmt: skip


@sqlite_only
def test_the_sqlite_file_0_1_0_wrote_upgrades_intact(tmp_path: Path) -> None:
    store = tmp_path / "old.sqlite3"
    shutil.copy(FIRST_RELEASE_FILE, store)
    # Read from a second copy: opened, the file kept in git would grow its WAL files beside it.
    shutil.copy(FIRST_RELEASE_FILE, tmp_path / "original.sqlite3")
    with closing(sqlite3.connect(tmp_path / "original.sqlite3")) as original:
        tables = [name for (name,) in original.execute("SELECT name FROM sqlite_master "
                                                       "WHERE type = 'table'")]  # fmt: skip
        before = {name: original.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
                  for name in tables}  # fmt: skip

    assert 0 == complaintctl(str(store), "db", "upgrade", "--as", "sam").exit_code

    with sqlite3.connect(store) as upgraded:
        for name in tables:
            width = len(before[name][0]) if before[name] else 0
            rows = upgraded.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
            if name == "event":
                rows = rows[: len(before[name])]
            assert before[name] == [row[:width] for row in rows], name


def test_upgrading_a_current_store_changes_nothing(store_url: str) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    before = dump_store(store_url)
    result = complaintctl(store_url, "db", "upgrade", "--as", "sam")
    where = describe(resolve_url(store_url))
    assert (0, f"The store {where} is at schema revision {schema.SCHEMA_REVISION} already: "
               "nothing to do\n") == (result.exit_code, result.stdout)  # fmt: skip
    assert before == dump_store(store_url)


def test_upgrade_makes_a_store_that_does_not_exist_yet(new_store: Callable[[str], str]) -> None:
    store = new_store("fresh")
    result = complaintctl(store, "db", "upgrade", "--as", "sam")
    assert (0, f"Made a new store at {describe(resolve_url(store))}, schema revision "
               f"{schema.SCHEMA_REVISION}\n") == (result.exit_code, result.stdout)  # fmt: skip


def test_an_upgrade_that_fails_half_way_leaves_the_store_as_it_was(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    # A column in the way of revision 0002's: its step fails after 0001 was stamped.
    with engine_of(first_release_store).begin() as connection:
        connection.execute(text("ALTER TABLE complaint ADD COLUMN version INTEGER"))
    before = dump_store(first_release_store)

    result = complaintctl(first_release_store, "db", "upgrade", "--as", "sam")

    assert 8 == result.exit_code
    assert result.stderr.startswith(
        f"Error: the store {describe(resolve_url(first_release_store))}"
    )
    assert before == dump_store(first_release_store)
    with engine_of(first_release_store).connect() as connection:
        assert schema.FIRST_RELEASE == schema.stored_revision(connection)


# -- db status -----------------------------------------------------------------------------


def test_status_says_when_a_store_needs_upgrading(first_release_store: str) -> None:
    result = complaintctl(first_release_store, "db", "status")
    where = describe(resolve_url(first_release_store))
    backend = "postgresql" if POSTGRES else "sqlite"
    assert (0, f"Store:     {where} ({backend})\n"
               f"Schema:    0001 (this complaintctl: {schema.SCHEMA_REVISION})\n"
               "State:     older than this complaintctl: back it up, then run "
               "`complaintctl db upgrade`\n") == (result.exit_code, result.stdout)  # fmt: skip


@sqlite_only
def test_status_of_a_store_file_not_made_yet_exits_8_says_how_to_start_one_and_makes_nothing(
    tmp_path: Path,
) -> None:
    store = tmp_path / "none" / "store.sqlite3"
    result = complaintctl(str(store), "db", "status", "--json")
    assert (8, "", True, True) == (
        result.exit_code,
        result.stdout,
        result.stderr.startswith(f"Error: there is no store at {store}: "),
        "complaintctl db init" in result.stderr,
    )
    assert not store.parent.exists()


# -- db backup -----------------------------------------------------------------------------


@sqlite_only
def test_backup_copies_every_record_while_another_writer_holds_the_lock(
    first_release_store: str, tmp_path: Path
) -> None:
    assert 0 == complaintctl(first_release_store, "db", "upgrade", "--as", "sam").exit_code
    before = dump_store(first_release_store)
    writer = sqlite3.connect(first_release_store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE complaint SET summary = 'uncommitted'")
    try:
        result = complaintctl(first_release_store, "db", "backup", str(tmp_path / "copy.sqlite3"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (0, f"Backed up {first_release_store} to {tmp_path / 'copy.sqlite3'}\n") == (
        result.exit_code, result.stdout
    )  # fmt: skip
    # The copy holds what was committed, not the writer's half-done change, and is a store.
    assert before == dump_store(str(tmp_path / "copy.sqlite3"))
    status = complaintctl(str(tmp_path / "copy.sqlite3"), "db", "status", "--json")
    assert "current" == json.loads(status.stdout)["state"]
    assert [".copy.sqlite3"] != [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def as_a_person(store: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command in a process of its own, as a person runs it: holding nothing open after."""
    # No timeout: a frozen clock would freeze subprocess's too.
    return subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", store, "--as", "sam.senior", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


@sqlite_only
def test_a_backup_restored_as_the_readme_says_is_the_store_as_backed_up_and_verifies(
    store_url: str, tmp_path: Path
) -> None:
    store = Path(store_url)
    backup = tmp_path / "backup.sqlite3"
    for args in (
        ["db", "upgrade"],
        ["db", "backup", str(backup)],
        ["staff", "add", "ann", "--name", "Ann", "--role", "senior-leader"],
    ):
        done = as_a_person(store_url, *args)
        assert 0 == done.returncode, done.stderr
    before = dump_store(str(backup))

    # README, "Restoring": copy the backup over the store, remove -wal and -shm, db verify.
    shutil.copyfile(backup, store)
    for stale in (f"{store}-wal", f"{store}-shm"):
        Path(stale).unlink(missing_ok=True)
    verified = as_a_person(store_url, "db", "verify")

    assert (0, True) == (verified.returncode, verified.stdout.startswith("intact: ")), (
        verified.stderr
    )
    assert before == dump_store(store_url)


@sqlite_only
def test_backup_never_overwrites_a_file(store_url: str, tmp_path: Path) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    existing = tmp_path / "keep.txt"
    existing.write_text("mine")
    result = complaintctl(store_url, "db", "backup", str(existing))
    assert (2, f"Error: {existing} exists already: name a new file\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert "mine" == existing.read_text()


def test_backup_to_a_dash_is_refused_and_writes_no_file_of_that_name(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = complaintctl(store_url, "db", "backup", "-")
    assert (2, "Error: db backup writes a file: name it ('-' is not one)\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert not (tmp_path / "-").exists()


def test_backup_to_an_empty_name_is_refused_as_no_file_not_taken_for_the_working_folder(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = complaintctl(store_url, "db", "backup", "")
    assert (2, "Error: db backup writes a file: name it ('' is not one)\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip


@pytest.mark.parametrize("there", [True, False])
def test_backup_to_a_name_ending_in_a_slash_is_refused_as_a_folder_not_written_as_a_file(
    store_url: str, tmp_path: Path, there: bool
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    if there:
        (tmp_path / "backups").mkdir()
    before = sorted(tmp_path.iterdir())
    result = complaintctl(store_url, "db", "backup", f"{tmp_path}/backups/")
    assert (12, f"Error: {tmp_path}/backups/ is a folder; name a file in it\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert before == sorted(tmp_path.iterdir())


@sqlite_only
def test_backup_to_a_device_is_refused_without_advising_stdout_it_never_writes(
    store_url: str,
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    result = complaintctl(store_url, "db", "backup", os.devnull)
    assert (2, f"Error: {os.devnull} is not a regular file; name a new file\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip


@sqlite_only
def test_backup_that_outgrows_the_file_size_allowed_exits_12_naming_the_copy_and_leaves_none(
    store_url: str, tmp_path: Path
) -> None:
    import resource

    for args in (["db", "upgrade"], ["demo", "--into", str(tmp_path / "demo.sqlite3")]):
        assert 0 == complaintctl(store_url, *args).exit_code
    store = str(tmp_path / "demo.sqlite3")
    assert 0 == as_a_person(store, "db", "status").returncode  # its -shm made already
    limit = os.path.getsize(store) // 2 + 100  # not a whole number of pages
    copy = tmp_path / "backups" / "copy.sqlite3"
    copy.parent.mkdir()
    # No timeout: a frozen clock would freeze subprocess's too.
    done = subprocess.run(
        [sys.executable, "-m", "complaintctl", "--db", store, "db", "backup", str(copy)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )
    assert (12, True) == (
        done.returncode, done.stderr.startswith(f"Error: cannot write the backup {copy}: ")
    ), done.stderr  # fmt: skip
    assert [] == list(copy.parent.iterdir())


@sqlite_only
def test_backup_of_a_store_not_made_yet_exits_8(tmp_path: Path) -> None:
    result = complaintctl(str(tmp_path / "none.sqlite3"), "db", "backup", str(tmp_path / "b"))
    assert (8, True) == (
        result.exit_code,
        result.stderr.startswith(f"Error: there is no store at {tmp_path / 'none.sqlite3'}: "),
    )
    assert ["none.sqlite3"] != sorted(p.name for p in tmp_path.iterdir())


@sqlite_only
@pytest.mark.parametrize(
    ("tables", "said"),
    [
        (["CREATE TABLE invoice (id INTEGER)", "CREATE TABLE staff (id INTEGER)"],
         "is not a complaintctl store: it holds another program's tables (invoice, staff); "),
        (["PRAGMA user_version = 3"], "there is no store at "),
    ],
)  # fmt: skip
def test_backup_of_a_database_without_complaintctls_tables_is_refused_as_no_store(
    tmp_path: Path, tables: list[str], said: str
) -> None:
    # As every other command refuses it: "Backed up" would pass another program's file (or an
    # empty database) off as a copy of the store.
    store = tmp_path / "other.sqlite3"
    with sqlite3.connect(store) as connection:
        for statement in tables:
            connection.execute(statement)
    connection.close()
    copy = tmp_path / "copy.sqlite3"
    result = complaintctl(str(store), "db", "backup", str(copy))
    assert (8, "", True) == (result.exit_code, result.stdout, said in result.stderr), result.stderr
    assert not copy.exists()


@postgres_only
def test_backup_of_a_postgresql_store_points_to_pg_dump(store_url: str, tmp_path: Path) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    result = complaintctl(store_url, "db", "backup", str(tmp_path / "copy"))
    assert (2, "Error: db backup copies SQLite stores; back up a PostgreSQL store with "
               "pg_dump --format=custom --file=FILE and the store's URL without +psycopg\n"
            ) == (result.exit_code, result.stderr)  # fmt: skip
    assert not (tmp_path / "copy").exists()


@sqlite_only
def test_status_never_changes_the_store_file_not_even_its_journal_mode(tmp_path: Path) -> None:
    store = tmp_path / "old #2?.sqlite3"  # characters a URI would cut the path at
    shutil.copy(FIRST_RELEASE_FILE, store)
    with sqlite3.connect(store) as raw:
        raw.execute("PRAGMA journal_mode=DELETE")
    content = store.read_bytes()
    store.chmod(0o400)  # even on a store it may only read

    result = complaintctl(str(store), "db", "status", "--json")

    assert (0, "needs-upgrade") == (result.exit_code, json.loads(result.stdout)["state"])
    assert (content, [store.name]) == (store.read_bytes(), sorted(os.listdir(tmp_path)))


@sqlite_only
def test_a_row_referring_to_a_missing_one_before_the_upgrade_is_kept_as_it_was(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    orphan = ("INSERT INTO incident (consumer_id, case_id, note, recorded_by, at) "
              "VALUES (1, 999, 'orphan', 'olu', '2026-11-20 10:00:00.000000')")  # fmt: skip
    with closing(sqlite3.connect(first_release_store)) as raw:
        raw.execute(orphan)
        raw.commit()

    assert 0 == complaintctl(first_release_store, "db", "upgrade", "--as", "sam").exit_code

    with closing(sqlite3.connect(first_release_store)) as raw:
        assert [(999, "orphan")] == raw.execute(
            "SELECT case_id, note FROM incident WHERE note = 'orphan'"
        ).fetchall()


@sqlite_only
def test_a_migration_that_leaves_a_row_referring_to_a_missing_one_is_refused(
    store_url: str, engine_of: Callable[[str], Engine]
) -> None:
    assert 0 == complaintctl(store_url, "db", "upgrade", "--as", "sam").exit_code
    engine = engine_of(store_url)
    with engine.connect() as connection:
        # What a faulty migration might do, with foreign keys off as they are for migrations.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        before = schema._broken_references(connection)
        connection.execute(
            text("INSERT INTO event (case_id, action, actor, at, recorded_at, details, digest, "
                 "chain) VALUES (999, 'log', 'olu', '2026-11-20 10:00', '2026-11-20 10:00', '{}', "
                 "'', '')")
        )  # fmt: skip
        with pytest.raises(StoreUnavailable, match="would leave 1 rows referring to missing ones"):
            schema._check_references(connection, before)


# -- revision 0012: kept facts -----------------------------------------------------------------


def kept_rows(engine: Engine) -> list[tuple[str, list[tuple[Any, ...]]]]:
    from complaintctl.store.models import case_fact, case_fact_item

    with engine.connect() as connection:
        return [
            (table.name, [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))])
            for table in (case_fact, case_fact_item)
        ]  # fmt: skip


def facts_not_replayed(engine: Engine) -> tuple[int, list[str]]:
    """How many cases have kept facts, and those whose facts are not their history's replay."""
    from complaintctl.store import facts
    from complaintctl.store.models import case_fact

    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM complaint")).scalars().all()
        kept = connection.execute(select(case_fact.c.case_id)).scalars().all()
        return len(kept), list(facts.differing(connection, ids))


def test_a_0_1_0_store_upgrades_with_each_cases_facts_kept_as_its_history_replays(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    engine = engine_of(first_release_store)
    cases = len(FIRST_RELEASE_ROWS["complaint"]["rows"])

    assert 0 == complaintctl(first_release_store, "db", "upgrade", "--as", "sam").exit_code

    assert (cases, []) == facts_not_replayed(engine)
    # Kept from then on as history is written: a step on a case replays it again.
    step = complaintctl(first_release_store, "--as", "olu", "note", "SC-2026-000004", "--text",
                        "Rang", "--at", "2026-12-04T10:00")  # fmt: skip
    assert 0 == step.exit_code, step.output
    assert (cases, []) == facts_not_replayed(engine)
    verified = complaintctl(first_release_store, "db", "verify")
    assert 0 == verified.exit_code, verified.output


@sqlite_only
def test_revision_0012_makes_its_tables_empty_and_the_upgrade_fills_again_the_rows_it_kept(
    tmp_path: Path, engine_of: Callable[[str], Engine]
) -> None:
    """0012 only makes the tables (a fill through today's code and tables would break
    upgrading an older store once a later revision changes them); the upgrade fills them once
    the store is at the program's revision, its facts' version forgotten by 0012."""
    store = str(tmp_path / "demo.sqlite3")
    assert 0 == complaintctl(store, "demo", "--into", store).exit_code
    engine = engine_of(store)
    kept = kept_rows(engine)
    # The demo's cases have responses, escalations, actions.
    assert ([], []) != (kept[0][1], kept[1][1])

    migrate(engine, "0011", down=True)
    assert not {"case_fact", "case_fact_item"} & set(inspect(engine).get_table_names())
    migrate(engine, "0012")
    with engine.connect() as connection:
        assert (0, 0) == tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("case_fact", "case_fact_item")
        )
    with engine.connect() as connection:
        assert None is facts.stored_version(connection)

    result = complaintctl(store, "db", "upgrade", "--as", "sam")
    assert (0, f"Upgraded the store {store} from schema revision 0012 to "
               f"{schema.SCHEMA_REVISION}; made the facts kept for the report's figures again "
               "for 10 cases, as this complaintctl counts them\n") == (
        result.exit_code, result.stdout)  # fmt: skip
    assert kept == kept_rows(engine)
    assert (len(kept[0][1]), []) == facts_not_replayed(engine)
    with engine.connect() as connection:
        assert facts.VERSION == facts.stored_version(connection)
    again = complaintctl(store, "db", "upgrade", "--as", "sam")
    assert again.stdout.endswith("already: nothing to do\n")


@sqlite_only
def test_revision_0013_keeps_each_responses_start_once_the_upgrade_makes_the_facts_again(
    tmp_path: Path, engine_of: Callable[[str], Engine]
) -> None:
    """0013 adds the responses' `since` and forgets the facts' version (up and down), so the
    upgrade makes every case's facts again with it; down, 0012's index comes back."""
    store = str(tmp_path / "demo.sqlite3")
    assert 0 == complaintctl(store, "demo", "--into", store).exit_code
    engine = engine_of(store)
    kept = kept_rows(engine)
    # The demo has first-stage and final responses, so starts to keep.
    assert any(row[-1] is not None for row in kept[1][1])

    migrate(engine, "0012", down=True)
    items = inspect(engine)
    assert "since" not in {column["name"] for column in items.get_columns("case_fact_item")}
    assert {"ix_case_fact_item_kind_at", "ix_case_fact_item_kind_case"} == {
        index["name"] for index in items.get_indexes("case_fact_item")
    }
    with engine.connect() as connection:
        assert None is facts.stored_version(connection)
    migrate(engine, "0013")
    with engine.connect() as connection:
        assert None is facts.stored_version(connection)
        starts = text("SELECT count(*) FROM case_fact_item WHERE since IS NOT NULL")
        assert 0 == connection.execute(starts).scalar_one()

    result = complaintctl(store, "db", "upgrade", "--as", "sam")
    assert (0, f"The store {store} is at schema revision 0013 already; made the facts kept for "
               "the report's figures again for 10 cases, as this complaintctl counts them\n") == (
        result.exit_code, result.stdout)  # fmt: skip
    assert kept == kept_rows(engine)
    with engine.connect() as connection:
        assert facts.VERSION == facts.stored_version(connection)


def test_a_store_whose_facts_an_older_complaintctl_made_is_upgraded_at_the_same_revision(
    first_release_store: str, engine_of: Callable[[str], Engine]
) -> None:
    """A new complaintctl whose replay counts otherwise is installed over a store at its
    revision: db verify does not call the facts changed, db upgrade makes them again."""
    engine = engine_of(first_release_store)
    cases = len(FIRST_RELEASE_ROWS["complaint"]["rows"])
    assert 0 == complaintctl(first_release_store, "db", "upgrade", "--as", "sam").exit_code
    with engine.begin() as connection:  # as an older version would have kept them
        connection.execute(
            text("UPDATE store_setting SET value = '0' WHERE key = :key"),
            {"key": facts.VERSION_KEY},
        )
        connection.execute(text("UPDATE case_fact SET channel = 'fax'"))

    status = complaintctl(first_release_store, "db", "status", "--json")
    assert (0, "needs-upgrade") == (status.exit_code, json.loads(status.stdout)["state"])
    said = complaintctl(first_release_store, "db", "status").stdout.splitlines()
    assert [f"Schema:    {schema.SCHEMA_REVISION} (this complaintctl: "
            f"{schema.SCHEMA_REVISION})", "State:     the facts kept for the report's figures "
            "were made by another version of complaintctl: back it up, then run `complaintctl "
            "db upgrade`"] == said[1:]  # fmt: skip

    verified = complaintctl(first_release_store, "db", "verify")
    assert (0, "Error" not in verified.stderr, True) == (
        verified.exit_code,
        True,
        "were made by another version of complaintctl and were not checked" in verified.stderr,
    )
    result = complaintctl(first_release_store, "db", "upgrade", "--as", "sam")
    where = describe(resolve_url(first_release_store))
    assert (0, f"The store {where} is at schema revision {schema.SCHEMA_REVISION} already; "
               f"made the facts kept for the report's figures again for {cases} cases, as this "
               "complaintctl counts them\n") == (result.exit_code, result.stdout)  # fmt: skip
    assert (cases, []) == facts_not_replayed(engine)
    # Its indexes dropped for the refill are made again, as a new store has them.
    assert {
        name: sorted(str(index.name) for index in table.indexes)
        for name, table in (("case_fact", models.case_fact),
                            ("case_fact_item", models.case_fact_item))
    } == {
        name: sorted(str(index["name"]) for index in inspect(engine).get_indexes(name))
        for name in ("case_fact", "case_fact_item")
    }  # fmt: skip
    with engine.connect() as connection:
        recorded = (
            connection.execute(
                text("SELECT details FROM event WHERE action = 'upgrade-schema' ORDER BY id")
            )
            .scalars()
            .all()
        )
    assert {"facts": facts.VERSION, "from": schema.SCHEMA_REVISION,
            "to": schema.SCHEMA_REVISION} == json.loads(recorded[-1])  # fmt: skip
    verified = complaintctl(first_release_store, "db", "verify")
    assert (0, "") == (verified.exit_code, verified.stderr)
    status = complaintctl(first_release_store, "db", "status", "--json")
    assert "current" == json.loads(status.stdout)["state"]
