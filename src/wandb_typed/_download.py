"""Write downloaded bytes to disk atomically, verified against the server's md5.

The bytes go to a hidden temporary file beside the destination, are hashed on the way, and
replace the destination only when the md5 matches; on any failure the temporary file is
removed, so a download never leaves a partial or corrupt file behind.

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> write_verified([b"hello"], root / "a.txt", expected_md5="XUFAKrxLKna5cZ2REBfFkg==").name
    'a.txt'
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ChecksumMismatchError, InvalidPathError

__all__ = ["VerifiedWriter", "local_destination", "md5_matches", "write_verified"]


def md5_matches(digest: bytes, expected: str) -> bool:
    """Whether ``digest`` (raw md5 bytes) is ``expected``, given in base64 (W&B) or hex."""
    text = expected.strip()
    if len(text) == 32:
        with contextlib.suppress(ValueError):
            return bytes.fromhex(text) == digest
    try:
        return base64.b64decode(text, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def write_verified(chunks: Iterable[bytes], destination: Path, *, expected_md5: str | None) -> Path:
    """Stream ``chunks`` into ``destination``; raise :class:`ChecksumMismatchError` on a bad md5.

    ``expected_md5`` of ``None`` skips the check (the server did not say). The destination's
    folder is created if needed. Returns ``destination``.
    """
    with VerifiedWriter(destination, expected_md5=expected_md5) as out:
        for chunk in chunks:
            out.write(chunk)
    return destination


class VerifiedWriter:
    """:func:`write_verified` one chunk at a time (for chunks from an async stream too):
    ``with VerifiedWriter(path, expected_md5=...) as out: out.write(chunk)``.

    The bytes go to a hidden temporary file beside the destination (and beside each of
    ``copies``, when the same bytes are also wanted elsewhere, such as a cache), hashed on
    the way; every destination is replaced when the block ends without an error and the
    md5 matches. Otherwise the temporary files are removed and nothing is left behind.

    Atomic, not durable: a crash of this process never leaves a partial file, but the bytes
    are not fsynced (as W&B's client does not), since a sync per file costs more than the
    transfer of a small one. The files are written unbuffered (a chunk is one ``write``
    call), and a folder is created only when opening a file in it fails: a download of
    many small files pays a few system calls per file and no more.
    """

    def __init__(
        self, destination: Path, *, expected_md5: str | None, copies: Sequence[Path] = ()
    ) -> None:
        self._destination = destination
        self._expected = expected_md5
        self._digest = hashlib.md5(usedforsecurity=False)
        self._outputs: list[tuple[int, str, Path]] = []
        self._committed = False
        try:
            for target in (destination, *copies):
                self._outputs.append(_open_temporary(target))
        except BaseException:
            self.discard()
            raise

    def __enter__(self) -> VerifiedWriter:
        return self

    def write(self, chunk: bytes) -> None:
        """Hash ``chunk`` (when an md5 is expected) and append it to every temporary file."""
        if self._expected is not None:
            self._digest.update(chunk)
        for descriptor, _, _ in self._outputs:
            _write_all(descriptor, chunk)

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.discard()

    def commit(self) -> None:
        """Check the md5 and move every file into place (what a clean exit of the ``with``
        block does); raises :class:`ChecksumMismatchError` on a bad md5."""
        self._close()
        digest = self._digest.digest()
        if self._expected is not None and not md5_matches(digest, self._expected):
            actual = base64.b64encode(digest).decode()
            raise ChecksumMismatchError(
                f"{self._destination.name}: the downloaded bytes have md5 {actual}, but the "
                f"server says {self._expected}; nothing was written"
            )
        for _, temporary, target in self._outputs:
            os.replace(temporary, target)
        self._committed = True

    def _close(self) -> None:
        for index, (descriptor, temporary, target) in enumerate(self._outputs):
            if descriptor >= 0:
                os.close(descriptor)
                self._outputs[index] = (-1, temporary, target)

    def discard(self) -> None:
        """Close every file and remove every temporary file still there (a no-op after
        :meth:`commit`; what every exit of the ``with`` block ends with)."""
        self._close()
        if self._committed:
            return
        for _, temporary, _ in self._outputs:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


_TEMPORARY_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _open_temporary(target: Path) -> tuple[int, str, Path]:
    """A new hidden file beside ``target`` (its folder made if missing), opened for
    writing: ``(descriptor, its path, target)``. Its mode is a new file's (umask applies)."""
    folder = os.fspath(target.parent)
    made_folder = False
    while True:
        temporary = os.path.join(folder, f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(temporary, _TEMPORARY_FLAGS, 0o666), temporary, target
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            made_folder = True


def _write_all(descriptor: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        view = view[os.write(descriptor, view) :]


def local_destination(root: Path, name: str) -> Path:
    """Where a run file called ``name`` goes under ``root``; refuses names that escape it.

    Example:
        >>> local_destination(Path("out"), "media/a.png").as_posix()
        'out/media/a.png'
        >>> local_destination(Path("out"), "../etc/passwd")
        Traceback (most recent call last):
        ...
        wandb_typed.errors.InvalidPathError: file name '../etc/passwd' is not a plain relative path: it could be written outside out
    """
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or any(part in {"", ".", ".."} for part in name.split("/"))
    ):
        raise InvalidPathError(
            f"file name {name!r} is not a plain relative path: it could be written outside {root}",
            path=name,
        )
    return root.joinpath(*name.split("/"))
