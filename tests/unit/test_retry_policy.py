"""Retry decisions as pure functions: backoff, server wait hints, operation kinds."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wandb_typed._retry import (
    RetryPolicy,
    is_retryable_status,
    rate_limit_pause,
    server_wait_hint,
)
from wandb_typed.errors import InvalidArgumentError

NOW = 1_800_000_000.0


def test_backoff_doubles_from_half_a_second_up_to_eight() -> None:
    policy = RetryPolicy()
    caps = [policy.backoff(i, jitter=1.0) for i in range(7)]
    assert caps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@given(st.integers(min_value=0, max_value=200), st.floats(min_value=0.0, max_value=1.0))
def test_full_jitter_stays_between_zero_and_the_cap(retry_index: int, jitter: float) -> None:
    policy = RetryPolicy()
    delay = policy.backoff(retry_index, jitter)
    assert 0.0 <= delay <= min(8.0, 0.5 * 2 ** min(retry_index, 62))


def test_next_delay_stops_at_max_retries() -> None:
    policy = RetryPolicy(max_retries=2)
    delays = [
        policy.next_delay(retries_done=n, elapsed=0.0, server_hint=None, jitter=1.0)
        for n in range(4)
    ]
    assert delays == [0.5, 1.0, None, None]


def test_zero_retries_never_retries() -> None:
    policy = RetryPolicy(max_retries=0)
    assert policy.next_delay(retries_done=0, elapsed=0.0, server_hint=1.0, jitter=0.5) is None


def test_next_delay_respects_the_total_budget() -> None:
    policy = RetryPolicy(max_retries=10, budget=5.0)
    assert policy.next_delay(retries_done=0, elapsed=4.0, server_hint=None, jitter=1.0) == 0.5
    assert policy.next_delay(retries_done=0, elapsed=4.6, server_hint=None, jitter=1.0) is None
    assert policy.next_delay(retries_done=0, elapsed=1.0, server_hint=4.5, jitter=1.0) is None


def test_server_hint_replaces_backoff_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=10.0, budget=100.0)
    assert policy.next_delay(retries_done=0, elapsed=0.0, server_hint=7.0, jitter=0.0) == 7.0
    assert policy.next_delay(retries_done=0, elapsed=0.0, server_hint=0.0, jitter=1.0) == 0.0
    # A server asking for more than the cap: give up rather than hammer it early.
    assert policy.next_delay(retries_done=0, elapsed=0.0, server_hint=11.0, jitter=0.0) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_retries", True),
        ("budget", -1.0),
        ("initial_delay", float("nan")),
        ("max_delay", float("inf")),
    ],
)
def test_policy_rejects_nonsense(field: str, value: object) -> None:
    with pytest.raises(InvalidArgumentError, match=field):
        RetryPolicy(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(200, False), (400, False), (401, False), (404, False), (408, True), (429, True)]
    + [(s, True) for s in (500, 502, 503, 504, 599)],
)
def test_retryable_statuses(status: int, retryable: bool) -> None:
    assert is_retryable_status(status) is retryable


def test_retry_after_seconds() -> None:
    assert server_wait_hint({"Retry-After": "2"}, now=NOW) == 2.0
    assert server_wait_hint({"retry-after": "1.5"}, now=NOW) == 1.5
    assert server_wait_hint({"retry-after": "-3"}, now=NOW) == 0.0


def test_retry_after_http_date() -> None:
    when = datetime.fromtimestamp(NOW + 30, tz=timezone.utc)
    assert server_wait_hint({"Retry-After": format_datetime(when, usegmt=True)}, now=NOW) == 30.0
    past = datetime.fromtimestamp(NOW - 30, tz=timezone.utc)
    assert server_wait_hint({"Retry-After": format_datetime(past, usegmt=True)}, now=NOW) == 0.0


def test_unreadable_retry_after_falls_back_to_ratelimit_reset() -> None:
    assert server_wait_hint({"Retry-After": "soon", "RateLimit-Reset": "4"}, now=NOW) == 4.0
    assert server_wait_hint({"Retry-After": "soon"}, now=NOW) is None
    assert server_wait_hint({}, now=NOW) is None


def test_ratelimit_reset_as_epoch_timestamp() -> None:
    assert server_wait_hint({"RateLimit-Reset": str(int(NOW + 12))}, now=NOW) == 12.0


def test_rate_limit_pause_only_when_quota_is_used_up() -> None:
    assert rate_limit_pause({"RateLimit-Remaining": "0", "RateLimit-Reset": "3"}, now=NOW) == 3.0
    assert rate_limit_pause({"RateLimit-Remaining": "1", "RateLimit-Reset": "3"}, now=NOW) is None
    assert rate_limit_pause({"RateLimit-Remaining": "0"}, now=NOW) is None
    assert rate_limit_pause({"RateLimit-Remaining": "x", "RateLimit-Reset": "3"}, now=NOW) is None


def test_mutations_retry_only_when_known_idempotent() -> None:
    policy = RetryPolicy(idempotent_mutations=frozenset({"UpsertBucket"}))
    assert policy.allows_operation("query", None)
    assert policy.allows_operation("mutation", "UpsertBucket")
    assert not policy.allows_operation("mutation", "DeleteRun")
    assert not policy.allows_operation("mutation", None)
