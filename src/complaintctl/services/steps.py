"""The steps on a case after it is logged, from the acknowledgement to the Assessor's outcome.

Each verb begins the step (who is acting, the case's stage and order, the version the caller
read), checks its own inputs, meets, starts or cancels the case's clocks as domain/clocks.py
says the step does (moving one to an agreed date is the verb's own work), and finishes it: the
case's next stage and version, one history entry, one commit, the view. A refused step writes
nothing. `at` is when the step happened (the command's --at, else now); `now` is the clock
reading the command took once, kept as when the record was written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from complaintctl import text
from complaintctl.domain import policy
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.instants import format_instant
from complaintctl.domain.procedure import (
    CLOSE_REASONS,
    SECOND_STAGE_ROLES,
    WHERE_INSTEAD,
    Action,
    AssessorOutcome,
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
    Role,
    Stage,
)
from complaintctl.errors import ActionNotAllowed, CaseChanged, InvalidInput
from complaintctl.services.clocks import (
    Agreed,
    ClockChanges,
    agree_due,
    clock_to_move,
    running_clock,
    step_clocks,
)
from complaintctl.services.common import (
    acting_staff,
    active_staff,
    authorise,
    check_order,
    describe_state,
    find_case,
    not_in_future,
    optional,
    record_and_view,
    required,
)
from complaintctl.views import CaseView

if TYPE_CHECKING:
    from complaintctl.store.models import Case
    from complaintctl.store.uow import UnitOfWork

_POUNDS = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?", re.ASCII)
# A goodwill payment larger than this is a typing mistake, not a remedy [ours].
MAX_GOODWILL_PENCE = 100_000 * 100


@dataclass(frozen=True)
class Remedies:
    """What a response offers: remedies by name, and a goodwill payment's amount."""

    kinds: tuple[Remedy, ...] = ()
    goodwill: str | None = None  # pounds, as typed: "50", "49.99"

    def pence(self) -> int | None:
        if self.goodwill is None:
            if Remedy.GOODWILL_PAYMENT in self.kinds:
                raise InvalidInput("a goodwill payment needs its amount: --goodwill POUNDS")
            return None
        text = self.goodwill.strip().lstrip("£")
        if not _POUNDS.fullmatch(text):
            raise InvalidInput(
                f"--goodwill {self.goodwill!r} must be a positive amount in pounds and pence, "
                "e.g. 50 or 49.99"
            )
        pence = int(Decimal(text) * 100)
        if not 0 < pence <= MAX_GOODWILL_PENCE:
            raise InvalidInput(
                f"--goodwill {self.goodwill!r} must be more than £0 and at most "
                f"£{MAX_GOODWILL_PENCE // 100:,}"
            )
        return pence

    def names(self) -> list[str]:
        kinds = set(self.kinds)
        if self.goodwill is not None:
            kinds.add(Remedy.GOODWILL_PAYMENT)
        return [r.value for r in Remedy if r in kinds]


# -- a step, from its checks to its record -------------------------------------------------


@dataclass
class Step:
    """A step on one case that has passed the checks every step makes, not yet recorded."""

    uow: UnitOfWork
    case: Case
    action: Action
    leads_to: Stage
    by: str
    at: datetime
    now: datetime

    clocks: ClockChanges = ClockChanges({}, {})

    def move_clocks(self) -> ClockChanges:
        """Meet, start or cancel the case's clocks as the step does (domain/clocks.py)."""
        self.clocks = step_clocks(self.uow, self.action, self.at, now=self.now, case=self.case)
        return self.clocks

    def finish(self, *, new_dues: Iterable[datetime] = (), **details: Any) -> CaseView:
        """The case moves to the step's stage and its next version; the step is recorded with
        `details` and committed, and the case read back (warning where one of `new_dues`, the
        deadlines the step set, lies past the known bank holidays).

        A clock met late because its deadline had passed before the step was recorded is
        named in the entry (`recorded_after_deadline`), and the case is read back as of when
        the step was recorded, so that it shows the clock met late."""
        self.case.stage = self.leads_to.value
        self.case.version += 1
        self.uow.add(self.case)
        late = self.clocks.late_kinds()
        if late:
            details["recorded_after_deadline"] = late
        return record_and_view(
            self.uow,
            self.case,
            self.action,
            by=self.by,
            at=self.at,
            now=self.now,
            details=details,
            new_dues=new_dues,
            as_of=self.now if late else self.at,
            notes=tuple(_met_late(kind, self.at) for kind in late),
        )


