"""Artifact objects as GraphQL nodes (plain dicts, see nodes.py) and the URLs of their bytes.

URLs, as W&B hands them out:

- ``File.directUrl`` of a stored file: ``/artifact-blobs/<md5>`` behind a signed, expiring
  query string (no auth); the upload URL of createArtifactFiles is the same path signed for
  PUT (it only ever accepts bytes with that md5);
- ``File.url``: ``/artifacts/<entity>/<md5>`` (Basic auth), the route the W&B client falls
  back to when a direct URL fails;
- a manifest: ``/artifact-manifests/<pk>`` signed for GET (``currentManifest.file.directUrl``)
  or PUT (its upload URL);
- a reference file's ``directUrl`` and ``url`` are its URI: the server never fetches it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from urllib.parse import quote

from wandb_typed_server.graphql.context import RequestContext
from wandb_typed_server.graphql.ids import (
    MalformedIdError,
    decode_name_cursor,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of
from wandb_typed_server.storage.artifact_blobs import md5_b64
from wandb_typed_server.storage.artifacts import TTL_INHERIT
from wandb_typed_server.storage.run_files import guess_mimetype

MANIFEST_NAME = "wandb_manifest.json"
NO_TTL = -2  # ttlDurationSeconds when no TTL applies (W&B's "disabled")

ARTIFACT = "Artifact"
COLLECTION = "ArtifactCollection"
MEMBERSHIP = "ArtifactCollectionMembership"
ARTIFACT_TYPE = "ArtifactType"
ALIAS = "ArtifactAlias"
TAG = "Tag"
ARTIFACT_FILE = "ArtifactFile"
MANIFEST = "ArtifactManifest"


DEFAULT_PAGE = 50
MAX_PAGE = 10_000


def page_limit(first: int | None, default: int = DEFAULT_PAGE) -> int:
    """How many items a page holds: ``first`` (or ``default``), between 1 and MAX_PAGE."""
    return max(1, min(first if first is not None else default, MAX_PAGE))


def pk_cursor(value: object) -> str:
    """The cursor of an item listed by an integer (a pk or a version index).

    >>> int_cursor(pk_cursor(7))
    7
    """
    return encode_name_cursor(str(value))


def int_cursor(cursor: str | None) -> int | None:
    """The integer inside a cursor from :func:`pk_cursor` (None for no cursor)."""
    if cursor is None:
        return None
    try:
        return int(decode_name_cursor(cursor))
    except ValueError as exc:
        raise MalformedIdError(f"malformed cursor {cursor!r}") from exc


def signed_url(ctx: RequestContext, method: str, path: str) -> str:
    """A self-authorising, expiring URL for one method on one path of this server."""
    return f"{ctx.base_url}{quote(path)}?{ctx.state.signer.sign(method, path)}"


def blob_path(md5_hex: str) -> str:
    """The path of a blob's bytes behind signed URLs."""
    return f"/artifact-blobs/{md5_hex}"


def manifest_path(manifest_pk: int) -> str:
    """The path of a manifest's bytes behind signed URLs."""
    return f"/artifact-manifests/{manifest_pk}"


def part_path(upload_id: str, part_number: int) -> str:
    """The path of one part of a multipart upload behind a signed PUT URL."""
    return f"/artifact-parts/{upload_id}/{part_number}"


def authenticated_blob_url(ctx: RequestContext, entity: str, md5_hex: str) -> str:
    """``File.url`` of a stored artifact file: W&B's V1 download route (Basic auth)."""
    return f"{ctx.base_url}{quote(f'/artifacts/{entity}/{md5_hex}')}"


def connection(
    rows: Sequence[sqlite3.Row],
    limit: int,
    after: str | None,
    node: Callable[[sqlite3.Row], Node],
    cursor: Callable[[sqlite3.Row], str],
    **extra: object,
) -> Node:
    """A connection from ``limit + 1`` rows (the extra row says there is a next page)."""
    edges: list[Node] = [{"node": node(row), "cursor": cursor(row)} for row in rows[:limit]]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None, **extra
    )


def empty_connection(**extra: object) -> Node:
    """A connection with nothing in it."""
    return connection_of([], has_next_page=False, has_previous_page=False, **extra)


def ttl_fields(ttl_seconds: int) -> Node:
    """``ttlDurationSeconds`` and ``ttlIsInherited`` from a stored TTL (no default TTL here,
    so an inherited TTL is none)."""
    return {
        "ttlDurationSeconds": ttl_seconds if ttl_seconds > 0 else NO_TTL,
        "ttlIsInherited": ttl_seconds == TTL_INHERIT,
    }


