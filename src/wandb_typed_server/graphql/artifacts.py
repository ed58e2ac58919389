"""Reading artifact versions: by id, by name in a project (the membership ``collection:version``
names), and every field of a version: its sequence, type, index, aliases, tags, manifest,
files (stored and references), the runs that log and use it, the collections it is linked
into; memberships and aliases; a run's logged and used versions.

Only committed versions are read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ariadne import ObjectType, QueryType, SchemaBindable, UnionType
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_collections import artifact_node_by_pk, membership_by_name
from wandb_typed_server.graphql.artifact_nodes import (
    ARTIFACT,
    alias_node,
    artifact_file_node,
    artifact_node,
    collection_node,
    connection,
    int_cursor,
    manifest_node,
    membership_node,
    page_limit,
    pk_cursor,
    tag_node,
    type_node,
)
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
)
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk
from wandb_typed_server.graphql.runs import run_node
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage.artifact_collections import (
    collection_by_pk,
    type_by_pk,
)
from wandb_typed_server.storage.artifact_files import count_files, list_files, manifest_of
from wandb_typed_server.storage.artifact_links import (
    count_run_artifacts,
    count_runs_using,
    run_artifacts,
    runs_using,
    tags_of_version,
)
from wandb_typed_server.storage.artifacts import (
    aliases_of,
    aliases_of_artifact,
    artifact_by_client_id,
    committed_artifact,
    memberships_of_artifact,
)
from wandb_typed_server.storage.entities import readable_entity, user_row
from wandb_typed_server.storage.runs import run_by_pk

query = QueryType()
project = ObjectType("Project")
artifact = ObjectType("Artifact")
membership = ObjectType("ArtifactCollectionMembership")
alias = ObjectType("ArtifactAlias")
manifest = ObjectType("ArtifactManifest")
run = ObjectType("Run")
initiator = UnionType("Initiator")
client_id_entry = UnionType("ClientIDMappingEntry")


def readable_artifact(ctx: RequestContext, artifact_id: str) -> sqlite3.Row | None:
    """The committed artifact behind an id, if the caller may read its entity."""
    row = committed_artifact(ctx.conn, decode_node_id(ARTIFACT, artifact_id))
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        return None
    return row


@query.field("artifact")
def resolve_artifact(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """A committed artifact by id."""
    row = readable_artifact(request_context(info), id)
    return None if row is None else artifact_node(row)


@query.field("clientIDMapping")
def resolve_client_id_mapping(_obj: object, info: GraphQLResolveInfo, clientID: str) -> Node | None:
    """The server id of an artifact the client named by its client id (references between
    artifacts of one run)."""
    ctx = request_context(info)
    found = artifact_by_client_id(ctx.conn, clientID)
    if found is None or readable_entity(ctx.conn, ctx.principal, found["entity_name"]) is None:
        return None
    node = artifact_node(found)
    return {"clientID": clientID, "serverID": node["id"], "entry": node | {"__typename": ARTIFACT}}


@client_id_entry.type_resolver
@initiator.type_resolver
def resolve_typename(obj: Node, *_args: object) -> object:
    """Union members carry their type name."""
    return obj["__typename"]


@project.field("artifact")
def resolve_project_artifact(
    obj: Node, info: GraphQLResolveInfo, name: str, enableTracking: bool | None = None
) -> Node | None:
    """The version ``collection:version`` names (the artifact behind the membership)."""
    ctx = request_context(info)
    found = membership_by_name(ctx.conn, node_pk(obj), name)
    return None if found is None else artifact_node_by_pk(ctx, int(found[1]["artifact_pk"]))


@project.field("artifactCollectionMembership")
def resolve_project_membership(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """The membership ``collection:version`` names."""
    found = membership_by_name(request_context(info).conn, node_pk(obj), name)
    return None if found is None else membership_node(found[1])


@artifact.field("artifactSequence")
def resolve_artifact_sequence_field(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The sequence the version was logged into."""
    row = collection_by_pk(request_context(info).conn, node_int(obj, "_sequence_pk"))
    assert row is not None
    return collection_node(row)


