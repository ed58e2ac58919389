"""Sampled histories of many runs read several runs per request, end to end, in both flavours:
``Runs.histories`` (one request per batch of runs through the runs connection) and, in
``AsyncApi``, the ``history()`` calls of a listing's runs gathered at once. Every result is
compared with the same run's ``history()`` read alone (``project.run(name)``), which is what
the official client sends; the requests are counted by operation name.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from runs_support import ENTITY, OperationSpy

from flavours import Flavour, Portal, open_api, unwrap
from wandb_typed.errors import NotFoundError
from wandb_typed.runs.history_spec import history_batches
from wandb_typed_server import RequestLimits, RunningServer, start_in_thread
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-histories-batched"
NAMES = ["r0", "r1", "r2", "r3", "r4"]
"""Listed in this order (created in it); r3 logged nothing."""
SAMPLES = 2_500
"""Two runs a request (``HISTORY_ROWS_PER_REQUEST // SAMPLES``): 5 runs take 3 requests."""


def logged(run: int, step: int) -> dict[str, object]:
    row: dict[str, object] = {"loss": 1.0 / (step + 1 + run), "epoch": step // 10}
    if step % 3 == 0:
        row["val"] = {"acc": step / 100, "tags": ["a", run]}
    if step == 7:
        row["loss"] = float("nan")
    if step == 8:
        row["loss"] = float("inf")
    return row


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    """Five runs of 0 to 60 rows (sparse keys, NaN, Infinity, nested values), each with
    system metrics but the empty one."""
    lengths = {"r0": 60, "r1": 25, "r2": 1, "r3": 0, "r4": 40}
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun(name, history=[logged(index, step) for step in range(lengths[name])])
            for index, name in enumerate(NAMES)
        ],
    )
    for index, name in enumerate(NAMES):
        if name == "r3":
            continue
        events = [json.dumps({"_runtime": t, "system.cpu": index + t / 10}) for t in range(12)]
        httpx.post(
            f"{local_server.base_url}/files/{ENTITY}/{PROJECT}/{name}/file_stream",
            json={"files": {"wandb-events.jsonl": {"offset": 0, "content": events}}},
            auth=("api", local_server.api_key),
        ).raise_for_status()


def alone(api: Any, samples: int, **arguments: Any) -> list[dict[str, Any]]:
    """Every run's ``history()`` read alone, in listing order, each row with its run_id."""
    rows: list[dict[str, Any]] = []
    for name in NAMES:
        run = api.run(f"{ENTITY}/{PROJECT}/{name}")
        rows += [
            {**row, "run_id": name}
            for row in run.history(samples=samples, pandas=False, **arguments)
        ]
    return rows


def as_text(rows: object) -> str:
    """Rows as JSON text: they hold NaN, and a NaN equals no other NaN object."""
    return json.dumps(rows)


