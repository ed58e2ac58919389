"""What an artifact version holds without asking the server: its names, type, aliases,
tags, metadata, digest, sizes, TTL and dates, and the local edits ``save()`` sends.

:class:`ArtifactFields` is the base of ``AsyncArtifact`` and ``Artifact``.

Example:
    >>> tag_inputs(["b", "a"])[0].tag_name
    'a'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from wandb_typed._json import JSONObject, decode_object
from wandb_typed.errors import InvalidArgumentError

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import ArtifactFragment
    from wandb_typed._generated.input_types import ArtifactCollectionAliasInput, TagInput

__all__ = ["ArtifactFields", "tag_inputs"]


class ArtifactFields:
    """The fields of one artifact version, as one collection (membership) shows them."""

    def __init__(
        self,
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
        sequence = fragment.artifact_sequence
        self._requested_as = requested_as
        """The alias or ``vN`` it was looked up by, which its name keeps (as wandb's does)."""
        self.id: str = fragment.id
        """The version's id (the same in every collection it belongs to)."""
        self.collection_name: str = collection or sequence.name
        self.entity: str = entity or sequence.project.entity_name
        self.project: str = project or sequence.project.name
        self.is_link = is_link
        """Whether this is the version as a portfolio (a linked collection) shows it."""
        self._collection_id = collection_id or (None if is_link else sequence.id)
        index = version_index if version_index is not None else fragment.version_index
        self.version_index = index
        self.source_collection_name: str = sequence.name
        self.source_entity: str = sequence.project.entity_name
        self.source_project: str = sequence.project.name
        self.source_version: str = f"v{fragment.version_index}"
        """``vN`` in the collection that first logged it (a link has its own :attr:`version`)."""
        self.type: str = fragment.artifact_type.name
        self.description = fragment.description
        self.metadata: JSONObject = decode_object(
            fragment.metadata, what=lambda: f"the metadata of artifact {self.qualified_name}"
        )
        own = [a.alias for a in fragment.aliases if _in_collection(a, self.collection_name)]
        self.aliases: list[str] = list(aliases) if aliases is not None else own
        self.tags: list[str] = [tag.name for tag in fragment.tags]
        self.digest: str = fragment.digest
        self.size: int = fragment.size
        self.file_count: int = fragment.file_count
        self.state = fragment.state.value
        self.commit_hash: str | None = fragment.commit_hash
        self.history_step: int | None = fragment.history_step
        self.created_at: datetime = fragment.created_at
        self.updated_at: datetime | None = fragment.updated_at
        self.ttl: timedelta | None = _ttl(fragment.ttl_duration_seconds)
        """How long the version is kept (None: forever); set it, then ``save()``."""
        self._manifest_url = (
            fragment.current_manifest.file.direct_url
            if fragment.current_manifest is not None
            else None
        )
        self._remember_saved()

    @property
    def version(self) -> str:
        """``vN``: the version's index in this collection."""
        return f"v{self.version_index}" if self.version_index is not None else "v?"

    @property
    def name(self) -> str:
        """``collection:vN``, or ``collection:alias`` when it was looked up by that alias."""
        return f"{self.collection_name}:{self._requested_as or self.version}"

    @property
    def qualified_name(self) -> str:
        """``entity/project/`` and :attr:`name`."""
        return f"{self.entity}/{self.project}/{self.name}"

    @property
    def source_name(self) -> str:
        """``name:vN`` in the collection that first logged it."""
        return f"{self.source_collection_name}:{self.source_version}"

    @property
    def source_qualified_name(self) -> str:
        """``entity/project/name:vN`` in the collection that first logged it."""
        return f"{self.source_entity}/{self.source_project}/{self.source_name}"

    @property
    def path(self) -> str:
        """Same as :attr:`qualified_name`."""
        return self.qualified_name

    def _remember_saved(self) -> None:
        self._saved_aliases = list(self.aliases)
        self._saved_tags = list(self.tags)
        self._saved_ttl = self.ttl

    def _saved(self, fragment: ArtifactFragment) -> None:
        """Take the server's values after a save (aliases as edited, now stored)."""
        self.description = fragment.description
        self.tags = [tag.name for tag in fragment.tags]
        self.ttl = _ttl(fragment.ttl_duration_seconds)
        self.updated_at = fragment.updated_at
        self._remember_saved()

    def _tag_changes(self) -> tuple[list[str], list[str]]:
        for tag in self.tags:
            if not isinstance(tag, str) or not tag.strip():
                raise InvalidArgumentError(f"artifact tags must be non-empty strings, got {tag!r}")
        added = [tag for tag in self.tags if tag not in self._saved_tags]
        removed = [tag for tag in self._saved_tags if tag not in self.tags]
        return added, removed

    def _alias_changes(self) -> tuple[list[str], list[str]]:
        for alias in self.aliases:
            if not isinstance(alias, str) or not alias.strip() or ":" in alias or "/" in alias:
                raise InvalidArgumentError(
                    f"artifact aliases must be non-empty names without ':' or '/', got {alias!r}"
                )
        added = [alias for alias in self.aliases if alias not in self._saved_aliases]
        removed = [alias for alias in self._saved_aliases if alias not in self.aliases]
        return added, removed

    def _alias_inputs(self, aliases: Iterable[str]) -> list[ArtifactCollectionAliasInput]:
        from wandb_typed._generated.input_types import ArtifactCollectionAliasInput

        return [
            ArtifactCollectionAliasInput(
                alias=alias,
                artifact_collection_name=self.collection_name,
                entity_name=self.entity,
                project_name=self.project,
            )
            for alias in aliases
        ]

    def _ttl_seconds_to_send(self) -> int | None:
        """``ttlDurationSeconds`` for a save: None when unchanged."""
        if self.ttl == self._saved_ttl:
            return None
        if self.ttl is None:
            return -1
        seconds = int(self.ttl.total_seconds())
        if seconds <= 0:
            raise InvalidArgumentError(f"ttl must be a positive timedelta or None, got {self.ttl}")
        return seconds

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.qualified_name} ({self.type})>"


def _in_collection(alias: object, collection: str) -> bool:
    owner = getattr(alias, "artifact_collection", None)
    return owner is None or getattr(owner, "name", None) == collection


def _ttl(seconds: int) -> timedelta | None:
    return None if seconds < 0 else timedelta(seconds=seconds)


def tag_inputs(tags: Iterable[str]) -> list[TagInput]:
    """``[{"tagName": t}, ...]`` in name order."""
    from wandb_typed._generated.input_types import TagInput

    return [TagInput(tag_name=tag) for tag in sorted(tags)]
