"""What a user's program gets from automations with ``Api``: events built with ``>>``, saved
automations, their listings, and integrations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from typing_extensions import assert_type

from wandb_typed import Api, Page
from wandb_typed.automations import (
    ArtifactCollectionScope,
    ArtifactEvent,
    Automation,
    Automations,
    DoNothing,
    Event,
    EventType,
    Integrations,
    NewAutomation,
    OnCreateArtifact,
    OnRunMetric,
    OnRunState,
    ProjectScope,
    RunEvent,
    SendNotification,
    SendWebhook,
    SlackIntegration,
    WebhookIntegration,
)


def check_api_automations(api: Api, hook: WebhookIntegration, slack: SlackIntegration) -> None:
    project = ProjectScope("UHJvamVjdDox", "my-project")
    metric = OnRunMetric(scope=project, filter=RunEvent.metric("loss").avg(5) > 0.5)
    state = OnRunState(scope=project, filter=(RunEvent.state == "failed") & (RunEvent.name == "b"))
    created = OnCreateArtifact(
        scope=ArtifactCollectionScope("QXJ0aWZhY3RDb2xsZWN0aW9uOjE=", "dataset"),
        filter=ArtifactEvent.alias.eq("production"),
    )
    assert_type(created, Event)
    assert_type(state, Event)
    new = metric >> SendWebhook.from_integration(hook, payload={"text": "${run_name}"})
    assert_type(new, NewAutomation)
    assert_type(state >> SendNotification.from_integration(slack, title="t"), NewAutomation)
    saved = api.create_automation(new, fetch_existing=True, name="loss-alarm", enabled=True)
    assert_type(saved, Automation)
    assert_type(api.update_automation(saved, create_missing=False, description="d"), Automation)
    assert_type(api.automation("loss-alarm", entity="team"), Automation)
    assert_type(api.automations("team", name="loss-alarm", per_page=10), Automations)
    assert_type(api.delete_automation(saved), Literal[True])
    assert_type(api.delete_automation("VHJpZ2dlcjox"), Literal[True])
    assert_type(
        api.integrations("team", per_page=20), Integrations[WebhookIntegration | SlackIntegration]
    )
    assert_type(api.webhook_integrations("team", per_page=20), Integrations[WebhookIntegration])
    assert_type(api.slack_integrations(entity="team", per_page=20), Integrations[SlackIntegration])


def check_automation(automation: Automation) -> None:
    assert_type(automation.id, str)
    assert_type(automation.name, str)
    assert_type(automation.description, str | None)
    assert_type(automation.enabled, bool)
    assert_type(automation.scope, ProjectScope | ArtifactCollectionScope)
    assert_type(automation.event, Event)
    assert_type(automation.action, SendWebhook | SendNotification | DoNothing)
    assert_type(automation.created_at, datetime | None)
    assert_type(automation.updated_at, datetime | None)


def check_event(event: Event) -> None:
    assert_type(event.scope, ProjectScope | ArtifactCollectionScope)
    assert_type(event.event_type, EventType)
    assert_type(event.filter, Any)
    assert_type(event.filter_json(), str)


def check_integrations(hook: WebhookIntegration, slack: SlackIntegration) -> None:
    assert_type(hook.id, str)
    assert_type(hook.name, str)
    assert_type(hook.url_endpoint, str)
    assert_type(slack.id, str)
    assert_type(slack.team_name, str)
    assert_type(slack.channel_name, str)


def check_automations(automations: Automations) -> None:
    for automation in automations:
        assert_type(automation, Automation)
    assert_type(automations[0], Automation)
    assert_type(automations[0:2], list[Automation])
    assert_type(len(automations), int)
    assert_type(automations.total, int | None)
    assert_type(automations.total_count(), int)
    assert_type(automations.is_empty(), bool)
    assert_type(automations.pages(), Iterator[Page[Automation]])
    assert_type(automations.per_page, int)
    assert_type(automations.connection_path, Sequence[str])
    assert_type(automations.entity, str | None)
    assert_type(automations.name, str | None)
    assert_type(automations.close(), None)


def check_listed_integrations(integrations: Integrations[WebhookIntegration]) -> None:
    for integration in integrations:
        assert_type(integration, WebhookIntegration)
    assert_type(integrations[0], WebhookIntegration)
    assert_type(integrations[0:2], list[WebhookIntegration])
    assert_type(len(integrations), int)
    assert_type(integrations.total, int | None)
    assert_type(integrations.total_count(), int)
    assert_type(integrations.is_empty(), bool)
    assert_type(integrations.pages(), Iterator[Page[WebhookIntegration]])
    assert_type(integrations.per_page, int)
    assert_type(integrations.connection_path, Sequence[str])
    assert_type(integrations.entity, str)
    assert_type(integrations.close(), None)


def misuse_automations(api: Api, automation: Automation, hook: WebhookIntegration) -> None:
    SendNotification("id", severity="DEBUG")  # type: ignore[arg-type]  # INFO, WARN or ERROR
    api.create_automation(automation.event)  # type: ignore[arg-type]  # needs event >> action
    OnRunMetric(scope="my-project", filter=RunEvent.state == "failed")  # type: ignore[arg-type]
    hook.url_endpoint = "https://example.com"  # type: ignore[misc]  # integrations are frozen
    api.delete_automation(automation.id, force=True)  # type: ignore[call-arg]
