"""The procedure at the service layer: each step, its deadline, its order and its role rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from complaintctl import services
from complaintctl.domain.periods import parse_period
from complaintctl.domain.procedure import (
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    Direction,
    OutOfScope,
    Remedy,
    RestrictionScope,
    Role,
)
from complaintctl.errors import (
    ActionNotAllowed,
    ConsumerRestricted,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from tests.conftest import UnitFactory, dump_store
from tests.service import journey
from tests.service.journey import (
    NOW,
    act,
    due,
    log,
    show,
    t,
    to_final,
    to_first_stage,
    to_responded,
    to_second_stage,
    withdraw,
)


def test_acknowledging_starts_the_response_clock_24_working_hours_on(unit: UnitFactory) -> None:
    view = show(unit, to_first_stage(unit))
    assert ("first-stage", t("2026-12-04T10:00")) == (view.stage, due(view, "respond"))


def test_the_final_response_is_due_at_the_close_of_the_20th_working_day(
    unit: UnitFactory,
) -> None:
    # Escalated Mon 7 Dec 2026: day 1 is Tue 8th; Christmas, Boxing Day (observed, Mon 28th)
    # and New Year's Day are skipped, so day 20 is Thu 7 Jan 2027.
    view = show(unit, to_second_stage(unit))
    assert ("second-stage", "hana.handler", t("2027-01-07T17:00")) == (
        view.stage,
        view.handler,
        due(view, "final"),
    )


def test_the_final_response_opens_a_three_month_referral_window(unit: UnitFactory) -> None:
    view = show(unit, to_final(unit))
    final = view.latest("final")
    assert final is not None
    # 10:00 GMT in January is 10:00 BST in April: 09:00 UTC.
    assert ("final-response", t("2027-04-04T09:00")) == (view.stage, due(view, "referral-window"))
    assert ("2027-04-04T09:00:00+00:00", True) == (
        final.details["refer_by"],
        "Independent Assessor" in final.details["how_to_refer"],
    )
    assert [
        ("first", "not-upheld", (), None),
        ("final", "partly-upheld", ("apology", "goodwill-payment"), 2550),
    ] == [(r.stage, r.decision, r.remedies, r.goodwill_pence) for r in view.responses]


def test_a_referral_and_the_assessors_outcome_end_the_story(unit: UnitFactory) -> None:
    ref = to_final(unit)
    act(unit, services.refer, ref=ref, late_reason=None, by="officer.two", at=t("2027-02-01T10:00"))
    act(
        unit,
        services.record_outcome,
        ref=ref,
        outcome=AssessorOutcome.NOT_UPHELD,
        recommendation="None",
        by="officer.two",
        at=t("2027-05-01T10:00"),
    )
    view = show(unit, ref)
    assert "assessed" == view.stage
    # The final response's goodwill payment opened its "pay" action, recorded after it.
    assert [
        "log", "acknowledge", "assign", "respond", "escalate", "final", "action-opened", "refer",
        "outcome",
    ] == [e.action for e in view.history]  # fmt: skip


def test_a_late_referral_needs_a_reason_and_records_it(unit: UnitFactory) -> None:
    ref = to_final(unit)
    with pytest.raises(InvalidInput, match="--late-reason"):
        act(
            unit,
            services.refer,
            ref=ref,
            late_reason=None,
            by="officer.two",
            at=t("2027-04-05T10:00"),
        )
    act(
        unit,
        services.refer,
        ref=ref,
        late_reason="In hospital",
        by="officer.two",
        at=t("2027-04-05T10:00"),
    )
    details = show(unit, ref).history[-1].details
    assert (True, "In hospital") == (details["late"], details["late_reason"])


def test_an_agreed_extension_replaces_the_response_deadline(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(
        unit,
        services.assign,
        ref=ref,
        to="rita.responder",
        by="lee.leader",
        at=t("2026-12-01T11:00"),
    )
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2026-12-18T17:00"),
        reason="Complex; agreed",
        by="rita.responder",
        at=t("2026-12-02T10:00"),
    )
    view = show(unit, ref)
    assert t("2026-12-18T17:00") == due(view, "respond")
    assert {
        "kind": "respond",
        "old_due": "2026-12-04T10:00:00+00:00",
        "new_due": "2026-12-18T17:00:00+00:00",
        "reason": "Complex; agreed",
    } == (view.history[-1].details)


def test_an_extension_survives_a_calendar_change(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2026-12-18T17:00"),
        reason="Agreed",
        by="lee.leader",
        at=t("2026-12-02T10:00"),
    )
    act(
        unit,
        services.add_closure,
        day=t("2026-12-17T00:00").date(),
        reason="Away day",
        by="sam.senior",
        at=t("2026-12-02T11:00"),
    )
    assert t("2026-12-18T17:00") == due(show(unit, ref), "respond")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            lambda u, r: act(
                u,
                services.escalate,
                ref=r,
                to="hana.handler",
                reason=None,
                by="officer.one",
                at=t("2026-12-02T10:00"),
            ),
            "stage first-stage",
        ),
        (
            lambda u, r: act(
                u,
                services.final_response,
                ref=r,
                decision=Decision.UPHELD,
                summary="x",
                remedies=services.Remedies(),
                by="hana.handler",
                at=t("2026-12-02T10:00"),
            ),
            "stage first-stage",
        ),
        (
            lambda u, r: act(
                u,
                services.refer,
                ref=r,
                late_reason=None,
                by="officer.one",
                at=t("2026-12-02T10:00"),
            ),
            "stage first-stage",
        ),
        (
            lambda u, r: act(
                u,
                services.respond,
                ref=r,
                decision=Decision.UPHELD,
                summary="x",
                remedies=services.Remedies(),
                by="sam.senior",
                at=t("2026-12-02T10:00"),
            ),
            "no responder",
        ),
        (
            lambda u, r: act(
                u, services.acknowledge, ref=r, area="X", by="officer.one", at=t("2026-12-02T10:00")
            ),
            "stage first-stage",
        ),
        (
            lambda u, r: act(
                u,
                services.assign,
                ref=r,
                to="rita.responder",
                by="lee.leader",
                at=t("2026-12-01T09:00"),
            ),
            "before",
        ),
    ],
)
def test_steps_out_of_order_are_refused_and_write_nothing(
    unit: UnitFactory, step: Any, message: str
) -> None:
    ref = to_first_stage(unit)
    before = show(unit, ref)
    with pytest.raises(ActionNotAllowed, match=message):
        step(unit, ref)
    assert before == show(unit, ref)


def test_a_step_seconds_before_the_last_one_is_refused_saying_both_to_the_second(
    unit: UnitFactory,
) -> None:
    # Acknowledged at 10:00:30.25; an assignment dated 10:00:10 of the same minute is before
    # it, and the refusal must not read "10:00 is before 10:00".
    ref = log(unit, t("2026-11-30T10:00"))
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00:30.25"))  # fmt: skip
    with pytest.raises(ActionNotAllowed) as refusal:
        act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
            at=t("2026-12-01T10:00:10"))  # fmt: skip

    assert (
        f"--at Tue 2026-12-01 10:00:10 GMT is before {ref}'s last recorded step "
        "(Tue 2026-12-01 10:00:30.25 GMT); steps are recorded in the order they happened"
    ) == str(refusal.value)


@pytest.mark.parametrize(
    ("by", "to"),
    [("officer.one", "rita.responder"), ("lena.leader", "rita.responder"), ("nobody", "rita")],
)
def test_only_the_areas_leader_or_a_senior_role_assigns(
    unit: UnitFactory, by: str, to: str
) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(NotPermitted):
        act(unit, services.assign, ref=ref, to=to, by=by, at=t("2026-12-01T11:00"))


def test_the_responder_must_work_in_the_cases_area(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(InvalidInput, match="works in Energy"):
        act(
            unit,
            services.assign,
            ref=ref,
            to="eve.energy",
            by="sam.senior",
            at=t("2026-12-01T11:00"),
        )


def test_an_area_spelt_another_way_is_the_same_area_for_its_leader_and_responders(
    unit: UnitFactory,
) -> None:
    # A leader added for "CASEWORK" leads Casework: they assign its cases, and its staff can be
    # assigned, whichever spelling the case was routed with.
    lou = act(
        unit,
        services.add_staff,
        username="lou.leader",
        name="Lou Leader",
        role=Role.LEADER,
        area="CASEWORK",
        by="sam.senior",
        at=t("2026-11-28T10:00"),
    )
    assert "Casework" == lou.area
    ref = to_first_stage(unit)
    act(
        unit,
        services.assign,
        ref=ref,
        to="rita.responder",
        by="lou.leader",
        at=t("2026-12-01T11:00"),
    )
    act(
        unit,
        services.assign,
        ref=ref,
        to="ruth.responder",
        by="lee.leader",
        at=t("2026-12-01T11:05"),
    )
    assert "ruth.responder" == show(unit, ref).responder
    with unit(write=False) as uow:
        assert ["Casework", "Energy"] == sorted(uow.staff_areas())


def test_an_area_typed_with_its_accents_decomposed_is_the_area_staff_work_in(
    unit: UnitFactory,
) -> None:
    # "Café" with é as one character (NFC), and as e and a combining accent (NFD, as some
    # keyboards and pasted text give it): they look the same, so they are one area, never two.
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    act(
        unit,
        services.add_staff,
        username="cleo.leader",
        name="Cleo Leader",
        role=Role.LEADER,
        area=composed,
        by="sam.senior",
        at=t("2026-11-28T10:00"),
    )
    cora = act(
        unit,
        services.add_staff,
        username="cora.officer",
        name="Cora Officer",
        role=Role.OFFICER,
        area=decomposed,
        by="sam.senior",
        at=t("2026-11-28T10:05"),
    )
    ref = log(unit, t("2026-11-30T10:00"))
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area=decomposed,
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    act(
        unit,
        services.assign,
        ref=ref,
        to="cora.officer",
        by="cleo.leader",
        at=t("2026-12-01T11:00"),
    )

    assert (composed, composed) == (cora.area, show(unit, ref).area)
    with unit(write=False) as uow:
        assert sorted(["Casework", composed, "Energy"]) == sorted(uow.staff_areas())
        listed = services.queue(uow, as_of=t("2026-12-01T12:00"), area=decomposed.upper())
    assert [ref] == [item.ref for item in listed.items]


def test_only_the_assigned_responder_or_a_senior_role_responds(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(
        unit,
        services.assign,
        ref=ref,
        to="rita.responder",
        by="lee.leader",
        at=t("2026-12-01T11:00"),
    )
    with pytest.raises(NotPermitted, match="ruth.responder"):
        act(
            unit,
            services.respond,
            ref=ref,
            decision=Decision.UPHELD,
            summary="x",
            remedies=services.Remedies(),
            by="ruth.responder",
            at=t("2026-12-02T10:00"),
        )


@pytest.mark.parametrize(
    ("handler", "message"),
    [("officer.two", "second stage goes to"), ("nobody", "no staff member 'nobody'")],
)
def test_the_second_stage_goes_to_a_leader_or_senior_role(
    unit: UnitFactory, handler: str, message: str
) -> None:
    ref = to_responded(unit)
    with pytest.raises((InvalidInput, NotFound), match=message):
        act(
            unit,
            services.escalate,
            ref=ref,
            to=handler,
            reason=None,
            by="officer.one",
            at=t("2026-12-07T10:00"),
        )


def test_the_first_stage_responder_cannot_take_the_second_stage(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="lee.leader", by="lee.leader", at=t("2026-12-01T11:00"))
    act(
        unit,
        services.respond,
        ref=ref,
        decision=Decision.UPHELD,
        summary="x",
        remedies=services.Remedies(),
        by="lee.leader",
        at=t("2026-12-02T10:00"),
    )
    with pytest.raises(InvalidInput, match="gave the first-stage response"):
        act(
            unit,
            services.escalate,
            ref=ref,
            to="lee.leader",
            reason=None,
            by="officer.one",
            at=t("2026-12-07T10:00"),
        )


def test_a_senior_who_responded_at_the_first_stage_cannot_give_the_final_response(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    act(
        unit,
        services.assign,
        ref=ref,
        to="rita.responder",
        by="lee.leader",
        at=t("2026-12-01T11:00"),
    )
    act(
        unit,
        services.respond,
        ref=ref,
        decision=Decision.UPHELD,
        summary="x",
        remedies=services.Remedies(),
        by="sam.senior",
        at=t("2026-12-02T10:00"),
    )
    act(
        unit,
        services.escalate,
        ref=ref,
        to="hana.handler",
        reason=None,
        by="officer.one",
        at=t("2026-12-07T10:00"),
    )
    with pytest.raises(NotPermitted, match="gave the first-stage response"):
        act(
            unit,
            services.final_response,
            ref=ref,
            decision=Decision.UPHELD,
            summary="x",
            remedies=services.Remedies(),
            by="sam.senior",
            at=t("2026-12-08T10:00"),
        )


@pytest.mark.parametrize(
    ("remedies", "message"),
    [
        (services.Remedies((Remedy.GOODWILL_PAYMENT,)), "needs its amount"),
        (services.Remedies((), "fifty"), "positive amount in pounds and pence"),
        (services.Remedies((), "1e30"), "positive amount in pounds and pence"),
        (services.Remedies((), "100000.01"), "at most £100,000"),
        (services.Remedies((), "99999999999"), "at most £100,000"),
        (services.Remedies((), "-5"), "positive"),
        (services.Remedies((), "1.234"), "pounds and pence"),
    ],
)
def test_a_goodwill_payment_is_a_positive_amount_in_pounds(
    unit: UnitFactory, remedies: services.Remedies, message: str
) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(InvalidInput, match=message):
        act(
            unit,
            services.respond,
            ref=ref,
            decision=Decision.UPHELD,
            summary="x",
            remedies=remedies,
            by="sam.senior",
            at=t("2026-12-02T10:00"),
        )


def test_closing_stops_running_clocks_and_ends_the_case(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.OUT_OF_SCOPE,
        because=OutOfScope.DECISION,
        note=None,
        by="officer.one",
        at=t("2026-12-02T10:00"),
    )
    view = show(unit, ref)
    assert ("closed", "out-of-scope: decision") == (view.stage, view.close_reason)
    assert ["met", "cancelled"] == [d.outcome for d in view.deadlines]
    assert "decision-review route" in view.history[-1].details["where_instead"]
    with pytest.raises(ActionNotAllowed, match="what can happen next: reopen it"):
        act(
            unit,
            services.assign,
            ref=ref,
            to="rita.responder",
            by="lee.leader",
            at=t("2026-12-03T10:00"),
        )


def test_a_consumer_can_accept_only_a_response_they_have_had(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(ActionNotAllowed, match="fits a case at stage responded"):
        act(
            unit,
            services.close,
            ref=ref,
            reason=CloseReason.ACCEPTED,
            because=None,
            note=None,
            by="officer.one",
            at=t("2026-12-02T10:00"),
        )


def test_a_complaint_about_an_issue_over_six_months_old_is_marked_out_of_time(
    unit: UnitFactory,
) -> None:
    old = log(unit, t("2026-11-30T10:00"), about=t("2026-05-29T00:00").date())
    recent = log(unit, t("2026-11-30T10:00"), about=t("2026-05-30T00:00").date())
    assert (True, False) == (show(unit, old).out_of_time, show(unit, recent).out_of_time)


def restrict(unit: UnitFactory, scope: RestrictionScope, **kwargs: Any) -> Any:
    kwargs.setdefault("at", t("2026-12-01T12:00"))
    return journey.restrict(unit, scope=scope, **kwargs)


def test_a_consumer_restricted_from_the_procedure_cannot_log_a_new_complaint(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit, RestrictionScope.PROCEDURE)
    assert t("2027-06-01T11:00") == restriction.review_due  # 12:00 BST
    with pytest.raises(ConsumerRestricted, match="review due Tue 2027-06-01 12:00 BST"):
        log(unit, t("2026-12-02T10:00"))
    with pytest.raises(NotPermitted):
        log(unit, t("2026-12-02T10:00"), override_restriction="New matter")
    ref = act(
        unit,
        services.log_complaint,
        by="sam.senior",
        at=t("2026-12-02T10:00"),
        override_restriction="A genuinely new matter",
        complaint=services.NewComplaint(
            consumer="Ann Smith",
            email="ann@example.com",
            channel=Channel.EMAIL,
            category=Category.DELAY,
            summary="New",
        ),
    ).ref
    assert "A genuinely new matter" in show(unit, ref).history[0].details["restriction_overridden"]


def test_a_same_matter_restriction_refuses_only_that_dispute(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"), dispute="D-1")
    restrict(unit, RestrictionScope.SAME_MATTER, dispute="D-1")
    with pytest.raises(ConsumerRestricted, match="dispute D-1"):
        log(unit, t("2026-12-02T10:00"), dispute="D-1")
    assert log(unit, t("2026-12-02T10:00"), dispute="D-2").startswith("SC-2026-")


@pytest.mark.parametrize(
    "typed",
    [
        "D-1\u200b",  # a zero-width space pasted with it
        "\u202dD-1",  # a bidirectional override in front
        "d\u00ad-1",  # a soft hyphen
        "\uff24-\uff11",  # full-width letters, as an email's are folded
    ],
)
def test_a_same_matter_restriction_is_not_evaded_by_a_reference_that_looks_the_same(
    unit: UnitFactory, typed: str
) -> None:
    log(unit, t("2026-11-30T10:00"), dispute="D-1")
    restrict(unit, RestrictionScope.SAME_MATTER, dispute="D-1")

    with pytest.raises(ConsumerRestricted, match="dispute D-1"):
        log(unit, t("2026-12-02T10:00"), dispute=typed)


def test_a_same_matter_restriction_typed_with_an_invisible_character_still_refuses(
    unit: UnitFactory,
) -> None:
    log(unit, t("2026-11-30T10:00"), dispute="D-1")
    restriction = restrict(unit, RestrictionScope.SAME_MATTER, dispute="D-1\u200b")

    assert "no new complaints about dispute D-1;" in restriction.describe()
    with pytest.raises(ConsumerRestricted, match="dispute D-1"):
        log(unit, t("2026-12-02T10:00"), dispute="D-1")


def test_restriction_reviews_fall_due_in_overdue_until_lifted(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    restriction = restrict(unit, RestrictionScope.CONTACT, channel=Channel.POST)
    with unit(write=False) as uow:
        report = services.overdue(uow, as_of=NOW, kinds=["restriction-review"])
    assert [(None, restriction.id)] == [(i.ref, i.restriction_id) for i in report.items]
    act(
        unit,
        services.lift,
        restriction_id=restriction.id,
        reason="Reviewed",
        by="sam.senior",
        at=t("2027-06-01T10:00"),
    )
    with unit(write=False) as uow:
        assert () == services.overdue(uow, as_of=NOW, kinds=["restriction-review"]).items
    with pytest.raises(ActionNotAllowed, match="was lifted"):
        act(
            unit,
            services.lift,
            restriction_id=restriction.id,
            reason="Again",
            by="sam.senior",
            at=t("2027-06-01T11:00"),
        )


def test_only_senior_roles_restrict(unit: UnitFactory) -> None:
    log(unit, t("2026-11-30T10:00"))
    with pytest.raises(NotPermitted):
        restrict(unit, RestrictionScope.PROCEDURE, by="officer.one")


def test_a_restriction_names_a_known_consumer(unit: UnitFactory) -> None:
    with pytest.raises(NotFound):
        restrict(unit, RestrictionScope.PROCEDURE, email="nobody@example.com")


def test_the_first_staff_member_of_a_new_store_may_be_added_by_anyone(
    empty_unit: UnitFactory,
) -> None:
    def add(username: str, role: Role, by: str) -> Any:
        return act(
            empty_unit,
            services.add_staff,
            username=username,
            name=username,
            role=role,
            area=None,
            by=by,
            at=t("2026-11-28T10:00"),
        )

    # Only senior roles add staff, so a first member who is not one would lock the team out.
    with pytest.raises(InvalidInput, match="first member of staff must be a senior"):
        add("first", Role.OFFICER, "whoever")
    add("first", Role.SENIOR_LEADER, "whoever")
    with pytest.raises(NotPermitted):
        add("second", Role.OFFICER, "whoever")
    assert "officer" == add("second", Role.OFFICER, "first").role


def test_removed_staff_can_no_longer_act_but_keep_their_name(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), by="officer.two")
    act(
        unit,
        services.remove_staff,
        username="officer.two",
        by="sam.senior",
        at=t("2026-12-01T10:00"),
    )
    with pytest.raises(NotPermitted, match="no longer active"):
        log(unit, t("2026-12-01T11:00"), by="officer.two")
    assert "officer.two" == show(unit, ref).logged_by
    with unit(write=False) as uow:
        names = [(s.username, s.active) for s in services.list_staff(uow, include_removed=True)]
    assert ("officer.two", False) in names


def test_an_incident_is_shown_on_every_case_of_the_consumer(unit: UnitFactory) -> None:
    first = log(unit, t("2026-11-30T10:00"))
    second = log(unit, t("2026-11-30T11:00"))
    act(
        unit,
        services.record_incident,
        ref=first,
        note="Shouted at officer",
        by="officer.one",
        at=t("2026-11-30T12:00"),
    )
    assert [(first, "Shouted at officer")] == [
        (i.ref, i.note) for i in show(unit, second).incidents
    ]


def test_consumer_needs_are_recorded_and_shown_with_the_case(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), adjustments=("large-print",))
    act(
        unit,
        services.update_consumer,
        email="ann@example.com",
        consumer_id=None,
        preferred_contact="post",
        add_adjustments=("bsl",),
        remove_adjustments=("large-print",),
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    view = show(unit, ref)
    assert ("post", ("bsl",)) == (view.preferred_contact, view.adjustments)


def test_needs_updated_with_an_at_before_a_case_was_received_are_in_it_from_receipt(
    unit: UnitFactory,
) -> None:
    earlier = log(unit, t("2026-11-30T10:00"))
    later = log(unit, t("2026-12-03T10:00"))
    act(unit, services.update_consumer, email="ann@example.com", consumer_id=None,
        preferred_contact="post", add_adjustments=(), remove_adjustments=(), by="officer.one",
        at=t("2026-12-01T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip

    updated = {ref: show(unit, ref).history[-1] for ref in (earlier, later)}

    assert (t("2026-12-01T10:00"), {"preferred_contact": "post", "adjustments": []}) == (
        updated[earlier].at,
        updated[earlier].details,
    )
    assert (t("2026-12-03T10:00"), "2026-12-01T10:00:00+00:00") == (
        updated[later].at,
        updated[later].details["updated_before_receipt"],
    )


def test_dropping_an_adjustment_the_consumer_does_not_have_is_refused_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    """A drop that matches nothing (a need they do not have, `bsl` for one with only
    `large-print`) would record an update that changed nothing and leave the need in place,
    looking done."""
    ref = log(unit, t("2026-11-30T10:00"), adjustments=("large-print",))
    before = len(show(unit, ref).history)
    with pytest.raises(InvalidInput, match="has no adjustment 'bsl'.*large-print"):
        act(
            unit,
            services.update_consumer,
            email="ann@example.com",
            consumer_id=None,
            preferred_contact="post",
            add_adjustments=(),
            remove_adjustments=("bsl",),
            by="officer.one",
            at=t("2026-12-01T10:00"),
        )
    view = show(unit, ref)
    assert (None, ("large-print",), before) == (
        view.preferred_contact,
        view.adjustments,
        len(view.history),
    )


@pytest.mark.parametrize(
    "drop",
    ["large print", "LARGE_PRINT", "Ｌａｒｇｅ Ｐｒｉｎｔ", "large\u200b-print"],
)
def test_a_need_is_dropped_however_it_is_written_as_it_is_added(
    unit: UnitFactory, drop: str
) -> None:
    """`--drop-adjustment` finds a need as `--adjustment` compares one (`adjustment_key`): as
    it looks, however typed; adding `large print` to `large-print` changes nothing, so
    dropping it drops that need."""
    ref = log(unit, t("2026-11-30T10:00"), adjustments=("large-print", "bsl"))
    act(unit, services.update_consumer, email="ann@example.com", consumer_id=None,
        preferred_contact=None, add_adjustments=(), remove_adjustments=(drop,),
        by="officer.one", at=t("2026-12-01T10:00"))  # fmt: skip
    assert ("bsl",) == show(unit, ref).adjustments


@pytest.mark.parametrize(
    ("prefers", "add", "drop", "refusal"),
    [
        (None, ("",), (), "--adjustment must not be empty"),
        (None, ("  ",), (), "--adjustment must not be empty"),
        ("post", ("",), (), "--adjustment must not be empty"),
        (None, (), ("",), "--drop-adjustment must not be empty"),
        (None, ("large-print",), (), "nothing changes: Ann Smith already prefers post and has "),
        ("post", (), (), "nothing changes: .*large-print"),
        # Held already as it looks: full width, a zero-width space pasted in.
        (None, ("Ｌａｒｇｅ Ｐｒｉｎｔ",), (), "nothing changes: .*large-print"),
        (None, ("large\u200b-print",), (), "nothing changes: .*large-print"),
    ],
)
def test_an_update_that_is_empty_or_changes_nothing_is_refused_and_writes_nothing(
    unit: UnitFactory,
    prefers: str | None,
    add: tuple[str, ...],
    drop: tuple[str, ...],
    refusal: str,
) -> None:
    """An empty need (`--adjustment "$NEED"`, NEED not set) is refused as `log` refuses it,
    never taken as none given; an update that leaves everything as it was would be recorded
    in each open case's history as a change that made none."""
    ref = log(unit, t("2026-11-30T10:00"), adjustments=("large-print",))
    act(unit, services.update_consumer, email="ann@example.com", consumer_id=None,
        preferred_contact="post", add_adjustments=(), remove_adjustments=(), by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    before = len(show(unit, ref).history)
    with pytest.raises(InvalidInput, match=refusal):
        act(
            unit,
            services.update_consumer,
            email="ann@example.com",
            consumer_id=None,
            preferred_contact=prefers,
            add_adjustments=add,
            remove_adjustments=drop,
            by="officer.one",
            at=t("2026-12-01T11:00"),
        )
    view = show(unit, ref)
    assert ("post", ("large-print",), before) == (
        view.preferred_contact,
        view.adjustments,
        len(view.history),
    )


# -- the contact log -----------------------------------------------------------------------


def test_a_contact_is_logged_either_way_and_a_file_note_without_a_direction(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    version = show(unit, ref).version
    act(
        unit,
        services.note,
        ref=ref,
        text="Called to say the response is on its way",
        direction=Direction.OUT,
        channel=Channel.PHONE,
        by="officer.one",
        at=t("2026-12-02T10:00"),
    )
    act(
        unit,
        services.note,
        ref=ref,
        text="Chased Casework",
        by="officer.two",
        at=t("2026-12-02T11:00"),
    )
    view = show(unit, ref)
    assert [
        (
            {
                "text": "Called to say the response is on its way",
                "direction": "out",
                "channel": "phone",
            },
            "officer.one",
        ),
        ({"text": "Chased Casework", "direction": None, "channel": None}, "officer.two"),
    ] == [(e.details, e.actor) for e in view.contacts]
    # Not a step of the procedure: the version a script holds still names the case as it is.
    assert version == view.version


def test_a_contact_is_logged_on_a_closed_case_too(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=None,
        by="officer.one",
        at=t("2026-11-30T11:00"),
    )
    act(
        unit,
        services.note,
        ref=ref,
        text="Letter received after closing",
        direction=Direction.IN,
        channel=Channel.POST,
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    assert ["Letter received after closing"] == [
        e.details["text"] for e in show(unit, ref).contacts
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "  "}, "--text must not be empty"),
        ({"text": "Called", "direction": Direction.IN}, "--direction and --channel go together"),
        ({"text": "Called", "channel": Channel.PHONE}, "--direction and --channel go together"),
        ({"text": "Called", "at": t("2026-11-30T09:00")}, "--at is before"),
    ],
)
def test_a_contact_that_cannot_be_logged_is_refused_and_writes_nothing(
    unit: UnitFactory, fields: dict[str, Any], message: str
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    fields.setdefault("at", t("2026-12-01T10:00"))
    with pytest.raises(InvalidInput, match=message):
        act(unit, services.note, ref=ref, by="officer.one", **fields)
    assert () == show(unit, ref).contacts


# -- reopening a mistaken close ------------------------------------------------------------


def reopen(unit: UnitFactory, ref: str, at: str, by: str = "sam.senior") -> services.CaseView:
    view: services.CaseView = act(
        unit, services.reopen, ref=ref, reason="Closed by mistake", by=by, at=t(at)
    )
    return view


def running(view: services.CaseView) -> list[tuple[str, Any]]:
    return [(d.kind, d.due) for d in view.deadlines if d.outcome is None]


def test_a_reopened_case_goes_back_to_its_stage_with_the_clock_the_close_stopped(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    before = show(unit, ref)

    view = reopen(unit, ref, "2026-12-02T15:00")

    assert ("first-stage", None, before.version + 1) == (
        view.stage,
        view.close_reason,
        view.version,
    )
    # The consumer is owed the same date: the clock runs again with its original due.
    assert [("respond", t("2026-12-04T10:00"))] == running(view)
    assert () == view.warnings
    entry = view.history[-1]
    assert ("reopen", "sam.senior") == (entry.action, entry.actor)
    assert {
        "reason": "Closed by mistake",
        "close_undone": "withdrawn",
        "restarted": ["respond"],
    } == entry.details
    # The cancelled clock stays on record beside the one running again.
    assert ["acknowledge", "respond", "respond"] == [d.kind for d in view.deadlines]


@pytest.mark.parametrize(("day", "weekday"), [(date(2026, 12, 5), "Saturdays"),
                                              (date(2026, 12, 6), "Sundays")])  # fmt: skip
def test_closing_a_day_with_no_opening_hours_is_refused_as_it_would_change_nothing(
    unit: UnitFactory, store_url: str, day: date, weekday: str
) -> None:
    to_first_stage(unit)
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match=f"no opening hours on {weekday}; the closure would"):
        act(unit, services.add_closure, day=day, reason="Office move", by="sam.senior",
            at=t("2026-12-02T11:00"))  # fmt: skip
    assert before == dump_store(store_url)


def closed_while_the_calendar_changed(
    unit: UnitFactory, *closures: tuple[date, str, str | None]
) -> str:
    """A case at the first stage (acknowledged Tue 1 Dec 10:00, its response due Fri 4 Dec
    10:00), withdrawn by mistake on Wed 2 Dec at 10:00; then each closure day added while it
    is closed: (the day, when it was added, why it may reach back, or None)."""
    ref = to_first_stage(unit)
    withdraw(unit, ref, t("2026-12-02T10:00"))
    for day, at, why in closures:
        act(unit, services.add_closure, day=day, reason="Office move", by="sam.senior",
            at=t(at), retroactive=services.Retroactive(why))  # fmt: skip
    return ref


def test_a_clock_reopened_after_a_calendar_change_runs_to_the_due_that_calendar_gives(
    unit: UnitFactory,
) -> None:
    # Acknowledged Tue 1 Dec 10:00: the response was due Fri 4 Dec 10:00. Thu 3 Dec is closed
    # while the case is closed by mistake: the change moves no clock of a closed case, but the
    # one the reopen runs again is due where the calendar now puts it, Mon 7 Dec 10:00, as an
    # open clock's would have been; not a day short, to be moved by the next unrelated change.
    ref = closed_while_the_calendar_changed(unit, (date(2026, 12, 3), "2026-12-02T11:00", None))

    view = reopen(unit, ref, "2026-12-02T15:00")

    assert [("respond", t("2026-12-07T10:00"))] == running(view)
    details = view.history[-1].details
    assert (t("2026-12-04T10:00"), t("2026-12-07T10:00")) == (
        datetime.fromisoformat(details["respond_due_when_closed"]),
        datetime.fromisoformat(details["respond_due"]),
    )
    with unit(write=False) as uow:
        dry = services.add_closure(
            uow, day=date(2027, 6, 1), reason="Later", by="sam.senior", at=t("2026-12-02T16:00"),
            now=t("2026-12-02T16:00"), retroactive=services.Retroactive(dry_run=True),
        )  # fmt: skip
    assert () == dry.recomputed
    # The report judges the clock by its new due too: on Sat 5 Dec it is not yet due.
    with unit(write=False) as uow:

        def counted(figure: str) -> tuple[str, ...]:
            return services.figure_cases(
                uow, period=parse_period("2026-12"), as_of=t("2026-12-05T12:00"), figure=figure
            ).refs

        assert ((ref,), ()) == (counted("response_not_yet_due"), counted("response_open_past_due"))


def test_a_clock_reopened_past_its_first_due_runs_to_where_a_change_made_before_it_put_it(
    unit: UnitFactory,
) -> None:
    # Acknowledged Tue 1 Dec 10:00: the response was due Fri 4 Dec 10:00. While the case is
    # closed by mistake, Thu 3 Dec is closed (on Wed, before that due): an open clock would
    # have moved to Mon 7 Dec 10:00. Reopened on Fri at noon, past the first due but not the
    # one the change gave, the clock runs to Mon, never breached at once by a day the office
    # was closed.
    ref = closed_while_the_calendar_changed(unit, (date(2026, 12, 3), "2026-12-02T11:00", None))

    view = reopen(unit, ref, "2026-12-04T12:00")

    assert ([("respond", t("2026-12-07T10:00"))], ()) == (running(view), view.warnings)
    details = view.history[-1].details
    assert (t("2026-12-04T10:00"), t("2026-12-07T10:00")) == (
        datetime.fromisoformat(details["respond_due_when_closed"]),
        datetime.fromisoformat(details["respond_due"]),
    )


def test_a_change_made_after_the_due_of_a_closed_case_leaves_it_breached_on_reopening(
    unit: UnitFactory,
) -> None:
    # The same closure made on Fri 4 Dec at 11:00, after the due had passed: an open clock
    # was breached by then and would not have moved, so the reopened one keeps its breach.
    ref = closed_while_the_calendar_changed(
        unit, (date(2026, 12, 3), "2026-12-04T11:00", "The move was brought forward")
    )

    view = reopen(unit, ref, "2026-12-04T12:00")

    assert [("respond", t("2026-12-04T10:00"))] == running(view)
    assert [f"{ref} is breached at once: its respond deadline passed at Fri 2026-12-04 10:00 GMT"
            ] == list(view.warnings)  # fmt: skip


def test_a_clock_reopened_past_its_due_keeps_its_breach_when_the_calendar_changed_after_it_too(
    unit: UnitFactory,
) -> None:
    # A closure on Wed 9 Dec, added on Wed 2 Dec, moved nothing: the response stayed due Fri
    # 4 Dec 10:00. Thu 3 Dec closed on Fri at 11:00, after that due: an open clock was
    # breached by then and not moved. The calendar now puts the due on Monday, but the change
    # that did it came after the breach, so the reopened clock keeps it.
    ref = closed_while_the_calendar_changed(
        unit,
        (date(2026, 12, 9), "2026-12-02T11:00", None),
        (date(2026, 12, 3), "2026-12-04T11:00", "The move was brought forward"),
    )

    view = reopen(unit, ref, "2026-12-04T12:00")

    assert [("respond", t("2026-12-04T10:00"))] == running(view)


@pytest.mark.parametrize(
    ("closed_on", "due"),
    [(date(2026, 12, 29), t("2026-12-07T10:00")), (date(2026, 12, 7), t("2026-12-08T10:00"))],
)
def test_a_closure_ahead_added_after_the_first_due_moves_a_reopened_clock_as_an_open_ones(
    unit: UnitFactory, closed_on: date, due: datetime
) -> None:
    # Thu 3 Dec closed on Wed (before the Fri 10:00 due) moved an open clock to Mon 7 Dec.
    # A closure on a day ahead, added on Fri at 11:00, either leaves it (29 Dec) or moves it
    # on (Mon 7 Dec: to Tue): never breached, as the open clock was not.
    ref = closed_while_the_calendar_changed(
        unit, (date(2026, 12, 3), "2026-12-02T11:00", None), (closed_on, "2026-12-04T11:00", None)
    )

    view = reopen(unit, ref, "2026-12-04T12:00")

    assert ([("respond", due)], ()) == (running(view), view.warnings)


def test_a_clock_reopened_past_its_due_keeps_the_breach_whatever_the_calendar_did(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))  # acknowledgement due Thu 3 Dec 10:00
    withdraw(unit, ref, t("2026-11-30T11:00"))
    act(unit, services.add_closure, day=date(2026, 12, 1), reason="Office move",
        by="sam.senior", at=t("2026-11-30T12:00"))  # fmt: skip

    view = reopen(unit, ref, "2026-12-07T10:00")

    assert [("acknowledge", t("2026-12-03T10:00"))] == running(view)
    assert "acknowledge_due" not in view.history[-1].details


