"""Frozen views that services return, and their JSON shapes (README, "JSON output").

The JSON field names are an interface scripts rely on: add fields, never rename or drop them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import format_duration, format_instant

JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class DeadlineView:
    kind: str
    start: datetime
    due: datetime
    rule: str
    ended_at: datetime | None
    outcome: str | None  # "met", "cancelled", or None while running
    breached: bool  # met late, or still running past due as of the view's instant
    # Working time from due to when it was met (or to the view's instant while it runs) when
    # breached; else the working time still left (zero once met on time).
    working_late: timedelta
    working_left: timedelta

    @property
    def met_at(self) -> datetime | None:
        return self.ended_at if self.outcome == "met" else None


@dataclass(frozen=True)
class EventView:
    action: str
    actor: str
    at: datetime
    recorded_at: datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class EarlierCase:
    ref: str
    stage: str
    received_at: datetime


@dataclass(frozen=True)
class CaseView:
    zone: str
    as_of: datetime
    ref: str
    stage: str
    consumer: str
    email: str | None
    address: str | None
    channel: str
    category: str
    summary: str
    dispute: str | None
    board: bool
    received_at: datetime
    area: str | None
    logged_by: str
    deadlines: tuple[DeadlineView, ...]
    history: tuple[EventView, ...]
    earlier_cases: tuple[EarlierCase, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OverdueItem:
    ref: str
    kind: str
    consumer: str
    received_at: datetime
    due: datetime
    late_working: timedelta
    late_calendar: timedelta


@dataclass(frozen=True)
class OverdueReport:
    zone: str
    as_of: datetime
    items: tuple[OverdueItem, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClosedDayView:
    day: date
    kind: str  # "bank-holiday" or "closure"
    name: str


@dataclass(frozen=True)
class CalendarView:
    zone: str
    as_of: datetime
    week: tuple[tuple[str, str], ...]  # (weekday, "09:00-17:00" or "closed")
    holiday_region: str
    holidays_source: str
    known_from: date
    known_through: date
    upcoming: tuple[ClosedDayView, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarChange:
    message: str
    recomputed: tuple[tuple[str, str, datetime, datetime], ...]  # (ref, kind, old, new)
    zone: str


def _when(instant: datetime | None, tz: ZoneInfo) -> str | None:
    return None if instant is None else format_instant(instant, tz)


def deadline_json(deadline: DeadlineView, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "kind": deadline.kind,
        "start": _when(deadline.start, tz),
        "due": _when(deadline.due, tz),
        "rule": deadline.rule,
        "met_at": _when(deadline.met_at, tz),
        "ended_at": _when(deadline.ended_at, tz),
        "outcome": deadline.outcome,
        "breached": deadline.breached,
        "late_working_minutes": _minutes(deadline.working_late),
        "left_working_minutes": _minutes(deadline.working_left),
    }


def _minutes(amount: timedelta) -> int:
    return int(amount.total_seconds() // 60)


def case_json(view: CaseView) -> dict[str, Any]:
    tz = ZoneInfo(view.zone)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "ref": view.ref,
        "stage": view.stage,
        "consumer": {"name": view.consumer, "email": view.email, "address": view.address},
        "channel": view.channel,
        "category": view.category,
        "summary": view.summary,
        "dispute": view.dispute,
        "board": view.board,
        "received_at": _when(view.received_at, tz),
        "area": view.area,
        "logged_by": view.logged_by,
        "as_of": _when(view.as_of, tz),
        "deadlines": [deadline_json(d, tz) for d in view.deadlines],
        "history": [
            {
                "action": e.action,
                "by": e.actor,
                "at": _when(e.at, tz),
                "recorded_at": _when(e.recorded_at, tz),
                "details": e.details,
            }
            for e in view.history
        ],
        "earlier_cases": [
            {"ref": c.ref, "stage": c.stage, "received_at": _when(c.received_at, tz)}
            for c in view.earlier_cases
        ],
        "warnings": list(view.warnings),
    }


def overdue_json(report: OverdueReport) -> list[dict[str, Any]]:
    tz = ZoneInfo(report.zone)
    return [
        {
            "ref": item.ref,
            "kind": item.kind,
            "consumer": item.consumer,
            "received_at": _when(item.received_at, tz),
            "due": _when(item.due, tz),
            "as_of": _when(report.as_of, tz),
            "late_working_minutes": _minutes(item.late_working),
            "late_calendar_minutes": _minutes(item.late_calendar),
            "late_working": format_duration(item.late_working, days=False),
            "late_calendar": format_duration(item.late_calendar),
        }
        for item in report.items
    ]


def calendar_json(view: CalendarView) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "zone": view.zone,
        "opening_hours": dict(view.week),
        "bank_holidays": {
            "region": view.holiday_region,
            "source": view.holidays_source,
            "known_from": view.known_from.isoformat(),
            "known_through": view.known_through.isoformat(),
        },
        "upcoming_closed_days": [
            {"date": d.day.isoformat(), "kind": d.kind, "name": d.name} for d in view.upcoming
        ],
        "warnings": list(view.warnings),
    }
