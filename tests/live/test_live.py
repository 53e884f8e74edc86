"""The live view, driven by Textual's headless pilot on the demo store: the queue, a case, the
steps open to the acting member, a refusal, a case changed by someone else, and search.

Every expectation is what the services say (queue, show_case, find_cases) or what the store
holds afterwards: the live view is the commands' rules on one screen, never rules of its own.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, SelectionList, Static

from complaintctl import services
from complaintctl.cli.app import State
from complaintctl.config import Config
from complaintctl.domain.procedure import Action, Category, Channel, Role
from complaintctl.errors import ComplaintError, InvalidInput, OutputFailed, StoreUnavailable
from complaintctl.live.app import (
    CaseScreen,
    ExplainScreen,
    FilterForm,
    Keys,
    LiveApp,
    QueueScreen,
    QueueTable,
    StepForm,
    StepPicker,
    ViewPicker,
)
from complaintctl.live.forms import Field
from complaintctl.live.session import Session
from complaintctl.store import schema
from complaintctl.views import CaseView
from tests.conftest import dump_store
from tests.live.conftest import NOW, Apps, Sessions


def text_of(app: LiveApp, selector: str) -> str:
    """What a Static on the current screen shows, as plain text."""
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Text)
    return content.plain


def rows_of(app: LiveApp) -> list[list[str]]:
    """The rows of the table shown: the queue's, or a search's."""
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    table = screen.table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_case(pilot: Pilot[None], app: LiveApp, ref: str) -> CaseScreen:
    app.open_case(ref)
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen)
    return app.screen


async def choose_step(pilot: Pilot[None], app: LiveApp, action: Action, key: str = "t") -> StepForm:
    """`key` on a case's screen (`t` the steps, `a` the actions), then `action`'s form."""
    await pilot.press(key)
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, StepPicker)
    picker.query_one(OptionList).highlighted = picker.offered.index(action)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, StepForm)
    return app.screen


def fill(form: StepForm, values: dict[str, Any]) -> None:
    for name, value in values.items():
        widget = form.query_one(f"#f-{name}")
        if isinstance(widget, Select):
            widget.value = value
        elif isinstance(widget, SelectionList):
            for choice in value:
                widget.select(choice)
        else:
            assert isinstance(widget, Input)
            widget.value = value


async def take(
    pilot: Pilot[None], app: LiveApp, ref: str, action: Action, values: dict[str, Any]
) -> str:
    """Open the case, take the step through its form; what the case screen then says."""
    await open_case(pilot, app, ref)
    form = await choose_step(pilot, app, action)
    fill(form, values)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen), text_of(app, "#error")
    return text_of(app, "#status")


def emailed_in(session: Sessions, consumer: str, email: str, summary: str) -> CaseView:
    """A complaint about delay logged by olu as it came in by email: the case as logged."""
    complaint = services.NewComplaint(
        consumer=consumer,
        email=email,
        channel=Channel.EMAIL,
        category=Category.DELAY,
        summary=summary,
    )
    return session("olu").state.change(
        lambda uow, when: services.log_complaint(
            uow, complaint=complaint, by="olu", at=when, now=when
        ),
        None,
    )


# -- the queue ---------------------------------------------------------------------------


def officer_in(session: Sessions, area: str) -> None:
    """An officer, bea, added by sam to work in `area`: the area becomes one a case may be
    routed to. `staff add --area` refuses an area holding a bidirectional or invisible
    character, so bea's area is then written as a store from before that holds it."""
    session("sam").state.change(
        lambda uow, when: services.add_staff(
            uow, username="bea", name="Bea", role=Role.OFFICER, area="Odd", by="sam", at=when,
            now=when,
        ),
        None,
    )  # fmt: skip

    def move(uow: Any, when: Any) -> None:
        member = uow.staff("bea")
        member.area = area
        uow.commit()

    session("sam").state.change(move, None)


async def test_the_queue_lists_what_the_queue_service_gives_in_its_order(
    live: Apps, session: Sessions
) -> None:
    expected = session("olu").queue()
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = rows_of(app)
        status = text_of(app, "#status")
    assert [item.ref for item in expected.items] == [row[0] for row in rows]
    assert ["Nikola Tesla", "R", "late by 76h"] == [rows[0][2], rows[0][1], rows[0][-1]]
    assert (
        f"{len(expected.items)} open · {expected.count('breached')} breached · "
        f"{expected.count('due-soon')} due within 4h · as of Wed 2026-12-02 12:00 GMT"
    ) == status


async def test_a_long_queue_lists_its_most_urgent_and_counts_them_all(
    live: Apps, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaintctl.live import app as screens

    monkeypatch.setattr(screens, "SHOWN", 3)
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = rows_of(app)
        status = text_of(app, "#status")
    assert ["SC-2026-000010", "SC-2026-000005", "SC-2026-000003"] == [row[0] for row in rows]
    assert status.startswith("9 open · 3 breached")
    assert status.endswith("\nThe 3 most urgent shown: / finds any case")


async def test_a_wide_terminal_shows_the_area_owner_and_due_too(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        labels = [column.label.plain for column in table.columns.values()]
        mary = next(row for row in rows_of(app) if row[2] == "Mary Seacole")
    assert ["Ref", "!", "Consumer", "Stage", "Area", "Owner", "Next", "Due", "Working time"] == (
        labels
    )
    assert ["Casework", "rita", "respond"] == mary[4:7]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (130, 40)])
async def test_the_queue_fits_the_terminal_and_never_cuts_the_time_left(
    live: Apps, size: tuple[int, int]
) -> None:
    # At 120 columns the area, owner and due are shown: a long name gives way to them, never
    # the working time left, which the table pushed off its edge (`late by` and no figure).
    app = live("olu")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        overflow = table.max_scroll_x
        rows = rows_of(app)
    assert 0 == overflow
    assert "late by 76h" == rows[0][-1]


async def test_a_name_in_wide_characters_is_cut_to_its_columns_width_not_past_it(
    live: Apps, session: Sessions
) -> None:
    # Each of these characters takes two columns: cut by characters, the name took twice its
    # column's width and pushed the working time left off the edge, on every row.
    emailed_in(session, "王小明" * 10, "wang@example.com", "Late")
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        overflow = app.screen.query_one("#queue", QueueTable).max_scroll_x
        rows = rows_of(app)
    assert 0 == overflow
    assert "late by 76h" == rows[0][-1]


