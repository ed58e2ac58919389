"""What a user's program gets from sweeps with ``Api``: a sweep's fields, runs, best run and
state changes, and the sweep of a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import Api, ProjectPath, Run, Runs, Sweep, SweepPath, Sweeps


def check_api_sweeps(api: Api) -> None:
    assert_type(api.sweep("team/vision/sweeps/x8d2kq1z"), Sweep)
    assert_type(api.sweep(path="vision/x8d2kq1z"), Sweep)


def check_sweep(sweep: Sweep) -> None:
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
    assert_type(sweep.runs, Runs)
    assert_type(sweep.best_run(), Run | None)
    assert_type(sweep.best_run(order="-summary_metrics.acc"), Run | None)
    assert_type(sweep.pause(), None)
    assert_type(sweep.resume(), None)
    assert_type(sweep.stop(), None)
    assert_type(sweep.cancel(), None)
    assert_type(sweep.load(force=True), dict[str, Any])


def check_sweeps(sweeps: Sweeps) -> None:
    assert_type(sweeps.project, ProjectPath)


def check_run_sweep(run: Run) -> None:
    assert_type(run.sweep, Sweep | None)


def misuse_sweeps(sweep: Sweep, run: Run) -> None:
    sweep.runs()  # type: ignore[operator]
    sweep.state = "RUNNING"  # type: ignore[misc]
    print(sweep.url())  # type: ignore[operator]
    print(run.sweep.url)  # type: ignore[union-attr]
