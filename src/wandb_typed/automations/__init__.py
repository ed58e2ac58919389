"""The automations domain: events, filters, scopes and actions (:mod:`.models`), saved
:class:`Automation` objects, integrations, and the ``Api``/``AsyncApi`` methods.

Example:
    >>> from wandb_typed.automations import OnRunMetric, RunEvent, SendWebhook
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.automations._async.listing import AsyncAutomations, AsyncIntegrations
    from wandb_typed.automations._async.methods import AsyncAutomationsApi
    from wandb_typed.automations._sync.listing import Automations, Integrations
    from wandb_typed.automations._sync.methods import AutomationsApi
    from wandb_typed.automations.filters import (
        ArtifactEvent,
        MetricChangeFilter,
        MetricThresholdFilter,
        MetricZScoreFilter,
        RunEvent,
        RunFilter,
        RunStateFilter,
    )
    from wandb_typed.automations.kinds import (
        ActionType,
        ArtifactCollectionScope,
        EventType,
        ProjectScope,
        ScopeType,
    )
    from wandb_typed.automations.models import (
        Automation,
        DoNothing,
        Event,
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
        SendNotification,
        SendWebhook,
        SlackIntegration,
        WebhookIntegration,
    )

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

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncAutomations": "wandb_typed.automations._async.listing",
        "AsyncIntegrations": "wandb_typed.automations._async.listing",
        "AsyncAutomationsApi": "wandb_typed.automations._async.methods",
        "Automations": "wandb_typed.automations._sync.listing",
        "Integrations": "wandb_typed.automations._sync.listing",
        "AutomationsApi": "wandb_typed.automations._sync.methods",
        "ActionType": "wandb_typed.automations.kinds",
        "ArtifactCollectionScope": "wandb_typed.automations.kinds",
        "ArtifactEvent": "wandb_typed.automations.filters",
        "Automation": "wandb_typed.automations.models",
        "DoNothing": "wandb_typed.automations.models",
        "Event": "wandb_typed.automations.models",
        "EventType": "wandb_typed.automations.kinds",
        "MetricChangeFilter": "wandb_typed.automations.filters",
        "MetricThresholdFilter": "wandb_typed.automations.filters",
        "MetricZScoreFilter": "wandb_typed.automations.filters",
        "NewAutomation": "wandb_typed.automations.models",
        "OnAddArtifactAlias": "wandb_typed.automations.models",
        "OnAddArtifactTag": "wandb_typed.automations.models",
        "OnAddCollectionTag": "wandb_typed.automations.models",
        "OnCreateArtifact": "wandb_typed.automations.models",
        "OnLinkArtifact": "wandb_typed.automations.models",
        "OnRemoveArtifactTag": "wandb_typed.automations.models",
        "OnRemoveCollectionTag": "wandb_typed.automations.models",
        "OnRunMetric": "wandb_typed.automations.models",
        "OnRunState": "wandb_typed.automations.models",
        "OnUnlinkArtifact": "wandb_typed.automations.models",
        "ProjectScope": "wandb_typed.automations.kinds",
        "RunEvent": "wandb_typed.automations.filters",
        "RunFilter": "wandb_typed.automations.filters",
        "RunStateFilter": "wandb_typed.automations.filters",
        "ScopeType": "wandb_typed.automations.kinds",
        "SendNotification": "wandb_typed.automations.models",
        "SendWebhook": "wandb_typed.automations.models",
        "SlackIntegration": "wandb_typed.automations.models",
        "WebhookIntegration": "wandb_typed.automations.models",
    },
)
