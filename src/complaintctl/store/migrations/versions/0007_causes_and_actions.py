"""Causes and actions: the list of causes a response records (seeded with the defaults),
response.causes, the case_action table (a remedy owed or an improvement, with an owner and a
due), and deadline.action_id (an action's due is a clock of kind "action").

Frozen: the default causes are written here as this revision first wrote them, not read from
the program's policy, which may change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from complaintctl.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_DEFAULT_CAUSES = (
    ("delay", "a delay: something took longer than it should"),
    ("poor-communication", "poor communication: not kept updated, or not explained properly"),
    ("process-not-followed", "a process not followed"),
    ("wrong-information", "wrong information given"),
    ("staff-conduct", "the conduct of a member of staff"),
    ("system-or-record-error", "a system or record error"),
    ("other", "anything else"),
)


def upgrade() -> None:
    cause = op.create_table(
        "cause",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("words", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # The upgrade's moment, as `db upgrade` read the clock; the revision's date where a
    # caller ran the migrations without one.
    config = op.get_context().config
    given = config.attributes.get("at") if config is not None else None
    added_at = given or datetime(2026, 12, 3, tzinfo=UTC)
    op.bulk_insert(
        cause,
        [
            {"name": name, "words": words, "added_by": "complaintctl", "added_at": added_at}
            for name, words in _DEFAULT_CAUSES
        ],
    )
    op.create_table(
        "case_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_action_case_id"), "case_action", ["case_id"], unique=False)
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("causes", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_deadline_action_id_case_action", "case_action", ["action_id"], ["id"]
        )
        batch.create_index(op.f("ix_deadline_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_index(op.f("ix_deadline_action_id"))
        batch.drop_constraint("fk_deadline_action_id_case_action", type_="foreignkey")
        batch.drop_column("action_id")
    with op.batch_alter_table("response") as batch:
        batch.drop_column("causes")
    op.drop_index(op.f("ix_case_action_case_id"), table_name="case_action")
    op.drop_table("case_action")
    op.drop_table("cause")
