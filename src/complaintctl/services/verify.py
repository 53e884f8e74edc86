"""`db verify`: is the history what was written, and does every case stand where its history
says? (README, "Is this record trustworthy?")"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from complaintctl.domain.chain import GENESIS, check
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.figures import OPEN_STAGES, Entry, replay
from complaintctl.domain.instants import format_local
from complaintctl.domain.procedure import stage_from_history
from complaintctl.errors import InvalidInput
from complaintctl.store.chain import (
    Head,
    RunningClock,
    case_stages,
    cases_with_clocks_to_check,
    last_entry_and_head,
    running_case_clocks,
    stored_entries,
)
from complaintctl.store.uow import UnitOfWork
from complaintctl.views import HistoryVerified, VerifyProblem


def verify_history(uow: UnitOfWork, *, noted_head: str | None = None) -> HistoryVerified:
    """Walk every entry in id order, checking each seal against its contents and the entry
    before it (the first that does not hold is named), the chain's head against the last
    entry, and each case's stage against the stage its history leads to. Reads only.

    `noted_head`: a head printed by an earlier `db verify` and kept outside the store; the
    chain must still pass through it, or the history up to it was rewritten since."""
    if noted_head is not None:
        noted_head = noted_head.strip().lower()
        if len(noted_head) != 64 or not set(noted_head) <= set("0123456789abcdef"):
            raise InvalidInput(
                f"--noted-head {noted_head!r} is not a head printed by `db verify` (64 "
                "hexadecimal digits)"
            )
    passed_noted = noted_head in (None, GENESIS)
    connection = uow.session.connection()
    last_id, head = last_entry_and_head(connection)
    running: dict[int, list[RunningClock]] = {}
    for clock in running_case_clocks(connection):
        running.setdefault(clock.case_id, []).append(clock)
    # Only these cases' entries are kept to replay: the backlog, not the whole history (a
    # million cases' entries would take gigabytes).
    checked = cases_with_clocks_to_check(connection, OPEN_STAGES) | set(running)
    malformed = head is not None and not head.well_formed
    if malformed:
        head = None
    problems: list[VerifyProblem] = []
    chain, previous_id, entries, broken = GENESIS, None, 0, False
    actions: dict[int, list[str]] = {}
    # Each case's entries as the figures replay them (None: one could not be read, and the
    # walk names it if its seal does not hold).
    replayed: dict[int, list[Entry] | None] = {}
    # Entries written after this command began are not its business: up to the head it read
    # (and any entry past it, which no complaintctl wrote).
    for stored in stored_entries(connection, max(last_id, head.last_id if head else 0)):
        entry = stored.entry
        entries += 1
        if entry.case_id is not None:
            actions.setdefault(entry.case_id, []).append(entry.action)
            if entry.case_id in checked:
                _keep(
                    replayed, entry.case_id, entry.action, entry.at, entry.recorded_at,
                    entry.details,
                )  # fmt: skip
        if not broken:
            found = check(chain, previous_id, entry, stored.seal)
            if found is not None:
                broken = True
                problems.append(
                    VerifyProblem("entry", found.what, entry.id, stored.ref, entry.action)
                )
        # On from the link as stored: a later break is the entry's own, not this one's echo.
        chain, previous_id = stored.seal.chain, entry.id
        passed_noted = passed_noted or chain == noted_head
    if malformed:
        problems.append(
            VerifyProblem(
                "head",
                "the chain's head was changed: it is not an entry, a count and a link as "
                "complaintctl writes them",
            )
        )
    else:
        problems += _head_problems(head, last_id, entries, chain)
    if not passed_noted:
        problems.append(
            VerifyProblem(
                "head",
                f"the chain does not pass through the head noted earlier ({noted_head}): the "
                "history up to it was changed and its chain made again, or this is another store",
            )
        )
    cases = 0
    tz = uow.calendar().tz
    for case_id, ref, stage in case_stages(connection):
        cases += 1
        history = actions.get(case_id)
        if not history:
            problems.append(VerifyProblem("case", "it has no history entries", ref=ref))
            continue
        expected = stage_from_history(history)
        if stage != expected.value:
            problems.append(
                VerifyProblem(
                    "case",
                    f"its stage is {stage}, but its history leads to {expected.value}",
                    ref=ref,
                )
            )
        entries_of = replayed.get(case_id)
        if entries_of is not None:
            problems += _due_problems(ref, entries_of, running.get(case_id, ()), tz)
    return HistoryVerified(entries, last_id, chain, cases, tuple(problems))


def _head_problems(
    head: Head | None, last_id: int, entries: int, chain: str
) -> list[VerifyProblem]:
    """Whether the chain's head is where the walk ended: the last entries removed, or one
    added that complaintctl did not seal, show here."""
    if head is None:
        return [VerifyProblem("head", "the chain's head is missing")]
    if (head.last_id, head.entries, head.chain) == (last_id, entries, chain):
        return []
    if last_id > head.last_id:
        return [
            VerifyProblem(
                "head",
                f"entries after entry {head.last_id}, where the chain's head is, were not "
                "sealed by complaintctl",
                entry=last_id,
            )
        ]
    if (head.last_id, head.entries) == (last_id, entries):
        return [
            VerifyProblem(
                "head",
                f"the chain's head does not match entry {last_id}'s link: the chain was changed "
                "after it was written",
                entry=last_id,
            )
        ]
    # Ending at the head's entry with more entries than it counts: some were put in among
    # them, or the head's count was changed; fewer (or ending before it): some were removed.
    added = last_id == head.last_id and entries > head.entries
    what = "entries were added, or the head was changed" if added else "entries were removed"
    return [
        VerifyProblem(
            "head",
            f"the chain's head records {head.entries} entries ending at entry {head.last_id}, "
            f"but the history holds {entries} ending at entry {last_id}: {what}",
            entry=head.last_id,
        )
    ]


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _keep(
    replayed: dict[int, list[Entry] | None],
    case_id: int,
    action: str,
    at: object,
    recorded_at: object,
    details: str,
) -> None:
    """Add an entry to its case's replay; a case with an entry that cannot be read (a time
    that is not one, details that are not JSON) is not replayed."""
    if case_id in replayed and replayed[case_id] is None:
        return
    try:
        values = json.loads(details)
    except ValueError:
        values = None
    if not (isinstance(at, datetime) and isinstance(recorded_at, datetime)) or not isinstance(
        values, dict
    ):
        replayed[case_id] = None
        return
    kept = replayed.setdefault(case_id, [])
    assert kept is not None
    kept.append(Entry(action, at, recorded_at, values))


def _due_problems(
    ref: str, entries: Sequence[Entry], running: Sequence[RunningClock], tz: ZoneInfo
) -> list[VerifyProblem]:
    """Each running clock of a case (and of its actions) whose due is not the one its history
    gives, as the figures replay it (domain/figures.replay: the due each step recorded when it
    started the clock, moved by each extension, calendar recompute and reopen recorded since);
    a clock running in the store that the history has ended, or one the history has running
    that the store has ended. A history that cannot be replayed (an entry changed by hand,
    named by the walk) is not checked."""
    try:
        facts = replay(ref, entries, _END_OF_TIME)
    except (KeyError, TypeError, ValueError):
        return []
    if facts is None:
        return []
    expected = {
        kind: c.due
        for kind, c in facts.clocks.items()
        if c.met_at is None and c.cancelled_at is None
    }
    owed = {a.id: a.due for a in facts.actions if a.done_at is None}
    problems: list[VerifyProblem] = []

    def differs(what: str, stored: object, due: datetime, where: str = "") -> None:
        if stored == due:
            return
        shown = format_local(stored, tz) if isinstance(stored, datetime) else repr(stored)
        problems.append(
            VerifyProblem(
                "case",
                f"{what} is stored as due {shown}{where}, but its history gives "
                f"{format_local(due, tz)}",
                ref=ref,
            )
        )

    seen_kinds, seen_actions = set(), set()
    for clock in running:
        if clock.action_id is not None:
            seen_actions.add(clock.action_id)
            what = f"its action {clock.action_id}"
            due = owed.get(clock.action_id)
            if due is None:
                problems.append(
                    VerifyProblem(
                        "case",
                        f"{what} runs in the store, but its history has it done or never opened",
                        ref=ref,
                    )
                )
                continue
            differs(what, clock.due_at, due, " by its clock")
            differs(what, clock.action_due_at, due, " on the action")
            continue
        seen_kinds.add(clock.kind)
        what = f"its {clock.kind} deadline"
        due = expected.get(clock.kind)
        if due is None:
            problems.append(
                VerifyProblem(
                    "case",
                    f"{what} runs in the store, but its history has it ended or never started",
                    ref=ref,
                )
            )
            continue
        differs(what, clock.due_at, due)
    for kind, due in expected.items():
        if kind not in seen_kinds and kind in set(DeadlineKind):
            problems.append(
                VerifyProblem(
                    "case",
                    f"its history has its {kind} deadline running, due "
                    f"{format_local(due, tz)}, but the store has it ended",
                    ref=ref,
                )
            )
    for action_id, due in owed.items():
        if action_id not in seen_actions:
            problems.append(
                VerifyProblem(
                    "case",
                    f"its history has its action {action_id} open, due "
                    f"{format_local(due, tz)}, but the store has its clock ended",
                    ref=ref,
                )
            )
    return problems
