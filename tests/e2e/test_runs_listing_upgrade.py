"""A lazy ``Api.runs`` listing whose heavy fields are used fetches its later pages whole;
whole pages are read ahead, each requested exactly once (in both flavours: threads for
``Api``, asyncio tasks for ``AsyncApi``)."""

from __future__ import annotations

from collections.abc import Callable

from runs_support import ENTITY, OperationSpy

from wandb_typed import Api
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

MakeApi = Callable[..., Api]


def test_pages_after_a_heavy_load_come_whole(
    local_server: RunningServer, make_api: MakeApi
) -> None:
    project = "e2e-runs-upgrade"
    runs = [SeedRun(f"u{i}", config={"i": i}, summary={"loss": i / 10}) for i in range(8)]
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, project, runs)
    spy = OperationSpy()
    with make_api(spy) as api:
        listed = api.runs(f"{ENTITY}/{project}", per_page=2)
        values = [(run.config["i"], run.summary["loss"]) for run in listed]
    assert values == [(i, i / 10) for i in range(8)]
    # Page 1 comes light, then its heavy fields (the next page is requested once the
    # first run was used, so after the heavy load); pages 2, 3 and 4 come whole.
    assert spy.count("GetRunsLight") == 1
    assert spy.count("GetRunsHeavyFields") == 1
    assert spy.count("GetRuns") == 3
    assert spy.count("GetRun") == 0


def test_a_listing_that_never_needs_heavy_fields_stays_light(
    local_server: RunningServer, make_api: MakeApi
) -> None:
    project = "e2e-runs-stay-light"
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        project,
        [SeedRun(f"l{i}") for i in range(6)],
    )
    spy = OperationSpy()
    with make_api(spy) as api:
        names = [run.id for run in api.runs(f"{ENTITY}/{project}", per_page=2)]
    assert names == [f"l{i}" for i in range(6)]
    assert spy.operations == ["GetRunsLight"] * 3


def test_whole_pages_are_read_ahead_without_extra_requests(
    local_server: RunningServer, make_api: MakeApi
) -> None:
    project = "e2e-runs-read-ahead"
    runs = [SeedRun(f"a{i}", config={"i": i}) for i in range(7)]
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, project, runs)
    spy = OperationSpy()
    with make_api(spy) as api:
        listed = api.runs(f"{ENTITY}/{project}", per_page=2, lazy=False)
        assert [run.config["i"] for run in listed] == list(range(7))
        assert [run.config["i"] for run in listed] == list(range(7))  # cached: no request
    # Each page was requested once (the next one while the current one was being built).
    assert spy.operations == ["GetRuns"] * 4
