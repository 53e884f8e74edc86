"""Retention's reads and writes: the policy in force, legal holds, what each case's retention
needs, and removing personal data from the rows that hold it (domain/retention.py says what
is personal; services/retention.py decides when).

The history's details are the one thing ever rewritten in `event`, and only this way: each
personal value replaced by a marker keeping its digest, so the chain still verifies
(domain/chain.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from complaintctl.domain import figures, retention
from complaintctl.domain.chain import parse_salts
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.procedure import STEP_ACTIONS, Action, Stage
from complaintctl.store import facts
from complaintctl.store.chain import salts_json
from complaintctl.store.models import (
    Case,
    CaseAction,
    Consumer,
    Deadline,
    Event,
    Incident,
    LegalHold,
    Response,
    Restriction,
    RetentionPolicy,
    SubjectAccessRequest,
)
from complaintctl.store.search import forget_removed
from complaintctl.store.uow import details_json


def policy(session: Session, as_of: datetime | None = None) -> retention.Policy:
    """The policy in force: the newest set, or the default; with `as_of`, the newest set by
    then (its --at), or the default."""
    query = select(RetentionPolicy).order_by(col(RetentionPolicy.id).desc())
    if as_of is not None:
        query = query.where(col(RetentionPolicy.set_at) <= as_of)
    row = session.exec(query).first()
    if row is None:
        return retention.DEFAULT
    assert row.id is not None
    return retention.Policy(row.id, row.years, row.set_by, row.set_at, row.reason)


def policies(session: Session) -> list[retention.Policy]:
    """Every policy in order, the default first."""
    rows = session.exec(select(RetentionPolicy).order_by(col(RetentionPolicy.id))).all()
    return [retention.DEFAULT] + [
        retention.Policy(r.id or 0, r.years, r.set_by, r.set_at, r.reason) for r in rows
    ]


def holds(
    session: Session, *, lifted: bool = False, as_of: datetime | None = None
) -> Sequence[LegalHold]:
    """The legal holds in force (with `lifted`, every one); with `as_of`, those in force
    then: added by then (its --at) and not lifted by then."""
    query = select(LegalHold).order_by(col(LegalHold.id))
    if as_of is not None or not lifted:
        query = query.where(*_in_force(LegalHold.added_at, LegalHold.lifted_at, as_of))
    return session.exec(query).all()


def _in_force(began: Any, ended: Any, as_of: datetime | None) -> tuple[ColumnElement[bool], ...]:
    """Where a row (a hold, a restriction, a request) is in force: not ended; with `as_of`,
    then: begun by then and not ended by then."""
    if as_of is None:
        return (col(ended).is_(None),)
    return col(began) <= as_of, col(ended).is_(None) | (col(ended) > as_of)


def hold(session: Session, hold_id: int) -> LegalHold | None:
    return session.get(LegalHold, hold_id)


def case_states(
    session: Session, as_of: datetime | None = None
) -> list[tuple[int, retention.CaseState]]:
    """Every case as retention sees it (its id, its state), in id order; held by the holds in
    force now, or with `as_of`, then."""
    held_cases: set[int] = set()
    held_consumers: set[int] = set()
    for row in holds(session, as_of=as_of):
        if row.case_id is not None:
            held_cases.add(row.case_id)
        if row.consumer_id is not None:
            held_consumers.add(row.consumer_id)
    ended_stages = [stage.value for stage in retention.ENDED]
    ended = dict(
        session.exec(
            select(col(Event.case_id), func.max(col(Event.at)))
            .join(Case, col(Case.id) == col(Event.case_id))
            .where(
                col(Case.stage).in_(ended_stages),
                col(Event.action).in_([action.value for action in STEP_ACTIONS]),
            )
            .group_by(col(Event.case_id))
        ).all()
    )
    rows = session.execute(
        sa_select(
            col(Case.id),
            col(Case.ref),
            col(Case.consumer_id),
            col(Case.stage),
            col(Case.anonymised_at),
        ).order_by(col(Case.id))
    ).all()
    return [
        (
            case_id,
            retention.CaseState(
                ref,
                consumer_id,
                Stage(stage),
                _utc(ended.get(case_id)),
                case_id in held_cases or consumer_id in held_consumers,
                anonymised_at is not None,
            ),
        )
        for case_id, ref, consumer_id, stage, anonymised_at in rows
    ]


def _utc(value: Any) -> datetime | None:
    """An instant from an aggregate: SQLite gives back the stored text (UTC, no offset)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def anonymised_consumers(session: Session) -> set[int]:
    found = session.execute(
        sa_select(col(Consumer.id)).where(col(Consumer.anonymised_at).is_not(None))
    )
    return set(found.scalars())


def restrictions_in_force(session: Session, as_of: datetime | None = None) -> dict[int, list[int]]:
    """Each consumer's restrictions in force (with `as_of`, then: decided by then and not
    lifted by then), by id."""
    found: dict[int, list[int]] = {}
    for restriction_id, consumer_id in session.exec(
        select(col(Restriction.id), col(Restriction.consumer_id))
        .where(*_in_force(Restriction.decided_at, Restriction.lifted_at, as_of))
        .order_by(col(Restriction.id))
    ):
        found.setdefault(consumer_id, []).append(restriction_id or 0)
    return found


