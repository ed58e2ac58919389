"""Artifact bytes on disk, content-addressed, under ``<data-dir>/artifacts/``:

- ``blobs/<md5[:2]>/<md5>``: one file per distinct content (md5 in hex), whatever number
  of versions, collections or entities hold it;
- ``manifests/<manifest pk>.json``: each version's manifest, as the client uploaded it;
- ``parts/<upload id>/<part number>``: parts of a multipart upload until it completes.

A blob is written through a temporary file and renamed into place only when its bytes have
the md5 it was declared with (:meth:`ArtifactBlobStore.blob_writer`), so a blob's name is
always its content's md5. The ``artifact_blobs`` table lists the blobs present; a blob no
version file points at any more is removed after the transaction that dropped the last one.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from wandb_typed_server.storage.blobs import AtomicWriter, StoredBlob
from wandb_typed_server.storage.clock import utc_now_iso

_HEX_MD5 = re.compile(r"[0-9a-f]{32}")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


class MalformedDigestError(ValueError):
    """An md5 that is neither 32 hex digits nor base64 of 16 bytes."""


def md5_hex(md5_b64: str) -> str:
    """The hex form of W&B's base64 md5.

    >>> md5_hex("1B2M2Y8AsgTpgAmY7PhCfg==")
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    try:
        raw = base64.b64decode(md5_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedDigestError(f"md5 {md5_b64!r} is not base64") from exc
    if len(raw) != 16:
        raise MalformedDigestError(f"md5 {md5_b64!r} is not 16 bytes")
    return raw.hex()


def md5_b64(md5_hex_digest: str) -> str:
    """W&B's base64 form of a hex md5.

    >>> md5_b64("d41d8cd98f00b204e9800998ecf8427e")
    '1B2M2Y8AsgTpgAmY7PhCfg=='
    """
    return base64.b64encode(bytes.fromhex(check_md5_hex(md5_hex_digest))).decode("ascii")


def check_md5_hex(value: str) -> str:
    """``value`` if it is an md5 in lowercase hex, else MalformedDigestError.

    >>> check_md5_hex("d41d8cd98f00b204e9800998ecf8427e")
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    if not _HEX_MD5.fullmatch(value):
        raise MalformedDigestError(f"{value!r} is not an md5 in hex")
    return value


class ArtifactBlobStore:
    """The ``artifacts`` folder of one data dir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("blobs", "manifests", "parts"):
            (root / folder).mkdir(parents=True, exist_ok=True)

    def blob_path(self, md5_hex_digest: str) -> Path:
        """Where the blob with this md5 (hex) lives."""
        digest = check_md5_hex(md5_hex_digest)
        return self.root / "blobs" / digest[:2] / digest

    def has_blob(self, md5_hex_digest: str) -> bool:
        """Whether the blob's bytes are on disk."""
        return self.blob_path(md5_hex_digest).is_file()

    def blob_writer(self, md5_hex_digest: str) -> AtomicWriter:
        """A writer for the blob; commit it with ``expected_md5_b64=md5_b64(digest)``."""
        return AtomicWriter(self.blob_path(md5_hex_digest))

    def manifest_path(self, manifest_pk: int) -> Path:
        """Where a version's manifest lives."""
        return self.root / "manifests" / f"{int(manifest_pk)}.json"

    def part_folder(self, upload_id: str) -> Path:
        """The folder holding a multipart upload's parts."""
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise MalformedDigestError(f"malformed upload id {upload_id!r}")
        return self.root / "parts" / upload_id

    def part_path(self, upload_id: str, part_number: int) -> Path:
        """Where one part of a multipart upload lives."""
        return self.part_folder(upload_id) / str(int(part_number))

    def join_parts(self, upload_id: str, part_count: int, md5_hex_digest: str) -> StoredBlob:
        """Concatenate parts 1..part_count into the blob (checked against its md5), then drop
        the parts. Raises FileNotFoundError for a missing part, DigestMismatchError."""
        writer = self.blob_writer(md5_hex_digest)
        try:
            for number in range(1, part_count + 1):
                with self.part_path(upload_id, number).open("rb") as part:
                    while chunk := part.read(1 << 20):
                        writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        blob = writer.commit(expected_md5_b64=md5_b64(md5_hex_digest))
        self.drop_parts(upload_id)
        return blob

    def drop_parts(self, upload_id: str) -> None:
        """Forget a multipart upload's parts."""
        shutil.rmtree(self.part_folder(upload_id), ignore_errors=True)

    def remove_blobs(self, md5_hex_digests: Iterable[str]) -> None:
        """Delete blobs' bytes (after the transaction that dropped their rows)."""
        for digest in md5_hex_digests:
            self.blob_path(digest).unlink(missing_ok=True)


def record_blob(conn: sqlite3.Connection, md5_hex_digest: str, size_bytes: int) -> bool:
    """Note that a blob is stored; True when it was new."""
    cursor = conn.execute(
        "INSERT INTO artifact_blobs (md5, size_bytes, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (md5) DO NOTHING",
        (check_md5_hex(md5_hex_digest), size_bytes, utc_now_iso()),
    )
    return cursor.rowcount > 0


def stored_blob_md5s(conn: sqlite3.Connection, md5_hex_digests: Iterable[str]) -> set[str]:
    """Those of the md5s (hex) whose blob is stored."""
    wanted = list(dict.fromkeys(md5_hex_digests))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            f"SELECT md5 FROM artifact_blobs WHERE md5 IN ({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
        found.update(str(row["md5"]) for row in rows)
    return found


def all_blob_md5s(conn: sqlite3.Connection) -> set[str]:
    """Every stored blob's md5 (hex)."""
    return {str(row["md5"]) for row in conn.execute("SELECT md5 FROM artifact_blobs")}


def drop_unreferenced_blobs(conn: sqlite3.Connection, md5_hex_digests: Iterable[str]) -> list[str]:
    """Forget those of the blobs no version file points at; returns their md5s (hex), whose
    bytes the caller removes once the transaction has committed."""
    dropped: list[str] = []
    for digest in dict.fromkeys(md5_hex_digests):
        used = conn.execute(
            "SELECT 1 FROM artifact_files WHERE blob_md5 = ? LIMIT 1", (digest,)
        ).fetchone()
        pending = conn.execute(
            "SELECT 1 FROM artifact_multipart_uploads WHERE md5 = ? LIMIT 1", (digest,)
        ).fetchone()
        if used is None and pending is None:
            conn.execute("DELETE FROM artifact_blobs WHERE md5 = ?", (digest,))
            dropped.append(digest)
    return dropped


def start_multipart(
    conn: sqlite3.Connection, artifact_pk: int, md5_hex_digest: str, part_md5s: list[str]
) -> str:
    """Open a multipart upload of a file (md5, hex) in parts with these md5s (hex, in
    order); returns its id."""
    upload_id = secrets.token_hex(16)
    conn.execute(
        "INSERT INTO artifact_multipart_uploads (upload_id, artifact_pk, md5, parts, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (upload_id, artifact_pk, md5_hex_digest, json.dumps(part_md5s), utc_now_iso()),
    )
    return upload_id


def multipart_upload(conn: sqlite3.Connection, upload_id: str) -> sqlite3.Row | None:
    """An open multipart upload (artifact_pk, md5, parts as JSON), or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM artifact_multipart_uploads WHERE upload_id = ?", (upload_id,)
    ).fetchone()
    return row


def close_multipart(conn: sqlite3.Connection, upload_id: str) -> None:
    """Forget a multipart upload (completed or abandoned)."""
    conn.execute("DELETE FROM artifact_multipart_uploads WHERE upload_id = ?", (upload_id,))


def drop_multipart_uploads(conn: sqlite3.Connection, artifact_pk: int) -> list[str]:
    """Forget a version's open multipart uploads; returns their ids (their parts are the
    caller's to remove)."""
    rows = conn.execute(
        "DELETE FROM artifact_multipart_uploads WHERE artifact_pk = ? RETURNING upload_id",
        (artifact_pk,),
    ).fetchall()
    return [str(row["upload_id"]) for row in rows]
