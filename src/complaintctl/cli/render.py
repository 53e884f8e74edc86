"""Output: JSON and CSV for scripts, tab-separated lines when piped, rich tables at a terminal.

The only module that imports rich, and only when a terminal is there to see it. Data goes to
stdout; notes and warnings to stderr.
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from complaintctl.domain import clocks
from complaintctl.domain.clocks import STAFF_CLOCKS, STEP_CLOCKS
from complaintctl.domain.explain import SKIPPED, DayEntry
from complaintctl.domain.instants import (
    format_duration,
    format_instant,
    format_local,
    format_short,
)
from complaintctl.domain.procedure import Action
from complaintctl.text import inert, json_text, one_line, write_csv
from complaintctl.views import (
    BREACHED,
    JSON_SCHEMA_VERSION,
    MET,
    NOT_STARTED,
    RUNNING,
    CalendarChange,
    CalendarView,
    CaseView,
    ConsumerCase,
    ConsumerRecord,
    ConsumerView,
    DeadlineView,
    EventView,
    ExplainView,
    OverdueReport,
    QueueItem,
    QueueReport,
    RestrictionView,
    StaffView,
    Stepped,
    calendar_json,
    case_json,
    consumer_json,
    consumer_record_json,
    explain_json,
    history_json,
    overdue_json,
    queue_json,
    restriction_json,
    staff_json,
    step_json,
    versioned,
)

if TYPE_CHECKING:
    from complaintctl.services.imports import ImportReport
    from complaintctl.services.steps import StepResult
    from complaintctl.store.schema import SchemaStatus


@dataclass(frozen=True)
class Output:
    """How a command prints, from the root's options: the command's state carries it."""

    plain: bool = False  # --plain: tab-separated lines even at a terminal

    def for_people(self) -> bool:
        """Tables only on a terminal, and never with --plain. NO_COLOR takes the colour away,
        not the table (no-color.org): the console honours it."""
        return sys.stdout.isatty() and not self.plain

    def progress_shown(self) -> bool:
        """A progress line only on a terminal's stderr, and never with --plain."""
        return sys.stderr.isatty() and not self.plain


def at_terminal() -> bool:
    """Someone at a terminal who can be asked: stdin and stderr both one. Never in a pipe or
    under cron, whatever stdout is."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _print(text: str) -> None:
    """A line (or lines) of output for people: stored text in it is shown inert."""
    print(inert(text, lines=True))


def _print_json(data: Any) -> None:
    print(json_text(data), file=machine_stdout())


def machine_stdout() -> IO[str]:
    """stdout for JSON, JSON Lines and CSV: UTF-8 whatever the locale says, as every reader
    of those formats expects (and `import` reads). Text for people keeps the locale's."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
        stream.reconfigure(encoding="utf-8", errors="strict")
    return stream


def _note(message: str) -> None:
    print(inert(message, lines=True), file=sys.stderr)


def note(message: str) -> None:
    """A message for the person, on stderr."""
    _note(message)


def message(text: str) -> None:
    """What a command did, on stdout."""
    _print(text)


