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
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import (
    Sizes,
    seed_everything,
    seed_files,
    seed_sampled,
)
from document import (
    ARTIFACT_NOTES,
    BYTECODE_NOTE,
    NOTES,
    STARTUP_FLOOR_NOTE,
    git_commit,
    machine_lines,
    versions_line,
    write_results,
)
from harness import (
    LatencyProxy,
    LocalServer,
    child_environment,
    compile_bytecode,
    peak_rss_mb,
)
from ingest import (
    BASELINE,
    IngestSizes,
    baseline_source,
    ingest_markdown,
    main_ingest,
    run_ingest,
)
from parquet_history import main_parquet
from plans import (
    Contender,
    artifact_benchmarks,
    benchmarks,
    latency_benchmarks,
    proxy_overhead_benchmarks,
    startup_benchmarks,
)
from report import Summary, table
from runner import (
    BYTECODE_PACKAGES,
    contender_environments,
    proxied_environments,
    run_all,
    seed_artifact_data,
)
from targets import latency_target_lines, median_seconds, startup_target_lines
from wandb_typed_server.testing.sdk_env import sdk_environment

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
QUICK_RESULTS = RESULTS.with_name("quick.md")


def _ms(summary: Summary) -> str:
    return f"{1e3 * summary.median:.0f} ms ({1e3 * summary.low:.0f}-{1e3 * summary.high:.0f})"


def main_startup(output: Path, reps: int, base: str | None = None) -> str:
    """Rows 1, 1b and 1c alone on a server holding the one run they read; write ``output``.
    With ``base`` (a commit), our client as of that commit runs too, alternating with today's
    in every repetition (its ``src/`` extracted with ``git archive``, put first on
    ``PYTHONPATH``), so a before/after comparison shares the machine's load."""
    started = time.perf_counter()
    plan = startup_benchmarks()
    if base is not None:
        label = f"wandb_typed at {base} (before)"
        plan = [
            replace(bench, contenders=(*bench.contenders, Contender(label, "ours_base")))
            for bench in plan
        ]
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with LocalServer(data_dir) as server:
            print(f"server {server.base_url} (pid {server.pid}); seeding ...", flush=True)
            seeded = time.perf_counter()
            seed_files(server.base_url, server.api_key, Sizes())
            seeding = {"files": time.perf_counter() - seeded}
            environments = {
                "ours": child_environment(server.base_url, server.api_key),
                "startup_floor": child_environment(server.base_url, server.api_key),
                "official": {
                    **sdk_environment(server.base_url, server.api_key, Path(tmp) / "sdk"),
                    "BENCH_BASE_URL": server.base_url,
                    "BENCH_API_KEY": server.api_key,
                },
            }
            base_src: tuple[Path, ...] = ()
            if base is not None:
                base_src = (baseline_source(base, Path(tmp) / "base"),)
                environments["ours_base"] = {
                    **environments["ours"],
                    "PYTHONPATH": os.pathsep.join(
                        [str(base_src[0]), *filter(None, [os.environ.get("PYTHONPATH")])]
                    ),
                }
            scratch = Path(tmp) / "scratch"
            scratch.mkdir()
            compile_bytecode(*BYTECODE_PACKAGES, folders=base_src)
            results = run_all(plan, reps, environments, scratch)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks: startup (rows 1, 1b, 1c of `latest.md`) alone",
        "",
        f"Written by `bench/run.py --only startup` on {now}, commit {git_commit()}; "
        f"the whole run took {(time.perf_counter() - started) / 60:.1f} min.",
        "",
        *machine_lines(),
        versions_line(),
        f"- repetitions: {reps} per contender, contenders alternating within each repetition; "
        "each measurement in a fresh process; times are medians (min-max)",
        "- server: `wandb-typed server` in its own process, holding the one run 1c reads "
        f"(seeded in {seeding['files']:.1f} s)",
        "",
        "## Targets",
        "",
        *startup_target_lines(results),
        *(
            f"- {bench.title.split('. ', 1)[0]}, today vs {base}: "
            f"{1e3 * now_s:.0f} ms vs {1e3 * base_s:.0f} ms ({base_s / now_s:.2f}x)"
            for bench in plan
            if base is not None
            and (now_s := median_seconds(results, bench.key, "ours"))
            and (base_s := median_seconds(results, bench.key, "ours_base"))
        ),
        "",
        "## Results",
        "",
    ]
    for bench in plan:
        lines += table(bench.title, bench.unit, results[bench.key], columns=bench.columns)
        lines += [
            "CPU time of the measured process over the same span (less sensitive to the other "
            "processes sharing the machine than the wall time above), median (min-max): "
            + "; ".join(
                f"{series.label} {_ms(series.summary('cpu_seconds'))}"
                for series in results[bench.key]
                if series.records and all("cpu_seconds" in r for r in series.records)
            ),
            "",
        ]
    lines += ["## Notes", "", f"- {BYTECODE_NOTE}", f"- {STARTUP_FLOOR_NOTE}", ""]
    document = "\n".join(lines)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    return document


HISTORIES_KEYS = ("sampled", "sampled-gather")
LATENCY_HISTORIES_KEYS = ("lat-sampled",)


