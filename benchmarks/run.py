"""complaintctl's benchmark suite: each measurement against a floor measured in the same run.

    .venv/bin/python benchmarks/run.py                 # stores of 10k, 100k and 1M cases
    .venv/bin/python benchmarks/run.py --sizes 10000 --runs 3   # quicker
    .venv/bin/python benchmarks/run.py --find-cases 1000000     # `find` alone, on 1M cases
    .venv/bin/python benchmarks/run.py --report-cases 100000    # `report` alone, a year
    .venv/bin/python benchmarks/run.py --bulk-only --bulk-cases 6000   # `ack -` alone

It builds its own stores (reproducibly, from a seed, with plain sqlite3 after complaintctl has
made the schema), times whole processes and in-process calls after a warm-up, and writes the
medians, min–max and the ratio to the floor to benchmarks/results/latest.md and .json.
Floors are minimal python3 scripts that use only sqlite3 (or nothing) to do the same work;
a table for people at a terminal has the same command piped (plain lines) as its floor.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import complaintctl
from complaintctl import views
from complaintctl.store.schema import SCHEMA_REVISION

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
STORES = HERE / "stores"
PYTHON = sys.executable
# A fixed "now" for every store and query, so runs are comparable.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OPEN_CASES = 2_000  # a team's open caseload, whatever the store's size
QUICK_RUNS = 21  # at least, for measurements of a few milliseconds (start-up, in process)
# At least, for `find`: a search takes a millisecond or two, which a busy moment of the machine
# outlasts: on a busy machine a median of 21 went from 1.7 ms to 3.9 ms from one run to the
# next; of 101, it held within a fifth.
FIND_RUNS = 101


def iso(instant: datetime) -> str:
    """The store's one text format for instants (naive UTC, microseconds)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# -- stores --------------------------------------------------------------------------------


def build_store(
    path: Path,
    size: int,
    seed: int = 7,
    *,
    all_received: bool = False,
    open_cases: int = OPEN_CASES,
) -> None:
    """`size` cases: `open_cases` open at every stage, the rest closed in earlier years; or,
    with `all_received`, every case received and waiting for its acknowledgement."""
    from complaintctl.domain.calendar import WorkingCalendar
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema
    from complaintctl.store.uow import UnitOfWork

    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    with UnitOfWork(engine, url, write=False) as uow:
        calendar: WorkingCalendar = uow.calendar()
    engine.dispose()

    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "INSERT INTO staff (username, name, role, area, active, added_by, added_at, removed_at)"
        " VALUES ('bench', 'Bench Mark', 'senior-complaint-executive', NULL, 1, 'bench', ?, NULL)",
        (iso(NOW),),
    )
    consumers, cases, deadlines = [], [], []
    counters: dict[int, int] = {}
    open_cases = size if all_received else open_cases
    for n in range(1, size + 1):
        is_open = n > size - open_cases
        if is_open:
            received = NOW - timedelta(minutes=rng.randrange(10, 40 * 24 * 60))
            stage = (
                "received"
                if all_received
                else rng.choice(
                    ["received", "received", "first-stage", "first-stage", "responded"]
                    + ["second-stage"]
                )
            )
        else:
            received = NOW - timedelta(days=60 + rng.randrange(0, 5 * 365))
            stage = rng.choice(["closed", "assessed", "closed"])
        year = received.year
        counters[year] = counters.get(year, 0) + 1
        ref = f"SC-{year}-{counters[year]:06d}"
        consumers.append((n, f"Consumer {n}", f"c{n}@example.com", None, None, "[]", iso(received)))
        area = None if stage == "received" else rng.choice(["Casework", "Energy", "Telecoms"])
        cases.append(
            (
                n,
                ref,
                n,
                "email",
                rng.choice(["delay", "updates", "process"]),
                f"Summary {n}",
                None,
                0,
                iso(received),
                stage,
                area,
                None,
                0,
                None,
                None,
                None,
                None,
                None,
                "bench",
                iso(received),
            )
        )
        ack_due = calendar.add_working_hours(received, 24)
        ack_end = None if stage == "received" else received + timedelta(hours=20)
        deadlines.append(
            (
                n,
                "acknowledge",
                iso(received),
                iso(ack_due),
                24,
                "working-hours",
                "24 working hours after receipt",
                iso(ack_end) if ack_end else None,
                "met" if ack_end else None,
            )
        )
        if stage in ("first-stage", "responded", "second-stage") or not is_open:
            assert ack_end is not None
            due = calendar.add_working_hours(ack_end, 24)
            end = None if stage == "first-stage" else ack_end + timedelta(hours=30)
            deadlines.append(
                (
                    n,
                    "respond",
                    iso(ack_end),
                    iso(due),
                    24,
                    "working-hours",
                    "24 working hours after acknowledgement",
                    iso(end) if end else None,
                    "met" if end else None,
                )
            )
        if len(cases) >= 50_000:
            _flush(db, consumers, cases, deadlines)
    _flush(db, consumers, cases, deadlines)
    db.executemany("INSERT OR REPLACE INTO ref_counter VALUES (?, ?)", counters.items())
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _flush(db: sqlite3.Connection, consumers: list, cases: list, deadlines: list) -> None:
    db.executemany(
        "INSERT INTO consumer (id, name, email, address, preferred_contact, adjustments,"
        " created_at) VALUES (?,?,?,?,?,?,?)",
        consumers,
    )
    db.executemany(
        "INSERT INTO complaint (id, ref, consumer_id, channel, category, summary, dispute_ref,"
        " board, received_at, stage, area, about, out_of_time, responder, first_responder,"
        " handler, close_reason, source_id, logged_by, logged_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        cases,
    )
    db.executemany(
        "INSERT INTO deadline (case_id, kind, start_at, due_at, amount, unit, rule, ended_at,"
        " outcome) VALUES (?,?,?,?,?,?,?,?,?)",
        deadlines,
    )
    consumers.clear()
    cases.clear()
    deadlines.clear()


# -- floors: plain sqlite3 doing the same work --------------------------------------------

