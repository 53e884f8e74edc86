"""Causes and actions: what a response says went wrong, and the remedies and improvements a
case leads to, each with an owner and a due on the working calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl import services
from complaintctl.domain.policy import DEFAULT_CAUSES
from complaintctl.domain.procedure import ActionKind, CloseReason, Decision, Remedy
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from tests.conftest import UnitFactory, dump_store
from tests.service.journey import (
    NOW,
    act,
    show,
    t,
    to_final,
    to_first_stage,
    to_second_stage,
)


def add(unit: UnitFactory, ref: str, **changes: Any) -> services.ActionView:
    fields: dict[str, Any] = {
        "ref": ref,
        "kind": ActionKind.REMEDY,
        "what": "Call Ann back",
        "owner": "rita.responder",
        "due": None,
        "within": "10d",
        "by": "officer.one",
        "at": t("2026-12-01T10:00"),
    }
    return act(unit, services.add_action, **{**fields, **changes})  # type: ignore[no-any-return]


def test_a_new_store_lists_the_default_causes(unit: UnitFactory) -> None:
    with unit(write=False) as uow:
        listed = services.causes(uow)

    assert sorted(name for name, _ in DEFAULT_CAUSES) == [c.name for c in listed]


def test_a_response_records_its_causes_on_the_response_and_in_its_history(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.respond, ref=ref, decision=Decision.UPHELD, summary="Slow",
        remedies=services.Remedies(), causes=("Delay", "poor-communication", "delay"),
        by="rita.responder", at=t("2026-12-02T10:00"))  # fmt: skip

    view = show(unit, ref)
    entry = view.latest("respond")
    assert entry is not None
    assert (("delay", "poor-communication"), ["delay", "poor-communication"]) == (
        view.responses[0].causes,
        entry.details["causes"],
    )


def test_an_unknown_cause_is_refused_naming_the_known_ones_and_writes_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    ref = to_second_stage(unit)
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match="'weather' is not on the list of causes; the causes "
                       "are delay, other, poor-communication"):  # fmt: skip
        act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Yes",
            remedies=services.Remedies(), causes=("weather",), by="hana.handler",
            at=t("2027-01-04T10:00"))  # fmt: skip
    assert before == dump_store(store_url)


@pytest.mark.parametrize("empty", ["", "   "])
def test_a_cause_given_empty_is_refused_as_empty_and_writes_nothing(
    unit: UnitFactory, store_url: str, empty: str
) -> None:
    ref = to_second_stage(unit)
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match="^--cause must not be empty: name a cause from "):
        act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Yes",
            remedies=services.Remedies(), causes=("delay", empty), by="hana.handler",
            at=t("2027-01-04T10:00"))  # fmt: skip
    assert before == dump_store(store_url)


def test_a_senior_adds_a_cause_which_responses_may_then_record(unit: UnitFactory) -> None:
    added = act(unit, services.add_cause, name=" Lost-Post ", words="post that went astray",
                by="sam.senior", at=t("2026-12-01T10:00"))  # fmt: skip
    ref = to_second_stage(unit)
    act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Yes",
        remedies=services.Remedies(), causes=("lost-post",), by="hana.handler",
        at=t("2027-01-04T10:00"))  # fmt: skip

    assert ("lost-post", "sam.senior") == (added.name, added.added_by)
    assert ("lost-post",) == show(unit, ref).responses[-1].causes


@pytest.mark.parametrize(
    ("name", "by", "error", "message"),
    [
        ("lost-post", "officer.one", NotPermitted, "may not add a cause to the list"),
        ("delay", "sam.senior", InvalidInput, "the cause delay is on the list already"),
        ("lost post", "sam.senior", InvalidInput, "lower-case words joined by hyphens"),
    ],
)
def test_adding_a_cause_is_refused(
    unit: UnitFactory, name: str, by: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        act(unit, services.add_cause, name=name, words="Words", by=by, at=t("2026-12-01T10:00"))


def test_a_goodwill_payment_opens_its_pay_action_owed_by_whoever_offered_it(
    unit: UnitFactory,
) -> None:
    ref = to_final(unit)  # £25.50 goodwill by hana.handler, Mon 4 Jan 2027 10:00
    view = show(unit, ref)

    (action,) = view.actions
    # 10 working days after Mon 4 Jan: the close of Mon 18 Jan.
    assert ("remedy", "pay the goodwill of £25.50", "hana.handler", t("2027-01-18T17:00")) == (
        action.kind, action.what, action.owner, action.due,
    )  # fmt: skip
    assert ["final", "action-opened"] == [e.action for e in view.history[-2:]]
    with unit(write=False) as uow:
        late = services.overdue(uow, as_of=t("2027-01-19T10:00"), kinds=["action"])
    assert [(ref, "action", t("2027-01-18T17:00"))] == [(i.ref, i.kind, i.due) for i in late.items]


def test_an_action_is_due_within_working_days_or_at_a_date(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    # Tue 1 Dec 2026 10:00: 10 working days is the close of Tue 15 Dec; 4h is 14:00.
    within = add(unit, ref)
    hours = add(unit, ref, within="4h")
    dated = add(unit, ref, within=None, due=t("2026-12-09T12:00"), kind=ActionKind.IMPROVEMENT)

    assert [t("2026-12-15T17:00"), t("2026-12-01T14:00"), t("2026-12-09T12:00")] == [
        within.due, hours.due, dated.due,
    ]  # fmt: skip
    assert [hours.id, dated.id, within.id] == [
        a.id for a in sorted(show(unit, ref, as_of=t("2026-12-01T10:00")).actions,
                             key=lambda a: a.due)
    ]  # fmt: skip


def test_an_action_counted_from_before_the_known_bank_holidays_says_so(
    unit: UnitFactory,
) -> None:
    from tests.service.journey import log

    ref = log(unit, t("2019-12-20T10:00"))
    # 5 working days from Fri 20 Dec 2019, the store knowing no holidays before 2021: Christmas
    # and Boxing Day are counted, so the due may be early; the command says so, as a case's does.
    within = add(unit, ref, within="5d", at=t("2019-12-20T11:00"), now=NOW)
    dated = add(unit, ref, within=None, due=t("2019-12-31T12:00"), at=t("2019-12-20T11:00"),
                now=NOW)  # fmt: skip

    assert t("2019-12-27T17:00") == within.due
    assert ["bank holidays are known only from 2021-01-01"] == [
        w[: len("bank holidays are known only from 2021-01-01")] for w in within.warnings
    ]
    assert () == dated.warnings  # a date given, not counted on the calendar


def test_a_longer_time_is_never_due_sooner(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    # Fri 4 Dec 2026 16:30: whole working days run to a day's close (8h is one), and what is
    # left over is working time from there.
    times = ("7h59m", "8h", "1d", "1d1m", "2d")
    dues = [add(unit, ref, within=w, at=t("2026-12-04T16:30")).due for w in times]

    assert [
        t("2026-12-07T16:29"), t("2026-12-07T17:00"), t("2026-12-07T17:00"),
        t("2026-12-08T09:01"), t("2026-12-08T17:00"),
    ] == dues  # fmt: skip


def short_fridays(unit: UnitFactory) -> None:
    """Opening hours of eight hours Monday to Thursday and four on Friday (a `d` is eight)."""
    with unit() as uow:
        services.change_calendar(
            uow,
            wanted=services.CalendarWanted(None, "Mon-Thu 09:00-17:00; Fri 09:00-13:00", None),
            by="sam.senior", at=t("2026-11-30T09:00"), now=t("2026-11-30T09:00"),
            retroactive=services.Retroactive(None, False),
        )  # fmt: skip


def test_a_longer_time_is_never_due_sooner_on_a_shorter_day(unit: UnitFactory) -> None:
    short_fridays(unit)
    ref = to_first_stage(unit)
    # Thu 3 Dec 2026 16:00: 8h is a day, the close of Friday at 13:00; 7h of working time
    # after 16:00 would run to Monday 11:00, past it, so it is due at Friday's close too.
    times = ("4h", "7h", "7h59m", "8h", "1d1m")
    dues = [add(unit, ref, within=w, at=t("2026-12-03T16:00")).due for w in times]

    assert [
        t("2026-12-04T12:00"), t("2026-12-04T13:00"), t("2026-12-04T13:00"),
        t("2026-12-04T13:00"), t("2026-12-07T09:01"),
    ] == dues  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"ref": "SC-2026-999999"}, NotFound, "no case SC-2026-999999"),
        ({"owner": "nobody"}, NotFound, "no staff member 'nobody'"),
        ({"owner": "officer.three"}, InvalidInput, "officer.three is no longer active staff"),
        ({"within": "soon"}, InvalidInput, "--within: 'soon' is not a duration"),
        ({"within": None}, InvalidInput, "--due DATETIME or --within DURATION"),
        ({"due": t("2026-12-09T12:00")}, InvalidInput, "give --due or --within, not both"),
        ({"within": None, "due": t("2026-12-01T09:00")}, InvalidInput, "--due must be after"),
        ({"by": "officer.three"}, NotPermitted, "no longer active staff"),
    ],
)
def test_opening_an_action_is_refused_and_writes_nothing(
    unit: UnitFactory, store_url: str, changes: dict[str, Any], error: type[Exception],
    message: str,
) -> None:  # fmt: skip
    ref = to_first_stage(unit)
    act(unit, services.remove_staff, username="officer.three", by="sam.senior",
        at=t("2026-12-01T09:30"))  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(error, match=message):
        add(unit, changes.pop("ref", ref), **changes)
    assert before == dump_store(store_url)


def test_an_action_done_by_its_due_is_on_time_and_leaves_show(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref)

    done = act(unit, services.action_done, action_id=opened.id, note="Called",
               by="rita.responder", at=t("2026-12-02T10:00"))  # fmt: skip

    assert (True, "rita.responder", "Called") == (done.on_time, done.done_by, done.note)
    view = show(unit, ref)
    assert () == view.actions
    entry = view.latest("action-done")
    assert entry is not None
    assert (opened.id, True) == (entry.details["id"], entry.details["on_time"])


def test_an_action_done_after_its_due_is_late_and_a_close_of_its_case_leaves_it_owed(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref, within="4h")
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-01T11:00"))  # fmt: skip
    with unit(write=False) as uow:
        still_owed = services.list_actions(uow, as_of=t("2026-12-02T10:00"), overdue_only=True)

    done = act(unit, services.action_done, action_id=opened.id, note=None, by="lee.leader",
               at=t("2026-12-02T10:00"))  # fmt: skip

    assert [opened.id] == [a.id for a in still_owed]
    assert (False, "lee.leader") == (done.on_time, done.done_by)


def test_an_action_done_back_dated_but_recorded_after_its_due_is_late_wherever_shown(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref, within="4h")  # due 14:00 on 1 Dec

    done = act(unit, services.action_done, action_id=opened.id, note=None, by="rita.responder",
               at=t("2026-12-01T12:00"), now=t("2026-12-03T10:00"))  # fmt: skip
    with unit(write=False) as uow:
        (listed,) = services.list_actions(uow, as_of=t("2026-12-03T10:00"))

    entry = show(unit, ref).latest("action-done")
    assert entry is not None
    assert (False, False, False) == (entry.details["on_time"], done.on_time, listed.on_time)


def test_an_action_opened_back_dated_past_its_due_is_overdue_as_the_command_runs(
    unit: UnitFactory,
) -> None:
    # Opened for 1 Dec 10:00, due 14:00 that day, typed in on 3 Dec: overdue now, as `show`
    # and `overdue` have it, not as it stood when it was dated.
    ref = to_first_stage(unit)
    opened = add(unit, ref, within="4h", now=t("2026-12-03T10:00"))

    (shown,) = show(unit, ref, as_of=t("2026-12-03T10:00")).actions
    assert (True, True) == (opened.overdue, shown.overdue)


def one_open_one_done(unit: UnitFactory) -> None:
    """Action 1 open and action 2 done, rita.responder's, on a first-stage case."""
    ref = to_first_stage(unit)
    add(unit, ref)
    done = add(unit, ref)
    act(unit, services.action_done, action_id=done.id, note=None, by="rita.responder",
        at=t("2026-12-01T12:00"))  # fmt: skip


