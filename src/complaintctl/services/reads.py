"""What officers read: one case, one consumer, the queue of open cases, what is overdue, and
the cases a search finds.

Read-only: nothing here writes. The listings select columns (store/listings.py) and work out
the working time to `as_of` once for all their rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from complaintctl.domain import policy
from complaintctl.domain.calendar import CalendarError, past_due_date
from complaintctl.domain.clocks import QUEUE_CLOCKS, STAFF_CLOCKS, DeadlineKind
from complaintctl.domain.instants import InstantError, format_local, parse_working_duration
from complaintctl.domain.procedure import Stage, stage_from_history
from complaintctl.domain.search import MORE_COUNTED, SearchText
from complaintctl.errors import InvalidInput
from complaintctl.services.clocks import SetThen, clock_as_recorded, clocks_on_record
from complaintctl.services.common import (
    EVERY_ENTRY,
    HANDLER,
    OWNER_CHANGES,
    RESPONDER,
    SetClock,
    agreed_among,
    case_view,
    clocks_coverage,
    coverage_warnings,
    event_views,
    find_case,
    listing_filters,
    owner_as_recorded,
    restriction_view,
)
from complaintctl.services.restrictions import find_consumer
from complaintctl.views import (
    CaseView,
    ConsumerCase,
    ConsumerRecord,
    EventView,
    FindReport,
    FoundCase,
    IncidentView,
    OverdueItem,
    OverdueReport,
    QueueItem,
    QueueReport,
)

if TYPE_CHECKING:
    from complaintctl.store.listings import OverdueRow, QueueRow
    from complaintctl.store.models import Case
    from complaintctl.store.uow import UnitOfWork

# Cases still in the procedure; closed and assessed ones have nothing left to do.
OPEN_STAGES = tuple(s.value for s in Stage if s not in (Stage.CLOSED, Stage.ASSESSED))


def show_case(uow: UnitOfWork, *, ref: str, as_of: datetime, as_recorded: bool = False) -> CaseView:
    """The case as the store holds it, its deadlines judged at `as_of`; with `as_recorded`,
    for a time asked for (--as-of), the whole case as its history recorded by `as_of` had it
    (`case_view`): its stage, area, responses, close, history, who held it, each due and the
    actions open then."""
    case = find_case(uow, ref)
    view = case_view(uow, case, as_of=as_of, recorded_by=as_of if as_recorded else EVERY_ENTRY)
    # A deadline counted in working time from before the known bank holidays may be early too;
    # its open actions' clocks too. A date agreed or set by hand is not counted: it stands.
    # Of a time asked for, those the history recorded by then had running, as shown.
    running = _running_then(uow, case, view, as_of) if as_recorded else _running(uow, case)
    view = replace(view, warnings=clocks_coverage(uow.calendar(), running))
    if as_recorded and not view.history:
        # Typed in after `as_of` (even dated before it): nothing of it was on record then, as
        # `report` leaves it out of a period it was recorded after.
        tz = uow.calendar().tz
        first = min((e.recorded_at for e in uow.history(case)), default=None)
        typed = f": it was recorded {format_local(first, tz)}" if first is not None else ""
        view = replace(
            view,
            warnings=(
                *view.warnings,
                f"{case.ref} was not yet on record as of {format_local(as_of, tz)}{typed}",
            ),
        )
    return view


def _running(uow: UnitOfWork, case: Case) -> list[SetClock]:
    """The case's clocks running now, and its open actions'."""
    running: list[SetClock] = [d for d in uow.deadlines(case) if d.ended_at is None]
    running += [
        d
        for a in uow.actions_of(case, open_only=True)
        for d in uow.action_clocks(a)
        if d.ended_at is None
    ]
    return running


def _running_then(uow: UnitOfWork, case: Case, view: CaseView, as_of: datetime) -> list[SetClock]:
    """The case's clocks running at `as_of` as its history recorded by then had them set
    (`clocks_on_record`, `clock_as_recorded`: one started since not there, one met since
    still running, an extension agreed since undone), and the actions `view` lists open
    then, each with its due then, as `show --as-of` shows them."""
    history = event_views(uow.history(case))
    running: list[SetClock] = [
        clock_as_recorded(d, history, as_of)
        for d, ended in clocks_on_record(uow.deadlines(case), history, as_of)
        if not (ended and d.ended_at is not None and d.ended_at <= as_of)
    ]
    for action in view.actions:
        row = uow.action(action.id)
        # An action without its clock is a store changed by hand (`db verify` names it): shown
        # as plain `show` shows it, with nothing to warn of.
        clocks = uow.action_clocks(row) if row is not None else ()
        if clocks:
            running.append(SetThen(action.opened_at, action.due, clocks[-1].unit))
    return running


def show_consumer(
    uow: UnitOfWork, *, email: str | None, consumer_id: int | None, as_of: datetime
) -> ConsumerRecord:
    """A consumer's whole record: contact and needs, every restriction, the incidents against
    them, each of their cases with where it stands and how it ended, and their subject-access
    requests as they stand at `as_of`."""
    from complaintctl.services.sar import request_view
    from complaintctl.store import listings

    consumer = find_consumer(uow, email=email, consumer_id=consumer_id)
    assert consumer.id is not None
    rows = listings.cases_of_consumer(uow, consumer.id)
    decided: dict[int, dict[str, str]] = {}
    for case_id, stage, decision in listings.outcomes_of_cases(uow, [row[0] for row in rows]):
        decided.setdefault(case_id, {})[stage] = decision
    cases = tuple(
        ConsumerCase(
            ref,
            version,
            stage,
            received_at,
            close_reason,
            decided.get(case_id, {}).get("first"),
            decided.get(case_id, {}).get("final"),
            decided.get(case_id, {}).get("assessor"),
        )
        for case_id, ref, version, stage, received_at, close_reason in rows
    )
    return ConsumerRecord(
        zone=uow.calendar().zone,
        id=consumer.id,
        name=consumer.name,
        email=consumer.email,
        address=consumer.address,
        preferred_contact=consumer.preferred_contact,
        adjustments=tuple(json.loads(consumer.adjustments)),
        restrictions=tuple(
            restriction_view(uow, r) for r in uow.restrictions_of(consumer, lifted=True)
        ),
        incidents=tuple(
            IncidentView(ref, note, by, at) for ref, note, by, at in uow.incidents_of(consumer)
        ),
        cases=cases,
        subject_access=tuple(
            request_view(uow, request, as_of) for request in uow.requests_of(consumer)
        ),
    )


def working_duration(uow: UnitOfWork, text: str, option: str, *, typed: bool = True) -> timedelta:
    """`text`, a working duration given as `option` (or, not `typed`, stored in a rule)."""
    try:
        return parse_working_duration(text, uow.calendar().working_day(), typed=typed)
    except InstantError as err:
        raise InvalidInput(f"{option}: {err}") from None


def window_end(
    uow: UnitOfWork, as_of: datetime, due_within: str | None, named: str = "--due-within"
) -> datetime | None:
    """The last instant with at most `due_within` of working time left from `as_of`.

    A window ending at a close reaches on to the next opening: a deadline agreed for Saturday
    noon has exactly as much working time left as one at Friday's close."""
    if due_within is None:
        return None
    calendar = uow.calendar()
    amount = working_duration(uow, due_within, named)
    try:
        return calendar.next_opening(calendar.add_working_time(as_of, amount))
    except CalendarError:
        raise beyond_the_calendar(named, due_within) from None


