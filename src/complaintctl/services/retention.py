"""Retention, legal holds and erasure on request [std: UK GDPR; the ICO's guidance].

Personal data is removed 6 years (the policy in force) after a case's procedure ended
(domain/retention.py), unless held (a legal hold, or the person's subject-access request not
yet answered); a consumer keeps their details until their last case is
due. Erasure removes a person at once where nothing requires keeping them. Either way each
personal value is replaced by a marker saying when and why, the history's seal still holds
(domain/chain.py), and what the figures count stays: reference, stage, dates, category,
channel, area, deadlines, outcomes, remedies and amounts. Each change is recorded: whose data,
under which policy, how many entries, never the values.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from complaintctl.domain import retention
from complaintctl.domain.procedure import Action, StoreAction
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from complaintctl.services.common import (
    acting_staff,
    authorise_store,
    find_case,
    not_before_receipt,
    not_in_future,
    required,
)
from complaintctl.services.restrictions import find_consumer
from complaintctl.views import (
    Anonymised,
    HoldView,
    PolicyView,
    RetentionDue,
    RetentionItem,
)

# store/retention.py is imported inside each function, as services/restrictions.py imports its
# models: importing complaintctl.services must not load SQLAlchemy (tests/unit/test_layers.py).
if TYPE_CHECKING:
    from complaintctl.store.models import Consumer, LegalHold
    from complaintctl.store.uow import UnitOfWork


def _policy_view(uow: UnitOfWork, policy: retention.Policy) -> PolicyView:
    return PolicyView(
        uow.calendar().tz.key,
        policy.number,
        policy.years,
        policy.set_by,
        policy.set_at,
        policy.reason,
    )


def show_policy(uow: UnitOfWork) -> tuple[PolicyView, ...]:
    """Every retention policy in order, the one in force last. Reads only."""
    from complaintctl.store import retention as stored

    return tuple(_policy_view(uow, p) for p in stored.policies(uow.session))


def set_policy(
    uow: UnitOfWork, *, years: int, reason: str, by: str, at: datetime, now: datetime
) -> PolicyView:
    """Change the retention policy (senior roles), recorded: a new policy, numbered on from
    the last, in force from now; markers name the policy they removed data under."""
    from complaintctl.store import retention as stored
    from complaintctl.store.models import RetentionPolicy

    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.SET_RETENTION)
    if not 1 <= years <= retention.MAX_YEARS:
        raise InvalidInput(f"--years must be from 1 to {retention.MAX_YEARS}, not {years}")
    current = stored.policy(uow.session)
    if current.years == years:
        plural = "s" if years != 1 else ""
        raise InvalidInput(f"the policy in force (policy {current.number}) is {years} year{plural}")
    row = RetentionPolicy(id=current.number + 1, years=years, reason=reason, set_by=by, set_at=at)
    uow.add(row)
    uow.record(
        None,
        Action.RETENTION_POLICY_SET,
        by=by,
        at=at,
        now=now,
        policy=row.id,
        years=years,
        was=current.years,
        reason=reason,
    )
    uow.commit()
    return _policy_view(uow, stored.policy(uow.session))


# -- legal holds -----------------------------------------------------------------------------


def _hold_view(uow: UnitOfWork, hold: LegalHold) -> HoldView:
    assert hold.id is not None
    ref = uow.case_by_id(hold.case_id).ref if hold.case_id is not None else None
    return HoldView(
        uow.calendar().tz.key,
        hold.id,
        ref,
        hold.consumer_id,
        hold.reason,
        hold.added_by,
        hold.added_at,
        hold.lifted_by,
        hold.lifted_at,
        hold.lift_reason,
    )


def add_hold(
    uow: UnitOfWork,
    *,
    ref: str | None,
    consumer_id: int | None,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> HoldView:
    """Put a case, or a consumer and all their cases, on legal hold (leaders and senior
    roles): nothing held is removed by retention or erasure until the hold is lifted."""
    from complaintctl.store import retention as stored
    from complaintctl.store.models import LegalHold

    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.HOLD)
    if (ref is None) == (consumer_id is None):
        raise InvalidInput("name what to hold: a case (REF) or a consumer (--consumer-id)")
    case = find_case(uow, ref) if ref is not None else None
    if case is not None:
        not_before_receipt(case, at, uow.calendar().tz)
    if consumer_id is not None:
        find_consumer(uow, email=None, consumer_id=consumer_id)
    if (case is not None and case.anonymised_at is not None) or (
        consumer_id is not None and consumer_id in stored.anonymised_consumers(uow.session)
    ):
        raise ActionNotAllowed(f"{ref or f'consumer {consumer_id}'} was anonymised already")
    _hold_not_naming(uow, reason, case.consumer_id if case is not None else consumer_id)
    hold = LegalHold(
        case_id=case.id if case is not None else None,
        consumer_id=consumer_id,
        reason=reason,
        added_by=by,
        added_at=at,
    )
    uow.add(hold)
    uow.flush()
    uow.record(
        case,
        Action.HOLD_ADDED,
        by=by,
        at=at,
        now=now,
        hold=hold.id,
        consumer_id=consumer_id,
        reason=reason,
    )
    uow.commit()
    return _hold_view(uow, hold)


# What outlives the person's details, and so may not hold them (_not_naming).
_HOLD_REASONS_STAY = (
    "a legal hold's reasons stay on the record after retention or erasure, where nothing "
    "could remove them"
)
_ERASURE_REASON_STAYS = (
    "the reason stays on the record after the erasure, where nothing could remove it"
)


def _not_naming(uow: UnitOfWork, reason: str, consumer: Consumer, stays: str) -> None:
    """Refuse a reason that holds the person's details where it outlives them (`stays`):
    retention and erasure never remove a hold's reasons or an erasure's. Their details as
    they are and as their cases' histories still hold them (logged, or corrected since)."""
    from complaintctl.store import retention as stored

    assert consumer.id is not None
    details = [(consumer.name, consumer.email, consumer.address)]
    details += stored.earlier_details(uow.session, consumer.id)
    named = next(
        (
            what
            for name, email, address in details
            if (what := retention.details_named(reason, name=name, email=email, address=address))
        ),
        None,
    )
    if named:
        raise InvalidInput(
            f"--reason holds the person's {named}: {stays}; say why without their details"
        )


