"""Subject-access requests as a clock: opened, extended once, answered by an export, and
listed by `overdue` when their month has passed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import col, select

from complaintctl import services
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from complaintctl.services.subject_access import record_export
from complaintctl.store.models import Event
from tests.conftest import UnitFactory, dump_store
from tests.service.journey import act, log, t

LONDON_END = "23:59:59"


def end_of(day: str) -> datetime:
    """The end of a winter day in London (UTC then)."""
    return datetime.fromisoformat(f"{day}T{LONDON_END}").replace(tzinfo=UTC)


def entries(unit: UnitFactory, action: str) -> list[tuple[str, dict[str, Any]]]:
    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Event.actor, Event.details)  # type: ignore[call-overload]
            .where(col(Event.action) == action)
            .order_by(col(Event.id))
        ).all()
    return [(by, json.loads(details)) for by, details in rows]


@pytest.fixture
def ann(unit: UnitFactory) -> int:
    """Ann Smith, a consumer with one case: her id."""
    log(unit, t("2026-10-01T10:00"))
    return 1


def read(unit: UnitFactory, verb: Any, **kwargs: Any) -> Any:
    with unit(write=False) as uow:
        return verb(uow, **kwargs)


def overdue_requests(unit: UnitFactory, as_of: str) -> list[tuple[str | None, str, int | None]]:
    report = read(unit, services.overdue, kinds=["subject-access"], as_of=t(as_of))
    return [(i.ref, i.kind, i.sar_id) for i in report.items]


def open_sar(unit: UnitFactory, received: str = "2026-11-25T18:30", **kwargs: Any) -> Any:
    kwargs.setdefault("consumer_id", 1)
    kwargs.setdefault("email", None)
    kwargs.setdefault("by", "officer.one")
    return act(
        unit,
        services.open_request,
        received_at=t(received),
        at=t("2026-11-26T09:00"),
        **kwargs,
    )


def export(unit: UnitFactory, at: str, consumer_id: int = 1, sha256: str = "ab" * 32) -> None:
    with unit() as uow:
        record_export(
            uow,
            consumer_id=consumer_id,
            format="json",
            sha256=sha256,
            by="officer.two",
            at=t(at),
            now=t(at),
        )


def test_opening_a_request_starts_its_month_by_the_icos_rule(unit: UnitFactory, ann: int) -> None:
    # Received after hours on 25 November 2026: 25 December is Christmas, then a weekend and
    # Boxing Day's substitute: due at the end of Tuesday 29 December.
    view = open_sar(unit, email="ANN@example.com", consumer_id=None)

    assert (1, ann, "Ann Smith", end_of("2026-12-29"), "open") == (
        view.id,
        view.consumer_id,
        view.consumer,
        view.due,
        view.state,
    )
    (opened,) = entries(unit, "sar-opened")
    assert ("officer.one", 1, ann) == (opened[0], opened[1]["sar"], opened[1]["consumer_id"])
    assert [(None, "subject-access", 1)] == overdue_requests(unit, "2026-12-30T00:00")
    assert [] == overdue_requests(unit, "2026-12-29T23:59")


def test_a_request_due_outside_the_known_bank_holidays_says_so(unit: UnitFactory, ann: int) -> None:
    # Received 25 Nov 2019: due on Christmas Day, a bank holiday the store does not know (it
    # knows 2021 to 2031), so the due may be early by a holiday; the command says so.
    old = open_sar(unit, received="2019-11-25T10:00")
    recent = open_sar(unit)

    assert end_of("2019-12-25") == old.due
    assert [True] == ["known only from 2021-01-01" in w for w in old.warnings]
    assert [False] == ["known only from" in w for w in recent.warnings]  # the old one named
    # A request has no case for `explain REF` to count: the advice is to check its due date.
    assert [("check its due date against", False)] == [
        (w.split("so ")[-1][:26], "explain" in w) for w in old.warnings
    ]


def test_a_request_extended_once_is_due_months_on_from_receipt_and_not_again(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    open_sar(unit)

    view = act(
        unit,
        services.extend_request,
        sar_id=1,
        months=2,
        reason="Numerous records across three cases",
        by="lee.leader",
        at=t("2026-12-01T10:00"),
    )

    # 25 February 2027 is a Thursday.
    assert (end_of("2027-02-25"), 2, "lee.leader") == (
        view.due,
        view.extended_months,
        view.extended_by,
    )
    (extended,) = entries(unit, "sar-extended")
    assert (2, "Numerous records across three cases") == (
        extended[1]["months"],
        extended[1]["reason"],
    )
    assert [] == overdue_requests(unit, "2027-01-05T00:00")
    before = dump_store(store_url)
    with pytest.raises(ActionNotAllowed, match=r"extended already, by 2 months on \w{3} 20"):
        act(
            unit,
            services.extend_request,
            sar_id=1,
            months=1,
            reason="Again",
            by="lee.leader",
            at=t("2026-12-02T10:00"),
        )
    assert before == dump_store(store_url)


@pytest.mark.parametrize(
    ("months", "by", "error", "message"),
    [
        (3, "lee.leader", InvalidInput, "--months must be 1 or 2"),
        (0, "lee.leader", InvalidInput, "--months must be 1 or 2"),
        (1, "officer.one", NotPermitted, "may not extend a subject-access request"),
    ],
)
def test_an_extension_is_one_or_two_months_by_a_leader_or_senior(
    unit: UnitFactory, ann: int, months: int, by: str, error: type[Exception], message: str
) -> None:
    open_sar(unit)

    with pytest.raises(error, match=message):
        act(
            unit,
            services.extend_request,
            sar_id=1,
            months=months,
            reason="Complex",
            by=by,
            at=t("2026-12-01T10:00"),
        )


def test_an_extension_after_the_first_month_is_refused(unit: UnitFactory, ann: int) -> None:
    open_sar(unit)

    with pytest.raises(ActionNotAllowed, match="within the first month"):
        act(
            unit,
            services.extend_request,
            sar_id=1,
            months=1,
            reason="Complex",
            by="lee.leader",
            at=t("2026-12-30T10:00"),
        )


def test_an_extension_recorded_after_the_due_passed_is_refused_whatever_its_at(
    unit: UnitFactory, ann: int
) -> None:
    """What is on record stays on record: dated within the first month but recorded once the
    due has passed, an extension would lift a breach `overdue` has already reported."""
    open_sar(unit)
    assert overdue_requests(unit, "2026-12-30T10:00") == [(None, "subject-access", 1)]

    with pytest.raises(ActionNotAllowed, match="within the first month"):
        act(
            unit,
            services.extend_request,
            sar_id=1,
            months=2,
            reason="Complex",
            by="lee.leader",
            at=t("2026-12-01T10:00"),
            now=t("2026-12-30T10:00"),
        )
    assert overdue_requests(unit, "2026-12-30T10:00") == [(None, "subject-access", 1)]
    assert entries(unit, "sar-extended") == []


def test_answered_in_time_by_the_latest_export_since_receipt(unit: UnitFactory, ann: int) -> None:
    export(unit, "2026-11-20T10:00", sha256="00" * 32)  # before the request: not its answer
    open_sar(unit)
    export(unit, "2026-12-10T10:00", sha256="11" * 32)
    export(unit, "2026-12-11T10:00", sha256="22" * 32)

    view = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
               at=t("2026-12-11T11:00"))  # fmt: skip

    assert ("done", True, "22" * 32, "officer.two") == (
        view.state,
        view.on_time,
        view.export_sha256,
        view.done_by,
    )
    (done,) = entries(unit, "sar-done")
    assert (True, view.export_entry, "22" * 32) == (
        done[1]["on_time"],
        done[1]["export_entry"],
        done[1]["sha256"],
    )
    assert [] == overdue_requests(unit, "2027-01-05T00:00")
    assert () == read(unit, services.list_requests, open_only=True, as_of=t("2027-01-05T00:00"))


def test_an_answer_dated_before_the_extension_is_refused_and_writes_nothing(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    """An extension of a request answered already is refused: an answer dated before the
    extension on record would leave just that, an answered request extended after."""
    open_sar(unit)
    export(unit, "2026-11-27T10:00")
    act(unit, services.extend_request, sar_id=1, months=1, reason="Numerous records",
        by="lee.leader", at=t("2026-12-01T10:00"))  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match=r"--at is before subject-access request 1 was "
                       r"extended \(Tue 2026-12-01 10:00 GMT\)"):  # fmt: skip
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
            at=t("2026-11-30T10:00"), now=t("2026-12-02T10:00"))  # fmt: skip

    assert before == dump_store(store_url)
    done = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
               at=t("2026-12-01T10:00"), now=t("2026-12-02T10:00"))  # fmt: skip
    assert (True, "done") == (done.on_time, done.state)


def test_answered_after_the_month_is_recorded_late(unit: UnitFactory, ann: int) -> None:
    open_sar(unit)
    export(unit, "2027-01-04T10:00")

    view = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
               at=t("2027-01-04T11:00"))  # fmt: skip

    assert ("done-late", False) == (view.state, view.on_time)


def test_an_answer_dated_in_time_but_recorded_after_the_due_is_late(
    unit: UnitFactory, ann: int
) -> None:
    open_sar(unit)
    export(unit, "2026-12-10T10:00")

    view = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
               at=t("2026-12-10T11:00"), now=t("2027-01-04T09:00"))  # fmt: skip

    assert ("done-late", False) == (view.state, view.on_time)


def test_the_export_named_must_be_one_of_this_persons_data(unit: UnitFactory, ann: int) -> None:
    log(unit, t("2026-10-02T10:00"), consumer="Bob Jones", email="bob@example.com")
    open_sar(unit)
    export(unit, "2026-12-10T10:00", consumer_id=2)
    bobs = entries(unit, "consumer-exported")
    assert bobs

    with pytest.raises(ActionNotAllowed, match="not an export of consumer 1"):
        act(unit, services.done_request, sar_id=1, export_entry=4, by="officer.one",
            at=t("2026-12-11T10:00"))  # fmt: skip
    with pytest.raises(NotFound, match="no history entry 999"):
        act(unit, services.done_request, sar_id=1, export_entry=999, by="officer.one",
            at=t("2026-12-11T10:00"))  # fmt: skip


def test_answering_needs_an_export_and_happens_once(unit: UnitFactory, ann: int) -> None:
    open_sar(unit)

    with pytest.raises(ActionNotAllowed, match="run `complaintctl consumer export"):
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
            at=t("2026-12-11T10:00"))  # fmt: skip
    export(unit, "2026-12-11T10:00")
    act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
        at=t("2026-12-11T11:00"))  # fmt: skip
    with pytest.raises(ActionNotAllowed, match="was answered"):
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
            at=t("2026-12-11T12:00"))  # fmt: skip
    with pytest.raises(ActionNotAllowed, match="was answered"):
        act(unit, services.extend_request, sar_id=1, months=1, reason="Late",
            by="lee.leader", at=t("2026-12-11T12:00"))  # fmt: skip


def test_refusals_for_an_unknown_consumer_or_request_or_a_future_receipt(
    unit: UnitFactory, ann: int
) -> None:
    with pytest.raises(NotFound, match="no consumer 9"):
        open_sar(unit, consumer_id=9)
    with pytest.raises(NotFound, match="no consumer with email nobody@example.com"):
        open_sar(unit, consumer_id=None, email="nobody@example.com")
    with pytest.raises(InvalidInput, match="--received is in the future"):
        open_sar(unit, received="2026-11-27T10:00")
    with pytest.raises(InvalidInput, match="--received is after --at"):
        open_sar(unit, received="2026-11-26T10:00", now=t("2026-11-27T10:00"))
    with pytest.raises(NotFound, match="no subject-access request 5"):
        read(unit, services.show_request, sar_id=5, as_of=t("2026-12-01T10:00"))
    assert [] == entries(unit, "sar-opened")


def test_a_second_request_received_the_same_day_while_one_is_open_is_refused(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    # The same request typed twice: its month is the same, and a second clock would need an
    # export of its own to stop.
    open_sar(unit, received="2026-11-25T18:30")
    before = dump_store(store_url)

    with pytest.raises(
        ActionNotAllowed,
        match=r"Ann Smith's subject-access request 1, received Wed 2026-11-25, is open already",
    ):
        open_sar(unit, received="2026-11-25T09:00")
    assert before == dump_store(store_url)


def test_a_request_on_another_day_while_one_is_open_is_taken_and_names_it(
    unit: UnitFactory, ann: int
) -> None:
    open_sar(unit, received="2026-11-20T10:00")

    view = open_sar(unit, received="2026-11-25T10:00")

    assert 2 == view.id
    assert [True] == [
        "subject-access request 1 open already (received Fri 2026-11-20" in w for w in view.warnings
    ]


def test_a_request_the_same_day_as_one_answered_is_taken(unit: UnitFactory, ann: int) -> None:
    open_sar(unit, received="2026-11-25T10:00")
    export(unit, "2026-11-26T10:00")
    act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
        at=t("2026-11-26T11:00"))  # fmt: skip

    view = open_sar(unit, received="2026-11-25T18:30")

    assert (2, ()) == (view.id, view.warnings)


def test_listing_shows_open_requests_soonest_due_first(unit: UnitFactory, ann: int) -> None:
    open_sar(unit, received="2026-11-25T10:00")
    open_sar(unit, received="2026-11-02T10:00")

    listed = read(unit, services.list_requests, open_only=True, as_of=t("2026-12-03T10:00"))

    assert [(2, "overdue"), (1, "open")] == [(v.id, v.state) for v in listed]


def last_export_id(unit: UnitFactory) -> int:
    with unit(write=False) as uow:
        found = uow.entries_of("consumer-exported")[-1].id
    assert found is not None
    return found


def test_the_export_named_must_be_made_for_this_request_and_answer_no_other(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    export(unit, "2026-11-20T10:00")  # before the request was received
    stale = last_export_id(unit)
    open_sar(unit)
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed, match="outside this request"):
        act(unit, services.done_request, sar_id=1, export_entry=stale, by="officer.one",
            at=t("2026-12-11T10:00"))  # fmt: skip
    assert before == dump_store(store_url)
    export(unit, "2026-12-10T10:00")
    fresh = last_export_id(unit)
    act(unit, services.done_request, sar_id=1, export_entry=fresh, by="officer.one",
        at=t("2026-12-11T10:00"))  # fmt: skip
    open_sar(unit, "2026-11-26T08:00")
    with pytest.raises(ActionNotAllowed, match="answered subject-access request 1 already"):
        act(unit, services.done_request, sar_id=2, export_entry=fresh, by="officer.one",
            at=t("2026-12-11T11:00"))  # fmt: skip


def test_by_default_an_export_that_answered_another_request_is_not_taken_again(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    open_sar(unit, received="2026-11-24T10:00")
    open_sar(unit, received="2026-11-25T11:00")
    export(unit, "2026-12-10T10:00", sha256="11" * 32)
    act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
        at=t("2026-12-10T11:00"))  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed, match="answered subject-access request 1 already"):
        act(unit, services.done_request, sar_id=2, export_entry=None, by="officer.one",
            at=t("2026-12-10T12:00"))  # fmt: skip
    assert before == dump_store(store_url)
    export(unit, "2026-12-10T13:00", sha256="22" * 32)
    view = act(unit, services.done_request, sar_id=2, export_entry=None, by="officer.one",
               at=t("2026-12-10T14:00"))  # fmt: skip
    assert "22" * 32 == view.export_sha256


def test_an_export_made_after_the_answers_at_is_not_its_answer_and_is_named(
    unit: UnitFactory, ann: int
) -> None:
    open_sar(unit)
    export(unit, "2026-12-10T10:00")

    with pytest.raises(ActionNotAllowed, match="made by the answer's --at"):
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
            at=t("2026-12-01T10:00"), now=t("2026-12-10T11:00"))  # fmt: skip


# -- a calendar change under an open request ---------------------------------------------------


def forget_bank_holiday(unit: UnitFactory, day: str) -> None:
    """The store as a holidays package that did not know `day` would have left it."""
    from sqlalchemy import delete

    from complaintctl.store.models import ClosedDay

    with unit() as uow:
        uow.session.exec(delete(ClosedDay).where(col(ClosedDay.day) == t(day).date()))  # type: ignore[call-overload]
        uow.commit()


def refresh(unit: UnitFactory, now: str, *, dry_run: bool = False) -> Any:
    with freeze_time(t(now)), unit() as uow:
        return services.refresh_holidays(
            uow,
            through=2027,
            by="sam.senior",
            at=t(now),
            now=t(now),
            retroactive=services.Retroactive(dry_run=dry_run),
        )


def test_a_bank_holiday_added_on_its_due_day_moves_an_open_request(
    unit: UnitFactory, ann: int
) -> None:
    # Without Boxing Day's substitute (Monday 28 December) the month ends that Monday.
    forget_bank_holiday(unit, "2026-12-28T00:00")
    assert end_of("2026-12-28") == open_sar(unit).due

    change = refresh(unit, "2026-12-01T09:00")

    assert [("SAR 1", "subject-access", end_of("2026-12-28"), end_of("2026-12-29"))] == [
        m.listed for m in change.recomputed
    ]
    assert "1 open deadline recomputed" in change.message
    shown = read(unit, services.show_request, sar_id=1, as_of=t("2026-12-01T09:00"))
    assert end_of("2026-12-29") == shown.due
    (entry,) = entries(unit, "deadline-recomputed")
    assert "sam.senior" == entry[0]
    assert {"sar": 1, "consumer_id": ann, "kind": "subject-access"}.items() <= entry[1].items()
    assert [] == overdue_requests(unit, "2026-12-29T23:59")
    with unit(write=False) as uow:
        assert [] == [
            e for e in uow.history(uow.case_by_id(1)) if e.action == "deadline-recomputed"
        ]


def test_an_extended_request_moves_by_its_extended_months(unit: UnitFactory, ann: int) -> None:
    # Received 25 November and extended by two months: due Thursday 25 February 2027. A bank
    # holiday announced on that day moves it to Friday 26th, which an office closure does not
    # move on: the law's month does not stretch for the organisation's own arrangements.
    open_sar(unit)
    act(unit, services.extend_request, sar_id=1, months=2, reason="Many records",
        by="sam.senior", at=t("2026-12-01T09:00"))  # fmt: skip
    with unit() as uow:
        uow.add_closure(_bank_holiday("2027-02-25"))
        change = services.add_closure(
            uow, day=t("2027-02-26T00:00").date(), reason="Office move", by="sam.senior",
            at=t("2026-12-02T09:00"), now=t("2026-12-02T09:00"),
        )  # fmt: skip
    assert [("SAR 1", end_of("2027-02-25"), end_of("2027-02-26"))] == [
        (ref, old, new) for ref, _, old, new in (m.listed for m in change.recomputed)
    ]
    shown = read(unit, services.show_request, sar_id=1, as_of=t("2026-12-02T09:00"))
    assert (end_of("2027-02-26"), 2) == (shown.due, shown.extended_months)


def _bank_holiday(day: str) -> Any:
    from complaintctl.store.models import ClosedDay

    return ClosedDay(day=t(day).date(), kind="bank-holiday", name="Announced",
                     added_by="sam.senior", added_at=t("2026-12-02T09:00"))  # fmt: skip


def test_a_request_already_breached_keeps_its_due(unit: UnitFactory, ann: int) -> None:
    forget_bank_holiday(unit, "2026-12-28T00:00")
    open_sar(unit)

    change = refresh(unit, "2026-12-29T10:00")

    assert () == change.recomputed
    shown = read(unit, services.show_request, sar_id=1, as_of=t("2026-12-29T10:00"))
    assert end_of("2026-12-28") == shown.due
    assert [] == entries(unit, "deadline-recomputed")


def test_an_answered_request_keeps_its_due(unit: UnitFactory, ann: int) -> None:
    forget_bank_holiday(unit, "2026-12-28T00:00")
    open_sar(unit)
    export(unit, "2026-11-30T10:00")
    act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
        at=t("2026-11-30T11:00"))  # fmt: skip

    assert () == refresh(unit, "2026-12-01T09:00").recomputed


def test_a_dry_run_lists_the_request_and_writes_nothing(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    forget_bank_holiday(unit, "2026-12-28T00:00")
    open_sar(unit)
    before = dump_store(store_url)

    change = refresh(unit, "2026-12-01T09:00", dry_run=True)

    assert [("SAR 1", end_of("2026-12-29"))] == [
        (r, new) for r, _, _, new in (m.listed for m in change.recomputed)
    ]
    assert change.message.startswith("Dry run:")
    assert before == dump_store(store_url)


def test_the_consumers_record_lists_their_requests(unit: UnitFactory, ann: int) -> None:
    open_sar(unit)
    record = read(
        unit, services.show_consumer, email=None, consumer_id=ann, as_of=t("2026-12-30T09:00")
    )
    assert [(1, t("2026-11-25T18:30"), end_of("2026-12-29"), "overdue")] == [
        (r.id, r.received_at, r.due, r.state) for r in record.subject_access
    ]


def test_any_moment_of_the_due_date_is_in_time_its_last_second_too(
    unit: UnitFactory, ann: int
) -> None:
    """The due instant stands for the whole due date (23:59:59): an answer, a listing or an
    extension at 23:59:59.5 that day is within it; from midnight the request is overdue."""
    open_sar(unit)  # due at the end of Tuesday 29 December
    last_moment = end_of("2026-12-29").replace(microsecond=500_000)
    next_day = t("2026-12-30T00:00")

    def states(as_of: datetime) -> list[str]:
        views = read(unit, services.list_requests, open_only=False, as_of=as_of)
        return [view.state for view in views]

    assert (["open"], (), ["overdue"], [(None, "subject-access", 1)]) == (
        states(last_moment),
        read(unit, services.overdue, kinds=["subject-access"], as_of=last_moment).items,
        states(next_day),
        overdue_requests(unit, "2026-12-30T00:00"),
    )
    extended = act(unit, services.extend_request, sar_id=1, months=1, reason="Numerous",
                   by="lee.leader", at=last_moment)  # fmt: skip
    assert (end_of("2027-01-25"), "open") == (extended.due, extended.state)


def test_an_answer_in_the_last_second_of_the_due_date_is_on_time(
    unit: UnitFactory, ann: int
) -> None:
    open_sar(unit)
    export(unit, "2026-12-29T16:00")
    last_moment = end_of("2026-12-29").replace(microsecond=500_000)

    view = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
               at=last_moment)  # fmt: skip

    assert ("done", True) == (view.state, view.on_time)
    assert [True] == [done["on_time"] for _, done in entries(unit, "sar-done")]


def test_an_answer_recorded_in_the_last_second_of_the_due_date_is_on_time(
    unit: UnitFactory, ann: int
) -> None:
    open_sar(unit)
    export(unit, "2026-12-29T16:00")

    last_moment = end_of("2026-12-29").replace(microsecond=999_999)

    view = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
               at=t("2026-12-29T17:00"), now=last_moment)  # fmt: skip

    assert ("done", True) == (view.state, view.on_time)


def test_an_answer_or_extension_dated_before_the_request_was_recorded_is_refused(
    unit: UnitFactory, ann: int, store_url: str
) -> None:
    """Recorded (`sar open --at`) on 26 November, from a receipt on the 25th: an answer or an
    extension dated between the two would come before the request in its history, as an
    action done before it was opened would."""
    open_sar(unit)  # received 25 Nov 18:30, recorded 26 Nov 09:00
    export(unit, "2026-11-25T20:00")
    before = dump_store(store_url)

    with pytest.raises(InvalidInput) as answered:
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
            at=t("2026-11-25T21:00"), now=t("2026-11-27T10:00"))  # fmt: skip
    with pytest.raises(InvalidInput) as extended:
        act(unit, services.extend_request, sar_id=1, months=1, reason="Numerous",
            by="lee.leader", at=t("2026-11-26T08:59:59"), now=t("2026-11-27T10:00"))  # fmt: skip
    with pytest.raises(InvalidInput) as received:
        act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
            at=t("2026-11-25T18:29"), now=t("2026-11-27T10:00"))  # fmt: skip

    assert [
        "--at is before subject-access request 1 was recorded (Thu 2026-11-26 09:00 GMT)",
        "--at is before subject-access request 1 was recorded (Thu 2026-11-26 09:00 GMT)",
        "--at is before subject-access request 1 was received (Wed 2026-11-25 18:30 GMT)",
    ] == [str(answered.value), str(extended.value), str(received.value)]
    assert before == dump_store(store_url)
    done = act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.two",
               at=t("2026-11-26T09:00"), now=t("2026-11-27T10:00"))  # fmt: skip
    assert (True, "done") == (done.on_time, done.state)
