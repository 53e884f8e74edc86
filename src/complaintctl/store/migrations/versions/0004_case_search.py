"""The search index `find` reads: each case's reference, dispute reference, consumer's name,
email and address, and summary, kept current by triggers.

Frozen: the index as this revision made it, copied here from store/search.py, so that a later
revision changing the index there cannot change what this one means. On SQLite its rowid is
the case's id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.engine import Connection

from complaintctl.store.search import trigram_schema, trigram_supported

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "case_search"
_DOCUMENT = (
    "c.ref || ' ' || coalesce(c.dispute_ref, '') || ' ' || co.name || ' ' || "
    "coalesce(co.email, '') || ' ' || coalesce(co.address, '') || ' ' || c.summary"
)
_ROWS_OF = f"SELECT c.id, {_DOCUMENT} FROM complaint c JOIN consumer co ON co.id = c.consumer_id"
_CASE_COLUMNS = "ref, consumer_id, dispute_ref, summary"
_CONSUMER_COLUMNS = "name, email, address"
SQLITE_TRIGGERS = (
    "complaint_searched",
    "complaint_searched_again",
    "consumer_searched",
    "complaint_unsearched",
)


def upgrade() -> None:
    create(op.get_bind())


def downgrade() -> None:
    drop(op.get_bind())


def create(connection: Connection) -> None:
    """Make the index and its triggers as this revision did, indexing every case there."""
    if connection.dialect.name == "postgresql":
        _create_on_postgresql(connection)
    else:
        _create_on_sqlite(connection)


def drop(connection: Connection) -> None:
    """Take this revision's index and triggers away."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TABLE {TABLE}")
        for name in ("complaint_searched", "consumer_searched"):
            connection.exec_driver_sql(f"DROP FUNCTION {name}() CASCADE")
        return
    for name in SQLITE_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    connection.exec_driver_sql(f"DROP TABLE {TABLE}")


def _create_on_sqlite(connection: Connection) -> None:
    if trigram_supported():
        table = f"CREATE VIRTUAL TABLE {TABLE} USING fts5(document, tokenize = 'trigram')"
    else:
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
