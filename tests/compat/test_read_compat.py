"""The official ``wandb.Api`` (0.31.0) and ours read the SAME local server and agree.

Runs are seeded through the wire (GraphQL + file_stream + signed uploads). One plan of reads
(listings under filters and orders, run fields, ``history()`` variants, ``scan_history()``
variants, files) is executed by the official client in a subprocess
(``official_read_runs.py``) and by ours in-process, in both flavours (``Api``, and
``AsyncApi`` seen through the bridge of ``tests/flavours.py``); the results must be equal.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from official_read_runs import read_plan

from flavours import Flavour, Portal, open_api
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.seed import SeedRun, seed_runs

pytestmark = [pytest.mark.official, pytest.mark.slow]

READER = Path(__file__).with_name("official_read_runs.py")
ENTITY = "admin"
PROJECT = "compat-read"
STEPS = 1500


def logged_row(run_index: int, step: int) -> dict[str, object]:
    row: dict[str, object] = {
        "loss": 1.0 / (step + 1 + run_index),
        "acc": step / STEPS,
        "epoch": step // 100,
    }
    if step % 50 == 0:
        row["sparse"] = step * 10 + run_index
    if step == 250:  # non-finite values must read back alike in lines and in sampled rows
        row["sparse"] = math.nan
    if step == 7:
        row["acc"] = math.inf
    return row


SEEDED = [
    SeedRun(
        f"compat-{index}",
        config={
            "lr": [0.1, 0.01, 0.001, 0.05][index],
            "opt": ["adam", "sgd", "adam", "rmsprop"][index],
            "net": {"depth": index + 2, "widths": [16, 32]},
        },
        history=[logged_row(index, step) for step in range(STEPS - 300 * index)],
        tags=[["baseline"], ["tuned", "baseline"], [], ["tuned"]][index],
        group=["g1", "g1", "g2", None][index],
        job_type=["train", "eval", "train", None][index],
        display_name=f"Run number {index}",
        notes=[None, "some notes", None, "more"][index],
        files={"notes.txt": b"hello %d" % index, "sub/data.bin": bytes(range(index * 40))},
        exitcode=[0, 0, 1, None][index],
    )
    for index in range(4)
]

PLAN: dict[str, Any] = {
    "path": f"{ENTITY}/{PROJECT}",
    "listings": [
        {"filters": {}, "order": "+created_at", "per_page": 50},
        {"filters": {}, "order": "-created_at", "per_page": 2},
        {"filters": {"config.lr": {"$lte": 0.05}}, "order": "-config.lr", "per_page": 1},
        {"filters": {"config.opt": "adam"}, "order": "+summary_metrics.acc", "per_page": 50},
        {"filters": {"tags": {"$in": ["tuned"]}}, "order": "-summary_metrics.loss", "per_page": 3},
        {
            "filters": {"$or": [{"state": "failed"}, {"summary_metrics.sparse": {"$gt": 14000}}]},
            "order": "+config.lr",
            "per_page": 50,
        },
        {
            "filters": {"display_name": {"$regex": "number [13]"}},
            "order": "-created_at",
            "per_page": 50,
        },
        {"filters": {"config.net.depth": {"$nin": [3, 4]}}, "order": "+created_at", "per_page": 50},
        {"filters": {"group": {"$exists": False}}, "order": "+created_at", "per_page": 50},
    ],
    "runs": [run.name for run in SEEDED],
    "history": [
        {},
        {"samples": 37},
        {"samples": 20, "keys": ["sparse"]},
        {"samples": 15, "keys": ["acc", "loss"], "x_axis": "epoch"},
    ],
    "histories": [
        {},
        {"samples": 37},
        {"samples": 20, "keys": ["sparse"]},
        {"samples": 15, "keys": ["acc", "loss"], "x_axis": "epoch"},
    ],
    "scans": [
        {},
        {"page_size": 333},
        {"keys": ["sparse"], "page_size": 100},
        {"keys": ["loss", "sparse"], "min_step": 3, "max_step": 901, "page_size": 64},
        {"min_step": 100, "max_step": 250, "page_size": 40},
    ],
}


@pytest.fixture(scope="module")
def official(
    local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """What the official client read (once for both flavours)."""
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, PROJECT, SEEDED)
    workdir = tmp_path_factory.mktemp("official-read")
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(PLAN))
    proc = subprocess.run(
        [sys.executable, str(READER), str(plan_file)],
        env=sdk_environment(local_server.base_url, local_server.api_key, workdir),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


@pytest.fixture(scope="module")
def results(
    official: dict[str, Any], local_server: RunningServer, flavour: Flavour, portal: Portal
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(official, ours): ours read with the flavour's client, after the official client."""
    api = open_api(
        flavour, portal, api_key=local_server.api_key, overrides={"base_url": local_server.base_url}
    )
    try:
        ours = read_plan(api, PLAN)
    finally:
        api.close()
    return official, ours


def test_listings_agree(results: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = results
    assert ours["listings"] == official["listings"]
    assert official["listings"][0] == [run.name for run in SEEDED]  # not vacuous


def test_lazily_listed_runs_agree(results: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = results
    assert ours["listed"] == official["listed"]
    assert set(official["listed"]) == set(PLAN["runs"])


@pytest.mark.parametrize(
    "field",
    ["id", "name", "display_name", "state", "tags", "group", "job_type", "notes", "config"],
)
def test_run_fields_agree(results: tuple[dict[str, Any], dict[str, Any]], field: str) -> None:
    official, ours = results
    for run_id in PLAN["runs"]:
        assert ours["runs"][run_id][field] == official["runs"][run_id][field], run_id


def test_summaries_agree(results: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = results
    for run_id in PLAN["runs"]:
        assert ours["runs"][run_id]["summary"] == official["runs"][run_id]["summary"], run_id
    assert official["runs"]["compat-0"]["summary"]["_step"] == STEPS - 1


@pytest.mark.parametrize("index", range(len(PLAN["histories"])))
def test_runs_histories_agree(results: tuple[dict[str, Any], dict[str, Any]], index: int) -> None:
    official, ours = results
    theirs = official["histories"][index]
    assert {row["run_id"] for row in theirs} == {run.name for run in SEEDED}
    assert ours["histories"][index] == theirs, PLAN["histories"][index]


@pytest.mark.parametrize("index", range(len(PLAN["history"])))
def test_history_agrees(results: tuple[dict[str, Any], dict[str, Any]], index: int) -> None:
    official, ours = results
    for run_id in PLAN["runs"]:
        theirs = official["runs"][run_id]["history"][index]
        assert theirs, (run_id, PLAN["history"][index])
        assert ours["runs"][run_id]["history"][index] == theirs, (run_id, PLAN["history"][index])


@pytest.mark.parametrize("index", range(len(PLAN["scans"])))
def test_scan_history_agrees(results: tuple[dict[str, Any], dict[str, Any]], index: int) -> None:
    official, ours = results
    for run_id in PLAN["runs"]:
        theirs = official["runs"][run_id]["scans"][index]
        assert theirs, (run_id, PLAN["scans"][index])
        assert ours["runs"][run_id]["scans"][index] == theirs, (run_id, PLAN["scans"][index])


def test_files_agree(results: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = results
    for run_id in PLAN["runs"]:
        assert ours["runs"][run_id]["files"] == official["runs"][run_id]["files"], run_id
        assert "notes.txt" in official["runs"][run_id]["files"]
