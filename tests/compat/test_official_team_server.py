"""The local server as a team's tracking server: where the official SDK (wandb==0.31.0)
relies on W&B's semantics, ours must match (issue 18). Each scenario of
official_team_scenarios.py runs in a subprocess against one fresh server; the server's
exchange log shows what the SDK sent and what it was answered."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wandb_typed import Api
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.threaded import Exchange

pytestmark = [pytest.mark.official, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("official_team_scenarios.py")
_spec = importlib.util.spec_from_file_location("official_team_scenarios", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)

ENTITY = "admin"
PROJECT = "team-server"


def run_step(name: str, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Run one step of official_team_scenarios.py and return its RESULT."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), name, ENTITY, PROJECT, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"{name} printed no result:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


@dataclass
class Story:
    """What each step saw, and every request the server answered meanwhile."""

    server: RunningServer
    api_key: str
    gzip: dict[str, Any]
    accounts: dict[str, Any]
    edits: dict[str, Any]
    exchanges: list[Exchange]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    workdir = tmp_path_factory.mktemp("team-server-work")
    with start_in_thread(tmp_path_factory.mktemp("team-server-data")) as server:
        env = sdk_environment(server.base_url, server.api_key, workdir)
        gzip = run_step("log_gzip", env, workdir)
        accounts = run_step("accounts", env, workdir)
        edits = run_step("run_edits", env, workdir)
        yield Story(server, server.api_key, gzip, accounts, edits, list(server.log.exchanges))


def test_the_sdk_meets_no_client_error(story: Story) -> None:
    """No 4xx in any step: among others, every wandb.init asks for the entity's organization's
    coreWeaveOrganizationId, which a schema without it refuses with a 400."""
    errors = [e for e in story.exchanges if 400 <= e.status < 500]
    assert errors == []
    assert story.exchanges


def test_file_stream_bodies_may_be_gzipped(story: Story) -> None:
    streams = [e for e in story.exchanges if e.path.endswith(f"/{story.gzip['id']}/file_stream")]
    assert streams
    assert {e.content_encoding for e in streams} == {"gzip"}
    assert {e.status for e in streams} == {200}
    expected = [{"_step": step, **scenarios.gzip_row(step)} for step in range(scenarios.GZIP_STEPS)]
    assert story.gzip["rows"] == expected


def test_ours_reads_the_gzipped_history(story: Story) -> None:
    with Api(api_key=story.api_key, overrides={"base_url": story.server.base_url}) as api:
        run = api.run(f"{ENTITY}/{PROJECT}/{story.gzip['id']}")
        rows = [
            {k: v for k, v in row.items() if k in ("_step", "loss", "text")}
            for row in run.scan_history()
        ]
    assert rows == story.gzip["rows"]


def test_viewer_teams_include_the_personal_entity(story: Story) -> None:
    assert story.accounts["username"] == ENTITY
    assert story.accounts["teams"] == [ENTITY]


def test_an_api_key_is_named_by_a_prefix_of_itself(story: Story) -> None:
    assert len(story.accounts["api_keys"]) == 1
    assert story.accounts["key_prefixes"] == [True]
    assert story.accounts["api_keys"][0] != story.api_key


def test_the_owner_of_a_personal_entity_is_a_user_member(story: Story) -> None:
    assert story.accounts["members"] == [[ENTITY, "USER"]]


def test_update_state(story: Story) -> None:
    edits = story.edits
    assert (edits["state_before"], edits["updated"], edits["state_after"]) == (
        "running",
        True,
        "failed",
    )
    assert edits["read_state"] == "failed"
    assert edits["refused"] is not None
    assert "invalid state transition" in edits["refused"]
    with Api(api_key=story.api_key, overrides={"base_url": story.server.base_url}) as api:
        assert api.run(f"{ENTITY}/{PROJECT}/{edits['id']}").state == "failed"


def test_deleting_a_deleted_run_succeeds(story: Story) -> None:
    assert story.edits["second_delete"] == "ok"
    with Api(api_key=story.api_key, overrides={"base_url": story.server.base_url}) as api:
        assert not [
            run for run in api.runs(f"{ENTITY}/{PROJECT}") if run.id == story.edits["doomed_id"]
        ]
