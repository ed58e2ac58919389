"""Automations with the official SDK (wandb==0.31.0) and ``wandb.Api`` against a fresh local
server that really fires them at a real HTTP receiver, and ours reading the same.

``wandb.Api`` has no public call to create integrations: the scenario stores a team secret
and creates the webhook integration (its access token names the secret) with the official
client's own GraphQL transport and its own ``CreateGenericWebhookIntegration`` document, as
W&B's UI does. It then creates four automations with ``Api.create_automation``: (a) a run
metric crossing a threshold, (b) a run finishing as failed, (c) the alias ``production``
added to a version, (d) a link into a registry. The SDK logs runs and an artifact that
trigger each once; the receiver must get exactly one POST per event, with the payload
variables filled and the bearer token in the header. Ours lists, reads, updates, disables
and deletes the same automations (both flavours) and the official client sees the changes.
A receiver that never answers does not hold up the SDK: the run logs more and finishes while
the receiver still holds the delivery (an ordering of events, not a timer).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from flavours import FLAVOURS, Flavour, Portal, open_api
from wandb_typed import Api
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.http.automation_worker import DeliveryPolicy
from wandb_typed_server.storage.organizations import DEFAULT_ORGANIZATION
from wandb_typed_server.testing.sdk_env import sdk_environment
from webhook_receiver import Receiver, running_receiver

pytestmark = [pytest.mark.official, pytest.mark.slow]

HERE = Path(__file__).parent
SCENARIOS = HERE / "official_automation_scenarios.py"
ENTITY = "lab"
PROJECT = "zoo"
SLOW_PROJECT = "patience"
ORG_ENTITY = f"{DEFAULT_ORGANIZATION}-org"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scenarios = _load(SCENARIOS)


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"{args} printed no result:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


def _deliveries(server: RunningServer) -> list[dict[str, Any]]:
    """Every trigger's deliveries, through GraphQL (Trigger.deliveries)."""
    query = """
    query ($entity: String!) {
      entity(name: $entity) { projects(first: 100) { edges { node { name triggers {
        name enabled deliveries { status attempts lastStatusCode lastError payload }
      } } } } }
    }"""
    found: list[dict[str, Any]] = []
    for entity in (ENTITY, ORG_ENTITY):
        reply = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": query, "variables": {"entity": entity}},
            auth=("api", server.api_key),
            timeout=30,
        ).json()
        for edge in reply["data"]["entity"]["projects"]["edges"]:
            for trigger in edge["node"]["triggers"]:
                for delivery in trigger["deliveries"]:
                    found.append({"trigger": trigger["name"], **delivery})
    return found


def _settled(server: RunningServer) -> list[dict[str, Any]]:
    """:func:`_deliveries` once none is waiting or being sent (the receiver records a request
    before it answers; the server records the answer after)."""
    deadline = time.monotonic() + 60
    while True:
        found = _deliveries(server)
        if (
            all(d["status"] in ("DELIVERED", "FAILED") for d in found)
            or time.monotonic() > deadline
        ):
            return found
        time.sleep(0.05)


@dataclass
class Story:
    """What the official client did and saw, what the receiver got, and what ours saw."""

    server: RunningServer
    receiver: Receiver
    created: dict[str, Any]
    logged: dict[str, Any]
    posts: list[Any]
    read: dict[str, Any]
    ours: dict[Flavour, dict[str, Any]]
    read_after_edit: dict[str, Any]
    slow: dict[str, Any]
    held_after_sdk: int
    released_before_sdk_finished: bool
    server_log: str


