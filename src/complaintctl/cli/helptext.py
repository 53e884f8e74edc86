"""How the help reads: the commands in groups, each summary whole, placeholders in words.

Plain click help (rich's costs ~130 ms on every --help, STYLE.md), tidied as each command is
built: an option's placeholder is its name (`--area AREA`), a choice's values are listed in
its help, and a required argument is written as itself (`REF...`, not `{REF...}`).
"""

from __future__ import annotations

from typer._click import Command, Context, HelpFormatter
from typer._types import TyperChoice
from typer.core import TyperArgument, TyperGroup, TyperOption

# The root's listing, in the order an officer meets them. A command missing here is listed
# under "Other" (and a test says so).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "The procedure, step by step",
        (
            "log",
            "ack",
            "assign",
            "respond",
            "extend",
            "escalate",
            "final",
            "refer",
            "close",
            "reopen",
        ),
    ),  # fmt: skip
    ("Around a case", ("note", "incident", "edit", "letter", "action", "cause")),
    (
        "Finding and viewing",
        (
            "queue",
            "live",
            "overdue",
            "show",
            "history",
            "explain",
            "find",
            "consumer",
            "sar",
            "report",
        ),
    ),  # fmt: skip
    ("Many cases at once, and files", ("import", "export", "demo")),
    (
        "Administration",
        ("staff", "restrict", "retention", "hold", "calendar", "db", "config", "completion"),
    ),  # fmt: skip
)


# An example of each command, shown at the end of its help. Keyed by the command's path below
# the program (`staff add`); a test holds every command to having one.
EXAMPLES: dict[str, str] = {
    "log": 'complaintctl log --consumer "Ann Smith" --email ann@example.com --channel email '
    '--category delay --summary "No reply to my letters"',
    "ack": "complaintctl ack SC-2026-000001 --area Casework",
    "assign": "complaintctl assign SC-2026-000001 --to rita.responder",
    "respond": 'complaintctl respond SC-2026-000001 --decision upheld --summary "We were slow" '
    "--remedy apology --remedy goodwill-payment --goodwill 50",
    "extend": 'complaintctl extend SC-2026-000001 --until 2027-01-15T17:00 --reason "Agreed by '
    'phone: records needed from the provider"',
    "escalate": 'complaintctl escalate SC-2026-000001 --to hana --reason "Still unhappy"',
    "final": 'complaintctl final SC-2026-000001 --decision partly-upheld --summary "…"',
    "refer": "complaintctl refer SC-2026-000001   # the Assessor's outcome later: --outcome upheld",
    "close": 'complaintctl close SC-2026-000001 --reason withdrawn --note "By phone"',
    "reopen": 'complaintctl reopen SC-2026-000001 --reason "Closed as withdrawn by mistake"',
    "note": "complaintctl note SC-2026-000001 --direction out --channel phone "
    '--text "Called to say the response is on its way"',
    "incident": 'complaintctl incident SC-2026-000001 --note "Shouted at the officer"',
    "edit": 'complaintctl edit SC-2026-000001 --name "Ann Smyth" --reason "Misspelt on the '
    'phone"   # --summary -e: in $VISUAL or $EDITOR',
    "letter": "complaintctl letter SC-2026-000001 final-response --format pdf -o final.pdf --issue",
    "queue": "complaintctl queue --mine --due-within 1d",
    "live": "complaintctl live --mine   # Enter: open a case; t: take a step; /: search",
    "overdue": "complaintctl overdue --kind acknowledge --summary --exit-code   # for cron",
    "show": "complaintctl show SC-2026-000001",
    "history": "complaintctl history SC-2026-000001 --json",
    "explain": "complaintctl explain SC-2026-000001 respond   # an action's due: --action ID",
    "find": 'complaintctl find "smith boiler"',
    "report": "complaintctl report --period 2026-Q4 --compare previous --by area",
    "import": "complaintctl import form.csv --map submission_id=source_id --skip-invalid",
    "export": "complaintctl export --format jsonl --from 2026-04-01 -o cases.jsonl",
    "demo": "complaintctl demo --into /tmp/demo.sqlite3",
    "config": "complaintctl config",
    "completion": "complaintctl completion bash > ~/.local/share/bash-completion/completions/"
    "complaintctl",
    "staff add": 'complaintctl staff add rita.responder --name "Rita Responder" --role officer '
    "--area Casework",
    "staff remove": "complaintctl staff remove rita.responder",
    "staff reactivate": "complaintctl staff reactivate rita.responder",
    "staff role": "complaintctl staff role rita.responder --role leader --area Casework",
    "staff list": "complaintctl staff list --all",
    "staff bind": "complaintctl staff bind rita.responder --db-role rita_responder",
    "staff unbind": "complaintctl staff unbind rita.responder",
    "restrict add": "complaintctl restrict add --email ann@example.com --scope contact "
    '--channel post --reason "Abusive calls"',
    "restrict list": "complaintctl restrict list --all",
    "cause list": "complaintctl cause list",
    "cause add": 'complaintctl cause add lost-post --words "post that went astray"',
    "action add": 'complaintctl action add SC-2026-000001 --what "Call Ann back" --owner rita '
    "--within 2d --kind remedy",
    "action done": 'complaintctl action done 1 --note "Called; she is content"',
    "action reassign": 'complaintctl action reassign 1 --to ruth --reason "Rita has left"',
    "action list": "complaintctl action list --open --owner rita",
    "restrict lift": 'complaintctl restrict lift 3 --reason "Reviewed: contact is civil now"',
    "restrict review": 'complaintctl restrict review 3 --next 2027-06-01 --reason "Still needed"',
    "consumer update": "complaintctl consumer update --email ann@example.com --prefers post "
    "--adjustment large-print",
    "consumer show": "complaintctl consumer show --email ann@example.com",
    "consumer export": "complaintctl consumer export --email ann@example.com -o ann-sar.html",
    "consumer erase": 'complaintctl consumer erase --email ann@example.com --reason "Asked in '
    'writing, 2026-12-01"',
    "retention policy": 'complaintctl retention policy --years 7 --reason "Board decision"',
    "retention list": "complaintctl retention list --as-of 2033-01-01",
    "retention apply": "complaintctl retention apply --dry-run   # then without, from cron",
    "hold add": 'complaintctl hold add SC-2026-000001 --reason "Litigation notice"',
    "hold lift": 'complaintctl hold lift 1 --reason "Claim settled"',
    "hold list": "complaintctl hold list --all",
    "sar open": "complaintctl sar open --email ann@example.com --received 2026-09-03T18:30",
    "sar extend": 'complaintctl sar extend 4 --months 2 --reason "Records across six cases"',
    "sar done": "complaintctl sar done 4 -o ann-sar.html",
    "sar list": "complaintctl sar list --open",
    "sar show": "complaintctl sar show 4",
    "calendar": "complaintctl calendar",
    "calendar close": 'complaintctl calendar close 2026-12-29 --reason "Office move"',
    "calendar reopen": "complaintctl calendar reopen 2026-12-29",
    "calendar holidays": "complaintctl calendar holidays --through 2035",
    "calendar set": "complaintctl calendar set --hours 'Mon-Fri 09:00-12:30, 13:30-17:00' "
    "--dry-run",
    "db init": "complaintctl db init",
    "db status": "complaintctl db status",
    "db upgrade": "complaintctl db upgrade",
    "db backup": "complaintctl db backup store-2026-12-02.sqlite3",
    "db verify": "complaintctl db verify",
    "db require-bound-roles": "complaintctl db require-bound-roles",
    "db bind-logins": "complaintctl db bind-logins",
}


