"""`live`: the officer's live view of the queue and its cases (complaintctl.live)."""

from typing import Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import Area, Mine, Owner


@commands.command("live")
def live_command(
    ctx: typer.Context,
    area: Area = None,
    owner: Owner = None,
    mine: Mine = False,
    view: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="A saved queue view: the filters of [views.NAME] in the config file, as "
            "`queue --view` takes them.",
        ),
    ] = None,
) -> None:
    """Work the queue in one screen that stays open: open a case, take a step, look again.

    The queue as `queue` lists it, read again every minute and after every step; `v` chooses
    a saved view or filters; `/` searches as `find` does; Enter opens a case as `show` has it,
    with its history, `explain` for a deadline (e), the steps open to you at its stage (t),
    edit and letter --issue among them, and `action add` or `action done` (a), each in a form
    that takes it as its command does; q quits. Needs the `live` extra: pip install
    'complaintctl[live]'.
    """
    import importlib.util

    from complaintctl.cli.queries import queue_arguments
    from complaintctl.errors import InvalidInput

    state = current_state(ctx)
    if state.plain:  # asked for lines: the screen would ignore it
        raise InvalidInput(
            "live is a full screen, never plain lines; `queue --plain` lists the queue as "
            "tab-separated lines"
        )
    if importlib.util.find_spec("textual") is None:
        raise InvalidInput("live needs Textual: pip install 'complaintctl[live]'")
    from complaintctl import live

    filters = queue_arguments(state, view, area=area, owner=owner, mine=mine)
    live.run(state, filters)
