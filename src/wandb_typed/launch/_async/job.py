"""Jobs: :class:`AsyncJob`, an artifact of type ``job`` (its ``wandb-job.json``: source,
entry point, input types) that can be enqueued with :meth:`AsyncJob.call`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandb_typed._json import as_array, as_object
from wandb_typed.errors import InvalidArgumentError
from wandb_typed.launch._async.queue import AsyncQueuedRun
from wandb_typed.launch.facts import (
    LAUNCH_DEFAULT_PROJECT,
    RunQueueResourceType,
    check_config_fits,
    check_priority,
)

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession

__all__ = ["JOB_FILE", "AsyncJob"]

JOB_FILE = "wandb-job.json"
"""The file of a job artifact that describes the job."""


class AsyncJob:
    """A launch job: what it runs (``source``, ``entrypoint``), what it takes
    (``input_types``), and :meth:`call` to put a run of it on a queue.

    Example:
        >>> job = await api.job("team/vision/train-job:latest")  # doctest: +SKIP
        >>> job.entrypoint  # doctest: +SKIP
        ['python', 'train.py']
        >>> queued = await job.call({}, queue="gpu", resource="local-process")  # doctest: +SKIP
    """

    def __init__(self, session: AsyncSession, name: str, path: str, info: dict[str, Any]) -> None:
        self._session = session
        self.name = name
        """``entity/project/job-name:alias`` as it was asked for."""
        self.entity: str
        """The entity of the job's project."""
        self.project: str
        """The project of the job."""
        self.entity, self.project = name.split("/")[:2]
        self.path = path
        """The folder the job artifact was downloaded to."""
        self._info = info

    def __repr__(self) -> str:
        return f"<Job {self.name}>"

    @classmethod
    def from_folder(cls, session: AsyncSession, name: str, folder: str) -> AsyncJob:
        """The job described by ``folder/wandb-job.json`` (a downloaded job artifact)."""
        description = Path(folder) / JOB_FILE
        if not description.is_file():
            raise InvalidArgumentError(f"job {name} has no {JOB_FILE}: not a launch job")
        info = as_object(json.loads(description.read_text(encoding="utf-8")))
        if info is None:
            raise InvalidArgumentError(f"job {name}: {JOB_FILE} is not a JSON object")
        return cls(session, name, folder, info)

    @property
    def source_type(self) -> str | None:
        """``artifact`` (a code artifact), ``repo`` (a git commit) or ``image``."""
        value = self._info.get("source_type")
        return None if value is None else str(value)

    @property
    def source(self) -> dict[str, Any]:
        """Where the code comes from (code artifact, git remote and commit, or image)."""
        value = as_object(self._info.get("source", {}))
        return dict(value) if value is not None else {}

    @property
    def entrypoint(self) -> list[str] | None:
        """The command that runs the job, e.g. ``["python", "train.py"]``."""
        value = as_array(self.source.get("entrypoint"))
        return [str(part) for part in value] if value is not None else None

    @property
    def input_types(self) -> dict[str, Any]:
        """The W&B type of the config the job takes (``{"wb_type": "typedDict", ...}``)."""
        value = as_object(self._info.get("input_types", {}))
        return dict(value) if value is not None else {}

    @property
    def output_types(self) -> dict[str, Any]:
        """The W&B type of the summary the job writes."""
        value = as_object(self._info.get("output_types", {}))
        return dict(value) if value is not None else {}

    @property
    def partial(self) -> bool:
        """A job made by hand whose inputs are not known yet (its config is not checked)."""
        return bool(self._info.get("_partial", False))

    async def call(
        self,
        config: dict[str, Any],
        project: str | None = None,
        entity: str | None = None,
        queue: str | None = None,
        resource: RunQueueResourceType = "local-container",
        resource_args: dict[str, Any] | None = None,
        template_variables: dict[str, Any] | None = None,
        project_queue: str | None = None,
        priority: int | None = None,
    ) -> AsyncQueuedRun:
        """Enqueue a run of the job with ``config`` on ``queue`` (default ``default``).

        Args:
            config: The run's config; its keys must be inputs of the job.
            project: The project the run logs to (default: the job's).
            entity: The entity of the run and of the queue (default: the job's).
            queue: The queue (in ``project_queue``, default ``model-registry``).
            resource: The resource type asked for (the queue's own type wins).
            resource_args: Arguments for the resource, ``{type: {...}}``.
            template_variables: Values for the queue's template variables.
            project_queue: The project holding the queue.
            priority: 0 (critical) to 3 (low), for queues in prioritization mode V0.

        Raises:
            InvalidArgumentError: A config key the job does not take, or a bad priority.
        """
        if not self.partial:
            check_config_fits(self.name, self.input_types, config)
        check_priority(priority)
        entity = entity or self.entity
        spec: dict[str, Any] = {
            "job": self.name,
            "entity": entity,
            "project": project or self.project,
            "resource": resource,
            "docker": {},
            "git": {},
            "overrides": {"run_config": dict(config)},
        }
        if resource_args:
            spec["resource_args"] = resource_args
        queue_name = queue or "default"
        queue_project = project_queue or LAUNCH_DEFAULT_PROJECT
        reply = await self._session.client.push_to_run_queue_by_name(
            entity,
            queue_project,
            queue_name,
            json.dumps(spec),
            priority=priority,
            template_variable_values=None
            if template_variables is None
            else json.dumps(template_variables),
        )
        pushed = reply.push_to_run_queue_by_name
        assert pushed is not None  # a failed push is a GraphQL error
        return AsyncQueuedRun(
            self._session,
            entity,
            str(spec["project"]),
            queue_name,
            pushed.run_queue_item_id,
            project_queue=queue_project,
            priority=priority,
        )
