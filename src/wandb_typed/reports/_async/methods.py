"""The reports and custom chart methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidResponseError
from wandb_typed.paths import parse_report_path

if TYPE_CHECKING:
    from wandb_typed.reports._async.report import AsyncBetaReport, AsyncReports

__all__ = ["AsyncReportsApi"]


class AsyncReportsApi(AsyncSessionHolder):
    """``reports``, ``report`` and ``create_custom_chart``."""

    async def reports(
        self, path: str = "", name: str | None = None, per_page: int = 50
    ) -> AsyncReports:
        """The reports of a project (``entity/project`` or ``project``), newest first.

        Args:
            path: The project (default: the configured project).
            name: Only the report with this name (URL-quoted names are unquoted).
            per_page: Reports per request.

        Raises:
            InvalidPathError: ``path`` is malformed, or empty with no default project.

        Example:
            >>> [report.display_name for report in api.reports("team/vision")]  # doctest: +SKIP
            ['Loss curves']
        """
        from wandb_typed.reports._async.report import AsyncReports

        project_path = await self._session.project_path(path or None, what="reports")
        wanted = urllib.parse.unquote(name) if name else None
        return AsyncReports(self._session, project_path, name=wanted, per_page=per_page)

    async def report(self, path: str) -> AsyncBetaReport:
        """One report by path: ``entity/project/reports/Title--ID`` (or its app URL; the
        title part is not checked). ``from_path`` comes here for report paths.

        Raises:
            InvalidPathError: The path is not a report path.
            NotFoundError: No report with that id in that project (the error names the path).

        Example:
            >>> api.report("team/vision/reports/Loss-curves--Vmlldzox").display_name  # doctest: +SKIP
            'Loss curves'
        """
        from wandb_typed.reports._async.report import fetch_report

        report_path = await self._session.parse(
            lambda entity: parse_report_path(path, default_entity=entity)
        )
        return await fetch_report(self._session, report_path)

    async def create_custom_chart(
        self,
        entity: str,
        name: str,
        display_name: str,
        spec_type: str,
        access: str,
        spec: str | Mapping[str, Any],
    ) -> str:
        """Save a custom chart preset (a Vega-Lite spec) and return its id, ``entity/name``.

        Args:
            entity: The user or team owning the preset.
            name: The preset's unique name in the entity.
            display_name: The name shown in the app.
            spec_type: ``"vega2"``.
            access: ``"private"`` or ``"public"``.
            spec: The spec, as a dict or JSON text.

        Raises:
            InvalidArgumentError: A bad ``spec_type``, ``access`` or ``spec`` (named).
            GraphQLError: The server refused it (a taken name, the message says so).

        Example:
            >>> api.create_custom_chart("team", "bars", "Bars", "vega2", "private",
            ...                         {"mark": "bar"})  # doctest: +SKIP
            'team/bars'
        """
        from wandb_typed.reports.report_data import chart_spec_text  # not with every Api

        text = chart_spec_text(spec, spec_type, access)
        reply = await self._session.client.create_custom_chart(
            entity, name, display_name, spec_type, access.upper(), text
        )
        if reply.create_custom_chart is None:
            raise InvalidResponseError(f"createCustomChart for {entity}/{name} returned no chart")
        return reply.create_custom_chart.chart.id
