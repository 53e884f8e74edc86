"""Import at the service layer: reading rows, checking each field, and writing a batch whole.

Rows are read from text held in memory (`io.StringIO`), the store is a real SQLite file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from complaintctl.errors import InvalidInput
from complaintctl.services import imports
from complaintctl.services.export import export_cases
from complaintctl.services.imports import (
    BatchRefused,
    CsvBroken,
    CsvLayout,
    ImportReport,
    LineTooLong,
    Problem,
    Reject,
    Row,
    csv_layout,
    import_batch,
    parse_mapping,
    parse_row,
    read_rows,
    sniff_delimiter,
    write_rejects,
)
from tests.conftest import UnitFactory
from tests.service import journey

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
STAFF = "officer.one"

GOOD: dict[str, Any] = {
    "consumer": "Ann Smith",
    "email": "ann@example.com",
    "channel": "email",
    "category": "delay",
    "summary": "No reply to my letters for six weeks",
    "received_at": "2026-12-01T10:00",
}


def parsed(**changes: Any) -> tuple[services.NewComplaint, datetime] | Reject:
    """`parse_row` of the good row with `changes` (a value of None drops that field)."""
    raw = {**GOOD, **changes}
    return parse_row(Row(7, {k: v for k, v in raw.items() if v is not None}), LONDON, NOW)


def problems(**changes: Any) -> list[tuple[str, str]]:
    """Every (field, reason) a bad row is refused for."""
    result = parsed(**changes)
    assert isinstance(result, Reject), result
    return [(problem.field, problem.reason) for problem in result.problems]


def refusal(**changes: Any) -> tuple[int, str]:
    """The line and field of a bad row's one problem (the reason is checked separately)."""
    result = parsed(**changes)
    assert isinstance(result, Reject), result
    [problem] = result.problems
    return result.line, problem.field


def reason(**changes: Any) -> str:
    [(_, why)] = problems(**changes)
    return why


# -- parse_row: a good row -------------------------------------------------------------------


def test_a_good_row_is_read_as_the_complaint_it_describes_and_its_receipt() -> None:
    result = parsed(
        address=" 1 High St, Leeds ",
        dispute="D-1",
        board="Yes",
        about="2026-11-02",
        preferred_contact="post",
        adjustments="large-print; bsl ;",
        source_id="form-1",
    )

    assert (
        services.NewComplaint(
            consumer="Ann Smith",
            channel=Channel.EMAIL,
            category=Category.DELAY,
            summary="No reply to my letters for six weeks",
            email="ann@example.com",
            address="1 High St, Leeds",
            dispute="D-1",
            board=True,
            about=date(2026, 11, 2),
            preferred_contact="post",
            adjustments=("large-print", "bsl"),
            source_id="form-1",
        ),
        datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    ) == result


def test_json_values_of_other_types_are_read_as_their_text() -> None:
    result = parsed(board=False, adjustments=["advocate", "bsl"], source_id=12345)

    assert not isinstance(result, Reject)
    complaint, _ = result
    assert (False, ("advocate", "bsl"), "12345") == (
        complaint.board,
        complaint.adjustments,
        complaint.source_id,
    )


def test_a_local_summer_time_is_read_in_british_summer_time() -> None:
    result = parsed(received_at="2026-07-01T10:00")

    assert not isinstance(result, Reject)
    assert datetime(2026, 7, 1, 9, 0, tzinfo=UTC) == result[1]


def test_an_address_without_an_email_is_enough() -> None:
    result = parsed(email=None, address="1 High St")

    assert not isinstance(result, Reject)


# -- parse_row: every kind of bad field -------------------------------------------------------


@pytest.mark.parametrize("name", ["consumer", "channel", "category", "summary", "received_at"])
def test_a_missing_required_field_is_refused_naming_it(name: str) -> None:
    assert ((7, name), "is required") == (refusal(**{name: None}), reason(**{name: None}))


@pytest.mark.parametrize("spelt", ["Consumer", " consumer ", "CONSUMER"])
def test_a_json_field_spelt_otherwise_is_named_beside_the_one_required(spelt: str) -> None:
    # A CSV header is read in any case; a JSON object's names are read as written.
    assert [
        ("consumer", f"is required (the row has {spelt!r}: JSON Lines field names are lower case)")
    ] == problems(consumer=None, **{spelt: "Ann Smith"})


@pytest.mark.parametrize("name", ["consumer", "summary"])
def test_a_required_field_of_only_spaces_is_refused_as_missing(name: str) -> None:
    assert ((7, name), "is required") == (refusal(**{name: "   "}), reason(**{name: "   "}))


def test_an_unknown_channel_is_refused_listing_the_channels() -> None:
    assert ((7, "channel"), "'fax' is not one of online, email, post, phone, in-person") == (
        refusal(channel="fax"),
        reason(channel="fax"),
    )


def test_an_unknown_category_is_refused_listing_the_categories() -> None:
    assert (
        (7, "category"),
        "'rudeness' is not one of mistreated, process, updates, delay, explanation, other",
    ) == (refusal(category="rudeness"), reason(category="rudeness"))


def test_an_unknown_preferred_contact_is_refused_listing_the_methods() -> None:
    assert ((7, "preferred_contact"), "'pigeon' is not one of email, post, phone") == (
        refusal(preferred_contact="pigeon"),
        reason(preferred_contact="pigeon"),
    )


def test_a_malformed_email_is_refused() -> None:
    assert ((7, "email"), "'ann.example.com' is not an email address") == (
        refusal(email="ann.example.com"),
        reason(email="ann.example.com"),
    )


def test_a_row_with_neither_email_nor_address_is_refused_on_the_email() -> None:
    assert ((7, "email"), "give an email or an address (or both)") == (
        refusal(email=None),
        reason(email=None),
    )


def test_an_empty_email_and_address_count_as_neither() -> None:
    assert (7, "email") == refusal(email="", address="  ")


@pytest.mark.parametrize(
    ("received_at", "why"),
    [
        ("yesterday", "is not a date and time"),
        ("2026-13-01T10:00", "names no day of the calendar"),
        ("1999-12-31T10:00", "is outside the years complaintctl works with"),
        ("2026-12-15T12:01", "is in the future"),
        ("2026-10-25T01:30", "happens twice in Europe/London: the clocks go back then"),
        ("2026-03-29T01:30", "does not exist in Europe/London: the clocks go forward then"),
    ],
)
def test_a_bad_received_at_is_refused_saying_why(received_at: str, why: str) -> None:
    assert ((7, "received_at"), True) == (
        refusal(received_at=received_at),
        why in reason(received_at=received_at),
    )


def test_a_date_a_form_writes_its_own_way_says_date_format_reads_it() -> None:
    # A form's export: 30/11/2026 14:00 in every row; the way out is --date-format.
    assert (
        "'30/11/2026 14:00' is not a date and time; write ISO 8601, e.g. 2026-11-27T14:30 or "
        "2026-11-27T14:30+00:00, or say how the file writes dates with --date-format, e.g. "
        "'%d/%m/%Y %H:%M'"
    ) == reason(received_at="30/11/2026 14:00")


def test_an_ambiguous_local_time_says_the_two_ways_to_write_it() -> None:
    assert (
        "2026-10-25T01:30 happens twice in Europe/London: the clocks go back then; write "
        "2026-10-25T01:30:00+01:00 for the first or 2026-10-25T01:30:00+00:00 for the second"
    ) == reason(received_at="2026-10-25T01:30")


