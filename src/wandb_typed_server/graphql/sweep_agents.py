"""The sweep agent protocol wandb 0.31.0 speaks: ``createAgent`` and ``agentHeartbeat``.

``wandb agent``/``wandb.agent`` registers an agent for a sweep, then heartbeats every few
seconds with ``runState`` (``{"<run id>": true}`` for its queued and running runs). Each
heartbeat answers a JSON list of commands, of which the agent reads the first:

- ``{"type": "run", "run_id": ..., "args": {"k": {"value": v}}}``: start a trial, with the
  parameters the search engine (:mod:`wandb_typed_server.sweep_search`) suggests; given only
  to an agent with nothing queued or running, so that no point waits unrun in a queue;
- ``{"type": "stop", "run_id": ...}``: stop a run (hyperband's early termination, or a
  cancelled sweep);
- ``{"type": "exit"}``: the sweep is over for this agent (finished, cancelled, exhausted or
  at ``run_cap``) and it has nothing running;
- nothing (``[]``): wait (a paused sweep, or a run still going).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, connection_of, node_int, node_pk
from wandb_typed_server.graphql.runs import new_run_id
from wandb_typed_server.graphql.sweeps import (
    resolve_sweep_runs,
    set_sweep_state,
    sweep,
    sweep_node,
)
from wandb_typed_server.graphql.viewer import user_node
from wandb_typed_server.storage.entities import readable_entity, user_row
from wandb_typed_server.storage.history import history_page
from wandb_typed_server.storage.projects import find_project
from wandb_typed_server.storage.sweeps import (
    agent_by_pk,
    find_sweep,
    forget_trial,
    insert_agent,
    insert_trial,
    list_agents,
    mark_trial_stopped,
    sweep_by_pk,
    sweep_run_rows,
    touch_agent,
    trials_of,
)
from wandb_typed_server.sweep_search import (
    Trial,
    metric_goal,
    next_parameters,
    parse_sweep_config,
    runs_to_stop,
)

AGENT_TIMEOUT = timedelta(minutes=10)
"""An agent not heard of for this long has exited; the trials it never started are dropped."""

mutation = MutationType()
agent = ObjectType("Agent")

Command = dict[str, object]


def agent_node(row: sqlite3.Row) -> Node:
    """An Agent object from a sweep_agents row."""
    agent_id = encode_node_id("Agent", int(row["pk"]))
    return {
        "_pk": int(row["pk"]),
        "_sweep_pk": int(row["sweep_pk"]),
        "_user_pk": row["user_pk"],
        "id": agent_id,
        "name": agent_id,
        "displayName": row["display_name"],
        "host": row["host"],
        "state": row["state"],
        "metrics": row["metrics"],
        "persistent": False,
        "createdAt": row["created_at"],
        "heartbeatAt": row["heartbeat_at"],
    }


@sweep.field("agents")
def resolve_sweep_agents(obj: Node, info: GraphQLResolveInfo, **_args: object) -> Node:
    """The sweep's agents (one page holds them all)."""
    rows = list_agents(request_context(info).conn, node_pk(obj))
    edges = [{"node": agent_node(row), "cursor": str(row["pk"])} for row in rows]
    return connection_of(edges, has_next_page=False, has_previous_page=False)


@sweep.field("agent")
def resolve_sweep_agent(obj: Node, info: GraphQLResolveInfo, agentName: str) -> Node | None:
    """One of the sweep's agents by name (its id)."""
    for row in list_agents(request_context(info).conn, node_pk(obj)):
        node = agent_node(row)
        if agentName in (node["name"], node["id"]):
            return node
    return None


@agent.field("sweep")
def resolve_agent_sweep(obj: Node, info: GraphQLResolveInfo) -> Node:
    """The sweep the agent works on."""
    row = sweep_by_pk(request_context(info).conn, node_int(obj, "_sweep_pk"))
    assert row is not None
    return sweep_node(row)


@agent.field("user")
def resolve_agent_user(obj: Node, info: GraphQLResolveInfo) -> Node | None:
    """The user who started the agent."""
    if obj["_user_pk"] is None:
        return None
    return user_node(user_row(request_context(info).conn, node_int(obj, "_user_pk")))


