"""Retention's pure rules: when a case is due, which of its values are personal, and that a
removed value keeps the digest its entry was sealed with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaintctl.domain import chain, retention
from complaintctl.domain.procedure import Stage


def test_a_case_is_due_the_same_instant_six_years_on_and_29_february_on_the_28th() -> None:
    assert datetime(2032, 12, 2, 10, tzinfo=UTC) == retention.due_at(
        datetime(2026, 12, 2, 10, tzinfo=UTC), 6
    )
    assert datetime(2034, 2, 28, 9, tzinfo=UTC) == retention.due_at(
        datetime(2028, 2, 29, 9, tzinfo=UTC), 6
    )


def test_only_a_case_whose_procedure_ended_is_ever_due() -> None:
    ended = datetime(2026, 12, 2, tzinfo=UTC)
    for stage in Stage:
        case = retention.CaseState("SC-2026-000001", 1, stage, ended, False, False)
        due = retention.case_due(case, retention.DEFAULT)
        assert (stage in {Stage.CLOSED, Stage.FINAL_RESPONSE, Stage.ASSESSED}) == (due is not None)


def test_a_consumer_is_due_with_their_last_case_and_kept_while_one_is_open_or_held() -> None:
    def case(ref: str, stage: Stage, year: int, held: bool = False) -> retention.CaseState:
        return retention.CaseState(ref, 1, stage, datetime(year, 1, 1, tzinfo=UTC), held, False)

    as_of = datetime(2040, 1, 1, tzinfo=UTC)
    both = [case("A", Stage.CLOSED, 2026), case("B", Stage.CLOSED, 2027)]
    assert (datetime(2033, 1, 1, tzinfo=UTC), None) == retention.consumer_due(
        both, retention.DEFAULT, as_of
    )
    assert (None, "B is open") == retention.consumer_due(
        [both[0], case("B", Stage.REFERRED, 2027)], retention.DEFAULT, as_of
    )
    assert (None, "B is on legal hold") == retention.consumer_due(
        [both[0], case("B", Stage.CLOSED, 2027, held=True)], retention.DEFAULT, as_of
    )


def test_a_removed_value_keeps_its_digest_so_the_entry_seals_the_same() -> None:
    details = '{"category": "delay", "summary": "Ann\'s letter", "dispute": null}'
    entry = chain.Entry(1, 1, "log", "o", datetime(2026, 12, 1, tzinfo=UTC),
                        datetime(2026, 12, 1, tzinfo=UTC), None, None, details)  # fmt: skip
    import json

    removed = retention.anonymised(json.loads(details), {"summary", "dispute"}, "[removed]", {})
    assert removed is not None
    assert ({"removed": "[removed]", "sha256": removed["summary"]["sha256"]}, None) == (
        removed["summary"], removed["dispute"],
    )  # fmt: skip
    after = chain.Entry(**{**entry.__dict__, "details": json.dumps(removed)})
    assert chain.entry_digest(entry) == chain.entry_digest(after)
    assert retention.anonymised(removed, {"summary", "dispute"}, "[again]", {}) is None


def test_an_edit_is_personal_only_where_it_changed_the_consumer_or_what_they_said() -> None:
    personal = {"changes": [{"field": "name", "old": "A", "new": "B"}]}
    category = {"changes": [{"field": "category", "old": "delay", "new": "other"}]}
    # As recorded before an edit kept its personal changes apart: all of them removed. Why it
    # was corrected may name the person, whatever it changed: its reason goes too.
    assert frozenset({"changes", "personal_changes", "reason"}) == retention.case_keys(
        "edit", personal
    )
    assert frozenset({"personal_changes", "reason"}) == retention.case_keys("edit", category)
    both = {"personal_changes": personal["changes"], "changes": category["changes"]}
    assert frozenset({"personal_changes", "reason"}) == retention.case_keys("edit", both)
    assert ["name", "category"] == retention.edited_fields(both)


def test_a_reason_naming_the_street_of_an_address_written_on_one_line_is_caught() -> None:
    def named(reason: str) -> str | None:
        return retention.details_named(
            reason, name="Ann Smith", email=None, address="1 High St, Leeds"
        )

    assert "address" == named("Asked in writing from 1 high st")
    assert "address" == named("Asked at 1 High St, Leeds")
    assert None is named("Asked in writing, 2026-12-01")
    assert None is named("Leeds office asked")


@pytest.mark.parametrize(
    "reason", ["Request from ann.smith", "Asked by Ann-Smith", "asked: ann_smith", "Ann/Smith"]
)
def test_a_reason_naming_the_person_with_punctuation_between_the_names_is_caught(
    reason: str,
) -> None:
    """The name as a user name or a file name writes it: a dot, hyphen or underscore between
    its words hides it no more than a space does."""
    named = retention.details_named(reason, name="Ann Smith", email=None, address=None)

    assert "name" == named


@pytest.mark.parametrize(
    "reason",
    [
        "Asked by Ann\u200b Smith",  # a zero-width space pasted with the name
        "Asked by Ann Smi\u00adth",  # a soft hyphen, as a word processor puts one
        "Asked by \u202dAnn Smith",  # a bidirectional override in front
        "Asked by \uff21nn Smith",  # a full-width letter
        "Asked by ann@\u200bexample.com",
    ],
)
def test_a_reason_naming_the_person_behind_an_invisible_or_compatibility_character_is_caught(
    reason: str,
) -> None:
    named = retention.details_named(
        reason, name="Ann Smith", email="ann@example.com", address="1 High St, Leeds"
    )

    assert named in {"name", "email"}
