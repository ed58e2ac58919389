"""Arrow columns put together and reordered with numpy on their buffers (pure; for
:mod:`wandb_typed.runs.export_table`).

``pyarrow.compute`` would do it (``concat``, ``take``, ``cast``), but its first use imports the
module, which builds hundreds of Python wrappers: a twelfth of a second, a fifth of the whole
read of a million-row history. numpy comes with pyarrow, already imported, and does the same
on the columns' buffers: values gathered by fancy indexing, bits unpacked and packed back,
strings by their offsets. The arrays are made from those buffers (``pyarrow.array`` of a
list or an ndarray would import pandas when installed).

A column comes in *parts*, each an Arrow array or a count of null rows (a file lacking the
column); :func:`gather` gives row ``index[i]`` of the parts concatenated as its row ``i``.

Example:
    >>> import numpy as np
    >>> import pyarrow as pa
    >>> parts = [pa.array([1, None, 3]), 2, pa.array([0.5])]
    >>> gather(parts, pa.float64(), np.array([5, 0, 3, 2, 1])).to_pylist()
    [0.5, 1.0, None, 3.0, None]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar, cast

if TYPE_CHECKING:
    import numpy
    import pyarrow
    from numpy.typing import NDArray

    AnyArray: TypeAlias = pyarrow.Array[pyarrow.Scalar[pyarrow.DataType]]
    AnyChunked: TypeAlias = pyarrow.ChunkedArray[pyarrow.Scalar[pyarrow.DataType]]
    Part: TypeAlias = AnyArray | int
    Index: TypeAlias = NDArray[numpy.int64]
    Mask: TypeAlias = NDArray[numpy.bool_]

__all__ = [
    "arrow_buffer",
    "as_float",
    "concatenated",
    "gather",
    "gathers",
    "int64_values",
    "stable_order",
]

_Number = TypeVar("_Number", bound="numpy.generic")


class _Nulls(Protocol):
    """``pyarrow.nulls`` with a type known only at run time (its stubs overload it per type)."""

    def nulls(self, size: int, type: pyarrow.DataType) -> AnyArray: ...


MAX_STRING_BYTES = 2**31 - 1
"""The most bytes a ``string`` array holds (its offsets are 32-bit)."""


def gathers(kind: pyarrow.DataType) -> bool:
    """Whether :func:`gather` makes columns of type ``kind`` (the others: ``pyarrow.compute``)."""
    import pyarrow as pa

    return sys.byteorder == "little" and kind in (pa.int64(), pa.float64(), pa.bool_(), pa.string())


def gather(parts: Sequence[Part], kind: pyarrow.DataType, index: Index) -> AnyArray | AnyChunked:
    """Row ``index[i]`` of ``parts`` concatenated as row ``i``, an array of type ``kind``
    (int64, float64, bool, or string: see :func:`gathers`); int64 parts of a float64 column
    become the nearest floats, as ``float()`` makes them."""
    import pyarrow as pa

    if kind == pa.string():
        return _gather_strings(parts, index)
    return _gather_fixed(parts, kind, index)


def concatenated(parts: Sequence[Part], kind: pyarrow.DataType) -> list[AnyArray]:
    """The chunks of ``parts`` one after the other as type ``kind`` (no copy but of int64
    parts of a float64 column, made floats)."""
    import pyarrow as pa

    chunks: list[AnyArray] = []
    for part in parts:
        if isinstance(part, int):
            chunks.append(cast("_Nulls", pa).nulls(part, type=kind))
        elif part.type == kind:
            chunks.append(part)
        else:
            chunks.append(as_float(part))
    return chunks


def as_float(values: AnyArray) -> AnyArray:
    """An int64 array as float64, each value the nearest float (``float(value)``)."""
    import numpy as np
    import pyarrow as pa

    floats = np.zeros(values.offset + len(values), dtype=np.float64)  # the validity's offset
    floats[values.offset :] = _fixed(values, np.dtype(np.int64))
    buffers = [values.buffers()[0] if values.null_count else None, arrow_buffer(floats)]
    return pa.Array.from_buffers(
        pa.float64(), len(values), buffers, null_count=values.null_count, offset=values.offset
    )


def arrow_buffer(values: NDArray[numpy.generic]) -> pyarrow.Buffer:
    """The memory of ``values`` (contiguous) as an Arrow buffer, without a copy."""
    import pyarrow as pa

    return pa.py_buffer(values.data)


def int64_values(chunks: Sequence[AnyArray]) -> NDArray[numpy.int64]:
    """The values of int64 ``chunks`` without nulls, one after the other."""
    import numpy as np

    int64 = np.dtype(np.int64)
    pieces = [_fixed(chunk, int64) for chunk in chunks]
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)


def stable_order(steps: NDArray[numpy.int64], lines: NDArray[numpy.int64] | None) -> Index | None:
    """The indices of the rows by ``steps`` then ``lines``, rows with equal keys in their
    order (a stable sort); None when the rows already are in that order."""
    import numpy as np

    if len(steps) < 2:
        return None
    after, before = steps[1:], steps[:-1]
    if lines is None:
        if bool(np.all(after >= before)):
            return None
        return np.argsort(steps, kind="stable").astype(np.int64, copy=False)
    ordered = (after > before) | ((after == before) & (lines[1:] >= lines[:-1]))
    if bool(np.all(ordered)):
        return None
    return np.lexsort((lines, steps)).astype(np.int64, copy=False)


def _fixed(values: AnyArray, dtype: numpy.dtype[_Number]) -> NDArray[_Number]:
    """The values of an int64 or float64 array (as ``dtype``: the bits of its values),
    a view of its data buffer."""
    import numpy as np

    if len(values) == 0:
        return np.zeros(0, dtype=dtype)
    data = values.buffers()[1]
    assert data is not None  # a non-empty fixed-width array has its data
    end = values.offset + len(values)
    return np.frombuffer(memoryview(data), dtype=dtype, count=end)[values.offset :]


def _bits(buffer: pyarrow.Buffer | None, offset: int, count: int) -> Mask:
    """``count`` bits of ``buffer`` (Arrow's order: least significant first) from ``offset``."""
    import numpy as np

    if count == 0 or buffer is None:
        return np.zeros(count, dtype=np.bool_)
    packed = np.frombuffer(memoryview(buffer), dtype=np.uint8, count=(offset + count + 7) // 8)
    return np.unpackbits(packed, count=offset + count, bitorder="little")[offset:].astype(np.bool_)


def _validity(values: AnyArray) -> Mask | None:
    """Which rows of ``values`` hold a value, None when all do."""
    if not values.null_count:
        return None
    return _bits(values.buffers()[0], values.offset, len(values))


def _presence(parts: Sequence[Part]) -> Mask | None:
    """Which rows of the parts concatenated hold a value, None when all do."""
    import numpy as np

    masks: list[Mask] = [np.zeros(0, dtype=np.bool_)]
    nullable = False
    for part in parts:
        if isinstance(part, int):
            masks.append(np.zeros(part, dtype=np.bool_))
            nullable = nullable or part > 0
        else:
            mask = _validity(part)
            nullable = nullable or mask is not None
            masks.append(np.ones(len(part), dtype=np.bool_) if mask is None else mask)
    return np.concatenate(masks) if nullable else None


def _gathered_validity(parts: Sequence[Part], index: Index) -> tuple[pyarrow.Buffer | None, int]:
    """The validity bitmap of the gathered rows (None when all hold a value), its nulls."""
    import numpy as np

    presence = _presence(parts)
    if presence is None:
        return None, 0
    valid = presence[index]
    nulls = len(valid) - int(np.count_nonzero(valid))
    if not nulls:
        return None, 0
    return arrow_buffer(np.packbits(valid, bitorder="little")), nulls


def _gather_fixed(parts: Sequence[Part], kind: pyarrow.DataType, index: Index) -> AnyArray:
    """:func:`gather` of int64, float64 or bool parts."""
    import pyarrow as pa

    if kind == pa.bool_():
        data = _gathered_bits(parts, index)
    else:
        data = _gathered_numbers(parts, kind == pa.int64(), index)
    validity, nulls = _gathered_validity(parts, index)
    return pa.Array.from_buffers(kind, len(index), [validity, data], null_count=nulls)


def _gathered_bits(parts: Sequence[Part], index: Index) -> pyarrow.Buffer:
    """The data buffer of the gathered rows of bool parts (bits)."""
    import numpy as np

    pieces = [
        np.zeros(part, dtype=np.bool_)
        if isinstance(part, int)
        else _bits(part.buffers()[1], part.offset, len(part))
        for part in parts
    ]
    gathered = np.concatenate([np.zeros(0, dtype=np.bool_), *pieces])[index]
    return arrow_buffer(np.packbits(gathered, bitorder="little"))


def _gathered_numbers(parts: Sequence[Part], ints: bool, index: Index) -> pyarrow.Buffer:
    """The data buffer of the gathered rows of int64 (``ints``) or float64 parts (int64
    parts among them made floats)."""
    import numpy as np
    import pyarrow as pa

    int64 = np.dtype(np.int64)
    if ints:
        numbers = [
            np.zeros(part, dtype=int64) if isinstance(part, int) else _fixed(part, int64)
            for part in parts
        ]
        return arrow_buffer(np.concatenate([np.zeros(0, dtype=int64), *numbers])[index])
    float64 = np.dtype(np.float64)
    floats: list[NDArray[numpy.float64]] = [np.zeros(0, dtype=float64)]
    for part in parts:
        if isinstance(part, int):
            floats.append(np.zeros(part, dtype=float64))
        elif part.type == pa.int64():
            floats.append(_fixed(part, int64).astype(float64))
        else:
            floats.append(_fixed(part, float64))
    return arrow_buffer(np.concatenate(floats)[index])


def _gather_strings(parts: Sequence[Part], index: Index) -> AnyArray | AnyChunked:
    """:func:`gather` of string parts, made of the rows holding a text only (few in a sparse
    column): their lengths give the offsets, and their bytes are copied by one fancy index
    (each row's start, repeated over its length, plus the position in it)."""
    import numpy as np
    import pyarrow as pa

    presence = _presence(parts)
    valid = np.ones(len(index), dtype=np.bool_) if presence is None else presence[index]
    rows = index if presence is None else index[valid]  # where the texts are, in parts
    firsts: list[int] = []  # the first row of each part, among all rows and among texts'
    bases: list[int] = []
    starts: list[Index] = [np.zeros(0, dtype=np.int64)]
    lengths: list[Index] = [np.zeros(0, dtype=np.int64)]
    texts: list[NDArray[numpy.uint8]] = [np.zeros(0, dtype=np.uint8)]
    row = base = size = 0
    for part in parts:
        firsts.append(row)
        bases.append(base)
        if isinstance(part, int):
            row += part
            continue
        count = len(part)
        row += count
        if count == 0:
            continue
        _, offsets_buffer, data_buffer = part.buffers()
        assert offsets_buffer is not None  # a non-empty string array has its offsets
        stored = np.frombuffer(
            memoryview(offsets_buffer), dtype=np.int32, count=part.offset + count + 1
        )
        offsets = stored[part.offset :].astype(np.int64)
        first, last = int(offsets[0]), int(offsets[-1])
        if last > first and data_buffer is not None:
            texts.append(np.frombuffer(memoryview(data_buffer), dtype=np.uint8, count=last)[first:])
        starts.append(offsets[:-1] + (size - first))
        lengths.append(np.diff(offsets))
        base += count
        size += last - first
    owner = np.searchsorted(np.array(firsts, dtype=np.int64), rows, side="right") - 1
    local = rows - np.array(firsts, dtype=np.int64)[owner] + np.array(bases, dtype=np.int64)[owner]
    start, length = np.concatenate(starts)[local], np.concatenate(lengths)[local]
    total = int(length.sum())
    if total > MAX_STRING_BYTES:  # pragma: no cover - 2 GB of text in one column
        return _take_with_compute(parts, index)
    every = np.zeros(len(index), dtype=np.int32)
    every[valid] = length
    bounds = np.zeros(len(index) + 1, dtype=np.int32)
    np.cumsum(every, dtype=np.int32, out=bounds[1:])
    shifts = start - bounds[:-1][valid]
    positions = np.repeat(shifts, length) + np.arange(total, dtype=np.int64)
    nulls = len(index) - len(rows)
    validity = arrow_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    data = np.concatenate(texts)[positions]
    buffers = [validity, arrow_buffer(bounds), arrow_buffer(data)]
    return pa.Array.from_buffers(pa.string(), len(index), buffers, null_count=nulls)


def _take_with_compute(parts: Sequence[Part], index: Index) -> AnyChunked:  # pragma: no cover
    """:func:`gather` of strings too many for one array: Arrow's ``take`` (several chunks)."""
    import pyarrow as pa

    whole = pa.chunked_array(concatenated(parts, pa.string()), type=pa.string())
    indices = pa.Array.from_buffers(pa.int64(), len(index), [None, arrow_buffer(index)])
    return cast("AnyChunked", whole.take(indices))
