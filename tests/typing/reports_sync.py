"""What a user's program gets from reports and custom charts with ``Api``: the reports
listing, a report's fields, spec, sections and runs, and a chart preset's id."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from wandb_typed import Api, BetaReport, Page, ProjectPath, ReportPath, Reports, ReportUser, Runs


def check_api_reports(api: Api) -> None:
    assert_type(api.reports("team/vision", name="Loss%20curves", per_page=10), Reports)
    assert_type(api.reports(), Reports)
    assert_type(api.report("team/vision/reports/Loss-curves--Vmlldzox"), BetaReport)
    assert_type(
        api.create_custom_chart(
            entity="team",
            name="bars",
            display_name="Bars",
            spec_type="vega2",
            access="private",
            spec={"mark": "bar"},
        ),
        str,
    )
    assert_type(api.create_custom_chart("team", "bars", "Bars", "vega2", "public", "{}"), str)


def check_reports(reports: Reports) -> None:
    for each in reports:
        assert_type(each, BetaReport)
    assert_type(reports[0], BetaReport)
    assert_type(reports[0:2], list[BetaReport])
    assert_type(len(reports), int)
    assert_type(reports.total, int | None)
    assert_type(reports.total_count(), int)
    assert_type(reports.is_empty(), bool)
    assert_type(reports.pages(), Iterator[Page[BetaReport]])
    assert_type(reports.per_page, int)
    assert_type(reports.connection_path, Sequence[str])
    assert_type(reports.project, ProjectPath)
    assert_type(reports.name, str | None)
    assert_type(reports.close(), None)


def check_report(report: BetaReport) -> None:
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
    assert_type(report.runs(report.sections[0], per_page=10, only_selected=False), Runs)
    assert_type(report.to_html(height=512, hidden=True), str)
    assert_type(report.delete(), None)


def check_report_user(user: ReportUser) -> None:
    assert_type(user.username, str | None)
    assert_type(user.name, str | None)
    assert_type(user.email, str | None)
    assert_type(user.photo_url, str | None)


def check_report_path(path: ReportPath) -> None:
    assert_type(path.entity, str)
    assert_type(path.project, str)
    assert_type(path.report_id, str)
    assert_type(path.title, str)
    assert_type(path.project_path, ProjectPath)


def misuse_reports(report: BetaReport, user: ReportUser, api: Api) -> None:
    print(report.url())  # type: ignore[operator]
    user.email = "someone@example.com"  # type: ignore[misc]
    api.create_custom_chart("team", "bars", "Bars", "vega2", "private", 3)  # type: ignore[arg-type]