def beyond_the_calendar(option: str, text: str) -> InvalidInput:
    """Working time that opening hours of a few hours a week do not hold within the ten years
    the calendar is counted in (`domain.calendar`), refused as a duration too long is."""
    return InvalidInput(
        f"{option}: {text.strip()!r} of working time runs more than 10 years ahead on this "
        "calendar's opening hours"
    )


def _listed_coverage(
    uow: UnitOfWork,
    as_of: datetime,
    listed: Iterable[tuple[str, str, datetime]],
    agreed_then: dict[tuple[str, str], bool] | None = None,
) -> tuple[str, ...]:
    """`coverage_warnings` of a listing's dues (each its kind, what it is on and its due), as
    `show` gives them (`clocks_coverage`): the earliest and latest counted on the calendar
    (`_outermost`), a date agreed or set by hand (`agreed_among`) as one that stands, and
    `as_of`, which the working time shown is counted to, where anything is listed. A clock
    whose extension recorded since was undone (`agreed_then`, by kind and what it is on) was
    a date agreed then or not as the history recorded by `as_of` had it, whatever it is now."""
    items = list(listed)
    calendar = uow.calendar()
    agreed = agreed_among(uow, as_of, items)
    if agreed_then:
        agreed = {item for item in items if agreed_then.get(item[:2], item in agreed)}
    counted = _outermost(item[2] for item in items if item not in agreed)
    if counted and calendar.local_date(as_of) < calendar.known_from:
        # A deadline counted on the calendar and running then was counted from before them.
        counted = (*counted, as_of)
    fixed = [item[2] for item in items if item in agreed]
    return coverage_warnings(calendar, *counted, agreed=fixed, as_of=as_of if items else None)


