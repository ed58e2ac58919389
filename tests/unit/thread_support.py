"""Waiting for the background threads a test started (prefetches, read-aheads)."""

from __future__ import annotations

import threading


def join_threads(suffix: str) -> None:
    """Wait until no thread whose name ends with ``suffix`` is alive, including threads
    such a thread starts before it ends (a read-ahead chain)."""
    while alive := [t for t in threading.enumerate() if t.name.endswith(suffix)]:
        for thread in alive:
            thread.join(timeout=5)
