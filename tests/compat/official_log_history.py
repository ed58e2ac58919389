"""Log a run's history with the official SDK (wandb 0.31.0), in a subprocess.

Usage: ``python official_log_history.py <entity> <project> <run_id> <rows> [<first step>]``;
WANDB_BASE_URL and WANDB_API_KEY point at the server. Logs ``rows`` steps of
:func:`logged_row` from step 0, or resumes the run (``resume="must"``) and logs from
``<first step>``: NaN and
infinities, keys logged every step or now and then, nested dicts and lists, None, ints and
floats under one key. Prints ``RESULT <last step>``.
"""

from __future__ import annotations

import sys

import wandb


def logged_row(step: int) -> dict[str, object]:
    """What step ``step`` logs."""
    specials = [float("nan"), float("inf"), float("-inf")]
    row: dict[str, object] = {
        "loss": specials[step % 3] if step % 50 == 7 else step * 0.25,
        "epoch": step // 100 if step % 2 else float(step // 100),
    }
    if step % 10 == 0:
        row["eval"] = {"acc": step / 1000, "per_class": [1, 2, 3], "meta": {"split": "val"}}
    if step % 33 == 0:
        row["note"] = f"step {step}"
    if step % 99 == 0:
        row["flag"] = step % 2 == 0
    return row


def main(entity: str, project: str, run_id: str, rows: int, first: int | None) -> None:
    resume = "must" if first is not None else None
    run = wandb.init(entity=entity, project=project, id=run_id, resume=resume)
    start = first or 0
    for step in range(start, start + rows):
        run.log(logged_row(step), step=step)
    run.finish()
    print(f"RESULT {start + rows - 1}")


if __name__ == "__main__":
    main(
        sys.argv[1],
        sys.argv[2],
        sys.argv[3],
        int(sys.argv[4]),
        int(sys.argv[5]) if len(sys.argv) > 5 else None,
    )
