"""The review's guards end to end: each refusal exits with its code, says one `Error: …` line on
stderr, shows no traceback and writes nothing; and the fixes that let things through do so.

Every command runs through the real command line (CliRunner) on a seeded store (tests/conftest.py
TEAM; officer.one acts unless --as says otherwise). "Now" is frozen at Tue 15 Dec 2026 12:00 GMT
(London wall time is UTC) and steps carry an explicit --at in the past. "Nothing written" is
checked through `show --json` and `history --json` of the case, and a dump of the whole store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import Result

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok
from tests.conftest import dump_store

NOW = "2026-12-15 12:00:00"  # Tue, GMT

# The journey, Mon 30 Nov to Mon 7 Dec 2026 (GMT: London wall time is UTC).
LOGGED = "2026-11-30T10:00"  # ack due Thu 3 Dec 10:00
ACKED = "2026-12-01T10:00"  # respond due Fri 4 Dec 10:00
ASSIGNED = "2026-12-01T11:00"
RESPONDED = "2026-12-03T10:00"
ESCALATED = "2026-12-07T10:00"  # final due Thu 7 Jan 2027 17:00
REF = "SC-2026-000001"

OUTSIDE_YEARS = "is outside the years complaintctl works with (2000–2099)"
TOO_FAR_AHEAD = "is more than 10 years ahead"


class Clock:
    """The frozen "now"; a test that starts real processes lets it go first."""

    def __init__(self) -> None:
        self._freezer: Any = freeze_time(NOW)
        self._freezer.start()
        self.frozen = True

    def release(self) -> None:
        if self.frozen:
            self._freezer.stop()
            self.frozen = False


@pytest.fixture(autouse=True)
def clock() -> Iterator[Clock]:
    frozen = Clock()
    yield frozen
    frozen.release()


# -- helpers -------------------------------------------------------------------------------


def log_args(at: str = LOGGED, **options: str) -> list[str]:
    return journey.log_args(at, **options)


def log_case(run: Run, *extra: str, at: str = LOGGED, **options: str) -> str:
    """`complaintctl log` with sensible defaults; returns the new reference."""
    return journey.log_case(run, *extra, at=at, **options)


def to_first_stage(run: Run) -> str:
    ref = log_case(run)
    journey.ack(run, ref, at=ACKED)
    return ref


def to_assigned(run: Run) -> str:
    ref = to_first_stage(run)
    journey.assign(run, ref, at=ASSIGNED)
    return ref


def to_responded(run: Run) -> str:
    ref = to_assigned(run)
    journey.respond(run, ref, at=RESPONDED)
    return ref


def to_second_stage(run: Run) -> str:
    ref = to_responded(run)
    journey.escalate(run, ref, at=ESCALATED)
    return ref


def show(run: Run, ref: str = REF) -> dict[str, Any]:
    return journey.show(run, ref)


def recorded(deadlines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What is stored of each deadline, without the lateness judged as of now."""
    fields = ("kind", "start", "due", "rule", "met_at", "ended_at", "outcome", "breached")
    return [tuple(d[f] for f in fields) for d in deadlines]


def history(run: Run, ref: str = REF) -> list[dict[str, Any]]:
    return journey.history(run, ref)


def snapshot(run: Run, store_url: str, ref: str | None = REF) -> tuple[Any, ...]:
    """What a refusal must leave as it was: the case's show and history, and the whole store."""
    views = (
        (ok(run, "show", ref, "--json").stdout, ok(run, "history", ref, "--json").stdout)
        if ref
        else ()
    )
    return (*views, dump_store(store_url))


def assert_refused(result: Result, exit_code: int, message: str) -> None:
    """The exit code, one `Error: …` line on stderr naming `message`, no traceback, no output."""
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stdout + result.stderr
    assert (exit_code, 1, "") == (result.exit_code, len(lines), result.stdout), result.stderr
    assert (True, True) == (lines[0].startswith("Error: "), message in lines[0]), lines[0]


def refused_and_nothing_written(
    run: Run,
    store_url: str,
    args: list[str],
    exit_code: int,
    message: str,
    ref: str | None = REF,
    *,
    typed_at: str | None = None,
) -> None:
    """`args` refused, writing nothing; typed at `typed_at` where given (else now)."""
    before = snapshot(run, store_url, ref)
    if typed_at is None:
        result = run(*args)
    else:
        with journey.recorded_at(typed_at):
            result = run(*args)
    assert_refused(result, exit_code, message)
    assert before == snapshot(run, store_url, ref)


def extend(run: Run, ref: str, until: str, at: str, by: str = "lee.leader") -> None:
    """An extension agreed and recorded at `at`."""
    journey.step(run, at, "--as", by, "extend", ref, "--until", until, "--reason", "Agreed")


