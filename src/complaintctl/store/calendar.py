"""The calendar kept with the store: settings, bank holidays written from `holidays`, closures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from complaintctl.domain import policy
from complaintctl.domain.calendar import WorkingCalendar, format_week, office_week, parse_week
from complaintctl.store.models import CalendarSetting, ClosedDay

BANK_HOLIDAY = "bank-holiday"
CLOSURE = "closure"
SEEDED_BY = "complaintctl"


def bank_holidays(years: range) -> tuple[dict[date, str], str]:
    """England and Wales bank holidays for `years`, and where they came from."""
    from importlib.metadata import version

    import holidays  # ~0.1 s to import: only when a store is made or its holidays refreshed

    days = holidays.country_holidays(
        policy.HOLIDAY_COUNTRY, subdiv=policy.HOLIDAY_SUBDIVISION, years=years
    )
    return dict(days.items()), f"holidays {version('holidays')}"


def seed_calendar(connection: Connection, at: datetime) -> None:
    years = policy.holiday_years(at.date())
    days, source = bank_holidays(years)
    connection.execute(
        insert(CalendarSetting).values(
            id=1,
            zone=policy.DEFAULT_ZONE,
            week=format_week(office_week(policy.DEFAULT_HOURS)),
            holiday_region=f"{policy.HOLIDAY_COUNTRY}-{policy.HOLIDAY_SUBDIVISION}",
            holidays_from=date(years.start, 1, 1),
            holidays_through=date(years.stop - 1, 12, 31),
            holidays_source=source,
        )
    )
    _insert_bank_holidays(connection, days, at)


def _insert_bank_holidays(connection: Connection, days: dict[date, str], at: datetime) -> None:
    if days:
        connection.execute(
            insert(ClosedDay),
            [
                {
                    "day": day,
                    "kind": BANK_HOLIDAY,
                    "name": name,
                    "added_by": SEEDED_BY,
                    "added_at": at,
                }
                for day, name in sorted(days.items())
            ],
        )


def replace_bank_holidays(session: Session, years: range, at: datetime) -> tuple[date, date, str]:
    """Rewrite the bank holidays for `years` (widening what is known); returns the new span."""
    days, source = bank_holidays(years)
    setting = session.get_one(CalendarSetting, 1)
    first = min(setting.holidays_from, date(years.start, 1, 1))
    last = max(setting.holidays_through, date(years.stop - 1, 12, 31))
    connection = session.connection()
    connection.execute(
        delete(ClosedDay).where(
            ClosedDay.kind == BANK_HOLIDAY,  # type: ignore[arg-type]
            ClosedDay.day >= date(years.start, 1, 1),  # type: ignore[arg-type]
            ClosedDay.day <= date(years.stop - 1, 12, 31),  # type: ignore[arg-type]
        )
    )
    _insert_bank_holidays(connection, days, at)
    setting.holidays_from, setting.holidays_through, setting.holidays_source = first, last, source
    session.add(setting)
    return first, last, source


def load_calendar(session: Session) -> WorkingCalendar:
    # Columns, not ORM objects: every command reads the calendar, most of them once. Without
    # the ORM's autoflush, a closure this command has added is flushed first, so it counts.
    session.flush()
    connection = session.connection()
    setting = connection.execute(
        select(
            col(CalendarSetting.zone),
            col(CalendarSetting.week),
            col(CalendarSetting.holidays_from),
            col(CalendarSetting.holidays_through),
        ).where(col(CalendarSetting.id) == 1)
    ).one()
    closed: dict[date, str] = {}
    rows = connection.execute(select(col(ClosedDay.day), col(ClosedDay.kind), col(ClosedDay.name)))
    for day, kind, name in rows.all():
        label = f"{name} (bank holiday)" if kind == BANK_HOLIDAY else f"{name} (closure)"
        closed[day] = f"{closed[day]}; {label}" if day in closed else label
    return WorkingCalendar(
        zone=setting.zone,
        week=parse_week(setting.week),
        closed_days=closed,
        known_from=setting.holidays_from,
        known_through=setting.holidays_through,
    )
