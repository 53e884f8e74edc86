"""People end to end: staff and their roles, restrictions on consumers, and consumers' needs.

Every command runs through the real command line (CliRunner) on a seeded store (tests/conftest.py
TEAM; officer.one acts unless --as says otherwise); "now" is frozen and steps carry an explicit
--at in the past, in London wall-clock time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import Result

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import history, ok, show
from tests.conftest import dump_store

NOW = "2026-12-15 12:00:00"
# Restriction reviews fall due 6 months on: "now" is after the first one falls due.
LATER = "2027-03-15 12:00:00"

LOGGED = "2026-08-03T10:00"  # Mon, BST
RESTRICTED = "2026-09-01T10:00"  # Tue, BST
# 6 calendar months after Tue 1 Sep 2026 10:00 BST: Mon 1 Mar 2027 10:00, by then GMT.
REVIEW_DUE = "2027-03-01T10:00:00+00:00"


# -- helpers -------------------------------------------------------------------------------


def log_args(at: str = LOGGED, **options: str) -> list[str]:
    return journey.log_args(at, **options)


def log_case(
    run: Run, *extra: str, by: str = "officer.one", at: str = LOGGED, **options: str
) -> str:
    """`complaintctl log` by `by` with sensible defaults; returns the new reference."""
    return journey.log_case(run, *extra, at=at, by=by, **options)


def staff(run: Run, *flags: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(ok(run, "staff", "list", "--json", *flags).stdout)
    return {row["username"]: row for row in rows}


def restrictions(run: Run, *flags: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(run, "restrict", "list", "--json", *flags).stdout)
    return rows


def restrict(run: Run, *args: str, at: str = RESTRICTED) -> dict[str, Any]:
    """`restrict add` by sam.senior for ann@example.com; returns the restriction's JSON."""
    result = ok(
        run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
        *args, "--at", at, "--json",
    )  # fmt: skip
    restriction: dict[str, Any] = json.loads(result.stdout)
    return restriction


def overdue_reviews(run: Run, *flags: str) -> list[dict[str, Any]]:
    result = ok(run, "overdue", "--kind", "restriction-review", "--json", *flags)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def error_line(result: Result) -> str:
    """The one `Error: ` line a refusal prints, with nothing on stdout."""
    lines = result.stderr.splitlines()
    assert 1 == len(lines), result.stderr
    assert lines[0].startswith("Error: ")
    assert "" == result.stdout
    return lines[0]


# -- staff ---------------------------------------------------------------------------------


@freeze_time(NOW)
def test_a_senior_role_adds_staff_and_they_are_listed(run: Run) -> None:
    result = ok(
        run, "--as", "sam.senior", "staff", "add", "nia.new", "--name", "Nia New",
        "--role", "officer", "--area", "Casework",
    )  # fmt: skip

    assert "Added nia.new (Nia New, officer in Casework)\n" == result.stdout
    assert {
        "schema_version": 2,
        "username": "nia.new",
        "name": "Nia New",
        "role": "officer",
        "area": "Casework",
        "active": True,
        "db_role": None,
        "os_login": None,
    } == staff(run)["nia.new"]


