"""W&B's Mongo-style run ``filters`` and ``order``, compiled to SQLite SQL over ``runs AS r``.

Nothing is filtered in Python: :func:`compile_filters` turns a filter document into a
``WHERE`` fragment whose values all travel as parameters, :func:`compile_order` turns an
``order`` string into a sort expression, and the cursor helpers implement keyset
pagination on ``(sort value, r.pk)`` so that a page costs the same wherever the cursor is
and rows inserted between pages are neither skipped nor repeated.

>>> clause = compile_filters({"state": "finished", "config.lr": {"$gt": 0.01}})
>>> order = compile_order("-summary_metrics.loss")
>>> sql = (
...     f"SELECT r.pk, {order.expr} FROM runs r WHERE ({clause.sql})"
...     f" ORDER BY {order.order_by} LIMIT 50"
... )

JSON columns (``config``, ``summary``) are read with SQLite's JSON functions. SQLite
3.40 rejects the ``NaN``/``Infinity`` tokens Python's ``json`` writes (and W&B summaries
often hold a NaN loss), so a document SQLite cannot parse is re-encoded on the fly by the
``sqlite_json`` SQL function: ``NaN`` reads as null, ``Infinity`` as an infinite number,
and text that is no JSON at all as a document without keys. Valid documents never reach
Python.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TypeGuard

__all__ = [
    "RUN_INDEX_DDL",
    "FilterError",
    "OrderSpec",
    "SqlClause",
    "compile_filters",
    "compile_order",
    "decode_cursor",
    "encode_cursor",
    "keyset_after",
    "register_sql_functions",
]


class FilterError(ValueError):
    """A run filter, order or cursor the server cannot honour; the message names the culprit."""


@dataclass(frozen=True)
class SqlClause:
    """A SQL boolean expression over ``runs AS r`` and the parameters for its ``?`` marks."""

    sql: str
    params: tuple[object, ...]


@dataclass(frozen=True)
class OrderSpec:
    """How to sort runs: ``expr`` over ``runs AS r``, ties broken by ``r.pk``.

    ``key`` is the canonical name of the order (``"created_at"``, ``"config.lr.value"``, ...);
    cursors carry it so that a cursor from one order is refused by another. ``nullable`` is
    False only for columns the server declares NOT NULL (``created_at``, ``heartbeat_at``,
    ``name``, ``state``, ``duration``): their descending pages then seek in the index instead
    of also looking for NULLs.
    """

    key: str
    expr: str
    descending: bool
    nullable: bool = True

    @property
    def order_by(self) -> str:
        """The ``ORDER BY`` list matching :func:`keyset_after`, e.g. ``r.name DESC, r.pk DESC``."""
        direction = "DESC" if self.descending else "ASC"
        return f"{self.expr} {direction}, r.pk {direction}"


# Indices for the filters and orders the public API uses most; the server runs these at start.
RUN_INDEX_DDL: list[str] = [
    "CREATE INDEX IF NOT EXISTS runs_project_created ON runs (project_pk, created_at, pk)",
    "CREATE INDEX IF NOT EXISTS runs_project_heartbeat ON runs (project_pk, heartbeat_at, pk)",
    "CREATE INDEX IF NOT EXISTS runs_project_state ON runs (project_pk, state)",
    "CREATE INDEX IF NOT EXISTS runs_project_display_name ON runs (project_pk, display_name, pk)",
    "CREATE INDEX IF NOT EXISTS runs_project_sweep ON runs (project_pk, sweep_name)",
    "CREATE INDEX IF NOT EXISTS runs_project_group ON runs (project_pk, group_name)",
    "CREATE INDEX IF NOT EXISTS runs_project_job_type ON runs (project_pk, job_type)",
]


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Install the SQL functions compiled filters use (``X REGEXP pattern``, Python ``re``).

    >>> conn = sqlite3.connect(":memory:")
    >>> register_sql_functions(conn)
    >>> conn.execute("SELECT 'eager-fox-1' REGEXP 'fox'").fetchone()[0]
    1
    """
    conn.create_function("regexp", 2, _regexp, deterministic=True)
    conn.create_function("sqlite_json", 1, _sqlite_json, deterministic=True)


