"""The figures the Board sees: each one defined once (FIGURES), and counted from the history as
it had been recorded by a moment, the cutoff (the period's end, or --as-of if earlier).

Pure: stdlib only, never the clock. Each case's history entries recorded by the cutoff are
replayed (`replay`) into the facts the figures count (`CaseFacts`): when it was received and
how, where it stood, each of its clocks and how it ended. Nothing recorded after the cutoff
counts, so a past period's figures come out the same whatever is recorded later (MODEL.md,
"Figures and learning"; the replay `overdue --as-of` makes of the deadline table, made of the
history instead because a step recorded late can be dated back before the cutoff).

A clock is judged as `overdue` judges it (past due is strictly after its due) and ended as a
step ends it (domain/clocks.clock_ends_at); a met clock is on time as its step recorded
(`on_time` in the history entry, worked out by domain/clocks when the step was taken).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from complaintctl.domain.calendar import SEARCH_LIMIT_DAYS, CalendarError, WorkingCalendar
from complaintctl.domain.clocks import DeadlineKind, clock_ends_at
from complaintctl.domain.procedure import (
    NOT_ROUTED,
    TRANSITIONS,
    Action,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
    Stage,
)

# -- what each figure counts ------------------------------------------------------------------

COUNT = "count"
SHARE = "share"  # a fraction from 0 to 1 (null when there is nothing to share out)
WORKING_HOURS = "working-hours"
WORKING_DAYS = "working-days"
PENCE = "pence"
_MICROSECOND = timedelta(microseconds=1)

# The backlog's age bands, in whole working days since receipt [ours].
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("0-5", 5),
    ("6-10", 10),
    ("11-20", 20),
    ("21-40", 40),
    ("over-40", 2**31),
)
# The stages a case is still in the procedure at (reads.OPEN_STAGES says the same).
OPEN_STAGES = tuple(s.value for s in Stage if s not in (Stage.CLOSED, Stage.ASSESSED))

PARTS: dict[str, tuple[str, ...]] = {
    "channel": tuple(c.value for c in Channel),
    "category": tuple(c.value for c in Category),
    "reason": tuple(r.value for r in OutOfScope),
    "decision": tuple(d.value for d in Decision),
    "assessor-outcome": tuple(o.value for o in AssessorOutcome),
    "remedy": tuple(r.value for r in Remedy),
    "stage": OPEN_STAGES,
    "age": tuple(name for name, _ in AGE_BANDS),
    # The store's list of causes is the organisation's: a figure by cause has a part for each
    # cause recorded, most frequent first, whatever its name (DYNAMIC_PARTS).
    "cause": (),
}
DYNAMIC_PARTS = frozenset({"cause"})


@dataclass(frozen=True)
class Figure:
    name: str
    section: str
    unit: str
    words: str  # what it counts, in the procedure's terms (README repeats these)
    parts: str | None = None  # counted by these parts (PARTS), each a row of its own
    by_case: bool = True  # each counted thing belongs to a case: --by area|category|channel


_RECEIVED = "Received"
_ACK = "Acknowledgements"
_FIRST = "First-stage responses"
_SECOND = "Second stage"
_OUTCOMES = "Outcomes and remedies"
_ASSESSOR = "The Independent Assessor"
_RESTRICT = "Restrictions and incidents"
_BACKLOG = "Backlog at the period's end"
_LESSONS = "Causes and actions"

FIGURES: tuple[Figure, ...] = (
    Figure("received", _RECEIVED, COUNT, "complaints received in the period (their receipt "
           "date, not when logged), however they ended, the informally resolved too"),
    Figure("received_by_channel", _RECEIVED, COUNT, "received in the period, by channel",
           "channel"),
    Figure("received_by_category", _RECEIVED, COUNT, "received in the period, by category",
           "category"),
    Figure("received_board", _RECEIVED, COUNT, "received in the period addressed to the Board "
           "or the executive team"),
    Figure("out_of_scope", _RECEIVED, COUNT, "received in the period and closed out of scope by "
           "the cutoff, by reason", "reason"),
    Figure("resolved_informally", _RECEIVED, COUNT, "received in the period and closed as "
           "resolved at the informal stage by the cutoff"),
    Figure("out_of_time", _RECEIVED, COUNT, "received in the period about a service issue more "
           "than 6 months before it"),
    Figure("acknowledged_on_time", _ACK, COUNT, "received in the period and acknowledged within "
           "24 working hours of receipt"),
    Figure("acknowledged_late", _ACK, COUNT, "received in the period and acknowledged after its "
           "deadline (or recorded after it had passed)"),
    Figure("acknowledgement_open_past_due", _ACK, COUNT, "received in the period, not "
           "acknowledged by the cutoff, and past its deadline then"),
    Figure("acknowledgement_closed_past_due", _ACK, COUNT, "received in the period and closed "
           "without an acknowledgement after its deadline had passed"),
    Figure("acknowledged_on_time_share", _ACK, SHARE, "acknowledged on time, of those above "
           "(on time, late, open past due, closed past due)"),
    Figure("acknowledge_working_hours_median", _ACK, WORKING_HOURS, "median working hours from "
           "receipt to acknowledgement, of those received in the period and acknowledged"),
    Figure("acknowledge_working_hours_p90", _ACK, WORKING_HOURS, "90th percentile (nearest "
           "rank) of the same working hours"),
    Figure("responses_due", _FIRST, COUNT, "first-stage response deadlines falling in the period "
           "(an agreed timescale replacing the rule's), less those ended by a close before they "
           "fell due"),
    Figure("responded_on_time", _FIRST, COUNT, "of those, responded to by the deadline the rule "
           "gave (24 working hours after acknowledgement)"),
    Figure("responded_on_time_extended", _FIRST, COUNT, "of those, responded to after the rule's "
           "deadline but by a timescale agreed with the consumer"),
    Figure("responded_late", _FIRST, COUNT, "of those, responded to after the deadline (or "
           "recorded after it had passed)"),
    Figure("response_open_past_due", _FIRST, COUNT, "of those, not responded to by the cutoff "
           "and past due then"),
    Figure("response_closed_past_due", _FIRST, COUNT, "of those, closed without a response "
           "after the deadline had passed"),
    Figure("response_not_yet_due", _FIRST, COUNT, "of those, still running and not yet due at "
           "the cutoff (a period not over, or --as-of before its end)"),
    Figure("responded_on_time_share", _FIRST, SHARE, "on time, with or without an agreed "
           "timescale, of those due and judged (all but the not yet due)"),
    Figure("response_working_days_median", _FIRST, WORKING_DAYS, "median working days from "
           "acknowledgement to first-stage response, of responses given in the period"),
    Figure("escalated", _SECOND, COUNT, "escalations to the second stage dated in the period"),
    Figure("first_responses_escalated_share", _SECOND, SHARE, "of first-stage responses given "
           "in the period, the share escalated by the cutoff"),
    Figure("finals_due", _SECOND, COUNT, "final response deadlines falling in the period"),
    Figure("final_on_time", _SECOND, COUNT, "of those, given by the deadline the rule gave (20 "
           "working days after escalation)"),
    Figure("final_on_time_extended", _SECOND, COUNT, "of those, given after the rule's deadline "
           "but by a timescale agreed with the consumer"),
    Figure("final_late", _SECOND, COUNT, "of those, given after the deadline (or recorded after "
           "it had passed)"),
    Figure("final_open_past_due", _SECOND, COUNT, "of those, not given by the cutoff and past "
           "due then"),
    Figure("final_not_yet_due", _SECOND, COUNT, "of those, still running and not yet due at the "
           "cutoff"),
    Figure("final_on_time_share", _SECOND, SHARE, "on time, with or without an agreed "
           "timescale, of those due and judged"),
    Figure("final_working_days_median", _SECOND, WORKING_DAYS, "median working days from "
           "escalation to final response, of final responses given in the period"),
    Figure("first_stage_outcomes", _OUTCOMES, COUNT, "first-stage responses given in the "
           "period, by decision", "decision"),
    Figure("final_outcomes", _OUTCOMES, COUNT, "final responses given in the period, by "
           "decision", "decision"),
    Figure("assessor_outcomes", _OUTCOMES, COUNT, "the Independent Assessor's outcomes dated "
           "in the period", "assessor-outcome"),
    Figure("remedies", _OUTCOMES, COUNT, "responses (first-stage and final) given in the "
           "period offering each remedy", "remedy"),
    Figure("goodwill_pence", _OUTCOMES, PENCE, "goodwill payments offered in responses given in "
           "the period, in pence (that they were paid is not recorded yet)"),
    Figure("referrals_within_window", _ASSESSOR, COUNT, "referrals to the Independent Assessor "
           "dated in the period, within 3 months of the final response"),
    Figure("referrals_late", _ASSESSOR, COUNT, "referrals dated in the period and accepted after "
           "the 3 months, with a reason"),
    Figure("restrictions_decided", _RESTRICT, COUNT, "restrictions decided in the period (by "
           "the date on the restriction, as recorded by the cutoff)", by_case=False),
    Figure("restrictions_in_force", _RESTRICT, COUNT, "restrictions decided and not lifted at "
           "the cutoff, as recorded by it", by_case=False),
    Figure("restriction_reviews_overdue", _RESTRICT, COUNT, "restriction reviews past due at "
           "the cutoff, as recorded by it", by_case=False),
    Figure("incidents", _RESTRICT, COUNT, "incidents of abusive contact dated in the period"),
    Figure("causes", _LESSONS, COUNT, "responses (first-stage and final) given in the period "
           "recording each cause, the most frequent first", "cause"),
    Figure("actions_opened", _LESSONS, COUNT, "actions (remedies and improvements) opened in "
           "the period"),
    Figure("actions_done_on_time", _LESSONS, COUNT, "actions done in the period by their due "
           "(and recorded before it passed)"),
    Figure("actions_done_late", _LESSONS, COUNT, "actions done in the period after their due "
           "(or recorded after it had passed)"),
    Figure("actions_open", _LESSONS, COUNT, "actions opened and not done at the cutoff, "
           "whenever opened"),
    Figure("actions_overdue", _LESSONS, COUNT, "of those, past due at the cutoff"),
    Figure("open_cases", _BACKLOG, COUNT, "cases still in the procedure at the cutoff, by stage",
           "stage"),
    Figure("open_cases_by_age", _BACKLOG, COUNT, "the same, by whole working days since receipt "
           "(working time over the length of a working day, rounded down)", "age"),
    Figure("open_cases_breached", _BACKLOG, COUNT, "open cases with a deadline staff owe "
           "(acknowledgement, response, final response) past due at the cutoff"),
)  # fmt: skip
FIGURE = {figure.name: figure for figure in FIGURES}

# Each on-time share, as the counts it is made of: (those on time, those judged and missed).
# The share is rounded to four places; whether every one was on time is read from these.
SHARE_COUNTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "acknowledged_on_time_share": (
        ("acknowledged_on_time",),
        ("acknowledged_late", "acknowledgement_open_past_due", "acknowledgement_closed_past_due"),
    ),
    "responded_on_time_share": (
        ("responded_on_time", "responded_on_time_extended"),
        ("responded_late", "response_open_past_due", "response_closed_past_due"),
    ),
    "final_on_time_share": (
        ("final_on_time", "final_on_time_extended"),
        ("final_late", "final_open_past_due"),
    ),
}


# -- the history, replayed --------------------------------------------------------------------

# The history entries the figures are made of (replay reads these, and no others).
REPLAYED = tuple(
    a.value
    for a in (
        Action.LOG, Action.ACKNOWLEDGE, Action.RESPOND, Action.EXTEND, Action.RECOMPUTE,
        Action.ESCALATE, Action.FINAL, Action.REFER, Action.OUTCOME, Action.CLOSE,
        Action.REOPEN, Action.EDIT, Action.INCIDENT, Action.ACTION_OPENED, Action.ACTION_DONE,
    )
)  # fmt: skip


class Entry(NamedTuple):
    """One history entry of a case, as the store holds it (a named tuple: a report makes one
    for every entry it reads)."""

    action: str
    at: datetime  # when it happened
    recorded_at: datetime  # when it was written
    details: Mapping[str, Any]


# An entry as replay reads it: an Entry, or a plain tuple of its four.
EntryRow = tuple[str, datetime, datetime, Mapping[str, Any]]


# How a clock stood at the cutoff.
ON_TIME = "on-time"
ON_TIME_EXTENDED = "on-time-extended"  # late by the rule, on time by the agreed timescale
LATE = "late"
OPEN_PAST_DUE = "open-past-due"
CLOSED_PAST_DUE = "closed-past-due"  # ended by a close after its due, the step never taken
NOT_YET_DUE = "not-yet-due"
CANCELLED = "cancelled"  # ended by a close before its due: nothing was owed any more
JUDGED = (ON_TIME, ON_TIME_EXTENDED, LATE, OPEN_PAST_DUE, CLOSED_PAST_DUE)
# A deadline's states but CANCELLED: it was owed.
OWED_STATES = (*JUDGED, NOT_YET_DUE)


class Clock(NamedTuple):
    """A clock of a case as the history left it at the cutoff (a named tuple: a report makes
    one for each step of every case it counts)."""

    start: datetime
    due: datetime  # the agreed timescale's, after an extension
    rule_due: datetime  # the rule's, before any extension
    recorded_at: datetime  # when the step that started it was recorded
    extended: bool = False
    met_at: datetime | None = None  # the step's date
    on_time: bool | None = None  # as the step recorded it
    cancelled_at: datetime | None = None  # when a close ended it (clock_ends_at)

    def state(self, cutoff: datetime) -> str:
        if self.met_at is not None:
            if not self.on_time:
                return LATE
            return ON_TIME_EXTENDED if self.extended and self.met_at > self.rule_due else ON_TIME
        if self.cancelled_at is not None:
            return CLOSED_PAST_DUE if self.cancelled_at > self.due else CANCELLED
        return OPEN_PAST_DUE if self.due < cutoff else NOT_YET_DUE

    @property
    def running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class Given(NamedTuple):
    """A first-stage or final response (a named tuple: a report makes one for each response
    of every case it counts)."""

    stage: str  # "first" or "final"
    at: datetime
    decision: str
    remedies: tuple[str, ...]
    goodwill_pence: int
    causes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionFact:
    """An action on the case (a remedy or an improvement), as recorded by the cutoff."""

    id: int
    opened_at: datetime
    due: datetime
    done_at: datetime | None = None
    on_time: bool | None = None  # as its doing recorded it


class CaseFacts(NamedTuple):
    """A case as its history stood at the cutoff (a named tuple: a report makes one for every
    case it counts)."""

    ref: str
    received_at: datetime
    channel: str
    category: str
    board: bool
    out_of_time: bool
    area: str | None
    stage: str
    close_reason: str | None = None
    close_because: str | None = None
    clocks: Mapping[str, Clock] = MappingProxyType({})
    acknowledged_at: datetime | None = None
    responses: tuple[Given, ...] = ()
    escalated_at: tuple[datetime, ...] = ()
    referrals: tuple[tuple[datetime, bool], ...] = ()  # (when, late)
    assessed: tuple[tuple[datetime, str], ...] = ()  # (when, outcome)
    incidents: tuple[datetime, ...] = ()
    actions: tuple[ActionFact, ...] = ()

    def attribute(self, by: str) -> str:
        value = {"area": self.area, "category": self.category, "channel": self.channel}[by]
        return value if value is not None else NOT_ROUTED


def _instant(value: Any) -> datetime:
    # A due as an entry's details hold it: ISO text as JSON has it (the usual case, parsed
    # without a check first), or a datetime.
    if value.__class__ is str:
        return _from_iso(value)
    return value if isinstance(value, datetime) else _from_iso(str(value))


_from_iso = datetime.fromisoformat


class _Running:
    """A clock while the history is replayed: changed in place, frozen into a Clock at the end
    (a replay makes one per step of every case it reads)."""

    __slots__ = ("start", "due", "rule_due", "recorded_at", "extended", "met_at", "on_time",
                 "cancelled_at")  # fmt: skip

    def __init__(self, start: datetime, due: datetime, recorded_at: datetime) -> None:
        self.start, self.due, self.rule_due, self.recorded_at = start, due, due, recorded_at
        self.extended = False
        self.met_at: datetime | None = None
        self.on_time: bool | None = None
        self.cancelled_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def frozen(self) -> Clock:
        # tuple.__new__ is what Clock(...) calls, less the keyword handling in between.
        return _new_tuple(Clock, (
            self.start, self.due, self.rule_due, self.recorded_at, self.extended, self.met_at,
            self.on_time, self.cancelled_at,
        ))  # fmt: skip


_new_tuple = tuple.__new__


# The stage each action moves a case to, by the action's name (one look-up per entry).
_MOVES: dict[str, Stage] = {
    action.value: target for action, (_, target) in TRANSITIONS.items() if target is not None
}


# The actions and clocks replay tells apart, as plain strings: looking up an enum's member
# costs more than comparing with it, and replay does both for every entry it reads.
_ACKNOWLEDGE = Action.ACKNOWLEDGE.value
_ACTION_DONE = Action.ACTION_DONE.value
_ACTION_OPENED = Action.ACTION_OPENED.value
_CLOSE = Action.CLOSE.value
_EDIT = Action.EDIT.value
_ESCALATE = Action.ESCALATE.value
_EXTEND = Action.EXTEND.value
_FINAL = Action.FINAL.value
_INCIDENT = Action.INCIDENT.value
_LOG = Action.LOG.value
_OUTCOME = Action.OUTCOME.value
_RECOMPUTE = Action.RECOMPUTE.value
_REFER = Action.REFER.value
_REOPEN = Action.REOPEN.value
_RESPOND = Action.RESPOND.value
ACKNOWLEDGE_CLOCK = DeadlineKind.ACKNOWLEDGE.value
FINAL_CLOCK = DeadlineKind.FINAL.value
_REFERRAL_WINDOW_CLOCK = DeadlineKind.REFERRAL_WINDOW.value
RESPOND_CLOCK = DeadlineKind.RESPOND.value


def replay(ref: str, entries: Iterable[EntryRow], cutoff: datetime) -> CaseFacts | None:
    """The case as the entries recorded by `cutoff` leave it (in the order they were recorded);
    None when its log was not recorded by then. Each entry is an Entry, or a plain tuple of
    the same four (a report reads hundreds of thousands)."""
    received_at: datetime | None = None
    # The case's fields as its log set them and later entries changed them.
    channel = category = ""
    board = out_of_time = False
    area: str | None = None
    acknowledged_at: datetime | None = None
    close_reason: str | None = None
    close_because: str | None = None
    clocks: dict[str, _Running] = {}
    stage, before_close = Stage.RECEIVED, Stage.RECEIVED
    cancelled_by_close: list[str] = []
    responses: list[Given] = []
    escalated: list[datetime] = []
    referrals: list[tuple[datetime, bool]] = []
    assessed: list[tuple[datetime, str]] = []
    incidents: list[datetime] = []
    actions: dict[int, ActionFact] = {}
    moves = _MOVES
    kind: str
    for action, at, recorded_at, details in entries:
        if recorded_at > cutoff:
            continue
        if action == _LOG:
            received_at = at
            channel = str(details.get("channel"))
            category = str(details.get("category"))
            board = bool(details.get("board"))
            out_of_time = bool(details.get("out_of_time"))
            area = acknowledged_at = close_reason = close_because = None
            clocks[ACKNOWLEDGE_CLOCK] = _Running(
                at, _instant(details["acknowledge_due"]), recorded_at
            )
            continue
        if received_at is None:
            continue  # nothing before the log counts (it cannot happen)
        if (target := moves.get(action)) is not None:
            if action == _CLOSE:
                before_close = stage
            stage = target
        if action == _ACKNOWLEDGE:
            area, acknowledged_at = details.get("area"), at
            _meet(clocks, ACKNOWLEDGE_CLOCK, at, details)
            due = _instant(details["respond_due"])
            clocks[RESPOND_CLOCK] = _Running(at, due, recorded_at)
        elif action == _RESPOND or action == _FINAL:
            kind = RESPOND_CLOCK if action == _RESPOND else FINAL_CLOCK
            _meet(clocks, kind, at, details)
            responses.append(
                Given(
                    "first" if action == _RESPOND else "final",
                    at,
                    str(details.get("decision")),
                    tuple(details.get("remedies") or ()),
                    int(details.get("goodwill_pence") or 0),
                    tuple(details.get("causes") or ()),
                )
            )
            if action == _FINAL and details.get("refer_by"):
                due = _instant(details["refer_by"])
                clocks[_REFERRAL_WINDOW_CLOCK] = _Running(at, due, recorded_at)
        elif action == _RECOMPUTE and (moved := actions.get(int(details.get("action_id") or 0))):
            # An action's due moved by a calendar change (services/calendar._recompute).
            actions[moved.id] = replace(moved, due=_instant(details["new_due"]))
        elif action == _EXTEND or action == _RECOMPUTE:
            kind = str(details.get("kind"))
            clock = clocks.get(kind)
            if clock is not None and clock.running:
                clock.due = _instant(details["new_due"])
                clock.extended = clock.extended or action == _EXTEND
                if not clock.extended:
                    clock.rule_due = clock.due
        elif action == _ESCALATE:
            escalated.append(at)
            due = _instant(details["final_due"])
            clocks[FINAL_CLOCK] = _Running(at, due, recorded_at)
        elif action == _REFER:
            _meet(clocks, _REFERRAL_WINDOW_CLOCK, at, details)
            referrals.append((at, bool(details.get("late"))))
        elif action == _OUTCOME:
            assessed.append((at, str(details.get("outcome"))))
        elif action == _CLOSE:
            cancelled_by_close = []
            for kind, clock in clocks.items():
                if clock.running:
                    # The consumer's referral window is never breached on record (plan_clocks).
                    seen = clock.recorded_at < recorded_at and kind != _REFERRAL_WINDOW_CLOCK
                    clock.cancelled_at = clock_ends_at(clock.due, at, recorded_at, seen=seen)
                    cancelled_by_close.append(kind)
            close_reason = details.get("reason")
            close_because = details.get("because")
        elif action == _REOPEN:
            stage = before_close
            for kind in cancelled_by_close:
                clock = clocks[kind]
                clock.cancelled_at = None
                # Run again to where the calendar then put it (a calendar change made while
                # the case was closed): the entry holds the due it had and the new one.
                if f"{kind}_due_when_closed" in details:
                    clock.due = _instant(details[f"{kind}_due"])
                    if not clock.extended:
                        clock.rule_due = clock.due
            cancelled_by_close = []
            close_reason = close_because = None
        elif action == _EDIT:
            # A list of changes, or a removal marker where retention took it away because it
            # held the consumer's details (domain/retention.py): no category change then. An
            # edit recorded since keeps those apart (`personal_changes`), so this one stays.
            changes = details.get("changes")
            for change in changes if isinstance(changes, list) else ():
                field = change.get("field")
                if field == "category":
                    category = change.get("new")
                elif field == "channel":
                    channel = change.get("new")
                elif field == "board":
                    board = change.get("new")
        elif action == _INCIDENT:
            incidents.append(at)
        elif action == _ACTION_OPENED:
            opened = int(details["id"])
            actions[opened] = ActionFact(opened, at, _instant(details["due"]))
        elif action == _ACTION_DONE and (done := actions.get(int(details["id"]))):
            actions[done.id] = ActionFact(
                done.id, done.opened_at, done.due, at, bool(details.get("on_time"))
            )
    if received_at is None:
        return None
    # CaseFacts(...) by position, through tuple.__new__ as it would be.
    return _new_tuple(CaseFacts, (
        ref, received_at, channel, category, board, out_of_time, area, stage, close_reason,
        close_because, {kind: clock.frozen() for kind, clock in clocks.items()},
        acknowledged_at, tuple(responses), tuple(escalated), tuple(referrals), tuple(assessed),
        tuple(incidents), tuple(actions.values()),
    ))  # fmt: skip


def _meet(clocks: dict[str, _Running], kind: str, at: datetime, details: Mapping[str, Any]) -> None:
    clock = clocks.get(kind)
    if clock is None or not clock.running:
        return
    on_time = details.get("on_time")
    if on_time is None:  # the referral window records `late` instead: met when they referred
        on_time = at <= clock.due
    clock.met_at, clock.on_time = at, bool(on_time)


# -- counting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestrictionFacts:
    """A restriction as the store's own entries recorded it: when it was decided and lifted
    (the dates on the restriction) and when each was recorded, and the due of its review as
    the decision and each later review set it."""

    decided_at: datetime
    decided_recorded: datetime
    lifted_at: datetime | None
    lifted_recorded: datetime | None
    reviews: tuple[tuple[datetime, datetime], ...]  # (recorded at, due), the decision's first

    def known(self, cutoff: datetime) -> bool:
        """Whether its decision had been recorded by `cutoff`."""
        return self.decided_recorded <= cutoff

    def lifted(self, cutoff: datetime) -> datetime | None:
        """When it was lifted, if that had been recorded by `cutoff`."""
        recorded = self.lifted_recorded
        return self.lifted_at if recorded is not None and recorded <= cutoff else None

    def in_force(self, cutoff: datetime) -> bool:
        """Decided before `cutoff` and not lifted by then, as recorded by it: one lifted at
        the cutoff is lifted then, as its review is over then (review_overdue)."""
        lifted = self.lifted(cutoff)
        return self.decided_at < cutoff and (lifted is None or lifted > cutoff)

    def review_overdue(self, cutoff: datetime) -> bool:
        """Its review running at `cutoff` and past due then (strictly after its due, as
        `overdue` judges it), as recorded by it: the due the latest review recorded set."""
        dues = [due for recorded, due in self.reviews if recorded <= cutoff]
        lifted = self.lifted(cutoff)
        running = self.known(cutoff) and (lifted is None or lifted > cutoff)
        return running and bool(dues) and dues[-1] < cutoff


@dataclass(frozen=True)
class Restrictions:
    """What the figures need of restrictions, which belong to consumers, not cases."""

    facts: tuple[RestrictionFacts, ...]


def restriction_facts(
    rows: Iterable[tuple[int, int, datetime, datetime | None, datetime | None]],
    entries: Iterable[Entry],
) -> Restrictions:
    """Each restriction (id, consumer id, decided at, lifted at, its first review's due) with
    when the store's entries about it (decided, reviewed, lifted; in the order written) were
    recorded. A decision's entry names its restriction (`restriction_id`) or, written before
    it did, is the one of that consumer at that instant; a review's and a lifting's name it
    (`restriction`). None of this is personal, so it outlives retention and erasure. A
    restriction without its entry counts by its dates, as if recorded then."""
    named: dict[int, datetime] = {}
    unnamed: dict[tuple[int, datetime], list[datetime]] = {}
    lifts: dict[int, datetime] = {}
    reviews: dict[int, list[tuple[datetime, datetime]]] = {}
    for entry in entries:
        details = entry.details
        if entry.action == Action.RESTRICTION_DECIDED:
            restriction_id = details.get("restriction_id")
            if isinstance(restriction_id, int):
                named[restriction_id] = entry.recorded_at
            elif isinstance(consumer_id := details.get("consumer_id"), int):
                unnamed.setdefault((consumer_id, entry.at), []).append(entry.recorded_at)
            continue
        restriction_id = details.get("restriction")
        if not isinstance(restriction_id, int):
            continue
        if entry.action == Action.RESTRICTION_LIFTED:
            lifts[restriction_id] = entry.recorded_at
        elif entry.action == Action.RESTRICTION_REVIEWED and "next_review" in details:
            due = _instant(details["next_review"])
            reviews.setdefault(restriction_id, []).append((entry.recorded_at, due))
    facts = []
    for restriction_id, consumer_id, decided_at, lifted_at, first_due in rows:
        decided = named.get(restriction_id)
        if decided is None:
            waiting = unnamed.get((consumer_id, decided_at))
            decided = waiting.pop(0) if waiting else decided_at
        lifted = None if lifted_at is None else lifts.get(restriction_id, lifted_at)
        first = [] if first_due is None else [(decided, first_due)]
        facts.append(
            RestrictionFacts(
                decided_at,
                decided,
                lifted_at,
                lifted,
                tuple(first + reviews.get(restriction_id, [])),
            )
        )
    return Restrictions(tuple(facts))


Value = int | float | None


@dataclass(frozen=True)
class Row:
    figure: str
    part: str | None
    value: Value


@dataclass(frozen=True)
class Window:
    """What a count covers: instants from `start` up to (not including) `end`, as recorded by
    `cutoff`. The counts write that out, `start <= instant < end`, wherever they test one."""

    start: datetime
    end: datetime
    cutoff: datetime


def count(
    cases: Sequence[CaseFacts],
    window: Window,
    calendar: WorkingCalendar,
    restrictions: Restrictions | None,
) -> tuple[Row, ...]:
    """Every figure of FIGURES over `cases`, in FIGURES' order, a row for each part of a
    figure counted by parts; the restrictions' only when `restrictions` are given."""
    values, _ = _count(cases, window, calendar, restrictions)
    return rows(values)


def with_parts(rows: Sequence[Row], parts: Mapping[str, Iterable[str]]) -> tuple[Row, ...]:
    """`rows` with a row for each of `parts` (by figure) that they lack, at 0: a figure counted
    by the causes recorded (DYNAMIC_PARTS) has a row for each cause any column of the report
    counted, so that a cause recorded only in the period before, or in another group or
    month, is beside it at 0 here rather than left out. Its rows stay the most frequent
    first, in FIGURES' order; a figure neither in `rows` nor in `parts` (the restrictions' of a
    group) stays out."""
    by_figure: dict[str, list[Row]] = {}
    for row in rows:
        by_figure.setdefault(row.figure, []).append(row)
    found: list[Row] = []
    for figure in FIGURES:
        listed = by_figure.get(figure.name, [])
        if figure.name in parts:
            counted: dict[str | None, Value] = {row.part: row.value for row in listed}
            for part in parts[figure.name]:
                counted.setdefault(part, 0)
            ordered = sorted(counted.items(), key=lambda item: (-(item[1] or 0), item[0] or ""))
            listed = [Row(figure.name, part, value) for part, value in ordered]
        found += listed
    return tuple(found)


class FigureError(ValueError):
    """A figure named wrongly, or one that is not a count of cases."""


def parse_figure(text: str) -> tuple[str, str | None]:
    """`received`, or `received_by_channel.online`: a count of cases and, for one counted by
    parts, which part."""
    name, dot, part = text.strip().partition(".")
    # Parts are read in any case, as --channel and --cause read them: every part is lower case.
    part = part.lower()
    figure = FIGURE.get(name)
    if figure is None:
        raise FigureError(
            f'{text!r} is not a figure; the README lists them ("report"), e.g. '
            "responded_late or open_cases.first-stage"
        )
    if not figure.by_case:
        raise FigureError(f"{name} counts restrictions, not cases")
    if figure.unit != COUNT:
        beside = [f.name for f in FIGURES if f.section == figure.section and f.unit == COUNT]
        raise FigureError(
            f"{name} is not a count of cases ({figure.unit}): the cases behind it are in the "
            f"counts of its section ({figure.section}), e.g. {' and '.join(beside[:2])}"
        )
    if figure.parts is None:
        if part:
            raise FigureError(f"{name} has no parts")
        if dot:
            # `received.` (a script's "$FIGURE.$PART" with no part): never taken for the
            # figure alone. One with parts and none after its dot is asked which, below.
            raise FigureError(f"{name} has no parts; leave the dot off")
        return name, None
    if figure.parts in DYNAMIC_PARTS and part:
        return name, part
    if figure.parts in DYNAMIC_PARTS:
        raise FigureError(
            f"{name} is counted by {figure.parts}: say which, as {name}.PART, PART a "
            f"{figure.parts} as `{figure.parts} list` names it, e.g. {name}.delay"
        )
    parts = PARTS[figure.parts]
    if part and part not in parts:
        raise FigureError(
            f"{name} has no part {part!r}: it is counted by {figure.parts}, as "
            f"{name}.PART, PART one of {', '.join(parts)}"
        )
    if part not in parts:
        raise FigureError(
            f"{name} is counted by {figure.parts}: say which, as {name}.PART, PART one of "
            f"{', '.join(parts)}"
        )
    return name, part


# The figures that count cases, or steps on them: each can list the cases it counted.
Members = dict[str, list[str] | dict[str, list[str]]]


def counted_cases(
    cases: Sequence[CaseFacts], window: Window, calendar: WorkingCalendar, figure: str,
    part: str | None,
) -> list[str]:  # fmt: skip
    """The references of the cases `figure` (its `part`) counted, as often as it counted
    each (a case escalated twice is there twice), in the order the cases were logged."""
    found = _count(cases, window, calendar, None)[1][figure]
    if isinstance(found, dict):
        assert part is not None
        return list(found.get(part, []))
    return list(found)


def _count(
    cases: Sequence[CaseFacts],
    window: Window,
    calendar: WorkingCalendar,
    restrictions: Restrictions | None,
) -> tuple[dict[str, Value | dict[str, Value]], Members]:
    """The figures' values, and for each count of cases (or of steps on them) the cases it
    counted: a count is how many of them there are, so the two cannot disagree. The working
    times the medians and the backlog's ages are of are measured after the cases are
    gathered, each figure's instants placed on the calendar's working clock in one call
    (WorkingCalendar.working_clock)."""
    gathered, members = gather(cases, window)
    values, by_age = values_of(gathered, window, calendar, restrictions)
    members["open_cases_by_age"] = by_age
    return values, members


def gather(cases: Sequence[CaseFacts], window: Window) -> tuple[Gathered, Members]:
    """What the figures are made of (Gathered), and for each count of cases (or of steps on
    them) the cases it counted but the backlog's ages (made with the values, on the working
    clock). One pass over the cases, in the order they were logged, puts each case (each step
    on it) in every count it belongs to, so each count lists its cases in that order; a count
    by parts has every part, even one that counts none."""
    # The window's bounds written out in each test, not a method: a report asks them of
    # every step of every case it counts, and a call costs more than the two comparisons.
    start, end, cutoff = window.start, window.end, window.cutoff
    received: list[str] = []
    by_channel, by_category = _parts("channel"), _parts("category")
    board: list[str] = []
    out_of_scope = _parts("reason")
    informally: list[str] = []
    out_of_time: list[str] = []
    # Each clock's cases by its state at the cutoff (Clock.state), states as first met.
    acks: dict[str, list[str]] = {}
    responses: dict[str, list[str]] = {}
    finals: dict[str, list[str]] = {}
    escalated: list[str] = []
    first_outcomes, final_outcomes = _parts("decision"), _parts("decision")
    first_given = first_escalated = 0  # first-stage responses given, and those escalated since
    assessor = _parts("assessor-outcome")
    remedies = _parts("remedy")
    goodwill = 0
    cited: dict[str, list[str]] = {}
    referrals_within: list[str] = []
    referrals_late: list[str] = []
    incidents: list[str] = []
    actions_opened: list[str] = []
    done_on_time: list[str] = []
    done_late: list[str] = []
    actions_open: list[str] = []
    actions_overdue: list[str] = []
    open_cases = _parts("stage")
    open_since: list[tuple[str, datetime]] = []  # each open case, and when it was received
    breached: list[str] = []
    # The working times the medians are of: from receipt to acknowledgement, from
    # acknowledgement to first-stage response, from escalation to final response.
    to_acknowledge: list[tuple[datetime, datetime]] = []
    to_respond: list[tuple[datetime, datetime]] = []
    to_final: list[tuple[datetime, datetime]] = []
    # Where each deadline counted (a clock's, an action's) was counted from on the calendar.
    judged: list[datetime] = []

    for c in cases:
        ref, clocks, acknowledged_at = c.ref, c.clocks, c.acknowledged_at
        # Received, and its acknowledgement: of the cases received in the period.
        if start <= c.received_at < end:
            received.append(ref)
            by_channel.setdefault(c.channel, []).append(ref)
            by_category.setdefault(c.category, []).append(ref)
            if c.board:
                board.append(ref)
            if c.stage == Stage.CLOSED:
                if c.close_reason == CloseReason.OUT_OF_SCOPE:
                    out_of_scope.setdefault(c.close_because or "", []).append(ref)
                elif c.close_reason == CloseReason.RESOLVED_INFORMALLY:
                    informally.append(ref)
            if c.out_of_time:
                out_of_time.append(ref)
            if (clock := clocks.get(ACKNOWLEDGE_CLOCK)) is not None:
                acks.setdefault(clock.state(cutoff), []).append(ref)
                judged.append(clock.start)
            if acknowledged_at is not None:
                to_acknowledge.append((c.received_at, acknowledged_at))
        # First-stage and final response deadlines: in the period they fall due in.
        if (clock := clocks.get(RESPOND_CLOCK)) is not None and start <= clock.due < end:
            responses.setdefault(clock.state(cutoff), []).append(ref)
            judged.append(clock.start)
        if (clock := clocks.get(FINAL_CLOCK)) is not None and start <= clock.due < end:
            finals.setdefault(clock.state(cutoff), []).append(ref)
            judged.append(clock.start)
        for at in c.escalated_at:
            if start <= at < end:
                escalated.append(ref)
        # Responses given in the period: their outcomes, remedies, goodwill and causes.
        for g in c.responses:
            if not start <= g.at < end:
                continue
            if g.stage == "first":
                first_outcomes.setdefault(g.decision, []).append(ref)
                first_given += 1
                # Escalated since: an escalation at or after the response.
                if c.escalated_at and max(c.escalated_at) >= g.at:
                    first_escalated += 1
                if acknowledged_at is not None:
                    to_respond.append((acknowledged_at, g.at))
            elif g.stage == "final":
                final_outcomes.setdefault(g.decision, []).append(ref)
                # From the latest escalation by then.
                escalations = [at for at in c.escalated_at if at <= g.at]
                if escalations:
                    to_final.append((max(escalations), g.at))
            for remedy in set(g.remedies).intersection(remedies):
                remedies[remedy].append(ref)
            goodwill += g.goodwill_pence
            for cause in g.causes:
                cited.setdefault(cause, []).append(ref)
        # The Assessor's, the incidents and the actions: each dated in the period.
        for at, outcome in c.assessed:
            if start <= at < end:
                assessor.setdefault(outcome, []).append(ref)
        for at, late in c.referrals:
            if start <= at < end:
                (referrals_late if late else referrals_within).append(ref)
        for at in c.incidents:
            if start <= at < end:
                incidents.append(ref)
        for a in c.actions:
            counted = start <= a.opened_at < end
            if counted:
                actions_opened.append(ref)
            if a.done_at is not None:
                if start <= a.done_at < end:
                    (done_on_time if a.on_time else done_late).append(ref)
                    counted = True
            elif a.opened_at <= cutoff:
                actions_open.append(ref)
                counted = True
                if a.due < cutoff:
                    actions_overdue.append(ref)
            if counted:
                judged.append(a.opened_at)
        # The backlog: every case still in the procedure at the cutoff, whenever received.
        if c.stage in _OPEN:
            open_cases.setdefault(c.stage, []).append(ref)
            open_since.append((ref, c.received_at))
            # A deadline staff owe past due at the cutoff: Clock.state(cutoff) == OPEN_PAST_DUE,
            # written out.
            for kind in _OWED:
                clock = clocks.get(kind)
                if (
                    clock is not None
                    and clock.met_at is None
                    and clock.cancelled_at is None
                    and clock.due < cutoff
                ):
                    breached.append(ref)
                    break

    members: Members = {
        "received": received,
        "received_by_channel": by_channel,
        "received_by_category": by_category,
        "received_board": board,
        "out_of_scope": out_of_scope,
        "resolved_informally": informally,
        "out_of_time": out_of_time,
        "acknowledged_on_time": acks.get(ON_TIME, []),
        "acknowledged_late": acks.get(LATE, []),
        "acknowledgement_open_past_due": acks.get(OPEN_PAST_DUE, []),
        "acknowledgement_closed_past_due": acks.get(CLOSED_PAST_DUE, []),
        # A deadline ended by a close before it fell due was not owed.
        "responses_due": [
            ref for state, refs in responses.items() if state != CANCELLED for ref in refs
        ],
        "responded_on_time": responses.get(ON_TIME, []),
        "responded_on_time_extended": responses.get(ON_TIME_EXTENDED, []),
        "responded_late": responses.get(LATE, []),
        "response_open_past_due": responses.get(OPEN_PAST_DUE, []),
        "response_closed_past_due": responses.get(CLOSED_PAST_DUE, []),
        "response_not_yet_due": responses.get(NOT_YET_DUE, []),
        "escalated": escalated,
        "finals_due": [ref for state, refs in finals.items() if state != CANCELLED for ref in refs],
        "final_on_time": finals.get(ON_TIME, []),
        "final_on_time_extended": finals.get(ON_TIME_EXTENDED, []),
        "final_late": finals.get(LATE, []),
        "final_open_past_due": finals.get(OPEN_PAST_DUE, []),
        "final_not_yet_due": finals.get(NOT_YET_DUE, []),
        "first_stage_outcomes": first_outcomes,
        "final_outcomes": final_outcomes,
        "assessor_outcomes": assessor,
        "remedies": remedies,
        "referrals_within_window": referrals_within,
        "referrals_late": referrals_late,
        "incidents": incidents,
        # The most frequent cause first.
        "causes": dict(sorted(cited.items(), key=lambda item: (-len(item[1]), item[0]))),
        "actions_opened": actions_opened,
        "actions_done_on_time": done_on_time,
        "actions_done_late": done_late,
        "actions_open": actions_open,
        "actions_overdue": actions_overdue,
        "open_cases": open_cases,
        "open_cases_breached": breached,
    }
    gathered = Gathered(
        {name: _sizes(listed) for name, listed in members.items()},
        {kind: {state: len(refs) for state, refs in states.items()}
         for kind, states in ((ACKNOWLEDGE_CLOCK, acks), (RESPOND_CLOCK, responses),
                              (FINAL_CLOCK, finals))},
        {TO_ACKNOWLEDGE: to_acknowledge, TO_RESPOND: to_respond, TO_FINAL: to_final},
        open_since,
        first_given,
        first_escalated,
        goodwill,
        min(judged, default=None),
    )  # fmt: skip
    return gathered, members


# The working times the medians are of (Gathered.pairs).
TO_ACKNOWLEDGE, TO_RESPOND, TO_FINAL = "to-acknowledge", "to-respond", "to-final"


# The figures gather counts, in the order it has them (Gathered.counted).
GATHERED = (
    "received",
    "received_by_channel",
    "received_by_category",
    "received_board",
    "out_of_scope",
    "resolved_informally",
    "out_of_time",
    "acknowledged_on_time",
    "acknowledged_late",
    "acknowledgement_open_past_due",
    "acknowledgement_closed_past_due",
    "responses_due",
    "responded_on_time",
    "responded_on_time_extended",
    "responded_late",
    "response_open_past_due",
    "response_closed_past_due",
    "response_not_yet_due",
    "escalated",
    "finals_due",
    "final_on_time",
    "final_on_time_extended",
    "final_late",
    "final_open_past_due",
    "final_not_yet_due",
    "first_stage_outcomes",
    "final_outcomes",
    "assessor_outcomes",
    "remedies",
    "referrals_within_window",
    "referrals_late",
    "incidents",
    "causes",
    "actions_opened",
    "actions_done_on_time",
    "actions_done_late",
    "actions_open",
    "actions_overdue",
    "open_cases",
    "open_cases_breached",
)


class Gathered(NamedTuple):
    """What counting cases gathers before the figures' values are made of it, so that counts
    of two sets of cases (kept rows counted in SQL, cases replayed) add up: how many each
    count counted (by part, for a count by parts, its parts in order), each clock's cases by
    its state at the cutoff (Clock.state), the instant pairs each median is of, each case open
    at the cutoff with its receipt (in the order logged), the first-stage responses given and
    those escalated since, the goodwill given, and the earliest instant a deadline it counted
    (a clock's, an action's) was counted from on the calendar. Open cases counted by age band
    without their references (in SQL, against `age_limits`) are in `aged`, with the earliest
    receipt among them in `aged_from`."""

    counted: dict[str, Value | dict[str, Value]]
    states: dict[str, dict[str, int]]
    pairs: dict[str, list[tuple[datetime, datetime]]]
    open_since: list[tuple[str, datetime]]
    first_given: int
    first_escalated: int
    goodwill: int
    judged_from: datetime | None
    aged: Mapping[str, int] = MappingProxyType({})
    aged_from: datetime | None = None


def values_of(
    gathered: Gathered,
    window: Window,
    calendar: WorkingCalendar,
    restrictions: Restrictions | None,
) -> tuple[dict[str, Value | dict[str, Value]], dict[str, list[str]]]:
    """Every figure's value made of what was gathered, and the open cases by their age band
    (their references, in the order logged): the shares, the medians and the percentile on
    the calendar's working clock, the restrictions' where given."""
    start, end, cutoff = window.start, window.end, window.cutoff
    working_day = calendar.working_day()
    states, pairs = gathered.states, gathered.pairs
    values: dict[str, Value | dict[str, Value]] = {}
    values["acknowledged_on_time_share"] = _on_time_share(states[ACKNOWLEDGE_CLOCK])
    hours = _worked(calendar, pairs[TO_ACKNOWLEDGE])
    hour = timedelta(hours=1)
    values["acknowledge_working_hours_median"] = _median(hours, hour)
    values["acknowledge_working_hours_p90"] = percentile(hours, 90, hour)
    values["responded_on_time_share"] = _on_time_share(states[RESPOND_CLOCK])
    values["response_working_days_median"] = _median(
        _worked(calendar, pairs[TO_RESPOND]), working_day
    )
    values["first_responses_escalated_share"] = _share(
        gathered.first_escalated, gathered.first_given
    )
    values["final_on_time_share"] = _on_time_share(states[FINAL_CLOCK])
    values["final_working_days_median"] = _median(_worked(calendar, pairs[TO_FINAL]), working_day)
    values["goodwill_pence"] = gathered.goodwill
    if restrictions is not None:
        # As recorded by the cutoff, like every other figure: a decision or a lifting dated
        # before it but recorded after it does not count yet.
        known = [r for r in restrictions.facts if r.known(cutoff)]
        values["restrictions_decided"] = sum(start <= r.decided_at < end for r in known)
        values["restrictions_in_force"] = sum(r.in_force(cutoff) for r in known)
        values["restriction_reviews_overdue"] = sum(r.review_overdue(cutoff) for r in known)

    by_age: dict[str, list[str]] = _parts("age")
    now, *opened = calendar.working_clock([cutoff, *(at for _, at in gathered.open_since)])
    for (ref, _), since in zip(gathered.open_since, opened, strict=True):
        age = timedelta(microseconds=now - since)
        by_age.setdefault(age_band(age, working_day), []).append(ref)
    for name, counted in gathered.counted.items():
        values[name] = counted
        if name == "open_cases":
            values["open_cases_by_age"] = {
                band: len(refs) + gathered.aged.get(band, 0) for band, refs in by_age.items()
            }
    return values, by_age


def age_limits(calendar: WorkingCalendar, cutoff: datetime) -> tuple[datetime, ...]:
    """For each age band but the oldest (AGE_BANDS), the instant a case open at `cutoff` must
    be received after to be in it or a younger one: at most N whole working days old is less
    than N + 1 working days of working time to the cutoff, and the working time to the cutoff
    only shrinks as the receipt moves later, so it holds exactly for those received after
    the latest instant that much working time before the cutoff (subtract_working_time).
    The same bands as age_band of the working clock's age, without a clock for each case."""
    working_day = calendar.working_day()

    def limit(amount: timedelta) -> datetime:
        try:
            return calendar.subtract_working_time(cutoff, amount)
        except CalendarError:
            # Less working time than that in all the years the calendar searches back (closed
            # for years): every case received within them is younger.
            return cutoff - timedelta(days=SEARCH_LIMIT_DAYS)

    return tuple(limit((most + 1) * working_day) for _, most in AGE_BANDS[:-1])


def measured_from(gathered: Gathered) -> datetime | None:
    """The earliest instant the figures made of `gathered` rest on working time from: a
    deadline's start (a clock's, an action's), a median's start, an open case's receipt
    (None: they count none)."""
    starts = [start for pairs in gathered.pairs.values() for start, _ in pairs]
    starts += [received for _, received in gathered.open_since]
    if gathered.aged_from is not None:
        starts.append(gathered.aged_from)
    if gathered.judged_from is not None:
        starts.append(gathered.judged_from)
    return min(starts, default=None)


def _sizes(listed: list[str] | dict[str, list[str]]) -> Value | dict[str, Value]:
    return (
        {part: len(refs) for part, refs in listed.items()}
        if isinstance(listed, dict)
        else len(listed)
    )


def rows(values: Mapping[str, Value | dict[str, Value]]) -> tuple[Row, ...]:
    """Every figure of `values` in FIGURES' order, a row for each part of one by parts."""
    rows: list[Row] = []
    for figure in FIGURES:
        if figure.name not in values:
            continue
        value = values[figure.name]
        if isinstance(value, dict):
            rows += [Row(figure.name, part, value.get(part, 0)) for part in value]
        else:
            rows.append(Row(figure.name, None, value))
    return tuple(rows)


# The stages a case is open at, and the clocks staff owe, as the counting looks them up.
_OPEN = frozenset(OPEN_STAGES)
_OWED = (ACKNOWLEDGE_CLOCK, RESPOND_CLOCK, FINAL_CLOCK)


def _parts(parts: str) -> dict[str, list[str]]:
    """A count by `parts` before any case is in it: every part listed (PARTS), empty; a part
    no longer listed is added as a case is counted in it."""
    return {part: [] for part in PARTS[parts]}


def _worked(calendar: WorkingCalendar, pairs: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """The working time from each start to its end, in microseconds."""
    placed = calendar.working_clock([at for pair in pairs for at in pair])
    return [end - start for start, end in zip(placed[::2], placed[1::2], strict=True)]


def _on_time_share(states: Mapping[str, int]) -> float | None:
    judged = sum(states.get(state, 0) for state in JUDGED)
    met = states.get(ON_TIME, 0) + states.get(ON_TIME_EXTENDED, 0)
    return _share(met, judged)


def _share(part: int, whole: int) -> float | None:
    return round_half_up(Fraction(part, whole), 4) if whole else None


# Working times are counted in whole microseconds, and put in hours or days only once the
# median or percentile is found: exact (21 working hours is 21/8 working days, not a float),
# and sorted as integers (sorting a year's Fractions would cost seconds).


def microseconds(times: Iterable[timedelta]) -> list[int]:
    return [worked // _MICROSECOND for worked in times]


def _median(values: Sequence[int], unit: timedelta) -> float | None:
    """The median of `values` (microseconds) in `unit`s, to two places."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    twice = 2 * ordered[middle] if len(ordered) % 2 else ordered[middle - 1] + ordered[middle]
    return round_half_up(Fraction(twice, 2 * (unit // _MICROSECOND)), 2)


def percentile(values: Sequence[int], pct: int, unit: timedelta) -> float | None:
    """The nearest-rank percentile of `values` (microseconds) in `unit`s, to two places: the
    smallest value with at least `pct`% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-pct * len(ordered) // 100)  # the ceiling of pct% of them, in whole numbers
    return round_half_up(Fraction(ordered[max(rank, 1) - 1], unit // _MICROSECOND), 2)


def round_half_up(value: Fraction | int, places: int) -> float:
    """`value` to `places` decimal places as a person rounds by hand: a half away from zero
    (2.625 is 2.63, 15.125 is 15.13), on the exact value, never on a binary float (where
    Python's round would give 2.62, and 2.675 would already be a little under 2.675)."""
    scale: int = 10**places
    halved_up = abs(Fraction(value)) * scale + Fraction(1, 2)
    whole = halved_up.numerator // halved_up.denominator
    return (-whole if value < 0 else whole) / scale


def as_percent(share: float, places: int) -> Decimal:
    """A share (a fraction to four places) as a percentage to `places` places, a half rounded
    away from zero like every figure: 0.0625 is 6.3%, where formatting the float gives 6.2%."""
    return (Decimal(repr(share)) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def age_band(age: timedelta, working_day: timedelta) -> str:
    days = age // working_day
    return next(name for name, most in AGE_BANDS if days <= most)
