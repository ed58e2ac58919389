"""Shared fixtures: a real local server on a loopback port.

``local_server`` is one server for the whole session (fast; tests must use their own
entity/project names so they do not see each other's data). ``server_factory`` starts
fresh servers on given data dirs (restarts, isolation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from machine_isolation import isolate_from_machine_config
from wandb_typed_server import RunningServer, start_in_thread

ServerFactory = Callable[..., RunningServer]


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A running server with ``base_url``, ``api_key`` (admin) and ``data_dir``."""
    with start_in_thread(tmp_path_factory.mktemp("local-server")) as server:
        yield server


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers (default data dir: this test's tmp_path); all are stopped afterwards."""
    started: list[RunningServer] = []

    def start(data_dir: Path | None = None, **kwargs: object) -> RunningServer:
        server = start_in_thread(data_dir or tmp_path / "data", **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def apis() -> Iterator[ExitStack]:
    """Closes every Api a test opens through ``apis.enter_context(Api(...))``."""
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep this machine's WANDB_* variables, ~/.netrc and settings file out of the test."""
    isolate_from_machine_config(monkeypatch, tmp_path)
