"""Parquet files read and written through the three ``pyarrow.parquet`` functions the export
and the command line use, typed here.

``pyarrow.parquet``'s stubs (pyarrow-stubs) leave parts of these signatures unknown
(``IO[Unknown]`` among the accepted targets, an untyped file system), which pyright strict
reports at every call. This module is the one place that meets them: it describes the calls
as a Protocol and returns the module as that Protocol, so the callers see exact types.

Example:
    >>> from wandb_typed.arrow import to_arrow
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.parquet"
    >>> write_table(to_arrow([{"a": 1}]), path)
    >>> read_table(path).column_names, read_schema(path).names
    (['a'], ['a'])
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from wandb_typed.arrow import require_pyarrow

if TYPE_CHECKING:
    import pyarrow

__all__ = ["read_schema", "read_table", "write_table"]


class _ParquetModule(Protocol):
    def write_table(self, table: pyarrow.Table, where: Path) -> None: ...

    def read_table(self, source: Path) -> pyarrow.Table: ...

    def read_schema(self, where: Path) -> pyarrow.Schema: ...


def _module() -> _ParquetModule:
    require_pyarrow()
    return cast("_ParquetModule", importlib.import_module("pyarrow.parquet"))


def write_table(table: pyarrow.Table, where: Path) -> None:
    """Write ``table`` to the Parquet file ``where``."""
    _module().write_table(table, where)


def read_table(source: Path) -> pyarrow.Table:
    """The table in the Parquet file ``source``."""
    return _module().read_table(source)


def read_schema(where: Path) -> pyarrow.Schema:
    """The schema of the Parquet file ``where`` (its data is not read)."""
    return _module().read_schema(where)
