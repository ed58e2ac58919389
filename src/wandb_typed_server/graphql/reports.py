"""Reports, stored as views: ``upsertView`` (create or update), ``Project.allViews``
(filtered by ``viewType``/``viewName``, newest first, with cursors), ``Query.view(id)`` and
``deleteView``.

A report's id is its node id (``Vmlldzox`` is ``View:1`` in base64, ``=`` padding dropped:
W&B's report URLs end ``Title--Vmlldzox``); ``view(id)`` accepts it with or without padding.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    MalformedIdError,
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of, node_int, node_pk
from wandb_typed_server.graphql.projects import project_node_by_pk
from wandb_typed_server.graphql.viewer import entity_node, user_node
from wandb_typed_server.storage.entities import (
    entity_by_pk,
    readable_entity,
    user_row,
    writable_entity,
)
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.views import (
    delete_view,
    insert_view,
    list_views,
    update_view,
    view_by_pk,
)

DEFAULT_VIEW_PAGE = 50
MAX_VIEW_PAGE = 1000
_NAME_ALPHABET = string.ascii_lowercase + string.digits

query = QueryType()
mutation = MutationType()
project = ObjectType("Project")
view = ObjectType("View")


def view_id(pk: int) -> str:
    """A view's public id: its node id without base64 padding (as in report URLs).

    >>> view_id(1)
    'Vmlldzox'
    """
    return encode_node_id("View", pk).rstrip("=")


def decode_view_id(text: str) -> int:
    """The primary key in a view id (padded or not).

    Raises:
        MalformedIdError: not a view id.
    """
    return decode_node_id("View", text + "=" * (-len(text) % 4))


def view_node(row: sqlite3.Row) -> Node:
    """A View object from a views row (joined with entity and project names)."""
    return {
        "_pk": int(row["pk"]),
        "_entity_pk": int(row["entity_pk"]),
        "_project_pk": row["project_pk"],
        "_user_pk": row["user_pk"],
        "id": view_id(int(row["pk"])),
        "name": row["name"],
        "displayName": row["display_name"],
        "description": row["description"],
        "type": row["type"],
        "spec": row["spec"],
        "entityName": row["entity_name"],
        "projectName": row["project_name"] or "",
        "projectId": row["project_pk"],
        "userId": row["user_pk"],
        "locked": bool(row["locked"]),
        "parentId": None if row["parent_pk"] is None else view_id(int(row["parent_pk"])),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "createdUsing": "WANDB_SDK",
        "accessTokens": [],
        "uploadHeaders": [],
        "starCount": 0,
        "viewCount": 0,
        "starred": False,
        "coverUrl": None,
        "previewUrl": None,
        "showcasedAt": None,
        "children": None,
        "alertSubscription": None,
    }


def _readable_view(ctx: RequestContext, pk: int) -> sqlite3.Row | None:
    row = view_by_pk(ctx.conn, pk)
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        return None
    return row


@query.field("view")
def resolve_view(_obj: object, info: GraphQLResolveInfo, id: str, **_args: object) -> Node | None:
    """One view by id (null when missing, malformed or not visible)."""
    try:
        pk = decode_view_id(id)
    except MalformedIdError:
        return None
    row = _readable_view(request_context(info), pk)
    return None if row is None else view_node(row)


@project.field("allViews")
def resolve_all_views(
    obj: Node,
    info: GraphQLResolveInfo,
    viewType: str | None = None,
    viewName: str | None = None,
    first: int | None = None,
    after: str | None = None,
    **_args: object,
) -> Node:
    """A page of the project's views (of ``viewType``, named ``viewName``), newest first."""
    ctx = request_context(info)
    limit = max(1, min(first or DEFAULT_VIEW_PAGE, MAX_VIEW_PAGE))
    before = int(decode_name_cursor(after)) if after else None
    rows = list_views(
        ctx.conn, node_pk(obj), view_type=viewType, name=viewName, before_pk=before, limit=limit + 1
    )
    page = rows[:limit]
    edges = [{"node": view_node(row), "cursor": encode_name_cursor(str(row["pk"]))} for row in page]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None
    )


