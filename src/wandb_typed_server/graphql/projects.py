"""Projects: ``project``, ``model`` (the SDK's name for it), ``models``, Entity.projects,
``upsertModel`` (create a project or update its description). A project's sweeps are in
sweeps.py.
"""

from __future__ import annotations

import sqlite3

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import decode_name_cursor, encode_name_cursor, encode_node_id
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk
from wandb_typed_server.graphql.viewer import entity_node, user_node
from wandb_typed_server.storage.entities import entity_by_pk, readable_entity, user_row
from wandb_typed_server.storage.projects import (
    find_project,
    get_or_create_project,
    list_projects,
    project_by_pk,
    set_project_description,
)

MAX_PAGE = 1000
DEFAULT_PROJECT_PAGE = 100

query = QueryType()
mutation = MutationType()
project = ObjectType("Project")
entity = ObjectType("Entity")


def project_node(row: sqlite3.Row) -> Node:
    """A Project object from a projects row joined with its entity name."""
    return {
        "_pk": row["pk"],
        "_entity_pk": row["entity_pk"],
        "_user_pk": row["user_pk"],
        "id": encode_node_id("Project", int(row["pk"])),
        "internalId": str(row["pk"]),
        "name": row["name"],
        "entityName": row["entity_name"],
        "description": row["description"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "lastActive": row["updated_at"],
        "isBenchmark": False,
        "isPublished": False,
        "readOnly": False,
        "public": False,
        "access": "PRIVATE",
        "storageBytes": 0,
        "computeHours": 0,
        "allowAllArtifactTypesInRegistry": False,
        "tags": [],
        "views": "{}",
    }


def visible_project(ctx: RequestContext, entity_name: str | None, name: str) -> sqlite3.Row | None:
    """A project the caller may read, or None (missing and forbidden look the same)."""
    entity_name = entity_name or ctx.principal.username
    if readable_entity(ctx.conn, ctx.principal, entity_name) is None:
        return None
    return find_project(ctx.conn, entity_name, name)


def project_connection(
    ctx: RequestContext, entity_pk: int, first: int | None, after: str | None
) -> Node:
    """A page of an entity's projects, ordered by name (stable while projects are added)."""
    limit = max(1, min(first or DEFAULT_PROJECT_PAGE, MAX_PAGE))
    after_name = decode_name_cursor(after) if after else None
    rows = list_projects(ctx.conn, entity_pk, after_name, limit + 1)
    page = rows[:limit]
    edges = [{"node": project_node(row), "cursor": encode_name_cursor(row["name"])} for row in page]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(rows) > limit,
            "hasPreviousPage": after is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


@query.field("project")
@query.field("model")
def resolve_project(
    _obj: object,
    info: GraphQLResolveInfo,
    name: str | None = None,
    entityName: str | None = None,
) -> Node | None:
    """One project by entity and name."""
    if name is None:
        return None
    row = visible_project(request_context(info), entityName, name)
    return None if row is None else project_node(row)


@query.field("models")
@query.field("projects")
def resolve_models(
    _obj: object,
    info: GraphQLResolveInfo,
    entityName: str | None = None,
    first: int | None = None,
    after: str | None = None,
    **_args: object,
) -> Node | None:
    """The projects of an entity (the viewer's when none is named)."""
    ctx = request_context(info)
    row = readable_entity(ctx.conn, ctx.principal, entityName or ctx.principal.username)
    if row is None:
        return None
    return project_connection(ctx, int(row["pk"]), first, after)


@entity.field("projects")
def resolve_entity_projects(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_args: object,
) -> Node:
    """An entity's projects."""
    return project_connection(request_context(info), node_pk(obj), first, after)


@entity.field("project")
def resolve_entity_project(
    obj: Node, info: GraphQLResolveInfo, name: str | None = None
) -> Node | None:
    """One of an entity's projects by name."""
    if name is None:
        return None
    row = find_project(request_context(info).conn, str(obj["name"]), name)
    return None if row is None else project_node(row)


@project.field("user")
def resolve_project_user(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user who created the project."""
    if obj["_user_pk"] is None:
        return None
    return user_node(user_row(request_context(info).conn, node_int(obj, "_user_pk")))


@project.field("entity")
def resolve_project_entity(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The entity owning the project."""
    return entity_node(entity_by_pk(request_context(info).conn, node_int(obj, "_entity_pk")))


def project_node_by_pk(ctx: RequestContext, pk: int) -> Node | None:
    """A project object by primary key (used by Run.project)."""
    row = project_by_pk(ctx.conn, pk)
    return None if row is None else project_node(row)


@mutation.field("upsertModel")
def resolve_upsert_model(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Create a project (or update its description); ``inserted`` says which happened."""
    ctx = request_context(info)
    name = input.get("name")
    if not name:
        raise ValueError("upsertModel needs the project name")
    entity_name = str(input.get("entityName") or ctx.principal.username)
    inserted = find_project(ctx.conn, entity_name, str(name)) is None
    row = get_or_create_project(ctx.conn, ctx.principal, entity_name, str(name))
    description = input.get("description")
    if description is not None:
        set_project_description(ctx.conn, int(row["pk"]), str(description))
        row = find_project(ctx.conn, entity_name, str(name)) or row
    node = project_node(row)
    return {
        "project": node,
        "model": node,
        "entityName": entity_name,
        "inserted": inserted,
        "clientMutationId": input.get("clientMutationId"),
    }


BINDABLES: list[SchemaBindable] = [query, mutation, project, entity]
