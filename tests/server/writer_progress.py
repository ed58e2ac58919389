"""When to kill a server under concurrent writers: once they have had a given number of rows
acknowledged, not after a fixed sleep (a faster server let every writer finish within the
sleep, and the kill then tested nothing).

    >>> progress = WriterProgress(threshold=3)
    >>> progress.add(2); progress.reached.is_set()
    False
    >>> progress.add(1); progress.reached.is_set()
    True
"""

from __future__ import annotations

import threading


class WriterProgress:
    """Rows acknowledged across writer threads; ``reached`` is set at ``threshold``."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.reached = threading.Event()
        self._rows = 0
        self._lock = threading.Lock()

    def add(self, rows: int) -> None:
        """Count ``rows`` more acknowledged rows."""
        with self._lock:
            self._rows += rows
            if self._rows >= self.threshold:
                self.reached.set()
