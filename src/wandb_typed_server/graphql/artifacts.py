"""Reading artifacts: types, collections (sequences and portfolios), versions, memberships,
aliases, tags, files, manifests, and the runs that log and use them.

Only committed versions are read; a collection is listed once it has one (portfolios at
once). Names are ``collection:version`` where the version is ``vN``, an alias, a commit hash
or a digest (``collection`` alone means ``collection:latest``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from ariadne import InterfaceType, ObjectType, QueryType, SchemaBindable, UnionType
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import (
    ARTIFACT,
    COLLECTION,
    alias_node,
    artifact_file_node,
    artifact_node,
    collection_node,
    connection,
    empty_connection,
    manifest_node,
    membership_node,
    tag_node,
    type_node,
)
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    MalformedIdError,
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
)
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk
from wandb_typed_server.graphql.projects import project_node_by_pk
from wandb_typed_server.graphql.runs import run_node
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage.artifact_files import count_files, list_files, manifest_of
from wandb_typed_server.storage.artifact_links import (
    count_run_artifacts,
    count_runs_using,
    run_artifacts,
    runs_using,
    tags_of_collection,
    tags_of_version,
)
from wandb_typed_server.storage.artifacts import (
    ArtifactError,
    CollectionQuery,
    aliases_of,
    aliases_of_artifact,
    artifact_by_client_id,
    collection_by_pk,
    committed_artifact,
    count_collections,
    count_memberships,
    find_collection,
    find_type,
    latest_committed,
    list_collection_aliases,
    list_collections,
    list_memberships,
    list_types,
    membership_by_pk,
    memberships_of_artifact,
    resolve_membership,
    split_version_name,
    type_by_pk,
    versions_in,
)
from wandb_typed_server.storage.entities import readable_entity, user_row
from wandb_typed_server.storage.runs import run_by_pk

DEFAULT_PAGE = 50
MAX_PAGE = 10_000

query = QueryType()
project = ObjectType("Project")
artifact_type = ObjectType("ArtifactType")
artifact = ObjectType("Artifact")
sequence = ObjectType("ArtifactSequence")
portfolio = ObjectType("ArtifactPortfolio")
collection_interface = InterfaceType("ArtifactCollection")
membership = ObjectType("ArtifactCollectionMembership")
alias = ObjectType("ArtifactAlias")
manifest = ObjectType("ArtifactManifest")
run = ObjectType("Run")
initiator = UnionType("Initiator")
client_id_entry = UnionType("ClientIDMappingEntry")


def _limit(first: int | None, default: int = DEFAULT_PAGE) -> int:
    return max(1, min(first if first is not None else default, MAX_PAGE))


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(decode_name_cursor(cursor))
    except ValueError as exc:
        raise MalformedIdError(f"malformed cursor {cursor!r}") from exc


def _cursor(value: object) -> str:
    return encode_name_cursor(str(value))


# --- Lookups shared with the mutations ------------------------------------------------------


def readable_artifact(ctx: RequestContext, artifact_id: str) -> sqlite3.Row | None:
    """The committed artifact behind an id, if the caller may read its entity."""
    row = committed_artifact(ctx.conn, decode_node_id(ARTIFACT, artifact_id))
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        return None
    return row


def readable_collection(ctx: RequestContext, collection_id: str) -> sqlite3.Row | None:
    """The live collection behind an id, if the caller may read its entity."""
    row = collection_by_pk(ctx.conn, decode_node_id(COLLECTION, collection_id))
    if (
        row is None
        or row["state"] != "READY"
        or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None
    ):
        return None
    return row


def membership_by_name(
    conn: sqlite3.Connection, project_pk: int, name: str
) -> tuple[sqlite3.Row, sqlite3.Row] | None:
    """The collection and membership ``collection:version`` names in a project, or None."""
    collection_name, version = split_version_name(name)
    collection = find_collection(conn, project_pk, collection_name)
    if collection is None:
        return None
    found = resolve_membership(conn, int(collection["pk"]), version)
    return None if found is None else (collection, found)


def artifact_node_by_pk(ctx: RequestContext, pk: int) -> Node | None:
    """The Artifact node of a committed version, or None."""
    row = committed_artifact(ctx.conn, pk)
    return None if row is None else artifact_node(row)


# --- Query roots --------------------------------------------------------------------------


@query.field("artifact")
def resolve_artifact(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """A committed artifact by id."""
    row = readable_artifact(request_context(info), id)
    return None if row is None else artifact_node(row)


@query.field("artifactCollection")
def resolve_artifact_collection(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """A collection (sequence or portfolio) by id."""
    row = readable_collection(request_context(info), id)
    return None if row is None else collection_node(row)


@query.field("artifactSequence")
def resolve_artifact_sequence(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """A sequence by id (null for a portfolio)."""
    row = readable_collection(request_context(info), id)
    return None if row is None or row["kind"] != "SEQUENCE" else collection_node(row)


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


@collection_interface.type_resolver
def resolve_collection_type(obj: Node, *_args: object) -> object:
    """ArtifactSequence or ArtifactPortfolio."""
    return obj["__typename"]


# --- Project ------------------------------------------------------------------------------


@project.field("artifactType")
def resolve_project_artifact_type(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """One of the project's artifact types (once it holds a readable collection)."""
    row = find_type(request_context(info).conn, node_pk(obj), name, visible_only=True)
    return None if row is None else type_node(row)


