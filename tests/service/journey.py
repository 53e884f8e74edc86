"""Carrying a case through the procedure at the service layer, for the service tests.

Instants are written as London wall time in winter (equal to UTC); "now" is 1 June 2027, after
every instant the tests use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from complaintctl import services
from complaintctl.domain.procedure import (
    Category,
    Channel,
    CloseReason,
    Decision,
    Remedy,
    RestrictionScope,
)
from tests.conftest import UnitFactory

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def t(text: str) -> datetime:
    """Winter test instants: London wall time is UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def act(unit: UnitFactory, verb: Any, **kwargs: Any) -> Any:
    """Take a step as it happens: recorded at its `at` unless `now` says otherwise (a step
    recorded after a deadline it is dated before is met late, services.clocks.step_clocks)."""
    kwargs.setdefault("now", kwargs.get("at", NOW))
    with unit() as uow:
        return verb(uow, **kwargs)


def log(
    unit: UnitFactory,
    at: datetime,
    by: str = "officer.one",
    now: datetime | None = None,
    resolved_informally: str | None = None,
    override_restriction: str | None = None,
    **changes: Any,
) -> str:
    """Log Ann Smith's complaint (or one with `changes`); its reference."""
    fields: dict[str, Any] = {
        "consumer": "Ann Smith",
        "email": "ann@example.com",
        "channel": Channel.EMAIL,
        "category": Category.DELAY,
        "summary": "No reply",
    }
    fields.update(changes)
    view = act(
        unit,
        services.log_complaint,
        complaint=services.NewComplaint(**fields),
        by=by,
        at=at,
        now=now or at,
        resolved_informally=resolved_informally,
        override_restriction=override_restriction,
    )
    ref: str = view.ref
    return ref


def restrict(unit: UnitFactory, at: datetime, **changes: Any) -> Any:
    """Restrict Ann Smith (or whom `changes` name) from the formal procedure, as a senior
    decides it at `at`; the restriction's view."""
    fields: dict[str, Any] = {
        "email": "ann@example.com",
        "consumer_id": None,
        "scope": RestrictionScope.PROCEDURE,
        "reason": "Repeated abuse",
        "review": None,
        "dispute": None,
        "channel": None,
        "via": None,
        "by": "sam.senior",
    }
    fields.update(changes)
    return act(unit, services.restrict, at=at, **fields)


def withdraw(
    unit: UnitFactory, ref: str, at: datetime, note: str | None = None
) -> services.CaseView:
    """The consumer withdraws: officer.one closes the case at `at`."""
    view: services.CaseView = act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=note,
        by="officer.one",
        at=at,
    )
    return view


def show(unit: UnitFactory, ref: str, as_of: datetime = NOW) -> services.CaseView:
    with unit(write=False) as uow:
        return services.show_case(uow, ref=ref, as_of=as_of, as_recorded=True)


def due(view: services.CaseView, kind: str) -> datetime:
    return next(d.due for d in reversed(view.deadlines) if d.kind == kind)


def to_first_stage(unit: UnitFactory) -> str:
    ref = log(unit, t("2026-11-30T10:00"))
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    return ref


def to_responded(unit: UnitFactory, responder: str = "rita.responder") -> str:
    ref = to_first_stage(unit)
    act(unit, services.assign, ref=ref, to=responder, by="lee.leader", at=t("2026-12-01T11:00"))
    act(
        unit,
        services.respond,
        ref=ref,
        decision=Decision.NOT_UPHELD,
        summary="We did reply",
        remedies=services.Remedies(),
        by=responder,
        at=t("2026-12-03T10:00"),
    )
    return ref


def to_second_stage(unit: UnitFactory) -> str:
    ref = to_responded(unit)
    act(
        unit,
        services.escalate,
        ref=ref,
        to="hana.handler",
        reason="Unhappy",
        by="officer.one",
        at=t("2026-12-07T10:00"),
    )
    return ref


def to_final(unit: UnitFactory) -> str:
    ref = to_second_stage(unit)
    act(
        unit,
        services.final_response,
        ref=ref,
        decision=Decision.PARTLY_UPHELD,
        summary="Partly",
        remedies=services.Remedies((Remedy.APOLOGY,), "25.50"),
        by="hana.handler",
        at=t("2027-01-04T10:00"),
    )
    return ref
