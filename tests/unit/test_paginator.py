"""The generic Paginator: laziness, caching, len/indexing/slicing, prefetch, stuck cursors."""

from __future__ import annotations

import asyncio
import threading

import pytest
from thread_support import join_threads

from wandb_typed import AsyncPaginator, Page, Paginator
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, ServerError


class Numbers(Paginator[int]):
    """0..count-1 served in pages; cursors are the index of the next item, as strings."""

    def __init__(
        self,
        count: int,
        *,
        per_page: int = 3,
        with_total: bool = True,
        prefetch: bool = False,
        fail_on_cursor: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, prefetch=prefetch)
        self.count = count
        self.with_total = with_total
        self.fail_on_cursor = fail_on_cursor
        self.fetched: list[str | None] = []
        self.fetch_threads: list[str] = []

    def _fetch(self, cursor: str | None, on_data: object = None) -> Page[int]:
        self.fetched.append(cursor)
        self.fetch_threads.append(threading.current_thread().name)
        if cursor is not None and cursor == self.fail_on_cursor:
            raise ServerError("HTTP 503 from the fake", status_code=503)
        start = int(cursor or 0)
        items = list(range(start, min(start + self.per_page, self.count)))
        end = start + len(items)
        return Page(
            items,
            end_cursor=str(end),
            has_next=end < self.count,
            total=self.count if self.with_total else None,
        )


def test_nothing_is_fetched_until_used() -> None:
    numbers = Numbers(10)
    assert numbers.fetched == []
    assert numbers.total is None
    assert repr(numbers) == "<Numbers loaded=0 total=?>"


def test_iterates_every_page_in_order_and_caches() -> None:
    numbers = Numbers(10)
    assert list(numbers) == list(range(10))
    assert numbers.fetched == [None, "3", "6", "9"]
    assert list(numbers) == list(range(10))
    assert numbers.fetched == [None, "3", "6", "9"], "a second pass is served from the cache"


def test_empty_connection() -> None:
    numbers = Numbers(0)
    assert list(numbers) == []
    assert len(numbers) == 0
    with pytest.raises(IndexError):
        numbers[0]


def test_truthiness_fetches_one_page_and_needs_no_total() -> None:
    assert not Numbers(0, with_total=False)
    numbers = Numbers(10, with_total=False)
    assert numbers
    assert numbers.fetched == [None]


def test_len_comes_from_the_total_after_one_page() -> None:
    numbers = Numbers(10)
    assert len(numbers) == 10
    assert numbers.fetched == [None]


def test_len_without_a_total_is_a_clear_type_error() -> None:
    numbers = Numbers(5, with_total=False)
    with pytest.raises(TypeError, match="len\\(\\) is unavailable for Numbers"):
        len(numbers)
    assert list(numbers) == [0, 1, 2, 3, 4]


def test_indexing_loads_only_the_pages_needed() -> None:
    numbers = Numbers(10)
    assert numbers[4] == 4
    assert numbers.fetched == [None, "3"]
    assert numbers[-1] == 9
    assert numbers[-10] == 0
    with pytest.raises(IndexError, match="index 10 out of range"):
        numbers[10]
    with pytest.raises(IndexError, match="index -11 out of range"):
        numbers[-11]


def test_negative_index_without_total_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="len\\(\\) is unavailable"):
        Numbers(5, with_total=False)[-1]


@pytest.mark.parametrize(
    "bounds",
    [
        slice(2, 5),
        slice(None, 4),
        slice(7, None),
        slice(-3, None),
        slice(None, None, 2),
        slice(None, None, -1),
        slice(8, 2, -2),
        slice(-4, -1),
        slice(20, 30),
    ],
)
def test_slices_match_list_slices(bounds: slice) -> None:
    assert Numbers(10)[bounds] == list(range(10))[bounds]
    assert Numbers(10, with_total=False)[bounds] == list(range(10))[bounds]


def test_bounded_slice_stops_loading_early() -> None:
    numbers = Numbers(100, with_total=False)
    assert numbers[0:4] == [0, 1, 2, 3]
    assert numbers.fetched == [None, "3"]


def test_pages_gives_page_objects() -> None:
    pages = list(Numbers(7).pages())
    assert [list(p.items) for p in pages] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [p.has_next for p in pages] == [True, True, False]


def test_bad_index_type() -> None:
    with pytest.raises(TypeError, match="indices must be int or slice, not str"):
        Numbers(3)["0"]  # type: ignore[call-overload]


@pytest.mark.parametrize("per_page", [0, -1, 2.5, True])
def test_per_page_must_be_a_positive_int(per_page: object) -> None:
    with pytest.raises(InvalidArgumentError, match="per_page must be a positive int"):
        Numbers(3, per_page=per_page)  # type: ignore[arg-type]


def test_per_page_above_the_server_limit_is_served_in_requests_of_the_limit() -> None:
    assert Numbers(3, per_page=2000).per_page == 1000
    assert Numbers(3, per_page=1000).per_page == 1000


