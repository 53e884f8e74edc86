"""The commands that take a step on cases: one case, or many from the arguments or stdin, all
or nothing.

Each step command is written as its own options and what it does to one case (a StepCall);
`step_command` gives it the references and the flags every step shares, and `run` takes it on
one case or on many.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from complaintctl.cli.app import State, commands, current_state
from complaintctl.cli.options import (
    At,
    ContinueOnError,
    DryRun,
    IfVersion,
    Json,
    Refs,
    UnversionedRefs,
)
from complaintctl.errors import (
    EXIT_BULK_PARTIAL,
    EXIT_BULK_REFUSED,
    EXIT_DECLINED,
    ComplaintError,
    InvalidInput,
)

if TYPE_CHECKING:
    from complaintctl.services.steps import Spec, StepResult
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import CaseView, Stepped


@dataclass(frozen=True)
class StepCall:
    """A step command's own part: the step (made once the store is open, for options read in
    its calendar's zone), and how to say it was done to a case."""

    spec: Callable[[UnitOfWork], Spec]
    message: Callable[[Stepped], str]
    # For a step hard to undo: the question asked first at a terminal (the references given),
    # and what is said when it is answered no (then nothing is written, exit EXIT_DECLINED).
    confirm: Callable[[list[str]], str] | None = None
    declined: str = "Nothing done."


@dataclass(frozen=True)
class StepFlags:
    """What every step command takes besides its own options."""

    refs: list[str]
    at: str | None
    dry_run: bool
    continue_on_error: bool
    json_output: bool
    # The version of the one case the caller read: the step is refused if the case has moved
    # on since (JSON on stdin carries a version for each case instead).
    if_version: int | None = None


# The flags, in the order the help lists them, after the command's own options.
_FLAGS: tuple[tuple[str, Any, Any], ...] = (
    ("at", At, None),
    ("dry_run", DryRun, False),
    ("continue_on_error", ContinueOnError, False),
    ("if_version", IfVersion, None),
    ("json_output", Json, False),
)

OwnOptions = Callable[..., StepCall]


def step_command(
    name: str, *, versioned: bool = True, refs: Any = None
) -> Callable[[OwnOptions], OwnOptions]:
    """Register the command `name` that takes a step on cases.

    The decorated function takes the command's State and its own options, and returns its
    StepCall; the command takes REF... (`refs`: the argument, with the cases its completion
    offers) first and the shared flags last (--if-version only when `versioned`: the step
    checks the version of the case). The function's docstring is the command's help.
    """

    if refs is None:  # the help of REF... says a moved-on version is refused only where it is
        refs = Refs if versioned else UnversionedRefs

    def register(own: OwnOptions) -> OwnOptions:
        flags = [flag for flag in _FLAGS if versioned or flag[0] != "if_version"]
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            inspect.Parameter("ctx", keyword, annotation=typer.Context),
            inspect.Parameter("refs", keyword, annotation=refs),
            # Its own options, after the State it is given.
            *(
                p.replace(kind=keyword)
                for p in list(inspect.signature(own).parameters.values())[1:]
            ),
            *(inspect.Parameter(n, keyword, annotation=a, default=d) for n, a, d in flags),
        ]

        def command(ctx: typer.Context, **values: Any) -> None:
            state = current_state(ctx)
            shared = {flag: values.pop(flag, default) for flag, _, default in flags}
            run(state, StepFlags(refs=values.pop("refs"), **shared), own(state, **values))

        # Typer reads a command's options from its signature and annotations.
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        command.__name__, command.__doc__ = own.__name__, own.__doc__
        commands.command(name)(command)
        return own

    return register


# stdin is read whole (its JSON is one document), but not without bound: `ack - < /dev/zero`
# filled memory until the system stopped the process. A gigabyte is the JSON of some hundreds
# of thousands of cases (`show --json`, about 3 kB each), far past the batches README speaks of.
STDIN_LIMIT = 1024**3


