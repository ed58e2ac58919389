"""Typed reads under ``mypy --strict``: the best run by summary loss, and every run's config
parsed into a pydantic model. ``tests/e2e/test_typed_example.py`` type-checks this file (and
the same code with a wrong type, which must fail) and runs it against a local server.

Usage: ``python typed_reads.py ENTITY/PROJECT`` (with ``WANDB_API_KEY``/``WANDB_BASE_URL``).
"""

from __future__ import annotations

import sys

from pydantic import BaseModel

from wandb_typed import Api


class TrainConfig(BaseModel):
    """The config every training run logs (other keys are ignored)."""

    lr: float
    epochs: int = 1


def best_run(api: Api, path: str) -> tuple[str, float]:
    """The id and loss of the run with the lowest summary ``loss``."""
    best_id, best_loss = "", float("inf")
    for run in api.runs(path, filters={"summary_metrics.loss": {"$exists": True}}):
        loss: float = run.summary.number("loss")  # a float, or ValueTypeError naming the key
        if loss < best_loss:
            best_id, best_loss = run.id, loss
    return best_id, best_loss


def learning_rates(api: Api, path: str) -> list[float]:
    """Every run's learning rate, read through the pydantic model."""
    configs: list[TrainConfig] = api.runs(path).parse_configs(TrainConfig)
    return [config.lr for config in configs]


def scaled_lr(api: Api, run_path: str, factor: float) -> float:
    """One run's learning rate times ``factor`` (``get_as`` says what the value is)."""
    lr: float = api.run(run_path).config.get_as("lr", float)
    return lr * factor


if __name__ == "__main__":
    with Api() as api:
        print(best_run(api, sys.argv[1]), learning_rates(api, sys.argv[1]))
