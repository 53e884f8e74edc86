"""What complaints taught, in the live view: the causes a response records, chosen from the
store's list in the respond and final forms; a case's open actions, and `action add` and
`action done` as forms; and the subject-access requests open, under the queue.

As everywhere in the live view, each is the command's own service in one transaction: the
same checks, the same refusals, nothing written when refused.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import SelectionList

from complaintctl import services
from complaintctl.domain.procedure import Action, ActionKind, Decision
from complaintctl.errors import InvalidInput
from complaintctl.live.app import CaseScreen, LiveApp, StepForm, StepPicker
from complaintctl.live.forms import ACTION_FORMS, FORMS
from complaintctl.live.session import Session
from tests.conftest import dump_store
from tests.live.conftest import NOW, Apps, Sessions
from tests.live.test_live import choose_step, fill, open_case, take, text_of

# -- causes ----------------------------------------------------------------------------------


async def test_the_respond_form_offers_the_stores_causes_and_records_those_chosen(
    live: Apps, session: Sessions
) -> None:
    listed = session("olu").listed("causes")
    app = live("rita")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_step(pilot, app, Action.RESPOND)
        offered = [
            str(option.value)
            for option in form.query_one("#f-cause", SelectionList)._options  # noqa: SLF001
        ]
        fill(form, {"decision": "upheld", "summary": "We were slow",
                    "cause": ["poor-communication", "delay"]})  # fmt: skip
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#status")
        body = text_of(app, "#body")
    view, _ = session("olu").case("SC-2026-000004")
    assert list(listed) == offered
    assert "delay" in listed
    assert status.startswith("Responded to SC-2026-000004: upheld")
    assert ("delay", "poor-communication") == tuple(sorted(view.responses[-1].causes))
    assert "causes: " in body


async def test_the_final_form_records_causes_and_none_chosen_is_none(
    live: Apps, session: Sessions
) -> None:
    app = live("hana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = await take(pilot, app, "SC-2026-000007", Action.FINAL,
                            {"decision": "not-upheld", "summary": "As before"})  # fmt: skip
    view, _ = session("olu").case("SC-2026-000007")
    assert status.startswith("Final response on SC-2026-000007: not-upheld")
    assert () == tuple(view.responses[-1].causes)


def test_a_cause_not_on_the_list_is_refused_as_the_command_refuses_it(
    session: Sessions, demo_store: str
) -> None:
    before = dump_store(demo_store)
    rita = session("rita")
    form = FORMS[Action.RESPOND]
    assert form.spec is not None
    spec = form.spec(rita.state, {"decision": Decision.UPHELD.value, "summary": "Slow",
                                  "cause": ["delay", "moon-phase"]})  # fmt: skip
    view, _ = rita.case("SC-2026-000004")
    with pytest.raises(InvalidInput) as refused:
        rita.take(view.ref, view.version, spec)
    assert refused.value.message.startswith("--cause 'moon-phase' is not on the list of causes")
    assert before == dump_store(demo_store)


# -- actions ---------------------------------------------------------------------------------


async def choose_action(pilot: Pilot[None], app: LiveApp, action: Action) -> StepForm:
    """`a` on a case's screen, then `action add` or `action done`."""
    return await choose_step(pilot, app, action, key="a")


async def _submit(pilot: Pilot[None], app: LiveApp) -> str:
    await pilot.press("ctrl+s")
    await pilot.pause()
    if isinstance(app.screen, CaseScreen):
        return text_of(app, "#status")
    return text_of(app, "#error")


async def test_an_action_is_opened_shown_on_the_case_and_marked_done(
    live: Apps, session: Sessions
) -> None:
    app = live("olu")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        case = await open_case(pilot, app, "SC-2026-000004")
        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, StepPicker)
        offered_before = picker.offered
        await pilot.press("escape")
        await pilot.pause()
        form = await choose_action(pilot, app, Action.ACTION_OPENED)
        fill(form, {"kind": "improvement", "what": "[bold]Fix the rota[/bold]",
                    "owner": "olu", "within": "10d"})  # fmt: skip
        opened = await _submit(pilot, app)
        assert isinstance(app.screen, CaseScreen), opened
        body = text_of(app, "#body")
        assert case.view is not None
        (action,) = case.view.actions
        form = await choose_action(pilot, app, Action.ACTION_DONE)
        choices = form.fields[0].choices
        fill(form, {"id": str(action.id), "note": "Rota fixed"})
        done = await _submit(pilot, app)
        assert isinstance(app.screen, CaseScreen), done
        body_after = text_of(app, "#body")
        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, StepPicker)
        offered_after = picker.offered
    actions = session("olu").state.read(
        lambda uow, when: services.list_actions(uow, as_of=when), None
    )
    (listed,) = [a for a in actions if a.id == action.id]
    assert (Action.ACTION_OPENED,) == offered_before
    assert opened.startswith(f"Opened action {action.id} on SC-2026-000004 (improvement), "
                             "owned by olu, due ")  # fmt: skip
    assert opened.endswith(": [bold]Fix the rota[/bold]")
    assert f"Action          {action.id} (improvement) [bold]Fix the rota" in body
    assert ": olu, due " in body
    assert (str(action.id),) == choices
    assert done.startswith(f"Done: action {action.id} on SC-2026-000004, on time: ")
    assert f"{action.id} (improvement)" not in body_after
    assert (Action.ACTION_OPENED,) == offered_after
    assert ("olu", NOW, "Rota fixed") == (listed.done_by, listed.done_at, listed.note)


