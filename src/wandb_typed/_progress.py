"""A one-line progress bar on a terminal, silent otherwise (logs and pipes stay clean).

Example:
    >>> progress = Progress("downloading", total=10, enabled=False)
    >>> progress.advance(4); progress.done
    4
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts bytes (or items) done and redraws at most five times a second."""

    def __init__(
        self,
        label: str,
        *,
        total: int,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        unit: str = "MB",
    ) -> None:
        self._unit = unit
        """``"MB"`` counts bytes (shown in MB); any other unit counts items (``"runs"``)."""
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._label = label
        self.total = total
        self.done = 0
        self._drawn_at = 0.0
        self._lock = threading.Lock()

    def advance(self, amount: int) -> None:
        with self._lock:
            self.done += amount
            now = time.monotonic()
            if self._enabled and (now - self._drawn_at >= 0.2 or self.done >= self.total):
                self._drawn_at = now
                share = self.done / self.total if self.total else 1.0
                bar = "#" * int(share * 30)
                counts = (
                    f"{self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB"
                    if self._unit == "MB"
                    else f"{self.done}/{self.total} {self._unit}"
                )
                self._stream.write(f"\r{self._label} [{bar:<30}] {share:6.1%} ({counts})")
                self._stream.flush()

    def close(self) -> None:
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()
