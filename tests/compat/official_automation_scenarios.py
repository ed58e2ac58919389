"""Automation scenarios run with the official ``wandb`` client in a subprocess. Usage:
``python official_automation_scenarios.py <step> <entity> <project> <receiver URL>``; the
result is printed as one JSON line prefixed with ``RESULT ``.

Steps: ``create`` (a team secret and a generic webhook integration with an access token,
sent with the official client's own ``CreateGenericWebhookIntegration`` document, since
``wandb.Api`` has no public call for it; then four automations with ``Api.create_automation``:
a run metric crossing a threshold, a run finishing as failed, an alias added to a version
and a link into a registry; then the 409 and 404 paths), ``log`` (the SDK logs a run that
crosses the threshold once, a run that fails, an artifact given the alias and linked into the
registry), ``read`` (``Api.automations``/``automation``/``webhook_integrations`` as plain data,
with :func:`read_with`, which runs unchanged on ours too) and ``slow_receiver`` (a run logging
past a threshold whose webhook never answers).

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import wandb
from wandb.automations import (
    ArtifactEvent,
    OnAddArtifactAlias,
    OnLinkArtifact,
    OnRunMetric,
    OnRunState,
    RunEvent,
    SendWebhook,
)
from wandb.automations._generated import CREATE_GENERIC_WEBHOOK_INTEGRATION_GQL

TOKEN_SECRET = "RECEIVER_TOKEN"
TOKEN_VALUE = "tok-3f9a-never-shown"
HOOK = "ci-hook"
REGISTRY = "model"
REGISTRY_COLLECTION = "prod-models"
PAYLOAD = {
    "event": "${event_type}",
    "entity": "${entity_name}",
    "project": "${project_name}",
    "run": "${run_name}",
    "run_id": "${run_id}",
    "state": "${run_state}",
    "metric": "${metric_name}",
    "value": "${metric_value}",
    "alias": "${alias}",
    "artifact": "${artifact_version_string}",
    "collection": "${artifact_collection_name}",
    "author": "${event_author}",
}
NAMES = {
    "metric": "loss-above-half",
    "failed": "run-failed",
    "alias": "production-alias",
    "link": "registry-link",
}

INSERT_SECRET = """
mutation InsertSecret($input: InsertSecretInput!) {
  insertSecret(input: $input) { success }
}
"""


def _hook(api: Any, entity: str, url: str, name: str = HOOK) -> Any:
    # wandb.Api's own GraphQL transport (through wandb-core), as the W&B UI sends these
    api._service_api.execute_graphql(
        INSERT_SECRET,
        variables={
            "input": {"entityName": entity, "secretName": TOKEN_SECRET, "secretValue": TOKEN_VALUE}
        },
    )
    api._service_api.execute_graphql(
        CREATE_GENERIC_WEBHOOK_INTEGRATION_GQL,
        variables={
            "input": {
                "entityName": entity,
                "name": name,
                "urlEndpoint": url,
                "accessTokenRef": "${" + TOKEN_SECRET + "}",
            }
        },
    )
    return next(h for h in api.webhook_integrations(entity=entity) if h.name == name)


def create(entity: str, project: str, url: str) -> dict[str, Any]:
    """The webhook integration and the four automations, then the 409/404 paths."""
    api = wandb.Api(timeout=60)
    api.create_project(project, entity)
    hook = _hook(api, entity, url)
    scope = api.project(project, entity=entity)
    registry = api.create_registry(name=REGISTRY, visibility="organization")
    action = SendWebhook.from_integration(hook, payload=PAYLOAD)
    events = {
        "metric": OnRunMetric(scope=scope, filter=RunEvent.metric("loss") > 0.5),
        "failed": OnRunState(scope=scope, filter=RunEvent.state == "failed"),
        "alias": OnAddArtifactAlias(
            scope=scope, filter=ArtifactEvent.alias.matches_regex("^production$")
        ),
        "link": OnLinkArtifact(scope=registry),
    }
    created = {
        key: api.create_automation(
            event >> action, name=NAMES[key], description=f"{key} automation"
        ).name
        for key, event in events.items()
    }
    try:
        api.create_automation(events["metric"] >> action, name=NAMES["metric"])
        duplicate = "created twice"
    except Exception as exc:  # wandb wraps the ValueError in a CommError
        duplicate = str(exc)
    existing = api.create_automation(
        events["metric"] >> action, name=NAMES["metric"], fetch_existing=True
    )
    missing = existing.model_copy(update={"id": "VHJpZ2dlcjo5OTk5"})  # Trigger:9999
    try:
        api.update_automation(missing)
        update_missing = "updated"
    except Exception as exc:  # wandb wraps the ValueError in a CommError
        update_missing = str(exc)
    # wandb 0.31.0's own create_missing path re-validates the saved Automation as a new one
    # and fails in the client (before any request); what it raises is recorded.
    try:
        recreated = api.update_automation(
            missing.model_copy(update={"name": "recreated"}), create_missing=True
        )
        api.delete_automation(recreated)
        create_missing = recreated.name
    except Exception as exc:
        create_missing = type(exc).__name__
    return {
        "hook": {"name": hook.name, "url": hook.url_endpoint},
        "created": created,
        "duplicate": duplicate,
        "existing": existing.name,
        "existing_id": existing.id,
        "update_missing": update_missing,
        "create_missing": create_missing,
    }


def log(entity: str, project: str, url: str) -> dict[str, Any]:
    """Events that each automation matches once."""
    run = wandb.init(entity=entity, project=project, name="crosser")
    for loss in (0.2, 0.4, 0.7, 0.9, 0.3):
        run.log({"loss": loss})
    model = wandb.Artifact("net", type="model")
    model.metadata = {"note": "checkpoint"}
    path = Path(wandb.run.dir) / "weights.txt"  # type: ignore[union-attr]
    path.write_text("weights")
    model.add_file(str(path))
    run.log_artifact(model, aliases=["production"])
    model.wait()
    run.link_artifact(model, f"wandb-registry-{REGISTRY}/{REGISTRY_COLLECTION}")
    crosser_id = run.id
    run.finish()
    failing = wandb.init(entity=entity, project=project, name="doomed")
    failing.log({"acc": 0.1})
    failing_id = failing.id
    failing.finish(exit_code=1)
    return {"crosser": crosser_id, "failing": failing_id}


def _filter(saved: Any) -> dict[str, Any]:
    """A saved event filter as plain data (wandb's is a model wrapping artifact filters as
    ``{"filter": "<JSON>"}``; ours is the dict as sent)."""
    data: dict[str, Any] = (
        json.loads(saved.model_dump_json()) if hasattr(saved, "model_dump_json") else dict(saved)
    )
    if isinstance(data.get("filter"), str):
        data = json.loads(data["filter"])
    return data


def _automation(automation: Any) -> dict[str, Any]:
    action = automation.action
    event = automation.event
    return {
        "name": automation.name,
        "description": automation.description,
        "enabled": automation.enabled,
        "scope": automation.scope.name,
        "event": str(getattr(event.event_type, "value", event.event_type)),
        "filter": _filter(event.filter),
        "action": str(getattr(action.action_type, "value", action.action_type)),
        "payload": action.request_payload,
        # wandb's saved action names its integration; ours (like wandb's new ones) its id
        "integration": getattr(action, "integration_id", None) or action.integration.id,
    }


def read_with(api: Any, entity: str) -> dict[str, Any]:
    """What a client reads back (works with wandb.Api and ours)."""
    automations = sorted(
        (_automation(a) for a in api.automations(entity=entity)), key=lambda a: a["name"]
    )
    one = _automation(api.automation(name=NAMES["failed"], entity=entity))
    hooks = [{"name": h.name, "url": h.url_endpoint} for h in api.webhook_integrations(entity)]
    integrations = sorted((type(i).__name__, i.id) for i in api.integrations(entity))
    everywhere = sorted(a.name for a in api.automations())  # every project the key may read
    return {
        "automations": automations,
        "one": one,
        "hooks": hooks,
        "integrations": integrations,
        "everywhere": everywhere,
    }


def read(entity: str, project: str, url: str) -> dict[str, Any]:
    """The official client's reads."""
    return read_with(wandb.Api(timeout=60), entity)


