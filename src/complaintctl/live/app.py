"""The live view: the queue, a case, and the steps on it, in one screen that stays open.

Every fact shown comes from the services the commands call (live/session.py), laid out as
cli/render.py lays it out (the same fields, states, colours and flags); every step is the
command's own Spec taken in one transaction (live/forms.py). Stored text is shown inert and as
text, never as markup: a consumer named "[bold]x" is shown so.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Click
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from complaintctl.domain.instants import format_duration, format_local
from complaintctl.domain.procedure import Action
from complaintctl.errors import ComplaintError, RecordedThenFailed
from complaintctl.live.forms import (
    ACTION_FORMS,
    CHOICE,
    FORMS,
    MANY,
    Field,
    Form,
    Values,
    defaults,
)
from complaintctl.text import Kind, inert, one_line, quoted, text_problem

if TYPE_CHECKING:
    from complaintctl.live.session import Session
    from complaintctl.views import CaseView, FindReport, QueueReport

# How often the queue is read again, in seconds: other officers' changes appear.
REFRESH_EVERY = 60
# Narrower than this, the queue leaves out the area, the owner and the due instant (as
# `queue` folds them under other columns at a narrow terminal).
WIDE = 120
# The colours cli/render.py names, as the colours themselves: Textual would read a colour's
# name through its theme (a red turned pink, and magenta in 16 colours).
COLOURS = {"red": "#ff0000", "yellow": "#ffff00", "green": "#00c000"}
_RED = "bold #ff0000"


def _colour(style: str) -> str:
    """A style of cli/render.py's, its colour named, as this screen draws it."""
    return " ".join(COLOURS.get(word, word) for word in style.split())


# The most urgent cases the queue lists (the counts are of them all): a table of thousands
# takes a second to draw, and a search finds any case (benchmarks/live.py).
SHOWN = 100
# The width of a case's field names: the longest `show` has ("Final response"), and a gap.
LABELS = 16


def _typed_over(current: str | None) -> str:
    """What the case holds, on a line of a form to be typed over: inert, as everywhere it is
    shown (an Input draws its value as it is). Left as shown, it is not corrected."""
    return inert(current or "")


def _text(value: str, style: str = "") -> Text:
    """Stored text as a cell or a line: inert, on one line, never markup."""
    return Text(one_line(value), style=_colour(style))


def _block(value: str, style: str = "") -> Text:
    """Stored text that may run over lines: inert, its lines kept, never markup."""
    return Text(inert(value, lines=True), style=_colour(style))


