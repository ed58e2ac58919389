"""Replies requested ahead of their consumer, in a chain: each request is sent as soon as
the reply before it says where the next one starts.

A cursor-paginated listing cannot ask for page k+2 before page k+1 has named its end cursor.
If the next request waits until page k+1 has also been validated into models and turned into
objects, the server idles all that time. Here the request function is handed ``on_next``:
it calls it with the next cursor the moment the raw reply is in, so the server works on the
next page while this one is validated. At most ``depth`` replies are held ahead of the
consumer; the chain pauses there and resumes when the consumer takes one.

The async source: requests run as asyncio tasks here, as threads in the generated sync twin.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from wandb_typed._concurrency import AsyncTask, async_spawn

__all__ = ["AsyncReadAhead"]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


class AsyncReadAhead(Generic[K, R]):
    """Background requests keyed by where they start (a cursor), chained by ``on_next``.

    Args:
        request: ``request(key, on_next)`` sends the request starting at ``key`` and returns
            its reply; it calls ``on_next(next_key)`` as soon as it knows the next key (or
            never, at the end). It runs in the background; what it raises is raised by
            :meth:`take`.
        depth: At most this many replies are requested or held and not yet taken.
        name: Names the background tasks.
    """

    def __init__(
        self,
        request: Callable[[K, Callable[[K], None]], Awaitable[R]],
        *,
        depth: int,
        name: str,
    ) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self._request = request
        self._depth = depth
        self._name = name
        self._lock = threading.Lock()  # start() is called from the requests' callbacks
        self._replies: dict[K, AsyncTask[R]] = {}
        self._paused: K | None = None
        """The next key, not requested yet because ``depth`` replies were waiting."""
        self._closed = False

    def start(self, key: K) -> None:
        """Request the reply starting at ``key`` in the background, unless it was already
        requested (no-op) or ``depth`` replies are waiting (then it starts on the next
        :meth:`take`)."""
        with self._lock:
            if self._closed or key in self._replies:
                return
            if len(self._replies) >= self._depth:
                self._paused = key
                return
            self._replies[key] = async_spawn(
                lambda: self._request(key, self.start), name=f"{self._name}-read-ahead"
            )

    async def take(self, key: K) -> R | None:
        """The reply starting at ``key`` (waiting for it), or None if it was never requested
        (then the replies held for other keys belong to another chain and are dropped).

        Raises:
            Whatever the request raised.
        """
        with self._lock:
            task = self._replies.pop(key, None)
            paused, self._paused = self._paused, None
            if task is None:
                self._replies.clear()
                paused = None
        if paused is not None:
            self.start(paused)
        return None if task is None else await task.result()

    def close(self) -> None:
        """Forget every reply (running requests finish on their own; nothing waits)."""
        with self._lock:
            self._closed = True
            self._replies.clear()
            self._paused = None
