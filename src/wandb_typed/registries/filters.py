"""Registry names, visibilities and search filters (no I/O; shared by both flavours).

A registry ``model`` is the project ``wandb-registry-model``; searches take Mongo-style
filters, and a ``name`` in a registry filter gets the prefix added (but not inside
``$regex``, which matches the full name), as ``wandb`` does.

Example:
    >>> registry_filter_json({"name": {"$in": ["model", "data"]}})
    '{"name": {"$in": ["wandb-registry-model", "wandb-registry-data"]}}'
    >>> registry_filter_json({"name": {"$regex": "mod"}})
    '{"name": {"$regex": "mod"}}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from wandb_typed.errors import InvalidArgumentError
from wandb_typed.paths import REGISTRY_PROJECT_PREFIX

__all__ = [
    "Visibility",
    "access_of",
    "filter_json",
    "full_name",
    "registry_filter_json",
    "short_name",
    "visibility_of",
]

Visibility = Literal["organization", "restricted"]

_ACCESS: dict[str, str] = {"organization": "PRIVATE", "restricted": "RESTRICTED"}
# Operators whose operand is not a name (left as they are).
_VERBATIM = {"$regex", "$options", "$exists"}


def full_name(name: str) -> str:
    """The project name of a registry (the prefix added once).

    >>> full_name("model"), full_name("wandb-registry-model")
    ('wandb-registry-model', 'wandb-registry-model')
    """
    return name if name.startswith(REGISTRY_PROJECT_PREFIX) else REGISTRY_PROJECT_PREFIX + name


def short_name(project: str) -> str:
    """A registry's name without the prefix.

    >>> short_name("wandb-registry-model")
    'model'
    """
    return project.removeprefix(REGISTRY_PROJECT_PREFIX)


def access_of(visibility: str) -> str:
    """The server's access level for a visibility (``organization`` -> ``PRIVATE``).

    >>> access_of("restricted")
    'RESTRICTED'
    """
    try:
        return _ACCESS[visibility]
    except KeyError:
        raise InvalidArgumentError(
            f"invalid visibility {visibility!r}: use 'organization' or 'restricted'"
        ) from None


def visibility_of(access: str | None) -> Visibility:
    """A registry's visibility from the server's access level (anything but ``RESTRICTED``
    is organization-wide).

    >>> visibility_of("PRIVATE"), visibility_of("RESTRICTED")
    ('organization', 'restricted')
    """
    return "restricted" if access == "RESTRICTED" else "organization"


def _prefixed(operand: object) -> object:
    if isinstance(operand, str):
        return full_name(operand)
    if isinstance(operand, Mapping):
        mapping = cast("Mapping[str, object]", operand)
        return {
            key: value if key in _VERBATIM else _prefixed(value) for key, value in mapping.items()
        }
    if isinstance(operand, list | tuple):
        return [_prefixed(value) for value in cast("Sequence[object]", operand)]
    return operand


def _prefix_names(document: Mapping[str, object]) -> dict[str, object]:
    return {
        key: _prefixed(value)
        if key == "name"
        else _prefix_clauses(value)
        if key in ("$and", "$or", "$nor")
        else value
        for key, value in document.items()
    }


def _prefix_clauses(clauses: object) -> object:
    """The operand of ``$and``/``$or``/``$nor``: documents (in a list), each prefixed."""
    if isinstance(clauses, list | tuple):
        return [_prefix_clauses(part) for part in cast("Sequence[object]", clauses)]
    if isinstance(clauses, Mapping):
        return _prefix_names(cast("Mapping[str, object]", clauses))
    return clauses


def filter_json(filters: Mapping[str, Any] | None) -> str | None:
    """A filter document as the JSON string the server takes (None for no filter)."""
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        raise InvalidArgumentError(f"filter must be a dict, got {type(filters).__name__}")
    return json.dumps(filters)


def registry_filter_json(filters: Mapping[str, Any] | None) -> str | None:
    """A registry filter as JSON, every ``name`` given the registry prefix (not regexes)."""
    if filters is None or filter_json(filters) is None:
        return None
    return filter_json(_prefix_names(filters))
