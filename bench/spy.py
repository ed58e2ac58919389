"""Transport spies for our client (``Api(transport=...)``/``AsyncApi(transport=...)``): they
count what the client sends, so a benchmark can show that a cached download sends no file
request and that ``asyncio.gather`` really has several requests awaiting their reply at once.

Each spy wraps httpx's own transport (the one the client builds when given none) and adds one
counter update per request, microseconds against a loopback round trip.

    >>> spy = RequestSpy(httpx.MockTransport(lambda request: httpx.Response(200)))
    >>> with httpx.Client(transport=spy) as client:
    ...     _ = client.post("http://x/graphql"), client.get("http://x/files/a")
    >>> spy.counts.graphql, spy.counts.other, spy.counts.max_in_flight
    (1, 1, 1)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

GRAPHQL_PATH = "/graphql"


@dataclass
class Counts:
    """Requests seen so far, and the most that were awaiting their reply at the same time."""

    graphql: int = 0
    other: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def start(self, request: httpx.Request) -> None:
        if request.url.path == GRAPHQL_PATH:
            self.graphql += 1
        else:
            self.other += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def finish(self) -> None:
        self.in_flight -= 1


class RequestSpy(httpx.BaseTransport):
    """Counts the requests of a sync client (thread-safe: downloads run in threads)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.counts = Counts()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.counts.start(request)
        try:
            return self.inner.handle_request(request)
        finally:
            with self._lock:
                self.counts.finish()

    def close(self) -> None:
        self.inner.close()


class AsyncRequestSpy(httpx.AsyncBaseTransport):
    """Counts the requests of an async client; in flight: sent, headers not yet in."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.counts = Counts()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.counts.start(request)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.counts.finish()

    async def aclose(self) -> None:
        await self.inner.aclose()
