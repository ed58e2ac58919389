"""Launch with the official client and its agent (wandb 0.31.0) against the local server.

``wandb job create`` makes a code job from a folder; ours creates a ``local-process`` queue
and enqueues the job with ``Job.call``; ``wandb launch-agent`` pops the item, runs the job as
a local process (no Docker) and acks it with the run it starts; both clients then read the
item's state and that run. The official ``Api.run_queue``, ``queued_run``, ``list_jobs`` and
``job`` read what ours wrote, and ours reads the queues and item the official client wrote.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wandb_typed import Api
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("official_launch.py")
ENTITY = "admin"
PROJECT = "compat-launch"
QUEUE = "compat-local"
TRAIN = """\
import wandb

run = wandb.init()
for step in range(5):
    run.log({"loss": 1.0 / (step + 1)})
run.summary["done"] = True
run.finish()
"""


@pytest.fixture
def sdk_env(local_server: RunningServer, tmp_path: Path) -> dict[str, str]:
    """The SDK's environment, with this interpreter's folder first on PATH: the job's entry
    point ``python train.py`` must find the Python that has wandb."""
    env = sdk_environment(local_server.base_url, local_server.api_key, tmp_path / "sdk")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture
def agent(sdk_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``wandb launch-agent`` polling the queue, stopped (its process group) after the test."""
    log = (tmp_path / "agent.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wandb", "launch-agent", "-q", QUEUE, "-e", ENTITY, "-j", "1"],
        env=sdk_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    log.close()


def run_sdk(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout


def test_official_agent_runs_a_job_ours_enqueued(
    local_server: RunningServer, sdk_env: dict[str, str], tmp_path: Path, request: Any
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(TRAIN)
    (code / "requirements.txt").write_text("wandb\n")
    run_sdk(
        [
            "-m",
            "wandb",
            "job",
            "create",
            "--project",
            PROJECT,
            "-e",
            ENTITY,
            "--name",
            "code-job",
            "code",
            str(code),
            "--entry-point",
            "python train.py",
        ],
        sdk_env,
        tmp_path,
    )

    api = Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url})
    queue = api.create_run_queue(QUEUE, "local-process", entity=ENTITY)
    job = api.job(f"{ENTITY}/{PROJECT}/code-job:latest", path=str(tmp_path / "ours-job"))
    assert (job.entrypoint, job.source_type) == (["python", "train.py"], "artifact")
    queued = job.call({}, project=PROJECT, queue=QUEUE, resource="local-process")
    assert queued.state == "pending"

    request.getfixturevalue("agent")  # started only now: the item waits for it, pending
    run = queued.wait_until_finished(timeout=300)
    agent_log = (tmp_path / "agent.log").read_text()
    assert run.state == "finished", agent_log[-4000:]
    assert queued.state == "claimed"
    assert run.summary["done"] is True
    assert [row["loss"] for row in run.scan_history()] == [1.0 / (s + 1) for s in range(5)]
    assert [(item.id, item.state) for item in queue.items] == [(queued.id, "claimed")]

    plan = {
        "entity": ENTITY,
        "project": PROJECT,
        "queue": QUEUE,
        "item": queued.id,
        "job": f"{ENTITY}/{PROJECT}/code-job:latest",
        "download": str(tmp_path / "official-job"),
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    out = run_sdk([str(SCRIPT), str(tmp_path / "plan.json")], sdk_env, tmp_path)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    official = json.loads(line.removeprefix("RESULT "))

    # The official client reads what ours wrote, and the run the agent produced.
    assert official["queue"] == {
        "id": queue.id,
        "access": "PROJECT",
        "prioritization_mode": "DISABLED",
        "type": "local-process",
        "default_resource_config": {"resource_args": {"local-process": {}}},
        "template_variables": [],
        "items": [[queued.id, "claimed"]],
    }
    assert official["item_state"] == "claimed"
    assert official["item_run"] == [run.id, "finished", PROJECT]
    assert official["list_jobs"] == api.list_jobs(ENTITY, PROJECT)
    assert official["job"] == {
        "name": f"{ENTITY}/{PROJECT}/code-job:latest",
        "entrypoint": ["python", "train.py"],
        "source_type": "artifact",
    }

    # Ours reads what the official client wrote.
    theirs = api.run_queue(ENTITY, "official-v0")
    assert (theirs.prioritization_mode, theirs.type) == ("V0", "local-process")
    assert theirs.default_resource_config == {
        "resource_args": {"local-process": {"env": ["N={{n}}"]}}
    }
    assert theirs.template_variables == [
        {"name": "n", "schema": json.dumps({"type": "integer", "default": 1})}
    ]
    (item,) = theirs.items
    assert (item.id, item.state, item.priority) == (official["official_item"], "pending", 1)
    assert official["official_item_state"] == "pending"
    upserted = api.run_queue(ENTITY, "official-upserted")
    assert upserted.external_links == {"runbook": "https://example.com/runbook"}
    assert upserted.default_resource_config == {"resource_args": {"local-process": {"env": []}}}
    api.close()
