"""Every known error end to end: its exit code, one `Error: …` line on stderr, and nothing written.

README, "Exit status": 2 usage or invalid input, 4 not found, 5 not allowed now, 8 store
unavailable. "Nothing written" is checked through the command line itself: the case reads the
same in `show --json` afterwards, or the reference counter was not touched (the next complaint
logged still gets SC-2026-000001).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import col, select
from typer.testing import Result

from complaintctl.store.db import describe, resolve_url
from complaintctl.store.models import Deadline
from tests.cli.conftest import Run
from tests.conftest import UnitFactory, dump_store, sqlite_only, write_lock_held

NOW = "2026-11-30 12:00:00"  # Monday; GMT, so London wall time is UTC.

LOG = (
    "log",
    "--consumer",
    "Ann Smith",
    "--channel",
    "email",
    "--category",
    "delay",
    "--summary",
    "Nobody told me my dispute had been closed",
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def log_args(*, email: str = "ann@example.com", at: str = "2026-11-30T10:00") -> list[str]:
    return [*LOG, "--email", email, "--at", at]


def assert_one_line_error(
    result: Result, exit_code: int, message: str, *, whole: bool = True
) -> None:
    """The exit code, and `Error: <message>` on stderr: one line, no traceback, nothing on stdout.

    `whole=False`: the line starts with the message (its tail may name later steps).
    """
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    shown = [line[: len(f"Error: {message}")] for line in lines] if not whole else lines
    assert (exit_code, [f"Error: {message}"]) == (result.exit_code, shown)
    assert "" == result.stdout


def assert_next_log_is_the_first(run: Run) -> None:
    """Nothing was written: the reference counter still starts at 1."""
    result = run(*log_args())
    assert (0, "SC-2026-000001\n") == (result.exit_code, result.stdout), result.stderr


def show_json(run: Run, ref: str = "SC-2026-000001") -> str:
    result = run("show", ref, "--json")
    assert 0 == result.exit_code, result.stderr
    return result.stdout


@pytest.fixture
def logged(run: Run) -> str:
    """One case, SC-2026-000001, received Mon 2026-11-30 10:00; its `show --json` before."""
    result = run(*log_args())
    assert 0 == result.exit_code, result.stderr
    return show_json(run)


# -- 4: not found --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "ack"])
def test_an_unknown_reference_exits_4_and_writes_nothing(
    run: Run, logged: str, command: str
) -> None:
    args = [command, "SC-2026-000002"] + (["--area", "Casework"] if command == "ack" else [])

    result = run(*args)

    assert_one_line_error(result, 4, "no case SC-2026-000002")
    assert logged == show_json(run)
    assert "SC-2026-000002\n" == run(*log_args()).stdout


@pytest.mark.parametrize("ref", ["SC-26-1", "2026-000001", "SC-2026-0000001", "nonsense"])
def test_a_malformed_reference_exits_4_and_says_what_references_look_like(
    run: Run, logged: str, ref: str
) -> None:
    result = run("ack", ref, "--area", "Casework")

    assert_one_line_error(
        result, 4, f"'{ref}' is not a case reference (they look like SC-2026-000001)"
    )
    assert logged == show_json(run)


# -- 2: usage and invalid input ------------------------------------------------------------


def test_an_unknown_category_exits_2_and_writes_nothing(run: Run) -> None:
    result = run(
        "log",
        "--consumer",
        "Ann Smith",
        "--channel",
        "email",
        "--category",
        "decision",
        "--summary",
        "I disagree with the outcome",
        "--email",
        "ann@example.com",
    )

    assert_one_line_error(
        result,
        2,
        "Invalid value for '--category': 'decision' is not one of 'mistreated', 'process', "
        "'updates', 'delay', 'explanation', 'other'.",
    )
    assert_next_log_is_the_first(run)


def test_an_unknown_channel_exits_2_and_writes_nothing(run: Run) -> None:
    result = run(
        "log",
        "--consumer",
        "Ann Smith",
        "--channel",
        "fax",
        "--category",
        "delay",
        "--summary",
        "No reply",
        "--email",
        "ann@example.com",
    )

    assert_one_line_error(
        result,
        2,
        "Invalid value for '--channel': 'fax' is not one of 'online', 'email', 'post', "
        "'phone', 'in-person'.",
    )
    assert_next_log_is_the_first(run)


def test_a_missing_required_option_exits_2_on_one_line(run: Run) -> None:
    result = run("log", "--channel", "email", "--category", "delay", "--summary", "No reply")

    assert_one_line_error(result, 2, "Missing option '--consumer'.")
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "--consumer", "Ann"], "Missing '--channel', '--category', '--summary'"),
        (["staff", "add"], "Missing 'USERNAME', '--name', '--role'"),
        (["restrict", "add", "--email", "a@example.com"], "Missing '--scope', '--reason'"),
    ],
)
def test_every_missing_required_option_is_named_in_one_line(
    run: Run, args: list[str], message: str
) -> None:
    result = run(*args)

    assert_one_line_error(result, 2, f"{message}: each of them is needed (--help says how).")
    assert_next_log_is_the_first(run)


def test_an_unknown_command_exits_2_on_one_line(run: Run) -> None:
    result = run("acknowledge", "SC-2026-000001")

    assert_one_line_error(
        result, 2, "No such command 'acknowledge'. `complaintctl --help` lists the commands."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff"], "Missing command."),
        (["sar", "close", "1"], "No such command 'close'."),
    ],
)
def test_a_group_without_its_command_names_its_commands(
    run: Run, args: list[str], message: str
) -> None:
    result = run(*args)

    group = args[0]
    names = {"staff": "add, remove, reactivate, role, bind, unbind, list",
             "sar": "open, extend, done, list, show"}[group]  # fmt: skip
    assert_one_line_error(result, 2, f"{message} The commands of `complaintctl {group}`: {names}.")


@pytest.mark.parametrize(
    ("args", "path", "takes"),
    [
        (["consumer", "show", "3"], "consumer show", "takes no arguments, only options"),
        (["report", "2026"], "report", "takes no arguments, only options"),
        (["show", "SC-2026-000001", "SC-2026-000002"], "show", "takes REF only"),
    ],
)
def test_a_word_too_many_says_what_the_command_takes(
    run: Run, args: list[str], path: str, takes: str
) -> None:
    result = run(*args)

    assert_one_line_error(
        result,
        2,
        f"Got unexpected extra argument(s) ({args[-1]}): `complaintctl {path}` {takes} "
        f"(`complaintctl {path} --help` lists its options)",
    )


def test_a_command_near_one_is_still_suggested(run: Run) -> None:
    result = run("staff", "lst")

    assert_one_line_error(result, 2, "No such command 'lst'. Did you mean 'list'?")


@pytest.mark.parametrize(
    "email",
    [
        "ann.example.com",
        "ann@",
        "@example.com",
        "ann@example",
        "ann smith@example.com",
        "<ann@example.com>",
        "mailto:ann@example.com",
    ],
)
def test_a_malformed_email_exits_2_and_writes_nothing(run: Run, email: str) -> None:
    result = run(*log_args(email=email))

    assert_one_line_error(result, 2, f"'{email}' is not an email address")
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize("at", ["30/11/2026 10:00", "yesterday", "2026-11-30T25:00"])
def test_a_malformed_at_exits_2_and_says_how_to_write_it(run: Run, at: str) -> None:
    result = run(*log_args(at=at))

    assert_one_line_error(
        result,
        2,
        f"'{at}' is not a date and time; write ISO 8601, e.g. 2026-11-27T14:30 "
        "or 2026-11-27T14:30+00:00",
    )
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize(
    ("at", "offset"), [("2026-11-30T10:00+23:59", "+23:59"), ("2026-11-30T10:00-23:00", "-23:00")]
)
def test_an_at_with_an_offset_no_place_keeps_exits_2_naming_it_and_the_range(
    run: Run, at: str, offset: str
) -> None:
    result = run(*log_args(at=at))

    assert_one_line_error(
        result,
        2,
        f"'{at}' gives the offset {offset}, which no place keeps: an offset is whole minutes "
        "from -12:00 to +14:00",
    )
    assert_next_log_is_the_first(run)


def test_an_at_giving_a_date_with_an_offset_exits_2_rather_than_read_as_a_time(run: Run) -> None:
    # 2026-11-30-05:00 was taken as 05:00 that day: Python reads the offset as the time.
    result = run(*log_args(at="2026-11-30-05:00"))

    assert_one_line_error(
        result,
        2,
        "'2026-11-30-05:00' gives an offset after the date but no time (Python would read "
        "-05:00 as the time 05:00): write the time before the offset, e.g. "
        "2026-11-30T00:00-05:00, or the date alone",
    )
    assert_next_log_is_the_first(run)


EMPTY_DATE = "needs a date, as YYYY-MM-DD: it was given empty"
EMPTY_INSTANT = "needs a date and time, as ISO 8601 (e.g. 2026-11-27T14:30): it was given empty"


def test_an_empty_date_option_is_refused_not_taken_for_no_date(run: Run) -> None:
    # `--about "$ABOUT"` with ABOUT unset: logged as if no date had been given.
    result = run(*log_args(), "--about", "")

    assert_one_line_error(result, 2, f"--about {EMPTY_DATE}")
    assert_next_log_is_the_first(run)


def test_an_empty_instant_option_is_refused_naming_it(run: Run, logged: str) -> None:
    # Before, `ack --at ""` was refused for a missing --area, and `--as-of ""` as "'' is not
    # a date and time", naming no option.
    result = run("ack", "SC-2026-000001", "--at", "")

    assert_one_line_error(result, 2, f"--at {EMPTY_INSTANT}")
    assert logged == show_json(run)


def test_an_empty_date_argument_is_refused_naming_it(run: Run) -> None:
    result = run("calendar", "close", " ", "--reason", "Office move")

    assert_one_line_error(result, 2, f"the DATE argument {EMPTY_DATE}")


def dated_options() -> list[tuple[tuple[str, ...], str, str]]:
    """Each command's options that take a date (DATE) or an instant (DATETIME)."""
    import typer

    from complaintctl.cli import app
    from tests.cli.test_help import every_command

    root = typer.main.get_command(app)
    found = []
    for path in every_command():
        ctx = root.make_context("complaintctl", ["--as", "x"])
        command = root
        for name in path:
            command = command.get_command(ctx, name)  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name == "option" and param.metavar in ("DATE", "DATETIME"):
                found.append((path, param.opts[0], param.metavar))
    return found


