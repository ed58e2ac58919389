"""Run history and events storage, served the way W&B encodes it.

The file_stream handler hands over ``wandb-history.jsonl`` and ``wandb-events.jsonl`` lines
with the client's ``offset``; each line is stored verbatim (so ``NaN``/``Infinity`` tokens
survive) under ``(run, stream, line number)`` with its step (``_step``, else the line
number) and the id of its key set. Reads never scan a whole run to answer a page:

- ``history(samples=N)``: at most N rows spread evenly over the run in step order, first
  and last included;
- ``history(minStep, maxStep, samples)``: the step window ``[minStep, maxStep)`` in step
  order (this is how ``scan_history`` pages), O(page): the table is stored in step order;
- ``sampledHistory(spec)``: rows holding all the spec's keys, projected to those keys,
  within ``minStep <= step <= maxStep`` (inclusive: wandb 0.31.0's ``scan_history(keys=...)``
  asks for the page ``[offset, offset + page_size)`` as ``maxStep = offset + page_size - 1``);
- ``historyKeys``: ``{"lastStep": N, "keys": {k: {"typeCounts": [...]}}}``, kept up to date
  by :func:`append_rows` in a per-run key table.

Writes are built for ingest: :func:`prepare_lines` parses a request's lines and counts their
key types before the write transaction, :func:`store_lines` writes them with a few
multi-row INSERTs into the table, the only B-tree a line updates (line counts and last lines are kept per run and stream in
``history_streams``, key sets and type counts once per distinct shape).

>>> import sqlite3
>>> conn = sqlite3.connect(":memory:")
>>> for ddl in HISTORY_DDL:
...     _ = conn.execute(ddl)
>>> append_rows(conn, 1, "history", 0, ['{"_step": 0, "loss": 0.5}', '{"_step": 1, "loss": NaN}'])
2
>>> history_page(conn, 1, samples=500, min_step=None, max_step=None)
['{"_step": 0, "loss": 0.5}', '{"_step": 1, "loss": NaN}']
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import Literal

import orjson
from pydantic_core import from_json

from wandb_typed_server.storage.history_exports import HISTORY_EXPORT_DDL, forget_history_exports

__all__ = [
    "HISTORY_DDL",
    "PreparedLines",
    "Stream",
    "append_rows",
    "delete_run_rows",
    "history_keys",
    "history_keys_of_runs",
    "history_page",
    "last_lines",
    "line_count",
    "line_counts",
    "prepare_lines",
    "sampled_history",
    "store_lines",
    "tail",
]

Stream = Literal["history", "events"]
_STREAMS = ("history", "events")

TAIL_KEPT = 10
"""How many last lines of each stream are kept beside it (``historyTail``, ``eventsTail``)."""

_OLD_LINE_INDEX_EXISTS = (
    "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'history_lines_by_line')"
)

HISTORY_DDL: list[str] = [
    # One row per received line; body is the line text exactly as the client sent it.
    # Stored in step order, so a scan_history window is one contiguous range of the table.
    """CREATE TABLE IF NOT EXISTS history_lines (
        run_pk INTEGER NOT NULL,
        stream TEXT NOT NULL,
        step INTEGER NOT NULL,
        line_no INTEGER NOT NULL,
        keyset_pk INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (run_pk, stream, step, line_no)
    ) WITHOUT ROWID""",
    # Per run and stream: how many lines it has (the next offset) and its last lines, kept by
    # each append. With it the table is the only B-tree a line updates: no index of line
    # numbers (offsets, counts and tails are read here), none of (step, line_no, keyset_pk)
    # (counts, sampling ranks and key-set filters read the table's own step order).
    """CREATE TABLE IF NOT EXISTS history_streams (
        run_pk INTEGER NOT NULL,
        stream TEXT NOT NULL,
        line_count INTEGER NOT NULL,
        tail TEXT NOT NULL,
        PRIMARY KEY (run_pk, stream)
    ) WITHOUT ROWID""",
    # Data dirs made before history_streams had an index of line numbers: their streams are
    # recorded from it once (the statements do nothing without it), then it goes.
    f"""INSERT OR IGNORE INTO history_streams (run_pk, stream, line_count, tail)
    SELECT run_pk, stream, MAX(line_no) + 1, '[]' FROM history_lines
    WHERE {_OLD_LINE_INDEX_EXISTS} GROUP BY run_pk, stream""",
    f"""UPDATE history_streams SET tail = (
        SELECT json_group_array(json_array(line_no, body)) FROM (
            SELECT line_no, body FROM history_lines AS h
            WHERE h.run_pk = history_streams.run_pk AND h.stream = history_streams.stream
            ORDER BY line_no DESC LIMIT {TAIL_KEPT}))
    WHERE {_OLD_LINE_INDEX_EXISTS}""",
    "DROP INDEX IF EXISTS history_lines_by_line",
    "DROP INDEX IF EXISTS history_lines_by_step",
    # The distinct sets of keys a run's rows have (usually a handful per run).
    """CREATE TABLE IF NOT EXISTS history_keysets (
        pk INTEGER PRIMARY KEY,
        run_pk INTEGER NOT NULL,
        keys TEXT NOT NULL,
        UNIQUE (run_pk, keys)
    )""",
    # historyKeys, maintained incrementally: how many history rows hold each key per type.
    """CREATE TABLE IF NOT EXISTS history_key_types (
        run_pk INTEGER NOT NULL,
        key TEXT NOT NULL,
        type TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (run_pk, key, type)
    ) WITHOUT ROWID""",
    # Which of a run's Parquet exports are still valid (storage/history_exports.py).
    *HISTORY_EXPORT_DDL,
]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def _check_stream(stream: str) -> None:
    if stream not in _STREAMS:
        raise ValueError(f"unknown history stream {stream!r}; expected 'history' or 'events'")


def _decode(stream: str, line_no: int, body: str) -> dict[str, object]:
    """One line as a JSON object: pydantic-core's parser (it takes ``NaN``/``Infinity`` and
    integers of any size), the stdlib's for what it refuses (a lone surrogate), a ValueError
    naming the line when neither takes it."""
    try:
        row = from_json(body)
    except ValueError:
        try:
            row = json.loads(body)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{stream} line {line_no} is not JSON ({error}): {body[:80]!r}"
            ) from None
        except RecursionError:
            raise ValueError(f"{stream} line {line_no} nests too deeply: {body[:80]!r}") from None
    if not isinstance(row, dict):
        raise ValueError(f"{stream} line {line_no} is not a JSON object: {body[:80]!r}")
    return row


def _decode_rows(stream: str, offset: int, bodies: Sequence[str]) -> list[dict[str, object]]:
    """Every line as a JSON object. orjson first (about twice pydantic-core's speed on a
    history row); a batch it refuses anything of (``NaN``, a lone surrogate, not an object)
    goes line by line through :func:`_decode`, which names the bad line.

    orjson reads an integer beyond 64 bits as a float: no other value of a row is read as a
    number here (type counts name both "number"), and :func:`_step_of` reads such a
    ``_step`` again exactly."""
    try:
        rows: list[dict[str, object]] = list(map(orjson.loads, bodies))
        if all(type(row) is dict for row in rows):
            return rows
    except ValueError:  # orjson.JSONDecodeError is one
        pass
    return [_decode(stream, offset + i, body) for i, body in enumerate(bodies)]


@dataclass(frozen=True)
class PreparedLines:
    """File_stream lines of one stream, parsed and checked (no database needed): made by
    :func:`prepare_lines` before the write transaction, stored by :func:`store_lines`."""

    stream: Stream
    offset: int
    bodies: list[str]
    rows: list[dict[str, object]]
    steps: list[int]
    keys: list[tuple[str, ...]]
    """Each row's keys in the order they came (sorted once per distinct tuple, when stored)."""
    key_types: Counter[tuple[str, str]]
    """How many of the rows hold each (key, W&B type name): what ``historyKeys`` counts."""