def artifact_node(row: sqlite3.Row) -> Node:
    """An Artifact from a row of :data:`~wandb_typed_server.storage.artifacts.ARTIFACT_SELECT`."""
    pk = int(row["pk"])
    return {
        "_pk": pk,
        "_sequence_pk": row["sequence_pk"],
        "_project_pk": row["project_pk"],
        "_type_pk": row["type_pk"],
        "_entity_pk": row["entity_pk"],
        "_entity": row["entity_name"],
        "_project": row["project_name"],
        "_sequence": row["sequence_name"],
        "_run_pk": row["run_pk"],
        "_user_pk": row["user_pk"],
        "_version_index": row["version_index"],
        "_commit_hash": row["commit_hash"],
        "id": encode_node_id(ARTIFACT, pk),
        "digest": row["digest"],
        "description": row["description"],
        "metadata": row["metadata"],
        "labels": None,
        "state": row["state"],
        "size": row["size_bytes"],
        "storageBytes": row["size_bytes"],
        "fileCount": row["file_count"],
        "historyStep": row["history_step"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        **ttl_fields(int(row["ttl_seconds"])),
    }


def collection_node(row: sqlite3.Row) -> Node:
    """An ArtifactSequence or ArtifactPortfolio from a collection row."""
    pk = int(row["pk"])
    return {
        "__typename": "ArtifactSequence" if row["kind"] == "SEQUENCE" else "ArtifactPortfolio",
        "_pk": pk,
        "_kind": row["kind"],
        "_project_pk": row["project_pk"],
        "_type_pk": row["type_pk"],
        "_entity": row["entity_name"],
        "_project": row["project_name"],
        "id": encode_node_id(COLLECTION, pk),
        "name": row["name"],
        "description": row["description"],
        "state": row["state"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def type_node(row: sqlite3.Row) -> Node:
    """An ArtifactType from a type row."""
    pk = int(row["pk"])
    return {
        "_pk": pk,
        "_project_pk": row["project_pk"],
        "id": encode_node_id(ARTIFACT_TYPE, pk),
        "name": row["name"],
        "description": row["description"],
        "createdAt": row["created_at"],
    }


def membership_node(row: sqlite3.Row) -> Node:
    """An ArtifactCollectionMembership from a membership row."""
    pk = int(row["pk"])
    return {
        "_pk": pk,
        "_collection_pk": row["collection_pk"],
        "_artifact_pk": row["artifact_pk"],
        "id": encode_node_id(MEMBERSHIP, pk),
        "versionIndex": row["version_index"],
        "createdAt": row["created_at"],
    }


def alias_node(row: sqlite3.Row) -> Node:
    """An ArtifactAlias from an alias row (its collection is resolved on demand)."""
    return {
        "_collection_pk": row["collection_pk"],
        "_artifact_pk": row["artifact_pk"],
        "id": encode_node_id(ALIAS, int(row["pk"])),
        "alias": row["alias"],
    }


def tag_node(row: sqlite3.Row) -> Node:
    """A Tag from a tag-name row (pk, name)."""
    return {
        "id": encode_node_id(TAG, int(row["pk"])),
        "name": row["name"],
        "tagCategoryName": "",
        "attributes": "{}",
    }


def artifact_file_node(ctx: RequestContext, row: sqlite3.Row, entity: str) -> Node:
    """A File of a committed version: a stored blob or a reference."""
    path = str(row["path"])
    blob = row["blob_md5"]
    ref = row["ref"]
    if blob is not None:
        direct = signed_url(ctx, "GET", blob_path(blob))
        url = authenticated_blob_url(ctx, entity, blob)
        md5: str | None = md5_b64(blob)
        storage_path: str | None = f"artifacts/blobs/{blob}"
    else:
        direct = url = str(ref)
        md5 = None
        storage_path = None
    return {
        "_upload_url": None,
        "id": encode_node_id(ARTIFACT_FILE, int(row["pk"])),
        "name": path,
        "displayName": path,
        "url": url,
        "directUrl": direct,
        "uploadUrl": None,
        "uploadHeaders": [],
        "uploadMultipartUrls": None,
        "digest": row["digest"],
        "md5": md5,
        "sizeBytes": row["size_bytes"] or 0,
        "mimetype": guess_mimetype(path),
        "storagePath": storage_path,
        "isReference": ref is not None,
        "exists": True,
        "artifact": None,
        "createdAt": None,
        "updatedAt": None,
    }


def manifest_file_node(ctx: RequestContext, manifest: sqlite3.Row) -> Node:
    """The File of a version's manifest: read at its signed GET URL, uploaded at its PUT URL."""
    pk = int(manifest["pk"])
    upload = signed_url(ctx, "PUT", manifest_path(pk))
    uploaded = manifest["uploaded_md5"]
    return {
        "_upload_url": upload,
        "id": encode_node_id(MANIFEST, pk),
        "name": MANIFEST_NAME,
        "displayName": MANIFEST_NAME,
        "url": signed_url(ctx, "GET", manifest_path(pk)),
        "directUrl": signed_url(ctx, "GET", manifest_path(pk)),
        "uploadUrl": upload,
        "uploadHeaders": [],
        "uploadMultipartUrls": None,
        "digest": manifest["digest"],
        "md5": md5_b64(uploaded) if uploaded else None,
        "sizeBytes": 0,
        "mimetype": "application/json",
        "storagePath": f"artifacts/manifests/{pk}.json",
        "isReference": False,
        "exists": uploaded is not None,
        "artifact": None,
        "createdAt": manifest["created_at"],
        "updatedAt": manifest["created_at"],
    }


def manifest_node(ctx: RequestContext, manifest: sqlite3.Row) -> Node:
    """An ArtifactManifest."""
    return {
        "_artifact_pk": manifest["artifact_pk"],
        "id": encode_node_id(MANIFEST, int(manifest["pk"])),
        "type": manifest["type"],
        "digest": manifest["digest"],
        "createdAt": manifest["created_at"],
        "file": manifest_file_node(ctx, manifest),
    }
