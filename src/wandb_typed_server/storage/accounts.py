"""User accounts and API keys: search, creation by an admin, key generation and deletion.

A key's secret is shown once, when it is generated, and stored only as its sha256 (see
keys.py); listings show the key's public name (``key-…``), which cannot be used to log in.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from wandb_typed_server.storage.entities import create_user
from wandb_typed_server.storage.keys import add_api_key, generate_api_key
from wandb_typed_server.storage.principal import Principal


class AdminRequiredError(PermissionError):
    """The operation needs an instance admin's API key."""


@dataclass(frozen=True)
class NewApiKey:
    """A key just generated: its secret is returned to the caller once and never again."""

    key_pk: int
    name: str
    description: str | None
    secret: str


def require_admin(principal: Principal, operation: str) -> None:
    """Raise :class:`AdminRequiredError` naming ``operation`` unless the caller is an admin.

    >>> require_admin(Principal(1, "admin", True), "createUser")
    """
    if not principal.is_admin:
        raise AdminRequiredError(
            f"{operation} requires instance admin permission; user {principal.username!r} "
            "is not an admin"
        )


def search_users(conn: sqlite3.Connection, query: str | None, limit: int) -> list[sqlite3.Row]:
    """Users whose username, name or email contains ``query`` (all users for none)."""
    pattern = f"%{_escape_like(query or '')}%"
    return conn.execute(
        "SELECT * FROM users WHERE username LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'"
        " OR COALESCE(email, '') LIKE ?1 ESCAPE '\\' ORDER BY username LIMIT ?2",
        (pattern, limit),
    ).fetchall()


def user_by_username(conn: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    """The user with this username, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM users WHERE username = ?", (username,)
    ).fetchone()
    return row


def user_by_email(conn: sqlite3.Connection, email: str) -> sqlite3.Row | None:
    """The user with this email (case-insensitive), or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM users WHERE lower(email) = lower(?) ORDER BY pk LIMIT 1", (email,)
    ).fetchone()
    return row


def create_user_with_email(conn: sqlite3.Connection, email: str, *, is_admin: bool) -> int:
    """A new user for ``email``; the username is the email's local part, made unique.

    >>> username_base("Jane.Doe+x@example.com")
    'jane-doe-x'
    """
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise ValueError(f"createUser: {email!r} is not an email address")
    if user_by_email(conn, email) is not None:
        raise ValueError(f"createUser: a user with email {email!r} already exists")
    base = username_base(email)
    username = _unique_username(conn, base)
    user_pk = create_user(conn, username, is_admin=is_admin, name=base)
    conn.execute("UPDATE users SET email = ? WHERE pk = ?", (email, user_pk))
    return user_pk


def username_base(email: str) -> str:
    """A username from an email's local part: lowercase letters, digits, ``-`` and ``_``."""
    local = email.split("@", 1)[0].lower()
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", local).strip("-")
    return cleaned or "user"


def _unique_username(conn: sqlite3.Connection, base: str) -> str:
    candidate, suffix = base, 1
    while conn.execute(
        "SELECT 1 FROM entities WHERE name = ? UNION SELECT 1 FROM users WHERE username = ?",
        (candidate, candidate),
    ).fetchone():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def new_api_key(conn: sqlite3.Connection, user_pk: int, description: str | None) -> NewApiKey:
    """Generate a key for the user: stored hashed, named publicly by a prefix of itself."""
    secret = generate_api_key()
    key_pk = add_api_key(conn, user_pk, secret)
    conn.execute("UPDATE api_key_names SET description = ? WHERE key_pk = ?", (description, key_pk))
    name = conn.execute("SELECT name FROM api_key_names WHERE key_pk = ?", (key_pk,)).fetchone()
    return NewApiKey(key_pk=key_pk, name=str(name[0]), description=description, secret=secret)


def list_api_keys(conn: sqlite3.Connection, user_pk: int) -> list[sqlite3.Row]:
    """A user's keys as ``pk``, ``name``, ``description`` (oldest first)."""
    return conn.execute(
        "SELECT k.pk, COALESCE(n.name, 'key-' || k.pk) AS name, n.description"
        " FROM api_keys k LEFT JOIN api_key_names n ON n.key_pk = k.pk"
        " WHERE k.user_pk = ? ORDER BY k.pk",
        (user_pk,),
    ).fetchall()


def delete_api_key(conn: sqlite3.Connection, principal: Principal, key_pk: int) -> bool:
    """Delete a key; only its owner or an admin may. False when there is no such key."""
    row = conn.execute("SELECT user_pk FROM api_keys WHERE pk = ?", (key_pk,)).fetchone()
    if row is None:
        return False
    if int(row["user_pk"]) != principal.user_pk and not principal.is_admin:
        raise PermissionError(
            f"deleteApiKey: user {principal.username!r} may delete only their own API keys"
        )
    conn.execute("DELETE FROM api_key_names WHERE key_pk = ?", (key_pk,))
    conn.execute("DELETE FROM api_keys WHERE pk = ?", (key_pk,))
    return True


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