def test_an_ambiguous_local_time_with_its_offset_is_accepted() -> None:
    result = parsed(received_at="2026-10-25T01:30+00:00")

    assert not isinstance(result, Reject)
    assert datetime(2026, 10, 25, 1, 30, tzinfo=UTC) == result[1]


@pytest.mark.parametrize(
    ("about", "why"),
    [
        (
            "last spring",
            "'last spring' is not a date; write it as YYYY-MM-DD, or say how the file writes "
            "dates with --date-format, e.g. '%d/%m/%Y %H:%M'",
        ),
        ("2026-02-30", "'2026-02-30' names no day of the calendar: check the month and the day"),
        ("1999-05-01", "'1999-05-01' is outside the years complaintctl works with (2000–2099)"),
    ],
)
def test_a_bad_about_date_is_refused_saying_why(about: str, why: str) -> None:
    assert ((7, "about"), why) == (refusal(about=about), reason(about=about))


def test_an_about_date_after_receipt_is_refused() -> None:
    assert ((7, "about"), "is after the complaint was received") == (
        refusal(about="2026-12-02"),
        reason(about="2026-12-02"),
    )


def test_an_about_date_on_the_local_day_of_receipt_is_accepted() -> None:
    # 00:30 on 2 July in London is 23:30 UTC on 1 July: the local day is the one that counts.
    assert not isinstance(parsed(received_at="2026-07-02T00:30", about="2026-07-02"), Reject)


def test_a_summary_over_20000_characters_is_refused_with_its_length() -> None:
    assert ((7, "summary"), "is 20,001 characters; at most 20,000") == (
        refusal(summary="x" * 20_001),
        reason(summary="x" * 20_001),
    )


def test_a_summary_of_20000_characters_is_accepted() -> None:
    assert not isinstance(parsed(summary="x" * 20_000), Reject)


@pytest.mark.parametrize("board", ["maybe", "2", "ja"])
def test_a_board_value_that_is_not_true_or_false_is_refused(board: str) -> None:
    assert ((7, "board"), f"{board!r} is not true or false") == (
        refusal(board=board),
        reason(board=board),
    )


@pytest.mark.parametrize(
    ("text", "expected"), [("TRUE", True), ("y", True), ("1", True), ("No", False), ("", False)]
)
def test_board_takes_the_usual_spellings_of_true_and_false(text: str, expected: bool) -> None:
    result = parsed(board=text)

    assert not isinstance(result, Reject)
    assert expected == result[0].board


@pytest.mark.parametrize("adjustments", [[1, 2], {"bsl": True}, 5, ["bsl", None]])
def test_adjustments_of_the_wrong_type_are_refused(adjustments: Any) -> None:
    assert ((7, "adjustments"), "must be text, several separated by ';', or a list of texts") == (
        refusal(adjustments=adjustments),
        reason(adjustments=adjustments),
    )


@pytest.mark.parametrize("name", ["consumer", "summary", "email", "source_id"])
def test_a_field_that_is_not_text_is_refused_naming_it(name: str) -> None:
    assert ((7, name), "must be text") == (
        refusal(**{name: ["a", "b"]}),
        reason(**{name: ["a", "b"]}),
    )


def test_a_row_the_reader_could_not_read_is_refused_on_its_line() -> None:
    row = Row(3, {"__error__": "has 5 values for 4 columns"})

    assert Reject(3, (Problem("line", "has 5 values for 4 columns"),), row) == parse_row(
        row, LONDON, NOW
    )


def test_a_reject_describes_each_problem_on_a_line_by_line_field_and_reason() -> None:
    reject = Reject(
        7,
        (
            Problem("channel", "'fax' is not one of online, email, post, phone, in-person"),
            Problem("board", "'maybe' is not true or false"),
        ),
        Row(7, {}),
    )

    assert [
        "line 7: channel: 'fax' is not one of online, email, post, phone, in-person",
        "line 7: board: 'maybe' is not true or false",
    ] == reject.describe()


# -- read_rows -------------------------------------------------------------------------------


