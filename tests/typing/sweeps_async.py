"""What a user's program gets from sweeps with ``AsyncApi``: a sweep's fields, runs, best
run and state changes (awaitables), and the sweep of a run (an awaited method)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import (
    AsyncApi,
    AsyncRun,
    AsyncRuns,
    AsyncSweep,
    AsyncSweeps,
    ProjectPath,
    SweepPath,
)


async def check_api_sweeps(api: AsyncApi) -> None:
    assert_type(await api.sweep("team/vision/sweeps/x8d2kq1z"), AsyncSweep)
    assert_type(await api.sweep(path="vision/x8d2kq1z"), AsyncSweep)


async def check_sweep(sweep: AsyncSweep) -> None:
    assert_type(sweep.id, str)
    assert_type(sweep.storage_id, str)
    assert_type(sweep.name, str)
    assert_type(sweep.display_name, str | None)
    assert_type(sweep.entity, str)
    assert_type(sweep.project, str)
    assert_type(sweep.state, str)
    assert_type(sweep.method, str)
    assert_type(sweep.description, str | None)
    assert_type(sweep.config, dict[str, Any])
    assert_type(sweep.config_yaml, str)
    assert_type(sweep.best_loss, float | None)
    assert_type(sweep.expected_run_count, int | None)
    assert_type(sweep.run_count, int)
    assert_type(sweep.created_at, datetime)
    assert_type(sweep.updated_at, datetime | None)
    assert_type(sweep.path, SweepPath)
    assert_type(sweep.url, str)
    assert_type(sweep.order, str | None)
    assert_type(sweep.runs, AsyncRuns)
    assert_type(await sweep.best_run(), AsyncRun | None)
    assert_type(await sweep.best_run(order="-summary_metrics.acc"), AsyncRun | None)
    assert_type(await sweep.pause(), None)
    assert_type(await sweep.resume(), None)
    assert_type(await sweep.stop(), None)
    assert_type(await sweep.cancel(), None)
    assert_type(await sweep.load(force=True), dict[str, Any])


async def check_sweeps(sweeps: AsyncSweeps) -> None:
    assert_type(sweeps.project, ProjectPath)


async def check_run_sweep(run: AsyncRun) -> None:
    assert_type(await run.sweep(), AsyncSweep | None)


async def misuse_sweeps(sweep: AsyncSweep, run: AsyncRun) -> None:
    print(sweep.best_run().id)  # type: ignore[attr-defined]
    state: str = run.sweep()  # type: ignore[assignment]
    print(state)
