"""Commands about what complaints taught: the list of causes, and the actions cases lead to."""

from typing import Annotated

import typer

from complaintctl.cli import completion
from complaintctl.cli.app import commands, current_state
from complaintctl.cli.helptext import HelpGroup
from complaintctl.cli.options import AsOf, At, Json, Ref, date_given, whole_number
from complaintctl.domain.procedure import ActionKind

cause_app = typer.Typer(
    cls=HelpGroup,
    help="List the causes a response may record (--cause), and add one (senior roles).",
    rich_markup_mode=None,
)
action_app = typer.Typer(
    cls=HelpGroup,
    help="Open, complete and list actions: remedies owed to consumers and improvements to the "
    "service, each with an owner and a due date.",
    rich_markup_mode=None,
)
commands.add_typer(cause_app, name="cause")
commands.add_typer(action_app, name="action")

ActionId = Annotated[
    int, typer.Argument(metavar="ID", parser=whole_number(1), help="The action's id.")
]


@cause_app.command("list")
def cause_list(ctx: typer.Context, json_output: Json = False) -> None:
    """List the causes a response may record: name and words."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(lambda uow, _: services.causes(uow), None)
    render.cause_list(state.output, views, json_output)


@cause_app.command("add")
def cause_add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Lower-case words joined by hyphens.")
    ],
    words: Annotated[str, typer.Option(help="What the cause means, as the report shows it.")],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Add a cause to the list (senior roles); recorded in the store's history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.add_cause(
            uow, name=name, words=words, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.cause_added(view, json_output)


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    ref: Ref,
    what: Annotated[str, typer.Option(help="What is to be done, in a sentence.")],
    owner: Annotated[
        str,
        typer.Option(
            metavar="USERNAME",
            help="Who owes it: active staff.",
            autocompletion=completion.usernames,
        ),
    ],
    kind: Annotated[
        ActionKind,
        typer.Option(
            help="remedy: owed to this consumer; improvement: to the service it revealed."
        ),
    ],
    due: Annotated[
        str | None,
        typer.Option(
            callback=date_given,
            metavar="DATETIME",
            help="When it is due (a date alone: the end of that day).",
        ),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Due this working time from --at (now by default) instead: 10d (the close "
            "of the 10th working day), 4h, 1d4h.",
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Open an action on a case (any active staff): a remedy owed or an improvement, with its
    owner; due at --due, or --within a working time. `overdue --kind action` lists it once
    past due."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.add_action(
            uow,
            ref=ref,
            kind=kind,
            what=what,
            owner=owner,
            due=state.instant(due, uow.calendar().tz, due=True) if due is not None else None,
            within=within,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.action_changed(view, json_output, "Opened")


@action_app.command("done")
def action_done(
    ctx: typer.Context,
    action_id: ActionId,
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Mark an action done (its owner, a leader or a senior role); stops its clock, on time
    or late."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.action_done(
            uow, action_id=action_id, note=note, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.action_changed(view, json_output, "Done")


@action_app.command("reassign")
def action_reassign(
    ctx: typer.Context,
    action_id: ActionId,
    to: Annotated[
        str,
        typer.Option(
            metavar="USERNAME",
            help="Who owes it from now: active staff.",
            autocompletion=completion.usernames,
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why it is handed on (kept in the history).")],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Hand an open action on to another owner (its owner, a leader or a senior role), as
    when its owner leaves; its due stays. Recorded in the case's history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.reassign_action(
            uow, action_id=action_id, to=to, reason=reason, by=state.actor, at=when,
            now=state.now,
        ),
        at,
    )  # fmt: skip
    render.action_changed(view, json_output, "Reassigned")


@action_app.command("list")
def action_list(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only those not done.")] = False,
    overdue_only: Annotated[
        bool, typer.Option("--overdue", help="Only those not done and past due.")
    ] = False,
    owner: Annotated[
        str | None,
        typer.Option(
            metavar="USERNAME", help="Only this owner's.", autocompletion=completion.usernames
        ),
    ] = None,
    kind: Annotated[ActionKind | None, typer.Option(help="Only remedies, or improvements.")] = None,
    as_of: AsOf = None,
    json_output: Json = False,
) -> None:
    """List actions by due date: id, case, kind, owner, due, and whether done."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(
        lambda uow, when: services.list_actions(
            uow, as_of=when, open_only=open_only, overdue_only=overdue_only, owner=owner,
            kind=kind,
        ),
        as_of,
    )  # fmt: skip
    render.action_list(state.output, views, json_output)
