"""A run's whole history as one Arrow table, made column by column from its downloaded
Parquet exports (pure: no requests; ``Run.full_history()``).

The table is the one :func:`wandb_typed.arrow.to_arrow` makes of every row in step order,
without making the rows: each file (one row shape, see :mod:`wandb_typed.runs.export_rows`)
is read with Arrow a few columns at a time, every column is brought to the type the arrow
rule gives it over the whole history (a column missing from a file is nulls; ints beside
floats become floats), the files are concatenated and put in step order (rows sharing a
step in the order they were logged: the files' ``wandb_typed.step_ties``) by one stable
sort, with numpy on the columns' buffers (:mod:`wandb_typed.runs.export_take`: no
``pyarrow.compute``, whose import alone costs a fifth of the read). Only what Arrow cannot
type alone goes through Python: nested values (dicts, lists) become their JSON text file by
file (:func:`json_texts`), and a column whose files
hold kinds that do not mix (``1`` in one, ``"a"`` in another) is typed from its values by
the same rule as :func:`~wandb_typed.arrow.to_arrow`.

The columns come in order of first appearance, as ``to_arrow`` orders rows' keys: a key first
appears in the first row of some file, whose logged key order the local server writes in the
file's metadata (``wandb_typed.first_row_keys``; a file without it gives its column order).

Rows not exported yet (``live_rows``, every step at or past ``stop``) come after the exported
ones; a column holding values among them is typed from all its values in Python.

Example:
    >>> from wandb_typed._parquet import write_table
    >>> from wandb_typed.arrow import to_arrow
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_table(to_arrow([{"_step": 0, "a": 1}, {"_step": 2, "a": 3}]), folder / "0.parquet")
    >>> write_table(to_arrow([{"_step": 1, "a": 0.5, "b": "x"}]), folder / "1.parquet")
    >>> history_table([folder / "0.parquet", folder / "1.parquet"]).to_pydict()
    {'_step': [0, 1, 2], 'a': [1.0, 0.5, 3.0], 'b': [None, 'x', None]}
"""

from __future__ import annotations

import array
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias, cast

from wandb_typed._json import as_array
from wandb_typed._parquet import ParquetColumns
from wandb_typed.arrow import column, json_text, require_pyarrow
from wandb_typed.runs.export_rows import as_step, step_ties
from wandb_typed.runs.export_take import (
    arrow_buffer,
    concatenated,
    gather,
    gathers,
    int64_values,
    stable_order,
)

if TYPE_CHECKING:
    import numpy
    import pyarrow
    from numpy.typing import NDArray

    from wandb_typed.runs.export_take import Index, Part

__all__ = ["FIRST_ROW_KEYS_KEY", "history_table", "json_texts"]

FIRST_ROW_KEYS_KEY = b"wandb_typed.first_row_keys"
"""File metadata naming the keys of the file's first row in the order they were logged."""

STEP = "_step"

COLUMNS_AT_ONCE = 4
"""Columns of every file read together: Arrow decodes them in parallel (reading one at a
time takes half as long again), while memory holds only those of the whole files."""

if TYPE_CHECKING:
    AnyArray: TypeAlias = pyarrow.Array[pyarrow.Scalar[pyarrow.DataType]]
    AnyChunked: TypeAlias = pyarrow.ChunkedArray[pyarrow.Scalar[pyarrow.DataType]]


class _Functions(Protocol):
    """The ``pyarrow`` functions called with a type known only at run time (the stubs
    overload them per type, and match no call with a plain ``DataType``)."""

    def chunked_array(self, arrays: Sequence[AnyArray], type: pyarrow.DataType) -> AnyChunked: ...

    def nulls(self, size: int, type: pyarrow.DataType) -> AnyArray: ...


class _Column(Protocol):
    """A column of a type known only at run time, as this module uses it."""

    def to_pylist(self) -> list[object]: ...

    def take(self, indices: pyarrow.Int64Array) -> AnyChunked: ...


def _functions() -> _Functions:
    import pyarrow as pa

    return cast("_Functions", pa)


def _int64_array(values: list[int] | NDArray[numpy.int64]) -> pyarrow.Int64Array:
    """``values`` as an Arrow array, from their bytes: ``pyarrow.array`` of a list (or of an
    ndarray) imports pandas when it is installed (to look for pandas objects), a fifth of a
    second and tens of MB that a table never needs."""
    import pyarrow as pa

    if sys.byteorder != "little":  # pragma: no cover - Arrow's buffers are little-endian
        return pa.array(values, type=pa.int64())
    data = (
        pa.py_buffer(array.array("q", values)) if isinstance(values, list) else arrow_buffer(values)
    )
    return cast("pyarrow.Int64Array", pa.Array.from_buffers(pa.int64(), len(values), [None, data]))