async def test_an_area_with_invisible_characters_is_cut_as_shown_not_as_stored(
    live: Apps, session: Sessions
) -> None:
    # An area is cut to its column, then shown inert: cut as stored, each bidi mark or
    # zero-width space grew to <U+…> after the cut, and the time left went off the edge.
    area = "\u202eCasework\u202c\u200b\u200b\u200b\u200b Complaints"
    officer_in(session, area)
    app = live("olu")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await take(pilot, app, "SC-2026-000001", Action.ACKNOWLEDGE, {"area": area})
        await pilot.press("escape")
        await pilot.pause()
        overflow = app.screen.query_one("#queue", QueueTable).max_scroll_x
        row = next(row for row in rows_of(app) if row[0] == "SC-2026-000001")
    assert 0 == overflow
    assert row[4].startswith("<U+202E>")
    assert row[4].endswith("…")
    assert "in 24h" == row[-1]


async def test_a_terminal_made_narrower_fits_the_queue_again(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        labels = [column.label.plain for column in table.columns.values()]
        overflow = table.max_scroll_x
    assert "Due" in labels
    assert 0 == overflow


async def test_the_breached_colour_is_the_queue_commands(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        styles = {table.get_row_at(i)[-1].plain: str(table.get_row_at(i)[-1].style) for i in
                  range(table.row_count)}  # fmt: skip
    assert "bold #ff0000" == styles["late by 76h"]
    assert "#ffff00" == styles["in 2h"]


async def test_the_acting_member_is_shown_on_every_screen(live: Apps) -> None:
    app = live("lee")
    shown = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown.append(text_of(app, "#bar"))
        await open_case(pilot, app, "SC-2026-000004")
        shown.append(text_of(app, "#bar"))
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        shown.append(text_of(app, "#bar"))
    assert ["complaintctl live · acting as lee (leader, Casework)"] * 3 == shown


async def test_someone_not_on_the_staff_is_told_their_steps_will_be_refused(live: Apps) -> None:
    app = live("visitor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = text_of(app, "#bar")
        case = await open_case(pilot, app, "SC-2026-000001")
    assert "acting as visitor (not active staff: steps will be refused)" in bar
    assert () == case.offered


async def test_the_queue_is_read_again_every_minute_showing_others_changes(
    live: Apps, session: Sessions
) -> None:
    app = live("olu", refresh_every=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        timers = [(t.name, t._interval) for t in app._timers if t.name == "minute"]
        before = next(row for row in rows_of(app) if row[0] == "SC-2026-000001")
        other = session("priya")
        other.take("SC-2026-000001", 0, lambda _uow: services.Acknowledge("Casework"))
        app.minute_gone_by()  # what the timer calls, a minute on: not waited for
        await pilot.pause()
        after = next(row for row in rows_of(app) if row[0] == "SC-2026-000001")
    assert [("minute", 60)] == timers
    assert (["received", "acknowledge"], ["first-stage", "respond"]) == (
        before[3:5],
        after[3:5],
    )


async def test_a_case_open_is_read_again_every_minute_too(live: Apps, session: Sessions) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000010")
        before = text_of(app, "#body")
        session("lee").take("SC-2026-000010", 1, lambda _uow: services.Assign("rita"))
        app.minute_gone_by()
        await pilot.pause()
        body = text_of(app, "#body")
    assert "Responder       -" in before
    assert "Responder       rita" in body
    assert "(version 2)" in body


async def test_a_minute_gone_by_during_a_search_reads_the_queue_on_the_way_back(
    live: Apps, session: Sessions
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Hopper", "enter")
        await pilot.pause()
        session("priya").take("SC-2026-000001", 0, lambda _uow: services.Acknowledge("Casework"))
        app.minute_gone_by()
        await pilot.pause()
        found = rows_of(app)
        await pilot.press("escape")
        await pilot.pause()
        after = next(row for row in rows_of(app) if row[0] == "SC-2026-000001")
    assert ["SC-2026-000001"] == [row[0] for row in found]
    assert ["first-stage", "respond"] == after[3:5]


# -- search --------------------------------------------------------------------------------


async def test_slash_searches_as_find_does_and_escape_goes_back_to_the_queue(
    live: Apps, session: Sessions
) -> None:
    expected = session("olu").find("example.com")
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"example.com", "enter")
        await pilot.pause()
        found = [row[0] for row in rows_of(app)]
        status = text_of(app, "#status")
        await pilot.press("escape")
        await pilot.pause()
        queue = rows_of(app)
    assert [item.ref for item in expected.items] == found
    assert "10 found for 'example.com' · Esc: back to the queue" == status
    assert 9 == len(queue)


async def test_a_click_on_a_key_at_the_foot_presses_it(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = app.screen.query_one(Keys)
        shown = keys.render().plain
        search = next(start for start, _end, key in keys.spans if key == "slash")
        await pilot.click(Keys, offset=(search + 2, 0))
        await pilot.pause()
        focused = app.focused
    assert " ⏎ Open case  / Search  v Views  r Refresh  q Quit  " == shown
    assert isinstance(focused, Input)
    assert focused.id == "search"


async def test_the_keys_at_the_foot_are_a_pickers_while_it_is_open(live: Apps) -> None:
    # Not the case's keys (t, a, e, q …), which do nothing while the picker is open.
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        keys = picker.query_one(Keys)
        shown, row = keys.render().plain, keys.region.y
        await pilot.press("escape")
        await pilot.pause()
        back = app.screen.query_one(Keys).render().plain
    assert isinstance(picker, StepPicker)
    assert (" esc Cancel  ", 23) == (shown, row)
    assert back.startswith(" t Take a step  a Actions  e Explain")


async def test_a_search_opens_a_closed_case_too(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"000009", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        body = text_of(app, "#body")
    assert "Reference       SC-2026-000009 (version 1)" in body
    assert "Stage           closed" in body


async def test_a_search_too_short_says_why(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "a", "b", "enter")
        await pilot.pause()
        status = text_of(app, "#status")
    assert status.startswith("Error: ")


async def test_a_search_pasted_with_a_nul_in_it_says_so_not_that_the_store_failed(
    live: Apps,
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "ada\x00"  # no key types one: a paste
        await pilot.press("enter")
        await pilot.pause()
        status = text_of(app, "#status")
    assert "Error: the search holds the control character \\x00" == status


# -- a case --------------------------------------------------------------------------------


async def test_enter_opens_the_case_as_show_has_it_with_its_whole_history(
    live: Apps, session: Sessions
) -> None:
    view, _ = session("olu").case("SC-2026-000007")
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        table.move_cursor(row=table.get_row_index("SC-2026-000007"))
        await pilot.press("enter")
        await pilot.pause()
        body = text_of(app, "#body")
    assert "Reference       SC-2026-000007 (version 4)" in body
    assert "Second stage    hana" in body
    assert "Deadline        final: open, due" in body
    history = body.split("\nHistory\n")[1].split("\nLetters issued\n")[0]
    entries = [line for line in history.splitlines() if not line.startswith(" ")]
    assert [e.action for e in view.history] == [line.split()[4] for line in entries]
    assert "Letters issued\nnone" in body


async def test_a_case_says_which_steps_are_open_to_the_acting_member(live: Apps) -> None:
    app = live("sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000005")
        body = text_of(app, "#body")
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, StepPicker)
        options = picker.query_one(OptionList)
        offered = [str(options.get_option_at_index(i).prompt) for i in
                   range(options.option_count)]  # fmt: skip
    assert body.endswith(
        "Steps open to you now: assign, respond, extend, close, note, incident, edit, "
        "letter --issue (t to take one)"
    )
    assert "assign: Assign the responder, or hand the second stage on" == offered[0]


async def test_explain_shows_why_a_deadline_falls_where_it_does(
    live: Apps, session: Sessions
) -> None:
    from complaintctl.cli.render import explain_lines

    expected = "\n".join(explain_lines(session("olu").explain("SC-2026-000004", "respond")))
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        shown = text_of(app, "#body")
        await pilot.press("escape")
        await pilot.pause()
        back = app.screen
    assert expected == shown
    assert isinstance(back, CaseScreen)


# -- steps ---------------------------------------------------------------------------------


async def test_a_note_typed_into_its_form_is_recorded_and_the_case_shows_it(
    live: Apps, session: Sessions
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000006")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # escalate, close, note
        await pilot.pause()
        await pilot.press(*"Called back", "enter")
        await pilot.pause()
        status = text_of(app, "#status")
        body = text_of(app, "#body")
    view, _ = session("olu").case("SC-2026-000006")
    note = view.history[-1]
    assert "Noted on SC-2026-000006" == status
    assert (Action.NOTE, "olu", "Called back", NOW) == (
        note.action,
        note.actor,
        note.details["text"],
        note.at,
    )
    assert "Contact         Wed 2026-12-02 12:00 GMT, file note (olu): Called back" in body


async def test_a_case_is_worked_through_the_procedure_from_the_live_view(
    live: Apps, session: Sessions
) -> None:
    """ack, assign, extend, respond, escalate, final and refer --outcome, each as the member
    who may take it, each through its form; and a close on another case."""
    said = []
    ref = "SC-2026-000001"
    journey: list[tuple[str, Action, dict[str, Any]]] = [
        ("olu", Action.ACKNOWLEDGE, {"area": "Casework"}),
        ("lee", Action.ASSIGN, {"to": "rita"}),
        ("rita", Action.EXTEND, {"until": "2026-12-31T17:00", "reason": "Records needed"}),
        ("rita", Action.RESPOND, {"decision": "partly-upheld", "summary": "We were slow",
                                  "remedy": ["apology", "goodwill-payment"], "goodwill": "50"}),
        ("olu", Action.ESCALATE, {"to": "hana", "reason": "Still unhappy"}),
        ("hana", Action.FINAL, {"decision": "upheld", "summary": "We were very slow"}),
    ]  # fmt: skip
    for actor, action, values in journey:
        app = live(actor)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            said.append(await take(pilot, app, ref, action, values))
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        said.append(await take(pilot, app, "SC-2026-000002", Action.CLOSE, {"reason": "withdrawn"}))
        said.append(
            await take(pilot, app, "SC-2026-000008", Action.OUTCOME, {"outcome": "not-upheld"})
        )
    view, _ = session("olu").case(ref)
    closed, _ = session("olu").case("SC-2026-000002")
    assert [
        "Acknowledged SC-2026-000001, routed to Casework",
        "Assigned SC-2026-000001 to rita",
        "Extended SC-2026-000001",
        "Responded to SC-2026-000001: partly-upheld",
        "Escalated SC-2026-000001 to hana",
        "Final response on SC-2026-000001: upheld",
        "Closed SC-2026-000002: withdrawn",
        "Assessor's outcome on SC-2026-000008: not-upheld",
    ] == [line.split("\n")[0] for line in said]
    assert ("final-response", 6, 5000) == (
        view.stage,
        view.version,
        view.responses[0].goodwill_pence,
    )
    assert [
        ("log", "olu"),
        ("acknowledge", "olu"),
        ("assign", "lee"),
        ("extend", "rita"),
        ("respond", "rita"),
        ("action-opened", "rita"),  # the goodwill's "pay" action
        ("escalate", "olu"),
        ("final", "hana"),
    ] == [(e.action, e.actor) for e in view.history]
    assert "closed" == closed.stage


async def test_a_step_taken_returns_to_a_queue_read_again(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, app, "SC-2026-000001", Action.ACKNOWLEDGE, {"area": "Casework"})
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        row = next(row for row in rows_of(app) if row[0] == "SC-2026-000001")
    assert ["first-stage", "respond"] == row[3:5]


async def test_enter_moves_down_the_form_and_takes_the_step_from_its_last_line(
    live: Apps, session: Sessions
) -> None:
    app = live("rita")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        await choose_step(pilot, app, Action.EXTEND)
        await pilot.press(*"2026-12-31T17:00", "enter")
        await pilot.pause()
        still = app.screen
        await pilot.press(*"Records needed", "enter")
        await pilot.pause()
        status = text_of(app, "#status")
    assert isinstance(still, StepForm)
    assert "Extended SC-2026-000004" == status


async def test_a_refusal_shows_the_commands_reason_and_writes_nothing(
    live: Apps, demo_store: str
) -> None:
    before = dump_store(demo_store)
    app = live("sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000010")
        form = await choose_step(pilot, app, Action.ASSIGN)
        fill(form, {"to": "eve"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        still = app.screen
        error = text_of(app, "#error")
    assert still is form
    assert (
        "Refused: eve works in Energy, not Casework, the area SC-2026-000010 was routed to" == error
    )
    assert before == dump_store(demo_store)


async def test_a_form_left_incomplete_is_refused_with_the_option_it_needs(
    live: Apps, demo_store: str
) -> None:
    before = dump_store(demo_store)
    app = live("sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000010")
        form = await choose_step(pilot, app, Action.RESPOND)
        fill(form, {"summary": "We were slow"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        no_decision = text_of(app, "#error")
        fill(form, {"decision": "upheld", "summary": " "})
        await pilot.press("ctrl+s")
        await pilot.pause()
        no_summary = text_of(app, "#error")
    assert "Refused: choose --decision: upheld, partly-upheld, not-upheld" == no_decision
    assert "Refused: --summary must not be empty" == no_summary
    assert before == dump_store(demo_store)


async def test_a_case_changed_by_someone_else_since_it_was_shown_is_refused_with_what_changed(
    live: Apps, session: Sessions, demo_store: str
) -> None:
    app = live("sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000010")
        form = await choose_step(pilot, app, Action.EXTEND)
        # Meanwhile, Lee assigns the case.
        session("lee").take("SC-2026-000010", 1, lambda _uow: services.Assign("rita"))
        before = dump_store(demo_store)
        fill(form, {"until": "2026-12-31T17:00", "reason": "Records needed"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app, "#error")
        await pilot.press("escape")
        await pilot.pause()
        body = text_of(app, "#body")
    assert (
        "Refused: case SC-2026-000010 changed since you looked (version 1, now 2): it is now "
        "at stage first-stage, in Casework, with rita; look again before acting"
    ) == error
    assert before == dump_store(demo_store)
    assert "Reference       SC-2026-000010 (version 2)" in body  # read again on the way back


async def test_a_store_removed_while_open_refuses_a_step_rather_than_writing_where_none_sees(
    live: Apps, demo_store: str, tmp_path: Path
) -> None:
    # SQLite keeps a file removed while it is open: a step written to it would be lost.
    moved = tmp_path / "moved.sqlite3"
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000006")
        form = await choose_step(pilot, app, Action.NOTE)
        Path(demo_store).rename(moved)
        fill(form, {"text": "Called back"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app, "#error")
    assert (
        f"Refused: the store {demo_store} is no longer there (removed or moved since the live "
        "view opened it): nothing was read from or written to it; put it back, or quit and "
        "start live again"
    ) == error
    assert "Called back" not in str(dump_store(str(moved)))
    assert not Path(demo_store).exists()


async def test_a_search_refreshed_after_the_store_was_removed_says_so_rather_than_crash(
    live: Apps, demo_store: str, tmp_path: Path
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"ada", "enter")
        await pilot.pause()
        Path(demo_store).rename(tmp_path / "moved.sqlite3")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        status = text_of(app, "#status")
    assert status.startswith(f"Error: the store {demo_store} is no longer there")


def test_a_store_replaced_while_open_is_read_as_it_is_now(
    session: Sessions, demo_store: str, tmp_path: Path
) -> None:
    # A store restored from its backup by moving the copy into place, as a restore might.
    olu = session("olu")
    shown, _ = olu.case("SC-2026-000006")
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(demo_store, copy)
    other = State(db=str(copy), actor="olu", now=NOW, origin=("tester", "testhost"))
    Session(other, {}, clock=lambda: NOW).take(
        "SC-2026-000006", shown.version, lambda _uow: services.Note("In copy")
    )
    other.close()
    copy.replace(demo_store)
    view, _ = olu.case("SC-2026-000006")
    assert "In copy" == view.history[-1].details["text"]


def test_a_store_whose_folder_cannot_be_looked_in_any_more_is_refused_not_a_crash(
    session: Sessions, demo_store: str, tmp_path: Path
) -> None:
    # The store's folder moved away and a file put where it was (as an unreachable share or
    # a folder no longer to be entered): the view says so, in one line, rather than crash.
    olu = session("olu")
    olu.case("SC-2026-000006")
    folder = Path(demo_store).parent
    folder.rename(tmp_path / "elsewhere")
    folder.write_text("not a folder")
    with pytest.raises(StoreUnavailable) as refused:
        olu.case("SC-2026-000006")
    assert str(refused.value).startswith(f"cannot open the store {demo_store}: ")


def _upgraded_past_this_program(store: str) -> str:
    """The store as a newer complaintctl's `db upgrade` leaves it, while the view is open: the
    same file, at a revision this program does not know. What every read and step then says."""
    with sqlite3.connect(store) as connection:
        connection.execute(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'")
    connection.close()
    return (
        f"the store {store} has schema revision 0099, newer than this complaintctl knows (it "
        f"knows up to {schema.SCHEMA_REVISION}): upgrade complaintctl to use it"
    )


def test_a_store_upgraded_past_this_program_while_open_is_refused_by_every_read_and_step(
    session: Sessions, demo_store: str
) -> None:
    # The revision had been checked once, as the store was first opened: a view left open
    # over a `db upgrade` by a newer complaintctl read and wrote the new tables as the old.
    olu = session("olu")
    shown, _ = olu.case("SC-2026-000006")
    said = _upgraded_past_this_program(demo_store)
    before = dump_store(demo_store)
    reads: dict[str, Any] = {
        "queue": olu.queue,
        "find": lambda: olu.find("Rosalind"),
        "case": lambda: olu.case("SC-2026-000006"),
        "member": olu.member,
        "causes": lambda: olu.listed("causes"),
        "note": lambda: olu.take(
            "SC-2026-000006", shown.version, lambda _uow: services.Note("Called back")
        ),
    }
    refused = {}
    for name, read in reads.items():
        with pytest.raises(StoreUnavailable) as err:
            read()
        refused[name] = err.value.message
    assert dict.fromkeys(reads, said) == refused
    assert before == dump_store(demo_store)


async def test_a_step_on_a_store_upgraded_past_this_program_is_refused_in_its_form(
    live: Apps, demo_store: str
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000006")
        form = await choose_step(pilot, app, Action.NOTE)
        said = _upgraded_past_this_program(demo_store)
        before = dump_store(demo_store)
        fill(form, {"text": "Called back"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app, "#error")
    assert f"Refused: {said}" == error
    assert before == dump_store(demo_store)


async def test_a_forms_long_label_runs_onto_a_second_line_rather_than_losing_its_option(
    live: Apps,
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000001")
        await choose_step(pilot, app, Action.ACKNOWLEDGE)
        screenshot = app.export_screenshot()
    assert "(--out-of-time-reason)" in screenshot


def test_each_forms_fields_are_named_as_the_command_names_them(session: Sessions) -> None:
    # `letter REF KIND -o FILE`, `action done ID`, `edit --board/--not-board`: an argument or a
    # short option is not shown as a `--NAME` the command does not take.
    from complaintctl.live.forms import ACTION_FORMS, FORMS

    view, _ = session("olu").case("SC-2026-000004")

    def named(form: Any) -> list[str]:
        return [field.option for field in form.fields(view)]

    assert ["KIND", "--format", "-o"] == named(FORMS[Action.LETTER])
    assert ["ID", "--note"] == named(ACTION_FORMS[Action.ACTION_DONE])
    assert "--board/--not-board" == named(FORMS[Action.EDIT])[-1]


async def test_only_the_close_reasons_that_fit_the_stage_are_offered(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000006")  # responded
        form = await choose_step(pilot, app, Action.CLOSE)
        reasons = [str(value) for _, value in form.query_one("#f-reason", Select)._options]
    assert ["accepted", "withdrawn"] == [r for r in reasons if r != str(Select.NULL)]


# -- stored text ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_markup_and_control_characters_in_a_consumers_name_are_shown_as_text(
    live: Apps, session: Sessions, size: tuple[int, int]
) -> None:
    name = "[bold red]Eve[/] [@click=app.quit]il[/]"
    view = emailed_in(session, name, "eve.il@example.com", "[link=http://x]click[/link]")
    app = live("olu")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        row = next(row for row in rows_of(app) if row[0] == view.ref)
        await open_case(pilot, app, view.ref)
        body = text_of(app, "#body")
        screenshot = app.export_screenshot()
    assert row[2].startswith("[bold red]Eve")
    assert "Consumer        [bold red]Eve[/] [@click=app.quit]il[/] <eve.il@example.com>" in body
    assert "Summary         [link=http://x]click[/link]" in body
    assert "[bold&#160;red]Eve[/]" in screenshot.replace(" ", "&#160;")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_a_consumers_lines_never_begin_where_a_fields_name_or_an_entrys_date_does(
    live: Apps, session: Sessions, size: tuple[int, int]
) -> None:
    # A summary with a line of its own made to look like a field, and one long line padded
    # so that, folded at the screen's edge, a fake deadline would begin the next line.
    fake = "Deadline        respond: met on time (due Wed 2026-12-02 12:00 GMT)"
    view = emailed_in(
        session, "Eve Il", "eve.il@example.com", f"Nobody replied.\n{fake}\n" + "word " * 40 + fake
    )
    app = live("olu")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await open_case(pilot, app, view.ref)
        body = text_of(app, "#body")
        drawn = app.screen.query_one("#body", Static).content_size.width
    lines = body.splitlines()
    assert [] == [line for line in lines if line.startswith("Deadline        respond")]
    assert [line for line in lines if line.lstrip().startswith("Deadline        respond")]
    laid = lines[: lines.index("Letters issued")]  # the fields and the history
    assert [] == [line for line in laid if len(line) > drawn]  # never folded again
    history = body.split("\nHistory\n")[1].split("\nLetters issued\n")[0].splitlines()
    assert history[0].startswith("Wed 2026-12-02 12:00 GMT  log by olu: ")
    assert all(line.startswith("  ") for line in history[1:])  # the log entry, run on


async def test_what_a_step_says_writes_out_a_bidi_override_in_the_area_it_names(
    live: Apps, session: Sessions
) -> None:
    area = "Post\u202eroom"  # no other area looks like it (Case<U+202E>work is Casework)
    officer_in(session, area)
    app = live("olu")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        said = await take(pilot, app, "SC-2026-000001", Action.ACKNOWLEDGE, {"area": area})
    assert "\u202e" not in said
    assert said.startswith("Acknowledged SC-2026-000001, routed to Post<U+202E>room")


# -- a correction and a letter --------------------------------------------------------------


async def test_edit_corrects_only_what_was_changed_in_its_form(
    live: Apps, session: Sessions
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.EDIT)
        shown = {name: form.query_one(f"#f-{name}").value for name in ("name", "category")}
        fill(form, {"reason": "Misheard on the phone", "summary": "Rude phone call, twice"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
    view, _ = session("olu").case("SC-2026-000004")
    assert {"name": "Mary Seacole", "category": "mistreated"} == shown
    assert "Corrected SC-2026-000004: summary" == status
    assert "Rude phone call, twice" == view.summary
    assert ["summary"] == [c["field"] for c in view.history[-1].details["personal_changes"]]


async def test_the_edit_form_shows_a_consumers_bidi_and_invisible_characters_written_out(
    live: Apps, session: Sessions
) -> None:
    # The form's lines are typed into: what the case holds is shown there inert too, and left
    # as shown it is not corrected; what is typed over it is taken as typed.
    view = emailed_in(
        session, "Eve \u202eLivE\u202c", "eve@example.com", "Slow\u200b reply\nSecond line"
    )
    app = live("sam")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, view.ref)
        form = await choose_step(pilot, app, Action.EDIT)
        shown = {name: form.query_one(f"#f-{name}", Input).value for name in ("name", "summary")}
        screenshot = app.export_screenshot()
        fill(form, {"reason": "Name typed over", "name": "Eve Live"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
    after, _ = session("olu").case(view.ref)
    assert {
        "name": "Eve <U+202E>LivE<U+202C>",
        "summary": "Slow<U+200B> reply\\x0aSecond line",
    } == shown
    assert "\u202e" not in screenshot
    assert "\u200b" not in screenshot
    assert "Corrected " + view.ref + ": name" == status
    assert ("Eve Live", "Slow\u200b reply\nSecond line") == (after.consumer, after.summary)


async def test_a_summary_corrected_in_the_edit_form_keeps_the_lines_it_did_not_touch(
    live: Apps, session: Sessions
) -> None:
    # The form shows the summary on one line, each line break written out as \x0a: a word
    # corrected in its first line stored the others as "\x0a" typed out, in every letter.
    view = emailed_in(session, "Ann Lines", "ann.lines@example.com", "Slow reply\nSecond line")
    app = live("sam")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, view.ref)
        form = await choose_step(pilot, app, Action.EDIT)
        shown = form.query_one("#f-summary", Input).value
        fill(form, {"reason": "Misheard", "summary": shown.replace("Slow", "Very slow")})
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
    after, _ = session("olu").case(view.ref)
    assert "Slow reply\\x0aSecond line" == shown
    assert "Corrected " + view.ref + ": summary" == status
    assert "Very slow reply\nSecond line" == after.summary


async def test_a_word_corrected_beside_a_tab_or_an_invisible_character_keeps_it(
    live: Apps, session: Sessions
) -> None:
    # The form shows a tab as \x09 and a zero-width space or a bidi mark as <U+…>: a word
    # corrected beside them had stored those written-out forms as text, in every letter.
    view = emailed_in(
        session, "Eve \u202eLivE\u202c Smiht", "eve@example.com", "Slow\treply\u200b\nSecond line"
    )
    app = live("sam")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, view.ref)
        form = await choose_step(pilot, app, Action.EDIT)
        shown = {name: form.query_one(f"#f-{name}", Input).value for name in ("name", "summary")}
        fill(
            form,
            {
                "reason": "Misspelt",
                "name": shown["name"].replace("Smiht", "Smith"),
                "summary": shown["summary"].replace("Slow", "Very slow"),
            },
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
    after, _ = session("olu").case(view.ref)
    assert "Slow\\x09reply<U+200B>\\x0aSecond line" == shown["summary"]
    assert "Corrected " + view.ref + ": name, summary" == status
    assert "Eve \u202eLivE\u202c Smith" == after.consumer
    assert "Very slow\treply\u200b\nSecond line" == after.summary


@pytest.mark.parametrize(
    ("current", "typed", "read"),
    [
        ("a\tb\u200bc", "A\\x09b<U+200B>c", "A\tb\u200bc"),
        ("a\nb", "A\\x0ab", "A\nb"),
        ("ab", "A\\x0ab<U+200B>", "A\nb<U+200B>"),  # a line break typed; no such character held
        ("a\u202eb", "<U+202E>", "\u202e"),
    ],
)
def test_a_value_typed_over_one_shown_inert_is_read_back_with_what_it_held(
    current: str, typed: str, read: str
) -> None:
    field = Field("summary", "Summary", current=current, lines=True)
    assert read == field.read_back(typed)


async def test_edit_with_nothing_changed_or_no_reason_is_refused_as_the_command_is(
    live: Apps, demo_store: str
) -> None:
    before = dump_store(demo_store)
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.EDIT)
        fill(form, {"reason": "Misheard"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        nothing = text_of(app, "#error")
        # The form is taller than 24 lines: the refusal is scrolled into sight, all of it.
        await pilot.pause()
        error = form.query_one("#error").region
        shown = form.query_one(VerticalScroll).content_region
        fill(form, {"reason": "", "name": "Mary Seacole-Grant"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        no_reason = text_of(app, "#error")
    assert nothing.startswith("Refused: say what to correct: --name, --email")
    assert shown.contains_region(error), (error, shown)
    assert "Refused: --reason must not be empty" == no_reason
    assert before == dump_store(demo_store)


async def test_a_closed_case_is_offered_for_correction_to_a_senior_only(live: Apps) -> None:
    offered = {}
    for actor in ("olu", "sam"):
        app = live(actor)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            offered[actor] = (await open_case(pilot, app, "SC-2026-000009")).offered
    assert Action.EDIT not in offered["olu"]
    assert Action.LETTER in offered["olu"]
    assert Action.EDIT in offered["sam"]


async def test_a_letter_is_written_to_its_file_and_recorded_as_issued(
    live: Apps, session: Sessions, tmp_path: Path
) -> None:
    app = live("olu")
    out = tmp_path / "ack.txt"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.LETTER)
        kinds = form.fields[0].choices
        fill(form, {"kind": "acknowledgement", "format": "text", "output": str(out)})
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
        body = text_of(app, "#body")
    view, _ = session("olu").case("SC-2026-000004")
    letter = view.history[-1]
    assert ("acknowledgement", "restriction") == kinds  # its ack is on record, no response
    assert status.startswith(f"Issued the acknowledgement letter on SC-2026-000004 (text): {out}")
    assert ("letter", "acknowledgement", "text") == (
        letter.action,
        letter.details["kind"],
        letter.details["format"],
    )
    assert "SC-2026-000004" in out.read_text()
    assert "acknowledgement (text) by olu" in body.split("Letters issued\n")[1]


async def test_a_letter_refused_leaves_no_file_and_no_record(
    live: Apps, demo_store: str, tmp_path: Path
) -> None:
    before = dump_store(demo_store)
    taken = tmp_path / "taken.txt"
    taken.write_text("someone else's file")
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.LETTER)
        fill(form, {"kind": "acknowledgement", "format": "text", "output": ""})
        await pilot.press("ctrl+s")
        await pilot.pause()
        no_file = text_of(app, "#error")
        fill(form, {"output": str(tmp_path / "a\x00b.txt")})  # pasted: no shell passes one
        await pilot.press("ctrl+s")
        await pilot.pause()
        pasted = text_of(app, "#error")
        fill(form, {"output": str(taken)})
        await pilot.press("ctrl+s")
        await pilot.pause()
        exists = text_of(app, "#error")
        fill(form, {"kind": "restriction", "output": str(tmp_path / "r.txt")})
        await pilot.press("ctrl+s")
        await pilot.pause()
        no_restriction = text_of(app, "#error")
    assert "Refused: -o FILE: the new file to write the letter to" == no_file
    assert "Refused: -o holds the control character \\x00" == pasted
    assert exists.startswith("Refused: ")
    assert "taken.txt" in exists
    assert no_restriction.startswith("Refused: ")
    assert ["taken.txt"] == sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert before == dump_store(demo_store)


@pytest.mark.parametrize(
    ("output", "refusal"),
    [
        ("-", InvalidInput("letter -o writes a file: name it ('-' is not one)")),
        (" - ", InvalidInput("letter -o writes a file: name it (' - ' is not one)")),
        ("new/", OutputFailed("{tmp}/new/ is a folder; name a file in it")),
    ],
)
def test_a_letter_to_stdout_or_a_folders_name_is_refused_as_the_command_refuses_it(
    session: Sessions,
    demo_store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    refusal: ComplaintError,
) -> None:
    # `-` had been written as a file named "-" where live was started, and `new/` as a file
    # named "new", each recorded as issued: `letter -o` refuses both.
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before = dump_store(demo_store)
    with pytest.raises(type(refusal)) as refused:
        session("olu").issue_letter("SC-2026-000004", "acknowledgement", None, output)
    assert refusal.message.format(tmp=here) == refused.value.message
    assert [] == list(here.iterdir())
    assert before == dump_store(demo_store)


async def test_a_letter_to_stdout_is_refused_in_the_form_and_writes_nothing(
    live: Apps, demo_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before = dump_store(demo_store)
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.LETTER)
        fill(form, {"kind": "acknowledgement", "output": "-"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app, "#error")
    assert "Refused: letter -o writes a file: name it ('-' is not one)" == error
    assert [] == list(here.iterdir())
    assert before == dump_store(demo_store)


# -- views and filters ------------------------------------------------------------------------


def _config(tmp_path: Path, views: dict[str, dict[str, Any]]) -> Config:
    return Config(tmp_path / "config.toml", found=True, views=views)


async def _pick(pilot: Pilot[None], app: LiveApp, option: str) -> None:
    await pilot.press("v")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, ViewPicker)
    options = picker.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(option)
    await pilot.press("enter")
    await pilot.pause()


async def test_v_switches_to_a_saved_view_of_the_config_file_without_restarting(
    live: Apps, session: Sessions, tmp_path: Path
) -> None:
    expected = session("olu", area="Casework").queue()
    app = live("olu")
    app.session.state.config = _config(tmp_path, {"casework": {"area": "Casework"}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        everything = len(rows_of(app))
        await _pick(pilot, app, "view:casework")
        casework = [row[0] for row in rows_of(app)]
        status = text_of(app, "#status")
        await _pick(pilot, app, "*all")
        again = len(rows_of(app))
    assert [item.ref for item in expected.items] == casework
    assert 9 == everything == again
    assert len(casework) < everything
    assert status.startswith(f"area Casework: {len(casework)} open · ")


async def test_saved_views_named_as_the_pickers_own_choices_are_each_their_own(
    live: Apps, session: Sessions, tmp_path: Path
) -> None:
    # A view named "*all" or "*mine" (any name is a TOML key) had given the picker two
    # choices of one id, and the live view stopped with a traceback on `v`.
    expected = session("olu", area="Casework").queue()
    app = live("olu")
    app.session.state.config = _config(
        tmp_path, {"*all": {"area": "Casework"}, "*mine": {"area": "Energy"}}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _pick(pilot, app, "view:*all")
        casework = [row[0] for row in rows_of(app)]
        status = text_of(app, "#status")
        await _pick(pilot, app, "*all")
        everything = len(rows_of(app))
    assert [item.ref for item in expected.items] == casework
    assert status.startswith(f"area Casework: {len(casework)} open · ")
    assert 9 == everything


async def test_mine_lists_the_cases_the_acting_member_owns(live: Apps, session: Sessions) -> None:
    expected = session("rita", owner="rita").queue()
    app = live("rita")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _pick(pilot, app, "*mine")
        mine = [row[0] for row in rows_of(app)]
        status = text_of(app, "#status")
    assert [item.ref for item in expected.items] == mine
    assert mine
    assert status.startswith("owner rita: ")


async def test_a_filter_is_checked_as_queue_checks_it_and_a_refusal_keeps_the_queue_as_it_was(
    live: Apps,
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = rows_of(app)
        await _pick(pilot, app, "*filter")
        form = app.screen
        assert isinstance(form, FilterForm)
        form.query_one("#f-due_within", Input).value = "soon"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = text_of(app, "#error")
        await pilot.press("escape")
        await pilot.pause()
        after = rows_of(app)
        await _pick(pilot, app, "*filter")
        form = app.screen
        assert isinstance(form, FilterForm)
        form.query_one("#f-stage", SelectionList).select("received")
        await pilot.press("ctrl+s")
        await pilot.pause()
        received = rows_of(app)
        status = text_of(app, "#status")
    assert error.startswith("Refused: --due-within")
    assert before == after
    assert {"received"} == {row[3] for row in received}
    assert status.startswith("stage received: 3 open")


async def test_a_saved_view_that_cannot_be_read_says_why_and_keeps_the_queue(
    live: Apps, tmp_path: Path
) -> None:
    app = live("olu")
    app.session.state.config = _config(tmp_path, {"odd": {"stage": ["nowhere"]}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _pick(pilot, app, "view:odd")
        status = text_of(app, "#status")
        rows = len(rows_of(app))
    assert status.startswith("Error: ")
    assert 9 == rows


def test_the_assign_form_hands_a_second_stage_case_on_with_its_reason(session: Sessions) -> None:
    from complaintctl.live.forms import FORMS

    sam = session("sam")
    view, offered = sam.case("SC-2026-000007")  # escalated to hana
    form = FORMS[Action.ASSIGN]
    assert Action.ASSIGN in offered
    assert ["to", "reason"] == [field.name for field in form.fields(view)]
    assert form.spec is not None

    after = sam.take(
        view.ref, view.version, form.spec(sam.state, {"to": "lee", "reason": "Hana is away"})
    )

    assert "Handed the second stage of SC-2026-000007 on to lee" == form.message(after)
    assert "lee" == after.handler


def _by_sam(session: Session, change: Any) -> None:
    """A change to the staff made by sam, a senior, in another process's session."""
    session._change(lambda uow, when: change(uow, by="sam", at=when, now=when))


async def test_a_role_changed_by_someone_else_is_shown_as_the_view_reads_again(
    live: Apps, session: Sessions
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = text_of(app, "#bar")
        sam = session("sam")
        _by_sam(sam, lambda uow, **at: services.change_role(
            uow, username="olu", role=Role.LEADER, area="Casework", **at))  # fmt: skip
        app.minute_gone_by()
        await pilot.pause()
        on_the_queue = text_of(app, "#bar")
        await open_case(pilot, app, "SC-2026-000004")
        _by_sam(sam, lambda uow, **at: services.remove_staff(uow, username="olu", **at))
        await pilot.press("r")
        await pilot.pause()
        on_the_case = text_of(app, "#bar")
        await pilot.press("escape")
        await pilot.pause()
        back = text_of(app, "#bar")
    assert "acting as olu (officer)" in before
    assert "acting as olu (leader, Casework)" in on_the_queue
    assert "acting as olu (not active staff: steps will be refused)" in on_the_case
    assert on_the_case == back


@pytest.mark.parametrize("width", [40, 50, 60, 79])
async def test_a_narrow_terminal_leaves_out_columns_before_the_working_time(
    live: Apps, width: int
) -> None:
    app = live("olu")
    async with app.run_test(size=(width, 12)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#queue", QueueTable)
        labels = [column.label.plain for column in table.columns.values()]
        overflow = table.max_scroll_x
        row = next(row for row in rows_of(app) if row[0] == "SC-2026-000010")
        bar = text_of(app, "#bar")
    assert (labels[0], labels[-1]) == ("Ref", "Working time")
    assert "late by 76h" == row[-1]
    assert 0 == overflow
    assert bar.endswith("acting as olu (officer)")
    assert len(bar) <= width


async def test_a_terminal_too_small_to_work_in_says_so_and_opens_nothing(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        said = text_of(app, "#small")
        await pilot.press("enter", "slash", "v")
        await pilot.pause()
        stack = [type(screen).__name__ for screen in app.screen_stack]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        back = app.screen
        await pilot.resize_terminal(30, 24)
        await pilot.pause()
        narrow = text_of(app, "#small")
        await pilot.press("q")
        await pilot.pause()
        running = app.is_running
    assert said.startswith("20×5 is too small: live needs 40×10.")
    assert said.endswith("or press q to quit.")
    assert ["Screen", "QueueScreen", "TooSmall"] == stack
    assert isinstance(back, QueueScreen)
    assert "30×24" in narrow
    assert not running


async def test_a_member_named_in_full_width_letters_is_shown_as_the_steps_find_them(
    live: Apps,
) -> None:
    app = live("\uff2f\uff2c\uff35")  # ＯＬＵ, as a step finds olu
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = text_of(app, "#bar")
        case = await open_case(pilot, app, "SC-2026-000006")
    assert bar.endswith("acting as olu (officer)")
    assert () != case.offered


async def test_a_form_keeps_its_values_under_a_terminal_made_too_small_for_a_while(
    live: Apps,
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000006")
        form = await choose_step(pilot, app, Action.NOTE)
        form.query_one("#f-text", Input).value = "Called back"
        await pilot.resize_terminal(30, 8)
        await pilot.pause()
        said = text_of(app, "#small")
        # q may be a letter of the note being typed: over a form only ctrl+q quits.
        await pilot.press("ctrl+s", "q")
        await pilot.pause()
        small, running = app.screen, app.is_running
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        kept = app.screen
        value = form.query_one("#f-text", Input).value
    assert type(small).__name__ == "TooSmall"
    assert said.endswith("or press ctrl+q to quit, losing the form.")
    assert running
    assert kept is form
    assert "Called back" == value


@pytest.mark.parametrize("key", ["t", "a", "e", "v"])
async def test_a_choice_fits_a_short_terminal_its_heading_and_every_option_in_sight(
    live: Apps, key: str
) -> None:
    from textual.widgets import Label

    app = live("olu")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        if key != "v":
            await open_case(pilot, app, "SC-2026-000004")
        await pilot.press(key)
        await pilot.pause()
        picker = app.screen
        heading = picker.query_one(Label).region
        options = picker.query_one(OptionList).region
        keys = picker.query_one(Keys).region
    # The list scrolls its highlighted option into its own sight: all of it is on the screen.
    assert 0 <= heading.y < options.y
    assert options.height >= 3
    assert options.bottom <= keys.y


async def test_an_acting_name_with_a_terminal_escape_is_said_written_out_when_no_step_is_open(
    live: Apps,
) -> None:
    app = live("vis\x1b[5;5HXXXX")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000010")
        await pilot.press("t")
        await pilot.pause()
        said = text_of(app, "#status")
    assert "\x1b" not in said
    assert "No step is open to vis\\x1b[5;5HXXXX on SC-2026-000010 now." == said


async def test_a_queue_that_cannot_be_read_again_is_said_inert_as_a_command_says_it(
    demo_store: str, tmp_path: Path
) -> None:
    # A store in a folder whose name holds a terminal escape: the error names its path.
    folder = tmp_path / "shared\x1b[2Jdrive"
    folder.mkdir()
    store = folder / "store.sqlite3"
    shutil.copyfile(demo_store, store)
    state = State(db=str(store), actor="olu", now=NOW, origin=("tester", "testhost"))
    app = LiveApp(Session(state, {}, clock=lambda: NOW), refresh_every=0)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            store.unlink()
            app.minute_gone_by()
            await pilot.pause()
            said = [n.message for n in app._notifications]
    finally:
        state.close()
    assert 1 == len(said)
    assert said[0].startswith("Error: the store ")
    assert "\x1b" not in said[0]
    assert "shared\\x1b[2Jdrive" in said[0]


async def test_the_keys_at_the_foot_run_onto_a_second_line_on_a_narrow_terminal(
    live: Apps,
) -> None:
    app = live("olu")
    async with app.run_test(size=(44, 12)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        keys = app.screen.query_one(Keys)
        shown, height = keys.render().plain, keys.region.height
        # Where "esc" is drawn, not where the keys' own spans say it is.
        line = next(n for n, drawn in enumerate(shown.split("\n")) if "esc" in drawn)
        await pilot.click(Keys, offset=(shown.split("\n")[line].index("esc") + 1, line))
        await pilot.pause()
        screen = app.screen
    assert [" t Take a step  a Actions  e Explain  ", " r Refresh  esc Back  q Quit  "] == (
        shown.split("\n")
    )
    assert 2 == height
    assert isinstance(screen, QueueScreen)


@pytest.mark.parametrize("key", ["t", "a", "e"])
async def test_a_case_that_could_not_be_read_again_is_not_acted_on_as_last_shown(
    live: Apps, demo_store: str, tmp_path: Path, key: str
) -> None:
    app = live("olu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        case = await open_case(pilot, app, "SC-2026-000006")
        Path(demo_store).rename(tmp_path / "moved.sqlite3")
        await pilot.press("r")
        await pilot.pause()
        body = text_of(app, "#body")
        await pilot.press(key)
        await pilot.pause()
        screen = app.screen
        status = text_of(app, "#status")
    assert body.startswith(f"Error: the store {demo_store} is no longer there")
    assert screen is case
    assert (
        "Error: SC-2026-000006 could not be read (the screen says why): nothing was done; "
        "r reads it again"
    ) == status


@pytest.mark.parametrize("width", [40, 60, 80])
async def test_someone_not_on_the_staff_is_told_so_in_full_on_a_narrow_terminal(
    live: Apps, width: int
) -> None:
    app = live("visitor")
    async with app.run_test(size=(width, 12)) as pilot:
        await pilot.pause()
        bar = text_of(app, "#bar")
        room = app.screen.query_one("#bar", Static).content_size.width
    assert "visitor" in bar
    assert "not active staff: steps will be refused" in bar or "not staff: steps refused" in bar
    assert len(bar) <= room


async def test_a_long_name_not_on_the_staff_is_cut_before_the_warning_is(live: Apps) -> None:
    name = "visitor_from_the_regional_office"
    app = live(name)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        bar = text_of(app, "#bar")
    assert bar.startswith("not staff: steps refused · ")
    assert name in bar
