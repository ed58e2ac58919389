"""``make bench``: our client vs the official ``wandb`` client vs a bare-httpx floor, on one
local server, written to ``bench/results/latest.md``.

The server (``wandb-typed server``) runs in its own process on a temporary data dir and is
filled through the wire protocol; then, for each repetition, every benchmark runs each
contender in turn (A, B, C, A, B, C, ...), each measurement in a fresh interpreter.
Nothing is cached between runs of this script. A second pass then runs the tasks users
feel over a network (listing, scan, histories, files, artifact) through
``bench/latency_proxy.py``, which delays every request by ``--latency-ms`` (50), and a last
one through the proxy at 0 ms shows the proxy's own cost.

    .venv/bin/python bench/run.py [--reps 5] [--runs 10000] [--artifact-mb 200]
        [--artifact-files 1000] [--latency-ms 50] [--latency-reps 3] [--no-latency]
        [--quick] [--output PATH] [--only ingest|startup|parquet|histories|artifact] [--ingest-base SHA]
        [--startup-base SHA] [--parquet-rows N]

The ingest row (``bench/ingest.py``: rows/s into the server, the baseline commit's server vs
this checkout's) closes every full run; ``--only ingest`` runs it alone and writes
``bench/results/ingest.md`` (or ``--output``). ``--only startup`` runs the startup rows
(1, 1b, 1c) alone, ``--reps`` times, and writes ``bench/results/startup.md``; with
``--startup-base SHA`` our client as of that commit runs beside today's. ``--only parquet``
(``bench/parquet_history.py``: a whole history of ``--parquet-rows`` rows, default 1,000,000,
read through Parquet exports vs our paged ``scan_history``) runs alone and writes
``bench/results/parquet.md``.
``--only histories`` seeds only the sampled runs and runs 4, 4b and L4
(``history(samples=500)`` of 50 runs, direct and through the latency proxy), written to
``bench/results/histories.md`` (or ``--output``).
``--only artifact`` runs the artifact downloads (6a-6c) alone on a server holding only the
artifacts, and writes ``bench/results/artifact.md`` (or ``--output``).

``--quick`` (small data, 1 repetition) writes ``bench/results/quick.md`` unless ``--output``
says otherwise, never ``latest.md``.

This module holds the arguments and the full run; the rest lives beside it, one concept a
module: what is measured in ``bench/plans.py``, running a plan in ``bench/runner.py`` (on
``bench/harness.py``), what the results mean in ``bench/targets.py``, the report document in
``bench/document.py`` (each benchmark's table in ``bench/report.py``), and the runs of
``--only startup|histories|artifact`` in ``bench/alone.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alone import main_artifact, main_histories, main_startup
from dataset import Sizes, seed_everything
from document import ARTIFACT_NOTES, BYTECODE_NOTE, NOTES, STARTUP_FLOOR_NOTE, write_results
from harness import LatencyProxy, compile_bytecode, peak_rss_mb
from ingest import BASELINE, IngestSizes, ingest_markdown, main_ingest, run_ingest
from parquet_history import main_parquet
from plans import artifact_benchmarks, benchmarks, latency_benchmarks, proxy_overhead_benchmarks
from runner import (
    BYTECODE_PACKAGES,
    contender_environments,
    fresh_server,
    proxied_environments,
    run_all,
    seed_artifact_data,
)

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
QUICK_RESULTS = RESULTS.with_name("quick.md")


def argument_parser() -> argparse.ArgumentParser:
    """The command line of ``bench/run.py``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions per contender")
    parser.add_argument("--runs", type=int, default=10_000, help="runs to list")
    parser.add_argument(
        "--artifact-mb", type=float, help="size of the downloaded artifact (default 200; 20 quick)"
    )
    parser.add_argument(
        "--artifact-files", type=int, help="its number of files (default 1000; 100 quick)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small data and 1 repetition (tries the harness)"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=50.0,
        help="delay the proxy adds to every request in the second pass (default 50)",
    )
    parser.add_argument(
        "--latency-reps", type=int, default=3, help="repetitions of the second pass (default 3)"
    )
    parser.add_argument(
        "--no-latency", action="store_true", help="skip the pass through the latency proxy"
    )
    parser.add_argument(
        "--output", type=Path, help=f"default {RESULTS} ({QUICK_RESULTS.name} with --quick)"
    )
    parser.add_argument(
        "--only",
        choices=["ingest", "startup", "parquet", "histories", "artifact"],
        help=(
            "run one benchmark alone (ingest: bench/ingest.py; startup: rows 1, 1b and 1c;"
            " parquet: bench/parquet_history.py; histories: 4, 4b and L4; artifact: 6a-6c)"
        ),
    )
    parser.add_argument(
        "--startup-base",
        help="with --only startup: also run our client as of this commit (before/after)",
    )
    parser.add_argument(
        "--parquet-rows", type=int, default=1_000_000, help="rows of --only parquet's run"
    )
    parser.add_argument(
        "--ingest-base", default=BASELINE, help=f"the commit ingest compares with ({BASELINE})"
    )
    return parser


