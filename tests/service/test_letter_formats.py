"""Letters in each format, read as a person would read them: the PDF's text as poppler's
`pdftotext` extracts it, its page size and its type size measured; the email parsed by the
standard library; the HTML opened, and printed, by a real headless Chromium.

The tools come from the system (`.ci/run` installs them: poppler-utils, chromium, and Pango for
WeasyPrint, the `pdf` extra); a test needing one that is absent is skipped, saying which.
"""

from __future__ import annotations

import email
import email.policy
import http.server
import os
import re
import shutil
import statistics
import struct
import subprocess
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import update

from complaintctl import services
from complaintctl.config import Organisation
from complaintctl.domain.letters import LetterFormat
from complaintctl.errors import InvalidInput
from complaintctl.letters import BUILT_IN, LONG_RUN, pdf_available
from complaintctl.store.models import Consumer
from complaintctl.views import Letter
from tests.conftest import UnitFactory
from tests.pdf import pdf_text
from tests.service.journey import NOW, act, log, t
from tests.service.letters_journey import (
    ALL_KINDS,
    ANN_ADDRESS,
    ann_at_every_step,
    journey,
    large_print,
    letter,
    required_values,
    said,
    squashed,
)

CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)

needs_weasyprint = pytest.mark.skipif(
    not pdf_available(),
    reason="needs WeasyPrint and Pango: pip install -e '.[pdf]' and apt install "
    "libpango-1.0-0 libpangoft2-1.0-0 (.ci/run installs both)",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="needs poppler's pdftotext and pdfinfo: apt install poppler-utils (.ci/run does)",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs a headless Chromium: apt install chromium (.ci/run does)"
)

A4 = (595.28, 841.89)  # points


@dataclass(frozen=True)
class Cases:
    """Ann's case through every step (and Ann restricted), Bob's closed out of scope."""

    unit: UnitFactory
    ann: str
    bob: str

    def ref(self, kind: str) -> str:
        return self.bob if kind == "out-of-scope" else self.ann

    def letter(self, kind: str, format: LetterFormat) -> Letter:
        return letter(self.unit, self.ref(kind), kind, format)


@pytest.fixture
def cases(unit: UnitFactory) -> Cases:
    made = journey(unit)
    return Cases(unit, made.ann, made.bob)


# -- reading PDFs --------------------------------------------------------------------------


def pdf_pages(path: Path) -> tuple[int, list[tuple[float, float]]]:
    """How many pages, and each page's size in points, as pdfinfo reports them."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "1000", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    ]
    return pages, sizes


def word_heights(path: Path) -> dict[str, list[float]]:
    """Each word of the PDF and the heights of its boxes (`pdftotext -bbox`), in points: for
    one font, proportional to the size it is set in."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    heights: dict[str, list[float]] = {}
    for y_min, y_max, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', bbox
    ):
        heights.setdefault(word, []).append(float(y_max) - float(y_min))
    return heights


def sizes(path: Path, per_point: float) -> list[float]:
    """The size in points of every word of the PDF, given a word's height per point."""
    return [height / per_point for found in word_heights(path).values() for height in found]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# -- PDF ---------------------------------------------------------------------------------------


@needs_weasyprint
@needs_poppler
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_pdfs_text_holds_everything_its_kind_must_carry_on_a4(
    cases: Cases, tmp_path: Path, kind: str
) -> None:
    made = cases.letter(kind, LetterFormat.PDF)
    path = write(tmp_path, "letter.pdf", made.content)
    text = squashed(pdf_text(path))
    missing = [value for value in required_values(made) if squashed(value) not in text]
    assert [] == missing
    assert squashed(made.facts["subject"]) in text
    pages, sizes = pdf_pages(path)
    assert 1 <= pages <= 2
    assert all(size == pytest.approx(A4, abs=0.5) for size in sizes)
    assert pages == len(sizes)


@needs_weasyprint
def test_the_same_facts_make_the_same_pdf_bytes(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="final")
    first = letter(unit, ref, "final-response", LetterFormat.PDF, issue=True)
    again = letter(unit, ref, "final-response", LetterFormat.PDF, at=t("2027-06-30T12:00"))
    assert (first.content, True) == (again.content, again.same_bytes)
    assert first.content.startswith(b"%PDF-")


