"""Steps on many cases at once: references from the arguments or stdin, all or nothing.

Four complaints: three received early in December (their acknowledgements overdue on the 15th)
and one received that morning.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from tests.cli.conftest import Run
from tests.cli.journey import recorded_at
from tests.conftest import UnitFactory

pytestmark = pytest.mark.usefixtures("frozen")

A, B, C, D = (f"SC-2026-00000{n}" for n in range(1, 5))
MISSING = "SC-2026-000099"


@pytest.fixture
def frozen() -> Any:
    with freeze_time("2026-12-15 12:00:00"):
        yield


@pytest.fixture(autouse=True)
def cases(unit: UnitFactory, frozen: Any) -> None:
    """Logged through the service (quicker than the command line; `log` has its own tests)."""
    now = datetime.now(UTC)
    for n, day in enumerate((1, 2, 3, 15), 1):
        with unit() as uow:
            services.log_complaint(
                uow,
                complaint=services.NewComplaint(
                    consumer=f"Person {n}",
                    email=f"p{n}@example.com",
                    channel=Channel.EMAIL,
                    category=Category.DELAY,
                    summary=f"Complaint {n}",
                ),
                by="officer.one",
                at=datetime(2026, 12, day, 10, 0, tzinfo=UTC),
                now=now,
            )


def show(run: Run, ref: str) -> dict[str, Any]:
    result = run("show", ref, "--json")
    assert 0 == result.exit_code, result.stderr
    case: dict[str, Any] = json.loads(result.stdout)
    return case


def stages(run: Run, *refs: str) -> list[tuple[str, str, str | None]]:
    """(ref, stage, area) of each case, from one export."""
    result = run("export", "--format", "jsonl")
    assert 0 == result.exit_code, result.stderr
    found = {
        r["ref"]: (r["ref"], r["stage"], r["area"])
        for r in map(json.loads, result.stdout.splitlines())
    }
    return [found[ref] for ref in refs]


def ack_one(run: Run, ref: str) -> None:
    result = run("ack", ref, "--area", "Casework", "--at", "2026-12-14T10:00")
    assert 0 == result.exit_code, result.stderr


# -- all or nothing ----------------------------------------------------------------------------


def test_one_bad_reference_refuses_the_whole_batch_and_changes_nothing(run: Run) -> None:
    before = [show(run, ref) for ref in (A, B)]

    result = run("ack", A, B, MISSING, "--area", "Casework")

    assert (
        9,
        [
            f"(not written) Acknowledged {A}, routed to Casework",
            f"(not written) Acknowledged {B}, routed to Casework",
        ],
        [
            f"{MISSING}: no case {MISSING}",
            "Error: 1 of 3 cases refused, so no case was changed; use --continue-on-error to "
            "change the others",
        ],
    ) == (result.exit_code, result.stdout.splitlines(), result.stderr.splitlines())
    assert before == [show(run, ref) for ref in (A, B)]


def test_every_refusal_is_listed_with_its_reason(run: Run) -> None:
    ack_one(run, C)

    result = run("ack", A, C, MISSING, "--area", "Casework")

    refusals = result.stderr.splitlines()
    assert (9, 3) == (result.exit_code, len(refusals))
    assert (True, f"{MISSING}: no case {MISSING}") == (
        refusals[0].startswith(f"{C}: ") and "first-stage" in refusals[0],
        refusals[1],
    )
    assert [(A, "received", None), (C, "first-stage", "Casework")] == stages(run, A, C)


def test_continue_on_error_acknowledges_the_good_ones_and_exits_10(run: Run) -> None:
    result = run("ack", A, MISSING, B, "--area", "Casework", "--continue-on-error")

    assert (
        10,
        [
            f"Acknowledged {A}, routed to Casework",
            f"Acknowledged {B}, routed to Casework",
        ],
        [
            f"{MISSING}: no case {MISSING}",
            "Error: 1 of 3 cases refused; the others were changed",
        ],
    ) == (result.exit_code, result.stdout.splitlines(), result.stderr.splitlines())
    assert [(A, "first-stage", "Casework"), (B, "first-stage", "Casework")] == stages(run, A, B)


def test_continue_on_error_with_nothing_refused_exits_0(run: Run) -> None:
    result = run("ack", A, B, "--area", "Casework", "--continue-on-error")

    assert (0, "") == (result.exit_code, result.stderr)


def test_continue_on_error_when_every_case_is_refused_changes_nothing_and_exits_9(
    run: Run,
) -> None:
    result = run("ack", MISSING, "SC-2026-000098", "--area", "Casework", "--continue-on-error")

    assert (9, "") == (result.exit_code, result.stdout)


def test_a_dry_run_says_what_would_happen_and_writes_nothing(run: Run) -> None:
    before = [show(run, ref) for ref in (A, B, C)]

    result = run("ack", A, B, C, "--area", "Casework", "--dry-run")

    assert (
        0,
        [
            f"(not written) Acknowledged {A}, routed to Casework",
            f"(not written) Acknowledged {B}, routed to Casework",
            f"(not written) Acknowledged {C}, routed to Casework",
        ],
        "Dry run: all 3 cases can take it; nothing was written\n",
    ) == (result.exit_code, result.stdout.splitlines(), result.stderr)
    assert before == [show(run, ref) for ref in (A, B, C)]


def test_a_dry_run_of_one_case_writes_nothing(run: Run) -> None:
    result = run("ack", A, "--area", "Casework", "--dry-run")

    assert (0, f"(not written) Acknowledged {A}, routed to Casework\n") == (
        result.exit_code,
        result.stdout,
    )
    assert [(A, "received", None)] == stages(run, A)
    assert "Dry run: the case can take it; nothing was written\n" == result.stderr


def test_a_dry_run_with_a_refusal_exits_9_without_suggesting_continue_on_error(
    run: Run,
) -> None:
    result = run("ack", A, MISSING, "--area", "Casework", "--dry-run")

    assert (9, "Error: 1 of 2 cases refused, so no case was changed") == (
        result.exit_code,
        result.stderr.splitlines()[-1],
    )


def test_a_dry_run_with_continue_on_error_and_a_refusal_exits_9_as_nothing_was_changed(
    run: Run,
) -> None:
    result = run("ack", A, MISSING, "--area", "Casework", "--dry-run", "--continue-on-error")

    assert 9 == result.exit_code, result.stderr
    assert [(A, "received", None)] == stages(run, A)


def test_the_count_of_cases_refused_is_worded_for_one_case_and_for_one_other(run: Run) -> None:
    one = run("ack", MISSING, "--area", "Casework", "--dry-run")
    other = run("ack", A, MISSING, "--area", "Casework", "--continue-on-error")

    assert (9, "Error: 1 of 1 case refused, so no case was changed") == (
        one.exit_code,
        one.stderr.splitlines()[-1],
    )
    assert (10, "Error: 1 of 2 cases refused; the other was changed") == (
        other.exit_code,
        other.stderr.splitlines()[-1],
    )


def test_json_output_lists_the_cases_done_and_those_refused(run: Run) -> None:
    result = run("ack", A, MISSING, "--area", "Casework", "--json")

    report = json.loads(result.stdout)
    assert (
        9,
        2,
        False,
        False,
        [A],
        ["first-stage"],
        [{"ref": MISSING, "error": f"no case {MISSING}", "exit_code": 4}],
    ) == (
        result.exit_code,
        report["schema_version"],
        report["applied"],
        report["dry_run"],
        [case["ref"] for case in report["done"]],
        [case["stage"] for case in report["done"]],
        report["refused"],
    )


def test_json_output_of_a_batch_that_was_applied(run: Run) -> None:
    result = run("ack", A, B, "--area", "Casework", "--json")

    report = json.loads(result.stdout)
    assert (0, True, [A, B], []) == (
        result.exit_code,
        report["applied"],
        [case["ref"] for case in report["done"]],
        report["refused"],
    )


def test_a_step_on_one_case_prints_the_shape_a_step_on_many_prints(run: Run) -> None:
    one = json.loads(run("ack", A, "--area", "Casework", "--json").stdout)
    dry = json.loads(
        run(
            "--as", "lee.leader", "assign", A, "--to", "rita.responder", "--dry-run", "--json"
        ).stdout
    )

    assert [(2, True, False, [A], []), (2, False, True, [A], [])] == [
        (
            report["schema_version"],
            report["applied"],
            report["dry_run"],
            [case["ref"] for case in report["done"]],
            report["refused"],
        )
        for report in (one, dry)
    ]


def test_a_steps_json_piped_into_the_next_step_takes_it_on_the_same_cases(run: Run) -> None:
    acked = run("ack", A, B, "--area", "Casework", "--json").stdout

    result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", input=acked)

    assert (0, ["rita.responder", "rita.responder"]) == (
        result.exit_code,
        [show(run, ref)["responder"] for ref in (A, B)],
    )


@pytest.mark.parametrize("unwritten", [[A, "--dry-run"], [A, MISSING]])
def test_the_json_of_a_step_that_wrote_nothing_did_no_case_to_take_the_next_step_on(
    run: Run, unwritten: list[str]
) -> None:
    """A dry run's cases, or a refused batch's, are as they would have been: read as cases
    the step did, each seemed to have gone back a version ("version 1, now 0")."""
    report = run("ack", *unwritten, "--area", "Casework", "--json").stdout
    assert [A] == [case["ref"] for case in json.loads(report)["done"]]

    result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", input=report)

    assert (0, "No case references on stdin: nothing to do\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [(A, "received", None)] == stages(run, A)


@pytest.mark.parametrize("applied", ['"no"', "0", "null"])
def test_a_steps_json_whose_applied_is_not_true_or_false_is_refused_not_guessed(
    run: Run, applied: str
) -> None:
    # "no" would read as applied, and the next step would be taken on cases never done.
    text = f'{{"done": [{{"ref": "{A}"}}], "refused": [], "applied": {applied}}}'

    result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", input=text)

    assert (2, f'Error: stdin\'s "applied" must be true or false, as a step\'s --json writes '
            f"it, not {applied}\n") == (result.exit_code, result.stderr)  # fmt: skip
    assert [(A, "received", None)] == stages(run, A)


# -- references from stdin ---------------------------------------------------------------------


def test_overdue_json_piped_into_ack_acknowledges_every_overdue_case(run: Run) -> None:
    overdue = run("overdue", "--kind", "acknowledge", "--json")
    assert [A, B, C] == sorted(item["ref"] for item in json.loads(overdue.stdout))

    result = run("ack", "-", "--area", "Casework", input=overdue.stdout)

    assert (0, 3) == (result.exit_code, len(result.stdout.splitlines())), result.stderr
    assert [
        (A, "first-stage", "Casework"),
        (B, "first-stage", "Casework"),
        (C, "first-stage", "Casework"),
        (D, "received", None),
    ] == stages(run, A, B, C, D)
    assert [] == json.loads(run("overdue", "--kind", "acknowledge", "--json").stdout)


def test_the_piped_flow_run_again_the_next_morning_finds_nothing_to_do(run: Run) -> None:
    run("ack", "-", "--area", "Casework", input=run("overdue", "--json").stdout)
    overdue = run("overdue", "--kind", "acknowledge", "--json")

    result = run("ack", "-", "--area", "Casework", input=overdue.stdout)

    assert (0, "", "No case references on stdin: nothing to do\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )


def test_queue_json_piped_into_assign_assigns_every_case_listed(run: Run) -> None:
    run("ack", A, B, C, "--area", "Casework", "--at", "2026-12-14T10:00")
    queue = run("queue", "--area", "Casework", "--unassigned", "--json")

    result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", input=queue.stdout)

    assert 0 == result.exit_code, result.stderr
    assert ["rita.responder"] * 3 == [show(run, ref)["responder"] for ref in (A, B, C)]


def test_plain_lines_on_stdin_skip_blank_lines_and_comments(run: Run) -> None:
    text = f"# this morning's mailbox\n{A}\n\n   \n{B}   # from Person 2\n  {C.lower()}\n#{D}\n"

    result = run("ack", "-", "--area", "Casework", input=text)

    assert 0 == result.exit_code, result.stderr
    assert [
        (A, "first-stage", "Casework"),
        (B, "first-stage", "Casework"),
        (C, "first-stage", "Casework"),
        (D, "received", None),
    ] == stages(run, A, B, C, D)


@pytest.mark.parametrize("listing", [["overdue"], ["queue"], ["find", "Person"]])
def test_a_listing_piped_as_plain_lines_is_read_by_its_first_field(
    run: Run, listing: list[str]
) -> None:
    """`overdue | ack -`: each tab-separated line is read by its reference, as `cut -f1`."""
    lines = run(*listing).stdout
    assert "\t" in lines
    assert "Person 1" in lines

    result = run("ack", "-", "--area", "Casework", input=lines)

    assert 0 == result.exit_code, result.stderr
    assert [(ref, "first-stage", "Casework") for ref in (A, B, C)] == stages(run, A, B, C)


def test_overdue_lines_without_a_case_are_skipped_as_their_json_items_are(run: Run) -> None:
    """`overdue | ack -` with a subject-access request overdue: its line (`subject access 1`)
    has no case to act on, as its item in the JSON has none."""
    opened = run("sar", "open", "--email", "p1@example.com", "--received", "2026-10-01T10:00")
    assert 0 == opened.exit_code, opened.stderr
    lines = run("overdue").stdout
    assert "subject access 1\t" in lines

    result = run("ack", "-", "--area", "Casework", input=lines)

    assert 0 == result.exit_code, result.stderr
    assert [(ref, "first-stage", "Casework") for ref in (A, B, C)] == stages(run, A, B, C)


@pytest.mark.parametrize("listing", [["overdue", "--csv"], ["queue", "--csv"], ["export"]])
def test_csv_piped_is_read_by_its_ref_column_not_refused_on_its_header(
    run: Run, listing: list[str]
) -> None:
    """`queue --csv | ack -`: the header names the columns, and each row is read by its ref."""
    rows = run(*listing).stdout
    assert "ref," in rows.splitlines()[0] or ",ref," in rows.splitlines()[0]

    result = run("ack", "-", "--area", "Casework", input=rows)

    assert 0 == result.exit_code, result.stderr
    assert [(ref, "first-stage", "Casework") for ref in (A, B, C)] == stages(run, A, B, C)


@pytest.mark.parametrize(
    "header", ["ref", "Ref", '"ref"', "Consumer, REF ", '"Ref","consumer"'], ids=repr
)
def test_a_csv_header_names_its_ref_column_as_import_reads_a_header(run: Run, header: str) -> None:
    """A spreadsheet's `Ref`, R's quoted `"ref"`, a column of references alone: CSV read by its
    ref column, as import matches a header (any case, spaces around it aside)."""
    names = [name.strip().strip('"').strip().lower() for name in header.split(",")]
    rows = "".join(
        ",".join(ref if name == "ref" else "x" for name in names) + "\n" for ref in (A, B, C)
    )

    result = run("ack", "-", "--area", "Casework", input=f"{header}\n{rows}")

    assert 0 == result.exit_code, result.stderr
    assert [(ref, "first-stage", "Casework") for ref in (A, B, C)] == stages(run, A, B, C)


@pytest.mark.parametrize("header", ["Ref;consumer", '"consumer";"ref"', "consumer; REF"], ids=repr)
def test_a_semicolon_csv_is_read_by_its_ref_column_as_import_tells_its_delimiter(
    run: Run, header: str
) -> None:
    """`queue --csv` saved again by a spreadsheet set up for Europe: semicolons, Windows line
    ends, a consumer's name holding a comma."""
    names = [name.strip().strip('"').strip().lower() for name in header.split(";")]
    rows = "".join(
        ";".join(ref if name == "ref" else '"Smith, Ann"' for name in names) + "\r\n"
        for ref in (A, B, C)
    )

    result = run("ack", "-", "--area", "Casework", input=f"\ufeff{header}\r\n{rows}\r\n")

    assert 0 == result.exit_code, result.stderr
    assert [(ref, "first-stage", "Casework") for ref in (A, B, C)] == stages(run, A, B, C)


