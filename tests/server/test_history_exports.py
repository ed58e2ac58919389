"""History Parquet exports (storage/history_exports.py, history_parquet.py) against real SQLite
and real pyarrow: what is written, when files are kept, added or made again, how they are
served (signed URLs, HEAD and Range), and the histories that are not exported (served by
paging instead)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from wandb_typed_server import start_in_thread
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.history import HISTORY_DDL, append_rows, delete_run_rows
from wandb_typed_server.storage.history_exports import (
    MAX_SEGMENTS,
    HistoryExports,
    RunIdentity,
)
from wandb_typed_server.testing.seed import SeedRun, seed_runs

RUN = RunIdentity(1, "abc", "2026-01-01T00:00:00")


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    for ddl in HISTORY_DDL:
        connection.execute(ddl)
    return connection


@pytest.fixture
def exports(tmp_path: Path) -> HistoryExports:
    return HistoryExports(tmp_path / "exports", enabled=True)


def lines(rows: Sequence[Mapping[str, object]]) -> list[str]:
    return [json.dumps(row, allow_nan=True) for row in rows]


def exported_file(exports: HistoryExports, name: str) -> Path:
    """The path of the run's export file ``name``, which must exist."""
    path = exports.file_path(RUN.pk, name)
    assert path is not None
    return path


def read_all(exports: HistoryExports, names: Sequence[str]) -> list[dict[str, object]]:
    """Every row of the files, ordered by step (what a reader merging them gets)."""
    rows: list[dict[str, object]] = []
    for name in names:
        rows += pq.read_table(exported_file(exports, name)).to_pylist()
    return sorted(rows, key=lambda row: int(str(row["_step"])))


def test_one_file_per_shape_each_row_with_exactly_its_keys(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    logged = [
        {"_step": s, "loss": s / 2} if s % 3 else {"_step": s, "acc": {"top1": 1}} for s in range(9)
    ]
    append_rows(conn, RUN.pk, "history", 0, lines(logged))
    names = exports.export_now(conn, RUN)
    assert names == ["s0000-000.parquet", "s0000-001.parquet"]
    assert read_all(exports, names) == logged


def test_each_file_names_the_keys_of_its_first_row_in_logged_order(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    logged = [
        {"zeta": 1, "_step": 0, "alpha": 0.5},
        {"alpha": 1.5, "_step": 1, "zeta": 2},  # the same shape, keys in another order
        {"_step": 2, "m": {"b": 1}, "a": "x"},
    ]
    append_rows(conn, RUN.pk, "history", 0, lines(logged))
    names = exports.export_now(conn, RUN)
    first_keys = []
    for name in names:
        path = exported_file(exports, name)
        metadata = pq.ParquetFile(path).metadata.metadata or {}
        first_keys.append(json.loads(metadata[b"wandb_typed.first_row_keys"]))
    assert first_keys == [["zeta", "_step", "alpha"], ["_step", "m", "a"]]


def test_numbers_are_written_split_and_as_deltas_compressed(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    """Floats byte-stream-split, ints as deltas, LZ4: a smooth series (a timestamp) takes a
    fraction of its plain bytes; a name that would also be a struct's field path keeps
    plain pages."""
    logged: list[dict[str, object]] = [
        {"_step": s, "_timestamp": 1.7e9 + s / 100, "a.b": 0.5, "a": {"b": "x"}, "note": "n"}
        for s in range(20_000)
    ]
    append_rows(conn, RUN.pk, "history", 0, lines(logged))
    (name,) = exports.export_now(conn, RUN)
    path = exported_file(exports, name)
    metadata = pq.ParquetFile(path).metadata
    chunks = {
        metadata.row_group(0).column(index).path_in_schema: metadata.row_group(0).column(index)
        for index in range(metadata.num_columns)
    }
    assert "BYTE_STREAM_SPLIT" in chunks["_timestamp"].encodings
    assert "DELTA_BINARY_PACKED" in chunks["_step"].encodings
    assert {"BYTE_STREAM_SPLIT", "DELTA_BINARY_PACKED"}.isdisjoint(chunks["a.b"].encodings)
    # pyarrow names the codec it writes LZ4 (the file says LZ4_RAW, as duckdb reads it)
    assert {chunk.compression for chunk in chunks.values()} == {"LZ4"}
    timestamps = chunks["_timestamp"]
    assert timestamps.total_compressed_size < timestamps.total_uncompressed_size / 2
    assert read_all(exports, [name]) == logged


def test_an_export_in_an_older_format_is_made_again(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": s, "v": s} for s in range(5)]))
    names = exports.export_now(conn, RUN)
    path = exported_file(exports, names[0])
    manifest = path.parent / "manifest.json"
    old = json.loads(manifest.read_text())
    del old["format"]  # as a server before wandb_typed.first_row_keys wrote it
    manifest.write_text(json.dumps(old))
    path.write_bytes(b"not parquet")
    assert exports.export_now(conn, RUN) == names
    assert pq.read_table(path).column("v").to_pylist() == list(range(5))
    assert json.loads(manifest.read_text())["format"] == 2


def test_appended_rows_go_to_a_new_segment_and_old_files_stay(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": s, "v": s} for s in range(5)]))
    first = exports.export_now(conn, RUN)
    path = exported_file(exports, first[0])
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert exports.export_now(conn, RUN) == first  # nothing new: the same files
    append_rows(conn, RUN.pk, "history", 5, lines([{"_step": s, "v": s} for s in range(5, 8)]))
    second = exports.export_now(conn, RUN)
    assert second[: len(first)] == first
    assert second[len(first) :] == ["s0001-000.parquet"]
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert [row["v"] for row in read_all(exports, second)] == list(range(8))


def test_rows_below_the_exported_steps_make_it_again(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": s} for s in (0, 5, 10)]))
    exports.export_now(conn, RUN)
    append_rows(conn, RUN.pk, "history", 3, lines([{"_step": 7}]))
    names = exports.export_now(conn, RUN)
    assert names == ["s0000-000.parquet"]
    assert [row["_step"] for row in read_all(exports, names)] == [0, 5, 7, 10]


def test_a_changed_line_makes_it_again(conn: sqlite3.Connection, exports: HistoryExports) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": s, "v": s} for s in range(4)]))
    exports.export_now(conn, RUN)
    append_rows(conn, RUN.pk, "history", 1, lines([{"_step": 1, "v": "new"}]))
    names = exports.export_now(conn, RUN)
    assert [row["v"] for row in read_all(exports, names)] == [0, "new", 2, 3]


def test_too_many_segments_are_made_one(conn: sqlite3.Connection, exports: HistoryExports) -> None:
    for step in range(MAX_SEGMENTS + 1):
        append_rows(conn, RUN.pk, "history", step, lines([{"_step": step}]))
        names = exports.export_now(conn, RUN)
    assert names == ["s0000-000.parquet"]
    assert [row["_step"] for row in read_all(exports, names)] == list(range(MAX_SEGMENTS + 1))


def test_another_run_with_the_same_key_gets_its_own_export(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0, "old": 1}]))
    exports.export_now(conn, RUN)
    delete_run_rows(conn, RUN.pk)
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0, "new": 2}]))
    reborn = RunIdentity(RUN.pk, "xyz", "2026-02-02T00:00:00")
    assert read_all(exports, exports.export_now(conn, reborn)) == [{"_step": 0, "new": 2}]


