"""The report document of a run: its header (machine, versions, commit), its notes, and the
whole markdown of ``bench/results/latest.md`` (targets, then each benchmark's table).

    >>> versions_line().startswith("- versions: wandb-typed ")
    True
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from dataset import Sizes
from plans import Benchmark
from report import Series, table
from targets import latency_target_lines, target_lines

ARTIFACT_SECTION = "6. download an artifact (`Artifact.download()`)"


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
