"""A version's files and manifest (the bytes are artifact_blobs.py's).

Before the commit, ``artifact_files`` holds what createArtifactFiles announced (so the blobs
being uploaded are referenced and never collected); the commit replaces them by the
manifest's entries, after checking that every stored entry's blob is here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from wandb_typed_server.storage.artifact_blobs import stored_blob_md5s
from wandb_typed_server.storage.artifact_collections import ArtifactError
from wandb_typed_server.storage.artifact_manifest import ManifestEntry
from wandb_typed_server.storage.artifacts import touch_version
from wandb_typed_server.storage.clock import utc_now_iso


@dataclass(frozen=True)
class AnnouncedFile:
    """A file createArtifactFiles was told about: its name and md5 (hex)."""

    path: str
    digest: str
    blob_md5: str


def announce_files(
    conn: sqlite3.Connection, artifact_pk: int, files: Sequence[AnnouncedFile]
) -> None:
    """Record the files a pending version is about to upload (keeps their blobs alive and
    the upload from being taken for abandoned)."""
    touch_version(conn, artifact_pk)
    conn.executemany(
        "INSERT INTO artifact_files (artifact_pk, path, digest, blob_md5) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (artifact_pk, path) DO UPDATE SET digest = excluded.digest,"
        " blob_md5 = excluded.blob_md5",
        [(artifact_pk, file.path, file.digest, file.blob_md5) for file in files],
    )


def birth_artifact_pk(conn: sqlite3.Connection, entity_pk: int, blob_md5: str) -> int | None:
    """The oldest committed version of an entity holding this content (its "birth artifact"),
    or None."""
    row = conn.execute(
        "SELECT a.pk FROM artifact_files f JOIN artifacts a ON a.pk = f.artifact_pk"
        " JOIN artifact_collections c ON c.pk = a.sequence_pk JOIN projects p ON p.pk = c.project_pk"
        " WHERE f.blob_md5 = ? AND a.state = 'COMMITTED' AND p.entity_pk = ?"
        " ORDER BY a.pk LIMIT 1",
        (blob_md5, entity_pk),
    ).fetchone()
    return None if row is None else int(row["pk"])


@dataclass(frozen=True)
class CommittedFiles:
    """What the commit recorded: total size of the entries and how many there are."""

    size_bytes: int
    file_count: int


def store_manifest_entries(
    conn: sqlite3.Connection, artifact_pk: int, entries: Sequence[ManifestEntry]
) -> CommittedFiles:
    """Replace a version's files by its manifest's entries. Every stored entry's blob must be
    here; the error names the first missing one."""
    present = stored_blob_md5s(conn, [entry.blob_md5 for entry in entries if entry.blob_md5])
    sizes = {
        str(row["md5"]): int(row["size_bytes"])
        for row in conn.execute(
            "SELECT md5, size_bytes FROM artifact_blobs WHERE md5 IN"
            f" ({', '.join('?' for _ in present)})",
            list(present),
        )
    }
    for entry in entries:
        if entry.blob_md5 is not None and entry.blob_md5 not in present:
            raise ArtifactError(
                f"file {entry.path!r} (md5 {entry.digest}) was never uploaded: upload it"
                " before committing the artifact"
            )
        if entry.blob_md5 is not None and entry.size_bytes not in (None, sizes[entry.blob_md5]):
            raise ArtifactError(
                f"file {entry.path!r}: the manifest says {entry.size_bytes} bytes, the"
                f" uploaded file has {sizes[entry.blob_md5]}"
            )
    conn.execute("DELETE FROM artifact_files WHERE artifact_pk = ?", (artifact_pk,))
    conn.executemany(
        "INSERT INTO artifact_files (artifact_pk, path, digest, size_bytes, ref, blob_md5,"
        " birth_artifact_id, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                artifact_pk,
                entry.path,
                entry.digest,
                sizes[entry.blob_md5] if entry.blob_md5 else entry.size_bytes,
                entry.ref,
                entry.blob_md5,
                entry.birth_artifact_id,
                entry.extra,
            )
            for entry in entries
        ],
    )
    total = sum(
        (sizes[entry.blob_md5] if entry.blob_md5 else entry.size_bytes) or 0 for entry in entries
    )
    return CommittedFiles(size_bytes=total, file_count=len(entries))


def drop_files(conn: sqlite3.Connection, artifact_pk: int) -> list[str]:
    """Forget a version's files; returns the blob md5s they pointed at."""
    rows = conn.execute(
        "SELECT DISTINCT blob_md5 FROM artifact_files WHERE artifact_pk = ?"
        " AND blob_md5 IS NOT NULL",
        (artifact_pk,),
    ).fetchall()
    conn.execute("DELETE FROM artifact_files WHERE artifact_pk = ?", (artifact_pk,))
    return [str(row["blob_md5"]) for row in rows]


