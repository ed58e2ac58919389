"""WorkSlots: at most N pieces of work at once, and a slot given back during a wait."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from wandb_typed_server.work_slots import WorkSlots, slot_given_back


def test_at_most_size_pieces_of_work_run_at_once() -> None:
    slots = WorkSlots(2)
    lock = threading.Lock()
    running = 0
    most = 0

    def work() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)  # long enough for the other tasks to be started meanwhile
        with lock:
            running -= 1
        return 1

    async def main() -> list[int]:
        results: list[int] = []

        async def one() -> None:
            results.append(await slots.run(work))

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(one)
        return results

    assert anyio.run(main) == [1] * 6
    assert most == 2


def test_a_wait_gives_the_slot_back_so_other_work_runs() -> None:
    """With one slot, work blocked on an event that only later work sets would never end,
    unless it gives its slot back while it waits."""
    slots = WorkSlots(1)
    released = threading.Event()

    def waiter() -> str:
        with slot_given_back():
            assert released.wait(timeout=30), "the other work never ran"
        return "waited"

    def releaser() -> str:
        released.set()
        return "released"

    async def main() -> list[str]:
        results: list[str] = []

        async def run(work: object) -> None:
            assert callable(work)
            results.append(await slots.run(work))

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(run, waiter)
                await anyio.sleep(0.05)  # the waiter holds the only slot first
                group.start_soon(run, releaser)
        return results

    assert anyio.run(main) == ["released", "waited"]


def test_the_slot_is_taken_again_after_the_wait() -> None:
    """After its wait, work holds a slot again: with one slot, nothing else runs beside it."""
    slots = WorkSlots(1)
    lock = threading.Lock()
    running = 0
    most = 0

    def work() -> None:
        nonlocal running, most
        with slot_given_back():
            time.sleep(0.01)
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(slots.run, work)

    anyio.run(main)
    assert most == 1


def test_outside_work_slots_giving_back_does_nothing() -> None:
    with slot_given_back():
        value = 1
    assert value == 1


def test_a_work_slots_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot, got 0"):
        WorkSlots(0)
