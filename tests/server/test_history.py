"""History storage and W&B's history encoding, against real SQLite databases."""

from __future__ import annotations

import itertools
import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wandb_typed_server.storage.history import (
    HISTORY_DDL,
    append_rows,
    delete_run_rows,
    history_keys,
    history_page,
    line_count,
    sampled_history,
    tail,
)


def new_connection(path: str | Path = ":memory:") -> sqlite3.Connection:
    # Like the server: autocommit connection, rows as sqlite3.Row.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for ddl in HISTORY_DDL:
        conn.execute(ddl)
    return conn


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = new_connection()
    yield connection
    connection.close()


def rows(steps: range | list[int], **extra: object) -> list[str]:
    return [json.dumps({"_step": step, "loss": step / 2, **extra}) for step in steps]


def stored(conn: sqlite3.Connection, run_pk: int, stream: str = "history") -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT body FROM history_lines WHERE run_pk = ? AND stream = ? ORDER BY line_no",
            (run_pk, stream),
        )
    ]


def recomputed_keys(conn: sqlite3.Connection, run_pk: int) -> dict[str, object]:
    """historyKeys computed from scratch over every stored row, to check the kept counts."""
    counts: Counter[tuple[str, str]] = Counter()
    last = -1
    for line_no, body in enumerate(stored(conn, run_pk)):
        row = json.loads(body)
        step = row.get("_step", line_no)
        last = max(last, step)
        for key, value in row.items():
            counts[key, value_type(value)] += 1
    keys: dict[str, dict[str, list[dict[str, object]]]] = {}
    for (key, kind), count in sorted(counts.items()):
        keys.setdefault(key, {"typeCounts": []})["typeCounts"].append(
            {"type": kind, "count": count}
        )
    return {"lastStep": last, "keys": keys}


def key_info(conn: sqlite3.Connection, run_pk: int) -> dict[str, object]:
    """The ``keys`` part of historyKeys."""
    keys = history_keys(conn, run_pk)["keys"]
    assert isinstance(keys, dict)
    return keys


def value_type(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return str(value.get("_type", "map"))
    return "list"


# --------------------------------------------------------------------------- append


def test_append_returns_line_count_and_stores_text_verbatim(conn: sqlite3.Connection) -> None:
    lines = ['{"_step": 0, "loss": NaN}', ' {"_step":1,"loss":Infinity}\n']
    assert append_rows(conn, 1, "history", 0, lines) == 2
    assert line_count(conn, 1, "history") == 2
    assert line_count(conn, 1, "events") == 0
    assert stored(conn, 1) == ['{"_step": 0, "loss": NaN}', '{"_step":1,"loss":Infinity}']


def test_resent_offsets_overwrite_and_never_duplicate(conn: sqlite3.Connection) -> None:
    assert append_rows(conn, 1, "history", 0, rows(range(10))) == 10
    # A retried request re-sends lines 5..9 together with new lines 10..12.
    assert append_rows(conn, 1, "history", 5, rows(range(5, 13))) == 13
    assert stored(conn, 1) == rows(range(13))
    # Re-sending an older window with new content replaces those lines only.
    assert append_rows(conn, 1, "history", 2, rows([2, 3], acc="x")) == 13
    assert stored(conn, 1) == [*rows(range(2)), *rows([2, 3], acc="x"), *rows(range(4, 13))]
    assert history_keys(conn, 1) == recomputed_keys(conn, 1)
    assert key_info(conn, 1)["acc"] == {"typeCounts": [{"type": "string", "count": 2}]}


def test_overwriting_a_key_away_drops_it_from_history_keys(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, ['{"_step": 0, "gone": 1}'])
    append_rows(conn, 1, "history", 0, ['{"_step": 0, "kept": 1}'])
    assert set(key_info(conn, 1)) == {"_step", "kept"}


def test_offset_past_the_end_is_refused_naming_the_next_line(conn: sqlite3.Connection) -> None:
    """A gap would count lines nobody sent (issue 15: offset 1e9 made 1,000,000,001 lines)."""
    with pytest.raises(ValueError, match="history offset 3 leaves a gap: the next line is 0"):
        append_rows(conn, 1, "history", 3, rows([3]))
    assert append_rows(conn, 1, "history", 0, []) == 0
    assert append_rows(conn, 1, "history", 0, rows([0, 1])) == 2
    assert append_rows(conn, 1, "history", 1, rows([1, 2])) == 3  # a retry overlapping: once
    assert history_page(conn, 1, samples=None, min_step=None, max_step=None) == rows([0, 1, 2])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"_step": 0}', "not json"], "history line 8 is not JSON"),
        (['{"_step": 0}', "[1, 2]"], "history line 8 is not a JSON object: '[1, 2]'"),
        (['"text"'], "history line 7 is not a JSON object"),
        ([""], "history line 7 is not JSON"),
    ],
)
def test_bad_lines_are_rejected_by_line_number_and_nothing_is_stored(
    conn: sqlite3.Connection, lines: list[str], message: str
) -> None:
    append_rows(conn, 1, "history", 0, rows(range(7)))
    with pytest.raises(ValueError, match="history line") as info:
        append_rows(conn, 1, "history", 7, lines)
    assert message in str(info.value)
    assert line_count(conn, 1, "history") == 7


