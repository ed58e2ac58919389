"""Typed reads of JSON values: what ``run.config.get_as("lr", float)``,
``run.summary.number("loss")`` and ``run.config.parse(TrainConfig)`` are made of.

A config or summary holds JSON values (``JSONValue``, a union); code under ``mypy --strict``
says what it knows with these, and gets a :class:`~wandb_typed.errors.ValueTypeError` naming
the key when the value is of another type (never a silent cast).

Example:
    >>> value_as({"lr": 1}, "lr", float, what="config")
    1.0
    >>> value_as({"lr": "high"}, "lr", float, what="config")
    Traceback (most recent call last):
    ...
    wandb_typed.errors.ValueTypeError: config['lr'] is a str ('high'), not a float
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from wandb_typed.errors import ValueTypeError

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["parse_into", "value_as"]

T = TypeVar("T")
M = TypeVar("M", bound="BaseModel")


def value_as(values: Mapping[str, object], key: str, kind: type[T], *, what: str) -> T:
    """``values[key]`` if it is a ``kind`` (an int is a float; a bool is not a number).

    Raises:
        KeyError: No such key.
        ValueTypeError: The value is of another type.
    """
    value = values[key]
    if not (isinstance(value, bool) and kind in (int, float)):  # a bool is no number
        if isinstance(value, kind):
            return value
        if kind is float and isinstance(value, int):
            return cast("T", float(value))
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    raise ValueTypeError(
        f"{what}[{key!r}] is {_a(type(value).__name__)} ({shown}), not {_a(kind.__name__)}",
        key=key,
    )


def _a(name: str) -> str:
    """``name`` with its indefinite article: ``a float``, ``an int``."""
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def parse_into(model: type[M], values: Mapping[str, Any]) -> M:
    """``values`` validated into the pydantic ``model`` (its ``ValidationError`` when they do
    not fit: pydantic's message names each field that failed)."""
    return model.model_validate(dict(values))
