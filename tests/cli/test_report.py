"""`report` end to end: each output (a table, plain lines, JSON, CSV), --by and --compare, and
each kind of refusal. The figures themselves are worked out in tests/service/test_report.py.

November 2026 is in winter: London wall time is UTC. Now is Wed 2 Dec 2026 12:00.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl.schema import SHAPES, problems, version_problems
from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens, log_args, ok
from tests.cli.test_errors import assert_one_line_error

NOW = "2026-12-02 12:00:00"


@pytest.fixture
def november(run: Run) -> Iterator[None]:
    """Two complaints received in November, each logged as it arrived: one acknowledged on
    time (8 working hours later, to Casework), one received on Mon 30 Nov and not yet due;
    and one in October, acknowledged on time (2 working hours)."""
    for consumer, at in (
        ("Ann Smith", "2026-11-02T10:00"),
        ("Bob Jones", "2026-11-30T10:00"),
        ("Cat Old", "2026-10-05T10:00"),
    ):
        email = consumer.split()[0].lower() + "@example.com"
        result = as_it_happens(
            run, "log", "--consumer", consumer, "--email", email, "--channel", "email",
            "--category", "delay", "--summary", "Slow", "--at", at,
        )  # fmt: skip
        assert 0 == result.exit_code, result.stderr
    for ref, at in (("SC-2026-000001", "2026-11-03T10:00"), ("SC-2026-000003", "2026-10-05T12:00")):
        result = as_it_happens(run, "ack", ref, "--area", "Casework", "--at", at)
        assert 0 == result.exit_code, result.stderr
    with freeze_time(NOW):
        yield


def rows_of(text: str) -> dict[tuple[str, str, str], list[str]]:
    """CSV rows by (figure, part, breakdown)."""
    rows = list(csv.reader(io.StringIO(text)))
    return {(row[0], row[1], row[2]): row[3:] for row in rows[1:]}


def test_piped_the_report_is_a_line_per_figure_and_part(run: Run, november: None) -> None:
    result = run("report", "--period", "2026-11")

    lines = result.stdout.splitlines()
    assert 0 == result.exit_code, result.stderr
    assert "received\t\t\t2" == lines[0]
    assert "received_by_channel\temail\t\t2" in lines
    assert "acknowledged_on_time_share\t\t\t1.0" in lines
    assert "acknowledge_working_hours_median\t\t\t8.0" in lines
    assert "final_on_time_share\t\t\t-" in lines  # nothing fell due
    assert "open_cases\tfirst-stage\t\t2" in lines  # Ann's and October's, awaiting responses
    assert "open_cases\treceived\t\t1" in lines  # Bob's


def test_at_a_terminal_the_report_is_a_table_by_section(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    result = run("report", "--period", "2026-11", "--compare", "previous")

    assert 0 == result.exit_code, result.stderr
    assert "Complaint figures for 2026-11 (2026-11-01 to 2026-11-30)" in result.stdout
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # without its styles
    line = next(line for line in shown.splitlines() if "acknowledged_on_time_share" in line)
    assert ["100.0%", "100.0%"] == line.replace("│", " ").split()[1:]
    assert "Counted as recorded by Tue 2026-12-01 00:00" in result.stderr


def test_at_a_terminal_each_area_stands_beside_the_same_area_in_the_period_before(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("COLUMNS", "200")
    result = run("report", "--period", "2026-11", "--compare", "previous", "--by", "area")

    assert 0 == result.exit_code, result.stderr
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    line = next(line for line in shown.splitlines() if "  received  " in line)
    # the whole, then October; (not yet routed), none in October (0); Casework, then October
    assert ["2", "1", "1", "0", "1", "1"] == line.replace("│", " ").split()[1:]
    assert "Casework 2026-10" in shown


def test_at_a_terminal_bars_show_the_shares_on_time_and_a_line_each_month(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    result = run("report", "--period", "2026-Q4", "--by", "month")

    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    glance = shown.split("At a glance")[1].splitlines()
    assert ["acknowledged", "on", "time", "█" * 30, "100.0%"] == glance[1].split()
    # Ann's and Cat's responses are past due; no final response fell due.
    assert ["first-stage", "responses", "on", "time", "░" * 30, "0.0%"] == glance[2].split()
    assert ["final", "responses", "on", "time", "·" * 30, "-"] == glance[3].split()
    # October's Cat, November's Ann and Bob; December so far nothing.
    assert "received by month ▅█▁ 2026-10 to 2026-12: 1, 2, 0" == " ".join(glance[4].split())


def test_at_a_terminal_a_bar_with_nothing_due_is_not_red(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    result = run("report", "--period", "2026-Q4")

    glance = result.stdout.split("At a glance")[1].splitlines()
    # No final response fell due: a dotted bar, dim, not red as a share below 80% is.
    dotted = next(line for line in glance if "·" * 10 in line)
    failed = next(line for line in glance if "░" * 10 in line)  # first-stage, 0% on time
    red = re.search(r"\x1b\[[0-9;]*m(?=░)", failed)
    assert red is not None
    assert red[0] not in dotted


def test_at_a_narrow_terminal_the_bars_shorten_and_no_share_is_cut(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("COLUMNS", "40")
    result = run("report", "--period", "2026-Q4", "--by", "month")

    assert 0 == result.exit_code, result.stderr
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    glance = shown.split("At a glance")[1]
    assert max(len(line) for line in glance.splitlines()) <= 40
    assert "…" not in glance  # 100.0% is never shown as 1…
    bars = [
        (bar, words[-1])
        for words in map(str.split, glance.splitlines())
        for bar in words
        if set(bar) <= set("█░·")
    ]
    # Each bar whole on one line, shorter than 30 cells, beside its share.
    assert [("█" * len(bars[0][0]), "100.0%"), ("░" * len(bars[0][0]), "0.0%"),
            ("·" * len(bars[0][0]), "-")] == bars  # fmt: skip


def test_json_holds_to_its_schema_with_the_period_before_and_each_area(
    run: Run, november: None
) -> None:
    result = run("report", "--period", "2026-11", "--compare", "previous", "--by", "area",
                 "--json")  # fmt: skip

    data = json.loads(result.stdout)
    assert [] == problems(data, SHAPES["report"][0]) + version_problems(data)
    assert ("2026-11", "2026-10", "area") == (
        data["period"],
        data["previous"]["period"],
        data["by"],
    )
    received = {(f["figure"], f["part"]): f["value"] for f in data["figures"]}
    assert (2, 1) == (received[("received", None)], received[("acknowledged_on_time", None)])
    assert "2026-12-01T00:00:00+00:00" == data["as_of"]
    assert ["(not yet routed)", "Casework"] == [g["group"] for g in data["groups"]]


def test_csv_has_a_row_per_figure_part_and_breakdown_with_the_period_before(
    run: Run, november: None
) -> None:
    result = run("report", "--period", "2026-11", "--by", "area", "--compare", "previous",
                 "--csv")  # fmt: skip

    rows = rows_of(result.stdout)
    assert "figure,part,breakdown,value,previous" == result.stdout.splitlines()[0]
    assert ["2", "1"] == rows[("received", "", "")]
    assert ["1", "1"] == rows[("received", "", "area=Casework")]  # October's Cat: Casework too
    assert ["1", "0"] == rows[("received", "", "area=(not yet routed)")]  # none in October
    assert ["", ""] == rows[("response_working_days_median", "", "")]


def test_by_month_gives_each_month_as_its_own_report(run: Run, november: None) -> None:
    result = run("report", "--period", "2026-Q4", "--by", "month", "--csv")

    rows = rows_of(result.stdout)
    assert [["1"], ["2"], ["0"], ["3"]] == [
        rows[("received", "", f"month={month}")] for month in ("2026-10", "2026-11", "2026-12")
    ] + [rows[("received", "", "")]]


def test_a_complaint_acknowledged_the_month_after_it_came_counts_in_no_month_but_the_quarter(
    run: Run,
) -> None:
    """README: a month counts what was settled by its end, so the months add up to the period
    only where each case's story ends in the month it began, even if every step was recorded
    as it happened."""
    as_it_happens(
        run, "log", "--consumer", "Dan Late", "--email", "dan@example.com", "--channel",
        "email", "--category", "delay", "--summary", "Slow", "--at", "2026-10-30T16:00",
    )  # fmt: skip
    as_it_happens(run, "ack", "SC-2026-000001", "--area", "Casework", "--at", "2026-11-02T10:00")

    with freeze_time(NOW):
        rows = rows_of(run("report", "--period", "2026-Q4", "--by", "month", "--csv").stdout)

    months = [f"month=2026-{month}" for month in ("10", "11", "12")]
    assert [["1"], ["0"], ["0"]] == [rows[("received", "", m)] for m in months]
    assert [["0"], ["0"], ["0"]] == [rows[("acknowledged_on_time", "", m)] for m in months]
    assert ["1"] == rows[("acknowledged_on_time", "", "")]


def test_a_complaint_logged_after_its_quarter_is_received_in_neither_quarter_but_the_year(
    run: Run,
) -> None:
    """README: the log is recorded after the cutoff like any late step; export still lists it."""
    with freeze_time("2026-10-01T09:00:00+01:00"):
        logged = run(
            "log", "--consumer", "Eve Post", "--email", "eve@example.com", "--channel", "post",
            "--category", "delay", "--summary", "Slow", "--at", "2026-09-30T15:00",
        )  # fmt: skip
    assert 0 == logged.exit_code, logged.stderr

    with freeze_time(NOW):
        counted = [run("report", "--period", period, "--cases", "received").stdout
                   for period in ("2026-Q3", "2026-Q4", "2026")]  # fmt: skip
        exported = run("export", "--from", "2026-07-01", "--to", "2026-09-30").stdout

    assert ["", "", "SC-2026-000001\n"] == counted
    assert "SC-2026-000001" in exported


def test_from_and_to_count_the_days_between_inclusive(run: Run, november: None) -> None:
    result = run("report", "--from", "2026-11-02", "--to", "2026-11-02", "--csv")
    assert ["1"] == rows_of(result.stdout)[("received", "", "")]


def test_as_of_replays_what_had_been_recorded_by_then(run: Run, november: None) -> None:
    # Before Bob's complaint was logged.
    result = run("report", "--period", "2026-11", "--as-of", "2026-11-30T09:00", "--csv")
    assert ["1"] == rows_of(result.stdout)[("received", "", "")]


def test_as_of_is_read_to_the_second_by_every_command_that_prints_it(
    run: Run, november: None
) -> None:
    """Bob's acknowledgement is due Thu 3 Dec 10:00:00. `--as-of 10:00:00.5` counted it
    breached in the queue, overdue, show and explain while each printed its `as_of` as
    10:00:00 (report printed the fraction), so that a script giving it back got another
    state. Now every command reads --as-of to the second, as it prints it and as now is
    read: the fraction is dropped, and the instant printed counts the same given back."""
    bob = "SC-2026-000002"

    def asked(*args: str) -> Any:
        result = run(*args, "--json")
        assert 0 == result.exit_code, result.stderr
        return json.loads(result.stdout)

    def as_of(printed: Any) -> set[str]:
        return {i["as_of"] for i in printed} if isinstance(printed, list) else {printed["as_of"]}

    with freeze_time("2026-12-10 12:00:00"):
        for command in (("queue",), ("overdue", "--due-within", "1h"), ("show", bob),
                        ("explain", bob), ("report", "--period", "2026-Q4")):  # fmt: skip
            fraction = asked(*command, "--as-of", "2026-12-03T10:00:00.5")
            second = asked(*command, "--as-of", "2026-12-03T10:00:00")
            assert {"2026-12-03T10:00:00+00:00"} == as_of(fraction), command
            assert second == fraction, command
            assert fraction == asked(*command, "--as-of", *as_of(fraction)), command
        queued = asked("queue", "--as-of", "2026-12-03T10:00:00.5")
        assert ["due-soon"] == [i["state"] for i in queued if i["ref"] == bob]
        late = asked("overdue", "--as-of", "2026-12-03T10:00:00.999999", "--due-within", "1h")
        assert ["due-soon"] == [i["state"] for i in late if i["ref"] == bob]
        assert [] == problems(asked("report", "--period", "2026-Q4"), SHAPES["report"][0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-13"), "--period: '2026-13' is neither a month (01 to 12) nor a "
         "financial year (2026-27, April to March)"),
        (("--period", "2026-11", "--from", "2026-11-01"), "give --period, or --from and --to, "
         "not both"),
        ((), "say which period: --period 2026-11|2026-Q4|2026|2026-27, or --from DATE --to DATE"),
        (("--from", "2026-11-01"), "--from needs --to DATE too: the period's first and last "
         "days"),
        (("--to", "2026-11-30"), "--to needs --from DATE too: the period's first and last days"),
        (("--from", "2026-11-30", "--to", "2026-11-01"), "the period ends (2026-11-01) before "
         "it begins (2026-11-30)"),
        (("--from", "30/11/2026", "--to", "2026-12-01"), "'30/11/2026' is not a date; write it "
         "as YYYY-MM-DD"),
        (("--period", "2026-12", "--as-of", "2026-11-30T12:00"), "the period 2026-12 begins "
         "after Mon 2026-11-30 12:00 GMT, the time it is counted to (now, or --as-of): there is "
         "nothing to count yet"),
        # no --as-of: a period still to come is not blamed on an option never given
        (("--period", "2027-01"), "the period 2027-01 begins after Wed 2026-12-02 12:00 GMT, "
         "the time it is counted to (now, or --as-of): there is nothing to count yet"),
        (("--period", "2026-12", "--json", "--csv"), "one of --json, --csv or --html at a time"),
        # --force with no page to replace: a script would believe it had replaced one
        (("--period", "2026-11", "--force"), "--force replaces the file --html names, and none "
         "is named: give --html FILE, or leave --force out"),
    ],
)  # fmt: skip
def test_a_period_asked_for_wrongly_exits_2_on_one_line(
    run: Run, args: tuple[str, ...], message: str
) -> None:
    with freeze_time(NOW):
        assert_one_line_error(run("report", *args), 2, message)


def test_an_as_of_to_come_in_a_period_not_over_is_refused_as_nothing_is_recorded_yet(
    run: Run, november: None
) -> None:
    """A report as recorded by a time to come would judge deadlines not yet passed as breached
    and count a period not yet begun."""
    for args in (
        ("--period", "2026-Q4", "--as-of", "2026-12-20T12:00"),
        ("--period", "2027-Q1", "--as-of", "2027-02-01"),
        ("--period", "2026-Q4", "--as-of", "2026-12-20T12:00", "--cases", "received"),
    ):
        result = run("report", *args)
        assert_one_line_error(result, 2, "--as-of ", whole=False)
        assert "is after now" in result.stderr, args
    # After a past period's end it changes nothing: the period's end is the cutoff.
    past = run("report", "--period", "2026-11", "--as-of", "2027-01-01", "--csv")
    assert past.stdout == run("report", "--period", "2026-11", "--csv").stdout


def test_an_unknown_breakdown_is_a_usage_error(run: Run) -> None:
    result = run("report", "--period", "2026-11", "--by", "owner")
    assert (2, "") == (result.exit_code, result.stdout)
    assert "'owner' is not one of" in result.stderr


def test_the_readme_defines_every_figure_in_the_words_of_the_code() -> None:
    from pathlib import Path

    from complaintctl.domain.figures import FIGURES

    readme = Path(__file__).parents[2] / "README.md"
    section = readme.read_text(encoding="utf-8").split("### `complaintctl report`")[1]
    section = section.split("\n### ")[0]
    missing = [f.name for f in FIGURES if f"| `{f.name}` | {f.unit} |" not in section]
    unsaid = [f.name for f in FIGURES if f.words.replace("|", "\\|") not in section]
    assert ([], []) == (missing, unsaid)


# -- the Board's page ------------------------------------------------------------------------


def test_html_is_one_printable_page_of_tables_saying_how_to_add_charts(
    run: Run, november: None, tmp_path: Path
) -> None:
    page = tmp_path / "board.html"
    result = run("report", "--period", "2026-Q4", "--compare", "previous", "--html", str(page))

    text = page.read_text(encoding="utf-8")
    assert (0, "", f"Wrote the 2026-Q4 report to {page}\n") == (
        result.exit_code, result.stdout, result.stderr,
    )  # fmt: skip
    assert 0o600 == page.stat().st_mode & 0o777
    assert text.startswith("<!DOCTYPE html>")
    # By month unless --by says otherwise, with the quarter before beside it.
    assert all(head in text for head in ("month: 2026-10", "month: 2026-12", "2026-Q3"))
    # Nothing fetched to open it: no script, stylesheet, image or link to elsewhere.
    assert [] == re.findall(r"<script|<link|<img|(?:src|href)=\"(?!#)", text)
    if not charts_installed():
        assert "pip install &#x27;complaintctl[charts]&#x27;" in text
    # Nothing of when it was made: the same figures make the same page (a chart's SVG
    # metadata held the time it was drawn).
    assert "<dc:date>" not in text


def test_a_cause_recorded_now_counts_0_in_the_period_before_not_no_value(
    run: Run, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    with freeze_time("2026-11-04T10:01:00+00:00"):
        assign = run(
            "--as", "sam.senior", "assign", "SC-2026-000001", "--to", "rita.responder",
            "--at", "2026-11-04T09:00",
        )  # fmt: skip
        assert 0 == assign.exit_code, assign.stderr
        respond = run(
            "--as", "sam.senior", "respond", "SC-2026-000001", "--decision", "upheld",
            "--summary", "Slow", "--cause", "delay", "--at", "2026-11-04T10:00",
        )  # fmt: skip
    assert 0 == respond.exit_code, respond.stderr
    args = ("report", "--period", "2026-11", "--compare", "previous", "--by", "area")

    piped = run(*args)
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("COLUMNS", "200")
    shown = re.sub(r"\x1b\[[0-9;]*m", "", run(*args).stdout)

    # October's responses recorded no cause: none recorded delay, 0 (not '-', no value)
    assert "causes\tdelay\t\t1\t0" in piped.stdout.splitlines()
    assert "causes\tdelay\tarea=Casework\t1\t0" in piped.stdout.splitlines()
    line = next(line for line in shown.splitlines() if "causes · delay" in line)
    # the whole, then October; (not yet routed), none in October; Casework, then October
    assert ["1", "0", "0", "0", "1", "0"] == line.replace("│", " ").split()[3:]


def test_html_puts_each_area_beside_the_same_area_in_the_period_before(
    run: Run, november: None, tmp_path: Path
) -> None:
    page = tmp_path / "board.html"
    result = run(
        "report", "--period", "2026-11", "--compare", "previous", "--by", "area",
        "--html", str(page),
    )  # fmt: skip

    assert 0 == result.exit_code, result.stderr
    shown = page.read_text(encoding="utf-8")
    assert "<th scope=col>area: Casework</th><th scope=col>area: Casework 2026-10</th>" in shown
    row = re.search(r"<tr><th scope=row>received</th>.*?</tr>", shown)
    assert row is not None
    # the whole, then October; (not yet routed), none in October (0); Casework, then October
    assert ["2", "1", "1", "0", "1", "1"] == re.findall(r'<td class="n">([^<]*)</td>', row[0])


def test_html_keeps_a_long_area_name_on_the_printed_page(
    run: Run, november: None, tmp_path: Path
) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    area = "Complaints" + "X" * 190  # a label as long as an area may be, without a space
    added = run("--as", "sam.senior", "staff", "add", "long.leader", "--name", "Lo Long",
                "--role", "leader", "--area", area)  # fmt: skip
    assert 0 == added.exit_code, added.stderr
    as_it_happens(run, "ack", "SC-2026-000002", "--area", area, "--at", "2026-12-01T10:00")
    page = tmp_path / "board.html"
    result = run(
        "report", "--period", "2026-Q4", "--compare", "previous", "--by", "area",
        "--html", str(page),
    )  # fmt: skip
    assert 0 == result.exit_code, result.stderr
    # Whole, with where it may break marked (<wbr>: no character of its own).
    shown = page.read_text(encoding="utf-8")
    assert f"<th scope=col>area: {area}</th>" in shown.replace("<wbr>", "")

    printed = weasyprint.HTML(filename=str(page)).render()

    def boxes(box: Any) -> Iterator[Any]:
        yield box
        for child in getattr(box, "children", None) or ():
            yield from boxes(child)

    for sheet in printed.pages:
        inside = sheet._page_box.content_box_x() + sheet._page_box.width  # within its margins
        for box in boxes(sheet._page_box):
            if type(box).__name__ == "TableBox":
                # Every column on the sheet: the long name folds rather than push the
                # areas after it off the page.
                assert box.position_x + box.margin_width() <= inside


def test_html_refuses_a_file_that_is_there_and_another_output_at_once(
    run: Run, november: None, tmp_path: Path
) -> None:
    page = tmp_path / "board.html"
    page.write_text("kept")
    refused = run("report", "--period", "2026-11", "--html", str(page))
    both = run("report", "--period", "2026-11", "--html", str(page), "--json")

    assert "kept" == page.read_text()
    assert_one_line_error(both, 2, "one of --json, --csv or --html at a time")
    assert (2, "") == (refused.exit_code, refused.stdout)
    assert refused.stderr.startswith("Error: ")
    assert 0 == run("report", "--period", "2026-11", "--html", str(page), "--force").exit_code
    assert "kept" != page.read_text()


def test_html_to_a_dash_is_refused_and_writes_no_file_of_that_name(
    run: Run, november: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    there = sorted(tmp_path.iterdir())
    for name in ("-", ""):
        result = run("report", "--period", "2026-11", "--html", name)
        assert_one_line_error(result, 2, f"--html writes a file: name it ({name!r} is not one)")
    assert there == sorted(tmp_path.iterdir())


def charts_installed() -> bool:
    from complaintctl import charts

    return charts.available()


@pytest.mark.skipif(not charts_installed(), reason="needs the charts extra (matplotlib)")
def test_with_the_charts_extra_the_page_draws_its_charts_inline(
    run: Run, november: None, tmp_path: Path
) -> None:
    page = tmp_path / "board.html"
    assert 0 == run("report", "--period", "2026-Q4", "--html", str(page)).exit_code

    text = page.read_text(encoding="utf-8")
    assert 4 == text.count("<svg")  # by month, on time, by channel, outcomes
    assert "pip install" not in text
    assert [] == re.findall(r"<script|<link|<img|(?:src|href)=\"(?!#)", text)
    chromium = shutil.which("chromium")
    if chromium is None:
        return
    shot = tmp_path / "shot.png"
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    # Without the background-networking flags Chromium waits on a closed network; a profile of
    # its own, so runs beside each other do not share one. No timeout: under the frozen clock
    # (the fixture's) subprocess's timeout would fire at once.
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={shot}",
         "--window-size=1200,1600", page.as_uri()],
        check=True, capture_output=True, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert shot.stat().st_size > 20_000  # a white page is a few kilobytes


# -- tracing a figure to its cases -----------------------------------------------------------


def test_cases_lists_the_references_a_count_counted(run: Run, november: None) -> None:
    first_stage = run("report", "--period", "2026-Q4", "--cases", "open_cases.first-stage")
    received = run("report", "--period", "2026-11", "--cases", "received")

    assert (0, "SC-2026-000001\nSC-2026-000003\n") == (first_stage.exit_code, first_stage.stdout)
    assert first_stage.stderr.startswith("2 counted in open_cases.first-stage for 2026-Q4, as ")
    assert "SC-2026-000001\nSC-2026-000002\n" == received.stdout


def test_cases_by_a_breakdown_gives_each_reference_beside_its_group(
    run: Run, november: None
) -> None:
    result = run("report", "--period", "2026-11", "--by", "channel", "--cases", "received")

    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert 0 == result.exit_code
    assert sorted(lines, key=lambda line: line[1]) == lines  # group by group
    assert ["SC-2026-000001", "SC-2026-000002"] == sorted(ref for ref, _ in lines)
    assert result.stderr.startswith(f"2 counted in received for 2026-11 by channel ({lines[0][1]} ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cases", "nothing"), "--cases: 'nothing' is not a figure; the README lists them "
         "(\"report\"), e.g. responded_late or open_cases.first-stage"),
        (("--cases", "open_cases"), "--cases: open_cases is counted by stage: say which, as "
         "open_cases.PART, PART one of received, first-stage, responded, second-stage, "
         "final-response, referred"),
        (("--cases", "open_cases.bogus"), "--cases: open_cases has no part 'bogus': it is "
         "counted by stage, as open_cases.PART, PART one of received, first-stage, "
         "responded, second-stage, final-response, referred"),
        (("--cases", "received_by_channel.Emial"), "--cases: received_by_channel has no part "
         "'emial': it is counted by channel, as received_by_channel.PART, PART one of online, "
         "email, post, phone, in-person"),
        (("--cases", "received.online"), "--cases: received has no parts"),
        # A dot with nothing after it: the name is checked first, then what it lacks.
        (("--cases", "received."), "--cases: received has no parts; leave the dot off"),
        (("--cases", "open_cases."), "--cases: open_cases is counted by stage: say which, as "
         "open_cases.PART, PART one of received, first-stage, responded, second-stage, "
         "final-response, referred"),
        (("--cases", "causes."), "--cases: causes is counted by cause: say which, as "
         "causes.PART, PART a cause as `cause list` names it, e.g. causes.delay"),
        (("--cases", "nothing."), "--cases: 'nothing.' is not a figure; the README lists "
         "them (\"report\"), e.g. responded_late or open_cases.first-stage"),
        (("--cases", "restrictions_decided."), "--cases: restrictions_decided counts "
         "restrictions, not cases"),
        (("--cases", "responded_on_time_share."), "--cases: responded_on_time_share is not "
         "a count of cases (share): the cases behind it are in the counts of its section "
         "(First-stage responses), e.g. responses_due and responded_on_time"),
        (("--cases", "causes"), "--cases: causes is counted by cause: say which, as "
         "causes.PART, PART a cause as `cause list` names it, e.g. causes.delay"),
        (("--cases", "causes.dealy"), "--cases: 'dealy' is not on the list of causes; the "
         "causes are delay, other, poor-communication, process-not-followed, staff-conduct, "
         "system-or-record-error, wrong-information (`complaintctl cause list`)"),
        (("--cases", "responded_on_time_share"), "--cases: responded_on_time_share is not a "
         "count of cases (share): the cases behind it are in the counts of its section "
         "(First-stage responses), e.g. responses_due and responded_on_time"),
        (("--cases", "acknowledged_on_time_share"), "--cases: acknowledged_on_time_share is "
         "not a count of cases (share): the cases behind it are in the counts of its section "
         "(Acknowledgements), e.g. acknowledged_on_time and acknowledged_late"),
        (("--cases", "restrictions_decided"), "--cases: restrictions_decided counts "
         "restrictions, not cases"),
        (("--cases", "received", "--json"), "--cases lists one figure's cases, one a line, on "
         "its own (or with --by, each case beside its group)"),
    ],
)  # fmt: skip
def test_cases_of_what_is_not_a_count_of_cases_exits_2_on_one_line(
    run: Run, args: tuple[str, ...], message: str
) -> None:
    with freeze_time(NOW):
        assert_one_line_error(run("report", "--period", "2026-11", *args), 2, message)


def test_html_and_cases_warn_as_the_report_does_of_a_period_before_the_known_bank_holidays(
    run: Run, tmp_path: Path
) -> None:
    """A period counting a case received before the bank holidays the store knows warns on
    stderr whichever way its figures are given: the page for the Board and the cases behind
    a figure are counted from the same deadlines as the table."""
    as_it_happens(run, *log_args("2011-12-05T10:00"))
    warning = "Warning: bank holidays are known only from"
    page = tmp_path / "board.html"
    with freeze_time(NOW):
        table = run("report", "--period", "2011-12")
        html = run("report", "--period", "2011-12", "--html", str(page))
        cases = run("report", "--period", "2011-12", "--cases", "received")

    assert (0, 0, 0) == (table.exit_code, html.exit_code, cases.exit_code)
    assert warning in table.stderr
    assert warning in html.stderr
    assert f"Wrote the 2011-12 report to {page}" in html.stderr
    assert (warning in cases.stderr, "SC-2011-000001\n") == (True, cases.stdout)


def test_a_bar_is_green_only_when_every_deadline_was_met_not_when_the_share_rounds_to_one() -> None:
    """Shares are kept to four places: 1 late acknowledgement of 20,000 is a share of 1.0 and
    79,999 on time of 100,000 one of 0.8. The colour says what README says it does: green when
    every one was on time, yellow from 80%, red below, counted from the numbers themselves."""
    from datetime import UTC, date, datetime

    from complaintctl.cli import render
    from complaintctl.domain.figures import Row
    from complaintctl.views import PeriodFigures, ReportView

    def glance_styles(counts: dict[str, int], share: float) -> list[str]:
        rows = (
            *(Row(name, None, value) for name, value in counts.items()),
            Row("acknowledged_on_time_share", None, share),
        )
        period = PeriodFigures(
            "2026", date(2026, 1, 1), date(2026, 12, 31),
            datetime(2027, 1, 1, tzinfo=UTC), rows,
        )  # fmt: skip
        glance = render._report_glance(ReportView("Europe/London", None, period), 120)
        return [str(cell.style) for cell in glance.columns[1]._cells]

    nearly_all = {"acknowledged_on_time": 19_999, "acknowledged_late": 1}
    just_under = {"acknowledged_on_time": 79_999, "acknowledgement_open_past_due": 20_001}
    every_one = {"acknowledged_on_time": 20_000}
    assert "yellow" == glance_styles(nearly_all, 1.0)[0]
    assert "red" == glance_styles(just_under, 0.8)[0]
    assert "green" == glance_styles(every_one, 1.0)[0]


def test_by_month_a_table_and_the_page_give_each_months_restrictions_as_json_and_csv_do(
    run: Run, november: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month is counted as its own report would be, restrictions too: the month's column at
    a terminal and on the Board's page holds them, as its group in JSON and CSV does. A
    group of cases (an area) has none: restrictions belong to consumers."""
    import typer.testing

    with freeze_time("2026-11-10T10:00:00+00:00"):
        ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com",
           "--scope", "procedure", "--reason", "Abusive calls")  # fmt: skip
    csv_rows = rows_of(run("report", "--period", "2026-Q4", "--by", "month", "--csv").stdout)
    page = tmp_path / "board.html"
    assert 0 == run("report", "--period", "2026-Q4", "--html", str(page)).exit_code
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("COLUMNS", "200")
    shown = re.sub(
        r"\x1b\[[0-9;]*m", "", run("report", "--period", "2026-Q4", "--by", "month").stdout
    )
    by_area = re.sub(
        r"\x1b\[[0-9;]*m", "", run("report", "--period", "2026-Q4", "--by", "area").stdout
    )

    # the quarter, then October, November, December
    months = [
        csv_rows[("restrictions_decided", "", f"month=2026-{m}")][0] for m in ("10", "11", "12")
    ]
    assert ["0", "1", "0"] == months
    line = next(line for line in shown.splitlines() if "restrictions_decided" in line)
    assert ["1", "0", "1", "0"] == line.replace("│", " ").split()[1:]
    row = re.search(r"<tr><th scope=row>restrictions_decided</th>.*?</tr>", page.read_text())
    assert row is not None
    assert ["1", "0", "1", "0"] == re.findall(r'<td class="n">([^<]*)</td>', row[0])
    # By area: the whole only, each area's column empty.
    line = next(line for line in by_area.splitlines() if "restrictions_decided" in line)
    assert ["1"] == line.replace("│", " ").split()[1:]
