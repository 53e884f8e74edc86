"""An organisation's own calendar end to end: `db init --zone --hours --region`, and
`calendar set` on a store in use (exit codes, one-line refusals, JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.conftest import dump_store


@pytest.fixture
def monday_nine() -> Iterator[None]:
    """Now is Mon 2026-12-07 09:00 (GMT: London wall time is UTC)."""
    with freeze_time("2026-12-07 09:00:00"):
        yield


def log(run: Run) -> str:
    result = run(
        *("log", "--consumer", "Ann Smith", "--email", "ann@example.com"),
        *("--channel", "email", "--category", "process", "--summary", "No reply"),
    )
    assert 0 == result.exit_code, result.stderr
    return result.stdout.strip()


def test_db_init_makes_a_store_with_the_organisations_calendar(
    run: Run, tmp_path: Path, monday_nine: None
) -> None:
    store = str(tmp_path / "dublin.sqlite3")
    made = run(
        *("--db", store, "db", "init", "--zone", "Europe/Dublin"),
        *("--hours", "Mon-Thu 09:30-17:30; Fri 09:30-16:00", "--region", "ie"),
    )
    assert 0 == made.exit_code, made.stderr
    shown = json.loads(run("--db", store, "calendar", "--json").stdout)
    assert ("Europe/Dublin", "IE") == (shown["zone"], shown["bank_holidays"]["region"])
    assert {
        "Mon": "09:30-17:30",
        "Thu": "09:30-17:30",
        "Fri": "09:30-16:00",
        "Sat": "closed",
    }.items() <= shown["opening_hours"].items()
    assert {"date": "2026-12-26", "kind": "bank-holiday", "name": "Saint Stephen's Day"} in (
        shown["upcoming_closed_days"]
    )
    again = run("--db", store, "db", "init", "--zone", "Europe/Dublin")
    assert (0, "There is a store at") == (again.exit_code, again.stdout[:19])


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--hours", "Mon-Fri 17:00-09:00", "Error: --hours '17:00-09:00' does not end after it"),
        ("--zone", "../../etc/passwd", "Error: --zone '../../etc/passwd' is not a time zone"),
        ("--region", "GB-XX", "Error: --region 'GB-XX' is not a region whose bank holidays"),
    ],
)
def test_db_init_with_a_calendar_it_cannot_keep_exits_2_and_makes_no_store(
    run: Run, tmp_path: Path, option: str, value: str, said: str
) -> None:
    store = tmp_path / "new.sqlite3"
    result = run("--db", str(store), "db", "init", option, value)
    assert (2, 1, True) == (
        result.exit_code,
        len(result.stderr.splitlines()),
        result.stderr.startswith(said),
    ), result.stderr
    assert not store.exists()


def test_db_init_on_a_store_with_another_calendar_exits_2_naming_calendar_set(
    run: Run, store_url: str
) -> None:
    before = dump_store(store_url)
    result = run("db", "init", "--region", "GB-SCT")
    assert 2 == result.exit_code
    assert "GB-ENG bank holidays: `complaintctl calendar set` changes it" in result.stderr
    assert before == dump_store(store_url)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--hours", "Mon-Fri 09:00-12:00, 11:00-17:00"), "Error: --hours 09:00-12:00 and 11"),
        (("--hours", "Mon-Fri 09:00-24:30"), "Error: --hours '24:30' is not a time of day"),
        (("--hours", "Fun 09:00-17:00"), "Error: --hours 'Fun' is not a weekday"),
        (("--hours", "Sat closed"), "Error: --hours has no opening hours at all"),
        (("--hours", "Mon-Fri 09:00-17:00\x1b]0;x\x07"), "Error: --hours must not contain"),
        (("--zone", "UTC+5"), "Error: --zone 'UTC+5' is not a time zone name"),
        (("--region", "Narnia"), "Error: --region 'Narnia' is not a region"),
        (("--zone", "Europe/London"), "Error: the calendar already is that (Europe/London; Mon-"),
        ((), "Error: give --zone, --hours or --region"),
        (("--hours", "Mon-Fri 10:00-17:00"), "Error: the change counts the time already past"),
        (("--region", "GB-SCT", "--retroactive", " "), "Error: --retroactive must not be empty"),
    ],
)
def test_calendar_set_refusals_exit_2_in_one_line_and_write_nothing(
    run: Run, store_url: str, args: tuple[str, ...], said: str
) -> None:
    with freeze_time("2026-12-07 09:00:00"):
        log(run)
    before = dump_store(store_url)
    with freeze_time("2026-12-07 11:00:00"):
        result = run("--as", "sam.senior", "calendar", "set", *args)
    assert (2, 1) == (result.exit_code, len(result.stderr.splitlines())), result.stderr
    assert result.stderr.startswith(said), result.stderr
    assert before == dump_store(store_url)


def test_a_region_whose_holiday_already_past_moves_a_deadline_needs_a_reason(
    run: Run, store_url: str
) -> None:
    # Logged Fri 27 Nov; Scotland's St Andrew's Day, Mon 30 Nov, is past by Tue 1 Dec.
    with freeze_time("2026-11-27 10:00:00"):
        ref = log(run)
    before = dump_store(store_url)
    with freeze_time("2026-12-01 10:00:00"):
        refused = run("--as", "sam.senior", "calendar", "set", "--region", "GB-SCT")
        assert (2, 1) == (refused.exit_code, len(refused.stderr.splitlines()))
        assert refused.stderr.startswith(
            "Error: the change counts the time already past differently for 1 open deadline "
            f"({ref}), and would move it; give --retroactive REASON"
        ), refused.stderr
        assert before == dump_store(store_url)
        made = run(
            *("--as", "sam.senior", "calendar", "set", "--region", "GB-SCT"),
            *("--retroactive", "Registered in Scotland"),
        )
    assert (0, f"{ref}\tacknowledge\t2026-12-02T10:00:00+00:00\t2026-12-03T10:00:00+00:00\n") == (
        made.exit_code,
        made.stdout,
    )


def test_an_officer_may_not_change_the_calendar(run: Run, monday_nine: None) -> None:
    result = run("calendar", "set", "--zone", "Europe/Dublin")
    assert (6, "Error: officer.one (officer) may not change the calendar") == (
        result.exit_code,
        result.stderr.split(":")[0] + ":" + result.stderr.split(":")[1],
    )


def test_calendar_set_lists_each_move_and_calendar_reads_it_back(
    run: Run, monday_nine: None
) -> None:
    ref = log(run)
    result = run(
        *("--as", "sam.senior", "calendar", "set", "--hours"),
        "Mon-Fri 09:00-12:30, 13:30-17:00; Sat 10:00-13:00",
    )
    assert 0 == result.exit_code, result.stderr
    # 7h weekdays and 3h Saturdays from Mon 09:00: Mon 7, Tue 14, Wed 21, Thu 09:00-12:00.
    assert (
        f"{ref}\tacknowledge\t2026-12-09T17:00:00+00:00\t2026-12-10T12:00:00+00:00\n"
        == result.stdout
    )
    assert result.stderr.startswith(
        "calendar changed: hours Mon-Fri 09:00-12:30, 13:30-17:00; Sat 10:00-13:00; "
        "1 open deadline recomputed"
    )
    lines = run("calendar").stdout.splitlines()
    assert ["Mon\t09:00-12:30, 13:30-17:00", "Sat\t10:00-13:00", "Sun\tclosed"] == [
        lines[1],
        lines[6],
        lines[7],
    ]
    history = run("history", ref).stdout
    assert "deadline-recomputed" in history


def test_calendar_set_json_gives_the_moves_in_the_new_zone(run: Run, monday_nine: None) -> None:
    ref = log(run)
    result = run(*("--as", "sam.senior", "calendar", "set", "--zone", "America/New_York", "--json"))
    assert 0 == result.exit_code, result.stderr
    # New York opens at 14:00 UTC: Mon 14:00-22:00, Tue, Wed → Wed 9 Dec 17:00 EST.
    assert {
        "schema_version": 2,
        "message": "calendar changed: zone America/New_York; 1 open deadline recomputed",
        "dry_run": False,
        "recomputed": [
            {
                "ref": ref,
                "kind": "acknowledge",
                "action": None,
                "subject_access": None,
                "old_due": "2026-12-09T12:00:00-05:00",
                "new_due": "2026-12-09T17:00:00-05:00",
            }
        ],
    } == json.loads(result.stdout)


def test_calendar_holidays_refresh_keeps_the_stores_region(run: Run, monday_nine: None) -> None:
    changed = run("--as", "sam.senior", "calendar", "set", "--region", "GB-NIR")
    assert 0 == changed.exit_code, changed.stderr
    refreshed = run("--as", "sam.senior", "calendar", "holidays", "--through", "2032")
    assert 0 == refreshed.exit_code, refreshed.stderr
    upcoming = json.loads(run("calendar", "--json", "--as-of", "2032-03-01").stdout)
    assert "GB-NIR" == upcoming["bank_holidays"]["region"]
    assert "2032-03-17" in [day["date"] for day in upcoming["upcoming_closed_days"]]


def test_working_time_a_sparse_week_cannot_hold_is_refused_on_one_line(
    run: Run, store_url: str, monday_nine: None
) -> None:
    # An hour a week: 2,000 working hours lie decades ahead, past where the calendar counts.
    ref = log(run)
    made = run("--as", "sam.senior", "calendar", "set", "--hours", "Mon 09:00-10:00")
    assert 0 == made.exit_code, made.stderr
    before = dump_store(store_url)
    for args in (
        ("action", "add", ref, "--what", "Call back", "--owner", "sam.senior"),
        ("queue", "--due-within", "2000h"),
    ):
        within = ("--within", "2000h", "--kind", "remedy") if args[0] == "action" else ()
        result = run("--as", "sam.senior", *args, *within)
        assert (2, 1) == (result.exit_code, len(result.stderr.splitlines())), result.stderr
        assert "of working time runs more than 10 years ahead" in result.stderr
    assert before == dump_store(store_url)


def test_an_actions_working_days_stay_working_days_under_new_hours(
    run: Run, monday_nine: None
) -> None:
    # --within 2d from Mon 7 Dec 09:00: the close of Wed 9 Dec, on 8-hour days or 7.
    ref = log(run)
    added = run(
        *("action", "add", ref, "--what", "Call back", "--owner", "sam.senior"),
        *("--within", "2d", "--kind", "remedy", "--json"),
    )
    assert 0 == added.exit_code, added.stderr
    action = str(json.loads(added.stdout)["id"])
    changed = run(
        *("--as", "sam.senior", "calendar", "set"),
        *("--hours", "Mon-Fri 09:00-12:30, 13:30-17:00"),
    )
    assert 0 == changed.exit_code, changed.stderr
    assert 1 == len(changed.stdout.splitlines()), changed.stdout  # the action stays
    assert [ref, "acknowledge"] == changed.stdout.split("\t")[:2]
    explained = json.loads(run("explain", ref, "--action", action, "--json").stdout)
    assert ("2026-12-09T17:00:00+00:00",) * 2 == (explained["due"], explained["rule_due"])
    assert 0 == run("db", "verify").exit_code


def test_a_due_at_a_working_day_s_close_at_midnight_reads_as_that_day_s_24_00(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a store open until midnight, 24 working hours from Tuesday 15:00 end at the close of
    Wednesday: `Wed 24:00`, as the calendar writes that close, never Thursday's 00:00, the
    start of another day (in show, explain's days, the queue and the history alike)."""
    with freeze_time("2026-12-01 15:00:00"):
        ok = run("--as", "sam.senior", "calendar", "set", "--hours", "Mon-Fri 09:00-24:00")
        assert 0 == ok.exit_code, ok.stderr
        ref = log(run)
        shown = run("show", ref).stdout
        explained = run("explain", ref).stdout
        import typer.testing

        monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
        queued = run("queue").stdout
        told = run("history", ref).stdout
        told_plain = run("history", ref, "--plain").stdout

    assert "open, due Wed 2026-12-02 24:00 GMT (in 24h working)" in shown
    assert "acknowledge due: Wed 2026-12-02 24:00 GMT" in told  # as the log recorded it
    assert "acknowledge due: Wed 2026-12-02 24:00 GMT" in told_plain
    assert "Due:       Wed 2026-12-02 24:00 GMT" in explained
    assert "  Wed 2026-12-02  counted  09:00-24:00  15h  total 24h  due 24:00: 24h reached" in (
        explained
    )
    assert ("Wed 2026-12-02 24:00 GMT", "Thu 2026-12-03 00:00") == (
        "Wed 2026-12-02 24:00 GMT" if "Wed 2026-12-02 24:00 GMT" in queued else queued,
        next((s for s in ("Thu 2026-12-03 00:00",) if s not in explained + shown + queued), ""),
    )


