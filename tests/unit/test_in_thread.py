"""``in_thread`` calls its function where it is; its async twin moves it to a worker thread
(the artifact download's file work, so that the event loop is not blocked by it)."""

from __future__ import annotations

import asyncio
import threading

from wandb_typed._concurrency import async_in_thread, in_thread


def test_in_thread_calls_here_and_async_in_thread_in_a_worker_thread() -> None:
    here = threading.get_ident()
    assert in_thread(threading.get_ident) == here
    assert asyncio.run(async_in_thread(threading.get_ident)) != here
    assert asyncio.run(async_in_thread(lambda: 6 * 7)) == 42
