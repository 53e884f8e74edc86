"""The search index `find` reads: one row per case, its searchable text, kept current by the
store's own triggers.

Each case's row holds its reference, dispute reference, consumer's name, email and postal
address, and summary, joined by spaces (search words never hold a space, so none matches
across two fields). Triggers on `complaint` and `consumer` keep it current whoever writes:
`log` through the ORM, `import` and the benchmarks with plain inserts, `consumer update`
(on SQLite an import's cases are indexed a chunk at a time instead: `held_back`). A step
changes none of these columns, so steps never touch the index.

- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34 and later), which finds any
  substring of three characters or more, case aside (Unicode's, for MATCH). Where SQLite has
  no trigram tokenizer, a plain table instead, searched with LIKE (a scan, and ASCII-only
  case folding): slower, same answers for ASCII text. Either way a row's rowid is its key
  (`key_sql`): the day the case was received and its id, so that the index read from its
  greatest key down is newest day first, and `find` reads the most recent matches without
  reading them all.
- PostgreSQL: a table with a pg_trgm GIN index, searched with ILIKE, which the index serves.
  Without the rights to create the pg_trgm extension, the table has no such index and ILIKE
  scans it: slower, same answers.

Made with a new store (schema.create_schema) and by revision 0005 for an older one; not in
the models' metadata, since neither backend's form of it is an ordinary table. Revision 0004
made the first form of it (its rowid the case's id on SQLite) and keeps a copy of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

TABLE = "case_search"
_SQLITE_TRIGGERS = (
    "complaint_keyed",
    "complaint_searched",
    "complaint_searched_again",
    "consumer_searched",
    "complaint_unsearched",
)

# A case's searchable text, from `c` (complaint) and `co` (consumer).
_DOCUMENT = (
    "c.ref || ' ' || coalesce(c.dispute_ref, '') || ' ' || co.name || ' ' || "
    "coalesce(co.email, '') || ' ' || coalesce(co.address, '') || ' ' || c.summary"
)
_FROM = "FROM complaint c JOIN consumer co ON co.id = c.consumer_id"
_ROWS_OF = f"SELECT c.id, {_DOCUMENT} {_FROM}"
# The columns whose change changes a row of the index (on SQLite, received_at moves its key).
_CASE_COLUMNS = "ref, consumer_id, dispute_ref, summary"
_CONSUMER_COLUMNS = "name, email, address"

# -- the key of a case's row on SQLite ------------------------------------------------------
#
# DAY × 2**36 + the case's id, DAY being the day the case was received (UTC) as the number
# YYYYMMDD: rowids in descending order are the most recently received day first, and within a
# day the highest id first. Every case has its own key (ids are below 2**36: a trigger refuses
# one that is not), and it is the case's own, whenever it was written: a case imported today
# with an older received date takes its place among that day's. The day is read from the text
# SQLite keeps (`YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC, store/types.py), so a later day
# always has a greater key: key order agrees with `received_at` from one day to the next, and
# only the order within a day is left to sort. 99991231 × 2**36 + an id fits in 64 bits.
#
# FTS5 writes rows cheaply that come in key order, many to a statement. A row whose key is
# below the last one written in the same transaction costs several times more (100,000 rows:
# 13 s rather than 3 s), and so do rows written one statement each, as triggers write them
# (revision 0004's, whose keys were ids and came in order, took 185 s over an import of
# 100,000 cases). A case logged on its own costs little either way; `held_back` writes an
# import's chunk of cases with one statement, in key order.
_IDS = 1 << 36
HELD = f"{TABLE}_held"  # a row here while `held_back` holds the triggers back


def key_sql(case: str) -> str:
    """The key of the case whose columns are `case`'s (`c`, `NEW`, `OLD`), as SQL."""
    day = f"CAST(replace(substr({case}.received_at, 1, 10), '-', '') AS INTEGER)"
    return f"({day} * {_IDS} + {case}.id)"


def case_id_sql(key: ColumnElement[int]) -> ColumnElement[int]:
    """The id of the case whose key is `key`, in SQL."""
    return key % _IDS