def test_a_refused_extension_names_a_due_at_a_midnight_close_as_show_does(run: Run) -> None:
    """`extend --until` before the current due says that due as `show` printed it a command
    before (Wednesday's 24:00), not as the next day's 00:00."""
    with freeze_time("2026-12-01 15:00:00"):
        ok = run("--as", "sam.senior", "calendar", "set", "--hours", "Mon-Fri 09:00-24:00")
        assert 0 == ok.exit_code, ok.stderr
        ref = log(run)
    with freeze_time("2026-12-01 16:00:00"):
        # Acknowledged at Tuesday 15:00: this store's response is due at Wednesday's close too.
        acked = run("ack", ref, "--area", "Casework", "--at", "2026-12-01T15:00")
        assert 0 == acked.exit_code, acked.stderr
        due = json.loads(run("show", ref, "--json").stdout)["deadlines"]
        refused = run("--as", "lee.leader", "extend", ref, "--until", "2026-12-02T12:00",
                      "--reason", "Agreed by phone")  # fmt: skip
    respond = next(d["due"] for d in due if d["kind"] == "respond")
    assert respond.endswith("T00:00:00+00:00"), due
    assert 2 == refused.exit_code
    assert (
        "Error: --until must be later than the current respond deadline "
        "(Wed 2026-12-02 24:00 GMT)\n"
    ) == refused.stderr


