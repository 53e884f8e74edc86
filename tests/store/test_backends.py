"""Which databases a store may be in, and what a person is told when one cannot be used."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from complaintctl.cli import app
from tests.conftest import TEST_DB, needs_postgres_driver, postgres_only, schema_url


def complaintctl(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--as", "sam.senior", *args])
    return result.exit_code, result.stdout, result.stderr


def a_closed_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_database_other_than_sqlite_or_postgresql_is_refused_with_exit_8() -> None:
    assert (
        8,
        "",
        "Error: cannot open the store mysql://clerk@db.example.org/complaints: complaintctl keeps "
        "its store in SQLite or PostgreSQL (postgresql+psycopg://…)\n",
    ) == complaintctl("--db", "mysql://clerk@db.example.org/complaints", "queue")


@pytest.mark.parametrize("query", ["timeout=soon", "cached_statements=many"])
def test_a_driver_setting_in_the_url_that_is_no_number_is_refused_with_exit_8(
    tmp_path: pytest.TempPathFactory, query: str
) -> None:
    # It was a traceback (exit 1): the driver's own ValueError, as the engine was made.
    store = f"{tmp_path}/store.sqlite3"
    assert 0 == complaintctl("--db", store, "db", "init")[0]
    code, out, err = complaintctl("--db", f"sqlite:///{store}?{query}", "queue")
    assert (8, "") == (code, out)
    name, value = query.split("=")
    assert (
        f"Error: cannot open the store {store}: a setting in its URL ({name}) cannot be read: "
        "give each the value its driver takes (a number for timeout)\n"
    ) == err
    assert value not in err  # a value in a URL may be a secret


@pytest.mark.parametrize(
    "query",
    ["mode=ro", "mode=ro&cache=shared", "mode=ro&timeout=5", "mode=ro&uri=true", "TIMEOUT=5"],
)
def test_a_sqlite_setting_of_its_own_in_the_url_is_refused_with_exit_8(
    tmp_path: Path, query: str
) -> None:
    # Without uri=true it was SQLAlchemy's warning over two lines, then the store opened as if
    # the URL did not say it (a store meant to be read only, written to); with it, a new empty
    # file named `store.sqlite3?mode=ro`, and "there is no store".
    store = f"{tmp_path}/store.sqlite3"
    assert 0 == complaintctl("--db", store, "db", "init")[0]
    code, out, err = complaintctl("--db", f"sqlite:///{store}?{query}", "queue")
    named = {"mode=ro&cache=shared": "cache, mode", "TIMEOUT=5": "TIMEOUT"}.get(query, "mode")
    assert (
        8,
        "",
        f"Error: cannot open the store {store}: a setting in its URL ({named}) is not one the "
        "SQLite driver reads, and complaintctl does not pass it on: leave it out (a URL may set "
        "only cached_statements, check_same_thread, detect_types, isolation_level, timeout, "
        "uri, as written)\n",
    ) == (code, out, err)
    assert ["store.sqlite3"] == sorted(p.name for p in tmp_path.iterdir() if "sqlite3" in p.name)


@pytest.mark.parametrize("driver", ["pg8000", "psycopg2", "asyncpg"])
def test_a_postgresql_driver_other_than_psycopg_is_refused_naming_the_url_to_write(
    driver: str,
) -> None:
    # "Install the postgres extra" would not help: it installs psycopg, which this URL skips.
    assert (
        8,
        "",
        f"Error: cannot open the store postgresql+{driver}://clerk@db.example.org/complaints: "
        "complaintctl reaches PostgreSQL through psycopg, as the postgres extra installs it: "
        "write the URL as postgresql+psycopg://…\n",
    ) == complaintctl("--db", f"postgresql+{driver}://clerk@db.example.org/complaints", "queue")


@needs_postgres_driver
@pytest.mark.parametrize("command", [["queue"], ["db", "status"], ["db", "upgrade"]])
def test_a_postgresql_server_that_cannot_be_reached_exits_8_without_showing_the_password(
    command: list[str],
) -> None:
    port = a_closed_port()
    code, out, err = complaintctl(
        "--db", f"postgresql+psycopg://clerk:s3cret@127.0.0.1:{port}/complaints", *command
    )
    assert (8, "") == (code, out)
    assert err.startswith(
        f"Error: the store postgresql+psycopg://clerk:***@127.0.0.1:{port}/complaints failed: "
        "connection failed:"
    )
    assert "s3cret" not in err
    assert 1 == len(err.splitlines())


@needs_postgres_driver
def test_a_plain_postgresql_url_as_psql_takes_it_is_reached_through_psycopg() -> None:
    # Not "driver not installed" (SQLAlchemy's default for it is psycopg2): psycopg tries it.
    port = a_closed_port()
    code, out, err = complaintctl(
        "--db", f"postgresql://clerk@127.0.0.1:{port}/complaints", "queue"
    )
    assert (8, "", True) == (
        code,
        out,
        err.startswith(
            f"Error: the store postgresql://clerk@127.0.0.1:{port}/complaints failed: "
            "connection failed:"
        ),
    ), err


@needs_postgres_driver
def test_a_password_in_the_url_query_is_never_shown() -> None:
    port = a_closed_port()
    code, out, err = complaintctl(
        "--db",
        f"postgresql+psycopg://clerk@127.0.0.1:{port}/complaints?password=s3cret&sslmode=disable",
        "db", "status", "--json",
    )  # fmt: skip
    assert (8, "") == (code, out)
    assert err.startswith(
        f"Error: the store postgresql+psycopg://clerk@127.0.0.1:{port}/complaints?"
        "password=***&sslmode=disable failed: connection failed:"
    )
    assert "s3cret" not in err


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://clerk:s3cret@db:port/complaints", "://s3cret@nowhere"]
)
def test_a_url_that_cannot_be_read_exits_8_without_echoing_it(url: str) -> None:
    for command in (["queue"], ["db", "status"], ["db", "backup", "/tmp/never"]):
        assert (
            8,
            "",
            "Error: --db (or COMPLAINTCTL_DB, or the config file's db) is neither a file path "
            "nor a database URL that can be read, such as postgresql+psycopg://user@host/database\n",
        ) == complaintctl("--db", url, *command)


def test_a_password_holding_an_unescaped_at_sign_is_refused_without_showing_any_of_it() -> None:
    # Read as the password "pa" and the host "ss-s3cret@db.example.org": the rest of the
    # password would be shown as the host in every error naming the store.
    url = "postgresql+psycopg://clerk:pa@ss-s3cret@db.example.org/complaints"
    for command in (["queue"], ["db", "status", "--json"], ["db", "init"]):
        assert (
            8,
            "",
            "Error: --db (or COMPLAINTCTL_DB, or the config file's db) is a database URL whose "
            "host holds an @: an @ in a user name or password is written %40 in a URL\n",
        ) == complaintctl("--db", url, *command)


@postgres_only
@needs_postgres_driver
def test_a_schema_that_does_not_exist_is_named_with_how_to_make_it() -> None:
    url = schema_url("no_such_schema_here")
    code, out, err = complaintctl("--db", url, "db", "upgrade")
    assert (8, "") == (code, out)
    assert 1 == len(err.splitlines())
    assert "no schema has been selected" not in err
    assert "no schema on its search path exists (no_such_schema_here)" in err
    assert "CREATE SCHEMA" in err


@postgres_only
@needs_postgres_driver
def test_a_server_session_that_writes_dates_its_own_way_reads_as_any_other(
    new_store: Callable[[str], str],
) -> None:
    # A role (ALTER ROLE … SET DateStyle) or a server (postgresql.conf) may write dates day
    # first, and in a zone far from London: the store reads the same, never a traceback.
    url = new_store("store") + quote(" -cDateStyle=SQL,DMY -cTimeZone=Pacific/Kiritimati")
    assert 0 == complaintctl("--db", url, "db", "init")[0]
    assert 0 == complaintctl(
        "--db", url, "staff", "add", "sam.senior", "--name", "Sam Senior",
        "--role", "senior-leader", "--at", "2026-11-02T09:00",
    )[0]  # fmt: skip
    code, out, err = complaintctl(
        "--db", url, "log", "--consumer", "Ann Smith", "--email", "ann@example.com",
        "--channel", "email", "--category", "delay", "--summary", "No reply",
        "--at", "2026-11-27T16:30", "--json",
    )  # fmt: skip
    assert (0, "") == (code, err)
    assert "2026-11-27T16:30:00+00:00" == json.loads(out)["received_at"]
    code, out, err = complaintctl("--db", url, "show", "SC-2026-000001", "--json")
    assert (0, "") == (code, err)
    case = json.loads(out)
    assert "2026-11-27T16:30:00+00:00" == case["received_at"]
    assert "2026-12-02T16:30:00+00:00" == case["deadlines"][0]["due"]


@contextmanager
def database_in(encoding: str, locale: str = "LC_COLLATE 'C' LC_CTYPE 'C'") -> Iterator[str]:
    """The URL of a new, empty database on the test server in `encoding` (and `locale`: how
    it sorts text), dropped after."""
    from sqlalchemy import create_engine, make_url, text

    name = f"t_encoding_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f"CREATE DATABASE {name} ENCODING '{encoding}' {locale} TEMPLATE template0")
        )
    try:
        yield make_url(TEST_DB).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


@postgres_only
@needs_postgres_driver
def test_a_client_encoding_set_other_than_utf8_still_takes_any_text(
    new_store: Callable[[str], str],
) -> None:
    # PGCLIENTENCODING, or the role's client_encoding, set to LATIN1: the text given is fine,
    # and was refused as "the input cannot be read".
    url = new_store("store") + quote(" -cclient_encoding=LATIN1")
    assert 0 == complaintctl("--db", url, "db", "init")[0]
    code, out, err = complaintctl(
        "--db", url, "staff", "add", "sam.senior", "--name", "Sam Łukasz Sénior 😀",
        "--role", "senior-leader", "--json",
    )  # fmt: skip
    assert (0, "") == (code, err)
    assert "Sam Łukasz Sénior 😀" == json.loads(out)["name"]


@postgres_only
@needs_postgres_driver
def test_text_a_latin1_database_cannot_hold_is_refused_naming_its_encoding() -> None:
    with database_in("LATIN1") as url:
        assert 0 == complaintctl("--db", url, "db", "init")[0]
        code, out, err = complaintctl(
            "--db", url, "staff", "add", "sam.senior", "--name", "Sam Łukasz",
            "--role", "senior-leader",
        )  # fmt: skip
        assert (8, "") == (code, out)
        assert 1 == len(err.splitlines())
        assert "cannot hold this text" in err
        assert 'has no equivalent in encoding "LATIN1"' in err
        assert "ENCODING 'UTF8'" in err
        assert "cannot be read" not in err


@postgres_only
@needs_postgres_driver
def test_staff_and_causes_list_in_one_order_in_a_database_that_sorts_text_by_a_locale() -> None:
    # A database made in a locale (en_GB.UTF-8, or ICU's en-GB, as on most servers in the UK)
    # sorts text its own way, punctuation ignored: `staff list` and `cause list` came in that
    # order, not in the order of the same store on SQLite.
    from sqlalchemy.exc import DBAPIError

    try:
        made = database_in(
            "UTF8", "LOCALE_PROVIDER icu ICU_LOCALE 'en-GB-u-ka-shifted' LOCALE 'C.UTF-8'"
        )
        url = made.__enter__()
    except DBAPIError as err:  # before PostgreSQL 15, or built without ICU
        pytest.skip(f"the server makes no database sorting by an ICU locale: {err}")
    try:
        assert 0 == complaintctl("--db", url, "db", "init")[0]
        for username in ("sam.senior", "rita.r", "rita_s", "rita2", "ritab"):
            assert 0 == complaintctl(
                "--db", url, "staff", "add", username, "--name", "Someone",
                "--role", "senior-leader",
            )[0]  # fmt: skip
        for name in ("staff-x", "staffa", "staff2"):
            assert 0 == complaintctl("--db", url, "cause", "add", name, "--words", "Words")[0]
        code, out, err = complaintctl("--db", url, "staff", "list", "--json")
        assert (0, "") == (code, err)
        assert ["rita.r", "rita2", "rita_s", "ritab", "sam.senior"] == [
            member["username"] for member in json.loads(out)
        ]
        code, out, err = complaintctl("--db", url, "cause", "list", "--json")
        assert (0, "") == (code, err)
        causes = [cause["name"] for cause in json.loads(out)]
        assert sorted(causes) == causes
        assert ["staff-conduct", "staff-x", "staff2", "staffa"] == [
            cause for cause in causes if cause.startswith("staff")
        ]
    finally:
        made.__exit__(None, None, None)


@postgres_only
@needs_postgres_driver
def test_a_sql_ascii_database_is_a_store_like_any_other() -> None:
    # A database made in SQL_ASCII sends text as bytes until the session asks for UTF-8: the
    # server's version, read as the first connection opens, was bytes, and every command was a
    # traceback.
    with database_in("SQL_ASCII") as url:
        assert (0, "") == complaintctl("--db", url, "db", "init")[::2]
        code, out, err = complaintctl(
            "--db", url, "staff", "add", "sam.senior", "--name", "Sam Łukasz Sénior 😀",
            "--role", "senior-leader", "--json",
        )  # fmt: skip
        assert (0, "") == (code, err)
        assert "Sam Łukasz Sénior 😀" == json.loads(out)["name"]
        code, out, err = complaintctl("--db", url, "staff", "list", "--json")
        assert (0, "") == (code, err)
        assert ["Sam Łukasz Sénior 😀"] == [member["name"] for member in json.loads(out)]


@postgres_only
@needs_postgres_driver
def test_a_server_time_zone_the_driver_cannot_name_says_nothing_on_stderr(
    new_store: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    # PGTZ=UTC+5, or a role's TimeZone written POSIX-style: the driver warned "unknown
    # PostgreSQL timezone" on stderr of every command, a line neither an error nor a warning.
    url = new_store("store") + quote(" -cTimeZone=<+0517>-05:17")
    assert (0, "") == complaintctl("--db", url, "db", "init")[::2]
    code, out, err = complaintctl(
        "--db", url, "staff", "add", "sam.senior", "--name", "Sam Senior",
        "--role", "senior-leader", "--at", "2026-11-02T09:00", "--json",
    )  # fmt: skip
    assert (0, "") == (code, err)
    code, out, err = complaintctl(
        "--db", url, "log", "--consumer", "Ann Smith", "--email", "ann@example.com",
        "--channel", "email", "--category", "delay", "--summary", "No reply",
        "--at", "2026-11-27T16:30",
    )  # fmt: skip
    # One line, the log's own (due, or breached by now: this runs on the real clock).
    (said,) = err.splitlines()
    assert (0, "Wed 2026-12-02 16:30 GMT") == (code, said.split("due ")[-1].rstrip(")"))
    assert said.startswith("Logged SC-2026-000001; acknowledgement ")
    code, out, err = complaintctl("--db", url, "show", "SC-2026-000001", "--json")
    assert (0, "") == (code, err)
    assert "2026-11-27T16:30:00+00:00" == json.loads(out)["received_at"]
    # What the driver logs, Python prints on stderr where nothing else takes it.
    assert [] == [record.getMessage() for record in caplog.records]
