"""The artifact methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.artifacts.lookups import names_entity
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed.paths import ArtifactPath, ProjectPath, parse_artifact_path, parse_project_path
from wandb_typed.runs.facts import DEFAULT_RUN_PROJECT

if TYPE_CHECKING:
    from wandb_typed.artifacts._async.artifact import AsyncArtifact
    from wandb_typed.artifacts._async.collections import (
        AsyncArtifactCollection,
        AsyncArtifactCollections,
        AsyncArtifacts,
        AsyncArtifactType,
        AsyncArtifactTypes,
    )

__all__ = ["AsyncArtifactsApi"]

# The artifact objects (and what downloads need) load with the first artifact call, not with
# every Api: a method imports the module of what it returns.


class AsyncArtifactsApi(AsyncSessionHolder):
    """``artifact``, ``artifacts``, their types and collections, and the ``*_exists`` checks."""

    async def artifact(self, name: str, type: str | None = None) -> AsyncArtifact:
        """One artifact version: ``[entity/]project/name:alias`` or ``...:vN``.

        Args:
            name: The version's path; without ``:version`` the ``latest`` alias is meant.
            type: When given, the version must be of this type.

        Raises:
            InvalidPathError: ``name`` is malformed (the error names what is missing).
            NotFoundError: No such project, collection, alias or version.
            InvalidArgumentError: ``type`` is given and the version is of another type.

        Example:
            >>> api.artifact("team/vision/mnist:v3", type="dataset").file_count  # doctest: +SKIP
            1000
        """
        from wandb_typed.artifacts._async.artifact import artifact_from_membership

        path = await self._artifact_path(name)
        qualified = path.qualified_name if path.version is not None else f"{path.name}:latest"
        reply = await self._session.client.get_artifact_membership(
            path.entity, path.project, qualified
        )
        membership = reply.project.artifact_collection_membership if reply.project else None
        if membership is None or membership.artifact is None:
            raise NotFoundError(
                f"artifact {path.entity}/{path.project}/{qualified} not found",
                kind="artifact",
                path=f"{path.entity}/{path.project}/{qualified}",
            )
        artifact = artifact_from_membership(
            self._session, membership, requested_as=path.version or "latest"
        )
        if type is not None and artifact.type != type:
            raise InvalidArgumentError(
                f"artifact {artifact.qualified_name} is of type {artifact.type!r}, not {type!r}"
            )
        return artifact

    async def artifact_exists(self, name: str, type: str | None = None) -> bool:
        """Whether the artifact version ``name`` exists (and is of ``type``, when given)."""
        try:
            await self.artifact(name, type)
        except (NotFoundError, InvalidArgumentError):
            return False
        return True

    async def artifacts(
        self, type_name: str, name: str, per_page: int = 50, tags: list[str] | None = None
    ) -> AsyncArtifacts:
        """The versions of the collection ``[entity/]project/name`` of type ``type_name``.

        Args:
            tags: Only versions carrying all of these tags.

        Example:
            >>> [a.version for a in api.artifacts("dataset", "team/vision/mnist")]  # doctest: +SKIP
            ['v2', 'v1', 'v0']
        """
        from wandb_typed.artifacts._async.collections import AsyncArtifacts

        path = await self._artifact_path(name)
        project = ProjectPath(path.entity, path.project)
        return AsyncArtifacts(self._session, project, type_name, path.name, per_page, tags=tags)

    async def artifact_versions(
        self, type_name: str, name: str, per_page: int = 50
    ) -> AsyncArtifacts:
        """Deprecated: use :meth:`artifacts`."""
        warnings.warn(
            "artifact_versions() is deprecated; use artifacts(type_name, name) instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self.artifacts(type_name, name, per_page)

    async def artifact_type(self, type_name: str, project: str | None = None) -> AsyncArtifactType:
        """The artifact type ``type_name`` of ``project`` (a name or ``entity/name``).

        Raises:
            NotFoundError: No such project or type.
        """
        from wandb_typed.artifacts._async.collections import fetch_artifact_type

        return await fetch_artifact_type(
            self._session, await self._artifact_project(project), type_name
        )

    async def artifact_types(self, project: str | None = None) -> AsyncArtifactTypes:
        """The artifact types of ``project`` (a name or ``entity/name``)."""
        from wandb_typed.artifacts._async.collections import AsyncArtifactTypes

        return AsyncArtifactTypes(self._session, await self._artifact_project(project))

    async def artifact_collection(self, type_name: str, name: str) -> AsyncArtifactCollection:
        """The collection ``[entity/]project/name`` of type ``type_name``.

        Raises:
            NotFoundError: No such project, type or collection.
        """
        from wandb_typed.artifacts._async.collections import fetch_artifact_collection

        path = await self._artifact_path(name)
        project = ProjectPath(path.entity, path.project)
        return await fetch_artifact_collection(self._session, project, type_name, path.name)

    async def artifact_collection_exists(self, name: str, type: str) -> bool:
        """Whether the collection ``[entity/]project/name`` of type ``type`` exists."""
        try:
            await self.artifact_collection(type, name)
        except NotFoundError:
            return False
        return True

    async def artifact_collections(
        self, project_name: str, type_name: str, per_page: int = 50
    ) -> AsyncArtifactCollections:
        """The collections of type ``type_name`` in ``project_name`` (or ``entity/name``)."""
        from wandb_typed.artifacts._async.collections import AsyncArtifactCollections

        project = await self._artifact_project(project_name)
        return AsyncArtifactCollections(self._session, project, type_name, per_page)

    async def _artifact_path(self, name: str) -> ArtifactPath:
        """The path ``name`` means; a registry's (``[org/]wandb-registry-x/...``) gets its
        organization's entity, as ``wandb`` resolves it."""
        from wandb_typed.artifacts._async.organizations import registry_artifact_path

        default_project = self._session.config.project or DEFAULT_RUN_PROJECT
        path = await self._session.parse(
            lambda entity: parse_artifact_path(
                name, default_entity=entity, default_project=default_project
            )
        )
        return await registry_artifact_path(
            self._session, path, explicit_entity=names_entity(name), fallback_entity=path.entity
        )

    async def _artifact_project(self, project: str | None) -> ProjectPath:
        text = project or self._session.config.project or DEFAULT_RUN_PROJECT
        return await self._session.parse(
            lambda entity: parse_project_path(text, default_entity=entity)
        )