DATED_OPTIONS = dated_options()


def test_the_dated_options_are_all_found() -> None:
    named = {(" ".join(path), option) for path, option, _ in DATED_OPTIONS}

    assert {
        ("log", "--about"),
        ("log", "--at"),
        ("extend", "--until"),
        ("report", "--from"),
        ("report", "--as-of"),
        ("overdue", "--as-of"),
        ("calendar", "--as-of"),
        ("export", "--to"),
        ("action add", "--due"),
        ("restrict add", "--review"),
        ("sar open", "--received"),
    } <= named


@pytest.mark.parametrize(
    ("path", "option", "metavar"),
    DATED_OPTIONS,
    ids=[f"{' '.join(p)} {o}" for p, o, _ in DATED_OPTIONS],
)
def test_every_dated_option_refuses_an_empty_value_naming_it(
    run: Run, path: tuple[str, ...], option: str, metavar: str
) -> None:
    result = run(*path, option, "")

    wanted = EMPTY_DATE if metavar == "DATE" else EMPTY_INSTANT
    assert_one_line_error(result, 2, f"{option} {wanted}")


@pytest.mark.parametrize("at", ["2026-11-31T10:00", "2026-13-01", "2026-02-29"])
def test_a_date_written_well_that_is_no_day_exits_2_saying_so(run: Run, at: str) -> None:
    result = run(*log_args(at=at))

    assert_one_line_error(
        result, 2, f"'{at}' names no day of the calendar: check the month and the day"
    )
    assert_next_log_is_the_first(run)