def _held(base_url: str) -> int:
    with urllib.request.urlopen(f"{base_url}/held", timeout=10) as reply:
        return int(json.load(reply)["held"])


def slow_receiver(entity: str, project: str, url: str) -> dict[str, Any]:
    """A run crossing a threshold whose webhook never answers (``url`` is the receiver's
    base; its ``/hang`` holds requests): once the receiver holds the delivery, the run logs
    more and finishes, all while the delivery stays unanswered."""
    api = wandb.Api(timeout=60)
    hook = _hook(api, entity, f"{url}/hang", name="hanging-hook")
    scope = api.project(project, entity=entity)
    api.create_automation(
        OnRunMetric(scope=scope, filter=RunEvent.metric("score") > 1)
        >> SendWebhook.from_integration(hook, payload={"run": "${run_name}"}),
        name="score-above-one",
    )
    run = wandb.init(
        entity=entity,
        project=project,
        name="unhindered",
        settings=wandb.Settings(x_file_stream_transmit_interval=0.2),
    )
    run.log({"score": 0})
    run.log({"score": 2})
    deadline = time.monotonic() + 120
    while _held(url) == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the receiver never got the delivery")
        time.sleep(0.1)
    for score in (3, 4, 5):
        run.log({"score": score})
    run.finish()
    return {"finished": run.id, "held_when_finished": _held(url)}


STEPS = {"create": create, "log": log, "read": read, "slow_receiver": slow_receiver}

if __name__ == "__main__":
    step, entity_name, project_name, receiver = sys.argv[1:5]
    output = STEPS[step](entity_name, project_name, receiver)
    print("RESULT " + json.dumps(output, default=str), flush=True)
