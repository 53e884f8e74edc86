"""The steps on a case after it is logged, from the acknowledgement to the Assessor's outcome.

A step is taken on one case or on many in the same way: each case is read once (a snapshot:
its row, its running clocks, when its last step happened), checked, and planned (its next
stage and version, what happens to its clocks as domain/clocks.py says, the rows it adds, its
history entry); then every plan is written with plain statements, in one transaction, and
the cases read back. A refused case writes nothing; in a batch, one refusal means no case is
written unless the caller continues on error. `at` is when the step happened (the command's
--at, else now); `now` is the clock reading the command took once, kept as when the record
was written.

Each verb is a spec: its inputs, checked once for the whole command (`inputs`), and what it
does to one case once the checks every step makes have passed (`plan`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from complaintctl import text
from complaintctl.domain import policy
from complaintctl.domain.calendar import WorkingCalendar, format_due
from complaintctl.domain.clocks import (
    AGREED,
    CANCELLED,
    Agreed,
    ClockPlan,
    DeadlineKind,
    Running,
    Start,
    clock_to_move,
    plan_clocks,
)
from complaintctl.domain.instants import format_apart, format_local
from complaintctl.domain.intake import normalise_dispute, normalise_email
from complaintctl.domain.procedure import (
    CLOSE_REASONS,
    ENDED_STAGES,
    SECOND_STAGE_ROLES,
    SENIOR_ROLES,
    STEP_ACTIONS,
    WHERE_INSTEAD,
    Action,
    ActionKind,
    Actor,
    AssessorOutcome,
    Channel,
    CloseReason,
    Decision,
    Direction,
    OutOfScope,
    Remedy,
    Role,
    Stage,
    area_key,
    close_reason_kept,
    reaches_back,
    same_area,
    stage_before_close,
)
from complaintctl.domain.retention import PERSONAL_CHANGES, PERSONAL_EDITS
from complaintctl.errors import (
    ActionNotAllowed,
    CaseChanged,
    ComplaintError,
    InvalidInput,
    NotPermitted,
)
from complaintctl.services.common import (
    EVERY_ENTRY,
    CaseFacts,
    acting_staff,
    active_staff,
    area_spellings,
    authorise,
    case_views,
    collecting_only_the_batch,
    describe_state,
    judged_at,
    looks_like_ref,
    missing_case,
    named_staff,
    not_before_receipt,
    not_in_future,
    optional,
    required,
    stage_after,
)
from complaintctl.views import CaseView, StepLine, Stepped

if TYPE_CHECKING:
    from complaintctl.store.bulk import CaseRow
    from complaintctl.store.models import Consumer, Staff
    from complaintctl.store.uow import UnitOfWork

# Pounds as written in the UK: `1250`, `1,250` or `1,250.50` (commas only between groups of
# three: `49,99` may mean 49.99 where a comma is the decimal point, so it is refused).
_POUNDS = re.compile(r"([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]{1,2})?", re.ASCII)
# A goodwill payment larger than this is a typing mistake, not a remedy [ours].
MAX_GOODWILL_PENCE = 100_000 * 100


# Pounds and pence with a decimal comma (12,50 or 1,5), as much of Europe writes them.
_DECIMAL_COMMA = re.compile(r"([0-9]{1,6}),([0-9]{1,2})", re.ASCII)


def _comma_misplaced(typed: str) -> str:
    """Where an amount has a comma that is not between thousands, where commas and pence go;
    for a decimal comma, the amount it would mean written as ours (never read as it)."""
    if "," not in typed:
        return ""
    how = ": a comma goes only between groups of three digits (1,250.50), and pence after a point"
    decimal = _DECIMAL_COMMA.fullmatch(typed)
    if decimal is None:
        return how
    pounds, pence = int(decimal[1]), decimal[2].ljust(2, "0")
    return f"{how}; for £{pounds:,}.{pence}, write {pounds}.{pence}"


@dataclass(frozen=True)
class Remedies:
    """What a response offers: remedies by name, and a goodwill payment's amount."""

    kinds: tuple[Remedy, ...] = ()
    goodwill: str | None = None  # pounds, as typed: "50", "49.99"

    def pence(self) -> int | None:
        if self.goodwill is None:
            if Remedy.GOODWILL_PAYMENT in self.kinds:
                raise InvalidInput("a goodwill payment needs its amount: --goodwill POUNDS")
            return None
        # One pound sign, before the amount, may be typed; a second ("££12") or one after it
        # is a slip, refused rather than read as £12.
        typed = self.goodwill.strip().removeprefix("£")
        shown = text.quoted(self.goodwill)  # cut short: a refusal stays one readable line
        if not _POUNDS.fullmatch(typed):
            how = (
                ": write the £ once, before the amount, or not at all"
                if "£" in typed
                else _comma_misplaced(typed)
            )
            raise InvalidInput(
                f"--goodwill {shown} must be a positive amount in pounds and pence, "
                f"e.g. 50, 49.99 or 1,250{how}"
            )
        pence = int(Decimal(typed.replace(",", "")) * 100)
        if not 0 < pence <= MAX_GOODWILL_PENCE:
            raise InvalidInput(
                f"--goodwill {shown} must be more than £0 and at most "
                f"£{MAX_GOODWILL_PENCE // 100:,}"
            )
        return pence

    def names(self) -> list[str]:
        kinds = set(self.kinds)
        if self.goodwill is not None:
            kinds.add(Remedy.GOODWILL_PAYMENT)
        return [r.value for r in Remedy if r in kinds]


# -- taking a step ----------------------------------------------------------------------------