def rows(text: str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    return [(row.line, row.raw) for row in read_rows(io.StringIO(text, newline=""), fmt)]


def test_a_record_that_is_not_csv_is_named_by_its_own_line() -> None:
    # A quote after a quoted field's end, on line 5, after a record over lines 2-3 and a
    # blank line: the csv module's "after line 2" (the last record's start) misled.
    broken = (
        "consumer,email,summary\n"
        'Ann,ann@example.com,"two\nlines"\n'
        "\n"
        'Bob,bob@example.com,"5" screen\n'
    )
    with pytest.raises(CsvBroken) as caught:
        rows(broken, "csv")
    assert (5, "',' expected after '\"'") == (caught.value.line, caught.value.why[:22])
    assert 'e.g. "5"" screen"' in caught.value.why

    # A quote never closed runs to the end: named by the line the field starts on.
    unclosed = 'consumer,email,summary\nAnn,ann@example.com,"no end\nCat,c@x.com,ok\nDan,d,ok\n'
    with pytest.raises(CsvBroken) as caught:
        rows(unclosed, "csv")
    assert (2, "a field opened with a quote is never closed") == (
        caught.value.line,
        caught.value.why[:43],
    )


def test_a_quote_never_closed_in_a_large_file_is_named_by_the_line_it_opens_on() -> None:
    # The rows after the stray quote run past the csv module's field limit long before the
    # file ends: still the line the field opens on, and why, not the module's own words.
    after = "".join(f"P{i},p{i}@example.com,some summary text {i}\n" for i in range(40_000))
    unclosed = f'consumer,email,summary\nAnn,ann@example.com,"no end\n{after}'
    with pytest.raises(CsvBroken) as caught:
        rows(unclosed, "csv")
    assert 2 == caught.value.line
    assert "field limit" not in caught.value.why
    assert "a field opened with a quote on this line" in caught.value.why


def test_csv_rows_carry_the_line_they_start_on_past_quoted_newlines_and_blank_lines() -> None:
    text = (
        " Consumer ,EMAIL,  Summary\n"  # line 1
        'Ann,ann@example.com,"late, and rude"\n'  # line 2
        "\n"  # line 3
        'Bob,bob@example.com,"first line\nsecond line\n\nfourth line"\n'  # lines 4-7
        "   \n"  # line 8
        ",,\n"  # line 9
        "Cat,cat@example.com,plain\n"  # line 10
    )

    assert [
        (2, {"consumer": "Ann", "email": "ann@example.com", "summary": "late, and rude"}),
        (
            4,
            {
                "consumer": "Bob",
                "email": "bob@example.com",
                "summary": "first line\nsecond line\n\nfourth line",
            },
        ),
        (10, {"consumer": "Cat", "email": "cat@example.com", "summary": "plain"}),
    ] == rows(text, "csv")


def test_blank_lines_before_the_csv_header_are_skipped() -> None:
    assert [(3, {"consumer": "Ann"})] == rows("\n Consumer\nAnn\n", "csv")


def test_a_csv_row_with_too_many_values_is_an_error_on_its_line() -> None:
    text = "consumer,email\nAnn,ann@example.com\nDan,dan@example.com,extra\nEd,ed@example.com\n"

    assert [
        (2, {"consumer": "Ann", "email": "ann@example.com"}),
        (
            3,
            {
                "consumer": "Dan",
                "email": "dan@example.com",
                "raw": "Dan,dan@example.com,extra",
                "__error__": "has 3 values for 2 columns",
            },
        ),
        (4, {"consumer": "Ed", "email": "ed@example.com"}),
    ] == rows(text, "csv")


def test_a_csv_row_with_too_few_values_lacks_the_last_columns() -> None:
    assert [(2, {"consumer": "Ann"})] == rows("consumer,email\nAnn\n", "csv")


def test_crlf_line_endings_count_as_one_line_each() -> None:
    text = 'consumer,summary\r\nAnn,"one\r\ntwo"\r\nBob,three\r\n'

    assert [2, 4] == [line for line, _ in rows(text, "csv")]


def test_json_lines_skip_blank_lines_and_flag_lines_that_are_not_json_objects() -> None:
    text = (
        '{"consumer": "Ann"}\n'  # line 1
        "\n"  # line 2
        "   \n"  # line 3
        "not json at all\n"  # line 4
        "[1, 2]\n"  # line 5
        '"just text"\n'  # line 6
        '{"consumer": "Bob", "adjustments": ["bsl"]}\n'  # line 7
        '{"consumer": "Cat"'  # line 8, no newline at the end
    )

    actual = rows(text, "jsonl")

    assert [
        (1, {"consumer": "Ann"}),
        (4, "not JSON: Expecting value", "not json at all"),
        (5, "each line must be a JSON object", [1, 2]),
        (6, "each line must be a JSON object", "just text"),
        (7, {"consumer": "Bob", "adjustments": ["bsl"]}),
        (8, "not JSON: Expecting ',' delimiter", '{"consumer": "Cat"'),
    ] == [
        (line, raw["__error__"], raw["raw"]) if "__error__" in raw else (line, raw)
        for line, raw in actual
    ]


def test_nan_and_infinity_are_not_json_so_a_line_holding_one_is_a_bad_row_kept_raw() -> None:
    # Python's json module reads them as numbers: a summary of NaN would be imported as "nan",
    # and a rejects file would hold Infinity, which no JSON reader but Python's takes.
    text = (
        '{"consumer": "Ann", "summary": NaN}\n'
        '{"consumer": "Bob", "board": Infinity}\n'
        '{"consumer": "Cat", "board": -Infinity}\n'
    )

    actual = rows(text, "jsonl")

    assert [
        (1, "not JSON: NaN is not a JSON value", '{"consumer": "Ann", "summary": NaN}'),
        (2, "not JSON: Infinity is not a JSON value", '{"consumer": "Bob", "board": Infinity}'),
        (3, "not JSON: -Infinity is not a JSON value", '{"consumer": "Cat", "board": -Infinity}'),
    ] == [(line, raw["__error__"], raw["raw"]) for line, raw in actual]


def test_a_json_number_too_large_for_a_float_is_a_bad_row_never_infinity() -> None:
    actual = rows('{"consumer": "Ann", "board": 1e999}\n[1e999]\n', "jsonl")

    assert [
        (1, "not JSON complaintctl can read (a number or nesting too large)",
         '{"consumer": "Ann", "board": 1e999}'),
        (2, "not JSON complaintctl can read (a number or nesting too large)", "[1e999]"),
    ] == [(line, raw["__error__"], raw["raw"]) for line, raw in actual]  # fmt: skip


def test_a_json_line_that_is_not_json_is_kept_raw_without_its_windows_line_end() -> None:
    text = '{"consumer": "Ann"}\r\n{bad json\r\n{"consumer": "Cat"\r\n'

    actual = rows(text, "jsonl")

    assert ["{bad json", '{"consumer": "Cat"'] == [
        raw["raw"] for _, raw in actual if "__error__" in raw
    ]


# -- import_batch ----------------------------------------------------------------------------

HEADER = "source_id,consumer,email,address,channel,category,summary,received_at\n"


def csv_batch(*lines: str) -> Callable[[], Iterator[Row]]:
    text = HEADER + "".join(line + "\n" for line in lines)
    return lambda: read_rows(io.StringIO(text, newline=""), "csv")


def good_line(n: int, **changes: str) -> str:
    values = {
        "source_id": f"form-{n}",
        "consumer": f"Person {n}",
        "email": f"p{n}@example.com",
        "address": "",
        "channel": "online",
        "category": "delay",
        "summary": f"Complaint {n}",
        "received_at": f"2026-12-{n:02d}T10:00",
        **changes,
    }
    return ",".join(values.values())


def do_import(
    unit: UnitFactory,
    open_rows: Callable[[], Iterator[Row]],
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    with unit() as uow:
        return import_batch(
            uow,
            rows=open_rows(),
            source_name="batch.csv",
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            by=STAFF,
            now=NOW,
        )


def test_an_import_leaves_the_cycle_collector_as_it_found_it(unit: UnitFactory) -> None:
    """An import sets aside from the collector what was loaded before it, then thaws it,
    whether it succeeds or is refused."""
    import gc

    assert 0 == gc.get_freeze_count()
    do_import(unit, csv_batch(good_line(1), good_line(2)))
    assert 0 == gc.get_freeze_count()
    refused(unit, csv_batch(good_line(3, channel="fax")))
    assert 0 == gc.get_freeze_count()


def test_an_import_leaves_what_a_caller_froze_frozen(unit: UnitFactory) -> None:
    """A frozen object is in none of the collector's generations: the import must not thaw
    objects a caller (an embedding program) set aside itself."""
    import gc

    kept = [object()]  # a container, so the collector tracks it
    gc.freeze()
    try:
        do_import(unit, csv_batch(good_line(1)))
        assert not any(found is kept for found in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(found is kept for found in gc.get_objects())


def lines_and_fields(report: ImportReport) -> list[tuple[int, str]]:
    return [(reject.line, p.field) for reject in report.rejects for p in reject.problems]


def stored(unit: UnitFactory) -> list[tuple[str, str | None, str]]:
    """(ref, source_id, summary) of every case in the store."""
    with unit(write=False) as uow:
        return [(c["ref"], c["source_id"], c["summary"]) for c in export_cases(uow)]


def refused(unit: UnitFactory, open_rows: Callable[[], Iterator[Row]]) -> list[str]:
    with pytest.raises(BatchRefused) as caught:
        do_import(unit, open_rows)
    return [line for reject in caught.value.rejects for line in reject.describe()]


def restrict_consumer(unit: UnitFactory, email: str) -> None:
    journey.log(
        unit, datetime(2026, 11, 2, 10, 0, tzinfo=UTC), by=STAFF, now=NOW,
        consumer="Rex Restricted", email=email, category=Category.OTHER,
        summary="An earlier complaint",
    )  # fmt: skip
    restricted_at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    journey.restrict(unit, restricted_at, email=email, reason="Unreasonably persistent", now=NOW)


def test_a_good_batch_is_imported_with_references_in_row_order(unit: UnitFactory) -> None:
    report = do_import(unit, csv_batch(good_line(1), good_line(2), good_line(3)))

    assert (3, ["SC-2026-000001", "SC-2026-000002", "SC-2026-000003"], 0, []) == (
        report.rows,
        report.new,
        report.duplicates,
        report.rejects,
    )
    assert [
        ("SC-2026-000001", "form-1", "Complaint 1"),
        ("SC-2026-000002", "form-2", "Complaint 2"),
        ("SC-2026-000003", "form-3", "Complaint 3"),
    ] == stored(unit)


def test_each_imported_case_records_the_file_and_line_it_came_from(unit: UnitFactory) -> None:
    do_import(unit, csv_batch(good_line(1), "", good_line(2)))

    with unit(write=False) as uow:
        view = services.show_case(uow, ref="SC-2026-000002", as_of=NOW)
    (logged,) = [entry for entry in view.history if entry.action == "log"]
    assert ("batch.csv", 4) == (logged.details["imported_from"], logged.details["line"])


def test_a_batch_with_bad_rows_is_refused_whole_listing_every_bad_row(unit: UnitFactory) -> None:
    batch = csv_batch(
        good_line(1),
        good_line(2, channel="fax"),
        good_line(3),
        good_line(4, email="not-an-email", received_at="2026-12-31T10:00"),
        good_line(5, summary="x" * 20_001),
        good_line(6),
    )

    assert [
        "line 3: channel: 'fax' is not one of online, email, post, phone, in-person",
        "line 5: email: 'not-an-email' is not an email address",
        "line 5: received_at: is in the future",
        "line 6: summary: is 20,001 characters; at most 20,000",
    ] == refused(unit, batch)
    assert [] == stored(unit)


def test_a_refused_batch_leaves_earlier_cases_as_they_were(unit: UnitFactory) -> None:
    do_import(unit, csv_batch(good_line(1)))

    refused(unit, csv_batch(good_line(2), good_line(3, category="")))

    assert [("SC-2026-000001", "form-1", "Complaint 1")] == stored(unit)


def test_the_refusal_counts_the_bad_rows_of_all_the_rows(unit: UnitFactory) -> None:
    with pytest.raises(BatchRefused) as caught:
        do_import(unit, csv_batch(good_line(1), good_line(2, channel="fax")))

    assert (
        "1 of 2 rows cannot be imported, so none was; fix them, or use --skip-invalid to "
        "import the rest",
        2,
    ) == (caught.value.message, caught.value.exit_code)


def test_skip_invalid_keeps_the_good_rows_and_returns_the_bad_ones(unit: UnitFactory) -> None:
    report = do_import(
        unit,
        csv_batch(good_line(1), good_line(2, channel="fax"), good_line(3)),
        skip_invalid=True,
    )

    assert (["SC-2026-000001", "SC-2026-000002"], [(3, "channel")]) == (
        report.new,
        lines_and_fields(report),
    )
    assert ["form-1", "form-3"] == [source for _, source, _ in stored(unit)]


def test_a_rejected_row_keeps_its_values_so_it_can_be_fixed(unit: UnitFactory) -> None:
    report = do_import(unit, csv_batch(good_line(1, channel="fax")), skip_invalid=True)

    (reject,) = report.rejects
    assert ("Person 1", "fax") == (reject.row.raw["consumer"], reject.row.raw["channel"])


def test_importing_the_same_batch_again_finds_every_row_a_duplicate(unit: UnitFactory) -> None:
    batch = csv_batch(good_line(1), good_line(2))
    do_import(unit, batch)

    again = do_import(unit, batch)

    assert (2, [], 2) == (again.rows, again.new, again.duplicates)
    assert 2 == len(stored(unit))


def test_a_row_with_a_known_source_id_is_a_duplicate_whatever_else_changed(
    unit: UnitFactory,
) -> None:
    do_import(unit, csv_batch(good_line(1)))

    again = do_import(unit, csv_batch(good_line(1, summary="Reworded", email="new@example.com")))

    assert ([], 1) == (again.new, again.duplicates)


def test_without_source_ids_a_row_is_matched_on_email_receipt_and_summary(
    unit: UnitFactory,
) -> None:
    do_import(unit, csv_batch(good_line(1, source_id="")))

    again = do_import(
        unit,
        csv_batch(
            good_line(1, source_id="", email="P1@Example.COM"),  # the same complaint
            good_line(1, source_id="", summary="Another complaint"),  # new: other summary
            good_line(1, source_id="", received_at="2026-12-01T10:01"),  # new: other time
            good_line(1, source_id="", received_at="2026-12-01T10:00+00:00"),  # same instant
        ),
    )

    assert (["SC-2026-000002", "SC-2026-000003"], 2) == (again.new, again.duplicates)


def test_without_an_email_a_row_is_matched_on_name_address_receipt_and_summary(
    unit: UnitFactory,
) -> None:
    do_import(unit, csv_batch(good_line(1, source_id="", email="", address="1 High St")))

    again = do_import(
        unit,
        csv_batch(
            good_line(1, source_id="", email="", address="1 High St"),
            good_line(1, source_id="", email="", address="2 Low St"),
        ),
    )

    assert (["SC-2026-000002"], 1) == (again.new, again.duplicates)


def test_a_row_repeated_within_one_batch_is_imported_once(unit: UnitFactory) -> None:
    report = do_import(
        unit,
        csv_batch(
            good_line(1),
            good_line(1),  # the same source id
            good_line(2, source_id=""),
            good_line(2, source_id=""),  # the same email, receipt and summary
        ),
    )

    assert (4, ["SC-2026-000001", "SC-2026-000002"], 2, 2) == (
        report.rows,
        report.new,
        report.duplicates,
        report.repeated,
    )
    assert 2 == len(stored(unit))


def test_a_row_without_email_repeated_within_one_batch_is_imported_once(
    unit: UnitFactory,
) -> None:
    same = good_line(1, source_id="", email="", address="1 High St")

    report = do_import(unit, csv_batch(same, same))

    assert (["SC-2026-000001"], 1, 1) == (report.new, report.duplicates, report.repeated)


def test_rows_repeated_across_chunks_of_a_long_batch_are_imported_once(
    unit: UnitFactory,
) -> None:
    lines = [good_line(1 + n % 14, source_id=f"form-{n}", summary=f"C{n}") for n in range(1200)]

    report = do_import(unit, csv_batch(*lines, lines[3], lines[1100]))

    assert (1202, 1200, 2, 2) == (
        report.rows, len(report.new), report.duplicates, report.repeated
    )  # fmt: skip
    assert 1200 == len(stored(unit))


def test_a_row_repeating_an_earlier_one_with_its_receipt_at_another_offset_is_repeated(
    unit: UnitFactory,
) -> None:
    first = good_line(3, source_id="", received_at="2026-12-03T10:00")
    again = good_line(3, source_id="", received_at="2026-12-03T11:00:00+01:00")

    report = do_import(unit, csv_batch(first, again))

    assert (1, 1, 1) == (len(report.new), report.duplicates, report.repeated)


def test_rows_already_in_the_store_are_told_from_rows_repeating_an_earlier_row(
    unit: UnitFactory,
) -> None:
    do_import(unit, csv_batch(good_line(1), good_line(2, source_id="", email="", address="A")))
    again = [good_line(1), good_line(2, source_id="", email="", address="A")]
    new = [good_line(3), good_line(4, source_id=""), good_line(5, email="", address="B")]
    # After a chunk's worth of rows, so that the repeats are in a later chunk than the first.
    filler = [good_line(6 + n % 9, source_id=f"f-{n}", summary=f"F{n}") for n in range(1000)]

    report = do_import(unit, csv_batch(*again, *new, *filler, *again, *new))

    assert (1010, 1003, 7, 3) == (
        report.rows, len(report.new), report.duplicates, report.repeated
    )  # fmt: skip


def test_references_continue_the_years_sequence_between_log_and_import(
    unit: UnitFactory,
) -> None:
    with unit() as uow:
        services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer="Ann",
                channel=Channel.EMAIL,
                category=Category.DELAY,
                summary="Logged by hand",
                email="ann@example.com",
            ),
            by=STAFF,
            at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
            now=NOW,
        )
    report = do_import(
        unit,
        csv_batch(
            good_line(1),
            good_line(2, received_at="2025-12-31T23:59"),
            good_line(3),
        ),
    )
    with unit() as uow:
        after = services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer="Bob",
                channel=Channel.EMAIL,
                category=Category.DELAY,
                summary="Logged after",
                email="bob@example.com",
            ),
            by=STAFF,
            at=datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
            now=NOW,
        )

    assert (["SC-2026-000002", "SC-2025-000001", "SC-2026-000003"], "SC-2026-000004") == (
        report.new,
        after.ref,
    )


