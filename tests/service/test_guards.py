"""The review's guards at the service layer: each refusal says why and writes nothing.

Extensions only before a breach and only by who holds the stage, calendar changes judged at
the command's "now", the first member of staff, incidents at any stage, known areas, out-of-time
acceptance, restriction reviews, informal resolution at log, unknown staff and goodwill amounts.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from complaintctl import services
from complaintctl.domain.procedure import (
    AssessorOutcome,
    Channel,
    Decision,
    RestrictionScope,
    Role,
)
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted, NotStaff
from tests.conftest import UnitFactory
from tests.service import journey
from tests.service.journey import (
    act,
    due,
    log,
    show,
    t,
    to_first_stage,
    to_responded,
    to_second_stage,
)


def extend(unit: UnitFactory, ref: str, by: str, at: datetime, until: datetime) -> Any:
    return act(unit, services.extend, ref=ref, until=until, reason="Agreed", by=by, at=at)


def restrict(unit: UnitFactory, **kwargs: Any) -> Any:
    fields: dict[str, Any] = {"scope": RestrictionScope.CONTACT, "channel": Channel.POST}
    fields.update(kwargs)
    fields.setdefault("at", t("2026-12-01T12:00"))
    return journey.restrict(unit, **fields)


def review(unit: UnitFactory, restriction_id: int, **kwargs: Any) -> Any:
    fields: dict[str, Any] = {
        "restriction_id": restriction_id,
        "next_review": t("2027-01-15T10:00"),
        "reason": "Still needed",
        "by": "sam.senior",
        "at": t("2026-12-10T10:00"),
    }
    fields.update(kwargs)
    return act(unit, services.review_restriction, **fields)


def reviews_overdue(unit: UnitFactory, as_of: datetime) -> list[tuple[int | None, datetime]]:
    with unit(write=False) as uow:
        report = services.overdue(uow, as_of=as_of, kinds=["restriction-review"])
    return [(item.restriction_id, item.due) for item in report.items]


def restrictions(unit: UnitFactory) -> tuple[Any, ...]:
    with unit(write=False) as uow:
        return services.list_restrictions(uow, include_lifted=True)


# -- 1. extend: before a breach, and to a later date ---------------------------------------


def test_extending_after_the_running_deadline_has_passed_is_refused_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    before = show(unit, ref)
    with pytest.raises(ActionNotAllowed, match="respond deadline of .* passed"):
        extend(unit, ref, "lee.leader", t("2026-12-04T10:01"), t("2026-12-18T17:00"))
    assert before == show(unit, ref)


def test_extending_in_the_very_minute_the_deadline_falls_due_is_still_allowed(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    extend(unit, ref, "lee.leader", t("2026-12-04T10:00"), t("2026-12-18T17:00"))
    assert t("2026-12-18T17:00") == due(show(unit, ref), "respond")


@pytest.mark.parametrize("until", ["2026-12-04T10:00", "2026-12-03T17:00"])
def test_an_extension_until_no_later_than_the_current_due_is_refused_and_writes_nothing(
    unit: UnitFactory, until: str
) -> None:
    ref = to_first_stage(unit)
    before = show(unit, ref)
    with pytest.raises(InvalidInput, match="--until must be later than the current respond"):
        extend(unit, ref, "lee.leader", t("2026-12-02T10:00"), t(until))
    assert before == show(unit, ref)


# -- 2. a calendar change is judged at the command's now -----------------------------------


def test_a_closure_dated_in_the_past_leaves_a_deadline_breached_now_where_it_was(
    unit: UnitFactory,
) -> None:
    now = t("2026-12-01T12:00")
    # Thu 26 Nov 11:00: Thu 6h, Fri 14h, Mon 22h, due Tue 1 Dec 11:00; breached by noon.
    breached = log(unit, t("2026-11-26T11:00"), now=now)
    # Mon 30 Nov 10:00: due Thu 3 Dec 10:00; closing Tue 1 Dec puts it at Fri 4 Dec 10:00.
    running = log(unit, t("2026-11-30T10:00"), now=now, email="bob@example.com")

    change = act(
        unit,
        services.add_closure,
        day=date(2026, 12, 1),
        reason="Office move",
        by="sam.senior",
        at=t("2026-11-30T12:00"),  # before the breach: it must not lift it
        now=now,
        retroactive=services.Retroactive("the move was that day"),
    )

    assert [(running, "acknowledge", t("2026-12-03T10:00"), t("2026-12-04T10:00"))] == [
        m.listed for m in change.recomputed
    ]
    kept = show(unit, breached, as_of=now)
    assert (t("2026-12-01T11:00"), True, ["log"]) == (
        due(kept, "acknowledge"),
        kept.deadlines[0].breached,
        [e.action for e in kept.history],
    )
    recompute = show(unit, running, as_of=now).history[-1]
    assert ("deadline-recomputed", now, now) == (
        recompute.action,
        recompute.at,
        recompute.recorded_at,
    )


@pytest.mark.parametrize("by", ["rita.responder", "lee.leader"])
def test_the_responder_or_area_leader_extending_after_the_response_is_refused_by_the_stage(
    unit: UnitFactory, by: str
) -> None:
    # They may extend at the first stage: after it, the stage is what refuses them (exit 5),
    # never "only the first-stage responder may" said to the first-stage responder.
    ref = to_responded(unit)
    before = show(unit, ref)
    with pytest.raises(ActionNotAllowed, match=f"cannot extend {ref}: it is at stage responded"):
        extend(unit, ref, by, t("2026-12-08T10:00"), t("2027-01-29T17:00"))
    assert before == show(unit, ref)


# -- 4. the first member of staff ----------------------------------------------------------


def add_staff(
    unit: UnitFactory, username: str, role: Role, by: str, area: str | None = None
) -> Any:
    return act(
        unit,
        services.add_staff,
        username=username,
        name=username.title(),
        role=role,
        area=area,
        by=by,
        at=t("2026-11-28T10:00"),
    )


def staff_names(unit: UnitFactory) -> list[str]:
    with unit(write=False) as uow:
        return [s.username for s in services.list_staff(uow, include_removed=True)]


@pytest.mark.parametrize(("role", "area"), [(Role.OFFICER, None), (Role.LEADER, "Casework")])
def test_the_first_member_of_a_new_store_who_is_not_senior_is_refused_and_not_added(
    empty_unit: UnitFactory, role: Role, area: str | None
) -> None:
    with pytest.raises(InvalidInput, match="first member of staff must be a senior"):
        add_staff(empty_unit, "first", role, "whoever", area)
    assert [] == staff_names(empty_unit)


def test_after_the_first_senior_member_only_senior_roles_add_staff(
    empty_unit: UnitFactory,
) -> None:
    add_staff(empty_unit, "first", Role.SENIOR_COMPLAINT_EXECUTIVE, "whoever")
    add_staff(empty_unit, "olu", Role.OFFICER, "first")
    with pytest.raises(NotPermitted, match="only senior-complaint-executive, senior-leader"):
        add_staff(empty_unit, "second", Role.OFFICER, "olu")
    with pytest.raises(NotPermitted, match="not staff in this store"):
        add_staff(empty_unit, "third", Role.SENIOR_LEADER, "whoever")
    assert ["first", "olu"] == staff_names(empty_unit)


@pytest.mark.parametrize("by", ["evil\x1b[31mred", "nul\x00byte", "x" * 201])
def test_who_adds_the_first_member_is_held_to_the_input_rule_before_it_is_recorded(
    empty_unit: UnitFactory, by: str
) -> None:
    # No member vouches for who adds the first, so the name is kept as given: a control
    # character in it would reach the sealed history and every terminal that shows it.
    with pytest.raises(InvalidInput, match="--as"):
        add_staff(empty_unit, "first", Role.SENIOR_COMPLAINT_EXECUTIVE, by)
    assert [] == staff_names(empty_unit)


# -- 5. the extend rule follows the stage; the final response is someone else's ------------


@pytest.mark.parametrize("by", ["rita.responder", "lee.leader"])
def test_at_the_second_stage_the_first_stage_responder_and_area_leader_may_not_extend(
    unit: UnitFactory, by: str
) -> None:
    ref = to_second_stage(unit)
    before = show(unit, ref)
    with pytest.raises(NotPermitted, match=f"{by} .* may not extend"):
        extend(unit, ref, by, t("2026-12-08T10:00"), t("2027-01-29T17:00"))
    assert before == show(unit, ref)


def test_at_the_second_stage_the_handler_may_extend_the_final_response_deadline(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)
    extend(unit, ref, "hana.handler", t("2026-12-08T10:00"), t("2027-01-29T17:00"))
    view = show(unit, ref)
    assert (t("2027-01-29T17:00"), "final") == (
        due(view, "final"),
        view.history[-1].details["kind"],
    )


def test_whoever_gave_the_first_stage_response_may_not_give_the_final_one(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)
    before = show(unit, ref)
    with pytest.raises(NotPermitted, match="rita.responder gave the first-stage response"):
        act(
            unit,
            services.final_response,
            ref=ref,
            decision=Decision.UPHELD,
            summary="x",
            remedies=services.Remedies(),
            by="rita.responder",
            at=t("2026-12-08T10:00"),
        )
    assert before == show(unit, ref)


def test_a_refused_final_response_is_named_in_words_not_by_its_step_name(
    unit: UnitFactory,
) -> None:
    ref = to_second_stage(unit)
    with pytest.raises(NotPermitted, match=f"may not give the final response on {ref}: only"):
        act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="x",
            remedies=services.Remedies(), by="officer.one", at=t("2026-12-08T10:00"))  # fmt: skip
    first = to_second_stage(unit)
    with pytest.raises(ActionNotAllowed, match=f"cannot record the Assessor's outcome on {first}"):
        act(unit, services.record_outcome, ref=first, outcome=AssessorOutcome.UPHELD,
            recommendation=None, by="sam.senior", at=t("2026-12-08T10:00"))  # fmt: skip


# -- 6. incidents at any stage -------------------------------------------------------------


def incident(unit: UnitFactory, ref: str, at: datetime) -> Any:
    return act(unit, services.record_incident, ref=ref, note="Shouted", by="officer.two", at=at)


def test_an_incident_is_recorded_on_an_acknowledged_case(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    incident(unit, ref, t("2026-12-02T10:00"))
    view = show(unit, ref)
    assert ("first-stage", [(ref, "Shouted")], "incident") == (
        view.stage,
        [(i.ref, i.note) for i in view.incidents],
        view.history[-1].action,
    )


def test_an_incident_is_recorded_on_an_escalated_case(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    incident(unit, ref, t("2026-12-08T10:00"))
    view = show(unit, ref)
    assert ("second-stage", [(ref, "Shouted")]) == (
        view.stage,
        [(i.ref, i.note) for i in view.incidents],
    )


def test_an_incident_before_the_case_was_received_is_refused_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    before = show(unit, ref)
    with pytest.raises(InvalidInput, match="before .* was received"):
        incident(unit, ref, t("2026-11-30T09:59"))
    assert before == show(unit, ref)


# -- 7. ack --area names an area staff work in ---------------------------------------------


def ack(unit: UnitFactory, ref: str, area: str, **kwargs: Any) -> Any:
    return act(
        unit,
        services.acknowledge,
        ref=ref,
        area=area,
        by="officer.one",
        at=t("2026-12-01T10:00"),
        **kwargs,
    )


@pytest.mark.parametrize("area", ["casework", "CASEWORK", "  CaseWork "])
def test_an_area_is_matched_whatever_its_case_and_stored_as_staff_spell_it(
    unit: UnitFactory, area: str
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    ack(unit, ref, area)
    view = show(unit, ref)
    assert ("Casework", "Casework") == (view.area, view.history[-1].details["area"])


def test_an_unknown_area_is_refused_naming_the_known_ones_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    before = show(unit, ref)
    with pytest.raises(
        InvalidInput, match=r"no staff work in 'Housing'; the areas are Casework, Energy$"
    ):
        ack(unit, ref, "Housing")
    assert before == show(unit, ref)


def test_an_area_whose_staff_have_all_been_removed_is_no_longer_known(unit: UnitFactory) -> None:
    for username in ("eve.energy", "lena.leader"):
        act(
            unit,
            services.remove_staff,
            username=username,
            by="sam.senior",
            at=t("2026-11-29T10:00"),
        )
    ref = log(unit, t("2026-11-30T10:00"))
    with pytest.raises(InvalidInput, match="the areas are Casework$"):
        ack(unit, ref, "Energy")


def test_with_no_staff_in_any_area_an_acknowledgement_is_refused_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    """A case routed to a typed area while nobody works in any would reach no one."""
    for username in ("eve.energy", "lena.leader", "lee.leader", "rita.responder", "ruth.responder"):
        act(
            unit,
            services.remove_staff,
            username=username,
            by="sam.senior",
            at=t("2026-11-29T10:00"),
        )
    ref = log(unit, t("2026-11-30T10:00"))
    before = show(unit, ref)
    with pytest.raises(
        InvalidInput, match=r"no staff work in 'Nowhere': no member of staff has an area yet"
    ):
        ack(unit, ref, "Nowhere")
    assert before == show(unit, ref)


def test_acknowledging_twice_names_the_stage_even_with_an_unknown_area(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    before = show(unit, ref)
    with pytest.raises(ActionNotAllowed, match="it is at stage first-stage"):
        ack(unit, ref, "Housing")
    assert before == show(unit, ref)


# -- 8. out of time: accepted only with a reason -------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_out_of_time_case_is_not_acknowledged_without_a_reason(
    unit: UnitFactory, reason: str | None
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), about=date(2026, 5, 1))
    before = show(unit, ref)
    with pytest.raises(InvalidInput, match="--out-of-time-reason"):
        ack(unit, ref, "Casework", out_of_time_reason=reason)
    assert before == show(unit, ref)


def test_an_out_of_time_case_acknowledged_with_a_reason_records_it(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), about=date(2026, 5, 1))
    ack(unit, ref, "Casework", out_of_time_reason="Consumer was in hospital")
    view = show(unit, ref)
    assert ("first-stage", "Consumer was in hospital") == (
        view.stage,
        view.history[-1].details["out_of_time_accepted"],
    )


def test_a_case_in_time_records_no_out_of_time_acceptance(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), about=date(2026, 11, 1))
    ack(unit, ref, "Casework")
    assert "out_of_time_accepted" not in show(unit, ref).history[-1].details


# -- 9. restriction reviews ----------------------------------------------------------------


def test_a_review_sets_the_next_review_date(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)
    view = review(unit, restriction.id)
    assert (t("2027-01-15T10:00"), [t("2027-01-15T10:00")]) == (
        view.review_due,
        [r.review_due for r in restrictions(unit)],
    )


def test_a_reviewed_restriction_falls_due_in_overdue_only_after_its_next_review(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)  # first review due 2027-06-01 12:00 BST
    review(unit, restriction.id)
    assert [] == reviews_overdue(unit, t("2027-01-15T10:00"))
    assert [(restriction.id, t("2027-01-15T10:00"))] == reviews_overdue(unit, t("2027-01-15T10:01"))
    # The first review's clock stopped at the review: past its old due, still only one item.
    assert [(restriction.id, t("2027-01-15T10:00"))] == reviews_overdue(unit, t("2027-06-02T12:00"))


def test_only_senior_roles_review_a_restriction(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)
    with pytest.raises(NotPermitted, match="officer.one"):
        review(unit, restriction.id, by="officer.one")
    assert [t("2027-06-01T11:00")] == [r.review_due for r in restrictions(unit)]


def test_reviewing_a_lifted_restriction_is_refused(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)
    act(
        unit,
        services.lift,
        restriction_id=restriction.id,
        reason="Behaviour improved",
        by="sam.senior",
        at=t("2026-12-05T10:00"),
    )
    before = restrictions(unit)
    with pytest.raises(ActionNotAllowed, match="was lifted"):
        review(unit, restriction.id)
    assert before == restrictions(unit)


@pytest.mark.parametrize("next_review", ["2026-12-10T10:00", "2026-12-09T10:00"])
def test_a_next_review_not_after_the_review_is_refused(unit: UnitFactory, next_review: str) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)
    before = restrictions(unit)
    with pytest.raises(InvalidInput, match="--next must be after the review"):
        review(unit, restriction.id, next_review=t(next_review))
    assert before == restrictions(unit)


@pytest.mark.parametrize(
    ("at", "since"),
    [("2026-12-01T11:59", "decided (Tue 2026-12-01 12:00 GMT)"),
     ("2026-12-10T09:59", "last reviewed (Thu 2026-12-10 10:00 GMT)")],
)  # fmt: skip
@pytest.mark.parametrize("step", ["review", "lift"])
def test_a_review_or_lift_dated_before_the_decision_or_last_review_is_refused(
    unit: UnitFactory, step: str, at: str, since: str
) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)  # decided Tue 2026-12-01 12:00
    if "reviewed" in since:
        review(unit, restriction.id)  # at Thu 2026-12-10 10:00
    before = restrictions(unit)
    step_at = {
        "review": lambda: review(unit, restriction.id, at=t(at)),
        "lift": lambda: act(unit, services.lift, restriction_id=restriction.id,
                            reason="Improved", by="sam.senior", at=t(at)),
    }[step]  # fmt: skip
    refusal = re.escape(f"--at is before the restriction was {since}")
    with pytest.raises(InvalidInput, match=refusal):
        step_at()
    assert before == restrictions(unit)


def test_a_restriction_dated_back_past_its_review_is_recorded_and_judged_overdue_now(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"))
    # Decided (--at) before its review date, recorded after it: overdue as the command runs,
    # as an action or a subject-access request typed in late is.
    view = restrict(unit, review=t("2026-12-05T10:00"), now=t("2026-12-08T10:00"))
    assert (t("2026-12-05T10:00"), True) == (view.review_due, view.overdue)
    assert not restrict(unit, email="ann@example.com", review=t("2026-12-20T10:00"),
                        now=t("2026-12-08T10:00")).overdue  # fmt: skip


def test_a_review_recorded_after_the_next_review_it_sets_is_judged_overdue_now(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit)
    view = review(unit, restriction.id, next_review=t("2026-12-11T10:00"),
                  now=t("2026-12-14T10:00"))  # fmt: skip
    assert True is view.overdue
    assert False is review(unit, restriction.id, next_review=t("2027-01-15T10:00"),
                           at=t("2026-12-14T10:00")).overdue  # fmt: skip


def test_a_restriction_dated_back_before_a_case_was_received_is_in_its_history_from_receipt(
    unit: UnitFactory,
) -> None:
    earlier = log(unit, t("2026-11-30T10:00"))
    later = log(unit, t("2026-12-03T10:00"), now=t("2026-12-03T10:00"))
    # Decided on 1 December, recorded on the 8th and lifted (dated the 2nd) on the 9th.
    restriction = restrict(unit, now=t("2026-12-08T10:00"))
    act(unit, services.lift, restriction_id=restriction.id, reason="Improved",
        by="sam.senior", at=t("2026-12-02T10:00"), now=t("2026-12-09T10:00"))  # fmt: skip

    entries = {
        ref: [(e.action, e.at, {k: v for k, v in e.details.items() if "receipt" in k})
              for e in show(unit, ref).history]
        for ref in (earlier, later)
    }  # fmt: skip

    # The case received before it has each entry when it happened.
    assert [
        ("log", t("2026-11-30T10:00"), {}),
        ("restriction-decided", t("2026-12-01T12:00"), {}),
        ("restriction-lifted", t("2026-12-02T10:00"), {}),
    ] == entries[earlier]
    # The one received after has them at its receipt, never before it, saying when each was.
    assert [
        ("log", t("2026-12-03T10:00"), {}),
        ("restriction-decided", t("2026-12-03T10:00"),
         {"decided_before_receipt": "2026-12-01T12:00:00+00:00"}),
        ("restriction-lifted", t("2026-12-03T10:00"),
         {"lifted_before_receipt": "2026-12-02T10:00:00+00:00"}),
    ] == entries[later]  # fmt: skip
    # The restriction itself, and the store's own entries the figures count, keep its dates.
    with unit(write=False) as uow:
        stored = uow.restriction(restriction.id)
        assert stored is not None
        assert (t("2026-12-01T12:00"), t("2026-12-02T10:00")) == (
            stored.decided_at,
            stored.lifted_at,
        )


def test_reviewing_an_unknown_restriction_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound, match="no restriction 99"):
        review(unit, 99)


# -- 10. resolved informally at log --------------------------------------------------------


def test_a_complaint_resolved_informally_is_logged_already_closed(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), resolved_informally="Explained on the phone")
    view = show(unit, ref)
    assert (
        "closed",
        "resolved-informally",
        [("acknowledge", "cancelled", t("2026-11-30T10:00"))],
        ["log", "close"],
        "Explained on the phone",
    ) == (
        view.stage,
        view.close_reason,
        [(d.kind, d.outcome, d.ended_at) for d in view.deadlines],
        [e.action for e in view.history],
        view.history[-1].details["note"],
    )


def test_a_complaint_resolved_informally_logged_after_its_acknowledgement_was_due_is_no_breach(
    unit: UnitFactory,
) -> None:
    """Resolved on the spot on 9 November, typed in on 3 December: the acknowledgement clock
    it starts and ends in one command was never on record running, so it was never breached
    (as the figures count it: no acknowledgement closed past due)."""
    ref = log(unit, t("2026-11-09T10:00"), now=t("2026-12-03T18:00"), resolved_informally="Sorted")
    view = show(unit, ref)
    assert [("acknowledge", "cancelled", t("2026-11-09T10:00"), False)] == [
        (d.kind, d.outcome, d.ended_at, d.breached) for d in view.deadlines
    ]


def test_an_empty_informal_resolution_note_is_refused_and_logs_nothing(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="--resolved-informally must not be empty"):
        log(unit, t("2026-11-30T10:00"), resolved_informally="   ")
    assert "SC-2026-000001" == log(unit, t("2026-11-30T10:00"))


# -- 11. unknown staff named in an option --------------------------------------------------


def test_assigning_to_unknown_staff_is_not_found(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(NotFound, match="no staff member 'nobody'"):
        act(unit, services.assign, ref=ref, to="nobody", by="lee.leader", at=t("2026-12-01T11:00"))


def test_escalating_to_unknown_staff_is_not_found(unit: UnitFactory) -> None:
    ref = to_responded(unit)
    with pytest.raises(NotFound, match="no staff member 'nobody'"):
        act(
            unit,
            services.escalate,
            ref=ref,
            to="nobody",
            reason=None,
            by="officer.one",
            at=t("2026-12-07T10:00"),
        )


def test_a_contact_restriction_via_unknown_staff_is_not_found(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    with pytest.raises(NotFound, match="no staff member 'nobody'"):
        restrict(unit, channel=None, via="nobody")
    assert () == restrictions(unit)


# "olu" typed with a Cyrillic o: the refusal must not read as saying the real member is none.
LOOK_ALIKE = "\u043efficer.one"
CYRILLIC_O = re.escape("(it holds U+043E CYRILLIC SMALL LETTER O")


def test_acting_as_a_look_alike_of_a_member_is_refused_naming_the_letter_no_username_holds(
    unit: UnitFactory,
) -> None:
    with pytest.raises(NotPermitted, match=f"is not staff in this store {CYRILLIC_O}"):
        log(unit, t("2026-11-30T10:00"), by=LOOK_ALIKE)


def test_acting_as_no_member_is_refused_naming_the_name_as_given(unit: UnitFactory) -> None:
    # The name as given, for the command line to say where it came from (the config file).
    with pytest.raises(NotStaff) as refused:
        log(unit, t("2026-11-30T10:00"), by="nobody")
    assert ("nobody", 6) == (refused.value.name, refused.value.exit_code)


def test_assigning_to_a_look_alike_of_a_member_is_not_found_naming_the_letter(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(NotFound, match=f"no staff member '{LOOK_ALIKE}' {CYRILLIC_O}"):
        act(
            unit, services.assign, ref=ref, to=LOOK_ALIKE, by="lee.leader", at=t("2026-12-01T11:00")
        )


def test_a_name_holding_a_byte_that_is_not_utf8_is_no_member_of_staff(unit: UnitFactory) -> None:
    """`--to $'ol\\xe9'` typed in a Latin-1 terminal: half a character, which no username
    holds, refused as no member (not as input the store could not take)."""
    ref = to_first_stage(unit)
    with pytest.raises(NotFound, match=re.escape("no staff member 'ol\\udce9' (it holds U+DCE9")):
        act(
            unit, services.assign, ref=ref, to="ol\udce9", by="lee.leader", at=t("2026-12-01T11:00")
        )
    with pytest.raises(NotPermitted, match="is not staff in this store"):
        log(unit, t("2026-11-30T10:00"), by="ol\udce9")


def test_an_unknown_name_of_username_characters_is_refused_without_a_note(
    unit: UnitFactory,
) -> None:
    with pytest.raises(NotPermitted) as refused:
        log(unit, t("2026-11-30T10:00"), by="nobody")
    assert "it holds" not in str(refused.value)


# -- 12. goodwill amounts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount", ["1e30", "١٢", "1_000", "0", "0.00", "100000.01", "-1", "", "££12", "12£"]
)
def test_a_goodwill_amount_that_is_not_pounds_and_pence_up_to_100000_is_refused(
    amount: str,
) -> None:
    with pytest.raises(InvalidInput, match="--goodwill"):
        services.Remedies((), amount).pence()


@pytest.mark.parametrize(
    ("amount", "pence"), [("100000", 10_000_000), ("£49.99", 4999), ("0.01", 1), ("50", 5000)]
)
def test_a_goodwill_amount_in_pounds_and_pence_is_accepted(amount: str, pence: int) -> None:
    assert pence == services.Remedies((), amount).pence()
