"""Run mutations: ``upsertBucket`` (create/update a run) and ``deleteRun``.

All mutations of one request run in one transaction (see graphql_endpoint.py).
"""

from __future__ import annotations

import json
import secrets
import shutil
import string

from ariadne import MutationType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import decode_node_id
from wandb_typed_server.graphql.nodes import Node
from wandb_typed_server.graphql.runs import run_node
from wandb_typed_server.storage.entities import writable_entity
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.runs import delete_run, find_run, insert_run, run_by_pk, update_run

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

mutation = MutationType()


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
    """Delete a run, its history, console, file records and files."""
    ctx = request_context(info)
    pk = _existing_run_pk(ctx, str(input["id"]))
    row = run_by_pk(ctx.conn, pk)
    assert row is not None
    delete_run(ctx.conn, pk)
    folder = ctx.state.blobs.run_folder(row["entity_name"], row["project_name"], row["name"])
    ctx.after_commit.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    return {"clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [mutation]
