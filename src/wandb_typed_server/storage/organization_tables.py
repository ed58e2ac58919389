"""Tables for organizations and registries.

Kept free of imports so that ``db.py`` can create them with the core tables.

- an **organization** has a name and its own entity (the *org entity*, a team-like entity
  that owns the organization's registries); the default organization (made with a fresh
  data dir) holds every user of the server, others hold the members added to them;
- a team entity belongs to one organization (the default one unless assigned elsewhere);
- a **registry** is a project ``wandb-registry-<name>`` of an org entity; its settings say
  who may see it (``PRIVATE``: the whole organization, ``RESTRICTED``: its members only) and
  which artifact types it takes (all, or the project's artifact types, which only grow);
- a deleted registry keeps its row (artifacts may still name it) but is hidden.
"""

from __future__ import annotations

ORGANIZATION_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS organizations (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        entity_pk INTEGER NOT NULL UNIQUE REFERENCES entities(pk),
        is_default INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS organization_members (
        org_pk INTEGER NOT NULL REFERENCES organizations(pk),
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        role TEXT NOT NULL DEFAULT 'MEMBER',
        PRIMARY KEY (org_pk, user_pk)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS organization_teams (
        entity_pk INTEGER PRIMARY KEY REFERENCES entities(pk),
        org_pk INTEGER NOT NULL REFERENCES organizations(pk)
    )""",
    """CREATE TABLE IF NOT EXISTS registry_settings (
        project_pk INTEGER PRIMARY KEY REFERENCES projects(pk),
        access TEXT NOT NULL CHECK (access IN ('PRIVATE', 'RESTRICTED')),
        allow_all_types INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE IF NOT EXISTS registry_members (
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        PRIMARY KEY (project_pk, user_pk)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS deleted_projects (
        project_pk INTEGER PRIMARY KEY REFERENCES projects(pk),
        deleted_at TEXT NOT NULL
    )""",
]
