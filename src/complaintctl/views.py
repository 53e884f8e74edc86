"""Frozen views that services return, and their JSON shapes (README, "JSON output").

The JSON field names are an interface scripts rely on: add fields, never rename or drop them
without a new JSON_SCHEMA_VERSION. Every shape is written down in `schema.py`, and a test
holds each command's output to it. One fact has one name and one type in every command: a
consumer is an object, an instant is ISO 8601 to the second with the calendar's offset, money
is whole pence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from complaintctl.domain import clocks
from complaintctl.domain.calendar import WorkingCalendar, past_due_date
from complaintctl.domain.chain import unmarked
from complaintctl.domain.explain import DayEntry, shown_minutes
from complaintctl.domain.figures import FIGURE, Row
from complaintctl.domain.instants import (
    format_duration,
    format_instant,
    format_local,
    whole_minutes,
)
from complaintctl.domain.letters import EXTENSIONS, LetterFormat
from complaintctl.domain.procedure import Action
from complaintctl.errors import ComplaintError

# 2: a step prints one shape whatever the number of cases; a consumer is always an object;
# overdue's late state is `breached`; money in pence; `close_because` beside `close_reason`;
# a clock in calendar months has null working minutes and calendar ones (README, "JSON output").
JSON_SCHEMA_VERSION = 2


@dataclass(frozen=True)
class DeadlineView:
    kind: str
    start: datetime
    due: datetime
    rule: str
    ended_at: datetime | None
    outcome: str | None  # clocks.MET, clocks.CANCELLED, or None while running
    breached: bool  # met late, or still running past due as of the view's instant
    # Working time from due to when it was met (or to the view's instant while it runs) when
    # breached; else the working time still left (zero once met on time).
    working_late: timedelta
    working_left: timedelta
    in_working_time: bool = True  # False for spans of calendar months (the referral window)
    # Calendar time from when it stopped (or the view's instant) to due, and past due.
    calendar_left: timedelta = timedelta(0)
    calendar_late: timedelta = timedelta(0)

    @property
    def met_at(self) -> datetime | None:
        return self.ended_at if self.outcome == clocks.MET else None


@dataclass(frozen=True)
class EventView:
    action: str
    actor: str  # the member of staff acting (--as)
    at: datetime
    recorded_at: datetime
    details: dict[str, Any]
    login: str | None = None  # the operating-system login that ran the command
    host: str | None = None  # and the machine it ran on

    @property
    def ran_as(self) -> str:
        """`login@host`, or "" for an entry recorded before complaintctl noted them."""
        if self.login is None:
            return ""
        return f"{self.login}@{self.host}" if self.host else self.login


@dataclass(frozen=True)
class EarlierCase:
    ref: str
    stage: str
    received_at: datetime


@dataclass(frozen=True)
class ResponseView:
    stage: str  # "first" or "final"
    decision: str
    summary: str
    remedies: tuple[str, ...]
    goodwill_pence: int | None
    given_by: str
    given_at: datetime
    causes: tuple[str, ...] = ()  # what went wrong, from the store's list of causes


@dataclass(frozen=True)
class ActionView:
    """A remedy owed to a case's consumer, or an improvement it revealed: its owner, its due
    on the working calendar, and when it was done."""

    zone: str
    id: int
    ref: str
    kind: str  # remedy or improvement
    what: str
    owner: str
    due: datetime
    opened_by: str
    opened_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    note: str | None = None
    as_of: datetime | None = None  # when it is judged overdue: the listing's moment
    # When its clock stopped: `done_at`, or when it was recorded if that was after its due
    # (domain/clocks.clock_ends_at), so a back-dated "done" cannot be on time after the fact.
    met_at: datetime | None = None
    # A due outside the years whose bank holidays are known, as it is opened (on stderr only).
    warnings: tuple[str, ...] = ()
    # The calendar the dues were counted on, for showing them (calendar.format_due: a due at a
    # working day's close at midnight reads as that day's 24:00); never part of the JSON.
    calendar: WorkingCalendar | None = field(default=None, compare=False, repr=False)

    @property
    def overdue(self) -> bool:
        """Open and past due at `as_of` (as `overdue` judges a clock: strictly after)."""
        return self.done_at is None and self.as_of is not None and self.due < self.as_of

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None:
            return None
        return max(self.done_at, self.met_at or self.done_at) <= self.due


@dataclass(frozen=True)
class CauseView:
    zone: str
    name: str
    words: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class ConsumerView:
    id: int
    name: str
    email: str | None
    preferred_contact: str | None
    adjustments: tuple[str, ...]


@dataclass(frozen=True)
class RestrictionView:
    zone: str
    id: int
    consumer_id: int
    consumer: str
    email: str | None
    scope: str
    dispute: str | None
    contact_channel: str | None
    contact_via: str | None
    reason: str
    decided_by: str
    decided_at: datetime
    review_due: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None
    contact_via_name: str | None = None  # the full name of the member `contact_via` names
    # The review date set when it was decided, before any review moved it (its letter's).
    review_due_as_decided: datetime | None = None
    as_of: datetime | None = None  # when a change to it is judged: as the command runs

    @property
    def overdue(self) -> bool:
        """In force and its review past due at `as_of` (as `overdue` judges a clock)."""
        return self.lifted_at is None and self.as_of is not None and self.review_due < self.as_of

    def what(self, *, to_consumer: bool = False) -> str:
        """What is restricted, in words: `no new formal complaints`. The member contact must
        go through by their username for staff, by their name in a letter to the consumer."""
        via = self.contact_via
        if to_consumer and self.contact_via_name:
            via = self.contact_via_name
        return {
            "procedure": "no new formal complaints",
            "same-matter": f"no new complaints about dispute {self.dispute}",
            "contact": "contact only "
            + (f"by {self.contact_channel}" if self.contact_channel else f"via {via}"),
        }.get(self.scope, self.scope)

    def describe(self) -> str:
        """`restriction 3 (no new formal complaints; review due Fri 2027-05-28 10:00 BST)`,
        for warnings and refusals: the review's instant as every instant for people."""
        review = format_local(self.review_due, ZoneInfo(self.zone))
        return f"restriction {self.id} ({self.what()}; review due {review})"


