"""Run queues and their items: :class:`AsyncRunQueue` and :class:`AsyncQueuedRun` (the async
source of ``RunQueue``/``QueuedRun``).

A queue's metadata and default resource config are loaded on first use (one request each);
an item's state is read fresh each time. Waiting for an item polls with a backoff (1 s, then
x1.5 up to ``max_poll_interval``), stops at ``timeout`` and, in ``AsyncApi``, is cancelled by
cancelling the task.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from wandb_typed._concurrency import async_sleep
from wandb_typed.errors import NotFoundError
from wandb_typed.launch.facts import (
    LAUNCH_DEFAULT_PROJECT,
    QueuedRunFailedError,
    QueuedRunTimeoutError,
    links_of,
)

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import RunQueueFragment, RunQueueItemFragment
    from wandb_typed.runs import AsyncRun

__all__ = ["AsyncQueuedRun", "AsyncRunQueue"]


class AsyncQueuedRun:
    """One item of a run queue, and the run it starts.

    Example:
        >>> queued = await api.queued_run("team", "vision", "gpu", item_id)  # doctest: +SKIP
        >>> await queued.state()  # doctest: +SKIP
        'pending'
        >>> run = await queued.wait_until_finished(timeout=600)  # doctest: +SKIP
    """

    def __init__(
        self,
        session: AsyncSession,
        entity: str,
        project: str,
        queue_name: str,
        run_queue_item_id: str,
        project_queue: str = LAUNCH_DEFAULT_PROJECT,
        priority: int | None = None,
    ) -> None:
        self._session = session
        self.entity = entity
        """The entity of the queue and of the run."""
        self.project = project
        """The project the run logs to."""
        self.queue_name = queue_name
        self.id = run_queue_item_id
        """The queue item's id."""
        self.project_queue = project_queue
        """The project that holds the queue (``model-registry``)."""
        self.priority = priority
        self._run: AsyncRun | None = None

    def __repr__(self) -> str:
        return f"<QueuedRun {self.queue_name} ({self.id})>"

    async def _item(self) -> RunQueueItemFragment:
        reply = await self._session.client.get_run_queue_item(
            self.entity, self.project_queue, self.queue_name, self.id
        )
        queue = reply.project.run_queue if reply.project is not None else None
        item = queue.run_queue_item if queue is not None else None
        if item is None:
            path = f"{self.entity}/{self.project_queue}/{self.queue_name}/{self.id}"
            raise NotFoundError(f"queue item {path} not found", kind="queued run", path=path)
        return item

    # unasync: property
    async def state(self) -> str:
        """``pending``, ``leased`` (an agent took it), ``claimed`` (its run started) or
        ``failed``; read fresh on each access."""
        return (await self._item()).state.value.lower()

    # unasync: property
    async def run(self) -> AsyncRun | None:
        """The run the item started, once it exists (else None)."""
        if self._run is None:
            self._run = await self._started_run(await self._item())
        return self._run

    async def _started_run(self, item: RunQueueItemFragment) -> AsyncRun | None:
        from wandb_typed.paths import RunPath
        from wandb_typed.runs import async_fetch_run

        if item.associated_run_id is None:
            return None
        try:
            return await async_fetch_run(
                self._session, RunPath(self.entity, self.project, item.associated_run_id)
            )
        except NotFoundError:
            return None  # acked: the agent named the run, the job has not created it yet

    async def wait_until_running(
        self,
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> AsyncRun:
        """Poll until the item's run exists, and return it.

        Raises:
            QueuedRunFailedError: The item failed before its run started.
            QueuedRunTimeoutError: ``timeout`` seconds passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = poll_interval
        while self._run is None:
            item = await self._item()
            if item.state.value == "FAILED":
                raise QueuedRunFailedError(
                    f"queue item {self.queue_name}/{self.id} failed before its run started"
                )
            self._run = await self._started_run(item)
            if self._run is not None:
                break
            if deadline is not None and time.monotonic() + interval > deadline:
                raise QueuedRunTimeoutError(
                    f"queue item {self.queue_name}/{self.id} has no running run after "
                    f"{timeout} s (state {item.state.value.lower()})"
                )
            await async_sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)
        return self._run

    async def wait_until_finished(
        self,
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> AsyncRun:
        """Wait for the run to start, then to end (finished, failed, crashed or killed), and
        return it, reloaded.

        Raises:
            QueuedRunFailedError: The item failed before its run started.
            QueuedRunTimeoutError: ``timeout`` seconds passed first.
        """
        started = time.monotonic()
        run = await self.wait_until_running(
            timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval
        )
        interval = poll_interval
        while True:
            await run.load(force=True)
            state = run.state
            if state not in ("running", "pending", "preempting"):
                return run
            if timeout is not None and time.monotonic() - started + interval > timeout:
                raise QueuedRunTimeoutError(
                    f"run {run.id} of queue item {self.queue_name}/{self.id} is still "
                    f"{state} after {timeout} s"
                )
            await async_sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)

    async def delete(self, delete_artifacts: bool = False) -> None:
        """Remove the item from its queue (``delete_artifacts`` is accepted for the
        reference's signature; an item owns no artifacts)."""
        item = await self._session.client.get_run_queue_item(
            self.entity, self.project_queue, self.queue_name, self.id
        )
        queue = item.project.run_queue if item.project is not None else None
        if queue is None:
            path = f"{self.entity}/{self.project_queue}/{self.queue_name}"
            raise NotFoundError(f"run queue {path} not found", kind="run queue", path=path)
        reply = await self._session.client.delete_from_run_queue(queue.id, self.id)
        if reply.delete_from_run_queue is None or not reply.delete_from_run_queue.success:
            path = f"{self.entity}/{self.project_queue}/{self.queue_name}/{self.id}"
            raise NotFoundError(f"queue item {path} not found", kind="queued run", path=path)


class AsyncRunQueue:
    """A run queue of W&B Launch: its settings, default resource config and items.

    Example:
        >>> queue = await api.run_queue("team", "gpu")  # doctest: +SKIP
        >>> await queue.type(), len(await queue.items())  # doctest: +SKIP
        ('local-process', 2)
    """

    def __init__(
        self,
        session: AsyncSession,
        name: str,
        entity: str,
        *,
        metadata: RunQueueFragment | None = None,
    ) -> None:
        self._session = session
        self.name = name
        self.entity = entity
        self._metadata = metadata
        self._config: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<RunQueue {self.entity}/{self.name}>"

    async def _meta(self) -> RunQueueFragment:
        if self._metadata is None:
            reply = await self._session.client.get_run_queue(
                self.entity, LAUNCH_DEFAULT_PROJECT, self.name
            )
            queue = reply.project.run_queue if reply.project is not None else None
            if queue is None:
                path = f"{self.entity}/{self.name}"
                raise NotFoundError(f"run queue {path} not found", kind="run queue", path=path)
            self._metadata = queue
        return self._metadata

    async def _resource_config(self) -> dict[str, Any]:
        if self._config is None:
            config_id = (await self._meta()).default_resource_config_id
            if config_id is None:
                self._config = {"resource": None, "config": {}, "templateVariables": []}
            else:
                reply = await self._session.client.get_default_resource_config(
                    self.entity, config_id
                )
                found = reply.entity.default_resource_config if reply.entity else None
                if found is None:
                    raise NotFoundError(
                        f"default resource config {config_id} of {self.entity} not found",
                        kind="default resource config",
                        path=f"{self.entity}/{config_id}",
                    )
                self._config = {
                    "resource": found.resource,
                    "config": found.config or {},
                    "templateVariables": [
                        {"name": v.name, "schema": v.schema_} for v in found.template_variables
                    ],
                }
        return self._config

    # unasync: property
    async def id(self) -> str:
        """The queue's id."""
        return (await self._meta()).id

    # unasync: property
    async def access(self) -> str:
        """``PROJECT`` or ``USER``."""
        return (await self._meta()).access.value

    # unasync: property
    async def prioritization_mode(self) -> str:
        """``V0`` (items pop by priority) or ``DISABLED`` (in push order)."""
        mode = (await self._meta()).prioritization_mode
        return "DISABLED" if mode is None else mode.value

    # unasync: property
    async def external_links(self) -> dict[str, str]:
        """The queue's links, ``{label: url}``."""
        return links_of((await self._meta()).external_links)

    # unasync: property
    async def type(self) -> str | None:
        """The resource type its items run on (``local-process``, ``kubernetes``...)."""
        resource = (await self._resource_config())["resource"]
        return None if resource is None else str(resource)

    # unasync: property
    async def default_resource_config(self) -> dict[str, Any]:
        """The default resource config: ``{"resource_args": {type: {...}}}``."""
        config: dict[str, Any] = (await self._resource_config())["config"]
        return config

    # unasync: property
    async def template_variables(self) -> list[dict[str, Any]]:
        """The template variables of its config: ``[{"name", "schema"}]`` (schema as JSON)."""
        variables: list[dict[str, Any]] = (await self._resource_config())["templateVariables"]
        return variables

    # unasync: property
    async def items(self) -> list[AsyncQueuedRun]:
        """Every item of the queue, in push order (read fresh on each access)."""
        found: list[AsyncQueuedRun] = []
        cursor: str | None = None
        while True:
            reply = await self._session.client.get_run_queue_items(
                self.entity, LAUNCH_DEFAULT_PROJECT, self.name, cursor=cursor
            )
            queue = reply.project.run_queue if reply.project is not None else None
            if queue is None:
                path = f"{self.entity}/{self.name}"
                raise NotFoundError(f"run queue {path} not found", kind="run queue", path=path)
            for edge in queue.run_queue_items.edges:
                spec = edge.node.run_spec if isinstance(edge.node.run_spec, dict) else {}
                found.append(
                    AsyncQueuedRun(
                        self._session,
                        self.entity,
                        str(spec.get("project") or LAUNCH_DEFAULT_PROJECT),
                        self.name,
                        edge.node.id,
                        priority=edge.node.priority,
                    )
                )
            page = queue.run_queue_items.page_info
            if not page.has_next_page or page.end_cursor is None:
                return found
            cursor = page.end_cursor

    async def delete(self) -> None:
        """Delete the queue and its items."""
        reply = await self._session.client.delete_run_queues([(await self._meta()).id])
        if reply.delete_run_queues is None or not reply.delete_run_queues.success:
            path = f"{self.entity}/{self.name}"
            raise NotFoundError(f"run queue {path} not found", kind="run queue", path=path)
        self._metadata = None
        self._config = None
