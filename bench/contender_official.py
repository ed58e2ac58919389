"""The official client (``wandb`` 0.31.0) doing each benchmark task with its defaults, as a
user would write it. Its ``Api`` talks to the server through the wandb-core sidecar.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import wandb

from tasks import (
    artifact_check,
    config_check,
    download_root,
    file_check,
    history_check,
    summary_check,
)


class _RequestsSpy:
    """Counts the requests the official client sends through ``requests`` (its file
    downloads; its GraphQL goes through the wandb-core sidecar), by wrapping
    ``requests.Session.send`` in this process."""

    def __init__(self) -> None:
        import requests

        self.count = 0
        lock = threading.Lock()
        send = requests.Session.send

        def counting_send(session: Any, request: Any, **kwargs: Any) -> Any:
            with lock:
                self.count += 1
            return send(session, request, **kwargs)

        requests.Session.send = counting_send  # type: ignore[method-assign,assignment]


_spy: _RequestsSpy | None = None


def open_client(base_url: str, api_key: str, params: dict[str, object]) -> wandb.Api:
    """The ``Api`` every task uses (with ``requests`` counted when the task asks)."""
    global _spy
    _spy = _RequestsSpy() if params.get("spy") else None
    return wandb.Api(overrides={"base_url": base_url}, api_key=api_key, timeout=120)


def close_client(api: wandb.Api) -> None:
    """Nothing to close: the sidecar ends with the process."""


def list_runs(api: wandb.Api, params: dict[str, object]) -> tuple[int, float]:
    """List a project's runs and touch ``config`` and ``summary`` of each (``lazy`` as given,
    default True: the official default, one more request per run for its heavy fields)."""
    count, check = 0, 0.0
    lazy = bool(params.get("lazy", True))
    for run in api.runs(str(params["path"]), per_page=int(str(params["per_page"])), lazy=lazy):
        check += config_check(run.config) + summary_check(run.summary)
        count += 1
    return count, check


def scan_history(api: wandb.Api, params: dict[str, object]) -> tuple[int, float]:
    """Stream every history row of one run."""
    count, check = 0, 0.0
    run = api.run(str(params["path"]))
    for row in run.scan_history(page_size=int(str(params["page_size"]))):
        check += history_check(row)
        count += 1
    return count, check


def sampled_history(api: wandb.Api, params: dict[str, object]) -> tuple[int, float]:
    """``history(samples=..., pandas=False)`` of every run of a project."""
    count, check = 0, 0.0
    samples = int(str(params["samples"]))
    for run in api.runs(str(params["path"]), per_page=int(str(params["per_page"]))):
        for row in run.history(samples=samples, pandas=False):
            check += history_check(row)
            count += 1
    return count, check


def download_files(api: wandb.Api, params: dict[str, object]) -> tuple[int, float]:
    """Download every file of one run into a fresh folder."""
    count, check = 0, 0.0
    with tempfile.TemporaryDirectory() as root:
        for file in api.run(str(params["path"])).files(per_page=int(str(params["per_page"]))):
            file.download(root=root, replace=True).close()
            check += file_check((Path(root) / file.name).read_bytes())
            count += 1
    return count, check


def download_artifact(
    api: wandb.Api, params: dict[str, object]
) -> tuple[int, float, dict[str, float]]:
    """Download every file of an artifact version into a new folder with ``download()``
    (through its cache, ``$WANDB_CACHE_DIR``) and check the files. With the spy, counts the
    requests ``download()`` sends through ``requests`` (the manifest is loaded first)."""
    artifact = api.artifact(str(params["artifact"]))
    artifact.manifest  # noqa: B018  (download() loads it first too; not a file request)
    before = _spy.count if _spy is not None else 0
    root = artifact.download(str(download_root()))
    items, check = artifact_check(Path(root), params)
    extra: dict[str, float] = {}
    if _spy is not None:
        extra["file_requests"] = _spy.count - before
    return items, check, extra


def export_parquet(api: wandb.Api, params: dict[str, object]) -> tuple[int, float]:
    """Export a project's runs (config and summary flattened by ``pandas.json_normalize``) and
    every run's history (``scan_history``) to Parquet with pandas, as a user would write it."""
    import pandas

    out = download_root() / "export"
    runs = list(api.runs(str(params["path"])))
    table = pandas.json_normalize(
        [
            {
                "id": run.id,
                "name": run.name,
                "state": run.state,
                "created_at": run.created_at,
                "config": dict(run.config),
                "summary": dict(run.summary_metrics),
            }
            for run in runs
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out / "runs.parquet")
    rows = 0
    for run in runs:
        history = pandas.DataFrame(list(run.scan_history()))
        if history.empty:
            continue
        folder = out / "history" / f"run_id={run.id}"
        folder.mkdir(parents=True, exist_ok=True)
        history.to_parquet(folder / "part-0.parquet")
        rows += len(history)
    return rows, float(len(runs))
