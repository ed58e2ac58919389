"""Helpers for the runs/history end-to-end tests: an Api on the local server, and a
transport that records which GraphQL operations went out (to count requests)."""

from __future__ import annotations

import json

import httpx

from wandb_typed import Api
from wandb_typed_server import RunningServer

ENTITY = "admin"
"""The local server's admin user, whose key the tests use."""


class OperationSpy(httpx.BaseTransport):
    """A real HTTP transport that records the GraphQL ``operationName`` of every request."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self._forward = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/graphql"):
            body = json.loads(request.content or b"{}")
            self.operations.append(str(body.get("operationName")))
        return self._forward.handle_request(request)

    def count(self, operation: str) -> int:
        """How many requests of ``operation`` were sent."""
        return self.operations.count(operation)

    def close(self) -> None:
        self._forward.close()


def api_for(server: RunningServer, spy: OperationSpy | None = None) -> Api:
    """An Api on ``server`` with its admin key (close it after use)."""
    return Api(api_key=server.api_key, overrides={"base_url": server.base_url}, transport=spy)
