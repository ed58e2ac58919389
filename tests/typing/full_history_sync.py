"""``Run.full_history()`` (sync flavour): one table per format literal, and a bad format."""

from __future__ import annotations

import pandas
import polars
import pyarrow
from typing_extensions import assert_type

from wandb_typed import Run


def check_run_full_history(run: Run) -> None:
    assert_type(run.full_history(), pyarrow.Table)
    assert_type(run.full_history("arrow"), pyarrow.Table)
    assert_type(run.full_history(format="pandas"), pandas.DataFrame)
    assert_type(run.full_history(format="polars"), polars.DataFrame)


def misuse_full_history(run: Run) -> None:
    run.full_history(format="rows")  # type: ignore[call-overload]
