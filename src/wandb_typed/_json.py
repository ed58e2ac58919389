"""JSON values as W&B sends them, and decoding of its JSON-in-a-string fields.

W&B carries config, summary, system metrics and history rows as ``JSONString`` scalars: JSON
documents inside a GraphQL string. They may contain ``NaN``/``Infinity`` tokens (Python's
``json`` reads them) and, in old runs, raw control characters (read with ``strict=False``).

Every document is read by :func:`parse`: pydantic-core's parser (2-3x faster than the
stdlib's on configs, history rows and whole replies) and, for anything it refuses, the
stdlib's, so the values and errors are always the stdlib's.

Example:
    >>> decode_object('{"loss": NaN, "lr": {"value": 0.1}}', what="summary")["lr"]
    {'value': 0.1}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeAlias, cast

from .errors import InvalidResponseError

JSONScalar: TypeAlias = "None | bool | int | float | str"
JSONValue: TypeAlias = "JSONScalar | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = "dict[str, JSONValue]"

__all__ = [
    "JSONObject",
    "JSONScalar",
    "JSONValue",
    "as_array",
    "as_object",
    "decode",
    "decode_object",
    "parse",
    "parse_object",
    "parse_objects",
    "unwrap_config",
    "wrap_config",
]

# Keys of a W&B config that belong to the SDK, not to the user (kept apart as "raw config").
SDK_CONFIG_KEYS = frozenset({"_wandb", "wandb_version"})


@cache
def _fast_parser() -> Callable[..., Any]:
    # Imported on first use: ``import wandb_typed`` stays free of pydantic.
    from pydantic_core import from_json

    return from_json


def parse(text: str | bytes) -> Any:
    """One JSON document, read to the values ``json.loads(text, strict=False)`` gives (a NaN
    is a new float each time, where the stdlib hands out one shared NaN object).

    pydantic-core's parser reads it when it can; what it refuses (a lone surrogate, a raw
    control character, a byte-order mark, broken JSON) is read by the stdlib, which gives
    its own value or raises its own ``ValueError``. Both accept ``NaN``/``Infinity``.

    >>> parse('{"loss": NaN, "step": 1}'), parse(b"[1e400]")
    ({'loss': nan, 'step': 1}, [inf])
    """
    try:
        return _fast_parser()(text, allow_inf_nan=True)
    except ValueError:
        pass
    return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text, strict=False)


def decode(text: str, *, what: str) -> JSONValue:
    """Decode one JSON document from a W&B ``JSONString``; ``what`` names it in errors."""
    try:
        value: JSONValue = parse(text)
    except json.JSONDecodeError as exc:
        raise InvalidResponseError(f"the server sent {what} that is not JSON: {exc}") from exc
    return value


def decode_object(text: str | None, *, what: str | Callable[[], str]) -> JSONObject:
    """Decode a JSON object; ``None`` and ``""`` (W&B's "nothing yet") read as ``{}``.

    ``what`` names the document in errors; a callable is only called for an error (a run
    page decodes thousands of documents, and their names are rarely needed).
    """
    if not text:
        return {}
    value = parse_object(text)
    if value is not None:
        return value
    name = what if isinstance(what, str) else what()
    decoded = decode(text, what=name)
    if decoded is None:
        return {}
    if not isinstance(decoded, dict):
        raise InvalidResponseError(
            f"the server sent {name} as JSON {type(decoded).__name__}, expected an object"
        )
    return decoded


def as_object(value: object) -> JSONObject | None:
    """``value`` if it is a dict (a decoded JSON object), else None.

    Example:
        >>> as_object({"a": 1}), as_object([1])
        ({'a': 1}, None)
    """
    return cast("JSONObject", value) if isinstance(value, dict) else None


def as_array(value: object) -> list[JSONValue] | None:
    """``value`` if it is a list (a decoded JSON array), else None."""
    return cast("list[JSONValue]", value) if isinstance(value, list) else None


def parse_object(text: str) -> JSONObject | None:
    """A JSON object read by the fast parser, or None (not an object, or refused by it:
    the caller then reads ``text`` with :func:`decode` for the stdlib's value or error)."""
    try:
        value = _fast_parser()(text, allow_inf_nan=True)
    except ValueError:
        return None
    return as_object(value)


def parse_objects(texts: Sequence[str]) -> list[JSONObject] | None:
    """Every text read by the fast parser as a JSON object, or None if any is not one (or is
    refused by it: the caller then reads them one by one with :func:`decode_object`, for the
    stdlib's values and a named error). One loop for a page of history rows, about half the
    cost of :func:`parse_object` row by row.

    >>> parse_objects(['{"a": NaN}', '{"b": 1}']), parse_objects(['{"a": 1}', "[1]"])
    ([{'a': nan}, {'b': 1}], None)
    """
    parser = _fast_parser()
    try:
        values = [parser(text, allow_inf_nan=True) for text in texts]
    except ValueError:
        return None
    if not all(type(value) is dict for value in values):
        return None
    return cast("list[JSONObject]", values)


def unwrap_config(stored: Mapping[str, JSONValue]) -> tuple[JSONObject, JSONObject]:
    """Split W&B's stored config ``{"k": {"value": v, "desc": ...}}`` into (config, raw).

    ``config`` maps each user key to its value; ``raw`` keeps the SDK's own keys
    (``_wandb``, ``wandb_version``) in their stored form.
    """
    config: JSONObject = {}
    raw: JSONObject = {}
    for key, item in stored.items():
        if key in SDK_CONFIG_KEYS:
            raw[key] = item
        elif isinstance(item, dict) and "value" in item:
            config[key] = item["value"]
        else:
            config[key] = item
    return config, raw


def wrap_config(config: Mapping[str, JSONValue], raw: Mapping[str, JSONValue]) -> JSONObject:
    """The inverse of :func:`unwrap_config`: the shape W&B stores and ``upsertBucket`` takes."""
    stored: JSONObject = {key: {"value": value, "desc": None} for key, value in config.items()}
    stored.update(raw)
    return stored