@dataclass
class Taking:
    """One command taking a step: who, when, on what calendar, and what it looked up once."""

    uow: UnitOfWork
    actor: Actor
    at: datetime
    now: datetime
    calendar: WorkingCalendar
    _staff: dict[str, Staff | ComplaintError] = field(default_factory=dict)
    _areas: dict[str, str] | None = None
    _causes: list[str] | None = None

    @property
    def by(self) -> str:
        return self.actor.username

    def staff(self, username: str) -> Staff:
        """A member of staff named in an option: looked up once, refused alike for each case."""
        if username not in self._staff:
            try:
                self._staff[username] = active_staff(self.uow, username)
            except ComplaintError as err:
                self._staff[username] = err
        found = self._staff[username]
        if isinstance(found, ComplaintError):
            raise found
        return found

    def known_causes(self, names: Sequence[str]) -> list[str]:
        """The causes named, as the store's list has them (looked up once), or a refusal."""
        from complaintctl.services.lessons import known_causes

        if not names:
            return []
        if self._causes is None:
            self._causes = [cause.name for cause in self.uow.causes()]
        return known_causes(names, self._causes)

    def known_area(self, area: str) -> str:
        """The area as staff records spell it: one that active staff work in.

        A misspelt area would leave the case with nobody who can be assigned to it; so would
        any area while no member of staff has one.
        """
        if self._areas is None:
            self._areas = area_spellings(self.uow.staff_areas())
        if not self._areas:
            raise InvalidInput(
                f"no staff work in {area!r}: no member of staff has an area yet "
                "(give one with `complaintctl staff role USERNAME --role ROLE --area AREA`)"
            )
        if area_key(area) not in self._areas:
            known = ", ".join(sorted(self._areas.values()))
            raise InvalidInput(f"no staff work in {area!r}; the areas are {known}")
        return self._areas[area_key(area)]


@dataclass
class Plan:
    """What a step does to one case, ready to be written."""

    case: CaseRow
    action: Action
    leads_to: Stage
    details: dict[str, Any]  # what the history entry records
    changes: dict[str, Any] = field(default_factory=dict)  # the case's columns it sets
    clocks: ClockPlan = ClockPlan()
    moved: tuple[Running, Agreed] | None = None  # a clock given a date agreed instead
    response: dict[str, Any] | None = None  # a first or final response's row
    # Actions the step opens (a goodwill payment's "pay"): each row's columns and its clock.
    opens: tuple[tuple[dict[str, Any], Start], ...] = ()
    incident: str | None = None  # an incident's note
    warnings: tuple[str, ...] = ()  # what the step's view warns of besides a late clock
    consumer_changes: dict[str, Any] = field(default_factory=dict)  # the consumer's columns
    # The deadlines it sets and the instants they are counted from: a day of either outside the
    # known bank holidays (counting from before them, or to after them) warns that one may be
    # missing.
    counted_between: tuple[datetime, ...] = ()
    # A date it agrees (an extension's --until): not counted on the calendar, so it stands
    # whatever the bank holidays; only the working time left before it counts them.
    agreed_dates: tuple[datetime, ...] = ()
    # A step of the procedure moves the case to its next version; an incident does not.
    versioned: bool = True

    @property
    def version_after(self) -> int:
        """The case's version once the plan is written."""
        return self.case.version + 1 if self.versioned else self.case.version


class Spec:
    """A verb's own part of a step: its inputs, checked once; its plan for one case."""

    action: ClassVar[Action]
    # A step of the procedure: checked for the version, who may, the stage and the order.
    procedure_step: ClassVar[bool] = True

    def inputs(self) -> None:
        """Check what was typed, before any case is looked at."""

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        raise NotImplementedError


@dataclass(frozen=True)
class StepResult:
    # The cases that took the step (or would, on a dry run): whole, or each as its line.
    done: tuple[Stepped, ...]
    refused: tuple[tuple[str, ComplaintError], ...]  # each refused reference, and why
    applied: bool  # whether `done` was written
    dry_run: bool


def take_step(
    uow: UnitOfWork, ref: str, spec: Spec, *, by: str, at: datetime, now: datetime
) -> CaseView:
    """Take the step on one case, committed; a refusal raises and writes nothing."""
    result = take_steps(
        uow, [ref], spec, by=by, at=at, now=now, continue_on_error=False, dry_run=False
    )
    if result.refused:
        raise result.refused[0][1]
    (view,) = result.done
    assert isinstance(view, CaseView)  # read back whole
    return view


@collecting_only_the_batch()
def take_steps(
    uow: UnitOfWork,
    refs: Sequence[str],
    spec: Spec,
    *,
    by: str,
    at: datetime,
    now: datetime,
    continue_on_error: bool,
    dry_run: bool,
    full_views: bool = True,
) -> StepResult:
    """Take the step on every case in one transaction, listing every refusal. Unless
    `continue_on_error`, one refusal means nothing is written; a dry run never writes (its
    views are read in the transaction, then rolled back). `full_views`: each case read back
    whole; else each as the line saying what was done needs it."""
    from complaintctl.store.bulk import case_rows

    cases = case_rows(uow, [ref for ref in refs if looks_like_ref(ref)])
    taking: Taking | None = None
    command_error: ComplaintError | None = None
    try:
        # What every case is refused for alike, in the order a single step checks it.
        not_in_future(at, now, uow)
        spec.inputs()
        taking = Taking(uow, acting_staff(uow, by), at, now, uow.calendar())
    except ComplaintError as err:
        command_error = err
    plans: list[Plan] = []
    refused: list[tuple[str, ComplaintError]] = []
    for ref in refs:
        try:
            if command_error is not None:
                raise command_error
            assert taking is not None
            case = cases.get(ref.strip().upper())
            if case is None:
                raise missing_case(ref)
            plans.append(_plan(taking, spec, case))
        except ComplaintError as err:
            refused.append((ref, err))
    applied = not dry_run and bool(plans) and (continue_on_error or not refused)
    if not plans:
        return StepResult((), tuple(refused), False, dry_run)
    # Written even where they will not be kept, so that each case can be read back as the
    # step would leave it; the transaction then ends without a commit.
    _write(uow, plans, by=by_of(taking), at=at, now=now)
    notes = {plan.case.id: _notes(taking, plan) for plan in plans}
    done: list[Stepped] = []
    if full_views:
        done += case_views(
            uow,
            [plan.case.id for plan in plans],
            as_of={plan.case.id: judged_at(at, now) for plan in plans},
            recorded_by=EVERY_ENTRY,
            notes=notes,
        )
    else:
        done += (_line(plan, notes[plan.case.id]) for plan in plans)
    if applied:
        uow.commit()
    return StepResult(tuple(done), tuple(refused), applied, dry_run)


