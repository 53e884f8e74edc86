"""A sandbox store for trying the tool and training staff: a realistic mix of cases.

Every case is built through the same verbs an officer uses, dated backwards from `now` in
working time, so the queue shows some cases breached, some due soon and some on track whatever
the day the demo is made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from complaintctl import services
from complaintctl.domain.procedure import (
    Category,
    Channel,
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
    RestrictionScope,
    Role,
)
from complaintctl.errors import InvalidInput

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork

TEAM = [
    ("sam", "Sam Senior", Role.SENIOR_COMPLAINT_EXECUTIVE, None),
    ("olu", "Olu Officer", Role.OFFICER, None),
    ("priya", "Priya Officer", Role.OFFICER, None),
    ("lee", "Lee Leader", Role.LEADER, "Casework"),
    ("rita", "Rita Responder", Role.OFFICER, "Casework"),
    ("raj", "Raj Responder", Role.OFFICER, "Casework"),
    ("lena", "Lena Leader", Role.LEADER, "Energy"),
    ("eve", "Eve Energy", Role.OFFICER, "Energy"),
    ("hana", "Hana Handler", Role.SENIOR_LEADER, None),
]

Units = Callable[[], "UnitOfWork"]


def fill(units: Units, now: datetime) -> list[str]:
    """Fill an empty store with the demo team and cases; returns the references made."""
    with units() as uow:
        if uow.staff_count():
            raise InvalidInput("the demo only fills an empty store")
        calendar = uow.calendar()

    def ago(hours: float) -> datetime:
        """`hours` of working time before now."""
        return calendar.subtract_working_time(now, timedelta(hours=hours))

    def step(verb: Callable[..., Any], **kwargs: Any) -> Any:
        """Take a step as though it were recorded when it happened (at its `at`)."""
        with units() as uow:
            return verb(uow, now=kwargs.get("at", now), **kwargs)

    for username, name, role, area in TEAM:
        step(
            services.add_staff,
            username=username,
            name=name,
            role=role,
            area=area,
            by="sam",
            at=ago(400),
        )

    def log(consumer: str, email: str, summary: str, hours_ago: float, **extra: Any) -> str:
        override = extra.pop("override_restriction", None)
        by = extra.pop("by", "olu")
        complaint = services.NewComplaint(
            consumer=consumer,
            email=email,
            channel=extra.pop("channel", Channel.ONLINE),
            category=extra.pop("category", Category.DELAY),
            summary=summary,
            **extra,
        )
        view = step(
            services.log_complaint,
            complaint=complaint,
            by=by,
            at=ago(hours_ago),
            override_restriction=override,
        )
        ref: str = view.ref
        return ref

    def ack(ref: str, area: str, hours_ago: float) -> None:
        step(services.acknowledge, ref=ref, area=area, by="olu", at=ago(hours_ago))

    def assign(ref: str, to: str, by: str, hours_ago: float) -> None:
        step(services.assign, ref=ref, to=to, by=by, at=ago(hours_ago))

    def respond(ref: str, by: str, hours_ago: float, decision: Decision, summary: str) -> None:
        step(
            services.respond,
            ref=ref,
            decision=decision,
            summary=summary,
            remedies=services.Remedies((Remedy.APOLOGY,)),
            by=by,
            at=ago(hours_ago),
        )

    refs = []
    # Awaiting acknowledgement: one on track, one due soon, one breached.
    refs.append(
        log(
            "Grace Hopper",
            "grace@example.com",
            "Case handler did not return my calls",
            2,
            channel=Channel.PHONE,
        )
    )
    refs.append(
        log(
            "Alan Turing",
            "alan@example.com",
            "Nobody told me my case had closed",
            21,
            category=Category.UPDATES,
        )
    )
    refs.append(
        log(
            "Ada Lovelace",
            "ada@example.com",
            "Letters ignored for six weeks",
            40,
            category=Category.DELAY,
            channel=Channel.POST,
            adjustments=("large-print",),
            preferred_contact="post",
        )
    )
    # First stage: routed, responder due soon; routed and unassigned, breached.
    ref = log(
        "Mary Seacole",
        "mary@example.com",
        "Rude phone call from a case handler",
        30,
        category=Category.MISTREATED,
        adjustments=("bsl",),
    )
    ack(ref, "Casework", 22)
    assign(ref, "rita", "lee", 21)
    refs.append(ref)
    ref = log(
        "Isambard Brunel",
        "isambard@example.com",
        "Decision letter was confusing",
        60,
        category=Category.EXPLANATION,
    )
    ack(ref, "Energy", 50)
    refs.append(ref)
    # First-stage response given: waiting to hear whether the consumer accepts or escalates.
    ref = log(
        "Rosalind Franklin",
        "rosalind@example.com",
        "Evidence was not considered",
        90,
        category=Category.PROCESS,
        dispute="D-204811",
    )
    ack(ref, "Casework", 85)
    assign(ref, "raj", "lee", 84)
    respond(ref, "raj", 70, Decision.PARTLY_UPHELD, "We should have logged your evidence")
    refs.append(ref)
    # Second stage, addressed to the Board; the final response on track.
    ref = log(
        "Florence Nightingale",
        "florence@example.com",
        "Complaint to the Board about delays",
        120,
        board=True,
    )
    ack(ref, "Casework", 115)
    assign(ref, "rita", "lee", 114)
    respond(ref, "rita", 100, Decision.NOT_UPHELD, "The timescales were met")
    step(
        services.escalate,
        ref=ref,
        to="hana",
        reason="Disagrees with the response",
        by="olu",
        at=ago(60),
    )
    refs.append(ref)
    # The final response given, then referred to the Independent Assessor.
    ref = log(
        "Charles Babbage",
        "charles@example.com",
        "Repeated requests for documents",
        400,
        category=Category.PROCESS,
    )
    ack(ref, "Energy", 395)
    assign(ref, "eve", "lena", 394)
    respond(ref, "eve", 380, Decision.NOT_UPHELD, "Documents were requested once")
    step(services.escalate, ref=ref, to="sam", reason=None, by="priya", at=ago(370))
    step(
        services.final_response,
        ref=ref,
        decision=Decision.UPHELD,
        summary="We asked too often",
        remedies=services.Remedies((Remedy.APOLOGY,), "50"),
        by="sam",
        at=ago(300),
        causes=("process-not-followed",),
    )
    # The goodwill's "pay" action, opened by the final response, done in time.
    with units() as uow:
        (pay,) = services.list_actions(uow, as_of=ago(300), open_only=True)
    step(services.action_done, action_id=pay.id, note="Paid by BACS", by="sam", at=ago(290))
    step(services.refer, ref=ref, late_reason=None, by="priya", at=ago(200))
    refs.append(ref)
    # Triage: out of scope, and one resolved on the spot.
    ref = log(
        "Edward Jenner",
        "edward@example.com",
        "I disagree with the final decision",
        30,
        category=Category.OTHER,
    )
    step(
        services.close,
        ref=ref,
        reason=CloseReason.OUT_OF_SCOPE,
        because=OutOfScope.DECISION,
        note="Told about decision review",
        by="priya",
        at=ago(28),
    )
    refs.append(ref)
    # A restricted consumer: contact only through one named officer, after an incident.
    ref = log(
        "Nikola Tesla",
        "nikola@example.com",
        "Forty emails unanswered",
        200,
        category=Category.UPDATES,
    )
    step(
        services.record_incident,
        ref=ref,
        note="Abusive voicemail to case handler",
        by="olu",
        at=ago(150),
    )
    step(
        services.restrict,
        email="nikola@example.com",
        consumer_id=None,
        scope=RestrictionScope.CONTACT,
        reason="Abusive contact with several staff",
        review=None,
        dispute=None,
        channel=None,
        via="priya",
        by="sam",
        at=ago(140),
    )
    ack(ref, "Casework", 100)
    refs.append(ref)
    return refs
