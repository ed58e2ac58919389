"""Pages are index range scans: page 900 costs what page 1 costs (checked on SQLite's plan,
not on timings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandb_typed_server import open_state
from wandb_typed_server.storage.filters import compile_filters
from wandb_typed_server.storage.run_order import compile_order, encode_cursor
from wandb_typed_server.storage.runs import run_page_query


@pytest.mark.parametrize("order", ["+created_at", "-created_at", "+name", "-heartbeat_at"])
@pytest.mark.parametrize("filters", [None, {"state": "finished"}])
def test_run_pages_walk_an_index_without_sorting(
    tmp_path: Path, order: str, filters: dict[str, object] | None
) -> None:
    state = open_state(tmp_path)
    spec = compile_order(order)
    value = "x" if "name" in order else "2026-01-01T00:00:00.000000"
    query = run_page_query(1, compile_filters(filters), spec, encode_cursor(spec, value, 8990), 11)
    plan = " | ".join(
        row[3]
        for row in state.db.connection().execute(f"EXPLAIN QUERY PLAN {query.sql}", query.params)
    )
    state.db.close()
    assert "TEMP B-TREE" not in plan, plan
    assert "SCAN r" not in plan, plan
    assert "SEARCH r USING INDEX" in plan, plan
