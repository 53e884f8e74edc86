"""Text that consumers write, kept exact in the store and inert wherever it leaves it.

Three rules, each in one place:
- `inert`: stored text as a person may see it. Controls, bidirectional overrides and
  invisible characters are written out (`\\x1b`, `<U+202E>`), never sent to a terminal.
- `json_text`: JSON keeps every value exact, with those same characters as JSON escapes.
- `csv_cell` / `from_csv_cell`: a spreadsheet never runs a cell the tool wrote (OWASP's advice
  on CSV injection), and import reads back exactly what export wrote.
And the rule for text coming in (`text_problem`): no controls but tab and newline, no lone
surrogates, and a length cap per kind of field, the same on every way in and on every backend.

Pure: stdlib only.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, Any, NamedTuple

from complaintctl.errors import InvalidInput

# Code points that act rather than show: C0 and C1 controls and DEL; bidirectional marks,
# embeddings, overrides and isolates; zero-width and other invisible characters (including
# the tag characters that can smuggle hidden text); line and paragraph separators; lone
# surrogates. tests/unit/test_text.py checks this list against Unicode's categories.
_ACTING = (
    (0x00, 0x1F),  # C0 controls
    (0x7F, 0x9F),  # DEL, C1 controls
    (0xAD, 0xAD),  # soft hyphen
    (0x061C, 0x061C),  # Arabic letter mark
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; LRM, RLM
    (0x2028, 0x202E),  # line and paragraph separators; bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates; deprecated format characters
    (0xD800, 0xDFFF),  # surrogates: never whole characters on their own
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0xE0001, 0xE0001),  # language tag
    (0xE0020, 0xE007F),  # tag characters
)
ACTING = frozenset(code for first, last in _ACTING for code in range(first, last + 1))


def _written_out(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


# Half of a character (a lone surrogate): what a byte that is not UTF-8 (a Latin-1 terminal's
# é) arrives as from the command line.
_HALF_CHARACTER = re.compile("[\ud800-\udfff]")


def half_character(value: str) -> str | None:
    """The first half of a character in `value`, written out (`<U+DCE9>`), or None."""
    found = _HALF_CHARACTER.search(value)
    return None if found is None else _written_out(ord(found.group()))


_INERT = {code: _written_out(code) for code in ACTING}
_INERT_KEEPING_LINES = {code: shown for code, shown in _INERT.items() if chr(code) not in "\n\t"}
_INERT_KEEPING_SPACE = {
    code: shown for code, shown in _INERT.items() if chr(code) not in " \t\n\r\v\f"
}
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in ACTING if code > 0xFFFF or code >= 0x7F}
# Outside the basic plane JSON escapes a character as its UTF-16 pair.
for _code in [code for code in _JSON_ESCAPES if code > 0xFFFF]:
    _high, _low = divmod(_code - 0x10000, 0x400)
    _JSON_ESCAPES[_code] = f"\\u{0xD800 + _high:04x}\\u{0xDC00 + _low:04x}"


def inert(text: str, *, lines: bool = False) -> str:
    """`text` safe to show a person: every acting character written out visibly. With `lines`,
    newlines and tabs are kept, for a layout that lays text out on several lines."""
    return text.translate(_INERT_KEEPING_LINES if lines else _INERT)


def folded(text: str) -> str:
    """`text` in any case of letters and compatibility form, for comparing, never for keeping:
    case folded (`ß` is `ss`) between two NFKC normalisations (full-width `Ａ` is `A`, an
    accent typed apart is composed), as folding the case can leave a form NFKC would change."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def as_seen(text: str) -> str:
    """`text` as a reader sees it, for comparing, never for keeping: compatibility forms folded
    (NFKC: `Ａ` in full width is `A`) and Unicode's invisible format characters dropped (a
    zero-width space, a bidirectional mark, a soft hyphen), so two texts that look the same
    compare the same. Controls stay, for the input rule to refuse."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


def unseen(text: str) -> str | None:
    """The first character of `text` that does not show as itself (a control, a bidirectional
    mark or override, a zero-width or other invisible one), written out (`<U+200B>`), or None.
    A name that identifies something (an area) holds none: `Case<U+200B>work` would look like
    `Casework` and be another."""
    found = next((c for c in text if ord(c) in ACTING), None)
    return None if found is None else _written_out(ord(found))


def quoted(text: str, most: int = 40) -> str:
    """`text` quoted as an error names it, cut short after `most` characters (a refusal must
    stay one readable line, whatever was pasted)."""
    return repr(text) if len(text) <= most else f"{text[:most]!r}…"


def one_line(text: str) -> str:
    """`text` inert on one line: runs of whitespace (newlines, tabs) become one space. The
    acting characters Python also counts as whitespace (line and paragraph separators, C1
    next-line) are written out first, as everywhere else, never folded away."""
    return " ".join(text.translate(_INERT_KEEPING_SPACE).split())


def shell_word(text: str) -> str:
    """`text` as one word a shell (sh; bash, zsh or ksh for `$'…'`) gives back exactly, to
    paste (a path in a command to try): quoted as shlex quotes it; or, where it holds an
    acting character, in `$'…'` with each such character as its escape (`$'a\\x1bb'`,
    `\\u202e`), so that what is shown is at once inert and what the shell reads. Half a
    character (a byte that is not UTF-8, as Python reads a file name) is that byte again."""
    if not any(ord(c) in ACTING for c in text):
        return shlex.quote(text)
    return "$'" + "".join(_shell_escape(c) for c in text) + "'"


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shell_escape(character: str) -> str:
    code = ord(character)
    if character in "\\'":
        return "\\" + character
    if code not in ACTING:
        return character
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """`data` as JSON text (UTF-8 as written, not \\u-escaped), with the acting characters JSON
    does not escape of itself (DEL, C1, bidi, invisible) escaped: the values stay exact, and
    the text stays inert at a terminal. They only ever stand inside strings, so replacing them
    with their escapes keeps the JSON valid."""
    return json.dumps(data, indent=indent, ensure_ascii=False).translate(_JSON_ESCAPES)


# -- CSV -----------------------------------------------------------------------------------

# A cell a spreadsheet would run (OWASP: = + - @, tab, carriage return) gets a leading
# apostrophe; so does one that already begins with an apostrophe, so import can strip exactly
# one and give back the value export was given.
_RUNS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_cell(value: str) -> str:
    """A value as a CSV cell the tool writes."""
    return "'" + value if value.startswith(_RUNS) else value


def from_csv_cell(value: str) -> str:
    """A CSV cell as the value it stands for: the inverse of csv_cell."""
    return value[1:] if value.startswith("'") else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each text value made safe (csv_cell); other values as they are."""
    return [csv_cell(v) if isinstance(v, str) else v for v in values]