def test_a_local_at_that_does_not_exist_exits_2_and_says_how_to_write_it_with_an_offset(
    run: Run,
) -> None:
    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026: 01:30 never happens in London.
    result = run(*log_args(at="2026-03-29T01:30"))

    assert_one_line_error(
        result,
        2,
        "2026-03-29T01:30 does not exist in Europe/London: the clocks go forward then; "
        "write the offset to say which instant you mean, e.g. 2026-03-29T02:30:00+01:00",
    )
    assert_next_log_is_the_first(run)


def test_a_local_at_that_happens_twice_exits_2_and_names_both_offsets(run: Run) -> None:
    # The clocks go back at 02:00 BST on Sunday 25 October 2026: 01:30 happens twice.
    result = run(*log_args(at="2026-10-25T01:30"))

    assert_one_line_error(
        result,
        2,
        "2026-10-25T01:30 happens twice in Europe/London: the clocks go back then; "
        "write 2026-10-25T01:30:00+01:00 for the first or 2026-10-25T01:30:00+00:00 "
        "for the second",
    )
    assert_next_log_is_the_first(run)


def test_a_date_alone_is_not_refused_where_the_clocks_skip_or_repeat_its_midnight_or_end(
    run: Run, unit: UnitFactory, logged: str
) -> None:
    # Cairo's clocks go forward at midnight on Fri 24 April 2026 (the day begins at 01:00),
    # and back at midnight on Thu 28 October 2027 (its last hour comes twice). A date alone
    # names no wall time, so there is none to write with an offset: the day's first instant,
    # and for a deadline its last second, the later 23:59:59.
    with unit() as uow:
        uow.calendar_setting().zone = "Africa/Cairo"
        uow.commit()

    looked_back = run("overdue", "--as-of", "2026-04-24")
    restricted = run(
        "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
        "--scope", "procedure", "--reason", "Abuse of staff", "--review", "2027-10-28",
    )  # fmt: skip

    assert (0, "") == (looked_back.exit_code, looked_back.stderr)
    assert 0 == restricted.exit_code, restricted.stderr
    with unit(write=False) as uow:
        (review,) = uow.session.exec(
            select(Deadline.due_at).where(col(Deadline.restriction_id).is_not(None))
        ).all()
    # 23:59:59 EET (+02:00), the later one (the frozen clock would show the instant as EEST).
    stored = review if review.tzinfo else review.replace(tzinfo=UTC)
    assert datetime(2027, 10, 28, 21, 59, 59, tzinfo=UTC) == stored


