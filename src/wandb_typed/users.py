"""Users as the public API shows them: :class:`User` and its :class:`UserApiKey` entries.

Built from the generated ``UserFragment``; no generated name appears in a public signature.

Example:
    >>> import wandb_typed
    >>> api = wandb_typed.Api()  # doctest: +SKIP
    >>> api.viewer.username, api.viewer.teams  # doctest: +SKIP
    ('alice', ('vision-team',))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed._json import JSONValue, decode_object
from wandb_typed.config import ApiKey
from wandb_typed.errors import (
    AuthenticationError,
    ConfigError,
    InvalidResponseError,
    NotFoundError,
)

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

    def generate_api_key(self, description: str | None = None) -> UserApiKey:
        """Generate a new API key for this user, acting as this user.

        The request is sent with this user's own credentials: the key of the ``Api`` the
        user was fetched with when that key is theirs (e.g. ``api.viewer``), else one of
        their listed keys (W&B servers that list keys by secret, as ``wandb`` 0.22 uses).
        The returned ``UserApiKey.key`` is the new secret, shown by the server only once.

        Raises:
            ConfigError: No credentials of this user are known (servers that list keys by
                name only, such as the local server: use an ``Api`` made with their key).

        Example:
            >>> new = api.viewer.generate_api_key("CI")  # doctest: +SKIP
            >>> Api(api_key=new.key.reveal()).viewer.username  # doctest: +SKIP
            'alice'
        """
        with self._client_as_self() as client:
            result = client.generate_api_key(description=description)
        created = result.generate_api_key.api_key if result.generate_api_key else None
        if created is None:
            raise InvalidResponseError(f"generateApiKey for user {self} returned no key.")
        return UserApiKey(id=created.id, key=ApiKey(created.name), description=created.description)

    def delete_api_key(self, key: UserApiKey | str) -> bool:
        """Delete one of this user's API keys (an entry of :attr:`api_keys`, or its name).

        Returns whether the server deleted it.

        Raises:
            NotFoundError: ``key`` is not one of this user's listed keys.

        Example:
            >>> user.delete_api_key(user.api_keys[0])  # doctest: +SKIP
            True
        """
        wanted = key.key.reveal() if isinstance(key, UserApiKey) else key
        match = next((k for k in self.api_keys if k.key.reveal() == wanted), None)
        if match is None:
            raise NotFoundError(
                f"User {self} has no API key with that name "
                f"({len(self.api_keys)} keys listed; pass an entry of user.api_keys).",
                kind="api key",
                path=str(self),
            )
        result = self._require_client("delete_api_key").delete_api_key(match.id)
        return bool(result.delete_api_key and result.delete_api_key.success)

    def _require_client(self, operation: str) -> Client:
        if self._client is None:
            raise ConfigError(
                f"User.{operation}: this User was built without an Api; get it from "
                "api.viewer, api.user() or api.users()."
            )
        return self._client

    @contextmanager
    def _client_as_self(self) -> Iterator[Client]:
        """A client sending with this user's credentials (see :meth:`generate_api_key`)."""
        from wandb_typed._generated import Client
        from wandb_typed._transport import GraphQLTransport

        client = self._require_client("generate_api_key")
        viewer = client.get_viewer().viewer
        if viewer is not None and viewer.id == self.id:
            yield client
            return
        base = client.transport
        for listed in self.api_keys:
            transport = GraphQLTransport(
                base.base_url, listed.key, timeout=base.timeout, retry_policy=base.retry_policy
            )
            with transport:
                as_user = Client(transport)
                try:
                    found = as_user.get_viewer().viewer
                except AuthenticationError:
                    continue
                if found is not None and found.id == self.id:
                    yield as_user
                    return
        raise ConfigError(
            f"User.generate_api_key acts as user {self}, but the Api's key belongs to "
            f"{viewer.username if viewer else 'nobody'} and none of {self}'s listed keys "
            "is a usable secret on this server; call it on the viewer of an Api made with "
            f"{self}'s own key."
        )

    def __str__(self) -> str:
        return self.username or self.name