# The floors' queries return the rows complaintctl's own queries return, columns and all: the
# open clocks past due of cases and of restriction reviews (with each case's version), and the
# open cases with their running staff clock, restriction flag and what the queue shows.
_KINDS = "('acknowledge', 'respond', 'final', 'restriction-review')"
_OVERDUE_HALF = (
    "SELECT c.ref, d.kind, co.name, c.received_at, d.due_at, NULL, c.version, co.id, co.email"
    " FROM deadline d"
    " JOIN complaint c ON c.id = d.case_id JOIN consumer co ON co.id = c.consumer_id"
    " WHERE {ended} AND d.due_at < :at AND d.start_at <= :at AND d.kind IN " + _KINDS + ""
    " UNION ALL"
    " SELECT NULL, d.kind, co.name, r.decided_at, d.due_at, r.id, NULL, co.id, co.email"
    " FROM deadline d"
    " JOIN restriction r ON r.id = d.restriction_id JOIN consumer co ON co.id = r.consumer_id"
    " WHERE {ended} AND d.due_at < :at AND d.start_at <= :at AND d.kind IN " + _KINDS
)
# Clocks still open, and (as complaintctl also asks, for replays) clocks ended after `at`.
OVERDUE_SQL = (
    _OVERDUE_HALF.format(ended="d.ended_at IS NULL")
    + " UNION ALL "
    + _OVERDUE_HALF.format(ended="d.ended_at > :at")
    + " ORDER BY 5, 1"
)
QUEUE_SQL = (
    "SELECT c.ref, co.name, co.adjustments, EXISTS (SELECT 1 FROM restriction r"
    " WHERE r.consumer_id = co.id AND r.lifted_at IS NULL), c.stage, c.area, c.responder,"
    " c.handler, c.category, c.board, c.received_at, c.summary, d.kind, d.due_at, c.version,"
    " co.id, co.email"
    " FROM complaint c JOIN consumer co ON co.id = c.consumer_id LEFT JOIN deadline d"
    " ON d.case_id = c.id AND d.ended_at IS NULL AND d.kind IN ('acknowledge', 'respond', 'final')"
    " WHERE c.stage IN ('received', 'first-stage', 'responded', 'second-stage', 'final-response',"
    " 'referred') ORDER BY d.due_at IS NULL, d.due_at, c.ref"
)
OVERDUE_FIELDS = (
    "ref", "kind", "consumer", "received_at", "due", "restriction_id", "version", "consumer_id",
    "email",
)  # fmt: skip
QUEUE_FIELDS = (
    "ref", "consumer", "adjustments", "restricted", "stage", "area", "responder", "handler",
    "category", "board", "received_at", "summary", "kind", "due", "version", "consumer_id",
    "email",
)  # fmt: skip

FLOOR_OVERDUE = f"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute({OVERDUE_SQL!r}, {{"at": sys.argv[2]}}).fetchall()
print(json.dumps([dict(zip({OVERDUE_FIELDS!r}, r)) for r in rows]))
"""

FLOOR_QUEUE = f"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute({QUEUE_SQL!r}).fetchall()
print(json.dumps([dict(zip({QUEUE_FIELDS!r}, r)) for r in rows]))
"""


def timed(work: Callable[[], object], runs: int) -> list[float]:
    work()  # warm-up: caches, page cache, imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def timed_beside(
    work: Callable[[], object], floor: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """`work` and its floor timed in turn, run after run: a moment the machine is slow slows
    both, rather than one of them (this machine's runs differ by more than the gap between
    an in-process measurement and its floor)."""
    work_times, floor_times = [], []
    work(), floor()  # warm-up: caches, page cache, imports
    for _ in range(runs):
        for each, times in ((work, work_times), (floor, floor_times)):
            start = time.perf_counter()
            each()
            times.append(time.perf_counter() - start)
    return work_times, floor_times


def process(args: list[str], env: dict[str, str] | None = None) -> Callable[[], object]:
    full_env = {**os.environ, **(env or {})}

    def run() -> object:
        done = subprocess.run(args, env=full_env, capture_output=True, check=False)
        if done.returncode not in (0, 3):
            raise RuntimeError(f"{args} failed: {done.stderr.decode()[-500:]}")
        return done

    return run


def summary(times: list[float]) -> dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


class Report:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(self, name: str, times: list[float], floor: float, target: float, note: str) -> None:
        stats = summary(times)
        ratio = stats["median"] / floor
        self.rows.append(
            {
                "measurement": name,
                **stats,
                "floor": floor,
                "ratio": ratio,
                "target": target,
                "met": ratio <= target,
                "floor_is": note,
            }
        )
        print(
            f"{name:48} {stats['median'] * 1000:9.1f} ms  x{ratio:5.2f} (target <= {target})",
            flush=True,
        )


# -- the measurements ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--bulk-cases", type=int, default=10_000)
    parser.add_argument(
        "--bulk-only",
        action="store_true",
        help="time `ack -` and `ack --json -` alone, on a store of --bulk-cases received cases",
    )
    parser.add_argument(
        "--terminal-cases",
        type=int,
        default=20_000,
        help="open cases of the store `queue --limit 0` lists at a terminal",
    )
    parser.add_argument(
        "--find-cases",
        type=int,
        default=0,
        help="time `find` alone, in process, on a store of this many cases (built once)",
    )
    parser.add_argument(
        "--report-cases",
        type=int,
        default=0,
        help="time `report` for a year alone, on a store of this many cases with their "
        "history (built once)",
    )
    options = parser.parse_args()
    if options.report_cases:
        STORES.mkdir(exist_ok=True)
        RESULTS.mkdir(exist_ok=True)
        report = Report()
        report_benchmark(report, options.report_cases, options.runs)
        write_results(report, [options.report_cases], options.runs, name="report")
        return
    if options.bulk_only:
        RESULTS.mkdir(exist_ok=True)
        report = Report()
        stack = statistics.median(
            timed(process([PYTHON, "-c", "import typer, sqlmodel, rich.table"]), options.runs)
        )
        bulk_step_benchmark(report, options.bulk_cases, stack)
        write_results(report, [options.bulk_cases], options.runs, name="bulk")
        return
    if options.find_cases:
        STORES.mkdir(exist_ok=True)
        report = Report()
        find_benchmark(report, options.find_cases, max(options.runs, FIND_RUNS))
        write_results(report, [options.find_cases], options.runs, name="find")
        return
    sizes = [int(s) for s in options.sizes.split(",")]
    runs = options.runs
    STORES.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    # An installed complaintctl runs from bytecode: pip compiles it at install, and Python
    # writes it on the first run. Where PYTHONDONTWRITEBYTECODE is set (as in some sandboxes),
    # an editable install would otherwise recompile every module on every run.
    compileall.compile_dir(str(Path(complaintctl.__file__).parent), quiet=1)
    report = Report()
    cli = [str(Path(PYTHON).with_name("complaintctl"))]  # the console script users run

    # 1. Start-up: --help and completing a subcommand name. Each run is short and this
    # machine's noise is milliseconds, so these take more runs than the rest.
    quick = max(runs, QUICK_RUNS)
    completion = {
        "_COMPLAINTCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": "complaintctl ov",
        "COMP_CWORD": "1",
    }
    for name, work in (
        ("--help", process([*cli, "--help"])),
        ("completion of a subcommand name", process(cli, completion)),
    ):
        times, bare = timed_beside(work, process([PYTHON, "-c", "pass"]), quick)
        report.add(name, times, statistics.median(bare), 8, "python3 -c pass, timed in turn")

    stack = statistics.median(
        timed(process([PYTHON, "-c", "import typer, sqlmodel, rich.table"]), runs)
    )
    as_of = NOW.isoformat()
    overdue_ms: dict[int, float] = {}
    for size in sizes:
        # Named by schema revision: a store built for an older schema is rebuilt, not reused.
        path = STORES / f"bench-{size}-r{SCHEMA_REVISION}.sqlite3"
        if not path.exists():
            print(f"building a store of {size:,} cases…", flush=True)
            build_store_safely(path, size, build_store)
        env = {"COMPLAINTCTL_DB": str(path), "COMPLAINTCTL_USER": "bench"}
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(FLOOR_OVERDUE)
        floor_overdue = statistics.median(
            timed(process([PYTHON, f.name, str(path), iso(NOW)]), runs)
        )
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as g:
            g.write(FLOOR_QUEUE)
        floor_queue = statistics.median(timed(process([PYTHON, g.name, str(path)]), runs))

        # 2. Whole process against the stack's imports plus the floor script.
        times = timed(process([*cli, "overdue", "--json", "--as-of", as_of], env), runs)
        overdue_ms[size] = statistics.median(times)
        report.add(
            f"overdue --json, {size:,} cases (process)",
            times,
            stack + floor_overdue,
            1.5,
            "imports of typer+sqlmodel+rich.table + sqlite3 script",
        )
        times = timed(process([*cli, "queue", "--json", "--as-of", as_of], env), runs)
        report.add(
            f"queue --json, {size:,} cases (process)",
            times,
            stack + floor_queue,
            1.5,
            "imports of typer+sqlmodel+rich.table + sqlite3 script",
        )

        # 3. In process: the service against the floor's query.
        in_process(report, path, runs)
        os.unlink(f.name)
        os.unlink(g.name)

    # 4. Growth: the same number of overdue rows from the smallest to the largest store.
    if len(sizes) > 1:
        smallest, largest = min(sizes), max(sizes)
        report.add(
            f"overdue growth {smallest:,} -> {largest:,} cases",
            [overdue_ms[largest]],
            overdue_ms[smallest],
            1.5,
            f"overdue on {smallest:,} cases",
        )

    # 5. Import against executemany of the same rows in one transaction.
    import_benchmark(report, options.import_rows)

    # 6. A step on many cases: acknowledging every case of a store, in one command.
    bulk_step_benchmark(report, options.bulk_cases, stack)

    # 7. A table for people: the whole queue at a terminal against the same command piped.
    terminal_benchmark(report, cli, options.terminal_cases, runs)

    # 8. Deadline arithmetic in process: 100,000 deadlines in at most a second. Each run times
    # the deadlines alone, on a new calendar (so its caches start empty), after a warm-up.
    deadlines()
    report.add(
        "100,000 deadlines (24h and 20 days)",
        [deadlines() for _ in range(3)],
        1.0,
        1.0,
        "one second",
    )

    write_results(report, sizes, runs)


