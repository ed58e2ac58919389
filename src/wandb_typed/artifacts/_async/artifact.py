"""One artifact version (the async source of ``Artifact``).

Its fields come with it; what needs a request is a method: the manifest, files, download,
lineage (``logged_by``/``used_by``), and the writes (``save``, ``delete``, ``link``,
``unlink``). Edits to ``description``, ``metadata``, ``aliases``, ``tags`` and ``ttl`` are
local until :meth:`AsyncArtifact.save`.

Example:
    >>> artifact = await api.artifact("team/vision/mnist:v3")  # doctest: +SKIP
    >>> artifact.aliases, artifact.file_count  # doctest: +SKIP
    (['latest'], 1000)
    >>> await artifact.download("data/mnist")  # doctest: +SKIP
    'data/mnist'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from wandb_typed.artifacts._async.download import download_artifact
from wandb_typed.artifacts._async.files import AsyncArtifactFiles
from wandb_typed.artifacts.cache import ArtifactFileCache
from wandb_typed.artifacts.fields import ArtifactFields, tag_inputs
from wandb_typed.artifacts.lookups import names_entity
from wandb_typed.artifacts.manifest import ArtifactManifest, ManifestEntry
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, NotFoundError
from wandb_typed.paths import ProjectPath, parse_artifact_path, parse_run_path
from wandb_typed.runs import AsyncRun, async_fetch_run
from wandb_typed.runs.run_data import encode_json_document

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import ArtifactFragment
    from wandb_typed.artifacts._async.collections import AsyncArtifactCollection

__all__ = ["AsyncArtifact", "artifact_from_membership", "fetch_artifact"]


class AsyncArtifact(ArtifactFields):
    """An artifact version: ``entity/project/name:vN`` with its aliases, files and lineage."""

    def __init__(
        self,
        session: AsyncSession,
        fragment: ArtifactFragment,
        *,
        collection: str | None = None,
        entity: str | None = None,
        project: str | None = None,
        version_index: int | None = None,
        aliases: list[str] | None = None,
        collection_id: str | None = None,
        is_link: bool = False,
        requested_as: str | None = None,
    ) -> None:
        super().__init__(
            fragment,
            collection=collection,
            entity=entity,
            project=project,
            version_index=version_index,
            aliases=aliases,
            collection_id=collection_id,
            is_link=is_link,
            requested_as=requested_as,
        )
        self._session = session
        self._manifest: ArtifactManifest | None = None

    # -- what needs a request ------------------------------------------------------------------

    # unasync: property
    async def manifest(self) -> ArtifactManifest:
        """The manifest: every file's path, digest, size and reference (fetched once)."""
        return await self._load_manifest()

    async def _load_manifest(self) -> ArtifactManifest:
        if self._manifest is None:
            url = self._manifest_url
            if url is None:
                raise InvalidResponseError(f"artifact {self.qualified_name} has no manifest")
            self._manifest = ArtifactManifest.from_json(await self._session.transport.get(url))
        return self._manifest

    # unasync: property
    async def collection(self) -> AsyncArtifactCollection:
        """The collection this version is seen in (a portfolio, for a link)."""
        from wandb_typed.artifacts._async.collections import fetch_artifact_collection

        project = ProjectPath(self.entity, self.project)
        return await fetch_artifact_collection(
            self._session, project, self.type, self.collection_name
        )

    # unasync: property
    async def source_collection(self) -> AsyncArtifactCollection:
        """The collection that first logged this version (a sequence)."""
        from wandb_typed.artifacts._async.collections import fetch_artifact_collection

        project = ProjectPath(self.source_entity, self.source_project)
        return await fetch_artifact_collection(
            self._session, project, self.type, self.source_collection_name
        )

    # unasync: property
    async def source_artifact(self) -> AsyncArtifact:
        """This version as the collection that first logged it shows it."""
        return await fetch_artifact(self._session, self.id)

    # unasync: property
    async def linked_artifacts(self) -> list[AsyncArtifact]:
        """The links of this version in portfolios."""
        reply = await self._session.client.get_artifact_memberships(self.id)
        memberships = reply.artifact.artifact_memberships.edges if reply.artifact else []
        return [
            artifact_from_membership(self._session, edge.node)
            for edge in memberships
            if edge.node is not None
            and edge.node.artifact_collection is not None
            and edge.node.artifact_collection.typename__ == "ArtifactPortfolio"
        ]

    async def get_entry(self, name: str) -> ManifestEntry:
        """The manifest entry of the file called ``name``.

        Raises:
            NotFoundError: The artifact has no such file.
        """
        return (await self._load_manifest())[name]

    def files(self, names: list[str] | None = None, per_page: int = 50) -> AsyncArtifactFiles:
        """The files of this version, lazily paginated (``names``: only those)."""
        return AsyncArtifactFiles(self._session, self.id, names=names, per_page=per_page)

    async def download(
        self,
        root: str | os.PathLike[str] | None = None,
        allow_missing_references: bool = False,
        skip_cache: bool | None = None,
        path_prefix: str | None = None,
    ) -> str:
        """Download every file (or those under ``path_prefix``) into ``root``; return it.

        Files are fetched in parallel, each verified against its manifest digest and written
        atomically, through the local cache (``$WANDB_CACHE_DIR/artifacts``): a second
        download of the same or an overlapping version reads the cache and sends no file
        request. A file already in ``root`` with the right digest is kept (a rerun after an
        interruption fetches only what is missing).

        Args:
            root: The folder (default ``./artifacts/<name>:<version>``).
            allow_missing_references: Skip reference entries that cannot be fetched here
                instead of failing.
            skip_cache: Write straight to ``root`` without using the cache.
            path_prefix: Only files whose path starts with this.

        Raises:
            ChecksumMismatchError: A file's bytes do not match its digest (that file is not
                written; the others are).
            NotFoundError: A reference cannot be fetched and ``allow_missing_references`` is
                false.
        """
        folder = Path(root) if root is not None else Path("artifacts") / self.name
        await download_artifact(
            self._session,
            artifact_id=self.id,
            manifest=await self._load_manifest(),
            root=folder,
            cache=None if skip_cache else ArtifactFileCache(),
            allow_missing_references=allow_missing_references,
            path_prefix=path_prefix,
        )
        return str(folder)

    async def save(self) -> None:
        """Send local edits: description, metadata, TTL, tags, then aliases.

        Example:
            >>> artifact.aliases.append("best"); artifact.save()  # doctest: +SKIP
        """
        client = self._session.client
        added, removed = self._tag_changes()
        ttl = self._ttl_seconds_to_send()
        reply = await client.update_artifact(
            self.id,
            description=self.description,
            metadata=encode_json_document(self.metadata),
            ttl_duration_seconds=ttl,
            tags_to_add=tag_inputs(added) or None,
            tags_to_delete=tag_inputs(removed) or None,
        )
        aliases_to_add, aliases_to_delete = self._alias_changes()
        if aliases_to_add:
            await client.add_artifact_aliases(self.id, self._alias_inputs(aliases_to_add))
        if aliases_to_delete:
            await client.delete_artifact_aliases(self.id, self._alias_inputs(aliases_to_delete))
        updated = reply.update_artifact.artifact if reply.update_artifact is not None else None
        if updated is None:
            raise NotFoundError(
                f"artifact {self.qualified_name} not found", kind="artifact", path=self.path
            )
        self._saved(updated)

    async def delete(self, delete_aliases: bool = False) -> None:
        """Delete this version (with ``delete_aliases``, even when aliases point at it).

        Raises:
            GraphQLError: It holds aliases and ``delete_aliases`` is false (the server says so).
        """
        await self._session.client.delete_artifact(self.id, delete_aliases=delete_aliases)

    async def link(self, target_path: str, aliases: list[str] | None = None) -> AsyncArtifact:
        """Link this version into the collection ``target_path`` (``entity/project/name``, a
        portfolio); returns the linked version. A registry target
        (``[org/]wandb-registry-<name>/<collection>``) goes to its organization's entity (the
        organization named, else this version's entity's).

        Raises:
            NotFoundError: The organization (or registry) is unknown.
            GraphQLError: The registry refuses it (a type it does not take, restricted).

        Example:
            >>> artifact.link("wandb-registry-model/resnet", aliases=["production"])  # doctest: +SKIP
        """
        from wandb_typed._generated.input_types import ArtifactAliasInput, LinkArtifactInput
        from wandb_typed.artifacts._async.organizations import registry_artifact_path

        session = self._session
        target = await session.parse(
            lambda entity: parse_artifact_path(
                target_path, default_entity=entity, default_project=self.project
            )
        )
        target = await registry_artifact_path(
            session, target, explicit_entity=names_entity(target_path), fallback_entity=self.entity
        )
        if target.version is not None:
            raise InvalidArgumentError(
                f"link target {target_path!r} names a version; give 'entity/project/collection'"
            )
        reply = await session.client.link_artifact(
            LinkArtifactInput(
                artifact_id=self.id,
                artifact_portfolio_name=target.name,
                entity_name=target.entity,
                project_name=target.project,
                aliases=[
                    ArtifactAliasInput(artifact_collection_name=target.name, alias=alias)
                    for alias in aliases or []
                ],
            )
        )
        membership = reply.link_artifact.artifact_membership if reply.link_artifact else None
        if membership is None or membership.artifact is None:
            raise InvalidResponseError(f"linkArtifact to {target_path} returned no membership")
        return artifact_from_membership(session, membership)

    async def unlink(self) -> None:
        """Remove this linked version from its portfolio (the source version stays).

        Raises:
            InvalidArgumentError: This is not a linked version.
        """
        if not self.is_link or self._collection_id is None:
            raise InvalidArgumentError(
                f"{self.qualified_name} is not a linked version; only links can be unlinked"
            )
        await self._session.client.unlink_artifact(self.id, self._collection_id)

    async def logged_by(self) -> AsyncRun | None:
        """The run that logged this version (None when a user did, outside a run)."""
        from wandb_typed._generated.get_artifact_created_by import (
            GetArtifactCreatedByArtifactCreatedByRun,
        )

        reply = await self._session.client.get_artifact_created_by(self.id)
        creator = reply.artifact.created_by if reply.artifact is not None else None
        if not isinstance(creator, GetArtifactCreatedByArtifactCreatedByRun):
            return None
        if creator.project is None:
            return None
        path = f"{creator.project.entity_name}/{creator.project.name}/{creator.name}"
        return await _run(self._session, path)

    async def used_by(self) -> list[AsyncRun]:
        """The runs that used this version."""
        reply = await self._session.client.get_artifact_used_by(self.id)
        edges = reply.artifact.used_by.edges if reply.artifact is not None else []
        return [
            await _run(
                self._session, f"{e.node.project.entity_name}/{e.node.project.name}/{e.node.name}"
            )
            for e in edges
            if e.node.project is not None
        ]


