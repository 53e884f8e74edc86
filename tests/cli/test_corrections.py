"""`edit` end to end: a correction with its reason, long text in $EDITOR, and each error class."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens as ok
from tests.cli.journey import history, log_case, show

NOW = "2026-12-01 12:00:00"


@freeze_time(NOW)
def test_edit_corrects_the_case_and_records_old_and_new(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00", consumer="Ann Smiht")

    result = ok(
        run, "edit", ref, "--name", "Ann Smith", "--category", "EXPLANATION", "--not-board",
        "--board", "--reason", "Misheard on the phone",
    )  # fmt: skip

    assert (f"Corrected {ref}: name, category, board\n", "") == (result.stdout, result.stderr)
    case = show(run, ref)
    assert ("Ann Smith", "explanation", True) == (
        case["consumer"]["name"],
        case["category"],
        case["board"],
    )
    entry = history(run, ref)[-1]
    assert ("edit", "Misheard on the phone") == (entry["action"], entry["details"]["reason"])
    plain = ok(run, "--plain", "history", ref).stdout.splitlines()[-1].split("\t")
    assert (
        "changes: category “delay” → “explanation”, board no → yes; personal changes: name "
        "“Ann Smiht” → “Ann Smith”; reason: Misheard on the phone"
    ) == plain[3]


@freeze_time(NOW)
def test_edit_summary_e_opens_the_editor_on_the_summary_as_it_stands(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    editor = tmp_path / "editor.py"
    # An "editor" that keeps what it was given and adds a second paragraph.
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "more = '\\n\\nAnd nobody rang back.\\n'\n"
        "open(path, 'w', encoding='utf-8').write(text.rstrip() + more)\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = show(run, ref)["summary"]

    ok(run, "edit", ref, "--summary", "-e", "--reason", "The rest of the letter")

    assert f"{before}\n\nAnd nobody rang back." == show(run, ref)["summary"]


@freeze_time(NOW)
def test_an_editor_that_fails_exits_2_and_writes_nothing(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)

    result = run("edit", ref, "--summary", "--editor", "--reason", "x")

    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: --summary: the editor 'false' exited with status 1")
    assert ["log"] == [e["action"] for e in history(run, ref)]


@freeze_time(NOW)
def test_edit_with_nothing_to_correct_exits_2(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    result = run("edit", ref, "--reason", "x")
    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: say what to correct: --name, --email")


@freeze_time(NOW)
def test_edit_of_a_closed_case_by_an_officer_exits_6(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-11-30T11:00")
    result = run("edit", ref, "--name", "Ann Smyth", "--reason", "x")
    assert (6, "") == (result.exit_code, result.stdout)
    assert "Ann Smith" == show(run, ref)["consumer"]["name"]


@freeze_time(NOW)
def test_edit_if_version_of_a_case_that_moved_on_exits_11(run: Run) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    result = run("edit", ref, "--name", "Ann Smyth", "--reason", "x", "--if-version", "3")
    assert (11, "") == (result.exit_code, result.stdout)


@freeze_time(NOW)
def test_edit_of_an_unknown_case_exits_4(run: Run) -> None:
    result = run("edit", "SC-2026-999999", "--name", "Ann Smyth", "--reason", "x")
    assert (4, "") == (result.exit_code, result.stdout)


@freeze_time(NOW)
def test_a_change_made_while_the_editor_was_open_is_not_overwritten(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    editor = tmp_path / "editor.py"
    # While the officer types, someone else corrects the summary.
    editor.write_text(
        "import subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'complaintctl', 'edit', {ref!r}, '--summary',"
        " 'Theirs', '--reason', 'y'], check=True)\n"
        "open(sys.argv[1], 'w', encoding='utf-8').write('Mine\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)

    result = run("edit", ref, "--summary", "-e", "--reason", "x")

    assert (11, "") == (result.exit_code, result.stdout)
    assert "changed since you looked" in result.stderr
    assert "Theirs" == show(run, ref)["summary"]


def _editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """An "editor" running `body` with `path` the file it was given."""
    editor = tmp_path / "editor.py"
    editor.write_text(f"import os, sys\npath = sys.argv[1]\n{body}\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)


@pytest.mark.parametrize("mark", ["b''", "codecs.BOM_UTF8"], ids=["no mark", "a mark"])
@freeze_time(NOW)
def test_text_an_editor_saves_in_another_encoding_is_refused_not_kept_garbled(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mark: str
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    before = show(run, ref)["summary"]
    # Saved as Windows-1252: "Line one", then "Café charged £50" (after a byte-order mark, the
    # byte named is still the é, on the line it is on).
    _editor(
        tmp_path, monkeypatch,
        f"import codecs; open(path, 'wb').write({mark} + "
        "'Line\\nCafé charged £50\\n'.encode('cp1252'))",
    )  # fmt: skip

    result = run("edit", ref, "--summary", "-e", "--reason", "x")

    assert (2, "") == (result.exit_code, result.stdout)
    assert "saved text that is not UTF-8 (line 2, byte 0xe9)" in result.stderr
    assert before == show(run, ref)["summary"]
    assert ["log"] == [e["action"] for e in history(run, ref)]


@freeze_time(NOW)
def test_a_byte_order_mark_an_editor_saves_is_no_part_of_the_text(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    _editor(tmp_path, monkeypatch, "open(path, 'w', encoding='utf-8-sig').write('Café\\n')")

    ok(run, "edit", ref, "--summary", "-e", "--reason", "x")

    assert "Café" == show(run, ref)["summary"]


@pytest.mark.parametrize(
    "body", ["os.unlink(path)", "os.unlink(path); os.mkdir(path)"], ids=["removed", "a folder"]
)
@freeze_time(NOW)
def test_an_editor_that_leaves_no_file_exits_2_and_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    _editor(tmp_path, monkeypatch, body)

    result = run("edit", ref, "--address", "-e", "--reason", "x")

    assert (2, "") == (result.exit_code, result.stdout)
    assert "left no file to read; nothing changed" in result.stderr
    assert ["log"] == [e["action"] for e in history(run, ref)]


@pytest.mark.parametrize(
    ("before", "args", "code"),
    [
        ("close", ("--reason", "x"), 6),  # closed: an officer may not correct it
        ("", ("--reason", "x", "--if-version", "5"), 11),
        ("", ("--reason", ""), 2),
        ("", ("--reason", "x", "--as", "nobody"), 6),
    ],
    ids=["not permitted", "changed since", "no reason", "not staff"],
)
@freeze_time(NOW)
def test_a_correction_refused_whatever_is_typed_never_opens_the_editor(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    args: tuple[str, ...],
    code: int,
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    if before == "close":
        ok(run, "close", ref, "--reason", "withdrawn", "--at", "2026-11-30T11:00")
    opened = tmp_path / "opened"
    _editor(tmp_path, monkeypatch, f"open({str(opened)!r}, 'w').write('yes')")

    result = run("edit", ref, "--summary", "-e", *args)

    assert (code, "", False) == (result.exit_code, result.stdout, opened.exists())