# -- 1. extend: before a breach, and to a later date ---------------------------------------


def extend_args(ref: str, until: str, at: str, by: str = "lee.leader") -> list[str]:
    return ["--as", by, "extend", ref, "--until", until, "--reason", "Agreed", "--at", at]


def test_extending_after_the_response_deadline_has_passed_exits_5_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    ref = to_first_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        extend_args(ref, "2026-12-18T17:00", "2026-12-04T10:01"),
        5,
        f"Error: the respond deadline of {ref} passed at Fri 2026-12-04 10:00 GMT",
        typed_at="2026-12-04T10:01",
    )


@pytest.mark.parametrize("until", ["2026-12-04T10:00", "2026-12-03T17:00"])
def test_an_extension_until_no_later_than_the_current_due_exits_2_and_writes_nothing(
    run: Run, store_url: str, until: str
) -> None:
    ref = to_first_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        extend_args(ref, until, "2026-12-02T10:00"),
        2,
        "Error: --until must be later than the current respond deadline (Fri 2026-12-04 10:00 GMT)",
        typed_at="2026-12-02T10:00",
    )


# -- 2. a calendar change is judged at the command's now -----------------------------------


def test_a_closure_dated_in_the_past_leaves_a_deadline_breached_now_and_records_at_now(
    run: Run,
) -> None:
    # Thu 10 Dec 11:00: Thu 6h, Fri 14h, Mon 22h, due Tue 15 Dec 11:00: breached by noon.
    breached = log_case(run, at="2026-12-10T11:00")
    before = show(run, breached)
    # Mon 14 Dec 10:00: due Thu 17 Dec 10:00; with Tue 15 Dec closed, Fri 18 Dec 10:00.
    running = log_case(run, at="2026-12-14T10:00", email="bob@example.com", consumer="Bob Li")

    # Dated before the breach: judged at --at, the breached deadline would move too.
    result = run(
        "--as", "sam.senior", "calendar", "close", "2026-12-15", "--reason", "Office move",
        "--at", "2026-12-14T12:00", "--retroactive", "the office was shut that day",
    )  # fmt: skip

    assert (
        0,
        f"{running}\tacknowledge\t2026-12-17T10:00:00+00:00\t2026-12-18T10:00:00+00:00\n",
    ) == (
        result.exit_code,
        result.stdout,
    ), result.stderr
    after = show(run, breached)
    # Its lateness in working time shrinks (the closed day has no working time); what is
    # recorded does not change.
    assert (recorded(before["deadlines"]), ["log"]) == (
        recorded(after["deadlines"]),
        [event["action"] for event in after["history"]],
    )
    assert ("2026-12-15T11:00:00+00:00", True) == (
        after["deadlines"][0]["due"],
        after["deadlines"][0]["breached"],
    )
    recompute = history(run, running)[-1]
    assert ("deadline-recomputed", "2026-12-15T12:00:00+00:00", "2026-12-15T12:00:00+00:00") == (
        recompute["action"],
        recompute["at"],
        recompute["recorded_at"],
    )


# -- 3. dates are bounded ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        log_args(at="1999-12-31T23:59"),
        log_args(at="2100-01-01T00:00"),
        log_args(about="1999-12-31"),
        log_args(about="0001-01-01"),
        ["show", REF, "--as-of", "1999-12-31T12:00"],
        ["show", REF, "--as-of", "9999-12-31T23:59-12:00"],
        ["queue", "--as-of", "2100-01-01T00:00"],
        ["overdue", "--as-of", "0001-01-01T00:00"],
        extend_args(REF, "2100-01-01T17:00", "2026-12-02T10:00"),
        extend_args(REF, "9999-12-31T17:00", "2026-12-02T10:00"),
        ["calendar", "close", "1999-12-31", "--reason", "Office move"],
        ["calendar", "close", "2100-01-04", "--reason", "Office move"],
    ],
    ids=lambda args: " ".join(args[-4:]),
)
def test_a_date_outside_2000_to_2099_exits_2_and_writes_nothing(
    run: Run, store_url: str, args: list[str]
) -> None:
    to_first_stage(run)
    refused_and_nothing_written(run, store_url, args, 2, OUTSIDE_YEARS)


@pytest.mark.parametrize(
    "args",
    [
        ["show", REF, "--as-of", "2037-01-01T00:00"],
        ["overdue", "--as-of", "2099-12-31T00:00"],
        extend_args(REF, "2037-01-01T17:00", "2026-12-02T10:00"),
        [
            "--as",
            "sam.senior",
            "restrict",
            "add",
            "--email",
            "ann@example.com",
            "--scope",
            "procedure",
            "--reason",
            "Abusive calls",
            "--review",
            "2037-01-01T00:00",
            "--at",
            "2026-12-02T10:00",
        ],
    ],
    ids=["show --as-of", "overdue --as-of", "extend --until", "restrict add --review"],
)
def test_an_instant_more_than_10_years_after_now_exits_2_and_writes_nothing(
    run: Run, store_url: str, args: list[str]
) -> None:
    to_first_stage(run)
    refused_and_nothing_written(run, store_url, args, 2, TOO_FAR_AHEAD)


