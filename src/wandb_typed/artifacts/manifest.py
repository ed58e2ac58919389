"""An artifact's manifest: what files a version holds, their digests, sizes and references.

W&B stores it as JSON (``wandb_manifest.json``)::

    {"version": 1, "storagePolicy": "wandb-storage-policy-v1",
     "storagePolicyConfig": {"storageLayout": "V2"},
     "contents": {"data/a.csv": {"digest": "<base64 md5>", "size": 12,
                                 "birthArtifactID": "...", "ref": "s3://...", "extra": {}}}}

Example:
    >>> manifest = ArtifactManifest.from_json(
    ...     '{"version": 1, "storagePolicy": "wandb-storage-policy-v1", "contents": '
    ...     '{"a.txt": {"digest": "XUFAKrxLKna5cZ2REBfFkg==", "size": 5}}}'
    ... )
    >>> manifest["a.txt"].md5_hex, manifest["a.txt"].is_reference
    ('5d41402abc4b2a76b9719d911017c592', False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from wandb_typed._json import JSONObject, JSONValue, as_object, decode_object
from wandb_typed.errors import InvalidResponseError, NotFoundError

__all__ = ["ArtifactManifest", "ManifestEntry"]


@dataclass(frozen=True)
class ManifestEntry:
    """One file of an artifact version (or a reference to a file stored elsewhere)."""

    path: str
    """The file's name inside the artifact, e.g. ``data/train.csv``."""
    digest: str
    """Base64 md5 of the bytes (for references, the store's checksum or etag)."""
    size: int | None = None
    ref: str | None = None
    """Where a reference entry points (``s3://``, ``gs://``, ``file://``, ``https://``)."""
    birth_artifact_id: str | None = None
    """The artifact version that first stored these bytes."""
    extra: Mapping[str, JSONValue] = field(default_factory=dict[str, JSONValue])

    @property
    def is_reference(self) -> bool:
        """Whether the bytes live outside W&B (the entry records only where)."""
        return self.ref is not None

    @property
    def md5_hex(self) -> str | None:
        """The digest as hex md5 (how caches and fallback URLs name files), or None."""
        try:
            raw = base64.b64decode(self.digest, validate=True)
        except (binascii.Error, ValueError):
            return None
        return raw.hex() if len(raw) == 16 else None


@dataclass(frozen=True)
class ArtifactManifest:
    """The parsed manifest: a mapping of path to :class:`ManifestEntry`."""

    version: int
    storage_policy: str
    storage_policy_config: Mapping[str, JSONValue]
    entries: Mapping[str, ManifestEntry]

    @classmethod
    def from_json(cls, text: str | bytes) -> ArtifactManifest:
        """Parse a manifest document.

        Raises:
            InvalidResponseError: It is not a manifest (names the field that is wrong).
        """
        document = decode_object(
            text.decode() if isinstance(text, bytes) else text, what=lambda: "the manifest"
        )
        contents = document.get("contents", {})
        if not isinstance(contents, dict):
            raise InvalidResponseError("the manifest's 'contents' is not an object")
        entries = {path: _entry(path, value) for path, value in contents.items()}
        config = document.get("storagePolicyConfig") or {}
        version = document.get("version", 1)
        policy = document.get("storagePolicy", "")
        return cls(
            version=version if isinstance(version, int) else 1,
            storage_policy=policy if isinstance(policy, str) else "",
            storage_policy_config=config if isinstance(config, dict) else {},
            entries=entries,
        )

    def to_json(self) -> JSONObject:
        """The manifest as W&B writes it."""
        contents: JSONObject = {}
        for path, entry in self.entries.items():
            item: JSONObject = {"digest": entry.digest}
            if entry.size is not None:
                item["size"] = entry.size
            if entry.ref is not None:
                item["ref"] = entry.ref
            if entry.birth_artifact_id is not None:
                item["birthArtifactID"] = entry.birth_artifact_id
            if entry.extra:
                item["extra"] = dict(entry.extra)
            contents[path] = item
        return {
            "version": self.version,
            "storagePolicy": self.storage_policy,
            "storagePolicyConfig": dict(self.storage_policy_config),
            "contents": contents,
        }

    def digest(self) -> str:
        """The version's digest, as W&B computes it: hex md5 of
        ``wandb-artifact-manifest-v1\\n`` then ``path:digest\\n`` per entry, sorted by path."""
        hasher = hashlib.md5(b"wandb-artifact-manifest-v1\n", usedforsecurity=False)
        for path in sorted(self.entries):
            hasher.update(f"{path}:{self.entries[path].digest}\n".encode())
        return hasher.hexdigest()

    def __getitem__(self, path: str) -> ManifestEntry:
        try:
            return self.entries[path]
        except KeyError:
            raise NotFoundError(
                f"the artifact has no file {path!r}", kind="artifact file", path=path
            ) from None

    def __iter__(self) -> Iterator[ManifestEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def _entry(path: str, value: object) -> ManifestEntry:
    fields = as_object(value)
    digest = fields.get("digest") if fields is not None else None
    if fields is None or not isinstance(digest, str):
        raise InvalidResponseError(f"the manifest's entry {path!r} has no digest")
    size, ref, birth = fields.get("size"), fields.get("ref"), fields.get("birthArtifactID")
    extra = as_object(fields.get("extra"))
    return ManifestEntry(
        path=path,
        digest=digest,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        ref=ref if isinstance(ref, str) else None,
        birth_artifact_id=birth if isinstance(birth, str) else None,
        extra=extra if extra is not None else {},
    )
