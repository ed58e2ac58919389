"""Runs: Project.run/bucket/runs/runCount, the Run object's fields, and the run mutations
``upsertBucket`` (create/update a run) and ``deleteRun``.

A Run object is built from one joined row (:func:`run_node`); only fields that need more
data (counts, tails, history) touch the database again, and only when asked for. All
mutations of one request run in one transaction (see endpoint.py).
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import string
from collections.abc import Sequence
from functools import lru_cache

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.history import BATCH_KEY, RunBatch, run_batch
from wandb_typed_server.graphql.ids import decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, node_int, node_pk
from wandb_typed_server.graphql.projects import project_node_by_pk
from wandb_typed_server.storage.console import console_line_count
from wandb_typed_server.storage.entities import writable_entity
from wandb_typed_server.storage.filters import SqlClause, compile_filters, decode_filters
from wandb_typed_server.storage.history import tail
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.run_order import compile_order
from wandb_typed_server.storage.runs import (
    count_runs,
    delete_run,
    find_run,
    insert_run,
    list_runs,
    run_by_pk,
    update_run,
)

DEFAULT_RUN_PAGE = 50
MAX_RUN_PAGE = 1000
TAIL_LINES = 10
DEFAULT_PROJECT = "uncategorized"
_RUN_ID_ALPHABET = string.ascii_lowercase + string.digits

# upsertBucket input field -> runs column, for plain string fields.
_TEXT_FIELDS = {
    "displayName": "display_name",
    "groupName": "group_name",
    "jobType": "job_type",
    "host": "host",
    "commit": "commit_hash",
    "sweep": "sweep_name",
    "state": "state",
}

project = ObjectType("Project")
run = ObjectType("Run")
run_connection = ObjectType("RunConnection")
mutation = MutationType()


@lru_cache(maxsize=256)
def _tags(stored: str) -> tuple[str, ...]:
    """A run's stored tags (runs of a project mostly share a few tag sets)."""
    return tuple(json.loads(stored))


def run_node(row: sqlite3.Row, batch: RunBatch | None = None) -> Node:
    """A Run object from a row of :data:`wandb_typed_server.storage.runs.RUN_SELECT` (``batch``: the
    page it was listed in)."""
    pk = int(row["pk"])
    state = row["state"]
    return {
        "_pk": pk,
        BATCH_KEY: batch,
        "_config": row["config"],
        "_summary": row["summary"],
        "_entity": row["entity_name"],
        "_project": row["project_name"],
        "id": encode_node_id("Run", pk),
        "name": row["name"],
        "projectId": row["project_pk"],
        "displayName": row["display_name"] if row["display_name"] is not None else row["name"],
        "state": state,
        "running": state == "running",
        "failed": state in {"failed", "crashed"},
        "stopped": False,
        "shouldStop": False,
        "readOnly": False,
        "pendingUpdates": False,
        "group": row["group_name"],
        "jobType": row["job_type"],
        "host": row["host"],
        "notes": row["notes"],
        "description": row["notes"],
        "commit": row["commit_hash"],
        "sweepName": row["sweep_name"],
        "sweep": None,
        "tags": _tags(row["tags"]),
        "tagColors": [],
        "createdAt": row["created_at"],
        "heartbeatAt": row["heartbeat_at"],
        "updatedAt": row["updated_at"],
        "computeSeconds": row["duration"],
        "exitcode": row["exitcode"],
        "storageBytes": 0,
        "userId": row["user_pk"],
        "user": {
            "id": encode_node_id("User", int(row["user_pk"])),
            "name": row["user_name"],
            "username": row["username"],
            "email": row["user_email"],
            "photoUrl": None,
        },
    }


def _select_keys(document: str, keys: Sequence[str] | None) -> str:
    if not keys:
        return document
    values = json.loads(document)
    return json.dumps({key: values[key] for key in keys if key in values})


def _where(filters: str | None, names: Sequence[str] | None) -> SqlClause:
    decoded = decode_filters(filters)
    clause = compile_filters(decoded or None)  # type: ignore[arg-type]
    if not names:
        return clause
    placeholders = ", ".join("?" for _ in names)
    return SqlClause(f"({clause.sql}) AND r.name IN ({placeholders})", (*clause.params, *names))


