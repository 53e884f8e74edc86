"""The shared working calendar: show it, add and remove closure days, refresh bank holidays,
set its zone, opening hours and bank-holiday region."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli.app import commands, current_state, parse_day
from complaintctl.cli.helptext import HelpGroup
from complaintctl.cli.options import At, Hours, Json, Region, Zone, date_given, whole_number

if TYPE_CHECKING:
    from complaintctl.cli.app import State
    from complaintctl.views import CalendarChange

calendar_app = typer.Typer(
    cls=HelpGroup,
    help="Show the working calendar deadlines are counted on, and change it: closure days, "
    "bank holidays, zone and opening hours.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
commands.add_typer(calendar_app, name="calendar")

Day = Annotated[
    str, typer.Argument(callback=date_given, metavar="DATE", help="The date, as YYYY-MM-DD.")
]
ClosedFrom = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATETIME",
        callback=date_given,
        help="List the closed days from this instant's date on (ISO 8601) [default: now].",
        show_default=False,
    ),
]
Retroactive = Annotated[
    str | None,
    typer.Option(
        "--retroactive",
        metavar="REASON",
        help="Why a change that moves deadlines because of time already past (a day already "
        "past or today; for `set`, time it counts differently), or puts a due behind now, is "
        "made all the same; without it such a change is refused.",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="List each deadline the change would move; write nothing."),
]


@calendar_app.callback()
def calendar_show(ctx: typer.Context, as_of: ClosedFrom = None, json_output: Json = False) -> None:
    """Show opening hours, the zone, bank holiday coverage and the next closed days."""
    if ctx.invoked_subcommand is not None:
        return
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    with state.unit_of_work(write=False) as uow:
        view = services.calendar_view(uow, as_of=state.as_of(as_of, uow.calendar().tz))
    render.calendar(state.output, view, json_output=json_output)


@calendar_app.command("close")
def calendar_close(
    ctx: typer.Context,
    day: Day,
    reason: Annotated[str, typer.Option(help="Why the office is closed, e.g. 'Office move'.")],
    retroactive: Retroactive = None,
    dry_run: DryRun = False,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Add a closure day (senior roles); open deadlines not yet breached are recomputed around
    it, each listed on stdout. A day already past, or today, moves deadlines only with
    --retroactive REASON; --dry-run lists what would move."""
    from complaintctl import services

    state = current_state(ctx)
    _change(
        state,
        lambda uow, **made: services.add_closure(
            uow, day=state.day_ahead(day, uow.calendar().tz), reason=reason, **made
        ),
        retroactive,
        dry_run,
        at,
        json_output,
    )


@calendar_app.command("reopen")
def calendar_reopen(
    ctx: typer.Context,
    day: Day,
    retroactive: Retroactive = None,
    dry_run: DryRun = False,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Remove a closure day (senior roles); open deadlines not yet breached are recomputed, but
    never to before now. A day already past, or today, moves deadlines only with
    --retroactive REASON; --dry-run lists what would move."""
    from complaintctl import services

    _change(
        current_state(ctx),
        lambda uow, **made: services.remove_closure(uow, day=parse_day(day), **made),
        retroactive,
        dry_run,
        at,
        json_output,
    )


@calendar_app.command("holidays")
def calendar_holidays(
    ctx: typer.Context,
    through: Annotated[
        int,
        typer.Option(
            metavar="YEAR",
            parser=whole_number(0, 9999),
            help="Know bank holidays up to the end of this year.",
        ),
    ],
    retroactive: Retroactive = None,
    dry_run: DryRun = False,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Write the bank holidays of the calendar's region up to a year, from the holidays
    package (senior roles).

    Run it when a deadline warns that bank holidays are not known that far ahead, or after
    upgrading to pick up newly announced holidays. Open deadlines are recomputed.
    """
    from complaintctl import services

    _change(
        current_state(ctx),
        lambda uow, **made: services.refresh_holidays(uow, through=through, **made),
        retroactive,
        dry_run,
        at,
        json_output,
    )


@calendar_app.command("set")
def calendar_set(
    ctx: typer.Context,
    zone: Zone = None,
    hours: Hours = None,
    region: Region = None,
    retroactive: Retroactive = None,
    dry_run: DryRun = False,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Change the calendar's zone, opening hours or bank-holiday region (senior roles), as if
    it had always been so; open deadlines not yet breached are recomputed, each listed on
    stdout. A change that counts time already past differently, or puts a due behind now,
    moves deadlines only with --retroactive REASON; --dry-run lists what would move."""
    from complaintctl import services

    wanted = services.CalendarWanted(zone, hours, region)
    _change(
        current_state(ctx),
        lambda uow, **made: services.change_calendar(uow, wanted=wanted, **made),
        retroactive,
        dry_run,
        at,
        json_output,
    )


def _change(
    state: "State",
    change: "Callable[..., CalendarChange]",
    retroactive: str | None,
    dry_run: bool,
    at: str | None,
    json_output: bool,
) -> None:
    """One calendar change in one transaction: `change` is given the unit of work and who
    makes it, when, and how it may reach back; what it moved is shown."""
    from complaintctl import services
    from complaintctl.cli import render

    made = state.change(
        lambda uow, when: change(
            uow,
            by=state.actor,
            at=when,
            now=state.now,
            retroactive=services.Retroactive(retroactive, dry_run),
        ),
        at,
    )
    render.calendar_change(made, json_output=json_output)
