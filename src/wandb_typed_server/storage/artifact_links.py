"""What artifacts are tied to: tags (of versions and of collections) and the runs that log
and use them."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from wandb_typed_server.storage import automation_events
from wandb_typed_server.storage.artifact_collections import ArtifactError
from wandb_typed_server.storage.artifacts import ARTIFACT_SELECT
from wandb_typed_server.storage.clock import utc_now_iso

_TAG = re.compile(r"[A-Za-z0-9_\- ]{1,256}")


def check_tag(name: str) -> str:
    """A tag name: letters, digits, ``-``, ``_`` and spaces (as W&B allows).

    >>> check_tag("best model")
    'best model'
    """
    if not _TAG.fullmatch(name) or not name.strip():
        raise ArtifactError(
            f"invalid tag {name!r}: use letters, digits, '-', '_' and spaces (1-256 characters)"
        )
    return name


def _tag_pk(conn: sqlite3.Connection, name: str) -> int:
    conn.execute(
        "INSERT INTO artifact_tag_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
        (check_tag(name),),
    )
    return int(
        conn.execute("SELECT pk FROM artifact_tag_names WHERE name = ?", (name,)).fetchone()[0]
    )


def tag_version(
    conn: sqlite3.Connection, artifact_pk: int, add: Iterable[str], remove: Iterable[str] = ()
) -> None:
    """Add and remove tags of a version."""
    added, removed = [], []
    for name in add:
        if conn.execute(
            "INSERT INTO artifact_tags (artifact_pk, tag_pk) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (artifact_pk, _tag_pk(conn, name)),
        ).rowcount:
            added.append(name)
    for name in remove:
        if conn.execute(
            "DELETE FROM artifact_tags WHERE artifact_pk = ? AND tag_pk ="
            " (SELECT pk FROM artifact_tag_names WHERE name = ?)",
            (artifact_pk, name),
        ).rowcount:
            removed.append(name)
    automation_events.on_version_tags(conn, artifact_pk, added, removed)


def tags_of_version(conn: sqlite3.Connection, artifact_pk: int) -> list[sqlite3.Row]:
    """A version's tags (pk, name), by name."""
    return conn.execute(
        "SELECT n.pk, n.name FROM artifact_tags t JOIN artifact_tag_names n ON n.pk = t.tag_pk"
        " WHERE t.artifact_pk = ? ORDER BY n.name",
        (artifact_pk,),
    ).fetchall()


def tag_collection(
    conn: sqlite3.Connection, collection_pk: int, add: Iterable[str], remove: Iterable[str] = ()
) -> list[sqlite3.Row]:
    """Add and remove tags of a collection; returns the added tags (pk, name)."""
    added, newly, removed = [], [], []
    for name in add:
        pk = _tag_pk(conn, name)
        if conn.execute(
            "INSERT INTO artifact_collection_tags (collection_pk, tag_pk) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (collection_pk, pk),
        ).rowcount:
            newly.append(name)
        added.append(
            conn.execute("SELECT pk, name FROM artifact_tag_names WHERE pk = ?", (pk,)).fetchone()
        )
    for name in remove:
        if conn.execute(
            "DELETE FROM artifact_collection_tags WHERE collection_pk = ? AND tag_pk ="
            " (SELECT pk FROM artifact_tag_names WHERE name = ?)",
            (collection_pk, name),
        ).rowcount:
            removed.append(name)
    automation_events.on_collection_tags(conn, collection_pk, newly, removed)
    return added


def tags_of_collection(conn: sqlite3.Connection, collection_pk: int) -> list[sqlite3.Row]:
    """A collection's tags (pk, name), by name."""
    return conn.execute(
        "SELECT n.pk, n.name FROM artifact_collection_tags t"
        " JOIN artifact_tag_names n ON n.pk = t.tag_pk WHERE t.collection_pk = ? ORDER BY n.name",
        (collection_pk,),
    ).fetchall()


# --- Runs ----------------------------------------------------------------------------------


def record_use(
    conn: sqlite3.Connection, artifact_pk: int, run_pk: int, used_as: str | None
) -> None:
    """Note that a run uses a version (once per run)."""
    conn.execute(
        "INSERT INTO artifact_uses (artifact_pk, run_pk, used_as, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (artifact_pk, run_pk) DO UPDATE SET used_as = coalesce(excluded.used_as,"
        " used_as)",
        (artifact_pk, run_pk, used_as, utc_now_iso()),
    )


def runs_using(
    conn: sqlite3.Connection, artifact_pk: int, after_run_pk: int | None, limit: int
) -> list[int]:
    """The pks of the runs using a version, oldest run first."""
    rows = conn.execute(
        "SELECT run_pk FROM artifact_uses WHERE artifact_pk = ? AND run_pk > ?"
        " ORDER BY run_pk LIMIT ?",
        (artifact_pk, after_run_pk or 0, limit),
    ).fetchall()
    return [int(row["run_pk"]) for row in rows]


def count_runs_using(conn: sqlite3.Connection, artifact_pk: int) -> int:
    """How many runs use a version."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM artifact_uses WHERE artifact_pk = ?", (artifact_pk,)
        ).fetchone()[0]
    )


def run_artifacts(
    conn: sqlite3.Connection, run_pk: int, *, used: bool, after_pk: int | None, limit: int
) -> list[sqlite3.Row]:
    """The committed versions a run logged (or used), oldest first, after one pk."""
    if used:
        sql = (
            f"{ARTIFACT_SELECT} JOIN artifact_uses u ON u.artifact_pk = a.pk"
            " WHERE u.run_pk = ? AND a.state = 'COMMITTED' AND a.pk > ?"
        )
    else:
        sql = f"{ARTIFACT_SELECT} WHERE a.run_pk = ? AND a.state = 'COMMITTED' AND a.pk > ?"
    return conn.execute(f"{sql} ORDER BY a.pk LIMIT ?", (run_pk, after_pk or 0, limit)).fetchall()


def count_run_artifacts(conn: sqlite3.Connection, run_pk: int, *, used: bool) -> int:
    """How many committed versions a run logged (or used)."""
    if used:
        sql = (
            "SELECT COUNT(*) FROM artifact_uses u JOIN artifacts a ON a.pk = u.artifact_pk"
            " WHERE u.run_pk = ? AND a.state = 'COMMITTED'"
        )
    else:
        sql = "SELECT COUNT(*) FROM artifacts a WHERE a.run_pk = ? AND a.state = 'COMMITTED'"
    return int(conn.execute(sql, (run_pk,)).fetchone()[0])


def forget_run(conn: sqlite3.Connection, run_pk: int) -> None:
    """A run is deleted: its uses go, the versions it logged keep their user only."""
    conn.execute("DELETE FROM artifact_uses WHERE run_pk = ?", (run_pk,))
    conn.execute("UPDATE artifacts SET run_pk = NULL WHERE run_pk = ?", (run_pk,))