def test_a_case_reopened_after_its_deadline_is_breached_at_once_and_says_so(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))  # acknowledgement due Thu 3 Dec 10:00
    withdraw(unit, ref, t("2026-11-30T11:00"))

    view = reopen(unit, ref, "2026-12-07T10:00")

    assert "received" == view.stage
    assert [
        f"{ref} is breached at once: its acknowledge deadline passed at Thu 2026-12-03 10:00 GMT"
    ] == list(view.warnings)
    with unit(write=False) as uow:
        overdue = services.overdue(uow, as_of=t("2026-12-07T10:00"))
    assert [(ref, "acknowledge")] == [(item.ref, item.kind) for item in overdue.items]


def test_show_as_of_before_a_reopen_lists_the_clock_once_as_it_ran_then(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    reopen(unit, ref, "2026-12-02T15:00")

    def responds(as_of: str) -> list[tuple[Any, Any]]:
        with unit(write=False) as uow:
            view = services.show_case(uow, ref=ref, as_of=t(as_of), as_recorded=True)
        return [(d.due, d.outcome) for d in view.deadlines if d.kind == "respond"]

    # Before the close: the clock the close stopped, running; not the reopen's as well.
    assert [(t("2026-12-04T10:00"), None)] == responds("2026-12-02T09:00")
    # Closed, not yet reopened: the cancelled clock alone.
    assert [(t("2026-12-04T10:00"), "cancelled")] == responds("2026-12-02T12:00")
    # Reopened: the cancelled clock on record beside the one running again.
    assert [(t("2026-12-04T10:00"), "cancelled"), (t("2026-12-04T10:00"), None)] == responds(
        "2026-12-02T16:00"
    )


def test_closed_reopened_and_closed_again_reopens_to_the_stage_and_clock_of_the_last_close(
    unit: UnitFactory,
) -> None:
    ref = to_responded(unit)  # no clock runs at `responded`
    withdraw(unit, ref, t("2026-12-04T10:00"))
    reopen(unit, ref, "2026-12-04T11:00")
    withdraw(unit, ref, t("2026-12-04T12:00"))

    view = reopen(unit, ref, "2026-12-04T13:00")

    assert ("responded", []) == (view.stage, running(view))


def test_a_complaint_logged_already_resolved_reopens_as_received(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), resolved_informally="Sorted on the phone")

    view = reopen(unit, ref, "2026-11-30T12:00")

    assert ("received", [("acknowledge", t("2026-12-03T10:00"))]) == (view.stage, running(view))


