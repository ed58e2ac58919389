"""The automation engine on the wire: each event type the server fires (run metric change
and z-score, crashed runs, version and collection tags, unlinks), re-sent file_stream
batches that fire nothing twice, disabled triggers, run filters, Slack notifications to the
configured URL, team secrets in payloads and signatures, and what no read ever returns.

Its own server (the reaper test crashes every running run), with a fast retry policy and its
Slack URL pointed at a real receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed import Api, ArtifactDraft
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.http.automation_worker import DeliveryPolicy
from wandb_typed_server.http.reaper import sweep_crashed_runs
from wandb_typed_server.storage.artifact_links import tag_collection
from webhook_receiver import Receiver, running_receiver

ENTITY = "admin"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as found:
        yield found


@pytest.fixture(scope="module")
def server(receiver: Receiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    policy = DeliveryPolicy(backoff_seconds=0.05, slack_url=f"{receiver.url}/slack")
    with start_in_thread(
        tmp_path_factory.mktemp("automation-server"), delivery_policy=policy
    ) as found:
        yield found


@pytest.fixture(scope="module")
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=("api", server.api_key), timeout=30) as client:
        yield client


def _gql(http: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    reply = http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = reply.json()
    assert reply.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def project(http: httpx.Client) -> str:
    name = f"auto-{secrets.token_hex(4)}"
    _gql(
        http,
        'mutation($n: String!) { upsertModel(input: {name: $n, entityName: "admin"}) { project { id } } }',
        n=name,
    )
    return name


def _project_id(http: httpx.Client, project: str) -> str:
    found: str = _gql(
        http, 'query($p: String!) { project(name: $p, entityName: "admin") { id } }', p=project
    )["project"]["id"]
    return found


def _hook(http: httpx.Client, url: str, **refs: str) -> str:
    made = _gql(
        http,
        "mutation($i: CreateGenericWebhookIntegrationInput!) {"
        " createGenericWebhookIntegration(input: $i) { integration { id } } }",
        i={
            "entityName": ENTITY,
            "name": f"hook-{secrets.token_hex(4)}",
            "urlEndpoint": url,
            **refs,
        },
    )
    ident: str = made["createGenericWebhookIntegration"]["integration"]["id"]
    return ident


def _trigger(
    http: httpx.Client,
    name: str,
    scope_id: str,
    event: str,
    event_filter: dict[str, Any],
    action: dict[str, Any],
    *,
    scope_type: str = "PROJECT",
    enabled: bool = True,
) -> str:
    action_type = next(iter(action))
    made = _gql(
        http,
        "mutation($i: CreateFilterTriggerInput!) { createFilterTrigger(input: $i) { trigger { id } } }",
        i={
            "name": name,
            "enabled": enabled,
            "scopeType": scope_type,
            "scopeID": scope_id,
            "triggeringEventType": event,
            "eventFilter": json.dumps(event_filter),
            "triggeredActionType": action_type,
            "triggeredActionConfig": action[action_type],
        },
    )
    ident: str = made["createFilterTrigger"]["trigger"]["id"]
    return ident


def _webhook_action(hook: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "GENERIC_WEBHOOK": {
            "genericWebhookActionInput": {
                "integrationID": hook,
                "requestPayload": json.dumps(payload),
            }
        }
    }


def _metric(kind: str, **spec: Any) -> dict[str, Any]:
    return {"run_filter": json.dumps({"$and": []}), "run_metric_filter": {kind: spec}}


def _upsert(http: httpx.Client, project: str, name: str, display_name: str | None = None) -> None:
    _gql(
        http,
        "mutation($i: UpsertBucketInput!) { upsertBucket(input: $i) { bucket { id } } }",
        i={"name": name, "entityName": ENTITY, "modelName": project, "displayName": display_name},
    )


def _stream(http: httpx.Client, project: str, run: str, body: dict[str, Any]) -> None:
    reply = http.post(f"/files/{ENTITY}/{project}/{run}/file_stream", json=body)
    assert reply.status_code == 200, reply.text


def _history(offset: int, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "files": {
            "wandb-history.jsonl": {"offset": offset, "content": [json.dumps(v) for v in values]}
        }
    }


def _deliveries(http: httpx.Client, project: str) -> dict[str, list[dict[str, Any]]]:
    """Each trigger's deliveries, once none is waiting or being sent."""
    query = (
        'query($p: String!) { project(name: $p, entityName: "admin") { triggers { name'
        " deliveries { eventType status attempts lastStatusCode payload } } } }"
    )
    deadline = time.monotonic() + 60
    while True:
        triggers = _gql(http, query, p=project)["project"]["triggers"]
        found = {t["name"]: t["deliveries"] for t in triggers}
        pending = [d for ds in found.values() for d in ds if d["status"] in ("PENDING", "SENDING")]
        if not pending or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_metric_change_and_zscore_fire_at_the_crossing_and_resent_batches_fire_nothing_more(
    http: httpx.Client, receiver: Receiver, project: str
) -> None:
    scope = _project_id(http, project)
    path = f"/metric-{project}"
    hook = _hook(http, f"{receiver.url}{path}")
    payload = {"e": "${event_type}", "v": "${metric_value}", "run": "${run_name}"}
    _trigger(
        http,
        "jump",
        scope,
        "RUN_METRIC_CHANGE",
        _metric(
            "change_filter",
            name="x",
            agg_op=None,
            current_window_size=1,
            prior_window_size=1,
            change_amount=1,
            change_type="ABSOLUTE",
            change_dir="INCREASE",
        ),
        _webhook_action(hook, payload),
    )
    _trigger(
        http,
        "outlier",
        scope,
        "RUN_METRIC_ZSCORE",
        _metric("zscore_filter", name="x", window_size=3, threshold=2, change_dir="INCREASE"),
        _webhook_action(hook, payload),
    )
    _trigger(
        http,
        "off",
        scope,
        "RUN_METRIC",
        _metric(
            "threshold_filter", name="x", agg_op=None, window_size=1, cmp_op="$gt", threshold=0
        ),
        _webhook_action(hook, payload),
        enabled=False,
    )
    named = {
        "run_filter": json.dumps({"$and": [{"display_name": {"$contains": "special"}}]}),
        "run_metric_filter": {
            "threshold_filter": {
                "name": "x",
                "agg_op": "MAX",
                "window_size": 2,
                "cmp_op": "$gte",
                "threshold": 1,
            }
        },
    }
    _trigger(http, "only-special", scope, "RUN_METRIC", named, _webhook_action(hook, payload))
    _upsert(http, project, "plain", "plain run")
    batch = _history(0, [{"x": 1.0}, {"x": 1.1}, {"x": 0.9}, {"x": 1.0}])
    _stream(http, project, "plain", batch)
    _stream(http, project, "plain", batch)  # a re-sent batch (same offsets)
    _stream(http, project, "plain", _history(4, [{"x": 5.0}, {"y": 1}, {"x": 5.5}]))
    _stream(http, project, "plain", _history(4, [{"x": 5.0}, {"y": 1}, {"x": 5.5}]))
    _upsert(http, project, "other", "a special run")
    _stream(http, project, "other", _history(0, [{"x": 0.5}, {"x": 1.2}, {"x": 0.2}]))
    found = _deliveries(http, project)
    assert [json.loads(d["payload"]) for d in found["jump"]] == [
        {"e": "RUN_METRIC_CHANGE", "v": "5.0", "run": "plain run"}
    ]
    assert [json.loads(d["payload"]) for d in found["outlier"]] == [
        {"e": "RUN_METRIC_ZSCORE", "v": "5.0", "run": "plain run"}
    ]
    assert found["off"] == []
    # max over 2 reaches 1 at the second value and stays: one crossing, in the special run only
    assert [json.loads(d["payload"]) for d in found["only-special"]] == [
        {"e": "RUN_METRIC", "v": "1.2", "run": "a special run"}
    ]
    assert len(receiver.wait_for(3, path)) == 3


