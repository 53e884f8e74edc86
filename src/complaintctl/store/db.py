"""Where the store is, how to open it, and turning database failures into StoreUnavailable."""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from complaintctl.errors import InvalidInput, StoreDamaged, StoreUnavailable
from complaintctl.store.types import MissingRow, UnreadableDetails, UnreadableInstant
from complaintctl.text import half_character, quoted

# How long a command waits for another writer before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 5.0
MAX_LOCK_TIMEOUT = 3600.0
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("complaintctl", appauthor=False) / "complaintctl.sqlite3"


def resolve_url(db: str | None) -> str:
    """A store given as a file path or an SQLAlchemy URL; none means the default file."""
    if db is None:
        return _sqlite_url(default_store_path())
    db = db.strip()
    if not db:
        # A usage error, as any option given empty is (a variable not set): not a store that
        # cannot be used, nor the default store.
        raise InvalidInput("--db (or COMPLAINTCTL_DB) is empty: name a file or a URL")
    if half := half_character(db):
        # A byte that is not UTF-8 (a Latin-1 terminal's é): no URL can carry it.
        raise StoreUnavailable(
            f"--db (or COMPLAINTCTL_DB) holds {half}, half of a character (a byte that is not "
            "UTF-8): name the store in UTF-8, or rename the file"
        )
    if "\x00" in db:
        # No file name holds one, and a C library reading the path or the URL would end it
        # there: a PostgreSQL URL's `host` after it lost, and another server reached.
        raise StoreUnavailable(_HOLDS_NUL)
    if "://" in db:
        parsed = _parse(db)  # refused here, once, rather than wherever it is first used
        if any("\x00" in part for part in _decoded_parts(parsed)):
            raise StoreUnavailable(_HOLDS_NUL)
        return db
    if db.endswith(("/", os.sep)):
        # A folder, there or not: the path would drop the slash, and a store be made as a
        # file of the folder's name.
        folder = Path(os.path.expanduser(db)).absolute()
        raise StoreUnavailable(
            f"{folder}{os.sep} is a folder, not a store: name the store's file in it "
            f"({folder / 'complaintctl.sqlite3'}, say)"
        )
    # os.path's expanduser leaves `~someone` as it is where there is no such user, as the
    # shell does; Path.expanduser raises.
    return _sqlite_url(Path(os.path.expanduser(db)).absolute())


_HOLDS_NUL = (
    "--db (or COMPLAINTCTL_DB, or the config file's db) holds a NUL character (\\x00, or %00 "
    "in a URL), which no file name or database URL holds"
)


def _decoded_parts(parsed: URL) -> list[str]:
    """Each part of a URL as the driver is given it (%00 decoded): user, password, host,
    database and every query value."""
    parts = [parsed.username, parsed.password, parsed.host, parsed.database]
    for value in parsed.query.values():
        parts.extend([value] if isinstance(value, str) else value)
    return [str(part) for part in parts if part is not None]


def _sqlite_url(path: Path) -> str:
    # Escaped, so that a # or ? in a file name is part of the path, not the URL's query.
    return f"sqlite:///{quote(str(path))}"


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Not echoed: a URL that cannot be read cannot have its password hidden either.
        raise StoreUnavailable(
            "--db (or COMPLAINTCTL_DB, or the config file's db) is neither a file path nor a "
            "database URL that can be read, such as postgresql+psycopg://user@host/database"
        ) from None
    if "@" in (parsed.host or ""):
        # `user:pa@ss@host`: the password ends at its first @, and the rest of it would be
        # taken for the host, and shown as one. No host name holds an @.
        raise StoreUnavailable(
            "--db (or COMPLAINTCTL_DB, or the config file's db) is a database URL whose host "
            "holds an @: an @ in a user name or password is written %40 in a URL"
        )
    return parsed


def describe(url: str) -> str:
    """The store as it can be shown to a person: a path, or a URL without its password
    (in its user part or its query, e.g. ?password=…)."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    hidden = {
        key: "***" if "password" in key.lower() else value for key, value in parsed.query.items()
    }
    shown = parsed.update_query_dict(hidden).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", "***")


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite store (None for PostgreSQL, or SQLite in memory)."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def missing_sqlite_file(url: str) -> Path | None:
    """The path of an SQLite store that is not there: no file, or an empty one (a file made
    by mistake, or by a command killed before it wrote anything, is no store)."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        found = path.stat()
    except FileNotFoundError:
        return path
    except OSError as err:  # a name too long, a folder that cannot be entered, …
        raise StoreUnavailable(f"cannot open the store {path}: {err.strerror}") from None
    if stat.S_ISDIR(found.st_mode):
        raise StoreUnavailable(
            f"{path} is a folder, not a store: name the store's file in it "
            f"({path / 'complaintctl.sqlite3'}, say)"
        )
    if not stat.S_ISREG(found.st_mode):
        # `--db /dev/null` reads as an empty file: taken for no store yet, SQLite "made" one
        # there (a disk I/O error, and /dev/null-journal left behind as root) or wrote it
        # nowhere and read back no staff. Refused alike by every command, as a folder is.
        raise StoreUnavailable(
            f"{path} is not a regular file (a device, a pipe), not a store: name the store's file"
        )
    return None if found.st_size > 0 else path