@pytest.mark.parametrize("offset", [-1, True, 1.5])
def test_bad_offsets_are_rejected(conn: sqlite3.Connection, offset: object) -> None:
    with pytest.raises(ValueError, match="offset must be a non-negative integer"):
        append_rows(conn, 1, "history", offset, rows([0]))  # type: ignore[arg-type]


def test_unknown_stream_is_rejected(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="unknown history stream 'console'"):
        append_rows(conn, 1, "console", 0, rows([0]))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown history stream"):
        line_count(conn, 1, "output")  # type: ignore[arg-type]


def test_append_joins_the_callers_transaction(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")
    append_rows(conn, 1, "history", 0, rows(range(3)))
    assert line_count(conn, 1, "history") == 3
    conn.execute("ROLLBACK")
    assert line_count(conn, 1, "history") == 0
    assert history_keys(conn, 1) == {"lastStep": -1, "keys": {}}


def test_append_commits_on_a_legacy_transaction_connection(tmp_path: Path) -> None:
    writer = sqlite3.connect(tmp_path / "db.sqlite3")  # Python's implicit transactions
    for ddl in HISTORY_DDL:
        writer.execute(ddl)
    writer.commit()
    append_rows(writer, 1, "history", 0, rows(range(3)))
    reader = sqlite3.connect(tmp_path / "db.sqlite3")
    assert line_count(reader, 1, "history") == 3


def test_streams_and_runs_are_separate(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(3)))
    append_rows(conn, 1, "events", 0, ['{"cpu": 1}', '{"cpu": 2}'])
    append_rows(conn, 2, "history", 0, rows(range(5)))
    assert line_count(conn, 1, "history") == 3
    assert line_count(conn, 1, "events") == 2
    assert line_count(conn, 2, "history") == 5
    assert history_page(conn, 1, samples=10, min_step=None, max_step=None, stream="events") == [
        '{"cpu": 1}',
        '{"cpu": 2}',
    ]
    # Events do not count towards historyKeys.
    assert "cpu" not in key_info(conn, 1)


def test_tail_returns_last_lines_in_order(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(5)))
    assert tail(conn, 1, "history", 2) == rows([3, 4])
    assert tail(conn, 1, "history", 50) == rows(range(5))
    assert tail(conn, 1, "history", 0) == []
    assert tail(conn, 1, "events", 3) == []


