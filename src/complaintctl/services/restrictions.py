"""Restrictions on a consumer's use of the formal procedure [page], and consumers' needs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complaintctl import text
from complaintctl.domain.clocks import Agreed, DeadlineKind
from complaintctl.domain.instants import format_apart, format_local
from complaintctl.domain.intake import (
    adjustments_json,
    normalise_dispute,
    normalise_email,
    with_adjustments,
    without_adjustments,
)
from complaintctl.domain.procedure import Action, Channel, RestrictionScope, StoreAction
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from complaintctl.services.clocks import step_clocks
from complaintctl.services.common import (
    acting_staff,
    active_staff,
    authorise_store,
    judged_at,
    not_in_future,
    optional,
    required,
    restriction_view,
)
from complaintctl.views import ConsumerView, RestrictionView

if TYPE_CHECKING:
    from complaintctl.store.models import Case, Consumer, Restriction
    from complaintctl.store.uow import UnitOfWork


def find_consumer(uow: UnitOfWork, *, email: str | None, consumer_id: int | None) -> Consumer:
    if (email is None) == (consumer_id is None):
        raise InvalidInput("name the consumer by --email or by --consumer-id (one of them)")
    if consumer_id is not None:
        consumer = uow.consumer_or_none(consumer_id)
        if consumer is None:
            raise NotFound(f"no consumer {consumer_id}")
        return consumer
    if not email or not email.strip():  # a variable not set, as any option given empty
        raise InvalidInput("--email must not be empty: name the consumer by their email")
    cleaned = normalise_email(email)
    consumer = uow.consumer_by_email(cleaned) if cleaned else None
    if consumer is None:
        raise NotFound(f"no consumer with email {email}")
    return consumer


def not_removed(uow: UnitOfWork, consumer: Consumer) -> None:
    """Refuse to record more on a consumer whose personal data was removed (an erasure or
    retention): what it would add could never be removed in turn."""
    if consumer.anonymised_at is not None:
        raise ActionNotAllowed(
            f"consumer {consumer.id}'s personal data was removed "
            f"({format_local(consumer.anonymised_at, uow.calendar().tz)}): nothing more may be "
            "recorded on them"
        )


def restrict(
    uow: UnitOfWork,
    *,
    email: str | None,
    consumer_id: int | None,
    scope: RestrictionScope,
    reason: str,
    review: datetime | None,
    dispute: str | None,
    channel: Channel | None,
    via: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> RestrictionView:
    """Restrict a consumer, decided at senior level; reviewed after 6 months by default [std]."""
    from complaintctl.store.models import Restriction

    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.RESTRICT)
    consumer = find_consumer(uow, email=email, consumer_id=consumer_id)
    not_removed(uow, consumer)
    dispute = optional(normalise_dispute(dispute), "--dispute", text.LABEL)
    via = optional(via, "--via", text.LABEL)
    if scope == RestrictionScope.SAME_MATTER and dispute is None:
        raise InvalidInput("a same-matter restriction names the dispute: --dispute REF")
    if scope == RestrictionScope.CONTACT and (channel is None) == (via is None):
        raise InvalidInput(
            "a contact restriction allows one channel (--channel) or one "
            "named officer (--via USERNAME)"
        )
    if scope != RestrictionScope.SAME_MATTER and dispute is not None:
        raise InvalidInput("--dispute goes with --scope same-matter")
    if scope != RestrictionScope.CONTACT and (channel is not None or via is not None):
        raise InvalidInput("--channel and --via go with --scope contact")
    if via is not None:
        via = active_staff(uow, via, "--via").username
    if review is not None and review <= at:
        raise InvalidInput("the review date must be after the restriction is decided")
    assert consumer.id is not None
    restriction = Restriction(
        consumer_id=consumer.id,
        scope=scope.value,
        dispute_ref=dispute,
        contact_channel=channel.value if channel else None,
        contact_via=via,
        reason=reason,
        decided_by=by,
        decided_at=at,
        review_due=at,  # set below, from the clock
    )
    uow.add(restriction)
    uow.flush()
    agreed = Agreed(review, f"review date set by {by}") if review is not None else None
    clocks = step_clocks(
        uow, Action.RESTRICTION_DECIDED, at, now=now, restriction=restriction, agreed=agreed
    )
    restriction.review_due = clocks.due(DeadlineKind.RESTRICTION_REVIEW)
    uow.add(restriction)
    view = restriction_view(uow, restriction)
    for case in uow.open_cases_of(consumer):
        uow.record(
            case,
            Action.RESTRICTION_DECIDED,
            by=by,
            now=now,
            restriction=view.describe(),
            reason=reason,
            **_in_case_order(case, at, "decided_before_receipt"),
        )
    uow.record(
        None,
        Action.RESTRICTION_DECIDED,
        by=by,
        at=at,
        now=now,
        restriction=view.describe(),
        consumer_id=consumer.id,
        # The restriction by number, which outlives retention: the figures replay from it.
        restriction_id=restriction.id,
        reason=reason,
    )
    uow.commit()
    # Judged as the command runs: one dated back past its review date is overdue already.
    return replace(view, as_of=judged_at(at, now))


def _in_case_order(case: Case, at: datetime, before_receipt: str) -> dict[str, Any]:
    """When something about the consumer (a restriction decided or lifted, their needs
    updated) is written into one of their cases' history: at `at`, unless the case was
    received after it (dated back with --at). Then at the case's receipt, never before it,
    with `before_receipt` saying when it really happened (the history reads `decided before
    receipt: Mon 2026-11-02 10:00 GMT`): it was so already when the complaint arrived. The
    store's own entry keeps `at`, which the figures count by."""
    if at >= case.received_at:
        return {"at": at}
    return {"at": case.received_at, before_receipt: at}


