"""Output: JSON and CSV for scripts, tab-separated lines when piped, rich tables at a terminal.

The only module that imports rich, and only when a terminal is there to see it. Data goes to
stdout; notes and warnings to stderr.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from complaintctl.domain import clocks
from complaintctl.domain.calendar import WorkingCalendar, format_due
from complaintctl.domain.chain import is_marker, unmarked
from complaintctl.domain.clocks import STAFF_CLOCKS, STEP_CLOCKS
from complaintctl.domain.explain import SKIPPED, DayEntry, shown_minutes
from complaintctl.domain.instants import (
    close_clock,
    format_duration,
    format_instant,
    format_local,
)
from complaintctl.domain.procedure import STANDING_DETAILS, Action, Stage, due_detail
from complaintctl.files import resolved
from complaintctl.text import inert, json_text, one_line, shell_word, write_csv
from complaintctl.views import (
    BREACHED,
    JSON_SCHEMA_VERSION,
    MET,
    NOT_STARTED,
    RUNNING,
    ActionView,
    Anonymised,
    CalendarChange,
    CalendarView,
    CaseView,
    CauseView,
    ClosedDayView,
    ConsumerCase,
    ConsumerRecord,
    ConsumerView,
    DeadlineView,
    EventView,
    ExplainView,
    FigureCases,
    FindReport,
    HistoryVerified,
    HoldView,
    Letter,
    LetterBatch,
    OverdueItem,
    OverdueReport,
    PolicyView,
    QueueItem,
    QueueReport,
    ReportView,
    RestrictionView,
    RetentionDue,
    StaffView,
    Stepped,
    SubjectAccessView,
    VerifyProblem,
    action_json,
    anonymised_json,
    calendar_change_json,
    calendar_json,
    case_json,
    cause_json,
    consumer_json,
    consumer_record_json,
    explain_json,
    find_json,
    history_json,
    hold_json,
    issued_letter_json,
    letters_json,
    overdue_json,
    policy_json,
    queue_json,
    report_json,
    restriction_json,
    retention_due_json,
    staff_json,
    step_json,
    subject_access_json,
    versioned,
)

if TYPE_CHECKING:
    from complaintctl.domain.figures import Figure
    from complaintctl.domain.figures import Row as FigureRow
    from complaintctl.letters import Templates
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


def path_shown(path: object) -> str:
    """A file or folder a command wrote or read, as a message names it: one word the shell
    reads back (`shell_word`), so a newline or control character in its name neither breaks
    the line nor reaches the terminal."""
    return shell_word(str(path))


def store_shown(described: str) -> str:
    """The store as a message names it (`store.db.describe`): an SQLite file's path as
    `path_shown` shows it; a URL as it is, its password already hidden."""
    return described if "://" in described else path_shown(described)


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


T = TypeVar("T")

# -- tables for people ---------------------------------------------------------------------

# How a column may meet a narrow terminal. KEEP: never cut (references, dates, durations,
# emails, kinds, stages); CLIP: free text cut with an ellipsis past its cap, or to fit; WRAP:
# free text folded onto more lines to fit.
KEEP, CLIP, WRAP = "keep", "clip", "wrap"
LEAST = 8  # the narrowest a column of free text is squeezed to
SCREEN_SPARE = 6  # lines a screenful leaves for the title, header, caption and prompt


class Cell(NamedTuple):
    text: str
    style: str = ""


@dataclass(frozen=True)
class Column(Generic[T]):
    """A column of a table for people: its header, its cell for an item, how it may fit."""

    header: str
    cell: Callable[[T], str | Cell]
    fit: str = KEEP
    cap: int = 0  # the widest a CLIP column is shown (0: as wide as its text)
    label: str = ""  # its name in a record's block, if not the header


def listing(
    items: Sequence[T],
    layouts: Sequence[Sequence[Column[T]]],
    *,
    title: str = "",
    caption: str = "",
    limit: int | None = None,
    group: Callable[[T], Any] | None = None,
    total: int | None = None,
) -> None:
    """Items as a table at a terminal: the first of `layouts` that fits the width without
    cutting what may not be cut, else one block of `Field: value` lines per item. `limit`
    None is a screenful of the first items, 0 all; with `group`, those shown are grouped by
    it (a stable sort: in their order within each group), a blank line between groups.
    `total`: how many there are, when `items` are the first of them. Longer than the screen,
    it goes through the pager."""
    from complaintctl.services.common import collecting_only_the_batch

    console = _console()
    room = max(console.height - SCREEN_SPARE - (3 if group else 0), 3)
    considered = items if limit == 0 else items[: limit or room]
    lines: list[str] = []
    rows: list[list[str]] = []
    # A table of thousands of items makes as many lists: the cycle collector would walk all
    # that was loaded before it (the store stack, the items) again and again meanwhile.
    with collecting_only_the_batch():
        for columns in layouts:
            cells = [_column_cells(c, considered) for c in columns]
            widths = fit_widths(columns, [texts for texts, _ in cells], console.width)
            if widths is not None:
                lines = _table_lines(console, columns, widths)
                rows = _table_rows(console, columns, widths, cells)
                break
        else:
            labels = [c.label or c.header for c in layouts[0]]
            by_column = [_column_cells(c, considered) for c in layouts[0]]
            rows = [
                _block_lines(
                    console, labels, [Cell(texts[n], styles[n]) for texts, styles in by_column]
                )
                for n in range(len(considered))
            ]
    count = len(rows) if limit is not None else len(_within(rows, room))
    picked = list(range(count))
    body: list[str] = []
    if group is not None:
        picked.sort(key=lambda n: group(considered[n]))
    for at, n in enumerate(picked):
        if group and lines and at and group(considered[n]) != group(considered[picked[at - 1]]):
            body.append("")
        body += rows[n]
    # The title and the counts under the table folded at spaces to the width, as the cells
    # are: the terminal would break them mid-word.
    head = [_paint(console, line, "bold") for line in _wrap(title, console.width)] if title else []
    tail = _wrap(caption, console.width) if caption else []
    _emit(console, [*head, *lines, *body, *tail])
    _limited((len(items) if total is None else total) - count)


def _within(rows: list[list[str]], room: int) -> list[list[str]]:
    """The rows that fit a screenful of `room` lines (at least one)."""
    used = 0
    for n, row in enumerate(rows):
        used += len(row)
        if used > room and n:
            return rows[:n]
    return rows


def _column_cells(column: Column[T], items: Sequence[T]) -> tuple[list[str], list[str]]:
    """A column's cells as shown, one per item, and each one's style: stored text inert,
    laid out on lines of its own where it has them."""
    values = list(map(column.cell, items))
    texts = [value for value in values if isinstance(value, str)]
    if len(texts) == len(values):
        return list(map(_shown, texts)), [""] * len(texts)
    cells = [value if isinstance(value, Cell) else Cell(value) for value in values]
    return [_shown(cell.text) for cell in cells], [cell.style for cell in cells]


@functools.lru_cache(maxsize=4096)
def _shown(text: str) -> str:
    """Stored text inert, tabs as spaces (a listing repeats its stages, kinds and areas)."""
    return inert(text, lines=True).replace("\t", " ")


def _width(text: str) -> int:
    """Cells `text` takes on a terminal: its length, unless a character is wide or zero-width."""
    from rich.cells import cell_len

    return len(text) if text.isascii() else cell_len(text)


def fit_widths(
    columns: Sequence[Column[T]], texts: Sequence[Sequence[str]], width: int
) -> list[int] | None:
    """Each column's width, one space between them, within `width`, for its cells' `texts`
    (a list a column); None when the table cannot fit without cutting a column that is never
    cut. Free text gives way first, the widest first, down to LEAST."""
    widths = []
    floors = []
    for column, cells in zip(columns, texts, strict=True):
        lines = "\n".join([column.header, *cells]).split("\n")
        natural = max(map(len if all(map(str.isascii, lines)) else _width, lines))
        if column.fit == CLIP and column.cap:
            natural = min(natural, column.cap)
        widths.append(natural)
        header = max(_width(line) for line in column.header.split("\n"))
        floors.append(natural if column.fit == KEEP else min(natural, max(LEAST, header)))
    excess = sum(widths) + len(widths) - 1 - width
    while excess > 0:
        give = [n for n in range(len(widths)) if widths[n] > floors[n]]
        if not give:
            return None
        widest = max(give, key=lambda n: widths[n])
        widths[widest] -= 1
        excess -= 1
    return widths


def _table_lines(console: Any, columns: Sequence[Column[T]], widths: list[int]) -> list[str]:
    header = _row_lines(console, columns, widths, [Cell(c.header, "bold") for c in columns])
    return [*header, "─" * (sum(widths) + len(widths) - 1)]


def _table_rows(
    console: Any,
    columns: Sequence[Column[T]],
    widths: list[int],
    cells: Sequence[tuple[list[str], list[str]]],
) -> list[list[str]]:
    """Each item's lines in the table, as _row_lines lays them out. Most items are one line
    of cells that fit: those are laid out a column at a time (a table of 20,000 cases cell by
    cell took most of its time); an item with a cell of several lines, or one to wrap, alone
    goes through _row_lines."""
    laid: list[list[str]] = []
    by_itself: set[int] = set()
    for column, width, (texts, styles) in zip(columns, widths, cells, strict=True):
        if "\n" in "".join(texts):
            by_itself.update(n for n, text in enumerate(texts) if "\n" in text)
        ascii_only = all(map(str.isascii, texts))
        if column.fit == CLIP:
            fitted = [
                text if len(text) <= width and ascii_only else _clip(text, width) for text in texts
            ]
        else:
            fitted = texts
            if column.fit == WRAP:
                # One line that fits is the wrap of itself, unless it starts with a space.
                by_itself.update(
                    n
                    for n, text in enumerate(texts)
                    if text.startswith(" ") or (len(text) if ascii_only else _width(text)) > width
                )
        fitted = [text.rstrip(" ") for text in fitted]
        if not any(styles) and ascii_only:
            laid.append([text.ljust(width) for text in fitted])
            continue
        laid.append(
            [
                _paint(console, text, style) + " " * (width - _width(text))
                for text, style in zip(fitted, styles, strict=True)
            ]
        )
    rows = [[" ".join(fields).rstrip()] for fields in zip(*laid, strict=True)]
    for n in by_itself:
        row = [Cell(texts[n], styles[n]) for texts, styles in cells]
        rows[n] = _row_lines(console, columns, widths, row)
    return rows


def _row_lines(
    console: Any, columns: Sequence[Column[T]], widths: list[int], row: Sequence[Cell]
) -> list[str]:
    """One item's lines in the table: each cell laid out in its column's width."""
    laid = []
    for column, width, cell in zip(columns, widths, row, strict=True):
        if column.fit == WRAP:
            parts = _wrap(cell.text, width)
        elif column.fit == CLIP:
            parts = [_clip(line, width) for line in cell.text.split("\n")]
        else:
            parts = cell.text.split("\n")
        laid.append(parts)
    height = max(len(parts) for parts in laid)
    lines = []
    for n in range(height):
        fields = []
        for parts, width, cell in zip(laid, widths, row, strict=True):
            text = (parts[n] if n < len(parts) else "").rstrip(" ")
            gap = width - _width(text)  # every part fits its column by now
            fields.append(_paint(console, text, cell.style) + " " * gap)
        lines.append(" ".join(fields).rstrip())
    return lines


def _clip(text: str, width: int) -> str:
    from rich.cells import set_cell_size

    if _width(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def _wrap(text: str, width: int) -> list[str]:
    """`text` folded at spaces onto lines `width` wide; a longer word is broken."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            joined = f"{line} {word}" if line else word
            if _width(joined) <= width:
                line = joined
                continue
            if line:
                out.append(line)
            while _width(word) > width:
                piece = _prefix(word, width)
                out.append(piece)
                word = word[len(piece) :]
            line = word
        out.append(line)
    return out


