"""`letter --format pdf` where WeasyPrint (the `pdf` extra) is not installed: it says how to get
it, and every other format is made as ever.

Real processes, run at the real time (not frozen: the case is logged and closed by them too),
with no mock of the store: a folder first on PYTHONPATH holds a weasyprint module that will not
import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def without_weasyprint(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """complaintctl as real processes in which `import weasyprint` fails, as where the pdf
    extra is not installed: a folder first on PYTHONPATH holds a weasyprint module that will
    not import. Each runs in `tmp_path`, never with a traceback."""
    hidden = tmp_path / "no-weasyprint"
    hidden.mkdir()
    (hidden / "weasyprint.py").write_text(
        'raise ImportError("No module named weasyprint (hidden by the test)")\n'
    )
    path = os.pathsep.join(p for p in (str(hidden), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "COMPLAINTCTL_USER": "officer.one"}

    def complaintctl(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "complaintctl", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    return complaintctl


def test_a_pdf_without_weasyprint_says_how_to_get_it_and_the_rest_still_works(
    tmp_path: Path,
) -> None:
    """Real processes in which `import weasyprint` fails (`without_weasyprint`), run at the
    real time, so the case is logged and closed by them too."""
    complaintctl = without_weasyprint(tmp_path)

    logged = complaintctl(
        "log", "--consumer", "Bob Brown", "--email", "bob@example.com", "--channel", "email",
        "--category", "delay", "--summary", "I disagree with the decision",
    )  # fmt: skip
    assert 0 == logged.returncode, logged.stderr
    ref = logged.stdout.strip()
    closed = complaintctl("close", ref, "--reason", "out-of-scope", "--because", "decision")
    assert 0 == closed.returncode, closed.stderr
    pdf = complaintctl("letter", ref, "out-of-scope", "--format", "pdf", "-o", "letter.pdf")
    assert 2 == pdf.returncode, pdf.stderr
    assert (
        "Error: PDFs need WeasyPrint: pip install 'complaintctl[pdf]' (it uses the "
        "system's Pango library: on Debian or Ubuntu, apt install libpango-1.0-0 "
        "libpangoft2-1.0-0); --format html prints to PDF from any browser\n"
    ) == pdf.stderr
    assert not (tmp_path / "letter.pdf").exists()
    # A consumer who prefers post gets HTML to print instead; other formats are made as ever.
    update = complaintctl("consumer", "update", "--email", "bob@example.com", "--prefers", "post")
    assert 0 == update.returncode, update.stderr
    made = complaintctl("letter", ref, "out-of-scope", "-o", "letter")
    assert 0 == made.returncode, made.stderr
    assert "out-of-scope letter (html," in made.stdout
    assert (tmp_path / "letter").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    text = complaintctl("letter", ref, "out-of-scope", "--format", "text")
    assert 0 == text.returncode, text.stderr
    assert "Dear Bob Brown," in text.stdout


def test_a_letter_in_another_format_never_loads_weasyprint(tmp_path: Path) -> None:
    """Only a PDF needs WeasyPrint, and loading it takes most of a second (and warns, where
    the system's HarfBuzz is old): a text, HTML or email letter, or one by email by
    preference, never imports it. Here importing it fails loudly."""
    loud = tmp_path / "loud-weasyprint"
    loud.mkdir()
    (loud / "weasyprint.py").write_text('raise RuntimeError("weasyprint was imported")\n')
    path = os.pathsep.join(p for p in (str(loud), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "COMPLAINTCTL_USER": "officer.one"}

    def complaintctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "complaintctl", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )

    logged = complaintctl(
        "log", "--consumer", "Bob Brown", "--email", "bob@example.com", "--channel", "email",
        "--category", "delay", "--summary", "I disagree with the decision",
    )  # fmt: skip
    assert 0 == logged.returncode, logged.stderr
    ref = logged.stdout.strip()
    closed = complaintctl("close", ref, "--reason", "out-of-scope", "--because", "decision")
    assert 0 == closed.returncode, closed.stderr
    for args in (["--format", "text"], ["--format", "html"], ["--format", "eml"], ["-o", "a"]):
        made = complaintctl("letter", ref, "out-of-scope", *args)
        assert (0, "") == (made.returncode, made.stderr), args


def test_a_pdf_export_without_weasyprint_says_how_to_get_it_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """`consumer export` and `sar done -o` as PDF, where the pdf extra is not installed: the
    same one line (the error is not about letters), no file, nothing recorded; HTML works."""
    complaintctl = without_weasyprint(tmp_path)

    logged = complaintctl(
        "log", "--consumer", "Bob Brown", "--email", "bob@example.com", "--channel", "email",
        "--category", "delay", "--summary", "No reply",
    )  # fmt: skip
    assert 0 == logged.returncode, logged.stderr
    opened = complaintctl("sar", "open", "--email", "bob@example.com", "--received", "2026-01-05")
    assert 0 == opened.returncode, opened.stderr
    missing = (
        "Error: PDFs need WeasyPrint: pip install 'complaintctl[pdf]' (it uses the "
        "system's Pango library: on Debian or Ubuntu, apt install libpango-1.0-0 "
        "libpangoft2-1.0-0); --format html prints to PDF from any browser\n"
    )
    for args in (
        ["consumer", "export", "--email", "bob@example.com", "-o", "bob.pdf"],
        ["sar", "done", "1", "-o", "bob.pdf"],
        ["sar", "done", "1", "-o", "bob.out", "--format", "pdf"],
    ):
        refused = complaintctl(*args)
        assert (2, "", missing) == (refused.returncode, refused.stdout, refused.stderr), args
    assert [] == sorted(p.name for p in tmp_path.glob("bob*"))
    shown = json.loads(complaintctl("sar", "show", "1", "--json").stdout)
    assert (None, None) == (shown["done_at"], shown["export_entry"])
    # No export was recorded for the request to be answered with.
    assert 5 == complaintctl("sar", "done", "1").returncode
    answered = complaintctl("sar", "done", "1", "-o", "bob.html")
    assert 0 == answered.returncode, answered.stderr
    assert (tmp_path / "bob.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
