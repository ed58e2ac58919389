"""Users and teams: the entities that own projects, and who may touch them."""

from __future__ import annotations

import sqlite3

from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.organizations import is_org_entity_member
from wandb_typed_server.storage.principal import Principal


class AccessDeniedError(PermissionError):
    """The caller may not read or write the named entity."""


def find_entity(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """The entity called ``name``, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM entities WHERE name = ?", (name,)
    ).fetchone()
    return row


def can_access(conn: sqlite3.Connection, principal: Principal, entity: sqlite3.Row) -> bool:
    """Admins see everything; users see their own entity, teams they belong to and the org
    entities of their organizations."""
    if principal.is_admin or entity["user_pk"] == principal.user_pk:
        return True
    if is_org_entity_member(conn, int(entity["pk"]), principal.user_pk):
        return True
    member = conn.execute(
        "SELECT 1 FROM team_members WHERE entity_pk = ? AND user_pk = ?",
        (entity["pk"], principal.user_pk),
    ).fetchone()
    return member is not None


def readable_entity(
    conn: sqlite3.Connection, principal: Principal, name: str
) -> sqlite3.Row | None:
    """The entity if it exists and the caller may read it, else None (no existence leak)."""
    entity = find_entity(conn, name)
    if entity is None or not can_access(conn, principal, entity):
        return None
    return entity


def writable_entity(conn: sqlite3.Connection, principal: Principal, name: str) -> sqlite3.Row:
    """The entity to write into; an admin writing to a new name creates a team for it."""
    entity = find_entity(conn, name)
    if entity is None:
        if not principal.is_admin:
            raise AccessDeniedError(f"entity {name!r} does not exist")
        check_segment("entity", name)
        entity_pk = conn.execute(
            "INSERT INTO entities (name, is_team, user_pk, created_at) VALUES (?, 1, NULL, ?)",
            (name, utc_now_iso()),
        ).lastrowid
        conn.execute(
            "INSERT INTO team_members (entity_pk, user_pk) VALUES (?, ?)",
            (entity_pk, principal.user_pk),
        )
        entity = find_entity(conn, name)
        assert entity is not None
    if not can_access(conn, principal, entity):
        raise AccessDeniedError(f"user {principal.username!r} may not write to entity {name!r}")
    return entity


def create_user(
    conn: sqlite3.Connection, username: str, *, is_admin: bool = False, name: str | None = None
) -> int:
    """Create a user and its personal entity; returns the user's pk."""
    now = utc_now_iso()
    user_pk = conn.execute(
        "INSERT INTO users (username, name, is_admin, created_at) VALUES (?, ?, ?, ?)",
        (username, name or username, int(is_admin), now),
    ).lastrowid
    assert user_pk is not None
    conn.execute(
        "INSERT INTO entities (name, is_team, user_pk, created_at) VALUES (?, 0, ?, ?)",
        (username, user_pk, now),
    )
    return user_pk


def entity_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row:
    """The entity with this pk (it must exist)."""
    row: sqlite3.Row = conn.execute("SELECT * FROM entities WHERE pk = ?", (pk,)).fetchone()
    return row


def user_row(conn: sqlite3.Connection, user_pk: int) -> sqlite3.Row:
    """The user with this pk (it must exist)."""
    row: sqlite3.Row = conn.execute("SELECT * FROM users WHERE pk = ?", (user_pk,)).fetchone()
    return row


def team_names(conn: sqlite3.Connection, user_pk: int) -> list[str]:
    """Names of the teams a user belongs to."""
    rows = conn.execute(
        "SELECT e.name FROM team_members m JOIN entities e ON e.pk = m.entity_pk"
        " WHERE m.user_pk = ? ORDER BY e.name",
        (user_pk,),
    ).fetchall()
    return [str(row["name"]) for row in rows]
