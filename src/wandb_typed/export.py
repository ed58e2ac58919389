"""A project's runs and histories as a Parquet dataset (what ``wandb-typed export`` writes).

Layout under ``out``::

    runs.parquet                          one row per run: id, name, state, group, job_type,
                                          tags, created_at, config.*, summary.* (flattened)
    history/run_id=<id>/part-0.parquet    every history row of that run (no sampling)

The history files share one schema (a column missing from a run is null there; a column whose
type differs between runs takes the wider type), so DuckDB
(``read_parquet('out/history/*/*.parquet', hive_partitioning=true)``) and polars
(``pl.read_parquet('out/history/', hive_partitioning=True)``) read the whole dataset
directly. Needs the ``arrow`` extra (pyarrow).

Example:
    >>> export_project(api, "team/vision", Path("out"))  # doctest: +SKIP
    ExportResult(runs=12, history_rows=36000, out=PosixPath('out'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from wandb_typed._parquet import read_schema, read_table, write_table
from wandb_typed._progress import Progress
from wandb_typed.arrow import to_arrow

if TYPE_CHECKING:
    import pyarrow

    from wandb_typed import Api, Run

__all__ = ["ExportResult", "export_project"]

HISTORY_WORKERS = 8
"""Runs whose history is read at once."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    runs: int
    history_rows: int
    out: Path


def export_project(
    api: Api,
    path: str,
    out: Path,
    *,
    filters: Mapping[str, object] | None = None,
    keys: Sequence[str] | None = None,
    progress: bool | None = None,
) -> ExportResult:
    """Write the runs of ``path`` (matching ``filters``) and their histories (only ``keys``
    when given) under ``out`` as Parquet; a progress bar on a terminal (``progress=None``).

    Raises:
        NotFoundError: No such project.
        InvalidArgumentError: A bad filter.
    """
    runs = list(api.runs(path, filters=filters, per_page=1000, lazy=False))
    out.mkdir(parents=True, exist_ok=True)
    write_table(to_arrow([run.flat_row() for run in runs]), out / "runs.parquet")
    history_dir = out / "history"
    bar = Progress(f"export {path}", total=len(runs), enabled=progress, unit="runs")
    written: list[Path] = []
    rows = 0
    try:
        with ThreadPoolExecutor(HISTORY_WORKERS) as pool:
            for result in pool.map(_write_history, runs, repeat(history_dir), repeat(keys)):
                bar.advance(1)
                if result is not None:
                    written.append(result[0])
                    rows += result[1]
    finally:
        bar.close()
    _unify(written)
    return ExportResult(runs=len(runs), history_rows=rows, out=out)


def _write_history(
    run: Run, history_dir: Path, keys: Sequence[str] | None
) -> tuple[Path, int] | None:
    lines = list(run.scan_history(keys=keys))
    if not lines:
        return None
    folder = history_dir / f"run_id={quote(run.id, safe='')}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "part-0.parquet"
    write_table(to_arrow(lines), target)
    return target, len(lines)


def _unify(files: list[Path]) -> None:
    """Rewrite the history files that differ from the dataset's one schema."""
    import pyarrow as pa

    if not files:
        return
    schemas = [read_schema(file) for file in files]
    kinds: dict[str, set[pyarrow.DataType]] = {}
    for schema in schemas:
        for name, kind in zip(schema.names, schema.types, strict=True):
            kinds.setdefault(name, set()).add(kind)
    target = pa.schema({name: _wider(types) for name, types in kinds.items()})
    for file, schema in zip(files, schemas, strict=True):
        if schema.equals(target):
            continue
        write_table(_conform(read_table(file), target), file)


def _wider(types: set[pyarrow.DataType]) -> pyarrow.DataType:
    import pyarrow as pa

    known = {kind for kind in types if not pa.types.is_null(kind)}
    if not known:
        return pa.null()
    if len(known) == 1:
        return known.pop()
    if all(pa.types.is_integer(kind) or pa.types.is_floating(kind) for kind in known):
        return pa.float64()
    return pa.string()


def _conform(table: pyarrow.Table, target: pyarrow.Schema) -> pyarrow.Table:
    import pyarrow as pa

    columns: list[
        pyarrow.Array[pyarrow.Scalar[pyarrow.DataType]]
        | pyarrow.ChunkedArray[pyarrow.Scalar[pyarrow.DataType]]
    ] = []
    for name, kind in zip(target.names, target.types, strict=True):
        if name not in table.column_names:
            columns.append(pa.array([None] * len(table), type=kind))
        else:
            columns.append(table.column(name).cast(kind))
    return pa.Table.from_arrays(columns, schema=target)
