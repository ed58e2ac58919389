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
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from artifact_data import ArtifactsUnsupported, seed_artifacts
from dataset import (
    Sizes,
    seed_everything,
    seed_files,
    seed_sampled,
)
from harness import (
    BenchError,
    LatencyProxy,
    LocalServer,
    child_environment,
    compile_bytecode,
    measure,
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
    Benchmark,
    Contender,
    artifact_benchmarks,
    artifact_specs,
    benchmarks,
    latency_benchmarks,
    proxy_overhead_benchmarks,
    startup_benchmarks,
)
from report import Series, Summary, table
from targets import latency_target_lines, median_seconds, startup_target_lines, target_lines
from wandb_typed_server.testing.sdk_env import sdk_environment

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
QUICK_RESULTS = RESULTS.with_name("quick.md")


ARTIFACT_SECTION = "6. download an artifact (`Artifact.download()`)"


def measure_in_scratch(
    bench: Benchmark, contender: Contender, env: dict[str, str], scratch_root: Path
) -> dict[str, float]:
    """One measurement of a benchmark with ``cache`` set: in a scratch folder of its own
    (``BENCH_SCRATCH``) with an empty ``WANDB_CACHE_DIR`` in it, filled first by an
    unmeasured run of the same contender for ``"warm"``; the folder is deleted after."""
    scratch = Path(tempfile.mkdtemp(prefix=f"{bench.key}-", dir=scratch_root))
    params = {**bench.params, **contender.extra}
    env = {**env, "BENCH_SCRATCH": str(scratch), "WANDB_CACHE_DIR": str(scratch / "cache")}
    try:
        if bench.cache == "warm":
            measure(contender.contender, bench.task, params, env=env)
        return measure(contender.contender, bench.task, params, env=env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_all(
    plan: list[Benchmark],
    reps: int,
    environments: dict[str, dict[str, str]],
    scratch_root: Path,
) -> dict[str, list[Series]]:
    """Every repetition of every benchmark, contenders alternating within each repetition."""
    results = {
        bench.key: [Series(c.label, c.contender) for c in bench.contenders] for bench in plan
    }
    for rep in range(1, reps + 1):
        for bench in plan:
            if bench.max_reps is not None and rep > bench.max_reps:
                continue
            for contender, series in zip(bench.contenders, results[bench.key], strict=True):
                if series.error is not None:
                    continue
                started = time.perf_counter()
                env = environments[contender.contender]
                try:
                    if bench.cache is not None:
                        record = measure_in_scratch(bench, contender, env, scratch_root)
                    else:
                        record = measure(
                            contender.contender,
                            bench.task,
                            {**bench.params, **contender.extra},
                            env=env,
                        )
                except BenchError as exc:
                    series.error = str(exc).splitlines()[0]
                    print(f"  rep {rep} {bench.key} {contender.label}: FAILED {exc}", flush=True)
                    continue
                series.records.append(record)
                print(
                    f"  rep {rep} {bench.key:<15} {contender.label:<38} "
                    f"{record['seconds']:8.3f} s  {record['rss_mb']:6.0f} MB  "
                    f"(wall {time.perf_counter() - started:.1f} s)",
                    flush=True,
                )
    return results


def machine_lines() -> list[str]:
    """CPU, cores, memory, OS and Python of this machine."""
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.1f} GB RAM"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}",
        f"- Python {platform.python_version()}; load average when the report was written: "
        f"{load} (other engineers' test runs share this machine, hence the min-max spread)",
    ]


def versions_line() -> str:
    """Versions of the clients and of what they stand on."""
    names = ["wandb-typed", "wandb", "httpx", "pydantic", "ariadne", "graphql-core", "uvicorn"]
    return "- versions: " + ", ".join(f"{name} {version(name)}" for name in names)


def git_commit() -> str:
    """The commit the benchmark ran on (with ``+dirty`` when the tree has edits)."""
    root = Path(__file__).resolve().parents[1]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src", "bench", ":!bench/results"],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return commit + ("+dirty" if dirty else "")