def not_before_last_review(uow: UnitOfWork, restriction: Restriction, at: datetime) -> None:
    """Refuse a lift or review dated before the restriction was decided, or last reviewed:
    its review clock would be met before it started."""
    started = [row.start_at for row in uow.restriction_clocks(restriction)]
    since = max([*started, restriction.decided_at])
    if at < since:
        when = "decided" if since == restriction.decided_at else "last reviewed"
        raise InvalidInput(
            f"--at is before the restriction was {when} "
            f"({format_apart(at, since, uow.calendar().tz)[1]})"
        )


def lift(
    uow: UnitOfWork, *, restriction_id: int, reason: str, by: str, at: datetime, now: datetime
) -> RestrictionView:
    """Lift a restriction (after its review, or earlier); its review clock stops."""
    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.RESTRICT)
    restriction = uow.restriction(restriction_id)
    if restriction is None:
        raise NotFound(f"no restriction {restriction_id}")
    if restriction.lifted_at is not None:
        tz = uow.calendar().tz
        raise ActionNotAllowed(
            f"restriction {restriction_id} was lifted {format_local(restriction.lifted_at, tz)}"
        )
    not_before_last_review(uow, restriction, at)
    restriction.lifted_at, restriction.lifted_by, restriction.lift_reason = at, by, reason
    uow.add(restriction)
    step_clocks(uow, Action.RESTRICTION_LIFTED, at, now=now, restriction=restriction)
    described = restriction_view(uow, restriction).describe()
    for case in uow.open_cases_of(uow.consumer(restriction.consumer_id)):
        uow.record(
            case,
            Action.RESTRICTION_LIFTED,
            by=by,
            now=now,
            restriction=described,
            reason=reason,
            **_in_case_order(case, at, "lifted_before_receipt"),
        )
    uow.record(
        None,
        Action.RESTRICTION_LIFTED,
        by=by,
        at=at,
        now=now,
        restriction=restriction_id,
        reason=reason,
    )
    uow.commit()
    return restriction_view(uow, restriction)


