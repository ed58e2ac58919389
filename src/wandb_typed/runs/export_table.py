"""A run's whole history as one Arrow table, made column by column from its downloaded
Parquet exports (pure: no requests; ``Run.full_history()``).

The table is the one :func:`wandb_typed.arrow.to_arrow` makes of every row in step order,
without making the rows: each file (one row shape, see :mod:`wandb_typed.runs.export_rows`)
is read with Arrow a few columns at a time, every column is brought to the type the arrow
rule gives it over the whole history (a column missing from a file is nulls; ints beside
floats become floats), the files are concatenated and put in step order (rows sharing a
step in the order they were logged: the files' ``wandb_typed.step_ties``) by one stable
Arrow sort. Only what Arrow cannot type alone goes through Python: nested values (dicts,
lists) become their JSON text file by file (:func:`json_texts`), and a column whose files
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
import bisect
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, cast

from wandb_typed._json import as_array
from wandb_typed._parquet import ParquetColumns
from wandb_typed.arrow import column, json_text, require_pyarrow
from wandb_typed.runs.export_rows import as_step, step_ties

if TYPE_CHECKING:
    import pyarrow

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

    def take(self, indices: pyarrow.UInt64Array) -> AnyChunked: ...


class _Compute(Protocol):
    """The ``pyarrow.compute`` functions used here, with the arguments given (their stubs
    leave the other overloads' types unknown)."""

    def less(self, x: pyarrow.Int64Array, y: pyarrow.Int64Scalar, /) -> pyarrow.BooleanArray: ...

    def greater_equal(
        self, x: pyarrow.Int64Array, y: pyarrow.Int64Array, /
    ) -> pyarrow.BooleanArray: ...

    def all(self, values: pyarrow.BooleanArray, /) -> pyarrow.BooleanScalar: ...

    def sort_indices(
        self,
        input: pyarrow.Table,
        /,
        sort_keys: Sequence[tuple[str, Literal["ascending", "descending"]]],
    ) -> pyarrow.UInt64Array: ...


def _compute() -> _Compute:
    import pyarrow.compute as pc

    return cast("_Compute", pc)


def _functions() -> _Functions:
    import pyarrow as pa

    return cast("_Functions", pa)


def _int64_array(values: list[int]) -> pyarrow.Int64Array:
    """``values`` as an Arrow array, from their bytes: ``pyarrow.array`` of a list imports
    pandas when it is installed (to look for pandas objects), a fifth of a second and tens
    of MB that a table never needs."""
    import pyarrow as pa

    if sys.byteorder != "little":  # pragma: no cover - Arrow's buffers are little-endian
        return pa.array(values, type=pa.int64())
    data = pa.py_buffer(array.array("q", values))
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
    """One export file, open: its columns' types, the sort keys of its rows (those kept:
    below the step the read stops at), its first row's position and logged keys."""

    source: ParquetColumns
    types: dict[str, pyarrow.DataType]
    steps: pyarrow.Int64Array
    lines: pyarrow.Int64Array | None
    keep: pyarrow.BooleanArray | None
    first_keys: list[str]
    first: tuple[int, int]
    loaded: dict[str, AnyChunked] = field(default_factory=dict[str, "AnyChunked"])

    @property
    def rows(self) -> int:
        """How many of its rows are in the table."""
        return len(self.steps)

    def load(self, names: Sequence[str]) -> None:
        """Read those of the columns ``names`` it has, for :meth:`take`."""
        wanted = [name for name in names if name in self.types and name != STEP]
        if wanted:
            table = self.source.read(wanted)  # "a.b" also reads the field b of a struct a
            self.loaded = {name: table.column(name) for name in wanted}

    def take(self, name: str) -> AnyChunked | None:
        """The kept values of its column ``name`` (loaded), None when it has no such column;
        the file keeps no reference to them."""
        if name == STEP and name in self.types:  # read when opened, as ints
            return _functions().chunked_array([self.steps], self.steps.type)
        values = self.loaded.pop(name, None)
        if values is None:
            return None
        return values if self.keep is None else values.filter(self.keep)


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
        order = _order(files)
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
    import pyarrow as pa

    source = ParquetColumns(path)
    try:
        schema = source.schema
        types = dict(zip(schema.names, schema.types, strict=True))
        count = source.row_count
        if STEP not in types:
            steps = _int64_array([0] * count)
        else:
            raw = source.column(STEP)
            if raw.type == pa.int64() and raw.null_count == 0:
                steps = cast("pyarrow.Int64Array", raw.combine_chunks())
            else:  # steps stored as doubles (or missing in rows): ints, as W&B pages them
                logged = cast("_Column", raw).to_pylist()
                steps = _int64_array([as_step(step) for step in logged])
        lines = _tie_lines(steps, step_ties(source.metadata))
        keep = None
        if stop is not None and count:
            keep = _compute().less(steps, pa.scalar(stop, type=pa.int64()))
            steps = steps.filter(keep)
            lines = None if lines is None else lines.filter(keep)
        first = (0, 0)
        if len(steps):
            first = (steps[0].as_py() or 0, 0 if lines is None else lines[0].as_py() or 0)
        first_keys = _first_keys(schema.names, source.metadata)
    except BaseException:
        source.close()
        raise
    return _File(source, types, steps, lines, keep, first_keys, first)


def _tie_lines(steps: pyarrow.Int64Array, ties: dict[int, list[int]]) -> pyarrow.Int64Array | None:
    """The logged line of each row whose step other rows share (else 0), None without ties:
    the rows of a file are in step order, so each tied step's rows are one slice."""
    if not ties:
        return None
    values = [step or 0 for step in steps.to_pylist()]
    lines = [0] * len(values)
    for step, logged in ties.items():
        start = bisect.bisect_left(values, step)
        end = min(bisect.bisect_right(values, step), start + len(logged))
        lines[start:end] = logged[: end - start]
    return _int64_array(lines)


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


def _order(files: Sequence[_File]) -> pyarrow.UInt64Array | None:
    """The row indices of the files concatenated, in step order (then logged order, then
    file order: a stable sort); None when they already are."""
    import pyarrow as pa

    if not files:
        return None
    tied = any(file.lines is not None for file in files)
    if not tied and len(files) == 1:
        steps = files[0].steps
        compute = _compute()
        if len(steps) < 2 or compute.all(compute.greater_equal(steps[1:], steps[:-1])).as_py():
            return None
    keys: list[pyarrow.ChunkedArray[pyarrow.Int64Scalar]] = [
        pa.chunked_array([file.steps for file in files], type=pa.int64())
    ]
    names = ["step"]
    sort_keys: list[tuple[str, Literal["ascending", "descending"]]] = [("step", "ascending")]
    if tied:
        lines = [
            _int64_array([0] * len(file.steps)) if file.lines is None else file.lines
            for file in files
        ]
        keys.append(pa.chunked_array(lines, type=pa.int64()))
        names.append("line")
        sort_keys.append(("line", "ascending"))
    return _compute().sort_indices(pa.Table.from_arrays(keys, names=names), sort_keys=sort_keys)


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
    order: pyarrow.UInt64Array | None,
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
        return _python_column(pieces, files, order, live)
    chunks: list[AnyArray] = []
    for piece, file in zip(pieces, files, strict=True):
        if piece is None or piece.type == pa.null():
            chunks.append(_functions().nulls(file.rows, type=target))
        elif nested:  # dicts and lists (and what sits beside them): their JSON text
            for chunk in piece.chunks:
                chunks.append(_string_array(json_texts(chunk)))
        elif piece.type == target:
            chunks.extend(piece.chunks)
        else:  # ints beside floats: the nearest floats, as float() makes them
            chunks.extend(piece.cast(target, safe=False).chunks)
    functions = _functions()
    whole = functions.chunked_array(chunks, type=target)
    if order is not None:
        whole = cast("_Column", whole).take(order)
    if live:
        tail = functions.nulls(len(live), type=target)
        whole = functions.chunked_array([*whole.chunks, tail], type=target)
    return whole


def _python_column(
    pieces: Sequence[AnyChunked | None],
    files: Sequence[_File],
    order: pyarrow.UInt64Array | None,
    live: list[object],
) -> AnyArray:
    """The column typed from its Python values, in step order (kinds Arrow cannot mix)."""
    values: list[object] = []
    for piece, file in zip(pieces, files, strict=True):
        if piece is None:
            values.extend([None] * file.rows)
        else:
            values.extend(cast("_Column", piece).to_pylist())
    if order is not None:
        values = [values[index] for index in order.to_pylist() if index is not None]
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
