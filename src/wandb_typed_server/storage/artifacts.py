"""Artifact versions, memberships and aliases (see artifact_tables.py for the model). Types
and collections are in artifact_collections.py, files and manifests in artifact_files.py,
tags and uses in artifact_links.py.

Rules kept here:

- a version is readable only once committed; committing gives it the next index of its
  sequence (``vN``, dense: an upload that never commits takes none) and moves ``latest``;
- an alias names one version per collection: setting it on another version moves it;
  ``vN`` is not an alias (it is the version's name) and aliases hold no ``/`` or ``:``;
- linking a committed version into a portfolio gives it that portfolio's next index and
  moves the portfolio's ``latest``;
- a version holding an alias is deleted only with ``delete_aliases`` (then ``latest``
  moves back to the newest version left).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wandb_typed_server.storage import automation_events
from wandb_typed_server.storage.artifact_collections import (
    MAX_NAME,
    ArtifactError,
    collection_by_pk,
)
from wandb_typed_server.storage.clock import utc_now_iso

LATEST = "latest"
_VERSION_NAME = re.compile(r"v(\d+)")
_BAD_ALIAS_CHARS = re.compile(r"[/:\s]")

# ttl_seconds: a positive duration, or one of these (as W&B's API spells them).
TTL_INHERIT = -1
TTL_DISABLED = -2


# --- Versions -----------------------------------------------------------------------------

ARTIFACT_SELECT = (
    "SELECT a.*, c.name AS sequence_name, c.project_pk AS project_pk, c.type_pk AS type_pk,"
    " t.name AS type_name, p.name AS project_name, e.name AS entity_name,"
    " p.entity_pk AS entity_pk, m.version_index AS version_index"
    " FROM artifacts a JOIN artifact_collections c ON c.pk = a.sequence_pk"
    " JOIN artifact_types t ON t.pk = c.type_pk JOIN projects p ON p.pk = c.project_pk"
    " JOIN entities e ON e.pk = p.entity_pk"
    " LEFT JOIN artifact_memberships m ON m.collection_pk = a.sequence_pk"
    " AND m.artifact_pk = a.pk"
)


@dataclass(frozen=True)
class NewVersion:
    """What createArtifact asks for."""

    digest: str
    description: str | None = None
    metadata: str | None = None
    ttl_seconds: int = TTL_INHERIT
    history_step: int | None = None
    client_id: str | None = None
    sequence_client_id: str | None = None
    run_pk: int | None = None
    aliases: Sequence[str] = ()
    tags: Sequence[str] = ()


def artifact_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The artifact with this pk in any state, or None."""
    row: sqlite3.Row | None = conn.execute(f"{ARTIFACT_SELECT} WHERE a.pk = ?", (pk,)).fetchone()
    return row


def artifact_by_client_id(conn: sqlite3.Connection, client_id: str) -> sqlite3.Row | None:
    """The newest live artifact a client created under this client id, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{ARTIFACT_SELECT} WHERE a.client_id = ? AND a.state != 'DELETED'"
        " ORDER BY a.pk DESC LIMIT 1",
        (client_id,),
    ).fetchone()
    return row


def committed_artifact(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The committed artifact with this pk, or None (pending and deleted ones are not read)."""
    row = artifact_by_pk(conn, pk)
    return row if row is not None and row["state"] == "COMMITTED" else None


def check_alias(alias: str) -> str:
    """An alias a client may set: not a version name, no ``/``, ``:`` or spaces.

    >>> check_alias("best")
    'best'
    """
    if not alias or len(alias) > MAX_NAME or _BAD_ALIAS_CHARS.search(alias):
        raise ArtifactError(f"invalid alias {alias!r}: no '/', ':' or spaces, 1-128 characters")
    if _VERSION_NAME.fullmatch(alias):
        raise ArtifactError(f"{alias!r} names a version; it cannot be used as an alias")
    return alias


def check_ttl(ttl_seconds: int | None) -> int:
    """A stored TTL: positive seconds, -1 (inherit, also for None) or -2 (disabled)."""
    if ttl_seconds is None:
        return TTL_INHERIT
    if ttl_seconds in (TTL_INHERIT, TTL_DISABLED) or ttl_seconds > 0:
        return int(ttl_seconds)
    raise ArtifactError(
        f"ttlDurationSeconds must be positive, -1 (inherit) or -2 (disabled), not {ttl_seconds}"
    )


