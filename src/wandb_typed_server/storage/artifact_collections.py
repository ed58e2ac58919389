"""Artifact types and collections (sequences, where versions are logged, and portfolios,
where they are linked); see artifact_tables.py for the model. A sequence is readable once
it holds a committed version, a portfolio at once; a deleted collection frees its name.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from wandb_typed_server.storage.clock import utc_now_iso

# A type or collection name.
MAX_NAME = 128
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.\-]+")


class ArtifactError(ValueError):
    """A request about artifacts that cannot be done, with the reason."""


# --- Types --------------------------------------------------------------------------------

TYPE_SELECT = (
    "SELECT t.*, p.name AS project_name, e.name AS entity_name, p.entity_pk AS entity_pk"
    " FROM artifact_types t JOIN projects p ON p.pk = t.project_pk"
    " JOIN entities e ON e.pk = p.entity_pk"
)


def check_artifact_name(kind: str, name: str) -> str:
    """A type or collection name: letters, digits, ``_ - .``; at most 128 characters.

    >>> check_artifact_name("collection", "my-data_v2.1")
    'my-data_v2.1'
    """
    if not name or len(name) > MAX_NAME or not _NAME_CHARS.fullmatch(name):
        raise ArtifactError(
            f"invalid artifact {kind} name {name!r}: use letters, digits, '-', '_' and '.'"
            f" (at most {MAX_NAME} characters)"
        )
    return name


_VISIBLE_TYPE = (
    "EXISTS (SELECT 1 FROM artifact_collections c WHERE c.type_pk = t.pk AND c.state = 'READY'"
    " AND (c.kind = 'PORTFOLIO' OR EXISTS (SELECT 1 FROM artifacts a WHERE a.sequence_pk = c.pk"
    " AND a.state = 'COMMITTED')))"
)


def find_type(
    conn: sqlite3.Connection, project_pk: int, name: str, *, visible_only: bool = False
) -> sqlite3.Row | None:
    """The artifact type ``name`` of a project (with ``visible_only``, only once it holds a
    readable collection), or None."""
    visible = f" AND {_VISIBLE_TYPE}" if visible_only else ""
    row: sqlite3.Row | None = conn.execute(
        f"{TYPE_SELECT} WHERE t.project_pk = ? AND t.name = ?{visible}", (project_pk, name)
    ).fetchone()
    return row


def type_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row:
    """The artifact type with this pk (it must exist)."""
    row: sqlite3.Row = conn.execute(f"{TYPE_SELECT} WHERE t.pk = ?", (pk,)).fetchone()
    return row


def get_or_create_type(conn: sqlite3.Connection, project_pk: int, name: str) -> sqlite3.Row:
    """The project's artifact type ``name``, created when missing."""
    existing = find_type(conn, project_pk, name)
    if existing is not None:
        return existing
    check_artifact_name("type", name)
    conn.execute(
        "INSERT INTO artifact_types (project_pk, name, created_at) VALUES (?, ?, ?)",
        (project_pk, name, utc_now_iso()),
    )
    created = find_type(conn, project_pk, name)
    assert created is not None
    return created


def list_types(
    conn: sqlite3.Connection,
    project_pk: int,
    after_name: str | None,
    limit: int,
    *,
    include_all: bool = False,
) -> list[sqlite3.Row]:
    """The project's types that hold a readable collection (all with ``include_all``), by
    name, after ``after_name``."""
    visible = "1" if include_all else _VISIBLE_TYPE
    return conn.execute(
        f"{TYPE_SELECT} WHERE t.project_pk = ? AND t.name > ? AND {visible}"
        " ORDER BY t.name LIMIT ?",
        (project_pk, after_name or "", limit),
    ).fetchall()


# --- Collections --------------------------------------------------------------------------

COLLECTION_SELECT = (
    "SELECT c.*, t.name AS type_name, p.name AS project_name, e.name AS entity_name,"
    " p.entity_pk AS entity_pk FROM artifact_collections c"
    " JOIN artifact_types t ON t.pk = c.type_pk JOIN projects p ON p.pk = c.project_pk"
    " JOIN entities e ON e.pk = p.entity_pk"
)
# A collection is readable once it has a committed version (sequences) or at once (portfolios).
VISIBLE_COLLECTION = (
    "c.state = 'READY' AND (c.kind = 'PORTFOLIO' OR EXISTS (SELECT 1 FROM artifacts a"
    " WHERE a.sequence_pk = c.pk AND a.state != 'PENDING'))"
)


def find_collection(
    conn: sqlite3.Connection, project_pk: int, name: str, *, include_hidden: bool = False
) -> sqlite3.Row | None:
    """The live collection ``name`` of a project (hidden ones only if asked), or None."""
    visible = "c.state = 'READY'" if include_hidden else VISIBLE_COLLECTION
    row: sqlite3.Row | None = conn.execute(
        f"{COLLECTION_SELECT} WHERE c.project_pk = ? AND c.name = ? AND {visible}",
        (project_pk, name),
    ).fetchone()
    return row


