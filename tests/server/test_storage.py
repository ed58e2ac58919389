"""Durability: restarts, concurrent writers, no half-written state."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from wandb_typed_server import RunningServer
from wandb_typed_server.storage.blobs import BlobStore

ServerFactory = Callable[..., RunningServer]

SNAPSHOT = """{ project(name: "p", entityName: "admin") { runCount
  runs(first: 100) { edges { node { name state config summaryMetrics tags historyLineCount
    history(samples: 100) files { edges { node { name md5 sizeBytes } } } } } } } }"""


def _client(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=60)


def _upsert(client: httpx.Client, name: str, **fields: object) -> None:
    response = client.post(
        "/graphql",
        json={
            "query": "mutation($i: UpsertBucketInput!) { upsertBucket(input: $i) { inserted } }",
            "variables": {"i": {"name": name, "entityName": "admin", "modelName": "p", **fields}},
        },
    )
    assert "errors" not in response.json(), response.text


def _append(
    client: httpx.Client, run: str, offset: int, rows: Sequence[Mapping[str, object]]
) -> None:
    body = {
        "files": {
            "wandb-history.jsonl": {"offset": offset, "content": [json.dumps(r) for r in rows]}
        }
    }
    response = client.post(f"/files/admin/p/{run}/file_stream", json=body)
    assert response.status_code == 200, response.text


def test_restart_serves_the_same_data(server_factory: ServerFactory, tmp_path: Path) -> None:
    key = "b" * 40
    first = server_factory(tmp_path / "data", api_key=key)
    with _client(first) as client:
        _upsert(client, "r1", config=json.dumps({"a": {"value": 1, "desc": None}}), tags=["t"])
        _append(client, "r1", 0, [{"_step": step, "x": step} for step in range(10)])
        created = client.post(
            "/graphql",
            json={
                "query": "mutation($i: CreateRunFilesInput!) { createRunFiles(input: $i) { files { uploadUrl } } }",
                "variables": {
                    "i": {
                        "entityName": "admin",
                        "projectName": "p",
                        "runName": "r1",
                        "files": ["f.txt"],
                    }
                },
            },
        ).json()
        assert (
            httpx.put(
                created["data"]["createRunFiles"]["files"][0]["uploadUrl"], content=b"hi"
            ).status_code
            == 200
        )
        client.post("/files/admin/p/r1/file_stream", json={"complete": True, "exitcode": 0})
        before = client.post("/graphql", json={"query": SNAPSHOT}).json()
    first.stop()
    second = server_factory(tmp_path / "data", api_key=key)
    with _client(second) as client:
        after = client.post("/graphql", json={"query": SNAPSHOT}).json()
    assert after == before
    assert before["data"]["project"]["runCount"] == 1
    assert before["data"]["project"]["runs"]["edges"][0]["node"]["historyLineCount"] == 10


def test_concurrent_writers_lose_nothing(server_factory: ServerFactory) -> None:
    server = server_factory()
    writers, batches, rows_per_batch = 6, 15, 20

    def write(index: int) -> None:
        with _client(server) as client:
            run = f"run-{index}"
            _upsert(client, run)
            for batch in range(batches):
                offset = batch * rows_per_batch
                rows = [{"_step": offset + i, "w": index} for i in range(rows_per_batch)]
                _append(client, run, offset, rows)
                _upsert(client, f"extra-{index}-{batch}")

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))
    with _client(server) as client:
        data = client.post(
            "/graphql",
            json={
                "query": '{ project(name: "p", entityName: "admin") { runCount runs(first: 1000) { edges { node { name historyLineCount } } } } }'
            },
        ).json()["data"]["project"]
    assert data["runCount"] == writers * (batches + 1)
    counts = {
        edge["node"]["name"]: edge["node"]["historyLineCount"] for edge in data["runs"]["edges"]
    }
    for index in range(writers):
        assert counts[f"run-{index}"] == batches * rows_per_batch


def test_failed_upload_leaves_no_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")
    target = store.path_for("e", "p", "r", "big.bin")

    def chunks() -> Iterator[bytes]:
        yield b"first half"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.write_atomic(target, chunks())
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_upload_replaces_atomically(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")
    target = store.path_for("e", "p", "r", "a.txt")
    store.write_atomic(target, [b"one"])
    blob = store.write_atomic(target, [b"two", b"three"])
    assert target.read_bytes() == b"twothree"
    assert blob.size_bytes == 8
    assert [path.name for path in target.parent.iterdir()] == ["a.txt"]
