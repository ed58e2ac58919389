"""``Run.full_history()``: the whole history as one table, equal to
``to_arrow(list(run.scan_history(min_step=0)))`` whether it is made from the server's Parquet
exports (column by column) or from paged rows, in both flavours: NaN, infinities, sparse
keys, nested dicts and lists, None, ints and floats under one key (and across files), kinds
that do not mix, strings, booleans, rows sharing a step, a history Parquet cannot hold."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas
import polars
import polars.testing
import pyarrow as pa
import pytest
from runs_support import ENTITY, OperationSpy

from arrow_tables import assert_same_table
from flavours import Flavour
from wandb_typed.arrow import to_arrow
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-full-history"
ROWS = 2_500


def logged_row(step: int) -> dict[str, object]:
    """Every kind of value a history holds, the keys of a row varying with the step."""
    row: dict[str, object] = {
        "loss": [float("nan"), float("inf"), float("-inf")][step % 3]
        if step % 50 == 7
        else step * 0.25,
        "_runtime": step * 0.5,
        "epoch": step // 100 if step % 2 else float(step // 100),  # int and float, one key
    }
    if step % 10 == 0:
        row["system/gpu.0.temp"] = 40 + step % 7  # system metrics logged into the history
        row["system/cpu"] = 12.5
    if step % 25 == 0:
        row["eval"] = {"acc": step / ROWS, "per_class": [1, 2, None], "meta": {"split": "val"}}
    if step % 33 == 0:
        row["note"] = None if step % 2 else f"step {step}"
    if step % 99 == 0:
        row["flag"] = step % 2 == 0
    if step % 100 == 3:
        row["sparse"] = step  # a key every 100 steps, ints only
    if step % 100 == 5:
        row["tags"] = ["a", "b"] if step % 200 == 5 else []  # lists (an empty one too)
    if step % 70 == 1:
        row["mixed"] = "text" if step % 140 == 1 else step  # kinds that do not mix
    if step >= ROWS - 300:
        row["late_float"] = 1.5 if step % 2 else 2  # int and float files first seen late
    return row


@pytest.fixture(scope="module")
def exports_server(
    flavour: Flavour, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server of this module's own, with history exports on (one per flavour)."""
    with start_in_thread(
        tmp_path_factory.mktemp(f"full-history-{flavour}"), history_exports=True
    ) as server:
        seed_runs(
            server.base_url,
            server.api_key,
            ENTITY,
            PROJECT,
            [
                SeedRun("mixed", history=[logged_row(step) for step in range(ROWS)]),
                SeedRun(
                    "huge-int",
                    history=[{"big": 2**70 if step == 5 else step} for step in range(40)],
                ),
                SeedRun("ties"),
                SeedRun("empty"),
                SeedRun("doomed", history=[{"loss": 0.5}]),
            ],
        )
        yield server


def api_at(make_api: Any, server: RunningServer, spy: OperationSpy | None = None) -> Any:
    return make_api(spy, overrides={"base_url": server.base_url}, api_key=server.api_key)


def paged_table(run: Any) -> pa.Table:
    """The contract: the arrow rule over every paged row."""
    return to_arrow(list(run.scan_history(min_step=0)))


def test_the_table_from_the_exports_is_the_table_of_the_paged_rows(
    make_api: Any, exports_server: RunningServer
) -> None:
    spy = OperationSpy()
    run = api_at(make_api, exports_server, spy).run(f"{ENTITY}/{PROJECT}/mixed")
    table = run.full_history()
    assert spy.count("GetRunParquetHistory") == 1
    assert spy.count("GetRunHistoryPage") == 0  # every row came from the files
    expected = paged_table(run)
    assert spy.count("GetRunHistoryPage") > 0
    assert_same_table(table, expected)
    assert table.num_rows == ROWS
    assert table.column("_step").to_pylist() == list(range(ROWS))
    types = {field.name: str(field.type) for field in table.schema}
    assert types == {
        "_step": "int64",
        "loss": "double",
        "_runtime": "double",
        "epoch": "double",  # ints beside floats
        "system/gpu.0.temp": "int64",
        "system/cpu": "double",
        "eval": "string",  # dicts: JSON text
        "note": "string",
        "flag": "bool",
        "sparse": "int64",
        "tags": "string",  # lists: JSON text
        "mixed": "string",  # 1 and "a": JSON text
        "late_float": "double",
    }
    assert table.column_names == list(types)  # first appearance, as logged
    loss = table.column("loss").to_pylist()
    assert json.dumps([loss[7], loss[57], loss[107]]) == "[Infinity, NaN, -Infinity]"
    assert table.column("eval")[0].as_py() == (
        '{"acc": 0.0, "meta": {"split": "val"}, "per_class": [1, 2, null]}'
    )
    assert table.column("mixed").to_pylist()[1:72:70] == ['"text"', "71"]
    assert table.column("tags").to_pylist()[5:206:100] == ['["a", "b"]', "[]", '["a", "b"]']
    assert table.column("sparse").null_count == ROWS - ROWS // 100


