"""`complaintctl letter` end to end: a letter on stdout or in a new file, issued and listed,
made again byte for byte; letters for many cases, all or nothing; the organisation's templates
checked; and each kind of refusal with its exit code.

The cases are taken through the procedure at the service layer (tests/service/letters_journey:
Ann's through every step, Bob's closed out of scope); the letters are asked for on the command
line, with "now" frozen.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from complaintctl.letters import BUILT_IN
from tests.cli.conftest import Run, proc_as_root
from tests.conftest import UnitFactory, dump_store
from tests.service.letters_journey import ann_at_every_step, bob_out_of_scope, said
from tests.unreadable import unreadable

NOW = "2027-01-10 12:00:00"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def ok(run: Run, *args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert 0 == result.exit_code, result.stderr
    return result.stdout


def refused(run: Run, code: int, *args: str, input: str | None = None) -> str:
    """Run a letter command that must be refused with `code`: an `Error: ` on stderr and no
    traceback; what stderr says."""
    result = run(*args, input=input)
    assert code == result.exit_code, (result.stdout, result.stderr)
    assert "Error: " in result.stderr
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr


@pytest.fixture
def letters(tmp_path: Path) -> Path:
    """A folder for letters, empty."""
    folder = tmp_path / "letters"
    folder.mkdir()
    return folder


def final_response_template(folder: Path, old: str, new: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = (BUILT_IN / "final-response.html").read_text(encoding="utf-8")
    assert old in source
    (folder / "final-response.html").write_text(source.replace(old, new), encoding="utf-8")
    return folder


# -- one letter --------------------------------------------------------------------------------


def test_a_letter_is_written_to_stdout_as_text(run: Run, unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="final")
    text = said(ok(run, "letter", ref, "final-response", "--format", "text"))
    assert text.startswith("Communications Ombudsman 3300 Daresbury Park Warrington WA4 4HS")
    assert "Dear Ann Smith," in text
    assert "You can ask for a referral until 10am on Sunday 4 April 2027." in text
    assert "- a goodwill payment of £1,250.00" in text


def test_by_default_an_email_goes_to_a_consumer_with_an_address_for_one(
    run: Run, unit: UnitFactory
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    message = ok(run, "letter", ref, "acknowledgement")  # not at a terminal
    assert "To: Ann Smith <ann@example.com>" in message
    assert f"Subject: Acknowledgement of your complaint ({ref})" in message


def test_a_letter_before_its_step_is_refused_with_exit_5(run: Run, unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    stderr = refused(run, 5, "letter", ref, "final-response", "--format", "text")
    assert (
        f"Error: {ref}: no final response is recorded, so there is no final-response letter yet "
        "(it is at stage first-stage)"
    ) in stderr


def test_an_out_of_scope_letter_issued_before_a_reopen_is_refused_after_it_with_exit_5(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    bob = bob_out_of_scope(unit)
    ok(run, "letter", bob, "out-of-scope", "--format", "eml", "-o", str(letters / "a.eml"),
       "--issue", "--at", "2026-12-01T10:30")  # fmt: skip
    ok(run, "--as", "sam.senior", "reopen", bob, "--reason", "Closed by mistake",
       "--at", "2026-12-01T11:00")  # fmt: skip
    before = dump_store(store_url)

    stderr = refused(run, 5, "letter", bob, "out-of-scope", "--format", "text", "--issue")

    assert (
        f"Error: {bob}: it is not closed out of scope (stage received), so there is no "
        "out-of-scope letter\n"
    ) == stderr
    assert before == dump_store(store_url)


def test_a_restriction_letter_issued_before_the_lift_is_refused_after_it_with_exit_5(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    ref = ann_at_every_step(unit)
    ok(run, "letter", ref, "restriction", "--format", "eml", "-o", str(letters / "r.eml"),
       "--issue", "--at", "2027-01-05T13:00")  # fmt: skip
    ok(run, "--as", "sam.senior", "restrict", "lift", "1", "--reason", "Reviewed early",
       "--at", "2027-01-08T10:00")  # fmt: skip
    before = dump_store(store_url)

    stderr = refused(run, 5, "letter", ref, "restriction", "--format", "text", "--issue")

    assert (
        f"Error: {ref}: no restriction is in force on Ann Smith, so there is no restriction "
        "letter\n"
    ) == stderr
    assert before == dump_store(store_url)


def test_a_letter_to_a_file_is_new_and_its_owners_only(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    path = tmp_path / "ack.txt"
    out = ok(run, "letter", ref, "acknowledgement", "--format", "text", "-o", str(path))
    assert f"{ref}: acknowledgement letter (text, sha256 " in out
    assert "Casework" in path.read_text(encoding="utf-8")
    assert 0o600 == stat.S_IMODE(path.stat().st_mode)
    before = path.read_bytes()
    stderr = refused(run, 2, "letter", ref, "acknowledgement", "--format", "html", "-o", str(path))
    assert f"{path} exists already: name a new file\n" in stderr
    assert before == path.read_bytes()


@pytest.mark.parametrize(
    ("where", "code", "says"),
    [
        ("there.txt", 2, "{path} exists already: name a new file"),
        ("no-folder/ack.txt", 2, "no folder {path.parent} to write ack.txt in"),
        ("a-folder", 12, "{path} is a folder; name a file"),
        ("read-only/ack.txt", 12, "cannot write {path}: Permission denied"),
    ],
)
def test_a_dry_run_refuses_the_file_the_letter_would_be_refused_as_the_real_run_does(
    run: Run,
    unit: UnitFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_url: str,
    where: str,
    code: int,
    says: str,
) -> None:
    # README: a dry run refuses what the real run would; it said the letter could be written
    # to a file there already, or where there is no folder for it.
    ref = ann_at_every_step(unit, until="acknowledged")
    out = tmp_path / "out"
    out.mkdir()
    (out / "there.txt").write_text("mine")
    (out / "a-folder").mkdir()
    read_only = out / "read-only"
    read_only.mkdir()
    # The folder as mode 555 is to its owner (the tests may run as root, whom it does not stop).
    real_open = os.open

    def guarded_open(p: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(os.fsdecode(p)).parent == read_only:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(p))
        return real_open(p, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    path = out / where
    before = dump_store(store_url)
    args = ("letter", ref, "acknowledgement", "--format", "text", "-o", str(path), "--issue")

    real = refused(run, code, *args)
    dry = refused(run, code, *args, "--dry-run")

    assert f"Error: {says.format(path=path)}\n" == real == dry
    assert before == dump_store(store_url)
    assert ["a-folder", "read-only", "there.txt"] == sorted(p.name for p in out.iterdir())
    assert [] == list(read_only.iterdir())


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("{out}/" + "a" * 240 + ".txt", id="a-name-too-long-for-the-temporary-one"),
        proc_as_root("ack.txt"),
    ],
)
def test_a_dry_run_refuses_a_file_no_new_file_can_be_made_beside_as_the_real_run_does(
    run: Run, unit: UnitFactory, tmp_path: Path, store_url: str, where: str
) -> None:
    # The real run makes the letter under a longer temporary name beside the file, and /proc
    # takes no new file even from root; a dry run asked access() and said it could be written.
    ref = ann_at_every_step(unit, until="acknowledged")
    out = tmp_path / "out"
    out.mkdir()
    path = Path(where.format(out=out))
    before = dump_store(store_url)
    args = ("letter", ref, "acknowledgement", "--format", "text", "-o", str(path), "--issue")

    real = refused(run, 12, *args)
    dry = refused(run, 12, *args, "--dry-run")

    assert real == dry
    assert real.startswith(f"Error: cannot write {path}: ")
    assert before == dump_store(store_url)
    assert [] == list(out.iterdir())


def test_a_dry_run_refuses_a_folder_that_takes_no_hard_link_as_the_real_run_does(
    run: Run, unit: UnitFactory, letters: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A letter is linked into place, never over a file that appears meanwhile; a disk that
    # has no hard links (a FAT memory stick) refuses it, and the dry run said it could be done.
    ref = ann_at_every_step(unit, until="acknowledged")

    def no_links(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    path = letters / "ack.txt"
    before = dump_store(store_url)
    args = ("letter", ref, "acknowledgement", "--format", "text", "-o", str(path), "--issue")

    real = refused(run, 12, *args)
    dry = refused(run, 12, *args, "--dry-run")

    assert f"Error: cannot write {path}: Operation not permitted\n" == real == dry
    assert before == dump_store(store_url)
    assert [] == list(letters.iterdir())


def test_a_dry_run_for_many_refuses_a_letter_there_already_as_the_real_run_does(
    run: Run, unit: UnitFactory, letters: Path
) -> None:
    first, second = (ann_at_every_step(unit, until="acknowledged") for _ in range(2))
    there = letters / f"{second}-acknowledgement.txt"
    there.write_text("mine")
    args = ("letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "text")

    real = refused(run, 2, *args, input=f"{first}\n{second}\n")
    dry = refused(run, 2, *args, "--dry-run", input=f"{first}\n{second}\n")

    assert f"Error: {there} exists already: name a new file\n" == real == dry
    assert [there.name] == [p.name for p in letters.iterdir()]


def test_a_letter_out_on_stdout_whose_issue_cannot_be_saved_says_so_and_how_to_record_it(
    run: Run, unit: UnitFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The letter goes out before its issue is committed: a commit that then fails (a full
    # disk, a lost connection) left the letter sent and unrecorded with only the store's error.
    from sqlalchemy.exc import OperationalError

    from complaintctl.store.uow import UnitOfWork

    ref = ann_at_every_step(unit, until="acknowledged")
    saving = UnitOfWork._commit_and_read_on

    def failing(self: UnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", failing)
    result = run("letter", ref, "acknowledgement", "--format", "text", "--issue")
    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", saving)

    assert 8 == result.exit_code, result.stderr
    assert "Casework" in result.stdout  # the letter went out
    (said,) = result.stderr.splitlines()
    assert said.startswith("Error: ")
    assert said.endswith(
        "; the letter went to stdout but its issue may not be recorded: to record it, run the "
        "command again with --format text --at 2027-01-10T12:00:00+00:00 -o FILE (the same "
        "letter, written to a file rather than sent again)"
    )
    assert "[]" in ok(run, "letter", ref, "--list", "--json").replace("\n", "").replace(" ", "")
    # As it says: recorded, and the bytes recorded are those that went out.
    path = tmp_path / "ack.txt"
    ok(run, "letter", ref, "acknowledgement", "--issue", "--format", "text",
       "--at", "2027-01-10T12:00:00+00:00", "-o", str(path))  # fmt: skip
    (issued,) = json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]
    assert result.stdout_bytes == path.read_bytes()
    assert hashlib.sha256(result.stdout_bytes).hexdigest() == issued["sha256"]


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [
        (None, 130, "aborted"),
        (signal.SIGTERM, 143, "stopped by SIGTERM"),
        (signal.SIGHUP, 129, "stopped by SIGHUP"),
    ],
)
def test_a_letter_out_on_stdout_interrupted_before_its_issue_is_saved_says_how_to_record_it(
    run: Run,
    unit: UnitFactory,
    monkeypatch: pytest.MonkeyPatch,
    signum: int | None,
    code: int,
    said: str,
) -> None:
    # Ctrl-C (or kill, or a closed terminal) between the letter going out and its issue being
    # committed said only "aborted", which reads as nothing sent: sent again, it goes out twice.
    from complaintctl.cli.app import _stop
    from complaintctl.store.uow import UnitOfWork

    ref = ann_at_every_step(unit, until="acknowledged")
    saving = UnitOfWork._commit_and_read_on

    def interrupted(self: UnitOfWork) -> None:
        if signum is None:
            raise KeyboardInterrupt
        _stop(signum, None)

    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", interrupted)
    result = run("letter", ref, "acknowledgement", "--format", "text", "--issue")
    monkeypatch.setattr(UnitOfWork, "_commit_and_read_on", saving)

    assert "Casework" in result.stdout  # the letter went out
    assert (
        code,
        f"Error: {said}; the letter went to stdout but its issue may not be recorded: to "
        "record it, run the command again with --format text --at 2027-01-10T12:00:00+00:00 "
        "-o FILE (the same letter, written to a file rather than sent again)\n",
    ) == (result.exit_code, result.stderr)
    assert "[]" in ok(run, "letter", ref, "--list", "--json").replace("\n", "").replace(" ", "")


def test_a_letter_not_issued_interrupted_on_stdout_says_only_aborted(
    run: Run, unit: UnitFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --issue nothing is recorded: nothing to say how to record.
    from complaintctl.cli import render

    ref = ann_at_every_step(unit, until="acknowledged")
    real = render.letter_out

    def out_then_interrupted(letter: Any) -> None:
        real(letter)
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "letter_out", out_then_interrupted)
    result = run("letter", ref, "acknowledgement", "--format", "text")

    assert (130, "Error: aborted\n") == (result.exit_code, result.stderr)


def test_json_needs_a_file_to_describe(run: Run, unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    assert "give -o FILE or --out-dir DIR" in refused(
        run, 2, "letter", ref, "acknowledgement", "--json"
    )


def test_an_unknown_kind_is_refused_naming_the_kinds(run: Run, unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    assert (
        "no letter kind 'apology'; the kinds are acknowledgement, extension, first-response, "
        "final-response, out-of-scope, restriction"
    ) in refused(run, 2, "letter", ref, "apology")


def test_a_kind_in_another_case_is_that_kind(run: Run, unit: UnitFactory, tmp_path: Path) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    path = tmp_path / "ack.txt"

    out = ok(run, "letter", ref, "Acknowledgement", "--format", "Text", "-o", str(path))

    assert f"{ref}: acknowledgement letter (text, sha256 " in out


def test_an_earlier_restriction_in_force_has_its_letter_by_restriction_and_others_refused(
    run: Run, unit: UnitFactory
) -> None:
    ref = ann_at_every_step(unit)  # restriction 1, from the procedure
    ok(run, "--as", "sam.senior", "restrict", "add", "--email", "ann@example.com", "--scope",
       "contact", "--channel", "post", "--reason", "Calls at night",
       "--at", "2027-01-08T10:00")  # fmt: skip
    ok(run, "log", "--consumer", "Cara Jones", "--email", "cara@example.com", "--channel",
       "email", "--category", "delay", "--summary", "Late", "--at", "2027-01-08T11:00")  # fmt: skip
    ok(run, "--as", "sam.senior", "restrict", "add", "--email", "cara@example.com", "--scope",
       "procedure", "--reason", "Abuse", "--at", "2027-01-08T12:00")  # fmt: skip

    latest = said(ok(run, "letter", ref, "restriction", "--format", "text"))
    earlier = said(ok(run, "letter", ref, "restriction", "--format", "text", "--restriction", "1"))

    assert "What is restricted: contact only by post." in latest
    assert "What is restricted: no new formal complaints." in earlier
    args = ("letter", ref, "restriction", "--format", "text", "--restriction")
    assert "Error: no restriction 9\n" in refused(run, 4, *args, "9")
    assert "99999999999999999999 is too large" in refused(run, 2, *args, "99999999999999999999")
    assert "restriction 3 is not on Ann Smith" in refused(run, 2, *args, "3")
    assert "goes with that kind, not acknowledgement" in refused(
        run, 2, "letter", ref, "acknowledgement", "--restriction", "1"
    )
    assert "not with --list or check" in refused(run, 2, "letter", ref, "--list",
                                                 "--restriction", "1")  # fmt: skip
    ok(run, "--as", "sam.senior", "restrict", "lift", "1", "--reason", "Calmer",
       "--at", "2027-01-09T10:00")  # fmt: skip
    assert f"Error: {ref}: restriction 1 on Ann Smith was lifted" in refused(run, 5, *args, "1")


# -- issued, listed, and made again -------------------------------------------------------------


def test_an_issued_letter_is_listed_shown_and_made_again_byte_for_byte(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="final")
    first = tmp_path / "first.eml"
    out = json.loads(
        ok(run, "letter", ref, "final-response", "--format", "eml", "--issue", "-o", str(first),
           "--json")
    )  # fmt: skip
    (written,) = out["letters"]
    assert (True, str(first), None) == (written["issued"], written["file"], written["reproduces"])
    listed = json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]
    assert [("final-response", "eml", "officer.one", written["sha256"])] == [
        (entry["kind"], entry["format"], entry["by"], entry["sha256"]) for entry in listed
    ]
    assert "final-response" in ok(run, "letter", ref, "--list")
    contact = [line for line in ok(run, "show", ref).splitlines() if line.startswith("Contact")]
    assert [f"issued the final-response letter (eml, sha256 {written['sha256'][:12]}…)"] == [
        line.rsplit(": ", 1)[1] for line in contact
    ]
    # The name corrected and weeks gone by: the same command makes the same bytes, from what
    # was recorded, and records nothing more.
    with freeze_time("2027-01-11 09:00:00"):
        ok(run, "--as", "sam.senior", "edit", ref, "--name", "Ann Jones", "--reason", "Married")
    again = tmp_path / "again.eml"
    with freeze_time("2027-02-20 15:30:00"):
        result = run("letter", ref, "final-response", "--format", "eml", "--issue", "-o",
                     str(again))  # fmt: skip
    assert 0 == result.exit_code, result.stderr
    assert first.read_bytes() == again.read_bytes()
    assert "the same bytes (nothing new recorded)" in result.stderr
    assert 1 == len(json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"])
    # --reissue: the letter as the case is now, recorded too.
    anew = tmp_path / "anew.eml"
    with freeze_time("2027-02-21 10:00:00"):
        ok(run, "letter", ref, "final-response", "--format", "eml", "--reissue", "-o", str(anew))
    assert b"To: Ann Jones <ann@example.com>" in anew.read_bytes()
    assert 2 == len(json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"])


def test_letters_are_listed_in_the_order_they_were_issued_not_recorded(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """An acknowledgement letter recorded after the final response's, but issued (--at) long
    before it, is listed first; two issued at the same moment keep the order recorded."""
    ref = ann_at_every_step(unit, until="final")
    ok(run, "letter", ref, "final-response", "--format", "eml", "--issue",
       "-o", str(tmp_path / "final.eml"))  # fmt: skip
    for kind in ("acknowledgement", "extension"):
        ok(run, "letter", ref, kind, "--format", "eml", "--issue", "--at", "2026-12-02T10:00",
           "-o", str(tmp_path / f"{kind}.eml"))  # fmt: skip

    listed = json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]
    assert ["acknowledgement", "extension", "final-response"] == [e["kind"] for e in listed]
    table = ok(run, "letter", ref, "--list")
    assert table.index("acknowledgement") < table.index("extension") < table.index("final-")


def test_a_letter_at_a_future_moment_is_refused_issued_or_not(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """--at says when the letter was made, as for every step: never in the future, with
    --issue or without (an email's Date: was a day not yet come)."""
    ref = ann_at_every_step(unit, until="acknowledged")
    for issue in ((), ("--issue",)):
        said = refused(
            run, 2, "letter", ref, "acknowledgement", "--format", "eml", *issue,
            "--at", "2027-01-11T10:00", "-o", str(tmp_path / "ack.eml"),
        )  # fmt: skip
        assert (
            "Error: --at Mon 2027-01-11 10:00 GMT is in the future; record what has happened, "
            "when it happened\n"
        ) == said
        assert not (tmp_path / "ack.eml").exists()
    result = run("letter", ref, "acknowledgement", "--format", "eml", "--at", "2027-01-11T10:00")
    assert (2, "") == (result.exit_code, result.stdout)


def test_letters_listed_in_a_pipe_are_plain_lines_with_iso_instants(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """Piped (or --plain), the list is tab-separated lines as every listing's are: no table's
    header or rule, and the instant in ISO 8601 with its offset."""
    ref = ann_at_every_step(unit, until="final")
    out = ok(run, "letter", ref, "final-response", "--format", "eml", "--issue",
             "-o", str(tmp_path / "final.eml"), "--json")  # fmt: skip
    sha = json.loads(out)["letters"][0]["sha256"]
    expected = f"2027-01-10T12:00:00+00:00\tofficer.one\tfinal-response\teml\t{sha}\n"
    assert expected == ok(run, "letter", ref, "--list")
    assert expected == ok(run, "--plain", "letter", ref, "--list")


def test_no_letter_issued_is_said_so(run: Run, unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="logged")
    result = run("letter", ref, "--list")
    assert (0, f"No letter has been issued on {ref}\n") == (result.exit_code, result.stderr)


def test_letters_listed_in_a_pipe_are_tab_separated_lines_and_kind_lists_only_that_kind(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """As every other listing: plain lines when piped (instants in ISO, as `history` gives
    them); a KIND with --list lists the letters of that kind alone."""
    ref = ann_at_every_step(unit, until="final")
    for kind in ("acknowledgement", "final-response"):
        ok(run, "letter", ref, kind, "--format", "eml", "--issue",
           "-o", str(tmp_path / f"{kind}.eml"))  # fmt: skip
    listed = json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]

    lines = ok(run, "letter", ref, "--list").splitlines()
    assert [
        "\t".join((e["at"], e["by"], e["kind"], e["format"], e["sha256"])) for e in listed
    ] == lines
    assert [lines[1]] == ok(run, "letter", ref, "final-response", "--list").splitlines()
    only = json.loads(ok(run, "letter", ref, "acknowledgement", "--list", "--json"))["letters"]
    assert ["acknowledgement"] == [e["kind"] for e in only]
    result = run("letter", ref, "extension", "--list")
    assert (0, "", f"No extension letter has been issued on {ref}\n") == (
        result.exit_code,
        result.stdout,
        result.stderr,
    )
    result = run("letter", ref, "acknowledgment", "--list")
    assert 2 == result.exit_code
    assert result.stderr.startswith("Error: no letter kind 'acknowledgment'; the kinds are ")


def test_letters_of_a_kind_whose_template_is_gone_are_listed_by_its_name_in_any_case(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="logged")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>We will ring you about {{ reference }}.'
        "</p>{% endblock %}",
        encoding="utf-8",
    )
    ok(run, "letter", ref, "apology-call", "--templates", str(folder), "--issue",
       "-o", str(tmp_path / "call.html"))  # fmt: skip

    # Without the folder: the kind is the case's issued one, read as every other choice is.
    for typed in ("apology-call", "Apology-Call"):
        listed = json.loads(ok(run, "letter", ref, typed, "--list", "--json"))["letters"]
        assert ["apology-call"] == [e["kind"] for e in listed]
    result = run("letter", ref, "apology-cal", "--list")
    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: no letter kind 'apology-cal'; the kinds are ")
    assert result.stderr.endswith(", restriction, apology-call\n")


# -- many cases ----------------------------------------------------------------------------------


def test_letters_for_the_references_on_stdin_one_file_each(
    run: Run, unit: UnitFactory, letters: Path
) -> None:
    refs = [ann_at_every_step(unit, until="acknowledged") for _ in range(3)]
    out = ok(
        run, "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "html",
        "--issue", input="\n".join(refs) + "\n",
    )  # fmt: skip
    assert sorted(f"{ref}-acknowledgement.html" for ref in refs) == sorted(
        p.name for p in letters.iterdir() if p.suffix == ".html"
    )
    for ref in refs:
        assert f"{ref}: acknowledgement letter (html" in out
        page = (letters / f"{ref}-acknowledgement.html").read_text(encoding="utf-8")
        assert f"Our reference: {ref}" in page
        assert 1 == len(json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"])


def test_letters_for_the_cases_queue_lists(run: Run, unit: UnitFactory, letters: Path) -> None:
    refs = sorted(ann_at_every_step(unit, until="acknowledged") for _ in range(2))
    queued = ok(run, "queue", "--json")
    assert refs == sorted(case["ref"] for case in json.loads(queued))
    ok(run, "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "eml",
       input=queued)  # fmt: skip
    assert [f"{ref}-acknowledgement.eml" for ref in refs] == sorted(
        p.name for p in letters.iterdir()
    )


def test_letters_for_many_cases_are_all_or_nothing(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    ready = ann_at_every_step(unit, until="acknowledged")
    not_yet = ann_at_every_step(unit, until="logged")
    before = dump_store(store_url)
    stderr = refused(
        run, 9, "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format",
        "text", "--issue", input=f"{ready}\n{not_yet}\n",
    )  # fmt: skip
    assert f"{not_yet}: no acknowledgement is recorded" in stderr
    assert "Error: 1 of 2 cases refused, so no letter was written or recorded" in stderr
    assert [] == list(letters.iterdir())
    assert before == dump_store(store_url)


def test_one_reference_on_stdin_refused_is_a_batch_refused_with_exit_9(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    not_yet = ann_at_every_step(unit, until="logged")
    before = dump_store(store_url)
    stderr = refused(
        run, 9, "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format",
        "text", "--issue", input=f"{not_yet}\n",
    )  # fmt: skip
    assert f"{not_yet}: no acknowledgement is recorded" in stderr
    assert "Error: 1 of 1 case refused, so no letter was written or recorded" in stderr
    assert [] == list(letters.iterdir())
    assert before == dump_store(store_url)


def test_a_dry_run_writes_and_records_nothing(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    refs = [ann_at_every_step(unit, until="acknowledged") for _ in range(2)]
    before = dump_store(store_url)
    result = run(
        "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "text",
        "--issue", "--dry-run", input="\n".join(refs),
    )  # fmt: skip
    assert 0 == result.exit_code, result.stderr
    assert "Dry run: all 2 letters can be made; nothing was written" in result.stderr
    assert [] == list(letters.iterdir())
    assert before == dump_store(store_url)


def test_a_dry_run_with_json_prints_the_json_alone_on_stdout(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    refs = [ann_at_every_step(unit, until="acknowledged") for _ in range(2)]
    before = dump_store(store_url)
    result = run(
        "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "text",
        "--dry-run", "--json", input="\n".join(refs),
    )  # fmt: skip
    assert 0 == result.exit_code, result.stderr
    made = json.loads(result.stdout)  # one document: no "(not written)" line before it
    assert (True, refs, [False, False]) == (
        made["dry_run"],
        [letter["ref"] for letter in made["letters"]],
        [letter["issued"] for letter in made["letters"]],
    )
    assert "Dry run: all 2 letters can be made; nothing was written" in result.stderr
    assert ([], before) == (list(letters.iterdir()), dump_store(store_url))


def test_a_dry_run_of_one_letter_refused_exits_9_as_a_steps_dry_run_does(
    run: Run, unit: UnitFactory, store_url: str
) -> None:
    # README: with --dry-run a refusal is listed as refused, exit 9, as any dry run's is; only
    # one reference acted on for real keeps its refusal's own exit code (5 here).
    ref = ann_at_every_step(unit, until="acknowledged")
    before = dump_store(store_url)
    dry = refused(run, 9, "letter", ref, "first-response", "--format", "text", "--dry-run")
    refused(run, 5, "letter", ref, "first-response", "--format", "text")
    assert (
        dry.splitlines()[-1] == "Error: 1 of 1 case refused, so no letter was written or recorded"
    )
    assert before == dump_store(store_url)


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_nothing_on_stdin_with_json_still_prints_the_letters_json(
    run: Run, letters: Path, dry_run: list[str]
) -> None:
    result = run(
        "letter", "-", "acknowledgement", "--out-dir", str(letters), "--json", *dry_run,
        input="[]",
    )  # fmt: skip
    assert (0, "No case references on stdin: nothing to do\n") == (
        result.exit_code,
        result.stderr,
    )
    assert {"schema_version": 2, "dry_run": bool(dry_run), "letters": []} == json.loads(
        result.stdout
    )


def test_a_file_already_in_the_folder_stops_every_letter(
    run: Run, unit: UnitFactory, letters: Path, store_url: str
) -> None:
    first, second = (ann_at_every_step(unit, until="acknowledged") for _ in range(2))
    (letters / f"{second}-acknowledgement.txt").write_text("mine")
    before = dump_store(store_url)
    refused(
        run, 2, "letter", "-", "acknowledgement", "--out-dir", str(letters), "--format", "text",
        "--issue", input=f"{first}\n{second}\n",
    )  # fmt: skip
    assert [f"{second}-acknowledgement.txt"] == [p.name for p in letters.iterdir()]
    assert before == dump_store(store_url)


def test_out_dir_naming_a_file_says_it_is_a_file_not_that_there_is_no_folder(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    (tmp_path / "notes.txt").write_text("mine")
    said = refused(
        run, 2, "letter", "-", "acknowledgement", "--out-dir", str(tmp_path / "notes.txt"),
        "--format", "text", input=f"{ref}\n",
    )  # fmt: skip
    assert f"Error: {tmp_path / 'notes.txt'} is a file: --out-dir names a folder" in said
    assert "mine" == (tmp_path / "notes.txt").read_text()


@pytest.mark.parametrize("name", ["", "-"])
def test_a_letter_to_an_empty_name_or_dash_is_refused_and_records_nothing(
    run: Run,
    unit: UnitFactory,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """`-o "$OUT"` with OUT unset is no file: never the letter on stdout recorded as issued,
    and `-o -` is not a file named "-"."""
    ref = ann_at_every_step(unit, until="acknowledged")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before = dump_store(store_url)

    said = refused(
        run, 2, "letter", ref, "acknowledgement", "--format", "text", "-o", name, "--issue",
        "--json",
    )  # fmt: skip

    assert f"Error: letter -o writes a file: name it ({name!r} is not one)\n" == said
    assert [] == list(here.iterdir())
    assert before == dump_store(store_url)


def test_letters_to_an_empty_out_dir_are_refused_and_record_nothing(
    run: Run, unit: UnitFactory, store_url: str
) -> None:
    """`--out-dir "$DIR"` with DIR unset: the letters were written nowhere and recorded as
    issued."""
    ref = ann_at_every_step(unit, until="acknowledged")
    before = dump_store(store_url)

    said = refused(
        run, 2, "letter", "-", "acknowledgement", "--out-dir", "", "--format", "text",
        "--issue", "--json", input=f"{ref}\n",
    )  # fmt: skip

    assert "Error: --out-dir names a folder to write the letters in: name it ('' is not one)\n" == (
        said
    )
    assert before == dump_store(store_url)


# -- the organisation's templates ------------------------------------------------------------


def test_a_template_leaving_out_the_referral_date_is_refused_by_check_and_by_letter(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path / "templates", "{{ refer_by }}", "soon")
    checked = run("letter", "check", str(folder))
    assert 2 == checked.exit_code
    assert (
        f"final-response: final-response.html ({folder}) leaves out the date by which to refer "
        "(the end of the 3-month window) ({{ refer_by }})"
    ) in checked.stdout
    assert "acknowledgement: acknowledgement.html (built-in) carries everything required" in (
        checked.stdout
    )
    assert "Error: 1 of 6 letter templates leaves out what it must carry" in checked.stderr
    stderr = refused(run, 2, "letter", ref, "final-response", "--templates", str(folder),
                     "--format", "text", "--issue")  # fmt: skip
    assert f"template final-response.html ({folder}) leaves out" in stderr
    assert "({{ refer_by }})" in stderr
    assert [] == json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]


def test_a_template_leaving_out_the_response_date_names_an_acknowledgement_letter(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.html").write_text(
        '{% extends "letter.html" %}{% block body %}{{ area }}{% endblock %}', encoding="utf-8"
    )
    stderr = refused(run, 2, "letter", ref, "acknowledgement", "--templates", str(folder),
                     "--format", "text")  # fmt: skip
    assert "leaves out what an acknowledgement letter must carry" in stderr


def test_a_template_left_a_link_to_nothing_is_refused_as_one_not_as_a_folder(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.html").symlink_to(tmp_path / "moved.html")
    stderr = refused(run, 2, "letter", ref, "acknowledgement", "--templates", str(folder),
                     "--issue")  # fmt: skip
    assert "acknowledgement.html is a link to nothing" in stderr
    assert "folder, not a template" not in stderr
    assert [] == json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]


def test_the_built_in_templates_pass_the_check(run: Run) -> None:
    checked = json.loads(ok(run, "letter", "check", "--json"))
    assert (None, [True] * 6) == (
        checked["folder"],
        [template["ok"] for template in checked["templates"]],
    )


def test_the_templates_beside_the_config_file_are_used_and_add_kinds(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    """The config file is tmp_path/config/complaintctl/config.toml (tests/conftest.py): a
    templates folder beside it is the organisation's."""
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(
        tmp_path / "config" / "complaintctl" / "templates", "<h2>", "<h2>Your next step: "
    )
    (folder / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>We will ring you about {{ reference }}.'
        "</p>{% endblock %}",
        encoding="utf-8",
    )
    text = said(ok(run, "letter", ref, "final-response", "--format", "text"))
    assert "Your next step: Referring your complaint" in text
    call = said(ok(run, "letter", ref, "apology-call", "--format", "text"))
    assert f"Dear Ann Smith, We will ring you about {ref}." in call
    kinds = [t["kind"] for t in json.loads(ok(run, "letter", "check", "--json"))["templates"]]
    assert "apology-call" == kinds[-1]


def test_a_kind_the_organisations_templates_add_may_have_its_own_signatory(
    run: Run, unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="logged")
    beside = tmp_path / "config" / "complaintctl"
    (beside / "templates").mkdir(parents=True)
    (beside / "templates" / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>{{ signatory }} will ring you about '
        "{{ reference }}.</p>{% endblock %}",
        encoding="utf-8",
    )
    (beside / "config.toml").write_text(
        '[organisation.signatories]\napology-call = "Cal Caller"\n', encoding="utf-8"
    )

    call = said(ok(run, "letter", ref, "Apology-Call", "--format", "text"))
    assert f"Cal Caller will ring you about {ref}." in call
    # A kind neither built in nor the templates' is still refused, naming the kinds there are.
    (beside / "config.toml").write_text(
        '[organisation.signatories]\napology_call = "Cal Caller"\n', encoding="utf-8"
    )
    stderr = refused(run, 2, "config")
    assert (
        "organisation.signatories: unknown letter kind 'apology_call'; the kinds are "
        "acknowledgement, extension, first-response, final-response, out-of-scope, "
        "restriction, apology-call\n"
    ) in stderr


@pytest.mark.parametrize(
    "escape", ["{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}"]
)
def test_a_template_reaching_outside_its_sandbox_is_refused_with_exit_2(
    run: Run, unit: UnitFactory, tmp_path: Path, escape: str
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path / "templates", "<h2>", f"{escape}<h2>")
    stderr = refused(run, 2, "letter", ref, "final-response", "--templates", str(folder),
                     "--format", "text")  # fmt: skip
    assert "Error: template final-response.html: access to attribute '__" in stderr
    assert "is unsafe" in stderr
    checked = run("letter", "check", str(folder))
    assert 2 == checked.exit_code
    assert "final-response: final-response.html" in checked.stdout
    assert "does not render: template final-response.html: access to attribute" in (checked.stdout)


@pytest.mark.parametrize(
    ("failing", "named"),
    [
        ("{% for i in range(100000000) %}x{% endfor %}", "OverflowError: Range too big"),
        ("{{ 1/0 }}", "ZeroDivisionError"),
        ("{{ 1 + reference }}", "TypeError"),
        ("{{ 5|wordwrap }}", "AttributeError"),  # a filter given what it cannot work on
        ("{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}", "RecursionError"),
        ('{{ "x" * 100000000000 }}', "it would make more than a letter can hold"),
        (
            '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
            "{% endfor %}{{ ns.s|length }}",
            "it would make more than a letter can hold",
        ),
        ('{{ "%*s" % (100000000, "x") }}', "it would make more than a letter can hold"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "its loops would take more than 1,000,000 steps",
        ),
        (
            "{% macro d(n) %}{% if n %}{{ d(n - 1) }}{{ d(n - 1) }}{% endif %}{% endmacro %}"
            "{{ d(60) }}",
            "its macros would be called more than 10,000 times",
        ),
    ],
)
def test_a_template_failing_as_it_runs_is_refused_with_exit_2(
    run: Run, unit: UnitFactory, tmp_path: Path, failing: str, named: str
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path / "templates", "<h2>", f"{failing}<h2>")
    stderr = refused(run, 2, "letter", ref, "final-response", "--templates", str(folder),
                     "--format", "text", "--issue")  # fmt: skip
    assert f"Error: template final-response.html: {named}" in stderr
    checked = run("letter", "check", str(folder))
    assert 2 == checked.exit_code
    assert f"does not render: template final-response.html: {named}" in checked.stdout
    assert [] == json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]


@pytest.mark.parametrize(
    ("naming", "missing"),
    [
        ('{% include "_remedie.html" %}', "_remedie.html"),
        ('{% include "/etc/passwd" %}', "/etc/passwd"),
        ('{% include "../config.toml" %}', "../config.toml"),
    ],
)
def test_a_template_naming_a_template_that_is_not_there_says_so_with_exit_2(
    run: Run, unit: UnitFactory, tmp_path: Path, naming: str, missing: str
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path / "templates", "<h2>", f"{naming}<h2>")
    stderr = refused(run, 2, "letter", ref, "final-response", "--templates", str(folder),
                     "--format", "text")  # fmt: skip
    assert (
        f"Error: template final-response.html: it uses the template {missing!r}, which is "
        f"neither in {folder} nor built in (a template is a file's name in the templates "
        "folder)"
    ) in said(stderr)


def test_a_templates_folder_that_cannot_be_read_is_refused_with_exit_2(
    run: Run, unit: UnitFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not exit 12 and "cannot write" its template: the folder is read, not written."""
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path / "templates", "<h2>", "<h2>")
    unreadable(monkeypatch, folder)
    said_to = f"Error: templates folder {folder}: cannot be read (Permission denied)"
    assert said_to in refused(run, 2, "letter", ref, "final-response", "--templates",
                              str(folder), "--format", "text", "--issue")  # fmt: skip
    assert said_to in refused(run, 2, "letter", "check", str(folder))
    assert [] == json.loads(ok(run, "letter", ref, "--list", "--json"))["letters"]


def test_an_empty_templates_folder_is_refused_not_taken_for_the_default(
    run: Run, unit: UnitFactory
) -> None:
    """`--templates "$DIR"` or `letter check "$DIR"` with DIR not set: refused, exit 2, where
    the letter was made from (and check passed) the default templates instead."""
    ref = ann_at_every_step(unit, until="final")
    for empty in ("", " "):
        assert "Error: --templates names a templates folder: it was given empty" in refused(
            run, 2, "letter", ref, "final-response", "--templates", empty, "--format", "text"
        )
        assert "Error: DIR names a templates folder: it was given empty" in refused(
            run, 2, "letter", "check", empty
        )


def test_a_consumers_template_syntax_prints_as_written(run: Run, unit: UnitFactory) -> None:
    from complaintctl import services
    from tests.service.journey import act, log, t

    ref = log(unit, t("2026-11-30T10:00"), consumer="Ann {{ 7*7 }} <script>alert(1)</script>",
              summary="{% raw %}{{ 7*7 }}")  # fmt: skip
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    text = said(ok(run, "letter", ref, "acknowledgement", "--format", "text"))
    assert "Dear Ann {{ 7*7 }} <script>alert(1)</script>," in text
    assert "“{% raw %}{{ 7*7 }}”" in text
    assert "49" not in text.replace("2026", "")
    page = ok(run, "letter", ref, "acknowledgement", "--format", "html")
    assert "Ann {{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page


@pytest.mark.parametrize("dry", [["--dry-run"], []])
def test_a_letter_to_a_name_holding_a_newline_leaves_no_temporary_file(
    run: Run, unit: UnitFactory, letters: Path, dry: list[str]
) -> None:
    # Clean-up knew its own temporary files by a pattern no name with a newline matched: the
    # dry run's trial file and its link were left behind.
    ref = ann_at_every_step(unit, until="acknowledged")
    path = letters / "a\nb.txt"

    result = run("letter", ref, "acknowledgement", "--format", "text", "-o", str(path), *dry)

    assert 0 == result.exit_code, result.stderr
    assert ([] if dry else [path.name]) == [p.name for p in letters.iterdir()]


def test_a_letter_interrupted_once_in_place_is_taken_away_and_not_recorded(
    run: Run, unit: UnitFactory, letters: Path, store_url: str, interrupted_syncing_a_folder: None
) -> None:
    # Ctrl-C while the folder was synced, the letter already linked into place: it was left
    # there, unrecorded as issued, and the error said it was written and kept.
    ref = ann_at_every_step(unit, until="acknowledged")
    before = dump_store(store_url)
    path = letters / "ack.txt"

    result = run("letter", ref, "acknowledgement", "--format", "text", "-o", str(path), "--issue")

    assert (130, "Error: aborted\n") == (result.exit_code, result.stderr)
    assert before == dump_store(store_url)
    assert [] == list(letters.iterdir())
