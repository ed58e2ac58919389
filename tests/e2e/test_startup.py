"""The first request of a fresh process pays only for what it uses: ``import wandb_typed``,
one ``Api`` (or ``AsyncApi``) and ``api.run(path)`` against the real local server over
``http://`` load the models of ``GetRun`` (the classes of ``RunFragment``) and no other
fragment's, none of the other domains' object modules, and no CA bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from flavours import Flavour
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

FIRST_REQUEST = textwrap.dedent(
    """
    import asyncio, json, sys
    import wandb_typed
    from wandb_typed._transport_base import shared_ssl_context

    base_url, api_key, path, flavour = sys.argv[1:5]
    arguments = {"api_key": api_key, "overrides": {"base_url": base_url}}
    if flavour == "sync":
        run_id = wandb_typed.Api(**arguments).run(path).id
    else:
        async def first() -> str:
            async with wandb_typed.AsyncApi(**arguments) as api:
                return (await api.run(path)).id
        run_id = asyncio.run(first())
    print(json.dumps({
        "id": run_id,
        "modules": sorted(name for name in sys.modules if name.startswith("wandb_typed")),
        "trust_loaded": shared_ssl_context().trust_loaded,
    }))
    """
)


@pytest.fixture(scope="module")
def first_run(local_server: RunningServer) -> str:
    seed_runs(local_server.base_url, local_server.api_key, "admin", "startup", [SeedRun("first")])
    return "admin/startup/first"


def _first_request(server: RunningServer, path: str, flavour: Flavour) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WANDB_")}
    completed = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST, server.base_url, server.api_key, path, flavour],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    found: dict[str, object] = json.loads(completed.stdout.splitlines()[-1])
    return found


def test_the_first_run_loads_only_its_own_models(
    local_server: RunningServer, first_run: str, flavour: Flavour
) -> None:
    found = _first_request(local_server, first_run, flavour)
    modules = found["modules"]
    assert isinstance(modules, list)
    twin = "_sync" if flavour == "sync" else "_async"

    assert found["id"] == "first"
    assert f"wandb_typed.runs.{twin}.run" in modules
    assert [name for name in modules if name.startswith("wandb_typed._generated.fragments.")] == [
        "wandb_typed._generated.fragments.heavy_run_fragment",
        "wandb_typed._generated.fragments.light_run_fragment",
        "wandb_typed._generated.fragments.run_fragment",
    ]
    generated = {name for name in modules if name.startswith("wandb_typed._generated.get_")}
    assert generated == {"wandb_typed._generated.get_run"}
    for unused in (
        "wandb_typed.tensorboard.events",
        f"wandb_typed.teams.{twin}.team",
        f"wandb_typed.projects.{twin}.project",
        "wandb_typed.reports.report_data",
    ):
        assert unused not in modules
    assert found["trust_loaded"] is False, "an http:// server needs no CA bundle"
