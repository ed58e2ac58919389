"""Run filters, orders and keyset cursors compiled to SQL, run against a real SQLite table."""

from __future__ import annotations

import json
import math
import operator
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wandb_typed_server.storage.filters import compile_filters
from wandb_typed_server.storage.run_fields import (
    RUN_INDEX_DDL,
    FilterError,
    SqlClause,
    register_sql_functions,
)
from wandb_typed_server.storage.run_order import (
    OrderSpec,
    compile_order,
    decode_cursor,
    encode_cursor,
    keyset_after,
)

RUNS_DDL = """CREATE TABLE runs (
    pk INTEGER PRIMARY KEY,
    project_pk INTEGER NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT,
    state TEXT NOT NULL,
    group_name TEXT,
    job_type TEXT,
    created_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    host TEXT,
    username TEXT,
    sweep_name TEXT,
    notes TEXT,
    tags TEXT,
    config TEXT,
    summary TEXT,
    duration REAL NOT NULL DEFAULT 0
)"""

_COLUMNS = (
    "project_pk",
    "name",
    "display_name",
    "state",
    "group_name",
    "job_type",
    "created_at",
    "heartbeat_at",
    "host",
    "username",
    "sweep_name",
    "notes",
    "tags",
    "config",
    "summary",
    "duration",
)


def new_connection() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    register_sql_functions(conn)
    conn.execute(RUNS_DDL)
    for ddl in RUN_INDEX_DDL:
        conn.execute(ddl)
    return conn


def insert_run(conn: sqlite3.Connection, **fields: object) -> int:
    values = {
        "project_pk": 1,
        "state": "running",
        "created_at": "2026-01-01T00:00:00.000000",
        "heartbeat_at": "2026-01-01T00:00:00.000000",
        "tags": "[]",
        "config": "{}",
        "summary": "{}",
        **fields,
    }
    for column in ("tags", "config", "summary"):
        if not isinstance(values[column], str):
            values[column] = json.dumps(values[column])
    unknown = set(values) - set(_COLUMNS)
    assert not unknown, unknown
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    pk = conn.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", tuple(values.values()))
    assert pk.lastrowid is not None
    return pk.lastrowid


def wandb_config(**values: object) -> dict[str, object]:
    """Config in W&B's stored shape."""
    return {key: {"value": value, "desc": None} for key, value in values.items()}


@pytest.fixture(scope="module")
def conn() -> Iterator[sqlite3.Connection]:
    connection = new_connection()
    insert_run(
        connection,
        name="a",
        display_name="eager-fox-1",
        state="finished",
        group_name="g1",
        job_type="train",
        created_at="2026-01-01T00:00:00.000000",
        heartbeat_at="2026-01-01T01:00:00.000000",
        host="h1",
        username="alice",
        sweep_name="sw1",
        notes="first run",
        duration=10.5,
        tags=["baseline", "gpu"],
        config={
            **wandb_config(
                lr=0.1,
                opt={"name": "adam", "betas": [0.9, 0.99]},
                batch=32,
                flag=True,
                label="10",
                maybe=None,
            ),
            **{"my key": {"value": "spaced"}, "it's": {"value": 1}},
            **{'q"k': {"value": 5}, "dash-key": {"value": 7}, "wrap": {"value": {'in"ner': 3}}},
        },
        summary={"loss": 0.5, "acc": 0.9, "nested": {"x": 1, "y": {"z": "deep"}}, "none": None},
    )
    insert_run(
        connection,
        name="b",
        display_name="calm-owl-2",
        state="crashed",
        group_name="g2",
        job_type="eval",
        created_at="2026-01-02T12:30:00.250000",
        heartbeat_at="2026-01-02T13:00:00.000000",
        host="h2",
        username="bob",
        sweep_name="sw1",
        notes="second",
        duration=100.0,
        tags=["gpu"],
        config=wandb_config(lr=0.01, opt={"name": "sgd"}, batch=64, flag=False, label=10),
        summary={"loss": 0.2, "acc": 0.95, "nested": {"x": 2}},
    )
    insert_run(
        connection,
        name="c",
        display_name="eager-cat-3",
        state="running",
        created_at="2026-01-03T00:00:00.000000",
        heartbeat_at="2026-01-03T00:00:05.000000",
        username="alice",
        duration=1.0,
        tags=[],
        config={},
        # Python's json writes NaN/Infinity tokens, which SQLite 3.40's JSON cannot parse.
        summary='{"loss": NaN, "acc": 0.1, "best": Infinity}',
    )
    insert_run(
        connection,
        name="d",
        display_name="odd-bee-4",
        state="finished",
        group_name="g1",
        created_at="2026-01-04T00:00:00.000000",
        heartbeat_at="2026-01-04T00:00:00.000000",
        username="carol",
        duration=50,
        tags=["cpu", "baseline"],
        config=wandb_config(lr="0.1", batch=32.0),
        summary={"loss": "high", "acc": None, "nested": {"x": "1"}},
    )
    yield connection
    connection.close()