def _outermost(dues: Iterable[datetime]) -> tuple[datetime, ...]:
    """The earliest and latest of the dues a listing shows: a listing that shows a deadline
    outside the years whose bank holidays are known warns of it (README, "How deadlines are
    counted"), as `show` does, not only when its own date is outside them."""
    listed = list(dues)
    return (min(listed), max(listed)) if listed else ()


def overdue(
    uow: UnitOfWork,
    *,
    as_of: datetime,
    kinds: Sequence[str] = (),
    due_within: str | None = None,
    as_recorded: bool = False,
) -> OverdueReport:
    """Clocks staff owe that are past due at `as_of`, with how late each is in working and
    calendar time; with `due_within` (working time), also those that will be past due by then
    (negative lateness). The referral window is the consumer's, so it is never listed.
    `as_recorded`, for a time asked for (--as-of): each due, and who owes it, as the history
    recorded by `as_of` had them, as `queue` gives them."""
    from complaintctl.store import listings

    calendar = uow.calendar()
    wanted = [kind.value for kind in STAFF_CLOCKS if not kinds or kind.value in kinds]
    due_before = window_end(uow, as_of, due_within)
    # Each due as recorded by `as_of`, as `show --as-of` gives it: an extension or calendar
    # change recorded since undone (services/clocks), and who owes it then: a case or action
    # handed on since undone. Commonly there is none; now, each due and owner is the one stored.
    moved = _moves_since(uow, as_of, wanted, owners=True) if as_recorded else None
    extended: dict[tuple[str, str], _Clock] = {}
    if moved:  # the dues as then may order and filter otherwise than the SQL would
        rows = listings.overdue(uow, as_of, wanted, any_due=True)
        rows = _overdue_as_recorded(rows, moved, as_of, due_before, extended)
    else:
        rows = listings.overdue(uow, as_of, wanted, due_before)
    if due_before is None:
        rows = [row for row in rows if _past_due(row, as_of)]
    lateness = calendar.working_times_to([row[listings.OVERDUE_DUE] for row in rows], as_of)
    handed_on = moved.owners if moved is not None else {}
    # Built by position, in OverdueItem's order: a listing makes one per row (benchmarks/).
    items = tuple(
        OverdueItem(
            ref,
            kind,
            consumer,
            received_at,
            due,
            late,
            as_of - due,
            restriction,
            version,
            consumer_id,
            email,
            sar,
            action,
            _owner_then(owner, kind, action, handed_on[ref], as_of)
            if ref is not None and ref in handed_on
            else owner,
        )
        for (
            ref,
            kind,
            consumer,
            received_at,
            due,
            restriction,
            version,
            consumer_id,
            email,
            sar,
            action,
            owner,
        ), late in zip(rows, lateness, strict=True)
    )
    return OverdueReport(
        zone=calendar.zone,
        as_of=as_of,
        items=items,
        warnings=_listed_coverage(
            uow,
            as_of,
            (
                (i.kind, str(i.action_id or i.restriction_id or i.sar_id or i.ref), i.due)
                for i in items
            ),
            _agreed_then(uow, extended, moved.of_cases if moved else {}, as_of),
        ),
        working_day=calendar.working_day(),
        calendar=calendar,
    )


class _Moves(NamedTuple):
    """The extensions and calendar recomputes recorded since a moment: a case's, by case, in
    the order recorded, as `due_as_recorded` reads a case's history; a subject-access
    request's details, latest first, as `request_due_as_recorded` reads them. And apart, by
    case in the order recorded, each handing on of a case or its actions recorded since, as
    `owner_as_recorded` reads them (they move no due: not counted as moves)."""

    of_cases: dict[str, list[EventView]]
    of_requests: list[dict[str, Any]]
    owners: dict[str, list[EventView]]

    def __bool__(self) -> bool:
        return bool(self.of_cases or self.of_requests)