def collection_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The collection with this pk (deleted ones included), or None."""
    row: sqlite3.Row | None = conn.execute(f"{COLLECTION_SELECT} WHERE c.pk = ?", (pk,)).fetchone()
    return row


def _insert_collection(
    conn: sqlite3.Connection, project_pk: int, type_pk: int, name: str, kind: str
) -> sqlite3.Row:
    check_artifact_name("collection", name)
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO artifact_collections (project_pk, type_pk, name, kind, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        (project_pk, type_pk, name, kind, now, now),
    ).lastrowid
    assert pk is not None
    row = collection_by_pk(conn, pk)
    assert row is not None
    return row


def get_or_create_sequence(
    conn: sqlite3.Connection, project_pk: int, type_name: str, name: str
) -> sqlite3.Row:
    """The sequence ``name`` (versions of type ``type_name`` are logged into it), created
    when missing; an error when the name is a portfolio or a sequence of another type."""
    existing = find_collection(conn, project_pk, name, include_hidden=True)
    if existing is None:
        artifact_type = get_or_create_type(conn, project_pk, type_name)
        return _insert_collection(conn, project_pk, int(artifact_type["pk"]), name, "SEQUENCE")
    if existing["kind"] != "SEQUENCE":
        raise ArtifactError(
            f"{name!r} is a portfolio (linked versions): versions cannot be logged into it"
        )
    if existing["type_name"] != type_name:
        raise ArtifactError(
            f"artifact {name!r} has type {existing['type_name']!r}, not {type_name!r}:"
            " a collection holds versions of one type"
        )
    return existing


def get_or_create_portfolio(
    conn: sqlite3.Connection, project_pk: int, type_name: str, name: str
) -> sqlite3.Row:
    """The portfolio ``name`` (versions of type ``type_name`` are linked into it), created
    when missing; an error when the name is a sequence or a portfolio of another type."""
    existing = find_collection(conn, project_pk, name, include_hidden=True)
    if existing is None:
        artifact_type = get_or_create_type(conn, project_pk, type_name)
        return _insert_collection(conn, project_pk, int(artifact_type["pk"]), name, "PORTFOLIO")
    if existing["kind"] != "PORTFOLIO":
        raise ArtifactError(
            f"{name!r} is a sequence (where versions are logged), not a portfolio to link into"
        )
    if existing["type_name"] != type_name:
        raise ArtifactError(
            f"portfolio {name!r} holds artifacts of type {existing['type_name']!r}, not"
            f" {type_name!r}"
        )
    return existing


@dataclass(frozen=True)
class CollectionQuery:
    """Which collections to list: a project's, of one type or all, of some kinds."""

    project_pk: int
    type_pk: int | None = None
    kinds: Sequence[str] = ("SEQUENCE", "PORTFOLIO")
    name_like: str | None = None
    newest_first: bool = True

    def where(self) -> tuple[str, list[object]]:
        """SQL condition and parameters."""
        sql = f"c.project_pk = ? AND {VISIBLE_COLLECTION}"
        params: list[object] = [self.project_pk]
        if self.type_pk is not None:
            sql += " AND c.type_pk = ?"
            params.append(self.type_pk)
        sql += f" AND c.kind IN ({', '.join('?' for _ in self.kinds)})"
        params.extend(self.kinds)
        if self.name_like is not None:
            sql += " AND c.name LIKE ?"
            params.append(self.name_like)
        return sql, params


def list_collections(
    conn: sqlite3.Connection, query: CollectionQuery, after_pk: int | None, limit: int
) -> list[sqlite3.Row]:
    """Collections, newest (or oldest) first, strictly after the one ``after_pk``."""
    sql, params = query.where()
    if after_pk is not None:
        sql += " AND c.pk < ?" if query.newest_first else " AND c.pk > ?"
        params.append(after_pk)
    order = "DESC" if query.newest_first else "ASC"
    return conn.execute(
        f"{COLLECTION_SELECT} WHERE {sql} ORDER BY c.pk {order} LIMIT ?", (*params, limit)
    ).fetchall()


def count_collections(conn: sqlite3.Connection, query: CollectionQuery) -> int:
    """How many collections :func:`list_collections` lists in all."""
    sql, params = query.where()
    return int(
        conn.execute(f"SELECT COUNT(*) FROM artifact_collections c WHERE {sql}", params).fetchone()[
            0
        ]
    )


def update_collection(
    conn: sqlite3.Connection, pk: int, *, name: str | None, description: str | None
) -> None:
    """Rename a collection and/or change its description."""
    row = collection_by_pk(conn, pk)
    if row is None or row["state"] != "READY":
        raise LookupError("artifact collection not found")
    if name is not None and name != row["name"]:
        check_artifact_name("collection", name)
        if find_collection(conn, int(row["project_pk"]), name, include_hidden=True) is not None:
            raise ArtifactError(f"an artifact collection named {name!r} already exists")
        conn.execute("UPDATE artifact_collections SET name = ? WHERE pk = ?", (name, pk))
    if description is not None:
        conn.execute(
            "UPDATE artifact_collections SET description = ? WHERE pk = ?", (description, pk)
        )
    conn.execute("UPDATE artifact_collections SET updated_at = ? WHERE pk = ?", (utc_now_iso(), pk))


def move_sequence(conn: sqlite3.Connection, pk: int, type_name: str) -> None:
    """Give a sequence (and so all its versions) another type of its project."""
    row = collection_by_pk(conn, pk)
    if row is None or row["state"] != "READY":
        raise LookupError("artifact sequence not found")
    if row["kind"] != "SEQUENCE":
        raise ArtifactError(f"{row['name']!r} is a portfolio: only sequences change type")
    linked = conn.execute(
        "SELECT c.name FROM artifact_memberships m JOIN artifacts a ON a.pk = m.artifact_pk"
        " JOIN artifact_collections c ON c.pk = m.collection_pk"
        " WHERE a.sequence_pk = ? AND c.pk != ? LIMIT 1",
        (pk, pk),
    ).fetchone()
    if linked is not None:
        raise ArtifactError(
            f"versions of {row['name']!r} are linked into portfolio {linked['name']!r}:"
            " unlink them before changing the type"
        )
    new_type = get_or_create_type(conn, int(row["project_pk"]), type_name)
    conn.execute(
        "UPDATE artifact_collections SET type_pk = ?, updated_at = ? WHERE pk = ?",
        (new_type["pk"], utc_now_iso(), pk),
    )
