"""The launch domain: run queues (:class:`RunQueue`), their items (:class:`QueuedRun`), jobs
(:class:`Job`), the :class:`LaunchApi` methods of ``Api``, and their async twins.

Example:
    >>> from wandb_typed.launch import AsyncRunQueue, Job, QueuedRun, RunQueue
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.launch._async.job import AsyncJob
    from wandb_typed.launch._async.methods import AsyncLaunchApi
    from wandb_typed.launch._async.queue import AsyncQueuedRun, AsyncRunQueue
    from wandb_typed.launch._sync.job import Job
    from wandb_typed.launch._sync.methods import LaunchApi
    from wandb_typed.launch._sync.queue import QueuedRun, RunQueue
    from wandb_typed.launch.facts import QueuedRunFailedError, QueuedRunTimeoutError

__all__ = [
    "AsyncJob",
    "AsyncLaunchApi",
    "AsyncQueuedRun",
    "AsyncRunQueue",
    "Job",
    "LaunchApi",
    "QueuedRun",
    "QueuedRunFailedError",
    "QueuedRunTimeoutError",
    "RunQueue",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncJob": "wandb_typed.launch._async.job",
        "AsyncLaunchApi": "wandb_typed.launch._async.methods",
        "AsyncQueuedRun": "wandb_typed.launch._async.queue",
        "AsyncRunQueue": "wandb_typed.launch._async.queue",
        "Job": "wandb_typed.launch._sync.job",
        "LaunchApi": "wandb_typed.launch._sync.methods",
        "QueuedRun": "wandb_typed.launch._sync.queue",
        "QueuedRunFailedError": "wandb_typed.launch.facts",
        "QueuedRunTimeoutError": "wandb_typed.launch.facts",
        "RunQueue": "wandb_typed.launch._sync.queue",
    },
)
