"""Periodic sweeps: W&B's "crashed" state, and abandoned artifact uploads.

"Crashed" is a running run whose heartbeat stopped without a ``complete``.

The SDK heartbeats through file_stream about every 15 s (30 s when idle). A run that has
been silent for longer than ``timeout_seconds`` (default 5 minutes) is marked "crashed" by a
periodic sweep (a "preempting" one becomes "preempted"); a later heartbeat from the same run
brings it back to "running".

An artifact version still pending a day after its last upload request (its upload URLs
have expired) is abandoned: it is deleted with the bytes no other version holds
(:func:`~wandb_typed_server.storage.artifact_cleanup.sweep_abandoned_uploads`).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from wandb_typed_server.storage.artifact_blobs import ArtifactBlobStore
from wandb_typed_server.storage.artifact_cleanup import sweep_abandoned_uploads
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.runs import mark_stale_runs_crashed

DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 300.0


def sweep_crashed_runs(db: Database, timeout_seconds: float) -> int:
    """Mark every run silent for longer than ``timeout_seconds`` as crashed; returns how many."""
    cutoff = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=timeout_seconds)
    with db.transaction() as conn:
        return mark_stale_runs_crashed(conn, cutoff.isoformat(timespec="microseconds"))


class CrashReaper:
    """A daemon thread running :func:`sweep_crashed_runs` every ``interval`` seconds (and,
    given the artifact store, the abandoned-upload sweep)."""

    def __init__(
        self,
        db: Database,
        timeout_seconds: float,
        interval: float = 30.0,
        artifact_blobs: ArtifactBlobStore | None = None,
    ) -> None:
        self._db = db
        self._artifact_blobs = artifact_blobs
        self._timeout = timeout_seconds
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="crash-reaper", daemon=True)

    def start(self) -> None:
        """Start sweeping in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the background sweep."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            sweep_crashed_runs(self._db, self._timeout)
            if self._artifact_blobs is not None:
                sweep_abandoned_uploads(self._db, self._artifact_blobs)
            self._stopped.wait(self._interval)
