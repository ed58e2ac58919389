"""Our async client (``wandb_typed.AsyncApi``) doing a benchmark task, as a user would write
it: list the runs, then ``asyncio.gather`` one ``history()`` per run, so every request is sent
before the first reply is in.

The worker is synchronous, so the client lives with its own event loop: ``open_client``
builds the ``AsyncApi`` on it (outside the measured time, like ``Api(...)`` for the others),
each task runs one coroutine on it, ``close_client`` awaits ``aclose()``. With ``"spy":
true`` in the parameters, requests go through :class:`spy.AsyncRequestSpy` and the task adds
how many were awaiting their reply at once (``max_in_flight``): proof that they overlapped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import wandb_typed
from spy import AsyncRequestSpy
from tasks import history_check

T = TypeVar("T")


@dataclass
class AsyncClient:
    """An ``AsyncApi``, the loop it runs on, and its spy (if any)."""

    api: wandb_typed.AsyncApi
    loop: asyncio.AbstractEventLoop
    spy: AsyncRequestSpy | None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the client's loop to its end."""
        return self.loop.run_until_complete(work)


def open_client(base_url: str, api_key: str, params: dict[str, object]) -> AsyncClient:
    """The ``AsyncApi`` every task uses, built on a new event loop."""
    spy = AsyncRequestSpy() if params.get("spy") else None

    async def build() -> wandb_typed.AsyncApi:
        return wandb_typed.AsyncApi(
            api_key=api_key, overrides={"base_url": base_url}, transport=spy
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return AsyncClient(loop.run_until_complete(build()), loop, spy)


def close_client(client: AsyncClient) -> None:
    """Close the connection pool, then the loop."""
    client.run(client.api.aclose())
    client.loop.close()


def sampled_history(
    client: AsyncClient, params: dict[str, object]
) -> tuple[int, float, dict[str, float]]:
    """``history(samples=..., pandas=False)`` of every run of a project: the runs listed
    first, then all the ``history()`` calls gathered at once."""
    samples = int(str(params["samples"]))

    async def work() -> list[list[dict[str, Any]]]:
        listing = await client.api.runs(str(params["path"]), per_page=int(str(params["per_page"])))
        runs = [run async for run in listing]
        return list(
            await asyncio.gather(*(run.history(samples=samples, pandas=False) for run in runs))
        )

    histories = client.run(work())
    count, check = 0, 0.0
    for rows in histories:
        for row in rows:
            check += history_check(row)
            count += 1
    extra: dict[str, float] = {"runs": len(histories)}
    if client.spy is not None:
        extra["requests"] = client.spy.counts.graphql
        extra["max_in_flight"] = client.spy.counts.max_in_flight
    return count, check, extra
