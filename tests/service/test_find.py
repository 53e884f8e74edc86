"""`find` at the service layer: what a search matches, in which order, which fields it names,
and that the index follows every way a case or its consumer is written."""

from __future__ import annotations

import io
import random
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel, CloseReason
from complaintctl.errors import InvalidInput
from complaintctl.services.imports import import_batch, read_rows
from complaintctl.store.models import Case
from complaintctl.views import FindReport
from tests.conftest import POSTGRES, UnitFactory

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def log(unit: UnitFactory, consumer: str, email: str, at: str, **changes: Any) -> str:
    fields: dict[str, Any] = {
        "consumer": consumer,
        "email": email,
        "channel": Channel.EMAIL,
        "category": Category.DELAY,
        "summary": "No reply to my letters",
        **changes,
    }
    with unit() as uow:
        view = services.log_complaint(
            uow,
            complaint=services.NewComplaint(**fields),
            by="officer.one",
            at=datetime.fromisoformat(at).replace(tzinfo=UTC),
            now=NOW,
        )
    return str(view.ref)


def find(unit: UnitFactory, text: str, limit: int | None = None) -> FindReport:
    with unit(write=False) as uow:
        return services.find_cases(uow, text=text, limit=limit)


def refs(unit: UnitFactory, text: str) -> list[str]:
    return [item.ref for item in find(unit, text).items]


@pytest.fixture
def cases(unit: UnitFactory) -> dict[str, str]:
    return {
        "ann": log(unit, "Ann Smith", "ann.smith@example.com", "2026-12-01T10:00",
                   address="12 High Street\nLeeds", summary="Boiler repair letters ignored"),
        "bob": log(unit, "Bob Smithers", "bob@mail.test", "2026-12-03T10:00",
                   dispute="D-77", summary="Nobody called me back"),
        "cara": log(unit, "Cara Ólafsdóttir", "cara@example.com", "2026-12-02T10:00",
                    summary="Rude phone call"),
    }  # fmt: skip


