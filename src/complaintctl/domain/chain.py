"""The history's seal: every entry's digest, chained to the entry before it [ours].

Each history entry is encoded canonically (`encode`): its id, case, action, actor, instants,
login and host, and its details with EACH value represented by its own digest
(`value_digest`). The entry's digest is the SHA-256 of that encoding, and its link in the chain
is the SHA-256 of the previous entry's link followed by its digest (both as 32 bytes); the first
entry follows GENESIS. One chain runs over every entry of the store in id order.

A details value may later be replaced by a marker, `{"removed": WHY, "sha256": DIGEST}` (see
`removed`), that keeps the digest of the value it replaces: the entry's encoding, and so the
chain, stay the same, so personal data can be anonymised without breaking the seal. Changing
a value (or a marker's digest) changes the encoding and breaks the chain at that entry.

A value that may be personal is sealed by a salted digest: the SHA-256 of a random salt of its
own followed by its canonical JSON. The entry keeps its salts beside its details (`salts`, a
JSON object by key), and removing the value removes its salt too: the marker's digest then
answers no guess of what was removed (an unsalted one would confirm a guessed email address).
Entries sealed before salts were kept have none, and their values' digests are unsalted.

The chain proves the history has not been changed by anyone who did not also recompute every
link after the change: someone who can write the store can do that, so the head (the last
link) is worth keeping outside the store (README, "Is this record trustworthy?").
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

GENESIS = "0" * 64  # what the first entry follows
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# One encoder: keys sorted, no spaces, text as itself (UTF-8), so one value has one encoding.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_text: Any = json.encoder.encode_basestring  # a str as JSON, as itself (C)
_sha256 = hashlib.sha256
_MARKER_KEYS = frozenset({"removed", "sha256"})
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Entry:
    """A history entry as the store holds it (details as their stored JSON text)."""

    id: int
    case_id: int | None
    action: str
    actor: str
    at: datetime
    recorded_at: datetime
    login: str | None
    host: str | None
    details: str
    salts: str | None = None  # JSON: a salt by details key, for the values that may be personal


@dataclass(frozen=True)
class Seal:
    """An entry's own digest and its link in the chain."""

    digest: str
    chain: str


def instant(value: datetime) -> int:
    """An instant as whole microseconds since 1970-01-01 UTC: exact, whatever its zone or the
    text the store keeps it as."""
    if value.utcoffset() is None:
        raise ValueError(f"an instant in the history must know its zone, not {value!r}")
    return (value - _EPOCH) // _MICROSECOND


def unmarked(value: Any) -> Any:
    """A details value as a reader shows it: a removal marker as its words (when and why the
    value was removed), anything else as it is."""
    return value["removed"] if is_marker(value) else value


def is_marker(value: Any) -> bool:
    """Whether a details value is a removal marker keeping the digest of what it replaced."""
    return (
        isinstance(value, dict)
        and value.keys() == _MARKER_KEYS
        and isinstance(value["sha256"], str)
        and len(value["sha256"]) == 64
        and set(value["sha256"]) <= _HEX
    )


def canonical(value: Any) -> str:
    """A value's canonical JSON: keys sorted, no spaces, text as itself.

    The same text as `_CANONICAL.encode(value)` (a test holds them equal), made without the
    encoder's set-up for the values an entry mostly holds: an import seals an entry a row."""
    kind = value.__class__
    if kind is str:
        text: str = _text(value)
        return text
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _CANONICAL.encode(value)


def value_digest(value: Any, salt: str | None = None) -> str:
    """A details value's digest: the SHA-256 of its canonical JSON, after its salt if it has
    one, or, for a removal marker, the digest it keeps."""
    if value.__class__ is dict and is_marker(value):
        digest: str = value["sha256"]
        return digest
    if salt is not None:
        return _sha256((salt + canonical(value)).encode()).hexdigest()
    return _text_digest(canonical(value))


@functools.lru_cache(maxsize=4096)
def _text_digest(text: str) -> str:
    """The SHA-256 of a canonical text, kept for the values many entries share (a channel,
    a category, null, the file an import came from): an import seals an entry a row."""
    return _sha256(text.encode()).hexdigest()


