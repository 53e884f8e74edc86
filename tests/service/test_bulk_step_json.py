"""A step's --json on many cases: each case read back whole, as `show --json` gives it, held to
the output the step gave on a small store of cases at every stage (with an extension, actions
open and done, a goodwill payment's action, restrictions in force and lifted, incidents, a
case reopened, consumers with and without an email), byte for byte. (PIN_BULK_STEP_JSON=1
writes the pinned output anew, for a change to the JSON made on purpose.)"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintctl import services
from complaintctl.domain.procedure import (
    ActionKind,
    Category,
    Channel,
    CloseReason,
    Direction,
    RestrictionScope,
)
from complaintctl.services.common import case_view
from complaintctl.text import json_text
from complaintctl.views import CaseView, case_json, step_json
from tests.conftest import UnitFactory
from tests.service.journey import act, log, t, to_final, to_first_stage, to_second_stage

PINNED = Path(__file__).with_name("bulk_step_json.json")
AT = t("2027-01-11T10:00")
NOW = t("2027-01-12T12:00")


def mixed_store(unit: UnitFactory) -> list[str]:
    """Cases at every stage, for two consumers (and one with no email), with what a case view
    shows besides its own row."""
    received = log(unit, t("2026-11-30T09:00"))
    extended = to_first_stage(unit)
    act(unit, services.assign, ref=extended, to="rita.responder", by="lee.leader",
        at=t("2026-12-01T11:00"))  # fmt: skip
    act(unit, services.extend, ref=extended, until=t("2026-12-18T17:00"),
        reason="Agreed by phone", by="rita.responder", at=t("2026-12-02T10:00"))  # fmt: skip
    act(unit, services.add_action, ref=extended, kind=ActionKind.REMEDY, what="Call Ann back",
        owner="hana.handler", due=None, within="10d", by="officer.one",
        at=t("2026-12-02T11:00"))  # fmt: skip
    done = act(unit, services.add_action, ref=extended, kind=ActionKind.IMPROVEMENT,
               what="Fix the form", owner="officer.one", due=t("2026-12-20T17:00"),
               within=None, by="officer.one", at=t("2026-12-02T11:30"))  # fmt: skip
    act(unit, services.action_done, action_id=done.id, note="Fixed", by="officer.one",
        at=t("2026-12-03T10:00"))  # fmt: skip
    second = to_second_stage(unit)
    final = to_final(unit)  # a goodwill payment: its "pay" action
    act(unit, services.restrict, email="ann@example.com", consumer_id=None,
        scope=RestrictionScope.CONTACT, reason="Repeated calls", review=None, dispute=None,
        channel=None, via="rita.responder", by="sam.senior", at=t("2026-12-04T12:00"))  # fmt: skip
    lifted = act(unit, services.restrict, email="ann@example.com", consumer_id=None,
                 scope=RestrictionScope.CONTACT, reason="Email only", review=None,
                 dispute=None, channel=Channel.EMAIL, via=None, by="sam.senior",
                 at=t("2026-12-04T12:30"))  # fmt: skip
    act(unit, services.lift, restriction_id=lifted.id, reason="Calmer", by="sam.senior",
        at=t("2026-12-05T12:30"))  # fmt: skip
    act(unit, services.record_incident, ref=received, note="Shouted at Olu", by="officer.one",
        at=t("2026-12-04T15:00"))  # fmt: skip
    bob = log(unit, t("2026-12-07T10:00"), consumer="Bob Brown", email="bob@example.com",
              category=Category.MISTREATED, summary="Rude on the phone — twice",
              adjustments=("large print",), preferred_contact="post")  # fmt: skip
    act(unit, services.close, ref=bob, reason=CloseReason.WITHDRAWN, because=None, note=None,
        by="officer.one", at=t("2026-12-08T10:00"))  # fmt: skip
    act(unit, services.reopen, ref=bob, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-09T10:00"))  # fmt: skip
    no_email = log(unit, t("2026-12-10T10:00"), consumer="Cy Post", email=None,
                   address="2 Low Road, Leeds", channel=Channel.POST)  # fmt: skip
    closed = log(unit, t("2026-12-10T11:00"), consumer="Cy Post", email=None,
                 address="2 Low Road, Leeds", channel=Channel.POST)  # fmt: skip
    act(unit, services.close, ref=closed, reason=CloseReason.WITHDRAWN, because=None,
        note="By letter", by="officer.one", at=t("2026-12-11T10:00"))  # fmt: skip
    return [received, extended, second, final, bob, no_email, closed]


def bulk_json(
    unit: UnitFactory, refs: list[str], spec: Any, by: str, at: datetime = AT, **flags: Any
) -> str:
    """The step's --json on `refs`, as the command prints it."""
    options = {"continue_on_error": False, "dry_run": False, **flags}
    with unit() as uow:
        result = services.take_steps(uow, refs, spec, by=by, at=at, now=NOW, **options)
    done = [view for view in result.done if isinstance(view, CaseView)]
    assert len(done) == len(result.done)
    refused = [(ref, err.message, err.exit_code) for ref, err in result.refused]
    data = step_json(applied=result.applied, dry_run=result.dry_run, done=done, refused=refused)
    return json_text(data)


def test_a_bulk_steps_json_is_as_pinned(unit: UnitFactory) -> None:
    refs = mixed_store(unit)
    received, no_email = refs[0], refs[5]
    outputs = [
        # Every case, whatever its stage: a note, then an incident, on all of them.
        bulk_json(
            unit, refs, services.Note("Called back", Direction.OUT, Channel.PHONE), "officer.one"
        ),
        bulk_json(
            unit,
            [*refs, "SC-2026-999999"],
            services.Incident("Swore again"),
            "officer.one",
            continue_on_error=True,
        ),
        # A step of the procedure, on two cases it suits and one it does not: a dry run, and
        # then the step on the two, dated before a deadline it is recorded after (a warning).
        bulk_json(
            unit,
            [received, refs[1], no_email],
            services.Acknowledge("casework"),
            "officer.one",
            dry_run=True,
        ),
        bulk_json(
            unit,
            [received, refs[1], no_email],
            services.Acknowledge("Casework"),
            "officer.one",
            at=t("2026-12-10T12:00"),
            continue_on_error=True,
        ),
    ]
    text = "\n".join(outputs) + "\n"
    if os.environ.get("PIN_BULK_STEP_JSON"):
        PINNED.write_text(text, encoding="utf-8")
    assert PINNED.read_text(encoding="utf-8") == text


def test_each_case_reads_back_as_one_case_alone_does(unit: UnitFactory) -> None:
    """The cases read together are each what reading it alone (`show` after the step) gives."""
    refs = mixed_store(unit)
    with unit() as uow:
        result = services.take_steps(
            uow, refs, services.Note("On file"), by="officer.one", at=AT, now=NOW,
            continue_on_error=False, dry_run=False,
        )  # fmt: skip
    with unit(write=False) as uow:
        alone = [
            case_json(
                case_view(uow, uow.case_by_ref(ref), as_of=NOW, recorded_by=NOW)  # type: ignore[arg-type]
            )
            for ref in refs
        ]
    together = [case_json(view) for view in result.done if isinstance(view, CaseView)]
    assert alone == together