def prepare_lines(stream: Stream, offset: int, lines: Sequence[str]) -> PreparedLines:
    """Parse and check lines to be stored at ``offset, offset + 1, ...``.

    Raises:
        ValueError: a line that is not a JSON object (named by its line number), a bad
            stream or a negative offset.

    >>> prepare_lines("history", 3, ['{"_step": 7, "a": 1}', '{"b": 2}']).steps
    [7, 4]
    """
    _check_stream(stream)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"{stream} offset must be a non-negative integer, got {offset!r}")
    bodies = [line.strip() for line in lines]
    rows = _decode_rows(stream, offset, bodies)
    steps = [
        step
        if type(step := row.get("_step")) is int and _INT64_MIN <= step <= _INT64_MAX
        # (a whole int; anything else, a float, a bool, none, is worked out below)
        else _step_of(row, offset + i, bodies[i])
        for i, row in enumerate(rows)
    ]
    keys = list(map(tuple, rows))
    key_types = _key_types(rows, keys) if stream == "history" else Counter()
    return PreparedLines(stream, offset, bodies, rows, steps, keys, key_types)


def _step_of(row: Mapping[str, object], line_no: int, body: str) -> int:
    step = row.get("_step")
    if isinstance(step, bool) or not isinstance(step, (int, float)):
        return line_no
    if isinstance(step, float):  # (orjson's float may stand for an integer beyond 64 bits)
        step = _decode("history", line_no, body).get("_step")
        if not isinstance(step, (int, float)):
            return line_no
    if isinstance(step, float) and not step.is_integer():
        return line_no
    whole = int(step)
    return whole if _INT64_MIN <= whole <= _INT64_MAX else line_no


