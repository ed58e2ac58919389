"""A fault-injecting ``httpx`` transport around the real one, and a walk that looks for the
API key in everything an error holds.

:class:`FaultInjector` sits between an ``Api`` and the real network transport to the real
local server (``Api(transport=FaultInjector(...))``). Each request attempt, with probability
``rate``, gets one fault instead of (or on top of) its real reply:

* ``429``: a 429 with ``Retry-After`` (nothing sent to the server);
* ``503``: a 5xx (nothing sent);
* ``reset``: the connection is reset before the request is sent (``httpx.ConnectError``);
* ``timeout``: the server does the work but the reply does not come in time
  (``httpx.ReadTimeout`` after the request reached the server);
* ``lost``: the server answers, the reply is dropped (``httpx.RemoteProtocolError``);
* ``mid_body``: the reply's headers and part of its body arrive, then the connection is
  reset (its stream raises ``httpx.ReadError`` partway).

Whether an attempt is faulted depends only on the seed, what the request is (method, URL
path, GraphQL operation name) and how many such requests were sent before it: a seed gives the
same faults on every run, in both flavours (for requests sent concurrently, the same number of
faults, whichever of them arrives first).

Example:
    >>> injector = FaultInjector(httpx.MockTransport(lambda r: httpx.Response(200)), rate=0.0)
    >>> httpx.Client(transport=injector).get("http://h/x").status_code
    200
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import threading
import types
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx

__all__ = ["FAULTS", "FaultInjector", "key_forms", "secrets_reachable"]

FAULTS = ("429", "503", "reset", "timeout", "lost", "mid_body")


class _CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The first ``cut`` bytes of a body, then a connection reset."""

    def __init__(self, body: bytes, cut: int) -> None:
        self._body, self._cut = body, cut

    def _reset(self) -> httpx.ReadError:
        return httpx.ReadError("[fault] connection reset by peer mid-body")

    def __iter__(self) -> Iterator[bytes]:
        yield self._body[: self._cut]
        raise self._reset()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body[: self._cut]
        raise self._reset()


