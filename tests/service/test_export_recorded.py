"""`export` records itself (MODEL.md, "Personal data": every export of personal data is
recorded, who, when, for whom): one `cases-exported` entry in the store's history per export
written whole, with who, when, the format, where to, how many cases, the filters, who it is
for and the SHA-256 of the bytes written; nothing for one refused."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from complaintctl.domain.procedure import Action
from complaintctl.errors import InvalidInput, NotFound, NotPermitted
from complaintctl.files import Digesting
from complaintctl.services.export import CasesExport, begin_export, record_export
from complaintctl.services.verify import verify_history
from complaintctl.store.models import Event
from tests.conftest import UnitFactory, dump_store
from tests.service import journey

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def two_cases(unit: UnitFactory) -> list[str]:
    return [
        journey.log(unit, journey.t("2026-12-01 10:00")),
        journey.log(
            unit,
            journey.t("2026-12-02 10:00"),
            consumer="Bob Brown",
            email="bob@example.com",
        ),
    ]


def written(export: CasesExport) -> bytes:
    """The export as JSON Lines, as `export` writes it, through the digest it records."""
    buffer = io.StringIO()
    out = Digesting(buffer)
    for record in export:
        out.write(json.dumps(record, default=str) + "\n")
    assert hashlib.sha256(buffer.getvalue().encode("utf-8")).hexdigest() == out.hexdigest()
    return buffer.getvalue().encode("utf-8")


def exported(
    unit: UnitFactory, *, to: str | None = "cases.jsonl", by: str = "officer.one", **given: Any
) -> bytes:
    with unit(write=False) as uow:
        export = begin_export(uow, by=by, **given)
        content = written(export)
    with unit() as uow:
        record_export(
            uow,
            export,
            format="jsonl",
            to=to,
            sha256=hashlib.sha256(content).hexdigest(),
            now=NOW,
        )
    return content


def entries(unit: UnitFactory) -> list[tuple[int | None, str, datetime, dict[str, Any]]]:
    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Event).where(col(Event.action) == Action.CASES_EXPORTED).order_by(col(Event.id))
        ).all()
        return [(e.case_id, e.actor, e.at, json.loads(e.details)) for e in rows]


def test_an_export_is_recorded_with_who_when_where_how_many_and_the_digest_of_its_bytes(
    unit: UnitFactory, two_cases: list[str]
) -> None:
    content = exported(unit)

    assert [
        (
            None,
            "officer.one",
            NOW,
            {
                "format": "jsonl",
                "to": "cases.jsonl",
                "cases": 2,
                "filters": {},
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )
    ] == entries(unit)


def test_the_entry_names_the_filters_given_and_who_the_export_is_for(
    unit: UnitFactory, two_cases: list[str]
) -> None:
    exported(
        unit,
        to=None,
        for_whom="  Independent Assessor ",
        stages=["received"],
        owner="Officer.One ",
        category="delay",
        board=False,
        received_from=date(2026, 12, 2),
        received_to=date(2026, 12, 31),
    )

    ((_, _, _, details),) = entries(unit)
    assert {
        "to": "stdout",
        "cases": 0,  # officer.one owns no case: they were logged, not routed to them
        "for": "Independent Assessor",
        "filters": {
            "stage": ["received"],
            "owner": "officer.one",
            "category": "delay",
            "board": False,
            "from": "2026-12-02",
            "to": "2026-12-31",
        },
    } == {k: details[k] for k in ("to", "cases", "for", "filters")}


def test_each_export_is_one_entry_of_its_own(unit: UnitFactory, two_cases: list[str]) -> None:
    exported(unit)
    exported(unit, by="officer.two", received_from=date(2026, 12, 2))

    assert [("officer.one", 2), ("officer.two", 1)] == [
        (by, details["cases"]) for _, by, _, details in entries(unit)
    ]


def test_the_entry_is_sealed_in_the_chain_and_is_no_consumers_store_history(
    unit: UnitFactory, two_cases: list[str]
) -> None:
    from complaintctl.store.retention import store_entries_about

    exported(unit)

    with unit(write=False) as uow:
        assert verify_history(uow).intact
        assert [] == [
            e for e in store_entries_about(uow.session, 1) if e.action == Action.CASES_EXPORTED
        ]


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"by": "nobody"}, NotPermitted),  # no acting member of staff
        ({"by": "officer.one", "owner": "nobody"}, NotFound),
        ({"by": "officer.one", "area": "Nowhere"}, InvalidInput),
        (
            {
                "by": "officer.one",
                "received_from": date(2026, 12, 2),
                "received_to": date(2026, 12, 1),
            },
            InvalidInput,
        ),
        ({"by": "officer.one", "for_whom": " "}, InvalidInput),  # --for "" with a variable unset
        ({"by": "officer.one", "for_whom": "a\x1bb"}, InvalidInput),
    ],
)
def test_a_refused_export_is_refused_before_anything_is_written_or_recorded(
    unit: UnitFactory,
    two_cases: list[str],
    store_url: str,
    given: dict[str, Any],
    error: type[Exception],
) -> None:
    before = dump_store(store_url)

    with pytest.raises(error), unit(write=False) as uow:
        begin_export(uow, **given)

    assert before == dump_store(store_url)


def test_a_removed_member_may_not_record_an_export_they_began(
    unit: UnitFactory, two_cases: list[str], store_url: str
) -> None:
    from complaintctl.services import remove_staff

    with unit(write=False) as uow:
        export = begin_export(uow, by="officer.two")
        content = written(export)
    journey.act(unit, remove_staff, username="officer.two", by="sam.senior", at=NOW, now=NOW)
    before = dump_store(store_url)

    with pytest.raises(NotPermitted), unit() as uow:
        record_export(
            uow,
            export,
            format="jsonl",
            to=None,
            sha256=hashlib.sha256(content).hexdigest(),
            now=NOW,
        )

    assert before == dump_store(store_url)
