"""`explain`: why a deadline falls where it does, day by day, in plain lines."""

from typing import Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import AsOf, CaseDeadline, Json, Ref, whole_number


@commands.command("explain")
def explain_command(
    ctx: typer.Context,
    ref: Ref,
    kind: Annotated[
        CaseDeadline | None,
        typer.Argument(
            metavar="KIND",
            help="Which deadline [default: the one running, else the latest].",
            show_default=False,
        ),
    ] = None,
    action: Annotated[
        int | None,
        typer.Option(
            "--action",
            metavar="ID",
            parser=whole_number(1),
            help="Which action's due (kind action), when the case has several.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    json_output: Json = False,
) -> None:
    """Explain why a deadline falls where it does: its rule and start, the calendar, each day
    counted or skipped (weekends, bank holidays, closures), any extension, and the working
    time used and left. Kind `action` explains an action's due: the working time counted from
    its opening, or the date set by hand, and whether it was done by then."""
    from complaintctl.cli import render
    from complaintctl.services.explain import explain_deadline

    state = current_state(ctx)
    wanted = kind.value if kind else None
    view = state.read(
        lambda uow, when: explain_deadline(
            uow, ref=ref, kind=wanted, as_of=when, action=action, as_recorded=as_of is not None
        ),
        as_of,
    )
    render.explain(view, json_output=json_output)
