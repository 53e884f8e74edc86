"""Tables. Instants are UTCDateTime; every timestamp is given by the command, never the database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from complaintctl.store.types import UTCDateTime


def _instant(*, nullable: bool = False, index: bool = False) -> datetime:
    field: datetime = Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)
    return field


class CalendarSetting(SQLModel, table=True):
    """The one calendar a store's users share: zone, opening hours, bank holiday coverage."""

    __tablename__ = "calendar_setting"

    id: int = Field(default=1, primary_key=True)
    zone: str
    week: str  # domain.calendar.format_week text
    holiday_region: str  # e.g. GB-ENG
    holidays_from: date
    holidays_through: date
    holidays_source: str  # which library and version listed them


class ClosedDay(SQLModel, table=True):
    """A date the organisation is closed: a bank holiday, or a closure it added."""

    __tablename__ = "closed_day"

    day: date = Field(primary_key=True)
    kind: str = Field(primary_key=True)  # "bank-holiday" or "closure"
    name: str
    added_by: str
    added_at: datetime = _instant()


class Consumer(SQLModel, table=True):
    __tablename__ = "consumer"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str | None = Field(default=None, index=True)  # kept lower-case
    address: str | None = None
    created_at: datetime = _instant()


class Case(SQLModel, table=True):
    # "case" is an SQL keyword.
    __tablename__ = "complaint"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True)
    consumer_id: int = Field(foreign_key="consumer.id", index=True)
    channel: str
    category: str
    summary: str = Field(sa_type=Text)
    dispute_ref: str | None = None
    board: bool = False
    received_at: datetime = _instant()
    stage: str = Field(index=True)
    area: str | None = None
    logged_by: str
    logged_at: datetime = _instant()


class Deadline(SQLModel, table=True):
    """One clock on a case: when it started, when it is due, and how it ended."""

    __tablename__ = "deadline"
    # Serves `overdue`: open clocks (ended_at IS NULL) in due order, without scanning history.
    __table_args__ = (Index("ix_deadline_open_due", "ended_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str
    start_at: datetime = _instant()
    due_at: datetime = _instant()
    amount: int
    unit: str
    rule: str
    ended_at: datetime | None = _instant(nullable=True)
    outcome: str | None = None  # "met", or "cancelled" when the case no longer needs the step


class Event(SQLModel, table=True):
    """The append-only history: one row per action, never updated or deleted."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="complaint.id", index=True)
    action: str
    actor: str
    at: datetime = _instant()  # when it happened (--at)
    recorded_at: datetime = _instant()  # when complaintctl wrote it
    details: str = Field(default="{}", sa_type=Text)  # JSON


class RefCounter(SQLModel, table=True):
    """The last reference number issued for each year: SC-2026-000123."""

    __tablename__ = "ref_counter"

    year: int = Field(primary_key=True)
    last: int = 0
