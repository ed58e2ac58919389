"""Records of a run's uploaded files (the bytes live in blobs.py)."""

from __future__ import annotations

import mimetypes
import sqlite3
from collections.abc import Sequence

from wandb_typed_server.storage.blobs import StoredBlob
from wandb_typed_server.storage.clock import utc_now_iso


def guess_mimetype(name: str) -> str:
    """The mimetype W&B would report for a file name.

    >>> guess_mimetype("config.yaml"), guess_mimetype("output.log")
    ('application/x-yaml', 'text/plain')
    """
    if name.endswith((".log", ".txt", ".jsonl")):
        return "text/plain"
    guessed, _ = mimetypes.guess_type(name)
    if guessed is None and name.endswith((".yaml", ".yml")):
        return "application/x-yaml"
    return guessed or "application/octet-stream"


def record_file(conn: sqlite3.Connection, run_pk: int, name: str, blob: StoredBlob) -> None:
    """Insert or refresh the record of an uploaded file."""
    now = utc_now_iso()
    conn.execute(
        "INSERT INTO run_files (run_pk, name, size_bytes, md5, mimetype, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (run_pk, name) DO UPDATE SET size_bytes = excluded.size_bytes,"
        " md5 = excluded.md5, updated_at = excluded.updated_at",
        (run_pk, name, blob.size_bytes, blob.md5_b64, guess_mimetype(name), now, now),
    )


def name_conflicts(conn: sqlite3.Connection, run_pk: int, names: Sequence[str]) -> str | None:
    """Why one of ``names`` cannot live beside the run's files and the other names (one is a
    folder of another: ``a`` and ``a/b``), else None.

    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute("CREATE TABLE run_files (run_pk, name)")
    >>> name_conflicts(conn, 1, ["a", "a/b"])
    "file name 'a' is a folder holding 'a/b'"
    >>> _ = conn.execute("INSERT INTO run_files VALUES (1, 'c')")
    >>> name_conflicts(conn, 1, ["c/d"])
    "file name 'c/d' needs 'c' to be a folder, and 'c' is a file"
    """
    wanted = set(names)
    existing = {
        str(row[0])
        for row in conn.execute("SELECT name FROM run_files WHERE run_pk = ?", (run_pk,))
    }
    files = wanted | existing
    folders: dict[str, str] = {}  # every folder some file needs -> one such file
    for file in files:
        parts = file.split("/")
        for index in range(1, len(parts)):
            folders.setdefault("/".join(parts[:index]), file)
    for name in sorted(wanted):
        parts = name.split("/")
        for index in range(1, len(parts)):
            folder = "/".join(parts[:index])
            if folder in files:
                return (
                    f"file name {name!r} needs {folder!r} to be a folder, and {folder!r} is a file"
                )
        if name in folders:
            return f"file name {name!r} is a folder holding {folders[name]!r}"
    return None


def _name_filter(names: Sequence[str] | None, pattern: str | None) -> tuple[str, list[object]]:
    sql = ""
    params: list[object] = []
    if names:
        sql += f" AND name IN ({', '.join('?' for _ in names)})"
        params.extend(names)
    if pattern:
        sql += " AND name LIKE ?"
        params.append(pattern)
    return sql, params


def list_files(
    conn: sqlite3.Connection,
    run_pk: int,
    *,
    names: Sequence[str] | None,
    pattern: str | None,
    after_name: str | None,
    limit: int,
) -> list[sqlite3.Row]:
    """A run's files by name (``pattern`` uses SQL LIKE, as W&B does), after a name."""
    sql, params = _name_filter(names, pattern)
    return conn.execute(
        f"SELECT * FROM run_files WHERE run_pk = ? AND name > ?{sql} ORDER BY name LIMIT ?",
        (run_pk, after_name or "", *params, limit),
    ).fetchall()


def count_files(conn: sqlite3.Connection, run_pk: int) -> int:
    """How many files a run has."""
    return int(
        conn.execute("SELECT COUNT(*) FROM run_files WHERE run_pk = ?", (run_pk,)).fetchone()[0]
    )


def files_by_pk(conn: sqlite3.Connection, pks: Sequence[int]) -> list[sqlite3.Row]:
    """File records with their run path, for deletion."""
    if not pks:
        return []
    return conn.execute(
        "SELECT f.pk, f.name, r.name AS run_name, p.name AS project_name, e.name AS entity_name"
        " FROM run_files f JOIN runs r ON r.pk = f.run_pk JOIN projects p ON p.pk = r.project_pk"
        f" JOIN entities e ON e.pk = p.entity_pk WHERE f.pk IN ({', '.join('?' for _ in pks)})",
        tuple(pks),
    ).fetchall()


def delete_file_records(conn: sqlite3.Connection, pks: Sequence[int]) -> None:
    """Forget these files (their bytes are the blob store's to delete)."""
    conn.executemany("DELETE FROM run_files WHERE pk = ?", [(pk,) for pk in pks])
