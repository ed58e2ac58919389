"""Run the server in a background thread on a loopback port (tests, demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from wandb_typed_server.graphql.limits import RequestLimits
from wandb_typed_server.http.app import create_app
from wandb_typed_server.storage.keys import ensure_admin, generate_api_key
from wandb_typed_server.storage.state import ServerState, open_state

_STARTUP_TIMEOUT_SECONDS = 30.0


class RunningServer:
    """A server running in a thread; stop it with :meth:`stop` or use it as a context manager."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        state: ServerState,
        base_url: str,
        api_key: str,
    ) -> None:
        self._server = server
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
    limits: RequestLimits | None = None,
) -> RunningServer:
    """Start a server on ``data_dir`` and return once it accepts connections.

    Without ``api_key`` a fresh admin key is generated and registered (so the caller always
    knows a working key, even on an existing data dir).

    >>> with start_in_thread(tmp_path) as server:  # doctest: +SKIP
    ...     httpx.post(f"{server.base_url}/graphql", auth=("api", server.api_key), json=...)
    """
    state = open_state(Path(data_dir))
    key = api_key or generate_api_key()
    ensure_admin(state.db, key)
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are
    # TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(state, heartbeat_timeout_seconds=heartbeat_timeout_seconds, limits=limits),
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
    return RunningServer(server, thread, state, f"http://{host}:{bound_port}", key)
