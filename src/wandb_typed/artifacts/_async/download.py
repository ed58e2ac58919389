"""Downloading an artifact version: parallel, cached by digest, verified, atomic, resumable
by file (the async source of the sync twin).

For each manifest entry (under ``path_prefix``): a file already at its destination with the
right digest is kept; one in the local cache is copied from there (no request); the others
are fetched in parallel from their signed URLs, written to the destination and the cache at
once (the destination alone with ``skip_cache``), verified against the manifest's md5 before
anything is kept, then renamed into place. Reference entries are fetched from where they
point when this client can (``file://``, ``http(s)://``), else skipped with
``allow_missing_references`` or refused by name. Every other file completes before the first
failure is raised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from wandb_typed._concurrency import async_gather_bounded, async_in_thread
from wandb_typed._download import VerifiedWriter, local_destination
from wandb_typed._progress import Progress
from wandb_typed.artifacts._async.files import AsyncArtifactFiles
from wandb_typed.artifacts.cache import ArtifactFileCache, file_md5_hex, place
from wandb_typed.errors import (
    ChecksumMismatchError,
    HTTPStatusError,
    NotFoundError,
    TransportError,
)

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed.artifacts.file_data import ArtifactFile
    from wandb_typed.artifacts.manifest import ArtifactManifest, ManifestEntry
    from wandb_typed.pagination import Page

__all__ = ["PARALLEL_DOWNLOADS", "download_artifact"]

PARALLEL_DOWNLOADS = 16
"""Files fetched at once."""

URL_PAGE_SIZE = 250
"""File URLs asked for per request (the files of a page are fetched while the next page is
read ahead)."""


async def download_artifact(
    session: AsyncSession,
    *,
    artifact_id: str,
    manifest: ArtifactManifest,
    root: Path,
    cache: ArtifactFileCache | None,
    allow_missing_references: bool,
    path_prefix: str | None,
) -> None:
    """Make ``root`` hold the artifact's files (see the module docstring)."""
    entries = [e for e in manifest if path_prefix is None or e.path.startswith(path_prefix)]
    targets = [(entry, local_destination(root, entry.path)) for entry in entries]
    missing: list[tuple[ManifestEntry, Path]] = []
    for entry, destination in targets:
        if _already_there(entry, destination):
            continue
        cached = _cached(cache, entry)
        if cached is not None:
            place(cached, destination)
        else:
            missing.append((entry, destination))
    stored = {e.path: (e, d) for e, d in missing if not e.is_reference}
    references = [(e, d) for e, d in missing if e.is_reference]
    progress = Progress(
        f"downloading {len(missing)} files", total=sum(e.size or 0 for e, _ in missing)
    )

    def job(entry: ManifestEntry, destination: Path, url: str) -> Callable[[], Awaitable[None]]:
        return lambda: _fetch_stored(session, entry, url, destination, cache, progress)

    def reference_job(entry: ManifestEntry, destination: Path) -> Callable[[], Awaitable[None]]:
        return lambda: _fetch_reference(session, entry, destination, allow_missing_references)

    failure: BaseException | None = None
    # The files of each page of signed URLs are fetched as soon as the page arrives, while
    # the listing reads the next page ahead (the first downloads do not wait for 1,000 URLs
    # to be signed and sent).
    listing = AsyncArtifactFiles(session, artifact_id, per_page=URL_PAGE_SIZE)
    try:
        async for page in listing.pages() if stored else _nothing():
            jobs: list[Callable[[], Awaitable[None]]] = []
            for file in page.items:
                found = stored.pop(file.name, None)
                if found is not None:
                    jobs.append(job(*found, file.direct_url))
            try:
                await async_gather_bounded(jobs, limit=PARALLEL_DOWNLOADS)
            except Exception as exc:  # the other pages are still downloaded
                failure = failure or exc
            if not stored:
                break
        jobs = [reference_job(entry, destination) for entry, destination in references]
        try:
            await async_gather_bounded(jobs, limit=PARALLEL_DOWNLOADS)
        except Exception as exc:
            failure = failure or exc
    finally:
        listing.close()
        progress.close()
    if failure is not None:
        raise failure
    if stored:
        path = next(iter(stored))
        raise NotFoundError(
            f"the server lists no file {path!r} for artifact {artifact_id}",
            kind="artifact file",
            path=path,
        )


async def _nothing() -> AsyncIterator[Page[ArtifactFile]]:
    """No page (no listing is asked for when no stored file is missing)."""
    return
    yield


def _already_there(entry: ManifestEntry, destination: Path) -> bool:
    """Whether ``destination`` already holds the entry's bytes (a rerun keeps them)."""
    expected = entry.md5_hex
    if expected is None or not destination.is_file():
        return False
    if entry.size is not None and destination.stat().st_size != entry.size:
        return False
    return file_md5_hex(destination) == expected


def _cached(cache: ArtifactFileCache | None, entry: ManifestEntry) -> Path | None:
    hex_digest = entry.md5_hex
    if cache is None or hex_digest is None or entry.is_reference:
        return None
    return cache.lookup(hex_digest, entry.size)


async def _fetch_stored(
    session: AsyncSession,
    entry: ManifestEntry,
    url: str,
    destination: Path,
    cache: ArtifactFileCache | None,
    progress: Progress,
) -> None:
    hex_digest = entry.md5_hex
    cached = None if cache is None or hex_digest is None else cache.path_for(hex_digest)
    copies = () if cached is None else (cached,)

    def open_writer() -> VerifiedWriter:
        return VerifiedWriter(destination, expected_md5=entry.digest, copies=copies)

    # The file system work and the hashing run in a worker thread in async code (in sync
    # code, where each download has a thread of its own, ``in_thread`` is a plain call).
    try:
        async with session.transport.stream(url) as chunks:
            out = await async_in_thread(open_writer)
            try:
                async for chunk in chunks:
                    await async_in_thread(partial(out.write, chunk))
                    progress.advance(len(chunk))
                await async_in_thread(out.commit)
            finally:
                await async_in_thread(out.discard)
    except ChecksumMismatchError as exc:
        raise ChecksumMismatchError(
            f"artifact file {entry.path!r}: {exc.message}; nothing was kept for it"
        ) from None


async def _fetch_reference(
    session: AsyncSession, entry: ManifestEntry, destination: Path, allow_missing: bool
) -> None:
    ref = entry.ref or ""
    scheme = urlsplit(ref).scheme
    if scheme == "file":
        source = Path(unquote(urlsplit(ref).path))
        if source.is_file():
            place(source, destination)
            return
    elif scheme in ("http", "https"):
        try:
            async with session.transport.stream(ref) as chunks:
                expected = entry.digest if entry.md5_hex is not None else None
                with VerifiedWriter(destination, expected_md5=expected) as out:
                    async for chunk in chunks:
                        out.write(chunk)
        except (TransportError, HTTPStatusError):
            if not allow_missing:
                raise
        return
    if allow_missing:
        return
    raise NotFoundError(
        f"artifact file {entry.path!r} is a reference to {ref}, which this client cannot "
        "fetch here; pass allow_missing_references=True to download the rest",
        kind="artifact reference",
        path=entry.path,
    )
