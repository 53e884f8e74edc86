"""Taking a complaint in: the rules `log` and `import` share.

A complaint typed in by an officer and one read from a web form's export are the same
complaint: the same reference, the same consumer, the same out-of-time mark, the same refusal
for a restriction. Both ways in call these functions (services/intake.py).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol, TypeVar

from complaintctl.domain import policy
from complaintctl.domain.calendar import WorkingCalendar
from complaintctl.domain.procedure import Category, Channel, RestrictionScope
from complaintctl.errors import InvalidInput
from complaintctl.text import ACTING, EMAIL, as_seen, folded

REF_PATTERN = re.compile(r"^SC-[0-9]{4}-[0-9]{6}$")
# Something@somewhere.tld, of printable characters, none of those that only ever wrap or
# separate addresses (RFC 5322's specials but `@` and `.`): `<ann@example.com>` or
# `mailto:ann@example.com` pasted in is not an address, and would be a consumer of its own.
_NOT_IN_EMAIL = r"@\s\x00-\x1f\x7f-\x9f<>()\[\]\\,;:\""
_EMAIL = re.compile(rf"^[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}]+\.[^.{_NOT_IN_EMAIL}]+$")


def adjustment_key(need: str) -> str:
    """An adjustment as needs are compared, however it was typed (`Large Print`,
    `LARGE-PRINT`, `large_print` are `large-print`), and as it looks: compatibility forms
    folded (full-width `ＢＳＬ` is `bsl`) and invisible characters dropped (`lar<U+200B>ge
    print`, pasted from a web form, is `large-print`), as areas and disputes are compared."""
    return "-".join(folded(as_seen(need)).replace("_", " ").replace("-", " ").split())


def with_adjustments(held: Iterable[str], added: Iterable[str]) -> frozenset[str]:
    """The needs `held`, and each of `added` they do not hold already however it is written
    (`adjustment_key`): one need is kept once, as it was first recorded."""
    kept = frozenset(held)
    known = {adjustment_key(need) for need in kept}
    new: dict[str, str] = {}
    for need in added:
        if (key := adjustment_key(need)) not in known:
            new.setdefault(key, need)
    return kept | frozenset(new.values())


def without_adjustments(
    held: Iterable[str], dropped: Iterable[str]
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The needs `held` but those `dropped`, each found as `with_adjustments` finds a need
    held already (`adjustment_key`: `Large Print` drops `large-print`), and the drops that
    found none, as typed."""
    keys = {adjustment_key(need) for need in dropped}
    known = {adjustment_key(need) for need in held}
    missing = tuple(sorted({need for need in dropped if adjustment_key(need) not in known}))
    return frozenset(need for need in held if adjustment_key(need) not in keys), missing


def adjustments_json(adjustments: Collection[str]) -> str:
    """A consumer's reasonable adjustments as the store keeps them: a sorted JSON list (most
    consumers have none: that one is written without encoding)."""
    return json.dumps(sorted(adjustments)) if adjustments else "[]"


@dataclass(frozen=True)
class NewComplaint:
    consumer: str
    channel: Channel
    category: Category
    summary: str
    email: str | None = None
    address: str | None = None
    dispute: str | None = None
    board: bool = False
    about: date | None = None  # when the service issue happened
    preferred_contact: str | None = None
    adjustments: tuple[str, ...] = ()
    source_id: str | None = None  # the web form's or mailbox's own id, for imports


def case_reference(year: int, number: int) -> str:
    """The reference of the year's `number`th case: SC-2026-000123."""
    return f"SC-{year:04d}-{number:06d}"


def normalise_email(email: str | None) -> str | None:
    """Emails match whatever their case or compatibility form (`ａｎｎ@example.com` in
    full-width letters is ann@example.com): kept folded (NFKC) and lower-case. None for none
    given."""
    if email is None or not email.strip():
        return None
    cleaned = unicodedata.normalize("NFKC", email).strip().lower()
    acting = any(ord(character) in ACTING for character in cleaned)  # bidi, invisible
    if len(cleaned) > EMAIL.limit:
        # Quoted only in part: say so, and why, rather than quote a cut address as the one given.
        raise InvalidInput(
            f"{email.strip()[:40]!r}… is not an email address: it is {len(cleaned):,} characters; "
            f"at most {EMAIL.limit:,}"
        )
    if acting or not _EMAIL.match(cleaned):
        raise InvalidInput(f"{email.strip()[: EMAIL.limit]!r} is not an email address")
    return cleaned


