"""Views (reports are views of type ``runs``): storage queries.

A view belongs to an entity and usually to a project; its ``spec`` is the JSON text the
client saved (a report's blocks, panel groups and run sets).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from wandb_typed_server.storage.clock import utc_now_iso

__all__ = [
    "VIEW_DDL",
    "delete_view",
    "insert_view",
    "list_views",
    "update_view",
    "view_by_pk",
]

VIEW_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS views (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        project_pk INTEGER REFERENCES projects(pk),
        name TEXT NOT NULL,
        display_name TEXT,
        description TEXT,
        type TEXT NOT NULL,
        spec TEXT NOT NULL,
        locked INTEGER NOT NULL DEFAULT 0,
        parent_pk INTEGER,
        user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS views_by_project ON views (project_pk, type, name)",
]

_VIEW_SELECT = (
    "SELECT v.*, e.name AS entity_name, p.name AS project_name FROM views v"
    " JOIN entities e ON e.pk = v.entity_pk LEFT JOIN projects p ON p.pk = v.project_pk"
)
_UPDATABLE = frozenset({"name", "display_name", "description", "type", "spec", "locked"})


def insert_view(
    conn: sqlite3.Connection,
    *,
    entity_pk: int,
    project_pk: int | None,
    name: str,
    view_type: str,
    spec: str,
    user_pk: int,
    display_name: str | None,
    description: str | None,
    parent_pk: int | None,
) -> int:
    """Store a new view and return its primary key."""
    now = utc_now_iso()
    cursor = conn.execute(
        "INSERT INTO views (entity_pk, project_pk, name, display_name, description, type,"
        " spec, parent_pk, user_pk, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entity_pk,
            project_pk,
            name,
            display_name,
            description,
            view_type,
            spec,
            parent_pk,
            user_pk,
            now,
            now,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def view_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The view with this primary key, or None."""
    row: sqlite3.Row | None = conn.execute(f"{_VIEW_SELECT} WHERE v.pk = ?", (pk,)).fetchone()
    return row


def list_views(
    conn: sqlite3.Connection,
    project_pk: int,
    *,
    view_type: str | None,
    name: str | None,
    before_pk: int | None,
    limit: int,
) -> list[sqlite3.Row]:
    """A project's views (of a type, with a name, when given), newest first, strictly older
    than ``before_pk``."""
    sql = f"{_VIEW_SELECT} WHERE v.project_pk = ? AND v.pk < ?"
    params: list[object] = [project_pk, before_pk if before_pk is not None else 2**62]
    if view_type is not None:
        sql += " AND v.type = ?"
        params.append(view_type)
    if name is not None:
        sql += " AND v.name = ?"
        params.append(name)
    return conn.execute(f"{sql} ORDER BY v.pk DESC LIMIT ?", (*params, limit)).fetchall()


def update_view(conn: sqlite3.Connection, pk: int, changes: Mapping[str, object]) -> None:
    """Set some of a view's columns (and its ``updated_at``)."""
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"view columns not updatable: {sorted(unknown)}")
    columns = [*changes, "updated_at"]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    conn.execute(
        f"UPDATE views SET {assignments} WHERE pk = ?", (*changes.values(), utc_now_iso(), pk)
    )


def delete_view(conn: sqlite3.Connection, pk: int) -> None:
    """Delete a view and its drafts (views whose parent it is)."""
    conn.execute("DELETE FROM views WHERE parent_pk = ?", (pk,))
    conn.execute("DELETE FROM views WHERE pk = ?", (pk,))
