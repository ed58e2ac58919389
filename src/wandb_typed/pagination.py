"""Pages of Relay connections (``edges``, ``pageInfo``, ``totalCount``): the sans-I/O half
of every listing.

One rule turns a connection into a :class:`Page` (:func:`page_of`) and reads the next cursor
of a raw reply (:func:`raw_next_cursor`): the end cursor is ``pageInfo.endCursor``, or the
last edge's cursor when the server leaves it out. :class:`PaginatorState` keeps what a
listing has loaded and refuses a cursor that does not advance. The listings themselves are
:class:`wandb_typed.AsyncPaginator` and its generated twin :class:`wandb_typed.Paginator`.

Example:
    >>> from types import SimpleNamespace as NS
    >>> connection = NS(
    ...     edges=[NS(node=1, cursor="a"), NS(node=2, cursor="b")],
    ...     page_info=NS(end_cursor=None, has_next_page=True),
    ... )
    >>> page_of(connection, lambda node: node * 10, total=5)
    Page(items=[10, 20], end_cursor='b', has_next=True, total=5)
    >>> raw_next_cursor({"project": {"runs": {"pageInfo": {"hasNextPage": True,
    ...     "endCursor": "c"}}}}, ("project", "runs"))
    'c'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from wandb_typed._constants import DEFAULT_PER_PAGE, MAX_PER_PAGE
from wandb_typed._json import as_array, as_object
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError

__all__ = ["Page", "PaginatorState", "page_of", "raw_next_cursor"]

T = TypeVar("T")
N = TypeVar("N")
N_co = TypeVar("N_co", covariant=True)


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


class _PageInfo(Protocol):
    """A GraphQL connection's ``pageInfo``: where the next page starts."""

    @property
    def end_cursor(self) -> str | None: ...

    @property
    def has_next_page(self) -> bool: ...


class _Edge(Protocol[N_co]):
    @property
    def node(self) -> N_co: ...

    @property
    def cursor(self) -> str | None: ...


class Connection(Protocol[N_co]):
    """What a generated connection model has: ``edges`` and ``page_info``."""

    @property
    def edges(self) -> Sequence[_Edge[N_co]]: ...

    @property
    def page_info(self) -> _PageInfo: ...


def page_of(
    connection: Connection[N] | None,
    convert: Callable[[N], T | None],
    *,
    total: int | None = None,
) -> Page[T]:
    """The :class:`Page` of a connection, each node converted (``None``s dropped).

    A missing connection (``None``) is an empty last page.
    """
    if connection is None:
        return Page([], end_cursor=None, has_next=False, total=total)
    edges = connection.edges
    end = connection.page_info.end_cursor
    if end is None and edges:
        end = edges[-1].cursor
    items = [item for item in (convert(edge.node) for edge in edges) if item is not None]
    return Page(items, end_cursor=end, has_next=connection.page_info.has_next_page, total=total)


def raw_next_cursor(data: Mapping[str, Any], path: Sequence[str]) -> str | None:
    """The cursor of the page after a raw reply whose connection sits at ``path``, or None
    (no next page, or a reply of another shape: validating that same reply reports it)."""
    connection = as_object(data)
    for key in path:
        connection = as_object(connection.get(key)) if connection is not None else None
    if connection is None:
        return None
    page_info = as_object(connection.get("pageInfo"))
    if page_info is None or page_info.get("hasNextPage") is not True:
        return None
    end = page_info.get("endCursor")
    if end is None:
        edges = as_array(connection.get("edges"))
        last = as_object(edges[-1]) if edges else None
        end = last.get("cursor") if last is not None else None
    return end if isinstance(end, str) else None


def check_per_page(per_page: object) -> int:
    """The request size for ``per_page``: itself up to the server's page limit (1000), the
    limit above it (a larger ``per_page`` is served in several requests, as W&B's own server
    caps it); :class:`InvalidArgumentError` for anything but a positive int.

    Example:
        >>> check_per_page(50), check_per_page(2000)
        (50, 1000)
    """
    if isinstance(per_page, bool) or not isinstance(per_page, int):
        raise InvalidArgumentError(f"per_page must be a positive int, got {per_page!r}.")
    if per_page < 1:
        raise InvalidArgumentError(f"per_page must be a positive int, got {per_page}.")
    return min(per_page, MAX_PER_PAGE)


class PaginatorState(Generic[T]):
    """What a listing has loaded: pages, items, the cursor, the total (no I/O)."""

    def __init__(self, *, per_page: int = DEFAULT_PER_PAGE, prefetch: bool = True) -> None:
        self.per_page: int = check_per_page(per_page)
        self._prefetch_enabled = prefetch
        self._pages: list[Page[T]] = []
        self._items: list[T] = []
        self._has_next = True
        self._cursor: str | None = None
        self._seen_cursors: set[str] = set()
        self._total: int | None = None
        self._read_ahead_from: int | None = None
        """Start reading ahead when an iteration reaches this index (None: not now)."""

    @property
    def total(self) -> int | None:
        """The server's total, once a page that carries one was fetched; else ``None``."""
        return self._total

    def _accept(self, page: Page[T]) -> None:
        """Add a fetched page, after checking that its cursor advances."""
        cursor = self._cursor
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
        self._read_ahead_from = None
        if self._has_next and self._prefetch_enabled:
            # Once the consumer is past this page's first item, it has used that item, so a
            # listing whose pages depend on how items are used (lazy runs) asks rightly.
            self._read_ahead_from = len(self._items) - len(page.items) + 1

    def _no_total(self) -> TypeError:
        return TypeError(
            f"len() is unavailable for {type(self).__name__}: the server gave no total count "
            "for this query; count by iterating instead."
        )

    def _slice_needs_end(self, bounds: slice) -> bool:
        return (
            bounds.stop is None
            or any(value is not None and value < 0 for value in (bounds.start, bounds.stop))
            or (bounds.step is not None and bounds.step < 0)
        )

    def _index_error(self, index: int) -> IndexError:
        return IndexError(f"index {index} out of range for {len(self._items)} items")

    def __repr__(self) -> str:
        total = "?" if self._total is None else str(self._total)
        return f"<{type(self).__name__} loaded={len(self._items)} total={total}>"


class ListingProtocols(ABC):
    """``len()`` and ``bool()`` for sync listings (Python's protocols cannot await; an async
    listing offers ``await listing.total_count()`` and ``await listing.is_empty()`` instead)."""

    @abstractmethod
    def total_count(self) -> int:
        """The server's total count of items."""

    @abstractmethod
    def is_empty(self) -> bool:
        """Whether there is no item at all."""

    def __len__(self) -> int:
        return self.total_count()

    def __bool__(self) -> bool:
        return not self.is_empty()


class AsyncListingProtocols:
    """Async listings have no ``len()``/``bool()``: see :class:`ListingProtocols`.

    Nor plain ``for``: without this, Python would iterate one through its (async)
    ``__getitem__``, endlessly, making coroutines nobody awaits. ``None`` makes ``iter()`` a
    TypeError, and the type checkers flag the loop (``async for`` is the way).
    """

    __iter__: None = None
