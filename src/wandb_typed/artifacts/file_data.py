"""A file of an artifact version as the server lists it (no I/O).

Example:
    >>> ArtifactFile.__dataclass_fields__.keys() >= {"name", "size", "md5"}
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import ArtifactFileFragment

__all__ = ["ArtifactFile"]


@dataclass(frozen=True)
class ArtifactFile:
    """One stored file of an artifact version; download it with the artifact's
    ``download(path_prefix=...)`` (cached and verified) or from ``direct_url``."""

    id: str
    name: str
    url: str | None
    direct_url: str
    size: int
    mimetype: str | None
    updated_at: datetime | None
    md5: str | None
    """Base64 md5 of the bytes."""
    digest: str | None

    @classmethod
    def of(cls, fragment: ArtifactFileFragment) -> ArtifactFile:
        """The file as the ``ArtifactFileFragment`` of a reply describes it."""
        return cls(
            id=fragment.id,
            name=fragment.name,
            url=fragment.url,
            direct_url=fragment.direct_url,
            size=fragment.size_bytes,
            mimetype=fragment.mimetype,
            updated_at=fragment.updated_at,
            md5=fragment.md5,
            digest=fragment.digest,
        )
