"""Everything held about a person, for their subject-access request (UK GDPR Article 15).

One document: their contact details and needs, every case with its whole history (who at the
organisation recorded each thing, and when), the contact log, the letters issued to them with
their text, every restriction and the incidents recorded against them. Making one is
recorded in the history — who exported whose data, when, and the SHA-256 of the file — never
the content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintctl.domain.chain import is_marker
from complaintctl.domain.procedure import Action, StoreAction
from complaintctl.errors import ComplaintError
from complaintctl.letters import Templates, html_to_text
from complaintctl.services.common import (
    acting_staff,
    authorise_store,
    event_views,
    not_in_future,
)
from complaintctl.services.reads import show_case, show_consumer
from complaintctl.services.restrictions import find_consumer
from complaintctl.store.retention import store_entries_about
from complaintctl.store.uow import UnitOfWork
from complaintctl.views import (
    case_json,
    consumer_record_json,
    history_entry_json,
    issued_letter_json,
    versioned,
)


def subject_access(
    uow: UnitOfWork,
    *,
    email: str | None,
    consumer_id: int | None,
    templates: Templates,
    by: str,
    now: datetime,
) -> dict[str, Any]:
    """The person's whole record as one JSON document (`consumer export`)."""
    by = authorise_store(acting_staff(uow, by), StoreAction.EXPORT_CONSUMER)
    record = show_consumer(uow, email=email, consumer_id=consumer_id, as_of=now)
    tz = ZoneInfo(record.zone)
    cases = []
    for summary in record.cases:
        view = show_case(uow, ref=summary.ref, as_of=now)
        whole = case_json(view)
        del whole["schema_version"]
        whole["letters"] = [
            {**issued_letter_json(entry, tz), **_letter_text(templates, entry.details)}
            for entry in view.history
            if entry.action == Action.LETTER
        ]
        cases.append(whole)
    person = consumer_record_json(record)
    del person["schema_version"], person["cases"]
    about_them = store_entries_about(uow.session, record.id)
    return versioned(
        {
            "exported_at": now.astimezone(tz).isoformat(timespec="seconds"),
            "exported_by": by,
            "consumer": person,
            "cases": cases,
            # Restrictions, holds, requests, exports, details changed with no case open.
            "store_history": [history_entry_json(e, tz) for e in event_views(about_them)],
        }
    )


def _letter_text(templates: Templates, details: dict[str, Any]) -> dict[str, Any]:
    """A letter's text, made again from the facts its issue recorded, and whether it was made
    from the templates it was issued from (if not, the words may differ from those sent; the
    facts are the same). No text where the templates no longer render those facts, or the
    facts were removed (retention or erasure)."""
    if is_marker(details.get("facts")):
        return {"text": None, "same_template": False}
    try:
        rendered = templates.render(str(details["kind"]), details["facts"])
    except (ComplaintError, KeyError):
        return {"text": None, "same_template": False}
    return {
        "text": html_to_text(rendered.html),
        "same_template": rendered.template_sha256 == details.get("template_sha256"),
    }


def record_export(
    uow: UnitOfWork,
    *,
    consumer_id: int,
    format: str,
    sha256: str,
    by: str,
    at: datetime,
    now: datetime,
    commit: bool = True,
) -> int:
    """Record that the person's data was exported: by whom, when, in what form, and the hash
    of the file, not its content. Committed unless `commit` is false (`sar done -o` answers a
    request with it in the same transaction). The history entry's id."""
    not_in_future(at, now, uow)
    by = authorise_store(acting_staff(uow, by), StoreAction.EXPORT_CONSUMER)
    consumer = find_consumer(uow, email=None, consumer_id=consumer_id)
    entry = uow.record(
        None,
        Action.CONSUMER_EXPORTED,
        by=by,
        at=at,
        now=now,
        consumer_id=consumer.id,
        format=format,
        sha256=sha256,
    )
    if commit:
        uow.commit()
    assert entry.id is not None
    return entry.id
