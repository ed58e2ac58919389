"""Arrow beside pandas and polars (``to_arrow()`` of a runs table, ``format="arrow"`` for
histories), in both flavours; and ``export`` of 1,000 runs with histories read back by DuckDB
and polars, with its progress bar drawn on a terminal (a pseudo-terminal here)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from runs_support import ENTITY

from flavours import sync_only
from wandb_typed import Api
from wandb_typed.export import export_project
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-arrow"


@pytest.fixture(scope="module")
def project_path(local_server: RunningServer) -> str:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun(
                f"a{index}",
                config={"lr": 0.1 * (index + 1), "net": {"depth": index}},
                history=[{"loss": 1.0 / (step + 1 + index)} for step in range(5)],
            )
            for index in range(3)
        ],
    )
    return f"{ENTITY}/{PROJECT}"


def test_runs_to_arrow(api: Api, project_path: str) -> None:
    table = api.runs(project_path).to_arrow()
    assert isinstance(table, pa.Table)
    assert table.column("id").to_pylist() == ["a0", "a1", "a2"]
    assert table.column("config.net.depth").to_pylist() == [0, 1, 2]
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert table.column("summary.loss").to_pylist() == pytest.approx([0.2, 1 / 6, 1 / 7])


def test_history_as_arrow(api: Api, project_path: str) -> None:
    table = api.run(f"{project_path}/a1").history(keys=["loss"], format="arrow")
    assert isinstance(table, pa.Table)
    assert table.column("_step").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("loss").to_pylist() == [1.0 / (step + 2) for step in range(5)]


def test_histories_as_arrow(api: Api, project_path: str) -> None:
    table = api.runs(project_path).histories(keys=["loss"], format="arrow")
    assert table.num_rows == 15
    assert sorted(set(table.column("run_id").to_pylist())) == ["a0", "a1", "a2"]


# -- export of 1,000 runs ------------------------------------------------------------------

BIG = "e2e-export-1000"


@pytest.fixture(scope="module")
def thousand_runs(local_server: RunningServer) -> str:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        BIG,
        [
            SeedRun(
                f"e{index:04d}",
                config={"lr": index / 1000, "opt": ["adam", "sgd"][index % 2]},
                history=[
                    {"loss": (step + 1) if index % 2 else 1.0 / (step + 1), "epoch": step}
                    for step in range(20)
                ],
            )
            for index in range(1000)
        ],
    )
    return f"{ENTITY}/{BIG}"


@pytest.mark.slow
@sync_only  # the export drives the sync Api
def test_export_of_1000_runs_reads_back_in_duckdb_and_polars(
    local_server: RunningServer, thousand_runs: str, tmp_path: Path
) -> None:
    with Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url}) as api:
        result = export_project(api, thousand_runs, tmp_path, progress=False)
    assert (result.runs, result.history_rows) == (1000, 20_000)
    runs = pl.read_parquet(tmp_path / "runs.parquet")
    assert runs.height == 1000
    assert runs.filter(pl.col("config.opt") == "sgd").height == 500
    history = pl.read_parquet(tmp_path / "history", hive_partitioning=True)
    assert history.height == 20_000
    assert history.schema["loss"] == pl.Float64  # ints in odd runs, floats in even ones
    per_run = duckdb.sql(
        f"SELECT count(DISTINCT run_id), count(*), max(epoch) FROM read_parquet("
        f"'{tmp_path}/history/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert per_run == [(1000, 20_000, 19)]
    best = duckdb.sql(
        f"SELECT h.run_id, min(h.loss) AS best FROM read_parquet('{tmp_path}/history/*/*.parquet',"
        f" hive_partitioning=true) h JOIN read_parquet('{tmp_path}/runs.parquet') r"
        " ON r.id = h.run_id WHERE r.\"config.opt\" = 'adam' GROUP BY h.run_id ORDER BY best"
        " LIMIT 1"
    ).fetchall()
    assert best[0][1] == pytest.approx(1 / 20)


@sync_only  # the command drives the sync Api
def test_export_draws_a_progress_bar_on_a_terminal(
    local_server: RunningServer, project_path: str, tmp_path: Path
) -> None:
    env = {**os.environ, "WANDB_API_KEY": local_server.api_key}
    env["WANDB_BASE_URL"] = local_server.base_url
    main_side, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wandb_typed", "export", project_path, "--out", str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            timeout=120,
            check=False,
        )
        os.close(terminal)
        drawn = b""
        while True:
            try:
                chunk = os.read(main_side, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(main_side)
    assert proc.returncode == 0
    assert b"export admin/e2e-arrow [" in drawn
    assert b"(3/3 runs)" in drawn
    assert proc.stdout.decode().startswith("3 runs, 15 history rows")
