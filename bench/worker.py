"""One measurement in a fresh interpreter: ``worker.py CONTENDER TASK PARAMS_JSON``.

Prints one line ``RESULT {...}`` with the seconds the task took, what it read (``items``
and a ``check`` value the runner compares across contenders), this process's peak RSS (VmHWM) and,
for a client with a sidecar (the official one's wandb-core), the sidecar's peak RSS. A task
returns ``(items, check)`` or ``(items, check, {name: number})``: numbers it counted itself
(requests seen by a transport spy), added to the record.

Only the standard library is imported before the clock starts, so the ``import`` task
measures exactly ``import <client>; <client>.Api`` in a fresh process.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

IMPORTS = {
    "ours": ("wandb_typed", "Api"),
    "ours_base": ("wandb_typed", "Api"),  # another commit's, through PYTHONPATH
    "official": ("wandb", "Api"),
}


def descendant_pids(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            found.extend(descendant_pids(child))
    return found


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of ``pid`` in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def measure_import(contender: str, *, build: bool, run_path: str | None = None) -> dict[str, float]:
    """``import <client>; <client>.Api`` and, with ``build``, one ``Api(...)`` on the server;
    with ``run_path``, then ``api.run(run_path)`` and its id (the first request)."""
    module_name, attribute = IMPORTS[contender]
    started, cpu_started = time.perf_counter(), time.process_time()
    module = importlib.import_module(module_name)
    api_class = getattr(module, attribute)
    check = 1.0
    if build:
        api = api_class(
            api_key=os.environ["BENCH_API_KEY"],
            overrides={"base_url": os.environ["BENCH_BASE_URL"]},
        )
        if run_path is not None:
            check = float(len(api.run(run_path).id))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "items": 1, "check": check}


FLOOR_QUERY = (
    "query FirstRun($entity: String!, $project: String!, $name: String!) "
    "{ project(name: $project, entityName: $entity) { run(name: $name) { name } } }"
)


def measure_startup_floor(run_path: str) -> dict[str, float]:
    """What any client built on httpx and pydantic pays for its first request, and no more:
    import both, POST one GraphQL query for the run's name (no certificates loaded: the URL
    is ``http://``), and validate the reply into a one-field pydantic model (pydantic's
    plugin discovery and one validator build included). The same span as ``measure_import``."""
    started, cpu_started = time.perf_counter(), time.process_time()
    import httpx
    from pydantic import BaseModel

    class RunName(BaseModel):
        name: str

    entity, project, name = run_path.split("/")
    with httpx.Client(base_url=os.environ["BENCH_BASE_URL"], verify=False) as client:
        reply = client.post(
            "/graphql",
            json={
                "query": FLOOR_QUERY,
                "variables": {"entity": entity, "project": project, "name": name},
            },
            auth=("api", os.environ["BENCH_API_KEY"]),
        )
    reply.raise_for_status()
    run = RunName.model_validate(reply.json()["data"]["project"]["run"])
    check = float(len(run.name))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "items": 1, "check": check}


def measure_task(contender: str, task: str, params: dict[str, object]) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    module = importlib.import_module(f"contender_{contender}")
    base_url = os.environ["BENCH_BASE_URL"]
    api_key = os.environ["BENCH_API_KEY"]
    started = time.perf_counter()
    client = module.open_client(base_url, api_key, params)
    opened = time.perf_counter()
    items, check, *extra = getattr(module, task)(client, params)
    finished = time.perf_counter()
    sidecar = sum(vm_hwm_mb(pid) for pid in descendant_pids(os.getpid()))
    module.close_client(client)
    return {
        "seconds": finished - opened,
        "open_seconds": opened - started,
        "items": items,
        "check": check,
        "sidecar_rss_mb": sidecar,
        **(extra[0] if extra else {}),
    }


def main() -> None:
    contender, task, raw_params = sys.argv[1:4]
    params: dict[str, object] = json.loads(raw_params)
    if task in ("import", "import_api"):
        result = measure_import(contender, build=task == "import_api")
    elif task == "import_api_run" and contender == "startup_floor":
        result = measure_startup_floor(str(params["path"]))
    elif task == "import_api_run":
        result = measure_import(contender, build=True, run_path=str(params["path"]))
    else:
        result = measure_task(contender, task, params)
    # VmHWM, not ru_maxrss: Linux carries the forking parent's peak into ru_maxrss across exec.
    result["rss_mb"] = vm_hwm_mb(os.getpid())
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
