"""`consumer export`: everything held about a person, for their subject-access request."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import select

from complaintctl.letters import pdf_available
from complaintctl.store.models import Event
from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok
from tests.conftest import UnitFactory
from tests.pdf import pdf_text

NOW = "2026-12-15 12:00:00"
HOSTILE = "Ann <script>alert(1)</script> {{ 7*7 }}"


@pytest.fixture
def ann(run: Run, tmp_path: Path) -> str:
    """Ann's case: acknowledged, its acknowledgement letter issued, a call noted, an incident,
    and a restriction in force; its reference."""
    ref = journey.log_case(run, at="2026-08-03T10:00", summary=HOSTILE)
    journey.ack(run, ref, at="2026-08-03T11:00")
    journey.step(run, "2026-08-03T12:00", "letter", ref, "acknowledgement", "--format", "html",
                 "-o", str(tmp_path / "ack.html"), "--issue")  # fmt: skip
    journey.step(run, "2026-08-04T10:00", "note", ref, "--text", "Called to explain",
                 "--direction", "out", "--channel", "phone")  # fmt: skip
    journey.step(run, "2026-08-04T11:00", "incident", ref, "--note", "Shouted at officer")
    journey.step(run, "2026-08-05T10:00", "--as", "sam.senior", "restrict", "add", "--email",
                 "ann@example.com", "--scope", "procedure", "--reason", "Abuse")  # fmt: skip
    return ref


def exports(unit: UnitFactory) -> list[tuple[str, dict[str, object]]]:
    with unit(write=False) as uow:
        rows = uow.session.exec(select(Event).where(Event.action == "consumer-exported")).all()
        return [(row.actor, json.loads(row.details)) for row in rows]


@freeze_time(NOW)
def test_the_json_export_holds_the_person_every_case_its_history_and_letters(
    run: Run, ann: str, tmp_path: Path, unit: UnitFactory
) -> None:
    out = tmp_path / "sar.json"

    result = ok(run, "consumer", "export", "--email", "ann@example.com", "-o", str(out))

    data = json.loads(out.read_text(encoding="utf-8"))
    (case,) = data["cases"]
    assert ("Ann Smith", "ann@example.com") == (data["consumer"]["name"], data["consumer"]["email"])
    assert ["procedure"] == [r["scope"] for r in data["consumer"]["restrictions"]]
    assert ["Shouted at officer"] == [i["note"] for i in data["consumer"]["incidents"]]
    assert HOSTILE == case["summary"]  # exact in JSON
    assert ["log", "acknowledge", "letter", "note", "incident", "restriction-decided"] == [
        e["action"] for e in case["history"]
    ]
    assert all(e["by"] for e in case["history"])  # who recorded each thing
    (letter,) = case["letters"]
    assert letter["same_template"]
    assert "Casework" in letter["text"]
    assert 0o600 == out.stat().st_mode & 0o777
    sha = result.stderr.split("sha256 ")[1].split(")")[0]
    # The export is recorded (who, the file's hash), not its content.
    assert [("officer.one", {"consumer_id": 1, "format": "json", "sha256": sha})] == exports(unit)


@freeze_time(NOW)
def test_the_export_holds_the_stores_own_entries_about_the_person(
    run: Run, ann: str, tmp_path: Path
) -> None:
    # A hold on the person is in no case's history: it is held about them all the same.
    journey.step(run, "2026-08-06T10:00", "--as", "sam.senior", "hold", "add", "--consumer-id",
                 "1", "--reason", "Litigation pending")  # fmt: skip
    out = tmp_path / "sar.json"

    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(out))

    held = json.loads(out.read_text(encoding="utf-8"))["store_history"]
    assert [("restriction-decided", "sam.senior"), ("legal-hold-added", "sam.senior")] == [
        (e["action"], e["by"]) for e in held
    ]
    assert "Litigation pending" in json.dumps(held[1]["details"])
    page = tmp_path / "sar.html"
    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(page))
    assert "Litigation pending" in page.read_text(encoding="utf-8")


def html_export(run: Run, tmp_path: Path) -> str:
    """Consumer 1's data exported as HTML, as the page reads."""
    out = tmp_path / "sar.html"
    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(out))
    return out.read_text(encoding="utf-8")


