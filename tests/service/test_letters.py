"""Letters at the service layer: each kind made only once its step is recorded, saying the
case's facts in words; issued letters recorded with their hashes and made again byte for byte;
the organisation's templates held to what each kind must carry; stored text never run."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from complaintctl import services
from complaintctl.config import Organisation
from complaintctl.domain.letters import LetterFormat, time_words
from complaintctl.domain.procedure import Channel, Decision, RestrictionScope
from complaintctl.errors import ActionNotAllowed, InvalidInput, NotFound
from complaintctl.letters import BUILT_IN
from complaintctl.store.db import resolve_url
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, due, log, show, t, withdraw
from tests.service.letters_journey import (
    ANN_ADDRESS,
    ann_at_every_step,
    available,
    bob_out_of_scope,
    large_print,
    letter,
    said,
    take,
)

LONDON = ZoneInfo("Europe/London")


# -- each kind, refused before its step and made after -----------------------------------------


def test_each_kind_of_letter_comes_with_its_step_and_not_before(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="logged")
    seen = {"logged": available(unit, ref)}
    for step in ["acknowledged", "extended", "responded", "escalated", "final", "restricted"]:
        take(unit, ref, step)
        seen[step] = available(unit, ref)
    assert {
        "logged": [],
        "acknowledged": ["acknowledgement"],
        "extended": ["acknowledgement", "extension"],
        "responded": ["acknowledgement", "extension", "first-response"],
        "escalated": ["acknowledgement", "extension", "first-response"],
        "final": ["acknowledgement", "extension", "first-response", "final-response"],
        "restricted": [
            *("acknowledgement", "extension", "first-response", "final-response"),
            "restriction",
        ],
    } == seen


@pytest.mark.parametrize(
    ("until", "kind", "message"),
    [
        ("logged", "acknowledgement", "no acknowledgement is recorded, so there is no "
         "acknowledgement letter yet (it is at stage received)"),
        ("acknowledged", "extension", "no agreed timescale (extend) is recorded"),
        ("extended", "first-response", "no first-stage response is recorded"),
        ("escalated", "final-response", "no final response is recorded, so there is no "
         "final-response letter yet (it is at stage second-stage)"),
        ("final", "restriction", "no restriction is in force on Ann Smith"),
        ("final", "out-of-scope", "no close out of scope is recorded, so there is no "
         "out-of-scope letter yet"),
    ],
)  # fmt: skip
def test_a_letter_before_its_step_is_refused_saying_which_step(
    unit: UnitFactory, until: str, kind: str, message: str
) -> None:
    ref = ann_at_every_step(unit, until=until)
    with pytest.raises(ActionNotAllowed, match=re.escape(message)):
        letter(unit, ref, kind)


def test_the_out_of_scope_letter_needs_a_close_out_of_scope(unit: UnitFactory) -> None:
    bob = bob_out_of_scope(unit, closed=False)
    with pytest.raises(ActionNotAllowed, match="no close out of scope is recorded"):
        letter(unit, bob, "out-of-scope")
    withdraw(unit, bob, t("2026-12-01T10:00"))
    with pytest.raises(ActionNotAllowed, match="it is not closed out of scope"):
        letter(unit, bob, "out-of-scope")
    assert ["out-of-scope"] == available(unit, bob_out_of_scope(unit))


# Each way a letter issued before its step was undone could go out again.
MADE_AGAIN = pytest.mark.parametrize(
    ("format", "issue", "reissue"),
    [
        (LetterFormat.EML, False, False),  # the letter issued, made again
        (LetterFormat.EML, True, False),  # issued again in its format
        (LetterFormat.TEXT, True, False),  # issued in another format
        (LetterFormat.EML, False, True),  # issued afresh from the case as it is now
    ],
)


@MADE_AGAIN
def test_no_out_of_scope_letter_once_a_reopen_undid_the_close_even_one_issued_before(
    unit: UnitFactory, format: LetterFormat, issue: bool, reissue: bool
) -> None:
    """A reopen undoes a mistaken close: the case is in the procedure again, so no letter may
    tell the consumer it is outside it. Refused before only where none had been issued: one
    issued before the reopen was made again, and issued anew in another format."""
    bob = bob_out_of_scope(unit)
    letter(unit, bob, "out-of-scope", LetterFormat.EML, issue=True, at=t("2026-12-01T10:30"))
    act(unit, services.reopen, ref=bob, reason="Closed by mistake", by="sam.senior",
        at=t("2026-12-01T11:00"))  # fmt: skip
    before = show(unit, bob).history

    with pytest.raises(ActionNotAllowed, match="it is not closed out of scope"):
        letter(unit, bob, "out-of-scope", format, issue=issue, reissue=reissue,
               at=t("2026-12-01T11:30"))  # fmt: skip
    assert before == show(unit, bob).history
    assert [] == available(unit, bob)


def test_a_letter_for_no_such_case_is_refused(unit: UnitFactory) -> None:
    with pytest.raises(NotFound):
        letter(unit, "SC-2026-999999", "acknowledgement")


# -- what each letter says ---------------------------------------------------------------------


def test_the_acknowledgement_names_the_area_and_when_the_response_is_due(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    text = said(letter(unit, ref, "acknowledgement").content)
    assert "Dear Ann Smith," in text
    assert f"reference {ref}" in text
    assert "1 High Street Warrington WA1 1AA" in text  # the address block, a line each
    assert "received on Monday 30 November 2026" in text
    assert "best placed to address your concerns is Casework" in text
    # 24 working hours after Tue 1 Dec 10:00: Fri 4 Dec 10:00.
    assert "response by 10am on Friday 4 December 2026" in text
    assert "“No reply to my letters since October”" in text


def test_an_acknowledgement_in_summer_gives_the_due_time_in_london_time(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2027-05-10T09:00"))  # 10:00 BST
    act(
        unit,
        services.acknowledge,
        ref=ref,
        area="Casework",
        by="officer.one",
        at=t("2027-05-11T09:00"),  # Tue 10:00 BST
    )
    view = show(unit, ref)
    assert t("2027-05-14T09:00") == due(view, "respond")  # Fri 10:00 BST
    assert "response by 10am on Friday 14 May 2027" in said(
        letter(unit, ref, "acknowledgement").content
    )


def test_the_extension_gives_the_agreed_date_in_london_time_and_why(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="extended")
    text = said(letter(unit, ref, "extension").content)
    assert "at the first stage of our service complaints procedure" in text
    assert "The reason is: We need records from the provider" in text
    # 16:30 UTC on 31 March 2027 is 5:30pm BST.
    assert "we will now respond by 5:30pm on Wednesday 31 March 2027" in text


def test_an_extension_at_the_second_stage_says_when_we_will_give_our_final_response(
    unit: UnitFactory,
) -> None:
    # It said "we will now respond by", where the second stage ends in a final response.
    ref = ann_at_every_step(unit, until="escalated")
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2027-02-01T16:00"),
        reason="We need the call recordings",
        by="hana.handler",
        at=t("2026-12-08T10:00"),
    )
    text = said(letter(unit, ref, "extension", at=t("2026-12-08T10:00")).content)
    assert "at the second stage of our service complaints procedure" in text
    assert "we will now give our final response by 4pm on Monday 1 February 2027" in text


def test_the_first_response_gives_the_decision_reasons_remedies_and_how_to_escalate(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit, until="responded")
    text = said(letter(unit, ref, "first-response").content)
    assert "at the first stage of our service complaints procedure" in text
    assert "it is partly upheld" in text
    assert "Why: We were slow to reply to your letters." in text
    assert "- an apology - a goodwill payment of £50.00" in text
    assert "we will escalate your complaint to the second stage" in text
    assert "Thursday 3 December 2026" in text  # dated the day of the response


def test_the_final_response_says_by_when_and_how_to_refer_to_the_assessor(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit, until="final")
    made = letter(unit, ref, "final-response")
    text = said(made.content)
    view = show(unit, ref)
    # The window closes at the hour of the final response, three months on: the letter gives
    # that hour, so a consumer referring later that day is not told they are in time.
    window_ends = due(view, "referral-window")
    assert "10am on Sunday 4 April 2027" == time_words(window_ends, LONDON)
    assert "at the second (final) stage of our service complaints procedure" in text
    assert "it is upheld" in text
    assert "Why: We did not keep to the timescale we agreed with you." in text
    assert (
        "- an apology - an explanation of what happened - a goodwill payment of £1,250.00"
    ) in text
    assert f"You can ask for a referral until {time_words(window_ends, LONDON)}." in text
    final_entry = view.latest("final")
    assert final_entry is not None
    assert said(final_entry.details["how_to_refer"]) in text
    assert said(Organisation().assessor) in text
    assert "Monday 4 January 2027" in text  # dated the day of the final response


def test_the_final_response_with_no_remedy_says_so(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="escalated")
    act(
        unit,
        services.final_response,
        ref=ref,
        decision=Decision.NOT_UPHELD,
        summary="We replied on time.",
        remedies=services.Remedies(),
        by="hana.handler",
        at=t("2027-01-04T10:00"),
    )
    text = said(letter(unit, ref, "final-response").content)
    assert "it is not upheld" in text
    assert "we are not offering a remedy" in text


def test_the_out_of_scope_letter_says_why_and_where_to_go_instead(unit: UnitFactory) -> None:
    text = said(letter(unit, bob_out_of_scope(unit), "out-of-scope").content)
    assert "Dear Bob Brown," in text
    assert "it disagrees with the outcome of the investigation of your dispute" in text
    assert (
        "Where to go instead: the decision-review route: ask the case handler for a review of "
        "the decision."
    ) in text


def test_the_restriction_letter_gives_its_scope_reason_and_review_date(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit)
    (restriction,) = show(unit, ref).restrictions
    assert t("2027-07-05T11:00") == restriction.review_due  # 12:00 BST, six months on
    text = said(letter(unit, ref, "restriction").content)
    assert "made by a senior member of our staff on Tuesday 5 January 2027" in text
    assert "What is restricted: no new formal complaints." in text
    assert "Why: Repeated abusive calls to staff" in text
    assert "reviewed by Monday 5 July 2027" in text


def test_the_restriction_letter_gives_the_review_date_decided_not_one_a_later_review_set(
    unit: UnitFactory,
) -> None:
    """The letter reports the decision and is dated its day: a review since that keeps the
    restriction, and sets the next, is not what the consumer was told then."""
    ref = ann_at_every_step(unit)
    (restriction,) = show(unit, ref).restrictions
    act(
        unit,
        services.review_restriction,
        restriction_id=restriction.id,
        next_review=t("2027-12-01T10:00"),
        reason="Still abusive",
        by="sam.senior",
        at=t("2027-02-01T10:00"),
    )
    text = said(letter(unit, ref, "restriction", at=t("2027-02-02T10:00")).content)
    assert "on Tuesday 5 January 2027" in text
    assert "reviewed by Monday 5 July 2027" in text


def test_a_restriction_on_contact_names_the_member_by_name_in_the_letter(
    unit: UnitFactory,
) -> None:
    from complaintctl.domain.procedure import RestrictionScope

    ref = ann_at_every_step(unit, until="final")
    act(unit, services.restrict, email="ann@example.com", consumer_id=None,
        scope=RestrictionScope.CONTACT, reason="Repeated abusive calls to staff", review=None,
        dispute=None, channel=None, via="officer.one", by="sam.senior",
        at=t("2027-01-05T12:00"))  # fmt: skip

    text = said(letter(unit, ref, "restriction").content)

    # The consumer knows the member by their name, never by the username staff log in with.
    assert "What is restricted: contact only via Olu One." in text
    assert "officer.one" not in text
    (restriction,) = show(unit, ref).restrictions
    assert "contact only via officer.one" == restriction.what()  # staff's own views


def test_the_organisation_and_its_signatory_come_from_the_config(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="final")
    organisation = Organisation(
        name="Example Ombudsman",
        address="2 Low Road, Leeds, LS1 1AA",
        email="complaints@example.org",
        phone="0300 000 0000",
        signatories={"final-response": "Sam Senior, Senior Complaint Executive"},
    )
    text = said(letter(unit, ref, "final-response", organisation=organisation).content)
    assert "Example Ombudsman 2 Low Road Leeds LS1 1AA Phone: 0300 000 0000" in text
    assert "Yours sincerely, Sam Senior, Senior Complaint Executive Example Ombudsman" in text
    ack = said(letter(unit, ref, "acknowledgement", organisation=organisation).content)
    assert "Yours sincerely, Customer Relations Example Ombudsman" in ack


def test_a_need_the_letter_does_not_meet_is_named_to_the_officer(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    act(
        unit,
        services.update_consumer,
        email="ann@example.com",
        consumer_id=None,
        preferred_contact=None,
        add_adjustments=("large-print", "bsl"),
        remove_adjustments=(),
        by="officer.one",
        at=t("2026-12-02T10:00"),
    )
    made = letter(unit, ref, "acknowledgement", LetterFormat.HTML)
    assert (f"{ref}: the consumer needs bsl: this letter does not meet it of itself",) == (
        made.notes
    )
    assert made.facts["large_print"] is True
    assert "font-size: 18pt" in made.content.decode()


# -- issuing, and proof of what went out -------------------------------------------------------


def test_an_issued_letter_is_recorded_with_its_template_and_the_hash_of_its_bytes(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit, until="final")
    before = show(unit, ref)
    made = letter(unit, ref, "final-response", LetterFormat.EML, issue=True, by="officer.two")
    view = show(unit, ref)
    entry = view.history[-1]
    template = (BUILT_IN / "final-response.html").read_text(encoding="utf-8")
    layout = (BUILT_IN / "letter.html").read_text(encoding="utf-8")
    remedies = (BUILT_IN / "_remedies.html").read_text(encoding="utf-8")
    assert ("letter", "officer.two", NOW) == (entry.action, entry.actor, entry.at)
    assert {
        "kind": "final-response",
        "format": "eml",
        "direction": "out",
        "channel": "email",
        "template": "final-response.html",
        "template_origin": "built-in",
        "template_sha256": hashlib.sha256(
            f"_remedies.html\0{remedies}\0final-response.html\0{template}\0"
            f"letter.html\0{layout}\0".encode()
        ).hexdigest(),
        "sha256": hashlib.sha256(made.content).hexdigest(),
        "size": len(made.content),
    } == {key: value for key, value in entry.details.items() if key not in ("facts", "text")}
    assert made.facts == entry.details["facts"]
    assert made.facts["refer_by"] == "10am on Sunday 4 April 2027"
    # In the contact log, and no step of the procedure: the stage and version stay.
    assert entry == view.contacts[-1]
    assert "issued the final-response letter (eml, sha256" in entry.details["text"]
    assert (before.stage, before.version) == (view.stage, view.version)


@pytest.mark.parametrize(
    ("consumer", "format", "channel"),
    [
        ({"address": None}, LetterFormat.TEXT, "email"),  # an email-only consumer
        ({"address": None}, LetterFormat.HTML, "email"),
        ({"address": ANN_ADDRESS, "preferred_contact": "post"}, LetterFormat.TEXT, "post"),
        ({"address": ANN_ADDRESS}, LetterFormat.TEXT, "email"),  # as an email is the default
        ({"address": ANN_ADDRESS}, LetterFormat.HTML, "post"),
        ({"address": ANN_ADDRESS, "email": None}, LetterFormat.TEXT, "post"),
        ({"address": ANN_ADDRESS}, LetterFormat.EML, "email"),
    ],
)
def test_the_contact_log_records_the_channel_the_letter_goes_by(
    unit: UnitFactory, consumer: dict[str, str | None], format: LetterFormat, channel: str
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), **consumer)
    take(unit, ref, "acknowledged")
    letter(unit, ref, "acknowledgement", format, issue=True)

    assert channel == show(unit, ref).contacts[-1].details["channel"]


def test_a_letter_made_without_issue_records_nothing(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    before = show(unit, ref)
    letter(unit, ref, "acknowledgement", LetterFormat.EML)
    assert before == show(unit, ref)


def test_an_issued_letter_is_made_again_byte_for_byte_whatever_changed_since(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    issued_at = t("2026-12-01T12:00")
    issued = letter(unit, ref, "acknowledgement", LetterFormat.EML, issue=True, at=issued_at)
    # The consumer's name corrected, the case moved on, and months pass.
    act(
        unit,
        services.correct,
        ref=ref,
        reason="Married name",
        fields={"name": "Ann Jones", "address": "9 New Road, Leeds"},
        by="officer.one",
        at=t("2026-12-02T10:00"),
    )
    take(unit, ref, "extended")
    again = letter(unit, ref, "acknowledgement", LetterFormat.EML, issue=True, at=NOW)
    assert issued.content == again.content
    assert (True, issued_at) == (again.same_bytes, again.issued_at)
    assert again.reproduces is not None
    assert issued_at == again.reproduces.at
    assert 1 == len([e for e in show(unit, ref).history if e.action == "letter"])
    assert "Ann Smith" in said(again.content)
    assert "Ann Jones" not in said(again.content)


def test_a_second_agreed_timescale_has_a_letter_of_its_own(unit: UnitFactory) -> None:
    # The letter of the first extension, issued, was made again for the second: it told the
    # consumer the date already replaced, and recorded nothing.
    ref = ann_at_every_step(unit, until="extended")
    first = letter(unit, ref, "extension", LetterFormat.EML, issue=True, at=t("2026-12-02T11:00"))
    act(
        unit,
        services.extend,
        ref=ref,
        until=t("2027-04-30T16:00"),
        reason="The provider has not sent its file",
        by="rita.responder",
        at=t("2027-03-01T10:00"),
    )
    second = letter(unit, ref, "extension", LetterFormat.EML, issue=True, at=t("2027-03-01T11:00"))
    text = said(second.content)
    assert "we will now respond by 5pm on Friday 30 April 2027" in text
    assert "The reason is: The provider has not sent its file" in text
    assert "Monday 1 March 2027" in text
    assert (None, None) == (second.reproduces, second.same_bytes)
    entries = [e for e in show(unit, ref).history if e.action == "letter"]
    assert [first.sha256, second.sha256] == [e.details["sha256"] for e in entries]
    # Made again, the second is the one that comes out.
    assert second.content == letter(unit, ref, "extension", LetterFormat.EML).content


def test_a_new_restriction_has_a_letter_of_its_own(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="restricted")
    at = t("2027-01-05T13:00")
    first = letter(unit, ref, "restriction", LetterFormat.EML, issue=True, at=at)
    (restriction,) = show(unit, ref).restrictions
    act(
        unit,
        services.lift,
        restriction_id=restriction.id,
        reason="Calls stopped",
        by="sam.senior",
        at=t("2027-02-01T10:00"),
    )
    act(
        unit,
        services.restrict,
        email="ann@example.com",
        consumer_id=None,
        scope=RestrictionScope.PROCEDURE,
        reason="Abusive emails to staff",
        review=None,
        dispute=None,
        channel=None,
        via=None,
        by="sam.senior",
        at=t("2027-03-01T10:00"),
    )
    second = letter(
        unit, ref, "restriction", LetterFormat.EML, issue=True, at=t("2027-03-01T11:00")
    )
    text = said(second.content)
    assert "Why: Abusive emails to staff" in text
    assert "Repeated abusive calls" not in text
    assert second.reproduces is None
    assert first.sha256 != second.sha256


def test_reissue_makes_the_letter_afresh_from_the_case_as_it_is_now(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    first = letter(
        unit, ref, "acknowledgement", LetterFormat.EML, issue=True, at=t("2026-12-01T12:00")
    )
    act(
        unit,
        services.correct,
        ref=ref,
        reason="Married name",
        fields={"name": "Ann Jones"},
        by="officer.one",
        at=t("2026-12-02T10:00"),
    )
    later = t("2026-12-02T11:00")
    anew = letter(unit, ref, "acknowledgement", LetterFormat.EML, reissue=True, at=later)
    assert "Dear Ann Jones," in said(anew.content)
    assert first.content != anew.content
    assert (None, None) == (anew.reproduces, anew.same_bytes)
    entries = [e for e in show(unit, ref).history if e.action == "letter"]
    assert [first.sha256, anew.sha256] == [e.details["sha256"] for e in entries]
    # From then on, the letter made again is the reissued one.
    assert anew.content == letter(unit, ref, "acknowledgement", LetterFormat.EML).content


def test_each_format_issued_is_made_again_as_it_went_out(unit: UnitFactory) -> None:
    """An email issued, then the same letter in text: the email made again keeps its own
    Date, and the text (issued in no format of its own before) is recorded once."""
    ref = ann_at_every_step(unit, until="acknowledged")
    email = letter(
        unit, ref, "acknowledgement", LetterFormat.EML, issue=True, at=t("2026-12-01T12:00")
    )
    text = letter(
        unit, ref, "acknowledgement", LetterFormat.TEXT, issue=True, at=t("2026-12-03T12:00")
    )
    assert (email.facts, None) == (text.facts, text.same_bytes)
    again = letter(unit, ref, "acknowledgement", LetterFormat.EML, issue=True)
    assert (email.content, True, ()) == (again.content, again.same_bytes, again.notes)
    assert text.content == letter(unit, ref, "acknowledgement", LetterFormat.TEXT).content
    entries = [e for e in show(unit, ref).history if e.action == "letter"]
    assert ["eml", "text"] == [e.details["format"] for e in entries]


@pytest.mark.parametrize(
    ("kind", "until", "before", "step"),
    [
        ("first-response", "responded", "2026-12-02T16:00", "the first-stage response"),
        ("restriction", "restricted", "2027-01-04T09:00", "the restriction"),
    ],
)
def test_a_letter_is_never_issued_before_the_step_it_reports(
    unit: UnitFactory, kind: str, until: str, before: str, step: str
) -> None:
    ref = ann_at_every_step(unit, until=until)

    with pytest.raises(InvalidInput, match=f"--at is before {step} that the {kind} letter"):
        letter(unit, ref, kind, issue=True, at=t(before))
    assert [] == [e for e in show(unit, ref).history if e.action == "letter"]


@pytest.mark.parametrize("format", [LetterFormat.HTML, LetterFormat.TEXT])
def test_a_letter_issued_already_is_not_issued_again_before_its_step(
    unit: UnitFactory, format: LetterFormat
) -> None:
    """Issued once as text, the letter lends its facts to another format (or is made again
    in the same one): its --at is held to the step all the same."""
    ref = ann_at_every_step(unit, until="responded")
    letter(unit, ref, "first-response", LetterFormat.TEXT, issue=True, at=t("2026-12-03T11:00"))

    with pytest.raises(InvalidInput, match="--at is before the first-stage response"):
        letter(unit, ref, "first-response", format, issue=True, at=t("2026-12-02T16:00"))
    assert ["text"] == [
        e.details["format"] for e in show(unit, ref).history if e.action == "letter"
    ]


def test_a_letter_whose_template_changed_since_it_was_issued_says_so(
    unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    issued = letter(unit, ref, "acknowledgement", issue=True, at=t("2026-12-01T12:00"))
    source = (BUILT_IN / "acknowledgement.html").read_text(encoding="utf-8")
    (tmp_path / "acknowledgement.html").write_text(
        source.replace("Thank you", "Many thanks"), encoding="utf-8"
    )
    again = letter(unit, ref, "acknowledgement", templates=tmp_path, issue=True)
    assert False is again.same_bytes
    assert issued.facts == again.facts
    assert "Many thanks" in said(again.content)
    (note,) = again.notes
    assert note.startswith(
        f"{ref}: this is not the acknowledgement letter issued on 2026-12-01 at 12:00 GMT: "
        f"the template has changed since (issued from {issued.template_sha256[:12]}, now "
        f"{again.template_sha256[:12]})"
    )
    assert 1 == len([e for e in show(unit, ref).history if e.action == "letter"])


# -- the organisation's templates --------------------------------------------------------------


def final_response_template(folder: Path, old: str, new: str) -> Path:
    source = (BUILT_IN / "final-response.html").read_text(encoding="utf-8")
    assert old in source
    (folder / "final-response.html").write_text(source.replace(old, new), encoding="utf-8")
    return folder


def test_a_template_that_leaves_out_the_referral_date_is_refused_for_any_case(
    unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path, "{{ refer_by }}", "three months from now")
    with pytest.raises(InvalidInput) as refused:
        letter(unit, ref, "final-response", templates=folder, issue=True)
    assert (
        f"template final-response.html ({folder}) leaves out what a final-response letter "
        "must carry: the date by which to refer (the end of the 3-month window) "
        "({{ refer_by }})"
    ) in refused.value.message
    assert [] == [e for e in show(unit, ref).history if e.action == "letter"]
    # The folder's other kinds are the built-in ones, and are made as before.
    assert "Casework" in said(letter(unit, ref, "acknowledgement", templates=folder).content)


def test_a_template_that_leaves_out_the_referral_date_for_some_cases_is_refused_for_them(
    unit: UnitFactory, tmp_path: Path
) -> None:
    # The general check renders the sample facts, where the organisation has a phone number:
    # the letter of a case (the organisation with none) went out without the date.
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(
        tmp_path,
        "{{ refer_by }}",
        "{% if organisation.phone %}{{ refer_by }}{% else %}three months from now{% endif %}",
    )
    with pytest.raises(InvalidInput) as refused:
        letter(unit, ref, "final-response", templates=folder, issue=True)
    assert (
        f"template final-response.html ({folder}) leaves out what {ref}'s final-response "
        "letter must carry: the date by which to refer (the end of the 3-month window) "
        "({{ refer_by }}); it shows them for some cases and not for this one"
    ) == refused.value.message
    assert [] == [e for e in show(unit, ref).history if e.action == "letter"]
    with_phone = Organisation(phone="0330 440 1614")
    made = letter(unit, ref, "final-response", templates=folder, organisation=with_phone)
    assert "You can ask for a referral until 10am on Sunday 4 April 2027" in said(made.content)


def test_an_organisations_template_replaces_the_built_in_one_and_is_recorded(
    unit: UnitFactory, tmp_path: Path
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path, "<h2>", "<h2>Your next step: ")
    made = letter(unit, ref, "final-response", templates=folder, issue=True)
    assert "Your next step: Referring your complaint" in said(made.content)
    assert (str(folder), "final-response.html") == (made.template_origin, made.template)
    assert str(folder) == show(unit, ref).history[-1].details["template_origin"]


def test_an_organisations_own_kind_is_a_letter_too(unit: UnitFactory, tmp_path: Path) -> None:
    ref = ann_at_every_step(unit, until="logged")
    (tmp_path / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>We are sorry we missed your call about '
        "{{ reference }}: {{ signatory }} will ring you.</p>{% endblock %}",
        encoding="utf-8",
    )
    made = letter(unit, ref, "apology-call", templates=tmp_path, issue=True)
    text = said(made.content)
    assert "About your complaint" in text  # the subject of a kind of the organisation's
    assert f"sorry we missed your call about {ref}: Customer Relations will ring you." in text
    assert "Dear Ann Smith," in text
    assert "apology-call" == show(unit, ref).history[-1].details["kind"]
    with pytest.raises(InvalidInput, match="no letter kind 'apology-call'"):
        letter(unit, ref, "apology-call")  # without the folder


# -- text from the store is never run ----------------------------------------------------------

HOSTILE_NAME = "Ann {{ 7*7 }} {% raw %}<script>alert(1)</script>\u202eevil\u200b"
HOSTILE_SUMMARY = "{{ 7*7 }} {% endraw %}{{ cycler.__init__.__globals__ }} <b>bold</b>\ttab"


def test_a_consumers_template_syntax_and_markup_print_as_written_and_run_never(
    unit: UnitFactory,
) -> None:
    ref = log(unit, t("2026-11-30T10:00"), consumer=HOSTILE_NAME, summary=HOSTILE_SUMMARY)
    act(unit, services.acknowledge, ref=ref, area="Casework", by="officer.one",
        at=t("2026-12-01T10:00"))  # fmt: skip
    text = said(letter(unit, ref, "acknowledgement").content)
    shown_name = "Ann {{ 7*7 }} {% raw %}<script>alert(1)</script><U+202E>evil<U+200B>"
    assert f"Dear {shown_name}," in text
    assert "{{ 7*7 }} {% endraw %}{{ cycler.__init__.__globals__ }} <b>bold</b>\\ttab" not in text
    assert "“{{ 7*7 }} {% endraw %}{{ cycler.__init__.__globals__ }} <b>bold</b> tab”" in text
    assert "Ann 49" not in text
    assert "\u202e" not in text
    assert "\u200b" not in text
    html = letter(unit, ref, "acknowledgement", LetterFormat.HTML).content.decode()
    assert "Dear Ann {{ 7*7 }} {% raw %}&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;U+202E&gt;evil&lt;U+200B&gt;" in html
    assert "<script" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_control_characters_stored_by_another_writer_are_written_out_not_sent(
    unit: UnitFactory, store_url: str
) -> None:
    """A name with an escape sequence and a line break, as no way in takes now but an older
    writer (or a hand-made import) might have stored: shown inert, and one line in a header."""
    ref = ann_at_every_step(unit, until="acknowledged")
    engine = create_engine(resolve_url(store_url))
    with engine.begin() as connection:
        connection.execute(
            sql("UPDATE consumer SET name = :name"),
            {"name": "Ann\x1b[31m\r\nBcc: evil@example.com"},
        )
    engine.dispose()
    text = letter(unit, ref, "acknowledgement").content.decode()
    assert "\x1b" not in text
    assert "\r" not in text
    assert "Dear Ann\\x1b[31m\\x0d Bcc: evil@example.com," in said(text)
    raw = letter(unit, ref, "acknowledgement", LetterFormat.EML).content
    headers = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert [b'To: "Ann\\\\x1b[31m\\\\x0d Bcc: evil@example.com" <ann@example.com>'] == [
        line for line in headers if line.startswith(b"To:")
    ]
    assert not any(line.startswith(b"Bcc") for line in headers)


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__ }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ self._TemplateReference__context }}",
        "{{ organisation.update(name='x') }}",
        "{{ reference|attr('__class__') }}",
        "{% include '/etc/passwd' %}",
        "{% include '../../../../../../etc/hostname' %}",
        "{{ config }}",
        "{{ lipsum() }}",  # random text: the same letter would not be the same bytes
    ],
)
def test_a_template_reaching_outside_its_sandbox_is_refused(
    unit: UnitFactory, tmp_path: Path, escape: str
) -> None:
    ref = ann_at_every_step(unit, until="final")
    folder = final_response_template(tmp_path, "<h2>", f"{escape}<h2>")
    with pytest.raises(InvalidInput, match=r"^template final-response\.html"):
        letter(unit, ref, "final-response", templates=folder, issue=True)
    assert [] == [e for e in show(unit, ref).history if e.action == "letter"]


def test_the_restriction_letter_is_of_the_latest_restriction_in_force(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit)
    (restriction,) = show(unit, ref).restrictions
    act(
        unit,
        services.lift,
        restriction_id=restriction.id,
        reason="Reviewed early",
        by="sam.senior",
        at=t("2027-02-01T10:00"),
    )
    with pytest.raises(ActionNotAllowed, match="no restriction is in force"):
        letter(unit, ref, "restriction")


@MADE_AGAIN
def test_no_restriction_letter_once_the_restriction_is_lifted_even_one_issued_before(
    unit: UnitFactory, format: LetterFormat, issue: bool, reissue: bool
) -> None:
    """Refused once lifted only where no letter had been issued: one issued before was made
    again, and issued anew in another format, telling Ann of a restriction no longer there."""
    ref = ann_at_every_step(unit)
    letter(unit, ref, "restriction", LetterFormat.EML, issue=True, at=t("2027-01-05T13:00"))
    (restriction,) = show(unit, ref).restrictions
    act(unit, services.lift, restriction_id=restriction.id, reason="Reviewed early",
        by="sam.senior", at=t("2027-02-01T10:00"))  # fmt: skip
    before = show(unit, ref).history

    with pytest.raises(ActionNotAllowed, match="no restriction is in force"):
        letter(unit, ref, "restriction", format, issue=issue, reissue=reissue,
               at=t("2027-02-01T11:00"))  # fmt: skip
    assert before == show(unit, ref).history


def contact_restriction(unit: UnitFactory, email: str = "ann@example.com") -> int:
    """A contact restriction decided on 1 February 2027, after Ann's on 5 January."""
    view = act(unit, services.restrict, email=email, consumer_id=None,
               scope=RestrictionScope.CONTACT, reason="Calls at night", review=None,
               dispute=None, channel=Channel.POST, via=None, by="sam.senior",
               at=t("2027-02-01T10:00"))  # fmt: skip
    return int(view.id)


