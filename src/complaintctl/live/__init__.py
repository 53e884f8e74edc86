"""`complaintctl live`: the officer's live view, a Textual application over the same services,
permissions and transactions as the commands (issue: the officer's live view).

The only package that imports Textual (ruff's banned-api and tests/unit/test_layers.py hold
the fence); the command that starts it imports it inside the command, so `--help` and
completion never load it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from complaintctl.errors import InvalidInput

if TYPE_CHECKING:
    from complaintctl.cli.app import State


def run(state: State, filters: dict[str, Any]) -> None:
    """Read the queue, with `filters` (services.queue's arguments but `as_of`): a store that
    cannot be read is refused as any command refuses it, before the screen is taken over.
    Then run the live view until the officer quits."""
    from complaintctl.live.app import LiveApp
    from complaintctl.live.session import Session

    session = Session(state, filters)
    first = session.queue()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InvalidInput(
            "live needs a terminal to draw on and read keys from; in a pipe or a script, "
            "`queue --json` lists the queue"
        )
    app = LiveApp(session)
    app.first_queue = first
    app.run()