def test_delete_run_rows_forgets_only_that_run(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(3)))
    append_rows(conn, 1, "events", 0, ['{"cpu": 1}'])
    append_rows(conn, 2, "history", 0, rows(range(2)))
    delete_run_rows(conn, 1)
    assert line_count(conn, 1, "history") == 0
    assert line_count(conn, 1, "events") == 0
    assert history_keys(conn, 1) == {"lastStep": -1, "keys": {}}
    assert sampled_history(conn, 1, {"keys": ["loss"]}) == []
    assert stored(conn, 2) == rows(range(2))
    assert history_keys(conn, 2) == recomputed_keys(conn, 2)


# --------------------------------------------------------------------------- historyKeys


def test_history_keys_of_an_empty_run(conn: sqlite3.Connection) -> None:
    assert history_keys(conn, 1) == {"lastStep": -1, "keys": {}}


def test_history_keys_counts_types(conn: sqlite3.Connection) -> None:
    append_rows(
        conn,
        1,
        "history",
        0,
        [
            '{"_step": 0, "v": 1, "img": {"_type": "image-file", "path": "a.png"}}',
            '{"_step": 1, "v": "one", "m": {"a": 1}, "l": [1]}',
            '{"_step": 7, "v": true, "n": null, "x": NaN}',
            '{"_step": 4, "v": 2.5}',
        ],
    )
    keys = history_keys(conn, 1)
    assert keys["lastStep"] == 7
    assert keys["keys"] == {
        "_step": {"typeCounts": [{"type": "number", "count": 4}]},
        "img": {"typeCounts": [{"type": "image-file", "count": 1}]},
        "l": {"typeCounts": [{"type": "list", "count": 1}]},
        "m": {"typeCounts": [{"type": "map", "count": 1}]},
        "n": {"typeCounts": [{"type": "nil", "count": 1}]},
        "v": {
            "typeCounts": [
                {"type": "boolean", "count": 1},
                {"type": "number", "count": 2},
                {"type": "string", "count": 1},
            ]
        },
        "x": {"typeCounts": [{"type": "number", "count": 1}]},
    }


def test_history_keys_come_from_the_key_table(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(100)))
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    history_keys(conn, 1)
    conn.set_trace_callback(None)
    body_reads = [sql for sql in statements if "history_lines" in sql]
    assert len(body_reads) == 1
    assert "MAX(step)" in body_reads[0]
    assert_no_full_scan(conn, body_reads[0])


def assert_no_full_scan(conn: sqlite3.Connection, sql: str) -> None:
    plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "SCAN history_lines" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_step_falls_back_to_the_line_number(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, ['{"a": 0}', '{"a": 1, "_step": "x"}', '{"a": 2}'])
    assert history_keys(conn, 1)["lastStep"] == 2
    assert history_page(conn, 1, samples=None, min_step=1, max_step=2) == ['{"a": 1, "_step": "x"}']


def test_steps_beyond_64_bits_fall_back_to_the_line_number(conn: sqlite3.Connection) -> None:
    """The fast parser reads an integer beyond 64 bits as a float (-2**63 - 1 would round to
    -2**63, a valid step): such a step is read again exactly, and refused like any other."""
    lines = [
        '{"_step": -9223372036854775809, "a": 0}',
        '{"_step": 18446744073709551616, "a": 1}',
        '{"_step": 9223372036854775807, "a": 2}',
        '{"_step": 3.0, "a": 3}',
    ]
    append_rows(conn, 1, "history", 0, lines)
    append_rows(conn, 1, "history", 4, ['{"_step": 1e400, "a": 4}'])  # (orjson refuses it)
    steps = conn.execute(
        "SELECT line_no, step FROM history_lines WHERE run_pk = 1 ORDER BY line_no"
    ).fetchall()
    assert [tuple(row) for row in steps] == [(0, 0), (1, 1), (2, 2**63 - 1), (3, 3), (4, 4)]
    assert history_keys(conn, 1)["keys"] == {
        "_step": {"typeCounts": [{"type": "number", "count": 5}]},
        "a": {"typeCounts": [{"type": "number", "count": 5}]},
    }