def in_process(report: Report, path: Path, runs: int) -> None:
    from complaintctl import services
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema
    from complaintctl.store.uow import UnitOfWork

    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    size = path.stem.split("-")[1]

    def service(verb: Callable[..., object]) -> Callable[[], object]:
        def run() -> object:
            with UnitOfWork(engine, url, write=False) as uow:
                return verb(uow, as_of=NOW)

        return run

    # One connection, kept open as the service's engine keeps its pooled one (with its cache).
    db = sqlite3.connect(path)

    def floor(sql: str, params: dict[str, str] | None = None) -> Callable[[], object]:
        def run() -> object:
            return db.execute(sql, params or {}).fetchall()

        return run

    runs = max(runs, QUICK_RUNS)
    for name, verb, sql, params in (
        ("overdue", services.overdue, OVERDUE_SQL, {"at": iso(NOW)}),
        ("queue", services.queue, QUEUE_SQL, None),
    ):
        times, floor_times = timed_beside(service(verb), floor(sql, params), runs)
        report.add(
            f"{name} in process, {int(size):,} cases",
            times,
            statistics.median(floor_times),
            2.5,
            "the same query with sqlite3, timed in turn",
        )
    engine.dispose()


def _log_details(record: dict[str, str]) -> dict[str, object]:
    """What an imported case's history entry records (services.intake.log_details)."""
    return {
        "consumer": record["consumer"],
        "email": record["email"],
        "address": None,
        "channel": record["channel"],
        "category": record["category"],
        "summary": record["summary"],
        "dispute": None,
        "board": False,
        "about": None,
        "out_of_time": False,
        "acknowledge_due": record["received_at"],
        "imported_from": "batch.csv",
        "line": record["source_id"],
    }


IMPORT_RUNS = 5
# Rows a statement of the import's floor, as complaintctl's import writes them on SQLite
# (store/bulk.py: one row a statement, the triggers' index rows were written a row at a time).
FLOOR_ROWS_A_STATEMENT = 1000


def insert_many(db: sqlite3.Connection, head: str, one_row: str, rows: list[tuple]) -> None:
    """`rows` inserted FLOOR_ROWS_A_STATEMENT a statement: `head` VALUES `one_row`, …"""
    for first in range(0, len(rows), FLOOR_ROWS_A_STATEMENT):
        piece = rows[first : first + FLOOR_ROWS_A_STATEMENT]
        values = ", ".join([one_row] * len(piece))
        db.execute(f"{head} VALUES {values}", [value for row in piece for value in row])


