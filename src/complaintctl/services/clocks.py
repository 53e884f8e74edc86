"""The clocks of cases and restrictions, as the domain's tables say each step moves them."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.domain.chain import unmarked
from complaintctl.domain.clocks import (
    AGREED,
    STEP_CLOCKS,
    Agreed,
    ClockPlan,
    Running,
    plan_clocks,
    rule_of,
)
from complaintctl.domain.procedure import Action
from complaintctl.views import DeadlineView, EventView

if TYPE_CHECKING:
    from complaintctl.store.models import Case, CaseAction, Restriction
    from complaintctl.store.uow import UnitOfWork


def step_clocks(
    uow: UnitOfWork,
    action: Action,
    at: datetime,
    *,
    now: datetime,
    case: Case | None = None,
    restriction: Restriction | None = None,
    agreed: Agreed | None = None,
    action_row: CaseAction | None = None,
) -> ClockPlan:
    """The clocks of a case or restriction loaded as rows, moved as `action` does
    (domain.clocks.plan_clocks): for a command that changes one through the ORM (log, and a
    restriction's decision, review and lifting). Steps on cases plan theirs the same way."""
    from complaintctl.store.models import Deadline

    if action_row is not None:
        rows = uow.action_clocks(action_row)
    elif case is not None:
        rows = uow.deadlines(case)
    else:
        assert restriction is not None
        rows = uow.restriction_clocks(restriction)
    rows = [row for row in rows if row.ended_at is None]
    # A clock this same command started has been on record nowhere yet: its id stays None.
    running = [
        Running(None if id(row) in uow.clocks_started_here else row.id, row.kind, row.start_at,
                row.due_at)
        for row in rows
    ]  # fmt: skip
    plan = plan_clocks(action, running, at, now, uow.calendar(), agreed=agreed)
    for clock, ended, outcome in plan.ends:
        row = next(row for row, seen in zip(rows, running, strict=True) if seen is clock)
        uow.end_deadline(row, at=ended, outcome=outcome)
    for start in plan.starts:
        new = Deadline(
            # An action's clock is the action's alone: a close of its case leaves it owed.
            case_id=case.id if case and action_row is None else None,
            restriction_id=restriction.id if restriction else None,
            action_id=action_row.id if action_row else None,
            kind=start.kind.value,
            start_at=start.start_at,
            due_at=start.due_at,
            amount=start.amount,
            unit=start.unit,
            rule=start.rule,
        )
        uow.add(new)
        uow.clocks_started_here[id(new)] = new  # never on record before this command
    return plan


class ViewedClock(Protocol):
    """What a clock's view reads of it: a Deadline row, or a bulk read's row."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def start_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def unit(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def outcome(self) -> str | None: ...


C = TypeVar("C", bound=ViewedClock)


def clocks_on_record(
    clocks: Iterable[C], history: Sequence[EventView], recorded_by: datetime
) -> list[tuple[C, bool]]:
    """The case's clocks as the history recorded by `recorded_by` had them, as
    domain/figures.replay counts entries (a replay with --as-of): each clock that a step
    recorded by then started (STEP_CLOCKS' `starts`, or the reopen that ran it again), in id
    order, with whether the step that ended it (one that `meets` it, or the close that
    cancelled it) was recorded by then too. A step counts once it is recorded, whatever its
    date, as the stage, the responses and the history shown beside the clocks do: a clock
    started by a step dated back is not there before it was recorded, and one met or
    cancelled by such a step still runs until then. `history` is in the order it was
    recorded (by id), as each kind's rows were made."""
    clocks_listed = list(clocks)
    waiting: dict[str, deque[C]] = {}
    for clock in clocks_listed:
        waiting.setdefault(clock.kind, deque()).append(clock)
    running: dict[str, C] = {}
    # Each clock started on record, by its place in `clocks`' order: whether it ended then.
    on_record: dict[int, tuple[C, bool]] = {}
    order = {id(clock): n for n, clock in enumerate(clocks_listed)}
    cancelled: list[str] = []

    def start(kind: str) -> None:
        rows = waiting.get(kind)
        if rows:
            running[kind] = clock = rows.popleft()
            on_record[order[id(clock)]] = (clock, False)

    def end(clock: C) -> None:
        on_record[order[id(clock)]] = (clock, True)

    for entry in history:
        if entry.recorded_at > recorded_by:
            continue
        try:
            step = STEP_CLOCKS[Action(entry.action)]
        except (ValueError, KeyError):
            continue
        for kind in step.meets:
            if (met := running.pop(kind.value, None)) is not None:
                end(met)
        if step.cancels_all:
            cancelled = list(running)
            for clock in running.values():
                end(clock)
            running.clear()
        if entry.action == Action.REOPEN.value:
            again = entry.details.get("restarted")
            for kind_name in again if isinstance(again, list) else cancelled:
                start(str(kind_name))
            cancelled = []
        for kind in step.starts:
            start(kind.value)
    return [on_record[n] for n in sorted(on_record)]


def deadline_view(
    deadline: ViewedClock,
    as_of: datetime,
    calendar: WorkingCalendar,
    *,
    history: Sequence[EventView] = (),
    recorded_by: datetime | None = None,
    ended_on_record: bool = True,
) -> DeadlineView:
    """The clock as of `as_of`, its time left and late counted as `explain` counts them: from
    when it stopped (or `as_of` while it runs) to due, so a clock met early has time to spare.
    With the case's `history` and `recorded_by`, its due and rule as recorded by then
    (`due_as_recorded`); not `ended_on_record`, still running then (`clocks_on_record`)."""
    # A clock that ended after `as_of` was still running then (a replay with --as-of), as
    # was one whose end was recorded after `recorded_by`.
    ended = deadline.ended_at if deadline.ended_at and deadline.ended_at <= as_of else None
    if not ended_on_record:
        ended = None
    stopped_at = max(ended or as_of, deadline.start_at)
    due, rule = deadline.due_at, deadline.rule
    if recorded_by is not None:
        due, rule = due_as_recorded(deadline, history, recorded_by)
    breached = stopped_at > due
    zero = timedelta(0)
    return DeadlineView(
        kind=deadline.kind,
        start=deadline.start_at,
        due=due,
        rule=rule,
        ended_at=ended,
        outcome=deadline.outcome if ended else None,
        breached=breached,
        working_late=(calendar.working_time_between(due, stopped_at) if breached else zero),
        working_left=(zero if breached else calendar.working_time_between(stopped_at, due)),
        in_working_time=deadline.unit != "months",
        calendar_left=max(due - stopped_at, zero),
        calendar_late=max(stopped_at - due, zero),
    )


class RecordedClock(Protocol):
    """What `due_as_recorded` reads of a case's clock: a Deadline row, or a listing's row."""

    @property
    def kind(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def rule(self) -> str: ...


class SetThen(NamedTuple):
    """A clock as it was set by a moment (`services/common.clocks_coverage`'s `SetClock`)."""

    start_at: datetime
    due_at: datetime
    unit: str


def clock_as_recorded(
    deadline: ViewedClock, history: Sequence[EventView], recorded_by: datetime
) -> SetThen:
    """The case clock as its history recorded by `recorded_by` had it set (`due_as_recorded`):
    its due then, and a date agreed only where an extension recorded by then agreed it (one
    agreed since undone leaves the policy's rule, counted on the calendar)."""
    due, _, agreed = _as_recorded(deadline, history, recorded_by)
    if agreed is None:
        return SetThen(deadline.start_at, due, deadline.unit)
    return SetThen(deadline.start_at, due, AGREED if agreed else rule_of(deadline.kind).unit)


def due_as_recorded(
    deadline: RecordedClock, history: Sequence[EventView], recorded_by: datetime
) -> tuple[datetime, str]:
    """The case clock's due and rule as its history recorded by `recorded_by` had them, as
    domain/figures.replay counts entries: each extension and calendar recompute of it recorded
    since is undone, latest first (a replay with --as-of). A move of another row of the same
    kind (the clock a close cancelled, beside the one a reopen ran again) is told apart by
    its new due, which is not this row's."""
    due, rule, _ = _as_recorded(deadline, history, recorded_by)
    return due, rule


def agreed_as_recorded(
    deadline: RecordedClock, history: Sequence[EventView], recorded_by: datetime
) -> tuple[datetime, bool | None]:
    """The case clock's due as its history recorded by `recorded_by` had it
    (`due_as_recorded`), and, where an extension recorded since was undone, whether one
    recorded by then had agreed that date (None: none undone, the clock as it is set now):
    a listing's due then is a date that stands, or one counted on the calendar, by it."""
    due, _, agreed = _as_recorded(deadline, history, recorded_by)
    return due, agreed


def _as_recorded(
    deadline: RecordedClock, history: Sequence[EventView], recorded_by: datetime
) -> tuple[datetime, str, bool | None]:
    """`due_as_recorded`'s due and rule, and, where an extension recorded since was undone,
    whether one recorded by then had agreed a date (None: none undone, the clock as set)."""
    moves = [
        e
        for e in history
        if e.action in _MOVES
        and e.details.get("kind") == deadline.kind
        and e.details.get("action_id") is None
    ]
    due, rule, agreed_since = deadline.due_at, deadline.rule, False
    for entry in reversed(moves):
        if entry.recorded_at <= recorded_by or _instant(entry.details, "new_due") != due:
            continue
        due = _instant(entry.details, "old_due")
        agreed_since = agreed_since or entry.action == Action.EXTEND.value
    if not agreed_since:
        return due, rule, None
    # The rule then: an earlier agreed date's words, else the policy's rule.
    earlier = [e for e in moves if e.action == Action.EXTEND.value]
    earlier = [e for e in earlier if e.recorded_at <= recorded_by]
    if earlier:
        reason = unmarked(earlier[-1].details.get("reason")) or ""
        return due, f"agreed with the consumer by {earlier[-1].actor}: {reason}", True
    return due, rule_of(deadline.kind).describe(), False


_MOVES = (Action.EXTEND.value, Action.RECOMPUTE.value)


def action_due_as_recorded(
    action_id: int, due: datetime, history: Sequence[EventView], recorded_by: datetime
) -> datetime:
    """An action's due as its case's history recorded by `recorded_by` had it: each calendar
    recompute of it recorded since undone, latest first, as `due_as_recorded` undoes a case
    clock's (a replay with --as-of shows the due then, not one a later change gave it)."""
    for entry in reversed(history):
        if (
            entry.action == Action.RECOMPUTE.value
            and entry.details.get("action_id") == action_id
            and entry.recorded_at > recorded_by
            and _instant(entry.details, "new_due") == due
        ):
            due = _instant(entry.details, "old_due")
    return due


def request_due_as_recorded(
    sar_id: int, due: datetime, moves_since: Sequence[Mapping[str, Any]]
) -> datetime:
    """A subject-access request's due as the history recorded by a moment had it, given the
    details of the extensions and calendar recomputes recorded since, latest first: each of
    the request's undone in turn (its row is moved in place), as `due_as_recorded` undoes a
    case clock's."""
    for move in moves_since:
        key = "due_before" if "due_before" in move else "old_due"
        if move.get("sar") == sar_id and move.get(key) is not None:
            due = _instant(move, key)
    return due


def _instant(details: Mapping[str, Any], key: str) -> datetime:
    """An instant a history entry's details hold: one missing, or not an instant (changed by
    hand), is a damaged store (exit 8), never a traceback."""
    from complaintctl.store.types import UnreadableInstant

    value = details.get(key)
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise UnreadableInstant(value)
    return instant