@needs_weasyprint
@needs_poppler
def test_large_print_sets_every_word_of_the_pdf_at_16_points_or_more(
    unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="final")
    normal = letter(unit, ref, "final-response", LetterFormat.PDF).content
    large_print(unit)
    made = letter(unit, ref, "final-response", LetterFormat.PDF)
    normal_pdf = write(tmp_path, "normal.pdf", normal)
    large_pdf = write(tmp_path, "large.pdf", made.content)
    # "Dear" is body text, set at 11pt in the normal letter: every word measured against it.
    per_point = statistics.median(word_heights(normal_pdf)["Dear"]) / 11
    assert min(sizes(normal_pdf, per_point)) < 10  # the normal letter's sender block: 9.35pt
    assert min(sizes(large_pdf, per_point)) >= 16 - 0.05
    assert 18 == pytest.approx(
        statistics.median(word_heights(large_pdf)["Dear"]) / per_point, abs=0.2
    )
    text = squashed(pdf_text(large_pdf))
    assert [] == [value for value in required_values(made) if squashed(value) not in text]
    pages, page_sizes = pdf_pages(large_pdf)
    assert pages >= 2
    assert all(size == pytest.approx(A4, abs=0.5) for size in page_sizes)


@needs_weasyprint
@needs_poppler
def test_a_very_long_word_from_the_consumer_wraps_inside_the_pdfs_page(
    unit: UnitFactory, tmp_path: Path
) -> None:
    """A word wider than the page (a pasted link, a run of one letter) breaks across lines
    rather than running off the paper, where the consumer's own words would be lost."""
    word = "Q" * 300
    name = "Z" * 120
    ref = log(unit, t("2026-11-30T10:00"), consumer=name, address=ANN_ADDRESS, summary=word)
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    made = letter(unit, ref, "acknowledgement", LetterFormat.PDF)
    text = pdf_text(write(tmp_path, "long.pdf", made.content))
    assert 300 == text.count("Q")
    assert 120 * 2 == text.count("Z")  # the address block and "Dear …"


@needs_weasyprint
@needs_poppler
def test_the_longest_summary_as_one_run_is_laid_out_in_pieces_and_all_on_the_page(
    unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The longest summary allowed, 20,000 characters with no space (a run of one letter, or of
    emoji: each a character of its own), reaches WeasyPrint with a break point at least every
    LONG_RUN characters, as WeasyPrint lays out the rest of a run again for each line it
    breaks off it (seconds for a run of 5,000, for every letter made); every character is in
    the PDF's text, inside the page's width."""
    import weasyprint

    given: list[str] = []
    real = weasyprint.HTML

    def html(*args: object, string: str, **kwargs: object) -> object:
        given.append(string)
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", html)
    summary = "Q" * 15_000 + "\U0001f600" * 5_000
    ref = log(unit, t("2026-11-30T10:00"), address=ANN_ADDRESS, summary=summary)
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )

    made = letter(unit, ref, "acknowledgement", LetterFormat.PDF)

    path = write(tmp_path, "long.pdf", made.content)
    text = pdf_text(path)
    assert (15_000, 5_000) == (text.count("Q"), text.count("\U0001f600"))
    assert [] == [run for run in re.findall(r"[^\s<>]+", given[0]) if len(run) > LONG_RUN]
    boxes = word_boxes(path)
    assert boxes
    assert all(x_min >= 0 for _, x_min, _, _ in boxes)
    page_boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', page_boxes)]
    assert max(right) <= A4[0] - 20 / 25.4 * 72 + 1  # inside the right margin


def word_boxes(path: Path) -> list[tuple[str, float, float, float]]:
    """Each word of the PDF's first page with its left edge, top and bottom, in points."""
    bbox = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [
        (unescape(word), float(x_min), float(y_min), float(y_max))
        for x_min, y_min, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            bbox,
        )
    ]


