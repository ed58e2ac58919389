"""API keys and who is asking: HTTP Basic ``api:<key>``, keys stored as sha256 only."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.db import Database

ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class Principal:
    """The user an API key belongs to."""

    user_pk: int
    username: str
    is_admin: bool


def hash_api_key(api_key: str) -> str:
    """The stored form of a key (keys are random, so plain sha256 is enough).

    >>> len(hash_api_key("k"))
    64
    """
    return hashlib.sha256(api_key.encode()).hexdigest()


def generate_api_key() -> str:
    """A new random key in the shape the official SDK accepts: 40 lowercase hex chars."""
    return secrets.token_hex(20)


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


def add_api_key(conn: sqlite3.Connection, user_pk: int, api_key: str) -> None:
    """Let ``api_key`` authenticate as the user (idempotent)."""
    conn.execute(
        "INSERT OR IGNORE INTO api_keys (user_pk, key_sha256, created_at) VALUES (?, ?, ?)",
        (user_pk, hash_api_key(api_key), utc_now_iso()),
    )


def ensure_admin(db: Database, api_key: str | None) -> str | None:
    """Make sure the admin user exists and has a key.

    With ``api_key`` that key is registered. Without one, a key is generated only when the
    admin has none yet; that new key is returned (to be printed once) and never stored in
    clear. Returns None when no key was generated.
    """
    with db.transaction() as conn:
        row = conn.execute("SELECT pk FROM users WHERE username = ?", (ADMIN_USERNAME,)).fetchone()
        admin_pk = int(row["pk"]) if row else create_user(conn, ADMIN_USERNAME, is_admin=True)
        if api_key is not None:
            add_api_key(conn, admin_pk, api_key)
            return None
        has_key = conn.execute("SELECT 1 FROM api_keys WHERE user_pk = ?", (admin_pk,)).fetchone()
        if has_key:
            return None
        new_key = generate_api_key()
        add_api_key(conn, admin_pk, new_key)
        return new_key


def api_key_from_header(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Basic base64(api:<key>)`` header, or None.

    >>> api_key_from_header("Basic " + base64.b64encode(b"api:abc").decode())
    'abc'
    """
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, key = decoded.partition(":")
    return key if sep and key else None


def authenticate(conn: sqlite3.Connection, authorization: str | None) -> Principal | None:
    """The principal for an Authorization header; None for a missing or unknown key."""
    api_key = api_key_from_header(authorization)
    if api_key is None:
        return None
    row = conn.execute(
        "SELECT u.pk, u.username, u.is_admin FROM api_keys k JOIN users u ON u.pk = k.user_pk"
        " WHERE k.key_sha256 = ?",
        (hash_api_key(api_key),),
    ).fetchone()
    if row is None:
        return None
    return Principal(
        user_pk=int(row["pk"]), username=row["username"], is_admin=bool(row["is_admin"])
    )