def test_an_earlier_restriction_still_in_force_has_its_letter_when_chosen(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit)
    (procedure,) = show(unit, ref).restrictions
    contact = contact_restriction(unit)

    latest = said(letter(unit, ref, "restriction", issue=True).content)
    earlier = letter(unit, ref, "restriction", restriction=procedure.id, issue=True)
    chosen_latest = said(letter(unit, ref, "restriction", restriction=contact).content)

    assert "What is restricted: contact only by post." in latest
    assert latest == chosen_latest
    assert "What is restricted: no new formal complaints." in said(earlier.content)
    assert "made by a senior member of our staff on Tuesday 5 January 2027" in said(earlier.content)
    # Each restriction's letter is a letter of its own, and made again as it was issued.
    again = letter(unit, ref, "restriction", restriction=procedure.id, issue=True)
    assert (earlier.sha256, True) == (again.sha256, again.same_bytes)
    assert 2 == len([e for e in show(unit, ref).history if e.action == "letter"])


def test_a_chosen_restriction_dated_after_the_letter_is_refused(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit)
    (procedure,) = show(unit, ref).restrictions
    contact_restriction(unit)
    # Dated between the two: the earlier one's letter may be, the latest's may not.
    between = t("2027-01-20T10:00")
    assert letter(unit, ref, "restriction", restriction=procedure.id, at=between)
    with pytest.raises(InvalidInput, match="before the restriction"):
        letter(unit, ref, "restriction", at=between)