@dataclass(frozen=True)
class IncidentView:
    ref: str | None
    note: str
    recorded_by: str
    at: datetime


class ConsumerCase(NamedTuple):
    """One of a consumer's cases, as `consumer show` lists it: where it stands and how it
    ended (the names `export` gives the same facts)."""

    ref: str
    version: int
    stage: str
    received_at: datetime
    close_reason: str | None
    first_decision: str | None
    final_decision: str | None
    assessor_outcome: str | None


@dataclass(frozen=True)
class ConsumerRecord:
    """A consumer's whole record: their contact and needs, every restriction (in force and
    lifted, oldest first), the incidents against them, their cases, most recent first, and
    their subject-access requests."""

    zone: str
    id: int
    name: str
    email: str | None
    address: str | None
    preferred_contact: str | None
    adjustments: tuple[str, ...]
    restrictions: tuple[RestrictionView, ...]
    incidents: tuple[IncidentView, ...]
    cases: tuple[ConsumerCase, ...]
    # Their subject-access requests, oldest first.
    subject_access: tuple[SubjectAccessView, ...] = ()


@dataclass(frozen=True)
class StaffView:
    username: str
    name: str
    role: str
    area: str | None
    active: bool
    db_role: str | None = None  # the PostgreSQL login role bound to them
    os_login: str | None = None  # the operating-system login bound to them
    # What a removal leaves them holding (cases, actions) and how to hand it on: stderr only
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseView:
    zone: str
    as_of: datetime
    ref: str
    stage: str
    consumer_id: int
    consumer: str
    email: str | None
    address: str | None
    channel: str
    category: str
    summary: str
    dispute: str | None
    board: bool
    received_at: datetime
    area: str | None
    logged_by: str
    deadlines: tuple[DeadlineView, ...]
    history: tuple[EventView, ...]
    earlier_cases: tuple[EarlierCase, ...] = ()
    warnings: tuple[str, ...] = ()
    about: date | None = None
    out_of_time: bool = False
    responder: str | None = None
    handler: str | None = None
    close_reason: str | None = None
    preferred_contact: str | None = None
    adjustments: tuple[str, ...] = ()
    responses: tuple[ResponseView, ...] = ()
    restrictions: tuple[RestrictionView, ...] = ()  # the consumer's restrictions in force
    incidents: tuple[IncidentView, ...] = ()  # abusive contact recorded against the consumer
    version: int = 0  # one more with every step on the case
    actions: tuple[ActionView, ...] = ()  # the case's open actions
    working_day: timedelta = timedelta(hours=8)  # the calendar's: what a "d" of working time is
    # The calendar the dues were counted on, for showing them (calendar.format_due: a due at a
    # working day's close at midnight reads as that day's 24:00); never part of the JSON.
    calendar: WorkingCalendar | None = field(default=None, compare=False, repr=False)

    def latest(self, action: str) -> EventView | None:
        """The case's latest history entry of `action` (what `show` tells of the escalation,
        the referral and the Assessor's outcome, which live in the history alone)."""
        return next((e for e in reversed(self.history) if e.action == action), None)

    @property
    def contacts(self) -> tuple[EventView, ...]:
        """The contact log: calls, emails and letters either way (those the tool issued
        among them), and notes on the file."""
        return tuple(e for e in self.history if e.action in (Action.NOTE, Action.LETTER))


class StepLine(NamedTuple):
    """A case as a step on many left it, as the line saying what was done needs it."""

    ref: str
    stage: str
    area: str | None
    responder: str | None
    handler: str | None
    close_reason: str | None
    version: int
    warnings: tuple[str, ...] = ()


# What a command says it did to a case: the whole case, or (for a step on many) its line.
Stepped = CaseView | StepLine


# Listing rows are named tuples, not frozen dataclasses: as immutable, and made three times
# as fast (a listing makes one per row; see benchmarks/).
class OverdueItem(NamedTuple):
    ref: str | None
    kind: str
    consumer: str
    received_at: datetime
    due: datetime
    late_working: timedelta
    late_calendar: timedelta
    restriction_id: int | None = None  # for a restriction review, which has no case
    version: int | None = None  # the case's version: one more with every step on it
    consumer_id: int = 0
    email: str | None = None
    sar_id: int | None = None  # for a subject-access request, which has no case
    action_id: int | None = None  # for an action, one of a case's several (`action done ID`)
    # Who owes it: an action's owner, a response's responder, a final response's handler;
    # None for an acknowledgement (Customer Relations), a review and a subject-access request.
    owner: str | None = None

    def who(self) -> str:
        """The case's reference, or what else the clock is on, in words."""
        if self.ref is not None:
            return self.ref
        if self.sar_id is not None:
            return f"subject access {self.sar_id}"
        return f"restriction {self.restriction_id}"

    def which(self) -> str:
        """Its kind, naming the action for an action's (`action 3`): a case may have several."""
        return self.kind if self.action_id is None else f"{self.kind} {self.action_id}"


