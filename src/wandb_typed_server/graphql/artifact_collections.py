"""Reading artifact types and collections (sequences and portfolios): the project's types and
collections, a type's collections, a collection's versions (``edge.version`` is ``vN`` in
that collection), aliases, memberships and tags.

A sequence is listed once it holds a committed version, a portfolio at once; versions are
listed newest first unless ``order`` says otherwise. Version names are resolved here too:
``collection:version`` where the version is ``vN``, an alias, a commit hash or a digest
(``collection`` alone means ``collection:latest``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from ariadne import InterfaceType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import (
    COLLECTION,
    alias_node,
    artifact_node,
    collection_node,
    connection,
    empty_connection,
    int_cursor,
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
from wandb_typed_server.graphql.nodes import Node, connection_of, node_int, node_pk
from wandb_typed_server.graphql.projects import project_node_by_pk
from wandb_typed_server.storage.artifact_collections import (
    ArtifactError,
    CollectionQuery,
    collection_by_pk,
    count_collections,
    find_collection,
    find_type,
    list_collections,
    list_types,
    type_by_pk,
)
from wandb_typed_server.storage.artifact_links import tags_of_collection
from wandb_typed_server.storage.artifacts import (
    committed_artifact,
    count_memberships,
    latest_committed,
    list_collection_aliases,
    list_memberships,
    resolve_membership,
    split_version_name,
    versions_in,
)
from wandb_typed_server.storage.entities import readable_entity

query = QueryType()
project = ObjectType("Project")
artifact_type = ObjectType("ArtifactType")
sequence = ObjectType("ArtifactSequence")
portfolio = ObjectType("ArtifactPortfolio")
collection_interface = InterfaceType("ArtifactCollection")


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


@collection_interface.type_resolver
def resolve_collection_type(obj: Node, *_args: object) -> object:
    """ArtifactSequence or ArtifactPortfolio."""
    return obj["__typename"]


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
    includeAll: bool | None = None,
    **_: object,
) -> Node:
    """The project's artifact types by name (with ``includeAll``, also those holding no
    collection yet: a registry's allowed types)."""
    ctx = request_context(info)
    limit = page_limit(first)
    after_name = decode_name_cursor(after) if after else None
    rows = list_types(ctx.conn, node_pk(obj), after_name, limit + 1, include_all=bool(includeAll))
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
    limit = page_limit(first)
    rows = list_collections(ctx.conn, collection_query, int_cursor(after), limit + 1)
    return connection(
        rows,
        limit,
        after,
        collection_node,
        lambda row: pk_cursor(row["pk"]),
        totalCount=count_collections(ctx.conn, collection_query),
    )


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
    limit = page_limit(first, 1000)
    rows = list_collection_aliases(
        request_context(info).conn, node_pk(obj), int_cursor(after), limit + 1
    )
    return connection(rows, limit, after, alias_node, lambda row: pk_cursor(row["pk"]))


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
    limit = page_limit(first)
    rows = list_memberships(
        ctx.conn,
        node_pk(obj),
        after_index=int_cursor(after),
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
            "cursor": pk_cursor(row["version_index"]),
        }
        for row in rows[:limit]
    ]
    return connection_of(
        edges,
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
        totalCount=count_memberships(ctx.conn, node_pk(obj)),
    )


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
    limit = page_limit(first)
    rows = list_memberships(
        request_context(info).conn, node_pk(obj), after_index=int_cursor(after), limit=limit + 1
    )
    return connection(
        rows, limit, after, membership_node, lambda row: pk_cursor(row["version_index"])
    )


@_collection_field("tags")
def resolve_collection_tags(obj: Node, info: GraphQLResolveInfo, **_: object) -> Node:
    """The collection's tags."""
    rows = tags_of_collection(request_context(info).conn, node_pk(obj))
    return connection(rows, len(rows), None, tag_node, lambda row: pk_cursor(row["pk"]))


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


BINDABLES: list[SchemaBindable] = [
    query,
    project,
    artifact_type,
    sequence,
    portfolio,
    collection_interface,
]
