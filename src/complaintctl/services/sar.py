"""Subject-access requests as a clock: a person asks for everything held about them, and the
answer is due one calendar month after receipt by the ICO's rule (domain/calendar.py,
`subject_access_due`), extendable once by up to two further months with reasons. Answering
one links the export sent (`consumer export`, services/subject_access.py) and records whether
it met its month.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from complaintctl.domain import policy
from complaintctl.domain.calendar import past_due_date, subject_access_due
from complaintctl.domain.clocks import MET, DeadlineKind
from complaintctl.domain.instants import format_apart, format_local
from complaintctl.domain.procedure import Action, StoreAction
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from complaintctl.services.common import (
    acting_staff,
    authorise_store,
    coverage_warnings,
    judged_at,
    not_in_future,
    required,
)
from complaintctl.services.restrictions import find_consumer
from complaintctl.views import SubjectAccessView

if TYPE_CHECKING:
    from complaintctl.store.models import Consumer, Deadline, Event, SubjectAccessRequest
    from complaintctl.store.uow import UnitOfWork


def _rule(months: int) -> str:
    extended = f" (1 month, extended by {months - 1})" if months > 1 else ""
    return (
        f"{months} month{'s' if months != 1 else ''} after receipt of the request{extended}: "
        "the corresponding date, or the next working day"
    )


def _due(uow: UnitOfWork, received_at: datetime, months: int) -> datetime:
    from complaintctl.store.calendar import BANK_HOLIDAY

    calendar = uow.calendar()
    since = calendar.local_date(received_at)
    holidays = {day.day for day in uow.closed_days(since) if day.kind == BANK_HOLIDAY}
    return subject_access_due(received_at, months, calendar.zone, holidays)


def request_due(uow: UnitOfWork, request: SubjectAccessRequest) -> datetime:
    """When `request` is due on the calendar as it stands: its month (and its extension, if
    extended) counted from its receipt by the ICO's rule."""
    return _due(uow, request.received_at, 1 + (request.extended_months or 0))


def open_request(
    uow: UnitOfWork,
    *,
    email: str | None,
    consumer_id: int | None,
    received_at: datetime,
    by: str,
    at: datetime,
    now: datetime,
) -> SubjectAccessView:
    """Record a subject-access request received at `received_at`; its month starts."""
    from complaintctl.store.models import Deadline, SubjectAccessRequest

    not_in_future(at, now, uow)
    if received_at > now:
        raise InvalidInput("--received is in the future; record a request once it has come in")
    if received_at > at:
        raise InvalidInput("--received is after --at: a request is recorded once it has come in")
    by = authorise_store(acting_staff(uow, by), StoreAction.ANSWER_SUBJECT_ACCESS)
    consumer = find_consumer(uow, email=email, consumer_id=consumer_id)
    assert consumer.id is not None
    also_open = _open_already(uow, consumer, received_at)
    if consumer.anonymised_at is not None:
        # Their month runs all the same (the request records nothing of them): an export
        # answers it with what is left.
        removed = format_local(consumer.anonymised_at, uow.calendar().tz)
        also_open = (
            f"consumer {consumer.id}'s personal data was removed ({removed}): an export holds "
            "none of it",
            *also_open,
        )
    due = _due(uow, received_at, 1)
    request = SubjectAccessRequest(
        consumer_id=consumer.id,
        received_at=received_at,
        due_at=due,
        opened_by=by,
        opened_at=at,
    )
    uow.add(request)
    uow.flush()
    rule = policy.SUBJECT_ACCESS
    uow.add(
        Deadline(
            sar_id=request.id,
            kind=DeadlineKind.SUBJECT_ACCESS.value,
            start_at=received_at,
            due_at=due,
            amount=rule.amount,
            unit=rule.unit,
            rule=_rule(1),
        )
    )
    uow.record(
        None,
        Action.SAR_OPENED,
        by=by,
        at=at,
        now=now,
        sar=request.id,
        consumer_id=consumer.id,
        received_at=received_at,
        due=due,
    )
    uow.commit()
    view = request_view(uow, request, judged_at(at, now))
    return replace(view, warnings=(*also_open, *view.warnings))


def _open_already(uow: UnitOfWork, consumer: Consumer, received_at: datetime) -> tuple[str, ...]:
    """The person's requests still open, as words to warn with; a refusal where one was
    received the same day: the same request typed twice, whose month is the same, and whose
    second clock would need an export of its own to stop."""
    calendar = uow.calendar()
    day = calendar.local_date(received_at)
    still_open = [r for r in uow.requests_of(consumer) if r.done_at is None]
    for request in still_open:
        if calendar.local_date(request.received_at) == day:
            raise ActionNotAllowed(
                f"{consumer.name}'s subject-access request {request.id}, received "
                f"{request.received_at.astimezone(calendar.tz):%a %Y-%m-%d}, is open already: "
                "a request received the same day is the same request (`complaintctl sar show "
                f"{request.id}`)"
            )
    return tuple(
        f"{consumer.name} has subject-access request {request.id} open already (received "
        f"{format_local(request.received_at, calendar.tz)}, due "
        f"{format_local(request.due_at, calendar.tz)}): `complaintctl sar show {request.id}`"
        for request in still_open
    )