def _clip(value: str, width: int) -> str:
    """`value` cut with `…` to take at most `width` columns: a CJK character takes two."""
    if cell_len(value) <= width:
        return value
    kept = ""
    for char in value:
        if cell_len(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


# The queue's columns (queue_record's order): its header, and for a column cut with `…` to
# fit, its widest; None for one never cut (a reference, a kind, a due, the time left).
_COLUMNS = (("Ref", None), ("!", None), ("Consumer", 24), ("Stage", None), ("Area", 14),
            ("Owner", 14), ("Next", None), ("Due", None), ("Working time", None))  # fmt: skip
_NARROW = (0, 1, 2, 3, 6, 8)
# The columns that give way, in turn, on a terminal too narrow for them all: never the
# reference or the working time left, which would be pushed off the screen's edge.
_GIVE_WAY = (7, 4, 5, 3, 6, 2, 1)
# Each cell's padding either side, and the table's scrollbar, as Textual draws them.
_PADDING = 2
_SCROLLBAR = 2


def _widest(records: list[Any], i: int) -> int:
    cells = [cell_len(r[i].text if i == 8 else one_line(r[i])) for r in records]
    return max([cell_len(_COLUMNS[i][0]), *cells])


def _shown(records: list[Any], width: int, *, wide: bool) -> tuple[int, ...]:
    """The queue's columns (by their place in queue_record) shown at `width`: all of them
    when `wide`, else the narrow ones; then, while they would not fit with each cut column
    as narrow as its header, one gives way after another (_GIVE_WAY)."""
    shown = list(range(len(_COLUMNS)) if wide else _NARROW)

    def least() -> int:
        widths = (
            cell_len(_COLUMNS[i][0]) if _COLUMNS[i][1] else _widest(records, i) for i in shown
        )
        return sum(widths) + _PADDING * len(shown) + _SCROLLBAR

    for i in _GIVE_WAY:
        if least() <= width:
            break
        if i in shown:
            shown.remove(i)
    return tuple(shown)


def _fitted(records: list[Any], width: int, shown: tuple[int, ...]) -> dict[int, int]:
    """How wide the queue's cut columns may be (by their place in queue_record) for the table
    to fit `width` whole: the columns never cut take what their widest cell needs, and the
    others share what is left, the widest cut first, none narrower than its header."""
    cut = {i: limit for i, (_, limit) in enumerate(_COLUMNS) if limit and i in shown}
    room = width - _SCROLLBAR - _PADDING * len(shown)
    room -= sum(_widest(records, i) for i in shown if i not in cut)
    fits = {i: min(limit, _widest(records, i)) for i, limit in cut.items()}
    while fits and sum(fits.values()) > room:
        i = max(fits, key=lambda i: fits[i] - cell_len(_COLUMNS[i][0]))
        if fits[i] <= cell_len(_COLUMNS[i][0]):
            break
        fits[i] -= 1
    return fits


def describe(filters: dict[str, Any]) -> str:
    """The queue's filters in words, as `queue`'s options name them: "" for none."""
    words = []
    if filters.get("stages"):
        words.append("stage " + ", ".join(filters["stages"]))
    for name in ("area", "owner", "category"):
        if filters.get(name):
            words.append(f"{name} {filters[name]}")
    if filters.get("unassigned"):
        words.append("unassigned")
    if filters.get("breached"):
        words.append("breached")
    if filters.get("due_within"):
        words.append(f"due within {filters['due_within']}")
    if filters.get("board") is not None:
        words.append("Board" if filters["board"] else "not Board")
    return one_line(", ".join(words))


class Bar(Static):
    """The top line of every screen: who is acting (as the staff list had them at the last
    read: a senior may change their role meanwhile), and what this is."""

    DEFAULT_CSS = """
    Bar { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        app = self.app
        assert isinstance(app, LiveApp)
        self.update(app.bar_text(self.content_size.width))


class Status(Static):
    """The line above the keys: counts, and what the last action did."""

    DEFAULT_CSS = """
    Status { height: auto; max-height: 3; padding: 0 1; }
    """


class Keys(Static):
    """The bottom line: the keys open here, each clickable. One line drawn from the screen's
    bindings, where Textual's Footer would compose a widget a key, again on every change of
    focus, a frame or two after the screen it belongs to (benchmarks/live.py); on a terminal
    too narrow for them all, they run onto a second line rather than off the edge. A picker
    or form has its own (`Keys.over`), over the line of the screen beneath, whose keys do
    nothing while it is open."""

    DEFAULT_CSS = """
    Keys { height: auto; width: 1fr; background: $footer-background;
           color: $footer-foreground; }
    Keys.over { dock: bottom; }
    """
    drawn = ""
    # Where each key is, for a click: (first column, past the last, the key), counted along
    # the lines one after another, each as wide as the widget.
    spans: tuple[tuple[int, int, str], ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        # Most changes of focus change no key shown.
        if self._line(self.size.width).plain != self.drawn:
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._line(width).plain.count("\n") + 1

    def render(self) -> Text:
        line = self._line(self.size.width)
        self.drawn = line.plain
        return line

    def _line(self, width: int) -> Text:
        """The keys laid out on lines `width` columns wide (0: all on one)."""
        line = Text(" ", no_wrap=True, overflow="crop")
        key_style = Style(bold=True, color=self.app.get_css_variables()["footer-key-foreground"])
        seen: set[str] = set()
        spans = []
        row, column = 0, 1
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            said = f" {binding.description}"
            taken = cell_len(key + said)
            if width and column > 1 and column + taken > width:
                line.append("\n ")
                row, column = row + 1, 1
            line.append(key, key_style)
            line.append(said)
            spans.append(
                (row * width + column, row * width + column + taken, binding.key.split(",")[0])
            )
            line.append("  ")
            column += taken + 2
        self.spans = tuple(spans)
        return line

    def on_click(self, event: Click) -> None:
        """A click on a key presses it."""
        at = event.y * self.size.width + event.x
        for start, end, key in self.spans:
            if start <= at < end:
                self.app.simulate_key(key)
                return


class QueueTable(DataTable[Text]):
    """The queue's rows: Enter opens the case under the cursor (and says so in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open case")]


class FoundTable(QueueTable):
    """A search's results, in a table of their own beside the queue's: going back to the queue
    shows it again as it was, without filling it again."""


class QueueScreen(Screen[None]):
    """The queue as `queue` lists it; `/` searches as `find` does; Enter opens a case."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("v", "views", "Views"),
        Binding("r", "reload", "Refresh"),
        Binding("escape", "back_to_queue", "Queue", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    DEFAULT_CSS = """
    QueueScreen #search { display: none; height: 3; }
    QueueScreen #search.shown { display: block; }
    QueueScreen DataTable { height: 1fr; }
    QueueScreen #found { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.report: QueueReport | None = None
        self.found: FindReport | None = None  # a search's results, shown instead of the queue
        self.stale = False  # the queue changed while a search was shown: read it on the way back
        self.drawn_wide: bool | None = None  # the columns the queue was drawn with
        self.drawn_width = 0  # the width it was fitted to

    @property
    def live(self) -> LiveApp:
        app = self.app
        assert isinstance(app, LiveApp)
        return app

    @property
    def table(self) -> QueueTable:
        """The table shown: the queue's, or a search's."""
        return self.query_one("#found" if self.found is not None else "#queue", QueueTable)

    def compose(self) -> ComposeResult:
        yield Bar(id="bar")
        yield Input(placeholder="Search as find does: a name, an email, 000123 …", id="search")
        yield QueueTable(cursor_type="row", zebra_stripes=True, id="queue")
        yield FoundTable(cursor_type="row", zebra_stripes=True, id="found")
        yield Status(id="status")
        yield Keys()

    def on_mount(self) -> None:
        self.show_queue()
        self.table.focus()

    def on_resize(self) -> None:
        # The columns that fit, and how much of a name, change with the width.
        if self.drawn_wide is not None and self.drawn_width != self.size.width:
            self.show_queue(read=False, shown=self.found is None)

    # -- the queue ----------------------------------------------------------------------

    def show_queue(self, *, read: bool = True, shown: bool = True) -> None:
        """Fill the queue's table (from the queue read again, or as last read), and show it
        unless `shown` is false (a search is on the screen)."""
        if read or self.report is None:
            self.report = self.live.read_queue()
            self.stale = False
        if self.report is None:
            return
        report = self.report
        table = self.query_one("#queue", QueueTable)
        wanted = self._cursor_ref(table)
        wide = self.size.width >= WIDE
        # The columns afresh each time: a column kept stays as wide as its widest cell ever
        # was, and the table would no longer fit.
        table.clear(columns=True)
        from complaintctl.cli.render import queue_record

        tz = ZoneInfo(report.zone)
        records = [
            queue_record(item, tz, report.working_day, report.as_of, report.calendar)
            for item in report.items[:SHOWN]
        ]
        columns = _shown(records, self.size.width, wide=wide)
        table.add_columns(*(_COLUMNS[i][0] for i in columns))
        self.drawn_wide = wide
        fits = _fitted(records, self.size.width, columns)
        self.drawn_width = self.size.width
        for record in records:
            ref, flags, consumer, stage, area, owner, kind, due, left = record
            cells = (
                _text(ref),
                _text(flags),
                # Each cut as it is shown (inert): a mark written out <U+…> takes its columns.
                _text(_clip(one_line(consumer), fits.get(2, 0))),
                _text(stage),
                _text(_clip(one_line(area), fits.get(4, 0))),
                _text(_clip(one_line(owner), fits.get(5, 0))),
                _text(kind),
                _text(due),
                _text(left.text, left.style),
            )
            table.add_row(*(cells[i] for i in columns), key=ref)
        self._restore_cursor(table, wanted)
        if shown:
            self._show_the_queue()

    def _show_the_queue(self) -> None:
        assert self.report is not None
        self.found = None
        self._show_table("queue")
        self.sub_title = "queue"
        self.query_one(Status).update(self._queue_status(self.report))

    def _show_table(self, which: str) -> None:
        # Each table's own display, not a class on the screen: that would restyle every widget
        # on it, and a table restyled draws every row afresh.
        for table in self.query(QueueTable):
            table.display = table.id == which

    def _queue_status(self, report: QueueReport) -> Text:
        tz = ZoneInfo(report.zone)
        status = Text()
        shown = describe(self.live.session.filters)
        if shown:
            status.append(f"{shown}: ", "bold")
        status.append(f"{len(report.items)} open · ")
        status.append(f"{report.count('breached')} breached", _RED)
        status.append(
            f" · {report.count('due-soon')} due within "
            f"{format_duration(report.warn_within, days=False)} · "
            f"as of {format_local(report.as_of, tz)}"
        )
        from complaintctl.cli.render import subject_access_line

        requests = subject_access_line(report, tz)
        if requests:
            status.append(f"\n{requests}")
        if len(report.items) > SHOWN:
            status.append(f"\nThe {SHOWN} most urgent shown: / finds any case")
        for warning in report.warnings:
            status.append(f"\nWarning: {one_line(warning)}")
        return status

    def _cursor_ref(self, table: QueueTable) -> str | None:
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no row under the cursor
            return None
        return str(key.value) if key.value is not None else None

    def _restore_cursor(self, table: QueueTable, ref: str | None) -> None:
        if ref is None or not table.row_count:
            return
        try:
            table.move_cursor(row=table.get_row_index(ref))
        except Exception:  # the case left the queue: the cursor stays where it was
            return

    # -- search -------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("shown")
        search.focus()

    @on(Input.Submitted, "#search")
    def search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.action_back_to_queue()
            return
        # Pasted with a character no case holds (no key types one): said, not sent to the store.
        problem = text_problem(text, Kind(len(text), lines=False))
        if problem:
            self.query_one(Status).update(_text(f"Error: the search {problem}", _RED))
            return
        try:
            report = self.live.session.find(text)
        except ComplaintError as err:
            self.query_one(Status).update(_text(f"Error: {err.message}", _RED))
            return
        self.show_found(report)
        self.table.focus()

    def show_found(self, report: FindReport) -> None:
        self.found = report
        tz = ZoneInfo(report.zone)
        table = self.query_one("#found", QueueTable)
        table.clear(columns=not table.columns)
        if not table.columns:
            table.add_columns("Ref", "Received", "Stage", "Consumer", "Match")
        for item in report.items:
            table.add_row(
                _text(item.ref),
                _text(item.received_at.astimezone(tz).strftime("%Y-%m-%d")),
                _text(item.stage),
                _text(_clip(one_line(item.consumer), 20)),
                _text(_clip(one_line(item.snippet or ", ".join(item.matched)), 40)),
                key=item.ref,
            )
        self._show_table("found")
        if not report.items:
            words = f"No case matches {quoted(report.text)}"
        elif report.more:
            over = "more than " if report.more_than else ""
            words = (
                f"{len(report.items)} shown, {over}{report.more} more match {quoted(report.text)}"
            )
        else:
            words = f"{len(report.items)} found for {quoted(report.text)}"
        self.query_one(Status).update(_text(f"{words} · Esc: back to the queue"))

    def action_back_to_queue(self) -> None:
        """Back from a search: the queue as it was drawn, read again only if a step or a
        minute went by meanwhile."""
        search = self.query_one("#search", Input)
        search.remove_class("shown")
        search.value = ""
        if self.stale or self.report is None:
            self.show_queue()
        elif self.found is not None:
            self._show_the_queue()
        self.table.focus()

    # -- opening a case ------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.live.open_case(str(event.row_key.value))

    def action_reload(self) -> None:
        if self.found is not None:
            try:
                report = self.live.session.find(self.found.text)
            except ComplaintError as err:  # a store gone meanwhile: said, as a search says it
                self.query_one(Status).update(_text(f"Error: {err.message}", _RED))
                return
            self.show_found(report)
        else:
            self.show_queue()

    # -- views and filters ---------------------------------------------------------------

    def action_views(self) -> None:
        session = self.live.session
        try:
            views = session.views()
        except ComplaintError as err:  # a config file that cannot be read
            self.query_one(Status).update(_text(f"Error: {err.message}", _RED))
            views = []
        self.app.push_screen(ViewPicker(views, describe(session.started_with)), self._view_chosen)

    def _view_chosen(self, chosen: str | None) -> None:
        session = self.live.session
        if chosen is None:
            return
        if chosen == FILTER:
            self.app.push_screen(FilterForm(), self._filtered)
            return
        try:
            if chosen == STARTED:
                filters = dict(session.started_with)
            elif chosen == MINE:
                filters = session.filters_for(None, mine=True)
            elif chosen == EVERYTHING:
                filters = session.filters_for(None)
            else:
                filters = session.filters_for(chosen.removeprefix(SAVED))
            self._filtered(session.queue_with(filters))
        except ComplaintError as err:
            self.query_one(Status).update(_text(f"Error: {err.message}", _RED))

    def _filtered(self, report: QueueReport | None) -> None:
        """The queue read with the filters chosen, shown in place of the last."""
        if report is None:
            return
        self.live.acting_read()  # read with the queue
        self.report = report
        search = self.query_one("#search", Input)
        search.remove_class("shown")
        search.value = ""
        self.show_queue(read=False)
        self.table.focus()

    def queue_changed(self) -> None:
        """The queue is read again now if it is shown, or on the way back from a search."""
        if self.report is None:
            return
        if self.found is None:
            self.show_queue()
        else:
            self.stale = True


class CaseScreen(Screen[None]):
    """A case as `show` has it, with its whole history and the letters issued; the steps the
    acting member may take on it now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "step", "Take a step"),
        Binding("a", "actions", "Actions"),
        Binding("e", "explain", "Explain"),
        Binding("r", "reload", "Refresh"),
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    DEFAULT_CSS = """
    CaseScreen #case { height: 1fr; }
    """

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.view: CaseView | None = None
        self.offered: tuple[Action, ...] = ()
        self.actions_offered: tuple[Action, ...] = ()  # under `a`: action add, action done
        self.failed = False  # the case could not be read again: the body says why

    @property
    def live(self) -> LiveApp:
        app = self.app
        assert isinstance(app, LiveApp)
        return app

    def compose(self) -> ComposeResult:
        yield Bar(id="bar")
        with VerticalScroll(id="case"):
            yield Static(id="body")
        yield Status(id="status")
        yield Keys()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#case").focus()

    def reload(self) -> None:
        try:
            self.view, self.offered, self.actions_offered = self.live.session.case_and_actions(
                self.ref
            )
        except ComplaintError as err:
            self.failed = True
            self.query_one("#body", Static).update(_text(f"Error: {err.message}", _RED))
            return
        self.live.acting_read()
        self.failed = False
        self._draw()

    def _draw(self) -> None:
        """The case laid out for the screen's width, less the scrollbar's: no line of it is
        folded again where it is drawn."""
        if self.view is not None and not self.failed:
            width = self.size.width - _SCROLLBAR
            self.query_one("#body", Static).update(case_text(self.view, self.offered, width))

    def on_resize(self) -> None:
        self._draw()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def shown(self) -> CaseView | None:
        """The case as last read, on the screen to act on; None, saying so, if its read
        failed (the body says why), rather than act on a version no longer shown."""
        if self.view is not None and not self.failed:
            return self.view
        self.say(
            _text(
                f"Error: {self.ref} could not be read (the screen says why): nothing was "
                "done; r reads it again",
                _RED,
            )
        )
        return None

    def action_step(self) -> None:
        if self.shown() is None:
            return
        if not self.offered:
            self.say(_text(f"No step is open to {self.live.session.actor} on {self.ref} now."))
            return
        self.app.push_screen(StepPicker(self.offered), self._picked)

    def _picked(self, action: Action | None) -> None:
        if action is None or self.shown() is None:
            return
        self.open_form(FORMS[action])

    def action_actions(self) -> None:
        """`action add` on the case, and `action done` while it has an open action."""
        if self.shown() is None:
            return
        if not self.actions_offered:  # a case whose personal data was removed: nothing more
            self.say(_text(f"No action is open to {self.live.session.actor} on {self.ref} now."))
            return
        self.app.push_screen(
            StepPicker(self.actions_offered, ACTION_FORMS, "Actions"), self._action_picked
        )

    def _action_picked(self, action: Action | None) -> None:
        if action is None or self.shown() is None:
            return
        self.open_form(ACTION_FORMS[action])

    def open_form(self, form: Form) -> None:
        """The form on the case as shown, its choices from the store's lists read now."""
        assert self.view is not None
        try:
            fields = tuple(
                replace(field, choices=self.live.session.listed(field.listed))
                if field.listed
                else field
                for field in form.fields(self.view)
            )
        except ComplaintError as err:
            self.say(_text(f"Error: {err.message}", _RED))
            return
        self.app.push_screen(StepForm(form, self.view, fields), self._stepped)

    def _stepped(self, done: tuple[str, CaseView] | None) -> None:
        self.reload()
        if done is None:
            return
        message, view = done
        said = Text(one_line(message), style="bold")  # it names stored text (an area)
        for warning in view.warnings:
            said.append(f"\nWarning: {one_line(warning)}")
        self.say(said)
        self.live.queue_changed()

    def action_explain(self) -> None:
        if (view := self.shown()) is None:
            return
        kinds = tuple(dict.fromkeys(d.kind for d in view.deadlines))
        if not kinds:
            self.say(Text(f"{self.ref} has no deadline to explain."))
            return
        self.app.push_screen(KindPicker(kinds), self._explain)

    def _explain(self, kind: str | None) -> None:
        if kind is None:
            return
        try:
            view = self.live.session.explain(self.ref, kind)
        except ComplaintError as err:
            self.say(_text(f"Error: {err.message}", _RED))
            return
        from complaintctl.cli.render import explain_lines

        self.app.push_screen(ExplainScreen(view.ref, kind, "\n".join(explain_lines(view))))

    def say(self, text: Text) -> None:
        self.query_one(Status).update(text)


# Where the lines of an entry of the case's history after its first begin.
ENTRY_INDENT = 2
# The fewest columns a value is folded to, however narrow the screen.
LEAST_ROOM = 10


@functools.cache
def _folder() -> Console:
    """A console for folding text (Text.wrap asks for one; nothing is written to it)."""
    return Console()


def _hanging(value: Text, indent: int, width: int) -> Text:
    """`value` with each of its lines after the first, and each fold of a line wider than
    `width` less `indent` (0: none folded), starting `indent` columns in: what a consumer
    wrote never begins a line where a field's name or a history entry's date begins."""
    room = max(width - indent, LEAST_ROOM) if width else 0
    lines: list[Text] = []
    for line in value.split("\n", allow_blank=True):
        if room and line.cell_len > room:
            lines += line.wrap(_folder(), room, overflow="fold")
        else:
            lines.append(line)
    laid = Text()
    for n, line in enumerate(lines):
        if n:
            laid.append("\n" + " " * indent)
        laid.append_text(line)
    return laid


def case_text(view: CaseView, offered: tuple[Action, ...], width: int = 0) -> Text:
    """The case as `show` lays it out, then its whole history (as `history`), the letters
    issued on it, and the steps open to the acting member. Laid out for `width` columns (0:
    each line as long as it is): a value runs on under itself, never under the fields'
    names, and an entry of the history under its first line, as `show` and `history` keep
    them in their columns."""
    from complaintctl.cli.render import case_deadlines, case_fields, details_text

    tz = ZoneInfo(view.zone)
    text = Text()
    fields = case_fields(view)
    indent = max([LABELS, *(len(name) + 2 for name, _ in fields)])
    for name, value in fields:
        text.append(f"{name:<{indent}}", "bold")
        text.append_text(_hanging(_block(value), indent, width))
        text.append("\n")
    for kind, state in case_deadlines(view):
        style = "red" if "breached" in state or "late" in state else ""
        text.append(f"{'Deadline':<{indent}}", "bold")
        text.append_text(_hanging(_text(f"{kind}: {state}", style), indent, width))
        text.append("\n")
    for warning in view.warnings:
        text.append_text(_text(f"Warning: {warning}", "yellow"))
        text.append("\n")
    text.append("\nHistory\n", "bold underline")
    for entry in view.history:
        line = Text()
        line.append(f"{format_local(entry.at, tz)}  ", "dim")
        line.append(entry.action, "bold")
        line.append(" by ")
        line.append_text(_text(entry.actor))
        details = details_text(entry.details, tz, action=entry.action, calendar=view.calendar)
        if details:
            line.append(": ")
            line.append_text(_text(details))
        text.append_text(_hanging(line, ENTRY_INDENT, width))
        text.append("\n")
    letters = [e for e in view.history if e.action == Action.LETTER]
    text.append("\nLetters issued\n", "bold underline")
    if not letters:
        text.append("none\n")
    for entry in letters:
        text.append_text(
            _text(
                f"{format_local(entry.at, tz)}  {entry.details.get('kind')} "
                f"({entry.details.get('format')}) by {entry.actor}"
            )
        )
        text.append("\n")
    text.append("\nSteps open to you now: ", "bold")
    text.append(", ".join(FORMS[a].command for a in offered) if offered else "none")
    text.append(" (t to take one)" if offered else "")
    return text


# The most options a choice shows at once (it scrolls for more), and the lines around them:
# its border, its heading and the keys' line below it.
LIST_MOST, LIST_AROUND = 16, 4


def _fit_choices(screen: Screen[Any]) -> None:
    """A choice's list no taller than the terminal leaves it: taller, its heading and its
    last options were off the screen, the option chosen among them, out of sight."""
    screen.query_one(OptionList).styles.max_height = max(
        1, min(LIST_MOST, screen.size.height - LIST_AROUND)
    )


# The choices of ViewPicker besides the saved views, and what comes before a saved view's
# name in its choice: a view may be named anything (`[views."*all"]`), and is still its own.
EVERYTHING, STARTED, MINE, FILTER = "*all", "*started", "*mine", "*filter"
SAVED = "view:"


class ViewPicker(ModalScreen["str | None"]):
    """Which cases the queue lists: all, as started, mine, a saved view of the config file's,
    or filters typed as `queue` takes them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ViewPicker { align: center middle; }
    ViewPicker > Vertical { width: 70; max-width: 100%; height: auto; border: round $primary;
                            background: $surface; padding: 0 1; }
    ViewPicker OptionList { height: auto; }
    """

    def __init__(self, views: list[str], started: str) -> None:
        super().__init__()
        self.views, self.started = views, started

    def compose(self) -> ComposeResult:
        options = [Option(Text("All open cases"), id=EVERYTHING)]
        if self.started:
            options.append(Option(_text(f"As started: {self.started}"), id=STARTED))
        options.append(Option(Text("Mine: the cases I own (--mine)"), id=MINE))
        options += [
            Option(_text(f"View {name} (--view {name})"), id=SAVED + name) for name in self.views
        ]
        options.append(Option(Text("Filter: area, owner, stage, due within …"), id=FILTER))
        with Vertical():
            yield Label("Which cases? (Esc: cancel)")
            yield OptionList(*options, id="views")
        yield Keys(classes="over")

    def on_mount(self) -> None:
        _fit_choices(self)
        self.query_one(OptionList).focus()

    def on_resize(self) -> None:
        _fit_choices(self)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterForm(ModalScreen["QueueReport | None"]):
    """The queue's filters, named as `queue`'s options are, checked as `queue` checks them:
    the queue is read with them before the form closes, and a refusal is shown here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Show the queue"),
    ]
    DEFAULT_CSS = """
    FilterForm { align: center middle; }
    FilterForm > VerticalScroll { width: 76; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $primary; background: $surface; padding: 0 1; }
    FilterForm Label { color: $text-muted; }
    FilterForm Input, FilterForm Select { margin-left: 2; }
    FilterForm #title { margin-bottom: 1; text-style: bold; color: $text; }
    FilterForm #error { color: $error; margin-top: 1; height: auto; }
    FilterForm SelectionList { height: auto; }
    FilterForm Horizontal { height: auto; margin-top: 1; }
    FilterForm Button { margin-right: 2; }
    """

    @property
    def live(self) -> LiveApp:
        app = self.app
        assert isinstance(app, LiveApp)
        return app

    def compose(self) -> ComposeResult:
        from complaintctl.cli.options import OpenStage

        with VerticalScroll():
            yield Label("Filter the queue (as `queue` takes them)", id="title")
            yield Label("Area (--area)")
            yield Input(placeholder="AREA", id="f-area", compact=True)
            yield Label("Owner: the responder or handler (--owner; --mine for you)")
            yield Input(placeholder="USERNAME", id="f-owner", compact=True)
            yield Label("Stages (--stage)")
            yield SelectionList[str](*((Text(s.value), s.value) for s in OpenStage),
                                     id="f-stage", compact=True)  # fmt: skip
            yield Label("Due within, in working time (--due-within)")
            yield Input(placeholder="4h, 2d …", id="f-due_within", compact=True)
            yield Label("Breached only (--breached)")
            yield Select([(Text("yes"), "yes")], prompt="no", id="f-breached", compact=True)
            yield Static(id="error")
            with Horizontal():
                yield Button("Show the queue", variant="primary", id="take", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Keys(classes="over")

    def on_mount(self) -> None:
        self.query_one("#f-area", Input).focus()

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#take")
    def _take(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        from complaintctl.cli.options import OpenStage

        session = self.live.session
        breached = self.query_one("#f-breached", Select)
        try:
            filters = session.filters_for(
                None,
                area=self.query_one("#f-area", Input).value.strip() or None,
                owner=self.query_one("#f-owner", Input).value.strip() or None,
                stage=[OpenStage(s) for s in self.query_one("#f-stage", SelectionList).selected],
                due_within=self.query_one("#f-due_within", Input).value.strip() or None,
                breached=not breached.is_blank(),
            )
            report = session.queue_with(filters)
        except ComplaintError as err:
            error = self.query_one("#error", Static)
            error.update(_text(f"Refused: {err.message}", _RED))
            self.call_after_refresh(error.scroll_visible, animate=False)
            return
        self.dismiss(report)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StepPicker(ModalScreen["Action | None"]):
    """The steps open to the acting member on this case now, and nothing else."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    StepPicker { align: center middle; }
    StepPicker > Vertical { width: 64; max-width: 100%; height: auto; border: round $primary;
                            background: $surface; padding: 0 1; }
    StepPicker OptionList { height: auto; }
    """

    def __init__(
        self,
        offered: tuple[Action, ...],
        forms: dict[Action, Form] = FORMS,
        heading: str = "Take a step",
    ) -> None:
        super().__init__()
        self.offered, self.forms, self.heading = offered, forms, heading

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.heading} (Esc: cancel)")
            yield OptionList(
                *(
                    Option(Text(f"{self.forms[a].command}: {self.forms[a].title}"), id=a.value)
                    for a in self.offered
                ),
                id="steps",
            )
        yield Keys(classes="over")

    def on_mount(self) -> None:
        _fit_choices(self)
        self.query_one(OptionList).focus()

    def on_resize(self) -> None:
        _fit_choices(self)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Action(str(event.option.id)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class KindPicker(ModalScreen["str | None"]):
    """Which of the case's deadlines to explain."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    KindPicker { align: center middle; }
    KindPicker > Vertical { width: 40; height: auto; border: round $primary;
                            background: $surface; padding: 0 1; }
    KindPicker OptionList { height: auto; }
    """

    def __init__(self, kinds: tuple[str, ...]) -> None:
        super().__init__()
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Explain which deadline?")
            yield OptionList(*(Option(Text(k), id=k) for k in self.kinds))
        yield Keys(classes="over")

    def on_mount(self) -> None:
        _fit_choices(self)
        self.query_one(OptionList).focus()

    def on_resize(self) -> None:
        _fit_choices(self)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExplainScreen(Screen[None]):
    """`explain REF KIND`: why the deadline falls where it does, day by day."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, ref: str, kind: str, lines: str) -> None:
        super().__init__()
        self.ref, self.kind, self.lines = ref, kind, lines

    def compose(self) -> ComposeResult:
        yield Bar(id="bar")
        with VerticalScroll(id="explain"):
            yield Static(_block(self.lines), id="body")
        yield Keys()

    def on_mount(self) -> None:
        self.query_one("#explain").focus()

    def action_back(self) -> None:
        self.app.pop_screen()


class StepForm(ModalScreen["tuple[str, CaseView] | None"]):
    """A step's form: its values make the command's own Spec, taken in one transaction on the
    version of the case shown. A refusal is shown here, and nothing is written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Take the step"),
    ]
    DEFAULT_CSS = """
    StepForm { align: center middle; }
    StepForm > VerticalScroll { width: 76; max-width: 100%; height: auto; max-height: 100%;
                                border: round $primary; background: $surface; padding: 0 1; }
    StepForm Label { margin-top: 0; color: $text-muted; width: 100%; }
    StepForm Input, StepForm Select { margin-left: 2; }
    StepForm #title { margin-bottom: 1; text-style: bold; width: 100%; color: $text; }
    StepForm #error { color: $error; margin-top: 1; height: auto; }
    StepForm SelectionList { height: auto; }
    StepForm Horizontal { height: auto; margin-top: 1; }
    StepForm Button { margin-right: 2; }
    """

    def __init__(self, form: Form, view: CaseView, fields: tuple[Field, ...] | None = None) -> None:
        super().__init__()
        self.form = form
        self.view = view
        self.fields: tuple[Field, ...] = form.fields(view) if fields is None else fields

    @property
    def live(self) -> LiveApp:
        app = self.app
        assert isinstance(app, LiveApp)
        return app

    def compose(self) -> ComposeResult:
        start = defaults(self.form, self.live.session.state)
        with VerticalScroll():
            yield Label(
                Text(
                    f"{self.form.title}: {self.view.ref}, version {self.view.version} "
                    f"(as `{self.form.command}`)"
                ),
                id="title",
            )
            for field in self.fields:
                yield Label(Text(f"{field.label} ({field.option})"))
                if field.kind == CHOICE:
                    yield Select(
                        [(Text(c), c) for c in field.choices],
                        prompt="choose" if field.required else "none",
                        id=f"f-{field.name}",
                        compact=True,
                        value=field.current if field.current in field.choices else Select.NULL,
                    )
                elif field.kind == MANY:
                    yield SelectionList[str](*((Text(c), c) for c in field.choices),
                                             id=f"f-{field.name}", compact=True)  # fmt: skip
                else:
                    yield Input(
                        value=start.get(field.name, _typed_over(field.current)),
                        placeholder=field.placeholder,
                        id=f"f-{field.name}",
                        compact=True,
                    )
            yield Static(id="error")
            with Horizontal():
                yield Button(self.form.button, variant="primary", id="take", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Keys(classes="over")

    def on_mount(self) -> None:
        first = self.query(f"#f-{self.fields[0].name}") if self.fields else None
        if first:
            first.first().focus()

    def values(self) -> Values:
        values: Values = {}
        for field in self.fields:
            widget = self.query_one(f"#f-{field.name}")
            if isinstance(widget, Select):
                values[field.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, SelectionList):
                values[field.name] = list(widget.selected)
            elif isinstance(widget, Input):
                values[field.name] = widget.value
            if field.current is not None and values[field.name] in (
                field.current,
                _typed_over(field.current),
            ):
                del values[field.name]  # as it stands: not corrected
            elif field.current is not None and isinstance(values[field.name], str):
                values[field.name] = field.read_back(values[field.name])
        return values

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        # Enter moves on to the next line to type, and takes the step from the last one.
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    @on(Button.Pressed, "#take")
    def _take(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        session = self.live.session
        try:
            if self.form.run is not None:
                view, message = self.form.run(session, self.view, self.values())
            else:
                assert self.form.spec is not None
                spec = self.form.spec(session.state, self.values())
                view = session.take(self.view.ref, self.view.version, spec)
                message = self.form.message(view)
        except ComplaintError as err:
            self.refused(err.message, recorded=isinstance(err, RecordedThenFailed))
            return
        self.dismiss((message, view))

    def refused(self, message: str, *, recorded: bool = False) -> None:
        error = self.query_one("#error", Static)
        # A step saved and then not read back is no refusal: it must not be taken again.
        error.update(_text(f"{'Recorded, then' if recorded else 'Refused'}: {message}", _RED))
        # Below the last field: a form taller than the terminal would hide it, all of it.
        self.call_after_refresh(error.scroll_visible, animate=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


# The smallest terminal the view is drawn on: the queue's reference, flags and working time,
# and a few of its cases, with the lines above and below them.
LEAST_SIZE = (40, 10)


class TooSmall(ModalScreen[None]):
    """Over everything while the terminal is smaller than LEAST_SIZE: what is beneath (a form
    half typed too) stays as it was, and comes back once the terminal is larger; no key but
    q reaches it, so nothing is opened or taken unseen. Over a form, q is a letter the officer
    was typing into it, so only ctrl+q quits there."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit_unless_typing", "Quit")]
    DEFAULT_CSS = """
    TooSmall { background: $background; }
    TooSmall #small { width: 100%; height: 100%; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="small")

    def on_mount(self) -> None:
        self.said()

    def on_resize(self) -> None:
        self.said()

    def said(self) -> None:
        width, height = self.app.size
        least = "×".join(map(str, LEAST_SIZE))
        quitting = "ctrl+q to quit, losing the form" if self.over_a_form() else "q to quit"
        self.query_one("#small", Static).update(
            Text(
                f"{width}×{height} is too small: live needs {least}. Make it larger, or press "
                f"{quitting}."
            )
        )

    def over_a_form(self) -> bool:
        return any(isinstance(s, StepForm | FilterForm) for s in self.app.screen_stack)

    def action_quit_unless_typing(self) -> None:
        if not self.over_a_form():
            self.app.exit()


class LiveApp(App[None]):
    """`complaintctl live`: the queue, a case, its steps; the acting member always shown."""

    TITLE = "complaintctl live"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session, *, refresh_every: float = REFRESH_EVERY) -> None:
        super().__init__()
        self.session = session
        self.refresh_every = refresh_every
        session.member()
        self.first_queue: QueueReport | None = None
        self.shown_acting = session.acting  # as the bars show them

    def bar_text(self, width: int = 0) -> Text:
        """Who is acting, at the top of every screen: on a line narrower than `width` (0:
        any), without the program's name, which would push the role off the line. Someone
        who is not active staff is warned their steps will be refused, in fewer words on a
        narrow line, and on the narrowest the warning first: a long name is cut, not it."""
        member = self.session.acting
        if member is not None:
            role = member.role + (f", {member.area}" if member.area else "")
            who = _text(f"{member.username} ({role})")
            bars = [
                Text.assemble(start, who, style="bold")
                for start in ("complaintctl live · acting as ", "acting as ")
            ]
        else:
            name = _text(self.session.actor)
            long, short = (
                " (not active staff: steps will be refused)",
                " (not staff: steps refused)",
            )
            bars = [
                Text.assemble(start, name, Text(warning, _RED), style="bold")
                for start, warning in (
                    ("complaintctl live · acting as ", long),
                    ("acting as ", long),
                    ("acting as ", short),
                )
            ]
            bars.append(
                Text.assemble(Text("not staff: steps refused", _RED), " · ", name, style="bold")
            )
        return next((bar for bar in bars if not width or bar.cell_len <= width), bars[-1])

    def acting_read(self) -> None:
        """The acting member as the store was last read: every screen's top line says so
        again when their role, their area, or whether they are staff at all has changed."""
        if self.session.acting == self.shown_acting:
            return
        self.shown_acting = self.session.acting
        for screen in self.screen_stack:
            for bar in screen.query(Bar):
                bar.redraw()

    def read_queue(self) -> QueueReport | None:
        if self.first_queue is not None:  # read before the screen was up
            report, self.first_queue = self.first_queue, None
            return report
        try:
            report = self.session.queue()
        except ComplaintError as err:
            self.notify(one_line(f"Error: {err.message}"), severity="error", markup=False)
            return None
        self.acting_read()
        return report

    def on_mount(self) -> None:
        self.push_screen(QueueScreen())
        self.fit()
        if self.refresh_every:
            self.set_interval(self.refresh_every, self.minute_gone_by, name="minute")

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Over everything, say the terminal is too small while it is; take that away once
        it is large enough again."""
        width, height = self.size
        small = width < LEAST_SIZE[0] or height < LEAST_SIZE[1]
        if small and not isinstance(self.screen, TooSmall):
            self.push_screen(TooSmall())
        elif not small and isinstance(self.screen, TooSmall):
            self.pop_screen()

    def minute_gone_by(self) -> None:
        """Read the queue again, and a case open on the screen: others' changes appear."""
        self.queue_changed()
        for screen in self.screen_stack:
            if isinstance(screen, CaseScreen) and screen.view is not None:  # drawn once
                screen.reload()

    def queue_changed(self) -> None:
        """Read the queue again (a step taken here, or a minute gone by)."""
        for screen in self.screen_stack:
            if isinstance(screen, QueueScreen):
                screen.queue_changed()

    def open_case(self, ref: str) -> None:
        self.push_screen(CaseScreen(ref))
