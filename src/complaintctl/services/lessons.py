"""What a complaint taught: the causes a response records, and the actions it leads to.

A cause is what went wrong, named from a list kept in the store (the defaults in
domain/policy.DEFAULT_CAUSES, and those a senior adds). An action is a remedy owed to the
consumer (pay the goodwill, call back, correct a record) or an improvement to the service the
complaint revealed: it has an owner and a due on the working calendar, a clock of kind
"action" (domain/clocks.py) that `overdue` lists, and its opening and its doing are history
entries on the case, so the figures count them as recorded by a cutoff [ours, MODEL.md
"Figures and learning"].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from complaintctl import text
from complaintctl.domain import policy
from complaintctl.domain.calendar import CalendarError
from complaintctl.domain.clocks import Agreed, DeadlineKind, clock_ends_at
from complaintctl.domain.instants import (
    format_apart,
    format_local,
)
from complaintctl.domain.procedure import (
    ACTION_DONE_ROLES,
    Action,
    ActionKind,
    StoreAction,
)
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from complaintctl.services.clocks import action_due_as_recorded
from complaintctl.services.common import (
    acting_staff,
    active_staff,
    agreed_among,
    authorise_store,
    coverage_warnings,
    find_case,
    judged_at,
    named_staff,
    no_member,
    not_before_receipt,
    not_in_future,
    optional,
    owner_as_recorded,
    required,
)
from complaintctl.services.reads import beyond_the_calendar, working_duration
from complaintctl.views import ActionView, CauseView, EventView

if TYPE_CHECKING:
    from complaintctl.domain.procedure import Actor
    from complaintctl.store.models import Case, CaseAction
    from complaintctl.store.uow import UnitOfWork

# A cause's name: lower-case words joined by hyphens, as the defaults are.
_CAUSE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*", re.ASCII)
_CAUSE_NAME_MAX = 40


# -- causes ------------------------------------------------------------------------------------


def causes(uow: UnitOfWork) -> tuple[CauseView, ...]:
    """The list of causes a response may record, by name."""
    zone = uow.zone()
    return tuple(CauseView(zone, c.name, c.words, c.added_by, c.added_at) for c in uow.causes())


def add_cause(
    uow: UnitOfWork, *, name: str, words: str, by: str, at: datetime, now: datetime
) -> CauseView:
    """Add a cause to the list (senior roles); recorded in the store's history."""
    from complaintctl.store.models import Cause

    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.ADD_CAUSE)
    cleaned = name.strip().lower()
    if not _CAUSE_NAME.fullmatch(cleaned) or len(cleaned) > _CAUSE_NAME_MAX:
        raise InvalidInput(
            f"a cause's name is lower-case words joined by hyphens, at most {_CAUSE_NAME_MAX} "
            f"characters (e.g. lost-post), not {name!r}"
        )
    words = required(words, "--words", text.LABEL)
    if uow.cause(cleaned) is not None:
        raise InvalidInput(f"the cause {cleaned} is on the list already")
    uow.add(Cause(name=cleaned, words=words, added_by=by, added_at=at))
    uow.record(None, Action.CAUSE_ADDED, by=by, at=at, now=now, name=cleaned, words=words)
    uow.commit()
    return CauseView(uow.zone(), cleaned, words, by, at)


def known_causes(names: Sequence[str], listed: Sequence[str]) -> list[str]:
    """The causes named, each once in the order given, all on the list; or a refusal naming
    the list. One given empty (`--cause "$CAUSE"` with the variable not set) is refused as
    any option given empty is, not looked up as a cause."""
    if any(not name.strip() for name in names):
        raise InvalidInput(
            "--cause must not be empty: name a cause from `complaintctl cause list`, or leave "
            "--cause out for none"
        )
    chosen = list(dict.fromkeys(name.strip().lower() for name in names))
    unknown = [name for name in chosen if name not in listed]
    if unknown:
        raise InvalidInput(
            f"--cause {unknown[0]!r} is not on the list of causes; the causes are "
            f"{', '.join(sorted(listed))} (a senior adds one with `complaintctl cause add`)"
        )
    return chosen


# -- actions -----------------------------------------------------------------------------------


