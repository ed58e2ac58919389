"""The file_stream protocol: history/events by offset, summary replaced, console lines by
index, run end from complete/exitcode, heartbeats, crashed runs."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from wandb_typed_server import RunningServer
from wandb_typed_server.http.file_stream import FileStreamError, parse_file_stream_body
from wandb_typed_server.http.reaper import sweep_crashed_runs

GraphQL = Callable[..., dict[str, Any]]
Upsert = Callable[..., dict[str, Any]]

RUN = """query($p: String!, $n: String!) { project(name: $p, entityName: "admin") { run(name: $n) {
  state exitcode summaryMetrics historyLineCount eventsLineCount logLineCount
  history(samples: 1000) historyTail events } } }"""


def _stream(http: httpx.Client, project: str, run: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(f"/files/admin/{project}/{run}/file_stream", json=body)


def _run(gql: GraphQL, project: str, name: str) -> dict[str, Any]:
    run: dict[str, Any] = gql(RUN, p=project, n=name)["project"]["run"]
    return run


def _history(offset: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"wandb-history.jsonl": {"offset": offset, "content": [json.dumps(x) for x in lines]}}


def test_history_appends_by_offset_and_resends_do_not_duplicate(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    rows = [{"_step": step, "loss": 1 / (step + 1)} for step in range(5)]
    assert _stream(http, project_name, "r", {"files": _history(0, rows[:3])}).json() == {}
    _stream(http, project_name, "r", {"files": _history(2, rows[2:])})  # re-sent line 2
    run = _run(gql, project_name, "r")
    assert [json.loads(line) for line in run["history"]] == rows
    assert run["historyLineCount"] == 5
    assert json.loads(json.loads(run["historyTail"])[-1]) == rows[-1]
    assert run["state"] == "running"


def test_summary_is_replaced_and_console_lines_overwrite(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    files = {
        "wandb-summary.json": {"offset": 0, "content": [json.dumps({"a": 1, "b": 2})]},
        "output.log": {"offset": 0, "content": ["line 0", "progress 10%"]},
        "wandb-events.jsonl": {"offset": 0, "content": [json.dumps({"cpu": 3.5})]},
    }
    _stream(http, project_name, "r", {"files": files})
    files = {
        "wandb-summary.json": {"offset": 0, "content": [json.dumps({"a": 5})]},
        "output.log": {"offset": 1, "content": ["progress 100%", "done"]},
    }
    _stream(http, project_name, "r", {"files": files})
    run = _run(gql, project_name, "r")
    assert json.loads(run["summaryMetrics"]) == {"a": 5}
    assert run["logLineCount"] == 3
    assert run["eventsLineCount"] == 1
    assert [json.loads(line) for line in run["events"]] == [{"cpu": 3.5}]


@pytest.mark.parametrize(("exitcode", "state"), [(0, "finished"), (1, "failed"), (137, "failed")])
def test_complete_sets_the_end_state(
    http: httpx.Client,
    gql: GraphQL,
    upsert: Upsert,
    project_name: str,
    exitcode: int,
    state: str,
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    _stream(http, project_name, "r", {"complete": True, "exitcode": exitcode})
    run = _run(gql, project_name, "r")
    assert (run["state"], run["exitcode"]) == (state, exitcode)


def test_heartbeat_after_the_end_means_resumed(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    _stream(http, project_name, "r", {"complete": True, "exitcode": 0})
    _stream(http, project_name, "r", {})
    assert _run(gql, project_name, "r")["state"] == "running"


@pytest.fixture
def own_server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """A private server: sweeping for crashed runs must not touch other tests' runs."""
    return server_factory()


def _private(server: RunningServer) -> tuple[httpx.Client, GraphQL, Upsert]:
    client = httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=30)

    def gql(query: str, **variables: object) -> dict[str, Any]:
        payload = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in payload, payload
        data: dict[str, Any] = payload["data"]
        return data

    def upsert(**fields: object) -> dict[str, Any]:
        query = "mutation($i: UpsertBucketInput!) { upsertBucket(input: $i) { inserted } }"
        return gql(query, i=fields)

    return client, gql, upsert


