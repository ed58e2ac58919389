"""Typed automation models: scopes, events and their filters, actions, integrations, and
the saved :class:`Automation` (pure: no requests; shared by ``Api`` and ``AsyncApi``).

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
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any, Literal, Protocol, TypeVar

from wandb_typed.errors import InvalidArgumentError

__all__ = [
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


class EventType(str, Enum):
    """What an automation reacts to (values as on the wire)."""

    RUN_METRIC_THRESHOLD = "RUN_METRIC"
    RUN_METRIC_CHANGE = "RUN_METRIC_CHANGE"
    RUN_METRIC_ZSCORE = "RUN_METRIC_ZSCORE"
    RUN_STATE = "RUN_STATE"
    CREATE_ARTIFACT = "CREATE_ARTIFACT"
    LINK_ARTIFACT = "LINK_MODEL"
    UNLINK_ARTIFACT = "UNLINK_ARTIFACT"
    ADD_ARTIFACT_ALIAS = "ADD_ARTIFACT_ALIAS"
    ADD_ARTIFACT_TAG = "ADD_ARTIFACT_TAG"
    REMOVE_ARTIFACT_TAG = "REMOVE_ARTIFACT_TAG"
    ADD_COLLECTION_TAG = "ADD_COLLECTION_TAG"
    REMOVE_COLLECTION_TAG = "REMOVE_COLLECTION_TAG"


RUN_EVENT_TYPES = frozenset(
    {
        EventType.RUN_METRIC_THRESHOLD,
        EventType.RUN_METRIC_CHANGE,
        EventType.RUN_METRIC_ZSCORE,
        EventType.RUN_STATE,
    }
)


class ScopeType(str, Enum):
    """Where an automation watches."""

    PROJECT = "PROJECT"
    ARTIFACT_COLLECTION = "ARTIFACT_COLLECTION"


class ActionType(str, Enum):
    """What an automation does."""

    GENERIC_WEBHOOK = "GENERIC_WEBHOOK"
    NOTIFICATION = "NOTIFICATION"
    NO_OP = "NO_OP"


# --- scopes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectScope:
    """A project (or a registry, which is a project) as an automation's scope."""

    id: str
    name: str
    scope_type: ScopeType = ScopeType.PROJECT


@dataclass(frozen=True)
class ArtifactCollectionScope:
    """An artifact collection (a sequence, or a portfolio such as a registry collection)."""

    id: str
    name: str
    scope_type: ScopeType = ScopeType.ARTIFACT_COLLECTION


Scope = ProjectScope | ArtifactCollectionScope


class _HasIdAndName(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


def as_scope(obj: Scope | _HasIdAndName) -> Scope:
    """A scope from a scope, a ``Project``/``Registry`` or an ``ArtifactCollection``.

    >>> as_scope(ProjectScope("UHJvamVjdDox", "p")).scope_type
    <ScopeType.PROJECT: 'PROJECT'>
    """
    if isinstance(obj, ProjectScope | ArtifactCollectionScope):
        return obj
    ident, name = getattr(obj, "id", None), getattr(obj, "name", None)
    if not isinstance(ident, str) or not isinstance(name, str):
        raise InvalidArgumentError(
            f"an automation scope must be a project, registry or artifact collection, got {obj!r}"
        )
    if "Collection" in type(obj).__name__:
        return ArtifactCollectionScope(ident, name)
    return ProjectScope(ident, name)


# --- filters --------------------------------------------------------------------------------

_AGG = {"max": "MAX", "min": "MIN", "avg": "AVERAGE"}


_F = TypeVar("_F", bound="_WithRunConditions")


class _WithRunConditions:
    """``filter & RunEvent.name == "x"``: a run event filter that also needs run conditions."""

    runs: tuple[dict[str, Any], ...]

    def __and__(self: _F, other: object) -> _F:
        if not isinstance(other, RunFilter):
            raise InvalidArgumentError(
                f"a run event filter combines with run conditions (RunEvent.name ...), got {other!r}"
            )
        combined: _F = replace(self, runs=(*self.runs, other.expr))  # type: ignore[type-var]
        return combined

    __rand__ = __and__


_Cmp = Literal["$gt", "$gte", "$lt", "$lte"]
_CMP: dict[str, _Cmp] = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}