def add_action(
    uow: UnitOfWork,
    *,
    ref: str,
    kind: ActionKind,
    what: str,
    owner: str,
    due: datetime | None,
    within: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> ActionView:
    """Open an action on a case: a remedy owed or an improvement, with its owner and its due
    (a date, or a working time after `at` on the working calendar). Any active staff."""
    not_in_future(at, now, uow)
    by = acting_staff(uow, by).username
    what = required(what, "--what", text.SUMMARY)
    if due is not None and within is not None:
        raise InvalidInput("give --due or --within, not both")
    if due is None and within is None:
        raise InvalidInput("say when it is due: --due DATETIME or --within DURATION (one of them)")
    case = find_case(uow, ref)
    if case.anonymised_at is not None:
        raise ActionNotAllowed(
            f"{case.ref}'s personal data was removed: nothing more may be recorded on it"
        )
    owner = active_staff(uow, owner, "--owner").username
    tz = uow.calendar().tz
    not_before_receipt(case, at, tz)
    if within is not None:
        # Working time, in minutes: a calendar change recounts it by the same rule
        # (services/calendar._recompute); a date given with --due stays where it is.
        target = policy.Target(within_minutes(uow, within), policy.WITHIN, "")
        try:
            due = policy.due_after(target, uow.calendar(), at)
        except CalendarError:
            raise beyond_the_calendar("--within", within) from None
        agreed = Agreed(due, policy.within_rule(within, by), target.amount, target.unit)
    else:
        assert due is not None
        agreed = Agreed(due, f"due date set by {by}")
    if due <= at:
        raise InvalidInput(f"--due must be after the action is opened ({format_local(at, tz)})")
    row = open_action(uow, case, kind=kind, what=what, owner=owner, by=by, at=at, now=now,
                      agreed=agreed)  # fmt: skip
    uow.commit()
    # Judged as the command runs: one dated back past its due is overdue already.
    view = action_view(uow, row, case.ref, as_of=judged_at(at, now))
    if within is None:
        return view  # a date set by hand: no bank holiday counted
    return replace(view, warnings=coverage_warnings(uow.calendar(), row.due_at))


def within_minutes(uow: UnitOfWork, within: str) -> int:
    """The working time `--within` gives, in whole minutes (domain/policy.due_within counts
    them)."""
    minutes = working_duration(uow, within, "--within") // timedelta(minutes=1)
    if not minutes:
        raise InvalidInput("--within must be more than no time at all")
    return minutes


def open_action(
    uow: UnitOfWork,
    case: Case,
    *,
    kind: ActionKind,
    what: str,
    owner: str,
    by: str,
    at: datetime,
    now: datetime,
    agreed: Agreed | None,
) -> CaseAction:
    """The action's row, its clock (at `agreed`'s due, else the rule's) and its history entry
    on the case; not committed."""
    from complaintctl.services.clocks import step_clocks
    from complaintctl.store.models import CaseAction

    assert case.id is not None
    row = CaseAction(case_id=case.id, kind=kind.value, what=what, owner=owner, due_at=at,
                     opened_by=by, opened_at=at)  # fmt: skip
    uow.add(row)
    uow.flush()
    clocks = step_clocks(uow, Action.ACTION_OPENED, at, now=now, agreed=agreed, action_row=row)
    row.due_at = clocks.due(DeadlineKind.ACTION)
    uow.add(row)
    uow.record(
        case, Action.ACTION_OPENED, by=by, at=at, now=now,
        **action_details(row),
    )  # fmt: skip
    return row


def action_details(row: CaseAction) -> dict[str, object]:
    """What an action's opening records in the history (domain/figures.replay reads it)."""
    return {"id": row.id, "kind": row.kind, "what": row.what, "owner": row.owner,
            "due": row.due_at}  # fmt: skip


def _open_action(
    uow: UnitOfWork, action_id: int, actor: Actor, at: datetime, doing: str
) -> tuple[CaseAction, Case]:
    """The open action `actor` is `doing` something to at `at`, with its case: by its owner,
    a leader or a senior role (else NotPermitted), not done already, and not dated before it
    was opened or last handed on."""
    from complaintctl.store.types import details_of

    row = uow.action(action_id)
    if row is None:
        raise NotFound(f"no action {action_id} (see `complaintctl action list`)")
    case = uow.case_by_id(row.case_id)
    if actor.username != row.owner and actor.role not in ACTION_DONE_ROLES:
        roles = ", ".join(sorted(role.value for role in ACTION_DONE_ROLES))
        raise NotPermitted(
            f"{actor.username} ({actor.role.value}) may not {doing.format(id=action_id)}: "
            f"only its owner ({row.owner}), or {roles}, may"
        )
    tz = uow.calendar().tz
    if row.done_at is not None:
        raise ActionNotAllowed(
            f"action {action_id} on {case.ref} was done already, "
            f"{format_local(row.done_at, tz)} by {row.done_by}"
        )
    if at < row.opened_at:
        raise InvalidInput(
            f"--at is before action {action_id} was opened "
            f"({format_apart(at, row.opened_at, tz)[1]})"
        )
    # In the order it happened: the history never says it went to one owner after another it
    # was handed on to later, nor that it was handed on once done.
    handed = [
        e.at
        for e in uow.history(case)
        if e.action == Action.ACTION_REASSIGNED and details_of(e.details).get("id") == row.id
    ]
    if handed and at < max(handed):
        raise InvalidInput(
            f"--at is before action {action_id} was last handed on "
            f"({format_apart(at, max(handed), tz)[1]})"
        )
    return row, case


def action_done(
    uow: UnitOfWork, *, action_id: int, note: str | None, by: str, at: datetime, now: datetime
) -> ActionView:
    """Mark an action done: by its owner, a leader or a senior role; met late if after its
    due (or recorded after its due had passed, as a step meets a clock)."""
    from complaintctl.services.clocks import step_clocks

    not_in_future(at, now, uow)
    actor = acting_staff(uow, by)
    row, case = _open_action(uow, action_id, actor, at, "mark action {id} done")
    note = optional(note, "--note")
    if note is not None and case.anonymised_at is not None:
        raise ActionNotAllowed(
            f"{case.ref}'s personal data was removed: a note could never be removed in turn; "
            "mark the action done without --note"
        )
    clocks = step_clocks(uow, Action.ACTION_DONE, at, now=now, action_row=row)
    ended = next((end for _, end, _ in clocks.ends), clock_ends_at(row.due_at, at, now))
    on_time = ended <= row.due_at
    row.done_at, row.done_by, row.note = at, actor.username, note
    uow.add(row)
    uow.record(case, Action.ACTION_DONE, by=actor.username, at=at, now=now, id=row.id,
               kind=row.kind, what=row.what, due=row.due_at, on_time=on_time,
               note=note)  # fmt: skip
    uow.commit()
    return action_view(uow, row, case.ref, as_of=judged_at(at, now))


def reassign_action(
    uow: UnitOfWork,
    *,
    action_id: int,
    to: str,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> ActionView:
    """Hand an open action on to another active member of staff, with the reason: by its
    owner, a leader or a senior role (as `action_done` allows others' actions). Recorded on
    its case (`action-reassigned`: the owner before and after); its due stays as it was."""
    not_in_future(at, now, uow)
    named_staff(to, "--to")  # an empty one is a slip, whatever the action
    actor = acting_staff(uow, by)
    row, case = _open_action(uow, action_id, actor, at, "hand on action {id}")
    owner = active_staff(uow, to).username
    if owner == row.owner:
        raise InvalidInput(f"action {action_id} is owned by {owner} already: nothing to change")
    reason = required(reason, "--reason")
    if case.anonymised_at is not None:
        raise ActionNotAllowed(
            f"{case.ref}'s personal data was removed: nothing more may be recorded on it"
        )
    previous, row.owner = row.owner, owner
    uow.add(row)
    uow.record(case, Action.ACTION_REASSIGNED, by=actor.username, at=at, now=now, id=row.id,
               kind=row.kind, previous_owner=previous, owner=owner,
               reason=reason)  # fmt: skip
    uow.commit()
    return action_view(uow, row, case.ref, as_of=judged_at(at, now))


def list_actions(
    uow: UnitOfWork,
    *,
    as_of: datetime,
    open_only: bool = False,
    overdue_only: bool = False,
    owner: str | None = None,
    kind: ActionKind | None = None,
) -> tuple[ActionView, ...]:
    """Actions by due, oldest first, as the history recorded by `as_of` had them, as
    `show --as-of` lists a case's (`open_actions`): those opened by then (one whose opening
    was recorded since, even dated earlier, is not there; one done since, or whose doing was
    recorded since, is open), each owner as recorded by then (one handed on since is its
    owner's then): all of them, or those open, or open and past due at `as_of`; of one owner
    (then), or one kind."""
    from complaintctl.store import listings
    from complaintctl.store.types import details_of

    if owner is not None:
        found = uow.staff(named_staff(owner, "--owner"))
        if found is None:
            raise no_member(owner)
        owner = found.username
    calendar = uow.calendar()
    # Each due as recorded by `as_of`, as `show --as-of` gives it: a calendar change recorded
    # since undone (services/clocks.action_due_as_recorded); and each owner, an action handed
    # on since undone (`owner_as_recorded`). Commonly there is none of either.
    # And each action opened or done, by an entry recorded since: not there yet, or open then.
    # Each by the action it changed, in the order recorded: a row reads only its own.
    since: dict[int, list[EventView]] = {}
    handed_on: dict[int, list[EventView]] = {}
    opened_since: set[int] = set()
    done_since: set[int] = set()
    for action, raw, recorded_at in listings.action_changes_since(uow, as_of):
        details = details_of(raw)
        entry = EventView(action, "", recorded_at, recorded_at, details)
        if action == Action.ACTION_REASSIGNED:
            if isinstance(details.get("id"), int):
                handed_on.setdefault(details["id"], []).append(entry)
        elif action in (Action.ACTION_OPENED, Action.ACTION_DONE):
            if isinstance(details.get("id"), int):
                (opened_since if action == Action.ACTION_OPENED else done_since).add(details["id"])
        elif isinstance(details.get("action_id"), int):
            since.setdefault(details["action_id"], []).append(entry)
    rows = listings.actions(
        uow,
        # One done since, whatever its date, was open then: judged below.
        open_only=(open_only or overdue_only) and not done_since,
        due_before=as_of if overdue_only and not since else None,
        # One handed on since is judged by its owner then, below.
        owner=None if handed_on else owner,
        kind=kind.value if kind else None,
        as_of=as_of,
    )
    views = []
    for row in rows:
        if row[0] in opened_since:
            continue
        if handed_on:
            if row[0] in handed_on:
                then = owner_as_recorded(row[4], row[0], handed_on[row[0]], as_of) or row[4]
                row = (*row[:4], then, *row[5:])
            if owner is not None and row[4] != owner:
                continue
        moved = since.get(row[0])
        due = action_due_as_recorded(row[0], row[5], moved, as_of) if moved else row[5]
        # The last of each row is when its clock stopped: after `as_of`, it was open then.
        if max(row[8] or as_of, row[11] or as_of) > as_of or row[0] in done_since:
            view = ActionView(calendar.zone, *row[:5], due, *row[6:8], as_of=as_of,
                              calendar=calendar)  # fmt: skip
        else:
            view = ActionView(calendar.zone, *row[:5], due, *row[6:11], as_of=as_of,
                              met_at=row[11], calendar=calendar)  # fmt: skip
        views.append(view)
    # A due counted outside the known bank-holiday years, as `show` warns. A date set by hand
    # stands, and the list shows no working time to or from it: nothing to say of it, as
    # `action add --due` says nothing.
    listed = [(DeadlineKind.ACTION.value, str(v.id), v.due) for v in views if v.done_at is None]
    agreed = agreed_among(uow, as_of, listed)
    for at, view in enumerate(views):
        if view.done_at is None:
            if (DeadlineKind.ACTION.value, str(view.id), view.due) not in agreed:
                views[at] = replace(view, warnings=coverage_warnings(calendar, view.due))
    if done_since and (open_only or overdue_only):
        views = [v for v in views if v.done_at is None]
    if since:  # the dues as then may order and filter otherwise than the SQL did
        views = [v for v in views if v.overdue or not overdue_only]
        views.sort(key=lambda v: (v.due, v.id))
    return tuple(views)


def action_view(uow: UnitOfWork, row: CaseAction, ref: str, *, as_of: datetime) -> ActionView:
    assert row.id is not None
    return ActionView(
        uow.zone(), row.id, ref, row.kind, row.what, row.owner, row.due_at, row.opened_by,
        row.opened_at, row.done_at, row.done_by, row.note, as_of=as_of,
        met_at=max((d.ended_at for d in uow.action_clocks(row) if d.ended_at), default=None),
        calendar=uow.calendar(),
    )  # fmt: skip
