"""Which step starts and stops which clock: every deadline of the procedure, in two tables.

CLOCKS holds each kind of clock with the rule it runs under and whose it is; STEP_CLOCKS says,
for each step, the clocks it meets, moves, starts or cancels. The services apply the tables
(services/clocks.py); every list of kinds elsewhere (what `overdue` lists, what the queue
shows as a case's next deadline, the deadlines `explain` takes, the order listings group them
in, the clocks a command reports after a step) is derived here. Adding a clock or a step is
an edit to these tables and to the verb that takes the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from complaintctl.domain import policy
from complaintctl.domain.procedure import Action

if TYPE_CHECKING:
    from complaintctl.domain.calendar import WorkingCalendar


class DeadlineKind(StrEnum):
    """Every kind of clock, in the order of the procedure (listings group them so)."""

    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    FINAL = "final"
    REFERRAL_WINDOW = "referral-window"  # the consumer's 3 months to ask the Assessor
    RESTRICTION_REVIEW = "restriction-review"
    ACTION = "action"  # a remedy owed or an improvement, by its owner
    SUBJECT_ACCESS = "subject-access"  # a person's request for their data (UK GDPR)


# How a clock ended: met by its step, or cancelled (the case no longer needed the step).
MET = "met"
CANCELLED = "cancelled"
# The unit of a clock whose due a person set (agreed with the consumer, or by a reviewer)
# rather than its rule: the calendar no longer moves it.
AGREED = "agreed"

# Whose a clock is: a case's, or a restriction's (a review, which has no case).
ON_CASE = "case"
ON_RESTRICTION = "restriction"
ON_ACTION = "action"  # an action's due: the action's, not its case's (a close leaves it owed)
ON_SUBJECT_ACCESS = "subject-access"  # a subject-access request's month, which has no case


@dataclass(frozen=True)
class Clock:
    rule: policy.Target  # when it falls due, unless a date is agreed
    on: str  # ON_CASE, ON_RESTRICTION or ON_SUBJECT_ACCESS
    # A deadline staff owe, which `overdue` lists and the queue shows as a case's next one.
    # The referral window is the consumer's: nobody breaches it.
    owed_by_staff: bool = True


CLOCKS: dict[DeadlineKind, Clock] = {
    DeadlineKind.ACKNOWLEDGE: Clock(policy.ACKNOWLEDGE, ON_CASE),
    DeadlineKind.RESPOND: Clock(policy.RESPOND, ON_CASE),
    DeadlineKind.FINAL: Clock(policy.FINAL, ON_CASE),
    DeadlineKind.REFERRAL_WINDOW: Clock(policy.REFERRAL_WINDOW, ON_CASE, owed_by_staff=False),
    DeadlineKind.RESTRICTION_REVIEW: Clock(policy.RESTRICTION_REVIEW, ON_RESTRICTION),
    DeadlineKind.ACTION: Clock(policy.ACTION, ON_ACTION),
    DeadlineKind.SUBJECT_ACCESS: Clock(policy.SUBJECT_ACCESS, ON_SUBJECT_ACCESS),
}


@dataclass(frozen=True)
class StepClocks:
    """What one step does to the clocks of its case (or restriction)."""

    meets: tuple[DeadlineKind, ...] = ()  # running clocks the step stops as met
    # The running one of these (the latest started) gets a due agreed instead of its rule's;
    # the verb, which knows the agreed date, moves it (services/clocks.clock_to_move).
    moves: tuple[DeadlineKind, ...] = ()
    starts: tuple[DeadlineKind, ...] = ()  # clocks started at the step, under CLOCKS' rules
    cancels_all: bool = False  # every running clock stops: the case no longer needs them
    # A clock the step changes nothing on but is about (assigning is for the response): the
    # command reports it after the step.
    concerns: tuple[DeadlineKind, ...] = ()

    def reported(self) -> tuple[DeadlineKind, ...]:
        """The clocks a command reports after the step: the one it acted on first, then
        any it started."""
        return tuple(dict.fromkeys((*self.meets, *self.moves, *self.concerns, *self.starts)))


K = DeadlineKind
STEP_CLOCKS: dict[Action, StepClocks] = {
    Action.LOG: StepClocks(starts=(K.ACKNOWLEDGE,)),
    Action.ACKNOWLEDGE: StepClocks(meets=(K.ACKNOWLEDGE,), starts=(K.RESPOND,)),
    # The responder is for the response; the second stage handed on, for the final response
    # (whose due stays: the consumer was told it).
    Action.ASSIGN: StepClocks(concerns=(K.RESPOND, K.FINAL)),
    Action.RESPOND: StepClocks(meets=(K.RESPOND,)),
    Action.EXTEND: StepClocks(moves=(K.RESPOND, K.FINAL)),
    Action.ESCALATE: StepClocks(starts=(K.FINAL,)),
    Action.FINAL: StepClocks(meets=(K.FINAL,), starts=(K.REFERRAL_WINDOW,)),
    Action.REFER: StepClocks(meets=(K.REFERRAL_WINDOW,)),
    Action.OUTCOME: StepClocks(),
    Action.CLOSE: StepClocks(cancels_all=True),
    # A reopen starts again each clock the close it undoes cancelled, with its original due
    # (services/steps.py, Reopen): the consumer is owed the same date.
    Action.REOPEN: StepClocks(),
    Action.INCIDENT: StepClocks(),
    Action.NOTE: StepClocks(),
    Action.LETTER: StepClocks(),
    Action.EDIT: StepClocks(),
    # An action's clock: due by its rule, or at the date or within the time its opener gave.
    Action.ACTION_OPENED: StepClocks(starts=(K.ACTION,)),
    Action.ACTION_DONE: StepClocks(meets=(K.ACTION,)),
    Action.RESTRICTION_DECIDED: StepClocks(starts=(K.RESTRICTION_REVIEW,)),
    Action.RESTRICTION_LIFTED: StepClocks(meets=(K.RESTRICTION_REVIEW,)),
    # A review that keeps the restriction meets its review and starts the next one, on the
    # date the reviewer sets.
    Action.RESTRICTION_REVIEWED: StepClocks(
        meets=(K.RESTRICTION_REVIEW,), starts=(K.RESTRICTION_REVIEW,)
    ),
    # A subject-access request's month runs by the ICO's date rule, not a Target's working
    # time: services/subject_access.py applies these rows itself (calendar.subject_access_due).
    Action.SAR_OPENED: StepClocks(starts=(K.SUBJECT_ACCESS,)),
    Action.SAR_EXTENDED: StepClocks(moves=(K.SUBJECT_ACCESS,)),
    Action.SAR_DONE: StepClocks(meets=(K.SUBJECT_ACCESS,)),
}
del K


def rule_of(kind: str) -> policy.Target:
    """The rule a kind of clock starts under."""
    return CLOCKS[DeadlineKind(kind)].rule


def started_by(kind: str) -> Action:
    """The step that starts a kind of clock."""
    return next(step for step, clocks in STEP_CLOCKS.items() if DeadlineKind(kind) in clocks.starts)


# The lists of kinds every listing and option takes, in the procedure's order.
CASE_CLOCKS = tuple(kind for kind, clock in CLOCKS.items() if clock.on == ON_CASE)
STAFF_CLOCKS = tuple(kind for kind, clock in CLOCKS.items() if clock.owed_by_staff)
# A case's next deadline in the queue: a running clock staff owe on it.
QUEUE_CLOCKS = tuple(kind for kind in STAFF_CLOCKS if CLOCKS[kind].on == ON_CASE)


# -- what a step does to a case's running clocks ----------------------------------------------


@dataclass(frozen=True)
class Agreed:
    """A due date set by a person rather than the rule: when, and the rule's words for it;
    with an amount of working time (an action's `--within`), the amount and its unit, which a
    calendar change recounts (policy.due_after), else a date that stays where it is."""

    due: datetime
    rule: str
    amount: int = 0
    unit: str = AGREED


@dataclass(frozen=True)
class Running:
    """A running clock as a step finds it. `id` is None for one started by the same command,
    which no one has seen yet."""

    id: int | None
    kind: str
    start_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class Start:
    """A clock a step starts."""

    kind: DeadlineKind
    start_at: datetime
    due_at: datetime
    amount: int
    unit: str
    rule: str


@dataclass(frozen=True)
class ClockPlan:
    """What a step does to the clocks: those it ends (met or cancelled, and when), those it
    starts, and the kinds of those met late because their deadline had passed before the step
    was recorded."""

    ends: tuple[tuple[Running, datetime, str], ...] = ()  # (clock, ended at, MET/CANCELLED)
    starts: tuple[Start, ...] = ()
    late: tuple[str, ...] = ()

    def on_time(self, kind: DeadlineKind) -> bool:
        """Whether the step met `kind` by its due (none running: nothing was late)."""
        return all(ended <= clock.due_at for clock, ended, _ in self.ends if clock.kind == kind)

    def met(self, kind: DeadlineKind) -> Running | None:
        return next((clock for clock, _, _ in self.ends if clock.kind == kind), None)

    def due(self, kind: DeadlineKind) -> datetime:
        """When the clock of `kind` the step started is due."""
        return next(start.due_at for start in self.starts if start.kind == kind)


def plan_clocks(
    action: Action,
    running: Sequence[Running],
    at: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    agreed: Agreed | None = None,
) -> ClockPlan:
    """The clocks `action`, dated `at` and recorded `now`, meets, cancels and starts (STEP_CLOCKS;
    a started clock at an `agreed` due instead of its rule's, where one is given).

    A running clock whose deadline had passed before the step was recorded, on a step dated
    earlier, is a breach on record: `overdue` could have shown it at any moment since its due,
    and a replay with --as-of must show it again. It ends when the step is recorded, late;
    the history keeps `at` as when the step happened."""
    step = STEP_CLOCKS[action]
    ended = [(clock, MET) for kind in step.meets for clock in running if clock.kind == kind]
    if step.cancels_all:
        ended += [(clock, CANCELLED) for clock in running if clock not in dict(ended)]
    ends, late = [], []
    for clock, outcome in ended:
        # Only a deadline staff owe can be breached on record: the consumer's referral window
        # is met when they referred, however late that was typed in.
        owed = CLOCKS[DeadlineKind(clock.kind)].owed_by_staff
        ends_at = clock_ends_at(clock.due_at, at, now, seen=clock.id is not None and owed)
        if ends_at != at:
            late.append(clock.kind)
        ends.append((clock, ends_at, outcome))
    starts = []
    for kind in step.starts:
        rule = CLOCKS[kind].rule
        if agreed is None:
            due = policy.due_after(rule, calendar, at)
            starts.append(Start(kind, at, due, rule.amount, rule.unit, rule.describe()))
        else:
            starts.append(Start(kind, at, agreed.due, agreed.amount, agreed.unit, agreed.rule))
    return ClockPlan(tuple(ends), tuple(starts), tuple(late))


def clock_ends_at(due_at: datetime, at: datetime, now: datetime, *, seen: bool = True) -> datetime:
    """When a step dated `at` and recorded `now` ends a running clock due at `due_at`: at `at`,
    unless the deadline had passed before the step was recorded on a step dated earlier (a
    breach on record: `overdue` could have listed it since its due), then when it was recorded.
    A clock nobody has `seen` (started by the same command) cannot have been breached on
    record. The figures judge the end of a clock staff owe by this rule too (domain/figures.py);
    the consumer's referral window is met when they referred (`plan_clocks`)."""
    return now if seen and due_at < now and at < now else at


def clock_to_move(action: Action, running: Sequence[Running]) -> Running | None:
    """The clock `action` moves (STEP_CLOCKS' `moves`): of those kinds, the running one that
    started last, which is the one the case's stage is waiting on."""
    kinds = {kind.value for kind in STEP_CLOCKS[action].moves}
    candidates = [clock for clock in running if clock.kind in kinds]
    return max(candidates, key=lambda clock: (clock.start_at, clock.id or 0), default=None)
