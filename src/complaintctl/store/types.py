"""Column types that keep instants honest across SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator


class UnreadableDetails(ValueError):
    """A history entry's details that are not the JSON object complaintctl wrote: changed
    behind its back."""

    def __init__(self) -> None:
        super().__init__("a history entry's details are not a JSON object")


def details_of(text: str) -> dict[str, Any]:
    """A history entry's details, decoded: UnreadableDetails (the store is damaged) where
    they are not a JSON object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise UnreadableDetails
    return value


class MissingRow(ValueError):
    """A row complaintctl always writes beside another (an action's deadline) is not there:
    deleted behind its back."""


class UnreadableInstant(ValueError):
    """A stored instant that is not one: text changed behind complaintctl's back (SQLite keeps
    any text in any column)."""

    def __init__(self, value: Any) -> None:
        shown = repr(value)
        super().__init__(
            f"a time in it is not an instant ({shown[:40]}{'…' if len(shown) > 40 else ''})"
        )


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: refuses naive datetimes, stores UTC, and gives UTC back.

    SQLite keeps no zone, so values are written as naive UTC in SQLAlchemy's one fixed text
    format (text comparisons then order correctly); PostgreSQL keeps a timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"instants must be timezone-aware datetimes, not {value!r}")
        instant = value.astimezone(UTC)
        return instant.replace(tzinfo=None) if dialect.name == "sqlite" else instant

    # SQLite's path, taken for every instant read or written (~2× the rows of a listing), is
    # done here in one step with the C parser rather than through the general decorator
    # machinery and SQLAlchemy's regular-expression parser: the same text either way.
    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: Any) -> str | None:
            if value is None:
                return None
            if value.__class__ is datetime and value.tzinfo is UTC:  # the usual case, quickly
                return value.isoformat(" ", "microseconds")[:-6]
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise ValueError(f"instants must be timezone-aware datetimes, not {value!r}")
            instant = value if value.tzinfo is UTC else value.astimezone(UTC)
            # "2026-11-20 10:00:00.000000+00:00" without its offset: naive UTC.
            return instant.isoformat(" ", "microseconds")[:-6]

        return to_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: Any) -> datetime | None:
            if value is None:
                return None
            # Appending the offset is several times quicker than datetime.replace(tzinfo=…).
            try:
                return datetime.fromisoformat(value + "+00:00")
            except (TypeError, ValueError):
                raise UnreadableInstant(value) from None

        return from_text

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - the dialect parses text
            raise TypeError(f"unexpected stored instant {value!r}")
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StoredInstant(UTCDateTime):
    """An instant as `db verify` reads it: text that is not one comes back as it is, for the
    check to name its entry, rather than refusing the whole history."""

    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        strict = super().result_processor(dialect, coltype)
        if strict is None:  # pragma: no cover - both dialects have one
            return None

        def lenient(value: Any) -> Any:
            try:
                return strict(value)
            except UnreadableInstant:
                return value

        return lenient
