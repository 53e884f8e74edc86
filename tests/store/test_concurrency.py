"""Several processes on one store at once: nothing lost, nothing doubled, on either backend.

Real processes, one store (an SQLite file, or a PostgreSQL schema when COMPLAINTCTL_TEST_DB is
set). Writers take the store's write lock when they begin (SQLite: BEGIN IMMEDIATE; PostgreSQL:
a transaction-scoped advisory lock) and queue on the lock timeout, so each command sees the
case as the previous one left it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from complaintctl.store.db import resolve_url
from tests.conftest import UnitFactory, write_lock_held
from tests.store.concurrency_worker import ACTIONS, LOGGED

ROOT = Path(__file__).resolve().parents[2]

WORKERS = 4
LOGS_EACH = 6


def _complaintctl(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COMPLAINTCTL_DB": str(db),
        "COMPLAINTCTL_USER": "officer.one",
        "COMPLAINTCTL_LOCK_TIMEOUT": "60",
    }
    return subprocess.run(
        [sys.executable, "-m", "complaintctl", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _log_many(db: str, worker: int) -> list[str]:
    refs = []
    for n in range(LOGS_EACH):
        done = _complaintctl(
            db, "log", "--consumer", f"Worker {worker}", "--email", f"w{worker}@example.com",
            "--channel", "email", "--category", "delay", "--summary", f"Complaint {worker}-{n}",
            "--at", "2026-11-20T10:00",
        )  # fmt: skip
        assert 0 == done.returncode, done.stderr
        refs.append(done.stdout.strip())
    return refs


@pytest.mark.concurrency
def test_processes_logging_at_once_get_unique_references_and_one_history_entry_each(
    unit: UnitFactory, store_url: str
) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        refs = [ref for batch in pool.map(lambda w: _log_many(store_url, w), range(WORKERS))
                for ref in batch]  # fmt: skip

    with _connect(store_url) as raw:
        stored = [row[0] for row in raw.execute(text("SELECT ref FROM complaint"))]
        logs = Counter(
            row[0] for row in raw.execute(text("SELECT case_id FROM event WHERE action = 'log'"))
        )
        counter = raw.execute(text("SELECT last FROM ref_counter WHERE year = 2026")).scalar_one()
    assert (WORKERS * LOGS_EACH, WORKERS * LOGS_EACH) == (len(refs), len(set(refs)))
    assert sorted(refs) == sorted(stored)
    assert {1} == set(logs.values())
    assert WORKERS * LOGS_EACH == counter


@pytest.mark.concurrency
def test_processes_acknowledging_the_same_cases_at_once_acknowledge_each_exactly_once(
    unit: UnitFactory, store_url: str
) -> None:
    refs = _log_many(store_url, 0)

    def acknowledge_all(worker: int) -> list[int]:
        return [
            _complaintctl(store_url, "ack", ref, "--area", "Casework", "--at",
                          "2026-11-20T11:00").returncode
            for ref in refs
        ]  # fmt: skip

    with ThreadPoolExecutor(WORKERS) as pool:
        codes = [code for batch in pool.map(acknowledge_all, range(WORKERS)) for code in batch]

    # Exactly one of the racing acknowledgements of each case wins; the others are refused as
    # out of order (the case has moved on), writing nothing.
    assert Counter({0: len(refs), 5: len(refs) * (WORKERS - 1)}) == Counter(codes)
    for ref in refs:
        history = json.loads(_complaintctl(store_url, "history", ref, "--json").stdout)["history"]
        assert ["log", "acknowledge"] == [entry["action"] for entry in history]


def _connect(store_url: str) -> Connection:
    return create_engine(resolve_url(store_url)).connect()


WORKERS_AT_ONCE = 8
SHARED_CASES = 40
STEPS = ("acknowledge", "assign", "respond")  # the steps workers race on


@pytest.mark.concurrency
def test_many_processes_acting_at_once_lose_nothing_and_double_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    """8 processes × 200 steps on 40 shared cases: logs, and racing acknowledge/assign/respond.

    Afterwards every reference is unique and the sequence has no gaps, each case's history is
    complete and in order, every step the store took is recorded exactly once, every refused
    one left no trace, and each case's version counts its steps (no lost update).
    """
    shared = [_log_one(unit, f"Shared {n}") for n in range(SHARED_CASES)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.store.concurrency_worker",
                store_url,
                str(worker),
                json.dumps(shared),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COMPLAINTCTL_LOCK_TIMEOUT": "120"},
        )  # fmt: skip
        for worker in range(WORKERS_AT_ONCE)
    ]
    outcomes = []
    for process in workers:
        out, err = process.communicate(timeout=600)
        assert 0 == process.returncode, err
        outcomes += [json.loads(line) for line in out.splitlines()]
    assert WORKERS_AT_ONCE * ACTIONS == len(outcomes)
    taken = [o for o in outcomes if o["taken"]]
    refused = [o for o in outcomes if not o["taken"]]
    # Races happened and were refused cleanly: out of order, not the assigned responder, or
    # assigned to the one another worker had just made its responder.
    assert refused

    def why(outcome: dict[str, str]) -> str:
        if outcome["error"] == "InvalidInput" and "nothing to change" in outcome["message"]:
            return "already its responder"
        return outcome["error"]

    allowed = {"ActionNotAllowed", "NotPermitted", "already its responder"}
    assert {why(o) for o in refused} <= allowed

    with _connect(store_url) as raw:
        cases = {
            ref: (case_id, stage, version)
            for case_id, ref, stage, version in raw.execute(
                text("SELECT id, ref, stage, version FROM complaint")
            )
        }
        events = raw.execute(
            text("SELECT id, case_id, action, at FROM event WHERE case_id IS NOT NULL ORDER BY id")
        ).all()
        counter = raw.execute(text("SELECT last FROM ref_counter WHERE year = 2026")).scalar_one()

    logged = [o["ref"] for o in taken if o["kind"] == "log"]
    all_refs = shared + logged
    # Every reference unique, every number of the year's sequence used once, none skipped.
    assert len(all_refs) == len(set(all_refs)) == len(cases) == counter
    assert sorted(all_refs) == sorted(cases)
    assert sorted(int(ref.rsplit("-", 1)[1]) for ref in cases) == list(range(1, counter + 1))

    ref_of = {case_id: ref for ref, (case_id, _, _) in cases.items()}
    recorded = Counter((ref_of[case_id], action) for _, case_id, action, _ in events)
    expected = Counter((o["ref"], o["kind"]) for o in taken)
    expected.update((ref, "log") for ref in shared)
    # Each step the store took is in the history exactly once; refused ones left nothing.
    assert expected == recorded

    history: dict[str, list[tuple[str, object]]] = {}
    for _, case_id, action, at in events:
        history.setdefault(ref_of[case_id], []).append((action, at))
    stage_after = {"log": "received", "acknowledge": "first-stage", "assign": "first-stage",
                   "respond": "responded"}  # fmt: skip
    for ref, (_, stage, version) in cases.items():
        actions = [action for action, _ in history[ref]]
        # Complete and in order: logged first, acknowledged before any assignment, responded
        # last and at most once, and the case stands where its last step left it.
        assert (["log"], 1) == (actions[:1], actions.count("log")), (ref, actions)
        assert actions.count("acknowledge") <= 1, (ref, actions)
        assert actions.count("respond") <= 1, (ref, actions)
        if "assign" in actions:
            assert actions.index("acknowledge") < actions.index("assign"), (ref, actions)
        if "respond" in actions:
            assert "respond" == actions[-1], (ref, actions)
            assert "assign" in actions, (ref, actions)
        assert [at for _, at in history[ref]] == sorted(at for _, at in history[ref])
        assert stage_after[actions[-1]] == stage, (ref, actions, stage)
        # The version moved on once per step: no step was lost or applied twice.
        assert len(actions) - 1 == version, (ref, actions, version)

    # Every entry the writers made is sealed in one chain, in id order.
    with _connect(store_url) as raw:
        entries = raw.execute(text("SELECT count(*) FROM event")).scalar_one()
    verified = _complaintctl(store_url, "db", "verify")
    assert (0, f"intact: {entries} entries, {len(cases)} cases") == (
        verified.returncode, verified.stdout.splitlines()[0]
    ), verified.stderr  # fmt: skip


def _log_one(unit: UnitFactory, summary: str) -> str:
    complaint = services.NewComplaint(
        consumer="Shared Consumer",
        email="shared@example.com",
        channel=Channel.EMAIL,
        category=Category.DELAY,
        summary=summary,
    )
    with unit() as uow:
        view = services.log_complaint(
            uow, complaint=complaint, by="officer.one", at=LOGGED, now=LOGGED
        )
    return view.ref


def test_once_a_change_is_committed_reading_on_never_waits_for_another_writer(
    unit: UnitFactory, store_url: str
) -> None:
    """A command prints what it did after committing: another writer taking the lock in
    between must not turn a saved change into a reported failure (or a wait)."""
    ref = _log_one(unit, "Saved, then shown")
    with unit() as uow:
        services.acknowledge(uow, ref=ref, area="Casework", by="officer.one", at=LOGGED,
                             now=LOGGED)  # fmt: skip
        with write_lock_held(store_url):
            started = time.monotonic()
            assert "first-stage" == services.show_case(uow, ref=ref, as_of=LOGGED).stage
            assert time.monotonic() - started < 1
