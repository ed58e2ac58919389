"""The TensorBoard domain: ``sync_tensorboard`` (the :class:`TensorboardApi` methods of ``Api``
and their async twin) and the event-file reader behind it.

Example:
    >>> from wandb_typed.tensorboard import AsyncTensorboardApi, TensorboardApi
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.tensorboard._async.methods import AsyncTensorboardApi
    from wandb_typed.tensorboard._sync.methods import TensorboardApi
    from wandb_typed.tensorboard.events import EventFileError

__all__ = ["AsyncTensorboardApi", "EventFileError", "TensorboardApi"]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncTensorboardApi": "wandb_typed.tensorboard._async.methods",
        "EventFileError": "wandb_typed.tensorboard.events",
        "TensorboardApi": "wandb_typed.tensorboard._sync.methods",
    },
)
