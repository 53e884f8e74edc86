"""The store itself: which schema revision it is at, upgrading it, and backing it up."""

from pathlib import Path
from typing import Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import Json

db_app = typer.Typer(
    help="The store itself: its schema revision, upgrades and backups.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
commands.add_typer(db_app, name="db")


@db_app.command("status")
def db_status(ctx: typer.Context, json_output: Json = False) -> None:
    """Show the store, its database and schema revision, and whether this complaintctl can use
    it as it is. Never changes the store."""
    from complaintctl.cli import render
    from complaintctl.store.db import (
        describe,
        missing_sqlite_file,
        open_read_only,
        resolve_url,
        translated_errors,
    )
    from complaintctl.store.schema import SchemaStatus, status

    state = current_state(ctx)
    url = resolve_url(state.db)
    missing = missing_sqlite_file(url)
    if missing is not None:
        found = SchemaStatus(store=str(missing), backend="sqlite", revision=None, missing=True)
    else:
        with translated_errors(url):
            found = status(open_read_only(url), describe(url))
    render.store_status(found, json_output=json_output)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Upgrade the store's schema to this complaintctl's revision, keeping every record.

    One transaction holding the write lock: other commands wait, and a failure leaves the store
    as it was. A new store is made at the newest revision. Back the store up first.
    """
    from complaintctl.store.db import describe, translated_errors
    from complaintctl.store.schema import upgrade

    state = current_state(ctx)
    engine, url = state.store()
    with translated_errors(url):
        before, after = upgrade(engine, state.now, by=state.actor)
    where = describe(url)
    if before is None:
        print(f"Made a new store at {where}, schema revision {after}")
    elif before == after:
        print(f"The store {where} is at schema revision {after} already: nothing to do")
    else:
        print(f"Upgraded the store {where} from schema revision {before} to {after}")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The new file to write the copy to.", show_default=False
        ),
    ],
) -> None:
    """Copy an SQLite store to FILE, consistently, while others keep working.

    FILE must not exist yet. For a PostgreSQL store, use pg_dump (README: Team use).
    """
    from complaintctl.errors import StoreUnavailable
    from complaintctl.store.db import describe, missing_sqlite_file, resolve_url, translated_errors
    from complaintctl.store.schema import backup

    state = current_state(ctx)
    url = resolve_url(state.db)
    missing = missing_sqlite_file(url)
    if missing is not None:
        raise StoreUnavailable(f"no store at {missing} to back up")
    engine, url = state.store()
    with translated_errors(url):
        backup(engine, file)
    print(f"Backed up {describe(url)} to {file.expanduser().absolute()}")