def matching(conn: sqlite3.Connection, filters: Mapping[str, object] | None) -> set[str]:
    clause = compile_filters(filters)
    rows = conn.execute(f"SELECT r.name FROM runs r WHERE {clause.sql}", clause.params)
    return {row[0] for row in rows}


ALL = {"a", "b", "c", "d"}

TOP_LEVEL_CASES: list[tuple[dict[str, object], set[str]]] = [
    ({"state": "finished"}, {"a", "d"}),
    ({"state": {"$eq": "crashed"}}, {"b"}),
    ({"state": {"$ne": "finished"}}, {"b", "c"}),
    ({"state": {"$in": ["running", "crashed"]}}, {"b", "c"}),
    ({"state": {"$nin": ["running", "crashed"]}}, {"a", "d"}),
    ({"name": "c"}, {"c"}),
    ({"displayName": {"$regex": "eager"}}, {"a", "c"}),
    ({"display_name": {"$regex": "^eager.*1$"}}, {"a"}),
    ({"display_name": {"$regex": "EAGER", "$options": "i"}}, {"a", "c"}),
    ({"group": "g1"}, {"a", "d"}),
    ({"group": None}, {"c"}),
    ({"group": {"$ne": "g1"}}, {"b", "c"}),
    ({"group": {"$exists": False}}, {"c"}),
    ({"group": {"$exists": True}}, {"a", "b", "d"}),
    ({"group": {"$in": ["g2", None]}}, {"b", "c"}),
    ({"group": {"$nin": ["g2"]}}, {"a", "c", "d"}),
    ({"group": {"$nin": ["g2", None]}}, {"a", "d"}),
    ({"group": {"$gt": "g1"}}, {"b"}),
    ({"jobType": "train"}, {"a"}),
    ({"host": {"$regex": "h"}}, {"a", "b"}),
    ({"username": "alice"}, {"a", "c"}),
    ({"sweep": "sw1"}, {"a", "b"}),
    ({"notes": {"$regex": "run"}}, {"a"}),
    ({"duration": {"$gt": 10.5}}, {"b", "d"}),
    ({"duration": {"$gte": 10.5}}, {"a", "b", "d"}),
    ({"duration": {"$lt": 50}}, {"a", "c"}),
    ({"duration": {"$lte": 50, "$gt": 1}}, {"a", "d"}),
    ({"duration": 100}, {"b"}),
    ({"createdAt": {"$gt": "2026-01-02T12:30:00Z"}}, {"b", "c", "d"}),
    ({"createdAt": {"$gt": "2026-01-02T12:30:00.250Z"}}, {"c", "d"}),
    ({"createdAt": {"$gte": "2026-01-02T12:30:00.25+00:00"}}, {"b", "c", "d"}),
    # 13:30 at +01:00 is 12:30 UTC.
    ({"createdAt": {"$lt": "2026-01-02T13:30:00.250001+01:00"}}, {"a", "b"}),
    ({"createdAt": {"$lt": "2026-01-02"}}, {"a"}),
    ({"created_at": {"$lte": "2026-01-03 00:00:00"}}, {"a", "b", "c"}),
    ({"createdAt": "2026-01-01T00:00:00"}, {"a"}),
    ({"heartbeatAt": {"$gte": "2026-01-03T00:00:05"}}, {"c", "d"}),
]

