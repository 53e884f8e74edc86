"""Commands that change a case: log, ack."""

from __future__ import annotations

from typing import Annotated

import typer

from complaintctl.cli.app import app, current_state
from complaintctl.cli.options import At, Json, Ref
from complaintctl.domain.procedure import Category, Channel


@app.command("log")
def log_command(
    ctx: typer.Context,
    consumer: Annotated[str, typer.Option(help="The consumer's full name.")],
    channel: Annotated[Channel, typer.Option(help="How the complaint arrived.")],
    category: Annotated[Category, typer.Option(help="What part of our service it is about.")],
    summary: Annotated[str, typer.Option(help="What the consumer says went wrong.")],
    email: Annotated[str | None, typer.Option(help="The consumer's email address.")] = None,
    address: Annotated[str | None, typer.Option(help="The consumer's postal address.")] = None,
    dispute: Annotated[
        str | None, typer.Option(help="Reference of the dispute the complaint arose from.")
    ] = None,
    board: Annotated[
        bool, typer.Option("--board", help="Addressed to the executive team or the Board.")
    ] = False,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Log a complaint received; its acknowledgement is due 24 working hours after receipt.

    Prints the new reference. The consumer's earlier complaints, if any, are listed on stderr.
    Give --email, --address, or both.
    """
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    with state.unit_of_work(write=True) as uow:
        view = services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer=consumer,
                channel=channel,
                category=category,
                summary=summary,
                email=email,
                address=address,
                dispute=dispute,
                board=board,
            ),
            by=state.actor,
            at=state.instant(at, uow.calendar().tz),
            now=state.now,
        )
    render.logged(view, json_output=json_output)


@app.command("ack")
def ack_command(
    ctx: typer.Context,
    ref: Ref,
    area: Annotated[
        str, typer.Option(help="The area of the business best placed to deal with it.")
    ],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Acknowledge a complaint and route it to an area; stops the acknowledgement clock."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    with state.unit_of_work(write=True) as uow:
        view = services.acknowledge(
            uow,
            ref=ref,
            area=area,
            by=state.actor,
            at=state.instant(at, uow.calendar().tz),
            now=state.now,
        )
    render.acknowledged(view, json_output=json_output)
