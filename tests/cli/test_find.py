"""`complaintctl find` end to end: plain lines, the table, JSON, the limit, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.test_errors import assert_one_line_error
from tests.conftest import sqlite_only


@pytest.fixture
def three_cases(run: Run) -> None:
    with freeze_time("2026-12-04T16:00:00Z"):
        for name, email, at, summary in (
            ("Ann Smith", "ann@example.com", "2026-12-01T10:00", "Boiler repair\nletters ignored"),
            ("Bob Smithers", "bob@mail.test", "2026-12-03T10:00", "Nobody called \u202eback"),
            ("Cara Jones", "cara@example.com", "2026-12-02T10:00", "Rude phone call"),
        ):
            result = run("log", "--consumer", name, "--email", email, "--channel", "email",
                         "--category", "delay", "--summary", summary, "--at", at)  # fmt: skip
            assert 0 == result.exit_code, result.output


def test_find_lists_plain_lines_most_recent_first_with_what_matched(
    run: Run, three_cases: None
) -> None:
    result = run("find", "smith")
    assert (0, "") == (result.exit_code, result.stderr)
    assert [
        "SC-2026-000002\t2026-12-03T10:00:00+00:00\treceived\tBob Smithers\tbob@mail.test\t"
        "consumer\t",
        "SC-2026-000001\t2026-12-01T10:00:00+00:00\treceived\tAnn Smith\tann@example.com\t"
        "consumer\t",
    ] == result.stdout.splitlines()


def test_a_summary_match_shows_its_words_inert_on_one_line(run: Run, three_cases: None) -> None:
    assert [
        "SC-2026-000001\t2026-12-01T10:00:00+00:00\treceived\tAnn Smith\tann@example.com\t"
        "summary\tBoiler repair letters ignored",
        "SC-2026-000002\t2026-12-03T10:00:00+00:00\treceived\tBob Smithers\tbob@mail.test\t"
        "summary\tNobody called <U+202E>back",
    ] == [run("find", "repair").stdout.rstrip("\n"), run("find", "called").stdout.rstrip("\n")]


def test_find_json_is_a_list_with_the_fields_matched(run: Run, three_cases: None) -> None:
    result = run("find", "ann@", "--json")
    assert [
        {
            "schema_version": 2,
            "ref": "SC-2026-000001",
            "version": 0,
            "stage": "received",
            "consumer": {"id": 1, "name": "Ann Smith", "email": "ann@example.com"},
            "received_at": "2026-12-01T10:00:00+00:00",
            "dispute": None,
            "matched": ["email"],
        }
    ] == json.loads(result.stdout)


def test_a_limit_says_on_stderr_how_many_more_there_are(run: Run, three_cases: None) -> None:
    result = run("find", "example.com", "--limit", "1")
    assert (0, ["SC-2026-000003"], "1 more: --limit 0 for all\n") == (
        result.exit_code,
        [line.split("\t")[0] for line in result.stdout.splitlines()],
        result.stderr,
    )


def test_at_a_terminal_find_is_a_table(
    run: Run, three_cases: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    output = run("find", "smith").stdout
    assert (True, True, False) == ("Bob Smithers" in output, "Received" in output, "\t" in output)


def test_nothing_found_exits_0_saying_so_on_stderr(run: Run, three_cases: None) -> None:
    plain, as_json = run("find", "zebra"), run("find", "zebra", "--json")
    assert [(0, "", "No case matches 'zebra'.\n"), (0, "[]\n", "No case matches 'zebra'.\n")] == [
        (result.exit_code, result.stdout, result.stderr) for result in (plain, as_json)
    ]


def test_a_long_text_found_nowhere_is_named_cut_short(run: Run, three_cases: None) -> None:
    # A page pasted in by mistake: the note stays one readable line, not the page again.
    result = run("find", "zebra " * 5000)
    assert (0, "", "No case matches 'zebra zebra zebra zebra zebra zebra zebr'….\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    blank = run("find", " " * 5000)
    assert (2, 1) == (blank.exit_code, blank.stderr.count("\n"))
    assert len(blank.stderr) < 200


def test_a_text_too_short_exits_2_on_one_line(run: Run) -> None:
    assert_one_line_error(
        run("find", "ab"),
        2,
        "'ab' is too short to search for: give at least 3 characters, or a case number such as 12",
    )


@sqlite_only
def test_find_where_there_is_no_store_exits_8_and_makes_none(run: Run, tmp_path: Path) -> None:
    store = tmp_path / "none" / "complaints.sqlite3"
    result = run("--db", str(store), "find", "smith")
    assert (8, False) == (result.exit_code, store.parent.exists())
    assert result.stderr.startswith(f"Error: there is no store at {store}")


def test_past_1000_more_the_count_stops_in_plain_lines_and_beside_json(
    run: Run, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "consumer,email,channel,category,summary,received_at\n"
        + "".join(
            f"Pat Person{n},pat{n}@example.com,online,delay,Refund never came,"
            f"2026-11-{1 + n // 100:02d}T{9 + n % 100 // 10:02d}:{n % 10:02d}\n"
            for n in range(1002)
        )
    )
    with freeze_time("2026-12-04T16:00:00Z"):
        assert 0 == run("import", str(batch)).exit_code
    plain, as_json = run("find", "refund", "--limit", "1"), run("find", "refund", "--json")
    assert (0, "SC-2026-001002", "more than 1000 more: --limit 0 for all\n") == (
        plain.exit_code,
        plain.stdout.split("\t")[0],
        plain.stderr,
    )
    assert (0, 50, "SC-2026-001002", "952 more: --limit 0 for all\n") == (
        as_json.exit_code,
        len(json.loads(as_json.stdout)),
        json.loads(as_json.stdout)[0]["ref"],
        as_json.stderr,
    )