@pytest.mark.parametrize(
    "value",
    [2**64, {}, [1, "a"], [{"a": 1}, {"b": 2}]],
    ids=["int-beyond-64-bits", "empty-dict", "mixed-list", "list-of-unlike-dicts"],
)
def test_values_parquet_cannot_hold_as_logged_leave_the_run_unexported(
    conn: sqlite3.Connection, exports: HistoryExports, value: object
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0, "v": 1}, {"_step": 1, "v": value}]))
    assert exports.export_now(conn, RUN) == []
    assert not list((exports.root / "1").glob("*.parquet*"))


def test_a_row_without_a_step_leaves_the_run_unexported(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0}, {"no_step": True}]))
    assert exports.export_now(conn, RUN) == []


def test_disabled_exports_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0}]))
    assert HistoryExports(tmp_path / "off").export_now(conn, RUN) == []
    assert not (tmp_path / "off").exists()


def test_file_names_outside_the_exports_are_refused(
    conn: sqlite3.Connection, exports: HistoryExports
) -> None:
    append_rows(conn, RUN.pk, "history", 0, lines([{"_step": 0}]))
    exports.export_now(conn, RUN)
    assert exports.file_path(RUN.pk, "manifest.json") is None
    assert exports.file_path(RUN.pk, "../1/s0000-000.parquet") is None
    assert exports.file_path(RUN.pk, "s0000-000.parquet") is not None


def test_a_build_longer_than_the_wait_answers_none_then_serves_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "server.sqlite3")
    with db.transaction() as connection:
        append_rows(connection, RUN.pk, "history", 0, lines([{"_step": s} for s in range(3)]))
    exports = HistoryExports(tmp_path / "exports", enabled=True, wait_seconds=0.5)
    with exports._lock(RUN.pk):  # the build cannot finish while this is held
        assert exports.export(db, RUN) == []
    exports.wait_seconds = 30.0
    names = exports.export(db, RUN)
    assert names == ["s0000-000.parquet"]
    assert [row["_step"] for row in read_all(exports, names)] == [0, 1, 2]
    db.close()


def test_export_files_are_served_only_at_their_signed_urls(tmp_path: Path) -> None:
    query = """query { project(name: "p", entityName: "admin") { run(name: "r") {
        parquetHistory(liveKeys: ["_step"]) { parquetUrls liveData } } } }"""
    with start_in_thread(tmp_path / "data", history_exports=True) as server:
        seed_runs(server.base_url, server.api_key, "admin", "p", [SeedRun("r", history=[{"v": 1}])])
        reply = httpx.post(
            f"{server.base_url}/graphql", auth=("api", server.api_key), json={"query": query}
        ).json()
        history = reply["data"]["project"]["run"]["parquetHistory"]
        assert history["liveData"] == []
        (url,) = history["parquetUrls"]
        assert httpx.get(url).content[:4] == b"PAR1"
        head = httpx.head(url)
        assert head.status_code == 200
        ranged = httpx.get(url, headers={"Range": "bytes=0-3"})
        assert (ranged.status_code, ranged.content) == (206, b"PAR1")
        assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
        assert httpx.get(url.split("?")[0]).status_code == 403
        other = url.replace("s0000-000.parquet", "manifest.json")
        assert httpx.get(other).status_code == 403  # signed for another path
