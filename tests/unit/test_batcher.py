"""``AsyncBatcher``: ``load()`` calls made at once gathered into one ``load_many``; a lone
call and a key left unanswered answer None (the caller's own request then decides), a
failed ``load_many`` raises in every call; ``Batcher``, its sync twin, always leaves the
call to the caller."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from wandb_typed._concurrency import AsyncBatcher, Batcher


class Recorder:
    """A ``load_many`` that doubles the keys it is given (None for 13), and records each call."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail

    async def __call__(self, keys: list[int]) -> Mapping[int, int]:
        self.calls.append(keys)
        await asyncio.sleep(0.01)
        if self.fail:
            raise RuntimeError("the server refused the batch")
        return {key: key * 2 for key in keys if key != 13}


def test_calls_made_at_once_share_one_load() -> None:
    recorder = Recorder()

    async def scenario() -> list[int | None]:
        batcher = AsyncBatcher(recorder)
        return list(await asyncio.gather(*(batcher.load(key) for key in (1, 2, 13, 2))))

    # 13 is not answered; 2 asked again gets None too (its own request: no shared value).
    assert asyncio.run(scenario()) == [2, 4, None, None]
    assert recorder.calls == [[1, 2, 13]]


def test_a_lone_call_and_calls_made_one_after_the_other_load_nothing() -> None:
    recorder = Recorder()

    async def scenario() -> list[int | None]:
        batcher = AsyncBatcher(recorder)
        return [await batcher.load(1), await batcher.load(2)]

    assert asyncio.run(scenario()) == [None, None]
    assert recorder.calls == []


def test_a_failed_load_is_raised_in_every_call() -> None:
    recorder = Recorder(fail=True)

    async def scenario() -> list[object]:
        batcher = AsyncBatcher(recorder)
        return list(await asyncio.gather(batcher.load(1), batcher.load(2), return_exceptions=True))

    first, second = asyncio.run(scenario())
    assert isinstance(first, RuntimeError)
    assert second is first
    assert str(first) == "the server refused the batch"
    assert recorder.calls == [[1, 2]]


def test_a_cancelled_call_leaves_the_others_their_values() -> None:
    recorder = Recorder()

    async def scenario() -> tuple[bool, int | None]:
        batcher = AsyncBatcher(recorder)
        first = asyncio.ensure_future(batcher.load(1))
        second = asyncio.ensure_future(batcher.load(2))
        await asyncio.sleep(0)  # both are waiting for the gathered load
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return first.cancelled(), await second

    assert asyncio.run(scenario()) == (True, 4)
    assert recorder.calls == [[1, 2]]


def test_the_sync_twin_leaves_every_call_to_its_caller() -> None:
    calls: list[list[int]] = []

    def load_many(keys: list[int]) -> Mapping[int, int]:
        calls.append(keys)
        return {key: key for key in keys}

    batcher = Batcher(load_many)
    assert [batcher.load(1), batcher.load(2)] == [None, None]
    assert calls == []
