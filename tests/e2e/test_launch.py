"""Launch end to end, in both flavours: run queues (create, upsert, metadata, config
problems, delete), jobs (logged as ``job`` artifacts, listed, fetched, called), and queue
items moved through pending -> leased -> claimed/failed by an agent's requests
(``launch_wire.py``), read back through ``QueuedRun``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from launch_wire import LAUNCH_AGENT, UPDATE_AGENT, AgentWire

from wandb_typed import AsyncApi
from wandb_typed.artifacts import ArtifactDraft
from wandb_typed.errors import GraphQLError, InvalidArgumentError, InvalidPathError, NotFoundError
from wandb_typed.launch import QueuedRunFailedError, QueuedRunTimeoutError
from wandb_typed_server import RunningServer

ENTITY = "admin"
PROJECT = "e2e-launch"


@pytest.fixture
def wire(local_server: RunningServer) -> Iterator[AgentWire]:
    agent = AgentWire(local_server)
    yield agent
    agent.close()


def log_job(api: Any, tmp_path: Path, name: str, inputs: dict[str, Any]) -> None:
    """A code job as ``wandb job create`` makes one: ``wandb-job.json`` in a ``job`` artifact."""
    folder = tmp_path / name
    folder.mkdir()
    description = {
        "_version": "v0",
        "source_type": "artifact",
        "source": {"entrypoint": ["python", "train.py"], "notebook": False, "artifact": "x"},
        "input_types": {"wb_type": "typedDict", "params": {"type_map": inputs}},
        "output_types": {"wb_type": "typedDict", "params": {"type_map": {}}},
        "runtime": "3.11",
    }
    (folder / "wandb-job.json").write_text(json.dumps(description))
    (folder / "requirements.frozen.txt").write_text("wandb\n")
    run = api.create_run(project=PROJECT, entity=ENTITY)
    draft = ArtifactDraft(name, type="job")
    draft.add_dir(folder)
    run.log_artifact(draft)


def test_create_run_queue_reads_back(make_api: Any) -> None:
    api = make_api()
    queue = api.create_run_queue(
        "cpu-v0",
        "local-process",
        entity=ENTITY,
        prioritization_mode="v0",
        config={"env": ["N={{n}}"]},
        template_variables={"n": {"schema": {"type": "integer", "default": 3}}},
    )
    fresh = api.run_queue(ENTITY, "cpu-v0")
    assert repr(fresh) == f"<RunQueue {ENTITY}/cpu-v0>"
    assert fresh.id == queue.id
    assert (fresh.access, fresh.prioritization_mode, fresh.type) == (
        "PROJECT",
        "V0",
        "local-process",
    )
    assert fresh.default_resource_config == {
        "resource_args": {"local-process": {"env": ["N={{n}}"]}}
    }
    assert fresh.template_variables == [
        {"name": "n", "schema": json.dumps({"type": "integer", "default": 3})}
    ]
    assert fresh.external_links == {}
    assert fresh.items == []
    with pytest.raises(GraphQLError, match="cpu-v0"):
        api.create_run_queue("cpu-v0", "local-process", entity=ENTITY)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "", "type": "local-process"}, "non-empty"),
        ({"name": "q" * 65, "type": "local-process"}, "64"),
        ({"name": "q", "type": "docker"}, "resource type"),
        ({"name": "q", "type": "local-process", "prioritization_mode": "V1"}, "V0"),
    ],
)
def test_create_run_queue_checks_its_arguments(
    make_api: Any, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        make_api().create_run_queue(entity=ENTITY, **arguments)


def test_upsert_run_queue_saves_and_warns_on_config_problems(
    make_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api()
    with caplog.at_level(logging.WARNING, logger="wandb_typed"):
        queue = api.upsert_run_queue(
            "upserted",
            {"env": ["{{undeclared}}"]},
            "local-process",
            entity=ENTITY,
            external_links={"runbook": "https://example.com/runbook"},
        )
    assert "{{undeclared}} is used but not declared" in caplog.text
    assert queue.external_links == {"runbook": "https://example.com/runbook"}
    assert queue.prioritization_mode == "DISABLED"
    first_id = queue.id

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="wandb_typed"):
        again = api.upsert_run_queue(
            "upserted", {"env": []}, "local-process", entity=ENTITY, prioritization_mode="V0"
        )
    assert caplog.text == ""
    assert again.id == first_id
    assert (again.prioritization_mode, again.default_resource_config) == (
        "V0",
        {"resource_args": {"local-process": {"env": []}}},
    )


def test_jobs_are_listed_fetched_and_checked(make_api: Any, tmp_path: Path) -> None:
    api = make_api()
    log_job(api, tmp_path, "train-job", {"lr": {"wb_type": "number"}})
    listed = api.list_jobs(ENTITY, PROJECT)
    names = [
        version["node"]["artifactSequence"]["name"] for job in listed for version in job["edges"]
    ]
    assert "train-job" in names
    version = next(v["node"] for job in listed for v in job["edges"])
    assert version["state"] == "COMMITTED"
    assert {"alias": "latest"} in version["aliases"]

    job = api.job(f"{ENTITY}/{PROJECT}/train-job:latest", path=str(tmp_path / "dl"))
    assert job.entrypoint == ["python", "train.py"]
    assert job.source_type == "artifact"
    assert job.input_types["params"]["type_map"] == {"lr": {"wb_type": "number"}}
    assert (tmp_path / "dl" / "wandb-job.json").is_file()

    api.create_run_queue("jobs-q", "local-process", entity=ENTITY)
    with pytest.raises(InvalidArgumentError, match="'batch'"):
        job.call({"batch": 3}, queue="jobs-q")
    with pytest.raises(InvalidArgumentError, match="priority"):
        job.call({"lr": 0.1}, queue="jobs-q", priority=7)
    with pytest.raises(GraphQLError, match="prioritiz"):  # the queue is not in mode V0
        job.call({"lr": 0.1}, queue="jobs-q", priority=1)
    with pytest.raises(InvalidPathError):
        api.job("train-job:latest")
    with pytest.raises(NotFoundError):
        api.job(f"{ENTITY}/{PROJECT}/no-such-job:latest")
    api.create_project("no-jobs", entity=ENTITY)
    assert api.list_jobs(ENTITY, "no-jobs") == []
    with pytest.raises(NotFoundError, match="no-such-project"):
        api.list_jobs(ENTITY, "no-such-project")


def test_items_move_through_the_agent_protocol(
    make_api: Any, wire: AgentWire, tmp_path: Path
) -> None:
    api = make_api()
    log_job(api, tmp_path, "proto-job", {"lr": {"wb_type": "number"}})
    queue = api.create_run_queue(
        "proto-q",
        "local-process",
        entity=ENTITY,
        prioritization_mode="V0",
        config={"env": ["LR_SCALE={{scale}}"], "retries": "{{retries}}"},
        template_variables={
            "scale": {"schema": {"type": "string", "default": "1"}},
            "retries": {"schema": {"type": "integer", "default": 0}},
        },
    )
    job = api.job(f"{ENTITY}/{PROJECT}/proto-job:latest", path=str(tmp_path / "dl"))
    low = job.call({"lr": 0.3}, project=PROJECT, queue="proto-q", priority=3)
    urgent = job.call(
        {"lr": 0.1},
        project=PROJECT,
        queue="proto-q",
        resource="local-container",
        priority=0,
        template_variables={"retries": 2},
    )
    medium = job.call({"lr": 0.2}, project=PROJECT, queue="proto-q", priority=2)
    assert [item.id for item in queue.items] == [low.id, urgent.id, medium.id]
    assert [item.state for item in queue.items] == ["pending"] * 3
    assert (urgent.entity, urgent.project, urgent.queue_name) == (ENTITY, PROJECT, "proto-q")
    assert urgent.run is None

    agent_id = wire.register(ENTITY, [queue.id])
    agent = wire.gql(LAUNCH_AGENT, agentId=agent_id)["launchAgent"]
    assert (agent["runQueues"], agent["hostname"], agent["stopPolling"]) == (
        [queue.id],
        "e2e-host",
        False,
    )
    assert wire.gql(UPDATE_AGENT, agentId=agent_id, agentStatus="RUNNING")["updateLaunchAgent"][
        "success"
    ]

    popped = [wire.pop(ENTITY, "proto-q", agent_id) for _ in range(3)]
    assert wire.pop(ENTITY, "proto-q", agent_id) is None
    assert [p["runQueueItemId"] for p in popped if p] == [urgent.id, medium.id, low.id]
    first = popped[0]
    assert first is not None
    spec = first["runSpec"]
    # The queue's resource type wins; its config is filled with the item's values, else defaults.
    assert spec["resource"] == "local-process"
    assert spec["resource_args"] == {"local-process": {"env": ["LR_SCALE=1"], "retries": 2}}
    assert spec["job"] == f"{ENTITY}/{PROJECT}/proto-job:latest"
    assert spec["overrides"] == {"run_config": {"lr": 0.1}}
    assert urgent.state == "leased"

    assert wire.ack(urgent.id, "urgent-run")
    assert not wire.ack(urgent.id, "urgent-run")  # acked twice: refused, as the agent expects
    assert urgent.state == "claimed"
    assert urgent.run is None  # acked, but the job has not created its run yet
    with pytest.raises(QueuedRunTimeoutError, match="no running run"):
        urgent.wait_until_running(timeout=0.3, poll_interval=0.1)

    api.create_run(run_id="urgent-run", project=PROJECT, entity=ENTITY)
    run = urgent.wait_until_running(timeout=30, poll_interval=0.1)
    assert (run.id, run.state) == ("urgent-run", "running")
    wire.finish_run(ENTITY, PROJECT, "urgent-run")
    finished = urgent.wait_until_finished(timeout=30, poll_interval=0.1)
    assert finished.state == "finished"
    reread = api.queued_run(ENTITY, PROJECT, "proto-q", urgent.id)
    assert reread.state == "claimed"
    assert reread.run.id == "urgent-run"

    assert wire.fail(medium.id, "image pull failed")
    assert medium.state == "failed"
    with pytest.raises(QueuedRunFailedError, match=medium.id):
        medium.wait_until_running(timeout=5, poll_interval=0.1)

    low.delete()
    assert [item.id for item in queue.items] == [urgent.id, medium.id]
    with pytest.raises(NotFoundError):
        _ = low.state

    queue.delete()
    with pytest.raises(NotFoundError, match="proto-q"):
        _ = api.run_queue(ENTITY, "proto-q").id
    with pytest.raises(NotFoundError):
        _ = urgent.state


def test_a_pending_wait_times_out(make_api: Any, tmp_path: Path) -> None:
    api = make_api()
    log_job(api, tmp_path, "idle-job", {})
    api.create_run_queue("idle-q", "local-process", entity=ENTITY)
    queued = api.job(f"{ENTITY}/{PROJECT}/idle-job:latest", path=str(tmp_path / "dl")).call(
        {}, queue="idle-q"
    )
    with pytest.raises(QueuedRunTimeoutError, match="pending"):
        queued.wait_until_finished(timeout=0.4, poll_interval=0.1)


# AsyncApi only: what is tested is cancelling the asyncio task that waits.
@pytest.mark.parametrize("flavour", ["async"], indirect=True)
def test_an_async_wait_is_cancelled_with_its_task(
    make_api: Any, local_server: RunningServer, tmp_path: Path
) -> None:
    api = make_api()
    log_job(api, tmp_path, "cancel-job", {})
    api.create_run_queue("cancel-q", "local-process", entity=ENTITY)

    async def scenario() -> str:
        async with AsyncApi(
            api_key=local_server.api_key, overrides={"base_url": local_server.base_url}
        ) as async_api:
            job = await async_api.job(
                f"{ENTITY}/{PROJECT}/cancel-job:latest", path=str(tmp_path / "dl")
            )
            queued = await job.call({}, queue="cancel-q")
            waiting = asyncio.create_task(queued.wait_until_running(poll_interval=0.05))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            return await queued.state()

    assert asyncio.run(scenario()) == "pending"