def no_store(where: str) -> StoreUnavailable:
    """What a command that needs a store says where there is none."""
    return StoreUnavailable(
        f"there is no store at {where}: check --db, COMPLAINTCTL_DB or the config file's db; "
        "to start one, run `complaintctl db init` (or add the first member of staff with "
        "`complaintctl staff add`), or try the tool on `complaintctl demo`"
    )


def prepare_sqlite_file(path: Path) -> list[Path]:
    """Create the store's file and any folders it needs, each for its owner only (0600, 0700:
    the store holds consumers' personal data); the folders made, outermost first (a command
    that then fails removes them again). Folders there already are left as they are. An empty
    file there already (made by hand, `touch`), which the store is about to be made in, is
    made its owner's only too, where it is ours: a store is private however it was begun."""
    made = [folder for folder in reversed(path.parents) if not folder.exists()]
    try:
        for folder in made:  # each one, not just the innermost (mkdir's parents= are 0755)
            folder.mkdir(mode=0o700, exist_ok=True)
        if path.exists():
            found = path.stat()
            # A regular file of ours: never a device or a pipe (`--db /dev/null`), nor a file
            # another account made for us, whose permissions are theirs to decide. Only
            # others' access is taken away: one its owner made read-only stays so.
            mode = stat.S_IMODE(found.st_mode)
            if stat.S_ISREG(found.st_mode) and found.st_uid == os.geteuid() and mode & 0o077:
                os.chmod(path, mode & 0o700)
        else:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as err:
        raise StoreUnavailable(f"cannot create the store at {path}: {err.strerror}") from err
    return made


# The settings an SQLite URL may carry: those SQLAlchemy's SQLite driver reads itself
# (sqlalchemy/dialects/sqlite/pysqlite.py, `pysqlite_args`).
_SQLITE_DRIVER_SETTINGS = frozenset(
    {"uri", "timeout", "isolation_level", "detect_types", "check_same_thread", "cached_statements"}
)


def lock_timeout() -> float:
    raw = os.environ.get("COMPLAINTCTL_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    # ASCII digits, as every number the tool reads: float() alone would also take "٥", "1_0",
    # "1e3", "nan" and "inf".
    seconds = float(raw) if _SECONDS.fullmatch(raw) else -1.0
    if not 0 <= seconds <= MAX_LOCK_TIMEOUT:
        raise InvalidInput(
            f"COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to "
            f"{MAX_LOCK_TIMEOUT:.0f}, not {quoted(raw)}"
        )
    return seconds


def open_engine(url: str, *, wait: float | None = None) -> Engine:
    """An engine on the store. `wait`: how long to wait for a lock, or for a PostgreSQL server
    to answer, in seconds [default: the lock timeout, and the driver's own for a server]."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreUnavailable(
            f"cannot open the store {describe(url)}: complaintctl keeps its store in SQLite "
            "or PostgreSQL (postgresql+psycopg://…)"
        )
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        if parsed.drivername != "postgresql":
            raise StoreUnavailable(
                f"cannot open the store {describe(url)}: complaintctl reaches PostgreSQL "
                "through psycopg, as the postgres extra installs it: write the URL as "
                "postgresql+psycopg://…"
            )
        # A plain URL, as psql and pg_dump take it: SQLAlchemy would pick psycopg2, which the
        # postgres extra does not install.
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {}
    timeout = lock_timeout() if wait is None else wait
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": timeout}
    elif wait is not None:
        kwargs["connect_args"] = {"connect_timeout": max(1, math.ceil(wait))}
    if backend == "postgresql":
        # UTF-8 from the first message: SQLAlchemy reads the server's version before any
        # "connect" hook runs (_use_postgresql_transactions), and a database made in SQL_ASCII
        # would send it, and every text, as bytes the driver does not decode.
        kwargs.setdefault("connect_args", {})["client_encoding"] = "UTF8"
        # Each statement sees what was committed before it began, so a writer that waited for
        # the write lock sees everything the previous writer did (whatever the server's
        # default isolation is).
        kwargs["isolation_level"] = "READ COMMITTED"
    if backend == "sqlite" and (other := sorted(set(parsed.query) - _SQLITE_DRIVER_SETTINGS)):
        # SQLite's own URI settings (`?mode=ro`), or a name the driver does not know
        # (`?TIMEOUT=5`): without uri=true the driver ignores them, with a warning over two
        # lines, and opens the store as if the URL did not say them; with it, it opens a file
        # named with them (`store.sqlite3?mode=ro`), made empty.
        raise StoreUnavailable(
            f"cannot open the store {describe(url)}: a setting in its URL "
            f"({', '.join(other)}) is not one the SQLite driver reads, and complaintctl does "
            "not pass it on: leave it out (a URL may set only "
            + ", ".join(sorted(_SQLITE_DRIVER_SETTINGS))
            + ", as written)"
        )
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as err:
        raise StoreUnavailable(f"cannot open the store {describe(url)}: {err}") from None
    except ImportError:
        raise StoreUnavailable(
            f"cannot open the store {describe(url)}: its database driver is not installed "
            "(for PostgreSQL: pip install 'complaintctl[postgres]')"
        ) from None
    except ArgumentError as err:
        raise StoreUnavailable(f"cannot open the store {describe(url)}: {err}") from None
    except (ValueError, TypeError):  # a driver setting in the URL it cannot read
        # The names only: a value may be a secret, and the driver's words quote it.
        named = ", ".join(sorted(parsed.query))
        raise StoreUnavailable(
            f"cannot open the store {describe(url)}: a setting in its URL ({named}) cannot be "
            "read: give each the value its driver takes (a number for timeout)"
        ) from None
    if backend == "sqlite":
        _use_sqlite_transactions(engine)
    else:
        _use_postgresql_transactions(engine, timeout)
    return engine


def open_read_only(url: str, *, wait: float | None = None) -> Engine:
    """An engine that never changes the store, not even an SQLite file's journal mode, and
    never makes one where there is none (for `db status`, and completion); PostgreSQL's
    sessions only read what they are asked to. `wait` as for open_engine."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        # SQLite's own URI, built here: a path with # or ? in it stays one path.
        uri = f"file:{quote(parsed.database)}?mode=ro"
        timeout = lock_timeout() if wait is None else wait
        return create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout)
        )
    return open_engine(url, wait=wait)