def create_version(
    conn: sqlite3.Connection, sequence: sqlite3.Row, user_pk: int, new: NewVersion
) -> int:
    """A pending version of ``sequence``; its aliases and tags wait for the commit."""
    aliases = list(dict.fromkeys(check_alias(alias) for alias in new.aliases))
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO artifacts (sequence_pk, state, digest, description, metadata, ttl_seconds,"
        " history_step, client_id, sequence_client_id, run_pk, user_pk, pending_aliases,"
        " created_at, updated_at) VALUES (?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sequence["pk"],
            new.digest,
            new.description,
            new.metadata,
            check_ttl(new.ttl_seconds),
            new.history_step,
            new.client_id,
            new.sequence_client_id,
            new.run_pk,
            user_pk,
            json.dumps(aliases),
            now,
            now,
        ),
    ).lastrowid
    assert pk is not None
    return pk


def latest_with_digest(
    conn: sqlite3.Connection, sequence_pk: int, digest: str
) -> sqlite3.Row | None:
    """The sequence's newest version, if it is committed with this digest (logging the same
    content again then makes no new version)."""
    row: sqlite3.Row | None = conn.execute(
        f"{ARTIFACT_SELECT} WHERE a.sequence_pk = ? AND a.state = 'COMMITTED'"
        " ORDER BY m.version_index DESC LIMIT 1",
        (sequence_pk,),
    ).fetchone()
    return row if row is not None and row["digest"] == digest else None


def latest_committed(conn: sqlite3.Connection, sequence_pk: int) -> sqlite3.Row | None:
    """The sequence's newest committed version, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{ARTIFACT_SELECT} WHERE a.sequence_pk = ? AND a.state = 'COMMITTED'"
        " ORDER BY m.version_index DESC LIMIT 1",
        (sequence_pk,),
    ).fetchone()
    return row


def mark_committed(
    conn: sqlite3.Connection, artifact: sqlite3.Row, size_bytes: int, file_count: int
) -> int:
    """Make a pending version readable: its sequence's next index, its waiting aliases and
    ``latest``. Returns the version index."""
    if artifact["state"] != "PENDING":
        raise ArtifactError(f"artifact is {artifact['state']}, not PENDING: nothing to commit")
    pk = int(artifact["pk"])
    conn.execute(
        "UPDATE artifacts SET state = 'COMMITTED', size_bytes = ?, file_count = ?,"
        " commit_hash = ?, pending_aliases = '[]', updated_at = ? WHERE pk = ?",
        (size_bytes, file_count, secrets.token_hex(10), utc_now_iso(), pk),
    )
    index = add_membership(conn, int(artifact["sequence_pk"]), pk)
    for alias in json.loads(artifact["pending_aliases"]):
        if alias != LATEST:
            set_alias(conn, int(artifact["sequence_pk"]), pk, alias)
    return index


def set_description_metadata_ttl(
    conn: sqlite3.Connection,
    pk: int,
    *,
    description: str | None,
    metadata: str | None,
    ttl_seconds: int | None,
) -> None:
    """Change what updateArtifact may change (None: leave as is)."""
    changes: dict[str, object] = {}
    if description is not None:
        changes["description"] = description
    if metadata is not None:
        changes["metadata"] = metadata
    if ttl_seconds is not None:
        changes["ttl_seconds"] = check_ttl(ttl_seconds)
    changes["updated_at"] = utc_now_iso()
    assignments = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE artifacts SET {assignments} WHERE pk = ?", (*changes.values(), pk))


# --- Memberships and aliases ---------------------------------------------------------------

MEMBERSHIP_SELECT = "SELECT m.* FROM artifact_memberships m"


def add_membership(conn: sqlite3.Connection, collection_pk: int, artifact_pk: int) -> int:
    """Put a version in a collection under the collection's next index (it becomes the
    collection's ``latest``); an existing membership keeps its index. Returns the index."""
    existing = conn.execute(
        "SELECT version_index FROM artifact_memberships WHERE collection_pk = ?"
        " AND artifact_pk = ?",
        (collection_pk, artifact_pk),
    ).fetchone()
    if existing is not None:
        return int(existing["version_index"])
    index = int(
        conn.execute(
            "UPDATE artifact_collections SET next_version_index = next_version_index + 1,"
            " updated_at = ? WHERE pk = ? RETURNING next_version_index - 1",
            (utc_now_iso(), collection_pk),
        ).fetchone()[0]
    )
    conn.execute(
        "INSERT INTO artifact_memberships (collection_pk, artifact_pk, version_index, created_at)"
        " VALUES (?, ?, ?, ?)",
        (collection_pk, artifact_pk, index, utc_now_iso()),
    )
    kind = conn.execute(
        "SELECT kind FROM artifact_collections WHERE pk = ?", (collection_pk,)
    ).fetchone()[0]
    automation_events.on_membership_added(conn, collection_pk, artifact_pk, str(kind))
    set_alias(conn, collection_pk, artifact_pk, LATEST)
    return index