def _prefix(word: str, width: int) -> str:
    """The longest start of `word` `width` cells wide (at least one character)."""
    end = 1
    while end < len(word) and _width(word[: end + 1]) <= width:
        end += 1
    return word[:end]


def _block_lines(console: Any, labels: Sequence[str], row: Sequence[Cell]) -> list[str]:
    """One item as `Field: value` lines, the values aligned and never cut, then a blank line.
    A long value wraps at its spaces to the width; a word longer than the line (an email) is
    kept whole, for the terminal to fold."""
    import textwrap

    names = [label.replace("\n", ", ") + ":" for label in labels]
    indent = max(len(name) for name in names) + 1
    room = max(console.width - indent, 20)
    lines = []
    for name, cell in zip(names, row, strict=True):
        parts = [
            piece
            for line in (cell.text.split("\n") if cell.text else ["-"])
            for piece in textwrap.wrap(line, room, break_long_words=False, break_on_hyphens=False)
            or [line]
        ]
        lines.append(f"{name:<{indent}}{_paint(console, parts[0], cell.style)}")
        lines += [" " * indent + _paint(console, part, cell.style) for part in parts[1:]]
    return [*lines, ""]


_STYLE_CODES: dict[tuple[str, str | None, bool], tuple[str, str]] = {}


def _paint(console: Any, text: str, style: str) -> str:
    """`text` in `style` as the console would write it (no colour under NO_COLOR, nothing on
    a terminal without colours): the codes are worked out once per style, not per cell."""
    if not style or not text:
        return text
    key = (style, console.color_system, console.no_color)
    if key not in _STYLE_CODES:
        from rich.text import Text

        with console.capture() as captured:
            console.print(Text("\0", style=style), end="")
        before, _, after = captured.get().partition("\0")
        _STYLE_CODES[key] = (before, after)
    before, after = _STYLE_CODES[key]
    return f"{before}{text}{after}"


def _emit(console: Any, lines: list[str]) -> None:
    """Lines for a person: through the pager when longer than the screen."""
    text = "\n".join(lines) + "\n"
    pager = _pager() if len(lines) > console.height else None
    if pager is not None:
        import subprocess

        try:
            process = subprocess.Popen(
                pager,
                stdin=subprocess.PIPE,
                encoding=sys.stdout.encoding,
                errors="replace",
                env={**os.environ, "LESS": os.environ.get("LESS", "R")},
            )
        except OSError:
            pass  # no such pager: the lines go to the terminal as they are
        else:
            assert process.stdin is not None
            try:
                process.stdin.write(text)
                process.stdin.close()
            except BrokenPipeError:
                pass  # the person left the pager before the end
            process.wait()
            return
    sys.stdout.write(text)
    sys.stdout.flush()


def _pager() -> list[str] | None:
    """$PAGER (default `less -R`), only when stdout is a real terminal; none when PAGER is
    empty."""
    try:
        if not os.isatty(sys.stdout.fileno()):
            return None
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    command = os.environ.get("PAGER", "less -R")
    try:
        return shlex.split(command) or None
    except ValueError:  # unbalanced quotes: no pager rather than no output
        return None


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
    if acknowledgement.breached:  # dated back past its due: as `show` has it
        state = _deadline_state(acknowledgement, view.as_of, tz, view.working_day, view.calendar)
        _note(f"Logged {view.ref}; acknowledgement {state}")
        return
    due = format_due(acknowledgement.due, tz, view.calendar)
    _note(f"Logged {view.ref}; acknowledgement due {due}")


def stepped(
    view: CaseView,
    json_output: bool,
    message: str,
    reported: Sequence[str] = (),
    meets: Sequence[str] = (),
) -> None:
    """After a step: what was done, with the state of the first of the `reported` clocks it
    acted on, then each other one (those it started), a line each. A clock that ended before
    the step (an extension at the second stage leaves the first-stage response as it was) is
    not the step's to report: one that ended is reported only where it is of a kind this step
    `meets` and the step ended it, when it happened or, met late, when it was recorded
    (clocks.clock_ends_at). An earlier step recorded after its deadline ended its clock when
    it was recorded, which can be after this step's --at; one dated the same --at (a backlog
    typed in by dates alone) ended it at this step's --at."""
    _warnings(view.warnings)
    _restriction_notes(view)
    if json_output:  # the shape a step on many cases prints, with this one case in it
        _print_json(step_json(applied=True, dry_run=False, done=[view], refused=[]))
        return
    tz = ZoneInfo(view.zone)
    step = view.history[-1] if view.history else None
    ended_by_step = (step.at, step.recorded_at) if step is not None else (view.as_of,)
    states = [
        (kind, _deadline_state(deadline, view.as_of, tz, view.working_day, view.calendar))
        for kind in reported
        if (deadline := _latest(view, kind)) is not None
        and (deadline.ended_at is None or (kind in meets and deadline.ended_at in ended_by_step))
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


def _deadline_state(
    deadline: DeadlineView,
    as_of: datetime,
    tz: ZoneInfo,
    working_day: timedelta,
    calendar: WorkingCalendar | None,
) -> str:
    due = format_due(deadline.due, tz, calendar)
    stopped = deadline.ended_at or as_of
    calendar_late = f"{format_duration(stopped - deadline.due)} calendar"
    late = (
        f"{working_time(deadline.working_late, deadline.kind, working_day)} working, "
        f"{calendar_late}"
        if deadline.working_late > timedelta(0)
        else f"{calendar_late}, out of hours"  # never "late by 0m"
    )
    if not deadline.in_working_time:  # calendar months (the referral window): no working time
        late = format_duration(stopped - deadline.due)
        if deadline.outcome is None and deadline.breached:  # the consumer's, never breached
            return f"closed {late} ago (due {due})"
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
    if deadline.working_left <= timedelta(0) < deadline.due - as_of:
        # No working time left before a due out of hours (agreed for a Saturday) or at an
        # opening, yet it is not due: as one past due out of hours is said, never "in 0m".
        left = f"in {format_duration(deadline.due - as_of)} calendar"
        return f"open, due {due} ({left}, {_no_time_before(deadline.due, calendar)})"
    left = working_time(deadline.working_left, deadline.kind, working_day)
    return f"open, due {due} (in {left} working)"


def case_fields(view: CaseView) -> list[tuple[str, str]]:
    """A case's fields as `show` lists them, name and value (the live view's case too)."""
    tz = ZoneInfo(view.zone)
    contact = ", ".join(x for x in (view.email, view.address) if x) or "-"
    needs = ", ".join(view.adjustments) or "none recorded"
    return [
        ("Reference", f"{view.ref} (version {view.version})"),
        ("Stage", view.stage + (f" ({view.close_reason})" if view.close_reason else "")),
        ("Consumer", f"{view.consumer} <{contact}>"),
        ("Prefers", view.preferred_contact or "-"),
        ("Adjustments", needs),
        *[("Restricted", r.describe()) for r in view.restrictions],
        *[
            # One recorded on another of the consumer's cases names it, as `consumer show` does.
            (
                "Incident",
                f"{format_local(i.at, tz)} {i.note} ({i.recorded_by}"
                + ("" if i.ref == view.ref else f", {i.ref or '-'}")
                + ")",
            )
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
                + (f" £{r.goodwill_pence / 100:,.2f}" if r.goodwill_pence else "")
                + (f"; causes: {', '.join(r.causes)}" if r.causes else ""),
            )
            for r in view.responses
        ],
        *_later_steps(view, tz),
        *[
            (
                "Action",
                f"{a.id} ({a.kind}) {a.what}: {a.owner}, due {format_due(a.due, tz, a.calendar)}"
                + (" (overdue)" if a.overdue else ""),
            )
            for a in view.actions
        ],
        *[("Contact", contact_text(e, tz)) for e in view.contacts],
    ]


def case_deadlines(view: CaseView) -> list[tuple[str, str]]:
    """Each of a case's deadlines as `show` lists it: its kind, and where it stands."""
    tz = ZoneInfo(view.zone)
    return [
        (d.kind, _deadline_state(d, view.as_of, tz, view.working_day, view.calendar))
        for d in view.deadlines
    ]


def case(out: Output, view: CaseView, *, json_output: bool) -> None:
    _warnings(view.warnings)
    if json_output:
        _print_json(case_json(view))
        return
    tz = ZoneInfo(view.zone)
    fields = case_fields(view)
    deadlines = case_deadlines(view)
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
    columns: list[Column[tuple[str, str, str]]] = [
        Column("When", lambda row: row[0]),
        Column("Action", lambda row: row[1]),
        Column("By", lambda row: row[2]),
    ]
    listing(history, [columns], title=f"Latest history (all: history {view.ref})", limit=0)


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
        extra = unmarked(entry.details.get(detail))
        tail = f"{joined}{extra}" if extra else ""
        shown.append((label, f"{words(entry)}, {format_local(entry.at, tz)}{tail}"))
        if action == Action.ESCALATE:
            shown += _handed_on(view, tz)
    return shown


