"""`show --as-of` is the case as its history recorded by then had it, every part alike: the
stage, the area, the responses given, the escalation and the second stage handed on, the close
reason and the history listed (an entry counts once recorded, whatever its date, as a due and
an owner do); without --as-of, the case as the store holds it. `action list --as-of` counts an
action opened or done by the same rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintctl import services
from complaintctl.domain.procedure import ActionKind, CloseReason, Decision
from complaintctl.errors import NotFound
from complaintctl.services.explain import explain_deadline
from tests.conftest import UnitFactory
from tests.service.journey import (
    NOW,
    act,
    log,
    show,
    t,
    to_final,
    to_first_stage,
    to_responded,
    to_second_stage,
    withdraw,
)

# to_final: logged 2026-11-30, acknowledged 12-01, assigned 12-01 11:00, responded 12-03,
# escalated to hana.handler 12-07, final response 2027-01-04.


def test_as_of_before_the_escalation_the_case_had_only_its_first_response(
    unit: UnitFactory,
) -> None:
    ref = to_final(unit)

    view = show(unit, ref, t("2026-12-05T12:00"))
    assert ("responded", None) == (view.stage, view.handler)
    assert ["first"] == [r.stage for r in view.responses]
    assert view.latest("escalate") is None
    assert "escalate" not in [e.action for e in view.history]
    assert all(e.recorded_at <= t("2026-12-05T12:00") for e in view.history)

    between = show(unit, ref, t("2026-12-10T12:00"))
    assert ("second-stage", "hana.handler") == (between.stage, between.handler)
    assert between.latest("escalate") is not None
    assert ["first"] == [r.stage for r in between.responses]

    now = show(unit, ref)
    assert ("final-response", ["first", "final"]) == (now.stage, [r.stage for r in now.responses])


def test_as_of_before_the_acknowledgement_no_area_and_no_response(unit: UnitFactory) -> None:
    ref = to_final(unit)

    view = show(unit, ref, t("2026-11-30T12:00"))
    assert ("received", None, None, ()) == (
        view.stage, view.area, view.responder, view.responses
    )  # fmt: skip
    assert ["log"] == [e.action for e in view.history]
    assert "Casework" == show(unit, ref, t("2026-12-01T12:00")).area


def test_a_step_dated_back_counts_from_when_it_was_recorded(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    # Closed on the 2nd, typed in on the 8th: on the 4th the store had it at the first stage.
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-02T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip

    view = show(unit, ref, t("2026-12-04T12:00"))
    assert ("first-stage", None) == (view.stage, view.close_reason)
    assert "close" not in [e.action for e in view.history]
    assert ("closed", "withdrawn") == (show(unit, ref).stage, show(unit, ref).close_reason)


def test_a_close_undone_by_a_reopen_is_shown_while_it_stood(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.reopen, ref=ref, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-04T10:00"))  # fmt: skip

    closed = show(unit, ref, t("2026-12-03T10:00"))
    assert ("closed", "withdrawn") == (closed.stage, closed.close_reason)
    reopened = show(unit, ref)
    assert ("first-stage", None) == (reopened.stage, reopened.close_reason)
    assert (None, "first-stage") == (
        show(unit, ref, t("2026-12-01T12:00")).close_reason,
        show(unit, ref, t("2026-12-01T12:00")).stage,
    )


def test_a_case_logged_resolved_informally_is_closed_from_its_log(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), resolved_informally="Sorted on the phone")

    # Its only entry is the close: as of any moment after it, closed with that reason.
    view = show(unit, ref, t("2026-12-01T10:00"))
    assert ("closed", "resolved-informally") == (view.stage, view.close_reason)


def test_the_second_stage_handed_on_since_is_not_there_yet(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    act(unit, services.assign, ref=ref, to="lena.leader", reason="Hana is on leave",
        by="sam.senior", at=t("2026-12-14T10:00"))  # fmt: skip

    before = show(unit, ref, t("2026-12-10T12:00"))
    assert not [e for e in before.history if e.action == "assign" and
                e.details.get("stage") == "second-stage"]  # fmt: skip
    assert "hana.handler" == before.handler
    after = show(unit, ref)
    assert "lena.leader" == after.handler
    assert "second-stage" == after.latest("assign").details.get("stage")  # type: ignore[union-attr]


def test_show_without_as_of_is_the_store_as_it_stands(unit: UnitFactory) -> None:
    ref = to_final(unit)
    with unit(write=False) as uow:
        case = uow.case_by_ref(ref)
        assert case is not None
        rows = (case.stage, case.area, case.close_reason, len(uow.history(case)))
    view = show(unit, ref, NOW)
    assert rows == (view.stage, view.area, view.close_reason, len(view.history))


def test_action_list_and_show_count_an_action_once_recorded(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    # Opened on the 2nd, typed in on the 8th: not there on the 4th, in either.
    late = act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Call Ann back",
               owner="hana.handler", due=None, within="5d", by="officer.one",
               at=t("2026-12-02T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip
    # Opened on the 1st, done on the 2nd (on time) but typed in on the 8th: open on the 4th.
    done = act(unit, services.add_action, ref=ref, kind=ActionKind.IMPROVEMENT,
               what="Fix the template", owner="hana.handler", due=None, within="5d",
               by="officer.one", at=t("2026-12-01T12:00"))  # fmt: skip
    act(unit, services.action_done, action_id=done.id, note=None, by="hana.handler",
        at=t("2026-12-02T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip
    then = t("2026-12-04T12:00")

    shown = {(a.id, a.done_at) for a in show(unit, ref, then).actions}
    with unit(write=False) as uow:
        listed = {(a.id, a.done_at) for a in services.list_actions(uow, as_of=then)}
        opened = {a.id for a in services.list_actions(uow, as_of=then, open_only=True)}
        now = {(a.id, a.done_at is None) for a in services.list_actions(uow, as_of=NOW)}
    assert {(done.id, None)} == shown == listed
    assert {done.id} == opened
    assert {(late.id, True), (done.id, False)} == now


def test_without_as_of_every_entry_counts_whatever_clock_recorded_it(unit: UnitFactory) -> None:
    # A colleague's machine, its clock a day ahead, recorded a note: read here before that
    # instant, the case is as the store holds it (`history`, letters, subject access).
    ref = to_second_stage(unit)
    act(unit, services.note, ref=ref, text="Called Ann", direction=None, channel=None,
        by="officer.one", at=t("2026-12-08T10:00"), now=t("2026-12-09T10:00"))  # fmt: skip
    with unit(write=False) as uow:
        view = services.show_case(uow, ref=ref, as_of=t("2026-12-08T12:00"))
    assert ("second-stage", "note") == (view.stage, view.history[-1].action)


def test_a_steps_view_counts_an_entry_a_clock_ahead_recorded(unit: UnitFactory) -> None:
    ref = to_responded(unit)
    # Escalated from a machine whose clock ran a day ahead; a note taken here just after.
    act(unit, services.escalate, ref=ref, to="hana.handler", reason="Unhappy", by="officer.one",
        at=t("2026-12-07T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip
    view = act(unit, services.note, ref=ref, text="Called Ann", by="officer.one",
               at=t("2026-12-07T10:05"))  # fmt: skip
    assert ("second-stage", "hana.handler") == (view.stage, view.handler)
    assert ["escalate", "note"] == [e.action for e in view.history[-2:]]


# The clocks by the same rule as the stage: a clock counts as started once the step that started
# it was recorded, and as met or cancelled once the step that ended it was; between a step's
# date and its recording, the case and its clocks read as they did then, the stage beside them.


def clocks(view: services.CaseView) -> list[tuple[str, str | None]]:
    return [(d.kind, d.outcome) for d in view.deadlines]


def explained(unit: UnitFactory, ref: str, as_of: datetime, kind: str | None = None) -> Any:
    with unit(write=False) as uow:
        return explain_deadline(uow, ref=ref, kind=kind, as_of=as_of)


def test_an_acknowledgement_typed_in_late_had_not_met_its_clock_before_it_was_recorded(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))  # acknowledgement due Thu 3 Dec 10:00
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"), now=t("2026-12-02T10:00"))  # fmt: skip
    then = t("2026-12-01T12:00")

    view = show(unit, ref, then)
    assert ("received", [("acknowledge", None)]) == (view.stage, clocks(view))
    explain = explained(unit, ref, then)
    assert ("acknowledge", "running") == (explain.kind, explain.status.state)
    # The response's clock had not started: it is there once the acknowledgement is.
    assert "not-started" == explained(unit, ref, then, "respond").status.state
    after = show(unit, ref, t("2026-12-02T12:00"))
    assert ("first-stage", [("acknowledge", "met"), ("respond", None)]) == (
        after.stage, clocks(after)
    )  # fmt: skip


def test_a_close_typed_in_late_had_not_cancelled_the_clock_before_it_was_recorded(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-02T10:00"), now=t("2026-12-03T10:00"))  # fmt: skip
    then = t("2026-12-02T12:00")

    view = show(unit, ref, then)
    assert ("first-stage", [("acknowledge", "met"), ("respond", None)]) == (
        view.stage, clocks(view)
    )  # fmt: skip
    explain = explained(unit, ref, then)
    assert ("respond", "running", None) == (
        explain.kind, explain.status.state, explain.status.ended_at
    )  # fmt: skip
    assert [("acknowledge", "met"), ("respond", "cancelled")] == clocks(
        show(unit, ref, t("2026-12-03T12:00"))
    )


def test_a_response_typed_in_late_had_not_met_its_clock_before_it_was_recorded(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.respond, ref=ref, decision=Decision.UPHELD, summary="Sorry",
        remedies=services.Remedies(), by="rita.responder", at=t("2026-12-02T10:00"),
        now=t("2026-12-03T10:00"))  # fmt: skip
    then = t("2026-12-02T12:00")

    view = show(unit, ref, then)
    assert ("first-stage", (), [("acknowledge", "met"), ("respond", None)]) == (
        view.stage, view.responses, clocks(view)
    )  # fmt: skip
    assert "running" == explained(unit, ref, then).status.state


def test_a_reopen_typed_in_late_had_not_run_the_clock_again_before_it_was_recorded(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.reopen, ref=ref, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-03T10:00"), now=t("2026-12-07T10:00"))  # fmt: skip
    then = t("2026-12-05T12:00")  # after the due: the clock ran again breached, once recorded

    view = show(unit, ref, then)
    assert ("closed", [("acknowledge", "met"), ("respond", "cancelled")]) == (
        view.stage, clocks(view)
    )  # fmt: skip
    assert [False] == [d.breached for d in view.deadlines if d.kind == "respond"]
    assert "stopped" == explained(unit, ref, then).status.state
    later = show(unit, ref, t("2026-12-07T12:00"))
    ran_again = [("acknowledge", "met"), ("respond", "cancelled"), ("respond", None)]
    assert ("first-stage", ran_again) == (later.stage, clocks(later))


def test_a_case_typed_in_after_the_instant_asked_for_is_said_not_yet_on_record(
    unit: UnitFactory,
) -> None:
    # Received on the 30th, logged on 2 December: on the 1st nothing of it was on record.
    ref = log(unit, t("2026-11-30T10:00"), now=t("2026-12-02T10:00"))

    view = show(unit, ref, t("2026-12-01T12:00"))
    assert ("received", (), ()) == (view.stage, view.deadlines, view.history)
    assert [
        f"{ref} was not yet on record as of Tue 2026-12-01 12:00 GMT: it was recorded "
        "Wed 2026-12-02 10:00 GMT"
    ] == list(view.warnings)
    assert () == show(unit, ref, t("2026-12-02T12:00")).warnings


def test_explain_of_an_action_as_of_a_moment_counts_its_opening_and_doing_once_recorded(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    # Opened on the 1st, done on the 2nd (on time) but typed in on the 8th: open on the 4th,
    # in `show --as-of` and in `explain --as-of` alike.
    done = act(unit, services.add_action, ref=ref, kind=ActionKind.IMPROVEMENT,
               what="Fix the template", owner="hana.handler", due=None, within="5d",
               by="officer.one", at=t("2026-12-01T12:00"))  # fmt: skip
    act(unit, services.action_done, action_id=done.id, note=None, by="hana.handler",
        at=t("2026-12-02T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip
    # Opened on the 2nd, typed in on the 8th: not there on the 4th.
    late = act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Call Ann back",
               owner="hana.handler", due=None, within="5d", by="officer.one",
               at=t("2026-12-02T10:00"), now=t("2026-12-08T10:00"))  # fmt: skip
    then = t("2026-12-04T12:00")

    assert [done.id] == [a.id for a in show(unit, ref, then).actions]
    with unit(write=False) as uow:
        view = explain_deadline(uow, ref=ref, kind="action", as_of=then)
        with pytest.raises(NotFound, match=f"has no action {late.id}"):
            explain_deadline(uow, ref=ref, kind=None, as_of=then, action=late.id)
    assert (done.id, "running", None) == (view.action[0], view.status.state, view.status.ended_at)


@pytest.mark.parametrize(
    ("dated", "chosen", "clocks_shown"),
    [
        # Dated before now: met, whatever the recording machine's clock said; the response's
        # clock it started runs.
        (
            "2026-12-01T10:00",
            ("respond", "running"),
            [("acknowledge", "met"), ("respond", None)],
        ),
        # Dated after now too: still to come, as `show` has it, and the response's clock that
        # it will start not there yet.
        ("2026-12-02T10:00", ("acknowledge", "running"), [("acknowledge", None)]),
    ],
    ids=["dated-before-now", "dated-after-now"],
)
def test_explain_without_as_of_gives_the_clocks_show_gives_by_their_dates(
    unit: UnitFactory,
    dated: str,
    chosen: tuple[str, str],
    clocks_shown: list[tuple[str, str | None]],
) -> None:
    # Acknowledged from a machine whose clock ran a day ahead, recorded on the 2nd: read here
    # now (no --as-of), explain gives the clock `show` gives the case as the store holds it.
    ref = log(unit, t("2026-11-30T10:00"))
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t(dated), now=t("2026-12-02T10:00"))  # fmt: skip
    now = t("2026-12-01T12:00")
    with unit(write=False) as uow:
        view = explain_deadline(uow, ref=ref, kind=None, as_of=now, as_recorded=False)
        shown = services.show_case(uow, ref=ref, as_of=now)
    assert chosen == (view.kind, view.status.state)
    assert clocks_shown == clocks(shown)


def test_a_clock_whose_starting_step_was_typed_in_later_has_nothing_used_or_late(
    unit: UnitFactory,
) -> None:
    # The acknowledgement, dated the 1st, typed in on the 4th: as of the 3rd the response's
    # clock had not started on record, so none of its time had gone, whatever its date.
    ref = log(unit, t("2026-11-30T10:00"))
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"), now=t("2026-12-04T10:00"))  # fmt: skip
    status = explained(unit, ref, t("2026-12-03T12:00"), "respond").status
    assert ("not-started", timedelta(0), timedelta(0)) == (
        status.state, status.working_used, status.working_late
    )  # fmt: skip


def test_explain_of_a_case_typed_in_after_the_instant_asked_for_says_so(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), now=t("2026-12-02T10:00"))
    view = explained(unit, ref, t("2026-12-01T12:00"))
    assert [
        f"{ref} was not yet on record as of Tue 2026-12-01 12:00 GMT: it was recorded "
        "Wed 2026-12-02 10:00 GMT"
    ] == [note for note in view.notes if "not yet on record" in note]
    assert "not-started" == view.status.state


def test_queue_as_of_a_time_a_reopened_case_was_closed_does_not_list_it(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.reopen, ref=ref, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-07T10:00"))  # fmt: skip
    then = t("2026-12-05T12:00")  # after the due, while the case stood closed

    with unit(write=False) as uow:
        queued = services.queue(uow, as_of=then, as_recorded=True)
        late = services.overdue(uow, as_of=then, as_recorded=True)
        breached = services.queue(uow, as_of=then, breached=True, as_recorded=True)
    # As `show --as-of` has it (closed) and `overdue --as-of` (nothing owed): not in the queue.
    assert "closed" == show(unit, ref, then).stage
    assert ((), (), ()) == (queued.items, late.items, breached.items)
    # Before the close and after the reopen it is listed, at the stage it was at.
    assert [(ref, "first-stage", "on-track")] == queue_states(unit, t("2026-12-01T12:00"))
    assert [(ref, "first-stage", "breached")] == queue_states(unit, t("2026-12-07T12:00"))


def queue_states(unit: UnitFactory, as_of: datetime) -> list[tuple[str, str, str]]:
    with unit(write=False) as uow:
        report = services.queue(uow, as_of=as_of, as_recorded=True)
    return [(i.ref, i.stage, i.state) for i in report.items]


def test_a_reopen_dated_back_runs_its_clocks_again_once_recorded_in_every_listing(
    unit: UnitFactory,
) -> None:
    """A reopen counts once recorded, whatever its date, as every step does with --as-of: dated
    the 3rd and typed in on the 9th, on the 4th the case stood closed. `show --as-of` said so
    and the queue left it out, but `overdue --as-of` ran the response clock again from the
    reopen's date and listed it breached."""
    ref = to_first_stage(unit)  # response due Fri 4 Dec 10:00
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.reopen, ref=ref, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-03T10:00"), now=t("2026-12-09T10:00"))  # fmt: skip
    then = t("2026-12-04T12:00")

    with unit(write=False) as uow:
        queued = services.queue(uow, as_of=then, as_recorded=True)
        late = services.overdue(uow, as_of=then, as_recorded=True)
    assert "closed" == show(unit, ref, then).stage
    assert ((), ()) == (queued.items, late.items)
    # Once the reopen was recorded, the clock it ran again is owed in every listing.
    after = t("2026-12-09T12:00")
    with unit(write=False) as uow:
        late = services.overdue(uow, as_of=after, as_recorded=True)
    assert [(ref, "respond")] == [(i.ref, i.kind) for i in late.items]
    assert [(ref, "first-stage", "breached")] == queue_states(unit, after)
