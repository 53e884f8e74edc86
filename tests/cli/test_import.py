"""`import` end to end: files as spreadsheets and mailboxes write them, stdin, and a killed run.

The store is compared through `export` before and after: a refused or dry run changes nothing.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine

from complaintctl.store.db import resolve_url
from tests.cli.conftest import Run, proc_as_root
from tests.conftest import POSTGRES, UnitFactory, dump_store

HEADER = ["source_id", "consumer", "email", "channel", "category", "summary", "received_at"]


def row(n: int, **changes: str) -> dict[str, str]:
    return {
        "source_id": f"form-{n}",
        "consumer": f"Person {n}",
        "email": f"p{n}@example.com",
        "channel": "online",
        "category": "delay",
        "summary": f"Complaint {n}: nobody replied",
        "received_at": f"2026-12-{n:02d}T10:00",
        **changes,
    }


def csv_text(rows: list[dict[str, str]], header: list[str] = HEADER, end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator=end)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def records(*rows: dict[str, str]) -> str:
    """Rows as CSV lines with Windows line ends, as spreadsheet programs write, no header."""
    return csv_text(list(rows), end="\r\n").split("\r\n", 1)[1]


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def exported(run: Run) -> str:
    result = run("export")
    assert 0 == result.exit_code, result.stderr
    return result.stdout


def exported_rows(run: Run, tmp_path: Path | None = None) -> list[dict[str, str]]:
    """The export's rows; read from a file (`-o`) when line ends inside fields matter."""
    if tmp_path is None:
        return list(csv.DictReader(io.StringIO(exported(run))))
    out = tmp_path / "export.csv"
    assert 0 == run("export", "-o", str(out)).exit_code
    with out.open(encoding="utf-8", newline="") as data:
        return list(csv.DictReader(data))


def imported(run: Run, *args: str, input: str | None = None) -> str:
    result = run("import", *args, input=input)
    assert 0 == result.exit_code, result.stderr
    return result.stdout


# -- files that import -------------------------------------------------------------------------


@freeze_time("2026-12-15 12:00:00")
def test_a_form_that_writes_its_choices_in_any_case_imports(run: Run, tmp_path: Path) -> None:
    header = [*HEADER, "preferred_contact"]
    rows = [
        {**row(1, channel="Email", category="Delay"), "preferred_contact": "Post"},
        {**row(2, channel="ONLINE", category="explanation"), "preferred_contact": "EMAIL"},
    ]
    path = write(tmp_path / "form.csv", csv_text(rows, header))

    imported(run, str(path))

    assert [("email", "delay", "post"), ("online", "explanation", "email")] == [
        (r["channel"], r["category"], r["preferred_contact"]) for r in exported_rows(run, tmp_path)
    ]


@freeze_time("2026-12-15 12:00:00")
def test_a_spreadsheet_csv_with_bom_quotes_newlines_and_blank_lines_imports(
    run: Run, tmp_path: Path
) -> None:
    long_summary = "I wrote, and wrote again. " * 769 + "Please"  # 20,000 characters
    assert 20_000 == len(long_summary)
    header, first, second, third = (
        csv_text([], end="\r\n"),
        records(row(1, summary='Late, rude, and "unhelpful"')),
        records(row(2, summary="First paragraph.\r\n\r\nSecond paragraph, with a comma.")),
        records(row(3, summary=long_summary)),
    )
    text = "\r\n".join([header + first, second, "", third])  # blank lines among the rows
    path = write(tmp_path / "mailbox.csv", text, bom=True)

    result = run("import", str(path))

    assert (0, "Imported 3 new of 3 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )
    assert [
        ("SC-2026-000001", "form-1", "Person 1", 'Late, rude, and "unhelpful"'),
        (  # line ends kept as one newline each, whichever system wrote them
            "SC-2026-000002",
            "form-2",
            "Person 2",
            "First paragraph.\n\nSecond paragraph, with a comma.",
        ),
        ("SC-2026-000003", "form-3", "Person 3", long_summary),
    ] == [
        (r["ref"], r["source_id"], r["consumer"], r["summary"])
        for r in exported_rows(run, tmp_path)
    ]


@freeze_time("2026-12-15 12:00:00")
def test_an_imported_case_is_a_case_like_a_logged_one(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1)]))
    imported(run, str(path))

    case = json.loads(run("show", "SC-2026-000001", "--json").stdout)

    assert (
        "received",
        "2026-12-01T10:00:00+00:00",
        "officer.one",
        [("acknowledge", "2026-12-04T10:00:00+00:00")],
        {"imported_from": "batch.csv", "line": 2},
    ) == (
        case["stage"],
        case["received_at"],
        case["logged_by"],
        [(d["kind"], d["due"]) for d in case["deadlines"]],
        {k: case["history"][0]["details"][k] for k in ("imported_from", "line")},
    )


@freeze_time("2026-12-15 12:00:00")
def test_a_file_whose_name_is_not_utf8_imports_its_name_recorded_by_its_bytes(
    run: Run, tmp_path: Path
) -> None:
    """A file name is bytes on Linux: one in Latin-1 (`caf\xe9.csv`) imports like any other,
    each case naming it with the byte that is not UTF-8 written out."""
    path = write(tmp_path / os.fsdecode(b"caf\xe9.csv"), csv_text([row(1)]))

    imported(run, str(path))

    case = json.loads(run("show", "SC-2026-000001", "--json").stdout)
    assert "caf\\xe9.csv" == case["history"][0]["details"]["imported_from"]


@freeze_time("2026-12-15 12:00:00")
def test_import_warns_as_log_does_when_a_deadline_falls_outside_the_known_bank_holidays(
    run: Run, tmp_path: Path
) -> None:
    # The store, created now, knows the bank holidays of 2021 to 2031. The third is received
    # on the last day before them and falls due in January 2021: counted from 2020 all the same.
    old = [row(n, received_at=f"2020-12-{n:02d}T10:00") for n in (1, 2)]
    old.append(row(4, received_at="2020-12-31T16:00"))
    path = write(tmp_path / "batch.csv", csv_text([*old, row(3)]))

    result = run("import", str(path))

    assert (
        0,
        [
            "Warning (SC-2020-000001, SC-2020-000002 and SC-2020-000003): bank holidays are "
            "known only from "
            "2021-01-01 to 2031-12-31; a deadline counted from before them assumes there were "
            "none and may be early by a holiday; earlier years cannot be added, so check the days "
            "it counted (`complaintctl explain REF`) against that year's bank holidays"
        ],
    ) == (result.exit_code, result.stderr.splitlines())


@freeze_time("2026-12-15 12:00:00")
def test_columns_in_any_order_and_case_and_unknown_columns_are_accepted(
    run: Run, tmp_path: Path
) -> None:
    text = (
        " Summary ,Received_At,CONSUMER,notes,Email,Channel,Category\n"
        "Slow,2026-12-01T10:00,Ann Smith,ignored,ann@example.com,email,delay\n"
    )
    path = write(tmp_path / "batch.csv", text)

    assert "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n" == imported(
        run, str(path)
    )


@freeze_time("2026-12-15 12:00:00")
def test_two_columns_of_one_name_the_import_ignores_are_accepted(run: Run, tmp_path: Path) -> None:
    # A form's export with two "Notes" columns: only a field read twice is ambiguous.
    text = (
        "consumer,email,channel,category,summary,received_at,Notes,notes\n"
        "Ann Smith,ann@example.com,email,delay,Slow,2026-12-01T10:00,one,two\n"
    )
    path = write(tmp_path / "batch.csv", text)

    assert "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n" == imported(
        run, str(path)
    )


# -- bad batches -------------------------------------------------------------------------------


