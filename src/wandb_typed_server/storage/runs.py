"""Runs (W&B's "buckets"): storage queries. Listing uses keyset pagination from run_order.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from wandb_typed_server.storage import automation_events
from wandb_typed_server.storage.artifact_links import forget_run
from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.history import delete_run_rows
from wandb_typed_server.storage.run_fields import SqlClause
from wandb_typed_server.storage.run_names import display_name_for
from wandb_typed_server.storage.run_order import OrderSpec, encode_cursor, keyset_after

# Everything a Run object needs in one row: no per-run queries when listing.
_RUN_COLUMNS = (
    "r.*, u.name AS user_name, u.email AS user_email, p.name AS project_name, e.name AS entity_name"
)
_RUN_FROM = (
    " FROM runs r JOIN users u ON u.pk = r.user_pk JOIN projects p ON p.pk = r.project_pk"
    " JOIN entities e ON e.pk = p.entity_pk"
)
RUN_SELECT = f"SELECT {_RUN_COLUMNS}{_RUN_FROM}"

# Columns a client may set through upsertBucket (or file_stream for state/summary).
UPDATABLE_COLUMNS = frozenset(
    {
        "display_name",
        "notes",
        "group_name",
        "job_type",
        "host",
        "commit_hash",
        "sweep_name",
        "state",
        "tags",
        "config",
        "summary",
        "exitcode",
        "duration",
    }
)


@dataclass(frozen=True)
class RunPage:
    """One page of runs with the cursor of each row."""

    rows: list[sqlite3.Row]
    cursors: list[str]
    has_next_page: bool


def find_run(conn: sqlite3.Connection, project_pk: int, name: str) -> sqlite3.Row | None:
    """The run called ``name`` in a project, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{RUN_SELECT} WHERE r.project_pk = ? AND r.name = ?", (project_pk, name)
    ).fetchone()
    return row


def find_run_by_path(
    conn: sqlite3.Connection, entity: str, project: str, name: str
) -> sqlite3.Row | None:
    """The run ``entity/project/name``, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{RUN_SELECT} WHERE e.name = ? AND p.name = ? AND r.name = ?", (entity, project, name)
    ).fetchone()
    return row


def run_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The run with this primary key, or None."""
    row: sqlite3.Row | None = conn.execute(f"{RUN_SELECT} WHERE r.pk = ?", (pk,)).fetchone()
    return row


def insert_run(
    conn: sqlite3.Connection, project_pk: int, name: str, user_pk: int, username: str
) -> int:
    """Create a running run (named ``adjective-noun-N`` until told otherwise); returns its pk."""
    check_segment("run", name)
    now = utc_now_iso()
    conn.execute(
        "INSERT INTO project_run_counters (project_pk, created) VALUES (?, 1)"
        " ON CONFLICT (project_pk) DO UPDATE SET created = created + 1",
        (project_pk,),
    )
    (number,) = conn.execute(
        "SELECT created FROM project_run_counters WHERE project_pk = ?", (project_pk,)
    ).fetchone()
    display_name = display_name_for(int(number))
    pk = conn.execute(
        "INSERT INTO runs (project_pk, name, display_name, state, created_at, heartbeat_at,"
        " updated_at, user_pk, username) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
        (project_pk, name, display_name, now, now, now, user_pk, username),
    ).lastrowid
    assert pk is not None
    return pk


def update_run(conn: sqlite3.Connection, pk: int, changes: Mapping[str, object]) -> None:
    """Set columns of a run (names checked against UPDATABLE_COLUMNS) and touch updated_at."""
    unknown = set(changes) - UPDATABLE_COLUMNS
    if unknown:
        raise ValueError(f"not updatable run columns: {sorted(unknown)}")
    assignments = ", ".join(f"{column} = ?" for column in changes)
    params = (*changes.values(), utc_now_iso(), pk)
    separator = ", " if assignments else ""
    new_state = changes.get("state")
    before = (
        conn.execute("SELECT state FROM runs WHERE pk = ?", (pk,)).fetchone()
        if isinstance(new_state, str)
        else None
    )
    conn.execute(f"UPDATE runs SET {assignments}{separator}updated_at = ? WHERE pk = ?", params)
    if before is not None and isinstance(new_state, str):
        automation_events.on_run_state(conn, pk, str(before[0]), new_state)


def touch_heartbeat(conn: sqlite3.Connection, pk: int) -> None:
    """Record that the run's process is alive; duration follows the heartbeat."""
    now = utc_now_iso()
    conn.execute(
        "UPDATE runs SET heartbeat_at = ?, updated_at = ?,"
        " duration = MAX(duration, (julianday(?) - julianday(created_at)) * 86400.0)"
        " WHERE pk = ?",
        (now, now, now, pk),
    )


def run_page_query(
    project_pk: int, where: SqlClause, order: OrderSpec, after: str | None, limit: int
) -> SqlClause:
    """The SQL of one keyset page (``limit`` rows after the cursor), also used to check plans."""
    keyset = keyset_after(order, after) if after else SqlClause("1", ())
    return SqlClause(
        f"SELECT {order.expr} AS _sort_value, {_RUN_COLUMNS}{_RUN_FROM}"
        f" WHERE r.project_pk = ? AND ({where.sql}) AND ({keyset.sql})"
        f" ORDER BY {order.order_by} LIMIT ?",
        (project_pk, *where.params, *keyset.params, limit),
    )


def list_runs(
    conn: sqlite3.Connection,
    project_pk: int,
    where: SqlClause,
    order: OrderSpec,
    after: str | None,
    limit: int,
) -> RunPage:
    """A page of a project's runs matching ``where``, in ``order``, after a cursor."""
    query = run_page_query(project_pk, where, order, after, limit + 1)
    rows = conn.execute(query.sql, query.params).fetchall()
    page = rows[:limit]
    cursors = [encode_cursor(order, row["_sort_value"], int(row["pk"])) for row in page]
    return RunPage(rows=page, cursors=cursors, has_next_page=len(rows) > limit)


def count_runs(conn: sqlite3.Connection, project_pk: int, where: SqlClause) -> int:
    """How many of a project's runs match ``where``."""
    row = conn.execute(
        f"SELECT COUNT(*) FROM runs r WHERE r.project_pk = ? AND ({where.sql})",
        (project_pk, *where.params),
    ).fetchone()
    return int(row[0])


def delete_run(conn: sqlite3.Connection, pk: int) -> None:
    """Remove a run and everything stored with it in the database (the artifacts it logged
    stay, without their run)."""
    delete_run_rows(conn, pk)
    forget_run(conn, pk)
    conn.execute("DELETE FROM console_lines WHERE run_pk = ?", (pk,))
    conn.execute("DELETE FROM run_files WHERE run_pk = ?", (pk,))
    conn.execute("DELETE FROM runs WHERE pk = ?", (pk,))


def mark_stale_runs_crashed(conn: sqlite3.Connection, heartbeat_before: str) -> int:
    """Silent runs end: "running" becomes "crashed", "preempting" becomes "preempted"."""
    ended = conn.execute(
        "UPDATE runs SET state = CASE state WHEN 'running' THEN 'crashed' ELSE 'preempted' END"
        " WHERE state IN ('running', 'preempting') AND heartbeat_at < ? RETURNING pk, state",
        (heartbeat_before,),
    ).fetchall()
    for row in ended:
        old = "running" if row["state"] == "crashed" else "preempting"
        automation_events.on_run_state(conn, int(row["pk"]), old, str(row["state"]))
    return len(ended)
