"""``wandb-typed server``: prints the URL and, on first start only, the admin key."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from wandb_typed.cli import SERVER_API_KEY_ENV, listening_socket, main
from wandb_typed_server import RequestLimits

WANDB_TYPED = Path(sys.executable).with_name("wandb-typed")
VIEWER = {"query": "{ viewer { username } }"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class CliServer:
    """A ``wandb-typed server`` process."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(WANDB_TYPED),
                "server",
                "--data-dir",
                str(data_dir),
                "--port",
                str(self.port),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.banner = self.proc.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(f"{self.base_url}/graphql", json=VIEWER)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.1)

    def stop(self) -> str:
        """Stop with Ctrl-C; returns the rest of the output."""
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        assert self.proc.stdout is not None
        rest = self.proc.stdout.read()  # includes what readline() already buffered
        self.proc.stdout.close()
        return rest


def test_first_start_prints_url_and_key_once(tmp_path: Path) -> None:
    first = CliServer(tmp_path)
    rest = first.stop()
    assert first.banner.startswith(f"wandb-typed server on {first.base_url}")
    match = re.search(r"admin API key \(shown only this once\): ([0-9a-f]{40})", rest)
    assert match, rest
    key = match.group(1)
    second = CliServer(tmp_path)
    try:
        response = httpx.post(f"{second.base_url}/graphql", json=VIEWER, auth=("api", key))
        assert response.json() == {"data": {"viewer": {"username": "admin"}}}
        assert httpx.post(f"{second.base_url}/graphql", json=VIEWER).status_code == 401
    finally:
        rest = second.stop()
    assert "API key" not in rest


def test_given_key_is_used_and_not_printed(tmp_path: Path) -> None:
    key = "c" * 40
    server = CliServer(tmp_path, "--api-key", key)
    try:
        response = httpx.post(f"{server.base_url}/graphql", json=VIEWER, auth=("api", key))
        assert response.status_code == 200
    finally:
        rest = server.stop()
    assert key not in server.banner + rest


def test_usage_errors_name_the_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert "--data-dir" in err
    assert err.count("\n") == 1


def test_a_busy_port_stops_before_a_key_is_made(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [str(WANDB_TYPED), "server", "--data-dir", str(tmp_path / "d"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 1
    assert proc.stdout == ""  # no banner, no key printed and lost
    assert proc.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert proc.stderr.count("\n") == 1
    first = CliServer(tmp_path / "d")  # the key is made (and shown) by the start that binds
    rest = first.stop()
    assert "admin API key (shown only this once)" in rest


def test_api_key_regains_access_to_an_existing_data_dir(tmp_path: Path) -> None:
    CliServer(tmp_path).stop()  # first start: a key was printed, and lost
    key = "d" * 40
    again = CliServer(tmp_path, "--api-key", key)
    try:
        response = httpx.post(f"{again.base_url}/graphql", json=VIEWER, auth=("api", key))
        assert response.json() == {"data": {"viewer": {"username": "admin"}}}
    finally:
        again.stop()


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--help"]) == 0
    out = capsys.readouterr().out
    assert "[default: 127.0.0.1]" in out
    assert "[default: 8080]" in out


def test_the_listening_socket_hands_its_connections_tcp_nodelay() -> None:
    # Accepted sockets inherit TCP_NODELAY from the listener; without it a file download's
    # body waited ~40 ms for the client's delayed ACK (uvicorn leaves Nagle on for a socket
    # it did not create).
    sock = listening_socket("127.0.0.1", 0)
    try:
        client = socket.create_connection(sock.getsockname())
        accepted, _ = sock.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()


def test_key_from_a_file_or_the_environment_never_on_the_command_line(tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key = "e" * 40
    key_file.write_text(key + "\n", encoding="utf-8")
    server = CliServer(tmp_path / "a", "--api-key-file", str(key_file))
    try:
        response = httpx.post(f"{server.base_url}/graphql", json=VIEWER, auth=("api", key))
        assert response.json() == {"data": {"viewer": {"username": "admin"}}}
        assert key not in " ".join(server.proc.args)  # what ps shows
    finally:
        rest = server.stop()
    assert key not in server.banner + rest

    env_key = "f" * 40
    env = {**os.environ, SERVER_API_KEY_ENV: env_key}
    server = CliServer(tmp_path / "b", env=env)
    try:
        response = httpx.post(f"{server.base_url}/graphql", json=VIEWER, auth=("api", env_key))
        assert response.json() == {"data": {"viewer": {"username": "admin"}}}
    finally:
        rest = server.stop()
    assert "admin API key (shown only this once)" not in rest


def test_key_file_errors_name_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["server", "--data-dir", str(tmp_path / "d"), "--api-key-file", str(empty)]) == 2
    assert "--api-key-file" in capsys.readouterr().err
    both = ["--api-key", "a" * 40, "--api-key-file", str(empty)]
    assert main(["server", "--data-dir", str(tmp_path / "d"), *both]) == 2
    assert "not both" in capsys.readouterr().err


def test_help_states_the_limits_the_server_applies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    defaults = RequestLimits()
    for name in RequestLimits.option_names():
        option = "--" + name.replace("_", "-")
        assert option in help_text
        assert f"[default: {getattr(defaults, name)}]" in help_text
    assert SERVER_API_KEY_ENV in help_text
    assert "--api-key-file" in help_text


def test_a_limit_option_reaches_the_server(tmp_path: Path) -> None:
    key = "9" * 40
    server = CliServer(tmp_path, "--api-key", key, "--max-query-aliases", "2")
    try:
        query = "{ a: viewer { id } b: viewer { id } c: viewer { id } }"
        response = httpx.post(
            f"{server.base_url}/graphql", json={"query": query}, auth=("api", key)
        )
        assert response.status_code == 400
        assert "max_query_aliases=2" in response.json()["errors"][0]["message"]
    finally:
        server.stop()
