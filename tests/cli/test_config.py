"""The config file end to end: its defaults, what overrides them, saved views, `config`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from freezegun import freeze_time

from complaintctl import config
from tests.cli.conftest import Run
from tests.cli.journey import as_it_happens as ok
from tests.cli.journey import log_case, show
from tests.conftest import sqlite_only

NOW = "2026-12-01 12:00:00"


@pytest.fixture
def config_file() -> Path:
    """The config file in its default place: the test's own (tests/conftest.py)."""
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@freeze_time(NOW)
def test_the_config_file_gives_as_and_the_area_an_option_or_variable_overrides(
    run: Run, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPLAINTCTL_USER")
    config_file.write_text('as = "officer.two"\narea = "Energy"\n', encoding="utf-8")
    first = log_case(run, at="2026-11-30T10:00")
    second = log_case(run, at="2026-11-30T11:00")

    ok(run, "ack", first)
    monkeypatch.setenv("COMPLAINTCTL_USER", "officer.one")
    ok(run, "ack", second, "--area", "Casework")

    assert [("Energy", "officer.two"), ("Casework", "officer.one")] == [
        (show(run, ref)["area"], show(run, ref)["history"][-1]["by"]) for ref in (first, second)
    ]


@freeze_time(NOW)
@pytest.mark.parametrize("area", ["", "  "])
def test_an_empty_area_is_refused_not_taken_for_the_config_files(
    run: Run, config_file: Path, area: str
) -> None:
    """`ack - --area "$AREA"` with AREA not set routes nothing, alone or in a batch."""
    config_file.write_text('area = "Energy"\n', encoding="utf-8")
    first = log_case(run, at="2026-11-30T10:00")
    second = log_case(run, at="2026-11-30T11:00")

    alone = run("ack", first, "--area", area)
    batch = run("ack", "-", "--area", area, input=f"{first}\n{second}\n")

    assert [(2, "", "Error: --area must not be empty\n")] * 2 == [
        (result.exit_code, result.stdout, result.stderr) for result in (alone, batch)
    ]
    assert ["received", "received"] == [show(run, ref)["stage"] for ref in (first, second)]


@freeze_time(NOW)
def test_the_config_file_names_the_store_and_the_environment_overrides_it(
    run: Run, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = log_case(run, at="2026-11-30T10:00")
    store = os.environ["COMPLAINTCTL_DB"]
    config_file.write_text(f"db = {json.dumps(store)}\n", encoding="utf-8")
    monkeypatch.delenv("COMPLAINTCTL_DB")

    assert ref == show(run, ref)["ref"]
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "none-here.sqlite3"))
    assert 8 == run("show", ref).exit_code


@freeze_time(NOW)
def test_queue_view_applies_the_saved_filters_and_options_add_to_them(
    run: Run, config_file: Path
) -> None:
    received = log_case(run, at="2026-11-30T10:00")
    routed = log_case(run, at="2026-11-30T11:00")
    ok(run, "ack", routed, "--area", "Casework", "--at", "2026-11-30T12:00")
    config_file.write_text(
        '[views.casework]\narea = "Casework"\n[views.new]\nstage = ["Received"]\n',
        encoding="utf-8",
    )

    def listed(*args: str) -> list[str]:
        return [item["ref"] for item in json.loads(ok(run, "queue", "--json", *args).stdout)]

    assert ([routed], [received]) == (listed("--view", "casework"), listed("--view", "new"))
    assert [] == listed("--view", "casework", "--stage", "received")


@pytest.mark.parametrize(
    ("saved", "typed"),
    [("mine = true", ("--owner", "rita.responder")), ('owner = "rita.responder"', ("--mine",))],
)
def test_owner_or_mine_given_with_a_view_replaces_the_view_s_owner_or_mine(
    run: Run, config_file: Path, saved: str, typed: tuple[str, ...]
) -> None:
    # README: "options given with --view add to it or replace its values". `--view
    # mine-breached --owner rita` was refused: "--mine and --owner are the same filter".
    config_file.write_text(f"[views.team]\n{saved}\nbreached = true\n", encoding="utf-8")
    result = run("queue", "--view", "team", *typed, "--json")
    assert (0, "[]\n", "") == (result.exit_code, result.stdout, result.stderr)


