"""`explain`: why a deadline falls where it does, day by day, in plain lines."""

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli.app import commands, current_state
from complaintctl.cli.options import AsOf, Json, Ref

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from complaintctl.domain.explain import DayEntry
    from complaintctl.services.explain import ExplainView


class CaseDeadline(StrEnum):
    """The deadlines a case can have."""

    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    FINAL = "final"
    REFERRAL_WINDOW = "referral-window"


@commands.command("explain")
def explain_command(
    ctx: typer.Context,
    ref: Ref,
    kind: Annotated[
        CaseDeadline | None,
        typer.Argument(
            help="Which deadline [default: the one running, else the latest].", show_default=False
        ),
    ] = None,
    as_of: AsOf = None,
    json_output: Json = False,
) -> None:
    """Explain why a deadline falls where it does: its rule and start, the calendar, each day
    counted or skipped (weekends, bank holidays, closures), any extension, and the working
    time used and left."""
    from complaintctl.services.explain import explain_deadline, explain_json

    state = current_state(ctx)
    wanted = kind.value if kind else None
    view = state.read(
        lambda uow, when: explain_deadline(uow, ref=ref, kind=wanted, as_of=when), as_of
    )
    if json_output:
        print(json.dumps(explain_json(view), indent=2, ensure_ascii=False))
        return
    print("\n".join(explain_lines(view)))


def explain_lines(view: "ExplainView") -> list[str]:
    """The explanation as plain lines: the same at a terminal and in a pipe."""
    from zoneinfo import ZoneInfo

    from complaintctl.domain.instants import format_local

    tz = ZoneInfo(view.zone)
    calendar = view.calendar
    starter = f" ({view.started_by} by {view.started_by_actor})" if view.started_by else ""
    known = f"{calendar.known_from.year}-{calendar.known_through.year}"
    lines = [
        f"{view.ref} {view.kind}",
        f"Rule:      {view.rule}",
        f"Started:   {format_local(view.start, tz)}{starter}",
        f"Due:       {format_local(view.due, tz)}"
        + (" (agreed with the consumer)" if view.extended else ""),
        f"Calendar:  {calendar.zone}; " + "; ".join(f"{d} {h}" for d, h in calendar.week),
        f"Holidays:  {calendar.holiday_region} bank holidays ({calendar.holidays_source}), "
        f"known {known} ({calendar.known_from} to {calendar.known_through})",
    ]
    if view.days:
        lines += ["", f"Day by day, {view.rule}:"]
        lines += _day_lines(view.days, tz, hours=view.unit == "working-hours")
        lines.append(f"The rule puts it at {format_local(view.rule_due, tz)}.")
    if view.notes:
        lines.append("")
        lines += [f"Note: {note}" for note in view.notes]
    for change in view.changes:
        moved = (
            f"due moved from {format_local(change.old_due, tz)} "
            f"to {format_local(change.new_due, tz)}"
        )
        if change.action == "extend":
            lines.append(
                f"Extended:  {format_local(change.at, tz)} by {change.by}, agreed with the "
                f"consumer: {change.reason}; {moved} (a fixed agreed date, not counted in "
                "working time)"
            )
        else:
            lines.append(
                f"Recomputed: {format_local(change.at, tz)} by {change.by}: {change.reason}; "
                f"{moved}"
            )
    lines += ["", _status_line(view, tz)]
    return lines


def _day_lines(days: "tuple[DayEntry, ...]", tz: "ZoneInfo", *, hours: bool) -> list[str]:
    from complaintctl.domain.explain import SKIPPED
    from complaintctl.domain.instants import format_duration

    def clock(instant: datetime) -> str:
        return instant.astimezone(tz).strftime("%H:%M")

    rows = []
    for entry in days:
        if hours:
            label = "skipped" if entry.kind == SKIPPED else "counted"
        else:
            label = "skipped" if entry.day_number is None else f"day {entry.day_number}"
        stretches = ", ".join(f"{clock(since)}-{clock(to)}" for since, to in entry.stretches)
        counted = format_duration(entry.counted, days=False) if entry.stretches else ""
        total = (
            f"total {format_duration(entry.total, days=False)}"
            if hours and entry.total is not None and entry.kind != SKIPPED
            else ""
        )
        rows.append((entry.day.strftime("%a %Y-%m-%d"), label, stretches, counted, total))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row, entry in zip(rows, days, strict=True):
        date_, label, stretches, counted, total = row
        fields = [date_, f"{label:<{widths[1]}}", f"{stretches:<{widths[2]}}"]
        if hours:
            fields += [f"{counted:>{widths[3]}}", f"{total:<{widths[4]}}"]
        fields.append(entry.reason)
        lines.append(("  " + "  ".join(fields)).rstrip())
    return lines


def _status_line(view: "ExplainView", tz: "ZoneInfo") -> str:
    from complaintctl.domain.instants import format_duration, format_local
    from complaintctl.services.explain import BREACHED, MET, NOT_STARTED, RUNNING

    status = view.status
    as_of = f"As of {format_local(view.as_of, tz)}"
    due = format_local(view.due, tz)

    def working(amount: timedelta | None) -> str:
        assert amount is not None
        return format_duration(amount, days=False)

    in_working_time = status.working_used is not None
    late = (
        f"late by {working(status.working_late)} working, "
        f"{format_duration(status.calendar_late)} calendar"
        if in_working_time
        else f"late by {format_duration(status.calendar_late)}"
    )
    if status.state == NOT_STARTED:
        return f"{as_of}: not started yet (it starts {format_local(view.start, tz)})"
    if status.state in (RUNNING, BREACHED):
        if not in_working_time:
            if status.state == BREACHED:
                return f"{as_of}: closed {format_duration(status.calendar_late)} ago ({due})"
            return f"{as_of}: open, {format_duration(status.calendar_left)} left (until {due})"
        used = f"{working(status.working_used)} working time used"
        if status.state == BREACHED:
            return f"{as_of}: {used}; breached, {late} (due {due})"
        return f"{as_of}: {used}, {working(status.working_left)} left (due {due})"
    assert status.ended_at is not None
    ended = format_local(status.ended_at, tz)
    verb = "met" if status.state == MET else "stopped (cancelled)"
    if status.on_time:
        spare = (
            f"{working(status.working_left)} working to spare"
            if in_working_time
            else f"{format_duration(status.calendar_left)} to spare"
        )
        return f"{as_of}: {verb} at {ended}, on time ({spare}; due {due})"
    return f"{as_of}: {verb} at {ended}, {late} (due {due})"
