"""Helpers for the end-to-end tests: a sync Api for setting up a server's data, and a
transport (sync and async) that records which GraphQL operations went out (to count
requests in either flavour)."""

from __future__ import annotations

import json

import httpx

from wandb_typed import Api
from wandb_typed_server import RunningServer

ENTITY = "admin"
"""The local server's admin user, whose key the tests use."""


class OperationSpy(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A real HTTP transport that records the GraphQL ``operationName`` of every request;
    ``Api(transport=spy)`` and ``AsyncApi(transport=spy)`` both take it."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        # Made on first use: a flavour sends through one of them only (each loads CA files).
        self._forward: httpx.HTTPTransport | None = None
        self._forward_async: httpx.AsyncHTTPTransport | None = None

    def _record(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/graphql"):
            body = json.loads(request.content or b"{}")
            self.operations.append(str(body.get("operationName")))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._record(request)
        self._forward = self._forward or httpx.HTTPTransport()
        return self._forward.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._record(request)
        self._forward_async = self._forward_async or httpx.AsyncHTTPTransport()
        return await self._forward_async.handle_async_request(request)

    def count(self, operation: str) -> int:
        """How many requests of ``operation`` were sent."""
        return self.operations.count(operation)

    def close(self) -> None:
        if self._forward is not None:
            self._forward.close()

    async def aclose(self) -> None:
        if self._forward_async is not None:
            await self._forward_async.aclose()


def api_for(server: RunningServer, spy: OperationSpy | None = None) -> Api:
    """A sync Api on ``server`` with its admin key, for setting data up (close it after use);
    tests themselves use the ``api``/``make_api`` fixtures, which run both flavours."""
    return Api(api_key=server.api_key, overrides={"base_url": server.base_url}, transport=spy)
