"""Kept facts (store/facts.py, revision 0012): after any sequence of steps, whichever path
wrote them (one step, a bulk step, an import, a calendar change, an erasure), each case's kept
facts are what a replay of its whole history gives, and `db verify` says so.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal_column, select, text, update

from complaintctl import services
from complaintctl.domain import figures
from complaintctl.domain.periods import parse_period
from complaintctl.domain.procedure import (
    ActionKind,
    AssessorOutcome,
    Category,
    Channel,
    CloseReason,
    Decision,
    OutOfScope,
    Remedy,
)
from complaintctl.errors import ComplaintError, StoreUnavailable
from complaintctl.services.imports import import_batch, read_rows
from complaintctl.services.verify import verify_history
from complaintctl.store import facts, figure_counts
from complaintctl.store.models import Case, StoreSetting, case_fact, case_fact_item
from complaintctl.store.types import details_of
from tests.conftest import POSTGRES, UnitFactory, examples
from tests.service.journey import act, log, t

FAR = datetime.max.replace(tzinfo=UTC)


def replayed_from_history(unit: UnitFactory) -> dict[str, figures.CaseFacts | None]:
    """Each case replayed from its history as the ORM reads it (not through store/facts)."""
    with unit(write=False) as uow:
        found = {}
        for case in uow.session.exec(select(Case).order_by(Case.id)).scalars():  # type: ignore[call-overload]
            entries = [
                figures.Entry(e.action, e.at, e.recorded_at, details_of(e.details))
                for e in uow.history(case)
                if e.action in figures.REPLAYED
            ]
            found[case.ref] = figures.replay(case.ref, entries, FAR)
        return found


def kept_facts(unit: UnitFactory) -> dict[str, figures.CaseFacts | None]:
    with unit(write=False) as uow:
        connection = uow.session.connection()
        refs = dict(connection.execute(select(Case.id, Case.ref)).all())  # type: ignore[call-overload]
        return {
            refs[case_id]: None if row is None else facts.from_rows(refs[case_id], row, items)
            for case_id, row, items in facts.kept(connection, refs)
        }


def assert_kept_as_replayed(unit: UnitFactory) -> None:
    expected = replayed_from_history(unit)
    assert expected == kept_facts(unit)
    with unit(write=False) as uow:
        assert [] == [p for p in verify_history(uow).problems if "facts kept" in p.what]


# -- the rows and back ------------------------------------------------------------------------


def test_a_case_with_every_kind_of_fact_reads_back_from_its_rows_as_replayed(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), board=True)
    officer = {"by": "officer.one"}
    steps: list[tuple[Any, dict[str, Any]]] = [
        (services.acknowledge, {"area": "Casework", **officer, "at": t("2026-12-01T10:00")}),
        (services.assign, {"to": "rita.responder", "by": "lee.leader",
                           "at": t("2026-12-01T11:00")}),
        (services.record_incident, {"note": "Shouted", **officer, "at": t("2026-12-01T12:00")}),
        (services.respond, {"decision": Decision.NOT_UPHELD, "summary": "No",
                            "remedies": services.Remedies(
                                (Remedy.APOLOGY, Remedy.GOODWILL_PAYMENT), "10"),
                            "causes": ("delay", "other"), "by": "rita.responder",
                            "at": t("2026-12-03T10:00")}),
        (services.escalate, {"to": "hana.handler", "reason": "Unhappy", **officer,
                             "at": t("2026-12-07T10:00")}),
        (services.final_response, {"decision": Decision.PARTLY_UPHELD, "summary": "Partly",
                                   "remedies": services.Remedies((Remedy.APOLOGY,)),
                                   "causes": ("delay",), "by": "hana.handler",
                                   "at": t("2027-01-04T10:00")}),
        (services.refer, {"late_reason": None, **officer, "at": t("2027-01-05T10:00")}),
        (services.record_outcome, {"outcome": AssessorOutcome.UPHELD, "recommendation": None,
                                   **officer, "at": t("2027-02-01T10:00")}),
    ]  # fmt: skip
    for verb, kwargs in steps:
        act(unit, verb, ref=ref, **kwargs)
    kept = kept_facts(unit)[ref]
    assert kept is not None
    assert (2, 1, 1, 1) == (
        len(kept.responses), len(kept.escalated_at), len(kept.referrals), len(kept.incidents)
    )  # fmt: skip
    assert ("apology", "goodwill-payment") == kept.responses[0].remedies
    assert_kept_as_replayed(unit)


def test_db_verify_names_a_case_whose_kept_facts_were_changed_behind_its_back(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    other = log(unit, t("2026-11-30T11:00"), email="bo@example.com")
    act(unit, services.record_incident, ref=other, note="Shouted", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    with unit() as uow:
        connection = uow.session.connection()
        connection.execute(
            update(case_fact)
            .values(channel="post")
            .where(case_fact.c.case_id == select(Case.id).where(Case.ref == ref).scalar_subquery())
        )  # type: ignore[call-overload]
        connection.execute(case_fact_item.delete())
        uow.session.commit()
    with unit(write=False) as uow:
        found = [(p.ref, p.what) for p in verify_history(uow).problems]
    what = (
        "the facts kept for the report's figures are not what its history gives (they were "
        "changed behind complaintctl's back; `complaintctl db upgrade --remake-facts` makes "
        "them again from the history)"
    )
    assert [(ref, what), (other, what)] == found


def tampered_with(unit: UnitFactory, ref: str, table: Any, **values: Any) -> list[str]:
    """The cases db verify names after `values` are written into `table`'s rows of `ref`
    (a case_fact_item row: only its remedies')."""
    with unit() as uow:
        connection = uow.session.connection()
        case_id = connection.execute(select(Case.id).where(Case.ref == ref)).scalar_one()  # type: ignore[call-overload]
        where = table.c.case_id == case_id
        if table is case_fact_item:
            where &= table.c.kind == "remedy"
        assert 1 <= connection.execute(update(table).where(where).values(**values)).rowcount
        uow.session.commit()
    with unit(write=False) as uow:
        return [p.ref for p in verify_history(uow).problems if "facts kept" in p.what]


@pytest.mark.skipif(POSTGRES, reason="a PostgreSQL boolean column holds no 2")
def test_db_verify_names_a_case_whose_kept_flag_is_a_number_the_sql_counts_do_not_count(
    unit: UnitFactory,
) -> None:
    """A stored `board = 2` reads back as true, but `board = 1` in SQL misses it: the rows as
    stored are compared, not the facts they decode to."""
    ref = log(unit, t("2026-11-30T10:00"), board=True)
    assert [ref] == tampered_with(unit, ref, case_fact, board=literal_column("2"))


def test_db_verify_names_a_case_kept_with_a_due_on_a_clock_it_never_had(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    assert [ref] == tampered_with(unit, ref, case_fact, respond_due=t("2026-12-30T10:00"))


def test_db_verify_names_a_case_kept_with_pence_on_a_remedy(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.respond, ref=ref, decision=Decision.UPHELD, summary="Yes",
        remedies=services.Remedies((Remedy.APOLOGY,)), causes=("delay",), by="rita.responder",
        at=t("2026-12-02T10:00"))  # fmt: skip
    assert [] == tampered_with(unit, ref, case_fact, channel="email")
    assert [ref] == tampered_with(unit, ref, case_fact_item, pence=1000)


def test_facts_another_version_made_are_neither_counted_nor_called_changed_by_db_verify(
    unit: UnitFactory,
) -> None:
    """Facts an older complaintctl kept differ from this one's replay with no one having
    changed them: a report refuses to count from them (exit 8, run db upgrade), db verify
    leaves them unchecked rather than calling the case tampered with."""
    ref = log(unit, t("2026-11-30T10:00"))
    assert [] == tampered_with(unit, ref, case_fact, channel="email")
    with unit() as uow:
        connection = uow.session.connection()
        connection.execute(
            update(StoreSetting).where(StoreSetting.key == facts.VERSION_KEY).values(value="0")  # type: ignore[arg-type]
        )
        uow.session.commit()
    assert [] == tampered_with(unit, ref, case_fact, channel="post")
    with unit(write=False) as uow:
        assert (True, False) == (verify_history(uow).intact, verify_history(uow).facts_checked)
        connection = uow.session.connection()
        with pytest.raises(StoreUnavailable) as refused:
            figure_counts.facts_at(connection, [FAR])
    assert (8, True) == (refused.value.exit_code, "`complaintctl db upgrade`" in str(refused.value))


def test_a_step_on_a_store_whose_facts_a_newer_complaintctl_made_is_refused_whole(
    unit: UnitFactory,
) -> None:
    """A newer complaintctl keeps its own kind of facts at the same schema revision: this one
    writing its kind beside them would have the newer one count them as its own."""
    ref = log(unit, t("2026-11-30T10:00"))
    with unit() as uow:
        uow.session.connection().execute(
            update(StoreSetting).where(StoreSetting.key == facts.VERSION_KEY)  # type: ignore[arg-type]
            .values(value=str(facts.VERSION + 1))
        )  # fmt: skip
        uow.session.commit()
    before = kept_facts(unit)
    with pytest.raises(StoreUnavailable) as refused:
        act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
            at=t("2026-11-30T11:00"))  # fmt: skip
    assert (8, True) == (refused.value.exit_code, "newer version" in str(refused.value))
    assert before == kept_facts(unit)
    with unit(write=False) as uow:
        assert (
            "received"
            == uow.session.connection().execute(text("SELECT stage FROM complaint")).scalar_one()
        )


def test_a_refused_step_leaves_the_kept_facts_as_they_were(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    before = kept_facts(unit)
    with pytest.raises(ComplaintError):
        act(unit, services.refer, ref=ref, late_reason=None, by="officer.one",
            at=t("2026-12-01T10:00"))  # fmt: skip
    assert before == kept_facts(unit)


def test_a_step_replay_does_not_read_replays_no_case_at_its_commit(
    unit: UnitFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only an entry replay reads (figures.REPLAYED, the entries recorded_to counts) can change
    a case's kept facts: a note or an assignment leaves them, and the commit replays nothing."""
    ref = log(unit, t("2026-11-30T10:00"))
    replayed: list[set[int]] = []
    real = facts.refresh
    monkeypatch.setattr(facts, "refresh", lambda c, ids: replayed.append(set(ids)) or real(c, ids))
    act(unit, services.note, ref=ref, text="Rang", by="officer.one", at=t("2026-11-30T11:00"))
    assert [] == replayed
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-11-30T12:00"))  # fmt: skip
    assert 1 == len(replayed)
    act(unit, services.assign, ref=ref, to="rita.responder", by="lee.leader",
        at=t("2026-11-30T13:00"))  # fmt: skip
    assert 1 == len(replayed)
    assert_kept_as_replayed(unit)


# -- the property: kept = replayed, whatever was done -----------------------------------------

Op = tuple[str, int, int]  # (what, which case, hours back from now that --at is dated)
OPS_NAMES = (
    "log", "import", "ack", "bulk-ack", "assign", "respond", "extend", "escalate", "final",
    "refer", "outcome", "close", "out-of-scope", "reopen", "edit", "incident", "action",
    "action-done", "calendar", "erase", "advance", "advance", "advance",
)  # fmt: skip
OPS = st.lists(
    st.tuples(
        st.sampled_from(OPS_NAMES),
        st.integers(0, 3),
        st.integers(0, 30),
    ),
    min_size=1,
    max_size=16,
)  # fmt: skip
# Each example starts a week after the one before: its cases and steps are its own.
_week = {"n": 0}


@pytest.mark.properties
@settings(
    max_examples=examples(12, 200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, steps=st.lists(st.integers(1, 40), min_size=16, max_size=16))
def test_after_any_steps_each_cases_kept_facts_are_a_replay_of_its_whole_history(
    unit: UnitFactory, ops: list[Op], steps: list[int]
) -> None:
    _week["n"] += 1
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC) + timedelta(weeks=_week["n"])
    refs: list[str] = []
    actions: list[int] = []
    for (what, which, back), hours in zip(ops, steps, strict=False):
        now += timedelta(hours=hours)
        at = now - timedelta(hours=back)
        try:
            _take(unit, what, refs, actions, which, at, now)
        except ComplaintError:
            pass  # refused: writes nothing
    assert_kept_as_replayed(unit)


# The step that takes a case at each stage on (the first stage's after assigning it).
_NEXT = {
    "received": "ack",
    "first-stage": "assign-respond",
    "responded": "escalate",
    "second-stage": "final",
    "final-response": "refer",
    "referred": "outcome",
}


def _take(unit: UnitFactory, what: str, refs: list[str], actions: list[int], which: int,
          at: datetime, now: datetime) -> None:  # fmt: skip
    n = len(refs)
    if what == "log" or not refs:
        refs.append(log(unit, at, now=now, email=f"p{now.timestamp():.0f}-{n}@example.com"))
        return
    if what == "import":
        text = "source_id,consumer,email,channel,category,summary,received_at\n" + "".join(
            f"s{now.timestamp():.0f}-{i},P {i},i{now.timestamp():.0f}-{i}@example.com,online,"
            f"delay,Late,{at.strftime('%Y-%m-%dT%H:%M')}\n"
            for i in range(2)
        )
        with unit() as uow:
            report = import_batch(uow, rows=read_rows(io.StringIO(text), "csv"),
                                  source_name="b.csv", skip_invalid=False, dry_run=False,
                                  by="officer.one", now=now)  # fmt: skip
        refs.extend(report.new)
        return
    ref = refs[which % n]
    common: dict[str, Any] = {"ref": ref, "at": at, "now": now}
    if what == "ack":
        act(unit, services.acknowledge, area="Casework", by="officer.one", **common)
    elif what == "bulk-ack":
        with unit() as uow:
            services.take_steps(uow, refs, services.Acknowledge("Casework"), by="officer.one",
                                at=at, now=now, continue_on_error=True, dry_run=False)  # fmt: skip
    elif what == "assign":
        act(unit, services.assign, to="rita.responder", by="lee.leader", **common)
    elif what == "assign-respond":
        act(unit, services.assign, to="rita.responder", by="lee.leader", **common)
        _take(unit, "respond", refs, actions, which, at, now)
    elif what == "respond":
        act(unit, services.respond, decision=Decision.UPHELD, summary="Sorry",
            remedies=services.Remedies((Remedy.APOLOGY, Remedy.GOODWILL_PAYMENT), "5"),
            causes=("delay",), by="rita.responder", **common)  # fmt: skip
    elif what == "extend":
        act(unit, services.extend, until=now + timedelta(days=20), reason="Agreed",
            by="sam.senior", **common)  # fmt: skip
    elif what == "advance":  # the case's next step in the procedure, up to four times
        for _ in range(which + 1):
            with unit(write=False) as uow:
                stage = uow.case_by_ref(ref).stage  # type: ignore[union-attr]
            if stage not in _NEXT:
                return
            _take(unit, _NEXT[stage], refs, actions, refs.index(ref), at, now)
    elif what == "escalate":
        act(unit, services.escalate, to="hana.handler", reason="Unhappy", by="officer.one",
            **common)  # fmt: skip
    elif what == "final":
        act(unit, services.final_response, decision=Decision.NOT_UPHELD, summary="No",
            remedies=services.Remedies(), causes=("other",), by="hana.handler",
            **common)  # fmt: skip
    elif what == "refer":
        act(unit, services.refer, late_reason="Was ill", by="officer.one", **common)
    elif what == "outcome":
        act(unit, services.record_outcome, outcome=AssessorOutcome.NOT_UPHELD,
            recommendation=None, by="officer.one", **common)  # fmt: skip
    elif what == "close":
        act(unit, services.close, reason=CloseReason.WITHDRAWN, because=None, note=None,
            by="officer.one", **common)  # fmt: skip
    elif what == "out-of-scope":
        act(unit, services.close, reason=CloseReason.OUT_OF_SCOPE, because=OutOfScope.DECISION,
            note=None, by="officer.one", **common)  # fmt: skip
    elif what == "reopen":
        act(unit, services.reopen, reason="Came back", by="sam.senior", **common)
    elif what == "edit":
        fields = [{"category": Category.EXPLANATION}, {"channel": Channel.POST},
                  {"board": True}, {"summary": "Put better"}][which]  # fmt: skip
        act(unit, services.correct, reason="Wrong", fields=fields, by="officer.one", **common)
    elif what == "incident":
        act(unit, services.record_incident, note="Shouted", by="officer.one", **common)
    elif what == "action":
        view = act(unit, services.add_action, kind=ActionKind.IMPROVEMENT, what="Fix it",
                   owner="rita.responder", due=None, within="5d", by="lee.leader",
                   **common)  # fmt: skip
        actions.append(view.id)
    elif what == "action-done" and actions:
        act(unit, services.action_done, action_id=actions[which % len(actions)], note=None,
            by="rita.responder", at=at, now=now)  # fmt: skip
    elif what == "calendar":
        act(unit, services.add_closure, day=(at + timedelta(days=which - 1)).date(),
            reason="Closed", by="sam.senior", at=at, now=now,
            retroactive=services.Retroactive("on purpose"))  # fmt: skip
    elif what == "erase":
        with unit() as uow:
            email = uow.case_by_ref(ref).consumer_id  # type: ignore[union-attr]
            services.erase_consumer(uow, email=None, consumer_id=email, reason="Asked",
                                    by="sam.senior", now=now)  # fmt: skip


def test_an_erasure_replays_the_cases_whose_history_it_rewrote(unit: UnitFactory) -> None:
    """Retention's rewrite of history details is the one edit of history, and it records no
    entry on the case: its cases are replayed again at the commit all the same
    (store/retention._rewrite, facts.touch). An edit recorded before a correction's personal
    changes were kept apart holds the category's change beside the name's, and the erasure
    takes both: the figures count the case in its category as logged from then on."""
    ref = log(unit, t("2026-11-30T10:00"))
    with unit() as uow:
        case = uow.case_by_ref(ref)
        uow.record(case, "edit", by="officer.one", at=t("2026-11-30T11:00"),
                   now=t("2026-11-30T11:00"), reason="Wrong", changes=[
                       {"field": "name", "old": "Ann Smith", "new": "Ann Smyth"},
                       {"field": "category", "old": "delay", "new": "explanation"}])  # fmt: skip
        uow.commit()
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-11-30T12:00"))  # fmt: skip
    assert "explanation" == kept_facts(unit)[ref].category  # type: ignore[union-attr]
    with unit() as uow:
        consumer = uow.case_by_ref(ref).consumer_id  # type: ignore[union-attr]
        services.erase_consumer(uow, email=None, consumer_id=consumer, reason="Asked",
                                by="sam.senior", now=t("2026-12-10T10:00"))  # fmt: skip
    assert "delay" == kept_facts(unit)[ref].category  # type: ignore[union-attr]
    assert_kept_as_replayed(unit)


# -- every figure counted in SQL over the kept facts ------------------------------------------


def python_count(unit: UnitFactory, window: figures.Window) -> dict[str, Any]:
    """The figures as the report counted them before kept facts: each case's history replayed
    to the cutoff, in the order logged, counted by domain/figures._count."""
    with unit(write=False) as uow:
        cases = []
        for case in uow.session.exec(select(Case).order_by(Case.id)).scalars():  # type: ignore[call-overload]
            entries = [
                figures.Entry(e.action, e.at, e.recorded_at, details_of(e.details))
                for e in uow.history(case)
                if e.action in figures.REPLAYED
            ]
            if (replayed := figures.replay(case.ref, entries, window.cutoff)) is not None:
                cases.append(replayed)
        values = figures._count(cases, window, uow.calendar(), None)[0]
        # Where the figures rest on working time from: the report's coverage warning.
        values["measured_from"] = figures.measured_from(figures.gather(cases, window)[0])
        return values


def sql_count(unit: UnitFactory, window: figures.Window) -> dict[str, Any]:
    """The figures counted over the kept facts, as a report reads them: in a read-only
    snapshot (on PostgreSQL, REPEATABLE READ and READ ONLY: nothing may be written, not even a
    temporary table), and counted twice in one transaction alike."""
    with unit(write=False, snapshot=True) as uow:
        connection = uow.session.connection()
        calendar = uow.calendar()
        found = []
        for _ in range(2):
            f = figure_counts.facts_at(connection, [window.cutoff])[window.cutoff]
            limits = figures.age_limits(calendar, window.cutoff)
            gathered = figure_counts.gathered(connection, f, window, limits)
            values = figures.values_of(gathered, window, calendar, None)[0]
            found.append({**values, "measured_from": figures.measured_from(gathered)})
        assert found[0] == found[1]
        return found[0]


def in_order(found: dict[str, Any]) -> list[tuple[str, Any]]:
    """Each figure's value, a count by parts as its parts in order."""
    return sorted(
        (name, list(value.items()) if isinstance(value, dict) else value)
        for name, value in found.items()
    )


@pytest.mark.properties
@settings(
    max_examples=examples(12, 200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=OPS,
    steps=st.lists(st.integers(1, 40), min_size=16, max_size=16),
    cut=st.integers(0, 15),
    before=st.integers(0, 72),
    after=st.integers(-72, 72),
)
def test_every_figure_counted_in_sql_over_kept_facts_is_the_python_count(
    unit: UnitFactory, ops: list[Op], steps: list[int], cut: int, before: int, after: int
) -> None:
    """Whatever was done, and whatever the cutoff (one before some entries were recorded
    replays those cases from their history): the same counts, the same cases in the same
    order, the same parts in the same order."""
    _week["n"] += 1
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC) + timedelta(weeks=_week["n"])
    first = now
    moments: list[datetime] = []
    refs: list[str] = []
    actions: list[int] = []
    for (what, which, back), hours in zip(ops, steps, strict=False):
        now += timedelta(hours=hours)
        moments.append(now)
        try:
            _take(unit, what, refs, actions, which, now - timedelta(hours=back), now)
        except ComplaintError:
            pass
    cutoff = moments[cut % len(moments)]
    window = figures.Window(
        first - timedelta(hours=before), max(cutoff + timedelta(hours=after), first), cutoff
    )
    assert in_order(python_count(unit, window)) == in_order(sql_count(unit, window))


def test_every_figure_counted_in_sql_at_each_kept_instant_as_start_end_and_cutoff(
    unit: UnitFactory,
) -> None:
    """A window bounded, and a cutoff, at exactly an instant the facts hold (a receipt, a due,
    a response, an action's due or its done): each test's edge (`start <= at < end`, a due
    before the cutoff) counts as the Python count does."""
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    refs: list[str] = []
    actions: list[int] = []
    steps = [
        ("log", 0), ("log", 0), ("log", 0), ("ack", 0), ("ack", 1), ("action", 0),
        ("extend", 0), ("assign-respond", 1), ("escalate", 1), ("incident", 0), ("action", 1),
        ("action-done", 0), ("final", 1), ("refer", 1), ("outcome", 1), ("out-of-scope", 2),
        ("assign-respond", 0), ("reopen", 2),
    ]  # fmt: skip
    for what, which in steps:
        now += timedelta(hours=30)
        if what == "refer":  # in time: no late reason
            act(unit, services.refer, ref=refs[which], late_reason=None, by="officer.one",
                at=now - timedelta(hours=2), now=now)  # fmt: skip
            continue
        _take(unit, what, refs, actions, which, now - timedelta(hours=2), now)
    with unit(write=False) as uow:
        connection = uow.session.connection()
        instants: set[datetime] = set()
        for table in (case_fact, case_fact_item):
            for row in connection.execute(select(table)):
                instants.update(value for value in row if isinstance(value, datetime))
        kinds = set(connection.execute(select(case_fact_item.c.kind)).scalars())
    assert {"first", "final", "escalated", "incident", "action", "remedy", "cause", "referral",
            "assessed"} <= kinds  # fmt: skip
    month = timedelta(days=30)
    for at in sorted(instants):
        for window in (
            figures.Window(at, at + month, at),
            figures.Window(at - month, at, at),
            figures.Window(at - month, at + month, at),
        ):
            assert in_order(python_count(unit, window)) == in_order(sql_count(unit, window)), window


def test_every_figure_counted_over_kept_facts_at_several_cutoffs_at_once(
    unit: UnitFactory,
) -> None:
    """A report by month, or beside the period before, replays each case to every cutoff it
    needs in one read of its history: each cutoff's figures as if counted alone."""
    rng = random.Random(7)
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    first, moments = now, []
    refs: list[str] = []
    actions: list[int] = []
    for _ in range(30):
        now += timedelta(hours=rng.randint(1, 40))
        moments.append(now)
        try:
            _take(unit, rng.choice(OPS_NAMES), refs, actions, rng.randint(0, 3),
                  now - timedelta(hours=rng.randint(0, 60)), now)  # fmt: skip
        except ComplaintError:
            pass
    cutoffs = sorted(
        {*rng.sample(moments, 6), *(m + timedelta(microseconds=1) for m in moments[::7])}
    )
    windows = [
        figures.Window(first - timedelta(hours=rng.randint(0, 72)),
                       cutoff + timedelta(hours=rng.randint(-30, 30)), cutoff)
        for cutoff in cutoffs
    ]  # fmt: skip
    with unit(write=False, snapshot=True) as uow:
        connection = uow.session.connection()
        calendar = uow.calendar()
        kept = figure_counts.facts_at(connection, cutoffs)
        counted = {}
        for window in windows:
            limits = figures.age_limits(calendar, window.cutoff)
            gathered = figure_counts.gathered(connection, kept[window.cutoff], window, limits)
            values = figures.values_of(gathered, window, calendar, None)[0]
            counted[window] = {**values, "measured_from": figures.measured_from(gathered)}
    for window in windows:
        assert in_order(python_count(unit, window)) == in_order(counted[window]), window


def test_a_case_dated_within_the_second_after_its_recording_is_counted_at_a_cutoff_between(
    unit: UnitFactory,
) -> None:
    """Now is read to the second, so a step may be dated up to a second after it is recorded:
    at a cutoff between the two, the case is not yet logged, kept or replayed."""
    ref = log(unit, t("2026-12-01T12:00:00.5"), now=t("2026-12-01T12:00:00"))
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T12:30"))  # fmt: skip
    for cutoff in (t("2026-12-01T12:00:00.2"), t("2026-12-01T12:00:00.7")):
        window = figures.Window(t("2026-12-01T00:00"), t("2026-12-02T00:00"), cutoff)
        assert in_order(python_count(unit, window)) == in_order(sql_count(unit, window))


def _before_the_known_years(unit: UnitFactory) -> None:
    """A case received in December 2011, before the bank holidays known, closed in February."""
    ref = log(unit, t("2011-12-05T10:00"))
    act(unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2012-02-10T10:00"))  # fmt: skip


def test_a_months_backlog_aged_from_before_the_known_years_is_warned_of(
    unit: UnitFactory,
) -> None:
    """January's backlog is the case aged from December 2011: the report by month, and its
    cases by month, warn that the holidays before the known years are not counted."""
    _before_the_known_years(unit)
    with unit(write=False, snapshot=True) as uow:
        shown = services.report(uow, period=parse_period("2012-Q1"),
                                as_of=t("2012-04-01T00:00"), by="month")  # fmt: skip
        listed = services.figure_cases(uow, period=parse_period("2012-Q1"),
                                       as_of=t("2012-04-01T00:00"),
                                       figure="open_cases_by_age.over-40", by="month")  # fmt: skip
    assert shown.warnings
    assert (shown.warnings, 1) == (listed.warnings, len(listed.refs))


def test_a_deadline_judged_from_before_the_known_years_is_warned_of(unit: UnitFactory) -> None:
    """A case closed out of scope after its acknowledgement fell due, its due counted from
    before the known years: the report of its month says the due may be early by a holiday."""
    ref = log(unit, t("2011-12-05T10:00"))
    act(unit, services.close, ref=ref, reason=CloseReason.OUT_OF_SCOPE,
        because=OutOfScope.DECISION, note=None, by="officer.one",
        at=t("2011-12-09T10:00"))  # fmt: skip
    with unit(write=False, snapshot=True) as uow:
        shown = services.report(uow, period=parse_period("2011-12"), as_of=t("2012-01-05T00:00"))
    assert shown.warnings