def _moves_since(
    uow: UnitOfWork,
    as_of: datetime,
    kinds: Sequence[str],
    *,
    owners: bool = False,
    owner_stages: Sequence[str] | None = None,
) -> _Moves:
    """The moves recorded after `as_of` of the clocks of `kinds` running then or now: what
    `queue` and `overdue` undo to give each due as recorded by `as_of`; with `owners`, the
    cases and actions handed on since too (`listings.moves_since`), in the same statement."""
    from complaintctl.store import listings
    from complaintctl.store.types import details_of

    moves = _Moves({}, [], {})
    rows = listings.moves_since(uow, as_of, kinds, owners=owners, owner_stages=owner_stages)
    for ref, action, details, recorded_at in rows:
        if ref is None:
            moves.of_requests.append(details_of(details))
            continue
        entry = EventView(action, "", recorded_at, recorded_at, details_of(details))
        held = moves.owners if action in OWNER_CHANGES else moves.of_cases
        held.setdefault(ref, []).append(entry)
    moves.of_requests.reverse()  # latest first
    return moves


def _owner_then(
    owner: str | None, kind: str, action: int | None, since: list[EventView], as_of: datetime
) -> str | None:
    """Who owed an overdue item as the history recorded by `as_of` had it, given who owes it
    now (`listings._overdue_owner`): an action's owner, a response's responder, a final
    response's handler, each handed on since undone."""
    if action is not None:
        return owner_as_recorded(owner, action, since, as_of) or owner
    if kind == DeadlineKind.RESPOND.value:
        return owner_as_recorded(owner, RESPONDER, since, as_of)
    if kind == DeadlineKind.FINAL.value:
        return owner_as_recorded(owner, HANDLER, since, as_of)
    return owner


def _past_due(row: OverdueRow, as_of: datetime) -> bool:
    """Whether `overdue`'s row is past due at `as_of`, as the listing has it (due before
    it), but for a subject-access request's: its due is a date, whose last second is in time
    (`past_due_date`)."""
    from complaintctl.store.listings import OVERDUE_DUE, OVERDUE_SAR

    due = row[OVERDUE_DUE]
    return past_due_date(due, as_of) if row[OVERDUE_SAR] is not None else due < as_of


