"""Projects: ``project``, ``model`` (the SDK's name for it), ``models``, Entity.projects,
``upsertModel`` (create a project or update its description; for a registry also its access
and artifact types), ``renameProject`` and ``deleteModel`` (registries). A project's sweeps
are in sweeps.py.
"""

from __future__ import annotations

import sqlite3

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of, node_int, node_pk
from wandb_typed_server.graphql.viewer import entity_node, user_node
from wandb_typed_server.storage.artifact_cleanup import forget_versions
from wandb_typed_server.storage.entities import (
    entity_by_pk,
    readable_entity,
    user_row,
    writable_entity,
)
from wandb_typed_server.storage.organizations import is_org_entity
from wandb_typed_server.storage.projects import (
    find_project,
    get_or_create_project,
    list_projects,
    project_by_pk,
    set_project_description,
)
from wandb_typed_server.storage.registries import (
    check_project_readable,
    delete_registry,
    is_registry,
    project_readable,
    rename_project,
    save_registry_settings,
    search_registries,
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
        "access": row["registry_access"] or "PRIVATE",
        "storageBytes": 0,
        "computeHours": 0,
        "allowAllArtifactTypesInRegistry": bool(row["registry_allow_all"]),
        "tags": [],
        "views": "{}",
    }


def visible_project(ctx: RequestContext, entity_name: str | None, name: str) -> sqlite3.Row | None:
    """A project the caller may read, or None (missing and forbidden look the same)."""
    entity_name = entity_name or ctx.principal.username
    if readable_entity(ctx.conn, ctx.principal, entity_name) is None:
        return None
    row = find_project(ctx.conn, entity_name, name)
    if row is None or not project_readable(ctx.conn, ctx.principal, row):
        return None
    return row


def project_connection(
    ctx: RequestContext,
    entity_pk: int,
    first: int | None,
    after: str | None,
    filters: str | None = None,
    order: str | None = None,
) -> Node:
    """A page of an entity's projects, ordered by name (stable while projects are added);
    an org entity's are its registries, which ``filters`` (Mongo-style JSON) may narrow and
    ``order`` sort (their cursors are positions)."""
    limit = max(1, min(first or DEFAULT_PROJECT_PAGE, MAX_PAGE))
    if filters is not None or order is not None or is_org_entity(ctx.conn, entity_pk):
        found = search_registries(ctx.conn, ctx.principal, entity_pk, filters, order)
        start = int(decode_name_cursor(after)) + 1 if after else 0
        edges = [
            {"node": project_node(row), "cursor": encode_name_cursor(str(index))}
            for index, row in enumerate(found[start : start + limit], start)
        ]
        return connection_of(
            edges, has_next_page=start + limit < len(found), has_previous_page=after is not None
        )
    after_name = decode_name_cursor(after) if after else None
    rows = [
        row
        for row in list_projects(ctx.conn, entity_pk, after_name, limit + 1)
        if project_readable(ctx.conn, ctx.principal, row)
    ]
    page = rows[:limit]
    edges = [{"node": project_node(row), "cursor": encode_name_cursor(row["name"])} for row in page]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None
    )


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
    filters: str | None = None,
    order: str | None = None,
    **_args: object,
) -> Node:
    """An entity's projects (an org entity's registries, with optional ``filters`` and
    ``order``)."""
    return project_connection(request_context(info), node_pk(obj), first, after, filters, order)


@entity.field("project")
def resolve_entity_project(
    obj: Node, info: GraphQLResolveInfo, name: str | None = None
) -> Node | None:
    """One of an entity's projects by name."""
    if name is None:
        return None
    ctx = request_context(info)
    row = find_project(ctx.conn, str(obj["name"]), name)
    if row is None or not project_readable(ctx.conn, ctx.principal, row):
        return None
    return project_node(row)


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
    existing = find_project(ctx.conn, entity_name, str(name))
    if existing is not None:
        check_project_readable(ctx.conn, ctx.principal, existing)
    inserted = existing is None
    row = get_or_create_project(ctx.conn, ctx.principal, entity_name, str(name))
    description = input.get("description")
    if description is not None:
        set_project_description(ctx.conn, int(row["pk"]), str(description))
    if is_registry(ctx.conn, row):
        _save_registry(ctx, row, input, inserted)
    row = find_project(ctx.conn, entity_name, str(name)) or row
    node = project_node(row)
    return {
        "project": node,
        "model": node,
        "entityName": entity_name,
        "inserted": inserted,
        "clientMutationId": input.get("clientMutationId"),
    }


def _save_registry(ctx: RequestContext, row: sqlite3.Row, input: Node, inserted: bool) -> None:
    types = input.get("artifactTypes") or []
    assert isinstance(types, list)
    allow_all = input.get("allowAllArtifactTypesInRegistry")
    access = input.get("access")
    save_registry_settings(
        ctx.conn,
        row,
        inserted=inserted,
        creator_pk=ctx.principal.user_pk,
        access=None if access is None else str(access),
        allow_all_types=None if allow_all is None else bool(allow_all),
        add_types=[str(t["name"]) for t in types],
    )


@mutation.field("renameProject")
def resolve_rename_project(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Give a project (a registry) another name."""
    ctx = request_context(info)
    entity_name = str(input["entityName"])
    writable_entity(ctx.conn, ctx.principal, entity_name)
    old = find_project(ctx.conn, entity_name, str(input["oldProjectName"]))
    if old is None or not project_readable(ctx.conn, ctx.principal, old):
        raise LookupError(f"project {entity_name}/{input['oldProjectName']} not found")
    row = rename_project(
        ctx.conn, entity_name, str(input["oldProjectName"]), str(input["newProjectName"])
    )
    node = project_node(row)
    return {
        "project": node,
        "model": node,
        "entityName": entity_name,
        "inserted": False,
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteModel")
def resolve_delete_model(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a registry (this server deletes no other kind of project)."""
    ctx = request_context(info)
    row = project_by_pk(ctx.conn, decode_node_id("Project", str(input["id"])))
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        raise LookupError(f"project {input['id']!r} not found")
    if not project_readable(ctx.conn, ctx.principal, row):
        raise LookupError(f"project {input['id']!r} not found")
    if not is_registry(ctx.conn, row):
        raise ValueError(
            f"deleteModel: this server deletes registries only, not project"
            f" {row['entity_name']}/{row['name']}"
        )
    writable_entity(ctx.conn, ctx.principal, str(row["entity_name"]))
    deleted = delete_registry(ctx.conn, row)
    ctx.after_commit.append(forget_versions(ctx.conn, ctx.state.artifact_blobs, deleted))
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [query, mutation, project, entity]
