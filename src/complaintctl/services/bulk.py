"""Acting on many cases at once: all or nothing by default, or as many as can be."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from complaintctl.errors import ComplaintError
from complaintctl.views import CaseView

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork


@dataclass(frozen=True)
class BulkResult:
    done: tuple[CaseView, ...]  # the cases that took the action (or would, on a dry run)
    refused: tuple[tuple[str, ComplaintError], ...]  # each refused reference, and why
    applied: bool  # whether `done` was written
    dry_run: bool


def apply_each(
    uow: UnitOfWork,
    refs: Sequence[str],
    step: Callable[[UnitOfWork, str], CaseView],
    *,
    continue_on_error: bool,
    dry_run: bool,
) -> BulkResult:
    """Take `step` on every case in one transaction, each in a savepoint.

    Every case is tried, so every refusal is listed. Unless `continue_on_error`, one refusal
    means nothing is written; a dry run never writes.
    """
    done: list[CaseView] = []
    refused: list[tuple[str, ComplaintError]] = []
    with uow.holding_commits():
        for ref in refs:
            try:
                with uow.savepoint():
                    done.append(step(uow, ref))
            except ComplaintError as err:
                refused.append((ref, err))
        applied = not dry_run and bool(done) and (continue_on_error or not refused)
        if applied:
            uow.commit_held()
    return BulkResult(tuple(done), tuple(refused), applied, dry_run)
