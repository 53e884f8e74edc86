"""One rule for text coming in, on every way in: no controls but tab and newline, no half
characters, a cap per kind of field; usernames that cannot look like one another; and the
history noting which login on which machine ran each command."""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok
from tests.conftest import dump_store

NOW = "2026-12-04 12:00:00"
LOGGED = "2026-11-30T10:00"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("consumer", "Ann\x1b[2J", "--consumer holds the control character \\x1b"),
        ("consumer", "Ann\x00", "--consumer holds the control character \\x00"),
        ("consumer", "Ann\nSmith", "--consumer takes one line, without a line break"),
        ("consumer", "A" * 201, "--consumer is 201 characters; at most 200"),
        ("summary", "It broke\x07", "--summary holds the control character \\x07"),
        ("summary", "It\x85broke", "--summary holds the control character \\x85"),
        ("address", "1 High St\x1b]0;x", "--address holds the control character \\x1b"),
        ("dispute", "D-1\x1b", "--dispute holds the control character \\x1b"),
        ("adjustment", "large\x00print", "--adjustment holds the control character \\x00"),
    ],
)
def test_log_refuses_control_characters_and_overlong_text_naming_the_option(
    run: Run, store_url: str, option: str, value: str, why: str
) -> None:
    before = dump_store(store_url)
    result = run(*journey.log_args(LOGGED, **{option: value}))

    assert (2, f"Error: {why}\n") == (result.exit_code, result.stderr)
    assert before == dump_store(store_url)


def test_log_keeps_newlines_and_tabs_where_text_runs_over_lines(run: Run) -> None:
    ref = journey.log_case(
        run, at=LOGGED, summary="First.\r\n\tSecond.", address="1 High St\nLeeds"
    )
    case = journey.show(run, ref)
    assert ("First.\n\tSecond.", "1 High St\nLeeds") == (
        case["summary"],
        case["consumer"]["address"],
    )


def test_an_email_with_a_control_character_is_not_an_email(run: Run) -> None:
    result = run(*journey.log_args(LOGGED, email="ann\x1b@example.com"))
    assert (2, True) == (result.exit_code, "is not an email address" in result.stderr)


@pytest.mark.parametrize("email", ["ann@example.com\u202e", "a\u200bnn@example.com"])
def test_an_email_with_a_bidi_or_invisible_character_is_not_an_email(
    run: Run, store_url: str, email: str
) -> None:
    # It would look like ann@example.com and be another consumer's.
    before = dump_store(store_url)
    result = run(*journey.log_args(LOGGED, email=email))
    assert (2, True) == (result.exit_code, "is not an email address" in result.stderr)
    assert before == dump_store(store_url)


HEADER = "consumer,email,address,channel,category,summary,received_at,source_id\n"


@pytest.mark.parametrize(
    ("line", "field", "why"),
    [
        ('"Ann\x1b[2J",a@example.com,,email,delay,x,2026-11-30T10:00,f1', "consumer", "\\x1b"),
        ('Ann,a@example.com,,email,delay,"x\x00y",2026-11-30T10:00,f1', "summary", "\\x00"),
        ('Ann,a@example.com,,email,delay,x,2026-11-30T10:00,"f\x1b"', "source_id", "\\x1b"),
        (f"{'A' * 201},a@example.com,,email,delay,x,2026-11-30T10:00,f1", "consumer", "201"),
    ],
)
def test_import_rejects_a_row_with_control_characters_naming_the_field(
    run: Run, tmp_path: Path, line: str, field: str, why: str
) -> None:
    batch = tmp_path / "batch.csv"
    good = "Bob,b@example.com,,email,delay,fine,2026-11-30T11:00,f2\n"
    batch.write_text(HEADER + line + "\n" + good, encoding="utf-8")

    result = run("import", str(batch), "--skip-invalid", "--json")

    report = json.loads(result.stdout)
    assert (10, 1, 1) == (result.exit_code, report["new"], report["rejected"]), result.stderr
    assert (2, field) == (report["rejects"][0]["line"], report["rejects"][0]["field"])
    assert why in report["rejects"][0]["reason"]


