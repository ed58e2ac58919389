"""Projects: :class:`Project` (with its runs and sweeps) and the lazy :class:`Projects` list.

Example:
    >>> project = api.project("vision", entity="team")  # doctest: +SKIP
    >>> project.path, len(project.runs(filters={"state": "finished"}))  # doctest: +SKIP
    (ProjectPath(entity='team', project='vision'), 12)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, Paginator
from wandb_typed.paths import ProjectPath
from wandb_typed.runs import app_url
from wandb_typed.sweeps import Sweeps

if TYPE_CHECKING:
    from wandb_typed._generated import ProjectFragment
    from wandb_typed.api import Api
    from wandb_typed.runs import Runs

__all__ = ["Project", "Projects", "fetch_project"]


@dataclass(frozen=True)
class Project:
    """A W&B project (``entity/name``)."""

    id: str
    name: str
    entity: str
    description: str | None
    created_at: datetime
    is_benchmark: bool
    read_only: bool
    _api: Api = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: ProjectFragment, api: Api) -> Project:
        return cls(
            id=fragment.id,
            name=fragment.name,
            entity=fragment.entity_name,
            description=fragment.description,
            created_at=fragment.created_at,
            is_benchmark=fragment.is_benchmark,
            read_only=bool(fragment.read_only),
            _api=api,
        )

    @property
    def path(self) -> ProjectPath:
        """``entity/name`` as a :class:`ProjectPath`."""
        return ProjectPath(self.entity, self.name)

    @property
    def url(self) -> str:
        """The project's page in the W&B app."""
        return f"{app_url(self._api.config.base_url)}/{self.entity}/{self.name}"

    def runs(
        self,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = DEFAULT_PER_PAGE,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> Runs:
        """The project's runs: ``api.runs("entity/name", ...)`` with the same arguments.

        Example:
            >>> project.runs(order="-summary_metrics.acc", per_page=10)[0]  # doctest: +SKIP
        """
        return self._api.runs(
            str(self.path),
            filters=filters,
            order=order,
            per_page=per_page,
            include_sweeps=include_sweeps,
            lazy=lazy,
        )

    def sweeps(self, per_page: int = DEFAULT_PER_PAGE) -> Sweeps:
        """The project's sweeps (lazy; ``len()`` is the project's sweep count).

        Example:
            >>> [sweep.name for sweep in project.sweeps()]  # doctest: +SKIP
            []
        """
        return Sweeps(self._api, self.path, per_page=per_page)

    def __str__(self) -> str:
        return str(self.path)


class Projects(Paginator[Project]):
    """An entity's projects, ordered by name, fetched page by page.

    The server gives no total, so ``len()`` raises ``TypeError`` (as ``wandb``'s has none);
    iterate to count.

    Raises:
        NotFoundError: (on first use) the entity does not exist or is not visible.
    """

    def __init__(self, api: Api, entity: str, per_page: int = DEFAULT_PER_PAGE) -> None:
        super().__init__(per_page=per_page)
        self.api = api
        self.entity = entity

    def _fetch(self, cursor: str | None) -> Page[Project]:
        result = self.api.client.get_projects(
            entity=self.entity, cursor=cursor, per_page=self.per_page
        )
        if result.models is None:
            raise NotFoundError(
                f"Entity {self.entity!r} not found (or not visible with this API key).",
                kind="entity",
                path=self.entity,
            )
        edges = result.models.edges
        return Page(
            [Project._from_fragment(edge.node, self.api) for edge in edges if edge.node],
            end_cursor=(edges[-1].cursor if edges else None) or result.models.page_info.end_cursor,
            has_next=result.models.page_info.has_next_page,
        )


def fetch_project(api: Api, path: ProjectPath) -> Project:
    """The project at ``path``.

    Raises:
        NotFoundError: No such project (or it is not visible with this API key).
    """
    fragment = api.client.get_project(path.entity, path.project).project
    if fragment is None:
        raise NotFoundError(
            f"Project {path} not found (or not visible with this API key).",
            kind="project",
            path=str(path),
        )
    return Project._from_fragment(fragment, api)