JSON_CASES: list[tuple[dict[str, object], set[str]]] = [
    ({"config.lr": 0.1}, {"a"}),
    ({"config.lr.value": 0.01}, {"b"}),
    ({"config.lr": "0.1"}, {"d"}),
    ({"config.lr": {"$gt": 0.05}}, {"a"}),
    ({"config.lr": {"$gte": 0.01}}, {"a", "b"}),
    ({"config.lr": {"$lt": 0.05}}, {"b"}),
    ({"config.lr": {"$lte": 0.1}}, {"a", "b"}),
    ({"config.lr": {"$gt": "0"}}, {"d"}),
    ({"config.lr": {"$ne": 0.1}}, {"b", "c", "d"}),
    ({"config.lr": {"$exists": True}}, {"a", "b", "d"}),
    ({"config.lr": {"$exists": False}}, {"c"}),
    ({"config.lr": {"$in": [0.01, "0.1"]}}, {"b", "d"}),
    ({"config.lr": {"$nin": [0.01, "0.1"]}}, {"a", "c"}),
    ({"config.lr": {"$in": []}}, set()),
    ({"config.lr": {"$nin": []}}, ALL),
    ({"config.batch": 32}, {"a", "d"}),
    ({"config.batch": 32.0}, {"a", "d"}),
    ({"config.label": "10"}, {"a"}),
    ({"config.label": 10}, {"b"}),
    ({"config.label": {"$regex": "1"}}, {"a"}),
    ({"config.flag": True}, {"a"}),
    ({"config.flag": False}, {"b"}),
    ({"config.flag": {"$ne": True}}, {"b", "c", "d"}),
    ({"config.flag": {"$gt": False}}, {"a"}),
    ({"config.maybe": None}, ALL),
    ({"config.maybe": {"$exists": True}}, {"a"}),
    ({"config.maybe": {"$ne": None}}, set()),
    ({"config.opt.name": "adam"}, {"a"}),
    ({"config.opt.value.name": "sgd"}, {"b"}),
    ({"config.opt.name": {"$regex": "a|s"}}, {"a", "b"}),
    ({"config.opt.betas": [0.9, 0.99]}, {"a"}),
    ({"config.opt": {"name": "sgd"}}, {"b"}),
    ({"summary_metrics.loss": {"$lt": 0.3}}, {"b"}),
    ({"summary_metrics.loss": {"$gte": 0.2}}, {"a", "b"}),
    ({"summary_metrics.loss": "high"}, {"d"}),
    ({"summary_metrics.loss": {"$exists": True}}, ALL),
    ({"summary_metrics.loss": None}, {"c"}),  # NaN reads as null
    ({"summary_metrics.acc": {"$lt": 0.5}}, {"c"}),
    ({"summary_metrics.best": {"$gt": 1e308}}, {"c"}),
    ({"summary_metrics.best": {"$lt": 0}}, set()),
    ({"summary_metrics.acc": None}, {"d"}),
    ({"summary_metrics.acc": {"$ne": None}}, {"a", "b", "c"}),
    ({"summary_metrics.none": {"$exists": True}}, {"a"}),
    ({"summary_metrics.nested.x": 1}, {"a"}),
    ({"summary_metrics.nested.x": {"$in": [2, "1"]}}, {"b", "d"}),
    ({"summary_metrics.nested.y.z": "deep"}, {"a"}),
    ({"summary_metrics.nested.y.z": {"$regex": "ee"}}, {"a"}),
    ({"summary_metrics.nested.y": {"$exists": True}}, {"a"}),
    ({"summary_metrics.missing.deeper": {"$exists": False}}, ALL),
    # Keys with spaces, quotes and dashes.
    ({"config.my key": "spaced"}, {"a"}),
    ({"config.it's": 1}, {"a"}),
    ({'config.q"k': {"$gte": 5}}, {"a"}),
    ({'config.q"k': {"$exists": False}}, {"b", "c", "d"}),
    ({"config.dash-key.value": 7}, {"a"}),
    ({'config.wrap.in"ner': 3}, {"a"}),
]

TAG_CASES: list[tuple[dict[str, object], set[str]]] = [
    ({"tags": "gpu"}, {"a", "b"}),
    ({"tags": {"$eq": "cpu"}}, {"d"}),
    ({"tags": {"$ne": "gpu"}}, {"c", "d"}),
    ({"tags": {"$in": ["cpu", "baseline"]}}, {"a", "d"}),
    ({"tags": {"$nin": ["cpu", "baseline"]}}, {"b", "c"}),
    ({"tags": {"$all": ["gpu", "baseline"]}}, {"a"}),
    ({"tags": {"$regex": "^c"}}, {"d"}),
    ({"tags": {"$exists": True}}, {"a", "b", "d"}),
    ({"tags": {"$exists": False}}, {"c"}),
    ({"tags": None}, {"c"}),
    ({"tags": {"$ne": None}}, {"a", "b", "d"}),
    # What wandb's QueryGenerator sends for "does not have tag gpu".
    ({"$or": [{"tags": None}, {"tags": {"$ne": "gpu"}}]}, {"c", "d"}),
]

LOGICAL_CASES: list[tuple[dict[str, object], set[str]]] = [
    ({"state": "finished", "username": "alice"}, {"a"}),
    ({"$and": [{"state": "finished"}, {"config.batch": 32}]}, {"a", "d"}),
    ({"$or": [{"state": "running"}, {"config.lr": 0.01}]}, {"b", "c"}),
    ({"$nor": [{"state": "running"}, {"config.lr": 0.01}]}, {"a", "d"}),
    ({"$nor": [{"summary_metrics.loss": {"$gt": 0.3}}]}, {"b", "c", "d"}),
    (
        {"$or": [{"$and": [{"tags": "gpu"}, {"duration": {"$gt": 50}}]}, {"name": "c"}]},
        {"b", "c"},
    ),
    ({"$and": [{"sweep": "sw1"}]}, {"a", "b"}),
    ({"$and": []}, ALL),
    ({"$or": []}, set()),
    ({"$or": [{"$and": []}]}, ALL),  # the W&B app's empty filter
    ({}, ALL),
]


