"""Tables for people: a table laid out a column at a time (most rows: one line each, every
cell fitting) is the table laid out row by row, cell by cell, whatever the cells hold."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from complaintctl.cli import render
from complaintctl.cli.render import CLIP, KEEP, WRAP, Cell, Column
from tests.conftest import examples

pytestmark = pytest.mark.properties

# Text as a listing's cells hold it: spaces (leading, doubled), a line break, wide and
# non-ASCII characters, long words.
_TEXT = st.lists(st.sampled_from([*"ab -é日👍\n", "x" * 9]), max_size=8).map("".join)
_STYLE = st.sampled_from(["", "bold", "yellow", "bold red"])


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[Column[int]], list[tuple[list[str], list[str]]], int]:
    count = draw(st.integers(1, 5))
    fits = draw(st.lists(st.sampled_from([KEEP, CLIP, WRAP]), min_size=1, max_size=4))
    columns = [
        Column(f"H{n}", lambda _: "", fit, cap=draw(st.sampled_from([0, 4, 10])))
        for n, fit in enumerate(fits)
    ]
    cells = [
        (
            draw(st.lists(_TEXT, min_size=count, max_size=count)),
            draw(st.lists(_STYLE, min_size=count, max_size=count)),
        )
        for _ in fits
    ]
    return columns, cells, draw(st.integers(10, 80))


@settings(max_examples=examples(200, 3000), deadline=None)
@given(_tables(), st.sampled_from(["standard", None]))
def test_a_table_a_column_at_a_time_is_the_table_row_by_row(
    table: tuple[list[Column[int]], list[tuple[list[str], list[str]]], int],
    colours: str | None,
) -> None:
    columns, cells, width = table
    console = Console(force_terminal=colours is not None, color_system=colours, width=width)
    widths = render.fit_widths(columns, [texts for texts, _ in cells], width)
    assume(widths is not None)
    assert widths is not None
    rows = [[Cell(texts[n], styles[n]) for texts, styles in cells] for n in range(len(cells[0][0]))]

    assert [render._row_lines(console, columns, widths, row) for row in rows] == (
        render._table_rows(console, columns, widths, cells)
    )
