"""The root command: global options, the clock read once, and errors as one line each.

The global options are the root's, and every command's too (GlobalOption): they may come
before the command or after it.

Nothing here imports the store stack: `--help` and completion stay fast, and the engine is
built on the first command that needs it.
"""

from __future__ import annotations

import errno
import getpass
import inspect
import io
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer import Abort
from typer._click import Command, Context, HelpFormatter
from typer._click.core import ParameterSource
from typer._click.exceptions import ClickException, MissingParameter, UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.main import (
    get_command_from_info,
    get_command_name,
    get_group_from_info,
    solve_typer_info_defaults,
)
from typer.models import CommandInfo, TyperInfo

from complaintctl import __version__, config
from complaintctl.cli import completion, helptext
from complaintctl.errors import (
    EXIT_OUTPUT,
    EXIT_USAGE,
    ComplaintError,
    InvalidInput,
    NotFound,
    NotStaff,
    RecordedThenFailed,
)
from complaintctl.text import one_line, quoted

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from complaintctl.cli.render import Output
    from complaintctl.store.uow import UnitOfWork


T = TypeVar("T")

# How far ahead a date may be (an agreed timescale, a review): further is a typing mistake.
MAX_AHEAD = timedelta(days=3653)


class RootGroup(TyperGroup):
    """Runs the program and turns every known error into `Error: …` and its exit code.

    Its subcommands are built when first asked for (see LazyCommands): a run builds the one
    command it runs, and the help lists every command without building any.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        built = self.commands  # any Typer built from `app` itself, kept as they are
        self.commands = LazyCommands(commands, app)
        self.commands.update(built)

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        # Help as wide as the terminal now (click stops at 80 unless told); commands inherit it.
        extra.setdefault("max_content_width", helptext.width())
        try:
            self._context = super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as err:  # Ctrl-C as the command line is read: as in invoke
            raise Abort() from err
        return self._context

    def _recorded(self) -> str:
        """What an output error adds once the command has committed its change: the change
        is kept, so that a script does not take it again (a second complaint logged)."""
        state = getattr(getattr(self, "_context", None), "obj", None)
        said = ""
        if isinstance(state, State) and state._committed:
            said = f"; {state.kept}"
        elif isinstance(state, State) and state.unrecorded is not None:
            said = f"; {state.unrecorded}"  # out, its record not committed: how to make it
        return said + _written_before()

    def get_params(self, ctx: Context) -> list[Any]:
        # Typer's --show-completion, which takes no shell, replaced by ours (_SHOW_COMPLETION).
        return [
            _SHOW_COMPLETION if param.name == "show_completion" else param
            for param in super().get_params(ctx)
        ]

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes the list it is given
        rest = super().parse_args(ctx, args)
        if ctx.meta.pop(_SHOW_COMPLETION_ASKED, False):
            after = given[given.index("--show-completion") + 1 :]
            shell = after[0] if after and not after[0].startswith("-") else _shell_running()
            print(completion.script(shell), end="")
            raise typer.Exit()
        ctx.meta[_COMMAND_ARGS] = list(rest)  # the command's name and what follows it
        return rest

    def invoke(self, ctx: Context) -> Any:
        # Ctrl-C: Typer would end the command with status 130 and say nothing; README's
        # `Error: aborted` is said here, once the command's transaction has rolled back.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as err:
            raise Abort() from err

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        # TyperGroup's listing, with each command's summary read without building it.
        assert isinstance(self.commands, LazyCommands)
        listed = [(name, self.commands.summary(name)) for name in self.list_commands(ctx)]
        helptext.write_groups(formatter, [(n, c) for n, c in listed if not c.hidden], root=True)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from complaintctl import files

        files.placed.clear()  # a command run before in this process (tests, the live view)
        try:
            result = super().main(
                args, prog_name or "complaintctl", complete_var, standalone_mode=False, **extra
            )
        except ComplaintError as err:
            _fail(err.message, err.exit_code)
        except ClickException as err:
            if type(err).__name__ == "NoArgsIsHelpError":  # bare `complaintctl`: the help
                print(err.format_message(), file=sys.stderr)
                sys.exit(EXIT_USAGE)
            _fail(
                err.format_message() + _where_commands_are(err) + _what_it_takes(err),
                err.exit_code,
            )
        except Abort:
            _fail("aborted" + self._recorded(), 130)
        except Stopped as err:
            _fail(f"stopped by {err.signal_name}" + self._recorded(), err.status)
        except OSError as err:  # the output, or a file, that cannot be written
            _fail(_cannot_write(err) + self._recorded(), EXIT_OUTPUT)
        except (UnicodeError, RecursionError) as err:  # input no text or JSON reader can take
            _fail(f"the input cannot be read: {err.__class__.__name__}: {err}", EXIT_USAGE)
        _flush_output(self._recorded)
        sys.exit(result if isinstance(result, int) else 0)


# `--show-completion [SHELL]`: Typer's takes no shell, and printed the script of the shell it
# ran in whatever word followed. The word after it, if any, is read in RootGroup.parse_args.
_SHOW_COMPLETION_ASKED = "complaintctl.show_completion"
# The command's name and its arguments, as RootGroup.parse_args leaves them to the root.
_COMMAND_ARGS = "complaintctl.command_args"


def _ask_to_show_completion(ctx: Context, _param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        ctx.meta[_SHOW_COMPLETION_ASKED] = True


_SHOW_COMPLETION = TyperOption(
    param_decls=["--show-completion"],
    is_flag=True,
    expose_value=False,
    callback=_ask_to_show_completion,
    help="Print the completion script for a shell (--show-completion zsh: bash, zsh or fish; "
    "by default the shell this runs in), as `complaintctl completion SHELL` does.",
)


def _shell_running() -> str:
    from typer._completion_shared import _get_shell_name

    shell = _get_shell_name()
    if shell is None:
        raise InvalidInput("cannot tell which shell this is: name it (--show-completion bash)")
    return shell


def _written_before() -> str:
    """What an error adds once the command has put a file in place (a letter, a backup): the
    file is there and kept, so that it is not taken for one not written."""
    from complaintctl import files
    from complaintctl.text import shell_word

    # Those the command took away again (a batch of letters refused, interrupted) are not.
    # Each as one word the shell reads back, as every message names a file.
    names = [shell_word(str(path)) for path in files.placed if os.path.lexists(path)]
    if not names:
        return ""
    if len(names) == 1:
        return f"; {names[0]} is written and kept"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"; the {len(names)} files written are kept: {shown}"


def _cannot_write(err: OSError) -> str:
    where = f" {err.filename}" if err.filename else " the output"
    return f"cannot write{where}: {err.strerror or err}"


def _flush_output(recorded: Callable[[], str] = str) -> None:
    """Write out what is left of the output now, so that a full disk or a closed pipe is
    one error line and its exit status, not a report at interpreter exit."""
    try:
        sys.stdout.flush()
    except OSError as err:
        # Nothing more goes to that output: Python's own flush at exit would fail again.
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _fail(_cannot_write(err) + recorded(), EXIT_OUTPUT)


class LazyCommands(MutableMapping[str, Command]):
    """The root's subcommands by name, each built from its registration when first looked up.

    Typer would build all of them before anything runs, reading every parameter's signature
    and annotation, and every command and every --help would pay for it (benchmarks/).

    It builds them with typer.main's command builders and lists them with the vendored click's
    types, which Typer does not document: Typer is pinned to the release this was written
    against, and tests/cli/test_startup.py fails, saying what to check, on any other.
    """

    def __init__(self, registry: typer.Typer, root: typer.Typer) -> None:
        self._root = root
        self._built: dict[str, Command] = {}
        self._registered: dict[str, CommandInfo | TyperInfo] = {
            **{
                info.name or get_command_name(info.callback.__name__): info  # type: ignore[union-attr]
                for info in registry.registered_commands
            },
            **{_group_name(info): info for info in registry.registered_groups},
        }

    def __getitem__(self, name: str) -> Command:
        command = self._built.get(name)
        if command is None:
            command = self._built[name] = with_global_options(self._build(self._registered[name]))
        return command

    def __setitem__(self, name: str, command: Command) -> None:
        self._registered.setdefault(name, CommandInfo(name=name))
        self._built[name] = with_global_options(command)

    def __delitem__(self, name: str) -> None:
        del self._registered[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registered)

    def __len__(self) -> int:
        return len(self._registered)

    @property
    def built(self) -> list[str]:
        return list(self._built)

    def _build(self, info: CommandInfo | TyperInfo) -> Command:
        # As Typer builds the root's subcommands, with the root's settings.
        root = self._root
        if isinstance(info, CommandInfo):
            built: Command = get_command_from_info(
                info,
                pretty_exceptions_short=root.pretty_exceptions_short,
                rich_markup_mode=root.rich_markup_mode,
            )
        else:
            built = get_group_from_info(
                info,
                pretty_exceptions_short=root.pretty_exceptions_short,
                rich_markup_mode=root.rich_markup_mode,
                suggest_commands=root.suggest_commands,
            )
        return _every_missing_at_once(_choices_in_any_case(helptext.tidy(built)))

    def summary(self, name: str) -> Command:
        """A stand-in with what the listing shows of `name` (its help, hidden or not), taken
        from its registration the way Typer takes it when building the command."""
        if name in self._built:
            return self._built[name]
        info = self._registered[name]
        if isinstance(info, TyperInfo):
            info = solve_typer_info_defaults(info)  # a group's help, from its Typer
            text = info.help
        else:
            text = info.help if info.help is not None else inspect.getdoc(info.callback)
        return TyperCommand(
            name,
            help=inspect.cleandoc(text) if isinstance(text, str) else None,
            short_help=info.short_help if isinstance(info.short_help, str) else None,
            hidden=info.hidden is True,
            deprecated=info.deprecated is True,
        )


def _choices_in_any_case(command: Command) -> Command:
    """`command` (and a group's commands) reading every word from a list in any case
    (`--role Officer`, `--format PDF`), as channel and category always were."""
    from typer._types import TyperChoice

    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _choices_in_any_case(sub)
    for param in command.params:
        if isinstance(param.type, TyperChoice):
            param.type.case_sensitive = False
    return command


def _every_missing_at_once(command: Command) -> Command:
    """`command` (and a group's commands) reporting every required option left out in one
    error, not the first alone: `log` without its four options names all four."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _every_missing_at_once(sub)
        return command
    parse = command.parse_args

    def parse_args(ctx: Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes the list it is given
        try:
            return parse(ctx, args)
        except MissingParameter:
            opts, _, _ = command.make_parser(ctx).parse_args(args=given)
            missing = [
                param
                for param in command.get_params(ctx)
                if param.required
                and opts.get(param.name or "") in (None, (), [])
                and param.resolve_envvar_value(ctx) is None
            ]
            if len(missing) < 2:
                raise
            names = [param.get_error_hint(ctx).split(" / ")[0] for param in missing]
            raise UsageError(
                f"Missing {', '.join(names)}: each of them is needed (--help says how).", ctx
            ) from None

    command.parse_args = parse_args  # type: ignore[method-assign]
    return command


def _group_name(info: TyperInfo) -> str:
    if not isinstance(info.name, str):
        # Typer would merge an unnamed group's commands into the root's; here each has a name.
        raise TypeError("register command groups with add_typer(..., name=...)")
    return info.name


class GlobalOption(TyperOption):
    """A global option (--db, --as, --plain) given after the command's name rather than before
    it: it sets what the root's option sets, on the State the root made.

    Each command, and each group and its commands, takes them as options of its own, so the
    CLI library's parser reads them where it reads the command's options: a value that looks
    like one (`--summary --plain`) stays the value it is, and `--` ends them as it ends the
    rest. The root's callback runs before a command's options are read (a group invokes its
    callback, then parses its subcommand's arguments), so the later one counts: the same as
    an option repeated before the command.
    """


def _root_state(ctx: Context) -> State | None:
    # None when completing: the root's callback does not run, and there is nothing to set.
    state = ctx.find_root().obj
    return state if isinstance(state, State) else None


def _db_after(ctx: Context, _param: Any, value: str | None) -> None:
    if value is None:
        return
    state = _root_state(ctx)
    if state is not None:
        state.db = value
    else:  # completing: the store a value is completed from
        ctx.meta[completion.DB_AFTER] = value


def _actor_after(ctx: Context, _param: Any, value: str | None) -> None:
    if value is not None and (state := _root_state(ctx)) is not None:
        state.actor = _acting(value, state.origin[0] if state.origin else _login_name())
        state.named = bool(value.strip())
        state.actor_problem = None  # the later one counts
        state.actor_from_file = None


def _plain_after(ctx: Context, _param: Any, value: bool) -> None:
    if value and (state := _root_state(ctx)) is not None:
        state.plain = True


_SEE_ROOT = "as before the command (complaintctl --help)"


def _global_options() -> list[GlobalOption]:
    return [
        GlobalOption(
            param_decls=["--db", "global_db"],
            metavar="PATH_OR_URL",
            expose_value=False,
            callback=_db_after,
            help=f"The store, {_SEE_ROOT}.",
        ),
        GlobalOption(
            param_decls=["--as", "global_as"],
            metavar="USERNAME",
            expose_value=False,
            callback=_actor_after,
            autocompletion=lambda ctx, _args, incomplete: completion.usernames(ctx, incomplete),
            help=f"Who is acting, {_SEE_ROOT}.",
        ),
        GlobalOption(
            param_decls=["--plain", "global_plain"],
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_plain_after,
            help=f"Tab-separated lines, no colour or tables, {_SEE_ROOT}.",
        ),
    ]


def with_global_options(command: Command) -> Command:
    """`command` taking the global options after its name too; a group, and each of its
    commands. A command may not have an option of its own by one of their names."""
    if not any(isinstance(param, GlobalOption) for param in command.params):
        added = _global_options()
        names = {opt for param in added for opt in param.opts}
        taken = sorted(names & {opt for p in command.params for opt in getattr(p, "opts", ())})
        if taken:
            raise TypeError(f"{command.name}: {', '.join(taken)} is a global option")
        command.params.extend(added)
    for sub in getattr(command, "commands", {}).values():
        with_global_options(sub)
    return command


def _where_commands_are(err: ClickException) -> str:
    """A command missing, or one no group has and nothing near it: where the right one is
    listed, so that the line says what to do (`complaintctl acknowledge`: see --help)."""
    message = err.format_message()
    ctx = getattr(err, "ctx", None)
    if ctx is None or "Did you mean" in message:
        return ""
    if not (message.startswith("Missing command") or message.startswith("No such command")):
        return ""
    if ctx.parent is None:  # the root's commands are many: its help groups them
        return f" `{ctx.command_path} --help` lists the commands."
    names = ", ".join(ctx.command.list_commands(ctx))
    return f" The commands of `{ctx.command_path}`: {names}."


def _what_it_takes(err: ClickException) -> str:
    """A word too many (`consumer show 3`, `report 2026`): the arguments the command takes, so
    that the line says the value belongs to an option."""
    ctx = getattr(err, "ctx", None)
    if ctx is None or not err.format_message().startswith("Got unexpected extra argument"):
        return ""
    path = ctx.command_path
    taken = [p.human_readable_name for p in ctx.command.params if p.param_type_name == "argument"]
    takes = f"takes {' '.join(taken)} only" if taken else "takes no arguments, only options"
    return f": `{path}` {takes} (`{path} --help` lists its options)"


def _fail(message: str, code: int) -> None:
    # Inert: a message may quote a file's own text (an import's header, a path).
    first_line = one_line(message)
    print(f"Error: {first_line}", file=sys.stderr)
    sys.exit(code)


# Where the command modules register their commands; RootGroup builds each one when asked.
commands = typer.Typer()

app = typer.Typer(
    cls=RootGroup,
    name="complaintctl",
    help="Log, acknowledge and track service complaints against their working-hours deadlines."
    "\n\n--db, --as and --plain may come before the command or after it (`complaintctl show REF "
    "--plain`), meaning the same; given in both places, the later one counts.",
    no_args_is_help=True,
    # Plain click help: rich-formatted help costs ~130 ms on every --help (STYLE.md).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    """What every command shares: where the store is, who is acting, and the clock reading."""

    db: str | None
    actor: str
    now: datetime
    plain: bool = False  # --plain
    config: config.Config | None = None  # the config file's settings and views
    # Why the config file could not be read, where only help was asked for: the command
    # refuses it if it runs all the same (current_state).
    config_problem: InvalidInput | None = None
    # Why the acting member named before the command names no one (`--as ' '`, spaces alone
    # in COMPLAINTCTL_USER): refused as the command runs, unless --as after it names someone.
    actor_problem: InvalidInput | None = None
    # Who ran the command, as the operating system says: noted beside `actor` in the history.
    origin: tuple[str, str] | None = None  # (login, host)
    # Whether `actor` was named (--as, COMPLAINTCTL_USER, the config's `as`) rather than
    # taken from the login: if not, a database role or login bound to a member of staff acts
    # as that member (services/identity.py), settled once the store is open.
    named: bool = True
    # Where `actor` is the config file's `as` (no --as, no COMPLAINTCTL_USER): the file, for a
    # refusal of them as no staff to say where the name came from.
    actor_from_file: Path | None = None
    _settled: bool = field(default=False, repr=False)
    # The store's engine, its URL, and whether it had its tables when first opened.
    _opened: tuple[Any, str, bool] | None = field(default=None, repr=False)
    # What this command made for a store that was not there: its file and folders. A command
    # that commits nothing takes them away again: no store is made by a refused command.
    _made: list[Path] = field(default_factory=list, repr=False)
    _committed: bool = field(default=False, repr=False)
    # What an error after the commit says of it: that it is kept, so that a step is not taken
    # twice; a command whose record is of its output (an export) says what to do instead.
    kept: str = field(default=RecordedThenFailed.KEPT, repr=False)
    # What went out before the change that records it was committed (a letter on stdout
    # before its issue): what an error or an interrupt until the commit says, with how to
    # record it without sending it again (errors.SentNotRecorded).
    unrecorded: str | None = field(default=None, repr=False)
    # Every engine this command opened on the store, each disposed of as it ends (close).
    _engines: list[Any] = field(default_factory=list, repr=False)

    @property
    def settings(self) -> dict[str, str]:
        """The config file's settings (none where there is no file)."""
        return self.config.settings if self.config is not None else {}

    def saved_view(self, name: str) -> dict[str, Any]:
        """A saved queue view's filters (config.Config.view)."""
        return (self.config or config.load()).view(name)

    @property
    def output(self) -> Output:
        """How the command prints (render.Output)."""
        from complaintctl.cli.render import Output

        return Output(plain=self.plain)

    def unit_of_work(self, *, write: bool, snapshot: bool = False) -> UnitOfWork:
        """A transaction on the store. Only a writing one makes a store that is not there yet,
        in its own transaction; reading where there is no store is refused. A store at
        another schema revision is refused (`db upgrade` says how to move it on)."""
        from complaintctl.store.schema import check_schema
        from complaintctl.store.uow import UnitOfWork

        if self._opened is None:
            engine, url = self.store(create=write)
            self._opened = (engine, url, check_schema(engine, url, may_create=write))
        engine, url, had_tables = self._opened
        return UnitOfWork(
            engine,
            url,
            write=write,
            create_at=None if had_tables else self.now,
            origin=self.origin,
            snapshot=snapshot,
        )

    def store(self, *, create: bool = False) -> tuple[Any, str]:
        """The store's engine and URL, whatever its schema (for the `db` commands). With
        `create`, an SQLite file that is not there yet is made (and its folders)."""
        from complaintctl.files import clean_after_kills
        from complaintctl.store.db import (
            missing_sqlite_file,
            no_store,
            open_engine,
            prepare_sqlite_file,
        )

        clean_after_kills()
        url = self.url()
        missing = missing_sqlite_file(url)
        if missing is not None:
            if not create:
                raise no_store(str(missing))
            there = missing.exists()  # an empty file: made into the store, never removed
            made = prepare_sqlite_file(missing)
            self._made = made if there else [*made, missing]
        engine = open_engine(url)
        self._engines.append(engine)
        return engine, url

    def url(self) -> str:
        """The store's URL (--db, else the default file)."""
        from complaintctl.store.db import resolve_url

        return resolve_url(self.db)

    def store_files(self) -> list[Path]:
        """The files of an SQLite store, which no file the tool writes may replace."""
        from complaintctl.store.db import sqlite_file

        path = sqlite_file(self.url())
        if path is None:
            return []
        # SQLite keeps the journals beside the file a link to the store leads to, not the link.
        real = Path(os.path.realpath(path))
        named = [path] if real == path else [path, real]
        return [*named, *(Path(f"{p}{end}") for p in named for end in ("-wal", "-shm", "-journal"))]

    def change(self, step: Callable[[UnitOfWork, datetime], T], at: str | None) -> T:
        """Run one change in one transaction, `at` (--at) read in the calendar's zone."""
        try:
            with self.naming_the_config_file(), self.unit_of_work(write=True) as uow:
                self._settle_actor(uow)
                try:
                    result = step(uow, self.instant(at, uow.calendar().tz))
                except ComplaintError as err:
                    if uow.committed:  # failed reading back what it saved: kept, and said so
                        raise RecordedThenFailed(err) from err
                    raise
                finally:
                    self._committed = self._committed or uow.committed
        finally:
            self.forget_unused_store()
        return result

    @contextmanager
    def naming_the_config_file(self) -> Iterator[None]:
        """A refusal of the acting person as no staff, where the config file's `as` named
        them, says so: the fix is in the file, not in --as or COMPLAINTCTL_USER."""
        try:
            yield
        except NotStaff as err:
            if self.actor_from_file is None or err.name != self.actor:
                raise
            raise NotStaff(f"{err.message}{self._set_in_file()}", err.name) from err

    def _set_in_file(self) -> str:
        """For a refusal of the acting person: that the config file's `as` named them."""
        from complaintctl.text import shell_word

        where = shell_word(str(self.actor_from_file))  # as every message names a file
        return f"; {self.actor} is the `as` the config file {where} sets"

    def close(self) -> None:
        """Let the store's connections go as the command ends: a process's end would, but a
        caller running commands in one process (the tests) would hold them until collected."""
        self._opened = None
        while self._engines:
            self._engines.pop().dispose()

    def forget_unused_store(self) -> None:
        """Remove the store this command made if it committed nothing to it."""
        if not self._made or self._committed:
            return
        self.close()
        *folders, file = self._made
        for path in (file, *(Path(f"{file}{end}") for end in ("-wal", "-shm", "-journal"))):
            with suppress(FileNotFoundError):
                path.unlink()
        for folder in reversed(folders):
            with suppress(OSError):
                folder.rmdir()
        self._made = []

    def read(
        self,
        query: Callable[[UnitOfWork, datetime], T],
        as_of: str | None,
        *,
        snapshot: bool = False,
        dated: bool = False,
    ) -> T:
        """Run one query, `as_of` (--as-of, read to the second: `as_of`) read in the calendar's
        zone, or with `dated` an --at (a step's, previewed: to the fraction it is recorded
        with); with `snapshot`, every statement of it sees the store as it was when it began
        (UnitOfWork)."""
        with (
            self.naming_the_config_file(),
            self.unit_of_work(write=False, snapshot=snapshot) as uow,
        ):
            self._settle_actor(uow)
            tz = uow.calendar().tz
            return query(uow, self.instant(as_of, tz) if dated else self.as_of(as_of, tz))

    def _settle_actor(self, uow: UnitOfWork) -> None:
        """Who acts when no one was named: the member the connecting database role or login
        is bound to, if any; else the login name. Whom they may act as is checked as they act
        (services.common.acting_staff)."""
        if self.named or self._settled:
            return
        from complaintctl.services.identity import bound_member

        self.actor = bound_member(uow) or self.actor
        self._settled = True

    def acting(self, *, owner: bool = False) -> str:
        """Who is acting, settled against the store first (as `change` and `read` settle it):
        for a command that names the actor (--mine) before opening its transaction. Refused
        where the connecting database role or login may not act as them; as the `owner` a
        listing keeps to (queue --mine), one who is not staff too, as an --owner naming them
        is (a command that acts, export --mine, refuses them as it acts)."""
        from complaintctl.services.identity import check_reading_as

        known = self.read(lambda uow, _when: check_reading_as(uow, self.actor), None)
        if owner and not known:
            from complaintctl.services.common import no_member

            refused = no_member(self.actor)  # as --owner naming them would be (exit 4)
            if self.actor_from_file is None:
                raise refused
            raise NotFound(f"{refused.message}{self._set_in_file()}") from None
        return self.actor

    def instant(self, text: str | None, tz: ZoneInfo, *, due: bool = False) -> datetime:
        """--at/--as-of as an instant: now when not given. A `due` (a deadline typed, as
        `extend --until`) given as a bare date is the end of that day, not its midnight."""
        if text is None:
            return self.now
        from complaintctl.domain.instants import InstantError, parse_due, parse_instant

        try:
            instant = (parse_due if due else parse_instant)(text, tz)
        except InstantError as err:
            raise InvalidInput(str(err)) from None
        if instant > self.now + MAX_AHEAD:
            raise InvalidInput(f"{quoted(text)} is more than 10 years ahead")
        return instant

    def as_of(self, text: str | None, tz: ZoneInfo) -> datetime:
        """--as-of as an instant, to the second as now is read (a fraction typed is dropped):
        every command prints the instant it counted to, to the second, so that giving it back
        as --as-of counts the same, whatever the command."""
        return self.instant(text, tz).replace(microsecond=0)

    def day_ahead(self, text: str, tz: ZoneInfo) -> date:
        """A date a command writes (a closure day), held to the rule of an instant typed: not
        more than 10 years ahead of today (in `tz`), which is a typing mistake."""
        day = parse_day(text)
        if day > (self.now.astimezone(tz) + MAX_AHEAD).date():
            raise InvalidInput(f"{text!r} is more than 10 years ahead")
        return day


def parse_day(text: str) -> date:
    from complaintctl.domain.instants import InstantError, parse_date

    try:
        return parse_date(text)
    except InstantError as err:
        raise InvalidInput(str(err)) from None


def current_state(ctx: typer.Context) -> State:
    state = ctx.find_root().obj
    assert isinstance(state, State)
    if state.config_problem is not None:
        raise state.config_problem
    if state.actor_problem is not None:
        raise state.actor_problem
    return state


def _version(value: bool) -> None:
    if value:
        print(f"complaintctl {__version__}")
        raise typer.Exit()


def _acting(named: str | None, login: str, given: str = "--as") -> str:
    """Who is acting: the name --as gives, else the login name. An empty --as is a slip (a
    variable not set), never "my login name" (an empty COMPLAINTCTL_USER is unset, as the
    shell's convention has it). `given`: where the name came from, for the refusal."""
    if named is not None and not named.strip():
        raise InvalidInput(f"{given} must name a member of staff ({named!r} names no one)")
    return named.strip() if named is not None else login


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="COMPLAINTCTL_DB",
            metavar="PATH_OR_URL",
            help="The store: an SQLite file path or an SQLAlchemy URL "
            "[default: complaintctl.sqlite3 in your user data folder].",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="COMPLAINTCTL_USER",
            metavar="USERNAME",
            autocompletion=completion.usernames,
            help="Who is acting, recorded with every change [default: your login name].",
            show_default=False,
        ),
    ] = None,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Tab-separated lines, no colour or tables, even at a terminal "
            "(also when stdout is not a terminal; NO_COLOR only takes the colour away).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Log, acknowledge and track service complaints against their working-hours deadlines.

    A command that records something (or `db init`) makes the store; reading never does.
    Times are read as ISO 8601; without an offset they are local time in the calendar's zone
    (Europe/London by default).
    """
    # Options and the environment first, then the config file (complaintctl.config). A file
    # that cannot be read is refused when the command runs, never when its help is asked for
    # (a `--help` that is another option's value runs the command, which is refused then),
    # nor for `completion`, whose script is the same whatever the file says (as
    # --show-completion's, which never reaches here).
    try:
        loaded: config.Config | None = config.load()
        problem = None
    except InvalidInput as err:
        given = ctx.meta.get(_COMMAND_ARGS, [])
        options = given[: given.index("--")] if "--" in given else given
        if not {"--help", "-h"} & set(options) and ctx.invoked_subcommand != "completion":
            raise
        loaded, problem = None, err
    settings = loaded.settings if loaded is not None else {}
    db = config.store(db, settings)
    # The one clock read of the command: every default --at and --as-of is this instant, to
    # the second, as every instant is shown (in JSON too).
    login = _login_name()
    try:
        acting, actor_problem = (
            _acting(
                actor if actor is not None else settings.get("as"),
                login,
                # Spaces alone in the variable (unset only when empty): say it is the variable.
                "COMPLAINTCTL_USER"
                if ctx.get_parameter_source("actor") == ParameterSource.ENVIRONMENT
                else "--as",
            ),
            None,
        )
    except InvalidInput as err:
        acting, actor_problem = "", err
    ctx.obj = State(
        db=db,
        actor=acting,
        named=bool((actor or settings.get("as") or "").strip()),
        actor_from_file=(
            loaded.path if loaded is not None and actor is None and settings.get("as") else None
        ),
        config=loaded,
        config_problem=problem,
        actor_problem=actor_problem,
        now=datetime.now(UTC).replace(microsecond=0),
        plain=plain,
        origin=(login, socket.gethostname()),
    )
    ctx.call_on_close(_uninterrupted(ctx.obj.close))


def _uninterrupted(close: Callable[[], None]) -> Callable[[], None]:
    """What runs as the command ends, after RootGroup.invoke: Ctrl-C then is an abort too
    (Typer would end with status 130 and say nothing)."""

    def run() -> None:
        try:
            close()
        except KeyboardInterrupt as err:
            raise Abort() from err

    return run


class _ClosedOutput(io.TextIOBase):
    """stdout where the command was started with it closed (`>&-`): anything written to it
    is the error a full disk is (exit 12), not a traceback."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")

    @property
    def buffer(self) -> _ClosedBytes:  # where a letter's bytes go (render.letter_out)
        return _ClosedBytes()


class _ClosedBytes(io.RawIOBase):
    """The bytes side of a closed stdout: refuses them as the text side refuses text."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


def _closed_standard_streams() -> None:
    """A command started with stdin, stdout or stderr closed (`<&-`, `>&-`, `2>&-`): Python
    gives None for it.
    Its descriptor is held open on the null device, so that no file the command opens takes
    its number; a closed stdin reads as empty, as the null device does, a closed stdout
    refuses what is written to it, and a closed stderr takes the messages away (print would
    send them to stdout, among the data)."""
    if sys.stdin is None:
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(_null(os.O_RDONLY, 0), "r")))
    if sys.stdout is None:
        _null(os.O_WRONLY, 1)
        sys.stdout = _ClosedOutput()
    if sys.stderr is None:  # messages are dropped, as `2>/dev/null`, never sent to stdout
        sys.stderr = io.TextIOWrapper(io.FileIO(_null(os.O_WRONLY, 2), "w"), write_through=True)


def _null(flags: int, number: int) -> int:
    descriptor = os.open(os.devnull, flags)
    if descriptor != number:
        os.dup2(descriptor, number)
        os.close(descriptor)
    return number


def main() -> None:
    """The console script."""
    _closed_standard_streams()
    # Text for people in a locale that cannot spell a character shows its escape rather than
    # failing the command (JSON and CSV are written in UTF-8 whatever the locale: render).
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    # A reader such as `head` that stops early ends us quietly, as it does any Unix filter,
    # rather than through a broken-pipe error (which the CLI library turns into exit 1).
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # A file past the size limit is an error to report (EFBIG), not a signal that kills.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # Asked to stop, a command unwinds as an interrupt does: its transaction rolls back and
    # any file it was writing is removed (complaintctl.files).
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)
    try:
        app(prog_name="complaintctl")
    except KeyboardInterrupt:  # Ctrl-C as the command line is built, before RootGroup.main
        _fail("aborted", 130)


class Stopped(SystemExit):
    """SIGTERM or SIGHUP: the command unwinds as for Ctrl-C (its transaction rolls back, a
    file being written is removed) and ends with the shell's status for the signal, 128 + its
    number, said in one line, and said to be kept where it had recorded its change."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.status = 128 + signum
        self.signal_name = signal.Signals(signum).name


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)
