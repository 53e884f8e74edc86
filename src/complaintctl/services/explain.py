"""Why a case's deadline falls where it does: the rule, the calendar, each day, each change.

Read-only: nothing here writes. The day-by-day walk is the pure core's
(`domain.explain.explain_days`), on the calendar the store holds now; the due shown is the one
stored, and where the two differ (the calendar changed after the deadline was met or breached,
or while the case's close had stopped it, which keeps its value) the view says so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from complaintctl.domain import clocks, policy
from complaintctl.domain.calendar import WEEKDAY_NAMES, WorkingCalendar, format_due
from complaintctl.domain.chain import unmarked
from complaintctl.domain.clocks import CLOCKS, DeadlineKind, rule_of, started_by
from complaintctl.domain.explain import WORKING_MINUTES, DayEntry, explain_days, outside_hours
from complaintctl.domain.instants import format_duration, format_local
from complaintctl.domain.policy import typed_within
from complaintctl.domain.procedure import Action
from complaintctl.errors import InvalidInput, NotFound
from complaintctl.services.clocks import (
    SetThen,
    action_due_as_recorded,
    clock_as_recorded,
    clocks_on_record,
    due_as_recorded,
)
from complaintctl.services.common import (
    EVERY_ENTRY,
    SetClock,
    clocks_coverage,
    event_views,
    find_case,
)
from complaintctl.services.reads import working_duration
from complaintctl.views import (
    BREACHED,
    MET,
    NOT_STARTED,
    RUNNING,
    STOPPED,
    CalendarUsed,
    DueChange,
    EventView,
    ExplainStatus,
    ExplainView,
)

if TYPE_CHECKING:
    from complaintctl.store.models import Case, CaseAction, Deadline, Event
    from complaintctl.store.uow import UnitOfWork


def explain_deadline(
    uow: UnitOfWork,
    *,
    ref: str,
    kind: str | None,
    as_of: datetime,
    action: int | None = None,
    as_recorded: bool = True,
) -> ExplainView:
    """Explain one of the case's deadlines: by default the one running at `as_of`, else the
    latest to have started by then; or the due of one of its actions (kind `action`, which
    `action` chooses among several)."""
    case = find_case(uow, ref)
    # A time asked for (--as-of): the case as its history recorded by then had it, as
    # `show --as-of` gives it; now, every entry, whatever the recording machine's clock said.
    recorded_by = as_of if as_recorded else EVERY_ENTRY
    deadlines = list(uow.deadlines(case))
    history = list(uow.history(case))
    events = event_views(history)
    # The clocks as the history recorded by `as_of` had them, as `show --as-of` gives them
    # beside the stage (`clocks_on_record`): a clock whose starting step was recorded since
    # had not started, and one whose ending step was recorded since still ran.
    # Now (no --as-of): by their dates, as `show` gives them, so that a step a machine whose
    # clock ran ahead dated after now is not yet taken.
    on_record = (
        {id(d): ended for d, ended in clocks_on_record(deadlines, events, recorded_by)}
        if as_recorded
        else {
            id(d): d.ended_at is not None and d.ended_at <= as_of
            for d in deadlines
            if d.start_at <= as_of
        }
    )
    # A clock a reopen ran again runs from the reopen, never beside the one the close
    # cancelled, as `show --as-of` and `overdue --as-of` replay it.
    if any(e.action == Action.REOPEN.value for e in history):
        from complaintctl.store import listings

        assert case.id is not None
        restarted = listings.clocks_restarted_later(uow, [case.id], as_of)
        deadlines = [d for d in deadlines if d.id not in restarted]
    # As of `as_of`, as a deadline is chosen: the actions whose opening was recorded by then,
    # as `show --as-of` lists them (services/common.open_actions).
    opened = _recorded_ids(events, Action.ACTION_OPENED, recorded_by)
    actions = [a for a in uow.actions_of(case, open_only=False) if a.id in opened]
    kinds = tuple(dict.fromkeys(d.kind for d in deadlines))
    if actions:
        kinds += (DeadlineKind.ACTION.value,)
    if action is not None or kind == DeadlineKind.ACTION:
        return _explain_action(uow, case, kinds, actions, kind, action, as_of, events, recorded_by)
    deadline = _choose(deadlines, kind, on_record)
    if deadline is None:
        wanted = f"{kind} deadline" if kind else "deadline"
        has = ", ".join(kinds) if kinds else "none"
        raise NotFound(f"{case.ref} has no {wanted}; the deadlines it has: {has}")

    calendar = uow.calendar()
    changes = _changes(events, deadline.kind)
    target = _target(deadline)
    rule_due = policy.due_after(target, calendar, deadline.start_at)
    starter = _starter(history, deadline)

    notes: list[str] = []
    tz = calendar.tz
    if target.unit == "months":
        notes.append(_months_note(calendar, deadline.start_at, target.amount, rule_due))
    # What the rule gave before any agreed date replaced it.
    ruled = next((c.old_due for c in changes if c.action == Action.EXTEND.value), deadline.due_at)
    if ruled != rule_due:
        # One whose new due had passed by the change was moved to the change itself.
        last = changes[-1] if changes else None
        clamped = (
            last is not None
            and last.action == Action.RECOMPUTE.value
            and last.new_due == ruled
            and rule_due < last.new_due == last.at
        )
        if clamped:
            kept = "it had passed when the calendar changed, and no due moves to before a change"
        elif _closed_before_due(deadline, ruled):
            kept = _kept_by_close(deadline, ruled, events, calendar)
        elif (
            deadline.kind == DeadlineKind.REFERRAL_WINDOW
            and ruled > rule_due
            and deadline.ended_at is None  # a window met (referred) kept its due for that
        ):
            # services/calendar._recompute: a zone change never cuts the window short.
            kept = (
                "the final response told the consumer they could refer until then, and their "
                "window is never cut short of that"
            )
        else:
            kept = "a deadline already met or breached keeps its value"
        notes.append(
            f"the calendar has changed since: on today's calendar the rule gives "
            f"{format_due(rule_due, tz, calendar)}, but {format_due(ruled, tz, calendar)} "
            f"applied ({kept})"
        )
    # As `show --as-of` gives it: the due as the history recorded by `as_of` had it, an
    # extension or recompute recorded since undone (still listed among the changes).
    due, _ = due_as_recorded(deadline, events, recorded_by)
    recorded = [e for e in events if e.recorded_at <= recorded_by]
    extended = any(c.action == Action.EXTEND.value for c in _changes(recorded, deadline.kind))
    if due != deadline.due_at:
        notes.append(_not_yet_on_record(events, recorded_by, as_of, due, calendar, deadline.kind))

    if as_recorded and not any(e.recorded_at <= as_of for e in events):
        # As `show --as-of` warns of it (services/reads.show_case).
        typed = min(e.recorded_at for e in events)
        notes.append(
            f"{case.ref} was not yet on record as of {format_local(as_of, tz)}: it was "
            f"recorded {format_local(typed, tz)}"
        )
    return _view(
        uow,
        case.ref,
        deadline,
        kinds=kinds,
        rule=target.describe(),
        target=target,
        starter=(starter.action, starter.actor) if starter else None,
        rule_due=rule_due,
        days=explain_days(calendar, deadline.start_at, target),
        changes=changes,
        notes=notes,
        as_of=as_of,
        due=due,
        extended=extended,
        on_record=id(deadline) in on_record,
        ended_on_record=on_record.get(id(deadline), False),
        set_then=clock_as_recorded(deadline, events, recorded_by),
    )


# The rule an action opened `--within` a working time records (services/lessons.add_action).
def _explain_action(
    uow: UnitOfWork,
    case: Case,
    kinds: tuple[str, ...],
    actions: list[CaseAction],
    kind: str | None,
    action_id: int | None,
    as_of: datetime,
    events: Sequence[EventView],
    recorded_by: datetime,
) -> ExplainView:
    """An action's due: the working days (and time) counted from its opening, or the date a
    person set; and whether it was done by then, as the history recorded by then had it (its
    doing recorded since: still open), with its due then (`action_due_as_recorded`)."""
    if kind not in (None, DeadlineKind.ACTION):
        article = "an" if kind.startswith("a") else "a"
        raise InvalidInput(f"--action ID explains an action's due, not {article} {kind} deadline")
    ids = ", ".join(str(row.id) for row in actions) or "none"
    if action_id is None:
        if not actions:
            raise NotFound(
                f"{case.ref} has no action deadline; the deadlines it has: "
                f"{', '.join(kinds) or 'none'}"
            )
        if len(actions) > 1:
            raise InvalidInput(
                f"{case.ref} has {len(actions)} actions: say which with --action ID ({ids})"
            )
    row = next((r for r in actions if action_id in (None, r.id)), None)
    if row is None:
        raise NotFound(f"{case.ref} has no action {action_id}; its actions: {ids}")
    action_clocks = uow.action_clocks(row)
    if not action_clocks:
        from complaintctl.store.types import MissingRow

        raise MissingRow(f"action {row.id} of {case.ref} has no deadline")
    deadline = action_clocks[-1]
    calendar = uow.calendar()
    tz = calendar.tz
    history = list(uow.history(case))
    opened = next(
        (
            e
            for e in history
            if e.action == Action.ACTION_OPENED.value and json.loads(e.details).get("id") == row.id
        ),
        None,
    )
    target, rule_due = _target(deadline), deadline.due_at
    days: tuple[DayEntry, ...] = ()
    notes: list[str] = []
    amount: timedelta | None = None
    if deadline.unit == policy.WITHIN:
        amount = timedelta(minutes=deadline.amount)
    elif deadline.unit == clocks.AGREED and (within := typed_within(deadline.rule)):
        # Opened before `--within` was kept as working minutes: read back from its words to
        # explain it, its due recorded as a date that stands (services/calendar._recompute).
        amount = working_duration(uow, within, "--within", typed=False)
        notes.append(
            f"{deadline.rule}: opened before --within was kept as working time, its due was "
            "recorded as a date, which a calendar change does not move"
        )
    if amount is not None:
        whole, rest = divmod(amount, calendar.working_day())
        rule_due = policy.due_within(calendar, deadline.start_at, amount)
        if policy.within_capped(calendar, deadline.start_at, amount):
            # What is left would run past the next day's close (a day shorter than a d):
            # due at that close, counted as one more working day.
            since = f"the close of day {whole}" if whole else "its opening"
            notes.append(
                f"{format_duration(rest, days=False)} of working time after {since} would run "
                f"past the close of day {whole + 1}, a day shorter than the longest "
                f"({format_duration(calendar.working_day(), days=False)}, what a d of working "
                f"time is): due at that close, {format_due(rule_due, tz, calendar)}"
            )
            target = policy.Target(whole + 1, "working-days", target.after)
            rest = timedelta(0)
        elif whole:
            target = policy.Target(whole, "working-days", target.after)
        elif rest % timedelta(hours=1):
            target = policy.Target(rest // timedelta(minutes=1), WORKING_MINUTES, target.after)
            rest = timedelta(0)
        else:
            target = policy.Target(rest // timedelta(hours=1), "working-hours", target.after)
            rest = timedelta(0)
        if target.amount:
            days = explain_days(calendar, deadline.start_at, target)
        if rest:
            since = f"the close of day {whole}" if whole else "its opening"
            notes.append(
                f"then {format_duration(rest, days=False)} of working time after {since}: "
                f"due {format_due(rule_due, tz, calendar)}"
            )
    elif deadline.unit == clocks.AGREED:
        target = policy.Target(0, clocks.AGREED, target.after)
        notes.append(f"{deadline.rule}: a date set by hand, not counted in working time")
        outside = outside_hours(calendar, deadline.due_at)
        if outside:
            notes.append(
                f"{format_due(deadline.due_at, tz, calendar)} is outside working hours: {outside}"
            )
    else:
        rule_due = policy.due_after(target, calendar, deadline.start_at)
        days = explain_days(calendar, deadline.start_at, target)
    changes = _changes(event_views(history), DeadlineKind.ACTION.value, row.id)
    # As `show --as-of` gives it: the due as the history recorded by `as_of` had it.
    due = action_due_as_recorded(row.id or 0, deadline.due_at, events, recorded_by)
    if rule_due != deadline.due_at:
        # A --within counted as working minutes moves with the calendar while open; one
        # opened before that, or one already done or breached, keeps its value; one whose
        # new due had passed by the change was moved to the change itself.
        last = changes[-1] if changes else None
        if deadline.unit != policy.WITHIN:
            kept = "an action's due stays where it was set"
        elif last and last.new_due == deadline.due_at and rule_due < last.new_due == last.at:
            kept = "it had passed when the calendar changed, and no due moves to before a change"
        else:
            kept = "an action done or already breached keeps its value"
        notes.append(
            f"the calendar has changed since: on today's calendar it would be "
            f"{format_due(rule_due, tz, calendar)}, but "
            f"{format_due(deadline.due_at, tz, calendar)} applies "
            f"({kept})"
        )
    if due != deadline.due_at:
        notes.append(
            _not_yet_on_record(events, recorded_by, as_of, due, calendar, deadline.kind, row.id)
        )
    return _view(
        uow,
        case.ref,
        deadline,
        kinds=kinds,
        rule=deadline.rule,
        target=target,
        starter=(opened.action, opened.actor) if opened else None,
        rule_due=rule_due,
        days=days,
        changes=changes,
        notes=notes,
        as_of=as_of,
        action=(row.id, row.kind) if row.id is not None else None,
        due=due,
        extended=any(c.action == Action.EXTEND.value for c in changes),
        ended_on_record=row.id in _recorded_ids(events, Action.ACTION_DONE, recorded_by),
    )


def _not_yet_on_record(
    events: Sequence[EventView],
    recorded_by: datetime,
    as_of: datetime,
    due: datetime,
    calendar: WorkingCalendar,
    kind: str,
    action_id: int | None = None,
) -> str:
    """The note that the due as of `as_of` was `due`, the moves of it recorded since (an
    extension, a calendar recompute: listed below it) not yet on record, for a case's clock
    or (`action_id`) an action's alike."""
    later = _changes([e for e in events if e.recorded_at > recorded_by], kind, action_id)
    counted = Counter(
        "extension" if c.action == Action.EXTEND.value else "calendar recompute" for c in later
    )
    what = " and ".join(f"{kind}{'' if n == 1 else 's'}" for kind, n in counted.items())
    tz = calendar.tz
    return (
        f"as of {format_local(as_of, tz)} the due was {format_due(due, tz, calendar)}: "
        f"the {what} "
        f"recorded after then (below) {'was' if len(later) == 1 else 'were'} not yet on "
        "record"
    )