@freeze_time("2026-12-15 12:00:00")
def test_a_summary_over_20000_characters_refuses_the_batch_naming_its_line(
    run: Run, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "batch.csv",
        csv_text([row(1), row(2, summary="I wrote again and again. " * 800 + "x")]),
    )

    result = run("import", str(path))

    assert (
        2,
        "",
        [
            "line 3: summary: is 20,001 characters; at most 20,000",
            "Error: 1 of 2 rows cannot be imported, so none was; fix them, or use "
            "--skip-invalid to import the rest",
        ],
    ) == (result.exit_code, result.stdout, result.stderr.splitlines())
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_batch_of_one_bad_row_says_row(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "one.csv", csv_text([row(1, summary="")]))

    result = run("import", str(path))

    assert (2, "Error: 1 of 1 row cannot be imported, so none was; fix them, or use "
            "--skip-invalid to import the rest") == (result.exit_code,
                                                     result.stderr.splitlines()[-1])  # fmt: skip


@freeze_time("2026-12-15 12:00:00")
def test_a_batch_with_bad_rows_lists_every_one_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(1)]))))
    before = exported(run)
    path = write(
        tmp_path / "batch.csv",
        csv_text(
            [
                row(2, channel="fax"),
                row(3),
                row(4, summary="Two\nlines", received_at="2026-10-25T01:30"),
                row(5, email="nobody"),
            ]
        ),
    )

    result = run("import", str(path))

    assert (
        2,
        [
            "line 2: channel: 'fax' is not one of online, email, post, phone, in-person",
            "line 4: received_at: 2026-10-25T01:30 happens twice in Europe/London: the clocks "
            "go back then; write 2026-10-25T01:30:00+01:00 for the first or "
            "2026-10-25T01:30:00+00:00 for the second",
            "line 6: email: 'nobody' is not an email address",
            "Error: 3 of 4 rows cannot be imported, so none was; fix them, or use "
            "--skip-invalid to import the rest",
        ],
    ) == (result.exit_code, result.stderr.splitlines())
    assert before == exported(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_file_that_is_not_utf8_is_refused_with_one_error_and_writes_nothing(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        csv_text([row(1), row(2, consumer="Ren\u00e9e D\u00e9sir\u00e9e")]).encode("latin-1")
    )

    result = run("import", str(path))

    # It says how to make the file readable: a spreadsheet's plain CSV is Windows-1252.
    resave = "save it again as UTF-8 (in Excel: Save As, CSV UTF-8 (Comma delimited)), or "
    convert = f"iconv -f windows-1252 -t utf-8 {path} > {tmp_path / 'latin1-utf8.csv'}"
    assert (
        2,
        "",
        f"Error: {path} is not UTF-8 text (line 3, byte 0xe9): {resave}if it is Windows-1252 "
        f"(Latin-1), convert it: {convert}\n",
    ) == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    assert [] == exported_rows(run)

    piped = run("import", "-", "--format", "csv", input=path.read_bytes())

    assert (
        2,
        f"Error: stdin is not UTF-8 text (line 3, byte 0xe9): {resave}if it is Windows-1252 "
        "(Latin-1), convert it: pipe it through iconv -f windows-1252 -t utf-8 first\n",
    ) == (
        piped.exit_code,
        piped.stderr,
    )
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_byte_that_is_not_utf8_far_into_the_file_is_refused_naming_its_line(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    rows = [row(n) for n in range(1, 2001)] + [row(2001, consumer="Ren\u00e9e")]
    path.write_bytes(csv_text(rows, end="\r\n").encode("latin-1"))

    result = run("import", str(path))

    assert (2, f"Error: {path} is not UTF-8 text (line 2002, byte 0xe9): save it") == (
        result.exit_code,
        result.stderr[: len(f"Error: {path} is not UTF-8 text (line 2002, byte 0xe9): save it")],
    )
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_file_that_is_not_csv_is_refused_naming_the_line_and_writes_nothing(
    run: Run, tmp_path: Path
) -> None:
    # Row 2 runs over lines 2-3; line 4's summary has a quote after its quoted part.
    path = write(
        tmp_path / "form.csv",
        csv_text([row(1, summary="two\nlines")])
        + records(row(2)).replace("Complaint 2: nobody replied", '"27" screen" broke'),
    )

    result = run("import", str(path), "--skip-invalid")

    assert (2, "", f"Error: {path} is not valid CSV: line 4: ',' expected after '\"'") == (
        result.exit_code,
        result.stdout,
        result.stderr.split(": a field", 1)[0],
    )
    assert 1 == len(result.stderr.splitlines())
    assert [] == exported_rows(run)
    assert not (tmp_path / "form.rejects.csv").exists()


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize(
    ("encoding", "mark", "named", "iconv"),
    [
        # Excel's "Unicode text", with its byte-order mark: not "byte 0xff on line 1".
        ("utf-16", b"", "UTF-16 text", "utf-16"),
        # Its byte-order mark begins as UTF-16's does (little-endian) or with two zero bytes
        # (big-endian): converting it from UTF-16 or Windows-1252 would give nonsense.
        ("utf-32", b"", "UTF-32 text", "utf-32"),
        ("utf-32-be", b"\x00\x00\xfe\xff", "UTF-32 text", "utf-32"),
        # Every byte of it is UTF-8 (a NUL beside each letter): read as such, its header named
        # columns like 'n\x00a\x00m\x00e\x00' and said the required ones were missing.
        ("utf-16le", b"", "UTF-16 text with no byte-order mark", "utf-16le"),
        ("utf-16be", b"", "UTF-16 text with no byte-order mark", "utf-16be"),
    ],
)
def test_a_file_in_wide_unicode_is_refused_naming_it_and_how_to_convert_it(
    run: Run, tmp_path: Path, encoding: str, mark: bytes, named: str, iconv: str
) -> None:
    path = tmp_path / "form.csv"
    path.write_bytes(mark + csv_text([row(1)]).encode(encoding))

    utf8 = tmp_path / "form-utf8.csv"
    for given, name, convert in (
        ((str(path),), str(path), f"iconv -f {iconv} -t utf-8 {path} > {utf8}"),
        (("-",), "stdin", f"pipe it through iconv -f {iconv} -t utf-8 first"),
    ):  # fmt: skip
        result = run("import", *given, input=path.read_bytes())
        assert (
            2,
            f"Error: {name} is {named}, not UTF-8: save it again as UTF-8 (in Excel: Save As, "
            f"CSV UTF-8 (Comma delimited)), or convert it: {convert}\n",
        ) == (result.exit_code, result.stderr)
    assert [] == exported_rows(run)


# A PNG's first bytes; a program's (ELF); 16-bit numbers, as a sound file holds them: a NUL
# beside each byte, as UTF-16 has beside each letter, but no letters; a workbook (a ZIP) whose
# first byte that is not UTF-8 comes after its NULs.
_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
_ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00\x01\x00\x00\x00\xd0g"
_SAMPLES = bytes(b for n in range(1, 200) for b in (n % 7 + 1, 0))
_ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\xc4"


@pytest.mark.parametrize("data", [_PNG, _ELF, _SAMPLES, _ZIP], ids=["png", "elf", "pcm", "zip"])
def test_a_binary_file_is_refused_as_not_text_rather_than_named_an_encoding(
    run: Run, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "form.csv"
    path.write_bytes(data * 50)

    for given, name in (((str(path),), str(path)), (("-",), "stdin")):
        result = run("import", *given, "--format", "csv", input=path.read_bytes())
        assert 2 == result.exit_code, result.stderr
        assert result.stderr.startswith(f"Error: {name} is not a text file (it holds byte 0x"), (
            result.stderr
        )
        assert ("UTF-16" not in result.stderr, "iconv" not in result.stderr) == (True, True)
    assert [] == exported_rows(run)


@pytest.mark.parametrize("encoding", ["utf-16le", "utf-16be"])
def test_wide_unicode_without_a_mark_holding_letters_beyond_latin_is_named_so(
    run: Run, tmp_path: Path, encoding: str
) -> None:
    # `ą` is U+0105 and `И` U+0418: a byte of each is a control byte's, the other not a NUL.
    path = tmp_path / "form.csv"
    path.write_bytes(csv_text([row(1, consumer="Anna Bąk Иванова")]).encode(encoding))

    result = run("import", str(path))

    assert 2 == result.exit_code
    assert "is UTF-16 text with no byte-order mark, not UTF-8: save it" in result.stderr


def test_a_short_windows_1252_file_with_one_stray_control_byte_is_named_windows_1252(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "form.csv"
    path.write_bytes(csv_text([row(1, consumer="Renée", summary="a\x01b")]).encode("cp1252"))

    result = run("import", str(path))

    assert 2 == result.exit_code
    assert "if it is Windows-1252 (Latin-1), convert it" in result.stderr, result.stderr


def test_a_nul_in_a_field_of_a_text_file_is_that_rows_refusal_not_the_files(
    run: Run, tmp_path: Path
) -> None:
    path = write(tmp_path / "form.csv", csv_text([row(1, summary="x\x00y"), row(2)]))

    result = run("import", str(path), "--skip-invalid")

    assert 10 == result.exit_code, result.stderr
    assert "line 2: summary: holds the control character \\x00\n" == result.stderr


@freeze_time("2026-12-15 12:00:00")
def test_a_restricted_consumers_row_refuses_the_batch_naming_the_row(
    run: Run, tmp_path: Path
) -> None:
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(1)]))))
    restricted = run(
        "--as",
        "sam.senior",
        "restrict",
        "add",
        "--email",
        "p1@example.com",
        "--scope",
        "procedure",
        "--reason",
        "Unreasonably persistent",
        "--at",
        "2026-12-02T10:00",
    )
    assert 0 == restricted.exit_code, restricted.stderr
    before = exported(run)
    path = write(tmp_path / "batch.csv", csv_text([row(2), row(3, email="P1@example.com")]))

    result = run("import", str(path))

    lines = result.stderr.splitlines()
    assert (2, 2, True) == (
        result.exit_code,
        len(lines),
        lines[0].startswith("line 3: consumer: Person 1 is restricted: restriction 1 ("),
    )
    assert before == exported(run)


