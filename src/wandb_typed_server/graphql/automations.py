"""Automations: integrations (``Entity.integrations``, ``createGenericWebhookIntegration``,
``deleteIntegration``), team secrets (``insertSecret``, write-only) and triggers
(``createFilterTrigger``, ``updateFilterTrigger``, ``deleteTrigger``, ``Project.triggers``,
``ArtifactCollection.triggers`` and ``User.projects``, which wandb 0.31.0's
``Api.automations()`` walks), with each trigger's ``deliveries``.

Errors carry the HTTP status wandb's client acts on: 409 for a name taken
(``create_automation(fetch_existing=True)`` then reads the existing one), 404 for a missing
automation (``update_automation(create_missing=True)`` then creates it).
"""

from __future__ import annotations

import json
import sqlite3

from ariadne import InterfaceType, MutationType, ObjectType, SchemaBindable, UnionType
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import collection_node
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    MalformedIdError,
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of, node_pk
from wandb_typed_server.graphql.projects import project_node
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage import automations as store
from wandb_typed_server.storage.artifact_collections import collection_by_pk
from wandb_typed_server.storage.entities import (
    can_access,
    entity_by_pk,
    readable_entity,
    user_row,
    writable_entity,
)
from wandb_typed_server.storage.projects import project_by_pk
from wandb_typed_server.storage.registries import project_readable

INTEGRATION = "Integration"
TRIGGER = "Trigger"
DELIVERY = "TriggerDelivery"
_DEFAULT_PAGE = 50
_MAX_PAGE = 1000

mutation = MutationType()
entity = ObjectType("Entity")
project = ObjectType("Project")
user = ObjectType("User")
trigger = ObjectType("Trigger")
sequence = ObjectType("ArtifactSequence")
portfolio = ObjectType("ArtifactPortfolio")
integration_interface = InterfaceType("Integration")
scope_union = UnionType("TriggerScope")
action_union = UnionType("TriggeredAction")
condition_union = UnionType("TriggeringCondition")


@integration_interface.type_resolver
@scope_union.type_resolver
@action_union.type_resolver
@condition_union.type_resolver
def resolve_typename(obj: Node, *_args: object) -> object:
    """Interface and union members carry their type name."""
    return obj["__typename"]


# --- integrations ---------------------------------------------------------------------------


def integration_node(row: sqlite3.Row) -> Node:
    """A GenericWebhookIntegration or SlackIntegration (never its secrets)."""
    node: Node = {
        "_pk": row["pk"],
        "id": encode_node_id(INTEGRATION, int(row["pk"])),
        "createdAt": row["created_at"],
    }
    if row["kind"] == "SLACK":
        return node | {
            "__typename": "SlackIntegration",
            "teamName": row["team_name"],
            "channelName": row["channel_name"],
        }
    return node | {
        "__typename": "GenericWebhookIntegration",
        "name": row["name"],
        "urlEndpoint": row["url"],
    }


def _limit(first: int | None) -> int:
    return max(1, min(first or _DEFAULT_PAGE, _MAX_PAGE))


def _pk_cursor(after: str | None) -> int:
    return int(decode_name_cursor(after)) if after else 0


@entity.field("integrations")
def resolve_integrations(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """An entity's integrations, oldest first."""
    limit = _limit(first)
    rows = store.list_integrations(
        request_context(info).conn, node_pk(obj), _pk_cursor(after), limit + 1
    )
    edges: list[Node] = [
        {"node": integration_node(row), "cursor": encode_name_cursor(str(row["pk"]))}
        for row in rows[:limit]
    ]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None
    )


@entity.field("secretNames")
def resolve_secret_names(obj: Node, info: GraphQLResolveInfo) -> list[str]:
    """Names of the entity's team secrets; the values are never read back."""
    return store.secret_names(request_context(info).conn, node_pk(obj))


