"""The numpy gathers of :mod:`wandb_typed.runs.export_take` against ``pyarrow.compute`` on
random columns: nulls, NaN, -0.0, int64 extremes, empty and non-ASCII strings, sliced arrays
(non-zero offsets) and columns in several chunks, with files lacking the column (null
rows); and ``history_table`` of a usual export never importing ``pyarrow.compute``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from arrow_tables import assert_same_table
from wandb_typed.arrow import to_arrow
from wandb_typed.runs.export_take import (
    as_float,
    concatenated,
    gather,
    gathers,
    int64_values,
    stable_order,
)
from wandb_typed_server.storage.history_parquet import ShapeWriter

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "int64": INT64,
    "float64": st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([-0.0, 0.0]),
    "bool": st.booleans(),
    "string": st.text(max_size=6) | st.sampled_from(["", "naïve ☃ 𝄞", '{"a": 1}']),
}


def exactly(array: Any) -> list[object]:
    """The values of ``array`` with floats as their bits (NaN equals NaN, -0.0 is not 0.0)."""
    values: list[object] = array.to_pylist()
    if array.type == pa.float64():
        return [None if v is None else np.float64(v).view(np.int64).item() for v in values]
    return values


def assert_exactly(actual: Any, expected: Any) -> None:
    assert actual.type == expected.type
    assert len(actual) == len(expected)
    assert actual.null_count == expected.null_count
    assert exactly(actual) == exactly(expected)
    actual.validate(full=True)


@st.composite
def arrays(draw: st.DrawFn, kind: str) -> pa.Array:
    """An array of ``kind`` with nulls now and then, maybe a slice of a longer one."""
    values = draw(st.lists(st.none() | VALUES[kind], max_size=12))
    array = pa.array(values, type=pa.bool_() if kind == "bool" else getattr(pa, kind)())
    start = draw(st.integers(0, len(values)))
    end = draw(st.integers(start, len(values)))
    return array.slice(start, end - start) if draw(st.booleans()) else array


@st.composite
def columns(draw: st.DrawFn) -> tuple[pa.DataType, list[Any]]:
    """A column's type and parts: arrays (ints among floats) and counts of null rows."""
    name = draw(st.sampled_from(sorted(VALUES)))
    kinds = ["int64", "float64"] if name == "float64" else [name]
    part = st.integers(0, 4) | st.sampled_from(kinds).flatmap(arrays)
    kind = pa.bool_() if name == "bool" else getattr(pa, name)()
    return kind, draw(st.lists(part, max_size=5))


def expected_take(kind: pa.DataType, parts: list[Any], index: list[int]) -> Any:
    """What ``pyarrow.compute`` makes of the parts concatenated, taken at ``index``."""
    chunks = [
        pa.nulls(part, type=kind) if isinstance(part, int) else part.cast(kind, safe=False)
        for part in parts
    ]
    return pa.chunked_array(chunks, type=kind).take(pa.array(index, type=pa.int64()))


@settings(max_examples=400, deadline=None)
@given(columns(), st.data())
def test_gather_is_arrow_take(column: tuple[pa.DataType, list[Any]], data: st.DataObject) -> None:
    kind, parts = column
    assert gathers(kind)
    rows = sum(part if isinstance(part, int) else len(part) for part in parts)
    index = data.draw(st.lists(st.integers(0, rows - 1), max_size=20) if rows else st.just([]))
    if rows and data.draw(st.booleans()):  # a reordering of every row, as history_table has
        index = data.draw(st.permutations(range(rows)))
    gathered = gather(parts, kind, np.array(index, dtype=np.int64))
    assert_exactly(gathered, expected_take(kind, parts, index).combine_chunks())
    together = pa.chunked_array(concatenated(parts, kind), type=kind)
    assert_exactly(together.combine_chunks(), expected_take(kind, parts, list(range(rows))))


def test_ints_made_floats_are_the_nearest_floats() -> None:
    values = [2**63 - 1, -(2**63), 2**53 + 1, -(2**53) - 1, 0, None, 7]
    ints = pa.array(values, type=pa.int64()).slice(1)
    floats = as_float(ints)
    assert floats.to_pylist() == [None if v is None else float(v) for v in values[1:]]
    assert_exactly(floats, ints.cast(pa.float64(), safe=False))


def test_int64_values_of_sliced_chunks() -> None:
    chunks = [pa.array([1, 2, 3, 4]).slice(1, 2), pa.array([], type=pa.int64()), pa.array([9])]
    assert int64_values(chunks).tolist() == [2, 3, 9]
    assert int64_values([pa.array([5, 6]).slice(1)]).tolist() == [6]
    assert int64_values([]).tolist() == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 2)), max_size=30), st.booleans())
def test_stable_order_is_a_stable_sort(keys: list[tuple[int, int]], tied: bool) -> None:
    steps = np.array([step for step, _ in keys], dtype=np.int64)
    lines = np.array([line for _, line in keys], dtype=np.int64) if tied else None
    sort_key = (lambda i: keys[i]) if tied else (lambda i: keys[i][0])
    expected = sorted(range(len(keys)), key=sort_key)
    order = stable_order(steps, lines)
    if order is None:
        assert expected == list(range(len(keys)))
    else:
        assert order.tolist() == expected


def test_a_usual_export_is_read_without_pyarrow_compute(tmp_path: Path) -> None:
    # main rows, and a dict every tenth step in rows of another shape: the files are
    # interleaved (a reorder of every column, the dict's JSON text among them)
    rows: list[dict[str, object]] = []
    for step in range(300):
        row: dict[str, object] = {"_step": step, "loss": 1 / (step + 1), "epoch": step // 50}
        row["ok"] = step % 3 == 0
        if step % 10 == 0:
            row["eval"] = {"acc": step / 300, "name": "é"}
        rows.append(row)
    writer = ShapeWriter(tmp_path, prefix="s0", batch_rows=64)
    for line, row in enumerate(rows):
        writer.add(int(str(row["_step"])), line, row)
    paths = writer.close()
    assert len(paths) == 2
    code = (
        "import sys; from pathlib import Path;"
        "from wandb_typed.runs.export_table import history_table;"
        "from wandb_typed._parquet import write_table;"
        f"table = history_table([Path(p) for p in {[str(p) for p in paths]!r}]);"
        f"write_table(table, Path({str(tmp_path / 'out.parquet')!r}));"
        "print(table.num_rows, 'pyarrow.compute' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(rows)), "False", "False"]
    import pyarrow.parquet as pq

    assert_same_table(pq.read_table(tmp_path / "out.parquet"), to_arrow(rows))
    assert pc is not None  # the expected tables above are Arrow's own
