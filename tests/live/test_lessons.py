"""What complaints taught, in the live view: the causes a response records, chosen from the
store's list in the respond and final forms; a case's open actions, and `action add` and
`action done` as forms; and the subject-access requests open, under the queue.

As everywhere in the live view, each is the command's own service in one transaction: the
same checks, the same refusals, nothing written when refused.
"""

from __future__ import annotations

import pytest
from textual.widgets import SelectionList

from complaintctl.domain.procedure import Action, Decision
from complaintctl.errors import InvalidInput
from complaintctl.live.forms import FORMS
from tests.conftest import dump_store
from tests.live.conftest import Apps, Sessions
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
