"""Tables for automations: integrations, team secrets, triggers and their deliveries.

Kept free of imports so that ``db.py`` can create them with the core tables.

- an **integration** belongs to an entity: a generic webhook (name, URL, the names of the
  team secrets holding its signing secret and access token) or a Slack channel;
- a **team secret** is a named value of an entity; no read of the API ever returns it, the
  delivery worker substitutes it when it sends;
- a **trigger** (an automation) has a scope (a project or an artifact collection), an event
  type with its filter (JSON as the client sent it) and an action (type + JSON config);
- ids of integrations and triggers are never reused (AUTOINCREMENT), so a deleted
  automation's id never names another one;
- a **delivery** is one action owed for one event: created in the transaction of the write
  that caused the event (``UNIQUE (trigger_pk, event_key)``: one per event), then sent by the
  delivery worker off the request path, with its attempts, last status and last error.
"""

from __future__ import annotations

AUTOMATION_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS integrations (
        pk INTEGER PRIMARY KEY AUTOINCREMENT,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        kind TEXT NOT NULL CHECK (kind IN ('GENERIC_WEBHOOK', 'SLACK')),
        name TEXT NOT NULL,
        url TEXT,
        secret_ref TEXT,
        access_token_ref TEXT,
        team_name TEXT,
        channel_name TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS team_secrets (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (entity_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS triggers (
        pk INTEGER PRIMARY KEY AUTOINCREMENT,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        name TEXT NOT NULL,
        description TEXT,
        enabled INTEGER NOT NULL,
        scope_type TEXT NOT NULL,
        scope_pk INTEGER NOT NULL,
        event_type TEXT NOT NULL,
        event_filter TEXT NOT NULL,
        action_type TEXT NOT NULL,
        action_config TEXT NOT NULL,
        user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (entity_pk, name)
    )""",
    "CREATE INDEX IF NOT EXISTS triggers_scope ON triggers (scope_type, scope_pk, event_type)",
    "CREATE INDEX IF NOT EXISTS triggers_event ON triggers (event_type, enabled)",
    """CREATE TABLE IF NOT EXISTS automation_deliveries (
        pk INTEGER PRIMARY KEY,
        trigger_pk INTEGER NOT NULL,
        event_key TEXT NOT NULL,
        event_type TEXT NOT NULL,
        action_type TEXT NOT NULL,
        integration_pk INTEGER,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'PENDING',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status_code INTEGER,
        last_error TEXT,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (trigger_pk, event_key)
    )""",
    "CREATE INDEX IF NOT EXISTS automation_deliveries_due"
    " ON automation_deliveries (status, next_attempt_at)",
]
