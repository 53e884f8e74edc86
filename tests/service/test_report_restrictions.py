"""The restriction figures count what had been recorded by the cutoff, as every figure does: a
restriction decided, reviewed or lifted with an earlier --at but recorded after the cutoff
leaves that cutoff's figures as they were; and they outlive retention and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintctl import services
from complaintctl.domain.periods import parse_period
from complaintctl.domain.procedure import CloseReason, RestrictionScope
from complaintctl.views import report_json
from tests.conftest import UnitFactory
from tests.service.journey import act, log, t

LATER = t("2027-06-01T12:00")
APRIL = t("2027-04-06T10:00")  # after March's cutoff (Wed 31 Mar 23:00 UTC)
NAMES = ("restrictions_decided", "restrictions_in_force", "restriction_reviews_overdue")


def restrict(unit: UnitFactory, email: str, at: datetime, now: datetime | None = None) -> int:
    view = act(unit, services.restrict, email=email, consumer_id=None,
               scope=RestrictionScope.PROCEDURE, reason=f"Abusive: {email}", review=None,
               dispute=None, channel=None, via=None, by="sam.senior", at=at,
               now=now or at)  # fmt: skip
    return int(view.id)


def lift(unit: UnitFactory, restriction_id: int, at: datetime, now: datetime) -> None:
    act(unit, services.lift, restriction_id=restriction_id, reason="Behaviour improved",
        by="sam.senior", at=at, now=now)  # fmt: skip


def report(unit: UnitFactory, period: str = "2027-03", as_of: datetime = LATER) -> Any:
    with unit(write=False) as uow:
        return services.report(uow, period=parse_period(period), as_of=as_of)


def restriction_figures(unit: UnitFactory, period: str = "2027-03") -> tuple[Any, ...]:
    rows = {r.figure: r.value for r in report(unit, period).current.figures}
    return tuple(rows[name] for name in NAMES)


def consumers(unit: UnitFactory) -> dict[str, int]:
    """Ann restricted since August (her review due in February, overdue in March); Bob
    restricted in March; Cara not restricted. Each has a case, closed."""
    ids: dict[str, int] = {}
    for name in ("Ann", "Bob", "Cara"):
        email = f"{name.lower()}@example.com"
        ref = log(unit, t("2026-07-01T10:00"), consumer=f"{name} Smith", email=email)
        act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None,
            note=None, by="officer.one", at=t("2026-07-02T10:00"))  # fmt: skip
    ids["ann"] = restrict(unit, "ann@example.com", t("2026-08-02T10:00"))
    ids["bob"] = restrict(unit, "bob@example.com", t("2027-03-10T10:00"))
    return ids


def test_the_march_figures_are_worked_out_by_hand(unit: UnitFactory) -> None:
    consumers(unit)
    assert (1, 2, 1) == restriction_figures(unit)


def test_a_restriction_dated_in_march_but_recorded_in_april_counts_in_april_only(
    unit: UnitFactory,
) -> None:
    consumers(unit)
    before = report_json(report(unit))

    restrict(unit, "cara@example.com", t("2027-03-20T10:00"), now=APRIL)

    assert before == report_json(report(unit))
    # April's cutoff knows it: in force, though decided (by its date) in March.
    assert (0, 3, 1) == restriction_figures(unit, "2027-04")
    # Replayed as of a moment in April before it was recorded, it is not known yet.
    early = report(unit, "2027-04", t("2027-04-06T09:00")).current.figures
    early = {r.figure: r.value for r in early}
    assert 2 == early["restrictions_in_force"]


def test_a_lift_dated_in_march_but_recorded_in_april_leaves_it_in_force_in_march(
    unit: UnitFactory,
) -> None:
    ids = consumers(unit)
    before = report_json(report(unit))

    lift(unit, ids["ann"], t("2027-03-20T10:00"), now=APRIL)
    lift(unit, ids["bob"], t("2027-03-25T10:00"), now=APRIL)

    assert before == report_json(report(unit))
    assert (1, 2, 1) == restriction_figures(unit)
    assert (0, 0, 0) == restriction_figures(unit, "2027-04")


def test_a_review_dated_in_march_but_recorded_in_april_leaves_it_overdue_in_march(
    unit: UnitFactory,
) -> None:
    ids = consumers(unit)
    before = report_json(report(unit))

    act(unit, services.review_restriction, restriction_id=ids["ann"],
        next_review=t("2027-09-20T10:00"), reason="Still abusive", by="sam.senior",
        at=t("2027-03-20T10:00"), now=APRIL)  # fmt: skip

    assert before == report_json(report(unit))
    assert (0, 2, 0) == restriction_figures(unit, "2027-04")


def test_a_restriction_lifted_at_the_cutoff_is_lifted_then_as_its_review_is_over(
    unit: UnitFactory,
) -> None:
    # Ann's restriction, its review overdue since February, is lifted at the very moment the
    # figures are counted to: lifted then, so neither in force nor with a review overdue (as
    # `overdue --as-of` that moment has it, and as a case closed at the cutoff is not open).
    ids = consumers(unit)
    lift(unit, ids["ann"], APRIL, now=APRIL)

    rows = {r.figure: r.value for r in report(unit, "2027-04", APRIL).current.figures}
    assert (0, 1, 0) == tuple(rows[name] for name in NAMES)  # Bob's alone in force
    before = {
        r.figure: r.value for r in report(unit, "2027-04", t("2027-04-06T09:59")).current.figures
    }
    assert (0, 2, 1) == tuple(before[name] for name in NAMES)


def test_the_figures_are_the_same_after_erasure_and_retention(unit: UnitFactory) -> None:
    ids = consumers(unit)
    lift(unit, ids["ann"], t("2027-03-20T10:00"), now=APRIL)
    lift(unit, ids["bob"], t("2027-03-25T10:00"), now=APRIL)
    periods = ("2026-08", "2027-02", "2027-03", "2027-04")
    before = [report_json(report(unit, p)) for p in periods]

    with unit() as uow:
        services.erase_consumer(uow, email="ann@example.com", consumer_id=None,
                                reason="Asked in writing", by="sam.senior", now=LATER)  # fmt: skip
    assert before == [report_json(report(unit, p)) for p in periods]
    with unit() as uow:
        services.apply_retention(uow, by="sam.senior", now=t("2034-01-01T12:00"), dry_run=False)
    assert before == [report_json(report(unit, p)) for p in periods]
