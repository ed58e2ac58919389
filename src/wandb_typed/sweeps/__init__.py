"""The sweeps domain: :class:`Sweep` (config, runs, best run, state changes), the
:class:`Sweeps` listing of a project, and ``Api.sweep`` (and their async twins).

Example:
    >>> from wandb_typed.sweeps import AsyncSweep, AsyncSweeps, Sweep, Sweeps
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.sweeps._async.methods import AsyncSweepsApi
    from wandb_typed.sweeps._async.sweep import AsyncSweep, AsyncSweeps
    from wandb_typed.sweeps._async.sweep import fetch_sweep as async_fetch_sweep
    from wandb_typed.sweeps._sync.methods import SweepsApi
    from wandb_typed.sweeps._sync.sweep import Sweep, Sweeps, fetch_sweep

__all__ = [
    "AsyncSweep",
    "AsyncSweeps",
    "AsyncSweepsApi",
    "Sweep",
    "Sweeps",
    "SweepsApi",
    "async_fetch_sweep",
    "fetch_sweep",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncSweep": "wandb_typed.sweeps._async.sweep",
        "AsyncSweeps": "wandb_typed.sweeps._async.sweep",
        "AsyncSweepsApi": "wandb_typed.sweeps._async.methods",
        "Sweep": "wandb_typed.sweeps._sync.sweep",
        "Sweeps": "wandb_typed.sweeps._sync.sweep",
        "SweepsApi": "wandb_typed.sweeps._sync.methods",
        "async_fetch_sweep": "wandb_typed.sweeps._async.sweep",
        "fetch_sweep": "wandb_typed.sweeps._sync.sweep",
    },
    renamed={
        "async_fetch_sweep": "fetch_sweep",
    },
)
