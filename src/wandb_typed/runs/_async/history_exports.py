"""A run's Parquet history exports (``run.download_history_exports``, and the fast path of
``run.scan_history()``; the async source).

W&B exports a run's history to Parquet files and serves their URLs with the rows logged
since the last export (``parquetHistory``). A server that exports nothing (no URLs) for a run
that has history cannot serve ``download_history_exports``:
:class:`~wandb_typed.errors.UnsupportedByServerError` says so, and ``run.scan_history()``
reads the same rows over GraphQL.

:func:`open_history_exports` is how a whole-history scan reads them (and
:func:`fetch_history_exports`, ``run.full_history()``, as one table): the files are
downloaded to a temporary folder and read a batch at a time (see
:mod:`wandb_typed.runs.export_rows`); it answers None when the server offers no exports
(no URLs, or no ``parquetHistory`` field) or pyarrow is not installed, and the scan pages.
"""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from wandb_typed._download import VerifiedWriter, local_destination
from wandb_typed._json import as_object
from wandb_typed.errors import (
    GraphQLError,
    NotFoundError,
    UnsupportedByServerError,
    WandbTypedError,
)
from wandb_typed.runs.export_rows import ExportRows, step_of

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed.paths import RunPath

__all__ = [
    "DownloadHistoryResult",
    "DownloadedExports",
    "ExportedHistory",
    "IncompleteRunHistoryError",
    "download_history_exports",
    "fetch_history_exports",
    "open_history_exports",
]


class IncompleteRunHistoryError(WandbTypedError):
    """Rows logged since the last export are not in the Parquet files yet (pass
    ``require_complete_history=False`` to take the files anyway)."""


@dataclass(frozen=True)
class DownloadHistoryResult:
    """The downloaded Parquet files, and whether rows remain that no file holds yet."""

    paths: list[Path]
    contains_live_data: bool


async def download_history_exports(
    session: AsyncSession,
    path: RunPath,
    download_dir: Path,
    *,
    require_complete_history: bool,
    has_history: bool,
) -> DownloadHistoryResult:
    """Download the run's Parquet history files into ``download_dir``."""
    reply = await session.client.get_run_parquet_history(
        path.entity, path.project, path.run_id, live_keys=[]
    )
    run = reply.project.run if reply.project is not None else None
    if run is None:
        raise NotFoundError.for_run(path)
    urls = run.parquet_history.parquet_urls
    live = bool(run.parquet_history.live_data)
    if not urls and has_history:
        raise UnsupportedByServerError(
            f"the server at {session.config.base_url} has no Parquet history exports for run "
            f"{path} (it serves none); read the rows with run.scan_history() instead",
            feature="parquet history exports",
        )
    if live and require_complete_history:
        raise IncompleteRunHistoryError(
            f"run {path} has history rows not exported to Parquet yet; pass "
            "require_complete_history=False to download the exported files anyway"
        )
    paths: list[Path] = []
    for index, url in enumerate(urls):
        name = Path(unquote(urlsplit(url).path)).name or f"history-{index}.parquet"
        destination = local_destination(download_dir, name)
        async with session.transport.stream(url) as chunks:
            with VerifiedWriter(destination, expected_md5=None) as out:
                async for chunk in chunks:
                    out.write(chunk)
        paths.append(destination)
    return DownloadHistoryResult(paths=paths, contains_live_data=live)


@dataclass
class DownloadedExports:
    """A run's export files, downloaded to a temporary folder, and the first step they do
    not hold; ``cleanup()`` when done."""

    paths: list[Path]
    live_from: int | None
    """The lowest step of the rows not exported yet (read by paging), None when none."""
    folder: tempfile.TemporaryDirectory[str]

    def cleanup(self) -> None:
        """Remove the temporary folder and the files."""
        self.folder.cleanup()


@dataclass
class ExportedHistory:
    """A run's downloaded exports: their rows, and the first step they do not hold."""

    rows: ExportRows
    live_from: int | None
    """The lowest step of the rows not exported yet (read by paging), None when none."""
    folder: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        """Close the files and remove the temporary folder."""
        self.rows.close()
        self.folder.cleanup()


async def open_history_exports(session: AsyncSession, path: RunPath) -> ExportedHistory | None:
    """Download the run's Parquet history exports and open them as rows, or None when the
    server offers none (or pyarrow is not installed): then the history is read by paging.

    Raises:
        NotFoundError: The run does not exist.
    """
    downloaded = await fetch_history_exports(session, path)
    if downloaded is None:
        return None
    try:
        rows = ExportRows(downloaded.paths)
    except BaseException:
        downloaded.cleanup()
        raise
    return ExportedHistory(rows, downloaded.live_from, downloaded.folder)


async def fetch_history_exports(session: AsyncSession, path: RunPath) -> DownloadedExports | None:
    """Download the run's Parquet history exports to a temporary folder, or None when the
    server offers none (no URLs, no ``parquetHistory``) or pyarrow is not installed.

    Raises:
        NotFoundError: The run does not exist.
    """
    if importlib.util.find_spec("pyarrow") is None:
        return None
    try:
        reply = await session.client.get_run_parquet_history(
            path.entity, path.project, path.run_id, live_keys=["_step"]
        )
    except GraphQLError:  # a server without parquetHistory (or failing to export)
        return None
    run = reply.project.run if reply.project is not None else None
    if run is None:
        raise NotFoundError.for_run(path)
    urls = run.parquet_history.parquet_urls
    if not urls:
        return None
    live_steps = [
        step_of(row) for row in map(as_object, run.parquet_history.live_data) if row is not None
    ]
    folder = tempfile.TemporaryDirectory(prefix="wandb-typed-history-")
    try:
        paths: list[Path] = []
        for index, url in enumerate(urls):
            destination = Path(folder.name) / f"{index:05d}.parquet"
            async with session.transport.stream(url) as chunks:
                with VerifiedWriter(destination, expected_md5=None) as out:
                    async for chunk in chunks:
                        out.write(chunk)
            paths.append(destination)
    except BaseException:
        folder.cleanup()
        raise
    return DownloadedExports(paths, min(live_steps) if live_steps else None, folder)
