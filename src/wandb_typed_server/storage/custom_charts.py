"""Custom chart presets (Vega specs an entity saves for ``wandb.plot_table``): storage."""

from __future__ import annotations

import sqlite3

from wandb_typed_server.storage.clock import utc_now_iso

__all__ = ["CUSTOM_CHART_DDL", "chart_by_pk", "find_chart", "insert_chart"]

CUSTOM_CHART_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS custom_charts (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        name TEXT NOT NULL,
        display_name TEXT NOT NULL,
        type TEXT NOT NULL,
        access TEXT NOT NULL,
        spec TEXT NOT NULL,
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (entity_pk, name)
    )""",
]

_CHART_SELECT = (
    "SELECT c.*, e.name AS entity_name FROM custom_charts c JOIN entities e ON e.pk = c.entity_pk"
)


def insert_chart(
    conn: sqlite3.Connection,
    *,
    entity_pk: int,
    name: str,
    display_name: str,
    chart_type: str,
    access: str,
    spec: str,
    user_pk: int,
) -> int:
    """Store a chart preset and return its primary key."""
    now = utc_now_iso()
    cursor = conn.execute(
        "INSERT INTO custom_charts (entity_pk, name, display_name, type, access, spec, user_pk,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entity_pk, name, display_name, chart_type, access, spec, user_pk, now, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def find_chart(conn: sqlite3.Connection, entity_name: str, name: str) -> sqlite3.Row | None:
    """The preset ``entity/name``, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{_CHART_SELECT} WHERE e.name = ? AND c.name = ?", (entity_name, name)
    ).fetchone()
    return row


def chart_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The preset with this primary key, or None."""
    row: sqlite3.Row | None = conn.execute(f"{_CHART_SELECT} WHERE c.pk = ?", (pk,)).fetchone()
    return row
