"""Output: JSON and CSV for scripts, tab-separated lines when piped, rich tables at a terminal.

The only module that imports rich, and only when a terminal is there to see it. Data goes to
stdout; notes and warnings to stderr.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import format_duration, format_instant, format_local
from complaintctl.views import (
    CalendarChange,
    CalendarView,
    CaseView,
    DeadlineView,
    OverdueReport,
    calendar_json,
    case_json,
    overdue_json,
)


def for_people() -> bool:
    """Tables and colour only on a terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _note(message: str) -> None:
    print(message, file=sys.stderr)


def _warnings(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        _note(f"Warning: {warning}")


def _cell(value: object) -> str:
    """One field of a tab-separated line: no tabs or line breaks inside it."""
    return " ".join(str(value if value is not None else "").split())


def _line(*fields: object) -> None:
    print("\t".join(_cell(f) for f in fields))


# -- cases ---------------------------------------------------------------------------------


def logged(view: CaseView, *, json_output: bool) -> None:
    tz = ZoneInfo(view.zone)
    _warnings(view.warnings)
    if view.earlier_cases:
        earlier = ", ".join(
            f"{c.ref} (received {format_local(c.received_at, tz)}, {c.stage})"
            for c in view.earlier_cases
        )
        _note(f"Note: {view.consumer} has complained before: {earlier}")
    if json_output:
        _print_json(case_json(view))
        return
    print(view.ref)
    ack = view.deadlines[0]
    _note(f"Logged {view.ref}; acknowledgement due {format_local(ack.due, tz)}")


def acknowledged(view: CaseView, *, json_output: bool) -> None:
    if json_output:
        _print_json(case_json(view))
        return
    tz = ZoneInfo(view.zone)
    ack = next(d for d in view.deadlines if d.kind == "acknowledge")
    print(f"Acknowledged {view.ref}, routed to {view.area}: {_deadline_state(ack, view.as_of, tz)}")


def _deadline_state(deadline: DeadlineView, as_of: datetime, tz: ZoneInfo) -> str:
    due = format_local(deadline.due, tz)
    stopped = deadline.ended_at or as_of
    late = (
        f"{format_duration(deadline.working_late, days=False)} working, "
        f"{format_duration(stopped - deadline.due)} calendar"
    )
    if deadline.outcome == "met":
        return (
            f"met late by {late} (due {due})" if deadline.breached else f"met on time (due {due})"
        )
    if deadline.outcome == "cancelled":
        return f"stopped (was due {due})"
    if deadline.breached:
        return f"breached by {late} (due {due})"
    left = format_duration(deadline.working_left, days=False)
    return f"open, due {due} (in {left} working)"


def case(view: CaseView, *, json_output: bool) -> None:
    if json_output:
        _print_json(case_json(view))
        return
    tz = ZoneInfo(view.zone)
    contact = ", ".join(x for x in (view.email, view.address) if x) or "-"
    fields = [
        ("Reference", view.ref),
        ("Stage", view.stage),
        ("Consumer", f"{view.consumer} <{contact}>"),
        ("Received", f"{format_local(view.received_at, tz)} by {view.channel}"),
        ("Category", view.category),
        ("Area", view.area or "-"),
        ("Dispute", view.dispute or "-"),
        ("Board", "addressed to the executive team or the Board" if view.board else "no"),
        ("Summary", view.summary),
    ]
    deadlines = [(d.kind, _deadline_state(d, view.as_of, tz)) for d in view.deadlines]
    history = [(format_local(e.at, tz), e.action, e.actor) for e in view.history]
    if not for_people():
        for name, value in fields:
            _line(name, value)
        for kind, state in deadlines:
            _line("Deadline", kind, state)
        for when, action, actor in history:
            _line("History", when, action, actor)
        return
    from rich.table import Table

    console = _console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(name, value)
    for kind, state in deadlines:
        style = "red" if "breached" in state or "late" in state else ""
        table.add_row(f"Deadline ({kind})", f"[{style}]{state}[/]" if style else state)
    console.print(table)
    events = Table(title="History", title_justify="left")
    for column in ("When", "Action", "By"):
        events.add_column(column)
    for row in history:
        events.add_row(*row)
    console.print(events)


# -- overdue -------------------------------------------------------------------------------


def overdue(report: OverdueReport, *, json_output: bool, csv_output: bool) -> None:
    _warnings(report.warnings)
    if json_output:
        _print_json(overdue_json(report))
        return
    tz = ZoneInfo(report.zone)
    rows = [
        (
            item.ref,
            item.kind,
            item.consumer,
            format_instant(item.received_at, tz),
            format_instant(item.due, tz),
            format_duration(item.late_working, days=False),
            format_duration(item.late_calendar),
        )
        for item in report.items
    ]
    if csv_output:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(
            ["ref", "kind", "consumer", "received_at", "due", "late_working", "late_calendar"]
        )
        writer.writerows(rows)
        return
    if not for_people():
        for row in rows:
            _line(*row)
        return
    if not rows:
        _note(f"Nothing overdue as of {format_local(report.as_of, tz)}.")
        return
    from rich.table import Table

    table = Table(title=f"Overdue as of {format_local(report.as_of, tz)}", title_justify="left")
    for column in ("Ref", "Kind", "Consumer", "Received", "Due"):
        table.add_column(column, no_wrap=column != "Consumer")
    table.add_column("Late (working)", style="red", no_wrap=True)
    table.add_column("Late (calendar)", no_wrap=True)
    for item in report.items:
        table.add_row(
            item.ref,
            item.kind,
            item.consumer,
            format_local(item.received_at, tz),
            format_local(item.due, tz),
            format_duration(item.late_working, days=False),
            format_duration(item.late_calendar),
        )
    console = _console()
    console.print(table)
    console.print(f"{len(rows)} overdue")


# -- the calendar --------------------------------------------------------------------------


def calendar(view: CalendarView, *, json_output: bool) -> None:
    _warnings(view.warnings)
    if json_output:
        _print_json(calendar_json(view))
        return
    lines = [("Zone", view.zone)]
    lines += [(day, hours) for day, hours in view.week]
    lines.append(
        (
            "Bank holidays",
            f"{view.holiday_region}, known {view.known_from} to {view.known_through} "
            f"({view.holidays_source})",
        )
    )
    closed = [(day.day.strftime("%a %Y-%m-%d"), day.name, day.kind) for day in view.upcoming]
    if not for_people():
        for name, value in lines:
            _line(name, value)
        for row in closed:
            _line("Closed", *row)
        return
    from rich.table import Table

    console = _console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in lines:
        table.add_row(name, value)
    console.print(table)
    upcoming = Table(title="Next closed days", title_justify="left")
    for column in ("Date", "Name", "Kind"):
        upcoming.add_column(column)
    for row in closed:
        upcoming.add_row(*row)
    console.print(upcoming)


def calendar_change(change: CalendarChange) -> None:
    tz = ZoneInfo(change.zone)
    print(change.message)
    for ref, kind, old, new in change.recomputed:
        _line(ref, kind, format_instant(old, tz), format_instant(new, tz))