def _overdue_as_recorded(
    rows: Sequence[OverdueRow],
    moved: _Moves,
    as_of: datetime,
    due_before: datetime | None,
    extended: dict[tuple[str, str], _Clock],
) -> list[OverdueRow]:
    """`overdue`'s rows with each due as recorded by `as_of`: a case's clock's by
    `agreed_as_recorded` (into `extended`, by kind and ref, each clock an extension of which
    recorded since was undone, as it is now), an action's by `action_due_as_recorded`, a
    subject-access request's by `request_due_as_recorded` (a restriction's review is never
    moved: a review ends its clock and starts the next); those due by `due_before`, else past
    due at `as_of`, in the listing's order."""
    from complaintctl.services.clocks import (
        action_due_as_recorded,
        agreed_as_recorded,
        request_due_as_recorded,
    )
    from complaintctl.store import listings

    at = listings.OVERDUE_DUE
    then = []
    for row in rows:
        ref, kind, _, _, due, _, _, _, _, sar, action, _ = row
        if sar is not None:
            due = request_due_as_recorded(sar, due, moved.of_requests)
        elif ref in moved.of_cases and action is not None:
            due = action_due_as_recorded(action, due, moved.of_cases[ref], as_of)
        elif ref in moved.of_cases:
            clock = _Clock(kind, due)
            due, agreed = agreed_as_recorded(clock, moved.of_cases[ref], as_of)
            if agreed is not None:
                extended[kind, ref] = clock
        if due <= due_before if due_before is not None else due < as_of:
            then.append(cast("OverdueRow", (*row[:at], due, *row[at + 1 :])))
    then.sort(key=listings.overdue_order)
    return then


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
    due_within_named: str = "--due-within",
    warn_within_named: str = "--warn-within",
    area_named: str | None = None,
    owner_named: str | None = None,
    as_recorded: bool = False,
) -> QueueReport:
    """Open cases with their next deadline: breached, due soon (within `warn_within` working
    time), on track, or waiting on the consumer. `due_within` keeps those due by then. A
    duration refused is refused naming where it was given (`*_named`: an option, or the
    config file's key). `as_recorded`, for a time asked for (--as-of): each due, and each
    case's owner (`owner` and `unassigned` too), as the history recorded by `as_of` had them."""
    from complaintctl.store import listings

    if stages and not set(stages) & set(OPEN_STAGES):
        raise InvalidInput(
            f"closed and assessed cases are never in the queue (its stages are "
            f"{', '.join(OPEN_STAGES)}); export --stage lists them"
        )
    # Closed and assessed cases have nothing left to do: never in the queue.
    in_queue = tuple(s for s in stages if s in OPEN_STAGES) if stages else OPEN_STAGES
    areas, owner = listing_filters(
        uow, area, owner, unassigned=unassigned, stages=in_queue, area_named=area_named,
        owner_named=owner_named,
    )  # fmt: skip
    calendar = uow.calendar()
    warn = working_duration(uow, warn_within, warn_within_named)
    due_by = window_end(uow, as_of, due_within, due_within_named)
    cases = listings.CaseFilter(
        stages=in_queue,
        areas=areas,
        owner=owner,
        unassigned=unassigned,
        category=category,
        board=board,
    )
    clock_kinds = [kind.value for kind in QUEUE_CLOCKS]
    # Each due as recorded by `as_of`, as `show --as-of` gives it: an extension or calendar
    # change recorded since undone (services/clocks.due_as_recorded). Commonly there is none.
    # Now, each due is the one stored, whatever a colleague's clock says of when it was moved.
    # Who held each case then: one handed on since (`assign`, `escalate`) is listed, and kept
    # by `owner` and `unassigned`, by who held it as recorded by `as_of`.
    moves = (
        _moves_since(uow, as_of, clock_kinds, owners=True, owner_stages=in_queue)
        if as_recorded
        else _Moves({}, [], {})
    )
    moved, handed_on = moves.of_cases, moves.owners
    if handed_on and (owner is not None or unassigned):
        cases = replace(cases, owners_since=as_of)
    rows = listings.queue(uow, cases, clock_kinds=clock_kinds, due_by=None if moved else due_by)
    extended: dict[tuple[str, str], _Clock] = {}
    if moved:  # the dues as then may order and filter otherwise than the SQL did
        rows = _as_recorded(rows, moved, as_of, due_by, extended)
    if as_recorded:
        rows = _open_then(uow, rows, as_of, in_queue)
    items = []
    # Most consumers share a few adjustment lists ("[]" above all): read each text once.
    adjustments: dict[str, tuple[str, ...]] = {}
    # Working time left to each due instant: minus the working time from it to `as_of`.
    dues = [due for row in rows if (due := row[listings.QUEUE_DUE]) is not None]
    since_due = iter(calendar.working_times_to(dues, as_of))
    for (
        ref, consumer, adjustments_text, restricted, stage, case_area, responder, handler,
        case_category, case_board, received_at, summary, kind, due, version, consumer_id,
        email,
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
        if ref in handed_on:
            responder = owner_as_recorded(responder, RESPONDER, handed_on[ref], as_of)
            handler = owner_as_recorded(handler, HANDLER, handed_on[ref], as_of)
            held_by = handler or responder
            if (owner is not None and held_by != owner) or (unassigned and held_by is not None):
                continue
        listed = adjustments.get(adjustments_text)
        if listed is None:
            listed = adjustments[adjustments_text] = tuple(json.loads(adjustments_text))
        # Built by position, in QueueItem's order: a listing makes one per row (benchmarks/).
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
                consumer_id,
                email,
            )
        )
    return QueueReport(
        zone=calendar.zone,
        as_of=as_of,
        warn_within=warn,
        items=tuple(items),
        warnings=_listed_coverage(
            uow,
            as_of,
            ((i.kind, i.ref, i.due) for i in items if i.kind is not None and i.due is not None),
            _agreed_then(uow, extended, moved, as_of),
        ),
        working_day=calendar.working_day(),
        calendar=calendar,
        subject_access_dues=_subject_access_dues(uow, as_of),
    )


def _open_then(
    uow: UnitOfWork, rows: list[QueueRow], as_of: datetime, stages: Sequence[str]
) -> list[QueueRow]:
    """The queue's rows but a case closed as its history recorded by `as_of` had it (closed
    then, reopened since), as `show --as-of` gives its stage (`stage_from_history`) and as
    `overdue --as-of` owes nothing on it: a closed case is never in the queue, and its clock
    the reopen ran again did not run while it stood closed."""
    from complaintctl.store import listings

    closed = {
        ref
        for ref, actions in listings.reopened_since(uow, as_of, stages).items()
        if stage_from_history(actions) == Stage.CLOSED
    }
    return [row for row in rows if row[0] not in closed] if closed else rows


