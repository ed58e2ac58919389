"""Scan one run's history with the official ``wandb.Api`` (0.31.0), in a subprocess.

Usage: ``python official_scan_history.py <entity/project/run_id> [<page_size> [<key> ...]]``;
WANDB_BASE_URL, WANDB_API_KEY and WANDB_CACHE_DIR (where wandb-core caches downloaded
Parquet exports) point at the server and a folder of the test's. Prints one line
``RESULT <json>``: the rows of ``run.scan_history(page_size=..., keys=... or None)`` in the
order they came, NaN and infinities as JSON's extended tokens.
"""

from __future__ import annotations

import json
import os
import sys

import wandb


def main(path: str, page_size: int, keys: list[str]) -> None:
    run = wandb.Api().run(path)
    rows = list(run.scan_history(keys=keys or None, page_size=page_size))
    print("RESULT " + json.dumps(rows, allow_nan=True), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000, sys.argv[3:])
    # The scan is done and printed. wandb's atexit teardown then waits for its wandb-core
    # service to exit, and after reading exports that wait sometimes never ends (about 1
    # run in 8 here: py-spy showed ServiceConnection.teardown -> ServiceProcess.join, every
    # request of the scan answered 200 and its RESULT printed): the test timed out on the
    # teardown, not on the scan. Ending here skips it; wandb-core exits when its parent does.
    os._exit(0)
