"""The figures counted in SQL over the kept facts (store/facts.py; ARCHITECTURE.md, "Kept
facts"): what domain/figures.gather gathers of every case, gathered instead by a few
statements over case_fact and case_fact_item, each grouped by what its counts tell apart and
read from one index by its window's column (models.FACT_INDEXES, ITEM_INDEXES). The values
are then made of it as of the cases replayed (figures.values_of), so a figure's shares,
medians and rounding are made in one place. Tests hold every value equal to
domain/figures._count over the same histories (tests/service/test_kept_facts.py).

A count is of the facts as recorded by the cutoff (facts_at): the kept rows of the cases whose
history was all recorded by then, counted in SQL, plus the cases with an entry recorded after
it, their histories replayed to the cutoff and gathered in Python (few cases for a period
past; none for one counted to now). Nothing is written, so a reader in a read-only transaction
counts (no temporary table), and each statement is over the kept tables themselves, so their
indexes serve a period past too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, bindparam, func, select, text
from sqlalchemy.engine import Connection

from complaintctl.domain import figures
from complaintctl.domain.procedure import CloseReason, Stage
from complaintctl.errors import StoreUnavailable
from complaintctl.store import facts
from complaintctl.store.models import Case, case_fact
from complaintctl.store.sql import driver_rows, instant_reader
from complaintctl.store.types import UTCDateTime

_CASE = Case.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FactsAt:
    """Every case's facts as recorded by `cutoff`: the kept rows of the cases whose history
    was all recorded by then (all of them where `settled` is false: no case has an entry
    recorded after the cutoff) and the others' histories replayed to it (`replayed`, each
    with its case's id, in id order: few for a period past, none for one counted to now).
    The kept rows are counted in SQL, the replayed cases in Python, and the two added: a case
    is in one or the other."""

    cutoff: datetime
    settled: bool
    replayed: tuple[tuple[int, figures.CaseFacts], ...]


# How far after its recording a step may be dated: now is read to the second, a time typed to
# the fraction (services.common.not_in_future).
_DATED_AHEAD = timedelta(seconds=1)


def facts_at(connection: Connection, cutoffs: Iterable[datetime]) -> dict[datetime, FactsAt]:
    """The facts as recorded by each of `cutoffs` (FactsAt), each case's history read once
    however many of them it is replayed to. Refused (exit 8) where the kept facts were made
    by another version of complaintctl's: `db upgrade` makes them again.

    On PostgreSQL, count in the unit of work's snapshot (REPEATABLE READ): a write committed
    between this and the counts would otherwise be read by one and not the other."""
    if facts.made_by_newer(made_by := facts.stored_version(connection)):
        raise StoreUnavailable(facts.NEWER)
    if made_by != facts.VERSION:
        raise StoreUnavailable(
            "the facts kept for the report's figures were made by another version of "
            "complaintctl than this one counts by: back the store up, then run "
            "`complaintctl db upgrade` to make them again"
        )
    ordered = sorted(set(cutoffs))
    latest = connection.execute(select(func.max(case_fact.c.recorded_to))).scalar()
    # The cases to replay to a cutoff: those with an entry recorded after it, but not those
    # received after it, which were not logged by then: a step's date is never after its
    # recording by a second or more (now is read to the second), and they have no facts at
    # the cutoff (replay says so of one received within that second of it but not logged).
    wanted: dict[int, list[datetime]] = {}
    if ordered and latest is not None and latest > ordered[0]:
        for case_id, received_at, recorded_to in connection.execute(
            select(case_fact.c.case_id, case_fact.c.received_at, case_fact.c.recorded_to).where(
                case_fact.c.recorded_to > ordered[0],
                case_fact.c.received_at < ordered[-1] + _DATED_AHEAD,
            )
        ):
            for cutoff in ordered:
                if received_at < cutoff + _DATED_AHEAD and cutoff < recorded_to:
                    wanted.setdefault(case_id, []).append(cutoff)
    replayed: dict[datetime, list[tuple[int, figures.CaseFacts]]] = {c: [] for c in ordered}
    for case_id, ref, entries in facts.histories(connection, wanted):
        for cutoff in wanted[case_id]:
            if (replay := figures.replay(ref, entries, cutoff)) is not None:
                replayed[cutoff].append((case_id, replay))
    # Where any case has an entry recorded after a cutoff (received after it too, so not
    # replayed), only the kept rows recorded by then are the facts at it.
    return {
        cutoff: FactsAt(cutoff, latest is not None and latest > cutoff, tuple(replayed[cutoff]))
        for cutoff in ordered
    }


# -- the statements ---------------------------------------------------------------------------
#
# Plain SQL both databases read alike: an instant is compared as the store writes it (bound
# as UTCDateTime), a boolean column tested as itself or through COALESCE(…, FALSE).


def _state(clock: str) -> str:
    """figures.Clock.state at the cutoff, over a clock's columns (NULL: no such clock)."""
    return f"""CASE WHEN {clock}_start IS NULL THEN NULL
      WHEN {clock}_met_at IS NOT NULL THEN
        CASE WHEN NOT COALESCE({clock}_on_time, FALSE) THEN '{figures.LATE}'
             WHEN COALESCE({clock}_extended, FALSE) AND {clock}_met_at > {clock}_rule_due
               THEN '{figures.ON_TIME_EXTENDED}'
             ELSE '{figures.ON_TIME}' END
      WHEN {clock}_cancelled_at IS NOT NULL THEN
        CASE WHEN {clock}_cancelled_at > {clock}_due THEN '{figures.CLOSED_PAST_DUE}'
             ELSE '{figures.CANCELLED}' END
      WHEN {clock}_due < :cutoff THEN '{figures.OPEN_PAST_DUE}'
      ELSE '{figures.NOT_YET_DUE}' END"""


