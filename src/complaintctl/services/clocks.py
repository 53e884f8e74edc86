"""The clocks of cases and restrictions, as the domain's tables say each step moves them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from complaintctl.domain import policy
from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.domain.clocks import AGREED, CANCELLED, CLOCKS, MET, STEP_CLOCKS, DeadlineKind
from complaintctl.domain.procedure import Action
from complaintctl.views import DeadlineView

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Deadline, Restriction
    from complaintctl.store.uow import UnitOfWork


@dataclass(frozen=True)
class Agreed:
    """A due date set by a person rather than the rule: when, and the rule's words for it."""

    due: datetime
    rule: str


@dataclass(frozen=True)
class ClockChanges:
    met: dict[DeadlineKind, Deadline]  # each clock the step met, with the due it had
    started: dict[DeadlineKind, datetime]  # each clock the step started, and when it is due
    # Clocks whose deadline had passed before the step was recorded, though the step is dated
    # earlier: they end when recorded, late (a breach on record stays on record).
    late: tuple[Deadline, ...] = ()

    def on_time(self, kind: DeadlineKind) -> bool:
        """Whether the step met the clock by its due (no clock running: nothing was late)."""
        clock = self.met.get(kind)
        return clock is None or clock.ended_at is None or clock.ended_at <= clock.due_at

    def late_kinds(self) -> list[str]:
        return [clock.kind for clock in self.late]


def step_clocks(
    uow: UnitOfWork,
    action: Action,
    at: datetime,
    *,
    now: datetime,
    case: Case | None = None,
    restriction: Restriction | None = None,
    agreed: Agreed | None = None,
) -> ClockChanges:
    """Meet, cancel and start the clocks as STEP_CLOCKS says `action` does, at `at` (a started
    clock at an `agreed` due instead of its rule's, where one is given). A clock the step
    moves is the verb's to move (clock_to_move), with the date agreed.

    A clock whose deadline had passed before the step was recorded (`now`), dated earlier, is
    a breach on record: `overdue` could have shown it at any moment since its due, and a
    replay with --as-of must show it again. Such a clock ends when the step is recorded, late;
    the history keeps `at` as when the step happened."""
    step = STEP_CLOCKS[action]
    met: dict[DeadlineKind, Deadline] = {}
    late: list[Deadline] = []

    def end(clock: Deadline, outcome: str) -> None:
        on_record = clock.due_at < now and at < now and id(clock) not in uow.clocks_started_here
        if on_record:
            late.append(clock)
        uow.end_deadline(clock, at=now if on_record else at, outcome=outcome)

    for kind in step.meets:
        clock = running_clock(uow, kind, case=case, restriction=restriction)
        if clock is not None:
            end(clock, MET)
            met[kind] = clock
    if step.cancels_all and case is not None:
        for clock in uow.deadlines(case):
            if clock.ended_at is None:
                end(clock, CANCELLED)
    started = {
        kind: start_clock(uow, kind, at, case=case, restriction=restriction, agreed=agreed)
        for kind in step.starts
    }
    return ClockChanges(met, started, tuple(late))


def start_clock(
    uow: UnitOfWork,
    kind: DeadlineKind,
    start: datetime,
    *,
    case: Case | None = None,
    restriction: Restriction | None = None,
    agreed: Agreed | None = None,
) -> datetime:
    """Start a clock of `kind` under its rule (or at an agreed due); when it is due."""
    from complaintctl.store.models import Deadline

    rule = CLOCKS[kind].rule
    if agreed is None:
        due, amount, unit, words = (
            policy.due_after(rule, uow.calendar(), start),
            rule.amount,
            rule.unit,
            rule.describe(),
        )
    else:
        due, amount, unit, words = agreed.due, 0, AGREED, agreed.rule
    clock = Deadline(
        case_id=case.id if case else None,
        restriction_id=restriction.id if restriction else None,
        kind=kind.value,
        start_at=start,
        due_at=due,
        amount=amount,
        unit=unit,
        rule=words,
    )
    uow.add(clock)
    uow.clocks_started_here.add(id(clock))  # never on record before this command
    return due


def agree_due(deadline: Deadline, agreed: Agreed) -> None:
    """Fix a running clock's due by agreement: the calendar no longer moves it."""
    deadline.due_at, deadline.unit, deadline.amount, deadline.rule = (
        agreed.due,
        AGREED,
        0,
        agreed.rule,
    )


def clock_to_move(uow: UnitOfWork, action: Action, case: Case) -> Deadline | None:
    """The clock `action` moves (STEP_CLOCKS' `moves`): of those kinds, the running one that
    started last, which is the one the case's stage is waiting on."""
    kinds = {kind.value for kind in STEP_CLOCKS[action].moves}
    running = [d for d in uow.deadlines(case) if d.kind in kinds and d.ended_at is None]
    return max(running, key=lambda d: (d.start_at, d.id or 0), default=None)


def running_clock(
    uow: UnitOfWork,
    kind: DeadlineKind,
    *,
    case: Case | None = None,
    restriction: Restriction | None = None,
) -> Deadline | None:
    """The clock of `kind` still running on the case or restriction, if any."""
    if case is not None:
        clocks = uow.deadlines(case)
    elif restriction is not None:
        clocks = uow.restriction_clocks(restriction)
    else:
        return None
    for deadline in clocks:
        if deadline.kind == kind.value and deadline.ended_at is None:
            return deadline
    return None


def deadline_view(deadline: Deadline, as_of: datetime, calendar: WorkingCalendar) -> DeadlineView:
    # A clock that ended after `as_of` was still running then (a replay with --as-of).
    ended = deadline.ended_at if deadline.ended_at and deadline.ended_at <= as_of else None
    stopped_at = ended or as_of
    breached = stopped_at > deadline.due_at
    zero = timedelta(0)
    return DeadlineView(
        kind=deadline.kind,
        start=deadline.start_at,
        due=deadline.due_at,
        rule=deadline.rule,
        ended_at=ended,
        outcome=deadline.outcome if ended else None,
        breached=breached,
        working_late=(
            calendar.working_time_between(deadline.due_at, stopped_at) if breached else zero
        ),
        working_left=(
            zero if ended or breached else calendar.working_time_between(as_of, deadline.due_at)
        ),
        in_working_time=deadline.unit != "months",
    )
