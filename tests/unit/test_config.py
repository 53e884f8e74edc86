"""The config file, read and checked: every key known, every value of its type."""

import os
from pathlib import Path

import pytest

from complaintctl import config
from complaintctl.errors import InvalidInput


def load(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def test_no_file_is_no_settings(tmp_path: Path) -> None:
    loaded = config.load(tmp_path / "absent.toml")
    assert (False, {}, {}) == (loaded.found, loaded.settings, loaded.views)


def test_no_file_under_a_home_that_is_a_file_is_no_settings(tmp_path: Path) -> None:
    # HOME (or XDG_CONFIG_HOME) set to a file, as a cron entry may: no config there either.
    home = tmp_path / "home"
    home.write_text("")
    loaded = config.load(home / ".config" / "complaintctl" / "config.toml")
    assert (False, {}) == (loaded.found, loaded.settings)


def test_a_file_the_environment_names_must_be_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(InvalidInput, match="absent.toml: no such file"):
        config.load()


def test_a_blank_file_name_in_the_environment_is_refused_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Not "config file   : no such file", naming a file no one can see.
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", "  ")
    with pytest.raises(InvalidInput) as refused:
        config.load()
    assert (
        "COMPLAINTCTL_CONFIG holds only spaces: name the config file, or unset it for the "
        "default one"
    ) == str(refused.value)


def test_settings_and_views_are_read(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        'db = "~/store.sqlite3"\nas = "ann"\narea = "Casework"\nwarn_within = "2h"\n'
        '[views.mine]\nmine = true\nstage = ["first-stage"]\n',
    )
    assert {
        "db": str(Path.home() / "store.sqlite3"),
        "as": "ann",
        "area": "Casework",
        "warn_within": "2h",
    } == (loaded.settings)
    assert {"mine": True, "stage": ["first-stage"]} == loaded.view("mine")


def test_a_file_saved_with_a_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Some Windows editors (Notepad before 2019) begin a UTF-8 file with a byte-order mark:
    # the file is the same text, not a mistake at line 1, column 1.
    path = tmp_path / "config.toml"
    path.write_bytes('\ufeffas = "ann.officer"\n[views.mine]\nmine = true\n'.encode())

    loaded = config.load(path)

    assert ({"as": "ann.officer"}, {"mine": {"mine": True}}) == (loaded.settings, loaded.views)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('dbb = "x"\n', "unknown setting 'dbb'; the settings are db, as, area, warn_within"),
        ("db = 3\n", "db must be a non-empty string"),
        ('as = " "\n', "as must be a non-empty string"),
        ("db = \n", "not TOML"),
        ('views = "x"\n', "views must be tables"),
        ("[views.x]\nmien = true\n", "views.x: unknown filter 'mien'"),
        ('[views.x]\nmine = "yes"\n', "views.x.mine must be true or false"),
        ('[views.x]\nstage = "first-stage"\n', "views.x.stage must be a list of strings"),
        ("[views.x]\nstage = [1]\n", "views.x.stage must be a list of strings"),
        # An empty area or owner, or both owner and mine, were refused only as queue read
        # them, naming no view ("no staff work in ''", "--mine and --owner are the same").
        ('[views.x]\narea = " "\n', "views.x.area must be a non-empty string"),
        ('[views.x]\nowner = ""\n', "views.x.owner must be a non-empty string"),
        ('[views.x]\nowner = "rita"\nmine = true\n', "views.x: owner and mine are one filter"),
    ],
)
def test_a_file_with_a_mistake_is_refused_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        load(tmp_path, text)
    assert str(raised.value).startswith(f"config file {tmp_path / 'config.toml'}: ")
    assert message in str(raised.value)


def test_a_view_that_is_not_there_is_refused_naming_those_that_are(tmp_path: Path) -> None:
    loaded = load(tmp_path, "[views.b]\nmine = true\n[views.a]\nbreached = true\n")
    with pytest.raises(InvalidInput, match="^no queue view 'c'; the views are a, b$"):
        loaded.view("c")


def test_complaintctl_config_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTCTL_CONFIG", str(tmp_path / "mine.toml"))
    assert tmp_path / "mine.toml" == config.config_path()


def test_a_named_pipe_as_the_config_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    # A pipe with no writer held every command waiting.
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    with pytest.raises(InvalidInput, match=f"config file {path}: not a file"):
        config.load(path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/tty", "/dev/full"])
def test_a_device_as_the_config_file_is_refused_not_read_forever(device: str) -> None:
    # COMPLAINTCTL_CONFIG=/dev/zero was read until memory ran out; /dev/tty waited for the
    # terminal. Only /dev/null is read, as an empty file.
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    with pytest.raises(InvalidInput, match=f"config file {device}: not a file"):
        config.load(Path(device))


def test_dev_null_as_the_config_file_is_no_settings() -> None:
    # COMPLAINTCTL_CONFIG=/dev/null: the usual way to run with no config at all.
    loaded = config.load(Path("/dev/null"))
    assert (True, {}, {}) == (loaded.found, loaded.settings, loaded.views)


def test_a_config_file_larger_than_any_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# " + "x" * (config.MOST_BYTES + 1) + "\n")
    with pytest.raises(InvalidInput, match="is larger than a config file"):
        config.load(path)


def test_a_views_stage_or_category_is_read_as_queues_option_reads_it_in_one_place() -> None:
    # The file's check as it is read and the queue reading the view take the same values.
    assert ("first-stage", "delay") == (
        config.view_choice("stage", " First-Stage ", "views.v.stage"),
        config.view_choice("category", "DELAY", "views.v.category"),
    )
    with pytest.raises(InvalidInput) as refused:
        config.view_choice("stage", "lost", "config file c.toml: views.v.stage")
    assert str(refused.value).startswith(
        "config file c.toml: views.v.stage: 'lost' is not one of received, first-stage, "
    )
    assert str(refused.value).endswith(" (complaintctl config)")
    # A stage the queue never lists is refused saying why, as the queue's --stage is.
    with pytest.raises(InvalidInput, match="views.v.stage: closed: a closed case is never in"):
        config.view_choice("stage", "closed", "config file c.toml: views.v.stage")
