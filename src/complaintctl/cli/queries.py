"""Commands that only read: overdue, show."""

from __future__ import annotations

from typing import Annotated

import typer

from complaintctl.cli.app import app, current_state
from complaintctl.cli.options import AsOf, Json, Ref
from complaintctl.errors import EXIT_OVERDUE


@app.command("overdue")
def overdue_command(
    ctx: typer.Context,
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
    """List acknowledgements past their 24-working-hour deadline, most overdue first.

    Shows how late each is in working hours and in calendar time. Exit status is 0 whatever it
    finds, unless --exit-code is given.
    """
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    with state.unit_of_work(write=False) as uow:
        report = services.overdue(uow, as_of=state.instant(as_of, uow.calendar().tz))
    render.overdue(report, json_output=json_output, csv_output=csv_output)
    if exit_code and report.items:
        raise typer.Exit(EXIT_OVERDUE)


@app.command("show")
def show_command(
    ctx: typer.Context, ref: Ref, as_of: AsOf = None, json_output: Json = False
) -> None:
    """Show a case: the consumer, its stage, each deadline and its state, and its history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    with state.unit_of_work(write=False) as uow:
        view = services.show_case(uow, ref=ref, as_of=state.instant(as_of, uow.calendar().tz))
    render.case(view, json_output=json_output)
