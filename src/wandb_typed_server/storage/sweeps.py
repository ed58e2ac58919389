"""Sweeps, their agents and their trials: storage queries.

A sweep belongs to a project and is named by a short id (``entity/project/sweeps/<name>``);
its configuration is kept as the YAML text the client sent. An agent is one ``wandb agent``
process working on a sweep. A trial is a run the server handed to an agent (its name and
parameters), recorded before the run exists so that a grid never hands out a point twice;
the run itself joins the sweep through its ``sweep_name`` (upsertBucket's ``sweep``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from wandb_typed_server.storage.clock import utc_now_iso

__all__ = [
    "SWEEP_DDL",
    "SWEEP_STATES",
    "agent_by_pk",
    "count_sweep_runs",
    "count_sweeps",
    "find_sweep",
    "forget_trial",
    "insert_agent",
    "insert_sweep",
    "insert_trial",
    "list_agents",
    "list_sweeps",
    "mark_trial_stopped",
    "sweep_by_pk",
    "sweep_run_rows",
    "touch_agent",
    "trials_of",
    "update_sweep",
]

SWEEP_STATES = ("PENDING", "RUNNING", "PAUSED", "CANCELED", "FINISHED")

SWEEP_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS sweeps (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        name TEXT NOT NULL,
        display_name TEXT,
        description TEXT,
        method TEXT NOT NULL,
        config TEXT NOT NULL,
        state TEXT NOT NULL,
        user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        UNIQUE (project_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS sweep_agents (
        pk INTEGER PRIMARY KEY,
        sweep_pk INTEGER NOT NULL REFERENCES sweeps(pk),
        host TEXT NOT NULL,
        display_name TEXT,
        user_pk INTEGER REFERENCES users(pk),
        state TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sweep_trials (
        sweep_pk INTEGER NOT NULL REFERENCES sweeps(pk),
        run_name TEXT NOT NULL,
        agent_pk INTEGER,
        config TEXT NOT NULL,
        stop_requested INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        PRIMARY KEY (sweep_pk, run_name)
    ) WITHOUT ROWID""",
]

_SWEEP_SELECT = (
    "SELECT s.*, p.name AS project_name, e.name AS entity_name FROM sweeps s"
    " JOIN projects p ON p.pk = s.project_pk JOIN entities e ON e.pk = p.entity_pk"
)
_UPDATABLE = frozenset({"display_name", "description", "config", "method", "state"})


