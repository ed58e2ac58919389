"""History ingest under concurrent writers and ``kill -9``: every row stored exactly once.

The server runs as ``wandb-typed server`` in a child process. Eight writers (threads, one run
each, as the SDK has one file_stream per run) post history in chunks; the server is killed
with SIGKILL while they write and started again on the same data dir. Each writer then does
what the SDK does on resume: reads its run's ``historyLineCount`` and sends from there (a
chunk whose reply was lost may have been stored or not). At the end every run holds steps
``0 .. N-1`` exactly once, in order, and its line count is N.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.child_server import ChildServer
from server.writer_progress import WriterProgress

pytestmark = pytest.mark.slow

WRITERS = 8
ROWS = 6_000
CHUNK = 500
PROJECT = "durability"
COUNT_QUERY = (
    'query($n: String!) { project(name: "durability", entityName: "admin") {'
    " run(name: $n) { historyLineCount } } }"
)
SCAN_QUERY = (
    'query($n: String!, $min: Int64, $max: Int64) { project(name: "durability",'
    ' entityName: "admin") { run(name: $n) { history(minStep: $min, maxStep: $max,'
    " samples: 1000) } } }"
)


@pytest.fixture
def child_server(tmp_path: Path) -> Iterator[ChildServer]:
    server = ChildServer(tmp_path / "data")
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def _row(step: int) -> str:
    return json.dumps({"_step": step, "loss": 1 / (step + 1), "writer_row": step})


def _graphql(client: httpx.Client, query: str, **variables: object) -> dict[str, object]:
    reply = client.post("/graphql", json={"query": query, "variables": variables})
    reply.raise_for_status()
    data: dict[str, object] = reply.json()["data"]
    return data


def _line_count(client: httpx.Client, name: str) -> int:
    run = _graphql(client, COUNT_QUERY, n=name)["project"]["run"]  # type: ignore[index]
    return int(run["historyLineCount"])  # type: ignore[index]


def _write(
    server: ChildServer,
    name: str,
    stop_at: int | None,
    errors: list[str],
    progress: WriterProgress | None = None,
) -> None:
    """Send the run's rows from its stored line count on; give up at the first failure
    (the server went away) or once ``stop_at`` rows are sent; ``progress`` counts the rows
    acknowledged."""
    end = ROWS if stop_at is None else stop_at
    try:
        with httpx.Client(
            base_url=server.base_url, auth=("api", server.api_key), timeout=60
        ) as client:
            offset = _line_count(client, name)
            while offset < end:
                lines = [_row(step) for step in range(offset, min(end, offset + CHUNK))]
                body = {"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}}
                client.post(f"/files/admin/{PROJECT}/{name}/file_stream", json=body)
                offset += len(lines)
                if progress is not None:
                    progress.add(len(lines))
    except httpx.HTTPError as exc:
        errors.append(f"{name}: {type(exc).__name__}")


def _all_writers(server: ChildServer, stop_at: int | None) -> list[str]:
    errors: list[str] = []
    threads = [
        threading.Thread(target=_write, args=(server, f"run-{i}", stop_at, errors))
        for i in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_and_a_kill_lose_and_duplicate_nothing(
    child_server: ChildServer,
) -> None:
    with httpx.Client(
        base_url=child_server.base_url, auth=("api", child_server.api_key), timeout=60
    ) as client:
        for i in range(WRITERS):
            _graphql(
                client,
                'mutation($n: String) { upsertBucket(input: {entityName: "admin",'
                ' modelName: "durability", name: $n}) { bucket { id } } }',
                n=f"run-{i}",
            )
    _all_writers(child_server, stop_at=ROWS // 3)  # a first part, all acknowledged
    errors: list[str] = []
    # Killed once a third of the rows still to send were acknowledged: mid-flight.
    progress = WriterProgress(threshold=WRITERS * (ROWS - ROWS // 3) // 3)
    writers = [
        threading.Thread(target=_write, args=(child_server, f"run-{i}", None, errors, progress))
        for i in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    assert progress.reached.wait(60)
    child_server.kill()
    for thread in writers:
        thread.join()
    assert errors, "the kill came after every writer had finished: nothing was tested"
    child_server.start()
    assert _all_writers(child_server, stop_at=None) == []
    with httpx.Client(
        base_url=child_server.base_url, auth=("api", child_server.api_key), timeout=60
    ) as client:
        for i in range(WRITERS):
            name = f"run-{i}"
            steps: list[int] = []
            for low in range(0, ROWS, 1000):
                run = _graphql(client, SCAN_QUERY, n=name, min=low, max=low + 1000)
                page = run["project"]["run"]["history"]  # type: ignore[index]
                steps.extend(json.loads(line)["_step"] for line in page)
            assert steps == list(range(ROWS)), name
            assert _line_count(client, name) == ROWS
