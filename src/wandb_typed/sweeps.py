"""Sweeps as a project lists them: :class:`Sweep` (the listing's fields) and :class:`Sweeps`.

Example:
    >>> sweeps = api.project("vision", entity="team").sweeps()  # doctest: +SKIP
    >>> len(sweeps), [s.name for s in sweeps]  # doctest: +SKIP
    (1, ['x8d2kq1z'])
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, Paginator
from wandb_typed.paths import ProjectPath, SweepPath

if TYPE_CHECKING:
    from wandb_typed._generated import SweepFragment
    from wandb_typed.api import Api

__all__ = ["Sweep", "Sweeps"]


@dataclass(frozen=True)
class Sweep:
    """A sweep as listed in its project (what ``Project.sweeps()`` returns)."""

    id: str
    name: str
    """The sweep id used in paths (``entity/project/sweeps/<name>``)."""
    display_name: str | None
    method: str
    state: str
    description: str | None
    best_loss: float | None
    config_yaml: str
    """The sweep configuration, as the YAML text the server stores."""
    created_at: datetime
    updated_at: datetime | None
    run_count: int
    run_count_expected: int | None
    project: ProjectPath

    @property
    def path(self) -> SweepPath:
        """``entity/project/sweeps/name``."""
        return SweepPath(self.project.entity, self.project.project, self.name)

    @classmethod
    def _from_fragment(cls, fragment: SweepFragment, project: ProjectPath) -> Sweep:
        return cls(
            id=fragment.id,
            name=fragment.name,
            display_name=fragment.display_name,
            method=fragment.method,
            state=fragment.state,
            description=fragment.description,
            best_loss=fragment.best_loss,
            config_yaml=fragment.config,
            created_at=fragment.created_at,
            updated_at=fragment.updated_at,
            run_count=fragment.run_count,
            run_count_expected=fragment.run_count_expected,
            project=project,
        )


class Sweeps(Paginator[Sweep]):
    """A project's sweeps, page by page; ``len()`` is the project's ``totalSweeps``.

    Raises:
        NotFoundError: (on first use) the project does not exist.
    """

    def __init__(self, api: Api, project: ProjectPath, per_page: int = DEFAULT_PER_PAGE) -> None:
        super().__init__(per_page=per_page)
        self.api = api
        self.project = project

    def _fetch(self, cursor: str | None) -> Page[Sweep]:
        result = self.api.client.get_project_sweeps(
            self.project.entity, self.project.project, cursor=cursor, per_page=self.per_page
        )
        if result.project is None:
            raise NotFoundError(
                f"Project {self.project} not found (or not visible with this API key).",
                kind="project",
                path=str(self.project),
            )
        connection = result.project.sweeps
        if connection is None:
            return Page([], end_cursor=None, has_next=False, total=result.project.total_sweeps)
        return Page(
            [Sweep._from_fragment(edge.node, self.project) for edge in connection.edges],
            end_cursor=connection.page_info.end_cursor,
            has_next=connection.page_info.has_next_page,
            total=result.project.total_sweeps,
        )
