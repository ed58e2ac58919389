"""``AsyncRun.full_history()``: awaited, one table per format literal, and a bad format."""

from __future__ import annotations

import pandas
import polars
import pyarrow
from typing_extensions import assert_type

from wandb_typed import AsyncRun


async def check_async_run_full_history(run: AsyncRun) -> None:
    assert_type(await run.full_history(), pyarrow.Table)
    assert_type(await run.full_history("arrow"), pyarrow.Table)
    assert_type(await run.full_history(format="pandas"), pandas.DataFrame)
    assert_type(await run.full_history(format="polars"), polars.DataFrame)


async def misuse_async_full_history(run: AsyncRun) -> None:
    await run.full_history(format="rows")  # type: ignore[call-overload]
    table = run.full_history()
    print(table.num_rows)  # type: ignore[attr-defined]
