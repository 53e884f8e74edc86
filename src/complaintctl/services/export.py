"""Exporting cases, with their deadlines and outcomes, for spreadsheets and other tools.

Streams in pages, so a store of any size exports in flat memory. The columns import reads come
first and round-trip through `import` into a fresh store.

An export holds consumers' names, emails, addresses and what they wrote, so each one is
recorded in the store's history (MODEL.md, "Personal data": every export of personal data is
recorded, who, when, for whom): `begin_export` checks who is exporting and the filters before
anything is written, and `record_export` records what was written once it is whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from complaintctl.domain.clocks import MET, STEP_CLOCKS, DeadlineKind
from complaintctl.domain.instants import format_instant, start_of_day
from complaintctl.domain.procedure import Action, Stage
from complaintctl.errors import InvalidInput
from complaintctl.services.common import acting_staff, listing_filters, required
from complaintctl.services.imports import FIELDS
from complaintctl.text import LABEL
from complaintctl.views import close_json

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork

# After the importable columns: where the case stands, its clocks and its outcomes.
COLUMNS = (
    *FIELDS,
    "ref",
    "stage",
    "area",
    "owner",
    "handler",
    "close_reason",
    "close_because",
    "out_of_time",
    "acknowledge_due",
    "acknowledged_at",
    "respond_due",
    "responded_at",
    "final_due",
    "final_at",
    "first_decision",
    "final_decision",
    "assessor_outcome",
)
_PAGE = 1000
# The step that meets each clock exported with when it was met (STEP_CLOCKS).
_MET_BY = {
    kind.value: action.value
    for action in (Action.ACKNOWLEDGE, Action.RESPOND, Action.FINAL)
    for kind in STEP_CLOCKS[action].meets
    if kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.RESPOND, DeadlineKind.FINAL)
}


def export_cases(
    uow: UnitOfWork,
    *,
    stages: Sequence[str] = (),
    area: str | None = None,
    owner: str | None = None,
    unassigned: bool = False,
    category: str | None = None,
    board: bool | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching case as one record, oldest first; received dates are inclusive: what
    an export holds, for reading in the store's own code and tests. Nothing is recorded:
    what gives the records out of the store (the `export` command) goes through
    `begin_export` and `record_export`, so that it is recorded.

    The filters are checked here, before the first record is asked for, so a refusal comes
    before anything is written.
    """
    areas, owner = _checked(uow, stages, area, owner, unassigned, received_from, received_to)
    return _records(
        uow, stages, areas, owner, unassigned, category, board, received_from, received_to
    )


def _checked(
    uow: UnitOfWork,
    stages: Sequence[str],
    area: str | None,
    owner: str | None,
    unassigned: bool,
    received_from: date | None,
    received_to: date | None,
) -> tuple[tuple[str, ...] | None, str | None]:
    """The filters checked: the area as every spelling the cases hold, the owner as the
    store keeps their username (services/common.listing_filters)."""
    if received_from and received_to and received_to < received_from:
        raise InvalidInput("--to is before --from")
    return listing_filters(uow, area, owner, unassigned=unassigned, stages=tuple(stages) or None)


@dataclass
class CasesExport:
    """An export under way: who makes it, the filters it was given (none of them a consumer's
    data: stages, an area, a member of staff, a category, the Board flag, dates), and its
    records, counted as they are written."""

    by: str
    filters: dict[str, Any]
    for_whom: str | None
    source: Iterator[dict[str, Any]]
    count: int = field(default=0, init=False)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for record in self.source:
            self.count += 1
            yield record