@pytest.mark.parametrize("sizes", [[1, 2, 3], [1023, 1, 1024], [1025, 2049, 7]])
def test_batches_of_any_size_store_every_line_once_in_order(
    conn: sqlite3.Connection, sizes: list[int]
) -> None:
    offset = 0
    for size in sizes:
        assert append_rows(conn, 1, "history", offset, rows(range(offset, offset + size))) == (
            offset + size
        )
        offset += size
    assert stored(conn, 1) == rows(range(offset))
    assert history_keys(conn, 1) == recomputed_keys(conn, 1)


# --------------------------------------------------------------------------- history pages


def test_samples_spread_evenly_with_first_and_last(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(101)))
    page = history_page(conn, 1, samples=5, min_step=None, max_step=None)
    assert [json.loads(row)["_step"] for row in page] == [0, 25, 50, 75, 100]
    page = history_page(conn, 1, samples=2, min_step=None, max_step=None)
    assert [json.loads(row)["_step"] for row in page] == [0, 100]
    assert history_page(conn, 1, samples=1, min_step=None, max_step=None) == rows([0])
    assert history_page(conn, 1, samples=0, min_step=None, max_step=None) == []
    assert history_page(conn, 1, samples=500, min_step=None, max_step=None) == rows(range(101))
    assert history_page(conn, 1, samples=None, min_step=None, max_step=None) == rows(range(101))


@pytest.mark.parametrize(("total", "samples"), [(10, 3), (7, 6), (1000, 500), (501, 500), (2, 2)])
def test_sample_sizes_are_exact_and_distinct(
    conn: sqlite3.Connection, total: int, samples: int
) -> None:
    append_rows(conn, 1, "history", 0, rows(range(total)))
    steps = [
        json.loads(row)["_step"]
        for row in history_page(conn, 1, samples=samples, min_step=None, max_step=None)
    ]
    assert len(steps) == min(samples, total)
    assert steps == sorted(set(steps))
    assert (steps[0], steps[-1]) == (0, total - 1)


def test_negative_samples_are_rejected(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="samples must not be negative"):
        history_page(conn, 1, samples=-1, min_step=None, max_step=None)


def test_rows_come_in_step_order_not_arrival_order(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows([5, 3, 9, 4]))
    page = history_page(conn, 1, samples=None, min_step=None, max_step=None)
    assert page == rows([3, 4, 5, 9])
    assert history_page(conn, 1, samples=10, min_step=4, max_step=9) == rows([4, 5])
    assert history_page(conn, 1, samples=3, min_step=None, max_step=None) == rows([3, 5, 9])
    assert history_page(conn, 1, samples=10, min_step=None, max_step=None) == rows([3, 4, 5, 9])
    assert history_keys(conn, 1)["lastStep"] == 9


def test_a_body_holding_the_separator_still_reads_back_exactly(conn: sqlite3.Connection) -> None:
    # Sampled reads fetch the bodies joined by "\x1e", which JSON text a client sends never
    # holds unescaped; a row written around append_rows that does is read row by row.
    append_rows(conn, 1, "history", 0, rows(range(4)))
    odd = '{"_step": 4, "note": "a\x1eb"}'
    conn.execute(
        "INSERT INTO history_lines (run_pk, stream, step, line_no, keyset_pk, body)"
        " VALUES (1, 'history', 4, 4, 0, ?)",
        (odd,),
    )
    assert history_page(conn, 1, samples=10, min_step=None, max_step=None) == [*rows(range(4)), odd]
    assert history_page(conn, 1, samples=3, min_step=None, max_step=None)[-1] == odd
    assert history_page(conn, 1, samples=10, min_step=2, max_step=10) == [*rows([2, 3]), odd]


def test_step_window_is_half_open_and_capped(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(0, 40, 2)))  # steps 0, 2, ..., 38
    assert history_page(conn, 1, samples=100, min_step=10, max_step=20) == rows(range(10, 20, 2))
    assert history_page(conn, 1, samples=100, min_step=None, max_step=5) == rows([0, 2, 4])
    assert history_page(conn, 1, samples=100, min_step=35, max_step=None) == rows([36, 38])
    assert history_page(conn, 1, samples=100, min_step=50, max_step=60) == []
    # More rows in the window than samples: evenly sampled, first and last included.
    page = history_page(conn, 1, samples=3, min_step=0, max_step=40)
    assert page == rows([0, 20, 38])  # ranks 0, 9.5 -> 10, 19


