"""The fault suite: listings, scans, histories, run-file and artifact downloads through a
flaky network (``tests/faults.py``: 429 with ``Retry-After``, 5xx, resets before and
mid-body, timeouts, lost replies) to the real local server, in both flavours, each compared
with a fault-free read; and the API key, looked for in everything each error the client
raises can reach.

Settings are the defaults (``max_retries``, the time budget) except the backoff waits, made
a few milliseconds through the transport's ``RetryPolicy`` so the suite stays fast.
Twenty seeds of every workload are ``slow``; one seed runs in ``make test-fast``.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from faults import FAULTS, FaultInjector, key_forms, secrets_reachable
from flavours import Flavour, is_bridged, sync_only, unwrap
from wandb_typed import ArtifactDraft
from wandb_typed._constants import DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BUDGET
from wandb_typed.errors import WandbTypedError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

ENTITY = "admin"
PROJECT = "e2e-faults"
RATE = 0.3
SEED = 2
RUNS = 24
FILES = {
    "config.yaml": b"lr: 0.1\n" * 40,
    "media/a.bin": bytes(range(256)) * 64,
    "media/b.bin": hashlib.sha256(b"b").digest() * 500,
    "notes.txt": b"notes\n" * 300,
}
ARTIFACT_FILES = {
    "train.csv": b"x,y\n" + b"1,2\n" * 2000,
    "images/a.png": bytes(range(256)) * 32,
    "images/b.png": bytes(reversed(range(256))) * 32,
}


def rows(run: int, count: int) -> list[dict[str, object]]:
    return [{"loss": 1.0 / (step + 1 + run), "tag": f"r{run}-{step}"} for step in range(count)]


@pytest.fixture(scope="module")
def world(local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``RUNS`` runs with config and history (run 0: 2,000 rows), run-files on ``with-files``,
    and an artifact ``data:v0``; returns the artifact's path."""
    seeded = [
        SeedRun(
            f"run-{index:02d}",
            config={"lr": index / 100, "layers": index % 4},
            history=rows(index, 2000 if index == 0 else 40),
        )
        for index in range(RUNS)
    ]
    seeded.append(SeedRun("with-files", files=FILES))
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, PROJECT, seeded)
    from wandb_typed import Api

    folder = tmp_path_factory.mktemp("artifact-source")
    for name, data in ARTIFACT_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    with Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url}) as api:
        run = api.create_run(project=PROJECT, entity=ENTITY)
        draft = ArtifactDraft("data", type="dataset")
        draft.add_dir(folder)
        run.log_artifact(draft)
    return f"{ENTITY}/{PROJECT}/data:v0"


# -- the workloads -------------------------------------------------------------------------


def listing(api: Any, artifact: str, folder: Path) -> object:
    runs = api.runs(f"{ENTITY}/{PROJECT}", per_page=5, order="+created_at")
    return [(run.id, run.name, run.state, dict(run.config)) for run in runs]


def scan(api: Any, artifact: str, folder: Path) -> object:
    run = api.run(f"{ENTITY}/{PROJECT}/run-00")
    return list(run.scan_history(page_size=200))


def histories(api: Any, artifact: str, folder: Path) -> object:
    return [
        api.run(f"{ENTITY}/{PROJECT}/run-{index:02d}").history(samples=500, pandas=False)
        for index in range(1, 6)
    ]


def runs_histories(api: Any, artifact: str, folder: Path) -> object:
    """Every run's sampled history through ``Runs.histories`` (several runs a request)."""
    return api.runs(f"{ENTITY}/{PROJECT}", per_page=10).histories(samples=500)


def file_downloads(api: Any, artifact: str, folder: Path) -> object:
    run = api.run(f"{ENTITY}/{PROJECT}/with-files")
    for file in run.files():
        file.download(root=folder / "one-by-one", replace=True)
    run.files().download(root=folder / "all-at-once", replace=True)
    return (tree(folder / "one-by-one"), tree(folder / "all-at-once"))


