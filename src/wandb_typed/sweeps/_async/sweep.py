"""A project's sweeps: the lazy :class:`AsyncSweeps` listing of :class:`Sweep` entries.

Example:
    >>> sweeps = (await api.project("vision", entity="team")).sweeps()  # doctest: +SKIP
    >>> [sweep.name async for sweep in sweeps]  # doctest: +SKIP
    ['x8d2kq1z']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath
from wandb_typed.sweeps.sweep_data import Sweep

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession

__all__ = ["AsyncSweeps"]


class AsyncSweeps(AsyncPaginator[Sweep]):
    """A project's sweeps, page by page; the count is the project's ``totalSweeps``.

    Raises:
        NotFoundError: (on first use) the project does not exist.
    """

    connection_path: Sequence[str] = ("project", "sweeps")

    def __init__(
        self, session: AsyncSession, project: ProjectPath, per_page: int = DEFAULT_PER_PAGE
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project = project

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[Sweep]:
        result = await self._session.client.get_project_sweeps(
            self.project.entity,
            self.project.project,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        if result.project is None:
            raise NotFoundError(
                f"Project {self.project} not found (or not visible with this API key).",
                kind="project",
                path=str(self.project),
            )
        project = self.project
        return page_of(
            result.project.sweeps,
            lambda node: Sweep._from_fragment(node, project),
            total=result.project.total_sweeps,
        )
