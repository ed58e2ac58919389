"""``sync_tensorboard`` seen by the official client: event files written by tensorboardX
(three scalar tags over 10,000 steps, plus a histogram) are synced by ours, and the official
``wandb.Api`` (0.31.0) reads the same scalars at the same steps from the run's history."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tensorboardX import SummaryWriter

from wandb_typed import Api
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

READER = Path(__file__).with_name("official_read_history.py")
ENTITY = "admin"
PROJECT = "compat-tensorboard"
STEPS = 10_000
EVERY = {"loss": 1, "accuracy": 3, "train/lr": 100}


def value(tag: str, step: int) -> float:
    """The value written for ``tag`` at ``step``, as TensorBoard stores it (float32)."""
    raw = {"loss": 1.0 / (step + 1), "accuracy": step / STEPS, "train/lr": 0.1 * 0.99**step}
    return float(np.float32(raw[tag]))


def test_official_api_reads_the_synced_scalars(local_server: RunningServer, tmp_path: Path) -> None:
    logdir = tmp_path / "logs"
    with SummaryWriter(str(logdir)) as writer:
        for step in range(STEPS):
            for tag, every in EVERY.items():
                if step % every == 0:
                    writer.add_scalar(tag, value(tag, step), step)
            if step % 2500 == 0:
                writer.add_histogram("weights", np.random.default_rng(step).normal(size=500), step)

    with Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url}) as api:
        run = api.sync_tensorboard(logdir, run_id="tb-10k", project=PROJECT, entity=ENTITY)
        assert run.state == "finished"

    proc = subprocess.run(
        [sys.executable, str(READER), f"{ENTITY}/{PROJECT}/tb-10k", *EVERY],
        env=sdk_environment(local_server.base_url, local_server.api_key, tmp_path / "sdk"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    official = json.loads(line.removeprefix("RESULT "))

    assert official["state"] == "finished"
    assert {"loss", "accuracy", "train/lr", "weights", "global_step"} <= set(
        official["history_keys"]
    )
    for tag, every in EVERY.items():
        expected = [[step, value(tag, step)] for step in range(0, STEPS, every)]
        assert official["scans"][tag] == expected, tag
    (events,) = [path.name for path in logdir.glob("*tfevents*")]
    assert events in official["files"]
