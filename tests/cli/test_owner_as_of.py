"""End to end: `--as-of` names who held a case then, not who holds it now, in every output."""

from __future__ import annotations

import csv
import io
import json

from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.journey import ack, assign, log_case, ok, step

THEN = "2026-12-04T12:00"  # the response (due Fri 10:00) breached, still rita.responder's


def handed_on(run: Run) -> str:
    """Assigned to rita.responder on Tuesday, handed to ruth.responder the next Monday."""
    ref = log_case(run, at="2026-11-30T10:00")
    ack(run, ref, at="2026-12-01T10:00")
    assign(run, ref, at="2026-12-01T11:00")
    step(run, "2026-12-07T10:00", "--as", "lee.leader", "assign", ref, "--to", "ruth.responder",
         "--reason", "Rita is away")  # fmt: skip
    return ref


@freeze_time("2026-12-08 12:00:00")
def test_show_overdue_and_queue_as_of_name_the_owner_then(run: Run) -> None:
    ref = handed_on(run)

    shown = json.loads(ok(run, "show", ref, "--json", "--as-of", THEN).stdout)
    assert "rita.responder" == shown["responder"]
    assert "Responder\trita.responder" in ok(run, "show", ref, "--as-of", THEN).stdout
    assert "ruth.responder" == json.loads(ok(run, "show", ref, "--json").stdout)["responder"]

    overdue = json.loads(ok(run, "overdue", "--json", "--as-of", THEN).stdout)
    assert [(ref, "respond", "rita.responder")] == [
        (i["ref"], i["kind"], i["owner"]) for i in overdue
    ]
    assert "owner rita.responder" in ok(run, "overdue", "--summary", "--as-of", THEN).stdout

    queued = json.loads(ok(run, "queue", "--json", "--as-of", THEN).stdout)
    assert [(ref, "rita.responder")] == [(i["ref"], i["owner"]) for i in queued]
    rows = list(csv.DictReader(io.StringIO(ok(run, "queue", "--csv", "--as-of", THEN).stdout)))
    assert [(ref, "rita.responder")] == [(r["ref"], r["owner"]) for r in rows]
    plain = ok(run, "queue", "--as-of", THEN, "--owner", "rita.responder").stdout.splitlines()
    assert [(ref, "rita.responder")] == [(p.split("\t")[0], p.split("\t")[5]) for p in plain]
    assert "" == ok(run, "queue", "--as-of", THEN, "--owner", "ruth.responder").stdout
    mine = ok(run, "--as", "rita.responder", "queue", "--mine", "--as-of", THEN, "--json")
    assert [ref] == [i["ref"] for i in json.loads(mine.stdout)]
    # Now, the case is ruth.responder's.
    assert [] == json.loads(ok(run, "queue", "--json", "--owner", "rita.responder").stdout)