def test_silent_running_runs_become_crashed(own_server: RunningServer) -> None:
    http, gql, upsert = _private(own_server)
    upsert(name="alive", entityName="admin", modelName="p")
    upsert(name="done", entityName="admin", modelName="p")
    _stream(http, "p", "done", {"complete": True, "exitcode": 0})
    assert sweep_crashed_runs(own_server.state.db, timeout_seconds=3600) == 0
    sweep_crashed_runs(own_server.state.db, timeout_seconds=0)
    assert _run(gql, "p", "alive")["state"] == "crashed"
    assert _run(gql, "p", "done")["state"] == "finished"
    _stream(http, "p", "alive", {})  # a late heartbeat: the run lives after all
    assert _run(gql, "p", "alive")["state"] == "running"
    http.close()


def test_preempting_then_silent_is_preempted(own_server: RunningServer) -> None:
    http, gql, upsert = _private(own_server)
    upsert(name="r", entityName="admin", modelName="p")
    _stream(http, "p", "r", {"preempting": True})
    assert _run(gql, "p", "r")["state"] == "preempting"
    sweep_crashed_runs(own_server.state.db, timeout_seconds=0)
    assert _run(gql, "p", "r")["state"] == "preempted"
    _stream(http, "p", "r", {})  # the requeued job resumes
    assert _run(gql, "p", "r")["state"] == "running"
    http.close()


def test_unknown_run_is_404(http: httpx.Client, project_name: str) -> None:
    response = _stream(http, project_name, "missing", {})
    assert response.status_code == 404
    assert "missing" in response.text


def test_unknown_entity_is_404_and_creates_nothing(http: httpx.Client, gql: GraphQL) -> None:
    response = http.post("/files/nobody-here/p/r/file_stream", json={})
    assert response.status_code == 404
    assert gql('{ entity(name: "nobody-here") { name } }') == {"entity": None}


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"files": []},
        {"files": {"wandb-history.jsonl": {"offset": -1, "content": []}}},
        {"files": {"wandb-history.jsonl": {"offset": 0, "content": [1]}}},
        {"exitcode": "zero"},
    ],
)
def test_malformed_bodies_are_refused(body: object) -> None:
    with pytest.raises(FileStreamError):
        parse_file_stream_body(body)


def test_non_object_history_line_is_a_400_and_nothing_is_stored(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    files = {
        "wandb-summary.json": {"offset": 0, "content": [json.dumps({"a": 1})]},
        "wandb-history.jsonl": {"offset": 0, "content": ['{"x": 1}', "[1, 2]"]},
    }
    response = _stream(http, project_name, "r", {"files": files})
    assert response.status_code == 400
    run = _run(gql, project_name, "r")
    assert (run["historyLineCount"], run["summaryMetrics"]) == (0, "{}")


def test_gzip_bodies_are_accepted_and_advertised(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    features = gql("{ serverInfo { features { name isEnabled } } }")["serverInfo"]["features"]
    assert {"name": "FILESTREAM_GZIP", "isEnabled": True} in features
    upsert(name="z", entityName="admin", modelName=project_name)
    rows = [{"_step": step, "loss": 1 / (step + 1)} for step in range(50)]
    body = gzip.compress(json.dumps({"files": _history(0, rows)}).encode())
    reply = http.post(
        f"/files/admin/{project_name}/z/file_stream",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    assert [json.loads(line) for line in _run(gql, project_name, "z")["history"]] == rows


@pytest.mark.parametrize(
    ("encoding", "body", "message"),
    [
        ("gzip", b"not gzip at all", "cannot be decompressed"),
        ("br", b"{}", "unsupported Content-Encoding 'br'"),
    ],
)
def test_bodies_that_cannot_be_decoded_are_a_400(
    http: httpx.Client, upsert: Upsert, project_name: str, encoding: str, body: bytes, message: str
) -> None:
    upsert(name="bad-encoding", entityName="admin", modelName=project_name)
    reply = http.post(
        f"/files/admin/{project_name}/bad-encoding/file_stream",
        content=body,
        headers={"Content-Encoding": encoding},
    )
    assert reply.status_code == 400
    assert message in reply.text
