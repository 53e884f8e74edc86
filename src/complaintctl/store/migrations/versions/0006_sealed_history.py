"""event.digest and event.chain, and the chain_head table: every history entry sealed and
chained to the one before it (domain/chain.py), so a change made behind the tool's back shows.

The entries already in the store are sealed here, in id order, by the upgrade: the chain
proves nothing about what they were before it (README, "Is this record trustworthy?"). The
upgrade's own entry, recorded after the migrations, is the first sealed as it is written.

Frozen: the tables as this revision reads and writes them are named here; the encoding is the
program's one rule (domain/chain.py), which a later revision changing it would seal again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complaintctl.domain.chain import GENESIS, Entry, seal
from complaintctl.store.types import UTCDateTime, details_of

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_PAGE = 5000
_event = sa.table(
    "event",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("at", UTCDateTime()),
    sa.column("recorded_at", UTCDateTime()),
    sa.column("login", sa.String()),
    sa.column("host", sa.String()),
    sa.column("details", sa.Text()),
    sa.column("digest", sa.String()),
    sa.column("chain", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("digest", sa.String(), nullable=True))
        batch.add_column(sa.Column("chain", sa.String(), nullable=True))
    head = op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    last_id, entries, chain = _seal_every_entry(op.get_bind())
    op.bulk_insert(head, [{"id": 1, "last_id": last_id, "entries": entries, "chain": chain}])
    with op.batch_alter_table("event") as batch:
        batch.alter_column("digest", existing_type=sa.String(), nullable=False)
        batch.alter_column("chain", existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    op.drop_table("chain_head")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("chain")
        batch.drop_column("digest")


def _seal_every_entry(connection: sa.Connection) -> tuple[int, int, str]:
    """Seal the entries already there, in id order, a page at a time: (last id, how many,
    the chain's head)."""
    c = _event.c
    fields = (c.id, c.case_id, c.action, c.actor, c.at, c.recorded_at, c.login, c.host, c.details)
    chain, entries, last_id = GENESIS, 0, 0
    while True:
        rows = connection.execute(
            sa.select(*fields).where(c.id > last_id).order_by(c.id).limit(_PAGE)
        ).all()
        if not rows:
            return last_id, entries, chain
        sealed = []
        for row in rows:
            # Details that are not the JSON object complaintctl wrote were changed by hand: the
            # store is damaged (UnreadableDetails), said so before anything is sealed.
            details_of(row.details)
            entry = seal(chain, Entry(*row))
            chain, entries, last_id = entry.chain, entries + 1, row[0]
            sealed.append({"entry_id": row[0], "new_digest": entry.digest, "new_chain": chain})
        connection.execute(
            sa.update(_event)
            .where(c.id == sa.bindparam("entry_id"))
            .values(digest=sa.bindparam("new_digest"), chain=sa.bindparam("new_chain")),
            sealed,
        )
