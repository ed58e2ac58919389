"""Letting go of artifact bytes: after a version is deleted, and for uploads that never
commit.

Rows go inside the caller's transaction; bytes only once it has committed (a rolled back
deletion must find its bytes), so both functions return the action that removes them.
An upload that has not committed for longer than its upload URLs live (a day) is abandoned:
the sweep deletes the pending version, its announced files and multipart parts, and the
blobs no other version holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from wandb_typed_server.storage.artifact_blobs import (
    ArtifactBlobStore,
    drop_multipart_uploads,
    drop_unreferenced_blobs,
)
from wandb_typed_server.storage.artifact_files import drop_files, manifest_of
from wandb_typed_server.storage.artifacts import stale_pending_versions
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.signing import DEFAULT_TTL_SECONDS

RemoveBytes = Callable[[], None]


def forget_versions(
    conn: sqlite3.Connection, store: ArtifactBlobStore, pks: Iterable[int]
) -> RemoveBytes:
    """Drop deleted versions' files (and multipart uploads); returns the action removing the
    manifests and the blobs no version holds any more, to run after the commit."""
    blobs: list[str] = []
    manifests = []
    uploads: list[str] = []
    for pk in pks:
        blobs.extend(drop_files(conn, pk))
        uploads.extend(drop_multipart_uploads(conn, pk))
        manifest = manifest_of(conn, pk)
        if manifest is not None:
            manifests.append(store.manifest_path(int(manifest["pk"])))
    unreferenced = drop_unreferenced_blobs(conn, blobs)

    def remove_bytes() -> None:
        store.remove_blobs(unreferenced)
        for path in manifests:
            path.unlink(missing_ok=True)
        for upload_id in uploads:
            store.drop_parts(upload_id)

    return remove_bytes


def sweep_abandoned_uploads(
    db: Database, store: ArtifactBlobStore, older_than_seconds: float = DEFAULT_TTL_SECONDS
) -> int:
    """Delete versions pending for longer than ``older_than_seconds`` and the bytes only they
    held; returns how many."""
    cutoff = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=older_than_seconds)
    with db.transaction() as conn:
        pks = stale_pending_versions(conn, cutoff.isoformat(timespec="microseconds"))
        remove_bytes = forget_versions(conn, store, pks)
    remove_bytes()
    return len(pks)
