"""The search index `find` reads: each case's reference, dispute reference, consumer's name,
email and address, and summary, kept current by triggers (store/search.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from complaintctl.store.search import create_search_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The index and its triggers as a new store has them, with every existing case indexed.
    # Not in the models' metadata (an FTS5 table on SQLite), so made by store/search.py, as a
    # new store's is. That is the index as this revision makes it: changing it takes a new
    # revision, and this one then keeps a copy of what it made.
    create_search_index(op.get_bind())


def downgrade() -> None:
    from complaintctl.store.search import drop_search_index

    drop_search_index(op.get_bind())