class FaultInjector(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a real ``httpx.HTTPTransport`` (sync) or ``httpx.AsyncHTTPTransport`` (async)."""

    def __init__(
        self,
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport,
        *,
        rate: float,
        seed: int = 0,
        kinds: Iterable[str] = FAULTS,
        retry_after: str = "0.01",
    ) -> None:
        self.inner = inner
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.retry_after = retry_after
        self.injected: Counter[str] = Counter()
        self.attempts = 0
        self.reached_server = 0
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    # -- deciding --------------------------------------------------------------------------

    def _fault_for(self, request: httpx.Request, body: bytes) -> str | None:
        fingerprint = _fingerprint(request, body)
        with self._lock:
            occurrence = self._seen[fingerprint]
            self._seen[fingerprint] += 1
            self.attempts += 1
        draw = hashlib.sha256(f"{self.seed}:{fingerprint}:{occurrence}".encode()).digest()
        if int.from_bytes(draw[:8], "big") / 2**64 >= self.rate:
            return None
        kind = self.kinds[int.from_bytes(draw[8:16], "big") % len(self.kinds)]
        with self._lock:
            self.injected[kind] += 1
        return kind

    def _before(self, kind: str | None, request: httpx.Request) -> httpx.Response | None:
        """The fault that replaces sending (a reply, or raised), or None to send."""
        if kind == "429":
            return httpx.Response(
                429, headers={"Retry-After": self.retry_after}, json={"error": "rate limited"}
            )
        if kind == "503":
            return httpx.Response(503, text="[fault] service unavailable")
        if kind == "reset":
            raise httpx.ConnectError("[fault] connection reset by peer", request=request)
        return None

    def _after(self, kind: str | None, response: httpx.Response, body: bytes) -> httpx.Response:
        """The real reply, or the fault that follows it reaching the server."""
        with self._lock:
            self.reached_server += 1
        if kind == "timeout":
            raise httpx.ReadTimeout("[fault] the reply did not come in time")
        if kind == "lost" or (kind == "mid_body" and len(body) < 2):
            raise httpx.RemoteProtocolError("[fault] server disconnected without a reply")
        if kind == "mid_body":
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                stream=_CutStream(body, len(body) // 2),
                extensions=response.extensions,
            )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
        )

    # -- sending ---------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.inner, httpx.BaseTransport)
        kind = self._fault_for(request, request.read())
        faulted = self._before(kind, request)
        if faulted is not None:
            return faulted
        response = self.inner.handle_request(request)
        try:
            body = b"".join(response.stream)  # type: ignore[union-attr]
        finally:
            response.close()
        return self._after(kind, response, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.inner, httpx.AsyncBaseTransport)
        kind = self._fault_for(request, await request.aread())
        faulted = self._before(kind, request)
        if faulted is not None:
            return faulted
        response = await self.inner.handle_async_request(request)
        try:
            body = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()
        return self._after(kind, response, body)

    def close(self) -> None:
        if isinstance(self.inner, httpx.BaseTransport):
            self.inner.close()

    async def aclose(self) -> None:
        if isinstance(self.inner, httpx.AsyncBaseTransport):
            await self.inner.aclose()


def _fingerprint(request: httpx.Request, body: bytes) -> str:
    """What names a request across runs: method, host and path (not the query: signed URLs
    carry an expiry), and for GraphQL the operation name (not the variables: cursors and ids
    differ from one server to the next)."""
    operation = ""
    if body.startswith(b"{"):
        with contextlib.suppress(ValueError, AttributeError):
            operation = str(json.loads(body).get("operationName") or "")
    return f"{request.method} {request.url.host}{request.url.path} {operation}"


# -- looking for the key -------------------------------------------------------------------


def key_forms(api_key: str) -> tuple[str, ...]:
    """The key as it may travel: raw, and as the base64 token of ``Basic api:<key>``."""
    return (api_key, base64.b64encode(f"api:{api_key}".encode()).decode("ascii"))


def _holders() -> tuple[type, ...]:
    """Objects that hold the key by design and are no part of an error: the ``ApiKey``, the
    transports (which keep it to sign each request) and httpx's connection machinery."""
    from wandb_typed._transport_base import TransportBase
    from wandb_typed.config import ApiKey

    return (
        ApiKey,
        TransportBase,
        httpx.Client,
        httpx.AsyncClient,
        httpx.BaseTransport,
        httpx.AsyncBaseTransport,
    )


def secrets_reachable(root: object, secrets: Iterable[str], *, frames: bool = True) -> list[str]:
    """Where any of ``secrets`` (as text or bytes) can be reached from ``root``: a list of
    paths such as ``error.__context__.request.headers``; empty when none.

    Followed: exception chains (``__cause__``, ``__context__``), ``args``, attributes
    (``__dict__`` and ``__slots__``), containers, httpx requests and replies (headers, URL,
    body, the request a reply keeps, redirects), function closures and, with ``frames``, the
    local variables of every frame in a traceback (what ``pytest -l`` or rich would print) of the client's own frames.
    """
    texts = tuple(secrets)
    raw = tuple(s.encode() for s in texts)
    holders = _holders()
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[object, str]] = [(root, "error")]

    def push(value: object, path: str) -> None:
        stack.append((value, path))

    while stack:
        obj, path = stack.pop()
        if obj is None or isinstance(obj, bool | int | float | type):
            continue
        if isinstance(obj, str):
            if any(s in obj for s in texts):
                found.append(path)
            continue
        if isinstance(obj, bytes | bytearray | memoryview):
            data = bytes(obj)
            if any(s in data for s in raw):
                found.append(path)
            continue
        if id(obj) in seen or isinstance(obj, holders):
            continue
        seen.add(id(obj))
        if isinstance(obj, BaseException):
            push(obj.__cause__, f"{path}.__cause__")
            push(obj.__context__, f"{path}.__context__")
            push(obj.args, f"{path}.args")
            if frames:
                push(obj.__traceback__, f"{path}.__traceback__")
        if isinstance(obj, httpx.Request):
            push([(k, v) for k, v in obj.headers.raw], f"{path}.headers")
            push(str(obj.url), f"{path}.url")
            with contextlib.suppress(httpx.RequestNotRead):
                push(obj.content, f"{path}.content")
            push(obj.extensions, f"{path}.extensions")
            continue
        if isinstance(obj, httpx.Response):
            push([(k, v) for k, v in obj.headers.raw], f"{path}.headers")
            with contextlib.suppress(httpx.ResponseNotRead):
                push(obj.content, f"{path}.content")
            with contextlib.suppress(RuntimeError):  # no request attached
                push(obj.request, f"{path}.request")
            push(obj.next_request, f"{path}.next_request")
            push(obj.history, f"{path}.history")
            continue
        if isinstance(obj, httpx.Headers):
            push(list(obj.raw), f"{path}.raw")
            continue
        if isinstance(obj, types.TracebackType):
            if frames:
                push(obj.tb_frame, f"{path}.tb_frame")
                push(obj.tb_next, f"{path}.tb_next")
            continue
        if isinstance(obj, types.FrameType):
            if frames and _is_client_code(obj.f_code.co_filename):
                for local, value in dict(obj.f_locals).items():
                    push(value, f"{path}<{obj.f_code.co_name}>.{local}")
            continue
        if isinstance(obj, types.ModuleType | types.CodeType):
            continue
        if isinstance(obj, dict):
            for key, value in list(obj.items()):
                push(key, f"{path}[key]")
                push(value, f"{path}[{key!r}]")
            continue
        if isinstance(obj, list | tuple | set | frozenset):
            for index, value in enumerate(list(obj)):
                push(value, f"{path}[{index}]")
            continue
        if isinstance(obj, types.FunctionType):
            for index, cell in enumerate(obj.__closure__ or ()):
                with contextlib.suppress(ValueError):  # an empty cell
                    push(cell.cell_contents, f"{path}.<closure {index}>")
            continue
        if hasattr(obj, "__module__") and str(type(obj).__module__).startswith(
            ("asyncio", "concurrent", "threading", "_thread", "builtins", "logging")
        ):
            continue
        _push_attributes(obj, path, push)
    return found


def _is_client_code(filename: str) -> bool:
    """Whether a frame runs the client's code (whose locals must not hold the header)."""
    import wandb_typed

    package = str(Path(wandb_typed.__file__).parent)
    return filename.startswith(package + "/")


def _push_attributes(obj: object, path: str, push: Any) -> None:
    for name, value in list(getattr(obj, "__dict__", {}).items()):
        push(value, f"{path}.{name}")
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(obj, name):
                push(getattr(obj, name), f"{path}.{name}")