def test_someone_who_is_not_staff_cannot_import(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1, received_at="2026-11-02T10:00")]))

    result = run("--as", "stranger", "import", str(path))

    assert (6, []) == (result.exit_code, exported_rows(run))


@freeze_time("2026-12-15 12:00:00")
def test_a_clean_import_through_a_pipe_prints_no_progress(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(n) for n in range(1, 11)]))

    result = run("import", str(path))

    assert (0, "") == (result.exit_code, result.stderr)


# -- re-imports and rejects --------------------------------------------------------------------


@freeze_time("2026-12-15 12:00:00")
def test_rows_repeated_in_the_file_are_not_said_to_be_already_in_the_store(
    run: Run, tmp_path: Path
) -> None:
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(1)]))))
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2), row(2), row(3), row(2)]))

    assert (
        "Imported 2 new of 5 rows; 1 already in the store; 2 repeating an earlier row; 0 rejected\n"
    ) == imported(run, str(path))
    again = write(tmp_path / "again.csv", csv_text([row(1), row(4), row(4)]))
    report = json.loads(imported(run, str(again), "--json"))
    assert (3, 1, 2) == (report["rows"], report["new"], report["duplicates"])


@freeze_time("2026-12-15 12:00:00")
def test_importing_the_same_file_again_finds_only_duplicates_and_changes_nothing(
    run: Run, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "batch.csv",
        csv_text([row(1), row(2, source_id=""), row(3, summary="With, a comma\nand a newline")]),
    )
    imported(run, str(path))
    before = exported(run)

    again = imported(run, str(path))

    assert "Imported 0 new of 3 rows; 3 already in the store; 0 rejected\n" == again
    assert before == exported(run)


@freeze_time("2026-12-15 12:00:00")
def test_skip_invalid_writes_the_bad_rows_with_an_error_column_next_to_the_file(
    run: Run, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "mailbox.csv",
        csv_text([row(1), row(2, channel="fax"), row(3), row(4, email="nobody")]),
    )
    rejects = tmp_path / "mailbox.rejects.csv"

    result = run("import", str(path), "--skip-invalid")

    assert (
        10,  # some rows rejected, the rest imported
        "Imported 2 new of 4 rows; 0 already in the store; 2 rejected "
        f"(written with reasons to {rejects})\n",
        [
            "line 3: channel: 'fax' is not one of online, email, post, phone, in-person",
            "line 5: email: 'nobody' is not an email address",
        ],
    ) == (result.exit_code, result.stdout, result.stderr.splitlines())
    written = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    assert [
        (
            "Person 2",
            "fax",
            "line 3: channel: 'fax' is not one of online, email, post, phone, in-person",
        ),
        ("Person 4", "online", "line 5: email: 'nobody' is not an email address"),
    ] == [(r["consumer"], r["channel"], r["error"]) for r in written]
    assert ["form-1", "form-3"] == [r["source_id"] for r in exported_rows(run)]


@freeze_time("2026-12-15 12:00:00")
def test_skip_invalid_with_every_row_rejected_imports_nothing_and_exits_9(
    run: Run, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "mailbox.csv", csv_text([row(1, channel="fax"), row(2, email="nobody")])
    )

    result = run("import", str(path), "--skip-invalid", "--json")

    report = json.loads(result.stdout)
    assert (9, 0, 2) == (result.exit_code, report["new"], report["rejected"])
    assert (tmp_path / "mailbox.rejects.csv").exists()


@freeze_time("2026-12-15 12:00:00")
def test_a_fixed_rejects_file_imports_cleanly(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path / "mailbox.csv",
        csv_text([row(1), row(2, channel="fax"), row(3, email="nobody")]),
    )
    assert 10 == run("import", str(path), "--skip-invalid").exit_code
    rejects = tmp_path / "mailbox.rejects.csv"
    fixed = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    fixed[0]["channel"] = "email"
    fixed[1]["email"] = "p3@example.com"
    with rejects.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(fixed[0]))
        writer.writeheader()
        writer.writerows(fixed)

    result = run("import", str(rejects))

    assert (0, "Imported 2 new of 2 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    ), result.stderr
    assert [("form-1", "online"), ("form-2", "email"), ("form-3", "online")] == [
        (r["source_id"], r["channel"]) for r in exported_rows(run)
    ]


@freeze_time("2026-12-15 12:00:00")
def test_a_row_with_too_many_values_keeps_its_values_in_the_rejects_file(
    run: Run, tmp_path: Path
) -> None:
    # A summary with an unquoted comma, as a hand-made file may have: the row must not be lost.
    text = csv_text([row(1)]) + (
        "form-2,Dan Jones,dan@example.com,email,delay,Late, and rude,2026-12-02T10:00\n"
    )
    path = write(tmp_path / "mailbox.csv", text)

    result = run("import", str(path), "--skip-invalid")

    assert (10, ["line 3: has 8 values for 7 columns"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )
    rejects = (tmp_path / "mailbox.rejects.csv").read_text(encoding="utf-8")
    assert (True, True) == ("Dan Jones" in rejects, "Late, and rude" in rejects.replace('"', ""))


@freeze_time("2026-12-15 12:00:00")
def test_skip_invalid_with_rejects_chooses_where_the_bad_rows_go(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, category="rudeness")]))
    chosen = tmp_path / "elsewhere" / "bad.csv"
    chosen.parent.mkdir()

    result = run("import", str(path), "--skip-invalid", "--rejects", str(chosen))

    assert (10, False, ["Person 2"]) == (
        result.exit_code,
        (tmp_path / "batch.rejects.csv").exists(),
        [r["consumer"] for r in csv.DictReader(chosen.open(encoding="utf-8"))],
    )


