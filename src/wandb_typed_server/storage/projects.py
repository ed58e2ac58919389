"""Projects (W&B's "models"): storage queries."""

from __future__ import annotations

import sqlite3

from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.entities import writable_entity
from wandb_typed_server.storage.principal import Principal

# Deleted projects (registries) stay as rows but are hidden from every lookup; a registry's
# settings come along (null for plain projects).
PROJECT_SELECT = (
    "SELECT p.*, e.name AS entity_name, rs.access AS registry_access,"
    " rs.allow_all_types AS registry_allow_all FROM projects p"
    " JOIN entities e ON e.pk = p.entity_pk"
    " AND NOT EXISTS (SELECT 1 FROM deleted_projects d WHERE d.project_pk = p.pk)"
    " LEFT JOIN registry_settings rs ON rs.project_pk = p.pk"
)


def find_project(conn: sqlite3.Connection, entity_name: str, name: str) -> sqlite3.Row | None:
    """The project ``entity_name/name`` or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{PROJECT_SELECT} WHERE e.name = ? AND p.name = ?", (entity_name, name)
    ).fetchone()
    return row


def project_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The project with this primary key or None."""
    row: sqlite3.Row | None = conn.execute(f"{PROJECT_SELECT} WHERE p.pk = ?", (pk,)).fetchone()
    return row


def get_or_create_project(
    conn: sqlite3.Connection, principal: Principal, entity_name: str, name: str
) -> sqlite3.Row:
    """The project, created (and its entity checked for write access) when missing."""
    entity = writable_entity(conn, principal, entity_name)
    existing = find_project(conn, entity_name, name)
    if existing is not None:
        return existing
    check_segment("project", name)
    now = utc_now_iso()
    conn.execute(
        "INSERT INTO projects (entity_pk, name, user_pk, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (entity["pk"], name, principal.user_pk, now, now),
    )
    created = find_project(conn, entity_name, name)
    assert created is not None
    return created


def list_projects(
    conn: sqlite3.Connection, entity_pk: int, after_name: str | None, limit: int
) -> list[sqlite3.Row]:
    """Projects of an entity ordered by name, strictly after ``after_name``."""
    return conn.execute(
        f"{PROJECT_SELECT} WHERE p.entity_pk = ? AND p.name > ? ORDER BY p.name LIMIT ?",
        (entity_pk, after_name or "", limit),
    ).fetchall()


def set_project_description(conn: sqlite3.Connection, pk: int, description: str) -> None:
    """Replace a project's description."""
    conn.execute("UPDATE projects SET description = ? WHERE pk = ?", (description, pk))