@mutation.field("createGenericWebhookIntegration")
def resolve_create_webhook(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A generic webhook of an entity: URL, and team secrets for signing and the bearer token."""
    ctx = request_context(info)
    owner = writable_entity(ctx.conn, ctx.principal, str(input["entityName"]))
    row = store.create_webhook_integration(
        ctx.conn,
        int(owner["pk"]),
        name=str(input["name"]),
        url=str(input["urlEndpoint"]),
        secret_ref=_optional_str(input.get("secretRef")),
        access_token_ref=_optional_str(input.get("accessTokenRef")),
    )
    return {"integration": integration_node(row), "clientMutationId": input.get("clientMutationId")}


@mutation.field("createSlackChannelIntegration")
def resolve_create_slack(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A Slack channel of an entity; its notifications go to the server's Slack URL."""
    ctx = request_context(info)
    owner = writable_entity(ctx.conn, ctx.principal, str(input["entityName"]))
    row = store.create_slack_integration(
        ctx.conn,
        int(owner["pk"]),
        team_name=str(input["teamName"]),
        channel_name=str(input["channelName"]),
    )
    return {"integration": integration_node(row), "clientMutationId": input.get("clientMutationId")}


def _optional_str(value: object) -> str | None:
    return str(value) if value else None


def _integration_pk(node_id: str) -> int:
    try:
        return decode_node_id(INTEGRATION, node_id)
    except MalformedIdError as exc:
        raise store.AutomationInputError(str(exc)) from exc


@mutation.field("deleteIntegration")
def resolve_delete_integration(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete an integration no automation uses."""
    ctx = request_context(info)
    pk = _integration_pk(str(input["id"]))
    row = store.integration_by_pk(ctx.conn, pk)
    if row is None or not can_access(
        ctx.conn, ctx.principal, entity_by_pk(ctx.conn, int(row["entity_pk"]))
    ):
        raise LookupError(f"integration {input['id']!r} not found")
    users = ctx.conn.execute(
        "SELECT name FROM triggers WHERE action_config LIKE ?", (f'%"{input["id"]}"%',)
    ).fetchall()
    if users:
        raise store.AutomationInputError(
            f"integration is used by automations {[str(r[0]) for r in users]}: delete them first"
        )
    ctx.conn.execute("DELETE FROM integrations WHERE pk = ?", (pk,))
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


@mutation.field("insertSecret")
def resolve_insert_secret(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Store a team secret (its value is never returned)."""
    ctx = request_context(info)
    owner = writable_entity(ctx.conn, ctx.principal, str(input["entityName"]))
    store.insert_secret(
        ctx.conn, int(owner["pk"]), str(input["secretName"]), str(input["secretValue"])
    )
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


# --- triggers -------------------------------------------------------------------------------


def _scope(ctx: RequestContext, scope_type: str, scope_pk: int) -> tuple[Node, int] | None:
    """The scope object of a trigger and its entity pk."""
    if scope_type == "PROJECT":
        row = project_by_pk(ctx.conn, scope_pk)
        if row is None:
            return None
        return project_node(row) | {"__typename": "Project"}, int(row["entity_pk"])
    collection = collection_by_pk(ctx.conn, scope_pk)
    if collection is None or collection["state"] != "READY":
        return None
    return collection_node(collection), int(collection["entity_pk"])


def _scope_pk(scope_type: str, scope_id: str) -> int:
    type_name = "Project" if scope_type == "PROJECT" else "ArtifactCollection"
    try:
        return decode_node_id(type_name, scope_id)
    except MalformedIdError as exc:
        raise store.AutomationInputError(
            f"scopeID {scope_id!r} is not the id of a {scope_type.lower()}"
        ) from exc


def _saved_filter(event_type: str, stored: str) -> str:
    """A trigger's filter as W&B answers it: a run event's as sent; an artifact event's
    Mongo filter wrapped as ``{"filter": "<the filter as JSON>"}`` (the client unwraps it when
    it re-sends the automation)."""
    if event_type in store.RUN_EVENTS:
        return stored
    return json.dumps({"filter": stored}, separators=(",", ":"))


def trigger_node(ctx: RequestContext, row: sqlite3.Row) -> Node:
    """A Trigger object from a triggers row."""
    scope = _scope(ctx, str(row["scope_type"]), int(row["scope_pk"]))
    return {
        "_pk": row["pk"],
        "_row": row,
        "_user_pk": row["user_pk"],
        "id": encode_node_id(TRIGGER, int(row["pk"])),
        "name": row["name"],
        "description": row["description"],
        "enabled": bool(row["enabled"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "scope": scope[0] if scope else None,
        "triggeringCondition": {
            "__typename": "FilterEventTriggeringCondition",
            "eventType": row["event_type"],
            "filter": _saved_filter(str(row["event_type"]), str(row["event_filter"])),
        },
    }


@trigger.field("triggeredAction")
def resolve_triggered_action(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The action, with its integration (secrets never included)."""
    row = obj["_row"]
    assert isinstance(row, sqlite3.Row)
    config = json.loads(row["action_config"])
    action = str(row["action_type"])
    conn = request_context(info).conn

    def integration(spec: dict[str, object]) -> Node | None:
        pk = _integration_pk(str(spec.get("integrationID")))
        found = store.integration_by_pk(conn, pk)
        return None if found is None else integration_node(found)

    if action == "GENERIC_WEBHOOK":
        spec = config["genericWebhookActionInput"]
        return {
            "__typename": "GenericWebhookTriggeredAction",
            "integration": integration(spec),
            "requestPayload": spec.get("requestPayload"),
        }
    if action == "NOTIFICATION":
        spec = config["notificationActionInput"]
        return {
            "__typename": "NotificationTriggeredAction",
            "integration": integration(spec),
            "title": spec.get("title"),
            "message": spec.get("message"),
            "severity": spec.get("severity"),
        }
    return {"__typename": "NoOpTriggeredAction", "noOp": True}


@trigger.field("createdBy")
def resolve_created_by(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user who created the automation."""
    pk = obj.get("_user_pk")
    return user_node(user_row(request_context(info).conn, pk)) if isinstance(pk, int) else None


@trigger.field("deliveries")
def resolve_deliveries(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """What the automation sent, or tried to send, for each event."""
    rows = store.deliveries_of(request_context(info).conn, node_pk(obj))
    return [
        {
            "id": encode_node_id(DELIVERY, int(row["pk"])),
            "eventType": row["event_type"],
            "status": row["status"],
            "attempts": row["attempts"],
            "lastStatusCode": row["last_status_code"],
            "lastError": row["last_error"],
            "payload": row["payload"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }
        for row in rows
    ]


@project.field("triggers")
def resolve_project_triggers(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """Automations scoped to the project or to one of its artifact collections."""
    ctx = request_context(info)
    return [trigger_node(ctx, row) for row in store.project_triggers(ctx.conn, node_pk(obj))]


@sequence.field("triggers")
@portfolio.field("triggers")
def resolve_collection_triggers(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """Automations scoped to this collection."""
    ctx = request_context(info)
    rows = ctx.conn.execute(
        "SELECT * FROM triggers WHERE scope_type = 'ARTIFACT_COLLECTION' AND scope_pk = ?"
        " AND pk > ? ORDER BY pk LIMIT ?",
        (node_pk(obj), _pk_cursor(after), _limit(first) + 1),
    ).fetchall()
    limit = _limit(first)
    edges: list[Node] = [
        {"node": trigger_node(ctx, row), "cursor": encode_name_cursor(str(row["pk"]))}
        for row in rows[:limit]
    ]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None
    )


@user.field("projects")
def resolve_viewer_projects(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_: object,
) -> Node:
    """Every project the caller may read (their own, their teams', their registries)."""
    ctx = request_context(info)
    limit = _limit(first)
    found: list[sqlite3.Row] = []
    after_pk = _pk_cursor(after)
    rows = ctx.conn.execute(
        "SELECT p.*, e.name AS entity_name FROM projects p JOIN entities e ON e.pk = p.entity_pk"
        " WHERE p.pk > ? AND p.pk NOT IN (SELECT project_pk FROM deleted_projects) ORDER BY p.pk",
        (after_pk,),
    ).fetchall()
    for row in rows:
        if len(found) > limit:
            break
        owner = entity_by_pk(ctx.conn, int(row["entity_pk"]))
        if can_access(ctx.conn, ctx.principal, owner) and _project_visible(ctx, int(row["pk"])):
            found.append(row)
    full = [project_by_pk(ctx.conn, int(row["pk"])) for row in found]
    edges: list[Node] = [
        {"node": project_node(row), "cursor": encode_name_cursor(str(row["pk"]))}
        for row in full[:limit]
        if row is not None
    ]
    return connection_of(
        edges, has_next_page=len(found) > limit, has_previous_page=after is not None
    )


def _project_visible(ctx: RequestContext, project_pk: int) -> bool:
    row = project_by_pk(ctx.conn, project_pk)
    return row is not None and project_readable(ctx.conn, ctx.principal, row)


def _action_config(input: Node) -> tuple[str, dict[str, object]]:
    action_type = str(input["triggeredActionType"])
    config = input.get("triggeredActionConfig")
    if not isinstance(config, dict):
        raise store.AutomationInputError("triggeredActionConfig is required")
    store.check_action(action_type, config)
    return action_type, {key: value for key, value in config.items() if value is not None}


def _check_integration(ctx: RequestContext, config: dict[str, object]) -> None:
    """Actions may use the integrations of any entity the caller belongs to (a registry's
    automation uses a team's webhook)."""
    for spec in config.values():
        if isinstance(spec, dict) and "integrationID" in spec:
            found = store.integration_by_pk(ctx.conn, _integration_pk(str(spec["integrationID"])))
            if found is None or not can_access(
                ctx.conn, ctx.principal, entity_by_pk(ctx.conn, int(found["entity_pk"]))
            ):
                raise store.AutomationInputError(f"integration {spec['integrationID']!r} not found")


def _writable_scope(ctx: RequestContext, scope_type: str, scope_id: str) -> tuple[int, int]:
    """The scope's pk and its entity's pk, for a caller who may write there."""
    scope_pk = _scope_pk(scope_type, scope_id)
    scope = _scope(ctx, scope_type, scope_pk)
    if scope is None:
        raise LookupError(f"{scope_type.lower()} {scope_id!r} not found")
    owner = entity_by_pk(ctx.conn, scope[1])
    writable_entity(ctx.conn, ctx.principal, str(owner["name"]))
    return scope_pk, scope[1]


@mutation.field("createFilterTrigger")
def resolve_create_trigger(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A new automation: scope, event and filter, action."""
    ctx = request_context(info)
    scope_type, event_type = str(input["scopeType"]), str(input["triggeringEventType"])
    store.check_scope_event(scope_type, event_type)
    event_filter = str(input.get("eventFilter") or "{}")
    store.parse_event_filter(event_type, event_filter)
    action_type, config = _action_config(input)
    scope_pk, entity_pk = _writable_scope(ctx, scope_type, str(input["scopeID"]))
    _check_integration(ctx, config)
    row = store.insert_trigger(
        ctx.conn,
        {
            "entity_pk": entity_pk,
            "name": str(input["name"]),
            "description": input.get("description"),
            "enabled": 1 if input.get("enabled", True) else 0,
            "scope_type": scope_type,
            "scope_pk": scope_pk,
            "event_type": event_type,
            "event_filter": event_filter,
            "action_type": action_type,
            "action_config": json.dumps(config),
            "user_pk": ctx.principal.user_pk,
        },
    )
    return {"trigger": trigger_node(ctx, row), "clientMutationId": input.get("clientMutationId")}


def _trigger_pk(node_id: str) -> int:
    try:
        return decode_node_id(TRIGGER, node_id)
    except MalformedIdError as exc:
        raise store.AutomationNotFoundError(f"automation {node_id!r} not found") from exc


def _readable_trigger(ctx: RequestContext, node_id: str) -> sqlite3.Row:
    row = store.trigger_by_pk(ctx.conn, _trigger_pk(node_id))
    if row is None:
        raise store.AutomationNotFoundError(f"automation {node_id!r} not found")
    owner = entity_by_pk(ctx.conn, int(row["entity_pk"]))
    if readable_entity(ctx.conn, ctx.principal, str(owner["name"])) is None:
        raise store.AutomationNotFoundError(f"automation {node_id!r} not found")
    writable_entity(ctx.conn, ctx.principal, str(owner["name"]))
    return row


@mutation.field("updateFilterTrigger")
def resolve_update_trigger(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Change an automation (404 when it does not exist)."""
    ctx = request_context(info)
    row = _readable_trigger(ctx, str(input["id"]))
    scope_type = str(input.get("scopeType") or row["scope_type"])
    event_type = str(input.get("triggeringEventType") or row["event_type"])
    store.check_scope_event(scope_type, event_type)
    event_filter = input.get("eventFilter")
    store.parse_event_filter(
        event_type, str(event_filter if event_filter is not None else row["event_filter"])
    )
    changes: dict[str, object] = {"scope_type": scope_type, "event_type": event_type}
    if input.get("scopeID") is not None:
        scope_pk, entity_pk = _writable_scope(ctx, scope_type, str(input["scopeID"]))
        changes |= {"scope_pk": scope_pk, "entity_pk": entity_pk}
    if event_filter is not None:
        changes["event_filter"] = str(event_filter)
    if input.get("triggeredActionType") is not None:
        action_type, config = _action_config(input)
        _check_integration(ctx, config)
        changes |= {"action_type": action_type, "action_config": json.dumps(config)}
    for field, column in (("name", "name"), ("description", "description")):
        if field in input and (input[field] is not None or field == "description"):
            changes[column] = input[field]
    if input.get("enabled") is not None:
        changes["enabled"] = 1 if input["enabled"] else 0
    updated = store.update_trigger(ctx.conn, int(row["pk"]), changes)
    return {
        "trigger": trigger_node(ctx, updated),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteTrigger")
def resolve_delete_trigger(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete an automation."""
    ctx = request_context(info)
    row = _readable_trigger(ctx, str(input["triggerID"]))
    return {
        "success": store.delete_trigger(ctx.conn, int(row["pk"])),
        "clientMutationId": input.get("clientMutationId"),
    }


BINDABLES: list[SchemaBindable] = [
    mutation,
    entity,
    project,
    user,
    trigger,
    sequence,
    portfolio,
    integration_interface,
    scope_union,
    action_union,
    condition_union,
]