@dataclass(frozen=True)
class MetricThresholdFilter(_WithRunConditions):
    """``metric`` (aggregated over the last ``window`` values) compared with ``threshold``."""

    name: str
    cmp: Literal["$gt", "$gte", "$lt", "$lte"]
    threshold: float
    agg: str | None = None
    window: int = 1
    event_type: EventType = EventType.RUN_METRIC_THRESHOLD
    runs: tuple[dict[str, Any], ...] = ()
    """Conditions on the run (``& RunEvent.name == "x"``), all of which must hold."""

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "threshold_filter": {
                "name": self.name,
                "agg_op": self.agg,
                "window_size": self.window,
                "cmp_op": self.cmp,
                "threshold": self.threshold,
            }
        }


@dataclass(frozen=True)
class MetricChangeFilter(_WithRunConditions):
    """The metric changed by ``amount`` (absolute or relative) between two windows."""

    name: str
    amount: float
    change_type: Literal["ABSOLUTE", "RELATIVE"]
    change_dir: Literal["INCREASE", "DECREASE", "ANY"]
    agg: str | None = None
    window: int = 1
    prior_window: int = 1
    event_type: EventType = EventType.RUN_METRIC_CHANGE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "change_filter": {
                "name": self.name,
                "agg_op": self.agg,
                "current_window_size": self.window,
                "change_amount": self.amount,
                "prior_window_size": self.prior_window,
                "change_type": self.change_type,
                "change_dir": self.change_dir,
            }
        }


@dataclass(frozen=True)
class MetricZScoreFilter(_WithRunConditions):
    """The metric's z-score against the previous ``window`` values passes ``threshold``."""

    name: str
    window: int
    threshold: float
    change_dir: Literal["INCREASE", "DECREASE", "ANY"]
    event_type: EventType = EventType.RUN_METRIC_ZSCORE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "zscore_filter": {
                "name": self.name,
                "window_size": self.window,
                "threshold": self.threshold,
                "change_dir": self.change_dir,
            }
        }