def test_window_pages_read_only_their_rows(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows(range(3000)))
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    history_page(conn, 1, samples=1000, min_step=1000, max_step=2000)
    sampled_history(conn, 1, {"keys": ["loss"], "samples": 1000, "minStep": 0, "maxStep": 999})
    conn.set_trace_callback(None)
    reads = [sql for sql in statements if "history_lines" in sql]
    assert reads
    for sql in reads:
        # Rows are counted only within the page (a LIMITed subquery), never the run's.
        assert "COUNT" not in sql or re.search(r"^SELECT COUNT\(\*\).* LIMIT \d+\)$", sql), sql
        assert "ROW_NUMBER" not in sql, sql
        assert_no_full_scan(conn, sql)


def test_nan_and_infinity_survive(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, ['{"_step": 0, "a": NaN, "b": Infinity, "c": -Infinity}'])
    assert history_page(conn, 1, samples=10, min_step=None, max_step=None) == [
        '{"_step": 0, "a": NaN, "b": Infinity, "c": -Infinity}'
    ]
    (row,) = sampled_history(conn, 1, {"keys": ["a", "b", "c"], "samples": 10})
    assert isinstance(row["a"], float)
    assert math.isnan(row["a"])
    assert row["b"] == math.inf
    assert row["c"] == -math.inf


# --------------------------------------------------------------------------- sampledHistory


@pytest.fixture
def mixed(conn: sqlite3.Connection) -> sqlite3.Connection:
    lines = []
    for step in range(20):
        row: dict[str, object] = {"_step": step, "_runtime": step * 0.1}
        if step % 2 == 0:
            row["loss"] = step
        if step % 5 == 0:
            row["acc"] = step / 100
        lines.append(json.dumps(row))
    append_rows(conn, 1, "history", 0, lines)
    return conn


def test_sampled_history_keeps_rows_with_all_keys_projected(mixed: sqlite3.Connection) -> None:
    result = sampled_history(mixed, 1, {"keys": ["_step", "loss", "acc"], "samples": 100})
    assert result == [
        {"_step": 0, "loss": 0, "acc": 0.0},
        {"_step": 10, "loss": 10, "acc": 0.1},
    ]
    result = sampled_history(mixed, 1, {"keys": ["_step", "loss"], "samples": 100})
    assert [row["_step"] for row in result] == list(range(0, 20, 2))
    assert all(set(row) == {"_step", "loss"} for row in result)


def test_sampled_history_samples_among_matching_rows(mixed: sqlite3.Connection) -> None:
    result = sampled_history(mixed, 1, {"keys": ["_step", "loss"], "samples": 3})
    assert [row["_step"] for row in result] == [0, 10, 18]
    result = sampled_history(mixed, 1, {"keys": ["loss"], "samples": 1})
    assert result == [{"loss": 0}]


def test_sampled_history_step_window(mixed: sqlite3.Connection) -> None:
    # maxStep is inclusive here, as wandb 0.31.0's scan_history(keys=...) expects.
    spec = {"keys": ["_step", "loss"], "samples": 1000, "minStep": 5, "maxStep": 12}
    assert [row["_step"] for row in sampled_history(mixed, 1, spec)] == [6, 8, 10, 12]
    spec = {"keys": ["_step", "loss"], "samples": 1000, "minStep": 0, "maxStep": 3}
    assert [row["_step"] for row in sampled_history(mixed, 1, spec)] == [0, 2]


