"""The queue at the service layer: what is listed, in which order, in which state, and every
filter; and `overdue` with `due_within`. Every instant is explicit (no clock is read).

The week of Mon 30 Nov 2026 is in winter: London wall time is UTC. Working time is Monday to
Friday 09:00-17:00 (MODEL.md, "Working time"); 24 working hours are three working days.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text as sa_text

from complaintctl import services
from complaintctl.domain.procedure import (
    ActionKind,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    RestrictionScope,
    Role,
)
from complaintctl.errors import InvalidInput, NotFound, StoreDamaged
from complaintctl.services.export import export_cases
from complaintctl.store.db import open_engine, resolve_url
from complaintctl.store.schema import ensure_schema
from complaintctl.store.uow import UnitOfWork
from complaintctl.views import OverdueReport, QueueItem, QueueReport, overdue_json
from tests.conftest import STORE_CREATED, UnitFactory, seed_team

# Friday 4 December 2026, 16:00: an hour before the weekend.
AS_OF = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
NOW = AS_OF


def t(text: str) -> datetime:
    """Winter test instants: London wall time is UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hm(hours: int, minutes: int = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes)


def act(unit: UnitFactory, verb: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("now", NOW)
    with unit() as uow:
        return verb(uow, **kwargs)


def log(unit: UnitFactory, consumer: str, at: str, **changes: Any) -> str:
    fields: dict[str, Any] = {
        "consumer": consumer,
        "email": consumer.split()[0].lower() + "@example.com",
        "channel": Channel.EMAIL,
        "category": Category.DELAY,
        "summary": f"{consumer.split()[0]}'s complaint",
    }
    fields.update(changes)
    view = act(
        unit,
        services.log_complaint,
        complaint=services.NewComplaint(**fields),
        by="officer.one",
        at=t(at),
    )
    ref: str = view.ref
    return ref


def ack(unit: UnitFactory, ref: str, area: str, at: str) -> None:
    act(unit, services.acknowledge, ref=ref, area=area, by="officer.one", at=t(at))


def assign(unit: UnitFactory, ref: str, to: str, by: str, at: str) -> None:
    act(unit, services.assign, ref=ref, to=to, by=by, at=t(at))


def respond(unit: UnitFactory, ref: str, by: str, at: str) -> None:
    act(
        unit,
        services.respond,
        ref=ref,
        decision=Decision.NOT_UPHELD,
        summary="We did reply",
        remedies=services.Remedies(),
        by=by,
        at=t(at),
    )


def escalate(unit: UnitFactory, ref: str, to: str, at: str) -> None:
    act(unit, services.escalate, ref=ref, to=to, reason=None, by="officer.one", at=t(at))


def final(unit: UnitFactory, ref: str, by: str, at: str) -> None:
    act(
        unit,
        services.final_response,
        ref=ref,
        decision=Decision.UPHELD,
        summary="We were slow",
        remedies=services.Remedies(),
        by=by,
        at=t(at),
    )


def make_cases(unit: UnitFactory) -> dict[str, str]:
    """Ten cases, by consumer's first name. As of Fri 4 Dec 16:00 the open ones are:

    - Ann, received Mon 10:00: acknowledgement due Thu 10:00, breached by 14h working.
    - Dev, acknowledged Tue 09:30 to Casework, assigned to rita: response due Fri 09:30,
      breached by 6h 30m; restricted (contact only via officer.two).
    - Bob, received Wed 10:00, large print: acknowledgement due Mon 7 Dec 10:00, 2h left.
    - Cara, received Wed 14:00, to the Board: due Mon 7 Dec 14:00, 6h left.
    - Ella, acknowledged Thu 10:00 to Energy, unassigned: response due Tue 8 Dec 10:00, 10h left.
    - Gail, to the Board, escalated Tue 09:00 to hana: final response due Thu 31 Dec 17:00.
    - Finn, responded to by ruth: waiting on the consumer.
    - Ivy, final response given by sam: waiting on the consumer (only the referral window runs).

    Hugh's case is closed (withdrawn) and Jon's assessed.
    """
    refs: dict[str, str] = {}
    refs["Ann"] = log(unit, "Ann Smith", "2026-11-30T10:00")
    refs["Bob"] = log(unit, "Bob Jones", "2026-12-02T10:00", adjustments=("large-print",))
    refs["Cara"] = log(unit, "Cara Patel", "2026-12-02T14:00", board=True)

    refs["Dev"] = ref = log(unit, "Dev Shah", "2026-11-30T11:00", category=Category.UPDATES)
    ack(unit, ref, "Casework", "2026-12-01T09:30")
    assign(unit, ref, "rita.responder", "lee.leader", "2026-12-01T10:00")
    act(
        unit,
        services.restrict,
        email="dev@example.com",
        consumer_id=None,
        scope=RestrictionScope.CONTACT,
        reason="Abusive calls",
        review=None,
        dispute=None,
        channel=None,
        via="officer.two",
        by="sam.senior",
        at=t("2026-12-01T12:00"),
    )

    refs["Ella"] = ref = log(unit, "Ella Brown", "2026-12-03T09:00", category=Category.EXPLANATION)
    ack(unit, ref, "Energy", "2026-12-03T10:00")

    refs["Finn"] = ref = log(unit, "Finn Gray", "2026-11-30T09:00")
    ack(unit, ref, "Casework", "2026-11-30T12:00")
    assign(unit, ref, "ruth.responder", "lee.leader", "2026-11-30T13:00")
    respond(unit, ref, "ruth.responder", "2026-12-01T10:00")

    refs["Gail"] = ref = log(unit, "Gail Green", "2026-11-30T09:30", board=True)
    ack(unit, ref, "Casework", "2026-11-30T10:00")
    assign(unit, ref, "rita.responder", "lee.leader", "2026-11-30T10:30")
    respond(unit, ref, "rita.responder", "2026-11-30T15:00")
    escalate(unit, ref, "hana.handler", "2026-12-01T09:00")

    refs["Hugh"] = ref = log(unit, "Hugh Hall", "2026-12-01T10:00")
    act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=None,
        by="officer.one",
        at=t("2026-12-01T11:00"),
    )

    for name in ("Ivy", "Jon"):
        refs[name] = ref = log(unit, f"{name} King", "2026-11-30T09:05")
        ack(unit, ref, "Energy", "2026-11-30T09:10")
        assign(unit, ref, "eve.energy", "lena.leader", "2026-11-30T09:15")
        respond(unit, ref, "eve.energy", "2026-11-30T09:20")
        escalate(unit, ref, "sam.senior", "2026-11-30T09:25")
        final(unit, ref, "sam.senior", "2026-11-30T09:30")
    act(
        unit,
        services.refer,
        ref=refs["Jon"],
        late_reason=None,
        by="officer.two",
        at=t("2026-11-30T09:35"),
    )
    act(
        unit,
        services.record_outcome,
        ref=refs["Jon"],
        outcome=AssessorOutcome.NOT_UPHELD,
        recommendation=None,
        by="officer.two",
        at=t("2026-11-30T09:40"),
    )
    return refs


