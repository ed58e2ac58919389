"""History rows written as Parquet the way wandb-core reads W&B's exports back.

wandb-core (wandb 0.31.0's ``Run.scan_history``) reads every column of an export file as a
key of each row, a null cell included (it becomes ``None``), and needs a ``_step`` column in
steps order in every file. A run whose rows hold different keys (``loss`` every step,
``val_acc`` every hundred) would read back with ``None`` in the keys a row never logged if
its rows shared one file. So the rows are grouped by *shape*: their keys and the Arrow type
of each value (nested dicts are structs, lists are lists); each shape is one file, holding
exactly the keys its rows have. Read back, every row is the row that was logged.

A value Parquet cannot hold as it was logged (an int beyond int64, an empty dict, a list
mixing types, a string that is not UTF-8, a row without an int ``_step``) makes the history
:class:`NotExportable`: the run is then served by paging, never with altered values.

Rows go to the files in batches (one row group per batch and shape), so memory stays
bounded by a batch however long the run.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> writer = ShapeWriter(folder, prefix="s0")
>>> writer.add(0, 0, {"_step": 0, "loss": 0.5})
>>> writer.add(1, 1, {"_step": 1, "loss": float("nan"), "val": {"acc": 1}})
>>> sorted(path.name for path in writer.close())
['s0-000.parquet', 's0-001.parquet']
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

__all__ = [
    "BATCH_ROWS",
    "COMPRESSION",
    "FIRST_KEYS_METADATA_KEY",
    "MAX_SHAPES",
    "TIES_METADATA_KEY",
    "NotExportable",
    "ShapeWriter",
    "column_encodings",
]

BATCH_ROWS = 50_000
"""Rows held before they are written (one row group per shape holding rows)."""

MAX_SHAPES = 128
"""Files (shapes) one export may have; a history with more is served by paging."""

TIES_METADATA_KEY = "wandb_typed.step_ties"
"""File metadata: the line numbers of rows whose step another row of the run shares, so a
reader merging the files puts them in the order they were logged (``{step: [line, ...]}``)."""

FIRST_KEYS_METADATA_KEY = "wandb_typed.first_row_keys"
"""File metadata: the keys of the file's first row in the order they were logged (a JSON
list; the file's columns are sorted), so a reader can order a whole history's columns by
first appearance as the logged rows do."""

COMPRESSION = "lz4"
"""The files' codec (pyarrow writes Parquet's LZ4_RAW): with :func:`column_encodings`, the
million-row export of ``bench/parquet_history.py`` is 6 MB instead of the 30 MB of snappy on
plain pages, and decodes in less than half the time; wandb-core reads it."""


def column_encodings(schema: pyarrow.Schema) -> dict[str, str]:
    """How each top-level number column is encoded: floats byte-stream-split (each byte
    of the values in a stream of its own: a metric's sign and exponent bytes barely change
    from row to row, so they compress to almost nothing), ints as deltas (steps, epochs,
    counters). No dictionary pages anywhere: a metric's floats rarely repeat, so the
    dictionary fills and Parquet falls back to plain pages anyway, carrying both.

    >>> import pyarrow as pa
    >>> column_encodings(pa.schema({"_step": pa.int64(), "loss": pa.float64(), "x": pa.string()}))
    {'_step': 'DELTA_BINARY_PACKED', 'loss': 'BYTE_STREAM_SPLIT'}

    A column named like a struct's field (``a.b`` beside a struct ``a``) keeps plain pages:
    an encoding is given by column path, which would name both.
    """
    pa = _pa()
    encodings: dict[str, str] = {}
    for column in schema:
        if "." in column.name and column.name.split(".")[0] in schema.names:
            continue  # "a.b" would also name the field b of a struct a
        if pa.types.is_floating(column.type):
            encodings[column.name] = "BYTE_STREAM_SPLIT"
        elif pa.types.is_integer(column.type):
            encodings[column.name] = "DELTA_BINARY_PACKED"
    return encodings


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class NotExportable(Exception):
    """A history row that Parquet cannot hold as it was logged (the message says why)."""


@cache
def _pa() -> Any:
    return importlib.import_module("pyarrow")


@cache
def _pq() -> Any:
    return importlib.import_module("pyarrow.parquet")


def _scalar_type(value: object) -> pyarrow.DataType | None:
    pa = _pa()
    kind = type(value)
    if kind is float:
        return pa.float64()  # type: ignore[no-any-return]
    if kind is int:
        if not _INT64_MIN <= value <= _INT64_MAX:  # type: ignore[operator]
            raise NotExportable(f"the int {value} does not fit in 64 bits")
        return pa.int64()  # type: ignore[no-any-return]
    if kind is str:
        return pa.string()  # type: ignore[no-any-return]
    if kind is bool:
        return pa.bool_()  # type: ignore[no-any-return]
    if value is None:
        return pa.null()  # type: ignore[no-any-return]
    return None


def value_type(value: object) -> pyarrow.DataType:
    """The Arrow type holding ``value`` exactly (structs for dicts, lists of one type).

    >>> str(value_type({"b": [1, None], "a": "x"}))
    'struct<a: string, b: list<item: int64>>'
    """
    found = _scalar_type(value)
    if found is not None:
        return found
    pa = _pa()
    if isinstance(value, dict):
        entries = sorted(value.items())
        if not entries:
            raise NotExportable("an empty dict has no Parquet type")
        return pa.struct([(str(key), value_type(item)) for key, item in entries])  # type: ignore[no-any-return]
    if isinstance(value, list):
        item_type = pa.null()
        for item in value:
            found = value_type(item)
            if found == item_type or found == pa.null():
                continue
            if item_type != pa.null():
                raise NotExportable(f"a list mixes {item_type} and {found}")
            item_type = found
        return pa.list_(item_type)  # type: ignore[no-any-return]
    raise NotExportable(f"a value of type {type(value).__name__}")


def _signature(value: object) -> Hashable:
    """What decides ``value``'s Arrow type, cheaply hashable (no Arrow object made): equal
    signatures, equal types.

    >>> _signature({"b": [1, None], "a": 0.5}) == _signature({"a": 1.5, "b": [2]})
    False
    """
    kind = type(value)
    if kind is dict:
        items = cast("dict[str, object]", value)
        return ("dict", tuple(sorted((key, _signature(item)) for key, item in items.items())))
    if kind is list:
        items_of = cast("list[object]", value)
        return ("list", frozenset(_signature(item) for item in items_of))
    return kind.__name__


@dataclass
class _Shape:
    """One file: the rows of one shape (keys and value types), buffered between row groups."""

    path: Path
    keys: list[str]
    schema: pyarrow.Schema
    first_keys: list[str]
    buffered: list[Mapping[str, object]] = field(default_factory=list[Mapping[str, object]])
    writer: pyarrow.parquet.ParquetWriter | None = None
    ties: dict[int, list[int]] = field(default_factory=dict[int, list[int]])
    rows: int = 0


_Quick = tuple[tuple[str, ...], tuple[type, ...]]


class ShapeWriter:
    """Writes rows given in step order to one Parquet file per shape under ``folder``.

    Files are named ``<prefix>-<shape number>.parquet`` in the order their shape first
    appears. :meth:`close` writes what is buffered and returns the files' paths (written
    under temporary names until then: a failed export leaves no half file behind).
    """

    def __init__(self, folder: Path, *, prefix: str, batch_rows: int = BATCH_ROWS) -> None:
        self._folder = folder
        self._prefix = prefix
        self._batch_rows = batch_rows
        self._quick: dict[_Quick, _Shape] = {}
        self._exact: dict[tuple[tuple[str, ...], tuple[Hashable, ...]], _Shape] = {}
        self._files: list[_Shape] = []
        self._buffered = 0
        self._last_step: int | None = None
        self._last: tuple[int, _Shape] | None = None

    @property
    def rows(self) -> int:
        """How many rows were added."""
        return sum(shape.rows for shape in self._files)

    def add(self, step: int, line_no: int, row: Mapping[str, object]) -> None:
        """Add the row logged at ``line_no`` with step ``step`` (rows come in step order).

        Raises:
            NotExportable: the row cannot be held as logged, or the shapes are too many.
        """
        logged_step = row.get("_step")
        if type(logged_step) is not int or logged_step != step:
            raise NotExportable(f"history line {line_no} has no int _step equal to its step")
        quick = (tuple(row), tuple(map(type, row.values())))
        shape = self._quick.get(quick)
        if shape is None:
            shape = self._shape_of(row, quick)
        shape.buffered.append(row)
        shape.rows += 1
        if step == self._last_step:
            self._note_tie(step, line_no, shape)
        self._last_step = step
        self._last = (line_no, shape)
        self._buffered += 1
        if self._buffered >= self._batch_rows:
            self.flush()

    def _note_tie(self, step: int, line_no: int, shape: _Shape) -> None:
        if self._last is not None:
            last_line, last_shape = self._last
            lines = last_shape.ties.setdefault(step, [])
            if last_line not in lines:
                lines.append(last_line)
        shape.ties.setdefault(step, []).append(line_no)

    def _shape_of(self, row: Mapping[str, object], quick: _Quick) -> _Shape:
        pa = _pa()
        # ``_step`` first, then plain values, then dicts (structs): wandb-core's keyed reads
        # project columns by Arrow field index as if it were the Parquet leaf index, which
        # only agree up to the first struct (a struct has a leaf per field).
        keys = sorted(row, key=lambda key: (key != "_step", type(row[key]) is dict, key))
        exact = (tuple(keys), tuple(_signature(row[key]) for key in keys))
        shape = self._exact.get(exact)
        if shape is None:
            types = tuple(value_type(row[key]) for key in keys)
            if len(self._files) >= MAX_SHAPES:
                raise NotExportable(f"the rows have more than {MAX_SHAPES} shapes")
            name = f"{self._prefix}-{len(self._files):03d}.parquet"
            schema = pa.schema(list(zip(keys, types, strict=True)))
            shape = _Shape(self._folder / name, keys, schema, first_keys=list(row))
            self._exact[exact] = shape
            self._files.append(shape)
        if dict not in quick[1] and list not in quick[1]:  # nested values: typed row by row
            self._quick[quick] = shape
        return shape

    def flush(self) -> None:
        """Write the buffered rows (a row group per shape holding some)."""
        pa, pq = _pa(), _pq()
        for shape in self._files:
            if not shape.buffered:
                continue
            try:
                table = pa.Table.from_pylist(shape.buffered, schema=shape.schema)
            except (pa.ArrowException, OverflowError, UnicodeError) as error:
                raise NotExportable(f"Arrow refused a value: {error}") from None
            if shape.writer is None:
                shape.writer = pq.ParquetWriter(
                    str(_temporary(shape.path)),
                    shape.schema,
                    compression=COMPRESSION,
                    use_dictionary=False,
                    column_encoding=column_encodings(shape.schema),
                )
            shape.writer.write_table(table)
            shape.buffered = []
        self._buffered = 0

    def close(self) -> list[Path]:
        """Write what is left, finish the files and return their paths in shape order."""
        self.flush()
        for shape in self._files:
            writer = shape.writer
            if writer is None:  # pragma: no cover - every shape holds a row
                continue
            metadata = {FIRST_KEYS_METADATA_KEY: json.dumps(shape.first_keys)}
            if shape.ties:
                metadata[TIES_METADATA_KEY] = json.dumps(shape.ties)
            writer.add_key_value_metadata(metadata)
            writer.close()
            _temporary(shape.path).replace(shape.path)
        return [shape.path for shape in self._files]

    def discard(self) -> None:
        """Drop the files written so far (an export that failed)."""
        for shape in self._files:
            if shape.writer is not None:
                shape.writer.close()
            _temporary(shape.path).unlink(missing_ok=True)


def _temporary(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")
