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
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import ChecksumMismatchError

__all__ = ["md5_matches", "write_verified"]


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
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by `with handle` below
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part", delete=False
    )
    temporary = Path(handle.name)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if expected_md5 is not None and not md5_matches(digest.digest(), expected_md5):
            actual = base64.b64encode(digest.digest()).decode()
            raise ChecksumMismatchError(
                f"{destination.name}: the downloaded bytes have md5 {actual}, but the server "
                f"says {expected_md5}; nothing was written"
            )
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return destination
