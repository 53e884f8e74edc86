"""The verbs on a case, from log to the Assessor's outcome, and the views that read them.

Each verb fetches, checks (input, who is acting, the stage), changes rows, records one history
entry and commits once: a refused action writes nothing. `at` is when the action happened (the
command's --at, else now); `now` is the clock reading the command took once, kept as the moment
the record was written. Neither is read here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from complaintctl.domain import policy
from complaintctl.domain.instants import format_instant
from complaintctl.domain.procedure import (
    SECOND_STAGE_ROLES,
    WHERE_INSTEAD,
    Action,
    Actor,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    DeadlineKind,
    Decision,
    OutOfScope,
    OverdueKind,
    Remedy,
    RestrictionScope,
    Role,
    Stage,
    StoreAction,
)
from complaintctl.errors import ActionNotAllowed, CaseChanged, ConsumerRestricted, InvalidInput
from complaintctl.services.common import (
    acting_staff,
    active_staff,
    agree_due,
    authorise,
    authorise_store,
    case_view,
    check_order,
    coverage_warnings,
    describe_state,
    find_case,
    normalise_email,
    not_in_future,
    optional,
    required,
    restriction_view,
    running_clock,
    start_clock,
    stop_running_clocks,
)
from complaintctl.views import CaseView, EarlierCase, OverdueItem, OverdueReport

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Consumer
    from complaintctl.store.uow import UnitOfWork


def normalise_dispute(reference: str | None) -> str | None:
    """Dispute references compare whatever their case and spacing: `d-1 ` is `D-1`."""
    cleaned = "".join((reference or "").split()).upper()
    return cleaned or None


@dataclass(frozen=True)
class NewComplaint:
    consumer: str
    channel: Channel
    category: Category
    summary: str
    email: str | None = None
    address: str | None = None
    dispute: str | None = None
    board: bool = False
    about: date | None = None  # when the service issue happened
    preferred_contact: str | None = None
    adjustments: tuple[str, ...] = ()
    source_id: str | None = None  # the web form's or mailbox's own id, for imports


# A summary is what the consumer says went wrong, not the whole correspondence [ours].
MAX_SUMMARY = 20_000

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


# -- logging -------------------------------------------------------------------------------


def log_complaint(
    uow: UnitOfWork,
    *,
    complaint: NewComplaint,
    by: str,
    at: datetime,
    now: datetime,
    override_restriction: str | None = None,
    resolved_informally: str | None = None,
) -> CaseView:
    """Record a complaint received at `at` and start its acknowledgement clock; or, with
    `resolved_informally` (a note), log it already resolved at the informal stage [page]."""
    case, earlier, due = record_complaint(
        uow,
        complaint=complaint,
        by=by,
        at=at,
        now=now,
        override_restriction=override_restriction,
        resolved_informally=resolved_informally,
    )
    uow.commit()
    return case_view(
        uow,
        case,
        as_of=at,
        earlier=tuple(EarlierCase(*row) for row in earlier),
        warnings=coverage_warnings(uow.calendar(), due),
    )


def record_complaint(
    uow: UnitOfWork,
    *,
    complaint: NewComplaint,
    by: str,
    at: datetime,
    now: datetime,
    override_restriction: str | None = None,
    resolved_informally: str | None = None,
) -> tuple[Case, list[tuple[str, str, datetime]], datetime]:
    """Everything `log` checks and writes, without committing: the case, the consumer's
    earlier cases, and the acknowledgement's due instant."""
    from complaintctl.store.models import Case

    not_in_future(at, now)
    actor = acting_staff(uow, by)
    authorise(actor, Action.LOG)
    name = required(complaint.consumer, "--consumer")
    summary = required(complaint.summary, "--summary")
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(f"--summary is {len(summary):,} characters; at most {MAX_SUMMARY:,}")
    email = normalise_email(complaint.email)
    address = optional(complaint.address)
    if email is None and address is None:
        raise InvalidInput("give the consumer's --email or --address (or both)")
    dispute = normalise_dispute(complaint.dispute)
    if complaint.about is not None and complaint.about > uow.calendar().local_date(at):
        raise InvalidInput("--about is after the complaint was received")

    consumer, earlier = _consumer_for(uow, complaint, name, email, address, at)
    override = _check_restrictions(uow, consumer, dispute, actor, override_restriction)
    assert consumer.id is not None

    calendar = uow.calendar()
    received_day = calendar.local_date(at)
    year = received_day.year
    out_of_time = complaint.about is not None and complaint.about < calendar.local_date(
        calendar.add_months(at, -policy.OUT_OF_TIME_MONTHS)
    )
    ref = f"SC-{year}-{uow.next_ref_number(year):06d}"
    case = Case(
        ref=ref,
        consumer_id=consumer.id,
        channel=complaint.channel.value,
        category=complaint.category.value,
        summary=summary,
        dispute_ref=dispute,
        board=complaint.board,
        received_at=at,
        stage=Stage.RECEIVED.value,
        about=complaint.about,
        out_of_time=out_of_time,
        source_id=complaint.source_id,
        logged_by=by,
        logged_at=now,
    )
    uow.add(case)
    uow.flush()
    due = start_clock(uow, DeadlineKind.ACKNOWLEDGE, policy.ACKNOWLEDGE, at, case=case)
    uow.record(
        case,
        Action.LOG,
        by=by,
        at=at,
        now=now,
        **log_details(
            consumer=name,
            email=email,
            address=address,
            channel=case.channel,
            category=case.category,
            summary=summary,
            dispute=dispute,
            board=case.board,
            about=complaint.about,
            out_of_time=out_of_time,
            acknowledge_due=due,
            **({"restriction_overridden": override} if override else {}),
        ),
    )
    if resolved_informally is not None:
        _close(
            uow,
            case,
            Stage.CLOSED,
            CloseReason.RESOLVED_INFORMALLY,
            None,
            required(resolved_informally, "--resolved-informally"),
            by=by,
            at=at,
            now=now,
        )
    return case, earlier, due