@pytest.mark.parametrize("before", ["", "\n\r\n"])
def test_a_csv_row_whose_ref_is_no_reference_is_refused_by_its_line(run: Run, before: str) -> None:
    text = f"{before}ref,consumer\n{A},x\nnope,y\n"

    result = run("ack", "-", "--area", "Casework", input=text)

    line = 3 + before.count("\n")
    assert (
        2,
        f"Error: line {line} of stdin: 'nope' is not a case reference (they look like"
        " SC-2026-000001)\n",
    ) == (result.exit_code, result.stderr)
    assert [(A, "received", None)] == stages(run, A)


def test_a_line_that_is_no_reference_is_refused_by_its_number_and_first_field(
    run: Run,
) -> None:
    text = f"{A}\tPerson 1\n\n#{B}\nnot-a-ref\x1b[31m\tMrs Secret Name\tdue\n{C}\n"

    result = run("ack", "-", "--area", "Casework", input=text)

    assert (
        2,
        "",
        "Error: line 4 of stdin: 'not-a-ref\\x1b[31m' is not a case reference (they look"
        " like SC-2026-000001)\n",
    ) == (result.exit_code, result.stdout, result.stderr)
    assert [(A, "received", None), (C, "received", None)] == stages(run, A, C)


def test_a_long_line_that_is_no_reference_is_quoted_short(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input="x" * 100_000 + "\n")

    assert (2, True) == (result.exit_code, len(result.stderr) < 200), result.stderr
    assert result.stderr.startswith("Error: line 1 of stdin: 'xxxx")


