"""Commands that move a case through the procedure, from log to the Assessor's outcome.

Each step command gives its own options and what it does to one case; `step_command` adds the
references (one, several, or - for stdin) and the flags every step shares.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli import completion
from complaintctl.cli.app import State, commands, current_state
from complaintctl.cli.bulk import StepCall, step_command
from complaintctl.cli.options import At, ClosedRefs, IfVersionOfCase, Json, Ref, date_given
from complaintctl.domain.procedure import (
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    ContactMethod,
    Decision,
    Direction,
    OutOfScope,
    Remedy,
    Stage,
)

if TYPE_CHECKING:
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import CaseView, Stepped

DecisionOption = Annotated[
    Decision, typer.Option(help="The decision: upheld, partly-upheld or not-upheld.")
]
SummaryOption = Annotated[str, typer.Option(help="The response's reasons, in a sentence or two.")]
RemedyOption = Annotated[
    list[Remedy] | None,
    typer.Option(
        "--remedy",
        help="A remedy offered; repeat for several. A goodwill payment needs --goodwill.",
    ),
]
CauseOption = Annotated[
    list[str] | None,
    typer.Option(
        "--cause",
        metavar="CAUSE",
        help="What went wrong, from `complaintctl cause list`; repeat for several.",
    ),
]
GoodwillOption = Annotated[
    str | None,
    typer.Option(metavar="POUNDS", help="A goodwill payment, in pounds (e.g. 50, 49.99 or 1,250)."),
]


@commands.command("log")
def log_command(
    ctx: typer.Context,
    consumer: Annotated[str, typer.Option(help="The consumer's full name.")],
    channel: Annotated[
        Channel, typer.Option(help="How the complaint arrived.", case_sensitive=False)
    ],
    category: Annotated[
        Category,
        typer.Option(help="What part of our service it is about.", case_sensitive=False),
    ],
    summary: Annotated[str, typer.Option(help="What the consumer says went wrong.")],
    email: Annotated[str | None, typer.Option(help="The consumer's email address.")] = None,
    address: Annotated[str | None, typer.Option(help="The consumer's postal address.")] = None,
    dispute: Annotated[
        str | None, typer.Option(help="Reference of the dispute the complaint arose from.")
    ] = None,
    board: Annotated[
        bool, typer.Option("--board", help="Addressed to the executive team or the Board.")
    ] = False,
    about: Annotated[
        str | None,
        typer.Option(
            callback=date_given,
            metavar="DATE",
            help="When the service issue happened; over 6 months before receipt marks it out "
            "of time for triage.",
        ),
    ] = None,
    prefers: Annotated[
        ContactMethod | None,
        typer.Option(help="How the consumer prefers to be contacted.", case_sensitive=False),
    ] = None,
    adjustment: Annotated[
        list[str] | None,
        typer.Option(
            help="A reasonable adjustment (large-print, text-relay, bsl, advocate, or your own "
            "words); repeat for several."
        ),
    ] = None,
    override_restriction: Annotated[
        str | None,
        typer.Option(
            metavar="REASON",
            help="Senior roles: log despite the consumer's restriction, recording why.",
        ),
    ] = None,
    resolved_informally: Annotated[
        str | None,
        typer.Option(
            metavar="NOTE",
            help="Resolved on the spot at the informal stage: log it closed, saying how.",
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Log a complaint received; its acknowledgement is due 24 working hours after receipt.

    Prints the new reference. The consumer's earlier complaints, if any, are listed on stderr.
    Give --email, --address, or both.
    """
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.cli.app import parse_day

    state = current_state(ctx)
    complaint = services.NewComplaint(
        consumer=consumer,
        channel=channel,
        category=category,
        summary=summary,
        email=email,
        address=address,
        dispute=dispute,
        board=board,
        about=parse_day(about) if about else None,
        preferred_contact=prefers.value if prefers else None,
        adjustments=tuple(adjustment or ()),
    )
    view = state.change(
        lambda uow, when: services.log_complaint(
            uow,
            complaint=complaint,
            by=state.actor,
            at=when,
            now=state.now,
            override_restriction=override_restriction,
            resolved_informally=resolved_informally,
        ),
        at,
    )
    render.logged(view, json_output=json_output)


