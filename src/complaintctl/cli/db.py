"""The store itself: which schema revision it is at, upgrading it, backing it up, and checking
its history's seal."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.helptext import HelpGroup
from complaintctl.cli.options import At, Hours, Json, Region, Zone

if TYPE_CHECKING:
    from datetime import datetime

    from complaintctl.cli.app import State
    from complaintctl.store.uow import UnitOfWork

db_app = typer.Typer(
    cls=HelpGroup,
    help="The store itself: its schema revision, upgrades, backups, checks.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
commands.add_typer(db_app, name="db")


@db_app.command("init")
def db_init(
    ctx: typer.Context,
    zone: Zone = None,
    hours: Hours = None,
    region: Region = None,
) -> None:
    """Make a new store: its tables and the working calendar (Europe/London, Mon-Fri
    09:00-17:00, England and Wales bank holidays unless --zone, --hours, --region say
    otherwise). Nothing else is written; add the first member of staff with `staff add`.
    A store that is there already is left as it is (`calendar set` changes its calendar)."""
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.store.db import describe

    state = current_state(ctx)
    where = describe(state.url())
    wanted = services.CalendarWanted(zone, hours, region)
    # Checked before anything is made: a mistyped option makes no store.
    choice = services.new_store_calendar(wanted)
    if _current_store_there(state):
        # Nothing to write: no waiting for the write lock while someone else writes.
        if wanted.given():
            with state.unit_of_work(write=False) as uow:
                services.check_calendar_there(uow, wanted, where)
        render.message(f"There is a store at {render.store_shown(where)} already: nothing to do")
        return

    def made(uow: "UnitOfWork", at: "datetime") -> bool:
        if uow.created:
            services.make_calendar(uow, choice, at=at)
        elif wanted.given():  # made by another command while this one waited for the lock
            services.check_calendar_there(uow, wanted, where)
        uow.commit()
        return uow.created

    new = state.change(made, None)
    render.message(
        f"Made a new store at {render.store_shown(where)}; add its first member of staff (a "
        "senior role) with `complaintctl staff add`"
        if new
        else f"There is a store at {render.store_shown(where)} already: nothing to do"
    )


def _current_store_there(state: "State") -> bool:
    """Whether the store is there already at this program's revision (read, never made)."""
    from complaintctl.store.db import missing_sqlite_file
    from complaintctl.store.schema import check_schema

    if missing_sqlite_file(state.url()) is not None:
        return False
    engine, url = state.store()
    return check_schema(engine, url, may_create=True)


@db_app.command("status")
def db_status(ctx: typer.Context, json_output: Json = False) -> None:
    """Show the store, its database and schema revision, and whether this complaintctl can use
    it as it is. Never changes the store. Exit status 8 where there is no store, or it is
    damaged."""
    from complaintctl.cli import render
    from complaintctl.errors import StoreDamaged
    from complaintctl.store.db import (
        describe,
        missing_sqlite_file,
        no_store,
        open_read_only,
        resolve_url,
        translated_errors,
    )
    from complaintctl.store.schema import SchemaStatus, status

    state = current_state(ctx)
    url = resolve_url(state.db)
    missing = missing_sqlite_file(url)
    if missing is not None:
        raise no_store(str(missing))
    try:
        with translated_errors(url):
            engine = open_read_only(url)
            try:
                found = status(engine, describe(url))
            finally:
                engine.dispose()
    except StoreDamaged as err:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        render.store_status(
            SchemaStatus(describe(url), backend, None, damage=err.what),
            json_output=json_output,
        )
        raise typer.Exit(err.exit_code) from None
    if found.revision is None:
        raise no_store(found.store)
    render.store_status(found, json_output=json_output)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    remake_facts: Annotated[
        bool,
        typer.Option(
            "--remake-facts",
            help="Make every case's facts kept for the report's figures again from its "
            "history, even where this complaintctl made them: after `db verify` names a case "
            "whose kept facts were changed.",
        ),
    ] = False,
) -> None:
    """Upgrade the store's schema to this complaintctl's revision, keeping every record, and
    make the facts kept for the report's figures again where another version made them.

    One transaction holding the write lock: other commands wait, and a failure leaves the store
    as it was. A new store is made at the newest revision. Back the store up first.
    """
    from complaintctl.cli import render
    from complaintctl.store.db import describe, translated_errors
    from complaintctl.store.schema import upgrade

    state = current_state(ctx)
    engine, url = state.store(create=True)

    def acting(uow: "UnitOfWork") -> str:
        from complaintctl.services.identity import upgrading_as

        return upgrading_as(uow, state.actor, named=state.named)

    try:
        with state.naming_the_config_file(), translated_errors(url):
            done = upgrade(
                engine,
                state.now,
                by=state.actor,
                origin=state.origin,
                acting=acting,
                remake_facts=remake_facts,
            )
    except BaseException:
        state.forget_unused_store()
        raise
    where = render.store_shown(describe(url))
    before, after, made = done.before, done.after, done.facts_made
    remade = (
        f"made the facts kept for the report's figures again for {made} "
        f"case{'' if made == 1 else 's'}, as this complaintctl counts them"
    )
    if before is None:
        render.message(f"Made a new store at {where}, schema revision {after}")
    elif before != after:
        upgraded = f"Upgraded the store {where} from schema revision {before} to {after}"
        render.message(f"{upgraded}; {remade}" if made else upgraded)
    elif made is None:
        render.message(f"The store {where} is at schema revision {after} already: nothing to do")
    else:
        render.message(f"The store {where} is at schema revision {after} already; {remade}")


