"""The sweeps domain: :class:`Sweep` (a listing's fields) and the :class:`Sweeps` listing
(and its async twin :class:`AsyncSweeps`).

Example:
    >>> from wandb_typed.sweeps import AsyncSweeps, Sweep, Sweeps
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.sweeps._async.sweep import AsyncSweeps
    from wandb_typed.sweeps._sync.sweep import Sweeps
    from wandb_typed.sweeps.sweep_data import Sweep

__all__ = ["AsyncSweeps", "Sweep", "Sweeps"]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncSweeps": "wandb_typed.sweeps._async.sweep",
        "Sweep": "wandb_typed.sweeps.sweep_data",
        "Sweeps": "wandb_typed.sweeps._sync.sweep",
    },
)
