"""The store's reads for shell completion name the models' own tables and columns."""

from __future__ import annotations


def test_the_tables_completion_reads_by_name_are_the_models() -> None:
    from complaintctl.store import completion, models, schema

    for read, table in (
        (completion._case, models.Case.__table__),
        (completion._staff, models.Staff.__table__),
        (completion._version, schema._versions),
    ):
        assert (read.name, set(read.c.keys()) - set(table.c.keys())) == (table.name, set())