def closed_then_hours_changed(run: Run, hours: str, then: str) -> str:
    """A case logged and acknowledged Tue 1 Dec 15:00 in a store open `hours`, closed at
    16:00, when the hours became `then`: its reference."""
    with freeze_time("2026-12-01 15:00:00"):
        ok = run("--as", "sam.senior", "calendar", "set", "--hours", hours)
        assert 0 == ok.exit_code, ok.stderr
        ref = log(run)
        acked = run("ack", ref, "--area", "Casework")
        assert 0 == acked.exit_code, acked.stderr
    with freeze_time("2026-12-01 16:00:00"):
        closed = run("--as", "sam.senior", "close", ref, "--reason", "withdrawn")
        assert 0 == closed.exit_code, closed.stderr
        ok = run("--as", "sam.senior", "calendar", "set", "--hours", then)
        assert 0 == ok.exit_code, ok.stderr
    return ref


def test_a_reopen_s_due_when_closed_and_a_subject_access_export_read_a_midnight_close_as_24_00(
    run: Run, tmp_path: Path
) -> None:
    """The due a reopened clock had when its case closed, and each due in the history a
    consumer receives from `consumer export`, read as `show` gives them: Wednesday's close as
    its 24:00, not Thursday's 00:00. The stored detail and the JSON keep the instant."""
    # The response due at Wednesday's close; open from 08:00, run again, an hour sooner.
    ref = closed_then_hours_changed(run, "Mon-Fri 09:00-24:00", then="Mon-Fri 08:00-24:00")
    with freeze_time("2026-12-01 16:00:00"):
        reopened = run("--as", "sam.senior", "reopen", ref, "--reason", "Closed by mistake")
        assert 0 == reopened.exit_code, reopened.stderr
        import typer.testing

        told_plain = run("history", ref, "--plain").stdout
        stored = json.loads(run("history", ref, "--json").stdout)
        page, document = tmp_path / "sar.html", tmp_path / "sar.json"
        for path in (page, document):
            exported = run("--as", "sam.senior", "consumer", "export", "--consumer-id", "1",
                           "-o", str(path))  # fmt: skip
            assert 0 == exported.exit_code, exported.stderr
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
            told = run("history", ref).stdout

    said = "respond due when closed: Wed 2026-12-02 24:00 GMT"
    assert said in told_plain
    assert said in " ".join(told.split())  # the table may wrap it
    html = page.read_text(encoding="utf-8")
    assert said in html
    assert "respond due: Wed 2026-12-02 24:00 GMT" in html  # the acknowledgement's entry
    assert "Thu 2026-12-03 00:00" not in html
    (reopen,) = [e for e in stored["history"] if e["action"] == "reopen"]
    assert "2026-12-03T00:00:00+00:00" == reopen["details"]["respond_due_when_closed"]
    (case,) = json.loads(document.read_text(encoding="utf-8"))["cases"]
    (kept,) = [e for e in case["history"] if e["action"] == "reopen"]
    assert "2026-12-03T00:00:00+00:00" == kept["details"]["respond_due_when_closed"]