def _stdin_text() -> str:
    data = sys.stdin.buffer.read(STDIN_LIMIT + 1)
    if len(data) > STDIN_LIMIT:
        raise InvalidInput(
            f"stdin holds more than {STDIN_LIMIT:,} bytes: give the references in smaller "
            "batches (one a line is the shortest way to write them)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        byte = err.object[err.start]
        raise InvalidInput(f"stdin is not UTF-8 text (line {line}, byte 0x{byte:02x})") from None


_JSON_READ = (
    'stdin JSON must be a list of references, or of objects with a "ref" (as show, queue and'
    " overdue --json print), or a step's --json"
)


def _json_scalar(text: str) -> bool:
    """Whether `text` is JSON that is neither a list nor an object (a string, a number, null):
    a reference in quotes is JSON, not a line."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# What overdue prints first on a line with no case: a restriction review, a subject-access
# request.
_NO_CASE = re.compile(r"(restriction|subject access) [0-9]+")


def _line_refs(text: str) -> Iterator[str]:
    """The reference on each line: its first tab-separated field (queue, overdue and find print
    it first when piped), blank lines, # comments and overdue's lines without a case skipped.
    A line whose first field is no reference at all is refused by its number, quoting that
    field only (never the rest, such as a consumer's name), inert and short."""
    from complaintctl.services.common import looks_like_ref

    for number, line in enumerate(text.splitlines(), 1):
        kept = line.split("#")[0]
        ref = kept.split("\t")[0].strip()
        where = f"line {number} of stdin"
        if _NO_CASE.fullmatch(ref):  # an overdue review or request: skipped, as in its JSON
            continue
        if not ref and kept.strip():
            raise InvalidInput(f"{where}: no reference in its first field")
        if ref and not looks_like_ref(ref):
            first, *more = ref.split()
            if more and looks_like_ref(first):
                raise InvalidInput(
                    f"{where}: {first!r} is followed by {len(more)} more"
                    f" word{'s' if len(more) > 1 else ''}; give one reference a line, or"
                    " tab-separated fields with the reference first"
                )
            raise _no_reference(where, ref)
        yield ref


def _csv_header(text: str) -> bool:
    """Whether stdin begins with a CSV header naming a `ref` column, as `queue --csv`,
    `overdue --csv` and `export` print (a tab-separated line is read by its first field)."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    if "\t" in first:
        return False
    # Named as import reads a header: in any case, spaces around it aside, quoted or not (a
    # spreadsheet's `Ref`, R's `"ref"`); a column of references alone has no comma.
    return _REF_COLUMN in _header_names(first)


_REF_COLUMN = "ref"


def _delimiter(first: str) -> str:
    """A CSV header line's delimiter, told as import tells it: a spreadsheet set up for Europe
    saves `queue --csv` again with semicolons."""
    from complaintctl.services.imports import sniff_delimiter

    return sniff_delimiter(first)


def _header_names(first: str) -> list[str]:
    try:
        names = next(csv.reader([first], delimiter=_delimiter(first)), [])
    except csv.Error:  # a field longer than CSV is read: no header, a line refused as such
        return []
    return [name.strip().lower() for name in names]


def _csv_refs(text: str) -> Iterator[str]:
    """The reference in each row's `ref` column of CSV with a header; overdue's rows without
    a case skipped, a row whose `ref` is no reference refused by its line."""
    from complaintctl.services.common import looks_like_ref

    # Lines are numbered as stdin has them, the blank lines before the header counted.
    stripped = text.lstrip("\r\n")
    header_line = text[: len(text) - len(stripped)].count("\n") + 1
    # The header is its first line, as _csv_header read it (a quote it never closes does not
    # run on into the rows), and the rows are read from the line after it.
    first, _, rows = stripped.partition("\n")
    at = _header_names(first).index(_REF_COLUMN)
    reader = csv.reader(io.StringIO(rows, newline=""), delimiter=_delimiter(first))
    while True:
        start = header_line + reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:  # a field longer than any a listing or an export has
            from complaintctl.services.imports import csv_broken

            broken = csv_broken(err, start, header_line + reader.line_num)
            raise InvalidInput(f"line {broken.line} of stdin: {broken.why}") from None
        ref = (record[at] if at < len(record) else "").strip()
        where = f"line {start} of stdin"
        if _NO_CASE.fullmatch(ref):
            continue
        if not ref:
            if any(value.strip() for value in record):
                raise InvalidInput(f"{where}: no reference in its ref column")
            continue
        if not looks_like_ref(ref):
            raise _no_reference(where, ref)
        yield ref


def _no_reference(where: str, text: str) -> InvalidInput:
    """Input on stdin that is no reference at all, quoted inert and short."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    return InvalidInput(
        f"{where}: {shown!r} is not a case reference (they look like SC-2026-000001)"
    )


def read_refs(
    args: list[str], stdin_text: Callable[[], str] = _stdin_text
) -> tuple[list[str], dict[str, int]]:
    """The references to act on, each once, in the order given, and the version of each case
    the caller read, where it says.

    `-` reads stdin: one reference per line (blank lines and # comments skipped), or JSON — a
    list of references, or of objects with a "ref" (as show, queue and overdue --json print;
    items without a case, such as restriction reviews, are skipped), or a step's --json (the
    cases it did: none, where it wrote nothing). An object's "version"
    says which version of the case the caller looked at: if the case has moved on since, the
    step on it is refused.
    """
    seen: dict[str, int] = {}
    if args == ["-"]:
        text = stdin_text()
        stripped = text.lstrip()
        if stripped.startswith(("[", "{")):
            try:
                data = json.loads(stripped)
            except json.JSONDecodeError as err:
                hint = (
                    "; a step reads one JSON document (as show, queue and overdue --json"
                    " print), not JSON Lines"
                    if err.msg == "Extra data"
                    else ""
                )
                # The line of stdin, counting the blank lines read past before the JSON.
                line = err.lineno + text[: len(text) - len(stripped)].count("\n")
                raise InvalidInput(
                    f"stdin is not valid JSON: {err.msg} (line {line}){hint}"
                ) from None
            except (ValueError, RecursionError):  # a number or a nesting past what is read
                raise InvalidInput("stdin is not JSON complaintctl can read") from None
            # A step's own --json: the cases it did. One that wrote nothing (a dry run, a
            # refused batch) did none: its cases are as they would have been.
            if isinstance(data, dict) and isinstance(data.get("done"), list):
                applied = data.get("applied", True)
                if not isinstance(applied, bool):  # "no" would be truthy: never guessed
                    raise InvalidInput(
                        f"stdin's \"applied\" must be true or false, as a step's --json "
                        f"writes it, not {json.dumps(applied)[:40]}"
                    )
                data = data["done"] if applied else []
            items = data if isinstance(data, list) else [data]
            args = []
            from complaintctl.services.common import looks_like_ref

            for number, item in enumerate(items, 1):
                ref = item.get("ref", ...) if isinstance(item, dict) else item
                if ref is None:  # an item with no case, such as a restriction review
                    continue
                if not isinstance(ref, str):
                    raise InvalidInput(_JSON_READ)
                if not looks_like_ref(ref):
                    raise _no_reference(f"item {number} of stdin JSON", ref)
                args.append(ref)
                version = item.get("version") if isinstance(item, dict) else None
                if version is not None:
                    # Whole as --if-version takes it: 0 or more, a version a case can have.
                    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
                        raise InvalidInput(f'the "version" of {ref} must be a whole number')
                    key = ref.strip().upper()
                    if seen.get(key, version) != version:  # one of them is out of date
                        raise InvalidInput(
                            f"item {number} of stdin JSON: {key} is there already at version "
                            f"{seen[key]}, and here at version {version}; look again before "
                            "acting"
                        )
                    seen[key] = version
        elif _json_scalar(stripped):
            raise InvalidInput(_JSON_READ)
        elif _csv_header(text):
            args = list(_csv_refs(text))
        else:
            args = list(_line_refs(text))
    elif "-" in args:
        raise InvalidInput("- reads references from stdin; give it alone")
    return list(dict.fromkeys(ref.strip().upper() for ref in args if ref.strip())), seen


def _could_take(state: State, flags: StepFlags, call: StepCall) -> list[str]:
    """The references a question at a terminal asks about: those a dry run finds can take
    the step, so that nobody is asked to confirm what would be refused. One reference refused
    is its own error, unasked; several with one refused and no --continue-on-error, none (the
    step then refuses them all, as it would have after the question)."""
    from complaintctl.services.steps import take_steps

    wanted, seen = read_refs(flags.refs)
    if flags.if_version is not None:
        seen = dict.fromkeys(wanted, flags.if_version)

    def trial(uow: UnitOfWork, when: datetime) -> list[tuple[str, ComplaintError]]:
        uow.seen_versions.update(seen)
        return list(
            take_steps(uow, wanted, call.spec(uow), by=state.actor, at=when, now=state.now,
                       continue_on_error=False, dry_run=True, full_views=False).refused
        )  # fmt: skip

    refused = state.change(trial, flags.at)
    if refused and len(flags.refs) == 1:
        raise refused[0][1]
    if refused and not flags.continue_on_error:
        return []
    return [ref for ref in wanted if ref not in dict(refused)]


def run(state: State, flags: StepFlags, call: StepCall) -> None:
    """Take the step on one case (a refusal keeps its own exit code), or on several at once."""
    from complaintctl.cli import render
    from complaintctl.domain.clocks import STEP_CLOCKS
    from complaintctl.services.steps import StepResult, take_step, take_steps

    refs = flags.refs
    one = refs != ["-"] and len(refs) == 1
    if flags.if_version is not None and not one:
        raise InvalidInput(
            "--if-version goes with one reference; for several, pipe the JSON of show, queue "
            "or overdue, which carries each case's version"
        )
    # A dry run changes nothing, and references read from stdin leave no one to answer there.
    question = None if flags.dry_run or refs == ["-"] else call.confirm
    if question is not None and render.at_terminal():
        asked = _could_take(state, flags, call)
        if asked and not typer.confirm(question(asked), default=False, err=True):
            render.note(call.declined)
            raise typer.Exit(EXIT_DECLINED)
    if one and not flags.dry_run:

        def step_on_one(uow: UnitOfWork, when: datetime) -> tuple[Spec, CaseView]:
            if flags.if_version is not None:
                uow.seen_versions[refs[0].strip().upper()] = flags.if_version
            spec = call.spec(uow)
            return spec, take_step(uow, refs[0], spec, by=state.actor, at=when, now=state.now)

        spec, view = state.change(step_on_one, flags.at)
        clocks = STEP_CLOCKS[spec.action]
        render.stepped(view, flags.json_output, call.message(view), clocks.reported(), clocks.meets)
        return
    wanted, seen = read_refs(refs)
    if flags.if_version is not None:
        seen = dict.fromkeys(wanted, flags.if_version)
    if not wanted:  # e.g. `overdue --json | ack -` on a morning with nothing overdue
        render.note("No case references on stdin: nothing to do")
        if flags.json_output:  # a script reading stdout still gets the JSON, of no cases
            nothing = StepResult(
                done=(), refused=(), applied=not flags.dry_run, dry_run=flags.dry_run
            )
            render.bulk(nothing, True, call.message)
        return

    def each(uow: UnitOfWork, when: datetime) -> StepResult:
        uow.seen_versions.update(seen)
        return take_steps(
            uow,
            wanted,
            call.spec(uow),
            by=state.actor,
            at=when,
            now=state.now,
            continue_on_error=flags.continue_on_error,
            dry_run=flags.dry_run,
            full_views=flags.json_output,  # a line saying what was done needs only the row
        )

    result = state.change(each, flags.at)
    render.bulk(result, flags.json_output, call.message)
    if result.refused:
        raise typer.Exit(EXIT_BULK_PARTIAL if result.applied else EXIT_BULK_REFUSED)
