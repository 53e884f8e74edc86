"""A consumer's reasonable adjustments: one need is kept once, however it is written."""

from __future__ import annotations

from complaintctl.domain.intake import adjustment_key, with_adjustments


def test_a_need_held_already_in_another_spelling_is_not_added_again() -> None:
    assert frozenset({"bsl", "Large Print", "a quiet room"}) == with_adjustments(
        ["bsl"], ["BSL", "Large Print", "large_print", "LARGE-PRINT", "a quiet room"]
    )


def test_needs_held_are_kept_as_they_are_recorded() -> None:
    # Two spellings on record from before are not merged by an update that adds neither.
    assert frozenset({"bsl", "BSL", "advocate"}) == with_adjustments(["bsl", "BSL"], ["advocate"])


def test_a_need_is_compared_by_its_words_in_any_case() -> None:
    assert "large-print" == adjustment_key("  Large  _Print ")
    assert adjustment_key("text relay") == adjustment_key("Text-Relay")
    assert adjustment_key("bsl") != adjustment_key("bs l")


def test_a_need_is_compared_as_it_looks() -> None:
    # Full width, and a zero-width space or a bidirectional mark pasted in, look the same.
    assert "bsl" == adjustment_key("ＢＳＬ")
    assert "large-print" == adjustment_key("lar\u200bge\u200e print")
    assert frozenset({"bsl", "large-print"}) == with_adjustments(
        ["bsl", "large-print"], ["ＢＳＬ", "Large\u200b Print"]
    )
