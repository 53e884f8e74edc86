"""Retention: the retention policy's history, legal holds, and when a consumer or a case was
anonymised (retention apply, consumer erase).

No policy row means the default policy (domain/retention.py): a store upgraded here keeps
its records as before until a retention run finds something due.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("consumer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_by", sa.String(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["consumer_id"], ["consumer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consumer") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # The holds first: they refer to the tables whose columns go next.
    op.drop_table("legal_hold")
    op.drop_table("retention_policy")
    # Not batch mode: on SQLite that makes the tables again, and the rows referring to a
    # consumer or a case would stop it. SQLite (3.35 on) and PostgreSQL drop a column alike.
    op.execute("ALTER TABLE complaint DROP COLUMN anonymised_at")
    op.execute("ALTER TABLE consumer DROP COLUMN anonymised_at")
