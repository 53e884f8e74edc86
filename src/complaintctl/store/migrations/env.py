"""Alembic's environment: migrations run on the connection complaintctl hands it.

`complaintctl db upgrade` (store/schema.py) opens the store, takes the write lock and passes its
connection in; nothing here reads a URL or an ini file.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from complaintctl.store import models  # noqa: F401 - registers the tables
from complaintctl.store.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot alter most of a table in place: Alembic copies it in a batch instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
