"""wandb-typed: a typed client for the Weights & Biases public API.

Example:
    >>> import wandb_typed
    >>> api = wandb_typed.Api(overrides={"base_url": "http://localhost:8080"})  # doctest: +SKIP
    >>> run = api.from_path("team/vision/runs/abc123")  # doctest: +SKIP

Importing the package is cheap: every public name is imported on first use (PEP 562), so
``httpx``, ``pydantic`` and the generated client load only when an ``Api`` is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from wandb_typed._version import __version__

if TYPE_CHECKING:
    from wandb_typed._async.pagination import (
        AsyncPaginator,
    )
    from wandb_typed._sync.pagination import (
        Paginator,
    )
    from wandb_typed.api import (
        Api,
        AsyncApi,
    )
    from wandb_typed.artifacts import (
        Artifact,
        ArtifactCollection,
        ArtifactCollections,
        ArtifactDraft,
        ArtifactFile,
        ArtifactFiles,
        ArtifactManifest,
        Artifacts,
        ArtifactType,
        ArtifactTypes,
        AsyncArtifact,
        AsyncArtifactCollection,
        AsyncArtifactCollections,
        AsyncArtifactFiles,
        AsyncArtifacts,
        AsyncArtifactType,
        AsyncArtifactTypes,
        ManifestEntry,
    )
    from wandb_typed.config import (
        ApiKey,
        ClientConfig,
    )
    from wandb_typed.errors import (
        AuthenticationError,
        ChecksumMismatchError,
        ConfigError,
        GraphQLError,
        GraphQLErrorDetail,
        GraphQLValidationError,
        HTTPNotFoundError,
        HTTPStatusError,
        InvalidArgumentError,
        InvalidPathError,
        InvalidResponseError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TimeoutError,
        TransportError,
        WandbTypedError,
    )
    from wandb_typed.pagination import (
        Page,
    )
    from wandb_typed.paths import (
        ArtifactPath,
        ProjectPath,
        ReportPath,
        RunPath,
        SweepPath,
    )
    from wandb_typed.projects import (
        AsyncProject,
        AsyncProjects,
        Project,
        Projects,
    )
    from wandb_typed.reports import (
        AsyncBetaReport,
        AsyncReports,
        BetaReport,
        Reports,
        ReportUser,
    )
    from wandb_typed.runs import (
        AsyncFile,
        AsyncFiles,
        AsyncRun,
        AsyncRuns,
        AsyncRunSummary,
        File,
        Files,
        Run,
        RunConfig,
        Runs,
        RunSummary,
        RunUser,
    )
    from wandb_typed.sweeps import (
        AsyncSweep,
        AsyncSweeps,
        Sweep,
        Sweeps,
    )
    from wandb_typed.teams import (
        AsyncMember,
        AsyncTeam,
        Member,
        Team,
    )
    from wandb_typed.users import (
        AsyncUser,
        User,
        UserApiKey,
    )

_EXPORTS: dict[str, str] = {
    "Api": "wandb_typed._sync.api",
    "ApiKey": "wandb_typed.config",
    "Artifact": "wandb_typed.artifacts",
    "ArtifactCollection": "wandb_typed.artifacts",
    "ArtifactCollections": "wandb_typed.artifacts",
    "ArtifactFile": "wandb_typed.artifacts",
    "ArtifactDraft": "wandb_typed.artifacts",
    "ArtifactFiles": "wandb_typed.artifacts",
    "ArtifactManifest": "wandb_typed.artifacts",
    "ArtifactPath": "wandb_typed.paths",
    "ArtifactType": "wandb_typed.artifacts",
    "ArtifactTypes": "wandb_typed.artifacts",
    "Artifacts": "wandb_typed.artifacts",
    "AsyncApi": "wandb_typed._async.api",
    "AsyncArtifact": "wandb_typed.artifacts",
    "AsyncArtifactCollection": "wandb_typed.artifacts",
    "AsyncArtifactCollections": "wandb_typed.artifacts",
    "AsyncArtifactFiles": "wandb_typed.artifacts",
    "AsyncArtifactType": "wandb_typed.artifacts",
    "AsyncArtifactTypes": "wandb_typed.artifacts",
    "AsyncArtifacts": "wandb_typed.artifacts",
    "AsyncFile": "wandb_typed.runs",
    "AsyncFiles": "wandb_typed.runs",
    "AsyncMember": "wandb_typed.teams",
    "AsyncPaginator": "wandb_typed._async.pagination",
    "AsyncProject": "wandb_typed.projects",
    "AsyncProjects": "wandb_typed.projects",
    "AsyncRun": "wandb_typed.runs",
    "AsyncRunSummary": "wandb_typed.runs",
    "AsyncRuns": "wandb_typed.runs",
    "AsyncBetaReport": "wandb_typed.reports",
    "AsyncReports": "wandb_typed.reports",
    "AsyncSweep": "wandb_typed.sweeps",
    "AsyncSweeps": "wandb_typed.sweeps",
    "BetaReport": "wandb_typed.reports",
    "ReportUser": "wandb_typed.reports",
    "Reports": "wandb_typed.reports",
    "AsyncTeam": "wandb_typed.teams",
    "AsyncUser": "wandb_typed.users",
    "AuthenticationError": "wandb_typed.errors",
    "ChecksumMismatchError": "wandb_typed.errors",
    "ClientConfig": "wandb_typed.config",
    "ConfigError": "wandb_typed.errors",
    "File": "wandb_typed.runs",
    "Files": "wandb_typed.runs",
    "GraphQLError": "wandb_typed.errors",
    "GraphQLErrorDetail": "wandb_typed.errors",
    "GraphQLValidationError": "wandb_typed.errors",
    "HTTPNotFoundError": "wandb_typed.errors",
    "HTTPStatusError": "wandb_typed.errors",
    "InvalidArgumentError": "wandb_typed.errors",
    "InvalidPathError": "wandb_typed.errors",
    "InvalidResponseError": "wandb_typed.errors",
    "ManifestEntry": "wandb_typed.artifacts",
    "Member": "wandb_typed.teams",
    "NotFoundError": "wandb_typed.errors",
    "Page": "wandb_typed.pagination",
    "Paginator": "wandb_typed._sync.pagination",
    "PermissionDeniedError": "wandb_typed.errors",
    "Project": "wandb_typed.projects",
    "ProjectPath": "wandb_typed.paths",
    "Projects": "wandb_typed.projects",
    "RateLimitError": "wandb_typed.errors",
    "ReportPath": "wandb_typed.paths",
    "Run": "wandb_typed.runs",
    "RunConfig": "wandb_typed.runs",
    "RunPath": "wandb_typed.paths",
    "RunSummary": "wandb_typed.runs",
    "RunUser": "wandb_typed.runs",
    "Runs": "wandb_typed.runs",
    "ServerError": "wandb_typed.errors",
    "Sweep": "wandb_typed.sweeps",
    "SweepPath": "wandb_typed.paths",
    "Sweeps": "wandb_typed.sweeps",
    "Team": "wandb_typed.teams",
    "TimeoutError": "wandb_typed.errors",
    "TransportError": "wandb_typed.errors",
    "User": "wandb_typed.users",
    "UserApiKey": "wandb_typed.users",
    "WandbTypedError": "wandb_typed.errors",
}

__all__ = [
    "Api",
    "ApiKey",
    "Artifact",
    "ArtifactCollection",
    "ArtifactCollections",
    "ArtifactDraft",
    "ArtifactFile",
    "ArtifactFiles",
    "ArtifactManifest",
    "ArtifactPath",
    "ArtifactType",
    "ArtifactTypes",
    "Artifacts",
    "AsyncApi",
    "AsyncArtifact",
    "AsyncArtifactCollection",
    "AsyncArtifactCollections",
    "AsyncArtifactFiles",
    "AsyncArtifactType",
    "AsyncArtifactTypes",
    "AsyncArtifacts",
    "AsyncBetaReport",
    "AsyncFile",
    "AsyncFiles",
    "AsyncMember",
    "AsyncPaginator",
    "AsyncProject",
    "AsyncProjects",
    "AsyncReports",
    "AsyncRun",
    "AsyncRunSummary",
    "AsyncRuns",
    "AsyncSweep",
    "AsyncSweeps",
    "AsyncTeam",
    "AsyncUser",
    "AuthenticationError",
    "BetaReport",
    "ChecksumMismatchError",
    "ClientConfig",
    "ConfigError",
    "File",
    "Files",
    "GraphQLError",
    "GraphQLErrorDetail",
    "GraphQLValidationError",
    "HTTPNotFoundError",
    "HTTPStatusError",
    "InvalidArgumentError",
    "InvalidPathError",
    "InvalidResponseError",
    "ManifestEntry",
    "Member",
    "NotFoundError",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "Project",
    "ProjectPath",
    "Projects",
    "RateLimitError",
    "ReportPath",
    "ReportUser",
    "Reports",
    "Run",
    "RunConfig",
    "RunPath",
    "RunSummary",
    "RunUser",
    "Runs",
    "ServerError",
    "Sweep",
    "SweepPath",
    "Sweeps",
    "Team",
    "TimeoutError",
    "TransportError",
    "User",
    "UserApiKey",
    "WandbTypedError",
    "__version__",
]


def __getattr__(name: str) -> object:
    """Import a public name's module the first time the name is used."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'wandb_typed' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