def test_an_imported_row_for_a_known_consumer_adds_to_their_needs_as_log_would(
    unit: UnitFactory,
) -> None:
    header = "consumer,email,channel,category,summary,received_at,preferred_contact,adjustments\n"
    first = "Ann Smith,ann@example.com,email,delay,First,2026-11-02T10:00,post,bsl\n"
    second = "Ann Jones,ANN@example.com,email,delay,Second,2026-12-01T10:00,,large-print;advocate\n"
    do_import(unit, lambda: read_rows(io.StringIO(header + first), "csv"))

    do_import(unit, lambda: read_rows(io.StringIO(header + second), "csv"))

    with unit(write=False) as uow:
        cases = list(export_cases(uow))
    assert [
        # The name on record stays: only `edit --name` changes it.
        ("Ann Smith", "ann@example.com", "post", ["advocate", "bsl", "large-print"]),
        ("Ann Smith", "ann@example.com", "post", ["advocate", "bsl", "large-print"]),
    ] == [(c["consumer"], c["email"], c["preferred_contact"], c["adjustments"]) for c in cases]


def test_an_imported_complaint_about_an_issue_over_6_months_old_is_out_of_time(
    unit: UnitFactory,
) -> None:
    text = (
        HEADER.rstrip("\n")
        + ",about\n"
        + good_line(1)
        + ",2026-05-31\n"
        + good_line(2)
        + ",2026-06-02\n"
    )

    do_import(unit, lambda: read_rows(io.StringIO(text, newline=""), "csv"))

    with unit(write=False) as uow:
        assert [True, False] == [c["out_of_time"] for c in export_cases(uow)]


