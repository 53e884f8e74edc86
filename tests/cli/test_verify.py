"""`db verify`: every history entry sealed in one chain, whichever command wrote it; a change
made behind the tool's back (with the sqlite3 tool, or psql) named; anonymisation not.

The store is changed as someone with access to it would: the `sqlite3` command-line tool on
SQLite, `psql` on PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, text

from complaintctl.domain.chain import GENESIS, Entry, removed, seal
from complaintctl.store import facts
from complaintctl.store.db import resolve_url
from tests.cli.conftest import Run
from tests.cli.journey import ack, log_case, ok
from tests.conftest import POSTGRES, sqlite_only

NOW = "2026-12-04 12:00:00"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def by_hand(store_url: str, sql: str) -> None:
    """Change the store as someone with its file or its database would: the sqlite3 tool, or
    psql with the store's URL."""
    if POSTGRES:
        url = resolve_url(store_url).replace("postgresql+psycopg://", "postgresql://", 1)
        command = [shutil.which("psql") or "/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                   "-c", sql, url]  # fmt: skip
    else:
        command = [shutil.which("sqlite3") or "/usr/bin/sqlite3", store_url, sql]
    # No timeout: the clock is frozen for the commands under test, and subprocess's would be too.
    done = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    assert 0 == done.returncode, done.stderr


def rows(store_url: str, sql: str, **values: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), values)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def an_import(tmp_path: Path) -> str:
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "consumer,email,channel,category,summary,received_at\n"
        "Cleo Import,cleo@example.com,email,delay,Slow,2026-12-01T10:00\n"
        "Dev Import,dev@example.com,post,process,Lost form,2026-12-01T11:00\n"
    )
    return str(batch)


@pytest.fixture
def busy_store(run: Run, tmp_path: Path) -> list[str]:
    """A store every kind of writer has written to: log, a step on many cases, an import, a
    note, a restriction, a calendar change, a new member of staff."""
    first = log_case(run, at="2026-12-01T09:00", consumer="Ann Smith", email="ann@example.com")
    second = log_case(run, at="2026-12-01T09:30", consumer="Bea Jones", email="bea@example.com")
    ok(run, "ack", first, second, "--area", "Casework", "--at", "2026-12-01T12:00")
    ok(run, "import", an_import(tmp_path))
    ok(run, "note", first, "--text", "Called Ann", "--at", "2026-12-02T10:00")
    ok(run, "--as", "sam.senior", "restrict", "add", "--email", "bea@example.com", "--scope",
       "procedure", "--reason", "Abusive calls", "--at", "2026-12-02T11:00")  # fmt: skip
    ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-29", "--reason", "Office move")
    ok(run, "--as", "sam.senior", "staff", "add", "nia", "--name", "Nia New", "--role",
       "officer")  # fmt: skip
    return [first, second]


def entry_of(store_url: str, ref: str, action: str) -> int:
    ((entry_id,),) = rows(
        store_url,
        "SELECT e.id FROM event e JOIN complaint c ON c.id = e.case_id "
        "WHERE c.ref = :ref AND e.action = :action",
        ref=ref,
        action=action,
    )
    return int(entry_id)


