"""Cases for the letters' tests, taken through the procedure at the service layer, and making
letters from them as `complaintctl letter` does (make_letters, then record_issued).

Ann Smith's complaint goes through every step: logged, acknowledged to Casework, an agreed
timescale into British Summer Time, a first response partly upheld with a goodwill payment,
escalated, and a final response upheld; then Ann is restricted. Bob Brown's is closed out of
scope. Winter instants are London wall time (equal to UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl import services
from complaintctl.config import Organisation
from complaintctl.domain.letters import LetterFormat, required_items
from complaintctl.domain.procedure import (
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
    RestrictionScope,
)
from complaintctl.errors import ComplaintError
from complaintctl.letters import Templates
from complaintctl.services.letters import make_letters, record_issued
from complaintctl.views import Letter
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, log, t

ANN_ADDRESS = "1 High Street\nWarrington\nWA1 1AA"
EXTENDED_TO = t("2027-03-31T16:30")  # 5:30pm BST
ALL_KINDS = (
    "acknowledgement",
    "extension",
    "first-response",
    "final-response",
    "out-of-scope",
    "restriction",
)


def letter(
    unit: UnitFactory,
    ref: str,
    kind: str,
    format: LetterFormat = LetterFormat.TEXT,
    *,
    issue: bool = False,
    reissue: bool = False,
    templates: Path | None = None,
    organisation: Organisation | None = None,
    by: str = "officer.one",
    at: datetime = NOW,
    now: datetime | None = None,
    restriction: int | None = None,
) -> Letter:
    """The letter `complaintctl letter REF KIND` makes (and with `issue`, records); a case's
    refusal raised."""
    with unit() as uow:
        batch = make_letters(
            uow,
            refs=[ref],
            kind=kind,
            format=format,
            templates=Templates(templates),
            organisation=organisation or Organisation(),
            issue=issue or reissue,
            reissue=reissue,
            pdf_ok=lambda: True,
            at=at,
            now=now or at,
            restriction=restriction,
        )
        if batch.refused:
            raise batch.refused[0][1]
        refused = record_issued(uow, batch, by=by, at=at, now=now or at, dry_run=False)
        if refused:
            raise refused[0][1]
        (made,) = batch.letters
        return made


def available(unit: UnitFactory, ref: str) -> list[str]:
    """The built-in kinds of letter the case can have now."""
    kinds = []
    for kind in ALL_KINDS:
        try:
            letter(unit, ref, kind)
        except ComplaintError:
            continue
        kinds.append(kind)
    return kinds


def said(text: str | bytes) -> str:
    """A letter's text as one line, however it was wrapped."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return " ".join(text.split())


def squashed(text: str) -> str:
    """Text without its spaces and hyphens: what a PDF's words say, however the lines broke
    (pdftotext joins a word cut at a hyphen at the end of a line)."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def required_values(made: Letter) -> list[str]:
    """What the letter must carry, as it should read: each required fact's value (each remedy,
    each line of the Assessor's contact details)."""
    values: list[str] = []
    for item in required_items(made.kind):
        value: Any = made.facts[item.name]
        values.extend(value if isinstance(value, list) else str(value).splitlines())
    return [value for value in values if value.strip()]


@dataclass(frozen=True)
class Journey:
    ann: str  # every step, and Ann restricted
    bob: str  # closed out of scope


def ann_at_every_step(unit: UnitFactory, *, until: str = "restricted") -> str:
    """Ann's case, taken as far as `until`: logged, acknowledged, extended, responded,
    escalated, final, restricted."""
    order = ["logged", "acknowledged", "extended", "responded", "escalated", "final", "restricted"]
    steps = order[: order.index(until) + 1]
    ref = log(
        unit,
        t("2026-11-30T10:00"),
        address=ANN_ADDRESS,
        summary="No reply to my letters since October",
    )
    for step in steps[1:]:
        take(unit, ref, step)
    return ref


def take(unit: UnitFactory, ref: str, step: str) -> None:
    """One step of Ann's journey."""
    if step == "acknowledged":
        act(
            unit,
            services.acknowledge,
            ref=ref,
            area="Casework",
            by="officer.one",
            at=t("2026-12-01T10:00"),
        )
        act(
            unit,
            services.assign,
            ref=ref,
            to="rita.responder",
            by="lee.leader",
            at=t("2026-12-01T11:00"),
        )
    elif step == "extended":
        act(
            unit,
            services.extend,
            ref=ref,
            until=EXTENDED_TO,
            reason="We need records from the provider",
            by="rita.responder",
            at=t("2026-12-02T10:00"),
        )
    elif step == "responded":
        act(
            unit,
            services.respond,
            ref=ref,
            decision=Decision.PARTLY_UPHELD,
            summary="We were slow to reply to your letters.",
            remedies=services.Remedies((Remedy.APOLOGY,), "50"),
            by="rita.responder",
            at=t("2026-12-03T10:00"),
        )
    elif step == "escalated":
        act(
            unit,
            services.escalate,
            ref=ref,
            to="hana.handler",
            reason="Unhappy",
            by="officer.one",
            at=t("2026-12-07T10:00"),
        )
    elif step == "final":
        act(
            unit,
            services.final_response,
            ref=ref,
            decision=Decision.UPHELD,
            summary="We did not keep to the timescale we agreed with you.",
            remedies=services.Remedies((Remedy.APOLOGY, Remedy.EXPLANATION), "1250"),
            by="hana.handler",
            at=t("2027-01-04T10:00"),
        )
    elif step == "restricted":
        act(
            unit,
            services.restrict,
            email="ann@example.com",
            consumer_id=None,
            scope=RestrictionScope.PROCEDURE,
            reason="Repeated abusive calls to staff",
            review=None,
            dispute=None,
            channel=None,
            via=None,
            by="sam.senior",
            at=t("2027-01-05T12:00"),
        )
    else:
        raise AssertionError(step)


def bob_out_of_scope(unit: UnitFactory, *, closed: bool = True) -> str:
    ref = log(
        unit,
        t("2026-11-30T11:00"),
        consumer="Bob Brown",
        email="bob@example.com",
        summary="I disagree with the decision on my dispute",
    )
    if closed:
        act(
            unit,
            services.close,
            ref=ref,
            reason=CloseReason.OUT_OF_SCOPE,
            because=OutOfScope.DECISION,
            note=None,
            by="officer.one",
            at=t("2026-12-01T10:00"),
        )
    return ref


def journey(unit: UnitFactory) -> Journey:
    return Journey(ann_at_every_step(unit), bob_out_of_scope(unit))


def large_print(
    unit: UnitFactory, email: str = "ann@example.com", *, as_typed: str = "large-print"
) -> None:
    act(
        unit,
        services.update_consumer,
        email=email,
        consumer_id=None,
        preferred_contact=None,
        add_adjustments=(as_typed,),
        remove_adjustments=(),
        by="officer.one",
        at=t("2027-01-06T10:00"),
    )
