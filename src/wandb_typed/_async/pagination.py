"""One lazy paginator for every Relay connection, with chained read-ahead built in.

A concrete listing names where its connection sits in a reply (``connection_path``) and
implements :meth:`AsyncPaginator._fetch`: given a cursor (``None`` for the first page) and an
``on_data`` hook to pass to the generated method, return a :class:`Page` (usually
``page_of(reply.project.runs, convert, total=...)``). The paginator fetches nothing until
used, caches what it fetched, reads ahead in a chain (each reply's raw cursor starts the next
request before that reply is validated; at most ``READ_AHEAD_PAGES`` ahead), and raises
instead of looping when the server's cursor does not advance.

An iteration starts reading ahead once it moves past the first item of the current page: by
then the consumer has used that item, so a listing whose pages depend on how items are used
(a lazy runs listing that learns the runs' config is wanted) asks for the right page.

The async source: ``async for``, ``await listing[i]``, ``await listing.total_count()``. The
generated sync ``Paginator`` has ``for``, ``listing[i]``, ``len(listing)`` and ``bool()``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar, overload

from wandb_typed._async.read_ahead import AsyncReadAhead
from wandb_typed._concurrency import AsyncLock
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.pagination import (
    AsyncListingProtocols,
    Page,
    PaginatorState,
    raw_next_cursor,
)

__all__ = ["READ_AHEAD_PAGES", "AsyncPaginator"]

T = TypeVar("T")

READ_AHEAD_PAGES = 2
"""Pages requested ahead of the one being read."""

OnData = Callable[[dict[str, Any]], None]


class AsyncPaginator(PaginatorState[T], AsyncListingProtocols, ABC):
    """A lazy, cached, reading-ahead sequence over a paginated GraphQL connection.

    Args:
        per_page: Items per request, 1 to 1000.
        prefetch: Read the next pages in the background while the current one is consumed.

    Raises:
        InvalidArgumentError: ``per_page`` is not an int in 1..1000.
    """

    connection_path: Sequence[str] = ()
    """Where the connection sits in a raw reply, e.g. ``("project", "runs")``."""

    def __init__(self, *, per_page: int = DEFAULT_PER_PAGE, prefetch: bool = True) -> None:
        super().__init__(per_page=per_page, prefetch=prefetch)
        self._lock = AsyncLock()
        self._ahead: AsyncReadAhead[str, Page[T]] = AsyncReadAhead(
            self._fetch_chained, depth=READ_AHEAD_PAGES, name=type(self).__name__
        )

    @abstractmethod
    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[T]:
        """Fetch the page starting after ``cursor`` (``None``: the first page), passing
        ``on_data`` to the generated method (it reads the raw reply's next cursor)."""

    # -- the public sequence ---------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[T]:
        index = 0
        while True:
            async with self._lock:
                if index >= len(self._items) and self._has_next:
                    await self._load_next_page()
                if index >= len(self._items):
                    return
                item = self._items[index]
                if self._read_ahead_from is not None and index >= self._read_ahead_from:
                    self._start_read_ahead()
            yield item
            index += 1

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate page by page (cached pages first, then fetching the rest)."""
        index = 0
        while True:
            async with self._lock:
                if index >= len(self._pages) and self._has_next:
                    await self._load_next_page()
                if index >= len(self._pages):
                    return
                page = self._pages[index]
                if self._read_ahead_from is not None:
                    self._start_read_ahead()
            yield page
            index += 1

    async def total_count(self) -> int:
        """The server's total count (fetches the first page if needed).

        Raises:
            TypeError: The query selects no total count.
        """
        async with self._lock:
            if not self._pages:
                await self._load_next_page()
            if self._total is None:
                raise self._no_total()
            return self._total

    async def is_empty(self) -> bool:
        """Whether there is no item at all (fetches the first page if needed)."""
        async with self._lock:
            await self._load_until(1)
            return not self._items

    @overload
    async def __getitem__(self, index: int) -> T: ...

    @overload
    async def __getitem__(self, index: slice) -> list[T]: ...

    async def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return await self._slice(index)
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"{type(self).__name__} indices must be int or slice, not {type(index).__name__}"
            )
        async with self._lock:
            position = index + await self.total_count() if index < 0 else index
            if position < 0:
                raise IndexError(f"index {index} out of range for {self._total} items")
            await self._load_until(position + 1)
            if position >= len(self._items):
                raise self._index_error(index)
            return self._items[position]

    def close(self) -> None:
        """Forget pages requested ahead (their requests finish on their own)."""
        self._ahead.close()

    # -- loading -----------------------------------------------------------------------------

    async def _slice(self, bounds: slice) -> list[T]:
        async with self._lock:
            if self._slice_needs_end(bounds):
                if not self._pages and self._has_next:
                    await self._load_next_page()
                await self._load_until(self._total if self._total is not None else None)
            else:
                await self._load_until(bounds.stop)
            return self._items[bounds]

    async def _load_until(self, count: int | None) -> None:
        """Load pages until ``count`` items are loaded (all of them for ``None``)."""
        while (count is None or len(self._items) < count) and self._has_next:
            await self._load_next_page()

    async def _load_next_page(self) -> None:
        """Take the page read ahead for the current cursor, or fetch it now."""
        cursor = self._cursor
        page = await self._ahead.take(cursor) if cursor is not None else None
        if page is None:
            page = await self._fetch(cursor, None)
        self._accept(page)

    def _start_read_ahead(self) -> None:
        """Start the chain of pages after the last loaded one."""
        self._read_ahead_from = None
        if self._cursor is not None and self._has_next:
            self._ahead.start(self._cursor)

    async def _fetch_chained(self, cursor: str, on_next: Callable[[str], None]) -> Page[T]:
        path = self.connection_path

        def next_page(data: dict[str, Any]) -> None:
            end = raw_next_cursor(data, path)
            if end is not None:
                on_next(end)

        return await self._fetch(cursor, next_page if path else None)
