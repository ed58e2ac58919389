"""Scenarios run with the official ``wandb`` client in a subprocess (its Go sidecar stays
isolated). Usage: ``python official_client_scenarios.py <scenario> <entity> <project>``;
the result is printed as one JSON line prefixed with ``RESULT ``.

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import wandb

STEPS = 1000
SPARSE_EVERY = 100


def logged_row(run_index: int, step: int) -> dict[str, Any]:
    """What run ``run_index`` logs at ``step`` (the test recomputes it to compare)."""
    row: dict[str, Any] = {
        "loss": 1.0 / (step + 1 + run_index),
        "acc": step / STEPS,
        "epoch": step // 100,
    }
    if step % SPARSE_EVERY == 0:
        row["sparse"] = step * 10 + run_index
    return row


RUN_SPECS: list[dict[str, Any]] = [
    {
        "name": "first run",
        "config": {"lr": 0.01, "model": {"layers": 3, "act": "relu"}, "seed": 1},
        "tags": ["baseline", "cnn"],
        "group": "sweep-a",
        "job_type": "train",
        "notes": "the first one",
        "exit_code": 0,
    },
    {
        "name": "second run",
        "config": {"lr": 0.1, "model": {"layers": 5, "act": "gelu"}, "seed": 2},
        "tags": ["cnn"],
        "group": "sweep-a",
        "job_type": "train",
        "notes": None,
        "exit_code": 0,
    },
    {
        "name": "third run (fails)",
        "config": {"lr": 0.001, "model": {"layers": 1, "act": "tanh"}, "seed": 3},
        "tags": ["broken"],
        "group": "sweep-b",
        "job_type": "eval",
        "notes": None,
        "exit_code": 3,
    },
]


def log_runs(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Log the three runs of RUN_SPECS online; returns their ids."""
    ids = []
    for index, spec in enumerate(RUN_SPECS):
        run = wandb.init(
            entity=entity,
            project=project,
            name=spec["name"],
            config=spec["config"],
            tags=spec["tags"],
            group=spec["group"],
            job_type=spec["job_type"],
            notes=spec["notes"],
        )
        for step in range(STEPS):
            run.log(logged_row(index, step))
        if index == 0:
            saved = workdir / "notes.txt"
            saved.write_text("saved with run.save\n" * 10)
            run.save(str(saved), base_path=str(workdir), policy="now")
        run.summary["best_acc"] = 0.99 - index / 100
        ids.append(run.id)
        run.finish(exit_code=spec["exit_code"])
    return {"ids": ids}


def log_offline(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Log one run offline (to be synced with ``wandb sync``); returns its id and dir."""
    run = wandb.init(
        entity=entity, project=project, mode="offline", name="offline run", config={"lr": 0.5}
    )
    for step in range(50):
        run.log({"offline_metric": step * 2})
    run_dir = str(Path(run.dir).parent)
    run_id = run.id
    run.finish()
    return {"id": run_id, "dir": run_dir}


def resume_run(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Resume the first run with resume="must" and log 10 more steps."""
    run_id = json.loads((workdir / "ids.json").read_text())["ids"][0]
    run = wandb.init(entity=entity, project=project, id=run_id, resume="must")
    start = run.starting_step
    for step in range(10):
        run.log({"resumed_metric": step})
    run.finish()
    fresh = wandb.init(entity=entity, project=project, id="allowrun1", resume="allow")
    fresh_start = fresh.starting_step
    fresh.log({"allowed": 1})
    fresh.finish()
    return {"starting_step": start, "allow_new_starting_step": fresh_start}


def _plain(value: Any) -> Any:
    """JSON-safe copy (NaN kept as the string 'NaN' for comparison)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def read_back(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Read every run back with wandb.Api: runs with filter+order, history, scan_history,
    files + download, summary, config."""
    api = wandb.Api(timeout=60)
    path = f"{entity}/{project}"
    result: dict[str, Any] = {"count": len(api.runs(path))}
    filtered = api.runs(
        path, filters={"config.lr": {"$lte": 0.1}, "group": "sweep-a"}, order="-config.lr"
    )
    result["filtered"] = [run.name for run in filtered]
    runs: dict[str, Any] = {}
    for run in api.runs(path, order="+created_at", per_page=2):
        full = api.run(f"{path}/{run.id}")
        scan = list(full.scan_history(page_size=300))
        sampled = full.history(samples=100, pandas=False)
        keyed = list(full.scan_history(keys=["sparse"]))
        files = {}
        for file in full.files():
            downloaded = file.download(root=str(workdir / "downloads" / run.id), replace=True)
            downloaded.close()
            content = Path(downloaded.name).read_bytes()
            files[file.name] = {"size": file.size, "md5": file.md5, "bytes_read": len(content)}
        runs[run.id] = {
            "name": full.name,
            "display_name": full.display_name,
            "state": full.state,
            "config": _plain(dict(full.config)),
            "summary": _plain(
                {k: v for k, v in full.summary.items() if not k.startswith("_wandb")}
            ),
            "tags": list(full.tags),
            "group": full.group,
            "job_type": full.job_type,
            "notes": full.notes,
            "scan": _plain(scan),
            "sampled_len": len(sampled),
            "sampled_first_last": _plain([sampled[0], sampled[-1]] if sampled else []),
            "sparse_scan": _plain(keyed),
            "files": files,
            "saved_text": (workdir / "downloads" / run.id / "notes.txt").read_text()
            if "notes.txt" in files
            else None,
        }
    result["runs"] = runs
    result["viewer"] = api.viewer.username
    result["default_entity"] = api.default_entity
    result["projects"] = sorted(project.name for project in api.projects(entity))
    result["project_has_id"] = bool(api.project(project, entity=entity).id)
    return result


def update_run(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Change tags, config, summary, notes and names of the first run with run.update()."""
    run_id = json.loads((workdir / "ids.json").read_text())["ids"][0]
    api = wandb.Api(timeout=60)
    run = api.run(f"{entity}/{project}/{run_id}")
    run.tags = [*run.tags, "updated"]
    run.config["extra"] = {"nested": [1, 2]}
    run.summary["post_hoc"] = 42
    run.notes = "edited notes"
    run.name = "renamed run"
    run.group = "sweep-z"
    run.job_type = "retrain"
    run.update()
    return {"id": run_id}


def delete_run(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Delete the failed run with run.delete(); returns the run count before and after."""
    run_id = json.loads((workdir / "ids.json").read_text())["ids"][2]
    api = wandb.Api(timeout=60)
    before = len(api.runs(f"{entity}/{project}"))
    api.run(f"{entity}/{project}/{run_id}").delete()
    after = len(wandb.Api(timeout=60).runs(f"{entity}/{project}"))
    return {"before": before, "after": after}


def wrong_key(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """wandb.Api with a key the server does not know must fail to authenticate."""
    try:
        api = wandb.Api(api_key="0" * 40, timeout=30)
        runs = list(api.runs(f"{entity}/{project}"))
    except Exception as exc:  # the official client raises several types here
        return {"error": type(exc).__name__}
    return {"error": None, "runs": len(runs)}


SCENARIOS = {
    "log_runs": log_runs,
    "log_offline": log_offline,
    "resume_run": resume_run,
    "read_back": read_back,
    "update_run": update_run,
    "wrong_key": wrong_key,
    "delete_run": delete_run,
}

if __name__ == "__main__":
    scenario, entity_name, project_name, work = sys.argv[1:5]
    output = SCENARIOS[scenario](entity_name, project_name, Path(work))
    print("RESULT " + json.dumps(output), flush=True)
