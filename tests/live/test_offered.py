"""The steps a case's screen offers are exactly those the steps themselves allow: for every
case of the demo store and every member of its team, a step offered is never refused for who
is acting or for the case's stage, and a step not offered always is."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from complaintctl import services
from complaintctl.cli.app import State
from complaintctl.domain.procedure import (
    Action,
    AssessorOutcome,
    CloseReason,
    Decision,
)
from complaintctl.errors import ActionNotAllowed, NotPermitted
from complaintctl.services.demo import TEAM
from complaintctl.services.letters import IssueLetter
from complaintctl.services.offered import OFFERED, steps_open_to
from complaintctl.services.steps import Spec, take_steps
from tests.live.conftest import NOW

# Each step with inputs that pass its own checks of what was typed.
SPECS: dict[Action, Spec] = {
    Action.ACKNOWLEDGE: services.Acknowledge("Casework", "accepted"),
    Action.ASSIGN: services.Assign("rita"),
    Action.RESPOND: services.Respond(Decision.UPHELD, "Sorry", services.Remedies()),
    Action.EXTEND: services.Extend(datetime(2027, 6, 1, tzinfo=UTC), "Agreed"),
    Action.ESCALATE: services.Escalate("hana"),
    Action.FINAL: services.Final(Decision.UPHELD, "Sorry", services.Remedies()),
    Action.REFER: services.Refer("Late"),
    Action.OUTCOME: services.Outcome(AssessorOutcome.UPHELD),
    Action.CLOSE: services.Close(CloseReason.WITHDRAWN),
    Action.REOPEN: services.Reopen("A mistake"),
    Action.NOTE: services.Note("Called"),
    Action.INCIDENT: services.Incident("Shouted"),
    Action.EDIT: services.Edit("Taken down wrong", {"summary": "Corrected"}),
    # Recording a letter as issued, whatever the case (the letter itself is made elsewhere).
    Action.LETTER: IssueLetter(defaultdict(lambda: {"kind": "acknowledgement"})),
}


def _refused_for_who_or_stage(error: Exception | None) -> bool:
    if isinstance(error, NotPermitted):
        return True
    return isinstance(error, ActionNotAllowed) and "it is at stage" in str(error)


def test_every_step_offered_is_a_form_and_a_spec() -> None:
    from complaintctl.live.forms import FORMS

    assert (set(OFFERED), set(OFFERED)) == (set(FORMS), set(SPECS))


@pytest.mark.parametrize("actor", [username for username, *_ in TEAM])
def test_the_steps_offered_are_those_the_steps_allow(demo_store: str, actor: str) -> None:
    state = State(db=demo_store, actor=actor, now=NOW)
    try:
        refs = [f"SC-2026-{n:06d}" for n in range(1, 11)]
        mismatches = []
        for ref in refs:
            offered = state.read(lambda uow, _, r=ref: steps_open_to(uow, ref=r, by=actor), None)
            for action in OFFERED:
                result = state.read(
                    lambda uow, _, a=action, r=ref: take_steps(
                        uow, [r], SPECS[a], by=actor, at=NOW, now=NOW,
                        continue_on_error=False, dry_run=True,
                    ),
                    None,
                )  # fmt: skip
                error = result.refused[0][1] if result.refused else None
                if (action in offered) == _refused_for_who_or_stage(error):
                    mismatches.append((ref, action.value, action in offered, str(error)))
        assert [] == mismatches
    finally:
        state.close()


def test_someone_not_on_the_staff_is_offered_nothing(demo_store: str) -> None:
    state = State(db=demo_store, actor="visitor", now=NOW)
    try:
        offered = state.read(
            lambda uow, _: steps_open_to(uow, ref="SC-2026-000001", by="visitor"), None
        )
    finally:
        state.close()
    assert () == offered


@pytest.mark.parametrize("actor", ["sam", "olu"])
def test_a_case_whose_personal_data_was_removed_is_offered_nothing(
    demo_store: str, actor: str
) -> None:
    # Nothing more may be recorded on it (steps._not_removed): no step, note, correction or
    # letter, for anyone, the senior who may correct an ended case included.
    state = State(db=demo_store, actor="sam", now=NOW)
    try:
        state.change(
            lambda uow, _: services.erase_consumer(
                uow, email=None, consumer_id=9, reason="Asked", by="sam", now=NOW
            ),
            None,
        )
        offered = state.read(
            lambda uow, _: steps_open_to(uow, ref="SC-2026-000009", by=actor), None
        )
        refused = [
            action
            for action in OFFERED
            if state.read(
                lambda uow, _, a=action: take_steps(
                    uow, ["SC-2026-000009"], SPECS[a], by=actor, at=NOW, now=NOW,
                    continue_on_error=False, dry_run=True,
                ),
                None,
            ).refused
        ]  # fmt: skip
    finally:
        state.close()
    assert () == offered
    assert list(OFFERED) == refused
