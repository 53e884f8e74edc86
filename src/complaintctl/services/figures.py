"""The Board's report: the figures of a period (domain/figures.py), broken down and beside the
period before if asked.

Read-only. The figures are counted over the facts the store keeps per case
(store/figure_counts.py), the cases with a step recorded after a cutoff replayed beside them.
By area, category or channel, and for the cases a figure counted, the history is read once,
as columns (store/listings.py), up to the latest cutoff any period needs, and each case's
entries are replayed to each cutoff as they are read.
"""

from __future__ import annotations

import gc
import json
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from complaintctl.domain import figures
from complaintctl.domain.instants import format_local
from complaintctl.domain.periods import Period, PeriodError, between, parse_period
from complaintctl.domain.procedure import area_key
from complaintctl.errors import InvalidInput
from complaintctl.services.common import coverage_warnings
from complaintctl.views import FigureCases, PeriodFigures, ReportView

if TYPE_CHECKING:
    from complaintctl.domain.calendar import WorkingCalendar
    from complaintctl.store.uow import UnitOfWork

# The history entries the figures are made of (domain/figures.replay).
REPLAYED = figures.REPLAYED
BREAKDOWNS = ("area", "category", "channel", "month")
# The breakdowns by a case's own fact: counted from each case's replayed history.
GROUPS = ("area", "category", "channel")
Rows = tuple[figures.Row, ...]


def report_period(text: str | None, first: date | None, last: date | None) -> Period:
    """The period asked for: --period, or --from and --to (inclusive dates)."""
    try:
        if text is not None:
            if first is not None or last is not None:
                raise InvalidInput("give --period, or --from and --to, not both")
            return parse_period(text)
        if (first is None) != (last is None):
            given, wanted = ("--from", "--to") if first is not None else ("--to", "--from")
            raise InvalidInput(f"{given} needs {wanted} DATE too: the period's first and last days")
        if first is None or last is None:
            raise InvalidInput(
                "say which period: --period 2026-11|2026-Q4|2026|2026-27, or --from DATE --to DATE"
            )
        return between(first, last)
    except PeriodError as err:
        raise InvalidInput(f"--period: {err}" if text is not None else str(err)) from None


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A report makes a few objects for every history entry it reads, none of them in a
    reference cycle: the collector's passes over them cost more than the work (over half the
    time of a year on 10,000 cases), so it waits until the report is made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def report(
    uow: UnitOfWork,
    *,
    period: Period,
    as_of: datetime,
    now: datetime | None = None,
    by: str | None = None,
    compare: bool = False,
) -> ReportView:
    """The figures of `period` as recorded by its end, or by `as_of` if that is earlier;
    with `by`, each area, category, channel or month apart too; with `compare`, the period
    before beside it. `now`, when `as_of` is a time asked for: nothing is recorded after it."""
    with _without_cycle_collection():
        return _report(uow, period=period, as_of=as_of, now=now, by=by, compare=compare)


