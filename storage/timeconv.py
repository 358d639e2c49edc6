"""Instants are stored as integer Unix seconds (UTC) and come back as aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return int(moment.timestamp())


def from_db(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def from_db_optional(seconds: int | None) -> datetime | None:
    return None if seconds is None else from_db(seconds)
