"""Run files: ``Run.files``/``fileCount``, ``createRunFiles`` (signed upload URLs), ``deleteFiles``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from urllib.parse import quote

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of, node_pk
from wandb_typed_server.storage.blobs import check_file_name
from wandb_typed_server.storage.entities import writable_entity
from wandb_typed_server.storage.run_files import (
    count_files,
    delete_file_records,
    files_by_pk,
    list_files,
    name_conflicts,
)
from wandb_typed_server.storage.runs import find_run_by_path

DEFAULT_FILE_PAGE = 50
MAX_FILE_PAGE = 1000

run = ObjectType("Run")
mutation = MutationType()


def storage_path(entity: str, project: str, run_name: str, name: str) -> str:
    """The URL path of a file's bytes behind a signed URL (decoded form; signatures cover it)."""
    return f"/storage/{entity}/{project}/{run_name}/{name}"


def file_url(ctx: RequestContext, entity: str, project: str, run_name: str, name: str) -> str:
    """W&B's ``File.url``: a download URL that needs the API key (Basic auth)."""
    return f"{ctx.base_url}{quote(f'/files/{entity}/{project}/{run_name}/{name}')}"


def signed_storage_url(
    ctx: RequestContext, method: str, entity: str, project: str, run_name: str, name: str
) -> str:
    """A self-authorising, expiring URL to GET or PUT a file's bytes."""
    path = storage_path(entity, project, run_name, name)
    return f"{ctx.base_url}{quote(path)}?{ctx.state.signer.sign(method, path)}"


def _location_fields(
    ctx: RequestContext, entity: str, project: str, run_name: str, name: str
) -> Node:
    upload_url = signed_storage_url(ctx, "PUT", entity, project, run_name, name)
    return {
        "name": name,
        "displayName": name.rsplit("/", 1)[-1],
        "url": file_url(ctx, entity, project, run_name, name),
        "_upload_url": upload_url,
        "uploadUrl": upload_url,
        "directUrl": signed_storage_url(ctx, "GET", entity, project, run_name, name),
        "storagePath": f"{entity}/{project}/{run_name}/{name}",
        "isReference": False,
        "uploadHeaders": [],
    }


def file_node(ctx: RequestContext, row: sqlite3.Row, run_obj: Node) -> Node:
    """A File object for one stored run file."""
    location = _location_fields(
        ctx, str(run_obj["_entity"]), str(run_obj["_project"]), str(run_obj["name"]), row["name"]
    )
    return location | {
        "id": encode_node_id("File", int(row["pk"])),
        "md5": row["md5"],
        "digest": row["md5"],
        "sizeBytes": row["size_bytes"],
        "mimetype": row["mimetype"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "exists": True,
    }


file_type = ObjectType("File")


@file_type.field("url")
def resolve_file_url(obj: Node, _info: GraphQLResolveInfo, upload: bool | None = None) -> object:
    """``url(upload: true)`` is the signed upload URL; otherwise the authenticated download URL."""
    return obj["_upload_url"] if upload else obj["url"]


@run.field("files")
def resolve_run_files(
    obj: Node,
    info: GraphQLResolveInfo,
    names: Sequence[str | None] | None = None,
    pattern: str | None = None,
    first: int | None = None,
    after: str | None = None,
    **_args: object,
) -> Node:
    """A page of the run's files ordered by name (stable cursors)."""
    ctx = request_context(info)
    limit = max(1, min(first or DEFAULT_FILE_PAGE, MAX_FILE_PAGE))
    wanted = [name for name in names or [] if name]
    rows = list_files(
        ctx.conn,
        node_pk(obj),
        names=wanted,
        pattern=pattern,
        after_name=decode_name_cursor(after) if after else None,
        limit=limit + 1,
    )
    page = rows[:limit]
    edges = [
        {"node": file_node(ctx, row, obj), "cursor": encode_name_cursor(row["name"])}
        for row in page
    ]
    return connection_of(
        edges,
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
        uploadHeaders=[],
    )


@run.field("fileCount")
def resolve_file_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many files the run has."""
    return count_files(request_context(info).conn, node_pk(obj))


def _strings(input: Node, key: str) -> list[str]:
    values = input.get(key)
    if not isinstance(values, list):
        raise ValueError(f"input.{key} must be a list")
    return [str(value) for value in values]


@mutation.field("createRunFiles")
def resolve_create_run_files(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Signed upload URLs, one per requested file, in the order asked."""
    ctx = request_context(info)
    entity, project, run_name = (
        str(input["entityName"]),
        str(input["projectName"]),
        str(input["runName"]),
    )
    writable_entity(ctx.conn, ctx.principal, entity)
    row = find_run_by_path(ctx.conn, entity, project, run_name)
    if row is None:
        raise LookupError(f"run {entity}/{project}/{run_name} not found")
    names = _strings(input, "files")
    for name in names:
        check_file_name(name)
    conflict = name_conflicts(ctx.conn, int(row["pk"]), names)
    if conflict is not None:
        raise ValueError(f"input.files: {conflict}")
    files = [
        _location_fields(ctx, entity, project, run_name, name)
        | {"id": encode_node_id("File", 0), "sizeBytes": 0, "exists": False}
        for name in names
    ]
    return {
        "runID": encode_node_id("Run", int(row["pk"])),
        "uploadHeaders": [],
        "files": files,
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteFiles")
def resolve_delete_files(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete run files by id (records and bytes)."""
    ctx = request_context(info)
    pks = [decode_node_id("File", file_id) for file_id in _strings(input, "files")]
    rows = files_by_pk(ctx.conn, pks)
    for row in rows:
        writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    delete_file_records(ctx.conn, [int(row["pk"]) for row in rows])
    paths = [
        ctx.state.blobs.path_for(
            row["entity_name"], row["project_name"], row["run_name"], row["name"]
        )
        for row in rows
    ]

    def remove_bytes() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    ctx.after_commit.append(remove_bytes)
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [run, file_type, mutation]
