"""Tables for accounts beyond login: API key names, team roles, invites, service accounts.

Kept free of imports so that ``db.py`` can create them with the core tables.
"""

from __future__ import annotations

ACCOUNT_DDL: list[str] = [
    # The public, non-secret name and description of an API key (the key itself is only
    # stored as its sha256 in api_keys). Keys without a row here are named "key-<pk>".
    """CREATE TABLE IF NOT EXISTS api_key_names (
        key_pk INTEGER PRIMARY KEY REFERENCES api_keys(pk) ON DELETE CASCADE,
        name TEXT NOT NULL UNIQUE,
        description TEXT
    )""",
    # Per-team role of a member: team admin or not; "SERVICE" for service accounts.
    """CREATE TABLE IF NOT EXISTS team_roles (
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        is_admin INTEGER NOT NULL DEFAULT 0,
        account_type TEXT NOT NULL DEFAULT 'MEMBER',
        PRIMARY KEY (entity_pk, user_pk)
    ) WITHOUT ROWID""",
    # Invitations to a team for an email no user has yet (pending members).
    """CREATE TABLE IF NOT EXISTS team_invites (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        email TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        from_user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        UNIQUE (entity_pk, email)
    )""",
]