@dataclass(frozen=True)
class OverdueReport:
    zone: str
    as_of: datetime
    items: tuple[OverdueItem, ...]
    warnings: tuple[str, ...] = ()
    working_day: timedelta = timedelta(hours=8)  # the calendar's: what a "d" of working time is
    # The calendar the dues were counted on, for showing them (calendar.format_due: a due at a
    # working day's close at midnight reads as that day's 24:00); never part of the JSON.
    calendar: WorkingCalendar | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ClosedDayView:
    day: date
    kind: str  # "bank-holiday" or "closure"
    name: str


@dataclass(frozen=True)
class CalendarView:
    zone: str
    as_of: datetime
    week: tuple[tuple[str, str], ...]  # (weekday, "09:00-17:00" or "closed")
    holiday_region: str
    holidays_source: str
    known_from: date
    known_through: date
    upcoming: tuple[ClosedDayView, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recomputed:
    """A deadline a calendar change moved: a case's clock, one of its actions' (`action`), or
    a subject-access request's (`subject_access`, no case)."""

    ref: str | None
    kind: str
    old_due: datetime
    new_due: datetime
    action: int | None = None
    subject_access: int | None = None

    @property
    def listed(self) -> tuple[str, str, datetime, datetime]:
        """As the plain listing gives it (ref, kind, old due, new due): `SAR ID` in the ref
        column for a request, `action ID` as the kind for an action (a case's two actions
        told apart)."""
        ref = self.ref if self.subject_access is None else f"SAR {self.subject_access}"
        kind = self.kind if self.action is None else f"{self.kind} {self.action}"
        return ref or "", kind, self.old_due, self.new_due


@dataclass(frozen=True)
class CalendarChange:
    message: str
    recomputed: tuple[Recomputed, ...]
    zone: str
    dry_run: bool = False
    # A deadline moved outside the years whose bank holidays are known (on stderr only).
    warnings: tuple[str, ...] = ()


def calendar_change_json(change: CalendarChange) -> dict[str, Any]:
    tz = ZoneInfo(change.zone)
    return versioned(
        {
            "message": change.message,
            "dry_run": change.dry_run,
            "recomputed": [
                {
                    "ref": moved.ref,
                    "kind": moved.kind,
                    "action": moved.action,
                    "subject_access": moved.subject_access,
                    "old_due": format_instant(moved.old_due, tz),
                    "new_due": format_instant(moved.new_due, tz),
                }
                for moved in change.recomputed
            ],
        }
    )


def _when(instant: datetime | None, tz: ZoneInfo) -> str | None:
    return None if instant is None else format_instant(instant, tz)


def consumer_ref_json(consumer_id: int, name: str, email: str | None) -> dict[str, Any]:
    """Who a listing's item is about: the consumer as an object, as in `show --json` (there
    with more fields), never their name alone."""
    return {"id": consumer_id, "name": name, "email": email}


def close_json(close_reason: str | None) -> dict[str, str | None]:
    """A case's close reason as two fields: the store keeps `out-of-scope: decision` in one
    (services.steps.close_reason writes it), scripts want each value on its own."""
    reason, _, because = (close_reason or "").partition(": ")
    return {"close_reason": reason or None, "close_because": because or None}


# An instant as the store's history details keep it: UTC, to the microsecond where it had any.
_STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00")


def details_json(details: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """A history entry's details as JSON gives them: instants to the second in the calendar's
    zone, as every instant in JSON is; an import's line (text in entries made before schema
    2) a number. Money is whole pence (`goodwill_pence`), as stored."""
    return {name: _detail_json(name, value, tz) for name, value in details.items()}


def _detail_json(name: str, value: Any, tz: ZoneInfo) -> Any:
    if not isinstance(value, str):
        return value
    if name == "line" and value.isdigit():
        return int(value)
    if _STORED_INSTANT.fullmatch(value):
        return format_instant(datetime.fromisoformat(value), tz)
    return value


def deadline_json(deadline: DeadlineView, tz: ZoneInfo) -> dict[str, Any]:
    """A clock, its minutes counted as `explain` counts them; a span of calendar months (the
    referral window) has no working minutes."""
    working = deadline.in_working_time
    return {
        "kind": deadline.kind,
        "start": _when(deadline.start, tz),
        "due": _when(deadline.due, tz),
        "rule": deadline.rule,
        "met_at": _when(deadline.met_at, tz),
        "ended_at": _when(deadline.ended_at, tz),
        "outcome": deadline.outcome,
        "breached": deadline.breached,
        "late_working_minutes": whole_minutes(deadline.working_late) if working else None,
        "left_working_minutes": whole_minutes(deadline.working_left) if working else None,
        "late_calendar_minutes": whole_minutes(deadline.calendar_late),
        "left_calendar_minutes": whole_minutes(deadline.calendar_left),
    }


def history_entry_json(entry: EventView, tz: ZoneInfo) -> dict[str, Any]:
    """One history entry: a case's (`show`, `history`) or the store's (`consumer export`)."""
    return {
        "action": entry.action,
        "by": entry.actor,
        "at": _when(entry.at, tz),
        "recorded_at": _when(entry.recorded_at, tz),
        "details": details_json(entry.details, tz),
        "login": entry.login,
        "host": entry.host,
    }


def case_json(view: CaseView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "ref": view.ref,
        "version": view.version,
        "stage": view.stage,
        "consumer": {
            "id": view.consumer_id,
            "name": view.consumer,
            "email": view.email,
            "address": view.address,
            "preferred_contact": view.preferred_contact,
            "adjustments": list(view.adjustments),
            "restrictions": [restriction_json(r, tz) for r in view.restrictions],
            "incidents": [incident_json(i, tz) for i in view.incidents],
        },
        "channel": view.channel,
        "category": view.category,
        "summary": view.summary,
        "dispute": view.dispute,
        "board": view.board,
        "received_at": _when(view.received_at, tz),
        "area": view.area,
        "responder": view.responder,
        "handler": view.handler,
        "about": view.about.isoformat() if view.about else None,
        "out_of_time": view.out_of_time,
        **close_json(view.close_reason),
        "responses": [
            {
                "stage": r.stage,
                "decision": r.decision,
                "summary": r.summary,
                "remedies": list(r.remedies),
                "goodwill_pence": r.goodwill_pence,
                "causes": list(r.causes),
                "by": r.given_by,
                "at": _when(r.given_at, tz),
            }
            for r in view.responses
        ],
        "actions": [action_json(a) for a in view.actions],
        "escalation": _step_json(view.latest("escalate"), tz, "to", "reason"),
        "referral": _step_json(view.latest("refer"), tz, "late", "late_reason"),
        "assessor": _step_json(view.latest("outcome"), tz, "outcome", "recommendation"),
        "contacts": [_step_json(e, tz, "direction", "channel", "text") for e in view.contacts],
        "logged_by": view.logged_by,
        "as_of": _when(view.as_of, tz),
        "deadlines": [deadline_json(d, tz) for d in view.deadlines],
        "history": [history_entry_json(e, tz) for e in view.history],
        "earlier_cases": [
            {"ref": c.ref, "stage": c.stage, "received_at": _when(c.received_at, tz)}
            for c in view.earlier_cases
        ],
        "warnings": list(view.warnings),
    }


def _step_json(entry: EventView | None, tz: ZoneInfo, *fields: str) -> dict[str, Any] | None:
    """A step the history records, as `show --json` tells it: when, by whom, and the named
    fields of its details (null where the case has not taken the step)."""
    if entry is None:
        return None
    details = details_json(entry.details, tz)
    return {
        "by": entry.actor,
        "at": _when(entry.at, tz),
        **{name: unmarked(details.get(name)) for name in fields},
    }


def versioned(data: dict[str, Any]) -> dict[str, Any]:
    """A top-level object or listing item, carrying the schema version scripts can check."""
    return {"schema_version": JSON_SCHEMA_VERSION, **data}


def action_json(view: ActionView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "id": view.id,
        "ref": view.ref,
        "kind": view.kind,
        "what": view.what,
        "owner": view.owner,
        "due": _when(view.due, tz),
        "opened_by": view.opened_by,
        "opened_at": _when(view.opened_at, tz),
        "done_at": _when(view.done_at, tz),
        "done_by": view.done_by,
        "note": view.note,
        "on_time": view.on_time,
        "overdue": view.overdue,
    }


def cause_json(view: CauseView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "name": view.name,
        "words": view.words,
        "added_by": view.added_by,
        "added_at": _when(view.added_at, tz),
    }


def restriction_json(view: RestrictionView, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": view.id,
        "consumer": consumer_ref_json(view.consumer_id, view.consumer, view.email),
        "scope": view.scope,
        "dispute": view.dispute,
        "contact_channel": view.contact_channel,
        "contact_via": view.contact_via,
        "reason": view.reason,
        "decided_by": view.decided_by,
        "decided_at": _when(view.decided_at, tz),
        "review_due": _when(view.review_due, tz),
        "lifted_at": _when(view.lifted_at, tz),
        "lifted_by": view.lifted_by,
        "lift_reason": view.lift_reason,
    }


@dataclass(frozen=True)
class SubjectAccessView:
    """A subject-access request: when received and due, any extension, and its answer."""

    zone: str
    id: int
    consumer_id: int
    consumer: str
    email: str | None
    received_at: datetime
    due: datetime
    extended_months: int
    extend_reason: str | None
    extended_by: str | None
    extended_at: datetime | None
    opened_by: str
    opened_at: datetime
    done_by: str | None
    done_at: datetime | None
    export_entry: int | None  # the history entry of the export sent
    export_sha256: str | None
    on_time: bool | None  # None while open
    as_of: datetime
    # An open request due outside the years whose bank holidays are known (on stderr only).
    warnings: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """open, overdue (past due at `as_of` and not answered), done or done-late."""
        if self.done_at is not None:
            return "done" if self.on_time else "done-late"
        return "overdue" if past_due_date(self.due, self.as_of) else "open"


def subject_access_json(view: SubjectAccessView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "id": view.id,
        "consumer": consumer_ref_json(view.consumer_id, view.consumer, view.email),
        "received_at": _when(view.received_at, tz),
        "due": _when(view.due, tz),
        "extended_months": view.extended_months,
        "extend_reason": view.extend_reason,
        "extended_by": view.extended_by,
        "extended_at": _when(view.extended_at, tz),
        "opened_by": view.opened_by,
        "opened_at": _when(view.opened_at, tz),
        "done_by": view.done_by,
        "done_at": _when(view.done_at, tz),
        "export_entry": view.export_entry,
        "export_sha256": view.export_sha256,
        "on_time": view.on_time,
        "state": view.state,
    }


def incident_json(incident: IncidentView, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "ref": incident.ref,
        "note": incident.note,
        "by": incident.recorded_by,
        "at": _when(incident.at, tz),
    }


def consumer_record_json(view: ConsumerRecord) -> dict[str, Any]:
    """`consumer show --json`: the fields `consumer update --json` gives, and those of the
    consumer in `show --json`, with every restriction, the consumer's cases and their
    subject-access requests."""
    tz = ZoneInfo(view.zone)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "id": view.id,
        "name": view.name,
        "email": view.email,
        "address": view.address,
        "preferred_contact": view.preferred_contact,
        "adjustments": list(view.adjustments),
        "restrictions": [restriction_json(r, tz) for r in view.restrictions],
        "incidents": [incident_json(i, tz) for i in view.incidents],
        "cases": [
            {
                "ref": c.ref,
                "version": c.version,
                "stage": c.stage,
                "received_at": _when(c.received_at, tz),
                **close_json(c.close_reason),
                "first_decision": c.first_decision,
                "final_decision": c.final_decision,
                "assessor_outcome": c.assessor_outcome,
            }
            for c in view.cases
        ],
        "subject_access": [
            {
                "id": r.id,
                "received_at": _when(r.received_at, tz),
                "due": _when(r.due, tz),
                "state": r.state,
            }
            for r in view.subject_access
        ],
    }


def consumer_json(view: ConsumerView) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "id": view.id,
        "name": view.name,
        "email": view.email,
        "preferred_contact": view.preferred_contact,
        "adjustments": list(view.adjustments),
    }


