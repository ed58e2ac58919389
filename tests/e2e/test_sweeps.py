"""Sweeps end to end: a sweep created and worked through the agent protocol (raw GraphQL,
as the SDK's agent sends it) against the local server, then read with ``Api.sweep``,
``Project.sweeps``, ``Run.sweep`` and ``from_path``, in both flavours.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import yaml
from sweeps_support import (
    ENTITY,
    UPSERT_BUCKET,
    UPSERT_SWEEP,
    GraphQLFailed,
    create_agent,
    create_sweep,
    finish_run,
    graphql,
    heartbeat,
    log_history,
    run_agent,
)

from flavours import is_a
from wandb_typed import Api
from wandb_typed.errors import InvalidPathError, NotFoundError
from wandb_typed_server import RunningServer

GRID = {
    "method": "grid",
    "name": "grid-search",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "optimizer": {"values": ["adam", "sgd"]},
        "batch": {"values": [16, 32, 64]},
    },
}


def grid_loss(parameters: dict[str, Any]) -> float:
    return parameters["batch"] / 100 + (0.0 if parameters["optimizer"] == "adam" else 0.5)


@pytest.fixture
def grid(local_server: RunningServer, request: pytest.FixtureRequest) -> tuple[str, str, list]:
    """A grid sweep of 6 points worked to its end: (project, sweep id, run commands)."""
    project = f"sweeps-{request.node.name.split('[')[0][-30:]}"
    sweep = create_sweep(local_server, project, GRID)
    return project, sweep, run_agent(local_server, project, sweep, grid_loss)


def test_a_grid_runs_each_point_once_then_finishes(api: Api, grid: tuple[str, str, list]) -> None:
    project, sweep_id, commands = grid
    points = {(c["args"]["optimizer"]["value"], c["args"]["batch"]["value"]) for c in commands}
    assert len(commands) == 6
    assert points == set(itertools.product(["adam", "sgd"], [16, 32, 64]))
    sweep = api.sweep(f"{ENTITY}/{project}/sweeps/{sweep_id}")
    assert is_a(sweep, "Sweep")
    assert (sweep.id, sweep.name, sweep.state, sweep.method) == (
        sweep_id,
        "grid-search",
        "FINISHED",
        "grid",
    )
    assert sweep.config == GRID
    assert (sweep.expected_run_count, sweep.run_count) == (6, 6)
    assert sweep.best_loss == pytest.approx(0.16)
    assert sweep.url.endswith(f"/{ENTITY}/{project}/sweeps/{sweep_id}")
    assert str(sweep.path) == f"{ENTITY}/{project}/sweeps/{sweep_id}"


def test_runs_best_run_and_run_sweep(api: Api, grid: tuple[str, str, list]) -> None:
    project, sweep_id, commands = grid
    sweep = api.sweep(f"{ENTITY}/{project}/{sweep_id}")
    runs = list(sweep.runs)
    assert [run.id for run in runs] == [command["run_id"] for command in commands]
    best = sweep.best_run()
    assert best is not None
    assert best.summary["loss"] == pytest.approx(0.16)
    assert best.config == {"optimizer": "adam", "batch": 16}
    worst = sweep.best_run(order="-loss")
    assert worst is not None
    assert worst.summary["loss"] == pytest.approx(1.14)
    assert runs[0].sweep_name == sweep_id
    assert runs[0].sweep.id == sweep_id


def test_project_sweeps_and_from_path(
    api: Api, local_server: RunningServer, grid: tuple[str, str, list]
) -> None:
    project, sweep_id, _ = grid
    second = create_sweep(local_server, project, {**GRID, "name": "second"})
    sweeps = api.project(project, entity=ENTITY).sweeps()
    assert len(sweeps) == 2
    assert [sweep.id for sweep in sweeps] == [second, sweep_id]
    assert [sweep.name for sweep in sweeps] == ["second", "grid-search"]
    found = api.from_path(f"{ENTITY}/{project}/sweeps/{sweep_id}")
    assert is_a(found, "Sweep")
    assert (found.id, found.state) == (sweep_id, "FINISHED")


def test_a_missing_sweep_is_not_found(api: Api) -> None:
    api.create_project("sweeps-missing", ENTITY)
    path = f"{ENTITY}/sweeps-missing/sweeps/nope1234"
    with pytest.raises(NotFoundError, match=f"sweep {path} not found") as caught:
        api.sweep(path)
    assert (caught.value.kind, caught.value.path) == ("sweep", path)
    with pytest.raises(NotFoundError, match="not found"):
        api.from_path(path)
    with pytest.raises(InvalidPathError):
        api.sweep(f"{ENTITY}/sweeps-missing/runs/x/y")


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"method": "annealing", "parameters": {"x": {"values": [1]}}}, "'method'"),
        ({"method": "grid", "parameters": {"x": {"values": [1]}, "y": {}}}, "'parameters.y'"),
        ({"method": "grid", "parameters": {"y": {"values": []}}}, "'parameters.y.values'"),
        ({"method": "bayes", "parameters": {"x": {"min": 0.0, "max": 1.0}}}, "'metric'"),
        ({"method": "random"}, "'parameters'"),
    ],
)
def test_a_bad_config_is_refused_naming_the_key(
    local_server: RunningServer, config: dict[str, Any], named: str
) -> None:
    with pytest.raises(GraphQLFailed, match=named):
        create_sweep(local_server, "sweeps-bad", config)


def test_run_cap_stops_a_sweep(api: Api, local_server: RunningServer) -> None:
    config = {
        "method": "random",
        "run_cap": 2,
        "parameters": {"dropout": {"values": [0.1, 0.2, 0.3]}},
    }
    sweep_id = create_sweep(local_server, "sweeps-cap", config)
    commands = run_agent(local_server, "sweeps-cap", sweep_id, lambda p: p["dropout"])
    assert len(commands) == 2
    assert all(c["args"]["dropout"]["value"] in (0.1, 0.2, 0.3) for c in commands)
    sweep = api.sweep(f"{ENTITY}/sweeps-cap/{sweep_id}")
    assert (sweep.state, sweep.expected_run_count, sweep.run_count) == ("FINISHED", 2, 2)
    assert sweep.order is None  # no metric: the best run is the newest
    newest = sweep.best_run()
    assert newest is not None
    assert newest.id == commands[-1]["run_id"]
    assert sweep.best_loss is None


def test_a_finished_sweep_tells_its_agents_to_exit(local_server: RunningServer) -> None:
    sweep_id = create_sweep(local_server, "sweeps-done", GRID)
    run_agent(local_server, "sweeps-done", sweep_id, grid_loss)
    late = create_agent(local_server, "sweeps-done", sweep_id)
    assert heartbeat(local_server, late, []) == [{"type": "exit"}]
    assert heartbeat(local_server, late, ["still-running"]) == []


def test_pause_resume_and_cancel(api: Api, local_server: RunningServer) -> None:
    sweep_id = create_sweep(local_server, "sweeps-state", GRID)
    sweep = api.sweep(f"{ENTITY}/sweeps-state/{sweep_id}")
    assert sweep.state == "PENDING"
    agent = create_agent(local_server, "sweeps-state", sweep_id)
    first = heartbeat(local_server, agent, [])
    assert first[0]["type"] == "run"
    running = first[0]["run_id"]
    assert heartbeat(local_server, agent, [running]) == []
    sweep.pause()
    assert sweep.state == "PAUSED"
    finish_run(local_server, "sweeps-state", sweep_id, first[0], {"loss": 1.0})
    assert heartbeat(local_server, agent, []) == []
    sweep.resume()
    assert sweep.state == "RUNNING"
    second = heartbeat(local_server, agent, [])
    assert second[0]["type"] == "run"
    sweep.cancel()
    assert api.sweep(f"{ENTITY}/sweeps-state/{sweep_id}").state == "CANCELED"
    assert heartbeat(local_server, agent, [second[0]["run_id"]]) == [
        {"type": "stop", "run_id": second[0]["run_id"]}
    ]
    assert heartbeat(local_server, agent, []) == [{"type": "exit"}]
    with pytest.raises(Exception, match="canceled: cannot set it RUNNING"):
        sweep.resume()


def test_every_random_and_bayes_trial_comes_from_the_space(local_server: RunningServer) -> None:
    space = {
        "lr": {"min": 0.001, "max": 0.1, "distribution": "log_uniform_values"},
        "layers": {"values": [1, 2, 3]},
    }
    for method in ("random", "bayes"):
        config = {"method": method, "metric": {"name": "loss"}, "parameters": space}
        sweep_id = create_sweep(local_server, f"sweeps-{method}", config)
        agent = create_agent(local_server, f"sweeps-{method}", sweep_id)
        for _ in range(4):
            (command,) = heartbeat(local_server, agent, [])
            values = {key: value["value"] for key, value in command["args"].items()}
            assert 0.001 <= values["lr"] <= 0.1
            assert values["layers"] in (1, 2, 3)
            finish_run(local_server, f"sweeps-{method}", sweep_id, command, {"loss": values["lr"]})


def test_hyperband_stops_a_run_behind_the_others(local_server: RunningServer) -> None:
    project = "sweeps-hyperband"
    config = {
        "method": "random",
        "metric": {"name": "loss", "goal": "minimize"},
        "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
        "parameters": {"width": {"values": [8, 16, 32]}},
    }
    sweep_id = create_sweep(local_server, project, config)
    agent = create_agent(local_server, project, sweep_id)
    for losses in ([10, 6, 6], [10, 5, 5]):
        (command,) = heartbeat(local_server, agent, [])
        finish_run(local_server, project, sweep_id, command, {"loss": losses[-1]})
        log_history(local_server, project, command["run_id"], [{"loss": x} for x in losses])
    (lagging,) = heartbeat(local_server, agent, [])
    finish_run(local_server, project, sweep_id, lagging, {"loss": 10}, state="running")
    log_history(local_server, project, lagging["run_id"], [{"loss": 10}, {"loss": 10}])
    stop = {"type": "stop", "run_id": lagging["run_id"]}
    assert heartbeat(local_server, agent, [lagging["run_id"]]) == [stop]
    assert heartbeat(local_server, agent, [lagging["run_id"]]) == []


def test_prior_runs_join_the_sweep_and_count_for_the_grid(
    api: Api, local_server: RunningServer
) -> None:
    project = "sweeps-prior"
    for name, optimizer, batch in [("old-1", "adam", 16), ("old-2", "sgd", 64)]:
        graphql(
            local_server,
            UPSERT_BUCKET,
            name=name,
            project=project,
            entity=ENTITY,
            config=json.dumps({"optimizer": {"value": optimizer}, "batch": {"value": batch}}),
            summary=json.dumps({"loss": 0.5}),
            state="finished",
        )
    data = graphql(
        local_server,
        UPSERT_SWEEP,
        config=yaml.safe_dump(GRID),
        entityName=ENTITY,
        projectName=project,
        priorRunsFilters=json.dumps({"$or": [{"name": "old-1"}, {"name": "old-2"}]}),
    )
    assert data["upsertSweep"]["insertedPriorRuns"] == 2
    sweep_id = data["upsertSweep"]["sweep"]["name"]
    commands = run_agent(local_server, project, sweep_id, grid_loss)
    points = {(c["args"]["optimizer"]["value"], c["args"]["batch"]["value"]) for c in commands}
    assert len(commands) == 4
    assert points.isdisjoint({("adam", 16), ("sgd", 64)})
    sweep = api.sweep(f"{ENTITY}/{project}/{sweep_id}")
    assert sweep.run_count == 6
    assert api.run(f"{ENTITY}/{project}/old-1").sweep_name == sweep_id


def test_a_sweep_created_paused_hands_out_nothing(local_server: RunningServer) -> None:
    data = graphql(
        local_server,
        UPSERT_SWEEP,
        config=yaml.safe_dump(GRID),
        entityName=ENTITY,
        projectName="sweeps-paused",
        state="PAUSED",
    )
    assert data["upsertSweep"]["sweep"]["state"] == "PAUSED"
    agent = create_agent(local_server, "sweeps-paused", data["upsertSweep"]["sweep"]["name"])
    assert heartbeat(local_server, agent, []) == []


def test_a_point_left_queued_by_a_silent_agent_goes_back_to_the_grid(
    local_server: RunningServer,
) -> None:
    project = "sweeps-silent"
    config = {"method": "grid", "parameters": {"x": {"values": [1, 2]}}}
    sweep_id = create_sweep(local_server, project, config)
    gone = create_agent(local_server, project, sweep_id)
    (queued,) = heartbeat(local_server, gone, [])  # then the agent exits without running it
    with local_server.state.db.transaction() as conn:
        conn.execute(
            "UPDATE sweep_agents SET heartbeat_at = '2000-01-01T00:00:00.000000'"
            " WHERE sweep_pk = (SELECT pk FROM sweeps WHERE name = ?)",
            (sweep_id,),
        )
    commands = run_agent(local_server, project, sweep_id, lambda p: p["x"])
    assert sorted(c["args"]["x"]["value"] for c in commands) == [1, 2]
    assert queued["args"] in [c["args"] for c in commands]
