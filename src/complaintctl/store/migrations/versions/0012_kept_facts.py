"""Kept facts: each case's facts as the figures count them (case_fact, case_fact_item), as a
replay of its whole history gives them; from here on the unit of work keeps them as history is
written (store/facts.py; ARCHITECTURE.md, "Kept facts").

The tables are written out as this revision first made them, and left empty: they are filled
once the store is at the program's revision, at the end of the upgrade (store/schema.upgrade),
by the program's own replay, for a store whose facts were made by no version or another one.
Filling them here, through today's code and tables, would break upgrading an older store
across this revision once a later one changes them. Any version a store's facts were noted as
made by is forgotten, here and on the way down, so that the upgrade fills them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complaintctl.store.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CLOCKS = ("ack", "respond", "final", "referral")
_CLOCK_COLUMNS = (
    ("start", UTCDateTime),
    ("due", UTCDateTime),
    ("rule_due", UTCDateTime),
    ("recorded_at", UTCDateTime),
    ("extended", sa.Boolean),
    ("met_at", UTCDateTime),
    ("on_time", sa.Boolean),
    ("cancelled_at", UTCDateTime),
)

# The tables' indexes as this revision made them (each statement of the report's counts reads
# one alone).
_FACT_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_case_fact_received": (
        "received_at", "recorded_to", "channel", "category", "board", "out_of_time", "stage",
        "close_reason", "close_because", "ack_start", "ack_due", "ack_rule_due", "ack_extended",
        "ack_met_at", "ack_on_time", "ack_cancelled_at", "acknowledged_at", "case_id",
    ),
    "ix_case_fact_respond_due": (
        "respond_due", "recorded_to", "respond_start", "respond_rule_due", "respond_extended",
        "respond_met_at", "respond_on_time", "respond_cancelled_at", "case_id",
    ),
    "ix_case_fact_final_due": (
        "final_due", "recorded_to", "final_start", "final_rule_due", "final_extended",
        "final_met_at", "final_on_time", "final_cancelled_at", "case_id",
    ),
    "ix_case_fact_stage": (
        "stage", "recorded_to", "received_at", "ack_due", "ack_met_at", "ack_cancelled_at",
        "respond_due", "respond_met_at", "respond_cancelled_at", "final_due", "final_met_at",
        "final_cancelled_at", "case_id",
    ),
    "ix_case_fact_recorded_to": (
        "recorded_to",
    ),
}  # fmt: skip
_ITEM_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_case_fact_item_kind_at": (
        "kind", "at", "word", "pence", "flag", "number", "case_id",
    ),
    "ix_case_fact_item_kind_case": (
        "kind", "case_id", "at",
    ),
}  # fmt: skip


# The store_setting key of the version of the facts a store's kept facts were made by.
_FACTS_VERSION = "facts-version"


def upgrade() -> None:
    op.create_table(
        "case_fact",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_to", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("board", sa.Boolean(), nullable=False),
        sa.Column("out_of_time", sa.Boolean(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("close_reason", sa.String(), nullable=True),
        sa.Column("close_because", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        *(
            sa.Column(f"{prefix}_{name}", kind(), nullable=True)
            for prefix in _CLOCKS
            for name, kind in _CLOCK_COLUMNS
        ),
        sa.ForeignKeyConstraint(["case_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "case_fact_item",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("word", sa.Text(), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=True),
        sa.Column("pence", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("due", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("case_id", "seq"),
    )
    for table, indexes in (("case_fact", _FACT_INDEXES), ("case_fact_item", _ITEM_INDEXES)):
        for name, columns in indexes.items():
            op.create_index(name, table, list(columns), unique=False)
    _forget_the_facts_version()


def downgrade() -> None:
    for table, indexes in (("case_fact", _FACT_INDEXES), ("case_fact_item", _ITEM_INDEXES)):
        for name in indexes:
            op.drop_index(name, table_name=table)
    op.drop_table("case_fact_item")
    op.drop_table("case_fact")
    _forget_the_facts_version()


def _forget_the_facts_version() -> None:
    op.execute(sa.text("DELETE FROM store_setting WHERE key = :key").bindparams(key=_FACTS_VERSION))
