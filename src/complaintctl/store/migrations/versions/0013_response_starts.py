"""Response starts: each response's kept item holds where its working time starts (`since`:
the case's acknowledgement for a first-stage response, its latest escalation by then for a
final one) and, for a first-stage response, whether the case was escalated since (`flag`), so
the report reads both from the items' index instead of looking them up case by case.

The column and index are made as this revision first made them and the facts' version is
forgotten, here and on the way down: the upgrade makes every case's facts again, with the
tables as they are at the program's revision (store/schema.upgrade), as 0012 does.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complaintctl.store.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_KIND_AT = "ix_case_fact_item_kind_at"
_KIND_CASE = "ix_case_fact_item_kind_case"
# The items' index on their date, as 0012 made it and as this revision makes it.
_KIND_AT_BEFORE = ("kind", "at", "word", "pence", "flag", "number", "case_id")
_KIND_AT_AFTER = ("kind", "at", "word", "pence", "flag", "number", "since", "case_id")
# 0012's index of a case's items by kind, for the lookups `since` replaces.
_KIND_CASE_BEFORE = ("kind", "case_id", "at")

# The store_setting key of the version of the facts a store's kept facts were made by.
_FACTS_VERSION = "facts-version"


def upgrade() -> None:
    op.drop_index(_KIND_AT, table_name="case_fact_item")
    op.drop_index(_KIND_CASE, table_name="case_fact_item", if_exists=True)
    op.add_column("case_fact_item", sa.Column("since", UTCDateTime(), nullable=True))
    op.create_index(_KIND_AT, "case_fact_item", list(_KIND_AT_AFTER), unique=False)
    _forget_the_facts_version()


def downgrade() -> None:
    op.drop_index(_KIND_AT, table_name="case_fact_item")
    with op.batch_alter_table("case_fact_item") as table:
        table.drop_column("since")
    op.create_index(_KIND_AT, "case_fact_item", list(_KIND_AT_BEFORE), unique=False)
    op.create_index(_KIND_CASE, "case_fact_item", list(_KIND_CASE_BEFORE), unique=False)
    _forget_the_facts_version()


def _forget_the_facts_version() -> None:
    op.execute(sa.text("DELETE FROM store_setting WHERE key = :key").bindparams(key=_FACTS_VERSION))
