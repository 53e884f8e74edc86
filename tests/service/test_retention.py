"""Retention, legal holds and erasure at the service layer: what is due and when, what a run
removes and keeps, holds and restrictions respected, the figures and the history's seal
unchanged, and who may."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from complaintctl import services
from complaintctl.domain.periods import parse_period
from complaintctl.domain.procedure import (
    ActionKind,
    Category,
    Channel,
    CloseReason,
    Direction,
    RestrictionScope,
)
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from complaintctl.letters import Templates
from complaintctl.services.imports import Row, import_batch
from complaintctl.services.subject_access import record_export, subject_access
from complaintctl.services.verify import verify_history
from complaintctl.store.models import (
    CaseAction,
    Consumer,
    Event,
    LegalHold,
    SubjectAccessRequest,
)
from complaintctl.views import case_json
from tests.conftest import UnitFactory, dump_store, sqlite_only
from tests.service.journey import act, log, show, t, to_final, withdraw

# Ann's final response is given 2027-01-04 (due 2033-01-04); Bob's case closes 2026-12-02
# (due 2032-12-02); Cara's stays open; Ann's second case closes 2027-03-02 (due 2033-03-02).
BETWEEN = t("2033-02-01T12:00")  # Bob's and Ann's first due, Ann's second not yet
AFTER = t("2033-06-01T12:00")  # all three ended cases due


@pytest.fixture
def store(unit: UnitFactory) -> dict[str, str]:
    refs = {"ann_final": to_final(unit)}
    bob = log(
        unit,
        t("2026-12-01T09:30"),
        consumer="Bob Brown",
        email="bob@example.com",
        address="1 High Street",
        summary="Nobody called Bob back",
    )
    act(
        unit,
        services.note,
        ref=bob,
        text="Bob phoned about his mother's illness",
        direction=Direction.IN,
        channel=Channel.PHONE,
        by="officer.one",
        at=t("2026-12-01T11:00"),
    )
    act(
        unit, services.record_incident, ref=bob, note="Bob shouted", by="officer.one",
        at=t("2026-12-01T12:00"),
    )  # fmt: skip
    act(
        unit,
        services.correct,
        ref=bob,
        reason="Misspelt",
        fields={"name": "Bob Browne"},
        by="officer.one",
        at=t("2026-12-01T13:00"),
    )
    opened = act(
        unit, services.add_action, ref=bob, kind=ActionKind.REMEDY, what="Call Bob on 07700 900123",
        owner="officer.one", due=None, within="2d", by="officer.one", at=t("2026-12-01T13:30"),
    )  # fmt: skip
    act(
        unit, services.action_done, action_id=opened.id, note="Bob's daughter answered",
        by="officer.one", at=t("2026-12-01T15:00"),
    )  # fmt: skip
    withdraw(unit, bob, t("2026-12-02T10:00"), note="Bob withdrew: moving house")
    refs["bob"] = bob
    refs["cara"] = log(unit, t("2026-12-01T10:00"), consumer="Cara Cole", email="cara@example.com")
    ann_later = log(unit, t("2027-03-01T10:00"), summary="Ann again")
    withdraw(unit, ann_later, t("2027-03-02T10:00"))
    refs["ann_later"] = ann_later
    return refs


def due(unit: UnitFactory, as_of: datetime) -> list[tuple[str, str, str, str | None]]:
    with unit(write=False) as uow:
        view = services.retention_due(uow, as_of=as_of)
    return [
        (item.ref or f"consumer {item.consumer_id}", item.state, item.due_at.date().isoformat(),
         item.why)
        for item in view.items
    ]  # fmt: skip


def apply(
    unit: UnitFactory, now: datetime, *, dry_run: bool = False, by: str = "sam.senior"
) -> Any:
    with unit() as uow:
        return services.apply_retention(uow, by=by, now=now, dry_run=dry_run)


def consumer_id(unit: UnitFactory, email: str) -> int:
    with unit(write=False) as uow:
        found = uow.consumer_by_email(email)
        assert found is not None
        assert found.id is not None
        return found.id


def figures(unit: UnitFactory) -> list[Any]:
    with unit(write=False) as uow:
        return [
            services.report(uow, period=parse_period(p), as_of=AFTER, compare=True, by=by)
            for p in ("2026-12", "2027-Q1", "2026")
            for by in (None, "area", "category", "channel")
        ]


def verified(unit: UnitFactory) -> Any:
    with unit(write=False) as uow:
        return verify_history(uow)


def details(unit: UnitFactory, ref: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.action, e.details) for e in show(unit, ref, AFTER).history]


def test_nothing_is_due_before_six_years_have_passed(unit: UnitFactory, store: dict) -> None:
    assert [] == due(unit, t("2032-12-01T12:00"))


def test_a_case_is_due_six_years_after_its_procedure_ended_and_a_consumer_with_it(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    bob = consumer_id(unit, "bob@example.com")
    ann = consumer_id(unit, "ann@example.com")

    assert [
        (store["bob"], "due", "2032-12-02", None),
        (f"consumer {bob}", "due", "2032-12-02", None),
        (store["ann_final"], "due", "2033-01-04", None),
    ] == due(unit, BETWEEN)
    assert (store["ann_later"], "due", "2033-03-02", None) in due(unit, AFTER)
    assert (f"consumer {ann}", "due", "2033-03-02", None) in due(unit, AFTER)
    assert store["cara"] not in [ref for ref, *_ in due(unit, AFTER)]


def test_apply_removes_every_personal_value_and_keeps_what_the_figures_count(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    before = show(unit, store["bob"], AFTER)

    done = apply(unit, BETWEEN)

    marker = "[removed 2033-02-01 under retention policy 1]"
    assert (marker, (store["ann_final"], store["bob"])) == (done.marker, done.refs)
    after = show(unit, store["bob"], AFTER)
    assert (marker, marker, None) == (after.consumer, after.summary, after.email)
    assert (before.stage, before.category, before.channel, before.received_at) == (
        after.stage, after.category, after.channel, after.received_at,
    )  # fmt: skip
    assert [d.due for d in before.deadlines] == [d.due for d in after.deadlines]
    text = json.dumps(details(unit, store["bob"]))
    for value in (
        "Bob",
        "bob@example.com",
        "High Street",
        "mother",
        "moving house",
        "shouted",
        "07700",
        "daughter",
    ):
        assert value not in text
    with unit(write=False) as uow:
        actions = uow.session.exec(select(CaseAction.what, CaseAction.note)).all()
    # Bob's call back, with its note, and Ann's goodwill payment (no note): both cases due.
    assert [(marker, marker), (marker, None)] == sorted(
        (tuple(a) for a in actions), key=lambda a: a[1] is None
    )
    removed = dict(details(unit, store["bob"]))
    assert {"removed": marker, "sha256": removed["note"]["text"]["sha256"]} == removed["note"][
        "text"
    ]
    assert ("withdrawn", "email", "delay") == (
        removed["close"]["reason"], removed["log"]["channel"], removed["log"]["category"],
    )  # fmt: skip


def test_every_figure_of_report_is_the_same_after_retention_and_after_erasure(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    before = figures(unit)

    apply(unit, BETWEEN)
    assert before == figures(unit)
    apply(unit, AFTER)
    assert before == figures(unit)


def test_an_edit_of_the_name_and_the_category_at_once_keeps_the_category_in_the_figures(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    dan = log(unit, t("2026-12-03T10:00"), consumer="Dan Smiht", email="dan@example.com")
    act(unit, services.correct, ref=dan, reason="Misheard", by="officer.one",
        fields={"name": "Dan Smith", "category": Category.EXPLANATION},
        at=t("2026-12-03T11:00"))  # fmt: skip
    act(unit, services.close, ref=dan, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-04T10:00"))  # fmt: skip
    before = figures(unit)

    apply(unit, AFTER)

    assert before == figures(unit)
    edit = dict(details(unit, dan))["edit"]
    assert [{"field": "category", "old": "delay", "new": "explanation"}] == edit["changes"]
    assert {"removed", "sha256"} == set(edit["personal_changes"])
    # Why it was corrected may name the person, as any reason may: it goes too.
    assert {"removed", "sha256"} == set(edit["reason"])
    assert () == verified(unit).problems


def test_the_history_verifies_intact_after_retention_and_after_erasure(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    apply(unit, BETWEEN)
    assert () == verified(unit).problems
    act(unit, services.action_done, action_id=1, note=None, by="sam.senior", at=AFTER)

    erase(unit, "ann@example.com")  # her later case is inside retention, and closed

    assert () == verified(unit).problems


def test_a_removed_value_leaves_nothing_to_confirm_a_guess_against(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    import hashlib

    from complaintctl.domain.chain import canonical

    def log_entry() -> tuple[dict[str, Any], dict[str, str]]:
        with unit(write=False) as uow:
            event = uow.session.exec(
                select(Event).where(col(Event.action) == "log").order_by(col(Event.id))
            ).first()
            assert event is not None
            return json.loads(event.details), json.loads(event.salts or "{}")

    logged, salts = log_entry()
    assert {"consumer", "email", "address", "summary", "dispute"} <= set(salts)
    act(unit, services.action_done, action_id=1, note=None, by="sam.senior", at=AFTER)

    erase(unit, "ann@example.com")

    details, kept = log_entry()
    # The marker keeps the salted digest the entry was sealed with, and the salt is gone with
    # the address: its plain digest, which anyone could work out from a guess, is nowhere.
    plain = hashlib.sha256(canonical(logged["email"]).encode()).hexdigest()
    assert details["email"]["sha256"] != plain
    assert plain not in json.dumps([details, kept])
    assert {"email", "consumer"}.isdisjoint(kept)
    assert () == verified(unit).problems


def test_a_hand_edit_after_anonymisation_is_still_caught(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    apply(unit, AFTER)
    with unit() as uow:
        event = uow.session.exec(
            select(Event).where(Event.action == "log").order_by(col(Event.id))
        ).first()
        assert event is not None
        changed = json.loads(event.details)
        changed["category"] = "process"
        event.details = json.dumps(changed)
        uow.add(event)
        uow.commit()

    problems = verified(unit).problems
    assert 1 == len(problems)
    assert "entry" == problems[0].kind


def test_a_consumer_with_another_case_inside_retention_keeps_their_details(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    apply(unit, BETWEEN)

    final = show(unit, store["ann_final"], AFTER)
    assert ("Ann Smith", "ann@example.com") == (final.consumer, final.email)
    assert "[removed" in final.summary
    assert "Ann again" == show(unit, store["ann_later"], AFTER).summary
    log_details = dict(details(unit, store["ann_final"]))["log"]
    assert ("Ann Smith", "ann@example.com") == (log_details["consumer"], log_details["email"])

    done = apply(unit, AFTER)
    assert (store["ann_later"],) == done.refs
    assert 1 == len(done.consumer_ids)
    assert "[removed 2033-06-01" in show(unit, store["ann_final"], AFTER).consumer


def test_a_dry_run_writes_nothing_and_says_what_would_go(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    before = dump_store(store_url)

    done = apply(unit, BETWEEN, dry_run=True)

    assert (True, (store["ann_final"], store["bob"])) == (done.dry_run, done.refs)
    assert before == dump_store(store_url)
    # It counts the history entries the run would change: the same number the run reports.
    assert 0 < done.entries == apply(unit, BETWEEN).entries


def test_a_second_run_finds_nothing_more_to_remove(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    apply(unit, AFTER)

    again = apply(unit, AFTER)

    assert ((), (), 0) == (again.refs, again.consumer_ids, again.entries)
    assert [] == due(unit, AFTER)


def test_a_run_is_recorded_with_its_policy_and_whose_data_never_the_values(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    done = apply(unit, BETWEEN)

    with unit(write=False) as uow:
        rows = uow.session.exec(
            select(Event.actor, Event.details).where(Event.action == "retention-applied")  # type: ignore[call-overload]
        ).all()
    assert 1 == len(rows)
    actor, recorded = rows[0][0], json.loads(rows[0][1])
    assert ("sam.senior", 1, 6, [store["ann_final"], store["bob"]]) == (
        actor, recorded["policy"], recorded["years"], recorded["cases"],
    )  # fmt: skip
    assert done.entries == recorded["entries"]
    assert "Bob" not in rows[0][1]


# -- legal holds ---------------------------------------------------------------------------


def hold(unit: UnitFactory, *, by: str = "lee.leader", **what: Any) -> Any:
    what.setdefault("ref", None)
    what.setdefault("consumer_id", None)
    return act(unit, services.add_hold, reason="Litigation", by=by, at=t("2027-06-01T10:00"),
               **what)  # fmt: skip


def test_a_held_case_is_listed_as_held_and_never_removed(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    held = hold(unit, ref=store["bob"])
    bob = consumer_id(unit, "bob@example.com")

    assert (store["bob"], "held", "2032-12-02", "on legal hold") in due(unit, BETWEEN)
    assert (f"consumer {bob}", "held", "2032-12-02", "on legal hold") in due(unit, BETWEEN)
    done = apply(unit, BETWEEN)

    assert (store["ann_final"],) == done.refs
    assert "Nobody called Bob back" == show(unit, store["bob"], AFTER).summary
    with unit(write=False) as uow:
        assert [held.id] == [h.id for h in services.retention_due(uow, as_of=BETWEEN).holds]

    act(unit, services.lift_hold, hold_id=held.id, reason="Settled", by="sam.senior",
        at=t("2027-07-01T10:00"))  # fmt: skip
    assert (store["bob"],) == apply(unit, BETWEEN).refs


def test_a_hold_on_a_consumer_keeps_every_case_of_theirs(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    hold(unit, consumer_id=consumer_id(unit, "ann@example.com"))

    done = apply(unit, AFTER)

    assert (store["bob"],) == done.refs
    assert "No reply" == show(unit, store["ann_final"], AFTER).summary


# -- an open subject-access request --------------------------------------------------------


def ask(unit: UnitFactory, email: str, received: str) -> Any:
    return act(unit, services.open_request, email=email, consumer_id=None,
               received_at=t(received), by="officer.one", at=t(received))  # fmt: skip


def answer(unit: UnitFactory, request: Any, at: str) -> None:
    with unit() as uow:
        record_export(uow, consumer_id=request.consumer_id, format="json", sha256="ab" * 32,
                      by="officer.one", at=t(at), now=t(at))  # fmt: skip
    act(unit, services.done_request, sar_id=request.id, export_entry=None, by="officer.one",
        at=t(at))  # fmt: skip


def test_an_open_request_holds_the_person_and_their_cases_until_it_is_answered(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    """What a person asked to see is not removed before the answer is sent (the ICO: do not
    delete what they asked for while the request is open); the next run once it is answered
    removes it."""
    asked = ask(unit, "bob@example.com", "2033-01-10T10:00")
    bob = asked.consumer_id
    why = f"subject-access request {asked.id} open"

    assert (store["bob"], "held", "2032-12-02", why) in due(unit, BETWEEN)
    assert (f"consumer {bob}", "held", "2032-12-02", why) in due(unit, BETWEEN)
    preview = apply(unit, t("2033-01-15T12:00"), dry_run=True)
    done = apply(unit, t("2033-01-15T12:00"))

    assert ((store["ann_final"],), ()) == (preview.refs, preview.consumer_ids)
    assert ((store["ann_final"],), ()) == (done.refs, done.consumer_ids)
    kept = show(unit, store["bob"], AFTER)
    assert ("Nobody called Bob back", "Bob Browne") == (kept.summary, kept.consumer)

    answer(unit, asked, "2033-01-20T10:00")
    assert (store["bob"], "due", "2032-12-02", None) in due(unit, BETWEEN)
    again = apply(unit, BETWEEN)
    assert ((store["bob"],), (bob,)) == (again.refs, again.consumer_ids)
    assert "[removed 2033-02-01" in show(unit, store["bob"], AFTER).summary


def test_a_request_and_a_legal_hold_on_one_person_are_both_named(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    held = hold(unit, ref=store["bob"])
    asked = ask(unit, "bob@example.com", "2033-01-10T10:00")
    why = f"on legal hold; subject-access request {asked.id} open"

    listed = due(unit, BETWEEN)

    assert (store["bob"], "held", "2032-12-02", why) in listed
    assert (f"consumer {asked.consumer_id}", "held", "2032-12-02", why) in listed
    act(unit, services.lift_hold, hold_id=held.id, reason="Settled", by="sam.senior",
        at=t("2033-01-11T10:00"))  # fmt: skip
    assert (store["bob"], "held", "2032-12-02", f"subject-access request {asked.id} open") in (
        due(unit, BETWEEN)
    )


def test_each_open_request_is_named_and_answered_ones_hold_nothing(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    first = ask(unit, "bob@example.com", "2033-01-10T10:00")
    second = ask(unit, "bob@example.com", "2033-01-11T10:00")

    assert (
        store["bob"], "held", "2032-12-02",
        f"subject-access requests {first.id}, {second.id} open",
    ) in due(unit, BETWEEN)  # fmt: skip
    answer(unit, first, "2033-01-12T10:00")
    answer(unit, second, "2033-01-13T10:00")
    assert (store["bob"], "due", "2032-12-02", None) in due(unit, BETWEEN)


def test_holds_are_for_leaders_and_senior_roles_and_recorded(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    before = dump_store(store_url)
    with pytest.raises(NotPermitted, match="may not put data on legal hold"):
        hold(unit, ref=store["bob"], by="officer.one")
    assert before == dump_store(store_url)

    view = hold(unit, ref=store["bob"])

    assert ("legal-hold-added", {"hold": view.id, "consumer_id": None, "reason": "Litigation"}) == (
        details(unit, store["bob"])[-1]
    )
    with unit(write=False) as uow:
        assert [view.id] == [h.id for h in uow.session.exec(select(LegalHold)).all()]


def test_holds_refuse_what_cannot_be_held_or_lifted(unit: UnitFactory, store: dict) -> None:
    with pytest.raises(InvalidInput, match="name what to hold"):
        hold(unit)
    with pytest.raises(NotFound):
        hold(unit, consumer_id=999)
    with pytest.raises(NotFound, match="no legal hold 9"):
        act(unit, services.lift_hold, hold_id=9, reason="x", by="sam.senior",
            at=t("2027-07-01T10:00"))  # fmt: skip
    with pytest.raises(InvalidInput, match=f"--at is before {store['bob']} was received"):
        act(unit, services.add_hold, ref=store["bob"], consumer_id=None, reason="Litigation",
            by="lee.leader", at=t("2026-11-30T10:00"), now=t("2027-06-01T10:00"))  # fmt: skip
    view = hold(unit, ref=store["bob"])
    act(unit, services.lift_hold, hold_id=view.id, reason="x", by="sam.senior",
        at=t("2027-07-01T10:00"))  # fmt: skip
    with pytest.raises(ActionNotAllowed, match="lifted already"):
        act(unit, services.lift_hold, hold_id=view.id, reason="x", by="sam.senior",
            at=t("2027-07-02T10:00"))  # fmt: skip


# -- the policy ----------------------------------------------------------------------------


def test_only_a_senior_changes_the_policy_and_the_change_is_recorded_and_applied(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    before = dump_store(store_url)
    with pytest.raises(NotPermitted, match="may not change the retention policy"):
        act(unit, services.set_policy, years=7, reason="Board", by="lee.leader",
            at=t("2027-06-01T10:00"))  # fmt: skip
    assert before == dump_store(store_url)

    view = act(unit, services.set_policy, years=7, reason="Board", by="sam.senior",
               at=t("2027-06-01T10:00"))  # fmt: skip

    assert (2, 7, "sam.senior") == (view.number, view.years, view.set_by)
    assert store["bob"] not in [ref for ref, *_ in due(unit, t("2033-06-01T12:00"))]
    assert (
        "[removed 2034-01-01 under retention policy 2]" == apply(unit, t("2034-01-01T12:00")).marker
    )
    with unit(write=False) as uow:
        assert [1, 2] == [p.number for p in services.show_policy(uow)]


def test_a_list_as_of_a_moment_goes_by_the_policy_in_force_then(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    """Bob's case ran out on 2 December 2032 under the default six years; a policy of seven
    set in February 2033 keeps it to December 2033, but a list as of January 2033 says what
    was due then, under the policy then."""
    act(unit, services.set_policy, years=7, reason="Board", by="sam.senior",
        at=t("2033-02-01T10:00"))  # fmt: skip

    def bobs(as_of: str) -> list[str]:
        return [state for what, state, _, _ in due(unit, t(as_of)) if what == store["bob"]]

    with unit(write=False) as uow:
        policies = [services.retention_due(uow, as_of=t(when)).policy.number
                    for when in ("2033-01-15T12:00", "2033-03-01T12:00")]  # fmt: skip
    assert ([1, 2], ["due"], [], ["due"]) == (
        policies, bobs("2033-01-15T12:00"), bobs("2033-03-01T12:00"), bobs("2033-12-03T12:00"),
    )  # fmt: skip


def test_a_policy_of_no_years_or_the_same_years_is_refused(unit: UnitFactory) -> None:
    for years, message in ((0, "from 1 to 100"), (6, "is 6 years")):
        with pytest.raises(InvalidInput, match=message):
            act(unit, services.set_policy, years=years, reason="x", by="sam.senior",
                at=t("2027-06-01T10:00"))  # fmt: skip


def test_only_a_senior_applies_retention(unit: UnitFactory, store: dict) -> None:
    with pytest.raises(NotPermitted):
        apply(unit, AFTER, by="officer.one")


# -- erasure on request --------------------------------------------------------------------


def erase(
    unit: UnitFactory, email: str, *, by: str = "sam.senior", now: datetime = AFTER,
    dry_run: bool = False,
) -> Any:  # fmt: skip
    with unit() as uow:
        return services.erase_consumer(
            uow, email=email, consumer_id=None, reason="Asked in writing", by=by, now=now,
            dry_run=dry_run,
        )  # fmt: skip


def test_an_erasure_dry_run_writes_nothing_and_counts_what_would_change(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    before = dump_store(store_url)

    dry = erase(unit, "bob@example.com", dry_run=True)

    assert before == dump_store(store_url)
    assert 0 < dry.entries == erase(unit, "bob@example.com").entries


def test_erasure_removes_the_person_at_once_and_their_export_shows_nothing_of_them(
    unit: UnitFactory, store: dict[str, str], tmp_path: Path
) -> None:
    bob = consumer_id(unit, "bob@example.com")
    asked = act(
        unit, services.open_request, email="bob@example.com", consumer_id=None,
        received_at=t("2027-05-04T10:00"), by="officer.one", at=t("2027-05-04T10:00"),
    )  # fmt: skip
    act(
        unit, services.extend_request, sar_id=asked.id, months=1,
        reason="Bob's records are with his solicitor", by="lee.leader", at=t("2027-05-05T10:00"),
    )  # fmt: skip
    with unit() as uow:
        record_export(uow, consumer_id=bob, format="json", sha256="ab" * 32, by="officer.one",
                      at=t("2027-05-20T10:00"), now=t("2027-05-20T10:00"))  # fmt: skip
    act(unit, services.done_request, sar_id=asked.id, export_entry=None, by="officer.one",
        at=t("2027-05-20T11:00"))  # fmt: skip

    done = erase(unit, "bob@example.com", now=t("2027-06-01T12:00"))

    assert ("[erased 2027-06-01 on request]", (store["bob"],), (bob,)) == (
        done.marker, done.refs, done.consumer_ids,
    )  # fmt: skip
    with unit(write=False) as uow:
        exported = subject_access(
            uow, email=None, consumer_id=bob, templates=Templates(None), by="sam.senior",
            now=AFTER,
        )  # fmt: skip
    text = json.dumps(exported)
    for value in (
        "Bob",
        "bob@example.com",
        "High Street",
        "mother",
        "moving house",
        "shouted",
        "07700",
        "daughter",
    ):
        assert value not in text
    assert () == verified(unit).problems
    with unit(write=False) as uow:
        consumer = uow.session.get_one(Consumer, bob)
        kept = (consumer.email, consumer.preferred_contact, consumer.adjustments)
        reason = uow.session.get_one(SubjectAccessRequest, asked.id).extend_reason
        extended = json.loads(uow.entries_of("sar-extended")[-1].details)
    assert (None, None, "[]") == kept
    assert ("[erased 2027-06-01 on request]", 1) == (reason, extended["months"])
    assert "solicitor" not in json.dumps(extended)


@pytest.mark.parametrize("way_in", ["log", "import"])
def test_a_complaint_giving_the_removal_marker_as_name_and_address_is_a_new_consumer(
    unit: UnitFactory, store: dict[str, str], way_in: str
) -> None:
    """Bob, erased, keeps the marker as his name and address: a complaint that gives it is
    nobody's, never added to his record (his earlier cases, his details filled in again)."""
    bob = consumer_id(unit, "bob@example.com")
    marker = erase(unit, "bob@example.com", now=t("2027-06-01T12:00")).marker
    given = {"consumer": marker, "address": marker, "preferred_contact": "phone"}
    if way_in == "log":
        ref = log(unit, t("2027-06-02T10:00"), email=None, adjustments=("bsl",), **given)
    else:
        row = {"consumer": marker, "address": marker, "preferred_contact": "phone",
               "adjustments": "bsl", "channel": "post", "category": "delay",
               "summary": "Again", "received_at": "2027-06-02T10:00"}  # fmt: skip
        with unit() as uow:
            done = import_batch(
                uow, rows=[Row(2, row)], source_name="batch.csv", skip_invalid=False,
                dry_run=False, by="officer.one", now=t("2027-06-02T12:00"),
            )  # fmt: skip
        (ref,) = done.new
    with unit(write=False) as uow:
        record = uow.session.get_one(Consumer, bob)
        kept = (record.preferred_contact, record.adjustments)
        theirs = [case_ref for case_ref, _, _ in uow.cases_of(record)]
    assert ((None, "[]"), [store["bob"]]) == (kept, theirs)
    assert bob != show(unit, ref, AFTER).consumer_id


