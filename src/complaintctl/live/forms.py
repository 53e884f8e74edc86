"""The form of each step the live view offers: its fields, named as the command's options are,
and what their values make: the same Spec (services/steps.py) the command makes, so the checks,
refusals and messages are the command's own.

Nothing here imports Textual: a form is data, and the screen lays it out (live/app.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from complaintctl.domain.procedure import (
    CLOSE_REASONS,
    Action,
    ActionKind,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    Direction,
    OutOfScope,
    Remedy,
    Stage,
)
from complaintctl.domain.retention import edited_fields
from complaintctl.errors import InvalidInput
from complaintctl.text import ACTING, Kind, inert, one_line, text_problem

if TYPE_CHECKING:
    from complaintctl.cli.app import State
    from complaintctl.live.session import Session
    from complaintctl.services.steps import Spec
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import CaseView

TEXT, CHOICE, MANY = "text", "choice", "many"


@dataclass(frozen=True)
class Field:
    """One input of a form: `name` is the command's option without its dashes."""

    name: str
    label: str
    kind: str = TEXT  # TEXT: a line typed; CHOICE: one of `choices`; MANY: any of them
    choices: tuple[str, ...] = ()
    required: bool = False  # a choice that must be made (text is checked by the step)
    placeholder: str = ""
    # The value as it stands on the case, shown to be changed: left as it is, the field is
    # left out of the values (a correction names only what it corrects). None: no such value.
    current: str | None = None
    # A list kept in the store that the choices are read from as the form opens ("causes":
    # `cause list`'s names); "" for choices fixed here.
    listed: str = ""
    # How the command names it where that is not `--NAME`: an argument (KIND), a short
    # option (-o), a pair of flags (--board/--not-board).
    named: str = ""
    # A value that runs over lines (a summary), typed on one: its line breaks are shown as
    # `\x0a`, as everywhere text is written out, and what is typed is read back with each
    # `\x0a` a line break again, so that a correction keeps the lines it did not touch.
    lines: bool = False

    @property
    def option(self) -> str:
        return self.named or "--" + self.name.replace("_", "-")

    def read_back(self, typed: str) -> str:
        """What was typed over the value shown (`current`, written out inert), as the value
        it stands for: each acting character the value held (a tab, a zero-width space, a
        bidirectional mark), where it is left written out, is that character again, and in
        a value that runs over lines each `\\x0a` a line break; so that a word corrected
        beside one keeps it, rather than storing its written-out form as text."""
        held = {char for char in self.current or "" if ord(char) in ACTING}
        for char in sorted(held):
            typed = typed.replace(inert(char), char)
        return typed.replace(inert("\n"), "\n") if self.lines else typed


Values = dict[str, Any]  # a field's name -> its text, its choice (or None), or its choices
SpecMaker = Callable[["UnitOfWork"], "Spec"]


@dataclass(frozen=True)
class Form:
    """A step's form: what the command is called, its fields, and the step its values make
    (`spec`, taken as a step is), or what they do (`run`, a letter: made, written and recorded
    as issued in the command's own transaction)."""

    action: Action
    command: str  # the command that takes the same step
    title: str
    fields: Callable[[CaseView], tuple[Field, ...]]
    spec: Callable[[State, Values], SpecMaker] | None
    message: Callable[[CaseView], str]  # what the command says once it is done
    button: str = "Take the step"
    # Instead of `spec`: the session, the case as shown and the values -> the case afterwards
    # and what the command says; a refusal raises its ComplaintError, having written nothing.
    run: Callable[[Session, CaseView, Values], tuple[CaseView, str]] | None = None


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def _text(values: Values, name: str) -> str:
    return str(values.get(name) or "")


def _optional(values: Values, name: str) -> str | None:
    return _text(values, name) or None


def _chosen(values: Values, field: str, enum: type[StrEnum]) -> Any:
    """The choice made for `field`, as the command's option would take it; none made is the
    error the command gives for a missing option."""
    value = values.get(field)
    if not value:
        raise InvalidInput(f"choose --{field.replace('_', '-')}: {', '.join(_values(enum))}")
    return enum(value)


