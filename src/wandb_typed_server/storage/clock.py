"""Timestamps as the server stores them: ISO 8601 UTC text with microseconds, no offset."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now_iso() -> str:
    """The current UTC time as stored in the database.

    >>> len(utc_now_iso())
    26
    """
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def to_wire_datetime(stored: str | None) -> str | None:
    """A stored timestamp as W&B sends it: whole seconds, no offset.

    >>> to_wire_datetime("2026-11-27T06:40:15.123456")
    '2026-11-27T06:40:15'
    """
    if stored is None:
        return None
    return stored[:19]
