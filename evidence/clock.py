"""Time, in one place: every stored timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def now() -> datetime:
    # Microseconds are dropped so a value reads back the same from SQLite and PostgreSQL.
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@overload
def iso(value: datetime) -> str: ...
@overload
def iso(value: None) -> None: ...
@overload
def iso(value: datetime | None) -> str | None: ...
def iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")
