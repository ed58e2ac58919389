"""The official SDK (wandb==0.31.0) creates sweeps with ``wandb.sweep`` and runs their trials
with ``wandb.agent`` against a fresh local server; ``wandb.Api`` and our client (both
flavours) then read the sweeps and a report back, and must read the same values.

One module-scoped fixture drives the story in subprocesses (official_sweep_scenarios.py,
each step with its own Go sidecar): a random sweep, a grid of 6 points, a bayes sweep with
hyperband and a random sweep capped at 2 runs are created; bad configs are refused; an
agent works each sweep (``count`` above the grid's size and the cap, so the server ends
those); a report is saved through GraphQL; then the official client reads everything with
:func:`read_plan` and creates a custom chart, and our client runs the same plan. The
command line too: ``wandb sweep`` and ``wandb agent`` running a program.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from flavours import FLAVOURS, Portal, open_api
from wandb_typed import Api
from wandb_typed_server import start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

HERE = Path(__file__).parent
SCENARIOS = HERE / "official_sweep_scenarios.py"
ENTITY = "admin"
PROJECT = "tuning"
COUNTS = {"random": 3, "grid": 8, "bayes": 3, "capped": 5}
"""``wandb.agent(count=...)`` per sweep: the grid (6 points) and the capped sweep (2 runs)
get more than they can run, so the server must tell the agent to exit."""


def report_spec(selected: list[str]) -> dict[str, Any]:
    """A report on the grid: one section whose run set keeps the ``adam`` runs among
    ``selected``, sorted by loss ascending."""
    return {
        "version": 5,
        "blocks": [{"type": "paragraph", "children": [{"text": "Grid results"}]}],
        "panelGroups": [
            {
                "name": "Grid",
                "openRunSet": 0,
                "runSets": [
                    {
                        "filters": {
                            "op": "OR",
                            "filters": [
                                {
                                    "op": "AND",
                                    "filters": [
                                        {
                                            "key": {"section": "config", "name": "optimizer"},
                                            "op": "=",
                                            "value": "adam",
                                        }
                                    ],
                                }
                            ],
                        },
                        "sort": {"key": {"section": "summary", "name": "loss"}, "ascending": True},
                        "selections": {"root": 1, "bounds": [], "tree": selected},
                    }
                ],
            }
        ],
    }


UPSERT_VIEW = """
mutation UpsertView($entityName: String, $projectName: String, $name: String,
                    $displayName: String, $description: String, $spec: String) {
  upsertView(input: {entityName: $entityName, projectName: $projectName, name: $name,
                     displayName: $displayName, description: $description, type: "runs",
                     spec: $spec}) { view { id } }
}"""


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(args: list[str], env: dict[str, str]) -> Any:
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"{args} printed no result:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1].removeprefix("RESULT "))


@dataclass
class Story:
    """What the official client did and read, and what ours read of the same plan."""

    sweeps: dict[str, str]
    bad: dict[str, Any]
    trials: dict[str, list[dict[str, Any]]]
    official: dict[str, Any]
    ours: dict[str, dict[str, Any]]
    report_id: str


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    scenarios = _load(SCENARIOS)
    workdir = tmp_path_factory.mktemp("official-sweeps-work")
    with start_in_thread(tmp_path_factory.mktemp("official-sweeps-data")) as server:
        env = sdk_environment(server.base_url, server.api_key, workdir)
        sweeps = _run(["create", ENTITY, PROJECT], env)
        bad = _run(["bad", ENTITY, PROJECT], env)
        trials = {
            kind: _run(["agent", ENTITY, PROJECT, sweeps[kind], str(COUNTS[kind])], env)["trials"]
            for kind in sweeps
        }
        reply = httpx.post(
            f"{server.base_url}/graphql",
            json={
                "query": UPSERT_VIEW,
                "variables": {
                    "entityName": ENTITY,
                    "projectName": PROJECT,
                    "name": "grid-report",
                    "displayName": "Grid results",
                    "description": "the adam runs of the grid",
                    "spec": json.dumps(report_spec([t["run"] for t in trials["grid"]])),
                },
            },
            auth=("api", server.api_key),
            timeout=60,
        )
        reply.raise_for_status()
        report_id = reply.json()["data"]["upsertView"]["view"]["id"]
        plan = {"entity": ENTITY, "project": PROJECT, "sweeps": list(sweeps.values())}
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan))
        official = _run(["read", ENTITY, PROJECT, str(plan_file)], env)
        ours: dict[str, dict[str, Any]] = {}
        with Portal() as portal:
            for flavour in FLAVOURS:
                api = open_api(
                    flavour,
                    portal,
                    api_key=server.api_key,
                    overrides={"base_url": server.base_url},
                )
                with api:
                    ours[flavour] = scenarios.read_plan(api, plan)
    return Story(sweeps, bad, trials, official, ours, report_id)


def _space_value(spec: dict[str, Any], value: Any) -> bool:
    if "values" in spec:
        return value in spec["values"]
    if "value" in spec:
        return bool(value == spec["value"])
    return bool(spec["min"] <= value <= spec["max"])


def test_every_trial_config_comes_from_its_sweeps_space(story: Story) -> None:
    scenarios = _load(SCENARIOS)
    for kind, sweep_id in story.sweeps.items():
        space = scenarios.SWEEPS[kind]["parameters"]
        trials = story.trials[kind]
        assert trials, kind
        for trial in trials:
            assert trial["sweep"] == sweep_id
            assert set(trial["config"]) == set(space), (kind, trial)
            for name, value in trial["config"].items():
                assert _space_value(space[name], value), (kind, name, value)


def test_the_grid_runs_each_point_once_then_finishes(story: Story) -> None:
    grid = story.trials["grid"]
    points = sorted((t["config"]["optimizer"], t["config"]["batch"]) for t in grid)
    assert points == sorted((o, b) for o in ("adam", "sgd") for b in (16, 32, 64))
    read = story.official["sweeps"][story.sweeps["grid"]]
    assert read["state"] == "FINISHED"
    assert read["expected_run_count"] == 6
    assert read["runs"] == sorted(t["run"] for t in grid)


def test_run_cap_stops_a_sweep(story: Story) -> None:
    assert len(story.trials["capped"]) == 2
    read = story.official["sweeps"][story.sweeps["capped"]]
    assert (read["state"], read["expected_run_count"], len(read["runs"])) == ("FINISHED", 2, 2)


def test_counted_agents_ran_their_count(story: Story) -> None:
    for kind in ("random", "bayes"):
        assert len(story.trials[kind]) == COUNTS[kind]
        read = story.official["sweeps"][story.sweeps[kind]]
        assert read["runs"] == sorted(t["run"] for t in story.trials[kind])
        assert read["state"] == "RUNNING"


def _as_sent(config: dict[str, Any]) -> dict[str, Any]:
    """A config as ``wandb.sweep`` sends it: float bounds without a distribution get
    ``uniform`` (int bounds ``int_uniform``)."""
    parameters = {}
    for name, spec in config["parameters"].items():
        if "min" in spec and "distribution" not in spec:
            ints = isinstance(spec["min"], int) and isinstance(spec["max"], int)
            spec = {**spec, "distribution": "int_uniform" if ints else "uniform"}
        parameters[name] = spec
    return {**config, "parameters": parameters}


def test_the_official_client_reads_what_the_agents_logged(story: Story) -> None:
    scenarios = _load(SCENARIOS)
    for kind, sweep_id in story.sweeps.items():
        read = story.official["sweeps"][sweep_id]
        trials = story.trials[kind]
        losses = sorted(t["loss"] for t in trials)
        assert read["config"] == _as_sent(scenarios.SWEEPS[kind])
        assert read["run_losses"] == pytest.approx(losses)
        best = min(trials, key=lambda t: t["loss"])
        assert read["best_run"] == best["run"]
        assert read["best_loss"] == pytest.approx(best["loss"])
        assert read["run_sweeps"] == [sweep_id]
        assert read["from_path"] == [sweep_id, read["state"]]
    assert story.official["project_sweeps"] == sorted(story.sweeps.values())
    assert story.official["total_sweeps"] == len(story.sweeps)


def test_ours_reads_the_same_sweeps_and_reports(story: Story) -> None:
    for flavour in FLAVOURS:
        assert story.ours[flavour] == {
            key: value for key, value in story.official.items() if key != "chart"
        }, flavour


def test_the_report_is_listed_and_read(story: Story) -> None:
    (report,) = story.official["reports"]
    assert (report["id"], report["name"], report["display_name"]) == (
        story.report_id,
        "grid-report",
        "Grid results",
    )
    assert report["spec"] == report_spec([t["run"] for t in story.trials["grid"]])
    assert report["username"] == ENTITY
    adam = [t for t in story.trials["grid"] if t["config"]["optimizer"] == "adam"]
    assert report["runs"] == [t["run"] for t in sorted(adam, key=lambda t: t["loss"])]
    assert report["from_path"] == [story.report_id, "Grid results"]


def test_a_custom_chart_is_created(story: Story) -> None:
    assert story.official["chart"] == f"{ENTITY}/official-bars"


def test_bad_sweep_configs_are_refused_naming_the_key(story: Story) -> None:
    assert "'method'" in story.bad["unknown_method"]["error"]
    assert "annealing" in story.bad["unknown_method"]["error"]
    assert "'parameters.y'" in story.bad["no_values"]["error"]


PROGRAM = """import wandb
run = wandb.init()
run.log({"loss": run.config["x"] * 2})
run.finish()
"""
CLI_SWEEP = """program: train.py
method: grid
metric: {name: loss, goal: minimize}
parameters:
  x: {values: [1, 2, 3]}