@pytest.mark.parametrize(
    ("action_id", "by", "error", "message"),
    [
        (99, "rita.responder", NotFound, "no action 99"),
        (1, "officer.two", NotPermitted, "only its owner \\(rita.responder\\), or leader"),
        (2, "rita.responder", ActionNotAllowed, "action 2 on SC-2026-000001 was done already"),
    ],
)
def test_marking_an_action_done_is_refused_and_writes_nothing(
    unit: UnitFactory, store_url: str, action_id: int, by: str, error: type[Exception],
    message: str,
) -> None:  # fmt: skip
    one_open_one_done(unit)
    before = dump_store(store_url)

    with pytest.raises(error, match=message):
        act(unit, services.action_done, action_id=action_id, note=None, by=by,
            at=t("2026-12-02T10:00"))  # fmt: skip
    assert before == dump_store(store_url)


def test_actions_are_listed_by_due_and_filtered(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    late = add(unit, ref, within="2h", owner="lee.leader", kind=ActionKind.IMPROVEMENT)
    later = add(unit, ref)
    done = add(unit, ref, within="1h")
    act(unit, services.action_done, action_id=done.id, note=None, by="rita.responder",
        at=t("2026-12-01T10:30"))  # fmt: skip

    def listed(**filters: Any) -> list[int]:
        with unit(write=False) as uow:
            views = services.list_actions(uow, as_of=t("2026-12-02T10:00"), **filters)
        return [v.id for v in views]

    assert [done.id, late.id, later.id] == listed()
    assert [late.id, later.id] == listed(open_only=True)
    assert [late.id] == listed(overdue_only=True)
    assert [late.id] == listed(owner="lee.leader")
    assert [done.id, later.id] == listed(kind=ActionKind.REMEDY)
    with pytest.raises(NotFound, match="no staff member 'nobody'"):
        listed(owner="nobody")


def test_actions_listed_as_of_an_instant_are_as_they_were_then(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    done_late = add(unit, ref, within="2h")  # due 12:00 on 1 Dec
    act(unit, services.action_done, action_id=done_late.id, note="Called", by="rita.responder",
        at=t("2026-12-03T10:00"))  # fmt: skip
    opened_later = add(unit, ref, at=t("2026-12-03T11:00"))

    def listed(as_of: str, **filters: Any) -> list[tuple[int, bool, datetime | None]]:
        with unit(write=False) as uow:
            views = services.list_actions(uow, as_of=t(as_of), **filters)
        return [(v.id, v.overdue, v.done_at) for v in views]

    # On 2 Dec the first was open and overdue, and the second not yet opened.
    assert [(done_late.id, True, None)] == listed("2026-12-02T10:00")
    assert [(done_late.id, True, None)] == listed("2026-12-02T10:00", overdue_only=True)
    assert [(done_late.id, True, None)] == listed("2026-12-02T10:00", open_only=True)
    assert [opened_later.id] == [id_ for id_, _, _ in listed("2026-12-03T12:00", open_only=True)]


def test_a_response_with_no_goodwill_opens_no_action(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Yes",
        remedies=services.Remedies((Remedy.APOLOGY,)), by="hana.handler",
        at=t("2027-01-04T10:00"))  # fmt: skip

    assert () == show(unit, ref).actions


def close_office(unit: UnitFactory, day: str, now: str) -> services.CalendarChange:
    with freeze_time(t(now)), unit() as uow:
        return services.add_closure(
            uow, day=t(day).date(), reason="Office move", by="sam.senior", at=t(now), now=t(now)
        )


def test_a_calendar_change_recounts_an_actions_within_by_the_action_rule(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    # Fri 4 Dec 2026 16:30; then Mon 7 Dec becomes a closure day.
    opened = t("2026-12-04T16:30")
    times = ("7h59m", "1d1m", "2d", "10d")
    views = [add(unit, ref, within=w, at=opened) for w in times]
    dated = add(unit, ref, within=None, due=t("2026-12-08T12:00"), at=opened)

    change = close_office(unit, "2026-12-07T00:00", "2026-12-04T16:45")

    # As an action opened then on the new calendar would be due: whole days to a close, the
    # rest working time after it (not the amount as working hours, which would put `1d1m` at
    # Tuesday 16:31).
    again = [add(unit, ref, within=w, at=opened, now=t("2026-12-04T16:46")) for w in times]
    assert [
        t("2026-12-08T16:29"), t("2026-12-09T09:01"), t("2026-12-09T17:00"),
        t("2026-12-21T17:00"),
    ] == [a.due for a in again]  # fmt: skip
    assert [(ref, f"action {v.id}", v.due, a.due) for v, a in zip(views, again, strict=True)] == [
        r.listed for r in change.recomputed
    ]
    dues = {a.id: a.due for a in show(unit, ref, as_of=t("2026-12-04T16:46")).actions}
    assert [a.due for a in again] == [dues[v.id] for v in views]
    # A date given with --due stays where it is.
    assert t("2026-12-08T12:00") == dues[dated.id]
    recomputes = [e.details for e in show(unit, ref).history if e.action == "deadline-recomputed"]
    assert [v.id for v in views] == [d["action_id"] for d in recomputes]


def test_a_calendar_change_moves_a_goodwill_payments_pay_action_by_its_rule(
    unit: UnitFactory,
) -> None:
    ref = to_final(unit)  # the pay action due the close of Mon 18 Jan 2027
    change = close_office(unit, "2027-01-11T00:00", "2027-01-05T09:00")

    (pay,) = show(unit, ref).actions
    assert [(ref, f"action {pay.id}", t("2027-01-18T17:00"), t("2027-01-19T17:00"))] == [
        m.listed for m in change.recomputed
    ]
    assert t("2027-01-19T17:00") == pay.due


def test_show_as_of_lists_the_actions_open_then_as_recorded_then(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    # Tue 1 Dec 2026 10:00: due in 4h (14:00) and in 10 working days (the close of 15 Dec).
    soon = add(unit, ref, within="4h")
    later = add(unit, ref)
    act(unit, services.action_done, action_id=soon.id, note=None, by="rita.responder",
        at=t("2026-12-03T10:00"))  # fmt: skip
    opened_after = add(unit, ref, at=t("2026-12-04T10:00"))
    # Opened on 2 Dec but only recorded on 5 Dec: not there as the store stood on 3 Dec.
    back_dated = add(unit, ref, at=t("2026-12-02T10:00"), now=t("2026-12-05T10:00"))

    def listed(as_of: datetime) -> list[tuple[int, bool]]:
        return [(a.id, a.overdue) for a in show(unit, ref, as_of=as_of).actions]

    assert [] == listed(t("2026-12-01T09:00"))
    # Open and past due then, though done since; the one opened later not yet there.
    assert [(soon.id, True), (later.id, False)] == listed(t("2026-12-02T12:00"))
    assert [(later.id, False)] == listed(t("2026-12-03T12:00"))
    assert [(later.id, False), (opened_after.id, False), (back_dated.id, False)] == listed(
        t("2026-12-07T12:00")
    )
    # Judged at the instant, as the clocks are: past its due at 17:00 on 15 Dec.
    assert [(later.id, True), (opened_after.id, True), (back_dated.id, True)] == listed(NOW)


def test_show_as_of_lists_an_action_done_back_dated_as_open_until_recorded(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref, within="4h")
    act(unit, services.action_done, action_id=opened.id, note=None, by="rita.responder",
        at=t("2026-12-01T12:00"), now=t("2026-12-03T10:00"))  # fmt: skip

    (then,) = show(unit, ref, as_of=t("2026-12-02T10:00")).actions
    assert (opened.id, True, None) == (then.id, then.overdue, then.done_at)
    assert () == show(unit, ref, as_of=t("2026-12-03T10:00")).actions


def test_a_back_dated_step_shows_the_action_it_opens(unit: UnitFactory) -> None:
    ref = to_second_stage(unit)
    view = act(unit, services.final_response, ref=ref, decision=Decision.UPHELD, summary="Yes",
               remedies=services.Remedies(goodwill="25.50"), by="hana.handler",
               at=t("2027-01-04T10:00"), now=t("2027-01-05T10:00"))  # fmt: skip

    assert ["pay the goodwill of £25.50"] == [a.what for a in view.actions]


# -- handing an action on ------------------------------------------------------------------


def reassign(unit: UnitFactory, action_id: int, **changes: Any) -> services.ActionView:
    fields: dict[str, Any] = {
        "action_id": action_id,
        "to": "ruth.responder",
        "reason": "Rita has left",
        "by": "rita.responder",
        "at": t("2026-12-02T10:00"),
    }
    return act(unit, services.reassign_action, **{**fields, **changes})  # type: ignore[no-any-return]


def test_an_action_handed_on_is_owned_by_its_new_owner_wherever_listed(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref)

    handed = reassign(unit, opened.id)

    with unit(write=False) as uow:
        ruths = services.list_actions(uow, as_of=NOW, owner="ruth.responder")
        ritas = services.list_actions(uow, as_of=NOW, owner="rita.responder")
    view = show(unit, ref)
    entry = view.latest("action-reassigned")
    assert entry is not None
    assert ("ruth.responder", [opened.id], [], ["ruth.responder"]) == (
        handed.owner, [a.id for a in ruths], [a.id for a in ritas],
        [a.owner for a in view.actions],
    )  # fmt: skip
    assert ("rita.responder", t("2026-12-02T10:00"), {
        "id": opened.id, "kind": "remedy", "previous_owner": "rita.responder",
        "owner": "ruth.responder", "reason": "Rita has left",
    }) == (entry.actor, entry.at, entry.details)  # fmt: skip
    assert (opened.due, None) == (handed.due, handed.done_at)  # its due stays where it was


def test_the_new_owner_marks_a_handed_on_action_done_and_the_old_one_no_longer_may(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref)
    reassign(unit, opened.id)

    with pytest.raises(NotPermitted, match="only its owner \\(ruth.responder\\)"):
        act(unit, services.action_done, action_id=opened.id, note=None, by="rita.responder",
            at=t("2026-12-02T11:00"))  # fmt: skip
    done = act(unit, services.action_done, action_id=opened.id, note=None, by="ruth.responder",
               at=t("2026-12-02T11:00"))  # fmt: skip
    assert "ruth.responder" == done.done_by


@pytest.mark.parametrize("by", ["lee.leader", "lena.leader", "sam.senior", "hana.handler"])
def test_a_leader_or_a_senior_role_hands_on_someone_elses_action(
    unit: UnitFactory, by: str
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref)

    assert "ruth.responder" == reassign(unit, opened.id, by=by).owner


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"action_id": 99}, NotFound, "no action 99"),
        ({"by": "officer.two"}, NotPermitted,
         "officer.two \\(officer\\) may not hand on action 1: only its owner "
         "\\(rita.responder\\), or leader, senior-complaint-executive, senior-leader, may"),
        ({"action_id": 2}, ActionNotAllowed, "action 2 on SC-2026-000001 was done already"),
        ({"to": "nobody"}, NotFound, "no staff member 'nobody'"),
        ({"to": "officer.three"}, InvalidInput, "officer.three is no longer active staff"),
        ({"to": "rita.responder"}, InvalidInput,
         "action 1 is owned by rita.responder already: nothing to change"),
        ({"reason": "  "}, InvalidInput, "--reason must not be empty"),
        ({"at": t("2026-12-01T09:00")}, InvalidInput, "--at is before action 1 was opened"),
        # An empty --to is a slip whatever the action: said as such, not as the action's state.
        ({"action_id": 2, "to": ""}, InvalidInput, "--to must not be empty"),
        ({"action_id": 99, "to": " "}, InvalidInput, "--to must not be empty"),
    ],
)  # fmt: skip
def test_handing_an_action_on_is_refused_and_writes_nothing(
    unit: UnitFactory, store_url: str, changes: dict[str, Any], error: type[Exception],
    message: str,
) -> None:  # fmt: skip
    one_open_one_done(unit)
    act(unit, services.remove_staff, username="officer.three", by="sam.senior",
        at=t("2026-12-01T12:00"))  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(error, match=message):
        reassign(unit, **{"action_id": 1, **changes})
    assert before == dump_store(store_url)


