"""Pure helpers of the sweeps domain: a sweep's YAML config, the run order its metric implies,
and the sort keys ``Sweep.best_run(order)`` takes (shared by both flavours).

Example:
    >>> config = parse_sweep_config("method: grid\\nmetric: {name: loss, goal: minimize}\\n")
    >>> config["method"], metric_order(config)
    ('grid', '+summary_metrics.loss')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from wandb_typed.errors import InvalidResponseError

__all__ = ["SWEEP_STATE_CHANGES", "format_order_key", "metric_order", "parse_sweep_config"]

SWEEP_STATE_CHANGES = {
    "pause": "PAUSED",
    "resume": "RUNNING",
    "stop": "FINISHED",
    "cancel": "CANCELED",
}
"""The state each of ``Sweep.pause/resume/stop/cancel`` asks the server for."""

_RUN_COLUMNS = ("createdAt", "updatedAt", "name", "sweep")
_PREFIXES = ("config", "summary_metrics", "tags")


def parse_sweep_config(text: str) -> dict[str, Any]:
    """The sweep configuration from the YAML text the server stores (``{}`` when empty).

    Raises:
        InvalidResponseError: the text is not YAML or not a mapping.

    Example:
        >>> parse_sweep_config('{"method": "random"}')
        {'method': 'random'}
    """
    import yaml  # loads with the first sweep config read, not with every import

    try:
        value: object = yaml.safe_load(text) if text else {}
    except yaml.YAMLError as exc:
        raise InvalidResponseError(f"the sweep config is not valid YAML: {exc}") from exc
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidResponseError("the sweep config is not a mapping")
    return cast("dict[str, Any]", value)


def format_order_key(key: str) -> str:
    """A run sort key as ``wandb`` reads it: ``-`` by default, bare metric names and unknown
    prefixes meaning ``summary_metrics.<name>``.

    Example:
        >>> format_order_key("loss"), format_order_key("+config.lr"), format_order_key("+name")
        ('-summary_metrics.loss', '+config.lr', '+name')
    """
    direction = "-"
    if key[:1] in ("+", "-"):
        direction, key = key[0], key[1:]
    parts = key.split(".")
    if len(parts) == 1 and parts[0] in _RUN_COLUMNS:
        return direction + key
    if len(parts) > 1 and parts[0] in _PREFIXES:
        return direction + key
    return f"{direction}summary_metrics.{key}"


def metric_order(config: Mapping[str, Any]) -> str | None:
    """The order of a sweep's runs best first (from ``metric.name``/``metric.goal``), or None
    when the config names no metric.

    Example:
        >>> metric_order({"metric": {"name": "acc", "goal": "maximize"}})
        '-summary_metrics.acc'
    """
    found: object = config.get("metric")
    if not isinstance(found, Mapping):
        return None
    metric = cast("Mapping[str, object]", found)
    if not metric.get("name"):
        return None
    prefix = "+" if metric.get("goal", "minimize") == "minimize" else "-"
    return format_order_key(f"{prefix}{metric['name']}")
