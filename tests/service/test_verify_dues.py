"""`db verify` checks each running clock's due against the due its case's history gives: a due
changed by hand is found; one an extension, a calendar change or a reopen moved is not."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from complaintctl import services
from complaintctl.domain.procedure import ActionKind, CloseReason
from complaintctl.services.verify import verify_history
from complaintctl.store.models import CaseAction, Deadline
from tests.conftest import UnitFactory
from tests.service.journey import act, log, t, to_first_stage


def problems(unit: UnitFactory) -> list[tuple[str | None, str]]:
    with unit(write=False) as uow:
        view = verify_history(uow)
    return [(p.ref, p.what) for p in view.problems]


def by_hand(unit: UnitFactory, table: Any, *where: Any, **values: object) -> None:
    """A row changed behind the tool's back, each value written as the store writes it."""
    with unit() as uow:
        uow.session.execute(update(table).where(*where).values(**values))
        uow.session.commit()


def test_a_due_changed_by_hand_is_found_with_its_clock_and_both_dues(unit: UnitFactory) -> None:
    ref = to_first_stage(unit)  # acknowledged Tue 1 Dec 10:00: the response due Fri 4 Dec 10:00
    other = log(unit, t("2026-11-30T11:00"), consumer="Bea Jones", email="bea@example.com")
    act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Pay £10",
        owner="officer.one", due=t("2026-12-10T17:00"), within=None, by="officer.one",
        at=t("2026-12-01T12:00"))  # fmt: skip
    assert [] == problems(unit)

    by_hand(unit, Deadline, col(Deadline.kind) == "respond", due_at=t("2027-01-29T17:00"))
    by_hand(unit, CaseAction, col(CaseAction.id) == 1, due_at=t("2027-02-01T17:00"))
    by_hand(unit, Deadline, col(Deadline.case_id) == 2, col(Deadline.kind) == "acknowledge",
            ended_at=t("2026-11-30T12:00"), outcome="met")  # fmt: skip

    assert [
        (ref, "its respond deadline is stored as due Fri 2027-01-29 17:00 GMT, but its history "
              "gives Fri 2026-12-04 10:00 GMT"),
        (ref, "its action 1 is stored as due Mon 2027-02-01 17:00 GMT on the action, but its "
              "history gives Thu 2026-12-10 17:00 GMT"),
        (other, "its history has its acknowledge deadline running, due Thu 2026-12-03 11:00 GMT, "
                "but the store has it ended"),
    ] == problems(unit)  # fmt: skip


def test_dues_an_extension_a_calendar_change_and_a_reopen_moved_are_not_reported(
    unit: UnitFactory,
) -> None:
    extended = to_first_stage(unit)
    act(unit, services.extend, ref=extended, until=t("2026-12-18T17:00"), reason="Complex",
        by="sam.senior", at=t("2026-12-02T10:00"))  # fmt: skip
    moved = log(unit, t("2026-12-02T09:00"), consumer="Bea Jones", email="bea@example.com")
    reopened = log(unit, t("2026-12-02T09:30"), consumer="Cy Hall", email="cy@example.com")
    act(unit, services.close, ref=reopened, reason=CloseReason.WITHDRAWN, because=None,
        note=None, by="officer.one", at=t("2026-12-02T10:00"))  # fmt: skip
    act(unit, services.add_action, ref=extended, kind=ActionKind.IMPROVEMENT, what="Train",
        owner="officer.one", due=None, within="3d", by="officer.one",
        at=t("2026-12-02T10:00"))  # fmt: skip
    # Thu 3 Dec closed: the open acknowledgement and the action move; the closed case's not.
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=t("2026-12-02T11:00"))  # fmt: skip
    # Reopened: its clock runs to where the calendar now puts it.
    act(unit, services.reopen, ref=reopened, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-02T15:00"))  # fmt: skip
    with unit(write=False) as uow:
        history = [e.action for e in services.show_case(uow, ref=moved, as_of=t(
            "2026-12-02T16:00")).history]  # fmt: skip
    assert "deadline-recomputed" in history

    assert [] == problems(unit)