def _met_late(kind: str, at: datetime) -> str:
    return (
        f"the {kind} deadline had passed before this was recorded: it is met late, when "
        f"recorded; the history keeps {at.isoformat()} as when it happened"
    )


def begin_step(
    uow: UnitOfWork, ref: str, action: Action, *, by: str, at: datetime, now: datetime
) -> Step:
    """Check what every step on a case checks, in this order: `at` is not in the future; the
    acting person is active staff; the case exists and is still at the version the caller read
    (bulk input says which); the person may take `action` on it; its stage allows the action;
    `at` is not before its last step."""
    not_in_future(at, now)
    actor = acting_staff(uow, by)
    case = find_case(uow, ref)
    seen = uow.seen_versions.get(case.ref)
    if seen is not None and seen != case.version:
        raise CaseChanged(
            f"case {case.ref} changed since you looked (version {seen}, now {case.version}): "
            f"it is now {describe_state(case)}; look again before acting"
        )
    authorise(actor, action, case)
    leads_to = check_order(uow, case, action, at)
    return Step(uow, case, action, leads_to, actor.username, at, now)


# -- the first stage -----------------------------------------------------------------------


def acknowledge(
    uow: UnitOfWork,
    *,
    ref: str,
    area: str,
    by: str,
    at: datetime,
    now: datetime,
    out_of_time_reason: str | None = None,
) -> CaseView:
    """Record the acknowledgement, naming the area; starts the response clock."""
    step = begin_step(uow, ref, Action.ACKNOWLEDGE, by=by, at=at, now=now)
    case = step.case
    area = _known_area(uow, required(area, "--area", text.LABEL))
    accepted_late = optional(out_of_time_reason, "--out-of-time-reason")
    if case.out_of_time and accepted_late is None:
        raise InvalidInput(
            f"{case.ref} is about an issue more than 6 months before it was received; accept it "
            "with --out-of-time-reason TEXT, or close it out of scope (--because out-of-time)"
        )
    case.area = area
    clocks = step.move_clocks()
    acknowledged = clocks.met.get(DeadlineKind.ACKNOWLEDGE)
    assert acknowledged is not None, "a case received has its acknowledgement clock running"
    respond_due = clocks.started[DeadlineKind.RESPOND]
    return step.finish(
        new_dues=[respond_due],
        area=area,
        due=acknowledged.due_at,
        on_time=clocks.on_time(DeadlineKind.ACKNOWLEDGE),
        respond_due=respond_due,
        **({"out_of_time_accepted": accepted_late} if accepted_late else {}),
    )


def _known_area(uow: UnitOfWork, area: str) -> str:
    """The area as staff records spell it; any area while no staff has one yet.

    A misspelt area would leave the case with nobody who can be assigned to it.
    """
    known = {a.casefold(): a for a in uow.staff_areas()}
    if not known:
        return area
    if area.casefold() not in known:
        raise InvalidInput(
            f"no staff work in {area!r}; the areas are {', '.join(sorted(known.values()))}"
        )
    return known[area.casefold()]


def assign(uow: UnitOfWork, *, ref: str, to: str, by: str, at: datetime, now: datetime) -> CaseView:
    """Name the responder: a member of staff of the case's area."""
    step = begin_step(uow, ref, Action.ASSIGN, by=by, at=at, now=now)
    case = step.case
    responder = active_staff(uow, to)
    if responder.area != case.area:
        raise InvalidInput(
            f"{responder.username} works in {responder.area or 'no area'}, "
            f"not {case.area}, the area {case.ref} was routed to"
        )
    previous = case.responder
    case.responder = responder.username
    return step.finish(to=responder.username, was=previous)


