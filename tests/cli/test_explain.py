"""`complaintctl explain` end to end: MODEL.md's worked examples day by day, an extension, the
JSON, and its errors.

"Now" is frozen after the examples' dates (--at may not be in the future); each step is recorded
with an explicit --at in London wall-clock time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pytest
from freezegun import freeze_time

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens as ok

NOW = "2027-01-15 12:00:00"  # Friday; GMT, so London wall time is UTC.

CALENDAR = [
    "Calendar:  Europe/London; Mon 09:00-17:00; Tue 09:00-17:00; Wed 09:00-17:00; "
    "Thu 09:00-17:00; Fri 09:00-17:00; Sat closed; Sun closed",
    f"Holidays:  GB-ENG bank holidays (holidays {version('holidays')}), known 2021-2031 "
    "(2021-01-01 to 2031-12-31)",
]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def log_case(run: Run, at: str) -> str:
    return ok(
        run,
        "log",
        "--consumer",
        "Ann Smith",
        "--email",
        "ann@example.com",
        "--channel",
        "email",
        "--category",
        "delay",
        "--summary",
        "Nobody told me my dispute had been closed",
        "--at",
        at,
    ).stdout.strip()


def explain(run: Run, *args: str) -> list[str]:
    return ok(run, "explain", *args).stdout.splitlines()


# -- MODEL.md's worked examples ----------------------------------------------------------------


def test_christmas_skips_christmas_day_boxing_day_observed_and_the_weekend(run: Run) -> None:
    ref = log_case(run, "2026-12-24T16:00")

    assert [
        f"{ref} acknowledge",
        "Rule:      24 working hours after receipt",
        "Started:   Thu 2026-12-24 16:00 GMT (log by officer.one)",
        "Due:       Thu 2026-12-31 16:00 GMT",
        *CALENDAR,
        "",
        "Day by day, 24 working hours after receipt:",
        "  Thu 2026-12-24  counted  16:00-17:00  1h  total 1h   "
        "started 16:00: the 7h of opening hours before it not counted",
        "  Fri 2026-12-25  skipped                              bank holiday: Christmas Day",
        "  Sat 2026-12-26  skipped                              "
        "weekend (no opening hours on Saturdays); bank holiday: Boxing Day",
        "  Sun 2026-12-27  skipped                              "
        "weekend (no opening hours on Sundays)",
        "  Mon 2026-12-28  skipped                              "
        "bank holiday: Boxing Day (observed)",
        "  Tue 2026-12-29  counted  09:00-17:00  8h  total 9h",
        "  Wed 2026-12-30  counted  09:00-17:00  8h  total 17h",
        "  Thu 2026-12-31  counted  09:00-16:00  7h  total 24h  due 16:00: 24h reached",
        "The rule puts it at Thu 2026-12-31 16:00 GMT.",
        "",
        "As of Wed 2026-12-30 12:00 GMT: 12h working time used, 12h left "
        "(due Thu 2026-12-31 16:00 GMT)",
    ] == explain(run, ref, "--as-of", "2026-12-30T12:00")


def test_the_clocks_going_forward_do_not_move_the_1700_close(run: Run) -> None:
    ref = log_case(run, "2026-03-28T10:00")

    lines = explain(run, ref, "acknowledge", "--as-of", "2026-03-31T12:00")

    days = lines[lines.index("Day by day, 24 working hours after receipt:") + 1 :]
    assert [
        "  Sat 2026-03-28  skipped                              weekend (no opening hours on "
        "Saturdays); started 10:00 on a closed day: counting starts at the next opening",
        "  Sun 2026-03-29  skipped                              weekend (no opening hours on "
        "Sundays); the clocks go forward (GMT to BST): opening hours keep their wall-clock "
        "times, so no deadline moves by an hour",
        "  Mon 2026-03-30  counted  09:00-17:00  8h  total 8h",
        "  Tue 2026-03-31  counted  09:00-17:00  8h  total 16h",
        "  Wed 2026-04-01  counted  09:00-17:00  8h  total 24h  due 17:00: 24h reached",
        "The rule puts it at Wed 2026-04-01 17:00 BST.",
        "",
        "As of Tue 2026-03-31 12:00 BST: 11h working time used, 13h left "
        "(due Wed 2026-04-01 17:00 BST)",
    ] == days
    assert "Due:       Wed 2026-04-01 17:00 BST" in lines


def test_a_complaint_logged_at_the_friday_close_starts_counting_on_monday(run: Run) -> None:
    ref = log_case(run, "2026-11-27T17:00")

    lines = explain(run, ref)

    assert "Due:       Wed 2026-12-02 17:00 GMT" in lines
    assert (
        "  Fri 2026-11-27  skipped                              "
        "started 17:00, at or after the close (17:00): nothing counted that day"
    ) in lines
    assert "  Mon 2026-11-30  counted  09:00-17:00  8h  total 8h" in lines


def test_a_start_with_seconds_gives_days_that_add_up_to_the_total_shown(run: Run) -> None:
    # Logged at 11:59:30: 5h 0m 30s on the Tuesday, rounded up to 5h 1m; the Friday's 2h 59m
    # 30s then shows 2h 59m, as the running total moves (each rounded alone, 3h: a minute over).
    ref = log_case(run, "2026-12-01T11:59:30")

    lines = explain(run, ref)

    counted = [line.split("total")[0].split()[4:] for line in lines if " counted " in line]
    assert [["5h", "1m"], ["8h"], ["8h"], ["2h", "59m"]] == counted
    assert any("total 24h" in line for line in lines)


def test_a_start_with_seconds_gives_json_days_that_add_up_to_the_total(run: Run) -> None:
    # Logged at 16:59:59: one second on the Thursday (1m, rounded up), the Tuesday's 7h 59m 59s
    # then 7h 59m, as the text shows it; each rounded alone, the days came to 1441 of 1440.
    ref = log_case(run, "2026-11-26T16:59:59")

    data = json.loads(ok(run, "explain", ref, "--json").stdout)

    counted = [day["counted_minutes"] for day in data["days"] if day["kind"] == "counted"]
    assert [1, 480, 480, 479] == counted
    assert 1440 == data["days"][-1]["total_minutes"] == sum(counted)


# -- an extension, the clock stopped -------------------------------------------------------------


def test_an_extension_is_explained_after_the_rule_it_replaced(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-01T10:00")
    ok(
        run,
        "--as",
        "lee.leader",
        "assign",
        ref,
        "--to",
        "rita.responder",
        "--at",
        "2026-12-01T11:00",
    )
    ok(
        run,
        "--as",
        "rita.responder",
        "extend",
        ref,
        "--until",
        "2026-12-18T17:00",
        "--reason",
        "Waiting for the call recordings",
        "--at",
        "2026-12-02T15:00",
    )

    lines = explain(run, ref, "--as-of", "2026-12-10T12:00")

    assert [
        f"{ref} respond",
        "Rule:      24 working hours after acknowledgement",
        "Started:   Tue 2026-12-01 10:00 GMT (acknowledge by officer.one)",
        "Due:       Fri 2026-12-18 17:00 GMT (agreed with the consumer)",
    ] == lines[:4]
    assert "The rule puts it at Fri 2026-12-04 10:00 GMT." in lines
    assert [
        "Extended:  Wed 2026-12-02 15:00 GMT by rita.responder, agreed with the consumer: "
        "Waiting for the call recordings; due moved from Fri 2026-12-04 10:00 GMT to "
        "Fri 2026-12-18 17:00 GMT (a fixed agreed date, not counted in working time)",
        "",
        "As of Thu 2026-12-10 12:00 GMT: 58h working time used, 53h left "
        "(due Fri 2026-12-18 17:00 GMT)",
    ] == lines[-3:]


def test_an_extension_reason_of_several_lines_is_one_line_of_the_explanation(run: Run) -> None:
    # A line break in the reason could otherwise start a line that reads as explain's own.
    ref = log_case(run, "2026-12-01T10:00")
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-01T10:00")
    ok(run, "--as", "lee.leader", "assign", ref, "--to", "rita.responder",
       "--at", "2026-12-01T11:00")  # fmt: skip
    reason = "Agreed by phone\nAs of today: met on time"
    ok(run, "--as", "rita.responder", "extend", ref, "--until", "2026-12-18T17:00",
       "--reason", reason, "--at", "2026-12-02T15:00")  # fmt: skip

    lines = explain(run, ref, "--as-of", "2026-12-10T12:00")

    assert [
        "Extended:  Wed 2026-12-02 15:00 GMT by rita.responder, agreed with the consumer: "
        "Agreed by phone As of today: met on time; due moved from Fri 2026-12-04 10:00 GMT to "
        "Fri 2026-12-18 17:00 GMT (a fixed agreed date, not counted in working time)",
    ] == [line for line in lines if "Agreed by phone" in line]
    assert [lines[-1]] == [line for line in lines if line.startswith("As of")]


def test_a_clock_met_late_says_when_and_by_how_much(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")  # due Fri 4 Dec 10:00
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-07T11:00")

    lines = explain(run, ref, "acknowledge")

    assert (
        "As of Fri 2027-01-15 12:00 GMT: met at Mon 2026-12-07 11:00 GMT, late by 9h working, "
        "3d 1h calendar (due Fri 2026-12-04 10:00 GMT)"
    ) == lines[-1]


def test_a_running_clock_past_due_is_breached(run: Run) -> None:
    ref = log_case(run, "2026-12-24T16:00")

    assert (
        "As of Fri 2027-01-15 12:00 GMT: 100h working time used; breached, late by 76h working, "
        "14d 20h calendar (due Thu 2026-12-31 16:00 GMT)"
    ) == explain(run, ref)[-1]


def test_a_clock_breached_out_of_hours_is_never_late_by_0m(run: Run) -> None:
    # Due at Friday's close; as of Saturday no working time has gone by since, as show says.
    ref = log_case(run, "2026-12-01T17:00")  # due Fri 4 Dec 17:00

    lines = explain(run, ref, "acknowledge", "--as-of", "2026-12-05T12:00")

    assert (
        "As of Sat 2026-12-05 12:00 GMT: 24h working time used; breached, late by 19h calendar, "
        "out of hours (due Fri 2026-12-04 17:00 GMT)"
    ) == lines[-1]
    shown = ok(run, "show", ref, "--as-of", "2026-12-05T12:00").stdout
    assert "breached by 19h calendar, out of hours (due Fri 2026-12-04 17:00 GMT)" in shown


def test_a_clock_met_out_of_hours_after_its_due_is_never_late_by_0m(run: Run) -> None:
    ref = log_case(run, "2026-12-01T17:00")  # due Fri 4 Dec 17:00
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-05T12:00")

    lines = explain(run, ref, "acknowledge")

    assert (
        "As of Fri 2027-01-15 12:00 GMT: met at Sat 2026-12-05 12:00 GMT, late by 19h calendar, "
        "out of hours (due Fri 2026-12-04 17:00 GMT)"
    ) == lines[-1]


def test_a_clock_counted_in_working_days_gives_its_time_in_working_days_as_show_does(
    run: Run,
) -> None:
    ref = journey.log_case(run, at="2026-11-30T10:00")
    journey.ack(run, ref, at="2026-11-30T11:00")
    journey.assign(run, ref, at="2026-11-30T12:00")
    journey.respond(run, ref, at="2026-12-01T10:00")
    journey.escalate(run, ref, at="2026-12-02T10:00")  # final response: 20 working days

    status = explain(run, ref, "--as-of", "2026-12-10T12:00")[-1]
    shown = ok(run, "--plain", "show", ref, "--as-of", "2026-12-10T12:00").stdout.splitlines()

    assert (
        "As of Thu 2026-12-10 12:00 GMT: 6d 2h working time used, 14d 5h left "
        "(due Mon 2027-01-04 17:00 GMT)"
    ) == status
    assert "(in 14d 5h working)" in next(s for s in shown if s.startswith("Deadline\tfinal"))


# -- JSON --------------------------------------------------------------------------------------


def test_json_carries_the_schema_version_the_days_and_the_state(run: Run) -> None:
    ref = log_case(run, "2026-12-24T16:00")

    data: dict[str, Any] = json.loads(
        ok(run, "explain", ref, "--json", "--as-of", "2026-12-30T12:00").stdout
    )

    assert {
        "schema_version": 2,
        "ref": ref,
        "kind": "acknowledge",
        "kinds": ["acknowledge"],
        "action": None,
        "rule": "24 working hours after receipt",
        "amount": 24,
        "unit": "working-hours",
        "start": "2026-12-24T16:00:00+00:00",
        "started_by": {"action": "log", "by": "officer.one"},
        "rule_due": "2026-12-31T16:00:00+00:00",
        "due": "2026-12-31T16:00:00+00:00",
        "extended": False,
        "changes": [],
        "as_of": "2026-12-30T12:00:00+00:00",
        "notes": [],
        "warnings": [],
    } == {k: v for k, v in data.items() if k not in ("calendar", "days", "status")}
    assert {
        "state": "running",
        "ended_at": None,
        "on_time": None,
        "used_working_minutes": 720,
        "left_working_minutes": 720,
        "late_working_minutes": 0,
        "left_calendar_minutes": 28 * 60,
        "late_calendar_minutes": 0,
    } == data["status"]
    assert {
        "date": "2026-12-24",
        "kind": "counted",
        "counted": [{"from": "2026-12-24T16:00:00+00:00", "to": "2026-12-24T17:00:00+00:00"}],
        "counted_minutes": 60,
        "total_minutes": 60,
        "day_number": None,
        "reason": "started 16:00: the 7h of opening hours before it not counted",
    } == data["days"][0]
    assert ["2026-12-25", "2026-12-26", "2026-12-27", "2026-12-28"] == [
        d["date"] for d in data["days"] if d["kind"] == "skipped"
    ]
    assert ("GB-ENG", "09:00-17:00") == (
        data["calendar"]["bank_holidays"]["region"],
        data["calendar"]["opening_hours"]["Mon"],
    )


# -- errors ------------------------------------------------------------------------------------


def test_an_action_due_within_minutes_is_described_in_json_as_given(run: Run) -> None:
    ref = log_case(run, "2026-12-23T10:00")
    ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
       "--kind", "remedy", "--at", "2026-12-24T16:00", "--within", "90m")  # fmt: skip

    data = json.loads(ok(run, "explain", ref, "--action", "1", "--json").stdout)

    # Thu 24 Dec 16:00-17:00, then Christmas, a weekend and Boxing Day: Tue 29 Dec 09:30.
    assert (90, "working-minutes", "2026-12-29T09:30:00+00:00", [], 90) == (
        data["amount"], data["unit"], data["due"], data["notes"],
        data["days"][-1]["total_minutes"],
    )  # fmt: skip


def test_an_actions_due_is_explained_day_by_day_and_chosen_by_its_id(run: Run) -> None:
    ref = log_case(run, "2026-12-23T10:00")
    for when in (["--within", "3d"], ["--due", "2026-12-26T12:00"]):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--kind", "remedy", "--at", "2026-12-24T10:00", *when)  # fmt: skip

    several = run("explain", ref, "action")
    unknown = run("explain", ref, "--action", "3")
    lines = explain(run, ref, "--action", "1", "--as-of", "2026-12-30T12:00")
    dated = json.loads(ok(run, "explain", ref, "--action", "2", "--json").stdout)

    assert (2, f"Error: {ref} has 2 actions: say which with --action ID (1, 2)\n") == (
        several.exit_code, several.stderr,
    )  # fmt: skip
    assert (4, f"Error: {ref} has no action 3; its actions: 1, 2\n") == (
        unknown.exit_code, unknown.stderr,
    )  # fmt: skip
    assert [
        f"{ref} action 1 (remedy)",
        "Rule:      within 3d (working time), set by officer.one",
        "Started:   Thu 2026-12-24 10:00 GMT (action-opened by officer.one)",
        "Due:       Thu 2026-12-31 17:00 GMT",
        *CALENDAR,
        "",
        "Day by day, within 3d (working time), set by officer.one:",
        "  Thu 2026-12-24  day 0                 "
        "started 10:00: the day of the event is day 0, not counted",
        "  Fri 2026-12-25  skipped               bank holiday: Christmas Day",
        "  Sat 2026-12-26  skipped               "
        "weekend (no opening hours on Saturdays); bank holiday: Boxing Day",
        "  Sun 2026-12-27  skipped               weekend (no opening hours on Sundays)",
        "  Mon 2026-12-28  skipped               bank holiday: Boxing Day (observed)",
        "  Tue 2026-12-29  day 1    09:00-17:00",
        "  Wed 2026-12-30  day 2    09:00-17:00",
        "  Thu 2026-12-31  day 3    09:00-17:00  day 3 of 3: due at its close, 17:00",
        "The rule puts it at Thu 2026-12-31 17:00 GMT.",
        "",
        "As of Wed 2026-12-30 12:00 GMT: 2d 2h working time used, 1d 5h left "
        "(due Thu 2026-12-31 17:00 GMT)",
    ] == lines
    assert ({"id": 2, "kind": "remedy"}, "agreed", [], "breached") == (
        dated["action"], dated["unit"], dated["days"], dated["status"]["state"],
    )  # fmt: skip
    assert [
        "due date set by officer.one: a date set by hand, not counted in working time",
        "Sat 2026-12-26 12:00 GMT is outside working hours: weekend (no opening hours on "
        "Saturdays); bank holiday: Boxing Day",
    ] == dated["notes"]


def test_an_unknown_case_exits_4(run: Run) -> None:
    result = run("explain", "SC-2026-000099")

    assert (4, "Error: no case SC-2026-000099\n", "") == (
        result.exit_code,
        result.stderr,
        result.stdout,
    )


def test_a_deadline_the_case_does_not_have_exits_4_naming_those_it_has(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")

    result = run("explain", ref, "referral-window")

    assert (
        4,
        f"Error: {ref} has no referral-window deadline; the deadlines it has: acknowledge\n",
    ) == (
        result.exit_code,
        result.stderr,
    )


def test_an_unknown_kind_is_a_usage_error(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")

    result = run("explain", ref, "review")

    assert (2, "") == (result.exit_code, result.stdout)
    assert (
        "Error: Invalid value for 'KIND': 'review' is not one of 'acknowledge', 'respond', "
        "'final', 'referral-window', 'action'.\n"
    ) == result.stderr  # named as its help names it, KIND


def test_explain_prints_plain_text_without_loading_rich(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")
    code = (
        "import sys\n"
        "from complaintctl.cli import app\n"
        "try:\n"
        f"    app(['explain', {ref!r}], prog_name='complaintctl')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )

    assert "False" == result.stderr.strip()
    assert f"{ref} acknowledge" == result.stdout.splitlines()[0]


# -- what plain show and explain say beside the deadline ----------------------------------------


def test_plain_show_and_explain_warn_of_a_deadline_outside_the_known_bank_holidays(
    run: Run,
) -> None:
    # The store knows the bank holidays of 2021 to 2031; this acknowledgement fell due in 2020.
    ref = log_case(run, "2020-12-18T10:00")
    warning = (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline counted "
        "from before them assumes there were none and may be early by a holiday; earlier years "
        "cannot be added, so check the days it counted (`complaintctl explain REF`) against that "
        "year's bank holidays"
    )

    for command in (["show", ref], ["show", ref, "--json"], ["explain", ref]):
        assert [warning] == ok(run, *command).stderr.splitlines(), command


def test_plain_show_says_a_deadline_cancelled_after_it_passed_was_breached(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")  # acknowledgement due Fri 4 Dec 10:00
    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-12-07T11:00")

    deadline = next(
        line
        for line in ok(run, "--plain", "show", ref).stdout.splitlines()
        if line.startswith("Deadline\tacknowledge")
    )

    assert (
        "Deadline\tacknowledge\tcancelled at Mon 2026-12-07 11:00 GMT, breached by 9h working, "
        "3d 1h calendar before then (due Fri 2026-12-04 10:00 GMT)"
    ) == deadline
    assert "late by 9h working" in explain(run, ref)[-1]


def test_plain_show_says_a_deadline_cancelled_in_time_was_not_breached(run: Run) -> None:
    ref = log_case(run, "2026-12-01T10:00")
    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-12-02T11:00")

    assert (
        "Deadline\tacknowledge\tcancelled at Wed 2026-12-02 11:00 GMT, before it fell due "
        "(due Fri 2026-12-04 10:00 GMT)"
    ) in ok(run, "--plain", "show", ref).stdout.splitlines()


def agreed_until(run: Run, until: str) -> str:
    """A case whose response is agreed for `until` (2026-12-05T12:00: Saturday noon, out of
    hours after Friday's close; 2026-12-07T09:00: Monday's opening)."""
    ref = log_case(run, "2026-12-01T10:00")
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-01T10:00")
    ok(run, "--as", "lee.leader", "assign", ref, "--to", "rita.responder",
       "--at", "2026-12-01T11:00")  # fmt: skip
    ok(run, "--as", "rita.responder", "extend", ref, "--until", until,
       "--reason", "Agreed by phone", "--at", "2026-12-02T15:00")  # fmt: skip
    return ref


@pytest.mark.parametrize(
    ("until", "as_of", "explained", "shown", "queued", "never"),
    [
        # As one past due out of hours is `late by 19h calendar, out of hours`: after
        # Friday's close no working time is left before Saturday noon, but 18 hours are.
        (
            "2026-12-05T12:00",
            "2026-12-04T18:00",
            "As of Fri 2026-12-04 18:00 GMT: 31h working time used, none left; due in 18h "
            "calendar, out of hours (due Sat 2026-12-05 12:00 GMT)",
            "open, due Sat 2026-12-05 12:00 GMT (in 18h calendar, out of hours)",
            "due out of hours",
            "in 0m",
        ),
        # Agreed for Monday's opening (09:00) and seen on the Saturday before: no working time
        # is left before it, but the due is in hours, at the opening, never out of hours.
        (
            "2026-12-07T09:00",
            "2026-12-05T12:00",
            "As of Sat 2026-12-05 12:00 GMT: 31h working time used, none left; due in 1d 21h "
            "calendar, at the opening (due Mon 2026-12-07 09:00 GMT)",
            "open, due Mon 2026-12-07 09:00 GMT (in 1d 21h calendar, at the opening)",
            "due at the opening",
            "out of hours",
        ),
    ],
    ids=["out-of-hours", "at-the-opening"],
)
def test_a_clock_with_no_working_time_left_before_its_due_says_where_the_due_falls(
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    until: str,
    as_of: str,
    explained: str,
    shown: str,
    queued: str,
    never: str,
) -> None:
    """show, the queue and explain alike: never `in 0m`, and `out of hours` only where the due
    is out of hours."""
    ref = agreed_until(run, until)

    lines = explain(run, ref, "respond", "--as-of", as_of)
    showed = ok(run, "show", ref, "--as-of", as_of).stdout
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")
    listed = ok(run, "queue", "--as-of", as_of).stdout

    assert explained == lines[-1]
    assert shown in showed
    assert (queued, False) == (queued if queued in listed else listed, never in listed)


def test_a_clock_met_out_of_hours_before_its_due_has_calendar_time_to_spare(run: Run) -> None:
    ref = agreed_until(run, "2026-12-05T12:00")
    ok(run, "--as", "rita.responder", "respond", ref, "--decision", "upheld", "--summary",
       "Sorry", "--remedy", "apology", "--at", "2026-12-04T18:00")  # fmt: skip

    lines = explain(run, ref, "respond", "--as-of", "2026-12-05T10:00")

    assert (
        "As of Sat 2026-12-05 10:00 GMT: met at Fri 2026-12-04 18:00 GMT, on time (18h "
        "calendar to spare, out of hours; due Sat 2026-12-05 12:00 GMT)"
    ) == lines[-1]