def case_id(key: int) -> int:
    """The id of the case whose key is `key`."""
    return key % _IDS


def day(key: int) -> int:
    """The day (YYYYMMDD) the case whose key is `key` was received."""
    return key // _IDS


def first_key_on(received: int) -> int:
    """The least key a case received on day `received` can have: every key from it up is of a
    case received that day or later."""
    return received * _IDS


@contextmanager
def held_back(connection: Connection) -> Iterator[None]:
    """Cases inserted within are indexed together at the end, in key order, rather than each
    as it is inserted (SQLite; PostgreSQL's triggers index each as usual). For a batch of
    cases in any order of receipt, such as an import's: see above. Only cases with ids above
    every id there before are indexed so, as every new case's is."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM complaint").scalar()
    connection.exec_driver_sql(f"INSERT INTO {HELD} DEFAULT VALUES")
    yield
    connection.exec_driver_sql(f"DELETE FROM {HELD}")
    connection.exec_driver_sql(
        f"INSERT INTO {TABLE} (rowid, document) SELECT {key_sql('c')}, {_DOCUMENT} {_FROM} "
        "WHERE c.id > ? ORDER BY 1",
        (before,),
    )


def forget_removed(connection: Connection) -> None:
    """Leave nothing in the index of text its rows no longer hold, once personal data was
    removed (retention, erasure). FTS5 deletes a row by adding a segment that marks its terms
    deleted, and keeps the older segments, each term with the row and its positions, until
    they merge: the removed text could be read back from the file. 'optimize' merges every
    segment into one without them, and `PRAGMA secure_delete` overwrites the pages freed.
    Nothing to do for the plain table (its rows go as any row does) or on PostgreSQL."""
    if connection.dialect.name == "sqlite" and has_trigram(connection):
        connection.exec_driver_sql(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def create_search_index(connection: Connection) -> None:
    """Make the index and its triggers, and index every case already in the store."""
    if connection.dialect.name == "postgresql":
        _create_on_postgresql(connection)
    else:
        _create_on_sqlite(connection)


def has_trigram(connection: Connection) -> bool:
    """Whether the store's SQLite table is FTS5's trigram index (not the plain fallback)."""
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
    ).scalar_one_or_none()
    return found is not None and "fts5" in str(found).lower()


def trigram_supported() -> bool:
    """SQLite gained the trigram tokenizer in 3.34; FTS5 itself is in every build Python ships."""
    return sqlite3.sqlite_version_info >= (3, 34, 0)


def _create_on_sqlite(connection: Connection) -> None:
    if trigram_supported():
        table = f"CREATE VIRTUAL TABLE {TABLE} USING fts5(document, tokenize = 'trigram')"
    else:
        # No trigram tokenizer: a plain table, searched with LIKE (see above).
        table = f"CREATE TABLE {TABLE} (rowid INTEGER PRIMARY KEY, document TEXT NOT NULL)"
    keyed_rows = f"SELECT {key_sql('c')}, {_DOCUMENT} {_FROM}"
    for statement in (
        table,
        f"CREATE TABLE {HELD} (held INTEGER)",
        f"""CREATE TRIGGER complaint_keyed AFTER INSERT ON complaint
        WHEN NEW.id < 0 OR NEW.id >= {_IDS} BEGIN
            SELECT RAISE(ABORT, 'a case id too large for the search index');
        END""",
        f"""CREATE TRIGGER complaint_searched AFTER INSERT ON complaint
        WHEN NOT EXISTS (SELECT 1 FROM {HELD}) BEGIN
            INSERT INTO {TABLE} (rowid, document) {keyed_rows} WHERE c.id = NEW.id;
        END""",
        f"""CREATE TRIGGER complaint_searched_again AFTER UPDATE OF {_CASE_COLUMNS}, received_at
        ON complaint BEGIN
            DELETE FROM {TABLE} WHERE rowid = {key_sql("OLD")};
            INSERT INTO {TABLE} (rowid, document) {keyed_rows} WHERE c.id = NEW.id;
        END""",
        f"""CREATE TRIGGER consumer_searched AFTER UPDATE OF {_CONSUMER_COLUMNS}
        ON consumer BEGIN
            DELETE FROM {TABLE}
            WHERE rowid IN (SELECT {key_sql("c")} FROM complaint c WHERE c.consumer_id = NEW.id);
            INSERT INTO {TABLE} (rowid, document) {keyed_rows} WHERE c.consumer_id = NEW.id
            ORDER BY 1;
        END""",
        # Cases are never deleted; were one to be, its row would go with it.
        f"""CREATE TRIGGER complaint_unsearched AFTER DELETE ON complaint BEGIN
            DELETE FROM {TABLE} WHERE rowid = {key_sql("OLD")};
        END""",
        f"INSERT INTO {TABLE} (rowid, document) {keyed_rows} ORDER BY 1",
    ):
        connection.exec_driver_sql(statement)


def _create_on_postgresql(connection: Connection) -> None:
    statements = [
        f"""CREATE TABLE {TABLE} (
            case_id INTEGER PRIMARY KEY REFERENCES complaint (id) ON DELETE CASCADE,
            document TEXT NOT NULL
        )""",
        f"""CREATE FUNCTION complaint_searched() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} (case_id, document) {_ROWS_OF} WHERE c.id = NEW.id
            ON CONFLICT (case_id) DO UPDATE SET document = excluded.document;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER complaint_searched AFTER INSERT OR UPDATE OF {_CASE_COLUMNS}
        ON complaint FOR EACH ROW EXECUTE FUNCTION complaint_searched()""",
        f"""CREATE FUNCTION consumer_searched() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} s SET document = d.document
            FROM ({_ROWS_OF} WHERE c.consumer_id = NEW.id) AS d (case_id, document)
            WHERE s.case_id = d.case_id;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER consumer_searched AFTER UPDATE OF {_CONSUMER_COLUMNS}
        ON consumer FOR EACH ROW EXECUTE FUNCTION consumer_searched()""",
        f"INSERT INTO {TABLE} (case_id, document) {_ROWS_OF}",
    ]
    for statement in statements:
        connection.exec_driver_sql(statement)
    schema = trigram_schema(connection)
    if schema is not None:
        connection.exec_driver_sql(
            f"CREATE INDEX ix_{TABLE}_document ON {TABLE} "
            f'USING gin (document "{schema}".gin_trgm_ops)'
        )


def trigram_schema(connection: Connection) -> str | None:
    """The schema holding pg_trgm, creating the extension if need be; None when it is not
    there and this role may not create it (then ILIKE scans the table: see above)."""
    installed = (
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    )
    schema = connection.exec_driver_sql(installed).scalar_one_or_none()
    if schema is not None:
        return str(schema).strip('"')
    # In `public`, shared by every store of the database: in a store's own schema it would go
    # when that schema is dropped, and every other store's index with it (DROP ... CASCADE).
    # Failing that (no rights there), in the store's schema. pg_trgm is trusted since
    # PostgreSQL 13: a role that may create objects in a schema may create it there.
    for where in (" SCHEMA public", ""):
        try:
            # A savepoint: a refused CREATE EXTENSION must not end the upgrade's transaction.
            with connection.begin_nested():
                connection.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}")
            break
        except DBAPIError:
            # No rights, no contrib modules, or another store created it at the same moment.
            if (schema := connection.exec_driver_sql(installed).scalar_one_or_none()) is not None:
                return str(schema).strip('"')
    schema = connection.exec_driver_sql(installed).scalar_one_or_none()
    # None: no index, and ILIKE scans (see above).
    return None if schema is None else str(schema).strip('"')


def drop_search_index(connection: Connection) -> None:
    """Take the index and its triggers away (revision 0005's downgrade on SQLite, before it
    makes 0004's again)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TABLE {TABLE}")
        for name in ("complaint_searched", "consumer_searched"):
            connection.exec_driver_sql(f"DROP FUNCTION {name}() CASCADE")
        return
    for name in _SQLITE_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    connection.exec_driver_sql(f"DROP TABLE {TABLE}")
    connection.exec_driver_sql(f"DROP TABLE {HELD}")
