"""The registry methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed.registries.filters import access_of, full_name

if TYPE_CHECKING:
    from wandb_typed.registries._async.listing import AsyncRegistries
    from wandb_typed.registries._async.registry import AsyncRegistry

__all__ = ["AsyncRegistriesApi"]


class AsyncRegistriesApi(AsyncSessionHolder):
    """``registries``, ``registry`` and ``create_registry``.

    Without ``organization`` the organization is the one the configured (or the viewer's)
    entity belongs to, as ``wandb`` finds it.
    """

    async def registries(
        self, organization: str | None = None, filter: dict[str, Any] | None = None
    ) -> AsyncRegistries:
        """The organization's registries (lazy), to search them, their collections and
        versions; ``filter`` is Mongo-style (``name``, ``description``, ``created_at``,
        ``updated_at``), a ``name`` given the ``wandb-registry-`` prefix (not in ``$regex``).

        Raises:
            NotFoundError: The organization is unknown (the message names it).

        Example:
            >>> registries = api.registries(filter={"name": {"$regex": "model"}})  # doctest: +SKIP
            >>> [v.name for v in registries.versions(filter={"alias": "best"})]  # doctest: +SKIP
            ['resnet:v3']
        """
        from wandb_typed.artifacts import async_resolve_organization
        from wandb_typed.registries._async.listing import AsyncRegistries

        org = await async_resolve_organization(self._session, organization)
        return AsyncRegistries(self._session, org, filter)

    async def registry(self, name: str, organization: str | None = None) -> AsyncRegistry:
        """The registry ``name`` (without the ``wandb-registry-`` prefix).

        Raises:
            NotFoundError: No such organization or registry (or not visible to this key).

        Example:
            >>> registry = api.registry(name="my-registry", organization="my-org")  # doctest: +SKIP
            >>> registry.description = "This is an updated description"  # doctest: +SKIP
            >>> registry.save()  # doctest: +SKIP
        """
        from wandb_typed.artifacts import async_resolve_organization
        from wandb_typed.registries._async.registry import fetch_registry

        org = await async_resolve_organization(self._session, organization)
        return await fetch_registry(self._session, org, name)

    async def create_registry(
        self,
        name: str,
        visibility: Literal["organization", "restricted"],
        organization: str | None = None,
        description: str | None = None,
        artifact_types: list[str] | None = None,
    ) -> AsyncRegistry:
        """Create a registry: ``visibility`` ``"organization"`` (every member sees it) or
        ``"restricted"`` (its members only); ``artifact_types`` it takes (all when None;
        types can be added later, never removed).

        Raises:
            InvalidArgumentError: A bad visibility or type, or the name is taken.
            NotFoundError: The organization is unknown.

        Example:
            >>> registry = api.create_registry(  # doctest: +SKIP
            ...     name="my-registry", visibility="restricted", organization="my-org",
            ...     description="This is a test registry", artifact_types=["model"],
            ... )
        """
        from wandb_typed._generated.input_types import ArtifactTypeInput, UpsertModelInput
        from wandb_typed.artifacts import async_resolve_organization
        from wandb_typed.registries._async.registry import AsyncRegistry, fetch_registry

        access = access_of(visibility)
        types = list(dict.fromkeys(artifact_types or []))
        for type_name in types:
            if not type_name or len(type_name) > 128 or "/" in type_name or ":" in type_name:
                raise InvalidArgumentError(
                    f"invalid artifact type {type_name!r}: 1-128 characters without '/' or ':'"
                )
        org = await async_resolve_organization(self._session, organization)
        try:
            await fetch_registry(self._session, org, name)
        except NotFoundError:
            pass
        else:
            raise InvalidArgumentError(
                f"registry {name!r} already exists in organization {org.name!r}"
            )
        reply = await self._session.client.upsert_registry(
            UpsertModelInput(
                name=full_name(name),
                entity_name=org.entity,
                description=description,
                access=access,
                allow_all_artifact_types_in_registry=not types,
                artifact_types=[ArtifactTypeInput(name=t) for t in types] or None,
            )
        )
        result = reply.upsert_model
        if result is None or result.project is None or not result.inserted:
            raise InvalidArgumentError(
                f"registry {name!r} could not be created in organization {org.name!r}"
            )
        return AsyncRegistry(self._session, org, result.project)
