"""Whose each overdue item is: the person a morning's mail about it goes to."""

from __future__ import annotations

from datetime import datetime

from complaintctl import services
from complaintctl.domain.procedure import ActionKind, RestrictionScope
from complaintctl.views import overdue_json
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, log, t, to_first_stage, to_second_stage


def owners(unit: UnitFactory, as_of: datetime = NOW) -> list[tuple[str, str | None]]:
    with unit(write=False) as uow:
        report = services.overdue(uow, as_of=as_of)
    assert [i.owner for i in report.items] == [j["owner"] for j in overdue_json(report)]
    return [(f"{i.who()} {i.which()}", i.owner) for i in report.items]


def test_each_overdue_item_names_who_owes_it(unit: UnitFactory) -> None:
    unacknowledged = log(unit, t("2026-11-30T09:00"))
    assigned = to_first_stage(unit)
    act(unit, services.assign, ref=assigned, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    unassigned = to_first_stage(unit)
    escalated = to_second_stage(unit)
    action = act(
        unit, services.add_action, ref=assigned, kind=ActionKind.REMEDY, what="Call Ann back",
        owner="hana.handler", due=None, within="10d", by="officer.one", at=t("2026-12-01T10:00"),
    )  # fmt: skip
    restriction = act(
        unit, services.restrict, email="ann@example.com", consumer_id=None,
        scope=RestrictionScope.CONTACT, reason="Repeated abuse", review=None, dispute=None,
        channel=None, via="rita.responder", by="sam.senior", at=t("2026-12-01T12:00"),
    )  # fmt: skip
    request = act(
        unit, services.open_request, consumer_id=1, email=None, by="officer.one",
        received_at=t("2026-11-25T18:30"), at=t("2026-11-26T09:00"),
    )  # fmt: skip

    assert sorted(
        [
            # Customer Relations owes an acknowledgement: nobody by name.
            (f"{unacknowledged} acknowledge", None),
            (f"{assigned} respond", "rita.responder"),
            (f"{unassigned} respond", None),
            (f"{escalated} final", "hana.handler"),
            # An action is its owner's, whoever owns its case.
            (f"{assigned} action {action.id}", "hana.handler"),
            # The store records who decided a restriction and who opened a request, not who
            # reviews or answers them.
            (f"restriction {restriction.id} restriction-review", None),
            (f"subject access {request.id} subject-access", None),
        ]
    ) == sorted(owners(unit))
