"""Fixtures for talking to the local server over its wire protocol."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wandb_typed_server import RunningServer

GraphQL = Callable[..., dict[str, Any]]
_counter = itertools.count()


@pytest.fixture
def http(local_server: RunningServer) -> Iterator[httpx.Client]:
    """An HTTP client for the session server, authenticated with the admin key."""
    with httpx.Client(
        base_url=local_server.base_url, auth=("api", local_server.api_key), timeout=30
    ) as client:
        yield client


@pytest.fixture
def gql(http: httpx.Client) -> GraphQL:
    """Run a GraphQL document; returns ``data`` and fails the test on any error."""

    def run(query: str, **variables: object) -> dict[str, Any]:
        response = http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    return run


@pytest.fixture
def project_name() -> str:
    """A project name no other test uses (the session server is shared)."""
    return f"proj-{next(_counter)}"


UPSERT = """
mutation Upsert($input: UpsertBucketInput!) {
  upsertBucket(input: $input) { inserted bucket { id name displayName state config
    summaryMetrics tags notes group jobType projectId user { name username } } }
}
"""


@pytest.fixture
def upsert(gql: GraphQL) -> Callable[..., dict[str, Any]]:
    """Create or update a run with upsertBucket; returns the payload."""

    def run(**fields: object) -> dict[str, Any]:
        payload: dict[str, Any] = gql(UPSERT, input=fields)["upsertBucket"]
        return payload

    return run
