"""Every (stage, action) pair: what the transition table allows, and where it leads."""

import pytest

from complaintctl.domain.procedure import (
    TRANSITIONS,
    Action,
    Stage,
    allowed_actions,
    next_stage,
    what_can_happen,
)

EXPECTED: dict[tuple[Stage, Action], Stage | None] = {
    (Stage.RECEIVED, Action.ACKNOWLEDGE): Stage.FIRST_STAGE,
    (Stage.FIRST_STAGE, Action.ACKNOWLEDGE): None,
}


@pytest.mark.parametrize(
    ("stage", "action"), [(stage, action) for stage in Stage for action in TRANSITIONS]
)
def test_each_stage_allows_exactly_the_actions_in_the_table(stage: Stage, action: Action) -> None:
    assert EXPECTED[(stage, action)] == next_stage(stage, action)


def test_a_received_case_can_only_be_acknowledged() -> None:
    assert [Action.ACKNOWLEDGE] == allowed_actions(Stage.RECEIVED)
    assert "acknowledge it (ack)" == what_can_happen(Stage.RECEIVED)
