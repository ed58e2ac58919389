"""What a team's tracking server must do as W&B does, driven by the official ``wandb`` client
in a subprocess. Usage: ``python official_team_scenarios.py <step> <entity> <project>
<workdir>``; the result is printed as one JSON line prefixed with ``RESULT ``.

Steps: ``log_gzip`` (a run whose file_stream bodies are gzip-compressed), ``accounts`` (the
viewer's teams and API key names, the members of the personal entity), ``run_edits``
(``Run.update_state``, ``Run.delete`` twice).

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import wandb

GZIP_STEPS = 300


def gzip_row(step: int) -> dict[str, Any]:
    """What the gzip run logs at ``step`` (the test recomputes it to compare)."""
    return {"loss": 1.0 / (step + 1), "text": f"row {step} " + "x" * (step % 7)}


def log_gzip(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """A run that asks wandb-core to gzip its file_stream bodies (wandb 0.31.0 does so only
    with x_file_stream_no_gzip=False and the server's FILESTREAM_GZIP feature)."""
    run = wandb.init(
        entity=entity,
        project=project,
        name="gzipped",
        settings=wandb.Settings(x_file_stream_no_gzip=False),
    )
    for step in range(GZIP_STEPS):
        run.log(gzip_row(step))
    run_id = run.id
    run.finish()
    rows = list(wandb.Api(timeout=60).run(f"{entity}/{project}/{run_id}").scan_history())
    return {
        "id": run_id,
        "rows": [{k: v for k, v in r.items() if k in ("loss", "text", "_step")} for r in rows],
    }


def accounts(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """The viewer's teams and key names, and the personal entity's members."""
    api = wandb.Api(timeout=60)
    viewer = api.viewer
    key = os.environ["WANDB_API_KEY"]
    members = api.team(viewer.username).members
    return {
        "username": viewer.username,
        "teams": list(viewer.teams),
        "api_keys": list(viewer.api_keys),
        "key_prefixes": [key.startswith(name) for name in viewer.api_keys],
        "members": [[m.username, m.account_type] for m in members],
    }


def run_edits(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """``update_state`` to failed (allowed), then again (refused); ``delete`` twice."""
    api = wandb.Api(timeout=60)
    created = api.create_run(entity=entity, project=project)
    run = api.run(f"{entity}/{project}/{created.id}")
    result: dict[str, Any] = {"id": created.id, "state_before": run.state}
    try:
        result["updated"] = run.update_state("failed")
    except wandb.Error as exc:
        result["updated"] = f"{type(exc).__name__}: {exc}"
    result["state_after"] = run.state
    result["read_state"] = wandb.Api(timeout=60).run(f"{entity}/{project}/{created.id}").state
    try:
        run.update_state("failed")
        result["refused"] = None
    except wandb.Error as exc:
        result["refused"] = str(exc)
    doomed = api.create_run(entity=entity, project=project)
    doomed_run = api.run(f"{entity}/{project}/{doomed.id}")
    doomed_run.delete()
    try:
        doomed_run.delete()
        result["second_delete"] = "ok"
    except Exception as exc:  # the official client raises several types here
        result["second_delete"] = f"{type(exc).__name__}: {exc}"
    result["doomed_id"] = doomed.id
    return result


SCENARIOS = {"log_gzip": log_gzip, "accounts": accounts, "run_edits": run_edits}

if __name__ == "__main__":
    import json

    step, entity_name, project_name, work = sys.argv[1:5]
    output = SCENARIOS[step](entity_name, project_name, Path(work))
    print("RESULT " + json.dumps(output), flush=True)
