"""The search index keyed by receipt on SQLite: each row's rowid is made of the day the case
was received and its id (store/search.py, `key_sql`), so that `find` reads the most recent
matches first without reading every match. The rows are made again from the cases and their
consumers, with the triggers that keep them, and a table (`case_search_held`) through which
an import holds the triggers back to index its cases together. PostgreSQL's index is
unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from types import ModuleType

from alembic import context, op

from complaintctl.store.search import create_search_index, drop_search_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    _revision_0004().drop(connection)
    # As a new store has it (a later revision changing it keeps a copy of this one, as 0004 does).
    create_search_index(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    drop_search_index(connection)
    _revision_0004().create(connection)


def _revision_0004() -> ModuleType:
    """Revision 0004's own module, which keeps the index as it made it."""
    script = context.script.get_revision("0004")
    assert script is not None
    return script.module
