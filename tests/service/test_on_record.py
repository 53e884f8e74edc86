"""What is on record stays on record: a breach once reported stays reported, whatever a later
step is dated or a later calendar change moves; calendar changes are a senior's, and reaching
back into the past needs a reason.

Each step here is recorded at an explicit `now`, which may be later than its --at (`at`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintctl import services
from complaintctl.domain.procedure import CloseReason, Decision
from complaintctl.errors import ActionNotAllowed, ComplaintError, InvalidInput, NotPermitted
from complaintctl.store.db import open_engine, resolve_url
from complaintctl.store.schema import ensure_schema
from complaintctl.store.uow import UnitOfWork
from complaintctl.views import CalendarChange
from tests.conftest import POSTGRES, STORE_CREATED, UnitFactory, dump_store, examples
from tests.service.journey import act, log, t

# Mon 30 Nov 2026 10:00: the acknowledgement is due Thu 3 Dec 10:00.
LOGGED = t("2026-11-30T10:00")
ACK_DUE = t("2026-12-03T10:00")


def overdue_now(unit: UnitFactory, as_of: datetime) -> set[tuple[str | None, str]]:
    with unit(write=False) as uow:
        return {(i.ref, i.kind) for i in services.overdue(uow, as_of=as_of).items}


# -- steps dated before a deadline that had passed when they were recorded -----------------


def test_an_acknowledgement_recorded_after_its_deadline_is_met_late_whatever_its_date(
    unit: UnitFactory,
) -> None:
    ref = log(unit, LOGGED)
    breach_seen = t("2026-12-03T12:00")
    assert {(ref, "acknowledge")} == overdue_now(unit, breach_seen)
    recorded = t("2026-12-04T09:30")

    view = act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-02T15:00"),  # before the deadline, but recorded after it
        now=recorded,
    )

    clock = next(d for d in view.deadlines if d.kind == "acknowledge")
    entry = view.history[-1]
    assert (recorded, True) == (clock.ended_at, clock.breached)
    assert (False, ["acknowledge"], t("2026-12-02T15:00")) == (
        entry.details["on_time"],
        entry.details["recorded_after_deadline"],
        entry.at,
    )
    assert "had passed before this was recorded" in view.warnings[0]
    # The breach seen then is still reported for then.
    assert {(ref, "acknowledge")} == overdue_now(unit, breach_seen)


@pytest.mark.parametrize("action", ["ack", "close"])
def test_a_step_dated_after_its_deadline_does_not_warn_it_was_dated_in_time(
    unit: UnitFactory, action: str
) -> None:
    """The "had passed before this was recorded" warning is for a step dated before its
    deadline; one dated after it was late when it happened, and says nothing of the kind."""
    ref = log(unit, LOGGED)
    common = {
        "ref": ref,
        "by": "officer.one",
        "at": t("2026-12-04T15:00"),
        "now": t("2026-12-07T10:00"),
    }
    if action == "ack":
        view = act(unit, services.acknowledge, area="Casework", **common)
    else:
        view = act(
            unit, services.close, reason=CloseReason.WITHDRAWN, because=None, note=None, **common
        )
    assert not [w for w in view.warnings if "had passed before this was recorded" in w]


def test_an_acknowledgement_recorded_before_its_deadline_passes_is_on_time(
    unit: UnitFactory,
) -> None:
    ref = log(unit, LOGGED)
    view = act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-02T15:00"),
        now=ACK_DUE,  # recorded in the very minute it falls due: not breached yet
    )
    clock = next(d for d in view.deadlines if d.kind == "acknowledge")
    assert (t("2026-12-02T15:00"), False) == (clock.ended_at, clock.breached)


def test_closing_a_case_dated_before_a_passed_deadline_stops_its_clock_when_recorded(
    unit: UnitFactory,
) -> None:
    ref = log(unit, LOGGED)
    recorded = t("2026-12-07T10:00")
    view = act(
        unit,
        services.close,
        ref=ref,
        reason=CloseReason.WITHDRAWN,
        because=None,
        note=None,
        by="officer.one",
        at=t("2026-12-01T10:00"),
        now=recorded,
    )
    clock = view.deadlines[0]
    assert (recorded, "cancelled") == (clock.ended_at, clock.outcome)
    assert {(ref, "acknowledge")} == overdue_now(unit, t("2026-12-04T10:00"))


def test_an_extension_dated_before_a_deadline_that_has_passed_is_refused(
    unit: UnitFactory,
) -> None:
    ref = log(unit, LOGGED)
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-12-01T10:00"),
    )  # fmt: skip  (the response is due Fri 4 Dec 10:00)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip

    with pytest.raises(ActionNotAllowed, match="a timescale agreed after a breach"):
        act(
            unit,
            services.extend,
            ref=ref,
            until=t("2026-12-18T17:00"),
            reason="Agreed by phone",
            by="rita.responder",
            at=t("2026-12-03T10:00"),  # before the deadline, recorded after it
            now=t("2026-12-04T12:00"),
        )


# -- the calendar ----------------------------------------------------------------------------


def close_day(unit: UnitFactory, day: date, now: datetime, **options: object) -> CalendarChange:
    return act(  # type: ignore[no-any-return]
        unit,
        services.add_closure,
        day=day,
        reason="Office move",
        by="sam.senior",
        at=now,
        now=now,
        **options,
    )


def test_only_a_senior_role_changes_the_calendar(unit: UnitFactory) -> None:
    with pytest.raises(NotPermitted, match="only senior-complaint-executive, senior-leader"):
        act(unit, services.add_closure, day=date(2026, 12, 10), reason="Move",
            by="officer.one", at=LOGGED)  # fmt: skip


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2026, 11, 30)], ids=["today", "past"])
def test_a_change_to_a_day_past_or_today_that_moves_deadlines_needs_a_reason(
    unit: UnitFactory, store_url: str, day: date
) -> None:
    log(unit, LOGGED)
    now = t("2026-12-01T12:00")
    before = dump_store(store_url)

    with pytest.raises(InvalidInput, match="give --retroactive REASON"):
        close_day(unit, day, now)
    assert before == dump_store(store_url)

    change = close_day(unit, day, now, retroactive=services.Retroactive("the move was then"))
    assert 1 == len(change.recomputed)
    with unit(write=False) as uow:
        recompute = services.show_case(uow, ref=change.recomputed[0].ref, as_of=now).history[-1]
    assert "the move was then" == recompute.details["retroactive"]


def test_a_change_to_a_day_ahead_needs_no_reason(unit: UnitFactory) -> None:
    log(unit, LOGGED)
    assert 1 == len(close_day(unit, date(2026, 12, 2), t("2026-12-01T12:00")).recomputed)


def test_a_dry_run_lists_what_would_move_and_writes_nothing(
    unit: UnitFactory, store_url: str
) -> None:
    ref = log(unit, LOGGED)
    before = dump_store(store_url)

    change = close_day(
        unit, date(2026, 12, 1), t("2026-12-01T12:00"), retroactive=services.Retroactive(None, True)
    )

    assert [(ref, "acknowledge", ACK_DUE, t("2026-12-04T10:00"))] == [
        r.listed for r in change.recomputed
    ]
    assert change.message.startswith("Dry run: ")
    assert before == dump_store(store_url)


def test_reopening_a_day_never_moves_a_deadline_to_before_the_change(unit: UnitFactory) -> None:
    ref = log(unit, LOGGED)
    close_day(unit, date(2026, 12, 2), t("2026-12-01T12:00"))  # due Fri 4 Dec 10:00 now
    # Reopened on Thu 3 Dec at 11:00: the rule would put it back at Thu 10:00, already past.
    now = t("2026-12-03T11:00")
    change = act(
        unit,
        services.remove_closure,
        day=date(2026, 12, 2),
        by="sam.senior",
        at=now,
        now=now,
        retroactive=services.Retroactive("reopened after all"),
    )

    assert [(ref, "acknowledge", t("2026-12-04T10:00"), now)] == [
        r.listed for r in change.recomputed
    ]
    assert set() == overdue_now(unit, now)
    assert {(ref, "acknowledge")} == overdue_now(unit, now + timedelta(minutes=1))


def test_a_deadline_due_at_the_instant_of_a_change_is_moved_as_not_yet_breached(
    unit: UnitFactory,
) -> None:
    ref = log(unit, LOGGED)
    # At Thu 3 Dec 10:00 exactly, the acknowledgement is due, not yet overdue.
    assert set() == overdue_now(unit, ACK_DUE)
    change = close_day(unit, date(2026, 12, 4), ACK_DUE)
    assert [] == [r.listed for r in change.recomputed]  # Fri is after the deadline: nothing to move
    change = close_day(
        unit, date(2026, 12, 3), ACK_DUE, retroactive=services.Retroactive("closed today")
    )
    assert [ref] == [r for r, *_ in (m.listed for m in change.recomputed)]


# -- the property: a breach seen is a breach kept ---------------------------------------------

Op = tuple[str, int, int]  # (what, which case, hours back from now that --at is dated)
OPS = st.lists(
    st.tuples(
        st.sampled_from(["log", "ack", "assign", "respond", "extend", "close", "calendar"]),
        st.integers(0, 3),
        st.integers(0, 60),
    ),
    min_size=1,
    max_size=14,
)


def fresh_units(tmp: Path, template: Path) -> tuple[UnitFactory, Callable[[], None]]:
    path = tmp / "store.sqlite3"
    shutil.copyfile(template, path)
    url = resolve_url(str(path))
    engine = open_engine(url)
    ensure_schema(engine, url, STORE_CREATED)

    def factory(*, write: bool = True) -> UnitOfWork:
        return UnitOfWork(engine, url, write=write)

    return factory, engine.dispose


@pytest.mark.properties
@pytest.mark.skipif(POSTGRES, reason="a store per example: the SQLite template copied")
@settings(
    max_examples=examples(25, 400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS, steps=st.lists(st.integers(1, 30), min_size=14, max_size=14))
def test_a_breach_overdue_has_shown_is_shown_again_for_that_moment_whatever_happens_after(
    tmp_path_factory: pytest.TempPathFactory,
    store_templates: dict[str, Path],
    ops: list[Op],
    steps: list[int],
) -> None:
    unit, close = fresh_units(tmp_path_factory.mktemp("prop"), store_templates["team"])
    try:
        now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        refs: list[str] = []
        seen: list[tuple[datetime, set[tuple[str | None, str]]]] = []
        for (what, which, back), hours in zip(ops, steps, strict=False):
            now += timedelta(hours=hours)
            at = now - timedelta(hours=back)
            try:
                _take(unit, what, refs, which, at, now)
            except ComplaintError:
                pass  # refused: writes nothing
            seen.append((now, overdue_now(unit, now)))
        for moment, breaches in seen:
            assert breaches <= overdue_now(unit, moment), moment
    finally:
        close()


def _take(unit: UnitFactory, what: str, refs: list[str], which: int, at: datetime,
          now: datetime) -> None:  # fmt: skip
    if what == "log" or not refs:
        refs.append(log(unit, at, now=now, email=f"p{len(refs)}@example.com"))
        return
    ref = refs[which % len(refs)]
    common = {"ref": ref, "at": at, "now": now}
    if what == "ack":
        act(unit, services.acknowledge, area="Casework", by="officer.one", **common)
    elif what == "assign":
        act(unit, services.assign, to="rita.responder", by="lee.leader", **common)
    elif what == "respond":
        act(unit, services.respond, decision=Decision.UPHELD, summary="Sorry",
            remedies=services.Remedies(), by="rita.responder", **common)  # fmt: skip
    elif what == "extend":
        act(unit, services.extend, until=now + timedelta(days=20), reason="Agreed",
            by="rita.responder", **common)  # fmt: skip
    elif what == "close":
        act(unit, services.close, reason=CloseReason.WITHDRAWN, because=None,
            note=None, by="officer.one", **common)  # fmt: skip
    else:  # a closure on a day near --at, reaching back where it must
        day = (at + timedelta(days=which - 1)).date()
        act(unit, services.add_closure, day=day, reason="Closed", by="sam.senior",
            at=at, now=now, retroactive=services.Retroactive("on purpose"))  # fmt: skip