def _write(uow: UnitOfWork, plans: list[Plan], *, by: str, at: datetime, now: datetime) -> None:
    """Every plan, with plain statements: each table's rows together."""
    from complaintctl.store import models
    from complaintctl.store.bulk import BulkWriter
    from complaintctl.store.uow import details_json

    writer = BulkWriter(uow)
    # The cases: each set of columns changed, together.
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for plan in plans:
        changes = {**plan.changes, "stage": plan.leads_to.value}
        if plan.versioned:
            changes["version"] = plan.version_after
        names = tuple(sorted(changes))
        by_columns.setdefault(names, []).append((plan.case.id, *(changes[n] for n in names)))
    for names, rows in by_columns.items():
        writer.update_by_id(models.Case, names, rows)
    by_columns = {}
    for plan in plans:
        if plan.consumer_changes:
            names = tuple(sorted(plan.consumer_changes))
            row = (plan.case.consumer_id, *(plan.consumer_changes[n] for n in names))
            by_columns.setdefault(names, []).append(row)
    for names, rows in by_columns.items():
        writer.update_by_id(models.Consumer, names, rows)
    ends = [(c.id, ended, outcome) for p in plans for c, ended, outcome in p.clocks.ends]
    writer.update_by_id(models.Deadline, ("ended_at", "outcome"), ends)
    moved = [
        (clock.id, agreed.due, AGREED, 0, agreed.rule)
        for plan in plans
        if plan.moved is not None
        for clock, agreed in [plan.moved]
    ]
    writer.update_by_id(models.Deadline, ("due_at", "unit", "amount", "rule"), moved)
    writer.insert_values(
        models.Deadline,
        ("case_id", "kind", "start_at", "due_at", "amount", "unit", "rule"),
        [
            (p.case.id, s.kind.value, s.start_at, s.due_at, s.amount, s.unit, s.rule)
            for p in plans
            for s in p.clocks.starts
        ],
        {"restriction_id": None, "ended_at": None, "outcome": None},
    )
    writer.insert_values(
        models.Response,
        ("case_id", "stage", "decision", "summary", "remedies", "goodwill_pence", "causes"),
        [
            (
                p.case.id,
                *(
                    p.response[n]
                    for n in (
                        "stage",
                        "decision",
                        "summary",
                        "remedies",
                        "goodwill_pence",
                        "causes",
                    )
                ),
            )
            for p in plans
            if p.response is not None
        ],  # fmt: skip
        {"given_by": by, "given_at": at},
    )
    writer.insert_values(
        models.Incident,
        ("consumer_id", "case_id", "note"),
        [(p.case.consumer_id, p.case.id, p.incident) for p in plans if p.incident is not None],
        {"recorded_by": by, "at": at},
    )
    opened = _open_actions(uow, plans, by=by, at=at)
    login, host = uow.origin or (None, None)
    same = {"actor": by, "at": at, "recorded_at": now, "login": login, "host": host}
    # Each step's entry, then the entries of the actions it opened.
    columns, events = uow.sealer().seal_rows(
        ("case_id", "action", "details"),
        [
            entry
            for p in plans
            for entry in (
                (p.case.id, p.action.value, details_json(p.details)),
                *(
                    (p.case.id, Action.ACTION_OPENED.value, details_json(d))
                    for d in opened.get(p.case.id, ())
                ),
            )
        ],  # fmt: skip
        same,
    )
    writer.insert_values(models.Event, columns, events, same)


def _open_actions(
    uow: UnitOfWork, plans: list[Plan], *, by: str, at: datetime
) -> dict[int, list[dict[str, Any]]]:
    """The actions the plans open, each row and its clock (rare: one a goodwill payment), and
    what each one's history entry records, by case id."""
    from complaintctl.store import models

    connection = uow.session.connection()
    opened: dict[int, list[dict[str, Any]]] = {}
    for plan in plans:
        for row, start in plan.opens:
            values = {**row, "case_id": plan.case.id, "opened_by": by, "opened_at": at}
            inserted = connection.execute(
                models.CaseAction.__table__.insert().values(**values)  # type: ignore[attr-defined]
            ).inserted_primary_key
            assert inserted is not None
            action_id = inserted[0]
            connection.execute(
                models.Deadline.__table__.insert().values(  # type: ignore[attr-defined]
                    action_id=action_id, case_id=None, restriction_id=None,
                    kind=start.kind.value, start_at=start.start_at, due_at=start.due_at,
                    amount=start.amount, unit=start.unit, rule=start.rule,
                )
            )  # fmt: skip
            opened.setdefault(plan.case.id, []).append(
                {"id": action_id, "kind": row["kind"], "what": row["what"],
                 "owner": row["owner"], "due": row["due_at"]}
            )  # fmt: skip
    return opened


def _line(plan: Plan, warnings: tuple[str, ...]) -> StepLine:
    """The case as the plan leaves it, for the line that says what was done."""
    case = plan.case._replace(**plan.changes)
    return StepLine(
        case.ref,
        plan.leads_to.value,
        case.area,
        case.responder,
        case.handler,
        case.close_reason,
        plan.version_after,
        warnings,
    )


def by_of(taking: Taking | None) -> str:
    assert taking is not None
    return taking.by


def _plan(taking: Taking, spec: Spec, case: CaseRow) -> Plan:
    """The checks every step makes, in this order (the version the caller read, who may, the
    stage, the order of steps), then the verb's own. Nothing more is recorded on a case whose
    personal data was removed: what it would add could never be removed in turn."""
    _not_removed(taking, case)
    if not spec.procedure_step:
        return spec.plan(taking, case)
    _as_seen(taking, case)
    authorise(taking.actor, spec.action, case)
    leads_to = stage_after(case, spec.action)
    # Only procedure steps order the case: a calendar recompute or an incident, recorded
    # later, must not stop an earlier step being recorded.
    last = case.last_step_at or case.received_at
    if taking.at < last:
        at, last_step = format_apart(taking.at, last, taking.calendar.tz)
        raise ActionNotAllowed(
            f"--at {at} is before {case.ref}'s last recorded step ({last_step}); steps are "
            "recorded in the order they happened"
        )
    plan = spec.plan(taking, case)
    # A step that keeps the stage in the table (a reopen) leaves the verb to say where it leads.
    if leads_to != Stage(case.stage):
        plan.leads_to = leads_to
    return plan


def _not_removed(taking: Taking, case: CaseRow) -> None:
    """Refuse a case whose personal data was removed."""
    if case.anonymised_at is not None:
        raise ActionNotAllowed(
            f"{case.ref}'s personal data was removed "
            f"({format_local(case.anonymised_at, taking.calendar.tz)}): nothing more may be "
            "recorded on it"
        )


