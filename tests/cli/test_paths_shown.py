"""A file a command wrote or read, named in its message as one word the shell reads back: a
newline or control character in the name neither breaks the line nor reaches the terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Run
from tests.cli.test_import import csv_text, row
from tests.conftest import POSTGRES, UnitFactory
from tests.service.letters_journey import ann_at_every_step

# A newline, an escape and a right-to-left override: each would act on a terminal.
HOSTILE = "a\nb\x1b[2Jc\u202ed"
SHOWN = "a\\nb\\x1b[2Jc\\u202ed"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time("2026-12-15 12:00:00"):
        yield


def said(text: str) -> list[str]:
    """The lines of a message; none with a character that acts."""
    assert not any(c in text for c in "\x1b\u202e"), text
    return text.splitlines()


def test_report_html(run: Run, tmp_path: Path) -> None:
    page = tmp_path / f"{HOSTILE}.html"
    result = run("report", "--period", "2026-Q4", "--html", str(page))

    assert (0, [f"Wrote the 2026-Q4 report to $'{tmp_path}/{SHOWN}.html'"]) == (
        result.exit_code, said(result.stderr),
    )  # fmt: skip
    assert page.is_file()


@pytest.mark.skipif(POSTGRES, reason="an SQLite store's backup")
def test_db_backup(run: Run, tmp_path: Path) -> None:
    copy = tmp_path / HOSTILE
    result = run("db", "backup", str(copy))

    assert 0 == result.exit_code, result.stderr
    assert [result.stdout.split(" to ")[0] + f" to $'{tmp_path}/{SHOWN}'"] == said(result.stdout)
    assert copy.is_file()


@pytest.mark.skipif(POSTGRES, reason="an SQLite store's path")
def test_db_init(run: Run, tmp_path: Path) -> None:
    result = run("db", "init", "--db", str(tmp_path / HOSTILE))

    assert 0 == result.exit_code, result.stderr
    assert said(result.stdout)[0].startswith(f"Made a new store at $'{tmp_path}/{SHOWN}';")


def test_import_rejects_file(run: Run, tmp_path: Path) -> None:
    batch = tmp_path / f"{HOSTILE}.csv"
    batch.write_text(csv_text([row(1), row(2, channel="fax")]), encoding="utf-8")

    result = run("import", str(batch), "--skip-invalid")

    assert 10 == result.exit_code, result.stderr
    assert [
        "Imported 1 new of 2 rows; 0 already in the store; 1 rejected "
        f"(written with reasons to $'{tmp_path}/{SHOWN}.rejects.csv')"
    ] == said(result.stdout)


def test_letter_out_dir(run: Run, unit: UnitFactory, tmp_path: Path) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    folder = tmp_path / HOSTILE
    folder.mkdir()

    result = run("letter", ref, "acknowledgement", "--out-dir", str(folder), "--format", "html")

    assert 0 == result.exit_code, result.stderr
    [line] = said(result.stdout)
    assert line.endswith(f" written to $'{tmp_path}/{SHOWN}/{ref}-acknowledgement.html'")


def test_config_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = tmp_path / f"{HOSTILE}.toml"
    named.write_text("", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(named))

    result = run("config")

    assert 0 == result.exit_code, result.stderr
    assert f"Config file: $'{tmp_path}/{SHOWN}.toml'" == said(result.stdout)[0]
    assert str(named) == json.loads(run("config", "--json").stdout)["path"]  # exact in JSON


@pytest.mark.parametrize("option", ["--out-dir", "-o"])
def test_a_letter_written_names_its_file_as_every_other_file_message_does_whatever_was_typed(
    run: Run,
    unit: UnitFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
) -> None:
    # Export, backup and report name the file resolved: a letter said `out/…` or `~/out/…`
    # as typed, which is no path to paste from another folder.
    ref = ann_at_every_step(unit, until="acknowledged")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    written = tmp_path / "out" / f"{ref}-acknowledgement.html"
    for typed in ("out", "~/out"):
        given = typed if option == "--out-dir" else f"{typed}/{written.name}"

        result = run("letter", ref, "acknowledgement", "--format", "html", option, given)

        assert 0 == result.exit_code, result.stderr
        [line] = said(result.stdout)
        assert line.endswith(f" written to {written}"), line
        written.unlink()


def test_a_letters_folder_there_is_none_of_is_named_as_an_exports_is(
    run: Run, unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))

    exported = run("export", "-o", "~/missing/cases.csv")
    letters = run("letter", ref, "acknowledgement", "--out-dir", "~/missing")
    (tmp_path / "file").write_text("")
    a_file = run("letter", ref, "acknowledgement", "--out-dir", "file")

    assert f"Error: no folder {tmp_path}/missing to write cases.csv in\n" == exported.stderr
    assert f"Error: no folder {tmp_path}/missing to write the letters in\n" == letters.stderr
    assert (
        f"Error: {tmp_path}/file is a file: --out-dir names a folder to write the letters in\n"
        == a_file.stderr
    )


def test_the_report_page_names_its_file_resolved_whatever_was_typed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It said `Wrote the … report to '~/r.html'` (or `r.html`), as typed.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for typed in ("~/home.html", "here.html"):
        result = run("report", "--period", "2026-Q4", "--html", typed)

        assert 0 == result.exit_code, result.stderr
        name = typed.removeprefix("~/")
        assert f"Wrote the 2026-Q4 report to {tmp_path}/{name}" == said(result.stderr)[-1]
        assert (tmp_path / name).is_file()