def write_results(
    plan: list[Benchmark],
    results: dict[str, list[Series]],
    *,
    reps: int,
    sizes: Sizes,
    seeding: dict[str, float],
    server_rss: float | None,
    total_seconds: float,
    notes: list[str],
    artifact_skipped: str | None,
    latency_ms: float | None = None,
) -> str:
    """The markdown document of the run."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks: wandb_typed vs the official client vs the raw-HTTP floor",
        "",
        f"Written by `make bench` (bench/run.py) on {now}, commit {git_commit()}; "
        f"the whole run took {total_seconds / 60:.1f} min.",
        "",
        *machine_lines(),
        versions_line(),
        f"- repetitions: {reps} per contender, contenders alternating within each repetition; "
        "each measurement in a fresh process; times are medians (min-max)",
        "- server: `wandb-typed server` in its own process (SQLite on a temporary data dir), "
        "filled through GraphQL + file_stream in "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seeding.items())
        + (f"; its peak RSS {server_rss:.0f} MB" if server_rss else ""),
        "- **the machine has 2 cores**: the server, the client and (for the official client) "
        "its wandb-core sidecar share them, so every contender pays for the server's CPU, and "
        "the background prefetch of our client overlaps with the server only as far as a "
        "second core is free",
        "- times count only the task (after `Api(...)` is built); peak RSS is the client "
        "process's own (VmHWM), plus the official client's wandb-core sidecar (VmHWM)",
        "- `ours / this` is the ratio of median times: below 1 means ours is faster",
        "",
        *target_lines(results, sizes, artifact_skipped),
        *(latency_target_lines(results, sizes, latency_ms) if latency_ms is not None else []),
        "## Results",
        "",
    ]
    for bench in plan:
        lines += table(bench.title, bench.unit, results[bench.key], columns=bench.columns)
    if artifact_skipped is not None:
        lines += [
            f"### {ARTIFACT_SECTION}",
            "",
            f"artifact benchmark skipped: {artifact_skipped}",
            "",
        ]
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(lines)


NOTES = [
    "The official client's `api.runs()` is lazy by default: touching `config` or `summary` "
    "loads each run with one more request (N+1). `lazy=False` is its best case, shown too.",
    "Our listing is lazy as well: its first page comes without the heavy fields; the first "
    "time one run of a page needs them, one request loads them for the whole page "
    "(`GetRunsHeavyFields`) and the pages after it come whole (`GetRuns`).",
    "The floor posts the same documents our client sends (read from the generated client): "
    "`GetRuns` per page for listing, `GetRunHistoryKeys` then `GetRunHistoryPage` per "
    "window for the scan, sequentially, with `json.loads` of the reply and of config/summary "
    "or each history row, and no models. A client that overlaps requests with decoding "
    "(our read-ahead) can beat it.",
    "The official client is far faster here than the ~750 rows/s users report against W&B's "
    "cloud: on a loopback server, network latency and server-side work are small.",
    "The server was the bottleneck of listing and scanning, so it was made faster for every "
    "client (`wandb_typed_server.graphql.execution`, `wandb_typed_server.storage.history`): graphql-core runs "
    "with an execution context for synchronous resolvers that skips its per-value awaitable "
    "checks, serialises lists of scalars (history rows) in one pass, and completes the plain "
    "fields of dict objects (a run's scalar fields, its user, the edges of a page) without "
    "its per-field machinery; replies are encoded by pydantic-core (a 1,000-run page: about "
    "3x faster than the stdlib's encoder); a listed page reads its runs' history line "
    "counts, last system metrics and history keys with one statement each instead of one "
    "per run; history lines are stored in step order, so a scan window is one contiguous "
    "range of the table.",
    "Import: `wandb_typed.Api` loads no HTTP stack and no models; building the first `Api` "
    "loads httpx, pydantic and the generated client (the `Api()` setup column; 1b shows "
    "what a script pays before its first request). The models of each operation load, and "
    "their validators are built, at its first request, inside the measured time.",
    "1b and this environment: httpx imports its command-line module, and with it `rich` "
    "(about 40-70 ms here), whenever `rich` and `click` are installed. The development "
    "environment has them (import-linter needs them) since the restructuring; a user's "
    "install of wandb-typed does not. Measured by hand on the same machine (best of 8 "
    "fresh processes, import + one `Api(...)`): 293 ms as installed here, 257 ms with `rich` "
    "unimportable, 303 ms for the code of 1543c6f in this same environment.",
    "Our client, for this benchmark: replies, configs, summaries and history rows are read "
    "by pydantic-core's JSON parser (the stdlib's for what it refuses); a run decodes its "
    "config, summary and system metrics when first used; whole pages are read ahead in a "
    "chain, each request sent as soon as the previous reply is in (before it is validated "
    "and decoded), at most 2 ahead; a scan's step windows, known before the first request, "
    "are sent up to 8 at once; `Runs.histories()` reads 10 runs' sampled histories per "
    "request (5,000 rows at samples=500: `project.runs(filters: {name: {$in: [...]}})` "
    "with each run's `history(samples)`), every batch at once, and `AsyncApi` gathers the "
    "`history()` calls of a listing's runs made at once into the same requests (4b and L4 "
    "gather: 5 requests for 50 runs); `Files.download()` fetches 16 files at once; the next "
    "page of a lazy listing "
    "is requested once its first run was used, so it comes whole when the heavy fields "
    "are wanted.",
    "Listing: the lazy default pays one extra request over the floor (the first page light, "
    "then its heavy fields) and validates every run into typed models; read-ahead overlaps "
    "the rest with the server. The floor's spread (min-max) is wide on this shared machine, "
    "so the ratio moves by about 0.1 from one run of the benchmark to the next.",
    "Scan: the server answers the next windows while the client decodes this one; on 2 "
    "cores the server, the client's consumer and its read-ahead threads share the CPU.",
    "Latency pass (L2-L6): every request, GraphQL and file alike, reaches the server 50 ms "
    "after it was sent (`bench/latency_proxy.py`, a TCP proxy in its own process; replies "
    "come back undelayed), which is what a server one 50 ms round trip away adds; the "
    "server hands out file URLs through the proxy too. P3/P5 run through the proxy at 0 ms, "
    "to show its own cost beside the direct 3 and 5. Our bulk calls (`Runs.histories()`, "
    "`Files.download()`) are shown beside the one-by-one loops ported code starts with.",
    "Files: our download writes each file to a temporary file and checks its md5 before the "
    "atomic rename; the official client does neither. Neither fsyncs (ours did until "
    "6524bf2: a sync per file cost more than the transfer of a small one).",
    "4b (gather): the async contender lists the runs (one request), then `asyncio.gather`s "
    "one `history()` per run. A transport spy (`bench/spy.py`: a counter around httpx's own "
    "transport, given as `AsyncApi(transport=...)`/`Api(transport=...)`) records how many "
    "requests were awaiting their reply at once, so a client that serialised them would show "
    "1; every contender's rows are summed into the same check as in 4. Our `AsyncApi` "
    "gathers the 50 calls into 5 requests of 10 runs (the requests column), so the server "
    "samples the same 50 runs with 45 fewer requests to parse, authenticate and answer; on "
    "a loopback server there is no network latency to hide, so gather wins that and the "
    "client's own decoding, overlapped with the server's work on the second core; against a "
    "remote server it also takes one round trip instead of 50.",
]

ARTIFACT_NOTES = [
    "6 (artifacts): the artifacts are logged through the official SDK (`wandb.init`, "
    "`Artifact.add_dir`, `log_artifact(...).wait()`) in a subprocess with its own folders, "
    "deleted afterwards; the bytes are seeded random data (incompressible). Each measurement "
    "gets a new scratch folder with an empty `WANDB_CACHE_DIR` and downloads into a new "
    "folder in it (cold: both clients fill their cache as they go); for 6b an earlier, "
    "unmeasured process of the same client downloaded the artifact first, so 6b's time and "
    "peak RSS are the cached download's alone. Every contender then checks the file count, "
    "the total size and the sha256 of 20 files (inside the measured time, the same for all).",
    "6 (file requests): ours counted by the transport spy (requests other than GraphQL sent "
    "by `download()`, the manifest being loaded before); the official client's by counting "
    "calls of `requests.Session.send` in its process (its GraphQL goes through the wandb-core "
    "sidecar, its files through `requests`). 6c is only the reference of the flat-RSS target.",
    "6a floor (`bench/contender_floor.py`): the version's id (`GetArtifactMembership`) and "
    "its signed URLs (`GetArtifactFiles`, 1,000 a page), then one GET per file on 16 threads "
    "of one `httpx.Client`, each body written to its path: no manifest, no md5, no cache, no "
    "temporary file, no retry. Ours does all of those, so the floor is what the HTTP part "
    "alone costs on this server, not a bound a correct client can reach.",
]


def seed_artifact_data(
    base_url: str, api_key: str, sizes: Sizes, workdir: Path
) -> tuple[dict[str, dict[str, object]], float] | str:
    """The artifacts, logged by the official SDK (its own folders, removed afterwards so
    that no contender finds their bytes in a cache); the reason when that fails."""
    sdk_dir = workdir / "seed-sdk"
    env = sdk_environment(base_url, api_key, sdk_dir)
    try:
        return seed_artifacts(base_url, api_key, artifact_specs(sizes), workdir, env)
    except ArtifactsUnsupported as exc:
        return str(exc)
    finally:
        shutil.rmtree(sdk_dir, ignore_errors=True)


def proxied_environments(
    environments: dict[str, dict[str, str]], base_url: str, tmp: Path
) -> dict[str, dict[str, str]]:
    """The contenders' environments, pointed at ``base_url`` (the latency proxy)."""
    proxied = {name: {**env, "BENCH_BASE_URL": base_url} for name, env in environments.items()}
    api_key = environments["official"]["BENCH_API_KEY"]
    official = sdk_environment(base_url, api_key, tmp / f"sdk-{base_url.rsplit(':', 1)[1]}")
    official.update(BENCH_BASE_URL=base_url, BENCH_API_KEY=api_key)
    proxied["official"] = official
    return proxied