@freeze_time(NOW)
def test_an_officer_may_not_add_staff_once_there_are_staff(run: Run) -> None:
    before = staff(run, "--all")

    result = run("staff", "add", "nia.new", "--name", "Nia New", "--role", "officer")

    assert 6 == result.exit_code
    assert (
        "Error: officer.one (officer) may not add, change or remove staff: only "
        "senior-complaint-executive, senior-leader may" == error_line(result)
    )
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_an_officer_may_not_remove_staff(run: Run) -> None:
    before = staff(run, "--all")

    result = run("staff", "remove", "officer.two")

    assert 6 == result.exit_code
    error_line(result)
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_a_brand_new_store_takes_its_first_staff_member_from_anyone(
    run: Run, monkeypatch: pytest.MonkeyPatch, new_store: Callable[[str], str]
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_DB", new_store("fresh"))

    ok(
        run, "--as", "whoever", "staff", "add", "first.boss", "--name", "First Boss",
        "--role", "senior-complaint-executive",
    )  # fmt: skip
    refused = run(
        "--as", "whoever", "staff", "add", "second.person", "--name", "Second Person",
        "--role", "officer",
    )  # fmt: skip
    ok(
        run, "--as", "first.boss", "staff", "add", "third.person", "--name", "Third Person",
        "--role", "officer",
    )  # fmt: skip

    assert 6 == refused.exit_code
    assert error_line(refused).startswith("Error: whoever is not staff in this store")
    assert ["first.boss", "third.person"] == list(staff(run, "--all"))


@freeze_time(NOW)
def test_a_leader_is_added_only_with_the_area_they_lead(run: Run) -> None:
    result = run(
        "--as", "sam.senior", "staff", "add", "lou.leader", "--name", "Lou Leader",
        "--role", "leader",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert "Error: a leader leads an area: give --area" == error_line(result)
    assert "lou.leader" not in staff(run, "--all")


@freeze_time(NOW)
def test_removing_staff_deactivates_them_and_keeps_their_name_in_history(run: Run) -> None:
    ref = log_case(run, by="officer.two")
    assert "officer.two" == history(run, ref)[0]["by"]

    result = ok(run, "--as", "sam.senior", "staff", "remove", "officer.two")

    assert "Removed officer.two (Oona Two, officer)\n" == result.stdout
    assert "officer.two" not in staff(run)
    assert {
        "schema_version": 2,
        "username": "officer.two",
        "name": "Oona Two",
        "role": "officer",
        "area": None,
        "active": False,
        "db_role": None,
        "os_login": None,
    } == staff(run, "--all")["officer.two"]
    assert (
        "officer.two\tOona Two\tofficer\t-\tremoved\t-"
        in ok(run, "staff", "list", "--all").stdout.splitlines()
    )
    assert [("log", "officer.two")] == [(e["action"], e["by"]) for e in history(run, ref)]


@freeze_time(NOW)
def test_a_removed_member_of_staff_can_no_longer_act(run: Run) -> None:
    ref = log_case(run)
    ok(run, "--as", "sam.senior", "staff", "remove", "officer.two")
    before = show(run, ref)

    result = run("--as", "officer.two", "ack", ref, "--area", "Casework", "--at", LOGGED)

    assert 6 == result.exit_code
    assert error_line(result).startswith("Error: officer.two is no longer active staff")
    assert error_line(result).endswith("`complaintctl staff reactivate officer.two`")
    assert before == show(run, ref)


@freeze_time(NOW)
def test_reactivating_a_removed_member_makes_them_active_again(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "remove", "rita.responder")

    result = ok(run, "--as", "hana.handler", "staff", "reactivate", "rita.responder")

    assert "Reactivated rita.responder (Rita Responder, officer in Casework)\n" == result.stdout
    assert {
        "schema_version": 2,
        "username": "rita.responder",
        "name": "Rita Responder",
        "role": "officer",
        "area": "Casework",
        "active": True,
        "db_role": None,
        "os_login": None,
    } == staff(run)["rita.responder"]


@freeze_time(NOW)
def test_reactivating_someone_already_active_is_refused(run: Run) -> None:
    before = staff(run, "--all")

    result = run("--as", "sam.senior", "staff", "reactivate", "officer.two")

    assert 2 == result.exit_code
    assert "Error: officer.two is already active staff" == error_line(result)
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_reactivating_an_unknown_username_is_not_found(run: Run) -> None:
    result = run("--as", "sam.senior", "staff", "reactivate", "nobody")

    assert 4 == result.exit_code
    assert "Error: no staff member nobody" == error_line(result)


@freeze_time(NOW)
def test_an_officer_may_not_reactivate_staff(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "remove", "officer.two")
    before = staff(run, "--all")

    result = run("staff", "reactivate", "officer.two")

    assert 6 == result.exit_code
    assert error_line(result).startswith("Error: officer.one (officer) may not add, change")
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_a_senior_role_changes_a_members_role_and_area(run: Run) -> None:
    result = ok(
        run, "--as", "sam.senior", "staff", "role", "rita.responder", "--role", "leader",
        "--area", "Energy",
    )  # fmt: skip

    assert "Changed rita.responder (Rita Responder, leader in Energy)\n" == result.stdout
    assert ("leader", "Energy") == (
        staff(run)["rita.responder"]["role"],
        staff(run)["rita.responder"]["area"],
    )


@freeze_time(NOW)
def test_a_role_change_that_changes_nothing_is_refused(run: Run) -> None:
    before = staff(run, "--all")

    result = run(
        "--as", "sam.senior", "staff", "role", "lee.leader", "--role", "leader",
        "--area", "Casework",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert "Error: lee.leader is already leader in Casework: nothing to change" == error_line(
        result
    )
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_an_area_holding_a_zero_width_space_is_refused_as_it_would_look_like_another(
    run: Run,
) -> None:
    before = staff(run, "--all")

    result = run(
        "--as", "sam.senior", "staff", "add", "new.officer", "--name", "New Officer",
        "--role", "officer", "--area", "Case\u200bwork",
    )  # fmt: skip

    assert (2, before) == (result.exit_code, staff(run, "--all"))
    assert (
        "Error: --area holds <U+200B>, a control, bidirectional or invisible character: an area is "
        "a name everyone must read the same, so type it without one"
    ) == error_line(result)


@freeze_time(NOW)
def test_a_role_change_with_an_area_given_empty_is_refused_not_taken_for_no_area(
    run: Run,
) -> None:
    # `--area "$AREA"` with the variable not set: an option given empty is refused (exit 2),
    # as README has it, never read as "no area", which took rita.responder out of Casework.
    before = staff(run, "--all")

    result = run(
        "--as", "sam.senior", "staff", "role", "rita.responder", "--role", "officer",
        "--area", "",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert error_line(result).startswith("Error: --area must not be empty")
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_a_removed_members_role_is_not_changed_until_they_are_reactivated(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "remove", "officer.two")
    before = staff(run, "--all")

    result = run("--as", "sam.senior", "staff", "role", "officer.two", "--role", "senior-leader")

    assert 2 == result.exit_code
    assert (
        "Error: officer.two was removed: reactivate them first "
        "(`complaintctl staff reactivate officer.two`)" == error_line(result)
    )
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_the_last_active_senior_may_not_step_down(run: Run) -> None:
    ok(run, "--as", "sam.senior", "staff", "remove", "hana.handler")
    before = staff(run, "--all")

    result = run("--as", "sam.senior", "staff", "role", "sam.senior", "--role", "officer")

    assert 2 == result.exit_code
    assert error_line(result).startswith("Error: sam.senior is the last active senior role")
    assert before == staff(run, "--all")


@freeze_time(NOW)
def test_changing_the_role_of_an_unknown_username_is_not_found(run: Run) -> None:
    result = run("--as", "sam.senior", "staff", "role", "nobody", "--role", "officer")

    assert 4 == result.exit_code
    assert "Error: no staff member nobody" == error_line(result)


@freeze_time(NOW)
def test_an_officer_may_not_change_roles(run: Run) -> None:
    before = staff(run, "--all")

    result = run("staff", "role", "officer.one", "--role", "senior-leader")

    assert 6 == result.exit_code
    assert error_line(result).startswith("Error: officer.one (officer) may not add, change")
    assert before == staff(run, "--all")


# -- restrictions --------------------------------------------------------------------------


@freeze_time(LATER)
def test_an_officer_may_not_restrict_a_consumer(run: Run) -> None:
    log_case(run)

    result = run(
        "restrict", "add", "--email", "ann@example.com", "--scope", "procedure",
        "--reason", "Abusive calls", "--at", RESTRICTED,
    )  # fmt: skip

    assert 6 == result.exit_code
    assert (
        "Error: officer.one (officer) may not restrict a consumer or lift a restriction: only "
        "senior-complaint-executive, senior-leader may" == error_line(result)
    )
    assert [] == restrictions(run, "--all")


@freeze_time(LATER)
def test_a_restriction_is_reviewed_6_months_after_it_is_decided_by_default(run: Run) -> None:
    log_case(run)

    restriction = restrict(run, "--scope", "procedure", "--reason", "Abusive calls")

    assert {
        "schema_version": 2,
        "id": 1,
        "consumer": {"id": 1, "name": "Ann Smith", "email": "ann@example.com"},
        "scope": "procedure",
        "dispute": None,
        "contact_channel": None,
        "contact_via": None,
        "reason": "Abusive calls",
        "decided_by": "sam.senior",
        "decided_at": "2026-09-01T10:00:00+01:00",
        "review_due": REVIEW_DUE,
        "lifted_at": None,
        "lifted_by": None,
        "lift_reason": None,
    } == restriction
    assert [restriction] == restrictions(run)


@freeze_time(LATER)
def test_a_procedure_restriction_refuses_a_new_complaint_naming_the_restriction_and_review(
    run: Run,
) -> None:
    ref = log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")
    before = show(run, ref)

    result = run(*log_args(at="2026-10-01T10:00", summary="Another complaint"))

    assert 7 == result.exit_code
    assert (
        "Error: Ann Smith is restricted: restriction 1 (no new formal complaints; review due "
        "Mon 2027-03-01 10:00 GMT); a senior-leader or senior-complaint-executive may log it with "
        "--override-restriction REASON" == error_line(result)
    )
    assert before == show(run, ref)
    assert 4 == run("show", "SC-2026-000002").exit_code


@freeze_time(LATER)
def test_a_restriction_follows_a_consumer_by_post_whose_name_and_address_are_written_otherwise(
    run: Run,
) -> None:
    """Matched by name and address in their matching form: a case, spaces, punctuation or line
    breaks of their own are not another consumer, free of the restriction."""
    by_post = {"email": "", "channel": "post", "address": "1 High St, Leeds"}
    log_case(run, **by_post)
    ok(
        run, "--as", "sam.senior", "restrict", "add", "--consumer-id", "1", "--scope",
        "procedure", "--reason", "Abusive calls", "--at", RESTRICTED,
    )  # fmt: skip

    result = run(
        *log_args(
            at="2026-10-01T10:00", consumer="ann  SMITH", email="", channel="post",
            address="1 high st,\nLeeds.",
        )
    )  # fmt: skip

    assert 7 == result.exit_code
    assert error_line(result).startswith("Error: Ann Smith is restricted: restriction 1 (")
    assert 4 == run("show", "SC-2026-000002").exit_code


@freeze_time(LATER)
def test_a_senior_role_may_log_despite_a_restriction_and_the_override_is_recorded(
    run: Run,
) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")

    ref = log_case(
        run, "--override-restriction", "A new matter: a data breach", by="sam.senior",
        at="2026-10-01T10:00", summary="My data was sent to someone else",
    )  # fmt: skip

    assert "SC-2026-000002" == ref
    entry = history(run, ref)[0]
    assert ("log", "sam.senior") == (entry["action"], entry["by"])
    assert (
        "A new matter: a data breach (restriction 1 (no new formal complaints; "
        "review due Mon 2027-03-01 10:00 GMT))" == entry["details"]["restriction_overridden"]
    )


@freeze_time(LATER)
def test_an_override_where_no_restriction_refuses_the_complaint_is_refused_and_logs_nothing(
    run: Run,
) -> None:
    log_case(run)
    restrict(run, "--scope", "contact", "--channel", "post", "--reason", "Too many calls")

    result = run(
        *log_args(at="2026-10-01T10:00"), "--override-restriction", "A new matter", "--as",
        "sam.senior",
    )  # fmt: skip

    assert 2 == result.exit_code
    assert (
        "Error: --override-restriction is for a restricted consumer: no restriction of Ann "
        "Smith's refuses this complaint, so there is nothing to override" == error_line(result)
    )
    assert 4 == run("show", "SC-2026-000002").exit_code


@freeze_time(LATER)
def test_an_officer_may_not_override_a_restriction(run: Run) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")

    result = run(
        *log_args(at="2026-10-01T10:00"), "--override-restriction", "It looks like a new matter"
    )

    assert 6 == result.exit_code
    assert (
        "Error: officer.one (officer) may not log a complaint despite a restriction: only "
        "senior-complaint-executive, senior-leader may" == error_line(result)
    )
    assert 4 == run("show", "SC-2026-000002").exit_code


@freeze_time(LATER)
def test_a_same_matter_restriction_refuses_only_complaints_about_that_dispute(run: Run) -> None:
    log_case(run, dispute="D-123")
    restrict(run, "--scope", "same-matter", "--dispute", "D-123", "--reason", "Repeated")

    same = run(*log_args(at="2026-10-01T10:00", dispute="D-123"))
    other = run(*log_args(at="2026-10-01T11:00", dispute="D-999"))
    no_dispute = run(*log_args(at="2026-10-01T12:00"))

    assert 7 == same.exit_code
    assert (
        "Error: Ann Smith is restricted: restriction 1 (no new complaints about dispute D-123; "
        "review due Mon 2027-03-01 10:00 GMT); a senior-leader or senior-complaint-executive "
        "may log it with --override-restriction REASON" == error_line(same)
    )
    assert (0, "SC-2026-000002\n") == (other.exit_code, other.stdout)
    assert (0, "SC-2026-000003\n") == (no_dispute.exit_code, no_dispute.stdout)


@freeze_time(LATER)
def test_a_dispute_reference_with_an_invisible_character_is_the_same_dispute(run: Run) -> None:
    log_case(run, dispute="D-123")
    restrict(run, "--scope", "same-matter", "--dispute", "D-123", "--reason", "Repeated")

    same = run(*log_args(at="2026-10-01T10:00", dispute="D-123\u200b"))

    assert (7, True) == (same.exit_code, "about dispute D-123;" in error_line(same))


@freeze_time(LATER)
def test_a_complaint_received_before_the_restriction_was_decided_is_taken_logged_or_imported(
    run: Run,
) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")  # Tue 2026-09-01 10:00

    # A letter received the day before, typed in after the decision.
    logged = run(*log_args(at="2026-08-31T10:00", summary="A letter"))
    imported = run(
        "--as", "officer.one", "import", "-", "--format", "csv", "--json",
        input="consumer,email,channel,category,summary,received_at\n"
        "Ann Smith,ann@example.com,post,delay,Another letter,2026-09-01T09:59\n"
        "Ann Smith,ann@example.com,post,delay,After the decision,2026-09-01T10:00\n",
    )  # fmt: skip

    assert (0, "SC-2026-000002\n") == (logged.exit_code, logged.stdout)
    assert 2 == imported.exit_code
    assert "line 3: consumer: Ann Smith is restricted: restriction 1" in imported.stderr
    assert "line 2" not in imported.stderr


@freeze_time(LATER)
def test_a_contact_restriction_is_shown_with_the_case(run: Run) -> None:
    ref = log_case(run)

    restriction = restrict(
        run, "--scope", "contact", "--channel", "post", "--reason", "Too many calls"
    )

    assert "post" == restriction["contact_channel"]
    lines = ok(run, "show", ref).stdout.splitlines()
    restricted = "contact only by post; review due Mon 2027-03-01 10:00 GMT"
    assert f"Restricted\trestriction 1 ({restricted})" in lines
    # Nested in a case, a restriction carries no schema_version of its own.
    del restriction["schema_version"]
    assert [restriction] == show(run, ref)["consumer"]["restrictions"]
    entry = history(run, ref)[-1]
    assert ("restriction-decided", "sam.senior", "2026-09-01T10:00:00+01:00") == (
        entry["action"],
        entry["by"],
        entry["at"],
    )
    # A contact restriction does not stop a new complaint being logged.
    assert "SC-2026-000002" == log_case(run, at="2026-10-01T10:00")


@freeze_time(LATER)
def test_a_restriction_dated_back_before_a_case_was_received_is_in_its_history_at_receipt(
    run: Run,
) -> None:
    ref = log_case(run, "--dispute", "D-7", at="2026-10-01T10:00")

    restrict(run, "--scope", "same-matter", "--dispute", "D-1", "--reason", "Repeated")

    entry = history(run, ref)[-1]
    assert ("restriction-decided", "2026-10-01T10:00:00+01:00") == (entry["action"], entry["at"])
    lines = ok(run, "history", ref).stdout.splitlines()
    assert "decided before receipt: Tue 2026-09-01 10:00 BST; reason: Repeated" in lines[-1]


@freeze_time(LATER)
def test_a_channel_and_a_contact_preference_are_read_in_any_case_as_log_reads_them(
    run: Run,
) -> None:
    log_case(run)

    restriction = restrict(run, "--scope", "contact", "--channel", "Post", "--reason", "Calls")
    updated = ok(run, "consumer", "update", "--email", "ann@example.com", "--prefers", "EMAIL")

    assert ("post", "Updated Ann Smith: prefers email; adjustments: none\n") == (
        restriction["contact_channel"],
        updated.stdout,
    )


@freeze_time(LATER)
def test_restrict_add_and_review_write_the_review_as_every_instant_for_people(run: Run) -> None:
    log_case(run)
    add = ("--as", "sam.senior", "restrict", "add", "--email", "ann@example.com")
    added = ok(run, *add, "--scope", "procedure", "--reason", "Abusive", "--at", RESTRICTED)
    review = ("--as", "sam.senior", "restrict", "review", "1", "--reason", "Still needed")
    reviewed = ok(run, *review, "--next", "2027-06-01T09:30", "--at", "2027-02-01T10:00")

    assert "review due Mon 2027-03-01 10:00 GMT)" in added.stdout
    assert "review due Tue 2027-06-01 09:30 BST)" in reviewed.stdout


@freeze_time(LATER)
def test_a_restriction_review_is_overdue_once_past_its_date_until_the_restriction_is_lifted(
    run: Run,
) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")

    before_due = overdue_reviews(run, "--as-of", "2027-03-01T10:00")
    past_due = overdue_reviews(run)
    ok(
        run, "--as", "sam.senior", "restrict", "lift", "1", "--reason", "Reviewed: calmer now",
        "--at", "2027-03-12T10:00",
    )  # fmt: skip
    after_lift = overdue_reviews(run)
    replayed = overdue_reviews(run, "--as-of", "2027-03-05T10:00")

    assert [] == before_due
    expected = {
        "schema_version": 2,
        "ref": None,
        "version": None,
        "restriction_id": 1,
        "sar_id": None,
        "action_id": None,
        "kind": "restriction-review",
        "owner": None,  # nobody is recorded as seeing to a review
        "consumer": {"id": 1, "name": "Ann Smith", "email": "ann@example.com"},
        "received_at": "2026-09-01T10:00:00+01:00",
        "due": REVIEW_DUE,
        "as_of": "2027-03-15T12:00:00+00:00",
        # Mon 1 Mar 10-17 (7h), 2-5 Mar (32h), 8-12 Mar (40h), Mon 15 Mar 09-12 (3h).
        "late_working_minutes": 82 * 60,
        "late_calendar_minutes": (14 * 24 + 2) * 60,
        "late_working": "82h",
        "late_calendar": "14d 2h",
        "state": "breached",
    }
    assert [expected] == past_due
    assert [] == after_lift
    # Lifting stops the clock from then on; before then it was overdue.
    assert [1] == [row["restriction_id"] for row in replayed]
    assert [] == restrictions(run)
    lifted = restrictions(run, "--all")[0]
    assert ("2027-03-12T10:00:00+00:00", "sam.senior", "Reviewed: calmer now") == (
        lifted["lifted_at"],
        lifted["lifted_by"],
        lifted["lift_reason"],
    )


@freeze_time(LATER)
def test_a_lifted_restriction_no_longer_refuses_a_new_complaint_nor_shows_on_the_case(
    run: Run,
) -> None:
    ref = log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")
    ok(
        run, "--as", "sam.senior", "restrict", "lift", "1", "--reason", "Reviewed",
        "--at", "2026-10-01T10:00",
    )  # fmt: skip

    assert [] == show(run, ref)["consumer"]["restrictions"]
    assert "SC-2026-000002" == log_case(run, at="2026-10-02T10:00")


@freeze_time(LATER)
def test_lifting_a_restriction_twice_is_not_allowed_now(run: Run) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")
    lift = ("--as", "sam.senior", "restrict", "lift", "1", "--reason", "Reviewed")
    ok(run, *lift, "--at", "2027-03-12T10:00")

    result = run(*lift, "--at", "2027-03-13T10:00")

    assert 5 == result.exit_code
    assert "Error: restriction 1 was lifted Fri 2027-03-12 10:00 GMT" == error_line(result)
    assert "2027-03-12T10:00:00+00:00" == restrictions(run, "--all")[0]["lifted_at"]


@freeze_time(LATER)
def test_lifting_an_unknown_restriction_is_not_found(run: Run) -> None:
    result = run("--as", "sam.senior", "restrict", "lift", "99", "--reason", "Reviewed")

    assert 4 == result.exit_code
    assert "Error: no restriction 99" == error_line(result)


@freeze_time(LATER)
def test_an_officer_may_not_lift_a_restriction(run: Run) -> None:
    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive calls")

    result = run("restrict", "lift", "1", "--reason", "Reviewed", "--at", "2027-03-12T10:00")

    assert 6 == result.exit_code
    error_line(result)
    assert None is restrictions(run, "--all")[0]["lifted_at"]


# -- consumers' needs ----------------------------------------------------------------------


@freeze_time(NOW)
def test_consumer_update_records_the_preferred_contact_and_adjustments_shown_with_the_case(
    run: Run,
) -> None:
    ref = log_case(run)

    result = ok(
        run, "consumer", "update", "--email", "ann@example.com", "--prefers", "post",
        "--adjustment", "large-print", "--adjustment", "bsl", "--at", "2026-08-04T10:00",
    )  # fmt: skip

    assert "Updated Ann Smith: prefers post; adjustments: bsl, large-print\n" == result.stdout
    consumer = show(run, ref)["consumer"]
    assert ("post", ["bsl", "large-print"]) == (
        consumer["preferred_contact"],
        consumer["adjustments"],
    )
    lines = ok(run, "show", ref).stdout.splitlines()
    assert "Prefers\tpost" in lines
    assert "Adjustments\tbsl, large-print" in lines
    entry = history(run, ref)[-1]
    assert ("consumer-updated", "officer.one") == (entry["action"], entry["by"])
    assert {"preferred_contact": "post", "adjustments": ["bsl", "large-print"]} == (
        entry["details"]
    )


@freeze_time(NOW)
def test_consumer_update_with_no_case_open_is_recorded_in_the_stores_history(
    run: Run, store_url: str
) -> None:
    ref = log_case(run, at="2026-08-03T10:00")
    journey.step(run, "2026-08-04T10:00", "--as", "officer.one", "close", ref,
                 "--reason", "withdrawn")  # fmt: skip
    before = len(history(run, ref))

    ok(run, "consumer", "update", "--email", "ann@example.com", "--adjustment", "bsl",
       "--at", "2026-08-05T10:00")  # fmt: skip

    assert before == len(history(run, ref))  # a closed case's history is not added to
    stored = [
        json.loads(str(row[6]))
        for table, row in dump_store(store_url)
        if table == "event" and row[1] is None and row[2] == "consumer-updated"
    ]
    assert [{"consumer_id": 1, "preferred_contact": None, "adjustments": ["bsl"]}] == stored


@freeze_time(NOW)
def test_consumer_update_drop_adjustment_removes_one_and_keeps_the_rest(run: Run) -> None:
    ref = log_case(run)
    ok(
        run, "consumer", "update", "--email", "ann@example.com", "--prefers", "post",
        "--adjustment", "large-print", "--adjustment", "bsl", "--at", "2026-08-04T10:00",
    )  # fmt: skip

    ok(
        run, "consumer", "update", "--email", "ann@example.com", "--drop-adjustment", "bsl",
        "--at", "2026-08-05T10:00",
    )  # fmt: skip

    consumer = show(run, ref)["consumer"]
    assert ("post", ["large-print"]) == (consumer["preferred_contact"], consumer["adjustments"])


@freeze_time(NOW)
def test_consumer_update_dropping_an_adjustment_not_held_exits_2_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    log_case(run, "--adjustment", "large-print")
    before = dump_store(store_url)

    result = run(
        "consumer", "update", "--email", "ann@example.com", "--drop-adjustment", "text relay",
    )  # fmt: skip

    assert (2, "", True) == (
        result.exit_code,
        result.stdout,
        result.stderr.startswith("Error: Ann Smith has no adjustment 'text relay'"),
    ), result.stderr
    assert before == dump_store(store_url)


@freeze_time(NOW)
def test_consumer_update_drops_a_need_written_as_adding_it_would_find_it(run: Run) -> None:
    ref = log_case(run, "--adjustment", "large-print")

    ok(run, "consumer", "update", "--email", "ann@example.com", "--drop-adjustment", "Large Print")

    assert [] == show(run, ref)["consumer"]["adjustments"]


@freeze_time(NOW)
def test_consumer_update_with_an_empty_adjustment_exits_2_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    log_case(run, "--adjustment", "large-print")
    before = dump_store(store_url)

    result = run("consumer", "update", "--email", "ann@example.com", "--adjustment", "")

    assert (2, "", "Error: --adjustment must not be empty\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    assert before == dump_store(store_url)


@freeze_time(NOW)
def test_history_says_when_an_update_leaves_a_consumer_with_no_adjustments(
    run: Run, tmp_path: Path
) -> None:
    """A `consumer-updated` entry records the needs as they now stand: dropping the last
    adjustment reads as none left, not as an entry silent about them (in `history`, and in
    the subject-access export's pages)."""
    ref = log_case(run)
    ok(run, "consumer", "update", "--email", "ann@example.com", "--adjustment", "bsl",
       "--at", "2026-08-04T10:00")  # fmt: skip
    ok(run, "consumer", "update", "--email", "ann@example.com", "--drop-adjustment", "bsl",
       "--at", "2026-08-05T10:00")  # fmt: skip

    updates = [
        line.split("\t")[3]
        for line in ok(run, "history", ref).stdout.splitlines()
        if line.split("\t")[1] == "consumer-updated"
    ]

    assert [
        "adjustments: bsl; preferred contact: none",
        "adjustments: none; preferred contact: none",
    ] == updates
    page = tmp_path / "sar.html"
    ok(run, "consumer", "export", "--email", "ann@example.com", "-o", str(page))
    assert "adjustments: none; preferred contact: none" in page.read_text(encoding="utf-8")


@freeze_time(NOW)
def test_log_records_the_preferred_contact_and_adjustments_it_is_given(run: Run) -> None:
    ref = log_case(
        run, "--prefers", "phone", "--adjustment", "text-relay", "--adjustment", "advocate"
    )

    consumer = show(run, ref)["consumer"]

    assert ("phone", ["advocate", "text-relay"]) == (
        consumer["preferred_contact"],
        consumer["adjustments"],
    )


@freeze_time(NOW)
def test_a_repeat_complaint_adds_adjustments_to_those_already_recorded(run: Run) -> None:
    first = log_case(run, "--adjustment", "large-print")

    second = log_case(run, "--adjustment", "bsl", at="2026-09-01T10:00")

    assert ["bsl", "large-print"] == show(run, second)["consumer"]["adjustments"]
    assert ["bsl", "large-print"] == show(run, first)["consumer"]["adjustments"]


@freeze_time(NOW)
def test_a_need_given_twice_in_two_spellings_is_recorded_once(run: Run, store_url: str) -> None:
    ref = log_case(run, "--adjustment", "bsl", "--adjustment", "BSL")
    assert ["bsl"] == show(run, ref)["consumer"]["adjustments"]
    before = dump_store(store_url)

    # A need they have already, however written: an update that changes nothing.
    again = run("consumer", "update", "--email", "ann@example.com", "--adjustment", "Bsl")

    assert (2, True) == (again.exit_code, "Error: nothing changes" in again.stderr), again.stderr
    assert before == dump_store(store_url)


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("held", "dropped", "added"),
    [("BSL", "BSL", "bsl"), ("bsl", "BSL", "BSL"), ("large-print", "Large Print", "Large Print")],
)
def test_a_need_respelt_by_dropping_and_adding_it_at_once_is_kept_as_respelt(
    run: Run, held: str, dropped: str, added: str
) -> None:
    ref = log_case(run, "--adjustment", held)

    ok(run, "consumer", "update", "--email", "ann@example.com",
       "--drop-adjustment", dropped, "--adjustment", added)  # fmt: skip

    assert [added] == show(run, ref)["consumer"]["adjustments"]


@freeze_time(LATER)
def test_a_refusal_names_the_review_date_as_it_falls_in_london(run: Run) -> None:
    log_case(run)
    # Decided Thu 1 Oct 2026 00:30 BST (Wed 30 Sep 23:30 UTC): reviewed Thu 1 Apr 2027 00:30
    # BST, which is still Wed 31 Mar in UTC. The organisation's date is 1 April.
    restriction = restrict(
        run, "--scope", "procedure", "--reason", "Abusive calls", at="2026-10-01T00:30"
    )
    assert "2027-04-01T00:30:00+01:00" == restriction["review_due"]

    result = run(*log_args(at="2026-10-02T10:00"))

    assert 7 == result.exit_code
    restricted = "no new formal complaints; review due Thu 2027-04-01 00:30 BST"
    assert f"restriction 1 ({restricted})" in error_line(result)


@freeze_time(LATER)
def test_a_consumer_without_email_is_restricted_and_updated_by_the_id_show_json_gives(
    run: Run,
) -> None:
    by_post = {"email": "", "address": "1 High St, Leeds", "consumer": "Bob Post"}
    ref = log_case(run, **by_post)
    consumer_id = str(show(run, ref)["consumer"]["id"])

    ok(
        run, "--as", "sam.senior", "restrict", "add", "--consumer-id", consumer_id,
        "--scope", "procedure", "--reason", "Abusive letters", "--at", RESTRICTED,
    )  # fmt: skip
    ok(run, "consumer", "update", "--consumer-id", consumer_id, "--prefers", "post")
    refused = run("--as", "officer.one", *log_args("2026-10-01T10:00", **by_post))
    unknown = run("consumer", "update", "--consumer-id", "999", "--prefers", "post")

    assert ("procedure", "post") == (
        show(run, ref)["consumer"]["restrictions"][0]["scope"],
        show(run, ref)["consumer"]["preferred_contact"],
    )
    assert (7, 4) == (refused.exit_code, unknown.exit_code)
    assert error_line(refused).startswith("Error: Bob Post is restricted: restriction 1")


@freeze_time(NOW)
def test_an_erased_consumer_is_neither_restricted_nor_updated_and_nothing_is_written(
    run: Run,
) -> None:
    log_case(run, "--resolved-informally", "Explained on the phone")
    ok(run, "--as", "sam.senior", "consumer", "erase", "--consumer-id", "1", "--reason", "Asked")
    before = ok(run, "consumer", "show", "--consumer-id", "1", "--json").stdout

    restricted = run(
        "--as", "sam.senior", "restrict", "add", "--consumer-id", "1", "--scope", "procedure",
        "--reason", "Abusive letters",
    )  # fmt: skip
    updated = run("consumer", "update", "--consumer-id", "1", "--adjustment", "bsl")

    removed = (
        "Error: consumer 1's personal data was removed (Tue 2026-12-15 12:00 GMT): nothing "
        "more may be recorded on them"
    )
    assert [(5, removed), (5, removed)] == [
        (result.exit_code, error_line(result)) for result in (restricted, updated)
    ]
    assert before == ok(run, "consumer", "show", "--consumer-id", "1", "--json").stdout
    assert [] == restrictions(run, "--all")


# -- consumer show -------------------------------------------------------------------------


@pytest.fixture
def ann_with_history(run: Run) -> tuple[str, str]:
    """Ann's two cases (the first acknowledged and closed as withdrawn), an incident, a
    restriction lifted and one in force: (first ref, second ref)."""
    first = log_case(run, at="2026-08-03T10:00")
    journey.ack(run, first, at="2026-08-03T11:00")
    journey.step(run, "2026-08-04T10:00", "--as", "officer.one", "incident", first,
                 "--note", "Shouted \u202eat officer")  # fmt: skip
    journey.step(run, "2026-08-05T10:00", "--as", "officer.one", "close", first,
                 "--reason", "withdrawn")  # fmt: skip
    second = log_case(run, at="2026-08-10T10:00", address="1 High St\nLeeds")
    ok(run, "consumer", "update", "--email", "ann@example.com", "--prefers", "post",
       "--adjustment", "large-print", "--at", "2026-08-11T10:00")  # fmt: skip
    lifted = restrict(run, "--scope", "procedure", "--reason", "Abuse", at="2026-08-12T10:00")
    ok(run, "--as", "sam.senior", "restrict", "lift", str(lifted["id"]), "--reason", "Calmer",
       "--at", "2026-08-13T10:00")  # fmt: skip
    restrict(run, "--scope", "contact", "--channel", "post", "--reason", "Calm",
             at="2026-08-14T10:00")  # fmt: skip
    return first, second


@freeze_time(NOW)
def test_consumer_show_gives_the_person_and_every_case_newest_first_as_plain_lines(
    run: Run, ann_with_history: tuple[str, str]
) -> None:
    first, second = ann_with_history

    result = ok(run, "consumer", "show", "--email", "ann@example.com")

    assert [
        "Consumer\tAnn Smith (id 1)",
        "Email\tann@example.com",
        "Address\t1 High St Leeds",
        "Prefers\tpost",
        "Adjustments\tlarge-print",
        "Was restricted\trestriction 1 (no new formal complaints; "
        "review due Fri 2027-02-12 10:00 GMT); "
        "lifted Thu 2026-08-13 10:00 BST by sam.senior: Calmer",
        "Restricted\trestriction 2 (contact only by post; review due Sun 2027-02-14 10:00 GMT)",
        f"Incident\tTue 2026-08-04 10:00 BST Shouted <U+202E>at officer (officer.one, {first})",
        f"Case\t{second}\t2026-08-10T10:00:00+01:00\treceived\t-",
        f"Case\t{first}\t2026-08-03T10:00:00+01:00\tclosed\tclosed: withdrawn",
    ] == result.stdout.splitlines()


@freeze_time(NOW)
def test_consumer_show_at_a_terminal_is_a_table_of_the_person_and_their_cases(
    run: Run, ann_with_history: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    first, second = ann_with_history
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("NO_COLOR", "1")

    shown = ok(run, "consumer", "show", "--consumer-id", "1").stdout

    for words in ("Ann Smith (id 1)", "Was restricted", "Shouted <U+202E>at officer",
                  "Cases (2), most recent first", "closed: withdrawn"):  # fmt: skip
        assert words in shown
    cases = shown[shown.index("Cases (2)") :]
    assert cases.index(second) < cases.index(first)


@freeze_time(NOW)
def test_consumer_show_json_has_the_consumer_shape_with_restrictions_and_cases(
    run: Run, ann_with_history: tuple[str, str]
) -> None:
    first, second = ann_with_history

    shown = json.loads(ok(run, "consumer", "show", "--consumer-id", "1", "--json").stdout)

    assert {
        "schema_version": 2,
        "id": 1,
        "name": "Ann Smith",
        "email": "ann@example.com",
        "address": "1 High St\nLeeds",
        "preferred_contact": "post",
        "adjustments": ["large-print"],
    } == {key: shown[key] for key in (
        "schema_version", "id", "name", "email", "address", "preferred_contact", "adjustments"
    )}  # fmt: skip
    assert [(1, "Calmer"), (2, None)] == [
        (r["id"], r["lift_reason"]) for r in shown["restrictions"]
    ]
    assert [
        {"ref": first, "note": "Shouted \u202eat officer", "by": "officer.one",
         "at": "2026-08-04T10:00:00+01:00"}
    ] == shown["incidents"]  # fmt: skip
    assert [
        {"ref": second, "version": 0, "stage": "received",
         "received_at": "2026-08-10T10:00:00+01:00", "close_reason": None,
         "close_because": None, "first_decision": None, "final_decision": None,
         "assessor_outcome": None},
        {"ref": first, "version": 2, "stage": "closed",
         "received_at": "2026-08-03T10:00:00+01:00", "close_reason": "withdrawn",
         "close_because": None, "first_decision": None, "final_decision": None,
         "assessor_outcome": None},
    ] == shown["cases"]  # fmt: skip


@freeze_time(NOW)
def test_consumer_show_of_an_unknown_consumer_is_not_found(run: Run) -> None:
    result = run("consumer", "show", "--email", "nobody@example.com")

    assert 4 == result.exit_code
    assert "Error: no consumer with email nobody@example.com" == error_line(result)


@freeze_time(NOW)
def test_consumer_show_names_one_consumer_by_email_or_by_id(run: Run) -> None:
    result = run("consumer", "show")

    assert 2 == result.exit_code
    assert "Error: name the consumer by --email or by --consumer-id (one of them)" == error_line(
        result
    )


def test_removing_staff_who_still_hold_work_warns_on_stderr_naming_how_to_hand_it_on(
    run: Run,
) -> None:
    ref = journey.log_case(run, at="2026-12-01T10:00")
    journey.ack(run, ref, at="2026-12-01T11:00")
    journey.assign(run, ref, at="2026-12-01T12:00")
    with freeze_time(NOW):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--within", "1d", "--kind", "remedy")  # fmt: skip
        restrict(run, "--scope", "contact", "--via", "rita.responder", "--reason", "Calls",
                 at="2026-12-01T13:00")  # fmt: skip
        plain = ok(run, "--as", "sam.senior", "staff", "remove", "rita.responder")
        ok(run, "--as", "sam.senior", "staff", "reactivate", "rita.responder")
        as_json = ok(run, "--as", "sam.senior", "staff", "remove", "rita.responder", "--json")

    warnings = (
        f"Warning: rita.responder is the responder of 1 open case at the first stage ({ref}): "
        "hand each on with `complaintctl assign REF --to USERNAME`\n"
        f"Warning: rita.responder owns 1 open action (1 on {ref}): hand each on with "
        "`complaintctl action reassign ID --to USERNAME --reason TEXT`\n"
        "Warning: rita.responder is the officer a consumer must contact through under 1 "
        "restriction in force (restriction 1): lift each with `complaintctl restrict lift ID "
        "--reason TEXT` and name someone else with `complaintctl restrict add … --scope "
        "contact --via USERNAME`\n"
    )
    assert (warnings, "Removed rita.responder (Rita Responder, officer in Casework)\n") == (
        plain.stderr, plain.stdout,
    )  # fmt: skip
    assert (warnings, False) == (as_json.stderr, json.loads(as_json.stdout)["active"])
    assert "warnings" not in json.loads(as_json.stdout)


def test_staff_and_restriction_lists_with_nothing_to_list_say_so_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")
    fresh = str(tmp_path / "fresh.sqlite3")
    assert 0 == run("--db", fresh, "db", "init").exit_code

    said = {
        args: (result.exit_code, result.stdout, result.stderr.splitlines()[-1:])
        for args in (
            ("restrict", "list"),
            ("restrict", "list", "--all"),
            ("--db", fresh, "staff", "list"),
            ("--db", fresh, "staff", "list", "--all"),
        )
        for result in [run(*args)]
    }

    assert {
        ("restrict", "list"): (0, "", ["No restriction is in force."]),
        ("restrict", "list", "--all"): (0, "", ["No restriction has been decided."]),
        ("--db", fresh, "staff", "list"): (0, "", ["No member of staff is active."]),
        ("--db", fresh, "staff", "list", "--all"): (0, "", ["No member of staff has been added."]),
    } == said
    # A pipe gets no lines at all, and --json an empty list.
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: False)
    assert ("", "[]\n") == (
        run("restrict", "list").stdout,
        run("restrict", "list", "--json").stdout,
    )


@freeze_time(NOW)
def test_a_restrictions_reason_of_several_lines_is_one_line_in_the_table_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    log_case(run)
    restrict(run, "--scope", "procedure", "--reason", "Abusive\ncalls")
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)

    table = ok(run, "restrict", "list").stdout

    # As an action's what is: a row (or a record's block) on lines of its own, never a reason
    # running on under the row as if it were one.
    assert "Abusive calls" in table
    assert not any(line.strip() == "calls" for line in table.splitlines())
