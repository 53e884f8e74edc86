"""Commands that only read: queue, overdue, find, show, history, report."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from complaintctl import config
from complaintctl.cli.app import State, commands, current_state
from complaintctl.cli.options import (
    STAFF_KIND,
    Area,
    AsOf,
    Board,
    CategoryFilter,
    Csv,
    Json,
    Limit,
    Mine,
    OpenStage,
    OpenStages,
    Owner,
    Ref,
    StaffDeadline,
    Unassigned,
    date_given,
    owner_filter,
    whole_number,
)
from complaintctl.domain import policy
from complaintctl.domain.procedure import Category
from complaintctl.errors import EXIT_OVERDUE


@commands.command("overdue")
def overdue_command(
    ctx: typer.Context,
    kind: Annotated[
        list[StaffDeadline] | None,
        typer.Option(
            help="Only this kind of deadline; repeat for several [default: all].",
            click_type=STAFF_KIND,
        ),
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
    responses, restriction reviews, actions and subject-access requests.

    Shows how late each is in working hours and in calendar time. Exit status is 0 whatever it
    finds, unless --exit-code is given.
    """
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.errors import InvalidInput

    if json_output and csv_output:
        raise InvalidInput("one of --json or --csv at a time")
    if summary and (json_output or csv_output):
        raise InvalidInput("--summary is a digest for people; --json and --csv list every item")
    state = current_state(ctx)
    report = state.read(
        lambda uow, when: services.overdue(
            uow,
            as_of=when,
            kinds=[k.value for k in kind or ()],
            due_within=due_within,
            as_recorded=as_of is not None,
        ),
        as_of,
    )
    if summary:
        import shlex

        # The rest of the digest are those of the same kinds as of the same instant.
        again = ["complaintctl", "overdue"]
        for each in kind or ():
            again += ["--kind", each.value]
        if as_of is not None:
            again += ["--as-of", as_of]
        render.overdue_summary(report, shlex.join(again))
    else:
        render.overdue(
            state.output, report, json_output=json_output, csv_output=csv_output, limit=limit
        )
    if exit_code and any(item.late_calendar.total_seconds() > 0 for item in report.items):
        raise typer.Exit(EXIT_OVERDUE)


@commands.command("queue")
def queue_command(
    ctx: typer.Context,
    stage: OpenStages = None,
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
        str | None,
        typer.Option(
            metavar="DURATION",
            help="How close to due a case turns amber [default: warn_within in the config "
            "file, else 4h].",
            show_default=False,
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="A saved view: the filters of [views.NAME] in the config file (complaintctl "
            "config); options given here add to them or override them.",
        ),
    ] = None,
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
    from complaintctl.errors import InvalidInput

    if json_output and csv_output:
        raise InvalidInput("one of --json or --csv at a time")
    state = current_state(ctx)
    arguments = queue_arguments(
        state,
        view,
        stage=stage,
        area=area,
        owner=owner,
        mine=mine,
        unassigned=unassigned,
        breached=breached,
        due_within=due_within,
        category=category,
        board=board,
        warn_within=warn_within,
    )
    report = state.read(
        lambda uow, when: services.queue(
            uow, as_of=when, as_recorded=as_of is not None, **arguments
        ),
        as_of,
    )
    render.queue(state.output, report, json_output=json_output, csv_output=csv_output, limit=limit)