def verified(run: Run, *args: str) -> dict[str, Any]:
    result = run("db", "verify", "--json", *args)
    assert result.exit_code in (0, 14), result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_every_writer_seals_its_entries_in_one_chain_that_verifies_intact(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    ((entries, last_id),) = rows(store_url, "SELECT count(*), max(id) FROM event")
    ((cases,),) = rows(store_url, "SELECT count(*) FROM complaint")
    (head,) = rows(store_url, "SELECT last_id, entries, chain FROM chain_head")
    ((last_link,),) = rows(store_url, "SELECT chain FROM event WHERE id = :id", id=last_id)

    result = run("db", "verify")

    assert (0, f"intact: {entries} entries, {cases} cases\nhead: {last_link} (entry {last_id})\n",
            "") == (result.exit_code, result.stdout, result.stderr)  # fmt: skip
    assert (last_id, entries, last_link) == head
    # The team's, and the writers above: none left out.
    actions = {action for (action,) in rows(store_url, "SELECT action FROM event")}
    assert {"staff-added", "log", "acknowledge", "note", "restriction-decided",
            "calendar-closure-added"} <= actions  # fmt: skip


def test_a_details_value_edited_by_hand_is_named_with_its_entry(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    first = busy_store[0]
    logged = entry_of(store_url, first, "log")
    by_hand(
        store_url, f"UPDATE event SET details = replace(details, 'Ann', 'Anne') WHERE id = {logged}"
    )

    result = run("db", "verify")

    assert 14 == result.exit_code, result.output
    assert (
        f"Error: the history is not intact: entry {logged} ({first}, log): its contents are not "
        "what was sealed when it was recorded: a field or a details value was changed\n"
    ) == result.stderr
    assert result.stdout.startswith("not intact: 1 problem in ")


@pytest.mark.parametrize(
    "details",
    ['{"changes": ["x"]}', '{"personal_changes": 1}', '{"respond_due": "garbage"}', "[]"],
)
def test_details_edited_by_hand_into_what_no_step_writes_are_named_not_a_traceback(
    run: Run, store_url: str, busy_store: list[str], details: str
) -> None:
    # Still JSON, but nothing a replay of the case's deadlines can read: the seal names it.
    first = busy_store[0]
    ok(run, "edit", first, "--summary", "Late reply", "--reason", "Typo",
       "--at", "2026-12-02T12:00")  # fmt: skip
    edited = entry_of(store_url, first, "edit")
    by_hand(store_url, f"UPDATE event SET details = '{details}' WHERE id = {edited}")

    result = run("db", "verify")

    assert (14, 1) == (result.exit_code, len(result.stderr.splitlines())), result.output
    assert result.stderr.startswith(f"Error: the history is not intact: entry {edited} ")


def test_a_field_of_an_entry_edited_by_hand_is_caught(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    acknowledged = entry_of(store_url, busy_store[1], "acknowledge")
    by_hand(store_url, f"UPDATE event SET actor = 'sam.senior' WHERE id = {acknowledged}")

    found = verified(run)

    assert (False, [("entry", acknowledged, busy_store[1], "acknowledge")]) == (
        found["intact"],
        [(p["kind"], p["entry"], p["ref"], p["action"]) for p in found["problems"]],
    )


@sqlite_only  # PostgreSQL keeps a timestamp, never text that is not one
@pytest.mark.parametrize("changed", ["yesterday", "2026-12-01T12:00:00Z"])
def test_an_entry_whose_time_was_made_text_that_is_not_an_instant_is_named(
    run: Run, store_url: str, busy_store: list[str], changed: str
) -> None:
    acknowledged = entry_of(store_url, busy_store[1], "acknowledge")
    by_hand(store_url, f"UPDATE event SET at = '{changed}' WHERE id = {acknowledged}")

    result = run("db", "verify")

    assert 14 == result.exit_code, result.output
    assert (
        f"Error: the history is not intact: entry {acknowledged} ({busy_store[1]}, acknowledge): "
        "its times are not instants: they were changed\n"
    ) == result.stderr


def test_an_entry_deleted_by_hand_is_caught_at_the_entry_after_it(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    first = busy_store[0]
    acknowledged = entry_of(store_url, first, "acknowledge")
    ((after,),) = rows(store_url, "SELECT min(id) FROM event WHERE id > :id", id=acknowledged)
    ((before,),) = rows(store_url, "SELECT max(id) FROM event WHERE id < :id", id=acknowledged)
    by_hand(store_url, f"DELETE FROM event WHERE id = {acknowledged}")

    result = run("db", "verify")

    assert 14 == result.exit_code
    assert result.stderr.startswith(f"Error: the history is not intact: entry {after} ")
    assert result.stderr.endswith(
        f"it does not follow entry {before}: an entry before it was removed, or the chain was "
        "rewritten\n"
    )
    # The head still counts the entry removed, and the case no longer stands where its
    # history (now without its acknowledgement) leads.
    assert (
        f"case {first}: its stage is first-stage, but its history leads to received"
        in result.stdout
    )
    assert "entries were removed" in result.stdout


def test_the_last_entry_deleted_by_hand_is_caught_by_the_head(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    ((last_id,),) = rows(store_url, "SELECT max(id) FROM event")
    by_hand(store_url, f"DELETE FROM event WHERE id = {last_id}")

    found = verified(run)

    assert [("head", last_id)] == [(p["kind"], p["entry"]) for p in found["problems"]]


@pytest.mark.parametrize("forged_id", [0, -5])
def test_an_entry_added_by_hand_below_the_first_id_is_caught(
    run: Run, store_url: str, busy_store: list[str], forged_id: int
) -> None:
    # A copy of a real entry's seal and fields, a note in its details: `history` shows it
    # first on its case, so `db verify` must walk it too, not start at id 1.
    first = busy_store[0]
    logged = entry_of(store_url, first, "log")
    by_hand(
        store_url,
        "INSERT INTO event (id, case_id, action, actor, at, recorded_at, details, login, host, "
        f"digest, chain, salts) SELECT {forged_id}, case_id, 'note', actor, at, recorded_at, "
        '\'{"text": "Forged"}\', login, host, digest, chain, NULL FROM event '
        f"WHERE id = {logged}",
    )
    ((entries, last_id),) = rows(store_url, "SELECT count(*), max(id) FROM event")

    found = verified(run)

    assert (False, entries) == (found["intact"], found["entries"])
    assert [("entry", forged_id, first), ("head", last_id, None)] == [
        (p["kind"], p["entry"], p["ref"]) for p in found["problems"]
    ]


def test_a_head_counting_fewer_entries_than_the_history_holds_is_not_said_to_lose_entries(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    ((last_id, entries),) = rows(store_url, "SELECT max(id), count(*) FROM event")
    by_hand(store_url, "UPDATE chain_head SET entries = entries - 1")

    result = run("db", "verify")

    assert 14 == result.exit_code
    assert result.stderr == (
        f"Error: the history is not intact: chain head: the chain's head records {entries - 1} "
        f"entries ending at entry {last_id}, but the history holds {entries} ending at entry "
        f"{last_id}: entries were added, or the head was changed\n"
    )


def test_a_case_moved_to_another_stage_behind_the_tools_back_is_caught(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    second = busy_store[1]
    by_hand(store_url, f"UPDATE complaint SET stage = 'closed' WHERE ref = '{second}'")

    result = run("db", "verify")

    assert (
        14,
        f"Error: the history is not intact: case {second}: its stage is closed, but its "
        "history leads to first-stage\n",
    ) == (result.exit_code, result.stderr)


def test_kept_facts_changed_by_hand_are_named_and_made_again_from_the_history(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    """A report counts the facts kept for it: changed by hand, `db verify` names the case
    and `db upgrade --remake-facts` makes every case's again (recorded), after which the
    report counts the case as its history has it."""
    first = busy_store[0]
    by_hand(store_url, "UPDATE case_fact SET channel = 'fax' WHERE case_id = "
            f"(SELECT id FROM complaint WHERE ref = '{first}')")  # fmt: skip
    channels = ["report", "--period", "2026-12", "--json"]
    counted = json.loads(run(*channels).stdout)["figures"]
    assert {"fax": 1} == {
        f["part"]: f["value"] for f in counted if f["figure"] == "received_by_channel"
        and f["part"] == "fax"
    }  # fmt: skip

    result = run("db", "verify")
    assert (14, f"Error: the history is not intact: case {first}: the facts kept for the "
                "report's figures are not what its history gives (they were changed behind "
                "complaintctl's back; `complaintctl db upgrade --remake-facts` makes them "
                "again from the history)\n") == (result.exit_code, result.stderr)  # fmt: skip

    remade = run("--as", "sam.senior", "db", "upgrade", "--remake-facts")
    assert 0 == remade.exit_code, remade.output
    assert remade.stdout.endswith(
        "already; made the facts kept for the report's figures again for 4 cases, as this "
        "complaintctl counts them\n"
    )
    assert 0 == run("db", "verify").exit_code
    counted = json.loads(run(*channels).stdout)["figures"]
    assert "fax" not in {f["part"] for f in counted if f["figure"] == "received_by_channel"}
    ((details,),) = rows(store_url, "SELECT details FROM event WHERE action = 'upgrade-schema' "
                                    "ORDER BY id DESC LIMIT 1")  # fmt: skip
    assert "facts" in json.loads(details)


def test_a_store_whose_kept_facts_a_newer_complaintctl_made_says_to_upgrade_complaintctl(
    run: Run, store_url: str
) -> None:
    """Not `db upgrade`, which could not help: this complaintctl neither counts from, adds
    to, nor makes again a newer one's facts."""
    ref = log_case(run, at="2026-12-01T09:00", consumer="Ann Smith", email="ann@example.com")
    by_hand(store_url, f"UPDATE store_setting SET value = '{facts.VERSION + 1}' "
                       "WHERE key = 'facts-version'")  # fmt: skip
    newer = "the facts kept for the report's figures were made by a newer version of complaintctl"

    status = run("db", "status", "--json")
    assert "newer-than-program" == json.loads(status.stdout)["state"]
    assert f"State:     {newer}: upgrade complaintctl to use it" in run("db", "status").stdout
    for refused in (
        run("--as", "sam.senior", "db", "upgrade"),
        run("--as", "sam.senior", "db", "upgrade", "--remake-facts"),
        run("report", "--period", "2026-12"),
        run("ack", ref, "--area", "Casework", "--at", "2026-12-01T10:00"),
    ):
        assert (8, f"Error: {newer} than this one: upgrade complaintctl to use this store\n") == (
            refused.exit_code, refused.stderr)  # fmt: skip
    verified = run("db", "verify")
    assert (0, True) == (
        verified.exit_code,
        "upgrade complaintctl to check them" in verified.stderr,
    )
    assert [(str(facts.VERSION + 1),)] == rows(
        store_url, "SELECT value FROM store_setting WHERE key = 'facts-version'"
    )


def anonymise(store_url: str, entry_id: int, key: str) -> Any:
    """Replace one details value of an entry by the marker that keeps its digest, as a
    retention run would; the value it removed."""
    ((details, salts),) = rows(
        store_url, "SELECT details, salts FROM event WHERE id = :id", id=entry_id
    )
    values, salted = json.loads(details), json.loads(salts or "{}")
    original = values[key]
    values[key] = removed(original, "retention: 6 years after closure", salted.pop(key, None))
    rows(
        store_url,
        "UPDATE event SET details = :details, salts = :salts WHERE id = :id",
        details=json.dumps(values, sort_keys=True),
        salts=json.dumps(salted),
        id=entry_id,
    )
    return original


def test_a_details_value_anonymised_with_its_digest_kept_leaves_the_chain_intact(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    logged = entry_of(store_url, busy_store[0], "log")
    noted = verified(run)["head"]

    assert "ann@example.com" == anonymise(store_url, logged, "email")
    assert "Ann Smith" == anonymise(store_url, logged, "consumer")

    result = run("db", "verify", "--noted-head", noted)
    assert (0, "") == (result.exit_code, result.stderr), result.output
    ((details,),) = rows(store_url, "SELECT details FROM event WHERE id = :id", id=logged)
    assert "Ann" not in details


def test_a_marker_whose_digest_was_changed_breaks_the_chain(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    logged = entry_of(store_url, busy_store[0], "log")
    anonymise(store_url, logged, "email")
    ((details,),) = rows(store_url, "SELECT details FROM event WHERE id = :id", id=logged)
    values = json.loads(details)
    values["email"]["sha256"] = "0" * 64
    rows(store_url, "UPDATE event SET details = :d WHERE id = :id", d=json.dumps(values), id=logged)

    found = verified(run)

    assert [("entry", logged)] == [(p["kind"], p["entry"]) for p in found["problems"]]


def reseal_everything(store_url: str) -> None:
    """What someone who can write the store can do after changing it: seal it all again."""
    fields = "id, case_id, action, actor, at, recorded_at, login, host, details, salts"
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.begin() as connection:
            from sqlalchemy import select

            from complaintctl.store.models import Event

            found = connection.execute(
                select(*(getattr(Event, name) for name in fields.split(", "))).order_by(Event.id)  # type: ignore[arg-type]
            ).all()
            chain = GENESIS
            for row in found:
                sealed = seal(chain, Entry(*row))
                chain = sealed.chain
                connection.execute(
                    text("UPDATE event SET digest = :d, chain = :c WHERE id = :id"),
                    {"d": sealed.digest, "c": chain, "id": row[0]},
                )
            connection.execute(text("UPDATE chain_head SET chain = :c"), {"c": chain})
    finally:
        engine.dispose()


def test_a_history_changed_and_sealed_again_shows_only_against_a_head_noted_before(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    noted = verified(run)["head"]
    logged = entry_of(store_url, busy_store[0], "log")
    by_hand(
        store_url, f"UPDATE event SET details = replace(details, 'Ann', 'Anne') WHERE id = {logged}"
    )
    reseal_everything(store_url)

    # Someone who can write the store can make the chain hold again: said plainly in README.
    assert 0 == run("db", "verify").exit_code
    result = run("db", "verify", "--noted-head", noted)
    assert (14, f"Error: the history is not intact: chain head: the chain does not pass through "
                f"the head noted earlier ({noted}): the history up to it was changed and its "
                "chain made again, or this is another store\n") == (result.exit_code,
                                                                    result.stderr)  # fmt: skip


def test_a_dry_run_and_a_refused_step_leave_the_chain_where_it_was(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    before = verified(run)
    ref = log_case(run, at="2026-12-03T09:00")
    ok(run, "ack", ref, "--area", "Casework", "--at", "2026-12-03T10:00", "--dry-run")
    assert 5 == run("ack", busy_store[0], "--area", "Casework").exit_code  # acknowledged already
    ack(run, ref, at="2026-12-03T11:00")

    after = verified(run)

    assert (True, before["entries"] + 2, before["last_entry"] + 2) == (
        after["intact"], after["entries"], after["last_entry"]
    )  # fmt: skip


def test_a_noted_head_that_is_not_a_head_is_refused(run: Run, busy_store: list[str]) -> None:
    result = run("db", "verify", "--noted-head", "not-a-hash")
    assert (2, "Error: --noted-head 'not-a-hash' is not a head printed by `db verify` (64 "
               "hexadecimal digits)\n") == (result.exit_code, result.stderr)  # fmt: skip


@sqlite_only
def test_a_new_store_verifies_intact_with_no_entries(run: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "new" / "store.sqlite3")
    assert 0 == run("--db", store, "db", "init").exit_code
    result = run("--db", store, "db", "verify")
    assert (0, f"intact: 0 entries, 0 cases\nhead: {GENESIS} (entry 0)\n") == (
        result.exit_code, result.stdout
    )  # fmt: skip


def test_a_store_whose_chain_head_was_deleted_records_nothing_more_and_fails_verify(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    by_hand(store_url, "DELETE FROM chain_head")

    noted = run("note", busy_store[0], "--text", "Called again")
    verify = run("db", "verify")

    assert (
        8,
        "Error: the store's history has lost the head of its chain (its chain_head row): it "
        "was changed behind complaintctl's back; `complaintctl db verify` says what else was, "
        "and nothing more can be recorded\n",
    ) == (noted.exit_code, noted.stderr)
    assert (14, "Error: the history is not intact: chain head: the chain's head is missing\n") == (
        verify.exit_code, verify.stderr
    )  # fmt: skip


@sqlite_only  # PostgreSQL keeps an integer, never text
def test_a_store_whose_chain_head_holds_text_for_a_count_records_nothing_more_and_fails_verify(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    by_hand(store_url, "UPDATE chain_head SET last_id = 'x'")

    noted = run("note", busy_store[0], "--text", "Called again")
    verify = run("db", "verify")

    assert (
        8,
        "Error: the store's history has a head of its chain (its chain_head row) that "
        "complaintctl did not write: it was changed behind complaintctl's back; `complaintctl "
        "db verify` says what else was, and nothing more can be recorded\n",
    ) == (noted.exit_code, noted.stderr)
    assert (
        14,
        "Error: the history is not intact: chain head: the chain's head was changed: it is not "
        "an entry, a count and a link as complaintctl writes them\n",
    ) == (verify.exit_code, verify.stderr)


def test_intact_counts_one_entry_in_the_singular(run: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "one.sqlite3")
    ok(run, "--db", store, "db", "init")
    ok(run, "--db", store, "staff", "add", "sam", "--name", "Sam", "--role", "senior-leader")
    assert [(1,)] == rows(store, "SELECT count(*) FROM event")

    result = run("--db", store, "db", "verify")

    assert (0, "intact: 1 entry, 0 cases") == (result.exit_code, result.stdout.splitlines()[0])


def test_a_due_set_by_hand_is_named_with_its_case_its_clock_and_both_dues(
    run: Run, store_url: str, busy_store: list[str]
) -> None:
    first = busy_store[0]  # acknowledged Tue 1 Dec 12:00: its response due Fri 4 Dec 12:00
    due = "2027-01-29 17:00:00" + ("+00" if POSTGRES else ".000000")
    by_hand(store_url, f"UPDATE deadline SET due_at = '{due}' WHERE kind = 'respond' AND "
            f"case_id = (SELECT id FROM complaint WHERE ref = '{first}')")  # fmt: skip
    what = (
        "its respond deadline is stored as due Fri 2027-01-29 17:00 GMT, but its history "
        "gives Fri 2026-12-04 12:00 GMT"
    )

    result = run("db", "verify")

    assert (14, f"Error: the history is not intact: case {first}: {what}\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [{"kind": "case", "entry": None, "ref": first, "action": None, "what": what}] == (
        verified(run)["problems"]
    )


def test_a_due_set_by_hand_at_a_midnight_close_reads_as_that_day_s_24_00(
    run: Run, store_url: str
) -> None:
    """In a store open until midnight, both dues read as `show` gives them: the close of a
    working day as its 24:00, not the next day's 00:00."""
    ok(run, "--as", "sam.senior", "calendar", "set", "--hours", "Mon-Fri 09:00-24:00")
    ref = log_case(run, at="2026-12-01T15:00")  # acknowledge due at Wednesday's close
    due = "2026-12-10 00:00:00" + ("+00" if POSTGRES else ".000000")
    by_hand(store_url, f"UPDATE deadline SET due_at = '{due}' WHERE kind = 'acknowledge'")

    result = run("db", "verify")

    assert (
        14,
        f"Error: the history is not intact: case {ref}: its acknowledge deadline is stored as "
        "due Wed 2026-12-09 24:00 GMT, but its history gives Wed 2026-12-02 24:00 GMT\n",
    ) == (result.exit_code, result.stderr)
