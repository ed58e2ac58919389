"""Users as the public API shows them: :class:`User` and its :class:`UserApiKey` entries.

Built from the generated ``UserFragment``; no generated name appears in a public signature.

Example:
    >>> import wandb_typed
    >>> api = wandb_typed.Api()  # doctest: +SKIP
    >>> api.viewer.username, api.viewer.teams  # doctest: +SKIP
    ('alice', ('vision-team',))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed._json import JSONValue, decode_object
from wandb_typed.config import ApiKey

if TYPE_CHECKING:
    from wandb_typed._generated import Client, UserFragment

__all__ = ["User", "UserApiKey"]


@dataclass(frozen=True)
class UserApiKey:
    """One API key of a user; the key itself is an :class:`ApiKey`, hidden in ``repr``."""

    id: str
    key: ApiKey
    description: str | None = None


@dataclass(frozen=True)
class User:
    """A W&B user: the viewer (``api.viewer``) or one found by an admin search."""

    id: str
    name: str
    username: str | None = None
    email: str | None = None
    admin: bool = False
    entity: str | None = None
    """The user's default entity (their own name, or a team they chose)."""
    flags: Mapping[str, JSONValue] = field(default_factory=dict)
    deleted_at: datetime | None = None
    api_keys: tuple[UserApiKey, ...] = ()
    """Keys visible to the caller (W&B shows a user's keys only to that user and admins)."""
    teams: tuple[str, ...] = ()
    """Names of the teams the user belongs to."""
    _client: Client | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: UserFragment, client: Client | None = None) -> User:
        """Build a user from the generated fragment (kept private: a generated type)."""
        api_keys = tuple(
            UserApiKey(
                id=edge.node.id, key=ApiKey(edge.node.name), description=edge.node.description
            )
            for edge in (fragment.api_keys.edges if fragment.api_keys else [])
            if edge.node is not None and edge.node.name
        )
        teams = tuple(
            edge.node.name
            for edge in (fragment.teams.edges if fragment.teams else [])
            if edge.node is not None
        )
        return cls(
            id=fragment.id,
            name=fragment.name,
            username=fragment.username,
            email=fragment.email,
            admin=bool(fragment.admin),
            entity=fragment.entity,
            flags=decode_object(fragment.flags, what="user flags"),
            deleted_at=fragment.deleted_at,
            api_keys=api_keys,
            teams=teams,
            _client=client,
        )

    def __str__(self) -> str:
        return self.username or self.name
