"""Several processes on one SQLite store at once: nothing lost, nothing doubled.

Real processes (the console entry point under `python -m complaintctl`), one store file. Writers
take the lock when they begin (BEGIN IMMEDIATE) and queue on the busy timeout, so each command
sees the case as the previous one left it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import UnitFactory

WORKERS = 4
LOGS_EACH = 6


def _complaintctl(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
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


def _log_many(db: Path, worker: int) -> list[str]:
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


def test_processes_logging_at_once_get_unique_references_and_one_history_entry_each(
    unit: UnitFactory, db_path: Path
) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        refs = [ref for batch in pool.map(lambda w: _log_many(db_path, w), range(WORKERS))
                for ref in batch]  # fmt: skip

    with sqlite3.connect(db_path) as raw:
        stored = [row[0] for row in raw.execute("SELECT ref FROM complaint")]
        logs = Counter(
            row[0] for row in raw.execute("SELECT case_id FROM event WHERE action = 'log'")
        )
        counter = raw.execute("SELECT last FROM ref_counter WHERE year = 2026").fetchone()[0]
    assert (WORKERS * LOGS_EACH, WORKERS * LOGS_EACH) == (len(refs), len(set(refs)))
    assert sorted(refs) == sorted(stored)
    assert {1} == set(logs.values())
    assert WORKERS * LOGS_EACH == counter


def test_processes_acknowledging_the_same_cases_at_once_acknowledge_each_exactly_once(
    unit: UnitFactory, db_path: Path
) -> None:
    refs = _log_many(db_path, 0)

    def acknowledge_all(worker: int) -> list[int]:
        return [
            _complaintctl(db_path, "ack", ref, "--area", "Casework", "--at",
                          "2026-11-20T11:00").returncode
            for ref in refs
        ]  # fmt: skip

    with ThreadPoolExecutor(WORKERS) as pool:
        codes = [code for batch in pool.map(acknowledge_all, range(WORKERS)) for code in batch]

    # Exactly one of the racing acknowledgements of each case wins; the others are refused as
    # out of order (the case has moved on), writing nothing.
    assert Counter({0: len(refs), 5: len(refs) * (WORKERS - 1)}) == Counter(codes)
    for ref in refs:
        history = json.loads(_complaintctl(db_path, "history", ref, "--json").stdout)["history"]
        assert ["log", "acknowledge"] == [entry["action"] for entry in history]