def log_details(
    *,
    consumer: str,
    email: str | None,
    address: str | None,
    channel: str,
    category: str,
    summary: str,
    dispute: str | None,
    board: bool,
    about: date | None,
    out_of_time: bool,
    acknowledge_due: datetime,
    **extra: str,
) -> dict[str, object]:
    """What a `log` history entry records: the complaint as received (log and import alike)."""
    return {
        "consumer": consumer,
        "email": email,
        "address": address,
        "channel": channel,
        "category": category,
        "summary": summary,
        "dispute": dispute,
        "board": board,
        "about": about,
        "out_of_time": out_of_time,
        "acknowledge_due": acknowledge_due,
        **extra,
    }


def _consumer_for(
    uow: UnitOfWork,
    complaint: NewComplaint,
    name: str,
    email: str | None,
    address: str | None,
    at: datetime,
) -> tuple[Consumer, list[tuple[str, str, datetime]]]:
    """The consumer, matched by email or else name and address, with their earlier cases.

    A repeat complainant's latest name and address replace the old ones (history keeps what
    each complaint said).
    """
    from complaintctl.store.models import Consumer

    consumer = (
        uow.consumer_by_email(email)
        if email
        else uow.consumer_by_name_and_address(name, address or "")
    )
    earlier: list[tuple[str, str, datetime]] = []
    if consumer is None:
        consumer = Consumer(name=name, email=email, address=address, created_at=at)
    else:
        earlier = uow.cases_of(consumer)
        consumer.name = name
        consumer.address = address or consumer.address
    if complaint.preferred_contact:
        consumer.preferred_contact = complaint.preferred_contact
    if complaint.adjustments:
        known = json.loads(consumer.adjustments)
        consumer.adjustments = json.dumps(sorted({*known, *complaint.adjustments}))
    uow.add(consumer)
    uow.flush()
    return consumer, earlier


