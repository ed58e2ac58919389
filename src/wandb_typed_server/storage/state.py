"""What one data dir holds: the database, the run files, the artifact blobs and the
URL-signing secret."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wandb_typed_server.storage.artifact_blobs import ArtifactBlobStore
from wandb_typed_server.storage.blobs import BlobStore
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.history_exports import HistoryExports
from wandb_typed_server.storage.signing import UrlSigner

DATABASE_FILE = "server.sqlite3"


@dataclass(frozen=True)
class ServerState:
    """Long-lived parts of one server: database, run files, artifact blobs, URL signer."""

    data_dir: Path
    db: Database
    blobs: BlobStore
    signer: UrlSigner
    artifact_blobs: ArtifactBlobStore
    history_exports: HistoryExports


def open_state(data_dir: Path, *, history_exports: bool = False) -> ServerState:
    """Open (creating if needed) the database, files folders and signing key in ``data_dir``
    (``history_exports=True``: serve runs' histories as Parquet exports, see
    :mod:`wandb_typed_server.storage.history_exports`; off by default because wandb 0.31.0's
    ``scan_history(keys=[...])`` reads every exported row, holding the keys or not).

    >>> state = open_state(Path("/tmp/wandb-data"))  # doctest: +SKIP
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServerState(
        data_dir=data_dir,
        db=Database(data_dir / DATABASE_FILE),
        blobs=BlobStore(data_dir / "files"),
        signer=UrlSigner.load_or_create(data_dir),
        artifact_blobs=ArtifactBlobStore(data_dir / "artifacts"),
        history_exports=HistoryExports(data_dir / "history-exports", enabled=history_exports),
    )