def test_explain_before_a_reopen_names_the_due_it_ran_again_to_at_a_midnight_close_as_24_00(
    run: Run,
) -> None:
    """explain's note of a reopen that ran a clock again reads the due it ran to as `show`
    does: Wednesday's close as its 24:00, not Thursday's 00:00."""
    # The response due Wednesday at 23:00; open from 09:00, run again, at Wednesday's close.
    ref = closed_then_hours_changed(run, "Mon-Fri 08:00-24:00", then="Mon-Fri 09:00-24:00")
    with freeze_time("2026-12-01 16:30:00"):
        reopened = run("--as", "sam.senior", "reopen", ref, "--reason", "Closed by mistake")
        assert 0 == reopened.exit_code, reopened.stderr
        explained = run("explain", ref, "respond", "--as-of", "2026-12-01T16:15", "--json")

    assert 0 == explained.exit_code, explained.stderr
    (note,) = json.loads(explained.stdout)["notes"]
    assert note.endswith("ran it again to Wed 2026-12-02 24:00 GMT)"), note


def test_overdue_reads_a_restriction_s_review_at_a_midnight_close_as_its_own_views_do(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review date is a date a person set (`--review 2026-12-03T00:00`): `overdue` reads it
    as `restrict list` and `show` do, Thursday's 00:00, not Wednesday's 24:00 as a due
    counted to a store's midnight close reads. Plain lines keep ISO."""
    with freeze_time("2026-12-01 15:00:00"):
        ok = run("--as", "sam.senior", "calendar", "set", "--hours", "Mon-Fri 09:00-24:00")
        assert 0 == ok.exit_code, ok.stderr
        ref = log(run)
        added = run("--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
                    "--scope", "procedure", "--reason", "Abuse of staff",
                    "--review", "2026-12-03T00:00")  # fmt: skip
        assert 0 == added.exit_code, added.stderr
    with freeze_time("2026-12-03 10:00:00"):
        plain = run("overdue", "--kind", "restriction-review").stdout
        import typer.testing

        monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
        monkeypatch.setenv("COLUMNS", "200")
        listed = run("restrict", "list").stdout
        shown = run("show", ref).stdout
        table = run("overdue", "--kind", "restriction-review").stdout

    review = "Thu 2026-12-03 00:00 GMT"
    assert (True, True) == (review in listed, review in shown), (listed, shown)
    assert (True, False) == (review in table, "Wed 2026-12-02 24:00" in table), table
    assert "\t2026-12-03T00:00:00+00:00\t" in plain
