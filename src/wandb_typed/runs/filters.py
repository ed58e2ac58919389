"""Mongo-style run filters, checked and encoded as the ``filters`` JSONString W&B takes.

Example:
    >>> encode_filters({"state": "finished"})
    '{"state":"finished"}'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import cast

from wandb_typed.errors import InvalidArgumentError

__all__ = ["encode_filters"]


MAX_FILTER_DEPTH = 100
"""How deeply a filter document may nest (mappings and lists); a deeper one is refused.

W&B's own filters nest a few levels (``$and`` of ``$or`` of comparisons); the bound keeps
checking and encoding free of recursion limits whatever the input."""


def _json_problem(value: object, where: str) -> str | None:
    """Where ``value`` stops being JSON (a path like ``filters['$or'][1]``), or None.

    Iterative (an explicit stack), so a document nested too deeply or containing itself is
    reported, never a ``RecursionError``.
    """
    # Each entry: (value, where it is, depth, ids of the containers enclosing it).
    stack: list[tuple[object, str, int, frozenset[int]]] = [(value, where, 0, frozenset())]
    while stack:
        item, path, depth, enclosing = stack.pop()
        if item is None or isinstance(item, str | bool | int):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{path} is {item!r}, not a JSON number"
            continue
        if not isinstance(item, Mapping | list | tuple):
            return f"{path} is a {type(item).__name__}, which JSON cannot carry"
        container = cast("Mapping[object, object] | Sequence[object]", item)
        if id(container) in enclosing:
            return f"{path} contains itself (a cycle), which JSON cannot carry"
        if depth >= MAX_FILTER_DEPTH:
            where_ = path if len(path) <= 80 else f"{path[:60]}...{path[-17:]}"
            return f"filters nests deeper than {MAX_FILTER_DEPTH} levels (at {where_})"
        inside = enclosing | {id(container)}
        children: list[tuple[object, str, int, frozenset[int]]] = []
        if isinstance(container, Mapping):
            for key, child in container.items():
                if not isinstance(key, str):
                    return f"{path} has a key {key!r} that is not a string"
                children.append((child, f"{path}[{key!r}]", depth + 1, inside))
        else:
            children.extend(
                (child, f"{path}[{index}]", depth + 1, inside)
                for index, child in enumerate(container)
            )
        stack.extend(reversed(children))
    return None


def encode_filters(filters: Mapping[str, object] | None) -> str:
    """The ``filters`` JSONString for a Mongo-style filter document (``{}`` for None).

    Raises:
        InvalidArgumentError: ``filters`` is not a mapping, a part of it is not JSON, it
            contains itself, or it nests deeper than :data:`MAX_FILTER_DEPTH`.

    >>> encode_filters({"config.lr": {"$in": [0.1, 0.01]}})
    '{"config.lr":{"$in":[0.1,0.01]}}'
    >>> encode_filters({"created_at": {"$gt": object()}})
    Traceback (most recent call last):
    wandb_typed.errors.InvalidArgumentError: filters['created_at']['$gt'] is a object, ...
    """
    if filters is None:
        return "{}"
    if not isinstance(filters, Mapping):
        raise InvalidArgumentError(
            f"filters must be a mapping (Mongo-style query), got {type(filters).__name__}"
        )
    problem = _json_problem(filters, "filters")
    if problem:
        raise InvalidArgumentError(problem)
    return json.dumps(filters, separators=(",", ":"))