def membership_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The membership with this pk, or None."""
    row: sqlite3.Row | None = conn.execute(f"{MEMBERSHIP_SELECT} WHERE m.pk = ?", (pk,)).fetchone()
    return row


def membership_of(
    conn: sqlite3.Connection, collection_pk: int, artifact_pk: int
) -> sqlite3.Row | None:
    """The membership of a version in a collection, or None."""
    row: sqlite3.Row | None = conn.execute(
        f"{MEMBERSHIP_SELECT} WHERE m.collection_pk = ? AND m.artifact_pk = ?",
        (collection_pk, artifact_pk),
    ).fetchone()
    return row


def resolve_membership(
    conn: sqlite3.Connection, collection_pk: int, version: str
) -> sqlite3.Row | None:
    """The membership ``version`` names in a collection: ``vN``, an alias, a commit hash or
    a digest (in that order), committed versions only; None when nothing matches."""
    committed = " AND EXISTS (SELECT 1 FROM artifacts a WHERE a.pk = m.artifact_pk AND a.state = 'COMMITTED')"
    match = _VERSION_NAME.fullmatch(version)
    row: sqlite3.Row | None
    if match:
        row = conn.execute(
            f"{MEMBERSHIP_SELECT} WHERE m.collection_pk = ? AND m.version_index = ?{committed}",
            (collection_pk, int(match.group(1))),
        ).fetchone()
        return row
    row = conn.execute(
        f"{MEMBERSHIP_SELECT} JOIN artifact_aliases l ON l.collection_pk = m.collection_pk"
        f" AND l.artifact_pk = m.artifact_pk WHERE m.collection_pk = ? AND l.alias = ?{committed}",
        (collection_pk, version),
    ).fetchone()
    if row is not None:
        return row
    row = conn.execute(
        f"{MEMBERSHIP_SELECT} JOIN artifacts a ON a.pk = m.artifact_pk WHERE m.collection_pk = ?"
        " AND a.state = 'COMMITTED' AND (a.commit_hash = ? OR a.digest = ?)"
        " ORDER BY m.version_index DESC LIMIT 1",
        (collection_pk, version, version),
    ).fetchone()
    return row


def split_version_name(name: str) -> tuple[str, str]:
    """``collection:version`` (version ``latest`` when none is given).

    >>> split_version_name("data:v2"), split_version_name("data")
    (('data', 'v2'), ('data', 'latest'))
    """
    collection, sep, version = name.partition(":")
    return collection, (version if sep and version else LATEST)


def memberships_of_artifact(conn: sqlite3.Connection, artifact_pk: int) -> list[sqlite3.Row]:
    """Every collection a version is in (its sequence first, then portfolios by age)."""
    return conn.execute(
        f"{MEMBERSHIP_SELECT} JOIN artifacts a ON a.pk = m.artifact_pk WHERE m.artifact_pk = ?"
        " ORDER BY (m.collection_pk != a.sequence_pk), m.pk",
        (artifact_pk,),
    ).fetchall()


def list_memberships(
    conn: sqlite3.Connection,
    collection_pk: int,
    *,
    after_index: int | None,
    limit: int,
    newest_first: bool = True,
) -> list[sqlite3.Row]:
    """A collection's committed memberships by version index."""
    sql = (
        f"{MEMBERSHIP_SELECT} JOIN artifacts a ON a.pk = m.artifact_pk"
        " WHERE m.collection_pk = ? AND a.state = 'COMMITTED'"
    )
    params: list[object] = [collection_pk]
    if after_index is not None:
        sql += " AND m.version_index < ?" if newest_first else " AND m.version_index > ?"
        params.append(after_index)
    sql += f" ORDER BY m.version_index {'DESC' if newest_first else 'ASC'} LIMIT ?"
    return conn.execute(sql, (*params, limit)).fetchall()


