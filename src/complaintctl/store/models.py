"""Tables. Instants are UTCDateTime; every timestamp is given by the command, never the database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
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
    preferred_contact: str | None = None
    adjustments: str = Field(default="[]", sa_type=Text)  # JSON list of reasonable adjustments
    created_at: datetime = _instant()
    # When their details were removed (retention or erasure, revision 0008): none while kept.
    anonymised_at: datetime | None = _instant(nullable=True)


class Staff(SQLModel, table=True):
    """A named member of staff. Removing one deactivates them: history keeps the name."""

    __tablename__ = "staff"

    username: str = Field(primary_key=True)
    name: str
    role: str
    area: str | None = None
    active: bool = True
    added_by: str
    added_at: datetime = _instant()
    removed_at: datetime | None = _instant(nullable=True)
    # Who they are bound to (revision 0010): the PostgreSQL login role, or the operating-system
    # login (SQLite, once `db bind-logins` is on), that acts as them and as no one else.
    db_role: str | None = Field(default=None, unique=True, index=True)
    os_login: str | None = Field(default=None, unique=True, index=True)


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
    about: date | None = None  # when the service issue happened
    out_of_time: bool = False  # more than 6 months before receipt: for triage [sibling]
    responder: str | None = None  # assigned for the first stage
    first_responder: str | None = None  # who gave the first-stage response
    handler: str | None = None  # the second-stage handler
    close_reason: str | None = None
    # The id the web form or mailbox gave it, so a re-import finds it again.
    source_id: str | None = Field(default=None, index=True)
    logged_by: str
    logged_at: datetime = _instant()
    # One more with every step on the case: a script that read version N and acts with N finds
    # out if someone else stepped in between (schema revision 0002).
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # When its personal data was removed (retention or erasure, revision 0008).
    anonymised_at: datetime | None = _instant(nullable=True)


class Response(SQLModel, table=True):
    """A first-stage or final response: its decision, reasons and remedies [std]."""

    __tablename__ = "response"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="complaint.id", index=True)
    stage: str  # "first" or "final"
    decision: str
    summary: str = Field(sa_type=Text)
    remedies: str = Field(default="[]", sa_type=Text)  # JSON list
    goodwill_pence: int | None = None
    given_by: str
    given_at: datetime = _instant()
    # What went wrong, from the list of causes (schema revision 0007): a JSON list of names.
    causes: str = Field(default="[]", sa_type=Text, sa_column_kwargs={"server_default": "[]"})


class Restriction(SQLModel, table=True):
    """A consumer restricted from (part of) the formal procedure [page], decided at senior level."""

    __tablename__ = "restriction"

    id: int | None = Field(default=None, primary_key=True)
    consumer_id: int = Field(foreign_key="consumer.id", index=True)
    scope: str  # procedure, same-matter, contact
    dispute_ref: str | None = None  # same-matter: the dispute
    contact_channel: str | None = None  # contact: the one channel allowed
    contact_via: str | None = None  # contact: the named officer
    reason: str = Field(sa_type=Text)
    decided_by: str
    decided_at: datetime = _instant()
    review_due: datetime = _instant()
    lifted_at: datetime | None = _instant(nullable=True)
    lifted_by: str | None = None
    lift_reason: str | None = None


class Incident(SQLModel, table=True):
    """Abusive contact towards staff [page], recorded against the consumer."""

    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    consumer_id: int = Field(foreign_key="consumer.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="complaint.id")
    note: str = Field(sa_type=Text)
    recorded_by: str
    at: datetime = _instant()


class Cause(SQLModel, table=True):
    """One of the causes a response may record (schema revision 0007): the defaults
    (domain/policy.DEFAULT_CAUSES) and those a senior added."""

    __tablename__ = "cause"

    name: str = Field(primary_key=True)
    words: str
    added_by: str
    added_at: datetime = _instant()


class CaseAction(SQLModel, table=True):
    """A remedy owed to a case's consumer or an improvement it revealed (schema revision
    0007): its owner, its due (a clock of kind "action" on the deadline table), and when it
    was done. Called "case_action": "action" is a word in SQL's grammar."""

    __tablename__ = "case_action"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str  # remedy or improvement
    what: str = Field(sa_type=Text)
    owner: str
    due_at: datetime = _instant()
    opened_by: str
    opened_at: datetime = _instant()
    done_at: datetime | None = _instant(nullable=True)
    done_by: str | None = None
    note: str | None = Field(default=None, sa_type=Text)


