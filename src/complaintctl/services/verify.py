"""`db verify`: is the history what was written, and does every case stand where its history
says? (README, "Is this record trustworthy?")"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from complaintctl.domain.calendar import WorkingCalendar, format_due
from complaintctl.domain.chain import GENESIS, check
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.figures import OPEN_STAGES, Entry, replay
from complaintctl.domain.procedure import stage_from_history
from complaintctl.errors import InvalidInput
from complaintctl.store import facts
from complaintctl.store.chain import (
    Head,
    RunningClock,
    case_stages,
    cases_with_clocks_to_check,
    entries_of_cases,
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
    malformed = head is not None and not head.well_formed
    if malformed:
        head = None
    problems: list[VerifyProblem] = []
    chain, previous_id, entries, broken = GENESIS, None, 0, False
    actions: dict[int, list[str]] = {}
    # Entries written after this command began are not its business: up to the head it read
    # (and any entry past it, which no complaintctl wrote).
    for stored in stored_entries(connection, max(last_id, head.last_id if head else 0)):
        entry = stored.entry
        entries += 1
        if entry.case_id is not None:
            actions.setdefault(entry.case_id, []).append(entry.action)
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
    refs: dict[int, str] = {}
    for case_id, ref, stage in case_stages(connection):
        cases += 1
        refs[case_id] = ref
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
    if not broken:
        # Each due against its history's: on a history whose seals all hold (a changed entry
        # is named above, and nothing it says can be replayed), read a few hundred cases at a
        # time, never the whole history at once (a million cases' would take gigabytes).
        checked = cases_with_clocks_to_check(connection, OPEN_STAGES) | set(running)
        calendar = uow.calendar()
        for case_id, of_case in entries_of_cases(connection, list(checked), last_id):
            replayable = _replayable(of_case)
            if replayable is not None and case_id in refs:
                problems += _due_problems(
                    refs[case_id], replayable, running.get(case_id, ()), calendar
                )
        # Each case's kept facts (what the report counts, store/facts.py) against a replay
        # of its whole history, where they were made by this program's version of them: those
        # an older one made differ from this one's replay without anyone having changed them,
        # and are made again by `db upgrade` (left unchecked, and said so).
        made_by = facts.stored_version(connection)
        facts_checked, facts_newer = made_by == facts.VERSION, facts.made_by_newer(made_by)
        problems += [
            VerifyProblem(
                "case",
                "the facts kept for the report's figures are not what its history gives "
                "(they were changed behind complaintctl's back; `complaintctl db upgrade "
                "--remake-facts` makes them again from the history)",
                ref=ref,
            )
            for ref in (facts.differing(connection, refs) if facts_checked else ())
        ]
    else:
        facts_checked = facts_newer = False
    return HistoryVerified(
        entries, last_id, chain, cases, tuple(problems), facts_checked, facts_newer
    )


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


def _replayable(stored: Sequence[tuple[str, Any, Any, str]]) -> list[Entry] | None:
    """A case's entries as the figures replay them; None where one cannot be read (a time
    that is not one, details that are not a JSON object), as no replay could."""
    from complaintctl.store.types import UnreadableDetails, details_of

    entries = []
    for action, at, recorded_at, details in stored:
        if not (isinstance(at, datetime) and isinstance(recorded_at, datetime)):
            return None
        try:
            entries.append(Entry(action, at, recorded_at, details_of(details)))
        except (ValueError, UnreadableDetails):
            return None
    return entries


def _due_problems(
    ref: str, entries: Sequence[Entry], running: Sequence[RunningClock], calendar: WorkingCalendar
) -> list[VerifyProblem]:
    """Each running clock of a case (and of its actions) whose due is not the one its history
    gives, as the figures replay it (domain/figures.replay: the due each step recorded when it
    started the clock, moved by each extension, calendar recompute and reopen recorded since);
    a clock running in the store that the history has ended, or one the history has running
    that the store has ended. A history that cannot be replayed (an entry changed by hand,
    named by the walk) is not checked. Each due reads as `show` gives it (`format_due`: at a
    midnight close, that day's 24:00)."""
    try:
        facts = replay(ref, entries, _END_OF_TIME)
    except (KeyError, TypeError, ValueError, AttributeError):
        return []  # details no step writes: the seal names such a change, where it breaks
    if facts is None:
        return []
    expected = {
        kind: c.due
        for kind, c in facts.clocks.items()
        if c.met_at is None and c.cancelled_at is None
    }
    owed = {a.id: a.due for a in facts.actions if a.done_at is None}
    problems: list[VerifyProblem] = []

    def problem(text: str) -> None:
        problems.append(VerifyProblem("case", text, ref=ref))

    def when(due: datetime) -> str:
        return format_due(due, calendar.tz, calendar)

    def differs(what: str, stored: object, due: datetime, where: str = "") -> None:
        if stored != due:
            shown = when(stored) if isinstance(stored, datetime) else repr(stored)
            problem(f"{what} is stored as due {shown}{where}, but its history gives {when(due)}")

    seen_kinds, seen_actions = set(), set()
    for clock in running:
        if clock.action_id is not None:
            seen_actions.add(clock.action_id)
            what = f"its action {clock.action_id}"
            due = owed.get(clock.action_id)
            if due is None:
                problem(f"{what} runs in the store, but its history has it done or never opened")
            else:
                differs(what, clock.due_at, due, " by its clock")
                differs(what, clock.action_due_at, due, " on the action")
            continue
        seen_kinds.add(clock.kind)
        what = f"its {clock.kind} deadline"
        due = expected.get(clock.kind)
        if due is None:
            problem(f"{what} runs in the store, but its history has it ended or never started")
        else:
            differs(what, clock.due_at, due)
    for kind, due in expected.items():
        if kind not in seen_kinds and kind in set(DeadlineKind):
            problem(
                f"its history has its {kind} deadline running, due {when(due)}, but the store "
                "has it ended"
            )
    for action_id, due in owed.items():
        if action_id not in seen_actions:
            problem(
                f"its history has its action {action_id} open, due {when(due)}, but the store "
                "has its clock ended"
            )
    return problems