def extend_request(
    uow: UnitOfWork,
    *,
    sar_id: int,
    months: int,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> SubjectAccessView:
    """Extend a request once, by one or two further months counted from its receipt, for the
    reasons the person is told; only within its first month (MODEL.md)."""
    not_in_future(at, now, uow)
    if not 1 <= months <= policy.SUBJECT_ACCESS_MAX_EXTENSION:
        raise InvalidInput(
            f"--months must be 1 or {policy.SUBJECT_ACCESS_MAX_EXTENSION}: a request may be "
            f"extended by up to {policy.SUBJECT_ACCESS_MAX_EXTENSION} further months"
        )
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.EXTEND_SUBJECT_ACCESS)
    request = _request(uow, sar_id)
    tz = uow.calendar().tz
    _still_open(request, tz)
    consumer = uow.consumer(request.consumer_id)
    if consumer.anonymised_at is not None:
        # Its reason may describe them, and retention and erasure have been already.
        raise ActionNotAllowed(
            f"consumer {consumer.id}'s personal data was removed "
            f"({format_local(consumer.anonymised_at, tz)}): the reason for an extension could "
            "never be removed in turn, and there is nothing of theirs left to gather"
        )
    if request.extended_months and request.extended_at is not None:
        raise ActionNotAllowed(
            f"subject-access request {sar_id} was extended already, by "
            f"{request.extended_months} month{'s' if request.extended_months != 1 else ''} "
            f"on {format_local(request.extended_at, tz)}: a request is extended once"
        )
    _not_before_recorded(request, at, tz)
    # Judged now as well as at --at: recorded once the due has passed, an extension would
    # lift a breach already on record, whatever date it gives (as a case's `extend`).
    if past_due_date(request.due_at, judged_at(at, now)):
        raise ActionNotAllowed(
            f"subject-access request {sar_id} was due {format_local(request.due_at, tz)}: "
            "an extension is made, and the person told, within the first month"
        )
    clock = _clock(uow, request)
    due = _due(uow, request.received_at, 1 + months)
    before = request.due_at
    request.due_at, request.extended_months = due, months
    request.extend_reason, request.extended_by, request.extended_at = reason, by, at
    clock.due_at, clock.amount, clock.rule = due, 1 + months, _rule(1 + months)
    uow.add(request)
    uow.add(clock)
    uow.record(
        None,
        Action.SAR_EXTENDED,
        by=by,
        at=at,
        now=now,
        sar=sar_id,
        consumer_id=request.consumer_id,
        months=months,
        reason=reason,
        due_before=before,
        due=due,
    )
    uow.commit()
    return request_view(uow, request, judged_at(at, now))


def done_request(
    uow: UnitOfWork,
    *,
    sar_id: int,
    export_entry: int | None,
    by: str,
    at: datetime,
    now: datetime,
) -> SubjectAccessView:
    """Record a request answered by an export of the person's data: `export_entry` (the
    history entry `consumer export` recorded), by default the latest made for them since the
    request was received. Its clock stops; whether it met its due is recorded."""
    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.ANSWER_SUBJECT_ACCESS)
    request = _request(uow, sar_id)
    tz = uow.calendar().tz
    _still_open(request, tz)
    _not_before_recorded(request, at, tz)
    if request.extended_at is not None and at < request.extended_at:
        # An extension is refused once a request is answered: an answer dated before one
        # on record would leave an answered request extended after.
        raise InvalidInput(
            f"--at is before subject-access request {sar_id} was extended "
            f"({format_local(request.extended_at, tz)})"
        )
    export = _export(uow, request, export_entry, at)
    assert export.id is not None
    clock = _clock(uow, request)
    # As every clock's (clock_ends_at): dated in time but recorded once the due had passed,
    # it ends when recorded. The due is a date: any moment of it is in time.
    ended = now if past_due_date(clock.due_at, now) and at < now else at
    on_time = not past_due_date(clock.due_at, ended)
    uow.end_deadline(clock, at=ended, outcome=MET)
    request.done_by, request.done_at = by, at
    request.export_event_id, request.on_time = export.id, on_time
    uow.add(request)
    sha256 = json.loads(export.details).get("sha256")
    uow.record(
        None,
        Action.SAR_DONE,
        by=by,
        at=at,
        now=now,
        sar=sar_id,
        consumer_id=request.consumer_id,
        export_entry=export.id,
        sha256=sha256,
        due=request.due_at,
        on_time=on_time,
    )
    uow.commit()
    return request_view(uow, request, judged_at(at, now))


def list_requests(
    uow: UnitOfWork, *, open_only: bool, as_of: datetime
) -> tuple[SubjectAccessView, ...]:
    """Every request, soonest due first (with `open_only`, those not yet answered)."""
    return tuple(
        request_view(uow, request, as_of)
        for request in uow.subject_access_requests(open_only=open_only)
    )


