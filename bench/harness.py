"""The machinery of a benchmark run: the local server in its own process, and one measurement
in a fresh child process.

The server runs through the ``wandb-typed server`` CLI, so its CPU never shares the GIL
with the client being measured. Each measurement runs ``bench/worker.py`` in a new
interpreter: its peak RSS is that contender's alone and imports never leak between
contenders.

    >>> with LocalServer(Path("/tmp/data")) as server:  # doctest: +SKIP
    ...     result = measure("ours", "import", {}, env=os.environ.copy())
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

BENCH_DIR = Path(__file__).resolve().parent
WORKER = BENCH_DIR / "worker.py"


class BenchError(RuntimeError):
    """A benchmark step failed (the message carries the child's output)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalServer:
    """``wandb-typed server`` on a free loopback port and ``data_dir``, as a child process."""

    def __init__(
        self,
        data_dir: Path,
        *,
        pythonpath: Path | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        """``pythonpath``: serve the sources found there (another commit's ``src/``) instead of
        the installed package; ``extra_args``: more options of ``wandb-typed server``."""
        self.data_dir = data_dir
        self.pythonpath = pythonpath
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.api_key = secrets.token_hex(20)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = data_dir.parent / "server.log"

    @property
    def pid(self) -> int:
        """The server's process id (for its peak RSS)."""
        if self._process is None:
            raise BenchError("the server is not running")
        return self._process.pid

    def __enter__(self) -> LocalServer:
        env = os.environ.copy()
        if self.pythonpath is not None:
            env["PYTHONPATH"] = str(self.pythonpath)
        command = [
            sys.executable,
            "-c",
            "import sys; from wandb_typed.cli import main; sys.exit(main(sys.argv[1:]))",
            "server",
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
            "--api-key",
            self.api_key,
            *self.extra_args,
        ]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BenchError(f"the server exited: {self._log.read_text()[-2000:]}")
            try:
                reply = httpx.post(
                    f"{self.base_url}/graphql",
                    json={"query": "{ viewer { username } }"},
                    auth=("api", self.api_key),
                    timeout=2.0,
                )
                if reply.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise BenchError(f"the server did not answer within {timeout:.0f} s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


class LatencyProxy:
    """``bench/latency_proxy.py`` in front of ``upstream`` (a base URL), adding ``delay_ms``
    to every request; ``base_url`` is where clients connect instead."""

    def __init__(self, upstream: str, delay_ms: float) -> None:
        self.upstream = upstream
        self.delay_ms = delay_ms
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> LatencyProxy:
        hostport = self.upstream.split("://", 1)[1].rstrip("/")
        command = [
            sys.executable,
            str(BENCH_DIR / "latency_proxy.py"),
            "--upstream",
            hostport,
            "--delay-ms",
            str(self.delay_ms),
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.__exit__(None, None, None)
            raise BenchError(f"the latency proxy did not start: {line!r}")
        self.base_url = "http://" + line.removeprefix("listening on ")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        self._process.wait(timeout=20)
        self._process = None


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident memory) of a live process, in MB; None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(
    contender: str,
    task: str,
    params: dict[str, object],
    *,
    env: dict[str, str],
    timeout: float = 1800.0,
) -> dict[str, float]:
    """Run one task of one contender in a fresh interpreter; return its RESULT record."""
    command = [sys.executable, str(WORKER), contender, task, json.dumps(params)]
    try:
        proc = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{contender}/{task} took more than {timeout:.0f} s") from exc
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["no error output"])[-1][:300]
        raise BenchError(
            f"{contender}/{task} failed (exit {proc.returncode}): {last}\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    record: dict[str, float] = json.loads(lines[-1].removeprefix("RESULT "))
    return record


def child_environment(base_url: str, api_key: str) -> dict[str, str]:
    """This process's environment for our client and the floor (no WANDB_* leaks in)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WANDB_")}
    env.update(BENCH_BASE_URL=base_url, BENCH_API_KEY=api_key, PYTHONHASHSEED="0")
    return env


def compile_bytecode(*packages: str, folders: tuple[Path, ...] = ()) -> list[str]:
    """Write the bytecode (``__pycache__/*.pyc``) of ``packages`` as imported by this
    interpreter, as ``pip install`` does for an installed wheel; return the folders compiled.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (this machine's environment) never
    gets any, so each fresh process would compile every module of ours from source again
    (about 80 ms for the first ``api.run()``) while the official client, installed from a
    wheel, reads its bytecode: the import rows would measure the compiler, not the client.
    ``folders`` are compiled too (another commit's sources).
    """
    import compileall
    import importlib.util

    compiled: list[str] = []
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise BenchError(f"{package} is not an importable package")
        for folder in spec.submodule_search_locations:
            if not compileall.compile_dir(folder, quiet=1, workers=0):
                raise BenchError(f"could not compile {folder}")
            compiled.append(folder)
    for path in folders:
        if not compileall.compile_dir(path, quiet=1, workers=0):
            raise BenchError(f"could not compile {path}")
        compiled.append(str(path))
    return compiled
