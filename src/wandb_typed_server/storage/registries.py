"""Registries: ``wandb-registry-<name>`` projects of an org entity, who may see them, which
artifact types they take, and the searches across an organization's registries.

>>> is_registry_name("wandb-registry-model")
True
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from wandb_typed_server.storage.artifact_collections import (
    COLLECTION_SELECT,
    VISIBLE_COLLECTION,
    ArtifactError,
    find_type,
    get_or_create_type,
)
from wandb_typed_server.storage.artifact_links import tags_of_collection, tags_of_version
from wandb_typed_server.storage.artifacts import delete_collection
from wandb_typed_server.storage.blobs import check_segment
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.entities import AccessDeniedError
from wandb_typed_server.storage.mongo_match import matches, ordered
from wandb_typed_server.storage.organizations import (
    OrganizationError,
    find_organization,
    is_member,
    is_org_entity,
)
from wandb_typed_server.storage.principal import Principal
from wandb_typed_server.storage.projects import PROJECT_SELECT, find_project

REGISTRY_PREFIX = "wandb-registry-"
ACCESS_LEVELS = ("PRIVATE", "RESTRICTED")


def is_registry_name(name: str) -> bool:
    """Whether a project name is a registry's."""
    return name.startswith(REGISTRY_PREFIX) and len(name) > len(REGISTRY_PREFIX)


def short_name(project_name: str) -> str:
    """A registry's name without the prefix."""
    return project_name.removeprefix(REGISTRY_PREFIX)


def is_registry(conn: sqlite3.Connection, project: sqlite3.Row) -> bool:
    """Whether a project row is a registry (a prefixed project of an org entity)."""
    return is_registry_name(str(project["name"])) and is_org_entity(conn, int(project["entity_pk"]))


def project_readable(conn: sqlite3.Connection, principal: Principal, project: sqlite3.Row) -> bool:
    """Whether the caller may see a project: a restricted registry only to instance admins,
    its creator and its members; everything else to whoever may read its entity."""
    if project["registry_access"] != "RESTRICTED" or principal.is_admin:
        return True
    if project["user_pk"] == principal.user_pk:
        return True
    return bool(
        conn.execute(
            "SELECT 1 FROM registry_members WHERE project_pk = ? AND user_pk = ?",
            (project["pk"], principal.user_pk),
        ).fetchone()
    )


def check_project_readable(
    conn: sqlite3.Connection, principal: Principal, project: sqlite3.Row
) -> None:
    """Raise :class:`AccessDeniedError` unless the caller may see the project."""
    if not project_readable(conn, principal, project):
        raise AccessDeniedError(
            f"registry {short_name(str(project['name']))!r} is restricted; user"
            f" {principal.username!r} is not one of its members"
        )


def add_registry_member(
    conn: sqlite3.Connection, organization: str, registry: str, username: str
) -> None:
    """Let a user of the organization see and link into one of its (restricted) registries.

    Raises:
        OrganizationError: No such organization, registry or user, or the user is not a
            member of the organization.
    """
    org = find_organization(conn, organization)
    if org is None:
        raise OrganizationError(f"organization {organization!r} not found")
    project = find_project(conn, str(org["entity_name"]), REGISTRY_PREFIX + short_name(registry))
    if project is None:
        raise OrganizationError(
            f"registry {short_name(registry)!r} not found in organization {organization!r}"
        )
    user = conn.execute("SELECT pk FROM users WHERE username = ?", (username,)).fetchone()
    if user is None:
        raise OrganizationError(f"user {username!r} not found")
    if not is_member(conn, int(org["pk"]), int(user["pk"])):
        raise OrganizationError(
            f"user {username!r} is not a member of organization {organization!r}"
        )
    conn.execute(
        "INSERT OR IGNORE INTO registry_members (project_pk, user_pk) VALUES (?, ?)",
        (project["pk"], user["pk"]),
    )


def check_type_names(names: Iterable[str]) -> list[str]:
    """Artifact type names a registry may take: 1-128 characters, no ``/`` or ``:``."""
    checked = []
    for name in names:
        if not name or len(name) > 128 or "/" in name or ":" in name:
            raise ArtifactError(
                f"invalid artifact type {name!r}: 1-128 characters without '/' or ':'"
            )
        checked.append(name)
    return checked