def import_benchmark(report: Report, rows: int) -> None:
    """Import `rows` against a floor that writes the same rows (in a folder removed after)."""
    folder = Path(tempfile.mkdtemp(prefix="complaintctl-bench-"))
    try:
        _import_benchmark(report, rows, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _import_benchmark(report: Report, rows: int, folder: Path) -> None:
    rng = random.Random(11)
    batch = folder / "batch.csv"
    with batch.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["consumer", "email", "channel", "category", "summary", "received_at", "source_id"]
        )
        for n in range(rows):
            received = NOW - timedelta(minutes=rng.randrange(60, 300 * 24 * 60))
            writer.writerow(
                [
                    f"Person {n}",
                    f"p{n}@example.com",
                    "email",
                    "delay",
                    f"Summary {n}",
                    received.isoformat(),
                    f"form-{n}",
                ]
            )
    # The floor: the rows an import writes (a consumer, the complaint, its acknowledgement
    # deadline and its history entry per row, and the case's row of the search index, written
    # as the import writes it: the triggers held back, then every row at once in key order),
    # with executemany, in one committed transaction.
    # What it leaves out is complaintctl's own work: checking rows, matching consumers and
    # restrictions, and working out each deadline.
    empty_store = folder / "empty.sqlite3"
    build_store(empty_store, 0)
    with closing(sqlite3.connect(empty_store)) as db:
        triggers = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert "complaint_searched" in triggers, (
        f"the empty store lacks the search index's triggers: {triggers}"
    )

    def indexed(store: Path) -> None:
        """Every case has its row of the search index, holding its reference and summary."""
        from complaintctl.store.search import key_sql

        with closing(sqlite3.connect(store)) as db:
            found = db.execute(
                "SELECT count(*) FROM case_search s JOIN complaint c"
                f" ON s.rowid = {key_sql('c')}"  # keyed by day of receipt and id (revision 0005)
                " WHERE instr(s.document, c.ref) AND instr(s.document, c.summary)"
            ).fetchone()[0]
        assert found == rows, f"{store.name}: {found} of {rows} cases in the search index"

    def floor() -> float:
        floor_store = folder / "floor.sqlite3"
        shutil.copy(empty_store, floor_store)
        start = time.perf_counter()
        db = sqlite3.connect(floor_store)
        with batch.open(newline="") as data:
            records = list(csv.DictReader(data))
        insert_many(
            db,
            "INSERT INTO consumer (id, name, email, adjustments, created_at)",
            "(?, ?, ?, '[]', ?)",
            [(n, r["consumer"], r["email"], r["received_at"]) for n, r in enumerate(records, 1)],
        )
        db.execute("INSERT INTO case_search_held DEFAULT VALUES")
        insert_many(
            db,
            "INSERT INTO complaint (id, ref, consumer_id, channel, category, summary, board,"
            " received_at, stage, out_of_time, source_id, logged_by, logged_at)",
            "(?, ?, ?, ?, ?, ?, 0, ?, 'received', 0, ?, 'bench', ?)",
            [
                (
                    n,
                    f"F-{n}",
                    n,
                    r["channel"],
                    r["category"],
                    r["summary"],
                    r["received_at"],
                    r["source_id"],
                    r["received_at"],
                )
                for n, r in enumerate(records, 1)
            ],
        )
        db.execute("DELETE FROM case_search_held")
        db.execute(
            "INSERT INTO case_search (rowid, document) SELECT"
            " CAST(replace(substr(c.received_at, 1, 10), '-', '') AS INTEGER) * 68719476736"
            " + c.id, c.ref || ' ' || coalesce(c.dispute_ref, '') || ' ' || co.name || ' ' ||"
            " coalesce(co.email, '') || ' ' || coalesce(co.address, '') || ' ' || c.summary"
            " FROM complaint c JOIN consumer co ON co.id = c.consumer_id ORDER BY 1"
        )
        db.executemany(
            "INSERT INTO deadline (case_id, kind, start_at, due_at, amount, unit, rule)"
            " VALUES (?, 'acknowledge', ?, ?, 24, 'working-hours', 'after receipt')",
            [(n, r["received_at"], r["received_at"]) for n, r in enumerate(records, 1)],
        )
        # Each entry sealed as simply as can be: one SHA-256 of its details, one for its link.
        events, link = [], "0" * 64
        for n, r in enumerate(records, 1):
            details = json.dumps(_log_details(r), sort_keys=True)
            digest = hashlib.sha256(details.encode()).hexdigest()
            link = hashlib.sha256(bytes.fromhex(link) + bytes.fromhex(digest)).hexdigest()
            events.append((n, n, r["received_at"], r["received_at"], details, digest, link))
        db.executemany(
            "INSERT INTO event (id, case_id, action, actor, at, recorded_at, details, digest,"
            " chain) VALUES (?, ?, 'log', 'bench', ?, ?, ?, ?, ?)",
            events,
        )
        db.execute(
            "UPDATE chain_head SET last_id = ?, entries = ?, chain = ?",
            (len(events), len(events), link),
        )
        db.commit()
        db.close()
        took = time.perf_counter() - start
        indexed(floor_store)
        floor_store.unlink()
        return took

    # Each run imports into a fresh copy of the empty store: IMPORT_RUNS runs, unless the batch is
    # so large that one run is minutes (its memory is what it shows); each in turn with its
    # floor, so that a slow moment of the machine slows both.
    floor_times, timings, peaks = [], [], []
    for run in range(IMPORT_RUNS if rows <= 100_000 else 1):
        floor_times.append(floor())
        store = folder / f"import-{run}.sqlite3"
        shutil.copy(empty_store, store)
        env = {**os.environ, "COMPLAINTCTL_DB": str(store), "COMPLAINTCTL_USER": "bench"}
        took, peak = _timed_with_peak(["import", str(batch)], env)
        timings.append(took)
        indexed(store)
        peaks.extend([peak] if peak is not None else [])
    report.add(
        f"import {rows:,} rows (process)",
        timings,
        statistics.median(floor_times),
        3,
        "sqlite3 inserts of the rows it writes, index rows too, one transaction",
    )
    if peaks:
        report.rows[-1]["peak_memory_mib"] = round(max(peaks), 1)
        print(f"{'':48} peak memory {max(peaks):.0f} MiB", flush=True)


BULK_RUNS = 5

# The floor of a step on many cases: what acknowledging reads and writes, with plain sqlite3,
# in one committed transaction, as a process: each case and its running clocks read by
# reference (a piece of 500 at a time) with when its last step was, then each case moved on, its
# acknowledgement clock met, its response clock started and its history entry added, and a line
# printed for each. What it leaves out is complaintctl's own work: the checks every step makes
# (who may, the stage, the order of steps, the text typed) and each response deadline.
FLOOR_ACK = """
import hashlib, json, sqlite3, sys
from datetime import UTC, datetime
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[2]) as refs:
    wanted = refs.read().split()
# Read what a step reads of each case: its row, its running clocks, when its last step was.
found = []
for first in range(0, len(wanted), 500):
    piece = wanted[first : first + 500]
    marks = ",".join("?" * len(piece))
    found += [
        (case_id, ref, version)
        for case_id, ref, version, *_ in db.execute(
            "SELECT id, ref, version, stage, area, responder, first_responder, handler,"
            " received_at, out_of_time, consumer_id, close_reason"
            f" FROM complaint WHERE ref IN ({marks})",
            piece,
        )
    ]
due_by_case, last_step = {}, {}
ids = [case_id for case_id, _, _ in found]
for first in range(0, len(ids), 500):
    piece = ids[first : first + 500]
    marks = ",".join("?" * len(piece))
    for clock_id, case_id, kind, start, due in db.execute(
        "SELECT id, case_id, kind, start_at, due_at FROM deadline"
        f" WHERE case_id IN ({marks}) AND ended_at IS NULL ORDER BY id",
        piece,
    ):
        due_by_case[case_id] = (clock_id, due)
    last_step.update(
        db.execute(
            "SELECT case_id, max(at) FROM event"
            f" WHERE case_id IN ({marks}) AND action IN ('log', 'acknowledge')"
            " GROUP BY case_id",
            piece,
        )
    )
at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
db.executemany(
    "UPDATE complaint SET stage = 'first-stage', area = 'Casework', version = ? WHERE id = ?",
    [(version + 1, case_id) for case_id, _, version in found],
)
db.executemany(
    "UPDATE deadline SET ended_at = ?, outcome = 'met' WHERE id = ?",
    [(at, clock_id) for clock_id, _ in due_by_case.values()],
)
db.executemany(
    "INSERT INTO deadline (case_id, kind, start_at, due_at, amount, unit, rule)"
    " VALUES (?, 'respond', ?, ?, 20, 'working-days', 'after acknowledgement')",
    [(case_id, at, at) for case_id, _, _ in found],
)
# Each entry sealed as simply as can be: one SHA-256 of its details, one for its link.
last_id, entries, link = db.execute("SELECT last_id, entries, chain FROM chain_head").fetchone()
events = []
for case_id, _, _ in found:
    details = json.dumps(
        {"area": "Casework", "due": due_by_case[case_id][1], "on_time": False, "respond_due": at},
        sort_keys=True,
    )
    digest = hashlib.sha256(details.encode()).hexdigest()
    link = hashlib.sha256(bytes.fromhex(link) + bytes.fromhex(digest)).hexdigest()
    last_id += 1
    events.append((last_id, case_id, at, at, details, digest, link))
db.executemany(
    "INSERT INTO event (id, case_id, action, actor, at, recorded_at, details, digest, chain)"
    " VALUES (?, ?, 'acknowledge', 'bench', ?, ?, ?, ?, ?)",
    events,
)
db.execute(
    "UPDATE chain_head SET last_id = ?, entries = ?, chain = ?",
    (last_id, entries + len(events), link),
)
db.commit()
print("\\n".join(f"Acknowledged {ref}, routed to Casework" for _, ref, _ in found))
"""