def _owed(clock: str) -> str:
    """A deadline staff owe, past due at the cutoff (Clock.state == OPEN_PAST_DUE)."""
    return (
        f"COALESCE({clock}_due < :cutoff AND {clock}_met_at IS NULL"
        f" AND {clock}_cancelled_at IS NULL, FALSE)"
    )


# The test that keeps, of the kept rows, those recorded by the cutoff: of a case's row, and of an
# item (`i`) by its case's.
_SETTLED = " AND recorded_to <= :cutoff"
_SETTLED_ITEM = (
    " AND NOT EXISTS (SELECT 1 FROM case_fact s"
    " WHERE s.case_id = i.case_id AND s.recorded_to > :cutoff)"
)
_OPEN = ", ".join(f"'{stage}'" for stage in figures.OPEN_STAGES)
_CLOSED = Stage.CLOSED.value
_OUT_OF_SCOPE = CloseReason.OUT_OF_SCOPE.value
_INFORMALLY = CloseReason.RESOLVED_INFORMALLY.value
F = facts  # the items' kinds

# An open case's age band, the youngest whose limit it was received after (figures.age_limits).
_AGE_BAND = (
    "CASE "
    + " ".join(
        f"WHEN received_at > :aged_{n} THEN '{band}'"
        for n, (band, _) in enumerate(figures.AGE_BANDS[:-1])
    )
    + f" ELSE '{figures.AGE_BANDS[-1][0]}' END"
)

