"""staff.db_role and staff.os_login, and the store_setting table: a member of staff bound to
the PostgreSQL login role, or the operating-system login, that acts as them; and the store's
own settings (every role must be bound; logins are mapped to staff), with who set them when.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complaintctl.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Staff already in the store are bound to no one: they act as before.
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("db_role", sa.String(), nullable=True))
        batch.add_column(sa.Column("os_login", sa.String(), nullable=True))
    op.create_index(op.f("ix_staff_db_role"), "staff", ["db_role"], unique=True)
    op.create_index(op.f("ix_staff_os_login"), "staff", ["os_login"], unique=True)
    op.create_table(
        "store_setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("store_setting")
    op.drop_index(op.f("ix_staff_os_login"), table_name="staff")
    op.drop_index(op.f("ix_staff_db_role"), table_name="staff")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("os_login")
        batch.drop_column("db_role")
