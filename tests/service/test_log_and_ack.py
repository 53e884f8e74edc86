"""log, ack and overdue at the service layer, on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from tests.conftest import UnitFactory

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
STAFF = "officer.one"
SENIOR = "sam.senior"  # the calendar is changed at senior level


def london(text: str) -> datetime:
    """Test instants are written as Europe/London wall time in winter (= UTC)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def complaint(**changes: object) -> services.NewComplaint:
    fields: dict[str, object] = {
        "consumer": "Ann Smith",
        "email": "ann@example.com",
        "channel": Channel.EMAIL,
        "category": Category.DELAY,
        "summary": "No reply for six weeks",
    }
    fields.update(changes)
    return services.NewComplaint(**fields)  # type: ignore[arg-type]


def log(
    unit: UnitFactory, at: datetime, now: datetime | None = None, **changes: object
) -> services.CaseView:
    """Log as it happens: recorded at `at` unless `now` says otherwise."""
    with unit() as uow:
        return services.log_complaint(
            uow, complaint=complaint(**changes), by=STAFF, at=at, now=now or at
        )


def test_logging_starts_an_acknowledgement_clock_of_24_working_hours(unit: UnitFactory) -> None:
    view = log(unit, london("2026-11-20T16:30"))
    assert "SC-2026-000001" == view.ref
    assert [("acknowledge", london("2026-11-25T16:30"))] == [
        (d.kind, d.due) for d in view.deadlines
    ]


def test_a_complaint_logged_back_dated_past_its_acknowledgement_due_is_breached_as_it_is_logged(
    unit: UnitFactory,
) -> None:
    # Received Mon 2 Nov 10:00 (due Thu 5 Nov 10:00), typed in on Mon 9 Nov 10:00: as `show`
    # reads it then, not as it stood when received.
    now = london("2026-11-09T10:00")
    logged = log(unit, london("2026-11-02T10:00"), now=now)
    with unit() as uow:
        shown = services.show_case(uow, ref=logged.ref, as_of=now)

    (deadline,) = logged.deadlines
    assert (now, True, timedelta(hours=16)) == (
        logged.as_of,
        deadline.breached,
        deadline.working_late,
    )
    assert shown.deadlines == logged.deadlines


def test_references_are_numbered_per_year_of_receipt(unit: UnitFactory) -> None:
    refs = [
        log(unit, at).ref
        for at in (london("2025-12-31T23:59"), london("2026-01-02T10:00"), london("2025-06-01"))
    ]
    assert ["SC-2025-000001", "SC-2026-000001", "SC-2025-000002"] == refs


def test_the_same_consumer_by_email_sees_their_earlier_complaints(unit: UnitFactory) -> None:
    first = log(unit, london("2026-11-02T10:00"))
    second = log(unit, london("2026-11-20T10:00"), email="ANN@Example.com ")
    assert [first.ref] == [c.ref for c in second.earlier_cases]
    assert "ann@example.com" == second.email


def test_an_email_in_full_width_letters_is_the_same_consumer(unit: UnitFactory) -> None:
    # It looks like ann@example.com: as another consumer it would escape her restrictions.
    first = log(unit, london("2026-11-02T10:00"))
    second = log(unit, london("2026-11-20T10:00"), email="\uff21nn@example.com")
    assert ([first.ref], "ann@example.com") == (
        [c.ref for c in second.earlier_cases],
        second.email,
    )


@pytest.mark.parametrize(
    "email", ["<ann@example.com>", "mailto:ann@example.com", "ann@example.com,bob@example.com"]
)
def test_an_address_pasted_with_its_wrapping_is_not_an_email(unit: UnitFactory, email: str) -> None:
    log(unit, london("2026-11-02T10:00"))
    with pytest.raises(InvalidInput, match="is not an email address"):
        log(unit, london("2026-11-20T10:00"), email=email)
    assert "SC-2026-000002" == log(unit, london("2026-11-20T10:00")).ref


def test_a_new_complaint_keeps_the_name_on_record_and_warns_that_the_one_given_differs(
    unit: UnitFactory,
) -> None:
    """A correction (`edit --name`) is not silently undone by the next complaint's spelling."""
    first = log(unit, london("2026-11-02T10:00"), consumer="Ann Smyth")
    second = log(unit, london("2026-11-20T10:00"), consumer="Ann Smith")
    assert ("Ann Smyth", "Ann Smyth") == (second.consumer, show_name(unit, first.ref))
    assert any("'Ann Smith'" in w and "'Ann Smyth'" in w for w in second.warnings)
    same = log(unit, london("2026-11-23T10:00"), consumer="Ann Smyth")
    assert not any("Smith" in w for w in same.warnings)


def show_name(unit: UnitFactory, ref: str) -> str:
    with unit(write=False) as uow:
        name: str = services.show_case(uow, ref=ref, as_of=london("2026-11-30T10:00")).consumer
    return name