def test_rejects_naming_the_file_being_imported_is_refused_even_with_force(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    text = csv_text([row(1), row(2, category="rudeness")])
    path = write(tmp_path / "batch.csv", text)
    (tmp_path / "link.csv").hardlink_to(path)
    before = dump_store(store_url)

    refused = [
        run("import", str(path), "--skip-invalid", "--rejects", str(named), "--force")
        for named in (path, tmp_path / "." / "batch.csv", tmp_path / "link.csv")
    ]

    assert [(2, True)] * 3 == [
        (r.exit_code, "is the file being imported; name another" in r.stderr) for r in refused
    ]
    assert (text, before) == (path.read_text(encoding="utf-8"), dump_store(store_url))


def test_rejects_naming_the_file_stdin_reads_is_refused_even_with_force(
    tmp_path: Path, store_url: str
) -> None:
    # `import - < batch.csv`: stdin is that file, read by the real program (CliRunner's stdin
    # is no file). --force would replace it with its own bad rows, the good ones lost from it.
    text = csv_text([row(1), row(2, category="rudeness")])
    path = write(tmp_path / "batch.csv", text)
    before = dump_store(store_url)

    with path.open("rb") as stdin:
        process = subprocess.run(
            [sys.executable, "-m", "complaintctl", "import", "-", "--skip-invalid"]
            + ["--rejects", str(path), "--force"],
            env={**os.environ, "COMPLAINTCTL_DB": store_url, "COMPLAINTCTL_USER": "officer.one"},
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert (2, f"Error: --rejects {path} is the file stdin reads; name another\n") == (
        process.returncode,
        process.stderr,
    )
    assert (text, before) == (path.read_text(encoding="utf-8"), dump_store(store_url))


@freeze_time("2026-12-15 12:00:00")
def test_skip_invalid_on_a_clean_batch_writes_no_rejects_file(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1)]))

    imported(run, str(path), "--skip-invalid")

    assert ["batch.csv"] == sorted(p.name for p in tmp_path.iterdir() if p.is_file())


# -- JSON Lines and stdin ----------------------------------------------------------------------


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@freeze_time("2026-12-15 12:00:00")
def test_json_lines_on_stdin_import_with_format_jsonl(run: Run) -> None:
    text = jsonl(row(1), {**row(2), "adjustments": ["bsl"], "board": True}) + "\n"

    result = run("import", "-", "--format", "jsonl", input=text)

    assert (0, "Imported 2 new of 2 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )
    case = json.loads(run("show", "SC-2026-000002", "--json").stdout)
    assert (["bsl"], True) == (case["consumer"]["adjustments"], case["board"])
    assert "stdin" == case["history"][0]["details"]["imported_from"]


@freeze_time("2026-12-15 12:00:00")
def test_json_lines_on_stdin_are_recognised_without_format(run: Run) -> None:
    result = run("import", "-", input="\n" + jsonl(row(1), row(2)))

    assert (0, "Imported 2 new of 2 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )


@freeze_time("2026-12-15 12:00:00")
def test_csv_on_stdin_is_recognised_without_format(run: Run) -> None:
    result = run("import", "-", input="\ufeff" + csv_text([row(1)]))

    assert (0, "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )


@freeze_time("2026-12-15 12:00:00")
def test_a_jsonl_file_is_known_by_its_extension(run: Run, tmp_path: Path) -> None:
    for name in ("batch.jsonl", "other.NDJSON"):
        write(tmp_path / name, jsonl(row(1 if name == "batch.jsonl" else 2)))

    assert [
        "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n",
        "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n",
    ] == [imported(run, str(tmp_path / name)) for name in ("batch.jsonl", "other.NDJSON")]


@freeze_time("2026-12-15 12:00:00")
def test_json_lines_rejects_are_written_as_json_lines(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.jsonl", jsonl(row(1), row(2, channel="fax")) + "oops\n")

    result = run("import", str(path), "--skip-invalid")

    assert 10 == result.exit_code, result.stderr
    written = [
        json.loads(line)
        for line in (tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [
        ("fax", "line 2: channel: 'fax' is not one of online, email, post, phone, in-person"),
        (None, "line 3: not JSON: Expecting value"),
    ] == [(r.get("channel"), r["error"]) for r in written]


@freeze_time("2026-12-15 12:00:00")
def test_nan_or_infinity_in_json_lines_is_a_bad_row_and_its_rejects_file_is_json(
    run: Run, tmp_path: Path
) -> None:
    good = json.dumps(row(1))
    nan = json.dumps(row(2)).replace('"Complaint 2: nobody replied"', "NaN")
    huge = json.dumps({**row(3), "board": 0}).replace('"board": 0', '"board": 1e999')
    path = write(tmp_path / "batch.jsonl", f"{good}\n{nan}\n{huge}\n")

    refused = run("import", str(path))

    assert (
        2,
        "line 2: not JSON: NaN is not a JSON value\n"
        "line 3: not JSON complaintctl can read (a number or nesting too large)\n"
        "Error: 2 of 3 rows cannot be imported, so none was; fix them, or use --skip-invalid "
        "to import the rest\n",
    ) == (refused.exit_code, refused.stderr)
    assert [] == exported_rows(run)

    result = run("import", str(path), "--skip-invalid")

    assert 10 == result.exit_code, result.stderr
    rejected = (tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()

    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} in the rejects file")

    assert [nan, huge] == [json.loads(line, parse_constant=no_constant)["raw"] for line in rejected]
    assert ["Complaint 1: nobody replied"] == [r["summary"] for r in exported_rows(run)]


def test_stdin_with_skip_invalid_needs_a_rejects_path(run: Run) -> None:
    result = run("import", "-", "--skip-invalid", input=csv_text([row(1)]))

    assert (
        2,
        "Error: reading stdin, --skip-invalid needs --rejects PATH for the bad rows\n",
    ) == (result.exit_code, result.stderr)
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize("named", ["-", "", " "])
def test_rejects_named_dash_or_nothing_is_refused_not_a_file_so_named(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    # A file named '-' (or stdin.rejects.csv for nothing) made in the current folder.
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    text = csv_text([row(1), row(2, email="not-an-email")])

    result = run("import", "-", "--skip-invalid", "--rejects", named, input=text)

    assert (2, f"Error: --rejects writes a file: name it ({named!r} is not one)\n") == (
        result.exit_code,
        result.stderr,
    )
    assert ([], []) == (exported_rows(run), list(here.iterdir()))


@freeze_time("2026-12-15 12:00:00")
def test_stdin_with_skip_invalid_writes_the_rejects_where_it_is_told(
    run: Run, tmp_path: Path
) -> None:
    rejects = tmp_path / "bad.jsonl"

    result = run(
        "import",
        "-",
        "--skip-invalid",
        "--rejects",
        str(rejects),
        input=jsonl(row(1), row(2, category="rudeness")),
    )

    assert (10, ["Person 2"]) == (
        result.exit_code,
        [json.loads(line)["consumer"] for line in rejects.read_text().splitlines()],
    )


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize("option", [("--rejects", "bad.csv"), ("--force",)])
def test_a_rejects_option_without_skip_invalid_is_refused_not_ignored(
    run: Run, tmp_path: Path, option: tuple[str, ...]
) -> None:
    # Without --skip-invalid no rejects file is ever written: a script would wait for it.
    path = tmp_path / "form.csv"
    path.write_text(csv_text([row(1)]), encoding="utf-8")

    result = run("import", str(path), *option)

    assert (2, True) == (
        result.exit_code,
        result.stderr.startswith(f"Error: {option[0]} is for the rejects file --skip-invalid"),
    )
    assert [] == exported_rows(run)


# -- dry run and JSON --------------------------------------------------------------------------


@freeze_time("2026-12-15 12:00:00")
def test_a_dry_run_says_what_would_be_imported_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(1)]))))
    before = exported(run)
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2), row(3)]))

    result = run("import", str(path), "--dry-run")

    assert (0, "Would import 2 new of 3 rows; 1 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )
    assert before == exported(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_dry_run_with_skip_invalid_writes_no_rejects_file(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, channel="fax")]))

    result = run("import", str(path), "--dry-run", "--skip-invalid")

    # Nothing was imported: 9, as any dry run's refusal, not 10 ("imported the rest").
    assert (9, "Would import 1 new of 2 rows; 0 already in the store; 1 rejected\n", False) == (
        result.exit_code,
        result.stdout,
        (tmp_path / "batch.rejects.csv").exists(),
    )
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_dry_run_refuses_a_rejects_file_there_already_as_the_real_run_does(
    run: Run, tmp_path: Path
) -> None:
    # It said it would import the good rows (exit 9), where the real run refuses, exit 2.
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, channel="fax")]))
    kept = write(tmp_path / "batch.rejects.csv", "last week's rejects\n")

    tried, real = (run("import", str(path), "--skip-invalid", *dry) for dry in (["--dry-run"], []))

    assert [2, 2] == [tried.exit_code, real.exit_code], tried.stdout
    assert tried.stderr == real.stderr
    assert "batch.rejects.csv" in tried.stderr
    assert ("last week's rejects\n", []) == (kept.read_text(encoding="utf-8"), exported_rows(run))


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize(
    "where",
    [
        pytest.param("{out}/" + "r" * 240 + ".csv", id="a-name-too-long-for-the-temporary-one"),
        pytest.param("{out}/read-only/rejects.csv", id="a-folder-that-may-not-be-written"),
        proc_as_root("rejects.csv"),
    ],
)
def test_a_dry_run_refuses_a_rejects_file_that_cannot_be_made_as_the_real_run_does(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # The dry run said it would import the good rows (exit 9); the real run, once it had
    # read the whole batch, could not make the rejects file (under a longer temporary name
    # beside it) and imported nothing, exit 12.
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, channel="fax")]))
    out = tmp_path / "out"
    (out / "read-only").mkdir(parents=True)
    real_open = os.open

    def guarded_open(p: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(os.fsdecode(p)).parent == out / "read-only":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(p))
        return real_open(p, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)  # mode 555, as to its owner (not root)
    rejects = Path(where.format(out=out))
    args = ("import", str(path), "--skip-invalid", "--rejects", str(rejects))

    tried, real = (run(*args, *dry) for dry in (["--dry-run"], []))

    assert [12, 12] == [tried.exit_code, real.exit_code], tried.stdout
    assert tried.stderr == real.stderr
    assert real.stderr.startswith(f"Error: cannot write {rejects}: ")
    assert ([], ["read-only"]) == (exported_rows(run), [p.name for p in out.iterdir()])
    assert [] == list((out / "read-only").iterdir())


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize("dry", [[], ["--dry-run"]])
def test_rejects_to_a_device_is_refused_without_pointing_at_stdout(
    run: Run, tmp_path: Path, dry: list[str]
) -> None:
    # It said to write to stdout and redirect it, which the bad rows cannot be.
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, channel="fax")]))

    result = run("import", str(path), "--skip-invalid", "--rejects", os.devnull, *dry)

    assert (2, f"Error: {os.devnull} is not a regular file; name a new file\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_json_output_gives_the_counts_references_and_rejects(run: Run, tmp_path: Path) -> None:
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(1)]))))
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2), row(3, channel="fax")]))

    result = run("import", str(path), "--skip-invalid", "--json")

    assert 10 == result.exit_code, result.stderr
    assert {
        "schema_version": 2,
        "rows": 3,
        "new": 1,
        "duplicates": 1,
        "rejected": 1,
        "dry_run": False,
        "refs": ["SC-2026-000002"],
        "rejects_file": str(tmp_path / "batch.rejects.csv"),
        "rejects": [
            {
                "line": 4,
                "field": "channel",
                "reason": "'fax' is not one of online, email, post, phone, in-person",
            }
        ],
    } == json.loads(result.stdout)


