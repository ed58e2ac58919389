"""Mongo-style filter documents matched against plain Python documents.

Registry searches (registries, their collections and versions across an organization) are
few enough per organization to be filtered in Python after one SQL read. A field whose
value is a list (tags, aliases) matches when any element does, as in Mongo; dotted names
reach into nested values (``metadata.accuracy``); ``*_at`` fields compare as timestamps.

>>> matches({"name": "a", "tag": ["x", "y"]}, {"tag": "y", "name": {"$regex": "^a"}})
True
>>> matches({"n": 1}, {"$or": [{"n": {"$gt": 2}}, {"n": {"$in": [0, 5]}}]})
False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TypeVar

from wandb_typed_server.storage.user_regex import UserPattern, UserRegexError, compile_user_regex

__all__ = ["MatchError", "matches", "ordered"]

R = TypeVar("R")


class MatchError(ValueError):
    """A filter uses an operator this server does not know, or a value of the wrong kind."""


_MISSING = object()


def matches(document: Mapping[str, object], filters: Mapping[str, object] | None) -> bool:
    """Whether ``document`` satisfies the Mongo-style ``filters`` (None matches everything)."""
    if filters is None:
        return True
    if not isinstance(filters, Mapping):
        raise MatchError(f"filters must be an object, got {filters!r}")
    return all(_clause(document, key, value) for key, value in filters.items())


def _clause(document: Mapping[str, object], key: str, value: object) -> bool:
    if key in ("$and", "$or", "$nor"):
        if not isinstance(value, list):
            raise MatchError(f"{key} needs a list of filters, got {value!r}")
        results = [matches(document, part) for part in value]
        if key == "$and":
            return all(results)
        return any(results) if key == "$or" else not any(results)
    if key.startswith("$"):
        raise MatchError(f"unsupported filter operator {key!r}")
    return _field(_lookup(document, key), value, key)


def _lookup(document: Mapping[str, object], key: str) -> object:
    if key in document:
        return document[key]
    current: object = document
    for part in key.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _field(actual: object, condition: object, key: str) -> bool:
    if isinstance(condition, Mapping) and any(str(k).startswith("$") for k in condition):
        options = str(condition.get("$options", ""))
        return all(
            _operator(actual, op, operand, key, options)
            for op, operand in condition.items()
            if op != "$options"
        )
    return _any(actual, lambda value: _equal(value, condition, key))


def _any(actual: object, test: Callable[[object], bool]) -> bool:
    if actual is _MISSING:
        return False
    if isinstance(actual, list):
        return any(test(value) for value in actual) or test(actual)
    return test(actual)


def _operator(actual: object, op: str, operand: object, key: str, options: str) -> bool:
    if op == "$eq":
        return _any(actual, lambda value: _equal(value, operand, key))
    if op == "$ne":
        return not _any(actual, lambda value: _equal(value, operand, key))
    if op in ("$in", "$nin"):
        if not isinstance(operand, list):
            raise MatchError(f"{op} on {key!r} needs a list, got {operand!r}")
        found = _any(actual, lambda value: any(_equal(value, item, key) for item in operand))
        return found if op == "$in" else not found
    if op in _ORDER:
        return _any(actual, lambda value: _compare(value, op, operand, key))
    if op == "$regex":
        pattern = _regex(operand, options, key)
        return _any(actual, lambda value: isinstance(value, str) and bool(pattern.search(value)))
    if op == "$exists":
        return (actual is not _MISSING and actual is not None) == bool(operand)
    if op == "$not":
        return not _field(actual, operand, key)
    if op == "$all":
        if not isinstance(operand, list):
            raise MatchError(f"$all on {key!r} needs a list, got {operand!r}")
        values = actual if isinstance(actual, list) else [actual]
        return all(any(_equal(value, item, key) for value in values) for item in operand)
    raise MatchError(f"unsupported filter operator {op!r} on {key!r}")


_ORDER: dict[str, Callable[[object, object], bool]] = {
    "$gt": lambda a, b: a > b,  # type: ignore[operator]
    "$gte": lambda a, b: a >= b,  # type: ignore[operator]
    "$lt": lambda a, b: a < b,  # type: ignore[operator]
    "$lte": lambda a, b: a <= b,  # type: ignore[operator]
}


def _regex(operand: object, options: str, key: str) -> UserPattern:
    if not isinstance(operand, str):
        raise MatchError(f"$regex on {key!r} needs a string, got {operand!r}")
    try:
        return compile_user_regex(operand, options)
    except UserRegexError as exc:
        raise MatchError(f"invalid $regex {operand!r} on {key!r}: {exc}") from None


def _is_time_field(key: str) -> bool:
    return key.endswith("_at") or key.endswith("At")


def _timestamp(value: object, key: str) -> datetime:
    if not isinstance(value, str):
        raise MatchError(f"{key!r} needs an ISO 8601 timestamp, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MatchError(f"{key!r} needs an ISO 8601 timestamp, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _comparable(value: object, other: object, key: str) -> tuple[object, object] | None:
    if _is_time_field(key):
        return _timestamp(value, key), _timestamp(other, key)
    numbers = (int, float)
    if isinstance(value, numbers) and isinstance(other, numbers):
        if isinstance(value, bool) != isinstance(other, bool):
            return None
        return value, other
    if isinstance(value, str) and isinstance(other, str):
        return value, other
    return None


def _equal(value: object, other: object, key: str) -> bool:
    if value is None or other is None:
        return value is other
    pair = _comparable(value, other, key)
    if pair is None:
        return value == other
    return pair[0] == pair[1]


def _compare(value: object, op: str, operand: object, key: str) -> bool:
    if value is None or operand is None:
        return False
    pair = _comparable(value, operand, key)
    return pair is not None and _ORDER[op](*pair)


def ordered(
    rows: Sequence[R], order: str | None, fields: Callable[[R], Mapping[str, object]]
) -> list[R]:
    """Rows sorted by ``order`` (``name``, ``+name``, ``-created_at``, ``createdAt``...) over
    the documents ``fields`` makes of them; None keeps them as they are. Rows without the
    field go first (last when descending); ties keep their order.

    >>> ordered([{"n": "b"}, {"n": "a"}], "-n", dict)
    [{'n': 'b'}, {'n': 'a'}]
    """
    if not order:
        return list(rows)
    descending = order.startswith("-")
    field = re.sub(r"(?<!^)(?=[A-Z])", "_", order.lstrip("+-")).lower()

    def key(row: R) -> tuple[bool, str]:
        value = fields(row).get(field)
        return (value is not None, "" if value is None else str(value))

    return sorted(rows, key=key, reverse=descending)
