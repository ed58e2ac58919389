"""What a user's program gets from reports and custom charts with ``AsyncApi``: the async
reports listing, a report's fields and runs, and awaitable deletion and chart creation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import (
    AsyncApi,
    AsyncBetaReport,
    AsyncReports,
    AsyncRuns,
    Page,
    ProjectPath,
    ReportPath,
    ReportUser,
)


async def check_api_reports(api: AsyncApi) -> None:
    assert_type(await api.reports("team/vision", name="Loss%20curves", per_page=10), AsyncReports)
    assert_type(await api.report("team/vision/reports/Loss-curves--Vmlldzox"), AsyncBetaReport)
    assert_type(
        await api.create_custom_chart(
            entity="team",
            name="bars",
            display_name="Bars",
            spec_type="vega2",
            access="private",
            spec={"mark": "bar"},
        ),
        str,
    )


async def check_reports(reports: AsyncReports) -> None:
    async for each in reports:
        assert_type(each, AsyncBetaReport)
    assert_type(await reports[0], AsyncBetaReport)
    assert_type(await reports[0:2], list[AsyncBetaReport])
    assert_type(reports.total, int | None)
    assert_type(await reports.total_count(), int)
    assert_type(await reports.is_empty(), bool)
    assert_type(reports.pages(), AsyncIterator[Page[AsyncBetaReport]])
    assert_type(reports.per_page, int)
    assert_type(reports.connection_path, Sequence[str])
    assert_type(reports.project, ProjectPath)
    assert_type(reports.name, str | None)
    assert_type(reports.close(), None)


async def check_report(report: AsyncBetaReport) -> None:
    assert_type(report.id, str)
    assert_type(report.name, str | None)
    assert_type(report.display_name, str | None)
    assert_type(report.description, str | None)
    assert_type(report.entity, str)
    assert_type(report.project, str)
    assert_type(report.spec, dict[str, Any])
    assert_type(report.sections, list[Any])
    assert_type(report.user, ReportUser | None)
    assert_type(report.created_at, datetime)
    assert_type(report.updated_at, datetime | None)
    assert_type(report.path, ReportPath)
    assert_type(report.url, str)
    assert_type(report.runs(report.sections[0], per_page=10, only_selected=False), AsyncRuns)
    assert_type(report.to_html(height=512, hidden=True), str)
    assert_type(await report.delete(), None)


async def misuse_reports(reports: AsyncReports, api: AsyncApi) -> None:
    print(len(reports))  # type: ignore[arg-type]
    listing: AsyncReports = api.reports("team/vision")  # type: ignore[assignment]
    print(listing)
