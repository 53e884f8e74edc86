"""Snapshots of the live view (pytest-textual-snapshot): the queue, a case and a refusal, at
80×24 and at 160×48, on the demo store with the clock fixed. A changed screen fails until its
snapshot is looked at and updated (pytest --snapshot-update), as a changed table would."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from complaintctl.domain.procedure import Action
from complaintctl.live.app import LiveApp, StepForm, StepPicker
from tests.live.conftest import Apps

SIZES = [(80, 24), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_the_queue(live: Apps, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(live("olu"), terminal_size=size)


async def _open(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, LiveApp)
    await pilot.pause()
    app.open_case("SC-2026-000004")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_a_case(live: Apps, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(live("olu"), terminal_size=size, run_before=_open)


async def _refused(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, LiveApp)
    await pilot.pause()
    app.open_case("SC-2026-000010")
    await pilot.pause()
    await pilot.press("t")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, StepPicker)
    from textual.widgets import Input, OptionList

    picker.query_one(OptionList).highlighted = picker.offered.index(Action.ASSIGN)
    await pilot.press("enter")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, StepForm)
    form.query_one("#f-to", Input).value = "eve"
    await pilot.press("ctrl+s")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_a_refusal(live: Apps, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(live("sam"), terminal_size=size, run_before=_refused)