def test_an_empty_option_given_with_a_view_is_refused_not_taken_for_the_view_s(
    run: Run, config_file: Path
) -> None:
    config_file.write_text('[views.soon]\ndue_within = "2d"\n', encoding="utf-8")
    result = run("queue", "--view", "soon", "--due-within", "")
    assert (2, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: --due-within: '' is not a duration")


@pytest.mark.parametrize(("key", "value"), [("stage", '["lost"]'), ("category", '"fees"')])
def test_a_view_s_stage_or_category_it_cannot_read_is_refused_naming_the_file_and_view(
    run: Run, config_file: Path, key: str, value: str
) -> None:
    config_file.write_text(f"[views.team]\n{key} = {value}\n", encoding="utf-8")
    # Refused on every command that reads the file, as its other mistakes are: not only once
    # `--view team` is asked for, after scripts have run with it unnoticed for months.
    for args in (("queue", "--view", "team"), ("queue",), ("staff", "list")):
        result = run(*args)
        assert (2, "") == (result.exit_code, result.stdout)
        assert result.stderr.startswith(f"Error: config file {config_file}: views.team.{key}: ")
        assert "is not one of" in result.stderr


@freeze_time(NOW)
def test_a_view_s_stage_and_category_in_any_case_are_read_as_the_options_read_them(
    run: Run, config_file: Path
) -> None:
    config_file.write_text(
        '[views.team]\nstage = [" Received ", "FIRST-STAGE"]\ncategory = "Delay"\n',
        encoding="utf-8",
    )
    assert 0 == run("queue", "--view", "team").exit_code
    assert 0 == run("staff", "list").exit_code


@freeze_time(NOW)
def test_a_config_file_as_naming_no_staff_says_it_came_from_the_file(
    run: Run, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPLAINTCTL_USER")
    config_file.write_text('as = "nobody"\n', encoding="utf-8")
    ref = log_case(run, at="2026-11-30T10:00")

    result = run("ack", ref, "--area", "Casework")

    assert 6 == result.exit_code
    assert result.stderr.startswith("Error: nobody is not staff in this store")
    assert result.stderr.endswith(f"nobody is the `as` the config file {config_file} sets\n")
    # Named by --as or the variable, the file's name is not in question.
    monkeypatch.setenv("COMPLAINTCTL_USER", "nobody.else")
    assert "config file" not in run("ack", ref, "--area", "Casework").stderr


@freeze_time(NOW)
def test_a_config_file_as_naming_no_staff_says_it_came_from_the_file_to_queue_mine(
    run: Run, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --mine reads as the `as`: refused as no member of staff, as --owner nobody would be
    # (exit 4), and said to be the file's, as a command that records something (and export
    # --mine, which records the export) says it.
    monkeypatch.delenv("COMPLAINTCTL_USER")
    config_file.write_text('as = "nobody"\n', encoding="utf-8")

    result = run("queue", "--mine")

    assert (4, "") == (result.exit_code, result.stdout)
    assert (
        "Error: no staff member 'nobody' (see `complaintctl staff list`); nobody is the `as` "
        f"the config file {config_file} sets\n"
    ) == result.stderr
    exported = run("export", "--mine")  # acts: refused as no staff, as a step is
    assert (6, True) == (exported.exit_code, exported.stderr.endswith(f"{config_file} sets\n"))
    monkeypatch.setenv("COMPLAINTCTL_USER", "nobody.else")
    assert "config file" not in run("queue", "--mine").stderr


def test_an_unknown_view_exits_2_naming_the_views(run: Run, config_file: Path) -> None:
    config_file.write_text("[views.mine]\nmine = true\n", encoding="utf-8")
    result = run("queue", "--view", "mien")
    assert (2, "") == (result.exit_code, result.stdout)
    assert "Error: no queue view 'mien'; the views are mine\n" == result.stderr


@pytest.mark.parametrize(
    ("key", "value", "status", "refusal"),
    [
        ("owner", "zed", 4, "no staff member 'zed' (see `complaintctl staff list`)"),
        ("area", "Nowhere", 2, "no staff work in 'Nowhere' and no case is routed there; "),
    ],
)
def test_a_view_whose_owner_or_area_names_nothing_is_refused_naming_the_view(
    run: Run, config_file: Path, key: str, value: str, status: int, refusal: str
) -> None:
    # It said "no staff member 'zed'" alone: the officer typed no --owner, and had to guess
    # which view of which file named them.
    config_file.write_text(f'[views.team]\n{key} = "{value}"\n', encoding="utf-8")
    result = run("queue", "--view", "team")
    assert (status, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith(
        f"Error: config file {config_file}: views.team.{key}: {refusal}"
    )
    assert 1 == len(result.stderr.splitlines())


def test_a_broken_config_file_is_one_error_line_exit_2(run: Run, config_file: Path) -> None:
    config_file.write_text("db = \n", encoding="utf-8")
    result = run("queue")
    assert (2, "") == (result.exit_code, result.stdout)
    assert [f"Error: config file {config_file}: not TOML: "] == [
        line[: len(f"Error: config file {config_file}: not TOML: ")]
        for line in result.stderr.splitlines()
    ]


def test_help_never_reads_the_config_file_but_a_command_run_still_refuses_it(
    run: Run, config_file: Path
) -> None:
    # README: "--help never reads it". A command's help read it, and refused to show.
    config_file.write_text('warn_within = "2 hours"\n', encoding="utf-8")
    for args in (["--help"], ["queue", "--help"], ["show", "-h"], ["staff", "list", "--help"],
                 ["--db", "x.sqlite3", "log", "--help"]):  # fmt: skip
        result = run(*args)
        assert (0, "") == (result.exit_code, result.stderr), args
        assert "Usage: " in result.stdout
    # `--help` as another option's value is that value: the command runs, and is refused.
    result = run("note", "SC-2026-000001", "--text", "--help")
    assert (2, "") == (result.exit_code, result.stdout)
    assert f"Error: config file {config_file}: warn_within:" in result.stderr


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ('warn_within = "2 hours"\n', "warn_within", "2 hours"),
        ('[views.soon]\ndue_within = "1x"\n', "views.soon.due_within", "1x"),
    ],
)
def test_a_duration_in_the_config_file_it_cannot_read_names_the_file_not_an_option(
    run: Run, config_file: Path, text: str, key: str, value: str
) -> None:
    # Not `--warn-within: …`: the officer typed no option, and would look for one.
    config_file.write_text(text, encoding="utf-8")
    result = run("queue", "--view", "soon") if "views" in key else run("queue")
    assert (2, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: config file {config_file}: {key}: {value!r} is not a duration; write it like "
        "4h, 30m, 2d or 1d4h (d: a working day)\n"
    ) == result.stderr


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ('warn_within = "99999d"\n', "warn_within", "99999d"),
        ('[views.soon]\ndue_within = "9999d"\n', "views.soon.due_within", "9999d"),
    ],
)
def test_a_duration_in_the_config_file_too_long_names_the_file_not_an_option(
    run: Run, config_file: Path, text: str, key: str, value: str
) -> None:
    # How long a day is, the store's calendar says: the store refuses it, naming the key.
    config_file.write_text(text, encoding="utf-8")
    result = run("queue", "--view", "soon") if "views" in key else run("queue")
    assert (2, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: config file {config_file}: {key}: {value!r} is more working time than "
        "complaintctl counts (at most 2100h)\n"
    ) == result.stderr
    given = run("queue", "--warn-within", "99999h")
    refused = "'99999h' is more working time than complaintctl counts (at most 2100h)"
    assert (2, f"Error: --warn-within: {refused}\n") == (
        given.exit_code,
        given.stderr,
    )


