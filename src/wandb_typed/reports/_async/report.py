"""Reports: :class:`AsyncBetaReport` (its spec, runs of a section, URL, HTML, deletion) and
the lazy :class:`AsyncReports` listing of a project. The async source of ``BetaReport`` and
``Reports``.

Example:
    >>> reports = await api.reports("team/vision")  # doctest: +SKIP
    >>> [report.display_name async for report in reports]  # doctest: +SKIP
    ['Loss curves']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed._json import as_array, decode_object
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath, ReportPath, app_url
from wandb_typed.reports.report_data import ReportUser, report_html, report_url, run_set_query

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import ReportFragment
    from wandb_typed.runs import AsyncRuns

__all__ = ["AsyncBetaReport", "AsyncReports", "fetch_report"]


class AsyncBetaReport:
    """A report (a view of a project's runs): its name, spec and author.

    ``spec`` is the report's JSON spec, decoded; ``sections`` its panel groups, each of
    which :meth:`runs` turns into a runs query.
    """

    __slots__ = ("_fragment", "_session", "_spec", "entity", "project")

    def __init__(
        self, session: AsyncSession, entity: str, project: str, fragment: ReportFragment
    ) -> None:
        self._session = session
        self.entity: str = entity
        """The entity owning the report's project."""
        self.project: str = project
        """The report's project name."""
        self._fragment = fragment
        self._spec: dict[str, Any] = decode_object(
            fragment.spec, what=lambda: f"the spec of report {fragment.id}"
        )

    @property
    def id(self) -> str:
        """The report id (the ``ID`` of ``Title--ID`` in its URL)."""
        return self._fragment.id

    @property
    def name(self) -> str | None:
        """The report's name (``viewName`` in ``Api.reports(path, name)``)."""
        return self._fragment.name

    @property
    def display_name(self) -> str | None:
        """The report's title."""
        return self._fragment.display_name

    @property
    def description(self) -> str | None:
        """The report's description."""
        return self._fragment.description

    @property
    def spec(self) -> dict[str, Any]:
        """The report's spec (blocks, panel groups, run sets), decoded from JSON."""
        return self._spec

    @property
    def sections(self) -> list[Any]:
        """The spec's panel groups (``spec["panelGroups"]``; [] when it has none)."""
        return as_array(self._spec.get("panelGroups")) or []

    @property
    def user(self) -> ReportUser | None:
        """Who saved the report."""
        user = self._fragment.user
        if user is None:
            return None
        return ReportUser(user.username, user.name, user.email, user.photo_url)

    @property
    def created_at(self) -> datetime:
        """When the report was created."""
        return self._fragment.created_at

    @property
    def updated_at(self) -> datetime | None:
        """When the report last changed."""
        return self._fragment.updated_at

    @property
    def path(self) -> ReportPath:
        """``entity/project/reports/Title--ID``."""
        return ReportPath(self.entity, self.project, self.id, self.display_name or "")

    @property
    def url(self) -> str:
        """The report's page in the web app."""
        app = app_url(self._session.config.base_url)
        return report_url(app, self.entity, self.project, self.display_name, self.id)

    def runs(
        self, section: dict[str, Any], per_page: int = 50, only_selected: bool = True
    ) -> AsyncRuns:
        """The runs of a section's open run set: its filters and sort as a runs query.

        Args:
            section: One of :attr:`sections`.
            per_page: Runs per request.
            only_selected: Only the runs selected in the run set.

        Raises:
            InvalidArgumentError: The section has no run set, or its filter cannot convert.

        Example:
            >>> runs = report.runs(report.sections[0])  # doctest: +SKIP
        """
        from wandb_typed.runs import AsyncRuns

        filters, order = run_set_query(section, only_selected)
        return AsyncRuns(
            self._session,
            self.entity,
            self.project,
            filters=filters,
            order=order,
            per_page=per_page,
        )

    def to_html(self, height: int = 1024, hidden: bool = False) -> str:
        """An iframe showing the report (for notebooks)."""
        return report_html(self.url, height, hidden)

    def _repr_html_(self) -> str:
        return self.to_html()

    async def delete(self) -> None:
        """Delete the report (and its drafts).

        Raises:
            NotFoundError: The report no longer exists.
        """
        reply = await self._session.client.delete_report(self.id)
        if reply.delete_view is None or not reply.delete_view.success:
            raise NotFoundError(f"report {self.path} not found", kind="report", path=str(self.path))

    def __repr__(self) -> str:
        return f"<BetaReport {self.entity}/{self.project}/{self.display_name!r} ({self.id})>"


async def fetch_report(session: AsyncSession, path: ReportPath) -> AsyncBetaReport:
    """The report at ``path`` (found by its id; the title part is not checked).

    Raises:
        NotFoundError: no report with that id in that project, naming the path.
    """
    reply = await session.client.get_report(path.report_id)
    fragment = reply.view
    if (
        fragment is None
        or fragment.entity_name != path.entity
        or fragment.project_name != path.project
    ):
        raise NotFoundError(
            f"report {path} not found (or not visible with this API key)",
            kind="report",
            path=str(path),
        )
    return AsyncBetaReport(session, path.entity, path.project, fragment)


class AsyncReports(AsyncPaginator[AsyncBetaReport]):
    """A project's reports (named ``name`` when given), newest first, page by page.

    The server gives no total: ``len()`` is not available; iterate instead.

    Raises:
        NotFoundError: (on first use) the project does not exist.
    """

    connection_path: Sequence[str] = ("project", "allViews")

    def __init__(
        self,
        session: AsyncSession,
        project: ProjectPath,
        name: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project: ProjectPath = project
        """The project whose reports are listed."""
        self.name: str | None = name
        """Only the report with this name (None: every report)."""

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncBetaReport]:
        result = await self._session.client.get_reports(
            self.project.entity,
            self.project.project,
            view_type="runs",
            view_name=self.name,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        if result.project is None:
            raise NotFoundError(
                f"project {self.project} not found (or not visible with this API key)",
                kind="project",
                path=str(self.project),
            )
        session, entity, name = self._session, self.project.entity, self.project.project
        return page_of(
            result.project.all_views,
            lambda node: None if node is None else AsyncBetaReport(session, entity, name, node),
        )