def test_an_instant_ahead_typed_with_a_long_fraction_is_cut_in_its_refusal(
    run: Run, store_url: str
) -> None:
    # ISO 8601 reads a fraction of any length: the whole of it was said back, one line of
    # thousands of characters.
    to_first_stage(run)
    typed = "2037-01-01T10:00:00." + "0" * 3000
    refused_and_nothing_written(
        run,
        store_url,
        ["show", REF, "--as-of", typed],
        2,
        f"Error: {typed[:40]!r}… {TOO_FAR_AHEAD}",
    )


def test_a_next_restriction_review_more_than_10_years_after_now_exits_2(
    run: Run, store_url: str
) -> None:
    restriction = restricted(run)
    refused_and_nothing_written(
        run,
        store_url,
        review_args(restriction, next_review="2037-01-01T10:00"),
        2,
        TOO_FAR_AHEAD,
        ref=None,
    )


def test_an_agreed_date_just_under_10_years_ahead_is_accepted(run: Run) -> None:
    ref = to_first_stage(run)
    extend(run, ref, "2036-12-01T17:00", "2026-12-02T10:00")
    assert "2036-12-01T17:00:00+00:00" == show(run, ref)["deadlines"][-1]["due"]


# -- 4. the first member of staff ----------------------------------------------------------


def test_the_first_staff_member_of_a_new_store_must_be_senior_then_only_seniors_add_staff(
    run: Run, new_store: Callable[[str], str]
) -> None:
    store = new_store("new")

    def add(by: str, username: str, role: str) -> Result:
        name = username.title()
        return run(
            "--db", store, "--as", by, "staff", "add", username, "--name", name, "--role", role
        )

    def staff() -> list[str]:
        listed = json.loads(ok(run, "--db", store, "staff", "list", "--all", "--json").stdout)
        return [member["username"] for member in listed]

    assert_refused(
        add("whoever", "first", "officer"),
        2,
        "Error: the first member of staff must be a senior-leader or senior-complaint-executive",
    )
    # The refused command made no store either.
    assert 8 == run("--db", store, "staff", "list").exit_code
    ok(
        run,
        "--db",
        store,
        "--as",
        "whoever",
        "staff",
        "add",
        "first",
        "--name",
        "First",
        "--role",
        "senior-leader",
    )
    assert_refused(add("whoever", "second", "officer"), 6, "whoever is not staff in this store")
    ok(
        run,
        "--db",
        store,
        "--as",
        "first",
        "staff",
        "add",
        "olu",
        "--name",
        "Olu",
        "--role",
        "officer",
    )
    assert_refused(
        add("olu", "third", "officer"), 6, "olu (officer) may not add, change or remove staff"
    )
    assert ["first", "olu"] == staff()


def test_who_adds_the_first_member_with_a_control_character_is_refused_and_no_store_made(
    run: Run, new_store: Callable[[str], str]
) -> None:
    store = new_store("new")
    result = run(
        "--db", store, "--as", "evil\x1b[31m", "staff", "add", "first", "--name", "First",
        "--role", "senior-leader",
    )  # fmt: skip
    assert_refused(result, 2, "Error: --as ")
    assert "\x1b" not in result.stderr
    assert 8 == run("--db", store, "staff", "list").exit_code


# -- 5. the extend rule follows the stage; the final response is someone else's ------------


@pytest.mark.parametrize(
    ("by", "refusal"),
    [
        ("rita.responder", "rita.responder gave the first-stage response on "),
        ("lee.leader", "lee.leader ("),
    ],
)
def test_at_the_second_stage_the_first_stage_responder_and_area_leader_may_not_extend(
    run: Run, store_url: str, by: str, refusal: str
) -> None:
    ref = to_second_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        extend_args(ref, "2027-01-29T17:00", "2026-12-08T10:00", by=by),
        6,
        f"Error: {refusal}",
        typed_at="2026-12-08T10:00",
    )


def test_at_the_second_stage_the_handler_extends_the_final_response_deadline(run: Run) -> None:
    ref = to_second_stage(run)
    extend(run, ref, "2027-01-29T17:00", "2026-12-08T10:00", by="hana.handler")
    final = [d for d in show(run, ref)["deadlines"] if d["kind"] == "final"]
    assert ["2027-01-29T17:00:00+00:00"] == [d["due"] for d in final]


