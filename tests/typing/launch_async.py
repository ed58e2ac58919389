"""What a user's program gets from launch with ``AsyncApi``: queue and item fields are
awaited methods (properties in the sync flavour), waits and calls are awaitables."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from wandb_typed import AsyncApi, AsyncRun
from wandb_typed._async.session import AsyncSession
from wandb_typed.launch import AsyncJob, AsyncQueuedRun, AsyncRunQueue


async def check_api_launch(api: AsyncApi) -> None:
    assert_type(
        await api.create_run_queue(
            "gpu",
            "local-process",
            entity="team",
            prioritization_mode="V0",
            config={"resource_args": {}},
            template_variables={"cpus": {"type": "integer"}},
        ),
        AsyncRunQueue,
    )
    assert_type(
        await api.upsert_run_queue(
            "gpu",
            {"resource_args": {}},
            "kubernetes",
            entity="team",
            template_variables=None,
            external_links={"docs": "https://example.com"},
            prioritization_mode="DISABLED",
        ),
        AsyncRunQueue,
    )
    assert_type(await api.run_queue("team", "gpu"), AsyncRunQueue)
    assert_type(
        await api.queued_run("team", "vision", "gpu", "item-id", project_queue=None, priority=None),
        AsyncQueuedRun,
    )
    assert_type(await api.job("team/vision/train-job:latest", path="/tmp/job"), AsyncJob)
    assert_type(await api.list_jobs("team", "vision"), list[dict[str, Any]])


async def check_run_queue(queue: AsyncRunQueue) -> None:
    assert_type(queue.name, str)
    assert_type(queue.entity, str)
    assert_type(await queue.id(), str)
    assert_type(await queue.access(), str)
    assert_type(await queue.prioritization_mode(), str)
    assert_type(await queue.external_links(), dict[str, str])
    assert_type(await queue.type(), str | None)
    assert_type(await queue.default_resource_config(), dict[str, Any])
    assert_type(await queue.template_variables(), list[dict[str, Any]])
    assert_type(await queue.items(), list[AsyncQueuedRun])
    assert_type(await queue.delete(), None)


async def check_queued_run(queued: AsyncQueuedRun) -> None:
    assert_type(queued.entity, str)
    assert_type(queued.project, str)
    assert_type(queued.queue_name, str)
    assert_type(queued.id, str)
    assert_type(queued.project_queue, str)
    assert_type(queued.priority, int | None)
    assert_type(await queued.state(), str)
    assert_type(await queued.run(), AsyncRun | None)
    assert_type(await queued.wait_until_running(timeout=60.0, poll_interval=1.0), AsyncRun)
    assert_type(
        await queued.wait_until_finished(timeout=None, poll_interval=0.5, max_poll_interval=5.0),
        AsyncRun,
    )
    assert_type(await queued.delete(delete_artifacts=True), None)


async def check_job(job: AsyncJob, session: AsyncSession) -> None:
    assert_type(job.name, str)
    assert_type(job.entity, str)
    assert_type(job.project, str)
    assert_type(job.path, str)
    assert_type(job.source_type, str | None)
    assert_type(job.source, dict[str, Any])
    assert_type(job.entrypoint, list[str] | None)
    assert_type(job.input_types, dict[str, Any])
    assert_type(job.output_types, dict[str, Any])
    assert_type(job.partial, bool)
    assert_type(
        await job.call(
            {"lr": 0.1},
            project="vision",
            entity="team",
            queue="gpu",
            resource="local-process",
            resource_args={"local-process": {}},
            template_variables={"cpus": 2},
            project_queue=None,
            priority=1,
        ),
        AsyncQueuedRun,
    )
    assert_type(AsyncJob.from_folder(session, "team/vision/train-job:latest", "/tmp/job"), AsyncJob)


async def misuse_launch(api: AsyncApi, queue: AsyncRunQueue) -> None:
    print(api.run_queue("team", "gpu").name)  # type: ignore[attr-defined]  # await it first
    (await queue.access()).upper()
    queue.access.upper()  # type: ignore[attr-defined]  # a method in the async flavour
