"""What a user's program gets from artifacts, their collections, types and files (sync)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from typing_extensions import assert_type

from wandb_typed import (
    Artifact,
    ArtifactCollection,
    ArtifactCollections,
    ArtifactFile,
    ArtifactFiles,
    ArtifactManifest,
    Artifacts,
    ArtifactType,
    ArtifactTypes,
    ManifestEntry,
    Page,
    ProjectPath,
    Run,
)
from wandb_typed._generated.fragments import ArtifactFileFragment
from wandb_typed._json import JSONObject, JSONValue


def check_artifact_fields(artifact: Artifact) -> None:
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


def check_artifact_relations(artifact: Artifact) -> None:
    assert_type(artifact.collection, ArtifactCollection)
    assert_type(artifact.source_collection, ArtifactCollection)
    assert_type(artifact.source_artifact, Artifact)
    assert_type(artifact.linked_artifacts, list[Artifact])
    assert_type(artifact.logged_by(), Run | None)
    assert_type(artifact.used_by(), list[Run])
    assert_type(artifact.manifest, ArtifactManifest)
    assert_type(artifact.get_entry("data.csv"), ManifestEntry)
    assert_type(artifact.files(names=["data.csv"], per_page=10), ArtifactFiles)


def check_artifact_actions(artifact: Artifact) -> None:
    assert_type(artifact.download(root="/tmp/data", skip_cache=False), str)
    assert_type(artifact.save(), None)
    assert_type(artifact.link("team/registry/models", aliases=["prod"]), Artifact)
    assert_type(artifact.unlink(), None)
    assert_type(artifact.delete(delete_aliases=True), None)


def check_manifest(manifest: ArtifactManifest, entry: ManifestEntry) -> None:
    assert_type(manifest["data.csv"], ManifestEntry)
    assert_type(len(manifest), int)
    for each in manifest:
        assert_type(each, ManifestEntry)
    assert_type(manifest.entries, Mapping[str, ManifestEntry])
    assert_type(manifest.version, int)
    assert_type(manifest.storage_policy, str)
    assert_type(manifest.storage_policy_config, Mapping[str, JSONValue])
    assert_type(manifest.digest(), str)
    assert_type(manifest.to_json(), JSONObject)
    assert_type(ArtifactManifest.from_json("{}"), ArtifactManifest)
    assert_type(entry.path, str)
    assert_type(entry.digest, str)
    assert_type(entry.md5_hex, str | None)
    assert_type(entry.size, int | None)
    assert_type(entry.ref, str | None)
    assert_type(entry.is_reference, bool)
    assert_type(entry.birth_artifact_id, str | None)
    assert_type(entry.extra, Mapping[str, JSONValue])


def check_artifact_files(
    files: ArtifactFiles, file: ArtifactFile, fragment: ArtifactFileFragment
) -> None:
    for each in files:
        assert_type(each, ArtifactFile)
    assert_type(files[0], ArtifactFile)
    assert_type(len(files), int)
    assert_type(files.total, int | None)
    assert_type(files.total_count(), int)
    assert_type(files.is_empty(), bool)
    assert_type(files.pages(), Iterator[Page[ArtifactFile]])
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


def check_collection(collection: ArtifactCollection) -> None:
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
    assert_type(collection.artifacts(per_page=10), Artifacts)
    assert_type(collection.save(), None)
    assert_type(collection.delete(), None)


def check_type(artifact_type: ArtifactType) -> None:
    assert_type(artifact_type.id, str)
    assert_type(artifact_type.name, str)
    assert_type(artifact_type.description, str | None)
    assert_type(artifact_type.created_at, datetime)
    assert_type(artifact_type.project, ProjectPath)
    assert_type(artifact_type.collections(per_page=10), ArtifactCollections)
    assert_type(artifact_type.collection("dataset"), ArtifactCollection)


def check_artifact_listings(
    versions: Artifacts, collections: ArtifactCollections, types: ArtifactTypes
) -> None:
    for artifact in versions:
        assert_type(artifact, Artifact)
    assert_type(versions[0], Artifact)
    assert_type(len(versions), int)
    assert_type(versions.total, int | None)
    assert_type(versions.total_count(), int)
    assert_type(versions.is_empty(), bool)
    assert_type(versions.pages(), Iterator[Page[Artifact]])
    assert_type(versions.per_page, int)
    assert_type(versions.connection_path, Sequence[str])
    assert_type(versions.project, ProjectPath)
    assert_type(versions.type_name, str)
    assert_type(versions.collection, str)
    assert_type(versions.tags, list[str] | None)
    assert_type(versions.close(), None)
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
    assert_type(collections.project, ProjectPath)
    assert_type(collections.type_name, str)
    assert_type(collections.close(), None)
    for artifact_type in types:
        assert_type(artifact_type, ArtifactType)
    assert_type(types[0], ArtifactType)
    assert_type(len(types), int)
    assert_type(types.total, int | None)
    assert_type(types.total_count(), int)
    assert_type(types.is_empty(), bool)
    assert_type(types.pages(), Iterator[Page[ArtifactType]])
    assert_type(types.per_page, int)
    assert_type(types.connection_path, Sequence[str])
    assert_type(types.project, ProjectPath)
    assert_type(types.close(), None)
