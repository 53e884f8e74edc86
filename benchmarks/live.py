"""The live view's start-up and view changes, on a store of 100,000 cases (2,000 open).

    .venv/bin/python benchmarks/live.py               # needs the live extra
    .venv/bin/python benchmarks/live.py --size 10000 --runs 5

Start-up: a whole process, from `python` to the queue drawn with its rows (headless, through
Textual's test pilot, then quit), beside `python -c pass`. A view change: in process, with
the pilot, from the key to the screen drawn once more: opening a case (its read, the steps
open, a redraw), back to the queue (a redraw, no read), the queue read again (`r`), and a
search (`/`). The issue's target for a view change is 100 ms. The store is the one
benchmarks/run.py builds for its size (benchmarks/stores/), built here if it is not there.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import NOW, PYTHON, STORES, build_store

# Runs in a process of its own: the start-up to the queue drawn, then quit.
START = """
import asyncio, sys, time
start = time.perf_counter()
from datetime import datetime, UTC
from complaintctl.cli.app import State
from complaintctl.live.app import LiveApp, QueueTable
from complaintctl.live.session import Session
NOW = datetime.fromisoformat(sys.argv[2])
async def main():
    session = Session(State(db=sys.argv[1], actor="bench", now=NOW), clock=lambda: NOW)
    app = LiveApp(session, refresh_every=0)
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.screen.query(QueueTable) or not app.screen.query_one(QueueTable).row_count:
            await pilot.pause()
        print(time.perf_counter() - start)
asyncio.run(main())
"""


def start_up(store: Path, runs: int) -> tuple[list[float], list[float]]:
    args = [PYTHON, "-c", START, str(store), NOW.isoformat()]
    process, floor = [], []
    subprocess.run(args, check=True, capture_output=True)  # warm-up
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        process.append(time.perf_counter() - began)
        began = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], check=True)
        floor.append(time.perf_counter() - began)
    return process, floor


async def view_changes(store: Path, runs: int) -> dict[str, list[float]]:
    from complaintctl.cli.app import State
    from complaintctl.live.app import CaseScreen, LiveApp, QueueScreen, QueueTable
    from complaintctl.live.session import Session

    session = Session(State(db=str(store), actor="bench", now=NOW), clock=lambda: NOW)
    app = LiveApp(session, refresh_every=0)
    times: dict[str, list[float]] = {
        "a key bound to nothing (the pilot's own cost, a floor)": [],
        "open a case": [],
        "back to the queue": [],
        "queue read again (r)": [],
        "search (/)": [],
    }
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for run in range(runs + 1):  # the first is a warm-up
            began = time.perf_counter()
            await pilot.press("x")
            await pilot.pause()
            nothing = time.perf_counter() - began
            began = time.perf_counter()
            await pilot.press("enter")
            while not isinstance(app.screen, CaseScreen) or app.screen.view is None:
                await pilot.pause()
            await pilot.pause()
            opened = time.perf_counter() - began
            began = time.perf_counter()
            await pilot.press("escape")
            while not isinstance(app.screen, QueueScreen):
                await pilot.pause()
            await pilot.pause()
            back = time.perf_counter() - began
            began = time.perf_counter()
            await pilot.press("r")
            await pilot.pause()
            again = time.perf_counter() - began
            began = time.perf_counter()
            await pilot.press("slash", *"smith", "enter")
            await pilot.pause()
            searched = time.perf_counter() - began
            await pilot.press("escape")
            await pilot.pause()
            app.screen.query_one(QueueTable).move_cursor(row=run % 20)
            if run:
                times["a key bound to nothing (the pilot's own cost, a floor)"].append(nothing)
                times["open a case"].append(opened)
                times["back to the queue"].append(back)
                times["queue read again (r)"].append(again)
                times["search (/)"].append(searched)
    session.state.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=11)
    options = parser.parse_args()
    STORES.mkdir(exist_ok=True)
    store = STORES / f"cases-{options.size}.sqlite3"
    if not store.exists():
        print(f"building {store} …", file=sys.stderr)
        build_store(store, options.size)

    def line(name: str, times: list[float], floor: str = "") -> None:
        print(
            f"| {name} | {statistics.median(times) * 1000:.1f} ms | "
            f"{min(times) * 1000:.1f}–{max(times) * 1000:.1f} ms | {floor} |"
        )

    print(f"{options.size:,} cases, {options.runs} runs after a warm-up\n")
    print("| measurement | median | min–max | floor |\n|---|---|---|---|")
    process, floor = start_up(store, options.runs)
    line(
        "start-up to the queue drawn (process)",
        process,
        f"{statistics.median(floor) * 1000:.1f} ms (python3 -c pass)",
    )
    for name, times in asyncio.run(view_changes(store, options.runs)).items():
        line(name, times)


if __name__ == "__main__":
    main()