def respond(
    uow: UnitOfWork,
    *,
    ref: str,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Record the first-stage response; stops the response clock."""
    not_in_future(at, now)
    summary = required(summary, "--summary", text.SUMMARY)
    pence = remedies.pence()
    step = begin_step(uow, ref, Action.RESPOND, by=by, at=at, now=now)
    case = step.case
    if case.responder is None:
        raise ActionNotAllowed(f"{case.ref} has no responder yet: assign one first (assign)")
    _record_response(uow, case, "first", decision, summary, remedies, pence, step.by, at)
    clocks = step.move_clocks()
    case.first_responder = step.by
    return step.finish(
        decision=decision.value,
        summary=summary,
        remedies=remedies.names(),
        goodwill_pence=pence,
        on_time=clocks.on_time(DeadlineKind.RESPOND),
    )


def _record_response(
    uow: UnitOfWork,
    case: Case,
    stage: str,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    pence: int | None,
    by: str,
    at: datetime,
) -> None:
    from complaintctl.store.models import Response

    assert case.id is not None
    uow.add(
        Response(
            case_id=case.id,
            stage=stage,
            decision=decision.value,
            summary=summary,
            remedies=json.dumps(remedies.names()),
            goodwill_pence=pence,
            given_by=by,
            given_at=at,
        )
    )


def extend(
    uow: UnitOfWork,
    *,
    ref: str,
    until: datetime,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Replace the running response (or final response) deadline with a timescale agreed with
    the consumer [page]; who agreed it, when and why are recorded [std]."""
    not_in_future(at, now)
    reason = required(reason, "--reason")
    step = begin_step(uow, ref, Action.EXTEND, by=by, at=at, now=now)
    case = step.case
    clock = clock_to_move(uow, Action.EXTEND, case)
    assert clock is not None, "the stages extend is allowed at each run a clock it moves"
    tz = uow.calendar().tz
    if at > clock.due_at or clock.due_at < now:
        # A timescale is agreed before the deadline [std]: agreeing one after it, or dating
        # one before it once it has passed, would erase a breach from the record.
        raise ActionNotAllowed(
            f"the {clock.kind} deadline of {case.ref} passed at "
            f"{format_instant(clock.due_at, tz)}; a timescale agreed after a "
            "breach does not replace the deadline"
        )
    if until <= clock.due_at:
        raise InvalidInput(
            f"--until must be later than the current {clock.kind} deadline "
            f"({format_instant(clock.due_at, tz)})"
        )
    old_due = clock.due_at
    agree_due(clock, Agreed(until, f"agreed with the consumer by {step.by}: {reason}"))
    uow.add(clock)
    return step.finish(
        new_dues=[until], kind=clock.kind, old_due=old_due, new_due=until, reason=reason
    )


# -- the second stage and after ------------------------------------------------------------


def escalate(
    uow: UnitOfWork,
    *,
    ref: str,
    to: str,
    reason: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Escalate to the second stage on the consumer's behalf; the final response is due 20
    working days later."""
    step = begin_step(uow, ref, Action.ESCALATE, by=by, at=at, now=now)
    case = step.case
    handler = active_staff(uow, to)
    if Role(handler.role) not in SECOND_STAGE_ROLES:
        raise InvalidInput(
            f"{handler.username} is {handler.role}: the second stage goes to a leader, "
            "senior-leader or senior-complaint-executive"
        )
    if handler.username == case.first_responder:
        raise InvalidInput(
            f"{handler.username} gave the first-stage response; the second stage needs "
            "someone else [std: Housing Ombudsman code]"
        )
    case.handler = handler.username
    final_due = step.move_clocks().started[DeadlineKind.FINAL]
    return step.finish(
        new_dues=[final_due],
        to=handler.username,
        reason=optional(reason, "--reason"),
        final_due=final_due,
    )


def final_response(
    uow: UnitOfWork,
    *,
    ref: str,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Record the final response: the procedure ends, and the consumer has 3 months to ask
    for the Independent Assessor."""
    not_in_future(at, now)
    summary = required(summary, "--summary", text.SUMMARY)
    pence = remedies.pence()
    step = begin_step(uow, ref, Action.FINAL, by=by, at=at, now=now)
    _record_response(uow, step.case, "final", decision, summary, remedies, pence, step.by, at)
    clocks = step.move_clocks()
    return step.finish(
        decision=decision.value,
        summary=summary,
        remedies=remedies.names(),
        goodwill_pence=pence,
        on_time=clocks.on_time(DeadlineKind.FINAL),
        how_to_refer=policy.HOW_TO_REFER,
        refer_by=clocks.started[DeadlineKind.REFERRAL_WINDOW],
    )


def refer(
    uow: UnitOfWork, *, ref: str, late_reason: str | None, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record the consumer's referral to the Independent Assessor; one later than 3 months
    after the final response needs a reason."""
    step = begin_step(uow, ref, Action.REFER, by=by, at=at, now=now)
    window = running_clock(uow, DeadlineKind.REFERRAL_WINDOW, case=step.case)
    late = window is not None and at > window.due_at
    late_reason = optional(late_reason, "--late-reason")
    if late and not late_reason:
        assert window is not None
        raise InvalidInput(
            f"the referral window closed {format_instant(window.due_at, uow.calendar().tz)}; "
            "record why it is accepted late with --late-reason"
        )
    step.move_clocks()
    return step.finish(late=late, late_reason=late_reason)


def record_outcome(
    uow: UnitOfWork,
    *,
    ref: str,
    outcome: AssessorOutcome,
    recommendation: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Record the Independent Assessor's outcome and any recommendation."""
    step = begin_step(uow, ref, Action.OUTCOME, by=by, at=at, now=now)
    step.move_clocks()
    return step.finish(
        outcome=outcome.value, recommendation=optional(recommendation, "--recommendation")
    )


def close(
    uow: UnitOfWork,
    *,
    ref: str,
    reason: CloseReason,
    because: OutOfScope | None,
    note: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Close a case at the first stage, or triage it out of scope saying where to go instead."""
    not_in_future(at, now)
    if reason == CloseReason.OUT_OF_SCOPE and because is None:
        raise InvalidInput(
            "say why it is out of scope: --because decision, provider-remedy or out-of-time"
        )
    if reason != CloseReason.OUT_OF_SCOPE and because is not None:
        raise InvalidInput("--because goes with --reason out-of-scope")
    step = begin_step(uow, ref, Action.CLOSE, by=by, at=at, now=now)
    if Stage(step.case.stage) not in CLOSE_REASONS[reason]:
        allowed = ", ".join(sorted(s.value for s in CLOSE_REASONS[reason]))
        raise ActionNotAllowed(
            f"cannot close {step.case.ref} as {reason.value} at stage {step.case.stage}; "
            f"that reason fits a case at stage {allowed}"
        )
    step.move_clocks()
    return step.finish(**closing(step.case, reason, because, note))


def closing(
    case: Case, reason: CloseReason, because: OutOfScope | None, note: str | None
) -> dict[str, Any]:
    """Mark the case closed for `reason`; what the close's history entry records (the clocks
    are the caller's to stop)."""
    case.stage = Stage.CLOSED.value
    case.close_reason = reason.value if because is None else f"{reason.value}: {because.value}"
    return {
        "reason": reason.value,
        "because": because.value if because else None,
        "where_instead": WHERE_INSTEAD[because] if because else None,
        "note": optional(note, "--note"),
    }


def record_incident(
    uow: UnitOfWork, *, ref: str, note: str, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record abusive contact towards staff [page]; shown on the consumer from then on.

    Not a step of the procedure: it happens at any stage, does not order the case's steps, and
    leaves its version as it is."""
    from complaintctl.store.models import Incident

    not_in_future(at, now)
    note = required(note, "--note")
    actor = acting_staff(uow, by)
    by = actor.username
    case = find_case(uow, ref)
    authorise(actor, Action.INCIDENT, case)
    if at < case.received_at:
        raise InvalidInput(f"--at is before {case.ref} was received")
    uow.add(
        Incident(consumer_id=case.consumer_id, case_id=case.id, note=note, recorded_by=by, at=at)
    )
    return record_and_view(
        uow, case, Action.INCIDENT, by=by, at=at, now=now, details={"note": note}
    )