@freeze_time("2026-12-15 12:00:00")
def test_json_output_of_a_clean_dry_run(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1)]))

    result = run("import", str(path), "--dry-run", "--json")

    assert {
        "schema_version": 2,
        "rows": 1,
        "new": 1,
        "duplicates": 0,
        "rejected": 0,
        "dry_run": True,
        "refs": ["SC-2026-000001"],
        "rejects_file": None,
        "rejects": [],
    } == json.loads(result.stdout)


# -- files that cannot be read -----------------------------------------------------------------


def test_an_unknown_extension_without_format_is_refused(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.txt", csv_text([row(1)]))

    result = run("import", str(path))

    assert (
        2,
        "Error: cannot tell the format of batch.txt from its name; give --format csv or jsonl\n",
    ) == (result.exit_code, result.stderr)


@freeze_time("2026-12-15 12:00:00")
def test_an_unknown_extension_with_format_imports(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.txt", csv_text([row(1)]))

    assert "Imported 1 new of 1 rows; 0 already in the store; 0 rejected\n" == imported(
        run, str(path), "--format", "csv"
    )


def test_a_missing_file_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "missing.csv"))

    assert (2, f"Error: no file {tmp_path / 'missing.csv'}\n") == (
        result.exit_code,
        result.stderr,
    )


@pytest.mark.parametrize("name", ["missing", "folder"])
def test_a_path_with_no_file_is_said_so_before_its_format_is_asked_for(
    run: Run, tmp_path: Path, name: str
) -> None:
    """`import ~/exports` or a mistyped name: what is wrong is the path, not a missing
    --format."""
    (tmp_path / "folder").mkdir()
    result = run("import", str(tmp_path / name))

    said = "is a folder" if name == "folder" else "no file"
    assert 2 == result.exit_code
    assert said in result.stderr, result.stderr
    assert "--format" not in result.stderr


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_file_name_is_said_so_not_taken_for_the_folder_it_runs_in(
    run: Run, name: str
) -> None:
    """`import "$FILE"` with FILE unset: the name is empty, not "is a folder"."""
    result = run("import", name)

    assert (
        2,
        f"Error: import needs a FILE to read: name it, or - for stdin ({name!r} is not one)\n",
    ) == (
        result.exit_code,
        result.stderr,
    )