VARIANTS: dict[str, dict[str, Any]] = {
    "history": {},
    "keys": {"keys": ["loss", "val"], "x_axis": "epoch"},
    "system": {"stream": "system"},
}
OPERATIONS = {
    "history": ("GetRunsHistory", "GetRunHistory"),
    "keys": ("GetRunsSampledHistory", "GetRunSampledHistory"),
    "system": ("GetRunsEvents", "GetRunEvents"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("samples", [SAMPLES, 5])
def test_histories_read_several_runs_per_request(
    make_api: Callable[..., Any], variant: str, samples: int
) -> None:
    spy = OperationSpy()
    api = make_api(spy)
    runs = api.runs(f"{ENTITY}/{PROJECT}", per_page=2)
    rows = runs.histories(samples=samples, **VARIANTS[variant])
    batched, single = OPERATIONS[variant]
    assert spy.count(batched) == len(history_batches(NAMES, samples))
    assert spy.count(single) == 0
    expected = alone(api, samples, **VARIANTS[variant])
    assert spy.count(single) == len(NAMES)
    assert rows  # the comparison below compares something
    assert as_text(rows) == as_text(expected)
    assert [row["run_id"] for row in rows] == [row["run_id"] for row in expected]


def test_histories_as_frames_keep_the_listing_order(make_api: Callable[..., Any]) -> None:
    api = make_api()
    runs = api.runs(f"{ENTITY}/{PROJECT}", order="-created_at", per_page=3)
    frame = runs.histories(samples=SAMPLES, keys=["loss"], format="pandas")
    listed = [run.id for run in runs]
    assert listed == list(reversed(NAMES))
    order = list(dict.fromkeys(frame["run_id"]))
    assert order == [name for name in listed if name != "r3"]


def test_histories_of_a_run_deleted_after_listing(make_api: Callable[..., Any]) -> None:
    api = make_api()
    api.create_run(run_id="doomed", project=f"{PROJECT}-deleted", entity=ENTITY)
    api.create_run(run_id="kept", project=f"{PROJECT}-deleted", entity=ENTITY)
    runs = api.runs(f"{ENTITY}/{PROJECT}-deleted")
    assert sorted(run.id for run in runs) == ["doomed", "kept"]
    api.run(f"{ENTITY}/{PROJECT}-deleted/doomed").delete()
    with pytest.raises(NotFoundError, match="doomed"):
        runs.histories()


def test_histories_refused_together_are_read_alone(
    flavour: Flavour, portal: Portal, tmp_path: Path
) -> None:
    """A server whose cost limit refuses two runs' histories in one request (each alone
    fits): the refused runs are read alone, the results the same."""
    limits = RequestLimits(max_query_cost=4_000)
    with start_in_thread(tmp_path / "data", limits=limits) as server:
        seed_runs(
            server.base_url,
            server.api_key,
            ENTITY,
            PROJECT,
            [SeedRun(name, history=[logged(1, step) for step in range(20)]) for name in "xyz"],
        )
        spy = OperationSpy()
        api = open_api(
            flavour,
            portal,
            api_key=server.api_key,
            overrides={"base_url": server.base_url},
            transport=spy,
        )
        try:
            rows = api.runs(f"{ENTITY}/{PROJECT}").histories(samples=SAMPLES)
            # x and y together are refused (over the cost limit), z alone is not.
            assert spy.count("GetRunsHistory") == 2
            assert spy.count("GetRunHistory") == 2
            expected = [
                {**row, "run_id": name}
                for name in "xyz"
                for row in api.run(f"{ENTITY}/{PROJECT}/{name}").history(
                    samples=SAMPLES, pandas=False
                )
            ]
            assert len(expected) == 60
            assert as_text(rows) == as_text(expected)
        finally:
            api.close()


# -- AsyncApi: history() calls made at once ---------------------------------------------------

ASYNC_ONLY = pytest.mark.parametrize("flavour", ["async"], indirect=True)
"""What is tested is ``asyncio.gather`` of a listing's ``history()`` calls."""


@ASYNC_ONLY
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_gathered_history_calls_share_requests(
    make_api: Callable[..., Any], portal: Portal, variant: str
) -> None:
    spy = OperationSpy()
    api = make_api(spy)
    arguments = VARIANTS[variant]

    async def gathered() -> list[list[dict[str, Any]]]:
        listing = await unwrap(api).runs(f"{ENTITY}/{PROJECT}", per_page=2)
        runs = [run async for run in listing]
        return list(
            await asyncio.gather(
                *(run.history(samples=SAMPLES, pandas=False, **arguments) for run in runs)
            )
        )

    histories = portal.call(gathered)
    batched, single = OPERATIONS[variant]
    assert spy.count(batched) == len(history_batches(NAMES, SAMPLES))
    assert spy.count(single) == 0
    rows = [
        {**row, "run_id": name} for name, got in zip(NAMES, histories, strict=True) for row in got
    ]
    assert rows
    assert as_text(rows) == as_text(alone(api, SAMPLES, **arguments))


@ASYNC_ONLY
def test_gathered_calls_with_other_arguments_and_a_deleted_run(
    make_api: Callable[..., Any], portal: Portal, local_server: RunningServer
) -> None:
    project = f"{PROJECT}-gathered"
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        project,
        [SeedRun(name, history=[logged(1, step) for step in range(30)]) for name in "abc"],
    )
    api = make_api()
    client = unwrap(api)

    async def scenario() -> list[object]:
        listing = await client.runs(f"{ENTITY}/{project}")
        runs = [run async for run in listing]
        await (await client.run(f"{ENTITY}/{project}/b")).delete()
        return list(
            await asyncio.gather(
                runs[0].history(samples=10, pandas=False),
                runs[1].history(samples=10, pandas=False),
                runs[2].history(samples=3, pandas=False),
                runs[0].history(samples=10, keys=["val"], pandas=False),
                runs[0].history(samples=10, pandas=False),  # asked twice: two lists
                return_exceptions=True,
            )
        )

    found = portal.call(scenario)
    assert isinstance(found[1], NotFoundError)
    assert f"{ENTITY}/{project}/runs/b not found" in str(found[1])
    a, c = api.run(f"{ENTITY}/{project}/a"), api.run(f"{ENTITY}/{project}/c")
    expected = [
        a.history(samples=10, pandas=False),
        c.history(samples=3, pandas=False),
        a.history(samples=10, keys=["val"], pandas=False),
    ]
    assert [len(rows) for rows in expected] == [10, 3, 10]
    assert as_text([found[0], found[2], found[3]]) == as_text(expected)
    assert as_text(found[4]) == as_text(found[0])
    assert found[4] is not found[0]


@ASYNC_ONLY
def test_a_lone_history_call_is_sent_as_the_official_client_sends_it(
    make_api: Callable[..., Any], portal: Portal
) -> None:
    spy = OperationSpy()
    api = make_api(spy)

    async def one() -> list[dict[str, Any]]:
        listing = await unwrap(api).runs(f"{ENTITY}/{PROJECT}")
        runs = [run async for run in listing]
        first: list[dict[str, Any]] = await runs[0].history(samples=SAMPLES, pandas=False)
        return first

    rows = portal.call(one)
    assert spy.count("GetRunHistory") == 1
    assert spy.count("GetRunsHistory") == 0
    assert len(rows) == 60
