"""The calendar kept with the store: settings, bank holidays written from `holidays`, closures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from complaintctl.domain import policy
from complaintctl.domain.calendar import (
    CalendarChoice,
    WorkingCalendar,
    format_week,
    office_week,
    parse_week,
)
from complaintctl.store.models import CalendarSetting, ClosedDay
from complaintctl.text import quoted

BANK_HOLIDAY = "bank-holiday"
CLOSURE = "closure"
SEEDED_BY = "complaintctl"


DEFAULT_REGION = f"{policy.HOLIDAY_COUNTRY}-{policy.HOLIDAY_SUBDIVISION}"
# Named in a refusal: the regions of these islands, for an officer who mistyped one.
_NEARBY_REGIONS = "GB-ENG, GB-WLS, GB-SCT, GB-NIR, IE"


def holiday_region(text: str) -> str:
    """`text` as a bank-holiday region the holidays package knows, written as it writes it:
    a country code (`IE`, or `IRL`, kept as `IE`), or a country and one of its subdivisions
    (`GB-SCT`), any case.
    ValueError, naming what is accepted, otherwise."""
    import holidays

    country, _, subdivision = text.strip().upper().partition("-")
    country = "GB" if country == "UK" else country  # the package's other name for GB
    known = holidays.list_supported_countries()
    if country not in known or text.strip().endswith("-"):
        raise ValueError(
            f"{quoted(text)} is not a region whose bank holidays are known: write a country code "
            f"(ISO 3166), with a subdivision where it has its own, e.g. {_NEARBY_REGIONS}"
        )
    # Its two-letter code: the package knows a country by its three letters too (GBR).
    country = holidays.country_holidays(country).country
    if not subdivision:
        return country
    listed = {code.upper(): code for code in known[country]}
    if subdivision not in listed:
        named = ", ".join(f"{country}-{code}" for code in known[country][:40])
        more = ", …" if len(known[country]) > 40 else ""
        raise ValueError(
            f"{quoted(text)} is not a region whose bank holidays are known: "
            + (f"{country}'s are {country}, {named}{more}" if named else f"write {country}")
        )
    return f"{country}-{listed[subdivision]}"


def bank_holidays(years: range, region: str = DEFAULT_REGION) -> tuple[dict[date, str], str]:
    """The bank holidays of `region` (`GB-ENG`: England and Wales) for `years`, and where they
    came from, named in English where the package has English names."""
    from importlib.metadata import version

    import holidays  # ~0.1 s to import: only when a store is made or its holidays refreshed

    country, _, subdivision = region.partition("-")
    kind = holidays.country_holidays(country, subdiv=subdivision or None)
    language = next((one for one in ("en_GB", "en_US") if one in kind.supported_languages), None)
    days = holidays.country_holidays(
        country, subdiv=subdivision or None, years=years, language=language
    )
    return dict(days.items()), f"holidays {version('holidays')}"


def default_choice() -> CalendarChoice:
    """The calendar a store is made with unless told otherwise (policy's defaults)."""
    return CalendarChoice(
        policy.DEFAULT_ZONE, format_week(office_week(policy.DEFAULT_HOURS)), DEFAULT_REGION
    )


def seed_calendar(
    connection: Connection, at: datetime, choice: CalendarChoice | None = None
) -> None:
    choice = choice or default_choice()
    years = policy.holiday_years(at.date())
    days, source = bank_holidays(years, choice.region)
    connection.execute(
        insert(CalendarSetting).values(
            id=1,
            zone=choice.zone,
            week=choice.week,
            holiday_region=choice.region,
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
    """Rewrite the bank holidays for `years` (widening what is known), the store's region's;
    returns the new span."""
    setting = session.get_one(CalendarSetting, 1)
    days, source = bank_holidays(years, setting.holiday_region)
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


def change_calendar(
    session: Session, choice: CalendarChoice, at: datetime
) -> tuple[date, date, str]:
    """Make the store's calendar `choice`: its zone and week, and for another region, the
    bank holidays of every year known rewritten as that region's (closures stay). Returns
    the span of years known and where the holidays came from."""
    setting = session.get_one(CalendarSetting, 1)
    setting.zone, setting.week = choice.zone, choice.week
    if setting.holiday_region == choice.region:
        session.add(setting)
        return setting.holidays_from, setting.holidays_through, setting.holidays_source
    setting.holiday_region = choice.region
    session.add(setting)
    session.flush()
    years = range(setting.holidays_from.year, setting.holidays_through.year + 1)
    return replace_bank_holidays(session, years, at)


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
