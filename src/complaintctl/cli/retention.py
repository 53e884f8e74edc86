"""Commands about keeping personal data: the retention policy, what is due, removing it, and
legal holds (services/retention.py). Erasure on request is `consumer erase` (cli/people.py)."""

from typing import Annotated

import typer

from complaintctl.cli import completion
from complaintctl.cli.app import commands, current_state
from complaintctl.cli.helptext import HelpGroup
from complaintctl.cli.options import AsOf, At, Json, whole_number

retention_app = typer.Typer(
    cls=HelpGroup,
    help="Keep personal data 6 years after a case's procedure ended (the policy), list what "
    "is due and remove it (senior roles).",
    rich_markup_mode=None,
)
hold_app = typer.Typer(
    cls=HelpGroup,
    help="Put a case or a consumer on legal hold, so retention and erasure never remove it "
    "(leaders and senior roles), list and lift holds.",
    rich_markup_mode=None,
)
commands.add_typer(retention_app, name="retention")
commands.add_typer(hold_app, name="hold")

Reason = Annotated[str, typer.Option(help="Why, as the history records it.")]


@retention_app.command("policy")
def retention_policy(
    ctx: typer.Context,
    years: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=whole_number(1),
            help="Change the policy (senior roles): remove personal data N years after a "
            "case's procedure ended.",
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why the policy changes.")] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Show the retention policy in force and the ones before it; with --years and --reason,
    change it (senior roles), recorded."""
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.errors import InvalidInput

    state = current_state(ctx)
    if years is None:
        if reason is not None:
            raise InvalidInput("--reason goes with --years (a change of policy)")
        views = state.read(lambda uow, _: services.show_policy(uow), None)
        render.retention_policy(views, json_output)
        return
    if reason is None:
        raise InvalidInput("say why the policy changes: --reason")
    view = state.change(
        lambda uow, when: services.set_policy(
            uow, years=years, reason=reason, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.retention_policy_set(view, json_output)


@retention_app.command("list")
def retention_list(ctx: typer.Context, as_of: AsOf = None, json_output: Json = False) -> None:
    """List the cases and consumers whose personal data is due for removal, each with the
    date it became due; held or kept ones say why; then the legal holds in force. With
    --as-of, holds, requests and restrictions count as they stood then."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(lambda uow, when: services.retention_due(uow, as_of=when), as_of)
    render.retention_due(state.output, view, json_output)


@retention_app.command("apply")
def retention_apply(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; write nothing.")
    ] = False,
    json_output: Json = False,
) -> None:
    """Remove the personal data that is due now (senior roles), in one transaction: each
    value replaced by a marker naming the date and the policy. Figures and the history's
    seal stay as they were. Run it from cron, after a --dry-run."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, _: services.apply_retention(
            uow, by=state.actor, now=state.now, dry_run=dry_run
        ),
        None,
    )
    render.anonymised(view, json_output)


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    reason: Reason,
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="[REF]",
            help="The case to hold (or --consumer-id).",
            autocompletion=completion.case_refs,
            show_default=False,
        ),
    ] = None,
    consumer_id: Annotated[
        int | None,
        typer.Option(
            "--consumer-id",
            metavar="N",
            parser=whole_number(1),
            help="Hold a consumer and all their cases instead.",
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Put a case, or a consumer with all their cases, on legal hold (leaders and senior
    roles): nothing held is removed until the hold is lifted."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.add_hold(
            uow,
            ref=ref,
            consumer_id=consumer_id,
            reason=reason,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.hold_changed(view, json_output, "Added")


@hold_app.command("lift")
def hold_lift(
    ctx: typer.Context,
    hold_id: Annotated[int, typer.Argument(metavar="ID", parser=whole_number(1))],
    reason: Reason,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Lift a legal hold (leaders and senior roles): retention applies again."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.lift_hold(
            uow, hold_id=hold_id, reason=reason, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.hold_changed(view, json_output, "Lifted")


@hold_app.command("list")
def hold_list(
    ctx: typer.Context,
    all_holds: Annotated[bool, typer.Option("--all", help="Include lifted ones.")] = False,
    json_output: Json = False,
) -> None:
    """List legal holds in force (with --all, lifted ones too)."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(lambda uow, _: services.list_holds(uow, include_lifted=all_holds), None)
    render.hold_list(state.output, views, json_output, lifted=all_holds)
