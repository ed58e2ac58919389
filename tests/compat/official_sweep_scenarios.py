"""Sweep scenarios run with the official ``wandb`` client in a subprocess (its Go sidecar
stays isolated). Usage: ``python official_sweep_scenarios.py <step> <entity> <project>
[<sweep id> <count> | <plan.json>]``; the result is printed as one JSON line prefixed with ``RESULT ``.

Steps: ``create`` (``wandb.sweep`` makes a random, a grid of 6 points, a bayes and a capped
sweep), ``bad`` (configs the server refuses), ``agent`` (``wandb.agent(sweep, train,
count=N)`` runs trials against the server; each trial logs a loss computed from its
parameters), ``read <plan.json>`` (``wandb.Api`` reads the sweeps and the project's reports
back through :func:`read_plan`, which the test also runs with our client, and creates a
custom chart).

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import wandb
from wandb.agents.pyagent import Agent

# The SDK's knob for tests (its docstring: "Tests may set to 0 to avoid wall-clock waits"):
# the agent heartbeats every half second instead of every 5 s.
Agent.HEARTBEAT_SLEEP_SECONDS = 0.5

METRIC = {"name": "loss", "goal": "minimize"}
SWEEPS: dict[str, dict[str, Any]] = {
    "random": {
        "method": "random",
        "name": "random-search",
        "metric": METRIC,
        "parameters": {
            "lr": {"min": 0.0001, "max": 0.1, "distribution": "log_uniform_values"},
            "layers": {"values": [1, 2, 3]},
        },
    },
    "grid": {
        "method": "grid",
        "metric": METRIC,
        "parameters": {
            "optimizer": {"values": ["adam", "sgd"]},
            "batch": {"values": [16, 32, 64]},
            "seed": {"value": 7},
        },
    },
    "bayes": {
        "method": "bayes",
        "metric": METRIC,
        "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
        "parameters": {
            "x": {"min": -2.0, "max": 2.0},
            "width": {"values": [8, 16]},
        },
    },
    "capped": {
        "method": "random",
        "run_cap": 2,
        "metric": METRIC,
        "parameters": {"dropout": {"values": [0.1, 0.2, 0.3, 0.4, 0.5]}},
    },
}
BAD: dict[str, dict[str, Any]] = {
    "unknown_method": {"method": "annealing", "parameters": {"x": {"values": [1]}}},
    "no_values": {"method": "grid", "parameters": {"x": {"values": [1]}, "y": {}}},
}


def loss_of(config: dict[str, Any]) -> float:
    """A deterministic loss from a trial's parameters (so the best run is known)."""
    if "lr" in config:
        return abs(math.log10(config["lr"]) + 2) + config["layers"] / 10
    if "optimizer" in config:
        return config["batch"] / 100 + (0.0 if config["optimizer"] == "adam" else 0.5)
    if "x" in config:
        return (config["x"] - 0.5) ** 2 + config["width"] / 100
    return float(config["dropout"])


def create(entity: str, project: str) -> dict[str, Any]:
    return {
        kind: wandb.sweep(config, entity=entity, project=project) for kind, config in SWEEPS.items()
    }


def bad(entity: str, project: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for kind, config in BAD.items():
        try:
            result[kind] = {"created": wandb.sweep(config, entity=entity, project=project)}
        except Exception as exc:  # the official client raises CommError
            result[kind] = {"error": str(exc)}
    return result


def agent(entity: str, project: str, sweep_id: str, count: int) -> dict[str, Any]:
    trials: list[dict[str, Any]] = []

    def train() -> None:
        run = wandb.init()
        config = {key: run.config[key] for key in run.config if not key.startswith("_")}
        loss = loss_of(config)
        for step in range(3):
            run.log({"loss": loss + (2 - step) * 0.01})
        trials.append({"run": run.id, "sweep": run.sweep_id, "config": config, "loss": loss})
        run.finish()

    wandb.agent(sweep_id, function=train, entity=entity, project=project, count=count)
    return {"trials": trials}


def read_plan(api: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """What a client reads of the plan's sweeps and reports; ``api`` is ``wandb.Api`` here,
    and our ``Api`` (either flavour) in the compat test, which runs this same function."""
    entity, project = plan["entity"], plan["project"]
    result: dict[str, Any] = {"sweeps": {}, "reports": []}
    for sweep_id in plan["sweeps"]:
        sweep = api.sweep(f"{entity}/{project}/{sweep_id}")
        best = sweep.best_run()
        runs = list(sweep.runs)
        result["sweeps"][sweep_id] = {
            "id": sweep.id,
            "name": sweep.name,
            "state": sweep.state,
            "config": sweep.config,
            "expected_run_count": sweep.expected_run_count,
            # wandb's Sweep exposes the server's field as is (an attribute of its attrs)
            "best_loss": sweep.bestLoss if isinstance(api, wandb.Api) else sweep.best_loss,
            "runs": sorted(run.id for run in runs),
            "run_configs": sorted(
                json.dumps({k: v for k, v in run.config.items() if not k.startswith("_")})
                for run in runs
            ),
            "run_losses": sorted(run.summary.get("loss") for run in runs),
            "best_run": None if best is None else best.id,
            "url": sweep.url,
            "run_sweeps": sorted({run.sweep.id for run in runs if run.sweep is not None}),
        }
        found = api.from_path(f"{entity}/{project}/sweeps/{sweep_id}")
        result["sweeps"][sweep_id]["from_path"] = [found.id, found.state]
    project_sweeps = api.project(project, entity=entity).sweeps()
    result["project_sweeps"] = sorted(sweep.id for sweep in project_sweeps)
    result["total_sweeps"] = len(project_sweeps)
    for report in api.reports(f"{entity}/{project}"):
        user = report.user
        result["reports"].append(
            {
                "id": report.id,
                "name": report.name,
                "display_name": report.display_name,
                "description": report.description,
                "spec": report.spec,
                "username": user["username"] if isinstance(user, dict) else user.username,
                "created_at": str(report.created_at)[:19].replace(" ", "T"),
                "updated_at": str(report.updated_at)[:19].replace(" ", "T"),
                "url": report.url,
                "runs": [run.id for run in report.runs(report.sections[0])],
                "html": report.to_html(height=200),
            }
        )
        found = api.from_path(report.url.split("/", 3)[3])
        result["reports"][-1]["from_path"] = [found.id, found.display_name]
    return result


def read(plan: dict[str, Any]) -> dict[str, Any]:
    api = wandb.Api()
    result = read_plan(api, plan)
    result["chart"] = api.create_custom_chart(
        entity=plan["entity"],
        name="official-bars",
        display_name="Official bars",
        spec_type="vega2",
        access="private",
        spec={"mark": "bar", "data": {"name": "wandb"}},
    )
    return result


if __name__ == "__main__":
    step, entity_name, project_name = sys.argv[1:4]
    if step == "create":
        output = create(entity_name, project_name)
    elif step == "bad":
        output = bad(entity_name, project_name)
    elif step == "agent":
        output = agent(entity_name, project_name, sys.argv[4], int(sys.argv[5]))
    else:
        with open(sys.argv[4]) as plan_file:
            output = read(json.load(plan_file))
    print("RESULT " + json.dumps(output), flush=True)
