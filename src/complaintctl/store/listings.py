"""Reads that list many rows: overdue clocks, the queue, export pages, and what `find` finds.

Apart from the unit of work, which keeps to transactions and lookups: each listing reads
selected columns in one round trip, never ORM objects (STYLE.md), and returns SQLAlchemy's
rows as they come, to be unpacked by position (the *_ positions below name them).
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    String,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    table,
    true,
    union_all,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

from complaintctl.domain.clocks import AGREED, CANCELLED, DeadlineKind
from complaintctl.domain.intake import case_reference
from complaintctl.domain.procedure import Action
from complaintctl.domain.search import MORE_COUNTED, SearchText, forms
from complaintctl.store import search as search_index
from complaintctl.store.bulk import lookup, lookup_keys
from complaintctl.store.models import (
    Case,
    CaseAction,
    Consumer,
    Deadline,
    Event,
    RefCounter,
    Response,
    Restriction,
    SubjectAccessRequest,
)
from complaintctl.store.sql import AnySelect, driver_rows, instant_reader, list_parameter
from complaintctl.store.types import UTCDateTime

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a listing takes: the queue's and export's filters, built in one place."""

    stages: tuple[str, ...]
    # An --area's spellings as cases hold them (services/common.listing_filters), matched
    # exactly, so SQLite and PostgreSQL take the same cases whatever their case folding does.
    areas: tuple[str, ...] | None = None
    owner: str | None = None  # the second-stage handler once escalated, else the responder
    unassigned: bool = False
    category: str | None = None
    board: bool | None = None
    # The owner as recorded by this moment (--as-of): `owner` and `unassigned` also keep the
    # cases handed on since (`assign`, `escalate`), for the caller to judge by who held them
    # then (services/reads.py, `queue`).
    owners_since: datetime | None = None


def _filtered(statement: AnySelect, cases: CaseFilter) -> AnySelect:
    """`statement` (over complaint) kept to the cases `cases` describes."""
    owner = func.coalesce(col(Case.handler), col(Case.responder))
    statement = statement.where(col(Case.stage).in_(cases.stages))
    if cases.areas is not None:
        statement = statement.where(col(Case.area).in_(cases.areas))
    if cases.owner is not None or cases.unassigned:
        held = owner == cases.owner if cases.owner is not None else owner.is_(None)
        if cases.owners_since is not None:
            held = or_(held, _handed_on_since(cases.owners_since))
        statement = statement.where(held)
    if cases.category is not None:
        statement = statement.where(col(Case.category) == cases.category)
    if cases.board is not None:
        statement = statement.where(col(Case.board) == cases.board)
    return statement


# `assign` and `escalate`: the steps that change who holds a case (services/common.py,
# OWNER_CHANGES, with `action reassign`).
_CASE_OWNER_CHANGES: Final = [Action.ASSIGN.value, Action.ESCALATE.value]


def _handed_on_since(since: datetime) -> ColumnElement[bool]:
    """Whether the case (complaint) was handed on after `since`: an `assign` or `escalate`
    recorded since, found through the history's case index."""
    return (
        sa_select(literal(1))
        .where(
            col(Event.case_id) == col(Case.id),
            col(Event.action).in_(_CASE_OWNER_CHANGES),
            col(Event.recorded_at) > since,
        )
        .exists()
    )


# -- overdue -------------------------------------------------------------------------------

# ref (None for a restriction's review or a subject-access request), kind, consumer,
# received_at (the case's receipt, when the restriction was decided, or the request's receipt),
# due, restriction_id, version (None but for a case), consumer_id, email, sar_id, action_id,
# owner (who owes it: `overdue_owner`).
OverdueRow = tuple[
    str | None, str, str, datetime, datetime, int | None, int | None, int, str | None, int | None,
    int | None, str | None,
]  # fmt: skip
OVERDUE_REF: Final = 0
OVERDUE_DUE: Final = 4
OVERDUE_RESTRICTION: Final = 5
OVERDUE_SAR: Final = 9
OVERDUE_ACTION: Final = 10


def overdue(
    uow: UnitOfWork,
    as_of: datetime,
    kinds: Sequence[str],
    due_before: datetime | None = None,
    *,
    any_due: bool = False,
) -> list[OverdueRow]:
    """Clocks of `kinds` running at `as_of` and due before `due_before` (default: past due at
    `as_of`), or whatever their due (`any_due`: a replay that rewinds them), most overdue first
    (`overdue_order`).

    One statement, two indexed halves rather than one OR: clocks still open (the usual, `now`
    case), and clocks that ended after `as_of` (a replay with --as-of). Each half reads the
    deadlines once, for cases' clocks and restrictions' reviews alike (a clock belongs to one
    or the other), and the whole is one round trip to the store.
    """
    statement = _overdue_statement(
        due="any" if any_due else "window" if due_before is not None else "past"
    )
    parameters = {"as_of": as_of, "due_before": due_before, "kinds": list(kinds)}
    # all(): one fetch of every row, not one call into the driver per row.
    rows = cast("list[OverdueRow]", uow.session.connection().execute(statement, parameters).all())
    rows.sort(key=overdue_order)
    return rows


def overdue_order(row: OverdueRow) -> tuple[datetime, str, int, int]:
    """`overdue`'s order: by due, then ref, with a restriction's review (no ref) first among
    clocks due at once, and a case's actions due at once in the order they were opened."""
    return (
        row[OVERDUE_DUE], row[OVERDUE_REF] or "", row[OVERDUE_RESTRICTION] or 0,
        row[OVERDUE_ACTION] or 0,
    )  # fmt: skip


