"""What a user's program gets from launch: run queues, their items and jobs (sync)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from wandb_typed import Api, Run
from wandb_typed._sync.session import Session
from wandb_typed.launch import Job, QueuedRun, RunQueue


def check_api_launch(api: Api) -> None:
    assert_type(
        api.create_run_queue(
            "gpu",
            "local-process",
            entity="team",
            prioritization_mode="V0",
            config={"resource_args": {}},
            template_variables={"cpus": {"type": "integer"}},
        ),
        RunQueue,
    )
    assert_type(
        api.upsert_run_queue(
            "gpu",
            {"resource_args": {}},
            "kubernetes",
            entity="team",
            template_variables=None,
            external_links={"docs": "https://example.com"},
            prioritization_mode="DISABLED",
        ),
        RunQueue,
    )
    assert_type(api.run_queue("team", "gpu"), RunQueue)
    assert_type(
        api.queued_run("team", "vision", "gpu", "item-id", project_queue=None, priority=None),
        QueuedRun,
    )
    assert_type(api.job("team/vision/train-job:latest", path="/tmp/job"), Job)
    assert_type(api.list_jobs("team", "vision"), list[dict[str, Any]])


def check_run_queue(queue: RunQueue) -> None:
    assert_type(queue.name, str)
    assert_type(queue.entity, str)
    assert_type(queue.id, str)
    assert_type(queue.access, str)
    assert_type(queue.prioritization_mode, str)
    assert_type(queue.external_links, dict[str, str])
    assert_type(queue.type, str | None)
    assert_type(queue.default_resource_config, dict[str, Any])
    assert_type(queue.template_variables, list[dict[str, Any]])
    assert_type(queue.items, list[QueuedRun])
    assert_type(queue.delete(), None)


def check_queued_run(queued: QueuedRun) -> None:
    assert_type(queued.entity, str)
    assert_type(queued.project, str)
    assert_type(queued.queue_name, str)
    assert_type(queued.id, str)
    assert_type(queued.project_queue, str)
    assert_type(queued.priority, int | None)
    assert_type(queued.state, str)
    assert_type(queued.run, Run | None)
    assert_type(queued.wait_until_running(timeout=60.0, poll_interval=1.0), Run)
    assert_type(
        queued.wait_until_finished(timeout=None, poll_interval=0.5, max_poll_interval=5.0), Run
    )
    assert_type(queued.delete(delete_artifacts=True), None)


def check_job(job: Job, session: Session) -> None:
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
        job.call(
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
        QueuedRun,
    )
    assert_type(Job.from_folder(session, "team/vision/train-job:latest", "/tmp/job"), Job)


def misuse_launch(api: Api, queued: QueuedRun) -> None:
    api.create_run_queue("gpu", "docker")  # type: ignore[arg-type]  # not a resource type
    api.upsert_run_queue("gpu", {}, "local-process", prioritization_mode="V1")  # type: ignore[arg-type]
    queued.state()  # type: ignore[operator]  # a property in the sync flavour