def test_a_config_file_named_that_is_not_there_is_refused_not_taken_for_none(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A slip in the path typed would otherwise give the defaults without a word (another
    # store, another --as).
    typo = tmp_path / "conifg.toml"
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(typo))

    for args in (["queue"], ["config", "--json"], ["show", "SC-2026-000001"]):
        result = run(*args)
        assert (2, "") == (result.exit_code, result.stdout)
        assert (
            f"Error: config file {typo}: no such file (named by COMPLAINTCTL_CONFIG)\n"
            == result.stderr
        )
    assert 0 == run("--help").exit_code


def test_no_config_file_in_the_default_place_is_no_settings(run: Run) -> None:
    shown = json.loads(ok(run, "config", "--json").stdout)
    assert (str(config.config_path()), False) == (shown["path"], shown["found"])


def test_config_shows_the_file_its_settings_and_what_overrides_them(
    run: Run, config_file: Path
) -> None:
    config_file.write_text(
        'as = "officer.two"\nwarn_within = "1d"\n[views.mine]\nmine = true\n', encoding="utf-8"
    )

    shown = json.loads(ok(run, "config", "--json").stdout)
    text = ok(run, "config").stdout.splitlines()

    assert (str(config_file), True) == (shown["path"], shown["found"])
    assert {"setting": "as", "used_for": "--as", "value": "officer.two",
            "overridden_by": "COMPLAINTCTL_USER"} in shown["settings"]  # fmt: skip
    assert {"mine": {"mine": True}} == shown["views"]
    assert f"Config file: {config_file}" == text[0]
    assert "  view mine: queue mine" == text[-1]


def test_config_shows_a_setting_or_view_name_holding_a_line_break_on_one_line_aligned(
    run: Run, config_file: Path
) -> None:
    config_file.write_text(
        'area = "Case\\nwork\\u200b"\n[views."mi\\nne"]\nmine = true\n', encoding="utf-8"
    )

    text = ok(run, "config").stdout.splitlines()

    shown = "Case\\x0awork<U+200B>"
    assert f"  area         {shown:<30} for ack --area" in text
    assert "  view mi\\x0ane: queue mine" == text[-1]


def test_config_shows_the_templates_folder_beside_the_file_that_letters_come_from(
    run: Run, config_file: Path
) -> None:
    """The file sets no `templates`, but a `templates` folder beside it is the organisation's:
    `config` showed `templates -`, as though letters came from the built-in templates."""
    config_file.write_text('as = "officer.two"\n', encoding="utf-8")
    beside = config_file.parent / "templates"
    beside.mkdir()

    shown = json.loads(ok(run, "config", "--json").stdout)
    text = ok(run, "config").stdout.splitlines()

    assert {"setting": "templates", "used_for": "letter --templates", "value": None,
            "overridden_by": None} in shown["settings"]  # fmt: skip
    assert [
        f"  templates    -                              for letter --templates"
        f"  (in force: {beside}, beside the file)"
    ] == [line for line in text if line.startswith("  templates")]


def test_config_shows_the_organisation_letters_come_from_with_hostile_text_inert(
    run: Run, config_file: Path
) -> None:
    config_file.write_text(
        '[organisation]\nname = "Ombud\\u001b[2J Ltd"\naddress = "1 High St\\nLeeds"\n'
        '[organisation.signatories]\nfinal-response = "Sam Senior"\n',
        encoding="utf-8",
    )

    shown = json.loads(ok(run, "config", "--json").stdout)
    text = ok(run, "config").stdout

    assert {
        **{key: getattr(config.Organisation(), key) for key in config.ORGANISATION_FIELDS},
        "name": "Ombud\x1b[2J Ltd",
        "address": "1 High St\nLeeds",
        "signatories": {"final-response": "Sam Senior"},
    } == shown["organisation"]
    assert "\x1b" not in text
    assert "organisation.name" in text
    assert "Leeds" in text
    assert "organisation.signatories.final-response" in text
    assert "Sam Senior" in text


def test_a_signatory_for_a_letter_kind_misspelt_is_refused_naming_the_kinds(
    run: Run, config_file: Path
) -> None:
    # Otherwise the final response would be signed by the default signatory, unnoticed.
    config_file.write_text(
        '[organisation.signatories]\nfinal_response = "Sam Senior"\n', encoding="utf-8"
    )
    result = run("config")
    assert (2, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: config file {config_file}: organisation.signatories: unknown letter kind "
        "'final_response'; the kinds are acknowledgement, extension, first-response, "
        "final-response, out-of-scope, restriction (no templates folder adds one: the file "
        f"sets no `templates`, and there is no {config_file.parent / 'templates'} beside it)\n"
    ) == result.stderr


@pytest.mark.parametrize("there", ["nothing", "a file"])
def test_a_signatory_for_a_kind_whose_templates_folder_is_missing_names_the_folder(
    run: Run, config_file: Path, there: str
) -> None:
    # It said "unknown letter kind 'apology-call'" alone, to every command: the kind is the
    # organisation's own, and what is wrong is the folder its template was to be found in.
    folder = config_file.parent / "letters"
    if there == "a file":
        folder.write_text("", encoding="utf-8")
    config_file.write_text(
        'templates = "letters"\n[organisation.signatories]\napology-call = "Cal Caller"\n',
        encoding="utf-8",
    )
    result = run("queue")
    what = "no such folder" if there == "nothing" else "a file, not a folder"
    assert (2, "") == (result.exit_code, result.stdout)
    assert (
        f"Error: config file {config_file}: organisation.signatories: 'apology-call' is no "
        f"built-in letter kind, and templates folder {folder}: {what}; put the organisation's "
        "templates (apology-call.html) there, or set `templates` to the folder they are in\n"
    ) == result.stderr


@pytest.mark.parametrize(
    ("setting", "what"),
    [
        (
            '[organisation]\nassessor = ""',
            "organisation.assessor must not be blank: the final "
            "response gives the Independent Assessor's contact details",
        ),
        (
            '[organisation]\nsignatory = " "',
            "organisation.signatory must not be blank: every letter is signed",
        ),
        (
            '[organisation]\nname = ""',
            "organisation.name must not be blank: every letter is from the organisation by name",
        ),
        (
            '[organisation.signatories]\nfinal-response = ""',
            "organisation.signatories.final-response must not be blank: every letter is signed",
        ),
    ],
)
def test_an_organisation_setting_a_letter_needs_left_blank_is_refused(
    run: Run, config_file: Path, setting: str, what: str
) -> None:
    # A blank assessor gave final responses a "Contact:" followed by nothing.
    config_file.write_text(setting + "\n", encoding="utf-8")
    result = run("config")
    assert (2, "") == (result.exit_code, result.stdout)
    assert f"Error: config file {config_file}: {what}\n" == result.stderr


@sqlite_only  # a path; a PostgreSQL store is a URL, taken as written
@freeze_time(NOW)
def test_a_relative_db_in_the_config_file_is_from_its_folder_whichever_folder_runs(
    run: Run, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From the working folder, each folder would have a store of its own, and the first step
    # recorded in another would make one there.
    ref = log_case(run, at="2026-11-30T10:00")
    store = os.environ["COMPLAINTCTL_DB"]
    relative = os.path.relpath(store, config_file.parent)
    config_file.write_text(f"db = {json.dumps(relative)}\n", encoding="utf-8")
    monkeypatch.delenv("COMPLAINTCTL_DB")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert ref == show(run, ref)["ref"]
    assert os.path.normpath(store) == os.path.normpath(
        next(
            setting["value"]
            for setting in json.loads(ok(run, "config", "--json").stdout)["settings"]
            if setting["setting"] == "db"
        )
    )
    assert [] == list(elsewhere.iterdir())


def test_no_store_where_the_config_file_names_one_says_to_check_the_file(
    run: Run, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(f"db = {json.dumps(str(tmp_path / 'none.sqlite3'))}\n", "utf-8")
    monkeypatch.delenv("COMPLAINTCTL_DB")
    result = run("queue")
    assert (8, "") == (result.exit_code, result.stdout)
    assert "check --db, COMPLAINTCTL_DB or the config file's db;" in result.stderr


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://clerk:s3cret@db.example.org/complaints",
         "postgresql+psycopg://clerk:***@db.example.org/complaints"),
        ("postgresql+psycopg://clerk@db.example.org/complaints?password=s3cret",
         "postgresql+psycopg://clerk@db.example.org/complaints?password=***"),
        ("postgresql+psycopg://clerk:s3cret@db.example.org:port/complaints",
         "postgresql+psycopg://…"),
    ],
)  # fmt: skip
def test_config_shows_the_store_url_without_its_password(
    run: Run, config_file: Path, url: str, shown: str
) -> None:
    config_file.write_text(f"db = {json.dumps(url)}\n", encoding="utf-8")

    as_json = ok(run, "config", "--json").stdout
    as_text = ok(run, "config").stdout

    assert "s3cret" not in as_json + as_text
    (db,) = [s for s in json.loads(as_json)["settings"] if s["setting"] == "db"]
    assert shown == db["value"]
    assert f"  db           {shown}" in as_text


