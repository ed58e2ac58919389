"""The I/O half of the client: one ``httpx.Client``, retries, and nothing else.

Request building and reply checking are pure functions in :mod:`wandb_typed._graphql_http`;
retry decisions are pure functions in :mod:`wandb_typed._retry`. This class only sends,
sleeps and loops, so an async twin can be derived from it line by line.
"""

from __future__ import annotations

import importlib.util
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

import httpx

from wandb_typed._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    DOWNLOAD_CHUNK_SIZE,
    GRAPHQL_PATH,
)
from wandb_typed._graphql_http import (
    REDACTED,
    basic_auth_header,
    build_graphql_request,
    error_for_status,
    interpret_graphql_response,
    redact_request,
    same_origin,
)
from wandb_typed._retry import (
    RetryPolicy,
    is_retryable_status,
    operation_kind,
    rate_limit_pause,
    server_wait_hint,
)
from wandb_typed._sentinels import NOT_GIVEN, NotGiven
from wandb_typed._version import __version__
from wandb_typed.config import ApiKey
from wandb_typed.errors import (
    InvalidArgumentError,
    TimeoutError,
    TransportError,
    WandbTypedError,
)

__all__ = ["USER_AGENT", "GraphQLTransport"]

USER_AGENT = f"wandb-typed/{__version__}"
logger = logging.getLogger("wandb_typed")

# Failures after which the request certainly never reached the server: safe to retry even
# for a mutation that is not known to be idempotent.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Network-level failures worth retrying at all (not e.g. an unsupported URL scheme).
_RETRYABLE_EXCEPTIONS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)

_E = TypeVar("_E", bound=WandbTypedError)


