"""The rows of a run's downloaded Parquet history exports, in step order (pure: no requests).

A server may split a run's history over several files (the local server writes one file
per row shape: the keys of a row and the types of its values, so every row reads back with
exactly the keys it was logged with). Each file is in step order; the files are merged by
``_step`` a window at a time: every file's current batch is read as Python columns, the rows
up to the lowest last step among them are ordered (one sort of already sorted runs), and
only those become dicts. Memory holds one batch of columns per file. Rows sharing a step
keep the order they were logged in: a file's metadata ``wandb_typed.step_ties`` gives their
line numbers (``{"step": [line, ...]}``).

Example:
    >>> from wandb_typed._parquet import write_table
    >>> from wandb_typed.arrow import to_arrow
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_table(to_arrow([{"_step": 0, "a": 1}, {"_step": 2, "a": 3}]), folder / "0.parquet")
    >>> write_table(to_arrow([{"_step": 1, "b": "x"}]), folder / "1.parquet")
    >>> rows = ExportRows([folder / "0.parquet", folder / "1.parquet"], batch_rows=1)
    >>> [row for window in rows.windows(None) for row in window], rows.close()
    ([{'_step': 0, 'a': 1}, {'_step': 1, 'b': 'x'}, {'_step': 2, 'a': 3}], None)
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from itertools import chain
from pathlib import Path
from typing import cast

from wandb_typed._json import JSONObject, JSONValue
from wandb_typed._parquet import Columns, RowBatches, read_row_batches

__all__ = [
    "BATCH_ROWS",
    "STEP_TIES_KEY",
    "ExportRows",
    "as_step",
    "row_builder",
    "step_of",
    "step_ties",
]

BATCH_ROWS = 16_384
"""Rows of each file decoded at a time."""

STEP_TIES_KEY = b"wandb_typed.step_ties"
"""File metadata naming the line numbers of rows that share their step with another row."""

RowBuilder = Callable[[Sequence[list[JSONValue]]], list[JSONObject]]


def step_of(row: Mapping[str, object]) -> int:
    """A row's ``_step`` as an int (0 when it has none).

    >>> step_of({"_step": 3}), step_of({"_step": 3.0}), step_of({})
    (3, 3, 0)
    """
    return as_step(row.get("_step"))


def as_step(step: object) -> int:
    """A ``_step`` value as an int, as W&B pages it (0 when it is not a whole number).

    >>> as_step(3), as_step(3.0), as_step(None), as_step(True)
    (3, 3, 0, 0)
    """
    if isinstance(step, bool):
        return 0
    if isinstance(step, int):
        return step
    if isinstance(step, float) and step.is_integer():
        return int(step)
    return 0


@cache
def row_builder(names: tuple[str, ...]) -> RowBuilder:
    """A function making the rows (dicts with keys ``names``) of columns given in that order.

    A dict display with constant keys builds a row about twice as fast as ``dict(zip(...))``,
    so the function is compiled once per set of column names (the names enter the source only
    as ``repr`` literals).

    >>> row_builder(("_step", "a b"))([[0, 1], ["x", None]])
    [{'_step': 0, 'a b': 'x'}, {'_step': 1, 'a b': None}]
    """
    variables = [f"v{index}" for index in range(len(names))]
    entries = ", ".join(f"{name!r}: {var}" for name, var in zip(names, variables, strict=True))
    source = f"lambda columns: [{{{entries}}} for ({', '.join(variables)},) in zip(*columns)]"
    built: RowBuilder = eval(source, {"__builtins__": {"zip": zip}})
    return built


class _Cursor:
    """One file: its current batch as columns, and how far it was taken."""

    def __init__(self, batches: RowBatches) -> None:
        self.batches = batches
        self._iterator: Iterator[Columns] = iter(batches)
        self.names: tuple[str, ...] = ()
        self.columns: list[list[JSONValue]] = []
        self.steps: list[int] = []
        self.position = 0
        self.fixed_steps = False
        self.ties = step_ties(batches.metadata)

    def fill(self) -> bool:
        """Load the next batch when this one is used up; False once the file is."""
        while self.position >= len(self.steps):
            batch = next(self._iterator, None)
            if batch is None:
                return False
            names, self.columns = batch
            self.names = tuple(names)
            count = len(self.columns[0]) if self.columns else 0
            raw = self.columns[self.names.index("_step")] if "_step" in self.names else None
            if raw is not None and set(map(type, raw)) <= {int}:
                self.steps, self.fixed_steps = cast("list[int]", raw), False
            else:  # no step, or steps stored as doubles: ints, as W&B pages them
                self.steps = [as_step(step) for step in raw] if raw else [0] * count
                self.fixed_steps = raw is not None
            self.position = 0
        return True

    def take(self, end: int) -> list[JSONObject]:
        """The rows from the current position to ``end`` (as dicts), and move past them."""
        start, self.position = self.position, end
        rows = row_builder(self.names)([column[start:end] for column in self.columns])
        if self.fixed_steps:
            for row, step in zip(rows, self.steps[start:end], strict=True):
                row["_step"] = step
        return rows

    def tie_lines(self, start: int, end: int) -> list[int]:
        """The logged line numbers of rows ``start:end`` where steps repeat (else 0)."""
        return [
            (lines.pop(0) if (lines := self.ties.get(step)) else 0)
            for step in self.steps[start:end]
        ]


def step_ties(metadata: Mapping[bytes, bytes]) -> dict[int, list[int]]:
    """The line numbers of the file's rows sharing their step, by step (its metadata's
    ``wandb_typed.step_ties``; empty when it has none)."""
    text = metadata.get(STEP_TIES_KEY)
    if not text:
        return {}
    decoded: dict[str, list[int]] = json.loads(text)
    return {int(step): [int(line) for line in lines] for step, lines in decoded.items()}


class ExportRows:
    """The rows of export files ``paths``, merged in step order; ``close()`` when done."""

    def __init__(self, paths: Sequence[Path], *, batch_rows: int = BATCH_ROWS) -> None:
        self._cursors: list[_Cursor] = []
        try:
            for path in paths:
                self._cursors.append(_Cursor(read_row_batches(path, batch_rows=batch_rows)))
        except BaseException:
            self.close()
            raise

    def windows(self, stop: int | None) -> Iterator[list[JSONObject]]:
        """Every row with a step below ``stop`` (all when None), in step order, in lists."""
        while True:
            active = [cursor for cursor in self._cursors if cursor.fill()]
            if not active:
                return
            bound = min(cursor.steps[-1] for cursor in active)
            if stop is not None and bound >= stop:
                bound = stop - 1
            ends = [bisect.bisect_right(c.steps, bound, c.position) for c in active]
            if all(end == c.position for c, end in zip(active, ends, strict=True)):
                return  # every row left is at or past ``stop``
            if len(active) == 1:
                yield active[0].take(ends[0])
                continue
            yield self._merge(active, ends)

    @staticmethod
    def _merge(active: Sequence[_Cursor], ends: Sequence[int]) -> list[JSONObject]:
        """The rows of every file up to its end, in step order (then logged order)."""
        pairs = list(zip(active, ends, strict=True))
        steps = list(chain.from_iterable(c.steps[c.position : end] for c, end in pairs))
        if any(cursor.ties for cursor in active):
            lines = list(chain.from_iterable(c.tie_lines(c.position, end) for c, end in pairs))
            keyed = list(zip(steps, lines, strict=True))
            order = sorted(range(len(keyed)), key=keyed.__getitem__)
        else:
            order = sorted(range(len(steps)), key=steps.__getitem__)
        rows = list(chain.from_iterable(c.take(end) for c, end in pairs))
        return [rows[index] for index in order]

    def close(self) -> None:
        """Close every file."""
        for cursor in self._cursors:
            cursor.batches.close()
        self._cursors = []
