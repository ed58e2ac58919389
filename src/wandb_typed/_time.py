"""Timestamps as timezone-aware datetimes: W&B sends ISO 8601 in UTC, usually without an
offset; the public objects carry them with ``tzinfo=UTC`` so they compare with ``now(UTC)``.

Example:
    >>> from datetime import datetime
    >>> as_utc(datetime(2024, 1, 2, 3, 4, 5)).isoformat()
    '2024-01-02T03:04:05+00:00'
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import overload

__all__ = ["as_utc"]


@overload
def as_utc(value: datetime) -> datetime: ...


@overload
def as_utc(value: None) -> None: ...


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` with UTC as its zone when it has none (W&B's timestamps are UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)