def test_an_imported_case_has_the_acknowledgement_clock_log_would_start(
    unit: UnitFactory,
) -> None:
    do_import(unit, csv_batch(good_line(4, received_at="2026-12-04T16:30")))

    with unit(write=False) as uow:
        view = services.show_case(uow, ref="SC-2026-000001", as_of=NOW)
    assert [("acknowledge", datetime(2026, 12, 9, 16, 30, tzinfo=UTC))] == [
        (d.kind, d.due) for d in view.deadlines
    ]


def test_a_restricted_consumers_row_refuses_the_batch_naming_the_row(
    unit: UnitFactory,
) -> None:
    restrict_consumer(unit, "rex@example.com")

    bad = refused(unit, csv_batch(good_line(1), good_line(2, email="rex@example.com")))

    assert 1 == len(bad)
    assert bad[0].startswith("line 3: consumer: Rex Restricted is restricted: restriction 1 (")
    assert ["SC-2026-000001"] == [ref for ref, _, _ in stored(unit)]


def test_with_skip_invalid_a_restricted_consumers_row_is_rejected_and_the_rest_kept(
    unit: UnitFactory,
) -> None:
    restrict_consumer(unit, "rex@example.com")

    report = do_import(
        unit,
        csv_batch(good_line(1), good_line(2, email="REX@example.com"), good_line(3)),
        skip_invalid=True,
    )

    assert (["SC-2026-000002", "SC-2026-000003"], [(3, "consumer")]) == (
        report.new,
        lines_and_fields(report),
    )
    assert "restricted" in report.rejects[0].problems[0].reason
    assert ["SC-2026-000001", "SC-2026-000002", "SC-2026-000003"] == [
        ref for ref, _, _ in stored(unit)
    ]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(unit: UnitFactory) -> None:
    do_import(unit, csv_batch(good_line(1)))

    report = do_import(unit, csv_batch(good_line(1), good_line(2), good_line(3)), dry_run=True)

    assert (True, 3, ["SC-2026-000002", "SC-2026-000003"], 1) == (
        report.dry_run,
        report.rows,
        report.new,
        report.duplicates,
    )
    assert [("SC-2026-000001", "form-1", "Complaint 1")] == stored(unit)


def test_a_dry_run_of_a_bad_batch_is_refused_as_the_real_run_would_be(unit: UnitFactory) -> None:
    with pytest.raises(BatchRefused):
        do_import(unit, csv_batch(good_line(1), good_line(2, category="x")), dry_run=True)

    assert [] == stored(unit)


def test_a_json_lines_batch_imports_its_objects(unit: UnitFactory) -> None:
    text = (
        '{"consumer": "Ann", "email": "ann@example.com", "channel": "email", '
        '"category": "delay", "summary": "Slow", "received_at": "2026-12-01T10:00", '
        '"board": true, "adjustments": ["bsl", "large-print"]}\n'
        "\n"
        "oops\n"
    )

    report = do_import(unit, lambda: read_rows(io.StringIO(text), "jsonl"), skip_invalid=True)

    assert (["SC-2026-000001"], [(3, "line")]) == (
        report.new,
        lines_and_fields(report),
    )
    with unit(write=False) as uow:
        (case,) = list(export_cases(uow))
    assert (True, ["bsl", "large-print"]) == (case["board"], case["adjustments"])


def test_only_staff_who_may_log_may_import(unit: UnitFactory) -> None:
    from complaintctl.errors import ComplaintError

    with unit() as uow, pytest.raises(ComplaintError) as caught:
        import_batch(
            uow,
            rows=csv_batch(good_line(1))(),
            source_name="batch.csv",
            skip_invalid=False,
            dry_run=False,
            by="nobody.here",
            now=NOW,
        )

    assert (6, []) == (caught.value.exit_code, stored(unit))


# -- every problem of a row, choices in any case ----------------------------------------------


def test_a_row_is_refused_for_every_problem_it_has_one_a_field() -> None:
    assert [
        ("consumer", "is required"),
        ("channel", "'fax' is not one of online, email, post, phone, in-person"),
        ("category", "'Rudeness' is not one of mistreated, process, updates, delay, explanation, "
         "other"),
        ("email", "'nobody' is not an email address"),
        ("received_at", "is in the future"),
        ("board", "'maybe' is not true or false"),
        ("preferred_contact", "'Pigeon' is not one of email, post, phone"),
    ] == problems(
        consumer=None,
        channel="fax",
        category="Rudeness",
        email="nobody",
        received_at="2026-12-31T10:00",
        about="2026-12-20",  # after a receipt that is itself refused: not checked against it
        board="maybe",
        preferred_contact="Pigeon",
    )  # fmt: skip


def test_a_field_the_text_rule_refuses_is_not_checked_again() -> None:
    assert ["summary", "channel"] == [
        field for field, _ in problems(channel="email\x07", summary=" ")
    ]


@pytest.mark.parametrize(
    ("name", "written", "kept"),
    [
        ("channel", "EMAIL", Channel.EMAIL),
        ("channel", "In-Person", Channel.IN_PERSON),
        ("category", "Delay", Category.DELAY),
        ("category", "MISTREATED", Category.MISTREATED),
        ("preferred_contact", "Post", "post"),
        ("board", "TRUE", True),
        ("board", "No", False),
    ],
)
def test_every_choice_is_read_in_any_case(name: str, written: str, kept: Any) -> None:
    result = parsed(**{name: written})

    assert not isinstance(result, Reject), result
    assert kept == getattr(result[0], name)


