"""A run's history: sampled reads (``history``) and full streaming scans (``scan_history``).

W&B encodes history three ways, and this module speaks all three:

- ``history(samples)``: up to ``samples`` rows spread over the run, each a JSON string
  (``NaN``/``Infinity`` allowed); ``events(samples)`` is the same for system metrics;
- ``sampledHistory(specs)``: per spec ``{"keys": [...], "samples": N, "minStep"?,
  "maxStep"?}`` a list of row objects holding all of ``keys`` (``maxStep`` inclusive, as
  wandb 0.31.0 sends it);
- ``history(minStep, maxStep, samples)``: the step window ``[minStep, maxStep)``.

Argument checks, spec building and row decoding are pure functions; :func:`read_history` and
:func:`scan_history` send the requests through the generated client.

Example:
    >>> sampled_history_spec(["loss"], x_axis="_step", samples=10)
    '{"keys":["_step","loss"],"samples":10}'
    >>> list(scan_windows(0, 2500, 1000))
    [(0, 1000), (1000, 2000), (2000, 2500)]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from wandb_typed._json import JSONObject, decode_object
from wandb_typed._read_ahead import ReadAhead
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, NotFoundError

if TYPE_CHECKING:
    from wandb_typed._generated import Client
    from wandb_typed.paths import RunPath

__all__ = [
    "HistoryStream",
    "check_history_args",
    "decode_history_lines",
    "read_history",
    "sampled_history_rows",
    "sampled_history_spec",
    "scan_bounds",
    "scan_history",
    "scan_spec",
    "scan_windows",
    "stream_windows",
]

HistoryStream: TypeAlias = Literal["default", "system"]
"""``"default"``: the metrics the user logged; ``"system"``: system metrics (events)."""


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
    bad = [key for key in keys if not isinstance(key, str) or not key]
    if bad:
        raise InvalidArgumentError(f"keys must be non-empty strings; bad entries: {bad!r}")
    return [str(key) for key in keys]


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
    row_what = f"a {what} row"
    return [decode_object(line, what=row_what) for line in lines if line]


def sampled_history_rows(result: Sequence[object], *, what: str) -> list[JSONObject]:
    """The rows of the first spec of a ``sampledHistory`` answer (a list per spec)."""
    if not result:
        return []
    rows = result[0]
    if not isinstance(rows, list):
        raise InvalidResponseError(f"{what}: sampledHistory gave {type(rows).__name__}, not rows")
    decoded: list[JSONObject] = []
    for row in rows:
        if not isinstance(row, dict):
            raise InvalidResponseError(f"{what}: a sampledHistory row is not an object: {row!r}")
        decoded.append(row)
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


WindowFetch: TypeAlias = Callable[[int, int, Callable[[], None]], list[JSONObject]]
"""``fetch(begin, end, reply_in)``: the rows of one step window; it calls ``reply_in()`` as
soon as the server's reply is in, before decoding it (the next window is requested then)."""

_WINDOWS_AHEAD = 2


def stream_windows(
    fetch: WindowFetch,
    windows: Iterator[tuple[int, int]],
    *,
    prefetch: bool = True,
) -> Iterator[JSONObject]:
    """Yield the rows of each window in order, reading windows ahead in the background.

    Each window is requested as soon as the previous one's reply is in, so the server works
    on it while that reply is decoded and consumed; at most ``_WINDOWS_AHEAD`` windows wait
    beyond the one being consumed, so memory does not grow with the run's length.

    >>> def fetch(begin, end, reply_in):
    ...     reply_in()
    ...     return [{"_step": s} for s in range(begin, end)]
    >>> [row["_step"] for row in stream_windows(fetch, scan_windows(0, 3, 2))]
    [0, 1, 2]
    """
    planned = list(windows)
    if not prefetch:
        for begin, end in planned:
            yield from fetch(begin, end, _nothing)
        return

    def request(index: int, on_next: Callable[[int], None]) -> list[JSONObject]:
        begin, end = planned[index]
        following = index + 1
        return fetch(begin, end, lambda: on_next(following) if following < len(planned) else None)

    ahead: ReadAhead[int, list[JSONObject]] = ReadAhead(
        request, depth=_WINDOWS_AHEAD, name="scan-history"
    )
    try:
        if planned:
            ahead.start(0)
        for index in range(len(planned)):
            rows = ahead.take(index)
            yield from rows if rows is not None else request(index, ahead.start)
            del rows
    finally:
        ahead.close()


