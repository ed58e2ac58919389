"""Users and API keys: ``users(query)``, ``createUser``, ``generateApiKey``, ``deleteApiKey``
and ``User.apiKeys``. Searching and creating users needs an instance admin's key."""

from __future__ import annotations

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.ids import decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, connection_of, node_pk
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage.accounts import (
    create_user_with_email,
    delete_api_key,
    list_api_keys,
    new_api_key,
    require_admin,
    search_users,
)
from wandb_typed_server.storage.entities import user_row

DEFAULT_USER_PAGE = 100
MAX_USER_PAGE = 1000

query = QueryType()
mutation = MutationType()
user = ObjectType("User")


def _connection(edges: list[Node]) -> Node:
    return connection_of(edges, has_next_page=False, has_previous_page=False)


@query.field("users")
def resolve_users(
    _obj: object,
    info: GraphQLResolveInfo,
    query: str | None = None,
    first: int | None = None,
    **_args: object,
) -> Node:
    """Users whose username, name or email contains ``query`` (admin only)."""
    ctx = request_context(info)
    require_admin(ctx.principal, "users")
    limit = max(1, min(first or DEFAULT_USER_PAGE, MAX_USER_PAGE))
    rows = search_users(ctx.conn, query, limit)
    return _connection([{"node": user_node(row), "cursor": row["username"]} for row in rows])


@mutation.field("createUser")
def resolve_create_user(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A new user for an email (admin only); it has no API key until one is generated."""
    ctx = request_context(info)
    require_admin(ctx.principal, "createUser")
    user_pk = create_user_with_email(
        ctx.conn, str(input["email"]), is_admin=bool(input.get("admin"))
    )
    return {
        "user": user_node(user_row(ctx.conn, user_pk)),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("generateApiKey")
def resolve_generate_api_key(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A new key for the caller. ``apiKey.name`` is the secret: shown this once only."""
    ctx = request_context(info)
    description = input.get("description")
    key = new_api_key(
        ctx.conn, ctx.principal.user_pk, None if description is None else str(description)
    )
    return {
        "apiKey": {
            "id": encode_node_id("ApiKey", key.key_pk),
            "name": key.secret,
            "description": key.description,
            "ips": [],
            "rateLimit": None,
        },
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteApiKey")
def resolve_delete_api_key(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a key by id (its owner or an admin)."""
    ctx = request_context(info)
    key_id = input.get("id")
    if not key_id:
        raise ValueError("deleteApiKey needs the id of the key")
    deleted = delete_api_key(ctx.conn, ctx.principal, decode_node_id("ApiKey", str(key_id)))
    return {"success": deleted, "clientMutationId": input.get("clientMutationId")}


@user.field("apiKeys")
def resolve_api_keys(obj: Node, info: GraphQLResolveInfo, **_args: object) -> Node:
    """A user's keys by public name; only the user and admins see them."""
    ctx = request_context(info)
    user_pk = node_pk(obj)
    if user_pk != ctx.principal.user_pk and not ctx.principal.is_admin:
        return _connection([])
    rows = list_api_keys(ctx.conn, user_pk)
    return _connection(
        [
            {
                "node": {
                    "id": encode_node_id("ApiKey", int(row["pk"])),
                    "name": row["name"],
                    "description": row["description"],
                    "ips": [],
                    "rateLimit": None,
                },
                "cursor": str(row["pk"]),
            }
            for row in rows
        ]
    )


BINDABLES: list[SchemaBindable] = [query, mutation, user]