def _recorded_ids(events: Sequence[EventView], action: Action, recorded_by: datetime) -> set[int]:
    """The ids of the actions whose `action` entry (opened, done) was recorded by then."""
    return {
        int(e.details["id"])
        for e in events
        if e.action == action.value and e.recorded_at <= recorded_by and "id" in e.details
    }


def _view(
    uow: UnitOfWork,
    ref: str,
    deadline: Deadline,
    *,
    kinds: tuple[str, ...],
    rule: str,
    target: policy.Target,
    starter: tuple[str, str] | None,
    rule_due: datetime,
    days: tuple[DayEntry, ...],
    changes: tuple[DueChange, ...],
    notes: list[str],
    as_of: datetime,
    due: datetime,
    extended: bool,
    action: tuple[int, str] | None = None,
    on_record: bool = True,
    ended_on_record: bool = True,
    set_then: SetClock | None = None,
) -> ExplainView:
    """The view of `deadline`, warned of as it was set as of then (`set_then`: by default, an
    action's clock as it is set, its due then)."""
    calendar = uow.calendar()
    setting = uow.calendar_setting()
    set_as_date = target.unit == clocks.AGREED or (
        action is not None and deadline.unit == clocks.AGREED
    )
    return ExplainView(
        zone=calendar.zone,
        as_of=as_of,
        ref=ref,
        kind=deadline.kind,
        kinds=kinds,
        rule=rule,
        amount=target.amount,
        unit=target.unit,
        start=deadline.start_at,
        started_by=starter[0] if starter else None,
        started_by_actor=starter[1] if starter else None,
        rule_due=rule_due,
        due=due,
        extended=extended,
        action=action,
        working_day=calendar.working_day(),
        working_calendar=calendar,
        calendar=CalendarUsed(
            zone=calendar.zone,
            week=tuple(
                (name, ", ".join(map(str, hours)) if hours else "closed")
                for name, hours in zip(WEEKDAY_NAMES, calendar.week, strict=True)
            ),
            holiday_region=setting.holiday_region,
            holidays_source=setting.holidays_source,
            known_from=setting.holidays_from,
            known_through=setting.holidays_through,
        ),
        days=days,
        changes=changes,
        status=_status(
            deadline,
            due,
            target,
            as_of,
            calendar,
            on_record=on_record,
            ended_on_record=ended_on_record,
        ),
        notes=tuple(notes),
        # A date agreed (or set by hand) is not counted on the calendar: it stands. The rule's
        # due is counted, but for an action's due recorded as a date (set by hand, or a
        # --within from before it was kept as working time), which no rule moves: as listed.
        warnings=clocks_coverage(
            calendar,
            (set_then or SetThen(deadline.start_at, due, deadline.unit),),
            *(() if set_as_date else (deadline.start_at, rule_due)),
        ),
    )