def _report(
    uow: UnitOfWork,
    *,
    period: Period,
    as_of: datetime,
    now: datetime | None,
    by: str | None,
    compare: bool,
) -> ReportView:
    from complaintctl.store import figure_counts, listings
    from complaintctl.store.types import details_of

    if by is not None and by not in BREAKDOWNS:
        raise InvalidInput(f"--by takes {', '.join(BREAKDOWNS)}, not {by!r}")
    calendar = uow.calendar()
    tz = calendar.tz
    _counted_to(period, as_of, now, tz)
    periods = [period, period.previous()] if compare else [period]
    windows = {one: _window(one, as_of, tz) for one in periods}
    if by == "month":
        for one in periods:
            windows.update(_month_windows(one, as_of, tz))
    restricted, entries = listings.restrictions_for_figures(uow)
    restrictions = figures.restriction_facts(
        restricted,
        (figures.Entry(action, at, recorded, details_of(details))
         for action, at, recorded, details in entries),
    )  # fmt: skip
    cutoffs = {window.cutoff for window in windows.values()}
    # By a case's area, category or channel: each case's history replayed to the cutoff and
    # the groups counted apart. Otherwise counted over the kept facts (store/figure_counts).
    facts = _facts(uow, periods, cutoffs) if by in GROUPS else {}
    connection = uow.session.connection()
    kept = {} if by in GROUPS else figure_counts.facts_at(connection, cutoffs)

    def gathered(window: figures.Window) -> figures.Gathered:
        if by in GROUPS:
            return figures.gather(facts[window.cutoff], window)[0]
        limits = figures.age_limits(calendar, window.cutoff)
        return figure_counts.gathered(connection, kept[window.cutoff], window, limits)

    def counted(one: Period) -> tuple[Rows, datetime | None]:
        """The period's figures, and the earliest instant they rest on working time from."""
        window = windows[one]
        found = gathered(window)
        values, _ = figures.values_of(found, window, calendar, restrictions)
        return figures.rows(values), figures.measured_from(found)

    # Side by side, each area, category or channel of either period is in both: one with no
    # case in a period counts 0 there (its medians and shares none), not "no figure". A
    # group is named as the period shown names it, or else as the period before does.
    named: dict[str, str] = {}
    if by in GROUPS:
        for one in reversed(periods):
            named.update((key, name) for key, (name, _) in _grouped(
                facts[windows[one].cutoff], by).items())  # fmt: skip
    earliest: dict[Period, datetime | None] = {}

    def of(one: Period, *, breakdown: str | None) -> PeriodFigures:
        window = windows[one]
        rows, earliest[one] = counted(one)
        groups: list[tuple[str, Rows]] = []
        if breakdown == "month":
            # A month's figures rest on working time of their own (its backlog's ages at its
            # end): warned of with the period's.
            for month in (month for month in one.months() if month in windows):
                monthly, since = counted(month)
                groups.append((month.label, monthly))
                earliest[one] = _earlier(earliest[one], since)
        elif breakdown is not None:
            chosen = _grouped(facts[window.cutoff], breakdown)
            groups = [(named[key], figures.count(chosen[key][1] if key in chosen else [],
                       window, calendar, None))
                      for key in sorted(named, key=lambda key: named[key])]  # fmt: skip
        return PeriodFigures(one.label, one.first, one.last, window.cutoff, rows, tuple(groups))

    shown = of(period, breakdown=by)
    previous = of(periods[1], breakdown=by) if compare else None
    shown, previous = _every_part(shown, previous)
    return ReportView(
        zone=calendar.zone,
        by=by,
        current=shown,
        previous=previous,
        warnings=_warnings(calendar, [(p.ends(tz), earliest[p]) for p in periods]),
    )


def _every_part(
    shown: PeriodFigures, previous: PeriodFigures | None
) -> tuple[PeriodFigures, PeriodFigures | None]:
    """Each column of the report (the period, the period before, each group) with a row for
    every part any of them counted of a figure counted by what was recorded (the causes), at 0
    where it counted none: a cause recorded only beside it is not left out of it."""
    blocks = [shown] if previous is None else [shown, previous]
    columns = [rows for block in blocks for rows in (block.figures, *(g for _, g in block.groups))]
    parts: dict[str, list[str]] = {}
    for rows in columns:
        for row in rows:
            if figures.FIGURE[row.figure].parts in figures.DYNAMIC_PARTS and row.part is not None:
                if row.part not in parts.setdefault(row.figure, []):
                    parts[row.figure].append(row.part)
    if not parts:
        return shown, previous

    def filled(block: PeriodFigures) -> PeriodFigures:
        return replace(
            block,
            figures=figures.with_parts(block.figures, parts),
            groups=tuple((key, figures.with_parts(rows, parts)) for key, rows in block.groups),
        )

    return filled(shown), None if previous is None else filled(previous)


