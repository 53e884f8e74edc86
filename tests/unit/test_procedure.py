"""The procedure's tables: every (stage, action) pair, and who may take each action."""

from dataclasses import replace

import pytest

from complaintctl.domain.procedure import (
    TRANSITIONS,
    Action,
    Actor,
    CaseRoles,
    Role,
    Stage,
    may,
    next_stage,
    same_area,
    stage_before_close,
    what_can_happen,
    who_may,
)

S = Stage
# Where each action leads from each stage; a missing pair is refused. Written out in full so
# that a change to the table shows up here as a deliberate edit.
EXPECTED: dict[tuple[Stage, Action], Stage] = {
    (S.RECEIVED, Action.ACKNOWLEDGE): S.FIRST_STAGE,
    (S.RECEIVED, Action.CLOSE): S.CLOSED,
    (S.FIRST_STAGE, Action.ASSIGN): S.FIRST_STAGE,
    (S.FIRST_STAGE, Action.RESPOND): S.RESPONDED,
    (S.FIRST_STAGE, Action.EXTEND): S.FIRST_STAGE,
    (S.FIRST_STAGE, Action.CLOSE): S.CLOSED,
    (S.RESPONDED, Action.ESCALATE): S.SECOND_STAGE,
    (S.RESPONDED, Action.CLOSE): S.CLOSED,
    (S.SECOND_STAGE, Action.ASSIGN): S.SECOND_STAGE,  # handed on to another handler
    (S.SECOND_STAGE, Action.EXTEND): S.SECOND_STAGE,
    (S.SECOND_STAGE, Action.FINAL): S.FINAL_RESPONSE,
    (S.FINAL_RESPONSE, Action.REFER): S.REFERRED,
    (S.REFERRED, Action.OUTCOME): S.ASSESSED,
    **{(stage, Action.INCIDENT): stage for stage in Stage},
    **{(stage, Action.NOTE): stage for stage in Stage},
    **{(stage, Action.EDIT): stage for stage in Stage},
    **{(stage, Action.LETTER): stage for stage in Stage},
    # Back to the stage before the close: its plan says which (stage_before_close).
    (S.CLOSED, Action.REOPEN): S.CLOSED,
}


@pytest.mark.parametrize(
    ("stage", "action"), [(stage, action) for stage in Stage for action in TRANSITIONS]
)
def test_each_stage_allows_exactly_the_actions_in_the_table(stage: Stage, action: Action) -> None:
    assert EXPECTED.get((stage, action)) == next_stage(stage, action)


def test_a_refusal_says_what_can_happen_next() -> None:
    assert "acknowledge it (ack); close it (close)" == what_can_happen(Stage.RECEIVED)
    assert "reopen it if the close was a mistake (reopen, senior roles)" == what_can_happen(
        Stage.CLOSED
    )
    assert "nothing: the procedure has ended for this case" == what_can_happen(Stage.ASSESSED)
    # At the second stage, `assign` hands the case on: said as what it does there.
    assert (
        "hand the second stage on to another handler (assign); agree a longer timescale "
        "(extend); record the final response (final)"
    ) == what_can_happen(Stage.SECOND_STAGE)


CASE = CaseRoles(
    area="Casework",
    responder="rita",
    first_responder="rita",
    handler="hana",
    stage=Stage.FIRST_STAGE,
)
SECOND = CaseRoles(
    area="Casework",
    responder="rita",
    first_responder="rita",
    handler="hana",
    stage=Stage.SECOND_STAGE,
)


def actor(role: Role, username: str = "someone", area: str | None = None) -> Actor:
    return Actor(username, role, area)


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        (actor(Role.OFFICER), Action.LOG, True),
        (actor(Role.LEADER, area="Casework"), Action.LOG, False),
        (actor(Role.OFFICER), Action.ACKNOWLEDGE, True),
        (actor(Role.SENIOR_LEADER), Action.ACKNOWLEDGE, True),
        (actor(Role.OFFICER), Action.ASSIGN, False),
        (actor(Role.LEADER, area="Casework"), Action.ASSIGN, True),
        (actor(Role.LEADER, area="Energy"), Action.ASSIGN, False),
        # An area is one in any spelling, as `ack --area` takes it.
        (actor(Role.LEADER, area="casework"), Action.ASSIGN, True),
        (actor(Role.LEADER, area="CASEWORK"), Action.EXTEND, True),
        (actor(Role.SENIOR_COMPLAINT_EXECUTIVE), Action.ASSIGN, True),
        # The second stage's handler hands on only the second stage.
        (actor(Role.LEADER, "hana"), Action.ASSIGN, False),
        (actor(Role.OFFICER, "rita", "Casework"), Action.RESPOND, True),
        (actor(Role.OFFICER, "ruth", "Casework"), Action.RESPOND, False),
        (actor(Role.LEADER, area="Casework"), Action.RESPOND, False),
        (actor(Role.OFFICER, "rita", "Casework"), Action.EXTEND, True),
        (actor(Role.LEADER, area="Casework"), Action.EXTEND, True),
        (actor(Role.OFFICER), Action.EXTEND, False),
        (actor(Role.OFFICER), Action.ESCALATE, True),
        (actor(Role.LEADER, "hana"), Action.FINAL, True),
        (actor(Role.LEADER, area="Casework"), Action.FINAL, False),
        (actor(Role.SENIOR_LEADER), Action.FINAL, True),
        (actor(Role.OFFICER), Action.REFER, True),
        (actor(Role.LEADER), Action.OUTCOME, True),
        (actor(Role.OFFICER, "rita"), Action.CLOSE, True),
        (actor(Role.LEADER, area="Casework"), Action.CLOSE, False),
        (actor(Role.LEADER), Action.INCIDENT, True),
    ],
)
def test_who_may_take_each_action(who: Actor, action: Action, allowed: bool) -> None:
    assert allowed == may(who, action, CASE)


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        # At the second stage the first-stage responder and the area's leader no longer extend.
        (actor(Role.OFFICER, "rita", "Casework"), Action.EXTEND, False),
        (actor(Role.LEADER, area="Casework"), Action.EXTEND, False),
        (actor(Role.LEADER, "hana"), Action.EXTEND, True),
        (actor(Role.SENIOR_LEADER, "hana"), Action.FINAL, True),
        # A handler made an officer since the escalation no longer decides or extends the
        # second stage [page: a leader's or a senior's]; they may still hand it on.
        (actor(Role.OFFICER, "hana"), Action.EXTEND, False),
        (actor(Role.OFFICER, "hana"), Action.FINAL, False),
        (actor(Role.OFFICER, "hana"), Action.ASSIGN, True),
        # The second stage is handed on by its handler or a senior role: not by the area's
        # leader, who assigns at the first stage, nor by anyone else.
        (actor(Role.LEADER, "hana"), Action.ASSIGN, True),
        (actor(Role.SENIOR_COMPLAINT_EXECUTIVE, "sam"), Action.ASSIGN, True),
        (actor(Role.LEADER, area="Casework"), Action.ASSIGN, False),
        (actor(Role.LEADER, "lena", "Energy"), Action.ASSIGN, False),
        (actor(Role.OFFICER, "rita", "Casework"), Action.ASSIGN, False),
        # Whoever gave the first-stage response never gives the final one, whatever their role.
        (actor(Role.SENIOR_LEADER, "rita"), Action.FINAL, False),
        (actor(Role.SENIOR_LEADER, "sam"), Action.FINAL, True),
        # Nor agrees the second stage's timescale: that too is handling it.
        (actor(Role.SENIOR_LEADER, "rita"), Action.EXTEND, False),
        (actor(Role.SENIOR_LEADER, "sam"), Action.EXTEND, True),
    ],
)
def test_who_may_act_at_the_second_stage(who: Actor, action: Action, allowed: bool) -> None:
    assert allowed == may(who, action, SECOND)


