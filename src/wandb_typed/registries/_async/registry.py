"""A registry of an organization (the async source of ``Registry``).

Example:
    >>> registry = await api.registry("model", organization="acme")  # doctest: +SKIP
    >>> registry.description = "models we trust"  # doctest: +SKIP
    >>> await registry.save()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, NotFoundError
from wandb_typed.registries.filters import (
    Visibility,
    access_of,
    full_name,
    short_name,
    visibility_of,
)

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import RegistryFragment
    from wandb_typed.artifacts import Organization
    from wandb_typed.registries._async.search import (
        AsyncRegistryCollections,
        AsyncRegistryVersions,
    )

__all__ = ["AsyncRegistry", "fetch_registry"]


class AsyncRegistry:
    """A registry: a ``wandb-registry-<name>`` project of its organization's entity.

    ``name``, ``description``, ``visibility``, ``allow_all_artifact_types`` and additions to
    ``artifact_types`` are local until :meth:`save` (saved types cannot be removed).
    """

    def __init__(
        self, session: AsyncSession, organization: Organization, fragment: RegistryFragment
    ) -> None:
        self._session = session
        self._organization = organization
        self._load(fragment)

    def _load(self, fragment: RegistryFragment) -> None:
        self.id: str = fragment.id
        self.name: str = short_name(fragment.name)
        self.description: str | None = fragment.description
        self.visibility: Visibility = visibility_of(fragment.access)
        self.allow_all_artifact_types: bool = fragment.allow_all_artifact_types_in_registry
        self.artifact_types: list[str] = [
            edge.node.name for edge in fragment.artifact_types.edges if edge.node is not None
        ]
        self.created_at: datetime = fragment.created_at
        self.updated_at: datetime | None = fragment.updated_at
        self._saved_name = self.name
        self._saved_types = list(self.artifact_types)

    @property
    def full_name(self) -> str:
        """The registry's project name, ``wandb-registry-<name>``."""
        return full_name(self.name)

    @property
    def organization(self) -> str:
        """The name of the organization the registry belongs to."""
        return self._organization.name

    @property
    def entity(self) -> str:
        """The organization's entity (the registry's project belongs to it)."""
        return self._organization.entity

    @property
    def path(self) -> list[str]:
        """``[entity, full_name]``, as ``wandb`` has it."""
        return [self.entity, self.full_name]

    def collections(self, filter: dict[str, Any] | None = None) -> AsyncRegistryCollections:
        """The registry's collections (Mongo-style ``filter``: ``name``, ``tag``,
        ``description``, ``created_at``, ``updated_at``), newest first."""
        from wandb_typed.registries._async.search import AsyncRegistryCollections

        return AsyncRegistryCollections(
            self._session,
            self._organization,
            registry_filter={"name": self._saved_full_name},
            collection_filter=filter,
        )

    def versions(self, filter: dict[str, Any] | None = None) -> AsyncRegistryVersions:
        """The versions linked into the registry (Mongo-style ``filter``: ``tag``, ``alias``,
        ``created_at``, ``updated_at``, ``metadata.<key>``), newest link first."""
        from wandb_typed.registries._async.search import AsyncRegistryVersions

        return AsyncRegistryVersions(
            self._session,
            self._organization,
            registry_filter={"name": self._saved_full_name},
            artifact_filter=filter,
        )

    @property
    def _saved_full_name(self) -> str:
        return full_name(self._saved_name)

    async def load(self) -> None:
        """Fetch the registry again (local edits are dropped).

        Raises:
            NotFoundError: It no longer exists (or is not visible).
        """
        self._load(await _fetch_fragment(self._session, self._organization, self._saved_name))

    async def save(self) -> None:
        """Send local edits: description, visibility, allowed types (added only), then the
        name.

        Raises:
            InvalidArgumentError: A saved artifact type was removed, or types were added while
                ``allow_all_artifact_types`` is true.
        """
        from wandb_typed._generated.input_types import ArtifactTypeInput, UpsertModelInput

        removed = [t for t in self._saved_types if t not in self.artifact_types]
        if removed:
            raise InvalidArgumentError(
                f"artifact types {removed} of registry {self._saved_name!r} cannot be removed;"
                " types can only be added"
            )
        added = [t for t in dict.fromkeys(self.artifact_types) if t not in self._saved_types]
        if added and self.allow_all_artifact_types:
            raise InvalidArgumentError(
                f"cannot add artifact types {added} while allow_all_artifact_types is True;"
                " set it to False first"
            )
        client = self._session.client
        reply = await client.upsert_registry(
            UpsertModelInput(
                name=self._saved_full_name,
                entity_name=self.entity,
                description=self.description,
                access=access_of(self.visibility),
                allow_all_artifact_types_in_registry=self.allow_all_artifact_types,
                artifact_types=[ArtifactTypeInput(name=t) for t in added] or None,
            )
        )
        if reply.upsert_model is None or reply.upsert_model.project is None:
            raise InvalidResponseError(f"upsertModel returned no registry {self._saved_name!r}")
        fragment: RegistryFragment = reply.upsert_model.project
        if self.full_name != self._saved_full_name:
            renamed = await client.rename_registry(
                self.entity, self._saved_full_name, self.full_name
            )
            if renamed.rename_project is None or renamed.rename_project.project is None:
                raise InvalidResponseError(f"renameProject returned no registry {self.name!r}")
            fragment = renamed.rename_project.project
        self._load(fragment)

    async def delete(self) -> None:
        """Delete the registry and its collections (linked versions stay in their sources).

        Raises:
            GraphQLError: The server refused (the message says why).
        """
        reply = await self._session.client.delete_registry(self.id)
        if reply.delete_model is None or not reply.delete_model.success:
            raise InvalidResponseError(f"deleteModel did not delete registry {self.name!r}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.organization}/{self.name} ({self.visibility})>"


async def _fetch_fragment(
    session: AsyncSession, organization: Organization, name: str
) -> RegistryFragment:
    reply = await session.client.get_registry(organization.entity, full_name(name))
    project = reply.entity.project if reply.entity is not None else None
    if project is None:
        raise NotFoundError(
            f"registry {short_name(name)!r} not found in organization {organization.name!r}",
            kind="registry",
            path=f"{organization.name}/{full_name(name)}",
        )
    return project


async def fetch_registry(
    session: AsyncSession, organization: Organization, name: str
) -> AsyncRegistry:
    """The registry ``name`` (with or without the prefix) of an organization.

    Raises:
        NotFoundError: No such registry (or not visible to this key); the message names it.
    """
    return AsyncRegistry(session, organization, await _fetch_fragment(session, organization, name))