def test_a_name_finds_every_case_holding_it_most_recently_received_first(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    assert [cases["bob"], cases["ann"]] == refs(unit, "smith")


def test_case_does_not_matter_in_a_search_for_ascii_or_other_letters(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    assert ([cases["bob"], cases["ann"]], [cases["cara"]]) == (
        refs(unit, "SMITH"),
        refs(unit, "ólafs" if POSTGRES else "ÓLAFS"),
    )


def test_case_does_not_matter_in_a_short_word_of_other_letters_beside_a_long_one(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    # A word too short for the index is checked apart from it (LIKE on SQLite, which folds
    # only ASCII): "ó" finds Ólafsdóttir's capital as "ólafs" does, on SQLite as on PostgreSQL.
    assert ([cases["cara"]], [cases["cara"]], [cases["cara"]], [cases["cara"]]) == (
        refs(unit, "ól rude"),
        refs(unit, "Ól rude"),
        refs(unit, "ÓL RUDE"),
        refs(unit, "a ól"),  # short words alone
    )


def test_every_word_must_appear_in_some_field_and_a_short_word_beside_a_long_one_counts(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    assert ([cases["ann"]], [cases["ann"]], []) == (
        refs(unit, "smith boiler"),
        refs(unit, "12 high"),
        refs(unit, "smith rude"),
    )


def test_each_field_is_searched_and_named_in_matched(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    found = {
        text: [(item.ref, item.matched) for item in find(unit, text).items]
        for text in (cases["cara"], "000002", "d-77", "mail.test", "leeds", "phone")
    }
    assert {
        cases["cara"]: [(cases["cara"], ("ref",))],
        "000002": [(cases["bob"], ("ref",))],
        "d-77": [(cases["bob"], ("dispute",))],
        "mail.test": [(cases["bob"], ("email",))],
        "leeds": [(cases["ann"], ("address",))],
        "phone": [(cases["cara"], ("summary",))],
    } == found


def test_a_summary_match_comes_with_the_words_around_it(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    item = find(unit, "repair").items[0]
    assert (("summary",), "Boiler repair letters ignored") == (item.matched, item.snippet)


def test_a_case_number_under_three_digits_finds_that_case_of_every_year(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    assert ([cases["bob"]], ("ref",)) == (refs(unit, "2"), find(unit, "2").items[0].matched)


@pytest.mark.parametrize("text", ["ab", "  a  ", "0", "x1"])
def test_a_text_too_short_for_the_index_is_refused(unit: UnitFactory, text: str) -> None:
    with pytest.raises(InvalidInput, match="too short to search for"):
        find(unit, text)


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_a_blank_text_is_refused_as_blank_quoting_what_was_given(
    unit: UnitFactory, text: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"nothing to search for: {text!r} is blank")):
        find(unit, text)


def test_a_text_not_utf8_is_refused_naming_the_half_character(unit: UnitFactory) -> None:
    """A byte that is not UTF-8 on the command line (`find $'caf\\xe9'` in a Latin-1
    terminal) arrives as half a character, which no case holds."""
    with pytest.raises(InvalidInput, match=re.escape("the search text holds <U+DCE9>, half of")):
        find(unit, "caf\udce9")


def test_an_accent_written_composed_or_decomposed_is_the_same_letter(unit: UnitFactory) -> None:
    # "é" is one character (NFC) from most keyboards and forms, "e" and a combining accent
    # (NFD) from others: they look the same, and an officer cannot tell which the store holds.
    composed = log(unit, "Ren\u00e9e Dupont", "rd@example.com", "2026-12-04T10:00")
    decomposed = log(unit, "Rene\u0301e Martin", "rm@example.com", "2026-12-05T10:00",
                     summary="Cafe\u0301 bill")  # fmt: skip
    assert (
        [decomposed, composed],
        [decomposed, composed],
        [decomposed],
        ("consumer",),
        "Caf\u00e9 bill",  # as it looks, written composed
    ) == (
        refs(unit, "Ren\u00e9e"),
        refs(unit, "rene\u0301e"),
        refs(unit, "caf\u00e9"),
        find(unit, "Ren\u00e9e Martin").items[0].matched,
        find(unit, "caf\u00e9").items[0].snippet,
    )


def test_full_width_letters_and_invisible_characters_typed_are_read_as_they_look(
    unit: UnitFactory,
) -> None:
    # Names elsewhere are compared as they look (text.as_seen): `Ｍａｒｙ` typed with a
    # full-width keyboard, or `Sea<ZWSP>cole` pasted from a web page, is the Mary Seacole on
    # record, in the index, in a word too short for it, in the fields named and in the snippet.
    mary = log(unit, "Mary Seacole", "ms@example.com", "2026-12-04T10:00",
               summary="I was kept waiting on the line for over an hour and then had a rude "
                       "phone call from a case handler who would not listen")  # fmt: skip
    assert (
        [mary],
        [mary],
        [mary],
        [mary],
        ("consumer",),
        "…hen had a rude phone call from a case handler who would not …",
    ) == (
        refs(unit, "\uff2d\uff41\uff52\uff59"),
        refs(unit, "Sea\u200bcole"),
        refs(unit, "\u200bSeacole\u200b \uff2d\uff41"),
        refs(unit, "rude \ufeffph\u00ad"),
        find(unit, "\uff2d\uff41\uff52\uff59").items[0].matched,
        find(unit, "ph\u200bone").items[0].snippet,
    )


def test_a_search_text_of_invisible_characters_alone_is_blank(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="nothing to search for"):
        find(unit, "\u200b\u200b\u200b \u200d")


def test_a_sharp_s_and_ss_find_each_other_in_any_case(unit: UnitFactory) -> None:
    # German spells one word both ways (Straße, STRASSE, Strasse typed without the key): an
    # officer cannot tell which the store holds, and `matched` (casefold) already read them
    # as one.
    sharp = log(unit, "Jo Weiß", "jw@example.com", "2026-12-04T10:00",
                address="3 Hauptstraße\nBerlin")  # fmt: skip
    doubled = log(unit, "Al Weiss", "aw@example.com", "2026-12-05T10:00",
                  address="9 HAUPTSTRASSE\nBerlin")  # fmt: skip
    capital = log(unit, "Ed Gross", "eg@example.com", "2026-12-06T10:00",
                  address="1 Hauptstra\u1e9ee",
                  summary="The meter at my flat was read wrong again, as the one on the "
                          "Gartenstraße was in May")  # fmt: skip
    assert (
        [capital, doubled, sharp],
        [capital, doubled, sharp],
        [doubled, sharp],
        [sharp, doubled],
        ("address",),
        "… read wrong again, as the one on the Gartenstraße was in May",
    ) == (
        refs(unit, "hauptstrasse"),
        refs(unit, "Hauptstraße"),
        refs(unit, "weiss"),
        refs(unit, "Wei\u00df jo") + refs(unit, "WEISS AL"),
        find(unit, "strasse").items[-1].matched,
        find(unit, "gartenstrasse").items[0].snippet,
    )


def test_a_three_letter_word_finds_its_sharp_s_spelling_too_short_for_the_index(
    unit: UnitFactory,
) -> None:
    # `ess` is also `eß`, two letters: no trigram holds it, so it is looked for as a short
    # word is, never left to the index that would miss it.
    sharp = log(unit, "Jo Weiß", "jw@example.com", "2026-12-04T10:00",
                summary="The eß form was lost")  # fmt: skip
    doubled = log(unit, "Al Weiss", "aw@example.com", "2026-12-05T10:00",
                  summary="The ESS form was lost")  # fmt: skip
    assert ([doubled, sharp], [doubled, sharp]) == (
        refs(unit, "ess form"), refs(unit, "ess"),
    )  # fmt: skip


def test_percent_and_underscore_are_searched_for_as_themselves(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    underscored = log(unit, "Dee Jones", "dee_j@example.com", "2026-12-04T10:00")
    assert ([underscored], [], []) == (refs(unit, "e_j"), refs(unit, "50%"), refs(unit, "h_i"))


def test_a_limit_lists_the_most_recent_and_counts_the_rest(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    report = find(unit, "example", limit=1)
    assert ([cases["cara"]], 1, False) == (
        [i.ref for i in report.items],
        report.more,
        report.more_than,
    )


def test_closed_cases_are_found_too(unit: UnitFactory, cases: dict[str, str]) -> None:
    with unit() as uow:
        services.close(uow, ref=cases["cara"], reason=CloseReason.WITHDRAWN, because=None,
                       note=None, by="sam.senior", at=NOW, now=NOW)  # fmt: skip
    assert [("closed", cases["cara"])] == [(i.stage, i.ref) for i in find(unit, "rude").items]


def test_a_consumers_new_address_reaches_their_earlier_cases_and_their_name_stays(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    """A later complaint's address is taken into the consumer's record; the name on record
    stays (only a correction changes it), so the cases are found by it, not by the other."""
    again = log(unit, "Ann Smith-Jones", "ann.smith@example.com", "2026-12-05T10:00",
                address="3 Low Road, York")  # fmt: skip
    assert ([again, cases["ann"]], [], [], [again, cases["ann"]]) == (
        refs(unit, "york"),
        refs(unit, "leeds"),
        refs(unit, "smith-jones"),
        refs(unit, "ann smith"),
    )


def test_imported_cases_and_consumers_updated_by_an_import_are_found(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    batch = (
        "consumer,email,address,channel,category,summary,received_at\n"
        "Bob Smithers,bob@mail.test,9 Quay Side,online,delay,Meter readings wrong,"
        "2026-12-06T10:00\n"
        "Eve Imported,eve@example.com,,online,delay,Refund never came,2026-12-07T10:00\n"
    )
    with unit() as uow:
        report = import_batch(
            uow,
            rows=read_rows(io.StringIO(batch, newline=""), "csv"),
            source_name="batch.csv",
            skip_invalid=False,
            dry_run=False,
            by="officer.one",
            now=NOW,
        )
    bobs_new, eves = report.new
    # And a case logged after the import is indexed as it is written, as before.
    after = log(unit, "Fay Later", "fay@example.com", "2026-12-08T10:00", summary="Refund late")
    assert ([after, eves], [bobs_new, cases["bob"]]) == (
        refs(unit, "refund"),
        refs(unit, "quay side"),
    )


def import_cases(unit: UnitFactory, rows: list[tuple[str, str, str]]) -> list[str]:
    """Import (consumer, summary, received_at) rows in the order given: the refs, in that order."""
    batch = "consumer,email,channel,category,summary,received_at\n" + "".join(
        f"{consumer},{consumer.lower().replace(' ', '.')}@example.com,online,delay,{summary},"
        f"{received}\n"
        for consumer, summary, received in rows
    )
    with unit() as uow:
        report = import_batch(
            uow,
            rows=read_rows(io.StringIO(batch, newline=""), "csv"),
            source_name="batch.csv",
            skip_invalid=False,
            dry_run=False,
            by="officer.one",
            now=NOW,
        )
    assert len(rows) == len(report.new)
    return list(report.new)


def test_most_recent_first_exactly_whatever_order_the_cases_were_written_in(
    unit: UnitFactory,
) -> None:
    # Received over three days, at moments within each day out of order, some at the same
    # moment, and written in no order at all: an older case is often imported after newer ones.
    rng = random.Random(15)
    received = [
        f"2026-12-{day:02d}T{hour:02d}:{minute:02d}"
        for day in (3, 4, 5)
        for hour, minute in ((9, 0), (9, 0), (9, 1), (13, 30), (17, 59), (23, 59), (0, 0))
    ]
    rng.shuffle(received)
    refs = import_cases(unit, [(f"Pat Person{n}", "Refund never came", at)
                               for n, at in enumerate(received)])  # fmt: skip
    # Most recent first; at the same moment, the case written later (the higher id) first.
    newest_first = [ref for _, _, ref in sorted(
        ((at, n, ref) for n, (at, ref) in enumerate(zip(received, refs, strict=True))),
        reverse=True,
    )]  # fmt: skip
    for limit in [*range(1, len(refs) + 2), None]:
        report = find(unit, "refund", limit=limit)
        listed = newest_first[:limit]
        assert (listed, len(refs) - len(listed)) == (
            [item.ref for item in report.items],
            report.more,
        ), limit


def test_past_the_limit_more_than_1000_more_are_not_counted(unit: UnitFactory) -> None:
    # All received the same day, the first written the latest: the most recent case is the
    # last of that day the index reads, beyond what it counts.
    refs = import_cases(unit, [(f"Ann Other{n}", "Refund never came",
                                f"2026-12-01T{23 - n // 60:02d}:{59 - n % 60:02d}")
                               for n in range(1003)])  # fmt: skip
    found = {limit: find(unit, "refund", limit=limit) for limit in (1, 2, 3)}
    assert {
        1: ([refs[0]], 1000, True),
        2: (refs[:2], 1000, True),
        3: (refs[:3], 1000, False),
    } == {
        limit: ([item.ref for item in report.items], report.more, report.more_than)
        for limit, report in found.items()
    }
    assert (1003, 0, False) == (
        len((everything := find(unit, "refund")).items),
        everything.more,
        everything.more_than,
    )


def test_a_case_whose_receipt_is_corrected_in_the_store_moves_in_the_order(
    unit: UnitFactory, cases: dict[str, str]
) -> None:
    # No command changes a receipt; were one to, the index follows it (its triggers).
    with unit() as uow:
        uow.session.connection().execute(
            update(Case)
            .where(col(Case.ref) == cases["ann"])
            .values(received_at=datetime(2026, 12, 9, 8, 0, tzinfo=UTC))
        )
        uow.commit()
    assert ([cases["ann"], cases["bob"]], [cases["ann"]]) == (
        refs(unit, "smith"),
        [item.ref for item in find(unit, "smith", limit=1).items],
    )