def test_a_line_longer_than_a_csv_field_may_be_is_refused_by_its_number_not_a_traceback(
    run: Run,
) -> None:
    result = run("ack", "-", "--area", "Casework", input=A + "x" * 2_000_000 + "\n")

    assert (2, True) == (result.exit_code, len(result.stderr) < 200), result.stderr
    assert result.stderr.startswith(f"Error: line 1 of stdin: '{A}xxx")


def test_a_csv_row_with_a_field_too_long_to_read_is_refused_by_its_line(run: Run) -> None:
    text = f"ref,summary\n{A},short\n{B},{'y' * 2_000_000}\n"

    result = run("ack", "-", "--area", "Casework", input=text)

    assert (2, "Error: line 3 of stdin: a field is longer than 1,000,000 characters\n") == (
        result.exit_code, result.stderr
    )  # fmt: skip
    assert [(A, "received", None)] == stages(run, A)


def test_a_csv_header_whose_quote_is_never_closed_is_read_as_its_line_alone(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input=f'"ref\n{A}\n{B}\n')

    assert 0 == result.exit_code, result.stderr
    assert [(A, "first-stage", "Casework"), (B, "first-stage", "Casework")] == stages(run, A, B)


def test_a_line_with_more_than_a_reference_is_refused_without_quoting_the_rest(
    run: Run,
) -> None:
    result = run("ack", "-", "--area", "Casework", input=f"{A}\n{B} Mrs Secret Name\n")

    assert (
        2,
        f"Error: line 2 of stdin: {B!r} is followed by 3 more words; give one reference a"
        " line, or tab-separated fields with the reference first\n",
    ) == (result.exit_code, result.stderr)
    assert [(A, "received", None), (B, "received", None)] == stages(run, A, B)