@step_command("ack")
def ack_command(
    state: State,
    area: Annotated[
        str | None,
        typer.Option(
            help="The area of the business best placed to deal with it [default: area in the "
            "config file].",
            show_default=False,
            autocompletion=completion.areas,
        ),
    ] = None,
    out_of_time_reason: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Why a complaint about an issue over 6 months old is accepted all the same.",
        ),
    ] = None,
) -> StepCall:
    """Acknowledge complaints and route them to an area; stops the acknowledgement clock and
    starts the response clock (24 working hours)."""
    from complaintctl import services
    from complaintctl.errors import InvalidInput

    if area is not None and not area.strip():
        # `--area "$AREA"` with AREA not set: refused, never routed to the config file's area.
        raise InvalidInput("--area must not be empty")
    routed_to = area if area is not None else state.settings.get("area")
    if routed_to is None:
        raise InvalidInput("say which area deals with it: --area AREA (or area in the config file)")
    return StepCall(
        lambda _: services.Acknowledge(routed_to, out_of_time_reason),
        lambda view: f"Acknowledged {view.ref}, routed to {view.area}",
    )


@step_command("assign")
def assign_command(
    state: State,
    to: Annotated[
        str,
        typer.Option(
            metavar="USERNAME",
            help="The responder, staff of the area; at the second stage, the new handler: a "
            "leader, senior-leader or senior-complaint-executive who did not give the "
            "first-stage response.",
            autocompletion=completion.usernames,
        ),
    ],
    reason: Annotated[
        str | None,
        typer.Option(help="Why it is handed on (needed at the second stage)."),
    ] = None,
) -> StepCall:
    """Assign the first-stage responder (the leader of the case's area, or a senior role), or
    hand a second-stage case on to another handler (its handler, or a senior role); the
    deadline stays as it was."""
    from complaintctl import services

    return StepCall(lambda _: services.Assign(to, reason), assigned)


def assigned(view: "Stepped") -> str:
    """What `assign` says it did: a responder named, or the second stage handed on."""
    if view.stage == Stage.SECOND_STAGE:
        return f"Handed the second stage of {view.ref} on to {view.handler}"
    return f"Assigned {view.ref} to {view.responder}"


@step_command("respond")
def respond_command(
    state: State,
    decision: DecisionOption,
    summary: SummaryOption,
    remedy: RemedyOption = None,
    goodwill: GoodwillOption = None,
    cause: CauseOption = None,
) -> StepCall:
    """Record the first-stage response (the assigned responder); stops the response clock."""
    from complaintctl import services

    remedies = services.Remedies(tuple(remedy or ()), goodwill)
    return StepCall(
        lambda _: services.Respond(decision, summary, remedies, tuple(cause or ())),
        lambda view: f"Responded to {view.ref}: {decision.value}",
    )