def test_the_first_stage_responder_giving_the_final_response_exits_6_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    ref = to_second_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        [
            "--as",
            "rita.responder",
            "final",
            ref,
            "--decision",
            "upheld",
            "--summary",
            "x",
            "--at",
            "2026-12-08T10:00",
        ],
        6,
        f"Error: rita.responder gave the first-stage response on {ref}",
    )


# -- 6. incidents at any stage -------------------------------------------------------------


def incident_args(ref: str, at: str, note: str = "Shouted at officer") -> list[str]:
    return ["--as", "officer.two", "incident", ref, "--note", note, "--at", at]


@pytest.mark.parametrize(
    ("journey", "at", "stage"),
    [
        (to_first_stage, "2026-12-02T10:00", "first-stage"),
        (to_second_stage, "2026-12-08T10:00", "second-stage"),
    ],
)
def test_an_incident_is_recorded_on_an_acknowledged_or_escalated_case(
    run: Run, journey: Any, at: str, stage: str
) -> None:
    ref = journey(run)
    result = ok(run, *incident_args(ref, at))
    case = show(run, ref)
    assert (f"Recorded an incident on {ref}\n", stage) == (result.stdout, case["stage"])
    assert [(ref, "Shouted at officer", "officer.two")] == [
        (i["ref"], i["note"], i["by"]) for i in case["consumer"]["incidents"]
    ]
    assert "incident" == history(run, ref)[-1]["action"]


def test_an_incident_before_the_case_was_received_exits_2_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    ref = to_first_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        incident_args(ref, "2026-11-30T09:59"),
        2,
        f"Error: --at is before {ref} was received (Mon 2026-11-30 10:00 GMT)",
    )


# -- 7. ack --area names an area staff work in ---------------------------------------------


def test_an_area_typed_in_any_case_is_routed_as_staff_spell_it(run: Run) -> None:
    ref = log_case(run)
    result = journey.step(run, ACKED, "ack", ref, "--area", "casework")
    assert (True, "Casework") == (
        result.stdout.startswith(f"Acknowledged {ref}, routed to Casework: met on time"),
        show(run, ref)["area"],
    )
    assert "Casework" == history(run, ref)[-1]["details"]["area"]


@pytest.mark.parametrize("typed", ["énergie", "ÉNERGIE"])
def test_an_area_with_accented_letters_lists_its_cases_typed_in_any_case(
    run: Run, typed: str
) -> None:
    # SQLite's lower() folds only A-Z: the filter compared its "Énergie" with Python's
    # "énergie", and the queue of an area with an accented capital was always empty.
    ok(run, "--as", "sam.senior", "staff", "add", "emile", "--name", "Émile", "--role",
       "officer", "--area", "Énergie")  # fmt: skip
    ref = log_case(run)
    journey.step(run, ACKED, "ack", ref, "--area", typed)

    listed = json.loads(ok(run, "queue", "--area", typed, "--json").stdout)
    assert ("Énergie", [ref]) == (show(run, ref)["area"], [case["ref"] for case in listed])


@pytest.mark.parametrize("typed", ["énergie", "ÉNERGIE"])
def test_an_area_only_cases_are_routed_to_lists_them_typed_in_any_case(
    run: Run, typed: str
) -> None:
    # Nobody works in Énergie since Émile moved: the cases routed there are found by the
    # area's spellings as they hold them, not by SQLite's lower(), which folds only A-Z.
    ok(run, "--as", "sam.senior", "staff", "add", "emile", "--name", "Émile", "--role",
       "officer", "--area", "Énergie")  # fmt: skip
    ref = log_case(run)
    journey.step(run, ACKED, "ack", ref, "--area", "Énergie")
    ok(run, "--as", "sam.senior", "staff", "role", "emile", "--role", "officer", "--area",
       "Casework")  # fmt: skip

    listed = json.loads(ok(run, "queue", "--area", typed, "--json").stdout)
    exported = ok(run, "export", "--area", typed, "--format", "jsonl").stdout.splitlines()
    assert ([ref], [ref]) == (
        [case["ref"] for case in listed], [json.loads(line)["ref"] for line in exported],
    )  # fmt: skip


def test_an_unknown_area_exits_2_naming_the_known_areas_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    ref = log_case(run)
    refused_and_nothing_written(
        run,
        store_url,
        ["ack", ref, "--area", "Housing", "--at", ACKED],
        2,
        "Error: no staff work in 'Housing'; the areas are Casework, Energy",
    )


def test_acknowledging_twice_with_an_unknown_area_still_exits_5_naming_the_stage(
    run: Run, store_url: str
) -> None:
    ref = to_first_stage(run)
    refused_and_nothing_written(
        run,
        store_url,
        ["ack", ref, "--area", "Housing", "--at", "2026-12-02T10:00"],
        5,
        f"Error: cannot acknowledge {ref}: it is at stage first-stage",
    )


