"""The sandbox letter templates run in: Jinja's immutable sandbox, with everything a template
makes bounded before it is made (texts, lists, widths, loop steps, macro calls), so that a slip
in an organisation's template (a typo in a number, a loop in a loop) is refused on one line
rather than holding the command for minutes or taking the machine's memory.

Imports jinja2 only inside its functions: `--help` and completion never load it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# What a template may make: far more than any letter, far less than would hold the command for
# minutes or take the machine's memory (a typo in a number, `range(100000)` in a loop of its
# own, does it).
MOST_TEXT = 2_000_000  # characters of a letter, or of any text or list a template builds
MOST_STEPS = 1_000_000  # steps of all the loops of a letter together
MOST_CALLS = 10_000  # calls of its macros and recursive loops together
TOO_MUCH = (
    f"it would make more than a letter can hold: a template makes at most {MOST_TEXT:,} "
    "characters, or items of a list"
)
_TOO_LONG = (
    f"its loops would take more than {MOST_STEPS:,} steps: a template takes at most "
    f"{MOST_STEPS:,} steps of its loops in all"
)
_TOO_DEEP = (
    f"its macros would be called more than {MOST_CALLS:,} times: a template calls its macros "
    f"(and its recursive loops) at most {MOST_CALLS:,} times in all"
)


class Excess(Exception):
    """A template making more than a letter holds, or looping longer than one takes."""


def bounded_sandbox() -> type:
    """Jinja's immutable sandbox, each thing a template makes bounded before it is made: a text
    or list repeated (`*`) or added to another (`+`, `~`), padded to a width (`%10s`, `%*s`,
    `{:>10}`, `{:{}}`, `center`, `ljust`), joined or with its parts replaced; a number raised
    to a power; a count or width given to a filter or a method; what a macro, a `{% set %}`
    block or a `{% filter %}` block writes; the steps of its loops (over anything, counted
    together); and the calls of its macros and recursive loops (one calling itself twice over
    loops over nothing, and never ends).
    What it writes is counted as it is written (`bounded`)."""
    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator, Frame, optimizeconst
    from jinja2.runtime import LoopContext, Macro
    from jinja2.sandbox import (
        ImmutableSandboxedEnvironment,
        SandboxedEscapeFormatter,
        SandboxedFormatter,
    )
    from markupsafe import Markup

    class Generator(CodeGenerator):
        """Jinja's code, but what a template writes into a text (a macro's, a `{% set %}`
        block's) and what `~` joins are counted first."""

        def buffer(self, frame: Frame) -> None:
            frame.buffer = self.temporary_identifier()
            self.writeline(f"{frame.buffer} = environment.written()")

        @optimizeconst
        def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
            # As Jinja joins, the parts made texts (and their length counted) first.
            if frame.eval_ctx.volatile:
                join = "(markup_join if context.eval_ctx.volatile else str_join)"
            elif frame.eval_ctx.autoescape:
                join = "markup_join"
            else:
                join = "str_join"
            self.write(f"{join}(environment.joinable((")
            for part in node.nodes:
                self.visit(part, frame)
                self.write(", ")
            self.write(")))")

    class Formats(SandboxedFormatter):
        """`str.format` as the sandbox does it, each field's width (after any `{}` in it is
        filled in) and all it makes within what a letter holds."""

        made = 0

        def vformat(self, *args: Any, **kwargs: Any) -> str:
            self.made = 0
            return super().vformat(*args, **kwargs)

        def format_field(self, value: Any, format_spec: str) -> Any:
            _numbers_in(format_spec)
            made = super().format_field(value, format_spec)
            self.made += len(made)
            if self.made > MOST_TEXT:
                raise Excess(TOO_MUCH)
            return made

    class EscapeFormats(Formats, SandboxedEscapeFormatter):
        pass

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"+", "*", "**", "%"})
        code_generator_class = Generator

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.steps = 0
            self.calls = 0
            self.filters = {name: _checked(name, f) for name, f in self.filters.items()}
            self.filters[_STEPS] = self.counted

        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            """The template, each of its loops taking its steps through `counted`."""
            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Filter(loop.iter, _STEPS, [], [], None, None)
                loop.iter.set_lineno(loop.lineno)
            return tree

        def counted(self, iterable: Any) -> Iterator[Any]:
            for item in iterable:
                self.steps += 1
                if self.steps > MOST_STEPS:
                    raise Excess(_TOO_LONG)
                yield item

        @staticmethod
        def written() -> list[Any]:
            return _Written()

        @staticmethod
        def joinable(parts: tuple[Any, ...]) -> list[str]:
            return _joinable(parts)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "+":
                _added(left, right)
            elif operator == "*":
                _repeated(left, right)
                _repeated(right, left)
            elif operator == "**":
                _power(left, right)
            elif isinstance(left, str):
                _widths(left)
                _percent(left, right)
            return _within(super().call_binop(context, operator, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            if isinstance(__obj, (Macro, LoopContext)):
                __self.calls += 1
                if __self.calls > MOST_CALLS:
                    raise Excess(_TOO_DEEP)
            # A text's `format` comes as Jinja's wrapper of it (Jinja 3.1.5 on), or itself.
            method = getattr(__obj, "__wrapped__", __obj)
            text = getattr(method, "__self__", None)
            if isinstance(text, str):  # a text's method: "x".ljust(80), ", ".join(…)
                name = getattr(method, "__name__", "")
                # What the call is given: in a block Jinja adds its variables, for a function
                # that takes the context.
                given = {key: value for key, value in kwargs.items() if key != "_block_vars"}
                if name in ("format", "format_map"):
                    formats = (
                        EscapeFormats(__self, escape=text.escape)
                        if isinstance(text, Markup)
                        else Formats(__self)
                    )
                    return _formatted(formats, text, name, args, given)
                if name == "join" and args:
                    args = (_listed(args[0]), *args[1:])
                _method(text, name, args, given)
            return _within(super().call(__context, __obj, *args, **kwargs))

    return Bounded


_STEPS = "_complaintctl_steps"  # the filter every loop's steps go through


def _checked(name: str, function: Any) -> Any:
    """A filter refusing a count or a width more than a letter holds, before it makes it."""
    from functools import wraps

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        # After the environment or context a filter may be passed first, the value.
        first = 1 if getattr(function, "jinja_pass_arg", None) else 0
        if name == "join" and len(args) > first:  # what it joins, counted as it is listed
            args = (*args[:first], _listed(args[first]), *args[first + 1 :])
        values = args[first:]
        if values:
            _method(values[0], name, values[1:], kwargs)
        return _within(function(*args, **kwargs))

    return bounded


def _numbers(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and abs(value) > MOST_TEXT:
            raise Excess(TOO_MUCH)


def _added(left: Any, right: Any) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        if len(left) + len(right) > MOST_TEXT:
            raise Excess(TOO_MUCH)


def _repeated(sequence: Any, times: Any) -> None:
    if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
        if len(sequence) * times > MOST_TEXT:
            raise Excess(TOO_MUCH)


def _power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1:
        if exponent * abs(base).bit_length() > MOST_TEXT:
            raise Excess(TOO_MUCH)


# The methods and filters whose numbers are widths or counts of what they make.
_SIZED_BY_NUMBERS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "indent"})
_SIZED_BY_NUMBERS |= {"batch", "slice"}


def _method(value: Any, name: str, args: Any, kwargs: dict[str, Any]) -> None:
    """What a text's `name` (a method, or the filter of that name) would make of it."""
    if name in _SIZED_BY_NUMBERS:
        _numbers(args, kwargs)
    if name in _PER_PIECE and isinstance(value, str):
        _per_piece(value, name, args, kwargs)
    elif name in ("format", "format_map") and isinstance(value, str):
        _widths(value)
        if name == "format":  # the filter: `"%*s"|format(80, "x")`
            _percent(value, kwargs or args)
    elif name == "replace" and len(args) >= 2 and isinstance(value, str):
        old, new = str(args[0]), str(args[1])
        if len(value) + (len(value) + 1) * len(new) > MOST_TEXT and (old in value or not old):
            raise Excess(TOO_MUCH)
    elif name == "join":
        if isinstance(value, str):  # ", ".join(items)
            separator, items = value, (args[0] if args else ())
        else:  # items|join(", ")
            separator, items = str(args[0] if args else kwargs.get("d", "")), value
        count = len(items) if hasattr(items, "__len__") else 0
        texts = 0
        if isinstance(items, (list, tuple)):
            texts = sum(len(item) for item in items if isinstance(item, str))
        if count * len(separator) + texts > MOST_TEXT:
            raise Excess(TOO_MUCH)


# The methods and filters that put a text of their arguments (or a tab's width, or a
# character's replacement) into each piece of a text: each line, word or character.
_PER_PIECE = frozenset({"expandtabs", "translate", "indent", "wordwrap", "urlize"})


def _per_piece(value: str, name: str, args: Any, kwargs: dict[str, Any]) -> None:
    given = (*args, *kwargs.values())
    texts = sum(len(arg) for arg in given if isinstance(arg, str))
    numbers = [arg for arg in given if isinstance(arg, int) and not isinstance(arg, bool)]
    if name == "expandtabs":  # each tab, up to the tab size
        pieces, each = value.count("\t"), (numbers[0] if numbers else 8)
    elif name == "translate":  # each character, to its replacement
        table = args[0] if args else {}
        replacements = table.values() if isinstance(table, dict) else table
        if not isinstance(replacements, (str, list, tuple, type({}.values()))):
            return
        pieces = len(value)
        each = max((len(r) for r in replacements if isinstance(r, str)), default=1)
    elif name == "indent":  # each line, the indent (a width or a text)
        pieces, each = value.count("\n") + 1, texts + (numbers[0] if numbers else 4)
    elif name == "wordwrap":  # each line, the text that ends it
        width = max(numbers[0], 1) if numbers else 79
        pieces, each = len(value) // width + len(value.split()) + value.count("\n") + 1, texts
    else:  # urlize: each word, the link's target and rel
        pieces, each = len(value.split()) + 1, texts
    if pieces * each > MOST_TEXT:
        raise Excess(TOO_MUCH)


# A width or precision in a `%` format (`%10s`, `%.3f`) or a `{…}` one (`{:>10}`).
_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?|\{[^{}:]*:[^{}\d]*(\d*)(?:\.(\d*))?")


def _widths(form: str) -> None:
    """A format's widths and precisions, each within what a letter holds."""
    for numbers in _WIDTH.findall(form):
        if any(len(n) > 7 or (n and int(n) > MOST_TEXT) for n in numbers):
            raise Excess(TOO_MUCH)


# A conversion in a `%` format: its key (`%(name)s`), flags, width and precision (either `*`:
# taken from the values, in turn, before the value it converts), and its type.
_CONVERSION = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?(.)", re.S)


def _percent(form: str, values: Any) -> None:
    """What a `%` format makes of its values: the widths and precisions it takes from them
    (`"%*s" % (80, "x")`) and the texts it puts in (`"%s%s" % (a, b)`), within what a letter
    holds."""
    values = values if isinstance(values, (tuple, dict)) else (values,)
    taken = 0
    size = len(form)
    for name, width, precision, kind in _CONVERSION.findall(form):
        if kind == "%":
            continue
        for given in (width, precision):
            if given == "*" and isinstance(values, tuple):
                if taken < len(values) and _more_than_a_letter(values[taken]):
                    raise Excess(TOO_MUCH)
                taken += 1
        if isinstance(values, dict):
            value = values.get(name[1:-1]) if name else values
        else:
            value = values[taken] if taken < len(values) else None
            taken += 1
        if isinstance(value, str):
            size += len(value)
    if size > MOST_TEXT:
        raise Excess(TOO_MUCH)


def _more_than_a_letter(number: Any) -> bool:
    return isinstance(number, int) and abs(number) > MOST_TEXT


def _within(made: Any) -> Any:
    """What a filter, a method or an operator made, if it is within what a letter holds: one
    that makes a few times what it is given (`tojson`, `"%s%s" % (a, a)`) is stopped before
    doing so again and again makes gigabytes."""
    if isinstance(made, (str, list, tuple)) and len(made) > MOST_TEXT:
        raise Excess(TOO_MUCH)
    return made


def _numbers_in(format_spec: str) -> None:
    """A `{…}` field's width and precision, its `{}` filled in (`{:{}}`), within bounds."""
    for number in re.findall(r"\d+", format_spec):
        if len(number) > 7 or int(number) > MOST_TEXT:
            raise Excess(TOO_MUCH)


def _formatted(formats: Any, form: str, name: str, args: Any, kwargs: dict[str, Any]) -> str:
    """`form.format(*args, **kwargs)` or `form.format_map(args[0])`, as Jinja's sandbox makes
    it, through `formats`, which counts what it makes."""
    if name == "format_map":
        if kwargs:
            raise TypeError("format_map() takes no keyword arguments")
        if len(args) != 1:
            raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
        args, kwargs = (), args[0]
    return type(form)(formats.vformat(form, args, kwargs))


def _listed(items: Any) -> Any:
    """What a join joins, listed (a generator, a `map`), refused once it has more items than a
    letter holds; a text, list or tuple as it is."""
    if isinstance(items, (str, list, tuple)) or not hasattr(items, "__iter__"):
        return items
    listed = []
    for item in items:
        listed.append(item)
        if len(listed) > MOST_TEXT:
            raise Excess(TOO_MUCH)
    return listed


def _joinable(parts: tuple[Any, ...]) -> list[str]:
    """The parts `~` joins as texts (as Jinja makes them), refused if together they are more
    than a letter holds."""
    texts = [part if isinstance(part, str) else str(part) for part in parts]
    if sum(map(len, texts)) > MOST_TEXT:
        raise Excess(TOO_MUCH)
    return texts


class _Written(list[Any]):
    """What a macro, a `{% set %}` block or a `{% filter %}` block writes, refused once it is
    more than a letter holds."""

    size = 0

    def append(self, part: Any) -> None:
        if isinstance(part, str):
            self.size += len(part)
            if self.size > MOST_TEXT:
                raise Excess(TOO_MUCH)
        super().append(part)

    def extend(self, parts: Any) -> None:
        for part in parts:
            self.append(part)


def bounded(parts: Iterator[str]) -> str:
    """What a template writes, joined, refused once it is more than a letter holds."""
    written: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MOST_TEXT:
            raise Excess(TOO_MUCH)
        written.append(part)
    return "".join(written)