def test_a_crashed_run_fires_run_state_and_slack_notifications_go_to_the_configured_url(
    http: httpx.Client, server: RunningServer, receiver: Receiver, project: str
) -> None:
    scope = _project_id(http, project)
    slack = _gql(
        http,
        "mutation($i: CreateSlackChannelIntegrationInput!) {"
        " createSlackChannelIntegration(input: $i) { integration { id ... on SlackIntegration { teamName channelName } } } }",
        i={"entityName": ENTITY, "teamName": "lab", "channelName": f"alerts-{project}"},
    )["createSlackChannelIntegration"]["integration"]
    assert (slack["teamName"], slack["channelName"]) == ("lab", f"alerts-{project}")
    _trigger(
        http,
        "crashed",
        scope,
        "RUN_STATE",
        {"run_filter": json.dumps({"$and": []}), "run_state_filter": {"states": ["CRASHED"]}},
        {
            "NOTIFICATION": {
                "notificationActionInput": {
                    "integrationID": slack["id"],
                    "title": "Run ${run_name} ${run_state}",
                    "message": 'in "${project_name}"',
                    "severity": "ERROR",
                }
            }
        },
    )
    _upsert(http, project, "victim", "victim")
    _stream(http, project, "victim", _history(0, [{"a": 1}]))
    assert sweep_crashed_runs(server.state.db, -3600) >= 1
    got = [d for d in receiver.wait_for(1, "/slack") if d.body["channel"] == f"alerts-{project}"]
    assert [(d.body["title"], d.body["text"], d.body["severity"], d.body["team"]) for d in got] == [
        ("Run victim crashed", f'in "{project}"', "ERROR", "lab")
    ]
    listed = _gql(
        http, '{ entity(name: "admin") { integrations { edges { node { __typename id } } } } }'
    )
    assert {"__typename": "SlackIntegration", "id": slack["id"]} in [
        e["node"] for e in listed["entity"]["integrations"]["edges"]
    ]