def _nothing() -> None:
    """``reply_in`` when nothing is read ahead."""


# -- requests ---------------------------------------------------------------------------------


def read_history(
    client: Client,
    path: RunPath,
    *,
    samples: int,
    keys: Sequence[str] | None,
    x_axis: str,
    stream: HistoryStream,
) -> list[JSONObject]:
    """Sampled history rows (one request): all keys, chosen ``keys`` (+ x axis), or events."""
    if keys:
        spec = sampled_history_spec(keys, x_axis=x_axis, samples=samples)
        return _sampled_rows(client, path, spec)
    if stream == "system":
        events = client.get_run_events(path.entity, path.project, path.run_id, samples).project
        if events is None or events.run is None:
            raise NotFoundError.for_run(path)
        return decode_history_lines(events.run.events, what="system metrics")
    full = client.get_run_history(path.entity, path.project, path.run_id, samples).project
    if full is None or full.run is None:
        raise NotFoundError.for_run(path)
    return decode_history_lines(full.run.history, what="history")


def _sampled_rows(
    client: Client,
    path: RunPath,
    spec: str,
    *,
    on_data: Callable[[dict[str, Any]], None] | None = None,
) -> list[JSONObject]:
    """The rows of one ``sampledHistory`` spec of the run at ``path``."""
    sampled = client.get_run_sampled_history(
        path.entity, path.project, path.run_id, [spec], on_data=on_data
    )
    if sampled.project is None or sampled.project.run is None:
        raise NotFoundError.for_run(path)
    return sampled_history_rows(sampled.project.run.sampled_history, what=f"history of {path}")


def last_history_step(client: Client, path: RunPath) -> int:
    """The run's last history step (``historyKeys.lastStep``), -1 when it logged none."""
    project = client.get_run_history_keys(path.entity, path.project, path.run_id).project
    if project is None or project.run is None:
        raise NotFoundError.for_run(path)
    keys = project.run.history_keys
    last = keys.get("lastStep") if isinstance(keys, dict) else None
    if isinstance(last, bool) or not isinstance(last, int):
        return -1
    return last


def scan_history(
    client: Client,
    path: RunPath,
    *,
    keys: Sequence[str] | None = None,
    page_size: int = 1000,
    min_step: int | None = None,
    max_step: int | None = None,
) -> Iterator[JSONObject]:
    """Every history row with ``min_step <= _step < max_step``, in step order, lazily.

    One ``historyKeys`` request finds the last step (when iteration starts), then one request
    per window of ``page_size`` steps, read ahead (see :func:`stream_windows`).
    With ``keys``, only rows holding all of them come back, reduced to them and ``_step``.

    Raises:
        InvalidArgumentError: ``page_size`` is not a positive int, or a step is not an int.
        NotFoundError: The run does not exist (raised when iteration starts).
    """
    size = _positive_int("page_size", page_size)
    lowest = _optional_step("min_step", min_step)
    highest = _optional_step("max_step", max_step)
    wanted = _key_list(keys)

    def fetch(begin: int, end: int, reply_in: Callable[[], None]) -> list[JSONObject]:
        def on_data(_data: dict[str, Any]) -> None:
            reply_in()

        if wanted:
            spec = scan_spec(wanted, min_step=begin, max_step=end, samples=size)
            return _sampled_rows(client, path, spec, on_data=on_data)
        page = client.get_run_history_page(
            path.entity, path.project, path.run_id, begin, end, size, on_data=on_data
        ).project
        if page is None or page.run is None:
            raise NotFoundError.for_run(path)
        return decode_history_lines(page.run.history, what="history")

    def rows() -> Iterator[JSONObject]:
        start, stop = scan_bounds(last_history_step(client, path), lowest, highest)
        yield from stream_windows(fetch, scan_windows(start, stop, size))

    return rows()