def bulk_step_benchmark(report: Report, cases: int, stack: float) -> None:
    """`ack -` of every case in a store of `cases` received cases, against the stack's imports
    plus a script that reads and writes the same rows (in a folder removed after)."""
    folder = Path(tempfile.mkdtemp(prefix="complaintctl-bench-"))
    try:
        _bulk_step_benchmark(report, cases, stack, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _bulk_step_benchmark(report: Report, cases: int, stack: float, folder: Path) -> None:
    received = folder / "received.sqlite3"
    build_store(received, cases, all_received=True)
    with sqlite3.connect(received) as db:
        # Someone working in the area the cases are routed to: `ack --area` refuses an area
        # no member of staff works in.
        db.execute(
            "INSERT INTO staff (username, name, role, area, active, added_by, added_at)"
            " VALUES ('lee', 'Lee Leader', 'leader', 'Casework', 1, 'bench', ?)",
            (iso(NOW),),
        )
        refs = [ref for (ref,) in db.execute("SELECT ref FROM complaint ORDER BY ref")]
    db.close()
    refs_file = folder / "refs.txt"
    refs_file.write_text("\n".join(refs) + "\n")
    script = folder / "floor_ack.py"
    script.write_text(FLOOR_ACK)
    cli = str(Path(PYTHON).with_name("complaintctl"))

    def acknowledged(store: Path) -> None:
        """Each run must have acknowledged every case, or it measured a refusal."""
        with sqlite3.connect(store) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM complaint WHERE stage = 'first-stage'"
            ).fetchone()
        db.close()
        if count != cases:
            raise RuntimeError(f"{store.name}: {count} of {cases} cases acknowledged")

    def timed_on_copy(args: list[str], env: dict[str, str] | None = None) -> float:
        """`args` (the store's path as `{store}`) run on a new copy of the store, refs on stdin."""
        store = folder / "copy.sqlite3"
        for leftover in folder.glob("copy.sqlite3*"):  # a copy's -wal would replay the last run
            leftover.unlink()
        shutil.copy(received, store)
        command = [str(store) if arg == "{store}" else arg for arg in args]
        with refs_file.open() as stdin:
            start = time.perf_counter()
            done = subprocess.run(
                command,
                stdin=stdin,
                env={**os.environ, **(env or {}), "COMPLAINTCTL_DB": str(store)},
                capture_output=True,
                check=False,
            )
            took = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode()[-500:])
        acknowledged(store)
        return took

    # In turn, run after run, so that a slow moment of the machine slows each alike.
    times, json_times, floor_times = [], [], []
    bench = {"COMPLAINTCTL_USER": "bench"}
    for _ in range(BULK_RUNS):
        floor_times.append(timed_on_copy([PYTHON, str(script), "{store}", str(refs_file)]))
        times.append(timed_on_copy([cli, "ack", "--area", "Casework", "-"], bench))
        json_times.append(timed_on_copy([cli, "ack", "--area", "Casework", "--json", "-"], bench))
    floor = statistics.median(floor_times)
    report.add(
        f"ack - of {cases:,} cases (process)",
        times,
        stack + floor,
        3,
        "imports of typer+sqlmodel+rich.table + sqlite3 script reading and writing the same rows",
    )
    # The same against the script alone, which starts no store stack (its imports alone take
    # longer than the script's whole run).
    report.add(
        f"ack - of {cases:,} cases (process), against the script alone",
        times,
        floor,
        3,
        "sqlite3 script reading and writing the same rows",
    )
    # The same step saying each case whole (`show --json` of each): every case read back,
    # its clocks counted, its history and its consumer's restrictions and incidents given.
    report.add(
        f"ack --json - of {cases:,} cases (process)",
        json_times,
        stack + floor,
        5,
        "imports of typer+sqlmodel+rich.table + sqlite3 script reading and writing the same rows",
    )


# Runs complaintctl and, at exit, reports its peak resident memory from /proc (Linux). The
# kernel's own count (getrusage's ru_maxrss) also holds what the forked child had before it
# ran complaintctl: the whole benchmark's memory.
PEAK_PROBE = """
import atexit, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print("PEAK_KIB", line.split()[1], file=sys.stderr)
atexit.register(peak)
sys.argv = ["complaintctl", *sys.argv[1:]]
runpy.run_module("complaintctl", run_name="__main__", alter_sys=True)
"""


def _timed_with_peak(args: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """How long `complaintctl args` takes, and its peak memory in MiB where /proc tells."""
    start = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", PEAK_PROBE, *args], env=env, capture_output=True, check=False
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode()[-500:])
    peaks = [line.split()[1] for line in done.stderr.decode().splitlines() if "PEAK_KIB" in line]
    return took, int(peaks[-1]) / 1024 if peaks else None


# The terminal the queue is shown on: its size, and colours. No pager (PAGER empty): the table
# goes to the terminal as it is, and the pager's own time is not complaintctl's.
TERMINAL = {"COLUMNS": "160", "LINES": "50", "TERM": "xterm-256color", "PAGER": ""}


def terminal_benchmark(report: Report, cli: list[str], cases: int, runs: int) -> None:
    """`queue --limit 0` of `cases` open cases with stdout a pseudo-terminal (a table for
    people, coloured) against the same command piped (plain lines), timed in turn."""
    path = STORES / f"bench-open-{cases}-r{SCHEMA_REVISION}.sqlite3"
    if not path.exists():
        print(f"building a store of {cases:,} open cases…", flush=True)
        partial = path.with_suffix(".building")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        build_store(partial, cases, open_cases=cases)
        partial.rename(path)
    env = {**os.environ, "COMPLAINTCTL_DB": str(path), "COMPLAINTCTL_USER": "bench", **TERMINAL}
    args = [*cli, "queue", "--limit", "0", "--as-of", NOW.isoformat()]

    def at_terminal() -> None:
        import pty
        import threading

        leader, follower = pty.openpty()
        shown: list[bytes] = []

        def read() -> None:  # the terminal's side: everything written, as it comes
            while True:
                try:
                    chunk = os.read(leader, 1 << 16)
                except OSError:  # the program ended and its side closed
                    return
                if not chunk:
                    return
                shown.append(chunk)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            done = subprocess.run(args, stdout=follower, stderr=subprocess.PIPE, env=env)
        finally:
            os.close(follower)
            reader.join()
            os.close(leader)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode()[-500:])
        # A table (its rule under the header), not plain lines.
        assert "─".encode() in b"".join(shown)[:8192], "queue did not draw a table"

    piped = process(args, env)
    times, floor_times = timed_beside(at_terminal, piped, max(runs, QUICK_RUNS // 2))
    report.add(
        f"queue --limit 0 at a terminal, {cases:,} open cases (process)",
        times,
        statistics.median(floor_times),
        1.25,
        "the same command piped (plain lines), timed in turn",
    )


def deadlines() -> float:
    """How long 100,000 deadlines take on a new calendar, half of each kind (not its setup)."""
    from complaintctl.domain.calendar import WorkingCalendar
    from complaintctl.store.calendar import bank_holidays

    days, _ = bank_holidays(range(2024, 2029))
    calendar = WorkingCalendar(closed_days=days)
    rng = random.Random(3)
    starts = [
        datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 2 * 525600))
        for _ in range(100_000)
    ]
    start = time.perf_counter()
    for n, instant in enumerate(starts):
        if n % 2:
            calendar.add_working_hours(instant, 24)
        else:
            calendar.add_working_days(instant, 20)
    return time.perf_counter() - start


