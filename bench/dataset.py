"""The data every contender reads, created through the wire protocol (GraphQL + file_stream)
by :func:`wandb_typed_server.testing.seed.seed_runs`, the way the SDK would have logged it.

- ``bench/listing``: ``runs`` runs, each with a 20-key config and a 10-key summary, and
  ``bench/listing-latency``, the first ``latency_runs`` of them again (listed through the
  latency proxy);
- ``bench/scan``: one run per size in ``scan_rows`` (``rows-50000``, ``rows-200000``), 5 keys
  per row;
- ``bench/sampled``: 50 runs of 2,000 rows x 5 keys each, for ``history(samples=500)``;
- ``bench/files``: one run (``files``) holding 200 small files;
- ``bench/export``: ``export_runs`` runs (1,000) with the listing's config and summary and
  ``export_rows`` history rows x 5 keys each, for ``wandb-typed export`` to Parquet;
- ``bench/artifacts``: ``bench-data``, an artifact of ``artifact_mb`` MB in ``artifact_files``
  files, and ``bench-data-tenth``, a tenth of it, logged by the official SDK
  (:mod:`artifact_data`, seeded separately: it needs the server's artifact support).

    >>> scan_run_path(200_000)
    'bench/scan/rows-200000'
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from wandb_typed_server.testing.seed import SeedRun, seed_runs

ENTITY = "bench"
LISTING = f"{ENTITY}/listing"
SCAN = f"{ENTITY}/scan"
SAMPLED = f"{ENTITY}/sampled"
FILES = f"{ENTITY}/files"
FILES_RUN = f"{FILES}/files"
LISTING_LATENCY = f"{ENTITY}/listing-latency"
EXPORT = f"{ENTITY}/export"


@dataclass(frozen=True)
class Sizes:
    """How much data the benchmark creates."""

    runs: int = 10_000
    scan_rows: tuple[int, ...] = (50_000, 200_000)
    sampled_runs: int = 50
    sampled_rows: int = 2_000
    files: int = 200
    artifact_mb: float = 200
    artifact_files: int = 1_000
    latency_runs: int = 2_000
    """Runs listed in the pass through the latency proxy (``bench/listing-latency``)."""
    export_runs: int = 1_000
    export_rows: int = 100


def scan_run_path(rows: int) -> str:
    """The path of the scan run with ``rows`` history rows."""
    return f"{SCAN}/rows-{rows}"


def history_row(step: int, total: int) -> dict[str, object]:
    """Five metrics, as a training loop logs them."""
    return {
        "loss": 1.0 / (step + 1),
        "acc": step / total,
        "lr": 0.1 * math.exp(-step / total),
        "epoch": step // 1000,
        "grad_norm": 1.0 + (step % 97) / 97,
    }


def listing_run(index: int) -> SeedRun:
    """A run with a 20-key config (numbers, strings, a nested dict) and a 10-key summary."""
    config: dict[str, object] = {
        "index": index,
        "lr": 10 ** -(1 + index % 4),
        "batch_size": 2 ** (4 + index % 5),
        "optimizer": ("adam", "sgd", "adamw")[index % 3],
        "model": {"depth": 4 + index % 8, "width": 256, "activation": "gelu"},
        "dataset": "imagenet-1k",
    }
    config.update({f"param_{k}": k * index for k in range(14)})
    summary: dict[str, object] = {
        "loss": 1.0 / (index + 1),
        "acc": index / 10_000,
        "_step": 999,
        "_runtime": 120.5 + index,
    }
    summary.update({f"metric_{k}": k / (index + 1) for k in range(6)})
    return SeedRun(f"run-{index:05d}", config=config, summary=summary, tags=("bench",))


def seed_sampled(base_url: str, api_key: str, sizes: Sizes) -> None:
    """``bench/sampled``: ``sampled_runs`` runs of ``sampled_rows`` history rows each."""
    sampled = [
        SeedRun(
            f"sampled-{index:02d}",
            history=[history_row(step, sizes.sampled_rows) for step in range(sizes.sampled_rows)],
        )
        for index in range(sizes.sampled_runs)
    ]
    seed_runs(base_url, api_key, ENTITY, "sampled", sampled)


def seed_everything(base_url: str, api_key: str, sizes: Sizes) -> dict[str, float]:
    """Create the whole data set; returns the seconds each part took."""
    timings: dict[str, float] = {}

    started = time.perf_counter()
    listing = [listing_run(index) for index in range(sizes.runs)]
    seed_runs(base_url, api_key, ENTITY, "listing", listing)
    if sizes.latency_runs:
        seed_runs(base_url, api_key, ENTITY, "listing-latency", listing[: sizes.latency_runs])
    timings["listing"] = time.perf_counter() - started

    started = time.perf_counter()
    for rows in sizes.scan_rows:
        history = [history_row(step, rows) for step in range(rows)]
        seed_runs(base_url, api_key, ENTITY, "scan", [SeedRun(f"rows-{rows}", history=history)])
    timings["scan"] = time.perf_counter() - started

    started = time.perf_counter()
    seed_sampled(base_url, api_key, sizes)
    timings["sampled"] = time.perf_counter() - started

    started = time.perf_counter()
    seed_files(base_url, api_key, sizes)
    timings["files"] = time.perf_counter() - started

    started = time.perf_counter()
    exported = [
        SeedRun(
            f"export-{index:04d}",
            config=listing_run(index).config,
            history=[history_row(step, sizes.export_rows) for step in range(sizes.export_rows)],
        )
        for index in range(sizes.export_runs)
    ]
    seed_runs(base_url, api_key, ENTITY, "export", exported)
    timings["export"] = time.perf_counter() - started
    return timings


def seed_files(base_url: str, api_key: str, sizes: Sizes) -> None:
    """``bench/files/files``: one run holding ``sizes.files`` small files (also the run the
    startup benchmark reads first)."""
    files = {
        f"outputs/part-{index:03d}.txt": (f"line {index}\n" * (50 + index)).encode()
        for index in range(sizes.files)
    }
    seed_runs(base_url, api_key, ENTITY, "files", [SeedRun("files", files=files)])