def _hold_not_naming(uow: UnitOfWork, reason: str, consumer_id: int | None) -> None:
    if consumer_id is not None:
        consumer = find_consumer(uow, email=None, consumer_id=consumer_id)
        _not_naming(uow, reason, consumer, _HOLD_REASONS_STAY)


def lift_hold(
    uow: UnitOfWork, *, hold_id: int, reason: str, by: str, at: datetime, now: datetime
) -> HoldView:
    """Lift a legal hold (leaders and senior roles): retention applies again from the next
    run."""
    from complaintctl.store import retention as stored

    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.HOLD)
    hold = stored.hold(uow.session, hold_id)
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}")
    if hold.lifted_at is not None:
        raise ActionNotAllowed(f"legal hold {hold_id} was lifted already")
    if at < hold.added_at:
        raise InvalidInput(f"--at is before legal hold {hold_id} was added")
    case = uow.case_by_id(hold.case_id) if hold.case_id is not None else None
    _hold_not_naming(uow, reason, case.consumer_id if case is not None else hold.consumer_id)
    hold.lifted_by, hold.lifted_at, hold.lift_reason = by, at, reason
    uow.add(hold)
    uow.record(
        case,
        Action.HOLD_LIFTED,
        by=by,
        at=at,
        now=now,
        hold=hold_id,
        consumer_id=hold.consumer_id,
        reason=reason,
    )
    uow.commit()
    return _hold_view(uow, hold)


def list_holds(uow: UnitOfWork, *, include_lifted: bool) -> tuple[HoldView, ...]:
    """Legal holds in force (with `include_lifted`, lifted ones too). Reads only."""
    from complaintctl.store import retention as stored

    return tuple(_hold_view(uow, h) for h in stored.holds(uow.session, lifted=include_lifted))


# -- what is due, and removing it ------------------------------------------------------------


