"""The projects domain: :class:`Project` and :class:`Projects` (and their async twins).

Example:
    >>> from wandb_typed.projects import AsyncProject, Project
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.projects._async.methods import AsyncProjectsApi
    from wandb_typed.projects._async.project import AsyncProject, AsyncProjects
    from wandb_typed.projects._sync.methods import ProjectsApi
    from wandb_typed.projects._sync.project import Project, Projects

__all__ = [
    "AsyncProject",
    "AsyncProjects",
    "AsyncProjectsApi",
    "Project",
    "Projects",
    "ProjectsApi",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncProject": "wandb_typed.projects._async.project",
        "AsyncProjects": "wandb_typed.projects._async.project",
        "AsyncProjectsApi": "wandb_typed.projects._async.methods",
        "Project": "wandb_typed.projects._sync.project",
        "Projects": "wandb_typed.projects._sync.project",
        "ProjectsApi": "wandb_typed.projects._sync.methods",
    },
)
