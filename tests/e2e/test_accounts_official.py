"""Parity with the official client: ``wandb.Api`` (0.31.0) and ours read the same server and
find the same projects, run files (names, sizes, md5, downloaded bytes), users (with
their teams) and team members (wandb 0.31.0 selects ``Entity.entityType``, which
schema/patches.graphql adds to the vendored schema). Ours reads in both flavours."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runs_support import ENTITY, api_for

from wandb_typed import Api
from wandb_typed.errors import AuthenticationError
from wandb_typed.paths import RunPath
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.seed import SeedRun, seed_runs

pytestmark = [pytest.mark.official, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("official_accounts.py")
PROJECT = "parity"
TEAM = "parity-team"
FILES = {
    "config.yaml": b"a: 1\n",
    "media/table.json": b'{"columns": ["x"], "data": [[1], [2]]}',
    "model/weights.bin": bytes(range(256)) * 64,
}
USER_QUERIES = ["parity-user", "parity-user@example.org", "nobody-at-all", "parity"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own, filled through the wire."""
    with start_in_thread(tmp_path_factory.mktemp("parity-data")) as running:
        with api_for(running) as api:
            for name in ("a-proj", "b-proj", "c-proj", PROJECT):
                api.create_project(name, ENTITY)
            api.create_user("parity-user@example.org")
            api.create_user("parity-other@example.org")
            team = api.create_team(TEAM)
            team.invite("parity-user")
            team.invite("pending-person@example.org")
            team.create_service_account("parity robot")
            api.create_project("team-proj", TEAM)
        seed_runs(
            running.base_url,
            running.api_key,
            ENTITY,
            PROJECT,
            [SeedRun("with-files", files=FILES), SeedRun("no-files")],
        )
        yield running


def run_official(
    command: str, request: dict[str, Any], server: RunningServer, workdir: Path
) -> dict[str, Any]:
    """Run ``official_accounts.py <command>`` on ``request``; return its RESULT."""
    request_file = workdir / f"{command}-request.json"
    request_file.write_text(json.dumps(request))
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), command, str(request_file)],
        env=sdk_environment(server.base_url, server.api_key, workdir),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    return result


@pytest.fixture(scope="module")
def official(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Everything ``wandb.Api`` read, from one subprocess."""
    workdir = tmp_path_factory.mktemp("parity-work")
    request = {
        "project_entities": [ENTITY, TEAM],
        "sweeps_project": [ENTITY, PROJECT],
        "runs": [f"{ENTITY}/{PROJECT}/with-files", f"{ENTITY}/{PROJECT}/no-files"],
        "download_root": str(workdir / "downloads"),
        "user_queries": USER_QUERIES,
        "teams": [TEAM],
    }
    return run_official("read", request, server, workdir)


@pytest.fixture(scope="module")
def local_server(server: RunningServer) -> RunningServer:
    """The ``api`` fixture of either flavour reads this module's server."""
    return server


def test_projects_are_the_same(official: dict[str, Any], api: Api) -> None:
    for entity in (ENTITY, TEAM):
        ours = [[p.name, p.entity] for p in api.projects(entity, per_page=2)]
        assert ours == official["projects"][entity]
    assert official["sweeps"] == len(api.project(PROJECT, entity=ENTITY).sweeps()) == 0


def test_run_files_are_the_same(official: dict[str, Any], api: Api, tmp_path: Path) -> None:
    for run_id in ("with-files", "no-files"):
        path = f"{ENTITY}/{PROJECT}/{run_id}"
        files = api.run(path).files(per_page=2)
        assert [[f.name, f.size, f.md5] for f in files] == official["files"][path]
        root = tmp_path / run_id
        downloaded = sorted(
            [f.download(root=root).relative_to(root).as_posix(), f.size] for f in files
        )
        assert downloaded == official["files"][f"{path}#downloaded"]
    assert [name for name, _, _ in official["files"][f"{ENTITY}/{PROJECT}/with-files"]] == sorted(
        FILES
    )


def test_user_lookups_are_the_same(official: dict[str, Any], api: Api) -> None:
    for query in USER_QUERIES:
        user = api.user(query)
        ours = (
            None
            if user is None
            else {
                "username": user.username,
                "email": user.email,
                "teams": sorted(user.teams),
                "api_keys": len(user.api_keys),
            }
        )
        assert ours == official["user"][query]
        assert sorted(u.username or "" for u in api.users(query)) == official["users"][query]
    # A user's teams include their personal entity, as on W&B.
    assert official["user"]["parity-user"]["teams"] == sorted([TEAM, "parity-user"])


def test_files_of_a_run_path_parse_like_the_official_client(api: Api) -> None:
    run = api.run(f"{PROJECT}/with-files")
    assert run.file("config.yaml").run == RunPath(ENTITY, PROJECT, "with-files")


def test_what_the_official_client_writes_reads_back_with_ours(
    tmp_path: Path, server_factory: Callable[[], RunningServer], make_api: Callable[..., Api]
) -> None:
    # A server of its own: what the official client writes must not show in the reads the
    # other tests compare (nor be written twice, once per flavour).
    server = server_factory()
    api = make_api(api_key=server.api_key, overrides={"base_url": server.base_url})
    request = {
        "projects": [[ENTITY, "written-by-wandb"]],
        "emails": ["written.by.wandb@example.org"],
    }
    written = run_official("write", request, server, tmp_path)
    assert written["delete_ok"] is True
    assert api.project("written-by-wandb", entity=ENTITY).name == "written-by-wandb"
    user = api.user("written.by.wandb@example.org")
    assert user is not None
    assert user.username == written["users"][0]
    on_server = {"base_url": server.base_url}
    assert make_api(api_key=written["kept"], overrides=on_server).viewer.username == ENTITY
    as_deleted = make_api(api_key=written["deleted"], overrides=on_server)
    with pytest.raises(AuthenticationError):
        _ = as_deleted.viewer
    descriptions = [k.description for k in api.viewer.api_keys]
    assert "kept by the official client" in descriptions
    assert "deleted by the official client" not in descriptions


def test_team_members_are_the_same(official: dict[str, Any], api: Api) -> None:
    ours = [
        [m.username, m.name, m.admin, m.pending, m.account_type] for m in api.team(TEAM).members
    ]
    assert ours == official["teams"][TEAM]
    assert {m[0] for m in ours if not m[3]} >= {"parity-user"}
    assert any(m[3] for m in ours), "the emailed invite is pending"
    assert any(m[4] == "SERVICE" for m in ours), "the service account is listed"
