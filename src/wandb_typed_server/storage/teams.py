"""Teams: creation, roles, invitations and service accounts (storage queries).

Inviting a username, or an email an existing user has, adds that user to the team at once
(this server has no mail to send); inviting any other email leaves a pending invite, listed
as a pending member until it is deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from wandb_typed_server.storage.accounts import (
    NewApiKey,
    new_api_key,
    user_by_email,
    user_by_username,
)
from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.entities import create_user, find_entity
from wandb_typed_server.storage.principal import Principal

SERVICE_ACCOUNT_TYPE = "SERVICE"
MEMBER_ACCOUNT_TYPE = "MEMBER"


@dataclass(frozen=True)
class MemberRecord:
    """One member of a team, or a pending invite (``user_pk`` None, ``invite_pk`` set)."""

    user_pk: int | None
    invite_pk: int | None
    username: str | None
    name: str
    email: str | None
    admin: bool
    account_type: str

    @property
    def pending(self) -> bool:
        return self.invite_pk is not None


def create_team(
    conn: sqlite3.Connection, principal: Principal, team_name: str, admin_username: str | None
) -> sqlite3.Row:
    """A new team whose admin is ``admin_username`` (default: the caller)."""
    check_segment("team", team_name)
    if find_entity(conn, team_name) is not None:
        raise ValueError(f"createTeam: an entity named {team_name!r} already exists")
    admin_pk = principal.user_pk
    if admin_username and admin_username != principal.username:
        if not principal.is_admin:
            raise PermissionError(
                "createTeam: naming another user as team admin requires instance admin "
                f"permission; user {principal.username!r} is not an admin"
            )
        admin_row = user_by_username(conn, admin_username)
        if admin_row is None:
            raise LookupError(f"createTeam: no user named {admin_username!r}")
        admin_pk = int(admin_row["pk"])
    entity_pk = conn.execute(
        "INSERT INTO entities (name, is_team, user_pk, created_at) VALUES (?, 1, NULL, ?)",
        (team_name, utc_now_iso()),
    ).lastrowid
    assert entity_pk is not None
    add_member(conn, entity_pk, admin_pk, admin=True)
    team = find_entity(conn, team_name)
    assert team is not None
    return team


def add_member(
    conn: sqlite3.Connection,
    entity_pk: int,
    user_pk: int,
    *,
    admin: bool,
    account_type: str = MEMBER_ACCOUNT_TYPE,
) -> None:
    """Make the user a member of the team (idempotent; the role is updated)."""
    conn.execute(
        "INSERT OR IGNORE INTO team_members (entity_pk, user_pk) VALUES (?, ?)",
        (entity_pk, user_pk),
    )
    conn.execute(
        "INSERT INTO team_roles (entity_pk, user_pk, is_admin, account_type) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (entity_pk, user_pk) DO UPDATE SET is_admin = excluded.is_admin,"
        " account_type = excluded.account_type",
        (entity_pk, user_pk, int(admin), account_type),
    )


def require_team_admin(
    conn: sqlite3.Connection, principal: Principal, team: sqlite3.Row, operation: str
) -> None:
    """Raise PermissionError naming ``operation`` unless the caller administers ``team``."""
    if principal.is_admin:
        return
    row = conn.execute(
        "SELECT is_admin FROM team_roles WHERE entity_pk = ? AND user_pk = ?",
        (team["pk"], principal.user_pk),
    ).fetchone()
    if row is None or not row["is_admin"]:
        raise PermissionError(
            f"{operation} requires team admin permission on {team['name']!r}; user "
            f"{principal.username!r} is not an admin of it"
        )


def team_for_write(
    conn: sqlite3.Connection, principal: Principal, name: str, operation: str
) -> sqlite3.Row:
    """The team called ``name``, checked for the caller's admin permission."""
    team = find_entity(conn, name)
    if team is None or not team["is_team"]:
        raise LookupError(f"{operation}: no team named {name!r}")
    require_team_admin(conn, principal, team, operation)
    return team