@pytest.mark.parametrize(
    ("closed", "by", "reason", "error", "message"),
    [
        (True, "officer.one", "Mistake", NotPermitted, "may not reopen"),
        (False, "sam.senior", "Mistake", ActionNotAllowed, "cannot reopen"),
        (True, "sam.senior", " ", InvalidInput, "--reason must not be empty"),
    ],
)
def test_a_reopen_that_cannot_be_taken_is_refused_and_writes_nothing(
    unit: UnitFactory, closed: bool, by: str, reason: str, error: type[Exception], message: str
) -> None:
    ref = to_first_stage(unit)
    if closed:
        withdraw(unit, ref, t("2026-12-02T10:00"))
    before = show(unit, ref)
    with pytest.raises(error, match=message):
        act(unit, services.reopen, ref=ref, reason=reason, by=by, at=t("2026-12-02T11:00"))
    assert before == show(unit, ref)


def test_closed_and_reopened_twice_at_the_same_instant_runs_one_clock_not_two(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    for _ in range(2):
        withdraw(unit, ref, t("2026-12-02T10:00"))
        reopen(unit, ref, "2026-12-02T10:00")

    assert [("respond", t("2026-12-04T10:00"))] == running(show(unit, ref))


def test_a_reopen_recorded_after_the_due_it_is_dated_before_warns_of_the_breach(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))  # acknowledgement due Thu 3 Dec 10:00
    withdraw(unit, ref, t("2026-11-30T11:00"))

    view = act(
        unit, services.reopen, ref=ref, reason="Mistake", by="sam.senior",
        at=t("2026-12-01T10:00"), now=t("2026-12-07T10:00"),
    )  # fmt: skip

    assert [f"{ref} is breached at once"] == [w.split(":")[0] for w in view.warnings]


