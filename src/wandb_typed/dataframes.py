"""Rows of dicts to pandas or polars data frames (the optional extras ``pandas``/``polars``).

Rows from W&B have different key sets (sparse metrics); missing values become nulls. The
column order is first appearance, so ``_step`` and friends come where the rows put them.

Example:
    >>> frame = to_pandas([{"_step": 0, "loss": 1.0}, {"_step": 1, "acc": 0.5}])
    >>> list(frame.columns)
    ['_step', 'loss', 'acc']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = ["FrameFormat", "columns_of", "to_pandas", "to_polars"]

FrameFormat: TypeAlias = Literal["default", "pandas", "polars", "arrow"]


def columns_of(rows: Iterable[Mapping[str, object]]) -> list[str]:
    """Every key of every row, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def require(module: str, extra: str) -> None:
    """Raise an ImportError naming the extra ``extra`` when ``module`` is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"this needs {module}, which is not installed: pip install 'wandb-typed[{extra}]'"
        )


def to_pandas(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> pandas.DataFrame:
    """A pandas ``DataFrame`` with one row per mapping (``columns`` fixes the column order)."""
    require("pandas", "pandas")
    import pandas as pd

    frame: pd.DataFrame = pd.DataFrame(
        [dict(row) for row in rows], columns=list(columns or columns_of(rows))
    )
    return frame


def to_polars(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> polars.DataFrame:
    """A polars ``DataFrame`` with one row per mapping; mixed-type columns widen, never fail."""
    require("polars", "polars")
    import polars as pl

    names = list(columns or columns_of(rows))
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.Null))
    return pl.from_dicts(
        [dict(row) for row in rows], schema=names, infer_schema_length=None, strict=False
    )