def normalise_dispute(reference: str | None) -> str | None:
    """Dispute references compare whatever their case, spacing and compatibility form: `d-1 `
    and `Ｄ-１` in full-width letters are `D-1`. An invisible character pasted with one (a
    zero-width space, a bidirectional mark, a soft hyphen: Unicode's format characters) is
    dropped, so a reference that looks the same is the same, and a same-matter restriction
    cannot be passed by one that only looks it. Control characters are left for the input
    rule to refuse."""
    cleaned = "".join(as_seen(reference or "").split()).upper()
    return cleaned or None


def is_out_of_time(calendar: WorkingCalendar, about: date | None, received: datetime) -> bool:
    """About an issue more than 6 months before the complaint [sibling]: triage decides."""
    return about is not None and about < calendar.local_date(
        calendar.add_months(received, -policy.OUT_OF_TIME_MONTHS)
    )


# -- the consumer --------------------------------------------------------------------------


class _Matching(dict[int, int | str | None]):
    """str.translate's table for matching_form, filled in as characters are met: a format
    character (zero-width, bidirectional, soft hyphen) is dropped, punctuation, a separator or
    a control (a newline, a tab) becomes a space, and every other character stays."""

    def __missing__(self, code: int) -> int | str | None:
        category = unicodedata.category(chr(code))
        value: int | str | None
        if category == "Cf":
            value = None
        elif category[0] in "PZ" or category == "Cc":
            value = " "
        else:
            value = code
        self[code] = value
        return value


_MATCHING = _Matching()


def matching_form(text: str | None) -> str:
    """A name or address as consumers are matched by it, never as it is kept: compatibility
    forms folded (NFKC, so full-width letters are the letters), case folded (`ß` is `ss`),
    invisible format characters dropped, and each run of spaces, line breaks and punctuation
    one space, none at either end. So `1 High St, Leeds`, `1 high st leeds` and
    `1  High St,` over a line break before `Leeds` are one address; `Zoë` and `Zoe`,
    `12` and `1 2` are not."""
    return " ".join(folded(text or "").translate(_MATCHING).split())


def consumer_key(email: str | None, name: str, address: str | None) -> str | tuple[str, str]:
    """Who a complaint is from: the consumer with its (normalised) email, else the one with
    the same name and address, compared in their matching_form."""
    return email if email else (matching_form(name), matching_form(address))


class ConsumerDetails(NamedTuple):  # one made for each row of an import: a named tuple
    name: str
    address: str | None
    preferred_contact: str | None
    adjustments: frozenset[str]


def details_after(known: ConsumerDetails | None, complaint: NewComplaint) -> ConsumerDetails:
    """A consumer as a new complaint leaves them: the name on record (changed only by a
    correction, so a spelling given with a later complaint never undoes one), its address if it
    gives one, its preferred contact if it says, and every adjustment either records. History
    keeps what each complaint said."""
    if known is None:
        return ConsumerDetails(
            complaint.consumer,
            complaint.address or None,
            complaint.preferred_contact or None,
            with_adjustments((), complaint.adjustments),
        )
    return ConsumerDetails(
        name=known.name,
        address=complaint.address or known.address,
        preferred_contact=complaint.preferred_contact or known.preferred_contact,
        adjustments=with_adjustments(known.adjustments, complaint.adjustments),
    )


class Restricting(Protocol):
    """A restriction in force, as the intake rule reads it."""

    @property
    def scope(self) -> str: ...
    @property
    def dispute_ref(self) -> str | None: ...
    @property
    def decided_at(self) -> datetime: ...


R = TypeVar("R", bound=Restricting)


def blocking(restrictions: Iterable[R], dispute: str | None, received: datetime) -> list[R]:
    """The restrictions in force that refuse a new complaint: one from the whole procedure, or
    from the matter the complaint is about, decided by the time it was received (one received
    before is taken, logged however late). A contact restriction limits how we talk, not
    whether a complaint is taken; a genuinely new matter is for a person to decide [std]."""
    matter = normalise_dispute(dispute)
    return [
        r
        for r in restrictions
        if r.decided_at <= received
        and (
            r.scope == RestrictionScope.PROCEDURE
            or (
                r.scope == RestrictionScope.SAME_MATTER
                and matter is not None
                # One stored before references were folded as they are now compares folded.
                and normalise_dispute(r.dispute_ref) == matter
            )
        )
    ]


def restricted(name: str, described: str) -> str:
    """Why a restricted consumer's complaint is refused."""
    return f"{name} is restricted: {described}"
