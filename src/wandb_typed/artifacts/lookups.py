"""Reading a project's artifact type out of a reply, with the error that names what is
missing; what an organization is and whether a path names its entity (no I/O; shared by
every artifact lookup and listing).

Example:
    >>> from types import SimpleNamespace as NS
    >>> artifact_type_of(NS(artifact_type="dataset"), ProjectPath("e", "p"), "dataset")
    'dataset'
    >>> artifact_type_of(None, ProjectPath("e", "p"), "dataset")
    Traceback (most recent call last):
    wandb_typed.errors.NotFoundError: project e/p not found
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from wandb_typed.errors import NotFoundError
from wandb_typed.paths import ProjectPath

__all__ = [
    "Organization",
    "artifact_type_of",
    "collection_not_found",
    "names_entity",
    "project_not_found",
]

T_co = TypeVar("T_co", covariant=True)


class ProjectWithType(Protocol[T_co]):
    """A reply's ``project`` that selected ``artifactType(name)``."""

    @property
    def artifact_type(self) -> T_co | None: ...


def artifact_type_of(
    project_reply: ProjectWithType[T_co] | None, project: ProjectPath, type_name: str
) -> T_co:
    """The ``artifactType`` of a reply's project, or :class:`NotFoundError` naming the
    missing project or type."""
    if project_reply is None:
        raise NotFoundError(f"project {project} not found", kind="project", path=str(project))
    found = project_reply.artifact_type
    if found is None:
        raise NotFoundError(
            f"project {project} has no artifact type {type_name!r}",
            kind="artifact type",
            path=f"{project}/{type_name}",
        )
    return found


def collection_not_found(project: ProjectPath, name: str, type_name: str) -> NotFoundError:
    """The error for a collection ``name`` of type ``type_name`` that ``project`` lacks."""
    return NotFoundError(
        f"project {project} has no {type_name!r} collection {name!r}",
        kind="artifact collection",
        path=f"{project}/{name}",
    )


def project_not_found(project: ProjectPath) -> NotFoundError:
    """The error for a project the server does not know."""
    return NotFoundError(f"project {project} not found", kind="project", path=str(project))


def names_entity(text: str) -> bool:
    """Whether an artifact path names its entity (``entity/project/name[:version]``).

    >>> names_entity("acme/wandb-registry-model/resnet:v1"), names_entity("wandb-registry-model/r")
    (True, False)
    """
    return text.partition(":")[0].count("/") >= 2


@dataclass(frozen=True)
class Organization:
    """An organization's name and the name of its own entity (which owns the registries)."""

    name: str
    entity: str
