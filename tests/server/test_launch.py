"""Launch on the server, over its wire protocol: queue creation and validation, push order
and priorities, item states, warnings and failures, deletion, and who may do what."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from wandb_typed_server import RunningServer
from wandb_typed_server.storage.accounts import add_api_key
from wandb_typed_server.storage.entities import create_user
from wandb_typed_server.storage.launch import config_problems, pop_item, queue_by_name
from wandb_typed_server.storage.projects import find_project

from .conftest import GraphQL

ENTITY = "admin"
_names = itertools.count()

CREATE_CONFIG = """
mutation ($entity: String!, $resource: String!, $config: JSONString!, $vars: JSONString) {
  createDefaultResourceConfig(input: {entityName: $entity, resource: $resource,
      config: $config, templateVariables: $vars}) { success defaultResourceConfigID }
}"""
CREATE_QUEUE = """
mutation ($entity: String!, $name: String!, $mode: RunQueuePrioritizationMode, $config: ID) {
  createRunQueue(input: {entityName: $entity, projectName: "model-registry", queueName: $name,
      access: PROJECT, prioritizationMode: $mode, defaultResourceConfigID: $config}) {
    success queueID
  }
}"""
UPSERT_QUEUE = """
mutation ($entity: String!, $name: String!, $type: String!, $config: JSONString!,
    $vars: JSONString, $links: JSONString) {
  upsertRunQueue(input: {entityName: $entity, projectName: "model-registry", queueName: $name,
      resourceType: $type, resourceConfig: $config, templateVariables: $vars,
      externalLinks: $links}) { success configSchemaValidationErrors }
}"""
PUSH = """
mutation ($entity: String!, $name: String!, $spec: JSONString!, $priority: Int) {
  pushToRunQueueByName(input: {entityName: $entity, projectName: "model-registry",
      queueName: $name, runSpec: $spec, priority: $priority}) { runQueueItemId runSpec }
}"""
POP = """
mutation ($entity: String!, $name: String!) {
  popFromRunQueue(input: {entityName: $entity, projectName: "model-registry",
      queueName: $name}) { runQueueItemId runSpec }
}"""
ITEMS = """
query ($entity: String!, $name: String!) {
  project(name: "model-registry", entityName: $entity) {
    runQueue(name: $name) {
      id
      runQueueItems { edges { node { id state priority associatedRunId error warnings } } }
    }
  }
}"""


def queue_name() -> str:
    return f"server-q-{next(_names)}"


def errors_of(http: httpx.Client, query: str, **variables: Any) -> list[str]:
    reply = http.post("/graphql", json={"query": query, "variables": variables})
    return [error["message"] for error in reply.json().get("errors") or []]


def items(gql: GraphQL, name: str) -> list[dict[str, Any]]:
    queue = gql(ITEMS, entity=ENTITY, name=name)["project"]["runQueue"]
    return [edge["node"] for edge in queue["runQueueItems"]["edges"]]


def test_config_problems_name_what_is_wrong() -> None:
    assert config_problems("local-process", {"resource_args": {"local-process": {}}}, {}) == []
    assert config_problems(
        "local-process",
        {"resource_args": {"local-process": {"env": ["{{a}}", "{{b}}"]}, "kubernetes": {}}},
        {"a": {"schema": {"type": "string"}}, "c": {"schema": {}}},
    ) == [
        "resource_args.kubernetes: the queue's resource type is local-process",
        "template variable {{b}} is used but not declared",
        "template variable 'c' needs a JSON schema with a 'type'",
    ]
    assert config_problems("docker", {}, {}) == [
        "resource type 'docker' is not one of local-container, local-process, kubernetes, "
        "sagemaker, gcp-vertex"
    ]


def test_a_config_with_problems_is_refused_on_create_and_reported_on_upsert(
    gql: GraphQL, http: httpx.Client
) -> None:
    assert errors_of(
        http,
        CREATE_CONFIG,
        entity=ENTITY,
        resource="local-process",
        config=json.dumps({"resource_args": {"local-process": {"x": "{{nope}}"}}}),
    ) == ["createDefaultResourceConfig: template variable {{nope}} is used but not declared"]
    name = queue_name()
    reply = gql(
        UPSERT_QUEUE,
        entity=ENTITY,
        name=name,
        type="local-process",
        config=json.dumps({"resource_args": {"local-process": {"x": "{{nope}}"}}}),
    )["upsertRunQueue"]
    assert reply == {
        "success": True,
        "configSchemaValidationErrors": ["template variable {{nope}} is used but not declared"],
    }
    assert errors_of(
        http, UPSERT_QUEUE, entity=ENTITY, name=name, type="local-process", config="[1]"
    ) == ["resourceConfig must be a JSON object"]
    assert errors_of(http, UPSERT_QUEUE, entity=ENTITY, name=name, type="docker", config="{}") == [
        "resource type 'docker' is not one of local-container, local-process, kubernetes, "
        "sagemaker, gcp-vertex"
    ]


def test_a_queue_name_is_unique_in_its_project(gql: GraphQL, http: httpx.Client) -> None:
    name = queue_name()
    assert gql(CREATE_QUEUE, entity=ENTITY, name=name)["createRunQueue"]["success"]
    assert errors_of(http, CREATE_QUEUE, entity=ENTITY, name=name) == [
        f"a run queue named {name!r} already exists in this project"
    ]
    assert errors_of(http, PUSH, entity=ENTITY, name="no-such-queue", spec="{}") == [
        "pushToRunQueueByName: no run queue admin/model-registry/no-such-queue"
    ]


def test_priorities_order_pops_only_in_mode_v0(gql: GraphQL, http: httpx.Client) -> None:
    fifo, ranked = queue_name(), queue_name()
    gql(CREATE_QUEUE, entity=ENTITY, name=fifo)
    gql(CREATE_QUEUE, entity=ENTITY, name=ranked, mode="V0")
    assert errors_of(http, PUSH, entity=ENTITY, name=fifo, spec="{}", priority=0) == [
        f"run queue {fifo!r} does not prioritize items (prioritizationMode V0)"
    ]
    assert errors_of(http, PUSH, entity=ENTITY, name=ranked, spec="{}", priority=4) == [
        "priority must be 0 (critical) to 3 (low), got 4"
    ]
    pushed = [
        gql(PUSH, entity=ENTITY, name=ranked, spec=json.dumps({"n": n}), priority=p)[
            "pushToRunQueueByName"
        ]["runQueueItemId"]
        for n, p in enumerate([3, None, 0, 2])
    ]
    assert [item["priority"] for item in items(gql, ranked)] == [3, 2, 0, 2]
    popped = [gql(POP, entity=ENTITY, name=ranked)["popFromRunQueue"] for _ in range(5)]
    assert popped[4] is None
    assert [p["runQueueItemId"] for p in popped[:4]] == [pushed[2], pushed[1], pushed[3], pushed[0]]
    assert [p["runSpec"]["n"] for p in popped[:4]] == [2, 1, 3, 0]
    assert {item["state"] for item in items(gql, ranked)} == {"LEASED"}

    for n in range(3):
        gql(PUSH, entity=ENTITY, name=fifo, spec=json.dumps({"n": n}))
    assert [
        gql(POP, entity=ENTITY, name=fifo)["popFromRunQueue"]["runSpec"]["n"] for _ in range(3)
    ] == [0, 1, 2]


def test_fail_and_warn_are_kept_on_the_item(gql: GraphQL) -> None:
    name = queue_name()
    gql(CREATE_QUEUE, entity=ENTITY, name=name)
    item_id = gql(PUSH, entity=ENTITY, name=name, spec="{}")["pushToRunQueueByName"][
        "runQueueItemId"
    ]
    gql(POP, entity=ENTITY, name=name)
    warned = gql(
        """mutation ($id: ID!) { updateRunQueueItemWarning(input: {runQueueItemId: $id,
            message: "slow pull", stage: "build"}) { success } }""",
        id=item_id,
    )
    assert warned["updateRunQueueItemWarning"]["success"]
    failed = gql(
        """mutation ($id: ID!) { failRunQueueItem(input: {runQueueItemId: $id,
            message: "no GPU", stage: "run", filePaths: ["error.log"]}) { success } }""",
        id=item_id,
    )
    assert failed["failRunQueueItem"]["success"]
    (item,) = items(gql, name)
    assert item["state"] == "FAILED"
    assert item["error"] == {
        "message": "no GPU",
        "stage": "run",
        "filePaths": ["error.log"],
        "info": None,
    }
    assert item["warnings"] == [{"message": "slow pull", "stage": "build", "filePaths": None}]
    acked = gql(
        """mutation ($id: ID!) { ackRunQueueItem(input: {runQueueItemId: $id, runName: "r"}) {
            success } }""",
        id=item_id,
    )
    assert acked["ackRunQueueItem"]["success"] is False  # only a leased item can be claimed


def test_deleting_a_queue_deletes_its_items(gql: GraphQL) -> None:
    name = queue_name()
    queue_id = gql(CREATE_QUEUE, entity=ENTITY, name=name)["createRunQueue"]["queueID"]
    gql(PUSH, entity=ENTITY, name=name, spec="{}")
    deleted = gql(
        "mutation ($ids: [ID!]!) { deleteRunQueues(input: {queueIDs: $ids}) { success } }",
        ids=[queue_id],
    )
    assert deleted["deleteRunQueues"]["success"]
    assert gql(ITEMS, entity=ENTITY, name=name)["project"]["runQueue"] is None


def test_another_user_can_neither_see_nor_use_the_queues(
    gql: GraphQL, local_server: RunningServer
) -> None:
    name = queue_name()
    gql(CREATE_QUEUE, entity=ENTITY, name=name)
    item_id = gql(PUSH, entity=ENTITY, name=name, spec="{}")["pushToRunQueueByName"][
        "runQueueItemId"
    ]
    with local_server.state.db.transaction() as conn:
        user_pk = create_user(conn, f"launch-outsider-{name}")
        add_api_key(conn, user_pk, "l" * 40)
    with httpx.Client(base_url=local_server.base_url, auth=("api", "l" * 40), timeout=30) as other:
        assert errors_of(other, ITEMS, entity=ENTITY, name=name) == []
        reply = other.post(
            "/graphql", json={"query": ITEMS, "variables": {"entity": ENTITY, "name": name}}
        )
        assert reply.json()["data"]["project"] is None
        denied = f"user 'launch-outsider-{name}' may not write to entity 'admin'"
        assert errors_of(other, PUSH, entity=ENTITY, name=name, spec="{}") == [denied]
        assert errors_of(other, POP, entity=ENTITY, name=name) == [denied]
        assert errors_of(
            other,
            """mutation ($id: ID!) { ackRunQueueItem(input: {runQueueItemId: $id,
                runName: "r"}) { success } }""",
            id=item_id,
        ) == [denied]
    assert [item["state"] for item in items(gql, name)] == ["PENDING"]


def test_a_lease_never_acked_ends_after_a_minute(gql: GraphQL, local_server: RunningServer) -> None:
    name = queue_name()
    gql(CREATE_QUEUE, entity=ENTITY, name=name)
    item_id = gql(PUSH, entity=ENTITY, name=name, spec="{}")["pushToRunQueueByName"][
        "runQueueItemId"
    ]
    start = datetime(2026, 1, 1, 12, 0, 0)
    with local_server.state.db.transaction() as conn:
        owner = find_project(conn, ENTITY, "model-registry")
        assert owner is not None
        queue = queue_by_name(conn, int(owner["pk"]), name)
        assert queue is not None
        leased = pop_item(conn, queue, None, now=start)
        assert leased is not None
        assert pop_item(conn, queue, None, now=start + timedelta(seconds=59)) is None
    assert [item["state"] for item in items(gql, name)] == ["LEASED"]
    with local_server.state.db.transaction() as conn:
        again = pop_item(conn, queue, None, now=start + timedelta(seconds=61))
        assert again is not None
        assert again["pk"] == leased["pk"]
    (item,) = items(gql, name)
    assert (item["id"], item["state"]) == (item_id, "LEASED")
