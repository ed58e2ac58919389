"""The automations domain: events, filters, scopes and actions (:mod:`.models`), saved
:class:`Automation` objects, integrations, and the ``Api``/``AsyncApi`` methods.

Example:
    >>> from wandb_typed.automations import OnRunMetric, RunEvent, SendWebhook
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.automations._async.listing import AsyncAutomations, AsyncIntegrations
    from wandb_typed.automations._async.methods import AsyncAutomationsApi
    from wandb_typed.automations._sync.listing import Automations, Integrations
    from wandb_typed.automations._sync.methods import AutomationsApi
    from wandb_typed.automations.models import (
        ActionType,
        ArtifactCollectionScope,
        ArtifactEvent,
        Automation,
        DoNothing,
        Event,
        EventType,
        MetricChangeFilter,
        MetricThresholdFilter,
        MetricZScoreFilter,
        NewAutomation,
        OnAddArtifactAlias,
        OnAddArtifactTag,
        OnAddCollectionTag,
        OnCreateArtifact,
        OnLinkArtifact,
        OnRemoveArtifactTag,
        OnRemoveCollectionTag,
        OnRunMetric,
        OnRunState,
        OnUnlinkArtifact,
        ProjectScope,
        RunEvent,
        RunFilter,
        RunStateFilter,
        ScopeType,
        SendNotification,
        SendWebhook,
        SlackIntegration,
        WebhookIntegration,
    )

_MODELS = "wandb_typed.automations.models"
_MODEL_NAMES = [
    "ActionType",
    "ArtifactCollectionScope",
    "ArtifactEvent",
    "Automation",
    "DoNothing",
    "Event",
    "EventType",
    "MetricChangeFilter",
    "MetricThresholdFilter",
    "MetricZScoreFilter",
    "NewAutomation",
    "OnAddArtifactAlias",
    "OnAddArtifactTag",
    "OnAddCollectionTag",
    "OnCreateArtifact",
    "OnLinkArtifact",
    "OnRemoveArtifactTag",
    "OnRemoveCollectionTag",
    "OnRunMetric",
    "OnRunState",
    "OnUnlinkArtifact",
    "ProjectScope",
    "RunEvent",
    "RunFilter",
    "RunStateFilter",
    "ScopeType",
    "SendNotification",
    "SendWebhook",
    "SlackIntegration",
    "WebhookIntegration",
]

__all__ = [
    "ActionType",
    "ArtifactCollectionScope",
    "ArtifactEvent",
    "AsyncAutomations",
    "AsyncAutomationsApi",
    "AsyncIntegrations",
    "Automation",
    "Automations",
    "AutomationsApi",
    "DoNothing",
    "Event",
    "EventType",
    "Integrations",
    "MetricChangeFilter",
    "MetricThresholdFilter",
    "MetricZScoreFilter",
    "NewAutomation",
    "OnAddArtifactAlias",
    "OnAddArtifactTag",
    "OnAddCollectionTag",
    "OnCreateArtifact",
    "OnLinkArtifact",
    "OnRemoveArtifactTag",
    "OnRemoveCollectionTag",
    "OnRunMetric",
    "OnRunState",
    "OnUnlinkArtifact",
    "ProjectScope",
    "RunEvent",
    "RunFilter",
    "RunStateFilter",
    "ScopeType",
    "SendNotification",
    "SendWebhook",
    "SlackIntegration",
    "WebhookIntegration",
]

__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncAutomations": "wandb_typed.automations._async.listing",
        "AsyncIntegrations": "wandb_typed.automations._async.listing",
        "AsyncAutomationsApi": "wandb_typed.automations._async.methods",
        "Automations": "wandb_typed.automations._sync.listing",
        "Integrations": "wandb_typed.automations._sync.listing",
        "AutomationsApi": "wandb_typed.automations._sync.methods",
        **{name: _MODELS for name in _MODEL_NAMES},
    },
)
