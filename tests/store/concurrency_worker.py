"""One worker of the concurrency test: ACTIONS steps on a shared store, each its own transaction.

    python -m tests.store.concurrency_worker STORE_URL WORKER SHARED_REFS_JSON

Each step is what one command does (a unit of work that commits or writes nothing). The worker
prints one JSON line per step: what it tried, on which case, and whether the store took it.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel, Decision
from complaintctl.errors import ComplaintError
from complaintctl.store.db import open_engine, resolve_url
from complaintctl.store.uow import UnitOfWork

ACTIONS = 200
# Fixed instants per kind of step, so that every order the store serialises them in is allowed.
LOGGED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
STEP_AT = {
    "log": LOGGED,
    "acknowledge": datetime(2026, 11, 20, 11, 0, tzinfo=UTC),
    "assign": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    "respond": datetime(2026, 11, 20, 13, 0, tzinfo=UTC),
}


def step(uow: UnitOfWork, kind: str, ref: str, worker: int, n: int) -> str:
    at, now = STEP_AT[kind], datetime.now(UTC)
    if kind == "log":
        complaint = services.NewComplaint(
            consumer=f"Worker {worker}",
            email=f"worker{worker}@example.com",
            channel=Channel.EMAIL,
            category=Category.DELAY,
            summary=f"Complaint {worker}-{n}",
        )
        return services.log_complaint(
            uow, complaint=complaint, by="officer.one", at=at, now=now
        ).ref
    if kind == "acknowledge":
        by = f"officer.{['one', 'two', 'three'][worker % 3]}"
        services.acknowledge(uow, ref=ref, area="Casework", by=by, at=at, now=now)
    elif kind == "assign":
        to = ["rita.responder", "ruth.responder"][worker % 2]
        services.assign(uow, ref=ref, to=to, by="lee.leader", at=at, now=now)
    else:
        services.respond(
            uow,
            ref=ref,
            decision=Decision.NOT_UPHELD,
            summary=f"Response by worker {worker}",
            remedies=services.Remedies(),
            by=["rita.responder", "ruth.responder"][n % 2],  # only the assigned one may
            at=at,
            now=now,
        )
    return ref


def main() -> None:
    url, worker, shared = resolve_url(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    engine = open_engine(url)
    chooser = random.Random(worker)
    for n in range(ACTIONS):
        kind = chooser.choice(["log", "acknowledge", "assign", "respond"])
        ref = chooser.choice(shared)
        try:
            with UnitOfWork(engine, url, write=True) as uow:
                ref = step(uow, kind, ref, worker, n)
            outcome = {"kind": kind, "ref": ref, "taken": True}
        except ComplaintError as err:
            outcome = {"kind": kind, "ref": ref, "taken": False, "error": type(err).__name__,
                       "message": err.message}  # fmt: skip
        print(json.dumps(outcome), flush=True)  # noqa: T201 - the worker's report
    engine.dispose()


if __name__ == "__main__":
    main()
