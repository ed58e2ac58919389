"""Automations: events (an event type in a scope, with a filter), actions, integrations,
the saved :class:`Automation`, and their wire form (pure: no requests; shared by ``Api``
and ``AsyncApi``). Types and scopes are in :mod:`.kinds`, filters in :mod:`.filters`.

An automation is an event (what happens, where: a project, an artifact collection or a
registry) and an action (a webhook, a Slack notification, nothing). Build one with ``>>``:

Example:
    >>> from wandb_typed.automations import OnRunMetric, RunEvent, ProjectScope, DoNothing
    >>> event = OnRunMetric(scope=ProjectScope("UHJvamVjdDox", "my-project"),
    ...                     filter=RunEvent.metric("loss").avg(5) > 0.5)
    >>> new = event >> DoNothing()
    >>> new.event.event_type
    <EventType.RUN_METRIC_THRESHOLD: 'RUN_METRIC'>
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from wandb_typed._json import as_object
from wandb_typed.automations.filters import (
    ArtifactFilter,
    MetricChangeFilter,
    MetricFilter,
    MetricThresholdFilter,
    MetricZScoreFilter,
    RunStateFilter,
)
from wandb_typed.automations.kinds import (
    RUN_EVENT_TYPES,
    ActionType,
    ArtifactCollectionScope,
    EventType,
    HasIdAndName,
    ProjectScope,
    Scope,
    ScopeType,
    as_scope,
)
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import TriggerFragment

__all__ = [
    "Action",
    "ArtifactEventFactory",
    "Automation",
    "DoNothing",
    "Event",
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
    "SendNotification",
    "SendWebhook",
    "SlackIntegration",
    "WebhookIntegration",
    "automation_from_wire",
    "create_params",
    "integration_from_wire",
    "update_params",
]


# --- events ---------------------------------------------------------------------------------


@dataclass
class Event:
    """An event type in a scope, with its filter (the base of the ``On*`` events)."""

    scope: Scope
    event_type: EventType
    filter: Any = None

    def __rshift__(self, action: Action) -> NewAutomation:
        """``event >> action``: an automation to create."""
        return NewAutomation(event=self, action=action)

    def filter_json(self) -> str:
        """The ``eventFilter`` as sent (the wire format wandb's client sends)."""
        if self.event_type in RUN_EVENT_TYPES:
            runs = list(getattr(self.filter, "runs", ()))
            body: dict[str, Any] = {"run_filter": json.dumps({"$and": runs}, separators=(",", ":"))}
            if isinstance(self.filter, RunStateFilter):
                body["run_state_filter"] = self.filter.wire()
            else:
                body["run_metric_filter"] = self.filter.wire()
                body["metric_filter"] = None
            return json.dumps(body, separators=(",", ":"))
        inner = [self.filter.expr] if isinstance(self.filter, ArtifactFilter) else []
        return json.dumps({"$or": [{"$and": inner}]}, separators=(",", ":"))


def _event(
    event_type: EventType,
    scope: Scope | HasIdAndName,
    filter: MetricFilter | RunStateFilter | ArtifactFilter | None,
    allowed: tuple[ScopeType, ...],
) -> Event:
    found = as_scope(scope)
    if found.scope_type not in allowed:
        raise InvalidArgumentError(
            f"a {event_type.name} event cannot have a {found.scope_type.value} scope"
            f" (allowed: {', '.join(s.value for s in allowed)})"
        )
    return Event(found, event_type, filter)


_PROJECT_ONLY = (ScopeType.PROJECT,)
_ANY_SCOPE = (ScopeType.PROJECT, ScopeType.ARTIFACT_COLLECTION)


def OnRunMetric(*, scope: Scope | HasIdAndName, filter: MetricFilter) -> Event:
    """A run's metric crosses a threshold, changes, or leaves its usual range (projects)."""
    if not isinstance(filter, MetricThresholdFilter | MetricChangeFilter | MetricZScoreFilter):
        raise InvalidArgumentError(
            f"OnRunMetric needs a metric filter such as RunEvent.metric('loss') > 0.5, got {filter!r}"
        )
    return _event(filter.event_type, scope, filter, _PROJECT_ONLY)


def OnRunState(*, scope: Scope | HasIdAndName, filter: RunStateFilter) -> Event:
    """A run reaches a state (``RunEvent.state == "failed"``)."""
    if not isinstance(filter, RunStateFilter):
        raise InvalidArgumentError(f"OnRunState needs RunEvent.state == ..., got {filter!r}")
    return _event(EventType.RUN_STATE, scope, filter, _PROJECT_ONLY)


class ArtifactEventFactory(Protocol):
    """An artifact event maker (``OnCreateArtifact``, ``OnLinkArtifact``...)."""

    def __call__(
        self, *, scope: Scope | HasIdAndName, filter: ArtifactFilter | None = None
    ) -> Event:
        """The event in ``scope`` (a project or an artifact collection), with ``filter``."""
        ...


def _artifact_event(event_type: EventType) -> ArtifactEventFactory:
    def make(*, scope: Scope | HasIdAndName, filter: ArtifactFilter | None = None) -> Event:
        if filter is not None and not isinstance(filter, ArtifactFilter):
            raise InvalidArgumentError(
                f"an artifact event filter must be ArtifactEvent...., got {filter!r}"
            )
        return _event(event_type, scope, filter, _ANY_SCOPE)

    make.__doc__ = (
        f"A {event_type.name.lower().replace('_', ' ')} event in a project or collection."
    )
    return make


OnCreateArtifact: ArtifactEventFactory = _artifact_event(EventType.CREATE_ARTIFACT)
OnLinkArtifact: ArtifactEventFactory = _artifact_event(EventType.LINK_ARTIFACT)
OnUnlinkArtifact: ArtifactEventFactory = _artifact_event(EventType.UNLINK_ARTIFACT)
OnAddArtifactAlias: ArtifactEventFactory = _artifact_event(EventType.ADD_ARTIFACT_ALIAS)
OnAddArtifactTag: ArtifactEventFactory = _artifact_event(EventType.ADD_ARTIFACT_TAG)
OnRemoveArtifactTag: ArtifactEventFactory = _artifact_event(EventType.REMOVE_ARTIFACT_TAG)
OnAddCollectionTag: ArtifactEventFactory = _artifact_event(EventType.ADD_COLLECTION_TAG)
OnRemoveCollectionTag: ArtifactEventFactory = _artifact_event(EventType.REMOVE_COLLECTION_TAG)


# --- integrations and actions ---------------------------------------------------------------


@dataclass(frozen=True)
class WebhookIntegration:
    """A generic webhook of an entity (its secrets are never read back)."""

    id: str
    name: str
    url_endpoint: str


@dataclass(frozen=True)
class SlackIntegration:
    """A Slack channel of an entity."""

    id: str
    team_name: str
    channel_name: str


@dataclass
class SendWebhook:
    """POST ``request_payload`` (``${variables}`` filled) to a webhook integration."""

    integration_id: str
    request_payload: dict[str, Any] | None = None
    action_type: ActionType = ActionType.GENERIC_WEBHOOK

    @classmethod
    def from_integration(
        cls, integration: WebhookIntegration, *, payload: dict[str, Any] | None = None
    ) -> SendWebhook:
        """The action sending ``payload`` to ``integration``."""
        return cls(integration.id, payload)

    def config(self) -> dict[str, Any]:
        """The ``triggeredActionConfig``."""
        payload = None if self.request_payload is None else json.dumps(self.request_payload)
        return {
            "genericWebhookActionInput": {
                "integrationID": self.integration_id,
                "requestPayload": payload,
            }
        }


@dataclass
class SendNotification:
    """Post a message to a Slack integration."""

    integration_id: str
    title: str = ""
    message: str = ""
    severity: Literal["INFO", "WARN", "ERROR"] = "INFO"
    action_type: ActionType = ActionType.NOTIFICATION

    @classmethod
    def from_integration(
        cls,
        integration: SlackIntegration,
        *,
        title: str = "",
        text: str = "",
        level: Literal["INFO", "WARN", "ERROR"] = "INFO",
    ) -> SendNotification:
        """The action posting ``title``/``text`` to ``integration``."""
        return cls(integration.id, title, text, level)

    def config(self) -> dict[str, Any]:
        """The ``triggeredActionConfig``."""
        return {
            "notificationActionInput": {
                "integrationID": self.integration_id,
                "title": self.title,
                "message": self.message,
                "severity": self.severity,
            }
        }


@dataclass
class DoNothing:
    """An action that does nothing (to try an automation's event out)."""

    action_type: ActionType = ActionType.NO_OP

    def config(self) -> dict[str, Any]:
        """The ``triggeredActionConfig``."""
        return {"noOpActionInput": {"noOp": True}}


Action = SendWebhook | SendNotification | DoNothing


# --- automations ----------------------------------------------------------------------------


@dataclass
class NewAutomation:
    """An automation not created yet (``event >> action``, plus name and description)."""

    event: Event
    action: Action
    name: str | None = None
    description: str | None = None
    enabled: bool = True


@dataclass
class Automation:
    """A saved automation. Change its fields and pass it to ``update_automation``.

    ``event.filter`` is the filter as saved (a dict: the run metric or state filter, or the
    artifact filter's Mongo expression).
    """

    id: str
    name: str
    description: str | None
    enabled: bool
    scope: Scope
    event: Event
    action: Action
    created_at: datetime | None = None
    updated_at: datetime | None = field(default=None)


_OVERRIDABLE = frozenset({"name", "description", "enabled", "scope", "event", "action"})


def _apply(target: NewAutomation | Automation, overrides: dict[str, Any]) -> None:
    unknown = set(overrides) - _OVERRIDABLE
    if unknown:
        raise InvalidArgumentError(
            f"unknown automation fields {sorted(unknown)} (allowed: {sorted(_OVERRIDABLE)})"
        )
    for key, value in overrides.items():
        if key == "scope":
            scope = as_scope(value)
            target.event = Event(scope, target.event.event_type, target.event.filter)
            if isinstance(target, Automation):
                target.scope = scope
        else:
            setattr(target, key, value)


def create_params(obj: NewAutomation | Automation, overrides: dict[str, Any]) -> dict[str, Any]:
    """The ``CreateFilterTriggerInput`` for ``obj`` with ``overrides`` applied."""
    if isinstance(obj, Automation):
        obj = NewAutomation(obj.event, obj.action, obj.name, obj.description, obj.enabled)
    elif not isinstance(obj, NewAutomation):
        raise InvalidArgumentError(f"create_automation() needs event >> action, got {obj!r}")
    else:
        obj = NewAutomation(obj.event, obj.action, obj.name, obj.description, obj.enabled)
    _apply(obj, overrides)
    if not obj.name:
        raise InvalidArgumentError("an automation needs a name (name=...)")
    return {
        "name": obj.name,
        "description": obj.description,
        "enabled": obj.enabled,
        **_event_action(obj.event.scope, obj.event, obj.action),
    }


def _event_action(scope: Scope, event: Event, action: Action) -> dict[str, Any]:
    return {
        "scopeType": scope.scope_type.value,
        "scopeID": scope.id,
        "triggeringEventType": event.event_type.value,
        "eventFilter": event.filter_json()
        if not isinstance(event.filter, dict)
        else _saved_filter_json(event),
        "triggeredActionType": action.action_type.value,
        "triggeredActionConfig": action.config(),
    }


def _saved_filter_json(event: Event) -> str:
    """A saved event's filter, as it must be re-sent (artifact filters unwrapped)."""
    saved = as_object(event.filter)
    assert saved is not None
    return json.dumps(saved, separators=(",", ":"))


def update_params(obj: Automation, overrides: dict[str, Any]) -> dict[str, Any]:
    """The whole ``UpdateFilterTriggerInput`` for a saved automation, ``overrides`` applied."""
    if not isinstance(obj, Automation):
        raise InvalidArgumentError(f"update_automation() needs a saved Automation, got {obj!r}")
    _apply(obj, overrides)
    return {
        "id": obj.id,
        "name": obj.name,
        "description": obj.description,
        "enabled": obj.enabled,
        **_event_action(obj.scope, obj.event, obj.action),
    }


def automation_from_wire(trigger: TriggerFragment) -> Automation:
    """An :class:`Automation` from a ``TriggerFragment``."""
    from wandb_typed._generated.fragments import (
        TriggerFragmentActionGenericWebhookTriggeredAction,
        TriggerFragmentActionNotificationTriggeredAction,
    )

    scope: Scope = (
        ProjectScope(trigger.scope.id, trigger.scope.name)
        if trigger.scope.typename__ == "Project"
        else ArtifactCollectionScope(trigger.scope.id, trigger.scope.name)
    )
    event_type = EventType(trigger.event.event_type)
    saved = json.loads(trigger.event.filter_ or "{}")
    if event_type not in RUN_EVENT_TYPES and isinstance(saved.get("filter"), str):
        saved = json.loads(saved["filter"])  # artifact filters come back wrapped
    action: Action
    wire_action = trigger.action
    if isinstance(wire_action, TriggerFragmentActionGenericWebhookTriggeredAction):
        payload = wire_action.request_payload
        hook = _integration_id(trigger.name, integration_from_wire(wire_action.integration))
        action = SendWebhook(hook, json.loads(payload) if payload else None)
    elif isinstance(wire_action, TriggerFragmentActionNotificationTriggeredAction):
        action = SendNotification(
            _integration_id(trigger.name, integration_from_wire(wire_action.integration)),
            wire_action.title or "",
            wire_action.message or "",
            wire_action.severity.value if wire_action.severity is not None else "INFO",
        )
    else:
        action = DoNothing()
    return Automation(
        id=trigger.id,
        name=trigger.name,
        description=trigger.description,
        enabled=trigger.enabled,
        scope=scope,
        event=Event(scope, event_type, saved),
        action=action,
        created_at=trigger.created_at,
        updated_at=trigger.updated_at,
    )


def _integration_id(name: str, found: WebhookIntegration | SlackIntegration | None) -> str:
    if found is None:
        raise InvalidResponseError(f"the action of automation {name!r} has no integration")
    return found.id


def integration_from_wire(node: object) -> WebhookIntegration | SlackIntegration | None:
    """A typed integration from an integration node (webhook or Slack; others: None)."""
    from wandb_typed._generated.fragments import (
        SlackIntegrationFragment,
        WebhookIntegrationFragment,
    )

    if isinstance(node, WebhookIntegrationFragment):
        return WebhookIntegration(node.id, node.name, node.url_endpoint)
    if isinstance(node, SlackIntegrationFragment):
        return SlackIntegration(node.id, node.team_name, node.channel_name)
    return None
