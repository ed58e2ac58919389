"""A whole history read through Parquet exports vs our own paged ``scan_history``.

One server (``wandb-typed server --history-exports``) on a fresh data dir; one run of
``--parquet-rows`` rows (default 1,000,000: ``loss``, ``acc``, ``lr``, ``epoch``, ``_runtime``,
``_timestamp`` every step, an ``eval`` dict every 100 steps, a NaN now and then) written by
raw ``file_stream`` posts. The export is built first: ``parquetHistory`` asked until it
answers URLs (a request waits up to 10 s for the build, then answers none while it goes on),
timed. Then, each in a fresh interpreter (time and peak RSS are the child's, imports
included):

- ``exports``: ``run.scan_history()`` (the export is cached on the server);
- ``paged``: ``run.scan_history(min_step=0)`` (a step bound keeps our client on pages,
  1,000 steps each, several in flight);
- ``table``: ``run.full_history()``, the whole history as one Arrow table made column by
  column from the exports (rows counted with ``num_rows``);
- ``paged-table``: ``to_arrow(list(run.scan_history(min_step=0)))``, the same table from the
  paged rows (what ``full_history()`` does without exports);
- ``floor``: the export files downloaded into memory with httpx and decoded whole by pyarrow,
  one table each (no merge into one table in step order): the least a table costs;

each timed ``--reps`` times (the reads alternating within a repetition; medians reported)
while only counting rows, then once more unclocked to check identity: the
number of rows and a SHA-256 over every row's JSON text (sorted keys, NaN as a token) must be
the same for both, and one more child builds both tables and compares them (schema and
values, NaN equal to NaN). Every read is timed again through ``bench/latency_proxy.py``
adding ``--latency-ms`` (50) to every request (``--no-latency``: not), each compared with
the paged read at the same delay (the tables also with ``paged-table`` at that delay).

    .venv/bin/python bench/run.py --only parquet [--parquet-rows 1000000] [--latency-ms 50]
        [--no-latency] [--reps N] [--output PATH]
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from harness import BenchError, LatencyProxy, LocalServer, compile_bytecode, peak_rss_mb

ENTITY = "bench"
PROJECT = "parquet-history"
RUN = "long"
CHUNK_ROWS = 20_000

CHILD = """
import hashlib, json, resource, sys, time
from wandb_typed import Api
from wandb_typed.arrow import to_arrow
base_url, api_key, path, mode, check, parquet_query = sys.argv[1:7]


def same_table(a, b):
    import pyarrow as pa
    import pyarrow.compute as pc

    if a.schema != b.schema or a.num_rows != b.num_rows:
        return False
    for name in a.column_names:
        x, y = a.column(name), b.column(name)
        if pa.types.is_floating(x.type):
            if not pc.is_nan(x).equals(pc.is_nan(y)):
                return False
            x, y = pc.if_else(pc.is_nan(x), 0.0, x), pc.if_else(pc.is_nan(y), 0.0, y)
        if not x.equals(y):
            return False
    return True


def floor_rows():
    # The least any reader of these exports does for a table: ask for the URLs, download
    # each file into memory, import pyarrow and decode each file whole; no merge of the files
    # into one table in step order, no type unification.
    import httpx

    entity, project, name = path.split("/")
    variables = {"e": entity, "p": project, "r": name}
    with httpx.Client(base_url=base_url, auth=("api", api_key), timeout=600) as http:
        reply = http.post("/graphql", json={"query": parquet_query, "variables": variables})
        urls = reply.json()["data"]["project"]["run"]["parquetHistory"]["parquetUrls"]
        blobs = [http.get(url).raise_for_status().content for url in urls]
    import pyarrow as pa
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(pa.BufferReader(blob)).read().num_rows for blob in blobs)


with Api(api_key=api_key, overrides={"base_url": base_url}) as api:
    run = api.run(path)
    started = time.perf_counter()
    count, digest, equal = 0, hashlib.sha256(), None
    if mode == "table":
        count = run.full_history().num_rows
    elif mode == "floor":
        count = floor_rows()
    elif mode == "paged-table":
        count = to_arrow(list(run.scan_history(min_step=0))).num_rows
    elif mode == "table-identity":
        table = run.full_history()
        equal = same_table(table, to_arrow(list(run.scan_history(min_step=0))))
        count = table.num_rows
    else:
        rows = run.scan_history(min_step=0) if mode == "paged" else run.scan_history()
        if check == "check":
            for row in rows:
                count += 1
                digest.update(json.dumps(row, sort_keys=True, allow_nan=True).encode())
                digest.update(b"\\n")
        else:
            for _ in rows:
                count += 1
    seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({"seconds": seconds, "rss_mb": rss, "rows": count, "equal": equal,
                              "digest": digest.hexdigest() if check == "check" else None}))
