"""The runs domain: :class:`Run`, the lazy :class:`Runs` listing, run files and history (and
their async twins).

Example:
    >>> from wandb_typed.runs import AsyncRun, Run
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.runs._async.files import AsyncFile, AsyncFiles
    from wandb_typed.runs._async.listing import AsyncRuns
    from wandb_typed.runs._async.methods import AsyncRunsApi
    from wandb_typed.runs._async.run import AsyncRun
    from wandb_typed.runs._async.run import fetch_run as async_fetch_run
    from wandb_typed.runs._async.summary import AsyncRunSummary
    from wandb_typed.runs._sync.files import File, Files
    from wandb_typed.runs._sync.listing import Runs
    from wandb_typed.runs._sync.methods import RunsApi
    from wandb_typed.runs._sync.run import Run, fetch_run
    from wandb_typed.runs._sync.summary import RunSummary
    from wandb_typed.runs.facts import RunUser
    from wandb_typed.runs.run_data import RunConfig

__all__ = [
    "AsyncFile",
    "AsyncFiles",
    "AsyncRun",
    "AsyncRunSummary",
    "AsyncRuns",
    "AsyncRunsApi",
    "File",
    "Files",
    "Run",
    "RunConfig",
    "RunSummary",
    "RunUser",
    "Runs",
    "RunsApi",
    "async_fetch_run",
    "fetch_run",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncFile": "wandb_typed.runs._async.files",
        "AsyncFiles": "wandb_typed.runs._async.files",
        "AsyncRun": "wandb_typed.runs._async.run",
        "AsyncRunSummary": "wandb_typed.runs._async.summary",
        "AsyncRuns": "wandb_typed.runs._async.listing",
        "AsyncRunsApi": "wandb_typed.runs._async.methods",
        "File": "wandb_typed.runs._sync.files",
        "Files": "wandb_typed.runs._sync.files",
        "Run": "wandb_typed.runs._sync.run",
        "RunConfig": "wandb_typed.runs.run_data",
        "RunSummary": "wandb_typed.runs._sync.summary",
        "RunUser": "wandb_typed.runs.facts",
        "Runs": "wandb_typed.runs._sync.listing",
        "RunsApi": "wandb_typed.runs._sync.methods",
        "async_fetch_run": "wandb_typed.runs._async.run",
        "fetch_run": "wandb_typed.runs._sync.run",
    },
    renamed={
        "async_fetch_run": "fetch_run",
    },
)