def test_a_store_url_in_the_config_file_that_cannot_be_read_names_the_config_file(
    run: Run, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('db = "postgresql+psycopg://clerk:s3cret@db:port/x"\n', encoding="utf-8")
    monkeypatch.delenv("COMPLAINTCTL_DB")

    result = run("queue")

    assert (8, "") == (result.exit_code, result.stdout)
    assert result.stderr.startswith("Error: --db (or COMPLAINTCTL_DB, or the config file's db) ")
    assert "s3cret" not in result.stderr


def test_a_store_in_the_config_file_holding_a_nul_is_refused_not_a_traceback(
    run: Run, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TOML writes one as \u0000; no command line or environment variable can carry it.
    config_file.write_text(f'db = "{tmp_path}/store\\u0000.sqlite3"\n', encoding="utf-8")
    monkeypatch.delenv("COMPLAINTCTL_DB")

    result = run("queue")

    assert (8, "") == (result.exit_code, result.stdout)
    assert [
        "Error: --db (or COMPLAINTCTL_DB, or the config file's db) holds a NUL character "
        "(\\x00, or %00 in a URL), which no file name or database URL holds"
    ] == result.stderr.splitlines()


@freeze_time(NOW)
def test_the_config_file_named_in_the_as_refusal_is_one_word_the_shell_reads_back(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPLAINTCTL_USER")
    named = tmp_path / "we\nird" / "c.toml"
    named.parent.mkdir()
    named.write_text('as = "nobody"\n', encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(named))

    ref = log_case(run, at="2026-11-30T10:00")

    result = run("ack", ref, "--area", "Casework")

    shown = "$'" + str(named).replace("\n", "\\n") + "'"
    assert (6, True) == (
        result.exit_code,
        result.stderr.endswith(f"nobody is the `as` the config file {shown} sets\n"),
    )


def test_a_view_s_stage_closed_is_refused_saying_why_as_the_option_is(
    run: Run, config_file: Path
) -> None:
    config_file.write_text('[views.done]\nstage = ["Closed"]\n', encoding="utf-8")

    result = run("queue", "--view", "done")

    assert (2, "", f"Error: config file {config_file}: views.done.stage: closed: a closed case "
            "is never in the queue (it lists open cases); `export --stage closed` lists them\n"
            ) == (result.exit_code, result.stdout, result.stderr)  # fmt: skip
