"""The projects domain: :class:`Project` and :class:`Projects` (and their async twins).

Example:
    >>> from wandb_typed.projects import AsyncProject, Project
"""

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
