"""Who is asking: the user behind an authenticated request, as storage checks it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """The user an API key belongs to."""

    user_pk: int
    username: str
    is_admin: bool
