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
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

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
    import pyarrow.parquet as pq

    runs = list(api.runs(path, filters=filters, per_page=1000, lazy=False))
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow([run.flat_row() for run in runs]), out / "runs.parquet")
    history_dir = out / "history"
    bar = Progress(f"export {path}", total=len(runs), enabled=progress, unit="runs")
    written: list[Path] = []
    rows = 0
    try:
        with ThreadPoolExecutor(HISTORY_WORKERS) as pool:
            for result in pool.map(lambda run: _write_history(run, history_dir, keys), runs):
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
    import pyarrow.parquet as pq

    lines = list(run.scan_history(keys=keys))
    if not lines:
        return None
    folder = history_dir / f"run_id={quote(run.id, safe='')}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "part-0.parquet"
    pq.write_table(to_arrow(lines), target)
    return target, len(lines)


def _unify(files: list[Path]) -> None:
    """Rewrite the history files that differ from the dataset's one schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not files:
        return
    schemas = [pq.read_schema(file) for file in files]
    kinds: dict[str, set[Any]] = {}
    for schema in schemas:
        for field in schema:
            kinds.setdefault(field.name, set()).add(field.type)
    target = pa.schema([pa.field(name, _wider(types)) for name, types in kinds.items()])
    for file, schema in zip(files, schemas, strict=True):
        if schema.equals(target):
            continue
        table = pq.read_table(file)
        pq.write_table(_conform(table, target), file)


def _wider(types: set[Any]) -> Any:
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

    columns = []
    for field in target:
        if field.name not in table.column_names:
            columns.append(pa.nulls(len(table), type=field.type))
        else:
            columns.append(table.column(field.name).cast(field.type))
    return pa.Table.from_arrays(columns, schema=target)
