"""What an automation reacts to and where: event, scope and action types, and scopes.

Example:
    >>> from wandb_typed.automations import ProjectScope
    >>> ProjectScope("UHJvamVjdDox", "my-project").scope_type
    <ScopeType.PROJECT: 'PROJECT'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from wandb_typed.errors import InvalidArgumentError

__all__ = [
    "RUN_EVENT_TYPES",
    "ActionType",
    "ArtifactCollectionScope",
    "EventType",
    "HasIdAndName",
    "ProjectScope",
    "Scope",
    "ScopeType",
    "as_scope",
]


class EventType(str, Enum):
    """What an automation reacts to (values as on the wire)."""

    RUN_METRIC_THRESHOLD = "RUN_METRIC"
    RUN_METRIC_CHANGE = "RUN_METRIC_CHANGE"
    RUN_METRIC_ZSCORE = "RUN_METRIC_ZSCORE"
    RUN_STATE = "RUN_STATE"
    CREATE_ARTIFACT = "CREATE_ARTIFACT"
    LINK_ARTIFACT = "LINK_MODEL"
    UNLINK_ARTIFACT = "UNLINK_ARTIFACT"
    ADD_ARTIFACT_ALIAS = "ADD_ARTIFACT_ALIAS"
    ADD_ARTIFACT_TAG = "ADD_ARTIFACT_TAG"
    REMOVE_ARTIFACT_TAG = "REMOVE_ARTIFACT_TAG"
    ADD_COLLECTION_TAG = "ADD_COLLECTION_TAG"
    REMOVE_COLLECTION_TAG = "REMOVE_COLLECTION_TAG"


RUN_EVENT_TYPES = frozenset(
    {
        EventType.RUN_METRIC_THRESHOLD,
        EventType.RUN_METRIC_CHANGE,
        EventType.RUN_METRIC_ZSCORE,
        EventType.RUN_STATE,
    }
)


class ScopeType(str, Enum):
    """Where an automation watches."""

    PROJECT = "PROJECT"
    ARTIFACT_COLLECTION = "ARTIFACT_COLLECTION"


class ActionType(str, Enum):
    """What an automation does."""

    GENERIC_WEBHOOK = "GENERIC_WEBHOOK"
    NOTIFICATION = "NOTIFICATION"
    NO_OP = "NO_OP"


@dataclass(frozen=True)
class ProjectScope:
    """A project (or a registry, which is a project) as an automation's scope."""

    id: str
    name: str
    scope_type: ScopeType = ScopeType.PROJECT


@dataclass(frozen=True)
class ArtifactCollectionScope:
    """An artifact collection (a sequence, or a portfolio such as a registry collection)."""

    id: str
    name: str
    scope_type: ScopeType = ScopeType.ARTIFACT_COLLECTION


Scope = ProjectScope | ArtifactCollectionScope


class HasIdAndName(Protocol):
    """What can be a scope: a ``Project``, ``Registry`` or ``ArtifactCollection``."""

    @property
    def id(self) -> str:
        """Its GraphQL id."""
        ...

    @property
    def name(self) -> str:
        """Its name."""
        ...


def as_scope(obj: Scope | HasIdAndName) -> Scope:
    """A scope from a scope, a ``Project``/``Registry`` or an ``ArtifactCollection``.

    >>> as_scope(ProjectScope("UHJvamVjdDox", "p")).scope_type
    <ScopeType.PROJECT: 'PROJECT'>
    """
    if isinstance(obj, ProjectScope | ArtifactCollectionScope):
        return obj
    ident, name = getattr(obj, "id", None), getattr(obj, "name", None)
    if not isinstance(ident, str) or not isinstance(name, str):
        raise InvalidArgumentError(
            f"an automation scope must be a project, registry or artifact collection, got {obj!r}"
        )
    if "Collection" in type(obj).__name__:
        return ArtifactCollectionScope(ident, name)
    return ProjectScope(ident, name)
