"""Read a run's metric history: a 10-point sample, and a full scan of one key.

Usage: ``python read_history.py ENTITY/PROJECT/RUN_ID``.
"""

from __future__ import annotations

import sys

from wandb_typed import Api


def describe_history(api: Api, path: str) -> list[str]:
    """A few lines about ``path``'s history: a sampled curve and the scanned row count."""
    run = api.run(path)
    sample = run.history(samples=10, keys=["loss"], pandas=False)
    curve = ", ".join(f"{row['_step']}:{row['loss']:.3f}" for row in sample)
    scanned = sum(1 for _ in run.scan_history(keys=["val_loss"]))
    return [
        f"{run.id} ({run.display_name}): {run.history_line_count} history rows",
        f"  loss, sampled: {curve}",
        f"  rows with val_loss: {scanned}",
    ]


if __name__ == "__main__":
    with Api() as api:
        print("\n".join(describe_history(api, sys.argv[1])))
