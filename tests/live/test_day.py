"""A day's work in the live view, as a new member of the complaints team does it at 80×24 with
the keyboard alone (sam, the demo's senior complaint executive, who acknowledges, assigns and
responds):
the queue, an acknowledgement, an assignment, a letter, a search, and quitting. Every key is
pressed through Textual's pilot; nothing is set on a widget directly, and what each step did
is read back from the store through the services."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from complaintctl.domain.procedure import Action
from complaintctl.live.app import CaseScreen, LiveApp, QueueScreen, StepForm, StepPicker
from tests.live.conftest import Apps, Sessions


async def keys(pilot: Pilot[None], *pressed: str) -> None:
    for key in pressed:
        await pilot.press(key)
    await pilot.pause()


async def open_from_queue(pilot: Pilot[None], app: LiveApp, ref: str) -> CaseScreen:
    """To the top of the queue (Ctrl+Home), down to the case's row, and Enter."""
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    table = queue.table
    await keys(pilot, "ctrl+home", *["down"] * table.get_row_index(ref), "enter")
    assert isinstance(app.screen, CaseScreen)
    assert ref == app.screen.ref
    return app.screen


async def step(pilot: Pilot[None], app: LiveApp, action: Action) -> StepForm:
    """`t`, then down the steps offered to the one wanted, and Enter."""
    await keys(pilot, "t")
    picker = app.screen
    assert isinstance(picker, StepPicker)
    await keys(pilot, *["down"] * picker.offered.index(action), "enter")
    assert isinstance(app.screen, StepForm)
    return app.screen


def status(app: LiveApp) -> str:
    return str(app.screen.query_one("#status").render())


async def test_a_days_queue_worked_with_the_keyboard_at_80_columns(
    live: Apps, session: Sessions, tmp_path: Path
) -> None:
    letter = tmp_path / "ada-ack.txt"
    app = live("sam")
    said = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # The queue, most urgent first; Ada Lovelace's complaint waits to be acknowledged.
        await open_from_queue(pilot, app, "SC-2026-000003")
        await step(pilot, app, Action.ACKNOWLEDGE)
        await keys(pilot, *"Casework", "enter", "enter")  # the area; no out-of-time reason
        said.append(status(app))
        # A letter to say so: its kind chosen from the list, the format, the file.
        await step(pilot, app, Action.LETTER)
        await keys(pilot, "enter", "down", "enter")  # the kind: the first (acknowledgement)
        await keys(pilot, "tab", "enter", "down", "enter")  # the format: text
        await keys(pilot, "tab", *str(letter), "enter")
        said.append(status(app))
        await keys(pilot, "escape")
        # Nikola Tesla's, acknowledged to Casework, goes to a responder there.
        await open_from_queue(pilot, app, "SC-2026-000010")
        await step(pilot, app, Action.ASSIGN)
        await keys(pilot, *"rita", "enter")
        said.append(status(app))
        await keys(pilot, "escape")
        # The phone rings: the consumer gives their name.
        await keys(pilot, "slash", *"Lovelace", "enter")
        found = status(app)
        await keys(pilot, "enter")
        opened = app.screen
        assert isinstance(opened, CaseScreen)
        await keys(pilot, "escape", "escape")
        back = app.screen
        await keys(pilot, "q")
        quitting = app._exit  # the app asked to close (it closes as the pilot lets go)
    ada, _ = session("sam").case("SC-2026-000003")
    tesla, _ = session("sam").case("SC-2026-000010")
    assert [
        "Acknowledged SC-2026-000003, routed to Casework",
        f"Issued the acknowledgement letter on SC-2026-000003 (text): {letter}",
        "Assigned SC-2026-000010 to rita",
    ] == [line.split("\n")[0] for line in said]
    assert ("first-stage", "Casework") == (ada.stage, ada.area)
    assert ["acknowledge", "letter"] == [e.action for e in ada.history[-2:]]
    assert "Ada Lovelace" in letter.read_text()
    assert "rita" == tesla.responder
    assert found.startswith("1 found for 'Lovelace'")
    assert "SC-2026-000003" == opened.ref
    assert isinstance(back, QueueScreen)
    assert back.found is None
    assert quitting
