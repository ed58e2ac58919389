"""Per-run values of a listed page of runs, read for the whole page at once.

A page of 1,000 runs asking each run's history line count, last system metrics and history
keys one by one is thousands of queries; here the first run that asks reads the value for
every run of its page in one statement (each run an index seek), and the others find it.
A run resolved on its own (``project.run(name)``) is a page of one.

>>> import sqlite3
>>> from wandb_typed_server.storage.history import HISTORY_DDL, append_rows
>>> conn = sqlite3.connect(":memory:")
>>> for ddl in HISTORY_DDL:
...     _ = conn.execute(ddl)
>>> _ = append_rows(conn, 2, "history", 0, ['{"_step": 0}', '{"_step": 1}'])
>>> batch = RunBatch([1, 2])
>>> batch.line_count(conn, 2, "history"), batch.line_count(conn, 1, "history")
(2, 0)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from wandb_typed_server.graphql.nodes import Node, node_pk
from wandb_typed_server.storage.history import (
    Stream,
    history_keys_of_runs,
    last_lines,
    line_counts,
)

__all__ = ["BATCH_KEY", "RunBatch", "run_batch"]

BATCH_KEY = "_batch"
"""Where a run node keeps the :class:`RunBatch` of its page."""


class RunBatch:
    """The runs of one page (by primary key) and what was read for all of them so far."""

    def __init__(self, run_pks: Sequence[int]) -> None:
        self._run_pks = list(run_pks)
        self._line_counts: dict[str, dict[int, int]] = {}
        self._last_events: dict[int, str | None] | None = None
        self._history_keys: dict[int, dict[str, object]] | None = None

    def line_count(self, conn: sqlite3.Connection, run_pk: int, stream: Stream) -> int:
        """How many lines of ``stream`` the run has."""
        counts = self._line_counts.get(stream)
        if counts is None:
            counts = self._line_counts[stream] = line_counts(conn, self._run_pks, stream)
        return counts[run_pk]

    def last_event(self, conn: sqlite3.Connection, run_pk: int) -> str | None:
        """The run's last system-metrics (events) line, if it has one."""
        if self._last_events is None:
            self._last_events = last_lines(conn, self._run_pks, "events")
        return self._last_events[run_pk]

    def history_keys(self, conn: sqlite3.Connection, run_pk: int) -> dict[str, object]:
        """The run's ``historyKeys``."""
        if self._history_keys is None:
            self._history_keys = history_keys_of_runs(conn, self._run_pks)
        return self._history_keys[run_pk]


def run_batch(obj: Node) -> RunBatch:
    """The batch of a run node's page (a page of one for a run resolved on its own)."""
    batch = obj.get(BATCH_KEY)
    return batch if isinstance(batch, RunBatch) else RunBatch([node_pk(obj)])