@freeze_time(NOW)
def test_the_html_export_shows_what_the_consumer_wrote_inert(
    run: Run, ann: str, tmp_path: Path
) -> None:
    html = html_export(run, tmp_path)

    assert "Personal data held about Ann Smith" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "<script>" not in html
    assert "Ann &lt;script&gt;alert(1)&lt;/script&gt; 49" not in html


@freeze_time(NOW)
def test_the_html_export_says_what_a_contact_restriction_limits_contact_to(
    run: Run, ann: str, tmp_path: Path
) -> None:
    """A restriction on contact is to one channel or through one officer: the table said
    `contact` alone, as if all contact were refused, where a matter's gives its dispute."""
    for how in (("--channel", "post"), ("--via", "officer.one")):
        journey.step(run, "2026-08-06T10:00", "--as", "sam.senior", "restrict", "add",
                     "--consumer-id", "1", "--scope", "contact", *how,
                     "--reason", "Calls")  # fmt: skip

    html = html_export(run, tmp_path)

    assert "<td>contact (only by post)</td>" in html
    assert "<td>contact (only via officer.one)</td>" in html


@freeze_time(NOW)
def test_the_html_export_gives_each_time_as_a_person_reads_it_in_the_stores_zone(
    run: Run, ann: str, tmp_path: Path
) -> None:
    # The JSON export's instants are ISO 8601 for programs; the page is for the person.
    html = html_export(run, tmp_path)
    assert "Exported Tue 2026-12-15 12:00 GMT by officer.one" in html
    assert "<th>Received</th><td>Mon 2026-08-03 10:00 BST by email</td>" in html  # summer time
    assert "issued Mon 2026-08-03 12:00 BST by officer.one" in html  # the letter
    assert "respond due: Thu 2026-08-06 11:00 BST" in html  # an instant among the details
    assert "<td>Fri 2027-02-05 10:00 GMT</td><td>in force</td>" in html  # the review's due
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)  # no ISO 8601 left


@freeze_time(NOW)
def test_the_html_export_writes_out_bidi_overrides_and_invisible_characters(
    run: Run, tmp_path: Path
) -> None:
    # As in the history rows and in letters: a browser never runs a bidi override or
    # hides a zero-width character in the name, the summary or a restriction's reason.
    journey.log_case(
        run,
        at="2026-08-03T10:00",
        consumer="Ann \u202eSmith\u200b",
        summary="Evil \u2066text\u2069\nline two",
        address="1 High St\n\u202eLeeds",
        adjustment="large\u202eprint",
    )
    journey.step(run, "2026-08-05T10:00", "--as", "sam.senior", "restrict", "add", "--email",
                 "ann@example.com", "--scope", "procedure", "--reason", "Ab\u202euse")  # fmt: skip

    html = html_export(run, tmp_path)

    assert not {"\u202e", "\u200b", "\u2066", "\u2069"} & set(html)
    assert "Personal data held about Ann &lt;U+202E&gt;Smith&lt;U+200B&gt;</h1>" in html
    assert "Evil &lt;U+2066&gt;text&lt;U+2069&gt;<br>line two<br>" in html
    assert "&lt;U+202E&gt;Leeds<br>" in html
    assert "large&lt;U+202E&gt;print" in html
    assert "Ab&lt;U+202E&gt;use" in html


needs_pdf_tools = pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftotext") is None,
    reason="needs WeasyPrint and poppler's pdftotext (.ci/run installs them)",
)


