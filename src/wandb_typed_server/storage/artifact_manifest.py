"""An artifact manifest as the W&B client uploads it (``wandb_manifest.json``).

    {"version": 1, "storagePolicy": "wandb-storage-policy-v1",
     "storagePolicyConfig": {"storageLayout": "V2"},
     "contents": {"<path>": {"digest": "<base64 md5>", "birthArtifactID": "<id>", "size": 6},
                  "<ref path>": {"digest": "<checksum or URI>", "ref": "s3://bucket/key"}}}

A *stored* entry (no ``ref``) names its bytes by md5: they are a blob of this server. A
*reference* entry keeps only its URI (``s3://``, ``gs://``, ``https://``, ``file://``,
``wandb-artifact://``); the server never fetches it.

>>> manifest = parse_manifest(b'{"version": 1, "contents": {"a.txt": '
...     b'{"digest": "1B2M2Y8AsgTpgAmY7PhCfg==", "size": 0}, "r": {"digest": "x", "ref": "s3://b/k"}}}')
>>> [(entry.path, entry.blob_md5, entry.ref) for entry in manifest.entries]
[('a.txt', 'd41d8cd98f00b204e9800998ecf8427e', None), ('r', None, 's3://b/k')]
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from wandb_typed_server.storage.artifact_blobs import MalformedDigestError, md5_hex
from wandb_typed_server.storage.blobs import UnsafeFileNameError, check_file_name


class BadManifestError(ValueError):
    """A manifest this server cannot read, with what is wrong in it."""


@dataclass(frozen=True)
class ManifestEntry:
    """One file of a version: stored (``blob_md5`` set) or a reference (``ref`` set)."""

    path: str
    digest: str
    size_bytes: int | None
    ref: str | None
    blob_md5: str | None
    birth_artifact_id: str | None
    extra: str | None


@dataclass(frozen=True)
class Manifest:
    """The entries of a manifest, in the order it lists them."""

    version: int
    storage_policy: str
    entries: list[ManifestEntry]


def _entry(path: str, raw: object) -> ManifestEntry:
    try:
        check_file_name(path)
    except UnsafeFileNameError as exc:
        raise BadManifestError(f"manifest entry {path!r}: {exc}") from exc
    if not isinstance(raw, dict):
        raise BadManifestError(f"manifest entry {path!r} is not an object")
    digest, ref, size = raw.get("digest"), raw.get("ref"), raw.get("size")
    if not isinstance(digest, str) or not digest:
        raise BadManifestError(f"manifest entry {path!r} has no digest")
    if ref is not None and not isinstance(ref, str):
        raise BadManifestError(f"manifest entry {path!r}: ref must be a string")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise BadManifestError(f"manifest entry {path!r}: size must be a non-negative integer")
    birth = raw.get("birthArtifactID")
    extra = raw.get("extra")
    blob = None
    if ref is None:
        try:
            blob = md5_hex(digest)
        except MalformedDigestError as exc:
            raise BadManifestError(f"manifest entry {path!r}: {exc}") from exc
    return ManifestEntry(
        path=path,
        digest=digest,
        size_bytes=size,
        ref=ref,
        blob_md5=blob,
        birth_artifact_id=birth if isinstance(birth, str) and birth else None,
        extra=json.dumps(extra) if extra else None,
    )


def parse_manifest(data: bytes) -> Manifest:
    """The entries of an uploaded manifest; BadManifestError names what is wrong."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadManifestError(f"the manifest is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise BadManifestError("the manifest is not a JSON object")
    contents = document.get("contents")
    if not isinstance(contents, dict):
        raise BadManifestError("the manifest has no 'contents' object")
    version = document.get("version", 1)
    if version != 1:
        raise BadManifestError(f"manifest version {version!r} is not supported (only 1)")
    policy = document.get("storagePolicy", "wandb-storage-policy-v1")
    return Manifest(
        version=1,
        storage_policy=str(policy),
        entries=[_entry(str(path), raw) for path, raw in contents.items()],
    )
