"""Correcting a case (`edit`): each change recorded old and new with its reason; the consumer's
fields shared by their cases; a settled case corrected by a senior only; nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest

from complaintctl import services
from complaintctl.domain.procedure import Category, Channel, CloseReason
from complaintctl.errors import CaseChanged, InvalidInput, NotFound, NotPermitted, NotStaff
from tests.conftest import UnitFactory
from tests.service.journey import act, log, show, t

AT = t("2026-12-01T10:00")


def correct(unit: UnitFactory, ref: str, by: str = "officer.two", **fields: Any) -> Any:
    return act(
        unit, services.correct, ref=ref, reason="Taken down wrong", fields=fields, by=by, at=AT
    )


def test_each_correction_is_recorded_with_its_old_and_new_value_and_the_reason(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), consumer="Ann Smiht", dispute="d-1")
    before = show(unit, ref)

    view = correct(
        unit,
        ref,
        name="Ann Smith",
        summary="No reply to my letters",
        category=Category.EXPLANATION,
        channel=Channel.POST,
        dispute="",
        board=True,
    )

    assert (
        "Ann Smith",
        "No reply to my letters",
        "explanation",
        "post",
        None,
        True,
        before.version + 1,
    ) == (
        view.consumer,
        view.summary,
        view.category,
        view.channel,
        view.dispute,
        view.board,
        view.version,
    )
    entry = view.history[-1]
    assert ("edit", "officer.two", AT) == (entry.action, entry.actor, entry.at)
    assert {
        "reason": "Taken down wrong",
        # The consumer's details and what they said apart from the rest (retention removes
        # them alone).
        "personal_changes": [
            {"field": "name", "old": "Ann Smiht", "new": "Ann Smith"},
            {"field": "summary", "old": "No reply", "new": "No reply to my letters"},
            {"field": "dispute", "old": "D-1", "new": None},
        ],
        "changes": [
            {"field": "category", "old": "delay", "new": "explanation"},
            {"field": "channel", "old": "email", "new": "post"},
            {"field": "board", "old": False, "new": True},
        ],
    } == entry.details


def test_only_what_differs_is_recorded(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    view = correct(unit, ref, name="Ann Smith", email="ANN.SMITH@example.com")
    assert [{"field": "email", "old": "ann@example.com", "new": "ann.smith@example.com"}] == (
        view.history[-1].details["personal_changes"]
    )


def test_the_consumers_name_is_corrected_on_every_case_of_theirs(unit: UnitFactory) -> None:
    first = log(unit, t("2026-11-30T10:00"), consumer="Ann Smiht")
    second = log(unit, t("2026-11-30T11:00"), consumer="Ann Smiht")
    correct(unit, first, name="Ann Smith", address="1 High Street")
    assert ("Ann Smith", "1 High Street") == (
        show(unit, second).consumer,
        show(unit, second).address,
    )
    # The edit is in the history of the case it was made on.
    assert ["log"] == [e.action for e in show(unit, second).history]


def test_an_edit_does_not_order_the_case_a_step_that_happened_before_it_is_still_recorded(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    correct(unit, ref, name="Ann Smyth")  # recorded at 1 Dec 10:00
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2026-11-30T15:00"),
    )
    assert "first-stage" == show(unit, ref).stage


def test_a_closed_case_is_corrected_by_a_senior_only(unit: UnitFactory) -> None:
    ref = log(unit, t("2026-11-30T09:00"))
    act(
        unit, services.close, ref=ref, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-11-30T09:30"),
    )  # fmt: skip
    with pytest.raises(NotPermitted, match="is closed: only senior-complaint-executive"):
        correct(unit, ref, name="Ann Smyth")
    assert "Ann Smyth" == correct(unit, ref, by="sam.senior", name="Ann Smyth").consumer


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "say what to correct"),
        ({"name": "Ann Smith"}, "nothing to correct"),
        ({"name": " "}, "--name must not be empty"),
        ({"email": "not an email"}, "is not an email address"),
        ({"email": ""}, "needs an email or an address"),
        ({"email": "bob@example.com"}, "is the email of another consumer"),
        ({"summary": "a\x1b[2Jb"}, "--summary"),
    ],
)
def test_a_correction_that_cannot_be_made_is_refused_and_writes_nothing(
    unit: UnitFactory, fields: dict[str, Any], message: str
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    log(unit, t("2026-11-30T11:00"), consumer="Bob Jones", email="bob@example.com")
    before = show(unit, ref)
    with pytest.raises(InvalidInput, match=message):
        correct(unit, ref, **fields)
    assert before == show(unit, ref)


def test_a_correction_to_a_case_that_moved_on_since_it_was_read_is_refused(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"))
    with unit() as uow:
        uow.seen_versions[ref] = 5
        with pytest.raises(CaseChanged):
            services.correct(
                uow, ref=ref, reason="x", fields={"name": "Ann Smyth"}, by="officer.two", at=AT,
                now=AT,
            )  # fmt: skip
    assert "Ann Smith" == show(unit, ref).consumer


def one_closed_one_open(unit: UnitFactory) -> tuple[str, str]:
    """Ann's case withdrawn on 30 Nov, and another of hers logged after it, open."""
    closed = log(unit, t("2026-11-30T09:00"))
    act(
        unit, services.close, ref=closed, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-11-30T09:30"),
    )  # fmt: skip
    return closed, log(unit, t("2026-11-30T10:00"))


