"""A run's ``config`` and ``summary``: plain ``dict`` subclasses with typed reads.

Both are ``dict``s (``json.dumps``, ``yaml.safe_dump``, ``pandas`` and ``isinstance(x, dict)``
work as with ``wandb``), with typed accessors for ``mypy --strict`` code:
:meth:`JSONMapping.get_as`, :meth:`JSONMapping.number`, :meth:`JSONMapping.parse`.

:class:`RunConfig` holds the user's config values (W&B stores each as ``{"value": v,
"desc": ...}``; the SDK's own ``_wandb`` entry is kept apart in :attr:`RunConfig.raw`).
Changes are local until ``run.update()`` sends them.

:class:`wandb_typed.RunSummary` (built on :class:`JSONMapping`, in the async source
``runs/_async/summary.py``) holds the latest value of each metric.

Example:
    >>> config = RunConfig.from_stored({"lr": {"value": 0.1, "desc": None}, "_wandb": {}})
    >>> config, config.raw, isinstance(config, dict)
    ({'lr': 0.1}, {'_wandb': {}}, True)
    >>> config.get_as("lr", float)
    0.1
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
import types
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar, overload

from wandb_typed._json import JSONObject, JSONValue, unwrap_config, wrap_config
from wandb_typed.errors import InvalidArgumentError
from wandb_typed.runs.typed_access import parse_into, value_as

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["JSONMapping", "RunConfig", "encode_json_document", "unwrapped_raw"]

T = TypeVar("T")
D = TypeVar("D")
M = TypeVar("M", bound="BaseModel")


def encode_json_document(document: Mapping[str, JSONValue]) -> str:
    """A JSON object as W&B's ``JSONString`` carries it (``NaN``/``Infinity`` allowed).

    Raises:
        InvalidArgumentError: The document contains itself or nests too deeply for JSON
            (instead of the encoder's ``ValueError``/``RecursionError``).

    Example:
        >>> looped: dict[str, object] = {}
        >>> looped["self"] = looped
        >>> encode_json_document(looped)
        Traceback (most recent call last):
        wandb_typed.errors.InvalidArgumentError: a JSON document contains itself (a cycle)...
    """
    try:
        return json.dumps(dict(document), separators=(",", ":"), allow_nan=True)
    except RecursionError:
        raise InvalidArgumentError(
            "a JSON document (config, summary or metadata) nests too deeply to be sent"
        ) from None
    except ValueError as exc:  # the encoder's "Circular reference detected"
        raise InvalidArgumentError(
            f"a JSON document contains itself (a cycle), which JSON cannot carry: {exc}"
        ) from None


def unwrapped_raw(raw: Mapping[str, JSONValue]) -> JSONObject:
    """The SDK's own config entries with their ``{"value": ...}`` wrapping taken off.

    Example:
        >>> unwrapped_raw({"_wandb": {"value": {"t": 1}, "desc": None}})
        {'_wandb': {'t': 1}}
    """
    return {
        key: item["value"] if isinstance(item, dict) and "value" in item else item
        for key, item in raw.items()
    }


class _Missing:
    """The default of :meth:`JSONMapping.get_as` when none is given."""


_MISSING = _Missing()


class JSONMapping(dict[str, JSONValue]):
    """A ``dict`` of JSON values with typed reads (the base of config and summary)."""

    __slots__ = ()  # one per run of a listing: no __dict__ for the collector to scan

    _what = "values"

    def _adopt(self, values: JSONObject) -> None:
        """Hold ``values`` (a dict just decoded, that nobody else has)."""
        super().clear()
        super().update(values)

    @overload
    def get_as(self, key: str, kind: type[T]) -> T: ...

    @overload
    def get_as(self, key: str, kind: type[T], default: D) -> T | D: ...

    def get_as(self, key: str, kind: type[T], default: object = _MISSING) -> object:
        """``self[key]`` typed as ``kind`` (an int reads as a float; a bool is no number).

        Raises:
            KeyError: No such key and no ``default``.
            ValueTypeError: The value is of another type (the message names key and types).

        Example:
            >>> RunConfig({"lr": 0.1, "opt": "adam"}).get_as("lr", float)
            0.1
        """
        if default is not _MISSING and key not in self:
            return default
        return value_as(self, key, kind, what=self._what)

    def number(self, key: str) -> float:
        """``self[key]`` as a float (an int or a float; anything else raises).

        Raises:
            KeyError: No such key.
            ValueTypeError: The value is not a number.

        Example:
            >>> RunConfig({"epochs": 3}).number("epochs")
            3.0
        """
        return value_as(self, key, float, what=self._what)

    def integer(self, key: str) -> int:
        """``self[key]`` as an int (a bool or a float raises :class:`ValueTypeError`)."""
        return value_as(self, key, int, what=self._what)

    def string(self, key: str) -> str:
        """``self[key]`` as a str (anything else raises :class:`ValueTypeError`)."""
        return value_as(self, key, str, what=self._what)

    def boolean(self, key: str) -> bool:
        """``self[key]`` as a bool (anything else raises :class:`ValueTypeError`)."""
        return value_as(self, key, bool, what=self._what)

    def parse(self, model: type[M]) -> M:
        """These values validated into your pydantic ``model``.

        Raises:
            pydantic.ValidationError: A field is missing or of another type.

        Example:
            >>> from pydantic import BaseModel
            >>> class Train(BaseModel):
            ...     lr: float
            ...     epochs: int = 1
            >>> RunConfig({"lr": 0.1, "extra": "kept out"}).parse(Train)
            Train(lr=0.1, epochs=1)
        """
        return parse_into(model, self)


class RunConfig(JSONMapping):
    """A run's config: user keys to plain values (``run.config["lr"]``), a ``dict``.

    Edits stay local until ``run.update()``; :meth:`to_stored` gives W&B's stored shape.
    """

    __slots__ = ("raw",)

    _what = "config"

    def __init__(
        self,
        values: Mapping[str, JSONValue] | None = None,
        raw: Mapping[str, JSONValue] | None = None,
    ) -> None:
        super().__init__(values or {})
        self.raw: JSONObject = dict(raw or {})
        """The SDK's own entries (``_wandb``, ``wandb_version``) in their stored form."""

    @classmethod
    def from_stored(cls, stored: Mapping[str, JSONValue]) -> RunConfig:
        """Unwrap W&B's ``{"k": {"value": v, "desc": ...}}`` document."""
        values, raw = unwrap_config(stored)
        config = cls(values)
        config.raw = raw
        return config

    def to_stored(self) -> JSONObject:
        """The document ``upsertBucket(config: ...)`` takes, ``raw`` entries included."""
        return wrap_config(self, self.raw)


def _register_yaml() -> None:
    """Let ``yaml.safe_dump`` write config and summary as the plain mappings they are (its
    safe dumper knows ``dict`` itself only, not subclasses). Done when PyYAML is already
    imported, or on its import (a finder that waits for it costs nothing until then)."""
    yaml = sys.modules.get("yaml")
    if yaml is not None and hasattr(yaml, "SafeDumper"):
        for dumper in (yaml.SafeDumper, yaml.Dumper):
            dumper.add_multi_representer(JSONMapping, dumper.represent_dict)
        return
    if not any(isinstance(finder, _YamlWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _YamlWatcher())


class _YamlWatcher(importlib.abc.MetaPathFinder):
    """A meta path finder that lets ``yaml`` load as usual, then registers the representers."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "yaml":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


class _RegisteringLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        _register_yaml()


_register_yaml()


_register_yaml()
