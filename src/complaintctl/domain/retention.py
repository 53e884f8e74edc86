"""Retention and erasure of personal data [std: UK GDPR; the ICO's guidance]: when a case's
personal data is due for removal, what is personal in its history, and the markers that
replace it.

MODEL.md, "Personal data" and "Records": complaint records are kept 6 years after closure
[sibling practice], then anonymised; figures stay countable; a legal hold stops removal.
Erasure on request only where nothing requires keeping the data (no open complaint, no legal
hold, no restriction in force).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from complaintctl.domain.chain import is_marker, removed
from complaintctl.domain.intake import matching_form
from complaintctl.domain.procedure import Action, Stage

DEFAULT_YEARS = 6  # [sibling practice] 6 years after closure
DEFAULT_POLICY = 1  # the default's number: a store with no policy set follows it
MAX_YEARS = 100

# Where the procedure has ended for a case, so its retention runs [ours, reading MODEL.md]:
# closed (at the first stage, or triaged out), the final response given ("the second stage
# ends the procedure" [page]), or the Assessor's outcome recorded. A case with the Assessor
# (referred) is still being looked at, so it is open. The period runs from the step that
# ended it: a later referral and outcome start it again.
ENDED = frozenset({Stage.CLOSED, Stage.FINAL_RESPONSE, Stage.ASSESSED})


@dataclass(frozen=True)
class Policy:
    number: int
    years: int
    set_by: str | None  # None: the default, never set
    set_at: datetime | None
    reason: str


DEFAULT = Policy(
    DEFAULT_POLICY, DEFAULT_YEARS, None, None, "the default: 6 years after the procedure ended"
)


def due_at(ended_at: datetime, years: int) -> datetime:
    """When a case whose procedure ended at `ended_at` is due for removal: the same instant
    `years` calendar years on (29 February on the 28th where that year has none)."""
    try:
        return ended_at.replace(year=ended_at.year + years)
    except ValueError:
        return ended_at.replace(year=ended_at.year + years, day=28)


def retention_marker(day: date, policy: int) -> str:
    return f"[removed {day.isoformat()} under retention policy {policy}]"


def erasure_marker(day: date) -> str:
    return f"[erased {day.isoformat()} on request]"


def details_named(text: str, *, name: str, email: str | None, address: str | None) -> str | None:
    """Which of the person's details `text` holds (their name, email or the first line of their
    address, or that line's part before a comma as an address written on one line has it, in
    any case, as whole words; none shorter than 3 characters), if any. An erasure's reason
    stays on the record once everything else of theirs is gone, where nothing could remove it
    again. Compared as consumers are matched (`intake.matching_form`): a zero-width space or
    soft hyphen pasted inside the name, a letter in full width, or a dot, hyphen or
    underscore between its words (`ann.smith`) does not hide it."""
    folded = matching_form(text)
    street = (address or "").strip().splitlines()[0] if (address or "").strip() else ""
    details = (("name", name), ("email", email), ("address", street))
    for what, value in (*details, ("address", street.split(",")[0])):
        words = matching_form(value)
        if len(words) >= 3 and re.search(rf"(?<!\w){re.escape(words)}(?!\w)", folded):
            return what
    return None


# What is personal in a case's history, by action: removed with the case. The figures read
# none of these (domain/figures.py reads stages, dates, categories, channels, areas, clocks,
# decisions, remedies and amounts, and an edit's category, channel and Board flag).
CASE_KEYS: Mapping[str, frozenset[str]] = {
    # A senior's reason for logging it despite a restriction, and the restriction it names
    Action.LOG: frozenset({"summary", "dispute", "restriction_overridden"}),
    # Why a complaint out of time was accepted all the same: the person's circumstances
    Action.ACKNOWLEDGE: frozenset({"out_of_time_accepted"}),
    Action.RESPOND: frozenset({"summary"}),
    Action.FINAL: frozenset({"summary"}),
    Action.EXTEND: frozenset({"reason"}),
    Action.ESCALATE: frozenset({"reason"}),
    # Why a case was handed on may name the person, as an action's reason may.
    Action.ASSIGN: frozenset({"reason"}),
    Action.REFER: frozenset({"late_reason"}),
    Action.OUTCOME: frozenset({"recommendation"}),
    Action.CLOSE: frozenset({"note"}),
    Action.REOPEN: frozenset({"reason"}),
    Action.INCIDENT: frozenset({"note"}),
    Action.NOTE: frozenset({"text"}),
    Action.LETTER: frozenset({"facts"}),
    Action.CONSUMER_UPDATED: frozenset({"preferred_contact", "adjustments"}),
    Action.RESTRICTION_DECIDED: frozenset({"reason", "restriction"}),
    Action.RESTRICTION_LIFTED: frozenset({"reason", "restriction"}),
    Action.RESTRICTION_REVIEWED: frozenset({"reason"}),
    Action.ACTION_OPENED: frozenset({"what"}),
    Action.ACTION_DONE: frozenset({"what", "note"}),
    # Why an action was handed on may name the person ("Ann asked for someone else").
    Action.ACTION_REASSIGNED: frozenset({"reason"}),
}
# The consumer's own details on each of their cases' entries: removed with the consumer,
# who keeps them until their last case is due.
CONSUMER_KEYS: Mapping[str, frozenset[str]] = {
    Action.LOG: frozenset({"consumer", "email", "address"}),
}
# The store's own entries about a consumer (restrictions, subject-access requests): removed
# with the consumer.
STORE_KEYS: Mapping[str, frozenset[str]] = {
    Action.RESTRICTION_DECIDED: frozenset({"reason", "restriction"}),
    Action.RESTRICTION_LIFTED: frozenset({"reason"}),
    Action.RESTRICTION_REVIEWED: frozenset({"reason"}),
    Action.SAR_EXTENDED: frozenset({"reason"}),
    # A consumer's preferences and adjustments changed while no case of theirs was open
    Action.CONSUMER_UPDATED: frozenset({"preferred_contact", "adjustments"}),
}
# An edit's changes of these fields are personal. Each value of an entry's details is sealed
# by its own digest (domain/chain.py), so an edit records them apart, under PERSONAL_CHANGES,
# from its other changes (category, channel, Board flag: the figures read them), and retention
# removes that value alone. An edit recorded before it did so has one `changes`: removed whole
# when any change in it is of these.
PERSONAL_EDITS = frozenset({"name", "email", "address", "summary", "dispute"})
PERSONAL_CHANGES = "personal_changes"


def case_keys(action: str, details: Mapping[str, Any]) -> frozenset[str]:
    """The keys of a case's entry that are personal, removed with the case."""
    if action == Action.EDIT:
        changes = details.get("changes")
        if isinstance(changes, list) and any(
            isinstance(c, dict) and c.get("field") in PERSONAL_EDITS for c in changes
        ):
            return frozenset({"changes", PERSONAL_CHANGES, "reason"})
        # Why it was corrected may name the person ("Ann spells it Smyth"), as any reason may.
        return frozenset({PERSONAL_CHANGES, "reason"})
    return CASE_KEYS.get(action, frozenset())


