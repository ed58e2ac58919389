"""Where run files go on disk and what they are called in a run: pure helpers.

Example:
    >>> upload_headers(["Content-Type:text/plain"])
    {'Content-Type': 'text/plain'}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wandb_typed.errors import InvalidArgumentError, InvalidResponseError

__all__ = ["upload_headers", "upload_name"]


def upload_name(local: Path, root: Path) -> str:
    """The run-relative name of ``local`` under ``root`` (POSIX separators).

    Example:
        >>> upload_name(Path("/data/out/media/a.png"), Path("/data/out"))
        'media/a.png'
    """
    absolute, base = local.resolve(), root.resolve()
    if not absolute.is_relative_to(base) or absolute == base:
        raise InvalidArgumentError(
            f"upload_file: {local} is not inside root {root}; pass the folder that contains "
            "it as root (the file's name in the run is its path relative to root)."
        )
    return absolute.relative_to(base).as_posix()


def upload_headers(raw: Sequence[str]) -> dict[str, str]:
    """W&B's ``uploadHeaders`` (``"Name:Value"`` strings) as a header mapping.

    Example:
        >>> upload_headers(["Content-Type:application/octet-stream", "x-amz-acl: private"])
        {'Content-Type': 'application/octet-stream', 'x-amz-acl': 'private'}
    """
    headers: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition(":")
        if not sep or not key.strip():
            raise InvalidResponseError(f"malformed upload header {item!r} (expected Name:Value)")
        headers[key.strip()] = value.strip()
    return headers
