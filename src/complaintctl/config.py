"""The config file: what an officer sets once rather than typing on every command.

TOML, at `config.toml` in the user config folder (platformdirs), or wherever
COMPLAINTCTL_CONFIG names (which must then be there). Options override environment variables,
which override the file, which overrides the built-in defaults. A key the file does not
know, a value of the wrong type, or a duration that does not read as one, is an error naming
the file: a typo silently ignored would act on the wrong store.

    db = "~/complaints/store.sqlite3"   # --db, COMPLAINTCTL_DB (a relative path: from the
                                        # file's folder)
    as = "ann.officer"                  # --as, COMPLAINTCTL_USER
    area = "Casework"                   # ack --area
    warn_within = "2h"                  # queue --warn-within

    templates = "~/complaints/letters"  # letter --templates (default: templates/ beside
                                        # this file, where there is one)

    [views.mine-breached]               # queue --view mine-breached
    mine = true
    breached = true

    [organisation]                      # who letters come from (defaults: the published page)
    name = "Communications Ombudsman"
    address = "3300 Daresbury Park\nWarrington\nWA4 4HS"
    email = "customer-relations@trustalliancegroup.org"
    signatory = "Customer Relations"    # who signs, unless [organisation.signatories] says
    [organisation.signatories]
    final-response = "Sam Senior, Senior Complaint Executive"
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.files import resolved

ENV_VAR = "COMPLAINTCTL_CONFIG"

# Each setting: what it is the default for, and the environment variable that overrides it.
SETTINGS: dict[str, tuple[str, str | None]] = {
    "db": ("--db", "COMPLAINTCTL_DB"),
    "as": ("--as", "COMPLAINTCTL_USER"),
    "area": ("ack --area", None),
    "warn_within": ("queue --warn-within", None),
    "templates": ("letter --templates", None),
}

# What a saved queue view may hold: queue's own filters, by their option names' words.
VIEW_FILTERS: dict[str, type] = {
    "stage": list,
    "area": str,
    "owner": str,
    "mine": bool,
    "unassigned": bool,
    "breached": bool,
    "due_within": str,
    "category": str,
    "board": bool,
}


@dataclass(frozen=True)
class Organisation:
    """Who letters come from, and how the consumer reaches the Independent Assessor. The
    defaults are the published page's; the page gives no separate route to the Assessor, so
    by default a referral is asked for through Customer Relations, as the page's final
    response "will explain"."""

    name: str = "Communications Ombudsman"
    address: str = "3300 Daresbury Park\nWarrington\nWA4 4HS"
    email: str = "customer-relations@trustalliancegroup.org"
    phone: str = ""
    website: str = ""
    assessor: str = (
        "The Independent Assessor\n"
        "c/o Customer Relations, Communications Ombudsman\n"
        "3300 Daresbury Park, Warrington WA4 4HS\n"
        "Email: customer-relations@trustalliancegroup.org "
        '(write "For the Independent Assessor" and your reference)'
    )
    signatory: str = "Customer Relations"
    signatories: dict[str, str] = field(default_factory=dict)  # by letter kind

    def signs(self, kind: str) -> str:
        return self.signatories.get(kind, self.signatory)


ORGANISATION_FIELDS = ("name", "address", "email", "phone", "website", "assessor", "signatory")
# What every letter, or a final response, must say: never set to nothing.
NOT_BLANK = {
    "name": "every letter is from the organisation by name",
    "assessor": "the final response gives the Independent Assessor's contact details",
    "signatory": "every letter is signed",
}


@dataclass(frozen=True)
class Config:
    path: Path
    found: bool
    settings: dict[str, str] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisation: Organisation = field(default_factory=Organisation)

    def templates(self) -> Path | None:
        """The organisation's letter templates: the file's `templates`, else a `templates`
        folder beside the file where there is one."""
        if "templates" in self.settings:
            return Path(os.path.expanduser(self.settings["templates"]))
        beside = self.path.parent / "templates"
        return beside if beside.is_dir() else None

    def view(self, name: str) -> dict[str, Any]:
        """A saved queue view's filters, or why there is none by that name."""
        if name not in self.views:
            known = ", ".join(sorted(self.views)) or f"none (add [views.NAME] to {self.path})"
            raise InvalidInput(f"no queue view {name!r}; the views are {known}")
        return self.views[name]


def store(option: str | None, settings: dict[str, str]) -> str | None:
    """The store named: --db (`option`), else COMPLAINTCTL_DB, else the file's db; None for
    the default store."""
    if option is None and "COMPLAINTCTL_DB" in os.environ:
        # The CLI library reads an empty variable as unset: an empty store name is a mistake
        # to report, not a reason to fall back to the default store.
        return os.environ["COMPLAINTCTL_DB"]
    if option is None and "db" in settings:
        named = settings["db"]
        return named if "://" in named else os.path.expanduser(named)
    return option


