"""Automations end to end with our client alone, in both flavours, against the local server
firing at a real HTTP receiver: create, list, read, update, disable and delete; a receiver
that fails twice gets the event on the third try; bad input is refused by name. (The official
client's side is in ``tests/compat/test_official_automations``.)

Webhook integrations and team secrets are made through the server's GraphQL, as W&B's UI
makes them (neither wandb's ``Api`` nor ours has a call for it).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed import ArtifactDraft
from wandb_typed.automations import (
    ArtifactCollectionScope,
    ArtifactEvent,
    DoNothing,
    OnAddArtifactAlias,
    OnCreateArtifact,
    OnRunMetric,
    OnRunState,
    ProjectScope,
    RunEvent,
    SendWebhook,
)
from wandb_typed.errors import GraphQLError, InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer
from webhook_receiver import Receiver, running_receiver

ENTITY = "admin"
SECRET = "tok-e2e-hidden-value"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as found:
        yield found


@pytest.fixture
def project(request: pytest.FixtureRequest) -> str:
    # One project per test and flavour.
    return f"e2e-auto-{request.node.name}".replace("[", "-").replace("]", "")[:60]


def _graphql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    reply = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": query, "variables": variables},
        auth=("api", server.api_key),
        timeout=30,
    )
    body: dict[str, Any] = reply.json()
    body["status"] = reply.status_code
    return body


def _webhook(server: RunningServer, name: str, url: str) -> None:
    """A team secret and a webhook whose access token is that secret."""
    _graphql(
        server,
        "mutation($i: InsertSecretInput!) { insertSecret(input: $i) { success } }",
        i={"entityName": ENTITY, "secretName": "E2E_TOKEN", "secretValue": SECRET},
    )
    made = _graphql(
        server,
        "mutation($i: CreateGenericWebhookIntegrationInput!) {"
        " createGenericWebhookIntegration(input: $i) { integration { id } } }",
        i={"entityName": ENTITY, "name": name, "urlEndpoint": url, "accessTokenRef": "E2E_TOKEN"},
    )
    assert "errors" not in made, made


def _hook(api: Any, server: RunningServer, name: str, url: str) -> Any:
    _webhook(server, name, url)
    return next(h for h in api.webhook_integrations(ENTITY) if h.name == name)


def _deliveries(server: RunningServer, project: str) -> dict[str, list[dict[str, Any]]]:
    reply = _graphql(
        server,
        "query($e: String!, $p: String!) { project(entityName: $e, name: $p) {"
        " triggers { name deliveries { status attempts lastStatusCode lastError payload } } } }",
        e=ENTITY,
        p=project,
    )
    return {t["name"]: t["deliveries"] for t in reply["data"]["project"]["triggers"]}


def _settled(server: RunningServer, project: str, name: str) -> list[dict[str, Any]]:
    """The deliveries of automation ``name`` once none is waiting or being sent (the receiver
    records a request before it answers, the server records the answer after)."""
    deadline = time.monotonic() + 60
    while True:
        found = _deliveries(server, project).get(name, [])
        if (
            all(d["status"] in ("DELIVERED", "FAILED") for d in found)
            or time.monotonic() > deadline
        ):
            return found
        time.sleep(0.05)


def _log(api: Any, project: str, tmp_path: Path, aliases: list[str]) -> Any:
    run = api.create_run(project=project, entity=ENTITY)
    (tmp_path / "w.txt").write_text("weights")
    draft = ArtifactDraft("net", type="model")
    draft.add_file(str(tmp_path / "w.txt"))
    return run.log_artifact(draft, aliases=aliases)


def test_create_list_read_update_disable_delete(
    api: Any, local_server: RunningServer, receiver: Receiver, project: str
) -> None:
    scope = api.create_project(project, ENTITY)
    hook = _hook(api, local_server, f"hook-{project}", f"{receiver.url}/ok")
    action = SendWebhook.from_integration(hook, payload={"alias": "${alias}"})
    created = api.create_automation(
        OnAddArtifactAlias(scope=scope, filter=ArtifactEvent.alias.eq("production")) >> action,
        name=f"{project}-alias",
        description="ship it",
    )
    metric = api.create_automation(
        OnRunMetric(scope=scope, filter=RunEvent.metric("loss").avg(5) > 0.5) >> DoNothing(),
        name=f"{project}-loss",
    )
    assert (created.name, created.description, created.enabled) == (
        f"{project}-alias",
        "ship it",
        True,
    )
    assert created.scope == ProjectScope(scope.id, project)
    assert created.event.filter == {"$or": [{"$and": [{"alias": {"$eq": "production"}}]}]}
    assert created.action == SendWebhook(hook.id, {"alias": "${alias}"})
    assert metric.event.filter["run_metric_filter"] == {
        "threshold_filter": {
            "name": "loss",
            "agg_op": "AVERAGE",
            "window_size": 5,
            "cmp_op": "$gt",
            "threshold": 0.5,
        }
    }
    listed = {a.name: a for a in api.automations(ENTITY) if a.name.startswith(project)}
    assert sorted(listed) == [f"{project}-alias", f"{project}-loss"]
    assert listed[f"{project}-alias"] == created
    assert api.automation(f"{project}-loss", entity=ENTITY) == metric
    # round trip: change fields of the saved object, then update
    created.enabled = False
    created.description = "paused"
    updated = api.update_automation(created)
    assert (updated.id, updated.enabled, updated.description) == (created.id, False, "paused")
    assert updated.event.filter == created.event.filter
    renamed = api.update_automation(updated, name=f"{project}-renamed", enabled=True)
    assert (renamed.name, renamed.enabled) == (f"{project}-renamed", True)
    assert api.delete_automation(renamed) is True
    assert api.delete_automation(metric.id) is True
    assert [a for a in api.automations(ENTITY) if a.name.startswith(project)] == []
    with pytest.raises(NotFoundError, match=f"{project}-loss"):
        api.automation(f"{project}-loss", entity=ENTITY)


def test_integrations_list_webhooks_and_never_their_secret(
    api: Any, local_server: RunningServer, receiver: Receiver, project: str
) -> None:
    hook = _hook(api, local_server, f"listed-{project}", f"{receiver.url}/ok")
    everything = list(api.integrations(ENTITY))
    assert hook in everything
    assert hook in list(api.webhook_integrations(ENTITY, per_page=1))
    assert list(api.slack_integrations(entity=ENTITY)) == []
    assert SECRET not in repr(everything)
    names = _graphql(local_server, '{ entity(name: "admin") { secretNames } }')
    assert names["data"]["entity"]["secretNames"] == ["E2E_TOKEN"]


def test_a_failing_receiver_gets_the_event_on_the_third_try(
    api: Any, local_server: RunningServer, receiver: Receiver, project: str, tmp_path: Path
) -> None:
    scope = api.create_project(project, ENTITY)
    path = f"/flaky-2-{secrets.token_hex(4)}"
    hook = _hook(api, local_server, f"flaky-{project}", f"{receiver.url}{path}")
    api.create_automation(
        OnCreateArtifact(scope=scope)
        >> SendWebhook.from_integration(hook, payload={"v": "${artifact_version_string}"}),
        name=f"{project}-created",
    )
    _log(api, project, tmp_path, aliases=[])
    got = receiver.wait_for(3, path)
    assert [d.status for d in got] == [500, 500, 200]
    assert {json.dumps(d.body) for d in got} == {json.dumps({"v": f"{ENTITY}/{project}/net:v0"})}
    assert all(d.headers["Authorization"] == f"Bearer {SECRET}" for d in got)
    (delivery,) = _settled(local_server, project, f"{project}-created")
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "DELIVERED",
        3,
        200,
    )
    assert SECRET not in json.dumps(delivery)


def test_an_alias_filter_fires_only_for_its_alias(
    api: Any, local_server: RunningServer, receiver: Receiver, project: str, tmp_path: Path
) -> None:
    scope = api.create_project(project, ENTITY)
    path = f"/ok-{secrets.token_hex(4)}"
    hook = _hook(api, local_server, f"alias-{project}", f"{receiver.url}{path}")
    api.create_automation(
        OnAddArtifactAlias(scope=scope, filter=ArtifactEvent.alias.eq("production"))
        >> SendWebhook.from_integration(hook, payload={"alias": "${alias}", "x": "${run_name}"}),
        name=f"{project}-prod",
    )
    _log(api, project, tmp_path, aliases=["staging"])
    _log(api, project, tmp_path, aliases=["production"])
    (got,) = receiver.wait_for(1, path)
    assert got.body == {"alias": "production", "x": ""}
    deliveries = _settled(local_server, project, f"{project}-prod")
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("DELIVERED", 1)]


def test_bad_input_is_refused_by_name(
    api: Any, local_server: RunningServer, receiver: Receiver, project: str
) -> None:
    scope = api.create_project(project, ENTITY)
    collection = ArtifactCollectionScope("QXJ0aWZhY3RDb2xsZWN0aW9uOjE=", "some-collection")
    # an event the scope cannot have: refused by the client ...
    with pytest.raises(InvalidArgumentError, match="ARTIFACT_COLLECTION"):
        OnRunState(scope=collection, filter=RunEvent.state == "failed")
    # ... and by the server
    refused = _graphql(
        local_server,
        "mutation($i: CreateFilterTriggerInput!) { createFilterTrigger(input: $i) { trigger { id } } }",
        i={
            "name": f"{project}-bad-scope",
            "enabled": True,
            "scopeType": "ARTIFACT_COLLECTION",
            "scopeID": collection.id,
            "triggeringEventType": "RUN_STATE",
            "eventFilter": json.dumps({"run_state_filter": {"states": ["FAILED"]}}),
            "triggeredActionType": "NO_OP",
            "triggeredActionConfig": {"noOpActionInput": {"noOp": True}},
        },
    )
    assert "ARTIFACT_COLLECTION scope cannot have" in refused["errors"][0]["message"]
    # an unknown metric filter operator
    unknown = _graphql(
        local_server,
        "mutation($i: CreateFilterTriggerInput!) { createFilterTrigger(input: $i) { trigger { id } } }",
        i={
            "name": f"{project}-bad-op",
            "enabled": True,
            "scopeType": "PROJECT",
            "scopeID": scope.id,
            "triggeringEventType": "RUN_METRIC",
            "eventFilter": json.dumps(
                {
                    "run_metric_filter": {
                        "threshold_filter": {
                            "name": "loss",
                            "cmp_op": "$between",
                            "threshold": 1,
                            "window_size": 1,
                        }
                    }
                }
            ),
            "triggeredActionType": "NO_OP",
            "triggeredActionConfig": {"noOpActionInput": {"noOp": True}},
        },
    )
    assert "unknown metric filter operator '$between'" in unknown["errors"][0]["message"]
    with pytest.raises(InvalidArgumentError, match="positive integer"):
        RunEvent.metric("loss").avg(0)
    # a duplicate name: 409, and fetch_existing returns the existing one
    new = OnRunState(scope=scope, filter=RunEvent.state == "failed") >> DoNothing()
    first = api.create_automation(new, name=f"{project}-dup")
    with pytest.raises(InvalidArgumentError, match="exists already"):
        api.create_automation(new, name=f"{project}-dup")
    assert api.create_automation(new, name=f"{project}-dup", fetch_existing=True) == first
    # updating a missing automation: 404, and create_missing creates it
    api.delete_automation(first)
    with pytest.raises(NotFoundError, match=f"{project}-dup"):
        api.update_automation(first)
    recreated = api.update_automation(first, create_missing=True)
    assert (recreated.name, recreated.event.filter) == (first.name, first.event.filter)
    assert recreated.id != first.id
    with pytest.raises(GraphQLError, match="not found"):
        _raise_graphql_of(api, local_server)


def _raise_graphql_of(api: Any, server: RunningServer) -> None:
    """A webhook action naming an integration that does not exist."""
    scope = ProjectScope("UHJvamVjdDox", "whatever")
    api.create_automation(
        OnCreateArtifact(scope=scope) >> SendWebhook("SW50ZWdyYXRpb246OTk5OQ==", None),
        name="no-such-integration",
    )
