"""`explain_deadline` on a real store: the rule, the start, the calendar, each day, each change
(an extension, a recompute) and the clock's state as of an instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl import services
from complaintctl.domain.explain import COUNTED, RECEIVED_DAY, SKIPPED
from complaintctl.domain.procedure import ActionKind, Decision
from complaintctl.errors import InvalidInput, NotFound, StoreDamaged
from complaintctl.services.explain import (
    BREACHED,
    MET,
    NOT_STARTED,
    RUNNING,
    STOPPED,
    ExplainView,
    explain_deadline,
)
from tests.conftest import UnitFactory
from tests.service.journey import (
    NOW,
    act,
    log,
    show,
    t,
    to_final,
    to_first_stage,
    to_second_stage,
    withdraw,
)


def acknowledge(unit: UnitFactory, ref: str, at: datetime) -> None:
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one", at=at)


def explain(
    unit: UnitFactory,
    ref: str,
    kind: str | None = None,
    as_of: datetime = NOW,
    action: int | None = None,
) -> ExplainView:
    with unit(write=False) as uow:
        return explain_deadline(uow, ref=ref, kind=kind, as_of=as_of, action=action)


def days(view: ExplainView) -> list[tuple[str, str, str]]:
    return [(e.day.isoformat(), e.kind, e.reason) for e in view.days]


# -- the rule, the start and the calendar ------------------------------------------------------


def test_christmas_explains_each_day_skipped_and_reaches_24_hours_at_the_due(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-24T16:00"))

    view = explain(unit, ref, as_of=t("2026-12-30T12:00"))

    assert ("acknowledge", "24 working hours after receipt") == (view.kind, view.rule)
    assert (t("2026-12-24T16:00"), "log", "officer.one") == (
        view.start,
        view.started_by,
        view.started_by_actor,
    )
    assert t("2026-12-31T16:00") == view.due == view.rule_due
    assert [
        ("2026-12-24", COUNTED, "started 16:00: the 7h of opening hours before it not counted"),
        ("2026-12-25", SKIPPED, "bank holiday: Christmas Day"),
        (
            "2026-12-26",
            SKIPPED,
            "weekend (no opening hours on Saturdays); bank holiday: Boxing Day",
        ),
        ("2026-12-27", SKIPPED, "weekend (no opening hours on Sundays)"),
        ("2026-12-28", SKIPPED, "bank holiday: Boxing Day (observed)"),
        ("2026-12-29", COUNTED, ""),
        ("2026-12-30", COUNTED, ""),
        ("2026-12-31", COUNTED, "due 16:00: 24h reached"),
    ] == days(view)
    assert timedelta(hours=24) == view.days[-1].total
    assert (RUNNING, timedelta(hours=12), timedelta(hours=12)) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )
    assert () == view.changes
    assert () == view.notes


def test_the_calendar_used_is_the_stores(unit: UnitFactory) -> None:
    view = explain(unit, log(unit, t("2026-12-01T10:00")))

    calendar = view.calendar
    assert ("Europe/London", "GB-ENG") == (calendar.zone, calendar.holiday_region)
    assert (("Mon", "09:00-17:00"), ("Sat", "closed")) == (calendar.week[0], calendar.week[5])
    assert (date(2021, 1, 1), date(2031, 12, 31)) == (calendar.known_from, calendar.known_through)
    assert calendar.holidays_source.startswith("holidays ")


def test_the_final_response_counts_20_working_days_from_day_0(unit: UnitFactory) -> None:
    # Escalated Mon 7 Dec 2026 10:00 to hana.handler (journey.to_second_stage).
    ref = to_second_stage(unit)

    view = explain(unit, ref, as_of=t("2026-12-08T12:00"))

    assert ("final", "20 working days after escalation", "escalate") == (
        view.kind,
        view.rule,
        view.started_by,
    )
    numbered = [(e.day.isoformat(), e.day_number) for e in view.days if e.day_number is not None]
    assert [("2026-12-07", 0), ("2026-12-08", 1)] == numbered[:2]
    assert ("2027-01-07", 20) == numbered[-1]
    assert RECEIVED_DAY == view.days[0].kind
    skipped = {e.day.isoformat(): e.reason for e in view.days if e.kind == SKIPPED}
    assert "bank holiday: New Year's Day" == skipped["2027-01-01"]
    assert t("2027-01-07T17:00") == view.due == view.rule_due


# -- which deadline ------------------------------------------------------------------------------


def test_by_default_the_running_clock_is_explained(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    assert (("acknowledge", "respond"), "respond") == (
        explain(unit, ref).kinds,
        explain(unit, ref).kind,
    )
    # A replay before the acknowledgement: the acknowledgement clock was running then.
    assert "acknowledge" == explain(unit, ref, as_of=t("2026-12-01T12:00")).kind


def test_without_a_running_clock_the_latest_is_explained(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    withdraw(unit, ref, t("2026-12-01T11:00"))

    view = explain(unit, ref)

    assert ("acknowledge", STOPPED, t("2026-12-01T11:00"), True) == (
        view.kind,
        view.status.state,
        view.status.ended_at,
        view.status.on_time,
    )


def test_as_of_while_a_case_was_closed_the_clock_the_close_cancelled_is_explained(
    unit: UnitFactory,
) -> None:
    # Logged Mon 10:00 (acknowledgement due Thu 10:00), closed Tue 11:00, reopened Fri 10:00:
    # between the close and the reopen the clock was stopped, as `show --as-of` gives it.
    ref = log(unit, t("2026-11-30T10:00"))
    withdraw(unit, ref, t("2026-12-01T11:00"))
    act(unit, services.reopen, ref=ref, reason="Mistake", by="sam.senior", at=t("2026-12-04T10:00"))
    closed = t("2026-12-02T12:00")

    for kind in (None, "acknowledge"):
        view = explain(unit, ref, kind, as_of=closed)
        assert ("acknowledge", STOPPED, t("2026-12-01T11:00")) == (
            view.kind,
            view.status.state,
            view.status.ended_at,
        )
    shown = [d for d in show(unit, ref, as_of=closed).deadlines if d.kind == "acknowledge"]
    assert [t("2026-12-01T11:00")] == [d.ended_at for d in shown]
    # Once reopened, the clock it ran again: breached since Thu 10:00.
    assert BREACHED == explain(unit, ref, "acknowledge", as_of=t("2026-12-04T12:00")).status.state


def test_an_unknown_case_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound, match="no case SC-2026-000099"):
        explain(unit, "SC-2026-000099")


def test_a_kind_the_case_does_not_have_is_not_found_naming_those_it_has(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))

    with pytest.raises(NotFound) as refused:
        explain(unit, ref, "final")

    assert f"{ref} has no final deadline; the deadlines it has: acknowledge" == (
        refused.value.message
    )


# -- the state as of an instant ---------------------------------------------------------------


def test_met_on_time_shows_the_working_time_to_spare(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    status = explain(unit, ref, "acknowledge").status

    assert (MET, True, t("2026-12-02T10:00")) == (status.state, status.on_time, status.ended_at)
    assert (timedelta(hours=8), timedelta(hours=16)) == (
        status.working_used,
        status.working_left,
    )


def test_working_time_used_is_whole_minutes_gone_so_used_and_left_add_up(
    unit: UnitFactory,
) -> None:
    # Logged Mon 16:59:59, due Thu 16:59:59; at Thu 16:59:30, 23h 59m 31s are used and 29s
    # left. Left is shown as 1m (rounded away from zero, so never "0m" while it runs); used,
    # rounded up too, read "24h used, 1m left": a minute more than the 24 hours there are.
    ref = log(unit, t("2026-12-07T16:59:59"))

    status = explain(unit, ref, "acknowledge", as_of=t("2026-12-10T16:59:30")).status

    assert RUNNING == status.state
    assert (timedelta(hours=23, minutes=59), timedelta(seconds=29)) == (
        status.working_used,
        status.working_left,
    )


def test_a_breached_clock_shows_how_late_in_working_and_calendar_time(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))  # due Fri 4 Dec 10:00

    status = explain(unit, ref, as_of=t("2026-12-07T11:00")).status

    assert (BREACHED, timedelta(hours=9), timedelta(days=3, hours=1)) == (
        status.state,
        status.working_late,
        status.calendar_late,
    )
    assert timedelta(hours=33) == status.working_used


def test_as_of_before_the_start_the_clock_had_not_started(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))

    status = explain(unit, ref, "respond", as_of=t("2026-12-01T12:00")).status

    assert (NOT_STARTED, timedelta(0)) == (status.state, status.working_used)


# -- extensions and recomputes ------------------------------------------------------------------


def test_a_date_agreed_past_the_known_bank_holidays_is_not_said_to_assume_there_are_none(
    unit: UnitFactory,
) -> None:
    """An agreed date is not counted on the calendar: it stands whatever the bank holidays of
    2033. Only the working time shown left before it counts none after the known years."""
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T10:00"))
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    extended = act(unit, services.extend, ref=ref, until=t("2033-01-10T17:00"),
                   reason="Abroad until then", by="rita.responder",
                   at=t("2026-12-02T15:00"))  # fmt: skip
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "left before a date agreed after them counts none there, though the date itself stands "
        "— run `complaintctl calendar holidays --through 2033` to add them"
    )
    assert (said,) == extended.warnings
    assert (said,) == explain(unit, ref, "respond", as_of=t("2026-12-03T12:00")).warnings


@pytest.mark.parametrize(
    ("until", "due"),
    [
        ("2032-01-12T17:00", "2032-01-14T17:00"),
        ("2032-01-01T00:00", "2032-01-01T00:00"),  # the first moment past them
    ],
)
def test_a_date_agreed_or_set_by_hand_past_the_known_bank_holidays_is_said_alike_everywhere(
    unit: UnitFactory, until: str, due: str
) -> None:
    """`show`, the queue, `overdue` and `explain --action` say of a date agreed (`extend
    --until`) or an action's date set by hand (`--due`) past the known bank holidays what
    `extend` and `explain` say: it stands; only the working time left before it counts none
    there. They said a deadline after them assumes there are none; and the listings, of a
    date at the very first moment past them. `action list` shows no working time: it says
    nothing of the date, as `action add --due` does not."""
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T10:00"))
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.extend, ref=ref, until=t(until), reason="Abroad",
        by="rita.responder", at=t("2026-12-02T15:00"))  # fmt: skip
    act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Pay £10",
        owner="officer.one", due=t(due), within=None, by="officer.one",
        at=t("2026-12-02T16:00"))  # fmt: skip
    as_of, late_in_2031 = t("2026-12-03T12:00"), t("2031-12-22T12:00")
    with unit(write=False) as uow:
        shown = services.show_case(uow, ref=ref, as_of=as_of).warnings
        queued = services.queue(uow, as_of=as_of).warnings
        listed = [a.warnings for a in services.list_actions(uow, as_of=as_of)]
        due_soon = services.overdue(uow, as_of=late_in_2031, due_within="200h")
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "left before a date agreed after them counts none there, though the date itself stands "
        "— run `complaintctl calendar holidays --through 2032` to add them"
    )
    assert [("respond", ref), ("action", ref)] == [(i.kind, i.ref) for i in due_soon.items]
    assert [(said,)] * 4 == [
        shown,
        queued,
        due_soon.warnings,
        explain(unit, ref, action=1, as_of=as_of).warnings,
    ]
    assert [()] == listed


def test_a_date_set_by_hand_before_the_known_bank_holidays_is_said_alike_everywhere(
    unit: UnitFactory,
) -> None:
    """An action's date set by hand (`--due`) before the years whose bank holidays are known
    is not counted: it stands, as one after them does, and only the working time shown since
    it counts none there. `show` and `explain` said nothing of it, while `action list` and
    `overdue` said it was counted from before them and might be early by a holiday.
    `action list` shows no working time, so says nothing of it."""
    ref = log(unit, t("2019-03-01T10:00"))
    withdraw(unit, ref, t("2019-03-01T11:00"))  # its own clocks stop: the action is owed
    act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Pay £10",
        owner="officer.one", due=t("2019-04-01T12:00"), within=None, by="officer.one",
        at=t("2019-03-02T10:00"))  # fmt: skip
    with unit(write=False) as uow:
        shown = services.show_case(uow, ref=ref, as_of=NOW).warnings
        listed = [a.warnings for a in services.list_actions(uow, as_of=NOW)]
        overdue = services.overdue(uow, as_of=NOW)
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "since a date agreed before them counts none there, though the date itself stands, "
        "and earlier years cannot be added"
    )
    assert [("action", ref)] == [(i.kind, i.ref) for i in overdue.items]
    assert [(said,)] * 3 == [shown, overdue.warnings, explain(unit, ref, action=1).warnings]
    assert [()] == listed


def test_an_action_recorded_before_within_was_kept_as_working_time_stands_everywhere(
    unit: UnitFactory,
) -> None:
    """An action opened `--within` before its working time was kept has its due recorded as
    a date (unit `agreed`), which no calendar change moves: past the known bank holidays it
    stands, as `show` says (`action list`, which shows no working time, says nothing of it).
    `explain --action` counts it again to explain it, but said it was a deadline assuming
    there are none, to be moved by adding them."""
    ref = log(unit, t("2031-12-22T10:00"))
    acknowledge(unit, ref, t("2031-12-22T11:00"))
    act(unit, services.add_action, ref=ref, kind=ActionKind.IMPROVEMENT, what="Fix the form",
        owner="officer.one", due=None, within="5d", by="officer.one",
        at=t("2031-12-29T12:00"))  # fmt: skip
    with unit() as uow:  # as a store kept it before
        (clock,) = uow.action_clocks(uow.action(1))
        clock.unit, clock.amount = "agreed", 0
        uow.add(clock)
        uow.commit()
    as_of = t("2031-12-30T12:00")
    with unit(write=False) as uow:
        shown = services.show_case(uow, ref=ref, as_of=as_of).warnings
        listed = [a.warnings for a in services.list_actions(uow, as_of=as_of)]
    explained = explain(unit, ref, action=1, as_of=as_of)
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "left before a date agreed after them counts none there, though the date itself stands "
        "— run `complaintctl calendar holidays --through 2032` to add them"
    )
    assert (t("2032-01-05T17:00"), "working-days", 5) == (
        explained.due,
        explained.unit,
        explained.amount,
    )
    assert [(said,)] * 2 == [shown, explained.warnings]
    assert [()] == listed  # no working time shown: nothing to say of the date
    assert (
        "within 5d (working time), set by officer.one: opened before --within was kept as "
        "working time, its due was recorded as a date, which a calendar change does not move"
    ) in explained.notes


def test_overdue_as_of_past_the_known_bank_holidays_says_what_is_counted_there(
    unit: UnitFactory,
) -> None:
    """`overdue --as-of` a time past the known bank holidays counts the working time late up
    to it with none there: it says so. It said a deadline after them assumed there were
    none, where the only deadline after them is a date agreed, which stands, or where every
    due listed lies inside them."""
    agreed = log(unit, t("2031-11-03T10:00"))
    acknowledge(unit, agreed, t("2031-11-03T10:00"))
    act(unit, services.assign, ref=agreed, to="rita.responder", by="lee.leader",
        at=t("2031-11-03T11:00"))  # fmt: skip
    act(unit, services.extend, ref=agreed, until=t("2032-01-12T17:00"), reason="Abroad",
        by="rita.responder", at=t("2031-11-04T15:00"))  # fmt: skip
    counted = log(unit, t("2031-12-01T10:00"), email="bob@example.com")  # due 4 December
    with unit(write=False) as uow:
        both = services.overdue(uow, as_of=t("2032-01-20T12:00"), as_recorded=True)
        inside = services.overdue(uow, as_of=t("2032-01-05T12:00"), as_recorded=True)
    known = "bank holidays are known only from 2021-01-01 to 2031-12-31; "
    add = " — run `complaintctl calendar holidays --through 2032` to add them"
    assert [agreed, counted] == sorted(i.ref for i in both.items)
    assert [counted] == [i.ref for i in inside.items]
    assert (
        (
            f"{known}the working time shown as of 2032-01-20, after them, counts none there, "
            f"though a date agreed after them stands{add}",
        ),
        (f"{known}the working time shown as of 2032-01-05, after them, counts none there{add}",),
    ) == (both.warnings, inside.warnings)


def test_listings_as_of_between_two_extensions_take_the_earlier_date_as_agreed(
    unit: UnitFactory,
) -> None:
    """`queue` and `overdue --as-of` a time between two extensions past the known bank
    holidays list the date agreed by then, which stands, as `show --as-of` says. They said it
    was a deadline counted there, matching it against the clock's date agreed now."""
    ref = log(unit, t("2031-11-03T10:00"))
    acknowledge(unit, ref, t("2031-11-03T10:00"))
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2031-11-03T11:00"))  # fmt: skip
    act(unit, services.extend, ref=ref, until=t("2032-01-12T17:00"), reason="Abroad",
        by="rita.responder", at=t("2031-11-04T15:00"))  # fmt: skip
    act(unit, services.extend, ref=ref, until=t("2032-02-02T17:00"), reason="Abroad longer",
        by="rita.responder", at=t("2032-01-05T10:00"))  # fmt: skip
    between = t("2031-12-22T12:00")
    with unit(write=False) as uow:
        queued = services.queue(uow, as_of=between, as_recorded=True)
        due_soon = services.overdue(uow, as_of=between, due_within="200h", as_recorded=True)
        shown = services.show_case(uow, ref=ref, as_of=between, as_recorded=True)
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "left before a date agreed after them counts none there, though the date itself stands "
        "— run `complaintctl calendar holidays --through 2032` to add them"
    )
    assert [t("2032-01-12T17:00")] * 2 == [queued.items[0].due, due_soon.items[0].due]
    assert [(said,)] * 3 == [shown.warnings, queued.warnings, due_soon.warnings]