def artifact_download(api: Any, artifact: str, folder: Path) -> object:
    root = api.artifact(artifact).download(root=folder / "artifact", skip_cache=True)
    return tree(Path(root))


WORKLOADS: dict[str, Callable[[Any, str, Path], object]] = {
    "listing": listing,
    "scan": scan,
    "histories": histories,
    "runs_histories": runs_histories,
    "file_downloads": file_downloads,
    "artifact_download": artifact_download,
}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden temporary files included: none may be left)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- the faulty client ---------------------------------------------------------------------


def real_transport(flavour: Flavour) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
    return httpx.HTTPTransport() if flavour == "sync" else httpx.AsyncHTTPTransport()


def fast_backoff(api: Any) -> Any:
    """The default retry count and time budget, with millisecond backoff waits."""
    transport = unwrap(api).transport if is_bridged(api) else api.transport
    policy = transport.retry_policy
    assert (policy.max_retries, policy.budget) == (DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BUDGET)
    transport.retry_policy = dataclasses.replace(policy, initial_delay=0.002, max_delay=0.01)
    return api


@pytest.fixture
def faulty(
    flavour: Flavour, make_api: Callable[..., Any]
) -> Callable[..., tuple[Any, FaultInjector]]:
    def make(seed: int = SEED, rate: float = RATE, **options: Any) -> tuple[Any, FaultInjector]:
        injector = FaultInjector(real_transport(flavour), rate=rate, seed=seed)
        return make_api(injector, **options), injector

    return make


@pytest.fixture(scope="module")
def expected(
    world: str, local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """Every workload's result, read without faults (the sync client: the reference)."""
    from wandb_typed import Api

    folder = tmp_path_factory.mktemp("fault-free")
    with Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url}) as api:
        return {name: work(api, world, folder / name) for name, work in WORKLOADS.items()}


def test_the_fault_free_reads_are_what_was_written(expected: dict[str, object]) -> None:
    listed = expected["listing"]
    assert isinstance(listed, list)
    assert len(listed) == RUNS + 2
    assert [run_id for run_id, _, _, _ in listed[:RUNS]] == [f"run-{i:02d}" for i in range(RUNS)]
    assert len(expected["scan"]) == 2000  # type: ignore[arg-type]
    assert expected["file_downloads"] == (FILES, FILES)
    assert expected["artifact_download"] == ARTIFACT_FILES


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_each_workload_completes_and_matches_at_30_percent_faults(
    workload: str,
    faulty: Callable[..., tuple[Any, FaultInjector]],
    world: str,
    expected: dict[str, object],
    tmp_path: Path,
) -> None:
    api, injector = faulty()
    fast_backoff(api)
    assert WORKLOADS[workload](api, world, tmp_path) == expected[workload]
    # The faults really happened, and the requests really reached the server.
    assert sum(injector.injected.values()) > 0
    assert injector.reached_server > 0


def test_every_kind_of_fault_is_survived(
    faulty: Callable[..., tuple[Any, FaultInjector]],
    world: str,
    expected: dict[str, object],
    tmp_path: Path,
) -> None:
    """All workloads on one client: every kind of fault is injected, none is fatal."""
    api, injector = faulty()
    fast_backoff(api)
    for name, work in WORKLOADS.items():
        assert work(api, world, tmp_path / name) == expected[name], name
    assert set(injector.injected) == set(FAULTS), injector.injected
    assert 0.2 < sum(injector.injected.values()) / injector.attempts < 0.4, injector.injected


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_twenty_seeds_of_every_workload(
    seed: int,
    faulty: Callable[..., tuple[Any, FaultInjector]],
    world: str,
    expected: dict[str, object],
    tmp_path: Path,
) -> None:
    api, _ = faulty(seed=seed)
    fast_backoff(api)
    for name, work in WORKLOADS.items():
        assert work(api, world, tmp_path / name) == expected[name], (seed, name)


# -- the key in errors ---------------------------------------------------------------------