BYTECODE_PACKAGES = ("wandb_typed", "wandb")
"""Compiled before measuring: both clients read bytecode, as installed from a wheel."""

BYTECODE_NOTE = (
    "Both clients run from their bytecode (`__pycache__`), as `pip install` of a wheel leaves "
    "them: the runner compiles `wandb_typed` and `wandb` first (`compileall`). An editable "
    "install under `PYTHONDONTWRITEBYTECODE=1`, as on this machine, otherwise recompiles every "
    "module of ours in each fresh process (about 80 ms of the first `api.run()`); reports "
    "before this note measured that."
)


STARTUP_FLOOR_NOTE = (
    "1c's floor is what any client built on httpx and pydantic pays for a first request and "
    "no more: both imported, one GraphQL POST for the run's name, the reply validated into a "
    "one-field model (pydantic's plugin discovery and a validator build included). In this "
    "environment `import httpx` also imports its command line's `click` and `pygments` "
    "before failing at `rich` (about 12 ms), and pydantic's plugin discovery reads every "
    "installed distribution's entry points. Ours above the floor is what our own code costs."
)


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


def contender_environments(base_url: str, api_key: str, tmp: Path) -> dict[str, dict[str, str]]:
    """Each contender's environment, pointed at the server at ``base_url``."""
    plain = child_environment(base_url, api_key)
    official = sdk_environment(base_url, api_key, tmp / "sdk")
    official.update(BENCH_BASE_URL=base_url, BENCH_API_KEY=api_key)
    return {
        "ours": plain,
        "ours_async": plain,
        "floor": plain,
        "startup_floor": plain,
        "official": official,
    }


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