def test_choosing_a_restriction_not_in_force_on_the_consumer_is_refused(
    unit: UnitFactory,
) -> None:
    ref = ann_at_every_step(unit)
    (procedure,) = show(unit, ref).restrictions
    log(unit, t("2027-01-10T10:00"), consumer="Cara Jones", email="cara@example.com")
    caras = contact_restriction(unit, "cara@example.com")
    act(unit, services.lift, restriction_id=procedure.id, reason="Reviewed early",
        by="sam.senior", at=t("2027-02-02T10:00"))  # fmt: skip
    contact_restriction(unit)

    with pytest.raises(ActionNotAllowed, match=f"restriction {procedure.id} on Ann Smith was "
                       "lifted, so there is no letter of it"):  # fmt: skip
        letter(unit, ref, "restriction", restriction=procedure.id)
    with pytest.raises(InvalidInput, match=f"restriction {caras} is not on Ann Smith"):
        letter(unit, ref, "restriction", restriction=caras)
    with pytest.raises(NotFound, match="no restriction 99"):
        letter(unit, ref, "restriction", restriction=99)
    with pytest.raises(InvalidInput, match="goes with that kind, not acknowledgement"):
        letter(unit, ref, "acknowledgement", restriction=caras)
    assert [] == [e for e in show(unit, ref).history if e.action == "letter"]


