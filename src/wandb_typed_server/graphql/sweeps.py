"""Sweeps: ``upsertSweep`` (create from a YAML/JSON config, update, change state),
``Project.sweep``/``sweeps``/``totalSweeps``, the Sweep object's fields and ``Run.sweep``.

A sweep starts ``PENDING``, becomes ``RUNNING`` with its first agent heartbeat, and may be
``PAUSED`` (no new runs), ``CANCELED`` (runs stopped) or ``FINISHED`` (no new runs; a grid
finishes itself when exhausted, any sweep when it reaches ``run_cap``). The agent protocol is
in :mod:`wandb_typed_server.graphql.sweep_agents`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
from typing import Any

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import (
    decode_name_cursor,
    decode_node_id,
    encode_name_cursor,
    encode_node_id,
)
from wandb_typed_server.graphql.nodes import Node, connection_of, node_int, node_pk
from wandb_typed_server.graphql.projects import project_node_by_pk
from wandb_typed_server.graphql.runs import resolve_project_runs
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage.entities import user_row, writable_entity
from wandb_typed_server.storage.filters import compile_filters
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.sweeps import (
    SWEEP_STATES,
    count_sweep_runs,
    count_sweeps,
    find_sweep,
    insert_sweep,
    list_sweeps,
    sweep_by_pk,
    sweep_run_rows,
    update_sweep,
)
from wandb_typed_server.sweep_search import (
    check_sweep_config,
    expected_run_count,
    finite_number,
    metric_goal,
    parse_sweep_config,
)

DEFAULT_SWEEP_PAGE = 50
MAX_SWEEP_PAGE = 1000
_SWEEP_ID_ALPHABET = string.ascii_lowercase + string.digits
# Which state a sweep may move to from which (a state set to itself is always accepted).
_TRANSITIONS = {
    "PENDING": {"RUNNING", "PAUSED", "CANCELED", "FINISHED"},
    "RUNNING": {"PAUSED", "CANCELED", "FINISHED"},
    "PAUSED": {"RUNNING", "CANCELED", "FINISHED"},
    "CANCELED": set[str](),
    "FINISHED": set[str](),
}

mutation = MutationType()
project = ObjectType("Project")
sweep = ObjectType("Sweep")
run = ObjectType("Run")


def sweep_node(row: sqlite3.Row) -> Node:
    """A Sweep object from a sweeps row (joined with project and entity names)."""
    return {
        "_pk": int(row["pk"]),
        "_row": row,
        "_project_pk": int(row["project_pk"]),
        "id": encode_node_id("Sweep", int(row["pk"])),
        "name": row["name"],
        "displayName": row["display_name"],
        "description": row["description"],
        "method": row["method"],
        "state": row["state"],
        "config": row["config"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "heartbeatAt": row["heartbeat_at"],
        "controller": None,
        "scheduler": None,
        "controllerRunName": "",
        "earlyStopJobRunning": False,
        "runTime": 0,
    }


def _config_of(obj: Node) -> dict[str, Any]:
    return parse_sweep_config(str(obj["config"]))


def visible_sweep(ctx: RequestContext, project_pk: int, name: str) -> Node | None:
    """A sweep of a project by name, or None."""
    row = find_sweep(ctx.conn, project_pk, name)
    return None if row is None else sweep_node(row)


@project.field("sweep")
def resolve_project_sweep(obj: Node, info: GraphQLResolveInfo, sweepName: str) -> Node | None:
    """One sweep by its name (the id in ``entity/project/sweeps/<name>``)."""
    return visible_sweep(request_context(info), node_pk(obj), sweepName)


@project.field("sweeps")
def resolve_project_sweeps(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    **_args: object,
) -> Node:
    """A page of the project's sweeps, newest first."""
    ctx = request_context(info)
    limit = max(1, min(first or DEFAULT_SWEEP_PAGE, MAX_SWEEP_PAGE))
    before = int(decode_name_cursor(after)) if after else None
    rows = list_sweeps(ctx.conn, node_pk(obj), before, limit + 1)
    page = rows[:limit]
    edges = [
        {"node": sweep_node(row), "cursor": encode_name_cursor(str(row["pk"]))} for row in page
    ]
    return connection_of(
        edges, has_next_page=len(rows) > limit, has_previous_page=after is not None
    )