# Each statement: its text, `{settled}` where the test of the kept rows recorded by the cutoff
# goes (the test), each reading one index by its window's column (models.FACT_INDEXES,
# ITEM_INDEXES).
_STATEMENTS: dict[str, tuple[str, str]] = {
    # Received and acknowledgements: by the window on receipt.
    "received": (f"""
SELECT channel, category, board, out_of_time,
       CASE WHEN stage = '{_CLOSED}' THEN close_reason END,
       CASE WHEN stage = '{_CLOSED}' AND close_reason = '{_OUT_OF_SCOPE}'
            THEN COALESCE(close_because, '') END,
       {_state("ack")},
       count(*), min(case_id), min(ack_start)
FROM case_fact
WHERE received_at >= :start AND received_at < :end{{settled}}
GROUP BY 1, 2, 3, 4, 5, 6, 7""", _SETTLED),
    # First-stage and final response deadlines falling in the window.
    **{
        clock: (f"""
SELECT {_state(clock)}, count(*), min({clock}_start) FROM case_fact
WHERE {clock}_due >= :start AND {clock}_due < :end{{settled}}
GROUP BY 1""", _SETTLED)
        for clock in ("respond", "final")
    },
    # Responses given in the window: decisions, goodwill, and of the first-stage ones those
    # escalated since (kept as the first-stage item's flag).
    "given": (f"""
SELECT i.kind, i.word, CASE WHEN i.kind = '{F.FIRST}' THEN COALESCE(i.flag, FALSE) END,
       count(*), COALESCE(sum(i.pence), 0), min(i.case_id)
FROM case_fact_item i
WHERE i.kind IN ('{F.FIRST}', '{F.FINAL}') AND i.at >= :start AND i.at < :end{{settled}}
GROUP BY 1, 2, 3""", _SETTLED_ITEM),
    # Remedies (each once a response) and causes (as often as recorded) of responses given.
    "remedies": (f"""
SELECT kind, word, count(*), min(case_id) FROM (
  SELECT DISTINCT i.case_id, i.number, i.kind, i.word FROM case_fact_item i
  WHERE i.kind = '{F.REMEDY}' AND i.at >= :start AND i.at < :end{{settled}}
  UNION ALL
  SELECT i.case_id, i.number, i.kind, i.word FROM case_fact_item i
  WHERE i.kind = '{F.CAUSE}' AND i.at >= :start AND i.at < :end{{settled}}
) given
GROUP BY 1, 2""", _SETTLED_ITEM),
    # Escalations, referrals, the Assessor's outcomes, incidents: each dated in the window.
    "dated": (f"""
SELECT i.kind, CASE WHEN i.kind = '{F.ASSESSED}' THEN i.word END,
       CASE WHEN i.kind = '{F.REFERRAL}' THEN COALESCE(i.flag, FALSE) END,
       count(*), min(i.case_id)
FROM case_fact_item i
WHERE i.kind IN ('{F.ESCALATED}', '{F.REFERRAL}', '{F.ASSESSED}', '{F.INCIDENT}')
  AND i.at >= :start AND i.at < :end{{settled}}
GROUP BY 1, 2, 3""", _SETTLED_ITEM),
    # Actions: opened in the window, done in it (on time or not), open (overdue) at the cutoff.
    "actions": (f"""
SELECT COALESCE(i.at >= :start AND i.at < :end, FALSE),
       CASE WHEN i.done_at IS NOT NULL THEN
              CASE WHEN i.done_at >= :start AND i.done_at < :end THEN
                CASE WHEN COALESCE(i.flag, FALSE) THEN 'done-on-time' ELSE 'done-late' END
              END
            WHEN i.at <= :cutoff THEN
              CASE WHEN i.due < :cutoff THEN 'overdue' ELSE 'open' END
       END,
       count(*), min(i.at)
FROM case_fact_item i
WHERE i.kind = '{F.ACTION}'{{settled}}
GROUP BY 1, 2""", _SETTLED_ITEM),
    # The backlog: every case open at the cutoff, by stage, whether a deadline is owed past
    # due, and age band (by its receipt against figures.age_limits, bound as :aged_N).
    "backlog": (f"""
SELECT stage, {_owed("ack")} OR {_owed("respond")} OR {_owed("final")}, {_AGE_BAND},
       count(*), min(case_id), min(received_at)
FROM case_fact
WHERE stage IN ({_OPEN}){{settled}}
GROUP BY 1, 2, 3""", _SETTLED),
}  # fmt: skip

