"""What every contender computes from what it read, so the runner can tell that all of them
read the same data (a fast wrong answer is not a result).

>>> config_check({"index": 3}), summary_check({"loss": 0.5}), history_check({"_step": 2})
(3.0, 0.5, 2.0)
"""

from __future__ import annotations

from collections.abc import Mapping


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def config_check(config: Mapping[str, object]) -> float:
    """The run's ``index`` config value."""
    return _number(config.get("index"))


def summary_check(summary: Mapping[str, object]) -> float:
    """The run's final ``loss``."""
    return _number(summary.get("loss"))


def history_check(row: Mapping[str, object]) -> float:
    """The row's step."""
    return _number(row.get("_step"))


def file_check(content: bytes) -> float:
    """The file's size."""
    return float(len(content))
