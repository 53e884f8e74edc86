"""Handing the second stage on (`assign` on a second-stage case): to another member who may
take a second stage [page: a leader, senior leader or senior complaint executive], never the
first-stage responder [std: Housing Ombudsman code]; by its handler or a senior role; with the
reason; the final response still due when it was."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Decision, Role
from complaintctl.domain.retention import salted_keys
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from complaintctl.services.verify import verify_history
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, due, show, t, to_first_stage, to_second_stage

HANDED = t("2026-12-08T10:00")  # a day after the escalation to hana.handler


def hand_on(
    unit: UnitFactory,
    ref: str,
    to: str = "lena.leader",
    by: str = "sam.senior",
    reason: str | None = "Hana is on leave until January",
    at: datetime = HANDED,
) -> services.CaseView:
    view: services.CaseView = act(
        unit, services.assign, ref=ref, to=to, reason=reason, by=by, at=at
    )
    return view


def final(unit: UnitFactory, ref: str, by: str) -> services.CaseView:
    view: services.CaseView = act(
        unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Sorry",
        remedies=services.Remedies(), by=by, at=t("2026-12-10T10:00"),
    )  # fmt: skip
    return view


def test_a_senior_hands_the_second_stage_on_and_the_history_says_so(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    before = show(unit, ref)

    view = hand_on(unit, ref)

    assert ("lena.leader", "second-stage") == (view.handler, view.stage)
    assert before.version + 1 == view.version
    # The consumer was told when the final response is due: handing the case on keeps it.
    assert due(before, "final") == due(view, "final")
    assert [d.due for d in before.deadlines] == [d.due for d in view.deadlines]
    entry = view.history[-1]
    assert ("assign", "sam.senior", HANDED) == (entry.action, entry.actor, entry.at)
    assert {
        "to": "lena.leader",
        "was": "hana.handler",
        "stage": "second-stage",
        "reason": "Hana is on leave until January",
    } == entry.details


def test_the_new_handler_is_who_the_queue_overdue_and_show_name(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    hand_on(unit, ref)

    with unit(write=False) as uow:
        queued = services.queue(uow, as_of=t("2026-12-09T10:00"), owner="lena.leader")
        overdue = services.overdue(uow, as_of=NOW)
    assert [(ref, "lena.leader")] == [(i.ref, i.owner) for i in queued.items]
    assert [("lena.leader", "final")] == [(i.owner, i.which()) for i in overdue.items]
    assert "lena.leader" == show(unit, ref).handler


def test_db_verify_replays_a_history_with_the_second_stage_handed_on(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    hand_on(unit, ref)
    hand_on(unit, ref, to="hana.handler", by="lena.leader", reason="Hana is back",
            at=t("2026-12-09T10:00"))  # fmt: skip

    with unit(write=False) as uow:
        verified = verify_history(uow)

    assert () == tuple(verified.problems)


def test_the_handler_hands_their_own_case_on_and_the_new_one_decides_it(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)
    hand_on(unit, ref, by="hana.handler", reason="A conflict of interest")

    # lena.leader is a leader of another area: the handler relation is what lets her.
    view = final(unit, ref, "lena.leader")
    assert "final-response" == view.stage


@pytest.mark.parametrize(
    ("by", "words"),
    [
        # The area's leader assigns at the first stage, not the second.
        ("lee.leader", "lee.leader (leader) may not assign"),
        ("officer.one", "officer.one (officer) may not assign"),
        ("rita.responder", "rita.responder (officer) may not assign"),
    ],
)
def test_only_the_handler_or_a_senior_role_hands_it_on(
    unit: UnitFactory, by: str, words: str
) -> None:
    ref = to_second_stage(unit)

    with pytest.raises(NotPermitted) as refused:
        hand_on(unit, ref, by=by)

    assert str(refused.value) == (
        f"{words} on {ref}: only senior-complaint-executive, senior-leader or the "
        "second-stage handler may"
    )
    assert "hana.handler" == show(unit, ref).handler


@pytest.mark.parametrize(
    ("to", "error", "words"),
    [
        ("officer.two", InvalidInput, "officer.two is officer: the second stage goes to a "
         "leader, senior-leader or senior-complaint-executive"),
        ("rita.responder", InvalidInput, "rita.responder is officer"),
        ("hana.handler", InvalidInput, "hana.handler handles the second stage of {ref} "
         "already: nothing to change"),
        ("nobody", NotFound, "no staff member 'nobody'"),
    ],
)  # fmt: skip
def test_the_case_goes_only_to_someone_who_may_take_a_second_stage(
    unit: UnitFactory, to: str, error: type[Exception], words: str
) -> None:
    ref = to_second_stage(unit)
    version = show(unit, ref).version

    with pytest.raises(error) as refused:
        hand_on(unit, ref, to=to)

    assert str(refused.value).startswith(words.format(ref=ref))
    assert ("hana.handler", version) == (show(unit, ref).handler, show(unit, ref).version)


def test_never_to_the_first_stage_responder_whatever_their_role(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="lee.leader", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.respond, ref=ref, decision=Decision.NOT_UPHELD, summary="We did reply",
        remedies=services.Remedies(), by="lee.leader", at=t("2026-12-03T10:00"))  # fmt: skip
    act(unit, services.escalate, ref=ref, to="hana.handler", reason=None, by="officer.one",
        at=t("2026-12-07T10:00"))  # fmt: skip

    with pytest.raises(InvalidInput, match="lee.leader gave the first-stage response"):
        hand_on(unit, ref, to="lee.leader")


def test_nor_to_a_member_who_was_removed(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    act(unit, services.remove_staff, username="lena.leader", by="sam.senior",
        at=t("2026-12-07T12:00"))  # fmt: skip

    with pytest.raises(InvalidInput, match="lena.leader is no longer active staff"):
        hand_on(unit, ref)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_handing_it_on_says_why(unit: UnitFactory, reason: str | None) -> None:
    ref = to_second_stage(unit)

    with pytest.raises(InvalidInput) as refused:
        hand_on(unit, ref, reason=reason)

    assert f"{ref} is at the second stage: say why it is handed on (--reason TEXT)" == str(
        refused.value
    )


def test_a_reason_with_control_characters_is_refused_before_any_case(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)

    with pytest.raises(InvalidInput, match="--reason"):
        hand_on(unit, ref, reason="On leave\x1b[2J")


def test_a_first_stage_assignment_may_say_why_and_needs_not(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)

    plain = act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
                at=t("2026-12-01T11:00"))  # fmt: skip
    said = act(unit, services.assign, ref=ref, to="ruth.responder", reason="Rita is off sick",
               by="lee.leader", at=t("2026-12-01T12:00"))  # fmt: skip

    assert {"to": "rita.responder", "was": None} == plain.history[-1].details
    assert {"to": "ruth.responder", "was": "rita.responder", "reason": "Rita is off sick"} == (
        said.history[-1].details
    )


def test_a_first_stage_case_assigned_again_to_its_responder_is_refused_writing_nothing(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    before = show(unit, ref)

    with pytest.raises(InvalidInput) as refused:
        act(unit, services.assign, ref=ref, to="Rita.Responder", reason="Again",
            by="lee.leader", at=t("2026-12-01T12:00"))  # fmt: skip

    assert f"rita.responder is the responder of {ref} already: nothing to change" == (
        refused.value.message
    )
    assert before == show(unit, ref)


def test_it_is_handed_on_after_the_escalation_and_not_before(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)  # escalated Mon 7 Dec 10:00

    with pytest.raises(ActionNotAllowed, match="before .* last recorded step"):
        hand_on(unit, ref, at=t("2026-12-07T09:00"))
    final(unit, ref, "hana.handler")
    with pytest.raises(ActionNotAllowed, match="it is at stage final-response"):
        hand_on(unit, ref, at=t("2026-12-11T10:00"))


def test_a_reason_for_handing_it_on_is_removed_with_the_case_personal_data() -> None:
    # It may name the consumer ("Ann asked for someone else"), as an action's reason may.
    assert "reason" in salted_keys("assign")


def test_a_handler_made_an_officer_hands_the_case_on_but_does_not_decide_it(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)
    act(unit, services.change_role, username="hana.handler", role=Role.OFFICER, area=None,
        by="sam.senior", at=t("2026-12-07T11:00"))  # fmt: skip

    with pytest.raises(NotPermitted) as refused:
        final(unit, ref, "hana.handler")
    assert str(refused.value) == (
        f"hana.handler handles the second stage of {ref} but is now officer, and the second "
        "stage is a leader's, senior-leader's or senior-complaint-executive's, so may not give "
        f"the final response: hand it on (`complaintctl assign {ref} --to USERNAME --reason "
        "TEXT`)"
    )
    with pytest.raises(NotPermitted, match="so may not extend: hand it on"):
        act(unit, services.extend, ref=ref, until=t("2027-01-29T17:00"), reason="Complex",
            by="hana.handler", at=t("2026-12-08T09:00"))  # fmt: skip

    view = hand_on(unit, ref, by="hana.handler", reason="I am no longer a senior leader")
    assert "lena.leader" == view.handler
    assert "final-response" == final(unit, ref, "lena.leader").stage


def test_many_second_stage_cases_are_handed_on_at_once(unit: UnitFactory) -> None:
    refs = [to_second_stage(unit) for _ in range(3)]

    with unit() as uow:
        result = services.take_steps(
            uow, refs, services.Assign("lena.leader", "Hana is on leave"), by="sam.senior",
            at=HANDED, now=HANDED, continue_on_error=False, dry_run=False, full_views=False,
        )  # fmt: skip

    assert [(ref, "lena.leader") for ref in refs] == [(d.ref, d.handler) for d in result.done]
    assert ["lena.leader"] * 3 == [show(unit, ref).handler for ref in refs]