def test_tags_link_and_unlink_events(
    http: httpx.Client, server: RunningServer, receiver: Receiver, project: str, tmp_path: Path
) -> None:
    scope = _project_id(http, project)
    path = f"/art-{project}"
    hook = _hook(http, f"{receiver.url}{path}")
    payload = {"e": "${event_type}", "tag": "${tag}", "a": "${artifact_version_string}"}
    for event in (
        "ADD_ARTIFACT_TAG",
        "REMOVE_ARTIFACT_TAG",
        "ADD_COLLECTION_TAG",
        "REMOVE_COLLECTION_TAG",
        "UNLINK_ARTIFACT",
        "LINK_MODEL",
        "CREATE_ARTIFACT",
    ):
        _trigger(
            http,
            event.lower(),
            scope,
            event,
            {"$or": [{"$and": []}]},
            _webhook_action(hook, payload),
        )
    with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
        run = api.create_run(project=project, entity=ENTITY)
        (tmp_path / "w.txt").write_text("w")
        draft = ArtifactDraft("net", type="model")
        draft.add_file(str(tmp_path / "w.txt"))
        version = run.log_artifact(draft, tags=["raw"])
        version.tags = ["clean"]
        version.save()
        linked = version.link(f"{ENTITY}/{project}/best-nets")
        linked.unlink()
        collection_pk = (
            server.state.db.connection()
            .execute(
                "SELECT c.pk FROM artifact_collections c JOIN projects p ON p.pk = c.project_pk"
                " WHERE p.name = ? AND c.name = 'net'",
                (project,),
            )
            .fetchone()[0]
        )
    with server.state.db.transaction() as conn:
        tag_collection(conn, int(collection_pk), add=["team"])
    with server.state.db.transaction() as conn:
        tag_collection(conn, int(collection_pk), add=[], remove=["team"])
    found = _deliveries(http, project)
    bodies = {name: [json.loads(d["payload"]) for d in ds] for name, ds in found.items()}
    version_path = f"{ENTITY}/{project}/net:v0"
    assert bodies["create_artifact"] == [{"e": "CREATE_ARTIFACT", "tag": "", "a": version_path}]
    assert bodies["add_artifact_tag"] == [
        {"e": "ADD_ARTIFACT_TAG", "tag": "raw", "a": version_path},
        {"e": "ADD_ARTIFACT_TAG", "tag": "clean", "a": version_path},
    ]
    assert bodies["remove_artifact_tag"] == [
        {"e": "REMOVE_ARTIFACT_TAG", "tag": "raw", "a": version_path}
    ]
    assert bodies["link_model"] == [
        {"e": "LINK_MODEL", "tag": "", "a": f"{ENTITY}/{project}/best-nets:v0"}
    ]
    assert [b["e"] for b in bodies["unlink_artifact"]] == ["UNLINK_ARTIFACT"]
    assert bodies["add_collection_tag"] == [
        {"e": "ADD_COLLECTION_TAG", "tag": "team", "a": version_path}
    ]
    assert bodies["remove_collection_tag"] == [
        {"e": "REMOVE_COLLECTION_TAG", "tag": "team", "a": version_path}
    ]


