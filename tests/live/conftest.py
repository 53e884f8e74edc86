"""The live view on a real store: the demo store (services/demo.py), made once at a fixed
instant and copied for each test, and the clock fixed there too (the session's clock is a
parameter, as every instant is)."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from complaintctl.cli.app import State
from complaintctl.live.session import Session
from complaintctl.services import demo

if TYPE_CHECKING:
    from complaintctl.live.app import LiveApp

# The live view needs the `live` extra (Textual): without it, its tests are not collected.
if importlib.util.find_spec("textual") is None:
    collect_ignore_glob = ["test_*.py"]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the `async def` tests here (Textual's pilot is async) on an event loop of their
    own, without a plugin for it."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


# A Wednesday at noon: the demo has cases breached, due soon, on track and waiting.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live") / "demo.sqlite3"
    maker = State(db=str(path), actor="sam", now=NOW)
    demo.fill(lambda: maker.unit_of_work(write=True), NOW)
    maker.close()
    return path


@pytest.fixture
def demo_store(tmp_path: Path, demo_template: Path) -> str:
    """A demo store of the test's own."""
    path = tmp_path / "store" / "demo.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(demo_template, path)
    return str(path)


Sessions = Callable[..., Session]


@pytest.fixture
def session(demo_store: str) -> Sessions:
    """`session("olu")`: the acting member's session on the demo store, its clock at NOW."""
    made: list[State] = []

    def make(actor: str = "olu", **filters: object) -> Session:
        state = State(db=demo_store, actor=actor, now=NOW, origin=("tester", "testhost"))
        made.append(state)
        return Session(state, dict(filters), clock=lambda: NOW)

    yield make  # type: ignore[misc]
    for state in made:
        state.close()


Apps = Callable[..., "LiveApp"]


@pytest.fixture
def live(session: Sessions) -> Apps:
    """`live("olu")`: the live view as olu, not read again by the minute unless asked."""

    def make(actor: str = "olu", refresh_every: float = 0, **filters: object) -> LiveApp:
        from complaintctl.live.app import LiveApp

        return LiveApp(session(actor, **filters), refresh_every=refresh_every)

    return make
