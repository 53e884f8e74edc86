"""event.login and event.host: the operating-system login, and the machine, that ran the command
recording each history entry, beside the member of staff it acted as (--as).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Entries recorded before this revision did not note them: they stay empty.
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("login", sa.String(), nullable=True))
        batch.add_column(sa.Column("host", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_column("host")
        batch.drop_column("login")
