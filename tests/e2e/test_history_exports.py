"""``Run.scan_history()`` through the server's Parquet history exports: the same rows as the
paged scan (NaN, infinities, sparse keys, nested dicts and lists, None, ints and floats under
one key, system metrics), kept up to date when rows are appended or re-sent, and paging where
the server offers no export, in both flavours."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from runs_support import ENTITY, OperationSpy

from flavours import Flavour
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-history-exports"
ROWS = 3_000


@pytest.fixture(scope="module")
def local_server(
    flavour: Flavour, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server of this module's own, with history exports on (one per flavour)."""
    with start_in_thread(
        tmp_path_factory.mktemp(f"exports-{flavour}"), history_exports=True
    ) as server:
        yield server


def logged_row(step: int) -> dict[str, object]:
    """A row like a training loop's: every kind of value a history holds."""
    row: dict[str, object] = {
        "loss": [float("nan"), float("inf"), float("-inf")][step % 3]
        if step % 50 == 7
        else step * 0.25,
        "_runtime": step * 0.5,
        "_timestamp": 1_700_000_000.125 + step,
        "epoch": step // 100 if step % 2 else float(step // 100),  # int and float, one key
    }
    if step % 10 == 0:
        row["system/gpu.0.temp"] = 40 + step % 7
        row["system/cpu"] = 12.5
    if step % 25 == 0:
        row["eval"] = {"acc": step / ROWS, "per_class": [1, 2, None], "meta": {"split": "val"}}
    if step % 33 == 0:
        row["note"] = None if step % 2 else f"step {step}"
    if step % 99 == 0:
        row["flag"] = step % 2 == 0
    return row


def canonical(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Each row as JSON text with sorted keys: equal texts mean equal keys, values and types
    (1 and 1.0 differ, NaN equals NaN)."""
    return [json.dumps(row, sort_keys=True, allow_nan=True) for row in rows]


def append_lines(
    server: RunningServer, run: str, offset: int, rows: Sequence[Mapping[str, object]]
) -> None:
    """Send history lines at ``offset`` through file_stream (as the SDK does)."""
    lines = [json.dumps(row, allow_nan=True) for row in rows]
    response = httpx.post(
        f"{server.base_url}/files/{ENTITY}/{PROJECT}/{run}/file_stream",
        auth=("api", server.api_key),
        json={"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}},
    )
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun("mixed", history=[logged_row(step) for step in range(ROWS)]),
            SeedRun(
                "huge-int", history=[{"big": 2**70 if step == 5 else step} for step in range(40)]
            ),
            SeedRun("empty"),
        ],
    )


def test_exports_read_the_same_rows_as_paging(make_api: Any, local_server: RunningServer) -> None:
    spy = OperationSpy()
    api = make_api(spy)
    run = api.run(f"{ENTITY}/{PROJECT}/mixed")
    exported = list(run.scan_history())
    assert spy.count("GetRunParquetHistory") == 1
    assert spy.count("GetRunHistoryPage") == 0  # every row came from the files
    paged = list(run.scan_history(min_step=0, page_size=700))
    assert spy.count("GetRunHistoryPage") > 0
    assert len(exported) == ROWS
    assert canonical(exported) == canonical(paged)
    # the values that JSON and Parquet could each have bent
    by_step = {row["_step"]: row for row in exported}
    assert json.dumps([by_step[7]["loss"], by_step[57]["loss"], by_step[107]["loss"]]) == (
        "[Infinity, NaN, -Infinity]"
    )
    assert by_step[0]["eval"] == {"acc": 0.0, "meta": {"split": "val"}, "per_class": [1, 2, None]}
    assert type(by_step[1]["epoch"]) is int
    assert type(by_step[2]["epoch"]) is float
    assert "note" not in by_step[1]
    assert by_step[33]["note"] is None
    assert by_step[66]["note"] == "step 66"
    assert by_step[10]["system/gpu.0.temp"] == 43
    assert "system/cpu" not in by_step[11]


def test_rows_appended_after_an_export_are_read(make_api: Any, local_server: RunningServer) -> None:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [SeedRun("growing", history=[logged_row(step) for step in range(500)])],
    )
    api = make_api()
    path = f"{ENTITY}/{PROJECT}/growing"
    first = list(api.run(path).scan_history())
    assert [row["_step"] for row in first] == list(range(500))
    added = [{"_step": step, **logged_row(step), "late": "yes"} for step in range(500, 650)]
    append_lines(local_server, "growing", 500, added)
    exported = list(api.run(path).scan_history())
    paged = list(api.run(path).scan_history(min_step=0))
    assert len(exported) == 650
    assert canonical(exported) == canonical(paged)
    assert exported[-1]["late"] == "yes"
    folder = exports_folder(local_server, api.run(path))
    assert len(list(folder.glob("s0001-*.parquet"))) >= 1  # a new segment, the first kept
    assert len(list(folder.glob("s0000-*.parquet"))) >= 1


def exports_folder(server: RunningServer, run: Any) -> Path:
    """Where the server keeps the run's export files."""
    manifests = list(Path(server.data_dir).glob("history-exports/*/manifest.json"))
    for manifest in manifests:
        if json.loads(manifest.read_text())["run"].startswith(f"{run.id}@"):
            return manifest.parent
    raise AssertionError(f"no export of {run.id} among {manifests}")


def test_a_line_sent_again_with_other_values_rebuilds_the_export(
    make_api: Any, local_server: RunningServer
) -> None:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [SeedRun("rewritten", history=[{"v": step} for step in range(100)])],
    )
    api = make_api()
    path = f"{ENTITY}/{PROJECT}/rewritten"
    assert [row["v"] for row in api.run(path).scan_history()] == list(range(100))
    append_lines(local_server, "rewritten", 10, [{"_step": 10, "v": "changed"}])
    exported = list(api.run(path).scan_history())
    assert exported[10] == {"_step": 10, "v": "changed"}
    assert canonical(exported) == canonical(list(api.run(path).scan_history(min_step=0)))