@pytest.fixture(scope="module")
def shared_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[UnitFactory, dict[str, str]]]:
    """One store with the ten cases for the tests that only read it: building it is slow."""
    path = tmp_path_factory.mktemp("queue") / "complaints.sqlite3"
    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write)

    seed_team(factory)
    yield factory, make_cases(factory)
    engine.dispose()


@pytest.fixture
def store(shared_store: tuple[UnitFactory, dict[str, str]]) -> UnitFactory:
    return shared_store[0]


@pytest.fixture
def cases(shared_store: tuple[UnitFactory, dict[str, str]]) -> dict[str, str]:
    return shared_store[1]


def queue(unit: UnitFactory, as_of: datetime = AS_OF, **filters: Any) -> QueueReport:
    with unit(write=False) as uow:
        return services.queue(uow, as_of=as_of, **filters)


def names(refs: dict[str, str], report: QueueReport) -> list[str]:
    by_ref = {ref: name for name, ref in refs.items()}
    return [by_ref[item.ref] for item in report.items]


def item_of(report: QueueReport, ref: str) -> QueueItem:
    return next(item for item in report.items if item.ref == ref)


# -- order and state ---------------------------------------------------------------------


def test_the_queue_lists_open_cases_most_urgent_first_and_waiting_cases_last(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = queue(store)
    assert [
        ("Ann", "acknowledge", t("2026-12-03T10:00"), "breached", -hm(14)),
        ("Dev", "respond", t("2026-12-04T09:30"), "breached", -hm(6, 30)),
        ("Bob", "acknowledge", t("2026-12-07T10:00"), "due-soon", hm(2)),
        ("Cara", "acknowledge", t("2026-12-07T14:00"), "on-track", hm(6)),
        ("Ella", "respond", t("2026-12-08T10:00"), "on-track", hm(10)),
        # Fri 1h; 7-11 Dec 40h; 14-18 Dec 40h; 21-24 Dec 32h; 29-31 Dec 24h.
        ("Gail", "final", t("2026-12-31T17:00"), "on-track", hm(137)),
        ("Finn", None, None, "waiting", timedelta(0)),
        ("Ivy", None, None, "waiting", timedelta(0)),
    ] == [
        (name, item.kind, item.due, item.state, item.working_left)
        for name, item in zip(names(cases, report), report.items, strict=True)
    ]


def test_the_queue_report_carries_its_instant_zone_warning_window_and_counts(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = queue(store)
    assert ("Europe/London", AS_OF, hm(4), (), 8, 2, 1, 3, 2) == (
        report.zone,
        report.as_of,
        report.warn_within,
        report.warnings,
        len(report.items),
        report.count("breached"),
        report.count("due-soon"),
        report.count("on-track"),
        report.count("waiting"),
    )


def test_a_queue_item_carries_the_case_its_owner_and_its_next_deadline(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    expected = QueueItem(
        ref=cases["Dev"],
        consumer="Dev Shah",
        adjustments=(),
        restricted=True,
        stage="first-stage",
        area="Casework",
        owner="rita.responder",
        category="updates",
        board=False,
        received_at=t("2026-11-30T11:00"),
        summary="Dev's complaint",
        kind="respond",
        due=t("2026-12-04T09:30"),
        state="breached",
        working_left=-hm(6, 30),
        version=2,  # acknowledged, assigned
        consumer_id=4,  # the fourth consumer logged
        email="dev@example.com",
    )
    assert expected == item_of(queue(store), cases["Dev"])


def test_the_owner_is_the_second_stage_handler_once_escalated(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = queue(store)
    assert [
        ("Dev", "rita.responder"),
        ("Ella", None),
        ("Gail", "hana.handler"),
        ("Finn", "ruth.responder"),
        ("Ivy", "sam.senior"),
    ] == [
        (name, item.owner)
        for name, item in zip(names(cases, report), report.items, strict=True)
        if name in ("Dev", "Ella", "Gail", "Finn", "Ivy")
    ]


def test_closed_and_assessed_cases_are_never_listed(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    listed = {item.ref for item in queue(store).items}
    assert set() == listed & {cases["Hugh"], cases["Jon"]}


def test_asking_the_queue_for_closed_or_assessed_cases_is_refused_saying_where_they_are(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput, match="never in the queue.*export --stage"):
        queue(store, stages=["closed", "assessed"])
    # Named beside an open stage, they are left out.
    assert names(cases, queue(store, stages=["received"])) == names(
        cases, queue(store, stages=["closed", "received"])
    )


# Bob's acknowledgement is due Mon 7 Dec 10:00; the warning window is 4 working hours.
@pytest.mark.parametrize(
    ("as_of", "state", "left"),
    [
        # Fri 13:59: Fri 3h 1m + Mon 1h = 4h 1m: one minute more than the window.
        (t("2026-12-04T13:59"), "on-track", hm(4, 1)),
        # Fri 14:00: exactly the window.
        (t("2026-12-04T14:00"), "due-soon", hm(4)),
        # Saturday: the weekend uses no working time.
        (t("2026-12-05T12:00"), "due-soon", hm(1)),
        # Due now is not yet breached.
        (t("2026-12-07T10:00"), "due-soon", timedelta(0)),
        # A minute past due is.
        (t("2026-12-07T10:01"), "breached", -hm(0, 1)),
    ],
)
def test_a_case_turns_due_soon_at_the_warning_window_and_breached_only_after_its_due(
    store: UnitFactory, cases: dict[str, str], as_of: datetime, state: str, left: timedelta
) -> None:
    item = item_of(queue(store, as_of), cases["Bob"])
    assert (state, left) == (item.state, item.working_left)


def test_the_warning_window_may_be_set_in_working_days(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = queue(store, warn_within="1d")
    assert (hm(8), ["due-soon", "due-soon", "on-track"]) == (
        report.warn_within,
        [item_of(report, cases[n]).state for n in ("Bob", "Cara", "Ella")],
    )


def test_a_case_waiting_on_the_consumer_stays_waiting_whenever_it_is_asked(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    item = item_of(queue(store, t("2027-03-01T12:00")), cases["Finn"])
    assert ("waiting", None, None, timedelta(0)) == (
        item.state,
        item.kind,
        item.due,
        item.working_left,
    )


# -- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stages": ["received"]}, ["Ann", "Bob", "Cara"]),
        ({"stages": ["responded", "final-response"]}, ["Finn", "Ivy"]),
        ({"stages": ["second-stage"]}, ["Gail"]),
        ({"area": "Casework"}, ["Dev", "Gail", "Finn"]),
        ({"area": "Energy"}, ["Ella", "Ivy"]),
        ({"owner": "rita.responder"}, ["Dev"]),
        ({"owner": "hana.handler"}, ["Gail"]),
        ({"owner": "ruth.responder"}, ["Finn"]),
        ({"unassigned": True}, ["Ann", "Bob", "Cara", "Ella"]),
        ({"breached": True}, ["Ann", "Dev"]),
        ({"category": "updates"}, ["Dev"]),
        ({"category": "explanation"}, ["Ella"]),
        ({"board": True}, ["Cara", "Gail"]),
        ({"board": False}, ["Ann", "Dev", "Bob", "Ella", "Finn", "Ivy"]),
        ({"area": "Casework", "breached": True}, ["Dev"]),
        ({"unassigned": True, "board": True}, ["Cara"]),
    ],
)
def test_each_filter_keeps_only_the_cases_it_names(
    store: UnitFactory, cases: dict[str, str], filters: dict[str, Any], expected: list[str]
) -> None:
    assert expected == names(cases, queue(store, **filters))


@pytest.mark.parametrize(
    ("due_within", "expected"),
    [
        # Fri 16:00 + 1h is Friday's close.
        ("1h", ["Ann", "Dev"]),
        # Fri 16:00 + 2h is Mon 10:00: Bob, due then, is in.
        ("2h", ["Ann", "Dev", "Bob"]),
        ("5h59m", ["Ann", "Dev", "Bob"]),
        # Mon 14:00: Cara, due then, is in.
        ("6h", ["Ann", "Dev", "Bob", "Cara"]),
        # A working day: Mon 16:00.
        ("1d", ["Ann", "Dev", "Bob", "Cara"]),
        # Tue 10:00.
        ("1d 2h", ["Ann", "Dev", "Bob", "Cara", "Ella"]),
        # Already breached cases are due within any window, even none.
        ("0m", ["Ann", "Dev"]),
    ],
)
def test_due_within_counts_working_time_and_keeps_what_has_already_breached(
    store: UnitFactory, cases: dict[str, str], due_within: str, expected: list[str]
) -> None:
    assert expected == names(cases, queue(store, due_within=due_within))


def test_due_within_never_keeps_a_case_waiting_on_the_consumer(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    listed = names(cases, queue(store, due_within="100d"))
    assert (True, False, False) == ("Gail" in listed, "Finn" in listed, "Ivy" in listed)


# -- flags ---------------------------------------------------------------------------------


def test_items_flag_adjustments_restrictions_and_the_board(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = queue(store)
    assert {
        "Ann": ((), False, False),
        "Dev": ((), True, False),
        "Bob": (("large-print",), False, False),
        "Cara": ((), False, True),
        "Ella": ((), False, False),
        "Gail": ((), False, True),
        "Finn": ((), False, False),
        "Ivy": ((), False, False),
    } == {
        name: (item.adjustments, item.restricted, item.board)
        for name, item in zip(names(cases, report), report.items, strict=True)
    }


def test_a_lifted_restriction_no_longer_flags_the_consumer(unit: UnitFactory) -> None:
    cases = make_cases(unit)
    with unit(write=False) as uow:
        (restriction,) = services.list_restrictions(uow, include_lifted=False)
    act(
        unit,
        services.lift,
        restriction_id=restriction.id,
        reason="Reviewed",
        by="sam.senior",
        at=t("2026-12-04T15:00"),
    )
    assert False is item_of(queue(unit), cases["Dev"]).restricted


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "option"),
    [
        ({"due_within": "soon"}, "--due-within"),
        ({"due_within": "4"}, "--due-within"),
        ({"due_within": "-4h"}, "--due-within"),
        ({"warn_within": "4x"}, "--warn-within"),
    ],
)
def test_a_duration_that_cannot_be_read_is_invalid_input_naming_its_option(
    store: UnitFactory, cases: dict[str, str], filters: dict[str, Any], option: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{option}: .* is not a duration"):
        queue(store, **filters)


# -- overdue with due_within ---------------------------------------------------------------


def overdue(unit: UnitFactory, **options: Any) -> OverdueReport:
    with unit(write=False) as uow:
        return services.overdue(uow, as_of=AS_OF, **options)


def test_overdue_without_due_within_lists_only_what_is_past_due(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    assert [cases["Ann"], cases["Dev"]] == [item.ref for item in overdue(store).items]


def test_overdue_due_within_also_lists_what_falls_due_soon_with_negative_lateness(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    report = overdue(store, due_within="4h")
    assert [
        (cases["Ann"], "acknowledge", hm(14), timedelta(days=1, hours=6)),
        (cases["Dev"], "respond", hm(6, 30), hm(6, 30)),
        # Due Mon 10:00: 2h of working time away, 2d 18h of calendar time.
        (cases["Bob"], "acknowledge", -hm(2), -timedelta(days=2, hours=18)),
    ] == [(i.ref, i.kind, i.late_working, i.late_calendar) for i in report.items]


def test_overdue_json_marks_the_items_not_yet_due_as_due_soon(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    assert [
        ("breached", "14h", 840),
        ("breached", "6h 30m", 390),
        ("due-soon", "-2h", -120),
    ] == [
        (item["state"], item["late_working"], item["late_working_minutes"])
        for item in overdue_json(overdue(store, due_within="4h"))
    ]


def test_overdue_due_within_keeps_a_deadline_at_the_very_end_of_the_window_as_queue_does(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    # Fri 16:00 + 2h of working time is Mon 10:00, when Bob's acknowledgement is due: the
    # queue keeps it with the same --due-within (above).
    assert [cases["Ann"], cases["Dev"], cases["Bob"]] == [
        i.ref for i in overdue(store, due_within="2h").items
    ]


def test_overdue_due_within_a_bad_duration_is_invalid_input(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput, match="^--due-within: 'tomorrow' is not a duration"):
        overdue(store, due_within="tomorrow")


def test_a_filter_naming_an_area_or_owner_that_does_not_exist_is_refused(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput, match="no staff work in 'Nowhere'.*the areas are Casework"):
        queue(store, area="Nowhere")
    with pytest.raises(NotFound, match="no staff member 'nobody'"):
        queue(store, owner="nobody")


def test_unassigned_beside_an_owner_is_refused_as_matching_nothing(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    # No case is both owned by rita.responder and owned by nobody: an empty queue would read as
    # nothing to do.
    message = "^--unassigned lists the cases nobody owns, so none is also owned by rita.responder"
    with pytest.raises(InvalidInput, match=message):
        queue(store, owner="rita.responder", unassigned=True)
    with pytest.raises(InvalidInput, match=message), store(write=False) as uow:
        export_cases(uow, owner="rita.responder", unassigned=True)


@pytest.mark.parametrize("typed", ["énergie", "ÉNERGIE", "E\u0301nergie", "Énergie"])
def test_an_area_only_cases_are_routed_to_matches_in_any_case_beyond_ascii(
    unit: UnitFactory, typed: str
) -> None:
    # Routed to Énergie while a member worked there, who has moved since: no staff work in it,
    # and SQLite's lower() would fold only the ASCII letters (`énergie` never met `Énergie`).
    refs = make_cases(unit)
    act(unit, services.add_staff, username="zoe.officer", name="Zoe Officer",
        role=Role.OFFICER, area="Énergie", by="sam.senior", at=t("2026-11-30T09:00"))  # fmt: skip
    ack(unit, refs["Ann"], "Énergie", "2026-12-01T09:00")
    act(unit, services.change_role, username="zoe.officer", role=Role.OFFICER, area="Casework",
        by="sam.senior", at=t("2026-12-01T09:30"))  # fmt: skip

    assert ["Ann"] == names(refs, queue(unit, area=typed))
    with unit(write=False) as uow:
        exported = [row["ref"] for row in export_cases(uow, area=typed)]
    assert [refs["Ann"]] == exported


def test_an_area_filter_typed_with_spaces_around_it_is_that_area_as_ack_takes_it(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    # `ack --area " Casework "` routes to Casework; a script's "$AREA " is the same area in a
    # listing, not one that "no staff work in".
    assert names(cases, queue(store, area="Casework")) == names(
        cases, queue(store, area="  casework ")
    )
    with store(write=False) as uow:
        assert [row["ref"] for row in export_cases(uow, area="Casework")] == [
            row["ref"] for row in export_cases(uow, area="\tCasework  ")
        ]


def test_an_area_filter_is_refused_while_no_member_of_staff_has_an_area(
    empty_unit: UnitFactory,
) -> None:
    with pytest.raises(InvalidInput, match="no staff work in 'Nowhere'.*no member of staff"):
        queue(empty_unit, area="Nowhere")


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_owner_or_area_is_refused_as_empty_not_looked_up(
    store: UnitFactory, cases: dict[str, str], empty: str
) -> None:
    # As any option given empty (a variable not set): exit 2, never "no staff member ''".
    with pytest.raises(InvalidInput, match="^--owner must not be empty"):
        queue(store, owner=empty)
    with pytest.raises(InvalidInput, match="^--area must not be empty"):
        queue(store, area=empty)
    with pytest.raises(InvalidInput, match="^--owner must not be empty"), store() as uow:
        export_cases(uow, owner=empty)
    with pytest.raises(InvalidInput, match="^--owner must not be empty"), store() as uow:
        services.list_actions(uow, as_of=AS_OF, owner=empty)


def test_an_owner_typed_in_capitals_is_the_member_of_staff(
    store: UnitFactory, cases: dict[str, str]
) -> None:
    assert ["Dev"] == names(cases, queue(store, owner="Rita.Responder"))


def test_due_within_keeps_an_agreed_deadline_outside_working_hours_with_that_much_time_left(
    unit: UnitFactory,
) -> None:
    # Fri 11 Dec 16:00 + 1h of working time is Friday's close; an agreed deadline of Saturday
    # noon has the same hour of working time left, so it is due within 1h as Friday 17:00 is.
    cases = make_cases(unit)
    act(
        unit,
        services.extend,
        ref=cases["Ella"],
        until=t("2026-12-12T12:00"),
        reason="Agreed with the consumer",
        by="lena.leader",
        at=t("2026-12-04T15:00"),
    )
    friday = t("2026-12-11T16:00")

    def listed(due_within: str) -> tuple[bool, bool]:
        with unit(write=False) as uow:
            queued = services.queue(uow, as_of=friday, due_within=due_within).items
            late = services.overdue(uow, as_of=friday, due_within=due_within).items
        return (
            cases["Ella"] in [item.ref for item in queued],
            cases["Ella"] in [item.ref for item in late],
        )

    assert (True, True) == listed("1h")
    # A minute less and it is not.
    assert (False, False) == listed("59m")


def test_queue_as_of_gives_each_due_as_recorded_then_as_show_as_of_does(unit: UnitFactory) -> None:
    # Thursday closed from Monday: Ann's acknowledgement, received Tue 10:00, is due on
    # Mon 7 Dec 10:00; the closure taken back on Wed at noon moves it to Fri 4 Dec 10:00.
    monday, wednesday = t("2026-11-30T09:00"), t("2026-12-02T12:00")
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=monday, now=monday)  # fmt: skip
    complaint = services.NewComplaint(
        consumer="Ann Example", email="ann@example.com", channel=Channel.EMAIL,
        category=Category.DELAY, summary="Ann's complaint",
    )  # fmt: skip
    ref = act(unit, services.log_complaint, complaint=complaint, by="officer.one",
              at=t("2026-12-01T10:00"), now=t("2026-12-01T10:00")).ref  # fmt: skip
    act(unit, services.remove_closure, day=date(2026, 12, 3), by="sam.senior",
        at=wednesday, now=wednesday)  # fmt: skip
    before = t("2026-12-02T11:00")

    then = item_of(queue(unit, before, as_recorded=True), ref)
    with unit(write=False) as uow:
        shown = services.show_case(uow, ref=ref, as_of=before, as_recorded=True)

    assert t("2026-12-07T10:00") == then.due == shown.deadlines[0].due
    assert t("2026-12-04T10:00") == item_of(queue(unit, t("2026-12-02T12:30")), ref).due
    # 20 working hours from Wed 11:00 reach Fri 15:00: the due then (Monday) is not within.
    assert () == queue(unit, before, due_within="20h", as_recorded=True).items
    # Now, not a time asked for: the due stored, however a colleague's clock dated its move.
    assert t("2026-12-04T10:00") == item_of(queue(unit, before), ref).due


@pytest.mark.parametrize("new_due", ["garbage", None, "2026-12-04T10:00:00"])
def test_a_move_whose_due_was_changed_by_hand_is_a_damaged_store_not_a_traceback(
    unit: UnitFactory, new_due: str | None
) -> None:
    # A recompute's details still JSON, but its due no instant (or one with no offset).
    monday, wednesday = t("2026-11-30T09:00"), t("2026-12-02T12:00")
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=monday, now=monday)  # fmt: skip
    log(unit, "Ann Example", "2026-12-01T10:00")
    act(unit, services.remove_closure, day=date(2026, 12, 3), by="sam.senior",
        at=wednesday, now=wednesday)  # fmt: skip
    changed = {"kind": "acknowledge", "new_due": new_due, "old_due": "2026-12-07T10:00:00+00:00"}
    with unit() as uow:
        uow.session.connection().execute(
            sa_text("UPDATE event SET details = :details WHERE action = 'deadline-recomputed'"),
            {"details": json.dumps(changed)},
        )
        uow.commit()

    with pytest.raises(StoreDamaged, match="is not an instant"):
        queue(unit, t("2026-12-02T11:00"), as_recorded=True)


def test_overdue_as_of_due_within_takes_each_due_as_recorded_then_as_queue_does(
    unit: UnitFactory,
) -> None:
    # Ann's acknowledgement, received Tue 10:00, is due Fri 4 Dec 10:00, and an action on her
    # case opened then within 16 working hours is due Thu 17:00; until Thursday is closed on
    # Wed at noon (Mon 7 Dec 10:00, Fri 17:00).
    ref = log(unit, "Ann Example", "2026-12-01T10:00")
    tuesday = t("2026-12-01T10:00")
    act(unit, services.add_action, ref=ref, kind=ActionKind.REMEDY, what="Pay £10",
        owner="officer.one", due=None, within="16h", by="officer.one", at=tuesday,
        now=tuesday)  # fmt: skip
    wednesday, before = t("2026-12-02T12:00"), t("2026-12-02T11:00")
    act(unit, services.add_closure, day=date(2026, 12, 3), reason="Office move",
        by="sam.senior", at=wednesday, now=wednesday)  # fmt: skip

    def listed(due_within: str, as_of: datetime = before) -> list[tuple[str, datetime]]:
        with unit(write=False) as uow:
            report = services.overdue(uow, as_of=as_of, due_within=due_within,
                                      as_recorded=True)  # fmt: skip
        for item in report.items:
            assert as_of - item.due == item.late_calendar
        return [(item.kind, item.due) for item in report.items]

    shown = queue(unit, before, due_within="12h", as_recorded=True)
    assert [(ref, t("2026-12-04T10:00"))] == [(item.ref, item.due) for item in shown.items]
    # 12 working hours from Wed 11:00 reach Fri 15:00, Thursday closed: the acknowledgement
    # due then (Friday 10:00) and the action due then (Thursday 17:00) are within, not the
    # dues they have now (Monday 10:00, Friday 17:00).
    assert [("action", t("2026-12-03T17:00")), ("acknowledge", t("2026-12-04T10:00"))] == listed(
        "12h"
    )
    # 6 working hours reach Wed 17:00, then Friday's opening: the action due then is within.
    assert [("action", t("2026-12-03T17:00"))] == listed("6h")
    # Once the closure is on record, the dues are those it gave.
    assert [("action", t("2026-12-04T17:00"))] == listed("8h", t("2026-12-04T09:30"))


def test_overdue_as_of_due_within_takes_a_request_due_as_recorded_then(unit: UnitFactory) -> None:
    # Ann's request, received Mon 2 Nov, is due at the end of Wed 2 Dec; extended on Tue 1
    # Dec by two months.
    log(unit, "Ann Example", "2026-11-02T09:00")
    received = t("2026-11-02T10:00")
    sar = act(unit, services.open_request, email="ann@example.com", consumer_id=None,
              received_at=received, by="officer.one", at=received, now=received).id  # fmt: skip
    act(unit, services.extend_request, sar_id=sar, months=2, reason="Many records",
        by="sam.senior", at=t("2026-12-01T10:00"), now=t("2026-12-01T10:00"))  # fmt: skip
    monday = t("2026-11-30T09:00")

    def listed(as_of: datetime, as_recorded: bool = True) -> list[tuple[str, datetime]]:
        with unit(write=False) as uow:
            report = services.overdue(uow, as_of=as_of, due_within="24h", kinds=[
                "subject-access"], as_recorded=as_recorded)  # fmt: skip
        return [(item.kind, item.due) for item in report.items]

    # 24 working hours from Mon 09:00 reach Thu 09:00: the request was due within them.
    [(kind, due)] = listed(monday)
    assert ("subject-access", t("2026-12-02T23:59:59")) == (kind, due)
    # Now, not a time asked for: the due stored.
    assert [] == listed(monday, as_recorded=False)
    assert [] == listed(t("2026-12-01T11:00"))
