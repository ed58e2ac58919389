"""Organizations: ``organization(name)``, an entity's organization, a user's organizations,
and the searches across an organization's registries (``Entity.artifactCollections`` and
``Entity.artifactMemberships`` of its org entity).

An organization is visible to its members and to instance admins; its org entity owns the
registries (``wandb-registry-<name>`` projects, see graphql/projects.py for their writes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from ariadne import ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import (
    collection_node,
    int_cursor,
    membership_node,
    page_limit,
    pk_cursor,
)
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import encode_node_id
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk, page_info
from wandb_typed_server.graphql.viewer import entity_node
from wandb_typed_server.storage.entities import entity_by_pk
from wandb_typed_server.storage.organizations import (
    find_organization,
    is_member,
    is_org_entity,
    organization_of_entity,
    organizations_of_user,
)
from wandb_typed_server.storage.registries import search_collections, search_versions

query = QueryType()
organization = ObjectType("Organization")
entity = ObjectType("Entity")
user = ObjectType("User")


def organization_node(row: sqlite3.Row) -> Node:
    """An Organization from a row of ``organizations`` joined with its entity's name."""
    return {
        "_pk": row["pk"],
        "_entity_pk": row["entity_pk"],
        "id": encode_node_id("Organization", int(row["pk"])),
        "name": row["name"],
        "orgType": "ORGANIZATION",
        "available": True,
        "flags": "{}",
    }


def _visible(ctx: RequestContext, row: sqlite3.Row) -> bool:
    return ctx.principal.is_admin or is_member(ctx.conn, int(row["pk"]), ctx.principal.user_pk)


@query.field("organization")
def resolve_organization(
    _obj: object, info: GraphQLResolveInfo, name: str | None = None, id: str | None = None
) -> Node | None:
    """An organization by name (or by its org entity's name), if the caller belongs to it."""
    ctx = request_context(info)
    if name is None:
        return None
    row = find_organization(ctx.conn, name)
    return None if row is None or not _visible(ctx, row) else organization_node(row)


@organization.field("orgEntity")
def resolve_org_entity(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The organization's own entity (it owns the registries)."""
    row = entity_by_pk(request_context(info).conn, node_int(obj, "_entity_pk"))
    return entity_node(row) | {"entityType": "organization"}


@entity.field("organization")
def resolve_entity_organization(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The organization an entity belongs to (a user's only when it has exactly one)."""
    ctx = request_context(info)
    row = organization_of_entity(ctx.conn, entity_by_pk(ctx.conn, node_pk(obj)))
    return None if row is None or not _visible(ctx, row) else organization_node(row)


@user.field("organizations")
def resolve_user_organizations(obj: Node, info: GraphQLResolveInfo, **_: object) -> list[Node]:
    """The organizations a user belongs to."""
    ctx = request_context(info)
    return [
        organization_node(row)
        for row in organizations_of_user(ctx.conn, node_pk(obj))
        if _visible(ctx, row)
    ]


def _org_entity_pk(ctx: RequestContext, obj: Node, field: str) -> int:
    pk = node_pk(obj)
    if not is_org_entity(ctx.conn, pk):
        raise ValueError(
            f"Entity.{field} searches an organization's registries; {obj['name']!r} is not an"
            " organization's entity"
        )
    return pk


def _connection(
    rows: Sequence[sqlite3.Row],
    first: int | None,
    after: str | None,
    make: Callable[[sqlite3.Row], Node],
) -> Node:
    """A page of search results; the cursor is the position in the whole result."""
    start = 0 if after is None else (int_cursor(after) or 0) + 1
    limit = page_limit(first, default=100)
    edges: list[Node] = [
        {"node": make(row), "cursor": pk_cursor(index)}
        for index, row in enumerate(rows[start : start + limit], start)
    ]
    return {
        "edges": edges,
        "pageInfo": page_info(edges, start + limit < len(rows), after is not None),
        "totalCount": len(rows),
    }


@entity.field("artifactCollections")
def resolve_org_collections(
    obj: Node,
    info: GraphQLResolveInfo,
    projectFilters: str | None = None,
    filters: str | None = None,
    collectionTypes: list[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    order: str | None = None,
    **_: object,
) -> Node:
    """Collections across the organization's registries (portfolios unless told), newest
    first, with Mongo-style registry and collection filters."""
    ctx = request_context(info)
    rows = search_collections(
        ctx.conn,
        ctx.principal,
        _org_entity_pk(ctx, obj, "artifactCollections"),
        registry_filters=projectFilters,
        collection_filters=filters,
        kinds=tuple(collectionTypes or ("PORTFOLIO", "SEQUENCE")),
        order=order,
    )
    return _connection(rows, first, after, collection_node)


@entity.field("artifactMemberships")
def resolve_org_memberships(
    obj: Node,
    info: GraphQLResolveInfo,
    projectFilters: str | None = None,
    collectionFilters: str | None = None,
    filters: str | None = None,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """Versions (as linked) across the organization's registries, newest link first, with
    Mongo-style registry, collection and version filters (``tag``, ``alias``,
    ``metadata.*``, dates)."""
    ctx = request_context(info)
    rows = search_versions(
        ctx.conn,
        ctx.principal,
        _org_entity_pk(ctx, obj, "artifactMemberships"),
        registry_filters=projectFilters,
        collection_filters=collectionFilters,
        version_filters=filters,
    )
    return _connection(rows, first, after, membership_node)


BINDABLES: list[SchemaBindable] = [query, organization, entity, user]