def _choose(
    deadlines: list[Deadline], kind: str | None, on_record: dict[int, bool]
) -> Deadline | None:
    """Of `kind`, the latest started by then, else the latest; by default the one running
    then, else the latest started by then, else the latest. Started and running as the
    history recorded by then had them (`on_record`: whether each clock on record had ended)."""
    started = [d for d in deadlines if id(d) in on_record]
    if kind is not None:
        latest = (*reversed(started), *reversed(deadlines))
        return next((d for d in latest if d.kind == kind), None)
    running = [d for d in started if not on_record[id(d)]]
    for candidates in (running, started, deadlines):
        if candidates:
            return candidates[-1]
    return None


def _closed_before_due(deadline: Deadline, due: datetime) -> bool:
    """Whether a close cancelled the clock before its due: a calendar change that gives it
    another due came while the case was closed (one while it ran would have moved it)."""
    return (
        deadline.outcome == clocks.CANCELLED
        and deadline.ended_at is not None
        and deadline.ended_at <= due
    )


def _kept_by_close(
    deadline: Deadline, due: datetime, events: Sequence[EventView], calendar: WorkingCalendar
) -> str:
    """Why a clock a close cancelled kept its due, and the due a reopen that moved it ran it
    again to (services/steps.py, `Reopen`)."""
    why = (
        "the case's close stopped the clock before the calendar changed, and a change moves no "
        "clock of a closed case"
    )
    assert deadline.ended_at is not None
    for e in events:
        when_closed = e.details.get(f"{deadline.kind}_due_when_closed")
        again = e.details.get(f"{deadline.kind}_due")
        if (
            e.action == Action.REOPEN.value
            and e.at >= deadline.ended_at
            and isinstance(when_closed, str)
            and isinstance(again, str)
            and datetime.fromisoformat(when_closed) == due
        ):
            moved = datetime.fromisoformat(again)
            return (
                f"{why}; the reopen of {format_local(e.at, calendar.tz)} ran it again to "
                f"{format_due(moved, calendar.tz, calendar)}"
            )
    return why


