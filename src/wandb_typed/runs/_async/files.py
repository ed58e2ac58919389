"""Run files: :class:`AsyncFile`, the lazy :class:`AsyncFiles` listing, downloads and
uploads (the async source of ``File`` and ``Files``).

A download goes through the ``Api``'s transport (the API key is sent only to the W&B server's
own origin), is written atomically and checked against the server's md5: a failed or
mismatching download never leaves a file behind.

Example:
    >>> files = run.files()  # doctest: +SKIP
    >>> [f.name for f in files]  # doctest: +SKIP
    ['config.yaml', 'output.log', 'wandb-summary.json']
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._concurrency import async_gather_bounded
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed._download import VerifiedWriter, local_destination
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import RunPath
from wandb_typed.runs.file_names import upload_headers, upload_name

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import FileFragment

__all__ = ["AsyncFile", "AsyncFiles", "run_file", "upload_run_file"]

PARALLEL_FILE_DOWNLOADS = 16
"""Files fetched at once by :meth:`AsyncFiles.download`."""


@dataclass(frozen=True)
class AsyncFile:
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
    _session: AsyncSession = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(
        cls, fragment: FileFragment, *, run: RunPath, session: AsyncSession
    ) -> AsyncFile:
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
            _session=session,
        )

    async def download(
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
            >>> run.file("config.yaml").download("out", exist_ok=True)  # doctest: +SKIP
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
        async with self._session.transport.stream(self.url) as chunks:
            with VerifiedWriter(destination, expected_md5=self.md5) as out:
                async for chunk in chunks:
                    out.write(chunk)
        return destination

    async def delete(self) -> None:
        """Delete the file from the run (its record and its bytes).

        Example:
            >>> run.file("scratch.txt").delete()  # doctest: +SKIP
        """
        await self._session.client.delete_files([self.id])

    def __str__(self) -> str:
        return self.name


class AsyncFiles(AsyncPaginator[AsyncFile]):
    """A run's files, fetched lazily page by page; ``len()`` is the run's file count.

    Args:
        session: The session to query through.
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
        session: AsyncSession,
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
        self._session = session
        self.run = run
        self.names = list(names) if names is not None else None
        self.pattern = pattern

    connection_path = ("project", "run", "files")

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncFile]:
        result = await self._session.client.get_run_files(
            self.run.entity,
            self.run.project,
            self.run.run_id,
            names=list(self.names) if self.names is not None else None,
            pattern=self.pattern,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        run = result.project.run if result.project is not None else None
        if run is None:
            raise NotFoundError.for_run(self.run)
        session, path = self._session, self.run
        return page_of(
            run.files,
            lambda node: (
                None if node is None else AsyncFile._from_fragment(node, run=path, session=session)
            ),
            total=run.file_count or 0,
        )

    async def download(
        self,
        root: str | os.PathLike[str] = ".",
        replace: bool = False,
        exist_ok: bool = False,
    ) -> list[Path]:
        """Download every file of this listing under ``root``, up to
        ``PARALLEL_FILE_DOWNLOADS`` at once; the local paths, in listing order.

        Each file is written and verified as by :meth:`AsyncFile.download` (same arguments);
        every file is tried before the first failure is raised, and none is left half
        written.

        Example:
            >>> run.files(pattern="media/%").download("out")  # doctest: +SKIP
            [PosixPath('out/media/a.png'), PosixPath('out/media/b.png')]
        """
        files = [file async for file in self]

        def job(file: AsyncFile) -> Callable[[], Awaitable[Path]]:
            return lambda: file.download(root, replace=replace, exist_ok=exist_ok)

        return await async_gather_bounded(
            [job(file) for file in files], limit=PARALLEL_FILE_DOWNLOADS
        )


async def run_file(session: AsyncSession, run: RunPath, name: str) -> AsyncFile:
    """The file called ``name`` of ``run``.

    Raises:
        NotFoundError: The run has no such file (or the run does not exist).

    Example:
        >>> (await run_file(session, run, "config.yaml")).size  # doctest: +SKIP
        412
    """
    files = AsyncFiles(session, run, names=[name], per_page=1)
    async for file in files:
        if file.name == name:
            return file
    raise NotFoundError(f"Run {run} has no file named {name!r}.", kind="file", path=f"{run}/{name}")


async def upload_run_file(
    session: AsyncSession,
    run: RunPath,
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] = ".",
) -> AsyncFile:
    """Upload the local file ``path`` to ``run``, named by its path relative to ``root``.

    The server hands out a signed upload URL (``createRunFiles``); the bytes are PUT there
    with the headers it asks for, and the stored file is read back.

    Raises:
        InvalidArgumentError: ``path`` is not inside ``root``, or is not a file.
        NotFoundError: The run does not exist.

    Example:
        >>> (await upload_run_file(session, run, "out/model.pt", root="out")).name  # doctest: +SKIP
        'model.pt'
    """
    local = Path(path)
    if not local.is_file():
        raise InvalidArgumentError(f"upload_file: {local} is not a file.")
    name = upload_name(local, Path(root))
    result = await session.client.create_run_files(run.entity, run.project, run.run_id, [name])
    created = result.create_run_files
    upload_url = next(
        (f.upload_url for f in (created.files if created else []) if f.name == name), None
    )
    if created is None or upload_url is None:
        raise InvalidResponseError(
            f"{run}: the server gave no upload URL for {name!r} (createRunFiles)."
        )
    await session.transport.put(
        upload_url, local.read_bytes(), headers=upload_headers(created.upload_headers)
    )
    return await run_file(session, run, name)
