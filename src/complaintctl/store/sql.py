"""SQL pieces the listings and the bulk writer share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Select, bindparam

# A SELECT of any columns: the listings' and lookups' statements.
AnySelect = Select[*tuple[Any, ...]]


def list_parameter(name: str) -> BindParameter[Any]:
    """A parameter standing for a list (`IN`), given at execution: SQLAlchemy then need not
    make a parameter of each value as it builds the statement."""
    return bindparam(name, expanding=True)