# -- 8. out of time: accepted only with a reason -------------------------------------------


def test_an_out_of_time_case_acknowledged_without_a_reason_exits_2_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    ref = log_case(run, about="2026-05-01")
    assert True is show(run, ref)["out_of_time"]
    refused_and_nothing_written(
        run,
        store_url,
        ["ack", ref, "--area", "Casework", "--at", ACKED],
        2,
        "--out-of-time-reason",
    )


def test_an_out_of_time_case_acknowledged_with_a_reason_records_it_in_the_history(
    run: Run,
) -> None:
    ref = log_case(run, about="2026-05-01")
    reason = "Consumer was in hospital"
    ok(run, "ack", ref, "--area", "Casework", "--out-of-time-reason", reason, "--at", ACKED)
    ack = history(run, ref)[-1]
    assert ("acknowledge", reason) == (ack["action"], ack["details"]["out_of_time_accepted"])


def test_an_out_of_time_reason_for_a_case_in_time_is_refused_writing_nothing(
    run: Run, store_url: str
) -> None:
    """As a late reason for a referral in time: kept, it would record the case as accepted out
    of time when it was not."""
    ref = log_case(run)
    assert False is show(run, ref)["out_of_time"]
    refused_and_nothing_written(
        run,
        store_url,
        ["ack", ref, "--area", "Casework", "--out-of-time-reason", "In hospital", "--at", ACKED],
        2,
        f"Error: {ref} is not out of time: --out-of-time-reason is for a complaint about an "
        "issue more than 6 months before it was received; leave it out",
    )


# -- 9. restriction reviews ----------------------------------------------------------------


def restricted(run: Run) -> int:
    """Ann is restricted to contact by post, decided Tue 1 Dec 2026 12:00 (review 1 Jun 2027)."""
    log_case(run)
    ok(
        run,
        "--as",
        "sam.senior",
        "restrict",
        "add",
        "--email",
        "ann@example.com",
        "--scope",
        "contact",
        "--channel",
        "post",
        "--reason",
        "Abusive calls",
        "--at",
        "2026-12-01T12:00",
    )
    restriction_id: int = restrictions(run)[0]["id"]
    return restriction_id


def restrictions(run: Run) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(run, "restrict", "list", "--all", "--json").stdout)
    return rows


def review_args(
    restriction: int | str,
    *,
    by: str = "sam.senior",
    next_review: str = "2027-01-15T10:00",
    at: str = "2026-12-10T10:00",
) -> list[str]:
    return [
        "--as",
        by,
        "restrict",
        "review",
        str(restriction),
        "--next",
        next_review,
        "--reason",
        "Still needed",
        "--at",
        at,
    ]


def reviews_overdue(run: Run, as_of: str) -> list[tuple[int, str]]:
    items = json.loads(
        ok(run, "overdue", "--kind", "restriction-review", "--json", "--as-of", as_of).stdout
    )
    return [(item["restriction_id"], item["due"]) for item in items]


def test_a_review_sets_the_next_review_shown_in_restrict_list(run: Run) -> None:
    restriction = restricted(run)
    assert "2027-06-01T12:00:00+01:00" == restrictions(run)[0]["review_due"]
    ok(run, *review_args(restriction))
    assert [(restriction, "2027-01-15T10:00:00+00:00", None)] == [
        (r["id"], r["review_due"], r["lifted_at"]) for r in restrictions(run)
    ]


def test_a_restriction_or_review_dated_back_past_its_review_date_says_it_is_overdue(
    run: Run,
) -> None:
    restriction = restricted(run)  # now is Tue 15 Dec 2026 12:00
    reviewed = ok(run, *review_args(restriction, next_review="2026-12-11T10:00"))
    assert reviewed.stdout.rstrip().endswith("review due Fri 2026-12-11 10:00 GMT) (overdue)")
    added = ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
               "--scope", "procedure", "--reason", "Abusive calls", "--review",
               "2026-12-14", "--at", "2026-12-02T10:00")  # fmt: skip
    assert added.stdout.rstrip().endswith("(overdue)")
    kept = ok(run, *review_args(restriction, next_review="2027-01-15T10:00",
                                at="2026-12-12T10:00"))  # fmt: skip
    assert "overdue" not in kept.stdout


def test_a_reviewed_restriction_is_overdue_only_after_its_next_review(run: Run) -> None:
    restriction = restricted(run)
    ok(run, *review_args(restriction))
    new_due = "2027-01-15T10:00:00+00:00"
    assert (
        [],
        [(restriction, new_due)],
        # The first review's clock stopped: after its old due there is still one item.
        [(restriction, new_due)],
    ) == (
        reviews_overdue(run, "2027-01-15T10:00"),
        reviews_overdue(run, "2027-01-15T10:01"),
        reviews_overdue(run, "2027-06-02T12:00"),
    )


