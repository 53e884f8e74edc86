"""The history's seal (domain/chain.py): the canonical encoding, the anonymisation marker, and
checking an entry; and the stage a case's history leads to (domain/procedure.py)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintctl.domain import chain
from complaintctl.domain.chain import GENESIS, Entry, Seal, check, removed, seal, seal_all
from complaintctl.domain.procedure import Stage, stage_before_close, stage_from_history
from tests.conftest import examples

AT = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)
DETAILS = {"consumer": "Ann Smith", "email": "ann@example.com", "line": 3, "board": False,
           "remedies": ["apology"], "about": None}  # fmt: skip


def entry(**changes: Any) -> Entry:
    made = Entry(7, 3, "log", "officer.one", AT, AT, "ann", "desk-1", json.dumps(DETAILS))
    return replace(made, **changes)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=examples(200, 2000))
@given(st.dictionaries(st.text(), json_values, max_size=6), st.text(), st.none() | st.text())
def test_the_encoding_is_the_canonical_json_of_the_entrys_fields(
    details: dict[str, Any], actor: str, login: str | None
) -> None:
    made = entry(details=json.dumps(details), actor=actor, login=login)
    assert chain._CANONICAL.encode(chain.fields(made)).encode() == chain.encode(made)


@settings(max_examples=examples(200, 2000))
@given(json_values)
def test_a_values_digest_is_the_sha256_of_its_canonical_json(value: Any) -> None:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == chain.value_digest(value)


def test_an_instant_is_whole_microseconds_whatever_its_zone() -> None:
    same = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    # 2026-12-01 10:00:00.123456 UTC: 20,788 days and 10 hours after 1970-01-01.
    assert ((20_788 * 86_400 + 10 * 3600) * 10**6 + 123_456, seal(GENESIS, entry())) == (
        chain.instant(same), seal(GENESIS, entry(at=same, recorded_at=same)),
    )  # fmt: skip
    assert chain.instant(AT + timedelta(microseconds=1)) == chain.instant(AT) + 1


def test_an_instant_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="must know its zone"):
        chain.instant(datetime(2026, 12, 1, 10, 0))


def test_the_details_are_read_for_their_values_not_their_spacing_or_order() -> None:
    spaced = json.dumps(dict(reversed(list(DETAILS.items()))), indent=2)
    assert seal(GENESIS, entry()) == seal(GENESIS, entry(details=spaced))


@pytest.mark.parametrize(
    "change",
    [
        {"id": 8}, {"case_id": 4}, {"case_id": None}, {"action": "close"}, {"actor": "sam"},
        {"at": AT + timedelta(microseconds=1)}, {"recorded_at": AT - timedelta(seconds=1)},
        {"login": None}, {"host": "desk-2"},
        {"details": json.dumps({**DETAILS, "email": "anne@example.com"})},
        {"details": json.dumps({**DETAILS, "line": "3"})},
        {"details": json.dumps({**DETAILS, "extra": None})},
        {"details": json.dumps({k: v for k, v in DETAILS.items() if k != "about"})},
    ],
    ids=repr,
)  # fmt: skip
def test_any_change_to_an_entry_changes_its_digest(change: dict[str, Any]) -> None:
    assert seal(GENESIS, entry()).digest != seal(GENESIS, entry(**change)).digest


def test_a_value_replaced_by_its_marker_keeps_the_entrys_digest() -> None:
    anonymised = {**DETAILS, "consumer": removed("Ann Smith", "retention"),
                  "email": removed("ann@example.com", "retention")}  # fmt: skip
    assert seal(GENESIS, entry()) == seal(GENESIS, entry(details=json.dumps(anonymised)))
    assert "Ann" not in json.dumps(anonymised)


SALTS = {"consumer": "a1" * 16, "email": "b2" * 16}


def test_a_salted_value_is_sealed_by_the_digest_of_its_salt_and_its_value() -> None:
    salted = entry(salts=json.dumps(SALTS))
    digests = chain.fields(salted)["details"]
    assert hashlib.sha256(f'{"b2" * 16}"ann@example.com"'.encode()).hexdigest() == digests["email"]
    assert chain.value_digest(3) == digests["line"]  # a value with no salt, as before
    assert seal(GENESIS, entry()) != seal(GENESIS, salted)


def test_a_salted_value_removed_with_its_salt_keeps_the_seal_and_answers_no_guess() -> None:
    sealed = seal(GENESIS, entry(salts=json.dumps(SALTS)))
    marker = removed("ann@example.com", "erased", SALTS["email"])
    anonymised = entry(details=json.dumps({**DETAILS, "email": marker}),
                       salts=json.dumps({"consumer": SALTS["consumer"]}))  # fmt: skip

    assert sealed == seal(GENESIS, anonymised)
    # What is left cannot confirm a guess: the unsalted digest of the right address differs.
    assert marker["sha256"] != chain.value_digest("ann@example.com")
    assert "b2" * 16 not in json.dumps([anonymised.details, anonymised.salts])


@pytest.mark.parametrize(
    "salts",
    [None, json.dumps({**SALTS, "email": "c3" * 16}), json.dumps({"consumer": SALTS["consumer"]})],
    ids=["dropped", "changed", "one dropped"],
)
def test_a_salt_dropped_or_changed_while_its_value_stays_breaks_the_seal(
    salts: str | None,
) -> None:
    stored = seal(GENESIS, entry(salts=json.dumps(SALTS)))
    found = check(GENESIS, None, entry(salts=salts), stored)
    assert found is not None
    assert "contents are not what was sealed" in found.what


def test_salts_that_are_not_an_object_of_text_are_caught() -> None:
    stored = seal(GENESIS, entry(salts=json.dumps(SALTS)))
    found = check(GENESIS, None, entry(salts=json.dumps(["a1"])), stored)
    assert found is not None
    assert "salts" in found.what


def test_a_marker_for_another_value_changes_the_digest() -> None:
    wrong = {**DETAILS, "email": removed("bob@example.com", "retention")}
    assert seal(GENESIS, entry()) != seal(GENESIS, entry(details=json.dumps(wrong)))


def test_only_a_marker_of_the_exact_shape_stands_for_a_digest() -> None:
    digest = chain.value_digest("x")
    assert chain.is_marker({"removed": "why", "sha256": digest})
    for value in (
        {"removed": "why", "sha256": digest, "more": 1},
        {"removed": "why", "sha256": digest.upper()},
        {"removed": "why", "sha256": digest[:-1]},
        {"sha256": digest},
    ):
        assert not chain.is_marker(value)


def test_the_chain_links_each_entry_to_the_one_before() -> None:
    entries = [entry(id=n) for n in range(1, 4)]
    seals = seal_all(GENESIS, entries)
    assert seals[1].chain == chain.link(seals[0].chain, seals[1].digest)
    assert seals == [seal(GENESIS, entries[0]), *seal_all(seals[0].chain, entries[1:])]
    assert [None, None, None] == [
        check(previous, previous_id, e, s)
        for previous, previous_id, e, s in zip(
            [GENESIS, seals[0].chain, seals[1].chain], [None, 1, 2], entries, seals, strict=True
        )
    ]


def test_checking_says_what_differs() -> None:
    first, second = entry(id=1), entry(id=2)
    sealed_first, sealed_second = seal_all(GENESIS, [first, second])
    edited = replace(second, actor="sam")
    assert "its contents are not what was sealed" in _what(
        sealed_first.chain, edited, sealed_second
    )
    # The entry before it removed: its own contents hold, its link does not.
    assert "it does not follow the start of the history" in _what(
        GENESIS, second, sealed_second, None
    )
    assert "its digest was changed" in _what(
        sealed_first.chain, second, Seal("0" * 64, sealed_second.chain)
    )
    assert "not a JSON object" in _what(sealed_first.chain, replace(second, details="[1]"),
                                        sealed_second)  # fmt: skip
    assert "not a JSON object" in _what(sealed_first.chain, replace(second, details="{"),
                                        sealed_second)  # fmt: skip


def _what(previous: str, checked: Entry, stored: Seal, previous_id: int | None = 1) -> str:
    found = check(previous, previous_id, checked, stored)
    assert found is not None
    assert checked.id == found.entry_id
    return found.what


@pytest.mark.parametrize(
    ("actions", "stage"),
    [
        ([], Stage.RECEIVED),
        (["log"], Stage.RECEIVED),
        (["log", "acknowledge", "assign", "note", "extend"], Stage.FIRST_STAGE),
        (["log", "acknowledge", "respond", "escalate", "final", "refer", "outcome"],
         Stage.ASSESSED),
        (["log", "close"], Stage.CLOSED),
        (["log", "acknowledge", "close", "reopen"], Stage.FIRST_STAGE),
        (["log", "acknowledge", "respond", "close", "letter", "reopen", "incident"],
         Stage.RESPONDED),
        (["log", "acknowledge", "deadline-recomputed", "restriction-decided", "edit"],
         Stage.FIRST_STAGE),
    ],
)  # fmt: skip
def test_a_cases_history_leads_to_its_stage(actions: list[str], stage: Stage) -> None:
    assert stage == stage_from_history(actions)


def test_the_stage_before_a_close_is_what_it_was() -> None:
    assert Stage.RESPONDED == stage_before_close(["log", "acknowledge", "respond", "close"])
