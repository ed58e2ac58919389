"""What a user's program gets from registries and the searches across them (sync)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import Api, Artifact, ArtifactCollection, Page
from wandb_typed.artifacts import Organization
from wandb_typed.registries import Registries, Registry, RegistryCollections, RegistryVersions
from wandb_typed.registries.filters import Visibility


def check_api_registries(api: Api) -> None:
    assert_type(
        api.registries(organization="acme", filter={"name": {"$regex": "model"}}), Registries
    )
    assert_type(api.registry("model", organization="acme"), Registry)
    assert_type(
        api.create_registry(
            "model",
            "restricted",
            organization="acme",
            description="models we trust",
            artifact_types=["model"],
        ),
        Registry,
    )


def check_registry(registry: Registry) -> None:
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
    assert_type(registry.collections(filter={"tag": "prod"}), RegistryCollections)
    assert_type(registry.versions(filter={"alias": "best"}), RegistryVersions)
    assert_type(registry.load(), None)
    assert_type(registry.save(), None)
    assert_type(registry.delete(), None)


def check_registries(registries: Registries) -> None:
    for registry in registries:
        assert_type(registry, Registry)
    assert_type(registries[0], Registry)
    assert_type(registries[0:2], list[Registry])
    assert_type(len(registries), int)
    assert_type(registries.total, int | None)
    assert_type(registries.total_count(), int)
    assert_type(registries.is_empty(), bool)
    assert_type(registries.pages(), Iterator[Page[Registry]])
    assert_type(registries.per_page, int)
    assert_type(registries.connection_path, Sequence[str])
    assert_type(registries.organization, Organization)
    assert_type(registries.filter, dict[str, Any] | None)
    assert_type(registries.collections(filter={"name": "resnet"}), RegistryCollections)
    assert_type(registries.versions(filter={"alias": "best"}), RegistryVersions)
    assert_type(registries.close(), None)


def check_registry_collections(collections: RegistryCollections) -> None:
    for collection in collections:
        assert_type(collection, ArtifactCollection)
    assert_type(collections[0], ArtifactCollection)
    assert_type(len(collections), int)
    assert_type(collections.total, int | None)
    assert_type(collections.total_count(), int)
    assert_type(collections.is_empty(), bool)
    assert_type(collections.pages(), Iterator[Page[ArtifactCollection]])
    assert_type(collections.per_page, int)
    assert_type(collections.connection_path, Sequence[str])
    assert_type(collections.organization, Organization)
    assert_type(collections.registry_filter, dict[str, Any] | None)
    assert_type(collections.collection_filter, dict[str, Any] | None)
    assert_type(collections.versions(filter={"tag": "prod"}), RegistryVersions)
    assert_type(collections.close(), None)


def check_registry_versions(versions: RegistryVersions) -> None:
    for version in versions:
        assert_type(version, Artifact)
    assert_type(versions[0], Artifact)
    assert_type(len(versions), int)
    assert_type(versions.total, int | None)
    assert_type(versions.total_count(), int)
    assert_type(versions.is_empty(), bool)
    assert_type(versions.pages(), Iterator[Page[Artifact]])
    assert_type(versions.per_page, int)
    assert_type(versions.connection_path, Sequence[str])
    assert_type(versions.organization, Organization)
    assert_type(versions.registry_filter, dict[str, Any] | None)
    assert_type(versions.collection_filter, dict[str, Any] | None)
    assert_type(versions.artifact_filter, dict[str, Any] | None)
    assert_type(versions.close(), None)


def misuse_registries(api: Api, registry: Registry) -> None:
    api.create_registry("model", "public")  # type: ignore[arg-type]  # not a visibility
    registry.visibility = "private"  # type: ignore[assignment]
    print(registry.versions()[0].no_such_field)  # type: ignore[attr-defined]