def _target(deadline: Deadline) -> policy.Target:
    """The rule the clock started under: after an extension (unit `agreed`), the policy's rule
    for that kind of clock, which the agreed date replaced."""
    if deadline.unit in policy.WORKING_UNITS or deadline.unit == "months":
        after = rule_of(deadline.kind).after if deadline.kind in CLOCKS else "the start"
        return policy.Target(deadline.amount, deadline.unit, after)
    return rule_of(deadline.kind)


def _starter(history: list[Event], deadline: Deadline) -> Event | None:
    action = started_by(deadline.kind)
    steps = [e for e in history if e.action == action]
    return next((e for e in steps if e.at == deadline.start_at), steps[0] if steps else None)


def _changes(
    history: Sequence[EventView], kind: str, action_id: int | None = None
) -> tuple[DueChange, ...]:
    """The extensions and recomputes of the case's clock of `kind` (of action `action_id`'s,
    for an action's)."""
    changes = []
    for event in history:
        if event.action not in (Action.EXTEND.value, Action.RECOMPUTE.value):
            continue
        details: dict[str, Any] = event.details
        if details.get("kind") != kind or details.get("action_id") != action_id:
            continue
        changes.append(
            DueChange(
                action=event.action,
                by=event.actor,
                at=event.at,
                old_due=datetime.fromisoformat(details["old_due"]),
                new_due=datetime.fromisoformat(details["new_due"]),
                reason=str(unmarked(details.get("reason")) or ""),
                retroactive=unmarked(details.get("retroactive")),
            )
        )
    return tuple(changes)


