"""When to retry and how long to wait: pure functions, no I/O, no clock of their own.

The transport asks :meth:`RetryPolicy.next_delay` after each failed attempt; it answers with a
delay in seconds or ``None`` (give up). Delays use exponential backoff with full jitter
(``uniform(0, min(max_delay, initial_delay * 2**n))``) unless the server said how long to wait
(``Retry-After`` or ``RateLimit-Reset``). A server wait longer than ``max_retry_after``, or
any wait that would end past the total time budget, means giving up rather than waiting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from wandb_typed._constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_BUDGET,
    IDEMPOTENT_MUTATIONS,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRYABLE_STATUS_CODES,
)
from wandb_typed.errors import InvalidArgumentError

__all__ = [
    "RetryPolicy",
    "is_retryable_status",
    "rate_limit_pause",
    "server_wait_hint",
]

_EPOCH_THRESHOLD = 10**9
"""A ``RateLimit-Reset`` above this is an epoch timestamp, not a number of seconds."""


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and for how long a request may be retried.

    Example:
        >>> policy = RetryPolicy(max_retries=3)
        >>> policy.next_delay(retries_done=0, elapsed=0.0, server_hint=None, jitter=1.0)
        0.5
        >>> policy.next_delay(retries_done=3, elapsed=0.0, server_hint=None, jitter=1.0) is None
        True
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries after the first attempt; 0 disables retrying."""
    initial_delay: float = INITIAL_RETRY_DELAY
    max_delay: float = MAX_RETRY_DELAY
    budget: float = DEFAULT_RETRY_BUDGET
    """Seconds since the first attempt after which no retry starts."""
    max_retry_after: float = MAX_RETRY_AFTER
    """The longest server-requested wait honoured; a longer one means giving up."""
    idempotent_mutations: frozenset[str] = field(default=IDEMPOTENT_MUTATIONS)
    """Names of mutations that may be sent twice safely, hence retried."""

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise InvalidArgumentError(
                f"max_retries must be an int >= 0, got {self.max_retries!r}."
            )
        if self.max_retries < 0:
            raise InvalidArgumentError(f"max_retries must be >= 0, got {self.max_retries}.")
        for name in ("initial_delay", "max_delay", "budget", "max_retry_after"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise InvalidArgumentError(
                    f"{name} must be a finite number of seconds >= 0, got {value!r}."
                )

    def backoff(self, retry_index: int, jitter: float) -> float:
        """The wait before retry number ``retry_index`` (0-based); ``jitter`` is in [0, 1]."""
        cap = min(self.max_delay, self.initial_delay * (2.0 ** min(retry_index, 62)))
        return cap * min(max(jitter, 0.0), 1.0)

    def next_delay(
        self, *, retries_done: int, elapsed: float, server_hint: float | None, jitter: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up.

        Args:
            retries_done: Retries already made (0 after the first attempt failed).
            elapsed: Seconds since the first attempt started.
            server_hint: Seconds the server asked to wait, if it did.
            jitter: A random number in [0, 1] (injected so tests are deterministic).
        """
        if retries_done >= self.max_retries:
            return None
        if server_hint is not None:
            if server_hint > self.max_retry_after:
                return None
            delay = max(server_hint, 0.0)
        else:
            delay = self.backoff(retries_done, jitter)
        if elapsed + delay > self.budget:
            return None
        return delay

    def allows_operation(self, kind: str, operation_name: str | None) -> bool:
        """Whether a GraphQL operation may be retried after it possibly reached the server."""
        if kind != "mutation":
            return True
        return operation_name is not None and operation_name in self.idempotent_mutations


def is_retryable_status(status_code: int) -> bool:
    """408, 429 and every 5xx are worth retrying.

    Example:
        >>> [is_retryable_status(s) for s in (200, 400, 408, 429, 503)]
        [False, False, True, True, True]
    """
    return status_code in RETRYABLE_STATUS_CODES or 500 <= status_code <= 599


def server_wait_hint(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` or ``RateLimit-Reset``.

    ``Retry-After`` may be a number of seconds or an HTTP date (``now`` is the wall-clock
    epoch time it is compared with). ``RateLimit-Reset`` counts when present on a failed
    reply. Header names are case-insensitive when ``headers`` is an ``httpx.Headers``.

    Example:
        >>> server_wait_hint({"retry-after": "3"}, now=0.0)
        3.0
    """
    retry_after = _header(headers, "retry-after")
    if retry_after is not None:
        seconds = _parse_seconds_or_date(retry_after, now=now)
        if seconds is not None:
            return seconds
    return _rate_limit_reset(headers, now=now)


def rate_limit_pause(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds to hold off the next request because a successful reply used up the quota.

    Only when ``RateLimit-Remaining`` is ``0`` and ``RateLimit-Reset`` says for how long.

    Example:
        >>> rate_limit_pause({"ratelimit-remaining": "0", "ratelimit-reset": "2"}, now=0.0)
        2.0
        >>> rate_limit_pause({"ratelimit-remaining": "5", "ratelimit-reset": "2"}, now=0.0)
    """
    remaining = _header(headers, "ratelimit-remaining")
    if remaining is None:
        return None
    try:
        if float(remaining.strip()) > 0:
            return None
    except ValueError:
        return None
    return _rate_limit_reset(headers, now=now)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if key.lower() == name:
                return candidate
    return value


def _rate_limit_reset(headers: Mapping[str, str], *, now: float) -> float | None:
    raw = _header(headers, "ratelimit-reset")
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if value > _EPOCH_THRESHOLD:
        value -= now
    return max(value, 0.0)


def _parse_seconds_or_date(raw: str, *, now: float) -> float | None:
    text = raw.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    from email.utils import parsedate_to_datetime  # rarely needed, slow to import

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - now, 0.0)