def test_a_referral_in_the_window_recorded_after_it_closed_met_the_window_on_time(
    unit: UnitFactory,
) -> None:
    # The window is the consumer's (nobody breaches it): a referral they made in time, typed in
    # after the window closed, met it when they made it, not late when it was typed.
    ref = to_final(unit)
    act(
        unit,
        services.refer,
        ref=ref,
        late_reason=None,
        by="officer.two",
        at=t("2027-03-30T10:00"),
        now=t("2027-04-20T10:00"),
    )
    (window,) = [d for d in show(unit, ref).deadlines if d.kind == "referral-window"]
    assert (t("2027-03-30T10:00"), "met", False) == (
        window.ended_at,
        window.outcome,
        window.breached,
    )


def test_show_as_of_after_a_reopen_leaves_out_the_clock_a_later_reopen_ran_again(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    reopen(unit, ref, "2026-12-02T15:00")
    # Closed again at the instant of the reopen, typed in the next day, and reopened again.
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-02T15:00"), now=t("2026-12-03T10:00"))  # fmt: skip
    reopen(unit, ref, "2026-12-03T11:00")

    def responds(as_of: str) -> list[tuple[Any, Any]]:
        with unit(write=False) as uow:
            view = services.show_case(uow, ref=ref, as_of=t(as_of), as_recorded=True)
        return [(d.due, d.outcome) for d in view.deadlines if d.kind == "respond"]

    due = t("2026-12-04T10:00")
    # Between the first reopen and the second: the clock the second ran again is not there yet,
    # and the second close, typed in the next day, not yet on record: the clock the first
    # reopen ran again still runs, as the stage reads first-stage then.
    assert [(due, "cancelled"), (due, None)] == responds("2026-12-02T16:00")
    assert "first-stage" == show(unit, ref, t("2026-12-02T16:00")).stage
    assert [(due, "cancelled"), (due, "cancelled"), (due, None)] == responds("2026-12-03T12:00")


def test_show_as_of_leaves_out_a_restarted_clock_until_its_own_reopen_both_dated_back(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.reopen, ref=ref, reason="Mistake", by="sam.senior",
        at=t("2026-12-02T15:00"), now=t("2026-12-02T18:00"))  # fmt: skip
    # Closed again at 16:00, before the first reopen was typed in, itself typed the next day.
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-02T16:00"), now=t("2026-12-03T10:00"))  # fmt: skip
    reopen(unit, ref, "2026-12-03T11:00")

    with unit(write=False) as uow:
        view = services.show_case(uow, ref=ref, as_of=t("2026-12-02T19:00"), as_recorded=True)
    due = t("2026-12-04T10:00")
    # The first reopen was on record by then, the second close not yet: the clock ran again,
    # as the stage says (the second reopen's clock is not there).
    assert [(due, "cancelled"), (due, None)] == [
        (d.due, d.outcome) for d in view.deadlines if d.kind == "respond"
    ]
    assert "first-stage" == view.stage