def moves_since(
    uow: UnitOfWork,
    since: datetime,
    kinds: Sequence[str],
    *,
    owners: bool = False,
    owner_stages: Sequence[str] | None = None,
) -> list[tuple[str | None, str, str, datetime]]:
    """The case ref (None for a subject-access request's), action, details (JSON) and
    recording time of each extension and calendar recompute recorded after `since` on a case
    with a clock (or an action's) of `kinds` running at `since`, and of each subject-access
    request's when `kinds` has theirs, in the order recorded: what undoes a due `overdue` or
    `queue` lists as recorded by then (services/clocks). With `owners`, each change of who
    holds a case or its actions (`assign`, `escalate`, `action-reassigned`) recorded after
    `since` too: of those cases, or of the cases now at one of `owner_stages` (the queue's).
    Read through the clocks running then or now (or the cases at those stages), by case,
    never the whole history."""
    clocks = (
        sa_select(func.coalesce(col(Deadline.case_id), col(CaseAction.case_id)))
        .select_from(Deadline)
        .join(CaseAction, col(CaseAction.id) == col(Deadline.action_id), isouter=True)
        .where(col(Deadline.kind).in_(list(kinds)))
    )
    # Two indexed halves rather than one OR, as `overdue`'s own statement.
    running = union_all(
        clocks.where(col(Deadline.ended_at).is_(None)),
        clocks.where(col(Deadline.ended_at) > since),
    )
    moves = [Action.EXTEND.value, Action.RECOMPUTE.value]
    handed_on = [*_CASE_OWNER_CHANGES, Action.ACTION_REASSIGNED.value]
    if owners and owner_stages is None:  # of the same cases: read with their moves
        moves += handed_on
    columns = (col(Event.action), col(Event.details), col(Event.recorded_at), col(Event.id))

    def recorded_since(cases: Any, actions: list[str]) -> AnySelect:
        """The entries of `actions` recorded since on `cases` (a select of their ids)."""
        return (
            sa_select(col(Case.ref).label("ref"), *columns)
            .join(Case, col(Case.id) == col(Event.case_id))
            .where(
                col(Event.case_id).in_(cases),
                col(Event.action).in_(actions),
                col(Event.recorded_at) > since,
            )
        )

    branches: list[AnySelect] = [recorded_since(running, moves)]
    if owners and owner_stages is not None:
        held = sa_select(col(Case.id)).where(col(Case.stage).in_(list(owner_stages)))
        branches.append(recorded_since(held, handed_on))
    if DeadlineKind.SUBJECT_ACCESS.value in kinds:
        # A request's entries have no case (as a restriction's): the case_id index finds them.
        no_ref = sa_cast(null(), String).label("ref")
        branches.append(
            sa_select(no_ref, *columns).where(
                col(Event.case_id).is_(None),
                col(Event.action).in_([Action.SAR_EXTENDED.value, Action.RECOMPUTE.value]),
                col(Event.recorded_at) > since,
            )
        )
    statement = union_all(*branches)
    ordered = sa_select(*statement.subquery().c).order_by(column("id"))
    return [
        (ref, action, details, recorded_at)
        for ref, action, details, recorded_at, _ in uow.session.connection().execute(ordered)
    ]


def extensions_by(
    uow: UnitOfWork, refs: Sequence[str], by: datetime
) -> list[tuple[str, str, str, datetime]]:
    """The case ref, action, details (JSON) and recording time of each extension recorded by
    `by` on the cases `refs`, in the order recorded, as `moves_since` gives those since:
    whether a date agreed by then set a clock whose extension since was undone
    (services/reads.py, `_agreed_then`). The cases a few hundred at a time."""
    connection = uow.session.connection()
    statement = (
        sa_select(col(Case.ref), col(Event.action), col(Event.details), col(Event.recorded_at))
        .join(Case, col(Case.id) == col(Event.case_id))
        .where(
            col(Case.ref).in_(list_parameter("refs")),
            col(Event.action) == Action.EXTEND.value,
            col(Event.recorded_at) <= bindparam("by", type_=UTCDateTime()),
        )
        .order_by(col(Event.id))
    )
    wanted = sorted(set(refs))
    found: list[tuple[str, str, str, datetime]] = []
    for first in range(0, len(wanted), _CASES_A_STATEMENT):
        chunk = wanted[first : first + _CASES_A_STATEMENT]
        found.extend(
            (ref, action, details, recorded_at)
            for ref, action, details, recorded_at in connection.execute(
                statement, {"refs": chunk, "by": by}
            )
        )
    return found