def save_registry_settings(
    conn: sqlite3.Connection,
    project: sqlite3.Row,
    *,
    inserted: bool,
    creator_pk: int,
    access: str | None,
    allow_all_types: bool | None,
    add_types: Sequence[str],
) -> None:
    """Create or change a registry's access and types (types are only ever added)."""
    if access is not None and access not in ACCESS_LEVELS:
        raise ArtifactError(
            f"invalid registry access {access!r}: use one of {', '.join(ACCESS_LEVELS)}"
        )
    pk = int(project["pk"])
    if inserted or project["registry_access"] is None:
        conn.execute(
            "INSERT INTO registry_settings (project_pk, access, allow_all_types) VALUES (?, ?, ?)"
            " ON CONFLICT (project_pk) DO NOTHING",
            (pk, access or "PRIVATE", int(allow_all_types if allow_all_types is not None else 1)),
        )
        conn.execute(
            "INSERT OR IGNORE INTO registry_members (project_pk, user_pk) VALUES (?, ?)",
            (pk, creator_pk),
        )
    else:
        if access is not None:
            conn.execute(
                "UPDATE registry_settings SET access = ? WHERE project_pk = ?", (access, pk)
            )
        if allow_all_types is not None:
            conn.execute(
                "UPDATE registry_settings SET allow_all_types = ? WHERE project_pk = ?",
                (int(allow_all_types), pk),
            )
    for name in check_type_names(add_types):
        get_or_create_type(conn, pk, name)
    conn.execute("UPDATE projects SET updated_at = ? WHERE pk = ?", (utc_now_iso(), pk))


def allowed_types(conn: sqlite3.Connection, project_pk: int) -> list[str]:
    """The artifact types a registry takes (when it does not take all), by name."""
    rows = conn.execute(
        "SELECT name FROM artifact_types WHERE project_pk = ? ORDER BY name", (project_pk,)
    ).fetchall()
    return [str(row["name"]) for row in rows]


def check_link_target(
    conn: sqlite3.Connection, principal: Principal, entity: str, project_name: str, type_name: str
) -> None:
    """Refuse a link into a registry that does not exist, that the caller may not see, or that
    does not take the artifact's type (the error names the type and the registry)."""
    project = find_project(conn, entity, project_name)
    entity_row = conn.execute("SELECT pk FROM entities WHERE name = ?", (entity,)).fetchone()
    if entity_row is None or not is_org_entity(conn, int(entity_row["pk"])):
        return
    if not is_registry_name(project_name):
        return
    name = short_name(project_name)
    if project is None:
        raise LookupError(f"registry {name!r} not found in organization entity {entity!r}")
    check_project_readable(conn, principal, project)
    if project["registry_allow_all"] or project["registry_access"] is None:
        return
    if find_type(conn, int(project["pk"]), type_name) is None:
        allowed = ", ".join(repr(t) for t in allowed_types(conn, int(project["pk"])))
        raise ArtifactError(
            f"artifact type {type_name!r} is not allowed in registry {name!r}"
            f" (allowed types: {allowed or 'none'})"
        )


def rename_project(
    conn: sqlite3.Connection, entity: str, old_name: str, new_name: str
) -> sqlite3.Row:
    """Give a project another name (a registry keeps the prefix)."""
    project = find_project(conn, entity, old_name)
    if project is None:
        raise LookupError(f"project {entity}/{old_name} not found")
    check_segment("project", new_name)
    if is_registry_name(old_name) and not is_registry_name(new_name):
        raise ArtifactError(f"a registry's new name must start with {REGISTRY_PREFIX!r}")
    if new_name != old_name and find_project(conn, entity, new_name) is not None:
        raise ArtifactError(f"project {entity}/{new_name} already exists")
    conn.execute(
        "UPDATE projects SET name = ?, updated_at = ? WHERE pk = ?",
        (new_name, utc_now_iso(), project["pk"]),
    )
    renamed = find_project(conn, entity, new_name)
    assert renamed is not None
    return renamed


def delete_registry(conn: sqlite3.Connection, project: sqlite3.Row) -> list[int]:
    """Delete a registry: its collections go (linked versions stay in their sources), the
    project is hidden and its name freed. Returns the pks of versions deleted with it."""
    pk = int(project["pk"])
    deleted: list[int] = []
    for collection in conn.execute(
        f"{COLLECTION_SELECT} WHERE c.project_pk = ? AND c.state = 'READY'", (pk,)
    ).fetchall():
        deleted.extend(delete_collection(conn, collection))
    now = utc_now_iso()
    conn.execute(
        "INSERT OR IGNORE INTO deleted_projects (project_pk, deleted_at) VALUES (?, ?)", (pk, now)
    )
    conn.execute(
        "UPDATE projects SET name = ? WHERE pk = ?", (f"{project['name']}.deleted.{pk}", pk)
    )
    return deleted


# --- Searches across an organization --------------------------------------------------------


def _json_filter(text: str | None) -> Mapping[str, object] | None:
    if not text:
        return None
    value = json.loads(text)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ArtifactError(f"filters must be a JSON object, got {text!r}")
    return value


