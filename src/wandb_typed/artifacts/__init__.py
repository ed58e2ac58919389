"""The artifacts domain: :class:`Artifact` versions, their :class:`ArtifactCollection`\\ s
and :class:`ArtifactType`\\ s, manifests, files and downloads (and their async twins).

Example:
    >>> from wandb_typed.artifacts import Artifact, AsyncArtifact
"""

from wandb_typed.artifacts._async.artifact import AsyncArtifact
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
from wandb_typed.artifacts._async.upload import log_artifact as async_log_artifact
from wandb_typed.artifacts._sync.artifact import Artifact, fetch_artifact
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
from wandb_typed.artifacts._sync.upload import log_artifact
from wandb_typed.artifacts.draft import ArtifactDraft
from wandb_typed.artifacts.file_data import ArtifactFile
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
    "RunArtifacts",
    "async_fetch_artifact",
    "async_log_artifact",
    "fetch_artifact",
    "log_artifact",
]
