"""JSON, JSON Lines and CSV are UTF-8 whatever the locale; text for people never fails on a
character the locale cannot spell. Real processes, with stdout's encoding set to Latin-1 as a
`LC_ALL=en_GB.ISO-8859-1` terminal would have it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NAME = "Zoë Ørsted 😀"
SUMMARY = "I was charged £50 — nobody explained why"


def complaintctl(
    store: Path, *args: str, encoding: str = "latin-1"
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "COMPLAINTCTL_DB": str(store),
        "COMPLAINTCTL_USER": "olu",
        "PYTHONIOENCODING": encoding,
    }
    return subprocess.run(
        [sys.executable, "-m", "complaintctl", *args], env=env, capture_output=True, check=False
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A demo store with one more complaint, from a consumer whose name Latin-1 cannot spell."""
    store = tmp_path_factory.mktemp("encoding") / "demo.sqlite3"
    made = complaintctl(store, "demo", "--into", str(store), encoding="utf-8")
    assert 0 == made.returncode, made.stderr
    logged = complaintctl(
        store, "log", "--consumer", NAME, "--email", "zoe@example.com", "--channel", "email",
        "--category", "delay", "--summary", SUMMARY, encoding="utf-8",
    )  # fmt: skip
    assert 0 == logged.returncode, logged.stderr
    return store, logged.stdout.decode().strip()


def test_json_is_utf8_whatever_the_locale(store: tuple[Path, str]) -> None:
    path, ref = store
    for args in (("show", ref, "--json"), ("queue", "--json")):
        result = complaintctl(path, *args)
        assert 0 == result.returncode, result.stderr
        data = json.loads(result.stdout.decode("utf-8"))
        found = data if isinstance(data, dict) else next(i for i in data if i["ref"] == ref)
        names = (
            found["consumer"]["name"] if isinstance(found["consumer"], dict) else found["consumer"]
        )
        assert NAME == names


def test_csv_and_json_lines_are_utf8_and_import_back(
    store: tuple[Path, str], tmp_path: Path
) -> None:
    path, ref = store
    for fmt in ("csv", "jsonl"):
        result = complaintctl(path, "export", "--format", fmt)
        assert 0 == result.returncode, result.stderr
        text = result.stdout.decode("utf-8")
        assert NAME in text
        assert SUMMARY in text
        exported = tmp_path / f"cases.{fmt}"
        exported.write_bytes(result.stdout)
        # The same cases again: every row is read, and every one is found already there.
        again = complaintctl(path, "import", str(exported), "--dry-run", "--json")
        assert 0 == again.returncode, again.stderr
        assert 0 == json.loads(again.stdout)["new"]
    queue_csv = complaintctl(path, "queue", "--csv")
    assert NAME in queue_csv.stdout.decode("utf-8")


def test_text_for_people_shows_what_the_locale_cannot_spell_as_an_escape(
    store: tuple[Path, str],
) -> None:
    path, ref = store
    result = complaintctl(path, "show", ref)  # piped: plain lines

    assert (0, b"") == (result.returncode, result.stderr)
    assert "Zoë Ørsted \\U0001f600".encode("latin-1") in result.stdout
