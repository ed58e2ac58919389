"""``Run.scan_history``: every row exactly once, windows by ``min_step``/``max_step``,
``keys``, and memory that does not grow with the number of rows (100k rows scanned: those
tests are ``slow``), in both flavours (the async one streams through an async iterator)."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

import pytest
from runs_support import ENTITY, OperationSpy

from wandb_typed import Api, Run
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-history-scan"
SHARED_API = True  # one client per flavour: no test here needs a fresh one (conftest.api)
BIG = 100_000
SMALL = 20_000


def logged_row(step: int) -> dict[str, object]:
    row: dict[str, object] = {"loss": step * 0.5, "tag": f"row-{step}"}
    if step % 7 == 0:
        row["every7"] = step
    return row


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    """``small`` (20k rows) and ``tiny`` (25 rows)."""
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun("small", history=[logged_row(step) for step in range(SMALL)]),
            SeedRun("tiny", history=[logged_row(step) for step in range(25)]),
        ],
        batch_lines=20_000,
    )


@pytest.fixture(scope="module")
def big(local_server: RunningServer) -> str:
    """The path of ``big``, a run of 100k rows (seeded only for the ``slow`` tests)."""
    history = [logged_row(step) for step in range(BIG)]
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [SeedRun("big", history=history)],
        batch_lines=20_000,
    )
    return f"{ENTITY}/{PROJECT}/big"


@pytest.mark.slow
def test_every_row_exactly_once_in_order(api: Api, big: str) -> None:
    expected_step = 0
    for row in api.run(big).scan_history(page_size=5000):
        assert row["_step"] == expected_step
        assert row["tag"] == f"row-{expected_step}"
        expected_step += 1
    assert expected_step == BIG


def scan_peak(run: Run, *, keep: bool = False) -> tuple[int, int]:
    """(rows seen, peak traced bytes) while scanning ``run`` with 1,000-step windows; with
    ``keep``, every row is held until the scan ends (what a scan that kept its rows costs)."""
    gc.collect()
    tracemalloc.start()
    try:
        rows = run.scan_history(page_size=1000)
        count = len(list(rows)) if keep else sum(1 for _ in rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.slow
def test_memory_does_not_grow_with_rows(api: Api, big: str) -> None:
    small_run = api.run(f"{ENTITY}/{PROJECT}/small")
    big_run = api.run(big)
    scan_peak(small_run)  # warm caches (imports, connection pool, SQLite pages) before measuring
    small_count, kept_peak = scan_peak(small_run, keep=True)
    big_count, big_peak = scan_peak(big_run)
    assert (small_count, big_count) == (SMALL, BIG)
    # The scan holds at most the windows in flight (WINDOWS_IN_FLIGHT + the one being read,
    # 9,000 rows here) whatever the run's length: streaming five times the rows of the small
    # run costs less than holding the small run's 20,000 rows. A scan that kept its rows
    # would need about five times as much.
    assert big_peak < kept_peak, (kept_peak, big_peak)


def test_windows_by_step(make_api: Callable[..., Api]) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        run = api.run(f"{ENTITY}/{PROJECT}/tiny")
        rows = list(run.scan_history(page_size=4, min_step=3, max_step=13))
    assert [row["_step"] for row in rows] == list(range(3, 13))
    assert spy.count("GetRunHistoryKeys") == 1
    assert spy.count("GetRunHistoryPage") == 3  # [3,7) [7,11) [11,13)


def test_max_step_is_capped_at_the_last_step(api: Api) -> None:
    rows = list(api.run(f"{ENTITY}/{PROJECT}/tiny").scan_history(min_step=20, max_step=10**9))
    assert [row["_step"] for row in rows] == [20, 21, 22, 23, 24]


def test_min_step_past_the_end_is_empty(api: Api) -> None:
    assert list(api.run(f"{ENTITY}/{PROJECT}/tiny").scan_history(min_step=25)) == []


def test_keys_keep_only_rows_with_them(api: Api) -> None:
    rows = list(api.run(f"{ENTITY}/{PROJECT}/tiny").scan_history(keys=["every7"], page_size=3))
    assert rows == [{"_step": step, "every7": step} for step in (0, 7, 14, 21)]


def test_keys_with_window(api: Api) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/small")
    rows = list(run.scan_history(keys=["every7", "loss"], min_step=7, max_step=21, page_size=7))
    assert rows == [
        {"_step": 7, "every7": 7, "loss": 3.5},
        {"_step": 14, "every7": 14, "loss": 7.0},
    ]


def test_keys_over_a_long_run(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/small").scan_history(keys=["every7"], page_size=1000)
    assert [row["every7"] for row in rows] == list(range(0, SMALL, 7))


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"page_size": 0}, "page_size"),
        ({"min_step": "3"}, "min_step"),
        ({"max_step": 2.5}, "max_step"),
        ({"keys": "loss"}, "keys must be a list"),
    ],
)
def test_bad_scan_arguments(api: Api, kwargs: dict[str, object], named: str) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/tiny")
    with pytest.raises(InvalidArgumentError, match=named):
        run.scan_history(**kwargs)  # type: ignore[arg-type]


def test_scan_of_a_deleted_run(api: Api) -> None:
    run = api.create_run(run_id="scan-gone", project=PROJECT, entity=ENTITY)
    run.delete()
    with pytest.raises(NotFoundError, match="scan-gone"):
        list(run.scan_history())
