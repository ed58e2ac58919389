""":class:`UserApiKey` (one API key of a user) and the pure helpers both ``User`` flavours
share: reading keys and teams out of the generated fragment, and finding a listed key.

Example:
    >>> from wandb_typed.config import ApiKey
    >>> keys = (UserApiKey("k1", ApiKey("s" * 40), "ci"),)
    >>> find_api_key(keys, "s" * 40).id
    'k1'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wandb_typed.config import ApiKey

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import UserFragment

__all__ = ["UserApiKey", "api_keys_of", "find_api_key", "teams_of"]


@dataclass(frozen=True)
class UserApiKey:
    """One API key of a user; the key itself is an :class:`ApiKey`, hidden in ``repr``."""

    id: str
    key: ApiKey
    description: str | None = None


def api_keys_of(fragment: UserFragment) -> tuple[UserApiKey, ...]:
    """The keys the fragment lists (entries without a name, i.e. a secret, are dropped)."""
    return tuple(
        UserApiKey(id=edge.node.id, key=ApiKey(edge.node.name), description=edge.node.description)
        for edge in (fragment.api_keys.edges if fragment.api_keys else [])
        if edge.node is not None and edge.node.name
    )


def teams_of(fragment: UserFragment) -> tuple[str, ...]:
    """The names of the teams the fragment lists."""
    return tuple(
        edge.node.name
        for edge in (fragment.teams.edges if fragment.teams else [])
        if edge.node is not None
    )


def find_api_key(api_keys: Sequence[UserApiKey], key: UserApiKey | str) -> UserApiKey | None:
    """The listed entry for ``key`` (an entry, or the key's secret text), or ``None``."""
    wanted = key.key.reveal() if isinstance(key, UserApiKey) else key
    return next((listed for listed in api_keys if listed.key.reveal() == wanted), None)
