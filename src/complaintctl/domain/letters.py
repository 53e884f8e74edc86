"""The letters the procedure owes the consumer: which kinds there are, the step each reports,
and what each must carry (MODEL.md, "What the consumer is told in writing").

Pure: the facts a letter is made from are plain strings and lists, worked out here from what
the history recorded; templates and formats are `complaintctl.letters`' business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.procedure import Action, Decision, OutOfScope, Remedy

if TYPE_CHECKING:
    from complaintctl.domain.calendar import WorkingCalendar


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    EXTENSION = "extension"
    FIRST_RESPONSE = "first-response"
    FINAL_RESPONSE = "final-response"
    OUT_OF_SCOPE = "out-of-scope"
    RESTRICTION = "restriction"


class LetterFormat(StrEnum):
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    EML = "eml"


# The file name's extension of each format (bulk letters are named REF-KIND.EXT).
EXTENSIONS = {
    LetterFormat.TEXT: "txt",
    LetterFormat.HTML: "html",
    LetterFormat.PDF: "pdf",
    LetterFormat.EML: "eml",
}


@dataclass(frozen=True)
class Item:
    """Something a letter must carry: the template variable holding it, and it in words."""

    name: str
    what: str


@dataclass(frozen=True)
class KindRule:
    subject: str  # what the letter is, in its subject line and heading
    step: str  # the step it reports, in words, for a refusal: "no <step> is recorded"
    action: Action | None  # the history entry it is made from (None: the consumer's record)
    required: tuple[Item, ...]


# Every letter: whom it is to and which case it is about.
COMMON = (
    Item("reference", "the case reference"),
    Item("consumer_name", "the consumer's name"),
)

_DECISION = Item("decision", "the decision (upheld, partly upheld or not upheld)")
_REASONS = Item("reasons", "the reasons for the decision")
_REMEDIES = Item("remedies", "the remedies offered (or that none is)")

RULES: dict[str, KindRule] = {
    LetterKind.ACKNOWLEDGEMENT: KindRule(
        "Acknowledgement of your complaint",
        "acknowledgement",
        Action.ACKNOWLEDGE,
        (
            Item("area", "the area of the business that will deal with it [page]"),
            Item("response_due", "when the response is due (the response timescale)"),
        ),
    ),
    LetterKind.EXTENSION: KindRule(
        "The timescale we have agreed for your complaint",
        "agreed timescale (extend)",
        Action.EXTEND,
        (
            Item("new_date", "the new date agreed"),
            Item("extension_reason", "why more time is needed"),
        ),
    ),
    LetterKind.FIRST_RESPONSE: KindRule(
        "Our response to your complaint",
        "first-stage response",
        Action.RESPOND,
        (
            Item("stage_name", "which stage of the procedure it is"),
            _DECISION,
            _REASONS,
            _REMEDIES,
            Item("how_to_escalate", "how to take it to the second stage"),
        ),
    ),
    LetterKind.FINAL_RESPONSE: KindRule(
        "Our final response to your complaint",
        "final response",
        Action.FINAL,
        (
            Item("stage_name", "which stage of the procedure it is"),
            _DECISION,
            _REASONS,
            _REMEDIES,
            Item("how_to_refer", "how to refer the complaint to the Independent Assessor [page]"),
            Item("assessor_contact", "the Independent Assessor's contact details"),
            Item("refer_by", "the date by which to refer (the end of the 3-month window)"),
        ),
    ),
    LetterKind.OUT_OF_SCOPE: KindRule(
        "Your complaint is outside our service complaints procedure",
        "close out of scope",
        Action.CLOSE,
        (
            Item("out_of_scope_reason", "why the procedure does not cover it"),
            Item("where_instead", "where to go instead"),
        ),
    ),
    LetterKind.RESTRICTION: KindRule(
        "A restriction on your use of our complaints procedure",
        "restriction in force on the consumer",
        None,
        (
            Item("restriction_scope", "what is restricted"),
            Item("restriction_reason", "why"),
            Item("review_date", "when it will be reviewed (for how long)"),
        ),
    ),
}

# A kind an organisation adds (a template of its own name) reports no step and must carry only
# what every letter does.
ADDED_KIND = KindRule("About your complaint", "", None, ())


def rule_of(kind: str) -> KindRule:
    return RULES.get(kind, ADDED_KIND)


def required_items(kind: str) -> tuple[Item, ...]:
    return COMMON + rule_of(kind).required


# -- facts in words ----------------------------------------------------------------------------

DECISION_WORDS = {
    Decision.UPHELD: "upheld",
    Decision.PARTLY_UPHELD: "partly upheld",
    Decision.NOT_UPHELD: "not upheld",
}

STAGE_NAMES = {Action.RESPOND: "first stage", Action.FINAL: "second (final) stage"}

# What an agreed timescale moves, as its letter says it: the stage, and what we will do by the
# new date (the second stage ends in the final response [page]).
EXTENDED = {
    DeadlineKind.RESPOND: ("first stage", "respond"),
    DeadlineKind.FINAL: ("second stage", "give our final response"),
}


# Why triage closed it, and where the consumer goes instead, as an out-of-scope letter says
# [sibling].
OUT_OF_SCOPE_WORDS = {
    OutOfScope.DECISION: (
        "it disagrees with the outcome of the investigation of your dispute, or with the case "
        "handler's decision",
        "the decision-review route: ask the case handler for a review of the decision",
    ),
    OutOfScope.PROVIDER_REMEDY: (
        "it is about the provider not carrying out a remedy",
        "the dispute itself: contact the case handler, who will take it up with the provider",
    ),
    OutOfScope.OUT_OF_TIME: (
        "the service issue happened more than 6 months before the complaint",
        "if something stopped you complaining sooner, tell us what it was and we will reconsider",
    ),
}


def date_words(day: date) -> str:
    """`Tuesday 17 November 2026`: a date as a letter writes it."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def time_words(instant: datetime, tz: ZoneInfo, calendar: WorkingCalendar | None = None) -> str:
    """`2pm on Tuesday 17 November 2026`, `5:30pm …`, `midday …`, `midnight at the start of
    …` (never `12am`, which readers take for either end of the day), in the calendar's zone;
    `midnight at the end of …` the day a working day open until midnight closes then
    (`calendar.closes_at_midnight`, as `format_due` shows it: that day's 24:00)."""
    if calendar is not None and calendar.closes_at_midnight(instant):
        # The day it ends, also where the clocks skip that midnight (it reads as 01:00).
        ended = (instant - timedelta(microseconds=1)).astimezone(tz).date()
        return f"midnight at the end of {date_words(ended)}"
    local = instant.astimezone(tz)
    if (local.hour, local.minute) == (0, 0):
        return f"midnight at the start of {date_words(local.date())}"
    if (local.hour, local.minute) == (12, 0):
        clock = "midday"
    else:
        hour = local.hour % 12 or 12
        minutes = f":{local.minute:02d}" if local.minute else ""
        clock = f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"
    return f"{clock} on {date_words(local.date())}"


def pounds(pence: int) -> str:
    """`£1,250.00`."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def remedy_words(remedies: list[str], goodwill_pence: int | None) -> list[str]:
    """Each remedy as the letter offers it: `an apology`, `a goodwill payment of £50.00`."""
    words = {
        Remedy.APOLOGY: "an apology",
        Remedy.EXPLANATION: "an explanation of what happened",
        Remedy.GOODWILL_PAYMENT: "a goodwill payment of "
        + (pounds(goodwill_pence) if goodwill_pence else "an amount to be confirmed"),
        Remedy.SERVICE_IMPROVEMENT: "an improvement to our service, so that it does not happen "
        "again",
    }
    known = {remedy.value: phrase for remedy, phrase in words.items()}
    return [known.get(name, name) for name in remedies]


def address_lines(address: str | None) -> list[str]:
    """A postal address as the lines of an address block: its own lines, or its commas."""
    if not address:
        return []
    parts = address.splitlines() if "\n" in address else address.split(",")
    return [part.strip() for part in parts if part.strip()]
