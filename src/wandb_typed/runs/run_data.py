"""A run's ``config`` and ``summary`` as typed mappings.

:class:`RunConfig` holds the user's config values (W&B stores each as ``{"value": v,
"desc": ...}``; the SDK's own ``_wandb`` entry is kept apart in :attr:`RunConfig.raw`).
Changes are local until ``run.update()`` sends them.

:class:`wandb_typed.RunSummary` (built on :class:`JSONMapping`, in the async source
``runs/_async/summary.py``) holds the latest value of each metric.

Example:
    >>> config = RunConfig.from_stored({"lr": {"value": 0.1, "desc": None}, "_wandb": {}})
    >>> dict(config), config.raw
    ({'lr': 0.1}, {'_wandb': {}})
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, MutableMapping

from wandb_typed._json import JSONObject, JSONValue, unwrap_config, wrap_config
from wandb_typed.errors import InvalidArgumentError

__all__ = ["JSONMapping", "RunConfig", "encode_json_document"]


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


class JSONMapping(MutableMapping[str, JSONValue]):
    """A mutable mapping of JSON values kept in a dict (the storage both classes share)."""

    __slots__ = ("_values",)  # one per run of a listing: no __dict__ for the collector to scan

    def __init__(self, values: Mapping[str, JSONValue] | None = None) -> None:
        self._values: JSONObject = dict(values or {})

    def _adopt(self, values: JSONObject) -> None:
        """Hold ``values`` itself, not a copy (a dict just decoded, that nobody else has)."""
        self._values = values

    def __getitem__(self, key: str) -> JSONValue:
        return self._values[key]

    def __setitem__(self, key: str, value: JSONValue) -> None:
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"


class RunConfig(JSONMapping):
    """A run's config: user keys to plain values (``run.config["lr"]``).

    Edits stay local until ``run.update()``; :meth:`to_stored` gives W&B's stored shape.
    """

    __slots__ = ("raw",)

    def __init__(
        self,
        values: Mapping[str, JSONValue] | None = None,
        raw: Mapping[str, JSONValue] | None = None,
    ) -> None:
        super().__init__(values)
        self.raw: JSONObject = dict(raw or {})
        """The SDK's own entries (``_wandb``, ``wandb_version``) in their stored form."""

    @classmethod
    def from_stored(cls, stored: Mapping[str, JSONValue]) -> RunConfig:
        """Unwrap W&B's ``{"k": {"value": v, "desc": ...}}`` document."""
        values, raw = unwrap_config(stored)
        config = cls()
        config._adopt(values)
        config.raw = raw
        return config

    def to_stored(self) -> JSONObject:
        """The document ``upsertBucket(config: ...)`` takes, ``raw`` entries included."""
        return wrap_config(self._values, self.raw)