"""

MODES = (
    ("exports", "exports"),
    ("paged", "paged scan_history"),
    ("table", "table"),
    ("paged-table", "paged-table"),
    ("floor", "floor"),
)
"""The timed reads (child mode, label): rows from the exports, rows paged, ``full_history()``
(a table from the exports), ``to_arrow`` of the paged rows (the same table, paged) and the
floor (the export files downloaded and decoded, one table each: see ``floor_rows``)."""


def logged_row(step: int) -> dict[str, object]:
    """The row logged at ``step``."""
    row: dict[str, object] = {
        "_step": step,
        "loss": math.nan if step % 1_000 == 999 else 1.0 / (step + 1),
        "acc": step / 1_000_000,
        "lr": 0.1,
        "epoch": step // 1_000,
        "_runtime": step * 0.01,
        "_timestamp": 1_700_000_000.0 + step * 0.01,
    }
    if step % 100 == 0:
        row["eval"] = {"acc": step / 2_000_000, "loss": 2.0 / (step + 1)}
    return row


def seed(server: LocalServer, rows: int) -> float:
    """Write the run's history through file_stream; the seconds it took."""
    started = time.perf_counter()
    with httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=600) as http:
        reply = http.post(
            "/graphql",
            json={
                "query": "mutation($i: UpsertBucketInput!) { upsertBucket(input: $i) { bucket { id } } }",
                "variables": {"i": {"name": RUN, "entityName": ENTITY, "modelName": PROJECT}},
            },
        )
        if reply.status_code != 200 or reply.json().get("errors"):
            raise BenchError(f"could not create the run: {reply.text[:500]}")
        for start in range(0, rows, CHUNK_ROWS):
            lines = [
                json.dumps(logged_row(step), allow_nan=True)
                for step in range(start, min(rows, start + CHUNK_ROWS))
            ]
            body = {"files": {"wandb-history.jsonl": {"offset": start, "content": lines}}}
            reply = http.post(f"/files/{ENTITY}/{PROJECT}/{RUN}/file_stream", json=body)
            if reply.status_code != 200:
                raise BenchError(f"file_stream: HTTP {reply.status_code} {reply.text[:300]}")
    return time.perf_counter() - started


PARQUET_QUERY = """query($e: String!, $p: String!, $r: String!) {
  project(name: $p, entityName: $e) { run(name: $r) {
    parquetHistory(liveKeys: ["_step"]) { parquetUrls } } } }"""


def build_export(server: LocalServer) -> float:
    """Ask for the run's export until the server has built it; the seconds it took."""
    started = time.perf_counter()
    variables = {"e": ENTITY, "p": PROJECT, "r": RUN}
    with httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=60) as http:
        while time.perf_counter() - started < 1800:
            reply = http.post("/graphql", json={"query": PARQUET_QUERY, "variables": variables})
            body = reply.json()
            if body.get("errors"):
                raise BenchError(f"parquetHistory: {body['errors']}")
            if body["data"]["project"]["run"]["parquetHistory"]["parquetUrls"]:
                return time.perf_counter() - started
    raise BenchError("the export was not built within 30 minutes")


