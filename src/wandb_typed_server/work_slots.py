"""How many requests' work runs at once, and how a request gives its slot back while it waits.

A request's work (GraphQL execution, a file_stream batch) is CPU-bound Python under the
interpreter lock, run in a worker thread. Started all at once, several such requests share
the lock and all finish late, together; given a few slots, they finish one after another, so
the first reply is on its way (and its client decoding it) while the next is worked on. A
request waiting for a slot holds no thread.

Work that blocks on something other than the CPU (a history export being built by another
thread) gives its slot back meanwhile with :func:`slot_given_back`, so that the wait never
holds up other requests.

Example:
    >>> import anyio
    >>> slots = WorkSlots(2)
    >>> anyio.run(slots.run, lambda: 6 * 7)
    42
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

__all__ = ["WorkSlots", "slot_given_back"]

T = TypeVar("T")

_held: ContextVar[anyio.Semaphore | None] = ContextVar("wandb_typed_server_work_slot", default=None)


class WorkSlots:
    """At most ``size`` pieces of work at once, each in a worker thread; the others wait
    (without a thread) in the order they came."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a WorkSlots needs at least one slot, got {size}")
        self.size = size
        self._semaphore = anyio.Semaphore(size)

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` in a worker thread once a slot is free; its result."""
        async with self._semaphore:
            token = _held.set(self._semaphore)
            try:
                return await anyio.to_thread.run_sync(work)
            finally:
                _held.reset(token)


@contextmanager
def slot_given_back() -> Iterator[None]:
    """Inside work run by :meth:`WorkSlots.run`: give its slot back for the block (a wait on
    another thread), and take one again after it. Elsewhere it does nothing.

    >>> with slot_given_back():
    ...     pass
    """
    semaphore = _held.get()
    if semaphore is None:
        yield
        return
    anyio.from_thread.run_sync(semaphore.release)
    try:
        yield
    finally:
        anyio.from_thread.run(semaphore.acquire)