# -- find ----------------------------------------------------------------------------------

FIRST_NAMES = (
    "Ann Amir Bob Cara Chen Dev Ela Femi Gita Hugh Ian Jade Kofi Lena Mo Nia Olu Priya Ravi "
    "Sara Tom Uma Viktor Wen Yusuf Zoe"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner "
    "Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan "
    "Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell Bailey Carter "
    "Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall Simpson Price "
    "Anderson Adams Wilkinson Ali Ahmed Foster Ellis Murphy Chapman Mason Gray Richards Webb "
    "Griffiths Hunt Palmer Campbell Holmes Mills Rogers Barnes Knight Matthews Barker Powell "
    "Stevens Kaur Fisher Butler Dixon Russell Harvey Pearson Graham Okafor Nowak Kowalski"
).split()
STREETS = "High Street,Station Road,Church Lane,Park Avenue,Mill Lane,Queens Road".split(",")
TOWNS = "Leeds York Bristol Cardiff Norwich Derby Exeter Hull Bath Leicester".split()
SUMMARY_PARTS = (
    ("No reply to", "Nobody answered", "I was ignored about", "Months of delay over",
     "Rude handling of", "Wrong decision on", "Lost paperwork for", "Conflicting advice about"),
    ("my complaint", "the boiler repair", "a meter reading", "the refund", "my broadband",
     "a parking charge", "the energy bill", "my pension transfer", "a mobile contract"),
    ("after several calls.", "despite letters.", "since March.", "and I want an apology.",
     "which cost me money.", "for the third time."),
)  # fmt: skip
# Typical searches: a surname, an email fragment, a reference, a word of a summary.
FIND_SEARCHES = (
    ("a surname", "Okafor"),
    ("an email fragment", "ravi.okafor4"),
    ("a reference", "SC-2024-012345"),
    ("a summary word", "broadband"),
    ("an email domain, in half the cases", "example.com"),
)


def build_find_store(path: Path, size: int, seed: int = 11) -> None:
    """`size` cases of people with realistic names, emails, addresses and summaries, for
    `find`: received over five years, most closed. Written with plain inserts, so the search
    index is filled by its triggers, as an import fills it. No clocks: find reads none."""
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema

    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    engine.dispose()
    rng = random.Random(seed)
    received = sorted(
        NOW - timedelta(minutes=rng.randrange(10, 5 * 365 * 24 * 60)) for _ in range(size)
    )
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    counters: dict[int, int] = {}
    consumers, cases = [], []
    for n, when in enumerate(received, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last}{rng.randrange(100)}@{rng.choice(['example.com', 'mail.test'])}"
        address = (
            f"{rng.randrange(1, 200)} {rng.choice(STREETS)}\n{rng.choice(TOWNS)}"
            if rng.random() < 0.6
            else None
        )
        consumers.append((n, f"{first} {last}", email.lower(), address, None, "[]", iso(when)))
        counters[when.year] = counters.get(when.year, 0) + 1
        summary = " ".join(rng.choice(part) for part in SUMMARY_PARTS)
        stage = "closed" if n <= size - OPEN_CASES else rng.choice(["received", "first-stage"])
        cases.append(
            (n, f"SC-{when.year}-{counters[when.year]:06d}", n, "email", "delay", summary,
             f"D-{rng.randrange(10**6)}" if rng.random() < 0.2 else None, 0, iso(when), stage,
             None, None, 0, None, None, None, None, None, "bench", iso(when))
        )  # fmt: skip
        if len(cases) >= 50_000:
            _flush(db, consumers, cases, [])
    _flush(db, consumers, cases, [])
    db.executemany("INSERT OR REPLACE INTO ref_counter VALUES (?, ?)", counters.items())
    db.commit()
    db.execute("ANALYZE")
    db.close()


# The floor: what `find` reads, by the same index, with sqlite3. The keys of the first 50 +
# 1,001 matches, greatest first (newest day first), which counts them; then the 50 most
# recently received of those received on the 50th's day or later, read by id.
FIND_LIMIT, FIND_COUNTED = 50, 1000
FIND_KEYS_SQL = (
    "SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid DESC LIMIT ?"
)
FIND_REST_OF_DAY_SQL = (
    "SELECT rowid FROM case_search WHERE case_search MATCH ? AND rowid < ? AND rowid >= ?"
    " ORDER BY rowid DESC"
)
_FIND_COLUMNS = (
    "SELECT c.ref, c.version, c.stage, c.received_at, co.id, co.name, co.email, co.address,"
    " c.dispute_ref, c.summary FROM complaint c JOIN consumer co ON co.id = c.consumer_id"
)
FIND_SQL = (
    f"{_FIND_COLUMNS} WHERE c.id IN ({{}}) ORDER BY c.received_at DESC, c.id DESC"
    f" LIMIT {FIND_LIMIT}"
)
# Every match read and sorted: the order `find` must give, checked once per search, untimed.
FIND_ALL_SQL = (
    f"{_FIND_COLUMNS} JOIN case_search s ON c.id = s.rowid % 68719476736"
    f" WHERE case_search MATCH ? ORDER BY c.received_at DESC, c.id DESC LIMIT {FIND_LIMIT}"
)


def find_floor(db: sqlite3.Connection, text: str) -> tuple[list[tuple[object, ...]], int]:
    """The floor's rows and how many matches it counted."""
    phrase = '"' + text + '"'
    counted = FIND_LIMIT + FIND_COUNTED + 1
    keys = [key for (key,) in db.execute(FIND_KEYS_SQL, (phrase, counted))]
    if not keys:
        return [], 0
    first = keys[min(FIND_LIMIT, len(keys)) - 1] // 2**36 * 2**36
    listed = [key for key in keys if key >= first]
    if len(listed) == counted:
        listed += [key for (key,) in db.execute(FIND_REST_OF_DAY_SQL, (phrase, keys[-1], first))]
    ids = [key % 2**36 for key in listed]
    return db.execute(FIND_SQL.format(",".join("?" * len(ids))), ids).fetchall(), len(keys)