def test_a_folder_is_not_a_file_to_import(run: Run, tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()

    assert 2 == run("import", str(tmp_path / "folder.csv")).exit_code


@freeze_time("2026-12-15 12:00:00")
def test_a_line_that_does_not_end_refuses_the_file_and_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As /dev/zero would be: read up to the limit, not into memory without end."""
    from complaintctl.services import imports

    monkeypatch.setattr(imports, "LINE_LIMIT", 1000)
    path = write(tmp_path / "batch.jsonl", json.dumps(row(1)) + "\n" + "0" * 5000)

    result = run("import", str(path), "--skip-invalid")

    assert (
        2,
        f"Error: {path} cannot be imported: line 2 is longer than 1,000 characters (a line "
        "that does not end: is it a CSV or JSON Lines file?)\n",
        [],
    ) == (result.exit_code, result.stderr, list(tmp_path.glob("*.rejects.*")))
    assert "" == run("export", "--format", "jsonl").stdout


def test_an_unknown_format_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1)]))

    assert 2 == run("import", str(path), "--format", "xlsx").exit_code


# -- a killed import ---------------------------------------------------------------------------

KILLED_ROWS = 20_000
# Uncommitted data the batch has written: it is well under way.
WRITTEN = 2_000_000


@contextmanager
def store_size(store_url: str) -> Iterator[Callable[[], int]]:
    """`size()`: bytes the store has written, committed or not. On SQLite, its write-ahead log,
    where a transaction's pages go; on PostgreSQL, its tables and indexes, which grow as a
    transaction inserts rows that no one else can see yet."""
    if not POSTGRES:
        wal = Path(store_url).with_name(Path(store_url).name + "-wal")
        yield lambda: wal.stat().st_size if wal.exists() else 0
        return
    engine = create_engine(resolve_url(store_url))

    def size() -> int:
        with engine.connect() as connection:
            return int(
                connection.exec_driver_sql(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                ).scalar_one()
            )

    try:
        yield size
    finally:
        engine.dispose()


def complaintctl(db: str, *args: str) -> subprocess.Popen[bytes]:
    """The real program in its own process, as officer.one on the store at `db`."""
    env = {**os.environ, "COMPLAINTCTL_DB": db, "COMPLAINTCTL_USER": "officer.one"}
    return subprocess.Popen(
        [sys.executable, "-m", "complaintctl", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_an_import_killed_mid_batch_leaves_the_store_as_before_and_a_rerun_imports_all(
    run: Run, tmp_path: Path, store_url: str
) -> None:
    # Not frozen: the program in the subprocess reads the real clock, so every row is received
    # in January and February 2026, well before any day the test runs.
    first = [row(n, received_at=f"2026-01-{n:02d}T10:00Z") for n in (5, 6)]
    imported(run, str(write(tmp_path / "first.csv", csv_text(first))))
    before, rows_before = exported(run), dump_store(store_url)
    big = [
        row(
            10_000 + n,
            summary=f"Complaint {n}, about delay: nobody has answered my letters",
            received_at=f"2026-02-{1 + n % 28:02d}T{9 + n % 8:02d}:{n % 60:02d}Z",
        )
        for n in range(KILLED_ROWS)
    ]
    path = write(tmp_path / "big.csv", csv_text(big))

    with store_size(store_url) as size:
        at_start = size()
        process = complaintctl(store_url, "import", str(path))
        started = time.monotonic()
        while size() < at_start + WRITTEN and process.poll() is None:
            assert time.monotonic() - started < 60, "the import never started writing"
            time.sleep(0.01)
        still_running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.communicate()

    assert (True, -signal.SIGKILL) == (still_running, process.returncode)
    # The store first: the export records itself (`cases-exported`).
    assert (rows_before, before) == (dump_store(store_url), exported(run))
    if not POSTGRES:
        with sqlite3.connect(store_url) as connection:
            assert [("ok",)] == connection.execute("PRAGMA integrity_check").fetchall()

    rerun = complaintctl(store_url, "import", str(path))
    out, err = rerun.communicate(timeout=120)

    assert (
        0,
        f"Imported {KILLED_ROWS} new of {KILLED_ROWS} rows; 0 already in the store; 0 rejected\n",
    ) == (rerun.returncode, out.decode()), err.decode()
    after = exported_rows(run)
    assert (
        2 + KILLED_ROWS,
        ["form-5", "form-6", "form-10000", "form-10001"],
        [f"form-{10_000 + n}" for n in range(KILLED_ROWS)],
    ) == (
        len({r["ref"] for r in after}),
        [r["source_id"] for r in after[:4]],
        sorted((r["source_id"] for r in after[2:]), key=lambda s: int(s.split("-")[1])),
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_nothing_on_stdin_imports_nothing(run: Run, fmt: str) -> None:
    result = run("import", "-", "--format", fmt, input="")

    assert (0, "Imported 0 new of 0 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    )


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_a_csv_file_with_not_even_a_header_is_refused_and_writes_nothing(
    run: Run, tmp_path: Path, text: str
) -> None:
    # An export cut off before its first line: a cron job must not read it as a quiet day.
    empty = tmp_path / "today.csv"
    empty.write_text(text)
    before = run("export", "--format", "jsonl").stdout

    result = run("import", str(empty))

    assert (2, "", f"Error: {empty} is empty: a CSV import needs its header row\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    assert before == run("export", "--format", "jsonl").stdout


# -- a web form's own export: every problem at once, ';', --map, --date-format -----------------

FORM_HEADER = "submission_id;Your name;E-mail;channel;category;summary;Submitted;Notes\n"


def form_export(tmp_path: Path, *rows: str) -> Path:
    return write(tmp_path / "form.csv", FORM_HEADER + "".join(r + "\n" for r in rows), bom=True)


FORM_OPTIONS = ("--map", "submission_id=source_id", "--map", "Your name=consumer",
                "--map", "e-mail=email", "--map", "submitted=received_at",
                "--date-format", "%d/%m/%Y %H:%M")  # fmt: skip


@freeze_time("2026-12-15 12:00:00")
def test_a_semicolon_web_form_export_imports_with_map_and_date_format(
    run: Run, tmp_path: Path
) -> None:
    path = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;Email;Delay;No reply, twice;30/11/2026 14:00;",
        's-2;Bob Jones;bob@example.com;online;Explanation;"Said ""no""";01/07/2026 09:30;x',
    )

    result = run("import", str(path), *FORM_OPTIONS)

    assert (0, "Imported 2 new of 2 rows; 0 already in the store; 0 rejected\n") == (
        result.exit_code,
        result.stdout,
    ), result.stderr
    assert [
        ("s-1", "Ann Smith", "email", "delay", "No reply, twice", "2026-11-30T14:00:00+00:00"),
        ("s-2", "Bob Jones", "online", "explanation", 'Said "no"', "2026-07-01T09:30:00+01:00"),
    ] == [
        (r["source_id"], r["consumer"], r["channel"], r["category"], r["summary"], r["received_at"])
        for r in exported_rows(run)
    ]


@freeze_time("2026-12-15 12:00:00")
def test_a_rejects_file_imports_again_with_the_same_options_delimiter_given(
    run: Run, tmp_path: Path
) -> None:
    options = (*FORM_OPTIONS, "--delimiter", ";", "--skip-invalid")
    path = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;Email;Delay;No reply, twice;30/11/2026 14:00;",
        "s-2;Bob Jones;nobody;online;Delay;Late;01/12/2026 09:30;",
    )
    assert 10 == run("import", str(path), *options).exit_code
    rejects = tmp_path / "form.rejects.csv"
    rejects.write_text(rejects.read_text().replace("nobody", "bob@example.com"))

    result = run("import", str(rejects), *options, "--rejects", str(tmp_path / "again.csv"))

    assert (0, ["s-1", "s-2"]) == (
        result.exit_code,
        [r["source_id"] for r in exported_rows(run)],
    ), result.stderr


@freeze_time("2026-12-15 12:00:00")
def test_a_batch_lists_every_problem_of_every_row_and_writes_nothing(
    run: Run, tmp_path: Path
) -> None:
    path = form_export(
        tmp_path,
        "s-1;Ann Smith;nobody;fax;Delay;Late;30-11-2026 14:00;",
        "s-2;Bob Jones;bob@example.com;email;delay;Late;25/10/2026 01:30;",
        "s-3;;cat@example.com;email;rudeness;Late;01/12/2026 10:00;",
    )

    result = run("import", str(path), *FORM_OPTIONS)

    assert (
        2,
        [
            "line 2: channel: 'fax' is not one of online, email, post, phone, in-person",
            "line 2: email: 'nobody' is not an email address",
            "line 2: received_at: '30-11-2026 14:00' does not match the date format %d/%m/%Y %H:%M",
            "line 3: received_at: 25/10/2026 01:30 happens twice in Europe/London: the clocks "
            "go back then; the date format %d/%m/%Y %H:%M has no offset to say which: add %z to "
            "it (--date-format '%d/%m/%Y %H:%M %z') and write 25/10/2026 01:30 +0100 for the "
            "first or 25/10/2026 01:30 +0000 for the second",
            "line 4: consumer: is required",
            "line 4: category: 'rudeness' is not one of mistreated, process, updates, delay, "
            "explanation, other",
            "Error: 3 of 3 rows cannot be imported, so none was; fix them, or use "
            "--skip-invalid to import the rest",
        ],
    ) == (result.exit_code, result.stderr.splitlines())
    assert [] == exported_rows(run)


