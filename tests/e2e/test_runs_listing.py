"""``Api.runs`` pagination and laziness, ``Api.run``/``create_run`` and the ``Run`` object,
end to end against the local server with runs logged through the wire, in both flavours
(``Api`` and ``AsyncApi``: the ``api``/``make_api`` fixtures of ``conftest.py``)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from runs_support import ENTITY, OperationSpy

from flavours import Flavour, is_a
from wandb_typed import Api
from wandb_typed.errors import InvalidArgumentError, InvalidPathError, NotFoundError
from wandb_typed.runs import RunUser
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs


def seed(server: RunningServer, project: str, runs: list[SeedRun]) -> None:
    seed_runs(server.base_url, server.api_key, ENTITY, project, runs)


MakeApi = Callable[..., Api]


# -- pagination boundaries -------------------------------------------------------------------


@pytest.fixture(scope="module")
def five_runs(local_server: RunningServer) -> str:
    project = "e2e-runs-five"
    seed(local_server, project, [SeedRun(f"r{i}", config={"i": i}) for i in range(5)])
    return f"{ENTITY}/{project}"


def test_no_results(make_api: MakeApi, five_runs: str) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(five_runs, filters={"config.i": {"$gt": 100}}, per_page=5)
        assert len(runs) == 0
        assert list(runs) == []
        assert not runs
    assert spy.count("GetRunsLight") == 1


def test_exactly_one_page(make_api: MakeApi, five_runs: str) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(five_runs, per_page=5)
        assert [run.id for run in runs] == [f"r{i}" for i in range(5)]
        assert len(runs) == 5
    assert spy.count("GetRunsLight") == 1


def test_one_more_than_a_page(make_api: MakeApi, five_runs: str) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(five_runs, per_page=4)
        assert [run.id for run in runs] == [f"r{i}" for i in range(5)]
        assert [len(page.items) for page in runs.pages()] == [4, 1]
    assert spy.count("GetRunsLight") == 2


def test_indexing_and_slicing(api: Api, five_runs: str) -> None:
    runs = api.runs(five_runs, per_page=2)
    assert runs[3].id == "r3"
    assert runs[-1].id == "r4"
    assert [run.id for run in runs[1:4]] == ["r1", "r2", "r3"]
    with pytest.raises(IndexError):
        runs[5]


@pytest.mark.parametrize("per_page", [0, -1, 2.5, True])
def test_per_page_out_of_bounds(api: Api, five_runs: str, per_page: object) -> None:
    with pytest.raises(InvalidArgumentError, match="per_page"):
        api.runs(five_runs, per_page=per_page)  # type: ignore[arg-type]


def test_per_page_above_the_server_limit_is_served_in_several_requests(
    make_api: MakeApi, local_server: RunningServer
) -> None:
    project = "e2e-runs-per-page-2000"
    seed(local_server, project, [SeedRun(f"big{i:04d}") for i in range(1003)])
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(f"{ENTITY}/{project}", per_page=2000)
        ids = [run.id for run in runs]
    assert ids == [f"big{i:04d}" for i in range(1003)]
    assert spy.count("GetRunsLight") == 2  # 1,000 then 3: the server's limit per request


# -- laziness --------------------------------------------------------------------------------


def test_lazy_page_loads_heavy_fields_once(make_api: MakeApi, five_runs: str) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(five_runs, per_page=3)
        first_page = runs[0:3]
        assert spy.operations == ["GetRunsLight"]
        assert [run.config["i"] for run in first_page] == [0, 1, 2]
        assert first_page[2].summary == {}
        # One request for the page's heavy fields; the next page is now wanted whole.
        assert spy.count("GetRunsHeavyFields") == 1
        assert runs[4].config["i"] == 4
        assert spy.count("GetRunsHeavyFields") == 1
        assert spy.count("GetRuns") == 1
        assert spy.count("GetRunsLight") == 1
        assert spy.count("GetRun") == 0


def test_eager_pages_need_no_more_requests(make_api: MakeApi, five_runs: str) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(five_runs, per_page=5, lazy=False)
        assert [run.config["i"] for run in runs] == [0, 1, 2, 3, 4]
    assert spy.operations == ["GetRuns"]


def test_local_edits_survive_the_lazy_load(api: Api, five_runs: str) -> None:
    run = api.runs(five_runs, per_page=5)[0]
    run.name = "edited locally"
    run.tags = ["kept"]
    assert run.config["i"] == 0
    assert run.name == "edited locally"
    assert run.tags == ["kept"]


def test_a_run_loaded_alone_keeps_its_config_edits_when_its_page_loads(
    api: Api, five_runs: str
) -> None:
    runs = api.runs(five_runs, per_page=5)
    first, second = runs[0], runs[1]
    first.load()
    first.config["i"] = 100
    assert second.config["i"] == 1  # loads the heavy fields of the whole page
    assert first.config["i"] == 100


# -- runs added while paginating -------------------------------------------------------------


@pytest.mark.parametrize("order", ["+created_at", "-created_at", "+config.i"])
def test_runs_added_while_paginating(api: Api, local_server: RunningServer, order: str) -> None:
    project = f"e2e-runs-growing{order.replace('.', '-')}"
    original = [f"old-{i:02d}" for i in range(10)]
    seed(local_server, project, [SeedRun(name, config={"i": i}) for i, name in enumerate(original)])
    seen: list[str] = []
    for index, run in enumerate(api.runs(f"{ENTITY}/{project}", order=order, per_page=3)):
        seen.append(run.id)
        if index == 1:
            added = [SeedRun(f"new-{i}", config={"i": 100 + i}) for i in range(4)]
            seed(local_server, project, added)
    assert len(seen) == len(set(seen)), f"repeated: {seen}"
    assert [name for name in seen if name.startswith("old-")] == (
        original[::-1] if order.startswith("-") else original
    )


# -- one run ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def detailed(local_server: RunningServer) -> str:
    project = "e2e-run-detail"
    seed(
        local_server,
        project,
        [
            SeedRun(
                "detail",
                config={"lr": 0.1, "net": {"depth": 3}, "names": ["a", "b"]},
                history=[{"loss": 1.0 / (step + 1)} for step in range(20)],
                summary={"loss": 0.05, "best": float("nan"), "nested": {"x": 1}},
                tags=["t1", "t2"],
                group="grp",
                job_type="train",
                display_name="Detailed run",
                notes="some notes",
            )
        ],
    )
    return f"{ENTITY}/{project}"


def test_run_fields(api: Api, local_server: RunningServer, detailed: str, flavour: Flavour) -> None:
    before = datetime.now(timezone.utc)
    run = api.run(f"{detailed}/detail")
    assert is_a(run, "Run")
    assert run.id == "detail"
    assert run.name == run.display_name == "Detailed run"
    assert (run.entity, run.project) == (ENTITY, "e2e-run-detail")
    assert run.path == [ENTITY, "e2e-run-detail", "detail"]
    assert run.url == f"{local_server.base_url}/{detailed}/runs/detail"
    assert run.state == "finished"
    assert run.tags == ["t1", "t2"]
    assert (run.group, run.job_type, run.notes) == ("grp", "train", "some notes")
    assert dict(run.config) == {"lr": 0.1, "net": {"depth": 3}, "names": ["a", "b"]}
    assert run.summary["loss"] == 0.05
    assert math.isnan(float(run.summary["best"]))  # type: ignore[arg-type]
    assert run.summary["nested"] == {"x": 1}
    assert isinstance(run.created_at, datetime)
    assert before - timedelta(hours=1) < run.created_at.replace(tzinfo=timezone.utc)
    assert run.heartbeat_at is not None
    assert isinstance(run.user, RunUser)
    assert run.user.username == str(run.user) == ENTITY
    assert run.sweep_name is None
    assert run.storage_id
    assert run.lastHistoryStep == 19
    assert run.history_line_count == 20
    class_name = {"sync": "Run", "async": "AsyncRun"}[flavour]
    assert repr(run) == f"<{class_name} {detailed}/detail (finished)>"


@pytest.mark.parametrize(
    "path", ["e2e-run-detail/detail", "admin/e2e-run-detail/runs/detail", "e2e-run-detail:detail"]
)
def test_run_path_forms(api: Api, detailed: str, path: str) -> None:
    assert api.run(path).id == "detail"


def test_missing_run_is_not_found(api: Api, detailed: str) -> None:
    with pytest.raises(NotFoundError, match=f"run {detailed}/runs/nope not found") as caught:
        api.run(f"{detailed}/nope")
    assert caught.value.kind == "run"
    assert caught.value.path == f"{detailed}/runs/nope"


def test_missing_project_is_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError, match="project admin/no-such-project") as caught:
        list(api.runs("admin/no-such-project"))
    assert caught.value.kind == "project"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("a/b/c/d/e", "got 5 parts"),
        ("admin//detail", "missing project"),
        ("admin/e2e-run-detail/", "missing run id"),
    ],
)
def test_malformed_run_path(api: Api, path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem) as caught:
        api.run(path)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("path", "problem"),
    [("a/b/c/d", "got 4 parts"), ("admin/", "missing project"), ("", "the path is empty")],
)
def test_malformed_project_path(api: Api, path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        api.runs(path)


def test_runs_without_path_or_default_project(api: Api) -> None:
    with pytest.raises(InvalidPathError, match="needs a project path"):
        api.runs()


# -- writing ---------------------------------------------------------------------------------


def test_update_sends_metadata_config_and_summary(api: Api) -> None:
    run = api.create_run(run_id="to-update", project="e2e-run-update", entity=ENTITY)
    run.name = "new name"
    run.tags = ["x"]
    run.tags.append("y")
    run.notes = "written"
    run.group = "g"
    run.job_type = "jt"
    run.config["lr"] = 0.3
    run.config["layers"] = [1, 2]
    run.summary["score"] = 7
    run.update()
    again = api.run(f"{ENTITY}/e2e-run-update/to-update")
    assert (again.name, again.tags, again.notes) == ("new name", ["x", "y"], "written")
    assert (again.group, again.job_type) == ("g", "jt")
    assert dict(again.config) == {"lr": 0.3, "layers": [1, 2]}
    assert dict(again.summary) == {"score": 7}


def test_update_keeps_the_sdk_config_entries(local_server: RunningServer, api: Api) -> None:
    seed(local_server, "e2e-run-raw", [SeedRun("raw", config={"_wandb": {"t": 1}, "lr": 1})])
    run = api.run(f"{ENTITY}/e2e-run-raw/raw")
    assert dict(run.config) == {"lr": 1}
    assert run.rawconfig == {"_wandb": {"t": 1}, "lr": 1}  # every key, unwrapped (as wandb)
    run.config["lr"] = 2
    run.update()
    again = api.run(f"{ENTITY}/e2e-run-raw/raw")
    assert dict(again.config) == {"lr": 2}
    assert again.rawconfig == {"_wandb": {"t": 1}, "lr": 2}
    assert json.loads(again.json_config) == {
        "_wandb": {"value": {"t": 1}, "desc": None},
        "lr": {"value": 2, "desc": None},
    }


def test_updating_a_lazy_run_keeps_its_config(api: Api, five_runs: str) -> None:
    run = api.create_run(run_id="lazy-update", project="e2e-run-lazy-update", entity=ENTITY)
    run.config["kept"] = True
    run.summary["score"] = 1
    run.update()
    listed = api.runs(f"{ENTITY}/e2e-run-lazy-update")[0]
    listed.tags = ["only tags changed"]
    listed.update()
    again = api.run(f"{ENTITY}/e2e-run-lazy-update/lazy-update")
    assert again.tags == ["only tags changed"]
    assert dict(again.config) == {"kept": True}
    assert dict(again.summary) == {"score": 1}


def test_summary_update_writes_at_once(api: Api) -> None:
    run = api.create_run(run_id="summary", project="e2e-run-summary", entity=ENTITY)
    run.summary.update({"loss": 0.25}, acc=0.5)
    assert dict(api.run(f"{ENTITY}/e2e-run-summary/summary").summary) == {
        "loss": 0.25,
        "acc": 0.5,
    }
    del run.summary["acc"]
    run.summary.save()
    assert dict(api.run(f"{ENTITY}/e2e-run-summary/summary").summary) == {"loss": 0.25}


def test_create_run_defaults(make_api: MakeApi) -> None:
    api = make_api(overrides={"project": "e2e-run-default"})
    run = api.create_run()
    assert run.entity == ENTITY
    assert run.project == "e2e-run-default"
    assert len(run.id) == 8
    assert run.state == "running"
    assert dict(run.config) == {}
    assert api.run(run.id).id == run.id


def test_create_run_without_project_goes_to_uncategorized(api: Api) -> None:
    run = api.create_run(run_id="loose")
    assert run.project == "uncategorized"


def test_delete(api: Api) -> None:
    run = api.create_run(run_id="doomed", project="e2e-run-delete", entity=ENTITY)
    run.delete()
    with pytest.raises(NotFoundError):
        api.run(f"{ENTITY}/e2e-run-delete/doomed")
    api.create_run(run_id="doomed-too", project="e2e-run-delete", entity=ENTITY).delete(
        delete_artifacts=True
    )
    assert len(api.runs(f"{ENTITY}/e2e-run-delete")) == 0


def test_load_force_refreshes(api: Api) -> None:
    run = api.create_run(run_id="reload", project="e2e-run-load", entity=ENTITY)
    other = api.run(f"{ENTITY}/e2e-run-load/reload")
    other.tags = ["fresh"]
    other.update()
    run.load()
    assert run.tags == []
    run.load(force=True)
    assert run.tags == ["fresh"]


def test_wait_until_finished(local_server: RunningServer, api: Api) -> None:
    seed(local_server, "e2e-run-wait", [SeedRun("done")])
    run = api.run(f"{ENTITY}/e2e-run-wait/done")
    run.wait_until_finished(poll_seconds=0.01)
    assert run.state == "finished"


# -- runs tables -----------------------------------------------------------------------------


def test_runs_table_as_frames(api: Api, five_runs: str) -> None:
    runs = api.runs(five_runs, per_page=2)
    frame = runs.to_pandas()
    assert list(frame["id"]) == [f"r{i}" for i in range(5)]
    assert list(frame["config.i"]) == [0, 1, 2, 3, 4]
    assert {"name", "state", "created_at"} <= set(frame.columns)
    polars_frame = runs.to_polars()
    assert polars_frame["config.i"].to_list() == [0, 1, 2, 3, 4]
    assert polars_frame["state"].to_list() == ["finished"] * 5
