"""What the live view asks of the store: the same services, in the same transactions, as the
commands (cli/app.State's `read` and `change`), with the clock read again for each one.

A command reads the clock once, as it starts; the live view stays open all day, so each read
and each step takes its own reading, as a command run then would. Nothing here imports Textual:
the tests drive it directly too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from complaintctl.cli.app import State
    from complaintctl.domain.letters import LetterFormat
    from complaintctl.domain.procedure import Action, ActionKind
    from complaintctl.services.steps import Spec
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import (
        ActionView,
        CaseView,
        ExplainView,
        FindReport,
        LetterBatch,
        QueueReport,
        StaffView,
    )

T = TypeVar("T")

# As many cases as a search lists before saying how many more there are (`find`'s default).
FIND_LIMIT = 50


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Session:
    """The acting member's session on one store: every read and step of the live view."""

    state: State
    # services.queue's arguments but `as_of`, as `queue` makes them (cli/queries.py).
    filters: dict[str, Any] = field(default_factory=dict)
    clock: Callable[[], datetime] = _now

    def __post_init__(self) -> None:
        self.started_with = dict(self.filters)  # the filters `live` was started with
        # The SQLite file read last (its device and inode): the view stays open all day, and a
        # file removed or replaced meanwhile is still open to it, where no one else would see.
        self._file: tuple[int, int] | None = None
        # The acting member as the staff list had them at the last read of the queue or a
        # case (None: not active staff): a senior may change their role, or remove them,
        # while the view is open.
        self.acting: StaffView | None = None

    @property
    def actor(self) -> str:
        return self.state.actor

    def views(self) -> list[str]:
        """The config file's saved queue views, by name."""
        from complaintctl import config

        return sorted((self.state.config or config.load()).views)

    def filters_for(self, view: str | None = None, **options: Any) -> dict[str, Any]:
        """The queue's filters for a saved view and the options `queue` takes (--area, --owner,
        --mine, --stage, --due-within, --breached …), made as `queue` makes them; a view or
        option that cannot be raises its ComplaintError."""
        from complaintctl.cli.queries import queue_arguments

        return queue_arguments(self.state, view, **options)

    def queue_with(self, filters: dict[str, Any]) -> QueueReport:
        """The queue with other filters, which are kept if it can be read with them; if not,
        its ComplaintError is raised and the filters stay as they were."""
        kept = self.filters
        self.filters = filters
        try:
            return self.queue()
        except BaseException:
            self.filters = kept
            raise

    def _tick(self) -> None:
        self.state.now = self.clock()
        self._same_store()

    def _same_store(self) -> None:
        """An SQLite store removed or moved since it was opened is refused, rather than read
        and written where no one else sees it; one replaced (a restore) is opened again."""
        import os

        from complaintctl.errors import StoreUnavailable
        from complaintctl.store.db import sqlite_file

        path = sqlite_file(self.state.url())
        if path is None:
            return
        try:
            found = os.stat(path)
        except FileNotFoundError:
            found = None
        except OSError as err:  # its folder no longer one, or not to be entered: a share gone
            self.state.close()
            raise StoreUnavailable(f"cannot open the store {path}: {err.strerror}") from None
        if found is None or found.st_size == 0:
            if self._file is not None:
                self.state.close()
                raise StoreUnavailable(
                    f"the store {path} is no longer there (removed or moved since the live "
                    "view opened it): nothing was read from or written to it; put it back, or "
                    "quit and start live again"
                )
            return  # never opened: the store's own checks say so
        now = (found.st_dev, found.st_ino)
        if self._file is not None and now != self._file:
            self.state.close()  # opened again, on the file there now
        self._file = now

    def _read(self, query: Callable[[UnitOfWork, datetime], T]) -> T:
        """`query` in a reading transaction, as `State.read` runs a command's, on a store still
        at this program's schema revision (checked in the transaction: the view stays open
        while a newer complaintctl may upgrade the store)."""

        def checked(uow: UnitOfWork, when: datetime) -> T:
            uow.require_current()
            return query(uow, when)

        return self.state.read(checked, None)

    def _change(self, step: Callable[[UnitOfWork, datetime], T]) -> T:
        """`step` in one writing transaction, as `State.change` runs a command's, refused
        before anything is written if the store is no longer at this program's revision."""

        def checked(uow: UnitOfWork, when: datetime) -> T:
            uow.require_current()
            return step(uow, when)

        return self.state.change(checked, None)

    def queue(self) -> QueueReport:
        """The queue as `queue` lists it, with these filters, as of now."""
        from complaintctl import services

        self._tick()
        filters = self.filters

        def read(uow: UnitOfWork, when: datetime) -> QueueReport:
            report = services.queue(uow, as_of=when, **filters)
            self._acting(uow)
            return report

        return self._read(read)

    def find(self, text: str) -> FindReport:
        """The cases `find TEXT` lists."""
        from complaintctl import services

        self._tick()
        return self._read(lambda uow, _when: services.find_cases(uow, text=text, limit=FIND_LIMIT))

    def case(self, ref: str) -> tuple[CaseView, tuple[Action, ...]]:
        """The case as `show` has it, and the steps the acting member may take on it now, read
        together in one transaction."""
        view, offered, _ = self.case_and_actions(ref)
        return view, offered

    def case_and_actions(self, ref: str) -> tuple[CaseView, tuple[Action, ...], tuple[Action, ...]]:
        """`case`, and what its actions offer the acting member (`action add`, `action done`),
        read together in one transaction."""
        from complaintctl import services
        from complaintctl.services.offered import actions_open_to, steps_open_to

        self._tick()

        def read(
            uow: UnitOfWork, when: datetime
        ) -> tuple[CaseView, tuple[Action, ...], tuple[Action, ...]]:
            view = services.show_case(uow, ref=ref, as_of=when)
            offered = steps_open_to(uow, ref=view.ref, by=self.actor)
            actions = actions_open_to(uow, view, by=self.actor)
            self._acting(uow)
            return view, offered, actions

        return self._read(read)

    def explain(self, ref: str, kind: str | None) -> ExplainView:
        """`explain REF KIND`: why the deadline falls where it does."""
        from complaintctl.services.explain import explain_deadline

        self._tick()
        return self._read(
            lambda uow, when: explain_deadline(
                uow, ref=ref, kind=kind, as_of=when, as_recorded=False
            )
        )

    def member(self) -> StaffView | None:
        """The acting member as the store holds them now; None if they are not active staff."""
        self._tick()
        return self._read(lambda uow, _when: self._acting(uow))

    def _acting(self, uow: UnitOfWork) -> StaffView | None:
        """The acting member as `uow` holds them (found as every step finds them), kept as
        `acting`."""
        from complaintctl import services

        self.acting = services.active_member(uow, self.actor)
        return self.acting

    def listed(self, name: str) -> tuple[str, ...]:
        """A list kept in the store that a form's choices come from: "causes", the names
        `cause list` lists."""
        from complaintctl import services

        if name != "causes":
            raise ValueError(f"no list {name!r}")
        self._tick()
        return self._read(lambda uow, _when: tuple(cause.name for cause in services.causes(uow)))

    def take(self, ref: str, seen: int, spec: Callable[[UnitOfWork], Spec]) -> CaseView:
        """Take a step on the case, in one transaction, as `REF --if-version SEEN` would: a
        case that moved on since version `seen` was shown is refused, saying what changed; any
        refusal raises its ComplaintError and writes nothing."""
        from complaintctl.services.steps import take_step

        self._tick()

        def step(uow: UnitOfWork, when: datetime) -> CaseView:
            uow.seen_versions[ref.strip().upper()] = seen
            return take_step(uow, ref, spec(uow), by=self.actor, at=when, now=self.state.now)

        return self._change(step)

    def add_action(
        self, ref: str, *, kind: ActionKind, what: str, owner: str, due: str | None,
        within: str | None,
    ) -> tuple[ActionView, CaseView]:  # fmt: skip
        """`action add REF --kind --what --owner (--due | --within)`, and the case as it leaves
        it, read in the same unit of work just after the action's commit: `due` read in the
        store's calendar zone, as the command reads it; a refusal raises its ComplaintError and
        writes nothing."""
        from complaintctl import services

        self._tick()

        def add(uow: UnitOfWork, when: datetime) -> tuple[ActionView, CaseView]:
            added = services.add_action(
                uow, ref=ref, kind=kind, what=what, owner=owner,
                due=None if due is None else self.state.instant(due, uow.calendar().tz, due=True),
                within=within, by=self.actor, at=when, now=self.state.now,
            )  # fmt: skip
            return added, services.show_case(uow, ref=added.ref, as_of=when)

        return self._change(add)

    def action_done(self, action_id: int, note: str | None) -> tuple[ActionView, CaseView]:
        """`action done ID [--note NOTE]`, and the case as it leaves it, read in the same unit
        of work just after the action's commit (services.action_done commits; a read that
        failed then would still be said as a refusal); a refusal raises its ComplaintError and
        writes nothing."""
        from complaintctl import services

        self._tick()

        def done(uow: UnitOfWork, when: datetime) -> tuple[ActionView, CaseView]:
            marked = services.action_done(
                uow, action_id=action_id, note=note, by=self.actor, at=when, now=self.state.now
            )
            return marked, services.show_case(uow, ref=marked.ref, as_of=when)

        return self._change(done)

    def issue_letter(
        self, ref: str, kind: str, format: LetterFormat | None, output: str
    ) -> LetterBatch:
        """`letter REF KIND --issue -o OUTPUT [--format FORMAT]`: the letter made from the case,
        written to the new file OUTPUT and recorded as issued, in one transaction, with the
        config file's templates and organisation; a refusal raises its ComplaintError, and
        neither the file nor the record is left. OUTPUT is a file's name, as `-o` takes it:
        `-` (stdout, where the screen is drawn) and a name ending in `/` (a folder's) are
        refused as the command refuses them, not written as a file named `-` or the folder's
        name."""
        from pathlib import Path

        from complaintctl.cli.letters import made_letters, templates_of
        from complaintctl.files import file_named

        file_named(output, "letter -o")
        self._tick()
        batch = self._change(
            lambda uow, when: made_letters(
                self.state,
                uow,
                when,
                refs=[ref.strip().upper()],
                kind=kind,
                format=format,
                templates=templates_of(self.state),
                issue=True,
                reissue=False,
                dry_run=False,
                output=Path(os.path.expanduser(output)),
                out_dir=None,
            )
        )
        if batch.refused:
            raise batch.refused[0][1]
        return batch