def staff_json(view: StaffView) -> dict[str, Any]:
    return {
        "username": view.username,
        "name": view.name,
        "role": view.role,
        "area": view.area,
        "active": view.active,
        "db_role": view.db_role,
        "os_login": view.os_login,
    }


def step_json(
    *,
    applied: bool,
    dry_run: bool,
    done: Sequence[CaseView],
    refused: Sequence[tuple[str, str, int]],
) -> dict[str, Any]:
    """What a step command did, one shape whatever the number of cases: the cases it changed
    (or, in a dry run, would), each as `show --json` gives it, and each refusal (ref, error,
    exit code). A refused single reference is an error instead: nothing on stdout."""
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "applied": applied,
        "dry_run": dry_run,
        "done": [case_json(view) for view in done],
        "refused": [
            {"ref": ref, "error": error, "exit_code": exit_code}
            for ref, error, exit_code in refused
        ],
    }


def history_json(view: CaseView) -> dict[str, Any]:
    full = case_json(view)
    return {"schema_version": JSON_SCHEMA_VERSION, "ref": view.ref, "history": full["history"]}


def overdue_json(report: OverdueReport) -> list[dict[str, Any]]:
    tz = ZoneInfo(report.zone)
    return [
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "ref": item.ref,
            "version": item.version,
            "restriction_id": item.restriction_id,
            "sar_id": item.sar_id,
            "action_id": item.action_id,
            "kind": item.kind,
            "owner": item.owner,
            "consumer": consumer_ref_json(item.consumer_id, item.consumer, item.email),
            "received_at": _when(item.received_at, tz),
            "due": _when(item.due, tz),
            "as_of": _when(report.as_of, tz),
            "late_working_minutes": whole_minutes(item.late_working),
            "late_calendar_minutes": whole_minutes(item.late_calendar),
            "late_working": format_duration(item.late_working, days=False),
            "late_calendar": format_duration(item.late_calendar),
            # The queue's names for the same facts: past due is breached.
            "state": BREACHED if item.late_calendar > timedelta(0) else "due-soon",
        }
        for item in report.items
    ]


