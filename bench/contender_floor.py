"""The floor: the GraphQL documents our client sends, posted by a bare ``httpx.Client`` loop
with ``json.loads`` of the reply and of the JSONString fields touched, and no models.
Whatever a client adds on top of this is its own overhead.

The documents come from the runner (read out of the generated client's source), so the
floor sends exactly what our client sends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tasks import artifact_check, config_check, download_root, history_check, summary_check

ARTIFACT_THREADS = 16
"""Files fetched at once by the artifact floor (as many as our client fetches)."""


def open_client(base_url: str, api_key: str, params: dict[str, object]) -> httpx.Client:
    """One keep-alive connection pool with HTTP Basic auth, as our transport has."""
    return httpx.Client(base_url=base_url, auth=("api", api_key), timeout=120.0)


def close_client(client: httpx.Client) -> None:
    """Close the connection pool."""
    client.close()


def _post(client: httpx.Client, document: object, variables: Mapping[str, object]) -> Any:
    name = str(document).split("(", 1)[0].split()[-1]
    body = {"query": document, "operationName": name, "variables": variables}
    reply = client.post("/graphql", json=body)
    reply.raise_for_status()
    return json.loads(reply.content)["data"]


def _unwrap(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        key: item.get("value") if isinstance(item, dict) else item for key, item in stored.items()
    }


def list_runs(client: httpx.Client, params: dict[str, object]) -> tuple[int, float]:
    """``GetRuns`` page by page; ``json.loads`` of each run's config and summary."""
    entity, project = str(params["path"]).split("/")
    count, check = 0, 0.0
    cursor: str | None = None
    while True:
        variables: dict[str, object] = {
            "entity": entity,
            "project": project,
            "filters": "{}",
            "order": "+created_at",
            "cursor": cursor,
            "perPage": params["per_page"],
        }
        runs = _post(client, params["get_runs"], variables)["project"]["runs"]
        for edge in runs["edges"]:
            node = edge["node"]
            config = _unwrap(json.loads(node["config"] or "{}"))
            summary = json.loads(node["summaryMetrics"] or "{}")
            check += config_check(config) + summary_check(summary)
            count += 1
        if not runs["pageInfo"]["hasNextPage"]:
            return count, check
        cursor = runs["pageInfo"]["endCursor"]


def scan_history(client: httpx.Client, params: dict[str, object]) -> tuple[int, float]:
    """``GetRunHistoryKeys`` for the last step, then ``GetRunHistoryPage`` window by window."""
    entity, project, name = str(params["path"]).split("/")
    run = {"entity": entity, "project": project, "name": name}
    keys = _post(client, params["get_history_keys"], run)["project"]["run"]["historyKeys"]
    last_step = int(json.loads(keys)["lastStep"]) if isinstance(keys, str) else keys["lastStep"]
    size = int(str(params["page_size"]))
    count, check = 0, 0.0
    for begin in range(0, last_step + 1, size):
        variables = {**run, "minStep": begin, "maxStep": begin + size, "pageSize": size}
        page = _post(client, params["get_history_page"], variables)["project"]["run"]["history"]
        for line in page:
            check += history_check(json.loads(line))
            count += 1
    return count, check


def download_artifact(client: httpx.Client, params: dict[str, object]) -> tuple[int, float]:
    """``GetArtifactMembership`` for the version's id, ``GetArtifactFiles`` (1,000 per page)
    for the signed URLs, then a GET of each on ``ARTIFACT_THREADS`` threads, its bytes
    written to the file's path under a new folder: no manifest, no md5, no cache, no
    temporary file. The files are checked as every contender's are."""
    entity, project, name = str(params["artifact"]).split("/")
    variables = {"entity": entity, "project": project, "name": name}
    found = _post(client, params["get_artifact"], variables)["project"]
    artifact_id = found["artifactCollectionMembership"]["artifact"]["id"]
    urls: dict[str, str] = {}
    cursor: str | None = None
    while True:
        variables = {"id": artifact_id, "cursor": cursor, "perPage": 1000}
        files = _post(client, params["get_artifact_files"], variables)["artifact"]["files"]
        urls.update((edge["node"]["name"], edge["node"]["directUrl"]) for edge in files["edges"])
        if not files["pageInfo"]["hasNextPage"]:
            break
        cursor = files["pageInfo"]["endCursor"]
    root = download_root()

    def fetch(item: tuple[str, str]) -> None:
        name, url = item
        reply = client.get(url)
        reply.raise_for_status()
        target = root / Path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(reply.content)

    with ThreadPoolExecutor(ARTIFACT_THREADS) as pool:
        list(pool.map(fetch, urls.items()))
    return artifact_check(root, params)