def _as_seen(taking: Taking, case: CaseRow) -> None:
    """Refuse a case that moved on from the version the caller read (--if-version, or the
    version in the JSON on stdin)."""
    seen = taking.uow.seen_versions.get(case.ref)
    if seen is not None and seen > case.version:
        # Never a version the case has had: a slip in the script, not a change meanwhile.
        raise CaseChanged(
            f"case {case.ref} has never been at version {seen}: it is at version "
            f"{case.version}, {describe_state(case)}; look again before acting"
        )
    if seen is not None and seen != case.version:
        raise CaseChanged(
            f"case {case.ref} changed since you looked (version {seen}, now {case.version}): "
            f"it is now {describe_state(case)}; look again before acting"
        )


def _notes(taking: Taking | None, plan: Plan) -> tuple[str, ...]:
    """What the step's view warns of: a clock met late for being recorded after its deadline,
    and a deadline set past the known bank holidays."""
    from complaintctl.services.common import coverage_warnings

    assert taking is not None
    # A close ends a clock without meeting it: the breach stands until it was recorded.
    cancelled = {clock.kind for clock, _, outcome in plan.clocks.ends if outcome == CANCELLED}
    # Only a step dated by its deadline was in time when it happened: one dated after it was
    # late then, and the warning would say otherwise.
    dated_in_time = {clock.kind for clock, _, _ in plan.clocks.ends if taking.at <= clock.due_at}
    late = tuple(
        f"the {kind} deadline had passed before this was recorded: "
        + ("it stays breached until then" if kind in cancelled else "it is met late, when recorded")
        + f"; the history keeps {format_local(taking.at, taking.calendar.tz)} as when it happened"
        for kind in plan.clocks.late
        if kind in dated_in_time
    )
    coverage = coverage_warnings(taking.calendar, *plan.counted_between, agreed=plan.agreed_dates)
    return (*late, *plan.warnings, *coverage)


def _clocks(taking: Taking, case: CaseRow, action: Action) -> ClockPlan:
    return plan_clocks(action, case.clocks, taking.at, taking.now, taking.calendar)


def _step(
    taking: Taking, case: CaseRow, action: Action, clocks: ClockPlan | None = None, **details: Any
) -> Plan:
    """A plan with its history entry; the clocks as the table says, unless given. A clock met
    late is named in the entry (`recorded_after_deadline`)."""
    clocks = _clocks(taking, case, action) if clocks is None else clocks
    if clocks.late:
        details["recorded_after_deadline"] = list(clocks.late)
    return Plan(case, action, Stage(case.stage), details, clocks=clocks)


# -- the first stage -----------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledge(Spec):
    """Record the acknowledgement, naming the area; starts the response clock."""

    action: ClassVar[Action] = Action.ACKNOWLEDGE
    area: str
    out_of_time_reason: str | None = None

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        area = taking.known_area(required(self.area, "--area", text.LABEL))
        accepted_late = optional(self.out_of_time_reason, "--out-of-time-reason")
        if case.out_of_time and accepted_late is None:
            raise InvalidInput(
                f"{case.ref} is about an issue more than 6 months before it was received; "
                "accept it with --out-of-time-reason TEXT, or close it out of scope "
                "(--because out-of-time)"
            )
        if accepted_late is not None and not case.out_of_time:
            # Kept, it would say the case was accepted out of time when it was not.
            raise InvalidInput(
                f"{case.ref} is not out of time: --out-of-time-reason is for a complaint about "
                "an issue more than 6 months before it was received; leave it out"
            )
        clocks = _clocks(taking, case, self.action)
        acknowledged = clocks.met(DeadlineKind.ACKNOWLEDGE)
        assert acknowledged is not None, "a case received has its acknowledgement clock running"
        respond_due = clocks.due(DeadlineKind.RESPOND)
        plan = _step(
            taking,
            case,
            self.action,
            clocks,
            area=area,
            due=acknowledged.due_at,
            on_time=clocks.on_time(DeadlineKind.ACKNOWLEDGE),
            respond_due=respond_due,
            **({"out_of_time_accepted": accepted_late} if accepted_late else {}),
        )
        plan.changes["area"] = area
        plan.counted_between = (taking.at, respond_due)
        return plan


@dataclass(frozen=True)
class Assign(Spec):
    """Name the responder: a member of staff of the case's area. At the second stage, hand
    the case on to another handler, with the reason; its final-response deadline stays."""

    action: ClassVar[Action] = Action.ASSIGN
    to: str
    reason: str | None = None

    def inputs(self) -> None:
        named_staff(self.to, "--to")
        optional(self.reason, "--reason")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        reason = optional(self.reason, "--reason")
        if Stage(case.stage) == Stage.SECOND_STAGE:
            return self._hand_on(taking, case, reason)
        responder = taking.staff(self.to)
        if not same_area(responder.area, case.area):
            raise InvalidInput(
                f"{responder.username} works in {responder.area or 'no area'}, "
                f"not {case.area}, the area {case.ref} was routed to"
            )
        if responder.username == case.responder:
            # As at the second stage: an entry that changed nothing would read as a hand-on.
            raise InvalidInput(
                f"{responder.username} is the responder of {case.ref} already: nothing to change"
            )
        plan = _step(taking, case, self.action, to=responder.username, was=case.responder)
        if reason is not None:
            plan.details["reason"] = reason
        plan.changes["responder"] = responder.username
        return plan

    def _hand_on(self, taking: Taking, case: CaseRow, reason: str | None) -> Plan:
        """The second stage handed on: to someone who may take it, never its handler now."""
        if reason is None:
            # Who decides the consumer's final response changed: the record says why, as an
            # action handed on does.
            raise InvalidInput(
                f"{case.ref} is at the second stage: say why it is handed on (--reason TEXT)"
            )
        handler = _second_stage_handler(taking, case, self.to)
        if handler.username == case.handler:
            raise InvalidInput(
                f"{handler.username} handles the second stage of {case.ref} already: "
                "nothing to change"
            )
        plan = _step(taking, case, self.action, to=handler.username, was=case.handler,
                     stage=Stage.SECOND_STAGE.value, reason=reason)  # fmt: skip
        plan.changes["handler"] = handler.username
        return plan