def main_histories(
    output: Path, sizes: Sizes, reps: int, latency_ms: float | None, latency_reps: int
) -> str:
    """``--only histories``: the sampled runs alone, then 4 and 4b direct and L4 through the
    latency proxy; the markdown of the run."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with LocalServer(data_dir) as server:
            print(f"server {server.base_url} (pid {server.pid}); seeding ...", flush=True)
            seeding_started = time.perf_counter()
            seed_sampled(server.base_url, server.api_key, sizes)
            seeding = {"sampled": time.perf_counter() - seeding_started}
            environments = contender_environments(server.base_url, server.api_key, Path(tmp))
            scratch = Path(tmp) / "scratch"
            scratch.mkdir()
            plan = [bench for bench in benchmarks(sizes) if bench.key in HISTORIES_KEYS]
            compile_bytecode(*BYTECODE_PACKAGES)
            results = run_all(plan, reps, environments, scratch)
            if latency_ms is not None:
                extra_plan = [
                    bench
                    for bench in latency_benchmarks(sizes, None, latency_ms)
                    if bench.key in LATENCY_HISTORIES_KEYS
                ]
                print(f"through the latency proxy at {latency_ms:g} ms ...", flush=True)
                with LatencyProxy(server.base_url, latency_ms) as proxy:
                    proxied = proxied_environments(environments, proxy.base_url, Path(tmp))
                    results.update(run_all(extra_plan, latency_reps, proxied, scratch))
                plan += extra_plan
            server_rss = peak_rss_mb(server.pid)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks: sampled histories of many runs (`bench/run.py --only histories`)",
        "",
        f"Written on {now}, commit {git_commit()}; the run took "
        f"{(time.perf_counter() - started) / 60:.1f} min (seeding {seeding['sampled']:.1f} s"
        + (f", server peak RSS {server_rss:.0f} MB" if server_rss else "")
        + ").",
        "",
        *machine_lines(),
        versions_line(),
        f"- repetitions: {reps} (latency pass: {latency_reps}), contenders alternating",
        f"- {BYTECODE_NOTE}",
        "",
    ]
    if latency_ms is not None:
        lines += [
            line
            for line in latency_target_lines(results, sizes, latency_ms)
            if line.startswith("#") or "history(samples" in line or not line
        ]
    for bench in plan:
        lines += table(bench.title, bench.unit, results[bench.key], columns=bench.columns)
    document = "\n".join(lines)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    return document


def main_artifact(output: Path, sizes: Sizes, reps: int) -> str:
    """The artifact downloads alone (6a-6c), on a fresh server holding only the artifacts;
    the report is written to ``output`` and returned."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with LocalServer(data_dir) as server:
            print(f"server {server.base_url} (pid {server.pid}); seeding ...", flush=True)
            artifacts = seed_artifact_data(server.base_url, server.api_key, sizes, Path(tmp))
            if isinstance(artifacts, str):
                raise SystemExit(f"artifact benchmark skipped: {artifacts}")
            seeded, seconds = artifacts
            plan = artifact_benchmarks(sizes, seeded)
            environments = contender_environments(server.base_url, server.api_key, Path(tmp))
            scratch = Path(tmp) / "scratch"
            scratch.mkdir()
            compile_bytecode(*BYTECODE_PACKAGES)
            results = run_all(plan, reps, environments, scratch)
            server_rss = peak_rss_mb(server.pid)
    document = write_results(
        plan,
        results,
        reps=reps,
        sizes=sizes,
        seeding={"artifacts (official SDK)": seconds},
        server_rss=server_rss,
        total_seconds=time.perf_counter() - started,
        notes=[BYTECODE_NOTE, *ARTIFACT_NOTES],
        artifact_skipped=None,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    return document


def main() -> None:
    """Seed a fresh server, measure, write bench/results/latest.md (quick.md with --quick)."""
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
    args = parser.parse_args()
    if args.only == "parquet":
        parquet_output = args.output or RESULTS.with_name("parquet.md")
        delay = 0.0 if args.no_latency else args.latency_ms
        print(main_parquet(parquet_output, args.parquet_rows, delay))
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
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with LocalServer(data_dir) as server:
            print(f"server {server.base_url} (pid {server.pid}); seeding ...", flush=True)
            seeding = seed_everything(server.base_url, server.api_key, sizes)
            plan = benchmarks(sizes)
            artifacts = seed_artifact_data(server.base_url, server.api_key, sizes, Path(tmp))
            artifact_skipped: str | None = None
            if isinstance(artifacts, str):
                artifact_skipped = artifacts
                print(f"artifact benchmark skipped: {artifact_skipped}", flush=True)
            else:
                seeded, seconds = artifacts
                seeding["artifacts (official SDK)"] = seconds
                plan += artifact_benchmarks(sizes, seeded)
            print("seeded: " + ", ".join(f"{k} {v:.1f} s" for k, v in seeding.items()))
            environments = contender_environments(server.base_url, server.api_key, Path(tmp))
            scratch = Path(tmp) / "scratch"
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
                        proxied = proxied_environments(environments, proxy.base_url, Path(tmp))
                        results.update(run_all(extra_plan, latency_reps, proxied, scratch))
                    plan += extra_plan
            server_rss = peak_rss_mb(server.pid)
        print("ingest: today's server vs this checkout's ...", flush=True)
        ingest_sizes = (
            IngestSizes() if not args.quick else IngestSizes(20_000, 5_000, 2_000, 500, 1)
        )
        ingest = run_ingest(Path(tmp) / "ingest", ingest_sizes, args.ingest_base)
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
    document += "\n" + ingest_markdown(ingest, ingest_sizes, args.ingest_base)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    print(document)
    print(f"written to {output}")


if __name__ == "__main__":
    main()
