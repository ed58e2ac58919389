"""Organizations: the default one of a data dir, others made from the command line, their
members and teams, and the organization an entity belongs to."""

from __future__ import annotations

import sqlite3

from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso

DEFAULT_ORGANIZATION = "local"
ORG_ENTITY_SUFFIX = "-org"

ORG_SELECT = (
    "SELECT o.*, e.name AS entity_name FROM organizations o JOIN entities e ON e.pk = o.entity_pk"
)


class OrganizationError(ValueError):
    """An organization cannot be made or changed as asked (the message says why)."""


def find_organization(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """The organization called ``name`` (or whose org entity is called so), or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{ORG_SELECT} WHERE o.name = ? OR e.name = ? ORDER BY o.name = ? DESC",
        (name, name, name),
    ).fetchone()
    return row


def organization_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row:
    """The organization with this pk (it must exist)."""
    row: sqlite3.Row = conn.execute(f"{ORG_SELECT} WHERE o.pk = ?", (pk,)).fetchone()
    return row


def organization_names(conn: sqlite3.Connection) -> list[str]:
    """Every organization's name, in name order."""
    return [str(row[0]) for row in conn.execute("SELECT name FROM organizations ORDER BY name")]


def create_organization(
    conn: sqlite3.Connection, name: str, *, entity_name: str | None = None, is_default: bool = False
) -> int:
    """Make an organization and its org entity (``<name>-org`` unless named); returns its pk.

    Raises:
        OrganizationError: the organization or the entity name is taken.
    """
    check_segment("organization", name)
    entity_name = check_segment("entity", entity_name or f"{name}{ORG_ENTITY_SUFFIX}")
    if find_organization(conn, name) is not None:
        raise OrganizationError(f"organization {name!r} already exists")
    if conn.execute("SELECT 1 FROM entities WHERE name = ?", (entity_name,)).fetchone():
        raise OrganizationError(f"entity {entity_name!r} (for organization {name!r}) is taken")
    now = utc_now_iso()
    entity_pk = conn.execute(
        "INSERT INTO entities (name, is_team, user_pk, created_at) VALUES (?, 1, NULL, ?)",
        (entity_name, now),
    ).lastrowid
    org_pk = conn.execute(
        "INSERT INTO organizations (name, entity_pk, is_default, created_at) VALUES (?, ?, ?, ?)",
        (name, entity_pk, int(is_default), now),
    ).lastrowid
    assert org_pk is not None
    return org_pk


def ensure_default_organization(conn: sqlite3.Connection, admin_pk: int) -> None:
    """Make the default organization (once per data dir), with the admin as its admin."""
    if conn.execute("SELECT 1 FROM organizations WHERE is_default = 1").fetchone():
        return
    org_pk = create_organization(conn, DEFAULT_ORGANIZATION, is_default=True)
    conn.execute(
        "INSERT OR IGNORE INTO organization_members (org_pk, user_pk, role) VALUES (?, ?, 'ADMIN')",
        (org_pk, admin_pk),
    )


def _user_pk(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute("SELECT pk FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise OrganizationError(f"user {username!r} not found")
    return int(row["pk"])


def _org(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
    org = find_organization(conn, name)
    if org is None:
        raise OrganizationError(
            f"organization {name!r} not found (known: {', '.join(organization_names(conn))})"
        )
    return org


def add_member(conn: sqlite3.Connection, organization: str, username: str) -> None:
    """Make a user a member of an organization (idempotent)."""
    org = _org(conn, organization)
    conn.execute(
        "INSERT OR IGNORE INTO organization_members (org_pk, user_pk) VALUES (?, ?)",
        (org["pk"], _user_pk(conn, username)),
    )


def assign_team(conn: sqlite3.Connection, organization: str, team: str) -> None:
    """Move a team entity into an organization."""
    org = _org(conn, organization)
    row = conn.execute("SELECT pk, is_team FROM entities WHERE name = ?", (team,)).fetchone()
    if row is None or not row["is_team"] or is_org_entity(conn, int(row["pk"])):
        raise OrganizationError(f"team {team!r} not found")
    conn.execute(
        "INSERT INTO organization_teams (entity_pk, org_pk) VALUES (?, ?)"
        " ON CONFLICT (entity_pk) DO UPDATE SET org_pk = excluded.org_pk",
        (row["pk"], org["pk"]),
    )


def is_org_entity(conn: sqlite3.Connection, entity_pk: int) -> bool:
    """Whether the entity is an organization's own entity."""
    return bool(
        conn.execute("SELECT 1 FROM organizations WHERE entity_pk = ?", (entity_pk,)).fetchone()
    )


_MEMBER = (
    "(o.is_default = 1 OR EXISTS (SELECT 1 FROM organization_members m"
    " WHERE m.org_pk = o.pk AND m.user_pk = ?))"
)


def is_member(conn: sqlite3.Connection, org_pk: int, user_pk: int) -> bool:
    """Whether a user belongs to an organization (everyone belongs to the default one)."""
    return bool(
        conn.execute(
            f"SELECT 1 FROM organizations o WHERE o.pk = ? AND {_MEMBER}", (org_pk, user_pk)
        ).fetchone()
    )


def is_org_entity_member(conn: sqlite3.Connection, entity_pk: int, user_pk: int) -> bool:
    """Whether the entity is an org entity of an organization the user belongs to."""
    return bool(
        conn.execute(
            f"SELECT 1 FROM organizations o WHERE o.entity_pk = ? AND {_MEMBER}",
            (entity_pk, user_pk),
        ).fetchone()
    )


def organizations_of_user(conn: sqlite3.Connection, user_pk: int) -> list[sqlite3.Row]:
    """The organizations a user belongs to, by name."""
    return conn.execute(f"{ORG_SELECT} WHERE {_MEMBER} ORDER BY o.name", (user_pk,)).fetchall()


def organization_of_entity(conn: sqlite3.Connection, entity: sqlite3.Row) -> sqlite3.Row | None:
    """The organization an entity belongs to: an org entity's own; a team's (the default
    one unless assigned); a user's only organization (None when it has several)."""
    own = conn.execute(f"{ORG_SELECT} WHERE o.entity_pk = ?", (entity["pk"],)).fetchone()
    if own is not None:
        return own  # type: ignore[no-any-return]
    if entity["is_team"]:
        row = conn.execute(
            f"{ORG_SELECT} WHERE o.pk = coalesce((SELECT org_pk FROM organization_teams"
            " WHERE entity_pk = ?), (SELECT pk FROM organizations WHERE is_default = 1))",
            (entity["pk"],),
        ).fetchone()
        return row  # type: ignore[no-any-return]
    orgs = organizations_of_user(conn, int(entity["user_pk"]))
    return orgs[0] if len(orgs) == 1 else None