def _second_stage_handler(taking: Taking, case: CaseRow, to: str) -> Staff:
    """Who `--to` names to handle the second stage: active staff in a role that takes one
    [page], who did not give the first-stage response [std: Housing Ombudsman code]."""
    handler = taking.staff(to)
    if Role(handler.role) not in SECOND_STAGE_ROLES:
        raise InvalidInput(
            f"{handler.username} is {handler.role}: the second stage goes to a leader, "
            "senior-leader or senior-complaint-executive"
        )
    if handler.username == case.first_responder:
        raise InvalidInput(
            f"{handler.username} gave the first-stage response; the second stage needs "
            "someone else [std: Housing Ombudsman code]"
        )
    return handler


@dataclass(frozen=True)
class Respond(Spec):
    """Record the first-stage response; stops the response clock."""

    action: ClassVar[Action] = Action.RESPOND
    decision: Decision
    summary: str
    remedies: Remedies
    causes: tuple[str, ...] = ()  # what went wrong, from the store's list

    def inputs(self) -> None:
        required(self.summary, "--summary", text.SUMMARY)
        self.remedies.pence()

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        if case.responder is None:
            raise ActionNotAllowed(f"{case.ref} has no responder yet: assign one first (assign)")
        clocks = _clocks(taking, case, self.action)
        plan = _response(taking, case, self.action, clocks, self.decision, self.summary,
                         self.remedies, "first", self.causes)  # fmt: skip
        plan.details["on_time"] = clocks.on_time(DeadlineKind.RESPOND)
        plan.changes["first_responder"] = taking.by
        return plan


def _response(
    taking: Taking,
    case: CaseRow,
    action: Action,
    clocks: ClockPlan,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    stage: str,
    causes: Sequence[str],
) -> Plan:
    """A first or final response: its row, what its history entry records (its causes
    always there, which the figures replay), and the "pay" action a goodwill payment opens."""
    summary = required(summary, "--summary", text.SUMMARY)
    pence = remedies.pence()
    named = taking.known_causes(causes)
    plan = _step(
        taking,
        case,
        action,
        clocks,
        decision=decision.value,
        summary=summary,
        remedies=remedies.names(),
        goodwill_pence=pence,
        causes=named,
    )
    plan.response = {
        "stage": stage,
        "decision": decision.value,
        "summary": summary,
        "remedies": json.dumps(remedies.names()),
        "goodwill_pence": pence,
        "causes": json.dumps(named),
    }
    if pence is not None:
        # The payment is owed by whoever offered it, due by the action rule (policy.ACTION).
        (start,) = plan_clocks(
            Action.ACTION_OPENED, [], taking.at, taking.now, taking.calendar
        ).starts
        what = f"pay the goodwill of £{pence // 100:,}.{pence % 100:02d}"
        row = {"kind": ActionKind.REMEDY.value, "what": what, "owner": taking.by,
               "due_at": start.due_at}  # fmt: skip
        plan.opens = ((row, start),)
        plan.counted_between = (*plan.counted_between, taking.at, start.due_at)
    return plan


@dataclass(frozen=True)
class Extend(Spec):
    """Replace the running response (or final response) deadline with a timescale agreed with
    the consumer [page]; who agreed it, when and why are recorded [std]."""

    action: ClassVar[Action] = Action.EXTEND
    until: datetime
    reason: str

    def inputs(self) -> None:
        required(self.reason, "--reason")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        reason = required(self.reason, "--reason")
        clock = clock_to_move(self.action, case.clocks)
        assert clock is not None, "the stages extend is allowed at each run a clock it moves"
        tz = taking.calendar.tz
        if taking.at > clock.due_at or clock.due_at < taking.now:
            # A timescale is agreed before the deadline [std]: agreeing one after it, or
            # dating one before it once it has passed, would erase a breach from the record.
            raise ActionNotAllowed(
                f"the {clock.kind} deadline of {case.ref} passed at "
                f"{format_due(clock.due_at, tz, taking.calendar)}; a timescale agreed after a "
                "breach does not replace the deadline"
            )
        if self.until <= clock.due_at:
            raise InvalidInput(
                f"--until must be later than the current {clock.kind} deadline "
                f"({format_due(clock.due_at, tz, taking.calendar)})"
            )
        plan = _step(
            taking,
            case,
            self.action,
            ClockPlan(),
            kind=clock.kind,
            old_due=clock.due_at,
            new_due=self.until,
            reason=reason,
        )
        plan.moved = (
            clock,
            Agreed(self.until, f"agreed with the consumer by {taking.by}: {reason}"),
        )
        plan.agreed_dates = (self.until,)
        return plan


# -- the second stage and after ------------------------------------------------------------


@dataclass(frozen=True)
class Escalate(Spec):
    """Escalate to the second stage on the consumer's behalf; the final response is due 20
    working days later."""

    action: ClassVar[Action] = Action.ESCALATE
    to: str
    reason: str | None = None

    def inputs(self) -> None:
        named_staff(self.to, "--to")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        handler = _second_stage_handler(taking, case, self.to)
        clocks = _clocks(taking, case, self.action)
        final_due = clocks.due(DeadlineKind.FINAL)
        plan = _step(
            taking,
            case,
            self.action,
            clocks,
            to=handler.username,
            reason=optional(self.reason, "--reason"),
            final_due=final_due,
        )
        plan.changes["handler"] = handler.username
        plan.counted_between = (taking.at, final_due)
        return plan


@dataclass(frozen=True)
class Final(Spec):
    """Record the final response: the procedure ends, and the consumer has 3 months to ask
    for the Independent Assessor."""

    action: ClassVar[Action] = Action.FINAL
    decision: Decision
    summary: str
    remedies: Remedies
    causes: tuple[str, ...] = ()  # what went wrong, from the store's list

    def inputs(self) -> None:
        required(self.summary, "--summary", text.SUMMARY)
        self.remedies.pence()

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        clocks = _clocks(taking, case, self.action)
        plan = _response(taking, case, self.action, clocks, self.decision, self.summary,
                         self.remedies, "final", self.causes)  # fmt: skip
        plan.details["on_time"] = clocks.on_time(DeadlineKind.FINAL)
        plan.details["how_to_refer"] = policy.HOW_TO_REFER
        plan.details["refer_by"] = clocks.due(DeadlineKind.REFERRAL_WINDOW)
        return plan


