"""API keys: stored as sha256 only; the admin user and its key; the user behind a key."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3

from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.entities import create_user
from wandb_typed_server.storage.organizations import ensure_default_organization
from wandb_typed_server.storage.principal import Principal

ADMIN_USERNAME = "admin"


def hash_api_key(api_key: str) -> str:
    """The stored form of a key (keys are random, so plain sha256 is enough).

    >>> len(hash_api_key("k"))
    64
    """
    return hashlib.sha256(api_key.encode()).hexdigest()


def generate_api_key() -> str:
    """A new random key in the shape the official SDK accepts: 40 lowercase hex chars."""
    return secrets.token_hex(20)


# How many leading characters of a key make its public name (more when two keys share them).
KEY_NAME_LENGTH = 12


def add_api_key(conn: sqlite3.Connection, user_pk: int, api_key: str) -> int:
    """Let ``api_key`` authenticate as the user (idempotent); returns the key's pk.

    A new key is named, as on W&B, by a prefix of itself: its first :data:`KEY_NAME_LENGTH`
    characters, or more when another key already has that name. Only the name is kept in
    clear; the whole key is stored as its sha256.
    """
    key_hash = hash_api_key(api_key)
    conn.execute(
        "INSERT OR IGNORE INTO api_keys (user_pk, key_sha256, created_at) VALUES (?, ?, ?)",
        (user_pk, key_hash, utc_now_iso()),
    )
    key_pk = int(
        conn.execute("SELECT pk FROM api_keys WHERE key_sha256 = ?", (key_hash,)).fetchone()[0]
    )
    named = conn.execute("SELECT 1 FROM api_key_names WHERE key_pk = ?", (key_pk,)).fetchone()
    length = KEY_NAME_LENGTH
    while named is None and length <= len(api_key):
        inserted = conn.execute(
            "INSERT OR IGNORE INTO api_key_names (key_pk, name) VALUES (?, ?)",
            (key_pk, api_key[:length]),
        )
        named = inserted.rowcount or None
        length += 1
    return key_pk


def ensure_admin(db: Database, api_key: str | None) -> str | None:
    """Make sure the admin user exists and has a key.

    With ``api_key`` that key is registered. Without one, a key is generated only when the
    admin has none yet; that new key is returned (to be printed once) and never stored in
    clear. Returns None when no key was generated.
    """
    with db.transaction() as conn:
        row = conn.execute("SELECT pk FROM users WHERE username = ?", (ADMIN_USERNAME,)).fetchone()
        admin_pk = int(row["pk"]) if row else create_user(conn, ADMIN_USERNAME, is_admin=True)
        ensure_default_organization(conn, admin_pk)
        if api_key is not None:
            add_api_key(conn, admin_pk, api_key)
            return None
        has_key = conn.execute("SELECT 1 FROM api_keys WHERE user_pk = ?", (admin_pk,)).fetchone()
        if has_key:
            return None
        new_key = generate_api_key()
        add_api_key(conn, admin_pk, new_key)
        return new_key


def principal_for_api_key(conn: sqlite3.Connection, api_key: str) -> Principal | None:
    """The user ``api_key`` belongs to; None for an unknown key."""
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