@agent.field("totalRuns")
def resolve_agent_total_runs(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many runs the agent was handed."""
    trials = trials_of(request_context(info).conn, node_int(obj, "_sweep_pk"))
    return sum(1 for trial in trials if trial["agent_pk"] == node_pk(obj))


@agent.field("runs")
def resolve_agent_runs(obj: Node, info: GraphQLResolveInfo, **_args: object) -> Node:
    """The sweep's runs (this server does not split them by agent when listing)."""
    connection: Node = resolve_sweep_runs(resolve_agent_sweep(obj, info), info)
    return connection


@mutation.field("createAgent")
def resolve_create_agent(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Register an agent for the sweep ``entityName/projectName/sweep``."""
    ctx = request_context(info)
    entity_name = str(input.get("entityName") or ctx.principal.username)
    project_name = str(input.get("projectName") or "uncategorized")
    sweep_name = str(input["sweep"])
    path = f"{entity_name}/{project_name}/sweeps/{sweep_name}"
    project_row = None
    if readable_entity(ctx.conn, ctx.principal, entity_name) is not None:
        project_row = find_project(ctx.conn, entity_name, project_name)
    row = None if project_row is None else find_sweep(ctx.conn, int(project_row["pk"]), sweep_name)
    if row is None:
        raise LookupError(f"sweep {path} not found")
    pk = insert_agent(
        ctx.conn,
        int(row["pk"]),
        str(input["host"]),
        ctx.principal.user_pk,
        None if input.get("displayName") is None else str(input["displayName"]),
    )
    created = agent_by_pk(ctx.conn, pk)
    assert created is not None
    return {"agent": agent_node(created), "clientMutationId": input.get("clientMutationId")}


def _json_mapping(field: str, text: object) -> dict[str, Any]:
    if text is None:
        return {}
    value = json.loads(str(text))
    if not isinstance(value, dict):
        raise ValueError(f"agentHeartbeat '{field}' must be a JSON object")
    return value


@mutation.field("agentHeartbeat")
def resolve_agent_heartbeat(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Record the agent's heartbeat and answer its next commands (see the module doc)."""
    ctx = request_context(info)
    pk = decode_node_id("Agent", str(input["id"]))
    row = agent_by_pk(ctx.conn, pk)
    if row is None:
        raise LookupError(f"agent {input['id']!r} not found")
    run_state = _json_mapping("runState", input.get("runState"))
    active = [name for name, alive in run_state.items() if alive]
    commands = _commands(ctx, row, active)
    exiting = bool(commands) and commands[0]["type"] == "exit"
    metrics = input.get("metrics")
    touch_agent(ctx.conn, pk, "FINISHED" if exiting else "RUNNING", _metrics_text(metrics))
    updated = agent_by_pk(ctx.conn, pk)
    assert updated is not None
    return {
        "agent": agent_node(updated),
        "commands": json.dumps(commands),
        "clientMutationId": input.get("clientMutationId"),
    }


def _metrics_text(metrics: object) -> str | None:
    return None if metrics is None else json.dumps(_json_mapping("metrics", metrics))


def _commands(ctx: RequestContext, agent_row: sqlite3.Row, active: list[str]) -> list[Command]:
    sweep_row = sweep_by_pk(ctx.conn, int(agent_row["sweep_pk"]))
    assert sweep_row is not None
    state = str(sweep_row["state"])
    if state == "CANCELED":
        return [{"type": "stop", "run_id": active[0]}] if active else [{"type": "exit"}]
    if state == "FINISHED":
        return [] if active else [{"type": "exit"}]
    if state == "PAUSED":
        return []
    if state == "PENDING":
        set_sweep_state(ctx, sweep_row, "RUNNING")
    config = parse_sweep_config(str(sweep_row["config"]))
    sweep_pk = int(sweep_row["pk"])
    _forget_dropped_trials(ctx, sweep_pk, int(agent_row["pk"]), active)
    trials = _trials(ctx, sweep_row, config)
    stop = _next_stop(ctx, sweep_pk, config, trials, active)
    if stop is not None:
        return [{"type": "stop", "run_id": stop}]
    if active:
        return []
    run_cap = config.get("run_cap")
    if isinstance(run_cap, int) and len(trials) >= run_cap:
        set_sweep_state(ctx, sweep_row, "FINISHED")
        return [{"type": "exit"}]
    parameters = next_parameters(config, trials)
    if parameters is None:
        set_sweep_state(ctx, sweep_row, "FINISHED")
        return [{"type": "exit"}]
    run_name = new_run_id()
    insert_trial(ctx.conn, sweep_pk, run_name, int(agent_row["pk"]), json.dumps(parameters))
    command: Command = {"type": "run", "run_id": run_name, "args": parameters}
    if config.get("program") is not None:
        command["program"] = config["program"]
    return [command]


def _forget_dropped_trials(
    ctx: RequestContext, sweep_pk: int, agent_pk: int, active: list[str]
) -> None:
    """Trials handed out whose run never started go back to the search: this agent's that
    it no longer queues or runs (its program failed before ``wandb.init``), and any agent's
    whose agent has not been heard of for :data:`AGENT_TIMEOUT` (it exited, at its
    ``count`` or killed, with the trial still queued)."""
    cutoff = datetime.now(timezone.utc) - AGENT_TIMEOUT
    silent_since = cutoff.replace(tzinfo=None).isoformat(timespec="microseconds")
    for trial in trials_of(ctx.conn, sweep_pk):
        if trial["run_pk"] is not None:
            continue
        mine = trial["agent_pk"] == agent_pk and trial["run_name"] not in active
        silent = (
            trial["agent_pk"] != agent_pk and (trial["agent_heartbeat_at"] or "") < silent_since
        )
        if mine or silent:
            forget_trial(ctx.conn, sweep_pk, str(trial["run_name"]))


def _next_stop(
    ctx: RequestContext,
    sweep_pk: int,
    config: Mapping[str, Any],
    trials: list[Trial],
    active: list[str],
) -> str | None:
    """The first active run hyperband stops now (recorded, so it is said once)."""
    if not active or config.get("early_terminate") is None:
        return None
    already = {
        str(trial["run_name"]) for trial in trials_of(ctx.conn, sweep_pk) if trial["stop_requested"]
    }
    for name in runs_to_stop(config, trials):
        if name in active and name not in already:
            mark_trial_stopped(ctx.conn, sweep_pk, name)
            return name
    return None


def _trials(ctx: RequestContext, sweep_row: sqlite3.Row, config: Mapping[str, Any]) -> list[Trial]:
    """Every run of the sweep for the engine: handed-out trials (pending until their run
    exists) and runs attached otherwise (``priorRunsFilters``)."""
    goal = metric_goal(config)
    wants_history = goal is not None and config.get("early_terminate") is not None
    trials: list[Trial] = []
    seen: set[str] = set()
    for trial in trials_of(ctx.conn, int(sweep_row["pk"])):
        name = str(trial["run_name"])
        seen.add(name)
        summary = json.loads(trial["run_summary"]) if trial["run_summary"] else {}
        history = (
            _metric_history(ctx, int(trial["run_pk"]), goal[0])
            if wants_history and goal is not None and trial["run_pk"] is not None
            else []
        )
        trials.append(
            Trial(
                name,
                str(trial["run_state"] or "pending"),
                json.loads(trial["config"]),
                summary if isinstance(summary, dict) else {},
                history,
            )
        )
    for run_row in sweep_run_rows(ctx.conn, sweep_row):
        if run_row["name"] in seen:
            continue
        summary = json.loads(run_row["summary"])
        trials.append(
            Trial(
                str(run_row["name"]),
                str(run_row["state"]),
                _parameters_of(json.loads(run_row["config"]), config),
                summary if isinstance(summary, dict) else {},
            )
        )
    return trials


def _parameters_of(run_config: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The sweep parameters among a run's config entries (``{"k": {"value": v}}``)."""
    parameters = config.get("parameters")
    names = parameters.keys() if isinstance(parameters, Mapping) else ()
    return {name: run_config[name] for name in names if isinstance(run_config.get(name), dict)}


def _metric_history(ctx: RequestContext, run_pk: int, metric: str) -> list[dict[str, object]]:
    rows = history_page(ctx.conn, run_pk, samples=None, min_step=None, max_step=None)
    history: list[dict[str, object]] = []
    for line in rows:
        row = json.loads(line)
        if isinstance(row, dict) and metric in row:
            history.append({metric: row[metric]})
    return history


BINDABLES: list[SchemaBindable] = [mutation, agent]