def _maybe(values: Values, field: str, enum: type[StrEnum]) -> Any:
    value = values.get(field)
    return enum(value) if value else None


def _remedies(values: Values) -> Any:
    from complaintctl import services

    kinds = tuple(Remedy(v) for v in values.get("remedy") or ())
    return services.Remedies(kinds, _optional(values, "goodwill"))


def _acknowledge(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    area = _text(values, "area")
    reason = _optional(values, "out_of_time_reason")
    return lambda _uow: services.Acknowledge(area, reason)


def _assign(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    to, reason = _text(values, "to"), _optional(values, "reason")
    return lambda _uow: services.Assign(to, reason)


def _assign_fields(view: CaseView) -> tuple[Field, ...]:
    """The responder at the first stage; at the second, the new handler and why."""
    if Stage(view.stage) != Stage.SECOND_STAGE:
        return (Field("to", "Responder: staff of the case's area", placeholder="USERNAME"),)
    return (
        Field(
            "to",
            "New second-stage handler: a leader or senior who did not respond",
            placeholder="USERNAME",
        ),
        Field("reason", "Reason it is handed on"),
    )


def _assigned(view: CaseView) -> str:
    from complaintctl.cli.actions import assigned

    return assigned(view)


def _causes(values: Values) -> tuple[str, ...]:
    """The causes chosen, as `--cause` takes them (checked against the list by the step)."""
    return tuple(str(cause) for cause in values.get("cause") or ())


def _respond(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    decision = _chosen(values, "decision", Decision)
    summary, remedies, causes = _text(values, "summary"), _remedies(values), _causes(values)
    return lambda _uow: services.Respond(decision, summary, remedies, causes)


def _final(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    decision = _chosen(values, "decision", Decision)
    summary, remedies, causes = _text(values, "summary"), _remedies(values), _causes(values)
    return lambda _uow: services.Final(decision, summary, remedies, causes)


def _extend(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    until, reason = _text(values, "until").strip(), _text(values, "reason")
    if not until:
        raise InvalidInput("--until: give the new deadline agreed with the consumer (DATETIME)")
    # Read in the store's calendar zone, as `extend --until` reads it.
    return lambda uow: services.Extend(state.instant(until, uow.calendar().tz, due=True), reason)


def _escalate(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    to, reason = _text(values, "to"), _optional(values, "reason")
    return lambda _uow: services.Escalate(to, reason)


def _refer(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    late_reason = _optional(values, "late_reason")
    return lambda _uow: services.Refer(late_reason)


def _outcome(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    outcome = _chosen(values, "outcome", AssessorOutcome)
    recommendation = _optional(values, "recommendation")
    return lambda _uow: services.Outcome(outcome, recommendation)


def _close(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    reason = _chosen(values, "reason", CloseReason)
    because, note = _maybe(values, "because", OutOfScope), _optional(values, "note")
    return lambda _uow: services.Close(reason, because, note)


def _reopen(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    reason = _text(values, "reason")
    return lambda _uow: services.Reopen(reason)


def _note(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    text = _text(values, "text")
    direction, channel = _maybe(values, "direction", Direction), _maybe(values, "channel", Channel)
    return lambda _uow: services.Note(text, direction, channel)


def _incident(state: State, values: Values) -> SpecMaker:
    from complaintctl import services

    note = _text(values, "note")
    return lambda _uow: services.Incident(note)


def _edit(state: State, values: Values) -> SpecMaker:
    """`edit REF --reason … --name …`: the fields changed, as the command's options take them
    (a field left as it stands is not among the values: live/app.py StepForm.values)."""
    from complaintctl import services
    from complaintctl.services.steps import EDITABLE

    fields: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in values:
            continue
        value = values[name]
        if name == "category":
            fields[name] = _chosen(values, name, Category)
        elif name == "channel":
            fields[name] = _chosen(values, name, Channel)
        elif name == "board":
            if value not in ("yes", "no"):
                raise InvalidInput("choose --board (yes) or --not-board (no)")
            fields[name] = value == "yes"
        else:
            fields[name] = str(value or "")
    reason = _text(values, "reason")
    return lambda _uow: services.Edit(reason, fields)


def _edit_fields(view: CaseView) -> tuple[Field, ...]:
    """The fields `edit` corrects, each showing what the case holds now."""
    address = ", ".join(line.strip() for line in (view.address or "").splitlines() if line)
    return (
        Field("reason", "Reason: why it is corrected, what was wrong"),
        Field("name", "The consumer's name", current=view.consumer),
        Field("email", 'The consumer\'s email ("" removes it)', current=view.email or ""),
        Field("address", "The consumer's postal address (one line)", current=address),
        Field("summary", "What the consumer says went wrong", current=view.summary, lines=True),
        Field("category", "Category", CHOICE, _values(Category), current=view.category),
        Field("channel", "Channel it arrived by", CHOICE, _values(Channel), current=view.channel),
        Field("dispute", "The dispute it arose from", current=view.dispute or ""),
        Field(
            "board",
            "Addressed to the executive team or the Board",
            CHOICE,
            ("yes", "no"),
            current="yes" if view.board else "no",
            named="--board/--not-board",
        ),
    )


def _corrected(view: CaseView) -> str:
    changed = edited_fields(view.history[-1].details)
    return f"Corrected {view.ref}: {', '.join(changed)}"


def _letter_fields(view: CaseView) -> tuple[Field, ...]:
    """The kinds of letter the case has the step on record for (a restriction's is on the
    consumer's record, so always offered), the format, and the file it is written to."""
    from complaintctl.domain.letters import RULES, LetterFormat

    done = {entry.action for entry in view.history}
    kinds = tuple(
        kind for kind, rule in RULES.items() if rule.action is None or rule.action in done
    )
    return (
        Field(
            "kind",
            "Kind of letter (those whose step is on record)",
            CHOICE,
            kinds,
            True,
            named="KIND",
        ),
        Field(
            "format",
            "Format (none: an email, or a PDF to post, as the consumer prefers)",
            CHOICE,
            _values(LetterFormat),
        ),
        Field("output", "Write the letter to this new file", placeholder="FILE", named="-o"),
    )


def _issue_letter(session: Session, view: CaseView, values: Values) -> tuple[CaseView, str]:
    """`letter REF KIND --issue -o FILE [--format F]`, in the command's own transaction."""
    from complaintctl.domain.letters import LetterFormat

    kind = values.get("kind")
    if not kind:
        raise InvalidInput("name the KIND of letter, e.g. acknowledgement")
    output = _text(values, "output").strip()
    if not output:
        raise InvalidInput("-o FILE: the new file to write the letter to")
    # A name pasted with a control character in it (a shell could not pass one): refused, as
    # the fields are, before the file system is asked about it.
    problem = text_problem(output, Kind(4096, lines=False))
    if problem:
        raise InvalidInput(f"-o {problem}")
    format = _maybe(values, "format", LetterFormat)
    batch = session.issue_letter(view.ref, str(kind), format, output)
    letter = batch.letters[0]
    after, _ = session.case(view.ref)
    if batch.to_issue:
        said = f"Issued the {letter.kind} letter on {view.ref} ({letter.format}): {output}"
    else:  # as `letter --issue` does, the same letter issued before is not recorded again
        said = (
            f"The {letter.kind} letter on {view.ref} ({letter.format}) was issued before: "
            f"made again as it went out, to {output}; nothing more recorded"
        )
    return after, "\n".join([said, *(f"Note: {note}" for note in letter.notes)])


def _decision(view: CaseView) -> str:
    return view.responses[-1].decision if view.responses else "-"


def _assessed(view: CaseView) -> str:
    entry = view.latest(Action.OUTCOME)
    return str(entry.details.get("outcome")) if entry else "-"


def _close_reasons(view: CaseView) -> tuple[str, ...]:
    """The reasons that fit the case's stage (domain/procedure.py CLOSE_REASONS)."""
    stage = Stage(view.stage)
    return tuple(r.value for r in CloseReason if stage in CLOSE_REASONS[r])


def _fixed(*fields: Field) -> Callable[[CaseView], tuple[Field, ...]]:
    return lambda _view: fields


_RESPONSE_FIELDS = (
    Field("decision", "Decision", CHOICE, _values(Decision), required=True),
    Field("summary", "Summary: the response's reasons, in a sentence or two"),
    Field("remedy", "Remedies offered", MANY, _values(Remedy)),
    Field(
        "goodwill", "Goodwill payment, in pounds (e.g. 50, 49.99 or 1,250)", placeholder="POUNDS"
    ),
    Field("cause", "Causes: what went wrong, from the list of causes", MANY, listed="causes"),
)

FORMS: dict[Action, Form] = {
    form.action: form
    for form in (
        Form(
            Action.ACKNOWLEDGE,
            "ack",
            "Acknowledge and route to an area",
            _fixed(
                Field("area", "Area best placed to deal with it"),
                Field(
                    "out_of_time_reason",
                    "Out-of-time reason (an issue over 6 months old accepted all the same)",
                ),
            ),
            _acknowledge,
            lambda view: f"Acknowledged {view.ref}, routed to {view.area}",
        ),
        Form(
            Action.ASSIGN,
            "assign",
            "Assign the responder, or hand the second stage on",
            _assign_fields,
            _assign,
            _assigned,
        ),
        Form(
            Action.RESPOND,
            "respond",
            "Record the first-stage response",
            _fixed(*_RESPONSE_FIELDS),
            _respond,
            lambda view: f"Responded to {view.ref}: {_decision(view)}",
        ),
        Form(
            Action.EXTEND,
            "extend",
            "Agree a longer timescale with the consumer",
            _fixed(
                Field(
                    "until",
                    "New deadline agreed with the consumer",
                    placeholder="2027-01-15T17:00",
                ),
                Field("reason", "Reason: why more time is needed, and how it was agreed"),
            ),
            _extend,
            lambda view: f"Extended {view.ref}",
        ),
        Form(
            Action.ESCALATE,
            "escalate",
            "Escalate to the second stage",
            _fixed(
                Field(
                    "to",
                    "Second-stage handler: a leader or senior who did not respond",
                    placeholder="USERNAME",
                ),
                Field("reason", "Reason the consumer escalated"),
            ),
            _escalate,
            lambda view: f"Escalated {view.ref} to {view.handler}",
        ),
        Form(
            Action.FINAL,
            "final",
            "Record the final response",
            _fixed(*_RESPONSE_FIELDS),
            _final,
            lambda view: f"Final response on {view.ref}: {_decision(view)}",
        ),
        Form(
            Action.REFER,
            "refer",
            "Record a referral to the Independent Assessor",
            _fixed(Field("late_reason", "Late reason (over 3 months after the final response)")),
            _refer,
            lambda view: f"Referred {view.ref} to the Independent Assessor",
        ),
        Form(
            Action.OUTCOME,
            "refer --outcome",
            "Record the Independent Assessor's outcome",
            _fixed(
                Field("outcome", "Outcome", CHOICE, _values(AssessorOutcome), required=True),
                Field("recommendation", "Recommendation"),
            ),
            _outcome,
            lambda view: f"Assessor's outcome on {view.ref}: {_assessed(view)}",
        ),
        Form(
            Action.CLOSE,
            "close",
            "Close the case (only a senior can reopen it)",
            lambda view: (
                Field("reason", "Reason", CHOICE, _close_reasons(view), required=True),
                Field("because", "Because (with out-of-scope)", CHOICE, _values(OutOfScope)),
                Field("note", "Note for the record"),
            ),
            _close,
            lambda view: f"Closed {view.ref}: {view.close_reason}",
            button="Close it",
        ),
        Form(
            Action.REOPEN,
            "reopen",
            "Reopen a case closed by mistake",
            _fixed(Field("reason", "Reason: why the close was a mistake")),
            _reopen,
            lambda view: f"Reopened {view.ref}: {view.stage}",
        ),
        Form(
            Action.NOTE,
            "note",
            "Record a contact or a note on the file",
            _fixed(
                Field("text", "Text: what was said or sent, or the note"),
                Field(
                    "direction",
                    "Direction (in: from the consumer; out: to them)",
                    CHOICE,
                    _values(Direction),
                ),  # fmt: skip
                Field("channel", "Channel, with a direction", CHOICE, _values(Channel)),
            ),
            _note,
            lambda view: f"Noted on {view.ref}",
        ),
        Form(
            Action.INCIDENT,
            "incident",
            "Record abusive contact towards staff",
            _fixed(Field("note", "Note: what happened")),
            _incident,
            lambda view: f"Recorded an incident on {view.ref}",
        ),
        Form(
            Action.EDIT,
            "edit",
            "Correct what was taken down wrong (change only what was wrong)",
            _edit_fields,
            _edit,
            _corrected,
            button="Correct it",
        ),
        Form(
            Action.LETTER,
            "letter --issue",
            "Write a letter to the consumer, and record it as issued",
            _letter_fields,
            None,
            lambda view: f"Issued a letter on {view.ref}",
            button="Issue it",
            run=_issue_letter,
        ),
    )
}


def defaults(form: Form, state: State) -> Values:
    """What a form starts with: the config file's area for an acknowledgement, as `ack`."""
    if form.action == Action.ACKNOWLEDGE and state.settings.get("area"):
        return {"area": state.settings["area"]}
    return {}


# -- actions: not steps of the procedure, but taken from a case's screen too ------------------


def _add_action(session: Session, view: CaseView, values: Values) -> tuple[CaseView, str]:
    """`action add REF --kind K --what W --owner O (--due D | --within DURATION)`."""
    from zoneinfo import ZoneInfo

    from complaintctl.domain.calendar import format_due

    kind = _chosen(values, "kind", ActionKind)
    due, within = _optional(values, "due"), _optional(values, "within")
    added, after = session.add_action(
        view.ref, kind=kind, what=_text(values, "what"), owner=_text(values, "owner").strip(),
        due=due.strip() if due else None, within=within,
    )  # fmt: skip
    return after, (
        f"Opened action {added.id} on {added.ref} ({added.kind}), owned by {added.owner}, "
        f"due {format_due(added.due, ZoneInfo(added.zone), added.calendar)}: "
        f"{one_line(added.what)}"
    )


def _done_action(session: Session, view: CaseView, values: Values) -> tuple[CaseView, str]:
    """`action done ID [--note NOTE]`, for one of the case's open actions."""
    from zoneinfo import ZoneInfo

    from complaintctl.domain.calendar import format_due

    chosen = values.get("id")
    if not chosen:
        raise InvalidInput("choose the ID of an open action on the case")
    done, after = session.action_done(int(chosen), _optional(values, "note"))
    tz = ZoneInfo(done.zone)
    late = "on time" if done.on_time else f"late (due {format_due(done.due, tz, done.calendar)})"
    return after, f"Done: action {done.id} on {done.ref}, {late}: {one_line(done.what)}"


def _open_actions(view: CaseView) -> tuple[Field, ...]:
    return (
        Field("id", "The open action done", CHOICE,
              tuple(str(a.id) for a in view.actions), required=True, named="ID"),
        Field("note", "Note: what was done"),
    )  # fmt: skip


ACTION_FORMS: dict[Action, Form] = {
    form.action: form
    for form in (
        Form(
            Action.ACTION_OPENED,
            "action add",
            "Open an action: a remedy owed, or an improvement to the service",
            _fixed(
                Field(
                    "kind",
                    "Kind (remedy: owed to this consumer; improvement: to the service)",
                    CHOICE,
                    _values(ActionKind),
                    required=True,
                ),
                Field("what", "What is to be done, in a sentence"),
                Field("owner", "Owner: who owes it, active staff", placeholder="USERNAME"),
                Field("due", "Due (or --within)", placeholder="2027-01-15T17:00"),
                Field(
                    "within",
                    "Within this working time instead (10d, 4h, 1d4h)",
                    placeholder="DURATION",
                ),
            ),  # fmt: skip
            None,
            lambda view: f"Opened an action on {view.ref}",
            button="Open it",
            run=_add_action,
        ),
        Form(
            Action.ACTION_DONE,
            "action done",
            "Mark an open action done (its owner, a leader or a senior role)",
            _open_actions,
            None,
            lambda view: f"Marked an action done on {view.ref}",
            button="Done",
            run=_done_action,
        ),
    )
}
