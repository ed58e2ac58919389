"""``history_table`` (the pure part of ``Run.full_history()``) over export files written by
the server's writer: the table ``to_arrow`` makes of the rows, with rows not exported yet
(``stop``/``live_rows``), with files lacking the key-order metadata, and with steps stored
as doubles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from arrow_tables import assert_same_table
from wandb_typed._parquet import write_table
from wandb_typed.arrow import to_arrow
from wandb_typed.runs.export_table import history_table
from wandb_typed_server.storage.history_parquet import ShapeWriter


def logged(step: int) -> dict[str, object]:
    row: dict[str, object] = {"_step": step, "loss": step / 4 if step % 3 else float("nan")}
    if step % 5 == 0:
        row["eval"] = {"acc": step, "names": ["x"]}
    if step % 7 == 0:
        row["kind"] = "seven" if step % 2 else 7  # kinds that do not mix
    if step % 4 == 1:
        row["count"] = step if step % 8 == 1 else step + 0.5
    if step % 9 == 2:
        row["flag"] = step % 2 == 0
    if step % 6 == 0:
        row["eval.acc"] = step * 1.5  # a dotted key beside the dict "eval" (a Parquet path too)
    return row


ROWS = [logged(step) for step in range(200)]


def exported(folder: Path, rows: list[dict[str, object]]) -> list[Path]:
    writer = ShapeWriter(folder, prefix="s0", batch_rows=37)
    for line, row in enumerate(rows):
        step = row["_step"]
        assert isinstance(step, int)
        writer.add(step, line, row)
    return writer.close()


def test_the_files_make_the_table_of_the_rows(tmp_path: Path) -> None:
    paths = exported(tmp_path, ROWS)
    assert len(paths) > 5  # several shapes: the merge and the column rule are exercised
    assert_same_table(history_table(paths), to_arrow(ROWS))


def test_rows_not_exported_yet_come_after_the_exported_ones(tmp_path: Path) -> None:
    paths = exported(tmp_path, ROWS)
    live = [{**row, "late": "yes"} for row in ROWS[150:]]  # a row's step is its index
    expected = to_arrow(ROWS[:150] + live)
    assert_same_table(history_table(paths, stop=150, live_rows=live), expected)


def test_a_file_without_key_order_gives_its_column_order(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    write_table(pa.table({"b": [1.0, 2.0], "_step": [0, 1]}), path)
    table = history_table([path])
    assert table.column_names == ["b", "_step"]
    assert table.to_pydict() == {"b": [1.0, 2.0], "_step": [0, 1]}


def test_steps_stored_as_doubles_are_ints(tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_table(pa.table({"_step": [0.0, 2.0], "a": [1, 3]}), first)
    write_table(pa.table({"_step": [1.0], "a": [0.5]}), second)
    assert history_table([first, second]).to_pydict() == {"_step": [0, 1, 2], "a": [1.0, 0.5, 3.0]}


def test_text_and_int_columns_built_from_bytes_equal_pyarrow_arrays() -> None:
    from wandb_typed.runs.export_table import _int64_array, _string_array

    texts = ['{"a": 1}', None, "", "naïve ☃", None, "x" * 40, '"q"', None, "z"]
    assert _string_array(texts).equals(pa.array(texts, type=pa.string()))
    assert _string_array([]).equals(pa.array([], type=pa.string()))
    numbers = [0, -1, 2**63 - 1, -(2**63), 7]
    assert _int64_array(numbers).equals(pa.array(numbers, type=pa.int64()))


def test_a_table_from_exports_does_not_import_pandas(tmp_path: Path) -> None:
    # pyarrow.array(list) imports pandas when installed (a fifth of a second, tens of MB);
    # only a column of kinds that do not mix ("kind") is typed from Python values by it
    rows = [{key: value for key, value in row.items() if key != "kind"} for row in ROWS]
    paths = exported(tmp_path, rows)
    code = (
        "import sys; from pathlib import Path;"
        "from wandb_typed.runs.export_table import history_table;"
        f"table = history_table([Path(p) for p in {[str(p) for p in paths]!r}]);"
        "print(table.num_rows, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(ROWS)), "False"]


def test_json_texts_are_the_json_text_of_each_value() -> None:
    from wandb_typed.arrow import json_text
    from wandb_typed.runs.export_table import json_texts

    nan, inf = float("nan"), float("inf")
    values = [
        {
            "b": [1, None, 3],
            "a": nan,
            'k{"}': 'quote " brace { } é ☃ \n',
            "nested": {"x": [{"y": inf}, {"y": -inf}], "z": None, "t": True},
            "deep": [[1.5, -0.0], [], None],
            "big": 2**62,
            "f": 1e16,
        },
        None,
        {
            "b": [],
            "a": 1e-7,
            'k{"}': "",
            "nested": {"x": [], "z": None, "t": False},
            "deep": None,
            "big": -(2**63),
            "f": 0.1,
        },
        {
            "b": None,
            "a": None,
            'k{"}': None,
            "nested": None,
            "deep": [[None]],
            "big": None,
            "f": None,
        },
    ]
    array = pa.array(values)
    expected = [json_text(value) for value in array.to_pylist()]
    assert json_texts(array) == expected
    assert json_texts(array.slice(1, 3)) == expected[1:]
    lists = pa.array([[{"a": 1}], None, [], [{"a": None}, {"a": 2}]])
    assert json_texts(lists.slice(1)) == [json_text(v) for v in lists.slice(1).to_pylist()]
    for scalars in (pa.array([1.5, None, nan]), pa.array(["x", None]), pa.array([True, None])):
        assert json_texts(scalars) == [json_text(v) for v in scalars.to_pylist()]