class GraphQLTransport:
    """Sends GraphQL operations and file transfers to one W&B server.

    It owns one keep-alive ``httpx.Client`` (or shares its parent's, for copies made by
    :meth:`with_options`), authenticates with HTTP Basic ``api:<key>`` on the server's own
    origin only, retries connection errors, 408, 429 and 5xx with exponential backoff and full
    jitter (honouring ``Retry-After`` and ``RateLimit-*``), and maps every failure onto
    :mod:`wandb_typed.errors`. GraphQL errors are never retried; a mutation is retried only
    when its operation name is in ``retry_policy.idempotent_mutations``.

    Example:
        >>> import httpx
        >>> def handler(request: httpx.Request) -> httpx.Response:
        ...     return httpx.Response(200, json={"data": {"viewer": {"id": "u1"}}})
        >>> with GraphQLTransport("http://localhost:8080", ApiKey("k" * 40),
        ...                       transport=httpx.MockTransport(handler)) as t:
        ...     t.execute("query GetViewer { viewer { id } }", operation_name="GetViewer")
        {'viewer': {'id': 'u1'}}
    """

    def __init__(
        self,
        base_url: str,
        api_key: ApiKey,
        *,
        api_key_source: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        _shared_client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._base = httpx.URL(self.base_url)
        self._api_key = api_key
        self._api_key_source = api_key_source
        self.timeout = _check_timeout(timeout)
        self.retry_policy = retry_policy or RetryPolicy()
        self._extra_headers = dict(headers or {})
        self._sleep, self._clock, self._wall_clock, self._jitter = sleep, clock, wall_clock, jitter
        self._user_transport = transport
        self._owns_client = _shared_client is None
        self._client = _shared_client or httpx.Client(
            transport=transport,
            headers={"User-Agent": USER_AGENT, **self._extra_headers},
            timeout=_httpx_timeout(self.timeout),
            http2=_http2_available(),
        )
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0

    # -- public surface ------------------------------------------------------------------

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` sent with every request."""
        return str(self._client.headers.get("User-Agent", USER_AGENT))

    def execute(
        self,
        query: str,
        *,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run one GraphQL operation and return its ``data``.

        Args:
            query: The GraphQL document.
            operation_name: Which operation of the document to run (also used in errors and
                to decide whether a mutation may be retried).
            variables: JSON-ready variables.

        Raises:
            GraphQLError: The reply has ``errors`` (never retried); ``.data`` is partial data.
            HTTPStatusError: A failing HTTP status after retries (subclass per status).
            TransportError: The server could not be reached (``TimeoutError`` on timeouts).
        """
        kind = operation_kind(query, operation_name)
        retry_allowed = self.retry_policy.allows_operation(kind, operation_name)
        headers = {**dict(self._client.headers), **self._auth_headers()}
        url = f"{self.base_url}{GRAPHQL_PATH}"

        def build() -> httpx.Request:
            return build_graphql_request(
                url, query, operation_name=operation_name, variables=variables, headers=headers
            )

        response, attempts = self._send(build, retry_allowed=retry_allowed)
        redacted = redact_request(response.request)
        try:
            return interpret_graphql_response(
                response,
                redacted,
                operation_name=operation_name,
                auth_hint=self._auth_hint(),
                attempts=attempts,
            )
        except WandbTypedError as exc:
            raise self._scrubbed(exc) from None

    def get(self, url: str, *, params: Mapping[str, str] | None = None) -> bytes:
        """Download ``url`` (absolute, or relative to the base URL) and return its bytes.

        The API key is sent only to the W&B server's own origin, never to another host
        (e.g. a signed storage URL). Redirects are followed.

        Example:
            >>> data = transport.get("/files/entity/project/run-id/config.yaml")  # doctest: +SKIP
        """
        with self.stream(url, params=params) as chunks:
            return b"".join(chunks)

    @contextmanager
    def stream(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        chunk_size: int = DOWNLOAD_CHUNK_SIZE,
    ) -> Iterator[Iterator[bytes]]:
        """Download ``url`` in chunks: ``with transport.stream(url) as chunks: ...``.

        Retries apply until the reply's headers arrive; a failure mid-body raises
        :class:`TransportError`.
        """
        target = self._resolve(url)
        headers = self._auth_headers() if same_origin(target, self._base) else {}

        def build() -> httpx.Request:
            return self._client.build_request("GET", target, params=params, headers=headers)

        response, attempts = self._send(
            build, retry_allowed=True, stream=True, follow_redirects=True
        )
        try:
            if response.status_code >= 400:
                response.read()
                raise self._scrubbed(
                    error_for_status(response, redact_request(response.request), attempts=attempts)
                )
            yield self._iter_body(response, chunk_size)
        finally:
            response.close()

    def put(self, url: str, content: bytes, *, headers: Mapping[str, str] | None = None) -> None:
        """Upload ``content`` to a signed URL, without any ``Authorization`` header.

        W&B's upload URLs authorise themselves (pre-signed); ``headers`` are the extra
        headers the server asked for (``uploadHeaders``). Retried like a download: a PUT of
        the same bytes is idempotent.
        """
        target = self._resolve(url)
        extra = dict(headers or {})

        def build() -> httpx.Request:
            return self._client.build_request("PUT", target, content=content, headers=extra)

        response, attempts = self._send(build, retry_allowed=True)
        if response.status_code >= 400:
            raise self._scrubbed(
                error_for_status(response, redact_request(response.request), attempts=attempts)
            )

    def with_options(
        self,
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_budget: float | NotGiven = NOT_GIVEN,
        idempotent_mutations: frozenset[str] | NotGiven = NOT_GIVEN,
    ) -> GraphQLTransport:
        """A copy with other settings, sharing this transport's connection pool.

        Closing the copy leaves the pool open; closing the original closes it for both.

        Example:
            >>> patient = transport.with_options(timeout=120, max_retries=5)  # doctest: +SKIP
        """
        policy = self.retry_policy
        if not isinstance(max_retries, NotGiven):
            policy = replace(policy, max_retries=max_retries)
        if not isinstance(retry_budget, NotGiven):
            policy = replace(policy, budget=retry_budget)
        if not isinstance(idempotent_mutations, NotGiven):
            policy = replace(policy, idempotent_mutations=frozenset(idempotent_mutations))
        return GraphQLTransport(
            self.base_url,
            self._api_key,
            api_key_source=self._api_key_source,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            retry_policy=policy,
            transport=self._user_transport,
            headers=self._extra_headers,
            sleep=self._sleep,
            clock=self._clock,
            wall_clock=self._wall_clock,
            jitter=self._jitter,
            _shared_client=self._client,
        )

    def close(self) -> None:
        """Close the connection pool (a no-op on copies made by :meth:`with_options`)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> GraphQLTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"GraphQLTransport(base_url={self.base_url!r}, timeout={self.timeout}, "
            f"max_retries={self.retry_policy.max_retries})"
        )

    # -- the retry loop ------------------------------------------------------------------

    def _send(
        self,
        build: Callable[[], httpx.Request],
        *,
        retry_allowed: bool,
        stream: bool = False,
        follow_redirects: bool = False,
    ) -> tuple[httpx.Response, int]:
        """Send until a reply that is not retried; return it with the number of attempts.

        A retryable-status reply that is given up on is returned as it is (read), so the
        caller maps it with the same code as any other failing reply. A network failure that
        is given up on is raised as :class:`TransportError` (``TimeoutError`` for timeouts).
        """
        if self._client.is_closed:
            raise TransportError(
                f"This transport to {self.base_url} is closed; create a new Api to send more."
            )
        started = self._clock()
        retries = 0
        timeout = _httpx_timeout(self.timeout).as_dict()
        while True:
            self._wait_for_quota()
            request = build()
            request.extensions = {**request.extensions, "timeout": timeout}
            try:
                response = self._client.send(
                    request, stream=stream, follow_redirects=follow_redirects
                )
            except httpx.HTTPError as exc:
                failure = self._transport_error(exc, request, retries)
                if not isinstance(exc, _RETRYABLE_EXCEPTIONS):
                    raise failure from None
                may_retry = retry_allowed or isinstance(exc, _NEVER_SENT)
                delay = self._next_delay(may_retry, retries, started, None)
                if delay is None:
                    raise failure from None
                why = type(exc).__name__
            else:
                self._note_quota(response)
                if not is_retryable_status(response.status_code):
                    return response, retries + 1
                response.read()
                hint = server_wait_hint(response.headers, now=self._wall_clock())
                delay = self._next_delay(retry_allowed, retries, started, hint)
                if delay is None:
                    return response, retries + 1
                response.close()
                why = f"HTTP {response.status_code}"
            self._log_retry(request, why, delay, retries)
            self._sleep(delay)
            retries += 1

    def _next_delay(
        self, may_retry: bool, retries: int, started: float, hint: float | None
    ) -> float | None:
        if not may_retry:
            return None
        return self.retry_policy.next_delay(
            retries_done=retries,
            elapsed=self._clock() - started,
            server_hint=hint,
            jitter=self._jitter(),
        )

    def _wait_for_quota(self) -> None:
        """Hold off while a previous reply said the rate-limit quota is used up."""
        with self._pause_lock:
            remaining = self._paused_until - self._clock()
        if remaining > 0:
            logger.debug("rate-limit quota used up; waiting %.2f s", remaining)
            self._sleep(remaining)

    def _note_quota(self, response: httpx.Response) -> None:
        pause = rate_limit_pause(response.headers, now=self._wall_clock())
        if pause is None or pause <= 0:
            return
        pause = min(pause, self.retry_policy.max_retry_after)
        with self._pause_lock:
            self._paused_until = max(self._paused_until, self._clock() + pause)

    def _log_retry(self, request: httpx.Request, why: str, delay: float, retries: int) -> None:
        logger.info(
            "retrying %s %s after %s in %.2f s (retry %d of %d)",
            request.method,
            request.url,
            why,
            delay,
            retries + 1,
            self.retry_policy.max_retries,
        )

    # -- helpers -------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": basic_auth_header(self._api_key.reveal())}

    def _auth_hint(self) -> str:
        if not self._api_key_source:
            return "Check the API key"
        return f"Check the API key (it came from the {self._api_key_source})"

    def _resolve(self, url: str) -> httpx.URL:
        target = httpx.URL(url)
        if not target.scheme:
            target = self._base.join(url if url.startswith("/") else f"/{url}")
        if target.scheme not in ("http", "https") or not target.host:
            raise InvalidArgumentError(f"Cannot download or upload {url!r}: not an http(s) URL.")
        return target

    def _transport_error(
        self, exc: httpx.HTTPError, request: httpx.Request, retries: int
    ) -> TransportError:
        redacted = redact_request(request)
        attempts = f" after {retries + 1} attempt{'s' if retries else ''}"
        cls = TimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
        what = "timed out" if cls is TimeoutError else "failed"
        detail = str(exc) or type(exc).__name__
        error = cls(f"{request.method} {redacted.url} {what}{attempts}: {detail}", request=redacted)
        return self._scrubbed(error)

    def _iter_body(self, response: httpx.Response, chunk_size: int) -> Iterator[bytes]:
        try:
            yield from response.iter_bytes(chunk_size)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, response.request, 0) from None

    def _scrubbed(self, error: _E) -> _E:
        """The same error, with the key removed from its message should the server echo it."""
        secret = self._api_key.reveal()
        token = basic_auth_header(secret).split(" ", 1)[1]
        message = error.message
        if secret in message or token in message:
            error.message = message.replace(secret, REDACTED).replace(token, REDACTED)
            error.args = (error.message,)
        return error


def _check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise InvalidArgumentError(f"timeout must be a number of seconds > 0, got {timeout!r}.")
    return float(timeout)


def _http2_available() -> bool:
    """HTTP/2 when the optional ``h2`` package is installed (``pip install httpx[http2]``)."""
    return importlib.util.find_spec("h2") is not None


def _httpx_timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))
