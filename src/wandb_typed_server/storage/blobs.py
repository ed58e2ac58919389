"""Run files on disk under ``<data-dir>/files/<entity>/<project>/<run>/<name>``.

Names are checked so that nothing escapes its run's folder, and writes go to a temporary
file that is fsynced and then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class UnsafeFileNameError(ValueError):
    """A file, run, project or entity name that could escape its folder."""


class DigestMismatchError(ValueError):
    """Uploaded bytes whose md5 is not the one they were declared with (nothing was kept)."""


@dataclass(frozen=True)
class StoredBlob:
    """What was written: size and W&B's md5 (base64 of the binary digest)."""

    size_bytes: int
    md5_b64: str


MAX_SEGMENT_BYTES = 255
"""Longest folder or file name (UTF-8 bytes): what the file systems the server runs on hold."""
MAX_NAME_BYTES = 1024
"""Longest run-relative file name (UTF-8 bytes)."""
MAX_NAME_LEVELS = 32
"""Most folders a run file name may nest in (W&B's media paths use three or four)."""


def _control_character(value: str) -> str | None:
    for char in value:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return char
    return None


def _short(value: str) -> str:
    return repr(value) if len(value) <= 80 else repr(value[:60] + "...") + f" ({len(value)} chars)"


def check_segment(kind: str, value: str) -> str:
    """A single path segment (entity, project or run name), refused if it is not plain.

    >>> check_segment("run", "abc123")
    'abc123'
    """
    if not value or value in {".", ".."} or "/" in value or "\\" in value:
        raise UnsafeFileNameError(f"unsafe {kind} name {_short(value)}")
    if _control_character(value) is not None:
        raise UnsafeFileNameError(f"{kind} name {_short(value)} holds a control character")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
        raise UnsafeFileNameError(
            f"{kind} name {_short(value)} is longer than {MAX_SEGMENT_BYTES} bytes"
        )
    return value


def check_file_name(name: str) -> PurePosixPath:
    """A run-relative file name, refused if absolute, with ``..``, backslashes, control
    characters (newline, NUL...), a part over 255 bytes, over 1,024 bytes in all, or more than
    32 levels deep.

    >>> check_file_name("media/images/a.png").parts
    ('media', 'images', 'a.png')
    """
    if not name or "\\" in name or name.startswith("/"):
        raise UnsafeFileNameError(f"unsafe file name {_short(name)}")
    if _control_character(name) is not None:
        raise UnsafeFileNameError(f"file name {_short(name)} holds a control character")
    parts = name.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        raise UnsafeFileNameError(f"unsafe file name {_short(name)}")
    if len(parts) > MAX_NAME_LEVELS:
        raise UnsafeFileNameError(
            f"file name {_short(name)} nests {len(parts)} levels, more than {MAX_NAME_LEVELS}"
        )
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise UnsafeFileNameError(f"file name {_short(name)} is longer than {MAX_NAME_BYTES} bytes")
    for part in parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise UnsafeFileNameError(
                f"file name {_short(name)} has a part longer than {MAX_SEGMENT_BYTES} bytes"
            )
    return PurePosixPath(name)


def sweep_temporary_files(root: Path) -> int:
    """Remove the ``.upload-*.tmp`` files an interrupted upload left under ``root`` (a server
    killed mid-upload); returns how many. Run at start, before any upload can be in flight.
    """
    removed = 0
    if not root.is_dir():
        return 0
    for tmp in root.rglob(".upload-*.tmp"):
        try:
            tmp.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def md5_base64(data: bytes) -> str:
    """W&B's md5 form: base64 of the 16-byte digest.

    >>> md5_base64(b"")
    '1B2M2Y8AsgTpgAmY7PhCfg=='
    """
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


class BlobStore:
    """The files directory of one data dir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def conflict(self, target: Path) -> str | None:
        """Why ``target`` cannot be written (a folder by that name, or a file where one of
        its folders should be), else None."""
        if target.is_dir():
            return "a folder of that name already holds files"
        for parent in target.parents:
            if parent == self.root or self.root not in parent.parents:
                break
            if parent.is_file():
                return f"{parent.name!r} is a file, not a folder"
        return None

    def path_for(self, entity: str, project: str, run: str, name: str) -> Path:
        """Where a run file lives; raises UnsafeFileNameError for any escaping name."""
        folder = self.run_folder(entity, project, run)
        return folder.joinpath(*check_file_name(name).parts)

    def run_folder(self, entity: str, project: str, run: str) -> Path:
        """The folder holding a run's files."""
        return self.root.joinpath(
            check_segment("entity", entity),
            check_segment("project", project),
            check_segment("run", run),
        )

    def writer(self, target: Path) -> AtomicWriter:
        """A writer that makes ``target`` appear only once it is complete."""
        return AtomicWriter(target)

    def write_atomic(self, target: Path, chunks: Iterable[bytes]) -> StoredBlob:
        """Write ``chunks`` to ``target`` via a temporary file, fsync and rename."""
        writer = self.writer(target)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.discard()
            raise
        return writer.commit()


class AtomicWriter:
    """Bytes go to a temporary file next to ``target``; :meth:`commit` fsyncs and renames it,
    :meth:`discard` removes it. Readers never see a partial file.

    >>> writer = AtomicWriter(Path(tmp) / "a.txt")  # doctest: +SKIP
    >>> writer.write(b"data"); blob = writer.commit()  # doctest: +SKIP
    """

    def __init__(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.target = target
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
        self._tmp = Path(tmp_name)
        self._handle = os.fdopen(fd, "wb")
        self._digest = hashlib.md5()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        self._handle.write(chunk)
        self._digest.update(chunk)
        self._size += len(chunk)

    def md5_b64(self) -> str:
        """W&B's md5 of what was written so far."""
        return base64.b64encode(self._digest.digest()).decode("ascii")

    def commit(self, expected_md5_b64: str | None = None) -> StoredBlob:
        """Make the file durable and visible under its name. With ``expected_md5_b64`` the
        bytes must have that md5, else they are dropped and DigestMismatchError is raised."""
        actual = self.md5_b64()
        if expected_md5_b64 is not None and actual != expected_md5_b64:
            self.discard()
            raise DigestMismatchError(
                f"the uploaded bytes have md5 {actual}, not the declared {expected_md5_b64}"
            )
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.replace(self._tmp, self.target)
        except BaseException:
            self.discard()
            raise
        return StoredBlob(size_bytes=self._size, md5_b64=actual)

    def discard(self) -> None:
        """Drop what was written."""
        self._handle.close()
        self._tmp.unlink(missing_ok=True)
