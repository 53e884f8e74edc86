"""The unit of work: one transaction per command, and the queries services need.

Services get rows and plain tuples from here and never build SQL themselves. Nothing here
commits except `commit()`, called once by the service when everything it checked holds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.store import calendar as stored_calendar
from complaintctl.store.db import translated_errors
from complaintctl.store.models import (
    CalendarSetting,
    Case,
    ClosedDay,
    Consumer,
    Deadline,
    Event,
    RefCounter,
)


def _json_value(value: Any) -> str:
    """Instants and dates in history details as ISO 8601 (instants in UTC)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


OverdueRow = tuple[str, str, str, datetime, datetime, datetime]
"""(ref, kind, consumer name, received_at, start_at, due_at)"""


class UnitOfWork:
    def __init__(self, engine: Engine, url: str, *, write: bool) -> None:
        self._engine = engine.execution_options(complaintctl_write=True) if write else engine
        self._url = url
        self._calendar: WorkingCalendar | None = None

    def __enter__(self) -> Self:
        self._errors = translated_errors(self._url)
        self._errors.__enter__()
        self.session = Session(self._engine, expire_on_commit=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            suppressed = self._errors.__exit__(exc_type, exc, traceback)
        return suppressed

    def commit(self) -> None:
        self.session.commit()

    def add(self, row: Any) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    # -- history -----------------------------------------------------------------------------

    def record(
        self,
        case: Case | None,
        action: str,
        *,
        by: str,
        at: datetime,
        now: datetime,
        **details: Any,
    ) -> Event:
        event = Event(
            case_id=case.id if case else None,
            action=action,
            actor=by,
            at=at,
            recorded_at=now,
            details=json.dumps(details, sort_keys=True, default=_json_value),
        )
        self.session.add(event)
        return event

    def history(self, case: Case) -> Sequence[Event]:
        return self.session.exec(
            select(Event).where(Event.case_id == case.id).order_by(col(Event.id))
        ).all()

    # -- cases -------------------------------------------------------------------------------

    def case_by_ref(self, ref: str) -> Case | None:
        return self.session.exec(select(Case).where(Case.ref == ref)).first()

    def consumer(self, consumer_id: int) -> Consumer:
        return self.session.get_one(Consumer, consumer_id)

    def consumer_by_email(self, email: str) -> Consumer | None:
        return self.session.exec(
            select(Consumer).where(Consumer.email == email).order_by(col(Consumer.id))
        ).first()

    def consumer_by_name_and_address(self, name: str, address: str) -> Consumer | None:
        return self.session.exec(
            select(Consumer)
            .where(Consumer.name == name, Consumer.address == address)
            .order_by(col(Consumer.id))
        ).first()

    def cases_of(self, consumer: Consumer) -> list[tuple[str, str, datetime]]:
        """(ref, stage, received_at) of each of the consumer's cases, oldest first."""
        rows = self.session.exec(
            select(col(Case.ref), col(Case.stage), col(Case.received_at))
            .where(Case.consumer_id == consumer.id)
            .order_by(col(Case.received_at), col(Case.id))
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]

    def next_ref_number(self, year: int) -> int:
        """Take the next number of `year`'s sequence (inside this transaction)."""
        counter = self.session.get(RefCounter, year)
        if counter is None:
            counter = RefCounter(year=year, last=0)
        counter.last += 1
        self.session.add(counter)
        return counter.last

    # -- deadlines ---------------------------------------------------------------------------

    def deadlines(self, case: Case) -> Sequence[Deadline]:
        return self.session.exec(
            select(Deadline).where(Deadline.case_id == case.id).order_by(col(Deadline.id))
        ).all()

    def overdue(self, as_of: datetime, kinds: Sequence[str] = ()) -> list[OverdueRow]:
        """Clocks that were running and past due at `as_of`, most overdue first.

        Two indexed queries rather than one OR: clocks still open (the usual, `now` case), and
        clocks that ended after `as_of` (a replay with --as-of).
        """
        base = (
            # sqlmodel's select types at most four columns; SQLAlchemy's takes these six.
            sa_select(
                col(Case.ref),
                col(Deadline.kind),
                col(Consumer.name),
                col(Case.received_at),
                col(Deadline.start_at),
                col(Deadline.due_at),
            )
            .join(Case, col(Case.id) == col(Deadline.case_id))
            .join(Consumer, col(Consumer.id) == col(Case.consumer_id))
            .where(col(Deadline.due_at) < as_of, col(Deadline.start_at) <= as_of)
        )
        if kinds:
            base = base.where(col(Deadline.kind).in_(kinds))
        still_open = base.where(col(Deadline.ended_at).is_(None))
        ended_later = base.where(col(Deadline.ended_at) > as_of)
        connection = self.session.connection()
        rows = [
            (ref, kind, name, received, start, due)
            for query in (still_open, ended_later)
            for ref, kind, name, received, start, due in connection.execute(query)
        ]
        rows.sort(key=lambda row: (row[5], row[0]))
        return rows

    def open_deadlines_due_after(self, at: datetime) -> Sequence[Deadline]:
        """Clocks still running and not yet breached at `at`: those a calendar change may move."""
        return self.session.exec(
            select(Deadline)
            .where(col(Deadline.ended_at).is_(None), col(Deadline.due_at) > at)
            .order_by(col(Deadline.id))
        ).all()

    def case_by_id(self, case_id: int) -> Case:
        return self.session.get_one(Case, case_id)

    # -- calendar ----------------------------------------------------------------------------

    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = stored_calendar.load_calendar(self.session)
        return self._calendar

    def calendar_setting(self) -> CalendarSetting:
        return self.session.get_one(CalendarSetting, 1)

    def closed_days(self, since: date) -> Sequence[ClosedDay]:
        return self.session.exec(
            select(ClosedDay).where(col(ClosedDay.day) >= since).order_by(col(ClosedDay.day))
        ).all()

    def closure(self, day: date) -> ClosedDay | None:
        return self.session.get(ClosedDay, (day, stored_calendar.CLOSURE))

    def delete_closure(self, closure: ClosedDay) -> None:
        self.session.delete(closure)
        self._calendar = None

    def add_closure(self, closure: ClosedDay) -> None:
        self.session.add(closure)
        self._calendar = None

    def replace_bank_holidays(self, years: range, at: datetime) -> tuple[date, date, str]:
        self._calendar = None
        return stored_calendar.replace_bank_holidays(self.session, years, at)

    def end_deadline(self, deadline: Deadline, *, at: datetime, outcome: str) -> None:
        deadline.ended_at, deadline.outcome = at, outcome
        self.session.add(deadline)