def test_rows_sharing_a_step_keep_the_order_they_were_logged_in(
    make_api: Any, exports_server: RunningServer
) -> None:
    logged = [
        {"_step": 0, "a": 1},
        {"_step": 1, "b": "first"},  # three rows at step 1, of two shapes
        {"_step": 1, "a": 2},
        {"_step": 1, "b": "third"},
        {"_step": 2, "a": 3.5},
    ]
    lines = [json.dumps(row) for row in logged]
    response = httpx.post(
        f"{exports_server.base_url}/files/{ENTITY}/{PROJECT}/ties/file_stream",
        auth=("api", exports_server.api_key),
        json={"files": {"wandb-history.jsonl": {"offset": 0, "content": lines}}},
    )
    assert response.status_code == 200, response.text
    spy = OperationSpy()
    run = api_at(make_api, exports_server, spy).run(f"{ENTITY}/{PROJECT}/ties")
    table = run.full_history()
    assert spy.count("GetRunHistoryPage") == 0
    expected = paged_table(run)
    assert table.equals(expected)
    assert table.schema == expected.schema
    assert table.to_pydict() == {
        "_step": [0, 1, 1, 1, 2],
        "a": [1.0, None, 2.0, None, 3.5],
        "b": [None, "first", None, "third", None],
    }


def test_a_history_parquet_cannot_hold_is_paged_into_the_same_table(
    make_api: Any, exports_server: RunningServer
) -> None:
    spy = OperationSpy()
    run = api_at(make_api, exports_server, spy).run(f"{ENTITY}/{PROJECT}/huge-int")
    table = run.full_history()
    assert spy.count("GetRunParquetHistory") == 1
    assert spy.count("GetRunHistoryPage") >= 1
    expected = paged_table(run)
    assert table.equals(expected)
    assert table.schema == expected.schema
    assert table.column("big").type == pa.float64()  # beyond int64: floats, as to_arrow does
    assert table.column("big")[5].as_py() == float(2**70)


def test_a_run_without_history_is_an_empty_table(
    make_api: Any, exports_server: RunningServer
) -> None:
    run = api_at(make_api, exports_server).run(f"{ENTITY}/{PROJECT}/empty")
    table = run.full_history()
    assert table.num_rows == 0
    assert table.equals(paged_table(run))


def test_a_server_without_exports_gives_the_same_table(
    flavour: Flavour, tmp_path: Path, make_api: Any, exports_server: RunningServer
) -> None:
    from_exports = api_at(make_api, exports_server).run(f"{ENTITY}/{PROJECT}/mixed").full_history()
    with start_in_thread(tmp_path / "plain") as plain:
        seed_runs(
            plain.base_url,
            plain.api_key,
            ENTITY,
            PROJECT,
            [SeedRun("mixed", history=[logged_row(step) for step in range(ROWS)])],
        )
        spy = OperationSpy()
        run = api_at(make_api, plain, spy).run(f"{ENTITY}/{PROJECT}/mixed")
        table = run.full_history()
        assert spy.count("GetRunParquetHistory") == 1
        assert spy.count("GetRunHistoryPage") >= 1
        assert_same_table(table, paged_table(run))
    assert_same_table(table, from_exports)


def test_pandas_and_polars_are_the_table_converted(
    make_api: Any, exports_server: RunningServer
) -> None:
    # pandas and polars are in the test environment (extras "pandas", "polars")
    run = api_at(make_api, exports_server).run(f"{ENTITY}/{PROJECT}/mixed")
    expected = paged_table(run)
    frame = run.full_history(format="pandas")
    assert isinstance(frame, pandas.DataFrame)
    pandas.testing.assert_frame_equal(frame, expected.to_pandas())
    assert list(frame.columns) == expected.column_names
    polars_frame = run.full_history("polars")
    assert isinstance(polars_frame, polars.DataFrame)
    converted = polars.from_arrow(expected)
    assert isinstance(converted, polars.DataFrame)
    polars.testing.assert_frame_equal(polars_frame, converted)


def test_a_bad_format_is_refused_before_any_request(
    make_api: Any, exports_server: RunningServer
) -> None:
    spy = OperationSpy()
    run = api_at(make_api, exports_server, spy).run(f"{ENTITY}/{PROJECT}/mixed")
    before = spy.count("GetRunParquetHistory")
    with pytest.raises(InvalidArgumentError, match="'rows'"):
        run.full_history(format="rows")
    assert spy.count("GetRunParquetHistory") == before


def test_a_missing_run_is_not_found(make_api: Any, exports_server: RunningServer) -> None:
    api = api_at(make_api, exports_server)
    run = api.run(f"{ENTITY}/{PROJECT}/doomed")
    run.delete()
    with pytest.raises(NotFoundError, match="doomed"):
        run.full_history()


def test_without_pyarrow_the_error_names_the_extra(
    make_api: Any, exports_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a None in sys.modules is how Python says a module cannot be imported (find_spec
    # answers None), as on an install without the arrow extra
    run = api_at(make_api, exports_server).run(f"{ENTITY}/{PROJECT}/mixed")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"wandb-typed\[arrow\]"):
        run.full_history()