def find_benchmark(report: Report, size: int, runs: int) -> None:
    """`find` in process for each of FIND_SEARCHES: against the floor, and against 100 ms."""
    from complaintctl import services
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema
    from complaintctl.store.uow import UnitOfWork

    path = STORES / f"find-{size}-r{SCHEMA_REVISION}.sqlite3"
    if not path.exists():
        print(f"building a store of {size:,} cases for find…", flush=True)
        start = time.perf_counter()
        build_store_safely(path, size)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    db = sqlite3.connect(path)
    for what, text in FIND_SEARCHES:

        def find(text: str = text) -> views.FindReport:
            with UnitOfWork(engine, url, write=False) as uow:
                return services.find_cases(uow, text=text, limit=FIND_LIMIT)

        def floor(text: str = text) -> object:
            return find_floor(db, text)

        found = find()
        matches = db.execute(
            "SELECT count(*) FROM case_search WHERE case_search MATCH ?", ('"' + text + '"',)
        ).fetchone()[0]
        # The same cases as the floor lists, and in the order reading every match gives.
        listed = [item.ref for item in found.items]
        assert found.items, f"{text!r} found nothing"
        assert listed == [row[0] for row in find_floor(db, text)[0]], text
        assert listed == [row[0] for row in db.execute(FIND_ALL_SQL, ('"' + text + '"',))], text
        times, floor_times = timed_beside(find, floor, runs)
        name = f"find {what} ({text}, {matches:,} found), {size:,} cases"
        report.add(
            name, times, statistics.median(floor_times), 2.5,
            "the same queries with sqlite3, timed in turn",
        )  # fmt: skip
        report.add(f"{name}, against 100 ms", times, 0.1, 1.0, "100 ms")
    engine.dispose()


# -- report ----------------------------------------------------------------------------------

