"""Stored text, inert wherever it leaves the store; text coming in, held to one rule."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintctl.text import (
    ACTING,
    LABEL,
    NAME,
    NOTE,
    csv_cell,
    from_csv_cell,
    inert,
    json_text,
    not_in_usernames,
    one_line,
    shell_word,
    text_problem,
    unseen,
)

# The payloads of a hostile name or summary: a window title, a hidden link, clearing the
# screen, colour, a bare carriage return, a right-to-left override, a zero-width space.
PAYLOADS = [
    "\x1b]0;owned\x07",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b[2J",
    "\x1b[31mred",
    "Ann\rBob",
    "Ann \u202eevil",
    "A\u200bnn",
    "\x9b31m",  # the one-byte CSI of C1
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_acting_character_survives_being_made_inert(payload: str) -> None:
    shown = inert(payload)
    assert [] == [c for c in shown if ord(c) in ACTING]


def test_acting_characters_are_written_out_where_they_were() -> None:
    assert "Ann \\x1b[2J<U+202E>live\\x0d" == inert("Ann \x1b[2J\u202elive\r")


def test_a_layout_with_lines_keeps_newlines_and_tabs_and_nothing_else() -> None:
    assert "a\nb\tc\\x1b\\x0d" == inert("a\nb\tc\x1b\r", lines=True)


def test_one_line_folds_whitespace_and_stays_inert() -> None:
    assert "Ann Smith \\x1b[31m" == one_line("Ann\n\tSmith  \x1b[31m")


def test_one_line_writes_out_the_separators_python_counts_as_whitespace() -> None:
    # A name holding a line separator showed as a plain space on one line, hiding it, while
    # a table showed it written out.
    assert "Ann <U+2028> Smith<U+2029> \\x85 \\x1c" == one_line("Ann \u2028 Smith\u2029 \x85 \x1c")


def test_every_control_format_separator_and_surrogate_acts_but_visible_marks_show() -> None:
    """The list of acting characters is Unicode's controls (Cc), format characters (Cf),
    line and paragraph separators and surrogates, but the format characters that print a
    mark of their own (Arabic and Syriac number signs, which real text uses)."""
    visible = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891,
               0x08E2, 0x110BD, 0x110CD, *range(0x13430, 0x13439), *range(0x1BCA0, 0x1BCA4),
               *range(0x1D173, 0x1D17B)}  # fmt: skip
    by_category = {
        code
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    }
    assert (set(), set()) == (by_category - visible - ACTING, ACTING - by_category)


@given(st.text())
def test_json_text_keeps_every_value_exact_and_inert(value: str) -> None:
    text = json_text({"name": value}, indent=None)
    assert ({"name": value}, []) == (json.loads(text), [c for c in text if ord(c) in ACTING])


@given(st.text())
def test_import_reads_back_exactly_the_cell_export_wrote(value: str) -> None:
    assert value == from_csv_cell(csv_cell(value))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil")', '\'=HYPERLINK("https://evil")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("'=x", "''=x"),
        ("Ann Smith", "Ann Smith"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(value: str, cell: str) -> None:
    assert cell == csv_cell(value)


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        ("Ann\x00", NAME, "holds the control character \\x00"),
        ("Ann\x1b[2J", NAME, "holds the control character \\x1b"),
        ("Ann\x85", NAME, "holds the control character \\x85"),
        ("Ann\nSmith", NAME, "takes one line, without a line break"),
        ("Ann\rSmith", NOTE, "holds the control character \\x0d"),
        ("x\ud800", NOTE, "holds <U+D800>, half of a character"),
        ("x" * 201, NAME, "is 201 characters; at most 200"),
        ("x" * 201, LABEL, "is 201 characters; at most 200"),
        ("line one\nline two\twith a tab", NOTE, None),
        ("Ann \u202eSmith", NAME, None),  # shown inert, but a person may write it
        ("x" * 200, NAME, None),
    ],
)
def test_text_coming_in_is_held_to_one_rule(value: str, kind: object, problem: str | None) -> None:
    assert problem == text_problem(value, kind)  # type: ignore[arg-type]


def test_a_csv_header_is_made_safe_as_its_cells_are() -> None:
    # A rejects file repeats the header of the file imported: a column a form named like a
    # formula must not become one in a spreadsheet.
    import io

    from complaintctl.text import write_csv

    stream = io.StringIO()
    write_csv(stream, ["consumer", '=HYPERLINK("http://x")'], [["Ann", "=1+1"]])
    assert 'consumer,"\'=HYPERLINK(""http://x"")"\nAnn,\'=1+1\n' == stream.getvalue()


def test_a_csv_written_to_a_terminal_shows_acting_characters_written_out_never_sends_them() -> None:
    # A store made before the input rule (complaintctl 0.1.0) may hold controls in a name: at a
    # terminal the CSV is read by a person, as a table is; to a file or pipe it stays exact.
    import io

    from complaintctl.files import Digesting
    from complaintctl.text import write_csv

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    row = [["Evil\x1b]0;title\x07 \u202eName", "two\r\nlines\n", 3]]
    shown, kept = Terminal(), io.StringIO()
    write_csv(shown, ["consumer\x1b[2J", "summary", "n"], row)
    write_csv(kept, ["consumer\x1b[2J", "summary", "n"], row)

    assert (
        'consumer\\x1b[2J,summary,n\nEvil\\x1b]0;title\\x07 <U+202E>Name,"two\\x0d\nlines\n",3\n'
        == (shown.getvalue())
    )
    assert 'consumer\x1b[2J,summary,n\nEvil\x1b]0;title\x07 \u202eName,"two\r\nlines\n",3\n' == (
        kept.getvalue()
    )
    # Through the stream that keeps an export's digest, it is where the stream goes that says.
    through = Terminal()
    write_csv(Digesting(through).stream(), ["consumer\x1b[2J", "summary", "n"], row)
    assert shown.getvalue() == through.getvalue()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("olu", ""),
        ("OLU", ""),
        ("ｏｌｕ", ""),  # full width: folded to olu, as usernames are
        ("\u043elu", "U+043E CYRILLIC SMALL LETTER O"),
        ("o lu", "U+0020 SPACE"),
        ("olu\u200b\u200b", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_the_characters_no_username_holds_are_each_named_once(typed: str, said: str) -> None:
    assert said == not_in_usernames(typed)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("/tmp/demo.sqlite3", "/tmp/demo.sqlite3"),
        ("/tmp/my demos/it's.sqlite3", "'/tmp/my demos/it'\"'\"'s.sqlite3'"),
        ("a\x1bb\tc\nd 'e' \\f", "$'a\\x1bb\\tc\\nd \\'e\\' \\\\f'"),
        ("\u202eevil\u200b\x85", "$'\\u202eevil\\u200b\\u0085'"),
        ("\U000e0041", "$'\\U000e0041'"),
        ("caf\udce9", "$'caf\\xe9'"),  # a byte that is not UTF-8, as os.fsdecode reads it
    ],
)
def test_a_shell_word_is_inert_and_what_the_shell_reads_back(text: str, word: str) -> None:
    assert (word, word) == (shell_word(text), inert(shell_word(text)))


@pytest.mark.parametrize(
    ("text", "hidden"),
    [("Casework", None), ("Café 1", None), ("Case\u200bwork", "<U+200B>"),
     ("\u202eEnergy", "<U+202E>"), ("a\tb", "\\x09"), ("\u00ad", "\\xad")],
)  # fmt: skip
def test_unseen_names_the_first_character_that_does_not_show(text: str, hidden: str | None) -> None:
    assert hidden == unseen(text)
