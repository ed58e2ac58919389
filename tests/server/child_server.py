"""``wandb-typed server`` in a child process that a test can ``kill -9`` and start again on
the same data dir. Its admin key goes in a file (``--api-key-file``), not on the command
line.

    >>> server = ChildServer(Path("/tmp/x/data"))  # doctest: +SKIP
    >>> server.start(); server.kill(); server.start(); server.stop()  # doctest: +SKIP
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


class ChildServer:
    """The server on a free port of 127.0.0.1, restartable on ``data_dir``."""

    def __init__(self, data_dir: Path, api_key: str | None = None) -> None:
        self.data_dir = data_dir
        self.api_key = api_key or secrets.token_hex(20)
        self.key_file = data_dir.parent / "admin.key"
        self.key_file.write_text(self.api_key + "\n", encoding="utf-8")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        command = [sys.executable, "-m", "wandb_typed.cli", "server", "--data-dir"]
        command += [str(self.data_dir), "--port", str(self.port)]
        command += ["--api-key-file", str(self.key_file)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                reply = httpx.post(
                    f"{self.base_url}/graphql",
                    json={"query": "{ viewer { username } }"},
                    auth=("api", self.api_key),
                )
                if reply.status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """``kill -9`` the server and reap it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the server if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
