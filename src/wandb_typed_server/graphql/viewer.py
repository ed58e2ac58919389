"""The viewer (the key's user), users and entities (users and teams)."""

from __future__ import annotations

import sqlite3

from ariadne import ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.ids import encode_node_id
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk
from wandb_typed_server.storage.entities import readable_entity, team_names, user_row

query = QueryType()
user = ObjectType("User")
entity = ObjectType("Entity")


def user_node(row: sqlite3.Row) -> Node:
    """A User object from a users row (the personal entity has the username as its name)."""
    return {
        "_pk": row["pk"],
        "id": encode_node_id("User", int(row["pk"])),
        "name": row["name"],
        "username": row["username"],
        "email": row["email"],
        "entity": row["username"],
        "admin": bool(row["is_admin"]),
        "createdAt": row["created_at"],
        "flags": "{}",
        "photoUrl": None,
        "private": False,
        "hideTeamsFromPublic": False,
        "signupRequired": False,
        "photoUploadUrl": "",
        "uploadHeaders": [],
        "emails": [],
        "organizations": [],
    }


def entity_node(row: sqlite3.Row) -> Node:
    """An Entity object from an entities row."""
    return {
        "_pk": row["pk"],
        "_user_pk": row["user_pk"],
        "id": encode_node_id("Entity", int(row["pk"])),
        "name": row["name"],
        "isTeam": bool(row["is_team"]),
        "entityType": "TEAM" if row["is_team"] else "USER",
        "createdAt": row["created_at"],
        "available": True,
        "readOnly": False,
        "readOnlyAdmin": False,
        "privateOnly": False,
        "codeSavingEnabled": False,
        "defaultAccess": "PRIVATE",
        "photoUrl": None,
        "photoUploadUrl": "",
        "uploadHeaders": [],
        "storageBytes": 0,
        "referenceBytes": 0,
        "organization": None,
        "isPaid": False,
    }


@query.field("viewer")
def resolve_viewer(_obj: object, info: GraphQLResolveInfo, **_args: object) -> Node:
    """The user the API key belongs to."""
    ctx = request_context(info)
    return user_node(user_row(ctx.conn, ctx.principal.user_pk))


@query.field("entity")
def resolve_entity(
    _obj: object, info: GraphQLResolveInfo, name: str | None = None, **_args: object
) -> Node | None:
    """An entity the caller can see (their own when no name is given)."""
    ctx = request_context(info)
    row = readable_entity(ctx.conn, ctx.principal, name or ctx.principal.username)
    return None if row is None else entity_node(row)


@user.field("teams")
def resolve_teams(obj: Node, info: GraphQLResolveInfo, **_args: object) -> Node:
    """The user's entities as one unpaged connection: their personal entity first (as W&B
    lists it), then the teams they belong to."""
    ctx = request_context(info)
    names = [str(obj["username"]), *team_names(ctx.conn, node_pk(obj))]
    edges = [
        {"node": entity_node(row), "cursor": row["name"]}
        for name in names
        if (row := readable_entity(ctx.conn, ctx.principal, name)) is not None
    ]
    return {"edges": edges, "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}}


@user.field("defaultEntity")
@user.field("userEntity")
def resolve_user_entity(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user's personal entity."""
    ctx = request_context(info)
    row = readable_entity(ctx.conn, ctx.principal, str(obj["username"]))
    return None if row is None else entity_node(row)


@entity.field("user")
def resolve_entity_user(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The owning user of a personal entity (None for teams)."""
    if obj["_user_pk"] is None:
        return None
    return user_node(user_row(request_context(info).conn, node_int(obj, "_user_pk")))


BINDABLES: list[SchemaBindable] = [query, user, entity]