def config_path() -> Path:
    named = os.environ.get(ENV_VAR)
    if named:  # named resolved in every message, as every file is (files.resolved)
        return resolved(named)
    from platformdirs import user_config_path

    return user_config_path("complaintctl", appauthor=False) / "config.toml"


def load(path: Path | None = None) -> Config:
    """The config file's settings and views; none when there is no file. A file that
    COMPLAINTCTL_CONFIG names must be there: a slip in the path typed would otherwise give the
    defaults without a word."""
    named = path is None and bool(os.environ.get(ENV_VAR))
    if named and not os.environ[ENV_VAR].strip():
        raise InvalidInput(
            f"{ENV_VAR} holds only spaces: name the config file, or unset it for the default one"
        )
    path = config_path() if path is None else path
    try:
        # utf-8-sig: a byte-order mark some editors begin a UTF-8 file with is not TOML's text.
        data = tomllib.loads(_read(path).decode("utf-8-sig"))
    except (FileNotFoundError, NotADirectoryError):  # NotADirectory: HOME a file, not a folder
        if named:
            raise InvalidInput(f"config file {path}: no such file (named by {ENV_VAR})") from None
        return Config(path, found=False)
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(f"config file {path}: cannot be read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(f"config file {path}: not TOML: {err}") from None
    return checked(path, data)


MOST_BYTES = 1024 * 1024  # far more than any config; a slip naming a big file is refused


def _read(path: Path) -> bytes:
    """The file's bytes, at most `MOST_BYTES` of them (InvalidInput past that, or for what is
    no file): a device (/dev/zero, a terminal) or a pipe named by mistake would be read
    forever, or wait for input. /dev/null reads as an empty file: no settings."""
    found = path.stat()
    if not stat.S_ISREG(found.st_mode) and not _is_dev_null(found):
        raise InvalidInput(f"config file {path}: not a file (a device, pipe or folder)")
    with path.open("rb") as file:
        data = file.read(MOST_BYTES + 1)
    if len(data) > MOST_BYTES:
        raise InvalidInput(
            f"config file {path}: is larger than a config file ({MOST_BYTES:,} bytes)"
        )
    return data


def _is_dev_null(found: os.stat_result) -> bool:
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(found.st_mode) and found.st_rdev == null.st_rdev


def checked(path: Path, data: dict[str, Any]) -> Config:
    """The settings and views `data` holds, each key known and each value of its type."""

    def refuse(problem: str) -> InvalidInput:
        return InvalidInput(f"config file {path}: {problem}")

    views = data.pop("views", {})
    organisation = _organisation(data.pop("organisation", {}), refuse)
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        known = ", ".join([*SETTINGS, "[views.NAME]", "[organisation]"])
        raise refuse(f"unknown setting {unknown[0]!r}; the settings are {known}")
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise refuse(f"{key} must be a non-empty string")
    if not isinstance(views, dict):
        raise refuse("views must be tables: [views.NAME]")
    for name, filters in views.items():
        if not isinstance(filters, dict):
            raise refuse(f"views.{name} must be a table of queue filters")
        for key, value in filters.items():
            wanted = VIEW_FILTERS.get(key)
            if wanted is None:
                known = ", ".join(VIEW_FILTERS)
                raise refuse(f"views.{name}: unknown filter {key!r}; the filters are {known}")
            strings = not isinstance(value, list) or all(isinstance(v, str) for v in value)
            if not isinstance(value, wanted) or not strings:
                kind = {bool: "true or false", str: "a string", list: "a list of strings"}[wanted]
                raise refuse(f"views.{name}.{key} must be {kind}")
            if isinstance(value, str) and not value.strip():
                raise refuse(f"views.{name}.{key} must be a non-empty string")
        if filters.get("mine") and "owner" in filters:
            raise refuse(f"views.{name}: owner and mine are one filter: give one")
        _check_choices(name, filters, refuse)
    durations = {"warn_within": data.get("warn_within")}
    durations |= {
        f"views.{name}.due_within": view.get("due_within") for name, view in views.items()
    }
    for key, value in durations.items():
        if value is not None and (problem := _duration_problem(value)):
            raise refuse(f"{key}: {problem}")
    settings = dict(data)
    # A path the file names relative is relative to the file's folder, as the file is read
    # from every folder: taken from the working folder, `db` would name another store in each
    # (and the first command recording something would make one there).
    for key in ("db", "templates"):
        named = settings.get(key)
        if named is not None and "://" not in named:
            settings[key] = os.path.join(os.path.abspath(path.parent), os.path.expanduser(named))
    config = Config(
        path, found=True, settings=settings, views=dict(views), organisation=organisation
    )
    _signatories_known(config, refuse)
    return config


def _check_choices(
    name: str, filters: dict[str, Any], refuse: Callable[[str], InvalidInput]
) -> None:
    """A view's stages and category, each one queue's option takes (`view_choice`): refused
    as the file is read, as its other mistakes are, not only once the view is asked for."""
    for key in ("stage", "category"):
        given = filters.get(key, [])
        for value in given if isinstance(given, list) else [given]:
            try:
                view_choice(key, value, f"views.{name}.{key}")
            except InvalidInput as err:
                raise refuse(err.message) from None


def ended_stage_problem(stage: str) -> str | None:
    """Why the queue lists no case at `stage` (closed or assessed, in any case of letters,
    spaces around it aside), or None: it lists open cases, and `export` the ended ones."""
    from complaintctl.domain.procedure import ENDED_STAGES

    cleaned = stage.strip().lower()
    if cleaned not in {ended.value for ended in ENDED_STAGES}:
        return None
    a = "an" if cleaned[0] in "aeiou" else "a"
    return (
        f"{cleaned}: {a} {cleaned} case is never in the queue (it lists open cases); "
        f"`export --stage {cleaned}` lists them"
    )


def view_choice(key: str, value: str, where: str) -> str:
    """A saved view's `key` (`stage`: one queue lists, or `category`) as queue's option reads
    it, in any case, spaces around it aside; one it cannot read refused naming `where` (the
    view's key, and the config file where the caller names it)."""
    from complaintctl.domain.procedure import ENDED_STAGES, Category, Stage

    allowed = {
        "stage": [stage.value for stage in Stage if stage not in ENDED_STAGES],
        "category": [category.value for category in Category],
    }[key]
    cleaned = value.strip().lower()
    if key == "stage" and (problem := ended_stage_problem(cleaned)):
        raise InvalidInput(f"{where}: {problem}")
    if cleaned not in allowed:
        raise InvalidInput(
            f"{where}: {value!r} is not one of {', '.join(allowed)} (complaintctl config)"
        )
    return cleaned


def _duration_problem(text: str) -> str | None:
    """Why `text` is not a working duration as queue's options read it (`4h`, `1d4h`), or
    None; how long a `d` is, the store's calendar says, and the store checks the length."""
    from datetime import timedelta

    from complaintctl.domain.instants import InstantError, parse_working_duration

    try:
        parse_working_duration(text, timedelta(0))
    except InstantError as err:
        return str(err)
    return None


def _organisation(table: Any, refuse: Callable[[str], InvalidInput]) -> Organisation:
    """The [organisation] table: each key known, each value a string."""
    if not isinstance(table, dict):
        raise refuse("organisation must be a table: [organisation]")
    signatories = table.pop("signatories", {})
    unknown = sorted(set(table) - set(ORGANISATION_FIELDS))
    if unknown:
        known = ", ".join([*ORGANISATION_FIELDS, "[organisation.signatories]"])
        raise refuse(f"unknown setting organisation.{unknown[0]}; the settings are {known}")
    for key, value in table.items():
        if not isinstance(value, str):
            raise refuse(f"organisation.{key} must be a string")
        if key in NOT_BLANK and not value.strip():
            # A final response would give no way to reach the Assessor, or a letter no sender.
            raise refuse(f"organisation.{key} must not be blank: {NOT_BLANK[key]}")
    if not isinstance(signatories, dict) or not all(
        isinstance(value, str) for value in signatories.values()
    ):
        raise refuse('organisation.signatories must be a table of letter kind = "who signs"')
    blank = sorted(kind for kind, value in signatories.items() if not value.strip())
    if blank:
        raise refuse(
            f"organisation.signatories.{blank[0]} must not be blank: {NOT_BLANK['signatory']}"
        )
    return Organisation(**table, signatories=dict(signatories))


def _signatories_known(config: Config, refuse: Callable[[str], InvalidInput]) -> None:
    """Each kind [organisation.signatories] names is a letter kind: a built-in one, or one the
    organisation's templates (the file's folder) add. A kind misspelt would have its letters
    signed by the default signatory, unnoticed."""
    from complaintctl.domain.letters import LetterKind

    kinds = [kind.value for kind in LetterKind]
    if set(config.organisation.signatories) <= set(kinds):
        return
    from complaintctl.letters import Templates
    from complaintctl.text import shell_word

    folder = config.templates()
    unreadable = None  # refused when letters are made from it, naming why; said here too
    try:
        kinds = Templates(folder).kinds()
    except InvalidInput as err:
        unreadable = err.message
    unknown = sorted(set(config.organisation.signatories) - set(kinds))
    if not unknown:
        return
    if unreadable is not None:  # the kind may well be the organisation's: the folder is wrong
        raise refuse(
            f"organisation.signatories: {unknown[0]!r} is no built-in letter kind, and "
            f"{unreadable}; put the organisation's templates ({unknown[0]}.html) there, or "
            "set `templates` to the folder they are in"
        )
    added = ""
    if folder is None:
        beside = shell_word(str(config.path.parent / "templates"))
        added = (
            " (no templates folder adds one: the file sets no `templates`, and there is no "
            f"{beside} beside it)"
        )
    raise refuse(
        f"organisation.signatories: unknown letter kind {unknown[0]!r}; "
        f"the kinds are {', '.join(kinds)}{added}"
    )
