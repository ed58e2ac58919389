"""W&B Launch over GraphQL: default resource configs, run queues and their items, and the
protocol of wandb's launch agent (register, heartbeat, pop, ack, fail, warn).

Queues are read as ``project.runQueue(name)`` / ``project.runQueues``; items as
``runQueue.runQueueItem(id)`` / ``runQueueItems``; configs as
``entity.defaultResourceConfig(id)``; agents as ``launchAgent(id)``. Writes need write access
to the queue's entity; reads, read access (a hidden queue looks missing).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ariadne import MutationType, ObjectType, QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import MalformedIdError, decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, connection_of, node_pk
from wandb_typed_server.storage import launch as store
from wandb_typed_server.storage.entities import readable_entity, writable_entity
from wandb_typed_server.storage.projects import get_or_create_project, project_by_pk

query = QueryType()
mutation = MutationType()
project = ObjectType("Project")
entity = ObjectType("Entity")
run_queue = ObjectType("RunQueue")

QUEUE, ITEM, AGENT, CONFIG = "RunQueue", "RunQueueItem", "LaunchAgent", "DefaultResourceConfig"
MAX_ITEMS_PAGE = 1000


# -- nodes -------------------------------------------------------------------------------


def queue_node(row: sqlite3.Row) -> Node:
    """A RunQueue object."""
    config_pk = row["resource_config_pk"]
    return {
        "_pk": row["pk"],
        "_project_pk": row["project_pk"],
        "id": encode_node_id(QUEUE, int(row["pk"])),
        "name": row["name"],
        "access": row["access"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "createdBy": row["created_by"],
        "defaultResourceConfigID": None
        if config_pk is None
        else encode_node_id(CONFIG, int(config_pk)),
        "executorInfo": "",
        "prioritizationMode": row["prioritization_mode"],
        "externalLinks": row["external_links"],
    }


def item_node(conn: sqlite3.Connection, queue: sqlite3.Row, row: sqlite3.Row) -> Node:
    """A RunQueueItem object; its runSpec is what an agent gets (the queue's resource)."""
    agent_pk = row["agent_pk"]
    return {
        "_pk": row["pk"],
        "id": encode_node_id(ITEM, int(row["pk"])),
        "state": row["state"],
        "associatedRunId": row["associated_run_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "launchAgentId": None if agent_pk is None else encode_node_id(AGENT, int(agent_pk)),
        "runSpec": store.effective_spec(conn, queue, row),
        "priority": row["priority"],
        "templateVariableValues": row["template_values"],
        "error": None if row["error"] is None else json.loads(row["error"]),
        "warnings": json.loads(row["warnings"]),
    }


def config_node(row: sqlite3.Row) -> Node:
    """A DefaultResourceConfig object."""
    variables: dict[str, Any] = json.loads(row["template_variables"])
    return {
        "id": encode_node_id(CONFIG, int(row["pk"])),
        "resource": row["resource"],
        "config": json.loads(row["config"]),
        "scope": "ENTITY",
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "templateVariables": [
            {"name": name, "schema": json.dumps(spec.get("schema", spec))}
            for name, spec in variables.items()
        ],
    }


def agent_node(row: sqlite3.Row) -> Node:
    """A LaunchAgent object."""
    return {
        "id": encode_node_id(AGENT, int(row["pk"])),
        "name": row["name"],
        "hostname": row["hostname"],
        "agentStatus": row["agent_status"],
        "runQueues": json.loads(row["run_queues"]),
        "stopPolling": bool(row["stop_polling"]),
        "heartbeatAt": row["heartbeat_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


# -- access ------------------------------------------------------------------------------


def _pk(type_name: str, node_id: object) -> int:
    try:
        return decode_node_id(type_name, str(node_id))
    except MalformedIdError:
        raise ValueError(f"malformed {type_name} id {node_id!r}") from None


def _writable_queue(ctx: RequestContext, queue_pk: int, operation: str) -> sqlite3.Row:
    """The queue, if the caller may write to its entity (else an error naming the operation)."""
    queue = store.queue_by_pk(ctx.conn, queue_pk)
    owner = None if queue is None else project_by_pk(ctx.conn, int(queue["project_pk"]))
    if queue is None or owner is None:
        raise LookupError(f"{operation}: no run queue with id {encode_node_id(QUEUE, queue_pk)}")
    writable_entity(ctx.conn, ctx.principal, str(owner["entity_name"]))
    return queue


def _writable_item(
    ctx: RequestContext, item_id: object, operation: str
) -> tuple[sqlite3.Row, sqlite3.Row]:
    item = store.item_row(ctx.conn, _pk(ITEM, item_id))
    if item is None:
        raise LookupError(f"{operation}: no run queue item with id {item_id}")
    return _writable_queue(ctx, int(item["queue_pk"]), operation), item


def _project_for_write(
    ctx: RequestContext, entity_name: object, project_name: object
) -> sqlite3.Row:
    return get_or_create_project(ctx.conn, ctx.principal, str(entity_name), str(project_name))


def _queue_by_name(
    ctx: RequestContext, entity_name: object, project_name: object, queue_name: object, op: str
) -> sqlite3.Row:
    owner = _project_for_write(ctx, entity_name, project_name)
    queue = store.queue_by_name(ctx.conn, int(owner["pk"]), str(queue_name))
    if queue is None:
        raise LookupError(f"{op}: no run queue {entity_name}/{project_name}/{queue_name}")
    return queue


# -- reads -------------------------------------------------------------------------------


@project.field("runQueue")
def resolve_run_queue(obj: Node, info: GraphQLResolveInfo, name: str) -> Node | None:
    """The project's queue called ``name``, or null."""
    row = store.queue_by_name(request_context(info).conn, node_pk(obj), name)
    return None if row is None else queue_node(row)


@project.field("runQueues")
def resolve_run_queues(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """The project's queues in creation order."""
    return [
        queue_node(row) for row in store.project_queues(request_context(info).conn, node_pk(obj))
    ]


@project.field("launchAgents")
def resolve_launch_agents(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """The agents registered in the project."""
    rows = request_context(info).conn.execute(
        "SELECT * FROM launch_agents WHERE project_pk = ? ORDER BY pk", (node_pk(obj),)
    )
    return [agent_node(row) for row in rows]


@run_queue.field("runQueueItem")
def resolve_run_queue_item(obj: Node, info: GraphQLResolveInfo, id: str) -> Node | None:
    """One item of the queue by id, or null."""
    conn = request_context(info).conn
    try:
        row = store.item_row(conn, decode_node_id(ITEM, id))
    except MalformedIdError:
        return None
    if row is None or int(row["queue_pk"]) != node_pk(obj):
        return None
    queue = store.queue_by_pk(conn, node_pk(obj))
    assert queue is not None
    return item_node(conn, queue, row)


@run_queue.field("runQueueItems")
def resolve_run_queue_items(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: Any,
) -> Node:
    """The queue's items in push order (pages of ``first``, default all up to 1,000)."""
    conn = request_context(info).conn
    queue = store.queue_by_pk(conn, node_pk(obj))
    assert queue is not None
    limit = max(1, min(first or MAX_ITEMS_PAGE, MAX_ITEMS_PAGE))
    after_pk = _pk(ITEM, after) if after else 0
    rows = store.queue_items(conn, node_pk(obj), after_pk, limit + 1)
    page = rows[:limit]
    edges = [
        {"node": item_node(conn, queue, row), "cursor": encode_node_id(ITEM, int(row["pk"]))}
        for row in page
    ]
    return connection_of(edges, has_next_page=len(rows) > limit, has_previous_page=after_pk > 0)


@entity.field("defaultResourceConfig")
def resolve_default_resource_config(obj: Node, info: GraphQLResolveInfo, id: str) -> Node | None:
    """One of the entity's default resource configs, or null."""
    try:
        pk = decode_node_id(CONFIG, id)
    except MalformedIdError:
        return None
    row = store.resource_config_row(request_context(info).conn, pk)
    if row is None or int(row["entity_pk"]) != node_pk(obj):
        return None
    return config_node(row)


@entity.field("defaultResourceConfigs")
def resolve_default_resource_configs(obj: Node, info: GraphQLResolveInfo, **_: Any) -> Node:
    """All of the entity's default resource configs (one page)."""
    rows = request_context(info).conn.execute(
        "SELECT * FROM default_resource_configs WHERE entity_pk = ? ORDER BY pk", (node_pk(obj),)
    )
    edges = [{"node": config_node(row), "cursor": str(row["pk"])} for row in rows]
    return {
        "edges": edges,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
    }


@query.field("launchAgent")
def resolve_launch_agent(_obj: object, info: GraphQLResolveInfo, id: str) -> Node | None:
    """An agent the caller can see, or null."""
    ctx = request_context(info)
    try:
        row = store.agent_row(ctx.conn, decode_node_id(AGENT, id))
    except MalformedIdError:
        return None
    owner = None if row is None else project_by_pk(ctx.conn, int(row["project_pk"]))
    if row is None or owner is None:
        return None
    if readable_entity(ctx.conn, ctx.principal, str(owner["entity_name"])) is None:
        return None
    return agent_node(row)


# -- queue writes ------------------------------------------------------------------------


@mutation.field("createDefaultResourceConfig")
def resolve_create_default_resource_config(
    _obj: object, info: GraphQLResolveInfo, input: Node
) -> Node:
    """A default resource config of the entity (``config``: ``{"resource_args": {...}}``)."""
    ctx = request_context(info)
    owner = writable_entity(ctx.conn, ctx.principal, str(input["entityName"]))
    template_variables = input.get("templateVariables")
    pk = store.create_resource_config(
        ctx.conn,
        int(owner["pk"]),
        str(input["resource"]),
        str(input["config"]),
        None if template_variables is None else str(template_variables),
    )
    return {
        "success": True,
        "defaultResourceConfigID": encode_node_id(CONFIG, pk),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("createRunQueue")
def resolve_create_run_queue(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A new queue in ``entityName/projectName`` (the project is created when missing)."""
    ctx = request_context(info)
    owner = _project_for_write(ctx, input["entityName"], input["projectName"])
    config_id = input.get("defaultResourceConfigID")
    config_pk = None if config_id is None else _pk(CONFIG, config_id)
    if config_pk is not None:
        config = store.resource_config_row(ctx.conn, config_pk)
        if config is None or int(config["entity_pk"]) != int(owner["entity_pk"]):
            raise LookupError(f"createRunQueue: no default resource config {config_id}")
    pk = store.create_queue(
        ctx.conn,
        int(owner["pk"]),
        str(input["queueName"]),
        access=str(input["access"]),
        prioritization_mode=input.get("prioritizationMode"),  # type: ignore[arg-type]
        resource_config_pk=config_pk,
        created_by=ctx.principal.user_pk,
    )
    return {
        "success": True,
        "queueID": encode_node_id(QUEUE, pk),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("upsertRunQueue")
def resolve_upsert_run_queue(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Create or update a queue and its default resource config; what is wrong with the config
    comes back in ``configSchemaValidationErrors`` (it is saved all the same)."""
    ctx = request_context(info)
    owner = _project_for_write(ctx, input["entityName"], input["projectName"])
    template_variables, links = input.get("templateVariables"), input.get("externalLinks")
    _queue_pk, problems = store.upsert_queue(
        ctx.conn,
        int(owner["pk"]),
        int(owner["entity_pk"]),
        str(input["queueName"]),
        resource_type=str(input["resourceType"]),
        resource_config_json=str(input["resourceConfig"]),
        template_variables_json=None if template_variables is None else str(template_variables),
        prioritization_mode=input.get("prioritizationMode"),  # type: ignore[arg-type]
        external_links_json=None if links is None else str(links),
        created_by=ctx.principal.user_pk,
    )
    return {
        "success": True,
        "configSchemaValidationErrors": problems,
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteRunQueues")
def resolve_delete_run_queues(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete queues (and their items)."""
    ctx = request_context(info)
    ids = input.get("queueIDs")
    pks = [_pk(QUEUE, queue_id) for queue_id in (ids if isinstance(ids, list) else [])]
    for pk in pks:
        _writable_queue(ctx, pk, "deleteRunQueues")
    deleted = store.delete_queues(ctx.conn, pks)
    return {"success": deleted == len(pks), "clientMutationId": input.get("clientMutationId")}


# -- items -------------------------------------------------------------------------------


def _push(ctx: RequestContext, queue: sqlite3.Row, input: Node) -> Node:
    values, priority = input.get("templateVariableValues"), input.get("priority")
    pk = store.push_item(
        ctx.conn,
        queue,
        str(input["runSpec"]),
        template_values_json=None if values is None else str(values),
        priority=None if priority is None else int(priority),  # type: ignore[call-overload]
    )
    row = store.item_row(ctx.conn, pk)
    assert row is not None
    return {
        "runQueueItemId": encode_node_id(ITEM, pk),
        "runSpec": json.dumps(store.effective_spec(ctx.conn, queue, row)),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("pushToRunQueueByName")
def resolve_push_by_name(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Enqueue a launch spec on ``entityName/projectName/queueName``; the reply's runSpec has
    the queue's resource type and arguments filled in."""
    ctx = request_context(info)
    queue = _queue_by_name(
        ctx, input["entityName"], input["projectName"], input["queueName"], "pushToRunQueueByName"
    )
    return _push(ctx, queue, input)


@mutation.field("pushToRunQueue")
def resolve_push(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Enqueue a launch spec on the queue ``queueID``."""
    ctx = request_context(info)
    queue = _writable_queue(ctx, _pk(QUEUE, input["queueID"]), "pushToRunQueue")
    return _push(ctx, queue, input)


@mutation.field("popFromRunQueue")
def resolve_pop(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node | None:
    """Lease the next pending item to the agent; null when the queue has none (what the
    agent's poll expects)."""
    ctx = request_context(info)
    queue = _queue_by_name(
        ctx, input["entityName"], input["projectName"], input["queueName"], "popFromRunQueue"
    )
    agent_id = input.get("launchAgentId")
    agent_pk = None if agent_id is None else _pk(AGENT, agent_id)
    if agent_pk is not None:
        store.update_agent(ctx.conn, agent_pk)
    row = store.pop_item(ctx.conn, queue, agent_pk)
    if row is None:
        return None
    return {
        "runQueueItemId": encode_node_id(ITEM, int(row["pk"])),
        "runSpec": store.effective_spec(ctx.conn, queue, row),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("ackRunQueueItem")
def resolve_ack(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """The agent started ``runName`` for a leased item: the item is CLAIMED by that run
    (``success`` false when the item was not leased, e.g. acked twice)."""
    ctx = request_context(info)
    _queue, item = _writable_item(ctx, input["runQueueItemId"], "ackRunQueueItem")
    acked = store.ack_item(ctx.conn, int(item["pk"]), str(input["runName"]))
    return {"success": acked, "clientMutationId": input.get("clientMutationId")}


@mutation.field("failRunQueueItem")
def resolve_fail(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """The item failed (its message, stage and error files are kept)."""
    ctx = request_context(info)
    _queue, item = _writable_item(ctx, input["runQueueItemId"], "failRunQueueItem")
    error = {key: input.get(key) for key in ("message", "stage", "filePaths", "info")}
    return {
        "success": store.fail_item(ctx.conn, int(item["pk"]), error),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("updateRunQueueItemWarning")
def resolve_warning(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Record a warning an agent raised while running an item."""
    ctx = request_context(info)
    _queue, item = _writable_item(ctx, input["runQueueItemId"], "updateRunQueueItemWarning")
    warning = {key: input.get(key) for key in ("message", "stage", "filePaths")}
    return {
        "success": store.add_item_warning(ctx.conn, int(item["pk"]), warning),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteFromRunQueue")
def resolve_delete_item(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Remove an item from its queue."""
    ctx = request_context(info)
    queue = _writable_queue(ctx, _pk(QUEUE, input["queueID"]), "deleteFromRunQueue")
    deleted = store.delete_item(ctx.conn, int(queue["pk"]), _pk(ITEM, input["runQueueItemId"]))
    return {"success": deleted, "clientMutationId": input.get("clientMutationId")}


# -- agents ------------------------------------------------------------------------------


@mutation.field("createLaunchAgent")
def resolve_create_agent(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Register an agent polling queues of ``entityName/projectName``."""
    ctx = request_context(info)
    owner = _project_for_write(ctx, input["entityName"], input["projectName"])
    queue_ids = [str(queue_id) for queue_id in input.get("runQueues") or []]  # type: ignore[attr-defined]
    for queue_id in queue_ids:
        queue = store.queue_by_pk(ctx.conn, _pk(QUEUE, queue_id))
        if queue is None or int(queue["project_pk"]) != int(owner["pk"]):
            raise LookupError(f"createLaunchAgent: no run queue {queue_id} in the project")
    config, version = input.get("agentConfig"), input.get("version")
    pk = store.create_agent(
        ctx.conn,
        int(owner["pk"]),
        hostname=str(input["hostname"]),
        queue_ids=queue_ids,
        agent_config=None if config is None else str(config),
        version=None if version is None else str(version),
    )
    return {
        "success": True,
        "launchAgentId": encode_node_id(AGENT, pk),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("updateLaunchAgent")
def resolve_update_agent(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """An agent's heartbeat and status change."""
    ctx = request_context(info)
    pk = _pk(AGENT, input["launchAgentId"])
    row = store.agent_row(ctx.conn, pk)
    owner = None if row is None else project_by_pk(ctx.conn, int(row["project_pk"]))
    if owner is None:
        raise LookupError(f"updateLaunchAgent: no launch agent {input['launchAgentId']}")
    writable_entity(ctx.conn, ctx.principal, str(owner["entity_name"]))
    queues = input.get("runQueues")
    stop = input.get("stopPolling")
    updated = store.update_agent(
        ctx.conn,
        pk,
        status=None if input.get("agentStatus") is None else str(input["agentStatus"]),
        name=None if input.get("name") is None else str(input["name"]),
        queue_ids=None if queues is None else [str(q) for q in queues],  # type: ignore[attr-defined]
        stop_polling=None if stop is None else bool(stop),
    )
    return {"success": updated, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [query, mutation, project, entity, run_queue]