"""


def test_wandb_sweep_and_wandb_agent_on_the_command_line(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """``wandb sweep sweep.yaml`` then ``wandb agent --count 5 <id>``: the agent runs the
    config's program once per grid point, then the server tells it to exit."""
    workdir = tmp_path_factory.mktemp("official-sweeps-cli")
    (workdir / "train.py").write_text(PROGRAM)
    (workdir / "sweep.yaml").write_text(CLI_SWEEP)
    bin_dir = Path(sys.executable).parent
    with start_in_thread(tmp_path_factory.mktemp("official-sweeps-cli-data")) as server:
        env = sdk_environment(server.base_url, server.api_key, workdir)
        env.pop("WANDB_SILENT")  # the sweep id is read from what `wandb sweep` prints
        env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"  # the program runs on this python

        def wandb_cli(*args: str) -> str:
            proc = subprocess.run(
                [str(bin_dir / "wandb"), *args],
                env=env,
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert proc.returncode == 0, f"{args}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            return proc.stdout + proc.stderr

        created = wandb_cli("sweep", "--entity", ENTITY, "--project", "cli", "sweep.yaml")
        (path,) = re.findall(r"wandb agent (\S+)", created)
        assert "Received exit command" in wandb_cli("agent", "--count", "5", path)
        with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
            sweep = api.sweep(path)
            runs = sorted((run.config["x"], run.summary["loss"], run.state) for run in sweep.runs)
            assert sweep.state == "FINISHED"
    assert runs == [(1, 2, "finished"), (2, 4, "finished"), (3, 6, "finished")]