def queue_arguments(
    state: State,
    view: str | None,
    *,
    stage: list[OpenStage] | None = None,
    area: str | None = None,
    owner: str | None = None,
    mine: bool = False,
    unassigned: bool = False,
    breached: bool = False,
    due_within: str | None = None,
    category: Category | None = None,
    board: bool | None = None,
    warn_within: str | None = None,
) -> dict[str, Any]:
    """The queue's filters as services.queue takes them (but `as_of`): the options given, over
    a saved view's, over the config file's settings (`queue` and `live` alike)."""
    # A duration the store refuses (more than 2100h of working time) is named as the
    # config file's key where it came from there, not as an option never typed.
    in_file = f"config file {(state.config or config.load()).path}: "
    named: dict[str, str] = {}
    if warn_within is None and state.settings.get("warn_within"):
        named["warn_within_named"] = in_file + "warn_within"
    if view is not None:
        saved = state.saved_view(view)
        stage = stage or [
            OpenStage(config.view_choice("stage", s, f"{in_file}views.{view}.stage"))
            for s in saved.get("stage", [])
        ]
        # An option given replaces the view's value, an empty one too (refused as it would
        # be alone, never taken for no option). An area or owner that names no one is
        # refused naming the view's key it came from.
        if area is None:
            area = saved.get("area")
            if area:
                named["area_named"] = f"{in_file}views.{view}.area"
        # --owner and --mine are one filter: either given replaces the view's owner or mine.
        if owner is None and not mine:
            owner, mine = saved.get("owner"), saved.get("mine", False)
            if owner:
                named["owner_named"] = f"{in_file}views.{view}.owner"
        unassigned = unassigned or saved.get("unassigned", False)
        breached = breached or saved.get("breached", False)
        if due_within is None:
            due_within = saved.get("due_within")
            if due_within:
                named["due_within_named"] = f"{in_file}views.{view}.due_within"
        if category is None and "category" in saved:
            category = Category(
                config.view_choice("category", saved["category"], f"{in_file}views.{view}.category")
            )
        board = saved.get("board") if board is None else board
    return {
        "stages": [s.value for s in stage or ()],
        "area": area,
        "owner": owner_filter(state.acting(owner=True) if mine else state.actor, owner, mine),
        "unassigned": unassigned,
        "breached": breached,
        "due_within": due_within,
        "category": category.value if category else None,
        "board": board,
        # An empty --warn-within (a variable not set) is refused as no duration, not taken
        # for the default.
        "warn_within": state.settings.get("warn_within") or policy.WARN_WITHIN
        if warn_within is None
        else warn_within,
        **named,
    }


FIND_LIMIT = 50  # enough for a name read out on the phone; --limit 0 lists them all


@commands.command("find")
def find_command(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="Words the case holds: part of its reference (000123), the consumer's name, "
            "email or address, a dispute reference, words of the summary.",
        ),
    ],
    limit: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=whole_number(0),
            help=f"List at most N cases, 0 for all [default: {FIND_LIMIT}].",
            show_default=False,
        ),
    ] = None,
    json_output: Json = False,
) -> None:
    """Find cases, open or closed, by what the consumer says: most recently received first.

    Every word must appear, case aside, in the reference, dispute reference, the consumer's
    name, email or address, or the summary; part of a word will do (smi, @example.com,
    000123). The text takes at least 3 characters, but a case number on its own may be
    shorter (12 finds SC-2026-000012 and the 12th case of every other year).
    """
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.domain.search import SearchText

    SearchText.parse(text)  # a text too short is refused before the store is opened
    state = current_state(ctx)
    report = state.read(
        lambda uow, _: services.find_cases(
            uow, text=text, limit=FIND_LIMIT if limit is None else limit or None
        ),
        None,
    )
    render.found(state.output, report, json_output=json_output)


