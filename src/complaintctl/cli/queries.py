"""Commands that only read: overdue, show, history."""

from __future__ import annotations

from typing import Annotated

import typer

from complaintctl.cli.app import app, current_state
from complaintctl.cli.options import AsOf, Json, Ref
from complaintctl.domain.procedure import OverdueKind
from complaintctl.errors import EXIT_OVERDUE


@app.command("overdue")
def overdue_command(
    ctx: typer.Context,
    kind: Annotated[
        list[OverdueKind] | None,
        typer.Option(help="Only this kind of deadline; repeat for several [default: all]."),
    ] = None,
    as_of: AsOf = None,
    json_output: Json = False,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")] = False,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help=f"Exit with status {EXIT_OVERDUE} when anything is overdue (for cron jobs).",
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

    state = current_state(ctx)
    report = state.read(
        lambda uow, when: services.overdue(uow, as_of=when, kinds=[k.value for k in kind or ()]),
        as_of,
    )
    render.overdue(report, json_output=json_output, csv_output=csv_output)
    if exit_code and report.items:
        raise typer.Exit(EXIT_OVERDUE)


@app.command("show")
def show_command(
    ctx: typer.Context, ref: Ref, as_of: AsOf = None, json_output: Json = False
) -> None:
    """Show a case: the consumer and their needs, restrictions, each deadline and its state,
    and the latest history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(lambda uow, when: services.show_case(uow, ref=ref, as_of=when), as_of)
    render.case(view, json_output=json_output)


@app.command("history")
def history_command(ctx: typer.Context, ref: Ref, json_output: Json = False) -> None:
    """Show a case's whole history: every step, who took it, when it happened and when it was
    recorded, and its details."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(lambda uow, when: services.show_case(uow, ref=ref, as_of=when), None)
    render.history(view, json_output=json_output)