def test_show_and_explain_as_of_warn_of_the_dues_on_record_then(unit: UnitFactory) -> None:
    """`show --as-of` (and `explain --as-of`) warn of the dues the history recorded by then
    had: not of a date agreed, or an action opened, past the known bank holidays since, and
    of one agreed by then on a clock met since. They warned of the clocks running now."""
    later = log(unit, t("2026-12-01T10:00"))
    earlier = log(unit, t("2026-12-01T10:00"), email="bob@example.com")
    for ref in (later, earlier):
        acknowledge(unit, ref, t("2026-12-01T10:00"))
        act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
            at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.extend, ref=earlier, until=t("2032-01-12T17:00"), reason="Abroad",
        by="rita.responder", at=t("2026-12-02T10:00"))  # fmt: skip
    act(unit, services.respond, ref=earlier, decision=Decision.NOT_UPHELD,
        summary="We did reply", remedies=services.Remedies(), by="rita.responder",
        at=t("2026-12-04T10:00"))  # fmt: skip
    act(unit, services.extend, ref=later, until=t("2032-01-12T17:00"), reason="Abroad",
        by="rita.responder", at=t("2026-12-04T10:00"))  # fmt: skip
    act(unit, services.add_action, ref=later, kind=ActionKind.REMEDY, what="Pay £10",
        owner="officer.one", due=t("2032-01-20T17:00"), within=None, by="officer.one",
        at=t("2026-12-04T11:00"))  # fmt: skip
    then = t("2026-12-03T12:00")
    with unit(write=False) as uow:
        shown = {
            ref: services.show_case(uow, ref=ref, as_of=then, as_recorded=True).warnings
            for ref in (later, earlier)
        }
    said = (
        "bank holidays are known only from 2021-01-01 to 2031-12-31; the working time shown "
        "left before a date agreed after them counts none there, though the date itself stands "
        "— run `complaintctl calendar holidays --through 2032` to add them"
    )
    assert {later: (), earlier: (said,)} == shown
    assert ((), (said,)) == (
        explain(unit, later, "respond", as_of=then).warnings,
        explain(unit, earlier, "respond", as_of=then).warnings,
    )


