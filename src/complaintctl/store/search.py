"""The search index `find` reads: one row per case, its searchable text, kept current by the
store's own triggers.

Each case's row holds its reference, dispute reference, consumer's name, email and postal
address, and summary, joined by spaces (search words never hold a space, so none matches
across two fields). Triggers on `complaint` and `consumer` keep it current whoever writes:
`log` through the ORM, `import` and the benchmarks with plain inserts, `consumer update`.
A step changes none of these columns, so steps never touch the index.

- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34 and later), which finds any
  substring of three characters or more, case aside (Unicode's, for MATCH). Where SQLite has
  no trigram tokenizer, a plain table instead, searched with LIKE (a scan, and ASCII-only
  case folding): slower, same answers for ASCII text.
- PostgreSQL: a table with a pg_trgm GIN index, searched with ILIKE, which the index serves.
  Without the rights to create the pg_trgm extension, the table has no such index and ILIKE
  scans it: slower, same answers.

Made with a new store (schema.create_schema) and by revision 0004 for an older one; not in
the models' metadata, since neither backend's form of it is an ordinary table.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

TABLE = "case_search"
_SQLITE_TRIGGERS = (
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
_ROWS_OF = f"SELECT c.id, {_DOCUMENT} FROM complaint c JOIN consumer co ON co.id = c.consumer_id"
# The columns whose change changes a row of the index.
_CASE_COLUMNS = "ref, consumer_id, dispute_ref, summary"
_CONSUMER_COLUMNS = "name, email, address"


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
    for statement in (
        table,
        f"""CREATE TRIGGER complaint_searched AFTER INSERT ON complaint BEGIN
            INSERT INTO {TABLE} (rowid, document) {_ROWS_OF} WHERE c.id = NEW.id;
        END""",
        f"""CREATE TRIGGER complaint_searched_again AFTER UPDATE OF {_CASE_COLUMNS}
        ON complaint BEGIN
            DELETE FROM {TABLE} WHERE rowid = OLD.id;
            INSERT INTO {TABLE} (rowid, document) {_ROWS_OF} WHERE c.id = NEW.id;
        END""",
        f"""CREATE TRIGGER consumer_searched AFTER UPDATE OF {_CONSUMER_COLUMNS}
        ON consumer BEGIN
            DELETE FROM {TABLE}
            WHERE rowid IN (SELECT id FROM complaint WHERE consumer_id = NEW.id);
            INSERT INTO {TABLE} (rowid, document) {_ROWS_OF} WHERE c.consumer_id = NEW.id;
        END""",
        # Cases are never deleted; were one to be, its row would go with it.
        f"""CREATE TRIGGER complaint_unsearched AFTER DELETE ON complaint BEGIN
            DELETE FROM {TABLE} WHERE rowid = OLD.id;
        END""",
        f"INSERT INTO {TABLE} (rowid, document) {_ROWS_OF}",
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
    """Take the index and its triggers away (revision 0004's downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TABLE {TABLE}")
        for name in ("complaint_searched", "consumer_searched"):
            connection.exec_driver_sql(f"DROP FUNCTION {name}() CASCADE")
        return
    for name in _SQLITE_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    connection.exec_driver_sql(f"DROP TABLE {TABLE}")
