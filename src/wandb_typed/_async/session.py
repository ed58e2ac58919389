"""What the objects of every domain hold to reach the server: the generated client, the
transport, the configuration, and the default entity (fetched once, from the viewer).

Objects hold an :class:`AsyncSession` (or its sync twin ``Session``), never the whole
``Api``; ``Api.flush()`` empties the session's cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from wandb_typed._concurrency import AsyncLock
from wandb_typed.config import ClientConfig
from wandb_typed.errors import InvalidPathError, NotFoundError
from wandb_typed.paths import EntityDefault, ProjectPath, parse_project_path

if TYPE_CHECKING:
    from wandb_typed._async.transport import AsyncGraphQLTransport
    from wandb_typed._generated.async_client import AsyncClient
    from wandb_typed._generated.fragments import UserFragment

__all__ = ["AsyncSession"]

P = TypeVar("P")


class _EntityNeeded(Exception):
    """A path lacks an entity and none is configured: the viewer's must be fetched."""


class AsyncSession:
    """The generated client, the transport and the configuration of one ``Api``."""

    def __init__(
        self, config: ClientConfig, transport: AsyncGraphQLTransport, client: AsyncClient
    ) -> None:
        self.config = config
        self.transport = transport
        self.client = client
        self._lock = AsyncLock()
        self._viewer: UserFragment | None = None
        self._default_entity: str | None = None
        self._default_entity_known = False

    def copy_with(self, transport: AsyncGraphQLTransport, client: AsyncClient) -> AsyncSession:
        """A session on another transport that keeps what this one knows of the viewer."""
        copy = AsyncSession(self.config, transport, client)
        copy._viewer = self._viewer
        copy._default_entity = self._default_entity
        copy._default_entity_known = self._default_entity_known
        return copy

    @property
    def known_default_entity(self) -> str | None:
        """The viewer's default entity if it was fetched already (no request)."""
        return self._default_entity if self._default_entity_known else None

    async def viewer(self) -> UserFragment:
        """The viewer's fragment (one request the first time, then cached until flush).

        Raises:
            NotFoundError: The server knows no user for this key.
        """
        async with self._lock:
            if self._viewer is None:
                fragment = (await self.client.get_viewer()).viewer
                if fragment is None:
                    raise NotFoundError(
                        f"The server at {self.config.base_url} returned no viewer for the API "
                        f"key from the {self.config.api_key_source}; is it a user's key?",
                        kind="user",
                        path="viewer",
                    )
                self._viewer = fragment
                self._default_entity = fragment.entity
                self._default_entity_known = True
            return self._viewer

    async def default_entity(self) -> str | None:
        """The viewer's default entity (one request the first time, then cached)."""
        async with self._lock:
            if not self._default_entity_known:
                fragment = (await self.client.get_viewer()).viewer
                self._default_entity = fragment.entity if fragment is not None else None
                self._default_entity_known = True
            return self._default_entity

    async def entity_default(self) -> str | None:
        """The entity for a path that has none: ``overrides``/env/settings, else the viewer's."""
        return self.config.entity or await self.default_entity()

    async def parse(self, parse: Callable[[EntityDefault], P]) -> P:
        """``parse(default_entity)``, fetching the viewer's entity only if the path lacks one
        and no entity is configured.

        Example:
            >>> path = await session.parse(lambda entity: parse_project_path("p", default_entity=entity))  # doctest: +SKIP
        """
        if self.config.entity or self._default_entity_known:
            return parse(self.config.entity or self._default_entity)

        def missing() -> str | None:
            raise _EntityNeeded

        try:
            return parse(missing)
        except _EntityNeeded:
            pass
        entity = await self.default_entity()
        return parse(entity)

    async def project_path(self, path: str | None, *, what: str) -> ProjectPath:
        """``entity/project`` from ``path`` (or the configured project when it is None)."""
        if path is None:
            if not self.config.project:
                raise InvalidPathError(
                    f"{what}() needs a project path like 'entity/project' (no default project "
                    "is configured: set WANDB_PROJECT or overrides={'project': ...})",
                    path="",
                )
            path = self.config.project
        text = path
        return await self.parse(lambda entity: parse_project_path(text, default_entity=entity))

    def flush(self) -> None:
        """Forget the viewer and the default entity."""
        self._viewer = None
        self._default_entity = None
        self._default_entity_known = False


class AsyncSessionHolder:
    """The base of an ``Api``'s domain methods: they reach the server through the session."""

    _session: AsyncSession