def test_an_extension_keeps_the_rule_and_shows_the_agreed_date(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T10:00"))
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
        reason="Waiting for the call recordings",
        by="rita.responder",
        at=t("2026-12-02T15:00"),
    )

    view = explain(unit, ref, as_of=t("2026-12-10T12:00"))

    assert ("respond", "24 working hours after acknowledgement", 24, "working-hours") == (
        view.kind,
        view.rule,
        view.amount,
        view.unit,
    )
    assert (t("2026-12-04T10:00"), t("2026-12-18T17:00"), True) == (
        view.rule_due,
        view.due,
        view.extended,
    )
    assert [
        (
            "extend",
            "rita.responder",
            t("2026-12-02T15:00"),
            t("2026-12-04T10:00"),
            t("2026-12-18T17:00"),
            "Waiting for the call recordings",
        )
    ] == [(c.action, c.by, c.at, c.old_due, c.new_due, c.reason) for c in view.changes]
    assert () == view.notes
    # As of Thu 10 Dec noon: 7h on Tue 1 Dec, six full days, 3h on Thu 10th used; 5h that
    # day and six full days to Fri 18th 17:00 left.
    assert (RUNNING, timedelta(hours=58), timedelta(hours=53)) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )


def test_as_of_before_an_extension_was_recorded_the_due_then_is_counted_as_show_gives_it(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T10:00"))
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2026-12-18T17:00"),
        reason="Waiting for the call recordings",
        by="sam.senior",
        at=t("2026-12-03T15:00"),
    )

    view = explain(unit, ref, as_of=t("2026-12-02T12:00"))

    # Not yet agreed on Wed 2 Dec: due Fri 4 Dec 10:00 as show --as-of gives it, with 14h
    # left (5h that day, 8h on Thursday, 1h on Friday).
    then = next(d for d in show(unit, ref, t("2026-12-02T12:00")).deadlines if d.kind == "respond")
    assert (t("2026-12-04T10:00"), False) == (view.due, view.extended) == (then.due, False)
    assert (RUNNING, then.working_left) == (view.status.state, view.status.working_left)
    assert timedelta(hours=14) == view.status.working_left
    # The extension recorded since is still listed, and a note says it came later.
    assert ["extend"] == [c.action for c in view.changes]
    assert (
        "as of Wed 2026-12-02 12:00 GMT the due was Fri 2026-12-04 10:00 GMT: the extension "
        "recorded after then (below) was not yet on record",
    ) == view.notes


