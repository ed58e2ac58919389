"""Defaults of the client, in one place. Every one can be overridden per ``Api``."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.wandb.ai"
"""W&B's cloud. ``overrides={"base_url": ...}``, ``WANDB_BASE_URL`` or settings change it."""

GRAPHQL_PATH = "/graphql"
"""Where GraphQL documents are POSTed, relative to the base URL."""

DEFAULT_TIMEOUT = 19.0
"""Seconds per HTTP request (connect, read, write, pool); the official client uses 19 s."""

DEFAULT_CONNECT_TIMEOUT = 5.0
"""Seconds to establish a connection: fail fast on an unreachable host."""

DEFAULT_MAX_RETRIES = 10
"""Retries after the first attempt, for connection errors, 408, 429 and 5xx (and a download
cut off mid-body). Ten, because a flaky network must not fail a long read: with 30% of
attempts failing, a request fails 11 times in a row with probability 0.3**11 (2e-6), so a
workload of thousands of requests completes; with 2 retries (0.3**3 = 2.7%), 60 requests
completed about 1 time in 5. The official client retries 429/5xx far longer (for days on
some calls); here :data:`DEFAULT_RETRY_BUDGET` bounds the total wait instead."""

INITIAL_RETRY_DELAY = 0.5
"""Seconds: the backoff cap of the first retry; it doubles per retry (full jitter below it)."""

MAX_RETRY_DELAY = 8.0
"""Seconds: the backoff cap never grows past this."""

DEFAULT_RETRY_BUDGET = 60.0
"""Seconds: no retry starts once this much time has passed since the first attempt. Ten
retries at the backoff below wait at most 0.5+1+2+4+8*6 = 55.5 s (about half on average,
with full jitter), so the count and the budget end at about the same time; a dead server
costs a minute, not a week, and a ``Retry-After`` up to :data:`MAX_RETRY_AFTER` fits."""

MAX_RETRY_AFTER = 60.0
"""Seconds: a server's ``Retry-After``/``RateLimit-Reset`` is honoured up to this value."""

RETRYABLE_STATUS_CODES = frozenset({408, 429})
"""Statuses worth retrying besides every 5xx: request timeout and rate limited."""

DEFAULT_PER_PAGE = 50
"""Items per page for paginated queries."""

MAX_PER_PAGE = 1000
"""The largest page size accepted (W&B rejects larger pages)."""

DOWNLOAD_CHUNK_SIZE = 1 << 20
"""Bytes per chunk when streaming a download."""

IDEMPOTENT_MUTATIONS = frozenset[str]()
"""Operation names of mutations safe to send twice; callers extend this per transport."""
