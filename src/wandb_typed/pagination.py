"""One lazy paginator for every Relay connection (``edges``, ``pageInfo``, ``totalCount``).

A concrete paginator implements only :meth:`Paginator._fetch`: given a cursor (``None`` for
the first page), return a :class:`Page`. The paginator fetches nothing until used, caches
what it fetched (iterating twice sends no new request), prefetches the next page in a
background thread while the current one is consumed (one page ahead at most; an error in the
prefetch surfaces when that page is reached), and raises instead of looping when the server's
cursor does not advance.

An iteration asks for the next page once it moves past the first item of the current one:
by then the consumer has used that item, so a paginator whose pages depend on how items are
used (a lazy runs listing that learns the runs' config is wanted) fetches the right page.

Example:
    >>> class Squares(Paginator[int]):
    ...     def _fetch(self, cursor: str | None) -> Page[int]:
    ...         start = int(cursor or 0)
    ...         items = [i * i for i in range(start, min(start + self.per_page, 5))]
    ...         end = start + len(items)
    ...         return Page(items, end_cursor=str(end), has_next=end < 5, total=5)
    >>> squares = Squares(per_page=2)
    >>> list(squares), len(squares), squares[-1], squares[1:3]
    ([0, 1, 4, 9, 16], 5, 16, [1, 4])
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar, overload

from wandb_typed._constants import DEFAULT_PER_PAGE, MAX_PER_PAGE
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError

__all__ = ["Page", "Paginator"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection."""

    items: Sequence[T]
    end_cursor: str | None
    """``pageInfo.endCursor``: where the next page starts."""
    has_next: bool
    """``pageInfo.hasNextPage``."""
    total: int | None = None
    """``totalCount`` (or a count field) when the query selects one."""


class Paginator(ABC, Generic[T]):
    """A lazy, cached, prefetching sequence over a paginated GraphQL connection.

    Args:
        per_page: Items per request, 1 to 1000.
        prefetch: Fetch the next page in the background while the current one is consumed.

    Raises:
        InvalidArgumentError: ``per_page`` is not an int in 1..1000.
    """

    def __init__(self, *, per_page: int = DEFAULT_PER_PAGE, prefetch: bool = True) -> None:
        if isinstance(per_page, bool) or not isinstance(per_page, int):
            raise InvalidArgumentError(
                f"per_page must be an int from 1 to {MAX_PER_PAGE}, got {per_page!r}."
            )
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise InvalidArgumentError(
                f"per_page must be from 1 to {MAX_PER_PAGE}, got {per_page}."
            )
        self.per_page = per_page
        self._prefetch_enabled = prefetch
        self._lock = threading.RLock()
        self._pages: list[Page[T]] = []
        self._items: list[T] = []
        self._has_next = True
        self._cursor: str | None = None
        self._seen_cursors: set[str] = set()
        self._total: int | None = None
        self._pending: tuple[str | None, Future[Page[T]]] | None = None
        self._prefetch_from: int | None = None
        """Start the prefetch when an iteration reaches this index (None: nothing to start)."""

    @abstractmethod
    def _fetch(self, cursor: str | None) -> Page[T]:
        """Fetch the page starting after ``cursor`` (``None``: the first page)."""

    # -- the public sequence ---------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """The server's total, once a page that carries one was fetched; else ``None``."""
        return self._total

    def __iter__(self) -> Iterator[T]:
        index = 0
        while True:
            with self._lock:
                if index >= len(self._items) and self._has_next:
                    self._load_next_page()
                if index >= len(self._items):
                    return
                item = self._items[index]
                if self._prefetch_from is not None and index >= self._prefetch_from:
                    self._start_prefetch()
            yield item
            index += 1

    def pages(self) -> Iterator[Page[T]]:
        """Iterate page by page (cached pages first, then fetching the rest)."""
        index = 0
        while True:
            with self._lock:
                if index >= len(self._pages) and self._has_next:
                    self._load_next_page()
                if index >= len(self._pages):
                    return
                page = self._pages[index]
                if self._prefetch_from is not None:
                    self._start_prefetch()
            yield page
            index += 1

    def __bool__(self) -> bool:
        """Whether there is at least one item (fetches the first page if needed)."""
        with self._lock:
            self._load_until(1)
            return bool(self._items)

    def __len__(self) -> int:
        with self._lock:
            if not self._pages:
                self._load_next_page()
            if self._total is None:
                raise TypeError(
                    f"len() is unavailable for {type(self).__name__}: the server gave no total "
                    "count for this query; use len(list(...)) to count by iterating."
                )
            return self._total

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return self._slice(index)
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"{type(self).__name__} indices must be int or slice, not {type(index).__name__}"
            )
        with self._lock:
            position = index + len(self) if index < 0 else index
            if position < 0:
                raise IndexError(f"index {index} out of range for {len(self)} items")
            self._load_until(position + 1)
            if position >= len(self._items):
                raise IndexError(f"index {index} out of range for {len(self._items)} items")
            return self._items[position]

    def close(self) -> None:
        """Forget a pending prefetch (its thread finishes on its own; nothing waits for it)."""
        with self._lock:
            self._pending = None

    def __repr__(self) -> str:
        total = "?" if self._total is None else str(self._total)
        return f"<{type(self).__name__} loaded={len(self._items)} total={total}>"

    # -- loading -----------------------------------------------------------------------------

    def _slice(self, bounds: slice) -> list[T]:
        with self._lock:
            needs_end = bounds.stop is None or any(
                value is not None and value < 0 for value in (bounds.start, bounds.stop)
            )
            if needs_end or (bounds.step is not None and bounds.step < 0):
                if self._total_known():
                    self._load_until(len(self))
                else:
                    self._load_all()
            else:
                self._load_until(bounds.stop)
            return self._items[bounds]

    def _total_known(self) -> bool:
        if not self._pages and self._has_next:
            self._load_next_page()
        return self._total is not None

    def _load_all(self) -> None:
        while self._has_next:
            self._load_next_page()

    def _load_until(self, count: int) -> None:
        while len(self._items) < count and self._has_next:
            self._load_next_page()

    def _load_next_page(self) -> None:
        """Fetch (or collect the prefetched) next page, check its cursor, start the next."""
        cursor = self._cursor
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == cursor:
            page = pending[1].result()
        else:
            page = self._fetch(cursor)
        if page.has_next:
            end = page.end_cursor
            if end is None or end == cursor or end in self._seen_cursors:
                raise InvalidResponseError(
                    f"{type(self).__name__}: the server says there is a next page but its "
                    f"cursor {end!r} does not advance (previous cursor {cursor!r}); stopping "
                    "instead of fetching the same page forever."
                )
            self._seen_cursors.add(end)
        self._pages.append(page)
        self._items.extend(page.items)
        self._has_next = page.has_next
        self._cursor = page.end_cursor
        if page.total is not None:
            self._total = page.total
        self._prefetch_from = None
        if self._has_next and self._prefetch_enabled:
            self._prefetch_from = len(self._items) - len(page.items) + 1

    def _start_prefetch(self) -> None:
        """Fetch the page after the last loaded one in the background."""
        self._prefetch_from = None
        cursor = self._cursor
        future: Future[Page[T]] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(self._fetch(cursor))
            except BaseException as exc:  # surfaced on consumption, by future.result()
                future.set_exception(exc)

        self._pending = (cursor, future)
        threading.Thread(target=run, name=f"{type(self).__name__}-prefetch", daemon=True).start()
