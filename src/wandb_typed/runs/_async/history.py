"""A run's history requests: sampled reads and full streaming scans (the async source).

Argument checks, spec building and row decoding are pure, in
:mod:`wandb_typed.runs.history_spec`; this module only sends the requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from wandb_typed._async.read_ahead import AsyncReadAhead
from wandb_typed._concurrency import async_gather_bounded
from wandb_typed._json import JSONObject
from wandb_typed.arrow import require_pyarrow, to_arrow
from wandb_typed.errors import NotFoundError, WandbTypedError
from wandb_typed.runs._async.history_exports import fetch_history_exports, open_history_exports
from wandb_typed.runs.filters import encode_filters
from wandb_typed.runs.history_spec import (
    HistoryRequest,
    HistoryStream,
    check_scan_args,
    decode_history_lines,
    history_batches,
    refused_together,
    sampled_history_rows,
    sampled_history_spec,
    scan_bounds,
    scan_spec,
    scan_windows,
)

if TYPE_CHECKING:
    import pyarrow

    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.async_client import AsyncClient
    from wandb_typed.paths import RunPath

__all__ = [
    "full_history_table",
    "last_history_step",
    "read_histories",
    "read_history",
    "read_history_requests",
    "scan_history",
    "stream_windows",
]

WINDOWS_IN_FLIGHT = 8
"""Step windows requested or held at once: a scan's windows are known before the first
request, so they are sent together instead of one round trip after another."""

HISTORIES_IN_FLIGHT = 16
"""Requests for several runs' histories (:func:`read_histories`) in flight at once."""

OnData = Callable[[dict[str, Any]], None]
Rows = list[JSONObject]
"""The rows of one history window."""
Histories = dict[str, list[JSONObject]]
"""Sampled history rows by run name."""


async def read_history(
    client: AsyncClient,
    path: RunPath,
    *,
    samples: int,
    keys: Sequence[str] | None,
    x_axis: str,
    stream: HistoryStream,
) -> list[JSONObject]:
    """Sampled history rows (one request): all keys, chosen ``keys`` (+ x axis), or events."""
    if keys:
        spec = sampled_history_spec(keys, x_axis=x_axis, samples=samples)
        return await _sampled_rows(client, path, spec)
    if stream == "system":
        reply = await client.get_run_events(path.entity, path.project, path.run_id, samples)
        events = reply.project
        if events is None or events.run is None:
            raise NotFoundError.for_run(path)
        return decode_history_lines(events.run.events, what="system metrics")
    full = (await client.get_run_history(path.entity, path.project, path.run_id, samples)).project
    if full is None or full.run is None:
        raise NotFoundError.for_run(path)
    return decode_history_lines(full.run.history, what="history")


async def read_histories(
    client: AsyncClient,
    entity: str,
    project: str,
    names: Sequence[str],
    *,
    samples: int,
    keys: Sequence[str] | None,
    x_axis: str,
    stream: HistoryStream,
) -> dict[str, list[JSONObject]]:
    """:func:`read_history` of several runs of a project, a batch of runs per request (see
    :func:`wandb_typed.runs.history_spec.history_batches`), the requests sent together (at
    most :data:`HISTORIES_IN_FLIGHT` at once). A run the server did not send back (deleted
    since it was listed) is missing from the result: the caller reads it alone, for the
    NotFoundError naming it."""

    def job(batch: list[str]) -> Callable[[], Awaitable[Histories]]:
        return lambda: _read_histories_once(
            client, entity, project, batch, samples=samples, keys=keys, x_axis=x_axis, stream=stream
        )

    found: dict[str, list[JSONObject]] = {}
    batches = history_batches(names, samples)
    for histories in await async_gather_bounded(
        [job(batch) for batch in batches], limit=HISTORIES_IN_FLIGHT
    ):
        found.update(histories)
    return found


async def read_history_requests(
    client: AsyncClient, entity: str, project: str, requests: Sequence[HistoryRequest]
) -> dict[HistoryRequest, list[JSONObject]]:
    """:func:`read_histories` of ``history()`` calls of runs of one project, those with the
    same arguments read together (what :class:`AsyncBatcher` gathers for a listing)."""
    groups: dict[tuple[int, tuple[str, ...] | None, str, HistoryStream], list[HistoryRequest]]
    groups = {}
    for request in requests:
        groups.setdefault(request.same_read(), []).append(request)
    found: dict[HistoryRequest, list[JSONObject]] = {}
    for (samples, keys, x_axis, stream), group in groups.items():
        histories = await read_histories(
            client,
            entity,
            project,
            [request.run_id for request in group],
            samples=samples,
            keys=keys,
            x_axis=x_axis,
            stream=stream,
        )
        for request in group:
            rows = histories.get(request.run_id)
            if rows is not None:
                found[request] = rows
    return found


