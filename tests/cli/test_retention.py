"""Retention, legal holds and erasure end to end: each command through the real command line,
and each error class with its exit status and its one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.journey import log_args, ok, show, step
from tests.cli.journey import log_case as logged

LOGGED = "2026-12-01T10:00"
CLOSED = "2026-12-02T10:00"
NOW = "2026-12-15 12:00:00"
SIX_YEARS_ON = "2033-01-10 12:00:00"


def closed_case(run: Run, **options: str) -> str:
    ref = logged(run, at=LOGGED, **options)
    step(run, CLOSED, "--as", "officer.one", "close", ref, "--reason", "withdrawn", "--yes")
    return ref


def senior(run: Run, *args: str, now: str = NOW) -> Any:
    with freeze_time(now):
        return run("--as", "sam.senior", *args)


def test_retention_policy_shows_the_default_and_a_senior_changes_it(run: Run) -> None:
    assert "In force: policy 1: 6 years" in senior(run, "retention", "policy").stdout

    changed = senior(run, "retention", "policy", "--years", "7", "--reason", "Board decision")

    assert 0 == changed.exit_code, changed.stderr
    assert changed.stdout.startswith("In force: policy 2: 7 years, set by sam.senior")
    shown = json.loads(senior(run, "retention", "policy", "--json").stdout)
    assert [1, 2] == [p["number"] for p in shown["history"]]
    one = senior(run, "retention", "policy", "--years", "1", "--reason", "Trial")
    assert one.stdout.startswith("In force: policy 3: 1 year, set by sam.senior")
    again = senior(run, "retention", "policy", "--years", "1", "--reason", "Trial")
    assert "Error: the policy in force (policy 3) is 1 year\n" == again.stderr


def test_a_policy_change_by_an_officer_exits_6_and_without_a_reason_2(run: Run) -> None:
    with freeze_time(NOW):
        refused = run("retention", "policy", "--years", "7", "--reason", "x")
    assert (6, "") == (refused.exit_code, refused.stdout)
    assert refused.stderr.startswith("Error: officer.one (officer) may not change the retention")
    missing = senior(run, "retention", "policy", "--years", "7")
    assert (2, "Error: say why the policy changes: --reason\n") == (
        missing.exit_code,
        missing.stderr,
    )


def test_a_number_below_the_least_says_so_without_the_largest_a_store_keeps(run: Run) -> None:
    years = senior(run, "retention", "policy", "--years", "0", "--reason", "x")
    hold = senior(run, "hold", "lift", "0", "--reason", "x")
    huge = senior(run, "hold", "lift", "99999999999999999999", "--reason", "x")

    assert (2, "Error: Invalid value for '--years': 0 is less than 1\n") == (
        years.exit_code,
        years.stderr,
    )
    assert "Error: Invalid value for 'ID': 0 is less than 1\n" == hold.stderr
    assert "Error: Invalid value for 'ID': 99999999999999999999 is too large\n" == huge.stderr


def test_a_number_of_thousands_of_digits_is_said_too_large_cut_short(run: Run) -> None:
    # int() refuses text of over 4,300 digits: the refusal said the number back whole, and
    # not why.
    huge = senior(run, "hold", "lift", "9" * 5000, "--reason", "x")
    long = senior(run, "hold", "lift", "9" * 4000, "--reason", "x")

    assert f"Error: Invalid value for 'ID': {'9' * 40!r}… is too large\n" == huge.stderr
    assert huge.stderr == long.stderr
    assert 2 == huge.exit_code


def test_retention_list_and_apply_remove_what_is_due_after_a_dry_run(run: Run) -> None:
    ref = closed_case(run, consumer="Bob Brown", email="bob@example.com")

    listed = senior(run, "retention", "list", "--as-of", "2033-01-01")
    assert [
        f"{ref}\tdue\t2032-12-02T10:00:00+00:00\t-",
        "consumer 1\tdue\t2032-12-02T10:00:00+00:00\t-",
    ] == listed.stdout.splitlines()
    dry = senior(run, "retention", "apply", "--dry-run", now=SIX_YEARS_ON)
    assert 0 == dry.exit_code
    assert (
        f"Would remove the personal data of {ref}, consumer 1, each value to be "
        "[removed 2033-01-10 under retention policy 1]"
    ) == dry.stdout.splitlines()[0]
    assert "Bob Brown" == show(run, ref)["consumer"]["name"]

    applied = senior(run, "retention", "apply", "--json", now=SIX_YEARS_ON)

    assert 0 == applied.exit_code, applied.stderr
    data = json.loads(applied.stdout)
    assert ([ref], [1], "[removed 2033-01-10 under retention policy 1]") == (
        data["cases"],
        data["consumers"],
        data["marker"],
    )
    assert f"{data['entries']} history entries would be anonymised" in dry.stdout
    assert data["marker"] == show(run, ref)["consumer"]["name"]
    with freeze_time(SIX_YEARS_ON):
        verified = run("db", "verify")
    assert 0 == verified.exit_code, verified.stdout
    history = ok(run, "history", ref).stdout
    assert "Bob" not in history
    assert "[removed 2033-01-10 under retention policy 1]" in history
    again = senior(run, "retention", "apply", now=SIX_YEARS_ON)
    assert "Nothing is due: nothing was removed.\n" == again.stdout
    # A dry run says what would happen, even when nothing would.
    dry_again = senior(run, "retention", "apply", "--dry-run", now=SIX_YEARS_ON)
    assert "Nothing is due: nothing would be removed; nothing was written.\n" == dry_again.stdout


def test_hold_list_plain_lines_are_tab_separated_fields_with_who_and_when_apart(run: Run) -> None:
    ref = closed_case(run)
    with freeze_time(NOW):
        added = run("--as", "lee.leader", "hold", "add", ref, "--reason", "Litigation", "--json")
    assert 0 == added.exit_code, added.stderr
    at = json.loads(added.stdout)["added_at"]

    listed = ok(run, "hold", "list").stdout

    assert f"1\t{ref}\tlee.leader\t{at}\tin force\tLitigation\n" == listed


def test_a_hold_added_with_a_reason_of_several_lines_is_confirmed_on_one_line(run: Run) -> None:
    ref = closed_case(run)
    with freeze_time(NOW):
        added = run("--as", "lee.leader", "hold", "add", ref, "--reason", "Litigation\nby letter")

    assert (0, f"Added hold 1 on {ref}: Litigation by letter\n") == (
        added.exit_code,
        added.stdout,
    ), added.stderr


def test_retention_apply_by_an_officer_exits_6(run: Run) -> None:
    with freeze_time(NOW):
        refused = run("retention", "apply")
    assert 6 == refused.exit_code
    assert "may not remove the personal data retention has made due" in refused.stderr


def test_holds_are_added_listed_and_lifted_and_a_held_case_is_not_removed(run: Run) -> None:
    ref = closed_case(run)
    with freeze_time(NOW):
        added = run("--as", "lee.leader", "hold", "add", ref, "--reason", "Litigation", "--json")
    assert 0 == added.exit_code, added.stderr
    assert (1, ref) == (json.loads(added.stdout)["id"], json.loads(added.stdout)["ref"])
    assert "1\t" + ref in ok(run, "hold", "list").stdout

    assert (
        []
        == json.loads(senior(run, "retention", "apply", "--json", now=SIX_YEARS_ON).stdout)["cases"]
    )
    listed = senior(run, "retention", "list", "--json", now=SIX_YEARS_ON)
    assert ["held"] == [i["state"] for i in json.loads(listed.stdout)["items"]][:1]

    lifted = senior(run, "hold", "lift", "1", "--reason", "Settled")
    assert (0, "Lifted hold 1 on " + ref + ": Settled\n") == (lifted.exit_code, lifted.stdout)
    assert [ref] == json.loads(
        senior(run, "retention", "apply", "--json", now=SIX_YEARS_ON).stdout
    )["cases"]


def test_an_open_subject_access_request_holds_the_person_until_it_is_answered(
    run: Run, tmp_path: Path
) -> None:
    ref = closed_case(run)
    with freeze_time("2033-01-05 12:00:00"):
        ok(run, "sar", "open", "--email", "ann@example.com", "--received", "2033-01-05T10:00")

    listed = senior(run, "retention", "list", now=SIX_YEARS_ON)
    held = json.loads(senior(run, "retention", "list", "--json", now=SIX_YEARS_ON).stdout)
    applied = json.loads(senior(run, "retention", "apply", "--json", now=SIX_YEARS_ON).stdout)

    assert f"{ref}\theld\t2032-12-02T10:00:00+00:00\tsubject-access request 1 open\n" in (
        listed.stdout
    )
    assert [("held", "subject-access request 1 open")] * 2 == [
        (i["state"], i["why"]) for i in held["items"]
    ]
    assert ([], []) == (applied["cases"], applied["consumers"])
    with freeze_time("2033-01-11 12:00:00"):
        ok(run, "sar", "done", "1", "-o", str(tmp_path / "answer.json"))
    assert [ref] == json.loads(
        senior(run, "retention", "apply", "--json", now="2033-01-12 12:00:00").stdout
    )["cases"]


def test_hold_errors_exit_4_5_6_and_2(run: Run) -> None:
    ref = closed_case(run)
    missing = senior(run, "hold", "lift", "9", "--reason", "x")
    assert (4, "Error: no legal hold 9\n") == (missing.exit_code, missing.stderr)
    with freeze_time(NOW):
        officer = run("hold", "add", ref, "--reason", "x")
    assert 6 == officer.exit_code
    neither = senior(run, "hold", "add", "--reason", "x")
    assert 2 == neither.exit_code
    assert "name what to hold" in neither.stderr
    early = senior(run, "hold", "add", ref, "--reason", "x", "--at", "2026-11-30T10:00")
    assert (2, f"Error: --at is before {ref} was received (Tue 2026-12-01 10:00 GMT)\n") == (
        early.exit_code,
        early.stderr,
    )
    assert 0 == senior(run, "hold", "add", ref, "--reason", "x").exit_code
    assert 0 == senior(run, "hold", "lift", "1", "--reason", "x").exit_code
    twice = senior(run, "hold", "lift", "1", "--reason", "x")
    assert (5, "Error: legal hold 1 was lifted already\n") == (twice.exit_code, twice.stderr)


def test_consumer_erase_refuses_while_a_case_is_open_then_erases_at_once(run: Run) -> None:
    open_ref = logged(run, at=LOGGED)

    refused = senior(run, "consumer", "erase", "--email", "ann@example.com", "--reason", "Asked")

    assert (5, "") == (refused.exit_code, refused.stdout)
    assert (
        f"Error: consumer 1 cannot be erased while the data is needed: open cases {open_ref}\n"
    ) == refused.stderr
    step(run, CLOSED, "--as", "officer.one", "close", open_ref, "--reason", "withdrawn", "--yes")

    erased = senior(run, "consumer", "erase", "--email", "ann@example.com", "--reason", "Asked")

    assert 0 == erased.exit_code, erased.stderr
    assert "[erased 2026-12-15 on request]" in erased.stdout
    with freeze_time(NOW):
        assert 0 == run("db", "verify").exit_code
        shown = run("consumer", "show", "--consumer-id", "1", "--json")
    record = json.loads(shown.stdout)
    assert ("[erased 2026-12-15 on request]", None) == (record["name"], record["email"])
    missing = senior(run, "consumer", "erase", "--email", "ann@example.com", "--reason", "x")
    assert 4 == missing.exit_code
    twice = senior(run, "consumer", "erase", "--consumer-id", "1", "--reason", "x")
    assert (5, "Error: consumer 1 was anonymised already\n") == (twice.exit_code, twice.stderr)


def test_show_gives_an_erased_contact_note_as_its_marker_not_the_stored_digest(run: Run) -> None:
    ref = logged(run, at=LOGGED)
    step(
        run,
        LOGGED,
        "--as",
        "officer.one",
        "note",
        ref,
        "--text",
        "Called back about Bob",
        "--direction",
        "in",
        "--channel",
        "phone",
    )
    step(run, CLOSED, "--as", "officer.one", "close", ref, "--reason", "withdrawn", "--yes")
    erased = senior(run, "consumer", "erase", "--email", "ann@example.com", "--reason", "Asked")
    assert 0 == erased.exit_code, erased.stderr

    with freeze_time(NOW):
        shown = ok(run, "show", ref)

    contact = next(line for line in shown.stdout.splitlines() if line.startswith("Contact"))
    assert contact.endswith("(officer.one): [erased 2026-12-15 on request]"), contact
    assert "sha256" not in shown.stdout


def test_erasure_removes_the_reason_a_restriction_was_overridden_to_log_a_case(run: Run) -> None:
    first = logged(run, at=LOGGED)
    with freeze_time(LOGGED):
        ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
           "--scope", "procedure", "--reason", "Repeated")  # fmt: skip
    second = logged(
        run, "--override-restriction", "New evidence from her doctor", at=LOGGED, by="sam.senior"
    )
    with freeze_time(CLOSED):
        ok(run, "--as", "sam.senior", "restrict", "lift", "1", "--reason", "Calmer now")
    for ref in (first, second):
        step(run, CLOSED, "--as", "officer.one", "close", ref, "--reason", "withdrawn", "--yes")

    erased = senior(run, "consumer", "erase", "--email", "ann@example.com", "--reason", "Asked")

    assert 0 == erased.exit_code, erased.stderr
    with freeze_time(NOW):
        logged_entry = json.loads(ok(run, "history", second, "--json").stdout)["history"][0]
        told = ok(run, "history", second).stdout
        assert 0 == run("db", "verify").exit_code
    overridden = logged_entry["details"]["restriction_overridden"]
    assert "[erased 2026-12-15 on request]" == overridden["removed"]
    assert "doctor" not in told


def test_a_complaint_giving_an_erased_persons_marker_is_not_added_to_their_record(
    run: Run,
) -> None:
    ref = closed_case(run, email="", address="1 High St")
    erased = senior(run, "consumer", "erase", "--consumer-id", "1", "--reason", "Asked")
    assert 0 == erased.exit_code, erased.stderr
    marker = "[erased 2026-12-15 on request]"

    with freeze_time(NOW):
        again = run(*log_args(LOGGED, consumer=marker, email="", address=marker))
        record = json.loads(run("consumer", "show", "--consumer-id", "1", "--json").stdout)

    assert (0, False) == (again.exit_code, "complained before" in again.stderr)
    assert [ref] == [case["ref"] for case in record["cases"]]


def test_lists_with_nothing_to_list_say_so_at_a_terminal_not_a_bare_header(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")
    run("calendar")  # the store, with nothing held, asked for or due in it

    said = {
        args: (result.exit_code, result.stdout, result.stderr.splitlines()[-1:])
        for args in (
            ("hold", "list"),
            ("hold", "list", "--all"),
            ("sar", "list"),
            ("sar", "list", "--open"),
            ("retention", "list"),
        )
        for result in [senior(run, *args)]
    }

    assert {
        ("hold", "list"): (0, "", ["No legal hold is in force."]),
        ("hold", "list", "--all"): (0, "", ["No legal hold has been added."]),
        ("sar", "list"): (0, "", ["No subject-access request has been recorded."]),
        ("sar", "list", "--open"): (0, "", ["No subject-access request is open."]),
        ("retention", "list"): (0, "", ["Nothing is due."]),
    } == said


def test_retention_list_names_each_hold_in_force_on_one_line_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    ref = closed_case(run)
    with freeze_time(NOW):
        added = run("--as", "lee.leader", "hold", "add", ref, "--reason", "Claim\nfiled\tin court")
    assert 0 == added.exit_code, added.stderr
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")

    said = senior(run, "retention", "list").stderr.splitlines()

    assert [f"Legal holds in force: hold 1 on {ref} (Claim filed in court)"] == [
        line for line in said if "Legal holds" in line or "court" in line
    ]


def test_retention_list_as_of_a_moment_before_a_hold_was_added_lists_the_case_due(
    run: Run,
) -> None:
    # Due from 2 December 2032, put on hold on 10 January 2033: as of Christmas 2032 it was
    # due, and no hold was in force.
    ref = closed_case(run)
    with freeze_time(SIX_YEARS_ON):
        ok(run, "--as", "lee.leader", "hold", "add", ref, "--reason", "Litigation")

    then = json.loads(
        senior(run, "retention", "list", "--as-of", "2032-12-25", "--json", now=SIX_YEARS_ON).stdout
    )
    now = json.loads(senior(run, "retention", "list", "--json", now=SIX_YEARS_ON).stdout)

    assert (["due", "due"], [], ["held", "held"], [1]) == (
        [i["state"] for i in then["items"]],
        [h["id"] for h in then["holds"]],
        [i["state"] for i in now["items"]],
        [h["id"] for h in now["holds"]],
    )


def test_a_holds_reason_of_several_lines_is_one_line_in_the_table_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    ref = closed_case(run)
    with freeze_time(NOW):
        ok(run, "--as", "lee.leader", "hold", "add", ref, "--reason", "Held\nby law")
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")

    table = ok(run, "hold", "list").stdout

    # As its confirmation says it, and an action's what in its table.
    assert "Held by law" in table
    assert not any(line.strip() == "by law" for line in table.splitlines())
