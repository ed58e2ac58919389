"""Raw GraphQL for the sweep and report e2e tests: what the official SDK sends to create a
sweep, register an agent and heartbeat, and to save a report, played over HTTP against the
local server (the SDK itself runs in tests/compat/test_official_sweeps.py).

A trial is played as the SDK's agent would: heartbeat, take the ``run`` command, create the
run with the sweep's id and the command's parameters (``upsertBucket``), report it finished.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import yaml

from wandb_typed_server import RunningServer

ENTITY = "admin"

UPSERT_SWEEP = """
mutation UpsertSweep($config: String, $entityName: String, $projectName: String, $id: ID,
                     $state: String, $priorRunsFilters: JSONString) {
  upsertSweep(input: {config: $config, entityName: $entityName, projectName: $projectName,
                      id: $id, state: $state, priorRunsFilters: $priorRunsFilters}) {
    sweep { id name state }
    configValidationWarnings
    insertedPriorRuns
  }
}"""
CREATE_AGENT = """
mutation CreateAgent($host: String!, $projectName: String, $entityName: String,
                     $sweep: String!) {
  createAgent(input: {host: $host, projectName: $projectName, entityName: $entityName,
                      sweep: $sweep}) { agent { id } }
}"""
HEARTBEAT = """
mutation Heartbeat($id: ID!, $metrics: JSONString, $runState: JSONString) {
  agentHeartbeat(input: {id: $id, metrics: $metrics, runState: $runState}) { commands }
}"""
UPSERT_BUCKET = """
mutation UpsertBucket($name: String!, $project: String, $entity: String, $sweep: String,
                      $config: JSONString, $summary: JSONString, $state: String) {
  upsertBucket(input: {name: $name, modelName: $project, entityName: $entity, sweep: $sweep,
                       config: $config, summaryMetrics: $summary, state: $state}) {
    bucket { id name }
  }
}"""
UPSERT_VIEW = """
mutation UpsertView($entityName: String, $projectName: String, $name: String,
                    $displayName: String, $description: String, $type: String,
                    $spec: String) {
  upsertView(input: {entityName: $entityName, projectName: $projectName, name: $name,
                     displayName: $displayName, description: $description, type: $type,
                     spec: $spec}) {
    view { id name }
    inserted
  }
}"""


class GraphQLFailed(AssertionError):
    """The server answered errors (the messages are the exception's text)."""


def graphql(server: RunningServer, query: str, **variables: object) -> dict[str, Any]:
    """``data`` of a GraphQL request as the admin; :class:`GraphQLFailed` on errors."""
    reply = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": query, "variables": variables},
        auth=("api", server.api_key),
        timeout=60,
    )
    reply.raise_for_status()
    body = reply.json()
    if body.get("errors"):
        raise GraphQLFailed("; ".join(error["message"] for error in body["errors"]))
    data: dict[str, Any] = body["data"]
    return data


def create_sweep(server: RunningServer, project: str, config: Mapping[str, Any]) -> str:
    """A new sweep from ``config`` (sent as YAML, as ``wandb.sweep`` does); its id."""
    data = graphql(
        server,
        UPSERT_SWEEP,
        config=yaml.safe_dump(dict(config)),
        entityName=ENTITY,
        projectName=project,
    )
    name: str = data["upsertSweep"]["sweep"]["name"]
    return name


def create_agent(server: RunningServer, project: str, sweep: str) -> str:
    """Register an agent for a sweep; its id."""
    data = graphql(
        server, CREATE_AGENT, host="e2e-host", projectName=project, entityName=ENTITY, sweep=sweep
    )
    agent_id: str = data["createAgent"]["agent"]["id"]
    return agent_id


def heartbeat(server: RunningServer, agent: str, active: list[str]) -> list[dict[str, Any]]:
    """The commands answered to a heartbeat reporting ``active`` runs as queued/running."""
    data = graphql(
        server,
        HEARTBEAT,
        id=agent,
        metrics="{}",
        runState=json.dumps({name: True for name in active}),
    )
    commands: list[dict[str, Any]] = json.loads(data["agentHeartbeat"]["commands"])
    return commands


def finish_run(
    server: RunningServer,
    project: str,
    sweep: str,
    command: Mapping[str, Any],
    summary: Mapping[str, object],
    state: str = "finished",
) -> None:
    """The run of a ``run`` command, created (``state``) with its parameters and summary."""
    graphql(
        server,
        UPSERT_BUCKET,
        name=command["run_id"],
        project=project,
        entity=ENTITY,
        sweep=sweep,
        config=json.dumps(command["args"]),
        summary=json.dumps(dict(summary)),
        state=state,
    )


def run_agent(
    server: RunningServer,
    project: str,
    sweep: str,
    loss: Callable[[dict[str, Any]], float],
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Play an agent until the server says ``exit`` (at most ``limit`` trials): each trial's
    run gets ``{"loss": loss(parameters)}``. Returns the ``run`` commands in order."""
    agent = create_agent(server, project, sweep)
    commands: list[dict[str, Any]] = []
    for _ in range(limit):
        answer = heartbeat(server, agent, [])
        if answer == [{"type": "exit"}]:
            return commands
        assert len(answer) == 1, answer
        (command,) = answer
        assert command["type"] == "run", answer
        parameters = {key: value["value"] for key, value in command["args"].items()}
        finish_run(server, project, sweep, command, {"loss": loss(parameters)})
        commands.append(command)
    raise AssertionError(f"the agent was never told to exit after {limit} trials")


def log_history(
    server: RunningServer, project: str, run: str, rows: list[dict[str, object]]
) -> None:
    """History rows of a run, sent through file_stream as the SDK sends them."""
    lines = [json.dumps({"_step": step, **row}) for step, row in enumerate(rows)]
    httpx.post(
        f"{server.base_url}/files/{ENTITY}/{project}/{run}/file_stream",
        json={"files": {"wandb-history.jsonl": {"offset": 0, "content": lines}}},
        auth=("api", server.api_key),
        timeout=60,
    ).raise_for_status()