def test_an_at_in_the_future_exits_2_on_log_and_writes_nothing(run: Run) -> None:
    result = run(*log_args(at="2026-11-30T12:01"))

    assert_one_line_error(
        result,
        2,
        "--at Mon 2026-11-30 12:01 GMT is in the future; "
        "record what has happened, when it happened",
    )
    assert_next_log_is_the_first(run)


def test_an_at_in_the_future_exits_2_on_ack_and_writes_nothing(run: Run, logged: str) -> None:
    result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-12-01T09:00")

    assert_one_line_error(
        result,
        2,
        "--at Tue 2026-12-01 09:00 GMT is in the future; "
        "record what has happened, when it happened",
    )
    assert logged == show_json(run)


def test_an_at_in_the_future_in_summer_time_reads_as_it_was_typed(run: Run) -> None:
    """The refusal says the time on the clock the officer typed it by (BST), not UTC."""
    result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2027-06-01T10:00")

    assert (2, "Error: --at Tue 2027-06-01 10:00 BST is in the future; record what has "
            "happened, when it happened\n") == (result.exit_code, result.stderr)  # fmt: skip


def test_an_at_of_exactly_now_is_not_in_the_future(run: Run) -> None:
    result = run(*log_args(at="2026-11-30T12:00"))

    assert (0, "SC-2026-000001\n") == (result.exit_code, result.stdout), result.stderr


def test_an_at_earlier_in_the_current_second_is_not_in_the_future(run: Run) -> None:
    """Now is read to the second: an --at a fraction into that second, before the clock's
    fraction, has happened, and is never refused as in the future."""
    with freeze_time("2026-11-30 12:00:00.700"):
        result = run(*log_args(at="2026-11-30T12:00:00.300"))

    assert (0, "SC-2026-000001\n") == (result.exit_code, result.stdout), result.stderr


def test_a_step_without_at_is_recorded_at_the_second_it_falls_in(run: Run) -> None:
    """A fraction past a due's minute is not a breach of it: the step is recorded at the whole
    second it was taken in, never at the next one, which it did not reach."""
    with freeze_time("2026-11-30 12:00:00.300"):
        run(*LOG, "--email", "ann@example.com")
        shown = run("show", "SC-2026-000001", "--json")

    assert "2026-11-30T12:00:00+00:00" == json.loads(shown.stdout)["received_at"], shown.stderr


