"""A run's history: sampled reads (``history``) and full streaming scans (``scan_history``).

W&B encodes history three ways, and this module speaks all three:

- ``history(samples)``: up to ``samples`` rows spread over the run, each a JSON string
  (``NaN``/``Infinity`` allowed); ``events(samples)`` is the same for system metrics;
- ``sampledHistory(specs)``: per spec ``{"keys": [...], "samples": N, "minStep"?,
  "maxStep"?}`` a list of row objects holding all of ``keys`` (``maxStep`` inclusive, as
  wandb 0.31.0 sends it);
- ``history(minStep, maxStep, samples)``: the step window ``[minStep, maxStep)``.

Argument checks, spec building and row decoding are pure functions; the requests are sent by
``runs/_async/history.py`` (and its sync twin).

Example:
    >>> sampled_history_spec(["loss"], x_axis="_step", samples=10)
    '{"keys":["_step","loss"],"samples":10}'
    >>> list(scan_windows(0, 2500, 1000))
    [(0, 1000), (1000, 2000), (2000, 2500)]
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias, cast

from wandb_typed._json import JSONObject, as_array, as_object, decode_object, parse_objects
from wandb_typed.errors import (
    GraphQLError,
    HTTPStatusError,
    InvalidArgumentError,
    InvalidResponseError,
    WandbTypedError,
)

__all__ = [
    "HistoryRequest",
    "HistoryStream",
    "check_history_args",
    "check_scan_args",
    "decode_history_lines",
    "history_batches",
    "refused_together",
    "sampled_history_rows",
    "sampled_history_spec",
    "scan_bounds",
    "scan_spec",
    "scan_windows",
]

HistoryStream: TypeAlias = Literal["default", "system"]
"""``"default"``: the metrics the user logged; ``"system"``: system metrics (events)."""


HISTORY_ROWS_PER_REQUEST = 5_000
"""The sampled rows one request for several runs' histories asks for (``samples`` per run):
10 runs a request at ``samples=500``, so a reply stays small and the client decodes one
while the server answers the next."""
MAX_RUNS_PER_REQUEST = 50
"""The most runs whose history one request asks for."""


@dataclass(frozen=True)
class HistoryRequest:
    """One run's ``history()`` call: the run and its checked arguments (``keys`` as a tuple,
    so that calls with the same arguments can be read together)."""

    run_id: str
    samples: int
    keys: tuple[str, ...] | None
    x_axis: str
    stream: HistoryStream

    def same_read(self) -> tuple[int, tuple[str, ...] | None, str, HistoryStream]:
        """What runs read in one request share: every argument but the run."""
        return self.samples, self.keys, self.x_axis, self.stream


def history_batches(names: Sequence[str], samples: int) -> list[list[str]]:
    """``names`` in consecutive batches of :data:`HISTORY_ROWS_PER_REQUEST` rows, each at
    least one run and at most :data:`MAX_RUNS_PER_REQUEST`.

    >>> [len(batch) for batch in history_batches([str(i) for i in range(25)], samples=500)]
    [10, 10, 5]
    >>> [len(batch) for batch in history_batches(["a", "b"], samples=20_000)]
    [1, 1]
    """
    size = min(MAX_RUNS_PER_REQUEST, max(1, HISTORY_ROWS_PER_REQUEST // samples))
    return [list(names[i : i + size]) for i in range(0, len(names), size)]


def refused_together(error: WandbTypedError) -> bool:
    """Whether a request for several runs' histories failed as a whole where each run read
    alone may not: the server refused it (a GraphQL error, a 4xx but 429) or one run's rows
    were unreadable. Not for an unreachable server, a 5xx or a 429 (each already retried):
    reading every run alone would only fail again, many times over.

    >>> refused_together(InvalidResponseError("a row is not JSON"))
    True
    """
    if isinstance(error, GraphQLError | InvalidResponseError):
        return True
    return (
        isinstance(error, HTTPStatusError)
        and 400 <= error.status_code < 500
        and error.status_code != 429
    )


# -- argument checks --------------------------------------------------------------------------


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name} must be a positive int, got {value!r}")
    return value


def _optional_step(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be an int step or None, got {value!r}")
    return value


def _key_list(keys: object) -> list[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str) or not isinstance(keys, Sequence):
        raise InvalidArgumentError(f"keys must be a list of metric names, got {keys!r}")
    entries = cast("Sequence[object]", keys)
    bad = [key for key in entries if not isinstance(key, str) or not key]
    if bad:
        raise InvalidArgumentError(f"keys must be non-empty strings; bad entries: {bad!r}")
    return [str(key) for key in entries]


def check_history_args(
    samples: object, keys: object, x_axis: object, stream: object
) -> list[str] | None:
    """Validate ``history()`` arguments; returns ``keys`` as a list (or None).

    >>> check_history_args(500, None, "_step", "system") is None
    True
    >>> check_history_args(500, ["loss"], "_step", "system")
    Traceback (most recent call last):
    wandb_typed.errors.InvalidArgumentError: keys can only be given with stream='default' ...
    """
    _positive_int("samples", samples)
    if stream not in ("default", "system"):
        raise InvalidArgumentError(f"stream must be 'default' or 'system', got {stream!r}")
    if not isinstance(x_axis, str) or not x_axis:
        raise InvalidArgumentError(f"x_axis must be a metric name, got {x_axis!r}")
    checked = _key_list(keys)
    if checked and stream != "default":
        raise InvalidArgumentError(
            f"keys can only be given with stream='default' (system metrics are read whole), "
            f"got stream={stream!r} with keys={checked!r}"
        )
    return checked


# -- specs and decoding -----------------------------------------------------------------------


def _spec(document: dict[str, object]) -> str:
    return json.dumps(document, separators=(",", ":"))


def sampled_history_spec(keys: Sequence[str], *, x_axis: str, samples: int) -> str:
    """The ``sampledHistory`` spec ``history(keys=...)`` sends: the x axis comes first."""
    wanted = [x_axis, *(key for key in keys if key != x_axis)]
    return _spec({"keys": wanted, "samples": samples})


def scan_spec(keys: Sequence[str], *, min_step: int, max_step: int, samples: int) -> str:
    """The ``sampledHistory`` spec of one ``scan_history(keys=...)`` window.

    As wandb 0.31.0 does, ``_step`` is always among the keys (each row says its step), and
    ``max_step``, the exclusive end of the window, travels inclusive (``max_step - 1``).

    >>> scan_spec(["loss"], min_step=0, max_step=1000, samples=1000)
    '{"keys":["_step","loss"],"minStep":0,"maxStep":999,"samples":1000}'
    """
    wanted = ["_step", *(key for key in keys if key != "_step")]
    return _spec({"keys": wanted, "minStep": min_step, "maxStep": max_step - 1, "samples": samples})


def decode_history_lines(lines: Sequence[str | None], *, what: str) -> list[JSONObject]:
    """History rows from W&B's JSON-string lines (``NaN``/``Infinity`` read as floats).

    >>> decode_history_lines(['{"_step": 0, "loss": NaN}', None, '{"_step": 1}'], what="history")
    [{'_step': 0, 'loss': nan}, {'_step': 1}]
    >>> decode_history_lines(['{"_step": 0}, {"_step": 1}'], what="history")
    Traceback (most recent call last):
    wandb_typed.errors.InvalidResponseError: the server sent a history row that is not JSON: ...
    """
    present = [line for line in lines if line]
    rows = parse_objects(present)
    if rows is not None:
        return rows
    row_what = f"a {what} row"
    return [decode_object(line, what=row_what) for line in present]


def sampled_history_rows(result: Sequence[object], *, what: str) -> list[JSONObject]:
    """The rows of the first spec of a ``sampledHistory`` answer (a list per spec)."""
    if not result:
        return []
    rows = as_array(result[0])
    if rows is None:
        raise InvalidResponseError(
            f"{what}: sampledHistory gave {type(result[0]).__name__}, not rows"
        )
    decoded: list[JSONObject] = []
    for row in rows:
        fields = as_object(row)
        if fields is None:
            raise InvalidResponseError(f"{what}: a sampledHistory row is not an object: {row!r}")
        decoded.append(fields)
    return decoded


# -- scan windows -----------------------------------------------------------------------------


def scan_bounds(last_step: int, min_step: int | None, max_step: int | None) -> tuple[int, int]:
    """``[start, stop)`` of a scan: ``max_step`` defaults to, and is capped at, last step + 1.

    >>> scan_bounds(99, None, None), scan_bounds(99, 10, 1_000_000), scan_bounds(-1, None, None)
    ((0, 100), (10, 100), (0, 0))
    """
    stop = last_step + 1
    if max_step is not None:
        stop = min(stop, max_step)
    start = 0 if min_step is None else min_step
    return start, max(start, stop)


def scan_windows(start: int, stop: int, page_size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``[begin, end)`` step windows of at most ``page_size`` steps."""
    for begin in range(start, stop, page_size):
        yield begin, min(begin + page_size, stop)


def check_scan_args(
    keys: object, page_size: object, min_step: object, max_step: object
) -> tuple[list[str] | None, int, int | None, int | None]:
    """``(keys, page_size, min_step, max_step)`` of a ``scan_history`` call, checked.

    Raises:
        InvalidArgumentError: ``page_size`` is not a positive int, or a step is not an int.
    """
    return (
        _key_list(keys),
        _positive_int("page_size", page_size),
        _optional_step("min_step", min_step),
        _optional_step("max_step", max_step),
    )