def test_secrets_fill_payloads_and_sign_bodies_but_are_never_read_back(
    http: httpx.Client, receiver: Receiver, project: str
) -> None:
    value, signing = f"v-{secrets.token_hex(8)}", f"s-{secrets.token_hex(8)}"
    for name, secret in (("PAYLOAD_SECRET", value), ("SIGNING_SECRET", signing)):
        _gql(
            http,
            "mutation($i: InsertSecretInput!) { insertSecret(input: $i) { success } }",
            i={"entityName": ENTITY, "secretName": name, "secretValue": secret},
        )
    path = f"/signed-{project}"
    hook = _hook(http, f"{receiver.url}{path}", secretRef="${SIGNING_SECRET}")
    _trigger(
        http,
        "signed",
        _project_id(http, project),
        "RUN_STATE",
        {"run_filter": json.dumps({"$and": []}), "run_state_filter": {"states": ["FINISHED"]}},
        _webhook_action(hook, {"key": "${PAYLOAD_SECRET}", "run": "${run_id}"}),
    )
    _upsert(http, project, "done")
    _stream(http, project, "done", {"complete": True, "exitcode": 0})
    (got,) = receiver.wait_for(1, path)
    assert got.body == {"key": value, "run": "done"}
    expected = hmac.new(signing.encode(), got.raw, hashlib.sha256).hexdigest()
    assert got.headers["X-Wandb-Signature"] == expected
    assert "Authorization" not in got.headers
    (delivery,) = _deliveries(http, project)["signed"]
    assert json.loads(delivery["payload"]) == {"key": "${PAYLOAD_SECRET}", "run": "done"}
    names = _gql(http, '{ entity(name: "admin") { secretNames } }')["entity"]["secretNames"]
    assert {"PAYLOAD_SECRET", "SIGNING_SECRET"} <= set(names)
    everything = json.dumps([names, _deliveries(http, project)])
    assert value not in everything
    assert signing not in everything


def test_refusals_name_what_is_wrong(http: httpx.Client, project: str) -> None:
    oauth = http.post(
        "/graphql",
        json={
            "query": 'mutation { createSlackIntegration(input: {code: "c", entityName: "admin", redirectURI: "r"}) { integration { id } } }'
        },
    ).json()
    assert "createSlackIntegration" in oauth["errors"][0]["message"]
    missing_secret = http.post(
        "/graphql",
        json={
            "query": "mutation($i: CreateGenericWebhookIntegrationInput!) { createGenericWebhookIntegration(input: $i) { integration { id } } }",
            "variables": {
                "i": {
                    "entityName": ENTITY,
                    "name": f"x-{project}",
                    "urlEndpoint": "http://127.0.0.1:9/",
                    "accessTokenRef": "NO_SUCH",
                }
            },
        },
    ).json()
    assert "team secret 'NO_SUCH' does not exist" in missing_secret["errors"][0]["message"]
    gone = http.post(
        "/graphql",
        json={
            "query": 'mutation { deleteTrigger(input: {triggerID: "VHJpZ2dlcjo5OTk5OQ=="}) { success } }'
        },
    )
    assert gone.status_code == 404
    assert "not found" in gone.json()["errors"][0]["message"]
