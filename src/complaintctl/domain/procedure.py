"""The procedure's vocabulary and rules: stages, actions, their order, and who may take them.

Every rule here is in ../shared/procedure/MODEL.md with its source; the two tables below
(TRANSITIONS and PERMISSIONS) are the whole of the procedure's order and its role rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from complaintctl.text import as_seen, folded

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


class Channel(StrEnum):
    """How the complaint arrived [page]."""

    ONLINE = "online"
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    IN_PERSON = "in-person"


class ContactMethod(StrEnum):
    """How a consumer prefers to hear from us [std: Ombudsman Association standards]."""

    EMAIL = "email"
    POST = "post"
    PHONE = "phone"


class Category(StrEnum):
    """What the complaint is about: the in-scope service shortfalls [sibling]."""

    MISTREATED = "mistreated"
    PROCESS = "process"
    UPDATES = "updates"
    DELAY = "delay"
    EXPLANATION = "explanation"
    OTHER = "other"


class Stage(StrEnum):
    RECEIVED = "received"  # logged; the acknowledgement is due
    FIRST_STAGE = "first-stage"  # acknowledged and routed to an area; the response is due
    RESPONDED = "responded"  # first-stage response given; the consumer may escalate
    SECOND_STAGE = "second-stage"  # escalated; the final response is due
    FINAL_RESPONSE = "final-response"  # the procedure has ended; the Assessor may be asked
    REFERRED = "referred"  # with the Independent Assessor
    ASSESSED = "assessed"  # the Assessor's outcome is recorded
    CLOSED = "closed"  # closed at the first stage, or triaged out of scope


class Action(StrEnum):
    """Every kind of history entry: the steps on a case, then what happens around them."""

    LOG = "log"
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    RESPOND = "respond"
    EXTEND = "extend"
    ESCALATE = "escalate"
    FINAL = "final"
    REFER = "refer"
    OUTCOME = "outcome"  # the Assessor's outcome
    CLOSE = "close"
    REOPEN = "reopen"  # a senior undoes a mistaken close
    INCIDENT = "incident"
    NOTE = "note"  # a contact with the consumer, or a note on the file
    EDIT = "edit"  # a correction: a typo in the name, the wrong category
    LETTER = "letter"  # a letter or email issued to the consumer, and the hash of its bytes
    RECOMPUTE = "deadline-recomputed"  # the calendar changed under an open deadline
    # What a complaint taught: a remedy owed or an improvement, with an owner and a due date.
    ACTION_OPENED = "action-opened"
    ACTION_DONE = "action-done"
    ACTION_REASSIGNED = "action-reassigned"  # handed on to another owner, with the reason
    # Restrictions and consumers' needs: on the store, and on each open case of the consumer.
    RESTRICTION_DECIDED = "restriction-decided"
    RESTRICTION_LIFTED = "restriction-lifted"
    RESTRICTION_REVIEWED = "restriction-reviewed"
    CONSUMER_UPDATED = "consumer-updated"
    CONSUMER_EXPORTED = "consumer-exported"  # a subject-access export: who, when, not what
    # `export`: cases with their consumers' details, to a file or stdout: who, when, where,
    # how many, the filters and the SHA-256 of the bytes written, never the content.
    CASES_EXPORTED = "cases-exported"
    CONSUMER_ERASED = "consumer-erased"  # erasure on request: whose, why, not what
    # Retention (domain/retention.py): the policy, legal holds, and each run that removed data.
    RETENTION_POLICY_SET = "retention-policy-set"
    RETENTION_APPLIED = "retention-applied"
    HOLD_ADDED = "legal-hold-added"
    HOLD_LIFTED = "legal-hold-lifted"
    SAR_OPENED = "sar-opened"  # a subject-access request received: its month starts
    SAR_EXTENDED = "sar-extended"  # by up to two further months, once, with the reasons
    SAR_DONE = "sar-done"  # answered: the export sent, and whether in time
    # The store itself: its staff, its calendar and its schema.
    STAFF_ADDED = "staff-added"
    STAFF_REMOVED = "staff-removed"
    STAFF_REACTIVATED = "staff-reactivated"
    STAFF_ROLE_CHANGED = "staff-role-changed"
    STAFF_BOUND = "staff-bound"  # to a database role or an operating-system login
    STAFF_UNBOUND = "staff-unbound"
    STORE_SETTING_CHANGED = "store-setting-changed"  # who may act: services/identity.py
    CLOSURE_ADDED = "calendar-closure-added"
    CLOSURE_REMOVED = "calendar-closure-removed"
    HOLIDAYS_REFRESHED = "calendar-holidays-refreshed"
    CALENDAR_CHANGED = "calendar-changed"  # its zone, opening hours or bank-holiday region
    CAUSE_ADDED = "cause-added"  # a cause added to the store's list
    SCHEMA_UPGRADED = "upgrade-schema"


# The store's entries that change the calendar deadlines are counted on: each moved the open
# clocks not yet breached as it was made (services/calendar.py).
CALENDAR_CHANGES = frozenset(
    {
        Action.CLOSURE_ADDED,
        Action.CLOSURE_REMOVED,
        Action.HOLIDAYS_REFRESHED,
        Action.CALENDAR_CHANGED,
    }
)


def reaches_back(
    action: str, recorded_at: datetime, details: Mapping[str, Any], tz: ZoneInfo
) -> bool:
    """Whether a calendar change (CALENDAR_CHANGES) may have moved working time from before it
    was made: a closure added or removed on a day up to the day it was made; any change of the
    opening hours, the zone or the bank holidays, which count for all time. A closure made for
    a day ahead moves only working time after it was made."""
    if action in (Action.CLOSURE_ADDED, Action.CLOSURE_REMOVED) and "day" in details:
        return date.fromisoformat(str(details["day"])) <= recorded_at.astimezone(tz).date()
    return True


# Details an entry of these actions records as they now stand, not as what was given: empty,
# they read as "none" (an update dropping a consumer's last adjustment), never as nothing.
STANDING_DETAILS: dict[str, frozenset[str]] = {
    Action.CONSUMER_UPDATED: frozenset({"preferred_contact", "adjustments"}),
}


def due_detail(key: str) -> bool:
    """Whether an entry's detail `key` holds a deadline's due, read as one wherever a person
    reads the entry (`calendar.format_due`: at a midnight close, that day's 24:00): `due`,
    `respond_due` and the like, an extension's `old_due`, a final response's `refer_by`, and
    a reopen's `respond_due_when_closed` (the due it had when the case closed)."""
    return key in ("due", "refer_by") or key.endswith(("_due", "_due_when_closed"))


class Decision(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly-upheld"
    NOT_UPHELD = "not-upheld"


class AssessorOutcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly-upheld"
    NOT_UPHELD = "not-upheld"
    OUTSIDE_REMIT = "outside-remit"
    PREMATURE = "premature"
    OUT_OF_TIME = "out-of-time"


class Remedy(StrEnum):
    """What a response may offer [std: ISO 10002, Housing Ombudsman code]."""

    APOLOGY = "apology"
    EXPLANATION = "explanation"
    GOODWILL_PAYMENT = "goodwill-payment"
    SERVICE_IMPROVEMENT = "service-improvement"


class ActionKind(StrEnum):
    """What an action on a case is [ours, MODEL.md "Figures and learning"]: a remedy owed to
    this consumer (pay the goodwill, call back, correct a record), or an improvement to the
    service the complaint revealed."""

    REMEDY = "remedy"
    IMPROVEMENT = "improvement"


class CloseReason(StrEnum):
    ACCEPTED = "accepted"  # the consumer accepted the first-stage response
    WITHDRAWN = "withdrawn"
    RESOLVED_INFORMALLY = "resolved-informally"  # [page] the informal stage
    OUT_OF_SCOPE = "out-of-scope"


class OutOfScope(StrEnum):
    """Why triage closes a complaint the procedure does not cover [sibling]."""

    DECISION = "decision"
    PROVIDER_REMEDY = "provider-remedy"
    OUT_OF_TIME = "out-of-time"


def close_reason_kept(reason: str, because: str | None) -> str:
    """What a closed case keeps as its reason, from what its close recorded:
    `out-of-scope: decision`."""
    return reason if not because else f"{reason}: {because}"


# Where the consumer should go instead, told when triage closes a complaint [sibling].
WHERE_INSTEAD: dict[OutOfScope, str] = {
    OutOfScope.DECISION: (
        "a disagreement with the outcome or the case handler's decision goes to the "
        "decision-review route, not this procedure"
    ),
    OutOfScope.PROVIDER_REMEDY: (
        "a provider not carrying out a remedy goes back to the dispute: contact the case handler"
    ),
    OutOfScope.OUT_OF_TIME: ("the service issue happened more than 6 months before the complaint"),
}


class Role(StrEnum):
    OFFICER = "officer"  # Customer Relations
    LEADER = "leader"  # leads an area of the business
    SENIOR_LEADER = "senior-leader"
    SENIOR_COMPLAINT_EXECUTIVE = "senior-complaint-executive"


SENIOR_ROLES = frozenset({Role.SENIOR_LEADER, Role.SENIOR_COMPLAINT_EXECUTIVE})
SECOND_STAGE_ROLES = frozenset({Role.LEADER, *SENIOR_ROLES})  # [page] who gives a final response


class Direction(StrEnum):
    """Which way a contact went: from the consumer, or to them."""

    IN = "in"
    OUT = "out"


class RestrictionScope(StrEnum):
    PROCEDURE = "procedure"  # no new formal complaints
    SAME_MATTER = "same-matter"  # none about one dispute
    CONTACT = "contact"  # one channel, or through a named officer


# -- the order of the procedure ------------------------------------------------------------

# For each action on a case: the stages it may be taken from, and the stage it leads to
# (None: the stage does not change).
TRANSITIONS: dict[Action, tuple[frozenset[Stage], Stage | None]] = {
    Action.ACKNOWLEDGE: (frozenset({Stage.RECEIVED}), Stage.FIRST_STAGE),
    # The first-stage responder, or (handed on) the second-stage handler.
    Action.ASSIGN: (frozenset({Stage.FIRST_STAGE, Stage.SECOND_STAGE}), None),
    Action.RESPOND: (frozenset({Stage.FIRST_STAGE}), Stage.RESPONDED),
    Action.EXTEND: (frozenset({Stage.FIRST_STAGE, Stage.SECOND_STAGE}), None),
    Action.ESCALATE: (frozenset({Stage.RESPONDED}), Stage.SECOND_STAGE),
    Action.FINAL: (frozenset({Stage.SECOND_STAGE}), Stage.FINAL_RESPONSE),
    Action.REFER: (frozenset({Stage.FINAL_RESPONSE}), Stage.REFERRED),
    Action.OUTCOME: (frozenset({Stage.REFERRED}), Stage.ASSESSED),
    Action.CLOSE: (frozenset({Stage.RECEIVED, Stage.FIRST_STAGE, Stage.RESPONDED}), Stage.CLOSED),
    # Back to the stage the close left: `stage_before_close` reads it from the history.
    Action.REOPEN: (frozenset({Stage.CLOSED}), None),
    Action.INCIDENT: (frozenset(Stage), None),  # abuse is recorded whatever the stage
    Action.NOTE: (frozenset(Stage), None),  # contact happens at any stage, after a close too
    Action.EDIT: (frozenset(Stage), None),  # once ENDED_STAGES, by a senior only
    Action.LETTER: (frozenset(Stage), None),  # which letters a case can have: domain/letters
}

# The actions that order a case: a later step may not be dated before an earlier one.
# A correction, a contact or an incident, recorded later, never stops an earlier step being
# recorded: they do not order the case.
STEP_ACTIONS = frozenset({Action.LOG, *TRANSITIONS}) - {
    Action.INCIDENT,
    Action.NOTE,
    Action.EDIT,
    Action.LETTER,
}

# Stages after which the record is settled: only a senior corrects it.
ENDED_STAGES = frozenset({Stage.CLOSED, Stage.ASSESSED})

# Which close reasons fit which stage: a consumer accepts a response once there is one;
# triage and the informal stage come before the first-stage response.
CLOSE_REASONS: dict[CloseReason, frozenset[Stage]] = {
    CloseReason.ACCEPTED: frozenset({Stage.RESPONDED}),
    CloseReason.WITHDRAWN: frozenset({Stage.RECEIVED, Stage.FIRST_STAGE, Stage.RESPONDED}),
    CloseReason.RESOLVED_INFORMALLY: frozenset({Stage.RECEIVED, Stage.FIRST_STAGE}),
    CloseReason.OUT_OF_SCOPE: frozenset({Stage.RECEIVED, Stage.FIRST_STAGE}),
}

_NEXT_STEP_HINT: dict[Action, str] = {
    Action.ACKNOWLEDGE: "acknowledge it (ack)",
    Action.ASSIGN: "assign a responder (assign)",
    Action.RESPOND: "record the first-stage response (respond)",
    Action.EXTEND: "agree a longer timescale (extend)",
    Action.ESCALATE: "escalate to the second stage (escalate)",
    Action.FINAL: "record the final response (final)",
    Action.REFER: "record a referral to the Independent Assessor (refer)",
    Action.OUTCOME: "record the Assessor's outcome (refer --outcome)",
    Action.CLOSE: "close it (close)",
    Action.REOPEN: "reopen it if the close was a mistake (reopen, senior roles)",
}


def stage_before_close(actions: Sequence[str]) -> Stage:
    """The stage a closed case was at before its latest close, from its history's actions in
    the order they happened (a reopen goes back to the stage before the close it undoes)."""
    return _replay(actions)[1]


def stage_from_history(actions: Sequence[str]) -> Stage:
    """The stage a case's history leads to, from its actions in the order they were recorded
    (`db verify` holds each case's stage to it)."""
    return _replay(actions)[0]


def _replay(actions: Sequence[str]) -> tuple[Stage, Stage]:
    """(the stage now, the stage before the latest close) after `actions`, from receipt."""
    stage, before_close = Stage.RECEIVED, Stage.RECEIVED
    for action in actions:
        if action == Action.CLOSE:
            before_close, stage = stage, Stage.CLOSED
        elif action == Action.REOPEN:
            stage = before_close
        elif action in TRANSITIONS:
            stage = TRANSITIONS[Action(action)][1] or stage
    return stage, before_close


def next_stage(stage: Stage, action: Action) -> Stage | None:
    """The stage `action` leads to from `stage` (the same stage when it does not move it),
    or None when the stage does not allow it."""
    sources, target = TRANSITIONS[action]
    if stage not in sources:
        return None
    return target or stage


def allowed_actions(stage: Stage) -> list[Action]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]


# A step whose name is not a verb, in words for a refusal: what it does, and the word before
# the case it is taken on ("may not give the final response on SC-…").
_STEP_WORDS: dict[Action, tuple[str, str]] = {
    Action.FINAL: ("give the final response", "on"),
    Action.OUTCOME: ("record the Assessor's outcome", "on"),
    Action.INCIDENT: ("record an incident", "on"),
    Action.NOTE: ("add a note", "to"),
}


def step_words(action: Action, ref: str | None = None, *, on: bool = True) -> str:
    """What `action` does, for a refusal, on the case `ref` if given: `respond on SC-…` (or
    `respond SC-…` without `on`), `give the final response on SC-…`."""
    if action in _STEP_WORDS:
        verb, before = _STEP_WORDS[action]
    else:
        verb, before = action.value, "on" if on else ""
    return verb if ref is None else " ".join(word for word in (verb, before, ref) if word)


# A step that does something else at one stage than at another, in words for that stage.
_STAGE_HINT: dict[tuple[Stage, Action], str] = {
    (Stage.SECOND_STAGE, Action.ASSIGN): "hand the second stage on to another handler (assign)",
}


def what_can_happen(stage: Stage) -> str:
    """For refusals: what the case may do next, in words."""
    hints = [
        _STAGE_HINT.get((stage, action), _NEXT_STEP_HINT[action])
        for action in allowed_actions(stage)
        if action in _NEXT_STEP_HINT
    ]
    return "; ".join(hints) if hints else "nothing: the procedure has ended for this case"


# -- who may do what -----------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The acting person, as the rules see them."""

    username: str
    role: Role
    area: str | None


@dataclass(frozen=True)
class CaseRoles:
    """Who holds which part of a case."""

    area: str | None = None  # the area it was routed to
    responder: str | None = None  # assigned for the first stage
    first_responder: str | None = None  # who gave the first-stage response
    handler: str | None = None  # the second-stage handler
    stage: Stage = Stage.RECEIVED


ANY_STAFF = "any active staff member"

# Each action: the roles that may always take it, and the case relation that also allows it.
# Read a row as "who may": e.g. ASSIGN — senior roles, or the leader of the case's area (at
# the first stage), or the second-stage handler handing their case on (at the second).
PERMISSIONS: dict[Action, tuple[frozenset[Role], str]] = {
    Action.LOG: (frozenset({Role.OFFICER, *SENIOR_ROLES}), ""),
    Action.ACKNOWLEDGE: (frozenset({Role.OFFICER, *SENIOR_ROLES}), ""),
    Action.CLOSE: (frozenset({Role.OFFICER, *SENIOR_ROLES}), "responder"),
    Action.ASSIGN: (SENIOR_ROLES, "area-leader-or-handler"),
    Action.RESPOND: (SENIOR_ROLES, "responder"),
    Action.EXTEND: (SENIOR_ROLES, "stage-owner-or-area-leader"),
    Action.ESCALATE: (frozenset(Role), ""),  # recorded on the consumer's behalf
    Action.FINAL: (SENIOR_ROLES, "handler"),
    Action.REFER: (frozenset(Role), ""),  # recorded on the consumer's behalf
    Action.OUTCOME: (frozenset(Role), ""),
    Action.REOPEN: (SENIOR_ROLES, ""),
    Action.INCIDENT: (frozenset(Role), ""),
    Action.NOTE: (frozenset(Role), ""),
    Action.EDIT: (frozenset(Role), ""),  # senior roles only once ENDED_STAGES
    Action.LETTER: (frozenset(Role), ""),
}

_RELATION_WORDS = {
    "responder": "the assigned responder",
    "area-leader-or-handler": (
        "the leader of the case's area (at the first stage), or the second-stage handler (at "
        "the second)"
    ),
    "handler": "the second-stage handler",
    "stage-owner-or-area-leader": (
        "the first-stage responder or the area's leader (at the first stage), or the "
        "second-stage handler (at the second)"
    ),
}

# A relation that differs by stage, in words for a case at that stage.
_RELATION_WORDS_AT: dict[tuple[str, Stage], str] = {
    ("area-leader-or-handler", Stage.FIRST_STAGE): "the leader of the case's area",
    ("area-leader-or-handler", Stage.SECOND_STAGE): "the second-stage handler",
    ("stage-owner-or-area-leader", Stage.FIRST_STAGE): (
        "the first-stage responder or the area's leader"
    ),
    ("stage-owner-or-area-leader", Stage.SECOND_STAGE): "the second-stage handler",
}


# The second stage is never handled by whoever gave the first-stage response, whatever their
# role [std: Housing Ombudsman Complaint Handling Code]: neither its final response nor the
# timescale agreed for it.
def barred_first_responder(action: Action, stage: Stage | None) -> bool:
    """Whether `action` at `stage` is never the first-stage responder's to take."""
    return action == Action.FINAL or (action == Action.EXTEND and stage == Stage.SECOND_STAGE)


# What a case not yet routed to an area is grouped under (report --by area): never an area's
# name, or its cases would be counted with those nobody has routed.
NOT_ROUTED = "(not yet routed)"


def area_key(area: str) -> str:
    """An area as it compares with others: in any case of letters, with accents composed or
    not and compatibility forms folded (NFKC), as a keyboard or a paste may give them, and
    without invisible characters (a zero-width space, a bidirectional mark: `as_seen`), which
    a store may hold from before `--area` refused them: two spellings that look the same are
    one area."""
    return folded(as_seen(area))


def same_area(one: str | None, other: str | None) -> bool:
    """Whether two areas are one: an area is named in any spelling (`Casework`, `casework`,
    `Café` however its accent is typed), as `ack --area` and the listings' `--area` take it."""
    return one is not None and other is not None and area_key(one) == area_key(other)


def handler_not_eligible(actor: Actor, case: CaseRoles) -> bool:
    """Whether the actor holds the case's second stage in a role that no longer takes one (a
    handler made an officer since the escalation): the second stage is decided by a leader or
    a senior role [page], so they may hand it on (assign) but not decide or extend it."""
    return (
        case.stage == Stage.SECOND_STAGE
        and case.handler == actor.username
        and actor.role not in SECOND_STAGE_ROLES
    )


def _holds(relation: str, actor: Actor, case: CaseRoles) -> bool:
    # At a stage that does not allow the action each relation holds as at the stage that does,
    # so that the refusal names the stage (exit 5), not the person.
    is_responder = case.responder == actor.username
    holds_second = case.handler == actor.username
    # The second stage is a leader's or a senior's [page]: a handler made an officer since
    # only hands it on.
    is_handler = holds_second and not handler_not_eligible(actor, case)
    leads_area = actor.role == Role.LEADER and same_area(actor.area, case.area)
    return {
        "": False,
        "responder": is_responder,
        "area-leader-or-handler": (
            (leads_area and case.stage != Stage.SECOND_STAGE)
            or (holds_second and case.stage != Stage.FIRST_STAGE)
        ),
        "handler": is_handler,
        "stage-owner-or-area-leader": (
            ((is_responder or leads_area) and case.stage != Stage.SECOND_STAGE)
            or (is_handler and case.stage != Stage.FIRST_STAGE)
        ),
    }[relation]


class StoreAction(StrEnum):
    """Changes that are not steps on one case."""

    CHANGE_STAFF = "add, change or remove staff"
    CHANGE_CALENDAR = "change the calendar"
    RESTRICT = "restrict a consumer or lift a restriction"
    OVERRIDE_RESTRICTION = "log a complaint despite a restriction"
    UPDATE_CONSUMER = "update a consumer's contact preference and needs"
    EXPORT_CONSUMER = "export everything held about a consumer"
    SET_RETENTION = "change the retention policy"
    APPLY_RETENTION = "remove the personal data retention has made due"
    HOLD = "put data on legal hold or lift a hold"
    ERASE_CONSUMER = "erase a consumer's personal data on request"
    ADD_CAUSE = "add a cause to the list"
    ANSWER_SUBJECT_ACCESS = "open or answer a subject-access request"
    EXTEND_SUBJECT_ACCESS = "extend a subject-access request"
    CHANGE_SETTINGS = "change who may act in this store"


# Who may make each store-wide change. Restrictions are decided at senior level [std: PHSO and
# LGO guidance]; so is the calendar, whose every change moves everyone's deadlines [ours].
STORE_PERMISSIONS: dict[StoreAction, frozenset[Role]] = {
    StoreAction.CHANGE_STAFF: SENIOR_ROLES,
    StoreAction.CHANGE_CALENDAR: SENIOR_ROLES,
    StoreAction.CHANGE_SETTINGS: SENIOR_ROLES,
    StoreAction.RESTRICT: SENIOR_ROLES,
    StoreAction.OVERRIDE_RESTRICTION: SENIOR_ROLES,
    StoreAction.UPDATE_CONSUMER: frozenset(Role),
    # A subject-access request is answered by whoever handles it; each export is recorded.
    StoreAction.EXPORT_CONSUMER: frozenset(Role),
    # Removing personal data cannot be undone: decided at senior level [ours], as restrictions
    # are; a hold, which only keeps data, also by an area's leader [ours].
    StoreAction.SET_RETENTION: SENIOR_ROLES,
    StoreAction.APPLY_RETENTION: SENIOR_ROLES,
    StoreAction.HOLD: frozenset({Role.LEADER, *SENIOR_ROLES}),
    StoreAction.ERASE_CONSUMER: SENIOR_ROLES,
    # The list of causes is the organisation's vocabulary for its figures [ours].
    StoreAction.ADD_CAUSE: SENIOR_ROLES,
    StoreAction.ANSWER_SUBJECT_ACCESS: frozenset(Role),
    # Extending the law's month is a judgement that the request is complex or numerous [ours]:
    # a leader or a senior makes it, as a leader extends a case's response.
    StoreAction.EXTEND_SUBJECT_ACCESS: SECOND_STAGE_ROLES,
}

# Who may mark an action done, or hand it on to another owner, besides its owner [ours]: a
# leader or a senior role. Anyone active may open one (whoever learns what is owed records it).
ACTION_DONE_ROLES = frozenset({Role.LEADER, *SENIOR_ROLES})


def may(actor: Actor, action: Action, case: CaseRoles) -> bool:
    if barred_first_responder(action, case.stage) and actor.username == case.first_responder:
        return False
    roles, relation = PERMISSIONS[action]
    return actor.role in roles or _holds(relation, actor, case)


def who_may(action: Action, stage: Stage | None = None) -> str:
    """The rule for `action`, in words, for refusals and --help; for a case at `stage`, if
    given, as it is at that stage."""
    roles, relation = PERMISSIONS[action]
    if roles == frozenset(Role):
        return ANY_STAFF
    parts = [", ".join(sorted(r.value for r in roles))] if roles else []
    if relation:
        words = _RELATION_WORDS_AT.get((relation, stage)) if stage else None
        parts.append(words or _RELATION_WORDS[relation])
    words = " or ".join(parts)
    if barred_first_responder(action, stage):
        words += " (never the person who gave the first-stage response)"
    return words