def _counted_to(period: Period, as_of: datetime, now: datetime | None, tz: ZoneInfo) -> None:
    """Refuse a period not begun by the time it is counted to (now, unless --as-of says), and
    a time to count to after `now`: nothing is recorded yet after now."""
    if as_of < period.starts(tz):
        raise InvalidInput(
            f"the period {period.label} begins after {format_local(as_of, tz)}, the time it "
            "is counted to (now, or --as-of): there is nothing to count yet"
        )
    # The figures are as recorded by the period's end or as_of, whichever is earlier.
    if now is not None and min(as_of, period.ends(tz)) > now:
        raise InvalidInput(
            f"--as-of {format_local(as_of, tz)} is after now: the figures "
            "are counted as recorded by then, and nothing is recorded yet after now"
        )


def figure_cases(
    uow: UnitOfWork,
    *,
    period: Period,
    as_of: datetime,
    figure: str,
    now: datetime | None = None,
    by: str | None = None,
) -> FigureCases:
    """The references of the cases `figure` (`name` or `name.part`) counted in `period`, as
    recorded by its end or `as_of`: every number of the report traced to its cases; with `by`,
    those each group of the report's breakdown counted, group by group, as `report` groups
    them (the month's own cutoff for a month)."""
    if by is not None and by not in BREAKDOWNS:
        raise InvalidInput(f"--by takes {', '.join(BREAKDOWNS)}, not {by!r}")
    try:
        name, part = figures.parse_figure(figure)
    except figures.FigureError as err:
        raise InvalidInput(f"--cases: {err}") from None
    if part is not None and figures.FIGURE[name].parts in figures.DYNAMIC_PARTS:
        # A cause not on the list can never have been recorded: a typo, not a count of 0.
        listed = [cause.name for cause in uow.causes()]
        if part not in listed:
            raise InvalidInput(
                f"--cases: {part!r} is not on the list of causes; the causes are "
                f"{', '.join(listed)} (`complaintctl cause list`)"
            )
    calendar = uow.calendar()
    tz = calendar.tz
    _counted_to(period, as_of, now, tz)
    window = _window(period, as_of, tz)
    months = _month_windows(period, as_of, tz) if by == "month" else {}
    with _without_cycle_collection():
        facts = _facts(uow, [period], {one.cutoff for one in (window, *months.values())})
        cases = facts[window.cutoff]
        # Warned of as the report of the period is: the same deadlines count its cases.
        measured = figures.measured_from(figures.gather(cases, window)[0])
        for counted in months.values() if by == "month" else ():
            since = figures.measured_from(figures.gather(facts[counted.cutoff], counted)[0])
            measured = _earlier(measured, since)
        warnings = _warnings(calendar, [(period.ends(tz), measured)])
        if by is None:
            refs = figures.counted_cases(cases, window, calendar, name, part)
            return FigureCases(
                name, part, period.label, window.cutoff, tuple(refs), calendar.zone,
                warnings=warnings,
            )  # fmt: skip
        if by == "month":
            groups = [(month.label, tuple(figures.counted_cases(
                facts[counted.cutoff], counted, calendar, name, part)))
                for month, counted in months.items()]  # fmt: skip
        else:
            groups = [(group, tuple(figures.counted_cases(chosen, window, calendar, name, part)))
                      for group, chosen in sorted(_grouped(cases, by).values(),
                                                  key=lambda group: group[0])]  # fmt: skip
    return FigureCases(
        name, part, period.label, window.cutoff,
        tuple(ref for _, refs in groups for ref in refs), calendar.zone, by, tuple(groups),
        warnings,
    )  # fmt: skip


def _earlier(one: datetime | None, other: datetime | None) -> datetime | None:
    return min((at for at in (one, other) if at is not None), default=None)


def _window(period: Period, as_of: datetime, tz: ZoneInfo) -> figures.Window:
    return figures.Window(period.starts(tz), period.ends(tz), min(period.ends(tz), as_of))


def _month_windows(period: Period, as_of: datetime, tz: ZoneInfo) -> dict[Period, figures.Window]:
    """The windows of the months of `period` begun by `as_of` (--by month)."""
    return {month: _window(month, as_of, tz) for month in period.months()
            if month.starts(tz) <= as_of}  # fmt: skip