@dataclass(frozen=True)
class Refer(Spec):
    """Record the consumer's referral to the Independent Assessor; one later than 3 months
    after the final response needs a reason."""

    action: ClassVar[Action] = Action.REFER
    late_reason: str | None = None

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        window = next(
            (c for c in case.clocks if c.kind == DeadlineKind.REFERRAL_WINDOW.value), None
        )
        late = window is not None and taking.at > window.due_at
        late_reason = optional(self.late_reason, "--late-reason")
        if late and not late_reason:
            assert window is not None
            # `--late-reason "$WHY"` with WHY not set: said so, never as if not given.
            empty = " (given empty)" if self.late_reason is not None else ""
            raise InvalidInput(
                f"the referral window closed {format_local(window.due_at, taking.calendar.tz)}; "
                f"record why it is accepted late with --late-reason{empty}"
            )
        if late_reason and not late and window is not None:
            # Kept, it would say the referral was accepted late when it was not.
            raise InvalidInput(
                f"{case.ref} is referred in time (the referral window closes "
                f"{format_local(window.due_at, taking.calendar.tz)}): --late-reason is for a "
                "referral after it closes; leave it out"
            )
        return _step(taking, case, self.action, late=late, late_reason=late_reason)


@dataclass(frozen=True)
class Outcome(Spec):
    """Record the Independent Assessor's outcome and any recommendation."""

    action: ClassVar[Action] = Action.OUTCOME
    outcome: AssessorOutcome
    recommendation: str | None = None

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        recommendation = optional(self.recommendation, "--recommendation")
        return _step(
            taking, case, self.action, outcome=self.outcome.value, recommendation=recommendation
        )


@dataclass(frozen=True)
class Close(Spec):
    """Close a case at the first stage, or triage it out of scope saying where to go instead."""

    action: ClassVar[Action] = Action.CLOSE
    reason: CloseReason
    because: OutOfScope | None = None
    note: str | None = None

    def inputs(self) -> None:
        if self.reason == CloseReason.OUT_OF_SCOPE and self.because is None:
            raise InvalidInput(
                "say why it is out of scope: --because decision, provider-remedy or out-of-time"
            )
        if self.reason != CloseReason.OUT_OF_SCOPE and self.because is not None:
            raise InvalidInput("--because goes with --reason out-of-scope")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        if Stage(case.stage) not in CLOSE_REASONS[self.reason]:
            allowed = ", ".join(sorted(s.value for s in CLOSE_REASONS[self.reason]))
            raise ActionNotAllowed(
                f"cannot close {case.ref} as {self.reason.value} at stage {case.stage}; "
                f"that reason fits a case at stage {allowed}"
            )
        details = closing(self.reason, self.because, self.note)
        plan = _step(taking, case, self.action, **details)
        plan.changes["close_reason"] = close_reason(self.reason, self.because)
        return plan


def close_reason(reason: CloseReason, because: OutOfScope | None) -> str:
    """What a closed case keeps as its reason: `out-of-scope: decision`."""
    return close_reason_kept(reason.value, because.value if because else None)


def closing(reason: CloseReason, because: OutOfScope | None, note: str | None) -> dict[str, Any]:
    """What a close's history entry records (log --resolved-informally's too)."""
    return {
        "reason": reason.value,
        "because": because.value if because else None,
        "where_instead": WHERE_INSTEAD[because] if because else None,
        "note": optional(note, "--note"),
    }


# What `edit` may correct: each field's option, and whether it is the consumer's (shared by every
# case of theirs) or the case's own column.
EDITABLE: dict[str, tuple[str, str]] = {
    "name": ("--name", "consumer"),
    "email": ("--email", "consumer"),
    "address": ("--address", "consumer"),
    "summary": ("--summary", "case"),
    "category": ("--category", "case"),
    "channel": ("--channel", "case"),
    "dispute": ("--dispute", "case"),
    "board": ("--board/--not-board", "case"),
}
# The column each field is kept in, where its name differs.
_COLUMN = {"dispute": "dispute_ref"}


def may_correct(actor: Actor, case: CaseFacts) -> None:
    """Refuse a correction `actor` may not make on the case: anyone who may edit, until the
    case is closed or assessed; a senior only, after (what the live view offers asks too)."""
    authorise(actor, Action.EDIT, case)
    if Stage(case.stage) in ENDED_STAGES and actor.role not in SENIOR_ROLES:
        raise NotPermitted(
            f"{case.ref} is {case.stage}: only {', '.join(sorted(SENIOR_ROLES))} may correct it now"
        )


