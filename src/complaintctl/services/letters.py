"""Letters to the consumer, made from the case, and proof of what went out.

A letter's facts come from the history entry of the step it reports (the acknowledgement's
area and response due, the final response's decision and referral date), so a letter says what
was decided then, whatever happened since. Issuing one records those facts, the template's
checksum and the SHA-256 of the bytes: the letter made again later is made from the recorded
facts and issue date, and comes out the same, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from complaintctl import text
from complaintctl.config import Organisation
from complaintctl.domain import letters as rules
from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.domain.clocks import DeadlineKind
from complaintctl.domain.instants import format_local
from complaintctl.domain.intake import adjustment_key
from complaintctl.domain.letters import LetterFormat, LetterKind
from complaintctl.domain.procedure import (
    Action,
    CloseReason,
    Decision,
    Direction,
    OutOfScope,
    Stage,
)
from complaintctl.errors import ActionNotAllowed, ComplaintError, InvalidInput, NotFound
from complaintctl.letters import Templates, to_eml, to_pdf, to_text
from complaintctl.services.common import (
    authorise,
    looks_like_ref,
    missing_case,
    not_before_receipt,
    not_in_future,
)
from complaintctl.services.reads import show_case
from complaintctl.services.steps import Plan, Spec, Taking, take_steps
from complaintctl.store.bulk import CaseRow
from complaintctl.store.models import Restriction
from complaintctl.store.uow import UnitOfWork
from complaintctl.views import CaseView, EventView, Letter, LetterBatch, RestrictionView

# Adjustments a letter itself meets; any other is named to the officer making the letter.
MET_BY_THE_LETTER = frozenset({"large-print"})


def issued_letters(view: CaseView, kind: str | None = None) -> list[EventView]:
    """The letters issued on the case, oldest first (of one kind, if given)."""
    return [
        entry
        for entry in view.history
        if entry.action == Action.LETTER and (kind is None or entry.details.get("kind") == kind)
    ]


def default_format(view: CaseView, *, pdf_ok: Callable[[], bool]) -> LetterFormat:
    """The consumer's preferred contact decides: email gives an email, post a PDF (HTML to
    print where PDFs cannot be made here); with no preference, an email where there is an
    address for one. `pdf_ok` is asked only for a letter by post: finding out loads the PDF
    library, which nothing else needs."""
    if view.email and view.preferred_contact != "post":
        return LetterFormat.EML
    return LetterFormat.PDF if pdf_ok() else LetterFormat.HTML


def letter_channel(view: CaseView, format: LetterFormat) -> str:
    """How a letter in `format` goes to the consumer: an email by email; a PDF or HTML, made
    to print, by post where there is an address to send it to; plain text as the consumer is
    reached (as `default_format` chooses). Never by post to a consumer with no address, nor
    by email to one with no email."""
    if format == LetterFormat.EML:
        return "email"
    if not view.email:
        return "post"
    if not view.address:
        return "email"
    if format == LetterFormat.TEXT:
        return "post" if view.preferred_contact == "post" else "email"
    return "post"


def make_letters(
    uow: UnitOfWork,
    *,
    refs: Sequence[str],
    kind: str,
    format: LetterFormat | None,
    templates: Templates,
    organisation: Organisation,
    issue: bool,
    reissue: bool,
    pdf_ok: Callable[[], bool],
    at: datetime,
    now: datetime,
    restriction: int | None = None,
) -> LetterBatch:
    """Each case's letter of `kind`, and those of them that `issue` records (see
    `record_issued`). An issued letter is made again from what was recorded, unless
    `reissue`. One case refused refuses them all. `at` (when it is made, its date) is never
    in the future, issued or not: as every step's. `pdf_ok` says whether PDFs can be made
    here, asked only where no `format` is given and the consumer's letter goes by post.
    `restriction` chooses which restriction in force a restriction letter tells of (by
    default the latest decided)."""
    not_in_future(at, now, uow)
    chosen_restriction: Restriction | None = None
    if restriction is not None:
        if kind != LetterKind.RESTRICTION:
            raise InvalidInput(
                "--restriction chooses which restriction a restriction letter tells of: it "
                f"goes with that kind, not {text.one_line(kind)}"
            )
        chosen_restriction = uow.restriction(restriction)
        if chosen_restriction is None:
            raise NotFound(f"no restriction {restriction}")
    templates.known(kind)
    templates.check(kind)
    made: list[Letter] = []
    refused: list[tuple[str, ComplaintError]] = []
    tz = uow.calendar().tz
    for ref in refs:
        try:
            if not looks_like_ref(ref):
                raise missing_case(ref)
            view = show_case(uow, ref=ref, as_of=now)
            row = uow.case_by_ref(view.ref)
            if row is not None and row.anonymised_at is not None:
                raise ActionNotAllowed(
                    f"{view.ref}: its personal data was removed ({view.summary}), so no "
                    "letter can be made from it"
                )
            chosen = format or default_format(view, pdf_ok=pdf_ok)
            # Chosen by --restriction; otherwise the latest in force, as the letter has it.
            told = None if chosen_restriction is None else _told(view, chosen_restriction)
            made.append(_letter(view, kind, chosen, templates, organisation, reissue, at, tz, told))
        except ComplaintError as err:
            refused.append((ref, err))
    if refused:
        return LetterBatch((), tuple(refused), (), tz.key)
    to_issue = tuple(letter for letter in made if issue and _needs_recording(letter, reissue))
    return LetterBatch(tuple(made), (), to_issue, tz.key)


def record_issued(
    uow: UnitOfWork, batch: LetterBatch, *, by: str, at: datetime, now: datetime, dry_run: bool
) -> tuple[tuple[str, ComplaintError], ...]:
    """Record the batch's letters to issue, each a history entry (committed unless a dry
    run); the refusals, where nothing was written."""
    if not batch.to_issue:
        return ()
    result = take_steps(
        uow,
        [letter.ref for letter in batch.to_issue],
        IssueLetter({letter.ref: _issue_details(letter) for letter in batch.to_issue}),
        by=by,
        at=at,
        now=now,
        continue_on_error=False,
        dry_run=dry_run,
        full_views=False,
    )
    return result.refused


def _needs_recording(letter: Letter, reissue: bool) -> bool:
    """An issue of the same letter in the same format is recorded once."""
    return reissue or not (letter.reproduces is not None and letter.same_bytes is not None)


def _letter(
    view: CaseView,
    kind: str,
    chosen: LetterFormat,
    templates: Templates,
    organisation: Organisation,
    reissue: bool,
    at: datetime,
    tz: ZoneInfo,
    told: RestrictionView | None = None,
) -> Letter:
    # Made again from what was recorded, too: not once the step it reports was undone.
    _step_in_force(view, kind)
    earlier = [] if reissue else _reporting_its_step(view, kind, issued_letters(view, kind), told)
    # The letter issued in this format is made again as it went out: its facts, and its issue
    # date (an email's Date). One issued in another format only lends its facts: issued in
    # this format, it is dated now.
    same_format = [e for e in earlier if e.details.get("format") == chosen]
    reproduces = same_format[-1] if same_format else (earlier[-1] if earlier else None)
    # Made anew or from facts recorded earlier, a letter is never dated before its step.
    _issued_after_its_step(view, kind, at, told)
    if reproduces is not None:
        facts = reproduces.details["facts"]
        issued_at = reproduces.at if same_format else at
    else:
        issued_at = at
        facts = letter_facts(view, kind, organisation, issued_at, told)
    templates.check(kind, facts, view.ref)
    rendered = templates.render(kind, facts)
    content = encode(chosen, facts, rendered.html, issued_at)
    digest = hashlib.sha256(content).hexdigest()
    notes = [
        f"{view.ref}: the consumer needs {need}: this letter does not meet it of itself"
        for need in view.adjustments
        if adjustment_key(need) not in MET_BY_THE_LETTER
    ]
    same_bytes = None
    if same_format:
        recorded = same_format[-1].details
        same_bytes = recorded.get("sha256") == digest
        if not same_bytes:
            was = str(recorded.get("template_sha256", "?"))
            why = (
                f"the template has changed since (issued from {was[:12]}, "
                f"now {rendered.template_sha256[:12]})"
                if was != rendered.template_sha256
                else "the template is the same, so what made the "
                f"{chosen.value} (this program or its fonts) has changed since"
            )
            notes.append(
                f"{view.ref}: this is not the {kind} letter issued "
                f"{_local(same_format[-1].at, tz)}: {why}; nothing is recorded for it "
                "(--reissue issues one anew from the case as it is now)"
            )
    return Letter(
        view.ref,
        kind,
        chosen,
        content,
        digest,
        rendered.template,
        rendered.origin,
        rendered.template_sha256,
        facts,
        issued_at,
        reproduces,
        same_bytes,
        tuple(notes),
        letter_channel(view, chosen),
    )


def _reporting_its_step(
    view: CaseView, kind: str, letters: list[EventView], told: RestrictionView | None = None
) -> list[EventView]:
    """The issued letters that report the step a letter of `kind` reports now: one issued
    before a later step of its kind (a second agreed timescale, a new restriction) told of an
    earlier one, and is not the letter to make again."""
    rule = rules.rule_of(kind)
    if rule.action is not None:
        # The history is in the order recorded: a letter recorded after the latest step.
        step = max((i for i, e in enumerate(view.history) if e.action == rule.action), default=-1)
        after = [e for i, e in enumerate(view.history) if i > step]
        return [e for e in letters if any(e is later for later in after)]
    if kind == LetterKind.RESTRICTION and view.restrictions:
        # The restriction in force that a letter would tell of now (lifted ones tell nothing).
        now = _restriction_facts(view, ZoneInfo(view.zone), view.received_at, told)
        facts = ("restriction_scope", "restriction_reason", "restriction_decided_on")
        return [e for e in letters if all(e.details["facts"].get(k) == now[k] for k in facts)]
    return letters


def _local(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"on {local:%Y-%m-%d at %H:%M %Z}"


def encode(format: LetterFormat, facts: dict[str, Any], html: str, issued_at: datetime) -> bytes:
    if format == LetterFormat.HTML:
        return html.encode("utf-8")
    if format == LetterFormat.TEXT:
        return to_text(html)
    if format == LetterFormat.EML:
        return to_eml(facts, html, issued_at)
    return to_pdf(html)


def _issue_details(letter: Letter) -> dict[str, Any]:
    return {
        "kind": letter.kind,
        "format": letter.format.value,
        "direction": Direction.OUT.value,
        "channel": letter.channel,
        "template": letter.template,
        "template_origin": letter.template_origin,
        "template_sha256": letter.template_sha256,
        "sha256": letter.sha256,
        "size": len(letter.content),
        "text": f"issued the {letter.kind} letter ({letter.format.value}, "
        f"sha256 {letter.sha256[:12]}…)",
        "facts": letter.facts,
    }


@dataclass(frozen=True)
class IssueLetter(Spec):
    """Record letters as issued: not a step of the procedure (any stage; the version stays)."""

    action: ClassVar[Action] = Action.LETTER
    procedure_step: ClassVar[bool] = False
    details: dict[str, dict[str, Any]]

    def plan(self, taking: Taking, case: CaseRow) -> Plan:
        authorise(taking.actor, self.action, case)
        not_before_receipt(case, taking.at, taking.calendar.tz)
        return Plan(case, self.action, Stage(case.stage), self.details[case.ref], versioned=False)


# -- the facts ---------------------------------------------------------------------------------


def letter_facts(
    view: CaseView,
    kind: str,
    organisation: Organisation,
    issued_at: datetime,
    told: RestrictionView | None = None,
) -> dict[str, Any]:
    """Everything a letter of `kind` on this case may say, in words, from the history entry of
    the step it reports; refused when that step is not recorded. A restriction letter tells
    of `told`, by default the latest restriction in force."""
    tz = ZoneInfo(view.zone)
    rule = rules.rule_of(kind)
    entry = _step_in_force(view, kind)
    inert = _inert
    facts: dict[str, Any] = {
        "kind": kind,
        "subject": rule.subject,
        "reference": view.ref,
        "organisation": {
            "name": inert(organisation.name),
            "address_lines": [inert(line) for line in rules.address_lines(organisation.address)],
            "email": inert(organisation.email),
            "phone": inert(organisation.phone),
            "website": inert(organisation.website),
        },
        "consumer_name": inert(view.consumer),
        "consumer_address_lines": [inert(line) for line in rules.address_lines(view.address)],
        "consumer_email": view.email or "",
        "summary": inert(view.summary),
        "received_on": rules.date_words(view.received_at.astimezone(tz).date()),
        "letter_date": rules.date_words((entry.at if entry else issued_at).astimezone(tz).date()),
        "issued_on": rules.date_words(issued_at.astimezone(tz).date()),
        "signatory": inert(organisation.signs(kind)),
        "large_print": any(adjustment_key(need) == "large-print" for need in view.adjustments),
        "area": "",
        "response_due": "",
        "new_date": "",
        "extension_reason": "",
        "extended_stage": "",
        "extended_response": "",
        "stage_name": "",
        "decision": "",
        "decision_code": "",
        "reasons": "",
        "remedies": [],
        "how_to_escalate": "",
        "how_to_refer": "",
        "assessor_contact": inert(organisation.assessor),
        "refer_by": "",
        "out_of_scope_reason": "",
        "where_instead": "",
        "restriction_scope": "",
        "restriction_reason": "",
        "restriction_decided_on": "",
        "review_date": "",
    }
    if kind == LetterKind.RESTRICTION:
        facts.update(_restriction_facts(view, tz, issued_at, told))
    elif entry is not None:
        facts.update(_step_facts(kind, entry, tz, view.calendar))
    return facts


def _step_in_force(view: CaseView, kind: str) -> EventView | None:
    """The latest entry of the step a letter of `kind` reports (none for a restriction's),
    refused where that step is not recorded, and an out-of-scope letter where the case is not
    closed out of scope now (one closed so and reopened, the close undone as a mistake, is in
    the procedure again), and a restriction letter where no restriction is in force on the
    consumer: whatever letter was issued before, none tells the consumer of what is undone."""
    rule = rules.rule_of(kind)
    entry = view.latest(rule.action) if rule.action is not None else None
    if rule.action is not None and entry is None:
        raise ActionNotAllowed(
            f"{view.ref}: no {rule.step} is recorded, so there is no {kind} letter yet "
            f"(it is at stage {view.stage})"
        )
    if kind == LetterKind.OUT_OF_SCOPE and not (view.close_reason or "").startswith(
        CloseReason.OUT_OF_SCOPE
    ):
        raise ActionNotAllowed(
            f"{view.ref}: it is not closed out of scope (stage {view.stage}), so there is no "
            "out-of-scope letter"
        )
    if kind == LetterKind.RESTRICTION:
        _latest(view)  # none in force: refused, one lifted since a letter of it was issued too
    return entry


def _inert(value: str | None) -> str:
    return text.inert(value or "", lines=True)


def _when(stored: str, tz: ZoneInfo, calendar: WorkingCalendar | None) -> str:
    return rules.time_words(datetime.fromisoformat(stored), tz, calendar)


def _step_facts(
    kind: str, entry: EventView, tz: ZoneInfo, calendar: WorkingCalendar | None
) -> dict[str, Any]:
    details = entry.details
    if kind == LetterKind.ACKNOWLEDGEMENT:
        return {
            "area": _inert(details["area"]),
            "response_due": _when(details["respond_due"], tz, calendar),
        }
    if kind == LetterKind.EXTENSION:
        stage, response = rules.EXTENDED[DeadlineKind(details.get("kind", "respond"))]
        return {
            "new_date": _when(details["new_due"], tz, calendar),
            "extension_reason": _inert(details["reason"]),
            "extended_stage": stage,
            "extended_response": response,
        }
    if kind in (LetterKind.FIRST_RESPONSE, LetterKind.FINAL_RESPONSE):
        decision = Decision(details["decision"])
        facts = {
            "stage_name": rules.STAGE_NAMES[Action(entry.action)],
            "decision": rules.DECISION_WORDS[decision],
            "decision_code": decision.value,
            "reasons": _inert(details["summary"]),
            "remedies": rules.remedy_words(details["remedies"], details.get("goodwill_pence")),
            "how_to_escalate": (
                "If you are not satisfied with this response, contact us quoting your "
                "reference and tell us why, and we will escalate your complaint to the second "
                "stage: a leader, senior leader or senior complaint executive will review it "
                "and send you our final response."
            ),
        }
        if kind == LetterKind.FINAL_RESPONSE:
            facts["how_to_refer"] = _inert(details.get("how_to_refer"))
            facts["refer_by"] = _when(details["refer_by"], tz, calendar)
        return facts
    if kind == LetterKind.OUT_OF_SCOPE:
        reason, where = rules.OUT_OF_SCOPE_WORDS[OutOfScope(details["because"])]
        return {"out_of_scope_reason": reason, "where_instead": where}
    return {}


def _not_before(
    view: CaseView, kind: str, issued_at: datetime, step_at: datetime, step: str
) -> None:
    """A letter reports its step: it cannot have been issued before the step was taken."""
    if issued_at < step_at:
        raise InvalidInput(
            f"--at is before {step} that the {kind} letter on {view.ref} reports "
            f"({format_local(step_at, ZoneInfo(view.zone))})"
        )


def _issued_after_its_step(
    view: CaseView, kind: str, at: datetime, told: RestrictionView | None = None
) -> None:
    """Refuse a letter dated before the step it reports (the restriction it tells of, for a
    restriction letter's)."""
    rule = rules.rule_of(kind)
    entry = view.latest(rule.action) if rule.action is not None else None
    if entry is not None:
        _not_before(view, kind, at, entry.at, f"the {rule.step}")
    elif kind == LetterKind.RESTRICTION and view.restrictions:
        decided = (told or _latest(view)).decided_at
        _not_before(view, kind, at, decided, "the restriction")


def _latest(view: CaseView) -> RestrictionView:
    """The restriction in force decided last: the one a restriction letter tells of unless
    --restriction chooses another."""
    if not view.restrictions:
        raise ActionNotAllowed(
            f"{view.ref}: no restriction is in force on {text.one_line(view.consumer)}, so there "
            "is no restriction letter"
        )
    return max(view.restrictions, key=lambda r: (r.decided_at, r.id))


def _told(view: CaseView, chosen: Restriction) -> RestrictionView:
    """The restriction `--restriction` chose for a restriction letter on this case: one in
    force on the case's consumer."""
    consumer = text.one_line(view.consumer)
    if chosen.consumer_id != view.consumer_id:
        raise InvalidInput(
            f"{view.ref}: restriction {chosen.id} is not on {consumer} but on another "
            "consumer: a restriction letter tells the consumer of their own"
        )
    for restriction in view.restrictions:
        if restriction.id == chosen.id:
            return restriction
    in_force = ", ".join(str(r.id) for r in view.restrictions) or "none"
    raise ActionNotAllowed(
        f"{view.ref}: restriction {chosen.id} on {consumer} was lifted, so there is no letter "
        f"of it (in force: {in_force})"
    )


def _restriction_facts(
    view: CaseView, tz: ZoneInfo, issued_at: datetime, told: RestrictionView | None = None
) -> dict[str, Any]:
    restriction = told or _latest(view)
    return {
        "restriction_scope": _inert(restriction.what(to_consumer=True)),
        "restriction_reason": _inert(restriction.reason),
        "restriction_decided_on": rules.date_words(restriction.decided_at.astimezone(tz).date()),
        # As decided: the letter reports the decision, dated its day (a review since is not).
        "review_date": rules.date_words(
            (restriction.review_due_as_decided or restriction.review_due).astimezone(tz).date()
        ),
        "letter_date": rules.date_words(restriction.decided_at.astimezone(tz).date()),
    }
