"""The reports domain: :class:`BetaReport` (a report's spec, the runs of a section, URL,
HTML), the :class:`Reports` listing, ``Api.reports`` and ``Api.create_custom_chart`` (and
their async twins).

Example:
    >>> from wandb_typed.reports import AsyncBetaReport, BetaReport, Reports
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.reports._async.methods import AsyncReportsApi
    from wandb_typed.reports._async.report import AsyncBetaReport, AsyncReports
    from wandb_typed.reports._async.report import fetch_report as async_fetch_report
    from wandb_typed.reports._sync.methods import ReportsApi
    from wandb_typed.reports._sync.report import BetaReport, Reports, fetch_report
    from wandb_typed.reports.report_data import ReportUser

__all__ = [
    "AsyncBetaReport",
    "AsyncReports",
    "AsyncReportsApi",
    "BetaReport",
    "ReportUser",
    "Reports",
    "ReportsApi",
    "async_fetch_report",
    "fetch_report",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncBetaReport": "wandb_typed.reports._async.report",
        "AsyncReports": "wandb_typed.reports._async.report",
        "AsyncReportsApi": "wandb_typed.reports._async.methods",
        "BetaReport": "wandb_typed.reports._sync.report",
        "ReportUser": "wandb_typed.reports.report_data",
        "Reports": "wandb_typed.reports._sync.report",
        "ReportsApi": "wandb_typed.reports._sync.methods",
        "async_fetch_report": "wandb_typed.reports._async.report",
        "fetch_report": "wandb_typed.reports._sync.report",
    },
    renamed={
        "async_fetch_report": "fetch_report",
    },
)
