"""Our automation models send what wandb 0.31.0 sends for the same expressions (its
``prepare_to_create`` is the reference), and refuse what cannot be sent, by name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wandb_typed.automations import (
    ArtifactCollectionScope,
    ArtifactEvent,
    DoNothing,
    OnAddArtifactAlias,
    OnCreateArtifact,
    OnLinkArtifact,
    OnRunMetric,
    OnRunState,
    ProjectScope,
    RunEvent,
    SendWebhook,
    WebhookIntegration,
)
from wandb_typed.automations.models import create_params
from wandb_typed.errors import InvalidArgumentError

pytestmark = pytest.mark.official

PROJECT = ProjectScope("UHJvamVjdDox", "p")
COLLECTION = ArtifactCollectionScope("QXJ0aWZhY3RDb2xsZWN0aW9uOjE=", "c")
HOOK = WebhookIntegration("SW50ZWdyYXRpb246MQ==", "hook", "http://x")
PAYLOAD = {"run": "${run_name}"}


def _theirs(kind: str, scope: Any, build: Any) -> dict[str, Any]:
    """wandb 0.31.0's CreateFilterTriggerInput for the same automation."""
    from wandb import automations as w
    from wandb.automations._generated import ArtifactPortfolioScopeFields
    from wandb.automations._inputs import prepare_to_create

    their_scope = (
        w.ProjectScope(id=scope.id, name=scope.name)
        if kind == "project"
        else ArtifactPortfolioScopeFields(id=scope.id, name=scope.name)
    )
    hook = w.WebhookIntegration(id=HOOK.id, name=HOOK.name, url_endpoint=HOOK.url_endpoint)
    event = build(w, their_scope)
    action = w.SendWebhook.from_integration(hook, payload=PAYLOAD)
    dumped: dict[str, Any] = prepare_to_create(event >> action, name="n").model_dump()
    return json.loads(json.dumps(dumped, default=str))


CASES = [
    ("project", lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("loss").avg(5) > 0.5)),
    ("project", lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("loss") <= 2)),
    ("project", lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("acc").max(3) >= 0.9)),
    (
        "project",
        lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("loss").changes_by(frac=0.1)),
    ),
    (
        "project",
        lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("loss").increases_by(diff=2)),
    ),
    (
        "project",
        lambda m, s: m.OnRunMetric(scope=s, filter=m.RunEvent.metric("loss").zscore(5) > 2),
    ),
    ("project", lambda m, s: m.OnRunState(scope=s, filter=m.RunEvent.state == "failed")),
    (
        "project",
        lambda m, s: m.OnRunState(
            scope=s, filter=(m.RunEvent.state == "failed") & (m.RunEvent.name.contains("x"))
        ),
    ),
    (
        "project",
        lambda m, s: m.OnRunMetric(
            scope=s, filter=(m.RunEvent.metric("acc").max(3) >= 0.9) & (m.RunEvent.name == "r")
        ),
    ),
    (
        "project",
        lambda m, s: m.OnAddArtifactAlias(
            scope=s, filter=m.ArtifactEvent.alias.matches_regex("prod.*")
        ),
    ),
    ("project", lambda m, s: m.OnAddArtifactAlias(scope=s)),
    ("collection", lambda m, s: m.OnLinkArtifact(scope=s)),
    ("collection", lambda m, s: m.OnCreateArtifact(scope=s)),
]


@pytest.mark.parametrize(("kind", "build"), CASES)
def test_we_send_what_wandb_sends(kind: str, build: Any) -> None:
    import wandb_typed.automations as ours

    scope = PROJECT if kind == "project" else COLLECTION
    event = build(ours, scope)
    sent = create_params(
        event >> SendWebhook.from_integration(HOOK, payload=PAYLOAD), {"name": "n"}
    )
    theirs = _theirs(kind, scope, build)
    assert json.loads(sent.pop("eventFilter")) == json.loads(theirs.pop("eventFilter"))
    theirs_config = theirs.pop("triggeredActionConfig")["genericWebhookActionInput"]
    ours_config = sent.pop("triggeredActionConfig")["genericWebhookActionInput"]
    assert json.loads(ours_config.pop("requestPayload")) == json.loads(
        theirs_config.pop("requestPayload")
    )
    assert ours_config == theirs_config
    assert {k: v for k, v in sent.items() if v is not None} == theirs


def test_what_cannot_be_sent_is_refused_by_name() -> None:
    with pytest.raises(
        InvalidArgumentError, match="RUN_STATE event cannot have a ARTIFACT_COLLECTION"
    ):
        OnRunState(scope=COLLECTION, filter=RunEvent.state == "failed")
    with pytest.raises(InvalidArgumentError, match="metric filter"):
        OnRunMetric(scope=PROJECT, filter=RunEvent.state == "failed")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="exactly one of diff"):
        RunEvent.metric("x").changes_by(diff=1, frac=0.1)
    with pytest.raises(InvalidArgumentError, match="threshold must be a number"):
        _ = RunEvent.metric("x") > "high"
    with pytest.raises(InvalidArgumentError, match="needs a name"):
        create_params(OnCreateArtifact(scope=COLLECTION) >> DoNothing(), {})
    with pytest.raises(InvalidArgumentError, match="unknown automation fields"):
        create_params(OnLinkArtifact(scope=COLLECTION) >> DoNothing(), {"name": "n", "colour": 1})
    new = OnAddArtifactAlias(scope=PROJECT, filter=ArtifactEvent.alias.eq("x")) >> DoNothing()
    assert (
        create_params(new, {"name": "n", "scope": COLLECTION})["scopeType"] == "ARTIFACT_COLLECTION"
    )
