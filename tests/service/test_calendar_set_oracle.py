"""`calendar set` against a store made with the calendar it sets: a change counts as if the
calendar had always held (README, "How deadlines are counted"), so after it (with
--retroactive) every open deadline not yet breached is due where a store made with that
calendar (`db init --zone --hours --region`) puts the same case, logged, acknowledged,
escalated and given an action at the same instants, or at the change itself where that store
has it due before then ("no deadline is moved to before the change").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from complaintctl import services
from complaintctl.domain.procedure import ActionKind, Decision
from complaintctl.store.models import Deadline
from tests.conftest import POSTGRES, UnitFactory, examples
from tests.service.journey import act, log
from tests.service.test_on_record import fresh_units

ZONES = ("Europe/London", "Europe/Dublin", "America/New_York", "Australia/Lord_Howe")
WEEKS = (
    "Mon-Fri 09:00-12:30, 13:30-17:00",
    "Mon-Fri 08:00-18:00; Sat 10:00-13:00",
    "Mon-Thu 09:00-17:00; Fri 09:00-13:00",
    "Wed 10:00-16:00",
    "Mon-Sun 00:00-24:00",
    "Mon-Fri 01:00-03:00, 22:00-24:00",
)
REGIONS = ("GB-ENG", "GB-SCT", "GB-NIR", "IE")
# Around the clock changes (Europe, the United States, Lord Howe's half hour) and the bank
# holidays where the regions differ (St Patrick's Day, Christmas, 2 January in Scotland).
STARTS = tuple(
    datetime.fromisoformat(text).replace(tzinfo=UTC)
    for text in (
        "2026-12-23T15:00",
        "2026-12-30T20:00",
        "2027-03-12T13:00",
        "2027-03-26T16:30",
        "2027-04-02T14:00",
        "2027-10-01T11:00",
        "2027-10-29T23:30",
        "2027-11-05T04:00",
    )
)
WITHIN = ("90m", "5h", "13h", "1d", "2d3h", "8h")


def _deadlines(unit: UnitFactory) -> dict[int, tuple[str, datetime]]:
    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Deadline).where(col(Deadline.ended_at).is_(None)).order_by(col(Deadline.id))
        ).all()
        return {row.id: (row.kind, row.due_at) for row in rows if row.id is not None}


def _cases(unit: UnitFactory, at: list[datetime], within: str) -> None:
    """Two cases and a subject-access request: one acknowledged, with an action; one taken
    to the second stage (a final response due in working days)."""
    first = log(unit, at[0])
    act(unit, services.acknowledge, ref=first, area="Casework", by="officer.one", at=at[1])
    act(unit, services.add_action, ref=first, kind=ActionKind.REMEDY, what="Pay",
        owner="rita.responder", due=None, within=within, by="officer.one", at=at[2])  # fmt: skip
    second = log(unit, at[0], email="bo@example.com", consumer="Bo Brown")
    act(unit, services.acknowledge, ref=second, area="Casework", by="officer.one", at=at[1])
    act(unit, services.assign, ref=second, to="rita.responder", by="lee.leader", at=at[1])
    act(unit, services.respond, ref=second, decision=Decision.NOT_UPHELD, summary="No",
        remedies=services.Remedies(), by="rita.responder", at=at[2])  # fmt: skip
    act(unit, services.escalate, ref=second, to="hana.handler", reason="Unhappy",
        by="officer.one", at=at[3])  # fmt: skip
    act(unit, services.open_request, email="ann@example.com", consumer_id=None,
        received_at=at[0], by="sam.senior", at=at[3])  # fmt: skip
    third = log(unit, at[3], email="cy@example.com", consumer="Cy Cole")
    assert third


@pytest.mark.properties
@pytest.mark.skipif(POSTGRES, reason="a store per example: the SQLite template copied")
@settings(
    max_examples=examples(12, 300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    week=st.sampled_from(WEEKS),
    region=st.sampled_from(REGIONS),
    start=st.sampled_from(STARTS),
    gaps=st.lists(st.integers(0, 60 * 40), min_size=4, max_size=4),
    within=st.sampled_from(WITHIN),
)
def test_a_changed_calendar_gives_the_dues_a_store_made_with_it_gives(
    tmp_path_factory: pytest.TempPathFactory,
    store_templates: dict[str, Path],
    zone: str,
    week: str,
    region: str,
    start: datetime,
    gaps: list[int],
    within: str,
) -> None:
    at = [start]
    for gap in gaps:
        at.append(at[-1] + timedelta(minutes=gap))
    now = at.pop()
    changed, close_changed = fresh_units(tmp_path_factory.mktemp("set"), store_templates["team"])
    made, close_made = fresh_units(tmp_path_factory.mktemp("made"), store_templates["team"])
    try:
        wanted = services.CalendarWanted(zone, week, region)
        with made() as uow:  # as `db init --zone --hours --region` makes it
            uow.change_calendar(services.new_store_calendar(wanted), at[0])
            uow.commit()
        _cases(changed, at, within)
        _cases(made, at, within)
        before = _deadlines(changed)
        with changed() as uow:
            services.change_calendar(uow, wanted=wanted, by="sam.senior", at=now, now=now,
                                     retroactive=services.Retroactive("as always"))  # fmt: skip
        after, fresh = _deadlines(changed), _deadlines(made)
        assert before.keys() == after.keys() == fresh.keys()
        for key, (kind, old_due) in before.items():
            if old_due < now:  # breached before the change: kept as it was
                assert (kind, old_due) == after[key]
            else:
                assert (kind, max(fresh[key][1], now)) == after[key], kind
    finally:
        close_changed()
        close_made()
