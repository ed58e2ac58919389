"""Run the server in a background thread on a loopback port (tests, demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wandb_typed_server.graphql.limits import RequestLimits
from wandb_typed_server.http.app import create_app
from wandb_typed_server.http.automation_worker import DeliveryPolicy
from wandb_typed_server.storage.keys import ensure_admin, generate_api_key
from wandb_typed_server.storage.state import ServerState, open_state

_STARTUP_TIMEOUT_SECONDS = 30.0
_BODY_EXCERPT = 500


@dataclass(frozen=True)
class Exchange:
    """One request the server answered: what a test may check about the wire."""

    method: str
    path: str
    status: int
    content_encoding: str | None
    body_excerpt: str
    """The start of the response body of a 4xx/5xx answer (empty for others)."""


class ExchangeLog:
    """An ASGI wrapper recording every HTTP request's method, path, status and
    ``Content-Encoding``, and the start of the body of error answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        encoding = headers.get(b"content-encoding")
        status = 0
        body = bytearray()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400:
                body.extend(message.get("body", b"")[: _BODY_EXCERPT - len(body)])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.exchanges.append(
                Exchange(
                    method=str(scope["method"]),
                    path=str(scope["path"]),
                    status=status,
                    content_encoding=None if encoding is None else encoding.decode("latin-1"),
                    body_excerpt=body.decode("utf-8", "replace"),
                )
            )

    def client_errors(self, since: int = 0) -> list[Exchange]:
        """The 4xx answers from the ``since``-th exchange on."""
        return [e for e in self.exchanges[since:] if 400 <= e.status < 500]


class RunningServer:
    """A server running in a thread; stop it with :meth:`stop` or use it as a context manager."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        state: ServerState,
        base_url: str,
        api_key: str,
        log: ExchangeLog,
    ) -> None:
        self._server = server
        self.log = log
        """Every request served, in order (see :class:`ExchangeLog`)."""
        self._thread = thread
        self.state = state
        self.base_url = base_url
        self.api_key = api_key
        self.data_dir = state.data_dir

    def __repr__(self) -> str:
        return f"RunningServer(base_url={self.base_url!r}, data_dir={str(self.data_dir)!r})"

    def stop(self) -> None:
        """Stop serving, wait for the thread and close the database."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.state.db.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(
    data_dir: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    heartbeat_timeout_seconds: float = 300.0,
    delivery_policy: DeliveryPolicy | None = None,
    limits: RequestLimits | None = None,
    history_exports: bool = False,
) -> RunningServer:
    """Start a server on ``data_dir`` and return once it accepts connections.

    Without ``api_key`` a fresh admin key is generated and registered (so the caller always
    knows a working key, even on an existing data dir). ``history_exports=True``: the server
    serves runs' histories as Parquet exports (``parquetHistory``; off by default).

    >>> with start_in_thread(tmp_path) as server:  # doctest: +SKIP
    ...     httpx.post(f"{server.base_url}/graphql", auth=("api", server.api_key), json=...)
    """
    state = open_state(Path(data_dir), history_exports=history_exports)
    key = api_key or generate_api_key()
    ensure_admin(state.db, key)
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are
    # TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    app = create_app(
        state,
        heartbeat_timeout_seconds=heartbeat_timeout_seconds,
        delivery_policy=delivery_policy,
        limits=limits,
    )
    log = ExchangeLog(app)
    config = uvicorn.Config(
        log,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="wandb-typed-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{bound_port} did not start")
        time.sleep(0.01)
    return RunningServer(server, thread, state, f"http://{host}:{bound_port}", key, log)