def _use_sqlite_transactions(engine: Engine) -> None:
    """WAL so readers never wait for a writer; writers take the lock when they begin.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    that runs (the SQLAlchemy docs' recipe); a write unit of work begins IMMEDIATE, so two
    writers queue on the busy timeout instead of failing half-way through.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # What an erasure or a retention run removes is overwritten on disk, not left in the
        # file's free pages: many SQLite builds do this by default, not all.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("complaintctl_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# Writers on one PostgreSQL store take this advisory lock, keyed by the store's schema, for the
# length of their transaction: the same one-writer-at-a-time rule as SQLite's BEGIN IMMEDIATE,
# so every check a command makes still holds when it commits (a deadline is never computed on a
# calendar that another officer is changing). Readers never wait: PostgreSQL's snapshots.
WRITE_LOCK_CLASS = 7351  # "complaintctl", as one of the lock's two keys


def _use_postgresql_transactions(engine: Engine, timeout: float) -> None:
    """Waiting for a lock gives up after the lock timeout; writers queue on the write lock."""
    # 0 means "never wait" here, as it does for SQLite; to PostgreSQL it would mean forever.
    milliseconds = max(1, round(timeout * 1000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {milliseconds}")
            # The driver reads dates and times only as ISO writes them; a role or server set
            # to write them its own way (DateStyle 'SQL, DMY', 'German') would fail every read.
            cursor.execute("SET DateStyle = 'ISO'")
            # Text goes to the server as UTF-8 whatever the database's own encoding, so text
            # the database cannot hold is the server's to refuse (store_error), not taken for
            # input that cannot be read.
            cursor.execute("SET client_encoding = 'UTF8'")
            # Instants are read in UTC, whatever zone the role or server (PGTZ) sets: the
            # driver cannot name a POSIX-style zone such as UTC+5, and said so on stderr.
            cursor.execute("SET TimeZone = 'UTC'")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("complaintctl_snapshot", False):
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if connection.get_execution_options().get("complaintctl_write", False):
            # No schema on the search path (a misspelt one) still locks, keyed by "".
            connection.exec_driver_sql(
                f"SELECT pg_advisory_xact_lock({WRITE_LOCK_CLASS}, "
                "hashtext(coalesce(current_schema(), '')))"
            )


def store_error(err: SQLAlchemyError | sqlite3.DatabaseError, url: str) -> StoreUnavailable:
    """Say what went wrong with the store in one line a person can act on."""
    where = describe(url)
    text = str(getattr(err, "orig", err)).strip().splitlines()[0] if str(err) else repr(err)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered or "lock timeout" in lowered:
        return StoreUnavailable(
            f"the store {where} is locked by another complaintctl or program; try again"
        )
    sqlite = url.startswith("sqlite")
    if sqlite and "not a database" in lowered:
        return StoreUnavailable(f"{where} is not a complaintctl store (not an SQLite database)")
    if "malformed" in lowered or "decode" in lowered or "corrupt" in lowered:
        return damaged(where, text)
    if sqlite and ("no such table" in lowered or "no such column" in lowered):
        # A store at this program's revision lacking what that revision has: changed by hand.
        return damaged(where, text)
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        folder = _unwritable_folder(url) if sqlite else None
        if folder is not None:
            # In WAL mode even a reader makes the -wal and -shm files beside the store.
            name = folder[1].name
            return StoreUnavailable(
                f"cannot open the store {where}: SQLite writes its journal files ({name}-wal "
                f"and {name}-shm) beside the store, even to read it, and the folder "
                f"{folder[0]} may not be written to: let its user write that folder, or copy "
                f"the store to one they may ({text})"
            )
        return StoreUnavailable(f"cannot read and write the store {where}: {text}")
    if not sqlite and "no schema has been selected" in lowered:
        # The URL's search_path (options=-csearch_path%3D…) names no schema there is.
        path = _search_path(url)
        named = f" ({path})" if path else ""
        return StoreUnavailable(
            f"the store {where} has no schema to make its tables in: no schema on its search "
            f"path exists{named}; make it first (CREATE SCHEMA name AUTHORIZATION role), or "
            "correct the URL"
        )
    if not sqlite and "has no equivalent in encoding" in lowered:
        # A database made in an encoding narrower than UTF-8 (LATIN1, WIN1252).
        return StoreUnavailable(
            f"the store {where} cannot hold this text: {text}; keep the store in a database "
            "made with ENCODING 'UTF8'"
        )
    if not sqlite and "permission denied for" in lowered:
        # A PostgreSQL role without the grant the command needs (README: "Team use").
        role = _url_user(url)
        who = f"database role {role}" if role else "the database role connecting"
        removing = any(f"for table {t}" in lowered for t in ("event", "response", "incident"))
        return StoreUnavailable(
            f"{who} may not do this in the store {where} ({text}): the store's owner grants "
            "it, as the README's least-privilege grants say"
            + (" (removing personal data needs the removers' group)" if removing else "")
        )
    return StoreUnavailable(f"the store {where} failed: {text}")


def _unwritable_folder(url: str) -> tuple[Path, Path] | None:
    """The folder of an SQLite store that is there, and the store, where this user may not
    write that folder."""
    try:
        path = sqlite_file(url)
    except StoreUnavailable:
        return None
    if path is None or not path.is_file():
        return None
    folder = path.resolve().parent
    return None if os.access(folder, os.W_OK) else (folder, path)


def _url_user(url: str) -> str | None:
    try:
        return make_url(url).username
    except ArgumentError:
        return None


def _search_path(url: str) -> str | None:
    """The schemas a URL's `options=-csearch_path=…` names, as given."""
    try:
        options = make_url(url).query.get("options")
    except ArgumentError:
        return None
    for option in options if isinstance(options, tuple) else [options or ""]:
        _, found, path = option.partition("search_path=")
        if found:
            return path.split(" ")[0] or None
    return None


