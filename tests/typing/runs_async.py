"""What a user's program gets from an ``AsyncRun`` and its listings: awaitables, async
iterators, and the same values as the sync flavour once awaited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas
import polars
from typing_extensions import assert_type

from wandb_typed import (
    ArtifactDraft,
    AsyncArtifact,
    AsyncFile,
    AsyncFiles,
    AsyncRun,
    AsyncRuns,
    AsyncRunSummary,
    Page,
    RunConfig,
    RunPath,
    RunUser,
)
from wandb_typed._json import JSONObject, JSONValue
from wandb_typed.artifacts import AsyncRunArtifacts


def check_run_fields(run: AsyncRun) -> None:
    # What a listing page already holds is plain attributes, no await.
    assert_type(run.id, str)
    assert_type(run.storage_id, str)
    assert_type(run.name, str)
    assert_type(run.display_name, str)
    assert_type(run.entity, str)
    assert_type(run.project, str)
    assert_type(run.project_id, str)
    assert_type(run.path, list[str])
    assert_type(run.url, str)
    assert_type(run.state, str | None)
    assert_type(run.created_at, datetime)
    assert_type(run.heartbeat_at, datetime | None)
    assert_type(run.description, str | None)
    assert_type(run.notes, str | None)
    assert_type(run.group, str | None)
    assert_type(run.job_type, str | None)
    assert_type(run.sweep_name, str | None)
    assert_type(run.commit, str | None)
    assert_type(run.tags, list[str])
    assert_type(run.read_only, bool)
    assert_type(run.user, RunUser | None)
    assert_type(run.history_line_count, int)


async def check_run_documents(run: AsyncRun) -> None:
    # What needs a request is a method to await (sync: a lazy property).
    assert_type(await run.config(), RunConfig)
    assert_type(await run.rawconfig(), JSONObject)
    assert_type(await run.summary(), AsyncRunSummary)
    assert_type(await run.summary_metrics(), Mapping[str, JSONValue])
    assert_type(await run.system_metrics(), JSONObject)
    assert_type(await run.history_keys(), JSONObject)
    assert_type(await run.lastHistoryStep(), int)
    assert_type(await run.table_row(), JSONObject)


async def check_run_history(run: AsyncRun, flag: bool) -> None:
    assert_type(await run.history(), pandas.DataFrame)
    assert_type(await run.history(pandas=True), pandas.DataFrame)
    assert_type(await run.history(samples=10, keys=["loss"], pandas=False), list[JSONObject])
    assert_type(await run.history(10, ["loss"], "_step", False), list[JSONObject])
    assert_type(await run.history(pandas=flag), list[JSONObject] | pandas.DataFrame)
    assert_type(await run.history(format="default"), list[JSONObject])
    assert_type(await run.history(format="pandas"), pandas.DataFrame)
    assert_type(await run.history(format="polars", stream="system"), polars.DataFrame)
    rows = run.scan_history(keys=["loss"], page_size=100, max_step=10)
    assert_type(rows, AsyncIterator[JSONObject])
    async for row in rows:
        assert_type(row, JSONObject)


async def check_run_actions(run: AsyncRun, draft: ArtifactDraft, artifact: AsyncArtifact) -> None:
    assert_type(await run.load(force=True), None)
    assert_type(await run.update(), None)
    assert_type(await run.save(), None)
    assert_type(await run.delete(delete_artifacts=False), None)
    assert_type(await run.wait_until_finished(poll_seconds=1.0), None)
    assert_type(await run.file("output.log"), AsyncFile)
    assert_type(run.files(names=["output.log"], per_page=10), AsyncFiles)
    assert_type(await run.upload_file("model.pt", root="."), AsyncFile)
    assert_type(await run.log_artifact(draft, aliases=["best"]), AsyncArtifact)
    assert_type(await run.use_artifact(artifact, use_as="data"), AsyncArtifact)
    assert_type(run.logged_artifacts(per_page=10), AsyncRunArtifacts)
    assert_type(run.used_artifacts(), AsyncRunArtifacts)


async def check_run_summary(summary: AsyncRunSummary) -> None:
    # Reading a summary is local (it was fetched by run.summary()); writing is a request.
    assert_type(summary["loss"], JSONValue)
    assert_type(len(summary), int)
    for key in summary:
        assert_type(key, str)
    assert_type(await summary.update({"loss": 0.1}, acc=0.9), None)
    assert_type(await summary.save(), None)


async def check_runs_listing(runs: AsyncRuns) -> None:
    async for run in runs:
        assert_type(run, AsyncRun)
    assert_type(await runs[0], AsyncRun)
    assert_type(await runs[1:3], list[AsyncRun])
    assert_type(runs.total, int | None)
    assert_type(await runs.total_count(), int)
    assert_type(await runs.is_empty(), bool)
    assert_type(runs.pages(), AsyncIterator[Page[AsyncRun]])
    assert_type(runs.per_page, int)
    assert_type(runs.connection_path, Sequence[str])
    assert_type(runs.entity, str)
    assert_type(runs.project, str)
    assert_type(runs.filters, Mapping[str, object])
    assert_type(runs.order, str)
    assert_type(runs.include_sweeps, bool)
    assert_type(runs.lazy, bool)
    assert_type(await runs.histories(samples=10, keys=["loss"]), list[JSONObject])
    assert_type(await runs.histories(format="pandas"), pandas.DataFrame)
    assert_type(await runs.histories(format="polars"), polars.DataFrame)
    assert_type(await runs.table_rows(), list[JSONObject])
    assert_type(await runs.to_pandas(), pandas.DataFrame)
    assert_type(await runs.to_polars(), polars.DataFrame)
    assert_type(runs.close(), None)


async def check_files(files: AsyncFiles, file: AsyncFile) -> None:
    async for each in files:
        assert_type(each, AsyncFile)
    assert_type(await files[0], AsyncFile)
    assert_type(files.total, int | None)
    assert_type(await files.total_count(), int)
    assert_type(await files.is_empty(), bool)
    assert_type(files.pages(), AsyncIterator[Page[AsyncFile]])
    assert_type(files.per_page, int)
    assert_type(files.connection_path, Sequence[str])
    assert_type(files.names, list[str] | None)
    assert_type(files.pattern, str | None)
    assert_type(files.run, RunPath)
    assert_type(files.close(), None)
    assert_type(file.id, str)
    assert_type(file.name, str)
    assert_type(file.size, int)
    assert_type(file.md5, str | None)
    assert_type(file.mimetype, str | None)
    assert_type(file.url, str | None)
    assert_type(file.direct_url, str)
    assert_type(file.updated_at, datetime | None)
    assert_type(file.run, RunPath)
    assert_type(await file.download(root=".", replace=True), Path)
    assert_type(await file.delete(), None)


async def check_run_artifacts(artifacts: AsyncRunArtifacts) -> None:
    async for artifact in artifacts:
        assert_type(artifact, AsyncArtifact)
    assert_type(await artifacts[0], AsyncArtifact)
    assert_type(artifacts.total, int | None)
    assert_type(await artifacts.total_count(), int)
    assert_type(await artifacts.is_empty(), bool)
    assert_type(artifacts.pages(), AsyncIterator[Page[AsyncArtifact]])
    assert_type(artifacts.per_page, int)
    assert_type(artifacts.connection_path, Sequence[str])
    assert_type(artifacts.run, RunPath)
    assert_type(artifacts.direction, Literal["input", "output"])
    assert_type(artifacts.close(), None)
