"""What a user's program gets from registries with ``AsyncApi``: listings are async iterables
whose counts and items are awaited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import AsyncApi, AsyncArtifact, AsyncArtifactCollection, Page
from wandb_typed.artifacts import Organization
from wandb_typed.registries import (
    AsyncRegistries,
    AsyncRegistry,
    AsyncRegistryCollections,
    AsyncRegistryVersions,
)
from wandb_typed.registries.filters import Visibility


async def check_api_registries(api: AsyncApi) -> None:
    assert_type(
        await api.registries(organization="acme", filter={"name": {"$regex": "model"}}),
        AsyncRegistries,
    )
    assert_type(await api.registry("model", organization="acme"), AsyncRegistry)
    assert_type(
        await api.create_registry(
            "model",
            "organization",
            organization="acme",
            description=None,
            artifact_types=["model"],
        ),
        AsyncRegistry,
    )


async def check_registry(registry: AsyncRegistry) -> None:
    assert_type(registry.id, str)
    assert_type(registry.name, str)
    assert_type(registry.full_name, str)
    assert_type(registry.description, str | None)
    assert_type(registry.visibility, Visibility)
    assert_type(registry.allow_all_artifact_types, bool)
    assert_type(registry.artifact_types, list[str])
    assert_type(registry.created_at, datetime)
    assert_type(registry.updated_at, datetime | None)
    assert_type(registry.organization, str)
    assert_type(registry.entity, str)
    assert_type(registry.path, list[str])
    assert_type(registry.collections(filter={"tag": "prod"}), AsyncRegistryCollections)
    assert_type(registry.versions(filter={"alias": "best"}), AsyncRegistryVersions)
    assert_type(await registry.load(), None)
    assert_type(await registry.save(), None)
    assert_type(await registry.delete(), None)


async def check_registries(registries: AsyncRegistries) -> None:
    async for registry in registries:
        assert_type(registry, AsyncRegistry)
    assert_type(await registries[0], AsyncRegistry)
    assert_type(await registries[0:2], list[AsyncRegistry])
    assert_type(registries.total, int | None)
    assert_type(await registries.total_count(), int)
    assert_type(await registries.is_empty(), bool)
    assert_type(registries.pages(), AsyncIterator[Page[AsyncRegistry]])
    assert_type(registries.per_page, int)
    assert_type(registries.connection_path, Sequence[str])
    assert_type(registries.organization, Organization)
    assert_type(registries.filter, dict[str, Any] | None)
    assert_type(registries.collections(filter={"name": "resnet"}), AsyncRegistryCollections)
    assert_type(registries.versions(filter={"alias": "best"}), AsyncRegistryVersions)
    assert_type(registries.close(), None)


async def check_registry_collections(collections: AsyncRegistryCollections) -> None:
    async for collection in collections:
        assert_type(collection, AsyncArtifactCollection)
    assert_type(await collections[0], AsyncArtifactCollection)
    assert_type(collections.total, int | None)
    assert_type(await collections.total_count(), int)
    assert_type(await collections.is_empty(), bool)
    assert_type(collections.pages(), AsyncIterator[Page[AsyncArtifactCollection]])
    assert_type(collections.per_page, int)
    assert_type(collections.connection_path, Sequence[str])
    assert_type(collections.organization, Organization)
    assert_type(collections.registry_filter, dict[str, Any] | None)
    assert_type(collections.collection_filter, dict[str, Any] | None)
    assert_type(collections.versions(filter={"tag": "prod"}), AsyncRegistryVersions)
    assert_type(collections.close(), None)


async def check_registry_versions(versions: AsyncRegistryVersions) -> None:
    async for version in versions:
        assert_type(version, AsyncArtifact)
    assert_type(await versions[0], AsyncArtifact)
    assert_type(versions.total, int | None)
    assert_type(await versions.total_count(), int)
    assert_type(await versions.is_empty(), bool)
    assert_type(versions.pages(), AsyncIterator[Page[AsyncArtifact]])
    assert_type(versions.per_page, int)
    assert_type(versions.connection_path, Sequence[str])
    assert_type(versions.organization, Organization)
    assert_type(versions.registry_filter, dict[str, Any] | None)
    assert_type(versions.collection_filter, dict[str, Any] | None)
    assert_type(versions.artifact_filter, dict[str, Any] | None)
    assert_type(versions.close(), None)


async def misuse_registries(api: AsyncApi, versions: AsyncRegistryVersions) -> None:
    registries: AsyncRegistries = api.registries()  # type: ignore[assignment]  # await it
    len(versions)  # type: ignore[arg-type]  # an async listing has no len(): total_count()
    for _ in versions:  # type: ignore[misc]  # an async listing takes `async for`
        break
    print(registries)
