"""Options several commands share, written once."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer._types import TyperChoice

from complaintctl.cli import completion
from complaintctl.config import ended_stage_problem
from complaintctl.domain.clocks import CASE_CLOCKS, STAFF_CLOCKS, DeadlineKind
from complaintctl.domain.procedure import ENDED_STAGES, Category, Stage
from complaintctl.errors import InvalidInput
from complaintctl.text import quoted

LARGEST = 2**63 - 1  # the largest whole number a store keeps


def whole_number(low: int, high: int = LARGEST) -> Callable[[str], int]:
    """A parser for an option or argument that takes a whole number from `low` to `high`,
    written in the digits 0-9 only: Python's int() would also read other scripts' digits
    (٣), which no one means to type here."""

    def whole_number(text: str) -> int:
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise typer.BadParameter(f"{quoted(digits)} is not a whole number written in 0-9")
        significant = digits.lstrip("0") or "0"
        if len(significant) > 40:  # said back cut short; int() refuses over 4,300 digits
            raise typer.BadParameter(f"{quoted(digits)} is too large")
        value = int(significant)
        if high == LARGEST and value < low:
            raise typer.BadParameter(f"{value} is less than {low}")
        if high == LARGEST and value > high:
            raise typer.BadParameter(f"{value} is too large")
        if not low <= value <= high:
            raise typer.BadParameter(f"{value} is not from {low} to {high}")
        return value

    return whole_number


# The kinds of deadline an option takes, from the domain's table of clocks (Typer reads a
# choice from an enum): those staff owe (overdue --kind), and those a case has (explain KIND:
# its own clocks and its actions' dues).
StaffDeadline = StrEnum("StaffDeadline", [(kind.name, kind.value) for kind in STAFF_CLOCKS])  # type: ignore[misc]
_EXPLAINED = (*CASE_CLOCKS, DeadlineKind.ACTION)
CaseDeadline = StrEnum("CaseDeadline", [(kind.name, kind.value) for kind in _EXPLAINED])  # type: ignore[misc]
# The stages the queue can list: a case closed or assessed is never in it.
OpenStage = StrEnum("OpenStage", [(s.name, s.value) for s in Stage if s not in ENDED_STAGES])  # type: ignore[misc]


class _ChoiceSayingWhy(TyperChoice[str]):
    """A choice whose values left out for a reason README gives (`queue --stage closed`,
    `overdue --kind referral-window`) are refused saying it, exit 2, rather than as a value
    that is not one of those listed. `why` is given the value typed, and says why or None."""

    def __init__(self, choices: Any, option: str, why: Callable[[str], str | None]) -> None:
        super().__init__(choices)
        self.option, self.why = option, why

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and (problem := self.why(value)):
            raise InvalidInput(f"{self.option} {problem}")
        return super().convert(value, param, ctx)


def _not_staffs(kind: str) -> str | None:
    """Why overdue lists no clock of `kind`: the referral window is the consumer's."""
    if kind.strip().lower() != DeadlineKind.REFERRAL_WINDOW.value:
        return None
    return (
        f"{DeadlineKind.REFERRAL_WINDOW.value}: the referral window is the consumer's, not a "
        "deadline staff can breach, so overdue never lists it; "
        f"`explain REF {DeadlineKind.REFERRAL_WINDOW.value}` gives one"
    )


STAFF_KIND = _ChoiceSayingWhy([kind.value for kind in StaffDeadline], "--kind", _not_staffs)


def date_given(param: typer.CallbackParam, value: str | None) -> str | None:
    """The callback of every option (or argument) that takes a date (DATE) or an instant
    (DATETIME): an empty value (`--from "$FROM"` with FROM not set) is refused as the
    command line is read, never taken as the option not given, nor read as a date."""
    from complaintctl.errors import InvalidInput

    if value is None or value.strip():
        return value
    name = param.opts[0] if param.param_type_name == "option" else f"the {param.metavar} argument"
    if param.metavar == "DATE":
        raise InvalidInput(f"{name} needs a date, as YYYY-MM-DD: it was given empty")
    raise InvalidInput(
        f"{name} needs a date and time, as ISO 8601 (e.g. 2026-11-27T14:30): it was given empty"
    )


At = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="DATETIME",
        callback=date_given,
        help="When it happened (ISO 8601; local time unless an offset is given) [default: now].",
        show_default=False,
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATETIME",
        callback=date_given,
        help="Judge deadlines as of this instant (ISO 8601) [default: now].",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (stable field names).")]
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        metavar="N",
        parser=whole_number(0),
        help="Show the first N; 0 for all [default: a screenful at a terminal, all when piped].",
        show_default=False,
    ),
]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]
Ref = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="The case reference, e.g. SC-2026-000001.",
        autocompletion=completion.case_refs,
    ),
]
Refs = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Case references, or - to read them from stdin (one per line, or the JSON of "
        "show, queue or overdue --json; a case whose version moved on since is refused).",
        autocompletion=completion.case_refs,
    ),
]
# A step that checks no version (a note, an incident: they change nothing a reader decided on).
UnversionedRefs = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Case references, or - to read them from stdin (one per line, or the JSON of "
        "show, queue or overdue --json).",
        autocompletion=completion.case_refs,
    ),
]
ClosedRefs = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Closed cases' references, or - to read them from stdin (one per line, or JSON "
        "with a ref per case, as show --json prints).",
        autocompletion=completion.closed_case_refs,
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Say what would happen to each case; write nothing.")
]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        metavar="N",
        parser=whole_number(0),
        help="With one case: act only if it is still at version N (as show or queue --json "
        "gave it); if someone else has stepped in since, nothing is written (exit 11; with "
        "--dry-run it is listed as refused, exit 9).",
        show_default=False,
    ),
]
# `edit`, of one case and with no dry run.
IfVersionOfCase = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        metavar="N",
        parser=whole_number(0),
        help="Act only if the case is still at version N (as show or queue --json gave it); if "
        "someone else has stepped in since, nothing is written (exit 11).",
        show_default=False,
    ),
]
ContinueOnError = Annotated[
    bool,
    typer.Option(
        "--continue-on-error",
        help="With several cases: apply the action to those that can take it, list the rest "
        "(by default one refusal means no case is changed).",
    ),
]

# Which cases a listing takes (queue, export).
Stages = Annotated[
    list[Stage] | None,
    typer.Option("--stage", help="Only cases at this stage; repeat for several."),
]
OpenStages = Annotated[
    list[OpenStage] | None,
    typer.Option(
        "--stage",
        help="Only cases at this stage; repeat for several.",
        click_type=_ChoiceSayingWhy(
            [stage.value for stage in OpenStage], "--stage", ended_stage_problem
        ),
    ),
]
Area = Annotated[
    str | None,
    typer.Option("--area", help="Only cases routed to this area.", autocompletion=completion.areas),
]
Owner = Annotated[
    str | None,
    typer.Option(
        "--owner",
        metavar="USERNAME",
        help="Only cases this person owns.",
        autocompletion=completion.usernames,
    ),
]
Mine = Annotated[bool, typer.Option("--mine", help="Only cases you own (--as).")]
Unassigned = Annotated[bool, typer.Option("--unassigned", help="Only cases nobody owns yet.")]
CategoryFilter = Annotated[Category | None, typer.Option("--category", help="Only this category.")]
Board = Annotated[
    bool | None,
    typer.Option("--board/--not-board", help="Only (or no) Board-addressed complaints."),
]


def owner_filter(actor: str, owner: str | None, mine: bool) -> str | None:
    """The owner a listing keeps to: --owner, or with --mine the acting person."""
    from complaintctl.errors import InvalidInput

    if mine and owner is not None:
        raise InvalidInput("--mine and --owner are the same filter: give one")
    return actor if mine else owner


# The calendar an organisation keeps (`calendar set`, `db init`).
Zone = Annotated[
    str | None,
    typer.Option(
        "--zone",
        metavar="ZONE",
        help="The time zone opening hours are in: an IANA name, e.g. Europe/London.",
    ),
]
Hours = Annotated[
    str | None,
    typer.Option(
        "--hours",
        metavar="WEEK",
        help="Opening hours, e.g. 'Mon-Thu 09:00-17:00; Fri 09:00-16:30' or "
        "'Mon-Fri 09:00-12:30, 13:30-17:00'; days not named are closed.",
    ),
]
Region = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="REGION",
        help="Whose bank holidays close the office: a country code with a subdivision where "
        "it has its own, e.g. GB-ENG, GB-SCT, GB-NIR, IE (three-letter codes too: GBR-SCT).",
    ),
]
