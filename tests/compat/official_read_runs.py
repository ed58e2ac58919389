"""Read runs following a JSON plan, with any ``wandb.Api``-shaped client.

``read_plan(api, plan)`` is the one reading both clients go through: ``test_read_compat``
calls it with ours in-process, and, as a script, this module calls it with the official
``wandb.Api`` in a subprocess (its Go sidecar stays isolated).

Usage: ``python official_read_runs.py <plan.json>``; WANDB_BASE_URL and WANDB_API_KEY
point at the server. Prints one line ``RESULT <json>`` with what the official client saw.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """JSON-safe values: NaN and infinities as strings, mappings and sequences copied."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping) or hasattr(value, "items"):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def read_plan(api: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """Listings, lazily listed fields and per-run reads, as JSON-safe values."""
    path = plan["path"]
    listings = [
        [
            run.id
            for run in api.runs(
                path,
                filters=listing["filters"],
                order=listing["order"],
                per_page=listing["per_page"],
            )
        ]
        for listing in plan["listings"]
    ]
    # Fields read from a listing (lazy runs), not from api.run().
    listed_fields = {
        listed.id: plain(
            {
                "name": listed.name,
                "state": listed.state,
                "tags": list(listed.tags),
                "config": dict(listed.config),
                "summary": {
                    key: value
                    for key, value in dict(listed.summary).items()
                    if not key.startswith("_wandb")
                },
            }
        )
        for listed in api.runs(path, per_page=2)
    }
    runs: dict[str, Any] = {}
    for run_id in plan["runs"]:
        run = api.run(f"{path}/{run_id}")
        summary: Any = run.summary
        runs[run_id] = {
            "id": run.id,
            "name": run.name,
            "display_name": run.display_name,
            "state": run.state,
            "tags": list(run.tags),
            "group": run.group,
            "job_type": run.job_type,
            "notes": run.notes,
            "config": plain(dict(run.config)),
            "summary": plain(
                {key: value for key, value in summary.items() if not key.startswith("_wandb")}
            ),
            "history": [
                plain(run.history(pandas=False, **arguments)) for arguments in plan["history"]
            ],
            "scans": [plain(list(run.scan_history(**arguments))) for arguments in plan["scans"]],
            "files": {file.name: file.size for file in run.files()},
        }
    # Runs.histories: every listed run's sampled history, each row with its run_id (ours
    # reads several runs per request; the official client one run after the other).
    histories = [
        plain(api.runs(path, per_page=2).histories(**arguments)) for arguments in plan["histories"]
    ]
    return {"listings": listings, "listed": listed_fields, "runs": runs, "histories": histories}


if __name__ == "__main__":
    import wandb

    loaded = json.loads(Path(sys.argv[1]).read_text())
    print("RESULT " + json.dumps(read_plan(wandb.Api(timeout=60), loaded)), flush=True)