def removed(value: Any, why: str, salt: str | None = None) -> dict[str, str]:
    """The marker that replaces a details value when it is anonymised, keeping its digest
    (salted by `salt`, the value's, if it had one: drop the salt with the value)."""
    return {"removed": why, "sha256": value_digest(value, salt)}


def parse_salts(salts: str | None) -> dict[str, str]:
    """An entry's salts by key (none for an entry sealed without). ValueError where they are
    not a JSON object of text."""
    if salts is None:
        return {}
    parsed = json.loads(salts)
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ValueError("the salts are not a JSON object of text")
    return parsed


def details_digests(details: str, salts: str | None = None) -> dict[str, str]:
    """Each details value's digest, by its key, salted where `salts` (the entry's) has a salt
    for it. ValueError where either text is not a JSON object."""
    parsed = json.loads(details)
    if not isinstance(parsed, dict):
        raise ValueError("the details are not a JSON object")
    salted = parse_salts(salts)
    return {key: value_digest(value, salted.get(key)) for key, value in parsed.items()}


def fields(entry: Entry) -> dict[str, Any]:
    """What the encoding holds: the entry's fields, instants as integers, and a digest for
    each details value. ValueError where its details are not a JSON object."""
    return {
        "id": entry.id,
        "case": entry.case_id,
        "action": entry.action,
        "actor": entry.actor,
        "at": instant(entry.at),
        "recorded_at": instant(entry.recorded_at),
        "login": entry.login,
        "host": entry.host,
        "details": details_digests(entry.details, entry.salts),
    }


def encode(entry: Entry) -> bytes:
    """The entry's canonical encoding: `fields` as canonical JSON (the keys in sorted order,
    written out here; a test holds this equal to `_CANONICAL.encode(fields(entry))`)."""
    digests = details_digests(entry.details, entry.salts)
    details = ",".join(f'{_text(key)}:"{digests[key]}"' for key in sorted(digests))
    return (
        f'{{"action":{canonical(entry.action)},"actor":{canonical(entry.actor)},'
        f'"at":{instant(entry.at)},"case":{canonical(entry.case_id)},"details":{{{details}}},'
        f'"host":{canonical(entry.host)},"id":{canonical(entry.id)},'
        f'"login":{canonical(entry.login)},"recorded_at":{instant(entry.recorded_at)}}}'
    ).encode()


def entry_digest(entry: Entry) -> str:
    return hashlib.sha256(encode(entry)).hexdigest()


def link(previous: str, digest: str) -> str:
    """The chain after an entry with `digest`, following `previous`."""
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(digest)).hexdigest()


def seal(previous: str, entry: Entry) -> Seal:
    digest = entry_digest(entry)
    return Seal(digest, link(previous, digest))


def seal_all(previous: str, entries: Sequence[Entry]) -> list[Seal]:
    """Each entry's seal, in turn, the first following `previous`."""
    seals = []
    for entry in entries:
        sealed = seal(previous, entry)
        seals.append(sealed)
        previous = sealed.chain
    return seals


# -- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first entry whose seal does not hold, and what differs."""

    entry_id: int
    what: str


def check(previous: str, previous_id: int | None, entry: Entry, stored: Seal) -> Break | None:
    """Whether an entry's stored seal is what its contents and the entry before it give.

    `previous` is the chain as checked so far (GENESIS before the first entry), `previous_id`
    the id of the entry it ends at (None before the first)."""
    if not (isinstance(entry.at, datetime) and isinstance(entry.recorded_at, datetime)):
        return Break(entry.id, "its times are not instants: they were changed")
    try:
        digest = entry_digest(entry)
    except ValueError:
        return Break(
            entry.id, "its details (or their salts) are not a JSON object: they were changed"
        )
    if digest != stored.digest:
        if stored.chain == link(previous, digest):
            return Break(entry.id, "its digest was changed (its contents and link still hold)")
        return Break(
            entry.id,
            "its contents are not what was sealed when it was recorded: a field or a details "
            "value was changed",
        )
    if stored.chain != link(previous, digest):
        before = "the start of the history" if previous_id is None else f"entry {previous_id}"
        return Break(
            entry.id,
            f"it does not follow {before}: an entry before it was removed, or the chain was "
            "rewritten",
        )
    return None