@view.field("user")
@view.field("updatedBy")
def resolve_view_user(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user who saved the view."""
    if obj["_user_pk"] is None:
        return None
    return user_node(user_row(request_context(info).conn, node_int(obj, "_user_pk")))


@view.field("project")
def resolve_view_project(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The view's project (null for an entity-level view)."""
    if obj["_project_pk"] is None:
        return None
    return project_node_by_pk(request_context(info), node_int(obj, "_project_pk"))


@view.field("entity")
def resolve_view_entity(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The entity owning the view."""
    return entity_node(entity_by_pk(request_context(info).conn, node_int(obj, "_entity_pk")))


def _spec_text(spec: object) -> str:
    """A spec as stored: JSON text (an error names ``spec`` otherwise)."""
    text = spec if isinstance(spec, str) else json.dumps(spec)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"upsertView 'spec' is not valid JSON: {exc}") from exc
    return text


def _create_view(ctx: RequestContext, input: Node) -> int:
    entity_name = str(input.get("entityName") or ctx.principal.username)
    entity_row = writable_entity(ctx.conn, ctx.principal, entity_name)
    project_pk = None
    if input.get("projectName"):
        project_row = get_or_create_project(
            ctx.conn, ctx.principal, entity_name, str(input["projectName"])
        )
        project_pk = int(project_row["pk"])
    parent_pk = decode_view_id(str(input["parentId"])) if input.get("parentId") else None
    name = input.get("name") or "".join(secrets.choice(_NAME_ALPHABET) for _ in range(12))
    return insert_view(
        ctx.conn,
        entity_pk=int(entity_row["pk"]),
        project_pk=project_pk,
        name=str(name),
        view_type=str(input.get("type") or "runs"),
        spec=_spec_text(input.get("spec") or "{}"),
        user_pk=ctx.principal.user_pk,
        display_name=None if input.get("displayName") is None else str(input["displayName"]),
        description=None if input.get("description") is None else str(input["description"]),
        parent_pk=parent_pk,
    )


def _writable_view(ctx: RequestContext, text: str) -> sqlite3.Row:
    row = view_by_pk(ctx.conn, decode_view_id(text))
    if row is None:
        raise LookupError(f"view {text!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    return row


@mutation.field("upsertView")
def resolve_upsert_view(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Create a view (no ``id``) or update one (name, display name, description, type, spec,
    locked)."""
    ctx = request_context(info)
    if input.get("id"):
        row = _writable_view(ctx, str(input["id"]))
        pk = int(row["pk"])
        changes: dict[str, object] = {}
        for field, column in (
            ("name", "name"),
            ("displayName", "display_name"),
            ("description", "description"),
            ("type", "type"),
        ):
            if input.get(field) is not None:
                changes[column] = str(input[field])
        if input.get("spec") is not None:
            changes["spec"] = _spec_text(input["spec"])
        if input.get("locked") is not None:
            changes["locked"] = int(bool(input["locked"]))
        if changes:
            update_view(ctx.conn, pk, changes)
        inserted = False
    else:
        pk = _create_view(ctx, input)
        inserted = True
    stored = view_by_pk(ctx.conn, pk)
    assert stored is not None
    return {
        "view": view_node(stored),
        "inserted": inserted,
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteView")
def resolve_delete_view(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a view (and its drafts)."""
    ctx = request_context(info)
    if not input.get("id"):
        raise ValueError("deleteView needs the view 'id'")
    row = _writable_view(ctx, str(input["id"]))
    delete_view(ctx.conn, int(row["pk"]))
    return {
        "success": True,
        "pendingDrafts": False,
        "clientMutationId": input.get("clientMutationId"),
    }


BINDABLES: list[SchemaBindable] = [query, mutation, project, view]
