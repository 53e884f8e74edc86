"""The procedure's vocabulary and order: stages, actions, and which action each stage allows.

Rules and their sources are in ../shared/procedure/MODEL.md.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How the complaint arrived [page]."""

    ONLINE = "online"
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    IN_PERSON = "in-person"


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
    FIRST_STAGE = "first-stage"  # acknowledged and routed to an area


class Action(StrEnum):
    LOG = "log"
    ACKNOWLEDGE = "acknowledge"
    RECOMPUTE = "deadline-recomputed"  # the calendar changed under an open deadline


class DeadlineKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"


# Which stages each action on a case may start from; the stage it leads to.
TRANSITIONS: dict[Action, tuple[frozenset[Stage], Stage]] = {
    Action.ACKNOWLEDGE: (frozenset({Stage.RECEIVED}), Stage.FIRST_STAGE),
}

_NEXT_STEP_HINT: dict[Action, str] = {
    Action.ACKNOWLEDGE: "acknowledge it (ack)",
}


def allowed_actions(stage: Stage) -> list[Action]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]


def next_stage(stage: Stage, action: Action) -> Stage | None:
    """The stage `action` leads to from `stage`, or None when the stage does not allow it."""
    sources, target = TRANSITIONS[action]
    return target if stage in sources else None


def what_can_happen(stage: Stage) -> str:
    """For refusals: what the case may do next, in words."""
    hints = [_NEXT_STEP_HINT[action] for action in allowed_actions(stage)]
    return "; ".join(hints) if hints else "nothing more in complaintctl yet"
