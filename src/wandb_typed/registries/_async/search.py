"""Searches across an organization's registries (the async source of
``RegistryCollections`` and ``RegistryVersions``): the collections of the registries a
filter selects, and the versions linked into them. The listing of the registries
themselves, which chains to these, is in :mod:`listing`.

Example:
    >>> registries = await api.registries(filter={"name": {"$regex": "model"}})  # doctest: +SKIP
    >>> [v.qualified_name async for v in registries.versions(filter={"alias": "best"})]  # doctest: +SKIP
    ['resnet:v3']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed.artifacts import (
    AsyncArtifact,
    AsyncArtifactCollection,
    Organization,
    async_artifact_from_membership,
)
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath
from wandb_typed.registries.filters import filter_json, registry_filter_json

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.get_registry_collections import (
        GetRegistryCollectionsOrganizationOrgEntityArtifactCollectionsEdgesNode as CollectionNode,
    )

__all__ = [
    "PER_PAGE",
    "AsyncRegistryCollections",
    "AsyncRegistryVersions",
    "organization_not_found",
]

PER_PAGE = 100


def organization_not_found(organization: Organization) -> NotFoundError:
    return NotFoundError(
        f"organization {organization.name!r} not found",
        kind="organization",
        path=organization.name,
    )


class AsyncRegistryCollections(AsyncPaginator[AsyncArtifactCollection]):
    """Collections across an organization's registries, newest first; the count is the
    server's ``totalCount``."""

    connection_path: Sequence[str] = ("organization", "orgEntity", "artifactCollections")

    def __init__(
        self,
        session: AsyncSession,
        organization: Organization,
        *,
        registry_filter: dict[str, Any] | None = None,
        collection_filter: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(per_page=PER_PAGE)
        self._session = session
        self.organization = organization
        self.registry_filter = registry_filter
        self.collection_filter = collection_filter

    async def _fetch(
        self, cursor: str | None, on_data: OnData | None
    ) -> Page[AsyncArtifactCollection]:
        reply = await self._session.client.get_registry_collections(
            self.organization.name,
            registry_filter=registry_filter_json(self.registry_filter),
            collection_filter=filter_json(self.collection_filter),
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        org = reply.organization
        if org is None or org.org_entity is None:
            raise organization_not_found(self.organization)
        connection = org.org_entity.artifact_collections
        session = self._session

        def build(node: CollectionNode | None) -> AsyncArtifactCollection | None:
            if node is None:
                return None
            project = ProjectPath(node.project.entity_name, node.project.name)
            tags = [edge.node.name for edge in node.tags.edges]
            return AsyncArtifactCollection(session, project, node, tags=tags)

        return page_of(
            connection, build, total=connection.total_count if connection is not None else 0
        )

    def versions(self, filter: dict[str, Any] | None = None) -> AsyncRegistryVersions:
        """The versions in these collections (``filter``: ``tag``, ``alias``, ``created_at``,
        ``updated_at``, ``metadata.<key>``)."""
        return AsyncRegistryVersions(
            self._session,
            self.organization,
            registry_filter=self.registry_filter,
            collection_filter=self.collection_filter,
            artifact_filter=filter,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.organization.name} filter={self.collection_filter!r}>"


class AsyncRegistryVersions(AsyncPaginator[AsyncArtifact]):
    """Versions as linked into an organization's registries (their registry index and
    aliases), newest link first."""

    connection_path: Sequence[str] = ("organization", "orgEntity", "artifactMemberships")

    def __init__(
        self,
        session: AsyncSession,
        organization: Organization,
        *,
        registry_filter: dict[str, Any] | None = None,
        collection_filter: dict[str, Any] | None = None,
        artifact_filter: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(per_page=PER_PAGE)
        self._session = session
        self.organization = organization
        self.registry_filter = registry_filter
        self.collection_filter = collection_filter
        self.artifact_filter = artifact_filter

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncArtifact]:
        reply = await self._session.client.get_registry_versions(
            self.organization.name,
            registry_filter=registry_filter_json(self.registry_filter),
            collection_filter=filter_json(self.collection_filter),
            artifact_filter=filter_json(self.artifact_filter),
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        org = reply.organization
        if org is None or org.org_entity is None:
            raise organization_not_found(self.organization)
        session = self._session
        return page_of(
            org.org_entity.artifact_memberships,
            lambda node: None if node is None else async_artifact_from_membership(session, node),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.organization.name} filter={self.artifact_filter!r}>"
