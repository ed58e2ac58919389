"""W&B's Mongo-style run ``filters``, compiled to SQLite SQL over ``runs AS r``.

Nothing is filtered in Python: :func:`compile_filters` turns a filter document into a
``WHERE`` fragment whose values all travel as parameters. Field names resolve through
:mod:`~wandb_typed_server.storage.run_fields` (plain columns, JSON ``config``/``summary``
values); sorting and keyset pagination are in :mod:`~wandb_typed_server.storage.run_order`.

>>> clause = compile_filters({"state": "finished", "config.lr": {"$gt": 0.01}})
>>> clause.params
('finished', 0.01)
>>> sql = f"SELECT r.pk FROM runs r WHERE ({clause.sql}) ORDER BY r.pk LIMIT 50"
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TypeGuard

from wandb_typed_server.storage.run_fields import (
    COLUMNS,
    NUMBER,
    TIME,
    Column,
    FilterError,
    JsonRef,
    SqlClause,
    resolve_json_field,
    sql_literal,
)
from wandb_typed_server.storage.user_regex import UserRegexError, user_regex_source

__all__ = [
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_VALUES",
    "FilterError",
    "SqlClause",
    "compile_filters",
    "decode_filters",
]


# --------------------------------------------------------------------------- values

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _normalise_time(field: str, value: object) -> str:
    """An ISO 8601 timestamp in the stored form ``YYYY-MM-DDTHH:MM:SS.ffffff`` (UTC)."""
    if not isinstance(value, str):
        raise FilterError(f"field {field!r} needs an ISO 8601 timestamp string, got {value!r}")
    match = _ISO_RE.match(value.strip())
    if match is None:
        raise FilterError(f"field {field!r} needs an ISO 8601 timestamp, got {value!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micros,
            tzinfo=timezone.utc,
        )
    except ValueError as error:
        raise FilterError(f"field {field!r}: invalid timestamp {value!r} ({error})") from None
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment -= sign * offset
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def _number_param(value: int | float) -> int | float:
    # SQLite holds 64-bit integers; beyond, a float; beyond a float, infinity (it compares
    # the same way with every stored number).
    if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------- compiler

_COMPARISONS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_FIELD_OPERATORS = {
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$regex",
    "$options",
    "$all",
}
_LOGICAL = {"$and", "$or", "$nor"}

_TRUE = SqlClause("1", ())
_FALSE = SqlClause("0", ())


def compile_filters(filters: Mapping[str, object] | None) -> SqlClause:
    """Compile a W&B run filter document to a SQL condition over ``runs AS r``.

    Args:
        filters: Mongo-style filters as ``wandb.Api().runs(filters=...)`` takes them.
    Returns:
        The condition and its parameters; ``("1", ())`` for no filters.
    Raises:
        FilterError: an unsupported operator, an unknown field or a value of the wrong kind.

    >>> compile_filters({"state": {"$in": ["finished", "crashed"]}})
    SqlClause(sql='(r.state IN (?, ?))', params=('finished', 'crashed'))
    """
    if filters is None:
        return _TRUE
    if not isinstance(filters, Mapping):
        raise FilterError(f"filters must be an object, got {filters!r}")
    _check_nesting(filters)
    clause = _compile_document(filters)
    if len(clause.params) > MAX_FILTER_VALUES:
        raise FilterError(f"filters use {len(clause.params)} values, more than {MAX_FILTER_VALUES}")
    return clause


MAX_FILTER_DEPTH = 100
"""Deepest nesting of objects in a filter document, as the client checks it (SQLite's
expression trees are at most 1,000 deep)."""
MAX_FILTER_VALUES = 30_000
"""Most values one filter may bind (SQLite 3.40 binds at most 32,766 per statement)."""


def decode_filters(text: str | None) -> object:
    """A ``filters`` argument (JSON text) decoded, None for none; FilterError naming it.

    >>> decode_filters('{"state": "finished"}')
    {'state': 'finished'}
    """
    if not text:
        return None
    try:
        return json.loads(text)
    except RecursionError:
        raise FilterError(f"filters nest deeper than {MAX_FILTER_DEPTH} levels") from None
    except ValueError as error:
        raise FilterError(f"filters are not JSON ({error})") from None


def _check_nesting(document: object) -> None:
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            if depth >= MAX_FILTER_DEPTH:
                raise FilterError(f"filters nest deeper than {MAX_FILTER_DEPTH} levels")
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth) for child in item)


def _compile_document(document: Mapping[str, object]) -> SqlClause:
    parts: list[SqlClause] = []
    for key, value in document.items():
        if not isinstance(key, str):
            raise FilterError(f"filter keys must be strings, got {key!r}")
        if key.startswith("$"):
            parts.append(_compile_logical(key, value))
        else:
            parts.append(_compile_field(key, value))
    return _join(parts, "AND", empty=_TRUE)


def _compile_logical(operator: str, value: object) -> SqlClause:
    if operator not in _LOGICAL:
        raise FilterError(f"unsupported filter operator {operator!r}")
    if not isinstance(value, list):
        raise FilterError(f"operator {operator!r} needs a list of filter objects, got {value!r}")
    documents: list[SqlClause] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise FilterError(f"operator {operator!r} needs filter objects, got {item!r}")
        documents.append(_compile_document(item))
    if operator == "$and":
        return _join(documents, "AND", empty=_TRUE)
    any_matches = _join(documents, "OR", empty=_FALSE)
    if operator == "$or":
        return any_matches
    return SqlClause(f"(NOT COALESCE({any_matches.sql}, 0))", any_matches.params)


_JOIN_FAN_OUT = 64


def _join(parts: Sequence[SqlClause], glue: str, *, empty: SqlClause) -> SqlClause:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    if len(parts) > _JOIN_FAN_OUT:
        # A balanced tree: SQLite parses ``a OR b OR ...`` as a chain as deep as it is long
        # (at most 1,000: "Expression tree is too large"); halves keep it logarithmic.
        middle = len(parts) // 2
        halves = [
            _join(parts[:middle], glue, empty=empty),
            _join(parts[middle:], glue, empty=empty),
        ]
        return _join(halves, glue, empty=empty)
    params = tuple(param for part in parts for param in part.params)
    return SqlClause("(" + f" {glue} ".join(part.sql for part in parts) + ")", params)


def _operator_items(field: str, value: object) -> list[tuple[str, object]]:
    """``{"$gt": 1, "$lt": 3}`` as pairs; a plain value is ``$eq``."""
    if isinstance(value, Mapping) and any(str(k).startswith("$") for k in value):
        items: list[tuple[str, object]] = []
        for operator, operand in value.items():
            if not isinstance(operator, str) or not operator.startswith("$"):
                raise FilterError(
                    f"field {field!r}: cannot mix operators and plain keys in {dict(value)!r}"
                )
            if operator not in _FIELD_OPERATORS:
                raise FilterError(f"unsupported filter operator {operator!r} on field {field!r}")
            items.append((operator, operand))
        if "$options" in value and "$regex" not in value:
            raise FilterError(f"field {field!r}: '$options' needs '$regex'")
        return items
    return [("$eq", value)]


def _compile_field(field: str, value: object) -> SqlClause:
    options = value.get("$options") if isinstance(value, Mapping) else None
    parts = [
        _field_condition(field, operator, operand, options)
        for operator, operand in _operator_items(field, value)
        if operator != "$options"
    ]
    return _join(parts, "AND", empty=_TRUE)


def _field_condition(field: str, operator: str, operand: object, options: object) -> SqlClause:
    if field == "tags":
        return _tags_condition(operator, operand, options)
    column = COLUMNS.get(field)
    if column is not None:
        return _column_condition(field, column, operator, operand, options)
    ref = resolve_json_field(field)
    if ref is None:
        raise FilterError(f"unknown filter field {field!r}")
    return _json_condition(field, ref, operator, operand, options)


def _regex_param(field: str, pattern: object, options: object) -> str:
    if not isinstance(pattern, str):
        raise FilterError(f"field {field!r}: '$regex' needs a string, got {pattern!r}")
    if options is not None and not isinstance(options, str):
        raise FilterError(f"field {field!r}: unsupported '$options' {options!r}")
    try:
        return user_regex_source(pattern, options or "")
    except UserRegexError as error:
        raise FilterError(f"field {field!r}: invalid '$regex' {pattern!r} ({error})") from None


def _operand_list(field: str, operator: str, operand: object) -> list[object]:
    if not isinstance(operand, list):
        raise FilterError(f"field {field!r}: {operator!r} needs a list, got {operand!r}")
    return list(operand)


def _exists_flag(field: str, operand: object) -> bool:
    if not isinstance(operand, bool):
        raise FilterError(f"field {field!r}: '$exists' needs true or false, got {operand!r}")
    return operand


# ---- plain columns


def _column_param(field: str, column: Column, operator: str, value: object) -> object:
    if column.kind == TIME:
        return _normalise_time(field, value)
    if column.kind == NUMBER:
        if not _is_number(value):
            raise FilterError(f"field {field!r}: {operator!r} needs a number, got {value!r}")
        return _number_param(value)
    if not isinstance(value, str):
        raise FilterError(f"field {field!r}: {operator!r} needs a string, got {value!r}")
    return value


def _column_condition(
    field: str, column: Column, operator: str, operand: object, options: object
) -> SqlClause:
    col = column.sql
    if operator == "$eq":
        if operand is None:
            return SqlClause(f"({col} IS NULL)", ())
        return SqlClause(f"({col} = ?)", (_column_param(field, column, operator, operand),))
    if operator == "$ne":
        if operand is None:
            return SqlClause(f"({col} IS NOT NULL)", ())
        return SqlClause(f"({col} IS NOT ?)", (_column_param(field, column, operator, operand),))
    if operator in _COMPARISONS:
        param = _column_param(field, column, operator, operand)
        return SqlClause(f"({col} {_COMPARISONS[operator]} ?)", (param,))
    if operator in ("$in", "$nin"):
        values = _operand_list(field, operator, operand)
        has_null = any(v is None for v in values)
        params = tuple(_column_param(field, column, operator, v) for v in values if v is not None)
        marks = ", ".join("?" for _ in params)
        member = f"{col} IN ({marks})" if params else "0"
        if has_null:
            member = f"({member} OR {col} IS NULL)"
        if operator == "$in":
            return SqlClause(f"({member})", params)
        return SqlClause(f"(NOT COALESCE({member}, 0))", params)
    if operator == "$exists":
        test = "IS NOT NULL" if _exists_flag(field, operand) else "IS NULL"
        return SqlClause(f"({col} {test})", ())
    if operator == "$regex":
        return SqlClause(f"({col} REGEXP ?)", (_regex_param(field, operand, options),))
    raise FilterError(f"unsupported filter operator {operator!r} on field {field!r}")


# ---- tags (a JSON array of strings)

_TAG_EXISTS = "EXISTS (SELECT 1 FROM json_each(r.tags) AS t WHERE t.value {test})"


def _tag_param(operator: str, value: object) -> str:
    if not isinstance(value, str):
        raise FilterError(f"field 'tags': {operator!r} needs tag strings, got {value!r}")
    return value


def _tags_condition(operator: str, operand: object, options: object) -> SqlClause:
    if operator in ("$eq", "$ne") and operand is None:
        # {"tags": null}: the run has no tags (the official QueryGenerator sends it).
        test = "=" if operator == "$eq" else ">"
        return SqlClause(f"(COALESCE(json_array_length(r.tags), 0) {test} 0)", ())
    if operator in ("$eq", "$ne"):
        has = SqlClause(_TAG_EXISTS.format(test="= ?"), (_tag_param(operator, operand),))
        return has if operator == "$eq" else SqlClause(f"(NOT {has.sql})", has.params)
    if operator in ("$in", "$nin", "$all"):
        tags = tuple(_tag_param(operator, v) for v in _operand_list("tags", operator, operand))
        if operator == "$all":
            parts = [SqlClause(_TAG_EXISTS.format(test="= ?"), (tag,)) for tag in tags]
            return _join(parts, "AND", empty=_TRUE)
        marks = ", ".join("?" for _ in tags)
        has_any = _TAG_EXISTS.format(test=f"IN ({marks})") if tags else "0"
        sql = has_any if operator == "$in" else f"(NOT {has_any})"
        return SqlClause(sql, tags)
    if operator == "$exists":
        test = ">" if _exists_flag("tags", operand) else "="
        return SqlClause(f"(COALESCE(json_array_length(r.tags), 0) {test} 0)", ())
    if operator == "$regex":
        pattern = _regex_param("tags", operand, options)
        return SqlClause(_TAG_EXISTS.format(test="REGEXP ?"), (pattern,))
    raise FilterError(f"filter operator {operator!r} is not supported on field 'tags'")


# ---- values inside config / summary JSON

_NUMERIC_TYPES = "('integer', 'real')"


def _json_equals(field: str, ref: JsonRef, value: object) -> SqlClause:
    """True when the JSON value equals ``value`` (typed); NULL or 0 otherwise."""
    if value is None:
        return SqlClause(f"({ref.jtype} IS NULL OR {ref.jtype} = 'null')", ())
    if isinstance(value, bool):
        return SqlClause(f"({ref.jtype} = {sql_literal('true' if value else 'false')})", ())
    if _is_number(value):
        if isinstance(value, float) and math.isnan(value):
            return _FALSE
        return SqlClause(
            f"({ref.jtype} IN {_NUMERIC_TYPES} AND {ref.value} = ?)",
            (_number_param(value),),
        )
    if isinstance(value, str):
        return SqlClause(f"({ref.jtype} = 'text' AND {ref.value} = ?)", (value,))
    if isinstance(value, (list, dict)):
        # Objects and arrays compare as minified JSON text (key order matters).
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        return SqlClause(f"({ref.jtype} IN ('object', 'array') AND {ref.value} = ?)", (text,))
    raise FilterError(f"field {field!r}: cannot compare with {value!r}")


def _json_compare(field: str, ref: JsonRef, operator: str, value: object) -> SqlClause:
    sign = _COMPARISONS[operator]
    if isinstance(value, bool):
        types = "('true', 'false')"
        return SqlClause(f"({ref.jtype} IN {types} AND {ref.value} {sign} ?)", (int(value),))
    if _is_number(value):
        param = _number_param(value)
        return SqlClause(f"({ref.jtype} IN {_NUMERIC_TYPES} AND {ref.value} {sign} ?)", (param,))
    if isinstance(value, str):
        return SqlClause(f"({ref.jtype} = 'text' AND {ref.value} {sign} ?)", (value,))
    raise FilterError(
        f"field {field!r}: {operator!r} needs a number, string or boolean, got {value!r}"
    )


def _json_condition(
    field: str, ref: JsonRef, operator: str, operand: object, options: object
) -> SqlClause:
    if operator == "$eq":
        return _json_equals(field, ref, operand)
    if operator == "$ne":
        equal = _json_equals(field, ref, operand)
        return SqlClause(f"(NOT COALESCE({equal.sql}, 0))", equal.params)
    if operator in _COMPARISONS:
        return _json_compare(field, ref, operator, operand)
    if operator in ("$in", "$nin"):
        values = _operand_list(field, operator, operand)
        member = _join([_json_equals(field, ref, v) for v in values], "OR", empty=_FALSE)
        if operator == "$in":
            return member
        return SqlClause(f"(NOT COALESCE({member.sql}, 0))", member.params)
    if operator == "$exists":
        test = "IS NOT NULL" if _exists_flag(field, operand) else "IS NULL"
        return SqlClause(f"({ref.jtype} {test})", ())
    if operator == "$regex":
        pattern = _regex_param(field, operand, options)
        return SqlClause(f"({ref.jtype} = 'text' AND {ref.value} REGEXP ?)", (pattern,))
    raise FilterError(f"filter operator {operator!r} is not supported on field {field!r}")
