"""What both transports share and what involves no I/O: settings, auth, retry bookkeeping,
URL resolution, and turning failures into our errors with the API key scrubbed.

:class:`wandb_typed._async.transport.AsyncGraphQLTransport` (and its generated sync twin)
add only the code that sends, sleeps and loops.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import httpx

from wandb_typed._constants import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT
from wandb_typed._graphql_http import REDACTED, basic_auth_header, redact_request
from wandb_typed._retry import RetryPolicy, rate_limit_pause
from wandb_typed._tls import DeferredTrustContext
from wandb_typed._version import __version__
from wandb_typed.config import ApiKey
from wandb_typed.errors import (
    InvalidArgumentError,
    TimeoutError,
    TransportError,
    WandbTypedError,
)

__all__ = [
    "USER_AGENT",
    "ResumeInfo",
    "TransportBase",
    "forget_authorization",
    "http2_available",
    "httpx_timeout",
    "shared_ssl_context",
]

USER_AGENT = f"wandb-typed/{__version__}"
logger = logging.getLogger("wandb_typed")

# Failures after which the request certainly never reached the server: safe to retry even
# for a mutation that is not known to be idempotent.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Network-level failures worth retrying at all (not e.g. an unsupported URL scheme).
RETRYABLE_EXCEPTIONS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)

_E = TypeVar("_E", bound=WandbTypedError)


class TransportBase:
    """Settings and sans-I/O helpers of a transport to one W&B server."""

    def __init__(
        self,
        base_url: str,
        api_key: ApiKey,
        *,
        api_key_source: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url: str = base_url.rstrip("/")
        self._base = httpx.URL(self.base_url)
        self._api_key = api_key
        self._api_key_source = api_key_source
        self.timeout: float = check_timeout(timeout)
        self.retry_policy: RetryPolicy = retry_policy or RetryPolicy()
        self._extra_headers = dict(headers or {})
        self._clock, self._wall_clock, self._jitter = clock, wall_clock, jitter
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout}, "
            f"max_retries={self.retry_policy.max_retries})"
        )

    # -- retry bookkeeping ---------------------------------------------------------------

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

    def _quota_wait(self) -> float:
        """Seconds to hold off because a previous reply said the rate-limit quota is used up."""
        with self._pause_lock:
            remaining = self._paused_until - self._clock()
        if remaining > 0:
            logger.debug("rate-limit quota used up; waiting %.2f s", remaining)
        return remaining

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

    # -- auth, URLs and errors -----------------------------------------------------------

    def _authorize(self, request: httpx.Request) -> None:
        """Add the ``Authorization`` header to ``request``, just before it is sent (no local
        variable holds it; :func:`forget_authorization` removes it once sent)."""
        request.headers["Authorization"] = basic_auth_header(self._api_key.reveal())

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

    def _closed_error(self) -> TransportError:
        return TransportError(
            f"This transport to {self.base_url} is closed; create a new Api to send more."
        )

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

    def _scrubbed(self, error: _E) -> _E:
        """The same error, with the key removed from its message should the server echo it."""
        secret = self._api_key.reveal()
        token = basic_auth_header(secret).split(" ", 1)[1]
        message = error.message
        if secret in message or token in message:
            error.message = message.replace(secret, REDACTED).replace(token, REDACTED)
            error.args = (error.message,)
        return error


def check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise InvalidArgumentError(f"timeout must be a number of seconds > 0, got {timeout!r}.")
    return float(timeout)


def http2_available() -> bool:
    """HTTP/2 when the optional ``h2`` package is installed (``pip install httpx[http2]``)."""
    return importlib.util.find_spec("h2") is not None


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client of this process: loading the CA bundle
    (~25 ms) is paid once, and only by a process that opens a TLS connection
    (:class:`wandb_typed._tls.DeferredTrustContext`), never for ``http://``."""
    return DeferredTrustContext.verifying()


def httpx_timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def forget_authorization(*sent: httpx.Request | httpx.Response | httpx.HTTPError) -> None:
    """Blank (``[redacted]``) the credentials headers of a request once sent, and from every request a reply
    or an httpx error keeps (redirects included), so that nothing we return, raise or keep
    in a local variable holds the API key after the send.
    """
    requests: list[httpx.Request | None] = []
    for item in sent:
        if isinstance(item, httpx.Request):
            requests.append(item)
        elif isinstance(item, httpx.Response):
            for response in (*item.history, item):
                requests.append(_request_of(response))
                requests.append(response.next_request)
        else:
            requests.append(_request_of(item))
    for request in requests:
        if request is not None:
            for name in _CREDENTIALS_HEADERS:
                if name in request.headers:
                    request.headers[name] = REDACTED


_CREDENTIALS_HEADERS = ("authorization", "proxy-authorization")


def _request_of(sent: httpx.Response | httpx.HTTPError) -> httpx.Request | None:
    try:
        return sent.request
    except RuntimeError:  # httpx raises this when no request is attached
        return None


_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-\d+/(?:\d+|\*)\s*$")


@dataclass(frozen=True)
class ResumeInfo:
    """What the first reply of a download says about resuming it after a dropped connection.

    Example:
        >>> info = ResumeInfo.of(httpx.Response(200, headers={"ETag": '"v1"'}))
        >>> info.resume_headers(10)
        {'Range': 'bytes=10-', 'If-Range': '"v1"'}
        >>> info.skip_for(httpx.Response(206, headers={"Content-Range": "bytes 10-19/20"}), 10)
        0
        >>> info.skip_for(httpx.Response(200, headers={"ETag": '"v1"'}), 10)
        10
    """

    etag: str | None
    last_modified: str | None
    ranged: bool
    """Whether a ``Range`` may be asked: the body is not content-encoded (a range counts
    encoded bytes, while the chunks are decoded ones)."""

    @classmethod
    def of(cls, response: httpx.Response) -> ResumeInfo:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        return cls(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            ranged=encoding in ("", "identity") and response.status_code == 200,
        )

    def resume_headers(self, received: int) -> dict[str, str]:
        """Headers of the GET that resumes after ``received`` bytes."""
        if not self.ranged or received <= 0:
            return {}
        headers = {"Range": f"bytes={received}-"}
        strong_etag = self.etag if self.etag and not self.etag.startswith("W/") else None
        validator = strong_etag or self.last_modified
        if validator:
            headers["If-Range"] = validator
        return headers

    def skip_for(self, response: httpx.Response, received: int) -> int | None:
        """How many bytes of ``response``'s body were already received (to skip), or None
        when it cannot continue the download (another range, another version)."""
        if response.status_code == 206:
            match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
            return 0 if match and int(match.group(1)) == received else None
        if response.status_code == 200:
            etag = response.headers.get("etag")
            if self.etag and etag and etag != self.etag:
                return None
            return received
        return None