@dataclass(frozen=True)
class Edit(Spec):
    """Correct what was taken down wrong: the consumer's name, email or address, the summary,
    category, channel, dispute or Board flag. Each change is recorded with its old and new
    value and the reason; once the case is closed or assessed, only a senior corrects it.

    Not a step of the procedure (it does not order the case's steps), but it changes the case:
    its version moves on, so a script holding the old one finds out."""

    action: ClassVar[Action] = Action.EDIT
    procedure_step: ClassVar[bool] = False
    reason: str
    fields: dict[str, Any]  # field -> new value, as typed ("" clears an optional one)

    def inputs(self) -> None:
        required(self.reason, "--reason")
        self.checked()

    def checked(self) -> dict[str, Any]:
        """The new values as they would be kept, or why one cannot be."""
        if not self.fields:
            options = ", ".join(option for option, _ in EDITABLE.values())
            raise InvalidInput(f"say what to correct: {options}")
        unknown = set(self.fields) - set(EDITABLE)
        assert not unknown, f"not editable: {unknown}"
        kept: dict[str, Any] = {}
        for name, value in self.fields.items():
            if name == "name":
                kept[name] = required(value, "--name", text.NAME)
            elif name == "email":
                kept[name] = normalise_email(value)
            elif name == "address":
                kept[name] = optional(value, "--address", text.ADDRESS)
            elif name == "summary":
                kept[name] = required(value, "--summary", text.SUMMARY)
            elif name == "dispute":
                kept[name] = optional(normalise_dispute(value), "--dispute", text.LABEL)
            else:  # category, channel: enums; board: a flag
                kept[name] = value.value if isinstance(value, StrEnum) else bool(value)
        return kept

    def allowed(self, taking: Taking, case: CaseRow) -> Consumer:
        """Refuse what refuses the correction whatever its new values (who corrects, the
        version read, --at, a settled case of the consumer's); the consumer, if not."""
        may_correct(taking.actor, case)
        _as_seen(taking, case)
        not_before_receipt(case, taking.at, taking.calendar.tz)
        consumer = taking.uow.consumer(case.consumer_id)
        if any(EDITABLE[name][1] == "consumer" for name in self.fields):
            # The consumer's name, email and address are on every case of theirs: a settled
            # one among them is corrected by a senior only, whichever case is named.
            settled = [
                ref
                for ref, stage, _ in taking.uow.cases_of(consumer)
                if Stage(stage) in ENDED_STAGES
            ]
            if settled and taking.actor.role not in SENIOR_ROLES:
                raise NotPermitted(
                    f"{consumer.name}'s details are also on {', '.join(settled)}, closed or "
                    f"assessed: only {', '.join(sorted(SENIOR_ROLES))} may correct them now"
                )
        return consumer

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        consumer = self.allowed(taking, case)
        row = taking.uow.case_by_id(case.id)
        current = {
            "name": consumer.name,
            "email": consumer.email,
            "address": consumer.address,
            "summary": row.summary,
            "category": row.category,
            "channel": row.channel,
            "dispute": row.dispute_ref,
            "board": row.board,
        }
        new = {k: v for k, v in self.checked().items() if v != current[k]}
        if not new:
            raise InvalidInput(f"nothing to correct: {case.ref} already says so")
        email = new.get("email", current["email"])
        if email is None and new.get("address", current["address"]) is None:
            raise InvalidInput("the consumer needs an email or an address (or both)")
        if "email" in new and email is not None:
            other = taking.uow.consumer_by_email(email)
            if other is not None and other.id != consumer.id:
                raise InvalidInput(
                    f"{email} is the email of another consumer ({other.name}, consumer id "
                    f"{other.id}); correct that consumer instead, or give another address"
                )
        changes = [{"field": k, "old": current[k], "new": v} for k, v in new.items()]
        details: dict[str, Any] = {"reason": required(self.reason, "--reason")}
        # The personal changes apart from the others, so that retention removes them alone and
        # the figures keep the category, channel and Board flag (domain/retention.py).
        if kept := [c for c in changes if c["field"] not in PERSONAL_EDITS]:
            details["changes"] = kept
        if personal := [c for c in changes if c["field"] in PERSONAL_EDITS]:
            details[PERSONAL_CHANGES] = personal
        plan = Plan(case, self.action, Stage(case.stage), details)
        for name, value in new.items():
            if EDITABLE[name][1] == "consumer":
                plan.consumer_changes[name] = value
            else:
                plan.changes[_COLUMN.get(name, name)] = value
        return plan


@dataclass(frozen=True)
class Reopen(Spec):
    """A senior undoes a mistaken close: the case goes back to the stage it was at, and each
    clock the close cancelled runs again with its original due (the consumer is owed the same
    date), so a reopened case may be breached at once, and says so."""

    action: ClassVar[Action] = Action.REOPEN
    reason: str

    def inputs(self) -> None:
        required(self.reason, "--reason")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        row = taking.uow.case_by_id(case.id)
        history = taking.uow.history(row)
        close = next(e for e in reversed(history) if e.action == Action.CLOSE)
        # The clocks that close ended: of each kind the latest row (an earlier one may be a
        # clock an earlier close cancelled and a reopen restarted), cancelled when the close
        # happened or, for one already past due, when it was recorded (clocks.plan_clocks).
        latest = {d.kind: d for d in taking.uow.deadlines(row)}  # in id order: the last wins
        cancelled = [
            d
            for d in latest.values()
            if d.outcome == CANCELLED and d.ended_at in (close.at, close.recorded_at)
        ]
        # A calendar change made while the case was closed moved none of its clocks: one that
        # runs again in working time and is not yet breached is due where the calendar now puts
        # it, as an open clock's would have been moved (services/calendar.py, never to before
        # now). So is one past its first due that a change made before that due would have
        # moved to a due still ahead: an open clock would not be breached. But not where a
        # change made after that due reached back before it was made (`reaches_back`): an
        # open clock breached by then was not moved by it, though the calendar now holds it.
        # Else it keeps its original due, a breach kept as it is.
        recounted: dict[str, Any] = {}
        starts = []
        for d in cancelled:
            due_at = d.due_at
            if d.unit in policy.WORKING_UNITS:
                rule = policy.Target(d.amount, d.unit, "")
                counted = policy.due_after(rule, taking.calendar, d.start_at)
                if due_at >= taking.now:
                    due_at = max(counted, taking.now)
                elif (
                    counted >= taking.now
                    and taking.uow.calendar_changes(close.recorded_at, due_at)
                    and not any(
                        reaches_back(*change, taking.calendar.tz)
                        for change in taking.uow.calendar_changes(due_at, taking.now, after=True)
                    )
                ):
                    due_at = counted
                if due_at != d.due_at:
                    recounted[f"{d.kind}_due_when_closed"] = d.due_at
                    recounted[f"{d.kind}_due"] = due_at
            starts.append(Start(DeadlineKind(d.kind), d.start_at, due_at, d.amount, d.unit, d.rule))
        tz = taking.calendar.tz
        breached = tuple(
            f"{case.ref} is breached at once: its {start.kind} deadline passed at "
            f"{format_due(start.due_at, tz, taking.calendar)}"
            for start in starts
            if start.due_at < max(taking.at, taking.now)
        )
        plan = _step(
            taking,
            case,
            self.action,
            ClockPlan(starts=tuple(starts)),
            reason=required(self.reason, "--reason"),
            close_undone=case.close_reason,
            restarted=[start.kind.value for start in starts],
            # Each clock run to a new due: the due it had when closed, and its due now.
            **recounted,
        )
        plan.leads_to = stage_before_close([e.action for e in history])
        plan.changes["close_reason"] = None
        plan.warnings = breached
        return plan


@dataclass(frozen=True)
class Incident(Spec):
    """Record abusive contact towards staff [page]; shown on the consumer from then on.

    Not a step of the procedure: it happens at any stage, does not order the case's steps, and
    leaves its version as it is."""

    action: ClassVar[Action] = Action.INCIDENT
    procedure_step: ClassVar[bool] = False
    note: str

    def inputs(self) -> None:
        required(self.note, "--note")

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        authorise(taking.actor, self.action, case)
        not_before_receipt(case, taking.at, taking.calendar.tz)
        note = required(self.note, "--note")
        plan = Plan(case, self.action, Stage(case.stage), {"note": note}, versioned=False)
        plan.incident = note
        return plan