def _grouped(
    cases: Sequence[figures.CaseFacts], by: str
) -> dict[str, tuple[str, list[figures.CaseFacts]]]:
    """The cases of each area, category or channel (--by), by the group's key: its name and
    its cases. An area is one in any spelling (`Casework`, `CASEWORK`: `area_key`), as
    `queue --area` and `export --area` take it, named as the latest case logged of those
    holding it spells it (the cases come in the order they were logged)."""
    groups: dict[str, tuple[str, list[figures.CaseFacts]]] = {}
    for case in cases:
        name = case.attribute(by)
        key = area_key(name) if by == "area" else name
        held = groups.setdefault(key, (name, []))[1]
        held.append(case)
        groups[key] = (name, held)
    return groups


def _facts(
    uow: UnitOfWork, periods: Sequence[Period], cutoffs: set[datetime]
) -> dict[datetime, list[figures.CaseFacts]]:
    """Each case the figures of `periods` need, as its history recorded by each of `cutoffs`
    leaves it, in the order the cases were logged.

    The history is read a chunk at a time and each case's entries are dropped once replayed:
    a report holds the facts, never the whole history (a year of a million cases' entries
    would take gigabytes). A case with nothing recorded between two cutoffs is replayed once
    for both: replay reads only the entries recorded by its cutoff.
    """
    from complaintctl.store import listings

    tz = uow.calendar().tz
    ordered = sorted(cutoffs)
    found: dict[datetime, list[figures.CaseFacts]] = {cutoff: [] for cutoff in ordered}
    replay = figures.replay
    only = ordered[0] if len(ordered) == 1 else None
    counted_at = found[ordered[0]] if only is not None else []

    def replayed(ref: str, entries: list[figures.EntryRow]) -> None:
        if only is not None:
            if (facts := replay(ref, entries, only)) is not None:
                counted_at.append(facts)
            return
        # How many entries each cutoff has recorded: replayed again only when that changed.
        times = sorted(recorded_at for _, _, recorded_at, _ in entries)
        known, facts = -1, None
        for cutoff in ordered:
            recorded = bisect_right(times, cutoff)
            if recorded != known:
                known, facts = recorded, replay(ref, entries, cutoff)
            if facts is not None:
                found[cutoff].append(facts)

    rows = listings.history_for_figures(
        uow, min(p.starts(tz) for p in periods), ordered[-1], REPLAYED, figures.OPEN_STAGES,
        chunk=_DECODED_AT_ONCE,
    )  # fmt: skip
    case_id, ref = None, ""
    entries: list[figures.EntryRow] = []
    for chunk in rows:
        for (row_case, row_ref, action, at, recorded_at, _), details in zip(
            chunk, _decode_all([row[5] for row in chunk]), strict=True
        ):
            if row_case != case_id:
                if entries:
                    replayed(ref, entries)
                case_id, ref, entries = row_case, row_ref, []
            entries.append((action, at, recorded_at, details))
    if entries:
        replayed(ref, entries)
    return found


# How many entries' details are decoded in one call (_decode_all).
_DECODED_AT_ONCE = 20_000


def _decode_all(texts: Sequence[str]) -> list[Any]:
    """Each of `texts` (a JSON object, as uow.record wrote it) decoded: as one JSON array, in
    one call to the parser rather than one for each entry (several times quicker)."""
    from complaintctl.store.types import UnreadableDetails

    decoded = cast("list[Any]", json.loads("[" + ",".join(texts) + "]"))
    if len(decoded) != len(texts) or not all(isinstance(one, dict) for one in decoded):
        raise UnreadableDetails  # one of them is not a JSON object: changed by hand
    return decoded


def _warnings(
    calendar: WorkingCalendar, counted: Sequence[tuple[datetime, datetime | None]]
) -> tuple[str, ...]:
    """The bank holidays' coverage, for each period (its end, the earliest instant its figures
    rest on working time from: a deadline's start, a median's start, an open case's receipt;
    figures.measured_from) that counts any: working time is counted from then up to its end.
    A period that counts none (`--period 2011-12` in a store begun in 2026) counted no working
    time, so none of it can be short by a holiday."""
    instants = []
    for end, earliest in counted:
        if earliest is not None:
            instants += [earliest, end]
    return coverage_warnings(calendar, *instants)