def _regexp(pattern: object, value: object) -> bool:
    # SQLite calls regexp(pattern, value) for ``value REGEXP pattern``. As in MongoDB, only
    # strings can match: a number never matches a pattern.
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    return _compiled(pattern).search(value) is not None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=64)
def _sqlite_json(text: object) -> str | None:
    """JSON text SQLite accepts for a document Python's ``json`` reads (NaN, Infinity), or None.

    >>> _sqlite_json('{"loss": NaN, "best": -Infinity, "n": [1.5, "NaN"]}')
    '{"loss":null,"best":-1e999,"n":[1.5,"NaN"]}'
    """
    if not isinstance(text, str):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return "".join(_sqlite_json_tokens(document))


def _sqlite_json_tokens(value: object) -> Iterator[str]:
    if isinstance(value, float) and not math.isfinite(value):
        yield "null" if math.isnan(value) else ("1e999" if value > 0 else "-1e999")
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + json.dumps(key) + ":"
            yield from _sqlite_json_tokens(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _sqlite_json_tokens(item)
        yield "]"
    else:
        yield json.dumps(value)


# --------------------------------------------------------------------------- fields

_TEXT = "text"
_NUMBER = "number"
_TIME = "time"


@dataclass(frozen=True)
class _Column:
    """A plain column of ``runs``: its SQL name and what kind of value it holds."""

    sql: str
    kind: str


_COLUMNS: dict[str, _Column] = {
    "name": _Column("r.name", _TEXT),
    "displayName": _Column("r.display_name", _TEXT),
    "display_name": _Column("r.display_name", _TEXT),
    "state": _Column("r.state", _TEXT),
    "group": _Column("r.group_name", _TEXT),
    "jobType": _Column("r.job_type", _TEXT),
    "job_type": _Column("r.job_type", _TEXT),
    "createdAt": _Column("r.created_at", _TIME),
    "created_at": _Column("r.created_at", _TIME),
    "heartbeatAt": _Column("r.heartbeat_at", _TIME),
    "heartbeat_at": _Column("r.heartbeat_at", _TIME),
    "host": _Column("r.host", _TEXT),
    "username": _Column("r.username", _TEXT),
    "sweep": _Column("r.sweep_name", _TEXT),
    "notes": _Column("r.notes", _TEXT),
    "duration": _Column("r.duration", _NUMBER),
}

_CONFIG_PREFIX = "config."
_SUMMARY_PREFIX = "summary_metrics."


@dataclass(frozen=True)
class _JsonRef:
    """A value inside a JSON column: ``value`` as ``json_extract`` gives it, ``jtype`` as
    ``json_type`` gives it (NULL when the key is missing)."""

    value: str
    jtype: str


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_path(parts: Sequence[str]) -> str:
    return "$" + "".join(f'."{part}"' for part in parts)


def _json_ref(column: str, parts: Sequence[str], field: str) -> _JsonRef:
    """The SQL reading ``parts`` (object keys, outermost first) out of a JSON ``column``.

    Keys go into the SQL text as quoted JSON-path labels inside an escaped SQL string
    literal. SQLite's paths cannot spell a key holding a double quote, so such keys are
    looked up with ``json_each`` instead.
    """
    for part in parts:
        if part == "":
            raise FilterError(f"empty key in field {field!r}")
        if "\x00" in part:
            raise FilterError(f"NUL character in field {field!r}")
    root = f"(CASE WHEN json_valid({column}) THEN {column} ELSE sqlite_json({column}) END)"
    current: _JsonRef | None = None  # the value reached so far; None = the whole document
    pending: list[str] = []  # plain keys not yet applied
    for part in parts:
        if '"' not in part:
            pending.append(part)
            continue
        doc = root if current is None else _object_only(current)
        if pending:
            doc = _object_only(_path_ref(doc, pending))
            pending = []
        key = _sql_literal(part)
        current = _JsonRef(
            value=f"(SELECT j.value FROM json_each({doc}) AS j WHERE j.key = {key})",
            jtype=f"(SELECT j.type FROM json_each({doc}) AS j WHERE j.key = {key})",
        )
    if pending:
        return _path_ref(root if current is None else _object_only(current), pending)
    if current is None:
        raise FilterError(f"no key in field {field!r}")
    return current


def _path_ref(doc: str, parts: Sequence[str]) -> _JsonRef:
    path = _sql_literal(_json_path(parts))
    return _JsonRef(value=f"json_extract({doc}, {path})", jtype=f"json_type({doc}, {path})")


def _object_only(ref: _JsonRef) -> str:
    # json_each needs JSON text; a nested object comes back as JSON text, scalars do not.
    return f"(CASE WHEN {ref.jtype} = 'object' THEN {ref.value} END)"


def _config_parts(rest: str) -> list[str]:
    parts = rest.split(".")
    # W&B stores config as {"k": {"value": v, "desc": ...}}; "config.k" and "config.k.value"
    # both mean the value.
    if len(parts) > 1 and parts[1] == "value":
        del parts[1]
    return [parts[0], "value", *parts[1:]]


def _resolve_json_field(field: str) -> _JsonRef | None:
    if field.startswith(_CONFIG_PREFIX):
        return _json_ref("r.config", _config_parts(field[len(_CONFIG_PREFIX) :]), field)
    if field.startswith(_SUMMARY_PREFIX):
        return _json_ref("r.summary", field[len(_SUMMARY_PREFIX) :].split("."), field)
    return None


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
    if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
        return float(value)
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
    return _compile_document(filters)


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


def _join(parts: Sequence[SqlClause], glue: str, *, empty: SqlClause) -> SqlClause:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
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
    column = _COLUMNS.get(field)
    if column is not None:
        return _column_condition(field, column, operator, operand, options)
    ref = _resolve_json_field(field)
    if ref is None:
        raise FilterError(f"unknown filter field {field!r}")
    return _json_condition(field, ref, operator, operand, options)


def _regex_param(field: str, pattern: object, options: object) -> str:
    if not isinstance(pattern, str):
        raise FilterError(f"field {field!r}: '$regex' needs a string, got {pattern!r}")
    flags = ""
    if options is not None:
        if not isinstance(options, str) or set(options) - set("imsx"):
            raise FilterError(f"field {field!r}: unsupported '$options' {options!r}")
        flags = "".join(sorted(set(options)))
    full = f"(?{flags}){pattern}" if flags else pattern
    try:
        _compiled(full)
    except re.error as error:
        raise FilterError(f"field {field!r}: invalid '$regex' {pattern!r} ({error})") from None
    return full


def _operand_list(field: str, operator: str, operand: object) -> list[object]:
    if not isinstance(operand, list):
        raise FilterError(f"field {field!r}: {operator!r} needs a list, got {operand!r}")
    return list(operand)


def _exists_flag(field: str, operand: object) -> bool:
    if not isinstance(operand, bool):
        raise FilterError(f"field {field!r}: '$exists' needs true or false, got {operand!r}")
    return operand


# ---- plain columns


def _column_param(field: str, column: _Column, operator: str, value: object) -> object:
    if column.kind == _TIME:
        return _normalise_time(field, value)
    if column.kind == _NUMBER:
        if not _is_number(value):
            raise FilterError(f"field {field!r}: {operator!r} needs a number, got {value!r}")
        return _number_param(value)
    if not isinstance(value, str):
        raise FilterError(f"field {field!r}: {operator!r} needs a string, got {value!r}")
    return value


def _column_condition(
    field: str, column: _Column, operator: str, operand: object, options: object
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


def _json_equals(field: str, ref: _JsonRef, value: object) -> SqlClause:
    """True when the JSON value equals ``value`` (typed); NULL or 0 otherwise."""
    if value is None:
        return SqlClause(f"({ref.jtype} IS NULL OR {ref.jtype} = 'null')", ())
    if isinstance(value, bool):
        return SqlClause(f"({ref.jtype} = {_sql_literal('true' if value else 'false')})", ())
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


def _json_compare(field: str, ref: _JsonRef, operator: str, value: object) -> SqlClause:
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
    field: str, ref: _JsonRef, operator: str, operand: object, options: object
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


# --------------------------------------------------------------------------- order

# Columns the server's runs table declares NOT NULL; every other order column may hold NULLs.
_NOT_NULL_COLUMNS = frozenset({"r.name", "r.state", "r.created_at", "r.heartbeat_at", "r.duration"})

DEFAULT_ORDER = "+created_at"


def compile_order(order: str | None) -> OrderSpec:
    """Compile W&B's ``order`` string (``+created_at``, ``-summary_metrics.loss``, ...).

    ``+`` or no prefix sorts ascending, ``-`` descending. Keys: any plain run field the
    filters know (``created_at``/``createdAt``, ``heartbeat_at``, ``name``, ``display_name``,
    ``state``, ``group``, ``sweep``, ``duration``, ...), ``config.<k>`` with or without
    ``.value``, and ``summary_metrics.<k>``. Ties (and NULLs, first ascending, last descending) fall back to ``r.pk``.

    Raises:
        FilterError: an order key the server cannot sort by.

    >>> compile_order("-heartbeat_at")
    OrderSpec(key='heartbeat_at', expr='r.heartbeat_at', descending=True, nullable=False)
    """
    text = (order or "").strip() or DEFAULT_ORDER
    descending = text.startswith("-")
    name = text[1:] if text[0] in "+-" else text
    column = _COLUMNS.get(name)
    if column is not None:
        return OrderSpec(
            key=column.sql.removeprefix("r."),
            expr=column.sql,
            descending=descending,
            nullable=column.sql not in _NOT_NULL_COLUMNS,
        )
    if name.startswith(_CONFIG_PREFIX):
        parts = _config_parts(name[len(_CONFIG_PREFIX) :])
        ref = _json_ref("r.config", parts, name)
        return OrderSpec(key="config." + ".".join(parts), expr=ref.value, descending=descending)
    if name.startswith(_SUMMARY_PREFIX):
        parts = name[len(_SUMMARY_PREFIX) :].split(".")
        ref = _json_ref("r.summary", parts, name)
        return OrderSpec(
            key="summary_metrics." + ".".join(parts), expr=ref.value, descending=descending
        )
    raise FilterError(f"unsupported order key {name!r}")


def keyset_after(order: OrderSpec, cursor: str) -> SqlClause:
    """The rows that come strictly after ``cursor`` in ``order.order_by``.

    NULL sort values come first ascending and last descending, as SQLite sorts them. The
    row-value comparison lets SQLite seek straight to the cursor in an index on
    ``(project_pk, column, pk)``, so a late page costs what the first one does.

    Raises:
        FilterError: a malformed cursor, or one made for another order.

    >>> order = compile_order("+name")
    >>> keyset_after(order, encode_cursor(order, "b", 7))
    SqlClause(sql='((r.name, r.pk) > (?, ?))', params=('b', 7))
    """
    value, pk = decode_cursor(order, cursor)
    expr = order.expr
    if value is None:
        if order.descending:
            return SqlClause(f"({expr} IS NULL AND r.pk < ?)", (pk,))
        return SqlClause(f"(({expr} IS NULL AND r.pk > ?) OR {expr} IS NOT NULL)", (pk,))
    sign = "<" if order.descending else ">"
    after = f"({expr}, r.pk) {sign} (?, ?)"
    if order.descending and order.nullable:
        # NULLs come last descending: they are all still ahead of a non-NULL cursor.
        return SqlClause(f"({after} OR {expr} IS NULL)", (value, pk))
    return SqlClause(f"({after})", (value, pk))


def encode_cursor(order: OrderSpec, value: object, pk: int) -> str:
    """An opaque, URL-safe cursor for the row with sort ``value`` and primary key ``pk``.

    >>> order = compile_order(None)
    >>> decode_cursor(order, encode_cursor(order, "2026-01-01T00:00:00.000000", 3))
    ('2026-01-01T00:00:00.000000', 3)
    """
    if isinstance(value, bytes):
        raise FilterError(f"cannot put a binary sort value in a cursor for order {order.key!r}")
    payload = json.dumps([order.key, order.descending, value, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(order: OrderSpec, cursor: str) -> tuple[object, int]:
    """The ``(sort value, pk)`` inside a cursor made by :func:`encode_cursor` for ``order``.

    Raises:
        FilterError: the cursor is malformed or was made for another order.

    >>> cursor = encode_cursor(compile_order("+name"), "b", 7)
    >>> decode_cursor(compile_order("+name"), cursor)
    ('b', 7)
    >>> decode_cursor(compile_order("-name"), cursor)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FilterError: cursor '...' belongs to order +name, not to the requested order
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        raise FilterError(f"malformed cursor {cursor!r}") from None
    if (
        not isinstance(payload, list)
        or len(payload) != 4
        or not isinstance(payload[1], bool)
        or not isinstance(payload[3], int)
        or isinstance(payload[3], bool)
        or isinstance(payload[2], (list, dict, bool))
    ):
        raise FilterError(f"malformed cursor {cursor!r}")
    key, descending, value, pk = payload
    if key != order.key or descending != order.descending:
        sign = "-" if descending else "+"
        raise FilterError(
            f"cursor {cursor!r} belongs to order {sign}{key}, not to the requested order"
        )
    return value, pk