# -- delimiters, --map and the header --------------------------------------------------------


def laid_out(text: str, layout: CsvLayout | None = None) -> list[tuple[int, dict[str, Any]]]:
    read = read_rows(io.StringIO(text, newline=""), "csv", check_header=True, layout=layout)
    return [(row.line, row.raw) for row in read]


FORM_ROW = "Ann;ann@example.com;Email;Delay;Late, and rude;2026-12-01T10:00"


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_the_delimiter_is_told_from_the_header_line(delimiter: str) -> None:
    header = delimiter.join(["consumer", "email", "channel", "category", "summary", "received_at"])
    row = '"Ann";ann@example.com;Email;Delay;"Late, and rude";2026-12-01T10:00'.replace(
        ";", delimiter
    )

    assert [
        (
            3,
            {
                "consumer": "Ann",
                "email": "ann@example.com",
                "channel": "Email",
                "category": "Delay",
                "summary": "Late, and rude",
                "received_at": "2026-12-01T10:00",
            },
        )
    ] == laid_out(f"\n{header}\n{row}\n")


def test_a_comma_inside_a_quoted_header_name_does_not_make_it_comma_separated() -> None:
    text = '"consumer";"email, please";email;channel;category;summary;received_at\n'
    assert "\t" != sniff_delimiter(text)
    assert ";" == sniff_delimiter(text)


def test_a_delimiter_given_is_used_whatever_the_header_has() -> None:
    # More commas than tabs in the header: only --delimiter tells it right.
    notes = "notes: who, what, when, where, why, how, and anything else, please"
    text = "\t".join(["consumer", "email", "channel", "category", "summary", "received_at",
                      notes]) + "\n" + FORM_ROW.replace(";", "\t") + "\tnone\n"  # fmt: skip

    with pytest.raises(InvalidInput):
        laid_out(text)
    [(_, raw)] = laid_out(text, CsvLayout(delimiter="\t"))
    assert ("Ann", "Late, and rude", "none") == (raw["consumer"], raw["summary"], raw[notes])