def test_the_consumers_details_on_a_settled_case_are_corrected_by_a_senior_only_from_any_case(
    unit: UnitFactory,
) -> None:
    closed, open_case = one_closed_one_open(unit)

    with pytest.raises(NotPermitted, match=f"details are also on {closed}, closed or assessed"):
        correct(unit, open_case, name="Ann Smyth")
    # The case's own fields are the open case's alone.
    assert "explanation" == correct(unit, open_case, category=Category.EXPLANATION).category
    assert "Ann Smyth" == correct(unit, open_case, by="sam.senior", name="Ann Smyth").consumer


def check(
    unit: UnitFactory, ref: str, fields: list[str], by: str = "officer.two", **kw: Any
) -> Any:
    """Check a correction of `fields`, each still to be typed, and of the values `given`."""
    kw.setdefault("reason", "Taken down wrong")
    kw.setdefault("at", AT)
    typed = {**dict.fromkeys(fields), **kw.pop("given", {})}
    return act(unit, services.check_correction, ref=ref, fields=typed, by=by, **kw)


def test_what_refuses_a_correction_whatever_is_typed_is_refused_before_it_is_typed(
    unit: UnitFactory,
) -> None:
    """`edit --summary -e` asks first, before $EDITOR opens: the officer never types a summary
    for it to be refused after."""
    closed, open_case = one_closed_one_open(unit)

    with pytest.raises(NotPermitted, match="is closed: only senior-complaint-executive"):
        check(unit, closed, ["summary"])
    with pytest.raises(NotPermitted, match=f"details are also on {closed}, closed or assessed"):
        check(unit, open_case, ["address"])
    with pytest.raises(InvalidInput, match="--reason must not be empty"):
        check(unit, open_case, ["summary"], reason=" ")
    with pytest.raises(InvalidInput, match="--at is before"):
        check(unit, open_case, ["summary"], at=t("2026-11-30T09:59"))
    with pytest.raises(NotStaff):
        check(unit, open_case, ["summary"], by="nobody")
    with pytest.raises(NotFound):
        check(unit, "SC-2026-999999", ["summary"])
    # A value given beside the one to be typed, refused whatever is typed.
    with pytest.raises(InvalidInput, match="'not-an-email' is not an email address"):
        check(unit, open_case, ["summary"], given={"email": "not-an-email"}, by="sam.senior")
    with pytest.raises(InvalidInput, match="--name must not be empty"):
        check(unit, open_case, ["summary"], given={"name": " "}, by="sam.senior")
    with unit() as uow:
        uow.seen_versions[open_case] = 5
        with pytest.raises(CaseChanged):
            services.check_correction(
                uow, ref=open_case, reason="x", fields={"summary": None}, by="officer.two", at=AT,
                now=AT,
            )  # fmt: skip
    # What the correction itself allows, it allows: the summary of the open case, the
    # consumer's details by a senior.
    assert check(unit, open_case, ["summary"]) is None
    assert check(unit, open_case, ["address"], by="sam.senior") is None