def calendar_json(view: CalendarView) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "zone": view.zone,
        "opening_hours": dict(view.week),
        "bank_holidays": {
            "region": view.holiday_region,
            "source": view.holidays_source,
            "known_from": view.known_from.isoformat(),
            "known_through": view.known_through.isoformat(),
        },
        "upcoming_closed_days": [
            {"date": d.day.isoformat(), "kind": d.kind, "name": d.name} for d in view.upcoming
        ],
        "warnings": list(view.warnings),
    }


class QueueItem(NamedTuple):
    ref: str
    consumer: str
    adjustments: tuple[str, ...]
    restricted: bool
    stage: str
    area: str | None
    owner: str | None  # the responder, or the second-stage handler once escalated
    category: str
    board: bool
    received_at: datetime
    summary: str
    kind: str | None  # the next deadline's kind: None while waiting on the consumer
    due: datetime | None
    state: str  # breached, due-soon, on-track, or waiting (no staff clock running)
    working_left: timedelta  # negative once breached: how late, in working time
    version: int = 0  # one more with every step on the case
    consumer_id: int = 0
    email: str | None = None


@dataclass(frozen=True)
class QueueReport:
    zone: str
    as_of: datetime
    warn_within: timedelta
    items: tuple[QueueItem, ...]
    warnings: tuple[str, ...] = ()
    working_day: timedelta = timedelta(hours=8)  # the calendar's: what a "d" of working time is
    # The subject-access requests not yet answered, each one's due: they have no case, so
    # they are the queue's footer, not its rows (`sar list --open` lists them).
    subject_access_dues: tuple[datetime, ...] = ()
    # The calendar the dues were counted on, for showing them (calendar.format_due: a due at a
    # working day's close at midnight reads as that day's 24:00); never part of the JSON.
    calendar: WorkingCalendar | None = field(default=None, compare=False, repr=False)

    def count(self, state: str) -> int:
        return sum(1 for item in self.items if item.state == state)