def _warnings(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        _note(f"Warning: {warning}")


def _cell(value: object) -> str:
    """One field of a tab-separated line: inert, without tabs or line breaks inside it."""
    return one_line(str(value if value is not None else ""))


def _styled(text: str, style: str = "") -> Any:
    """A table cell whose text is shown as typed but inert: "[" in a consumer's name is not
    markup, and an escape sequence in it is written out, not obeyed."""
    from rich.text import Text

    return Text(inert(text, lines=True), style=style)


def _cells(*values: str) -> list[Any]:
    return [_styled(value) for value in values]


def _line(*fields: object) -> None:
    print("\t".join(_cell(f) for f in fields))  # each field inert already


# -- cases ---------------------------------------------------------------------------------


def logged(view: CaseView, *, json_output: bool) -> None:
    tz = ZoneInfo(view.zone)
    _warnings(view.warnings)
    _restriction_notes(view)
    if view.earlier_cases:
        earlier = ", ".join(
            f"{c.ref} (received {format_local(c.received_at, tz)}, {c.stage})"
            for c in view.earlier_cases
        )
        _note(f"Note: {view.consumer} has complained before: {earlier}")
    if json_output:
        _print_json(case_json(view))
        return
    _print(view.ref)
    if view.close_reason:
        _note(f"Logged {view.ref}, closed: {view.close_reason}")
        return
    acknowledgement = _latest(view, STEP_CLOCKS[Action.LOG].starts[0])
    assert acknowledgement is not None
    _note(f"Logged {view.ref}; acknowledgement due {format_local(acknowledgement.due, tz)}")


def stepped(view: CaseView, json_output: bool, message: str, reported: Sequence[str] = ()) -> None:
    """After a step: what was done, with the state of the first of the `reported` clocks it
    acted on, then each other one (those it started), a line each. A clock that ended before
    the step (an extension at the second stage leaves the first-stage response as it was) is
    not the step's to report."""
    _warnings(view.warnings)
    _restriction_notes(view)
    if json_output:  # the shape a step on many cases prints, with this one case in it
        _print_json(step_json(applied=True, dry_run=False, done=[view], refused=[]))
        return
    tz = ZoneInfo(view.zone)
    states = [
        (kind, _deadline_state(deadline, view.as_of, tz))
        for kind in reported
        if (deadline := _latest(view, kind)) is not None
        and (deadline.ended_at is None or deadline.ended_at >= view.as_of)
    ]
    if states:
        message = f"{message}: {states.pop(0)[1]}"
    _print(message)
    for kind, state in states:
        _print(f"  {kind}: {state}")


def _latest(view: CaseView, kind: str) -> DeadlineView | None:
    return next((d for d in reversed(view.deadlines) if d.kind == kind), None)


def _restriction_notes(view: CaseView) -> None:
    for restriction in view.restrictions:
        _note(f"Note: {view.consumer} is under {restriction.describe()}")


def _deadline_state(deadline: DeadlineView, as_of: datetime, tz: ZoneInfo) -> str:
    due = format_local(deadline.due, tz)
    stopped = deadline.ended_at or as_of
    late = (
        f"{format_duration(deadline.working_late, days=False)} working, "
        f"{format_duration(stopped - deadline.due)} calendar"
    )
    if deadline.outcome == clocks.MET:
        return (
            f"met late by {late} (due {due})" if deadline.breached else f"met on time (due {due})"
        )
    if deadline.outcome == clocks.CANCELLED:
        # Stopped before it was met (by a close, say): a breach before then stays on record.
        ended = f"cancelled at {format_local(stopped, tz)}"
        if deadline.breached:
            return f"{ended}, breached by {late} before then (due {due})"
        return f"{ended}, before it fell due (due {due})"
    if deadline.breached:
        return f"breached by {late} (due {due})"
    if not deadline.in_working_time:
        return f"open, due {due} (in {format_duration(deadline.due - as_of)})"
    left = format_duration(deadline.working_left, days=False)
    return f"open, due {due} (in {left} working)"


def case(out: Output, view: CaseView, *, json_output: bool) -> None:
    _warnings(view.warnings)
    if json_output:
        _print_json(case_json(view))
        return
    tz = ZoneInfo(view.zone)
    contact = ", ".join(x for x in (view.email, view.address) if x) or "-"
    needs = ", ".join(view.adjustments) or "none recorded"
    fields = [
        ("Reference", f"{view.ref} (version {view.version})"),
        ("Stage", view.stage + (f" ({view.close_reason})" if view.close_reason else "")),
        ("Consumer", f"{view.consumer} <{contact}>"),
        ("Prefers", view.preferred_contact or "-"),
        ("Adjustments", needs),
        *[("Restricted", r.describe()) for r in view.restrictions],
        *[
            ("Incident", f"{format_local(i.at, tz)} {i.note} ({i.recorded_by})")
            for i in view.incidents
        ],
        ("Received", f"{format_local(view.received_at, tz)} by {view.channel}"),
        ("Category", view.category + (" (out of time for triage)" if view.out_of_time else "")),
        ("Area", view.area or "-"),
        ("Responder", view.responder or "-"),
        ("Second stage", view.handler or "-"),
        ("Dispute", view.dispute or "-"),
        ("Board", "addressed to the executive team or the Board" if view.board else "no"),
        ("Summary", view.summary),
        *[
            (
                "First response" if r.stage == "first" else "Final response",
                f"{r.decision} by {r.given_by}, {format_local(r.given_at, tz)}: {r.summary}"
                + (f" [{', '.join(r.remedies)}]" if r.remedies else "")
                + (f" £{r.goodwill_pence / 100:.2f}" if r.goodwill_pence else ""),
            )
            for r in view.responses
        ],
        *_later_steps(view, tz),
        *[("Contact", contact_text(e, tz)) for e in view.contacts],
    ]
    deadlines = [(d.kind, _deadline_state(d, view.as_of, tz)) for d in view.deadlines]
    history = [(format_local(e.at, tz), e.action, e.actor) for e in view.history[-LATEST:]]
    if not out.for_people():
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
        table.add_row(*_cells(name, value))
    for kind, state in deadlines:
        style = "red" if "breached" in state or "late" in state else ""
        table.add_row(*_cells(f"Deadline ({kind})"), _styled(state, style))
    console.print(table)
    events = Table(title=f"Latest history (all: history {view.ref})", title_justify="left")
    for column in ("When", "Action", "By"):
        events.add_column(column)
    for row in history:
        events.add_row(*_cells(*row))
    console.print(events)


LATEST = 8  # history entries `show` lists; `history` lists them all


# What `show` says of each step the history alone records: its label, its action, the words
# for the entry, and the detail added after them (with how it is joined on).
_LATER_STEPS: tuple[tuple[str, str, Callable[[EventView], str], str, str], ...] = (
    ("Escalated", "escalate", lambda e: f"to {e.details.get('to')} by {e.actor}", "reason", ": "),
    (
        "Referred",
        "refer",
        lambda e: f"to the Independent Assessor by {e.actor}",
        "late_reason",
        "; accepted late: ",
    ),
    ("Assessor", "outcome", lambda e: str(e.details.get("outcome")), "recommendation", ": "),
)


def _later_steps(view: CaseView, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The escalation, the referral and the Assessor's outcome, as `show` lists them."""
    shown = []
    for label, action, words, detail, joined in _LATER_STEPS:
        entry = view.latest(action)
        if entry is None:
            continue
        extra = entry.details.get(detail)
        tail = f"{joined}{extra}" if extra else ""
        shown.append((label, f"{words(entry)}, {format_local(entry.at, tz)}{tail}"))
    return shown


_DIRECTION_WORDS = {"in": "from the consumer", "out": "to the consumer"}


def contact_text(entry: EventView, tz: ZoneInfo) -> str:
    """`Wed 2026-12-02 15:28 GMT, to the consumer by phone (olu): Called to say …`; a note on
    the file has no direction."""
    details = entry.details
    way = _DIRECTION_WORDS.get(str(details.get("direction")))
    how = f", {way} by {details.get('channel')}" if way else ", file note"
    return f"{format_local(entry.at, tz)}{how} ({entry.actor}): {details.get('text')}"


def history(out: Output, view: CaseView, *, json_output: bool) -> None:
    if json_output:
        _print_json(history_json(view))
        return
    tz = ZoneInfo(view.zone)
    if not out.for_people():
        for e in view.history:
            _line(
                format_instant(e.at, tz),
                e.action,
                e.actor,
                details_text(e.details, tz),
                format_instant(e.recorded_at, tz),
                e.ran_as,  # the operating system's login and host, beside the --as of "By"
            )
        return
    from rich.table import Table

    # When and who share a column, so the details keep most of a narrow terminal's width.
    table = Table(title=f"History of {view.ref}", title_justify="left")
    table.add_column("When, by", no_wrap=True)
    table.add_column("Action", no_wrap=True)
    table.add_column("Details", overflow="fold", ratio=1, min_width=24)
    for e in view.history:
        later = e.recorded_at - e.at >= timedelta(minutes=1)
        recorded = f"recorded {format_local(e.recorded_at, tz) if later else 'then'}" + (
            f" by {e.ran_as}" if e.ran_as else ""
        )
        details = "\n".join(x for x in (details_text(e.details, tz, sep="\n"), recorded) if x)
        table.add_row(*_cells(f"{format_local(e.at, tz)}\n{e.actor}", e.action, details))
    _console().print(table)


def details_text(details: dict[str, Any], tz: ZoneInfo, *, sep: str = "; ") -> str:
    """A history entry's details as a person reads them: `on time: no; remedies: apology,
    goodwill-payment; goodwill: £50.00; due: Thu 2026-12-03 10:00 GMT`."""
    shown = []
    for key, value in details.items():
        if value in (None, "", []):
            continue
        name = key.replace("_", " ")
        if key == "goodwill_pence" and isinstance(value, int):
            name, text = "goodwill", f"£{value / 100:,.2f}"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and (instant := _instant(value)) is not None:
            text = format_local(instant, tz)
        else:
            text = str(value)
        shown.append(f"{name}: {text}")
    return sep.join(shown)


def _instant(value: str) -> datetime | None:
    """An instant a history entry holds (ISO 8601 with an offset), or None for other text."""
    if len(value) < 16 or value[10:11] != "T":
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def bulk(result: StepResult, json_output: bool, message: Callable[[Stepped], str]) -> None:
    """What happened to each case: done (or would be) on stdout; its warnings and the
    refusals on stderr."""
    _bulk_warnings(result.done)
    if json_output:
        _print_json(
            step_json(
                applied=result.applied,
                dry_run=result.dry_run,
                done=[_whole(view) for view in result.done],
                refused=[(ref, err.message, err.exit_code) for ref, err in result.refused],
            )
        )
    else:
        prefix = "" if result.applied else "(not written) "
        for view in result.done:
            _print(prefix + message(view))
    for ref, err in result.refused:
        _note(f"{ref}: {err.message}")
    total = len(result.done) + len(result.refused)
    if result.refused and not result.applied:
        hint = (
            ""
            if result.dry_run or not result.done
            else ("; use --continue-on-error to change the others")
        )
        _note(
            f"Error: {len(result.refused)} of {total} cases refused, so no case was changed{hint}"
        )
    elif result.refused:
        _note(f"Error: {len(result.refused)} of {total} cases refused; the others were changed")
    elif result.dry_run:
        _note(f"Dry run: all {total} cases can take it; nothing was written")


def _whole(view: Stepped) -> CaseView:
    assert isinstance(view, CaseView), "JSON reads each case back whole (full_views)"
    return view


def _bulk_warnings(views: Sequence[Stepped]) -> None:
    """Each warning once, naming the cases it is about (the first few, then how many more): a
    deadline past the known bank holidays is the same warning for every case in the batch."""
    about: dict[str, list[str]] = {}
    for view in views:
        for warning in view.warnings:
            about.setdefault(warning, []).append(view.ref)
    for warning, refs in about.items():
        _note(f"Warning ({_some(refs)}): {warning}")


def _some(refs: Sequence[str], shown: int = 3) -> str:
    """SC-1, SC-2 and SC-3 — or SC-1, SC-2, SC-3 and 7 more."""
    if len(refs) <= shown:
        return refs[0] if len(refs) == 1 else f"{', '.join(refs[:-1])} and {refs[-1]}"
    return f"{', '.join(refs[:shown])} and {len(refs) - shown} more"


# -- batches -------------------------------------------------------------------------------


@contextmanager
def progress(out: Output, label: str) -> Iterator[Callable[[int], None]]:
    """A progress line on a terminal's stderr for a long batch; silent when piped."""
    if not out.progress_shown():
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description} {task.completed:,} rows"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


def imported(report: ImportReport, rejects_file: Path | None, json_output: bool) -> None:
    if json_output:
        _print_json(
            versioned(
                {
                    "rows": report.rows,
                    "new": len(report.new),
                    "duplicates": report.duplicates,
                    "rejected": len(report.rejects),
                    "dry_run": report.dry_run,
                    "refs": report.new,
                    "rejects_file": str(rejects_file) if rejects_file else None,
                    "rejects": [
                        {"line": r.line, "field": r.field, "reason": r.reason}
                        for r in report.rejects
                    ],
                }
            )
        )
        return
    verb = "Would import" if report.dry_run else "Imported"
    summary = (
        f"{verb} {len(report.new)} new of {report.rows} rows; "
        f"{report.duplicates} already in the store; {len(report.rejects)} rejected"
    )
    if rejects_file is not None and not report.dry_run:
        summary += f" (written with reasons to {rejects_file})"
    for reject in report.rejects:
        _note(reject.describe())
    _print(summary)


def exported(
    out: IO[str], records: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str
) -> None:
    """Export's records: CSV (each cell safe for a spreadsheet) or JSON Lines (values exact)."""
    if fmt == "csv":
        write_csv(
            out, columns, ([_csv_value(record[name]) for name in columns] for record in records)
        )
        return
    for record in records:
        out.write(json_text(versioned(record), indent=None) + "\n")


def _csv_value(value: Any) -> Any:
    """A record's value as a CSV cell: flags as true/false; a list of adjustments as JSON,
    which keeps one with a ";" in it whole."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value) if value else ""
    return value


# -- people --------------------------------------------------------------------------------


def staff_changed(view: StaffView, json_output: bool, verb: str) -> None:
    if json_output:
        _print_json(versioned(staff_json(view)))
        return
    area = f" in {view.area}" if view.area else ""
    _print(f"{verb} {view.username} ({view.name}, {view.role}{area})")


def staff_list(out: Output, views: tuple[StaffView, ...], json_output: bool) -> None:
    if json_output:
        _print_json([versioned(staff_json(v)) for v in views])
        return
    rows = [
        (v.username, v.name, v.role, v.area or "-", "active" if v.active else "removed")
        for v in views
    ]
    _table(out, rows, ("Username", "Name", "Role", "Area", "State"))


def restriction_changed(view: RestrictionView, json_output: bool, verb: str) -> None:
    tz = ZoneInfo(view.zone)
    if json_output:
        _print_json(versioned(restriction_json(view, tz)))
        return
    _print(f"{verb} {view.consumer}: {view.describe()}")


def restriction_list(out: Output, views: tuple[RestrictionView, ...], json_output: bool) -> None:
    if json_output:
        _print_json([versioned(restriction_json(v, ZoneInfo(v.zone))) for v in views])
        return
    rows = [
        (
            str(v.id),
            v.consumer,
            v.email or "-",
            v.scope,
            format_instant(v.review_due, ZoneInfo(v.zone)),
            "lifted" if v.lifted_at else "in force",
            v.reason,
        )
        for v in views
    ]
    _table(out, rows, ("Id", "Consumer", "Email", "Scope", "Review due", "State", "Reason"))


def consumer_changed(view: ConsumerView, json_output: bool) -> None:
    if json_output:
        _print_json(consumer_json(view))
        return
    needs = ", ".join(view.adjustments) or "none"
    _print(f"Updated {view.name}: prefers {view.preferred_contact or '-'}; adjustments: {needs}")


def consumer(out: Output, view: ConsumerRecord, *, json_output: bool) -> None:
    """`consumer show`: the person, then their cases, most recent first."""
    if json_output:
        _print_json(consumer_record_json(view))
        return
    tz = ZoneInfo(view.zone)
    fields = [
        ("Consumer", f"{view.name} (id {view.id})"),
        ("Email", view.email or "-"),
        ("Address", view.address or "-"),
        ("Prefers", view.preferred_contact or "-"),
        ("Adjustments", ", ".join(view.adjustments) or "none recorded"),
        *[
            (
                "Restricted" if r.lifted_at is None else "Was restricted",
                r.describe()
                if r.lifted_at is None
                else f"{r.describe()}; lifted {format_local(r.lifted_at, tz)} by {r.lifted_by}: "
                f"{r.lift_reason}",
            )
            for r in view.restrictions
        ],
        *[
            ("Incident", f"{format_local(i.at, tz)} {i.note} ({i.recorded_by}, {i.ref or '-'})")
            for i in view.incidents
        ],
    ]
    cases = [
        (c.ref, format_local(c.received_at, tz), c.stage, _case_outcome(c)) for c in view.cases
    ]
    if not out.for_people():
        for name, value in fields:
            _line(name, value)
        for row in cases:
            _line("Case", *row)
        return
    from rich.table import Table

    console = _console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(*_cells(name, value))
    console.print(table)
    listed = Table(title=f"Cases ({len(cases)}), most recent first", title_justify="left")
    for column in ("Ref", "Received", "Stage", "Outcome"):
        listed.add_column(column, overflow="fold")
    for row in cases:
        listed.add_row(*_cells(*row))
    console.print(listed)


def _case_outcome(case: ConsumerCase) -> str:
    """How a case ended, or the decisions so far: `closed: accepted; first: not-upheld`."""
    parts = [
        f"{label}: {value}"
        for label, value in (
            ("closed", case.close_reason),
            ("first", case.first_decision),
            ("final", case.final_decision),
            ("assessor", case.assessor_outcome),
        )
        if value
    ]
    return "; ".join(parts) or "-"


def _table(out: Output, rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    if not out.for_people():
        for row in rows:
            _line(*row)
        return
    from rich.table import Table

    table = Table()
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*_cells(*row))
    _console().print(table)


# -- overdue -------------------------------------------------------------------------------


SUMMARY_WORST = 5  # the most overdue items `overdue --summary` names


def overdue_summary(report: OverdueReport) -> None:
    """`overdue --summary`: plain lines for a mail, whatever stdout is. How many are overdue
    of each kind, the most overdue few, and how many more fall due within the window."""
    _warnings(report.warnings)
    tz = ZoneInfo(report.zone)
    late = [item for item in report.items if item.late_calendar > timedelta(0)]
    soon = len(report.items) - len(late)
    when = format_local(report.as_of, tz)
    if not late:
        _print(f"Nothing overdue as of {when}.")
    else:
        counts: dict[str, int] = {}
        for item in late:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        by_kind = ", ".join(f"{kind} {count}" for kind, count in counts.items())
        _print(f"{len(late)} overdue as of {when}: {by_kind}.")
        _print("Most overdue:")
        for item in late[:SUMMARY_WORST]:
            who = item.ref or f"restriction {item.restriction_id}"
            _print(
                f"  {who}  {item.kind}  {one_line(item.consumer)}  late by "
                f"{format_duration(item.late_working, days=False)} of working time "
                f"({format_duration(item.late_calendar)})"
            )
        if len(late) > SUMMARY_WORST:
            _print(f"  and {len(late) - SUMMARY_WORST} more: complaintctl overdue")
    if soon:
        _print(f"Falling due soon (within --due-within): {soon}.")


def overdue(out: Output, report: OverdueReport, *, json_output: bool, csv_output: bool) -> None:
    _warnings(report.warnings)
    if json_output:
        _print_json(overdue_json(report))
        return
    tz = ZoneInfo(report.zone)
    rows = [
        (
            item.ref or f"restriction {item.restriction_id}",
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
        header = ("ref", "kind", "consumer", "received_at", "due", "late_working", "late_calendar")
        write_csv(machine_stdout(), header, rows)
        return
    if not out.for_people():
        for row in rows:
            _line(*row)
        return
    if not rows:
        _note(f"Nothing overdue as of {format_short(report.as_of, tz)}.")
        return
    from rich import box
    from rich.table import Table

    console = _console()
    # Grouped by kind, in the order of the procedure, most overdue first within each.
    order = {kind: n for n, kind in enumerate(KIND_ORDER)}
    items = sorted(report.items, key=lambda i: order.get(i.kind, len(order)))
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        title=f"Overdue as of {format_short(report.as_of, tz)}",
        title_justify="left",
    )
    table.add_column("Ref", no_wrap=True, min_width=14)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Consumer", overflow="ellipsis", no_wrap=True, max_width=22)
    table.add_column("Due", no_wrap=True, min_width=16)
    table.add_column("Working time", no_wrap=True, min_width=14)
    table.add_column("Calendar", no_wrap=True)
    for item in items:
        late = item.late_calendar.total_seconds() > 0
        working = format_duration(abs(item.late_working), days=False)
        table.add_row(
            *_cells(
                item.ref or f"restriction {item.restriction_id}",
                item.kind,
                item.consumer,
                format_short(item.due, tz),
            ),
            _styled(f"late by {working}", "bold red")
            if late
            else _styled(f"in {working}", "yellow"),
            format_duration(abs(item.late_calendar)),
            end_section=item is not items[-1] and items[items.index(item) + 1].kind != item.kind,
        )
    console.print(table)
    totals = []
    for kind in sorted({i.kind for i in items}, key=lambda k: order.get(k, len(order))):
        of_kind = [i for i in items if i.kind == kind]
        overdue_count = sum(1 for i in of_kind if i.late_calendar.total_seconds() > 0)
        soon = len(of_kind) - overdue_count
        totals.append(f"{kind}: {overdue_count} overdue" + (f", {soon} due soon" if soon else ""))
    console.print("; ".join(totals))


# Overdue clocks grouped in the order of the procedure.
KIND_ORDER = tuple(kind.value for kind in STAFF_CLOCKS)


# -- the queue -----------------------------------------------------------------------------

QUEUE_COLUMNS = (
    "ref",
    "consumer",
    "flags",
    "stage",
    "area",
    "owner",
    "kind",
    "due",
    "state",
    "left_working",
)
_STATE_STYLE = {"breached": "bold red", "due-soon": "yellow", "on-track": "green", "waiting": "dim"}


def _flags(item: QueueItem) -> str:
    """A: reasonable adjustments, R: a restriction (look before contacting); B: the Board."""
    marks = (("A", item.adjustments), ("R", item.restricted), ("B", item.board))
    return ",".join(flag for flag, on in marks if on) or "-"


def _left(item: QueueItem) -> str:
    if item.due is None:
        return ""
    if item.state == "breached":
        return f"late by {format_duration(-item.working_left, days=False)}"
    return f"in {format_duration(item.working_left, days=False)}"


def queue(out: Output, report: QueueReport, *, json_output: bool, csv_output: bool) -> None:
    _warnings(report.warnings)
    if json_output:
        _print_json(queue_json(report))
        return
    tz = ZoneInfo(report.zone)
    rows = [
        (
            item.ref,
            item.consumer,
            _flags(item),
            item.stage,
            item.area or "",
            item.owner or "",
            item.kind or "",
            format_instant(item.due, tz) if item.due else "",
            item.state,
            format_duration(item.working_left, days=False) if item.due else "",
        )
        for item in report.items
    ]
    if csv_output:
        write_csv(machine_stdout(), QUEUE_COLUMNS, rows)
        return
    if not out.for_people():
        for row in rows:
            _line(*row)
        return
    from rich import box
    from rich.table import Table

    console = _console()
    columns = _queue_columns(report, tz, console.width)
    table = Table(
        # No edges or padding: the one-space divider between columns is the only overhead,
        # so _queue_columns can size the table exactly.
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=0,
        title=f"Queue as of {format_short(report.as_of, tz)}",
        title_justify="left",
        caption=(
            f"{len(report.items)} open · {report.count('breached')} breached · "
            f"{report.count('due-soon')} due within "
            f"{format_duration(report.warn_within, days=False)} of working time"
        ),
        caption_justify="left",
    )
    for header, width, _ in columns:
        table.add_column(header, width=width, no_wrap=True, overflow="ellipsis")
    for item in report.items:
        table.add_row(*[cell(item) for _, _, cell in columns])
    console.print(table)


QueueColumn = tuple[str, int, Callable[[QueueItem], Any]]


def _queue_columns(report: QueueReport, tz: ZoneInfo, width: int) -> list[QueueColumn]:
    """The queue's columns, sized to fit `width`.

    References, flags, dates and the time left are never cut. On a narrow terminal the owner,
    area and stage columns go first (the next deadline's kind says much of the stage), then the
    consumer's name is cut with an ellipsis.
    """

    def flags(item: QueueItem) -> str:
        return "" if _flags(item) == "-" else _flags(item)

    def due(item: QueueItem) -> str:
        return format_short(item.due, tz) if item.due else ""

    cells: list[tuple[str, Callable[[QueueItem], str]]] = [
        ("Ref", lambda i: i.ref),
        ("!", flags),
        ("Consumer", lambda i: i.consumer),
        ("Stage", lambda i: i.stage),
        ("Area", lambda i: i.area or ""),
        ("Owner", lambda i: i.owner or ""),
        ("Next", lambda i: i.kind or "waiting"),
        ("Due", due),
        ("Working time", _left),
    ]
    natural = {
        header: max([len(header), *(len(cell(item)) for item in report.items)])
        for header, cell in cells
    }
    caps = {"Consumer": 24, "Area": 14, "Owner": 14}

    def widths_of(header: str) -> int:
        return min(natural[header], caps.get(header, natural[header]))

    shown = [header for header, _ in cells]
    for optional in ("Owner", "Area", "Stage"):
        needed = sum(widths_of(h) for h in shown) + len(shown) - 1
        if needed <= width:
            break
        shown.remove(optional)
    fixed = sum(widths_of(h) for h in shown if h != "Consumer") + len(shown) - 1
    widths = {h: widths_of(h) for h in shown}
    widths["Consumer"] = max(8, min(widths["Consumer"], width - fixed))
    return [
        (header, widths[header], _queue_cell(cell, coloured=header == "Working time"))
        for header, cell in cells
        if header in shown
    ]


def _queue_cell(text: Callable[[QueueItem], str], *, coloured: bool) -> Callable[[QueueItem], Any]:
    """A queue cell: the time left coloured by the case's state, everything else as typed."""

    def cell(item: QueueItem) -> Any:
        return _styled(text(item), _STATE_STYLE[item.state] if coloured else "")

    return cell


# -- the calendar --------------------------------------------------------------------------


def calendar(out: Output, view: CalendarView, *, json_output: bool) -> None:
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
    if not out.for_people():
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
        table.add_row(*_cells(name, value))
    console.print(table)
    upcoming = Table(title="Next closed days", title_justify="left")
    for column in ("Date", "Name", "Kind"):
        upcoming.add_column(column)
    for row in closed:
        upcoming.add_row(*_cells(*row))
    console.print(upcoming)


def calendar_change(change: CalendarChange) -> None:
    """The change on stderr; each deadline it moved on stdout (ref, kind, old, new)."""
    tz = ZoneInfo(change.zone)
    _note(change.message)
    for ref, kind, old, new in change.recomputed:
        _line(ref, kind, format_instant(old, tz), format_instant(new, tz))


# -- explain ---------------------------------------------------------------------------


def explain(view: ExplainView, *, json_output: bool) -> None:
    """Why a deadline falls where it does: plain lines, the same at a terminal and in a pipe."""
    _warnings(view.warnings)
    if json_output:
        _print_json(explain_json(view))
        return
    _print("\n".join(explain_lines(view)))


def explain_lines(view: ExplainView) -> list[str]:
    """The explanation as plain lines: the same at a terminal and in a pipe."""
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


def _day_lines(days: tuple[DayEntry, ...], tz: ZoneInfo, *, hours: bool) -> list[str]:
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


def _status_line(view: ExplainView, tz: ZoneInfo) -> str:
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


# -- the store ---------------------------------------------------------------------------

STORE_STATES = {
    "current": "up to date",
    "needs-upgrade": "older than this complaintctl: back it up, then run `complaintctl db upgrade`",
    "newer-than-program": "newer than this complaintctl: upgrade complaintctl to use it",
    "damaged": "damaged: restore it from a backup",
}


def store_status(status: SchemaStatus, *, json_output: bool) -> None:
    if json_output:
        data = {
            "schema_version": JSON_SCHEMA_VERSION,
            "store": status.store,
            "backend": status.backend,
            "revision": status.revision,
            "program_revision": status.program_revision,
            "state": status.state,
            "damage": status.damage,
        }
        _print_json(data)
        return
    _print(f"Store:     {status.store} ({status.backend})")
    _print(f"Schema:    {status.revision or '-'} (this complaintctl: {status.program_revision})")
    _print(f"State:     {STORE_STATES[status.state]}")
    if status.damage:
        _print(f"Damage:    {one_line(status.damage)}")
