"""Sweep configurations and the next trial of a sweep, from W&B's own search engine.

The server's agent protocol asks this module what to run next: the ``sweeps`` package (W&B's
published engine: grid, random and bayes search, hyperband early termination) computes the
suggestion from the sweep's configuration and the trials so far. This module checks a
configuration before a sweep is stored (errors name the bad key), counts a grid's points, and
turns the engine's numpy values into JSON.

>>> config = parse_sweep_config("method: grid\\nparameters:\\n  lr: {values: [0.1, 0.01]}\\n")
>>> check_sweep_config(config)
[]
>>> expected_run_count(config)
2
>>> next_parameters(config, [Trial("a", "finished", {"lr": {"value": 0.1}})])
{'lr': {'value': 0.01}}
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = [
    "METHODS",
    "SweepConfigError",
    "Trial",
    "check_sweep_config",
    "expected_run_count",
    "metric_goal",
    "next_parameters",
    "parse_sweep_config",
    "runs_to_stop",
]

METHODS = ("grid", "random", "bayes")
_PARAMETER_KEYS = frozenset(
    {"value", "values", "min", "max", "distribution", "mu", "sigma", "q", "probabilities"}
)


class SweepConfigError(ValueError):
    """A sweep configuration the server refuses; the message names the bad key."""


@dataclass(frozen=True)
class Trial:
    """One run of a sweep as the engine sees it: its name, state, parameters (``{"k":
    {"value": v}}``), summary and the metric's history (oldest first)."""

    name: str
    state: str
    config: Mapping[str, object]
    summary: Mapping[str, object] = field(default_factory=dict)
    history: Sequence[Mapping[str, object]] = ()