def open_requests(session: Session, as_of: datetime | None = None) -> dict[int, list[int]]:
    """Each consumer's subject-access requests not yet answered (with `as_of`, then:
    received by then and not answered by then), by id."""
    found: dict[int, list[int]] = {}
    not_answered = _in_force(SubjectAccessRequest.received_at, SubjectAccessRequest.done_at, as_of)
    for request_id, consumer_id in session.exec(
        select(col(SubjectAccessRequest.id), col(SubjectAccessRequest.consumer_id))
        .where(*not_answered)
        .order_by(col(SubjectAccessRequest.id))
    ):
        found.setdefault(consumer_id, []).append(request_id or 0)
    return found


def still_owed(session: Session, consumer_id: int, now: datetime) -> list[str]:
    """What is still owed to or by a consumer, which their data is needed for: actions not
    done on their cases, their subject-access requests not answered, and the Assessor's
    referral window still running on a case of theirs."""
    case_ids = select(col(Case.id)).where(Case.consumer_id == consumer_id)
    owed = [
        f"action {n}"
        for n in session.exec(
            select(col(CaseAction.id))
            .where(col(CaseAction.case_id).in_(case_ids), col(CaseAction.done_at).is_(None))
            .order_by(col(CaseAction.id))
        )
    ]
    owed += [
        f"subject-access request {n}"
        for n in session.exec(
            select(col(SubjectAccessRequest.id))
            .where(
                SubjectAccessRequest.consumer_id == consumer_id,
                col(SubjectAccessRequest.done_at).is_(None),
            )
            .order_by(col(SubjectAccessRequest.id))
        )
    ]
    owed += [
        f"the referral window of {ref}"
        for ref in session.exec(
            select(col(Case.ref))
            .join(Deadline, col(Deadline.case_id) == col(Case.id))
            .where(
                Case.consumer_id == consumer_id,
                col(Deadline.ended_at).is_(None),
                Deadline.kind == DeadlineKind.REFERRAL_WINDOW.value,
                # Open to its last instant: a referral at the due itself is in time.
                col(Deadline.due_at) >= now,
            )
            .order_by(col(Case.ref))
        )
    ]
    return owed


def _rewrite(
    session: Session,
    events: Iterable[Event],
    keys: Callable[[str, Mapping[str, Any]], Iterable[str]],
    why: str,
) -> int:
    """Replace the personal values of `events` by markers; how many entries changed. The
    cases of those changed that replay reads are replayed again before the commit
    (store/facts.py)."""
    changed = 0
    for event in events:
        details = json.loads(event.details)
        salts = parse_salts(event.salts)
        new = retention.anonymised(details, keys(event.action, details), why, salts)
        if new is not None:
            event.details = details_json(new)
            # A removed value's salt goes with it: its marker's digest then answers no guess.
            kept = retention.salts_kept(salts, new)
            event.salts = salts_json(kept) if kept else None
            if event.action in figures.REPLAYED:  # the only entries kept facts come from
                facts.touch(session, [event.case_id])
            changed += 1
    return changed


def anonymise_case(session: Session, case_id: int, why: str, now: datetime) -> int:
    """Remove a case's personal data: its summary and dispute, its responses' reasons, its
    incidents' notes, its actions' words and notes, an agreed timescale's reason, and each
    personal value in its history. Returns how many history entries changed."""
    case = session.get_one(Case, case_id)
    case.summary, case.dispute_ref, case.anonymised_at = why, None, now
    session.add(case)
    for response in session.exec(select(Response).where(Response.case_id == case_id)):
        response.summary = why
        session.add(response)
    for incident in session.exec(select(Incident).where(Incident.case_id == case_id)):
        incident.note = why
        session.add(incident)
    # What an action was and its note may name the person ("call Ms Smith back"): its kind,
    # owner and dates stay for the figures.
    for action in session.exec(select(CaseAction).where(CaseAction.case_id == case_id)):
        action.what = why
        action.note = None if action.note is None else why
        session.add(action)
    for deadline in session.exec(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.unit == "agreed")
    ):
        # "agreed with the consumer by X: REASON" (domain/clocks.Agreed): the reason goes.
        deadline.rule = f"agreed with the consumer {why}"
        session.add(deadline)
    events = session.exec(select(Event).where(Event.case_id == case_id)).all()
    return _rewrite(session, events, retention.case_keys, why)


