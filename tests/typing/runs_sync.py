"""What a user's program gets from a ``Run`` and the listings around it (sync flavour)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas
import polars
from typing_extensions import assert_type

from wandb_typed import (
    Artifact,
    ArtifactDraft,
    File,
    Files,
    Page,
    ProjectPath,
    Run,
    RunConfig,
    RunPath,
    Runs,
    RunSummary,
    RunUser,
)
from wandb_typed._json import JSONObject, JSONValue
from wandb_typed.artifacts import RunArtifacts


def check_run_fields(run: Run) -> None:
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


def check_run_documents(run: Run) -> None:
    assert_type(run.config, RunConfig)
    assert_type(run.rawconfig, JSONObject)
    assert_type(run.summary, RunSummary)
    assert_type(run.summary_metrics, Mapping[str, JSONValue])
    assert_type(run.system_metrics, JSONObject)
    assert_type(run.history_keys, JSONObject)
    assert_type(run.lastHistoryStep, int)
    assert_type(run.table_row(), JSONObject)


def check_run_history(run: Run, flag: bool) -> None:
    # pandas=True is the default, as in wandb; format= wins over pandas=.
    assert_type(run.history(), pandas.DataFrame)
    assert_type(run.history(pandas=True), pandas.DataFrame)
    assert_type(run.history(samples=10, keys=["loss"], pandas=False), list[JSONObject])
    assert_type(run.history(10, ["loss"], "_step", False), list[JSONObject])
    assert_type(run.history(pandas=flag), list[JSONObject] | pandas.DataFrame)
    assert_type(run.history(format="default"), list[JSONObject])
    assert_type(run.history(format="pandas"), pandas.DataFrame)
    assert_type(run.history(format="polars", stream="system"), polars.DataFrame)
    assert_type(run.scan_history(keys=["loss"], page_size=100, min_step=0), Iterator[JSONObject])


def check_run_actions(run: Run, draft: ArtifactDraft, artifact: Artifact) -> None:
    assert_type(run.load(force=True), None)
    assert_type(run.update(), None)
    assert_type(run.save(), None)
    assert_type(run.delete(delete_artifacts=False), None)
    assert_type(run.wait_until_finished(poll_seconds=1.0), None)
    assert_type(run.file("output.log"), File)
    assert_type(run.files(names=["output.log"], per_page=10), Files)
    assert_type(run.upload_file("model.pt", root="."), File)
    assert_type(run.log_artifact(draft, aliases=["best"], tags=["clean"]), Artifact)
    assert_type(run.use_artifact(artifact, use_as="data"), Artifact)
    assert_type(run.logged_artifacts(per_page=10), RunArtifacts)
    assert_type(run.used_artifacts(), RunArtifacts)


def check_run_config(config: RunConfig, stored: JSONObject) -> None:
    assert_type(config["lr"], JSONValue)
    assert_type(len(config), int)
    for key in config:
        assert_type(key, str)
    assert_type(config.raw, JSONObject)
    assert_type(config.to_stored(), JSONObject)
    assert_type(RunConfig.from_stored(stored), RunConfig)


def check_run_summary(summary: RunSummary) -> None:
    assert_type(summary["loss"], JSONValue)
    assert_type(len(summary), int)
    for key in summary:
        assert_type(key, str)
    assert_type(summary.update({"loss": 0.1}, acc=0.9), None)
    assert_type(summary.save(), None)


def check_run_user_and_path(user: RunUser, path: RunPath) -> None:
    assert_type(user.name, str)
    assert_type(user.username, str | None)
    assert_type(path.entity, str)
    assert_type(path.project, str)
    assert_type(path.run_id, str)
    assert_type(path.project_path, ProjectPath)


def check_runs_listing(runs: Runs) -> None:
    for run in runs:
        assert_type(run, Run)
    assert_type(runs[0], Run)
    assert_type(runs[1:3], list[Run])
    assert_type(len(runs), int)
    assert_type(runs.total, int | None)
    assert_type(runs.total_count(), int)
    assert_type(runs.is_empty(), bool)
    assert_type(runs.pages(), Iterator[Page[Run]])
    assert_type(runs.per_page, int)
    assert_type(runs.connection_path, Sequence[str])
    assert_type(runs.entity, str)
    assert_type(runs.project, str)
    assert_type(runs.filters, Mapping[str, object])
    assert_type(runs.order, str)
    assert_type(runs.include_sweeps, bool)
    assert_type(runs.lazy, bool)
    assert_type(runs.histories(samples=10, keys=["loss"]), list[JSONObject])
    assert_type(runs.histories(format="pandas"), pandas.DataFrame)
    assert_type(runs.histories(format="polars", stream="system"), polars.DataFrame)
    assert_type(runs.table_rows(), list[JSONObject])
    assert_type(runs.to_pandas(), pandas.DataFrame)
    assert_type(runs.to_polars(), polars.DataFrame)
    assert_type(runs.close(), None)


def check_files(files: Files, file: File) -> None:
    for each in files:
        assert_type(each, File)
    assert_type(files[0], File)
    assert_type(len(files), int)
    assert_type(files.total, int | None)
    assert_type(files.total_count(), int)
    assert_type(files.is_empty(), bool)
    assert_type(files.pages(), Iterator[Page[File]])
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
    assert_type(file.download(root=".", replace=True, exist_ok=False), Path)
    assert_type(file.delete(), None)


def check_run_artifacts(artifacts: RunArtifacts) -> None:
    for artifact in artifacts:
        assert_type(artifact, Artifact)
    assert_type(artifacts[0], Artifact)
    assert_type(len(artifacts), int)
    assert_type(artifacts.total, int | None)
    assert_type(artifacts.total_count(), int)
    assert_type(artifacts.is_empty(), bool)
    assert_type(artifacts.pages(), Iterator[Page[Artifact]])
    assert_type(artifacts.per_page, int)
    assert_type(artifacts.connection_path, Sequence[str])
    assert_type(artifacts.run, RunPath)
    assert_type(artifacts.direction, Literal["input", "output"])
    assert_type(artifacts.close(), None)