# The instants the working times are of: the medians' pairs (start, end).
_PAIRS: dict[str, tuple[str, str]] = {
    figures.TO_ACKNOWLEDGE: ("""
SELECT received_at, acknowledged_at FROM case_fact
WHERE received_at >= :start AND received_at < :end
  AND acknowledged_at IS NOT NULL{settled}""", _SETTLED),
    # From the acknowledgement, and from the latest escalation by the final response, each
    # kept as the response's `since` (none: not counted).
    **{
        name: (f"""
SELECT i.since, i.at FROM case_fact_item i
WHERE i.kind = '{kind}' AND i.at >= :start AND i.at < :end
  AND i.since IS NOT NULL{{settled}}""", _SETTLED_ITEM)
        for name, kind in ((figures.TO_RESPOND, F.FIRST), (figures.TO_FINAL, F.FINAL))
    },
}  # fmt: skip
# How many pairs are read from the driver at once.
_PAIRS_AT_ONCE = 50_000


def gathered(
    connection: Connection, f: FactsAt, window: figures.Window, age_limits: Sequence[datetime]
) -> figures.Gathered:
    """What domain/figures.gather gathers of every case as recorded by the cutoff: of the kept
    rows by SQL, of the replayed cases by gather itself, added. The kept open cases are
    counted by age band against `age_limits` (figures.age_limits at the window's cutoff)."""
    bound = {"start": window.start, "end": window.end, "cutoff": window.cutoff}
    bound |= {f"aged_{n}": limit for n, limit in enumerate(age_limits)}

    def statement(written: tuple[str, str]) -> TextClause:
        sql, settled = written
        sql = sql.format(settled=settled if f.settled else "")
        return text(sql).bindparams(
            *(bindparam(name, value, type_=UTCDateTime()) for name, value in bound.items()
              if f":{name}" in sql)
        )  # fmt: skip

    def rows(written: tuple[str, str]) -> list[Any]:
        return list(connection.execute(statement(written)).all())

    def pairs_of(written: tuple[str, str]) -> list[tuple[datetime, datetime]]:
        """The instant pairs, read as the driver gives them and converted here: a year of
        a large store's, through SQLAlchemy's rows, took longer than the query."""
        instant = instant_reader(connection.dialect)
        return [
            (instant(begun), instant(ended))
            for chunk in driver_rows(connection, statement(written), _PAIRS_AT_ONCE)
            for begun, ended in chunk
        ]

    sums = _Sums()
    judged: list[datetime] = []  # where each deadline counted was counted from
    for channel, category, board, late_in, closed_as, because, ack, n, first, begun in rows(
        _STATEMENTS["received"]
    ):
        sums.add("received", None, n, first)
        sums.add("received_by_channel", channel, n, first)
        sums.add("received_by_category", category, n, first)
        sums.add("received_board", None, n if board else 0, first)
        sums.add("out_of_time", None, n if late_in else 0, first)
        if closed_as == _OUT_OF_SCOPE:
            sums.add("out_of_scope", because, n, first)
        elif closed_as == _INFORMALLY:
            sums.add("resolved_informally", None, n, first)
        if ack is not None:
            sums.state(figures.ACKNOWLEDGE_CLOCK, ack, n)
            judged.append(begun)
    for clock, name in (("respond", figures.RESPOND_CLOCK), ("final", figures.FINAL_CLOCK)):
        for state, n, begun in rows(_STATEMENTS[clock]):
            if state is not None:
                sums.state(name, state, n)
                judged.append(begun)
    first_given = first_escalated = goodwill = 0
    for kind, word, escalated_since, n, pence, first in rows(_STATEMENTS["given"]):
        goodwill += int(pence)
        if kind == F.FIRST:
            sums.add("first_stage_outcomes", word, n, first)
            first_given += int(n)
            first_escalated += int(n) if escalated_since else 0
        else:
            sums.add("final_outcomes", word, n, first)
    for kind, word, n, first in rows(_STATEMENTS["remedies"]):
        sums.add("remedies" if kind == F.REMEDY else "causes", word, n, first)
    for kind, word, late, n, first in rows(_STATEMENTS["dated"]):
        if kind == F.ASSESSED:
            sums.add("assessor_outcomes", word, n, first)
        elif kind == F.REFERRAL:
            sums.add("referrals_late" if late else "referrals_within_window", None, n, first)
        else:
            sums.add("escalated" if kind == F.ESCALATED else "incidents", None, n, first)
    for opened, standing, n, begun in rows(_STATEMENTS["actions"]):
        if opened or standing is not None:
            judged.append(begun)
        sums.add("actions_opened", None, n if opened else 0, 0)
        if standing in ("done-on-time", "done-late"):
            sums.add(f"actions_{standing.replace('-', '_')}", None, n, 0)
        elif standing is not None:
            sums.add("actions_open", None, n, 0)
            sums.add("actions_overdue", None, n if standing == "overdue" else 0, 0)
    aged: dict[str, int] = {}
    received: list[datetime] = []  # the earliest receipt of each group of open cases
    for stage, breached, band, n, first, earliest in rows(_STATEMENTS["backlog"]):
        sums.add("open_cases", stage, n, first)
        sums.add("open_cases_breached", None, n if breached else 0, first)
        aged[band] = aged.get(band, 0) + int(n)
        received.append(earliest)
    pairs = {name: pairs_of(written) for name, written in _PAIRS.items()}
    instant = instant_reader(connection.dialect)
    judged_from = min((instant(at) for at in judged if at is not None), default=None)
    aged_from = min((instant(at) for at in received), default=None)
    return _with_replayed(
        sums, pairs, (aged, aged_from), (first_given, first_escalated, goodwill, judged_from),
        f, window,
    )  # fmt: skip


