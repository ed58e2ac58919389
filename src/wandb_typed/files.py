"""Run files: :class:`File`, the lazy :class:`Files` listing, downloads and uploads.

``Run.files()``, ``Run.file()`` and ``Run.upload_file()`` call :func:`run_files`,
:func:`run_file` and :func:`upload_run_file`.

A download goes through the ``Api``'s transport (the API key is sent only to the W&B server's
own origin), is written atomically and checked against the server's md5: a failed or
mismatching download never leaves a file behind.

Example:
    >>> from wandb_typed.paths import RunPath
    >>> files = run_files(api, RunPath("team", "vision", "abc123"))  # doctest: +SKIP
    >>> [f.name for f in files]  # doctest: +SKIP
    ['config.yaml', 'output.log', 'wandb-summary.json']
    >>> files[0].download(root="out", replace=True)  # doctest: +SKIP
    PosixPath('out/config.yaml')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed._download import write_verified
from wandb_typed.errors import (
    InvalidArgumentError,
    InvalidPathError,
    InvalidResponseError,
    NotFoundError,
)
from wandb_typed.pagination import Page, Paginator
from wandb_typed.paths import RunPath

if TYPE_CHECKING:
    from wandb_typed._generated import FileFragment
    from wandb_typed.api import Api

__all__ = ["File", "Files", "run_file", "run_files", "upload_run_file"]


@dataclass(frozen=True)
class File:
    """A file of a run, as the server lists it.

    ``url`` is the W&B-served download URL (it needs the API key, which the transport sends
    only to the server's own origin); ``direct_url`` is the storage URL (signed, no key).
    """

    id: str
    name: str
    """The run-relative name, e.g. ``media/images/a.png``."""
    url: str | None
    direct_url: str
    size: int
    """Size in bytes."""
    mimetype: str | None
    updated_at: datetime | None
    md5: str | None
    """Base64 md5 of the bytes, as W&B gives it (``None`` when the server does not say)."""
    run: RunPath
    """The run the file belongs to."""
    _api: Api = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: FileFragment, *, run: RunPath, api: Api) -> File:
        return cls(
            id=fragment.id,
            name=fragment.name,
            url=fragment.url,
            direct_url=fragment.direct_url,
            size=fragment.size_bytes,
            mimetype=fragment.mimetype,
            updated_at=fragment.updated_at,
            md5=fragment.md5,
            run=run,
            _api=api,
        )

    def download(
        self,
        root: str | os.PathLike[str] = ".",
        replace: bool = False,
        exist_ok: bool = False,
    ) -> Path:
        """Download the file to ``root/name`` and return that local path.

        The official client returns an open file handle; this returns the ``Path`` (open it
        when you need to, nothing is left open behind your back).

        Args:
            root: The folder to download into (created if needed).
            replace: Overwrite a local file that already exists.
            exist_ok: When the local file exists and ``replace`` is false, return its path
                untouched instead of raising.

        Raises:
            FileExistsError: The local file exists and neither ``replace`` nor ``exist_ok``
                was given.
            InvalidPathError: The file's name would escape ``root`` (``..`` or absolute).
            ChecksumMismatchError: The bytes do not match the server's md5 (nothing written).
            HTTPNotFoundError: The server has no bytes for this file.

        Example:
            >>> run_file(api, run, "config.yaml").download("out", exist_ok=True)  # doctest: +SKIP
            PosixPath('out/config.yaml')
        """
        destination = local_destination(Path(root), self.name)
        if destination.exists() and not replace:
            if exist_ok:
                return destination
            raise FileExistsError(
                f"{destination} already exists: pass replace=True to overwrite it, or "
                "exist_ok=True to keep it as it is without an error."
            )
        if self.url is None:
            raise InvalidResponseError(
                f"{self.run}: the server gave no download URL for file {self.name!r}."
            )
        with self._api.transport.stream(self.url) as chunks:
            return write_verified(chunks, destination, expected_md5=self.md5)

    def delete(self) -> None:
        """Delete the file from the run (its record and its bytes).

        Example:
            >>> run_file(api, run, "scratch.txt").delete()  # doctest: +SKIP
        """
        self._api.client.delete_files([self.id])

    def __str__(self) -> str:
        return self.name


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


class Files(Paginator[File]):
    """A run's files, fetched lazily page by page; ``len()`` is the run's file count.

    Args:
        api: The ``Api`` to query through.
        run: The run whose files to list.
        names: Only these file names (exclusive with ``pattern``).
        pattern: A SQL ``LIKE`` pattern on names, e.g. ``media/%`` (exclusive with ``names``).
        per_page: Files per request.

    Raises:
        InvalidArgumentError: Both ``names`` and ``pattern`` were given, or a bad ``per_page``.
        NotFoundError: (on first use) the run does not exist.
    """

    def __init__(
        self,
        api: Api,
        run: RunPath,
        names: Sequence[str] | None = None,
        pattern: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        if names is not None and pattern is not None:
            raise InvalidArgumentError(
                "Files: pass either names or pattern, not both "
                f"(names={list(names)!r}, pattern={pattern!r})."
            )
        if isinstance(names, str):
            raise InvalidArgumentError(
                f"Files: names must be a list of file names, not the string {names!r}."
            )
        super().__init__(per_page=per_page)
        self.api = api
        self.run = run
        self.names = list(names) if names is not None else None
        self.pattern = pattern

    def _fetch(self, cursor: str | None) -> Page[File]:
        result = self.api.client.get_run_files(
            self.run.entity,
            self.run.project,
            self.run.run_id,
            names=list(self.names) if self.names is not None else None,
            pattern=self.pattern,
            cursor=cursor,
            per_page=self.per_page,
        )
        run = result.project.run if result.project is not None else None
        if run is None:
            raise NotFoundError.for_run(self.run)
        if run.files is None:
            return Page([], end_cursor=None, has_next=False, total=run.file_count or 0)
        items = [
            File._from_fragment(edge.node, run=self.run, api=self.api)
            for edge in run.files.edges
            if edge.node is not None
        ]
        end_cursor = run.files.edges[-1].cursor if run.files.edges else None
        return Page(
            items,
            end_cursor=end_cursor or run.files.page_info.end_cursor,
            has_next=run.files.page_info.has_next_page,
            total=run.file_count,
        )


def run_files(
    api: Api,
    run: RunPath,
    names: Sequence[str] | None = None,
    pattern: str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> Files:
    """The files of ``run`` (lazy: nothing is sent until the listing is used).

    Example:
        >>> [f.name for f in run_files(api, run, pattern="%.json")]  # doctest: +SKIP
        ['wandb-metadata.json', 'wandb-summary.json']
    """
    return Files(api, run, names=names, pattern=pattern, per_page=per_page)


def run_file(api: Api, run: RunPath, name: str) -> File:
    """The file called ``name`` of ``run``.

    Raises:
        NotFoundError: The run has no such file (or the run does not exist).

    Example:
        >>> run_file(api, run, "config.yaml").size  # doctest: +SKIP
        412
    """
    files = Files(api, run, names=[name], per_page=1)
    for file in files:
        if file.name == name:
            return file
    raise NotFoundError(f"Run {run} has no file named {name!r}.", kind="file", path=f"{run}/{name}")


def upload_run_file(
    api: Api,
    run: RunPath,
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] = ".",
) -> File:
    """Upload the local file ``path`` to ``run``, named by its path relative to ``root``.

    The server hands out a signed upload URL (``createRunFiles``); the bytes are PUT there
    with the headers it asks for, and the stored file is read back.

    Raises:
        InvalidArgumentError: ``path`` is not inside ``root``, or is not a file.
        NotFoundError: The run does not exist.

    Example:
        >>> upload_run_file(api, run, "out/model.pt", root="out").name  # doctest: +SKIP
        'model.pt'
    """
    local = Path(path)
    if not local.is_file():
        raise InvalidArgumentError(f"upload_file: {local} is not a file.")
    name = upload_name(local, Path(root))
    result = api.client.create_run_files(run.entity, run.project, run.run_id, [name])
    created = result.create_run_files
    upload_url = next(
        (f.upload_url for f in (created.files if created else []) if f.name == name), None
    )
    if created is None or upload_url is None:
        raise InvalidResponseError(
            f"{run}: the server gave no upload URL for {name!r} (createRunFiles)."
        )
    api.transport.put(
        upload_url, local.read_bytes(), headers=upload_headers(created.upload_headers)
    )
    return run_file(api, run, name)


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
