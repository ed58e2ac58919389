"""A real HTTP receiver for automation webhooks (a socket server on a thread) used by the
automation tests: it records every POST (path, headers, JSON body) and answers by path:

- ``/flaky-<n>[-<anything>]``: 500 to the first ``n`` requests to that path, then 200;
- ``/hang``: holds each request unanswered until :meth:`Receiver.release` (then 200);
- anything else: 200.

``GET /held`` answers how many requests ``/hang`` is holding (a client can wait on it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """One POST the receiver got, and what it answered."""

    path: str
    headers: dict[str, str]
    body: Any
    status: int
    raw: bytes = b""


class Receiver:
    """The receiver's state: what it got, and the ``/hang`` gate."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.held = 0
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._flaky_seen: dict[str, int] = {}
        self.url = ""

    def release(self) -> None:
        """Answer every held and future ``/hang`` request."""
        self._released.set()

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called."""
        return self._released.is_set()

    def wait_for(
        self, count: int, path: str | None = None, timeout: float = 120.0
    ) -> list[Delivery]:
        """The deliveries (to ``path``, if given) once there are at least ``count``."""

        def matching() -> list[Delivery]:
            return [d for d in self.deliveries if path is None or d.path == path]

        with self._changed:
            self._changed.wait_for(lambda: len(matching()) >= count, timeout=timeout)
            return matching()

    def wait_held(self, timeout: float = 120.0) -> bool:
        """Whether ``/hang`` is holding a request (waiting up to ``timeout``)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.held > 0, timeout=timeout)

    def _answer(self, path: str) -> int:
        if path.startswith("/flaky-"):
            failures = int(path.removeprefix("/flaky-").split("-")[0])
            with self._changed:
                seen = self._flaky_seen.get(path, 0)
                self._flaky_seen[path] = seen + 1
            return 500 if seen < failures else 200
        if path == "/hang":
            with self._changed:
                self.held += 1
                self._changed.notify_all()
            self._released.wait()
            with self._changed:
                self.held -= 1
        return 200

    def _record(self, delivery: Delivery) -> None:
        with self._changed:
            self.deliveries.append(delivery)
            self._changed.notify_all()


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver._answer(self.path)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            receiver._record(Delivery(self.path, dict(self.headers), body, status, raw))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            data = json.dumps({"held": receiver.held}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 (``receiver.url`` is its base URL)."""
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release()
        server.shutdown()
        server.server_close()