@artifact.field("artifactType")
def resolve_artifact_type_field(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The version's type (its sequence's)."""
    return type_node(type_by_pk(request_context(info).conn, node_int(obj, "_type_pk")))


def _membership_named(
    info: GraphQLResolveInfo, obj: Node, collection_name: str | None
) -> sqlite3.Row | None:
    """The version's membership in the collection named (its sequence when none is)."""
    conn = request_context(info).conn
    rows = memberships_of_artifact(conn, node_pk(obj))
    if collection_name is None:
        return rows[0] if rows and rows[0]["collection_pk"] == obj["_sequence_pk"] else None
    for row in rows:
        collection = collection_by_pk(conn, int(row["collection_pk"]))
        if collection is not None and collection["name"] == collection_name:
            return row
    return None


@artifact.field("versionIndex")
def resolve_version_index(
    obj: Node, info: GraphQLResolveInfo, artifactCollectionName: str | None = None
) -> int | None:
    """The version's index in its sequence (or in the collection named)."""
    if artifactCollectionName is None:
        index = obj["_version_index"]
        return None if index is None else int(str(index))
    row = _membership_named(info, obj, artifactCollectionName)
    return None if row is None else int(row["version_index"])


@artifact.field("commitHash")
def resolve_commit_hash(obj: Node, _info: GraphQLResolveInfo, **_: object) -> object:
    """The hash the version got when committed."""
    return obj["_commit_hash"]


@artifact.field("aliases")
def resolve_artifact_aliases(
    obj: Node, info: GraphQLResolveInfo, artifactCollectionName: str | None = None
) -> list[Node]:
    """The version's aliases in every collection it is in (or the one named)."""
    rows = aliases_of_artifact(request_context(info).conn, node_pk(obj), artifactCollectionName)
    return [alias_node(row) for row in rows]