async def test_an_action_refused_says_why_and_writes_nothing(live: Apps, demo_store: str) -> None:
    before = dump_store(demo_store)
    app = live("olu")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")
        form = await choose_action(pilot, app, Action.ACTION_OPENED)
        fill(form, {"kind": "remedy", "what": "Call back", "owner": "rita"})
        no_due = await _submit(pilot, app)
        fill(form, {"within": "2d", "owner": "nobody"})
        no_owner = await _submit(pilot, app)
    assert "Refused: say when it is due: --due DATETIME or --within DURATION (one of them)" == (
        no_due
    )
    assert no_owner.startswith("Refused: ")
    assert "nobody" in no_owner
    assert before == dump_store(demo_store)


async def test_an_action_done_by_someone_who_may_not_is_refused(
    live: Apps, session: Sessions, demo_store: str
) -> None:
    rita = session("rita")
    rita.add_action("SC-2026-000004", kind=ActionKind.REMEDY, what="Call back", owner="rita",
                    due=None, within="2d")  # fmt: skip
    before = dump_store(demo_store)
    app = live("eve")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        case = await open_case(pilot, app, "SC-2026-000004")
        assert case.view is not None
        (action,) = case.view.actions
        form = await choose_action(pilot, app, Action.ACTION_DONE)
        nothing_chosen = await _submit(pilot, app)
        fill(form, {"id": str(action.id)})
        refused = await _submit(pilot, app)
    assert "Refused: choose the ID of an open action on the case" == nothing_chosen
    assert refused.startswith(f"Refused: eve (officer) may not mark action {action.id} done")
    assert before == dump_store(demo_store)


async def test_a_case_whose_personal_data_was_removed_offers_no_action_to_add(
    live: Apps, session: Sessions, demo_store: str
) -> None:
    # `action add` is refused on it (nothing more may be recorded), as every step the case's
    # screen no longer offers: `a` said so only once the form was filled in and sent.
    session("sam").state.change(
        lambda uow, _: services.erase_consumer(
            uow, email=None, consumer_id=9, reason="Asked", by="sam", now=NOW
        ),
        None,
    )
    before = dump_store(demo_store)
    app = live("olu")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000009")
        await pilot.press("a")
        await pilot.pause()
        on_case = isinstance(app.screen, CaseScreen)
        said = text_of(app, "#status") if on_case else ""
    assert (True, "No action is open to olu on SC-2026-000009 now.") == (on_case, said)
    assert before == dump_store(demo_store)


# -- subject-access requests -------------------------------------------------------------------


async def test_the_queue_says_how_many_subject_access_requests_are_open_as_queue_does(
    live: Apps, session: Sessions
) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from complaintctl.cli.render import subject_access_line
    from complaintctl.services import sar

    sam = session("sam")
    for consumer_id, received in ((1, NOW - timedelta(days=60)), (2, NOW - timedelta(days=3))):
        sam.state.change(
            lambda uow, when, c=consumer_id, r=received: sar.open_request(
                uow, email=None, consumer_id=c, received_at=r, by="sam", at=when, now=NOW
            ),
            None,
        )
    report = sam.queue()
    words = subject_access_line(report, ZoneInfo(report.zone))
    app = live("olu")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        status = text_of(app, "#status")
    assert words.startswith("2 subject-access requests open, 1 overdue, next due ")
    assert words == status.split("\n")[1]


async def test_no_subject_access_request_open_says_nothing_of_them(live: Apps) -> None:
    app = live("olu")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        status = text_of(app, "#status")
    assert "subject-access" not in status


async def test_an_action_saved_and_then_not_read_back_is_said_recorded_not_refused(
    live: Apps, session: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The action is committed, then read back: a store gone that moment is no refusal, or the
    # officer takes it again and the action is owed twice.
    from complaintctl.errors import StoreUnavailable
    from complaintctl.services import lessons

    app = live("olu")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, app, "SC-2026-000004")

        def gone(*_args: object, **_kwargs: object) -> None:
            raise StoreUnavailable("the store is gone")

        monkeypatch.setattr(lessons, "action_view", gone)
        form = await choose_action(pilot, app, Action.ACTION_OPENED)
        fill(form, {"kind": "remedy", "what": "Call back", "owner": "olu", "within": "2d"})
        said = await _submit(pilot, app)
    monkeypatch.undo()
    view, _ = session("olu").case("SC-2026-000004")
    assert said.startswith("Recorded, then: the store is gone; what the command recorded is kept")
    assert ["Call back"] == [action.what for action in view.actions]


def test_an_action_opened_or_done_at_a_midnight_close_says_its_due_as_that_day_s_24_00(
    session: Sessions,
) -> None:
    """In a store open until midnight, the status line says an action's due as `action add`
    and `show` do: a working day's close as its 24:00, never the next day's 00:00."""
    sam = session("sam")
    sam.state.change(
        lambda uow, when: services.change_calendar(
            uow,
            wanted=services.CalendarWanted(None, "Mon-Fri 09:00-24:00", None),
            by="sam",
            at=when,
            now=when,
            retroactive=services.Retroactive("Open late"),
        ),  # fmt: skip
        None,
    )
    olu = session("olu")
    view, _ = olu.case("SC-2026-000004")
    add, done = ACTION_FORMS[Action.ACTION_OPENED].run, ACTION_FORMS[Action.ACTION_DONE].run
    assert add is not None
    assert done is not None
    # Wednesday noon: 12h to Wednesday's close at midnight.
    _, opened = add(olu, view, {"kind": "remedy", "what": "Call", "owner": "olu",
                                "within": "12h"})  # fmt: skip
    action = olu.case("SC-2026-000004")[0].actions[-1]
    late = Session(olu.state, {}, clock=lambda: NOW + timedelta(days=1))
    _, finished = done(late, view, {"id": str(action.id)})

    assert opened.startswith("Opened action ")
    assert ", due Wed 2026-12-02 24:00 GMT: Call" in opened
    assert finished.endswith(", late (due Wed 2026-12-02 24:00 GMT): Call")
