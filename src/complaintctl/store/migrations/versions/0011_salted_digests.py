"""event.salts: the salts an entry's values that may be personal are sealed with, so that a
removed value's digest (kept in its marker, so the seal holds) answers no guess of what it was.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Entries sealed before this revision were sealed without salts: they keep none, and their
    # seals hold as they were.
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("salts", sa.Text(), nullable=True))


def downgrade() -> None:
    # Downgrading drops the salts: the entries sealed with them no longer verify.
    with op.batch_alter_table("event") as batch:
        batch.drop_column("salts")
