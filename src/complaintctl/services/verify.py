"""`db verify`: is the history what was written, and does every case stand where its history
says? (README, "Is this record trustworthy?")"""

from __future__ import annotations

from complaintctl.domain.chain import GENESIS, check
from complaintctl.domain.procedure import stage_from_history
from complaintctl.errors import InvalidInput
from complaintctl.store.chain import Head, case_stages, last_entry_and_head, stored_entries
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
