"""The PostgreSQL test stores (tests/conftest.py `PostgresStores`): a schema handed to a test
after another used it holds exactly what a new one holds, and one whose shape a test changed is
never handed out again."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from complaintctl.store.db import open_engine, resolve_url
from complaintctl.store.uow import UnitOfWork
from tests.conftest import PostgresStores, dump_store, postgres_only, schema_url
from tests.service.journey import log

pytestmark = postgres_only


@pytest.fixture
def stores() -> Iterator[PostgresStores]:
    made = PostgresStores()
    yield made
    made.close()


def _sequences(stores: PostgresStores, schema: str) -> list[tuple[str, object]]:
    with stores.admin.connect() as connection:
        rows = connection.execute(
            text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = :s"),
            {"s": schema},
        )
        return sorted((name, value) for name, value in rows)


@pytest.mark.parametrize("kind", ["team", "empty"])
def test_a_store_used_and_given_back_is_handed_out_again_as_a_new_one(
    stores: PostgresStores, kind: str
) -> None:
    schema = stores.take(kind)
    new = dump_store(schema_url(schema))
    url = resolve_url(schema_url(schema))
    engine = open_engine(url)
    if kind == "team":
        log(lambda **_: UnitOfWork(engine, url, write=True), datetime(2026, 12, 1, 10, tzinfo=UTC))
    else:
        with engine.begin() as connection:
            connection.execute(text("UPDATE calendar_setting SET zone = 'Europe/Dublin'"))
    engine.dispose()
    assert dump_store(schema_url(schema)) != new

    stores.give_back(kind, schema)
    again = stores.take(kind)

    assert stores.dropped == {}
    assert again == schema
    assert dump_store(schema_url(again)) == new
    assert _sequences(stores, again) == _sequences(stores, stores.pristine[kind])


def test_a_store_whose_shape_a_test_changed_is_dropped_not_handed_out(
    stores: PostgresStores,
) -> None:
    schema = stores.take("team")
    with stores.admin.connect() as connection:
        connection.execute(text(f"CREATE INDEX extra ON {schema}.event (actor)"))

    stores.give_back("team", schema)

    assert stores.dropped == {schema: "a test changed its shape"}
    assert stores.take("team") != schema
    with stores.admin.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema}
        ).scalar_one()
    assert found == 0


def _changes_counted(stores: PostgresStores, schema: str) -> dict[str, tuple[int, int]]:
    """Each table's changes autovacuum counts towards its next ANALYZE, and its rows."""
    with stores.admin.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT relname, n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables "
                "WHERE schemaname = :s"
            ),
            {"s": schema},
        )
        return {name: (changes, live) for name, changes, live in rows}


def test_a_store_given_back_carries_no_count_of_the_changes_an_earlier_test_made(
    stores: PostgresStores,
) -> None:
    """Autovacuum analyzes a table once enough changes are counted against it. A schema that
    kept counting every earlier test's changes had its tables analyzed in the middle of a
    later test, while a large import was not yet committed: the planner then took 20,000
    rows for none, and `queue` ran for minutes."""
    schema = stores.take("team")
    engine = open_engine(resolve_url(schema_url(schema)))
    with engine.connect() as connection:
        for _ in range(20):
            with connection.begin():
                connection.execute(text("UPDATE staff SET name = name"))
        # The backend's counts reach the server's statistics before its next statement ends.
        connection.execute(text("SELECT pg_stat_force_next_flush()"))
        connection.execute(text("SELECT 1"))
    engine.dispose()
    assert _changes_counted(stores, schema)["staff"][0] >= 200

    stores.give_back("team", schema)
    again = stores.take("team")

    assert stores.dropped == {}
    assert again == schema
    counted = _changes_counted(stores, again)
    # No more than putting its rows back counts: as in a schema made afresh.
    over = {name: (changes, rows) for name, (changes, rows) in counted.items() if changes > rows}
    assert over == {}


def test_a_store_given_back_while_another_worker_drops_its_schemas_is_reset_not_dropped(
    stores: PostgresStores,
) -> None:
    """Another worker drops its schemas at its session's end: reading this schema's shape
    must not look up every other schema's sequences by name, which fails for one whose drop
    commits meanwhile ("schema … does not exist"), and a store then made afresh each time."""
    schema = stores.take("team")
    done = threading.Event()

    def another_worker_dropping_its_schemas() -> None:
        with stores.admin.connect() as connection:
            for n in itertools.count():
                if done.is_set():
                    return
                connection.execute(text(f"CREATE SCHEMA other_{n}; "
                                        f"CREATE TABLE other_{n}.t (id serial)"))  # fmt: skip
                connection.execute(text(f"DROP SCHEMA other_{n} CASCADE"))

    other = threading.Thread(target=another_worker_dropping_its_schemas)
    other.start()
    try:
        for _ in range(25):
            stores.give_back("team", schema)
            assert stores.dropped == {}
            assert stores.take("team") == schema
    finally:
        done.set()
        other.join()
