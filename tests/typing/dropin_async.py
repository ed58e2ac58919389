"""The drop-in members of the async flavour: what ``wandb.Api`` reads from the server is
awaited here (``await run.metadata()``), and the typed reads and tables are the same values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pyarrow
from pydantic import BaseModel
from typing_extensions import assert_type

from wandb_typed import (
    AsyncArtifactTypes,
    AsyncFiles,
    AsyncProject,
    AsyncRun,
    AsyncRuns,
    AsyncRunSummary,
    AsyncUser,
)
from wandb_typed._json import JSONObject


class Hyper(BaseModel):
    lr: float
    depth: int = 2


async def check_run_dropin(run: AsyncRun) -> None:
    assert_type(run.username, str)
    assert_type(await run.json_config(), str)
    assert_type(await run.metadata(), JSONObject | None)
    assert_type(await run.load_full_data(), JSONObject)
    assert_type(await run.load_full_data(force=True), JSONObject)
    assert_type(run.to_html(), str)
    assert_type(run.to_html(height=300, hidden=True), str)
    assert_type(await run.flat_row(), dict[str, object])
    assert_type(run.beta_scan_history(), AsyncIterator[JSONObject])
    assert_type(
        run.beta_scan_history(keys=["loss"], page_size=10, min_step=1, max_step=5, use_cache=False),
        AsyncIterator[JSONObject],
    )
    exports = await run.download_history_exports("exports")
    assert_type(exports.paths, list[Path])
    assert_type(exports.contains_live_data, bool)
    await run.download_history_exports(Path("exports"), require_complete_history=False)
    run.json_config.upper()  # type: ignore[attr-defined]  # a method to await, not a str


def check_summary_reads(summary: AsyncRunSummary) -> None:
    assert_type(summary.number("loss"), float)
    assert_type(summary.integer("_step"), int)
    assert_type(summary.string("phase"), str)
    assert_type(summary.boolean("done"), bool)
    assert_type(summary.get_as("loss", float), float)
    assert_type(summary.get_as("loss", float, None), float | None)
    assert_type(summary.parse(Hyper), Hyper)


async def check_runs_tables(runs: AsyncRuns) -> None:
    assert_type(await runs.flat_rows(), list[dict[str, object]])
    assert_type(await runs.to_arrow(), pyarrow.Table)
    assert_type(await runs.parse_configs(Hyper), list[Hyper])
    assert_type(await runs.parse_summaries(Hyper), list[Hyper])


async def check_project_dropin(project: AsyncProject) -> None:
    assert_type(await project.owner(), AsyncUser)
    assert_type(project.to_html(), str)
    assert_type(project.to_html(height=300, hidden=True), str)
    assert_type(project.artifacts_types(), AsyncArtifactTypes)
    assert_type(project.artifacts_types(per_page=10), AsyncArtifactTypes)


async def check_files_download(files: AsyncFiles) -> None:
    assert_type(await files.download(), list[Path])
    assert_type(await files.download("out", replace=True, exist_ok=True), list[Path])
    assert_type(await files.download(Path("out")), list[Path])
