"""Read one run's history with the official ``wandb.Api`` (0.31.0), in a subprocess.

Usage: ``python official_read_history.py <entity/project/run_id> <key> [<key> ...]``;
WANDB_BASE_URL and WANDB_API_KEY point at the server. Prints one line ``RESULT <json>``:
the run's state, the keys of ``run.history()``, and ``scan_history(keys=[key])`` for each key as
``[[_step, value], ...]``.
"""

from __future__ import annotations

import json
import sys

import wandb


def main(path: str, keys: list[str]) -> None:
    api = wandb.Api()
    run = api.run(path)
    sampled = run.history(samples=500, pandas=False)
    result = {
        "state": run.state,
        "history_keys": sorted({key for row in sampled for key in row}),
        "scans": {
            key: [[row["_step"], row[key]] for row in run.scan_history(keys=[key])] for key in keys
        },
        "files": sorted(file.name for file in run.files()),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