def _check_restrictions(
    uow: UnitOfWork,
    consumer: Consumer,
    dispute: str | None,
    actor: Actor,
    override: str | None,
) -> str | None:
    """Refuse a consumer restricted from the procedure or from this matter, unless a senior
    role overrides it with a reason; a genuinely new matter needs a person to decide [std]."""
    if consumer.id is None:
        return None
    blocking = [
        r
        for r in uow.restrictions_of(consumer)
        if r.scope == RestrictionScope.PROCEDURE
        or (r.scope == RestrictionScope.SAME_MATTER and dispute and r.dispute_ref == dispute)
    ]
    if not blocking:
        return None
    described = "; ".join(restriction_view(uow, r).describe() for r in blocking)
    if override is None:
        raise ConsumerRestricted(
            f"{consumer.name} is restricted: {described}; a senior-leader or "
            "senior-complaint-executive may log it with --override-restriction REASON"
        )
    authorise_store(actor, StoreAction.OVERRIDE_RESTRICTION)
    return f"{required(override, '--override-restriction')} ({described})"


# -- the first stage -----------------------------------------------------------------------


def begin_step(
    uow: UnitOfWork, ref: str, action: Action, *, by: str, at: datetime
) -> tuple[Case, Stage]:
    """What every step on a case checks first: the acting person may take `action` on the
    case, its stage allows it, and `at` is not before its last step. The case and the stage
    the step leads to."""
    actor = acting_staff(uow, by)
    case = find_case(uow, ref)
    seen = uow.seen_versions.get(case.ref)
    if seen is not None and seen != case.version:
        raise CaseChanged(
            f"case {case.ref} changed since you looked (version {seen}, now {case.version}): "
            f"it is now {describe_state(case)}; look again before acting"
        )
    authorise(actor, action, case)
    target = check_order(uow, case, action, at)
    case.version += 1
    return case, target


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
    not_in_future(at, now)
    case, target = begin_step(uow, ref, Action.ACKNOWLEDGE, by=by, at=at)
    area = _known_area(uow, required(area, "--area"))
    accepted_late = optional(out_of_time_reason)
    if case.out_of_time and accepted_late is None:
        raise InvalidInput(
            f"{case.ref} is about an issue more than 6 months before it was received; accept it "
            "with --out-of-time-reason TEXT, or close it out of scope (--because out-of-time)"
        )
    clock = running_clock(uow, case, DeadlineKind.ACKNOWLEDGE)
    assert clock is not None
    uow.end_deadline(clock, at=at, outcome="met")
    case.stage, case.area = target.value, area
    uow.add(case)
    respond_due = start_clock(uow, DeadlineKind.RESPOND, policy.RESPOND, at, case=case)
    uow.record(
        case,
        Action.ACKNOWLEDGE,
        by=by,
        at=at,
        now=now,
        area=area,
        due=clock.due_at,
        on_time=at <= clock.due_at,
        respond_due=respond_due,
        **({"out_of_time_accepted": accepted_late} if accepted_late else {}),
    )
    uow.commit()
    return case_view(uow, case, as_of=at, warnings=coverage_warnings(uow.calendar(), respond_due))


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
    not_in_future(at, now)
    case, _ = begin_step(uow, ref, Action.ASSIGN, by=by, at=at)
    responder = active_staff(uow, to)
    if responder.area != case.area:
        raise InvalidInput(
            f"{responder.username} works in {responder.area or 'no area'}, "
            f"not {case.area}, the area {case.ref} was routed to"
        )
    previous = case.responder
    case.responder = responder.username
    uow.add(case)
    uow.record(case, Action.ASSIGN, by=by, at=at, now=now, to=responder.username, was=previous)
    uow.commit()
    return case_view(uow, case, as_of=at)


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
    summary = required(summary, "--summary")
    pence = remedies.pence()
    case, target = begin_step(uow, ref, Action.RESPOND, by=by, at=at)
    if case.responder is None:
        raise ActionNotAllowed(f"{case.ref} has no responder yet: assign one first (assign)")
    _record_response(uow, case, "first", decision, summary, remedies, pence, by, at)
    clock = running_clock(uow, case, DeadlineKind.RESPOND)
    if clock is not None:
        uow.end_deadline(clock, at=at, outcome="met")
    case.stage, case.first_responder = target.value, by
    uow.add(case)
    uow.record(
        case,
        Action.RESPOND,
        by=by,
        at=at,
        now=now,
        decision=decision.value,
        summary=summary,
        remedies=remedies.names(),
        goodwill_pence=pence,
        on_time=clock is None or at <= clock.due_at,
    )
    uow.commit()
    return case_view(uow, case, as_of=at)


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
    case, _ = begin_step(uow, ref, Action.EXTEND, by=by, at=at)
    kind = DeadlineKind.RESPOND if case.stage == Stage.FIRST_STAGE else DeadlineKind.FINAL
    clock = running_clock(uow, case, kind)
    assert clock is not None
    if at > clock.due_at:
        # A timescale is agreed before the deadline [std]: agreeing one afterwards would
        # erase a breach from the record.
        raise ActionNotAllowed(
            f"the {kind.value} deadline of {case.ref} passed at "
            f"{format_instant(clock.due_at, uow.calendar().tz)}; a timescale agreed after a "
            "breach does not replace the deadline"
        )
    if until <= clock.due_at:
        tz = uow.calendar().tz
        raise InvalidInput(
            f"--until must be later than the current {kind.value} deadline "
            f"({format_instant(clock.due_at, tz)})"
        )
    old_due = clock.due_at
    agree_due(clock, until, f"agreed with the consumer by {by}: {reason}")
    uow.add(clock)
    uow.record(
        case,
        Action.EXTEND,
        by=by,
        at=at,
        now=now,
        kind=kind.value,
        old_due=old_due,
        new_due=until,
        reason=reason,
    )
    uow.commit()
    return case_view(uow, case, as_of=at, warnings=coverage_warnings(uow.calendar(), until))


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
    not_in_future(at, now)
    case, target = begin_step(uow, ref, Action.ESCALATE, by=by, at=at)
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
    case.stage, case.handler = target.value, handler.username
    uow.add(case)
    due = start_clock(uow, DeadlineKind.FINAL, policy.FINAL, at, case=case)
    uow.record(
        case,
        Action.ESCALATE,
        by=by,
        at=at,
        now=now,
        to=handler.username,
        reason=optional(reason),
        final_due=due,
    )
    uow.commit()
    return case_view(uow, case, as_of=at, warnings=coverage_warnings(uow.calendar(), due))


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
    summary = required(summary, "--summary")
    pence = remedies.pence()
    case, target = begin_step(uow, ref, Action.FINAL, by=by, at=at)
    _record_response(uow, case, "final", decision, summary, remedies, pence, by, at)
    clock = running_clock(uow, case, DeadlineKind.FINAL)
    if clock is not None:
        uow.end_deadline(clock, at=at, outcome="met")
    case.stage = target.value
    uow.add(case)
    refer_by = start_clock(uow, DeadlineKind.REFERRAL_WINDOW, policy.REFERRAL_WINDOW, at, case=case)
    uow.record(
        case,
        Action.FINAL,
        by=by,
        at=at,
        now=now,
        decision=decision.value,
        summary=summary,
        remedies=remedies.names(),
        goodwill_pence=pence,
        on_time=clock is None or at <= clock.due_at,
        how_to_refer=policy.HOW_TO_REFER,
        refer_by=refer_by,
    )
    uow.commit()
    return case_view(uow, case, as_of=at)