def visible_run(ctx: RequestContext, project_obj: Node, name: str) -> Node | None:
    """A run of a project object by name."""
    row = find_run(ctx.conn, node_int(project_obj, "_pk"), name)
    return None if row is None else run_node(row)


@project.field("run")
@project.field("bucket")
def resolve_project_run(
    obj: Node, info: GraphQLResolveInfo, name: str, **_args: object
) -> Node | None:
    """One run by name (``bucket(missingOk)`` is the resume lookup; missing is null either way)."""
    return visible_run(request_context(info), obj, name)


@project.field("runs")
@project.field("buckets")
def resolve_project_runs(
    obj: Node,
    info: GraphQLResolveInfo,
    filters: str | None = None,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
    names: Sequence[str] | None = None,
    **_args: object,
) -> Node:
    """A page of runs matching Mongo-style ``filters`` in ``order``, after a keyset cursor."""
    ctx = request_context(info)
    where = _where(filters, names)
    order_spec = compile_order(order)
    limit = max(1, min(first or DEFAULT_RUN_PAGE, MAX_RUN_PAGE))
    page = list_runs(ctx.conn, node_pk(obj), where, order_spec, after, limit)
    batch = RunBatch([int(row["pk"]) for row in page.rows])
    edges = [
        {"node": run_node(row, batch), "cursor": cursor}
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return {
        "_project_pk": node_pk(obj),
        "_where": where,
        "edges": edges,
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": after is not None,
            "startCursor": page.cursors[0] if page.cursors else None,
            "endCursor": page.cursors[-1] if page.cursors else None,
        },
    }


@run_connection.field("totalCount")
def resolve_run_total_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many runs match the connection's filters (all pages), or the count a connection
    built elsewhere carries (the runs using an artifact)."""
    if "_total" in obj:
        return node_int(obj, "_total")
    where = obj["_where"]
    assert isinstance(where, SqlClause)
    return count_runs(request_context(info).conn, node_int(obj, "_project_pk"), where)


@project.field("runCount")
def resolve_run_count(obj: Node, info: GraphQLResolveInfo, filters: str | None = None) -> int:
    """How many runs match ``filters``."""
    return count_runs(request_context(info).conn, node_pk(obj), _where(filters, None))


@project.field("totalRuns")
@project.field("bucketCount")
def resolve_total_runs(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many runs the project has."""
    return count_runs(request_context(info).conn, node_pk(obj), SqlClause("1", ()))


