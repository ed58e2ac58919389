"""What a user's program gets from ``Run.update_state`` (both flavours)."""

from __future__ import annotations

from typing_extensions import assert_type

from wandb_typed import AsyncRun, Run


def check_run_state(run: Run) -> None:
    assert_type(run.update_state("pending"), bool)
    assert_type(run.update_state(state="failed"), bool)


async def check_async_run_state(run: AsyncRun) -> None:
    assert_type(await run.update_state("pending"), bool)
    assert_type(await run.update_state(state="failed"), bool)


async def misuse_run_state(run: AsyncRun) -> None:
    done: bool = run.update_state("failed")  # type: ignore[assignment]
    print(done)