async def _run(session: AsyncSession, path: str) -> AsyncRun:
    return await async_fetch_run(session, parse_run_path(path))


async def fetch_artifact(session: AsyncSession, artifact_id: str) -> AsyncArtifact:
    """The version with this id, as its own collection shows it.

    Raises:
        NotFoundError: No such version.
    """
    reply = await session.client.get_artifact_by_id(artifact_id)
    if reply.artifact is None:
        raise NotFoundError(f"artifact {artifact_id} not found", kind="artifact", path=artifact_id)
    return AsyncArtifact(session, reply.artifact)


def artifact_from_membership(
    session: AsyncSession, membership: object, *, requested_as: str | None = None
) -> AsyncArtifact:
    """A version as a collection membership shows it (a portfolio's own index and aliases);
    ``requested_as``: the alias or ``vN`` it was looked up by."""
    from wandb_typed._generated.fragments import ArtifactMembershipFragment

    assert isinstance(membership, ArtifactMembershipFragment)
    fragment = membership.artifact
    if fragment is None:
        raise InvalidResponseError("an artifact membership carries no artifact")
    collection = membership.artifact_collection
    return AsyncArtifact(
        session,
        fragment,
        collection=collection.name if collection is not None else None,
        entity=collection.project.entity_name if collection is not None else None,
        project=collection.project.name if collection is not None else None,
        version_index=membership.version_index,
        aliases=[alias.alias for alias in membership.aliases],
        collection_id=collection.id if collection is not None else None,
        is_link=collection is not None and collection.typename__ == "ArtifactPortfolio",
        requested_as=requested_as,
    )