def _due(
    uow: UnitOfWork, policy: retention.Policy, as_of: datetime, *, then: bool = False
) -> tuple[list[tuple[int, RetentionItem]], list[RetentionItem]]:
    """The cases (with their ids) and consumers whose retention ran out by `as_of`, not yet
    anonymised: each due, held (by a legal hold, or a subject-access request of the person's
    not yet answered: `retention.held_why`) or kept (a restriction in force). With `then`,
    held and kept by what was in force at `as_of` (`retention list --as-of`); else by what is
    in force now, whatever its --at says (a run removes nothing held now)."""
    from complaintctl.store import retention as stored

    at = as_of if then else None
    states = stored.case_states(uow.session, at)
    anonymised = stored.anonymised_consumers(uow.session)
    restricted = stored.restrictions_in_force(uow.session, at)
    asking = stored.open_requests(uow.session, at)
    cases: list[tuple[int, RetentionItem]] = []
    by_consumer: dict[int, list[retention.CaseState]] = {}
    for case_id, state in states:
        by_consumer.setdefault(state.consumer_id, []).append(state)
        due = retention.case_due(state, policy)
        if state.anonymised or due is None or due > as_of:
            continue
        held = retention.held_why(state.held, asking.get(state.consumer_id, ()))
        item = RetentionItem(
            "case", state.ref, state.consumer_id, "held" if held else "due", due, held
        )
        cases.append((case_id, item))
    consumers = []
    for consumer_id, of_consumer in by_consumer.items():
        if consumer_id in anonymised:
            continue
        requests = asking.get(consumer_id, ())
        due, _ = retention.consumer_due(of_consumer, policy, as_of)
        if due is None:
            # Only where every case has run out: held ones name their hold.
            held_cases = [c for c in of_consumer if c.held]
            ran_out = all(
                (d := retention.case_due(c, policy)) is not None and d <= as_of for c in of_consumer
            )
            if held_cases and ran_out:
                latest = max(retention.case_due(c, policy) for c in of_consumer)  # type: ignore[type-var]
                assert latest is not None
                why = retention.held_why(True, requests)
                consumers.append(RetentionItem("consumer", None, consumer_id, "held", latest, why))
            continue
        if requests:
            why = retention.held_why(False, requests)
            consumers.append(RetentionItem("consumer", None, consumer_id, "held", due, why))
            continue
        if consumer_id in restricted:
            numbers = ", ".join(str(n) for n in restricted[consumer_id])
            why = f"restriction {numbers} in force"
            consumers.append(RetentionItem("consumer", None, consumer_id, "kept", due, why))
            continue
        consumers.append(RetentionItem("consumer", None, consumer_id, "due", due, None))
    return cases, consumers


def retention_due(uow: UnitOfWork, *, as_of: datetime) -> RetentionDue:
    """What retention has made due by `as_of` (now by default), with the date each became
    due, and the holds in force then (each item held or kept by what was in force then: a
    hold, request or restriction begun or ended since counted as it stood, and the policy
    then, not one set since). Reads only."""
    from complaintctl.store import retention as stored

    policy = stored.policy(uow.session, as_of)
    cases, consumers = _due(uow, policy, as_of, then=True)
    items = sorted([item for _, item in cases] + consumers, key=lambda i: i.due_at)
    return RetentionDue(
        uow.calendar().tz.key,
        as_of,
        _policy_view(uow, policy),
        tuple(items),
        tuple(_hold_view(uow, h) for h in stored.holds(uow.session, as_of=as_of)),
    )


