"""subject_access_request, and deadline.sar_id: a person's request for their data as a clock
of its own (kind subject-access), due one calendar month after receipt by the ICO's rule.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended_months", sa.Integer(), nullable=False),
        sa.Column("extend_reason", sa.Text(), nullable=True),
        sa.Column("extended_by", sa.String(), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("export_event_id", sa.Integer(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["consumer_id"], ["consumer.id"]),
        sa.ForeignKeyConstraint(["export_event_id"], ["event.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_subject_access_request_consumer_id"),
        "subject_access_request",
        ["consumer_id"],
        unique=False,
    )
    # Existing clocks are cases' and restrictions': none is a request's.
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("sar_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_deadline_sar_id"), ["sar_id"], unique=False)
        batch.create_foreign_key("fk_deadline_sar_id", "subject_access_request", ["sar_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_constraint("fk_deadline_sar_id", type_="foreignkey")
        batch.drop_index(batch.f("ix_deadline_sar_id"))
        batch.drop_column("sar_id")
    op.drop_index(
        op.f("ix_subject_access_request_consumer_id"), table_name="subject_access_request"
    )
    op.drop_table("subject_access_request")