def _number(value: object, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidArgumentError(f"{what} must be a number, got {value!r}")
    return float(value)


def _positive_int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidArgumentError(f"{what} must be a positive integer, got {value!r}")
    return value


class _MetricOperand:
    """A metric (optionally aggregated): compare it, or ask how it changes."""

    def __init__(self, name: str, agg: str | None = None, window: int = 1) -> None:
        self.name, self.agg, self.window = name, agg, window

    def _threshold(self, op: str, value: object) -> MetricThresholdFilter:
        return MetricThresholdFilter(
            self.name,
            _CMP[op],
            _number(value, "threshold"),
            self.agg,
            self.window,
        )

    def __gt__(self, value: object) -> MetricThresholdFilter:
        return self._threshold(">", value)

    def __ge__(self, value: object) -> MetricThresholdFilter:
        return self._threshold(">=", value)

    def __lt__(self, value: object) -> MetricThresholdFilter:
        return self._threshold("<", value)

    def __le__(self, value: object) -> MetricThresholdFilter:
        return self._threshold("<=", value)

    gt = __gt__
    gte = __ge__
    lt = __lt__
    lte = __le__

    def _change(
        self,
        direction: Literal["INCREASE", "DECREASE", "ANY"],
        diff: float | None,
        frac: float | None,
    ) -> MetricChangeFilter:
        if (diff is None) == (frac is None):
            raise InvalidArgumentError("give exactly one of diff= (absolute) or frac= (relative)")
        amount = _number(diff if diff is not None else frac, "the change")
        if amount <= 0:
            raise InvalidArgumentError(f"the change must be positive, got {amount!r}")
        kind: Literal["ABSOLUTE", "RELATIVE"] = "ABSOLUTE" if diff is not None else "RELATIVE"
        return MetricChangeFilter(
            self.name, amount, kind, direction, self.agg, self.window, self.window
        )

    def changes_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Changed (either way) by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("ANY", diff, frac)

    def increases_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Grew by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("INCREASE", diff, frac)

    def decreases_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Shrank by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("DECREASE", diff, frac)


class _MetricValue(_MetricOperand):
    """``RunEvent.metric(name)``: the last value, or an aggregate over a window."""

    def max(self, window: int) -> _MetricOperand:
        """The largest of the last ``window`` values."""
        return _MetricOperand(self.name, "MAX", _positive_int(window, "window"))

    def min(self, window: int) -> _MetricOperand:
        """The smallest of the last ``window`` values."""
        return _MetricOperand(self.name, "MIN", _positive_int(window, "window"))

    def avg(self, window: int) -> _MetricOperand:
        """The mean of the last ``window`` values."""
        return _MetricOperand(self.name, "AVERAGE", _positive_int(window, "window"))

    mean = avg

    def zscore(self, window: int) -> _ZScore:
        """The newest value's z-score against the previous ``window`` values."""
        return _ZScore(self.name, _positive_int(window, "window"))


class _ZScore:
    def __init__(self, name: str, window: int, absolute: bool = False) -> None:
        self.name, self.window, self.absolute = name, window, absolute

    def __gt__(self, value: object) -> MetricZScoreFilter:
        return MetricZScoreFilter(
            self.name,
            self.window,
            _number(value, "threshold"),
            "ANY" if self.absolute else "INCREASE",
        )

    def __lt__(self, value: object) -> MetricZScoreFilter:
        return MetricZScoreFilter(
            self.name, self.window, abs(_number(value, "threshold")), "DECREASE"
        )

    def __abs__(self) -> _ZScore:
        return _ZScore(self.name, self.window, absolute=True)


@dataclass(frozen=True)
class RunStateFilter(_WithRunConditions):
    """The run reached one of ``states`` (``FINISHED``, ``FAILED``, ``CRASHED``...)."""

    states: tuple[str, ...]
    event_type: EventType = EventType.RUN_STATE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_state_filter`` JSON."""
        return {"states": list(self.states)}


@dataclass(frozen=True)
class RunFilter:
    """A condition on the run itself (``RunEvent.name == "baseline"``); combine it with a
    metric or state filter with ``&``."""

    expr: dict[str, Any]


class _RunField:
    """``RunEvent.name``: conditions on the run's display name."""

    def __init__(self, key: str) -> None:
        self.key = key

    def eq(self, value: str) -> RunFilter:
        """Exactly ``value``."""
        return RunFilter({self.key: {"$eq": value}})

    __eq__ = eq  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def contains(self, text: str) -> RunFilter:
        """Containing ``text``."""
        return RunFilter({self.key: {"$contains": text}})

    def matches_regex(self, pattern: str) -> RunFilter:
        """Matching the regular expression ``pattern``."""
        return RunFilter({self.key: {"$regex": pattern}})


class _RunState:
    def __eq__(self, state: object) -> RunStateFilter:  # type: ignore[override]
        return self.in_([str(state)])

    def in_(self, states: list[str]) -> RunStateFilter:
        """One of several states."""
        return RunStateFilter(tuple(str(state).upper() for state in states))

    __hash__ = None  # type: ignore[assignment]


class RunEvent:
    """Builders of run event filters.

    Example:
        >>> (RunEvent.metric("loss").avg(5) > 0.5).threshold
        0.5
        >>> (RunEvent.state == "failed").states
        ('FAILED',)
        >>> ((RunEvent.state == "failed") & (RunEvent.name == "baseline")).runs
        ({'display_name': {'$eq': 'baseline'}},)
    """

    state = _RunState()
    name = _RunField("display_name")

    @staticmethod
    def metric(name: str) -> _MetricValue:
        """A logged metric, by name."""
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"a metric name must be a non-empty string, got {name!r}")
        return _MetricValue(name)


@dataclass(frozen=True)
class ArtifactFilter:
    """A Mongo-style filter on an artifact event's ``alias`` or ``tag``."""

    expr: dict[str, Any]


class _ArtifactField:
    def __init__(self, name: str) -> None:
        self.name = name

    def eq(self, value: str) -> ArtifactFilter:
        """Exactly ``value``."""
        return ArtifactFilter({self.name: {"$eq": value}})

    __eq__ = eq  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def matches_regex(self, pattern: str) -> ArtifactFilter:
        """Matching the regular expression ``pattern``."""
        return ArtifactFilter({self.name: {"$regex": pattern}})


