"""Read projects, run files, users and teams with the official ``wandb.Api`` (in a
subprocess, so its Go sidecar stays isolated) and print them as one ``RESULT <json>`` line.

Usage: ``python official_accounts_reader.py <request.json>``; the request names what to
read (see :func:`read`). The environment (WANDB_BASE_URL, WANDB_API_KEY, ...) comes from
``wandb_typed.server.sdk_env.sdk_environment``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import wandb


def read(request: dict[str, Any]) -> dict[str, Any]:
    """What ``wandb.Api`` shows for the entities, runs, users and teams named in ``request``."""
    api = wandb.Api(timeout=60)
    result: dict[str, Any] = {}
    result["projects"] = {
        entity: [[p.name, p.entity] for p in api.projects(entity, per_page=2)]
        for entity in request["project_entities"]
    }
    entity, project = request["sweeps_project"]
    result["sweeps"] = len(api.project(project, entity=entity).sweeps())
    files: dict[str, Any] = {}
    for run_path in request["runs"]:
        run = api.run(run_path)
        files[run_path] = [[f.name, f.size, f.md5] for f in run.files(per_page=2)]
        download_root = Path(request["download_root"]) / run.id
        for f in run.files():
            f.download(root=str(download_root), replace=True).close()
        files[run_path + "#downloaded"] = sorted(
            [p.relative_to(download_root).as_posix(), p.stat().st_size]
            for p in download_root.rglob("*")
            if p.is_file()
        )
    result["files"] = files
    users: dict[str, Any] = {}
    for query in request["user_queries"]:
        user = api.user(query)
        users[query] = (
            None
            if user is None
            else {
                "username": user.username,
                "email": user.email,
                "teams": sorted(user.teams),
                "api_keys": len(user.api_keys),
            }
        )
    result["user"] = users
    result["users"] = {
        query: sorted(u.username for u in api.users(query)) for query in request["user_queries"]
    }
    result["teams"] = {
        name: [
            [m.username, m.name, bool(m.admin), bool(m.pending), m.account_type]
            for m in api.team(name).members
        ]
        for name in request["teams"]
    }
    return result


if __name__ == "__main__":
    print("RESULT " + json.dumps(read(json.loads(Path(sys.argv[1]).read_text()))))
