"""The I/O half of the client: one ``httpx.AsyncClient``, retries, and nothing else.

Request building and reply checking are pure functions in :mod:`wandb_typed._graphql_http`;
retry decisions are pure functions in :mod:`wandb_typed._retry`; settings, auth and error
scrubbing live in :mod:`wandb_typed._transport_base`. This class only sends, sleeps and
loops. It is the async source: the sync ``GraphQLTransport`` is generated from it.

Example:
    >>> import httpx
    >>> def handler(request: httpx.Request) -> httpx.Response:
    ...     return httpx.Response(200, json={"data": {"viewer": {"id": "u1"}}})
    >>> t = AsyncGraphQLTransport("http://localhost:8080", ApiKey("k" * 40),
    ...                           transport=httpx.MockTransport(handler))
    >>> t  # doctest: +ELLIPSIS
    AsyncGraphQLTransport(base_url='http://localhost:8080', timeout=19.0, max_retries=10)
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, Literal

import httpx

from wandb_typed._concurrency import AsyncSleeper, async_sleep
from wandb_typed._constants import DEFAULT_TIMEOUT, DOWNLOAD_CHUNK_SIZE, GRAPHQL_PATH
from wandb_typed._graphql_http import (
    build_graphql_request,
    error_for_status,
    interpret_graphql_response,
    redact_request,
    same_origin,
)
from wandb_typed._retry import RetryPolicy, is_retryable_status, server_wait_hint
from wandb_typed._sentinels import NOT_GIVEN, NotGiven
from wandb_typed._transport_base import (
    NEVER_SENT,
    RETRYABLE_EXCEPTIONS,
    USER_AGENT,
    ResumeInfo,
    TransportBase,
    forget_authorization,
    http2_available,
    httpx_timeout,
    shared_ssl_context,
)
from wandb_typed.config import ApiKey
from wandb_typed.errors import TransportError, WandbTypedError

__all__ = ["AsyncGraphQLTransport"]


class AsyncGraphQLTransport(TransportBase):
    """Sends GraphQL operations and file transfers to one W&B server.

    It owns one keep-alive ``httpx`` client (or shares its parent's, for copies made by
    :meth:`with_options`), authenticates with HTTP Basic ``api:<key>`` on the server's own
    origin only, retries connection errors, 408, 429 and 5xx with exponential backoff and full
    jitter (honouring ``Retry-After`` and ``RateLimit-*``), and maps every failure onto
    :mod:`wandb_typed.errors`. GraphQL errors are never retried; a mutation is retried only
    when its operation name is in ``retry_policy.idempotent_mutations``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: ApiKey,
        *,
        api_key_source: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: AsyncSleeper = async_sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        _shared_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            api_key,
            api_key_source=api_key_source,
            timeout=timeout,
            retry_policy=retry_policy,
            headers=headers,
            clock=clock,
            wall_clock=wall_clock,
            jitter=jitter,
        )
        self._sleep = sleep
        self._user_transport = transport
        self._owns_client = _shared_client is None
        self._client = _shared_client or httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": USER_AGENT, **self._extra_headers},
            timeout=httpx_timeout(self.timeout),
            http2=http2_available(),
            verify=shared_ssl_context(),
        )

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` sent with every request."""
        return str(self._client.headers.get("User-Agent", USER_AGENT))

    async def execute(
        self,
        query: str,
        *,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        operation_kind: Literal["query", "mutation", "subscription"] = "mutation",
    ) -> dict[str, Any]:
        """Run one GraphQL operation and return its ``data``.

        Args:
            query: The GraphQL document.
            operation_name: Which operation of the document to run (named in errors).
            variables: JSON-ready variables.
            operation_kind: A ``"mutation"`` (the default: the safe side) is retried only
                when ``operation_name`` is known to be idempotent; the generated client
                passes the kind of each operation.

        Raises:
            GraphQLError: The reply has ``errors`` (never retried); ``.data`` is partial data.
            HTTPStatusError: A failing HTTP status after retries (subclass per status).
            TransportError: The server could not be reached (``TimeoutError`` on timeouts).
        """
        retry_allowed = self.retry_policy.allows_operation(operation_kind, operation_name)
        headers = dict(self._client.headers)
        url = f"{self.base_url}{GRAPHQL_PATH}"

        def build() -> httpx.Request:
            return build_graphql_request(
                url, query, operation_name=operation_name, variables=variables, headers=headers
            )

        response, attempts = await self._send(build, retry_allowed=retry_allowed, authorize=True)
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

    async def get(self, url: str, *, params: Mapping[str, str] | None = None) -> bytes:
        """Download ``url`` (absolute, or relative to the base URL) and return its bytes.

        The API key is sent only to the W&B server's own origin, never to another host
        (e.g. a signed storage URL). Redirects are followed.
        """
        async with self.stream(url, params=params) as chunks:
            return b"".join([chunk async for chunk in chunks])

    @asynccontextmanager
    async def stream(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        chunk_size: int = DOWNLOAD_CHUNK_SIZE,
    ) -> AsyncGenerator[AsyncIterator[bytes]]:
        """Download ``url`` in chunks: ``with transport.stream(url) as chunks: ...``.

        Retries apply until the reply's headers arrive and after a failure mid-body too: the
        download goes on from the bytes already received (``Range``, or the whole body again
        with those bytes skipped when the server ignores ``Range``), within the same retry
        count and time budget, so the chunks add up to the body exactly once.
        """
        target = self._resolve(url)
        download = _Download(self, target, params, chunk_size)
        try:
            await download.open()
            yield download.chunks()
        finally:
            await download.aclose()

    async def put(
        self, url: str, content: bytes, *, headers: Mapping[str, str] | None = None
    ) -> None:
        """Upload ``content`` to a signed URL, without any ``Authorization`` header.

        W&B's upload URLs authorise themselves (pre-signed); ``headers`` are the extra
        headers the server asked for (``uploadHeaders``). Retried like a download: a PUT of
        the same bytes is idempotent.
        """
        target = self._resolve(url)
        extra = dict(headers or {})

        def build() -> httpx.Request:
            return self._client.build_request("PUT", target, content=content, headers=extra)

        response, attempts = await self._send(build, retry_allowed=True)
        if response.status_code >= 400:
            raise self._scrubbed(
                error_for_status(response, redact_request(response.request), attempts=attempts)
            )

    async def post_json(self, url: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON body to the W&B server (``file_stream``) and return the decoded reply.

        Authenticated like GraphQL (the server's own origin only). Retried like a download:
        a file_stream request writes lines at explicit offsets, so sending it twice is safe.
        """
        target = self._resolve(url)

        def build() -> httpx.Request:
            return self._client.build_request("POST", target, json=body)

        response, attempts = await self._send(
            build, retry_allowed=True, authorize=same_origin(target, self._base)
        )
        if response.status_code >= 400:
            raise self._scrubbed(
                error_for_status(response, redact_request(response.request), attempts=attempts)
            )
        return response.json() if response.content else None

    def with_options(
        self,
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_budget: float | NotGiven = NOT_GIVEN,
        idempotent_mutations: frozenset[str] | NotGiven = NOT_GIVEN,
    ) -> AsyncGraphQLTransport:
        """A copy with other settings, sharing this transport's connection pool.

        Closing the copy leaves the pool open; closing the original closes it for both.
        """
        policy = self.retry_policy
        if not isinstance(max_retries, NotGiven):
            policy = replace(policy, max_retries=max_retries)
        if not isinstance(retry_budget, NotGiven):
            policy = replace(policy, budget=retry_budget)
        if not isinstance(idempotent_mutations, NotGiven):
            policy = replace(policy, idempotent_mutations=frozenset(idempotent_mutations))
        return AsyncGraphQLTransport(
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

    def with_api_key(self, api_key: ApiKey, *, api_key_source: str = "") -> AsyncGraphQLTransport:
        """A copy that authenticates with ``api_key``, sharing this transport's connection
        pool (and so the ``transport=`` it was made with); settings are kept."""
        copy = self.with_options()
        copy._api_key = api_key
        copy._api_key_source = api_key_source
        return copy

    async def aclose(self) -> None:
        """Close the connection pool (a no-op on copies made by :meth:`with_options`)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncGraphQLTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the retry loop ------------------------------------------------------------------

    async def _send(
        self,
        build: Callable[[], httpx.Request],
        *,
        retry_allowed: bool,
        authorize: bool = False,
        stream: bool = False,
        follow_redirects: bool = False,
        started: float | None = None,
        retries: int = 0,
    ) -> tuple[httpx.Response, int]:
        """Send until a reply that is not retried; return it with the number of attempts.

        A retryable-status reply that is given up on is returned as it is (read), so the
        caller maps it with the same code as any other failing reply. A network failure that
        is given up on is raised as :class:`TransportError` (``TimeoutError`` for timeouts),
        outside the ``except`` block, so the httpx exception (whose request carried the key)
        is not its ``__context__``. ``authorize`` adds the ``Authorization`` header to each
        attempt, and it is removed from the request (and those of redirects) once sent:
        nothing this returns or raises holds it. ``started``/``retries`` continue the budget
        of an earlier call (a download resumed mid-body).
        """
        if self._client.is_closed:
            raise self._closed_error()
        started = self._clock() if started is None else started
        timeout = httpx_timeout(self.timeout).as_dict()
        while True:
            wait = self._quota_wait()
            if wait > 0:
                await self._sleep(wait)
            request = build()
            request.extensions = {**request.extensions, "timeout": timeout}
            if authorize:
                self._authorize(request)
            failure: TransportError | None = None
            response: httpx.Response | None = None
            retryable = may_retry = False
            why = ""
            try:
                response = await self._client.send(
                    request, stream=stream, follow_redirects=follow_redirects
                )
            except httpx.HTTPError as exc:
                forget_authorization(exc, request)
                failure = self._transport_error(exc, request, retries)
                retryable = isinstance(exc, RETRYABLE_EXCEPTIONS)
                may_retry = retry_allowed or isinstance(exc, NEVER_SENT)
                why = type(exc).__name__
            finally:  # whatever ends the send (a cancellation too), the key goes with it
                forget_authorization(request)
            if response is None:
                # Raised here, after the except block: no __context__ to the httpx error.
                assert failure is not None  # the send either replied or failed
                delay = self._next_delay(may_retry, retries, started, None) if retryable else None
                if delay is None:
                    raise failure
            else:
                forget_authorization(response)
                self._note_quota(response)
                if not is_retryable_status(response.status_code):
                    return response, retries + 1
                await response.aread()
                hint = server_wait_hint(response.headers, now=self._wall_clock())
                delay = self._next_delay(retry_allowed, retries, started, hint)
                if delay is None:
                    return response, retries + 1
                await response.aclose()
                why = f"HTTP {response.status_code}"
            self._log_retry(request, why, delay, retries)
            await self._sleep(delay)
            retries += 1


class _Download:
    """One download of :meth:`AsyncGraphQLTransport.stream` that survives dropped
    connections: it resends the GET from the first byte not yet received when the body
    breaks off, as long as the transport's retry policy allows one more attempt."""

    def __init__(
        self,
        transport: AsyncGraphQLTransport,
        target: httpx.URL,
        params: Mapping[str, str] | None,
        chunk_size: int,
    ) -> None:
        self._transport = transport
        self._target = target
        self._params = params
        self._chunk_size = chunk_size
        self._authorize = same_origin(target, transport._base)
        self._response: httpx.Response | None = None
        self._attempts = 0
        self._started = 0.0
        self._first: ResumeInfo | None = None

    async def open(self, received: int = 0) -> int:
        """Send the GET (from byte ``received`` on); return how many bytes of the reply's
        body to skip (those already received, when the server sent the whole body)."""
        transport = self._transport
        headers = self._first.resume_headers(received) if self._first else {}

        def build() -> httpx.Request:
            return transport._client.build_request(
                "GET", self._target, params=self._params, headers=headers
            )

        first = self._first is None
        if first:
            self._started = transport._clock()
        response, self._attempts = await transport._send(
            build,
            retry_allowed=True,
            authorize=self._authorize,
            stream=True,
            follow_redirects=True,
            started=self._started,
            retries=self._attempts,
        )
        self._response = response
        if response.status_code >= 400:
            await response.aread()
            raise transport._scrubbed(
                error_for_status(
                    response, redact_request(response.request), attempts=self._attempts
                )
            )
        if self._first is None:
            self._first = ResumeInfo.of(response)
            return 0
        skip = self._first.skip_for(response, received)
        if skip is None:
            raise transport._scrubbed(
                TransportError(
                    f"GET {redact_request(response.request).url} changed while it was being "
                    f"downloaded (after {received} bytes, the server sent HTTP "
                    f"{response.status_code} {response.headers.get('content-range', '')!r}); "
                    "download it again"
                )
            )
        return skip

    async def chunks(self) -> AsyncIterator[bytes]:
        transport = self._transport
        received = 0
        skip = 0
        while True:
            response = self._response
            assert response is not None
            failure: TransportError | None = None
            retryable = False
            why = ""
            try:
                async for chunk in response.aiter_bytes(self._chunk_size):
                    if skip:
                        dropped = min(skip, len(chunk))
                        skip -= dropped
                        chunk = chunk[dropped:]
                        if not chunk:
                            continue
                    received += len(chunk)
                    yield chunk
            except httpx.HTTPError as exc:
                forget_authorization(exc)
                failure = transport._transport_error(exc, response.request, self._attempts - 1)
                retryable = isinstance(exc, RETRYABLE_EXCEPTIONS)
                why = type(exc).__name__
            if failure is None:
                return
            # Raised or retried here, after the except block (see _send).
            delay = (
                transport._next_delay(True, self._attempts - 1, self._started, None)
                if retryable
                else None
            )
            if delay is None:
                raise failure
            await response.aclose()
            transport._log_retry(response.request, f"{why} mid-body", delay, self._attempts - 1)
            await transport._sleep(delay)
            skip = await self.open(received)

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()
