"""Steps taken on many cases: the line each case's step is told by, built from the plan without
reading the case back, says what reading it back whole would."""

from __future__ import annotations

from typing import Any

from complaintctl import services
from complaintctl.domain.procedure import CloseReason, OutOfScope
from complaintctl.views import CaseView, StepLine
from tests.conftest import UnitFactory
from tests.service.journey import log, t

AT = t("2026-12-03T11:00")
NOW = t("2026-12-15T12:00")  # after the acknowledgement deadlines: met late, with a warning


def both_ways(unit: UnitFactory, refs: list[str], spec: Any, by: str) -> list[Any]:
    """Each case's line and its whole view, from dry runs that write nothing, then the step."""
    seen = []
    for full_views in (False, True):
        with unit() as uow:
            result = services.take_steps(
                uow, refs, spec, by=by, at=AT, now=NOW, continue_on_error=False,
                dry_run=True, full_views=full_views,
            )  # fmt: skip
            assert () == result.refused
            seen.append(result.done)
    with unit() as uow:
        services.take_steps(
            uow, refs, spec, by=by, at=AT, now=NOW, continue_on_error=False, dry_run=False
        )
    lines, views = seen
    assert all(isinstance(line, StepLine) for line in lines)
    assert all(isinstance(view, CaseView) for view in views)
    return [
        (line, StepLine(*(getattr(view, field) for field in StepLine._fields)))
        for line, view in zip(lines, views, strict=True)
    ]


def test_a_step_line_says_what_the_case_read_back_says(unit: UnitFactory) -> None:
    refs = [log(unit, t(f"2026-12-0{day}T10:00")) for day in (1, 2)]

    for spec, by in [
        (services.Acknowledge("Casework"), "officer.one"),
        (services.Assign("rita.responder"), "lee.leader"),
        (services.Close(CloseReason.OUT_OF_SCOPE, OutOfScope.DECISION), "officer.one"),
    ]:
        pairs = both_ways(unit, refs, spec, by)
        assert [view for _, view in pairs] == [line for line, _ in pairs]
        if isinstance(spec, services.Acknowledge):
            assert all(line.warnings for line, _ in pairs)  # met late, when recorded
    assert ["out-of-scope: decision"] * 2 == [line.close_reason for line, _ in pairs]
