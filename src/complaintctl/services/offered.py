"""Which steps a member of staff may take on a case now: what a screen offers, asked of the
procedure's own tables (domain/procedure.py TRANSITIONS and PERMISSIONS) through the checks
every step makes, never a second copy of them.

Offering a step is not taking it: the step's own checks (a responder assigned before a
response, a reason that fits the stage, the version the officer saw) still run when it is
taken, and refuse it with their reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaintctl.domain.procedure import Action, Stage, allowed_actions
from complaintctl.errors import NotPermitted
from complaintctl.services.common import acting_staff, authorise, find_case
from complaintctl.services.steps import may_correct

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import CaseView

# What a person takes from a case's screen, in the order of the procedure: the steps, the
# notes around them, a correction and a letter.
OFFERED = (
    Action.ACKNOWLEDGE,
    Action.ASSIGN,
    Action.RESPOND,
    Action.EXTEND,
    Action.ESCALATE,
    Action.FINAL,
    Action.REFER,
    Action.OUTCOME,
    Action.CLOSE,
    Action.REOPEN,
    Action.NOTE,
    Action.INCIDENT,
    Action.EDIT,
    Action.LETTER,
)


def steps_open_to(uow: UnitOfWork, *, ref: str, by: str) -> tuple[Action, ...]:
    """The steps `by` may take on the case at its stage now, in the procedure's order: those
    its stage allows (TRANSITIONS) that `authorise` lets them take (PERMISSIONS). None for
    someone who is not active staff (`acting_staff` says why when they try), and none on a
    case whose personal data was removed (erased, or by retention): every step refuses to
    record anything more on it (steps._not_removed)."""
    case = find_case(uow, ref)
    if case.anonymised_at is not None:
        return ()
    try:
        actor = acting_staff(uow, by)
    except NotPermitted:
        return ()
    stage_allows = set(allowed_actions(Stage(case.stage)))
    open_to: list[Action] = []
    for action in OFFERED:
        if action not in stage_allows:
            continue
        try:
            if action == Action.EDIT:
                may_correct(actor, case)  # once a case has ended, by a senior only
            else:
                authorise(actor, action, case)
        except NotPermitted:
            continue
        open_to.append(action)
    return tuple(open_to)


def actions_open_to(uow: UnitOfWork, view: CaseView, *, by: str) -> tuple[Action, ...]:
    """What the case's screen offers under its actions (`a`): `action add`, unless the case's
    personal data was removed (nothing more may be recorded on it: lessons.add_action), and
    `action done` while it has an open action; none for someone who is not active staff, as
    `steps_open_to` offers them no step. Whether they may mark a given action done (its owner,
    or a leader) is asked when they choose it."""
    try:
        acting_staff(uow, by)
    except NotPermitted:
        return ()
    removed = find_case(uow, view.ref).anonymised_at is not None
    return (
        *(() if removed else (Action.ACTION_OPENED,)),
        *((Action.ACTION_DONE,) if view.actions else ()),
    )
