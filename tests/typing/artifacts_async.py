"""What a user's program gets from artifacts, their collections, types and files (async):
what needs a request is awaited, listings are async iterators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

from typing_extensions import assert_type

from wandb_typed import (
    ArtifactFile,
    ArtifactManifest,
    AsyncArtifact,
    AsyncArtifactCollection,
    AsyncArtifactCollections,
    AsyncArtifactFiles,
    AsyncArtifacts,
    AsyncArtifactType,
    AsyncArtifactTypes,
    AsyncRun,
    ManifestEntry,
    Page,
    ProjectPath,
)
from wandb_typed._generated.fragments import ArtifactFileFragment
from wandb_typed._json import JSONObject


async def check_artifact_fields(artifact: AsyncArtifact) -> None:
    assert_type(artifact.id, str)
    assert_type(artifact.name, str)
    assert_type(artifact.qualified_name, str)
    assert_type(artifact.path, str)
    assert_type(artifact.version, str)
    assert_type(artifact.version_index, int | None)
    assert_type(artifact.entity, str)
    assert_type(artifact.project, str)
    assert_type(artifact.collection_name, str)
    assert_type(artifact.type, str)
    assert_type(artifact.description, str | None)
    assert_type(artifact.metadata, JSONObject)
    assert_type(artifact.aliases, list[str])
    assert_type(artifact.tags, list[str])
    assert_type(artifact.digest, str)
    assert_type(artifact.size, int)
    assert_type(artifact.file_count, int)
    assert_type(artifact.state, str)
    assert_type(artifact.commit_hash, str | None)
    assert_type(artifact.history_step, int | None)
    assert_type(artifact.created_at, datetime)
    assert_type(artifact.updated_at, datetime | None)
    assert_type(artifact.ttl, timedelta | None)
    assert_type(artifact.is_link, bool)
    assert_type(artifact.source_entity, str)
    assert_type(artifact.source_project, str)
    assert_type(artifact.source_collection_name, str)
    assert_type(artifact.source_version, str)
    assert_type(artifact.source_name, str)
    assert_type(artifact.source_qualified_name, str)


async def check_artifact_relations(artifact: AsyncArtifact) -> None:
    assert_type(await artifact.collection(), AsyncArtifactCollection)
    assert_type(await artifact.source_collection(), AsyncArtifactCollection)
    assert_type(await artifact.source_artifact(), AsyncArtifact)
    assert_type(await artifact.linked_artifacts(), list[AsyncArtifact])
    assert_type(await artifact.logged_by(), AsyncRun | None)
    assert_type(await artifact.used_by(), list[AsyncRun])
    assert_type(await artifact.manifest(), ArtifactManifest)
    assert_type(await artifact.get_entry("data.csv"), ManifestEntry)
    assert_type(artifact.files(names=["data.csv"], per_page=10), AsyncArtifactFiles)


async def check_artifact_actions(artifact: AsyncArtifact) -> None:
    assert_type(await artifact.download(root="/tmp/data", skip_cache=False), str)
    assert_type(await artifact.save(), None)
    assert_type(await artifact.link("team/registry/models", aliases=["prod"]), AsyncArtifact)
    assert_type(await artifact.unlink(), None)
    assert_type(await artifact.delete(delete_aliases=True), None)


async def check_artifact_files(
    files: AsyncArtifactFiles, file: ArtifactFile, fragment: ArtifactFileFragment
) -> None:
    async for each in files:
        assert_type(each, ArtifactFile)
    assert_type(await files[0], ArtifactFile)
    assert_type(files.total, int | None)
    assert_type(await files.total_count(), int)
    assert_type(await files.is_empty(), bool)
    assert_type(files.pages(), AsyncIterator[Page[ArtifactFile]])
    assert_type(files.per_page, int)
    assert_type(files.connection_path, Sequence[str])
    assert_type(files.artifact_id, str)
    assert_type(files.names, list[str] | None)
    assert_type(files.close(), None)
    assert_type(file.id, str)
    assert_type(file.name, str)
    assert_type(file.size, int)
    assert_type(file.md5, str | None)
    assert_type(file.digest, str | None)
    assert_type(file.mimetype, str | None)
    assert_type(file.url, str | None)
    assert_type(file.direct_url, str)
    assert_type(file.updated_at, datetime | None)
    assert_type(file.of(fragment), ArtifactFile)


async def check_collection(collection: AsyncArtifactCollection) -> None:
    assert_type(collection.id, str)
    assert_type(collection.name, str)
    assert_type(collection.type, str)
    assert_type(collection.description, str | None)
    assert_type(collection.aliases, list[str])
    assert_type(collection.tags, list[str])
    assert_type(collection.created_at, datetime)
    assert_type(collection.project, ProjectPath)
    assert_type(collection.path, str)
    assert_type(collection.is_sequence(), bool)
    assert_type(collection.artifacts(per_page=10), AsyncArtifacts)
    assert_type(await collection.save(), None)
    assert_type(await collection.delete(), None)


async def check_type(artifact_type: AsyncArtifactType) -> None:
    assert_type(artifact_type.id, str)
    assert_type(artifact_type.name, str)
    assert_type(artifact_type.description, str | None)
    assert_type(artifact_type.created_at, datetime)
    assert_type(artifact_type.project, ProjectPath)
    assert_type(artifact_type.collections(per_page=10), AsyncArtifactCollections)
    assert_type(await artifact_type.collection("dataset"), AsyncArtifactCollection)


async def check_artifact_listings(
    versions: AsyncArtifacts, collections: AsyncArtifactCollections, types: AsyncArtifactTypes
) -> None:
    async for artifact in versions:
        assert_type(artifact, AsyncArtifact)
    assert_type(await versions[0], AsyncArtifact)
    assert_type(versions.total, int | None)
    assert_type(await versions.total_count(), int)
    assert_type(await versions.is_empty(), bool)
    assert_type(versions.pages(), AsyncIterator[Page[AsyncArtifact]])
    assert_type(versions.per_page, int)
    assert_type(versions.connection_path, Sequence[str])
    assert_type(versions.project, ProjectPath)
    assert_type(versions.type_name, str)
    assert_type(versions.collection, str)
    assert_type(versions.tags, list[str] | None)
    assert_type(versions.close(), None)
    async for collection in collections:
        assert_type(collection, AsyncArtifactCollection)
    assert_type(await collections[0], AsyncArtifactCollection)
    assert_type(collections.total, int | None)
    assert_type(await collections.total_count(), int)
    assert_type(await collections.is_empty(), bool)
    assert_type(collections.pages(), AsyncIterator[Page[AsyncArtifactCollection]])
    assert_type(collections.per_page, int)
    assert_type(collections.connection_path, Sequence[str])
    assert_type(collections.project, ProjectPath)
    assert_type(collections.type_name, str)
    assert_type(collections.close(), None)
    async for artifact_type in types:
        assert_type(artifact_type, AsyncArtifactType)
    assert_type(await types[0], AsyncArtifactType)
    assert_type(types.total, int | None)
    assert_type(await types.total_count(), int)
    assert_type(await types.is_empty(), bool)
    assert_type(types.pages(), AsyncIterator[Page[AsyncArtifactType]])
    assert_type(types.per_page, int)
    assert_type(types.connection_path, Sequence[str])
    assert_type(types.project, ProjectPath)
    assert_type(types.close(), None)