class ArtifactEvent:
    """Builders of artifact event filters: ``ArtifactEvent.alias.eq("production")``."""

    alias = _ArtifactField("alias")
    tag = _ArtifactField("tag")


MetricFilter = MetricThresholdFilter | MetricChangeFilter | MetricZScoreFilter


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


def _event(event_type: EventType, scope: Any, filter: Any, allowed: tuple[ScopeType, ...]) -> Event:
    found = as_scope(scope)
    if found.scope_type not in allowed:
        raise InvalidArgumentError(
            f"a {event_type.name} event cannot have a {found.scope_type.value} scope"
            f" (allowed: {', '.join(s.value for s in allowed)})"
        )
    return Event(found, event_type, filter)


_PROJECT_ONLY = (ScopeType.PROJECT,)
_ANY_SCOPE = (ScopeType.PROJECT, ScopeType.ARTIFACT_COLLECTION)


def OnRunMetric(*, scope: Any, filter: MetricFilter) -> Event:
    """A run's metric crosses a threshold, changes, or leaves its usual range (projects)."""
    if not isinstance(filter, MetricThresholdFilter | MetricChangeFilter | MetricZScoreFilter):
        raise InvalidArgumentError(
            f"OnRunMetric needs a metric filter such as RunEvent.metric('loss') > 0.5, got {filter!r}"
        )
    return _event(filter.event_type, scope, filter, _PROJECT_ONLY)


def OnRunState(*, scope: Any, filter: RunStateFilter) -> Event:
    """A run reaches a state (``RunEvent.state == "failed"``)."""
    if not isinstance(filter, RunStateFilter):
        raise InvalidArgumentError(f"OnRunState needs RunEvent.state == ..., got {filter!r}")
    return _event(EventType.RUN_STATE, scope, filter, _PROJECT_ONLY)


def _artifact_event(event_type: EventType) -> Any:
    def make(*, scope: Any, filter: ArtifactFilter | None = None) -> Event:
        if filter is not None and not isinstance(filter, ArtifactFilter):
            raise InvalidArgumentError(
                f"an artifact event filter must be ArtifactEvent...., got {filter!r}"
            )
        return _event(event_type, scope, filter, _ANY_SCOPE)

    make.__doc__ = (
        f"A {event_type.name.lower().replace('_', ' ')} event in a project or collection."
    )
    return make


OnCreateArtifact = _artifact_event(EventType.CREATE_ARTIFACT)
OnLinkArtifact = _artifact_event(EventType.LINK_ARTIFACT)
OnUnlinkArtifact = _artifact_event(EventType.UNLINK_ARTIFACT)
OnAddArtifactAlias = _artifact_event(EventType.ADD_ARTIFACT_ALIAS)
OnAddArtifactTag = _artifact_event(EventType.ADD_ARTIFACT_TAG)
OnRemoveArtifactTag = _artifact_event(EventType.REMOVE_ARTIFACT_TAG)
OnAddCollectionTag = _artifact_event(EventType.ADD_COLLECTION_TAG)
OnRemoveCollectionTag = _artifact_event(EventType.REMOVE_COLLECTION_TAG)


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
    assert isinstance(event.filter, dict)
    return json.dumps(event.filter, separators=(",", ":"))


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


def automation_from_wire(trigger: Any) -> Automation:
    """An :class:`Automation` from a ``TriggerFragment``."""
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
    if wire_action.typename__ == "GenericWebhookTriggeredAction":
        payload = wire_action.request_payload
        action = SendWebhook(wire_action.integration.id, json.loads(payload) if payload else None)
    elif wire_action.typename__ == "NotificationTriggeredAction":
        action = SendNotification(
            wire_action.integration.id,
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


def integration_from_wire(node: Any) -> WebhookIntegration | SlackIntegration | None:
    """A typed integration from an ``IntegrationsByEntity`` node (others: None)."""
    if node is None:
        return None
    if node.typename__ == "GenericWebhookIntegration":
        return WebhookIntegration(node.id, node.name, node.url_endpoint)
    if node.typename__ == "SlackIntegration":
        return SlackIntegration(node.id, node.team_name, node.channel_name)
    return None
