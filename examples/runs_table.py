"""Print a project's runs as a table: id, state, config and the final loss.

Usage: ``python runs_table.py ENTITY/PROJECT`` (with ``WANDB_API_KEY``/``WANDB_BASE_URL``).
"""

from __future__ import annotations

import sys

from wandb_typed import Api


def runs_table(api: Api, path: str) -> list[str]:
    """The lines of a table of every run in ``path``, best (lowest loss) first."""
    lines = [f"{'run':<10} {'state':<9} {'optimizer':<9} {'lr':>5} {'loss':>8}"]
    for run in api.runs(path, order="+summary_metrics.loss"):
        optimizer = run.config.get("optimizer")
        name = optimizer.get("name") if isinstance(optimizer, dict) else None
        loss = run.summary.get("loss")
        loss_text = f"{loss:8.4f}" if isinstance(loss, float) else f"{'-':>8}"
        lines.append(
            f"{run.id:<10} {run.state or '-':<9} {name or '-':<9} "
            f"{run.config.get('lr', '-')!s:>5} {loss_text}"
        )
    return lines


if __name__ == "__main__":
    with Api() as api:
        print("\n".join(runs_table(api, sys.argv[1])))