def count_memberships(conn: sqlite3.Connection, collection_pk: int) -> int:
    """How many committed versions a collection holds."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM artifact_memberships m JOIN artifacts a ON a.pk = m.artifact_pk"
            " WHERE m.collection_pk = ? AND a.state = 'COMMITTED'",
            (collection_pk,),
        ).fetchone()[0]
    )


def set_alias(conn: sqlite3.Connection, collection_pk: int, artifact_pk: int, alias: str) -> None:
    """Point ``alias`` of a collection at a version (moving it from any other version)."""
    if alias != LATEST:
        check_alias(alias)
    if membership_of(conn, collection_pk, artifact_pk) is None:
        raise ArtifactError(f"cannot set alias {alias!r}: the version is not in that collection")
    before = conn.execute(
        "SELECT artifact_pk FROM artifact_aliases WHERE collection_pk = ? AND alias = ?",
        (collection_pk, alias),
    ).fetchone()
    conn.execute(
        "INSERT INTO artifact_aliases (collection_pk, artifact_pk, alias, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (collection_pk, alias)"
        " DO UPDATE SET artifact_pk = excluded.artifact_pk, created_at = excluded.created_at",
        (collection_pk, artifact_pk, alias, utc_now_iso()),
    )
    if before is None or int(before[0]) != artifact_pk:
        automation_events.on_alias_added(conn, collection_pk, artifact_pk, alias)


def remove_alias(
    conn: sqlite3.Connection, collection_pk: int, artifact_pk: int, alias: str
) -> bool:
    """Remove ``alias`` from a version of a collection; False when it was not there."""
    cursor = conn.execute(
        "DELETE FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ? AND alias = ?",
        (collection_pk, artifact_pk, alias),
    )
    return cursor.rowcount > 0


def aliases_of(conn: sqlite3.Connection, collection_pk: int, artifact_pk: int) -> list[sqlite3.Row]:
    """A version's aliases in one collection, oldest first."""
    return conn.execute(
        "SELECT * FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ? ORDER BY pk",
        (collection_pk, artifact_pk),
    ).fetchall()


def aliases_of_artifact(
    conn: sqlite3.Connection, artifact_pk: int, collection_name: str | None = None
) -> list[sqlite3.Row]:
    """A version's aliases in every collection (or the one named), with the collection's pk
    and name (``collection_name``)."""
    sql = (
        "SELECT l.*, c.name AS collection_name FROM artifact_aliases l JOIN artifact_collections c ON c.pk = l.collection_pk"
        " WHERE l.artifact_pk = ? AND c.state = 'READY'"
    )
    params: list[object] = [artifact_pk]
    if collection_name is not None:
        sql += " AND c.name = ?"
        params.append(collection_name)
    return conn.execute(f"{sql} ORDER BY l.pk", params).fetchall()


def list_collection_aliases(
    conn: sqlite3.Connection, collection_pk: int, after_pk: int | None, limit: int
) -> list[sqlite3.Row]:
    """A collection's aliases, oldest first."""
    return conn.execute(
        "SELECT * FROM artifact_aliases WHERE collection_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
        (collection_pk, after_pk or 0, limit),
    ).fetchall()


def _repair_latest(conn: sqlite3.Connection, collection_pk: int) -> None:
    """Point ``latest`` at the collection's newest committed version, if it lost it."""
    if conn.execute(
        "SELECT 1 FROM artifact_aliases WHERE collection_pk = ? AND alias = ?",
        (collection_pk, LATEST),
    ).fetchone():
        return
    newest = list_memberships(conn, collection_pk, after_index=None, limit=1)
    if newest:
        set_alias(conn, collection_pk, int(newest[0]["artifact_pk"]), LATEST)


