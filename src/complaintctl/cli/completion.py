"""Shell completion: the script each shell sources, and the values completed from the store.

A shell completes by running the program with the words typed so far in its environment
(Typer's protocol, `_COMPLAINTCTL_COMPLETE`). The root's callback does not run then, so the
store is found here from the partial command line: --db before the command (the root's
option, or COMPLAINTCTL_DB) or after it (GlobalOption notes it in the context's meta while
completing), else the config file's db.

Completing a command or an option's name imports nothing of the store. A case reference, a
username or an area imports SQLAlchemy (not SQLModel) and makes one small query
(store/completion.py); anything wrong with the store (none there, locked, unreachable, at
another schema revision, a config file that cannot be read) offers nothing, quietly.
"""

import re
from collections.abc import Callable
from contextlib import suppress
from enum import StrEnum
from pathlib import Path

import typer

from complaintctl import config

COMPLETE_VAR = "_COMPLAINTCTL_COMPLETE"
# Where GlobalOption notes a --db given after the command, while completing.
DB_AFTER = "complaintctl.db_after"
# At most this many values offered for one word: enough to choose from, few enough to show.
LIMIT = 50
# Values any of the shells takes as one word as they are: a value that would need quoting (an
# area with a space, or stored text that a shell's eval would run) is not offered, only typed.
_PLAIN_WORD = re.compile(r"[\w.@+-]+")


class Shell(StrEnum):
    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"


def script(shell: str) -> str:
    """The completion script for `shell`, as `_COMPLAINTCTL_COMPLETE=source_SHELL complaintctl`
    gives it (completions/ holds these, and a test holds them equal)."""
    from typer._completion_shared import get_completion_script

    from complaintctl.errors import InvalidInput

    if shell not in set(Shell):
        shells = ", ".join(Shell)
        raise InvalidInput(f"no completion script for {shell!r}: the shells are {shells}")
    text: str = get_completion_script(
        prog_name="complaintctl", complete_var=COMPLETE_VAR, shell=shell
    )
    return text + "\n"


def _offered(ctx: typer.Context, read: Callable[[str], list[str]]) -> list[str]:
    """What `read` finds in the store the command line names, or nothing at all."""
    try:
        root = ctx.find_root()
        named = ctx.meta.get(DB_AFTER, root.params.get("db"))
        db = config.store(named, config.load().settings)
        from complaintctl.store.db import resolve_url

        values = read(resolve_url(db))
    except Exception:  # completion offers nothing rather than an error in the middle of a line
        return []
    return [value for value in values if _PLAIN_WORD.fullmatch(value)]


def case_refs(ctx: typer.Context, incomplete: str) -> list[str]:
    """Open cases' references, the most recently received first."""
    from complaintctl.store import completion

    return _offered(ctx, lambda url: completion.open_case_refs(url, incomplete, LIMIT))


def closed_case_refs(ctx: typer.Context, incomplete: str) -> list[str]:
    """Closed cases' references (reopen), the most recently received first."""
    from complaintctl.store import completion

    return _offered(ctx, lambda url: completion.closed_case_refs(url, incomplete, LIMIT))


def usernames(ctx: typer.Context, incomplete: str) -> list[str]:
    """Active staff's usernames."""
    from complaintctl.store import completion

    return _offered(ctx, lambda url: completion.usernames(url, incomplete, LIMIT))


def removed_usernames(ctx: typer.Context, incomplete: str) -> list[str]:
    """Removed staff's usernames (staff reactivate)."""
    from complaintctl.store import completion

    return _offered(ctx, lambda url: completion.usernames(url, incomplete, LIMIT, active=False))


def areas(ctx: typer.Context, incomplete: str) -> list[str]:
    """The areas active staff work in."""
    from complaintctl.store import completion

    return _offered(ctx, lambda url: completion.staff_areas(url, incomplete, LIMIT))


def letter_kinds(ctx: typer.Context, incomplete: str) -> list[str]:
    """A letter's KIND: the built-in kinds, then those the organisation's templates add (the
    folder `--templates` or the config file names). After `letter check` the word is a
    templates folder: nothing is offered, and the shell offers file names."""
    if ctx.params.get("target") == "check":
        return []
    from complaintctl.domain.letters import RULES

    kinds: list[str] = list(RULES)
    with suppress(Exception):  # a folder or config file that cannot be used: the built-in
        from complaintctl.letters import Templates

        named = ctx.params.get("templates")
        folder = Path(named) if named else config.load().templates()
        kinds = Templates(folder).kinds()
    return [kind for kind in kinds if kind.startswith(incomplete) and _PLAIN_WORD.fullmatch(kind)]
