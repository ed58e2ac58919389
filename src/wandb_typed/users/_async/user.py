"""Users as the public API shows them: :class:`AsyncUser`.

Built from the generated ``UserFragment``; no generated name appears in a public signature.

Example:
    >>> user = await api.user("alice")  # doctest: +SKIP
    >>> user.username, user.teams  # doctest: +SKIP
    ('alice', ('vision-team',))
"""

from __future__ import annotations

from collections.abc import Mapping
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
from wandb_typed.users.api_key import UserApiKey, api_keys_of, find_api_key, teams_of

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.async_client import AsyncClient
    from wandb_typed._generated.fragments import UserFragment

__all__ = ["AsyncUser"]


@dataclass(frozen=True)
class AsyncUser:
    """A W&B user: the viewer (``api.viewer``) or one found by an admin search."""

    id: str
    name: str
    username: str | None = None
    email: str | None = None
    admin: bool = False
    entity: str | None = None
    """The user's default entity (their own name, or a team they chose)."""
    flags: Mapping[str, JSONValue] = field(default_factory=dict[str, JSONValue])
    deleted_at: datetime | None = None
    api_keys: tuple[UserApiKey, ...] = ()
    """Keys visible to the caller (W&B shows a user's keys only to that user and admins)."""
    teams: tuple[str, ...] = ()
    """Names of the teams the user belongs to."""
    _session: AsyncSession | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_fragment(
        cls, fragment: UserFragment, session: AsyncSession | None = None
    ) -> AsyncUser:
        """Build a user from the generated fragment (kept private: a generated type)."""
        return cls(
            id=fragment.id,
            name=fragment.name,
            username=fragment.username,
            email=fragment.email,
            admin=bool(fragment.admin),
            entity=fragment.entity,
            flags=decode_object(fragment.flags, what="user flags"),
            deleted_at=fragment.deleted_at,
            api_keys=api_keys_of(fragment),
            teams=teams_of(fragment),
            _session=session,
        )

    async def generate_api_key(self, description: str | None = None) -> UserApiKey:
        """Generate a new API key for this user, acting as this user.

        The request is sent with this user's own credentials: the key of the ``Api`` the
        user was fetched with when that key is theirs (e.g. ``api.viewer``), else one of
        their listed keys (W&B servers that list keys by secret, as ``wandb`` 0.22 uses),
        sent through the ``Api``'s own transport and connection pool.
        The returned ``UserApiKey.key`` is the new secret, shown by the server only once.

        Raises:
            ConfigError: No credentials of this user are known (servers that list keys by
                name only, such as the local server: use an ``Api`` made with their key).

        Example:
            >>> new = await user.generate_api_key("CI")  # doctest: +SKIP
            >>> new.description  # doctest: +SKIP
            'CI'
        """
        client = await self._client_as_self()
        result = await client.generate_api_key(description=description)
        created = result.generate_api_key.api_key if result.generate_api_key else None
        if created is None:
            raise InvalidResponseError(f"generateApiKey for user {self} returned no key.")
        return UserApiKey(id=created.id, key=ApiKey(created.name), description=created.description)

    async def delete_api_key(self, key: UserApiKey | str) -> bool:
        """Delete one of this user's API keys (an entry of :attr:`api_keys`, or its name).

        Returns whether the server deleted it.

        Raises:
            NotFoundError: ``key`` is not one of this user's listed keys.

        Example:
            >>> await user.delete_api_key(user.api_keys[0])  # doctest: +SKIP
            True
        """
        match = find_api_key(self.api_keys, key)
        if match is None:
            raise NotFoundError(
                f"User {self} has no API key with that name "
                f"({len(self.api_keys)} keys listed; pass an entry of user.api_keys).",
                kind="api key",
                path=str(self),
            )
        session = self._require_session("delete_api_key")
        result = await session.client.delete_api_key(match.id)
        return bool(result.delete_api_key and result.delete_api_key.success)

    def _require_session(self, operation: str) -> AsyncSession:
        if self._session is None:
            raise ConfigError(
                f"User.{operation}: this User was built without an Api; get it from "
                "api.viewer, api.user() or api.users()."
            )
        return self._session

    async def _client_as_self(self) -> AsyncClient:
        """A client sending with this user's credentials (see :meth:`generate_api_key`).

        Other keys are tried through ``session.transport.with_api_key``: the same server,
        settings, connection pool and ``transport=`` as the ``Api``.
        """
        from wandb_typed._generated.async_client import AsyncClient

        session = self._require_session("generate_api_key")
        try:
            viewer = await session.viewer()
        except NotFoundError:
            viewer = None
        if viewer is not None and viewer.id == self.id:
            return session.client
        for listed in self.api_keys:
            transport = session.transport.with_api_key(
                listed.key, api_key_source=f"API keys listed for user {self}"
            )
            as_user = AsyncClient(transport)
            try:
                found = (await as_user.get_viewer()).viewer
            except AuthenticationError:
                continue
            if found is not None and found.id == self.id:
                return as_user
        raise ConfigError(
            f"User.generate_api_key acts as user {self}, but the Api's key belongs to "
            f"{viewer.username if viewer else 'nobody'} and none of {self}'s listed keys "
            "is a usable secret on this server; call it on the viewer of an Api made with "
            f"{self}'s own key."
        )

    def __str__(self) -> str:
        return self.username or self.name
