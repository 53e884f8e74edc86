"""Which step starts and stops which clock: every deadline of the procedure, in two tables.

CLOCKS holds each kind of clock with the rule it runs under and whose it is; STEP_CLOCKS says,
for each step, the clocks it meets, moves, starts or cancels. The services apply the tables
(services/clocks.py); every list of kinds elsewhere (what `overdue` lists, what the queue
shows as a case's next deadline, the deadlines `explain` takes, the order listings group them
in, the clocks a command reports after a step) is derived here. Adding a clock or a step is
an edit to these tables and to the verb that takes the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from complaintctl.domain import policy
from complaintctl.domain.procedure import Action


class DeadlineKind(StrEnum):
    """Every kind of clock, in the order of the procedure (listings group them so)."""

    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    FINAL = "final"
    REFERRAL_WINDOW = "referral-window"  # the consumer's 3 months to ask the Assessor
    RESTRICTION_REVIEW = "restriction-review"


# How a clock ended: met by its step, or cancelled (the case no longer needed the step).
MET = "met"
CANCELLED = "cancelled"
# The unit of a clock whose due a person set (agreed with the consumer, or by a reviewer)
# rather than its rule: the calendar no longer moves it.
AGREED = "agreed"

# Whose a clock is: a case's, or a restriction's (a review, which has no case).
ON_CASE = "case"
ON_RESTRICTION = "restriction"


@dataclass(frozen=True)
class Clock:
    rule: policy.Target  # when it falls due, unless a date is agreed
    on: str  # ON_CASE or ON_RESTRICTION
    # A deadline staff owe, which `overdue` lists and the queue shows as a case's next one.
    # The referral window is the consumer's: nobody breaches it.
    owed_by_staff: bool = True


CLOCKS: dict[DeadlineKind, Clock] = {
    DeadlineKind.ACKNOWLEDGE: Clock(policy.ACKNOWLEDGE, ON_CASE),
    DeadlineKind.RESPOND: Clock(policy.RESPOND, ON_CASE),
    DeadlineKind.FINAL: Clock(policy.FINAL, ON_CASE),
    DeadlineKind.REFERRAL_WINDOW: Clock(policy.REFERRAL_WINDOW, ON_CASE, owed_by_staff=False),
    DeadlineKind.RESTRICTION_REVIEW: Clock(policy.RESTRICTION_REVIEW, ON_RESTRICTION),
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
    Action.ASSIGN: StepClocks(concerns=(K.RESPOND,)),
    Action.RESPOND: StepClocks(meets=(K.RESPOND,)),
    Action.EXTEND: StepClocks(moves=(K.RESPOND, K.FINAL)),
    Action.ESCALATE: StepClocks(starts=(K.FINAL,)),
    Action.FINAL: StepClocks(meets=(K.FINAL,), starts=(K.REFERRAL_WINDOW,)),
    Action.REFER: StepClocks(meets=(K.REFERRAL_WINDOW,)),
    Action.OUTCOME: StepClocks(),
    Action.CLOSE: StepClocks(cancels_all=True),
    Action.INCIDENT: StepClocks(),
    Action.RESTRICTION_DECIDED: StepClocks(starts=(K.RESTRICTION_REVIEW,)),
    Action.RESTRICTION_LIFTED: StepClocks(meets=(K.RESTRICTION_REVIEW,)),
    # A review that keeps the restriction meets its review and starts the next one, on the
    # date the reviewer sets.
    Action.RESTRICTION_REVIEWED: StepClocks(
        meets=(K.RESTRICTION_REVIEW,), starts=(K.RESTRICTION_REVIEW,)
    ),
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
