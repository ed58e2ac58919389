"""Logging an artifact, in the order wandb-core drives it:

1. ``createArtifact``: a pending version of the sequence (made on first use, with its type).
   The same digest as the sequence's newest version returns that version, committed: the
   client then uploads nothing ("already exists with the same content");
2. ``createArtifactManifest`` (twice: first for its id, then with the digest and for its
   upload URL, where the client PUTs ``wandb_manifest.json``);
3. ``createArtifactFiles``: one signed upload URL per stored file, or ``uploadUrl: null``
   when the entity already holds that content (the client skips it); files of 2 GiB and
   more get part URLs, joined by ``completeMultipartUploadArtifact``;
4. ``commitArtifact``: the manifest's entries become the version's files (every stored
   entry's bytes must be here), the version gets its ``vN`` and ``latest`` moves to it;
5. ``useArtifact``: a run declares it uses a committed version.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from ariadne import MutationType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import (
    ARTIFACT,
    MANIFEST,
    artifact_node,
    blob_path,
    manifest_node,
    part_path,
    signed_url,
)
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, page_info
from wandb_typed_server.graphql.runs import run_node
from wandb_typed_server.storage.artifact_blobs import (
    MalformedDigestError,
    close_multipart,
    md5_b64,
    md5_hex,
    multipart_upload,
    record_blob,
    start_multipart,
    stored_blob_md5s,
)
from wandb_typed_server.storage.artifact_collections import (
    ArtifactError,
    get_or_create_sequence,
)
from wandb_typed_server.storage.artifact_files import (
    AnnouncedFile,
    announce_files,
    birth_artifact_pk,
    manifest_by_pk,
    manifest_of,
    store_manifest_entries,
    upsert_manifest,
)
from wandb_typed_server.storage.artifact_links import record_use, tag_version
from wandb_typed_server.storage.artifact_manifest import parse_manifest
from wandb_typed_server.storage.artifacts import (
    LATEST,
    TTL_INHERIT,
    NewVersion,
    artifact_by_client_id,
    artifact_by_pk,
    committed_artifact,
    create_version,
    latest_with_digest,
    mark_committed,
    set_alias,
)
from wandb_typed_server.storage.blobs import DigestMismatchError, check_file_name
from wandb_typed_server.storage.entities import readable_entity, writable_entity
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.runs import find_run, find_run_by_path

mutation = MutationType()


def writable_artifact(ctx: RequestContext, artifact_id: str) -> sqlite3.Row:
    """The artifact behind an id (any state) in an entity the caller may write to."""
    row = artifact_by_pk(ctx.conn, decode_node_id(ARTIFACT, artifact_id))
    if row is None or row["state"] == "DELETED":
        raise LookupError(f"artifact {artifact_id!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    return row


def pending_artifact(ctx: RequestContext, artifact_id: str) -> sqlite3.Row:
    """A pending artifact the caller may write to (files and manifests go only there)."""
    row = writable_artifact(ctx, artifact_id)
    if row["state"] != "PENDING":
        raise ArtifactError(f"artifact {artifact_id!r} is already {row['state']}: it cannot change")
    return row


def _tag_names(tags: object) -> list[str]:
    if not tags:
        return []
    if not isinstance(tags, list):
        raise ArtifactError("tags must be a list of {tagName}")
    return [str(tag["tagName"]) for tag in tags]


def _aliases_for(input: Node, collection: str) -> list[str]:
    aliases = input.get("aliases") or []
    assert isinstance(aliases, list)
    names = []
    for entry in aliases:
        if entry["artifactCollectionName"] != collection:
            raise ArtifactError(
                f"alias {entry['alias']!r} is for collection {entry['artifactCollectionName']!r},"
                f" not {collection!r}, the one the artifact is logged to"
            )
        names.append(str(entry["alias"]))
    return names


@mutation.field("createArtifact")
def resolve_create_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A pending version of the named sequence, or the newest version when it has the same
    digest (then committed: nothing to upload)."""
    ctx = request_context(info)
    entity, project_name = str(input["entityName"]), str(input["projectName"])
    project = get_or_create_project(ctx.conn, ctx.principal, entity, project_name)
    names = input.get("artifactCollectionNames") or []
    assert isinstance(names, list)
    collection = input.get("artifactCollectionName") or (names[0] if names else None)
    if not collection:
        raise ArtifactError("createArtifact needs artifactCollectionName")
    sequence = get_or_create_sequence(
        ctx.conn, int(project["pk"]), str(input["artifactTypeName"]), str(collection)
    )
    aliases = _aliases_for(input, str(collection))
    tags = _tag_names(input.get("tags"))
    run_pk = None
    if input.get("runName"):
        run_row = find_run(ctx.conn, int(project["pk"]), str(input["runName"]))
        if run_row is None:
            raise LookupError(f"run {entity}/{project_name}/{input['runName']} not found")
        run_pk = int(run_row["pk"])
    digest = str(input["digest"])
    if input.get("enableDigestDeduplication", True) is not False:
        same = latest_with_digest(ctx.conn, int(sequence["pk"]), digest)
        if same is not None:
            for alias in aliases:
                if alias != LATEST:
                    set_alias(ctx.conn, int(sequence["pk"]), int(same["pk"]), alias)
            tag_version(ctx.conn, int(same["pk"]), tags)
            return _payload(input, artifact_node(same))
    metadata = input.get("metadata")
    if metadata is not None:
        _check_json_object("metadata", metadata)
    client_id = _optional_str(input.get("clientID"))
    earlier = None if client_id is None else artifact_by_client_id(ctx.conn, client_id)
    if (
        earlier is not None
        and earlier["state"] == "PENDING"
        and int(earlier["sequence_pk"]) == int(sequence["pk"])
    ):
        # The same client creating the same version again (wandb 0.31.0's `wandb job create`
        # saves the code artifact, whose id the job already names, a second time): the
        # pending version it has is the one to upload to, not a new one.
        return _payload(input, artifact_node(earlier))
    ttl = _optional_int(input.get("ttlDurationSeconds"))
    pk = create_version(
        ctx.conn,
        sequence,
        ctx.principal.user_pk,
        NewVersion(
            digest=digest,
            description=_optional_str(input.get("description")),
            metadata=_optional_str(metadata),
            ttl_seconds=TTL_INHERIT if ttl is None else ttl,
            history_step=_optional_int(input.get("historyStep")),
            client_id=_optional_str(input.get("clientID")),
            sequence_client_id=_optional_str(input.get("sequenceClientID")),
            run_pk=run_pk,
            aliases=aliases,
        ),
    )
    tag_version(ctx.conn, pk, tags)
    row = artifact_by_pk(ctx.conn, pk)
    assert row is not None
    return _payload(input, artifact_node(row))