def test_a_history_parquet_cannot_hold_is_paged(make_api: Any) -> None:
    spy = OperationSpy()
    api = make_api(spy)
    rows = list(api.run(f"{ENTITY}/{PROJECT}/huge-int").scan_history())
    assert spy.count("GetRunParquetHistory") == 1
    assert spy.count("GetRunHistoryPage") >= 1
    assert [row["big"] for row in rows] == [2**70 if step == 5 else step for step in range(40)]


def test_a_run_without_history_has_no_rows(make_api: Any) -> None:
    assert list(make_api().run(f"{ENTITY}/{PROJECT}/empty").scan_history()) == []


def test_a_server_without_exports_is_paged(flavour: Flavour, tmp_path: Path, make_api: Any) -> None:
    with start_in_thread(tmp_path / "plain") as plain:
        seed_runs(
            plain.base_url,
            plain.api_key,
            ENTITY,
            PROJECT,
            [SeedRun("r", history=[logged_row(s) for s in range(300)])],
        )
        spy = OperationSpy()
        api = make_api(spy, overrides={"base_url": plain.base_url}, api_key=plain.api_key)
        rows = list(api.run(f"{ENTITY}/{PROJECT}/r").scan_history())
        assert spy.count("GetRunParquetHistory") == 1
        assert spy.count("GetRunHistoryPage") >= 1
        assert len(rows) == 300
        assert rows[7]["loss"] == float("inf")


def test_rows_sharing_a_step_keep_the_order_they_were_logged_in(
    make_api: Any, local_server: RunningServer
) -> None:
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, PROJECT, [SeedRun("ties")])
    logged = [
        {"_step": 0, "a": 1},
        {"_step": 1, "b": "first"},  # three rows at step 1, of two shapes
        {"_step": 1, "a": 2},
        {"_step": 1, "b": "third"},
        {"_step": 2, "a": 3},
    ]
    append_lines(local_server, "ties", 0, logged)
    run = make_api().run(f"{ENTITY}/{PROJECT}/ties")
    exported = list(run.scan_history())
    assert exported == logged
    assert exported == list(run.scan_history(min_step=0))


def test_without_pyarrow_the_scan_pages(make_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyarrow is an optional extra: a None in sys.modules is how Python says a module cannot
    # be imported (find_spec answers None), as on an install without it.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    spy = OperationSpy()
    rows = list(make_api(spy).run(f"{ENTITY}/{PROJECT}/mixed").scan_history())
    assert spy.count("GetRunParquetHistory") == 0
    assert spy.count("GetRunHistoryPage") >= 1
    assert len(rows) == ROWS
