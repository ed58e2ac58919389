"""The sweeps methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.paths import parse_sweep_path

if TYPE_CHECKING:
    from wandb_typed.sweeps._async.sweep import AsyncSweep

__all__ = ["AsyncSweepsApi"]


class AsyncSweepsApi(AsyncSessionHolder):
    """``sweep``."""

    async def sweep(self, path: str = "") -> AsyncSweep:
        """One sweep by path: ``entity/project/sweeps/id`` (or ``entity/project/id``, an app
        URL; ``project/id`` and ``id`` use the default entity and project).

        Raises:
            InvalidPathError: The path is malformed or lacks a part with no default.
            NotFoundError: No such sweep (the error names the path).

        Example:
            >>> sweep = api.sweep("team/vision/sweeps/x8d2kq1z")  # doctest: +SKIP
            >>> sweep.state, sweep.best_run().id  # doctest: +SKIP
            ('FINISHED', 'r2b4c6d8')
        """
        from wandb_typed.sweeps._async.sweep import fetch_sweep

        project = self._session.config.project
        sweep_path = await self._session.parse(
            lambda entity: parse_sweep_path(path, default_entity=entity, default_project=project)
        )
        return await fetch_sweep(self._session, sweep_path)
