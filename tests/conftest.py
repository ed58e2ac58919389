"""Shared fixtures: a real local server on a loopback port.

``local_server`` is one server for the whole session (fast; tests must use their own
entity/project names so they do not see each other's data). ``server_factory`` starts
fresh servers on given data dirs (restarts, isolation). ``flavour`` and ``portal`` run a
test through ``Api`` and through ``AsyncApi`` (``tests/flavours.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from flavours import FLAVOURS, Flavour, Portal
from machine_isolation import isolate_from_machine_config
from wandb_typed_server import RunningServer, start_in_thread

ServerFactory = Callable[..., RunningServer]

# Property tests check values, never timing: on a shared 2-core machine (CI included) data
# generation and single examples can be slow for reasons that are not the code's, so
# Hypothesis's timing health check and per-example deadline are off. Everything they assert
# about values stays.
settings.register_profile(
    "shared-machine", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
settings.load_profile("shared-machine")

# conftest.py files hold fixtures, not examples. Under --doctest-modules, the ones outside a
# package (here, e2e/, unit/) would each be imported as the module "conftest" and clash.
collect_ignore_glob = ["*conftest.py"]


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A running server with ``base_url``, ``api_key`` (admin) and ``data_dir``."""
    with start_in_thread(tmp_path_factory.mktemp("local-server")) as server:
        yield server


@pytest.fixture(scope="module", params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """``sync`` (``Api``) or ``async`` (``AsyncApi`` seen through the bridge): a test that
    builds its client with ``flavours.open_api(flavour, portal, ...)`` runs in both."""
    value: Flavour = request.param
    return value


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    """The event loop (in a thread of its own) that bridged ``AsyncApi`` objects run on."""
    with Portal() as running:
        yield running


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