def refer(
    uow: UnitOfWork, *, ref: str, late_reason: str | None, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record the consumer's referral to the Independent Assessor; one later than 3 months
    after the final response needs a reason."""
    not_in_future(at, now)
    case, target = begin_step(uow, ref, Action.REFER, by=by, at=at)
    window = running_clock(uow, case, DeadlineKind.REFERRAL_WINDOW)
    late = window is not None and at > window.due_at
    if late and not optional(late_reason):
        assert window is not None
        raise InvalidInput(
            f"the referral window closed {format_instant(window.due_at, uow.calendar().tz)}; "
            "record why it is accepted late with --late-reason"
        )
    if window is not None:
        uow.end_deadline(window, at=at, outcome="met")
    case.stage = target.value
    uow.add(case)
    uow.record(
        case, Action.REFER, by=by, at=at, now=now, late=late, late_reason=optional(late_reason)
    )
    uow.commit()
    return case_view(uow, case, as_of=at)


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
    not_in_future(at, now)
    case, target = begin_step(uow, ref, Action.OUTCOME, by=by, at=at)
    case.stage = target.value
    uow.add(case)
    uow.record(
        case,
        Action.OUTCOME,
        by=by,
        at=at,
        now=now,
        outcome=outcome.value,
        recommendation=optional(recommendation),
    )
    uow.commit()
    return case_view(uow, case, as_of=at)


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
    from complaintctl.domain.procedure import CLOSE_REASONS

    not_in_future(at, now)
    if reason == CloseReason.OUT_OF_SCOPE and because is None:
        raise InvalidInput(
            "say why it is out of scope: --because decision, provider-remedy or out-of-time"
        )
    if reason != CloseReason.OUT_OF_SCOPE and because is not None:
        raise InvalidInput("--because goes with --reason out-of-scope")
    case, target = begin_step(uow, ref, Action.CLOSE, by=by, at=at)
    if Stage(case.stage) not in CLOSE_REASONS[reason]:
        allowed = ", ".join(sorted(s.value for s in CLOSE_REASONS[reason]))
        raise ActionNotAllowed(
            f"cannot close {case.ref} as {reason.value} at stage {case.stage}; "
            f"that reason fits a case at stage {allowed}"
        )
    _close(uow, case, target, reason, because, note, by=by, at=at, now=now)
    uow.commit()
    return case_view(uow, case, as_of=at)


def _close(
    uow: UnitOfWork,
    case: Case,
    target: Stage,
    reason: CloseReason,
    because: OutOfScope | None,
    note: str | None,
    *,
    by: str,
    at: datetime,
    now: datetime,
) -> None:
    stop_running_clocks(uow, case, at, "cancelled")
    case.stage = target.value
    case.close_reason = reason.value if because is None else f"{reason.value}: {because.value}"
    uow.add(case)
    uow.record(
        case,
        Action.CLOSE,
        by=by,
        at=at,
        now=now,
        reason=reason.value,
        because=because.value if because else None,
        where_instead=WHERE_INSTEAD[because] if because else None,
        note=optional(note),
    )


def record_incident(
    uow: UnitOfWork, *, ref: str, note: str, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record abusive contact towards staff [page]; shown on the consumer from then on."""
    from complaintctl.store.models import Incident

    not_in_future(at, now)
    note = required(note, "--note")
    actor = acting_staff(uow, by)
    case = find_case(uow, ref)
    authorise(actor, Action.INCIDENT, case)
    if at < case.received_at:
        raise InvalidInput(f"--at is before {case.ref} was received")
    uow.add(
        Incident(consumer_id=case.consumer_id, case_id=case.id, note=note, recorded_by=by, at=at)
    )
    uow.record(case, Action.INCIDENT, by=by, at=at, now=now, note=note)
    uow.commit()
    return case_view(uow, case, as_of=at)


# -- reading -------------------------------------------------------------------------------


def show_case(uow: UnitOfWork, *, ref: str, as_of: datetime) -> CaseView:
    case = find_case(uow, ref)
    running = [d.due_at for d in uow.deadlines(case) if d.ended_at is None]
    return case_view(uow, case, as_of=as_of, warnings=coverage_warnings(uow.calendar(), *running))


def overdue(
    uow: UnitOfWork,
    *,
    as_of: datetime,
    kinds: Sequence[str] = (),
    due_within: str | None = None,
) -> OverdueReport:
    """Clocks past due at `as_of`, with how late each is in working and calendar time; with
    `due_within` (working time), also those that will be past due by then (negative lateness).

    The referral window is the consumer's, not a clock staff can breach: it is not listed.
    """
    from complaintctl.services.queue import working_duration

    calendar = uow.calendar()
    wanted = [k.value for k in OverdueKind if not kinds or k.value in kinds]
    due_before = (
        calendar.add_working_time(as_of, working_duration(uow, due_within, "--due-within"))
        if due_within is not None
        else None
    )
    rows = uow.overdue(as_of, wanted, due_before)
    lateness = calendar.working_times_to([row[4] for row in rows], as_of)  # each one's due
    # In OverdueItem's order, by position: about half the time keywords take, per row.
    items = tuple(
        OverdueItem(ref, kind, consumer, received_at, due, late, as_of - due, restriction, version)
        for (ref, kind, consumer, received_at, due, restriction, version), late in zip(
            rows, lateness, strict=True
        )
    )
    return OverdueReport(
        zone=calendar.zone,
        as_of=as_of,
        items=items,
        warnings=coverage_warnings(calendar, as_of),
    )
