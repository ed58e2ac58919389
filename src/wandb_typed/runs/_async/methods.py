"""The runs methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidResponseError
from wandb_typed.paths import parse_run_path
from wandb_typed.runs.facts import DEFAULT_RUN_PROJECT, new_run_id

if TYPE_CHECKING:
    from wandb_typed.runs._async.listing import AsyncRuns
    from wandb_typed.runs._async.run import AsyncRun

__all__ = ["AsyncRunsApi"]

# A run's modules load with the first runs call, not with every Api.


class AsyncRunsApi(AsyncSessionHolder):
    """``runs``, ``run`` and ``create_run``."""

    async def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> AsyncRuns:
        """The runs of a project, lazily paginated, filtered Mongo-style and ordered.

        Filters apply to ``config.<k>``, ``summary_metrics.<k>`` and run fields
        (``state``, ``tags``, ``displayName``, ``createdAt``, ``group``, ``jobType``, ...)
        with ``$and $or $nor $eq $ne $gt $gte $lt $lte $in $nin $exists $regex``.

        Args:
            path: ``entity/project`` or ``project`` (default: the configured project).
            filters: A MongoDB-style query document.
            order: ``+``/``-`` then ``created_at``, ``heartbeat_at``, ``config.<k>`` or
                ``summary_metrics.<k>`` (``+`` ascending).
            per_page: Runs per request (1 to 1000).
            include_sweeps: Accepted for ``wandb`` compatibility (``sweep_name`` is always set).
            lazy: Fetch config/summary only when first touched (per page, one request).

        Raises:
            InvalidPathError: ``path`` is malformed, or missing with no default project.
            InvalidArgumentError: ``filters`` is not JSON, or ``per_page`` is out of range.

        Example:
            >>> runs = api.runs("team/vision", filters={"config.lr": {"$gte": 0.01}})  # doctest: +SKIP
            >>> len(runs), runs[0].summary["loss"]  # doctest: +SKIP
            (12, 0.25)
        """
        from wandb_typed.runs._async.listing import AsyncRuns

        project_path = await self._session.project_path(path, what="runs")
        return AsyncRuns(
            self._session,
            project_path.entity,
            project_path.project,
            filters=filters,
            order=order,
            per_page=per_page,
            include_sweeps=include_sweeps,
            lazy=lazy,
        )

    async def run(self, path: str = "") -> AsyncRun:
        """One run by path: ``entity/project/run_id`` (or ``.../runs/run_id``, or an app URL).

        ``project/run_id`` and ``run_id`` use the default entity and project.

        Raises:
            InvalidPathError: The path is malformed or lacks a part with no default.
            NotFoundError: No such run (the error names the path).

        Example:
            >>> run = api.run("team/vision/abc123")  # doctest: +SKIP
            >>> run.state, run.config["lr"]  # doctest: +SKIP
            ('finished', 0.1)
        """
        from wandb_typed.runs._async.run import fetch_run

        project = self._session.config.project
        run_path = await self._session.parse(
            lambda entity: parse_run_path(path, default_entity=entity, default_project=project)
        )
        return await fetch_run(self._session, run_path)

    async def create_run(
        self,
        *,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> AsyncRun:
        """Create a run (state ``running``) and return it.

        Args:
            run_id: The id to give it; a random 8-character id by default.
            project: Its project (default: the configured project, else ``uncategorized``).
            entity: Its entity (default: the configured or the viewer's default entity).

        Example:
            >>> run = api.create_run(run_id="baseline", project="vision")  # doctest: +SKIP
            >>> run.state  # doctest: +SKIP
            'running'
        """
        from wandb_typed.runs._async.run import AsyncRun

        session = self._session
        project = project or session.config.project or DEFAULT_RUN_PROJECT
        entity = entity or await session.entity_default()
        reply = await session.client.create_run(
            run_id or new_run_id(), entity=entity, project=project
        )
        bucket = reply.upsert_bucket.bucket if reply.upsert_bucket is not None else None
        if bucket is None or bucket.project is None:
            raise InvalidResponseError(
                f"the server created no run for {entity or '(default entity)'}/{project}"
            )
        return AsyncRun(session, bucket.project.entity_name, bucket.project.name, bucket)
