"""Our client (``wandb_typed``) doing each benchmark task, as a user would write it.

Every task returns ``(items, check)``: how many things it read and a number the runner
compares across contenders, so a fast contender that reads the wrong data is caught. With
``"spy": true`` in its parameters, the ``Api`` sends through a counting transport
(:mod:`spy`) and the task adds what it counted.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import wandb_typed
from spy import RequestSpy
from tasks import (
    artifact_check,
    config_check,
    download_root,
    file_check,
    history_check,
    summary_check,
)

_spy: RequestSpy | None = None


def open_client(base_url: str, api_key: str, params: dict[str, object]) -> wandb_typed.Api:
    """The ``Api`` every task uses (through a :class:`RequestSpy` when asked)."""
    global _spy
    _spy = RequestSpy() if params.get("spy") else None
    return wandb_typed.Api(api_key=api_key, overrides={"base_url": base_url}, transport=_spy)


def _spied() -> dict[str, float]:
    """What the spy counted, if there is one."""
    if _spy is None:
        return {}
    return {"requests": _spy.counts.graphql, "max_in_flight": _spy.counts.max_in_flight}


def close_client(api: wandb_typed.Api) -> None:
    """Close the connection pool."""
    api.close()


def list_runs(api: wandb_typed.Api, params: dict[str, object]) -> tuple[int, float]:
    """List a project's runs and touch ``config`` and ``summary`` of each (``lazy`` as given,
    default True, our default)."""
    count, check = 0, 0.0
    lazy = bool(params.get("lazy", True))
    for run in api.runs(str(params["path"]), per_page=int(str(params["per_page"])), lazy=lazy):
        check += config_check(run.config) + summary_check(run.summary)
        count += 1
    return count, check


def scan_history(api: wandb_typed.Api, params: dict[str, object]) -> tuple[int, float]:
    """Stream every history row of one run."""
    count, check = 0, 0.0
    run = api.run(str(params["path"]))
    for row in run.scan_history(page_size=int(str(params["page_size"]))):
        check += history_check(row)
        count += 1
    return count, check


def sampled_history(
    api: wandb_typed.Api, params: dict[str, object]
) -> tuple[int, float, dict[str, float]]:
    """``history(samples=..., pandas=False)`` of every run of a project, one run after the
    other; with ``bulk``, ``Runs.histories(samples=...)`` (several runs at once)."""
    count, check = 0, 0.0
    samples = int(str(params["samples"]))
    runs = api.runs(str(params["path"]), per_page=int(str(params["per_page"])))
    if params.get("bulk"):
        for row in runs.histories(samples=samples):
            check += history_check(row)
            count += 1
        return count, check, _spied()
    for run in runs:
        for row in run.history(samples=samples, pandas=False):
            check += history_check(row)
            count += 1
    return count, check, _spied()


def download_files(api: wandb_typed.Api, params: dict[str, object]) -> tuple[int, float]:
    """Download every file of one run into a fresh folder, one after the other; with
    ``bulk``, ``Files.download(root)`` (several at once)."""
    count, check = 0, 0.0
    with tempfile.TemporaryDirectory() as root:
        files = api.run(str(params["path"])).files(per_page=int(str(params["per_page"])))
        if params.get("bulk"):
            for local in files.download(root=root, replace=True):
                check += file_check(local.read_bytes())
                count += 1
            return count, check
        for file in files:
            local = file.download(root=root, replace=True)
            check += file_check(Path(local).read_bytes())
            count += 1
    return count, check


def download_artifact(
    api: wandb_typed.Api, params: dict[str, object]
) -> tuple[int, float, dict[str, float]]:
    """Download every file of an artifact version into a new folder, through the cache
    (``$WANDB_CACHE_DIR``: empty for a cold download, filled by an earlier process for a
    cached one), and check the files. With the spy, counts the requests ``download()``
    sends besides GraphQL: file requests (the manifest is loaded first, outside that
    count)."""
    artifact = api.artifact(str(params["artifact"]))
    artifact.manifest  # noqa: B018  (download() loads it first too; not a file request)
    before = _spy.counts.other if _spy is not None else 0
    root = artifact.download(download_root())
    items, check = artifact_check(Path(root), params)
    extra: dict[str, float] = {}
    if _spy is not None:
        extra["file_requests"] = _spy.counts.other - before
    return items, check, extra
