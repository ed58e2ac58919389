"""The launch methods of ``AsyncApi`` (the async source of ``Api``'s): run queues, queued
runs and jobs.

Queues live in the entity's ``model-registry`` project, as W&B keeps them; a job is an
artifact of type ``job``, so this mixin builds on the artifacts one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from wandb_typed.artifacts import AsyncArtifactsApi
from wandb_typed.errors import InvalidArgumentError, InvalidPathError, InvalidResponseError
from wandb_typed.launch._async.job import AsyncJob
from wandb_typed.launch._async.queue import AsyncQueuedRun, AsyncRunQueue
from wandb_typed.launch.facts import (
    LAUNCH_DEFAULT_PROJECT,
    RunQueuePrioritizationMode,
    RunQueueResourceType,
    check_prioritization_mode,
    check_queue_name,
    check_resource_type,
    external_links_value,
)

__all__ = ["AsyncLaunchApi"]

logger = logging.getLogger("wandb_typed")


class AsyncLaunchApi(AsyncArtifactsApi):
    """``create_run_queue``, ``upsert_run_queue``, ``run_queue``, ``queued_run``, ``job`` and
    ``list_jobs``."""

    async def _queue_entity(self, entity: str | None) -> str:
        found = entity or await self._session.entity_default()
        if not found:
            raise InvalidArgumentError("entity must be passed, or set in settings")
        return found

    async def create_run_queue(
        self,
        name: str,
        type: RunQueueResourceType,
        entity: str | None = None,
        prioritization_mode: RunQueuePrioritizationMode | None = None,
        config: dict[str, Any] | None = None,
        template_variables: dict[str, Any] | None = None,
    ) -> AsyncRunQueue:
        """Create a run queue (with a default resource config) in W&B Launch.

        Args:
            name: The queue's name (1 to 64 characters).
            type: Its resource type: ``local-container``, ``local-process``, ``kubernetes``,
                ``sagemaker`` or ``gcp-vertex``.
            entity: Its entity (default: the configured or the viewer's default entity).
            prioritization_mode: ``"V0"`` to pop items by priority, or None.
            config: The default resource arguments; ``{{var}}`` marks a template variable.
            template_variables: ``{var: {"schema": {"type": ..., ...}}}`` for the config.

        Raises:
            InvalidArgumentError: A bad name, type or prioritization mode.
            GraphQLError: The server refused (a queue of that name exists, a bad config).

        Example:
            >>> api.create_run_queue("cpu", "local-process", entity="team")  # doctest: +SKIP
            <RunQueue team/cpu>
        """
        check_queue_name(name)
        check_resource_type(type)
        mode = check_prioritization_mode(prioritization_mode, allow_disabled=False)
        entity = await self._queue_entity(entity)
        client = self._session.client
        await client.upsert_project(LAUNCH_DEFAULT_PROJECT, entity=entity)
        created = (
            await client.create_default_resource_config(
                entity,
                type,
                json.dumps({"resource_args": {type: config or {}}}),
                template_variables=json.dumps(template_variables or {}),
            )
        ).create_default_resource_config
        if created is None or not created.success:
            raise InvalidResponseError(f"the server created no resource config for queue {name}")
        from wandb_typed._generated.enums import RunQueueAccessType
        from wandb_typed._generated.enums import RunQueuePrioritizationMode as Mode

        queue = (
            await client.create_run_queue(
                entity,
                LAUNCH_DEFAULT_PROJECT,
                name,
                RunQueueAccessType.PROJECT,
                prioritization_mode=None if mode is None else Mode(mode),
                default_resource_config_id=created.default_resource_config_id,
            )
        ).create_run_queue
        if queue is None or not queue.success:
            raise InvalidResponseError(f"the server did not create run queue {entity}/{name}")
        return AsyncRunQueue(self._session, name, entity)

    async def upsert_run_queue(
        self,
        name: str,
        resource_config: dict[str, Any],
        resource_type: RunQueueResourceType,
        entity: str | None = None,
        template_variables: dict[str, Any] | None = None,
        external_links: dict[str, str] | None = None,
        prioritization_mode: RunQueuePrioritizationMode | None = None,
    ) -> AsyncRunQueue:
        """Create a run queue, or replace the settings of the one of that name.

        What the server finds wrong with the config (a ``{{var}}`` not declared, arguments
        for another resource type) is logged as one warning each; the queue is saved.

        Args:
            name: The queue's name (1 to 64 characters).
            resource_config: The default resource arguments (``{{var}}`` placeholders).
            resource_type: ``local-container``, ``local-process``, ``kubernetes``,
                ``sagemaker`` or ``gcp-vertex``.
            entity: Its entity (default: the configured or the viewer's default entity).
            template_variables: ``{var: {"schema": {...}}}`` for the config.
            external_links: ``{label: url}`` shown with the queue.
            prioritization_mode: ``"V0"`` or ``"DISABLED"`` (the default).

        Example:
            >>> api.upsert_run_queue("cpu", {"env": []}, "local-process")  # doctest: +SKIP
            <RunQueue team/cpu>
        """
        check_queue_name(name)
        check_resource_type(resource_type)
        mode = check_prioritization_mode(prioritization_mode or "DISABLED", allow_disabled=True)
        entity = await self._queue_entity(entity)
        client = self._session.client
        await client.upsert_project(LAUNCH_DEFAULT_PROJECT, entity=entity)
        from wandb_typed._generated.enums import RunQueuePrioritizationMode as Mode

        reply = (
            await client.upsert_run_queue(
                entity,
                LAUNCH_DEFAULT_PROJECT,
                name,
                resource_type,
                json.dumps({"resource_args": {resource_type: resource_config}}),
                template_variables=json.dumps(template_variables) if template_variables else None,
                prioritization_mode=Mode(mode),
                external_links=external_links_value(external_links),
            )
        ).upsert_run_queue
        if reply is None or not reply.success:
            raise InvalidResponseError(f"the server did not save run queue {entity}/{name}")
        for problem in reply.config_schema_validation_errors or []:
            logger.warning("run queue %s/%s: resource config: %s", entity, name, problem)
        return AsyncRunQueue(self._session, name, entity)

    async def run_queue(self, entity: str, name: str) -> AsyncRunQueue:
        """The run queue ``name`` of ``entity`` (loaded on first use).

        Example:
            >>> api.run_queue("team", "cpu").type  # doctest: +SKIP
            'local-process'
        """
        return AsyncRunQueue(self._session, name, entity)

    async def queued_run(
        self,
        entity: str,
        project: str,
        queue_name: str,
        run_queue_item_id: str,
        project_queue: str | None = None,
        priority: int | None = None,
    ) -> AsyncQueuedRun:
        """One item of a run queue; ``project`` is where its run logs, ``project_queue``
        where the queue is (default ``model-registry``).

        Example:
            >>> api.queued_run("team", "vision", "cpu", item_id).state  # doctest: +SKIP
            'claimed'
        """
        return AsyncQueuedRun(
            self._session,
            entity,
            project,
            queue_name,
            run_queue_item_id,
            project_queue=project_queue or LAUNCH_DEFAULT_PROJECT,
            priority=priority,
        )

    async def job(self, name: str | None, path: str | None = None) -> AsyncJob:
        """The job ``entity/project/job-name:alias``, downloaded to ``path`` (default: the
        artifact's default folder).

        Raises:
            InvalidPathError: ``name`` is missing or not ``entity/project/name:alias``.
            NotFoundError: No such job.

        Example:
            >>> api.job("team/vision/train-job:latest").entrypoint  # doctest: +SKIP
            ['python', 'train.py']
        """
        if name is None:
            raise InvalidPathError("job needs a name: entity/project/job-name:alias", path="")
        if name.count("/") != 2 or ":" not in name:
            raise InvalidPathError(
                f"a job is named entity/project/job-name:alias-or-version, got {name!r}",
                path=name,
            )
        artifact = await self.artifact(name, type="job")
        folder = await artifact.download(root=path)
        return AsyncJob.from_folder(self._session, name, folder)

    async def list_jobs(self, entity: str, project: str) -> list[dict[str, Any]]:
        """The jobs of a project, one ``{"edges": [{"node": {id, state, aliases,
        artifactSequence}}]}`` per job (its versions), as W&B's client returns them; an
        empty list when the project has none.

        Raises:
            InvalidArgumentError: ``entity`` or ``project`` is missing.
            NotFoundError: The project does not exist.

        Example:
            >>> [v["node"]["artifactSequence"]["name"] for j in api.list_jobs("team", "vision")
            ...  for v in j["edges"]]  # doctest: +SKIP
            ['train-job']
        """
        from wandb_typed.errors import NotFoundError

        if not entity:
            raise InvalidArgumentError("list_jobs needs an entity")
        if not project:
            raise InvalidArgumentError("list_jobs needs a project")
        reply = await self._session.client.get_jobs(entity, project)
        if reply.project is None:
            raise NotFoundError(
                f"project {entity}/{project} not found", kind="project", path=f"{entity}/{project}"
            )
        job_type = reply.project.artifact_type
        if job_type is None or job_type.artifact_collections is None:
            return []
        return [
            edge.node.artifacts.model_dump(by_alias=True, mode="json")
            for edge in job_type.artifact_collections.edges
            if edge.node is not None and edge.node.artifacts is not None
        ]