@project.field("totalSweeps")
def resolve_total_sweeps(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many sweeps the project has."""
    return count_sweeps(request_context(info).conn, node_pk(obj))


@sweep.field("runs")
def resolve_sweep_runs(
    obj: Node,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    order: str | None = None,
    **_args: object,
) -> Node:
    """The sweep's runs (the project's runs whose ``sweepName`` is this sweep's name)."""
    connection: Node = resolve_project_runs(
        {"_pk": node_int(obj, "_project_pk")},
        info,
        filters=json.dumps({"sweep": obj["name"]}),
        order=order,
        first=first,
        after=after,
    )
    return connection


@sweep.field("priorRuns")
def resolve_prior_runs(obj: Node, info: GraphQLResolveInfo, **_args: object) -> Node:
    """Runs attached when the sweep was created: they are among its runs here."""
    connection: Node = resolve_sweep_runs(obj, info)
    return connection


@sweep.field("runCount")
def resolve_run_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many runs the sweep has."""
    row = obj["_row"]
    assert isinstance(row, sqlite3.Row)
    return count_sweep_runs(request_context(info).conn, row)


@sweep.field("runCountExpected")
def resolve_run_count_expected(obj: Node, _info: GraphQLResolveInfo) -> int | None:
    """A grid's number of points (capped by ``run_cap``), else ``run_cap``, else null."""
    return expected_run_count(_config_of(obj))


@sweep.field("bestLoss")
def resolve_best_loss(obj: Node, info: GraphQLResolveInfo) -> float | None:
    """The best value of the config's ``metric.name`` in the runs' summaries (the lowest
    when the goal is ``minimize``, the highest for ``maximize``); null without a metric."""
    goal = metric_goal(_config_of(obj))
    row = obj["_row"]
    assert isinstance(row, sqlite3.Row)
    if goal is None:
        return None
    name, direction = goal
    values = []
    for run_row in sweep_run_rows(request_context(info).conn, row):
        summary = json.loads(run_row["summary"])
        value = finite_number(summary.get(name)) if isinstance(summary, dict) else None
        if value is not None:
            values.append(value)
    if not values:
        return None
    return max(values) if direction == "maximize" else min(values)


@sweep.field("project")
def resolve_sweep_project(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The sweep's project."""
    return project_node_by_pk(request_context(info), node_int(obj, "_project_pk"))


@sweep.field("user")
def resolve_sweep_user(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user who created the sweep."""
    row = obj["_row"]
    assert isinstance(row, sqlite3.Row)
    if row["user_pk"] is None:
        return None
    return user_node(user_row(request_context(info).conn, int(row["user_pk"])))


@run.field("sweep")
def resolve_run_sweep(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The sweep the run belongs to, or null."""
    name = obj.get("sweepName")
    if not name:
        return None
    return visible_sweep(request_context(info), node_int(obj, "projectId"), str(name))


def new_sweep_name() -> str:
    """A sweep id like W&B's: 8 lowercase letters and digits."""
    return "".join(secrets.choice(_SWEEP_ID_ALPHABET) for _ in range(8))


def _display_name(input: Node, config: dict[str, Any]) -> str | None:
    name = input.get("displayName") or config.get("name")
    return None if name is None else str(name)


def _create_sweep(ctx: RequestContext, input: Node) -> tuple[sqlite3.Row, list[str], int]:
    text = input.get("config")
    if not text:
        raise ValueError("upsertSweep needs 'config' to create a sweep")
    config = parse_sweep_config(str(text))
    warnings = check_sweep_config(config)
    entity_name = str(input.get("entityName") or ctx.principal.username)
    project_name = str(input.get("projectName") or config.get("project") or "uncategorized")
    project_row = get_or_create_project(ctx.conn, ctx.principal, entity_name, project_name)
    project_pk = int(project_row["pk"])
    name = new_sweep_name()
    while find_sweep(ctx.conn, project_pk, name) is not None:
        name = new_sweep_name()
    description = input.get("description") or config.get("description")
    pk = insert_sweep(
        ctx.conn,
        project_pk,
        name,
        method=str(config["method"]),
        config=str(text),
        user_pk=ctx.principal.user_pk,
        display_name=_display_name(input, config),
        description=None if description is None else str(description),
    )
    prior = _attach_prior_runs(ctx, project_pk, name, input.get("priorRunsFilters"))
    row = sweep_by_pk(ctx.conn, pk)
    assert row is not None
    if input.get("state"):
        set_sweep_state(ctx, row, str(input["state"]))
        row = sweep_by_pk(ctx.conn, pk)
        assert row is not None
    return row, warnings, prior


def _attach_prior_runs(ctx: RequestContext, project_pk: int, name: str, filters: object) -> int:
    """Make the runs matching ``priorRunsFilters`` (Mongo-style JSON) runs of the sweep."""
    if not filters:
        return 0
    decoded = json.loads(str(filters))
    if not isinstance(decoded, dict):
        raise ValueError("upsertSweep 'priorRunsFilters' must be a JSON object")
    clause = compile_filters(decoded)
    cursor = ctx.conn.execute(
        f"UPDATE runs SET sweep_name = ? WHERE pk IN (SELECT r.pk FROM runs r"
        f" WHERE r.project_pk = ? AND ({clause.sql}))",
        (name, project_pk, *clause.params),
    )
    return cursor.rowcount


def set_sweep_state(ctx: RequestContext, row: sqlite3.Row, state: str) -> None:
    """Move a sweep to ``state`` if W&B's state machine allows it.

    Raises:
        ValueError: an unknown state, or a move a sweep cannot make (finished to running).
    """
    state = state.upper()
    if state == "CANCELLED":
        state = "CANCELED"
    if state not in SWEEP_STATES:
        raise ValueError(f"upsertSweep 'state': {state!r} is not one of {', '.join(SWEEP_STATES)}")
    current = str(row["state"])
    if state != current and state not in _TRANSITIONS.get(current, set()):
        raise ValueError(f"sweep {row['name']} is {current.lower()}: cannot set it {state}")
    if state != current:
        update_sweep(ctx.conn, int(row["pk"]), {"state": state})


def _update_sweep(ctx: RequestContext, input: Node) -> sqlite3.Row:
    pk = decode_node_id("Sweep", str(input["id"]))
    row = sweep_by_pk(ctx.conn, pk)
    if row is None:
        raise LookupError(f"sweep with id {input['id']!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    changes: dict[str, object] = {}
    if input.get("config"):
        config = parse_sweep_config(str(input["config"]))
        check_sweep_config(config)
        changes["config"] = str(input["config"])
        changes["method"] = str(config["method"])
    if input.get("displayName") is not None:
        changes["display_name"] = str(input["displayName"])
    if input.get("description") is not None:
        changes["description"] = str(input["description"])
    if changes:
        update_sweep(ctx.conn, pk, changes)
    if input.get("state"):
        set_sweep_state(ctx, row, str(input["state"]))
    updated = sweep_by_pk(ctx.conn, pk)
    assert updated is not None
    return updated


@mutation.field("upsertSweep")
def resolve_upsert_sweep(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Create a sweep from its config (no ``id``) or update one (``id``: config, display
    name, description, state)."""
    ctx = request_context(info)
    warnings: list[str] = []
    if input.get("id"):
        row, inserted, prior = _update_sweep(ctx, input), False, 0
    else:
        row, warnings, prior = _create_sweep(ctx, input)
        inserted = True
    return {
        "sweep": sweep_node(row),
        "inserted": inserted,
        "insertedPriorRuns": prior,
        "configValidationWarnings": warnings,
        "clientMutationId": input.get("clientMutationId"),
    }


BINDABLES: list[SchemaBindable] = [mutation, project, sweep, run]