@needs_pdf_tools
@freeze_time(NOW)
def test_the_pdf_export_holds_every_detail_inside_the_page(
    run: Run, ann: str, tmp_path: Path
) -> None:
    # The history's details run long, with words that cannot break (instants, a file's
    # SHA-256): the page's tables must wrap them, not run them off the page's edge, where a
    # PDF cuts them and the person is never given what is held about them.
    journey.step(run, "2026-08-06T10:00", "--as", "sam.senior", "hold", "add", "--consumer-id",
                 "1", "--reason", "Litigation pending in the county court")  # fmt: skip
    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(tmp_path / "first.json"))
    out = tmp_path / "sar.pdf"

    ok(run, "consumer", "export", "--consumer-id", "1", "-o", str(out))

    text = pdf_text(out)
    flat = "".join(text.split())
    sha = hashlib.sha256((tmp_path / "first.json").read_bytes()).hexdigest()
    for held in ("Litigation pending in the county court", sha, "Calledtoexplain", "Abuse"):
        assert "".join(held.split()) in flat, held


@needs_pdf_tools
def test_a_pdf_export_of_the_longest_summary_with_no_space_is_made_whole_and_soon(
    run: Run, tmp_path: Path
) -> None:
    """A summary of the most a summary may hold (20,000 characters) with no space in it, a
    pasted link: each place it is shown (the case, the log's details, the letter issued) is
    wrapped inside the page, every character there. It took WeasyPrint over 14 minutes (the
    table measured its cell, wrapping anywhere, a character at a time, laying out the rest
    of the run each time): a real process, which must be done within 2 minutes (it takes a
    few seconds)."""
    summary = "https://example.org/?ref=1&page=" + "x" * (20_000 - 32)
    ref = journey.log_case(run, at="2026-08-03T10:00", summary=summary)
    journey.ack(run, ref, at="2026-08-03T11:00")
    journey.step(run, "2026-08-03T12:00", "letter", ref, "acknowledgement", "--format", "text",
                 "-o", str(tmp_path / "ack.txt"), "--issue")  # fmt: skip
    out = tmp_path / "sar.pdf"

    command = [sys.executable, "-m", "complaintctl", "consumer", "export", "--email",
               "ann@example.com", "-o", str(out)]  # fmt: skip
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )

    assert 0 == done.returncode, done.stderr
    text = pdf_text(out)
    assert 3 == "".join(text.split()).count(summary)
    # A line of the page holds at most about 90 of these characters at 10 points.
    assert max(len(line) for line in text.splitlines()) <= 100


@needs_pdf_tools
def test_a_long_name_with_no_space_wraps_in_the_pdf_exports_heading(
    run: Run, tmp_path: Path
) -> None:
    """The heading names the person: a name as long as a name may be (200 characters), with
    no space, is there whole, wrapped, not cut off at the page's edge."""
    name = "N" * 200
    journey.log_case(run, at="2026-08-03T10:00", consumer=name)
    out = tmp_path / "sar.pdf"

    ok(run, "consumer", "export", "--email", "ann@example.com", "-o", str(out))

    text = pdf_text(out)
    assert "".join(text.split()).startswith(f"Personaldataheldabout{name}Exported")


@freeze_time(NOW)
def test_a_refused_export_writes_no_file_and_records_nothing(
    run: Run, ann: str, tmp_path: Path, unit: UnitFactory
) -> None:
    there = tmp_path / "there.json"
    there.write_text("keep")

    unknown = run("consumer", "export", "--email", "nobody@example.com", "-o", str(tmp_path / "a"))
    existing = run("consumer", "export", "--consumer-id", "1", "-o", str(there))
    not_staff = run("--as", "mallory", "consumer", "export", "--consumer-id", "1",
                    "-o", str(tmp_path / "b.json"))  # fmt: skip

    assert (4, 2, 6) == (unknown.exit_code, existing.exit_code, not_staff.exit_code)
    assert all(r.stderr.startswith("Error: ") for r in (unknown, existing, not_staff))
    assert "keep" == there.read_text()
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b.json").exists()
    assert [] == exports(unit)
