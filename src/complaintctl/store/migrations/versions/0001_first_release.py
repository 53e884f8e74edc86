"""The schema complaintctl 0.1.0 created, before it shipped migrations.

A store made by 0.1.0 has these tables and no revision table; `db upgrade` marks it as
this revision and goes on from here. Frozen: it names SQLAlchemy's own types, never the program's
models, so later changes to the models cannot change what this revision means.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("holiday_region", sa.String(), nullable=False),
        sa.Column("holidays_from", sa.Date(), nullable=False),
        sa.Column("holidays_through", sa.Date(), nullable=False),
        sa.Column("holidays_source", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "closed_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind"),
    )
    op.create_table(
        "consumer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("preferred_contact", sa.String(), nullable=True),
        sa.Column("adjustments", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_consumer_email"), "consumer", ["email"], unique=False)
    op.create_table(
        "ref_counter",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "staff",
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("dispute_ref", sa.String(), nullable=True),
        sa.Column("board", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("about", sa.Date(), nullable=True),
        sa.Column("out_of_time", sa.Boolean(), nullable=False),
        sa.Column("responder", sa.String(), nullable=True),
        sa.Column("first_responder", sa.String(), nullable=True),
        sa.Column("handler", sa.String(), nullable=True),
        sa.Column("close_reason", sa.String(), nullable=True),
        sa.Column("source_id", sa.String(), nullable=True),
        sa.Column("logged_by", sa.String(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index(op.f("ix_complaint_consumer_id"), "complaint", ["consumer_id"], unique=False)
    op.create_index(op.f("ix_complaint_source_id"), "complaint", ["source_id"], unique=False)
    op.create_index(op.f("ix_complaint_stage"), "complaint", ["stage"], unique=False)
    op.create_table(
        "restriction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("dispute_ref", sa.String(), nullable=True),
        sa.Column("contact_channel", sa.String(), nullable=True),
        sa.Column("contact_via", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(), nullable=True),
        sa.Column("lift_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_restriction_consumer_id"), "restriction", ["consumer_id"], unique=False
    )
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("restriction_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["restriction_id"],
            ["restriction.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_deadline_case_id"), "deadline", ["case_id"], unique=False)
    op.create_index("ix_deadline_open_due", "deadline", ["ended_at", "due_at"], unique=False)
    op.create_index(
        op.f("ix_deadline_restriction_id"), "deadline", ["restriction_id"], unique=False
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["complaint.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_event_case_id"), "event", ["case_id"], unique=False)
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_incident_consumer_id"), "incident", ["consumer_id"], unique=False)
    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("remedies", sa.Text(), nullable=False),
        sa.Column("goodwill_pence", sa.Integer(), nullable=True),
        sa.Column("given_by", sa.String(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["complaint.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_response_case_id"), "response", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_response_case_id"), table_name="response")
    op.drop_table("response")
    op.drop_index(op.f("ix_incident_consumer_id"), table_name="incident")
    op.drop_table("incident")
    op.drop_index(op.f("ix_event_case_id"), table_name="event")
    op.drop_table("event")
    op.drop_index(op.f("ix_deadline_restriction_id"), table_name="deadline")
    op.drop_index("ix_deadline_open_due", table_name="deadline")
    op.drop_index(op.f("ix_deadline_case_id"), table_name="deadline")
    op.drop_table("deadline")
    op.drop_index(op.f("ix_restriction_consumer_id"), table_name="restriction")
    op.drop_table("restriction")
    op.drop_index(op.f("ix_complaint_stage"), table_name="complaint")
    op.drop_index(op.f("ix_complaint_source_id"), table_name="complaint")
    op.drop_index(op.f("ix_complaint_consumer_id"), table_name="complaint")
    op.drop_table("complaint")
    op.drop_table("staff")
    op.drop_table("ref_counter")
    op.drop_index(op.f("ix_consumer_email"), table_name="consumer")
    op.drop_table("consumer")
    op.drop_table("closed_day")
    op.drop_table("calendar_setting")