def queue_json(report: QueueReport) -> list[dict[str, Any]]:
    tz = ZoneInfo(report.zone)
    return [
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "ref": item.ref,
            "version": item.version,
            "consumer": consumer_ref_json(item.consumer_id, item.consumer, item.email),
            "adjustments": list(item.adjustments),
            "restricted": item.restricted,
            "stage": item.stage,
            "area": item.area,
            "owner": item.owner,
            "category": item.category,
            "board": item.board,
            "received_at": _when(item.received_at, tz),
            "summary": item.summary,
            "kind": item.kind,
            "due": _when(item.due, tz),
            "state": item.state,
            "left_working_minutes": whole_minutes(item.working_left) if item.due else None,
            "as_of": _when(report.as_of, tz),
        }
        for item in report.items
    ]


# -- explain -------------------------------------------------------------------------------

# The states of a clock as of --as-of.
NOT_STARTED = "not-started"
RUNNING = "running"
BREACHED = "breached"  # still running, past due
MET = "met"
STOPPED = "stopped"  # cancelled: the case no longer needed the step


@dataclass(frozen=True)
class CalendarUsed:
    zone: str
    week: tuple[tuple[str, str], ...]  # (weekday, "09:00-17:00" or "closed")
    holiday_region: str
    holidays_source: str
    known_from: date
    known_through: date


@dataclass(frozen=True)
class DueChange:
    """An `extend` (a date agreed with the consumer) or a `deadline-recomputed` entry."""

    action: str
    by: str
    at: datetime
    old_due: datetime
    new_due: datetime
    reason: str
    # A calendar change's reason for reaching back to a day already past (--retroactive).
    retroactive: str | None = None


@dataclass(frozen=True)
class ExplainStatus:
    """Where the clock stood as of --as-of. Working-time fields are None for calendar months."""

    state: str  # NOT_STARTED, RUNNING, BREACHED, MET or STOPPED
    ended_at: datetime | None
    on_time: bool | None  # for MET and STOPPED: stopped by the due instant
    working_used: timedelta | None
    working_left: timedelta | None  # to due (for MET: time to spare)
    working_late: timedelta | None
    calendar_left: timedelta
    calendar_late: timedelta


@dataclass(frozen=True)
class ExplainView:
    zone: str
    as_of: datetime
    ref: str
    kind: str
    kinds: tuple[str, ...]  # every kind of deadline the case has
    rule: str  # the rule the clock started under, e.g. "24 working hours after receipt"
    amount: int
    # working-hours, working-days, months, agreed (an action's date set by hand), or
    # working-minutes (an action's --within under a working day and not whole hours: 90m)
    unit: str
    start: datetime
    started_by: str | None  # the history action that started it (log, acknowledge, ...)
    started_by_actor: str | None
    rule_due: datetime  # where the rule puts the due on the calendar used
    due: datetime  # the deadline as recorded by `as_of` (an agreed date after an extension)
    calendar: CalendarUsed
    days: tuple[DayEntry, ...]
    changes: tuple[DueChange, ...]  # extensions and recomputes, oldest first
    status: ExplainStatus
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    action: tuple[int, str] | None = None  # an action's due: its id and kind (remedy, ...)
    extended: bool = False  # `due` is a date agreed with the consumer (extend), as of `as_of`
    working_day: timedelta = timedelta(hours=8)  # the calendar's: what a "d" of working time is
    # The calendar the dues were counted on, for showing them (calendar.format_due: a due at a
    # working day's close at midnight reads as that day's 24:00); never part of the JSON.
    working_calendar: WorkingCalendar | None = field(default=None, compare=False, repr=False)


# -- explain's JSON ------------------------------------------------------------------------


def _minutes_or_none(amount: timedelta | None) -> int | None:
    return None if amount is None else whole_minutes(amount)


def explain_json(view: ExplainView) -> dict[str, Any]:
    """`explain --json` (README): field names are stable, like every listing's."""
    tz = ZoneInfo(view.zone)
    status = view.status
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "ref": view.ref,
        "kind": view.kind,
        "kinds": list(view.kinds),
        "action": (None if view.action is None else {"id": view.action[0], "kind": view.action[1]}),
        "rule": view.rule,
        "amount": view.amount,
        "unit": view.unit,
        "start": _when(view.start, tz),
        "started_by": {"action": view.started_by, "by": view.started_by_actor},
        "rule_due": _when(view.rule_due, tz),
        "due": _when(view.due, tz),
        "extended": view.extended,
        "calendar": {
            "zone": view.calendar.zone,
            "opening_hours": dict(view.calendar.week),
            "bank_holidays": {
                "region": view.calendar.holiday_region,
                "source": view.calendar.holidays_source,
                "known_from": view.calendar.known_from.isoformat(),
                "known_through": view.calendar.known_through.isoformat(),
            },
        },
        "days": [
            {
                "date": entry.day.isoformat(),
                "kind": entry.kind,
                "counted": [
                    {"from": _when(since, tz), "to": _when(to, tz)} for since, to in entry.stretches
                ],
                # As the text shows them: the days add up to the running total.
                "counted_minutes": minutes,
                "total_minutes": _minutes_or_none(entry.total),
                "day_number": entry.day_number,
                "reason": entry.reason,
            }
            for entry, minutes in zip(view.days, shown_minutes(view.days), strict=True)
        ],
        "changes": [
            {
                "action": change.action,
                "by": change.by,
                "at": _when(change.at, tz),
                "old_due": _when(change.old_due, tz),
                "new_due": _when(change.new_due, tz),
                "reason": change.reason,
                "retroactive": change.retroactive,
            }
            for change in view.changes
        ],
        "as_of": _when(view.as_of, tz),
        "status": {
            "state": status.state,
            "ended_at": _when(status.ended_at, tz),
            "on_time": status.on_time,
            "used_working_minutes": _minutes_or_none(status.working_used),
            "left_working_minutes": _minutes_or_none(status.working_left),
            "late_working_minutes": _minutes_or_none(status.working_late),
            "left_calendar_minutes": _minutes_or_none(status.calendar_left),
            "late_calendar_minutes": _minutes_or_none(status.calendar_late),
        },
        "notes": list(view.notes),
        "warnings": list(view.warnings),
    }