def measure(
    server: LocalServer, mode: str, check: bool, base_url: str | None = None
) -> dict[str, object]:
    """One scan in a fresh interpreter (at ``base_url``, default the server's): its RESULT."""
    command = [
        sys.executable,
        "-c",
        CHILD,
        base_url or server.base_url,
        server.api_key,
        f"{ENTITY}/{PROJECT}/{RUN}",
        mode,
        "check" if check else "count",
        PARQUET_QUERY,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    aborted = line is not None and _aborted_at_exit(proc.returncode, proc.stderr)
    if (proc.returncode != 0 and not aborted) or line is None:
        raise BenchError(f"{mode} scan failed: {proc.stdout[-1000:]} {proc.stderr[-3000:]}")
    result: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    result["aborted_at_exit"] = aborted
    return result


def _aborted_at_exit(returncode: int, stderr: str) -> bool:
    """Whether a child that printed its RESULT then died in interpreter teardown with
    pyarrow's ``std::terminate`` (apache/arrow#34314: a Parquet reader thread still joinable
    at exit, now and then): its measurement stands, and the report counts such exits."""
    return returncode in (-6, 134) and "terminate called without an active exception" in stderr


@dataclass(frozen=True)
class ParquetResult:
    """The measurements of one run of this benchmark."""

    rows: int
    reps: int
    seed_seconds: float
    build_seconds: float
    timed: dict[str, list[dict[str, object]]]
    """Each read's measurements, one per repetition."""
    checked: dict[str, dict[str, object]]
    server_rss_mb: float | None


def run_parquet(tmp: Path, rows: int, latency_ms: float = 50.0, reps: int = 3) -> ParquetResult:
    """Seed a server with exports on, build the export, then time the reads ``reps`` times
    each (the modes alternating within a repetition) and check them once."""
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True)
    with LocalServer(data_dir, extra_args=["--history-exports"]) as server:
        print(f"parquet: seeding {rows:,} rows ...", flush=True)
        seeded = seed(server, rows)
        print("parquet: building the export ...", flush=True)
        built = build_export(server)
        timed: dict[str, list[dict[str, object]]] = {}
        for rep in range(reps):
            for mode, label in MODES:
                print(f"parquet: {label} ({rep + 1}/{reps}) ...", flush=True)
                timed.setdefault(label, []).append(measure(server, mode, check=False))
        if latency_ms:
            with LatencyProxy(server.base_url, latency_ms) as proxy:
                for rep in range(reps):
                    for mode, label in MODES:
                        label = f"{label}, {latency_ms:g} ms per request"
                        print(f"parquet: {label} ({rep + 1}/{reps}) ...", flush=True)
                        record = measure(server, mode, check=False, base_url=proxy.base_url)
                        timed.setdefault(label, []).append(record)
        checked = {mode: measure(server, mode, check=True) for mode in ("exports", "paged")}
        print("parquet: table identity ...", flush=True)
        checked["table-identity"] = measure(server, "table-identity", check=True)
        server_rss = peak_rss_mb(server.pid)
    return ParquetResult(rows, reps, seeded, built, timed, checked, server_rss)


def _seconds(records: list[dict[str, object]]) -> list[float]:
    return [float(str(record["seconds"])) for record in records]


def _floor_sentence(paged: float, table: float, floor: float) -> str:
    """What the floor leaves of the 10x budget (``paged`` / 10) for merging the files."""
    budget = paged / 10
    left = budget - floor
    return (
        f"Floor: downloading and decoding the files alone takes {floor:.2f} s ({paged / floor:.1f}x"
        f" the paged read); 10x is {budget:.2f} s, which leaves {left * 1000:.0f} ms to merge"
        f" the files (one per row shape) into one table in step order and type its columns;"
        f" `full_history()` spends {(table - floor) * 1000:.0f} ms on that."
    )