def _restarted_later(as_of: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether the deadline is a clock a reopen ran again that had not run again by `as_of`.

    A reopen restarts a clock its case's close cancelled as a new row with the same start and
    due (services/steps.py, `Reopen`): in a replay it runs from when the reopen was recorded
    (whatever its date: until then the case stood closed, as `show --as-of` replays its stage
    and `queue --as-of` leaves it out), never while the case was closed, nor beside the row
    the close cancelled. The reopen that restarted it is
    one recorded after the close that cancelled the row (a close at or recorded at the instant
    the row ended), never an earlier reopen recorded after that instant but before the close
    (a close typed in late, dated back to a reopen's instant or before it). A reopen dated back
    before the close was recorded (both typed in late) runs it again only once the cancelled
    row has ended, so that the two are never listed at once."""
    cancelled = aliased(Deadline)
    reopen = aliased(Event)
    close = aliased(Event)
    return (
        sa_select(literal(1))
        .where(
            col(cancelled.case_id) == col(Deadline.case_id),
            col(cancelled.kind) == col(Deadline.kind),
            col(cancelled.start_at) == col(Deadline.start_at),
            col(cancelled.id) < col(Deadline.id),
            col(cancelled.outcome) == CANCELLED,
            or_(
                col(cancelled.ended_at) > as_of,
                ~sa_select(literal(1))
                .where(
                    col(reopen.case_id) == col(Deadline.case_id),
                    col(reopen.action) == Action.REOPEN.value,
                    col(reopen.recorded_at) <= as_of,
                    sa_select(literal(1))
                    .where(
                        col(close.case_id) == col(reopen.case_id),
                        col(close.action) == Action.CLOSE.value,
                        or_(
                            col(close.at) == col(cancelled.ended_at),
                            col(close.recorded_at) == col(cancelled.ended_at),
                        ),
                        col(close.id) < col(reopen.id),
                    )
                    .correlate(cancelled, reopen)
                    .exists(),
                )
                .correlate(Deadline, cancelled)
                .exists(),
            ),
        )
        .exists()
    )


def clocks_restarted_later(uow: UnitOfWork, case_ids: Sequence[int], as_of: datetime) -> set[int]:
    """The ids of the cases' clocks that a reopen ran again and had not run again by `as_of`
    (`_restarted_later`): a replay of a case leaves them out, as `overdue --as-of` does. The
    cases a few hundred at a time (SQLite's limit on a statement's parameters)."""
    connection = uow.session.connection()
    ids = sorted(set(case_ids))
    found: set[int] = set()
    for first in range(0, len(ids), _CASES_A_STATEMENT):
        rows = connection.execute(
            _restarted_statement(), {"as_of": as_of, "ids": ids[first : first + _CASES_A_STATEMENT]}
        )
        found.update(id for id in rows.scalars() if id is not None)
    return found


_CASES_A_STATEMENT = 500


@functools.cache
def _restarted_statement() -> AnySelect:
    at = bindparam("as_of", type_=UTCDateTime())
    return sa_select(col(Deadline.id)).where(
        col(Deadline.case_id).in_(list_parameter("ids")), _restarted_later(at)
    )


@functools.cache
def _overdue_statement(*, due: str) -> CompoundSelect[Any]:
    """`overdue`'s statement, built once for every listing a process makes, with the
    parameters as_of, kinds and, for `due` "window", due_before ("past": due before as_of;
    "any": whatever the due)."""
    as_of = bindparam("as_of", type_=UTCDateTime())
    # Past due is strictly before `as_of`; a window (`due_before`) includes its last moment,
    # as the queue's --due-within does.
    bound = {
        "window": col(Deadline.due_at) <= bindparam("due_before", type_=UTCDateTime()),
        "past": col(Deadline.due_at) < as_of,
        "any": true(),
    }[due]
    # A case's clock: the case's receipt; a restriction's review: when it was decided; a
    # subject-access request's: its receipt. An action's clock is its case's, through the action.
    case_id = func.coalesce(col(Deadline.case_id), col(CaseAction.case_id))
    clocks: Select[Any, Any, Any, Any, Any, Any, Any, Any, Any, Any, Any, Any] = (
        sa_select(
            col(Case.ref).label("ref"),
            col(Deadline.kind).label("kind"),
            col(Consumer.name).label("consumer"),
            func.coalesce(
                col(Case.received_at),
                col(Restriction.decided_at),
                col(SubjectAccessRequest.received_at),
            ).label("received_at"),
            col(Deadline.due_at).label("due"),
            col(Restriction.id).label("restriction_id"),
            col(Case.version).label("version"),
            col(Consumer.id).label("consumer_id"),
            col(Consumer.email).label("email"),
            col(SubjectAccessRequest.id).label("sar_id"),
            col(Deadline.action_id).label("action_id"),
            _overdue_owner().label("owner"),
        )
        .select_from(Deadline)
        .join(CaseAction, col(CaseAction.id) == col(Deadline.action_id), isouter=True)
        .join(Case, col(Case.id) == case_id, isouter=True)
        .join(Restriction, col(Restriction.id) == col(Deadline.restriction_id), isouter=True)
        .join(
            SubjectAccessRequest,
            col(SubjectAccessRequest.id) == col(Deadline.sar_id),
            isouter=True,
        )
        .join(
            Consumer,
            col(Consumer.id)
            == func.coalesce(
                col(Case.consumer_id),
                col(Restriction.consumer_id),
                col(SubjectAccessRequest.consumer_id),
            ),
        )
        .where(
            bound,
            col(Deadline.start_at) <= as_of,
            col(Deadline.kind).in_(list_parameter("kinds")),
            ~_restarted_later(as_of),
        )
    )
    return union_all(
        clocks.where(col(Deadline.ended_at).is_(None)),
        clocks.where(col(Deadline.ended_at) > as_of),
    )


def _overdue_owner() -> ColumnElement[str | None]:
    """Who owes a clock, as the store has them now (a replay with --as-of undoes those handed
    on since: services/reads.py, `_owner_then`): an action's owner, a first-stage
    response's responder (once assigned), a final response's second-stage handler. Nobody by
    name owes an acknowledgement (Customer Relations does), a restriction's review or a
    subject-access request's answer: the store records who decided or opened those, not who
    is to see to them."""
    kind = col(Deadline.kind)
    return case(
        (kind == DeadlineKind.ACTION.value, col(CaseAction.owner)),
        (kind == DeadlineKind.RESPOND.value, col(Case.responder)),
        (kind == DeadlineKind.FINAL.value, col(Case.handler)),
        else_=sa_cast(null(), String),
    )


# -- actions -------------------------------------------------------------------------------

# id, ref, kind, what, owner, due, opened_by, opened_at, done_at, done_by, note, and when its
# clock stopped (ended_at).
ActionRow = tuple[
    int, str, str, str, str, datetime, str, datetime, datetime | None, str | None, str | None,
    datetime | None,
]  # fmt: skip


def actions(
    uow: UnitOfWork,
    *,
    open_only: bool,
    due_before: datetime | None,
    owner: str | None,
    kind: str | None,
    as_of: datetime | None = None,
) -> list[ActionRow]:
    """Actions by due (then id): open ones only, or those due before `due_before` too. With
    `as_of`, those opened by then, and open then those whose clock stopped after it (as
    `overdue --as-of` replays a clock)."""
    # When its clock stopped (late if recorded after its due): one clock an action.
    ended = (
        sa_select(col(Deadline.ended_at))
        .where(col(Deadline.action_id) == col(CaseAction.id))
        .order_by(col(Deadline.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        sa_select(
            col(CaseAction.id),
            col(Case.ref),
            col(CaseAction.kind),
            col(CaseAction.what),
            col(CaseAction.owner),
            col(CaseAction.due_at),
            col(CaseAction.opened_by),
            col(CaseAction.opened_at),
            col(CaseAction.done_at),
            col(CaseAction.done_by),
            col(CaseAction.note),
            ended,
        )  # fmt: skip
        .join(Case, col(Case.id) == col(CaseAction.case_id))
        .order_by(col(CaseAction.due_at), col(CaseAction.id))
    )
    if as_of is not None:
        statement = statement.where(col(CaseAction.opened_at) <= as_of)
    if open_only and as_of is not None:
        statement = statement.where(
            or_(
                col(CaseAction.done_at).is_(None),
                col(CaseAction.done_at) > as_of,
                ended > as_of,
            )
        )
    elif open_only:
        statement = statement.where(col(CaseAction.done_at).is_(None))
    if due_before is not None:
        statement = statement.where(col(CaseAction.due_at) < due_before)
    if owner is not None:
        statement = statement.where(col(CaseAction.owner) == owner)
    if kind is not None:
        statement = statement.where(col(CaseAction.kind) == kind)
    return cast("list[ActionRow]", uow.session.connection().execute(statement).all())


def cases_held(uow: UnitOfWork, username: str, stages: Sequence[str]) -> list[tuple[str, str]]:
    """The ref and stage of each case at one of `stages` that `username` holds: its
    second-stage handler, or its responder where there is none (the queue's owner), by ref."""
    owner = func.coalesce(col(Case.handler), col(Case.responder))
    statement = (
        sa_select(col(Case.ref), col(Case.stage))
        .where(owner == username, col(Case.stage).in_(list(stages)))
        .order_by(col(Case.ref))
    )
    return cast("list[tuple[str, str]]", uow.session.connection().execute(statement).all())


def action_changes_since(uow: UnitOfWork, since: datetime) -> list[tuple[str, str, datetime]]:
    """The action, details (JSON) and recording time of each calendar recompute, each action
    handed on (`action-reassigned`), opened and done recorded after `since`, in the order
    recorded: what undoes an action's due, owner, opening and doing as recorded by then."""
    changes = [Action.RECOMPUTE.value, Action.ACTION_REASSIGNED.value,
               Action.ACTION_OPENED.value, Action.ACTION_DONE.value]  # fmt: skip
    statement = (
        sa_select(col(Event.action), col(Event.details), col(Event.recorded_at))
        .where(
            col(Event.action).in_(changes),
            col(Event.recorded_at) > since,
        )
        .order_by(col(Event.id))
    )
    return cast(
        "list[tuple[str, str, datetime]]", uow.session.connection().execute(statement).all()
    )


def agreed_clocks(
    uow: UnitOfWork, before: datetime, after: datetime, as_of: datetime
) -> set[tuple[str, str, datetime]]:
    """The clocks running at `as_of` whose due, before `before` or at or after `after`, is a
    date agreed or set by hand (`clocks.AGREED`), each as its kind, what it is on (an
    action's, a restriction's or a request's id, else its case's reference) and its due:
    which of a listing's dues outside the known bank holidays stand as dates
    (services/reads.py, `_listed_coverage`)."""
    statement = (
        sa_select(
            col(Deadline.kind),
            func.coalesce(
                sa_cast(col(Deadline.action_id), String),
                sa_cast(col(Deadline.restriction_id), String),
                sa_cast(col(Deadline.sar_id), String),
                col(Case.ref),
            ),
            col(Deadline.due_at),
        )
        .select_from(Deadline)
        .join(Case, col(Case.id) == col(Deadline.case_id), isouter=True)
        .where(
            col(Deadline.unit) == AGREED,
            (col(Deadline.due_at) < before) | (col(Deadline.due_at) >= after),
            col(Deadline.ended_at).is_(None) | (col(Deadline.ended_at) > as_of),
        )
    )
    return {(kind, on, due) for kind, on, due in uow.session.connection().execute(statement)}


# -- the queue -----------------------------------------------------------------------------

# ref, consumer, adjustments (a JSON list), restricted, stage, area, responder, handler,
# category, board, received_at, summary, kind and due (the running clock, if any), version,
# consumer_id, email.
QueueRow = tuple[
    str, str, str, bool, str, str | None, str | None, str | None, str, bool, datetime, str,
    str | None, datetime | None, int, int, str | None,
]  # fmt: skip
QUEUE_KIND: Final = 12
QUEUE_DUE: Final = 13


def queue(
    uow: UnitOfWork,
    cases: CaseFilter,
    *,
    clock_kinds: Sequence[str],
    due_by: datetime | None = None,
) -> list[QueueRow]:
    """The cases `cases` describes, each with its running clock of `clock_kinds` (if any),
    soonest due first; with `due_by`, only those whose clock falls due by then."""
    clock = (
        (col(Deadline.case_id) == col(Case.id))
        & col(Deadline.ended_at).is_(None)
        & col(Deadline.kind).in_(clock_kinds)
    )
    restricted = (
        sa_select(literal(1))
        .where(
            col(Restriction.consumer_id) == col(Consumer.id),
            col(Restriction.lifted_at).is_(None),
        )
        .exists()
    )
    statement: AnySelect = (
        sa_select(
            col(Case.ref),
            col(Consumer.name),
            col(Consumer.adjustments),
            restricted,
            col(Case.stage),
            col(Case.area),
            col(Case.responder),
            col(Case.handler),
            col(Case.category),
            col(Case.board),
            col(Case.received_at),
            col(Case.summary),
            col(Deadline.kind),
            col(Deadline.due_at),
            col(Case.version),
            col(Consumer.id),
            col(Consumer.email),
        )
        .join(Consumer, col(Consumer.id) == col(Case.consumer_id))
        .join(Deadline, clock, isouter=True)
    )
    statement = _filtered(statement, cases)
    if due_by is not None:
        statement = statement.where(col(Deadline.due_at) <= due_by)
    statement = statement.order_by(
        col(Deadline.due_at).is_(None), col(Deadline.due_at), col(Case.ref)
    )
    return cast("list[QueueRow]", uow.session.connection().execute(statement).all())


def reopened_since(uow: UnitOfWork, since: datetime, stages: Sequence[str]) -> dict[str, list[str]]:
    """The cases now at one of `stages` with a reopen recorded after `since`, each with the
    actions of its entries recorded by then, in the order recorded: what `queue --as-of`
    replays (`domain/procedure.stage_from_history`) to leave out a case closed then, as
    `show --as-of` has it. Commonly none; read through the cases at those stages and the
    history's case index, as `moves_since` reads it, never the whole history."""
    at_stages = sa_select(col(Case.id)).where(col(Case.stage).in_(list(stages)))
    reopened = sa_select(col(Event.case_id)).where(
        col(Event.case_id).in_(at_stages),
        col(Event.action) == Action.REOPEN.value,
        col(Event.recorded_at) > since,
    )
    statement = (
        sa_select(col(Case.ref), col(Event.action))
        .join(Case, col(Case.id) == col(Event.case_id))
        .where(
            col(Event.case_id).in_(reopened),
            col(Case.stage).in_(list(stages)),
            col(Event.recorded_at) <= since,
        )
        .order_by(col(Event.case_id), col(Event.id))
    )
    then: dict[str, list[str]] = {}
    for ref, action in uow.session.connection().execute(statement):
        then.setdefault(ref, []).append(action)
    return then


def subject_access_dues(
    uow: UnitOfWork, as_of: datetime
) -> tuple[dict[int, datetime], list[dict[str, Any]]]:
    """The due of each subject-access request's clock running at `as_of` (the queue's footer
    of them, which have no case to list them by), by request, as its row has it now; and the
    details of each extension or calendar recompute of a request recorded since, latest first
    (services/clocks.request_due_as_recorded undoes them)."""
    connection = uow.session.connection()
    running = sa_select(col(Deadline.sar_id), col(Deadline.due_at)).where(
        col(Deadline.kind) == DeadlineKind.SUBJECT_ACCESS.value,
        col(Deadline.start_at) <= as_of,
        col(Deadline.ended_at).is_(None) | (col(Deadline.ended_at) > as_of),
    )
    dues = {sar: due for sar, due in connection.execute(running) if sar is not None}
    if not dues:
        return {}, []
    # A request's entries have no case (as a restriction's): the case_id index finds them.
    moves = (
        sa_select(col(Event.details))
        .where(
            col(Event.case_id).is_(None),
            col(Event.action).in_([Action.SAR_EXTENDED.value, Action.RECOMPUTE.value]),
            col(Event.recorded_at) > as_of,
        )
        .order_by(col(Event.id).desc())
    )
    return dues, [json.loads(details) for details in connection.execute(moves).scalars()]


# -- export --------------------------------------------------------------------------------


class ExportRow(NamedTuple):
    id: int
    ref: str
    stage: str
    area: str | None
    responder: str | None
    handler: str | None
    close_reason: str | None
    out_of_time: bool
    consumer: str
    email: str | None
    address: str | None
    channel: str
    category: str
    summary: str
    dispute: str | None
    received_at: datetime
    board: bool
    about: date | None
    preferred_contact: str | None
    adjustments: str
    source_id: str | None


def export_page(
    uow: UnitOfWork,
    cases: CaseFilter,
    after_id: int,
    limit: int,
    received: tuple[datetime, datetime],
) -> list[ExportRow]:
    """The next `limit` cases after `after_id` (keyset paging keeps memory flat), received in
    [received[0], received[1])."""
    statement = (
        sa_select(
            col(Case.id),
            col(Case.ref),
            col(Case.stage),
            col(Case.area),
            col(Case.responder),
            col(Case.handler),
            col(Case.close_reason),
            col(Case.out_of_time),
            col(Consumer.name),
            col(Consumer.email),
            col(Consumer.address),
            col(Case.channel),
            col(Case.category),
            col(Case.summary),
            col(Case.dispute_ref),
            col(Case.received_at),
            col(Case.board),
            col(Case.about),
            col(Consumer.preferred_contact),
            col(Consumer.adjustments),
            col(Case.source_id),
        )
        .join(Consumer, col(Consumer.id) == col(Case.consumer_id))
        .where(
            col(Case.id) > after_id,
            col(Case.received_at) >= received[0],
            col(Case.received_at) < received[1],
        )
    )
    statement = _filtered(statement, cases).order_by(col(Case.id)).limit(limit)
    return [ExportRow._make(row) for row in uow.session.connection().execute(statement)]


def deadlines_of_cases(
    uow: UnitOfWork, case_ids: Sequence[int]
) -> list[tuple[int, str, datetime, datetime | None, str | None]]:
    """(case id, kind, due, ended at, outcome) of the cases' clocks, oldest first."""
    statement = (
        sa_select(
            col(Deadline.case_id),
            col(Deadline.kind),
            col(Deadline.due_at),
            col(Deadline.ended_at),
            col(Deadline.outcome),
        )
        .where(col(Deadline.case_id).in_(case_ids))
        .order_by(col(Deadline.id))
    )
    return [tuple(row) for row in uow.session.connection().execute(statement)]  # type: ignore[misc]


# id, ref, version, stage, received_at, close_reason.
ConsumerCaseRow = tuple[int, str, int, str, datetime, str | None]


def cases_of_consumer(uow: UnitOfWork, consumer_id: int) -> list[ConsumerCaseRow]:
    """The consumer's cases, most recently received first."""
    statement = (
        sa_select(
            col(Case.id),
            col(Case.ref),
            col(Case.version),
            col(Case.stage),
            col(Case.received_at),
            col(Case.close_reason),
        )
        .where(col(Case.consumer_id) == consumer_id)
        .order_by(col(Case.received_at).desc(), col(Case.id).desc())
    )
    return [tuple(row) for row in uow.session.connection().execute(statement)]  # type: ignore[misc]


def outcomes_of_cases(uow: UnitOfWork, case_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(case id, response stage or "assessor", decision) for the cases."""
    connection = uow.session.connection()
    responses = sa_select(col(Response.case_id), col(Response.stage), col(Response.decision)).where(
        col(Response.case_id).in_(case_ids)
    )
    rows: list[tuple[int, str, str]] = [
        (case_id, stage, decision) for case_id, stage, decision in connection.execute(responses)
    ]
    outcomes = sa_select(col(Event.case_id), col(Event.details)).where(
        col(Event.case_id).in_(case_ids), col(Event.action) == Action.OUTCOME.value
    )
    for case_id, details in connection.execute(outcomes):
        if case_id is not None:
            rows.append((case_id, "assessor", str(json.loads(details).get("outcome", ""))))
    return rows


def steps_of_cases(
    uow: UnitOfWork, case_ids: Sequence[int], actions: Sequence[str]
) -> list[tuple[int, str, datetime]]:
    """(case id, action, when it happened: its --at) of the cases' steps of `actions`, in the
    order they were recorded."""
    statement = (
        sa_select(col(Event.case_id), col(Event.action), col(Event.at))
        .where(col(Event.case_id).in_(case_ids), col(Event.action).in_(list(actions)))
        .order_by(col(Event.id))
    )
    return [tuple(row) for row in uow.session.connection().execute(statement)]  # type: ignore[misc]


# -- find ----------------------------------------------------------------------------------

# ref, version, stage, received_at, consumer id, name, email, address, dispute, summary.
FoundRow = tuple[str, int, str, datetime, int, str, str | None, str | None, str | None, str]


class Found(NamedTuple):
    rows: list[FoundRow]  # most recently received first (then the highest id), up to the limit
    counted: int  # how many cases match: all of them, or at most the limit + MORE_COUNTED + 1


def find(uow: UnitOfWork, search: SearchText, limit: int | None) -> Found:
    """The cases `search` finds, most recently received first, at most `limit` of them, and
    how many match, counted as far as `limit` + MORE_COUNTED + 1 (all of them without a limit).

    Words go to the search index (store/search.py): each must appear in the case's text. On
    SQLite the trigram index takes words of three characters or more (MATCH) and checks
    shorter ones on what it finds (LIKE), reading matches newest day first (`_found_by_key`);
    on PostgreSQL ILIKE takes them all, the pg_trgm index serving those of three or more. A
    case number looks its references up directly.
    """
    connection = uow.session.connection()
    if search.case_number is None and connection.dialect.name == "sqlite":
        return _found_by_key(connection, search, limit)
    if search.case_number is not None:
        years = connection.execute(sa_select(col(RefCounter.year))).scalars()
        refs = [case_reference(year, search.case_number) for year in years]

        def matching(statement: AnySelect) -> AnySelect:
            return statement.where(col(Case.ref).in_(refs))

    else:
        index = table(search_index.TABLE, column("case_id"), column("document"))

        def matching(statement: AnySelect) -> AnySelect:
            # Each word as the store may hold it: composed or decomposed (domain/search.py).
            return statement.join(index, index.c.case_id == col(Case.id)).where(
                *(
                    or_(*(index.c.document.ilike(_containing(f), escape="\\") for f in forms(word)))
                    for word in search.words
                )
            )

    statement = matching(_found_columns()).order_by(*_NEWEST_FIRST).limit(limit)
    rows = cast("list[FoundRow]", connection.execute(statement).all())
    if limit is None or len(rows) < limit:
        return Found(rows, len(rows))
    counting = matching(sa_select(col(Case.id))).limit(limit + MORE_COUNTED + 1).subquery()
    counted = connection.execute(sa_select(func.count()).select_from(counting)).scalar_one()
    return Found(rows, counted)


_NEWEST_FIRST = (col(Case.received_at).desc(), col(Case.id).desc())


def _found_columns() -> AnySelect:
    """What `find` lists of each case, from complaint and its consumer."""
    return sa_select(
        col(Case.ref),
        col(Case.version),
        col(Case.stage),
        col(Case.received_at),
        col(Consumer.id),
        col(Consumer.name),
        col(Consumer.email),
        col(Consumer.address),
        col(Case.dispute_ref),
        col(Case.summary),
    ).join(Consumer, col(Consumer.id) == col(Case.consumer_id))


def _found_by_key(connection: Connection, search: SearchText, limit: int | None) -> Found:
    """`find` on SQLite, reading no more matches than it lists and counts (and the rest of one
    day's).

    The index's keys, greatest first, are the most recently received day first (store/search.py,
    `key_sql`). The keys of the first `limit` + MORE_COUNTED + 1 matches in that order count
    them; the cases listed are the `limit` most recent of those received on the day of the
    `limit`-th key or later (with the rest of that day's, where counting stopped inside it),
    since any other match was received on an earlier day than each of those `limit`. Within a
    day the key's order is the cases' ids, not their receipt: those cases are read by id and
    put in `find`'s order.
    """
    like_words = search.words
    parameters: dict[str, Any] = {}
    if search_index.has_trigram(connection) and search.long_words:
        # Each word an FTS5 string ("" for a quote in it), or its forms (composed, decomposed)
        # in a group of strings any of which may match; all the words must match.
        parameters["phrases"] = " AND ".join(map(_fts_forms, search.long_words))
        like_words = search.short_words
    like_forms = [
        _cased_forms(word) if word in search.short_words else forms(word) for word in like_words
    ]
    parameters.update(
        (f"like_{n}_{k}", _containing(form))
        for n, word_forms in enumerate(like_forms)
        for k, form in enumerate(word_forms)
    )
    counting, rest_of_day, everything = _found_by_key_statements(
        "phrases" in parameters, tuple(len(word_forms) for word_forms in like_forms)
    )
    if limit is None:
        rows = cast("list[FoundRow]", connection.execute(everything, parameters).all())
        return Found(rows, len(rows))
    counted = limit + MORE_COUNTED + 1
    keys = connection.execute(counting, {**parameters, "counted": counted}).scalars().all()
    if not keys:
        return Found([], 0)
    # The keys of cases received on the day of the `limit`-th or later: the first ones.
    first = search_index.first_key_on(search_index.day(keys[min(limit, len(keys)) - 1]))
    listed = list(itertools.takewhile(lambda key: key >= first, keys))
    if len(listed) == counted:  # counting stopped inside that day: the rest of its matches
        listed += connection.execute(
            rest_of_day, {**parameters, "before": keys[-1], "first": first}
        ).scalars()
    rows = lookup(connection, _found_with_ids, map(search_index.case_id, listed))
    # find's order (_NEWEST_FIRST): most recently received, then the highest id.
    rows.sort(key=lambda row: (row[_FOUND_RECEIVED], row[-1]), reverse=True)
    return Found([cast("FoundRow", row[:-1]) for row in rows[:limit]], len(keys))


_FOUND_RECEIVED: Final = 3


@functools.cache
def _found_by_key_statements(
    match: bool, likes: tuple[int, ...]
) -> tuple[AnySelect, AnySelect, AnySelect]:
    """`_found_by_key`'s statements, built once for each shape of search: the keys of the
    first matches, greatest first (parameter `counted`: how many), the keys of matches from
    `first` up to (not including) `before`, and every case found, in find's order. Each takes
    `phrases` for MATCH when `match`, and `like_0_0`… for the words checked with LIKE, `likes`
    giving how many forms each has (any of which may match)."""
    index = table(search_index.TABLE, column("rowid"), column("document"))
    conditions: list[ColumnElement[bool]] = []
    if match:
        conditions.append(literal_column(search_index.TABLE).op("MATCH")(bindparam("phrases")))
    conditions += [
        or_(*(index.c.document.like(bindparam(f"like_{n}_{k}"), escape="\\") for k in range(count)))
        for n, count in enumerate(likes)
    ]
    keys = sa_select(index.c.rowid).where(*conditions).order_by(index.c.rowid.desc())
    counting = keys.limit(bindparam("counted"))
    rest_of_day = keys.where(
        index.c.rowid < bindparam("before"), index.c.rowid >= bindparam("first")
    )
    everything = (
        _found_columns()
        .join(index, col(Case.id) == search_index.case_id_sql(index.c.rowid))
        .where(*conditions)
        .order_by(*_NEWEST_FIRST)
    )
    return counting, rest_of_day, everything


def _found_with_ids(size: int) -> AnySelect:
    """What find lists of the cases with `size` ids (bulk.lookup's keys), and each one's id."""
    return (
        _found_columns()
        .add_columns(col(Case.id))
        .where(col(Case.id).in_(lookup_keys(col(Case.id), size)))
    )


def _cased_forms(word: str) -> tuple[str, ...]:
    """A short word's forms in each case of its letters that are not ASCII: SQLite's LIKE
    folds only ASCII, where the trigram index (and PostgreSQL) folds every letter. A short
    word has few letters, so few forms."""
    letters = [dict.fromkeys((c, c.lower(), c.upper())) if not c.isascii() else (c,) for c in word]
    cased = ("".join(spelling) for spelling in itertools.product(*letters))
    return tuple(dict.fromkeys(form for spelling in cased for form in forms(spelling)))


def _fts_forms(word: str) -> str:
    """`word` for FTS5 MATCH, each of its forms a string taken as written ("" for a quote in
    it), any of which may match."""
    strings = ['"' + form.replace('"', '""') + '"' for form in forms(word)]
    return strings[0] if len(strings) == 1 else "(" + " OR ".join(strings) + ")"


def _containing(word: str) -> str:
    """A LIKE pattern for text containing `word`, its own % and _ taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- the figures ---------------------------------------------------------------------------

# case id, ref, action, at, recorded_at, details (JSON).
HistoryRow = tuple[int, str, str, datetime, datetime, str]


def history_for_figures(
    uow: UnitOfWork,
    since: datetime,
    recorded_by: datetime,
    actions: Sequence[str],
    open_stages: Sequence[str],
    chunk: int = 20_000,
) -> Iterator[Sequence[HistoryRow]]:
    """The history entries of `actions` recorded by `recorded_by`, each case's together in the
    order they were recorded (domain/figures.replay reads them so), of the cases that can count
    in figures from `since` on: those with an entry dated or recorded since, those still open,
    and those with a clock due since. Any other case was settled before `since`, every clock of
    it due and every step of it dated before then, and counts in none of them.

    Read as it is used, `chunk` rows at a time (a server-side cursor on PostgreSQL): a year of
    a large store's history need never be held at once."""
    touched = (
        sa_select(col(Event.case_id))
        .where(
            col(Event.case_id).is_not(None),
            (col(Event.recorded_at) >= since) | (col(Event.at) >= since),
        )
        .union(
            sa_select(col(Case.id)).where(col(Case.stage).in_(list(open_stages))),
            sa_select(col(Deadline.case_id)).where(
                col(Deadline.case_id).is_not(None), col(Deadline.due_at) >= since
            ),
            # An action still open, or done since: the figures count it.
            sa_select(col(CaseAction.case_id)).where(
                col(CaseAction.done_at).is_(None) | (col(CaseAction.done_at) >= since)
            ),
        )
    )
    statement = (
        sa_select(
            col(Event.case_id),
            col(Case.ref),
            col(Event.action),
            col(Event.at),
            col(Event.recorded_at),
            col(Event.details),
        )
        .join(Case, col(Case.id) == col(Event.case_id))
        .where(
            col(Event.recorded_at) <= recorded_by,
            col(Event.action).in_(list(actions)),
            col(Event.case_id).in_(touched),
        )
        .order_by(col(Event.case_id), col(Event.id))
    )
    # Read through the driver's cursor, as it gives the rows: of a year of a large store's
    # history, SQLAlchemy's rows and their instants' conversion took longer than the query.
    # An instant is converted once where an entry was recorded at the time it is dated (the
    # usual case: the same text).
    connection = uow.session.connection()
    instant = instant_reader(connection.dialect)
    for rows in driver_rows(connection, statement, chunk):
        converted: list[HistoryRow] = []
        add = converted.append
        for case_id, ref, action, at, recorded_at, details in rows:
            when = instant(at)
            add((case_id, ref, action, when,
                 when if recorded_at == at else instant(recorded_at), details))  # fmt: skip
        yield converted


# id, consumer_id, decided_at, lifted_at, and the due of the review its decision started.
RestrictionRow = tuple[int, int, datetime, datetime | None, datetime | None]
# action, at, recorded_at, details (JSON).
StoreEntryRow = tuple[str, datetime, datetime, str]


def restrictions_for_figures(
    uow: UnitOfWork,
) -> tuple[list[RestrictionRow], list[StoreEntryRow]]:
    """Every restriction, and the store's own entries about restrictions (decided, reviewed,
    lifted; not those on cases) in the order written: the figures replay them as recorded by a
    cutoff. Two statements."""
    connection = uow.session.connection()
    first_review = (
        sa_select(col(Deadline.due_at))
        .where(
            col(Deadline.restriction_id) == col(Restriction.id),
            col(Deadline.kind) == DeadlineKind.RESTRICTION_REVIEW.value,
        )
        .order_by(col(Deadline.id))
        .limit(1)
        .scalar_subquery()
    )
    restrictions = sa_select(
        col(Restriction.id),
        col(Restriction.consumer_id),
        col(Restriction.decided_at),
        col(Restriction.lifted_at),
        first_review,
    ).order_by(col(Restriction.id))
    actions = [
        Action.RESTRICTION_DECIDED.value,
        Action.RESTRICTION_REVIEWED.value,
        Action.RESTRICTION_LIFTED.value,
    ]
    entries = (
        sa_select(col(Event.action), col(Event.at), col(Event.recorded_at), col(Event.details))
        .where(col(Event.case_id).is_(None), col(Event.action).in_(actions))
        .order_by(col(Event.id))
    )
    return (
        cast("list[RestrictionRow]", connection.execute(restrictions).all()),
        cast("list[StoreEntryRow]", connection.execute(entries).all()),
    )
