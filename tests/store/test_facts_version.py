"""The kept facts' version (store/facts.py, VERSION) is bumped with any change to what they
are: a digest of the rows `kept_rows` makes of `figures.replay` over fixed histories (the demo's
cases, with a step of every other kind replay reads: an extension, a recompute, an outcome, a
reopen, an edit; each entry as recorded) is pinned here to the version. A change to replay or
to the rows changes the digest: bump VERSION (every store's facts are then made again by `db
upgrade`) and pin the new digest beside it. Only a change that leaves every case's rows as they
were may keep the version.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from complaintctl.domain import figures
from complaintctl.store import facts

HISTORIES = Path(__file__).parent / "data" / "facts-histories.json"
# Each version of the kept facts: the digest of the rows it makes of HISTORIES.
DIGESTS = {
    1: "b39bf057406a8b6f4d6026414756f5e42e5317149ccd7c353b906f500b6ecfa7",
    # Each response's `since` and a first-stage one's escalated since (revision 0013).
    2: "74bbc9cd7fce26e225982695a9e73005222b8077a2f51314c1668ea723e4f04d",
}


def digest_of_the_kept_rows() -> str:
    cases = json.loads(HISTORIES.read_text())["cases"]
    made = []
    for case in cases:
        entries = [
            (action, datetime.fromisoformat(at), datetime.fromisoformat(recorded_at), details)
            for action, at, recorded_at, details in case["entries"]
        ]
        replayed = figures.replay(case["ref"], entries, facts.FAR_FUTURE)
        assert replayed is not None
        recorded_to = max(entry[2] for entry in entries)
        row, items = facts.kept_rows(case["case_id"], replayed, recorded_to)
        made.append((stored(row), [stored(item) for item in items]))
    return hashlib.sha256(repr(made).encode()).hexdigest()


def stored(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row's values as the store holds them: an enumeration's member as its value."""
    return tuple(value.value if isinstance(value, Enum) else value for value in values)


def test_the_kept_facts_of_fixed_histories_are_what_their_version_pins() -> None:
    assert DIGESTS.get(facts.VERSION) == digest_of_the_kept_rows(), (
        "the kept facts of the same histories changed: bump store/facts.py's VERSION and pin "
        "the new digest to it"
    )
