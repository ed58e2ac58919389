"""One fake GraphQL server for unit tests: an ``httpx`` transport (sync and async) that
answers operations by name, so a domain's client code can be tested before the local server
serves it.

Example:
    >>> from wandb_typed import Api
    >>> fake = FakeGraphQL()
    >>> fake.on("GetViewer", {"viewer": None})
    >>> api = Api(api_key="k" * 40, overrides={"base_url": "http://fake"}, transport=fake)
    >>> api.client.get_viewer().viewer is None
    True
    >>> fake.calls
    [Call(operation='GetViewer', variables={})]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["Call", "FakeGraphQL"]

Answer = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]
"""The reply's ``data``, or a function of the variables that returns it."""


@dataclass(frozen=True)
class Call:
    """One operation the fake received."""

    operation: str
    variables: dict[str, Any] = field(default_factory=dict)


class FakeGraphQL(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers ``POST /graphql`` by operation name with the data registered by :meth:`on`.

    An operation nobody registered gets a GraphQL error naming it, so a test fails with the
    name of the operation it did not expect. Every call is recorded in :attr:`calls`.
    """

    def __init__(self) -> None:
        self._answers: dict[str, list[tuple[Answer, tuple[Mapping[str, Any], ...]]]] = {}
        self.calls: list[Call] = []

    def on(self, operation: str, data: Answer, *, errors: Sequence[Mapping[str, Any]] = ()) -> None:
        """Answer ``operation`` with ``data`` (and ``errors``) from now on."""
        self._answers.setdefault(operation, []).insert(0, (data, tuple(errors)))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/graphql":
            return httpx.Response(404, json={"error": f"no such path {request.url.path}"})
        body = json.loads(request.content)
        operation = body.get("operationName") or "(anonymous)"
        variables = body.get("variables") or {}
        self.calls.append(Call(operation, variables))
        answers = self._answers.get(operation)
        if not answers:
            message = f"the fake server has no answer for operation {operation}"
            return httpx.Response(200, json={"data": None, "errors": [{"message": message}]})
        data, errors = answers[0]
        payload = data(variables) if callable(data) else data
        reply: dict[str, Any] = {"data": dict(payload)}
        if errors:
            reply["errors"] = [dict(error) for error in errors]
        return httpx.Response(200, json=reply)