def _string_array(texts: list[str | None]) -> pyarrow.StringArray:
    """``texts`` as an Arrow string array, from their bytes (see :func:`_int64_array`)."""
    import pyarrow as pa

    encoded = [b"" if text is None else text.encode() for text in texts]
    offsets = list(accumulate(map(len, encoded), initial=0))
    if sys.byteorder != "little" or offsets[-1] >= 2**31:  # pragma: no cover - rare
        return pa.array(texts, type=pa.string())
    nulls = texts.count(None)
    validity = None
    if nulls:
        bits = bytearray((len(texts) + 7) // 8)
        for index, text in enumerate(texts):
            if text is not None:
                bits[index >> 3] |= 1 << (index & 7)
        validity = pa.py_buffer(bits)
    buffers = [validity, pa.py_buffer(array.array("i", offsets)), pa.py_buffer(b"".join(encoded))]
    built = pa.Array.from_buffers(pa.string(), len(texts), buffers, null_count=nulls)
    return cast("pyarrow.StringArray", built)


@dataclass
class _File:
    """One export file, open: its columns' types, the sort keys of its rows, which of them
    are kept (those below the step the read stops at; None: all), its first kept row's
    position and its first row's logged keys."""

    source: ParquetColumns
    types: dict[str, pyarrow.DataType]
    steps: NDArray[numpy.int64]
    lines: NDArray[numpy.int64] | None
    keep: Index | None
    first_keys: list[str]
    first: tuple[int, int]
    loaded: dict[str, AnyChunked] = field(default_factory=dict[str, "AnyChunked"])

    @property
    def count(self) -> int:
        """How many rows it has."""
        return len(self.steps)

    @property
    def rows(self) -> int:
        """How many of its rows are in the table."""
        return self.count if self.keep is None else len(self.keep)

    def kept(self, values: NDArray[numpy.int64]) -> NDArray[numpy.int64]:
        """The kept rows of ``values`` (one per row of the file)."""
        return values if self.keep is None else values[self.keep]

    def load(self, names: Sequence[str]) -> None:
        """Read those of the columns ``names`` it has, for :meth:`take`."""
        wanted = [name for name in names if name in self.types and name != STEP]
        if wanted:
            table = self.source.read(wanted)  # "a.b" also reads the field b of a struct a
            self.loaded = {name: table.column(name) for name in wanted}

    def take(self, name: str) -> list[Part]:
        """The values of its column ``name`` (loaded), every row (see :func:`_selection`),
        as chunks, or the count of its rows when it has no such column; the file keeps no
        reference to them."""
        if name == STEP and name in self.types:  # read when opened, as ints
            return [_int64_array(self.steps)]
        values = self.loaded.pop(name, None)
        if values is None:
            return [self.count]
        return list(values.chunks)


def history_table(
    paths: Sequence[Path],
    *,
    stop: int | None = None,
    live_rows: Sequence[Mapping[str, object]] = (),
) -> pyarrow.Table:
    """Every row of the export files ``paths`` with a step below ``stop`` (all when None), then
    ``live_rows``, as ``to_arrow`` makes them into a table (see the module).

    The files are read :data:`COLUMNS_AT_ONCE` columns at a time: memory holds the table
    being made, the files' sort keys and those columns of the files."""
    require_pyarrow()
    import pyarrow as pa

    opened: list[_File] = []
    try:
        for path in paths:
            opened.append(_open(path, stop))
        files = [file for file in opened if file.rows]
        names = _column_order(files, live_rows)
        order = _selection(files)
        pool = pa.default_memory_pool()
        columns: list[AnyArray | AnyChunked] = []
        for start in range(0, len(names), COLUMNS_AT_ONCE):
            group = names[start : start + COLUMNS_AT_ONCE]
            for file in files:
                file.load(group)
            for name in group:
                columns.append(_history_column(name, files, order, live_rows))
            # the files' values of these columns are garbage now: give their memory back, so
            # the next ones do not land beside it (a tenth less peak memory, ~0.1 ms)
            pool.release_unused()
    finally:
        for file in opened:
            file.source.close()
    return pa.Table.from_arrays(columns, names=names)


def _open(path: Path, stop: int | None) -> _File:
    import numpy as np
    import pyarrow as pa

    source = ParquetColumns(path)
    try:
        schema = source.schema
        types = dict(zip(schema.names, schema.types, strict=True))
        count = source.row_count
        if STEP not in types:
            steps = np.zeros(count, dtype=np.int64)
        else:
            raw = source.column(STEP)
            if raw.type == pa.int64() and raw.null_count == 0:
                steps = int64_values(raw.chunks)
            else:  # steps stored as doubles (or missing in rows): ints, as W&B pages them
                logged = cast("_Column", raw).to_pylist()
                steps = np.array([as_step(step) for step in logged], dtype=np.int64)
        lines = _tie_lines(steps, step_ties(source.metadata))
        keep = None
        if stop is not None and count:
            below = steps < stop
            if not bool(below.all()):
                keep = np.flatnonzero(below).astype(np.int64, copy=False)
        first = (0, 0)
        if keep is None or len(keep):
            row = 0 if keep is None else int(keep[0])
            first = (int(steps[row]), 0 if lines is None else int(lines[row]))
        first_keys = _first_keys(schema.names, source.metadata)
    except BaseException:
        source.close()
        raise
    return _File(source, types, steps, lines, keep, first_keys, first)


def _tie_lines(
    steps: NDArray[numpy.int64], ties: dict[int, list[int]]
) -> NDArray[numpy.int64] | None:
    """The logged line of each row whose step other rows share (else 0), None without ties:
    the rows of a file are in step order, so each tied step's rows are one slice."""
    import numpy as np

    if not ties:
        return None
    lines = np.zeros(len(steps), dtype=np.int64)
    for step, logged in ties.items():
        start = int(np.searchsorted(steps, step, side="left"))
        end = min(int(np.searchsorted(steps, step, side="right")), start + len(logged))
        lines[start:end] = logged[: end - start]
    return lines


def _first_keys(names: list[str], metadata: Mapping[bytes, bytes]) -> list[str]:
    """The keys of the file's first row as logged (its metadata's), else its column order."""
    text = metadata.get(FIRST_ROW_KEYS_KEY)
    logged = as_array(json.loads(text)) if text else None
    if logged is not None:
        keys = [str(key) for key in logged]
        if sorted(keys) == sorted(names):
            return keys
    return list(names)


def _column_order(files: Sequence[_File], live_rows: Sequence[Mapping[str, object]]) -> list[str]:
    """The keys of the rows in step order, by first appearance: a file's keys first appear in
    its first row, so the files' first rows in step order (then file order) decide."""
    seen: dict[str, None] = {}
    for index in sorted(range(len(files)), key=lambda index: (files[index].first, index)):
        for key in files[index].first_keys:
            seen.setdefault(key, None)
    for row in live_rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _selection(files: Sequence[_File]) -> Index | None:
    """The rows of the table, as indices into the files' rows concatenated (every row of
    each, kept or not): the kept rows in step order (then logged order, then file order: a
    stable sort); None when that is every row in file order."""
    import numpy as np

    if not files:
        return None
    steps = np.concatenate([file.kept(file.steps) for file in files])
    lines = None
    if any(file.lines is not None for file in files):
        lines = np.concatenate(
            [
                np.zeros(file.rows, dtype=np.int64) if file.lines is None else file.kept(file.lines)
                for file in files
            ]
        )
    order = stable_order(steps, lines)
    if all(file.keep is None for file in files):
        return order
    starts = accumulate((file.count for file in files), initial=0)
    kept = np.concatenate(
        [
            np.arange(start, start + file.count, dtype=np.int64)
            if file.keep is None
            else file.keep + start
            for start, file in zip(starts, files, strict=False)
        ]
    )
    return kept if order is None else kept[order]


def _target(kinds: set[pyarrow.DataType]) -> pyarrow.DataType | None:
    """The type of a column whose files hold ``kinds`` (nested ones left out, null columns
    too), None when only the values can tell (typed in Python)."""
    import pyarrow as pa

    if not kinds:
        return pa.null()
    if kinds <= {pa.int64()}:
        return pa.int64()
    if kinds <= {pa.int64(), pa.float64()}:
        return pa.float64()
    if kinds in ({pa.string()}, {pa.bool_()}):
        return next(iter(kinds))
    return None


def _history_column(
    name: str,
    files: Sequence[_File],
    order: Index | None,
    live_rows: Sequence[Mapping[str, object]],
) -> AnyArray | AnyChunked:
    """The column ``name`` of the whole history, in step order, typed by the arrow rule."""
    import pyarrow as pa

    kinds: set[pyarrow.DataType] = {
        kind for file in files if (kind := file.types.get(name)) is not None
    }
    if name == STEP:
        kinds = {pa.int64()}  # every file's steps are ints (see _open)
    kinds.discard(pa.null())
    pieces = [file.take(name) for file in files]
    live = [row.get(name) for row in live_rows]
    nested = any(pa.types.is_nested(kind) for kind in kinds)
    target = pa.string() if nested else _target(kinds)
    if target is None or any(value is not None for value in live):
        return _python_column(pieces, order, live)
    parts: list[Part] = []
    for piece in pieces:
        for chunk in piece:
            if isinstance(chunk, int) or chunk.type == pa.null():
                parts.append(chunk if isinstance(chunk, int) else len(chunk))
            elif nested:  # dicts and lists (and what sits beside them): their JSON text
                parts.append(_string_array(json_texts(chunk)))
            else:
                parts.append(chunk)
    functions = _functions()
    whole: AnyArray | AnyChunked
    if order is None:
        whole = functions.chunked_array(concatenated(parts, target), type=target)
    elif target == pa.null():
        whole = functions.nulls(len(order), type=target)
    elif gathers(target):
        whole = gather(parts, target, order)
    else:  # pragma: no cover - a big-endian machine: Arrow's take
        unordered = functions.chunked_array(concatenated(parts, target), type=target)
        whole = cast("_Column", unordered).take(_int64_array(order))
    if live:
        tail = functions.nulls(len(live), type=target)
        chunks = whole.chunks if isinstance(whole, pa.ChunkedArray) else [whole]
        whole = functions.chunked_array([*chunks, tail], type=target)
    return whole


def _python_column(
    pieces: Sequence[Sequence[Part]], order: Index | None, live: list[object]
) -> AnyArray:
    """The column typed from its Python values, in step order (kinds Arrow cannot mix)."""
    values: list[object] = []
    for piece in pieces:
        for chunk in piece:
            if isinstance(chunk, int):
                values.extend([None] * chunk)
            else:
                values.extend(cast("_Column", chunk).to_pylist())
    if order is not None:
        values = [values[index] for index in order.tolist()]
    return column(values + live)


class _Struct(Protocol):
    """A struct array as :func:`json_texts` reads it."""

    def flatten(self) -> list[AnyArray]: ...


class _StructType(Protocol):
    """A struct type as :func:`json_texts` reads it (the stubs lack ``names``)."""

    @property
    def names(self) -> list[str]: ...


class _List(Protocol):
    """A list array as :func:`json_texts` reads it."""

    @property
    def offsets(self) -> pyarrow.Int32Array: ...

    @property
    def values(self) -> AnyArray: ...


_FLOAT_TEXTS: dict[str, str | None] = {
    "nan": "NaN",
    "inf": "Infinity",
    "-inf": "-Infinity",
    "None": None,
}
"""The ``repr`` of the floats (and of None) that ``json.dumps`` writes otherwise."""


def json_texts(values: AnyArray) -> list[str | None]:
    """Each value's JSON text as :func:`wandb_typed.arrow.json_text` writes it (keys
    sorted, NaN as ``NaN``; a null stays None), made field by field: a struct's fields and a
    list's items are formatted as whole columns, then joined row by row, a fraction of the
    cost of a ``json.dumps`` per value.

    >>> import pyarrow as pa
    >>> json_texts(pa.array([{"b": [1, None], "a": float("nan")}, None, {"b": [], "a": 2.5}]))
    ['{"a": NaN, "b": [1, null]}', None, '{"a": 2.5, "b": []}']
    """
    import pyarrow as pa

    kind = values.type
    python = cast("_Column", values)
    texts: list[str | None]
    if pa.types.is_struct(kind) and kind.num_fields:
        names = cast("_StructType", kind).names
        order = sorted(range(len(names)), key=names.__getitem__)
        children = cast("_Struct", values).flatten()  # the parent's offset and nulls applied
        fields = [_items(json_texts(children[index])) for index in order]
        entries = (f"{_braces(encode_basestring_ascii(names[index]))}: {{}}" for index in order)
        template = "{{" + ", ".join(entries) + "}}"  # braces doubled: literal in a template
        texts = [template.format(*row) for row in zip(*fields, strict=True)]
    elif pa.types.is_list(kind):
        listed = cast("_List", values)
        bounds = listed.offsets.to_pylist()
        items = _items(json_texts(listed.values))
        texts = [
            "[" + ", ".join(items[start or 0 : end or 0]) + "]" for start, end in pairwise(bounds)
        ]
    elif kind == pa.float64():
        floats = cast("list[float | None]", python.to_pylist())
        return [_FLOAT_TEXTS.get(text, text) for text in map(repr, floats)]
    else:  # ints, strings, booleans...: each value as Python gives it
        return [json_text(value) for value in python.to_pylist()]
    if values.null_count:  # a null dict or list: None, not a text of its fields
        present = python.to_pylist()
        texts = [
            None if value is None else text for text, value in zip(texts, present, strict=True)
        ]
    return texts


def _items(texts: list[str | None]) -> list[str]:
    """Texts of the values inside a dict or a list: a null is ``null`` there."""
    return ["null" if text is None else text for text in texts]


def _braces(text: str) -> str:
    """``text`` as literal text of a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")
