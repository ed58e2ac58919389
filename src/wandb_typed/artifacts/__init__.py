"""The artifacts domain: :class:`Artifact` versions, their :class:`ArtifactCollection`\\ s
and :class:`ArtifactType`\\ s, manifests, files and downloads (and their async twins).

Example:
    >>> from wandb_typed.artifacts import Artifact, AsyncArtifact
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.artifacts._async.artifact import AsyncArtifact
    from wandb_typed.artifacts._async.artifact import (
        artifact_from_membership as async_artifact_from_membership,
    )
    from wandb_typed.artifacts._async.artifact import fetch_artifact as async_fetch_artifact
    from wandb_typed.artifacts._async.collections import (
        AsyncArtifactCollection,
        AsyncArtifactCollections,
        AsyncArtifacts,
        AsyncArtifactType,
        AsyncArtifactTypes,
        AsyncRunArtifacts,
    )
    from wandb_typed.artifacts._async.files import AsyncArtifactFiles
    from wandb_typed.artifacts._async.methods import AsyncArtifactsApi
    from wandb_typed.artifacts._async.organizations import (
        resolve_organization as async_resolve_organization,
    )
    from wandb_typed.artifacts._async.upload import log_artifact as async_log_artifact
    from wandb_typed.artifacts._sync.artifact import (
        Artifact,
        artifact_from_membership,
        fetch_artifact,
    )
    from wandb_typed.artifacts._sync.collections import (
        ArtifactCollection,
        ArtifactCollections,
        Artifacts,
        ArtifactType,
        ArtifactTypes,
        RunArtifacts,
    )
    from wandb_typed.artifacts._sync.files import ArtifactFiles
    from wandb_typed.artifacts._sync.methods import ArtifactsApi
    from wandb_typed.artifacts._sync.organizations import resolve_organization
    from wandb_typed.artifacts._sync.upload import log_artifact
    from wandb_typed.artifacts.draft import ArtifactDraft
    from wandb_typed.artifacts.file_data import ArtifactFile
    from wandb_typed.artifacts.lookups import Organization
    from wandb_typed.artifacts.manifest import ArtifactManifest, ManifestEntry

__all__ = [
    "Artifact",
    "ArtifactCollection",
    "ArtifactCollections",
    "ArtifactDraft",
    "ArtifactFile",
    "ArtifactFiles",
    "ArtifactManifest",
    "ArtifactType",
    "ArtifactTypes",
    "Artifacts",
    "ArtifactsApi",
    "AsyncArtifact",
    "AsyncArtifactCollection",
    "AsyncArtifactCollections",
    "AsyncArtifactFiles",
    "AsyncArtifactType",
    "AsyncArtifactTypes",
    "AsyncArtifacts",
    "AsyncArtifactsApi",
    "AsyncRunArtifacts",
    "ManifestEntry",
    "Organization",
    "RunArtifacts",
    "artifact_from_membership",
    "async_artifact_from_membership",
    "async_fetch_artifact",
    "async_log_artifact",
    "async_resolve_organization",
    "fetch_artifact",
    "log_artifact",
    "resolve_organization",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "Artifact": "wandb_typed.artifacts._sync.artifact",
        "ArtifactCollection": "wandb_typed.artifacts._sync.collections",
        "ArtifactCollections": "wandb_typed.artifacts._sync.collections",
        "ArtifactDraft": "wandb_typed.artifacts.draft",
        "ArtifactFile": "wandb_typed.artifacts.file_data",
        "ArtifactFiles": "wandb_typed.artifacts._sync.files",
        "ArtifactManifest": "wandb_typed.artifacts.manifest",
        "ArtifactType": "wandb_typed.artifacts._sync.collections",
        "ArtifactTypes": "wandb_typed.artifacts._sync.collections",
        "Artifacts": "wandb_typed.artifacts._sync.collections",
        "ArtifactsApi": "wandb_typed.artifacts._sync.methods",
        "AsyncArtifact": "wandb_typed.artifacts._async.artifact",
        "AsyncArtifactCollection": "wandb_typed.artifacts._async.collections",
        "AsyncArtifactCollections": "wandb_typed.artifacts._async.collections",
        "AsyncArtifactFiles": "wandb_typed.artifacts._async.files",
        "AsyncArtifactType": "wandb_typed.artifacts._async.collections",
        "AsyncArtifactTypes": "wandb_typed.artifacts._async.collections",
        "AsyncArtifacts": "wandb_typed.artifacts._async.collections",
        "AsyncArtifactsApi": "wandb_typed.artifacts._async.methods",
        "AsyncRunArtifacts": "wandb_typed.artifacts._async.collections",
        "ManifestEntry": "wandb_typed.artifacts.manifest",
        "Organization": "wandb_typed.artifacts.lookups",
        "RunArtifacts": "wandb_typed.artifacts._sync.collections",
        "artifact_from_membership": "wandb_typed.artifacts._sync.artifact",
        "async_artifact_from_membership": "wandb_typed.artifacts._async.artifact",
        "async_fetch_artifact": "wandb_typed.artifacts._async.artifact",
        "async_log_artifact": "wandb_typed.artifacts._async.upload",
        "async_resolve_organization": "wandb_typed.artifacts._async.organizations",
        "fetch_artifact": "wandb_typed.artifacts._sync.artifact",
        "log_artifact": "wandb_typed.artifacts._sync.upload",
        "resolve_organization": "wandb_typed.artifacts._sync.organizations",
    },
    renamed={
        "async_artifact_from_membership": "artifact_from_membership",
        "async_fetch_artifact": "fetch_artifact",
        "async_log_artifact": "log_artifact",
        "async_resolve_organization": "resolve_organization",
    },
)
