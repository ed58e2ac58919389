"""A run's summary: a ``dict`` that writes itself back (the async source of ``RunSummary``).

``summary["k"] = v`` changes the local copy; ``save()`` writes it; ``update()`` changes
several keys and writes at once (W&B replaces the whole summary document).

Example:
    >>> from wandb_typed import RunSummary
    >>> saved = []
    >>> summary = RunSummary({"loss": 0.5}, save=saved.append)
    >>> summary.update({"best": 0.4})
    >>> saved
    [{'loss': 0.5, 'best': 0.4}]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from wandb_typed._json import JSONObject, JSONValue
from wandb_typed.runs.run_data import JSONMapping

__all__ = ["AsyncRunSummary"]


class AsyncRunSummary(JSONMapping):
    """A run's summary metrics, a ``dict``: the last logged value of each key
    (``run.summary["loss"]``; typed: ``run.summary.number("loss")``)."""

    __slots__ = ("_save",)

    _what = "summary"

    def __init__(
        self,
        values: Mapping[str, JSONValue] | None = None,
        *,
        save: Callable[[JSONObject], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(values or {})
        self._save = save

    async def update(  # type: ignore[override]  # one mapping (or keywords), then a write
        self, values: Mapping[str, JSONValue] | None = None, /, **more: JSONValue
    ) -> None:
        """Set the given keys and write the whole summary to the server.

        Example:
            >>> run.summary.update({"best_loss": 0.12})  # doctest: +SKIP
        """
        super().update(values or {})
        super().update(more)
        await self.save()

    async def save(self) -> None:
        """Write the summary as it is now (one ``upsertBucket`` request).

        Raises:
            RuntimeError: The summary belongs to no run (built by hand).
        """
        if self._save is None:
            raise RuntimeError("this summary is not attached to a run, so it cannot be saved")
        await self._save(dict(self))