@pytest.mark.parametrize(
    ("filters", "expected"), TOP_LEVEL_CASES + JSON_CASES + TAG_CASES + LOGICAL_CASES
)
def test_filter_matches(
    conn: sqlite3.Connection, filters: dict[str, object], expected: set[str]
) -> None:
    assert matching(conn, filters) == expected


def test_no_filters_match_everything(conn: sqlite3.Connection) -> None:
    assert compile_filters(None) == SqlClause("1", ())
    assert matching(conn, None) == ALL


def test_values_travel_as_parameters() -> None:
    clause = compile_filters({"config.lr": {"$gt": 0.5}, "state": {"$in": ["a", "b"]}})
    assert "0.5" not in clause.sql
    assert clause.params == (0.5, "a", "b")


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"state": {"$foo": 1}}, "unsupported filter operator '$foo'"),
        ({"$not": [{"state": "x"}]}, "unsupported filter operator '$not'"),
        ({"$where": "1"}, "unsupported filter operator '$where'"),
        ({"bogus": 1}, "unknown filter field 'bogus'"),
        ({"summary.loss": 1}, "unknown filter field 'summary.loss'"),
        ({"config.": 1}, "empty key in field 'config.'"),
        ({"config.a..b": 1}, "empty key in field 'config.a..b'"),
        ({"state": {"$in": "finished"}}, "'$in' needs a list"),
        ({"state": {"$exists": 1}}, "'$exists' needs true or false"),
        ({"state": {"$regex": "("}}, "invalid '$regex'"),
        ({"state": {"$regex": 3}}, "'$regex' needs a string"),
        ({"state": {"$regex": "a", "$options": "z"}}, "unsupported '$options'"),
        ({"state": {"$options": "i"}}, "'$options' needs '$regex'"),
        ({"state": 3}, "field 'state': '$eq' needs a string"),
        ({"duration": {"$gt": "10"}}, "field 'duration': '$gt' needs a number"),
        ({"createdAt": {"$gt": "yesterday"}}, "needs an ISO 8601 timestamp"),
        ({"createdAt": {"$gt": 5}}, "needs an ISO 8601 timestamp string"),
        ({"createdAt": "2026-02-30"}, "invalid timestamp"),
        ({"config.lr": {"$gt": None}}, "needs a number, string or boolean"),
        ({"config.lr": {"$gt": 1, "lt": 2}}, "cannot mix operators and plain keys"),
        ({"tags": {"$gt": "a"}}, "'$gt' is not supported on field 'tags'"),
        ({"tags": {"$in": [1]}}, "needs tag strings"),
        ({"config.lr": {"$all": [1]}}, "'$all' is not supported on field 'config.lr'"),
        ({"$and": {"state": "x"}}, "'$and' needs a list"),
        ({"$or": ["state"]}, "'$or' needs filter objects"),
    ],
)
def test_bad_filters_name_the_problem(filters: dict[str, object], message: str) -> None:
    with pytest.raises(FilterError) as info:
        compile_filters(filters)
    assert message in str(info.value)


def test_filters_must_be_an_object() -> None:
    with pytest.raises(FilterError, match="filters must be an object"):
        compile_filters(["state"])  # type: ignore[arg-type]


HOSTILE_KEYS = [
    "config.x'); DROP TABLE runs; --",
    "config.x\"'); DROP TABLE runs; --",
    'summary_metrics.a"]").b',
    "summary_metrics.$.x[0]",
    "summary_metrics.x' OR '1'='1",
]
HOSTILE_VALUE = "v'); DELETE FROM runs; --"


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_and_values_cannot_inject(key: str) -> None:
    conn = new_connection()
    insert_run(conn, name="a", config={}, summary={})
    for filters in (
        {key: HOSTILE_VALUE},
        {key: {"$regex": HOSTILE_VALUE.replace("(", "").replace(")", "")}},
        {key: {"$exists": True}},
        {"state": HOSTILE_VALUE, "$or": [{key: 1}, {"name": HOSTILE_VALUE}]},
    ):
        clause = compile_filters(filters)
        assert HOSTILE_VALUE not in clause.sql
        assert matching(conn, filters) == set()
    order = compile_order("-" + key)
    list(conn.execute(f"SELECT r.pk FROM runs r ORDER BY {order.order_by}"))
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_hostile_key_is_still_matched_literally() -> None:
    conn = new_connection()
    key = "x'); DROP TABLE runs; --"
    insert_run(conn, name="a", config={key: {"value": 1}}, summary={'a"]").b': 2})
    assert matching(conn, {f"config.{key}": 1}) == {"a"}
    assert matching(conn, {'summary_metrics.a"]").b': 2}) == set()  # dots split keys
    assert matching(conn, {'summary_metrics.a"]")': {"$exists": True}}) == set()