def parse_sweep_config(text: str) -> dict[str, Any]:
    """A configuration from its YAML (or JSON) text.

    Raises:
        SweepConfigError: the text is not YAML, or not a mapping.

    >>> parse_sweep_config('{"method": "random"}')
    {'method': 'random'}
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SweepConfigError(f"sweep config is not valid YAML or JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise SweepConfigError("sweep config must be a mapping with 'method' and 'parameters'")
    return value


def check_sweep_config(config: Mapping[str, Any]) -> list[str]:
    """Refuse a configuration the engine cannot search; return warnings for the rest.

    Raises:
        SweepConfigError: naming the key: an unknown ``method``, no ``parameters``, a parameter
            without values or bounds, a ``bayes`` search or ``early_terminate`` without
            ``metric.name``, a bad ``run_cap``.

    >>> check_sweep_config({"method": "annealing", "parameters": {"x": {"value": 1}}})
    Traceback (most recent call last):
    ...
    wandb_typed_server.sweep_search.SweepConfigError: sweep config 'method': 'annealing' is not one of grid, random, bayes
    """
    method = config.get("method")
    if method not in METHODS:
        raise SweepConfigError(
            f"sweep config 'method': {method!r} is not one of {', '.join(METHODS)}"
        )
    parameters = config.get("parameters")
    if not isinstance(parameters, Mapping) or not parameters:
        raise SweepConfigError("sweep config 'parameters' must be a non-empty mapping")
    _check_parameters(parameters, "parameters")
    metric = config.get("metric")
    if metric is not None and not (isinstance(metric, Mapping) and metric.get("name")):
        raise SweepConfigError("sweep config 'metric' must be a mapping with a 'name'")
    if metric is not None and metric.get("goal", "minimize") not in ("minimize", "maximize"):
        raise SweepConfigError(
            f"sweep config 'metric.goal': {metric.get('goal')!r} is not minimize or maximize"
        )
    if method == "bayes" and metric is None:
        raise SweepConfigError("sweep config 'metric': a bayes search needs metric.name")
    early = config.get("early_terminate")
    if early is not None:
        if not isinstance(early, Mapping) or early.get("type") != "hyperband":
            raise SweepConfigError("sweep config 'early_terminate.type' must be 'hyperband'")
        if metric is None:
            raise SweepConfigError("sweep config 'metric': early_terminate needs metric.name")
    run_cap = config.get("run_cap")
    if run_cap is not None and (not isinstance(run_cap, int) or run_cap < 1):
        raise SweepConfigError(f"sweep config 'run_cap': {run_cap!r} is not a positive integer")
    return _schema_violations(config)


def _check_parameters(parameters: Mapping[str, Any], where: str) -> None:
    for name, spec in parameters.items():
        key = f"{where}.{name}"
        if not isinstance(spec, Mapping):
            raise SweepConfigError(f"sweep config '{key}' must be a mapping")
        if "parameters" in spec:
            nested = spec["parameters"]
            if not isinstance(nested, Mapping) or not nested:
                raise SweepConfigError(f"sweep config '{key}.parameters' must not be empty")
            _check_parameters(nested, f"{key}.parameters")
            continue
        if not _PARAMETER_KEYS & set(spec):
            raise SweepConfigError(
                f"sweep config '{key}' has no values: give 'value', 'values', or 'min' and 'max'"
            )
        values = spec.get("values")
        if "values" in spec and (not isinstance(values, list) or not values):
            raise SweepConfigError(f"sweep config '{key}.values' must be a non-empty list")
        if ("min" in spec) != ("max" in spec):
            raise SweepConfigError(f"sweep config '{key}' needs both 'min' and 'max'")


def _engine() -> Any:
    """The ``sweeps`` package (its pydantic-1 style config warns on pydantic 2 at import; the
    bayes search's Gaussian process warns when a fit converges on a bound, which only says
    the few trials so far fit badly: neither is the server's business to print)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sweeps

    warnings.filterwarnings("ignore", module="sklearn.gaussian_process")
    return sweeps


def _schema_violations(config: Mapping[str, Any]) -> list[str]:
    """The engine's JSON-schema remarks (``configValidationWarnings``: W&B stores the sweep
    and the client prints them; keys newer than the engine's schema, like ``run_cap``, are
    honoured here all the same)."""
    return [str(v) for v in _engine().schema_violations_from_proposed_config(dict(config))]


def metric_goal(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(metric name, "minimize" | "maximize")``, or None when the config has no metric.

    >>> metric_goal({"metric": {"name": "loss"}})
    ('loss', 'minimize')
    """
    metric = config.get("metric")
    if not isinstance(metric, Mapping) or not metric.get("name"):
        return None
    return str(metric["name"]), str(metric.get("goal", "minimize"))


def _grid_points(parameters: Mapping[str, Any]) -> int | None:
    total = 1
    for spec in parameters.values():
        if not isinstance(spec, Mapping):
            return None
        if "parameters" in spec:
            nested = _grid_points(spec["parameters"])
            if nested is None:
                return None
            total *= nested
        elif "values" in spec:
            total *= len(spec["values"])
        elif "value" in spec:
            continue
        elif spec.get("distribution") in ("int_uniform", None) and _ints(spec):
            total *= int(spec["max"]) - int(spec["min"]) + 1
        else:
            return None
    return total


def _ints(spec: Mapping[str, Any]) -> bool:
    return isinstance(spec.get("min"), int) and isinstance(spec.get("max"), int)


def expected_run_count(config: Mapping[str, Any]) -> int | None:
    """How many runs the sweep will have: a grid's points (capped by ``run_cap``), else
    ``run_cap``, else None (no end).

    >>> expected_run_count({"method": "random", "run_cap": 5, "parameters": {}})
    5
    """
    run_cap = config.get("run_cap")
    cap = run_cap if isinstance(run_cap, int) else None
    points = None
    if config.get("method") == "grid" and isinstance(config.get("parameters"), Mapping):
        points = _grid_points(config["parameters"])
    if points is None:
        return cap
    return points if cap is None else min(points, cap)


def _plain(value: Any) -> Any:
    """numpy scalars and containers as plain JSON values."""
    return json.loads(json.dumps(value, default=_numpy_default))


def _numpy_default(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sweep_runs(trials: Sequence[Trial]) -> list[Any]:
    engine = _engine()
    return [
        engine.SweepRun(
            name=trial.name,
            state=_engine_state(trial.state),
            config=dict(trial.config),
            summaryMetrics=dict(trial.summary),
            sampledHistory=[dict(row) for row in trial.history],
        )
        for trial in trials
    ]


def _engine_state(state: str) -> str:
    known = {
        "pending",
        "running",
        "finished",
        "killed",
        "crashed",
        "failed",
        "preempted",
        "preempting",
    }
    return state if state in known else "running"


def next_parameters(config: Mapping[str, Any], trials: Sequence[Trial]) -> dict[str, Any] | None:
    """The next trial's parameters (``{"k": {"value": v}}``), or None when a grid is exhausted.

    >>> next_parameters({"method": "random", "parameters": {"x": {"values": [3]}}}, [])
    {'x': {'value': 3}}
    """
    suggestion = _engine().next_run(dict(config), _sweep_runs(trials), validate=False)
    if suggestion is None:
        return None
    parameters: dict[str, Any] = _plain(suggestion.config)
    return parameters


def runs_to_stop(config: Mapping[str, Any], trials: Sequence[Trial]) -> list[str]:
    """Names of running trials hyperband (``early_terminate``) stops now; [] without it."""
    if config.get("early_terminate") is None or metric_goal(config) is None:
        return []
    stopped = _engine().stop_runs(dict(config), _sweep_runs(trials), validate=False)
    return [str(run.name) for run in stopped]


def finite_number(value: object) -> float | None:
    """A finite float (bool excluded), else None.

    >>> finite_number(float("nan")) is None, finite_number(2)
    (True, 2.0)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
