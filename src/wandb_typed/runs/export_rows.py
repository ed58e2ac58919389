"""The rows of a run's downloaded Parquet history exports, in step order (pure: no requests).

A server may split a run's history over several files (the local server writes one file
per row shape: the keys of a row and the types of its values, so every row reads back with
exactly the keys it was logged with). Each file is in step order; the rows of all files are
merged by ``_step``, one batch of each file in memory at a time. Rows sharing a step keep
the order they were logged in: a file's metadata ``wandb_typed.step_ties`` gives their line
numbers (``{"step": [line, ...]}``).

Example:
    >>> from wandb_typed._parquet import write_table
    >>> from wandb_typed.arrow import to_arrow
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_table(to_arrow([{"_step": 0, "a": 1}, {"_step": 2, "a": 3}]), folder / "0.parquet")
    >>> write_table(to_arrow([{"_step": 1, "b": "x"}]), folder / "1.parquet")
    >>> rows = ExportRows([folder / "0.parquet", folder / "1.parquet"])
    >>> list(rows.before(None)), rows.close()
    ([{'_step': 0, 'a': 1}, {'_step': 1, 'b': 'x'}, {'_step': 2, 'a': 3}], None)
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from wandb_typed._json import JSONObject
from wandb_typed._parquet import RowBatches, read_row_batches

__all__ = ["BATCH_ROWS", "STEP_TIES_KEY", "ExportRows", "step_of"]

BATCH_ROWS = 4096
"""Rows of each file decoded at a time."""

STEP_TIES_KEY = b"wandb_typed.step_ties"
"""File metadata naming the line numbers of rows that share their step with another row."""

_Keyed = tuple[int, int, JSONObject]


def step_of(row: Mapping[str, object]) -> int:
    """A row's ``_step`` as an int (0 when it has none).

    >>> step_of({"_step": 3}), step_of({"_step": 3.0}), step_of({})
    (3, 3, 0)
    """
    step = row.get("_step")
    if isinstance(step, bool):
        return 0
    if isinstance(step, int):
        return step
    if isinstance(step, float) and step.is_integer():
        return int(step)
    return 0


def _ties(metadata: Mapping[bytes, bytes]) -> dict[int, list[int]]:
    text = metadata.get(STEP_TIES_KEY)
    if not text:
        return {}
    decoded: dict[str, list[int]] = json.loads(text)
    return {int(step): [int(line) for line in lines] for step, lines in decoded.items()}


class ExportRows:
    """The rows of export files ``paths``, merged in step order; ``close()`` when done."""

    def __init__(self, paths: Sequence[Path], *, batch_rows: int = BATCH_ROWS) -> None:
        self._files: list[RowBatches] = []
        try:
            for path in paths:
                self._files.append(read_row_batches(path, batch_rows=batch_rows))
        except BaseException:
            self.close()
            raise

    def before(self, stop: int | None) -> Iterator[JSONObject]:
        """Every row with a step below ``stop`` (all rows when None), in step order."""
        streams = [self._keyed(batches) for batches in self._files]
        merged: Iterator[_Keyed] = (
            streams[0] if len(streams) == 1 else heapq.merge(*streams, key=_order)
        )
        for step, _, row in merged:
            if stop is not None and step >= stop:
                return
            if isinstance(row.get("_step"), float):  # W&B may store steps as doubles
                row["_step"] = step
            yield row

    @staticmethod
    def _keyed(batches: RowBatches) -> Iterator[_Keyed]:
        ties = _ties(batches.metadata)
        for rows in batches:
            for row in rows:
                step = step_of(row)
                lines = ties.get(step)
                yield step, (lines.pop(0) if lines else 0), row

    def close(self) -> None:
        """Close every file."""
        for batches in self._files:
            batches.close()
        self._files = []


def _order(item: _Keyed) -> tuple[int, int]:
    return item[0], item[1]