@needs_weasyprint
@needs_poppler
@pytest.mark.parametrize("print_size", ["normal", "large"])
def test_a_long_address_pushes_the_letter_down_rather_than_printing_over_it(
    unit: UnitFactory, tmp_path: Path, print_size: str
) -> None:
    """The consumer's address starts in the envelope's window (20 mm from the left, 45 mm from
    the top); one longer than the window has room for moves the date and what follows down."""
    lines = [f"Line{n} of a long address in Little Snoring" for n in range(1, 10)]
    ref = log(unit, t("2026-11-30T10:00"), address="\n".join(lines), summary="Slow")
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    if print_size == "large":
        large_print(unit)
    made = letter(unit, ref, "acknowledgement", LetterFormat.PDF)
    words = word_boxes(write(tmp_path, "address.pdf", made.content))
    ann = next(box for box in words if box[0] == "Ann")
    last_line = max(box[3] for box in words if box[0] == "Line9")
    date = min(box[2] for box in words if box[0] == "Tuesday")
    mm = 72 / 25.4
    assert ann[1] == pytest.approx(20 * mm, abs=1)
    assert 45 * mm <= ann[2] <= 45 * mm + 8
    assert last_line < date


@needs_weasyprint
def test_a_pdf_fetches_nothing_a_template_points_at_but_data_urls(
    unit: UnitFactory, tmp_path: Path
) -> None:
    """An organisation's template naming a file on this machine, or a web address, makes a
    letter without either: the tool reads no file and asks no server for a letter."""
    pixel = tmp_path / "pixel.png"
    pixel.write_bytes(png())
    requests: list[str] = []
    with http_server(requests) as base:
        with urllib.request.urlopen(f"{base}/control", timeout=10) as response:
            assert 200 == response.status  # the server notes what is asked of it
        folder = tmp_path / "templates"
        folder.mkdir()
        source = (BUILT_IN / "final-response.html").read_text(encoding="utf-8")
        outside = (
            f'<img src="file://{pixel}"><img src="file:///etc/passwd">'
            f'<img src="{base}/logo.png"><link rel="stylesheet" href="{base}/style.css">'
            f"<style>@import url('{base}/more.css'); body {{ background: url('{base}/bg.png') }}"
            "</style><h2>"
        )
        (folder / "final-response.html").write_text(source.replace("<h2>", outside))
        ref = ann_at_every_step(unit, until="final")
        made = letter(unit, ref, "final-response", LetterFormat.PDF, templates=folder)
        # The same template with the picture inline, as a data: URL, shows it.
        inline = f'<img src="data:image/png;base64,{b64(png())}"><h2>'
        (folder / "final-response.html").write_text(source.replace("<h2>", inline))
        with_picture = letter(unit, ref, "final-response", LetterFormat.PDF, templates=folder)
    assert ["/control"] == requests
    assert made.content.startswith(b"%PDF-")
    if shutil.which("pdfimages"):
        assert 0 == images_in(write(tmp_path, "fetched.pdf", made.content))
        assert 1 == images_in(write(tmp_path, "inline.pdf", with_picture.content))


