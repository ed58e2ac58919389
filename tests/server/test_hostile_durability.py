"""Concurrent writers with readers, and ``kill -9`` mid-logging and mid-upload (issue 15):
every row read back exactly once, ``PRAGMA integrity_check`` ok, no temporary file survives.

(``test_ingest_durability.py`` kills writers alone; here readers run beside the writers, and
the kill lands while a signed upload is half sent.)
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.child_server import ChildServer
from server.writer_progress import WriterProgress
from wandb_typed_server import start_in_thread

pytestmark = pytest.mark.slow

WRITERS = 8
STEPS = 2_000
CHUNK = 100
PROJECT = "hostile-durability"
UPSERT = (
    'mutation($n: String) { upsertBucket(input: {entityName: "admin",'
    f' modelName: "{PROJECT}", name: $n}}) {{ bucket {{ id }} }} }}'
)
COUNT = (
    f'query($n: String!) {{ project(name: "{PROJECT}", entityName: "admin") {{'
    " run(name: $n) { historyLineCount } } }"
)
PAGE = (
    f'query($n: String!, $min: Int64, $max: Int64) {{ project(name: "{PROJECT}",'
    ' entityName: "admin") { run(name: $n) { history(minStep: $min, maxStep: $max,'
    " samples: 5000) } } }"
)
CREATE_FILES = (
    'mutation($n: String!) { createRunFiles(input: {entityName: "admin",'
    f' projectName: "{PROJECT}", runName: $n, files: ["big.bin"]}}) {{ files {{ uploadUrl }} }} }}'
)


def _data(client: httpx.Client, query: str, **variables: object) -> dict[str, object]:
    reply = client.post("/graphql", json={"query": query, "variables": variables})
    reply.raise_for_status()
    payload = reply.json()
    assert "errors" not in payload, payload
    data: dict[str, object] = payload["data"]
    return data


def _count(client: httpx.Client, name: str) -> int:
    return int(_data(client, COUNT, n=name)["project"]["run"]["historyLineCount"])  # type: ignore[index]


def _steps(client: httpx.Client, name: str) -> list[int]:
    lines = _data(client, PAGE, n=name, min=0, max=STEPS)["project"]["run"]["history"]  # type: ignore[index]
    return [json.loads(line)["_step"] for line in lines]  # type: ignore[union-attr]


def _write(
    base_url: str,
    key: str,
    name: str,
    errors: list[str],
    progress: WriterProgress | None = None,
) -> None:
    """Log steps from the stored line count on (what the SDK does on resume); ``progress``
    counts the rows acknowledged."""
    try:
        with httpx.Client(base_url=base_url, auth=("api", key), timeout=60) as client:
            offset = _count(client, name)
            while offset < STEPS:
                lines = [
                    json.dumps({"_step": step, "loss": 1 / (step + 1)})
                    for step in range(offset, min(STEPS, offset + CHUNK))
                ]
                body = {"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}}
                reply = client.post(f"/files/admin/{PROJECT}/{name}/file_stream", json=body)
                reply.raise_for_status()
                offset += len(lines)
                if progress is not None:
                    progress.add(len(lines))
    except httpx.HTTPError as exc:
        errors.append(f"{name}: {type(exc).__name__}")


def _writers(
    base_url: str, key: str, errors: list[str], progress: WriterProgress | None = None
) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=_write, args=(base_url, key, f"run-{i}", errors, progress))
        for i in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    return threads


def _integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "server.sqlite3") as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _temp_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.rglob(".upload-*.tmp"))


def test_eight_writers_with_readers_every_row_read_back_once(tmp_path: Path) -> None:
    with (
        start_in_thread(tmp_path) as server,
        httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=60) as client,
    ):
        for i in range(WRITERS):
            _data(client, UPSERT, n=f"run-{i}")
        errors: list[str] = []
        problems: list[str] = []
        done = threading.Event()
        reads = [0]

        def read() -> None:
            with httpx.Client(
                base_url=server.base_url, auth=("api", server.api_key), timeout=60
            ) as reader:
                seen = [0] * WRITERS
                while not done.is_set():
                    for i in range(WRITERS):
                        count = _count(reader, f"run-{i}")
                        steps = _steps(reader, f"run-{i}")
                        reads[0] += 1
                        if count < seen[i]:
                            problems.append(f"run-{i}: count {count} after {seen[i]}")
                        if steps != list(range(len(steps))):
                            problems.append(f"run-{i}: steps not 0..n-1 once each")
                        seen[i] = count

        readers = [threading.Thread(target=read) for _ in range(2)]
        for thread in readers:
            thread.start()
        for thread in _writers(server.base_url, server.api_key, errors):
            thread.join()
        done.set()
        for thread in readers:
            thread.join()
        assert errors == []
        assert problems == []
        assert reads[0] > WRITERS  # the readers read while the writers wrote
        for i in range(WRITERS):
            assert _steps(client, f"run-{i}") == list(range(STEPS))
            assert _count(client, f"run-{i}") == STEPS
    assert _integrity(tmp_path) == "ok"


@pytest.fixture
def cli_server(tmp_path: Path) -> Iterator[ChildServer]:
    server = ChildServer(tmp_path / "data", "7" * 40)
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def test_kill_nine_mid_logging_and_mid_upload_loses_nothing_and_leaves_no_temp_file(
    cli_server: ChildServer,
) -> None:
    with httpx.Client(
        base_url=cli_server.base_url, auth=("api", cli_server.api_key), timeout=60
    ) as client:
        for i in range(WRITERS):
            _data(client, UPSERT, n=f"run-{i}")
        upload_url = _data(client, CREATE_FILES, n="run-0")["createRunFiles"]["files"][0][  # type: ignore[index]
            "uploadUrl"
        ]
    half_sent = threading.Event()

    def slow_body() -> Iterator[bytes]:
        for index in range(1000):
            yield b"x" * 65536
            if index == 20:
                half_sent.set()
            time.sleep(0.01)

    def upload() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
            httpx.put(upload_url, content=slow_body(), timeout=60)

    uploader = threading.Thread(target=upload)
    uploader.start()
    errors: list[str] = []
    # The writers start once the upload is half sent (it goes on for seconds); the kill
    # comes when a third of their rows were acknowledged: both are mid-flight.
    assert half_sent.wait(30)
    progress = WriterProgress(threshold=WRITERS * STEPS // 3)
    writers = _writers(cli_server.base_url, cli_server.api_key, errors, progress)
    assert progress.reached.wait(60)
    cli_server.kill()
    for thread in writers:
        thread.join()
    uploader.join()
    assert errors, "the kill came after every writer had finished: nothing was tested"
    assert _temp_files(cli_server.data_dir), "the kill left no upload half written"
    cli_server.start()
    assert _temp_files(cli_server.data_dir) == []
    second: list[str] = []
    for thread in _writers(cli_server.base_url, cli_server.api_key, second):
        thread.join()
    assert second == []
    with httpx.Client(
        base_url=cli_server.base_url, auth=("api", cli_server.api_key), timeout=60
    ) as client:
        for i in range(WRITERS):
            assert _steps(client, f"run-{i}") == list(range(STEPS)), f"run-{i}"
            assert _count(client, f"run-{i}") == STEPS
    cli_server.stop()
    assert _integrity(cli_server.data_dir) == "ok"
    assert _temp_files(cli_server.data_dir) == []