def _type_name(value: object) -> str:
    """W&B's name for a history value's type in ``historyKeys.typeCounts``."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        media_type = value.get("_type")
        return media_type if isinstance(media_type, str) else "map"
    return "list"


def _count_types(counts: Counter[tuple[str, str]], row: Mapping[str, object], sign: int) -> None:
    for key, value in row.items():
        counts[key, _type_name(value)] += sign


# W&B's type name of each JSON value type but objects (whose name may be their "_type").
_PLAIN_TYPE_NAMES: dict[type, str] = {
    type(None): "nil",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "list",
}


def _key_types(
    rows: Sequence[Mapping[str, object]], keys: Sequence[tuple[str, ...]]
) -> Counter[tuple[str, str]]:
    """:func:`_count_types` of many rows (``keys``: each row's keys, in its order), a column
    at a time: rows with the same keys (nearly all of a run's rows) are grouped, and a column
    whose values are all of one plain type is counted at once."""
    groups: Iterable[tuple[tuple[str, ...], Sequence[Mapping[str, object]]]]
    if not keys or keys.count(keys[0]) == len(keys):  # one key set: the usual batch
        groups = [(keys[0], rows)] if keys else []
    else:
        by_keys: dict[tuple[str, ...], list[Mapping[str, object]]] = {}
        for row_keys, row in zip(keys, rows, strict=True):
            by_keys.setdefault(row_keys, []).append(row)
        groups = by_keys.items()
    counts: Counter[tuple[str, str]] = Counter()
    for group_keys, group in groups:
        for key in group_keys:
            kinds = set(map(type, map(itemgetter(key), group)))
            kind = kinds.pop() if len(kinds) == 1 else None
            if kind is not None and kind is not dict:
                counts[key, _PLAIN_TYPE_NAMES.get(kind, "list")] += len(group)
            else:  # mixed types, or objects (a media value's type name is its "_type")
                for value in map(itemgetter(key), group):
                    counts[key, _type_name(value)] += 1
    return counts


@contextmanager
def _savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """All or nothing; joins the caller's transaction, or commits if there was none."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def append_rows(
    conn: sqlite3.Connection, run_pk: int, stream: Stream, offset: int, lines: Sequence[str]
) -> int:
    """Store file_stream lines of ``stream`` at line numbers ``offset, offset + 1, ...``.

    Re-sent lines overwrite the same line numbers, so a retried request never duplicates
    rows; lines after the re-sent range are kept.

    Args:
        run_pk: the run's primary key.
        stream: ``"history"`` (``wandb-history.jsonl``) or ``"events"`` (``wandb-events.jsonl``).
        offset: how many lines the client says it had already sent.
        lines: one JSON object per line.
    Returns:
        The stream's line count afterwards.
    Raises:
        ValueError: a line that is not a JSON object (named by its line number), a bad
            stream or a negative offset; nothing is stored then.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> append_rows(conn, 1, "history", 0, ['{"_step": 0, "loss": 1.0}'])
    1
    >>> append_rows(conn, 1, "history", 0, ['{"_step": 0, "loss": 1.0}', '{"_step": 1}'])
    2
    """
    return store_lines(conn, run_pk, prepare_lines(stream, offset, lines))


def store_lines(conn: sqlite3.Connection, run_pk: int, prepared: PreparedLines) -> int:
    """Store lines made by :func:`prepare_lines` (see :func:`append_rows`); returns the
    stream's line count afterwards.

    A few multi-row INSERTs write them all (see :func:`_insert_lines`); key sets and
    ``historyKeys`` counts (counted by :func:`prepare_lines`, outside the write lock) are
    updated once per distinct key set and (key, type), not per row.
    """
    stream, offset = prepared.stream, prepared.offset
    count = len(prepared.bodies)
    if not count:
        return line_count(conn, run_pk, stream)
    with _savepoint(conn, "history_append"):
        found = conn.execute(
            "SELECT line_count, tail FROM history_streams WHERE run_pk = ? AND stream = ?",
            (run_pk, stream),
        ).fetchone()
        count_before, tail_before = (int(found[0]), str(found[1])) if found else (0, "[]")
        if offset > count_before:
            # The SDK sends each line once at the offset after the last; a retry re-sends
            # the same offset (idempotent, below). A line past the end would leave a hole
            # and count lines nobody sent.
            raise ValueError(
                f"{stream} offset {offset} leaves a gap: the next line is {count_before}"
            )
        if offset == count_before:  # the common case: every line is new
            _insert_lines(conn, run_pk, prepared, range(count))
            if stream == "history":
                _apply_key_counts(conn, run_pk, prepared.key_types)
            count_after = offset + count
            _record_stream(conn, run_pk, prepared, count_after, tail_before, False)
            return count_after
        # Re-sent lines (a retried request, a resume from an earlier offset): rare, so no
        # index of line numbers is kept for them; this reads the run's rows once.
        existing = {
            int(line_no): (int(step), str(body))
            for line_no, step, body in conn.execute(
                "SELECT line_no, step, body FROM history_lines"
                " WHERE run_pk = ? AND stream = ? AND line_no BETWEEN ? AND ?",
                (run_pk, stream, offset, offset + count - 1),
            )
        }
        indexes = [
            i
            for i in range(count)
            if (stored := existing.get(offset + i)) is None or stored[1] != prepared.bodies[i]
        ]
        replaced = [(i, existing[offset + i]) for i in indexes if offset + i in existing]
        if replaced and stream == "history":  # rows already stored changed: exports too
            forget_history_exports(conn, run_pk)
        conn.executemany(
            "DELETE FROM history_lines WHERE run_pk = ? AND stream = ? AND step = ? AND line_no = ?",
            [(run_pk, stream, step, offset + i) for i, (step, _) in replaced],
        )
        _insert_lines(conn, run_pk, prepared, indexes)
        if stream == "history":
            delta = _key_types(
                [prepared.rows[i] for i in indexes], [prepared.keys[i] for i in indexes]
            )
            for _, (_, body) in replaced:
                _count_types(delta, json.loads(body), -1)
            _apply_key_counts(conn, run_pk, delta)
        count_after = max(count_before, offset + count)
        _record_stream(conn, run_pk, prepared, count_after, tail_before, True)
    return count_after


_ROWS_PER_INSERT = 1024 if sqlite3.sqlite_version_info >= (3, 32, 0) else 128
"""Rows of one multi-row INSERT: 4 parameters a row, under SQLite's limit of 32,766 (999
before 3.32)."""


@functools.cache
def _insert_sql(rows: int) -> str:
    """An INSERT of ``rows`` history lines: ``?1`` the run, ``?2`` the stream, then line
    number, step, key set and body of each row."""
    return (
        "INSERT INTO history_lines (run_pk, stream, line_no, step, keyset_pk, body) VALUES "
        + ",".join(repeat("(?1, ?2, ?, ?, ?, ?)", rows))
    )


def _insert_lines(
    conn: sqlite3.Connection, run_pk: int, prepared: PreparedLines, indexes: Sequence[int]
) -> None:
    """Insert the lines of ``prepared`` at ``indexes`` (none already stored at their line
    numbers) with their key sets.

    A few INSERTs of many rows each, not one statement per row: SQLite does less work per
    row, and the server's other threads wait for the interpreter lock at most once per
    statement instead of once per row (each statement's step lets it go).
    """
    if not indexes:
        return
    keys, offset = prepared.keys, prepared.offset
    every = len(indexes) == len(keys)
    order_keys = set(keys) if every else {keys[i] for i in indexes}
    sorted_keys = {found: tuple(sorted(found)) for found in order_keys}
    keyset_pks = _keyset_pks(conn, run_pk, set(sorted_keys.values()))
    line_keysets = {found: keyset_pks[ordered] for found, ordered in sorted_keys.items()}
    if every:
        columns = zip(
            range(offset, offset + len(keys)),
            prepared.steps,
            map(line_keysets.__getitem__, keys),
            prepared.bodies,
            strict=True,
        )
    else:
        columns = zip(
            (offset + i for i in indexes),
            (prepared.steps[i] for i in indexes),
            (line_keysets[keys[i]] for i in indexes),
            (prepared.bodies[i] for i in indexes),
            strict=True,
        )
    values = chain.from_iterable(columns)
    left = len(indexes)
    while left:
        # full statements, then the rest in powers of two: a handful of distinct statements
        # (each compiled once and kept in the connection's statement cache), whatever the sizes
        rows = _ROWS_PER_INSERT if left >= _ROWS_PER_INSERT else 1 << (left.bit_length() - 1)
        params: list[object] = [run_pk, prepared.stream]
        params.extend(islice(values, 4 * rows))
        conn.execute(_insert_sql(rows), params)
        left -= rows


def _record_stream(
    conn: sqlite3.Connection,
    run_pk: int,
    prepared: PreparedLines,
    count_after: int,
    tail_before: str,
    rewrote: bool,
) -> None:
    """Keep the stream's line count and last lines up to date after an append."""
    if rewrote:  # lines before the end changed: the tail is read again (rare)
        lines = conn.execute(
            "SELECT line_no, body FROM history_lines WHERE run_pk = ? AND stream = ?"
            " ORDER BY line_no DESC LIMIT ?",
            (run_pk, prepared.stream, TAIL_KEPT),
        ).fetchall()
        kept = [(int(line_no), str(body)) for line_no, body in lines]
    else:
        appended = enumerate(
            prepared.bodies[-TAIL_KEPT:], prepared.offset + max(0, len(prepared.bodies) - TAIL_KEPT)
        )
        kept = [*_tail_pairs(tail_before), *appended]
    kept = sorted(dict(kept).items())[-TAIL_KEPT:]
    conn.execute(
        "INSERT INTO history_streams (run_pk, stream, line_count, tail) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (run_pk, stream) DO UPDATE"
        " SET line_count = excluded.line_count, tail = excluded.tail",
        (run_pk, prepared.stream, count_after, json.dumps(kept)),
    )


def _tail_pairs(text: str) -> list[tuple[int, str]]:
    return [(int(line_no), str(body)) for line_no, body in json.loads(text)]


def _keyset_pks(
    conn: sqlite3.Connection, run_pk: int, keysets: set[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    found: dict[tuple[str, ...], int] = {}
    for keys in keysets:
        text = json.dumps(list(keys), separators=(",", ":"))
        row = conn.execute(
            "SELECT pk FROM history_keysets WHERE run_pk = ? AND keys = ?", (run_pk, text)
        ).fetchone()
        if row is None:
            cursor = conn.execute(
                "INSERT INTO history_keysets (run_pk, keys) VALUES (?, ?)", (run_pk, text)
            )
            assert cursor.lastrowid is not None
            found[keys] = cursor.lastrowid
        else:
            found[keys] = int(row[0])
    return found


def _apply_key_counts(
    conn: sqlite3.Connection, run_pk: int, delta: Counter[tuple[str, str]]
) -> None:
    changes = [(run_pk, key, kind, count) for (key, kind), count in delta.items() if count]
    conn.executemany(
        "INSERT INTO history_key_types (run_pk, key, type, count) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (run_pk, key, type) DO UPDATE SET count = count + excluded.count",
        changes,
    )
    if any(count < 0 for *_, count in changes):
        conn.execute("DELETE FROM history_key_types WHERE run_pk = ? AND count <= 0", (run_pk,))


def _per_run(
    conn: sqlite3.Connection, run_pks: Sequence[int], subquery: str, params: tuple[object, ...]
) -> dict[int, object]:
    """``subquery`` (a scalar query on ``value``, the run's key) for every run, one statement:
    each run is an index seek, however many runs a page lists."""
    rows = conn.execute(
        f"SELECT value, ({subquery}) FROM json_each(?)", (*params, json.dumps(list(run_pks)))
    )
    return {int(pk): found for pk, found in rows}


def line_counts(conn: sqlite3.Connection, run_pks: Sequence[int], stream: Stream) -> dict[int, int]:
    """How many lines of ``stream`` each run has (the next offset a client should send).

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 2, "events", 0, ['{"cpu": 1}', '{"cpu": 2}'])
    >>> line_counts(conn, [1, 2], "events")
    {1: 0, 2: 2}
    """
    _check_stream(stream)
    counts = _per_run(
        conn,
        run_pks,
        "SELECT line_count FROM history_streams WHERE run_pk = value AND stream = ?",
        (stream,),
    )
    return {pk: count if isinstance(count, int) else 0 for pk, count in counts.items()}


def line_count(conn: sqlite3.Connection, run_pk: int, stream: Stream) -> int:
    """:func:`line_counts` of one run."""
    return line_counts(conn, [run_pk], stream)[run_pk]


def last_lines(
    conn: sqlite3.Connection, run_pks: Sequence[int], stream: Stream
) -> dict[int, str | None]:
    """The last line of ``stream`` of each run (None for a run without one).

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 2, "events", 0, ['{"cpu": 1}', '{"cpu": 2}'])
    >>> last_lines(conn, [1, 2], "events")
    {1: None, 2: '{"cpu": 2}'}
    """
    _check_stream(stream)
    tails = _per_run(
        conn,
        run_pks,
        "SELECT tail FROM history_streams WHERE run_pk = value AND stream = ?",
        (stream,),
    )
    last: dict[int, str | None] = {}
    for pk, text in tails.items():
        pairs = _tail_pairs(str(text)) if text is not None else []
        last[pk] = max(pairs)[1] if pairs else None
    return last


def tail(conn: sqlite3.Connection, run_pk: int, stream: Stream, n: int) -> list[str]:
    """The last ``n`` lines of ``stream`` in line order (``historyTail``/``eventsTail``).

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> append_rows(conn, 1, "events", 0, ['{"cpu": 1}', '{"cpu": 2}', '{"cpu": 3}'])
    3
    >>> tail(conn, 1, "events", 2)
    ['{"cpu": 2}', '{"cpu": 3}']
    """
    _check_stream(stream)
    if n <= 0:
        return []
    if n <= TAIL_KEPT:
        found = conn.execute(
            "SELECT tail FROM history_streams WHERE run_pk = ? AND stream = ?", (run_pk, stream)
        ).fetchone()
        pairs = sorted(_tail_pairs(str(found[0]))) if found else []
        return [body for _, body in pairs[-n:]]
    rows = conn.execute(  # more than is kept: sorted from the run's rows
        "SELECT body FROM history_lines WHERE run_pk = ? AND stream = ?"
        " ORDER BY line_no DESC LIMIT ?",
        (run_pk, stream, n),
    ).fetchall()
    return [str(row[0]) for row in reversed(rows)]


def delete_run_rows(conn: sqlite3.Connection, run_pk: int) -> None:
    """Forget everything stored for a run's history and events.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 1, "history", 0, ['{"_step": 0}'])
    >>> delete_run_rows(conn, 1)
    >>> line_count(conn, 1, "history")
    0
    """
    for table in ("history_lines", "history_streams", "history_keysets", "history_key_types"):
        conn.execute(f"DELETE FROM {table} WHERE run_pk = ?", (run_pk,))
    forget_history_exports(conn, run_pk)


def history_keys_of_runs(
    conn: sqlite3.Connection, run_pks: Sequence[int]
) -> dict[int, dict[str, object]]:
    """W&B's ``historyKeys`` of each run: the last step and, per key, how many rows hold
    each type (two queries, however many runs).

    ``lastStep`` is -1 for a run without history, so ``scan_history`` reads nothing.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 1, "history", 0, ['{"_step": 3, "acc": "n/a"}'])
    >>> found = history_keys_of_runs(conn, [1, 2])
    >>> found[1]["lastStep"], found[1]["keys"], found[2]
    (3, {'_step': {'typeCounts': [{'type': 'number', 'count': 1}]}, 'acc': {'typeCounts': [{'type': 'string', 'count': 1}]}}, {'lastStep': -1, 'keys': {}})
    """
    last_steps = _per_run(
        conn,
        run_pks,
        "SELECT MAX(step) FROM history_lines WHERE run_pk = value AND stream = 'history'",
        (),
    )
    keys: dict[int, dict[str, dict[str, list[dict[str, object]]]]] = {pk: {} for pk in last_steps}
    for run_pk, key, kind, count in conn.execute(
        "SELECT run_pk, key, type, count FROM history_key_types"
        " WHERE run_pk IN (SELECT value FROM json_each(?)) ORDER BY run_pk, key, type",
        (json.dumps(list(last_steps)),),
    ):
        keys[int(run_pk)].setdefault(str(key), {"typeCounts": []})["typeCounts"].append(
            {"type": str(kind), "count": int(count)}
        )
    return {
        pk: {"lastStep": step if isinstance(step, int) else -1, "keys": keys[pk]}
        for pk, step in last_steps.items()
    }


def history_keys(conn: sqlite3.Connection, run_pk: int) -> dict[str, object]:
    """:func:`history_keys_of_runs` of one run."""
    return history_keys_of_runs(conn, [run_pk])[run_pk]


def history_page(
    conn: sqlite3.Connection,
    run_pk: int,
    *,
    samples: int | None,
    min_step: int | None,
    max_step: int | None,
    stream: Stream = "history",
) -> list[str]:
    """History (or events) rows as the stored JSON strings, in step order.

    Args:
        samples: at most this many rows, spread evenly with the first and last included;
            None for every row.
        min_step: only rows with ``step >= min_step``.
        max_step: only rows with ``step < max_step``.
    Raises:
        ValueError: a negative ``samples``.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 1, "history", 0, [f'{{"_step": {i}}}' for i in range(10)])
    >>> history_page(conn, 1, samples=3, min_step=None, max_step=None)
    ['{"_step": 0}', '{"_step": 5}', '{"_step": 9}']
    >>> history_page(conn, 1, samples=1000, min_step=8, max_step=1008)
    ['{"_step": 8}', '{"_step": 9}']
    """
    _check_stream(stream)
    return _select_sampled(conn, _Window(run_pk, stream, min_step, max_step, None), samples)


def sampled_history(
    conn: sqlite3.Connection, run_pk: int, spec: Mapping[str, object]
) -> list[dict[str, object]]:
    """W&B's ``sampledHistory`` for one spec: rows holding every key, projected to the keys.

    Args:
        spec: ``{"keys": [...], "samples": N, "minStep"?: int, "maxStep"?: int}``; rows are
            sampled like :func:`history_page` among the rows that hold all the keys, with
            ``maxStep`` inclusive (unlike ``history``'s).
    Raises:
        ValueError: a spec field of the wrong kind, named.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 1, "history", 0, ['{"_step": 0, "a": 1}', '{"_step": 1, "b": 2}'])
    >>> sampled_history(conn, 1, {"keys": ["_step", "b"], "samples": 10})
    [{'_step': 1, 'b': 2}]
    """
    keys = _spec_keys(spec.get("keys"))
    samples = _spec_int(spec, "samples")
    if samples is not None and samples < 0:
        raise ValueError(f"sampledHistory spec 'samples' must not be negative, got {samples}")
    wanted = set(keys)
    keyset_pks = [
        int(pk)
        for pk, text in conn.execute(
            "SELECT pk, keys FROM history_keysets WHERE run_pk = ?", (run_pk,)
        )
        if wanted.issubset(json.loads(text))
    ]
    if not keyset_pks:
        return []
    last_step = _spec_int(spec, "maxStep")
    end = None if last_step is None else last_step + 1
    window = _Window(run_pk, "history", _spec_int(spec, "minStep"), end, keyset_pks)
    rows = (json.loads(body) for body in _select_sampled(conn, window, samples))
    return [{key: row[key] for key in keys} for row in rows]


def _spec_keys(value: object) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(k, str) for k in value):
        raise ValueError(
            f"sampledHistory spec 'keys' must be a non-empty list of strings, got {value!r}"
        )
    return list(dict.fromkeys(value))


def _spec_int(spec: Mapping[str, object], name: str) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"sampledHistory spec {name!r} must be an integer, got {value!r}")
    return value


# --------------------------------------------------------------------------- sampling


@dataclass(frozen=True)
class _Window:
    """Which rows a read covers: a run's stream, a step window, optionally some key sets."""

    run_pk: int
    stream: Stream
    min_step: int | None
    max_step: int | None
    keyset_pks: list[int] | None

    def where(self) -> tuple[str, tuple[object, ...]]:
        sql = "run_pk = ? AND stream = ?"
        params: list[object] = [self.run_pk, self.stream]
        if self.min_step is not None:
            sql += " AND step >= ?"
            params.append(self.min_step)
        if self.max_step is not None:
            sql += " AND step < ?"
            params.append(self.max_step)
        if self.keyset_pks is not None:
            sql += " AND keyset_pk IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(self.keyset_pks))
        return sql, tuple(params)


def _even_ranks(total: int, samples: int) -> list[int]:
    """``samples`` distinct ranks in ``range(total)``, evenly spread, first and last included.

    >>> _even_ranks(10, 3)
    [0, 5, 9]
    """
    if samples >= total:
        return list(range(total))
    if samples == 1:
        return [0]
    span, gaps = total - 1, samples - 1
    return [(2 * i * span + gaps) // (2 * gaps) for i in range(samples)]


def _select_sampled(conn: sqlite3.Connection, window: _Window, samples: int | None) -> list[str]:
    if samples is not None and samples < 0:
        raise ValueError(f"samples must not be negative, got {samples}")
    if samples == 0:
        return []
    where, params = window.where()
    ordered = f"SELECT body FROM history_lines WHERE {where} ORDER BY step, line_no"
    if samples is None:
        return [str(row[0]) for row in conn.execute(ordered, params)]
    if window.min_step is not None or window.max_step is not None:
        # A step window (a scan page) usually fits: O(page), the table hands rows over in
        # step order.
        first = _bodies(conn, f"{ordered} LIMIT ?", (*params, samples + 1))
        if len(first) <= samples:
            return first
    if line_count(conn, window.run_pk, window.stream) <= _BODIES_AT_ONCE:
        # The stream's line count bounds the window's rows: every body at once, then the
        # chosen ranks (one step of SQLite, no count first).
        every = _bodies(conn, ordered, params)
        if len(every) <= samples:
            return every
        return [every[rank] for rank in _even_ranks(len(every), samples)]
    total = int(
        conn.execute(f"SELECT COUNT(*) FROM history_lines WHERE {where}", params).fetchone()[0]
    )
    if total <= samples:
        return [str(row[0]) for row in conn.execute(ordered, params)]
    # Too many rows to hold: one pass in step order keeps the chosen ranks (about 3x cheaper
    # than ranking the rows with a window function and joining the chosen ones back).
    chosen = set(_even_ranks(total, samples))
    return [str(row[0]) for rank, row in enumerate(conn.execute(ordered, params)) if rank in chosen]


_BODIES_AT_ONCE = 50_000
"""Streams of at most this many lines are sampled from all their bodies fetched as one
value (:func:`_bodies`, about 10 MB); longer ones row by row, in bounded memory."""


_BODY_SEPARATOR = "\x1e"
"""Between the bodies :func:`_bodies` reads at once: a control character, which JSON text
never holds unescaped (every stored line was parsed as JSON when it came in)."""


def _bodies(conn: sqlite3.Connection, select: str, params: Sequence[object]) -> list[str]:
    """The ``body`` column of ``select``'s rows, in its order (a subquery's ORDER BY is kept
    for the aggregate around it), fetched as one value.

    Row by row, the sqlite3 module lets the interpreter lock go and takes it back for every
    row: with another request running beside it, each take waits its turn (up to the
    5 ms switch interval), and a sampled history of 2,000 rows took most of a request's
    time. One aggregate is one step. Should a body hold the separator after all (not JSON
    text a client sent: then the pieces outnumber the rows), the rows are read one by one.
    """
    rows, joined = conn.execute(
        f"SELECT COUNT(*), group_concat(body, char({ord(_BODY_SEPARATOR)})) FROM ({select})",
        params,
    ).fetchone()
    if not rows:
        return []
    bodies = str(joined).split(_BODY_SEPARATOR)
    if len(bodies) != rows:
        return [str(row[0]) for row in conn.execute(select, params)]
    return bodies
