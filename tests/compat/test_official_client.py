"""The official SDK (wandb==0.31.0) logs into a fresh local server and reads it back.

One module-scoped fixture drives the whole story in subprocesses (each with its own Go
sidecar): log 3 runs online (nested config, tags, group, 1,000 steps with a sparse key, a
saved file, one non-zero exit), log one run offline and ``wandb sync`` it, resume a run,
read everything back with ``wandb.Api``, edit a run with ``run.update()``, read again,
restart the server on the same data dir and read again. The tests then compare.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed_server import start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.threaded import Exchange

pytestmark = [pytest.mark.official, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("official_client_scenarios.py")
_spec = importlib.util.spec_from_file_location("official_client_scenarios", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)

ENTITY = "lab"
PROJECT = "compat"
WANDB_CLI = Path(sys.executable).with_name("wandb")


def run_scenario(name: str, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Run one scenario of official_client_scenarios.py and return its RESULT."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), name, ENTITY, PROJECT, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"{name} printed no result:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


@dataclass
class Story:
    """Everything the official client saw."""

    ids: list[str]
    offline_id: str
    resume: dict[str, Any]
    before_update: dict[str, Any]
    after_update: dict[str, Any]
    after_restart: dict[str, Any]
    wrong_key: dict[str, Any]
    deleted: dict[str, Any]
    unauthorized_status: int
    unauthorized_body: str
    client_errors: list[Exchange]
    """Every 4xx the server answered the SDK (the wrong-key steps, 401 on purpose, left out)."""


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    data_dir = tmp_path_factory.mktemp("official-data")
    workdir = tmp_path_factory.mktemp("official-work")
    server = start_in_thread(data_dir)
    api_key = server.api_key
    try:
        env = sdk_environment(server.base_url, api_key, workdir)
        logged = run_scenario("log_runs", env, workdir)
        (workdir / "ids.json").write_text(json.dumps(logged))
        offline = run_scenario("log_offline", env, workdir)
        sync = subprocess.run(
            [str(WANDB_CLI), "sync", offline["dir"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert sync.returncode == 0, sync.stdout + sync.stderr
        resume = run_scenario("resume_run", env, workdir)
        before = run_scenario("read_back", env, workdir)
        run_scenario("update_run", env, workdir)
        after = run_scenario("read_back", env, workdir)
        client_errors = server.log.client_errors()
        wrong = run_scenario("wrong_key", env, workdir)
        response = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": "{ viewer { id } }"},
            auth=("api", "f" * 40),
        )
    finally:
        server.stop()
    restarted = start_in_thread(data_dir, api_key=api_key)
    try:
        restart_env = sdk_environment(restarted.base_url, api_key, workdir)
        restart_read = run_scenario("read_back", restart_env, workdir)
        deleted = run_scenario("delete_run", restart_env, workdir)
        client_errors += restarted.log.client_errors()
    finally:
        restarted.stop()
    return Story(
        ids=logged["ids"],
        offline_id=offline["id"],
        resume=resume,
        before_update=before,
        after_update=after,
        after_restart=restart_read,
        wrong_key=wrong,
        deleted=deleted,
        unauthorized_status=response.status_code,
        unauthorized_body=response.text,
        client_errors=client_errors,
    )


def test_the_sdk_meets_no_client_error(story: Story) -> None:
    """No 4xx answers to what the SDK sent while logging, syncing, resuming, reading, editing
    and deleting: a 4xx the server does not mean (a field the schema lacks, such as the
    coreWeaveOrganizationId every wandb.init asks for) shows here."""
    assert story.client_errors == []


def _user_keys(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def test_all_runs_listed(story: Story) -> None:
    assert story.before_update["count"] == 5
    assert set(story.before_update["runs"]) == {*story.ids, story.offline_id, "allowrun1"}


def test_filter_and_order(story: Story) -> None:
    assert story.before_update["filtered"] == ["second run", "first run"]
    assert story.after_update["filtered"] == ["second run"]  # the first run moved to sweep-z


def test_states_follow_exit_codes(story: Story) -> None:
    runs = story.before_update["runs"]
    assert [runs[run_id]["state"] for run_id in story.ids] == ["finished", "finished", "failed"]
    assert runs[story.offline_id]["state"] == "finished"


def test_config_tags_group_job_type_notes(story: Story) -> None:
    runs = story.before_update["runs"]
    for run_id, spec in zip(story.ids, scenarios.RUN_SPECS, strict=True):
        run = runs[run_id]
        assert run["config"] == spec["config"]
        assert run["tags"] == spec["tags"]
        assert run["group"] == spec["group"]
        assert run["job_type"] == spec["job_type"]
        assert run["display_name"] == spec["name"]
        assert (run["notes"] or None) == spec["notes"]


def test_scan_history_returns_every_logged_row(story: Story) -> None:
    runs = story.before_update["runs"]
    for index, run_id in enumerate(story.ids):
        scan = runs[run_id]["scan"]
        logged = scan[: scenarios.STEPS]
        assert [row["_step"] for row in logged] == list(range(scenarios.STEPS))
        assert [_user_keys(row) for row in logged] == [
            scenarios.logged_row(index, step) for step in range(scenarios.STEPS)
        ]
    resumed = runs[story.ids[0]]["scan"][scenarios.STEPS :]
    assert [_user_keys(row) for row in resumed] == [{"resumed_metric": step} for step in range(10)]
    assert [row["_step"] for row in resumed] == list(range(scenarios.STEPS, scenarios.STEPS + 10))


def test_scan_history_with_keys_returns_only_rows_having_them(story: Story) -> None:
    run = story.before_update["runs"][story.ids[1]]
    expected = [
        {"_step": step, "sparse": step * 10 + 1}
        for step in range(0, scenarios.STEPS, scenarios.SPARSE_EVERY)
    ]
    assert run["sparse_scan"] == expected


def test_sampled_history_spans_the_run(story: Story) -> None:
    run = story.before_update["runs"][story.ids[1]]
    assert run["sampled_len"] == 100
    first, last = run["sampled_first_last"]
    assert first["_step"] == 0
    assert last["_step"] == scenarios.STEPS - 1


def test_summary(story: Story) -> None:
    runs = story.before_update["runs"]
    for index, run_id in enumerate(story.ids[1:], start=1):
        summary = runs[run_id]["summary"]
        last = scenarios.logged_row(index, scenarios.STEPS - 1)
        assert summary["loss"] == last["loss"]
        assert summary["acc"] == last["acc"]
        assert summary["sparse"] == (scenarios.STEPS - scenarios.SPARSE_EVERY) * 10 + index
        assert summary["best_acc"] == pytest.approx(0.99 - index / 100)


def test_resume_continues_the_step_counter(story: Story) -> None:
    assert story.resume["starting_step"] == scenarios.STEPS
    assert story.resume["allow_new_starting_step"] == 0  # resume="allow" on a new id
    allowed = story.before_update["runs"]["allowrun1"]
    assert [_user_keys(row) for row in allowed["scan"]] == [{"allowed": 1}]
    summary = story.before_update["runs"][story.ids[0]]["summary"]
    assert summary["resumed_metric"] == 9
    assert summary["best_acc"] == pytest.approx(0.99)


def test_saved_file_downloads_intact(story: Story) -> None:
    run = story.before_update["runs"][story.ids[0]]
    content = b"saved with run.save\n" * 10
    assert run["files"]["notes.txt"] == {
        "size": len(content),
        "md5": base64.b64encode(hashlib.md5(content).digest()).decode(),
        "bytes_read": len(content),
    }
    assert run["saved_text"] == content.decode()
    assert {"wandb-summary.json", "config.yaml", "wandb-metadata.json"} <= set(run["files"])


def test_offline_run_synced(story: Story) -> None:
    run = story.before_update["runs"][story.offline_id]
    assert run["config"] == {"lr": 0.5}
    assert [_user_keys(row) for row in run["scan"]] == [
        {"offline_metric": s * 2} for s in range(50)
    ]
    assert run["summary"]["offline_metric"] == 98


def test_run_update_round_trips(story: Story) -> None:
    run = story.after_update["runs"][story.ids[0]]
    assert run["tags"] == ["baseline", "cnn", "updated"]
    assert run["config"] == {**scenarios.RUN_SPECS[0]["config"], "extra": {"nested": [1, 2]}}
    assert run["summary"]["post_hoc"] == 42
    assert run["summary"]["resumed_metric"] == 9
    assert run["notes"] == "edited notes"
    assert run["display_name"] == "renamed run"
    assert run["group"] == "sweep-z"
    assert run["job_type"] == "retrain"
    untouched = story.after_update["runs"][story.ids[1]]
    assert untouched == story.before_update["runs"][story.ids[1]]


def test_restart_serves_the_same_data(story: Story) -> None:
    assert story.after_restart == story.after_update


def test_wrong_key_gets_nothing(story: Story) -> None:
    assert story.wrong_key["error"] is not None
    assert story.unauthorized_status == 401
    assert "data" not in story.unauthorized_body


def test_viewer_default_entity_and_projects(story: Story) -> None:
    read = story.before_update
    assert (read["viewer"], read["default_entity"]) == ("admin", "admin")
    assert read["projects"] == [PROJECT]
    assert read["project_has_id"] is True


def test_run_delete(story: Story) -> None:
    assert story.deleted == {"before": 5, "after": 4}
