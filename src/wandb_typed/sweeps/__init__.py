"""The sweeps domain: :class:`Sweep` (a listing's fields) and the :class:`Sweeps` listing
(and its async twin :class:`AsyncSweeps`).

Example:
    >>> from wandb_typed.sweeps import AsyncSweeps, Sweep, Sweeps
"""

from wandb_typed.sweeps._async.sweep import AsyncSweeps
from wandb_typed.sweeps._sync.sweep import Sweeps
from wandb_typed.sweeps.sweep_data import Sweep

__all__ = ["AsyncSweeps", "Sweep", "Sweeps"]