@freeze_time("2026-12-15 12:00:00")
def test_a_date_format_with_no_time_gives_the_start_of_a_day_whose_midnight_the_clocks_skip(
    run: Run, tmp_path: Path, unit: UnitFactory
) -> None:
    # Santiago's clocks go forward at midnight on Sun 6 September 2026: the day begins at 01:00.
    with unit() as uow:
        uow.calendar_setting().zone = "America/Santiago"
        uow.commit()
    path = form_export(tmp_path, "s-1;Ann Smith;ann@example.com;email;delay;Late;06/09/2026;")
    options = [*FORM_OPTIONS[:-1], "%d/%m/%Y"]

    imported(run, str(path), *options)

    assert ["2026-09-06T01:00:00-03:00"] == [r["received_at"] for r in exported_rows(run)]


@freeze_time("2026-12-15 12:00:00")
def test_a_clock_change_time_read_by_a_date_format_is_refused_with_a_way_the_format_can_take(
    run: Run, tmp_path: Path
) -> None:
    """The way to write it is in the file's own format (an ISO value would not match it)."""
    path = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;email;delay;Late;25/10/2026 01:30;",
        "s-2;Bob Jones;bob@example.com;email;delay;Late;29/03/2026 01:30;",
    )

    refused = run("import", str(path), *FORM_OPTIONS)

    assert (
        2,
        [
            "line 2: received_at: 25/10/2026 01:30 happens twice in Europe/London: the clocks "
            "go back then; the date format %d/%m/%Y %H:%M has no offset to say which: add %z to "
            "it (--date-format '%d/%m/%Y %H:%M %z') and write 25/10/2026 01:30 +0100 for the "
            "first or 25/10/2026 01:30 +0000 for the second",
            "line 3: received_at: 29/03/2026 01:30 does not exist in Europe/London: the clocks "
            "go forward then; the date format %d/%m/%Y %H:%M has no offset to say which instant "
            "you mean: add %z to it and write one, e.g. 29/03/2026 02:30 +0100 with "
            "--date-format '%d/%m/%Y %H:%M %z'",
        ],
    ) == (refused.exit_code, refused.stderr.splitlines()[:-1])
    fixed = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;email;delay;Late;25/10/2026 01:30 +0000;",
        "s-2;Bob Jones;bob@example.com;email;delay;Late;29/03/2026 02:30 +0100;",
    )
    options = (*FORM_OPTIONS[:-1], "%d/%m/%Y %H:%M %z")

    imported = run("import", str(fixed), *options)

    assert (0, "Imported 2 new of 2 rows; 0 already in the store; 0 rejected\n") == (
        imported.exit_code,
        imported.stdout,
    ), imported.stderr


@freeze_time("2026-12-15 12:00:00")
def test_a_twelve_hour_date_format_without_am_or_pm_is_refused_before_any_row(
    run: Run, tmp_path: Path
) -> None:
    """Read so, 12:30 would be half past midnight: every deadline 12 hours early."""
    path = form_export(tmp_path, "s-1;Ann Smith;ann@example.com;email;delay;Late;01/12/2026 12:30;")

    result = run("import", str(path), *FORM_OPTIONS[:-1], "%d/%m/%Y %I:%M")

    assert (
        2,
        "Error: --date-format: the date format '%d/%m/%Y %I:%M' cannot tell the morning from "
        "the afternoon (it reads 14:05 back as 02:05): add %p (AM or PM) after %I, or use %H "
        "for the 24-hour clock\n",
        [],
    ) == (result.exit_code, result.stderr, exported_rows(run))


@freeze_time("2026-12-15 12:00:00")
def test_a_date_format_giving_a_code_twice_is_refused_before_any_row_without_a_traceback(
    run: Run, tmp_path: Path
) -> None:
    path = form_export(tmp_path, "s-1;Ann Smith;ann@example.com;email;delay;Late;01/12/2026 12:30;")

    result = run("import", str(path), *FORM_OPTIONS[:-1], "%d/%m/%Y %H:%M %d")

    assert (
        2,
        "Error: --date-format: the date format '%d/%m/%Y %H:%M %d' gives a code more than once "
        "(strptime reads each once, %c and %x holding the day too): give each once, e.g. "
        "%d/%m/%Y %H:%M\n",
        [],
    ) == (result.exit_code, result.stderr, exported_rows(run))


@freeze_time("2026-12-15 12:00:00")
def test_a_form_writing_24_hour_times_with_am_or_pm_imports_and_one_that_disagrees_is_refused(
    run: Run, tmp_path: Path
) -> None:
    options = (*FORM_OPTIONS[:-1], "%d/%m/%Y %H:%M %p")
    refused = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;email;delay;Late;01/12/2026 14:05 PM;",
        "s-2;Bob Jones;bob@example.com;email;delay;Late;01/12/2026 2:05 PM;",
    )

    result = run("import", str(refused), *options)

    assert (
        2,
        "line 3: received_at: '01/12/2026 2:05 PM' gives the hour 02 with PM, but the date "
        "format %d/%m/%Y %H:%M %p reads the hour on the 24-hour clock (%H), where 02 is AM: "
        "check the time, or use %I for a 12-hour clock",
        [],
    ) == (result.exit_code, result.stderr.splitlines()[0], exported_rows(run))
    taken = form_export(
        tmp_path, "s-1;Ann Smith;ann@example.com;email;delay;Late;01/12/2026 14:05 PM;"
    )
    run("import", str(taken), *options)
    assert ["2026-12-01T14:05:00+00:00"] == [row["received_at"] for row in exported_rows(run)]


@freeze_time("2026-12-15 12:00:00")
def test_rejects_keep_the_forms_columns_and_import_with_the_same_options_once_fixed(
    run: Run, tmp_path: Path
) -> None:
    path = form_export(
        tmp_path,
        "s-1;Ann Smith;ann@example.com;email;delay;Late;30/11/2026 14:00;=1+1",
        "s-2;Bob Jones;nobody;fax;delay;Late;30/11/2026 15:00;keep me",
    )
    rejects = tmp_path / "form.rejects.csv"

    result = run("import", str(path), "--skip-invalid", *FORM_OPTIONS)

    assert (10, 1) == (result.exit_code, len(exported_rows(run))), result.stderr
    [header, *rows] = list(csv.reader(rejects.open(encoding="utf-8", newline=""), delimiter=";"))
    assert (
        ["submission_id", "Your name", "E-mail", "channel", "category", "summary", "Submitted",
         "Notes", "error", "raw"],
        [["s-2", "Bob Jones", "nobody", "fax", "delay", "Late", "30/11/2026 15:00", "keep me",
          "line 3: channel: 'fax' is not one of online, email, post, phone, in-person\n"
          "line 3: email: 'nobody' is not an email address", ""]],
    ) == (header, rows)  # fmt: skip
    fixed = rejects.read_text(encoding="utf-8").replace("nobody", "bob@example.com")
    rejects.write_text(fixed.replace(";fax;", ";email;").replace(",fax,", ",email,"))

    again = run("import", str(rejects), *FORM_OPTIONS)

    assert (0, ["s-1", "s-2"]) == (
        again.exit_code,
        [r["source_id"] for r in exported_rows(run)],
    ), again.stderr