@run.field("project")
@run.field("model")
def resolve_run_project(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The run's project."""
    return project_node_by_pk(request_context(info), node_int(obj, "projectId"))


@run.field("config")
def resolve_config(
    obj: Node, _info: GraphQLResolveInfo, keys: Sequence[str] | None = None, **_args: object
) -> str:
    """The config in W&B's stored shape ``{"k": {"value": v, "desc": null}}``."""
    return _select_keys(str(obj["_config"]), keys)


@run.field("summaryMetrics")
def resolve_summary(
    obj: Node, _info: GraphQLResolveInfo, keys: Sequence[str] | None = None, **_args: object
) -> str:
    """The latest summary as a JSON object string."""
    return _select_keys(str(obj["_summary"]), keys)


@run.field("wandbConfig")
def resolve_wandb_config(
    obj: Node, _info: GraphQLResolveInfo, keys: Sequence[str] | None = None
) -> str:
    """The SDK's own ``_wandb`` config entry; the resume check looks for key ``t`` here."""
    config = json.loads(str(obj["_config"]))
    entry = config.get("_wandb")
    value = entry.get("value", entry) if isinstance(entry, dict) else {}
    if not isinstance(value, dict):
        value = {}
    return json.dumps({key: value[key] for key in keys if key in value} if keys else value)


@run.field("systemMetrics")
def resolve_system_metrics(obj: Node, info: GraphQLResolveInfo) -> str:
    """The latest system-metrics (events) row."""
    last = run_batch(obj).last_event(request_context(info).conn, node_pk(obj))
    return "{}" if last is None else last


@run.field("historyLineCount")
def resolve_history_line_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """Number of history lines received."""
    return run_batch(obj).line_count(request_context(info).conn, node_pk(obj), "history")


@run.field("eventsLineCount")
def resolve_events_line_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """Number of events (system metrics) lines received."""
    return run_batch(obj).line_count(request_context(info).conn, node_pk(obj), "events")


@run.field("logLineCount")
def resolve_log_line_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """Number of console lines received."""
    return console_line_count(request_context(info).conn, node_pk(obj))


@run.field("historyTail")
def resolve_history_tail(obj: Node, info: GraphQLResolveInfo) -> str:
    """The last history lines as a JSON array of JSON strings (used on resume)."""
    return json.dumps(tail(request_context(info).conn, node_pk(obj), "history", TAIL_LINES))


@run.field("eventsTail")
def resolve_events_tail(obj: Node, info: GraphQLResolveInfo) -> str:
    """The last events lines as a JSON array of JSON strings (used on resume)."""
    return json.dumps(tail(request_context(info).conn, node_pk(obj), "events", TAIL_LINES))


def new_run_id() -> str:
    """A run id like the SDK's: 8 lowercase letters and digits."""
    return "".join(secrets.choice(_RUN_ID_ALPHABET) for _ in range(8))


def _json_object(field: str, text: object) -> str:
    try:
        value = json.loads(str(text))
    except json.JSONDecodeError as exc:
        raise ValueError(f"upsertBucket {field} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"upsertBucket {field} must be a JSON object")
    return json.dumps(value, separators=(",", ":"))


def run_changes(input: Node) -> dict[str, object]:
    """The run columns an upsertBucket input sets (absent or null fields are left alone)."""
    changes: dict[str, object] = {
        column: input[field]
        for field, column in _TEXT_FIELDS.items()
        if input.get(field) is not None
    }
    notes = input.get("notes") if input.get("notes") is not None else input.get("description")
    if notes is not None:
        changes["notes"] = notes
    tags = input.get("tags")
    if tags is not None:
        assert isinstance(tags, list)
        changes["tags"] = json.dumps([str(tag) for tag in tags if tag is not None])
    if input.get("config") is not None:
        changes["config"] = _json_object("config", input["config"])
    if input.get("summaryMetrics") is not None:
        changes["summary"] = _json_object("summaryMetrics", input["summaryMetrics"])
    return changes


def _existing_run_pk(ctx: RequestContext, run_id: str) -> int:
    row = run_by_pk(ctx.conn, decode_node_id("Run", run_id))
    if row is None:
        raise LookupError(f"run with id {run_id!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    return int(row["pk"])


@mutation.field("upsertBucket")
def resolve_upsert_bucket(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Create the run (and its project) if needed, then apply the given fields."""
    ctx = request_context(info)
    inserted = False
    if input.get("id"):
        pk = _existing_run_pk(ctx, str(input["id"]))
    else:
        entity_name = str(input.get("entityName") or ctx.principal.username)
        project_name = str(input.get("modelName") or DEFAULT_PROJECT)
        project_row = get_or_create_project(ctx.conn, ctx.principal, entity_name, project_name)
        name = str(input.get("name") or new_run_id())
        existing = find_run(ctx.conn, int(project_row["pk"]), name)
        inserted = existing is None
        if existing is None:
            pk = insert_run(
                ctx.conn,
                int(project_row["pk"]),
                name,
                ctx.principal.user_pk,
                ctx.principal.username,
            )
        else:
            pk = int(existing["pk"])
    update_run(ctx.conn, pk, run_changes(input))
    row = run_by_pk(ctx.conn, pk)
    assert row is not None
    return {
        "bucket": run_node(row),
        "inserted": inserted,
        "updateAvailable": False,
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteRun")
def resolve_delete_run(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a run, its history, console, file records and files; a run already deleted
    (or never created) is a success, as on W&B."""
    ctx = request_context(info)
    row = run_by_pk(ctx.conn, decode_node_id("Run", str(input["id"])))
    if row is None:  # already deleted: W&B answers success again
        return {"clientMutationId": input.get("clientMutationId")}
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    pk = int(row["pk"])
    delete_run(ctx.conn, pk)
    folder = ctx.state.blobs.run_folder(row["entity_name"], row["project_name"], row["name"])
    ctx.after_commit.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    return {"clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [project, run, run_connection, mutation]