def _months_note(calendar: WorkingCalendar, start: datetime, months: int, due: datetime) -> str:
    tz = calendar.tz
    local_start, local_due = start.astimezone(tz), due.astimezone(tz)
    note = (
        f"{format_local(start, tz)} + {months} calendar months, same wall-clock time: "
        f"{format_local(due, tz)}"
    )
    if local_due.day != local_start.day:
        note += (
            f" (day {local_start.day} does not exist in {local_due:%B %Y}: the last day of "
            "that month)"
        )
    if local_due.time() != local_start.time():
        # A wall-clock time the clocks skip that day: the same instant, read an hour on.
        note += (
            f" ({local_start:%H:%M} does not exist on {local_due:%a %Y-%m-%d}: the clocks go "
            f"forward then, so {local_due:%H:%M})"
        )
    return note


def _whole_minutes_gone(amount: timedelta) -> timedelta:
    return amount - amount % timedelta(minutes=1)


def _status(
    deadline: Deadline,
    due: datetime,
    target: policy.Target,
    as_of: datetime,
    calendar: WorkingCalendar,
    *,
    on_record: bool = True,
    ended_on_record: bool = True,
) -> ExplainStatus:
    """The clock as of `as_of`, against `due` (its due as recorded by then): not started
    unless its start was on record then, and running unless its end was (`clocks_on_record`)."""
    ended = deadline.ended_at if deadline.ended_at and deadline.ended_at <= as_of else None
    if not ended_on_record:
        ended = None
    zero = timedelta(0)
    # Counted up to when it stopped, or to `as_of`; one not started (its start to come, or
    # its starting step not yet on record) has nothing used or late.
    stopped = max(ended or as_of, deadline.start_at)
    if as_of < deadline.start_at or not on_record:
        state, ended, stopped = NOT_STARTED, None, deadline.start_at
    elif ended is not None:
        state = MET if deadline.outcome == clocks.MET else STOPPED
    else:
        state = BREACHED if as_of > due else RUNNING
    working = target.unit != "months"

    def in_working_time(amount: timedelta) -> timedelta | None:
        return amount if working else None

    return ExplainStatus(
        state=state,
        ended_at=ended,
        on_time=None if ended is None else ended <= due,
        # Whole minutes gone: time left is shown rounded up (never "0m" while it runs), so
        # used, rounded down, adds up with it to the time there was.
        working_used=in_working_time(
            _whole_minutes_gone(calendar.working_time_between(deadline.start_at, stopped))
        ),
        working_left=in_working_time(
            calendar.working_time_between(stopped, due) if stopped <= due else zero
        ),
        working_late=in_working_time(
            calendar.working_time_between(due, stopped) if stopped > due else zero
        ),
        calendar_left=max(due - stopped, zero),
        calendar_late=max(stopped - due, zero),
    )
