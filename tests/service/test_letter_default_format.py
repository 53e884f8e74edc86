"""The format a letter is made in when none is given, and when PDF support is looked for: only
for a letter by post with no format given, since finding out loads WeasyPrint (the `pdf`
extra), which a text, HTML or email letter never needs."""

from __future__ import annotations

import pytest

from complaintctl import services
from complaintctl.config import Organisation
from complaintctl.domain.letters import LetterFormat
from complaintctl.letters import Templates, pdf_available
from complaintctl.services.letters import make_letters
from tests.conftest import UnitFactory
from tests.service.journey import NOW, act, t
from tests.service.letters_journey import ann_at_every_step


def made_as(
    unit: UnitFactory, ref: str, format: LetterFormat | None, *, pdf: bool
) -> tuple[LetterFormat, int]:
    """The format the acknowledgement is made in, and how often PDF support was looked for."""
    asked: list[bool] = []

    def pdf_ok() -> bool:
        asked.append(pdf)
        return pdf

    with unit() as uow:
        batch = make_letters(
            uow,
            refs=[ref],
            kind="acknowledgement",
            format=format,
            templates=Templates(None),
            organisation=Organisation(),
            issue=False,
            reissue=False,
            pdf_ok=pdf_ok,
            at=NOW,
            now=NOW,
        )
    assert not batch.refused, batch.refused
    (letter,) = batch.letters
    return letter.format, len(asked)


def prefers_post(unit: UnitFactory) -> None:
    act(
        unit,
        services.update_consumer,
        email="ann@example.com",
        consumer_id=None,
        preferred_contact="post",
        add_adjustments=(),
        remove_adjustments=(),
        by="officer.one",
        at=t("2027-01-06T10:00"),
    )


@pytest.mark.parametrize("format", [LetterFormat.TEXT, LetterFormat.HTML, LetterFormat.EML])
def test_a_format_given_never_looks_for_pdf_support(
    unit: UnitFactory, format: LetterFormat
) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    prefers_post(unit)
    assert (format, 0) == made_as(unit, ref, format, pdf=True)


def test_an_email_by_preference_never_looks_for_pdf_support(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    assert (LetterFormat.EML, 0) == made_as(unit, ref, None, pdf=True)


def test_a_letter_by_post_is_html_where_no_pdf_can_be_made(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    prefers_post(unit)
    assert (LetterFormat.HTML, 1) == made_as(unit, ref, None, pdf=False)


@pytest.mark.skipif(not pdf_available(), reason="needs WeasyPrint: pip install -e '.[pdf]'")
def test_a_letter_by_post_is_a_pdf_where_one_can_be_made(unit: UnitFactory) -> None:
    ref = ann_at_every_step(unit, until="acknowledged")
    prefers_post(unit)
    assert (LetterFormat.PDF, 1) == made_as(unit, ref, None, pdf=True)