async def _read_histories_once(
    client: AsyncClient,
    entity: str,
    project: str,
    names: Sequence[str],
    *,
    samples: int,
    keys: Sequence[str] | None,
    x_axis: str,
    stream: HistoryStream,
) -> dict[str, list[JSONObject]]:
    """One request: the same fields as :func:`read_history` (``history``, ``events`` or
    ``sampledHistory``) read through the runs connection, for the runs named in its
    filters (``{"name": {"$in": names}}``), which W&B serves as well. A reply refused or
    unreadable as a whole (:func:`refused_together`) reads as no run: each is then read
    alone, for its own result or error."""
    try:
        return await _read_histories_request(
            client, entity, project, names, samples=samples, keys=keys, x_axis=x_axis, stream=stream
        )
    except WandbTypedError as error:
        if refused_together(error):
            return {}
        raise


async def _read_histories_request(
    client: AsyncClient,
    entity: str,
    project: str,
    names: Sequence[str],
    *,
    samples: int,
    keys: Sequence[str] | None,
    x_axis: str,
    stream: HistoryStream,
) -> dict[str, list[JSONObject]]:
    filters = encode_filters({"name": {"$in": list(names)}})
    per_page = max(1, len(names))
    found: dict[str, list[JSONObject]] = {}
    if keys:
        spec = sampled_history_spec(keys, x_axis=x_axis, samples=samples)
        sampled = await client.get_runs_sampled_history(entity, project, filters, per_page, [spec])
        runs = sampled.project.runs if sampled.project is not None else None
        for edge in runs.edges if runs is not None else []:
            what = f"history of {entity}/{project}/{edge.node.name}"
            found[edge.node.name] = sampled_history_rows(edge.node.sampled_history, what=what)
    elif stream == "system":
        events = await client.get_runs_events(entity, project, filters, per_page, samples)
        runs_events = events.project.runs if events.project is not None else None
        for event_edge in runs_events.edges if runs_events is not None else []:
            node = event_edge.node
            found[node.name] = decode_history_lines(node.events, what="system metrics")
    else:
        full = await client.get_runs_history(entity, project, filters, per_page, samples)
        runs_history = full.project.runs if full.project is not None else None
        for history_edge in runs_history.edges if runs_history is not None else []:
            node_history = history_edge.node
            found[node_history.name] = decode_history_lines(node_history.history, what="history")
    wanted = set(names)
    return {name: rows for name, rows in found.items() if name in wanted}


async def _sampled_rows(
    client: AsyncClient, path: RunPath, spec: str, *, on_data: OnData | None = None
) -> list[JSONObject]:
    """The rows of one ``sampledHistory`` spec of the run at ``path``."""
    sampled = await client.get_run_sampled_history(
        path.entity, path.project, path.run_id, [spec], on_data=on_data
    )
    if sampled.project is None or sampled.project.run is None:
        raise NotFoundError.for_run(path)
    return sampled_history_rows(sampled.project.run.sampled_history, what=f"history of {path}")


async def last_history_step(client: AsyncClient, path: RunPath) -> int:
    """The run's last history step (``historyKeys.lastStep``), -1 when it logged none."""
    project = (await client.get_run_history_keys(path.entity, path.project, path.run_id)).project
    if project is None or project.run is None:
        raise NotFoundError.for_run(path)
    keys = project.run.history_keys
    last = keys.get("lastStep") if isinstance(keys, dict) else None
    if isinstance(last, bool) or not isinstance(last, int):
        return -1
    return last


async def stream_windows(
    fetch: Callable[[int, int], Awaitable[Rows]],
    windows: Iterator[tuple[int, int]],
    *,
    prefetch: bool = True,
) -> AsyncIterator[JSONObject]:
    """Yield the rows of each window in step order, reading windows ahead in the background.

    The windows are planned before the first request, so no request waits for another's
    reply: up to ``WINDOWS_IN_FLIGHT`` are sent at once, and each window taken by the
    consumer lets the next one start. Over a network the round trips overlap (the scan costs
    about windows / in-flight round trips, not one per window), and memory is bounded by the
    windows in flight, not by the run's length.
    """
    planned = list(windows)

    async def request(index: int, on_next: Callable[[int], None]) -> list[JSONObject]:
        begin, end = planned[index]
        if index + 1 < len(planned):
            on_next(index + 1)
        return await fetch(begin, end)

    ahead: AsyncReadAhead[int, list[JSONObject]] = AsyncReadAhead(
        request, depth=WINDOWS_IN_FLIGHT, name="scan-history"
    )
    try:
        if planned and prefetch:
            ahead.start(0)
        for index in range(len(planned)):
            rows = await ahead.take(index) if prefetch else None
            if rows is None:
                rows = await request(index, ahead.start if prefetch else _ignore)
            for row in rows:
                yield row
            del rows
    finally:
        ahead.close()