class _Sums:
    """Counts by figure and part (None: a figure without parts), with the first case counted
    in each, and the clocks' cases by state."""

    def __init__(self) -> None:
        self.counted: dict[str, dict[str | None, int]] = {}
        self.first: dict[str, dict[str | None, int]] = {}
        self.states: dict[str, dict[str, int]] = {
            clock: {} for clock in (figures.ACKNOWLEDGE_CLOCK, figures.RESPOND_CLOCK,
                                    figures.FINAL_CLOCK)
        }  # fmt: skip

    def add(self, figure: str, part: str | None, n: int, first: int) -> None:
        counted = self.counted.setdefault(figure, {})
        counted[part] = counted.get(part, 0) + int(n)
        known = self.first.setdefault(figure, {})
        known[part] = min(known.get(part, first), first)

    def state(self, clock: str, state: str, n: int) -> None:
        self.states[clock][state] = self.states[clock].get(state, 0) + int(n)


def _with_replayed(
    sums: _Sums,
    pairs: dict[str, list[tuple[datetime, datetime]]],
    aged: tuple[dict[str, int], datetime | None],
    responses: tuple[int, int, int, datetime | None],
    f: FactsAt,
    window: figures.Window,
) -> figures.Gathered:
    """The kept rows' sums and the replayed cases' gathering added, as one Gathered; `aged`:
    the kept open cases by age band and the earliest receipt among them; `responses`: the
    first-stage responses given, those escalated since, the goodwill, and where the earliest
    deadline counted was counted from."""
    first_given, first_escalated, goodwill, judged_from = responses
    open_since: list[tuple[str, datetime]] = []
    if f.replayed:
        ids = {kept.ref: case_id for case_id, kept in f.replayed}
        theirs, members = figures.gather([kept for _, kept in f.replayed], window)
        for figure, listed in members.items():
            if figure in _OF_STATES:
                continue  # made of the states, added below
            if isinstance(listed, dict):
                for part, refs in listed.items():
                    if refs:
                        sums.add(figure, part, len(refs), ids[refs[0]])
            elif listed:
                sums.add(figure, None, len(listed), ids[listed[0]])
        for clock, counted in theirs.states.items():
            for state, n in counted.items():
                sums.state(clock, state, n)
        for name, more in theirs.pairs.items():
            pairs[name] = [*pairs[name], *more]
        open_since = theirs.open_since
        first_given += theirs.first_given
        first_escalated += theirs.first_escalated
        goodwill += theirs.goodwill
        if theirs.judged_from is not None:
            judged_from = min(judged_from or theirs.judged_from, theirs.judged_from)
    for figure, (clock, these) in _OF_STATES.items():
        sums.add(figure, None, sum(sums.states[clock].get(state, 0) for state in these), 0)
    return figures.Gathered(
        {figure: _value(figure, sums) for figure in figures.GATHERED},
        sums.states,
        pairs,
        open_since,
        first_given,
        first_escalated,
        goodwill,
        judged_from,
        *aged,
    )


