"""The unit of work: one transaction per command, and the lookups the services make.

Services get rows and plain tuples from here and never build SQL themselves. Nothing here
commits except `commit()`, called once by the service when everything it checked holds.
Reads that list many rows are in listings.py; batch inserts in bulk.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import func, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from complaintctl.domain.calendar import CalendarChoice, WorkingCalendar
from complaintctl.domain.intake import matching_form
from complaintctl.domain.procedure import CALENDAR_CHANGES
from complaintctl.store import calendar as stored_calendar
from complaintctl.store import facts
from complaintctl.store.chain import Sealer
from complaintctl.store.db import describe, no_store, translated_errors
from complaintctl.store.models import (
    CalendarSetting,
    Case,
    CaseAction,
    Cause,
    ClosedDay,
    Consumer,
    Deadline,
    Event,
    Incident,
    RefCounter,
    Response,
    Restriction,
    Staff,
    StoreSetting,
    SubjectAccessRequest,
)
from complaintctl.store.schema import create_schema, require_current, stored_revision
from complaintctl.store.types import details_of


def details_json(details: dict[str, Any]) -> str:
    """A history entry's details as stored: JSON, keys sorted, instants in ISO 8601."""
    return _DETAILS_ENCODER.encode(details)


def _json_value(value: Any) -> str:
    """Instants and dates in history details as ISO 8601 (instants in UTC)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


# One encoder for every entry: json.dumps with options builds a new one on each call, and an
# import writes an entry for each row.
_DETAILS_ENCODER = json.JSONEncoder(sort_keys=True, default=_json_value)


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        url: str,
        *,
        write: bool,
        create_at: datetime | None = None,
        origin: tuple[str, str] | None = None,
        snapshot: bool = False,
    ) -> None:
        """`create_at`: the store has no tables yet; this (writing) unit of work makes them,
        with the calendar as of then, in its own transaction, so that a command refused makes
        no store either. `origin`: the operating-system login and host running the command,
        noted in every history entry it records. `snapshot`: a reader that sees the store as
        it was when it began, whatever is committed meanwhile (SQLite's readers always do;
        on PostgreSQL a repeatable-read transaction), for reads that must agree with each
        other across many statements (`db verify`)."""
        if snapshot and not write:
            engine = engine.execution_options(complaintctl_snapshot=True)
        self._engine = engine.execution_options(complaintctl_write=True) if write else engine
        self._read_engine = engine
        self._url = url
        self._calendar: WorkingCalendar | None = None
        self._held = False
        self._create_at = create_at if write else None
        self.created = False  # this unit of work made the store's tables
        self.committed = False
        self.origin = origin
        # Clocks this unit of work started (by id()): no command has seen them yet. Each row
        # is held here too: the session holds a flushed row only weakly, and one let go would be
        # loaded again as another object (its id() no longer here) or its id() reused.
        self.clocks_started_here: dict[int, object] = {}
        # The version of each case the caller read before acting (bulk JSON input): a step
        # on a case that has moved on since is refused (services.steps._plan).
        self.seen_versions: dict[str, int] = {}
        # Ids and seals for the history entries this unit of work writes (store/chain.py).
        self._sealer: Sealer | None = None

    def __enter__(self) -> Self:
        self._errors = translated_errors(self._url)
        self._errors.__enter__()
        self.session = Session(self._engine, expire_on_commit=False)
        if self._create_at is not None:
            try:
                connection = self.session.connection()  # begins the transaction, with the lock
                # Another command may have made the store while this one waited for the lock.
                if stored_revision(connection) is None:
                    create_schema(connection, self._create_at)
                    self.created = True
            except BaseException as err:
                if not self.__exit__(type(err), err, err.__traceback__):
                    raise
        return self

    @classmethod
    @contextmanager
    def reading_within(
        cls, connection: Connection, origin: tuple[str, str] | None = None
    ) -> Iterator[UnitOfWork]:
        """A unit of work that reads inside `connection`'s transaction, and neither commits
        nor ends it: for `db upgrade`, which checks who it records as acting once the store
        is at this revision, in the upgrade's own transaction."""
        url = connection.engine.url.render_as_string(hide_password=False)
        uow = cls(connection.engine, url, write=False, origin=origin)
        uow.session = Session(bind=connection)
        try:
            yield uow
        finally:
            uow.session.close()

    def require_current(self) -> None:
        """Refuse the store, in this transaction, if it is no longer at this program's schema
        revision: a program that stays open all day (the live view) checked it once, as it
        opened the store, and a newer complaintctl may have run `db upgrade` since; nothing
        is then read from or written to it, as a command started now would refuse it."""
        revision = stored_revision(self.session.connection())
        if revision is None:  # its tables gone
            raise no_store(describe(self._url))
        require_current(revision, describe(self._url))

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
        """End the transaction, keeping what it wrote, unless a batch holds commits.

        What the command reads afterwards (the view it prints) is read without the write
        lock: once the change is saved, another writer holding the lock must not turn it into
        a reported failure.
        """
        if self._held:
            # The kept facts of the cases it touched are replayed once, at the batch's commit
            # (a few hundred cases a statement), not at each verb's.
            self._save_chain(replay_facts=False)
            self.session.flush()
        else:
            self._commit_and_read_on()

    def _commit_and_read_on(self) -> None:
        # A unit of work writes once: a second commit would write without the write lock.
        if self.session.bind is not self._engine:
            raise RuntimeError("this unit of work has committed already")
        self._save_chain()
        self.session.commit()
        self._sealer = None
        self.committed = True
        self.session.bind = self._read_engine

    @contextmanager
    def holding_commits(self) -> Iterator[None]:
        """For a batch: the verbs' commits only flush, so the batch commits (or not) once."""
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def commit_held(self) -> None:
        """Commit what a batch held: a failure raised as the store's error (StoreUnavailable)
        here, so that a caller who has already let something out (a letter on stdout) can say
        so."""
        with translated_errors(self._url):
            self._commit_and_read_on()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo just this part of the transaction if it raises."""
        state = self._sealer.state() if self._sealer else None
        try:
            with self.session.begin_nested():
                yield
        except BaseException:
            if self._sealer is not None:
                if state is None:
                    self._sealer = None  # read again: what it read is undone too
                else:
                    self._sealer.restore(state)
            raise

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
        login, host = self.origin or (None, None)
        fields: dict[str, Any] = {
            "case_id": case.id if case else None,
            "action": action,
            "actor": by,
            "at": at,
            "recorded_at": now,
            "details": details_json(details),
            "login": login,
            "host": host,
        }
        entry_id, sealed, salts = self.sealer().seal(fields)
        event = Event(id=entry_id, digest=sealed.digest, chain=sealed.chain, salts=salts, **fields)
        self.session.add(event)
        return event

    def sealer(self) -> Sealer:
        """The ids and seals of the history entries this transaction writes, in turn: every
        path that writes an entry takes them from here (store/chain.py)."""
        if self._sealer is None:
            self._sealer = Sealer(self.session.connection(), facts.touched(self.session))
        return self._sealer

    def _save_chain(self, *, replay_facts: bool = True) -> None:
        """Before the transaction commits: the kept facts of every case whose history it
        wrote or rewrote replayed again (the one place they are kept: store/facts.py), then
        the chain's head written back."""
        cases = facts.touched(self.session)
        if cases and replay_facts:
            self.session.flush()
            facts.refresh(self.session.connection(), cases)
            cases.clear()
        if self._sealer is not None:
            self._sealer.save()

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

    def consumers_by_name_and_address(self, key: tuple[str, str]) -> list[Consumer]:
        """The consumers whose name and address have these matching forms
        (domain.intake.consumer_key), oldest first: more than one only where a store holds
        the same person twice from before matching was by that form. Compared here rather than
        in SQL, which has no portable NFKC or case folding: each consumer with an address is
        read, their name and address only. Never one whose details were removed: their name and
        address are the removal's marker, which a new complaint giving it must not reach (and
        fill in again)."""
        name, address = key
        rows = self.session.connection().execute(
            select(col(Consumer.id), col(Consumer.name), col(Consumer.address))
            .where(col(Consumer.address).is_not(None), col(Consumer.anonymised_at).is_(None))
            .order_by(col(Consumer.id))
        )
        ids = [
            consumer_id
            for consumer_id, stored_name, stored_address in rows
            if matching_form(stored_address) == address and matching_form(stored_name) == name
        ]
        return [self.consumer(consumer_id) for consumer_id in ids if consumer_id is not None]

    def consumers_matching(self, key: str | tuple[str, str]) -> list[Consumer]:
        """The consumers a complaint is from (domain.intake.consumer_key), the one it is
        recorded on first: by email, else by name and address (every one of those)."""
        if isinstance(key, str):
            found = self.consumer_by_email(key)
            return [found] if found is not None else []
        return self.consumers_by_name_and_address(key)

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

    def open_deadlines_due_from(self, at: datetime) -> Sequence[Deadline]:
        """Clocks still running and not breached at `at` (one due at `at` is not breached yet,
        as `overdue` judges it): those a calendar change may move."""
        return self.session.exec(
            select(Deadline)
            .where(col(Deadline.ended_at).is_(None), col(Deadline.due_at) >= at)
            .order_by(col(Deadline.id))
        ).all()

    def case_by_id(self, case_id: int) -> Case:
        return self.session.get_one(Case, case_id)

    def responses(self, case: Case) -> Sequence[Response]:
        return self.session.exec(
            select(Response).where(Response.case_id == case.id).order_by(col(Response.id))
        ).all()

    def open_cases_of(self, consumer: Consumer) -> Sequence[Case]:
        from complaintctl.domain.procedure import Stage

        ended = (Stage.CLOSED.value, Stage.ASSESSED.value)
        return self.session.exec(
            select(Case)
            .where(Case.consumer_id == consumer.id, col(Case.stage).not_in(ended))
            .order_by(col(Case.id))
        ).all()

    def consumer_or_none(self, consumer_id: int) -> Consumer | None:
        return self.session.get(Consumer, consumer_id)

    def incidents_of(self, consumer: Consumer) -> list[tuple[str | None, str, str, datetime]]:
        """(case ref, note, recorded by, at) of each incident recorded against the consumer."""
        rows = self.session.exec(
            select(Incident, Case.ref)
            .join(Case, col(Case.id) == col(Incident.case_id), isouter=True)
            .where(Incident.consumer_id == consumer.id)
            .order_by(col(Incident.id))
        ).all()
        return [(ref, i.note, i.recorded_by, i.at) for i, ref in rows]

    # -- staff and restrictions --------------------------------------------------------------

    def staff(self, username: str) -> Staff | None:
        """The member of staff with this username: as typed, else as usernames are kept
        (lower case, compatibility forms folded; a store from before kept them as typed)."""
        from complaintctl.errors import InvalidInput
        from complaintctl.text import normalise_username

        try:
            normalised = normalise_username(username)
        except InvalidInput:
            normalised = None
        if normalised is None and not username.isprintable():
            # Half a character (a byte that is not UTF-8), a control: no username holds one,
            # and a store may not take it even to look it up.
            return None
        found = self.session.get(Staff, username)
        if found is not None or normalised is None:
            return found
        return self.session.get(Staff, normalised) if normalised != username else None

    def usernames(self) -> list[str]:
        return list(self.session.exec(select(Staff.username)).all())

    def staff_count(self) -> int:
        return len(self.session.exec(select(Staff.username).limit(1)).all())

    def staff_areas(self) -> list[str]:
        """The areas active staff work in."""
        rows = self.session.exec(
            select(Staff.area).where(col(Staff.active), col(Staff.area).is_not(None)).distinct()
        ).all()
        return [area for area in rows if area]

    def case_areas(self, stages: Sequence[str] | None = None) -> list[str]:
        """Each spelling of an area cases (at `stages`, else any) are routed to, once: a few
        rows, however many cases (compared with an --area in Python, `area_key`, since
        SQLite's lower() folds ASCII letters only and PostgreSQL's follows the database's
        locale)."""
        statement = select(Case.area).where(col(Case.area).is_not(None))
        if stages is not None:
            statement = statement.where(col(Case.stage).in_(stages))
        return [area for area in self.session.exec(statement.distinct()).all() if area]

    def all_staff(self) -> Sequence[Staff]:
        """Every member of staff, by username as Python orders text (by code point, as SQLite
        does): never as the database sorts it, which on PostgreSQL follows its locale."""
        return sorted(self.session.exec(select(Staff)).all(), key=lambda s: s.username)

    def database_role(self) -> str | None:
        """The PostgreSQL role this transaction runs as (`current_user`); None on SQLite."""
        if self.session.get_bind().dialect.name != "postgresql":
            return None
        return self.session.connection().execute(select(func.current_user())).scalar_one()

    def database_roles_among(self, names: Sequence[str]) -> set[str]:
        """Which of `names` are roles of this PostgreSQL server, as spelt; none on SQLite."""
        if self.session.get_bind().dialect.name != "postgresql":
            return set()
        query = text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)")
        return set(self.session.connection().execute(query, {"names": list(names)}).scalars())

    def staff_bound(
        self, *, db_role: str | None = None, os_login: str | None = None
    ) -> Staff | None:
        """The member of staff bound to this database role, or to this operating-system login."""
        if db_role is not None:
            return self.session.exec(select(Staff).where(Staff.db_role == db_role)).first()
        return self.session.exec(select(Staff).where(Staff.os_login == os_login)).first()

    def setting(self, key: str) -> StoreSetting | None:
        return self.session.get(StoreSetting, key)

    def restrictions_of(self, consumer: Consumer, *, lifted: bool = False) -> Sequence[Restriction]:
        """The consumer's restrictions in force (not lifted); with `lifted`, lifted ones too."""
        statement = select(Restriction).where(Restriction.consumer_id == consumer.id)
        if not lifted:
            statement = statement.where(col(Restriction.lifted_at).is_(None))
        return self.session.exec(statement.order_by(col(Restriction.id))).all()

    def restriction(self, restriction_id: int) -> Restriction | None:
        return self.session.get(Restriction, restriction_id)

    def all_restrictions(self) -> Sequence[Restriction]:
        return self.session.exec(select(Restriction).order_by(col(Restriction.id))).all()

    def restrictions_via(self, username: str) -> Sequence[int]:
        """The ids of the restrictions in force that route a consumer's contact through the
        member (`--via`), oldest first."""
        ids = self.session.exec(
            select(Restriction.id)
            .where(Restriction.contact_via == username, col(Restriction.lifted_at).is_(None))
            .order_by(col(Restriction.id))
        ).all()
        return [number for number in ids if number is not None]

    def restriction_clocks(self, restriction: Restriction) -> Sequence[Deadline]:
        """The restriction's review clocks, oldest first (earlier ones ended at each review)."""
        return self.session.exec(
            select(Deadline)
            .where(Deadline.restriction_id == restriction.id)
            .order_by(col(Deadline.id))
        ).all()

    # -- causes and actions ------------------------------------------------------------------

    def causes(self) -> Sequence[Cause]:
        """The list of causes, by name by code point (as `all_staff`, whatever the locale)."""
        return sorted(self.session.exec(select(Cause)).all(), key=lambda c: c.name)

    def cause(self, name: str) -> Cause | None:
        return self.session.get(Cause, name)

    def action(self, action_id: int) -> CaseAction | None:
        return self.session.get(CaseAction, action_id)

    def actions_of(self, case: Case, *, open_only: bool = True) -> Sequence[CaseAction]:
        """The case's actions, oldest first: those still open, or all of them."""
        statement = select(CaseAction).where(CaseAction.case_id == case.id)
        if open_only:
            statement = statement.where(col(CaseAction.done_at).is_(None))
        return self.session.exec(statement.order_by(col(CaseAction.id))).all()

    def action_clocks(self, action: CaseAction) -> Sequence[Deadline]:
        return self.session.exec(
            select(Deadline).where(Deadline.action_id == action.id).order_by(col(Deadline.id))
        ).all()

    # -- subject-access requests --------------------------------------------------------------

    def subject_access_request(self, sar_id: int) -> SubjectAccessRequest | None:
        return self.session.get(SubjectAccessRequest, sar_id)

    def subject_access_requests(self, *, open_only: bool) -> Sequence[SubjectAccessRequest]:
        """Requests soonest due first (with `open_only`, those not yet answered)."""
        statement = select(SubjectAccessRequest)
        if open_only:
            statement = statement.where(col(SubjectAccessRequest.done_at).is_(None))
        return self.session.exec(
            statement.order_by(col(SubjectAccessRequest.due_at), col(SubjectAccessRequest.id))
        ).all()

    def requests_of(self, consumer: Consumer) -> Sequence[SubjectAccessRequest]:
        """A consumer's subject-access requests, oldest first."""
        return self.session.exec(
            select(SubjectAccessRequest)
            .where(col(SubjectAccessRequest.consumer_id) == consumer.id)
            .order_by(col(SubjectAccessRequest.received_at), col(SubjectAccessRequest.id))
        ).all()

    def request_answered_by(self, entry_id: int) -> int | None:
        """The subject-access request an export (its history entry) answered, if any."""
        return self.session.exec(
            select(SubjectAccessRequest.id).where(SubjectAccessRequest.export_event_id == entry_id)
        ).first()

    def subject_access_clock(self, request: SubjectAccessRequest) -> Deadline | None:
        """The request's running clock (None once answered)."""
        return self.session.exec(
            select(Deadline).where(Deadline.sar_id == request.id, col(Deadline.ended_at).is_(None))
        ).first()

    def entry(self, entry_id: int) -> Event | None:
        """One history entry by its id."""
        return self.session.get(Event, entry_id)

    def entries_of(self, action: str) -> Sequence[Event]:
        """The history entries of one action that is not a step on a case, in id order."""
        return self.session.exec(
            select(Event)
            .where(Event.action == action, col(Event.case_id).is_(None))
            .order_by(col(Event.id))
        ).all()

    def calendar_changes(
        self, first: datetime, last: datetime, *, after: bool = False
    ) -> list[tuple[str, datetime, dict[str, Any]]]:
        """The calendar's changes (domain.procedure.CALENDAR_CHANGES) recorded from `first`
        (or, `after`, after it) to `last`, both included: each one's action, when it was
        recorded and its details, in the order they were recorded."""
        recorded = col(Event.recorded_at)
        rows = self.session.exec(
            select(col(Event.action), recorded, col(Event.details))
            .where(
                col(Event.case_id).is_(None),
                col(Event.action).in_(sorted(CALENDAR_CHANGES)),
                recorded > first if after else recorded >= first,
                recorded <= last,
            )
            .order_by(col(Event.id))
        ).all()
        return [(action, when, details_of(details)) for action, when, details in rows]

    # -- calendar ----------------------------------------------------------------------------

    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = stored_calendar.load_calendar(self.session)
        return self._calendar

    def zone(self) -> str:
        """The calendar's zone, without reading the closed days (for a command that counts no
        working time)."""
        if self._calendar is not None:
            return self._calendar.zone
        setting = select(col(CalendarSetting.zone)).where(col(CalendarSetting.id) == 1)
        return self.session.connection().execute(setting).scalar_one()

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

    def change_calendar(self, choice: CalendarChoice, at: datetime) -> tuple[date, date, str]:
        self._calendar = None
        return stored_calendar.change_calendar(self.session, choice, at)

    def replace_bank_holidays(self, years: range, at: datetime) -> tuple[date, date, str]:
        self._calendar = None
        return stored_calendar.replace_bank_holidays(self.session, years, at)

    def end_deadline(self, deadline: Deadline, *, at: datetime, outcome: str) -> None:
        deadline.ended_at, deadline.outcome = at, outcome
        self.session.add(deadline)