def _ignore(_index: int) -> None:
    """``on_next`` when nothing is read ahead."""


def scan_history(
    client: AsyncClient,
    path: RunPath,
    *,
    keys: Sequence[str] | None = None,
    page_size: int = 1000,
    min_step: int | None = None,
    max_step: int | None = None,
    exports: AsyncSession | None = None,
) -> AsyncIterator[JSONObject]:
    """Every history row with ``min_step <= _step < max_step``, in step order, lazily.

    One ``historyKeys`` request finds the last step (when iteration starts), then one request
    per window of ``page_size`` steps, several in flight (see :func:`stream_windows`).
    With ``keys``, only rows holding all of them come back, reduced to them and ``_step``.

    With ``exports`` (a session) and no ``keys``, ``min_step`` or ``max_step``, the whole
    history is read from the run's Parquet exports when the server offers them (the same
    rows; see :func:`~wandb_typed.runs._async.history_exports.open_history_exports`), rows
    not exported yet by paging from the first of them.

    Raises:
        InvalidArgumentError: ``page_size`` is not a positive int, or a step is not an int
            (raised at the call, before iteration).
        NotFoundError: The run does not exist (raised when iteration starts).
    """
    wanted, size, lowest, highest = check_scan_args(keys, page_size, min_step, max_step)
    if exports is not None and not wanted and lowest is None and highest is None:
        return _scan_exports(exports, path, size)
    return _scan(client, path, wanted, size, lowest, highest)


async def _scan_exports(
    session: AsyncSession, path: RunPath, size: int
) -> AsyncIterator[JSONObject]:
    """The whole history from the Parquet exports, else (none offered) by paging."""
    exported = await open_history_exports(session, path)
    if exported is None:
        async for row in _scan(session.client, path, None, size, None, None):
            yield row
        return
    try:
        for rows in exported.rows.windows(exported.live_from):
            for row in rows:
                yield row
    finally:
        exported.close()
    if exported.live_from is not None:
        async for row in _scan(session.client, path, None, size, exported.live_from, None):
            yield row


async def full_history_table(session: AsyncSession, path: RunPath) -> pyarrow.Table:
    """Every history row of the run as one Arrow table: the table
    ``to_arrow(list(scan_history(min_step=0)))`` (see :mod:`wandb_typed.arrow`), made column
    by column from the run's Parquet exports when the server offers them (see
    :mod:`wandb_typed.runs.export_table`; rows not exported yet are paged), else from the
    paged rows.

    Raises:
        ImportError: pyarrow is not installed.
        NotFoundError: The run does not exist.
    """
    from wandb_typed.runs.export_table import history_table  # numpy work: imported when used

    require_pyarrow()
    downloaded = await fetch_history_exports(session, path)
    if downloaded is None:
        return to_arrow([row async for row in scan_history(session.client, path, min_step=0)])
    try:
        live: list[JSONObject] = []
        if downloaded.live_from is not None:
            live = [
                row
                async for row in scan_history(session.client, path, min_step=downloaded.live_from)
            ]
        return history_table(downloaded.paths, stop=downloaded.live_from, live_rows=live)
    finally:
        downloaded.cleanup()


async def _scan(
    client: AsyncClient,
    path: RunPath,
    wanted: list[str] | None,
    size: int,
    lowest: int | None,
    highest: int | None,
) -> AsyncIterator[JSONObject]:
    async def fetch(begin: int, end: int) -> list[JSONObject]:
        if wanted:
            spec = scan_spec(wanted, min_step=begin, max_step=end, samples=size)
            return await _sampled_rows(client, path, spec)
        reply = await client.get_run_history_page(
            path.entity, path.project, path.run_id, begin, end, size
        )
        page = reply.project
        if page is None or page.run is None:
            raise NotFoundError.for_run(path)
        return decode_history_lines(page.run.history, what="history")

    start, stop = scan_bounds(await last_history_step(client, path), lowest, highest)
    async for row in stream_windows(fetch, scan_windows(start, stop, size)):
        yield row