@freeze_time("2026-12-15 12:00:00")
@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("consumer\temail\tchannel\tcategory\tsummary\treceived_at\n"
         "Ann\tann@example.com\temail\tdelay\tLate, and rude\t2026-12-01T10:00\n", ()),
        ("consumer;email;channel;category;summary;received_at\n"
         "Ann;ann@example.com;email;delay;Late, and rude;2026-12-01T10:00\n", ()),
        ("consumer;email;channel;category;summary;received_at, or when it came, if known, "
         "else, blank, , , , \n"
         "Ann;ann@example.com;email;delay;Late, and rude;2026-12-01T10:00\n",
         ("--delimiter", ";", "--map", "received_at, or when it came, if known, else, blank, "
          ", , ,=received_at")),
    ],
)  # fmt: skip
def test_semicolon_and_tab_files_import_told_or_given_their_delimiter(
    run: Run, tmp_path: Path, text: str, options: tuple[str, ...]
) -> None:
    imported(run, str(write(tmp_path / "form.csv", text)), *options)

    assert [("Ann", "Late, and rude")] == [
        (r["consumer"], r["summary"]) for r in exported_rows(run)
    ]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (("--map", "submission_id"), "Error: --map takes FORMCOLUMN=FIELD, e.g. "
         "submission_id=source_id, not 'submission_id'"),
        (("--map", "submission_id=ref"), "Error: --map 'submission_id=ref': 'ref' is not a "
         "field; the fields are consumer, email, address, channel, category, summary, dispute, "
         "received_at, board, about, preferred_contact, adjustments, source_id"),
        (("--map", "form_id=source_id"), "Error: --map names form_id, which the header lacks; "
         "it has 8 columns: 'submission_id', 'Your name', 'E-mail', 'channel', "
         "'category', 'summary', 'Submitted', 'Notes'"),
        (("--map", "Your name=consumer", "--map", "notes=consumer"), "Error: --map reads both "
         "'your name' and 'notes' as consumer"),
        (("--map", "Your name=consumer", "--map", "submission_id=channel"), "Error: the columns "
         "submission_id, channel would all be read as channel"),
        ((), "Error: the header lacks the required columns consumer, received_at and an email "
         "or an address column; it has 8 columns: 'submission_id', 'Your name', 'E-mail', "
         "'channel', 'category', 'summary', 'Submitted', 'Notes' (--delimiter to choose how "
         "it is split, --map FORMCOLUMN=FIELD to read a column as a field)"),
        (("--delimiter", "|"), "Error: --delimiter takes ',', ';' or tab, not '|'"),
        (("--date-format", "%H:%M"), "Error: --date-format: the date format '%H:%M' cannot be "
         "read back; give strftime codes with the year, month and day, e.g. %d/%m/%Y %H:%M"),
    ],
)  # fmt: skip
def test_options_that_cannot_read_the_form_are_refused_in_one_line(
    run: Run, tmp_path: Path, options: tuple[str, ...], error: str
) -> None:
    path = form_export(tmp_path, "s-1;Ann;ann@example.com;email;delay;Late;30/11/2026 14:00;")

    result = run("import", str(path), *options)

    assert (2, [error]) == (result.exit_code, result.stderr.splitlines())


def test_a_header_quoted_in_an_error_reaches_the_terminal_inert(run: Run, tmp_path: Path) -> None:
    header = "consumer,email,channel,category,summary,received_at,\x1b[2J\u202econsumer\n"
    path = write(tmp_path / "form.csv", header)

    result = run("import", str(path), "--map", "\x1b[2J\u202econsumer=consumer")

    assert (
        2,
        ["Error: the columns consumer, \\x1b[2J<U+202E>consumer would all be read as consumer"],
    ) == (result.exit_code, result.stderr.splitlines())


def test_map_and_delimiter_are_refused_for_json_lines(run: Run) -> None:
    result = run("import", "-", "--format", "jsonl", "--map", "id=source_id", input="{}\n")

    assert (2, ["Error: --delimiter and --map are for CSV files; JSON Lines names its fields"]) == (
        result.exit_code,
        result.stderr.splitlines(),
    )


@freeze_time("2026-12-15 12:00:00")
def test_json_output_gives_every_problem_and_counts_rows(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", csv_text([row(1), row(2, channel="fax", email="nobody")]))

    result = run("import", str(path), "--skip-invalid", "--json")

    report = json.loads(result.stdout)
    assert (10, 1, [(3, "channel"), (3, "email")]) == (
        result.exit_code,
        report["rejected"],
        [(r["line"], r["field"]) for r in report["rejects"]],
    )


def test_an_import_interrupted_mid_batch_says_aborted_exits_130_and_leaves_the_store_as_before(
    run: Run, tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C after the first chunk of rows was written into the batch's transaction.
    from complaintctl.services import imports

    frozen = freeze_time("2026-12-31T12:00:00Z")
    frozen.start()
    imported(run, str(write(tmp_path / "first.csv", csv_text([row(5), row(6)]))))
    before, rows_before = exported(run), dump_store(store_url)
    logged_chunk = imports.log_chunk
    chunks = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        chunks.append(logged_chunk(*args, **kwargs))
        if len(chunks) == 2:
            raise KeyboardInterrupt
        return chunks[-1]

    rows = [row(n, source_id=f"big-{n}", received_at="2026-11-02T10:00") for n in range(2500)]
    path = write(tmp_path / "big.csv", csv_text(rows))

    with monkeypatch.context() as patched:
        patched.setattr(imports, "log_chunk", interrupted)
        result = run("import", str(path))

    assert (130, "Error: aborted") == (result.exit_code, result.stderr.strip())
    assert 2 == len(chunks)
    # The store first: the export records itself (`cases-exported`).
    assert (rows_before, before) == (dump_store(store_url), exported(run))
    frozen.stop()


@freeze_time("2026-12-15 12:00:00")
def test_a_rejects_file_named_with_a_newline_leaves_no_temporary_file(
    run: Run, tmp_path: Path
) -> None:
    # The trial of the rejects file's temporary name was left behind: clean-up knew its own
    # files by a pattern no name with a newline matched.
    path = write(tmp_path / "batch.csv", csv_text([row(1)]))
    out = tmp_path / "out"
    out.mkdir()

    result = run("import", str(path), "--skip-invalid", "--rejects", str(out / "r\nx.csv"))

    assert 0 == result.exit_code, result.stderr
    assert [] == list(out.iterdir())


@freeze_time("2026-12-15 12:00:00")
def test_a_batch_in_a_folder_that_may_not_be_written_says_rejects_can_go_elsewhere(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rejects file goes beside the batch, bad rows or not: refused there, the error named
    # only the file, not how to put it elsewhere.
    folder = tmp_path / "read-only"
    folder.mkdir()
    path = write(folder / "batch.csv", csv_text([row(1)]))
    real_open = os.open

    def guarded_open(p: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(os.fsdecode(p)).parent == folder:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(p))
        return real_open(p, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)  # mode 555, as to its owner (not root)

    refused = run("import", str(path), "--skip-invalid")
    elsewhere = run("import", str(path), "--skip-invalid", "--rejects", str(tmp_path / "r.csv"))

    assert (12, 0) == (refused.exit_code, elsewhere.exit_code), elsewhere.stderr
    assert refused.stderr == (
        f"Error: cannot write {folder / 'batch.rejects.csv'}: Permission denied: the rejects "
        "file goes beside the batch unless --rejects PATH names another place\n"
    )
