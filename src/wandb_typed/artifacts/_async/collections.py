"""Artifact types, collections and the versions of a collection (the async source of
``ArtifactType``, ``ArtifactTypes``, ``ArtifactCollection``, ``ArtifactCollections`` and
``Artifacts``).

Example:
    >>> collection = await api.artifact_collection("dataset", "team/vision/mnist")  # doctest: +SKIP
    >>> [artifact.version async for artifact in collection.artifacts()]  # doctest: +SKIP
    ['v2', 'v1', 'v0']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.artifacts._async.artifact import AsyncArtifact
from wandb_typed.artifacts.fields import tag_inputs
from wandb_typed.artifacts.lookups import (
    artifact_type_of,
    collection_not_found,
    project_not_found,
)
from wandb_typed.errors import InvalidResponseError, NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath, RunPath

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import (
        ArtifactCollectionFragment,
        ArtifactFragment,
        ArtifactTypeFragment,
    )

__all__ = [
    "AsyncArtifactCollection",
    "AsyncArtifactCollections",
    "AsyncArtifactType",
    "AsyncArtifactTypes",
    "AsyncArtifacts",
    "AsyncRunArtifacts",
    "fetch_artifact_collection",
    "fetch_artifact_type",
]


class AsyncArtifactType:
    """An artifact type of a project (``dataset``, ``model``, ...)."""

    def __init__(
        self, session: AsyncSession, project: ProjectPath, fragment: ArtifactTypeFragment
    ) -> None:
        self._session = session
        self.project = project
        self.id: str = fragment.id
        self.name: str = fragment.name
        self.description: str | None = fragment.description
        self.created_at: datetime = fragment.created_at

    def collections(self, per_page: int = DEFAULT_PER_PAGE) -> AsyncArtifactCollections:
        """The collections of this type (lazy; the count is the server's total)."""
        return AsyncArtifactCollections(self._session, self.project, self.name, per_page)

    async def collection(self, name: str) -> AsyncArtifactCollection:
        """The collection called ``name`` of this type.

        Raises:
            NotFoundError: No such collection.
        """
        return await fetch_artifact_collection(self._session, self.project, self.name, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.project}/{self.name}>"


class AsyncArtifactCollection:
    """A collection of versions: a sequence (what runs log into) or a portfolio (links).

    ``name``, ``description``, ``type`` and ``tags`` edits are local until :meth:`save`.
    """

    def __init__(
        self,
        session: AsyncSession,
        project: ProjectPath,
        fragment: ArtifactCollectionFragment,
        *,
        aliases: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> None:
        self._session = session
        self.project = project
        self.id: str = fragment.id
        self.name: str = fragment.name
        self.description: str | None = fragment.description
        self.type: str = fragment.default_artifact_type.name
        self.created_at: datetime = fragment.created_at
        self._is_sequence = fragment.typename__ == "ArtifactSequence"
        self.aliases: list[str] = list(aliases)
        self.tags: list[str] = list(tags)
        self._saved = (self.name, self.description, self.type, list(self.tags))

    def is_sequence(self) -> bool:
        """Whether runs log into it (a sequence), rather than versions being linked into it
        (a portfolio)."""
        return self._is_sequence

    @property
    def path(self) -> str:
        """``entity/project/name``."""
        return f"{self.project}/{self.name}"

    def artifacts(self, per_page: int = DEFAULT_PER_PAGE) -> AsyncArtifacts:
        """The collection's versions, newest first."""
        return AsyncArtifacts(self._session, self.project, self.type, self.name, per_page)

    async def save(self) -> None:
        """Send local edits: name and description, then a type change (sequences only),
        then tags."""
        client = self._session.client
        name, description, type_name, tags = self._saved
        if (self.name, self.description) != (name, description):
            if self._is_sequence:
                await client.update_artifact_sequence(
                    self.id, name=self.name, description=self.description
                )
            else:
                await client.update_artifact_portfolio(
                    self.id, name=self.name, description=self.description
                )
        if self.type != type_name:
            if not self._is_sequence:
                raise InvalidResponseError(
                    f"{self.path} is a portfolio: only sequences change type"
                )
            await client.move_artifact_collection(self.id, self.type)
        added = [tag for tag in self.tags if tag not in tags]
        removed = [tag for tag in tags if tag not in self.tags]
        entity, project = self.project.entity, self.project.project
        if added:
            await client.add_artifact_collection_tags(entity, project, self.name, tag_inputs(added))
        if removed:
            await client.delete_artifact_collection_tags(
                entity, project, self.name, tag_inputs(removed)
            )
        self._saved = (self.name, self.description, self.type, list(self.tags))

    async def delete(self) -> None:
        """Delete the collection and every version in it (or every link, for a portfolio)."""
        if self._is_sequence:
            await self._session.client.delete_artifact_sequence(self.id)
        else:
            await self._session.client.delete_artifact_portfolio(self.id)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} ({self.type})>"


class AsyncArtifactTypes(AsyncPaginator[AsyncArtifactType]):
    """A project's artifact types."""

    connection_path: Sequence[str] = ("project", "artifactTypes")

    def __init__(
        self, session: AsyncSession, project: ProjectPath, per_page: int = DEFAULT_PER_PAGE
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project = project

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncArtifactType]:
        reply = await self._session.client.get_artifact_types(
            self.project.entity,
            self.project.project,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        if reply.project is None:
            raise project_not_found(self.project)
        session, project = self._session, self.project
        return page_of(
            reply.project.artifact_types,
            lambda node: None if node is None else AsyncArtifactType(session, project, node),
        )


class AsyncArtifactCollections(AsyncPaginator[AsyncArtifactCollection]):
    """The collections of one artifact type; the count is the server's ``totalCount``."""

    connection_path: Sequence[str] = ("project", "artifactType", "artifactCollections")

    def __init__(
        self,
        session: AsyncSession,
        project: ProjectPath,
        type_name: str,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project = project
        self.type_name = type_name

    async def _fetch(
        self, cursor: str | None, on_data: OnData | None
    ) -> Page[AsyncArtifactCollection]:
        reply = await self._session.client.get_artifact_collections(
            self.project.entity,
            self.project.project,
            self.type_name,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        artifact_type = artifact_type_of(reply.project, self.project, self.type_name)
        connection = artifact_type.artifact_collections
        session, project = self._session, self.project
        return page_of(
            connection,
            lambda node: None if node is None else AsyncArtifactCollection(session, project, node),
            total=connection.total_count if connection is not None else 0,
        )


class AsyncArtifacts(AsyncPaginator[AsyncArtifact]):
    """The committed versions of one collection, newest first; the count is the server's.

    Args:
        tags: Only versions carrying all of these tags (filtered here, as ``wandb`` does).
    """

    connection_path: Sequence[str] = ("project", "artifactType", "artifactCollection", "artifacts")

    def __init__(
        self,
        session: AsyncSession,
        project: ProjectPath,
        type_name: str,
        collection: str,
        per_page: int = DEFAULT_PER_PAGE,
        *,
        tags: Sequence[str] | None = None,
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project = project
        self.type_name = type_name
        self.collection = collection
        self.tags: list[str] | None = list(tags) if tags is not None else None

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncArtifact]:
        reply = await self._session.client.get_artifact_versions(
            self.project.entity,
            self.project.project,
            self.type_name,
            self.collection,
            filters=json.dumps({"state": "COMMITTED"}),
            order="-createdAt",
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        artifact_type = artifact_type_of(reply.project, self.project, self.type_name)
        collection = artifact_type.artifact_collection
        if collection is None:
            raise collection_not_found(self.project, self.collection, self.type_name)
        connection = collection.artifacts
        session, project, wanted = self._session, self.project, self.tags
        portfolio = collection.typename__ == "ArtifactPortfolio"
        # The index in this collection is the edge's version (a link has its own).
        versions = {edge.node.id: edge.version for edge in connection.edges} if connection else {}

        def build(node: object) -> AsyncArtifact | None:
            from wandb_typed._generated.fragments import ArtifactFragment

            assert isinstance(node, ArtifactFragment)
            artifact = AsyncArtifact(
                session,
                node,
                collection=collection.name,
                entity=project.entity,
                project=project.project,
                version_index=_index(versions.get(node.id)),
                is_link=portfolio,
            )
            if wanted and not set(wanted) <= set(artifact.tags):
                return None
            return artifact

        return page_of(connection, build, total=connection.total_count if connection else 0)


async def fetch_artifact_type(
    session: AsyncSession, project: ProjectPath, type_name: str
) -> AsyncArtifactType:
    """The artifact type ``type_name`` of ``project``.

    Raises:
        NotFoundError: No such project or type.
    """
    reply = await session.client.get_artifact_type(project.entity, project.project, type_name)
    found = artifact_type_of(reply.project, project, type_name)
    return AsyncArtifactType(session, project, found)


async def fetch_artifact_collection(
    session: AsyncSession, project: ProjectPath, type_name: str, name: str
) -> AsyncArtifactCollection:
    """The collection ``name`` of type ``type_name`` in ``project``.

    Raises:
        NotFoundError: No such project, type or collection.
    """
    reply = await session.client.get_artifact_collection(
        project.entity, project.project, type_name, name
    )
    artifact_type = artifact_type_of(reply.project, project, type_name)
    found = artifact_type.artifact_collection
    if found is None:
        raise collection_not_found(project, name, type_name)
    return AsyncArtifactCollection(
        session,
        project,
        found,
        aliases=[edge.node.alias for edge in found.aliases.edges if edge.node is not None],
        tags=[edge.node.name for edge in found.tags.edges],
    )


def _index(version: str | None) -> int | None:
    """``3`` for ``"v3"``; None for anything else."""
    if version is not None and version.startswith("v") and version[1:].isdigit():
        return int(version[1:])
    return None


class AsyncRunArtifacts(AsyncPaginator[AsyncArtifact]):
    """The versions a run logged (``"output"``) or used (``"input"``)."""

    def __init__(
        self,
        session: AsyncSession,
        run: RunPath,
        direction: Literal["input", "output"],
        per_page: int = 100,
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.run = run
        self.direction: Literal["input", "output"] = direction
        self.connection_path: Sequence[str] = (
            "project",
            "run",
            "inputArtifacts" if direction == "input" else "outputArtifacts",
        )

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncArtifact]:
        client, run, session = self._session.client, self.run, self._session

        def build(node: ArtifactFragment | None) -> AsyncArtifact | None:
            return None if node is None else AsyncArtifact(session, node)

        if self.direction == "input":
            used = await client.get_run_input_artifacts(
                run.entity, run.project, run.run_id, cursor, self.per_page, on_data=on_data
            )
            found_in = used.project.run if used.project is not None else None
            if found_in is None:
                raise NotFoundError.for_run(run)
            inputs = found_in.input_artifacts
            return page_of(inputs, build, total=inputs.total_count if inputs else 0)
        logged = await client.get_run_output_artifacts(
            run.entity, run.project, run.run_id, cursor, self.per_page, on_data=on_data
        )
        found_out = logged.project.run if logged.project is not None else None
        if found_out is None:
            raise NotFoundError.for_run(run)
        outputs = found_out.output_artifacts
        return page_of(outputs, build, total=outputs.total_count if outputs else 0)