class _Clock(NamedTuple):
    kind: str
    due_at: datetime
    rule: str = ""


def _as_recorded(
    rows: Sequence[QueueRow],
    moved: dict[str, list[EventView]],
    as_of: datetime,
    due_by: datetime | None,
    extended: dict[tuple[str, str], _Clock],
) -> list[QueueRow]:
    """The queue's rows with each due as recorded by `as_of` (`agreed_as_recorded`: into
    `extended`, by kind and ref, each clock an extension of which recorded since was undone,
    as it is now), those due by `due_by` (if given), soonest due first as the listing orders
    them."""
    from complaintctl.services.clocks import agreed_as_recorded
    from complaintctl.store import listings

    at = listings.QUEUE_DUE
    then = []
    for row in rows:
        ref, kind, due = row[0], row[listings.QUEUE_KIND], row[listings.QUEUE_DUE]
        if due is not None and kind is not None and ref in moved:
            clock = _Clock(kind, due)
            due, agreed = agreed_as_recorded(clock, moved[ref], as_of)
            if agreed is not None:
                extended[kind, ref] = clock
            row = cast("QueueRow", (*row[:at], due, *row[at + 1 :]))
        if due_by is None or (due is not None and due <= due_by):
            then.append(row)
    then.sort(key=lambda row: (row[at] is None, row[at] or as_of, row[0]))
    return then


def _agreed_then(
    uow: UnitOfWork,
    extended: dict[tuple[str, str], _Clock],
    moved: dict[str, list[EventView]],
    as_of: datetime,
) -> dict[tuple[str, str], bool]:
    """Of the clocks (by kind and ref) an extension of which recorded since `as_of` was
    undone, whether a date agreed by then set their due then (`agreed_as_recorded`, over their
    extensions recorded by then and the moves since): a listing's due then stands as a date,
    or was counted on the calendar, as `show --as-of` has it, whatever the clock is now."""
    from complaintctl.services.clocks import agreed_as_recorded
    from complaintctl.store import listings
    from complaintctl.store.types import details_of

    if not extended:
        return {}
    earlier: dict[str, list[EventView]] = {}
    for ref, action, details, recorded_at in listings.extensions_by(
        uow, [ref for _, ref in extended], as_of
    ):
        entry = EventView(action, "", recorded_at, recorded_at, details_of(details))
        earlier.setdefault(ref, []).append(entry)
    then = {}
    for (kind, ref), clock in extended.items():
        _, agreed = agreed_as_recorded(clock, [*earlier.get(ref, []), *moved[ref]], as_of)
        then[kind, ref] = bool(agreed)
    return then


def _subject_access_dues(uow: UnitOfWork, as_of: datetime) -> tuple[datetime, ...]:
    """The dues of the subject-access requests running at `as_of`, soonest first, each as
    the history recorded by then had it (an extension or recompute since undone)."""
    from complaintctl.services.clocks import request_due_as_recorded
    from complaintctl.store import listings

    dues, moves = listings.subject_access_dues(uow, as_of)
    return tuple(sorted(request_due_as_recorded(sar, due, moves) for sar, due in dues.items()))


def find_cases(uow: UnitOfWork, *, text: str, limit: int | None = None) -> FindReport:
    """The cases, open or closed, whose reference, dispute reference, consumer's name, email
    or address, or summary holds every word of `text`, most recently received first; at most
    `limit` of them (None: all), with how many more match, counted up to MORE_COUNTED."""
    from complaintctl.store import listings

    search = SearchText.parse(text)
    found = listings.find(uow, search, limit)
    items = []
    for (
        ref, version, stage, received_at, consumer_id, consumer, email, address, dispute, summary,
    ) in found.rows:  # fmt: skip
        fields = {"ref": ref, "dispute": dispute, "consumer": consumer, "email": email,
                  "address": address, "summary": summary}  # fmt: skip
        matched = search.matched(fields)
        snippet = search.snippet(summary) if "summary" in matched else ""
        items.append(
            FoundCase(
                ref,
                version,
                stage,
                received_at,
                consumer_id,
                consumer,
                email,
                dispute,
                matched,
                snippet,
            )  # fmt: skip
        )
    more = found.counted - len(items)
    return FindReport(
        zone=uow.zone(),
        text=search.text,
        items=tuple(items),
        more=min(more, MORE_COUNTED),
        more_than=more > MORE_COUNTED,
    )