def test_sampled_history_with_duplicate_or_unknown_keys(mixed: sqlite3.Connection) -> None:
    result = sampled_history(mixed, 1, {"keys": ["_step", "acc", "_step"], "samples": 10})
    assert result == [
        {"_step": 0, "acc": 0.0},
        {"_step": 5, "acc": 0.05},
        {"_step": 10, "acc": 0.1},
        {"_step": 15, "acc": 0.15},
    ]
    assert sampled_history(mixed, 1, {"keys": ["nope"], "samples": 10}) == []
    assert sampled_history(mixed, 2, {"keys": ["loss"], "samples": 10}) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"samples": 3}, "'keys' must be a non-empty list of strings"),
        ({"keys": [], "samples": 3}, "'keys' must be a non-empty list of strings"),
        ({"keys": "loss"}, "'keys' must be a non-empty list of strings"),
        ({"keys": ["loss", 1]}, "'keys' must be a non-empty list of strings"),
        ({"keys": ["loss"], "samples": "3"}, "'samples' must be an integer"),
        ({"keys": ["loss"], "samples": -3}, "'samples' must not be negative"),
        ({"keys": ["loss"], "minStep": 1.5}, "'minStep' must be an integer"),
        ({"keys": ["loss"], "maxStep": True}, "'maxStep' must be an integer"),
    ],
)
def test_bad_specs_name_the_field(
    mixed: sqlite3.Connection, spec: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match="sampledHistory spec") as info:
        sampled_history(mixed, 1, spec)
    assert message in str(info.value)


# --------------------------------------------------------------------------- at scale


@pytest.mark.slow
def test_hundred_thousand_rows_scan_exactly(tmp_path: Path) -> None:
    conn = new_connection(tmp_path / "history.sqlite3")
    total, batch, page_size = 100_000, 2_500, 1_000
    offset = 0
    while offset < total:
        # Every other request is a retry that re-sends the previous 100 lines first.
        start = max(0, offset - 100) if (offset // batch) % 2 else offset
        end = min(total, offset + batch)
        assert append_rows(conn, 7, "history", start, rows(range(start, end))) == end
        offset = end
    assert line_count(conn, 7, "history") == total
    keys = history_keys(conn, 7)
    assert keys["lastStep"] == total - 1
    assert keys["keys"] == {
        "_step": {"typeCounts": [{"type": "number", "count": total}]},
        "loss": {"typeCounts": [{"type": "number", "count": total}]},
    }
    # scan_history: windows [offset, offset + page_size) up to lastStep + 1.
    seen = 0
    for window_start in range(0, total, page_size):
        page = history_page(
            conn, 7, samples=page_size, min_step=window_start, max_step=window_start + page_size
        )
        assert page == rows(range(window_start, window_start + page_size))
        seen += len(page)
    assert seen == total
    sample = history_page(conn, 7, samples=500, min_step=None, max_step=None)
    steps = [json.loads(row)["_step"] for row in sample]
    assert len(steps) == 500
    assert steps == sorted(set(steps))
    assert (steps[0], steps[-1]) == (0, total - 1)
    gaps = {b - a for a, b in itertools.pairwise(steps)}
    assert max(gaps) - min(gaps) <= 1
    scanned = sampled_history(
        conn, 7, {"keys": ["_step", "loss"], "samples": 1000, "minStep": 5000, "maxStep": 5999}
    )
    assert scanned == [{"_step": s, "loss": s / 2} for s in range(5000, 6000)]
    conn.close()


# --------------------------------------------------------------------------- property

LINE = st.fixed_dictionaries(
    {"_step": st.integers(0, 30)},
    optional={
        "loss": st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=3)),
        "ok": st.booleans(),
        "none": st.none(),
        "media": st.just({"_type": "histogram", "bins": [1, 2]}),
    },
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.lists(LINE, max_size=6)), max_size=8))
def test_any_sequence_of_requests_matches_a_line_model(
    requests: list[tuple[int, list[dict[str, object]]]],
) -> None:
    conn = new_connection()
    model: dict[int, str] = {}
    for wanted_offset, batch in requests:
        offset = min(wanted_offset, len(model))  # clients never skip lines
        lines = [json.dumps(row) for row in batch]
        count = append_rows(conn, 1, "history", offset, lines)
        model.update({offset + i: line for i, line in enumerate(lines)})
        assert count == len(model)
    assert stored(conn, 1) == [model[i] for i in range(len(model))]
    assert history_keys(conn, 1) == recomputed_keys(conn, 1)
    assert line_count(conn, 1, "history") == len(model)
    assert tail(conn, 1, "history", 3) == [model[i] for i in range(len(model))][-3:]
    assert tail(conn, 1, "history", 50) == [model[i] for i in range(len(model))][-50:]
    expected = sorted(range(len(model)), key=lambda i: (json.loads(model[i])["_step"], i))
    page = history_page(conn, 1, samples=None, min_step=None, max_step=None)
    assert page == [model[i] for i in expected]
    sampled = history_page(conn, 1, samples=3, min_step=None, max_step=None)
    chosen = (
        [0, len(expected) // 2, len(expected) - 1] if len(expected) > 3 else range(len(expected))
    )
    assert sampled == [model[expected[rank]] for rank in chosen]


# --------------------------------------------------------------------------- layout


def test_a_line_updates_one_b_tree(conn: sqlite3.Connection) -> None:
    """The table is the only index of history lines: per-stream counts and tails live in
    history_streams, one row per run and stream."""
    indexes = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history_lines'"
        " AND sql IS NOT NULL"
    ).fetchall()
    assert indexes == []
    append_rows(conn, 1, "history", 0, rows(range(25)))
    append_rows(conn, 1, "events", 0, rows(range(3)))
    streams = conn.execute("SELECT run_pk, stream, line_count FROM history_streams").fetchall()
    assert sorted(tuple(row) for row in streams) == [(1, "events", 3), (1, "history", 25)]


