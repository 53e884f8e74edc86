"""`complaintctl config`: where the config file is, and what it sets."""

import os
from typing import Any

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import Json


@commands.command("config")
def config_command(ctx: typer.Context, json_output: Json = False) -> None:
    """Show where the config file is, what it sets, and what overrides it now.

    The file (TOML) holds defaults for the store (db), --as (as), ack's --area (area) and
    queue's --warn-within (warn_within), and saved queue views ([views.NAME], for
    queue --view NAME). Options override environment variables, which override the file.
    COMPLAINTCTL_CONFIG names another file.
    """
    from complaintctl import config
    from complaintctl.cli import render

    state = current_state(ctx)
    loaded = state.config or config.load()
    settings: list[dict[str, Any]] = []
    for key, (used_for, variable) in config.SETTINGS.items():
        overridden = variable is not None and os.environ.get(variable)
        settings.append(
            {
                "setting": key,
                "used_for": used_for,
                "value": loaded.settings.get(key),
                "overridden_by": variable if overridden else None,
            }
        )
    render.config_file(
        {
            "path": str(loaded.path),
            "found": loaded.found,
            "settings": settings,
            "views": loaded.views,
        },
        json_output=json_output,
    )