@artifact.field("tags")
def resolve_artifact_tags(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """The version's tags."""
    return [tag_node(row) for row in tags_of_version(request_context(info).conn, node_pk(obj))]


@artifact.field("currentManifest")
def resolve_current_manifest(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The version's manifest (its file's directUrl serves the JSON)."""
    ctx = request_context(info)
    row = manifest_of(ctx.conn, node_pk(obj))
    return None if row is None or row["uploaded_md5"] is None else manifest_node(ctx, row)


def files_connection(
    ctx: RequestContext,
    artifact_pk: int,
    entity: str,
    names: Sequence[str] | None,
    first: int | None,
    after: str | None,
) -> Node:
    """A page of a version's files by path; ``totalCount`` counts every match."""
    limit = page_limit(first)
    wanted = [name for name in names or [] if name]
    rows = list_files(
        ctx.conn,
        artifact_pk,
        names=wanted,
        after_path=decode_name_cursor(after) if after else None,
        limit=limit + 1,
    )
    return connection(
        rows,
        limit,
        after,
        lambda row: artifact_file_node(ctx, row, entity),
        lambda row: encode_name_cursor(row["path"]),
        totalCount=count_files(ctx.conn, artifact_pk, wanted),
        uploadHeaders=[],
    )


@artifact.field("files")
def resolve_artifact_files(
    obj: Node,
    info: GraphQLResolveInfo,
    names: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """A page of the version's files (stored and references) by path."""
    return files_connection(
        request_context(info), node_pk(obj), str(obj["_entity"]), names, first, after
    )


def _run_connection(
    ctx: RequestContext, run_pks: list[int], limit: int, after: str | None, total: int
) -> Node:
    rows = [row for row in (run_by_pk(ctx.conn, pk) for pk in run_pks) if row is not None]
    return connection(
        rows,
        limit,
        after,
        run_node,
        lambda row: pk_cursor(row["pk"]),
        totalCount=total,
        _total=total,
    )


@artifact.field("usedBy")
@artifact.field("usedByApprox")
def resolve_used_by(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The runs that use the version, oldest first."""
    ctx = request_context(info)
    limit = page_limit(first)
    pks = runs_using(ctx.conn, node_pk(obj), int_cursor(after), limit + 1)
    return _run_connection(ctx, pks, limit, after, count_runs_using(ctx.conn, node_pk(obj)))


@artifact.field("usedCount")
def resolve_used_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many runs use the version."""
    return count_runs_using(request_context(info).conn, node_pk(obj))


@artifact.field("createdBy")
def resolve_created_by(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The run that logged the version (its user when it was logged outside a run, or the
    run has been deleted)."""
    conn = request_context(info).conn
    run_pk = obj["_run_pk"]
    if run_pk is not None:
        row = run_by_pk(conn, node_int(obj, "_run_pk"))
        if row is not None:
            return run_node(row) | {"__typename": "Run"}
    return user_node(user_row(conn, node_int(obj, "_user_pk"))) | {"__typename": "User"}


@artifact.field("artifactMemberships")
def resolve_artifact_memberships(obj: Node, info: GraphQLResolveInfo, **_: object) -> Node:
    """Every collection the version is in: its sequence, then the portfolios it is linked to."""
    rows = memberships_of_artifact(request_context(info).conn, node_pk(obj))
    return connection(rows, len(rows), None, membership_node, lambda row: pk_cursor(row["pk"]))


@artifact.field("artifactCollections")
def resolve_artifact_collections(obj: Node, info: GraphQLResolveInfo, **_: object) -> Node:
    """The collections the version is in."""
    conn = request_context(info).conn
    rows = [
        row
        for row in (
            collection_by_pk(conn, int(m["collection_pk"]))
            for m in memberships_of_artifact(conn, node_pk(obj))
        )
        if row is not None
    ]
    return connection(
        rows,
        len(rows),
        None,
        collection_node,
        lambda row: pk_cursor(row["pk"]),
        totalCount=len(rows),
    )


@artifact.field("artifactLineageDag")
def resolve_lineage(_obj: Node, _info: GraphQLResolveInfo, **_: object) -> None:
    """Lineage graphs are not computed by this server."""
    return None


@membership.field("artifact")
def resolve_membership_artifact(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The version this membership holds."""
    return artifact_node_by_pk(request_context(info), node_int(obj, "_artifact_pk"))


@membership.field("artifactCollection")
@alias.field("artifactCollection")
def resolve_membership_collection(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The collection of this membership (or alias)."""
    row = collection_by_pk(request_context(info).conn, node_int(obj, "_collection_pk"))
    return None if row is None else collection_node(row)


@alias.field("artifactCollectionName")
def resolve_alias_collection_name(obj: Node, info: GraphQLResolveInfo) -> str:
    """The name of the alias's collection."""
    row = collection_by_pk(request_context(info).conn, node_int(obj, "_collection_pk"))
    return "" if row is None else str(row["name"])


@alias.field("artifact")
@manifest.field("artifact")
def resolve_alias_artifact(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The version an alias (or manifest) belongs to."""
    return artifact_node_by_pk(request_context(info), node_int(obj, "_artifact_pk"))


@membership.field("aliases")
def resolve_membership_aliases(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """The aliases of this membership's version in this collection."""
    rows = aliases_of(
        request_context(info).conn, node_int(obj, "_collection_pk"), node_int(obj, "_artifact_pk")
    )
    return [alias_node(row) for row in rows]


@membership.field("commitHash")
def resolve_membership_commit_hash(obj: Node, info: GraphQLResolveInfo) -> object:
    """The commit hash of the membership's version."""
    row = committed_artifact(request_context(info).conn, node_int(obj, "_artifact_pk"))
    return None if row is None else row["commit_hash"]


@membership.field("files")
def resolve_membership_files(
    obj: Node,
    info: GraphQLResolveInfo,
    names: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node | None:
    """A page of the membership's version's files."""
    ctx = request_context(info)
    row = committed_artifact(ctx.conn, node_int(obj, "_artifact_pk"))
    if row is None:
        return None
    return files_connection(ctx, int(row["pk"]), str(row["entity_name"]), names, first, after)


def _run_artifacts(
    obj: Node, info: GraphQLResolveInfo, first: int | None, after: str | None, *, used: bool
) -> Node:
    ctx = request_context(info)
    limit = page_limit(first)
    rows = run_artifacts(
        ctx.conn, node_pk(obj), used=used, after_pk=int_cursor(after), limit=limit + 1
    )
    return connection(
        rows,
        limit,
        after,
        artifact_node,
        lambda row: pk_cursor(row["pk"]),
        totalCount=count_run_artifacts(ctx.conn, node_pk(obj), used=used),
    )


@run.field("outputArtifacts")
def resolve_output_artifacts(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The committed versions the run logged, oldest first."""
    return _run_artifacts(obj, info, first, after, used=False)


@run.field("inputArtifacts")
def resolve_input_artifacts(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The committed versions the run used, oldest first."""
    return _run_artifacts(obj, info, first, after, used=True)


BINDABLES: list[SchemaBindable] = [
    query,
    project,
    artifact,
    membership,
    alias,
    manifest,
    run,
    initiator,
    client_id_entry,
]
