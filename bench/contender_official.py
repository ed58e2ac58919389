"""The official client (``wandb`` 0.31.0) doing each benchmark task with its defaults, as a
user would write it. Its ``Api`` talks to the server through the wandb-core sidecar.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import wandb

from tasks import config_check, file_check, history_check, summary_check


def open_client(base_url: str, api_key: str, params: dict[str, object]) -> wandb.Api:
    """The ``Api`` every task uses."""
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