def test_an_officer_reviewing_a_restriction_exits_6_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    restriction = restricted(run)
    refused_and_nothing_written(
        run,
        store_url,
        review_args(restriction, by="officer.one"),
        6,
        "Error: officer.one (officer) may not restrict a consumer or lift a restriction",
    )


def test_reviewing_a_lifted_restriction_exits_5_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    restriction = restricted(run)
    ok(
        run,
        "--as",
        "sam.senior",
        "restrict",
        "lift",
        str(restriction),
        "--reason",
        "Better",
        "--at",
        "2026-12-05T10:00",
    )
    refused_and_nothing_written(
        run,
        store_url,
        review_args(restriction),
        5,
        f"Error: restriction {restriction} was lifted; there is nothing to review",
    )


@pytest.mark.parametrize("next_review", ["2026-12-10T10:00", "2026-12-09T10:00"])
def test_a_next_review_not_after_the_review_exits_2_and_writes_nothing(
    run: Run, store_url: str, next_review: str
) -> None:
    restriction = restricted(run)
    refused_and_nothing_written(
        run,
        store_url,
        review_args(restriction, next_review=next_review),
        2,
        "Error: --next must be after the review",
    )


def test_reviewing_an_unknown_restriction_exits_4_and_writes_nothing(
    run: Run, store_url: str
) -> None:
    restricted(run)
    refused_and_nothing_written(run, store_url, review_args(99), 4, "Error: no restriction 99")


# -- 10. resolved informally at log --------------------------------------------------------


def test_a_complaint_resolved_informally_is_logged_already_closed(run: Run) -> None:
    result = ok(run, *log_args(), "--resolved-informally", "Explained on the phone")
    case = show(run, REF)
    assert (f"{REF}\n", f"Logged {REF}, closed: resolved-informally\n") == (
        result.stdout,
        result.stderr,
    )
    assert (
        "closed",
        "resolved-informally",
        [("acknowledge", "cancelled")],
        ["log", "close"],
        "Explained on the phone",
    ) == (
        case["stage"],
        case["close_reason"],
        [(d["kind"], d["outcome"]) for d in case["deadlines"]],
        [e["action"] for e in case["history"]],
        case["history"][-1]["details"]["note"],
    )


# -- 11. unknown staff named in an option --------------------------------------------------


@pytest.mark.parametrize(
    ("journey", "args"),
    [
        (to_first_stage, ["--as", "lee.leader", "assign", REF, "--to", "nobody", "--at", ASSIGNED]),
        (to_responded, ["escalate", REF, "--to", "nobody", "--at", ESCALATED]),
        (
            to_first_stage,
            [
                "--as",
                "sam.senior",
                "restrict",
                "add",
                "--email",
                "ann@example.com",
                "--scope",
                "contact",
                "--via",
                "nobody",
                "--reason",
                "Abusive calls",
                "--at",
                "2026-12-02T10:00",
            ],
        ),
    ],
    ids=["assign --to", "escalate --to", "restrict add --via"],
)
def test_unknown_staff_named_in_an_option_exits_4_and_writes_nothing(
    run: Run, store_url: str, journey: Any, args: list[str]
) -> None:
    journey(run)
    refused_and_nothing_written(
        run,
        store_url,
        args,
        4,
        "Error: no staff member 'nobody' (see `complaintctl staff list`)",
    )


# -- 12. goodwill amounts ------------------------------------------------------------------


def respond_args(ref: str, goodwill: str) -> list[str]:
    return [
        "--as",
        "rita.responder",
        "respond",
        ref,
        "--decision",
        "upheld",
        "--summary",
        "We were slow",
        "--goodwill",
        goodwill,
        "--at",
        "2026-12-02T10:00",
    ]


@pytest.mark.parametrize(
    "goodwill", ["1e30", "١٢", "1_000", "0", "100000.01", "49,99", "1,00", ",100", "1,000,00"]
)
def test_a_goodwill_amount_that_is_not_pounds_and_pence_up_to_100000_exits_2(
    run: Run, store_url: str, goodwill: str
) -> None:
    ref = to_assigned(run)
    refused_and_nothing_written(
        run, store_url, respond_args(ref, goodwill), 2, f"Error: --goodwill {goodwill!r} must be"
    )


