"""Every JSON output of every command, its fields and their types: the contract `--json` keeps.

`views.py` writes these shapes; tests/cli/test_json_schema.py runs each command with --json and
holds its output to them, and holds the README's examples ("JSON output") to them too. A shape
is a dict of field name to type (every field always present), a list of one shape, `Maybe`
(the type or null), or one of the leaf types below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from complaintctl.views import JSON_SCHEMA_VERSION

INSTANT = "instant"  # ISO 8601 to the second, with the calendar zone's offset
DATE = "date"  # YYYY-MM-DD
ANY_OBJECT = "object"  # a history entry's details: their fields depend on the step
STR, INT, BOOL = str, int, bool


@dataclass(frozen=True)
class Maybe:
    shape: Any


_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")

CONSUMER = {"id": INT, "name": STR, "email": Maybe(STR)}
RESTRICTION = {
    "id": INT,
    "consumer": CONSUMER,
    "scope": STR,
    "dispute": Maybe(STR),
    "contact_channel": Maybe(STR),
    "contact_via": Maybe(STR),
    "reason": STR,
    "decided_by": STR,
    "decided_at": INSTANT,
    "review_due": INSTANT,
    "lifted_at": Maybe(INSTANT),
    "lifted_by": Maybe(STR),
    "lift_reason": Maybe(STR),
}
INCIDENT = {"ref": Maybe(STR), "note": STR, "by": STR, "at": INSTANT}
SUBJECT_ACCESS = {
    "schema_version": INT,
    "id": INT,
    "consumer": CONSUMER,
    "received_at": INSTANT,
    "due": INSTANT,  # the end of the due date (23:59:59) in the calendar's zone
    "extended_months": INT,  # 0, 1 or 2
    "extend_reason": Maybe(STR),
    "extended_by": Maybe(STR),
    "extended_at": Maybe(INSTANT),
    "opened_by": STR,
    "opened_at": INSTANT,
    "done_by": Maybe(STR),
    "done_at": Maybe(INSTANT),
    "export_entry": Maybe(INT),  # the history entry of the export sent
    "export_sha256": Maybe(STR),
    "on_time": Maybe(BOOL),  # null while open
    "state": STR,  # open, overdue, done, done-late
}

DEADLINE = {
    "kind": STR,
    "start": INSTANT,
    "due": INSTANT,
    "rule": STR,
    "met_at": Maybe(INSTANT),
    "ended_at": Maybe(INSTANT),
    "outcome": Maybe(STR),
    "breached": BOOL,
    "late_working_minutes": Maybe(INT),  # null for the referral window (calendar months)
    "left_working_minutes": Maybe(INT),
    "late_calendar_minutes": INT,
    "left_calendar_minutes": INT,
}
ACTION = {
    "id": INT,
    "ref": STR,
    "kind": STR,
    "what": STR,
    "owner": STR,
    "due": INSTANT,
    "opened_by": STR,
    "opened_at": INSTANT,
    "done_at": Maybe(INSTANT),
    "done_by": Maybe(STR),
    "note": Maybe(STR),
    "on_time": Maybe(BOOL),  # null while open
    "overdue": BOOL,  # open and past due (at the listing's --as-of)
}
CAUSE = {"schema_version": INT, "name": STR, "words": STR, "added_by": STR, "added_at": INSTANT}
HISTORY_ENTRY = {
    "action": STR,
    "by": STR,
    "at": INSTANT,
    "recorded_at": INSTANT,
    "details": ANY_OBJECT,
    "login": Maybe(STR),
    "host": Maybe(STR),
}
_STEP_TAKEN = {"by": STR, "at": INSTANT}
CASE = {
    "schema_version": INT,
    "ref": STR,
    "version": INT,
    "stage": STR,
    "consumer": {
        **CONSUMER,
        "address": Maybe(STR),
        "preferred_contact": Maybe(STR),
        "adjustments": [STR],
        "restrictions": [RESTRICTION],
        "incidents": [INCIDENT],
    },
    "channel": STR,
    "category": STR,
    "summary": STR,
    "dispute": Maybe(STR),
    "board": BOOL,
    "received_at": INSTANT,
    "area": Maybe(STR),
    "responder": Maybe(STR),
    "handler": Maybe(STR),
    "about": Maybe(DATE),
    "out_of_time": BOOL,
    "close_reason": Maybe(STR),
    "close_because": Maybe(STR),
    "responses": [
        {
            "stage": STR,
            "decision": STR,
            "summary": STR,
            "remedies": [STR],
            "goodwill_pence": Maybe(INT),
            "causes": [STR],
            "by": STR,
            "at": INSTANT,
        }
    ],
    "actions": [ACTION],  # the case's open actions
    "escalation": Maybe({**_STEP_TAKEN, "to": STR, "reason": Maybe(STR)}),
    "referral": Maybe({**_STEP_TAKEN, "late": Maybe(BOOL), "late_reason": Maybe(STR)}),
    "assessor": Maybe({**_STEP_TAKEN, "outcome": STR, "recommendation": Maybe(STR)}),
    "contacts": [{**_STEP_TAKEN, "direction": Maybe(STR), "channel": Maybe(STR), "text": STR}],
    "logged_by": STR,
    "as_of": INSTANT,
    "deadlines": [DEADLINE],
    "history": [HISTORY_ENTRY],
    "earlier_cases": [{"ref": STR, "stage": STR, "received_at": INSTANT}],
    "warnings": [STR],
}
STEP = {
    "schema_version": INT,
    "applied": BOOL,
    "dry_run": BOOL,
    "done": [CASE],
    "refused": [{"ref": STR, "error": STR, "exit_code": INT}],
}
HISTORY = {"schema_version": INT, "ref": STR, "history": [HISTORY_ENTRY]}
QUEUE_ITEM = {
    "schema_version": INT,
    "ref": STR,
    "version": INT,
    "consumer": CONSUMER,
    "adjustments": [STR],
    "restricted": BOOL,
    "stage": STR,
    "area": Maybe(STR),
    "owner": Maybe(STR),
    "category": STR,
    "board": BOOL,
    "received_at": INSTANT,
    "summary": STR,
    "kind": Maybe(STR),
    "due": Maybe(INSTANT),
    "state": STR,  # breached, due-soon, on-track, waiting
    "left_working_minutes": Maybe(INT),
    "as_of": INSTANT,
}
OVERDUE_ITEM = {
    "schema_version": INT,
    "ref": Maybe(STR),
    "version": Maybe(INT),
    "restriction_id": Maybe(INT),
    "sar_id": Maybe(INT),  # a subject-access request's month (kind subject-access)
    "action_id": Maybe(INT),  # an action's (kind action), as `action done ID` takes it
    "kind": STR,
    "owner": Maybe(STR),  # who owes it; null for an acknowledgement, a review, a request
    "consumer": CONSUMER,
    "received_at": INSTANT,
    "due": INSTANT,
    "as_of": INSTANT,
    "late_working_minutes": INT,
    "late_calendar_minutes": INT,
    "late_working": STR,
    "late_calendar": STR,
    "state": STR,  # breached, due-soon
}
_BANK_HOLIDAYS = {"region": STR, "source": STR, "known_from": DATE, "known_through": DATE}
CALENDAR = {
    "schema_version": INT,
    "zone": STR,
    "opening_hours": ANY_OBJECT,
    "bank_holidays": _BANK_HOLIDAYS,
    "upcoming_closed_days": [{"date": DATE, "kind": STR, "name": STR}],
    "warnings": [STR],
}
_MINUTES = Maybe(INT)
EXPLAIN = {
    "schema_version": INT,
    "ref": STR,
    "kind": STR,
    "kinds": [STR],
    "action": Maybe({"id": INT, "kind": STR}),
    "rule": STR,
    "amount": INT,
    "unit": STR,
    "start": INSTANT,
    "started_by": {"action": Maybe(STR), "by": Maybe(STR)},
    "rule_due": INSTANT,
    "due": INSTANT,
    "extended": BOOL,
    "calendar": {"zone": STR, "opening_hours": ANY_OBJECT, "bank_holidays": _BANK_HOLIDAYS},
    "days": [
        {
            "date": DATE,
            "kind": STR,
            "counted": [{"from": INSTANT, "to": INSTANT}],
            "counted_minutes": _MINUTES,
            "total_minutes": _MINUTES,
            "day_number": Maybe(INT),
            "reason": Maybe(STR),
        }
    ],
    "changes": [
        {
            "action": STR,
            "by": STR,
            "at": INSTANT,
            "old_due": INSTANT,
            "new_due": INSTANT,
            "reason": STR,
            "retroactive": Maybe(STR),
        }
    ],
    "as_of": INSTANT,
    "status": {
        "state": STR,
        "ended_at": Maybe(INSTANT),
        "on_time": Maybe(BOOL),
        "used_working_minutes": _MINUTES,
        "left_working_minutes": _MINUTES,
        "late_working_minutes": _MINUTES,
        "left_calendar_minutes": INT,
        "late_calendar_minutes": INT,
    },
    "notes": [STR],
    "warnings": [STR],
}
IMPORT = {
    "schema_version": INT,
    "rows": INT,
    "new": INT,
    "duplicates": INT,
    "rejected": INT,
    "dry_run": BOOL,
    "refs": [STR],
    "rejects_file": Maybe(STR),
    "rejects": [{"line": INT, "field": STR, "reason": STR}],
}
_TEXT = Maybe(STR)
EXPORT_RECORD = {
    "schema_version": INT,
    **dict.fromkeys(("consumer", "channel", "category", "summary"), STR),
    **dict.fromkeys(("email", "address", "dispute", "preferred_contact", "source_id"), _TEXT),
    # To the microsecond where the store has it: re-importing finds the case by it.
    "received_at": STR,
    "board": BOOL,
    "about": Maybe(DATE),
    "adjustments": [STR],
    "ref": STR,
    "stage": STR,
    **dict.fromkeys(("area", "owner", "handler", "close_reason", "close_because"), _TEXT),
    "out_of_time": BOOL,
    **dict.fromkeys(
        ("acknowledge_due", "acknowledged_at", "respond_due", "responded_at", "final_due"),
        Maybe(INSTANT),
    ),
    "final_at": Maybe(INSTANT),
    **dict.fromkeys(("first_decision", "final_decision", "assessor_outcome"), _TEXT),
}
STAFF = {
    "schema_version": INT,
    "username": STR,
    "name": STR,
    "role": STR,
    "area": Maybe(STR),
    "active": BOOL,
    "db_role": Maybe(STR),
    "os_login": Maybe(STR),
}
CONSUMER_UPDATED = {
    "schema_version": INT,
    **CONSUMER,
    "preferred_contact": Maybe(STR),
    "adjustments": [STR],
}
CONSUMER_RECORD = {
    "schema_version": INT,
    **CONSUMER,
    "address": Maybe(STR),
    "preferred_contact": Maybe(STR),
    "adjustments": [STR],
    "restrictions": [RESTRICTION],
    "incidents": [INCIDENT],
    # Each subject-access request (`sar`), oldest first; `state` as `sar show` gives it.
    "subject_access": [{"id": INT, "received_at": INSTANT, "due": INSTANT, "state": STR}],
    "cases": [
        {
            "ref": STR,
            "version": INT,
            "stage": STR,
            "received_at": INSTANT,
            "close_reason": Maybe(STR),
            "close_because": Maybe(STR),
            "first_decision": Maybe(STR),
            "final_decision": Maybe(STR),
            "assessor_outcome": Maybe(STR),
        }
    ],
}
STORE_STATUS = {
    "schema_version": INT,
    "store": STR,
    "backend": STR,
    "revision": Maybe(STR),
    "program_revision": STR,
    "state": STR,
    "damage": Maybe(STR),
}

HISTORY_VERIFIED = {
    "schema_version": INT,
    "intact": BOOL,
    "entries": INT,
    "last_entry": INT,
    "head": STR,  # the chain's last link as stored: 64 hexadecimal digits
    "cases": INT,
    "problems": [
        {
            "kind": STR,  # entry, head or case
            "entry": Maybe(INT),
            "ref": Maybe(STR),
            "action": Maybe(STR),
            "what": STR,
        }
    ],
}

FOUND = {
    "schema_version": INT,
    "ref": STR,
    "version": INT,
    "stage": STR,
    "consumer": CONSUMER,
    "received_at": INSTANT,
    "dispute": Maybe(STR),
    "matched": [STR],
}

LETTERS = {
    "schema_version": INT,
    "dry_run": BOOL,
    "letters": [
        {
            "ref": STR,
            "kind": STR,
            "format": STR,
            "file": Maybe(STR),
            "sha256": STR,
            "bytes": INT,
            "template": STR,
            "template_origin": STR,
            "template_sha256": STR,
            "issued": BOOL,  # recorded as issued by this command
            "issued_at": INSTANT,  # the issue it was made from, or this one
            "reproduces": Maybe(_STEP_TAKEN),  # the earlier issue whose facts it was made from
            "same_bytes": Maybe(BOOL),  # the bytes that issue recorded, in this format
        }
    ],
}
ISSUED_LETTER = {
    "kind": STR,
    "format": STR,
    "by": STR,
    "at": INSTANT,
    "sha256": STR,
    "bytes": INT,
    "template": STR,
    "template_origin": STR,
    "template_sha256": STR,
}
LETTERS_ISSUED = {"schema_version": INT, "ref": STR, "letters": [ISSUED_LETTER]}
TEMPLATES_CHECKED = {
    "schema_version": INT,
    "folder": Maybe(STR),
    "templates": [
        {
            "kind": STR,
            "template": STR,
            "origin": STR,
            "ok": BOOL,
            "missing": [{"name": STR, "what": STR}],
            "error": Maybe(STR),
        }
    ],
}

# A figure's value: a whole number (a count, pence), a fraction or working time, or null (a
# share of nothing, a median of nothing).
NUMBER = (int, float)
REPORT_FIGURE = {"figure": STR, "part": Maybe(STR), "unit": STR, "value": Maybe(NUMBER)}
PERIOD_FIGURES = {
    "period": STR,
    "from": DATE,
    "to": DATE,
    "as_of": INSTANT,  # counted as recorded by then
    "figures": [REPORT_FIGURE],
    "groups": [{"group": STR, "figures": [REPORT_FIGURE]}],
}
REPORT = {
    "schema_version": INT,
    "zone": STR,
    "by": Maybe(STR),
    **PERIOD_FIGURES,
    "previous": Maybe(PERIOD_FIGURES),
}

POLICY = {
    "number": INT,
    "years": INT,
    "set_by": Maybe(STR),  # null: the default, never set
    "set_at": Maybe(INSTANT),
    "reason": STR,
}
RETENTION_POLICY = {"schema_version": INT, "policy": POLICY, "history": [POLICY]}
HOLD_FIELDS = {
    "id": INT,
    "ref": Maybe(STR),  # a hold on a case
    "consumer_id": Maybe(INT),  # a hold on a consumer and all their cases
    "reason": STR,
    "added_by": STR,
    "added_at": INSTANT,
    "lifted_by": Maybe(STR),
    "lifted_at": Maybe(INSTANT),
    "lift_reason": Maybe(STR),
}
HOLD = {"schema_version": INT, **HOLD_FIELDS}
RETENTION_DUE = {
    "schema_version": INT,
    "as_of": INSTANT,
    "policy": POLICY,
    "items": [
        {
            "kind": STR,  # case or consumer
            "ref": Maybe(STR),  # a case's
            "consumer_id": INT,
            "state": STR,  # due, held or kept
            "due_at": INSTANT,
            "why": Maybe(STR),  # held or kept: why not removed
        }
    ],
    "holds": [HOLD_FIELDS],
}
ANONYMISED = {
    "schema_version": INT,
    "kind": STR,  # retention or erasure
    "at": INSTANT,
    "dry_run": BOOL,
    "marker": STR,
    "policy": Maybe(INT),  # retention's
    "cases": [STR],
    "consumers": [INT],
    # History entries whose personal values were replaced (in a dry run, would be).
    "entries": INT,
}

# A calendar change (`calendar close|reopen|holidays|set --json`): each deadline it moved (in a dry
# run, would move): a case's clock (`ref`), one of its actions' (`action`, kind `action`), or
# a subject-access request's (`subject_access`, no `ref`).
CALENDAR_CHANGE = {
    "schema_version": INT,
    "message": STR,
    "dry_run": BOOL,
    "recomputed": [
        {
            "ref": Maybe(STR),
            "kind": STR,
            "action": Maybe(INT),
            "subject_access": Maybe(INT),
            "old_due": INSTANT,
            "new_due": INSTANT,
        }
    ],
}

# `config --json`: the file, each setting it may hold (and the variable overriding it now),
# the saved views as the file gives them, and the organisation letters come from.
CONFIG = {
    "schema_version": INT,
    "path": STR,
    "found": BOOL,
    "settings": [
        {"setting": STR, "used_for": STR, "value": Maybe(STR), "overridden_by": Maybe(STR)}
    ],
    "views": ANY_OBJECT,  # each view's name: its filters, as the file sets them
    "organisation": {
        "name": STR,
        "address": STR,
        "email": STR,
        "phone": STR,
        "website": STR,
        "assessor": STR,
        "signatory": STR,
        "signatories": ANY_OBJECT,  # a letter's kind: who signs it
    },
}

STEP_COMMANDS = (
    "ack", "assign", "respond", "extend", "escalate", "final", "refer", "close", "reopen",
    "incident", "note",
)  # fmt: skip

# Each shape by the name the README's examples give it, and the commands that print it (a
# list shape: a JSON list of items; `export` prints one record a line).
SHAPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "case": (CASE, ("log", "show")),
    "step": (STEP, (*STEP_COMMANDS, "edit")),
    "history": (HISTORY, ("history",)),
    "queue": ([QUEUE_ITEM], ("queue",)),
    "overdue": ([OVERDUE_ITEM], ("overdue",)),
    "explain": (EXPLAIN, ("explain",)),
    "calendar": (CALENDAR, ("calendar",)),
    "calendar change": (CALENDAR_CHANGE, ("calendar close", "calendar reopen",
                                          "calendar holidays", "calendar set")),
    "import": (IMPORT, ("import",)),
    "export": (EXPORT_RECORD, ("export --format jsonl",)),
    "staff": (STAFF, ("staff add", "staff remove", "staff reactivate", "staff role",
                      "staff bind", "staff unbind")),
    "staff list": ([STAFF], ("staff list",)),
    "restriction": (RESTRICTION | {"schema_version": INT}, ("restrict add", "restrict lift",
                                                             "restrict review")),
    "restrict list": ([RESTRICTION | {"schema_version": INT}], ("restrict list",)),
    "consumer update": (CONSUMER_UPDATED, ("consumer update",)),
    "consumer show": (CONSUMER_RECORD, ("consumer show",)),
    "retention policy": (RETENTION_POLICY, ("retention policy",)),
    "retention list": (RETENTION_DUE, ("retention list",)),
    "anonymised": (ANONYMISED, ("retention apply", "consumer erase")),
    "hold": (HOLD, ("hold add", "hold lift")),
    "hold list": ([HOLD], ("hold list",)),
    "sar": (SUBJECT_ACCESS, ("sar open", "sar extend", "sar done", "sar show")),
    "sar list": ([SUBJECT_ACCESS], ("sar list",)),
    "db status": (STORE_STATUS, ("db status",)),
    "db verify": (HISTORY_VERIFIED, ("db verify",)),
    "find": ([FOUND], ("find",)),
    "letter": (LETTERS, ("letter",)),
    "letter --list": (LETTERS_ISSUED, ("letter --list",)),
    "letter check": (TEMPLATES_CHECKED, ("letter check",)),
    "report": (REPORT, ("report",)),
    "cause": (CAUSE, ("cause add",)),
    "cause list": ([CAUSE], ("cause list",)),
    "action": (ACTION | {"schema_version": INT}, ("action add", "action done",
                                                    "action reassign")),
    "action list": ([ACTION | {"schema_version": INT}], ("action list",)),
    "config": (CONFIG, ("config",)),
}  # fmt: skip


def problems(value: Any, shape: Any, *, elided: str | None = None, at: str = "$") -> list[str]:
    """Where `value` does not have `shape`, one line each (none: it has it).

    With `elided` (the README's "…"), that string stands for any value, and an object with
    an `elided` key may leave fields out, as an example does."""
    if elided is not None and value == elided:
        return []
    if isinstance(shape, Maybe):
        return [] if value is None else problems(value, shape.shape, elided=elided, at=at)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{at}: {type(value).__name__}, not an object"]
        found = [f"{at}.{name}: not in the schema" for name in value if name not in shape]
        if elided is not None and elided in value:
            found = [line for line in found if not line.endswith(f".{elided}: not in the schema")]
        else:
            found += [f"{at}.{name}: missing" for name in shape if name not in value]
        for name, field in shape.items():
            if name in value:
                found += problems(value[name], field, elided=elided, at=f"{at}.{name}")
        return found
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{at}: {type(value).__name__}, not a list"]
        return [
            line
            for index, item in enumerate(value)
            for line in problems(item, shape[0], elided=elided, at=f"{at}[{index}]")
        ]
    return _leaf_problems(value, shape, at)


def _leaf_problems(value: Any, shape: Any, at: str) -> list[str]:
    if shape == INSTANT:
        ok = isinstance(value, str) and _INSTANT.fullmatch(value) is not None
    elif shape == DATE:
        ok = isinstance(value, str) and _DATE.fullmatch(value) is not None
    elif shape == ANY_OBJECT:
        ok = isinstance(value, dict)
    elif shape is INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, shape)
    return [] if ok else [f"{at}: {value!r} is not {getattr(shape, '__name__', shape)}"]


def version_problems(value: Any) -> list[str]:
    """Each top-level object (or list item) carries this program's schema version."""
    items = value if isinstance(value, list) else [value]
    return [
        f"$: schema_version {item.get('schema_version')!r}, not {JSON_SCHEMA_VERSION}"
        for item in items
        if isinstance(item, dict) and item.get("schema_version") != JSON_SCHEMA_VERSION
    ]