def test_as_of_before_two_recomputes_were_recorded_the_note_names_them_both(
    unit: UnitFactory,
) -> None:
    # Received Tue 1 Dec 10:00: due Fri 4 Dec 10:00; Thursday closed, then Monday: Tue 8 Dec.
    ref = log(unit, t("2026-12-01T10:00"))
    for day, at in (
        (date(2026, 12, 3), "2026-12-01T12:00"),
        (date(2026, 12, 7), "2026-12-01T13:00"),
    ):
        act(unit, services.add_closure, day=day, reason="Office move", by="sam.senior",
            at=t(at), now=t(at))  # fmt: skip

    view = explain(unit, ref, as_of=t("2026-12-01T11:00"))

    assert (t("2026-12-04T10:00"), t("2026-12-08T10:00")) == (view.due, view.rule_due)
    assert (
        "as of Tue 2026-12-01 11:00 GMT the due was Fri 2026-12-04 10:00 GMT: the calendar "
        "recomputes recorded after then (below) were not yet on record",
    ) == view.notes


def test_a_closure_added_while_the_clock_runs_is_skipped_and_the_recompute_shown(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    act(
        unit,
        services.add_closure,
        day=date(2026, 12, 3),
        reason="Office move",
        by="sam.senior",
        at=t("2026-12-01T12:00"),
        # Made while the clock runs: a deadline is judged breached or not when the calendar
        # changes, whatever --at says.
        now=t("2026-12-01T12:00"),
    )

    view = explain(unit, ref, as_of=t("2026-12-01T12:00"))

    assert ("2026-12-03", SKIPPED, "office closure: Office move") == days(view)[2]
    assert t("2026-12-07T10:00") == view.due == view.rule_due
    assert [
        (
            "deadline-recomputed",
            "sam.senior",
            t("2026-12-04T10:00"),
            t("2026-12-07T10:00"),
            "closure on 2026-12-03 added",
        )
    ] == [(c.action, c.by, c.old_due, c.new_due, c.reason) for c in view.changes]


def test_a_calendar_change_after_the_clock_stopped_is_noted_not_applied(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-02T10:00"))
    act(
        unit,
        services.add_closure,
        day=date(2026, 12, 3),
        reason="Office move",
        by="sam.senior",
        at=t("2026-12-02T12:00"),
    )

    view = explain(unit, ref, "acknowledge")

    assert (t("2026-12-04T10:00"), t("2026-12-07T10:00")) == (view.due, view.rule_due)
    assert (
        "the calendar has changed since: on today's calendar the rule gives "
        "Mon 2026-12-07 10:00 GMT, but Fri 2026-12-04 10:00 GMT applied (a deadline already "
        "met or breached keeps its value)",
    ) == view.notes
    assert () == view.changes


def test_a_case_clock_moved_to_the_moment_of_a_calendar_change_says_so(unit: UnitFactory) -> None:
    # Received Tue 1 Dec 10:00: due Fri 4 Dec 10:00; Thursday closed: Mon 7 Dec 10:00.
    ref = log(unit, t("2026-12-01T10:00"))
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=t("2026-12-01T12:00"))  # fmt: skip
    # Taken back on Fri 4 Dec at noon: the rule's 10:00 has passed, so the due is the change.
    back = services.Retroactive(reason="Added in error")
    act(unit, services.remove_closure, day=date(2026, 12, 3), by="sam.senior",
        at=t("2026-12-04T12:00"), retroactive=back)  # fmt: skip

    view = explain(unit, ref, "acknowledge", as_of=t("2026-12-04T12:05"))

    assert (t("2026-12-04T12:00"), t("2026-12-04T10:00")) == (view.due, view.rule_due)
    assert (
        "the calendar has changed since: on today's calendar the rule gives "
        "Fri 2026-12-04 10:00 GMT, but Fri 2026-12-04 12:00 GMT applied (it had passed when the "
        "calendar changed, and no due moves to before a change)",
    ) == view.notes


# -- the referral window ------------------------------------------------------------------------


def test_the_referral_window_is_three_calendar_months_at_the_same_wall_clock_time(
    unit: UnitFactory,
) -> None:
    # Escalated Mon 7 Dec 2026 10:00 to hana.handler (journey.to_second_stage).
    ref = to_second_stage(unit)
    act(
        unit,
        services.final_response,
        ref=ref,
        decision=Decision.NOT_UPHELD,
        summary="No",
        remedies=services.Remedies(),
        by="hana.handler",
        at=t("2027-01-04T10:00"),
    )

    view = explain(unit, ref, as_of=t("2027-02-04T10:00"))

    assert ("referral-window", "3 months after the final response", ()) == (
        view.kind,
        view.rule,
        view.days,
    )
    # 10:00 GMT in January is 10:00 BST in April: 09:00 UTC.
    assert t("2027-04-04T09:00") == view.due
    assert (
        "Mon 2027-01-04 10:00 GMT + 3 calendar months, same wall-clock time: "
        "Sun 2027-04-04 10:00 BST",
    ) == view.notes
    assert (RUNNING, None, None) == (
        view.status.state,
        view.status.working_used,
        view.status.working_left,
    )
    # 28 days of February and 31 of March, less the hour the clocks skip.
    assert timedelta(days=58, hours=23) == view.status.calendar_left


def test_a_referral_window_ending_in_the_hour_the_clocks_skip_says_so(
    unit: UnitFactory,
) -> None:
    # 01:30 on Sun 28 Mar 2027 does not exist: the window ends at the same instant, 02:30 BST.
    ref = to_second_stage(unit)
    act(unit, services.final_response, ref=ref, decision=Decision.NOT_UPHELD, summary="No",
        remedies=services.Remedies(), by="hana.handler", at=t("2026-12-28T01:30"))  # fmt: skip

    view = explain(unit, ref, as_of=t("2027-02-04T10:00"))

    assert t("2027-03-28T01:30") == view.due
    assert (
        "Mon 2026-12-28 01:30 GMT + 3 calendar months, same wall-clock time: "
        "Sun 2027-03-28 02:30 BST (01:30 does not exist on Sun 2027-03-28: the clocks go "
        "forward then, so 02:30)",
    ) == view.notes


# -- an action's due ------------------------------------------------------------------------------


def add_action(unit: UnitFactory, ref: str, at: datetime, **when: Any) -> int:
    view = act(
        unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Call Ann back",
        owner="rita.responder", by="officer.one", at=at, **{"due": None, "within": None, **when},
    )  # fmt: skip
    return int(view.id)


def test_an_action_due_within_working_days_counts_them_across_christmas_and_a_weekend(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    action = add_action(unit, ref, t("2026-12-24T10:00"), within="3d")
    act(unit, services.action_done, action_id=action, note=None, by="rita.responder",
        at=t("2027-01-04T10:00"))  # fmt: skip

    view = explain(unit, ref, "action", as_of=t("2027-01-05T10:00"))

    assert ("action", (action, "remedy"), "within 3d (working time), set by officer.one") == (
        view.kind, view.action, view.rule,
    )  # fmt: skip
    assert (3, "working-days", t("2026-12-24T10:00"), "action-opened", "officer.one") == (
        view.amount, view.unit, view.start, view.started_by, view.started_by_actor,
    )  # fmt: skip
    assert t("2026-12-31T17:00") == view.due == view.rule_due
    assert [
        ("2026-12-24", RECEIVED_DAY, "started 10:00: the day of the event is day 0, not counted"),
        ("2026-12-25", SKIPPED, "bank holiday: Christmas Day"),
        (
            "2026-12-26",
            SKIPPED,
            "weekend (no opening hours on Saturdays); bank holiday: Boxing Day",
        ),
        ("2026-12-27", SKIPPED, "weekend (no opening hours on Sundays)"),
        ("2026-12-28", SKIPPED, "bank holiday: Boxing Day (observed)"),
        ("2026-12-29", COUNTED, ""),
        ("2026-12-30", COUNTED, ""),
        ("2026-12-31", COUNTED, "day 3 of 3: due at its close, 17:00"),
    ] == days(view)
    assert (MET, t("2027-01-04T10:00"), False) == (
        view.status.state, view.status.ended_at, view.status.on_time,
    )  # fmt: skip
    assert () == view.notes


def test_an_action_due_within_days_and_hours_counts_the_days_and_notes_the_rest(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    # Fri 4 Dec 2026 16:30: day 1 is Mon 7 Dec, to its close; 4h more is Tue 8 Dec 13:00.
    action = add_action(unit, ref, t("2026-12-04T16:30"), within="1d4h")

    view = explain(unit, ref, action=action, as_of=t("2026-12-07T12:00"))

    assert t("2026-12-08T13:00") == view.due == view.rule_due
    assert ["day 0", "skipped", "skipped", "day 1"] == [
        f"day {e.day_number}" if e.day_number is not None else e.kind for e in view.days
    ]
    assert (
        "then 4h of working time after the close of day 1: due Tue 2026-12-08 13:00 GMT",
    ) == view.notes
    assert RUNNING == view.status.state


def test_an_action_due_within_hours_past_a_shorter_days_close_is_due_at_that_close(
    unit: UnitFactory,
) -> None:
    with unit() as uow:  # eight hours Monday to Thursday, four on Friday: a `d` is eight
        services.change_calendar(
            uow,
            wanted=services.CalendarWanted(None, "Mon-Thu 09:00-17:00; Fri 09:00-13:00", None),
            by="sam.senior", at=t("2026-11-30T09:00"), now=t("2026-11-30T09:00"),
            retroactive=services.Retroactive(None, False),
        )  # fmt: skip
    ref = to_first_stage(unit)
    # Wed 2 Dec 16:00: day 1 is Thursday, to its close; 7h more would be Monday 11:00, past
    # the close of day 2, Friday 13:00 (as `2d`, a longer time, is due).
    action = add_action(unit, ref, t("2026-12-02T16:00"), within="1d7h")

    view = explain(unit, ref, action=action, as_of=t("2026-12-04T10:00"))

    assert t("2026-12-04T13:00") == view.due == view.rule_due
    assert (2, "working-days") == (view.amount, view.unit)
    assert ["day 0", "day 1", "day 2"] == [
        f"day {e.day_number}" if e.day_number is not None else e.kind for e in view.days
    ]
    assert (
        "7h of working time after the close of day 1 would run past the close of day 2, a day "
        "shorter than the longest (8h, what a d of working time is): due at that close, "
        "Fri 2026-12-04 13:00 GMT",
    ) == view.notes


def action_then_a_closure(unit: UnitFactory) -> tuple[str, int]:
    """A case with an action opened Fri 4 Dec 2026 16:30 `--within 2d` (due at the close of
    Tue 8 Dec), and Mon 7 Dec made a closure at 16:45: the case and the action."""
    ref = to_first_stage(unit)
    action = add_action(unit, ref, t("2026-12-04T16:30"), within="2d")
    with freeze_time(t("2026-12-04T16:45")), unit() as uow:
        services.add_closure(uow, day=date(2026, 12, 7), reason="Office move", by="sam.senior",
                             at=t("2026-12-04T16:45"), now=t("2026-12-04T16:45"))  # fmt: skip
    return ref, action


def test_an_action_moved_by_a_calendar_change_is_counted_on_the_new_calendar(
    unit: UnitFactory,
) -> None:
    # Fri 4 Dec 2026 16:30, due at the close of Tue 8 Dec; then Mon 7 Dec becomes a closure.
    ref, action = action_then_a_closure(unit)

    view = explain(unit, ref, action=action, as_of=t("2026-12-05T10:00"))

    assert t("2026-12-09T17:00") == view.due == view.rule_due
    assert [(t("2026-12-08T17:00"), t("2026-12-09T17:00"))] == [
        (change.old_due, change.new_due) for change in view.changes
    ]
    assert ["day 0", "skipped", "skipped", "skipped", "day 1", "day 2"] == [
        f"day {e.day_number}" if e.day_number is not None else e.kind for e in view.days
    ]
    assert () == view.notes


def test_as_of_before_a_recompute_of_an_action_was_recorded_the_note_says_so_as_a_clocks_does(
    unit: UnitFactory,
) -> None:
    # Fri 4 Dec 2026 16:30, due at the close of Tue 8 Dec; at 16:45 Mon 7 Dec becomes a
    # closure, and the due Wed 9 Dec. As of 16:40 the recompute was not yet on record.
    ref, action = action_then_a_closure(unit)

    view = explain(unit, ref, action=action, as_of=t("2026-12-04T16:40"))

    assert (t("2026-12-08T17:00"), t("2026-12-09T17:00")) == (view.due, view.rule_due)
    assert ["deadline-recomputed"] == [c.action for c in view.changes]
    assert (
        "as of Fri 2026-12-04 16:40 GMT the due was Tue 2026-12-08 17:00 GMT: the calendar "
        "recompute recorded after then (below) was not yet on record",
    ) == view.notes


def test_an_action_moved_to_the_moment_of_a_calendar_change_says_so(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    action = add_action(unit, ref, t("2026-12-04T16:30"), within="2d")  # due Tue 8 Dec 17:00
    with freeze_time(t("2026-12-04T16:45")), unit() as uow:
        services.add_closure(uow, day=date(2026, 12, 7), reason="Office move", by="sam.senior",
                             at=t("2026-12-04T16:45"), now=t("2026-12-04T16:45"))  # fmt: skip
    # Taken back on Wed 9 Dec: the rule's Tuesday has passed, so the due is the change itself.
    with freeze_time(t("2026-12-09T10:00")), unit() as uow:
        services.remove_closure(
            uow, day=date(2026, 12, 7), by="sam.senior", at=t("2026-12-09T10:00"),
            now=t("2026-12-09T10:00"), retroactive=services.Retroactive(reason="Added in error"),
        )  # fmt: skip

    view = explain(unit, ref, action=action, as_of=t("2026-12-09T10:05"))

    assert (t("2026-12-09T10:00"), t("2026-12-08T17:00")) == (view.due, view.rule_due)
    assert 2 == len(view.changes)
    assert (
        "the calendar has changed since: on today's calendar it would be Tue 2026-12-08 17:00 "
        "GMT, but Wed 2026-12-09 10:00 GMT applies (it had passed when the calendar changed, "
        "and no due moves to before a change)",
    ) == view.notes


def test_an_action_due_within_hours_counts_the_working_hours(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    action = add_action(unit, ref, t("2026-12-04T15:00"), within="4h")

    view = explain(unit, ref, "action", as_of=t("2026-12-08T12:00"))

    assert (4, "working-hours", t("2026-12-07T11:00")) == (view.amount, view.unit, view.due)
    assert [("2026-12-04", COUNTED), ("2026-12-05", SKIPPED), ("2026-12-06", SKIPPED),
            ("2026-12-07", COUNTED)] == [(d, k) for d, k, _ in days(view)]  # fmt: skip
    assert (BREACHED, None) == (view.status.state, view.status.on_time)
    assert action == (view.action or (0,))[0]


@pytest.mark.parametrize(("within", "minutes"), [("90m", 90), ("2h30m", 150), ("45m", 45)])
def test_an_action_due_within_minutes_is_described_as_given_and_counted_day_by_day(
    unit: UnitFactory, within: str, minutes: int
) -> None:
    # Not "0 working-days" and a note: the period as typed, counted as hours are.
    ref = to_first_stage(unit)
    add_action(unit, ref, t("2026-12-04T16:30"), within=within)

    view = explain(unit, ref, "action", as_of=t("2026-12-04T16:30"))

    due = t("2026-12-04T16:30") + timedelta(minutes=minutes)
    due = due if minutes <= 30 else t("2026-12-07T09:00") + timedelta(minutes=minutes - 30)
    assert (minutes, "working-minutes", due, due, []) == (
        view.amount, view.unit, view.due, view.rule_due, list(view.notes),
    )  # fmt: skip
    assert ("2026-12-04", COUNTED) == days(view)[0][:2]
    assert due == view.days[-1].stretches[-1][1]


def test_an_action_due_at_a_date_set_by_hand_says_so_and_when_it_is_outside_working_hours(
    unit: UnitFactory,
) -> None:
    ref = to_first_stage(unit)
    action = add_action(unit, ref, t("2026-12-01T10:00"), due=t("2026-12-12T12:00"))

    view = explain(unit, ref, "action", as_of=t("2026-12-10T12:00"))

    assert (action, "due date set by officer.one", 0, "agreed", ()) == (
        (view.action or (0,))[0], view.rule, view.amount, view.unit, view.days,
    )  # fmt: skip
    assert t("2026-12-12T12:00") == view.due == view.rule_due
    assert (
        "due date set by officer.one: a date set by hand, not counted in working time",
        "Sat 2026-12-12 12:00 GMT is outside working hours: weekend (no opening hours on "
        "Saturdays)",
    ) == view.notes
    assert RUNNING == view.status.state


def test_a_goodwill_payments_action_is_explained_by_its_rule(unit: UnitFactory) -> None:
    ref = to_final(unit)  # its pay action opened Mon 4 Jan 2027 10:00

    view = explain(unit, ref, "action", as_of=t("2027-01-05T10:00"))

    assert ("10 working days after the action was opened", 10, "working-days") == (
        view.rule, view.amount, view.unit,
    )  # fmt: skip
    assert t("2027-01-18T17:00") == view.due == view.rule_due
    assert "action" in view.kinds
    assert 10 == view.days[-1].day_number


def test_explaining_an_action_is_refused(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)
    with pytest.raises(NotFound, match=f"{ref} has no action deadline; the deadlines it has"):
        explain(unit, ref, "action")
    first = add_action(unit, ref, t("2026-12-01T10:00"), within="2d")
    second = add_action(unit, ref, t("2026-12-01T11:00"), within="3d")
    other = to_first_stage(unit)
    elsewhere = add_action(unit, other, t("2026-12-01T10:00"), within="2d")

    with pytest.raises(
        InvalidInput,
        match=rf"^{ref} has 2 actions: say which with --action ID \({first}, {second}\)$",
    ):
        explain(unit, ref, "action")
    with pytest.raises(NotFound, match=rf"{ref} has no action {elsewhere}; its actions: {first}, "):
        explain(unit, ref, action=elsewhere)
    with pytest.raises(NotFound, match=f"{ref} has no action 999"):
        explain(unit, ref, "action", action=999)
    with pytest.raises(InvalidInput, match="explains an action's due, not a respond deadline"):
        explain(unit, ref, "respond", action=first)
    with pytest.raises(InvalidInput, match="explains an action's due, not an acknowledge dead"):
        explain(unit, ref, "acknowledge", action=first)
    assert second == (explain(unit, ref, action=second).action or (0,))[0]
    # As of 10:30 only the first had been opened: no need to say which.
    assert first == (explain(unit, ref, "action", as_of=t("2026-12-01T10:30")).action or (0,))[0]


def test_before_a_reopen_that_moved_the_due_the_note_says_the_close_kept_it(
    unit: UnitFactory,
) -> None:
    # Acknowledged Tue 1 Dec 10:00: the response was due Fri 4 Dec 10:00. Closed Wed 10:00,
    # Thu 3 Dec closed at 11:00 (no clock of a closed case moves), reopened at 15:00: the clock
    # runs again to Mon 7 Dec 10:00. Before the reopen it was running, then stopped by the
    # close, never met nor breached.
    ref = to_first_stage(unit)
    withdraw(unit, ref, t("2026-12-02T10:00"))
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=t("2026-12-02T11:00"))  # fmt: skip
    act(unit, services.reopen, ref=ref, reason="Mistake", by="sam.senior", at=t("2026-12-02T15:00"))

    note = (
        "the calendar has changed since: on today's calendar the rule gives Mon 2026-12-07 "
        "10:00 GMT, but Fri 2026-12-04 10:00 GMT applied (the case's close stopped the clock "
        "before the calendar changed, and a change moves no clock of a closed case; the reopen "
        "of Wed 2026-12-02 15:00 GMT ran it again to Mon 2026-12-07 10:00 GMT)"
    )
    for as_of in ("2026-12-02T09:00", "2026-12-02T12:00"):
        view = explain(unit, ref, "respond", as_of=t(as_of))
        assert (t("2026-12-04T10:00"), (note,)) == (view.due, view.notes)
    reopened = explain(unit, ref, "respond", as_of=t("2026-12-02T16:00"))
    assert (t("2026-12-07T10:00"), ()) == (reopened.due, reopened.notes)


def test_the_queue_as_of_before_the_known_bank_holidays_says_its_deadlines_may_be_early(
    unit: UnitFactory,
) -> None:
    """Every deadline counted on the calendar and running at a time before the known bank
    holidays was counted from before them: the queue as of then says it may be early by a
    holiday, as `show` of the case does."""
    ref = log(unit, t("2020-12-30T10:00"))
    as_of = t("2020-12-31T12:00")
    with unit(write=False) as uow:
        listed = services.queue(uow, as_of=as_of, as_recorded=True)
        shown = services.show_case(uow, ref=ref, as_of=as_of, as_recorded=True)
    assert [ref] == [item.ref for item in listed.items]
    assert shown.warnings
    assert "may be early by a holiday" in shown.warnings[0]
    assert listed.warnings == shown.warnings


def test_show_as_of_a_case_whose_action_lost_its_clock_is_shown_not_a_traceback(
    unit: UnitFactory,
) -> None:
    """A store damaged by hand (an action's clock row deleted): `show --as-of` shows the case
    as plain `show` does; `db verify` names the damage."""
    ref = _action_without_its_clock(unit, due=t("2032-03-01T12:00"))
    with unit(write=False) as uow:
        now = services.show_case(uow, ref=ref, as_of=t("2026-12-03T12:00"))
        then = services.show_case(uow, ref=ref, as_of=t("2026-12-03T12:00"), as_recorded=True)
    assert [a.id for a in now.actions] == [a.id for a in then.actions]


def test_explain_of_an_action_that_lost_its_clock_says_the_store_is_damaged(
    unit: UnitFactory,
) -> None:
    ref = _action_without_its_clock(unit, due=t("2027-03-01T12:00"))
    with pytest.raises(StoreDamaged, match=f"is damaged: action 1 of {ref} has no deadline"):
        explain(unit, ref, action=1, as_of=t("2026-12-03T12:00"))


def _action_without_its_clock(unit: UnitFactory, *, due: datetime) -> str:
    """A case with action 1, due `due`, whose clock row was then deleted by hand."""
    ref = log(unit, t("2026-12-01T10:00"))
    acknowledge(unit, ref, t("2026-12-01T11:00"))
    act(unit, services.add_action, ref=ref, kind=ActionKind.IMPROVEMENT, what="Fix the form",
        owner="officer.one", due=due, within=None, by="officer.one",
        at=t("2026-12-02T12:00"))  # fmt: skip
    with unit() as uow:
        for clock in uow.action_clocks(uow.action(1)):
            uow.session.delete(clock)
        uow.commit()
    return ref