def review(
    uow: UnitOfWork,
    *,
    restriction_id: int,
    next_review: datetime,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> RestrictionView:
    """Record a review that keeps the restriction, and when it is next reviewed [std]."""
    not_in_future(at, now, uow)
    reason = required(reason, "--reason")
    by = authorise_store(acting_staff(uow, by), StoreAction.RESTRICT)
    restriction = uow.restriction(restriction_id)
    if restriction is None:
        raise NotFound(f"no restriction {restriction_id}")
    if restriction.lifted_at is not None:
        raise ActionNotAllowed(
            f"restriction {restriction_id} was lifted; there is nothing to review"
        )
    not_before_last_review(uow, restriction, at)
    if next_review <= at:
        raise InvalidInput("--next must be after the review")
    step_clocks(
        uow,
        Action.RESTRICTION_REVIEWED,
        at,
        now=now,
        restriction=restriction,
        agreed=Agreed(next_review, f"next review set by {by}"),
    )
    restriction.review_due = next_review
    uow.add(restriction)
    uow.record(
        None,
        Action.RESTRICTION_REVIEWED,
        by=by,
        at=at,
        now=now,
        restriction=restriction_id,
        reason=reason,
        next_review=next_review,
    )
    uow.commit()
    return replace(restriction_view(uow, restriction), as_of=judged_at(at, now))


def list_restrictions(uow: UnitOfWork, *, include_lifted: bool) -> tuple[RestrictionView, ...]:
    return tuple(
        restriction_view(uow, r)
        for r in uow.all_restrictions()
        if include_lifted or r.lifted_at is None
    )


def update_consumer(
    uow: UnitOfWork,
    *,
    email: str | None,
    consumer_id: int | None,
    preferred_contact: str | None,
    add_adjustments: tuple[str, ...],
    remove_adjustments: tuple[str, ...],
    by: str,
    at: datetime,
    now: datetime,
) -> ConsumerView:
    """Record a consumer's preferred contact and reasonable adjustments [std]."""
    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.UPDATE_CONSUMER)
    consumer = find_consumer(uow, email=email, consumer_id=consumer_id)
    not_removed(uow, consumer)
    if preferred_contact is None and not add_adjustments and not remove_adjustments:
        raise InvalidInput("nothing to change: give --prefers, --adjustment or --drop-adjustment")
    held_before = set(json.loads(consumer.adjustments))
    # An empty one (`--adjustment "$NEED"` with NEED not set) is refused, as `log` refuses it,
    # never taken as none given.
    added = [required(a, "--adjustment", text.LABEL) for a in add_adjustments]
    dropped = {required(a, "--drop-adjustment", text.LABEL) for a in remove_adjustments}
    # A need is dropped however it is written, as one is added (`Large Print` drops
    # `large-print`), and one dropped as it is added in the same command is no need missing.
    kept, missing = without_adjustments(held_before, dropped)
    if missing := without_adjustments(added, missing)[1]:
        # Dropping a need not held would be recorded as an update that left it in place.
        held = ", ".join(sorted(held_before | set(added))) or "none"
        raise InvalidInput(
            f"{consumer.name} has no adjustment {', '.join(map(repr, missing))} to drop; "
            f"theirs: {held}"
        )
    # Dropped first, then added: `--drop-adjustment BSL --adjustment bsl` respells a need, and
    # `--drop-adjustment BSL --adjustment BSL` on `bsl` too; neither loses it. A need held
    # already however written is not added again.
    adjustments = set(with_adjustments(kept, added))
    prefers = (
        consumer.preferred_contact
        if preferred_contact is None
        else required(preferred_contact, "--prefers", text.LABEL)
    )
    if (prefers, adjustments) == (consumer.preferred_contact, held_before):
        # As for a need dropped that was not held: never an update that left all in place.
        raise InvalidInput(
            f"nothing changes: {consumer.name} already prefers {prefers or 'no method'} and has "
            f"{', '.join(sorted(adjustments)) or 'no adjustments'}"
        )
    consumer.preferred_contact = prefers
    consumer.adjustments = adjustments_json(adjustments)
    uow.add(consumer)
    # On each open case's history; with none open, in the store's own (naming the consumer,
    # as a restriction's entries do, and removed with them): never unrecorded.
    open_cases: list[Case | None] = list(uow.open_cases_of(consumer))
    for case in open_cases or [None]:
        where: dict[str, Any] = (
            {"at": at, "consumer_id": consumer.id}
            if case is None
            else _in_case_order(case, at, "updated_before_receipt")
        )
        uow.record(
            case,
            Action.CONSUMER_UPDATED,
            by=by,
            now=now,
            preferred_contact=consumer.preferred_contact,
            adjustments=sorted(adjustments),
            **where,
        )
    uow.commit()
    assert consumer.id is not None
    return ConsumerView(
        consumer.id,
        consumer.name,
        consumer.email,
        consumer.preferred_contact,
        tuple(sorted(adjustments)),
    )