def apply_retention(uow: UnitOfWork, *, by: str, now: datetime, dry_run: bool) -> Anonymised:
    """Anonymise everything due now under the policy in force (senior roles), in one
    transaction, recorded as one history entry; a dry run writes nothing and says what would
    go. What was anonymised already is not done again, and what is held (`_due`) is left for
    a run after the hold is lifted or the request answered."""
    from complaintctl.store import retention as stored

    by = authorise_store(acting_staff(uow, by), StoreAction.APPLY_RETENTION)
    policy = stored.policy(uow.session)
    tz = uow.calendar().tz
    marker = retention.retention_marker(now.astimezone(tz).date(), policy.number)
    cases, consumers = _due(uow, policy, now)
    case_ids = [(case_id, item.ref) for case_id, item in cases if item.state == "due"]
    consumer_ids = [item.consumer_id for item in consumers if item.state == "due"]
    # A dry run does the same work and leaves it uncommitted (the unit of work rolls it
    # back): it counts the history entries that would change, and writes nothing.
    entries = 0
    for case_id, _ in case_ids:
        entries += stored.anonymise_case(uow.session, case_id, marker, now)
    for consumer_id in consumer_ids:
        entries += stored.anonymise_consumer(uow.session, consumer_id, marker, now)
    if not dry_run:
        if case_ids or consumer_ids:
            stored.forget_removed_text(uow.session)
            uow.record(
                None,
                Action.RETENTION_APPLIED,
                by=by,
                at=now,
                now=now,
                policy=policy.number,
                years=policy.years,
                cases=[ref for _, ref in case_ids],
                consumers=consumer_ids,
                entries=entries,
            )
            uow.commit()
    return Anonymised(
        tz.key,
        "retention",
        now,
        dry_run,
        marker,
        policy.number,
        tuple(str(ref) for _, ref in case_ids),
        tuple(consumer_ids),
        entries,
    )


def erase_consumer(
    uow: UnitOfWork,
    *,
    email: str | None,
    consumer_id: int | None,
    reason: str,
    by: str,
    now: datetime,
    dry_run: bool = False,
) -> Anonymised:
    """Erase a person on request (senior roles): their details and every case of theirs
    anonymised at once, where nothing requires keeping them — no open case, no legal hold,
    no restriction in force, nothing still owed (an action, a subject-access request, the
    Assessor's referral window) [std: UK GDPR Article 17]; otherwise refused, naming each."""
    from complaintctl.store import retention as stored

    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.ERASE_CONSUMER)
    consumer = find_consumer(uow, email=email, consumer_id=consumer_id)
    assert consumer.id is not None
    if consumer.anonymised_at is not None:
        raise ActionNotAllowed(f"consumer {consumer.id} was anonymised already")
    _not_naming(uow, reason, consumer, _ERASURE_REASON_STAYS)
    cases = stored.consumer_cases(uow.session, consumer.id)
    states = dict(stored.case_states(uow.session))
    in_the_way = []
    open_refs = [ref for case_id, ref, _ in cases if states[case_id].stage not in retention.ENDED]
    if open_refs:
        in_the_way.append(f"open cases {', '.join(open_refs)}")
    holds = stored.holds_on(uow.session, consumer.id)
    if holds:
        in_the_way.append("legal holds " + ", ".join(_hold_view(uow, h).describe() for h in holds))
    restricted = stored.restrictions_in_force(uow.session).get(consumer.id)
    if restricted:
        in_the_way.append("restrictions in force " + ", ".join(str(n) for n in restricted))
    owed = stored.still_owed(uow.session, consumer.id, now)
    if owed:
        in_the_way.append("still owed " + ", ".join(owed))
    if in_the_way:
        raise ActionNotAllowed(
            f"consumer {consumer.id} cannot be erased while the data is needed: "
            + "; ".join(in_the_way)
        )
    tz = uow.calendar().tz
    marker = retention.erasure_marker(now.astimezone(tz).date())
    refs = tuple(ref for case_id, ref, _ in cases if not states[case_id].anonymised)
    entries = 0  # a dry run counts them too, uncommitted (apply_retention)
    for case_id, _, _ in cases:
        if not states[case_id].anonymised:
            entries += stored.anonymise_case(uow.session, case_id, marker, now)
    entries += stored.anonymise_consumer(uow.session, consumer.id, marker, now)
    if not dry_run:
        stored.forget_removed_text(uow.session)
        uow.record(
            None,
            Action.CONSUMER_ERASED,
            by=by,
            at=now,
            now=now,
            consumer_id=consumer.id,
            cases=list(refs),
            entries=entries,
            reason=reason,
        )
        uow.commit()
    return Anonymised(tz.key, "erasure", now, dry_run, marker, None, refs, (consumer.id,), entries)