@pytest.mark.parametrize(
    ("who", "stage"),
    [
        (actor(Role.OFFICER, "rita", "Casework"), Stage.RESPONDED),
        (actor(Role.LEADER, area="Casework"), Stage.RESPONDED),
        (actor(Role.OFFICER, "rita", "Casework"), Stage.CLOSED),
        (actor(Role.LEADER, "hana"), Stage.FINAL_RESPONSE),
    ],
)
def test_who_may_extend_at_its_stage_is_not_refused_as_a_person_at_another(
    who: Actor, stage: Stage
) -> None:
    # The stage refuses them (exit 5, naming it), as for every relation: a refusal saying
    # "only the first-stage responder may" to the first-stage responder misleads.
    assert may(who, Action.EXTEND, replace(SECOND, stage=stage))


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Casework", "CASEWORK", True),
        # é as one character or as e and a combining accent: they look the same.
        ("Caf\u00e9", "Cafe\u0301", True),
        ("CAF\u00c9", "cafe\u0301", True),
        # A compatibility form (full-width letters) reads as the plain one.
        ("\uff23asework", "casework", True),
        # Invisible characters (a store may hold them from before --area refused them).
        ("Case\u200bwork", "Casework", True),
        ("\u202eCasework\u2069", "casework", True),
        ("Cafe", "Caf\u00e9", False),
        (None, None, False),
    ],
)
def test_an_area_is_one_in_any_spelling(one: str | None, other: str | None, same: bool) -> None:
    assert same == same_area(one, other)


def test_the_rule_reads_as_words_in_a_refusal() -> None:
    assert (
        "senior-complaint-executive, senior-leader or the leader of the case's area (at the "
        "first stage), or the second-stage handler (at the second)"
    ) == who_may(Action.ASSIGN)
    # For a case at a stage, the rule as it is there.
    assert "senior-complaint-executive, senior-leader or the leader of the case's area" == (
        who_may(Action.ASSIGN, Stage.FIRST_STAGE)
    )
    assert "senior-complaint-executive, senior-leader or the second-stage handler" == (
        who_may(Action.ASSIGN, Stage.SECOND_STAGE)
    )
    # An extension likewise: who holds the case at its stage, not the rule of both stages.
    assert (
        "senior-complaint-executive, senior-leader or the first-stage responder or the area's "
        "leader"
    ) == who_may(Action.EXTEND, Stage.FIRST_STAGE)
    assert (
        "senior-complaint-executive, senior-leader or the second-stage handler (never the "
        "person who gave the first-stage response)"
    ) == who_may(Action.EXTEND, Stage.SECOND_STAGE)
    assert "any active staff member" == who_may(Action.ESCALATE)
    # Read in "only … may": the exception in brackets, so that "may" ends the sentence.
    assert (
        "senior-complaint-executive, senior-leader or the second-stage handler (never the "
        "person who gave the first-stage response)"
    ) == who_may(Action.FINAL)


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["log", "close"], S.RECEIVED),
        (["log", "acknowledge", "note", "assign", "close"], S.FIRST_STAGE),
        (["log", "acknowledge", "assign", "respond", "incident", "close"], S.RESPONDED),
        # Closed, reopened, moved on and closed again: the stage before the latest close.
        (["log", "close", "reopen", "acknowledge", "close"], S.FIRST_STAGE),
        (["log", "acknowledge", "close", "reopen", "close"], S.FIRST_STAGE),
    ],
)
def test_a_reopen_goes_back_to_the_stage_before_the_latest_close(
    actions: list[str], expected: Stage
) -> None:
    assert expected == stage_before_close(actions)