@pytest.mark.parametrize(
    ("email", "address"),
    [(None, None), ("", ""), ("   ", "  ")],
    ids=["absent", "empty", "blank"],
)
def test_a_complaint_without_email_or_address_exits_2_and_writes_nothing(
    run: Run, email: str | None, address: str | None
) -> None:
    contact = [] if email is None else ["--email", email]
    contact += [] if address is None else ["--address", address]

    result = run(*LOG, *contact, "--at", "2026-11-30T10:00")

    assert_one_line_error(result, 2, "give the consumer's --email or --address (or both)")
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize("summary", ["", "   "], ids=["empty", "blank"])
def test_an_empty_summary_exits_2_and_writes_nothing(run: Run, summary: str) -> None:
    result = run(
        "log",
        "--consumer",
        "Ann Smith",
        "--channel",
        "email",
        "--category",
        "delay",
        "--summary",
        summary,
        "--email",
        "ann@example.com",
    )

    assert_one_line_error(result, 2, "--summary must not be empty")
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("queue", "--owner", ""), "--owner must not be empty: name a member of staff"),
        (("queue", "--area", " "), "--area must not be empty: name an area"),
        (("action", "add", "SC-2026-000001", "--what", "Call back", "--owner", "",
          "--within", "2d", "--kind", "remedy"), "--owner must not be empty: name a member"),
        (("--as", "lee.leader", "assign", "SC-2026-000001", "--to", ""),
         "--to must not be empty: name a member of staff"),
        (("consumer", "show", "--email", ""), "--email must not be empty"),
    ],
    ids=["queue --owner", "queue --area", "action add --owner", "assign --to", "--email"],
)  # fmt: skip
def test_an_empty_staff_name_or_area_exits_2_and_writes_nothing(
    run: Run, logged: str, args: tuple[str, ...], message: str
) -> None:
    result = run(*args)

    assert_one_line_error(result, 2, message, whole=False)
    assert logged == show_json(run)


def test_an_empty_area_on_ack_exits_2_and_writes_nothing(run: Run, logged: str) -> None:
    result = run("ack", "SC-2026-000001", "--area", " ")

    assert_one_line_error(result, 2, "--area must not be empty")
    assert logged == show_json(run)


# -- 5: not allowed now --------------------------------------------------------------------


def test_acknowledging_twice_exits_5_names_the_stage_and_keeps_the_first_acknowledgement(
    run: Run, logged: str
) -> None:
    first = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-11-30T11:00")
    assert 0 == first.exit_code, first.stderr
    acknowledged = show_json(run)

    result = run("ack", "SC-2026-000001", "--area", "Energy disputes")

    assert_one_line_error(
        result, 5, "cannot acknowledge SC-2026-000001: it is at stage first-stage;", whole=False
    )
    assert acknowledged == show_json(run)


def test_acknowledging_before_the_complaint_was_received_exits_5_and_writes_nothing(
    run: Run, logged: str
) -> None:
    result = run("ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-11-30T09:59")

    assert_one_line_error(
        result,
        5,
        "--at Mon 2026-11-30 09:59 GMT is before SC-2026-000001's last recorded step "
        "(Mon 2026-11-30 10:00 GMT); steps are recorded in the order they happened",
    )
    assert logged == show_json(run)


# -- 8: the store cannot be used -----------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize(
    "change",
    [["calendar", "close", "2027-01-04", "--reason", "Office move"], log_args()],
)
def test_a_change_to_a_store_not_there_says_to_check_which_store_is_named(
    run: Run, tmp_path: Path, change: list[str]
) -> None:
    # A mistyped COMPLAINTCTL_DB in a cron job: not "not staff", as if they had been removed.
    missing = tmp_path / "stroe.sqlite3"

    result = run("--db", str(missing), "--as", "sam.senior", *change)

    assert_one_line_error(
        result,
        6,
        "sam.senior is not staff in this store, which has no staff at all: check that --db (or "
        "COMPLAINTCTL_DB, or the config file's db) names your store, or add its first member "
        "of staff with `complaintctl staff add`",
    )
    assert not missing.exists()


