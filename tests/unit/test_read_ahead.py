"""ReadAhead: chained background requests, bounded ahead of their consumer."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from thread_support import join_threads

from wandb_typed._sync.read_ahead import ReadAhead


class Pages:
    """Pages 0..last; page k names k + 1 as its successor before it returns."""

    def __init__(self, last: int, *, fail_at: int | None = None) -> None:
        self.last = last
        self.fail_at = fail_at
        self.requested: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, page: int, on_next: Callable[[int], None]) -> str:
        with self.lock:
            self.requested.append(page)
        if page == self.fail_at:
            raise RuntimeError(f"page {page} failed")
        if page < self.last:
            on_next(page + 1)
        return f"page {page}"


def test_each_reply_requests_its_successor_and_the_consumer_gets_them_in_order() -> None:
    pages = Pages(last=5)
    ahead = ReadAhead(pages, depth=2, name="test")
    ahead.start(0)
    assert [ahead.take(page) for page in range(6)] == [f"page {k}" for k in range(6)]
    join_threads("-read-ahead")
    assert pages.requested == [0, 1, 2, 3, 4, 5]


def test_the_chain_pauses_at_its_depth_and_resumes_when_the_consumer_takes_one() -> None:
    pages = Pages(last=10)
    ahead = ReadAhead(pages, depth=2, name="test")
    ahead.start(0)
    join_threads("-read-ahead")
    assert sorted(pages.requested) == [0, 1]  # page 2 waits: two replies are held
    assert ahead.take(0) == "page 0"
    join_threads("-read-ahead")
    assert sorted(pages.requested) == [0, 1, 2]
    assert ahead.take(1) == "page 1"
    assert ahead.take(2) == "page 2"
    join_threads("-read-ahead")
    assert sorted(pages.requested) == [0, 1, 2, 3, 4]


def test_a_failed_request_raises_where_the_consumer_takes_it_and_ends_the_chain() -> None:
    pages = Pages(last=5, fail_at=1)
    ahead = ReadAhead(pages, depth=3, name="test")
    ahead.start(0)
    assert ahead.take(0) == "page 0"
    with pytest.raises(RuntimeError, match="page 1 failed"):
        ahead.take(1)
    join_threads("-read-ahead")
    assert ahead.take(2) is None
    assert pages.requested == [0, 1]


def test_a_key_never_requested_gives_none_and_drops_the_replies_of_another_chain() -> None:
    pages = Pages(last=1)
    ahead = ReadAhead(pages, depth=2, name="test")
    ahead.start(0)
    join_threads("-read-ahead")
    assert ahead.take(7) is None
    assert ahead.take(0) is None  # dropped with the other chain


def test_after_close_nothing_new_is_requested() -> None:
    pages = Pages(last=10)
    ahead = ReadAhead(pages, depth=1, name="test")
    ahead.start(0)
    join_threads("-read-ahead")
    ahead.close()
    assert ahead.take(0) is None
    ahead.start(5)
    join_threads("-read-ahead")
    assert pages.requested == [0]


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth must be at least 1"):
        ReadAhead(Pages(last=1), depth=0, name="test")