def _value(figure: str, sums: _Sums) -> figures.Value | dict[str, figures.Value]:
    """A figure's count, or its parts as domain/figures.gather has them: every part PARTS
    lists first (at 0 where none counted), then any other in the order of the first case
    counted in it; the causes, the most recorded first; the remedies, only those listed."""
    counted = sums.counted.get(figure, {})
    parts = figures.FIGURE[figure].parts
    if parts is None:
        return counted.get(None, 0)
    found: dict[str, figures.Value] = dict.fromkeys(figures.PARTS[parts], 0)
    first = sums.first.get(figure, {})
    for part in sorted(counted, key=lambda part: first[part]):
        if figure == "remedies" and part not in found:
            continue  # only the remedies listed are counted
        found[str(part)] = int(found.get(str(part)) or 0) + counted[part]
    if figure == "causes":
        return dict(sorted(found.items(), key=lambda item: (-int(item[1] or 0), item[0])))
    return found


# The figures that are a clock's cases in some of its states at the cutoff, made of the states.
_OF_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "acknowledged_on_time": (figures.ACKNOWLEDGE_CLOCK, (figures.ON_TIME,)),
    "acknowledged_late": (figures.ACKNOWLEDGE_CLOCK, (figures.LATE,)),
    "acknowledgement_open_past_due": (figures.ACKNOWLEDGE_CLOCK, (figures.OPEN_PAST_DUE,)),
    "acknowledgement_closed_past_due": (figures.ACKNOWLEDGE_CLOCK, (figures.CLOSED_PAST_DUE,)),
    # A deadline ended by a close before it fell due was not owed.
    "responses_due": (figures.RESPOND_CLOCK, figures.OWED_STATES),
    "responded_on_time": (figures.RESPOND_CLOCK, (figures.ON_TIME,)),
    "responded_on_time_extended": (figures.RESPOND_CLOCK, (figures.ON_TIME_EXTENDED,)),
    "responded_late": (figures.RESPOND_CLOCK, (figures.LATE,)),
    "response_open_past_due": (figures.RESPOND_CLOCK, (figures.OPEN_PAST_DUE,)),
    "response_closed_past_due": (figures.RESPOND_CLOCK, (figures.CLOSED_PAST_DUE,)),
    "response_not_yet_due": (figures.RESPOND_CLOCK, (figures.NOT_YET_DUE,)),
    "finals_due": (figures.FINAL_CLOCK, figures.OWED_STATES),
    "final_on_time": (figures.FINAL_CLOCK, (figures.ON_TIME,)),
    "final_on_time_extended": (figures.FINAL_CLOCK, (figures.ON_TIME_EXTENDED,)),
    "final_late": (figures.FINAL_CLOCK, (figures.LATE,)),
    "final_open_past_due": (figures.FINAL_CLOCK, (figures.OPEN_PAST_DUE,)),
    "final_not_yet_due": (figures.FINAL_CLOCK, (figures.NOT_YET_DUE,)),
}