# -- find ----------------------------------------------------------------------------------


class FoundCase(NamedTuple):
    ref: str
    version: int
    stage: str
    received_at: datetime
    consumer_id: int
    consumer: str
    email: str | None
    dispute: str | None
    matched: tuple[str, ...]  # the fields a word was found in (domain.search.FIELDS)
    snippet: str  # a few words of the summary, around the first word found in it


@dataclass(frozen=True)
class FindReport:
    zone: str
    text: str  # what was searched for, spaces tidied
    items: tuple[FoundCase, ...]
    # How many matching cases the limit left out, counted up to domain.search.MORE_COUNTED;
    # `more_than`: more than that many were (counting stopped), and `more` is MORE_COUNTED.
    more: int
    more_than: bool = False


def find_json(report: FindReport) -> list[dict[str, Any]]:
    tz = ZoneInfo(report.zone)
    return [
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "ref": item.ref,
            "version": item.version,
            "stage": item.stage,
            "consumer": consumer_ref_json(item.consumer_id, item.consumer, item.email),
            "received_at": _when(item.received_at, tz),
            "dispute": item.dispute,
            "matched": list(item.matched),
        }
        for item in report.items
    ]


# -- letters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    ref: str
    kind: str
    format: LetterFormat
    content: bytes
    sha256: str
    template: str  # the kind's template, and where it came from
    template_origin: str
    template_sha256: str
    facts: dict[str, Any]
    issued_at: datetime  # when it was (or, issued now, will be) issued; its Date as an email
    # The issue it reproduces (made from its recorded facts), and whether these bytes are the
    # ones then recorded for this format (None: it was issued in another format only).
    reproduces: EventView | None = None
    same_bytes: bool | None = None
    notes: tuple[str, ...] = ()  # for the officer: needs the letter does not meet, and so on
    channel: str = "post"  # how it goes to the consumer, as the contact log records it

    @property
    def file_name(self) -> str:
        return f"{self.ref}-{self.kind}.{EXTENSIONS[self.format]}"


@dataclass(frozen=True)
class LetterBatch:
    letters: tuple[Letter, ...]
    refused: tuple[tuple[str, ComplaintError], ...]
    to_issue: tuple[Letter, ...]  # the letters --issue records (an issued one is not again)
    zone: str  # the calendar's, for dates shown
    dry_run: bool = False


def letters_json(batch: LetterBatch, files: dict[str, str | None], tz: ZoneInfo) -> dict[str, Any]:
    """What `letter --json` says of the letters it wrote (`files`: each one's path by ref)."""
    issued = {letter.ref for letter in batch.to_issue}
    return versioned(
        {
            "dry_run": batch.dry_run,
            "letters": [
                {
                    "ref": letter.ref,
                    "kind": letter.kind,
                    "format": letter.format.value,
                    "file": files.get(letter.ref),
                    "sha256": letter.sha256,
                    "bytes": len(letter.content),
                    "template": letter.template,
                    "template_origin": letter.template_origin,
                    "template_sha256": letter.template_sha256,
                    "issued": letter.ref in issued and not batch.dry_run,
                    "issued_at": _when(letter.issued_at, tz),
                    "reproduces": _step_json(letter.reproduces, tz),
                    "same_bytes": letter.same_bytes,
                }
                for letter in batch.letters
            ],
        }
    )


def issued_letter_json(entry: EventView, tz: ZoneInfo) -> dict[str, Any]:
    """A letter the history records as issued, without the facts it was made from."""
    details = entry.details
    return {
        "kind": details.get("kind"),
        "format": details.get("format"),
        "by": entry.actor,
        "at": _when(entry.at, tz),
        "sha256": details.get("sha256"),
        "bytes": details.get("size"),
        "template": details.get("template"),
        "template_origin": details.get("template_origin"),
        "template_sha256": details.get("template_sha256"),
    }


# -- db verify ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyProblem:
    """One thing `db verify` found that the history does not account for."""

    kind: str  # "entry": an entry's seal; "head": the chain's end; "case": a case's stage
    what: str  # what differs, in words
    entry: int | None = None  # the entry's id
    ref: str | None = None  # the case's reference
    action: str | None = None  # the entry's action


