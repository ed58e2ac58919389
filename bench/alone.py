"""The runs of one benchmark alone (``bench/run.py --only startup|histories|artifact``): each
seeds a fresh server with only what its rows read, measures them and writes its own report.
``--only parquet`` lives in ``bench/parquet_history.py``, ``--only ingest`` in
``bench/ingest.py``.

    >>> HISTORIES_KEYS
    ('sampled', 'sampled-gather')
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import replace
from pathlib import Path

from dataset import Sizes, seed_files, seed_sampled
from document import (
    ARTIFACT_NOTES,
    BYTECODE_NOTE,
    STARTUP_FLOOR_NOTE,
    git_commit,
    machine_lines,
    versions_line,
    write_results,
)
from harness import LatencyProxy, compile_bytecode, peak_rss_mb
from ingest import baseline_source
from plans import Contender, artifact_benchmarks, benchmarks, latency_benchmarks, startup_benchmarks
from report import Summary, table
from runner import (
    BYTECODE_PACKAGES,
    contender_environments,
    fresh_server,
    proxied_environments,
    run_all,
    seed_artifact_data,
)
from targets import latency_target_lines, median_seconds, startup_target_lines


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
    with fresh_server() as (server, tmp):
        seeded = time.perf_counter()
        seed_files(server.base_url, server.api_key, Sizes())
        seeding = {"files": time.perf_counter() - seeded}
        environments = contender_environments(server.base_url, server.api_key, tmp)
        base_src: tuple[Path, ...] = ()
        if base is not None:
            base_src = (baseline_source(base, tmp / "base"),)
            environments["ours_base"] = {
                **environments["ours"],
                "PYTHONPATH": os.pathsep.join(
                    [str(base_src[0]), *filter(None, [os.environ.get("PYTHONPATH")])]
                ),
            }
        scratch = tmp / "scratch"
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
    with fresh_server() as (server, tmp):
        seeding_started = time.perf_counter()
        seed_sampled(server.base_url, server.api_key, sizes)
        seeding = {"sampled": time.perf_counter() - seeding_started}
        environments = contender_environments(server.base_url, server.api_key, tmp)
        scratch = tmp / "scratch"
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
                proxied = proxied_environments(environments, proxy.base_url, tmp)
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
    with fresh_server() as (server, tmp):
        artifacts = seed_artifact_data(server.base_url, server.api_key, sizes, tmp)
        if isinstance(artifacts, str):
            raise SystemExit(f"artifact benchmark skipped: {artifacts}")
        seeded, seconds = artifacts
        plan = artifact_benchmarks(sizes, seeded)
        environments = contender_environments(server.base_url, server.api_key, tmp)
        scratch = tmp / "scratch"
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