def _read_with_ours(server: RunningServer) -> dict[Flavour, dict[str, Any]]:
    ours: dict[Flavour, dict[str, Any]] = {}
    with Portal() as portal:
        for flavour in FLAVOURS:
            api = open_api(
                flavour, portal, api_key=server.api_key, overrides={"base_url": server.base_url}
            )
            with api:
                ours[flavour] = json.loads(
                    json.dumps(scenarios.read_with(api, ENTITY), default=str)
                )
    return ours


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    workdir = tmp_path_factory.mktemp("official-automations-work")
    log_records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: log_records.append(record.getMessage())  # type: ignore[method-assign]
    server_logger = logging.getLogger("wandb_typed_server")
    server_logger.addHandler(handler)
    server_logger.setLevel(logging.DEBUG)
    policy = DeliveryPolicy(backoff_seconds=0.05, timeout_seconds=300)
    try:
        with (
            running_receiver() as receiver,
            start_in_thread(
                tmp_path_factory.mktemp("official-automations-data"), delivery_policy=policy
            ) as server,
        ):
            env = sdk_environment(server.base_url, server.api_key, workdir)

            def step(name: str, url: str, project: str = PROJECT) -> Any:
                return _run([str(SCENARIOS), name, ENTITY, project, url], env)

            created = step("create", f"{receiver.url}/hook")
            logged = step("log", f"{receiver.url}/hook")
            receiver.wait_for(4, "/hook")
            read = step("read", f"{receiver.url}/hook")
            ours = _read_with_ours(server)
            with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
                failed = api.automation(name=scenarios.NAMES["failed"], entity=ENTITY)
                failed.enabled = False
                api.update_automation(failed)
                metric = api.automation(name=scenarios.NAMES["metric"], entity=ENTITY)
                api.update_automation(metric, description="edited by ours")
                api.delete_automation(api.automation(name=scenarios.NAMES["alias"], entity=ENTITY))
            read_after_edit = step("read", f"{receiver.url}/hook")
            with httpx.Client(timeout=30) as client:
                client.post(
                    f"{server.base_url}/graphql",
                    auth=("api", server.api_key),
                    json={
                        "query": "mutation($n: String!, $e: String!) {"
                        " upsertModel(input: {name: $n, entityName: $e}) { project { id } } }",
                        "variables": {"n": SLOW_PROJECT, "e": ENTITY},
                    },
                ).raise_for_status()
            slow = step("slow_receiver", receiver.url, SLOW_PROJECT)
            held_after_sdk = receiver.held
            released_before = receiver.released
            receiver.release()
            receiver.wait_for(1, "/hang")
            posts = receiver.wait_for(4, "/hook")
            yield Story(
                server,
                receiver,
                created,
                logged,
                posts,
                read,
                ours,
                read_after_edit,
                slow,
                held_after_sdk,
                released_before,
                "\n".join(log_records),
            )
    finally:
        server_logger.removeHandler(handler)


