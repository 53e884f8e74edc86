"""Setting the tool up: `complaintctl config` (where the config file is, and what it sets)
and `complaintctl completion SHELL` (the shell's completion script)."""

import os
from typing import Annotated, Any

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.completion import Shell
from complaintctl.cli.options import Json


@commands.command("config")
def config_command(ctx: typer.Context, json_output: Json = False) -> None:
    """Show where the config file is, what it sets, and what overrides it now.

    The file (TOML) holds defaults for the store (db), --as (as), ack's --area (area) and
    queue's --warn-within (warn_within), saved queue views ([views.NAME], for
    queue --view NAME), and who letters come from ([organisation]). Options override
    environment variables, which override the file. COMPLAINTCTL_CONFIG names another file.
    """
    from complaintctl import config
    from complaintctl.cli import render
    from complaintctl.views import JSON_SCHEMA_VERSION

    state = current_state(ctx)
    loaded = state.config or config.load()
    settings: list[dict[str, Any]] = []
    for key, (used_for, variable) in config.SETTINGS.items():
        overridden = variable is not None and os.environ.get(variable)
        settings.append(
            {
                "setting": key,
                "used_for": used_for,
                "value": _shown(key, loaded.settings.get(key)),
                "overridden_by": variable if overridden else None,
            }
        )
    # No `templates` set, a `templates` folder beside the file is the organisation's all the
    # same (Config.templates): said beside the setting, never as its value (JSON: null).
    beside = None if "templates" in loaded.settings else loaded.templates()
    render.config_file(
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "path": str(loaded.path),
            "found": loaded.found,
            "settings": settings,
            "views": loaded.views,
            "organisation": {
                **{key: getattr(loaded.organisation, key) for key in config.ORGANISATION_FIELDS},
                "signatories": dict(loaded.organisation.signatories),
            },
        },
        json_output=json_output,
        templates_beside=str(beside) if beside is not None else None,
    )


def _shown(key: str, value: str | None) -> str | None:
    """A setting as `config` shows it: a database URL without its password, as every message
    naming the store shows it (a URL that cannot be read, without anything after `//`)."""
    from complaintctl.errors import StoreUnavailable
    from complaintctl.store.db import describe

    if key != "db" or value is None or "://" not in value or value.startswith("sqlite"):
        return value
    try:
        return describe(value)
    except StoreUnavailable:
        return value.split("://", 1)[0] + "://…"


@commands.command("completion")
def completion_command(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the shell's completion script, to save where the shell loads it from.

    Commands, options, letter kinds, case references, usernames and areas complete (the last
    three from the store the command line names; none where there is no store).
    """
    from complaintctl.cli.completion import script

    print(script(shell), end="")
