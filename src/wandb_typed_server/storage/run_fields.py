"""Run fields as SQL over ``runs AS r``: the plain columns filters and orders may name, the
values inside the JSON ``config`` and ``summary`` columns, and the SQL functions those read
with (shared by :mod:`~wandb_typed_server.storage.filters` and
:mod:`~wandb_typed_server.storage.run_order`).

JSON columns (``config``, ``summary``) are read with SQLite's JSON functions. SQLite
3.40 rejects the ``NaN``/``Infinity`` tokens Python's ``json`` writes (and W&B summaries
often hold a NaN loss), so a document SQLite cannot parse is re-encoded on the fly by the
``sqlite_json`` SQL function: ``NaN`` reads as null, ``Infinity`` as an infinite number,
and text that is no JSON at all as a document without keys. Valid documents never reach
Python.

>>> COLUMNS["createdAt"]
Column(sql='r.created_at', kind='time')
>>> json_ref("r.config", config_parts("lr"), "config.lr").value.startswith("json_extract(")
True
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from wandb_typed_server.storage.user_regex import UserPattern, compile_source

__all__ = [
    "COLUMNS",
    "CONFIG_PREFIX",
    "NUMBER",
    "RUN_INDEX_DDL",
    "SUMMARY_PREFIX",
    "TEXT",
    "TIME",
    "Column",
    "FilterError",
    "JsonRef",
    "SqlClause",
    "compiled_regex",
    "config_parts",
    "json_ref",
    "register_sql_functions",
    "resolve_json_field",
    "sql_literal",
]


class FilterError(ValueError):
    """A run filter, order or cursor the server cannot honour; the message names the culprit."""


@dataclass(frozen=True)
class SqlClause:
    """A SQL boolean expression over ``runs AS r`` and the parameters for its ``?`` marks."""

    sql: str
    params: tuple[object, ...]


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
    """Install the SQL functions compiled filters use (``X REGEXP pattern``, RE2: linear time).

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
    return compiled_regex(pattern).search(value) is not None


def compiled_regex(pattern: str) -> UserPattern:
    """An RE2 source (see :func:`~wandb_typed_server.storage.user_regex.user_regex_source`)
    compiled, cached."""
    return compile_source(pattern)


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


TEXT = "text"
NUMBER = "number"
TIME = "time"


@dataclass(frozen=True)
class Column:
    """A plain column of ``runs``: its SQL name and what kind of value it holds."""

    sql: str
    kind: str


COLUMNS: dict[str, Column] = {
    "name": Column("r.name", TEXT),
    "displayName": Column("r.display_name", TEXT),
    "display_name": Column("r.display_name", TEXT),
    "state": Column("r.state", TEXT),
    "group": Column("r.group_name", TEXT),
    "jobType": Column("r.job_type", TEXT),
    "job_type": Column("r.job_type", TEXT),
    "createdAt": Column("r.created_at", TIME),
    "created_at": Column("r.created_at", TIME),
    "heartbeatAt": Column("r.heartbeat_at", TIME),
    "heartbeat_at": Column("r.heartbeat_at", TIME),
    "host": Column("r.host", TEXT),
    "username": Column("r.username", TEXT),
    "sweep": Column("r.sweep_name", TEXT),
    "notes": Column("r.notes", TEXT),
    "duration": Column("r.duration", NUMBER),
}

CONFIG_PREFIX = "config."
SUMMARY_PREFIX = "summary_metrics."


@dataclass(frozen=True)
class JsonRef:
    """A value inside a JSON column: ``value`` as ``json_extract`` gives it, ``jtype`` as
    ``json_type`` gives it (NULL when the key is missing)."""

    value: str
    jtype: str


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_path(parts: Sequence[str]) -> str:
    return "$" + "".join(f'."{part}"' for part in parts)


def json_ref(column: str, parts: Sequence[str], field: str) -> JsonRef:
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
    current: JsonRef | None = None  # the value reached so far; None = the whole document
    pending: list[str] = []  # plain keys not yet applied
    for part in parts:
        if '"' not in part:
            pending.append(part)
            continue
        doc = root if current is None else _object_only(current)
        if pending:
            doc = _object_only(_path_ref(doc, pending))
            pending = []
        key = sql_literal(part)
        current = JsonRef(
            value=f"(SELECT j.value FROM json_each({doc}) AS j WHERE j.key = {key})",
            jtype=f"(SELECT j.type FROM json_each({doc}) AS j WHERE j.key = {key})",
        )
    if pending:
        return _path_ref(root if current is None else _object_only(current), pending)
    if current is None:
        raise FilterError(f"no key in field {field!r}")
    return current


def _path_ref(doc: str, parts: Sequence[str]) -> JsonRef:
    path = sql_literal(_json_path(parts))
    return JsonRef(value=f"json_extract({doc}, {path})", jtype=f"json_type({doc}, {path})")


def _object_only(ref: JsonRef) -> str:
    # json_each needs JSON text; a nested object comes back as JSON text, scalars do not.
    return f"(CASE WHEN {ref.jtype} = 'object' THEN {ref.value} END)"


def config_parts(rest: str) -> list[str]:
    parts = rest.split(".")
    # W&B stores config as {"k": {"value": v, "desc": ...}}; "config.k" and "config.k.value"
    # both mean the value.
    if len(parts) > 1 and parts[1] == "value":
        del parts[1]
    return [parts[0], "value", *parts[1:]]


def resolve_json_field(field: str) -> JsonRef | None:
    if field.startswith(CONFIG_PREFIX):
        return json_ref("r.config", config_parts(field[len(CONFIG_PREFIX) :]), field)
    if field.startswith(SUMMARY_PREFIX):
        return json_ref("r.summary", field[len(SUMMARY_PREFIX) :].split("."), field)
    return None
