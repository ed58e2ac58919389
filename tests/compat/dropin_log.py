"""Logs the runs the drop-in script reads, with the official ``wandb`` SDK (in a subprocess,
its Go sidecar isolated). Usage: ``python dropin_log.py ENTITY PROJECT WORKDIR``.

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import sys
from pathlib import Path

import wandb


def main(entity: str, project: str, workdir: Path) -> None:
    for index, run_id in enumerate(["dropin-a", "dropin-b"]):
        run = wandb.init(
            entity=entity,
            project=project,
            id=run_id,
            name=f"drop-in {index}",
            config={"lr": [0.01, 0.1][index], "layers": 3 + index, "opt": "adam"},
            tags=["port"],
        )
        for step in range(30):
            run.log({"loss": 1.0 / (step + 1 + index), "acc": step / 30})
        if index == 0:
            notes = workdir / "notes.txt"
            notes.write_text("ported\n" * 5)
            run.save(str(notes), base_path=str(workdir), policy="now")
            data = workdir / "data.txt"
            data.write_text("rows\n")
            artifact = wandb.Artifact("dropin-data", type="dataset")
            artifact.add_file(str(data))
            run.log_artifact(artifact)
        run.summary["best_acc"] = 0.9 + index / 100
        run.finish()
    print("RESULT {}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
