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


def _json_problem(value: object, where: str) -> str | None:
    """Where ``value`` stops being JSON (a path like ``filters['$or'][1]``), or None."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r}, not a JSON number"
    if isinstance(value, Mapping):
        for key, item in cast("Mapping[object, object]", value).items():
            if not isinstance(key, str):
                return f"{where} has a key {key!r} that is not a string"
            problem = _json_problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(cast("Sequence[object]", value)):
            problem = _json_problem(item, f"{where}[{index}]")
            if problem:
                return problem
        return None
    return f"{where} is a {type(value).__name__}, which JSON cannot carry"


def encode_filters(filters: Mapping[str, object] | None) -> str:
    """The ``filters`` JSONString for a Mongo-style filter document (``{}`` for None).

    Raises:
        InvalidArgumentError: ``filters`` is not a mapping, or a part of it is not JSON.

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
