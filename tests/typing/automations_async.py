"""What a user's program gets from automations with ``AsyncApi``: the same events and
automations, awaited methods, and async listings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from typing_extensions import assert_type

from wandb_typed import AsyncApi, Page
from wandb_typed.automations import (
    ArtifactEvent,
    AsyncAutomations,
    AsyncIntegrations,
    Automation,
    DoNothing,
    NewAutomation,
    OnAddArtifactAlias,
    OnRunMetric,
    ProjectScope,
    RunEvent,
    SendNotification,
    SendWebhook,
    SlackIntegration,
    WebhookIntegration,
)


async def check_async_api_automations(api: AsyncApi, hook: WebhookIntegration) -> None:
    project = ProjectScope("UHJvamVjdDox", "my-project")
    zscore = OnRunMetric(scope=project, filter=abs(RunEvent.metric("loss").zscore(10)) > 3)
    aliased = OnAddArtifactAlias(scope=project, filter=ArtifactEvent.tag.matches_regex("^v"))
    new = zscore >> SendWebhook.from_integration(hook)
    assert_type(new, NewAutomation)
    assert_type(aliased >> DoNothing(), NewAutomation)
    saved = await api.create_automation(new, fetch_existing=False, name="zscore")
    assert_type(saved, Automation)
    assert_type(await api.update_automation(saved, create_missing=True, enabled=False), Automation)
    assert_type(await api.automation("zscore", entity="team"), Automation)
    assert_type(await api.automations(entity="team", per_page=5), AsyncAutomations)
    assert_type(await api.delete_automation(saved), Literal[True])
    assert_type(
        await api.integrations(entity="team", per_page=5),
        AsyncIntegrations[WebhookIntegration | SlackIntegration],
    )
    assert_type(
        await api.webhook_integrations(entity="team"), AsyncIntegrations[WebhookIntegration]
    )
    assert_type(
        await api.slack_integrations(entity="team", per_page=5),
        AsyncIntegrations[SlackIntegration],
    )


async def check_async_automations(automations: AsyncAutomations) -> None:
    async for automation in automations:
        assert_type(automation, Automation)
    assert_type(await automations[0], Automation)
    assert_type(await automations[0:2], list[Automation])
    assert_type(automations.total, int | None)
    assert_type(await automations.total_count(), int)
    assert_type(await automations.is_empty(), bool)
    assert_type(automations.pages(), AsyncIterator[Page[Automation]])
    assert_type(automations.per_page, int)
    assert_type(automations.connection_path, Sequence[str])
    assert_type(automations.entity, str | None)
    assert_type(automations.name, str | None)
    assert_type(automations.close(), None)


async def check_async_integrations(integrations: AsyncIntegrations[SlackIntegration]) -> None:
    async for integration in integrations:
        assert_type(integration, SlackIntegration)
    assert_type(await integrations[0], SlackIntegration)
    assert_type(await integrations[0:2], list[SlackIntegration])
    assert_type(integrations.total, int | None)
    assert_type(await integrations.total_count(), int)
    assert_type(await integrations.is_empty(), bool)
    assert_type(integrations.pages(), AsyncIterator[Page[SlackIntegration]])
    assert_type(integrations.per_page, int)
    assert_type(integrations.connection_path, Sequence[str])
    assert_type(integrations.entity, str)
    assert_type(integrations.close(), None)


async def misuse_async_automations(api: AsyncApi, listing: AsyncAutomations) -> None:
    print(api.automation("zscore").name)  # type: ignore[attr-defined]  # await it first
    automations: AsyncAutomations = api.automations()  # type: ignore[assignment]  # await it
    len(listing)  # type: ignore[arg-type]  # an async listing has no len(): total_count()
    for _ in listing:  # type: ignore[misc]  # an async listing takes `async for`
        break
    slack = SlackIntegration("id", "team", "alerts")
    SendNotification.from_integration(slack, severity="WARN")  # type: ignore[call-arg]  # level=
    print(automations)