def registry_document(row: sqlite3.Row) -> dict[str, object]:
    """What a registry filter sees of a registry."""
    return {
        "id": int(row["pk"]),
        "project_id": int(row["pk"]),
        "name": row["name"],
        "description": row["description"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "entity_id": int(row["entity_pk"]),
    }


def search_registries(
    conn: sqlite3.Connection,
    principal: Principal,
    org_entity_pk: int,
    filters: str | None,
    order: str | None = None,
) -> list[sqlite3.Row]:
    """The registries of an org entity the caller may see and the filters match, by name
    unless ``order`` says otherwise (``name``, ``created_at``, ``updated_at``, ``-`` for
    descending)."""
    wanted = _json_filter(filters)
    rows = conn.execute(
        f"{PROJECT_SELECT} WHERE p.entity_pk = ? AND p.name LIKE 'wandb-registry-%'"
        " ORDER BY p.name",
        (org_entity_pk,),
    ).fetchall()
    found = [
        row
        for row in rows
        if project_readable(conn, principal, row) and matches(registry_document(row), wanted)
    ]
    return ordered(found, order, registry_document)


def collection_document(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, object]:
    """What a collection filter sees of a collection."""
    pk = int(row["pk"])
    return {
        "id": pk,
        "artifact_collection_id": pk,
        "name": row["name"],
        "description": row["description"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "tag": [str(tag["name"]) for tag in tags_of_collection(conn, pk)],
        "type": row["type_name"],
    }


def search_collections(
    conn: sqlite3.Connection,
    principal: Principal,
    org_entity_pk: int,
    *,
    registry_filters: str | None,
    collection_filters: str | None,
    kinds: Sequence[str],
    order: str | None = None,
) -> list[sqlite3.Row]:
    """Collections of the matching registries that the collection filters match, newest
    first unless ``order`` says otherwise (``name``, ``created_at``, ``updated_at``)."""
    registries = {
        int(row["pk"])
        for row in search_registries(conn, principal, org_entity_pk, registry_filters)
    }
    if not registries:
        return []
    wanted = _json_filter(collection_filters)
    marks = ", ".join("?" for _ in registries)
    kind_marks = ", ".join("?" for _ in kinds)
    rows = conn.execute(
        f"{COLLECTION_SELECT} WHERE c.project_pk IN ({marks}) AND c.kind IN ({kind_marks})"
        f" AND {VISIBLE_COLLECTION} ORDER BY c.pk DESC",
        (*sorted(registries), *kinds),
    ).fetchall()
    documents = {int(row["pk"]): collection_document(conn, row) for row in rows}
    found = [row for row in rows if matches(documents[int(row["pk"])], wanted)]
    return ordered(found, order, lambda row: documents[int(row["pk"])])


def version_document(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, object]:
    """What a version filter sees of a version in a registry collection."""
    metadata = json.loads(row["metadata"]) if row["metadata"] else {}
    aliases = conn.execute(
        "SELECT alias FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ?",
        (row["collection_pk"], row["artifact_pk"]),
    ).fetchall()
    return {
        "id": int(row["artifact_pk"]),
        "artifact_id": int(row["artifact_pk"]),
        "version": f"v{row['version_index']}",
        "version_index": int(row["version_index"]),
        "tag": [str(tag["name"]) for tag in tags_of_version(conn, int(row["artifact_pk"]))],
        "alias": [str(alias["alias"]) for alias in aliases],
        "metadata": metadata if isinstance(metadata, dict) else {},
        "created_at": row["artifact_created_at"],
        "updated_at": row["artifact_updated_at"],
    }


def search_versions(
    conn: sqlite3.Connection,
    principal: Principal,
    org_entity_pk: int,
    *,
    registry_filters: str | None,
    collection_filters: str | None,
    version_filters: str | None,
) -> list[sqlite3.Row]:
    """Memberships (versions as linked) of the matching collections of the matching
    registries that the version filters match: newest link first."""
    collections = search_collections(
        conn,
        principal,
        org_entity_pk,
        registry_filters=registry_filters,
        collection_filters=collection_filters,
        kinds=("PORTFOLIO", "SEQUENCE"),
    )
    if not collections:
        return []
    wanted = _json_filter(version_filters)
    marks = ", ".join("?" for _ in collections)
    rows = conn.execute(
        "SELECT m.*, a.metadata AS metadata, a.created_at AS artifact_created_at,"
        " a.updated_at AS artifact_updated_at FROM artifact_memberships m"
        " JOIN artifacts a ON a.pk = m.artifact_pk"
        f" WHERE m.collection_pk IN ({marks}) AND a.state = 'COMMITTED'"
        " ORDER BY m.pk DESC",
        tuple(int(row["pk"]) for row in collections),
    ).fetchall()
    return [row for row in rows if matches(version_document(conn, row), wanted)]