@needs_weasyprint
def test_an_inline_svg_image_with_a_long_run_in_its_data_url_is_in_the_pdf(
    unit: UnitFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A `data:image/svg+xml;utf8,<svg …>` image holds raw `>` and may hold a run longer than
    `LONG_RUN`: the break points given to long runs of the letter's text leave it whole, so
    WeasyPrint loads it rather than leaving it out of every PDF letter."""
    folder = tmp_path / "templates"
    folder.mkdir()
    source = (BUILT_IN / "final-response.html").read_text(encoding="utf-8")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='10'>"
        f"<rect width='40' height='10' fill='red'/><desc>{'A' * (2 * LONG_RUN)}</desc></svg>"
    )
    (folder / "final-response.html").write_text(
        source.replace("<h2>", f'<img src="data:image/svg+xml;utf8,{svg}"><h2>')
    )
    ref = ann_at_every_step(unit, until="final")

    made = letter(unit, ref, "final-response", LetterFormat.PDF, templates=folder)

    assert made.content.startswith(b"%PDF-")
    assert [] == [r.getMessage()[:80] for r in caplog.records if "image" in r.getMessage()]


def images_in(path: Path) -> int:
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    return len(listing) - 2  # a header line and a rule, then one line an image


def png() -> bytes:
    """A 2x2 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png())

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def http_server(requests: list[str]) -> Iterator[str]:
    """A web server on this machine that notes every request made of it; its base URL."""
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- email -------------------------------------------------------------------------------------


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_email_is_to_the_consumer_about_the_case_in_plain_text_and_html(
    cases: Cases, kind: str
) -> None:
    made = cases.letter(kind, LetterFormat.EML)
    message = parsed(made.content)
    ref = cases.ref(kind)
    name, address = (
        ("Bob Brown", "bob@example.com") if ref == cases.bob else ("Ann Smith", "ann@example.com")
    )
    (to,) = message["To"].addresses
    (sender,) = message["From"].addresses
    assert (name, address) == (to.display_name, to.addr_spec)
    assert ("Communications Ombudsman", Organisation().email) == (
        sender.display_name,
        sender.addr_spec,
    )
    assert ref in message["Subject"]
    # A long Subject is folded onto a line of its own: the parser keeps the fold's space.
    assert message["Subject"].strip().startswith(made.facts["subject"])
    assert NOW == message["Date"].datetime
    assert message["Message-ID"].strip().startswith(f"<{ref}.{kind}.")
    assert "multipart/alternative" == message.get_content_type()
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert [] == [v for v in required_values(made) if said(v) not in said(plain)]
    assert [] == [v for v in required_values(made) if said(v) not in said(unescape(html))]
    assert "<p>" not in plain
    assert f"<p>Dear {name},</p>" in html
    assert not message.defects
    assert all(len(line) <= 998 for line in made.content.split(b"\r\n"))


def test_an_email_to_a_consumer_with_no_email_is_refused(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"), email=None, address="1 High Street, Warrington")
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    with pytest.raises(InvalidInput, match="the consumer has no email on record"):
        letter(unit, ref, "acknowledgement", LetterFormat.EML)


@pytest.mark.parametrize(
    ("consumer", "sender", "refusal"),
    [
        ("ann@exämple.org", None, "cannot be sent to 'ann@exämple.org', the consumer's email"),
        ("<ann@example.com>", None, "cannot be sent to '<ann@example.com>', the consumer's"),
        ("ann@example.com", "", "the organisation has no email to send the letter from"),
        ("ann@example.com", "x@", "cannot be sent from 'x@', organisation.email in the config"),
        ("ann@example.com", "<cr@example.org>", "cannot be sent from '<cr@example.org>'"),
    ],
)
def test_an_email_to_or_from_an_address_a_header_cannot_carry_is_refused_naming_it(
    unit: UnitFactory, consumer: str, sender: str | None, refusal: str
) -> None:
    """An address that is not plain ASCII, or that a mail header cannot hold, is refused
    naming it and whose it is, not a traceback or 'the input cannot be read'."""
    ref = log(unit, t("2026-11-30T10:00"), email="ann@example.com")
    with unit() as uow:  # as a store holds it from before `log` refused such an address
        uow.session.connection().execute(update(Consumer).values(email=consumer))
        uow.commit()
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    organisation = Organisation() if sender is None else Organisation(email=sender)
    with pytest.raises(InvalidInput, match=re.escape(refusal)) as refused:
        letter(unit, ref, "acknowledgement", LetterFormat.EML, organisation=organisation)
    assert str(refused.value).endswith("use --format pdf or html")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "name",
    ["=?utf-8?q?Mallory=0D=0ABcc:_spy@evil.example?=", "=?utf-8?b?QmNjOiBzcHlAZXZpbC5leGFtcGxl?="],
)
def test_a_name_written_as_an_encoded_word_cannot_add_a_header_to_the_email(
    unit: UnitFactory, name: str
) -> None:
    """A consumer's name is printable text, but one shaped as an RFC 2047 encoded word would
    be decoded as the email is written: a line break in it would start a header of its own
    (a Bcc: that `sendmail -t` sends the letter to)."""
    ref = log(unit, t("2026-11-30T10:00"), consumer=name, summary="Slow")
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    made = letter(unit, ref, "acknowledgement", LetterFormat.EML)
    head = made.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert [] == [line for line in head.split("\r\n") if line.lower().startswith("bcc")]
    message = parsed(made.content)
    (to,) = message["To"].addresses
    assert "ann@example.com" == to.addr_spec
    assert name == to.display_name.replace("= ?", "=?")  # shown as written, but for a space
    assert None is message["Bcc"]
    assert f"Dear {name}," in said(made.content)