def _by_event(posts: list[Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for post in posts:
        found.setdefault(post.body["event"], []).append(post)
    return found


# -- what the receiver got ---------------------------------------------------------------


def test_each_event_arrives_exactly_once_with_the_bearer_token(story: Story) -> None:
    hook_posts = [d for d in story.receiver.deliveries if d.path == "/hook"]
    assert sorted(_by_event(hook_posts)) == [
        "ADD_ARTIFACT_ALIAS",
        "LINK_MODEL",
        "RUN_METRIC",
        "RUN_STATE",
    ]
    assert len(hook_posts) == 4
    for post in hook_posts:
        assert post.headers["Authorization"] == f"Bearer {scenarios.TOKEN_VALUE}"
        assert post.headers["Content-Type"] == "application/json"
        assert post.status == 200
    ours = [d for d in _settled(story.server) if d["trigger"] in scenarios.NAMES.values()]
    # (ours deleted the alias automation since: a trigger's deliveries go with it)
    kept = [name for key, name in scenarios.NAMES.items() if key != "alias"]
    assert sorted((d["trigger"], d["status"], d["attempts"]) for d in ours) == sorted(
        (name, "DELIVERED", 1) for name in kept
    )


def test_payload_variables_are_filled_for_each_event(story: Story) -> None:
    events = {name: posts[0].body for name, posts in _by_event(story.posts).items()}
    metric = events["RUN_METRIC"]
    assert (metric["run"], metric["run_id"], metric["metric"], metric["value"]) == (
        "crosser",
        story.logged["crosser"],
        "loss",
        "0.7",
    )
    assert (metric["entity"], metric["project"], metric["author"]) == (ENTITY, PROJECT, "admin")
    failed = events["RUN_STATE"]
    assert (failed["run"], failed["run_id"], failed["state"]) == (
        "doomed",
        story.logged["failing"],
        "failed",
    )
    alias = events["ADD_ARTIFACT_ALIAS"]
    assert (alias["alias"], alias["artifact"], alias["collection"]) == (
        "production",
        f"{ENTITY}/{PROJECT}/net:v0",
        "net",
    )
    link = events["LINK_MODEL"]
    assert (link["artifact"], link["collection"], link["project"]) == (
        f"{ORG_ENTITY}/wandb-registry-{scenarios.REGISTRY}/{scenarios.REGISTRY_COLLECTION}:v0",
        scenarios.REGISTRY_COLLECTION,
        f"wandb-registry-{scenarios.REGISTRY}",
    )
    # what an event does not have is empty, never a leftover ${placeholder}
    assert all("${" not in str(value) for body in events.values() for value in body.values())


def test_a_receiver_that_never_answers_does_not_hold_up_the_sdk(story: Story) -> None:
    # The SDK logged more and finished while the receiver held the delivery unanswered.
    assert story.slow["held_when_finished"] == 1
    assert story.held_after_sdk == 1
    assert not story.released_before_sdk_finished
    (hung,) = story.receiver.wait_for(1, "/hang")
    assert hung.body == {"run": "unhindered"}
    slow = [d for d in _settled(story.server) if d["trigger"] == "score-above-one"]
    assert [(d["status"], d["attempts"]) for d in slow] == [("DELIVERED", 1)]


# -- what the official client did --------------------------------------------------------


def test_official_client_creates_the_four_automations_and_the_webhook(story: Story) -> None:
    assert story.created["created"] == scenarios.NAMES
    assert story.created["hook"] == {"name": scenarios.HOOK, "url": story.created["hook"]["url"]}
    assert story.created["hook"]["url"].endswith("/hook")


def test_duplicate_name_is_409_and_fetch_existing_returns_it(story: Story) -> None:
    assert "exists" in story.created["duplicate"]
    assert story.created["existing"] == scenarios.NAMES["metric"]
    assert story.created["existing_id"]


def test_updating_a_missing_automation_is_404(story: Story) -> None:
    assert "not found" in story.created["update_missing"]
    # wandb 0.31.0's create_missing re-validates the saved Automation as a new one and fails
    # in the client itself, before any request (ours creates it: tests/e2e/test_automations).
    assert story.created["create_missing"] == "CommError"


def test_official_reads_what_was_created(story: Story) -> None:
    names = [a["name"] for a in story.read["automations"]]
    assert names == sorted(
        [scenarios.NAMES["metric"], scenarios.NAMES["failed"], scenarios.NAMES["alias"]]
    )
    failed = story.read["one"]
    assert (failed["event"], failed["scope"], failed["enabled"]) == ("RUN_STATE", PROJECT, True)
    assert failed["filter"]["run_state_filter"] == {"states": ["FAILED"]}
    assert failed["payload"] == scenarios.PAYLOAD
    alias = next(a for a in story.read["automations"] if a["event"] == "ADD_ARTIFACT_ALIAS")
    assert alias["filter"] == {"$or": [{"$and": [{"alias": {"$regex": "^production$"}}]}]}
    assert story.read["hooks"] == [story.created["hook"]]
    assert [kind for kind, _ in story.read["integrations"]] == ["WebhookIntegration"]
    # without an entity: every project the key may read, the registry's included
    assert story.read["everywhere"] == sorted(scenarios.NAMES.values())


# -- ours --------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_reads_the_same_as_the_official_client(story: Story, flavour: Flavour) -> None:
    assert story.ours[flavour] == story.read


def test_official_client_sees_ours_update_disable_and_delete(story: Story) -> None:
    after = {a["name"]: a for a in story.read_after_edit["automations"]}
    assert sorted(after) == sorted([scenarios.NAMES["metric"], scenarios.NAMES["failed"]])
    assert after[scenarios.NAMES["failed"]]["enabled"] is False
    assert after[scenarios.NAMES["metric"]]["description"] == "edited by ours"
    before = {a["name"]: a for a in story.read["automations"]}
    for name, automation in after.items():
        unchanged = {k: v for k, v in automation.items() if k not in ("enabled", "description")}
        assert unchanged == {
            k: v for k, v in before[name].items() if k not in ("enabled", "description")
        }


def test_the_secret_never_appears_in_a_read_or_the_log(story: Story) -> None:
    secret = scenarios.TOKEN_VALUE
    reads = json.dumps([story.read, story.read_after_edit, story.ours, story.created])
    assert secret not in reads
    assert secret not in json.dumps(_settled(story.server))
    assert secret not in story.server_log