def edited_fields(details: Mapping[str, Any]) -> list[str]:
    """The fields an edit's entry changed, the consumer's and the case's (either list may be a
    removal marker by now, which names none)."""
    return [
        str(change["field"])
        for key in (PERSONAL_CHANGES, "changes")
        if isinstance(changes := details.get(key), list)
        for change in changes
        if isinstance(change, dict) and "field" in change
    ]


def salted_keys(action: str) -> frozenset[str]:
    """The keys of an entry of `action` whose values may be personal, whoever's: each is
    sealed by a salted digest (domain/chain.py), so that once removed nothing of it can be
    confirmed. An edit's `changes` among them, as an edit recorded before its personal changes
    were kept apart had them there."""
    keys = CASE_KEYS.get(action, frozenset()) | CONSUMER_KEYS.get(action, frozenset())
    keys |= STORE_KEYS.get(action, frozenset())
    return keys | {"changes", PERSONAL_CHANGES, "reason"} if action == Action.EDIT else keys


def anonymised(
    details: Mapping[str, Any], keys: Iterable[str], why: str, salts: Mapping[str, str]
) -> dict[str, Any] | None:
    """The details with each of `keys` that holds a value replaced by a marker keeping its
    digest (domain/chain.py: the seal still holds), salted by its salt in `salts` if it has
    one; None where nothing is left to remove (empty, or removed already)."""
    changed = dict(details)
    for key in keys:
        value = changed.get(key)
        if value in (None, "", [], {}) or is_marker(value):
            continue
        changed[key] = removed(value, why, salts.get(key))
    return None if changed == dict(details) else changed


def salts_kept(salts: Mapping[str, str], details: Mapping[str, Any]) -> dict[str, str]:
    """The salts still needed once `details` are anonymised: a removed value's goes with it."""
    return {key: salt for key, salt in salts.items() if not is_marker(details.get(key))}


@dataclass(frozen=True)
class CaseState:
    """What retention needs of a case."""

    ref: str
    consumer_id: int
    stage: Stage
    ended_at: datetime | None  # the step that ended its procedure, if it has
    held: bool
    anonymised: bool


def case_due(case: CaseState, policy: Policy) -> datetime | None:
    """When the case's personal data is due for removal; None while its procedure runs."""
    if case.stage not in ENDED or case.ended_at is None:
        return None
    return due_at(case.ended_at, policy.years)


def held_why(on_legal_hold: bool, requests: Sequence[int]) -> str | None:
    """Why retention leaves a case or a consumer whose time has run out, or None: a legal hold
    on it, and the person's subject-access requests not yet answered. What a person asked to
    see is kept until the answer is sent, as erasure waits for it [ours, after the ICO's
    guidance on subject access: nothing is to be deleted that would not otherwise have been;
    routine deletion may go on, but holding it is the safe choice]; the next run after the
    answer removes it."""
    why = ["on legal hold"] if on_legal_hold else []
    if requests:
        plural = "s" if len(requests) > 1 else ""
        numbers = ", ".join(str(n) for n in requests)
        why.append(f"subject-access request{plural} {numbers} open")
    return "; ".join(why) or None


def consumer_due(
    cases: Iterable[CaseState], policy: Policy, as_of: datetime
) -> tuple[datetime | None, str | None]:
    """(when the consumer's own details are due: when their last case is, or None; why they
    are kept as of `as_of`, or None): a consumer keeps their details while any case of theirs
    is open, held or inside retention."""
    latest: datetime | None = None
    for case in cases:
        due = case_due(case, policy)
        if due is None:
            return None, f"{case.ref} is open"
        if case.held:
            return None, f"{case.ref} is on legal hold"
        if due > as_of:
            return None, f"{case.ref} is inside retention until {due.date().isoformat()}"
        latest = due if latest is None or due > latest else latest
    return latest, None
