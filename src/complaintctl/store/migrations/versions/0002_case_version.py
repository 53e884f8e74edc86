"""complaint.version: one more with every step, so a script acting on what it read can tell
when someone else stepped in between.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing cases start at 0, as a newly logged case does.
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("version")
