"""The runs domain: :class:`Run`, the lazy :class:`Runs` listing, run files and history (and
their async twins).

Example:
    >>> from wandb_typed.runs import AsyncRun, Run
"""

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