@dataclass(frozen=True)
class HistoryVerified:
    """`db verify`: the whole chain walked, and every case's stage replayed from its history."""

    entries: int  # entries read
    last_entry: int  # the last entry's id (0 for none)
    head: str  # the chain's last link as read: note it outside the store
    cases: int  # cases whose stage was checked
    problems: tuple[VerifyProblem, ...]
    # Whether each case's kept facts were checked against its history: not where another
    # version of complaintctl's facts made them (`db upgrade` makes them again; a newer one's,
    # `facts_newer`: upgrade complaintctl), nor where the history is broken.
    facts_checked: bool = True
    facts_newer: bool = False

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return versioned(
            {
                "intact": self.intact,
                "entries": self.entries,
                "last_entry": self.last_entry,
                "head": self.head,
                "cases": self.cases,
                "problems": [
                    {
                        "kind": p.kind,
                        "entry": p.entry,
                        "ref": p.ref,
                        "action": p.action,
                        "what": p.what,
                    }
                    for p in self.problems
                ],
            }
        )


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """One period's figures (domain/figures.py), and each group's when broken down."""

    label: str
    first: date
    last: date  # inclusive
    cutoff: datetime  # counted as recorded by then: the period's end, or --as-of if earlier
    figures: tuple[Row, ...]
    groups: tuple[tuple[str, tuple[Row, ...]], ...] = ()


@dataclass(frozen=True)
class ReportView:
    zone: str
    by: str | None  # area, category, channel or month
    current: PeriodFigures
    previous: PeriodFigures | None = None  # --compare previous
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureCases:
    """The cases one figure of a period counted (report --cases)."""

    figure: str
    part: str | None
    period: str
    cutoff: datetime
    refs: tuple[str, ...]
    zone: str
    by: str | None = None  # the breakdown, with the references of each group (as `groups`)
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    warnings: tuple[str, ...] = ()  # the bank holidays' coverage, as the report's


def _figure_rows_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "figure": row.figure,
            "part": row.part,
            "unit": FIGURE[row.figure].unit,
            "value": row.value,
        }
        for row in rows
    ]


def _period_figures_json(view: PeriodFigures, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "period": view.label,
        "from": view.first.isoformat(),
        "to": view.last.isoformat(),
        "as_of": _when(view.cutoff, tz),
        "figures": _figure_rows_json(view.figures),
        "groups": [
            {"group": group, "figures": _figure_rows_json(rows)} for group, rows in view.groups
        ],
    }


def report_json(view: ReportView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "zone": view.zone,
        "by": view.by,
        **_period_figures_json(view.current, tz),
        "previous": _period_figures_json(view.previous, tz) if view.previous else None,
    }


# -- retention, legal holds and erasure (services/retention.py) ------------------------------


@dataclass(frozen=True)
class PolicyView:
    zone: str
    number: int
    years: int
    set_by: str | None  # None: the default, never set
    set_at: datetime | None
    reason: str


def policy_json(view: PolicyView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "number": view.number,
        "years": view.years,
        "set_by": view.set_by,
        "set_at": _when(view.set_at, tz),
        "reason": view.reason,
    }


@dataclass(frozen=True)
class HoldView:
    zone: str
    id: int
    ref: str | None  # a hold on a case
    consumer_id: int | None  # a hold on a consumer
    reason: str
    added_by: str
    added_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None

    def describe(self) -> str:
        what = self.ref if self.ref is not None else f"consumer {self.consumer_id}"
        return f"hold {self.id} on {what}"


def hold_json(view: HoldView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "id": view.id,
        "ref": view.ref,
        "consumer_id": view.consumer_id,
        "reason": view.reason,
        "added_by": view.added_by,
        "added_at": _when(view.added_at, tz),
        "lifted_by": view.lifted_by,
        "lifted_at": _when(view.lifted_at, tz),
        "lift_reason": view.lift_reason,
    }


@dataclass(frozen=True)
class RetentionItem:
    """A case or a consumer whose retention has run out by the list's date: `due` (a run
    removes it), or `held`/`kept` (why not, in `why`)."""

    kind: str  # "case" or "consumer"
    ref: str | None  # a case's
    consumer_id: int
    state: str  # due, held, kept
    due_at: datetime
    why: str | None


@dataclass(frozen=True)
class RetentionDue:
    zone: str
    as_of: datetime
    policy: PolicyView
    items: tuple[RetentionItem, ...]
    holds: tuple[HoldView, ...]


def retention_due_json(view: RetentionDue) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return versioned(
        {
            "as_of": format_instant(view.as_of, tz),
            "policy": policy_json(view.policy),
            "items": [
                {
                    "kind": item.kind,
                    "ref": item.ref,
                    "consumer_id": item.consumer_id,
                    "state": item.state,
                    "due_at": format_instant(item.due_at, tz),
                    "why": item.why,
                }
                for item in view.items
            ],
            "holds": [hold_json(hold) for hold in view.holds],
        }
    )


@dataclass(frozen=True)
class Anonymised:
    """What a retention run or an erasure removed (or, in a dry run, would): never the
    values, only whose."""

    zone: str
    kind: str  # "retention" or "erasure"
    at: datetime
    dry_run: bool
    marker: str
    policy: int | None  # retention's policy
    refs: tuple[str, ...]  # cases anonymised
    consumer_ids: tuple[int, ...]  # consumers anonymised
    entries: int  # history entries whose personal values were replaced


def anonymised_json(view: Anonymised) -> dict[str, Any]:
    return versioned(
        {
            "kind": view.kind,
            "at": format_instant(view.at, ZoneInfo(view.zone)),
            "dry_run": view.dry_run,
            "marker": view.marker,
            "policy": view.policy,
            "cases": list(view.refs),
            "consumers": list(view.consumer_ids),
            "entries": view.entries,
        }
    )