@pytest.mark.parametrize(
    ("goodwill", "how"),
    [
        # A decimal comma, as much of Europe writes pence: £12.50 meant, said how to write it.
        ("12,50", "; for £12.50, write 12.50"),
        ("1,5", "; for £1.50, write 1.50"),
        ("1,2,3", ""),
        ("1,000,00", ""),
    ],
)
def test_a_comma_not_between_thousands_is_refused_saying_where_commas_and_pence_go(
    run: Run, store_url: str, goodwill: str, how: str
) -> None:
    # It was refused, but with only examples: 49.99 beside 1,250 did not say what was wrong.
    ref = to_assigned(run)
    refused_and_nothing_written(
        run,
        store_url,
        respond_args(ref, goodwill),
        2,
        f"Error: --goodwill {goodwill!r} must be a positive amount in pounds and pence, e.g. 50, "
        "49.99 or 1,250: a comma goes only between groups of three digits (1,250.50), and "
        f"pence after a point{how}",
    )


@pytest.mark.parametrize("goodwill", ["££12", "£ £12", "12£", "£12£"])
def test_a_goodwill_amount_with_a_pound_sign_twice_or_after_it_is_refused_saying_where_it_goes(
    run: Run, store_url: str, goodwill: str
) -> None:
    # "££12" was taken as £12: every leading sign was stripped, so a slip passed unnoticed.
    ref = to_assigned(run)
    refused_and_nothing_written(
        run,
        store_url,
        respond_args(ref, goodwill),
        2,
        f"Error: --goodwill {goodwill!r} must be a positive amount in pounds and pence, e.g. 50, "
        "49.99 or 1,250: write the £ once, before the amount, or not at all",
    )


def test_a_goodwill_amount_pasted_long_is_cut_in_its_refusal(run: Run, store_url: str) -> None:
    ref = to_assigned(run)
    refused_and_nothing_written(
        run,
        store_url,
        respond_args(ref, "9" * 5000),
        2,
        f"Error: --goodwill {'9' * 40!r}… must be more than £0 and at most £100,000",
    )


@pytest.mark.parametrize(
    ("goodwill", "pence"),
    [("100000", 10_000_000), ("£49.99", 4999), ("1,250", 125_000), ("£100,000.00", 10_000_000)],
)
def test_a_goodwill_amount_in_pounds_and_pence_is_accepted(
    run: Run, goodwill: str, pence: int
) -> None:
    ref = to_assigned(run)
    ok(run, *respond_args(ref, goodwill))
    # Whole pence in show, as in the history's details: exact, and one name for one fact.
    assert [(["goodwill-payment"], pence, pence)] == [
        (r["remedies"], r["goodwill_pence"], entry["details"]["goodwill_pence"])
        for r in show(run, ref)["responses"]
        for entry in show(run, ref)["history"]
        if entry["action"] == "respond"
    ]


# -- 13. the store named empty, and the lock timeout ---------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """An empty working folder, and the user data folder moved where a store would show."""
    cwd, data, home = tmp_path / "cwd", tmp_path / "data", tmp_path / "home"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("HOME", str(home))
    return [cwd, data, home]


def files_under(folders: list[Path]) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*")]


@pytest.mark.parametrize("db", ["", "   "])
def test_an_empty_db_option_exits_2_and_creates_no_file(
    run: Run, elsewhere: list[Path], db: str
) -> None:
    # An option given empty (README's exit 2), not a store that cannot be used (exit 8).
    assert_refused(run("--db", db, "staff", "list"), 2, "Error: --db (or COMPLAINTCTL_DB) is empty")
    assert [] == files_under(elsewhere)