def write_csv(
    stream: IO[str],
    header: Sequence[str],
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ",",
    shown: bool | None = None,
) -> None:
    """Every CSV the tool writes: a header row, then each row with its cells made safe (a
    rejects file split as the file it came from was). Written to a terminal, it is read by a
    person: each cell inert, as a table's is (text stored before the rule for text coming in,
    by complaintctl 0.1.0, may hold controls); to a file or a pipe, each value exact. `shown`
    says which where the stream is not where the CSV goes (held back, then copied)."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    made = _csv_shown if (stream.isatty() if shown is None else shown) else csv_row
    writer.writerow(made(header))  # a rejects file repeats the header of the file imported
    writer.writerows(made(row) for row in rows)


def _csv_shown(values: Iterable[Any]) -> list[Any]:
    """A row of cells for a terminal: made safe, then inert (lines kept: a cell is quoted)."""
    return [inert(v, lines=True) if isinstance(v, str) else v for v in csv_row(values)]


# -- text coming in ------------------------------------------------------------------------


class Kind(NamedTuple):
    """A kind of field someone types or a form sends: how long it may be, and whether it may
    run over several lines."""

    limit: int
    lines: bool


# [ours] Caps on each kind of field: enough for any real value, short of a paste gone wrong.
NAME = Kind(200, lines=False)  # a person's name
EMAIL = Kind(254, lines=False)  # the longest an address can be (RFC 5321)
LABEL = Kind(200, lines=False)  # a reference, an area, an adjustment, a source id
ADDRESS = Kind(1_000, lines=True)
SUMMARY = Kind(20_000, lines=True)  # what the consumer says went wrong
NOTE = Kind(5_000, lines=True)  # reasons, notes, a response's summary, a recommendation


# What no field takes: controls but tab and newline, and lone surrogates; on one line, no
# newline either.
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_ON_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, kind: Kind) -> str | None:
    """Why `value` cannot be taken as a field of `kind`, or None."""
    if len(value) > kind.limit:
        return f"is {len(value):,} characters; at most {kind.limit:,}"
    found = (_REFUSED if kind.lines else _REFUSED_ON_ONE_LINE).search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"holds {_written_out(code)}, half of a character"
    if code == 0x0A:
        return "takes one line, without a line break"
    return f"holds the control character {_written_out(code)}"


def refused_anywhere(value: str, *, lines: bool) -> bool:
    """Whether `value` holds a character no field of its sort takes (a quick look over many
    fields joined, before finding which one)."""
    return (_REFUSED if lines else _REFUSED_ON_ONE_LINE).search(value) is not None


def normalise_lines(value: str) -> str:
    """Line ends as one newline each, whichever system wrote them."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


# -- usernames ------------------------------------------------------------------------------

_USERNAME = re.compile(r"[a-z][a-z0-9._-]{0,63}")
# Letters and digits a reader can take for one another, and the separators: two usernames
# that differ only by these look alike (`olu.one` and `o1u_one`).
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "_": ".", "-": "."})


def normalise_username(value: str) -> str:
    """A username as the store keeps it: compatibility forms folded (NFKC), lower case, and
    only a-z, digits, '.', '_' and '-', starting with a letter, at most 64 long; so that no
    two can look the same on a screen."""
    cleaned = unicodedata.normalize("NFKC", value).strip().lower()
    if not _USERNAME.fullmatch(cleaned):
        raise InvalidInput(
            f"{quoted(value)} cannot be a username: use 1 to 64 of a-z, digits, '.', '_' "
            "and '-', starting with a letter"
        )
    return cleaned


def not_in_usernames(value: str) -> str:
    """For a refusal: the characters of `value` that no username holds (after the folding
    `normalise_username` does), each by its code point and Unicode name, or "" where none. A
    letter from another alphabet (Cyrillic `о`) looks like one of a-z: said by its name, the
    refusal does not read as naming the member it looks like."""
    cleaned = unicodedata.normalize("NFKC", value).strip().lower()
    strangers = dict.fromkeys(c for c in cleaned if not re.fullmatch(r"[a-z0-9._-]", c))
    return ", ".join(f"U+{ord(c):04X} {_character_name(c)}" for c in strangers)


def _character_name(character: str) -> str:
    """A character's Unicode name, or what it is where it has none."""
    if 0xD800 <= ord(character) <= 0xDFFF:
        return "(half of a character)"  # a byte that is not UTF-8, as Python reads it
    unnamed = "(a control character)" if unicodedata.category(character) == "Cc" else "(unnamed)"
    return unicodedata.name(character, unnamed)


def username_looks(username: str) -> str:
    """What a username looks like: two with the same look are taken for one another."""
    return username.translate(_LOOK_ALIKES).replace("rn", "m").replace("vv", "w")