def test_erasure_is_refused_naming_each_thing_in_the_way_and_writes_nothing(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    cara = consumer_id(unit, "cara@example.com")
    hold(unit, consumer_id=cara)
    act(
        unit,
        services.restrict,
        email="cara@example.com",
        consumer_id=None,
        scope=RestrictionScope.PROCEDURE,
        reason="Abuse",
        review=None,
        dispute=None,
        channel=None,
        via=None,
        by="sam.senior",
        at=t("2027-06-01T11:00"),
    )
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed) as refused:
        erase(unit, "cara@example.com")

    assert (
        f"consumer {cara} cannot be erased while the data is needed: open cases "
        f"{store['cara']}; legal holds hold 1 on consumer {cara}; restrictions in force 1"
    ) == refused.value.message
    assert before == dump_store(store_url)


def test_erasure_is_for_senior_roles_and_only_once(unit: UnitFactory, store: dict) -> None:
    with pytest.raises(NotPermitted):
        erase(unit, "bob@example.com", by="officer.one")
    erase(unit, "bob@example.com")
    with pytest.raises(NotFound):
        erase(unit, "bob@example.com")
    with unit() as uow, pytest.raises(ActionNotAllowed, match="anonymised already"):
        services.erase_consumer(
            uow, email=None, consumer_id=consumer_id_of_erased(unit), reason="x",
            by="sam.senior", now=AFTER,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("reason", "named"),
    [
        ("Bob Browne asked in writing", "name"),
        ("asked by BOB@example.com on 1 June", "email"),
        ("Letter from 1 high street", "address"),
        ("Bob\u200b Browne asked in writing", "name"),  # a zero-width space pasted with it
        ("Bo\u00adb Browne asked in writing", "name"),  # a word processor's soft hyphen
    ],
)
def test_erasure_refuses_a_reason_holding_the_persons_details_and_writes_nothing(
    unit: UnitFactory, store: dict[str, str], store_url: str, reason: str, named: str
) -> None:
    # The reason stays on the record after the erasure, where nothing could remove it again.
    before = dump_store(store_url)

    with unit() as uow, pytest.raises(InvalidInput) as refused:
        services.erase_consumer(
            uow, email="bob@example.com", consumer_id=None, reason=reason, by="sam.senior",
            now=AFTER,
        )  # fmt: skip

    assert f"--reason holds the person's {named}" in refused.value.message
    assert before == dump_store(store_url)


