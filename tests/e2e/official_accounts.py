"""Projects, run files, users and teams through the official ``wandb.Api`` (run in a
subprocess, so its Go sidecar stays isolated); the result is printed as one
``RESULT <json>`` line.

Usage: ``python official_accounts.py read|write <request.json>``: ``read`` reports what the
request names (see :func:`read`), ``write`` creates what it names (see :func:`write`). The
environment (WANDB_BASE_URL, WANDB_API_KEY, ...) comes from
``wandb_typed_server.testing.sdk_env.sdk_environment``.
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


def write(request: dict[str, Any]) -> dict[str, Any]:
    """Create projects and users, and generate two API keys then delete the second, with
    ``wandb.Api``; returns the created usernames and both secrets."""
    api = wandb.Api(timeout=60)
    for entity, name in request["projects"]:
        api.create_project(name, entity)
    created = [api.create_user(email).username for email in request["emails"]]
    viewer = api.viewer
    kept = viewer.generate_api_key("kept by the official client")
    deleted = viewer.generate_api_key("deleted by the official client")
    assert deleted == viewer.api_keys[-1]
    return {
        "users": created,
        "kept": kept,
        "deleted": deleted,
        "delete_ok": viewer.delete_api_key(deleted),
    }


if __name__ == "__main__":
    command = {"read": read, "write": write}[sys.argv[1]]
    print("RESULT " + json.dumps(command(json.loads(Path(sys.argv[2]).read_text()))))