def test_an_action_is_not_opened_dated_before_its_case_was_received_naming_when_it_was(
    unit: UnitFactory, store_url: str
) -> None:
    ref = to_first_stage(unit)  # received Mon 2026-11-30 10:00
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match=f"^--at is before {ref} was received "
                       "\\(Mon 2026-11-30 10:00 GMT\\)$"):  # fmt: skip
        add(unit, ref, at=t("2026-11-30T09:59"))
    assert before == dump_store(store_url)


def test_an_action_is_not_handed_on_dated_before_it_was_last_handed_on(
    unit: UnitFactory, store_url: str
) -> None:
    ref = to_first_stage(unit)
    opened = add(unit, ref)
    reassign(unit, opened.id, at=t("2026-12-02T10:00"))
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match="--at is before action 1 was last handed on "
                       "\\(Wed 2026-12-02 10:00 GMT\\)"):  # fmt: skip
        reassign(unit, opened.id, to="lee.leader", by="ruth.responder", at=t("2026-12-02T09:00"),
                 now=t("2026-12-02T11:00"))  # fmt: skip
    assert before == dump_store(store_url)
    again = reassign(unit, opened.id, to="lee.leader", by="lee.leader", at=t("2026-12-02T10:00"))
    assert "lee.leader" == again.owner


def test_an_action_is_not_done_dated_before_it_was_last_handed_on(
    unit: UnitFactory, store_url: str
) -> None:
    # Handed on Wed 2 Dec 10:00: its done, by its new owner or anyone, is not dated before it,
    # else the history says it was handed on once done (which `action reassign` refuses).
    ref = to_first_stage(unit)
    opened = add(unit, ref)
    reassign(unit, opened.id, at=t("2026-12-02T10:00"))
    before = dump_store(store_url)

    for by in ("ruth.responder", "sam.senior"):
        with pytest.raises(InvalidInput, match="--at is before action 1 was last handed on "
                           "\\(Wed 2026-12-02 10:00 GMT\\)"):  # fmt: skip
            act(unit, services.action_done, action_id=opened.id, note="Called back", by=by,
                at=t("2026-12-02T09:00"), now=t("2026-12-02T11:00"))  # fmt: skip
    assert before == dump_store(store_url)
    done = act(unit, services.action_done, action_id=opened.id, note=None, by="ruth.responder",
               at=t("2026-12-02T10:00"))  # fmt: skip
    assert (t("2026-12-02T10:00"), "ruth.responder", True) == (done.done_at, done.done_by,
                                                               done.on_time)  # fmt: skip
