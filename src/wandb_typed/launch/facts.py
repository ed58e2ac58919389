"""Launch facts and checks shared by both flavours (pure: no requests).

Example:
    >>> check_queue_name("gpu-queue")
    'gpu-queue'
    >>> external_links_value({"docs": "https://example.com"})
    '{"links": [{"label": "docs", "url": "https://example.com"}]}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from wandb_typed._json import as_array, as_object
from wandb_typed.errors import InvalidArgumentError, WandbTypedError

__all__ = [
    "LAUNCH_DEFAULT_PROJECT",
    "RESOURCE_TYPES",
    "QueuedRunFailedError",
    "QueuedRunTimeoutError",
    "RunQueueAccessType",
    "RunQueuePrioritizationMode",
    "RunQueueResourceType",
    "check_config_fits",
    "check_prioritization_mode",
    "check_queue_name",
    "check_resource_type",
    "external_links_value",
    "links_of",
]

LAUNCH_DEFAULT_PROJECT = "model-registry"
"""The project W&B keeps an entity's run queues in."""

RunQueueResourceType = Literal[
    "local-container", "local-process", "kubernetes", "sagemaker", "gcp-vertex"
]
RunQueueAccessType = Literal["project", "user"]
RunQueuePrioritizationMode = Literal["DISABLED", "V0"]
RESOURCE_TYPES: tuple[str, ...] = (
    "local-container",
    "local-process",
    "kubernetes",
    "sagemaker",
    "gcp-vertex",
)
PRIORITIES = range(0, 4)


class QueuedRunFailedError(WandbTypedError):
    """The queue item failed before its run could start (the agent gave up on it)."""


class QueuedRunTimeoutError(WandbTypedError):
    """A wait for a queued run ended at its ``timeout``."""


def check_queue_name(name: str) -> str:
    """A queue name of 1 to 64 characters."""
    if not name:
        raise InvalidArgumentError("name must be non-empty")
    if len(name) > 64:
        raise InvalidArgumentError(f"name must be at most 64 characters, got {len(name)}")
    return name


def check_resource_type(resource_type: str) -> str:
    """One of the five resource types of W&B Launch."""
    if resource_type not in RESOURCE_TYPES:
        raise InvalidArgumentError(
            f"resource type must be one of {', '.join(RESOURCE_TYPES)}, got {resource_type!r}"
        )
    return resource_type


def check_prioritization_mode(mode: str | None, *, allow_disabled: bool) -> str | None:
    """``V0`` (or ``DISABLED`` where allowed), in capitals; None stays None.

    >>> check_prioritization_mode("v0", allow_disabled=False)
    'V0'
    """
    if mode is None:
        return None
    upper = mode.upper()
    allowed = ("V0", "DISABLED") if allow_disabled else ("V0",)
    if upper not in allowed:
        raise InvalidArgumentError(
            f"prioritization_mode must be {' or '.join(repr(a) for a in allowed)}, got {mode!r}"
        )
    return upper


def check_priority(priority: int | None) -> int | None:
    """A queue item's priority: 0 (critical), 1 (high), 2 (medium) or 3 (low)."""
    if priority is not None and priority not in PRIORITIES:
        raise InvalidArgumentError(f"priority must be 0 (critical) to 3 (low), got {priority}")
    return priority


def external_links_value(links: Mapping[str, str] | None) -> str:
    """``{label: url}`` as W&B stores it: ``{"links": [{"label", "url"}, ...]}`` (JSON)."""
    return json.dumps(
        {"links": [{"label": label, "url": url} for label, url in (links or {}).items()]}
    )


def links_of(stored: str | None) -> dict[str, str]:
    """The ``{label: url}`` of a queue's stored external links.

    >>> links_of('{"links": [{"label": "docs", "url": "https://x"}]}')
    {'docs': 'https://x'}
    """
    if not stored:
        return {}
    value = as_object(json.loads(stored))
    links = (as_array(value.get("links", [])) if value is not None else None) or []
    return {
        str(link["label"]): str(link["url"])
        for link in map(as_object, links)
        if link is not None and "label" in link and "url" in link
    }


def check_config_fits(
    job_name: str, input_types: Mapping[str, Any], config: Mapping[str, Any]
) -> None:
    """Refuse config keys the job does not declare as inputs (a job made by ``wandb job
    create`` without inputs takes none).

    >>> check_config_fits("j", {"wb_type": "typedDict", "params": {"type_map": {"lr": {}}}}, {"lr": 1})
    """
    declared = input_types.get("params", {}).get("type_map", {})
    extra = sorted(set(config) - set(declared))
    if extra:
        raise InvalidArgumentError(
            f"job {job_name} has no input named {', '.join(map(repr, extra))}; "
            f"its inputs are {sorted(declared) or 'none'}"
        )