class SubjectAccessRequest(SQLModel, table=True):
    """A person's request for everything held about them (UK GDPR): due one calendar month
    after receipt by the ICO's rule, extendable once by up to two months (revision 0009)."""

    __tablename__ = "subject_access_request"

    id: int | None = Field(default=None, primary_key=True)
    consumer_id: int = Field(foreign_key="consumer.id", index=True)
    received_at: datetime = _instant()
    due_at: datetime = _instant()  # the end of the due date, extended or not
    extended_months: int = 0  # 0, or the one extension's 1 or 2
    extend_reason: str | None = Field(default=None, sa_type=Text)
    extended_by: str | None = None
    extended_at: datetime | None = _instant(nullable=True)
    opened_by: str
    opened_at: datetime = _instant()
    done_by: str | None = None
    done_at: datetime | None = _instant(nullable=True)
    export_event_id: int | None = Field(default=None, foreign_key="event.id")  # the export sent
    on_time: bool | None = None  # answered by its due; None while open


class Deadline(SQLModel, table=True):
    """One clock on a case (or a restriction, or an action): when it started, when it is
    due, and how it ended."""

    __tablename__ = "deadline"
    # Serves `overdue`: open clocks (ended_at IS NULL) in due order, without scanning history.
    __table_args__ = (Index("ix_deadline_open_due", "ended_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # A case's clock, or a restriction's review.
    case_id: int | None = Field(default=None, foreign_key="complaint.id", index=True)
    restriction_id: int | None = Field(default=None, foreign_key="restriction.id", index=True)
    # An action's due (schema revision 0007): the action's clock, not its case's.
    action_id: int | None = Field(default=None, foreign_key="case_action.id", index=True)
    # A subject-access request's month (revision 0009).
    sar_id: int | None = Field(default=None, foreign_key="subject_access_request.id", index=True)
    kind: str
    start_at: datetime = _instant()
    due_at: datetime = _instant()
    amount: int
    unit: str  # working-hours, working-days, months, or agreed (an extension's fixed date)
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
    # The operating-system login and machine that ran the command (schema revision 0003): on
    # SQLite, `actor` (--as) is what the command said; these are what the system said.
    login: str | None = None
    host: str | None = None
    # The entry's seal (schema revision 0006, domain/chain.py): the SHA-256 of its canonical
    # encoding, and its link in the one chain over every entry in id order. Set by
    # store/chain.py as the entry is written, never afterwards.
    digest: str
    chain: str
    # The salts its values that may be personal were sealed with (schema revision 0011): JSON,
    # a salt by details key; a removed value's salt is removed with it. None before 0011.
    salts: str | None = Field(default=None, sa_type=Text)


class ChainHead(SQLModel, table=True):
    """The end of the history's chain (schema revision 0006): its one row is updated in the
    transaction that appends entries, so writers extend the chain one at a time, in id order."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    last_id: int  # the last entry sealed (0 before the first)
    entries: int  # how many entries the chain holds
    chain: str  # the last entry's link (domain.chain.GENESIS before the first)


class RetentionPolicy(SQLModel, table=True):
    """A retention policy a senior set (revision 0008): the newest row is in force; none means
    the default (domain/retention.py). Rows are never changed: the history of policies."""

    __tablename__ = "retention_policy"

    id: int | None = Field(default=None, primary_key=True)  # the policy's number
    years: int  # personal data removed this many years after a case's procedure ended
    reason: str = Field(sa_type=Text)
    set_by: str
    set_at: datetime = _instant()


class LegalHold(SQLModel, table=True):
    """A legal hold (revision 0008) on a case or on a consumer: held data is never removed."""

    __tablename__ = "legal_hold"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="complaint.id")
    consumer_id: int | None = Field(default=None, foreign_key="consumer.id")
    reason: str = Field(sa_type=Text)
    added_by: str
    added_at: datetime = _instant()
    lifted_by: str | None = None
    lifted_at: datetime | None = _instant(nullable=True)
    lift_reason: str | None = Field(default=None, sa_type=Text)


class StoreSetting(SQLModel, table=True):
    """A setting of the store itself, and who set it when (revision 0010): whether every
    database role must be bound to a member of staff, whether operating-system logins are."""

    __tablename__ = "store_setting"

    key: str = Field(primary_key=True)
    value: str
    set_by: str
    set_at: datetime = _instant()


class RefCounter(SQLModel, table=True):
    """The last reference number issued for each year: SC-2026-000123."""

    __tablename__ = "ref_counter"

    year: int = Field(primary_key=True)
    last: int = 0


# -- kept facts (revision 0012) ---------------------------------------------------------------
# Each case's facts as the figures count them (domain/figures.CaseFacts), as a replay of its
# whole history gives them, kept as its history is written (store/facts.py; ARCHITECTURE.md,
# "Kept facts"). Plain columns, so that SQL can count over them on SQLite and PostgreSQL alike.
# Core tables rather than models: nothing reads them as objects, and a clock's eight columns
# are made the same way for each of its four kinds.

# The clocks a case can have (domain/clocks.DeadlineKind values), by their columns' prefix.
FACT_CLOCKS = (
    ("ack", "acknowledge"),
    ("respond", "respond"),
    ("final", "final"),
    ("referral", "referral-window"),
)
# A clock's columns (domain/figures.Clock's fields), each prefixed as above.
CLOCK_COLUMNS = (
    ("start", UTCDateTime),
    ("due", UTCDateTime),
    ("rule_due", UTCDateTime),
    ("recorded_at", UTCDateTime),
    ("extended", Boolean),
    ("met_at", UTCDateTime),
    ("on_time", Boolean),
    ("cancelled_at", UTCDateTime),
)

# The report's counts over the kept facts (store/figure_counts), each statement by its window's
# column, read from an index that holds every column it reads (its window's first; the cutoff's
# `recorded_to` for a period past): a year of 100,000 cases' counts without reading the table.
_CLOCK_STATE = ("start", "due", "rule_due", "extended", "met_at", "on_time", "cancelled_at")
_OWED = ("due", "met_at", "cancelled_at")
FACT_INDEXES: dict[str, tuple[str, ...]] = {
    # Received and acknowledgements, by receipt.
    "ix_case_fact_received": (
        "received_at", "recorded_to", "channel", "category", "board", "out_of_time", "stage",
        "close_reason", "close_because", *(f"ack_{name}" for name in _CLOCK_STATE),
        "acknowledged_at", "case_id",
    ),
    # First-stage and final response deadlines, by when they fall due.
    **{
        f"ix_case_fact_{prefix}_due": (
            f"{prefix}_due", "recorded_to", *(f"{prefix}_{name}" for name in _CLOCK_STATE
                                              if name != "due"), "case_id",
        )
        for prefix in ("respond", "final")
    },
    # The backlog, by stage: its clocks owed and its receipt.
    "ix_case_fact_stage": (
        "stage", "recorded_to", "received_at",
        *(f"{prefix}_{name}" for prefix in ("ack", "respond", "final") for name in _OWED),
        "case_id",
    ),
    # The cases with an entry recorded after a report's cutoff: replayed, not read kept.
    "ix_case_fact_recorded_to": ("recorded_to",),
}  # fmt: skip
ITEM_INDEXES: dict[str, tuple[str, ...]] = {
    # Each kind of item by its date, with what its counts and working times read.
    "ix_case_fact_item_kind_at": (
        "kind", "at", "word", "pence", "flag", "number", "since", "case_id",
    ),
}  # fmt: skip

case_fact = Table(
    "case_fact",
    SQLModel.metadata,
    Column("case_id", Integer, ForeignKey("complaint.id"), primary_key=True, autoincrement=False),
    # The latest recorded_at of the entries the facts are replayed from: they are the case's
    # facts at any cutoff from then on.
    Column("recorded_to", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("channel", String, nullable=False),
    Column("category", String, nullable=False),
    Column("board", Boolean, nullable=False),
    Column("out_of_time", Boolean, nullable=False),
    Column("area", String, nullable=True),
    Column("stage", String, nullable=False),
    Column("close_reason", String, nullable=True),
    Column("close_because", Text, nullable=True),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    *(
        Column(f"{prefix}_{name}", kind, nullable=True)
        for prefix, _ in FACT_CLOCKS
        for name, kind in CLOCK_COLUMNS
    ),
    *(Index(name, *columns) for name, columns in FACT_INDEXES.items()),
)

case_fact_item = Table(
    "case_fact_item",
    SQLModel.metadata,
    Column("case_id", Integer, ForeignKey("complaint.id"), primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the order replay made them
    # first, final, remedy, cause, escalated, incident, referral, assessed, action
    Column("kind", String, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("word", Text, nullable=True),  # a decision, an outcome, a remedy's or cause's name
    # a first-stage response's escalated since, a referral's late, an action's on time
    Column("flag", Boolean, nullable=True),
    Column("pence", Integer, nullable=True),  # a response's goodwill
    Column("number", Integer, nullable=True),  # an action's id; a remedy's or cause's response
    Column("due", UTCDateTime, nullable=True),  # an action's due
    Column("done_at", UTCDateTime, nullable=True),  # when an action was done
    # Where a response's working time starts (revision 0013): the case's acknowledgement for a
    # first-stage one, its latest escalation by then for a final one.
    Column("since", UTCDateTime, nullable=True),
    *(Index(name, *columns) for name, columns in ITEM_INDEXES.items()),
)
