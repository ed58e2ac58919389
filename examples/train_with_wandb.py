"""A tiny training script that logs to W&B with the official SDK (``pip install wandb``).

The demo runs it against the local server; pointed at W&B's cloud (``WANDB_BASE_URL`` unset)
it logs there instead. Usage: ``python train_with_wandb.py ENTITY PROJECT``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import wandb


def train(entity: str, project: str, lr: float, optimizer: str, crash: bool = False) -> None:
    run = wandb.init(
        entity=entity,
        project=project,
        config={"lr": lr, "optimizer": {"name": optimizer, "momentum": 0.9}, "epochs": 3},
        tags=["demo", optimizer],
        group="sweep-lr",
        job_type="train",
    )
    for step in range(300):
        loss = math.exp(-lr * step / 10) + 0.01 * math.sin(step)
        row = {"loss": loss, "accuracy": 1 - loss / 2}
        if step % 100 == 0:
            row["val_loss"] = loss * 1.1
        run.log(row)
    notes = Path(run.dir) / "notes.txt"
    notes.write_text(f"lr={lr} optimizer={optimizer}\n")
    run.save(str(notes), base_path=run.dir)
    run.finish(exit_code=1 if crash else 0)


def main() -> None:
    entity, project = sys.argv[1], sys.argv[2]
    train(entity, project, lr=0.1, optimizer="adam")
    train(entity, project, lr=0.3, optimizer="sgd")
    train(entity, project, lr=1.0, optimizer="sgd", crash=True)


if __name__ == "__main__":
    main()