def test_a_header_lacking_columns_names_those_missing_and_those_found() -> None:
    with pytest.raises(InvalidInput) as caught:
        laid_out("Name,E-mail,channel,category,summary,received_at\n", CsvLayout(delimiter=","))

    assert (
        # E-mail is not email: said at once, not only once consumer is mapped.
        "the header lacks the required columns consumer and an email or an address column; "
        "it has 6 columns: 'Name', "
        "'E-mail', 'channel', 'category', 'summary', 'received_at' (--delimiter to choose how "
        "it is split, --map FORMCOLUMN=FIELD to read a column as a field)"
    ) == caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_line_past_the_limit_refuses_the_batch_once_that_much_is_read(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line that never ends (/dev/zero) was read whole into memory, without bound."""
    monkeypatch.setattr(imports, "LINE_LIMIT", 300)
    first = ",".join(GOOD) if fmt == "csv" else json.dumps(GOOD)
    stream = io.StringIO(f"{first}\n{'x' * 1000}\n{first}\n", newline="")

    rows = read_rows(stream, fmt, layout=CsvLayout())
    with pytest.raises(LineTooLong) as caught:
        list(rows)

    # Read no further than the limit into the long line.
    assert (2, len(first) + 1 + 302) == (caught.value.line, stream.tell())


@pytest.mark.parametrize("end", ["\n", "\r\n", ""])
def test_a_line_at_the_limit_is_read_whatever_ends_it(
    end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = json.dumps({**GOOD, "summary": "x" * 20_000})
    monkeypatch.setattr(imports, "LINE_LIMIT", len(line))  # its characters, not its line break
    rows = list(read_rows(io.StringIO(line + end, newline=""), "jsonl"))

    assert [(1, 20_000)] == [(row.line, len(row.raw["summary"])) for row in rows]


def test_mapped_columns_are_read_as_their_fields_in_any_case() -> None:
    text = (
        " Submission ID ;Your name;E-mail;channel;category;summary;Submitted\n"
        "s-1;Ann;ann@example.com;email;delay;Late;2026-12-01T10:00\n"
    )
    layout = CsvLayout(
        mapping=parse_mapping(
            ["submission id=source_id", "YOUR NAME=consumer", "e-mail = email",
             "submitted=received_at"]
        )
    )  # fmt: skip

    assert [
        (
            2,
            {
                "source_id": "s-1",
                "consumer": "Ann",
                "email": "ann@example.com",
                "channel": "email",
                "category": "delay",
                "summary": "Late",
                "received_at": "2026-12-01T10:00",
            },
        )
    ] == laid_out(text, layout)
    assert ["Submission ID", "Your name", "E-mail", "channel", "category", "summary",
            "Submitted"] == layout.header  # fmt: skip


def test_a_column_with_an_equals_sign_in_its_name_is_mapped_at_the_last_one() -> None:
    text = (
        "consumer;email;channel;category;summary;Submitted (UTC=0)\n"
        "Ann;ann@example.com;email;delay;Late;2026-12-01T10:00\n"
    )
    layout = CsvLayout(mapping=parse_mapping(["Submitted (UTC=0)=received_at"]))

    [(_line, raw)] = laid_out(text, layout)

    assert ({"submitted (utc=0)": "received_at"}, "2026-12-01T10:00") == (
        layout.mapping,
        raw["received_at"],
    )


@pytest.mark.parametrize(
    ("maps", "why"),
    [
        (["submission_id"], "--map takes FORMCOLUMN=FIELD, e.g. submission_id=source_id, not "
         "'submission_id'"),
        (["=source_id"], "--map takes FORMCOLUMN=FIELD"),
        (["id="], "--map takes FORMCOLUMN=FIELD"),
        (["id=ref"], "--map 'id=ref': 'ref' is not a field; the fields are consumer, email, "
         "address, channel, category, summary, dispute, received_at, board, about, "
         "preferred_contact, adjustments, source_id"),
        (["a=consumer", "b=Consumer"], "--map reads both 'a' and 'b' as consumer"),
        (["a=consumer", "A=summary"], "--map names the column 'a' more than once"),
    ],
)  # fmt: skip
def test_a_map_that_cannot_be_followed_is_refused(maps: list[str], why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_mapping(maps)

    assert caught.value.message.startswith(why)


def test_a_map_of_a_column_the_header_lacks_is_refused_listing_the_header() -> None:
    with pytest.raises(InvalidInput) as caught:
        laid_out(HEADER, CsvLayout(mapping={"submission_id": "source_id"}))

    assert caught.value.message.startswith(
        "--map names submission_id, which the header lacks; it has 8 columns: "
        "'source_id', 'consumer',"
    )


def test_a_map_onto_a_field_the_header_has_already_is_refused() -> None:
    header = HEADER.replace("address", "Your name")
    with pytest.raises(InvalidInput) as caught:
        laid_out(header, CsvLayout(mapping={"your name": "consumer"}))

    assert "the columns consumer, Your name would all be read as consumer" == caught.value.message


# -- --date-format ---------------------------------------------------------------------------


def test_a_date_format_reads_receipts_and_about_dates_as_local_time() -> None:
    result = parse_row(
        Row(7, {**GOOD, "received_at": "01/07/2026 14:00", "about": "30/06/2026"}),
        LONDON,
        NOW,
        "%d/%m/%Y %H:%M",
    )

    assert not isinstance(result, Reject), result
    assert (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), date(2026, 6, 30)) == (
        result[1],
        result[0].about,
    )


@pytest.mark.parametrize(
    ("received_at", "why"),
    [
        ("2026-07-01T14:00", "'2026-07-01T14:00' does not match the date format %d/%m/%Y %H:%M"),
        # Written in the format but no day: said as --at and ISO dates say it.
        ("31/02/2026 10:00", "'31/02/2026 10:00' names no day of the calendar"),
        ("29/02/2026 10:00", "'29/02/2026 10:00' names no day of the calendar"),
        ("32/01/2026 10:00", "'32/01/2026 10:00' does not match the date format %d/%m/%Y %H:%M"),
        ("٠١/07/2026 10:00", "does not match the date format"),
        ("25/10/2026 01:30", "25/10/2026 01:30 happens twice in Europe/London"),
        ("29/03/2026 01:30", "29/03/2026 01:30 does not exist in Europe/London"),
        ("01/01/1999 10:00", "is outside the years complaintctl works with"),
    ],
)
def test_a_value_the_date_format_cannot_read_is_a_row_problem(received_at: str, why: str) -> None:
    result = parse_row(
        Row(7, {**GOOD, "received_at": received_at, "about": "1/2/26"}),
        LONDON,
        NOW,
        "%d/%m/%Y %H:%M",
    )

    assert isinstance(result, Reject)
    assert [("received_at", True), ("about", True)] == [
        (p.field, why in p.reason if p.field == "received_at" else "%d/%m/%Y %H:%M" in p.reason)
        for p in result.problems
    ]


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M %d", "%d/%m/%Y %I:%M %p %p", "%c %d"])
def test_a_date_format_giving_a_code_twice_is_refused_not_a_traceback(fmt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert caught.value.message.startswith(
        f"--date-format: the date format {fmt!r} gives a code more than once"
    )


@pytest.mark.parametrize(
    ("fmt", "twice"),
    [
        ("%d %b %Y (%m)", "the month by %b and %m"),
        ("%d/%m/%Y %B", "the month by %m and %B"),
        ("%d/%m/%y %Y", "the year by %y and %Y"),
        ("%d/%m/%Y %H:%M (%I %p)", "the hour by %H and %I"),
        ("%a %d/%m/%Y %u", "the weekday by %a and %u"),
        ("%d/%m/%Y %H:%M %z %Z", "the zone by %z and %Z"),
        ("%c %m", "the month by %c and %m"),  # %c writes the month's name
        ("%x %Y", "the year by %x and %Y"),  # %x writes the year's last two digits
    ],
)
def test_a_date_format_giving_a_part_twice_by_two_codes_is_refused_never_one_dropped(
    fmt: str, twice: str
) -> None:
    # strptime reads both and keeps one: 30 Nov 2026 (12) by %d %b %Y (%m) was read as
    # 30 December, 30/11/2026 (25) by %d/%m/%Y (%y) as 2025, without a word.
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert (
        f"--date-format: the date format {fmt!r} gives {twice}, and strptime keeps only one "
        "of them (a value whose two disagree would be read by either): give each part once, "
        "e.g. %d/%m/%Y %H:%M"
    ) == caught.value.message


@pytest.mark.parametrize("fmt", ["%H:%M", "%Q", "", "%d/%m"])
def test_a_date_format_that_cannot_read_a_date_back_is_refused(fmt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert caught.value.message.startswith(f"--date-format: the date format {fmt!r} cannot be")


@pytest.mark.parametrize(
    ("fmt", "codes"), [("%G-W%V-%u", "%V"), ("%Y%j %H:%M", "%j"), ("%Y %W %a", "%W")]
)
def test_a_date_format_giving_the_day_by_week_or_day_of_year_is_refused(
    fmt: str, codes: str
) -> None:
    # strptime does not check the year has the day: 2025-W53-1 (2025 has 52 weeks) was read
    # as 2025-12-29, and 2025366 as 2026-01-01, the receipt on another day than the file's.
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert caught.value.message.startswith(
        f"--date-format: the date format {fmt!r} gives the day by {codes} (its week or its "
        "day of the year), which strptime does not check"
    )


@pytest.mark.parametrize(
    ("fmt", "why"),
    [
        # 12:30 would be read as 00:30, 14:05 (written 02:05) as 02:05: a receipt 12 hours off.
        ("%d/%m/%Y %I:%M", "cannot tell the morning from the afternoon (it reads 14:05 back as"),
        ("%d/%m/%Y %I", "cannot tell the morning from the afternoon"),
        # AM or PM with no hour to go with would be read as nothing.
        ("%d/%m/%Y %p", "has %p (AM or PM) without an hour to go with: %I for the 12-hour"),
        # A zone written as text is read as nothing: 10:00 UTC in July would be 09:00 UTC.
        ("%d/%m/%Y %H:%M UTC", "writes the zone 'UTC' as text, which is read as nothing"),
        ("%Y-%m-%dT%H:%M:%SZ", "writes the zone 'Z' as text, which is read as nothing"),
    ],
)
def test_a_date_format_that_cannot_read_the_time_it_writes_back_is_refused(
    fmt: str, why: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert caught.value.message.startswith(f"--date-format: the date format {fmt!r} {why}")


@pytest.mark.parametrize(
    ("fmt", "received_at", "instant"),
    [
        ("%d/%m/%Y %I:%M %p", "01/07/2026 12:30 PM", datetime(2026, 7, 1, 11, 30, tzinfo=UTC)),
        ("%d/%m/%Y %I:%M %p", "01/07/2026 02:05 PM", datetime(2026, 7, 1, 13, 5, tzinfo=UTC)),
        # A form that writes the 24-hour hour with AM or PM beside it.
        ("%d/%m/%Y %H:%M %p", "01/07/2026 14:05 PM", datetime(2026, 7, 1, 13, 5, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %p", "01/07/2026 12:30 pm", datetime(2026, 7, 1, 11, 30, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %p", "01/07/2026 00:30 AM", datetime(2026, 6, 30, 23, 30, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %p", "01/07/2026 09:15 AM", datetime(2026, 7, 1, 8, 15, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %z", "01/07/2026 10:00 +0000", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %%Z", "01/07/2026 10:00 %Z", datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
        # A zone's name: UTC or GMT, in any case, is +00:00 whatever the season.
        ("%d/%m/%Y %H:%M %Z", "01/07/2026 10:00 UTC", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("%d/%m/%Y %H:%M %Z", "01/07/2026 10:00 gmt", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("%Y-%m-%dT%H:%M:%S%z", "2026-07-01T10:00:00Z", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_date_format_that_reads_its_time_back_reads_the_instant_written(
    fmt: str, received_at: str, instant: datetime
) -> None:
    csv_layout(None, [], fmt)

    result = parse_row(Row(7, {**GOOD, "received_at": received_at}), LONDON, NOW, fmt)

    assert not isinstance(result, Reject), result
    assert instant == result[1]


@pytest.mark.parametrize(
    ("received_at", "why"),
    [
        # As a 12-hour clock writes 14:05: never read as 02:05.
        ("01/07/2026 2:05 PM", "gives the hour 02 with PM, but the date format"),
        ("01/07/2026 12:30 AM", "gives the hour 12 with AM, but the date format"),  # 00:30?
        ("01/07/2026 14:05 AM", "gives the hour 14 with AM, but the date format"),
    ],
)
def test_a_24_hour_time_whose_am_or_pm_disagrees_with_it_is_a_bad_row_never_a_guess(
    received_at: str, why: str
) -> None:
    fmt = "%d/%m/%Y %H:%M %p"
    csv_layout(None, [], fmt)

    result = parse_row(Row(7, {**GOOD, "received_at": received_at}), LONDON, NOW, fmt)

    assert isinstance(result, Reject)
    assert [("received_at", True)] == [(p.field, why in p.reason) for p in result.problems]


def test_a_weekday_that_disagrees_with_its_date_is_a_bad_row_naming_both_never_a_guess() -> None:
    # strptime drops the weekday: Tue 30/11/2026 was read as Monday 30 November, no word said.
    fmt = "%a %d/%m/%Y %H:%M"
    csv_layout(None, [], fmt)

    result = parse_row(
        Row(7, {**GOOD, "received_at": "Tue 30/11/2026 10:00", "about": "Sat 28/11/2026"}),
        LONDON,
        NOW,
        fmt,
    )

    assert isinstance(result, Reject)  # its about date, Saturday 28 November, is good
    assert [
        ("received_at", "'Tue 30/11/2026 10:00' gives the weekday Tuesday, but 2026-11-30 is a "
         "Monday: check the day and the date"),
    ] == [(p.field, p.reason) for p in result.problems]  # fmt: skip


def test_an_unknown_delimiter_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        csv_layout("|", [], None)

    assert "--delimiter takes ',', ';' or tab, not '|'" == caught.value.message


# -- the rejects file --------------------------------------------------------------------------


def test_csv_rejects_keep_the_files_columns_and_cells_and_add_every_problem() -> None:
    layout = CsvLayout(mapping={"your name": "consumer"})
    text = (
        "Your name;email;channel;category;summary;received_at;Notes\n"
        "Ann;nobody;fax;delay;Late;2026-12-01T10:00;=1+1\n"
        "Bob;bob@example.com;email;delay;Late;2026-12-01T10:00;x;extra\n"
    )
    bad = [
        parse_row(row, LONDON, NOW)
        for row in read_rows(io.StringIO(text, newline=""), "csv", layout=layout)
    ]
    out = io.StringIO()

    write_rejects(
        out, [r for r in bad if isinstance(r, Reject)], "csv", layout.header, layout.split_by
    )

    assert [
        ["Your name", "email", "channel", "category", "summary", "received_at", "Notes", "error",
         "raw"],
        ["Ann", "nobody", "fax", "delay", "Late", "2026-12-01T10:00", "'=1+1",
         "line 2: channel: 'fax' is not one of online, email, post, phone, in-person\n"
         "line 2: email: 'nobody' is not an email address", ""],
        ["Bob", "bob@example.com", "email", "delay", "Late", "2026-12-01T10:00", "x",
         "line 3: has 8 values for 7 columns",
         "Bob;bob@example.com;email;delay;Late;2026-12-01T10:00;x;extra"],
    ] == list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=";"))  # fmt: skip


@pytest.mark.parametrize(("given", "told"), [(None, ";"), (";", ";"), ("\t", "\t"), (",", ",")])
def test_csv_rejects_are_split_as_the_file_was_so_the_same_options_read_them_again(
    given: str | None, told: str
) -> None:
    # A --delimiter given to read the file must read its rejects file too.
    text = "consumer;email;channel;category;summary;received_at\nAnn;nobody;email;delay;@;t\n"
    text = text.replace(";", told).replace("@", '"x, y;\tz"')
    layout = CsvLayout(delimiter=given)
    rows = read_rows(io.StringIO(text), "csv", layout=layout)
    [bad] = [parse_row(row, LONDON, NOW) for row in rows]
    assert isinstance(bad, Reject)
    out = io.StringIO()

    write_rejects(out, [bad], "csv", layout.header, layout.split_by)

    assert told == layout.split_by
    assert out.getvalue().splitlines()[0] == told.join([*layout.header, "error", "raw"])
    [(_, again)] = laid_out(out.getvalue(), CsvLayout(delimiter=given))
    assert ("Ann", "nobody", "x, y;\tz") == (again["consumer"], again["email"], again["summary"])


def test_csv_rejects_keep_the_files_own_error_and_raw_columns_beside_theirs() -> None:
    # A form may have an error or raw column of its own, and a rejects file imported again
    # has both: each is kept as it was, and the problems go to the next names free.
    text = (
        "consumer,email,channel,category,summary,received_at,Error,raw,error_2\n"
        "Ann,a@b.c,fax,delay,Late,2026-12-01T10:00,old problem,old raw,older\n"
        "Bob,b@c.d,email,delay,Late,2026-12-01T10:00,e,r,o,extra\n"
    )
    layout = CsvLayout()
    bad = [
        parse_row(row, LONDON, NOW) for row in read_rows(io.StringIO(text), "csv", layout=layout)
    ]
    out = io.StringIO()

    write_rejects(out, [r for r in bad if isinstance(r, Reject)], "csv", layout.header)

    assert [
        [*layout.header, "error_3", "raw_2"],
        ["Ann", "a@b.c", "fax", "delay", "Late", "2026-12-01T10:00", "old problem", "old raw",
         "older", "line 2: channel: 'fax' is not one of online, email, post, phone, in-person",
         ""],
        ["Bob", "b@c.d", "email", "delay", "Late", "2026-12-01T10:00", "e", "r", "o",
         "line 3: has 10 values for 9 columns",
         "Bob,b@c.d,email,delay,Late,2026-12-01T10:00,e,r,o,extra"],
    ] == list(csv.reader(io.StringIO(out.getvalue(), newline="")))  # fmt: skip


def test_jsonl_rejects_keep_an_error_field_of_the_row() -> None:
    text = (
        '{"consumer": "Ann", "email": "a@b.c", "channel": "fax", "category": "delay", '
        '"summary": "Late", "received_at": "2026-12-01T10:00", "error": "old problem"}\n'
        "[1, 2]\n"
    )
    bad = [parse_row(row, LONDON, NOW) for row in read_rows(io.StringIO(text), "jsonl")]
    out = io.StringIO()

    write_rejects(out, [r for r in bad if isinstance(r, Reject)], "jsonl")

    written = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [
        ("old problem", "line 1: channel: 'fax' is not one of online, email, post, phone, "
         "in-person"),
        (None, "line 2: each line must be a JSON object"),
    ] == [(row.get("error"), row["error_2"]) for row in written]  # fmt: skip
    assert [1, 2] == written[1]["raw"]


@pytest.mark.parametrize(
    "codes",
    [
        "",  # no date to read back
        " %d/%m/%Y %d",  # a code twice
        " %d %b %Y %m",  # a part by two codes
        " %d/%m/%Y %j",  # the day by its day of the year
        " %d/%m/%Y %H:%M UTC",  # a zone as text
        " %d/%m/%Y %p",  # AM or PM with no hour
        " %d/%m/%Y %I:%M",  # the 12-hour clock with no AM or PM
    ],
)
def test_a_date_format_pasted_long_is_cut_in_its_refusal(codes: str) -> None:
    # It was said back whole: a refusal of 5,000 characters for one typed by mistake.
    fmt = "x" * 5000 + codes
    with pytest.raises(InvalidInput) as caught:
        csv_layout(None, [], fmt)

    assert caught.value.message.startswith(f"--date-format: the date format {'x' * 40!r}… ")
    assert len(caught.value.message) < 400
