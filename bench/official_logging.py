"""Benchmark the local server with the official SDK (wandb==0.31.0). Not a test.

1. Time for ``wandb.init`` + N x ``run.log`` (several keys) + ``finish`` through the SDK
   (default N = 10,000), and a check that every row arrived.
2. Time for ``wandb.Api().runs(...)`` to list M runs (default 1,000, seeded through the wire
   protocol) and read each run's ``config``.
Optionally (``--seed-scale``) the time to seed 10,000 runs and one run of 200,000 history
rows, runs page 1 vs page 900, and the SDK's ``scan_history`` over the 200,000 rows.

Each SDK part runs in a subprocess with its own wandb-core sidecar.

    .venv/bin/python bench/official_logging.py [--rows 10000] [--runs 1000] [--per-page 50]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.seed import SeedRun, seed_runs

LOG_SCRIPT = """
import json, sys, time
import wandb
rows = int(sys.argv[1])
started = time.perf_counter()
run = wandb.init(entity="bench", project="logging", config={"lr": 0.1, "model": {"depth": 4}})
initialised = time.perf_counter()
for step in range(rows):
    run.log({"loss": 1.0 / (step + 1), "acc": step / rows, "lr": 0.1, "epoch": step // 1000})
logged = time.perf_counter()
run_id = run.id
run.finish()
finished = time.perf_counter()
print("RESULT " + json.dumps({"id": run_id, "init": initialised - started,
      "log": logged - initialised, "finish": finished - logged, "total": finished - started}))
"""

LIST_SCRIPT = """
import json, sys, time
import wandb
per_page = int(sys.argv[1])
started = time.perf_counter()
api = wandb.Api(timeout=120)
runs = api.runs("bench/listing", per_page=per_page)
configs = [run.config for run in runs]
elapsed = time.perf_counter() - started
print("RESULT " + json.dumps({"runs": len(configs), "seconds": elapsed,
      "with_config": sum(1 for c in configs if c.get("index") is not None)}))
"""

SCAN_SCRIPT = """
import json, time
import wandb
started = time.perf_counter()
rows = sum(1 for _ in wandb.Api(timeout=120).run("bench/scale/long").scan_history())
print("RESULT " + json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))
"""


def run_sdk(script: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run an SDK script in a subprocess and return its RESULT line."""
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, check=False
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"SDK script failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


def history_line_count(server: RunningServer, project: str, run: str) -> int:
    """historyLineCount of a run, read over GraphQL."""
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={
            "query": 'query($p: String!, $r: String!) { project(name: $p, entityName: "bench")'
            " { run(name: $r) { historyLineCount } } }",
            "variables": {"p": project, "r": run},
        },
        auth=("api", server.api_key),
        timeout=60,
    )
    count: int = response.json()["data"]["project"]["run"]["historyLineCount"]
    return count


PAGE_QUERY = """query($after: String, $first: Int) {
  project(name: "scale", entityName: "bench") {
    runs(first: $first, after: $after, order: "+created_at") {
      edges { node { name config } } pageInfo { endCursor hasNextPage } } } }"""


def page_timings(
    server: RunningServer, project: str, per_page: int, pages: int
) -> tuple[float, float]:
    """Walk ``pages`` pages; mean seconds of the first 10 and of the last 10 requests."""
    durations: list[float] = []
    after = None
    with httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=60) as client:
        for _ in range(pages):
            started = time.perf_counter()
            response = client.post(
                "/graphql",
                json={"query": PAGE_QUERY, "variables": {"after": after, "first": per_page}},
            )
            durations.append(time.perf_counter() - started)
            after = response.json()["data"]["project"]["runs"]["pageInfo"]["endCursor"]
    return sum(durations[:10]) / 10, sum(durations[-10:]) / 10


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--seed-scale", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_in_thread(Path(tmp) / "data") as server:
        env = sdk_environment(server.base_url, server.api_key, Path(tmp) / "work")

        logged = run_sdk(LOG_SCRIPT, env, str(args.rows))
        arrived = history_line_count(server, "logging", logged["id"])
        print(
            f"official SDK, {args.rows:,} history rows: total {logged['total']:.2f} s"
            f" (init {logged['init']:.2f} s, log loop {logged['log']:.2f} s,"
            f" finish {logged['finish']:.2f} s); rows stored: {arrived:,}"
        )

        started = time.perf_counter()
        seed_runs(
            server.base_url,
            server.api_key,
            "bench",
            "listing",
            [
                SeedRun(f"run-{i:05d}", config={"index": i, "lr": i / 1000})
                for i in range(args.runs)
            ],
        )
        print(f"seeded {args.runs:,} runs over the wire in {time.perf_counter() - started:.2f} s")
        listed = run_sdk(LIST_SCRIPT, env, str(args.per_page))
        print(
            f"official wandb.Api, list {listed['runs']:,} runs with config"
            f" (per_page={args.per_page}): {listed['seconds']:.2f} s"
            f" ({listed['with_config']:,} configs read)"
        )

        if args.seed_scale:
            started = time.perf_counter()
            many = [SeedRun(f"s-{i:05d}", config={"i": i}) for i in range(10_000)]
            seed_runs(server.base_url, server.api_key, "bench", "scale", many)
            print(f"seeded 10,000 runs in {time.perf_counter() - started:.2f} s")
            first_pages, late_pages = page_timings(server, "scale", per_page=11, pages=900)
            print(
                f"runs page of 11 (of 10,000, +created_at): pages 1-10 {first_pages * 1000:.2f} ms,"
                f" pages 891-900 {late_pages * 1000:.2f} ms (mean server round trip)"
            )
            started = time.perf_counter()
            long_run = SeedRun(
                "long", history=[{"loss": 1 / (s + 1), "s": s} for s in range(200_000)]
            )
            seed_runs(server.base_url, server.api_key, "bench", "scale", [long_run])
            print(
                f"seeded one run of 200,000 history rows in {time.perf_counter() - started:.2f} s"
            )
            scanned = run_sdk(SCAN_SCRIPT, env)
            print(
                f"official wandb.Api, scan_history of {scanned['rows']:,} rows:"
                f" {scanned['seconds']:.2f} s"
            )


if __name__ == "__main__":
    main()
