"""An organisation's own calendar at the service layer: its zone, opening hours and
bank-holiday region, set with `calendar set` as if they had always held.

Expected deadlines are worked out by hand from MODEL.md ("Working time"): the acknowledgement
is due 24 working hours after receipt. Instants are UTC; London wall time in winter is UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Action, ActionKind, Category, Channel
from complaintctl.errors import InvalidInput, NotPermitted
from complaintctl.services.explain import explain_deadline
from tests.conftest import UnitFactory, dump_store
from tests.service import journey
from tests.service.letters_journey import letter

SENIOR = "sam.senior"
STAFF = "officer.one"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def log(unit: UnitFactory, at: datetime) -> str:
    with unit() as uow:
        return services.log_complaint(
            uow,
            complaint=services.NewComplaint(
                consumer="Ann Smith",
                email="ann@example.com",
                channel=Channel.EMAIL,
                category=Category.DELAY,
                summary="No reply",
            ),
            by=STAFF,
            at=at,
            now=at,
        ).ref


def due(unit: UnitFactory, ref: str, now: datetime) -> datetime:
    with unit(write=False) as uow:
        return services.show_case(uow, ref=ref, as_of=now).deadlines[0].due


def change(
    unit: UnitFactory,
    now: datetime,
    *,
    zone: str | None = None,
    hours: str | None = None,
    region: str | None = None,
    reason: str | None = None,
    dry_run: bool = False,
    by: str = SENIOR,
) -> services.CalendarChange:
    with unit() as uow:
        return services.change_calendar(
            uow,
            wanted=services.CalendarWanted(zone, hours, region),
            by=by,
            at=now,
            now=now,
            retroactive=services.Retroactive(reason, dry_run),
        )


def test_refreshing_bank_holidays_writes_the_stores_own_regions(unit: UnitFactory) -> None:
    # A store kept for Scotland: St Andrew's Day 2032 is Tuesday 30 November.
    now = utc("2026-11-30T12:00")
    with unit() as uow:
        uow.calendar_setting().holiday_region = "GB-SCT"
        uow.commit()
    with unit() as uow:
        services.refresh_holidays(uow, through=2032, by=SENIOR, at=now, now=now)
    with unit(write=False) as uow:
        closed = uow.calendar().closed_days
    assert "Saint Andrew's Day (bank holiday)" == closed.get(date(2032, 11, 30))
    assert "Easter Monday (bank holiday)" != closed.get(date(2032, 3, 29))


def history(unit: UnitFactory, action: str) -> list[dict[str, object]]:
    from sqlmodel import col, select

    from complaintctl.store.models import Event

    with unit(write=False) as uow:
        rows = uow.session.exec(select(Event).where(col(Event.action) == action)).all()
        return [json.loads(row.details) for row in rows]


# -- opening hours -------------------------------------------------------------------------


def test_a_lunch_break_moves_an_acknowledgement_started_now(unit: UnitFactory) -> None:
    # Logged Mon 7 Dec 09:00. 8h days: Mon, Tue, Wed → Wed 9 Dec 17:00. 7h days (lunch
    # 12:30-13:30): Mon 7, Tue 14, Wed 21, Thu 09:00-12:00 → Thu 10 Dec 12:00.
    now = utc("2026-12-07T09:00")
    ref = log(unit, now)
    assert utc("2026-12-09T17:00") == due(unit, ref, now)
    moved = change(unit, now, hours="Mon-Fri 09:00-12:30, 13:30-17:00")
    assert [(ref, "acknowledge", utc("2026-12-09T17:00"), utc("2026-12-10T12:00"))] == [
        one.listed for one in moved.recomputed
    ]
    assert utc("2026-12-10T12:00") == due(unit, ref, now)
    with unit(write=False) as uow:
        week = services.calendar_view(uow, as_of=now).week
    assert ("Mon", "09:00-12:30, 13:30-17:00") == week[0]
    assert ("Sat", "closed") == week[5]


def test_hours_counting_the_time_already_past_alike_need_no_reason(unit: UnitFactory) -> None:
    # Logged Mon 7 Dec 09:00, now 12:00: 3h worked either way; the rest counted from now.
    ref = log(unit, utc("2026-12-07T09:00"))
    moved = change(unit, utc("2026-12-07T12:00"), hours="Mon-Fri 09:00-12:30, 13:30-17:00")
    assert [(ref, utc("2026-12-10T12:00"))] == [(m.ref, m.new_due) for m in moved.recomputed]


def test_hours_counting_the_time_already_past_differently_need_a_reason(
    unit: UnitFactory,
) -> None:
    # Logged Mon 7 Dec 09:00, now 14:00: 5h worked on the old hours, 4h with the lunch break.
    ref = log(unit, utc("2026-12-07T09:00"))
    now = utc("2026-12-07T14:00")
    with pytest.raises(InvalidInput) as refused:
        change(unit, now, hours="Mon-Fri 09:00-12:30, 13:30-17:00")
    assert (
        "the change counts the time already past differently for 1 open deadline "
        f"({ref}), and would move it; give --retroactive REASON"
    ) in str(refused.value)
    assert utc("2026-12-09T17:00") == due(unit, ref, now)  # nothing written
    assert [] == history(unit, Action.CALENDAR_CHANGED)
    dry = change(unit, now, hours="Mon-Fri 09:00-12:30, 13:30-17:00", dry_run=True)
    assert dry.dry_run
    assert "needs --retroactive REASON" in dry.message
    assert utc("2026-12-09T17:00") == due(unit, ref, now)
    change(unit, now, hours="Mon-Fri 09:00-12:30, 13:30-17:00", reason="Lunch agreed in Nov")
    assert utc("2026-12-10T12:00") == due(unit, ref, now)
    assert [
        {
            "old_hours": "Mon-Fri 09:00-17:00",
            "new_hours": "Mon-Fri 09:00-12:30, 13:30-17:00",
            "retroactive": "Lunch agreed in Nov",
        }
    ] == history(unit, Action.CALENDAR_CHANGED)


def test_saturday_opening_brings_an_acknowledgement_forward(unit: UnitFactory) -> None:
    # Logged Fri 4 Dec 13:00. Old: Fri 4h, Mon 12, Tue 20, Wed 09:00-13:00 → Wed 9 Dec 13:00.
    # Sat 10:00-13:00: Fri 4h, Sat 7, Mon 15, Tue 23, Wed 09:00-10:00 → Wed 9 Dec 10:00.
    now = utc("2026-12-04T13:00")
    ref = log(unit, now)
    change(unit, now, hours="Mon-Fri 09:00-17:00; Sat 10:00-13:00")
    assert utc("2026-12-09T10:00") == due(unit, ref, now)


def test_saturday_opening_counts_an_actions_time_already_past_differently(
    unit: UnitFactory,
) -> None:
    # An action due 10 working days (--within 10d) after it was opened (Fri 4 Dec 13:00);
    # now Sat 5 Dec 12:00. With Saturday opening that morning is working time already past.
    now = utc("2026-12-05T12:00")
    ref = log(unit, utc("2026-12-04T13:00"))
    with unit() as uow:
        services.add_action(
            uow,
            ref=ref,
            kind=ActionKind.IMPROVEMENT,
            what="Call back",
            owner=STAFF,
            due=None,
            within="10d",
            by=STAFF,
            at=utc("2026-12-04T13:00"),
            now=utc("2026-12-04T13:00"),
        )
    with pytest.raises(InvalidInput, match="counts the time already past differently"):
        change(unit, now, hours="Mon-Fri 09:00-17:00; Sat 10:00-13:00")


def action_within(unit: UnitFactory, ref: str, within: str, at: datetime) -> int:
    with unit() as uow:
        return services.add_action(
            uow, ref=ref, kind=ActionKind.REMEDY, what="Pay", owner=STAFF, due=None,
            within=within, by=STAFF, at=at, now=at,
        ).id  # fmt: skip


@pytest.mark.parametrize(
    ("hours", "within", "expected"),
    [
        # 7h days: one working day is still the close of Tue 8 Dec, not an hour into Wed 9.
        ("Mon-Fri 09:00-12:30, 13:30-17:00", "1d", "2026-12-08T17:00"),
        # 9h days: still the close of Tue 8 Dec, not 8 working hours on (Tue 09:00).
        ("Mon-Fri 08:00-17:00", "1d", "2026-12-08T17:00"),
        # 7h days: 2 days to the close of Wed 9 Dec, then 3h: Thu 10 Dec 12:00.
        ("Mon-Fri 09:00-12:30, 13:30-17:00", "2d3h", "2026-12-10T12:00"),
        # Hours stay hours: 8h on 7h days is a whole day (to the close of Tue 8 Dec) and an
        # hour more, Wed 9 Dec 10:00, as a store made with those hours counts it.
        ("Mon-Fri 09:00-12:30, 13:30-17:00", "8h", "2026-12-09T10:00"),
    ],
)
def test_an_actions_working_days_are_the_new_hours_working_days(
    unit: UnitFactory, hours: str, within: str, expected: str
) -> None:
    # Opened Mon 7 Dec 10:00 with --within in working days: a store made with the new hours
    # counts a `d` as its own working day (its longest), so a change must too.
    now = utc("2026-12-07T10:00")
    ref = log(unit, now)
    action_id = action_within(unit, ref, within, now)
    change(unit, now, hours=hours)
    with unit(write=False) as uow:
        assert utc(expected) == uow.action(action_id).due_at
        explained = explain_deadline(uow, ref=ref, kind="action", action=action_id, as_of=now)
    assert utc(expected) == explained.rule_due == explained.due


def test_shorter_hours_that_would_put_a_due_today_behind_now_need_a_reason(
    unit: UnitFactory,
) -> None:
    # Escalated Mon 7 Dec: the final response is due at the close of its 20th working day,
    # Thu 7 Jan 2027 17:00. At 14:00 that day, hours closing at 12:00 put the due at 12:00,
    # already gone: it would be moved to this very moment and breached a second later. The
    # working days counted up to now are the same; the move reaches back all the same.
    ref = journey.to_second_stage(unit)
    now = utc("2027-01-07T14:00")
    with pytest.raises(InvalidInput, match=r"would make 1 open deadline \(.*\) due by now"):
        change(unit, now, hours="Mon-Fri 09:00-12:00")
    assert utc("2027-01-07T17:00") == journey.due(journey.show(unit, ref, now), "final")
    dry = change(unit, now, hours="Mon-Fri 09:00-12:00", dry_run=True)
    assert "needs --retroactive REASON" in dry.message
    change(unit, now, hours="Mon-Fri 09:00-12:00", reason="Winter hours from today")
    assert now == journey.due(journey.show(unit, ref, now), "final")


def test_working_time_asked_for_past_what_a_sparse_week_reaches_is_refused(
    unit: UnitFactory,
) -> None:
    # One hour a week: 2,000 working hours are some 38 years on, past the ten years the
    # calendar is searched. Refused naming the option, as a duration too long is.
    now = utc("2026-12-07T09:30")
    ref = log(unit, now)
    change(unit, now, hours="Mon 09:00-10:00", reason="Open an hour a week")
    with unit() as uow, pytest.raises(InvalidInput, match="^--within: '2000h' .*10 years"):
        services.add_action(
            uow,
            ref=ref,
            kind=ActionKind.REMEDY,
            what="Call back",
            owner=STAFF,
            due=None,
            within="2000h",
            by=STAFF,
            at=now,
            now=now,
        )
    for listing in (services.queue, services.overdue):
        with unit(write=False) as uow, pytest.raises(InvalidInput, match="^--due-within: '2000h'"):
            listing(uow, as_of=now, due_within="2000h")


# -- zone ----------------------------------------------------------------------------------


def test_a_zone_across_its_own_clock_change_moves_an_acknowledgement(unit: UnitFactory) -> None:
    # Logged Fri 30 Oct 2026 14:00 UTC: 14:00 GMT in London (its clocks went back on 25 Oct),
    # 10:00 EDT in New York (its clocks go back on Sun 1 Nov).
    # London: Fri 3h, Mon 11, Tue 19, Wed 09:00-14:00 GMT → Wed 4 Nov 14:00 UTC.
    # New York: Fri 10:00-17:00 EDT 7h, Mon 15 (EST now), Tue 23, Wed 09:00-10:00 EST
    # → Wed 4 Nov 15:00 UTC.
    start = utc("2026-10-30T14:00")
    ref = log(unit, start)
    assert utc("2026-11-04T14:00") == due(unit, ref, start)
    moved = change(unit, start, zone="America/New_York")
    assert [(ref, utc("2026-11-04T14:00"), utc("2026-11-04T15:00"))] == [
        (m.ref, m.old_due, m.new_due) for m in moved.recomputed
    ]
    assert "America/New_York" == moved.zone
    assert [{"old_zone": "Europe/London", "new_zone": "America/New_York"}] == history(
        unit, Action.CALENDAR_CHANGED
    )


def test_a_zone_whose_hours_overlap_the_time_already_past_needs_no_reason(
    unit: UnitFactory,
) -> None:
    # 14:00-15:00 UTC on Fri 30 Oct is open in London (14:00 GMT) and New York (10:00 EDT).
    ref = log(unit, utc("2026-10-30T14:00"))
    moved = change(unit, utc("2026-10-30T15:00"), zone="america/new_york")
    assert [(ref, utc("2026-11-04T15:00"))] == [(m.ref, m.new_due) for m in moved.recomputed]


def test_a_zone_counting_the_time_already_past_differently_needs_a_reason(
    unit: UnitFactory,
) -> None:
    # By 18:00 UTC London (closed at 17:00 GMT) has counted 3h, New York (open till 21:00) 4h.
    log(unit, utc("2026-10-30T14:00"))
    with pytest.raises(InvalidInput, match="counts the time already past differently"):
        change(unit, utc("2026-10-30T18:00"), zone="America/New_York")
    change(unit, utc("2026-10-30T18:00"), zone="America/New_York", reason="Opened in NYC")


@pytest.mark.parametrize("zone", ["../etc/passwd", "UTC+5", "Mars/Olympus", "", "localtime"])
def test_a_zone_that_is_not_an_iana_name_is_refused(unit: UnitFactory, zone: str) -> None:
    with pytest.raises(InvalidInput, match="^--zone .*is not a time zone name"):
        change(unit, utc("2026-12-07T09:00"), zone=zone)


# -- region --------------------------------------------------------------------------------


def test_scotland_closes_on_st_andrews_day(unit: UnitFactory) -> None:
    # Logged Fri 27 Nov 2026 10:00. England: Fri 7h, Mon 30 Nov 15, Tue 23, Wed 09:00-10:00
    # → Wed 2 Dec 10:00. Scotland closes Mon 30 Nov (St Andrew's Day) → Thu 3 Dec 10:00.
    now = utc("2026-11-27T10:00")
    ref = log(unit, now)
    assert utc("2026-12-02T10:00") == due(unit, ref, now)
    # Its bank holidays differ from England's on days already past (2021 on), but none in
    # this deadline's time already past: the move is all ahead, and needs no reason.
    change(unit, now, region="gb-sct")
    assert utc("2026-12-03T10:00") == due(unit, ref, now)
    with unit(write=False) as uow:
        view = services.calendar_view(uow, as_of=now)
        closed = uow.calendar().closed_days
    assert "GB-SCT" == view.holiday_region
    assert "Saint Andrew's Day (bank holiday)" == closed[date(2026, 11, 30)]
    assert date(2026, 4, 6) not in closed  # England's Easter Monday
    (entry,) = history(unit, Action.CALENDAR_CHANGED)
    assert ("GB-ENG", "GB-SCT") == (entry["old_region"], entry["new_region"])
    assert "retroactive" not in entry


def test_a_region_change_counting_a_past_bank_holiday_anew_needs_a_reason(
    unit: UnitFactory,
) -> None:
    # The same case, the change made on Tue 1 Dec 09:30: England counted Mon 30 Nov as a
    # working day of it, Scotland closed then. The time already past is counted anew.
    ref = log(unit, utc("2026-11-27T10:00"))
    now = utc("2026-12-01T09:30")
    with pytest.raises(InvalidInput, match="counts the time already past differently"):
        change(unit, now, region="GB-SCT")
    change(unit, now, region="gb-sct", reason="We are in Edinburgh")
    assert utc("2026-12-03T10:00") == due(unit, ref, now)
    (entry,) = history(unit, Action.CALENDAR_CHANGED)
    assert "We are in Edinburgh" == entry["retroactive"]


def test_scotlands_second_of_january_moves_an_acknowledgement(unit: UnitFactory) -> None:
    # Logged Thu 31 Dec 2026 10:00. England: Thu 7h, (Fri 1 Jan), Mon 4 Jan 15, Tue 23,
    # Wed 09:00-10:00 → Wed 6 Jan. Scotland: 2 Jan is a Saturday, its holiday is observed
    # Mon 4 Jan → Thu 7 Jan 10:00.
    now = utc("2026-12-31T10:00")
    ref = log(unit, now)
    assert utc("2027-01-06T10:00") == due(unit, ref, now)
    change(unit, now, region="GB-SCT", reason="We are in Glasgow")
    assert utc("2027-01-07T10:00") == due(unit, ref, now)


def test_a_region_change_keeps_closure_days(unit: UnitFactory) -> None:
    now = utc("2026-11-27T10:00")
    with unit() as uow:
        services.add_closure(
            uow, day=date(2026, 12, 8), reason="Office move", by=SENIOR, at=now, now=now
        )
    change(unit, now, region="IE")
    with unit(write=False) as uow:
        closed = uow.calendar().closed_days
    assert "Office move (closure)" == closed[date(2026, 12, 8)]
    assert "Saint Stephen's Day (bank holiday)" == closed[date(2026, 12, 26)]


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("XX", "write a country code"),
        ("GB-XYZ", "GB's are GB, GB-ENG, GB-NIR, GB-SCT, GB-WLS"),
        ("GB-", "write a country code"),
        ("GB-ENG\x1b[2J", "is not a region"),
    ],
)
def test_a_region_the_holidays_package_does_not_know_is_refused(
    unit: UnitFactory, region: str, said: str
) -> None:
    with pytest.raises(InvalidInput, match="^--region ") as refused:
        change(unit, utc("2026-12-07T09:00"), region=region)
    assert said in str(refused.value)


# -- every change --------------------------------------------------------------------------


def test_a_change_that_changes_nothing_is_refused(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="the calendar already is that"):
        change(
            unit,
            utc("2026-12-07T09:00"),
            zone="Europe/London",
            hours="Mon - Fri 09:00-17:00",
            region="GB-ENG",
        )
    with pytest.raises(InvalidInput, match="give --zone, --hours or --region"):
        change(unit, utc("2026-12-07T09:00"))


@pytest.mark.parametrize(("region", "kept"), [("GBR-ENG", "GB-ENG"), ("irl", "IE")])
def test_a_region_is_kept_by_its_two_letter_code_however_typed(
    unit: UnitFactory, region: str, kept: str
) -> None:
    # The holidays package knows a country by its three-letter code too: the same region,
    # so the store keeps one name for it, and naming it again changes nothing.
    now = utc("2026-12-07T09:00")
    if kept != "GB-ENG":
        change(unit, now, region=region)
        with unit(write=False) as uow:
            assert kept == uow.calendar_setting().holiday_region
    with pytest.raises(InvalidInput, match="the calendar already is that"):
        change(unit, now, region=region)


def test_zone_hours_and_region_in_one_change_are_one_entry_and_one_recompute(
    unit: UnitFactory,
) -> None:
    now = utc("2026-12-07T09:00")
    ref = log(unit, now)
    moved = change(
        unit,
        now,
        zone="Europe/Dublin",
        hours="Mon-Fri 09:30-17:30",
        region="IE",
        reason="Moved to Dublin",
    )
    (entry,) = history(unit, Action.CALENDAR_CHANGED)
    assert {
        "old_zone",
        "new_zone",
        "old_hours",
        "new_hours",
        "old_region",
        "new_region",
        "known_from",
        "known_through",
        "source",
        "retroactive",
    } == set(entry)
    # Dublin's wall time is London's: logged Mon 09:00, counted from 09:30; 8h days, Mon, Tue,
    # Wed → Wed 9 Dec 17:30.
    assert [(ref, utc("2026-12-09T17:30"))] == [(m.ref, m.new_due) for m in moved.recomputed]
    assert 1 == len(history(unit, Action.RECOMPUTE))


def test_only_a_senior_role_may_change_the_calendar(unit: UnitFactory) -> None:
    with pytest.raises(NotPermitted):
        change(unit, utc("2026-12-07T09:00"), region="GB-SCT", by=STAFF)


def test_a_zone_that_puts_a_subject_access_request_on_another_day_needs_a_reason(
    unit: UnitFactory,
) -> None:
    # Received Tue 1 Dec 2026 02:00 UTC: 1 Dec in London, due a month on, 1 Jan 2027, a bank
    # holiday → Mon 4 Jan 23:59:59 GMT. In New York it came on Mon 30 Nov (21:00 EST): due
    # Wed 30 Dec 23:59:59 EST, 31 Dec 04:59:59 UTC.
    now = utc("2026-12-01T09:00")
    log(unit, utc("2026-11-30T10:00"))
    with unit() as uow:
        services.open_request(
            uow,
            email="ann@example.com",
            consumer_id=None,
            received_at=utc("2026-12-01T02:00"),
            by=SENIOR,
            at=now,
            now=now,
        )
    with pytest.raises(InvalidInput, match="counts the time already past differently"):
        change(unit, now, zone="America/New_York")
    moved = change(unit, now, zone="America/New_York", reason="Head office moved")
    assert [(utc("2027-01-04T23:59:59"), utc("2026-12-31T04:59:59"))] == [
        (m.old_due, m.new_due) for m in moved.recomputed if m.subject_access is not None
    ]


def test_a_dry_run_writes_nothing(unit: UnitFactory, store_url: str) -> None:
    now = utc("2026-12-07T09:00")
    log(unit, now)
    before = dump_store(store_url)
    dry = change(unit, now, zone="Europe/Dublin", hours="Mon-Sat 10:00-16:00", dry_run=True)
    assert dry.dry_run
    assert 1 == len(dry.recomputed)
    assert before == dump_store(store_url)


def test_hours_too_few_to_hold_a_deadline_are_refused(unit: UnitFactory) -> None:
    with pytest.raises(InvalidInput, match="^--hours opens for 5 minutes a week"):
        change(unit, utc("2026-12-07T09:00"), hours="Sun 00:00-00:05")


@pytest.mark.parametrize(
    ("option", "pasted"),
    [
        ("zone", "Europe/" + "x" * 100_000),
        ("region", "GB-" + "A" * 100_000),
        ("hours", "Mon 09:00-17:00; " + "Xyz" * 100_000 + " 09:00-17:00"),
        ("hours", "Mon 09:00-" + "1" * 100_000),
    ],
)
def test_a_refusal_names_a_pasted_value_cut_short(
    unit: UnitFactory, option: str, pasted: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^--{option} ") as refused:
        change(unit, utc("2026-12-07T09:00"), **{option: pasted})
    assert len(str(refused.value)) < 300


def test_saturday_opening_moves_a_final_response_in_working_days(unit: UnitFactory) -> None:
    # Escalated Mon 7 Dec 2026 10:00; 20 working days from Tue 8 Dec. England and Wales,
    # Mon-Fri: 8-11 (4), 14-18 (9), 21-24 (13), 25 and 28 closed, 29-31 (16), 1 Jan closed,
    # 4-7 Jan (20) → Thu 7 Jan 2027 17:00. With Saturdays 10:00-13:00: Sat 12 Dec (5),
    # 14-18 (10), Sat 19 (11), 21-24 (15), Sat 26 Dec is Boxing Day, 29-31 (18), Sat 2 Jan (19),
    # Mon 4 Jan (20) → Mon 4 Jan 2027 17:00.
    ref = journey.to_second_stage(unit)
    now = utc("2026-12-07T10:00")
    assert utc("2027-01-07T17:00") == journey.due(journey.show(unit, ref, now), "final")
    change(unit, now, hours="Mon-Fri 09:00-17:00; Sat 10:00-13:00")
    assert utc("2027-01-04T17:00") == journey.due(journey.show(unit, ref, now), "final")


def test_a_working_day_already_counted_differently_needs_a_reason(unit: UnitFactory) -> None:
    # Now Sat 12 Dec 12:00: with Saturday opening, today is a working day of the 20 counted.
    # Opening an hour later on weekdays moves nothing already past in working days: no reason.
    ref = journey.to_second_stage(unit)
    now = utc("2026-12-12T12:00")
    with pytest.raises(InvalidInput, match=f"differently for 1 open deadline \\({ref}\\)"):
        change(unit, now, hours="Mon-Fri 09:00-17:00; Sat 10:00-13:00")
    moved = change(unit, now, hours="Mon-Fri 10:00-17:00")
    assert [] == [m for m in moved.recomputed if m.kind == "final"]


# -- zone: the consumer's referral window --------------------------------------------------


def test_a_zone_change_moves_the_referral_window_to_its_wall_clock_time_in_the_new_zone(
    unit: UnitFactory,
) -> None:
    # The final response: Mon 4 Jan 2027 10:00 UTC, 10:00 GMT in London; 3 months on is
    # Sun 4 Apr 10:00 BST, 09:00 UTC. In Tokyo (no clock change) it was 19:00 JST, and 3
    # months on is 4 Apr 19:00 JST, 10:00 UTC: an hour more for the consumer.
    ref = journey.to_final(unit)
    now = utc("2027-01-05T10:00")
    assert utc("2027-04-04T09:00") == journey.due(journey.show(unit, ref, now), "referral-window")
    moved = change(unit, now, zone="Asia/Tokyo", reason="Head office in Tokyo")
    assert [(ref, utc("2027-04-04T09:00"), utc("2027-04-04T10:00"))] == [
        (m.ref, m.old_due, m.new_due) for m in moved.recomputed if m.kind == "referral-window"
    ]
    assert utc("2027-04-04T10:00") == journey.due(journey.show(unit, ref, now), "referral-window")
    # Recorded as the other recomputes are: `show --as-of` before it still reads the old due.
    assert utc("2027-04-04T09:00") == journey.due(
        journey.show(unit, ref, utc("2027-01-05T09:59")), "referral-window"
    )
    with unit(write=False) as uow:
        explained = explain_deadline(uow, ref=ref, kind="referral-window", as_of=now)
    assert (utc("2027-04-04T10:00"), utc("2027-04-04T10:00")) == (explained.rule_due, explained.due)
    assert not any("calendar has changed since" in note for note in explained.notes)


def test_a_zone_change_never_ends_a_referral_window_before_the_consumer_was_told(
    unit: UnitFactory,
) -> None:
    # Made in Tokyo: the final response told the consumer 4 Apr 19:00 JST (10:00 UTC). Back
    # to London, the rule gives 09:00 UTC; the window stays where the letter put it.
    change(unit, utc("2026-11-01T10:00"), zone="Asia/Tokyo")
    ref = journey.to_final(unit)
    now = utc("2027-01-05T10:00")
    moved = change(unit, now, zone="Europe/London", reason="Back to London")
    assert [] == [m for m in moved.recomputed if m.kind == "referral-window"]
    assert utc("2027-04-04T10:00") == journey.due(journey.show(unit, ref, now), "referral-window")
    with unit(write=False) as uow:
        explained = explain_deadline(uow, ref=ref, kind="referral-window", as_of=now)
    assert utc("2027-04-04T09:00") == explained.rule_due
    assert [
        "the calendar has changed since: on today's calendar the rule gives Sun 2027-04-04 "
        "10:00 BST, but Sun 2027-04-04 11:00 BST applied (the final response told the consumer "
        "they could refer until then, and their window is never cut short of that)"
    ] == [note for note in explained.notes if "calendar has changed since" in note]


def test_a_zone_change_moving_a_referral_window_needs_no_reason(unit: UnitFactory) -> None:
    # At 12:00 UTC, London and Tokyo count the day's time already past differently, but the
    # window's months are counted from the final response whatever came since: moving it asks
    # for no reason (--retroactive) of its own.
    ref = journey.to_final(unit)
    moved = change(unit, utc("2027-01-05T12:00"), zone="Asia/Tokyo")
    assert [ref] == [m.ref for m in moved.recomputed if m.kind == "referral-window"]


def test_explain_says_a_referred_window_kept_its_due_because_it_was_met(
    unit: UnitFactory,
) -> None:
    # Made in Tokyo, referred, then back to London: the window was met, not held at the date
    # the consumer was told.
    change(unit, utc("2026-11-01T10:00"), zone="Asia/Tokyo")
    ref = journey.to_final(unit)
    journey.act(unit, services.refer, ref=ref, late_reason=None, by="officer.one",
                at=utc("2027-01-04T11:00"))  # fmt: skip
    now = utc("2027-01-05T10:00")
    change(unit, now, zone="Europe/London", reason="Back to London")
    with unit(write=False) as uow:
        explained = explain_deadline(uow, ref=ref, kind="referral-window", as_of=now)
    assert [
        "the calendar has changed since: on today's calendar the rule gives Sun 2027-04-04 "
        "10:00 BST, but Sun 2027-04-04 11:00 BST applied (a deadline already met or breached "
        "keeps its value)"
    ] == [note for note in explained.notes if "calendar has changed since" in note]


def test_a_final_response_letter_after_a_zone_change_gives_the_date_the_response_recorded(
    unit: UnitFactory,
) -> None:
    # London to Tokyo moved the window later (4 Apr 19:00 JST, 10:00 UTC). A letter made after
    # it still gives the date the final response recorded (09:00 UTC, 18:00 JST): the window
    # never ends before that, whatever zone comes next, where a later hour told by a letter
    # could be taken back by another change, as going back to London takes it back.
    ref = journey.to_final(unit)
    now = utc("2027-01-05T10:00")
    change(unit, now, zone="Asia/Tokyo", reason="Head office in Tokyo")
    assert utc("2027-04-04T10:00") == journey.due(journey.show(unit, ref, now), "referral-window")
    in_tokyo = letter(unit, ref, "final-response", at=now)
    assert "6pm on Sunday 4 April 2027" == in_tokyo.facts["refer_by"]

    later = utc("2027-01-06T10:00")
    change(unit, later, zone="Europe/London", reason="Back to London")
    assert utc("2027-04-04T09:00") == journey.due(journey.show(unit, ref, later), "referral-window")
    in_london = letter(unit, ref, "final-response", at=later)
    assert "10am on Sunday 4 April 2027" == in_london.facts["refer_by"]


def test_the_zone_names_are_read_once_however_many_zones_are_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zoneinfo lists the zones by opening every file of the tz database (some 600): a
    process checking many zones (the live view, a script's many stores) reads it once."""
    import zoneinfo

    from complaintctl.services import calendar

    read: list[int] = []
    real = zoneinfo.available_timezones

    def counted() -> set[str]:
        read.append(1)
        return real()

    monkeypatch.setattr(zoneinfo, "available_timezones", counted)
    calendar.known_zones.cache_clear()
    try:
        choices = [services.new_store_calendar(services.CalendarWanted(zone=zone))
                   for zone in ("europe/dublin", "Europe/London", "America/New_York")]  # fmt: skip
    finally:
        calendar.known_zones.cache_clear()  # the real list, for the tests after this one

    assert ["Europe/Dublin", "Europe/London", "America/New_York"] == [c.zone for c in choices]
    assert 1 == len(read)