def main_full(
    output: Path,
    sizes: Sizes,
    reps: int,
    latency_ms: float | None,
    latency_reps: int,
    ingest_sizes: IngestSizes,
    ingest_base: str,
) -> str:
    """The full run: every benchmark on one seeded server, the latency and proxy passes
    (unless ``latency_ms`` is ``None``), then the ingest row; the report is written to
    ``output`` and returned."""
    started = time.perf_counter()
    with fresh_server() as (server, tmp):
        seeding = seed_everything(server.base_url, server.api_key, sizes)
        plan = benchmarks(sizes)
        artifacts = seed_artifact_data(server.base_url, server.api_key, sizes, tmp)
        artifact_skipped: str | None = None
        if isinstance(artifacts, str):
            artifact_skipped = artifacts
            print(f"artifact benchmark skipped: {artifact_skipped}", flush=True)
        else:
            seeded, seconds = artifacts
            seeding["artifacts (official SDK)"] = seconds
            plan += artifact_benchmarks(sizes, seeded)
        print("seeded: " + ", ".join(f"{k} {v:.1f} s" for k, v in seeding.items()))
        environments = contender_environments(server.base_url, server.api_key, tmp)
        scratch = tmp / "scratch"
        scratch.mkdir()
        compile_bytecode(*BYTECODE_PACKAGES)
        results = run_all(plan, reps, environments, scratch)
        if latency_ms is not None:
            seeded_artifacts = None if isinstance(artifacts, str) else artifacts[0]
            passes = (
                (latency_ms, latency_benchmarks(sizes, seeded_artifacts, latency_ms)),
                (0.0, proxy_overhead_benchmarks(sizes)),
            )
            for delay, extra_plan in passes:
                print(f"through the latency proxy at {delay:g} ms ...", flush=True)
                with LatencyProxy(server.base_url, delay) as proxy:
                    proxied = proxied_environments(environments, proxy.base_url, tmp)
                    results.update(run_all(extra_plan, latency_reps, proxied, scratch))
                plan += extra_plan
        server_rss = peak_rss_mb(server.pid)
    print("ingest: today's server vs this checkout's ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-ingest-") as ingest_tmp:
        ingest = run_ingest(Path(ingest_tmp), ingest_sizes, ingest_base)
    document = write_results(
        plan,
        results,
        reps=reps,
        sizes=sizes,
        seeding=seeding,
        server_rss=server_rss,
        total_seconds=time.perf_counter() - started,
        notes=[BYTECODE_NOTE, STARTUP_FLOOR_NOTE, *NOTES]
        + (ARTIFACT_NOTES if artifact_skipped is None else []),
        artifact_skipped=artifact_skipped,
        latency_ms=latency_ms,
    )
    document += "\n" + ingest_markdown(ingest, ingest_sizes, ingest_base)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    return document


def main() -> None:
    """Seed a fresh server, measure, write bench/results/latest.md (quick.md with --quick)."""
    args = argument_parser().parse_args()
    if args.only == "parquet":
        parquet_output = args.output or RESULTS.with_name("parquet.md")
        delay = 0.0 if args.no_latency else args.latency_ms
        print(main_parquet(parquet_output, args.parquet_rows, delay, args.reps))
        print(f"written to {parquet_output}")
        return
    if args.only == "ingest":
        ingest_output = args.output or RESULTS.with_name("ingest.md")
        print(main_ingest(ingest_output, args.ingest_base))
        print(f"written to {ingest_output}")
        return
    if args.only == "startup":
        startup_output = args.output or RESULTS.with_name("startup.md")
        print(main_startup(startup_output, args.reps, args.startup_base))
        print(f"written to {startup_output}")
        return
    sizes = Sizes(runs=args.runs)
    reps = args.reps
    if args.quick:
        sizes = Sizes(
            runs=500,
            scan_rows=(5_000, 20_000),
            sampled_runs=50,
            files=20,
            artifact_mb=20,
            artifact_files=100,
            latency_runs=200,
            export_runs=100,
            export_rows=50,
        )
        reps = 1
    if args.artifact_mb is not None:
        sizes = replace(sizes, artifact_mb=args.artifact_mb)
    if args.artifact_files is not None:
        sizes = replace(sizes, artifact_files=args.artifact_files)
    if args.only == "artifact":
        artifact_output = args.output or RESULTS.with_name("artifact.md")
        print(main_artifact(artifact_output, sizes, reps))
        print(f"written to {artifact_output}")
        return
    latency_ms = None if args.no_latency else args.latency_ms
    latency_reps = 1 if args.quick else args.latency_reps
    if args.only == "histories":
        histories_output = args.output or RESULTS.with_name("histories.md")
        print(main_histories(histories_output, sizes, reps, latency_ms, latency_reps))
        print(f"written to {histories_output}")
        return
    output = args.output or (QUICK_RESULTS if args.quick else RESULTS)
    ingest_sizes = IngestSizes() if not args.quick else IngestSizes(20_000, 5_000, 2_000, 500, 1)
    print(main_full(output, sizes, reps, latency_ms, latency_reps, ingest_sizes, args.ingest_base))
    print(f"written to {output}")


if __name__ == "__main__":
    main()
