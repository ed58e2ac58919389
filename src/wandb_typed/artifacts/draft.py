"""A new artifact assembled from local files and references, before it is logged.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_bytes(b"hello")
    >>> draft = ArtifactDraft("greetings", type="dataset")
    >>> draft.add_file(folder / "a.txt", name="texts/a.txt")
    >>> draft.add_reference("s3://bucket/big.parquet")
    >>> sorted(draft.manifest().entries), draft.manifest()["texts/a.txt"].digest
    (['big.parquet', 'texts/a.txt'], 'XUFAKrxLKna5cZ2REBfFkg==')
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wandb_typed._json import JSONValue
from wandb_typed.artifacts.manifest import ArtifactManifest, ManifestEntry
from wandb_typed.errors import InvalidArgumentError

__all__ = ["ArtifactDraft", "LocalEntry"]

STORAGE_POLICY = "wandb-storage-policy-v1"


@dataclass(frozen=True)
class LocalEntry:
    """A file of the draft: its manifest entry and, for stored files, where its bytes are."""

    entry: ManifestEntry
    local_path: Path | None


@dataclass
class ArtifactDraft:
    """A new artifact version: files added from disk, references to files stored elsewhere.

    Log it with ``run.log_artifact(draft, aliases=[...], tags=[...])``.
    """

    name: str
    type: str
    description: str | None = None
    metadata: Mapping[str, JSONValue] = field(default_factory=dict[str, JSONValue])
    _entries: dict[str, LocalEntry] = field(default_factory=dict[str, LocalEntry], repr=False)

    def __post_init__(self) -> None:
        for what, value in (("name", self.name), ("type", self.type)):
            if not value or not isinstance(value, str) or any(c in value for c in "/:"):
                raise InvalidArgumentError(
                    f"artifact {what} must be a non-empty string without '/' or ':', got {value!r}"
                )

    def add_file(self, local_path: str | os.PathLike[str], name: str | None = None) -> None:
        """Add a local file, as ``name`` (default: its file name).

        Raises:
            InvalidArgumentError: It is not a file, or ``name`` is taken by other content.
        """
        path = Path(local_path)
        if not path.is_file():
            raise InvalidArgumentError(f"add_file: {path} is not a file")
        digest, size = _b64_md5(path)
        self._add(LocalEntry(ManifestEntry(name or path.name, digest, size), path))

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None) -> None:
        """Add every file under a folder, named by their path inside it (under ``name``)."""
        root = Path(local_path)
        if not root.is_dir():
            raise InvalidArgumentError(f"add_dir: {root} is not a folder")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            self.add_file(path, f"{name.rstrip('/')}/{relative}" if name else relative)

    def add_reference(self, uri: str, name: str | None = None) -> None:
        """Record a file stored elsewhere (``s3://``, ``gs://``, ``https://``, ``file://``);
        its bytes are not uploaded. A ``file://`` reference is checksummed here."""
        parts = urlsplit(uri)
        if not parts.scheme or not (parts.netloc or parts.path):
            raise InvalidArgumentError(f"add_reference: {uri!r} is not a URI")
        entry_name = name or Path(unquote(parts.path)).name or parts.netloc
        if parts.scheme == "file":
            digest, size = _b64_md5(Path(unquote(parts.path)))
            self._add(LocalEntry(ManifestEntry(entry_name, digest, size, ref=uri), None))
        else:
            self._add(LocalEntry(ManifestEntry(entry_name, uri, None, ref=uri), None))

    @property
    def entries(self) -> Mapping[str, LocalEntry]:
        return dict(self._entries)

    def manifest(self) -> ArtifactManifest:
        """The manifest this draft will be logged with."""
        return ArtifactManifest(
            version=1,
            storage_policy=STORAGE_POLICY,
            storage_policy_config={"storageLayout": "V2"},
            entries={name: local.entry for name, local in self._entries.items()},
        )

    def _add(self, local: LocalEntry) -> None:
        name = local.entry.path
        if not name or name.startswith("/") or ".." in name.split("/"):
            raise InvalidArgumentError(f"artifact file name {name!r} is not a relative path")
        existing = self._entries.get(name)
        if existing is not None and existing.entry.digest != local.entry.digest:
            raise InvalidArgumentError(f"the draft already has a different file named {name!r}")
        self._entries[name] = local


def _b64_md5(path: Path) -> tuple[str, int]:
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return base64.b64encode(digest.digest()).decode(), size