def damaged(where: str, what: str) -> StoreDamaged:
    return StoreDamaged(f"the store at {where} is damaged: {what}; restore it from a backup", what)


class UnreadableRevision(Exception):
    """The store's record of its schema revision is not the one revision complaintctl writes."""


class ForeignTables(Exception):
    """The database (or schema) holds tables, none of them complaintctl's: another program's."""


@contextmanager
def translated_errors(url: str) -> Iterator[None]:
    """Database failures as StoreUnavailable (exit 8), in one line: the driver's errors, and
    text in the store that is not what was written (bytes that are not UTF-8, JSON that is
    not JSON)."""
    try:
        yield
    except DBAPIError as err:
        raise store_error(err, url) from err
    except SQLAlchemyError as err:
        raise store_error(err, url) from err
    except sqlite3.DatabaseError as err:  # raised where SQLAlchemy does not wrap it
        raise store_error(err, url) from err
    except UnicodeDecodeError as err:
        raise damaged(describe(url), f"text that is not UTF-8 ({err.reason})") from err
    except json.JSONDecodeError as err:
        # Input a command reads (an import, stdin) is checked where it is read: JSON that fails
        # here was read from the store (history details, adjustments), changed by hand.
        raise damaged(describe(url), f"a value kept as JSON is not JSON ({err.msg})") from err
    except (UnreadableInstant, UnreadableDetails, UnreadableRevision, MissingRow) as err:
        raise damaged(describe(url), str(err)) from err
    except ForeignTables as err:
        where = describe(url)
        place = "a new file" if url.startswith("sqlite") else "a database, or a schema, of its own"
        raise StoreUnavailable(
            f"{where} is not a complaintctl store: it holds another program's tables ({err}); "
            f"give complaintctl {place}"
        ) from err