def raised_errors(
    faulty: Callable[..., tuple[Any, FaultInjector]], world: str, folder: Path
) -> Iterator[tuple[str, str, WandbTypedError]]:
    """``(fault, operation, error)`` for every fault kind and operation, with no retries."""
    for kind in FAULTS:
        api, injector = faulty(rate=0.0, max_retries=0)
        injector.kinds = (kind,)
        run = api.run(f"{ENTITY}/{PROJECT}/with-files")
        file = next(iter(run.files()))
        artifact = api.artifact(world)
        operations: dict[str, Callable[[], object]] = {
            "graphql": lambda api=api: api.run(f"{ENTITY}/{PROJECT}/run-01").config,
            "listing": lambda api=api: list(api.runs(f"{ENTITY}/{PROJECT}", per_page=7)),
            "file": lambda file=file, to=folder / kind: file.download(root=to, replace=True),
            "artifact": lambda a=artifact, to=folder / f"a-{kind}": a.download(
                root=to, skip_cache=True
            ),
        }
        injector.rate = 1.0
        for operation, call in operations.items():
            with pytest.raises(WandbTypedError) as info:
                call()
            yield kind, operation, info.value
            del info


def test_no_error_holds_the_key(
    faulty: Callable[..., tuple[Any, FaultInjector]],
    world: str,
    local_server: RunningServer,
    tmp_path: Path,
) -> None:
    secrets = key_forms(local_server.api_key)
    checked: list[str] = []
    for kind, operation, error in raised_errors(faulty, world, tmp_path):
        assert secrets_reachable(error, secrets) == [], (kind, operation, type(error).__name__)
        for secret in secrets:
            assert secret not in str(error)
            assert secret not in repr(error)
        checked.append(f"{kind}/{operation}:{type(error).__name__}")
    assert len(checked) == len(FAULTS) * 4, checked
    # No partial file was left by a failed download.
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@sync_only  # plain httpx, no client of ours: nothing differs between the flavours
def test_the_walk_finds_a_key_where_there_is_one(local_server: RunningServer) -> None:
    """The walk is not blind: an httpx error from a request made with the key holds it
    (what the client's errors kept in ``__context__`` before)."""
    secrets = key_forms(local_server.api_key)
    auth = httpx.BasicAuth("api", local_server.api_key)
    injector = FaultInjector(httpx.HTTPTransport(), rate=1.0, kinds=["reset"])
    with httpx.Client(transport=injector) as client, pytest.raises(httpx.ConnectError) as info:
        client.get(f"{local_server.base_url}/graphql", auth=auth)
    try:
        raise RuntimeError("wrapped") from info.value
    except RuntimeError as wrapped:
        found = secrets_reachable(wrapped, secrets)
    assert found
    assert all(path.startswith("error.__cause__.") for path in found), found


@pytest.mark.slow
def test_no_error_after_retries_holds_the_key(
    faulty: Callable[..., tuple[Any, FaultInjector]],
    world: str,
    local_server: RunningServer,
    tmp_path: Path,
) -> None:
    """The errors raised once one retry is not enough (some after a download resumed)."""
    secrets = key_forms(local_server.api_key)
    kinds: Counter[str] = Counter()
    leaks: list[str] = []
    for seed in range(12):
        api, _ = faulty(seed=seed, rate=0.5, max_retries=1)
        fast_backoff_any(api)
        for name, work in WORKLOADS.items():
            try:
                work(api, world, tmp_path / f"{seed}-{name}")
            except WandbTypedError as error:
                # Walked at once, not kept: an error keeps its frames, and with them the
                # abandoned iterators of the async flavour, alive past the event loop.
                kinds[type(error).__name__] += 1
                leaks.extend(secrets_reachable(error, secrets))
        gc.collect()
    assert sum(kinds.values()) >= 20, kinds
    assert {"TransportError", "ServerError", "RateLimitError", "TimeoutError"} <= set(kinds), kinds
    assert leaks == []


def fast_backoff_any(api: Any) -> None:
    """Millisecond backoff waits whatever the retry count."""
    transport = unwrap(api).transport if is_bridged(api) else api.transport
    transport.retry_policy = dataclasses.replace(
        transport.retry_policy, initial_delay=0.002, max_delay=0.01
    )
