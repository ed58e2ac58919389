"""Rows of dicts to Arrow tables (the optional extra ``arrow``: ``pip install
'wandb-typed[arrow]'``), and the flattening that turns a run into one row of columns.

One rule for every column, so a runs table, a history and an export read alike in DuckDB,
polars and pandas: a column whose values Arrow types as one type keeps it (ints stay ints;
ints mixed with floats become floats; datetimes become UTC timestamps); a column holding
dicts, lists, or values of kinds that do not mix (``1`` and ``"a"``) holds their JSON text.

Example:
    >>> table = to_arrow([{"_step": 0, "loss": 1.0, "tag": "a"}, {"_step": 1, "tag": 2}])
    >>> table.column_names, table.column("loss").to_pylist(), table.column("tag").to_pylist()
    (['_step', 'loss', 'tag'], [1.0, None], ['"a"', '2'])
    >>> flatten({"net": {"depth": 2, "act": "relu"}, "lr": 0.1}, prefix="config.")
    {'config.net.depth': 2, 'config.net.act': 'relu', 'config.lr': 0.1}
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

from wandb_typed.dataframes import columns_of

if TYPE_CHECKING:
    import pyarrow

__all__ = ["flatten", "to_arrow"]


def flatten(values: Mapping[str, object], *, prefix: str = "") -> dict[str, object]:
    """Nested dicts as dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``); an empty dict
    stays a value (it has no key to make a column of)."""
    flat: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            nested = cast("dict[str, object]", value)  # a JSON object: its keys are strings
            flat.update(flatten(nested, prefix=f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def require_pyarrow() -> None:
    """Raise an ImportError naming the ``arrow`` extra when pyarrow is not installed."""
    if importlib.util.find_spec("pyarrow") is None:
        raise ImportError(
            "this needs pyarrow, which is not installed: pip install 'wandb-typed[arrow]'"
        )


def json_text(value: object) -> str | None:
    """``value`` as a JSON-text column holds it (keys sorted, NaN as ``NaN``; None stays None).

    >>> json_text({"b": [1, None], "a": float("nan")}), json_text(None)
    ('{"a": NaN, "b": [1, null]}', None)
    """
    if value is None:
        return None
    return _ENCODER.encode(value)


_ENCODER = json.JSONEncoder(sort_keys=True, allow_nan=True, default=str)
"""``json.dumps(value, sort_keys=True, allow_nan=True, default=str)``, without making an
encoder per value (a JSON column of a long history has one value per row)."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class _InferredArray(Protocol):
    """``pyarrow.array`` without ``type=``: Arrow infers the type of any list of Python values
    (or raises), whereas its stubs type only a list of one known kind of value."""

    def __call__(
        self, values: list[object], /
    ) -> pyarrow.Array[pyarrow.Scalar[pyarrow.DataType]]: ...


def column(values: list[object]) -> pyarrow.Array[pyarrow.Scalar[pyarrow.DataType]]:
    """The Arrow column of ``values`` (a column's values, one per row, None where missing),
    typed by the module's rule.

    >>> column([1, None, 2.5]).to_pylist(), str(column([1, None]).type)
    ([1.0, None, 2.5], 'int64')
    """
    import pyarrow as pa

    present = [value for value in values if value is not None]
    if any(isinstance(value, dict | list | tuple) for value in present):
        return pa.array([json_text(value) for value in values], type=pa.string())
    if present and all(_is_number(value) for value in present):
        if all(isinstance(value, int) for value in present):
            try:
                return pa.array(values, type=pa.int64())
            except (pa.ArrowInvalid, OverflowError):
                pass
        return pa.array([_as_float(value) for value in values], type=pa.float64())
    if present and all(isinstance(value, datetime) for value in present):
        return pa.array(values, type=pa.timestamp("us", tz="UTC"))
    inferred = cast("_InferredArray", pa.array)
    try:
        return inferred(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([json_text(value) for value in values], type=pa.string())


def to_arrow(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> pyarrow.Table:
    """A ``pyarrow.Table`` with one row per mapping (``columns`` fixes the column order);
    missing values are nulls. See the module's rule for each column's type."""
    require_pyarrow()
    import pyarrow as pa

    names = list(columns or columns_of(rows))
    arrays = [column([row.get(name) for row in rows]) for name in names]
    return pa.Table.from_arrays(arrays, names=names)