@step_command("extend")
def extend_command(
    state: State,
    until: Annotated[
        str,
        typer.Option(
            callback=date_given,
            metavar="DATETIME",
            help="The new deadline agreed with the consumer (a date alone: the end of that day).",
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why more time is needed, and how it was agreed.")],
) -> StepCall:
    """Replace the running response (or final response) deadline with a timescale agreed with
    the consumer for a complex case, before it passes. The old deadline stays in the history."""
    from complaintctl import services

    return StepCall(
        lambda uow: services.Extend(state.instant(until, uow.calendar().tz, due=True), reason),
        lambda view: f"Extended {view.ref}",
    )


@step_command("escalate")
def escalate_command(
    state: State,
    to: Annotated[
        str,
        typer.Option(
            metavar="USERNAME",
            help="The second-stage handler: a leader, senior-leader or "
            "senior-complaint-executive who did not give the first-stage response.",
            autocompletion=completion.usernames,
        ),
    ],
    reason: Annotated[str | None, typer.Option(help="Why the consumer escalated.")] = None,
) -> StepCall:
    """Escalate to the second stage on the consumer's behalf; the final response is due 20
    working days later."""
    from complaintctl import services

    return StepCall(
        lambda _: services.Escalate(to, reason),
        lambda view: f"Escalated {view.ref} to {view.handler}",
    )


@step_command("final")
def final_command(
    state: State,
    decision: DecisionOption,
    summary: SummaryOption,
    remedy: RemedyOption = None,
    goodwill: GoodwillOption = None,
    cause: CauseOption = None,
) -> StepCall:
    """Record the final response (the second-stage handler or a senior role); ends the
    procedure and opens the consumer's 3 months to ask for the Independent Assessor."""
    from complaintctl import services

    remedies = services.Remedies(tuple(remedy or ()), goodwill)
    return StepCall(
        lambda _: services.Final(decision, summary, remedies, tuple(cause or ())),
        lambda view: f"Final response on {view.ref}: {decision.value}",
    )


@step_command("refer")
def refer_command(
    state: State,
    outcome: Annotated[
        AssessorOutcome | None,
        typer.Option(help="Record the Independent Assessor's outcome instead of a referral."),
    ] = None,
    recommendation: Annotated[
        str | None, typer.Option(help="The Assessor's recommendation, with --outcome.")
    ] = None,
    late_reason: Annotated[
        str | None,
        typer.Option(help="Why a referral more than 3 months after the final response is taken."),
    ] = None,
) -> StepCall:
    """Record a referral to the Independent Assessor, or with --outcome the Assessor's outcome."""
    from complaintctl import services
    from complaintctl.errors import InvalidInput

    if outcome is None:
        if recommendation is not None:
            raise InvalidInput("--recommendation goes with --outcome")
        return StepCall(
            lambda _: services.Refer(late_reason),
            lambda view: f"Referred {view.ref} to the Independent Assessor",
        )
    if late_reason is not None:
        raise InvalidInput("--late-reason goes with a referral, not with --outcome")
    return StepCall(
        lambda _: services.Outcome(outcome, recommendation),
        lambda view: f"Assessor's outcome on {view.ref}: {outcome.value}",
    )


@step_command("close")
def close_command(
    state: State,
    reason: Annotated[CloseReason, typer.Option(help="Why the case closes.")],
    because: Annotated[
        OutOfScope | None,
        typer.Option(
            help="With --reason out-of-scope: which kind, so the consumer is told "
            "where to go instead."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Anything the record should say.")] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask first (it never asks in a pipe).")
    ] = False,
) -> StepCall:
    """Close cases at the first stage, or triage them out of scope; running clocks stop.

    At a terminal it asks first (only a senior can reopen a case): no closes nothing and
    exits 13; --yes does not ask.
    """
    from complaintctl import services

    def question(refs: list[str]) -> str:
        cases = refs[0] if len(refs) == 1 else f"{len(refs)} cases"
        return f"Close {cases} as {reason.value}? Only a senior can reopen it"

    return StepCall(
        lambda _: services.Close(reason, because, note),
        lambda view: f"Closed {view.ref}: {view.close_reason}",
        None if yes else question,
        "Not closed.",
    )


@step_command("reopen", refs=ClosedRefs)
def reopen_command(
    state: State,
    reason: Annotated[str, typer.Option(help="Why the close was a mistake.")],
) -> StepCall:
    """Undo a mistaken close (senior roles): back to the stage it was at, each clock the close
    stopped running again with its original due (a reopened case may be breached at once).

    """
    from complaintctl import services

    return StepCall(
        lambda _: services.Reopen(reason),
        lambda view: f"Reopened {view.ref}: {view.stage}",
    )


# An incident is not a step of the procedure: it leaves the case's version as it is.
@step_command("incident", versioned=False)
def incident_command(
    state: State,
    note: Annotated[str, typer.Option(help="What happened: abusive contact towards staff.")],
) -> StepCall:
    """Record abusive contact towards staff; shown on the consumer from then on."""
    from complaintctl import services

    return StepCall(
        lambda _: services.Incident(note),
        lambda view: f"Recorded an incident on {view.ref}",
    )


# A contact or a file note is not a step of the procedure either: the version stays.
@step_command("note", versioned=False)
def note_command(
    state: State,
    text: Annotated[str, typer.Option(help="What was said or sent, or the note itself.")],
    direction: Annotated[
        Direction | None,
        typer.Option(
            help="in: from the consumer; out: to them. With --channel.", case_sensitive=False
        ),
    ] = None,
    channel: Annotated[
        Channel | None,
        typer.Option(
            help="How: phone, email, post, online, in-person. With --direction.",
            case_sensitive=False,
        ),
    ] = None,
) -> StepCall:
    """Record a call, email or letter to or from the consumer, or a note on the file.

    The contact log shows the consumer was kept updated; `show` and `history` list it.
    """
    from complaintctl import services

    return StepCall(
        lambda _: services.Note(text, direction, channel),
        lambda view: f"Noted on {view.ref}",
    )


# The values of --summary and --address that open $EDITOR on the text as it stands.
EDITOR_VALUES = ("-e", "--editor")


@commands.command("edit")
def edit_command(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option(help="Why it is corrected: what was wrong.")],
    name: Annotated[str | None, typer.Option(help="The consumer's name.")] = None,
    email: Annotated[
        str | None, typer.Option(help='The consumer\'s email ("" removes it).')
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(
            help='The consumer\'s postal address ("" removes it; -e: in $VISUAL or $EDITOR).'
        ),
    ] = None,
    summary: Annotated[
        str | None,
        typer.Option(help="What the consumer says went wrong (-e: in $VISUAL or $EDITOR)."),
    ] = None,
    category: Annotated[
        Category | None,
        typer.Option(help="What part of our service it is about.", case_sensitive=False),
    ] = None,
    channel: Annotated[
        Channel | None, typer.Option(help="How the complaint arrived.", case_sensitive=False)
    ] = None,
    dispute: Annotated[
        str | None, typer.Option(help='The dispute it arose from ("" removes it).')
    ] = None,
    board: Annotated[
        bool | None,
        typer.Option("--board/--not-board", help="Addressed to the executive team or the Board."),
    ] = None,
    at: At = None,
    if_version: IfVersionOfCase = None,
    json_output: Json = False,
) -> None:
    """Correct what was taken down wrong, each change recorded with its old and new value.

    The name, email and address are the consumer's, so every case of theirs shows the
    correction. Once a case is closed or assessed only a senior may correct it. --summary -e
    (or --address -e) opens $VISUAL or $EDITOR on the text as it stands.
    """
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    fields = {
        key: value
        for key, value in {
            "name": name,
            "email": email,
            "address": address,
            "summary": summary,
            "category": category,
            "channel": channel,
            "dispute": dispute,
            "board": board,
        }.items()
        if value is not None
    }
    in_editor = [key for key in ("summary", "address") if fields.get(key) in EDITOR_VALUES]
    seen = if_version
    if in_editor:
        # Read first and edit outside any transaction: nobody waits on the store while the
        # officer types.
        def looked(uow: "UnitOfWork", when: datetime) -> "CaseView":
            # What would refuse the correction whatever is typed, refused before typing.
            if seen is not None:
                uow.seen_versions[ref.strip().upper()] = seen
            services.check_correction(
                uow, ref=ref, reason=reason, by=state.actor, at=when, now=state.now,
                fields={key: None if key in in_editor else value
                        for key, value in fields.items()},
            )  # fmt: skip
            return services.show_case(uow, ref=ref, as_of=state.now)

        view = state.read(looked, at, dated=True)
        for key in in_editor:
            fields[key] = _from_editor(getattr(view, key) or "", f"--{key}")
        # What was edited is the case as read: a change made meanwhile is not overwritten.
        seen = view.version if seen is None else seen

    def correct(uow: "UnitOfWork", when: datetime) -> "CaseView":
        if seen is not None:
            uow.seen_versions[ref.strip().upper()] = seen
        return services.correct(
            uow, ref=ref, reason=reason, fields=fields, by=state.actor, at=when, now=state.now
        )

    from complaintctl.domain.retention import edited_fields  # hashlib: not at start-up

    view = state.change(correct, at)
    changed = edited_fields(view.history[-1].details)
    render.stepped(view, json_output, f"Corrected {view.ref}: {', '.join(changed)}")


def _from_editor(text: str, option: str) -> str:
    """The text as the officer leaves it in $VISUAL or $EDITOR (vi if neither is set), from a
    private temporary file removed afterwards; refused if the editor fails, leaves no file, or
    saves it in another encoding than UTF-8 (never kept with its letters replaced)."""
    import codecs
    import contextlib
    import os
    import shlex
    import subprocess
    import tempfile

    from complaintctl.errors import InvalidInput

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    handle, name = tempfile.mkstemp(prefix="complaintctl-", suffix=".txt")  # 0600: theirs only
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        try:
            finished = subprocess.run([*shlex.split(editor), name], check=False)
        except (OSError, ValueError) as err:
            raise InvalidInput(f"{option}: cannot run the editor {editor!r}: {err}") from None
        if finished.returncode != 0:
            raise InvalidInput(
                f"{option}: the editor {editor!r} exited with status {finished.returncode}; "
                "nothing changed"
            )
        try:
            with open(name, "rb") as file:
                saved = file.read()
        except OSError:  # removed, or made a folder: there is no text to take
            raise InvalidInput(
                f"{option}: the editor {editor!r} left no file to read; nothing changed"
            ) from None
        # An editor may save a byte-order mark first: it is no part of the text.
        saved = saved.removeprefix(codecs.BOM_UTF8)
        try:
            return saved.decode("utf-8")
        except UnicodeDecodeError as err:
            line = saved[: err.start].count(b"\n") + 1
            raise InvalidInput(
                f"{option}: the editor {editor!r} saved text that is not UTF-8 (line {line}, "
                f"byte 0x{saved[err.start]:02x}): save it as UTF-8; nothing changed"
            ) from None
    finally:
        # Gone, or a folder the editor made in its place (which holds none of the text).
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(name)