@pytest.mark.parametrize("per_page", [1, 1000])
def test_per_page_limits_are_accepted(per_page: int) -> None:
    assert list(Numbers(5, per_page=per_page)) == [0, 1, 2, 3, 4]


class Stuck(Paginator[int]):
    """Claims there is a next page but hands back the cursors in ``cursors``."""

    def __init__(self, cursors: list[str | None]) -> None:
        super().__init__(per_page=1, prefetch=False)
        self.cursors = cursors

    def _fetch(self, cursor: str | None, on_data: object = None) -> Page[int]:
        return Page([0], end_cursor=self.cursors.pop(0), has_next=True)


@pytest.mark.parametrize(
    "cursors",
    [
        ["a", "a"],  # the same cursor twice in a row
        [None],  # no cursor but "has next"
        ["a", "b", "a"],  # a cycle
    ],
)
def test_a_cursor_that_does_not_advance_raises_instead_of_looping(
    cursors: list[str | None],
) -> None:
    with pytest.raises(InvalidResponseError, match="does not advance"):
        list(Stuck(cursors))


def test_prefetch_fetches_the_next_page_in_the_background() -> None:
    numbers = Numbers(7, prefetch=True)
    iterator = iter(numbers)
    assert next(iterator) == 0
    # The second page was requested from a worker thread while page one is consumed.
    assert list(iterator) == list(range(1, 7))
    assert numbers.fetched == [None, "3", "6"]
    assert numbers.fetch_threads[0] == threading.current_thread().name
    assert all(name == "Numbers-read-ahead" for name in numbers.fetch_threads[1:])


def test_prefetch_stays_at_most_one_page_ahead() -> None:
    numbers = Numbers(30, prefetch=True)
    iterator = iter(numbers)
    # Items 0-4: page 1, the prefetched page 2 and, past page 2's first item, page 3.
    assert [next(iterator) for _ in range(5)] == [0, 1, 2, 3, 4]
    join_threads("-read-ahead")
    assert numbers.fetched == [None, "3", "6"]


def test_the_next_page_is_requested_once_the_first_item_was_used() -> None:
    numbers = Numbers(6, prefetch=True)
    iterator = iter(numbers)
    assert next(iterator) == 0
    join_threads("-read-ahead")
    assert numbers.fetched == [None]  # the consumer may still change what page 2 should be
    assert next(iterator) == 1
    join_threads("-read-ahead")
    assert numbers.fetched == [None, "3"]


def test_indexing_fetches_only_the_pages_it_needs() -> None:
    numbers = Numbers(30, prefetch=True)
    assert numbers[0] == 0
    assert numbers[4] == 4
    join_threads("-read-ahead")
    assert numbers.fetched == [None, "3"]


def test_prefetch_error_surfaces_when_that_page_is_reached() -> None:
    numbers = Numbers(9, prefetch=True, fail_on_cursor="3")
    iterator = iter(numbers)
    assert [next(iterator) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ServerError, match="HTTP 503"):
        next(iterator)


def test_a_failed_page_is_fetched_again_on_the_next_attempt() -> None:
    numbers = Numbers(6, fail_on_cursor="3")
    with pytest.raises(ServerError):
        list(numbers)
    numbers.fail_on_cursor = None
    assert list(numbers) == [0, 1, 2, 3, 4, 5]
    assert numbers.fetched == [None, "3", "3"]


def test_two_consumers_share_one_cache() -> None:
    numbers = Numbers(6, prefetch=True)
    first, second = iter(numbers), iter(numbers)
    pairs = list(zip(first, second, strict=True))
    assert pairs == [(i, i) for i in range(6)]
    assert numbers.fetched == [None, "3"]


def test_close_forgets_the_prefetch() -> None:
    numbers = Numbers(6, prefetch=True)
    iterator = iter(numbers)
    assert [next(iterator), next(iterator)] == [0, 1]  # page two is being prefetched
    numbers.close()
    assert list(numbers) == list(range(6))
    join_threads("-read-ahead")
    # Page two was fetched twice: by the abandoned prefetch and again on demand.
    assert numbers.fetched.count("3") == 2


class AsyncNumbers(AsyncPaginator[int]):
    """0..4 served two at a time."""

    async def _fetch(self, cursor: str | None, on_data: object = None) -> Page[int]:
        start = int(cursor or 0)
        items = list(range(start, min(start + self.per_page, 5)))
        end = start + len(items)
        return Page(items, end_cursor=str(end), has_next=end < 5, total=5)


def test_an_async_listing_refuses_a_plain_for() -> None:
    # Without __iter__ = None, Python iterates through the async __getitem__: an endless loop
    # of coroutines nobody awaits.
    listing = AsyncNumbers(per_page=2, prefetch=False)
    with pytest.raises(TypeError, match="not iterable"):
        iter(listing)

    async def collect() -> list[int]:
        return [number async for number in listing]

    assert asyncio.run(collect()) == [0, 1, 2, 3, 4]
