"""The queue officers work from: open cases, most urgent first, coloured by their next deadline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from complaintctl.domain import policy
from complaintctl.domain.instants import InstantError, parse_working_duration
from complaintctl.domain.procedure import Stage
from complaintctl.errors import InvalidInput
from complaintctl.services.common import coverage_warnings
from complaintctl.views import QueueItem, QueueReport

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork

# Cases still in the procedure; closed and assessed ones have nothing left to do.
OPEN_STAGES = tuple(s.value for s in Stage if s not in (Stage.CLOSED, Stage.ASSESSED))


def working_duration(uow: UnitOfWork, text: str, option: str) -> timedelta:
    try:
        return parse_working_duration(text, uow.calendar().working_day())
    except InstantError as err:
        raise InvalidInput(f"{option}: {err}") from None


def queue(
    uow: UnitOfWork,
    *,
    as_of: datetime,
    stages: Sequence[str] = (),
    area: str | None = None,
    owner: str | None = None,
    unassigned: bool = False,
    breached: bool = False,
    due_within: str | None = None,
    category: str | None = None,
    board: bool | None = None,
    warn_within: str = policy.WARN_WITHIN,
) -> QueueReport:
    """Open cases with their next deadline: breached, due soon (within `warn_within` working
    time), on track, or waiting on the consumer. `due_within` keeps those due by then."""
    from complaintctl.store.uow import QueueQuery

    calendar = uow.calendar()
    warn = working_duration(uow, warn_within, "--warn-within")
    due_by = (
        calendar.add_working_time(as_of, working_duration(uow, due_within, "--due-within"))
        if due_within is not None
        else None
    )
    rows = uow.queue(
        QueueQuery(
            # Closed and assessed cases have nothing left to do: never in the queue.
            stages=tuple(s for s in stages if s in OPEN_STAGES) if stages else OPEN_STAGES,
            area=area,
            owner=owner,
            unassigned=unassigned,
            category=category,
            board=board,
            due_by=due_by,
        )
    )
    items = []
    # Most consumers share a few adjustment lists ("[]" above all): read each text once.
    adjustments: dict[str, tuple[str, ...]] = {}
    # Working time left to each due instant: minus the working time from it to `as_of`.
    dues = [row[13] for row in rows if row[13] is not None]  # each running clock's due
    since_due = iter(calendar.working_times_to(dues, as_of))
    for (
        ref, consumer, adjustments_text, restricted, stage, case_area, responder, handler,
        case_category, case_board, received_at, summary, kind, due, version,
    ) in rows:  # fmt: skip
        if due is None:
            state, left = "waiting", timedelta(0)
        else:
            left = -next(since_due)
            if as_of > due:
                state = "breached"
            elif left <= warn:
                state = "due-soon"
            else:
                state = "on-track"
        if breached and state != "breached":
            continue
        listed = adjustments.get(adjustments_text)
        if listed is None:
            listed = adjustments[adjustments_text] = tuple(json.loads(adjustments_text))
        # In QueueItem's order, by position: about half the time keywords take, per row.
        items.append(
            QueueItem(
                ref,
                consumer,
                listed,
                bool(restricted),
                stage,
                case_area,
                handler or responder,  # the owner
                case_category,
                bool(case_board),
                received_at,
                summary,
                kind,
                due,
                state,
                left,
                version,
            )
        )
    return QueueReport(
        zone=calendar.zone,
        as_of=as_of,
        warn_within=warn,
        items=tuple(items),
        warnings=coverage_warnings(calendar, as_of),
    )