def test_an_empty_complaintctl_db_exits_2_and_creates_no_file(
    run: Run, elsewhere: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_DB", "")
    assert_refused(run("staff", "list"), 2, "Error: --db (or COMPLAINTCTL_DB) is empty")
    assert [] == files_under(elsewhere)


@pytest.mark.parametrize("timeout", ["nan", "-1", "inf", "\u0665", "1_0"])
def test_a_lock_timeout_that_is_not_0_to_3600_seconds_is_a_usage_error_and_writes_nothing(
    run: Run, store_url: str, monkeypatch: pytest.MonkeyPatch, timeout: str
) -> None:
    before = dump_store(store_url)
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", timeout)
    assert_refused(
        run(*log_args()),
        2,
        "Error: COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, "
        f"not {timeout!r}",
    )
    assert before == dump_store(store_url)


def test_a_lock_timeout_pasted_long_is_cut_in_its_refusal(
    run: Run, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was said back whole, as no other value typed is.
    monkeypatch.setenv("COMPLAINTCTL_LOCK_TIMEOUT", "5" * 5000)
    assert_refused(
        run(*log_args()),
        2,
        "Error: COMPLAINTCTL_LOCK_TIMEOUT must be a number of seconds from 0 to 3600, "
        f"not {'5' * 40!r}…",
    )


# -- 14. bare complaintctl -----------------------------------------------------------------


def test_bare_complaintctl_prints_the_usage_to_stderr_and_exits_2(run: Run) -> None:
    result = run()
    assert (2, "", True, True) == (
        result.exit_code,
        result.stdout,
        result.stderr.startswith("Usage: "),
        "The procedure, step by step:" in result.stderr,
    )
    assert "Traceback" not in result.stderr


# -- 15. a consumer's name is shown as typed at a terminal ---------------------------------


@pytest.mark.parametrize("name", ["Ann [/]", "[bold]x", "[red]A[/] [x"])
@pytest.mark.parametrize(
    "command", [["show", REF], ["history", REF], ["queue"], ["overdue"], ["staff", "list"]]
)
def test_a_name_with_rich_markup_is_shown_literally_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch, name: str, command: list[str]
) -> None:
    monkeypatch.setattr("complaintctl.cli.render.Output.for_people", lambda self: True)
    monkeypatch.setenv("COLUMNS", "400")  # no line wrapping inside the name
    log_case(run, consumer=name)  # its acknowledgement is breached by now: listed in overdue
    ok(run, "--as", "sam.senior", "staff", "add", "marked.up", "--name", name, "--role", "officer")

    result = run(*command)

    assert (0, "") == (result.exit_code, result.stderr), result.stderr
    assert name in result.stdout, result.stdout


# -- 16. a reader that stops early ---------------------------------------------------------


def test_show_json_piped_into_head_ends_quietly(run: Run, clock: Clock) -> None:
    ref = to_first_stage(run)
    note = "Shouted at officer. " * 100  # 2,000 characters, twice in show --json per incident
    for minute in range(40):
        ok(run, *incident_args(ref, f"2026-12-02T10:{minute:02d}", note))
    assert len(ok(run, "show", ref, "--json").stdout) > 100_000  # beyond a pipe's buffer
    clock.release()  # a real process, on the real clock

    piped = subprocess.run(
        # The left side's status, which the pipe would otherwise hide, goes to stderr last.
        [
            "sh",
            "-c",
            '{ "$0" -m complaintctl show "$1" --json; echo "status=$?" >&2; } | head -c 10',
            sys.executable,
            ref,
        ],
        capture_output=True,
        timeout=120,
    )

    stderr = piped.stderr.decode(errors="replace")
    # Ended by SIGPIPE (141) as a Unix filter is, not exit 1 as an internal error.
    assert (b'{\n  "schem', False, False, True) == (
        piped.stdout,
        "Traceback" in stderr,
        "Error" in stderr,
        stderr.strip().splitlines()[-1] in ("status=0", "status=141"),
    ), stderr


# -- who takes complaints in ---------------------------------------------------------------


def test_a_leader_may_neither_log_nor_import_a_complaint_and_nothing_is_written(
    run: Run, store_url: str, tmp_path: Path
) -> None:
    # Customer Relations takes complaints in: officers and senior roles, as README says.
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "consumer,email,channel,category,summary,received_at\n"
        "Ann Smith,ann@example.com,email,delay,No reply,2026-11-30T10:00\n",
        encoding="utf-8",
    )
    log_args = ["--consumer", "Ann Smith", "--email", "ann@example.com", "--channel", "email"]
    log_args += ["--category", "delay", "--summary", "No reply", "--at", "2026-11-30T10:00"]
    for args in (["log", *log_args], ["import", str(rows)]):
        refused_and_nothing_written(
            run,
            store_url,
            ["--as", "lee.leader", *args],
            6,
            "Error: lee.leader (leader) may not log: only officer, senior-complaint-executive, "
            "senior-leader may",
            ref=None,
        )


# -- a name that looks like a member's ------------------------------------------------------


def test_a_look_alike_of_a_member_acting_or_named_is_refused_naming_the_letter(
    run: Run, store_url: str
) -> None:
    # "officer.one" with a Cyrillic o reads on a screen as the member's own name: the
    # refusal names the letter, so it is not read as saying officer.one is not staff.
    ref = to_first_stage(run)
    look_alike = "\u043efficer.one"
    said = "(it holds U+043E CYRILLIC SMALL LETTER O, which no username does"
    refused_and_nothing_written(
        run, store_url, ["--as", look_alike, "note", ref, "--text", "Called"], 6, said, ref
    )
    refused_and_nothing_written(
        run,
        store_url,
        ["--as", "lee.leader", "assign", ref, "--to", look_alike, "--at", "2026-12-01T11:00"],
        4,
        said,
        ref,
    )


# -- a step the stage does not allow, by who would hold it there ----------------------------


def test_the_first_stage_responder_extending_after_responding_exits_5_naming_the_stage(
    run: Run, store_url: str
) -> None:
    ref = to_responded(run)
    refused_and_nothing_written(
        run,
        store_url,
        extend_args(ref, "2027-01-29T17:00", RESPONDED, by="rita.responder"),
        5,
        f"Error: cannot extend {ref}: it is at stage responded",
        ref,
    )