def list_files(
    conn: sqlite3.Connection,
    artifact_pk: int,
    *,
    names: Sequence[str] | None,
    after_path: str | None,
    limit: int,
) -> list[sqlite3.Row]:
    """A version's files by path, strictly after ``after_path``, optionally only ``names``."""
    sql = "SELECT * FROM artifact_files WHERE artifact_pk = ? AND path > ?"
    params: list[object] = [artifact_pk, after_path or ""]
    if names:
        sql += f" AND path IN ({', '.join('?' for _ in names)})"
        params.extend(names)
    return conn.execute(f"{sql} ORDER BY path LIMIT ?", (*params, limit)).fetchall()


def count_files(conn: sqlite3.Connection, artifact_pk: int, names: Sequence[str] | None) -> int:
    """How many files :func:`list_files` lists in all."""
    sql = "SELECT COUNT(*) FROM artifact_files WHERE artifact_pk = ?"
    params: list[object] = [artifact_pk]
    if names:
        sql += f" AND path IN ({', '.join('?' for _ in names)})"
        params.extend(names)
    return int(conn.execute(sql, params).fetchone()[0])


def entity_holds_blob(conn: sqlite3.Connection, entity_pk: int, blob_md5: str) -> bool:
    """Whether a committed version of the entity holds this content (download check)."""
    return birth_artifact_pk(conn, entity_pk, blob_md5) is not None


# --- Manifests ---------------------------------------------------------------------------

MANIFEST_TYPES = ("FULL", "INCREMENTAL", "PATCH")


def upsert_manifest(
    conn: sqlite3.Connection,
    artifact_pk: int,
    *,
    manifest_type: str,
    digest: str,
    base_artifact_pk: int | None,
) -> sqlite3.Row:
    """A pending version's manifest record (one per version; a second call updates it)."""
    if manifest_type not in MANIFEST_TYPES:
        raise ArtifactError(f"unknown manifest type {manifest_type!r}")
    if manifest_type != "FULL":
        raise ArtifactError(
            f"{manifest_type} manifests (incremental or distributed artifacts) are not"
            " supported by this server; log the artifact in full"
        )
    conn.execute(
        "INSERT INTO artifact_manifests (artifact_pk, type, digest, base_artifact_pk, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (artifact_pk) DO UPDATE SET type = excluded.type,"
        " digest = CASE WHEN excluded.digest = '' THEN digest ELSE excluded.digest END,"
        " base_artifact_pk = coalesce(excluded.base_artifact_pk, base_artifact_pk)",
        (artifact_pk, manifest_type, digest, base_artifact_pk, utc_now_iso()),
    )
    row = manifest_of(conn, artifact_pk)
    assert row is not None
    return row


def manifest_of(conn: sqlite3.Connection, artifact_pk: int) -> sqlite3.Row | None:
    """A version's manifest record, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM artifact_manifests WHERE artifact_pk = ?", (artifact_pk,)
    ).fetchone()
    return row


def manifest_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """A manifest record with its artifact's state, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT mf.*, a.state AS artifact_state FROM artifact_manifests mf"
        " JOIN artifacts a ON a.pk = mf.artifact_pk WHERE mf.pk = ?",
        (pk,),
    ).fetchone()
    return row


def mark_manifest_uploaded(conn: sqlite3.Connection, pk: int, md5_hex_digest: str) -> None:
    """Note that a manifest's bytes arrived (with their md5)."""
    conn.execute(
        "UPDATE artifact_manifests SET uploaded_md5 = ? WHERE pk = ?", (md5_hex_digest, pk)
    )