def summary(command: Command) -> str:
    """The command's first sentence, whole: a listing wraps it rather than cutting it."""
    text = " ".join((command.short_help or command.help or "").split())
    depth = 0  # a '.' or ';' in brackets, "(senior roles; recorded)", ends no sentence
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char in ".;" and depth <= 0 and text[i + 1 : i + 2] in ("", " "):
            return text[:i]
    return text


def write_groups(
    formatter: HelpFormatter, listed: list[tuple[str, Command]], *, root: bool
) -> None:
    """The commands under their group headings (a group's own subcommands in one list)."""
    if not listed:
        return
    rows = {name: summary(command) for name, command in listed}
    if not root:
        with formatter.section("Commands"):
            formatter.write_dl(list(rows.items()))
        return
    placed: set[str] = set()
    for heading, names in (*GROUPS, ("Other", tuple(rows))):
        items = [(name, rows[name]) for name in names if name in rows and name not in placed]
        if items:
            placed.update(name for name, _ in items)
            with formatter.section(heading):
                formatter.write_dl(items)


class PlainArgument(TyperArgument):
    """An argument written as its placeholder alone, required or not: `REF...`."""

    def make_metavar(self, ctx: Context, *, usage: bool = False) -> str:
        name = self.metavar or (self.name or "").upper()
        return name if self.required or not usage else f"[{name}]"


class HelpGroup(TyperGroup):
    """A command group whose listing gives each summary whole."""

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        listed = [(name, self.commands[name]) for name in self.list_commands(ctx)]
        write_groups(formatter, [(n, c) for n, c in listed if not c.hidden], root=False)


def tidy(command: Command, path: str = "") -> Command:
    """Placeholders in words on `command` (and a group's subcommands, as they are built), and
    its example after the options."""
    path = f"{path} {command.name}".strip()
    if path in EXAMPLES:
        # \b keeps the line as written rather than rewrapped.
        command.epilog = f"\b\nExample:\n  {EXAMPLES[path]}"
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = PlainArgument
        elif isinstance(param, TyperOption) and not param.is_flag and param.metavar is None:
            param.metavar = max(param.opts, key=len).lstrip("-").upper()
            if isinstance(param.type, TyperChoice):
                choices = ", ".join(str(choice) for choice in param.type.choices)
                param.help = f"{param.help or ''} One of: {choices}.".strip()
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy(sub, path)
    return command


def width() -> int:
    """The terminal's width for help (COLUMNS where it is set), and never under 60."""
    import shutil

    return max(60, shutil.get_terminal_size().columns)