@sqlite_only
def test_a_store_that_is_a_directory_exits_8_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()

    result = run("--db", str(folder), *log_args())

    assert_one_line_error(
        result,
        8,
        f"{folder} is a folder, not a store: name the store's file in it "
        f"({folder / 'complaintctl.sqlite3'}, say)",
    )
    assert ([], ["a-folder"]) == (
        sorted(os.listdir(folder)),
        sorted(p for p in os.listdir(tmp_path) if p.startswith("a-folder")),
    )


@sqlite_only
def test_a_store_that_is_not_an_sqlite_database_exits_8_and_is_left_untouched(
    run: Run, tmp_path: Path
) -> None:
    # A folder of its own: the test store the fixture seeded lives elsewhere in tmp_path.
    folder = tmp_path / "documents"
    folder.mkdir()
    junk = folder / "notes.sqlite3"
    content = bytes(range(256)) * 16  # not an SQLite header, nor anything like one
    junk.write_bytes(content)

    result = run("--db", str(junk), *log_args())

    assert_one_line_error(result, 8, f"{junk} is not a complaintctl store (not an SQLite database)")
    assert (content, ["notes.sqlite3"]) == (junk.read_bytes(), sorted(os.listdir(folder)))


@pytest.mark.parametrize(
    "command",
    [
        ("queue",),
        ("db", "status"),
        ("db", "init"),
        ("cause", "add", "lost-post", "--words", "lost"),
    ],
)
def test_a_folder_named_as_the_store_exits_8_saying_it_is_a_folder(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # Not "unable to open database file": the officer gave the folder, not the file in it.
    folder = tmp_path / "complaints"
    folder.mkdir()

    result = run("--db", str(folder), *command)

    assert_one_line_error(
        result,
        8,
        f"{folder} is a folder, not a store: name the store's file in it "
        f"({folder / 'complaintctl.sqlite3'}, say)",
    )
    assert [] == list(folder.iterdir())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    "command",
    [
        ("queue",),
        ("db", "status"),
        ("db", "init"),
        ("staff", "add", "sam", "--name", "Sam", "--role", "senior-leader"),
        ("--as", "sam.senior", *log_args()),
    ],
)
def test_a_device_or_a_pipe_named_as_the_store_exits_8_and_leaves_nothing_beside_it(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # `--db /dev/null` (an empty file, to SQLite): `db init` failed with "disk I/O error" and
    # left /dev/null-journal behind, run as root; `log` said its member was "not staff in this
    # store, which has no staff at all", as if a store were there; reading said there was none.
    folder = tmp_path / "here"
    folder.mkdir()
    pipe = folder / "pipe"
    os.mkfifo(pipe)

    result = run("--db", str(pipe), *command)

    assert_one_line_error(
        result,
        8,
        f"{pipe} is not a regular file (a device, a pipe), not a store: name the store's file",
    )
    assert ["pipe"] == os.listdir(folder)


@pytest.mark.parametrize(
    "command",
    [
        ("queue",),
        ("db", "init"),
        ("staff", "add", "sam", "--name", "Sam", "--role", "senior-leader"),
    ],
)
def test_a_store_named_with_a_slash_at_its_end_is_a_folder_and_no_file_is_made(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # `--db complaints/`, no such folder there: never a store made as a file called complaints.
    folder = tmp_path / "complaints"

    result = run("--db", f"{folder}/", *command)

    assert_one_line_error(
        result,
        8,
        f"{folder}/ is a folder, not a store: name the store's file in it "
        f"({folder / 'complaintctl.sqlite3'}, say)",
    )
    assert not folder.exists()


@sqlite_only
@pytest.mark.parametrize("command", [("overdue",), ("show", "SC-2026-000001"), ("calendar",)])
def test_reading_a_store_that_is_not_an_sqlite_database_exits_8(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    junk = tmp_path / "notes.sqlite3"
    junk.write_bytes(os.urandom(4096))

    result = run("--db", str(junk), *command)

    assert_one_line_error(result, 8, f"{junk} is not a complaintctl store (not an SQLite database)")


def test_a_store_locked_by_another_program_exits_8_says_locked_and_writes_nothing(
    run: Run, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = run("calendar")  # creates the store, without taking a reference number
    assert 0 == created.exit_code, created.stderr
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")
    before = dump_store(store_url)
    with write_lock_held(store_url):
        result = run(*log_args())

    assert_one_line_error(
        result,
        8,
        f"the store {describe(resolve_url(store_url))} is locked by another complaintctl or "
        "program; try again",
    )
    assert before == dump_store(store_url)
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("db", "init"), "There is a store at {where} already: nothing to do"),
        (("db", "upgrade"), "The store {where} is at schema revision {revision} already: "
                            "nothing to do"),
    ],
)  # fmt: skip
def test_init_and_upgrade_of_a_current_store_do_not_wait_for_a_writer(
    run: Run, store_url: str, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...],
    said: str,
) -> None:  # fmt: skip
    # A script that runs `db init` before its work must not fail while an import writes.
    from complaintctl.store.schema import SCHEMA_REVISION

    assert 0 == run("calendar").exit_code  # creates the store
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")
    with write_lock_held(store_url):
        result = run(*command)

    where = describe(resolve_url(store_url))
    assert (0, said.format(where=where, revision=SCHEMA_REVISION) + "\n") == (
        result.exit_code, result.stdout
    )  # fmt: skip


