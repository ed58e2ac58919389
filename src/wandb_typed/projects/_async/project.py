"""Projects: :class:`AsyncProject` (with its runs and sweeps) and the lazy
:class:`AsyncProjects` listing. The async source of ``Project`` and ``Projects``.

Example:
    >>> project = await api.project("vision", entity="team")  # doctest: +SKIP
    >>> entity, name = project.path  # doctest: +SKIP
    >>> project.url  # doctest: +SKIP
    'https://wandb.ai/team/vision/workspace'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed._html import iframe_html
from wandb_typed._time import as_utc
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath, app_url

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import ProjectFragment
    from wandb_typed.artifacts import AsyncArtifactTypes
    from wandb_typed.runs import AsyncRuns
    from wandb_typed.sweeps import AsyncSweeps
    from wandb_typed.users import AsyncUser

__all__ = ["AsyncProject", "AsyncProjects", "fetch_project"]


@dataclass(frozen=True)
class AsyncProject:
    """A W&B project (``entity/name``)."""

    id: str
    name: str
    entity: str
    description: str | None
    created_at: datetime
    is_benchmark: bool
    read_only: bool
    _session: AsyncSession = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: ProjectFragment, session: AsyncSession) -> AsyncProject:
        return cls(
            id=fragment.id,
            name=fragment.name,
            entity=fragment.entity_name,
            description=fragment.description,
            created_at=as_utc(fragment.created_at),
            is_benchmark=fragment.is_benchmark,
            read_only=bool(fragment.read_only),
            _session=session,
        )

    @property
    def path(self) -> ProjectPath:
        """``entity/name`` as a :class:`ProjectPath`, which unpacks, indexes and equals a
        list as ``wandb``'s (``entity, name = project.path``)."""
        return ProjectPath(self.entity, self.name)

    @property
    def url(self) -> str:
        """The project's workspace in the W&B app (``.../entity/name/workspace``)."""
        return f"{app_url(self._session.config.base_url)}/{self.entity}/{self.name}/workspace"

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """An HTML ``iframe`` showing the project's workspace (what notebooks display)."""
        return iframe_html(self.url, height=height, hidden=hidden, what="project")

    def _repr_html_(self) -> str:
        return self.to_html()

    # unasync: property
    async def owner(self) -> AsyncUser:
        """The user who created the project (one request).

        Raises:
            NotFoundError: The project no longer exists.
            ValueError: The server names no user for the project (as ``wandb``).

        Example:
            >>> project.owner.username  # doctest: +SKIP
            'alice'
        """
        from wandb_typed.users import AsyncUser

        reply = await self._session.client.get_project_owner(self.entity, self.name)
        if reply.project is None:
            raise NotFoundError(
                f"Project {self.path} not found (or not visible with this API key).",
                kind="project",
                path=str(self.path),
            )
        if reply.project.user is None:
            raise ValueError(f"No user found for project {self.path}")
        return AsyncUser._from_fragment(reply.project.user, self._session)

    def artifacts_types(self, per_page: int = DEFAULT_PER_PAGE) -> AsyncArtifactTypes:
        """The project's artifact types (``api.artifact_types("entity/name")``).

        Example:
            >>> [t.name for t in project.artifacts_types()]  # doctest: +SKIP
            ['dataset', 'model']
        """
        from wandb_typed.artifacts import AsyncArtifactTypes

        return AsyncArtifactTypes(self._session, self.path, per_page=per_page)

    def runs(
        self,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = DEFAULT_PER_PAGE,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> AsyncRuns:
        """The project's runs: ``api.runs("entity/name", ...)`` with the same arguments.

        Example:
            >>> project.runs(order="-summary_metrics.acc", per_page=10)  # doctest: +SKIP
        """
        from wandb_typed.runs import AsyncRuns  # loads with the first listing, not every Api

        return AsyncRuns(
            self._session,
            self.entity,
            self.name,
            filters=filters,
            order=order,
            per_page=per_page,
            include_sweeps=include_sweeps,
            lazy=lazy,
        )

    def sweeps(self, per_page: int = DEFAULT_PER_PAGE) -> AsyncSweeps:
        """The project's sweeps (lazy; the count is the project's sweep count).

        Example:
            >>> [sweep.name for sweep in project.sweeps()]  # doctest: +SKIP
            []
        """
        from wandb_typed.sweeps import AsyncSweeps

        return AsyncSweeps(self._session, self.path, per_page=per_page)

    def __str__(self) -> str:
        return str(self.path)


class AsyncProjects(AsyncPaginator[AsyncProject]):
    """An entity's projects, ordered by name, fetched page by page.

    The server gives no total, so the count raises ``TypeError`` (as ``wandb``'s has none);
    iterate to count.

    Raises:
        NotFoundError: (on first use) the entity does not exist or is not visible.
    """

    connection_path: Sequence[str] = ("models",)

    def __init__(
        self, session: AsyncSession, entity: str, per_page: int = DEFAULT_PER_PAGE
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.entity = entity

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncProject]:
        result = await self._session.client.get_projects(
            entity=self.entity, cursor=cursor, per_page=self.per_page, on_data=on_data
        )
        if result.models is None:
            raise NotFoundError(
                f"Entity {self.entity!r} not found (or not visible with this API key).",
                kind="entity",
                path=self.entity,
            )
        session = self._session
        return page_of(
            result.models,
            lambda node: None if node is None else AsyncProject._from_fragment(node, session),
        )


async def fetch_project(session: AsyncSession, path: ProjectPath) -> AsyncProject:
    """The project at ``path``.

    Raises:
        NotFoundError: No such project (or it is not visible with this API key).
    """
    fragment = (await session.client.get_project(path.entity, path.project)).project
    if fragment is None:
        raise NotFoundError(
            f"Project {path} not found (or not visible with this API key).",
            kind="project",
            path=str(path),
        )
    return AsyncProject._from_fragment(fragment, session)