@pytest.mark.parametrize("on", ["case", "consumer"])
def test_a_hold_refuses_a_reason_holding_the_persons_details_and_writes_nothing(
    unit: UnitFactory, store: dict[str, str], store_url: str, on: str
) -> None:
    # A hold's reasons are never removed by retention or erasure: they must not name the person.
    what: dict[str, Any] = (
        {"ref": store["bob"]}
        if on == "case"
        else {"consumer_id": consumer_id(unit, "bob@example.com")}
    )
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="--reason holds the person's name"):
        act(unit, services.add_hold, reason="Bob Browne is suing", by="lee.leader",
            at=t("2027-06-01T10:00"), **{"ref": None, "consumer_id": None, **what})  # fmt: skip
    assert before == dump_store(store_url)

    view = hold(unit, **what)
    before = dump_store(store_url)
    with pytest.raises(InvalidInput, match="--reason holds the person's email"):
        act(unit, services.lift_hold, hold_id=view.id, reason="bob@example.com settled",
            by="sam.senior", at=t("2027-07-01T10:00"))  # fmt: skip
    assert before == dump_store(store_url)


@pytest.mark.parametrize(
    ("reason", "named"),
    [("Dan Smiht asked in writing", "name"), ("asked by dan@example.com", "email")],
)
def test_a_reason_holding_the_persons_details_as_they_were_before_an_edit_is_refused(
    unit: UnitFactory, store: dict[str, str], store_url: str, reason: str, named: str
) -> None:
    # The history still holds the name and email as logged until the erasure removes them;
    # a reason that outlives it must not keep them instead.
    dan = log(unit, t("2026-12-03T10:00"), consumer="Dan Smiht", email="dan@example.com")
    act(unit, services.correct, ref=dan, reason="Misheard", by="officer.one",
        fields={"name": "Dan Smith", "email": "dan.smith@example.org"},
        at=t("2026-12-03T11:00"))  # fmt: skip
    act(unit, services.close, ref=dan, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-04T10:00"))  # fmt: skip
    before = dump_store(store_url)

    with unit() as uow, pytest.raises(InvalidInput, match=f"holds the person's {named}"):
        services.erase_consumer(
            uow, email="dan.smith@example.org", consumer_id=None, reason=reason,
            by="sam.senior", now=AFTER,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match=f"holds the person's {named}"):
        act(unit, services.add_hold, ref=dan, consumer_id=None, reason=reason,
            by="lee.leader", at=t("2027-06-01T10:00"))  # fmt: skip
    assert before == dump_store(store_url)


def consumer_id_of_erased(unit: UnitFactory) -> int:
    with unit(write=False) as uow:
        found = uow.session.exec(
            select(Consumer).where(col(Consumer.anonymised_at).is_not(None))
        ).first()
        assert found is not None
        assert found.id is not None
        return found.id


def test_a_letter_issued_before_erasure_loses_its_facts_and_no_letter_is_made_after(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    from tests.service.letters_journey import letter

    cara = store["cara"]
    act(unit, services.acknowledge, ref=cara, area="Casework", by="officer.one",
        at=t("2026-12-01T11:00"))  # fmt: skip
    letter(unit, cara, "acknowledgement", issue=True, at=t("2026-12-01T12:00"))
    act(unit, services.close, ref=cara, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-02T10:00"))  # fmt: skip

    erase(unit, "cara@example.com")

    with unit(write=False) as uow:
        exported = subject_access(
            uow, email=None, consumer_id=consumer_id_of_erased(unit), templates=Templates(None),
            by="sam.senior", now=AFTER,
        )  # fmt: skip
    assert "Cara" not in json.dumps(exported)
    (issued,) = exported["cases"][0]["letters"]
    assert (None, "acknowledgement") == (issued["text"], issued["kind"])
    with pytest.raises(ActionNotAllowed, match="personal data was removed"):
        letter(unit, cara, "acknowledgement", at=AFTER)
    assert () == verified(unit).problems


def test_erasure_waits_for_what_is_still_owed(unit: UnitFactory, store_url: str) -> None:
    ref = to_final(unit)  # a final response with goodwill: its payment owed, the window open
    act(
        unit, services.open_request, email="ann@example.com", consumer_id=None,
        received_at=t("2027-01-05T10:00"), by="officer.one", at=t("2027-01-05T10:00"),
    )  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed) as refused:
        erase(unit, "ann@example.com", now=t("2027-01-06T10:00"))

    assert ("still owed action 1, subject-access request 1, the referral window of " + ref) in str(
        refused.value
    )
    assert before == dump_store(store_url)


def test_erasure_waits_for_the_referral_window_to_its_last_second(
    unit: UnitFactory, store_url: str
) -> None:
    # The final response of Mon 4 Jan 2027 10:00 GMT: the consumer may refer until Sun 4 Apr
    # 10:00 BST (09:00 UTC), that instant included (a referral then is in time), so the data
    # is needed until it has passed.
    ref = to_final(unit)
    window = "the referral window of " + ref
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed) as refused:
        erase(unit, "ann@example.com", now=t("2027-04-04T09:00"))
    with pytest.raises(ActionNotAllowed) as after_it:  # the goodwill payment is owed still
        erase(unit, "ann@example.com", now=t("2027-04-04T09:00:01"))

    assert window in str(refused.value)
    assert window not in str(after_it.value)
    assert before == dump_store(store_url)


def test_nothing_more_is_recorded_on_a_case_whose_data_was_removed(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    bob = store["bob"]
    erase(unit, "bob@example.com", now=t("2027-06-01T12:00"))
    before = dump_store(store_url)
    at = t("2027-06-02T10:00")

    refusals = []
    for verb, inputs in (
        (services.note, {"text": "Bob rang", "direction": Direction.IN, "channel": Channel.PHONE}),
        (services.reopen, {"reason": "Bob asked again"}),
        (services.add_action, {"kind": ActionKind.REMEDY, "what": "Call Bob",
                               "owner": "officer.one", "due": None, "within": "2d"}),
    ):  # fmt: skip
        with pytest.raises(ActionNotAllowed) as refused:
            act(unit, verb, ref=bob, by="sam.senior", at=at, **inputs)
        refusals.append(str(refused.value))

    assert all("personal data was removed" in r for r in refusals), refusals
    assert before == dump_store(store_url)


def test_a_request_from_someone_erased_is_answered_but_never_extended_with_a_reason(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    """The law's month runs for their request too, answered by an export of what is left;
    an extension's reason, which may describe them, could never be removed in turn."""
    bob = consumer_id(unit, "bob@example.com")
    erase(unit, "bob@example.com", now=t("2027-06-01T12:00"))

    asked = act(unit, services.open_request, email=None, consumer_id=bob,
                received_at=t("2027-06-02T10:00"), by="officer.one",
                at=t("2027-06-02T10:00"))  # fmt: skip
    assert (f"consumer {bob}'s personal data was removed (Tue 2027-06-01 13:00 BST): "
            "an export holds none of it",) == asked.warnings  # fmt: skip
    before = dump_store(store_url)
    with pytest.raises(ActionNotAllowed, match="personal data was removed .*could never be"):
        act(unit, services.extend_request, sar_id=asked.id, months=1,
            reason="Bob's records are with his solicitor", by="lee.leader",
            at=t("2027-06-03T10:00"))  # fmt: skip
    assert before == dump_store(store_url)
    with unit() as uow:
        record_export(uow, consumer_id=bob, format="json", sha256="ab" * 32, by="officer.one",
                      at=t("2027-06-04T10:00"), now=t("2027-06-04T10:00"))  # fmt: skip
    done = act(unit, services.done_request, sar_id=asked.id, export_entry=None,
               by="officer.one", at=t("2027-06-04T11:00"))  # fmt: skip
    assert done.on_time


def test_an_action_left_open_on_a_removed_case_is_done_without_a_note(
    unit: UnitFactory, store: dict[str, str], store_url: str
) -> None:
    apply(unit, BETWEEN)  # Ann's final response, its goodwill still to pay, removed
    with unit(write=False) as uow:
        (owed,) = [
            a for a in services.list_actions(uow, as_of=BETWEEN, open_only=True)
            if a.ref == store["ann_final"]
        ]  # fmt: skip
    before = dump_store(store_url)

    with pytest.raises(ActionNotAllowed, match="personal data was removed: a note could never"):
        act(unit, services.action_done, action_id=owed.id, note="Paid Ann at 1 Low Road",
            by="sam.senior", at=BETWEEN)  # fmt: skip
    assert before == dump_store(store_url)
    done = act(unit, services.action_done, action_id=owed.id, note=None, by="sam.senior",
               at=BETWEEN)  # fmt: skip
    assert done.done_at == BETWEEN
    assert "1 Low Road" not in json.dumps(details(unit, store["ann_final"]))


def test_show_gives_a_removed_reason_as_its_words(unit: UnitFactory, store: dict[str, str]) -> None:
    apply(unit, BETWEEN)

    shown = case_json(show(unit, store["ann_final"], AFTER))

    assert "[removed 2033-02-01 under retention policy 1]" == shown["escalation"]["reason"]


def test_retention_removes_the_reason_an_action_was_handed_on(unit: UnitFactory) -> None:
    dan = log(unit, t("2026-12-01T09:30"), consumer="Dan Dyer", email="dan@example.com")
    opened = act(
        unit, services.add_action, ref=dan, kind=ActionKind.REMEDY, what="Call Dan back",
        owner="officer.one", due=None, within="2d", by="officer.one", at=t("2026-12-01T10:00"),
    )  # fmt: skip
    act(
        unit, services.reassign_action, action_id=opened.id, to="officer.two",
        reason="Dan asked not to deal with Olu", by="officer.one", at=t("2026-12-01T11:00"),
    )  # fmt: skip
    act(unit, services.action_done, action_id=opened.id, note=None, by="officer.two",
        at=t("2026-12-01T12:00"))  # fmt: skip
    withdraw(unit, dan, t("2026-12-02T10:00"))

    apply(unit, BETWEEN)

    entry = show(unit, dan, AFTER).latest("action-reassigned")
    assert entry is not None
    assert "Dan" not in json.dumps(entry.details)
    assert ({"removed", "sha256"}, "officer.one", "officer.two") == (
        set(entry.details["reason"]), entry.details["previous_owner"], entry.details["owner"],
    )  # fmt: skip
    assert verified(unit).intact


def test_the_reason_an_out_of_time_complaint_was_accepted_goes_with_the_case(
    unit: UnitFactory,
) -> None:
    # Why a late complaint was taken all the same is the person's circumstances, often their
    # health: erasure and retention remove it as they remove every other reason.
    from datetime import date

    def accepted_late(consumer: str, email: str) -> str:
        ref = log(unit, t("2026-11-30T10:00"), consumer=consumer, email=email,
                  about=date(2026, 3, 1))  # fmt: skip
        act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
            at=t("2026-12-01T10:00"), out_of_time_reason=f"{consumer} was in hospital")  # fmt: skip
        withdraw(unit, ref, t("2026-12-02T10:00"))
        return ref

    erased = accepted_late("Dan Dyer", "dan@example.com")
    kept_on = accepted_late("Eve Ellis", "eve@example.com")

    erase(unit, "dan@example.com")
    apply(unit, AFTER)

    for ref in (erased, kept_on):
        entry = show(unit, ref, AFTER).latest("acknowledge")
        assert entry is not None
        assert "hospital" not in json.dumps(entry.details)
        assert {"removed", "sha256"} == set(entry.details["out_of_time_accepted"])
        assert "Casework" == entry.details["area"]
    assert verified(unit).intact


@sqlite_only
@pytest.mark.parametrize(
    "removal",
    [lambda unit: erase(unit, "dan@example.com"), lambda unit: apply(unit, AFTER)],
    ids=["erasure", "retention"],
)
def test_nothing_removed_stays_in_the_search_index_of_the_store_file(
    unit: UnitFactory, store_url: str, removal: Any
) -> None:
    # FTS5 keeps a deleted row's terms, with their positions, in its older segments until they
    # merge: what erasure or retention removed could be read back from the file. The name is in
    # characters nothing else in the store has: the trigram 龘鱻靐 follows 鱻靐 , the only
    # term before it that starts with the same byte, so the index stores it as that byte and
    # the rest of it, which no other term holds. (FTS5 merges four segments at a level: here,
    # one for each case logged and one for the removal.)
    erased = log(unit, t("2026-12-01T09:30"), consumer="Dan 龘鱻靐", email="dan@example.com")
    withdraw(unit, erased, t("2026-12-02T10:00"))
    kept = log(unit, t("2026-12-01T10:30"), consumer="Cara Cole", email="cara@example.com")
    withdraw(unit, kept, t("2026-12-02T11:00"))

    removal(unit)

    # As when the last command closes the store: the write-ahead log moved into the file.
    with closing(sqlite3.connect(store_url)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    held = Path(store_url).read_bytes()
    assert "龘鱻靐".encode()[1:] not in held
    with unit(write=False) as uow:
        assert () == services.find_cases(uow, text="龘鱻靐").items


def test_retention_removes_the_reason_a_case_was_handed_on(unit: UnitFactory) -> None:
    dan = log(unit, t("2026-12-01T09:30"), consumer="Dan Dyer", email="dan@example.com")
    act(unit, services.acknowledge, ref=dan, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    act(unit, services.assign, ref=dan, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.assign, ref=dan, to="ruth.responder", reason="Dan knows Rita",
        by="lee.leader", at=t("2026-12-01T12:00"))  # fmt: skip
    withdraw(unit, dan, t("2026-12-02T10:00"))

    apply(unit, BETWEEN)

    entry = show(unit, dan, AFTER).latest("assign")
    assert entry is not None
    assert "Dan" not in json.dumps(entry.details)
    assert ({"removed", "sha256"}, "rita.responder", "ruth.responder") == (
        set(entry.details["reason"]), entry.details["was"], entry.details["to"],
    )  # fmt: skip
    assert verified(unit).intact


def test_a_list_as_of_a_moment_counts_the_holds_requests_and_restrictions_of_that_moment(
    unit: UnitFactory, store: dict[str, str]
) -> None:
    """Bob's case ran out on 2 December 2032. A hold placed on it in January 2033 and lifted
    in March, a subject-access request of his open from 15 to 20 January, and a restriction
    decided in January: each counts in a list as of a moment while it was in force, never
    as of one before it began or after it ended."""
    bob = consumer_id(unit, "bob@example.com")
    held = act(unit, services.add_hold, ref=store["bob"], consumer_id=None, reason="Litigation",
               by="lee.leader", at=t("2033-01-10T10:00"))  # fmt: skip
    act(unit, services.open_request, email=None, consumer_id=bob, received_at=t("2033-01-15T10:00"),
        by="officer.one", at=t("2033-01-15T10:00"))  # fmt: skip
    with unit() as uow:
        record_export(uow, consumer_id=bob, format="json", sha256="ab" * 32, by="officer.one",
                      at=t("2033-01-20T10:00"), now=t("2033-01-20T10:00"))  # fmt: skip
    act(unit, services.done_request, sar_id=1, export_entry=None, by="officer.one",
        at=t("2033-01-20T11:00"))  # fmt: skip
    act(unit, services.restrict, email=None, consumer_id=bob, scope=RestrictionScope.PROCEDURE,
        reason="Abuse", review=None, dispute=None, channel=None, via=None, by="sam.senior",
        at=t("2033-01-25T10:00"))  # fmt: skip
    act(unit, services.lift_hold, hold_id=held.id, reason="Settled", by="sam.senior",
        at=t("2033-03-01T10:00"))  # fmt: skip

    def bobs(as_of: str) -> list[tuple[str, str | None]]:
        his = (store["bob"], f"consumer {bob}")
        return [(state, why) for what, state, _, why in due(unit, t(as_of)) if what in his]

    def holds(as_of: str) -> list[int]:
        with unit(write=False) as uow:
            return [h.id for h in services.retention_due(uow, as_of=t(as_of)).holds]

    assert [
        [("due", None), ("due", None)],
        [("held", "on legal hold; subject-access request 1 open")] * 2,
        [("held", "on legal hold"), ("held", "on legal hold")],
        [("due", None), ("kept", "restriction 1 in force")],
    ] == [bobs("2033-01-01T12:00"), bobs("2033-01-18T12:00"), bobs("2033-01-22T12:00"),
          bobs("2033-03-02T12:00")]  # fmt: skip
    assert [[], [held.id], []] == [
        holds("2033-01-01T12:00"),
        holds("2033-01-18T12:00"),
        holds("2033-03-02T12:00"),
    ]
