"""Who held a case at a moment asked for (--as-of): the responder, the second-stage handler and
each action's owner as the history recorded by then had them, as each due is (an `assign`,
`escalate` or `action reassign` recorded since undone), in `show`, `overdue`, `queue` and
`action list` alike; a step's own view names who holds it now."""

from __future__ import annotations

from datetime import datetime

from complaintctl import services
from complaintctl.domain.procedure import ActionKind
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, show, t, to_first_stage, to_second_stage

# The response is due Fri 2026-12-04 10:00 (24 working hours after the acknowledgement).
THEN = t("2026-12-04T12:00")  # the response breached, still rita.responder's
LATER = t("2026-12-07T10:00")  # handed to ruth.responder


def reassigned(unit: UnitFactory, *, at: datetime = LATER, now: datetime = LATER) -> str:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.assign, ref=ref, to="ruth.responder", reason="Rita is away",
        by="lee.leader", at=at, now=now)  # fmt: skip
    return ref


def overdue_owners(unit: UnitFactory, as_of: datetime) -> list[tuple[str, str | None]]:
    with unit(write=False) as uow:
        report = services.overdue(uow, as_of=as_of, as_recorded=True)
    return [(i.which(), i.owner) for i in report.items]


def queued(unit: UnitFactory, as_of: datetime, **filters: object) -> list[tuple[str, str | None]]:
    with unit(write=False) as uow:
        report = services.queue(uow, as_of=as_of, as_recorded=True, **filters)  # type: ignore[arg-type]
    return [(i.ref, i.owner) for i in report.items]


def test_show_as_of_names_the_responder_then_not_the_one_assigned_since(unit: UnitFactory) -> None:
    ref = reassigned(unit)

    assert "rita.responder" == show(unit, ref, THEN).responder
    assert "ruth.responder" == show(unit, ref, t("2026-12-07T10:00")).responder
    assert "ruth.responder" == show(unit, ref).responder
    # Before anyone was assigned: nobody.
    assert show(unit, ref, t("2026-12-01T10:30")).responder is None


def test_overdue_as_of_names_who_owed_the_response_then(unit: UnitFactory) -> None:
    reassigned(unit)

    assert [("respond", "rita.responder")] == overdue_owners(unit, THEN)
    assert [("respond", "ruth.responder")] == overdue_owners(unit, NOW)


def test_queue_as_of_names_and_filters_by_the_owner_then(unit: UnitFactory) -> None:
    ref = reassigned(unit)

    assert [(ref, "rita.responder")] == queued(unit, THEN)
    assert [(ref, "rita.responder")] == queued(unit, THEN, owner="rita.responder")
    assert [] == queued(unit, THEN, owner="ruth.responder")
    assert [] == queued(unit, THEN, unassigned=True)
    # Before the first assignment the case was nobody's.
    assert [(ref, None)] == queued(unit, t("2026-12-01T10:30"), unassigned=True)
    assert [] == queued(unit, t("2026-12-01T10:30"), owner="rita.responder")
    assert [(ref, "ruth.responder")] == queued(unit, NOW, owner="ruth.responder")


def test_an_assignment_dated_back_counts_from_when_it_was_recorded(unit: UnitFactory) -> None:
    # Typed in on the 7th, dated the 2nd: on the 4th the store still named rita.responder, as a
    # due counts an extension from when it was recorded.
    ref = reassigned(unit, at=t("2026-12-02T10:00"), now=LATER)

    assert "rita.responder" == show(unit, ref, THEN).responder
    assert [("respond", "rita.responder")] == overdue_owners(unit, THEN)
    assert [(ref, "rita.responder")] == queued(unit, THEN)
    assert "ruth.responder" == show(unit, ref, LATER).responder


def test_the_second_stage_handler_then_before_and_after_it_was_handed_on(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)  # escalated to hana.handler on 2026-12-07 10:00
    # The final response is due Thu 2027-01-07 17:00; handed on after it was breached.
    act(unit, services.assign, ref=ref, to="lena.leader", reason="Hana is on leave",
        by="sam.senior", at=t("2027-01-11T10:00"))  # fmt: skip
    breached = t("2027-01-08T12:00")

    view = show(unit, ref, breached)
    assert ("rita.responder", "hana.handler") == (view.responder, view.handler)
    assert show(unit, ref, t("2026-12-04T12:00")).handler is None  # not yet escalated
    assert [("final", "hana.handler")] == overdue_owners(unit, breached)
    assert [(ref, "hana.handler")] == queued(unit, breached, owner="hana.handler")
    assert [] == queued(unit, breached, owner="lena.leader")
    # Before the escalation the case was its responder's, in the queue's sense.
    assert [(ref, "rita.responder")] == queued(unit, t("2026-12-04T12:00"), owner="rita.responder")
    assert [("final", "lena.leader")] == overdue_owners(unit, NOW)


def test_an_action_handed_on_since_is_its_owner_then_everywhere(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    action = act(
        unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Call Ann back",
        owner="hana.handler", due=None, within="1d", by="officer.one", at=t("2026-12-01T10:00"),
    )  # fmt: skip
    act(unit, services.reassign_action, action_id=action.id, to="rita.responder",
        reason="Hana is away", by="sam.senior", at=LATER)  # fmt: skip

    assert [("hana.handler", action.id)] == [(a.owner, a.id) for a in show(unit, ref, THEN).actions]
    assert (f"action {action.id}", "hana.handler") in overdue_owners(unit, THEN)
    with unit(write=False) as uow:
        hers = services.list_actions(uow, as_of=THEN, owner="hana.handler")
        ritas = services.list_actions(uow, as_of=THEN, owner="rita.responder")
        now = services.list_actions(uow, as_of=NOW, owner="rita.responder")
    assert [(action.id, "hana.handler")] == [(a.id, a.owner) for a in hers]
    assert [] == list(ritas)
    assert [(action.id, "rita.responder")] == [(a.id, a.owner) for a in now]


def test_a_steps_view_names_who_holds_the_case_now_whatever_its_date(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    # Dated back before the first assignment was recorded: the step's view is as of its
    # date, but names who holds the case as the store has it now.
    view = act(unit, services.assign, ref=ref, to="ruth.responder", by="lee.leader",
               at=t("2026-12-01T11:00"), now=LATER)  # fmt: skip
    assert "ruth.responder" == view.responder
