"""The main job (`make demo`): a local W&B server, runs logged into it, read back with wandb_typed.

1. Start the local server on a temporary data dir (nothing outside it is touched).
2. Log three runs through the wire: with the official SDK (examples/train_with_wandb.py) when
   ``wandb`` is installed, else with the server's wire seeder, which speaks the same GraphQL
   and file_stream protocol. The database is never written behind the server's back.
3. Read them back with wandb_typed: a runs table, a history, a file download.
4. Stop the server.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from download_file import download_files
from read_history import describe_history
from runs_table import runs_table
from wandb_typed import Api
from wandb_typed_server import start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "demo"
HERE = Path(__file__).resolve().parent


def log_with_official_sdk(base_url: str, api_key: str, entity: str, workdir: Path) -> None:
    env = sdk_environment(base_url, api_key, workdir)
    subprocess.run(
        [sys.executable, str(HERE / "train_with_wandb.py"), entity, PROJECT],
        env=env,
        cwd=workdir,
        check=True,
    )


def log_through_the_wire(base_url: str, api_key: str, entity: str) -> None:
    runs = []
    for index, (lr, optimizer) in enumerate([(0.1, "adam"), (0.3, "sgd"), (1.0, "sgd")]):
        history: list[dict[str, object]] = []
        for step in range(300):
            loss = math.exp(-lr * step / 10) + 0.01 * math.sin(step)
            row: dict[str, object] = {"_step": step, "loss": loss, "accuracy": 1 - loss / 2}
            if step % 100 == 0:
                row["val_loss"] = loss * 1.1
            history.append(row)
        runs.append(
            SeedRun(
                name=f"demo-run-{index}",
                config={"lr": lr, "optimizer": {"name": optimizer, "momentum": 0.9}},
                history=history,
                tags=["demo", optimizer],
                group="sweep-lr",
                job_type="train",
                files={"notes.txt": f"lr={lr} optimizer={optimizer}\n".encode()},
                exitcode=1 if index == 2 else 0,
            )
        )
    seed_runs(base_url, api_key, entity, PROJECT, runs)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wandb-typed-demo-") as tmp:
        root = Path(tmp)
        with start_in_thread(root / "server") as server:
            print(f"local W&B server at {server.base_url} (data in {root / 'server'})")
            with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
                entity = api.default_entity
                assert entity is not None, "the server's admin user has an entity"
                started = time.perf_counter()
                if importlib.util.find_spec("wandb") is not None:
                    print("logging 3 runs with the official wandb SDK ...")
                    log_with_official_sdk(server.base_url, server.api_key, entity, root / "sdk")
                else:
                    print("logging 3 runs through the wire protocol (wandb is not installed) ...")
                    log_through_the_wire(server.base_url, server.api_key, entity)
                print(f"logged in {time.perf_counter() - started:.1f} s\n")

                path = f"{entity}/{PROJECT}"
                print(f"runs of {path}, lowest loss first:")
                print("\n".join(runs_table(api, path)))
                best = api.runs(path, order="+summary_metrics.loss", per_page=1)[0]
                print(f"\nhistory of the best run, {best.id}:")
                print("\n".join(describe_history(api, f"{path}/{best.id}")))
                print(f"\nfiles of {best.id}:")
                print("\n".join(download_files(api, f"{path}/{best.id}", root / "downloads")))
        print("\nserver stopped; demo done.")


if __name__ == "__main__":
    main()
