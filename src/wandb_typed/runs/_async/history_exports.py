"""A run's Parquet history exports (``run.download_history_exports``; the async source).

W&B exports a run's history to Parquet files and serves their URLs with the rows logged
since the last export (``parquetHistory``). A server that exports nothing (no URLs) for a run
that has history cannot serve this: :class:`~wandb_typed.errors.UnsupportedByServerError`
says so, and ``run.scan_history()`` reads the same rows over GraphQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from wandb_typed._download import VerifiedWriter, local_destination
from wandb_typed.errors import NotFoundError, UnsupportedByServerError, WandbTypedError

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed.paths import RunPath

__all__ = ["DownloadHistoryResult", "IncompleteRunHistoryError", "download_history_exports"]


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