def _payload(input: Node, node: Node) -> Node:
    return {
        "artifact": node,
        "artifactActions": [],
        "clientMutationId": input.get("clientMutationId"),
    }


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _check_json_object(field: str, value: object) -> None:
    try:
        decoded = json.loads(str(value))
    except ValueError as exc:
        raise ArtifactError(f"{field} is not JSON: {exc}") from exc
    if not isinstance(decoded, dict):
        raise ArtifactError(f"{field} must be a JSON object")


@mutation.field("createArtifactManifest")
def resolve_create_artifact_manifest(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """The pending version's manifest record (the same one when asked again) and the URL to
    upload its JSON to."""
    ctx = request_context(info)
    row = pending_artifact(ctx, str(input["artifactID"]))
    base = input.get("baseArtifactID")
    base_pk = None
    if base:
        base_row = artifact_by_pk(ctx.conn, decode_node_id(ARTIFACT, str(base)))
        base_pk = None if base_row is None else int(base_row["pk"])
    manifest = upsert_manifest(
        ctx.conn,
        int(row["pk"]),
        manifest_type=str(input["type"]),
        digest=str(input.get("digest") or ""),
        base_artifact_pk=base_pk,
    )
    return {
        "artifactManifest": manifest_node(ctx, manifest),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("updateArtifactManifest")
def resolve_update_artifact_manifest(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Change a pending version's manifest digest (and base version)."""
    ctx = request_context(info)
    manifest = manifest_by_pk(ctx.conn, decode_node_id(MANIFEST, str(input["artifactManifestID"])))
    if manifest is None:
        raise LookupError(f"artifact manifest {input['artifactManifestID']!r} not found")
    row = pending_artifact(ctx, encode_node_id(ARTIFACT, int(manifest["artifact_pk"])))
    base = input.get("baseArtifactID")
    base_pk = decode_node_id(ARTIFACT, str(base)) if base else None
    updated = upsert_manifest(
        ctx.conn,
        int(row["pk"]),
        manifest_type=str(manifest["type"]),
        digest=str(input.get("digest") or ""),
        base_artifact_pk=base_pk,
    )
    return {
        "artifactManifest": manifest_node(ctx, updated),
        "clientMutationId": input.get("clientMutationId"),
    }


def _upload_file_node(
    ctx: RequestContext,
    name: str,
    blob: str,
    birth: sqlite3.Row,
    upload_url: str | None,
    multipart: Node | None,
) -> Node:
    return {
        "_upload_url": upload_url,
        "id": encode_node_id("ArtifactFile", 0),
        "name": name,
        "displayName": name,
        "url": upload_url,
        "directUrl": signed_url(ctx, "GET", blob_path(blob)),
        "uploadUrl": upload_url,
        "uploadHeaders": [],
        "uploadMultipartUrls": multipart,
        "storagePath": f"artifacts/blobs/{blob}",
        "digest": md5_b64(blob),
        "md5": md5_b64(blob),
        "sizeBytes": 0,
        "isReference": False,
        "exists": upload_url is None,
        "artifact": artifact_node(birth),
    }


def _parts(spec: Node) -> list[tuple[int, str]]:
    raw = spec.get("uploadPartsInput") or []
    assert isinstance(raw, list)
    parts = sorted(
        (int(part["partNumber"]), str(part["hexMD5"]).strip('"').lower()) for part in raw
    )
    if [number for number, _ in parts] != list(range(1, len(parts) + 1)):
        raise ArtifactError(f"file {spec['name']!r}: upload parts must be numbered 1..{len(parts)}")
    return parts


@mutation.field("createArtifactFiles")
def resolve_create_artifact_files(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Upload URLs for the files of pending versions, in the order asked: ``uploadUrl: null``
    for content the entity already holds (the client skips it)."""
    ctx = request_context(info)
    specs = input["artifactFiles"]
    assert isinstance(specs, list)
    artifacts: dict[str, sqlite3.Row] = {}
    wanted: list[tuple[Node, sqlite3.Row, str]] = []
    for spec in specs:
        artifact_id = str(spec["artifactID"])
        if artifact_id not in artifacts:
            artifacts[artifact_id] = pending_artifact(ctx, artifact_id)
        name = str(spec["name"])
        check_file_name(name)
        try:
            blob = md5_hex(str(spec["md5"]))
        except MalformedDigestError as exc:
            raise ArtifactError(f"file {name!r}: {exc}") from exc
        wanted.append((spec, artifacts[artifact_id], blob))
    stored = stored_blob_md5s(ctx.conn, [blob for _, _, blob in wanted])
    edges: list[Node] = []
    announced: dict[int, list[AnnouncedFile]] = {}
    for spec, row, blob in wanted:
        name = str(spec["name"])
        announced.setdefault(int(row["pk"]), []).append(AnnouncedFile(name, str(spec["md5"]), blob))
        held = birth_artifact_pk(ctx.conn, int(row["entity_pk"]), blob) if blob in stored else None
        if held is not None and ctx.state.artifact_blobs.has_blob(blob):
            birth = artifact_by_pk(ctx.conn, held)
            assert birth is not None
            node = _upload_file_node(ctx, name, blob, birth, None, None)
        else:
            upload = signed_url(ctx, "PUT", blob_path(blob))
            parts = _parts(spec)
            multipart = _start_multipart(ctx, row, blob, parts) if parts else None
            node = _upload_file_node(ctx, name, blob, row, upload, multipart)
        edges.append({"node": node, "cursor": encode_node_id("ArtifactFile", len(edges))})
    for artifact_pk, files in announced.items():
        announce_files(ctx.conn, artifact_pk, files)
    return {
        "files": {"edges": edges, "pageInfo": page_info(edges, False, False), "uploadHeaders": []},
        "clientMutationId": input.get("clientMutationId"),
    }


def _start_multipart(
    ctx: RequestContext, artifact: sqlite3.Row, blob: str, parts: Sequence[tuple[int, str]]
) -> Node:
    upload_id = start_multipart(ctx.conn, int(artifact["pk"]), blob, [md5 for _, md5 in parts])
    return {
        "uploadID": upload_id,
        "uploadUrlParts": [
            {
                "partNumber": number,
                "uploadUrl": signed_url(ctx, "PUT", part_path(upload_id, number)),
            }
            for number, _ in parts
        ],
    }


@mutation.field("completeMultipartUploadArtifact")
def resolve_complete_multipart(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Join a multipart upload's parts into the file (checked against its md5)."""
    ctx = request_context(info)
    upload_id = str(input["uploadID"])
    upload = multipart_upload(ctx.conn, upload_id)
    if upload is None:
        raise LookupError(f"multipart upload {upload_id!r} not found")
    row = pending_artifact(ctx, str(input["artifactID"]))
    if int(row["pk"]) != int(upload["artifact_pk"]):
        raise ArtifactError(f"multipart upload {upload_id!r} belongs to another artifact")
    expected = json.loads(upload["parts"])
    completed = sorted(
        (int(part["partNumber"]), str(part["hexMD5"]).strip('"').lower())
        for part in input["completedParts"]  # type: ignore[attr-defined]
    )
    if completed != list(enumerate(expected, start=1)):
        raise ArtifactError(
            f"multipart upload {upload_id!r}: the completed parts do not match the"
            f" {len(expected)} parts announced (numbers and md5s)"
        )
    blob = str(upload["md5"])
    try:
        stored = ctx.state.artifact_blobs.join_parts(upload_id, len(expected), blob)
    except FileNotFoundError as exc:
        raise ArtifactError(f"multipart upload {upload_id!r}: a part was never uploaded") from exc
    except DigestMismatchError as exc:
        ctx.state.artifact_blobs.drop_parts(upload_id)
        raise ArtifactError(f"multipart upload {upload_id!r}: {exc}") from exc
    close_multipart(ctx.conn, upload_id)
    record_blob(ctx.conn, blob, stored.size_bytes)
    return {"digest": stored.md5_b64, "clientMutationId": input.get("clientMutationId")}


@mutation.field("commitArtifact")
def resolve_commit_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Make a pending version readable from its uploaded manifest (committing again is a
    no-op)."""
    ctx = request_context(info)
    row = writable_artifact(ctx, str(input["artifactID"]))
    if row["state"] == "PENDING":
        manifest = manifest_of(ctx.conn, int(row["pk"]))
        if manifest is None or manifest["uploaded_md5"] is None:
            raise ArtifactError(
                f"artifact {input['artifactID']!r} cannot be committed: its manifest was never"
                " uploaded"
            )
        data = ctx.state.artifact_blobs.manifest_path(int(manifest["pk"])).read_bytes()
        files = store_manifest_entries(ctx.conn, int(row["pk"]), parse_manifest(data).entries)
        mark_committed(ctx.conn, row, files.size_bytes, files.file_count)
    committed = committed_artifact(ctx.conn, int(row["pk"]))
    assert committed is not None
    return {"artifact": artifact_node(committed), "clientMutationId": input.get("clientMutationId")}


@mutation.field("useArtifact")
def resolve_use_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Record that a run uses a committed version."""
    ctx = request_context(info)
    artifact_id = str(input["artifactID"])
    row = committed_artifact(ctx.conn, decode_node_id(ARTIFACT, artifact_id))
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        raise LookupError(f"artifact {artifact_id!r} not found (or not committed)")
    entity, project, run_name = (
        str(input["entityName"]),
        str(input["projectName"]),
        str(input["runName"]),
    )
    writable_entity(ctx.conn, ctx.principal, entity)
    run_row = find_run_by_path(ctx.conn, entity, project, run_name)
    if run_row is None:
        raise LookupError(f"run {entity}/{project}/{run_name} not found")
    record_use(ctx.conn, int(row["pk"]), int(run_row["pk"]), _optional_str(input.get("usedAs")))
    return {
        "artifact": artifact_node(row),
        "run": run_node(run_row),
        "clientMutationId": input.get("clientMutationId"),
    }


BINDABLES: list[SchemaBindable] = [mutation]
