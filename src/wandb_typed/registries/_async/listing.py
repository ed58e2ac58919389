"""The registries of an organization (the async source of ``Registries``).

The listing is lazy and chains to the next level, as ``wandb.Api().registries()`` does:
registries -> their collections -> the versions linked into them (:mod:`search`).

Example:
    >>> registries = await api.registries(filter={"name": {"$regex": "model"}})  # doctest: +SKIP
    >>> [v.qualified_name async for v in registries.versions(filter={"alias": "best"})]  # doctest: +SKIP
    ['resnet:v3']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed.artifacts import Organization
from wandb_typed.pagination import Page, page_of
from wandb_typed.registries._async.registry import AsyncRegistry
from wandb_typed.registries._async.search import (
    PER_PAGE,
    AsyncRegistryCollections,
    AsyncRegistryVersions,
    organization_not_found,
)
from wandb_typed.registries.filters import registry_filter_json

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession

__all__ = ["AsyncRegistries"]


class AsyncRegistries(AsyncPaginator[AsyncRegistry]):
    """The registries of an organization the key may see, by name; ``filter`` is Mongo-style
    (``name``, ``description``, ``created_at``, ``updated_at``)."""

    connection_path: Sequence[str] = ("organization", "orgEntity", "projects")

    def __init__(
        self,
        session: AsyncSession,
        organization: Organization,
        filter: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(per_page=PER_PAGE)
        self._session = session
        self.organization = organization
        self.filter = filter
        self._filters = registry_filter_json(filter)

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncRegistry]:
        reply = await self._session.client.get_registries(
            self.organization.name,
            filters=self._filters,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        org = reply.organization
        if org is None or org.org_entity is None:
            raise organization_not_found(self.organization)
        session, organization = self._session, self.organization
        return page_of(
            org.org_entity.projects,
            lambda node: None if node is None else AsyncRegistry(session, organization, node),
        )

    def collections(self, filter: dict[str, Any] | None = None) -> AsyncRegistryCollections:
        """The collections of these registries (``filter``: ``name``, ``tag``,
        ``description``, ``created_at``, ``updated_at``)."""
        return AsyncRegistryCollections(
            self._session, self.organization, registry_filter=self.filter, collection_filter=filter
        )

    def versions(self, filter: dict[str, Any] | None = None) -> AsyncRegistryVersions:
        """The versions linked into these registries (``filter``: ``tag``, ``alias``,
        ``created_at``, ``updated_at``, ``metadata.<key>``)."""
        return AsyncRegistryVersions(
            self._session, self.organization, registry_filter=self.filter, artifact_filter=filter
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.organization.name} filter={self.filter!r}>"