def test_documents_sqlite_cannot_parse_do_not_break_queries() -> None:
    conn = new_connection()
    insert_run(conn, name="a", summary="not json", config='{"lr": {"value": NaN}}')
    insert_run(conn, name="b", summary={"loss": 1}, config=wandb_config(lr=0.1))
    assert matching(conn, {"summary_metrics.loss": {"$exists": False}}) == {"a"}
    assert matching(conn, {"config.lr": None}) == {"a"}
    assert matching(conn, {"config.lr": {"$exists": True}}) == {"a", "b"}
    assert ordered_names(conn, "-summary_metrics.loss") == ["b", "a"]


def test_regexp_function_searches_unanchored(conn: sqlite3.Connection) -> None:
    assert conn.execute("SELECT 'eager-fox-1' REGEXP 'fox'").fetchone()[0] == 1
    assert conn.execute("SELECT 'eager-fox-1' REGEXP '^fox'").fetchone()[0] == 0
    assert conn.execute("SELECT NULL REGEXP 'fox'").fetchone()[0] == 0


# --------------------------------------------------------------------------- order


@pytest.mark.parametrize(
    ("order", "key", "descending"),
    [
        (None, "created_at", False),
        ("", "created_at", False),
        ("created_at", "created_at", False),
        ("+createdAt", "created_at", False),
        ("-created_at", "created_at", True),
        ("-heartbeat_at", "heartbeat_at", True),
        ("+name", "name", False),
        ("display_name", "display_name", False),
        ("-state", "state", True),
        ("+sweep", "sweep_name", False),
        ("-group", "group_name", True),
        ("jobType", "job_type", False),
        ("+duration", "duration", False),
        ("+config.lr", "config.lr.value", False),
        ("-config.lr.value", "config.lr.value", True),
        ("config.opt.name", "config.opt.value.name", False),
        ("+summary_metrics.loss", "summary_metrics.loss", False),
        ("-summary_metrics.nested.x", "summary_metrics.nested.x", True),
    ],
)
def test_compile_order_keys(order: str | None, key: str, descending: bool) -> None:
    spec = compile_order(order)
    assert (spec.key, spec.descending) == (key, descending)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("+bogus", "unsupported order key 'bogus'"),
        ("-tags", "unsupported order key 'tags'"),
        ("summary.loss", "unsupported order key 'summary.loss'"),
        ("config.", "empty key in field 'config.'"),
        ("+config.a..b", "empty key in field 'config.a..b'"),
    ],
)
def test_unknown_order_is_refused(order: str, message: str) -> None:
    with pytest.raises(FilterError) as info:
        compile_order(order)
    assert message in str(info.value)


def ordered_names(conn: sqlite3.Connection, order: str) -> list[str]:
    spec = compile_order(order)
    return [row[0] for row in conn.execute(f"SELECT r.name FROM runs r ORDER BY {spec.order_by}")]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("+created_at", ["a", "b", "c", "d"]),
        ("-created_at", ["d", "c", "b", "a"]),
        ("-heartbeat_at", ["d", "c", "b", "a"]),
        ("+display_name", ["b", "c", "a", "d"]),
        ("+sweep", ["c", "d", "a", "b"]),
        ("-group", ["b", "d", "a", "c"]),
        # NULLs first ascending; numbers before text as SQLite sorts them.
        ("+config.lr", ["c", "b", "a", "d"]),
        ("-config.lr.value", ["d", "a", "b", "c"]),
        ("+config.opt.name", ["c", "d", "a", "b"]),
        ("+summary_metrics.loss", ["c", "b", "a", "d"]),
        ("-summary_metrics.nested.x", ["d", "b", "a", "c"]),
    ],
)
def test_order_sorts_rows(conn: sqlite3.Connection, order: str, expected: list[str]) -> None:
    assert ordered_names(conn, order) == expected


# --------------------------------------------------------------------------- cursors


