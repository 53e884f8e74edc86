"""Reading a PDF as a person's reader shows it: its text through poppler's pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(path: Path) -> str:
    """The text of the PDF at `path`, as pdftotext extracts it (UTF-8)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