Off = Annotated[bool, typer.Option("--off", help="Turn the setting off again.")]


def _switch(ctx: typer.Context, key: str, on: bool, at: str | None, said: tuple[str, str]) -> None:
    from complaintctl.cli import render
    from complaintctl.services.identity import switch

    state = current_state(ctx)
    changed = state.change(
        lambda uow, when: switch(uow, key=key, on=on, by=state.actor, at=when, now=state.now), at
    )
    words = said[0] if on else said[1]
    render.message(words if changed else f"{words} already: nothing to change")


@db_app.command("require-bound-roles")
def db_require_bound_roles(ctx: typer.Context, off: Off = False, at: At = None) -> None:
    """PostgreSQL: refuse every command that acts from a database role bound to no member of
    staff (senior roles; recorded). Bind your own role first. --off allows unbound roles
    again, to act as members bound to no role. On SQLite it does not apply (exit 2)."""
    _switch(
        ctx,
        "require-bound-roles",
        not off,
        at,
        ("Every database role that acts must be bound to a member of staff",
         "Database roles bound to no one may act as members bound to no role"),
    )  # fmt: skip


@db_app.command("bind-logins")
def db_bind_logins(ctx: typer.Context, off: Off = False, at: At = None) -> None:
    """SQLite: map operating-system logins to staff (senior roles; recorded): a login bound
    with `staff bind --os-login` acts as its member only, and --as naming anyone else is
    refused; a login bound to no one acts only as members bound to no login. Refused (exit 2)
    where the login running it could not act as you after. The store file's permissions remain
    the boundary. On PostgreSQL it does not apply (exit 2)."""
    _switch(
        ctx,
        "bind-logins",
        not off,
        at,
        ("Operating-system logins are mapped to the staff bound to them",
         "Operating-system logins are no longer mapped to staff"),
    )  # fmt: skip


@db_app.command("verify")
def db_verify(
    ctx: typer.Context,
    noted_head: Annotated[
        str | None,
        typer.Option(
            "--noted-head",
            metavar="HASH",
            help="A head printed by an earlier `db verify`, kept outside the store: the chain "
            "must still pass through it.",
            show_default=False,
        ),
    ] = None,
    json_output: Json = False,
) -> None:
    """Check that the history is what was written: every entry's seal, in one chain from the
    first to the last, and every case's stage and running deadlines' dues against what its
    history says.

    Prints "intact: N entries, M cases" and the chain's head (keep it somewhere else: a later
    `--noted-head` checks the store against it). Exit status 14, naming the first entry that
    does not match and what differs, where anything does not. Reads only; others keep working.
    """
    from complaintctl.cli import render
    from complaintctl.errors import HistoryNotIntact
    from complaintctl.services.verify import verify_history

    state = current_state(ctx)
    view = state.read(
        lambda uow, _: verify_history(uow, noted_head=noted_head), None, snapshot=True
    )
    render.history_verified(view, json_output=json_output)
    if view.intact and view.facts_newer:
        render.note(
            "The facts kept for the report's figures were made by a newer version of "
            "complaintctl and were not checked: upgrade complaintctl to check them"
        )
    elif view.intact and not view.facts_checked:
        render.note(
            "The facts kept for the report's figures were made by another version of "
            "complaintctl and were not checked: back the store up, then run "
            "`complaintctl db upgrade` to make them again"
        )
    if not view.intact:
        raise HistoryNotIntact(
            f"the history is not intact: {render.verify_problem(view.problems[0])}"
        )


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[
        str,  # as typed: a Path would make '' the working folder
        typer.Argument(
            metavar="FILE", help="The new file to write the copy to.", show_default=False
        ),
    ],
) -> None:
    """Copy an SQLite store to FILE, consistently, while others keep working.

    FILE must not exist yet. For a PostgreSQL store, use pg_dump:
    pg_dump --format=custom --file=FILE "postgresql://…".
    """
    from complaintctl.cli import render
    from complaintctl.files import file_named
    from complaintctl.store.db import describe, translated_errors
    from complaintctl.store.schema import backup

    file_named(file, "db backup")
    state = current_state(ctx)
    engine, url = state.store()
    with translated_errors(url):
        written = backup(engine, Path(file), protected=state.store_files())
    render.message(f"Backed up {render.store_shown(describe(url))} to {render.path_shown(written)}")