@pytest.mark.parametrize(
    "value", [None, 0, -3, 2**62, 0.1, 1e300, math.inf, -math.inf, "", "naïve ✓", "a'b\"c"]
)
def test_cursor_round_trips(value: object) -> None:
    order = compile_order("-summary_metrics.loss")
    cursor = encode_cursor(order, value, 42)
    assert cursor.replace("-", "").replace("_", "").isalnum()
    assert decode_cursor(order, cursor) == (value, 42)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "bm90IGpzb24",  # "not json"
        encode_cursor(compile_order("+name"), "x", 1)[:-3],
        "WyJuYW1lIixmYWxzZSwieCJd",  # ["name",false,"x"]: too short
        "WyJuYW1lIixmYWxzZSwieCIsIjEiXQ",  # ["name",false,"x","1"]: pk not an int
    ],
)
def test_malformed_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(FilterError, match="malformed cursor"):
        keyset_after(compile_order("+name"), cursor)


@pytest.mark.parametrize("other", ["-name", "+created_at", "+config.name"])
def test_cursor_of_another_order_is_refused(other: str) -> None:
    cursor = encode_cursor(compile_order("+name"), "x", 1)
    with pytest.raises(FilterError, match=r"belongs to order \+name"):
        decode_cursor(compile_order(other), cursor)


@pytest.mark.parametrize(
    ("order_text", "seek"),
    [
        ("+created_at", "created_at>?"),
        ("-created_at", "created_at<?"),
        ("-heartbeat_at", "heartbeat_at<?"),
        ("+heartbeat_at", "heartbeat_at>?"),
    ],
)
def test_late_pages_seek_in_the_index(order_text: str, seek: str) -> None:
    conn = new_connection()
    order = compile_order(order_text)
    after = keyset_after(order, encode_cursor(order, "2026-01-01T00:00:00.000000", 5))
    plan = " | ".join(
        row[3]
        for row in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT r.pk FROM runs r WHERE r.project_pk = ? AND"
            f" {after.sql} AND r.state = ? ORDER BY {order.order_by} LIMIT 50",
            (1, *after.params, "finished"),
        )
    )
    assert seek in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def page_through(
    conn: sqlite3.Connection, order: OrderSpec, page_size: int, between_pages: Iterator[None]
) -> list[int]:
    """Every pk, page by page with keyset cursors; ``between_pages`` runs after each page."""
    seen: list[int] = []
    cursor: str | None = None
    while True:
        after = keyset_after(order, cursor) if cursor else SqlClause("1", ())
        rows = conn.execute(
            f"SELECT r.pk, {order.expr} AS sort_value FROM runs r WHERE r.project_pk = ?"
            f" AND {after.sql} ORDER BY {order.order_by} LIMIT ?",
            (1, *after.params, page_size),
        ).fetchall()
        if not rows:
            return seen
        seen.extend(row["pk"] for row in rows)
        cursor = encode_cursor(order, rows[-1]["sort_value"], rows[-1]["pk"])
        next(between_pages, None)


def test_keyset_pages_over_ties_and_nulls(conn: sqlite3.Connection) -> None:
    for order_text in ("+config.lr", "-config.lr", "+summary_metrics.acc", "-state"):
        order = compile_order(order_text)
        expected = [
            row[0] for row in conn.execute(f"SELECT r.pk FROM runs r ORDER BY {order.order_by}")
        ]
        for page_size in (1, 2, 3):
            assert page_through(conn, order, page_size, iter(())) == expected


SORT_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.5, -1.25, 2.0, 1e300]),
    # Written as NaN/Infinity tokens: read through the sqlite_json fallback.
    st.sampled_from([math.inf, -math.inf, math.nan]),
    st.sampled_from(["", "a", "b", "B", "a b"]),
    st.booleans(),
)
ORDERS = [
    "+created_at",
    "-created_at",
    "+summary_metrics.loss",
    "-summary_metrics.loss",
    "+config.lr",
    "-config.lr.value",
    "+display_name",
    "-display_name",
    "-heartbeat_at",
    "+group",
    "-group",
]


def random_run(draw: st.DrawFn) -> dict[str, object]:
    stamp = draw(st.sampled_from(["2026-01-01T00:00:00.000000", "2026-01-02T00:00:00.000000"]))
    fields: dict[str, object] = {
        "name": "r",
        "created_at": stamp,
        "heartbeat_at": draw(st.sampled_from([stamp, "2026-03-01T00:00:00.000000"])),
        "display_name": draw(st.one_of(st.none(), st.sampled_from(["x", "y", "z"]))),
        "group_name": draw(st.one_of(st.none(), st.sampled_from(["g1", "g2"]))),
        "summary": {},
        "config": {},
    }
    loss = draw(st.one_of(st.just("missing"), SORT_VALUES))
    if loss != "missing":
        fields["summary"] = {"loss": loss}
    lr = draw(st.one_of(st.just("missing"), SORT_VALUES))
    if lr != "missing":
        fields["config"] = wandb_config(lr=lr)
    return fields