def test_a_store_locked_before_it_was_ever_created_exits_8_and_says_locked(
    run: Run, new_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store of its own: the fixture's store at COMPLAINTCTL_DB already exists.
    fresh = new_store("fresh")
    monkeypatch.setenv("COMPLAINTCTL_DB", fresh)
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "0.2")
    with write_lock_held(fresh):
        result = run(*log_args())

    assert_one_line_error(
        result,
        8,
        f"the store {describe(resolve_url(fresh))} is locked by another complaintctl or "
        "program; try again",
    )
    assert [] == dump_store(fresh)
    # Once the lock is gone the store is created as new: a new store takes its first staff
    # member (a senior role) from anyone, and the next complaint logged is still the first.
    added = run(
        "staff", "add", "officer.one", "--name", "Olu One", "--role", "senior-complaint-executive"
    )
    assert 0 == added.exit_code, added.stderr
    assert_next_log_is_the_first(run)


@pytest.mark.parametrize("command", [("overdue",), ("show", "SC-2026-000001")])
def test_a_lock_timeout_that_is_not_a_number_is_a_usage_error_for_readers_too(
    run: Run, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "soon")

    assert_one_line_error(
        run(*command),
        2,
        "COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not 'soon'",
    )


def test_a_lock_timeout_that_is_not_a_number_is_a_usage_error(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "soon")

    result = run(*log_args())

    assert_one_line_error(
        result,
        2,
        "COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, not 'soon'",
    )
    monkeypatch.delenv("COMPLAINTCTL_LOCK_TIMEOUT")
    assert_next_log_is_the_first(run)


# A path naming the home of a user there is none of: the shell leaves `~nobody-here/…` as it
# is, and so must complaintctl (a missing folder), never a traceback.
NO_HOME = "~no-such-user-of-complaintctl"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--db", f"{NO_HOME}/store.sqlite3", "queue"), 8, "there is no store at "),
        (("export", "-o", f"{NO_HOME}/cases.csv"), 2, "no folder "),
        pytest.param(("db", "backup", f"{NO_HOME}/copy.sqlite3"), 2, "no folder ",
                     marks=sqlite_only),  # a PostgreSQL store is backed up with pg_dump
        (("demo", "--into", f"{NO_HOME}/demo.sqlite3"), 2, "no folder "),
        (("letter", "check", f"{NO_HOME}/letters"), 2, "templates folder "),
        (("letter", "SC-2026-000001", "acknowledgement", "--templates", f"{NO_HOME}/letters"),
         2, "templates folder "),
    ],
)  # fmt: skip
def test_a_path_under_the_home_of_no_user_is_a_missing_folder_not_a_traceback(
    run: Run, store_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    before = dump_store(store_url)

    result = run(*args)

    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (code, "Error: " + message) == (
        result.exit_code,
        result.stderr[: len("Error: " + message)],
    ), result.stderr
    assert 1 == len(result.stderr.splitlines())
    assert NO_HOME in result.stderr
    assert before == dump_store(store_url)