@dataclass(frozen=True)
class Note(Spec):
    """A contact with the consumer (a call, an email, a letter, either way) or a note on the
    file: the record that shows they were kept updated.

    Not a step of the procedure, like an incident: any stage, even closed, and the case's
    version stays as it is."""

    action: ClassVar[Action] = Action.NOTE
    procedure_step: ClassVar[bool] = False
    text: str
    direction: Direction | None = None
    channel: Channel | None = None

    def inputs(self) -> None:
        required(self.text, "--text")
        if (self.direction is None) != (self.channel is None):
            raise InvalidInput(
                "--direction and --channel go together: a contact went one way by one channel "
                "(give neither for a note on the file)"
            )

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        authorise(taking.actor, self.action, case)
        not_before_receipt(case, taking.at, taking.calendar.tz)
        details = {
            "text": required(self.text, "--text"),
            "direction": self.direction.value if self.direction else None,
            "channel": self.channel.value if self.channel else None,
        }
        return Plan(case, self.action, Stage(case.stage), details, versioned=False)


# -- the verbs, one case at a time -----------------------------------------------------------


def acknowledge(
    uow: UnitOfWork,
    *,
    ref: str,
    area: str,
    by: str,
    at: datetime,
    now: datetime,
    out_of_time_reason: str | None = None,
) -> CaseView:
    """Record the acknowledgement, naming the area; starts the response clock."""
    return take_step(uow, ref, Acknowledge(area, out_of_time_reason), by=by, at=at, now=now)


def assign(
    uow: UnitOfWork,
    *,
    ref: str,
    to: str,
    by: str,
    at: datetime,
    now: datetime,
    reason: str | None = None,
) -> CaseView:
    """Name the responder: a member of staff of the case's area; at the second stage, hand the
    case on to another handler, with the reason."""
    return take_step(uow, ref, Assign(to, reason), by=by, at=at, now=now)


def respond(
    uow: UnitOfWork,
    *,
    ref: str,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    by: str,
    at: datetime,
    now: datetime,
    causes: tuple[str, ...] = (),
) -> CaseView:
    """Record the first-stage response; stops the response clock."""
    spec = Respond(decision, summary, remedies, causes)
    return take_step(uow, ref, spec, by=by, at=at, now=now)


def extend(
    uow: UnitOfWork,
    *,
    ref: str,
    until: datetime,
    reason: str,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Replace the running response (or final response) deadline with an agreed date."""
    return take_step(uow, ref, Extend(until, reason), by=by, at=at, now=now)


def escalate(
    uow: UnitOfWork,
    *,
    ref: str,
    to: str,
    reason: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Escalate to the second stage; the final response is due 20 working days later."""
    return take_step(uow, ref, Escalate(to, reason), by=by, at=at, now=now)


def final_response(
    uow: UnitOfWork,
    *,
    ref: str,
    decision: Decision,
    summary: str,
    remedies: Remedies,
    by: str,
    at: datetime,
    now: datetime,
    causes: tuple[str, ...] = (),
) -> CaseView:
    """Record the final response; the consumer has 3 months to ask for the Assessor."""
    spec = Final(decision, summary, remedies, causes)
    return take_step(uow, ref, spec, by=by, at=at, now=now)


def refer(
    uow: UnitOfWork, *, ref: str, late_reason: str | None, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record the consumer's referral to the Independent Assessor."""
    return take_step(uow, ref, Refer(late_reason), by=by, at=at, now=now)


def record_outcome(
    uow: UnitOfWork,
    *,
    ref: str,
    outcome: AssessorOutcome,
    recommendation: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Record the Independent Assessor's outcome and any recommendation."""
    return take_step(uow, ref, Outcome(outcome, recommendation), by=by, at=at, now=now)


def close(
    uow: UnitOfWork,
    *,
    ref: str,
    reason: CloseReason,
    because: OutOfScope | None,
    note: str | None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Close a case at the first stage, or triage it out of scope."""
    return take_step(uow, ref, Close(reason, because, note), by=by, at=at, now=now)


def note(
    uow: UnitOfWork,
    *,
    ref: str,
    text: str,
    direction: Direction | None = None,
    channel: Channel | None = None,
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Record a contact with the consumer, or a note on the file."""
    return take_step(uow, ref, Note(text, direction, channel), by=by, at=at, now=now)


def reopen(
    uow: UnitOfWork, *, ref: str, reason: str, by: str, at: datetime, now: datetime
) -> CaseView:
    """Undo a mistaken close: back to the stage it was at, its cancelled clocks running again."""
    return take_step(uow, ref, Reopen(reason), by=by, at=at, now=now)


def correct(
    uow: UnitOfWork,
    *,
    ref: str,
    reason: str,
    fields: dict[str, Any],
    by: str,
    at: datetime,
    now: datetime,
) -> CaseView:
    """Correct fields of a case (and its consumer), each change recorded old and new."""
    return take_step(uow, ref, Edit(reason, fields), by=by, at=at, now=now)


def check_correction(
    uow: UnitOfWork,
    *,
    ref: str,
    reason: str,
    fields: Mapping[str, Any],
    by: str,
    at: datetime,
    now: datetime,
) -> None:
    """Refuse now a correction of `fields` that would be refused whatever is typed for those
    still to be typed (None): --reason empty, --at, who is acting, the case's version, stage
    or removed data, or a value given with them (`--email not-an-email`). Run before $EDITOR
    opens, so that nobody types a summary for it to be refused after."""
    from complaintctl.store.bulk import case_rows

    not_in_future(at, now, uow)
    required(reason, "--reason")
    taking = Taking(uow, acting_staff(uow, by), at, now, uow.calendar())
    case = case_rows(uow, [ref] if looks_like_ref(ref) else []).get(ref.strip().upper())
    if case is None:
        raise missing_case(ref)
    _not_removed(taking, case)
    Edit(reason, dict(fields)).allowed(taking, case)
    if given := {name: value for name, value in fields.items() if value is not None}:
        Edit(reason, given).checked()


def record_incident(
    uow: UnitOfWork, *, ref: str, note: str, by: str, at: datetime, now: datetime
) -> CaseView:
    """Record abusive contact towards staff [page]."""
    return take_step(uow, ref, Incident(note), by=by, at=at, now=now)


# The actions that order a case: what `last_step_at` is taken over.
ORDERING_ACTIONS = tuple(action.value for action in STEP_ACTIONS)