def test_a_data_dir_of_the_old_layout_keeps_its_counts_and_tails(tmp_path: Path) -> None:
    """A database written with the index of line numbers (before history_streams) opens with
    the same line counts and tails, and loses that index."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute(HISTORY_DDL[0])  # history_lines, as it was
    old.execute(
        "CREATE UNIQUE INDEX history_lines_by_line ON history_lines (run_pk, stream, line_no)"
    )
    old.execute(
        "CREATE INDEX history_lines_by_step"
        " ON history_lines (run_pk, stream, step, line_no, keyset_pk)"
    )
    bodies = rows(range(40))
    old.executemany(
        "INSERT INTO history_lines VALUES (7, 'history', ?, ?, 1, ?)",
        [(step, step, body) for step, body in enumerate(bodies)],
    )
    old.execute("INSERT INTO history_lines VALUES (8, 'events', 0, 0, 1, '{\"cpu\": 1}')")
    old.close()
    conn = new_connection(path)
    assert line_count(conn, 7, "history") == 40
    assert line_count(conn, 8, "events") == 1
    assert tail(conn, 7, "history", 10) == bodies[-10:]
    assert tail(conn, 8, "events", 10) == ['{"cpu": 1}']
    assert append_rows(conn, 7, "history", 40, rows([40])) == 41
    assert tail(conn, 7, "history", 2) == [bodies[-1], rows([40])[0]]
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not names & {"history_lines_by_line", "history_lines_by_step"}
    conn.close()
    again = new_connection(path)  # a second start changes nothing
    assert (line_count(again, 7, "history"), tail(again, 7, "history", 1)) == (41, rows([40]))
    again.close()


def test_a_resent_line_with_another_step_replaces_the_old_one(conn: sqlite3.Connection) -> None:
    append_rows(conn, 1, "history", 0, rows([0, 1, 2]))
    assert append_rows(conn, 1, "history", 1, rows([9])) == 3
    assert stored(conn, 1) == rows([0, 9, 2])
    page = history_page(conn, 1, samples=None, min_step=None, max_step=None)
    assert page == rows([0, 2, 9])
    assert tail(conn, 1, "history", 10) == rows([0, 9, 2])
