"""Runs through GraphQL: upsertBucket, project/models/viewer, runs with filters, order and
keyset cursors, runCount, deleteRun."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

GraphQL = Callable[..., dict[str, Any]]
Upsert = Callable[..., dict[str, Any]]

RUNS = """
query Runs($project: String!, $filters: JSONString, $order: String, $first: Int, $after: String) {
  project(name: $project, entityName: "admin") {
    runCount(filters: $filters)
    runs(filters: $filters, order: $order, first: $first, after: $after) {
      totalCount
      edges { cursor node { name state } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def _names(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in data["project"]["runs"]["edges"]]


def test_upsert_creates_then_updates(upsert: Upsert, project_name: str) -> None:
    created = upsert(
        name="r1",
        entityName="admin",
        modelName=project_name,
        config=json.dumps({"lr": {"value": 0.1, "desc": None}}),
        tags=["a"],
        groupName="g",
        jobType="train",
        displayName="first",
        notes="n",
    )
    assert created["inserted"] is True
    bucket = created["bucket"]
    assert bucket["name"] == "r1"
    assert bucket["state"] == "running"
    assert json.loads(bucket["config"]) == {"lr": {"value": 0.1, "desc": None}}
    assert bucket["user"] == {"name": "admin", "username": "admin"}
    assert int(bucket["projectId"]) > 0
    updated = upsert(
        id=bucket["id"],
        summaryMetrics=json.dumps({"loss": 0.5}),
        tags=["a", "b"],
        displayName="renamed",
        groupName="g2",
        jobType="eval",
        description="via description",
    )
    assert updated["inserted"] is False
    after = updated["bucket"]
    assert after["id"] == bucket["id"]
    assert json.loads(after["summaryMetrics"]) == {"loss": 0.5}
    assert after["tags"] == ["a", "b"]
    assert (after["displayName"], after["group"], after["jobType"], after["notes"]) == (
        "renamed",
        "g2",
        "eval",
        "via description",
    )
    assert json.loads(after["config"]) == {"lr": {"value": 0.1, "desc": None}}  # untouched


def test_upsert_without_name_or_project_uses_defaults(upsert: Upsert, gql: GraphQL) -> None:
    bucket = upsert(entityName="admin")["bucket"]
    assert len(bucket["name"]) == 8
    data = gql(
        'query($n: String!) { project(name: "uncategorized", entityName: "admin") { run(name: $n) { name } } }',
        n=bucket["name"],
    )
    assert data["project"]["run"]["name"] == bucket["name"]


def test_upsert_with_invalid_config_is_an_error_and_writes_nothing(
    http: httpx.Client, gql: GraphQL, project_name: str
) -> None:
    query = """mutation Two($a: UpsertBucketInput!, $b: UpsertBucketInput!) {
      a: upsertBucket(input: $a) { bucket { id } }
      b: upsertBucket(input: $b) { bucket { id } } }"""
    variables = {
        "a": {"name": "good", "entityName": "admin", "modelName": project_name},
        "b": {"name": "bad", "entityName": "admin", "modelName": project_name, "config": "[1, 2"},
    }
    payload = http.post("/graphql", json={"query": query, "variables": variables}).json()
    message = payload["errors"][0]["message"]
    assert "at 'b.config'" in message
    assert "not JSON (EOF while parsing a list" in message
    data = gql(
        'query($p: String!) { project(name: $p, entityName: "admin") { id } }', p=project_name
    )
    assert data["project"] is None  # the first mutation was rolled back with the second


def test_project_models_and_viewer(upsert: Upsert, gql: GraphQL, project_name: str) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    data = gql(
        """query($p: String!) {
          viewer { id name username entity }
          project(name: $p, entityName: "admin") { id name entityName createdAt isBenchmark
            user { id name } entity { name isTeam } runCount totalRuns }
          models(entityName: "admin", first: 1000) { edges { node { name } } pageInfo { hasNextPage } }
        }""",
        p=project_name,
    )
    assert data["viewer"]["entity"] == "admin"
    project = data["project"]
    assert (project["name"], project["entityName"], project["isBenchmark"]) == (
        project_name,
        "admin",
        False,
    )
    assert project["user"]["name"] == "admin"
    assert project["entity"] == {"name": "admin", "isTeam": False}
    assert project["runCount"] == project["totalRuns"] == 1
    assert project_name in [edge["node"]["name"] for edge in data["models"]["edges"]]


def test_team_entity_is_created_for_the_admin(upsert: Upsert, gql: GraphQL) -> None:
    upsert(name="r", entityName="team-x", modelName="p")
    data = gql(
        '{ entity(name: "team-x") { name isTeam } viewer { teams { edges { node { name } } } } }'
    )
    assert data["entity"] == {"name": "team-x", "isTeam": True}
    assert {"node": {"name": "team-x"}} in data["viewer"]["teams"]["edges"]


def test_runs_filter_order_and_count(upsert: Upsert, gql: GraphQL, project_name: str) -> None:
    for index, (lr, tags) in enumerate([(0.1, ["x"]), (0.01, ["y"]), (0.5, ["x", "y"])]):
        upsert(
            name=f"run-{index}",
            entityName="admin",
            modelName=project_name,
            config=json.dumps({"lr": {"value": lr, "desc": None}}),
            tags=tags,
        )
    filters = json.dumps({"$and": [{"config.lr": {"$gte": 0.05}}, {"tags": "x"}]})
    data = gql(RUNS, project=project_name, filters=filters, order="-config.lr")
    assert _names(data) == ["run-2", "run-0"]
    assert data["project"]["runCount"] == 2
    assert data["project"]["runs"]["totalCount"] == 2
    everything = gql(RUNS, project=project_name, order="+config.lr")
    assert _names(everything) == ["run-1", "run-0", "run-2"]


def test_unsupported_filter_is_an_error_naming_it(
    http: httpx.Client, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    for filters, word in [
        ({"config.lr": {"$near": 1}}, "$near"),
        ({"bogusField": 1}, "bogusField"),
    ]:
        variables = {"project": project_name, "filters": json.dumps(filters)}
        payload = http.post("/graphql", json={"query": RUNS, "variables": variables}).json()
        assert word in payload["errors"][0]["message"]


def test_keyset_cursors_stay_stable_while_runs_are_added(
    upsert: Upsert, gql: GraphQL, project_name: str
) -> None:
    for index in range(7):
        upsert(name=f"r{index}", entityName="admin", modelName=project_name)
    seen: list[str] = []
    after = None
    while True:
        page = gql(RUNS, project=project_name, order="+created_at", first=3, after=after)
        seen.extend(_names(page))
        upsert(name=f"late-{len(seen)}", entityName="admin", modelName=project_name)
        info = page["project"]["runs"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    originals = [name for name in seen if name.startswith("r")]
    assert originals == [f"r{index}" for index in range(7)]
    assert len(seen) == len(set(seen))


def test_delete_run(upsert: Upsert, gql: GraphQL, project_name: str) -> None:
    bucket = upsert(name="doomed", entityName="admin", modelName=project_name)["bucket"]
    gql(
        "mutation($i: DeleteRunInput!) { deleteRun(input: $i) { clientMutationId } }",
        i={"id": bucket["id"]},
    )
    data = gql(RUNS, project=project_name)
    assert data["project"]["runCount"] == 0