def begin_export(
    uow: UnitOfWork,
    *,
    by: str,
    for_whom: str | None = None,
    stages: Sequence[str] = (),
    area: str | None = None,
    owner: str | None = None,
    unassigned: bool = False,
    category: str | None = None,
    board: bool | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> CasesExport:
    """The matching cases to export, once the acting member (any active member of staff, as
    for `consumer export`), `for_whom` and the filters are checked: a refusal comes before
    anything is written."""
    exporter = acting_staff(uow, by).username
    # Who the export is for: a team, an organisation, a purpose. Kept in the history for good,
    # as staff's names are: it is no consumer's data (README says to name none in it).
    if for_whom is not None:  # given empty (a variable not set) is refused, not taken as none
        for_whom = required(for_whom, "--for", LABEL)
    areas, member = _checked(uow, stages, area, owner, unassigned, received_from, received_to)
    records = _records(
        uow, stages, areas, member, unassigned, category, board, received_from, received_to
    )
    given: dict[str, Any] = {
        "stage": list(stages) or None,
        "area": area.strip() if area is not None else None,
        "owner": member,
        "unassigned": unassigned or None,
        "category": category,
        "board": board,
        "from": received_from.isoformat() if received_from else None,
        "to": received_to.isoformat() if received_to else None,
    }
    filters = {name: value for name, value in given.items() if value is not None}
    return CasesExport(exporter, filters, for_whom, records)


def record_export(
    uow: UnitOfWork,
    export: CasesExport,
    *,
    format: str,
    to: str | None,
    sha256: str,
    now: datetime,
) -> int:
    """Record, and commit, that `export` was written whole: by whom, when, in what format,
    where (`to`: the file's name, without its folder, as an import records the file it read;
    None, stdout), how many cases, the filters, who it is for, and the SHA-256 of the bytes
    written, never the content. The entry's id."""
    by = acting_staff(uow, export.by).username
    details: dict[str, Any] = {
        "format": format,
        "to": to if to is not None else "stdout",
        "cases": export.count,
        "filters": export.filters,
        "sha256": sha256,
    }
    if export.for_whom is not None:
        details["for"] = export.for_whom
    entry = uow.record(None, Action.CASES_EXPORTED, by=by, at=now, now=now, **details)
    uow.commit()
    assert entry.id is not None
    return entry.id


def _records(
    uow: UnitOfWork,
    stages: Sequence[str],
    areas: tuple[str, ...] | None,
    owner: str | None,
    unassigned: bool,
    category: str | None,
    board: bool | None,
    received_from: date | None,
    received_to: date | None,
) -> Iterator[dict[str, Any]]:
    from complaintctl.store import listings

    calendar = uow.calendar()
    tz = calendar.tz
    start = (
        start_of_day(received_from, tz)
        if received_from
        else datetime(1970, 1, 1, tzinfo=calendar.tz)
    )
    end = (
        start_of_day(received_to + timedelta(days=1), tz)
        if received_to
        else datetime(9999, 1, 1, tzinfo=calendar.tz)
    )
    cases = listings.CaseFilter(
        stages=tuple(stages) or tuple(s.value for s in Stage),
        areas=areas,
        owner=owner,
        unassigned=unassigned,
        category=category,
        board=board,
    )

    def when(instant: datetime | None) -> str | None:
        return format_instant(instant, tz) if instant else None

    after = 0
    while True:
        page = listings.export_page(uow, cases, after, _PAGE, (start, end))
        if not page:
            return
        ids = [row.id for row in page]
        # When each step happened, as the history has it (its --at): a step recorded after
        # its deadline had passed ends its clock when it was recorded (a breach on record,
        # domain/clocks.clock_ends_at), but the columns say when the step was taken, as
        # `history` and the report's figures do.
        steps: dict[tuple[int, str], datetime] = {}
        for case_id, action, at in listings.steps_of_cases(uow, ids, list(_MET_BY.values())):
            steps[case_id, action] = at  # the last one recorded
        clocks: dict[int, dict[str, Any]] = {}
        for case_id, kind, due, ended, outcome in listings.deadlines_of_cases(uow, ids):
            clocks.setdefault(case_id, {})[f"{kind}_due"] = when(due)
            step = steps.get((case_id, _MET_BY.get(kind, "")), ended)
            met = when(step) if outcome == MET else None
            clocks[case_id][f"{kind}_met"] = met
        decisions: dict[int, dict[str, str]] = {}
        for case_id, stage, decision in listings.outcomes_of_cases(uow, ids):
            decisions.setdefault(case_id, {})[stage] = decision
        for row in page:
            clock = clocks.get(row.id, {})
            decided = decisions.get(row.id, {})
            yield {
                "consumer": row.consumer,
                "email": row.email,
                "address": row.address,
                "channel": row.channel,
                "category": row.category,
                "summary": row.summary,
                "dispute": row.dispute,
                # To the microsecond: re-importing finds the case by its exact receipt time.
                "received_at": row.received_at.astimezone(tz).isoformat(),
                "board": bool(row.board),
                "about": row.about.isoformat() if row.about else None,
                "preferred_contact": row.preferred_contact,
                "adjustments": json.loads(row.adjustments),
                # A case logged by hand has no source id; a re-import finds it by its
                # consumer, receipt time and summary instead.
                "source_id": row.source_id,
                "ref": row.ref,
                "stage": row.stage,
                "area": row.area,
                # As in the queue: the second-stage handler owns the case once escalated.
                "owner": row.handler or row.responder,
                "handler": row.handler,
                **close_json(row.close_reason),
                "out_of_time": bool(row.out_of_time),
                "acknowledge_due": clock.get("acknowledge_due"),
                "acknowledged_at": clock.get("acknowledge_met"),
                "respond_due": clock.get("respond_due"),
                "responded_at": clock.get("respond_met"),
                "final_due": clock.get("final_due"),
                "final_at": clock.get("final_met"),
                "first_decision": decided.get("first"),
                "final_decision": decided.get("final"),
                "assessor_outcome": decided.get("assessor"),
            }
        after = page[-1].id