def _handed_on(view: CaseView, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The second stage last handed on (an `assign` at that stage), after the escalation."""
    entry = view.latest(Action.ASSIGN)
    if entry is None or entry.details.get("stage") != Stage.SECOND_STAGE:
        return []
    said = (
        f"to {entry.details.get('to')} from {entry.details.get('was')} by {entry.actor}, "
        f"{format_local(entry.at, tz)}"
    )
    reason = unmarked(entry.details.get("reason"))
    return [("Handed on", f"{said}: {reason}" if reason else said)]


_DIRECTION_WORDS = {"in": "from the consumer", "out": "to the consumer"}


def contact_text(entry: EventView, tz: ZoneInfo) -> str:
    """`Wed 2026-12-02 15:28 GMT, to the consumer by phone (olu): Called to say …`; a note on
    the file has no direction."""
    details = entry.details
    way = _DIRECTION_WORDS.get(str(details.get("direction")))
    how = f", {way} by {details.get('channel')}" if way else ", file note"
    return f"{format_local(entry.at, tz)}{how} ({entry.actor}): {unmarked(details.get('text'))}"


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
                details_text(e.details, tz, action=e.action, calendar=view.calendar),
                format_instant(e.recorded_at, tz),
                e.ran_as,  # the operating system's login and host, beside the --as of "By"
            )
        return

    def details(e: EventView) -> str:
        later = e.recorded_at - e.at >= timedelta(minutes=1)
        recorded = f"recorded {format_local(e.recorded_at, tz) if later else 'then'}" + (
            f" by {e.ran_as}" if e.ran_as else ""
        )
        words = details_text(e.details, tz, sep="\n", action=e.action, calendar=view.calendar)
        return "\n".join(x for x in (words, recorded) if x)

    # When and who share a column, so the details keep most of a narrow terminal's width.
    columns: list[Column[EventView]] = [
        Column("When, by", lambda e: f"{format_local(e.at, tz)}\n{e.actor}"),
        Column("Action", lambda e: e.action),
        Column("Details", details, WRAP),
    ]
    listing(view.history, [columns], title=f"History of {view.ref}", limit=0)


def details_text(
    details: dict[str, Any],
    tz: ZoneInfo,
    *,
    sep: str = "; ",
    action: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> str:
    """A history entry's details as a person reads them: `on time: no; remedies: apology,
    goodwill-payment; goodwill: £50.00; due: Thu 2026-12-03 10:00 GMT`. `action`, the
    entry's, says which empty values read as none (`STANDING_DETAILS`); a due reads as `show`
    gives it on `calendar` (`format_due`)."""
    shown = []
    each_a_line = "\n" in sep
    standing = STANDING_DETAILS.get(action or "", frozenset())
    for key, value in details.items():
        if value in (None, "", []) and key in standing:
            shown.append(f"{key.replace('_', ' ')}: none")
            continue
        if value in (None, "", []) or key == "facts":  # a letter's facts: in history --json
            continue
        name = key.replace("_", " ")
        if is_marker(value):  # removed by retention or erasure: when and why, not the digest
            text = str(value["removed"])
        elif key == "goodwill_pence" and isinstance(value, int):
            name, text = "goodwill", f"£{value / 100:,.2f}"
        elif key in ("changes", "personal_changes") and isinstance(value, list):
            # an edit's: each field old and new
            text = ", ".join(
                f"{c.get('field')} {_edited_value(c.get('old'))} → {_edited_value(c.get('new'))}"
                for c in value
                if isinstance(c, dict)
            )
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and (instant := _instant(value)) is not None:
            text = format_due(instant, tz, calendar if due_detail(key) else None)
        else:
            text = str(value)
        # A detail is one line where each is a line of its own: a summary's second line would
        # read as a detail, one the tool wrote (`on time: yes`), as a reason's in explain would.
        shown.append(f"{name}: {one_line(text) if each_a_line else text}")
    return sep.join(shown)


def _edited_value(value: object) -> str:
    """An old or new value of an edit: quoted, so a change of spacing shows; none as `none`."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"“{value}”"


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
    of_total = f"{len(result.refused)} of {total} case{'' if total == 1 else 's'} refused"
    if result.refused and not result.applied:
        hint = (
            ""
            if result.dry_run or not result.done
            else (
                "; use --continue-on-error to change the "
                + ("other" if len(result.done) == 1 else "others")
            )
        )
        _note(f"Error: {of_total}, so no case was changed{hint}")
    elif result.refused:
        others = "the other was" if len(result.done) == 1 else "the others were"
        _note(f"Error: {of_total}; {others} changed")
    elif result.dry_run and total:  # no cases at all: the caller has said so
        which = "the case" if total == 1 else f"all {total} cases"
        _note(f"Dry run: {which} can take it; nothing was written")


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
    for warning, refs in report.warnings.items():
        _note(f"Warning ({_some(refs)}): {warning}")
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
                    "rejects": [  # one a problem: a row may have several
                        {"line": r.line, "field": p.field, "reason": p.reason}
                        for r in report.rejects
                        for p in r.problems
                    ],
                }
            )
        )
        return
    verb = "Would import" if report.dry_run else "Imported"
    summary = (
        f"{verb} {len(report.new)} new of {report.rows} rows; "
        f"{report.duplicates - report.repeated} already in the store; "
        + (f"{report.repeated} repeating an earlier row; " if report.repeated else "")
        + f"{len(report.rejects)} rejected"
    )
    if rejects_file is not None and not report.dry_run:
        # Named resolved, as every file a message names; the JSON's `rejects_file` is as given.
        summary += f" (written with reasons to {path_shown(resolved(rejects_file))})"
    for reject in report.rejects:
        for line in reject.describe():
            _note(line)
    _print(summary)


def exported(
    out: IO[str],
    records: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    shown: bool = False,
) -> None:
    """Export's records: CSV (each cell safe for a spreadsheet; inert where `shown`, bound for
    a terminal) or JSON Lines (values exact)."""
    if fmt == "csv":
        write_csv(
            out,
            columns,
            ([_csv_value(record[name]) for name in columns] for record in records),
            shown=shown,
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
    _warnings(view.warnings)
    if json_output:
        _print_json(versioned(staff_json(view)))
        return
    area = f" in {view.area}" if view.area else ""
    bound = _bound_to(view)
    bound = f"; bound to {bound}" if bound != "-" else ""
    _print(f"{verb} {view.username} ({view.name}, {view.role}{area}{bound})")


def _bound_to(view: StaffView) -> str:
    """The database role and login bound to a member, in words; "-" for none."""
    bound = [f"database role {view.db_role}"] if view.db_role else []
    bound += [f"login {view.os_login}"] if view.os_login else []
    return " and ".join(bound) or "-"


def _nothing_listed(out: Output, listed: Sequence[object], said: str) -> bool:
    """At a terminal, a list with nothing in it says so (`said`) on stderr, not a bare header
    that reads as if the list had failed; whether it was empty. A pipe gets no lines."""
    if listed or not out.for_people():
        return False
    _note(said)
    return True


def staff_list(
    out: Output, views: tuple[StaffView, ...], json_output: bool, *, removed: bool
) -> None:
    """Staff (`removed`: removed members too)."""
    if json_output:
        _print_json([versioned(staff_json(v)) for v in views])
        return
    said = "No member of staff has been added." if removed else "No member of staff is active."
    if _nothing_listed(out, views, said):
        return
    rows = [
        (
            v.username,
            v.name,
            v.role,
            v.area or "-",
            "active" if v.active else "removed",
            _bound_to(v),
        )
        for v in views
    ]
    _table(out, rows, [
        Column("Username", _at(0)),
        Column("Name", _at(1), WRAP),
        Column("Role", _at(2)),
        Column("Area", _at(3), WRAP),
        Column("State", _at(4)),
        Column("Bound to", _at(5), WRAP),
    ])  # fmt: skip


def cause_list(out: Output, views: tuple[CauseView, ...], json_output: bool) -> None:
    if json_output:
        _print_json([versioned(cause_json(v)) for v in views])
        return
    _table(out, [(v.name, v.words, v.added_by) for v in views], [
        Column("Cause", _at(0)),
        Column("Words", _at(1), WRAP),
        Column("Added by", _at(2)),
    ])  # fmt: skip


def cause_added(view: CauseView, json_output: bool) -> None:
    if json_output:
        _print_json(versioned(cause_json(view)))
        return
    _print(f"Added the cause {view.name}: {view.words}")


def action_changed(view: ActionView, json_output: bool, verb: str) -> None:
    _warnings(view.warnings)
    if json_output:
        _print_json(versioned(action_json(view)))
        return
    tz = ZoneInfo(view.zone)
    what = one_line(view.what)  # one line, as `show` and the live view say it
    if view.done_at is None:
        _print(
            f"{verb} action {view.id} on {view.ref} ({view.kind}), owned by {view.owner}, "
            f"due {format_due(view.due, tz, view.calendar)}{' (overdue)' if view.overdue else ''}: "
            f"{what}"
        )
    else:
        late = (
            "on time" if view.on_time else f"late (due {format_due(view.due, tz, view.calendar)})"
        )
        _print(f"{verb}: action {view.id} on {view.ref}, {late}: {what}")


def _action_state(view: ActionView) -> str:
    if view.done_at is not None:
        return "done" if view.on_time else "done late"
    return "overdue" if view.overdue else "open"


def action_list(out: Output, views: tuple[ActionView, ...], json_output: bool) -> None:
    _warnings(tuple(dict.fromkeys(w for v in views for w in v.warnings)))
    if json_output:
        _print_json([versioned(action_json(v)) for v in views])
        return

    def when(v: ActionView) -> str:
        tz = ZoneInfo(v.zone)
        return format_due(v.due, tz, v.calendar) if out.for_people() else format_instant(v.due, tz)

    rows = [
        (str(v.id), v.ref, v.kind, v.owner, when(v), _action_state(v),
         one_line(v.what))  # one line, as show, history and overdue give it
        for v in views
    ]  # fmt: skip
    if _nothing_listed(out, rows, "No action matches."):
        return
    _table(out, rows, [
        Column("Id", _at(0)),
        Column("Case", _at(1)),
        Column("Kind", _at(2)),
        Column("Owner", _at(3)),
        Column("Due", _at(4)),
        Column("State", _at(5)),
        Column("What", _at(6), WRAP),
    ])  # fmt: skip


def restriction_changed(view: RestrictionView, json_output: bool, verb: str) -> None:
    tz = ZoneInfo(view.zone)
    if json_output:
        _print_json(versioned(restriction_json(view, tz)))
        return
    overdue = " (overdue)" if view.overdue else ""  # dated back past its review date
    _print(f"{verb} {view.consumer}: {view.describe()}{overdue}")


def restriction_list(
    out: Output, views: tuple[RestrictionView, ...], json_output: bool, *, lifted: bool
) -> None:
    """Restrictions (`lifted`: lifted ones too)."""
    if json_output:
        _print_json([versioned(restriction_json(v, ZoneInfo(v.zone))) for v in views])
        return
    said = "No restriction has been decided." if lifted else "No restriction is in force."
    if _nothing_listed(out, views, said):
        return
    # Plain lines carry the review's instant in ISO 8601; a person reads it as `show` gives it.
    when = format_local if out.for_people() else format_instant
    rows = [
        (
            str(v.id),
            v.consumer,
            v.email or "-",
            v.scope,
            when(v.review_due, ZoneInfo(v.zone)),
            "lifted" if v.lifted_at else "in force",
            one_line(v.reason),  # one line, as an action's what in its table
        )
        for v in views
    ]
    _table(out, rows, [
        Column("Id", _at(0)),
        Column("Consumer", _at(1), WRAP),
        Column("Email", _at(2)),
        Column("Scope", _at(3)),
        Column("Review due", _at(4)),
        Column("State", _at(5)),
        Column("Reason", _at(6), WRAP),
    ])  # fmt: skip


def _years(years: int) -> str:
    return f"{years} year{'s' if years != 1 else ''}"


def _policy_words(view: PolicyView) -> str:
    if view.set_by is None or view.set_at is None:
        return f"policy {view.number}: {_years(view.years)} ({view.reason})"
    return (
        f"policy {view.number}: {_years(view.years)}, set by {view.set_by} "
        f"{format_local(view.set_at, ZoneInfo(view.zone))}: {view.reason}"
    )


def retention_policy(views: tuple[PolicyView, ...], json_output: bool) -> None:
    """The policy in force, and the ones before it."""
    if json_output:
        _print_json(versioned({"policy": policy_json(views[-1]), "history": [
            policy_json(v) for v in views
        ]}))  # fmt: skip
        return
    _print(f"In force: {_policy_words(views[-1])}")
    for view in views[:-1]:
        _print(f"Before: {_policy_words(view)}")


def retention_policy_set(view: PolicyView, json_output: bool) -> None:
    if json_output:
        _print_json(versioned({"policy": policy_json(view), "history": [policy_json(view)]}))
        return
    _print(f"In force: {_policy_words(view)}")


def hold_changed(view: HoldView, json_output: bool, verb: str) -> None:
    if json_output:
        _print_json(versioned(hold_json(view)))
        return
    _print(f"{verb} {view.describe()}: {one_line(view.lift_reason or view.reason)}")


def hold_list(out: Output, views: tuple[HoldView, ...], json_output: bool, *, lifted: bool) -> None:
    """Legal holds (`lifted`: lifted ones too)."""
    if json_output:
        _print_json([versioned(hold_json(v)) for v in views])
        return
    if _nothing_listed(
        out, views, "No legal hold has been added." if lifted else "No legal hold is in force."
    ):
        return
    when = format_local if out.for_people() else format_instant
    rows = [
        (
            str(v.id),
            v.ref or f"consumer {v.consumer_id}",
            v.added_by,
            when(v.added_at, ZoneInfo(v.zone)),
            "lifted" if v.lifted_at else "in force",
            one_line(v.reason),  # one line, as its confirmation and an action's what say it
        )
        for v in views
    ]
    # Plain lines keep who and when as two fields; the table shows them as one column.
    _table(out, rows, [
        Column("Id", _at(0)),
        Column("Holds", _at(1)),
        Column("Added", lambda row: f"{row[2]} {row[3]}"),
        Column("State", _at(4)),
        Column("Reason", _at(5), WRAP),
    ])  # fmt: skip


def retention_due(out: Output, view: RetentionDue, json_output: bool) -> None:
    """What retention has made due, each with its date; then the holds in force."""
    if json_output:
        _print_json(retention_due_json(view))
        return
    tz = ZoneInfo(view.zone)
    when = format_local if out.for_people() else format_instant
    rows = [
        (
            item.ref or f"consumer {item.consumer_id}",
            item.state,
            when(item.due_at, tz),
            item.why or "-",
        )
        for item in view.items
    ]
    if out.for_people():
        _note(f"Under {_policy_words(view.policy)}, as of {format_local(view.as_of, tz)}:")
        if not rows:
            _note("Nothing is due.")
    if rows or not out.for_people():
        _table(out, rows, [
            Column("Case or consumer", _at(0)),
            Column("State", _at(1)),
            Column("Due since", _at(2)),
            Column("Why not removed", _at(3), WRAP),
        ])  # fmt: skip
    if out.for_people() and view.holds:
        _note("Legal holds in force: " + "; ".join(
            f"{h.describe()} ({one_line(h.reason)})" for h in view.holds
        ))  # fmt: skip


def anonymised(view: Anonymised, json_output: bool) -> None:
    """What a retention run or an erasure removed, or would."""
    if json_output:
        _print_json(anonymised_json(view))
        return
    what = [*view.refs, *(f"consumer {n}" for n in view.consumer_ids)]
    if not what:
        if view.dry_run:
            _print("Nothing is due: nothing would be removed; nothing was written.")
        else:
            _print("Nothing is due: nothing was removed.")
        return
    verb, value = (
        ("Would remove", "each value to be") if view.dry_run else ("Removed", "each value now")
    )
    _print(f"{verb} the personal data of {', '.join(what)}, {value} {view.marker}")
    if view.dry_run:
        _print(f"{view.entries} history entries would be anonymised; nothing was written.")
    else:
        _print(f"{view.entries} history entries anonymised; their seals still hold.")


def _subject_access_state(view: SubjectAccessView) -> str:
    """The request's state, with the month it was extended by."""
    extended = f", extended {view.extended_months}m" if view.extended_months else ""
    return f"{view.state}{extended}"


def subject_access_changed(view: SubjectAccessView, json_output: bool, verb: str) -> None:
    _warnings(view.warnings)
    if json_output:
        _print_json(subject_access_json(view))
        return
    tz = ZoneInfo(view.zone)
    line = (
        f"{verb} subject-access request {view.id} from {one_line(view.consumer)}: "
        f"received {format_local(view.received_at, tz)}, due {format_local(view.due, tz)}"
    )
    if view.state == "overdue":  # typed in, or extended, after its due: as `sar show` has it
        line += " (overdue)"
    if view.done_at is not None:
        line += f"; answered {format_local(view.done_at, tz)}, " + (
            "in time" if view.on_time else "late"
        )
    _print(line)


def subject_access(view: SubjectAccessView, json_output: bool) -> None:
    """`sar show`: the request, a field a line."""
    _warnings(view.warnings)
    if json_output:
        _print_json(subject_access_json(view))
        return
    tz = ZoneInfo(view.zone)

    def when(instant: datetime | None) -> str:
        return format_local(instant, tz) if instant is not None else "-"

    fields = [
        ("Request", str(view.id)),
        ("Consumer", f"{view.consumer} (consumer {view.consumer_id})"),
        ("Received", when(view.received_at)),
        ("Due", when(view.due)),
        ("State", _subject_access_state(view)),
        ("Opened", f"{when(view.opened_at)} by {view.opened_by}"),
    ]
    if view.extended_months:
        fields.append(
            ("Extended", f"{when(view.extended_at)} by {view.extended_by}: {view.extend_reason}")
        )
    if view.done_at is not None:
        fields.append(("Answered", f"{when(view.done_at)} by {view.done_by}"))
        fields.append(
            ("Export", f"history entry {view.export_entry}, sha256 {view.export_sha256 or '-'}")
        )
    for name, value in fields:
        _print(f"{name + ':':<10} {one_line(value)}")


def subject_access_list(
    out: Output, views: tuple[SubjectAccessView, ...], json_output: bool, *, open_only: bool
) -> None:
    _warnings(tuple(dict.fromkeys(warning for v in views for warning in v.warnings)))
    if json_output:
        _print_json([subject_access_json(v) for v in views])
        return
    said = (
        "No subject-access request is open."
        if open_only
        else "No subject-access request has been recorded."
    )
    if _nothing_listed(out, views, said):
        return
    when = format_local if out.for_people() else format_instant
    rows = [
        (
            str(v.id),
            v.consumer,
            v.email or "-",
            when(v.received_at, ZoneInfo(v.zone)),
            when(v.due, ZoneInfo(v.zone)),
            _subject_access_state(v),
        )
        for v in views
    ]
    _table(out, rows, [
        Column("Id", _at(0)),
        Column("Consumer", _at(1), WRAP),
        Column("Email", _at(2)),
        Column("Received", _at(3)),
        Column("Due", _at(4)),
        Column("State", _at(5)),
    ])  # fmt: skip


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
    if not out.for_people():
        for name, value in fields:
            _line(name, value)
        for c in view.cases:
            _line("Case", c.ref, format_instant(c.received_at, tz), c.stage, _case_outcome(c))
        for r in view.subject_access:
            _line("SAR", str(r.id), format_instant(r.received_at, tz), format_instant(r.due, tz),
                  r.state)  # fmt: skip
        return
    from rich.table import Table

    console = _console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(*_cells(name, value))
    console.print(table)
    columns: list[Column[ConsumerCase]] = [
        Column("Ref", lambda c: c.ref),
        Column("Received", lambda c: format_local(c.received_at, tz)),
        Column("Stage", lambda c: c.stage),
        Column("Outcome", _case_outcome, WRAP),
    ]
    listing(view.cases, [columns], title=f"Cases ({len(view.cases)}), most recent first", limit=0)
    if view.subject_access:
        requests: list[Column[SubjectAccessView]] = [
            Column("SAR", lambda r: str(r.id)),
            Column("Received", lambda r: format_local(r.received_at, tz)),
            Column("Due", lambda r: format_local(r.due, tz)),
            Column("State", lambda r: r.state),
        ]
        count = len(view.subject_access)
        listing(view.subject_access, [requests], title=f"Subject-access requests ({count})",
                limit=0)  # fmt: skip


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


Row = Sequence[str]


def _at(n: int) -> Callable[[Row], str]:
    """A column's cell: the row's nth field."""
    return lambda row: row[n]


def _table(out: Output, rows: Sequence[Row], columns: Sequence[Column[Row]]) -> None:
    """Rows as plain lines, or every row in a table for people."""
    if not out.for_people():
        for row in rows:
            _line(*row)
        return
    listing(rows, [columns], limit=0)


# -- overdue -------------------------------------------------------------------------------


SUMMARY_WORST = 5  # the most overdue items `overdue --summary` names


def overdue_summary(report: OverdueReport, again: str = "complaintctl overdue") -> None:
    """`overdue --summary`: plain lines for a mail, whatever stdout is. How many are overdue
    of each kind, the most overdue few (`again` lists the rest: the command with its kinds
    and instant), and how many more fall due within the window."""
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
            who = item.who()
            # In the table's unit for the kind (working days for a final response, a review,
            # a subject-access request), and `late out of hours` as it says, never `0m`.
            how_late = _late(item.late_working, item.kind, report.working_day)
            if item.late_working > timedelta(0):
                how_late += " of working time"
            # Whose it is, where the store names someone: the mail goes to them.
            owner = f"  owner {one_line(item.owner)}" if item.owner else ""
            _print(
                f"  {who}  {item.which()}  {one_line(item.consumer)}  {how_late} "
                f"({format_duration(item.late_calendar)}){owner}"
            )
        if len(late) > SUMMARY_WORST:
            _print(f"  and {len(late) - SUMMARY_WORST} more: {again}")
    if soon:
        _print(f"Falling due soon (within --due-within): {soon}.")


def overdue(
    out: Output,
    report: OverdueReport,
    *,
    json_output: bool,
    csv_output: bool,
    limit: int | None = None,
) -> None:
    """The most overdue first: at a terminal a screenful, grouped by kind, unless `limit`
    says otherwise (0: all); in JSON, CSV and plain lines every item unless a `limit` is
    given."""
    _warnings(report.warnings)
    listed = _for_machines(out, report.items, limit, json_output or csv_output)
    if json_output:
        _print_json(overdue_json(replace(report, items=listed)))
        return
    tz = ZoneInfo(report.zone)
    if csv_output or not out.for_people():
        rows = [
            (
                item.who(),
                item.which(),
                item.consumer,
                format_instant(item.received_at, tz),
                format_instant(item.due, tz),
                format_duration(item.late_working, days=False),
                format_duration(item.late_calendar),
            )
            for item in listed
        ]
        if csv_output:
            header = (
                "ref", "kind", "consumer", "received_at", "due", "late_working", "late_calendar"
            )  # fmt: skip
            write_csv(machine_stdout(), header, rows)
        else:
            for row in rows:
                _line(*row)
        return
    if not report.items:
        _note(f"Nothing overdue as of {format_local(report.as_of, tz)}.")
        return
    # A screenful of the most overdue, grouped by kind in the order of the procedure, most
    # overdue first within each; the totals count them all.
    order = {kind: n for n, kind in enumerate(KIND_ORDER)}

    def who(item: OverdueItem) -> str:
        return item.who()

    def working(item: OverdueItem) -> Cell:
        if item.late_calendar > timedelta(0):
            return Cell(_late(item.late_working, item.kind, report.working_day), "bold red")
        return Cell(
            f"in {working_time(-item.late_working, item.kind, report.working_day)}", "yellow"
        )

    def calendar_time(item: OverdueItem) -> str:
        return format_duration(abs(item.late_calendar))

    def due(item: OverdueItem) -> str:
        # A restriction's review date is a date a person set: read as its own views read it
        # (`restrict list`, `show`, the history, the letter), never as a midnight close's 24:00.
        review = item.kind == clocks.DeadlineKind.RESTRICTION_REVIEW
        return format_due(item.due, tz, None if review else report.calendar)

    wide: list[Column[OverdueItem]] = [
        Column("Ref", who),
        Column("Kind", lambda i: i.which()),
        Column("Consumer", lambda i: i.consumer, CLIP, cap=22),
        Column("Owner", lambda i: i.owner or "", CLIP, cap=14),
        Column("Due", due),
        Column("Working time", working),
        Column("Calendar", calendar_time),
    ]
    stacked: list[Column[OverdueItem]] = [
        Column("Ref\nKind", lambda i: f"{who(i)}\n{i.which()}"),
        # No owner: no line for one, which would stand blank under a folded name.
        Column(
            "Consumer\nOwner",
            lambda i: f"{i.consumer}\n{i.owner}" if i.owner else i.consumer,
            WRAP,
        ),
        Column("Due", due),
        Column(
            "Working time\nCalendar",
            lambda i: Cell(f"{working(i).text}\n{calendar_time(i)}", working(i).style),
        ),
    ]
    totals = []
    for kind in sorted({i.kind for i in report.items}, key=lambda k: order.get(k, len(order))):
        of_kind = [i for i in report.items if i.kind == kind]
        overdue_count = sum(1 for i in of_kind if i.late_calendar.total_seconds() > 0)
        soon = len(of_kind) - overdue_count
        totals.append(f"{kind}: {overdue_count} overdue" + (f", {soon} due soon" if soon else ""))
    listing(
        report.items,
        [wide, stacked],
        title=f"Overdue as of {format_local(report.as_of, tz)}",
        caption="; ".join(totals),
        limit=limit,
        group=lambda i: order.get(i.kind, len(order)),
    )


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
# A queued case's fields as a person reads them: ref, flags, consumer, stage, area, owner,
# next, due, working time.
QueueRecord = tuple[str, str, str, str, str, str, str, str, Cell]
_STATE_STYLE = {"breached": "bold red", "due-soon": "yellow", "on-track": "green", "waiting": "dim"}


def _flags(item: QueueItem) -> str:
    """A: reasonable adjustments, R: a restriction (look before contacting); B: the Board."""
    marks = (("A", item.adjustments), ("R", item.restricted), ("B", item.board))
    return ",".join(flag for flag, on in marks if on) or "-"


def _left(
    item: QueueItem, working_day: timedelta, as_of: datetime, calendar: WorkingCalendar | None
) -> str:
    if item.due is None:
        return ""
    if item.state == "breached":
        return _late(-item.working_left, item.kind, working_day)
    if item.working_left <= timedelta(0) and item.due > as_of:
        # Due out of hours (a Saturday agreed), or at an opening, with no working time before
        # it: as a deadline past due out of hours is `late out of hours`, never "in 0m".
        return f"due {_no_time_before(item.due, calendar)}"
    return f"in {working_time(item.working_left, item.kind, working_day)}"


def _no_time_before(due: datetime, calendar: WorkingCalendar | None) -> str:
    """Why no working time is left before a due not yet reached, as show, the queue and explain
    say it: the due is `out of hours` (agreed for a Saturday), or `at the opening` (Monday's
    09:00, seen at the weekend), which is in hours, with none before it."""
    return "at the opening" if calendar is not None and calendar.is_open(due) else "out of hours"


def working_time(amount: timedelta, kind: str | None, working_day: timedelta) -> str:
    """Working time as a person reads it: hours for a deadline counted in working hours
    (`in 6h 30m`), working days of the calendar's length for any other (`in 7d 3h`)."""
    if kind is None or clocks.rule_of(kind).unit == "working-hours":
        return format_duration(amount, days=False)
    return format_duration(amount, day=working_day)


def _late(amount: timedelta, kind: str | None, working_day: timedelta) -> str:
    """`late by 2d 3h`; a deadline that passed out of hours has no working time late yet,
    and is never `late by 0m`."""
    if amount <= timedelta(0):
        return "late out of hours"
    return f"late by {working_time(amount, kind, working_day)}"


def queue_record(
    item: QueueItem,
    tz: ZoneInfo,
    working_day: timedelta,
    as_of: datetime,
    calendar: WorkingCalendar | None = None,
) -> QueueRecord:
    """A queued case as a person reads it (the live view's queue too): its working time left
    styled by its state, red when breached."""
    return (
        item.ref,
        "" if (marks := _flags(item)) == "-" else marks,
        item.consumer,
        item.stage,
        item.area or "",
        item.owner or "",
        item.kind or "waiting",
        format_due(item.due, tz, calendar) if item.due else "",
        Cell(_left(item, working_day, as_of, calendar), _STATE_STYLE[item.state]),
    )


def queue(
    out: Output,
    report: QueueReport,
    *,
    json_output: bool,
    csv_output: bool,
    limit: int | None = None,
) -> None:
    """The queue: at a terminal a screenful unless `limit` says otherwise (0: all); in
    JSON, CSV and plain lines every case unless a `limit` is given."""
    _warnings(report.warnings)
    items = _for_machines(out, report.items, limit, json_output or csv_output)
    if json_output:
        _print_json(queue_json(replace(report, items=items)))
        return
    tz = ZoneInfo(report.zone)
    if csv_output or not out.for_people():
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
            for item in items
        ]
        if csv_output:
            write_csv(machine_stdout(), QUEUE_COLUMNS, rows)
        else:
            for row in rows:
                _line(*row)
        return

    from complaintctl.services.common import collecting_only_the_batch

    # Each case's fields worked out once, whichever layout fits (as many tuples as cases: see
    # listing on the cycle collector).
    with collecting_only_the_batch():
        shown = report.items if limit == 0 else report.items[: limit or _console().height]
        records = [
            queue_record(item, tz, report.working_day, report.as_of, report.calendar)
            for item in shown
        ]
    # Wide: a column each. Narrower: two lines a case, the stage and flags under the
    # reference, the area and owner under the consumer, the due under the kind.
    wide: list[Column[QueueRecord]] = [
        Column("Ref", lambda r: r[0]),
        Column("!", lambda r: r[1], label="Flags"),
        Column("Consumer", lambda r: r[2], CLIP, cap=24),
        Column("Stage", lambda r: r[3]),
        Column("Area", lambda r: r[4], CLIP, cap=14),
        Column("Owner", lambda r: r[5], CLIP, cap=14),
        Column("Next", lambda r: r[6]),
        Column("Due", lambda r: r[7]),
        Column("Working time", lambda r: r[8]),
    ]
    stacked: list[Column[QueueRecord]] = [
        Column("Ref\nStage, flags", lambda r: f"{r[0]}\n{r[3]} {r[1]}".rstrip()),
        # No area or owner: no line for them, which would stand blank under a folded name.
        Column(
            "Consumer\nArea, owner",
            lambda r: f"{r[2]}\n{', '.join(filter(None, r[4:6]))}".rstrip("\n"),
            WRAP,
        ),
        Column("Next\nDue", lambda r: f"{r[6]}\n{r[7]}".rstrip()),
        Column("Working time", lambda r: r[8]),
    ]
    listing(
        records,
        [wide, stacked],
        total=len(report.items),
        title=f"Queue as of {format_local(report.as_of, tz)}",
        caption=(
            f"{len(report.items)} open · {report.count('breached')} breached · "
            f"{report.count('due-soon')} due within "
            f"{format_duration(report.warn_within, days=False)} of working time"
            + _subject_access_footer(report, tz)
        ),
        limit=limit,
    )


def _subject_access_footer(report: QueueReport, tz: ZoneInfo) -> str:
    line = subject_access_line(report, tz)
    return "\n" + line if line else ""


def subject_access_line(report: QueueReport, tz: ZoneInfo) -> str:
    """The queue's word on subject-access requests not yet answered (they have no case):
    how many, how many past due, and the next due (`sar list --open` lists them); "" for
    none. The live view's queue says it too."""
    dues = report.subject_access_dues
    if not dues:
        return ""
    from complaintctl.domain.calendar import past_due_date

    late = sum(1 for due in dues if past_due_date(due, report.as_of))
    coming = [due for due in dues if not past_due_date(due, report.as_of)]
    parts = [f"{len(dues)} subject-access request{'s' if len(dues) != 1 else ''} open"]
    if late:
        parts.append(f"{late} overdue")
    if coming:
        parts.append(f"next due {format_local(coming[0], tz)}")
    return ", ".join(parts) + " (complaintctl sar list --open)"


def _limited(more: int) -> None:
    if more > 0:
        _note(f"{more} more: --limit 0 for all")


def _for_machines(
    out: Output, items: tuple[T, ...], limit: int | None, machine: bool
) -> tuple[T, ...]:
    """A listing's items for JSON, CSV and plain lines: all of them unless `limit` says
    otherwise, and what it left out said on stderr (a table for people counts its own)."""
    listed = items[:limit] if limit else items
    if machine or not out.for_people():
        _limited(len(items) - len(listed))
    return listed


# -- find ----------------------------------------------------------------------------------


def found(out: Output, report: FindReport, *, json_output: bool) -> None:
    """`find`: the cases found, most recent first; what was left out, or that nothing
    matched, on stderr."""
    if not report.items:
        from complaintctl.text import quoted  # cut short: a pasted page stays a line

        _note(f"No case matches {quoted(report.text)}.")
    elif report.more:
        _note(f"{'more than ' if report.more_than else ''}{report.more} more: --limit 0 for all")
    if json_output:
        _print_json(find_json(report))
        return
    tz = ZoneInfo(report.zone)
    if not out.for_people():
        for item in report.items:
            _line(
                item.ref,
                format_instant(item.received_at, tz),
                item.stage,
                item.consumer,
                item.email or "",
                ",".join(item.matched),
                item.snippet,
            )
        return
    if not report.items:
        return
    # Where the words were found: the summary around them, or the fields' names.
    rows = [
        (
            item.ref,
            format_local(item.received_at, tz),
            item.stage,
            item.consumer,
            item.email or "-",
            item.snippet or ", ".join(item.matched),
        )
        for item in report.items
    ]
    _table(out, rows, [
        Column("Ref", _at(0)),
        Column("Received", _at(1)),
        Column("Stage", _at(2)),
        Column("Consumer", _at(3), WRAP),
        Column("Email", _at(4)),
        Column("Match", _at(5), CLIP),
    ])  # fmt: skip


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
    if not out.for_people():
        for name, value in lines:
            _line(name, value)
        for day in view.upcoming:
            _line("Closed", day.day.isoformat(), day.name, day.kind)
        return
    from rich.table import Table

    console = _console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in lines:
        table.add_row(*_cells(name, value))
    console.print(table)
    columns: list[Column[ClosedDayView]] = [
        Column("Date", lambda d: d.day.strftime("%a %Y-%m-%d")),
        Column("Name", lambda d: d.name, WRAP),
        Column("Kind", lambda d: d.kind),
    ]
    listing(view.upcoming, [columns], title="Next closed days", limit=0)


def calendar_change(change: CalendarChange, *, json_output: bool) -> None:
    """The change on stderr; each deadline it moved on stdout (ref, kind, old, new), or the
    whole change as JSON."""
    _note(change.message)
    _warnings(change.warnings)
    if json_output:
        _print_json(calendar_change_json(change))
        return
    tz = ZoneInfo(change.zone)
    for ref, kind, old, new in (moved.listed for moved in change.recomputed):
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
    action = f" {view.action[0]} ({view.action[1]})" if view.action else ""
    lines = [
        f"{view.ref} {view.kind}{action}",
        f"Rule:      {view.rule}",
        f"Started:   {format_local(view.start, tz)}{starter}",
        f"Due:       {format_due(view.due, tz, view.working_calendar)}"
        + (" (agreed with the consumer)" if view.extended else "")
        + (" (set by hand)" if view.unit == "agreed" else ""),
        f"Calendar:  {calendar.zone}; " + "; ".join(f"{d} {h}" for d, h in calendar.week),
        f"Holidays:  {calendar.holiday_region} bank holidays ({calendar.holidays_source}), "
        f"known {known} ({calendar.known_from} to {calendar.known_through})",
    ]
    if view.days:
        lines += ["", f"Day by day, {view.rule}:"]
        lines += _day_lines(view.days, tz, hours=view.unit in ("working-hours", "working-minutes"))
        rule_due = format_due(view.rule_due, tz, view.working_calendar)
        lines.append(f"The rule puts it at {rule_due}.")
    if view.notes:
        lines.append("")
        lines += [f"Note: {note}" for note in view.notes]
    for change in view.changes:
        moved = (
            f"due moved from {format_due(change.old_due, tz, view.working_calendar)} "
            f"to {format_due(change.new_due, tz, view.working_calendar)}"
        )
        if change.action == "extend":
            lines.append(
                f"Extended:  {format_local(change.at, tz)} by {change.by}, agreed with the "
                f"consumer: {one_line(change.reason)}; {moved} (a fixed agreed date, not "
                "counted in working time)"
            )
        else:
            # A reason of several lines is one line here, as every other line of this is.
            why = f" (retroactive: {one_line(change.retroactive)})" if change.retroactive else ""
            lines.append(
                f"Recomputed: {format_local(change.at, tz)} by {change.by}: "
                f"{one_line(change.reason)}{why}; {moved}"
            )
    lines += ["", _status_line(view, tz)]
    return lines


def _day_lines(days: tuple[DayEntry, ...], tz: ZoneInfo, *, hours: bool) -> list[str]:
    def clock(instant: datetime) -> str:
        return instant.astimezone(tz).strftime("%H:%M")

    rows = []
    # Each day's amount as the rounded running total moves: the days add up to the total shown.
    for entry, minutes in zip(days, shown_minutes(days), strict=True):
        if hours:
            label = "skipped" if entry.kind == SKIPPED else "counted"
        else:
            label = "skipped" if entry.day_number is None else f"day {entry.day_number}"
        stretches = ", ".join(
            f"{clock(since)}-{close_clock(to, tz)}" for since, to in entry.stretches
        )
        counted = format_duration(timedelta(minutes=minutes), days=False) if entry.stretches else ""
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
    due = format_due(view.due, tz, view.working_calendar)

    def working(amount: timedelta | None) -> str:
        # In the clock's own rule, as show gives it: working days of the calendar's length
        # for a deadline counted in them, hours for one counted in hours.
        assert amount is not None
        if view.unit == "working-days":
            return format_duration(amount, day=view.working_day)
        return format_duration(amount, days=False)

    in_working_time = status.working_used is not None
    if not in_working_time:
        late = f"late by {format_duration(status.calendar_late)}"
    elif status.working_late is not None and status.working_late > timedelta(0):
        late = (
            f"late by {working(status.working_late)} working, "
            f"{format_duration(status.calendar_late)} calendar"
        )
    else:  # past due out of hours, no working time gone by since: as show says it, never 0m
        late = f"late by {format_duration(status.calendar_late)} calendar, out of hours"
    if status.state == NOT_STARTED and view.start <= view.as_of:  # its step typed in since
        return (
            f"{as_of}: not started on record (the step that starts it, dated "
            f"{format_local(view.start, tz)}, was recorded after then)"
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
        if status.working_left is not None and status.working_left <= timedelta(0) < (
            status.calendar_left
        ):
            # Due out of hours, or at an opening, with no working time before it: as a breach
            # then is said.
            why = _no_time_before(view.due, view.working_calendar)
            return (
                f"{as_of}: {used}, none left; due in {format_duration(status.calendar_left)} "
                f"calendar, {why} (due {due})"
            )
        return f"{as_of}: {used}, {working(status.working_left)} left (due {due})"
    assert status.ended_at is not None
    ended = format_local(status.ended_at, tz)
    verb = "met" if status.state == MET else "stopped (cancelled)"
    if status.on_time:
        if not in_working_time:
            spare = f"{format_duration(status.calendar_left)} to spare"
        elif status.working_left == timedelta(0) and status.calendar_left > timedelta(0):
            # Met out of hours before a due out of hours: no working time between them.
            spare = f"{format_duration(status.calendar_left)} calendar to spare, out of hours"
        else:
            spare = f"{working(status.working_left)} working to spare"
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
    if status.state == "needs-upgrade" and status.revision == status.program_revision:
        # At this revision, but its kept facts made by another version of complaintctl.
        _print(
            "State:     the facts kept for the report's figures were made by another version "
            "of complaintctl: back it up, then run `complaintctl db upgrade`"
        )
    elif status.facts_newer:
        _print(
            "State:     the facts kept for the report's figures were made by a newer version "
            "of complaintctl: upgrade complaintctl to use it"
        )
    else:
        _print(f"State:     {STORE_STATES[status.state]}")
    if status.damage:
        _print(f"Damage:    {one_line(status.damage)}")


def history_verified(view: HistoryVerified, *, json_output: bool) -> None:
    """`db verify`: intact, with the head to keep elsewhere; or each problem, one a line."""
    if json_output:
        _print_json(view.to_json())
        return
    entries = f"{view.entries} entr{'y' if view.entries == 1 else 'ies'}"
    if view.intact:
        _print(f"intact: {entries}, {view.cases} case{'' if view.cases == 1 else 's'}")
        _print(f"head: {view.head} (entry {view.last_entry})")
        return
    count = len(view.problems)
    _print(f"not intact: {count} problem{'' if count == 1 else 's'} in {entries}")
    for problem in view.problems:
        _print(verify_problem(problem))


def verify_problem(problem: VerifyProblem) -> str:
    """One problem `db verify` found, naming the entry or case."""
    if problem.kind == "entry":
        about = ", ".join(part for part in (problem.ref, problem.action) if part)
        return f"entry {problem.entry} ({about}): {problem.what}"
    if problem.kind == "case":
        return f"case {problem.ref}: {problem.what}"
    return f"chain head: {problem.what}"


# -- the config file -------------------------------------------------------------------------


def config_file(
    view: dict[str, Any], *, json_output: bool, templates_beside: str | None = None
) -> None:
    """`config`: the file's place, each setting (and what overrides it now, or the templates
    folder beside the file in force where it sets none), the saved views."""
    if json_output:
        _print_json(view)
        return
    there = "" if view["found"] else " (none there yet)"
    _print(f"Config file: {path_shown(view['path'])}{there}")
    for item in view["settings"]:
        # Written out before it is padded, so the column after it stays in line; on one line.
        value = inert(str(item["value"])) if item["value"] is not None else "-"
        note = f"  (overridden now by {item['overridden_by']})" if item["overridden_by"] else ""
        if item["setting"] == "templates" and templates_beside is not None:
            note = f"  (in force: {path_shown(templates_beside)}, beside the file)"
        _print(f"  {item['setting']:<12} {value:<30} for {item['used_for']}{note}")
    organisation = dict(view["organisation"])
    signatories = organisation.pop("signatories")
    named = {
        **{f"organisation.{key}": value for key, value in organisation.items()},
        **{f"organisation.signatories.{kind}": who for kind, who in signatories.items()},
    }
    for key, value in named.items():
        # A value of several lines (an address) goes on, indented, under its first line.
        first, *rest = str(value or "-").splitlines() or ["-"]
        _print(f"  {key:<24} {first}")
        for line in rest:
            _print(f"  {'':<24} {line}")
    for name, filters in view["views"].items():
        shown = ", ".join(
            key
            if value is True
            else f"{key}={','.join(value) if isinstance(value, list) else value}"
            for key, value in filters.items()
        )
        _print(f"  view {inert(name)}: queue {inert(shown)}")


# -- letters -------------------------------------------------------------------------------


def letters_made(
    batch: LetterBatch,
    *,
    output: Path | None,
    out_dir: Path | None,
    dry_run: bool,
    json_output: bool,
    zone: str,
    sent: bool = False,
) -> None:
    """Where each file went (the letter for stdout written out already, `letter_out`, where
    `sent`); what was recorded, and anything the officer must see, on stderr."""
    files: dict[str, str | None] = {}
    for letter in batch.letters:
        if output is not None:
            files[letter.ref] = str(output)
        elif out_dir is not None:
            files[letter.ref] = str(out_dir / letter.file_name)
        else:
            files[letter.ref] = None
    issued = {letter.ref for letter in batch.to_issue}
    for letter in batch.letters:
        for line in letter.notes:
            _note(f"Note: {line}")
        where = files[letter.ref]
        what = f"{letter.ref}: {letter.kind} letter ({letter.format.value}, sha256 {letter.sha256})"
        # Named resolved, as every file a message names (`~/out` or `out` as typed is no
        # path to paste elsewhere); the JSON's `file` stays as it was given.
        shown = None if where is None else path_shown(resolved(where))
        if dry_run:
            if not json_output:  # --json: stdout is the one JSON document
                message(f"(not written) {what}{f' to {shown}' if shown else ''}")
            continue
        if shown is not None and not json_output:
            message(f"{what} written to {shown}")
        if letter.ref in issued:
            _note(f"{letter.ref}: recorded as issued: the same command makes these bytes again")
        elif letter.reproduces is not None and letter.same_bytes:
            _note(
                f"{letter.ref}: the {letter.kind} letter issued by {letter.reproduces.actor} "
                f"{format_local(letter.reproduces.at, ZoneInfo(zone))}: the same bytes "
                "(nothing new recorded)"
            )
    if json_output:
        _print_json(letters_json(batch, files, ZoneInfo(zone)))
    elif output is None and out_dir is None and not dry_run and not sent:
        (letter,) = batch.letters
        letter_out(letter)
    if dry_run and batch.letters:  # none (nothing on stdin) was said so already
        count = len(batch.letters)
        made = "the letter" if count == 1 else f"all {count} letters"
        _note(f"Dry run: {made} can be made; nothing was written")


def letter_out(letter: Letter) -> None:
    """A letter on stdout, whole and flushed (text shown inert at a terminal): written before
    its issue is recorded, so that a letter that could not be written is not on record."""
    if letter.format.value == "text" and sys.stdout.isatty():
        _print(letter.content.decode("utf-8").rstrip("\n"))
    else:
        sys.stdout.buffer.write(letter.content)
    sys.stdout.flush()


def letters_issued(
    out: Output, view: CaseView, *, kind: str | None = None, json_output: bool
) -> None:
    """`letter REF [KIND] --list`: the letters issued on the case (of that kind), oldest
    first: in the order they were issued (a letter's --at), those issued at once in the order
    recorded. Plain lines when not for people, as every listing."""
    tz = ZoneInfo(view.zone)
    entries = sorted(
        (
            e
            for e in view.history
            if e.action == Action.LETTER and kind in (None, e.details.get("kind"))
        ),
        key=lambda e: e.at,
    )
    if json_output:
        _print_json(
            versioned({"ref": view.ref, "letters": [issued_letter_json(e, tz) for e in entries]})
        )
        return
    if not entries:
        _note(f"No {kind + ' ' if kind else ''}letter has been issued on {view.ref}")
        return
    if not out.for_people():
        for e in entries:
            _line(
                format_instant(e.at, tz),
                e.actor,
                str(e.details.get("kind")),
                str(e.details.get("format")),
                str(e.details.get("sha256")),
            )
        return
    columns: list[Column[EventView]] = [
        Column("Issued", lambda e: format_local(e.at, tz)),
        Column("By", lambda e: e.actor),
        Column("Kind", lambda e: str(e.details.get("kind"))),
        Column("Format", lambda e: str(e.details.get("format"))),
        Column("SHA-256", lambda e: str(e.details.get("sha256"))),
    ]
    listing(entries, [columns, columns[:-1]], title=f"Letters issued on {view.ref}", limit=0)


def templates_checked(templates: Templates, *, json_output: bool) -> None:
    """`letter check`: each kind's template, and what it leaves out of what it must carry;
    exit 2 if any leaves something out."""
    from complaintctl.errors import InvalidInput

    results = []
    for kind in templates.kinds():
        try:
            missing = [(item.name, item.what) for item in templates.missing(kind)]
            problem = None
        except InvalidInput as err:  # the template does not render at all
            missing, problem = [], err.message
        template, origin = templates.origin(kind)
        results.append((kind, template, origin, missing, problem))
    failed = [r for r in results if r[3] or r[4]]
    if json_output:
        _print_json(
            versioned(
                {
                    "folder": str(templates.folder) if templates.folder else None,
                    "templates": [
                        {
                            "kind": kind,
                            "template": template,
                            "origin": origin,
                            "ok": not missing and problem is None,
                            "missing": [{"name": n, "what": w} for n, w in missing],
                            "error": problem,
                        }
                        for kind, template, origin, missing, problem in results
                    ],
                }
            )
        )
    else:
        for kind, template, origin, missing, problem in results:
            if problem is not None:
                message(f"{kind}: {template} ({origin}) does not render: {problem}")
            elif missing:
                left_out = "; ".join(f"{what} ({{{{ {name} }}}})" for name, what in missing)
                message(f"{kind}: {template} ({origin}) leaves out {left_out}")
            else:
                message(f"{kind}: {template} ({origin}) carries everything required")
    if failed:
        raise InvalidInput(
            f"{len(failed)} of {len(results)} letter templates "
            + (
                "leaves out what it must carry or does not render"
                if len(failed) == 1
                else "leave out what they must carry or do not render"
            )
        )


# -- the report ----------------------------------------------------------------------------


def figure_value(value: float | None, unit: str) -> str:
    """A figure as a person reads it: a share as a percentage, money in pounds."""
    from complaintctl.domain import figures

    if value is None:
        return "-"
    if unit == figures.SHARE:
        return f"{figures.as_percent(value, 1)}%"
    if unit == figures.PENCE:
        return f"£{value / 100:,.2f}"
    if unit == figures.WORKING_HOURS:
        return f"{value:g}h"
    if unit == figures.WORKING_DAYS:
        return f"{value:g}d"
    return f"{value:,}"


class _ReportColumn(NamedTuple):
    """A column of figures in the report for people (at a terminal, and the HTML page)."""

    group: str | None  # a group of --by, or None for the whole period
    before: bool  # the period before (--compare previous)
    values: dict[tuple[str, str | None], float | None]  # by figure and part

    def label(self, view: ReportView, group_label: str) -> str:
        """Its heading, a group's as `group_label` says it."""
        period = view.previous.label if self.before and view.previous else view.current.label
        if self.group is None:
            return period
        return f"{group_label} {period}" if self.before else group_label

    def cell(self, row: FigureRow, figure: Figure) -> str:
        if not figure.by_case and (row.figure, row.part) not in self.values:
            return ""  # counted for the store and each month, not for a group of cases
        return figure_value(_part_value(self.values, row, figure), figure.unit)


def _part_value(
    values: dict[tuple[str, str | None], float | None], row: FigureRow, figure: Figure
) -> float | None:
    """`row`'s figure and part among `values` (a column's): a cause the column's responses did
    not record counts 0 there (its parts are the causes recorded), where the column counted."""
    from complaintctl.domain import figures

    key = (row.figure, row.part)
    if key not in values and values and figure.parts in figures.DYNAMIC_PARTS:
        return 0
    return values.get(key)


def _report_columns(view: ReportView) -> list[_ReportColumn]:
    """The report's columns, in order: the period, the period before (--compare), then each
    group (--by) beside the same group then (not months: two periods' months are not the
    same months)."""
    current, previous = view.current, view.previous

    def keyed(rows: Iterable[FigureRow]) -> dict[tuple[str, str | None], float | None]:
        return {(r.figure, r.part): r.value for r in rows}

    columns = [_ReportColumn(None, False, keyed(current.figures))]
    if previous is not None:
        columns.append(_ReportColumn(None, True, keyed(previous.figures)))
    then = dict(previous.groups) if previous is not None and view.by != "month" else None
    for group, rows in current.groups:
        columns.append(_ReportColumn(group, False, keyed(rows)))
        if then is not None:
            columns.append(_ReportColumn(group, True, keyed(then.get(group, ()))))
    return columns


def report(out: Output, view: ReportView, *, json_output: bool, csv_output: bool) -> None:
    """The figures: a table for people, one section of the procedure after another, with a
    column per group (--by) and the period before beside (--compare); JSON; or CSV and plain
    lines with one row per figure, part and group."""
    from complaintctl.domain import figures

    _warnings(view.warnings)
    if json_output:
        _print_json(report_json(view))
        return
    current, previous = view.current, view.previous
    if csv_output or not out.for_people():
        earlier = {(r.figure, r.part): r.value for r in previous.figures} if previous else {}
        earlier_groups = (
            {g: {(r.figure, r.part): r.value for r in rows} for g, rows in previous.groups}
            if previous and view.by != "month"  # months of two periods are not the same months
            else {}
        )
        rows: list[tuple[object, ...]] = []
        for group, group_rows in (("", current.figures), *current.groups):
            for row in group_rows:
                line: tuple[object, ...] = (
                    row.figure,
                    row.part or "",
                    f"{view.by}={group}" if group else "",
                    row.value,
                )
                if previous is not None:
                    then = earlier if not group else earlier_groups.get(group, {})
                    line += (_part_value(then, row, figures.FIGURE[row.figure]),)
                rows.append(line)
        header = ("figure", "part", "breakdown", "value") + (("previous",) if previous else ())
        if csv_output:
            write_csv(machine_stdout(), header, (["" if v is None else v for v in r] for r in rows))
        else:
            for line in rows:
                _line(*("-" if v is None else v for v in line))
        return
    from rich.table import Table

    tz = ZoneInfo(view.zone)
    title = f"Complaint figures for {current.label} ({current.first} to {current.last})"
    # A narrow terminal folds a name or a number onto a second line rather than cut it.
    table = Table(title=inert(title), title_justify="left")
    table.add_column("Figure", overflow="fold")
    columns = _report_columns(view)
    for column in columns:
        label = column.label(view, column.group or "")
        style = "dim" if column.before else ""
        table.add_column(_styled(label), justify="right", style=style, overflow="fold")
    section = ""
    for row in current.figures:
        figure = figures.FIGURE[row.figure]
        if figure.section != section:
            section = figure.section
            table.add_row(_styled(section, "bold"), end_section=False)
        label = f"  {row.figure}" + (f" · {row.part}" if row.part else "")
        table.add_row(*_cells(label, *(column.cell(row, figure) for column in columns)))
    console = _console()
    console.print(table)
    console.print(_report_glance(view, console.width))
    cutoff = f"Counted as recorded by {format_local(current.cutoff, tz)}"
    if previous is not None:
        cutoff += f"; {previous.label} as recorded by {format_local(previous.cutoff, tz)}"
    _note(cutoff + '. Each figure is defined in the README ("report").')


def report_written(view: ReportView, path: str) -> None:
    """On stderr, once the page is written: the warnings the report's table gives, and where
    the page is."""
    _warnings(view.warnings)
    _note(f"Wrote the {view.current.label} report to {path_shown(resolved(path))}")


def report_html(view: ReportView) -> str:
    """The report as one printable page that needs nothing else to open: its tables, each
    figure with what it counts, and charts drawn inline where the charts extra is installed
    (complaintctl/charts.py); without it, a line saying how to add them."""
    import re
    from html import escape

    from complaintctl import charts
    from complaintctl.domain import figures

    def text(value: object) -> str:
        return escape(inert(str(value), lines=True))

    def heading(value: str) -> str:
        # A long run without a space (an area's name) may break every 12 characters, so
        # that it folds rather than push the columns after it off the printed sheet.
        runs = re.sub(r"(\S{12})(?=\S)", "\\1\0", inert(value, lines=True))
        return escape(runs).replace("\0", "<wbr>")

    tz = ZoneInfo(view.zone)
    current, previous = view.current, view.previous
    title = f"Complaint figures for {current.label}"
    columns = _report_columns(view)
    heads = ["Figure", "What it counts"]
    heads += [column.label(view, f"{view.by}: {column.group}") for column in columns]
    sections: dict[str, list[str]] = {}
    for row in current.figures:
        figure = figures.FIGURE[row.figure]
        cells = [column.cell(row, figure) for column in columns]
        name = row.figure + (f" · {row.part}" if row.part else "")
        sections.setdefault(figure.section, []).append(
            f"<tr><th scope=row>{text(name)}</th><td>{text(figure.words)}</td>"
            + "".join(f'<td class="n">{text(cell)}</td>' for cell in cells)
            + "</tr>"
        )
    head = "".join(f"<th scope=col>{heading(h)}</th>" for h in heads)
    tables = "".join(
        f"<section><h2>{text(section)}</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
        for section, rows in sections.items()
    )
    pictures = _report_charts(view) if charts.available() else []
    drawn = (
        "".join(f'<figure class="chart">{svg}</figure>' for svg in pictures)
        if charts.available()
        else f'<p class="note">{text(charts.HOW_TO_ADD)}</p>'
    )
    counted = f"Counted as recorded by {format_local(current.cutoff, tz)}"
    if previous is not None:
        counted += f"; {previous.label} as recorded by {format_local(previous.cutoff, tz)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{text(title)}</title><style>{_REPORT_CSS}</style></head><body>"
        f"<h1>{text(title)}</h1>"
        f'<p class="period">{text(current.first)} to {text(current.last)}. {text(counted)}. '
        "A deadline is judged by what had been recorded by then; each figure says what it "
        "counts.</p>"
        f"{drawn}{tables}</body></html>\n"
    )


_REPORT_CSS = (
    "@page{size:A4 landscape;margin:12mm}"
    "body{font-family:system-ui,sans-serif;font-size:10pt;color:#111;margin:1.5em}"
    "h1{font-size:16pt;margin:0 0 .3em}h2{font-size:12pt;margin:1.2em 0 .3em}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "thead th{border-bottom:2px solid #111}td.n{text-align:right;white-space:nowrap}"
    "section,figure.chart{break-inside:avoid}figure.chart{display:inline-block;margin:.5em}"
    "figure.chart svg{max-width:100%;height:auto}.note,.period{color:#444}"
)


def _report_charts(view: ReportView) -> list[str]:
    """The charts: volumes by month (with --by month), on-time shares against the target,
    received by channel, and outcomes at each stage."""
    from complaintctl import charts
    from complaintctl.domain import figures

    def valued(rows: Sequence[Any]) -> dict[tuple[str, str | None], Any]:
        return {(r.figure, r.part): r.value for r in rows}

    now = valued(view.current.figures)
    drawn = []
    if view.by == "month" and view.current.groups:
        months = [(label, valued(rows)) for label, rows in view.current.groups]
        drawn.append(
            charts.trend(
                "Month by month",
                [label for label, _ in months],
                [
                    (name, [float(values[(figure, None)] or 0) for _, values in months])
                    for name, figure in (
                        ("received", "received"),
                        ("first-stage responses due", "responses_due"),
                        ("escalated", "escalated"),
                    )
                ],
            )
        )
    drawn.append(
        charts.shares(
            "Deadlines met on time",
            ["acknowledgement", "first-stage response", "final response"],
            [
                now[(name, None)]
                for name in (
                    "acknowledged_on_time_share",
                    "responded_on_time_share",
                    "final_on_time_share",
                )
            ],
            target=1.0,
        )
    )
    periods = [(view.current.label, now)]
    if view.previous is not None:
        periods.append((view.previous.label, valued(view.previous.figures)))
    channels = figures.PARTS["channel"]
    drawn.append(
        charts.bars(
            "Received by channel",
            list(channels),
            [
                (label, [float(v[("received_by_channel", c)] or 0) for c in channels])
                for label, v in periods
            ],
        )  # fmt: skip
    )
    decisions = figures.PARTS["decision"]
    drawn.append(
        charts.bars(
            f"Outcomes, {view.current.label}",
            list(decisions),
            [
                (stage, [float(now.get((figure, d)) or 0) for d in decisions])
                for stage, figure in (
                    ("first stage", "first_stage_outcomes"),
                    ("final", "final_outcomes"),
                    ("Assessor", "assessor_outcomes"),
                )
            ],
        )
    )
    return drawn


_BAR_WIDTH = 30
_SPARKS = "▁▂▃▄▅▆▇█"


def _bar(share: float | None, width: int = _BAR_WIDTH) -> str:
    """A share of one as a bar of `width` cells: filled, then the rest shaded."""
    if share is None:
        return "·" * width
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


def _sparkline(numbers: Sequence[float]) -> str:
    """Each number as a block whose height is its share of the largest."""
    top = max(numbers, default=0) or 1
    return "".join(_SPARKS[round(n / top * (len(_SPARKS) - 1))] for n in numbers)


def _report_glance(view: ReportView, width: int) -> Any:
    """Under the table: the on-time shares as bars against the target (every deadline met),
    and with --by month a line of each month's volumes. On a terminal too narrow for whole
    bars they are shorter, never cut, and no share or number beside them is cut."""
    from rich.table import Table

    from complaintctl.domain.figures import SHARE_COUNTS

    values = {(r.figure, r.part): r.value for r in view.current.figures}

    def total(names: tuple[str, ...]) -> int:
        return sum(int(values.get((name, None)) or 0) for name in names)

    shares: list[tuple[str, float | None, str]] = []
    for label, figure in (
        ("acknowledged on time", "acknowledged_on_time_share"),
        ("first-stage responses on time", "responded_on_time_share"),
        ("final responses on time", "final_on_time_share"),
    ):
        share = values.get((figure, None))
        shown = None if share is None else float(share)
        # The colour from the counts, not the share rounded to four places: 1 late of
        # 20,000 is a share of 1.0, and is not every one on time.
        met, missed = (total(names) for names in SHARE_COUNTS[figure])
        style = (
            "dim"  # nothing fell due: neither met nor missed
            if shown is None
            else "green"
            if missed == 0
            else "yellow"
            if 5 * met >= 4 * (met + missed)
            else "red"
        )
        shares.append((label, shown, style))
    volumes: list[tuple[str, str, str]] = []
    if view.by == "month" and view.current.groups:
        months = [(label, {(r.figure, r.part): r.value for r in rows})
                  for label, rows in view.current.groups]  # fmt: skip
        span = f"{months[0][0]} to {months[-1][0]}"
        rows: tuple[tuple[str, str | None], ...] = (
            ("received by month", "received"),
            ("responses due by month", "responses_due"),
            ("open at each month's end", None),  # every stage's open cases
        )
        for label, counted in rows:
            numbers = [
                float(sum(v or 0 for (f, _), v in month.items() if f == "open_cases"))
                if counted is None
                else float(month.get((counted, None)) or 0)
                for _, month in months
            ]
            volumes.append(
                (label, _sparkline(numbers), f"{span}: " + ", ".join(f"{n:g}" for n in numbers))
            )
    # A table is never narrower than its longest words: the bars take what those leave (each
    # of the three columns is padded a cell either side).
    said = [figure_value(shown, "share") for _, shown, _ in shares] + [v for *_, v in volumes]
    labels = [label for label, *_ in (*shares, *volumes)]
    longest = sum(max(len(word) for text in texts for word in text.split())
                  for texts in (labels, said))  # fmt: skip
    bar_width = max(4, min(_BAR_WIDTH, width - 6 - longest))
    glance = Table(title="At a glance", title_justify="left", show_header=False, box=None)
    glance.add_column(overflow="fold")
    glance.add_column(overflow="fold", width=bar_width)  # a line of many months folds
    glance.add_column(justify="right", overflow="fold")
    for (label, shown, style), value in zip(shares, said, strict=False):
        glance.add_row(label, _styled(_bar(shown, bar_width), style), value)
    for label, sparks, value in volumes:
        glance.add_row(label, sparks, value)
    return glance


def figure_cases(view: FigureCases) -> None:
    """The references on stdout, one a line (for other commands to read), what they are on
    stderr; with a breakdown, each beside its group (the reference first, so that a step
    reading `-` takes it)."""
    _warnings(view.warnings)
    name = view.figure + (f".{view.part}" if view.part else "")
    cutoff = format_local(view.cutoff, ZoneInfo(view.zone))
    if view.by is None:
        for ref in view.refs:
            _line(ref)
        _note(f"{len(view.refs)} counted in {name} for {view.period}, as recorded by {cutoff}.")
        return
    for group, refs in view.groups:
        for ref in refs:
            _line(ref, group)
    each = ", ".join(f"{group} {len(refs)}" for group, refs in view.groups) or "no group"
    _note(
        f"{len(view.refs)} counted in {name} for {view.period} by {view.by} ({each}), as "
        f"recorded by {cutoff}."
    )