def parquet_markdown(result: ParquetResult) -> str:
    """The benchmark's section of a results document."""
    lines = [
        f"## Whole history through Parquet exports ({result.rows:,} rows, one run)",
        "",
        f"Seeded through raw file_stream in {result.seed_seconds:.1f} s. Each read in a fresh"
        " interpreter running our package from its bytecode, as a wheel installs it (imports in"
        " it included: `full_history()` imports pyarrow), counting rows"
        f" only; {result.reps} repetitions, the reads alternating within each; times are"
        " medians (min-max) and ratios are of medians; peak RSS is the client process's, the"
        " largest of the repetitions. The server's peak RSS over the whole benchmark (ingest,"
        f" export build, reads): {result.server_rss_mb or 0:.0f} MB. The server built the"
        f" export in {result.build_seconds:.1f} s.",
        "",
        "- `exports`: `run.scan_history()`, a dict per row, read from the exports;"
        " `paged scan_history`: `run.scan_history(min_step=0)`, a dict per row, paged;"
        " `table`: `run.full_history()`, one Arrow table from the exports;"
        " `paged-table`: `to_arrow(list(run.scan_history(min_step=0)))`, the same table"
        " from the pages; `floor`: the least any reader of these exports does for a table"
        " (ask for their URLs, download each file into memory with httpx, import pyarrow,"
        " decode each file whole: one table per file, not merged into one in step order).",
        "",
        "| read | time (s), median (min-max) | rows/s | peak RSS (MB) | rows | vs paged |"
        " vs paged-table |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    medians = {
        label: statistics.median(_seconds(records)) for label, records in result.timed.items()
    }
    for label, records in result.timed.items():
        seconds = medians[label]
        spread = _seconds(records)
        count = int(str(records[0]["rows"]))
        rss = max(float(str(record["rss_mb"])) for record in records)
        delay = label.partition(", ")[2]
        suffix = f", {delay}" if delay else ""
        base = medians[f"paged scan_history{suffix}"]
        same_output = ""
        if label.startswith("table"):
            same_output = f"{medians[f'paged-table{suffix}'] / seconds:.1f}x"
        lines.append(
            f"| {label} | {seconds:.2f} ({min(spread):.2f}-{max(spread):.2f}) |"
            f" {count / seconds:,.0f} | {rss:.0f} | {count:,} | {base / seconds:.1f}x |"
            f" {same_output} |"
        )
    ratio = medians["paged scan_history"] / medians["table"]
    peak = max(float(str(record["rss_mb"])) for record in result.timed["table"])
    aborts = {
        label: sum(1 for record in records if record.get("aborted_at_exit"))
        for label, records in result.timed.items()
    }
    lines += [
        "",
        "Children that printed their result, then aborted in interpreter teardown with"
        " pyarrow's `terminate called without an active exception` (apache/arrow#34314, a"
        " Parquet reader thread still joinable at exit; their times stand): "
        + (", ".join(f"{label} {n}" for label, n in aborts.items() if n) or "none")
        + ".",
        "",
        "Target: the whole history through Parquet exports at least 10x faster than our own"
        f" paged `scan_history`, peak RSS under 300 MB: `full_history()` {ratio:.1f}x,"
        f" {peak:.0f} MB ({'met' if ratio >= 10 and peak < 300 else '**not met**'}); as a"
        " dict per row (`scan_history()` from the exports, no target of its own):"
        f" {medians['paged scan_history'] / medians['exports']:.1f}x.",
        "",
        _floor_sentence(medians["paged scan_history"], medians["table"], medians["floor"]),
    ]
    rows_checked = {m: r for m, r in result.checked.items() if m in ("exports", "paged")}
    digests = {mode: record["digest"] for mode, record in rows_checked.items()}
    counts = {mode: record["rows"] for mode, record in rows_checked.items()}
    same = len(set(digests.values())) == 1 and len(set(counts.values())) == 1
    identity = result.checked["table-identity"]
    same_table = identity["equal"] is True and identity["rows"] == counts["paged"]
    lines += [
        "",
        "Identity (a second, unclocked read of each, hashing every row's JSON with sorted keys):"
        f" exports {counts['exports']:,} rows sha256 {str(digests['exports'])[:16]}...,"
        f" paged {counts['paged']:,} rows sha256 {str(digests['paged'])[:16]}... ->"
        f" {'identical' if same else 'DIFFERENT'}.",
        "",
        "Table identity (one more unclocked child builds both tables: `run.full_history()`"
        " from the exports and `to_arrow(list(run.scan_history(min_step=0)))` from the pages,"
        " compared column by column, schema included, NaN equal to NaN):"
        f" {int(str(identity['rows'])):,} rows ->"
        f" {'equal' if same_table else 'DIFFERENT'}.",
        "",
    ]
    if not same:
        raise BenchError("\n".join(lines) + "\nthe exports and the pages differ")
    if not same_table:
        raise BenchError("\n".join(lines) + "\nfull_history() and the paged table differ")
    return "\n".join(lines)


def main_parquet(output: Path, rows: int, latency_ms: float = 50.0, reps: int = 3) -> str:
    """Run the benchmark alone and write its section to ``output`` (``latency_ms``: also
    through the latency proxy adding that much to every request; 0: not), each read timed
    ``reps`` times."""
    import tempfile

    compile_bytecode("wandb_typed")  # run from bytecode, as a wheel is (see compile_bytecode)
    with tempfile.TemporaryDirectory(prefix="wandb-typed-parquet-") as tmp:
        document = parquet_markdown(run_parquet(Path(tmp), rows, latency_ms, reps))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("# Parquet history exports\n\n" + document)
    return document