@project.field("artifactTypes")
def resolve_project_artifact_types(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The project's artifact types by name."""
    ctx = request_context(info)
    limit = _limit(first)
    after_name = decode_name_cursor(after) if after else None
    rows = list_types(ctx.conn, node_pk(obj), after_name, limit + 1)
    return connection(rows, limit, after, type_node, lambda row: encode_name_cursor(row["name"]))


@project.field("artifactCollection")
def resolve_project_collection(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """One of the project's collections by name."""
    row = find_collection(request_context(info).conn, node_pk(obj), name)
    return None if row is None else collection_node(row)


@project.field("artifactCollections")
def resolve_project_collections(
    obj: Node,
    info: GraphQLResolveInfo,
    collectionTypes: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    order: str | None = None,
    filters: str | None = None,
    **_: object,
) -> Node:
    """The project's collections (of any type)."""
    return _collections(
        request_context(info),
        CollectionQuery(node_pk(obj), kinds=_kinds(collectionTypes), newest_first=_newest(order)),
        first,
        after,
        filters,
    )


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


def _kinds(collection_types: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(collection_types) if collection_types else ("SEQUENCE", "PORTFOLIO")


def _newest(order: str | None) -> bool:
    """Collections are listed newest first (W&B's default) unless ``order`` says otherwise."""
    if order in (None, "", "-createdAt", "-id"):
        return True
    if order in ("createdAt", "+createdAt", "id", "+id"):
        return False
    raise ArtifactError(f"unsupported collection order {order!r}: use 'createdAt' or '-createdAt'")


def _collections(
    ctx: RequestContext,
    collection_query: CollectionQuery,
    first: int | None,
    after: str | None,
    filters: str | None,
) -> Node:
    if filters and json.loads(filters):
        raise ArtifactError(f"filtering artifact collections is not supported: {filters}")
    limit = _limit(first)
    rows = list_collections(ctx.conn, collection_query, _int_cursor(after), limit + 1)
    return connection(
        rows,
        limit,
        after,
        collection_node,
        lambda row: _cursor(row["pk"]),
        totalCount=count_collections(ctx.conn, collection_query),
    )


# --- ArtifactType -------------------------------------------------------------------------


@artifact_type.field("project")
def resolve_type_project(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The project the type belongs to."""
    return project_node_by_pk(request_context(info), node_int(obj, "_project_pk"))


@artifact_type.field("artifactCollections")
@artifact_type.field("artifactSequences")
def resolve_type_collections(
    obj: Node,
    info: GraphQLResolveInfo,
    collectionTypes: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    order: str | None = None,
    filters: str | None = None,
    **_: object,
) -> Node:
    """The type's collections, newest first; ``totalCount`` counts them all."""
    kinds = _kinds(collectionTypes)
    if info.field_name == "artifactSequences":
        kinds = ("SEQUENCE",)
    collection_query = CollectionQuery(
        node_int(obj, "_project_pk"), node_pk(obj), kinds, newest_first=_newest(order)
    )
    return _collections(request_context(info), collection_query, first, after, filters)


def _collection_of_type(info: GraphQLResolveInfo, obj: Node, name: str) -> sqlite3.Row | None:
    row = find_collection(request_context(info).conn, node_int(obj, "_project_pk"), name)
    return None if row is None or row["type_pk"] != node_pk(obj) else row


@artifact_type.field("artifactCollection")
def resolve_type_collection(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """One of the type's collections by name."""
    row = _collection_of_type(info, obj, name)
    return None if row is None else collection_node(row)


@artifact_type.field("artifactSequence")
def resolve_type_sequence(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """One of the type's sequences by name (null for a portfolio)."""
    row = _collection_of_type(info, obj, name)
    return None if row is None or row["kind"] != "SEQUENCE" else collection_node(row)


@artifact_type.field("artifact")
def resolve_type_artifact(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """The version ``collection:version`` names, if its collection has this type."""
    ctx = request_context(info)
    found = membership_by_name(ctx.conn, node_int(obj, "_project_pk"), name)
    if found is None or found[0]["type_pk"] != node_pk(obj):
        return None
    return artifact_node_by_pk(ctx, int(found[1]["artifact_pk"]))


# --- Collections (both kinds) ----------------------------------------------------------------


Resolver = Callable[..., object]


def _collection_field(name: str) -> Callable[[Resolver], Resolver]:
    """Bind a resolver to the field ``name`` of both collection kinds."""

    def bind(resolver: Resolver) -> Resolver:
        sequence.field(name)(resolver)
        portfolio.field(name)(resolver)
        return resolver

    return bind


@_collection_field("project")
def resolve_collection_project(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The project the collection belongs to."""
    return project_node_by_pk(request_context(info), node_int(obj, "_project_pk"))


@_collection_field("defaultArtifactType")
def resolve_collection_type_node(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The type of the collection's versions."""
    return type_node(type_by_pk(request_context(info).conn, node_int(obj, "_type_pk")))


@_collection_field("aliases")
def resolve_collection_aliases(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The collection's aliases, oldest first."""
    limit = _limit(first, 1000)
    rows = list_collection_aliases(
        request_context(info).conn, node_pk(obj), _int_cursor(after), limit + 1
    )
    return connection(rows, limit, after, alias_node, lambda row: _cursor(row["pk"]))


def _version_order(order: str | None) -> bool:
    """Versions newest first (W&B's default) unless ``order`` says oldest first."""
    if order in (None, "", "-versionIndex", "-createdAt", "-id"):
        return True
    if order in ("versionIndex", "+versionIndex", "createdAt", "+createdAt", "id", "+id"):
        return False
    raise ArtifactError(
        f"unsupported artifact order {order!r}: use 'versionIndex' or '-versionIndex'"
    )


def _check_version_filters(filters: str | None) -> None:
    """The only filter this server applies to versions is the W&B client's default
    ``{"state": "COMMITTED"}`` (only committed versions are ever listed)."""
    decoded = json.loads(filters) if filters else {}
    if not isinstance(decoded, dict):
        raise ArtifactError(f"artifact filters must be a JSON object, not {filters}")
    unsupported = {
        key: value for key, value in decoded.items() if (key, value) != ("state", "COMMITTED")
    }
    if unsupported:
        raise ArtifactError(
            f"unsupported artifact filters {json.dumps(unsupported)}: only"
            ' {"state": "COMMITTED"} is supported'
        )


@_collection_field("artifacts")
def resolve_collection_artifacts(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    order: str | None = None,
    filters: str | None = None,
    **_: object,
) -> Node:
    """The collection's versions (``edge.version`` is ``vN`` in this collection)."""
    ctx = request_context(info)
    _check_version_filters(filters)
    limit = _limit(first)
    rows = list_memberships(
        ctx.conn,
        node_pk(obj),
        after_index=_int_cursor(after),
        limit=limit + 1,
        newest_first=_version_order(order),
    )
    artifacts = {
        int(row["pk"]): row
        for row in versions_in(ctx.conn, [m["artifact_pk"] for m in rows[:limit]])
    }
    edges = [
        {
            "node": artifact_node(artifacts[int(row["artifact_pk"])]),
            "version": f"v{row['version_index']}",
            "cursor": _cursor(row["version_index"]),
        }
        for row in rows[:limit]
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(rows) > limit,
            "hasPreviousPage": after is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": count_memberships(ctx.conn, node_pk(obj)),
    }


@_collection_field("artifactMembership")
def resolve_collection_membership(
    obj: Node, info: GraphQLResolveInfo, aliasName: str
) -> Node | None:
    """The membership ``aliasName`` (``vN``, alias, commit hash or digest) names."""
    row = resolve_membership(request_context(info).conn, node_pk(obj), aliasName)
    return None if row is None else membership_node(row)


@_collection_field("artifactMemberships")
def resolve_collection_memberships(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """The collection's memberships, newest first."""
    limit = _limit(first)
    rows = list_memberships(
        request_context(info).conn, node_pk(obj), after_index=_int_cursor(after), limit=limit + 1
    )
    return connection(
        rows, limit, after, membership_node, lambda row: _cursor(row["version_index"])
    )


@_collection_field("tags")
def resolve_collection_tags(obj: Node, info: GraphQLResolveInfo, **_: object) -> Node:
    """The collection's tags."""
    rows = tags_of_collection(request_context(info).conn, node_pk(obj))
    return connection(rows, len(rows), None, tag_node, lambda row: _cursor(row["pk"]))


@sequence.field("latestArtifact")
def resolve_latest_artifact(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The sequence's newest committed version."""
    row = latest_committed(request_context(info).conn, node_pk(obj))
    return None if row is None else artifact_node(row)


@_collection_field("triggers")
@_collection_field("aliasActionHistory")
@_collection_field("artifactCollectionActions")
@_collection_field("artifactActions")
def resolve_no_actions(_obj: Node, _info: GraphQLResolveInfo, **_: object) -> Node:
    """Automations and action histories: none are kept by this server."""
    return empty_connection()


# --- Artifact -----------------------------------------------------------------------------


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
    limit = _limit(first)
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
        lambda row: _cursor(row["pk"]),
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
    limit = _limit(first)
    pks = runs_using(ctx.conn, node_pk(obj), _int_cursor(after), limit + 1)
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
    return connection(rows, len(rows), None, membership_node, lambda row: _cursor(row["pk"]))


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
        rows, len(rows), None, collection_node, lambda row: _cursor(row["pk"]), totalCount=len(rows)
    )


@artifact.field("artifactLineageDag")
def resolve_lineage(_obj: Node, _info: GraphQLResolveInfo, **_: object) -> None:
    """Lineage graphs are not computed by this server."""
    return None


# --- Memberships, aliases, manifests ---------------------------------------------------------


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


# --- Runs ---------------------------------------------------------------------------------


def _run_artifacts(
    obj: Node, info: GraphQLResolveInfo, first: int | None, after: str | None, *, used: bool
) -> Node:
    ctx = request_context(info)
    limit = _limit(first)
    rows = run_artifacts(
        ctx.conn, node_pk(obj), used=used, after_pk=_int_cursor(after), limit=limit + 1
    )
    return connection(
        rows,
        limit,
        after,
        artifact_node,
        lambda row: _cursor(row["pk"]),
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
    """The committed versions the run used, in the order it started using them."""
    return _run_artifacts(obj, info, first, after, used=True)


BINDABLES: list[SchemaBindable] = [
    query,
    project,
    artifact_type,
    artifact,
    sequence,
    portfolio,
    collection_interface,
    membership,
    alias,
    manifest,
    run,
    initiator,
    client_id_entry,
]


def membership_node_by_pk(ctx: RequestContext, pk: int) -> Node | None:
    """A membership node by pk (used by the mutations' payloads)."""
    row = membership_by_pk(ctx.conn, pk)
    return None if row is None else membership_node(row)
