"""W&B's custom scalars: JSONString, JSON, Int64, DateTime, Duration."""

from __future__ import annotations

import json
import math

from ariadne import ScalarType, SchemaBindable
from pydantic_core import from_json

from wandb_typed_server.storage.clock import to_wire_datetime

json_string = ScalarType("JSONString")
json_value = ScalarType("JSON")
int64 = ScalarType("Int64")
date_time = ScalarType("DateTime")
duration = ScalarType("Duration")


@json_string.serializer
def serialize_json_string(value: object) -> str:
    """Strings pass through (they already hold JSON); other values are encoded."""
    return value if isinstance(value, str) else json.dumps(value)


MAX_JSON_STRING_DEPTH = 500
"""Deepest nesting a JSONString input may have (resolvers decode it on a deeper stack)."""


def _too_deep() -> str:
    return f"JSON nested deeper than {MAX_JSON_STRING_DEPTH} levels"


def _deeper_than(value: object, limit: int) -> bool:
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


@json_string.value_parser
def parse_json_string(value: object) -> str:
    """Inputs stay strings (resolvers decode them where they need the content), checked here
    to be JSON that nests at most 500 levels: the refusal then names the argument (as
    graphql-core reports scalar errors), not a ``RecursionError`` deep in a resolver.

    >>> parse_json_string('{"lr": 0.1, "loss": NaN}')
    '{"lr": 0.1, "loss": NaN}'
    >>> parse_json_string("{")
    Traceback (most recent call last):
    ...
    ValueError: not JSON (EOF while parsing an object at line 1 column 1)
    """
    if not isinstance(value, str):
        return json.dumps(value)
    if value:
        try:
            from_json(value)
        except ValueError as fast_error:
            # what pydantic-core refuses and the stdlib reads: a lone surrogate, or JSON
            # nested beyond pydantic-core's 200 levels (up to MAX_JSON_STRING_DEPTH)
            try:
                decoded = json.loads(value)
            except RecursionError:
                raise ValueError(_too_deep()) from None
            except ValueError:
                raise ValueError(f"not JSON ({fast_error})") from None
            if _deeper_than(decoded, MAX_JSON_STRING_DEPTH):
                raise ValueError(_too_deep()) from None
    return value


_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def _finite_json(value: object) -> object:
    """``value`` with NaN and infinities as the strings W&B sends ("NaN", "Infinity")."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_json(item) for item in value]
    return value


@json_value.serializer
def serialize_json(value: object) -> object:
    """JSON values (sampledHistory rows, historyKeys) go out as strict JSON.

    A bare ``NaN`` token is not JSON: wandb 0.31.0's Go core rejects the whole reply
    ("invalid character 'N'"). W&B sends non-finite numbers in JSON values as the strings
    "NaN"/"Infinity"/"-Infinity" (its sweeps controller filters 'NaN' strings out of
    sampled history: wandb/sweeps#32). JSONString fields keep the tokens inside the string.
    """
    return _finite_json(value)


def _to_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not an integer: {value!r}")
    try:
        return int(value)
    except OverflowError:
        raise ValueError(f"not an integer: {value!r}") from None


@int64.serializer
def serialize_int64(value: object) -> int:
    """64-bit integers travel as JSON numbers."""
    return _to_int(value)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@int64.value_parser
def parse_int64(value: object) -> int:
    """Accept numbers and numeric strings within 64 bits (what SQLite stores).

    >>> parse_int64(2**70)
    Traceback (most recent call last):
    ...
    ValueError: Int64 cannot represent 1180591620717411303424 (beyond 64 bits)
    """
    number = _to_int(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise ValueError(f"Int64 cannot represent {number} (beyond 64 bits)")
    return number


@date_time.serializer
def serialize_date_time(value: object) -> str | None:
    """Stored timestamps go out as W&B sends them (whole seconds, no offset)."""
    return to_wire_datetime(str(value))


@duration.serializer
def serialize_duration(value: object) -> int:
    """Durations are whole seconds."""
    return _to_int(value)


BINDABLES: list[SchemaBindable] = [json_string, json_value, int64, date_time, duration]
