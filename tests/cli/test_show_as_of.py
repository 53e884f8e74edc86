"""End to end: `show --as-of` is the case as its history recorded by then had it, in plain
output and JSON alike: before the escalation, no second stage, no escalation line, one
response, and the history as it then stood."""

from __future__ import annotations

import json

from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.journey import ack, assign, escalate, final, log_case, ok, respond

BEFORE = "2026-12-05T12:00"  # responded on the 3rd, escalated on the 7th


@freeze_time("2027-01-08 12:00:00")
def test_show_as_of_before_the_escalation(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    ack(run, ref, at="2026-12-01T10:00")
    assign(run, ref, at="2026-12-01T11:00")
    respond(run, ref, at="2026-12-03T10:00")
    escalate(run, ref, at="2026-12-07T10:00")
    final(run, ref, at="2027-01-04T10:00")

    plain = ok(run, "show", ref, "--as-of", BEFORE).stdout.splitlines()
    assert "Stage\tresponded" in plain
    assert "Second stage\t-" in plain
    assert not [line for line in plain if line.startswith(("Escalated", "Final response"))]
    assert ["log", "acknowledge", "assign", "respond"] == [
        line.split("\t")[2] for line in plain if line.startswith("History\t")
    ]

    shown = json.loads(ok(run, "show", ref, "--json", "--as-of", BEFORE).stdout)
    assert ("responded", None, None) == (shown["stage"], shown["handler"], shown["escalation"])
    assert ["first"] == [r["stage"] for r in shown["responses"]]
    assert ["log", "acknowledge", "assign", "respond"] == [e["action"] for e in shown["history"]]

    now = json.loads(ok(run, "show", ref, "--json").stdout)
    assert ("final-response", "hana.handler") == (now["stage"], now["escalation"]["to"])
    assert ["first", "final"] == [r["stage"] for r in now["responses"]]
