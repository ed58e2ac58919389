"""Project creation (``upsertModel``) and the project's sweep listing.

``Project.sweeps``/``totalSweeps`` answer an empty connection until this server stores
sweeps; the official client and ours then list no sweeps instead of failing.
"""

from __future__ import annotations

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.nodes import Node
from wandb_typed_server.graphql.projects import project_node
from wandb_typed_server.storage.projects import (
    find_project,
    get_or_create_project,
    set_project_description,
)

mutation = MutationType()
project = ObjectType("Project")


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


@project.field("sweeps")
def resolve_sweeps(_obj: Node, _info: GraphQLResolveInfo, **_args: object) -> Node:
    """The project's sweeps: none yet on this server."""
    return {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


@project.field("totalSweeps")
def resolve_total_sweeps(_obj: Node, _info: GraphQLResolveInfo) -> int:
    """How many sweeps the project has: none yet on this server."""
    return 0


BINDABLES: list[SchemaBindable] = [mutation, project]