def show_request(uow: UnitOfWork, *, sar_id: int, as_of: datetime) -> SubjectAccessView:
    return request_view(uow, _request(uow, sar_id), as_of)


def request_view(
    uow: UnitOfWork, request: SubjectAccessRequest, as_of: datetime
) -> SubjectAccessView:
    consumer = uow.consumer(request.consumer_id)
    assert request.id is not None
    assert consumer.id is not None
    sha256 = None
    if request.export_event_id is not None:
        entry = uow.entry(request.export_event_id)
        sha256 = json.loads(entry.details).get("sha256") if entry else None
    calendar = uow.calendar()
    # Its due moves off a bank holiday: one after the known years assumes there are none.
    open_due = (request.due_at,) if request.done_at is None else ()
    return SubjectAccessView(
        zone=calendar.zone,
        id=request.id,
        consumer_id=consumer.id,
        consumer=consumer.name,
        email=consumer.email,
        received_at=request.received_at,
        due=request.due_at,
        extended_months=request.extended_months,
        extend_reason=request.extend_reason,
        extended_by=request.extended_by,
        extended_at=request.extended_at,
        opened_by=request.opened_by,
        opened_at=request.opened_at,
        done_by=request.done_by,
        done_at=request.done_at,
        export_entry=request.export_event_id,
        export_sha256=sha256,
        on_time=request.on_time,
        as_of=as_of,
        warnings=coverage_warnings(calendar, *open_due, check="its due date"),
    )


def _request(uow: UnitOfWork, sar_id: int) -> SubjectAccessRequest:
    request = uow.subject_access_request(sar_id)
    if request is None:
        raise NotFound(f"no subject-access request {sar_id}")
    return request


def _still_open(request: SubjectAccessRequest, tz: ZoneInfo) -> None:
    if request.done_at is not None:
        raise ActionNotAllowed(
            f"subject-access request {request.id} was answered "
            f"{format_local(request.done_at, tz)} by {request.done_by}"
        )


def _not_before_recorded(request: SubjectAccessRequest, at: datetime, tz: ZoneInfo) -> None:
    """Refuse an extension or answer dated before the request was received, or recorded
    (`sar open --at`): it would come before the request in the history, as an action done
    before it was opened would."""
    for when, what in ((request.received_at, "received"), (request.opened_at, "recorded")):
        if at < when:
            raise InvalidInput(
                f"--at is before subject-access request {request.id} was {what} "
                f"({format_apart(at, when, tz)[1]})"
            )


def _clock(uow: UnitOfWork, request: SubjectAccessRequest) -> Deadline:
    clock = uow.subject_access_clock(request)
    assert clock is not None, "an open request has its clock running"
    return clock


def _export(
    uow: UnitOfWork, request: SubjectAccessRequest, export_entry: int | None, at: datetime
) -> Event:
    """The export that answered the request: the entry named, which must be an export of
    this person's data, or the latest made for them between receipt and `at`."""
    wanted = Action.CONSUMER_EXPORTED.value
    if export_entry is not None:
        entry = uow.entry(export_entry)
        if entry is None:
            raise NotFound(f"no history entry {export_entry}")
        if entry.action != wanted or json.loads(entry.details).get("consumer_id") != (
            request.consumer_id
        ):
            raise ActionNotAllowed(
                f"history entry {export_entry} is not an export of consumer "
                f"{request.consumer_id}'s data (consumer export records one)"
            )
        if not request.received_at <= entry.at <= at:
            raise ActionNotAllowed(
                f"history entry {export_entry} is an export made outside this request (after "
                "it was received and by the answer's --at): it cannot answer it"
            )
        answered = uow.request_answered_by(export_entry)
        if answered is not None and answered != request.id:
            raise ActionNotAllowed(
                f"history entry {export_entry} answered subject-access request {answered} "
                "already: make an export for this one"
            )
        return entry
    since = [
        entry
        for entry in uow.entries_of(wanted)
        if json.loads(entry.details).get("consumer_id") == request.consumer_id
        and request.received_at <= entry.at
    ]
    by_at = [entry for entry in since if entry.at <= at]
    # An export answers one request, whether named or taken by default.
    exports = [entry for entry in by_at if uow.request_answered_by(entry.id or 0) is None]
    if not exports:
        if by_at:
            latest = max(by_at, key=lambda entry: (entry.at, entry.id or 0))
            answered = uow.request_answered_by(latest.id or 0)
            found = (
                f"the export of consumer {request.consumer_id}'s data since the request was "
                f"received (history entry {latest.id}) answered subject-access request "
                f"{answered} already"
            )
        elif since:
            found = (
                f"no export of consumer {request.consumer_id}'s data made by the answer's --at "
                f"({format_local(at, uow.calendar().tz)})"
            )
        else:
            found = (
                f"no export of consumer {request.consumer_id}'s data since the request was received"
            )
        raise ActionNotAllowed(
            f"{found}: run `complaintctl consumer export --consumer-id {request.consumer_id} "
            f"-o FILE` first, or `sar done {request.id} -o FILE` to export and answer at once"
        )
    return max(exports, key=lambda entry: (entry.at, entry.id or 0))