def anonymise_consumer(session: Session, consumer_id: int, why: str, now: datetime) -> int:
    """Remove a consumer's own details: name, email, address, contact preference and
    adjustments; them on each of their cases' history entries; their restrictions' reasons
    and matters, on the restrictions and on the store's entries; notes of incidents recorded
    against them alone; why a request of theirs was extended. Returns how many history
    entries changed."""
    consumer = session.get_one(Consumer, consumer_id)
    consumer.name = why
    consumer.email = None
    consumer.address = why if consumer.address is not None else None
    consumer.preferred_contact, consumer.adjustments = None, "[]"
    consumer.anonymised_at = now
    session.add(consumer)
    for restriction in session.exec(
        select(Restriction).where(Restriction.consumer_id == consumer_id)
    ):
        restriction.reason, restriction.dispute_ref = why, None
        if restriction.lift_reason is not None:
            restriction.lift_reason = why
        session.add(restriction)
    for incident in session.exec(
        select(Incident).where(Incident.consumer_id == consumer_id, col(Incident.case_id).is_(None))
    ):
        incident.note = why
        session.add(incident)
    # Why their subject-access request was extended may describe them; its dates stay.
    for request in session.exec(
        select(SubjectAccessRequest).where(
            SubjectAccessRequest.consumer_id == consumer_id,
            col(SubjectAccessRequest.extend_reason).is_not(None),
        )
    ):
        request.extend_reason = why
        session.add(request)
    case_ids = select(col(Case.id)).where(Case.consumer_id == consumer_id)
    events = session.exec(select(Event).where(col(Event.case_id).in_(case_ids))).all()
    changed = _rewrite(
        session, events, lambda action, _: retention.CONSUMER_KEYS.get(action, ()), why
    )
    changed += _rewrite(
        session,
        (e for e in store_entries_about(session, consumer_id) if e.action in retention.STORE_KEYS),
        lambda action, _: retention.STORE_KEYS.get(action, ()),
        why,
    )
    return changed


def forget_removed_text(session: Session) -> None:
    """Once personal data was removed, nothing of it left in the search index `find` reads
    (store/search.py, `forget_removed`). The removals are written first: the index is merged
    from the rows as the database holds them, not as the session does."""
    session.flush()
    forget_removed(session.connection())


def store_entries_about(session: Session, consumer_id: int) -> list[Event]:
    """The store's own history entries (no case's) about a consumer, in the order recorded:
    those naming them (a restriction, a hold, a subject-access request or export, their
    details changed with no case open) and those about a restriction of theirs."""
    restriction_ids = set(
        session.exec(
            select(col(Restriction.id)).where(Restriction.consumer_id == consumer_id)
        ).all()
    )

    def about_them(event: Event) -> bool:
        details = json.loads(event.details)
        if details.get("consumer_id") == consumer_id:
            return True
        return isinstance(details.get("restriction"), int) and details["restriction"] in (
            restriction_ids
        )

    entries = session.exec(
        select(Event).where(col(Event.case_id).is_(None)).order_by(col(Event.id))
    ).all()
    return [e for e in entries if about_them(e)]


def consumer_cases(session: Session, consumer_id: int) -> list[tuple[int, str, str]]:
    """(id, ref, stage) of a consumer's cases, in id order."""
    return [
        tuple(row)  # type: ignore[misc]
        for row in session.exec(
            select(col(Case.id), col(Case.ref), col(Case.stage))
            .where(Case.consumer_id == consumer_id)
            .order_by(col(Case.id))
        )
    ]


def earlier_details(session: Session, consumer_id: int) -> list[tuple[str, str, str]]:
    """(name, email, address) the person's cases' histories still hold besides their details
    now: as each case logged them, and each edit's old and new values of them (a value
    removed already, or never given, is empty)."""
    case_ids = select(col(Case.id)).where(Case.consumer_id == consumer_id)
    found: list[tuple[str, str, str]] = []
    for event in session.exec(
        select(Event).where(
            col(Event.case_id).in_(case_ids),
            col(Event.action).in_([Action.LOG, Action.EDIT]),
        )
    ):
        details = json.loads(event.details)
        if event.action == Action.LOG:
            name, email, address = (
                value if isinstance(value := details.get(key), str) else ""
                for key in ("consumer", "email", "address")
            )
            found.append((name, email, address))
            continue
        for key in (retention.PERSONAL_CHANGES, "changes"):
            changes = details.get(key)
            for change in changes if isinstance(changes, list) else ():
                field = change.get("field") if isinstance(change, dict) else None
                if field not in ("name", "email", "address"):
                    continue
                for value in (change.get("old"), change.get("new")):
                    if isinstance(value, str) and value:
                        found.append(
                            (
                                value if field == "name" else "",
                                value if field == "email" else "",
                                value if field == "address" else "",
                            )
                        )
    return found


def holds_on(session: Session, consumer_id: int) -> Sequence[LegalHold]:
    """The holds in force on a consumer or on any of their cases."""
    case_ids = select(col(Case.id)).where(Case.consumer_id == consumer_id)
    return session.exec(
        select(LegalHold)
        .where(
            col(LegalHold.lifted_at).is_(None),
            or_(col(LegalHold.consumer_id) == consumer_id, col(LegalHold.case_id).in_(case_ids)),
        )
        .order_by(col(LegalHold.id))
    ).all()