@commands.command("show")
def show_command(
    ctx: typer.Context, ref: Ref, as_of: AsOf = None, json_output: Json = False
) -> None:
    """Show a case: the consumer and their needs, restrictions, each deadline and its state,
    and the latest history."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(
        lambda uow, when: services.show_case(
            uow, ref=ref, as_of=when, as_recorded=as_of is not None
        ),
        as_of,
    )
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

    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.cli.app import State
    from complaintctl.errors import InvalidInput
    from complaintctl.files import check_destination, file_named
    from complaintctl.services import demo
    from complaintctl.text import half_character, shell_word

    if into is not None:
        file_named(into, "demo --into")
        if half := half_character(into):  # no store's URL can carry it: said here, not as --db
            raise InvalidInput(
                f"demo --into holds {half}, half of a character (a byte that is not UTF-8): "
                "name the file in UTF-8"
            )
    state = current_state(ctx)
    if into is None:
        path = Path(tempfile.mkdtemp(prefix="complaintctl-demo-")) / "demo.sqlite3"
    else:
        # A new file in a folder that is there: no folders made, no link followed, and never
        # your own store's journal (-wal, -shm), which SQLite would read with the store.
        path = check_destination(
            Path(into), force=None, protected=_own_store_files(state), streams=False
        )
    sandbox = State(
        db=str(path), actor="sam", now=state.now, plain=state.plain, origin=state.origin
    )
    refs = demo.fill(lambda: sandbox.unit_of_work(write=True), sandbox.now)
    report = sandbox.read(lambda uow, when: services.queue(uow, as_of=when), None)
    render.queue(state.output, report, json_output=False, csv_output=False)
    render.note(
        f"Demo store with {len(refs)} cases: {shell_word(str(path))}\n"
        f"Try: export COMPLAINTCTL_DB={shell_word(str(path))} COMPLAINTCTL_USER=olu\n"
        f"     complaintctl show {refs[3]}; complaintctl overdue; complaintctl history {refs[6]}"
    )


def _own_store_files(state: State) -> list[Path]:
    """The journal files of the store --db (or COMPLAINTCTL_DB) names, where it names one that
    can be read: the sandbox never needs that store, so one that cannot be named is no reason
    to refuse it. The store's own file is not among them: a store that is there is refused as
    a file that exists, and where there is none yet the sandbox may be made at its path
    (`--db demo.sqlite3 demo --into demo.sqlite3`)."""
    import os

    from complaintctl.errors import StoreUnavailable
    from complaintctl.store.db import sqlite_file

    try:
        path = sqlite_file(state.url())
        files = state.store_files()
    except StoreUnavailable:
        return []
    store = os.path.realpath(path) if path is not None else None
    return [file for file in files if os.path.realpath(file) != store]


class ReportBy(StrEnum):
    AREA = "area"
    CATEGORY = "category"
    CHANNEL = "channel"
    MONTH = "month"


class Compare(StrEnum):
    PREVIOUS = "previous"


@commands.command("report")
def report_command(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="2026-11 (a month), 2026-Q4 (a quarter), 2026 (a year) or 2026-27 (the "
            "financial year, April to March).",
            show_default=False,
        ),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from",
            callback=date_given,
            metavar="DATE",
            help="The first day of the period, instead of --period.",
            show_default=False,
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--to",
            callback=date_given,
            metavar="DATE",
            help="The last day of the period (included).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        ReportBy | None,
        typer.Option("--by", help="Also count each area, category, channel or month apart."),
    ] = None,
    compare: Annotated[
        Compare | None,
        typer.Option("--compare", help="Show the period before beside it."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            callback=date_given,
            metavar="DATETIME",
            help="Count only what had been recorded by this instant, if before the period's "
            "end (ISO 8601) [default: now].",
            show_default=False,
        ),
    ] = None,
    json_output: Json = False,
    csv_output: Csv = False,
    html: Annotated[
        str | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write a printable Board report, one page needing nothing else to open, "
            "broken down by month unless --by says otherwise (charts with the charts extra).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the file at --html if there is one (with --html only)."
        ),
    ] = False,
    cases: Annotated[
        str | None,
        typer.Option(
            "--cases",
            metavar="FIGURE",
            help="List the references of the cases a count of the period counted, one a line "
            "(responded_late, or open_cases.first-stage for a part).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Count the figures the Board sees for a period: complaints received, acknowledgements,
    first-stage and final responses on time, outcomes, remedies, referrals, restrictions and
    the backlog at the period's end.

    Each deadline is judged by what had been recorded by the end of the period (or --as-of),
    so a past period's figures stay the same whatever is recorded later. The README defines
    every figure.
    """
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.cli.app import parse_day
    from complaintctl.errors import InvalidInput

    if sum((json_output, csv_output, html is not None)) > 1:
        raise InvalidInput("one of --json, --csv or --html at a time")
    if cases is not None and (json_output or csv_output or html is not None or compare):
        raise InvalidInput(
            "--cases lists one figure's cases, one a line, on its own (or with --by, each "
            "case beside its group)"
        )
    from complaintctl.files import file_named, forced_with

    forced_with(force, html, "--html")
    if html is not None:
        file_named(html, "--html")
    state = current_state(ctx)
    days = [parse_day(day) if day else None for day in (first, last)]
    chosen = services.report_period(period, days[0], days[1])

    if cases is not None:
        counted = state.read(
            lambda uow, when: services.figure_cases(
                uow,
                period=chosen,
                as_of=when,
                now=state.now,
                figure=cases,
                by=by.value if by else None,
            ),
            as_of,
        )
        render.figure_cases(counted)
        return
    view = state.read(
        lambda uow, when: services.report(
            uow,
            period=chosen,
            as_of=when,
            now=state.now,
            by=by.value if by else ("month" if html else None),
            compare=compare is not None,
        ),
        as_of,
        # Counted over the kept facts and the cases replayed beside them: every statement
        # must see the same store (PostgreSQL's REPEATABLE READ).
        snapshot=True,
    )
    if html is None:
        render.report(state.output, view, json_output=json_output, csv_output=csv_output)
        return
    from pathlib import Path

    from complaintctl.files import new_text_file

    page = render.report_html(view)
    with new_text_file(
        Path(html), force=force, protected=state.store_files(), streams=False
    ) as out:
        out.write(page)
    render.report_written(view, html)