def invite(
    conn: sqlite3.Connection,
    principal: Principal,
    team: sqlite3.Row,
    *,
    email: str | None,
    username: str | None,
    admin: bool,
) -> tuple[int | None, int | None]:
    """Invite by username or email; returns ``(user_pk, None)`` or ``(None, invite_pk)``."""
    if username:
        user = user_by_username(conn, username)
        if user is None:
            raise LookupError(f"createInvite: no user named {username!r}")
        add_member(conn, int(team["pk"]), int(user["pk"]), admin=admin)
        return int(user["pk"]), None
    if not email:
        raise ValueError("createInvite needs an email or a username")
    user = user_by_email(conn, email)
    if user is not None:
        add_member(conn, int(team["pk"]), int(user["pk"]), admin=admin)
        return int(user["pk"]), None
    invite_pk = conn.execute(
        "INSERT INTO team_invites (entity_pk, email, is_admin, from_user_pk, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity_pk, email) DO UPDATE SET"
        " is_admin = excluded.is_admin RETURNING pk",
        (team["pk"], email, int(admin), principal.user_pk, utc_now_iso()),
    ).fetchone()["pk"]
    return None, int(invite_pk)


def invite_row(conn: sqlite3.Connection, invite_pk: int) -> sqlite3.Row | None:
    """A pending invite with its team's name, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT i.*, e.name AS entity_name FROM team_invites i"
        " JOIN entities e ON e.pk = i.entity_pk WHERE i.pk = ?",
        (invite_pk,),
    ).fetchone()
    return row


def delete_invite(conn: sqlite3.Connection, invite_pk: int) -> bool:
    """Withdraw a pending invite; False when there is none."""
    return conn.execute("DELETE FROM team_invites WHERE pk = ?", (invite_pk,)).rowcount > 0


def remove_member(conn: sqlite3.Connection, entity_pk: int, user_pk: int) -> bool:
    """Remove a user from a team; False when they were not a member."""
    conn.execute("DELETE FROM team_roles WHERE entity_pk = ? AND user_pk = ?", (entity_pk, user_pk))
    return (
        conn.execute(
            "DELETE FROM team_members WHERE entity_pk = ? AND user_pk = ?", (entity_pk, user_pk)
        ).rowcount
        > 0
    )


def create_service_account(
    conn: sqlite3.Connection, team: sqlite3.Row, description: str
) -> tuple[int, NewApiKey]:
    """A service user in ``team`` with its own API key (returned once)."""
    base = f"{team['name']}-service"
    count = conn.execute(
        "SELECT COUNT(*) FROM team_roles WHERE entity_pk = ? AND account_type = ?",
        (team["pk"], SERVICE_ACCOUNT_TYPE),
    ).fetchone()[0]
    username = f"{base}-{int(count) + 1}"
    while user_by_username(conn, username) is not None or find_entity(conn, username):
        count += 1
        username = f"{base}-{int(count) + 1}"
    user_pk = create_user(conn, username, name=description or username)
    add_member(conn, int(team["pk"]), user_pk, admin=False, account_type=SERVICE_ACCOUNT_TYPE)
    return user_pk, new_api_key(conn, user_pk, description)


def team_members(
    conn: sqlite3.Connection, entity_pk: int, owner_pk: int | None
) -> list[MemberRecord]:
    """Members of a team (or the owner of a personal entity, whose account type is "USER" as
    on W&B), then pending invites."""
    rows = conn.execute(
        "SELECT u.pk, u.username, u.name, u.email, u.pk = ?2 AS owner,"
        " COALESCE(r.is_admin, 0) AS team_admin,"
        " CASE WHEN u.pk = ?2 THEN 'USER' ELSE COALESCE(r.account_type, 'MEMBER') END"
        " AS account_type"
        " FROM users u LEFT JOIN team_roles r ON r.user_pk = u.pk AND r.entity_pk = ?1"
        " WHERE u.pk = ?2 OR u.pk IN (SELECT user_pk FROM team_members WHERE entity_pk = ?1)"
        " ORDER BY u.username",
        (entity_pk, owner_pk),
    ).fetchall()
    members = [
        MemberRecord(
            user_pk=int(row["pk"]),
            invite_pk=None,
            username=row["username"],
            name=row["name"],
            email=row["email"],
            admin=bool(row["owner"] or row["team_admin"]),
            account_type=row["account_type"],
        )
        for row in rows
    ]
    invites = conn.execute(
        "SELECT * FROM team_invites WHERE entity_pk = ? ORDER BY pk", (entity_pk,)
    ).fetchall()
    members.extend(
        MemberRecord(
            user_pk=None,
            invite_pk=int(row["pk"]),
            username=None,
            name=row["email"],
            email=row["email"],
            admin=bool(row["is_admin"]),
            account_type=MEMBER_ACCOUNT_TYPE,
        )
        for row in invites
    )
    return members