def test_a_line_whose_first_field_is_empty_is_refused_not_skipped(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input=f"\t{A}\tPerson 1\n")

    assert (2, "Error: line 1 of stdin: no reference in its first field\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [(A, "received", None)] == stages(run, A)


def test_a_dry_run_of_one_case_from_stdin_says_so_in_the_singular(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", "--dry-run", input=f"{A}\n")

    assert (0, "Dry run: the case can take it; nothing was written\n") == (
        result.exit_code,
        result.stderr,
    )


def test_stdin_that_is_not_utf8_is_refused_naming_the_line(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input=f"{A}\n\nRen\u00e9e\n".encode("latin-1"))

    assert (2, "Error: stdin is not UTF-8 text (line 3, byte 0xe9)\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [(A, "received", None)] == stages(run, A)


def test_stdin_past_the_limit_is_refused_once_that_much_is_read(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `ack - < /dev/zero` would be: read up to the limit, not into memory without end."""
    from complaintctl.cli import bulk

    monkeypatch.setattr(bulk, "STDIN_LIMIT", 100)
    result = run("ack", "-", "--area", "Casework", input=f"{A}\n" * 7)

    assert (
        2,
        "",
        "Error: stdin holds more than 100 bytes: give the references in smaller batches (one a "
        "line is the shortest way to write them)\n",
    ) == (result.exit_code, result.stdout, result.stderr)
    assert [(A, "received", None)] == stages(run, A)
    assert 0 == run("ack", "-", "--area", "Casework", input=f"{A}\n" * 6).exit_code


def test_a_json_item_that_is_no_reference_is_refused_by_its_number_quoted_short(
    run: Run,
) -> None:
    text = json.dumps([{"ref": A}, {"ref": "\x1b]0;x" + "y" * 100_000, "version": "1"}])

    result = run("ack", "-", "--area", "Casework", input=text)

    assert (
        2,
        "",
        "Error: item 2 of stdin JSON: '\\x1b]0;x" + "y" * 35 + "…' is not a case reference"
        " (they look like SC-2026-000001)\n",
    ) == (result.exit_code, result.stdout, result.stderr)
    assert [(A, "received", None)] == stages(run, A)


@pytest.mark.parametrize("text", [f'"{A}"', "null", "true", "12", f'  "{A}"\n'])
def test_json_on_stdin_that_is_not_a_list_or_object_is_refused_saying_what_is_read(
    run: Run, text: str
) -> None:
    result = run("ack", "-", "--area", "Casework", input=text)

    assert (2, "", 1) == (result.exit_code, result.stdout, len(result.stderr.splitlines()))
    assert result.stderr.startswith(
        'Error: stdin JSON must be a list of references, or of objects with a "ref"'
    )
    assert [(A, "received", None)] == stages(run, A)


def test_a_json_list_of_references_on_stdin_is_read(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input=json.dumps([A, B]))

    assert (0, [(A, "first-stage", "Casework"), (B, "first-stage", "Casework")]) == (
        result.exit_code,
        stages(run, A, B),
    )


@pytest.mark.parametrize("text", ["[not json", '{"ref": ', f'[{{"ref": "{A}"}},]'])
def test_stdin_that_looks_like_json_but_is_not_valid_is_refused(run: Run, text: str) -> None:
    result = run("ack", "-", "--area", "Casework", input=text)

    assert (2, True) == (
        result.exit_code,
        result.stderr.startswith("Error: stdin is not valid JSON: "),
    )
    assert [(A, "received", None)] == stages(run, A)


def test_json_lines_on_stdin_are_refused_saying_one_json_document_is_read(run: Run) -> None:
    lines = run("export", "--format", "jsonl").stdout

    result = run("ack", "-", "--area", "Casework", input=lines)

    assert (
        2,
        "Error: stdin is not valid JSON: Extra data (line 2); a step reads one JSON document"
        " (as show, queue and overdue --json print), not JSON Lines\n",
    ) == (result.exit_code, result.stderr)
    assert [(A, "received", None)] == stages(run, A)


def test_invalid_json_on_stdin_is_refused_by_its_line_counting_blank_lines_before_it(
    run: Run,
) -> None:
    result = run("ack", "-", "--area", "Casework", input=f'\n\n  \n[\n"{A}",\n]\n')

    assert (2, "Error: stdin is not valid JSON: Expecting value (line 6)\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [(A, "received", None)] == stages(run, A)


@pytest.mark.parametrize("refs", [["-", A], [A, "-"]])
def test_a_dash_with_other_references_is_refused(run: Run, refs: list[str]) -> None:
    result = run("ack", *refs, "--area", "Casework", input=f"{B}\n")

    assert (2, "Error: - reads references from stdin; give it alone\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [(A, "received", None), (B, "received", None)] == stages(run, A, B)


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing today\n", "[]"])
def test_nothing_on_stdin_does_nothing_and_exits_0(run: Run, text: str) -> None:
    result = run("ack", "-", "--area", "Casework", input=text)

    assert (0, "", "No case references on stdin: nothing to do\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_nothing_on_stdin_with_json_still_prints_the_step_json(
    run: Run, dry_run: list[str]
) -> None:
    """`overdue --json | ack - --json | jq …` on a morning with nothing overdue: the script
    reading stdout still gets the step's JSON, of no cases."""
    result = run("ack", "-", "--area", "Casework", "--json", *dry_run, input="[]")

    assert (0, "No case references on stdin: nothing to do\n") == (
        result.exit_code,
        result.stderr,
    )
    assert {
        "schema_version": 2,
        "applied": not dry_run,
        "dry_run": bool(dry_run),
        "done": [],
        "refused": [],
    } == json.loads(result.stdout)


def test_a_reference_given_twice_is_acted_on_once(run: Run) -> None:
    result = run("ack", A, B, A, A.lower(), "--area", "Casework")

    assert (
        0,
        [f"Acknowledged {A}, routed to Casework", f"Acknowledged {B}, routed to Casework"],
    ) == (result.exit_code, result.stdout.splitlines())
    acks = [e for e in show(run, A)["history"] if e["action"] == "acknowledge"]
    assert 1 == len(acks)


def test_a_reference_repeated_on_stdin_is_acted_on_once(run: Run) -> None:
    result = run("ack", "-", "--area", "Casework", input=f"{A}\n{A}\n{B}\n")

    assert (0, 2) == (result.exit_code, len(result.stdout.splitlines())), result.stderr


# -- one reference keeps its own exit code -----------------------------------------------------


def test_acknowledging_one_case_twice_exits_5_not_9(run: Run) -> None:
    ack_one(run, A)

    result = run("ack", A, "--area", "Casework")

    assert (5, 1, True) == (
        result.exit_code,
        len(result.stderr.splitlines()),
        result.stderr.startswith("Error: "),
    )


def test_one_unknown_reference_exits_4_not_9(run: Run) -> None:
    result = run("ack", MISSING, "--area", "Casework")

    assert (4, f"Error: no case {MISSING}\n") == (result.exit_code, result.stderr)


def test_one_reference_from_stdin_is_a_batch(run: Run) -> None:
    ack_one(run, A)

    result = run("ack", "-", "--area", "Casework", input=f"{A}\n")

    assert 9 == result.exit_code


# -- other steps in bulk -----------------------------------------------------------------------


def test_close_in_bulk_closes_every_case(run: Run) -> None:
    result = run("close", A, B, "--reason", "withdrawn", "--note", "Withdrawn by phone")

    assert (0, [f"Closed {A}: withdrawn", f"Closed {B}: withdrawn"]) == (
        result.exit_code,
        result.stdout.splitlines(),
    )
    assert [("closed", "withdrawn"), ("closed", "withdrawn"), ("received", None)] == [
        (show(run, ref)["stage"], show(run, ref)["close_reason"]) for ref in (A, B, C)
    ]


def test_close_in_bulk_is_all_or_nothing(run: Run) -> None:
    run("close", C, "--reason", "withdrawn")

    result = run("close", A, B, C, "--reason", "withdrawn")

    assert (9, ["received", "received", "closed"]) == (
        result.exit_code,
        [show(run, ref)["stage"] for ref in (A, B, C)],
    )


def test_assign_in_bulk_assigns_every_case(run: Run) -> None:
    run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")

    result = run("--as", "lee.leader", "assign", A, B, "--to", "ruth.responder")

    assert (
        0,
        [f"Assigned {A} to ruth.responder", f"Assigned {B} to ruth.responder"],
        ["ruth.responder", "ruth.responder"],
    ) == (
        result.exit_code,
        result.stdout.splitlines(),
        [show(run, ref)["responder"] for ref in (A, B)],
    )


def test_assign_in_bulk_refused_for_one_case_assigns_none(run: Run) -> None:
    run("ack", A, "--area", "Casework", "--at", "2026-12-14T10:00")
    run("ack", B, "--area", "Energy", "--at", "2026-12-14T10:00")

    result = run("--as", "lee.leader", "assign", A, B, "--to", "rita.responder")

    assert (9, [None, None]) == (
        result.exit_code,
        [show(run, ref)["responder"] for ref in (A, B)],
    )
    assert result.stderr.startswith(f"{B}: ")


def test_a_step_the_actor_may_not_take_is_refused_for_each_case_with_exit_code_6(
    run: Run,
) -> None:
    run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")

    result = run("assign", A, B, "--to", "rita.responder", "--json")

    assert (9, [(A, 6), (B, 6)]) == (
        result.exit_code,
        [(r["ref"], r["exit_code"]) for r in json.loads(result.stdout)["refused"]],
    )


def test_ack_in_bulk_at_a_given_time_records_that_time_on_each_case(run: Run) -> None:
    with recorded_at("2026-12-14T10:00"):  # as it happens
        result = run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")

    assert 0 == result.exit_code, result.stderr
    assert ["2026-12-14T10:00:00+00:00"] * 2 == [
        next(d["met_at"] for d in show(run, ref)["deadlines"] if d["kind"] == "acknowledge")
        for ref in (A, B)
    ]


def test_each_step_on_a_case_moves_its_version_on(run: Run) -> None:
    versions = [show(run, A)["version"]]
    run("ack", A, "--area", "Casework", "--at", "2026-12-14T10:00")
    versions.append(show(run, A)["version"])
    run("--as", "lee.leader", "assign", A, "--to", "rita.responder", "--at", "2026-12-14T11:00")
    versions.append(show(run, A)["version"])
    run("incident", A, "--note", "Shouted at the officer", "--at", "2026-12-14T12:00")
    assert [0, 1, 2, 2] == [*versions, show(run, A)["version"]]


def test_a_case_changed_since_the_json_was_read_is_refused_and_left_as_it_is(run: Run) -> None:
    run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")
    looked = run("queue", "--area", "Casework", "--unassigned", "--json").stdout
    looked_at_a = run("show", A, "--json").stdout
    # Meanwhile, the leader assigns A to someone else.
    meanwhile = run("--as", "lee.leader", "assign", A, "--to", "ruth.responder")
    assert 0 == meanwhile.exit_code, meanwhile.stderr

    for stdin in (looked_at_a, looked):
        result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", input=stdin)

        assert 9 == result.exit_code
        assert (
            f"{A}: case {A} changed since you looked (version 1, now 2): it is now at stage "
            "first-stage, in Casework, with ruth.responder; look again before acting"
        ) == result.stderr.splitlines()[0]
        assert ("ruth.responder", None) == (show(run, A)["responder"], show(run, B)["responder"])


def test_the_cases_unchanged_since_the_json_was_read_take_the_step(run: Run) -> None:
    run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")
    looked = run("queue", "--area", "Casework", "--unassigned", "--json").stdout
    run("--as", "lee.leader", "assign", A, "--to", "ruth.responder", "--at", "2026-12-14T11:00")

    result = run(
        "--as", "lee.leader", "assign", "-", "--to", "rita.responder", "--continue-on-error",
        input=looked,
    )  # fmt: skip

    assert 10 == result.exit_code
    assert ("ruth.responder", "rita.responder") == (
        show(run, A)["responder"], show(run, B)["responder"]
    )  # fmt: skip


@pytest.mark.parametrize("version", ['"1"', "1.5", "true", "-1"])
def test_a_version_on_stdin_that_is_not_a_whole_number_is_refused(run: Run, version: str) -> None:
    result = run(
        "ack", "-", "--area", "Casework", input=f'[{{"ref": "{A}", "version": {version}}}]'
    )
    assert (2, f'Error: the "version" of {A} must be a whole number\n') == (
        result.exit_code, result.stderr
    )  # fmt: skip


@pytest.mark.parametrize("versions", [(1, 0), (0, 1)])
def test_a_case_on_stdin_twice_at_two_versions_is_refused_whichever_comes_last(
    run: Run, versions: tuple[int, int]
) -> None:
    items = [{"ref": B, "version": 0}, *({"ref": A, "version": v} for v in versions)]

    result = run("ack", "-", "--area", "Casework", input=json.dumps(items))

    assert (
        2,
        f"Error: item 3 of stdin JSON: {A} is there already at version {versions[0]}, and here"
        f" at version {versions[1]}; look again before acting\n",
    ) == (result.exit_code, result.stderr)
    assert [(A, "received", None), (B, "received", None)] == stages(run, A, B)


def test_a_case_on_stdin_twice_at_one_version_is_acted_on_once(run: Run) -> None:
    items = [{"ref": A, "version": 0}, {"ref": A.lower()}, {"ref": A, "version": 0}]

    result = run("ack", "-", "--area", "Casework", input=json.dumps(items))

    assert (0, 1) == (result.exit_code, show(run, A)["version"]), result.stderr


def test_if_version_takes_the_step_when_the_case_is_as_it_was_seen(run: Run) -> None:
    run("ack", A, "--area", "Casework", "--at", "2026-12-14T10:00")
    seen = show(run, A)["version"]

    result = run("--as", "lee.leader", "assign", A, "--to", "rita.responder",
                 "--if-version", str(seen))  # fmt: skip

    assert (0, "rita.responder", seen + 1) == (
        result.exit_code, show(run, A)["responder"], show(run, A)["version"]
    )  # fmt: skip


def test_if_version_refuses_with_exit_11_when_someone_stepped_in_and_writes_nothing(
    run: Run,
) -> None:
    run("ack", A, "--area", "Casework", "--at", "2026-12-14T10:00")
    seen = show(run, A)["version"]
    run("--as", "lee.leader", "assign", A, "--to", "ruth.responder")  # meanwhile
    before = show(run, A)

    result = run("--as", "lee.leader", "assign", A, "--to", "rita.responder",
                 "--if-version", str(seen))  # fmt: skip

    assert (11, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: case {A} changed since you looked (version {seen}, now {seen + 1}): it is now "
        "at stage first-stage, in Casework, with ruth.responder; look again before acting\n"
    ) == result.stderr
    assert before == show(run, A)


def test_if_version_ahead_of_the_case_says_it_never_had_that_version(run: Run) -> None:
    run("ack", A, "--area", "Casework", "--at", "2026-12-14T10:00")
    now = show(run, A)["version"]

    result = run("--as", "lee.leader", "assign", A, "--to", "rita.responder",
                 "--if-version", str(now + 2))  # fmt: skip

    assert (11, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: case {A} has never been at version {now + 2}: it is at version {now}, at "
        "stage first-stage, in Casework; look again before acting\n"
    ) == result.stderr


def test_a_refusal_because_the_case_changed_is_exit_code_11_in_bulk_json(run: Run) -> None:
    run("ack", A, B, "--area", "Casework", "--at", "2026-12-14T10:00")
    looked = run("queue", "--area", "Casework", "--json").stdout
    run("--as", "lee.leader", "assign", A, "--to", "ruth.responder")

    result = run("--as", "lee.leader", "assign", "-", "--to", "rita.responder", "--json",
                 input=looked)  # fmt: skip

    assert 9 == result.exit_code
    assert [(A, 11)] == [(r["ref"], r["exit_code"]) for r in json.loads(result.stdout)["refused"]]


@pytest.mark.parametrize("refs", [[A, B], ["-"]])
def test_if_version_goes_with_one_reference(run: Run, refs: list[str]) -> None:
    result = run("ack", *refs, "--area", "Casework", "--if-version", "0", input=A)
    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: --if-version goes with one reference")


def test_a_warning_shared_by_many_cases_is_given_once_naming_them(run: Run) -> None:
    # Acknowledged in time on the 3rd, but only recorded now, after every deadline passed.
    result = run("ack", A, B, C, "--area", "Casework", "--at", "2026-12-03T11:00")

    assert (0, 3) == (result.exit_code, len(result.stdout.splitlines()))
    assert [
        f"Warning ({A}, {B} and {C}): the acknowledge deadline had passed before this was "
        "recorded: it is met late, when recorded; the history keeps Thu 2026-12-03 11:00 GMT "
        "as when it happened"
    ] == result.stderr.splitlines()


def test_a_close_dated_before_a_passed_deadline_warns_it_stays_breached_not_met(
    run: Run,
) -> None:
    # Closed, by its date, before the acknowledgement fell due; typed in after it had passed.
    result = run("close", A, "--reason", "withdrawn", "--at", "2026-12-03T11:00")

    assert 0 == result.exit_code
    assert [
        "Warning: the acknowledge deadline had passed before this was recorded: it "
        "stays breached until then; the history keeps Thu 2026-12-03 11:00 GMT as when it "
        "happened"
    ] == result.stderr.splitlines()


def test_bulk_json_keeps_stdout_for_the_json_and_warns_on_stderr(run: Run) -> None:
    result = run("ack", A, B, "--area", "Casework", "--at", "2026-12-03T11:00", "--json")

    assert [A, B] == [case["ref"] for case in json.loads(result.stdout)["done"]]
    assert [f"Warning ({A} and {B})"] == [
        line.partition(":")[0] for line in result.stderr.splitlines()
    ]