def insert_sweep(
    conn: sqlite3.Connection,
    project_pk: int,
    name: str,
    *,
    method: str,
    config: str,
    user_pk: int,
    display_name: str | None,
    description: str | None,
) -> int:
    """Store a new sweep (state ``PENDING``) and return its primary key."""
    now = utc_now_iso()
    cursor = conn.execute(
        "INSERT INTO sweeps (project_pk, name, display_name, description, method, config,"
        " state, user_pk, created_at, updated_at, heartbeat_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?)",
        (project_pk, name, display_name, description, method, config, user_pk, now, now, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def find_sweep(conn: sqlite3.Connection, project_pk: int, name: str) -> sqlite3.Row | None:
    """The sweep called ``name`` in a project, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{_SWEEP_SELECT} WHERE s.project_pk = ? AND s.name = ?", (project_pk, name)
    ).fetchone()
    return row


def sweep_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The sweep with this primary key, or None."""
    row: sqlite3.Row | None = conn.execute(f"{_SWEEP_SELECT} WHERE s.pk = ?", (pk,)).fetchone()
    return row


def list_sweeps(
    conn: sqlite3.Connection, project_pk: int, before_pk: int | None, limit: int
) -> list[sqlite3.Row]:
    """A project's sweeps, newest first, strictly older than ``before_pk``."""
    return conn.execute(
        f"{_SWEEP_SELECT} WHERE s.project_pk = ? AND s.pk < ? ORDER BY s.pk DESC LIMIT ?",
        (project_pk, before_pk if before_pk is not None else 2**62, limit),
    ).fetchall()


def count_sweeps(conn: sqlite3.Connection, project_pk: int) -> int:
    """How many sweeps a project has."""
    row = conn.execute("SELECT COUNT(*) FROM sweeps WHERE project_pk = ?", (project_pk,))
    return int(row.fetchone()[0])


def update_sweep(conn: sqlite3.Connection, pk: int, changes: Mapping[str, object]) -> None:
    """Set some of a sweep's columns (and its ``updated_at``)."""
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"sweep columns not updatable: {sorted(unknown)}")
    columns = [*changes, "updated_at"]
    values = [*changes.values(), utc_now_iso()]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    conn.execute(f"UPDATE sweeps SET {assignments} WHERE pk = ?", (*values, pk))


def sweep_run_rows(conn: sqlite3.Connection, sweep: sqlite3.Row) -> list[sqlite3.Row]:
    """The runs of a sweep (``pk``, ``name``, ``state``, ``config``, ``summary``)."""
    return conn.execute(
        "SELECT pk, name, state, config, summary FROM runs"
        " WHERE project_pk = ? AND sweep_name = ? ORDER BY pk",
        (sweep["project_pk"], sweep["name"]),
    ).fetchall()


def count_sweep_runs(conn: sqlite3.Connection, sweep: sqlite3.Row) -> int:
    """How many runs a sweep has."""
    row = conn.execute(
        "SELECT COUNT(*) FROM runs WHERE project_pk = ? AND sweep_name = ?",
        (sweep["project_pk"], sweep["name"]),
    ).fetchone()
    return int(row[0])


def insert_agent(
    conn: sqlite3.Connection,
    sweep_pk: int,
    host: str,
    user_pk: int,
    display_name: str | None,
) -> int:
    """Register an agent of a sweep and return its primary key."""
    now = utc_now_iso()
    cursor = conn.execute(
        "INSERT INTO sweep_agents (sweep_pk, host, display_name, user_pk, state, created_at,"
        " heartbeat_at) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?)",
        (sweep_pk, host, display_name, user_pk, now, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def agent_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The agent with this primary key, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM sweep_agents WHERE pk = ?", (pk,)
    ).fetchone()
    return row


def list_agents(conn: sqlite3.Connection, sweep_pk: int) -> list[sqlite3.Row]:
    """A sweep's agents, oldest first."""
    return conn.execute(
        "SELECT * FROM sweep_agents WHERE sweep_pk = ? ORDER BY pk", (sweep_pk,)
    ).fetchall()


def touch_agent(conn: sqlite3.Connection, pk: int, state: str, metrics: str | None) -> None:
    """Record an agent's heartbeat (its state and, when sent, its metrics)."""
    now = utc_now_iso()
    conn.execute(
        "UPDATE sweep_agents SET heartbeat_at = ?, state = ?, metrics = COALESCE(?, metrics)"
        " WHERE pk = ?",
        (now, state, metrics, pk),
    )
    conn.execute(
        "UPDATE sweeps SET heartbeat_at = ? WHERE pk = (SELECT sweep_pk FROM sweep_agents"
        " WHERE pk = ?)",
        (now, pk),
    )


def insert_trial(
    conn: sqlite3.Connection, sweep_pk: int, run_name: str, agent_pk: int, config: str
) -> None:
    """Record a run handed to an agent with its parameters (JSON ``{"k": {"value": v}}``)."""
    conn.execute(
        "INSERT INTO sweep_trials (sweep_pk, run_name, agent_pk, config, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (sweep_pk, run_name, agent_pk, config, utc_now_iso()),
    )


def trials_of(conn: sqlite3.Connection, sweep_pk: int) -> list[sqlite3.Row]:
    """A sweep's handed-out trials, oldest first, with the state of their run (NULL while the
    run does not exist yet), its primary key and summary, and their agent's last heartbeat."""
    return conn.execute(
        "SELECT t.run_name, t.agent_pk, t.config, t.stop_requested, r.pk AS run_pk,"
        " r.state AS run_state, r.summary AS run_summary, a.heartbeat_at AS agent_heartbeat_at"
        " FROM sweep_trials t JOIN sweeps s ON s.pk = t.sweep_pk"
        " LEFT JOIN runs r ON r.project_pk = s.project_pk AND r.name = t.run_name"
        " LEFT JOIN sweep_agents a ON a.pk = t.agent_pk"
        " WHERE t.sweep_pk = ? ORDER BY t.created_at, t.run_name",
        (sweep_pk,),
    ).fetchall()


def mark_trial_stopped(conn: sqlite3.Connection, sweep_pk: int, run_name: str) -> None:
    """Remember that the agent was told to stop this trial's run."""
    conn.execute(
        "UPDATE sweep_trials SET stop_requested = 1 WHERE sweep_pk = ? AND run_name = ?",
        (sweep_pk, run_name),
    )


def forget_trial(conn: sqlite3.Connection, sweep_pk: int, run_name: str) -> None:
    """Drop a handed-out trial whose run never started (its point goes back to the search)."""
    conn.execute(
        "DELETE FROM sweep_trials WHERE sweep_pk = ? AND run_name = ?", (sweep_pk, run_name)
    )
