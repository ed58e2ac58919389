"""The official ``wandb.Api`` (0.31.0) on launch objects, in a subprocess.

Usage: ``python official_launch.py <plan.json>``; WANDB_BASE_URL and WANDB_API_KEY point at
the server. The plan names what ours wrote (a queue, its item, a project with a job); the
script reads those with ``Api.run_queue``, ``queued_run``, ``list_jobs`` and ``job``, then
writes its own (``create_run_queue``, ``upsert_run_queue``, ``Job.call``) for ours to read.
Prints one line ``RESULT <json>``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import wandb


def read_queue(api: Any, entity: str, name: str) -> dict[str, Any]:
    queue = api.run_queue(entity, name)
    return {
        "id": queue.id,
        "access": queue.access,
        "prioritization_mode": queue.prioritization_mode,
        "type": queue.type,
        "default_resource_config": queue.default_resource_config,
        "template_variables": queue.template_variables,
        "items": [[item.id, item.state] for item in queue.items],
    }


def main(plan: dict[str, Any]) -> None:
    api = wandb.Api()
    entity, project, queue_name = plan["entity"], plan["project"], plan["queue"]
    queued = api.queued_run(entity, project, queue_name, plan["item"], "model-registry")
    run = queued.wait_until_running()
    job = api.job(plan["job"], path=plan["download"])
    result: dict[str, Any] = {
        "queue": read_queue(api, entity, queue_name),
        "item_state": queued.state,
        "item_run": [run.id, run.state, run.project],
        "list_jobs": api.list_jobs(entity, project),
        "job": {
            "name": job.name,
            "entrypoint": job._entrypoint,
            "source_type": job._job_info.get("source_type"),
        },
    }
    # The official client's own writes, for ours to read.
    api.create_run_queue(
        "official-v0",
        "local-process",
        entity=entity,
        prioritization_mode="V0",
        config={"env": ["N={{n}}"]},
        template_variables={"n": {"schema": {"type": "integer", "default": 1}}},
    )
    api.upsert_run_queue(
        "official-upserted",
        {"env": []},
        "local-process",
        entity=entity,
        external_links={"runbook": "https://example.com/runbook"},
    )
    pushed = job.call(
        config={}, project=project, queue="official-v0", resource="local-process", priority=1
    )
    result["official_item"] = pushed.id
    result["official_item_state"] = pushed.state
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as plan_file:
        main(json.load(plan_file))
