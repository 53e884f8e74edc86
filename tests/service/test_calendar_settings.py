"""An organisation's own calendar at the service layer: its zone, opening hours and
bank-holiday region, set with `calendar set` as if they had always held.

Expected deadlines are worked out by hand from MODEL.md ("Working time"): the acknowledgement
is due 24 working hours after receipt. Instants are UTC; London wall time in winter is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from tests.conftest import UnitFactory

SENIOR = "sam.senior"
STAFF = "officer.one"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def log(unit: UnitFactory, at: datetime) -> str:
    with unit() as uow:
        return services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer="Ann Smith",
                email="ann@example.com",
                channel=Channel.EMAIL,
                category=Category.DELAY,
                summary="No reply",
            ),
            by=STAFF,
            at=at,
            now=at,
        ).ref


def due(unit: UnitFactory, ref: str, now: datetime) -> datetime:
    with unit(write=False) as uow:
        return services.show_case(uow, ref=ref, as_of=now).deadlines[0].due


def change(
    unit: UnitFactory,
    now: datetime,
    *,
    zone: str | None = None,
    hours: str | None = None,
    region: str | None = None,
    reason: str | None = None,
    dry_run: bool = False,
    by: str = SENIOR,
) -> services.CalendarChange:
    with unit() as uow:
        return services.change_calendar(
            uow,
            wanted=services.CalendarWanted(zone, hours, region),
            by=by,
            at=now,
            now=now,
            retroactive=services.Retroactive(reason, dry_run),
        )


def test_refreshing_bank_holidays_writes_the_stores_own_regions(unit: UnitFactory) -> None:
    # A store kept for Scotland: St Andrew's Day 2032 is Tuesday 30 November.
    now = utc("2026-11-30T12:00")
    with unit() as uow:
        uow.calendar_setting().holiday_region = "GB-SCT"
        uow.commit()
    with unit() as uow:
        services.refresh_holidays(uow, through=2032, by=SENIOR, at=now, now=now)
    with unit(write=False) as uow:
        closed = uow.calendar().closed_days
    assert "Saint Andrew's Day (bank holiday)" == closed.get(date(2032, 11, 30))
    assert "Easter Monday (bank holiday)" != closed.get(date(2032, 3, 29))
