"""Custom chart presets: ``createCustomChart`` and ``Query.customChart(id)``.

A preset's id is ``entity/name`` (what ``wandb.plot_table(vega_spec_name=...)`` takes).
"""

from __future__ import annotations

import json
import re
import sqlite3

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.nodes import Node, node_int
from wandb_typed_server.graphql.viewer import entity_node, user_node
from wandb_typed_server.storage.custom_charts import find_chart, insert_chart
from wandb_typed_server.storage.entities import (
    entity_by_pk,
    readable_entity,
    user_row,
    writable_entity,
)

CHART_TYPES = ("vega2",)
ACCESS_LEVELS = ("PRIVATE", "PUBLIC")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

query = QueryType()
mutation = MutationType()
chart = ObjectType("CustomChart")


def chart_node(row: sqlite3.Row) -> Node:
    """A CustomChart object from a custom_charts row."""
    return {
        "_entity_pk": int(row["entity_pk"]),
        "_user_pk": int(row["user_pk"]),
        "id": f"{row['entity_name']}/{row['name']}",
        "name": row["name"],
        "displayName": row["display_name"],
        "type": row["type"],
        "access": row["access"],
        "spec": row["spec"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


@chart.field("entity")
def resolve_chart_entity(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The entity owning the preset."""
    return entity_node(entity_by_pk(request_context(info).conn, node_int(obj, "_entity_pk")))


@chart.field("user")
def resolve_chart_user(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The user who created the preset."""
    return user_node(user_row(request_context(info).conn, node_int(obj, "_user_pk")))


@query.field("customChart")
def resolve_custom_chart(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """One preset by id (``entity/name``), or null."""
    ctx = request_context(info)
    entity_name, _, name = id.partition("/")
    if readable_entity(ctx.conn, ctx.principal, entity_name) is None:
        return None
    row = find_chart(ctx.conn, entity_name, name)
    return None if row is None else chart_node(row)


@mutation.field("createCustomChart")
def resolve_create_custom_chart(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Save a preset; a taken name, an unknown ``type`` or ``access``, or a spec that is not
    JSON is refused with an error naming it."""
    ctx = request_context(info)
    entity_name, name = str(input["entity"]), str(input["name"])
    if not _NAME.match(name):
        raise ValueError(
            f"createCustomChart 'name': {name!r} must be letters, digits, '-', '_' or '.'"
        )
    chart_type = str(input["type"])
    if chart_type not in CHART_TYPES:
        raise ValueError(
            f"createCustomChart 'type': {chart_type!r} is not one of {', '.join(CHART_TYPES)}"
        )
    access = str(input["access"]).upper()
    if access not in ACCESS_LEVELS:
        raise ValueError(
            f"createCustomChart 'access': {input['access']!r} is not one of "
            f"{', '.join(ACCESS_LEVELS)}"
        )
    spec = input["spec"]
    text = spec if isinstance(spec, str) else json.dumps(spec)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"createCustomChart 'spec' is not valid JSON: {exc}") from exc
    entity_row = writable_entity(ctx.conn, ctx.principal, entity_name)
    if find_chart(ctx.conn, entity_name, name) is not None:
        raise ValueError(f"createCustomChart 'name': {entity_name}/{name} already exists")
    insert_chart(
        ctx.conn,
        entity_pk=int(entity_row["pk"]),
        name=name,
        display_name=str(input["displayName"]),
        chart_type=chart_type,
        access=access,
        spec=text,
        user_pk=ctx.principal.user_pk,
    )
    row = find_chart(ctx.conn, entity_name, name)
    assert row is not None
    return {"chart": chart_node(row), "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [query, mutation, chart]
