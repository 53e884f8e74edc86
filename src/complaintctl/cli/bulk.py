"""One command, many cases: references from the arguments or stdin, all or nothing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from complaintctl.cli.app import current_state
from complaintctl.errors import EXIT_BULK_PARTIAL, EXIT_BULK_REFUSED, InvalidInput

if TYPE_CHECKING:
    from complaintctl.services.bulk import BulkResult
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import CaseView

Step = Callable[["UnitOfWork", str, datetime], "CaseView"]


def _stdin_text() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("stdin is not UTF-8 text") from None


def read_refs(
    args: list[str], stdin_text: Callable[[], str] = _stdin_text
) -> tuple[list[str], dict[str, int]]:
    """The references to act on, each once, in the order given, and the version of each case
    the caller read, where it says.

    `-` reads stdin: one reference per line (blank lines and # comments skipped), or JSON — a
    list of references, or of objects with a "ref" (as show, queue and overdue --json print;
    items without a case, such as restriction reviews, are skipped). An object's "version"
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
                raise InvalidInput(f"stdin is not valid JSON: {err.msg}") from None
            items = data if isinstance(data, list) else [data]
            args = []
            for item in items:
                ref = item.get("ref", ...) if isinstance(item, dict) else item
                if ref is None:  # an item with no case, such as a restriction review
                    continue
                if not isinstance(ref, str):
                    raise InvalidInput(
                        'stdin JSON must be a list of references, or of objects with a "ref"'
                    )
                args.append(ref)
                version = item.get("version") if isinstance(item, dict) else None
                if version is not None:
                    if isinstance(version, bool) or not isinstance(version, int):
                        raise InvalidInput(f'the "version" of {ref} must be a whole number')
                    seen[ref.strip().upper()] = version
        else:
            args = [line.split("#")[0].strip() for line in text.splitlines()]
    elif "-" in args:
        raise InvalidInput("- reads references from stdin; give it alone")
    return list(dict.fromkeys(ref.strip().upper() for ref in args if ref.strip())), seen


def run(
    ctx: typer.Context,
    refs: list[str],
    step: Step,
    at: str | None,
    *,
    dry_run: bool,
    continue_on_error: bool,
    json_output: bool,
    message: Callable[[CaseView], str],
    kinds: tuple[str, ...] = (),
    if_version: int | None = None,
) -> None:
    """Take `step` on one case (refusals keep their own exit code), or on several at once.

    `if_version`: the version of the one case the caller read; the step is refused if the
    case has moved on since (JSON on stdin carries a version for each case instead).
    """
    from complaintctl.cli import render
    from complaintctl.services.bulk import apply_each

    state = current_state(ctx)
    one = refs != ["-"] and len(refs) == 1
    if if_version is not None and not one:
        raise InvalidInput(
            "--if-version goes with one reference; for several, pipe the JSON of show, queue "
            "or overdue, which carries each case's version"
        )
    if one and not dry_run:

        def step_on_one(uow: UnitOfWork, when: datetime) -> CaseView:
            if if_version is not None:
                uow.seen_versions[refs[0].strip().upper()] = if_version
            return step(uow, refs[0], when)

        view = state.change(step_on_one, at)
        render.stepped(view, json_output, message(view), *kinds)
        return
    wanted, seen = read_refs(refs)
    if if_version is not None:
        seen = dict.fromkeys(wanted, if_version)
    if not wanted:  # e.g. `overdue --json | ack -` on a morning with nothing overdue
        render.note("No case references on stdin: nothing to do")
        return

    def each(uow: UnitOfWork, when: datetime) -> BulkResult:
        uow.seen_versions.update(seen)
        return apply_each(
            uow,
            wanted,
            lambda unit, ref: step(unit, ref, when),
            continue_on_error=continue_on_error,
            dry_run=dry_run,
        )

    result = state.change(each, at)
    render.bulk(result, json_output, message)
    if result.refused:
        raise typer.Exit(EXIT_BULK_PARTIAL if result.applied else EXIT_BULK_REFUSED)
