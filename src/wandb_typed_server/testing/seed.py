"""Fill a running server with runs through the public wire protocol only.

Runs are created with GraphQL ``upsertBucket`` (many per request, as aliases), files with
``createRunFiles`` + signed PUTs, and history/summary/end state with ``file_stream`` POSTs
(history sent in large batches). Nothing here touches the database directly, so whatever
this creates is what the official SDK could have created.

>>> seed_runs(server.base_url, server.api_key, "demo", "mnist", [  # doctest: +SKIP
...     SeedRun("run-1", config={"lr": 0.1}, history=[{"loss": 1.0}, {"loss": 0.5}]),
... ])
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

_TIMEOUT = httpx.Timeout(120.0, connect=10.0)


class SeedError(RuntimeError):
    """The server refused part of the seed."""


@dataclass(frozen=True)
class SeedRun:
    """One run to create. ``config`` is plain (``{"lr": 0.1}``); ``summary`` defaults to the
    last value of every history key, as the SDK computes it; ``exitcode`` None leaves the
    run "running"."""

    name: str
    config: Mapping[str, object] = field(default_factory=dict)
    history: Sequence[Mapping[str, object]] = ()
    summary: Mapping[str, object] | None = None
    tags: Sequence[str] = ()
    group: str | None = None
    job_type: str | None = None
    display_name: str | None = None
    notes: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)
    exitcode: int | None = 0


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=True)


def history_lines(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """History rows as the SDK sends them: JSON lines with ``_step`` filled in."""
    return [_dumps({"_step": index, **row}) for index, row in enumerate(rows)]


def default_summary(rows: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """The last value of every key over the history rows (the SDK's default summary)."""
    summary: dict[str, object] = {}
    for index, row in enumerate(rows):
        summary.update({"_step": index, **row})
    return summary


def _upsert_input(entity: str, project: str, run: SeedRun) -> dict[str, object]:
    return {
        "name": run.name,
        "entityName": entity,
        "modelName": project,
        "config": _dumps(
            {key: {"value": value, "desc": None} for key, value in run.config.items()}
        ),
        "tags": list(run.tags),
        "groupName": run.group,
        "jobType": run.job_type,
        "displayName": run.display_name,
        "notes": run.notes,
    }


def _chunks(items: Sequence[SeedRun], size: int) -> Iterator[Sequence[SeedRun]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Seeder:
    def __init__(self, client: httpx.Client, entity: str, project: str, batch_lines: int) -> None:
        self.client = client
        self.entity = entity
        self.project = project
        self.batch_lines = batch_lines

    def graphql(self, query: str, variables: dict[str, object]) -> dict[str, object]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        if response.status_code != 200:
            raise SeedError(f"GraphQL HTTP {response.status_code}: {response.text[:500]}")
        payload = response.json()
        if payload.get("errors"):
            raise SeedError(f"GraphQL errors: {payload['errors']}")
        data: dict[str, object] = payload["data"]
        return data

    def upsert(self, runs: Sequence[SeedRun]) -> None:
        declarations = ", ".join(f"$i{index}: UpsertBucketInput!" for index in range(len(runs)))
        selections = " ".join(
            f"r{index}: upsertBucket(input: $i{index}) {{ bucket {{ id }} }}"
            for index in range(len(runs))
        )
        variables: dict[str, object] = {
            f"i{index}": _upsert_input(self.entity, self.project, run)
            for index, run in enumerate(runs)
        }
        self.graphql(f"mutation SeedRuns({declarations}) {{ {selections} }}", variables)

    def file_stream(self, run: SeedRun, body: dict[str, object]) -> None:
        path = f"/files/{quote(self.entity)}/{quote(self.project)}/{quote(run.name)}/file_stream"
        response = self.client.post(
            path, content=_dumps(body), headers={"Content-Type": "application/json"}
        )
        if response.status_code != 200:
            raise SeedError(
                f"file_stream for {run.name}: HTTP {response.status_code} {response.text}"
            )

    def upload_files(self, run: SeedRun) -> None:
        names = list(run.files)
        data = self.graphql(
            "mutation SeedFiles($input: CreateRunFilesInput!) {"
            " createRunFiles(input: $input) { files { name uploadUrl } } }",
            {
                "input": {
                    "entityName": self.entity,
                    "projectName": self.project,
                    "runName": run.name,
                    "files": names,
                }
            },
        )
        created = data["createRunFiles"]
        assert isinstance(created, dict)
        for entry in created["files"]:
            response = httpx.put(
                entry["uploadUrl"], content=run.files[entry["name"]], timeout=_TIMEOUT
            )
            if response.status_code != 200:
                raise SeedError(f"upload of {entry['name']}: HTTP {response.status_code}")

    def stream_run(self, run: SeedRun) -> None:
        if run.files:
            self.upload_files(run)
        lines = history_lines(run.history)
        batches = max(1, math.ceil(len(lines) / self.batch_lines))
        summary = dict(run.summary) if run.summary is not None else default_summary(run.history)
        for batch in range(batches):
            start = batch * self.batch_lines
            files: dict[str, object] = {}
            if lines:
                files["wandb-history.jsonl"] = {
                    "offset": start,
                    "content": lines[start : start + self.batch_lines],
                }
            body: dict[str, object] = {"files": files}
            if batch == batches - 1:
                files["wandb-summary.json"] = {"offset": 0, "content": [_dumps(summary)]}
                if run.exitcode is not None:
                    body.update(complete=True, exitcode=run.exitcode)
            self.file_stream(run, body)


def seed_runs(
    base_url: str,
    api_key: str,
    entity: str,
    project: str,
    runs: Sequence[SeedRun],
    *,
    upsert_batch: int = 100,
    batch_lines: int = 10_000,
    workers: int = 4,
) -> None:
    """Create ``runs`` in ``entity/project`` through GraphQL and file_stream.

    Upserts go ``upsert_batch`` runs per GraphQL request, history ``batch_lines`` lines per
    file_stream POST, and runs are streamed by ``workers`` threads.

    >>> seed_runs(url, key, "demo", "p", [SeedRun(f"r{i}", config={"i": i}) for i in range(10)])  # doctest: +SKIP
    """
    limits = httpx.Limits(max_connections=workers + 1, max_keepalive_connections=workers + 1)
    with httpx.Client(
        base_url=base_url, auth=("api", api_key), timeout=_TIMEOUT, limits=limits
    ) as client:
        seeder = _Seeder(client, entity, project, batch_lines)
        for chunk in _chunks(runs, upsert_batch):
            seeder.upsert(chunk)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(seeder.stream_run, runs):
                pass
