"""Ingest: how many history rows per second the server takes in, ours today vs ours now.

Two servers run side by side as child processes, each on a fresh data dir: the one of a
baseline commit (its ``src/`` and ``schema/`` taken with ``git archive``, default the commit
issue 18 was measured on) and the one of this checkout. For each server, in turn:

- raw ``file_stream``: 1 writer, then 8 concurrent writers (threads of this process, one run
  each, one keep-alive connection each), each POSTing its run's history in chunks of 2,000
  rows, bodies encoded before the clock starts (so the writers cost almost nothing);
- the official SDK (wandb==0.31.0): 1, then 8 concurrent processes (each with its own
  wandb-core sidecar), each ``wandb.init`` + N x ``run.log`` + ``finish``;
- reads: every run's history read back page by page through GraphQL ``history(minStep,
  maxStep, samples)`` (how ``scan_history`` reads), timed for the largest raw run, and checked:
  every row exactly once, in step order.

    .venv/bin/python bench/run.py --only ingest [--ingest-base 79e4b2d]
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import httpx

from harness import BenchError, LocalServer
from wandb_typed_server.testing.sdk_env import sdk_environment

BASELINE = "79e4b2d"
REPO = Path(__file__).resolve().parents[1]
CHUNK_ROWS = 2_000
ENTITY = "bench"
READ_PAGE = 1_000

SDK_SCRIPT = """
import sys, time
import wandb
rows, name, project = int(sys.argv[1]), sys.argv[2], sys.argv[3]
run = wandb.init(entity="bench", project=project, id=name, name=name)
for step in range(rows):
    run.log({"loss": 1.0 / (step + 1), "acc": step / rows, "lr": 0.1, "epoch": step // 1000})
run.finish()
"""


@dataclass(frozen=True)
class IngestSizes:
    """Rows per writer of each measurement, and how many times the raw ones are repeated."""

    raw_single: int = 100_000
    raw_each_of_8: int = 25_000
    sdk_single: int = 20_000
    sdk_each_of_8: int = 5_000
    reps: int = 3


@dataclass
class Measured:
    """One server's figures: rows/s per measurement (every repetition), server CPU per row,
    read rows/s, and what the read-back found."""

    label: str
    rates: dict[str, list[float]] = field(default_factory=dict)
    cpu_us_per_row: dict[str, list[float]] = field(default_factory=dict)
    reads: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    written: list[tuple[str, str, int]] = field(default_factory=list)
    """(project, run, rows) of every run written, for the read-back check."""

    def add(self, key: str, rate: float, cpu: float) -> None:
        self.rates.setdefault(key, []).append(rate)
        self.cpu_us_per_row.setdefault(key, []).append(cpu)


def baseline_source(commit: str, into: Path) -> Path:
    """``src/`` and ``schema/`` of ``commit`` extracted under ``into`` (no worktree, no
    change to the repository)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, "src", "schema"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def history_row(step: int) -> str:
    """One history line as the SDK writes it."""
    return json.dumps(
        {
            "loss": 1.0 / (step + 1),
            "acc": step / 100_000,
            "lr": 0.1,
            "epoch": step // 1000,
            "_step": step,
            "_runtime": step * 0.01,
            "_timestamp": 1.7e9 + step * 0.01,
        },
        separators=(",", ":"),
    )


def chunk_bodies(rows: int) -> list[bytes]:
    """The file_stream bodies of a run of ``rows`` rows, ``CHUNK_ROWS`` a body."""
    bodies = []
    for offset in range(0, rows, CHUNK_ROWS):
        lines = [history_row(step) for step in range(offset, min(rows, offset + CHUNK_ROWS))]
        body = {"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}}
        bodies.append(json.dumps(body).encode())
    return bodies


def _graphql(client: httpx.Client, query: str, variables: dict[str, object]) -> dict[str, object]:
    reply = client.post("/graphql", json={"query": query, "variables": variables})
    reply.raise_for_status()
    body = reply.json()
    if body.get("errors"):
        raise BenchError(f"GraphQL errors: {body['errors']}")
    data: dict[str, object] = body["data"]
    return data


def create_runs(client: httpx.Client, project: str, names: list[str]) -> None:
    """The runs, created through upsertBucket as the SDK does."""
    for name in names:
        _graphql(
            client,
            "mutation($e: String, $p: String, $n: String) { upsertBucket(input:"
            " {entityName: $e, modelName: $p, name: $n}) { bucket { id } } }",
            {"e": ENTITY, "p": project, "n": name},
        )


def _parallel(jobs: list[Callable[[], None]]) -> float:
    """Run the jobs in threads started together; the wall time until the last ends."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs) + 1)

    def wrap(job: Callable[[], None]) -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise BenchError(f"a writer failed: {errors[0]!r}")
    return elapsed


def raw_writers(server: LocalServer, project: str, writers: int, rows_each: int) -> float:
    """Rows/s of ``writers`` concurrent raw file_stream writers, one run each."""
    names = [f"raw-{writers}-{index}" for index in range(writers)]
    auth = ("api", server.api_key)
    with httpx.Client(base_url=server.base_url, auth=auth, timeout=600) as client:
        create_runs(client, project, names)
    bodies = chunk_bodies(rows_each)
    clients = [
        httpx.Client(base_url=server.base_url, auth=auth, timeout=600) for _ in range(writers)
    ]

    def writer(client: httpx.Client, name: str) -> Callable[[], None]:
        def post_all() -> None:
            url = f"/files/{ENTITY}/{project}/{name}/file_stream"
            for body in bodies:
                client.post(url, content=body).raise_for_status()

        return post_all

    try:
        elapsed = _parallel([writer(c, n) for c, n in zip(clients, names, strict=True)])
    finally:
        for client in clients:
            client.close()
    return writers * rows_each / elapsed


def sdk_writers(
    server: LocalServer, workdir: Path, project: str, writers: int, rows_each: int
) -> float:
    """Rows/s of ``writers`` concurrent official SDK processes (init + log + finish)."""
    env = sdk_environment(server.base_url, server.api_key, workdir / f"sdk-{writers}")
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "sdk_writer.py"
    script.write_text(SDK_SCRIPT)
    began = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(rows_each), f"sdk-{writers}-{index}", project],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for index in range(writers)
    ]
    failures = []
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            failures.append(err.decode(errors="replace")[-2000:])
    elapsed = time.perf_counter() - began
    if failures:
        raise BenchError(f"an SDK writer failed: {failures[0]}")
    return writers * rows_each / elapsed


def read_back(server: LocalServer, project: str, name: str, rows: int) -> tuple[float, str | None]:
    """Read a run's history page by page (as scan_history does); rows/s and a problem, if the
    steps are not exactly ``0 .. rows - 1`` once each, in order."""
    query = (
        "query($e: String!, $p: String!, $n: String!, $min: Int64, $max: Int64, $s: Int) {"
        " project(name: $p, entityName: $e) { run(name: $n) {"
        " history(minStep: $min, maxStep: $max, samples: $s) } } }"
    )
    steps: list[int] = []
    with httpx.Client(
        base_url=server.base_url, auth=("api", server.api_key), timeout=600
    ) as client:
        began = time.perf_counter()
        for low in range(0, rows, READ_PAGE):
            variables = {"e": ENTITY, "p": project, "n": name, "min": low}
            variables.update(max=low + READ_PAGE, s=READ_PAGE)
            data = _graphql(client, query, variables)
            page = data["project"]["run"]["history"]  # type: ignore[index]
            steps.extend(json.loads(row)["_step"] for row in page)
        elapsed = time.perf_counter() - began
    if steps != list(range(rows)):
        unique = len(set(steps))
        return rows / elapsed, (
            f"{project}/{name}: {len(steps)} rows read, {unique} distinct steps, {rows} written"
        )
    return rows / elapsed, None


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(
    entry: Measured, server: LocalServer, key: str, rows: int, work: Callable[[], float]
) -> None:
    before = server_cpu_seconds(server.pid)
    rate = work()
    entry.add(key, rate, (server_cpu_seconds(server.pid) - before) / rows * 1e6)
    print(f"  {entry.label}: {key}: {rate:,.0f} rows/s", flush=True)


def raw_round(entry: Measured, server: LocalServer, rep: int, sizes: IngestSizes) -> None:
    """One repetition of the raw measurements on one server (fresh runs)."""
    one, eight = f"ingest-raw-1-r{rep}", f"ingest-raw-8-r{rep}"
    _timed(
        entry,
        server,
        "raw file_stream, 1 writer",
        sizes.raw_single,
        lambda: raw_writers(server, one, 1, sizes.raw_single),
    )
    entry.written.append((one, "raw-1-0", sizes.raw_single))
    _timed(
        entry,
        server,
        "raw file_stream, 8 writers",
        8 * sizes.raw_each_of_8,
        lambda: raw_writers(server, eight, 8, sizes.raw_each_of_8),
    )
    entry.written += [(eight, f"raw-8-{i}", sizes.raw_each_of_8) for i in range(8)]


def sdk_round(
    entry: Measured, server: LocalServer, workdir: Path, rep: int, sizes: IngestSizes
) -> None:
    """One repetition of the official SDK measurements on one server (fresh runs)."""
    sdk_dir = workdir / entry.label.split()[0]
    project = f"ingest-sdk-r{rep}"
    _timed(
        entry,
        server,
        "official SDK, 1 writer",
        sizes.sdk_single,
        lambda: sdk_writers(server, sdk_dir, project, 1, sizes.sdk_single),
    )
    entry.written.append((project, "sdk-1-0", sizes.sdk_single))
    _timed(
        entry,
        server,
        "official SDK, 8 writers",
        8 * sizes.sdk_each_of_8,
        lambda: sdk_writers(server, sdk_dir, project, 8, sizes.sdk_each_of_8),
    )
    entry.written += [(project, f"sdk-8-{i}", sizes.sdk_each_of_8) for i in range(8)]


def run_ingest(workdir: Path, sizes: IngestSizes, baseline: str = BASELINE) -> list[Measured]:
    """Both servers side by side, each on its own fresh data dir; every measurement
    alternates between them (the order flips each repetition), so that the load of the
    machine weighs on both alike."""
    old_src = baseline_source(baseline, workdir / "baseline")
    entries = [Measured(f"today ({baseline})"), Measured("now (this checkout)")]
    paths = [old_src, None]
    with contextlib.ExitStack() as stack:
        servers = []
        for entry, pythonpath in zip(entries, paths, strict=True):
            data_dir = workdir / entry.label.split()[0] / "data"
            data_dir.mkdir(parents=True)
            servers.append(stack.enter_context(LocalServer(data_dir, pythonpath=pythonpath)))
        pairs = list(zip(entries, servers, strict=True))
        for rep in range(sizes.reps):
            for entry, server in pairs if rep % 2 == 0 else pairs[::-1]:
                raw_round(entry, server, rep, sizes)
        for rep in range(2):
            for entry, server in pairs if rep % 2 == 0 else pairs[::-1]:
                sdk_round(entry, server, workdir / f"sdk-r{rep}", rep, sizes)
        for rep in range(3):
            for entry, server in pairs if rep % 2 == 0 else pairs[::-1]:
                rate, _ = read_back(server, "ingest-raw-1-r0", "raw-1-0", sizes.raw_single)
                entry.reads.append(rate)
        for entry, server in pairs:
            for project, name, rows in entry.written:
                _, problem = read_back(server, project, name, rows)
                entry.problems += [problem] if problem else []
    return entries


def ingest_markdown(measured: list[Measured], sizes: IngestSizes, baseline: str) -> str:
    """The ingest section of the results."""
    old, new = measured
    median = statistics.median
    lines = [
        "## Ingest: history rows/s into the server, today's server vs now",
        "",
        f"| | today ({baseline}) | now | now / today | server CPU per row, today -> now "
        "| every repetition: today; now |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]

    def each(today: list[float], now: list[float]) -> str:
        return "; ".join(", ".join(f"{rate:,.0f}" for rate in rates) for rates in (today, now))

    for key, old_rates in old.rates.items():
        before, after = median(old_rates), median(new.rates[key])
        cpu_before = median(old.cpu_us_per_row[key])
        cpu_after = median(new.cpu_us_per_row[key])
        lines.append(
            f"| {key} | {before:,.0f} | {after:,.0f} | **{after / before:.2f}x** "
            f"| {cpu_before:.1f} -> {cpu_after:.1f} us | {each(old_rates, new.rates[key])} |"
        )
    read_before, read_after = median(old.reads), median(new.reads)
    lines.append(
        f"| read back: 1 run of {sizes.raw_single:,} rows, pages of {READ_PAGE:,} "
        f"(as scan_history) | {read_before:,.0f} | {read_after:,.0f} "
        f"| **{read_after / read_before:.2f}x** | | {each(old.reads, new.reads)} |"
    )
    lines.append("")
    for entry in measured:
        verdict = (
            f"all {len(entry.written)} runs written read back with every row exactly once"
            if not entry.problems
            else "; ".join(entry.problems)
        )
        lines.append(f"- {entry.label}: {verdict}.")
    lines += [
        "",
        f"Medians of {sizes.reps} repetitions (raw; SDK 2; reads 3). Raw writers: "
        f"threads of the bench, one run and one keep-alive connection each, bodies of "
        f"{CHUNK_ROWS:,} rows encoded before the clock starts; {sizes.raw_single:,} rows "
        f"(1 writer), {sizes.raw_each_of_8:,} rows each (8 writers). SDK writers: processes "
        f"with a wandb-core sidecar each, {sizes.sdk_single:,} rows (1), "
        f"{sizes.sdk_each_of_8:,} rows each (8), from the first process start to the last exit "
        "(init and finish included). Both servers run at once as child processes "
        "(`wandb-typed server`), each on a fresh data dir; measurements alternate between "
        "them, the order flipping each repetition. Server CPU: user + system time of the "
        "server process over the measurement, per row.",
    ]
    return "\n".join(lines) + "\n"


def main_ingest(output: Path, baseline: str = BASELINE, sizes: IngestSizes | None = None) -> str:
    """Measure and write the ingest section alone to ``output``; returns it."""
    chosen = sizes or IngestSizes()
    with tempfile.TemporaryDirectory(prefix="wandb-typed-ingest-") as tmp:
        measured = run_ingest(Path(tmp), chosen, baseline)
    document = "# Ingest benchmark\n\n" + ingest_markdown(measured, chosen, baseline)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document)
    return document