def test_a_json_lines_field_with_half_a_character_is_a_rejected_row(
    run: Run, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.jsonl"
    row = {"consumer": "Ann", "email": "a@example.com", "channel": "email",
           "category": "delay", "summary": "x", "received_at": "2026-11-30T10:00"}  # fmt: skip
    text = json.dumps({**row, "consumer": "\ud800"}) + "\n" + json.dumps(row) + "\n"
    batch.write_text(text, encoding="utf-8")

    result = run("import", str(batch), "--skip-invalid", "--json")

    report = json.loads(result.stdout)
    assert (10, 1, "consumer") == (result.exit_code, report["new"], report["rejects"][0]["field"])


def test_the_same_caps_hold_for_log_and_import(run: Run, tmp_path: Path) -> None:
    name = "A" * 201
    logged = run(*journey.log_args(LOGGED, consumer=name))
    batch = tmp_path / "batch.csv"
    batch.write_text(HEADER + f"{name},a@example.com,,email,delay,x,2026-11-30T10:00,f1\n")
    imported = run("import", str(batch), "--json", "--dry-run")

    assert (2, 2) == (logged.exit_code, imported.exit_code)
    assert "201 characters; at most 200" in logged.stderr
    assert "201 characters; at most 200" in imported.stderr


@pytest.mark.parametrize(
    "args",
    [
        (
            "--as",
            "sam.senior",
            "staff",
            "add",
            "newbie",
            "--name",
            "New\x1b[2J",
            "--role",
            "officer",
        ),
        ("--as", "sam.senior", "calendar", "close", "2026-12-10", "--reason", "Move\x1b"),
        ("incident", "SC-2026-000001", "--note", "Shouted\x07"),
        (
            "--as",
            "sam.senior",
            "restrict",
            "add",
            "--email",
            "ann@example.com",
            "--scope",
            "procedure",
            "--reason",
            "calm\x00",
        ),  # fmt: skip
        ("consumer", "update", "--email", "ann@example.com", "--adjustment", "bsl\x1b"),
        ("close", "SC-2026-000001", "--reason", "withdrawn", "--note", "bye\x1b"),
    ],
    ids=["staff", "calendar", "incident", "restrict", "consumer", "close"],
)
def test_every_other_way_in_refuses_control_characters_too(
    run: Run, store_url: str, args: tuple[str, ...]
) -> None:
    journey.log_case(run, at=LOGGED)
    before = dump_store(store_url)

    result = run(*args)

    assert (2, True) == (result.exit_code, "control character" in result.stderr), result.stderr
    assert before == dump_store(store_url)


# -- usernames -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("Sam.Senior", "sam.senior is already staff"),  # only the case differs
        ("sam.senior\u200b", "cannot be a username"),  # a zero-width space after it
        ("s\u03bfm.senior", "cannot be a username"),  # a Greek omicron
        ("sam_senior", "looks too like sam.senior"),
        ("5am.senior", "cannot be a username"),  # a username starts with a letter
        ("sarn.senior", "looks too like sam.senior"),
        ("with space", "cannot be a username"),
    ],
)
def test_a_username_that_would_look_like_another_is_refused(
    run: Run, username: str, why: str
) -> None:
    result = run("--as", "sam.senior", "staff", "add", username, "--name", "X", "--role", "officer")

    assert (2, True) == (result.exit_code, why in result.stderr), result.stderr


def test_a_username_is_kept_in_lower_case_and_found_however_it_is_typed(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "add", "Nia.New", "--name", "Nia", "--role", "officer")
    listed = json.loads(ok(run, "staff", "list", "--json").stdout)

    assert "nia.new" in [member["username"] for member in listed]
    assert (
        "nia.new"
        == json.loads(ok(run, "--as", "NIA.NEW", *journey.log_args(LOGGED), "--json").stdout)[
            "logged_by"
        ]
    )


def test_each_history_entry_names_the_login_and_machine_that_ran_it(run: Run) -> None:
    ref = journey.log_case(run, at=LOGGED)

    entry = journey.history(run, ref)[0]
    plain = ok(run, "history", ref).stdout.splitlines()[0].split("\t")

    login = f"{getpass.getuser()}@{socket.gethostname()}"
    assert (getpass.getuser(), socket.gethostname(), login) == (
        entry["login"],
        entry["host"],
        plain[-1],
    )