# The year `report` counts, and what the floor counts of it: the same aggregates in plain SQL
# over the same tables (received by channel, category and Board; acknowledgements on time;
# each kind of clock due in the year by how it ended; responses by stage and decision with
# their goodwill; escalations, referrals, outcomes and incidents; the open cases by stage).
REPORT_YEAR = ("2026-01-01 00:00:00.000000", "2027-01-01 00:00:00.000000")
REPORT_FLOOR_SQL = (
    "SELECT channel, category, board, count(*) FROM complaint"
    " WHERE received_at >= :start AND received_at < :end GROUP BY 1, 2, 3",
    "SELECT json_extract(e.details, '$.on_time'), count(*) FROM event e"
    " JOIN complaint c ON c.id = e.case_id WHERE e.action = 'acknowledge'"
    " AND c.received_at >= :start AND c.received_at < :end GROUP BY 1",
    "SELECT kind, outcome, ended_at > due_at, count(*) FROM deadline"
    " WHERE case_id IS NOT NULL AND due_at >= :start AND due_at < :end GROUP BY 1, 2, 3",
    "SELECT stage, decision, count(*), sum(goodwill_pence) FROM response"
    " WHERE given_at >= :start AND given_at < :end GROUP BY 1, 2",
    "SELECT action, json_extract(details, '$.late'), count(*) FROM event"
    " WHERE action IN ('escalate', 'refer', 'outcome', 'incident')"
    " AND at >= :start AND at < :end GROUP BY 1, 2",
    "SELECT stage, count(*) FROM complaint WHERE stage IN ('received', 'first-stage',"
    " 'responded', 'second-stage', 'final-response', 'referred') GROUP BY 1",
)
FLOOR_REPORT = f"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
at = {{"start": {REPORT_YEAR[0]!r}, "end": {REPORT_YEAR[1]!r}}}
print(json.dumps([db.execute(sql, at).fetchall() for sql in {REPORT_FLOOR_SQL!r}]))
"""


def build_report_store(path: Path, size: int, seed: int = 11) -> None:
    """`size` cases received from June 2025 to now, each with the history its steps write
    (log, acknowledge, respond, escalate, final, close) and its clocks and responses, as the
    services would have recorded them; the last weeks' cases still open."""
    from complaintctl.domain.calendar import WorkingCalendar
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema
    from complaintctl.store.uow import UnitOfWork, details_json

    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    with UnitOfWork(engine, url, write=False) as uow:
        calendar: WorkingCalendar = uow.calendar()
    engine.dispose()
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    first = datetime(2025, 6, 1, tzinfo=UTC)
    span = int((NOW - first).total_seconds() // 60) - 60 * 24 * 3
    consumers: list = []
    cases: list = []
    deadlines: list = []
    events: list = []
    responses: list = []
    counters: dict[int, int] = {}

    def event(case: int, action: str, at: datetime, **details: object) -> None:
        events.append((case, action, "bench", iso(at), iso(at), details_json(details)))

    def clock(case: int, kind: str, start: datetime, due: datetime, ended: datetime | None,
              outcome: str | None = "met") -> None:  # fmt: skip
        deadlines.append((case, kind, iso(start), iso(due), 24, "working-hours", kind,
                          iso(ended) if ended else None, outcome if ended else None))  # fmt: skip

    for n in range(1, size + 1):
        received = first + timedelta(minutes=rng.randrange(span))
        year = received.year
        counters[year] = counters.get(year, 0) + 1
        channel = rng.choice(["online", "online", "email", "post", "phone"])
        category = rng.choice(["delay", "updates", "process", "explanation", "other"])
        board = rng.random() < 0.03
        ack_due = calendar.add_working_hours(received, 24)
        event(n, "log", received, channel=channel, category=category, board=board,
              out_of_time=False, acknowledge_due=ack_due)  # fmt: skip
        stage, area, close_reason = "received", None, None
        recent = NOW - received < timedelta(days=30)
        if rng.random() < 0.08:  # triaged out of scope
            closed = received + timedelta(hours=rng.randrange(1, 40))
            if not (recent and closed > NOW):
                clock(n, "acknowledge", received, ack_due, closed, "cancelled")
                event(n, "close", closed, reason="out-of-scope", because="decision")
                stage, close_reason = "closed", "out-of-scope: decision"
        acked = received + timedelta(hours=rng.randrange(1, 60))
        if stage == "received" and acked < NOW:
            area = rng.choice(["Casework", "Energy", "Telecoms"])
            respond_due = calendar.add_working_hours(acked, 24)
            clock(n, "acknowledge", received, ack_due, acked)
            event(n, "acknowledge", acked, area=area, due=ack_due, on_time=acked <= ack_due,
                  respond_due=respond_due)  # fmt: skip
            stage = "first-stage"
            answered = acked + timedelta(hours=rng.randrange(2, 120))
            if answered < NOW and rng.random() < 0.95:
                decision = rng.choice(["upheld", "partly-upheld", "not-upheld"])
                goodwill = 5000 if decision == "upheld" and rng.random() < 0.2 else None
                clock(n, "respond", acked, respond_due, answered)
                event(n, "respond", answered, decision=decision, summary="Answered",
                      remedies=["apology"], goodwill_pence=goodwill,
                      on_time=answered <= respond_due)  # fmt: skip
                responses.append((n, "first", decision, "Answered", '["apology"]', goodwill,
                                  "bench", iso(answered)))  # fmt: skip
                stage = "responded"
                escalated = answered + timedelta(days=rng.randrange(1, 20))
                if rng.random() < 0.2 and escalated < NOW:
                    final_due = calendar.add_working_days(escalated, 20)
                    event(n, "escalate", escalated, to="bench", final_due=final_due)
                    stage = "second-stage"
                    given = escalated + timedelta(days=rng.randrange(7, 40))
                    if given < NOW:
                        clock(n, "final", escalated, final_due, given)
                        refer_by = calendar.add_months(given, 3)
                        event(n, "final", given, decision=decision, summary="Final",
                              remedies=[], goodwill_pence=None, on_time=given <= final_due,
                              refer_by=refer_by)  # fmt: skip
                        responses.append((n, "final", decision, "Final", "[]", None, "bench",
                                          iso(given)))  # fmt: skip
                        stage = "final-response"
                    else:
                        clock(n, "final", escalated, final_due, None)
                elif escalated < NOW:
                    event(n, "close", escalated, reason="accepted", because=None)
                    stage, close_reason = "closed", "accepted"
            else:
                clock(n, "respond", acked, respond_due, None)
        elif stage == "received":
            clock(n, "acknowledge", received, ack_due, None)
        consumers.append((n, f"Consumer {n}", f"c{n}@example.com", None, None, "[]",
                          iso(received)))  # fmt: skip
        cases.append((n, f"SC-{year}-{counters[year]:06d}", n, channel, category, f"Summary {n}",
                      None, board, iso(received), stage, area, None, 0, None, None, None,
                      close_reason, None, "bench", iso(received)))  # fmt: skip
        if len(cases) >= 50_000:
            _flush_history(db, consumers, cases, deadlines, events, responses)
    _flush_history(db, consumers, cases, deadlines, events, responses)
    db.executemany("INSERT OR REPLACE INTO ref_counter VALUES (?, ?)", counters.items())
    db.commit()
    db.close()
    # Each case's kept facts (revision 0012), replayed from the history as an upgrade fills
    # them: a store the program wrote would have them.
    from complaintctl.store.facts import fill

    engine = open_engine(url)
    with engine.begin() as connection:
        fill(connection)
    engine.dispose()
    with closing(sqlite3.connect(path)) as db:
        db.execute("ANALYZE")


def _flush_history(db: sqlite3.Connection, consumers: list, cases: list, deadlines: list,
                   events: list, responses: list) -> None:  # fmt: skip
    _flush(db, consumers, cases, deadlines)
    db.executemany(
        # The report reads no seals: the entries are left unsealed (`db verify` would say so).
        "INSERT INTO event (case_id, action, actor, at, recorded_at, details, digest, chain)"
        " VALUES (?,?,?,?,?,?,'','')",
        events,
    )
    db.executemany(
        "INSERT INTO response (case_id, stage, decision, summary, remedies, goodwill_pence,"
        " given_by, given_at) VALUES (?,?,?,?,?,?,?,?)",
        responses,
    )
    events.clear()
    responses.clear()


def report_benchmark(report: Report, size: int, runs: int) -> None:
    """`report --period 2026` on a store of `size` cases with their history: the service in
    process against the floor's queries, and the whole command against the stack's imports
    plus the floor as a script."""
    from complaintctl import services
    from complaintctl.domain.periods import parse_period
    from complaintctl.store.db import open_engine, resolve_url
    from complaintctl.store.schema import ensure_schema
    from complaintctl.store.uow import UnitOfWork

    path = STORES / f"report-{size}-r{SCHEMA_REVISION}.sqlite3"
    if not path.exists():
        print(f"building a store of {size:,} cases with their history…", flush=True)
        start = time.perf_counter()
        build_store_safely(path, size, build_report_store)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, NOW)
    year = parse_period("2026")

    def counted() -> views.ReportView:
        with UnitOfWork(engine, url, write=False) as uow:
            return services.report(uow, period=year, as_of=NOW)

    db = sqlite3.connect(path)
    at = {"start": REPORT_YEAR[0], "end": REPORT_YEAR[1]}

    def floor() -> object:
        return [db.execute(sql, at).fetchall() for sql in REPORT_FLOOR_SQL]

    times, floor_times = timed_beside(counted, floor, runs)
    report.add(
        f"report --period 2026 in process, {size:,} cases",
        times,
        statistics.median(floor_times),
        2.0,
        "the same aggregates in SQL with sqlite3, timed in turn",
    )
    engine.dispose()
    cli = [str(Path(PYTHON).with_name("complaintctl"))]
    env = {"COMPLAINTCTL_DB": str(path), "COMPLAINTCTL_USER": "bench"}
    stack = statistics.median(
        timed(process([PYTHON, "-c", "import typer, sqlmodel, rich.table"]), runs)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(FLOOR_REPORT)
    floor_script = statistics.median(timed(process([PYTHON, f.name, str(path)]), runs))
    os.unlink(f.name)
    times = timed(
        process([*cli, "report", "--period", "2026", "--json", "--as-of", NOW.isoformat()], env),
        runs,
    )
    report.add(
        f"report --period 2026 --json, {size:,} cases (process)",
        times,
        stack + floor_script,
        2.0,
        "imports of typer+sqlmodel+rich.table + sqlite3 script",
    )


def build_store_safely(
    path: Path, size: int, build: Callable[[Path, int], None] | None = None
) -> None:
    """Build at a temporary name, then move into place: an interrupted or failed build is
    never reused. `build` is the find store's builder unless another is given."""
    partial = path.with_suffix(".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    (build or build_find_store)(partial, size)
    partial.rename(path)


def write_results(report: Report, sizes: list[int], runs: int, name: str = "latest") -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if name == "find":
        said = (
            f"`find` alone, in process, {max(runs, FIND_RUNS)} runs of each search after a "
            "warm-up, each timed in turn with its floor; a store of "
        )
    else:
        said = (
            f"{runs} runs after a warm-up ({max(runs, QUICK_RUNS)} for start-up and in-process "
            f"measurements, {IMPORT_RUNS} for an import of up to 100,000 rows, each into an "
            f"empty store, and {BULK_RUNS} for a step on many cases, each on a new copy of its "
            "store); stores of "
        )
    stores = f"{', '.join(f'{s:,}' for s in sizes)} cases ({OPEN_CASES:,} open)."
    if name == "bulk":
        said = f"{BULK_RUNS} runs of each, in turn, each on a new copy of its store; a store of "
        stores = f"{sizes[0]:,} cases, every one received and waiting for its acknowledgement."
    lines = [
        f"Measured {when} on {machine}; {said}{stores}",
        "",
        "| measurement | median | min–max | floor | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        lines.append(
            f"| {row['measurement']} | {row['median'] * 1000:.1f} ms "
            f"| {row['min'] * 1000:.1f}–{row['max'] * 1000:.1f} ms "
            f"| {row['floor'] * 1000:.1f} ms ({row['floor_is']}) | {row['ratio']:.2f} "
            f"| ≤ {row['target']} | {'yes' if row['met'] else '**no**'} |"
        )
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"machine": machine, "when": when, "results": report.rows}, indent=2) + "\n"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
