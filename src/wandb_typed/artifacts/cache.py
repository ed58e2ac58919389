"""The local artifact file cache: bytes stored once by their md5, shared by every download.

W&B's layout and environment variable: ``$WANDB_CACHE_DIR/artifacts/obj/md5/<2 hex>/<30
hex>`` (``WANDB_CACHE_DIR`` defaults to ``~/.cache/wandb``). A second download of the same or
an overlapping version copies from here instead of asking the server.

Example:
    >>> import tempfile, pathlib
    >>> cache = ArtifactFileCache(pathlib.Path(tempfile.mkdtemp()))
    >>> cache.path_for("5d41402abc4b2a76b9719d911017c592").parts[-3:]
    ('md5', '5d', '41402abc4b2a76b9719d911017c592')
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["ArtifactFileCache", "default_cache_dir", "file_md5_hex", "place"]


def default_cache_dir() -> Path:
    """``$WANDB_CACHE_DIR/artifacts``, or ``~/.cache/wandb/artifacts``."""
    base = os.environ.get("WANDB_CACHE_DIR") or str(Path.home() / ".cache" / "wandb")
    return Path(base).expanduser() / "artifacts"


class ArtifactFileCache:
    """Files named by their md5 (hex) under ``root``; written only once verified."""

    def __init__(self, root: Path | None = None) -> None:
        self.root: Path = root if root is not None else default_cache_dir()

    def path_for(self, md5_hex: str) -> Path:
        """Where the file of md5 ``md5_hex`` is (or would be) cached."""
        return self.root / "obj" / "md5" / md5_hex[:2] / md5_hex[2:]

    def lookup(self, md5_hex: str, size: int | None) -> Path | None:
        """The cached file for ``md5_hex`` (of ``size`` bytes when known), or None."""
        path = self.path_for(md5_hex)
        try:
            found = path.stat().st_size
        except OSError:
            return None
        return path if size is None or found == size else None


def place(source: Path, destination: Path) -> None:
    """Copy ``source`` to ``destination`` atomically (a reader never sees half a file)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_md5_hex(path: Path) -> str | None:
    """The md5 (hex) of a local file, or None if it cannot be read."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
