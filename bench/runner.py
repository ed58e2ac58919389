"""Running a plan: a fresh server, the contenders' environments (direct or through the latency proxy), the
artifacts seeded by the official SDK, and every repetition of every benchmark, contenders
alternating, each measurement in a fresh process (``harness.measure``).

    >>> BYTECODE_PACKAGES
    ('wandb_typed', 'wandb')
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from artifact_data import ArtifactsUnsupported, seed_artifacts
from dataset import Sizes
from harness import BenchError, LocalServer, child_environment, measure
from plans import Benchmark, Contender, artifact_specs
from report import Series
from wandb_typed_server.testing.sdk_env import sdk_environment

BYTECODE_PACKAGES = ("wandb_typed", "wandb")
"""Compiled before measuring: both clients read bytecode, as installed from a wheel."""


@contextmanager
def fresh_server() -> Iterator[tuple[LocalServer, Path]]:
    """A ``wandb-typed server`` on a new data dir in a temporary folder, and that folder (for
    scratch files and the SDK's folders); the server stops and the folder goes on exit."""
    with tempfile.TemporaryDirectory(prefix="wandb-typed-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with LocalServer(data_dir) as server:
            print(f"server {server.base_url} (pid {server.pid}); seeding ...", flush=True)
            yield server, Path(tmp)


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
