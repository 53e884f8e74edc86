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


def test_a_batch_named_with_a_tilde_is_read_as_every_file_a_command_names_is(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `import '~/x.csv'` (the tilde quoted, so the shell left it) said `no file ~/x.csv`,
    # where `export -o '~/x.csv'` writes there: the file is found as it is written.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "batch.csv").write_text(csv_text([row(1), row(2, channel="fax")]), "utf-8")

    result = run("import", "~/batch.csv", "--skip-invalid")

    assert 10 == result.exit_code, result.stderr
    written = f"(written with reasons to {tmp_path}/batch.rejects.csv)"
    assert said(result.stdout)[0].endswith(written)


@pytest.mark.parametrize("typed", ["~/missing.csv", "missing.csv"])
def test_a_batch_there_is_none_of_is_named_resolved(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "folder.csv").mkdir()

    missing = run("import", typed)
    folder = run("import", typed.replace("missing", "folder"))

    assert (2, f"Error: no file {tmp_path}/missing.csv\n") == (missing.exit_code, missing.stderr)
    assert (2, f"Error: {tmp_path}/folder.csv is a folder\n") == (folder.exit_code, folder.stderr)


def test_a_batch_that_is_not_utf8_is_named_so_the_command_to_convert_it_runs(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The iconv command quoted `~/latin.csv` as typed: the shell never expands a quoted `~`.
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "latin.csv").write_bytes(csv_text([row(1, summary="café")]).encode("cp1252"))

    result = run("import", "~/latin.csv")

    assert 2 == result.exit_code
    assert f"Error: {tmp_path}/latin.csv is not UTF-8 text" in result.stderr
    assert f"iconv -f windows-1252 -t utf-8 {tmp_path}/latin.csv > " in result.stderr
    assert "~" not in result.stderr


@pytest.mark.parametrize("typed", ["nolet", "~/nolet"])
def test_a_templates_folder_is_named_resolved_whatever_was_typed(
    run: Run, unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    # `letter check nolet` and `--templates nolet` said `templates folder nolet`, where
    # `letter check '~/nolet'` named the full path.
    ref = ann_at_every_step(unit, until="acknowledged")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    said_to = f"Error: templates folder {tmp_path}/nolet: no such folder\n"

    checked = run("letter", "check", typed)
    made = run("letter", ref, "acknowledgement", "--templates", typed)

    assert (2, said_to) == (checked.exit_code, checked.stderr)
    assert (2, said_to) == (made.exit_code, made.stderr)


def test_the_templates_folder_beside_a_config_file_named_relative_is_named_resolved(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text("", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "acknowledgement.html").write_text("{{ nothing_here }}", "utf-8")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", "c.toml")

    result = run("letter", "check", "--json")

    found = json.loads(result.stdout)
    assert str(tmp_path / "templates") == found["folder"]
    [ours] = [t for t in found["templates"] if t["kind"] == "acknowledgement"]
    assert str(tmp_path / "templates") == ours["origin"]


def test_rejects_named_with_a_tilde_for_the_batch_itself_are_refused_even_with_force(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--rejects '~/batch.csv'` was compared with the batch as typed (a folder named `~` in
    # the working folder), so --force replaced the batch being imported with its bad rows.
    monkeypatch.setenv("HOME", str(tmp_path))
    batch = tmp_path / "batch.csv"
    text = csv_text([row(1), row(2, channel="fax")])
    batch.write_text(text, "utf-8")

    result = run("import", str(batch), "--skip-invalid", "--rejects", "~/batch.csv", "--force")

    assert (2, f"Error: --rejects {batch} is the file being imported; name another\n") == (
        result.exit_code, result.stderr,
    )  # fmt: skip
    assert text == batch.read_text("utf-8")


def test_a_rejects_file_named_relative_is_named_resolved_and_as_given_in_json(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "batch.csv").write_text(csv_text([row(1), row(2, channel="fax")]), "utf-8")

    result = run("import", "batch.csv", "--skip-invalid")
    again = run("import", "batch.csv", "--skip-invalid", "--json", "--force")

    written = f"(written with reasons to {tmp_path}/batch.rejects.csv)"
    assert said(result.stdout)[0].endswith(written)
    assert "batch.rejects.csv" == json.loads(again.stdout)["rejects_file"]


@pytest.mark.parametrize("typed", ["~/c.toml", "c.toml"])
def test_a_config_file_named_relative_or_with_a_tilde_is_named_resolved(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    # `Config file: c.toml` and `config file nope.toml: no such file`, as typed.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "c.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", typed)

    shown = run("config")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", typed.replace("c.toml", "nope.toml"))
    missing = run("config")

    assert f"Config file: {tmp_path}/c.toml" == said(shown.stdout)[0]
    assert (
        f"Error: config file {tmp_path}/nope.toml: no such file (named by COMPLAINTCTL_CONFIG)\n"
        == missing.stderr
    )


def test_a_consumers_export_and_a_sars_name_the_file_resolved_whatever_was_typed(
    run: Run, unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `consumer export -o ann.json` said `… to ann.json …` as typed; so did `sar done -o`.
    ann_at_every_step(unit, until="acknowledged")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))

    exported = run("consumer", "export", "--consumer-id", "1", "-o", "ann.json")
    opened = run("sar", "open", "--consumer-id", "1", "--received", "2026-12-14T10:00")
    answered = run("sar", "done", "1", "-o", "~/sar.json")

    assert 0 == exported.exit_code, exported.stderr
    assert f" to {tmp_path}/ann.json (json, sha256 " in said(exported.stderr)[-1]
    assert 0 == opened.exit_code, opened.stderr
    assert 0 == answered.exit_code, answered.stderr
    assert f"'s data to {tmp_path}/sar.json (sha256 " in result_line(answered.stderr)
    assert (tmp_path / "ann.json").is_file()
    assert (tmp_path / "sar.json").is_file()


def result_line(text: str) -> str:
    [line] = [one for one in said(text) if "'s data to " in one]
    return line
