"""What a launch agent sends, over plain HTTP: the GraphQL documents of wandb 0.31.0's
``LaunchApi`` (``wandb/sdk/launch/api.py``) for registering, popping, acking and failing
items, plus the ``file_stream`` request that ends a run. Used by the e2e tests to move queue
items through their states without starting the official agent (the compat test does that).
"""

from __future__ import annotations

from typing import Any

import httpx

from wandb_typed_server import RunningServer

CREATE_AGENT = """
mutation createLaunchAgent($entity: String!, $project: String!, $queues: [ID!]!,
    $hostname: String!, $agentConfig: JSONString, $version: String) {
  createLaunchAgent(input: {entityName: $entity, projectName: $project, runQueues: $queues,
      hostname: $hostname, agentConfig: $agentConfig, version: $version}) {
    launchAgentId
  }
}"""

POP = """
mutation popFromRunQueue($entity: String!, $project: String!, $queueName: String!,
    $launchAgentId: ID) {
  popFromRunQueue(input: {entityName: $entity, projectName: $project, queueName: $queueName,
      launchAgentId: $launchAgentId}) {
    runQueueItemId
    runSpec
  }
}"""

ACK = """
mutation ackRunQueueItem($itemId: ID!, $runId: String!) {
  ackRunQueueItem(input: {runQueueItemId: $itemId, runName: $runId}) { success }
}"""

FAIL = """
mutation failRunQueueItem($runQueueItemId: ID!, $message: String!, $stage: String!,
    $filePaths: [String!]) {
  failRunQueueItem(input: {runQueueItemId: $runQueueItemId, message: $message, stage: $stage,
      filePaths: $filePaths}) { success }
}"""

LAUNCH_AGENT = """
query LaunchAgent($agentId: ID!) {
  launchAgent(id: $agentId) { id name runQueues hostname agentStatus stopPolling heartbeatAt }
}"""

UPDATE_AGENT = """
mutation updateLaunchAgent($agentId: ID!, $agentStatus: String) {
  updateLaunchAgent(input: {launchAgentId: $agentId, agentStatus: $agentStatus}) { success }
}"""


class AgentWire:
    """An agent's requests to one server, authenticated with its admin key."""

    def __init__(self, server: RunningServer) -> None:
        self.base_url = server.base_url
        self.client = httpx.Client(base_url=server.base_url, auth=("api", server.api_key))

    def close(self) -> None:
        self.client.close()

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        """The reply's data; GraphQL errors fail the call with their messages."""
        reply = self.client.post("/graphql", json={"query": query, "variables": variables})
        reply.raise_for_status()
        body = reply.json()
        if body.get("errors"):
            raise AssertionError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    def errors(self, query: str, **variables: Any) -> list[str]:
        """The error messages of a request expected to fail."""
        reply = self.client.post("/graphql", json={"query": query, "variables": variables})
        return [error["message"] for error in reply.json().get("errors") or []]

    def register(self, entity: str, queue_ids: list[str]) -> str:
        data = self.gql(
            CREATE_AGENT,
            entity=entity,
            project="model-registry",
            queues=queue_ids,
            hostname="e2e-host",
            agentConfig="{}",
            version="0.31.0",
        )
        agent_id: str = data["createLaunchAgent"]["launchAgentId"]
        return agent_id

    def pop(self, entity: str, queue: str, agent_id: str | None = None) -> dict[str, Any] | None:
        popped: dict[str, Any] | None = self.gql(
            POP, entity=entity, project="model-registry", queueName=queue, launchAgentId=agent_id
        )["popFromRunQueue"]
        return popped

    def ack(self, item_id: str, run_id: str) -> bool:
        return bool(self.gql(ACK, itemId=item_id, runId=run_id)["ackRunQueueItem"]["success"])

    def fail(self, item_id: str, message: str) -> bool:
        data = self.gql(FAIL, runQueueItemId=item_id, message=message, stage="agent")
        return bool(data["failRunQueueItem"]["success"])

    def finish_run(self, entity: str, project: str, run_id: str) -> None:
        """The last file_stream request of a run that exited 0."""
        reply = self.client.post(
            f"/files/{entity}/{project}/{run_id}/file_stream",
            json={"complete": True, "exitcode": 0},
        )
        reply.raise_for_status()