def test_a_consumer_with_no_address_has_their_email_in_the_address_block(
    unit: UnitFactory,
) -> None:
    made = letter(unit, bob_out_of_scope(unit), "out-of-scope", LetterFormat.TEXT)
    assert said(made.content).startswith(
        "Communications Ombudsman 3300 Daresbury Park Warrington WA4 4HS Email: "
        "customer-relations@trustalliancegroup.org Bob Brown bob@example.com"
    )
    assert [] == made.facts["consumer_address_lines"]
    ann = letter(unit, ann_at_every_step(unit, until="acknowledged"), "acknowledgement")
    assert ANN_ADDRESS.splitlines() == ann.facts["consumer_address_lines"]
    assert "ann@example.com" not in said(ann.content)


def test_a_large_print_letter_is_set_larger(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    normal = letter(unit, ref, "acknowledgement", LetterFormat.HTML).content.decode()
    large_print(unit)
    large = letter(unit, ref, "acknowledgement", LetterFormat.HTML).content.decode()
    assert "font-size: 11pt" in normal
    assert "font-size: 18pt" in large
    assert "font-size: 0.85em" not in large  # nothing set smaller than the text


@pytest.mark.parametrize("as_typed", ["Large Print", "LARGE-PRINT", "large_print"])
def test_large_print_however_it_was_typed_is_set_larger(unit: UnitFactory, as_typed: str) -> None:
    # "Large Print" was taken for an adjustment of the officer's own words: the letter came in
    # 11 pt, and the officer was told to arrange large print some other way.
    ref = ann_at_every_step(unit, until="acknowledged")
    large_print(unit, as_typed=as_typed)
    made = letter(unit, ref, "acknowledgement", LetterFormat.HTML)
    assert "font-size: 18pt" in made.content.decode()
    assert () == made.notes


def test_an_issued_letter_is_not_dated_before_the_case(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    with pytest.raises(InvalidInput, match="--at is before"):
        letter(unit, ref, "acknowledgement", issue=True, at=t("2026-11-30T10:00") - timedelta(1))