@pytest.mark.parametrize(
    "name",
    [
        "Smith, Ann (writing for her mother, Mrs Jane Smith, of Flat 2 Rose Court)",
        "Eve <script>alert(1)</script> {{7*7}} {% if 1 %}X{% endif %} and a tail",
        'Ann "the consumer" Smith, with a name long enough to fold the header line',
    ],
)
def test_a_long_name_needing_quotes_is_one_recipient_of_the_email(
    unit: UnitFactory, name: str
) -> None:
    """A name with a comma, angle brackets or quotes is written quoted in the To: line; one
    too long for a line is folded without losing its quotes, which would turn the words
    around a comma or a `<…>` into recipients of their own (`sendmail -t` sends to them)."""
    ref = log(unit, t("2026-11-30T10:00"), consumer=name, summary="Slow")
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    organisation = Organisation(name=f"Customer Relations, {name}", email="cr@example.org")
    made = letter(unit, ref, "acknowledgement", LetterFormat.EML, organisation=organisation)
    head = made.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 78 for line in head.split("\r\n")), head
    message = parsed(made.content)
    (to,) = message["To"].addresses
    assert ("ann@example.com", name) == (to.addr_spec, to.display_name)
    (sender,) = message["From"].addresses
    assert ("cr@example.org", f"Customer Relations, {name}") == (
        sender.addr_spec,
        sender.display_name,
    )


# -- HTML in a real browser ------------------------------------------------------------------


def chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    assert 0 == result.returncode, result.stderr[-2000:]
    return result


@needs_chromium
@needs_poppler
@pytest.mark.parametrize("kind", ["acknowledgement", "final-response"])
def test_chromium_prints_the_html_letter_on_a4_pages_holding_what_it_must_carry(
    cases: Cases, tmp_path: Path, kind: str
) -> None:
    made = cases.letter(kind, LetterFormat.HTML)
    page = write(tmp_path, "letter.html", made.content)
    printed = tmp_path / "printed.pdf"
    chromium(tmp_path, page, f"--print-to-pdf={printed}")
    pages, page_sizes = pdf_pages(printed)
    assert 1 <= pages <= 2
    assert all(size == pytest.approx(A4, abs=1.0) for size in page_sizes)
    text = squashed(pdf_text(printed))
    assert [] == [v for v in required_values(made) if squashed(v) not in text]
    dom = chromium(tmp_path, page, "--dump-dom").stdout
    assert "<p>Dear Ann Smith,</p>" in dom
    assert "<script" not in dom


@needs_chromium
@needs_poppler
def test_chromium_shows_a_hostile_name_as_text_and_large_print_at_16_points(
    unit: UnitFactory, tmp_path: Path
) -> None:
    name = "Ann <script>document.title='owned'</script><img src=x onerror=alert(1)> {{ 7*7 }}"
    ref = log(unit, t("2026-11-30T10:00"), consumer=name)
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )
    normal = write(
        tmp_path, "normal.html", letter(unit, ref, "acknowledgement", LetterFormat.HTML).content
    )
    large_print(unit)
    large = write(
        tmp_path, "large.html", letter(unit, ref, "acknowledgement", LetterFormat.HTML).content
    )
    dom = chromium(tmp_path, large, "--dump-dom").stdout
    assert "<script" not in dom
    assert "<img" not in dom
    assert "<title>Acknowledgement of your complaint" in dom  # no script ran to change it
    for page, out in ((normal, "normal.pdf"), (large, "large.pdf")):
        chromium(tmp_path, page, f"--print-to-pdf={tmp_path / out}")
    assert "{{ 7*7 }}" in pdf_text(tmp_path / "large.pdf")
    assert "<script>document.title='owned'</script>" in said(pdf_text(tmp_path / "large.pdf"))
    scale = statistics.median(word_heights(tmp_path / "normal.pdf")["Dear"]) / 11
    assert min(sizes(tmp_path / "large.pdf", scale)) >= 16 - 0.05
    pages, _ = pdf_pages(tmp_path / "large.pdf")
    assert 1 <= pages <= 3