def test_without_email_a_consumer_is_matched_by_name_and_address(unit: UnitFactory) -> None:
    log(unit, london("2026-11-02T10:00"), email=None, address="1 High St")
    other = log(unit, london("2026-11-03T10:00"), email=None, address="2 Low St")
    again = log(unit, london("2026-11-04T10:00"), email=None, address="1 High St")
    assert () == other.earlier_cases
    assert ["SC-2026-000001"] == [c.ref for c in again.earlier_cases]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "not an email address"),
        ({"email": None, "address": None}, "--email or --address"),
        ({"summary": "  "}, "--summary must not be empty"),
        ({"consumer": ""}, "--consumer must not be empty"),
        ({"adjustments": ("large-print", " ")}, "--adjustment must not be empty"),
        # Said to be too long, not quoted cut short as though the address given were that.
        (
            {"email": "a" * 250 + "@example.com"},
            "^'a{40}'… is not an email address: it is 262 characters; at most 254$",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    unit: UnitFactory, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        log(unit, london("2026-11-20T10:00"), **changes)
    assert "SC-2026-000001" == log(unit, london("2026-11-20T10:00")).ref


def test_a_time_in_the_future_is_refused(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        log(unit, NOW + timedelta(seconds=1), now=NOW)


def ack(unit: UnitFactory, ref: str, at: datetime) -> services.CaseView:
    """Acknowledge as it happens: recorded at `at`."""
    with unit() as uow:
        return services.acknowledge(uow, ref=ref, area="Energy", by=STAFF, at=at, now=at)


def test_acknowledging_on_time_meets_the_clock(unit: UnitFactory) -> None:
    ref = log(unit, london("2026-11-20T16:30")).ref
    view = ack(unit, ref, london("2026-11-25T16:30"))
    clock, _respond = view.deadlines
    assert ("first-stage", "Energy") == (view.stage, view.area)
    assert (london("2026-11-25T16:30"), "met", False) == (
        clock.met_at,
        clock.outcome,
        clock.breached,
    )


def test_acknowledging_late_keeps_the_breach_and_how_late_in_working_time(
    unit: UnitFactory,
) -> None:
    ref = log(unit, london("2026-11-20T16:30")).ref
    clock, _respond = ack(unit, ref, london("2026-11-26T10:05")).deadlines
    assert (True, timedelta(hours=1, minutes=35)) == (clock.breached, clock.working_late)


def test_acknowledging_twice_is_refused_naming_the_stage_and_writes_nothing(
    unit: UnitFactory,
) -> None:
    ref = log(unit, london("2026-11-20T16:30")).ref
    ack(unit, ref, london("2026-11-23T10:00"))
    with pytest.raises(ActionNotAllowed, match="stage first-stage"):
        ack(unit, ref, london("2026-11-24T10:00"))
    with unit(write=False) as uow:
        view = services.show_case(uow, ref=ref, as_of=NOW)
    assert ["log", "acknowledge"] == [e.action for e in view.history]
    assert london("2026-11-23T10:00") == view.deadlines[0].met_at


def test_a_step_dated_before_the_case_was_received_is_refused(unit: UnitFactory) -> None:
    ref = log(unit, london("2026-11-20T16:30")).ref
    with pytest.raises(ActionNotAllowed, match="before"):
        ack(unit, ref, london("2026-11-20T16:00"))


@pytest.mark.parametrize("ref", ["SC-2026-000009", "nonsense"])
def test_an_unknown_reference_is_not_found(unit: UnitFactory, ref: str) -> None:
    with pytest.raises(NotFound):
        ack(unit, ref, NOW)


def test_references_are_read_whatever_their_case(unit: UnitFactory) -> None:
    ref = log(unit, london("2026-11-20T16:30")).ref
    assert ref == ack(unit, f" {ref.lower()} ", london("2026-11-23T10:00")).ref


def overdue(unit: UnitFactory, as_of: datetime) -> list[tuple[str, timedelta]]:
    with unit(write=False) as uow:
        report = services.overdue(uow, as_of=as_of)
    return [(item.ref, item.late_working) for item in report.items]


def test_overdue_lists_running_clocks_past_due_most_overdue_first(unit: UnitFactory) -> None:
    older = log(unit, london("2026-11-16T10:00")).ref  # due Thu 19th 10:00
    newer = log(unit, london("2026-11-18T10:00")).ref  # due Mon 23rd 10:00
    log(unit, london("2026-11-27T10:00"))  # due Wed 2nd Dec: not yet
    assert [
        (older, timedelta(hours=23)),  # Thu 7h + Fri 8h + Mon 8h... to Tue 09:00
        (newer, timedelta(hours=7)),
    ] == overdue(unit, london("2026-11-24T09:00"))


def test_overdue_as_of_a_past_instant_counts_clocks_met_later_as_running(
    unit: UnitFactory,
) -> None:
    ref = log(unit, london("2026-11-16T10:00")).ref  # due Thu 19th 10:00
    ack(unit, ref, london("2026-11-20T10:00"))
    assert [ref] == [r for r, _ in overdue(unit, london("2026-11-19T12:00"))]
    assert [] == overdue(unit, london("2026-11-20T10:00"))
    assert [] == overdue(unit, london("2026-11-16T11:00"))


def test_a_closure_day_moves_open_deadlines_but_not_met_or_breached_ones(
    unit: UnitFactory,
) -> None:
    met = log(unit, london("2026-11-23T10:00")).ref  # due Thu 26th 10:00
    ack(unit, met, london("2026-11-24T10:00"))
    breached = log(unit, london("2026-11-20T10:00")).ref  # due Wed 25th 10:00: breached by now
    running = log(unit, london("2026-11-27T10:00")).ref  # due Wed 2nd Dec 10:00
    with unit() as uow:
        change = services.add_closure(
            uow,
            day=london("2026-12-01T00:00").date(),
            reason="Office move",
            by=SENIOR,
            at=NOW,
            now=NOW,
        )
    assert [(running, "acknowledge", london("2026-12-02T10:00"), london("2026-12-03T10:00"))] == [
        r.listed for r in change.recomputed
    ]
    with unit(write=False) as uow:
        dues = {
            ref: services.show_case(uow, ref=ref, as_of=NOW).deadlines[0].due
            for ref in (met, breached, running)
        }
        history = [e.action for e in services.show_case(uow, ref=running, as_of=NOW).history]
    assert {
        met: london("2026-11-26T10:00"),
        breached: london("2026-11-25T10:00"),
        running: london("2026-12-03T10:00"),
    } == dues
    assert ["log", "deadline-recomputed"] == history


def test_reopening_a_closure_day_moves_the_deadline_back(unit: UnitFactory) -> None:
    ref = log(unit, london("2026-11-27T10:00")).ref
    day = london("2026-12-01T00:00").date()
    with unit() as uow:
        services.add_closure(uow, day=day, reason="Move", by=SENIOR, at=NOW, now=NOW)
    with unit() as uow:
        change = services.remove_closure(uow, day=day, by=SENIOR, at=NOW, now=NOW)
    assert [(ref, london("2026-12-02T10:00"))] == [
        (r, new) for r, _, _, new in (m.listed for m in change.recomputed)
    ]


def test_reopening_a_day_that_is_not_a_closure_is_not_found(unit: UnitFactory) -> None:
    with pytest.raises(NotFound), unit() as uow:
        services.remove_closure(
            uow, day=london("2026-12-25T00:00").date(), by=SENIOR, at=NOW, now=NOW
        )


def test_a_deadline_beyond_the_known_bank_holidays_warns(unit: UnitFactory) -> None:
    with unit() as uow:
        services.refresh_holidays(uow, through=2031, by=SENIOR, at=NOW, now=NOW)
        calendar = uow.calendar()
    assert () == services.coverage_warnings(calendar, london("2031-12-31T12:00"))
    assert "known only" in services.coverage_warnings(calendar, london("2032-01-02T12:00"))[0]


def test_the_warning_advises_only_what_can_be_done_on_each_side_of_the_known_years(
    unit: UnitFactory,
) -> None:
    # Later years can be added by `calendar holidays --through`; nothing adds earlier ones.
    with unit(write=False) as uow:
        calendar = uow.calendar()
    known = "bank holidays are known only from 2021-01-01 to 2031-12-31; "
    later = (
        "a deadline after them assumes there are none — run "
        "`complaintctl calendar holidays --through 2032` to add them"
    )
    earlier = (
        "a deadline counted from before them assumes there were none and may be early by a "
        "holiday; earlier years cannot be added, so check the days it counted "
        "(`complaintctl explain REF`) against that year's bank holidays"
    )
    assert [
        (known + later,),
        (known + earlier,),
        (known + later + "; " + earlier,),
    ] == [
        services.coverage_warnings(calendar, london("2032-01-02T12:00")),
        services.coverage_warnings(calendar, london("2020-12-24T16:00")),
        services.coverage_warnings(
            calendar, london("2020-12-24T16:00"), london("2032-01-02T12:00")
        ),
    ]
    # The year to add is the latest deadline's.
    assert (
        "--through 2034`"
        in services.coverage_warnings(
            calendar, london("2032-01-02T12:00"), london("2034-03-01T12:00")
        )[0]
    )


def test_refreshing_bank_holidays_extends_what_is_known(unit: UnitFactory) -> None:
    with unit() as uow:
        services.refresh_holidays(uow, through=2040, by=SENIOR, at=NOW, now=NOW)
    with unit(write=False) as uow:
        view = services.calendar_view(uow, as_of=NOW)
    assert "2040-12-31" == view.known_through.isoformat()
