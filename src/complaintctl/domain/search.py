"""Finding a case by what a consumer says on the phone: what the search text means, which of a
case's fields it matched, and a few words of the summary around the match.

A case matches when every word of the text appears, case aside, somewhere in its reference,
dispute reference, consumer's name, email or postal address, or summary: as a substring, so
`000123`, `smi` and `@example` all find something. The store's index answers the same question
(store/search.py); this module says which fields did.

Pure: stdlib only.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from complaintctl.errors import InvalidInput
from complaintctl.text import as_seen, half_character, quoted

# The index matches runs of three characters (trigrams): a shorter text could match almost
# every case and no index can answer it quickly.
SHORTEST = 3

# Past the cases it lists, `find` counts at most this many more: past that, "more than 1000
# more". A common word matches a tenth of the store, and counting every match would read them all.
MORE_COUNTED = 1000

# The fields a search looks in, in the order `matched` lists them.
FIELDS = ("ref", "dispute", "consumer", "email", "address", "summary")


def composed(text: str) -> str:
    """`text` with each accented letter one character (NFC), as most keyboards and forms write
    it: `e` and a combining accent, as others write it, look the same and are the same letter."""
    return unicodedata.normalize("NFC", text)


def forms(word: str) -> tuple[str, ...]:
    """The ways the store may hold `word` (a word of SearchText, composed): as typed, and as
    it looks (`as_seen`: full-width `Ｍａｒｙ` is Mary, a zero-width space or soft hyphen pasted
    in is nothing), as names are compared elsewhere; each composed, and decomposed (NFD),
    where that differs, in its spellings with `ß` and `ss` (`sharp_s_spellings`)."""
    return tuple(
        dict.fromkeys(
            form
            for typed in dict.fromkeys((word, composed(as_seen(word))))
            for spelling in sharp_s_spellings(typed)
            for form in (spelling, unicodedata.normalize("NFD", spelling))
        )
    )


# `ß` (or its capital `ẞ`) and `ss` in any case: one letter, spelt both ways (Straße, STRASSE),
# as case folding reads it; the index holds the text as typed, so a word is looked up in both
# spellings. Past this many in one word, each is spelt the same way, not in every mix.
_SHARP_S = re.compile("[ßẞ]|[sS][sS]")
_SHARP_S_MIXED = 3


def sharp_s_spellings(word: str) -> tuple[str, ...]:
    """`word` as typed, then with each `ß` and `ss` spelt the other way: `strasse` is also
    `straße`, `Weiß` also `Weiss` (the index's search folds case, so the case of a swapped
    letter does not matter)."""
    parts = _SHARP_S.split(word)
    found = _SHARP_S.findall(word)
    if not found:
        return (word,)
    choices = [(one, "ss" if one in "ßẞ" else "ß") for one in found]
    if len(found) > _SHARP_S_MIXED:
        picks = [[one for one, _ in choices], [other for _, other in choices]]
    else:
        picks = [list(pick) for pick in itertools.product(*choices)]
    spelt = ("".join(p + c for p, c in zip(parts, [*pick, ""], strict=True)) for pick in picks)
    return tuple(dict.fromkeys(spelt))


def _indexed(word: str) -> bool:
    """Whether the trigram index can look `word` up in each of its forms (`forms`): `ess` is
    also `eß`, too short for it."""
    return all(len(form) >= SHORTEST for form in forms(word))


# A case number on its own (`12` for SC-2026-000012), the one text shorter than SHORTEST
# that is still worth searching for: officers read out the last digits of a reference.
_CASE_NUMBER = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class SearchText:
    """What `find TEXT` looks for: words that must each appear, or a case number."""

    text: str
    words: tuple[str, ...] = ()
    case_number: int | None = None  # a short text of digits: the cases numbered so, any year

    @classmethod
    def parse(cls, text: str) -> SearchText:
        if half := half_character(text):
            # A byte that is not UTF-8 on the command line: no case could hold it.
            raise InvalidInput(
                f"the search text holds {half}, half of a character: is the terminal writing UTF-8?"
            )
        # A word of invisible characters alone (a zero-width space pasted between two) is
        # no word: what it looks like is nothing.
        stripped = composed(" ".join(word for word in text.split() if as_seen(word)))
        if not stripped:
            raise InvalidInput(
                f"nothing to search for: {quoted(text)} is blank; give at least {SHORTEST} "
                "characters, or a case number such as 12"
            )
        if len(stripped) < SHORTEST or len(as_seen(stripped)) < SHORTEST:
            seen = as_seen(stripped)
            if _CASE_NUMBER.fullmatch(seen) and int(seen) > 0:
                return cls(text=seen, case_number=int(seen))
            raise InvalidInput(
                f"{stripped!r} is too short to search for: give at least {SHORTEST} characters, "
                "or a case number such as 12"
            )
        # Each word once, in the order given: repeating one changes nothing.
        return cls(text=stripped, words=tuple(dict.fromkeys(stripped.split())))

    @property
    def long_words(self) -> tuple[str, ...]:
        """The words the trigram index can look up: in each of their forms."""
        return tuple(word for word in self.words if _indexed(word))

    @property
    def short_words(self) -> tuple[str, ...]:
        """Words too short for the index (`Jo` in `Jo Smith`, or `ess`, also spelt `eß`):
        checked on the cases it finds."""
        return tuple(word for word in self.words if not _indexed(word))

    def matched(self, fields: Mapping[str, str | None]) -> tuple[str, ...]:
        """The names of `fields` (in FIELDS order) in which a word of the text appears."""
        if self.case_number is not None:
            return ("ref",)
        words = [form.casefold() for word in self.words for form in forms(word)]
        found = []
        for name in FIELDS:
            value = fields.get(name)
            if value and any(word in composed(value).casefold() for word in words):
                found.append(name)
        return tuple(found)

    def snippet(self, summary: str, width: int = 60) -> str:
        """About `width` characters of `summary` on one line, from a little before the first
        word of the text found in it (its start when none is)."""
        flat = composed(" ".join(summary.split()))
        lowered = flat.lower()
        # lower() keeps positions only where it keeps the length (it nearly always does).
        positions = [
            lowered.find(spelling.lower())
            for word in self.words
            for spelling in forms(word)
            if len(lowered) == len(flat)
        ]
        first = min((p for p in positions if p >= 0), default=0)
        start = max(0, first - width // 4)
        if start and len(flat) - start < width:
            start = max(0, len(flat) - width)
        shown = flat[start : start + width]
        return ("…" if start else "") + shown + ("…" if start + width < len(flat) else "")