@st.composite
def paging_scenarios(
    draw: st.DrawFn,
) -> tuple[list[dict[str, object]], list[list[dict[str, object]]], str, int]:
    initial = [random_run(draw) for _ in range(draw(st.integers(0, 25)))]
    inserts = [
        [random_run(draw) for _ in range(draw(st.integers(0, 3)))]
        for _ in range(draw(st.integers(0, 12)))
    ]
    return initial, inserts, draw(st.sampled_from(ORDERS)), draw(st.integers(1, 6))


@pytest.mark.slow  # 150 generated scenarios
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paging_scenarios())
def test_keyset_paging_sees_every_row_once_despite_inserts(
    scenario: tuple[list[dict[str, object]], list[list[dict[str, object]]], str, int],
) -> None:
    initial, inserts, order_text, page_size = scenario
    conn = new_connection()
    originals = {insert_run(conn, **fields) for fields in initial}
    order = compile_order(order_text)
    expected = [
        row[0]
        for row in conn.execute(f"SELECT r.pk FROM runs r ORDER BY {order.order_by}")
        if row[0] in originals
    ]

    def insert_batches() -> Iterator[None]:
        for batch in inserts:
            for fields in batch:
                insert_run(conn, **fields)
            yield None

    seen = page_through(conn, order, page_size, insert_batches())
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert [pk for pk in seen if pk in originals] == expected
    # Whatever was seen, inserted rows included, is in the order's sequence.
    final = [row[0] for row in conn.execute(f"SELECT r.pk FROM runs r ORDER BY {order.order_by}")]
    assert seen == [pk for pk in final if pk in set(seen)]


# --------------------------------------------------------------------------- reference model
# A second, independent reading of the filter semantics, in plain Python, to check the SQL
# against on random runs and random filters.

MISSING = object()
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.5, 2.0, -1.5, math.inf, math.nan]),
    st.sampled_from(["", "a", "b", "ab", "B", "é"]),
)
MAYBE = st.one_of(st.just(MISSING), JSON_SCALARS)
OPERAND = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.5, "a", "b", "é"])
)
PATTERNS = st.sampled_from(["a", "^a", "b$", "A", ".", "é"])
STATES = ["running", "finished", "crashed"]
TAGS = ["t1", "t2", "t3"]


@st.composite
def model_runs(draw: st.DrawFn) -> list[dict[str, object]]:
    runs = []
    for _ in range(draw(st.integers(1, 6))):
        runs.append(
            {
                "state": draw(st.sampled_from(STATES)),
                "group": draw(st.one_of(st.none(), st.sampled_from(["g1", "g2"]))),
                "duration": draw(st.sampled_from([0.0, 1.5, 10.0])),
                "tags": draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3)),
                "config.a": draw(MAYBE),
                "config.n.x": draw(MAYBE),
                "summary_metrics.s": draw(MAYBE),
            }
        )
    return runs


def stored_fields(run: Mapping[str, object]) -> dict[str, object]:
    config: dict[str, object] = {}
    if run["config.a"] is not MISSING:
        config["a"] = {"value": run["config.a"], "desc": None}
    if run["config.n.x"] is not MISSING:
        config["n"] = {"value": {"x": run["config.n.x"]}, "desc": None}
    summary = {} if run["summary_metrics.s"] is MISSING else {"s": run["summary_metrics.s"]}
    return {
        "state": run["state"],
        "group_name": run["group"],
        "duration": run["duration"],
        "tags": run["tags"],
        "config": json.dumps(config),  # NaN/Infinity tokens included, as Python writes them
        "summary": json.dumps(summary),
    }


JSON_FIELDS = ["config.a", "config.a.value", "config.n.x", "config.n.value.x", "summary_metrics.s"]


@st.composite
def leaf_filters(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["json", "state", "group", "duration", "tags"]))
    if kind == "tags":
        op = draw(st.sampled_from(["plain", "$eq", "$ne", "$in", "$nin", "$all", "$exists"]))
        tag_list = st.lists(st.sampled_from(TAGS), max_size=2)
        operand: object = {
            "plain": st.one_of(st.none(), st.sampled_from(TAGS)),
            "$eq": st.one_of(st.none(), st.sampled_from(TAGS)),
            "$ne": st.one_of(st.none(), st.sampled_from(TAGS)),
            "$in": tag_list,
            "$nin": tag_list,
            "$all": tag_list,
            "$exists": st.booleans(),
        }[op]
        value = draw(operand)  # type: ignore[arg-type]
        return {"tags": value if op == "plain" else {op: value}}
    if kind == "json":
        field = draw(st.sampled_from(JSON_FIELDS))
        values = OPERAND
    elif kind == "duration":
        field, values = "duration", st.sampled_from([0, 1.5, 5])
    else:
        field = kind
        values = st.one_of(st.none(), st.sampled_from(STATES if kind == "state" else ["g1", "g2"]))
    op = draw(
        st.sampled_from(
            [
                "plain",
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
            ]
        )
    )
    if op == "plain":
        return {field: draw(values)}
    if op in ("$in", "$nin"):
        return {field: {op: draw(st.lists(values, max_size=3))}}
    if op == "$exists":
        return {field: {op: draw(st.booleans())}}
    if op == "$regex":
        return {field: {op: draw(PATTERNS)}}
    value = draw(values)
    if op in ("$gt", "$gte", "$lt", "$lte") and value is None:
        value = draw(st.sampled_from([0, "a"])) if kind == "json" else draw(values.filter(bool))
    return {field: {op: value}}


