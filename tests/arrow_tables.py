"""Comparing Arrow tables whose float columns may hold NaN (``Table.equals`` says a NaN
differs from itself)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def assert_same_table(actual: pa.Table, expected: pa.Table) -> None:
    """Same schema (names, order, types), same rows; NaN equals NaN, and chunking is ignored."""
    assert actual.schema == expected.schema, f"{actual.schema}\n!=\n{expected.schema}"
    assert actual.num_rows == expected.num_rows
    for name in expected.column_names:
        got: Any = actual.column(name)
        wanted: Any = expected.column(name)
        if pa.types.is_floating(wanted.type):
            assert pc.is_nan(got).equals(pc.is_nan(wanted)), f"NaN placement differs in {name}"
            got = pc.if_else(pc.is_nan(got), 0.0, got)
            wanted = pc.if_else(pc.is_nan(wanted), 0.0, wanted)
        assert got.equals(wanted), f"column {name} differs"