def unlink(conn: sqlite3.Connection, collection_pk: int, artifact_pk: int) -> None:
    """Take a version out of a portfolio (with its aliases there)."""
    collection = collection_by_pk(conn, collection_pk)
    if collection is None or collection["kind"] != "PORTFOLIO":
        raise ArtifactError("only links into a portfolio can be removed")
    if membership_of(conn, collection_pk, artifact_pk) is None:
        raise LookupError(f"the artifact is not linked into {collection['name']!r}")
    conn.execute(
        "DELETE FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ?",
        (collection_pk, artifact_pk),
    )
    conn.execute(
        "DELETE FROM artifact_memberships WHERE collection_pk = ? AND artifact_pk = ?",
        (collection_pk, artifact_pk),
    )
    _repair_latest(conn, collection_pk)
    automation_events.on_unlinked(conn, collection_pk, artifact_pk)


def delete_version(conn: sqlite3.Connection, artifact: sqlite3.Row, delete_aliases: bool) -> None:
    """Delete a committed (or pending) version: it leaves every collection. A version that
    holds aliases needs ``delete_aliases``; the error names them."""
    pk = int(artifact["pk"])
    aliases = aliases_of_artifact(conn, pk)
    if aliases and not delete_aliases:
        by_collection: dict[str, list[str]] = {}
        for row in aliases:
            by_collection.setdefault(str(row["collection_name"]), []).append(repr(row["alias"]))
        names = "; ".join(
            f"{', '.join(sorted(found))} in {name!r}" for name, found in by_collection.items()
        )
        raise ArtifactError(
            f"artifact {artifact['sequence_name']}:v{artifact['version_index']} has aliases"
            f" ({names}); delete them first or pass deleteAliases: true"
        )
    collections = [int(row["collection_pk"]) for row in memberships_of_artifact(conn, pk)]
    conn.execute("DELETE FROM artifact_aliases WHERE artifact_pk = ?", (pk,))
    conn.execute("DELETE FROM artifact_memberships WHERE artifact_pk = ?", (pk,))
    conn.execute(
        "UPDATE artifacts SET state = 'DELETED', pending_aliases = '[]', updated_at = ?"
        " WHERE pk = ?",
        (utc_now_iso(), pk),
    )
    for collection_pk in collections:
        _repair_latest(conn, collection_pk)


def delete_collection(conn: sqlite3.Connection, collection: sqlite3.Row) -> list[int]:
    """Delete a collection: a sequence takes all its versions with it (out of every
    portfolio too), a portfolio only its links. Returns the pks of the deleted versions."""
    pk = int(collection["pk"])
    deleted: list[int] = []
    if collection["kind"] == "SEQUENCE":
        rows = conn.execute(
            f"{ARTIFACT_SELECT} WHERE a.sequence_pk = ? AND a.state != 'DELETED'", (pk,)
        ).fetchall()
        for row in rows:
            delete_version(conn, row, delete_aliases=True)
            deleted.append(int(row["pk"]))
    conn.execute("DELETE FROM artifact_aliases WHERE collection_pk = ?", (pk,))
    conn.execute("DELETE FROM artifact_memberships WHERE collection_pk = ?", (pk,))
    conn.execute("DELETE FROM artifact_collection_tags WHERE collection_pk = ?", (pk,))
    conn.execute(
        "UPDATE artifact_collections SET state = 'DELETED', updated_at = ? WHERE pk = ?",
        (utc_now_iso(), pk),
    )
    return deleted


def versions_in(conn: sqlite3.Connection, pks: Iterable[int]) -> list[sqlite3.Row]:
    """Artifacts by pk, in the order given (missing ones left out)."""
    wanted = list(pks)
    if not wanted:
        return []
    rows = conn.execute(
        f"{ARTIFACT_SELECT} WHERE a.pk IN ({', '.join('?' for _ in wanted)})", wanted
    ).fetchall()
    by_pk = {int(row["pk"]): row for row in rows}
    return [by_pk[pk] for pk in wanted if pk in by_pk]


def stale_pending_versions(conn: sqlite3.Connection, updated_before: str) -> list[int]:
    """Mark versions pending since before ``updated_before`` (an abandoned upload) deleted;
    returns their pks."""
    rows = conn.execute(
        "UPDATE artifacts SET state = 'DELETED', pending_aliases = '[]'"
        " WHERE state = 'PENDING' AND updated_at < ? RETURNING pk",
        (updated_before,),
    ).fetchall()
    return sorted(int(row["pk"]) for row in rows)


def touch_version(conn: sqlite3.Connection, pk: int) -> None:
    """Note activity on a pending version (its upload is not abandoned)."""
    conn.execute("UPDATE artifacts SET updated_at = ? WHERE pk = ?", (utc_now_iso(), pk))
