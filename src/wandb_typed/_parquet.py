"""Parquet files read and written through the ``pyarrow.parquet`` functions the export, the
command line and history exports use, typed here.

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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from wandb_typed._json import JSONValue
from wandb_typed.arrow import require_pyarrow

if TYPE_CHECKING:
    import pyarrow

__all__ = [
    "Columns",
    "ParquetColumns",
    "RowBatches",
    "read_row_batches",
    "read_schema",
    "read_table",
    "write_table",
]


class _Column(Protocol):
    def to_pylist(self) -> list[JSONValue]: ...


class _RecordBatch(Protocol):
    @property
    def columns(self) -> Sequence[_Column]: ...

    @property
    def schema(self) -> _NamedSchema: ...


class _NamedSchema(Protocol):
    @property
    def names(self) -> list[str]: ...


class _FileMetadata(Protocol):
    @property
    def metadata(self) -> Mapping[bytes, bytes] | None: ...

    @property
    def num_rows(self) -> int: ...


class _ParquetFile(Protocol):
    @property
    def metadata(self) -> _FileMetadata: ...

    def iter_batches(self, batch_size: int) -> Iterator[_RecordBatch]: ...

    def read(self, columns: list[str]) -> pyarrow.Table: ...

    @property
    def schema_arrow(self) -> pyarrow.Schema: ...

    def close(self) -> None: ...


class _ParquetFileClass(Protocol):
    def __call__(self, source: str, memory_map: bool = ...) -> _ParquetFile: ...


class _ParquetModule(Protocol):
    ParquetFile: _ParquetFileClass

    def write_table(self, table: pyarrow.Table, where: Path) -> None: ...

    def read_table(self, source: Path) -> pyarrow.Table: ...

    def read_schema(self, where: Path) -> pyarrow.Schema: ...


def _module() -> _ParquetModule:
    require_pyarrow()
    return cast("_ParquetModule", importlib.import_module("pyarrow.parquet"))


def _open_file(path: Path) -> _ParquetFile:
    """``path`` opened memory-mapped: its pages are decoded straight from the page cache, with
    no copy of each column chunk into fresh memory first (a million-row table: ~150 ms
    instead of 150-470 ms)."""
    return _module().ParquetFile(str(path), memory_map=True)


def write_table(table: pyarrow.Table, where: Path) -> None:
    """Write ``table`` to the Parquet file ``where``."""
    _module().write_table(table, where)


def read_table(source: Path) -> pyarrow.Table:
    """The table in the Parquet file ``source``."""
    return _module().read_table(source)


class ParquetColumns:
    """A Parquet file read a few columns at a time (their values in memory, not the whole
    file's), with its Arrow schema and key-value metadata; ``close()`` when done.

    Example:
        >>> from wandb_typed.arrow import to_arrow
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "columns.parquet"
        >>> write_table(to_arrow([{"a": 1, "b": "x"}, {"a": 2}]), path)
        >>> columns = ParquetColumns(path)
        >>> columns.schema.names, columns.column("b").to_pylist(), columns.close()
        (['a', 'b'], ['x', None], None)
    """

    def __init__(self, path: Path) -> None:
        self._file = _open_file(path)
        self.metadata: Mapping[bytes, bytes] = self._file.metadata.metadata or {}
        """The file's key-value metadata (its footer's, which ``read_table`` leaves out when
        it was added as the file was closed)."""
        self.schema: pyarrow.Schema = self._file.schema_arrow
        """The file's columns and their Arrow types."""
        self.row_count: int = self._file.metadata.num_rows
        """How many rows the file holds."""

    def column(self, name: str) -> pyarrow.ChunkedArray[pyarrow.Scalar[pyarrow.DataType]]:
        """The values of the column ``name``."""
        return self._file.read(columns=[name]).column(name)

    def read(self, names: list[str]) -> pyarrow.Table:
        """The columns ``names`` (read together: Arrow decodes them in parallel)."""
        return self._file.read(columns=names)

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def read_schema(where: Path) -> pyarrow.Schema:
    """The schema of the Parquet file ``where`` (its data is not read)."""
    return _module().read_schema(where)


Columns = tuple[list[str], list[list[JSONValue]]]
"""A batch of a Parquet file: its column names and each column's values."""


class RowBatches:
    """The columns of a Parquet file as Python lists, ``batch_rows`` rows at a time (one
    batch in memory), and the file's key-value metadata; ``close()`` when done.

    Example:
        >>> from wandb_typed.arrow import to_arrow
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "rows.parquet"
        >>> write_table(to_arrow([{"a": 1}, {"a": 2}]), path)
        >>> batches = read_row_batches(path, batch_rows=1)
        >>> list(batches), b"ARROW:schema" in batches.metadata, batches.close()
        ([(['a'], [[1]]), (['a'], [[2]])], True, None)
    """

    def __init__(self, path: Path, batch_rows: int) -> None:
        self._file = _open_file(path)
        self.metadata: Mapping[bytes, bytes] = self._file.metadata.metadata or {}
        """The file's key-value metadata (its footer's)."""
        self._batch_rows = batch_rows

    def __iter__(self) -> Iterator[Columns]:
        """Each batch's column names and values, in file order."""
        for batch in self._file.iter_batches(batch_size=self._batch_rows):
            yield batch.schema.names, [column.to_pylist() for column in batch.columns]

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def read_row_batches(source: Path, *, batch_rows: int) -> RowBatches:
    """The columns of the Parquet file ``source``, ``batch_rows`` rows at a time."""
    return RowBatches(source, batch_rows)