FILTERS = st.recursive(
    leaf_filters(),
    lambda inner: st.one_of(
        st.dictionaries(
            st.sampled_from(["$and", "$or", "$nor"]), st.lists(inner, max_size=3), min_size=1
        ),
        st.tuples(inner, inner).map(lambda pair: {**pair[0], **pair[1]}),
    ),
    max_leaves=5,
)


def field_value(run: Mapping[str, object], field: str) -> object:
    if field.startswith("config."):
        field = field.replace(".value", "", 1)
    value = run[field]
    if isinstance(value, float) and math.isnan(value):
        return None  # NaN reads as null
    return value


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(value: object, target: object) -> bool:
    if target is None:
        return value is None or value is MISSING
    if isinstance(target, bool):
        return isinstance(value, bool) and value == target
    if is_number(target):
        return is_number(value) and value == target
    return isinstance(value, str) and value == target


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def ordered(value: object, target: object, op: str) -> bool:
    if isinstance(target, bool):
        comparable = isinstance(value, bool)
    elif is_number(target):
        comparable = is_number(value)
    else:
        comparable = isinstance(value, str) and isinstance(target, str)
    return comparable and bool(COMPARE[op](value, target))


def tag_matches(tags: list[str], op: str, operand: object) -> bool:
    if op in ("$eq", "$ne"):
        has = not tags if operand is None else operand in tags
        return has if op == "$eq" else not has
    if op == "$exists":
        return bool(tags) == operand
    assert isinstance(operand, list)
    if op == "$in":
        return any(tag in tags for tag in operand)
    if op == "$nin":
        return not any(tag in tags for tag in operand)
    assert op == "$all"
    return all(tag in tags for tag in operand)


def field_matches(run: Mapping[str, object], field: str, condition: object) -> bool:
    pairs = (
        list(condition.items())
        if isinstance(condition, dict) and any(str(k).startswith("$") for k in condition)
        else [("$eq", condition)]
    )
    for op, operand in pairs:
        if field == "tags":
            tags = run["tags"]
            assert isinstance(tags, list)
            if not tag_matches(tags, op, operand):
                return False
            continue
        value = field_value(run, field)
        if op == "$eq":
            ok = same(value, operand)
        elif op == "$ne":
            ok = not same(value, operand)
        elif op == "$in":
            ok = any(same(value, item) for item in operand)  # type: ignore[union-attr]
        elif op == "$nin":
            ok = not any(same(value, item) for item in operand)  # type: ignore[union-attr]
        elif op == "$exists":
            present = value is not MISSING and (
                value is not None or field.startswith(("config", "summary"))
            )
            ok = present == operand
        elif op == "$regex":
            ok = isinstance(value, str) and re.search(str(operand), value) is not None
        else:
            ok = ordered(value, operand, op)
        if not ok:
            return False
    return True


def reference_matches(run: Mapping[str, object], document: Mapping[str, object]) -> bool:
    for key, value in document.items():
        if key == "$and":
            ok = all(reference_matches(run, item) for item in value)  # type: ignore[attr-defined]
        elif key == "$or":
            ok = any(reference_matches(run, item) for item in value)  # type: ignore[attr-defined]
        elif key == "$nor":
            ok = not any(reference_matches(run, item) for item in value)  # type: ignore[attr-defined]
        else:
            ok = field_matches(run, key, value)
        if not ok:
            return False
    return True


@pytest.mark.slow  # 300 generated runs-and-filter cases
@settings(max_examples=300, deadline=None)
@given(model_runs(), FILTERS)
def test_sql_agrees_with_the_reference_model(
    runs: list[dict[str, object]], filters: dict[str, object]
) -> None:
    conn = new_connection()
    pks = [insert_run(conn, name=str(i), **stored_fields(run)) for i, run in enumerate(runs)]
    expected = {str(i) for i, run in enumerate(runs) if reference_matches(run, filters)}
    assert matching(conn, filters) == expected, (filters, pks)
