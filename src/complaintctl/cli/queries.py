"""Commands that only read: queue, overdue, show, history."""

from typing import Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import (
    Area,
    AsOf,
    Board,
    CategoryFilter,
    Csv,
    Json,
    Limit,
    Mine,
    Owner,
    Ref,
    StaffDeadline,
    Stages,
    Unassigned,
    owner_filter,
)
from complaintctl.errors import EXIT_OVERDUE


@commands.command("overdue")
def overdue_command(
    ctx: typer.Context,
    kind: Annotated[
        list[StaffDeadline] | None,
        typer.Option(help="Only this kind of deadline; repeat for several [default: all]."),
    ] = None,
    due_within: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Also list what falls due within this much working time (4h, 2d, 1d4h), "
            "for a morning report.",
        ),
    ] = None,
    as_of: AsOf = None,
    limit: Limit = None,
    json_output: Json = False,
    csv_output: Csv = False,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help=f"Exit with status {EXIT_OVERDUE} when anything is overdue (for cron jobs).",
        ),
    ] = False,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="A digest for a mail: how many of each kind, then the most overdue few.",
        ),
    ] = False,
) -> None:
    """List deadlines past due, most overdue first: acknowledgements, responses, final
    responses and restriction reviews.

    Shows how late each is in working hours and in calendar time. Exit status is 0 whatever it
    finds, unless --exit-code is given.
    """
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.errors import InvalidInput

    if summary and (json_output or csv_output):
        raise InvalidInput("--summary is a digest for people; --json and --csv list every item")
    state = current_state(ctx)
    report = state.read(
        lambda uow, when: services.overdue(
            uow, as_of=when, kinds=[k.value for k in kind or ()], due_within=due_within
        ),
        as_of,
    )
    if summary:
        render.overdue_summary(report)
    else:
        render.overdue(
            state.output, report, json_output=json_output, csv_output=csv_output, limit=limit
        )
    if exit_code and any(item.late_calendar.total_seconds() > 0 for item in report.items):
        raise typer.Exit(EXIT_OVERDUE)


@commands.command("queue")
def queue_command(
    ctx: typer.Context,
    stage: Stages = None,
    area: Area = None,
    owner: Owner = None,
    mine: Mine = False,
    unassigned: Unassigned = False,
    breached: Annotated[
        bool, typer.Option("--breached", help="Only cases whose next deadline has passed.")
    ] = False,
    due_within: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Only cases whose next deadline falls within this much working time "
            "(4h, 2d, 1d4h; d is a working day), or has passed.",
        ),
    ] = None,
    category: CategoryFilter = None,
    board: Board = None,
    warn_within: Annotated[
        str,
        typer.Option(metavar="DURATION", help="How close to due a case turns amber."),
    ] = "4h",
    as_of: AsOf = None,
    limit: Limit = None,
    json_output: Json = False,
    csv_output: Csv = False,
) -> None:
    """List open cases, most urgent first: each one's next deadline and the working time left.

    Red: breached. Amber: due within --warn-within (4 working hours). Flags: A the consumer
    has reasonable adjustments, R is under a restriction, B addressed to the Board.
    """
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    owner = owner_filter(state.actor, owner, mine)
    report = state.read(
        lambda uow, when: services.queue(
            uow,
            as_of=when,
            stages=[s.value for s in stage or ()],
            area=area,
            owner=owner,
            unassigned=unassigned,
            breached=breached,
            due_within=due_within,
            category=category.value if category else None,
            board=board,
            warn_within=warn_within,
        ),
        as_of,
    )
    render.queue(state.output, report, json_output=json_output, csv_output=csv_output, limit=limit)


@commands.command("show")
def show_command(
    ctx: typer.Context, ref: Ref, as_of: AsOf = None, json_output: Json = False
) -> None:
    """Show a case: the consumer and their needs, restrictions, each deadline and its state,
    and the latest history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(lambda uow, when: services.show_case(uow, ref=ref, as_of=when), as_of)
    render.case(state.output, view, json_output=json_output)


@commands.command("history")
def history_command(ctx: typer.Context, ref: Ref, json_output: Json = False) -> None:
    """Show a case's whole history: every step, who took it, when it happened and when it was
    recorded, and its details."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(lambda uow, when: services.show_case(uow, ref=ref, as_of=when), None)
    render.history(state.output, view, json_output=json_output)


@commands.command("demo")
def demo_command(
    ctx: typer.Context,
    into: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Make the sandbox store at this new file [default: a new temporary folder].",
        ),
    ] = None,
) -> None:
    """Make a sandbox store full of realistic cases at every stage, and show its queue.

    For trying complaintctl and training new staff: it never touches your own store. The
    output says how to point other commands at the sandbox.
    """
    import tempfile
    from pathlib import Path

    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.cli.app import State
    from complaintctl.files import check_destination
    from complaintctl.services import demo

    state = current_state(ctx)
    if into is None:
        path = Path(tempfile.mkdtemp(prefix="complaintctl-demo-")) / "demo.sqlite3"
    else:
        # A new file in a folder that is there: no folders made, no link followed.
        path = check_destination(Path(into), force=None)
    sandbox = State(
        db=str(path), actor="sam", now=state.now, plain=state.plain, origin=state.origin
    )
    refs = demo.fill(lambda: sandbox.unit_of_work(write=True), sandbox.now)
    report = sandbox.read(lambda uow, when: services.queue(uow, as_of=when), None)
    render.queue(state.output, report, json_output=False, csv_output=False)
    render.note(
        f"Demo store with {len(refs)} cases: {path}\n"
        f"Try: export COMPLAINTCTL_DB={path} COMPLAINTCTL_USER=olu\n"
        f"     complaintctl show {refs[3]}; complaintctl overdue; complaintctl history {refs[6]}"
    )
