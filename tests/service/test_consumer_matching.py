"""The same person is one consumer whatever the spelling of their name and address: matched in
its matching form (domain.intake.matching_form), so a restriction follows them and the officer
logging sees their earlier complaints."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from complaintctl.errors import ConsumerRestricted
from complaintctl.services.imports import BatchRefused, import_batch, read_rows
from complaintctl.store.models import Consumer
from tests.conftest import UnitFactory
from tests.service import journey

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
STAFF = "officer.one"
ADDRESS = "1 High St, Leeds"


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


def log(unit: UnitFactory, day: int, name: str = "Ann Smith", address: str = ADDRESS) -> Any:
    with unit() as uow:
        return services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer=name,
                channel=Channel.POST,
                category=Category.DELAY,
                summary=f"Complaint of the {day}th",
                address=address,
            ),
            by=STAFF,
            at=at(day),
            now=NOW,
        )


def restrict(unit: UnitFactory, consumer_id: int, day: int = 3) -> None:
    journey.restrict(unit, at(day), email=None, consumer_id=consumer_id, now=NOW)


def consumers(unit: UnitFactory) -> list[tuple[int, str, str | None]]:
    with unit(write=False) as uow:
        rows = uow.session.exec(select(Consumer).order_by(col(Consumer.id))).all()
        return [(c.id, c.name, c.address) for c in rows]


SAME_PERSON = [
    ("Ann Smith", "1 high st, leeds"),
    ("ann smith", ADDRESS),
    ("ANN  SMITH ", "1  High  St,  Leeds"),
    ("Ann Smith", "1 High St, Leeds,"),
    ("Ann Smith", "1 High St\nLeeds"),
    ("Ann Smith", "1 High St,\r\nLeeds"),
    ("Ann Smith", "1 High St.\n\nLeeds."),
    ("\uff21nn Smith", "\uff11 High St, Leeds"),  # full-width letters and digits
    ("Ann\u200b Smith", "1 High St, Leeds\u200f"),  # invisible characters
]


@pytest.mark.parametrize(("name", "address"), SAME_PERSON)
def test_the_same_person_written_otherwise_is_the_same_consumer_and_sees_their_cases(
    unit: UnitFactory, name: str, address: str
) -> None:
    first = log(unit, 2)
    again = log(unit, 4, name, address)
    assert [first.ref] == [c.ref for c in again.earlier_cases]
    assert 1 == len(consumers(unit))


@pytest.mark.parametrize(("name", "address"), SAME_PERSON)
def test_a_restriction_follows_the_person_whatever_the_spelling(
    unit: UnitFactory, name: str, address: str
) -> None:
    log(unit, 2)
    restrict(unit, consumers(unit)[0][0])
    with pytest.raises(ConsumerRestricted, match="Ann Smith is restricted"):
        log(unit, 4, name, address)
    assert 1 == len(consumers(unit))


@pytest.mark.parametrize(
    ("name", "address"),
    [("Ann Smith", "12 High St, Leeds"), ("Ann Smyth", ADDRESS), ("Zoë Smith", ADDRESS)],
)
def test_another_name_or_address_is_another_consumer(
    unit: UnitFactory, name: str, address: str
) -> None:
    log(unit, 2, name="Zoe Smith" if name.startswith("Zo") else "Ann Smith")
    again = log(unit, 4, name, address)
    assert () == again.earlier_cases
    assert 2 == len(consumers(unit))


def test_the_record_keeps_the_address_as_the_consumer_wrote_it(unit: UnitFactory) -> None:
    log(unit, 2, address="1  high st,\nLEEDS")
    assert [(1, "Ann Smith", "1  high st,\nLEEDS")] == consumers(unit)


def test_a_person_held_twice_from_before_is_refused_on_either_records_restriction(
    unit: UnitFactory,
) -> None:
    """Stores written before matching by the matching form may hold a person twice: a
    restriction on either record refuses them, and both records' cases are shown."""
    first = log(unit, 2)
    second = log(unit, 3, address="2 Low St")
    with unit() as uow:  # as an exact match made it: a second record of Ann
        uow.consumer(2).address = "1 high st leeds"
        uow.commit()
    restrict(unit, 2, day=4)
    with pytest.raises(ConsumerRestricted):
        log(unit, 5, address=ADDRESS)
    with unit() as uow:
        later = services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer="Ann Smith",
                channel=Channel.POST,
                category=Category.DELAY,
                summary="Before the restriction",
                address=ADDRESS,
            ),
            by=STAFF,
            at=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
            now=NOW,
        )
    assert [first.ref, second.ref] == [c.ref for c in later.earlier_cases]


def test_a_removed_consumer_is_never_matched_whatever_the_spelling(unit: UnitFactory) -> None:
    log(unit, 2)
    with unit() as uow:  # as a removal leaves them
        uow.consumer(1).anonymised_at = at(3)
        uow.commit()
    again = log(unit, 4, "ann smith", "1 high st leeds")
    assert () == again.earlier_cases
    assert 2 == len(consumers(unit))


# -- import --------------------------------------------------------------------------------

HEADER = "consumer,address,channel,category,summary,received_at\n"


def do_import(unit: UnitFactory, *rows: tuple[str, str, str], skip_invalid: bool = False) -> Any:
    text = HEADER + "".join(
        f'"{name}","{address}",post,delay,{summary},2026-11-{day}T10:00\n'
        for name, address, summary, day in ((*row, 10 + n) for n, row in enumerate(rows))
    )
    with unit() as uow:
        return import_batch(
            uow,
            rows=read_rows(io.StringIO(text, newline=""), "csv"),
            source_name="batch.csv",
            skip_invalid=skip_invalid,
            dry_run=False,
            by=STAFF,
            now=NOW,
        )


def test_rows_of_one_person_spelt_otherwise_in_one_file_are_one_consumer(
    unit: UnitFactory,
) -> None:
    log(unit, 2)
    rows = [(name, address, f"Row {n}") for n, (name, address) in enumerate(SAME_PERSON)]
    report = do_import(unit, *rows, ("Bob Jones", "9 Other Rd", "Bob's"))
    assert len(rows) + 1 == len(report.new)
    assert [1, 2] == [c[0] for c in consumers(unit)]
    # Imported again: every row is a duplicate, whichever spelling the record keeps.
    assert (0, len(rows) + 1) == (
        len((again := do_import(unit, *rows, ("Bob Jones", "9 Other Rd", "Bob's"))).new),
        again.duplicates,
    )


def test_an_imported_row_of_a_restricted_person_spelt_otherwise_is_refused(
    unit: UnitFactory,
) -> None:
    log(unit, 2)
    restrict(unit, 1)
    with pytest.raises(BatchRefused) as caught:
        do_import(unit, ("ann smith", "1 High St\nLeeds", "Again"), ("Bob Jones", "9 Rd", "B"))
    (reject,) = caught.value.rejects
    assert "Ann Smith is restricted" in reject.problems[0].reason
    assert [1] == [c[0] for c in consumers(unit)]
