"""What a program written for ``wandb.Api`` gets from the drop-in members (sync flavour):
wandb's names on ``Run``, ``Runs``, ``Project`` and ``Files``, the typed reads of config and
summary, and the Arrow tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow
from pydantic import BaseModel
from typing_extensions import assert_type

from wandb_typed import ArtifactTypes, Files, Project, Run, RunConfig, Runs, RunSummary, User
from wandb_typed._json import JSONObject


class Hyper(BaseModel):
    lr: float
    depth: int = 2


def check_run_dropin(run: Run) -> None:
    assert_type(run.username, str)
    assert_type(run.json_config, str)
    assert_type(run.metadata, JSONObject | None)
    assert_type(run.load_full_data(), JSONObject)
    assert_type(run.load_full_data(force=True), JSONObject)
    assert_type(run.to_html(), str)
    assert_type(run.to_html(height=300, hidden=True), str)
    assert_type(run.flat_row(), dict[str, object])
    assert_type(run.beta_scan_history(), Iterator[JSONObject])
    assert_type(
        run.beta_scan_history(keys=["loss"], page_size=10, min_step=1, max_step=5, use_cache=False),
        Iterator[JSONObject],
    )
    exports = run.download_history_exports("exports")
    assert_type(exports.paths, list[Path])
    assert_type(exports.contains_live_data, bool)
    run.download_history_exports(Path("exports"), require_complete_history=False)


def check_config_reads(config: RunConfig) -> None:
    assert_type(config.number("lr"), float)
    assert_type(config.integer("depth"), int)
    assert_type(config.string("optimizer"), str)
    assert_type(config.boolean("amp"), bool)
    assert_type(config.get_as("lr", float), float)
    assert_type(config.get_as("lr", float, None), float | None)
    assert_type(config.get_as("optimizer", str, "sgd"), str)
    assert_type(config.parse(Hyper), Hyper)
    config.number(1)  # type: ignore[arg-type]  # keys are strings
    config.parse(dict)  # type: ignore[type-var]  # a pydantic model, not any class


def check_summary_reads(summary: RunSummary) -> None:
    assert_type(summary.number("loss"), float)
    assert_type(summary.integer("_step"), int)
    assert_type(summary.string("phase"), str)
    assert_type(summary.boolean("done"), bool)
    assert_type(summary.get_as("loss", float), float)
    assert_type(summary.get_as("loss", float, 0), float | int)
    assert_type(summary.parse(Hyper), Hyper)


def check_runs_tables(runs: Runs) -> None:
    assert_type(runs.flat_rows(), list[dict[str, object]])
    assert_type(runs.to_arrow(), pyarrow.Table)
    assert_type(runs.parse_configs(Hyper), list[Hyper])
    assert_type(runs.parse_summaries(Hyper), list[Hyper])


def check_project_dropin(project: Project) -> None:
    assert_type(project.owner, User)
    assert_type(project.to_html(), str)
    assert_type(project.to_html(height=300, hidden=True), str)
    assert_type(project.artifacts_types(), ArtifactTypes)
    assert_type(project.artifacts_types(per_page=10), ArtifactTypes)


def check_files_download(files: Files) -> None:
    assert_type(files.download(), list[Path])
    assert_type(files.download("out", replace=True, exist_ok=True), list[Path])
    assert_type(files.download(Path("out")), list[Path])
